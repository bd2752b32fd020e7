//! A task pauses over its team's own days off, over real HTTP on both backends: its dates span
//! the days off, its `duration_days` counts its team's working days only, its team's load is 0
//! on them, and the Gantt bar's tooltip counts them.

use serde_json::{Value, json};
use tandem_test_support::app::{TestApp, json_response};

#[tokio::test]
async fn a_task_pauses_over_its_teams_day_off() {
    for app in TestApp::spawn_all().await {
        let (program, project) = app.program_with_project("Ledger", "Core", "2026-03-02", "2026-12-18").await;
        // Crew is off on Wednesday the 4th (Other works, so the day stays in the program's
        // calendar) and, like Other, on Friday the 6th (so that day is in no one's calendar).
        let crew = app
            .create_id(
                "/api/v1/teams",
                json!({"name": "Crew", "capacity": 1, "holidays": ["2026-03-04", "2026-03-06"]}),
            )
            .await;
        let other =
            app.create_id("/api/v1/teams", json!({"name": "Other", "capacity": 1, "holidays": ["2026-03-06"]})).await;
        for (title, team, days) in [("Build", &crew, 4), ("Review", &other, 1)] {
            app.certain_task(&project, title, team, days).await;
        }
        let (status, _, schedule) =
            json_response(app.post_json(&format!("/api/v1/programs/{program}/schedule"), &json!({})).await).await;
        assert_eq!(status, 201, "{schedule}");
        let build = schedule["activities"]
            .as_array()
            .expect("activities")
            .iter()
            .find(|a| a["title"] == "Build")
            .expect("Build")
            .clone();
        // Monday, Tuesday, (Wednesday off), Thursday, (Friday off, the weekend), Monday.
        let got: Vec<&Value> =
            ["start", "finish", "start_period", "finish_period", "duration_days"].iter().map(|k| &build[*k]).collect();
        assert_eq!(got, [&json!("2026-03-02"), &json!("2026-03-09"), &json!(0), &json!(5), &json!(4)]);
        let loads = schedule["team_loads"].as_array().expect("team loads");
        let crew_load = loads.iter().find(|l| l["name"] == "Crew").expect("Crew's load");
        assert_eq!(crew_load["load"], json!([1, 1, 0, 1, 1]));
        assert_eq!(crew_load["capacity"], json!([1, 1, 0, 1, 1]));

        let html = app.get(&format!("/programs/{program}")).await.text().await.expect("the program page");
        // Both days off, the one no team works included; not the weekend.
        assert!(html.contains("Build (work item): 2026-03-02 to 2026-03-09, 4 working days and 2 days off"), "{html}");
    }
}
