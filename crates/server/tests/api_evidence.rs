//! Feedback and research over the JSON API, on every backend: segments and insights CRUD, the
//! demand score with exact numbers, the inbox, links to another product's items (422 naming the
//! field), the CSV import (all or nothing, errors on `rows[N].column`), and what non-members see.

use serde_json::{Value, json};
use tandem_domain::{GrantScope, ProductId, Role};
use tandem_test_support::app::{TestApp, json_response};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

/// A product with two features; returns (product, [feature ids]).
async fn product_with_features(app: &TestApp, name: &str) -> (String, Vec<String>) {
    let product = app.create("/api/v1/products", &json!({"name": name})).await;
    let mut features = Vec::new();
    for title in ["Card controls", "Transfers"] {
        let item = app
            .create(
                "/api/v1/work-items",
                &json!({"kind": "feature", "product_id": id_of(&product), "title": title,
                    "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}}),
            )
            .await;
        features.push(id_of(&item));
    }
    (id_of(&product), features)
}

fn insight(product: &str, customer: &str, importance: &str, segment: Option<&str>, features: &[&str]) -> Value {
    json!({"product_id": product, "source": "interview", "customer": customer, "segment_id": segment,
        "date": "2026-03-02", "quote": "We need it", "importance": importance, "feature_ids": features})
}

#[tokio::test]
async fn insights_give_features_their_demand_score_and_unlinked_ones_wait_in_the_inbox() {
    for app in TestApp::spawn_all().await {
        let (product, features) = product_with_features(&app, "App").await;
        let (cards, transfers) = (features[0].as_str(), features[1].as_str());
        let enterprise =
            app.create("/api/v1/segments", &json!({"product_id": product, "name": "Enterprise", "weight": 2})).await;
        let smb = app.create("/api/v1/segments", &json!({"product_id": product, "name": "SMB", "weight": 0.5})).await;
        assert_eq!((enterprise["weight"].as_f64(), smb["description"].as_str()), (Some(2.0), Some("")));
        let (enterprise, smb) = (id_of(&enterprise), id_of(&smb));

        // Ann: critical in Enterprise (3 x 2 = 6) beats her important one; Bob important, no
        // segment (2 x 1); Cy nice to have in SMB (1 x 0.5) on cards, critical on transfers.
        let ann =
            app.create("/api/v1/insights", &insight(&product, "Ann", "critical", Some(&enterprise), &[cards])).await;
        assert_eq!(ann["feature_ids"], json!([cards]));
        assert_eq!((ann["source"].as_str(), ann["date"].as_str()), (Some("interview"), Some("2026-03-02")));
        app.create("/api/v1/insights", &insight(&product, "ann", "important", None, &[cards, transfers])).await;
        app.create("/api/v1/insights", &insight(&product, "Bob", "important", None, &[cards])).await;
        app.create("/api/v1/insights", &insight(&product, "Cy", "nice_to_have", Some(&smb), &[cards])).await;
        app.create("/api/v1/insights", &insight(&product, "Cy", "critical", Some(&smb), &[transfers])).await;
        let inbox = app.create("/api/v1/insights", &insight(&product, "Dee", "critical", None, &[])).await;

        let (status, _, evidence) = json_response(app.get(&format!("/api/v1/work-items/{cards}/evidence")).await).await;
        assert_eq!(status, 200);
        assert_eq!((evidence["customers"].as_u64(), evidence["demand_score"].as_f64()), (Some(3), Some(8.5)));
        assert_eq!(evidence["insights"].as_array().unwrap().len(), 4);
        let (_, _, evidence) = json_response(app.get(&format!("/api/v1/work-items/{transfers}/evidence")).await).await;
        // ann important (2 x 1) and Cy critical in SMB (3 x 0.5).
        assert_eq!((evidence["customers"].as_u64(), evidence["demand_score"].as_f64()), (Some(2), Some(3.5)));

        let (status, _, listed) =
            json_response(app.get(&format!("/api/v1/insights?product_id={product}&unlinked=true")).await).await;
        assert_eq!((status, listed["items"].as_array().unwrap().len()), (200, 1));
        assert_eq!(listed["items"][0]["id"], inbox["id"]);
        let (_, _, listed) =
            json_response(app.get(&format!("/api/v1/insights?product_id={product}&feature_id={transfers}")).await)
                .await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 2);
        let (_, _, segments) = json_response(app.get(&format!("/api/v1/segments?product_id={product}")).await).await;
        let names: Vec<&str> =
            segments["items"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Enterprise", "SMB"]);

        // Linking the inbox insight moves it out of the inbox and raises the demand.
        let mut linked = insight(&product, "Dee", "critical", None, &[cards]);
        linked["version"] = json!(1);
        let (status, _, updated) =
            json_response(app.put_json(&format!("/api/v1/insights/{}", id_of(&inbox)), &linked).await).await;
        assert_eq!((status, updated["version"].as_i64()), (200, Some(2)));
        let (_, _, evidence) = json_response(app.get(&format!("/api/v1/work-items/{cards}/evidence")).await).await;
        assert_eq!((evidence["customers"].as_u64(), evidence["demand_score"].as_f64()), (Some(4), Some(11.5)));

        // A segment or feature in use is not deleted.
        let (status, _, refused) = json_response(app.delete(&format!("/api/v1/segments/{smb}")).await).await;
        assert_eq!((status, refused["detail"].as_str()), (409, Some("2 insights name it")));
        let (status, _, refused) = json_response(app.delete(&format!("/api/v1/work-items/{cards}")).await).await;
        assert_eq!((status, refused["detail"].as_str()), (409, Some("5 insights support it")));
    }
}

#[tokio::test]
async fn links_outside_the_product_and_bad_fields_are_422_naming_the_field() {
    for app in TestApp::spawn_all().await {
        let (product, features) = product_with_features(&app, "App").await;
        let (_, foreign) = product_with_features(&app, "Portal").await;
        let missing = uuid::Uuid::now_v7().to_string();
        let body = insight(&product, "Ann", "critical", None, &[&features[0], &foreign[0], &missing]);
        let (status, _, problem) = json_response(app.post_json("/api/v1/insights", &body).await).await;
        assert_eq!(status, 422);
        assert_eq!(
            problem["errors"],
            json!([
                {"field": "feature_ids[1]", "code": "other_product",
                    "message": format!("work item {} is not in product {product}", foreign[0])},
                {"field": "feature_ids[2]", "code": "not_found", "message": format!("work item {missing} does not exist")},
            ])
        );
        let mut body = insight(&product, " ", "critical", None, &[&features[0], &features[0]]);
        body["quote"] = json!("");
        let (status, _, problem) = json_response(app.post_json("/api/v1/insights", &body).await).await;
        assert_eq!(status, 422);
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["customer", "quote", "feature_ids[1]"]);
        let body = json!({"product_id": product, "name": "Heavy", "weight": 11});
        let (status, _, problem) = json_response(app.post_json("/api/v1/segments", &body).await).await;
        assert_eq!(
            (status, &problem["errors"]),
            (
                422,
                &json!([{"field": "weight", "code": "out_of_range", "message": "must be greater than 0 and at most 10"}])
            )
        );
        let (status, _, problem) = json_response(app.get("/api/v1/insights").await).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("product_id")));
    }
}

fn post_csv(app: &TestApp, product: &str, text: &str) -> reqwest::RequestBuilder {
    app.client
        .post(app.url(&format!("/api/v1/products/{product}/insights/import")))
        .header("content-type", "text/csv")
        .body(text.to_owned())
}

#[tokio::test]
async fn csv_import_stores_every_row_or_none_with_row_and_column_errors() {
    for app in TestApp::spawn_all().await {
        let (product, features) = product_with_features(&app, "App").await;
        app.create("/api/v1/segments", &json!({"product_id": product, "name": "Enterprise", "weight": 2})).await;
        let bad = format!(
            "date,source,customer,quote,importance,segment,features\n\
             2026-02-01,interview,Acme,\"Exports, please\",critical,Enterprise,{}\n\
             2026-02-30,podcast,Bolt,Slow,urgent,Nobody,\n",
            features[0]
        );
        let (status, _, problem) = json_response(post_csv(&app, &product, &bad).send().await.unwrap()).await;
        assert_eq!(status, 422);
        let fields: Vec<(&str, &str)> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            fields,
            [
                ("rows[2].date", "invalid_date"),
                ("rows[2].source", "invalid"),
                ("rows[2].importance", "invalid"),
                ("rows[2].segment", "not_found"),
            ]
        );
        let (_, _, listed) = json_response(app.get(&format!("/api/v1/insights?product_id={product}")).await).await;
        assert_eq!(listed["items"], json!([]), "nothing stored");

        let good = format!(
            "date,source,customer,quote,importance,segment,features\n\
             2026-02-01,interview,Acme,\"Exports, please\",critical,enterprise,{};{}\n\
             2026-02-03,support_ticket,Bolt,Slow search,1,,\n\
             2026-02-04,sales_call,Acme,Again,2,,{}\n",
            features[0], features[1], features[0]
        );
        let (status, _, imported) = json_response(post_csv(&app, &product, &good).send().await.unwrap()).await;
        assert_eq!((status, imported["imported"].as_u64()), (201, Some(3)));
        assert_eq!(imported["insights"][0]["feature_ids"], json!([features[0], features[1]]));
        // Acme counts once, at critical in Enterprise: 3 x 2.
        let (_, _, evidence) =
            json_response(app.get(&format!("/api/v1/work-items/{}/evidence", features[0])).await).await;
        assert_eq!((evidence["customers"].as_u64(), evidence["demand_score"].as_f64()), (Some(1), Some(6.0)));

        // The JSON form of the same request, and a foreign feature in a row.
        let (_, foreign) = product_with_features(&app, "Portal").await;
        let text =
            format!("date,source,customer,quote,importance,features\n2026-03-01,survey,Cy,Q,critical,{}\n", foreign[0]);
        let response =
            app.post_json(&format!("/api/v1/products/{product}/insights/import"), &json!({"csv": text})).await;
        let (status, _, problem) = json_response(response).await;
        assert_eq!(
            (status, &problem["errors"]),
            (
                422,
                &json!([{"field": "rows[1].features", "code": "other_product",
                    "message": format!("work item {} is not in product {product}", foreign[0])}])
            )
        );
        let response = app
            .client
            .post(app.url(&format!("/api/v1/products/{product}/insights/import")))
            .header("content-type", "text/plain")
            .body("date")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 415);
    }
}

#[tokio::test]
async fn another_products_evidence_does_not_exist_for_a_non_member() {
    let app = TestApp::spawn().await;
    let (product, features) = product_with_features(&app, "App").await;
    let created = app.create("/api/v1/insights", &insight(&product, "Ann", "critical", None, &[&features[0]])).await;
    let (outsider, client) = app.user("outsider", false).await;
    let status = |path: String| {
        let client = client.clone();
        let url = app.url(&path);
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(format!("/api/v1/insights/{}", id_of(&created))).await, 404);
    assert_eq!(status(format!("/api/v1/insights?product_id={product}")).await, 404);
    assert_eq!(status(format!("/api/v1/work-items/{}/evidence", features[0])).await, 404);
    let product_id: ProductId = product.parse().unwrap();
    app.grant(&outsider, GrantScope::Product(product_id), Role::Viewer).await;
    assert_eq!(status(format!("/api/v1/insights/{}", id_of(&created))).await, 200);
    let response = client
        .post(app.url(&format!("/api/v1/products/{product}/insights/import")))
        .header("content-type", "text/csv")
        .body("date,source,customer,quote,importance\n2026-01-01,survey,A,Q,1\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403, "viewers read, they do not import");
}

#[tokio::test]
async fn features_of_a_product_the_editor_cannot_read_do_not_exist_for_them() {
    let app = TestApp::spawn().await;
    let (product, features) = product_with_features(&app, "App").await;
    let (portal, foreign) = product_with_features(&app, "Portal").await;
    let (editor, client) = app.user("editor", false).await;
    app.grant(&editor, GrantScope::Product(product.parse().unwrap()), Role::Editor).await;
    let missing = uuid::Uuid::now_v7().to_string();
    let not_found = |field: &str, id: &str| json!({"field": field, "code": "not_found", "message": format!("work item {id} does not exist")});

    // A hidden item is answered word for word as a missing one.
    let body = insight(&product, "Ann", "critical", None, &[&features[0], &foreign[0], &missing]);
    let post = |body: Value| client.post(app.url("/api/v1/insights")).json(&body).send();
    let (status, _, problem) = json_response(post(body.clone()).await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"], json!([not_found("feature_ids[1]", &foreign[0])]));
    let text = format!(
        "date,source,customer,quote,importance,features\n2026-02-01,interview,Acme,Q,critical,{}\n",
        foreign[0]
    );
    let response = client
        .post(app.url(&format!("/api/v1/products/{product}/insights/import")))
        .header("content-type", "text/csv")
        .body(text)
        .send()
        .await
        .unwrap();
    let (status, _, problem) = json_response(response).await;
    assert_eq!((status, &problem["errors"]), (422, &json!([not_found("rows[1].features", &foreign[0])])));
    let (_, _, listed) = json_response(app.get(&format!("/api/v1/insights?product_id={product}")).await).await;
    assert_eq!(listed["items"], json!([]), "nothing stored");

    // Once the item is readable, the answer says where it lives.
    app.grant(&editor, GrantScope::Product(portal.parse().unwrap()), Role::Viewer).await;
    let (status, _, problem) = json_response(post(body).await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(
        problem["errors"],
        json!([
            {"field": "feature_ids[1]", "code": "other_product",
                "message": format!("work item {} is not in product {product}", foreign[0])},
            not_found("feature_ids[2]", &missing),
        ])
    );
}
