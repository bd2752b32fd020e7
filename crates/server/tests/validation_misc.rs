//! Inputs that were quietly taken, over real HTTP: audit filters naming no record or an empty
//! period (a 400 page, a 422 problem, naming the field), a script-free backlog move to nowhere (the
//! backlog again with the reason, nothing moved), a batch of metric points holding one key twice
//! (refused as the CSV import refuses it, nothing stored), and score formulas whose small divisor
//! read as 0.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tandem_domain::{GrantScope, ProductId, Role};
use tandem_test_support::app::{TestApp, assert_validation, error_page_problems, json_response};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = app.get(path).await;
    (response.status(), response.text().await.unwrap())
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let (status, _, body) = json_response(app.get(path).await).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

// ----- audit filters -----

#[tokio::test]
async fn the_audit_api_refuses_a_record_id_that_is_no_id_and_an_empty_period() {
    for app in TestApp::spawn_all().await {
        let program = app
            .create("/api/v1/programs", &json!({"name": "Core", "start": "2026-01-05", "target_end": "2026-12-18"}))
            .await;
        let id = id_of(&program);
        let audit = "/api/v1/audit";
        let not_an_id = ("record_id", "invalid", "must be a record id (a UUID)");
        assert_validation(app.get("/api/v1/audit?record_id=xyz").await, audit, &[not_an_id]).await;
        assert_validation(
            app.get("/api/v1/audit?record_id=xyz&actor=nobody").await,
            audit,
            &[not_an_id, ("actor", "invalid", "must be a UUID")],
        )
        .await;
        let (since, until) = ("2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z");
        assert_validation(
            app.get(&format!("/api/v1/audit?since={since}&until={until}")).await,
            audit,
            &[("until", "invalid", "must be later than since (2026-03-01T00:00:00Z)")],
        )
        .await;
        // `until` is excluded: the same instant leaves no time.
        assert_validation(
            app.get(&format!("/api/v1/audit?since={since}&until={since}")).await,
            audit,
            &[("until", "invalid", "must be later than since (2026-03-01T00:00:00Z)")],
        )
        .await;

        // A real id, in capitals too, finds its record; a blank one is no filter.
        let found = json_of(&app, &format!("/api/v1/audit?record_id={}", id.to_uppercase())).await;
        let records: Vec<&str> =
            found["items"].as_array().unwrap().iter().map(|e| e["record_id"].as_str().unwrap()).collect();
        assert_eq!(records, [id.as_str()]);
        let all = json_of(&app, "/api/v1/audit?record_id=").await;
        assert!(!all["items"].as_array().unwrap().is_empty(), "{all}");
        let period = json_of(&app, "/api/v1/audit?since=2000-01-01T00:00:00Z&until=9999-01-01T00:00:00Z").await;
        assert_eq!(period["items"].as_array().unwrap().len(), all["items"].as_array().unwrap().len());
    }
}

#[tokio::test]
async fn the_audit_page_answers_a_record_id_that_is_no_id_or_an_empty_period_with_a_400_naming_it() {
    let app = TestApp::spawn().await;
    let program = app
        .create("/api/v1/programs", &json!({"name": "Core banking", "start": "2026-01-05", "target_end": "2026-12-18"}))
        .await;
    let id = id_of(&program);

    let (status, html) = page(&app, "/admin/audit?record_id=xyz").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("<h1>This address has a value the page cannot use</h1>"), "{html}");
    assert_eq!(error_page_problems(&html), ["record_id: must be a record id (a UUID), not \u{201c}xyz\u{201d}"]);
    assert!(!html.contains("No changes match"), "{html}");

    let (status, html) = page(&app, "/admin/audit?record_id=xyz&actor=nobody").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        error_page_problems(&html),
        [
            "record_id: must be a record id (a UUID), not \u{201c}xyz\u{201d}",
            "actor: must be a UUID, not \u{201c}nobody\u{201d}",
        ]
    );

    // Dates are whole days: until the day before since is empty, the same day is not.
    let (status, html) = page(&app, "/admin/audit?since=2026-03-02&until=2026-03-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert_eq!(
        error_page_problems(&html),
        ["until: must not be before since (2026-03-02), not \u{201c}2026-03-01\u{201d}"]
    );
    let (status, html) = page(&app, "/admin/audit?since=2026-03-01T12:00:00Z&until=2026-03-01T09:00:00Z").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert_eq!(
        error_page_problems(&html),
        ["until: must be later than since (2026-03-01T12:00:00Z), not \u{201c}2026-03-01T09:00:00Z\u{201d}"]
    );
    let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
    let (status, html) = page(&app, &format!("/admin/audit?since={today}&until={today}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Core banking"), "{html}");

    // A real id, in capitals too, filters to its record.
    let (status, html) = page(&app, &format!("/admin/audit?record_id={}", id.to_uppercase())).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Core banking") && !html.contains("No changes match"), "{html}");
}

// ----- the script-free backlog move -----

/// A product with features titled as given, in that backlog order; returns (product, ids).
async fn product_with(app: &TestApp, titles: &[&str]) -> (String, Vec<String>) {
    let product = id_of(&app.create("/api/v1/products", &json!({"name": "Shop"})).await);
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

/// The backlog as stored: each item's title, rank and version, in order.
async fn backlog(app: &TestApp, product: &str) -> Vec<(String, i64, i64)> {
    let body = json_of(app, &format!("/api/v1/products/{product}/backlog")).await;
    let items = body.get("items").unwrap_or(&body).as_array().expect("a list").clone();
    items
        .iter()
        .map(|i| {
            let item = if i["item"].is_object() { &i["item"] } else { i };
            (
                item["title"].as_str().unwrap().to_owned(),
                item["rank"].as_i64().unwrap(),
                item["version"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_backlog_move_to_an_unknown_place_moves_nothing_and_says_which_places_exist() {
    let app = TestApp::spawn().await;
    let (product, ids) = product_with(&app, &["Alpha", "Bravo", "Charlie"]).await;
    let before = backlog(&app, &product).await;
    let path = format!("/products/{product}/backlog");
    let return_to = format!("{path}?q=RAV");

    let (status, location, html) = app
        .post_form(&format!("{path}/move"), &[("item_id", &ids[2]), ("to", "sideways"), ("return_to", &return_to)])
        .await;
    assert_eq!((status, location), (StatusCode::UNPROCESSABLE_ENTITY, None), "{html}");
    assert!(
        html.contains(
            "<div class=\"notice notice-warning\" role=\"alert\"><p>Nothing was moved: to: must be one of top, up, \
             down, bottom, not \u{201c}sideways\u{201d}.</p></div>"
        ),
        "{html}"
    );
    assert!(html.contains("1 of 3 items match."), "the list it was sent from, with its filter: {html}");
    assert_eq!(backlog(&app, &product).await, before);

    let (status, _, html) = app.post_form(&format!("{path}/move"), &[("item_id", &ids[0])]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("<p>Nothing was moved: to: must be one of top, up, down, bottom.</p>"), "{html}");
    // Markup in the value is shown as text.
    let (status, _, html) = app.post_form(&format!("{path}/move"), &[("item_id", &ids[0]), ("to", "<b>top</b>")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("not \u{201c}&#60;b&#62;top&#60;/b&#62;\u{201d}.") && !html.contains("<b>top</b>"), "{html}");
    assert_eq!(backlog(&app, &product).await, before);

    // A viewer may not move, whatever the place: refused before the form is read.
    let (viewer, viewer_client) = app.user("vera", false).await;
    let product_id: ProductId = product.parse().unwrap();
    app.grant(&viewer, GrantScope::Product(product_id), Role::Viewer).await;
    for to in ["sideways", "top"] {
        let (status, _, html) =
            app.post_form_as(&viewer_client, &format!("{path}/move"), &[("item_id", &ids[2]), ("to", to)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{to}: {html}");
        assert!(html.contains("reordering a backlog needs the editor role"), "{html}");
    }
    assert_eq!(backlog(&app, &product).await, before);

    // The four places still move; up from the top is no move and no error.
    let (status, location, _) = app.post_form(&format!("{path}/move"), &[("item_id", &ids[2]), ("to", "top")]).await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("{path}#item-{}", ids[2]))));
    let (status, _, _) = app.post_form(&format!("{path}/move"), &[("item_id", &ids[2]), ("to", " up ")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let titles: Vec<String> = backlog(&app, &product).await.into_iter().map(|(t, _, _)| t).collect();
    assert_eq!(titles, ["Charlie", "Alpha", "Bravo"]);
}

// ----- a batch of metric points -----

#[tokio::test]
async fn a_batch_of_metric_points_holding_one_key_twice_is_refused_like_the_csv_import() {
    for app in TestApp::spawn_all().await {
        let product = id_of(&app.create("/api/v1/products", &json!({"name": "App"})).await);
        let feature = id_of(
            &app.create(
                "/api/v1/work-items",
                &json!({"kind": "feature", "product_id": product, "title": "Export",
                    "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}}),
            )
            .await,
        );
        let path = format!("/api/v1/products/{product}/metrics");
        let stored = app.create(&path, &json!({"date": "2026-01-31", "kind": "adoption", "value": 5})).await;
        let listed = json_of(&app, &path).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{stored}");

        let message = "an earlier row has adoption on 2026-02-01 for the same feature";
        let twice = json!({"points": [
            {"date": "2026-02-01", "kind": "adoption", "value": 10},
            {"date": "2026-02-01", "kind": "adoption", "value": 20},
        ]});
        assert_validation(app.post_json(&path, &twice).await, &path, &[("points[1].date", "duplicate", message)]).await;
        let mixed = json!({"points": [
            {"date": "2026-02-01", "kind": "adoption", "value": 10},
            {"date": "2026-02-01", "kind": "retention", "value": 120},
            {"date": "2026-02-01", "kind": "adoption", "value": 20, "feature_id": null},
        ]});
        assert_validation(
            app.post_json(&path, &mixed).await,
            &path,
            &[
                ("points[1].value", "out_of_range", "retention must be from 0 to 100"),
                ("points[2].date", "duplicate", message),
            ],
        )
        .await;
        // The CSV import of the same points says the same.
        let import = format!("/api/v1/products/{product}/metrics/import");
        let csv = "date,kind,value\n2026-02-01,adoption,10\n2026-02-01,adoption,20\n";
        let response =
            app.client.post(app.url(&import)).header("content-type", "text/csv").body(csv).send().await.unwrap();
        assert_validation(response, &import, &[("rows[2].date", "duplicate", message)]).await;
        assert_eq!(json_of(&app, &path).await, listed, "nothing stored, nothing changed");

        // Another feature, kind or date is another point.
        let distinct = json!({"points": [
            {"date": "2026-02-01", "kind": "adoption", "value": 10},
            {"date": "2026-02-01", "kind": "adoption", "value": 20, "feature_id": feature},
            {"date": "2026-02-01", "kind": "retention", "value": 30},
            {"date": "2026-02-02", "kind": "adoption", "value": 40},
        ]});
        let (status, _, recorded) = json_response(app.post_json(&path, &distinct).await).await;
        assert_eq!((status, recorded["recorded"].as_u64()), (201, Some(4)), "{recorded}");
        let mut ids: Vec<&str> =
            recorded["points"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 4);
        assert_eq!(json_of(&app, &path).await["items"].as_array().unwrap().len(), 5);
    }
}

// ----- score formulas -----

#[tokio::test]
async fn a_small_divisor_is_printed_as_it_is_in_the_api_and_on_the_pages() {
    for app in TestApp::spawn_all().await {
        let (product, ids) = product_with(&app, &["Tiny"]).await;
        let path = format!("/api/v1/work-items/{}/prioritization", ids[0]);
        let body = json!({"version": 1,
            "rice": {"reach": 500, "impact": 0.25, "confidence": 33.3, "effort": 0.004},
            "cd3": {"cost_of_delay_per_week": 1000, "duration_weeks": 0.004}});
        let (status, _, stored) = json_response(app.put_json(&path, &body).await).await;
        assert_eq!(status, 200, "{stored}");
        let rice = "RICE = 500 × 0.25 × 33.3 % / 0.004 = 10406.25";
        let cd3 = "CD3 = 1000 per week / 0.004 weeks = 250000";
        assert_eq!((stored["rice"]["formula"].as_str(), stored["cd3"]["formula"].as_str()), (Some(rice), Some(cd3)));
        let read = json_of(&app, &path).await;
        assert_eq!((read["rice"]["formula"].as_str(), read["cd3"]["formula"].as_str()), (Some(rice), Some(cd3)));
        assert_eq!(read["cd3"]["score"].as_f64(), Some(250_000.0));

        let (status, html) = page(&app, &format!("/work-items/{}/prioritization", ids[0])).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(rice) && html.contains(cd3), "{html}");
        let (status, html) = page(&app, &format!("/products/{product}/prioritization?framework=cd3")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(cd3) && !html.contains("/ 0 weeks"), "{html}");
    }
}
