//! The program page over real HTTP, on both backends: every chart with a date axis (the
//! schedule's Gantt chart and team load histograms, the forecast's criticality Gantt chart,
//! S-curve and finish histogram) marks today's date when its range spans it, and only then; the
//! forecast table holds the whole program against its target end. The programs are built around
//! today's date, so the test never goes stale.

use chrono::{Days, NaiveDate, Utc};
use serde_json::json;
use tandem_test_support::app::{TestApp, json_response};

/// A program from two weeks ago to `target_end`, planned as of its start (its status date), with
/// one project whose single task, for team "Crew", takes 20 certain working days (four weeks),
/// so its schedule spans today. (The status date keeps the plan's first period two weeks back:
/// planned as of today, the calendar would start today, and on a weekend at the next Monday,
/// after today.)
async fn program_around(app: &TestApp, today: NaiveDate, target_end: NaiveDate) -> String {
    let start = (today - Days::new(14)).to_string();
    let program = app
        .create_id(
            "/api/v1/programs",
            json!({"name": "Around today", "start": start, "status_date": start,
                   "target_end": target_end.to_string()}),
        )
        .await;
    let project =
        app.create_id("/api/v1/projects", json!({"program_id": program, "name": "Build", "start": start})).await;
    let team = app.create_id("/api/v1/teams", json!({"name": "Crew", "capacity": 2})).await;
    app.create_id(
        "/api/v1/work-items",
        json!({"kind": "task", "project_id": project, "title": "Code", "team_id": team,
               "estimate": {"optimistic": 20, "most_likely": 20, "pessimistic": 20}}),
    )
    .await;
    program
}

/// Schedules and forecasts `program`, then reads its page.
async fn planned_page(app: &TestApp, program: &str) -> (String, serde_json::Value) {
    let (status, _, schedule) = json_response(
        app.post_json(&format!("/api/v1/programs/{program}/schedule"), &json!({"schedules": 20, "seed": 7})).await,
    )
    .await;
    assert_eq!(status, 201, "{schedule}");
    let (status, _, forecast) = json_response(
        app.post_json(&format!("/api/v1/programs/{program}/forecast"), &json!({"iterations": 200})).await,
    )
    .await;
    assert_eq!(status, 201, "{forecast}");
    let page = app.get(&format!("/programs/{program}")).await.text().await.expect("page");
    (page, forecast)
}

/// Every `<svg>` of `page` whose class attribute is `class`, whole.
fn svgs<'a>(page: &'a str, class: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find("<svg") {
        let end = start + rest[start..].find("</svg>").expect("the chart's end") + "</svg>".len();
        let svg = &rest[start..end];
        let tag = &svg[..svg.find('>').expect("the tag's end")];
        if tag.contains(&format!(" class=\"{class}\"")) {
            found.push(svg);
        }
        rest = &rest[end..];
    }
    found
}

/// The one chart of `page` with class `class`.
fn chart<'a>(page: &'a str, class: &str) -> &'a str {
    let found = svgs(page, class);
    assert_eq!(found.len(), 1, "one {class} chart: {page}");
    found[0]
}

/// The "today" groups of `svg`.
fn today_lines(svg: &str) -> Vec<&str> {
    svg.match_indices("<g class=\"today\">")
        .map(|(start, _)| &svg[start..start + svg[start..].find("</g>").expect("the group's end")])
        .collect()
}

/// Asserts that `svg` holds exactly one today line, titled with `today`, styled as every other.
fn assert_marks_today(svg: &str, today: NaiveDate) {
    let lines = today_lines(svg);
    assert_eq!(lines.len(), 1, "{svg}");
    let line = lines[0];
    assert!(line.starts_with(&format!("<g class=\"today\"><title>Today: {today}")), "{line}");
    assert!(line.contains("class=\"today-line\""), "{line}");
    assert!(line.contains("class=\"today-label\">Today</text>"), "{line}");
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
            let (page, forecast) = planned_page(&app, &program).await;
            let p80 = forecast["finish"]["p80"].as_str().expect("the program's P80").to_owned();
            assert!(p80 > today.to_string(), "four weeks of work from two weeks ago ends after today: {forecast}");

            // One today line on each chart whose range, from the program's start two weeks ago,
            // spans today: the schedule's Gantt chart and Crew's load histogram, and the
            // forecast's criticality Gantt chart. (This test used to count one line on the whole
            // page, when only the schedule's Gantt chart drew it.)
            assert_marks_today(chart(&page, "gantt"), today);
            assert_marks_today(chart(&page, "histogram"), today);
            assert_marks_today(chart(&page, "forecast-chart criticality-gantt"), today);
            // The S-curve and the finish histogram span only the finishes, all two weeks or more
            // after today (the 20 certain working days start two weeks ago): no line. (Certain
            // estimates drive nothing, so there is no tornado, whose axis is no date anyway.)
            for class in ["forecast-chart s-curve", "forecast-chart finish-histogram"] {
                assert!(today_lines(chart(&page, class)).is_empty(), "{class}: {page}");
            }
            assert!(svgs(&page, "forecast-chart tornado").is_empty(), "{page}");
            assert_eq!(page.matches("<g class=\"today\">").count(), 3, "{page}");

            // The whole program's row holds the P80 against the program's target end.
            let program_row = row(&page, "Whole program");
            assert!(program_row.contains(&format!("<td><strong>{p80}</strong></td>")), "{program_row}");
            assert!(program_row.contains(&format!("<td>{target_end} {verdict}</td>")), "{program_row}");
        }
    }
}

/// A program whose status date was four weeks (20 working days) ago and whose task takes 10 to 40
/// working days (most likely 20): its forecast finishes spread around today, so the S-curve and
/// the finish histogram, which span the finishes, mark today as well.
#[tokio::test]
async fn the_forecast_s_curve_and_finish_histogram_mark_today_when_the_finishes_span_it() {
    let today = Utc::now().date_naive();
    for app in TestApp::spawn_all().await {
        let start = (today - Days::new(42)).to_string();
        let status_date = (today - Days::new(28)).to_string();
        let target_end = (today + Days::new(90)).to_string();
        let program = app
            .create_id(
                "/api/v1/programs",
                json!({"name": "Late", "start": start, "target_end": target_end, "status_date": status_date}),
            )
            .await;
        let project =
            app.create_id("/api/v1/projects", json!({"program_id": program, "name": "Run", "start": start})).await;
        app.create_id(
            "/api/v1/work-items",
            json!({"kind": "task", "project_id": project, "title": "Migrate",
                   "estimate": {"optimistic": 10, "most_likely": 20, "pessimistic": 40}}),
        )
        .await;
        let (page, forecast) = planned_page(&app, &program).await;
        let (p10, p95) = (forecast["finish"]["p10"].as_str(), forecast["finish"]["p95"].as_str());
        let today_text = today.to_string();
        assert!(p10 < Some(today_text.as_str()) && p95 > Some(today_text.as_str()), "{forecast}");

        assert_marks_today(chart(&page, "forecast-chart s-curve"), today);
        assert_marks_today(chart(&page, "forecast-chart finish-histogram"), today);
        assert_marks_today(chart(&page, "forecast-chart criticality-gantt"), today);
        assert_marks_today(chart(&page, "gantt"), today);
        // No team, no load histogram; the tornado has no date axis.
        assert!(svgs(&page, "histogram").is_empty(), "{page}");
        assert!(today_lines(chart(&page, "forecast-chart tornado")).is_empty(), "{page}");
    }
}
