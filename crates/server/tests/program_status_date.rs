//! A program's status date over real HTTP, on both backends: the API stores, returns, replaces
//! and clears it, refusing a malformed one on its field; scheduling starts open work on it (or,
//! without one, on the first working day from today); the program's form edits it and its page
//! shows it.

use chrono::{Datelike, NaiveDate, Weekday};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tandem_test_support::app::{TestApp, assert_validation, json_response};

const FORM: &str = "must be a date in the form YYYY-MM-DD";

/// The program as stored, read back over the API.
async fn stored(app: &TestApp, program: &str) -> Value {
    let (status, _, body) = json_response(app.get(&format!("/api/v1/programs/{program}")).await).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn replacement(version: i64, status_date: Value) -> Value {
    json!({"version": version, "name": "Ledger", "start": "2026-03-02", "target_end": "2026-12-18",
        "status_date": status_date})
}

#[tokio::test]
async fn the_api_stores_replaces_and_clears_the_status_date_and_refuses_a_malformed_one() {
    for app in TestApp::spawn_all().await {
        // Absent: none.
        let plain = app
            .create("/api/v1/programs", &json!({"name": "Plain", "start": "2026-03-02", "target_end": "2026-12-18"}))
            .await;
        assert_eq!(plain["status_date"], Value::Null, "{plain}");

        let created = app
            .create(
                "/api/v1/programs",
                &json!({"name": "Ledger", "start": "2026-03-02", "target_end": "2026-12-18",
                    "status_date": "2026-03-11"}),
            )
            .await;
        assert_eq!(created["status_date"], "2026-03-11", "{created}");
        let program = created["id"].as_str().expect("id").to_owned();
        let path = format!("/api/v1/programs/{program}");
        assert_eq!(stored(&app, &program).await, created);

        let (status, _, moved) = json_response(app.put_json(&path, &replacement(1, json!("2026-04-01"))).await).await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!((moved["status_date"].as_str(), moved["version"].as_i64()), (Some("2026-04-01"), Some(2)));
        assert_eq!(stored(&app, &program).await, moved);

        // Malformed values: 422 on the field, on create and on replace; nothing stored.
        let invalid_type = "invalid type: integer `5`, expected a date in the form YYYY-MM-DD";
        for (value, code, message) in [
            (json!("2026-13-01"), "invalid_date", FORM),
            (json!("26-03-01"), "invalid_date", FORM),
            (json!(5), "invalid_type", invalid_type),
        ] {
            let body = json!({"name": "Bad", "start": "2026-03-02", "target_end": "2026-12-18", "status_date": value});
            assert_validation(
                app.post_json("/api/v1/programs", &body).await,
                "/api/v1/programs",
                &[("status_date", code, message)],
            )
            .await;
            assert_validation(
                app.put_json(&path, &replacement(2, value.clone())).await,
                &path,
                &[("status_date", code, message)],
            )
            .await;
        }
        assert_eq!(stored(&app, &program).await, moved, "unchanged");
        let (_, _, list) = json_response(app.get("/api/v1/programs").await).await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(2), "{list}");

        // `null`, like leaving it out, clears it.
        let (status, _, cleared) = json_response(app.put_json(&path, &replacement(2, Value::Null)).await).await;
        assert_eq!(status, 200, "{cleared}");
        assert_eq!((&cleared["status_date"], cleared["version"].as_i64()), (&Value::Null, Some(3)));
        assert_eq!(stored(&app, &program).await, cleared);
        let mut set_again = replacement(3, json!("2026-03-11"));
        let (status, _, _) = json_response(app.put_json(&path, &set_again).await).await;
        assert_eq!(status, 200);
        set_again.as_object_mut().expect("an object").remove("status_date");
        set_again["version"] = json!(4);
        let (status, _, omitted) = json_response(app.put_json(&path, &set_again).await).await;
        assert_eq!((status, &omitted["status_date"]), (200, &Value::Null), "{omitted}");
    }
}

/// The first Monday-to-Friday day on or after `day`.
fn first_weekday_from(mut day: NaiveDate) -> NaiveDate {
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day = day.succ_opt().expect("a next day");
    }
    day
}

/// A program starting Monday 2026-03-02 with one project and one 3-day task for a team working
/// Monday to Friday; returns the program's id.
async fn program_with_a_task(app: &TestApp, status_date: Value) -> String {
    let program = app
        .create_id(
            "/api/v1/programs",
            json!({"name": "Ledger", "start": "2026-03-02", "target_end": "2027-12-17", "status_date": status_date}),
        )
        .await;
    let project =
        app.create_id("/api/v1/projects", json!({"program_id": program, "name": "Core", "start": "2026-03-02"})).await;
    let team = app.create_id("/api/v1/teams", json!({"name": "Crew", "capacity": 1})).await;
    app.create_id(
        "/api/v1/work-items",
        json!({"kind": "task", "project_id": project, "title": "Migrate", "team_id": team,
            "estimate": {"optimistic": 3, "most_likely": 3, "pessimistic": 3}}),
    )
    .await;
    program
}

/// Schedules `program` over HTTP: the task's (start, finish) and the schedule's diagnostics.
async fn schedule(app: &TestApp, program: &str) -> (String, String, Vec<String>) {
    let (status, _, schedule) =
        json_response(app.post_json(&format!("/api/v1/programs/{program}/schedule"), &json!({})).await).await;
    assert_eq!(status, 201, "{schedule}");
    let task = schedule["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .find(|a| a["title"] == "Migrate")
        .expect("the task's entry")
        .clone();
    let text = |v: &Value| v.as_str().expect("a date").to_owned();
    let diagnostics = schedule["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d.as_str().expect("a line").to_owned())
        .collect();
    (text(&task["start"]), text(&task["finish"]), diagnostics)
}

#[tokio::test]
async fn scheduling_starts_open_work_on_the_status_date_or_else_today() {
    for app in TestApp::spawn_all().await {
        // Wednesday 2026-03-11, nine days after the start: three days to Friday the 13th.
        let program = program_with_a_task(&app, json!("2026-03-11")).await;
        let (start, finish, diagnostics) = schedule(&app, &program).await;
        assert_eq!((start.as_str(), finish.as_str()), ("2026-03-11", "2026-03-13"));
        let line = "open work starts no earlier than the program's status date, 2026-03-11";
        assert!(diagnostics.iter().any(|d| d == line), "{diagnostics:?}");

        // None: the day the schedule is computed (a run across midnight UTC may see either day).
        let program = program_with_a_task(&app, Value::Null).await;
        let before = chrono::Utc::now().date_naive();
        let (start, _, diagnostics) = schedule(&app, &program).await;
        let after = chrono::Utc::now().date_naive();
        let today = [before, after]
            .into_iter()
            .find(|day| first_weekday_from(*day).to_string() == start)
            .unwrap_or_else(|| panic!("the task starts on {start}, not on the first working day from {before}"));
        let line = format!("open work starts no earlier than today, {today} (the program has no status date)");
        assert!(diagnostics.contains(&line), "{diagnostics:?}");
    }
}

/// The edit form's fields for the program as `program_with_a_task` made it.
fn edit_form(version: &str, status_date: &str) -> Vec<(&'static str, String)> {
    [
        ("version", version),
        ("name", "Ledger"),
        ("goal", ""),
        ("sponsor", ""),
        ("phase", "definition"),
        ("start", "2026-03-02"),
        ("target_end", "2027-12-17"),
        ("budget", ""),
        ("currency", "USD"),
        ("status_date", status_date),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect()
}

async fn post_edit(app: &TestApp, program: &str, form: &[(&'static str, String)]) -> (StatusCode, String) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let (status, _, html) = app.post_form(&format!("/programs/{program}"), &pairs).await;
    (status, html)
}

async fn program_page(app: &TestApp, program: &str) -> String {
    let response = app.get(&format!("/programs/{program}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("the page")
}

#[tokio::test]
async fn the_program_form_edits_the_status_date_and_the_page_shows_it() {
    for app in TestApp::spawn_all().await {
        let program = program_with_a_task(&app, Value::Null).await;
        let page = program_page(&app, &program).await;
        assert!(
            page.contains(
                "<dt>Status date</dt><dd><span class=\"muted\">not set (plans start open work today)</span></dd>"
            ),
            "{page}"
        );
        let form = app.get(&format!("/programs/{program}/edit")).await.text().await.expect("the form");
        assert!(form.contains("type=\"date\" id=\"field-status_date\" name=\"status_date\" value=\"\""), "{form}");
        assert!(
            form.contains(
                "Plans and forecasts start open work no earlier than this day. Empty: the day they are computed."
            ),
            "{form}"
        );

        let (status, html) = post_edit(&app, &program, &edit_form("1", "2026-03-11")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let program_json = stored(&app, &program).await;
        assert_eq!(
            (program_json["status_date"].as_str(), program_json["version"].as_i64()),
            (Some("2026-03-11"), Some(2))
        );
        let page = program_page(&app, &program).await;
        assert!(page.contains("<dt>Status date</dt><dd>2026-03-11</dd>"), "{page}");
        let form = app.get(&format!("/programs/{program}/edit")).await.text().await.expect("the form");
        assert!(form.contains("name=\"status_date\" value=\"2026-03-11\""), "the stored date is offered: {form}");

        // A malformed date: the form again, with the error on the field and the value as typed.
        for bad in ["2026-13-01", "26-03-01", "11/03/2026"] {
            let (status, html) = post_edit(&app, &program, &edit_form("2", bad)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {html}");
            assert!(
                html.contains(&format!(
                    "id=\"field-status_date-error\"><span class=\"visually-hidden\">Error:</span> {FORM}"
                )),
                "{bad}: {html}"
            );
            assert!(html.contains(&format!("name=\"status_date\" value=\"{bad}\"")), "{bad}: kept as typed: {html}");
        }
        assert_eq!(stored(&app, &program).await, program_json, "nothing stored");

        // Emptied: cleared.
        let (status, html) = post_edit(&app, &program, &edit_form("2", " ")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        assert_eq!(stored(&app, &program).await["status_date"], Value::Null);

        // After the target end (2027-12-17): kept, and the page warns.
        let (status, html) = post_edit(&app, &program, &edit_form("3", "2099-01-01")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let page = program_page(&app, &program).await;
        assert!(
            page.contains(
                "<dt>Status date</dt><dd>2099-01-01 <span class=\"badge late\">after the target end: every plan \
                 starts later</span></dd>"
            ),
            "{page}"
        );
    }
}

/// A schedule and a forecast made as of an earlier day, for a program planned as of today (no
/// status date), say so on the program page until they are computed again.
#[tokio::test]
async fn plans_made_as_of_an_earlier_day_say_so_until_computed_again() {
    for app in TestApp::spawn_all().await {
        let program = program_with_a_task(&app, json!("2026-03-02")).await;
        schedule(&app, &program).await;
        let forecast_path = format!("/api/v1/programs/{program}/forecast");
        let (status, _, forecast) =
            json_response(app.post_json(&forecast_path, &json!({"iterations": 20})).await).await;
        assert_eq!(status, 201, "{forecast}");
        let schedule_notice = "This schedule was made as of 2026-03-02: work it planned before today may not have \
                               started. Compute it again to plan open work from today.";
        let forecast_notice = "This forecast was made as of 2026-03-02: work it planned before today may not have \
                               started. Run it again to plan open work from today.";
        // With the status date, the plans are as of it: no notice.
        let html = program_page(&app, &program).await;
        assert!(!html.contains("may not have started"), "{html}");

        // The status date cleared: the program is planned as of today, the stored plans are not.
        let (_, _, current) = json_response(app.get(&format!("/api/v1/programs/{program}")).await).await;
        let replacement = json!({"version": current["version"], "name": "Ledger", "start": "2026-03-02",
            "target_end": "2027-12-17", "status_date": null});
        let (status, _, _) =
            json_response(app.put_json(&format!("/api/v1/programs/{program}"), &replacement).await).await;
        assert_eq!(status, 200);
        let html = program_page(&app, &program).await;
        assert!(html.contains(schedule_notice), "{html}");
        assert!(html.contains(forecast_notice), "{html}");

        // Computed again, as of today.
        schedule(&app, &program).await;
        let (status, _, _) = json_response(app.post_json(&forecast_path, &json!({"iterations": 20})).await).await;
        assert_eq!(status, 201);
        let html = program_page(&app, &program).await;
        assert!(!html.contains("may not have started"), "{html}");
    }
}

#[tokio::test]
async fn the_programs_list_shows_each_programs_status_date() {
    let app = TestApp::spawn().await;
    for (name, status_date) in [("Dated", json!("2026-03-11")), ("Undated", Value::Null)] {
        app.create(
            "/api/v1/programs",
            &json!({"name": name, "start": "2026-03-02", "target_end": "2026-12-18", "status_date": status_date}),
        )
        .await;
    }
    let html = app.get("/programs").await.text().await.expect("the page");
    let row = |name: &str| -> String {
        let at = html.find(&format!(">{name}</a>")).unwrap_or_else(|| panic!("no row for {name}"));
        let end = at + html[at..].find("</tr>").expect("the row ends");
        html[at..end].to_owned()
    };
    assert!(html.contains("<th scope=\"col\">Status date</th>"));
    assert!(row("Dated").contains("<td>2026-03-11</td>"), "{}", row("Dated"));
    assert!(row("Undated").contains("<td><span class=\"muted\">today</span></td>"), "{}", row("Undated"));
}
