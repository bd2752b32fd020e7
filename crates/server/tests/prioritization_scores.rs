//! Prioritization scores over real HTTP, on both backends: an effort or a duration below its least
//! value (0.001) is refused at the field by the JSON API and by the form, storing nothing, so no
//! stored input makes a score infinite; and the pages show small scores apart (`0.00412`, not
//! `0.00`) with the formulas' own digits, while the API keeps the full number.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tandem_test_support::app::{TestApp, assert_validation, json_response};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("an id").to_owned()
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let (status, _, body) = json_response(app.get(path).await).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.text().await.expect("the page")
}

async fn product_with(app: &TestApp, titles: &[&str]) -> (String, Vec<String>) {
    let product = id_of(&app.create("/api/v1/products", &json!({"name": "Shop"})).await);
    let mut ids = Vec::new();
    for title in titles {
        let body = json!({"kind": "feature", "product_id": product, "title": title,
            "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}});
        ids.push(id_of(&app.create("/api/v1/work-items", &body).await));
    }
    (product, ids)
}

/// The `<tr>` of the backlog or ranking table that links `title`.
fn row_of<'a>(html: &'a str, title: &str) -> &'a str {
    let at = html.find(&format!(">{title}</a>")).unwrap_or_else(|| panic!("{title} is listed: {html}"));
    let start = html[..at].rfind("<tr").expect("the row's start");
    &html[start..at + html[at..].find("</tr>").expect("the row's end")]
}

#[tokio::test]
async fn an_effort_or_duration_below_a_thousandth_is_refused_at_the_field_and_nothing_is_stored() {
    for app in TestApp::spawn_all().await {
        let (_, ids) = product_with(&app, &["Tiny"]).await;
        let path = format!("/api/v1/work-items/{}/prioritization", ids[0]);
        let message = "must be a number of person-months from 0.001 to 1000";
        for effort in [json!(0.0001), json!(1e-300), json!(0.000999)] {
            let body = json!({"version": 1, "moscow": "must",
                "rice": {"reach": 1000000000, "impact": 3, "confidence": 100, "effort": effort}});
            assert_validation(app.put_json(&path, &body).await, &path, &[("rice.effort", "out_of_range", message)])
                .await;
        }
        let body = json!({"version": 1, "cd3": {"cost_of_delay_per_week": 1000, "duration_weeks": 0.0001}});
        let weeks = "must be a number of weeks from 0.001 to 520";
        assert_validation(app.put_json(&path, &body).await, &path, &[("cd3.duration_weeks", "out_of_range", weeks)])
            .await;
        // Nothing stored, not even the valid MoSCoW class sent beside the bad effort.
        let stored = json_of(&app, &path).await;
        assert_eq!(stored["version"].as_i64(), Some(1), "{stored}");
        for framework in ["rice", "wsjf", "cd3", "moscow", "impact_effort"] {
            assert_eq!(stored[framework], Value::Null, "{framework}: {stored}");
        }

        // The form: the same error at the field, the typed value kept, nothing stored.
        let form = format!("/work-items/{}/prioritization", ids[0]);
        let (status, _, html) = app
            .post_form(
                &form,
                &[
                    ("version", "1"),
                    ("rice.reach", "1000"),
                    ("rice.impact", "1"),
                    ("rice.confidence", "100"),
                    ("rice.effort", "0.0001"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("id=\"field-rice-effort-error\""), "{html}");
        assert!(html.contains(message), "{html}");
        assert!(html.contains("value=\"0.0001\""), "the typed value is kept: {html}");
        assert_eq!(json_of(&app, &path).await["version"].as_i64(), Some(1));

        // The least values themselves are accepted, and the largest score is a finite number.
        let body = json!({"version": 1,
            "rice": {"reach": 1000000000, "impact": 3, "confidence": 100, "effort": 0.001},
            "cd3": {"cost_of_delay_per_week": 1000000000000000_i64, "duration_weeks": 0.001}});
        let (status, _, stored) = json_response(app.put_json(&path, &body).await).await;
        assert_eq!(status, 200, "{stored}");
        let rice = stored["rice"]["score"].as_f64().expect("a finite RICE score");
        assert!((rice - 3e12).abs() < 1.0, "{stored}");
        assert_eq!(stored["rice"]["formula"], "RICE = 1000000000 × 3 × 100 % / 0.001 = 3000000000000");
        let cd3 = stored["cd3"]["score"].as_f64().expect("a finite CD3 score");
        assert!((cd3 / 1e18 - 1.0).abs() < 1e-12, "{stored}");
    }
}

#[tokio::test]
async fn the_pages_show_small_scores_apart_and_the_api_keeps_the_full_number() {
    for app in TestApp::spawn_all().await {
        let (product, ids) = product_with(&app, &["Faint", "Half", "Plain", "Big"]).await;
        // RICE: 412.3 × 1 × 1 % / 1000 = 0.004123; 500 × 1 × 100 % / 1000 = 0.5;
        // 1000 × 1 × 80 % / 1 = 800; 1234.5678 × 1 × 100 % / 1 = 1234.5678.
        // WSJF: (1 + 1 + 1) / 20 = 0.15; (1 + 1 + 2) / 3 = 1.333...
        let inputs = [
            json!({"reach": 412.3, "impact": 1, "confidence": 1, "effort": 1000}),
            json!({"reach": 500, "impact": 1, "confidence": 100, "effort": 1000}),
            json!({"reach": 1000, "impact": 1, "confidence": 80, "effort": 1}),
            json!({"reach": 1234.5678, "impact": 1, "confidence": 100, "effort": 1}),
        ];
        let wsjf = [
            json!({"business_value": 1, "time_criticality": 1, "risk_reduction": 1, "job_size": 20}),
            json!({"business_value": 1, "time_criticality": 1, "risk_reduction": 2, "job_size": 3}),
        ];
        for (i, rice) in inputs.into_iter().enumerate() {
            let mut body = json!({"version": 1, "rice": rice});
            if let Some(w) = wsjf.get(i) {
                body["wsjf"] = w.clone();
            }
            let path = format!("/api/v1/work-items/{}/prioritization", ids[i]);
            let (status, _, stored) = json_response(app.put_json(&path, &body).await).await;
            assert_eq!(status, 200, "{stored}");
        }
        // The API keeps the full float.
        let faint = json_of(&app, &format!("/api/v1/work-items/{}/prioritization", ids[0])).await;
        let score = faint["rice"]["score"].as_f64().expect("a score");
        assert!((score - 0.004123).abs() < 1e-15, "{faint}");

        // The backlog's RICE and WSJF columns (the first RICE was "0.00", the WSJF "0.15").
        let html = page(&app, &format!("/products/{product}/backlog")).await;
        for (title, rice, wsjf) in [
            ("Faint", "0.00412", Some("0.15")),
            ("Half", "0.5", Some("1.33")),
            ("Plain", "800", None),
            ("Big", "1234.57", None),
        ] {
            let row = row_of(&html, title);
            let cells: Vec<&str> = row
                .split("<td class=\"number\">")
                .skip(2)
                .map(|cell| cell.split("</td>").next().unwrap_or_default())
                .collect();
            assert_eq!(cells, [rice, wsjf.unwrap_or_default()], "{title}: {row}");
        }

        // The ranking's score column (was "{:.2}": "0.00", "0.50", "800.00") prints what the
        // formula beside it prints.
        let html = page(&app, &format!("/products/{product}/prioritization?framework=rice")).await;
        for (title, score, formula) in [
            ("Faint", "0.00412", "RICE = 412.3 × 1 × 1 % / 1000 = 0.00412"),
            ("Half", "0.5", "RICE = 500 × 1 × 100 % / 1000 = 0.5"),
            ("Plain", "800", "RICE = 1000 × 1 × 80 % / 1 = 800"),
            ("Big", "1234.57", "RICE = 1234.57 × 1 × 100 % / 1 = 1234.57"),
        ] {
            let row = row_of(&html, title);
            assert!(row.contains(&format!("<td class=\"number\">{score}</td>")), "{title}: {row}");
            assert!(row.contains(&format!("<td class=\"formula\">{formula}</td>")), "{title}: {row}");
        }

        // The form shows the stored inputs with every digit, so saving it unchanged keeps them.
        let html = page(&app, &format!("/work-items/{}/prioritization", ids[3])).await;
        assert!(html.contains("value=\"1234.5678\""), "{html}");
    }
}
