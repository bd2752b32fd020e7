//! A milestone reached by finishing work over real HTTP, on both backends: the schedule, the
//! forecast (as posted and as read back) and the program page all date it on that work's last
//! day, the program's finish, never after it.

use serde_json::{Value, json};
use tandem_test_support::app::{TestApp, json_response};

fn certain(date: &str, days: i64) -> Value {
    json!({"p10": date, "p50": date, "p80": date, "p95": date,
        "working_days": {"p10": days, "p50": days, "p80": days, "p95": days, "mean": days as f64}})
}

#[tokio::test]
async fn a_milestone_after_work_is_dated_on_its_last_day_everywhere() {
    for app in TestApp::spawn_all().await {
        // From Monday 2026-03-02, "Code" takes two certain working days (Monday and Tuesday), then
        // (finish-to-start) the milestone "Rolled out": dated Tuesday the 3rd, not Wednesday.
        let (program, build) = app.program_with_project("Roll-out", "Build", "2026-03-02", "2026-12-18").await;
        let team = app.create_id("/api/v1/teams", json!({"name": "Crew", "capacity": 1})).await;
        let task = app.certain_task(&build, "Code", &team, 2).await;
        let milestone = app
            .create_id(
                "/api/v1/milestones",
                json!({"project_id": build, "name": "Rolled out", "target_date": "2026-03-03"}),
            )
            .await;
        app.create_id("/api/v1/dependencies",
            json!({"predecessor": {"type": "work_item", "id": task}, "successor": {"type": "milestone", "id": milestone}}),
        )
        .await;

        let schedule_path = format!("/api/v1/programs/{program}/schedule");
        let (status, _, schedule) = json_response(app.post_json(&schedule_path, &json!({})).await).await;
        assert_eq!(status, 201, "{schedule}");
        assert_eq!(schedule["finish"], "2026-03-03");
        let entry = schedule["activities"]
            .as_array()
            .expect("activities")
            .iter()
            .find(|a| a["title"] == "Rolled out")
            .expect("the milestone's entry")
            .clone();
        assert_eq!((&entry["start"], &entry["finish"]), (&json!("2026-03-03"), &json!("2026-03-03")), "{entry}");
        assert_eq!((&entry["start_period"], &entry["finish_period"]), (&json!(2), &json!(2)), "{entry}");
        let (status, _, stored_schedule) = json_response(app.get(&schedule_path).await).await;
        assert_eq!(status, 200, "{stored_schedule}");
        assert_eq!(stored_schedule["activities"], schedule["activities"]);

        let forecast_path = format!("/api/v1/programs/{program}/forecast");
        for mode in ["resources", "network"] {
            let (status, _, forecast) =
                json_response(app.post_json(&forecast_path, &json!({"iterations": 50, "mode": mode})).await).await;
            assert_eq!(status, 201, "{mode}: {forecast}");
            assert_eq!(forecast["finish"], certain("2026-03-03", 2), "{mode}");
            assert_eq!(forecast["milestones"][0]["name"], "Rolled out");
            // Not after the program's finish, and so on its target.
            assert_eq!(forecast["milestones"][0]["date"], certain("2026-03-03", 2), "{mode}");
            assert_eq!(forecast["milestones"][0]["p80_meets_target"], true, "{mode}");
            let activity = forecast["activities"]
                .as_array()
                .expect("activities")
                .iter()
                .find(|a| a["title"] == "Rolled out")
                .expect("the milestone's activity")
                .clone();
            assert_eq!(activity["finish"], certain("2026-03-03", 2), "{mode}");

            // The stored forecast dates its periods again: the same dates.
            let (status, _, stored) = json_response(app.get(&forecast_path).await).await;
            assert_eq!(status, 200, "{stored}");
            assert_eq!(stored["milestones"], forecast["milestones"], "{mode}");
            assert_eq!(stored["activities"], forecast["activities"], "{mode}");
            assert_eq!(stored["finish"], forecast["finish"], "{mode}");
        }

        let page = app.get(&format!("/programs/{program}")).await.text().await.expect("page");
        let row_start = page.find("<th scope=\"row\">Rolled out</th>").expect("the milestone's forecast row");
        let row = &page[row_start..row_start + page[row_start..].find("</tr>").expect("the row's end")];
        assert!(
            row.contains(
                "<td>2026-03-03</td><td>2026-03-03</td><td><strong>2026-03-03</strong></td><td>2026-03-03</td>"
            ),
            "{row}"
        );
        assert!(!row.contains("2026-03-04"), "{row}");
        // The Gantt chart's diamond is titled with the same date.
        assert!(page.contains("Rolled out (milestone): 2026-03-03"), "the Gantt's milestone title");
    }
}
