//! A project without work in a program forecast over real HTTP, on both backends: it finishes on
//! its start date, as posted, as stored and read back, and on the program page.

use serde_json::{Value, json};
use tandem_test_support::app::{TestApp, json_response};

fn certain(date: &str, days: i64) -> Value {
    json!({"p10": date, "p50": date, "p80": date, "p95": date,
        "working_days": {"p10": days, "p50": days, "p80": days, "p95": days, "mean": days as f64}})
}

#[tokio::test]
async fn a_project_without_work_is_forecast_to_finish_on_its_start_date() {
    for app in TestApp::spawn_all().await {
        // From Monday 2026-03-02, "Build" takes two certain working days (Monday and Tuesday);
        // "Launch" has no work and starts on Wednesday the 4th (day 2).
        let program = app
            .create_id(
                "/api/v1/programs",
                json!({"name": "Empty launch", "start": "2026-03-02", "target_end": "2026-12-18",
                    "status_date": "2026-03-02"}),
            )
            .await;
        let build = app
            .create_id("/api/v1/projects", json!({"program_id": program, "name": "Build", "start": "2026-03-02"}))
            .await;
        app.create_id("/api/v1/projects", json!({"program_id": program, "name": "Launch", "start": "2026-03-04"}))
            .await;
        app.create_id(
            "/api/v1/work-items",
            json!({"kind": "task", "project_id": build, "title": "Code",
                   "estimate": {"optimistic": 2, "most_likely": 2, "pessimistic": 2}}),
        )
        .await;

        let forecast_path = format!("/api/v1/programs/{program}/forecast");
        for mode in ["resources", "network"] {
            let (status, _, forecast) =
                json_response(app.post_json(&forecast_path, &json!({"iterations": 50, "mode": mode})).await).await;
            assert_eq!(status, 201, "{mode}: {forecast}");
            assert_eq!(forecast["projects"][0]["finish"], certain("2026-03-03", 2), "{mode}");
            assert_eq!(forecast["projects"][1]["name"], "Launch");
            assert_eq!(forecast["projects"][1]["finish"], certain("2026-03-04", 3), "{mode}");
        }
        // The stored forecast dates its periods again: the same date.
        let (status, _, stored) = json_response(app.get(&forecast_path).await).await;
        assert_eq!(status, 200, "{stored}");
        assert_eq!(stored["projects"][1]["finish"], certain("2026-03-04", 3));

        let page = app.get(&format!("/programs/{program}")).await.text().await.expect("page");
        let row_start = page.find("<th scope=\"row\">Launch</th>").expect("Launch's row");
        let row = &page[row_start..row_start + page[row_start..].find("</tr>").expect("the row's end")];
        assert!(
            row.contains(
                "<td>2026-03-04</td><td>2026-03-04</td><td><strong>2026-03-04</strong></td><td>2026-03-04</td>"
            ),
            "{row}"
        );
    }
}
