//! Product metrics over the JSON API, on every backend: one point or a batch, the same key
//! replacing the value (audited), filters, the CSV import (all or nothing, errors on
//! `rows[N].column`), range errors naming the field, delete, and what non-members see.

use serde_json::{Value, json};
use tandem_domain::{GrantScope, ProductId, Role};
use tandem_test_support::app::{TestApp, json_response};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

async fn product_with_feature(app: &TestApp, name: &str) -> (String, String) {
    let product = app.create("/api/v1/products", &json!({"name": name})).await;
    let item = app
        .create(
            "/api/v1/work-items",
            &json!({"kind": "feature", "product_id": id_of(&product), "title": "Export",
                "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}}),
        )
        .await;
    (id_of(&product), id_of(&item))
}

fn fields_and_codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(f, c)| ((*f).to_owned(), (*c).to_owned())).collect()
}

#[tokio::test]
async fn points_and_batches_are_recorded_replaced_filtered_and_deleted() {
    for app in TestApp::spawn_all().await {
        let (product, feature) = product_with_feature(&app, "App").await;
        let path = format!("/api/v1/products/{product}/metrics");
        let (status, _, one) =
            json_response(app.post_json(&path, &json!({"date": "2026-01-31", "kind": "revenue", "value": 1000})).await)
                .await;
        assert_eq!((status, one["recorded"].as_u64()), (201, Some(1)));
        let first = one["points"][0].clone();
        assert_eq!((first["feature_id"].clone(), first["version"].as_i64()), (Value::Null, Some(1)));
        let (status, _, again) = json_response(
            app.post_json(&path, &json!({"date": "2026-01-31", "kind": "revenue", "value": 1250.5})).await,
        )
        .await;
        assert_eq!(status, 201);
        assert_eq!(
            (
                again["points"][0]["id"].clone(),
                again["points"][0]["version"].as_i64(),
                again["points"][0]["value"].as_f64()
            ),
            (first["id"].clone(), Some(2), Some(1250.5))
        );
        let batch = json!({"points": [
            {"date": "2026-02-28", "kind": "revenue", "value": 1400},
            {"date": "2026-01-31", "kind": "adoption", "value": 4, "feature_id": feature},
            {"date": "2026-02-28", "kind": "adoption", "value": 12.5, "feature_id": feature},
            {"date": "2026-02-28", "kind": "satisfaction", "value": -12},
        ]});
        let (status, _, recorded) = json_response(app.post_json(&path, &batch).await).await;
        assert_eq!((status, recorded["recorded"].as_u64()), (201, Some(4)));

        let (status, _, listed) = json_response(app.get(&path).await).await;
        assert_eq!((status, listed["items"].as_array().unwrap().len()), (200, 5));
        let kinds: Vec<&str> =
            listed["items"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["adoption", "adoption", "revenue", "revenue", "satisfaction"]);
        let (_, _, adoption) =
            json_response(app.get(&format!("{path}?kind=adoption&feature_id={feature}")).await).await;
        let values: Vec<f64> =
            adoption["items"].as_array().unwrap().iter().map(|p| p["value"].as_f64().unwrap()).collect();
        assert_eq!(values, [4.0, 12.5]);
        let (_, _, own) =
            json_response(app.get(&format!("{path}?feature_id=none&from=2026-02-01&to=2026-02-28")).await).await;
        assert_eq!(own["items"].as_array().unwrap().len(), 2);
        let (status, _, problem) = json_response(app.get(&format!("{path}?kind=churn&from=2026-13-01")).await).await;
        assert_eq!(
            (status, fields_and_codes(&problem)),
            (422, pairs(&[("kind", "invalid"), ("from", "invalid_date")]))
        );

        let point = format!("/api/v1/metric-points/{}", id_of(&first));
        let (status, _, read) = json_response(app.get(&point).await).await;
        assert_eq!((status, read["value"].as_f64()), (200, Some(1250.5)));
        let (status, _, history) =
            json_response(app.get(&format!("/api/v1/audit?entity=metric_point&record_id={}", id_of(&first))).await)
                .await;
        assert_eq!(status, 200);
        let actions: Vec<&str> =
            history["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["updated", "created"]);
        assert_eq!(app.delete(&format!("{point}?version=1")).await.status().as_u16(), 409);
        assert_eq!(app.delete(&format!("{point}?version=2")).await.status().as_u16(), 204);
        assert_eq!(app.get(&point).await.status().as_u16(), 404);
        let (_, _, listed) = json_response(app.get(&path).await).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 4);
    }
}

#[tokio::test]
async fn out_of_range_values_and_foreign_features_are_422_naming_the_field() {
    for app in TestApp::spawn_all().await {
        let (product, feature) = product_with_feature(&app, "App").await;
        let (_, foreign) = product_with_feature(&app, "Portal").await;
        let path = format!("/api/v1/products/{product}/metrics");
        let (status, _, problem) = json_response(
            app.post_json(&path, &json!({"date": "2026-01-31", "kind": "satisfaction", "value": 101})).await,
        )
        .await;
        assert_eq!(
            (status, &problem["errors"]),
            (
                422,
                &json!([{"field": "value", "code": "out_of_range", "message": "satisfaction must be from -100 to 100"}])
            )
        );
        let (status, _, problem) = json_response(app.post_json(&path, &json!({"kind": "nps", "value": 1})).await).await;
        assert_eq!((status, fields_and_codes(&problem)), (422, pairs(&[("kind", "invalid")])));
        let (status, _, problem) = json_response(app.post_json(&path, &json!({"value": 1})).await).await;
        assert_eq!((status, fields_and_codes(&problem)), (422, pairs(&[("date", "required"), ("kind", "required")])));
        let batch = json!({"points": [
            {"date": "2026-01-31", "kind": "adoption", "value": 10, "feature_id": feature},
            {"date": "2026-01-31", "kind": "retention", "value": -5},
            {"date": "2026-01-31", "kind": "revenue", "value": 5, "feature_id": foreign},
        ]});
        let (status, _, problem) = json_response(app.post_json(&path, &batch).await).await;
        assert_eq!((status, fields_and_codes(&problem)), (422, pairs(&[("points[1].value", "out_of_range")])));
        let mut batch = batch;
        batch["points"][1]["value"] = json!(95);
        let (status, _, problem) = json_response(app.post_json(&path, &batch).await).await;
        assert_eq!(
            (status, &problem["errors"]),
            (
                422,
                &json!([{"field": "points[2].feature_id", "code": "other_product",
                    "message": format!("work item {foreign} is not in product {product}")}])
            )
        );
        let (_, _, listed) = json_response(app.get(&path).await).await;
        assert_eq!(listed["items"], json!([]), "nothing stored");
        let (status, _, problem) =
            json_response(app.post_json(&path, &json!({"points": [], "date": "2026-01-31"})).await).await;
        assert_eq!((status, fields_and_codes(&problem)), (422, pairs(&[("points", "invalid")])));
        // A feature with metrics cannot be deleted, nor its product.
        app.create(&path, &json!({"date": "2026-01-31", "kind": "adoption", "value": 3, "feature_id": feature})).await;
        assert_eq!(app.delete(&format!("/api/v1/work-items/{feature}")).await.status().as_u16(), 409);
    }
}

fn post_csv(app: &TestApp, product: &str, text: &str) -> reqwest::RequestBuilder {
    app.client
        .post(app.url(&format!("/api/v1/products/{product}/metrics/import")))
        .header("content-type", "text/csv")
        .body(text.to_owned())
}

#[tokio::test]
async fn csv_import_records_every_row_or_none_with_row_and_column_errors() {
    for app in TestApp::spawn_all().await {
        let (product, feature) = product_with_feature(&app, "App").await;
        let (_, foreign) = product_with_feature(&app, "Portal").await;
        let bad = "date,kind,value,feature_id\n\
                   2026-01-31,adoption,10,\n\
                   2026-02-30,churn,abc,\n\
                   2026-03-31,retention,120,\n";
        let (status, _, problem) = json_response(post_csv(&app, &product, bad).send().await.unwrap()).await;
        assert_eq!(status, 422);
        assert_eq!(
            fields_and_codes(&problem),
            pairs(&[
                ("rows[2].date", "invalid_date"),
                ("rows[2].kind", "invalid"),
                ("rows[2].value", "invalid"),
                ("rows[3].value", "out_of_range"),
            ])
        );
        let path = format!("/api/v1/products/{product}/metrics");
        let (_, _, listed) = json_response(app.get(&path).await).await;
        assert_eq!(listed["items"], json!([]), "nothing stored");

        let good = format!(
            "kind,date,value,feature_id\n\
             adoption,2026-01-31,10,\n\
             adoption,2026-02-28,14.5,\n\
             adoption,2026-02-28,3,{feature}\n\
             revenue,2026-02-28,2000,\n"
        );
        let (status, _, imported) = json_response(post_csv(&app, &product, &good).send().await.unwrap()).await;
        assert_eq!((status, imported["recorded"].as_u64()), (201, Some(4)));
        let (_, _, listed) = json_response(app.get(&path).await).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 4);

        // The JSON form, a foreign feature, and a row replacing a stored value.
        let text = format!("date,kind,value,feature_id\n2026-02-28,adoption,15,\n2026-03-31,adoption,1,{foreign}\n");
        let url = format!("/api/v1/products/{product}/metrics/import");
        let (status, _, problem) = json_response(app.post_json(&url, &json!({"csv": text})).await).await;
        assert_eq!(
            (status, &problem["errors"]),
            (
                422,
                &json!([{"field": "rows[2].feature_id", "code": "other_product",
                    "message": format!("work item {foreign} is not in product {product}")}])
            )
        );
        let text = "date,kind,value\n2026-02-28,adoption,15\n";
        let (status, _, imported) = json_response(app.post_json(&url, &json!({"csv": text})).await).await;
        assert_eq!((status, imported["points"][0]["version"].as_i64()), (201, Some(2)));
        let (_, _, listed) = json_response(app.get(&format!("{path}?feature_id=none&kind=adoption")).await).await;
        let values: Vec<f64> =
            listed["items"].as_array().unwrap().iter().map(|p| p["value"].as_f64().unwrap()).collect();
        assert_eq!(values, [10.0, 15.0]);
        let (status, _, problem) = json_response(post_csv(&app, &product, "date,value\n").send().await.unwrap()).await;
        assert_eq!((status, fields_and_codes(&problem)), (422, pairs(&[("header", "required")])));
        let response =
            app.client.post(app.url(&url)).header("content-type", "text/plain").body("date").send().await.unwrap();
        assert_eq!(response.status().as_u16(), 415);
    }
}

#[tokio::test]
async fn another_products_metrics_do_not_exist_for_a_non_member() {
    let app = TestApp::spawn().await;
    let (product, _) = product_with_feature(&app, "App").await;
    let path = format!("/api/v1/products/{product}/metrics");
    let recorded = app.create(&path, &json!({"date": "2026-01-31", "kind": "retention", "value": 91})).await;
    let point = format!("/api/v1/metric-points/{}", id_of(&recorded["points"][0]));
    let (outsider, client) = app.user("outsider", false).await;
    let status = |path: String| {
        let client = client.clone();
        let url = app.url(&path);
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(path.clone()).await, 404);
    assert_eq!(status(point.clone()).await, 404);
    let product_id: ProductId = product.parse().unwrap();
    app.grant(&outsider, GrantScope::Product(product_id), Role::Viewer).await;
    assert_eq!(status(point.clone()).await, 200);
    let response = client
        .post(app.url(&path))
        .json(&json!({"date": "2026-02-28", "kind": "retention", "value": 90}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403, "viewers read, they do not record");
}

#[tokio::test]
async fn a_feature_of_a_product_the_editor_cannot_read_does_not_exist_for_them() {
    let app = TestApp::spawn().await;
    let (product, _) = product_with_feature(&app, "App").await;
    let (_, foreign) = product_with_feature(&app, "Portal").await;
    let (editor, client) = app.user("editor", false).await;
    app.grant(&editor, GrantScope::Product(product.parse().unwrap()), Role::Editor).await;
    let path = format!("/api/v1/products/{product}/metrics");
    let not_found = |field: &str| json!([{"field": field, "code": "not_found", "message": format!("work item {foreign} does not exist")}]);
    let one = json!({"date": "2026-01-31", "kind": "adoption", "value": 5, "feature_id": foreign});
    let (status, _, problem) = json_response(client.post(app.url(&path)).json(&one).send().await.unwrap()).await;
    assert_eq!((status, &problem["errors"]), (422, &not_found("feature_id")));
    let batch = json!({"points": [
        {"date": "2026-01-31", "kind": "retention", "value": 90},
        {"date": "2026-01-31", "kind": "adoption", "value": 5, "feature_id": foreign},
    ]});
    let (status, _, problem) = json_response(client.post(app.url(&path)).json(&batch).send().await.unwrap()).await;
    assert_eq!((status, &problem["errors"]), (422, &not_found("points[1].feature_id")));
    let text = format!("date,kind,value,feature_id\n2026-02-28,adoption,15,{foreign}\n");
    let response = client
        .post(app.url(&format!("{path}/import")))
        .header("content-type", "text/csv")
        .body(text)
        .send()
        .await
        .unwrap();
    let (status, _, problem) = json_response(response).await;
    assert_eq!((status, &problem["errors"]), (422, &not_found("rows[1].feature_id")));
    let (_, _, listed) = json_response(app.get(&path).await).await;
    assert_eq!(listed["items"], json!([]), "nothing recorded");
}
