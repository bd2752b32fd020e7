//! The product backlog over the JSON API, on every backend: moves that renumber ranks, bulk
//! edits (all or nothing, `ids[i]` named), user stories, prioritization inputs with their exact
//! scores and formulas, 422 bodies for bad inputs, rankings per framework and the side-by-side
//! comparison.

use serde_json::{Value, json};
use tandem_domain::{GrantScope, Role};
use tandem_test_support::app::{TestApp, json_response};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

/// A product with features titled as given, in that backlog order; returns (product, ids).
async fn product_with(app: &TestApp, name: &str, titles: &[&str]) -> (String, Vec<String>) {
    let product = id_of(&app.create("/api/v1/products", &json!({"name": name})).await);
    let mut ids = Vec::new();
    for title in titles {
        let item = app
            .create(
                "/api/v1/work-items",
                &json!({"kind": "feature", "product_id": product, "title": title,
                    "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}}),
            )
            .await;
        ids.push(id_of(&item));
    }
    (product, ids)
}

fn titles_and_ranks(items: &Value) -> Vec<(String, i64)> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let item = if i["item"].is_object() { &i["item"] } else { i };
            (item["title"].as_str().unwrap().to_owned(), item["rank"].as_i64().unwrap())
        })
        .collect()
}

fn owned(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(t, r)| ((*t).to_owned(), *r)).collect()
}

#[tokio::test]
async fn a_move_renumbers_the_backlog_and_bulk_edits_are_all_or_nothing() {
    for app in TestApp::spawn_all().await {
        let (product, ids) = product_with(&app, "Shop", &["A", "B", "C", "D"]).await;
        let moved = app
            .post_json(
                &format!("/api/v1/products/{product}/backlog/move"),
                &json!({"item_id": ids[3], "before_id": ids[1]}),
            )
            .await;
        let (status, _, moved) = json_response(moved).await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(titles_and_ranks(&moved["items"]), owned(&[("A", 1024), ("D", 2048), ("B", 3072), ("C", 4096)]));
        let (_, _, backlog) = json_response(app.get(&format!("/api/v1/products/{product}/backlog")).await).await;
        assert_eq!(titles_and_ranks(&backlog["items"]), owned(&[("A", 1024), ("D", 2048), ("B", 3072), ("C", 4096)]));

        let path = format!("/api/v1/products/{product}/backlog/move");
        let (_, _, moved) =
            json_response(app.post_json(&path, &json!({"item_id": ids[0], "to": "bottom"})).await).await;
        assert_eq!(titles_and_ranks(&moved["items"]), owned(&[("D", 1024), ("B", 2048), ("C", 3072), ("A", 4096)]));
        let (_, _, moved) = json_response(app.post_json(&path, &json!({"item_id": ids[2], "position": 0})).await).await;
        assert_eq!(titles_and_ranks(&moved["items"]), owned(&[("C", 1024), ("D", 2048), ("B", 3072), ("A", 4096)]));

        let (status, _, problem) = json_response(app.post_json(&path, &json!({"item_id": ids[2]})).await).await;
        assert_eq!(status, 422);
        assert_eq!(
            problem["errors"],
            json!([{"field": "position", "code": "required", "message": "give exactly one of before_id, after_id, position, to"}])
        );
        let stranger = uuid::Uuid::now_v7().to_string();
        let (status, _, problem) =
            json_response(app.post_json(&path, &json!({"item_id": ids[2], "after_id": stranger})).await).await;
        assert_eq!(status, 422);
        assert_eq!(
            problem["errors"],
            json!([{"field": "after_id", "code": "not_found", "message": format!("work item {stranger} is not in this backlog")}])
        );

        // Bulk: an unknown id fails everything, naming its place.
        let bulk = json!({"ids": [ids[0], stranger, ids[1]], "status": "done"});
        let (status, _, problem) = json_response(app.post_json("/api/v1/work-items/bulk", &bulk).await).await;
        assert_eq!(status, 422);
        assert_eq!(
            problem["errors"],
            json!([{"field": "ids[1]", "code": "not_found", "message": format!("work item {stranger} does not exist")}])
        );
        let (_, _, a) = json_response(app.get(&format!("/api/v1/work-items/{}", ids[0])).await).await;
        assert_eq!((a["status"].as_str(), a["version"].as_i64()), (Some("backlog"), Some(3)));

        let bulk = json!({"ids": [ids[1], ids[1]]});
        let (status, _, problem) = json_response(app.post_json("/api/v1/work-items/bulk", &bulk).await).await;
        assert_eq!(status, 422);
        assert_eq!(
            problem["errors"],
            json!([
                {"field": "ids[1]", "code": "duplicate", "message": format!("work item {} is listed twice", ids[1])},
                {"field": "status", "code": "required", "message": "give a status, a rank move, or both"},
            ])
        );
        let bulk = json!({"ids": [ids[0]], "rank": "sideways"});
        let (status, _, problem) = json_response(app.post_json("/api/v1/work-items/bulk", &bulk).await).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("rank")));

        // A and B (given B first) to the top, ready: they keep their order (B before A).
        let bulk = json!({"ids": [ids[1], ids[0]], "status": "ready", "rank": "top"});
        let (status, _, edited) = json_response(app.post_json("/api/v1/work-items/bulk", &bulk).await).await;
        assert_eq!(status, 200, "{edited}");
        let summary: Vec<(&str, &str, i64)> = edited["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["title"].as_str().unwrap(), i["status"].as_str().unwrap(), i["rank"].as_i64().unwrap()))
            .collect();
        assert_eq!(summary, [("B", "ready", 1024 - 2048), ("A", "ready", 1024 - 1024)]);
        let (_, _, backlog) = json_response(app.get(&format!("/api/v1/products/{product}/backlog")).await).await;
        let order: Vec<String> = titles_and_ranks(&backlog["items"]).into_iter().map(|(t, _)| t).collect();
        assert_eq!(order, ["B", "A", "C", "D"]);
        let (_, _, ready) =
            json_response(app.get(&format!("/api/v1/products/{product}/backlog?status=ready&q=a")).await).await;
        assert_eq!(titles_and_ranks(&ready["items"]), owned(&[("A", 0)]));

        let (_, _, history) = json_response(app.get(&format!("/api/v1/work-items/{}/history", ids[1])).await).await;
        let first = &history["items"][0];
        assert_eq!(
            first["changes"],
            json!([
                {"field": "status", "before": "backlog", "after": "ready"},
                {"field": "rank", "before": "3072", "after": "-1024"},
            ])
        );
    }
}

#[tokio::test]
async fn foreign_items_are_unknown_and_viewers_may_not_reorder() {
    for app in TestApp::spawn_all().await {
        let (mine, my_items) = product_with(&app, "Mine", &["M1", "M2"]).await;
        let (_, their_items) = product_with(&app, "Theirs", &["T1"]).await;
        let (editor, editor_client) = app.user("editor", false).await;
        let (viewer, viewer_client) = app.user("viewer", false).await;
        app.grant(&editor, GrantScope::Product(mine.parse().unwrap()), Role::Editor).await;
        app.grant(&viewer, GrantScope::Product(mine.parse().unwrap()), Role::Viewer).await;

        let bulk = json!({"ids": [my_items[0], their_items[0]], "status": "done"});
        let response = editor_client.post(app.url("/api/v1/work-items/bulk")).json(&bulk).send().await.unwrap();
        let (status, _, problem) = json_response(response).await;
        assert_eq!(status, 422);
        assert_eq!(
            problem["errors"],
            json!([{"field": "ids[1]", "code": "not_found", "message": format!("work item {} does not exist", their_items[0])}])
        );
        let bulk = json!({"ids": [my_items[0]], "status": "done"});
        let response = viewer_client.post(app.url("/api/v1/work-items/bulk")).json(&bulk).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 403);
        let moving = json!({"item_id": my_items[1], "to": "top"});
        let url = app.url(&format!("/api/v1/products/{mine}/backlog/move"));
        assert_eq!(viewer_client.post(&url).json(&moving).send().await.unwrap().status().as_u16(), 403);
        let response = editor_client.post(&url).json(&moving).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let moving = json!({"item_id": their_items[0], "to": "top"});
        let (status, _, problem) = json_response(editor_client.post(&url).json(&moving).send().await.unwrap()).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("item_id")));
        let response =
            viewer_client.get(app.url(&format!("/api/v1/work-items/{}/prioritization", their_items[0]))).send().await;
        assert_eq!(response.unwrap().status().as_u16(), 404);
    }
}

#[tokio::test]
async fn a_user_story_is_stored_with_its_criteria_and_cleared() {
    for app in TestApp::spawn_all().await {
        let (_, ids) = product_with(&app, "Shop", &["Save cart"]).await;
        let path = format!("/api/v1/work-items/{}/story", ids[0]);
        let (status, _, empty) = json_response(app.get(&path).await).await;
        assert_eq!((status, empty["story"].is_null(), empty["version"].as_i64()), (200, true, Some(1)));
        let body = json!({"version": 1, "as_a": "returning shopper", "i_want": "to save my cart",
            "so_that": "I can finish later", "acceptance_criteria": ["Kept 30 days", " ", "Works signed out"]});
        let (status, _, stored) = json_response(app.put_json(&path, &body).await).await;
        assert_eq!(status, 200, "{stored}");
        assert_eq!(
            stored,
            json!({"work_item_id": ids[0], "version": 2, "story": {"as_a": "returning shopper",
                "i_want": "to save my cart", "so_that": "I can finish later",
                "acceptance_criteria": ["Kept 30 days", "Works signed out"],
                "sentence": "As a returning shopper, I want to save my cart, so that I can finish later."}})
        );
        let (_, _, read) = json_response(app.get(&path).await).await;
        assert_eq!(read, stored);
        let (status, _, stale) = json_response(app.put_json(&path, &body).await).await;
        assert_eq!((status, stale["current_version"].as_i64()), (409, Some(2)));
        let bad =
            json!({"version": 2, "as_a": "", "i_want": "x", "so_that": "y", "acceptance_criteria": ["z".repeat(201)]});
        let (status, _, problem) = json_response(app.put_json(&path, &bad).await).await;
        assert_eq!(status, 422);
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["as_a", "acceptance_criteria[0]"]);
        let (status, _, cleared) = json_response(app.put_json(&path, &json!({"version": 2})).await).await;
        assert_eq!((status, cleared["story"].is_null(), cleared["version"].as_i64()), (200, true, Some(3)));
    }
}

/// Inputs chosen so the frameworks disagree: (title, RICE, WSJF, MoSCoW).
fn scored() -> Vec<(&'static str, Value)> {
    vec![
        (
            "A",
            json!({"rice": {"reach": 1000, "impact": 1, "confidence": 100, "effort": 2},
            "wsjf": {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5}, "moscow": "must",
            "impact_effort": {"impact": 8, "effort": 3}}),
        ),
        (
            "B",
            json!({"rice": {"reach": 2000, "impact": 2, "confidence": 80, "effort": 4},
            "wsjf": {"business_value": 3, "time_criticality": 2, "risk_reduction": 1, "job_size": 8}, "moscow": "should",
            "cd3": {"cost_of_delay_per_week": 10000, "duration_weeks": 4}}),
        ),
        (
            "C",
            json!({"rice": {"reach": 500, "impact": 0.5, "confidence": 50, "effort": 1},
            "wsjf": {"business_value": 13, "time_criticality": 13, "risk_reduction": 8, "job_size": 2}, "moscow": "could"}),
        ),
        (
            "D",
            json!({"rice": {"reach": 5000, "impact": 3, "confidence": 100, "effort": 1},
            "wsjf": {"business_value": 1, "time_criticality": 1, "risk_reduction": 1, "job_size": 20}, "moscow": "wont"}),
        ),
    ]
}

#[tokio::test]
async fn prioritization_is_stored_scored_explained_and_ranked() {
    for app in TestApp::spawn_all().await {
        let (product, ids) = product_with(&app, "Shop", &["A", "B", "C", "D", "E"]).await;
        for (i, (_, body)) in scored().into_iter().enumerate() {
            let mut body = body;
            body["version"] = json!(1);
            let path = format!("/api/v1/work-items/{}/prioritization", ids[i]);
            let (status, _, stored) = json_response(app.put_json(&path, &body).await).await;
            assert_eq!(status, 200, "{stored}");
        }
        let (_, _, a) = json_response(app.get(&format!("/api/v1/work-items/{}/prioritization", ids[0])).await).await;
        assert_eq!(a["version"].as_i64(), Some(2));
        assert_eq!(a["rice"]["score"].as_f64(), Some(500.0));
        assert_eq!(a["rice"]["formula"], "RICE = 1000 × 1 × 100 % / 2 = 500");
        assert_eq!(a["wsjf"]["cost_of_delay"].as_u64(), Some(16));
        assert_eq!(a["wsjf"]["formula"], "WSJF = (8 + 5 + 3) / 5 = 16 / 5 = 3.2");
        assert_eq!(a["moscow"]["formula"], "MoSCoW = Must have");
        assert_eq!(a["impact_effort"]["quadrant"], "quick_win");
        assert_eq!(a["cd3"], Value::Null);
        let (_, _, b) = json_response(app.get(&format!("/api/v1/work-items/{}/prioritization", ids[1])).await).await;
        assert_eq!((b["rice"]["score"].as_f64(), b["cd3"]["score"].as_f64()), (Some(800.0), Some(2500.0)));
        assert_eq!(b["cd3"]["formula"], "CD3 = 10000 per week / 4 weeks = 2500");

        // Bad inputs: each named under its framework.
        let bad = json!({"version": 2, "rice": {"reach": 10, "impact": 1.5, "confidence": 120, "effort": 0},
            "wsjf": {"business_value": 4, "time_criticality": 1, "risk_reduction": 1, "job_size": 1},
            "cd3": {"cost_of_delay_per_week": 100, "duration_weeks": -1}, "moscow": "maybe",
            "impact_effort": {"impact": 0, "effort": 11}});
        let (status, _, problem) =
            json_response(app.put_json(&format!("/api/v1/work-items/{}/prioritization", ids[0]), &bad).await).await;
        assert_eq!(status, 422);
        assert_eq!(
            problem["errors"],
            json!([
                {"field": "rice.impact", "code": "not_on_scale", "message": "must be one of 0.25, 0.5, 1, 2, 3"},
                {"field": "rice.confidence", "code": "out_of_range", "message": "must be a percentage from 0 to 100"},
                // Was "greater than 0 and at most 1000" (and 520 weeks below): an effort and a
                // duration now have a least value, 0.001, so that no score can be infinite.
                {"field": "rice.effort", "code": "out_of_range",
                    "message": "must be a number of person-months from 0.001 to 1000"},
                {"field": "wsjf.business_value", "code": "not_on_scale", "message": "must be one of 1, 2, 3, 5, 8, 13, 20"},
                {"field": "cd3.duration_weeks", "code": "out_of_range",
                    "message": "must be a number of weeks from 0.001 to 520"},
                {"field": "impact_effort.impact", "code": "out_of_range", "message": "must be a whole number from 1 to 10"},
                {"field": "impact_effort.effort", "code": "out_of_range", "message": "must be a whole number from 1 to 10"},
                {"field": "moscow", "code": "invalid", "message": "must be one of must, should, could, wont"},
            ])
        );

        let ranking = |framework: &'static str| {
            let app = &app;
            let product = product.clone();
            async move {
                let path = format!("/api/v1/products/{product}/prioritization?framework={framework}");
                let (status, _, body) = json_response(app.get(&path).await).await;
                assert_eq!(status, 200, "{body}");
                body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| (i["title"].as_str().unwrap().to_owned(), i["position"].as_u64(), i["score"].as_f64()))
                    .collect::<Vec<_>>()
            }
        };
        let t = |s: &str| s.to_owned();
        assert_eq!(
            ranking("rice").await,
            vec![
                (t("D"), Some(1), Some(15000.0)),
                (t("B"), Some(2), Some(800.0)),
                (t("A"), Some(3), Some(500.0)),
                (t("C"), Some(4), Some(125.0)),
                (t("E"), None, None),
            ]
        );
        assert_eq!(
            ranking("wsjf").await,
            vec![
                (t("C"), Some(1), Some(17.0)),
                (t("A"), Some(2), Some(3.2)),
                (t("B"), Some(3), Some(0.75)),
                (t("D"), Some(4), Some(0.15)),
                (t("E"), None, None),
            ]
        );
        assert_eq!(ranking("cd3").await[0], (t("B"), Some(1), Some(2500.0)));
        assert_eq!(ranking("impact-effort").await[0], (t("A"), Some(1), Some(8.0 / 3.0)));
        let (status, _, problem) =
            json_response(app.get(&format!("/api/v1/products/{product}/prioritization?framework=kano")).await).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("framework")));

        let (status, _, compared) =
            json_response(app.get(&format!("/api/v1/products/{product}/prioritization/compare")).await).await;
        assert_eq!(status, 200);
        assert_eq!(compared["frameworks"], json!(["rice", "wsjf", "cd3", "moscow", "impact_effort"]));
        assert_eq!(compared["disagreement_threshold"], 2);
        let rows: Vec<(String, Value, u64, bool)> = compared["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["title"].as_str().unwrap().to_owned(),
                    i["ranks"].clone(),
                    i["spread"].as_u64().unwrap(),
                    i["disagreement"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (t("A"), json!({"rice": 3, "wsjf": 2, "moscow": 1, "impact_effort": 1}), 2, false),
                (t("B"), json!({"rice": 2, "wsjf": 3, "cd3": 1, "moscow": 2}), 2, false),
                (t("C"), json!({"rice": 4, "wsjf": 1, "moscow": 3}), 3, true),
                (t("D"), json!({"rice": 1, "wsjf": 4, "moscow": 4}), 3, true),
                (t("E"), json!({}), 0, false),
            ]
        );

        // Removing every framework: PUT with only the version.
        let path = format!("/api/v1/work-items/{}/prioritization", ids[3]);
        let (status, _, cleared) = json_response(app.put_json(&path, &json!({"version": 2})).await).await;
        assert_eq!((status, cleared["rice"].is_null(), cleared["version"].as_i64()), (200, true, Some(3)));
    }
}
