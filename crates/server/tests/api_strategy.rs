//! Product strategy over the JSON API, on every backend: objectives with key results, measurements
//! and exact progress, feature links with their 422 field errors, what other products' members see
//! (404), and the roadmap's lanes and date sources.

use serde_json::{Value, json};
use tandem_domain::{GrantScope, ProductId, Role};
use tandem_test_support::app::{TestApp, json_response};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

async fn new_product(app: &TestApp, name: &str) -> String {
    id_of(&app.create("/api/v1/products", &json!({"name": name, "vision": "Banking in one tap"})).await)
}

async fn item(app: &TestApp, product: &str, kind: &str, title: &str) -> String {
    let body = json!({"kind": kind, "product_id": product, "title": title,
        "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}});
    id_of(&app.create("/api/v1/work-items", &body).await)
}

fn objective_body(product: &str) -> Value {
    json!({
        "product_id": product,
        "title": "Win mid-size teams",
        "quarter": "2026-Q2",
        "status": "on_track",
        "key_results": [
            {"metric": "Activation rate", "unit": "%", "baseline": 30, "target": 50},
            {"metric": "Time to first value", "unit": "min", "baseline": 45, "target": 15},
        ],
    })
}

#[tokio::test]
async fn objectives_carry_key_results_measurements_and_exact_progress() {
    for app in TestApp::spawn_all().await {
        let product = new_product(&app, "Mobile app").await;
        let created = app.create("/api/v1/objectives", &objective_body(&product)).await;
        let id = id_of(&created);
        assert_eq!((created["start"].as_str(), created["end"].as_str()), (Some("2026-04-01"), Some("2026-06-30")));
        assert_eq!((created["progress"].as_f64(), created["version"].as_i64()), (Some(0.0), Some(1)));
        let activation = created["key_results"][0]["id"].as_str().unwrap().to_owned();
        let time = created["key_results"][1]["id"].as_str().unwrap().to_owned();
        assert_eq!(
            created["key_results"][0]["explanation"],
            "no measurement yet: progress = (latest - 30) / (50 - 30)"
        );

        let post = |kr: &str, date: &str, value: f64| json!({"key_result_id": kr, "date": date, "value": value});
        let path = format!("/api/v1/objectives/{id}/measurements");
        for body in [
            post(&activation, "2026-04-30", 36.0),
            post(&activation, "2026-05-31", 42.0),
            post(&time, "2026-05-31", 39.0),
        ] {
            let (status, _, _) = json_response(app.post_json(&path, &body).await).await;
            assert_eq!(status, 201);
        }
        let (status, _, read) = json_response(app.get(&format!("/api/v1/objectives/{id}")).await).await;
        assert_eq!(status, 200);
        assert_eq!(
            read["key_results"][0],
            json!({"id": activation, "metric": "Activation rate", "unit": "%", "baseline": 30.0, "target": 50.0,
                "measurements": [{"date": "2026-04-30", "value": 36.0}, {"date": "2026-05-31", "value": 42.0}],
                "progress": {"percent": 60.0, "latest_value": 42.0, "latest_date": "2026-05-31"},
                "explanation": "(42 - 30) / (50 - 30) = 60 % (latest 42 on 2026-05-31)"})
        );
        // A reduce key result: 45 down to 15 minutes, at 39 is a fifth of the way.
        assert_eq!(read["key_results"][1]["progress"]["percent"].as_f64(), Some(20.0));
        assert_eq!(read["progress"].as_f64(), Some(40.0));

        // Clamped: beyond the target counts 100 %.
        let (_, _, over) = json_response(app.post_json(&path, &post(&time, "2026-06-15", 10.0)).await).await;
        assert_eq!(over["key_results"][1]["progress"]["percent"].as_f64(), Some(100.0));
        assert_eq!(
            over["key_results"][1]["explanation"],
            "(10 - 45) / (15 - 45) = 100 %, clamped to 0..100 % (latest 10 on 2026-06-15)"
        );
        assert_eq!(over["progress"].as_f64(), Some(80.0));

        // Replace: keep the first key result by id (its measurements stay), drop the second.
        let replacement = json!({"version": 1, "product_id": product, "title": "Win mid-size teams",
            "start": "2026-04-01", "end": "2026-09-30", "status": "at_risk",
            "key_results": [{"id": activation, "metric": "Activation rate", "unit": "%", "baseline": 30, "target": 60}]});
        let (status, _, replaced) =
            json_response(app.put_json(&format!("/api/v1/objectives/{id}"), &replacement).await).await;
        assert_eq!(status, 200, "{replaced}");
        assert_eq!((replaced["version"].as_i64(), replaced["status"].as_str()), (Some(2), Some("at_risk")));
        assert_eq!(replaced["key_results"].as_array().unwrap().len(), 1);
        assert_eq!(replaced["key_results"][0]["progress"]["percent"].as_f64(), Some(40.0));
        let (status, _, stale) =
            json_response(app.put_json(&format!("/api/v1/objectives/{id}"), &replacement).await).await;
        assert_eq!((status, stale["current_version"].as_i64()), (409, Some(2)));

        let feature = item(&app, &product, "feature", "Guided setup").await;
        let link = format!("/api/v1/objectives/{id}/features/{feature}");
        let linked = app.client.put(app.url(&link)).send().await.unwrap();
        assert_eq!(linked.status().as_u16(), 204);
        let (_, _, listed) = json_response(app.get(&format!("/api/v1/products/{product}/objectives")).await).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        assert_eq!(listed["items"][0]["feature_ids"], json!([feature]));
        assert_eq!(listed["items"][0]["progress"].as_f64(), Some(40.0));
        assert_eq!(app.delete(&link).await.status().as_u16(), 204);
        let (_, _, read) = json_response(app.get(&format!("/api/v1/objectives/{id}")).await).await;
        assert_eq!(read["feature_ids"], json!([]));

        let (status, _, history) =
            json_response(app.get(&format!("/api/v1/audit?entity=objective&record_id={id}")).await).await;
        assert_eq!(status, 200);
        let fields: Vec<&str> = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["changes"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()))
            .filter(|f| f.starts_with("key_results") || *f == "feature")
            .collect();
        assert_eq!(
            fields,
            [
                "feature",
                "feature",
                "key_results",
                "key_results.Time to first value.measurement.2026-06-15",
                "key_results.Time to first value.measurement.2026-05-31",
                "key_results.Activation rate.measurement.2026-05-31",
                "key_results.Activation rate.measurement.2026-04-30",
                "key_results",
            ]
        );

        assert_eq!(app.delete(&format!("/api/v1/objectives/{id}?version=2")).await.status().as_u16(), 204);
        assert_eq!(app.get(&format!("/api/v1/objectives/{id}")).await.status().as_u16(), 404);
    }
}

#[tokio::test]
async fn bad_objectives_measurements_and_links_are_422_naming_the_field() {
    for app in TestApp::spawn_all().await {
        let product = new_product(&app, "Mobile app").await;
        let other = new_product(&app, "Web app").await;
        let body = json!({"product_id": product, "title": " ", "quarter": "2026-Q7",
            "key_results": [{"metric": "NPS", "baseline": 20, "target": 20}]});
        let (status, _, problem) = json_response(app.post_json("/api/v1/objectives", &body).await).await;
        assert_eq!(status, 422);
        assert_eq!(
            problem["errors"],
            json!([
                {"field": "title", "code": "required", "message": "must not be blank"},
                {"field": "quarter", "code": "invalid", "message": "must be a quarter such as 2026-Q3"},
                {"field": "key_results[0].target", "code": "equals_baseline", "message": "must differ from the baseline"},
            ])
        );
        let body = json!({"product_id": product, "title": "Dates", "start": "2026-05-01", "end": "2026-04-01"});
        let (status, _, problem) = json_response(app.post_json("/api/v1/objectives", &body).await).await;
        assert_eq!(
            (status, problem["errors"].clone()),
            (
                422,
                json!([{"field": "end", "code": "before_start", "message": "must not be before the start date (2026-05-01)"}])
            )
        );

        let objective = app.create("/api/v1/objectives", &objective_body(&product)).await;
        let id = id_of(&objective);
        let unknown = uuid::Uuid::now_v7().to_string();
        let (status, _, problem) = json_response(
            app.post_json(
                &format!("/api/v1/objectives/{id}/measurements"),
                &json!({"key_result_id": unknown, "date": "2026-05-01", "value": 3}),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, problem["errors"].clone()),
            (
                422,
                json!([{"field": "key_result_id", "code": "not_found",
                "message": format!("key result {unknown} is not one of objective {id}'s")}])
            )
        );

        let story = item(&app, &product, "story", "A story").await;
        let elsewhere = item(&app, &other, "feature", "Web export").await;
        let link = |item: &str| format!("/api/v1/objectives/{id}/features/{item}");
        let response = app.client.put(app.url(&link(&story))).send().await.unwrap();
        let (status, _, problem) = json_response(response).await;
        assert_eq!(
            (status, problem["errors"].clone()),
            (
                422,
                json!([{"field": "work_item_id", "code": "not_a_feature", "message": "must be an epic or a feature"}])
            )
        );
        let response = app.client.put(app.url(&link(&elsewhere))).send().await.unwrap();
        let (status, _, problem) = json_response(response).await;
        assert_eq!(
            (status, problem["errors"].clone()),
            (
                422,
                json!([{"field": "work_item_id", "code": "other_product",
                "message": format!("work item {elsewhere} is not in product {product}")}])
            )
        );
        let response = app.client.put(app.url(&link(&unknown))).send().await.unwrap();
        let (status, _, problem) = json_response(response).await;
        assert_eq!(
            (status, problem["errors"].clone()),
            (
                422,
                json!([{"field": "work_item_id", "code": "not_found",
                "message": format!("work item {unknown} does not exist")}])
            )
        );
        let (status, _, refused) = json_response(app.delete(&format!("/api/v1/products/{product}")).await).await;
        assert_eq!((status, refused["detail"].as_str()), (409, Some("it still has 1 work item")));
    }
}

#[tokio::test]
async fn members_of_other_products_get_404() {
    for app in TestApp::spawn_all().await {
        let product = new_product(&app, "Mobile app").await;
        let objective = app.create("/api/v1/objectives", &objective_body(&product)).await;
        let id = id_of(&objective);
        let (outsider, client) = app.user("outsider", false).await;
        let elsewhere: ProductId = product_of_outsider(&app).await.parse().unwrap();
        app.grant(&outsider, GrantScope::Product(elsewhere), Role::Owner).await;
        for path in [
            format!("/api/v1/objectives/{id}"),
            format!("/api/v1/products/{product}/objectives"),
            format!("/api/v1/products/{product}/roadmap"),
        ] {
            let (status, _, body) = json_response(client.get(app.url(&path)).send().await.unwrap()).await;
            assert_eq!(status, 404, "{path}: {body}");
        }
        let body = objective_body(&product);
        let (status, _, problem) =
            json_response(client.post(app.url("/api/v1/objectives")).json(&body).send().await.unwrap()).await;
        assert_eq!(
            (status, problem["errors"].clone()),
            (
                422,
                json!([{"field": "product_id", "code": "not_found", "message": format!("product {product} does not exist")}])
            )
        );
    }
}

async fn product_of_outsider(app: &TestApp) -> String {
    new_product(app, "Outsider's product").await
}

#[tokio::test]
async fn the_roadmap_marks_where_each_date_comes_from() {
    for app in TestApp::spawn_all().await {
        let product = new_product(&app, "Mobile app").await;
        let program = app
            .create(
                "/api/v1/programs",
                &json!({"name": "Delivery", "start": "2026-01-05", "target_end": "2026-12-18",
                    "status_date": "2026-01-05"}),
            )
            .await;
        let project = app
            .create("/api/v1/projects", &json!({"program_id": id_of(&program), "name": "App", "start": "2026-01-05"}))
            .await;
        let scheduled = id_of(
            &app.create(
                "/api/v1/work-items",
                &json!({"kind": "feature", "project_id": id_of(&project), "product_id": product, "title": "Login",
                    "estimate": {"optimistic": 10, "most_likely": 10, "pessimistic": 10}}),
            )
            .await,
        );
        let planned = item(&app, &product, "feature", "Savings pots").await;
        let undated = item(&app, &product, "epic", "Mortgages").await;
        let (status, _, _) =
            json_response(app.post_json(&format!("/api/v1/programs/{}/schedule", id_of(&program)), &json!({})).await)
                .await;
        assert_eq!(status, 201);

        let entry = json!({"lane": null, "planned_start": "2026-04-06", "planned_finish": "2026-05-29"});
        let (status, _, stored) =
            json_response(app.put_json(&format!("/api/v1/work-items/{planned}/roadmap-entry"), &entry).await).await;
        assert_eq!(status, 200, "{stored}");
        assert_eq!(
            stored,
            json!({"work_item_id": planned, "lane": null, "planned_start": "2026-04-06", "planned_finish": "2026-05-29", "version": 1})
        );
        let stale = json!({"version": 5, "lane": "now"});
        let (status, _, refused) =
            json_response(app.put_json(&format!("/api/v1/work-items/{planned}/roadmap-entry"), &stale).await).await;
        assert_eq!((status, refused["current_version"].as_i64()), (409, Some(1)), "{refused}");
        let later = json!({"lane": "later"});
        let (status, _, _) =
            json_response(app.put_json(&format!("/api/v1/work-items/{undated}/roadmap-entry"), &later).await).await;
        assert_eq!(status, 200);
        let bad = json!({"planned_finish": "2026-05-29"});
        let (status, _, problem) =
            json_response(app.put_json(&format!("/api/v1/work-items/{undated}/roadmap-entry"), &bad).await).await;
        assert_eq!(
            (status, problem["errors"].clone()),
            (
                422,
                json!([{"field": "planned_start", "code": "required", "message": "give both planned dates or neither"}])
            )
        );

        let (status, _, roadmap) =
            json_response(app.get(&format!("/api/v1/products/{product}/roadmap?today=2026-02-10")).await).await;
        assert_eq!(status, 200, "{roadmap}");
        let summary: Vec<(String, String, String, Value, Value)> = roadmap["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["title"].as_str().unwrap().to_owned(),
                    i["lane"].as_str().unwrap().to_owned(),
                    i["lane_source"].as_str().unwrap().to_owned(),
                    i["date_source"].clone(),
                    i["start"].clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("Login".to_owned(), "now".to_owned(), "derived".to_owned(), json!("scheduled"), json!("2026-01-05")),
                (
                    "Savings pots".to_owned(),
                    "next".to_owned(),
                    "derived".to_owned(),
                    json!("planned"),
                    json!("2026-04-06")
                ),
                ("Mortgages".to_owned(), "later".to_owned(), "entered".to_owned(), Value::Null, Value::Null),
            ]
        );
        assert_eq!(roadmap["quarters"], json!(["2026-Q1", "2026-Q2"]));
        assert_eq!(
            roadmap["groups"],
            json!([{"key": null, "label": "No objective", "work_item_ids": [scheduled, planned, undated]}])
        );

        // An epic's dates roll up from its work; a stored forecast wins over the schedule, with
        // the latest P80 finish of the work.
        let cards = id_of(
            &app.create(
                "/api/v1/work-items",
                &json!({"kind": "epic", "project_id": id_of(&project), "product_id": product, "title": "Cards",
                    "estimate": {"optimistic": 1, "most_likely": 1, "pessimistic": 1}}),
            )
            .await,
        );
        for (title, days) in [("Card freeze", 5), ("Card limits", 3)] {
            app.create(
                "/api/v1/work-items",
                &json!({"kind": "story", "project_id": id_of(&project), "parent_id": cards, "title": title,
                    "estimate": {"optimistic": days, "most_likely": days, "pessimistic": days}}),
            )
            .await;
        }
        let (status, _, _) =
            json_response(app.post_json(&format!("/api/v1/programs/{}/schedule", id_of(&program)), &json!({})).await)
                .await;
        assert_eq!(status, 201);
        let dates_of = |roadmap: &Value, title: &str| {
            let item = roadmap["items"].as_array().unwrap().iter().find(|i| i["title"] == title).unwrap().clone();
            (item["date_source"].clone(), item["start"].clone(), item["finish"].clone())
        };
        let (_, _, roadmap) =
            json_response(app.get(&format!("/api/v1/products/{product}/roadmap?today=2026-02-10")).await).await;
        assert_eq!(dates_of(&roadmap, "Cards"), (json!("scheduled"), json!("2026-01-05"), json!("2026-01-09")));
        let forecast = json!({"iterations": 50, "mode": "network"});
        let (status, _, _) =
            json_response(app.post_json(&format!("/api/v1/programs/{}/forecast", id_of(&program)), &forecast).await)
                .await;
        assert_eq!(status, 201);
        let (_, _, roadmap) =
            json_response(app.get(&format!("/api/v1/products/{product}/roadmap?today=2026-02-10")).await).await;
        assert_eq!(dates_of(&roadmap, "Cards"), (json!("forecast"), json!("2026-01-05"), json!("2026-01-09")));
        // Login: 10 certain days from Monday 5 January, last working day Friday 16 January.
        assert_eq!(dates_of(&roadmap, "Login"), (json!("forecast"), json!("2026-01-05"), json!("2026-01-16")));
        assert_eq!(dates_of(&roadmap, "Savings pots").0, json!("planned"));

        let (status, _, problem) =
            json_response(app.get(&format!("/api/v1/products/{product}/roadmap?group=colour")).await).await;
        assert_eq!(
            (status, problem["errors"].clone()),
            (422, json!([{"field": "group", "code": "invalid", "message": "must be one of objective, team"}]))
        );
    }
}

#[tokio::test]
async fn an_objective_insight_and_experiment_have_an_api_history_for_whoever_may_read_them() {
    for app in TestApp::spawn_all().await {
        let product = new_product(&app, "Mobile app").await;
        let id = id_of(&app.create("/api/v1/objectives", &objective_body(&product)).await);
        let mut replacement = objective_body(&product);
        replacement["version"] = json!(1);
        replacement["status"] = json!("at_risk");
        let (status, _, _) = json_response(app.put_json(&format!("/api/v1/objectives/{id}"), &replacement).await).await;
        assert_eq!(status, 200);
        let (status, _, history) = json_response(app.get(&format!("/api/v1/objectives/{id}/history")).await).await;
        assert_eq!(status, 200, "{history}");
        let events = history["items"].as_array().unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["updated", "created"], "newest first");
        assert_eq!(events[0]["changes"], json!([{"field": "status", "before": "on_track", "after": "at_risk"}]));

        let insight = json!({"product_id": product, "source": "interview", "customer": "Ann", "date": "2026-03-02",
            "quote": "We need it", "importance": "critical", "feature_ids": []});
        let insight = id_of(&app.create("/api/v1/insights", &insight).await);
        let segment = id_of(&app.create("/api/v1/segments", &json!({"product_id": product, "name": "Teams"})).await);
        let experiment = json!({"product_id": product, "name": "Green button", "hypothesis": "Green converts",
            "metric": "conversion", "baseline": 0.05, "minimum_detectable_effect": 0.1, "status": "running",
            "variants": [{"name": "Control", "visitors": 10, "conversions": 1},
                {"name": "Green", "visitors": 10, "conversions": 2}]});
        let experiment = id_of(&app.create("/api/v1/experiments", &experiment).await);
        let mut paths = vec![
            format!("/api/v1/insights/{insight}/history"),
            format!("/api/v1/segments/{segment}/history"),
            format!("/api/v1/experiments/{experiment}/history"),
        ];
        for path in &paths {
            let (status, _, history) = json_response(app.get(path).await).await;
            assert_eq!(status, 200, "{path}: {history}");
            assert_eq!(history["items"][0]["action"], "created", "{path}");
        }

        // Whoever may not read the product finds nothing there.
        let (outsider, client) = app.user("outsider", false).await;
        let elsewhere: ProductId = product_of_outsider(&app).await.parse().unwrap();
        app.grant(&outsider, GrantScope::Product(elsewhere), Role::Owner).await;
        paths.push(format!("/api/v1/objectives/{id}/history"));
        for path in &paths {
            let (status, _, body) = json_response(client.get(app.url(path)).send().await.unwrap()).await;
            assert_eq!(status, 404, "{path}: {body}");
        }
    }
}
