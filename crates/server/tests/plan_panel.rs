//! The "Plan" panel of a work item's and a milestone's page over real HTTP, on both backends:
//! their dates in the program's latest schedule and forecast, or a word that there is none.

use serde_json::json;
use tandem_test_support::app::{TestApp, json_response};

#[tokio::test]
async fn item_and_milestone_pages_show_their_scheduled_and_forecast_dates() {
    for app in TestApp::spawn_all().await {
        // From Monday 2026-03-02, "Code" takes three certain working days, then (finish-to-start)
        // the milestone "Rolled out", dated on Code's last day, Wednesday the 4th.
        let (program, build) = app.program_with_project("Roll-out", "Build", "2026-03-02", "2026-12-18").await;
        let team = app.create_id("/api/v1/teams", json!({"name": "Crew", "capacity": 1})).await;
        let task = app.certain_task(&build, "Code", &team, 3).await;
        let milestone = app
            .create_id(
                "/api/v1/milestones",
                json!({"project_id": build, "name": "Rolled out", "target_date": "2026-03-03"}),
            )
            .await;
        app.create_id(
            "/api/v1/dependencies",
            json!({"predecessor": {"type": "work_item", "id": task}, "successor": {"type": "milestone", "id": milestone}}),
        )
        .await;
        let item_page = format!("/work-items/{task}");
        let milestone_page = format!("/milestones/{milestone}");
        let page = |path: String| {
            let app = &app;
            async move { app.get(&path).await.text().await.expect("the page") }
        };

        // Nothing computed yet.
        let html = page(item_page.clone()).await;
        assert!(html.contains("<h2 id=\"plan-heading\">Plan</h2>"), "{html}");
        assert!(html.contains("no schedule computed yet"), "{html}");
        assert!(html.contains("no forecast run yet"), "{html}");
        // A done item is planned in no schedule: the panel says why.
        let done = app
            .create_id(
                "/api/v1/work-items",
                json!({"kind": "task", "project_id": build, "title": "Spec", "status": "done",
                   "estimate": {"optimistic": 1, "most_likely": 1, "pessimistic": 1}}),
            )
            .await;

        let (status, _, schedule) =
            json_response(app.post_json(&format!("/api/v1/programs/{program}/schedule"), &json!({})).await).await;
        assert_eq!(status, 201, "{schedule}");
        let (status, _, forecast) = json_response(
            app.post_json(&format!("/api/v1/programs/{program}/forecast"), &json!({"iterations": 50})).await,
        )
        .await;
        assert_eq!(status, 201, "{forecast}");

        let html = page(item_page).await;
        assert!(html.contains("2026-03-02 to 2026-03-04 <span class=\"badge\">critical path</span>"), "{html}");
        assert!(html.contains("(schedule made as of 2026-03-02)"), "{html}");
        assert!(html.contains("P50 2026-03-04, P80 2026-03-04, P95 2026-03-04"), "{html}");
        assert!(html.contains("(forecast made as of 2026-03-02)"), "{html}");
        assert!(!html.contains("made as of different days"), "{html}");
        // Work items have no target of their own.
        assert!(!html.contains("the target</span>"), "{html}");

        let html = page(format!("/work-items/{done}")).await;
        assert_eq!(html.matches("not planned: it is done or cancelled").count(), 2, "{html}");

        let html = page(milestone_page).await;
        assert!(html.contains("<dd>2026-03-04 <span class=\"badge\">critical path</span>"), "{html}");
        assert!(
            html.contains(
                "P50 2026-03-04, P80 2026-03-04, P95 2026-03-04 <span class=\"badge late\">P80 misses the target</span>"
            ),
            "{html}"
        );
    }
}
