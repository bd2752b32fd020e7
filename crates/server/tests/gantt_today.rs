//! The program page over real HTTP, on both backends: the Gantt chart marks today's date when
//! the schedule spans it, and the forecast table holds the whole program against its target end.
//! The programs are built around today's date, so the test never goes stale.

use chrono::{Days, NaiveDate, Utc};
use serde_json::json;
use tandem_test_support::app::{TestApp, json_response};

/// A program from two weeks ago to `target_end`, with one project whose single task takes 20
/// certain working days (four weeks), so its schedule spans today.
async fn program_around(app: &TestApp, today: NaiveDate, target_end: NaiveDate) -> String {
    let start = (today - Days::new(14)).to_string();
    let program = app
        .create_id(
            "/api/v1/programs",
            json!({"name": "Around today", "start": start, "target_end": target_end.to_string()}),
        )
        .await;
    let project =
        app.create_id("/api/v1/projects", json!({"program_id": program, "name": "Build", "start": start})).await;
    app.create_id(
        "/api/v1/work-items",
        json!({"kind": "task", "project_id": project, "title": "Code",
               "estimate": {"optimistic": 20, "most_likely": 20, "pessimistic": 20}}),
    )
    .await;
    program
}

/// The `<tr>` of the percentile table whose row header is `name`.
fn row<'a>(page: &'a str, name: &str) -> &'a str {
    let start = page.find(&format!("<th scope=\"row\">{name}</th>")).expect("the row");
    let start = page[..start].rfind("<tr>").expect("the row's start");
    &page[start..start + page[start..].find("</tr>").expect("the row's end")]
}

#[tokio::test]
async fn the_program_page_marks_today_and_holds_the_program_to_its_target_end() {
    let today = Utc::now().date_naive();
    for app in TestApp::spawn_all().await {
        for (target_end, verdict) in [
            (today + Days::new(60), "<span class=\"badge ok\">P80 meets it</span>"),
            (today, "<span class=\"badge late\">P80 late</span>"),
        ] {
            let program = program_around(&app, today, target_end).await;
            let (status, _, schedule) = json_response(
                app.post_json(&format!("/api/v1/programs/{program}/schedule"), &json!({"schedules": 20, "seed": 7}))
                    .await,
            )
            .await;
            assert_eq!(status, 201, "{schedule}");
            let (status, _, forecast) = json_response(
                app.post_json(&format!("/api/v1/programs/{program}/forecast"), &json!({"iterations": 50})).await,
            )
            .await;
            assert_eq!(status, 201, "{forecast}");
            let p80 = forecast["finish"]["p80"].as_str().expect("the program's P80").to_owned();
            assert!(p80 > today.to_string(), "four weeks of work from two weeks ago ends after today: {forecast}");

            let page = app.get(&format!("/programs/{program}")).await.text().await.expect("page");
            // One today line on the schedule's Gantt chart, titled with the date.
            assert_eq!(page.matches("<g class=\"today\">").count(), 1, "{page}");
            let line = &page[page.find("<g class=\"today\">").expect("the today line")..];
            let line = &line[..line.find("</g>").expect("the group's end")];
            assert!(line.contains(&format!("<title>Today: {today}")), "{line}");
            assert!(line.contains("class=\"today-line\""), "{line}");

            // The whole program's row holds the P80 against the program's target end.
            let program_row = row(&page, "Whole program");
            assert!(program_row.contains(&format!("<td><strong>{p80}</strong></td>")), "{program_row}");
            assert!(program_row.contains(&format!("<td>{target_end} {verdict}</td>")), "{program_row}");
        }
    }
}
