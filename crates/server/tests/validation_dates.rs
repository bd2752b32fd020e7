//! Dates people and clients type must be exactly `YYYY-MM-DD`, over real HTTP: a two- or
//! three-digit year (`26-02-03`, `026-02-03`) or a one-digit month or day is refused with the
//! message promising that form, on the field, in JSON bodies, query parameters, CSV imports, HTML
//! forms and the audit page's filters; nothing is stored. Four-digit dates still work.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tandem_test_support::app::{TestApp, assert_validation, error_page_problems, json_response};

const FORM: &str = "must be a date in the form YYYY-MM-DD";

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

/// The records of a list (the `items` of a paged one, or the whole array).
async fn list(app: &TestApp, path: &str) -> Vec<Value> {
    let (status, _, body) = json_response(app.get(path).await).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    match body.get("items") {
        Some(items) => items.as_array().expect("items").clone(),
        None => body.as_array().expect("a list").clone(),
    }
}

struct Fixture {
    program: String,
    project: String,
    product: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let program = app
        .create("/api/v1/programs", &json!({"name": "Core", "start": "2026-01-05", "target_end": "2026-12-18"}))
        .await;
    let project = app
        .create("/api/v1/projects", &json!({"program_id": id_of(&program), "name": "Ledger", "start": "2026-02-02"}))
        .await;
    let product = app.create("/api/v1/products", &json!({"name": "App"})).await;
    Fixture { program: id_of(&program), project: id_of(&project), product: id_of(&product) }
}

#[tokio::test]
async fn short_years_in_json_bodies_are_422_on_the_field_and_store_nothing() {
    for app in TestApp::spawn_all().await {
        let f = fixture(&app).await;
        let (program, project, product) = (&f.program, &f.project, &f.product);
        let metrics = format!("/api/v1/products/{product}/metrics");
        // (method, path, body, the field blamed)
        let cases: Vec<(&str, String, Value, &str)> = vec![
            (
                "POST",
                "/api/v1/milestones".into(),
                json!({"project_id": project, "name": "M", "target_date": "26-02-03"}),
                "target_date",
            ),
            (
                "POST",
                "/api/v1/milestones".into(),
                json!({"project_id": project, "name": "M", "target_date": "026-02-03"}),
                "target_date",
            ),
            (
                "POST",
                "/api/v1/milestones".into(),
                json!({"project_id": project, "name": "M", "target_date": "2026-2-3"}),
                "target_date",
            ),
            (
                "POST",
                "/api/v1/milestones".into(),
                json!({"project_id": project, "name": "M", "target_date": "+2026-02-03"}),
                "target_date",
            ),
            (
                "POST",
                "/api/v1/milestones".into(),
                json!({"project_id": project, "name": "M", "target_date": "02026-02-03"}),
                "target_date",
            ),
            (
                "POST",
                "/api/v1/programs".into(),
                json!({"name": "Short", "start": "26-01-01", "target_end": "2026-12-31"}),
                "start",
            ),
            (
                "PUT",
                format!("/api/v1/programs/{program}"),
                json!({"version": 1, "name": "Core", "start": "2026-01-05", "target_end": "026-12-18"}),
                "target_end",
            ),
            (
                "POST",
                "/api/v1/projects".into(),
                json!({"program_id": program, "name": "P", "start": "6-02-02"}),
                "start",
            ),
            (
                "POST",
                "/api/v1/teams".into(),
                json!({"name": "T", "capacity": 1, "holidays": ["2026-12-25", "26-12-26"]}),
                "holidays[1]",
            ),
            ("POST", metrics.clone(), json!({"date": "26-02-01", "kind": "adoption", "value": 10}), "date"),
            (
                "POST",
                metrics.clone(),
                json!({"points": [
                    {"date": "2026-02-01", "kind": "adoption", "value": 10},
                    {"date": "026-02-01", "kind": "adoption", "value": 20}
                ]}),
                "points[1].date",
            ),
        ];
        for (method, path, body, field) in cases {
            let response = app.client.request(method.parse().unwrap(), app.url(&path)).json(&body).send().await;
            let response = response.unwrap_or_else(|e| panic!("{method} {path}: no answer ({e})"));
            assert_validation(response, &path, &[(field, "invalid_date", FORM)]).await;
        }

        // Nothing stored, nothing changed.
        assert_eq!(list(&app, "/api/v1/milestones").await.len(), 0);
        assert_eq!(list(&app, "/api/v1/programs").await.len(), 1);
        let (_, _, stored) = json_response(app.get(&format!("/api/v1/programs/{program}")).await).await;
        assert_eq!((stored["version"].as_i64(), stored["target_end"].as_str()), (Some(1), Some("2026-12-18")));
        assert_eq!(list(&app, "/api/v1/projects").await.len(), 1);
        assert_eq!(list(&app, "/api/v1/teams").await.len(), 0);
        assert_eq!(list(&app, &metrics).await.len(), 0);

        // A four-digit year still is a date, stored as sent.
        let milestone = app
            .create("/api/v1/milestones", &json!({"project_id": project, "name": "M", "target_date": "2026-02-03"}))
            .await;
        assert_eq!(milestone["target_date"], "2026-02-03");
    }
}

#[tokio::test]
async fn short_years_in_query_parameters_and_csv_imports_are_422_on_the_field() {
    for app in TestApp::spawn_all().await {
        let f = fixture(&app).await;
        let product = &f.product;
        let metrics = format!("/api/v1/products/{product}/metrics");
        assert_validation(
            app.get(&format!("{metrics}?from=26-01-01")).await,
            &metrics,
            &[("from", "invalid_date", FORM)],
        )
        .await;
        assert_validation(app.get(&format!("{metrics}?to=2026-1-31")).await, &metrics, &[("to", "invalid_date", FORM)])
            .await;

        for (path, header, rows) in [
            (
                format!("/api/v1/products/{product}/insights/import"),
                "date,source,customer,quote,importance",
                ["2026-02-01,interview,Acme,Faster,2", "26-02-01,interview,Acme,Faster,2"],
            ),
            (
                format!("/api/v1/products/{product}/metrics/import"),
                "date,kind,value",
                ["2026-02-01,adoption,40", "026-02-01,adoption,40"],
            ),
        ] {
            let text = format!("{header}\n{}\n{}\n", rows[0], rows[1]);
            let response =
                app.client.post(app.url(&path)).header("content-type", "text/csv").body(text).send().await.unwrap();
            assert_validation(response, &path, &[("rows[2].date", "invalid_date", FORM)]).await;
        }
        assert_eq!(list(&app, &format!("/api/v1/insights?product_id={product}")).await.len(), 0);
        assert_eq!(list(&app, &metrics).await.len(), 0);
    }
}

#[tokio::test]
async fn short_years_in_page_forms_and_the_audit_filters_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let (status, _, html) = app
        .post_form(
            "/programs",
            &[("name", "Short"), ("phase", "definition"), ("start", "26-01-01"), ("target_end", "2026-12-31")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains(&format!("id=\"field-start-error\"><span class=\"visually-hidden\">Error:</span> {FORM}")),
        "{html}"
    );
    assert!(html.contains("value=\"26-01-01\""), "the typed value is kept: {html}");
    assert_eq!(list(&app, "/api/v1/programs").await.len(), 0);

    let dates = "must be a date such as 2026-11-21 or an RFC 3339 time such as 2026-11-21T09:30:00Z";
    let response = app.get("/admin/audit?since=26-01-01&until=2026-1-31").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    assert_eq!(
        error_page_problems(&html),
        [
            format!("since: {dates}, not \u{201c}26-01-01\u{201d}"),
            format!("until: {dates}, not \u{201c}2026-1-31\u{201d}")
        ]
    );
    let response = app.get("/admin/audit?since=2026-01-01&until=2026-01-31").await;
    assert_eq!(response.status(), StatusCode::OK);
    let rfc = "must be an RFC 3339 time such as 2026-11-21T09:30:00Z";
    assert_validation(
        app.get("/api/v1/audit?since=26-01-01T00:00:00Z").await,
        "/api/v1/audit",
        &[("since", "invalid", rfc)],
    )
    .await;
}
