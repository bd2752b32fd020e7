//! Hostile values over real HTTP on every backend: dates outside years 1 to 9999, text and list
//! cursors with a NUL character, and programs whose plan would run past 9999-12-31. Each is a 422
//! problem naming the field and the reason, and stores nothing; none is a 500.

use serde_json::{Value, json};
use tandem_test_support::app::{TestApp, assert_validation, json_response};

const DATE_RANGE: &str = "must be a date between 0001-01-01 and 9999-12-31";
const NUL: &str = "must not contain a NUL character";

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

async fn get(app: &TestApp, path: &str) -> Value {
    let (status, _, body) = json_response(app.get(path).await).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// Every record the tests below touch, created valid.
struct Fixture {
    program: String,
    project: String,
    product: String,
    item: Value,
    objective: Value,
}

async fn fixture(app: &TestApp) -> Fixture {
    let program = app
        .create("/api/v1/programs", &json!({"name": "Core", "start": "2026-01-05", "target_end": "2026-12-18"}))
        .await;
    let project = app
        .create("/api/v1/projects", &json!({"program_id": id_of(&program), "name": "Ledger", "start": "2026-02-02"}))
        .await;
    let product = app.create("/api/v1/products", &json!({"name": "App"})).await;
    app.create("/api/v1/teams", &json!({"name": "Platform", "capacity": 2})).await;
    let item = app
        .create(
            "/api/v1/work-items",
            &json!({
                "kind": "feature", "project_id": id_of(&project), "product_id": id_of(&product),
                "title": "Login", "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}
            }),
        )
        .await;
    let objective = app
        .create(
            "/api/v1/objectives",
            &json!({
                "product_id": id_of(&product), "title": "Grow", "quarter": "2026-Q3",
                "key_results": [{"metric": "Users", "baseline": 10, "target": 20}]
            }),
        )
        .await;
    Fixture { program: id_of(&program), project: id_of(&project), product: id_of(&product), item, objective }
}

#[tokio::test]
async fn dates_outside_years_1_to_9999_are_422_naming_the_field_and_store_nothing() {
    for app in TestApp::spawn_all().await {
        let f = fixture(&app).await;
        let (program, project, product) = (&f.program, &f.project, &f.product);
        let item = id_of(&f.item);
        let key_result = f.objective["key_results"][0]["id"].as_str().expect("a key result id").to_owned();
        let objective = id_of(&f.objective);
        // (method, path, body, the one field error expected)
        let cases: Vec<(&str, String, Value, &str)> = vec![
            (
                "POST",
                "/api/v1/programs".into(),
                json!({"name": "Far", "start": "+10000-01-03", "target_end": "9999-12-31"}),
                "start",
            ),
            (
                "POST",
                "/api/v1/programs".into(),
                json!({"name": "Far", "start": "2026-01-05", "target_end": "+10000-12-31"}),
                "target_end",
            ),
            (
                "PUT",
                format!("/api/v1/programs/{program}"),
                json!({"version": 1, "name": "Core", "start": "-0001-01-01", "target_end": "2026-12-18"}),
                "start",
            ),
            (
                "POST",
                "/api/v1/projects".into(),
                json!({"program_id": program, "name": "Far", "start": "-0001-01-01"}),
                "start",
            ),
            (
                "POST",
                "/api/v1/milestones".into(),
                json!({"project_id": project, "name": "Far", "target_date": "+10000-01-01"}),
                "target_date",
            ),
            (
                "POST",
                "/api/v1/work-items".into(),
                json!({
                    "kind": "task", "project_id": project, "title": "Far", "released_on": "0000-12-31",
                    "estimate": {"optimistic": 1, "most_likely": 1, "pessimistic": 1}
                }),
                "released_on",
            ),
            (
                "POST",
                "/api/v1/teams".into(),
                json!({"name": "Far", "capacity": 1, "holidays": ["2026-12-25", "+10000-01-01"]}),
                "holidays[1]",
            ),
            (
                "POST",
                "/api/v1/risks".into(),
                json!({
                    "program_id": program, "title": "Far", "category": "external", "probability": 50,
                    "schedule_impact": {"optimistic": 1, "most_likely": 2, "pessimistic": 3}, "response": "mitigate",
                    "mitigations": [{"description": "Act", "due_date": "+10000-01-01"}]
                }),
                "mitigations[0].due_date",
            ),
            (
                "POST",
                "/api/v1/objectives".into(),
                json!({"product_id": product, "title": "Far", "start": "2026-01-01", "end": "+10000-01-01"}),
                "end",
            ),
            (
                "POST",
                format!("/api/v1/objectives/{objective}/measurements"),
                json!({"key_result_id": key_result, "date": "-0001-06-30", "value": 12}),
                "date",
            ),
            (
                "PUT",
                format!("/api/v1/work-items/{item}/roadmap-entry"),
                json!({"planned_start": "2026-03-01", "planned_finish": "+10000-01-01"}),
                "planned_finish",
            ),
            (
                "POST",
                "/api/v1/insights".into(),
                json!({
                    "product_id": product, "source": "interview", "customer": "Acme", "date": "+10000-01-01",
                    "quote": "Faster, please", "importance": "important"
                }),
                "date",
            ),
            (
                "POST",
                format!("/api/v1/products/{product}/metrics"),
                json!({"date": "-0001-01-01", "kind": "adoption", "value": 40}),
                "date",
            ),
        ];
        for (method, path, body, field) in cases {
            let response = app.client.request(method.parse().unwrap(), app.url(&path)).json(&body).send().await;
            let response = response.unwrap_or_else(|e| panic!("{method} {path}: no answer ({e})"));
            assert_validation(response, &path, &[(field, "out_of_range", DATE_RANGE)]).await;
        }
        for (path, header, row) in [
            (
                format!("/api/v1/products/{product}/insights/import"),
                "date,source,customer,quote,importance",
                "+10000-01-01,interview,Acme,Faster,2",
            ),
            (format!("/api/v1/products/{product}/metrics/import"), "date,kind,value", "-0001-01-01,adoption,40"),
        ] {
            let text = format!("{header}\n{row}\n");
            let response =
                app.client.post(app.url(&path)).header("content-type", "text/csv").body(text).send().await.unwrap();
            assert_validation(response, &path, &[("rows[1].date", "out_of_range", DATE_RANGE)]).await;
        }
        let (status, _, body) =
            json_response(app.get(&format!("/api/v1/products/{product}/metrics?from=-0001-01-01")).await).await;
        assert_eq!(
            (status, body["errors"][0]["field"].as_str(), body["errors"][0]["code"].as_str()),
            (422, Some("from"), Some("out_of_range"))
        );

        // Nothing stored, nothing changed.
        assert_eq!(list(&app, "/api/v1/programs").await.len(), 1);
        assert_eq!(get(&app, &format!("/api/v1/programs/{program}")).await["version"], 1);
        assert_eq!(list(&app, "/api/v1/projects").await.len(), 1);
        assert_eq!(list(&app, "/api/v1/milestones").await.len(), 0);
        assert_eq!(list(&app, "/api/v1/work-items").await.len(), 1);
        assert_eq!(list(&app, "/api/v1/teams").await.len(), 1);
        assert_eq!(list(&app, "/api/v1/risks").await.len(), 0);
        assert_eq!(list(&app, &format!("/api/v1/products/{product}/objectives")).await.len(), 1);
        let objective = get(&app, &format!("/api/v1/objectives/{objective}")).await;
        assert_eq!(objective["key_results"][0]["measurements"], json!([]));
        assert_eq!(list(&app, &format!("/api/v1/insights?product_id={product}")).await.len(), 0);
        assert_eq!(list(&app, &format!("/api/v1/products/{product}/metrics")).await.len(), 0);
        assert_eq!(get(&app, &format!("/api/v1/work-items/{item}")).await["version"], f.item["version"]);
    }
}

#[tokio::test]
async fn a_nul_character_in_free_text_is_422_and_stores_nothing() {
    for app in TestApp::spawn_all().await {
        let f = fixture(&app).await;
        let (program, project, product) = (&f.program, &f.project, &f.product);
        let cases: Vec<(&str, String, Value, &str)> = vec![
            (
                "POST",
                "/api/v1/programs".into(),
                json!({"name": "Nul", "goal": "a\u{0}b", "start": "2026-01-05", "target_end": "2026-12-18"}),
                "goal",
            ),
            ("POST", "/api/v1/products".into(), json!({"name": "Nul", "vision": "\u{0}"}), "vision"),
            (
                "POST",
                "/api/v1/projects".into(),
                json!({"program_id": program, "name": "Nul", "start": "2026-02-02", "description": "end\u{0}"}),
                "description",
            ),
            (
                "PUT",
                format!("/api/v1/work-items/{}", id_of(&f.item)),
                json!({
                    "version": 1, "kind": "feature", "project_id": project, "product_id": product, "title": "Login",
                    "description": "x\u{0}", "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}
                }),
                "description",
            ),
            (
                "POST",
                "/api/v1/insights".into(),
                json!({
                    "product_id": product, "source": "interview", "customer": "Acme", "date": "2026-03-01",
                    "quote": "\u{0}", "importance": "important"
                }),
                "quote",
            ),
        ];
        for (method, path, body, field) in cases {
            let response = app.client.request(method.parse().unwrap(), app.url(&path)).json(&body).send().await;
            let response = response.unwrap_or_else(|e| panic!("{method} {path}: no answer ({e})"));
            assert_validation(response, &path, &[(field, "invalid", NUL)]).await;
        }
        // Line breaks, tabs and other control characters are text.
        let vision = "first line\r\n\tsecond line\u{7}";
        let kept = app.create("/api/v1/products", &json!({"name": "Lines", "vision": vision})).await;
        assert_eq!(kept["vision"], vision);

        assert_eq!(list(&app, "/api/v1/programs").await.len(), 1);
        assert_eq!(list(&app, "/api/v1/products").await.len(), 2);
        assert_eq!(list(&app, "/api/v1/projects").await.len(), 1);
        assert_eq!(get(&app, &format!("/api/v1/work-items/{}", id_of(&f.item))).await["version"], 1);
        assert_eq!(list(&app, &format!("/api/v1/insights?product_id={product}")).await.len(), 0);
    }
}

/// A program starting on `start` with one project and the given work items (title, three-point
/// estimate, people needed of one team of `capacity`); returns the program's id.
async fn program_at(app: &TestApp, start: &str, capacity: i64, items: &[(&str, [f64; 3], i64)]) -> String {
    let program = app
        .create(
            "/api/v1/programs",
            &json!({"name": format!("From {start}"), "start": start, "target_end": "9999-12-31"}),
        )
        .await;
    let project =
        app.create("/api/v1/projects", &json!({"program_id": id_of(&program), "name": "Long", "start": start})).await;
    let team = app.create("/api/v1/teams", &json!({"name": format!("Team {start}"), "capacity": capacity})).await;
    for (title, [optimistic, most_likely, pessimistic], people) in items {
        app.create(
            "/api/v1/work-items",
            &json!({
                "kind": "task", "project_id": id_of(&project), "title": title, "team_id": id_of(&team),
                "people_needed": people,
                "estimate": {"optimistic": optimistic, "most_likely": most_likely, "pessimistic": pessimistic}
            }),
        )
        .await;
    }
    id_of(&program)
}

async fn assert_nothing_stored(app: &TestApp, program: &str) {
    for what in ["schedule", "forecast"] {
        let (status, _, body) = json_response(app.get(&format!("/api/v1/programs/{program}/{what}")).await).await;
        assert_eq!(status, 404, "GET {what}: {body}");
    }
}

#[tokio::test]
async fn a_plan_that_would_run_past_9999_is_422_before_any_search_and_stores_nothing() {
    for app in TestApp::spawn_all().await {
        // Two items of 10,000 working days need the team's one person each: 20,000 working days
        // one after the other, from 9950: past 9999-12-31 whatever the order.
        let max = [10_000.0, 10_000.0, 10_000.0];
        let program = program_at(&app, "9950-01-03", 1, &[("A", max, 1), ("B", max, 1)]).await;
        let message = "the work of the program would take 20000 working days from 9950-01-03, past 9999-12-31, \
                       the last date Tandem plans to";
        for (what, body) in [("schedule", json!({"schedules": 10})), ("forecast", json!({"iterations": 10}))] {
            let path = format!("/api/v1/programs/{program}/{what}");
            let started = std::time::Instant::now();
            assert_validation(app.post_json(&path, &body).await, &path, &[("program", "out_of_range", message)]).await;
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "{what} took {:?}", started.elapsed());
        }
        assert_nothing_stored(&app, &program).await;
    }
}

#[tokio::test]
async fn a_leveled_schedule_or_a_forecast_ending_past_9999_is_422_and_stores_nothing() {
    for app in TestApp::spawn_all().await {
        // A needs both people, B one: each alone fits the lower bounds (critical path 10,000 days,
        // 15,000 days of work for two people), but they cannot overlap: 20,000 working days, from
        // 9935 past 9999-12-31.
        let max = [10_000.0, 10_000.0, 10_000.0];
        let program = program_at(&app, "9935-01-02", 2, &[("A", max, 2), ("B", max, 1)]).await;
        let path = format!("/api/v1/programs/{program}/schedule");
        let message = "the leveled schedule would take 20000 working days from 9935-01-02, past 9999-12-31, \
                       the last date Tandem plans to";
        assert_validation(
            app.post_json(&path, &json!({"schedules": 10})).await,
            &path,
            &[("program", "out_of_range", message)],
        )
        .await;
        let path = format!("/api/v1/programs/{program}/forecast");
        let message = "the plan would take 20000 working days from 9935-01-02, past 9999-12-31, \
                       the last date Tandem plans to";
        assert_validation(
            app.post_json(&path, &json!({"iterations": 10})).await,
            &path,
            &[("program", "out_of_range", message)],
        )
        .await;
        assert_nothing_stored(&app, &program).await;

        // The plan fits (PERT mean 1,667 days from 9990), but most simulated finishes do not.
        let program = program_at(&app, "9990-01-02", 1, &[("Unsure", [0.0, 0.0, 10_000.0], 1)]).await;
        let path = format!("/api/v1/programs/{program}/forecast");
        let (status, _, body) = json_response(
            app.post_json(&path, &json!({"iterations": 200, "distribution": "triangular", "mode": "network"})).await,
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["field"], "program");
        assert_eq!(body["errors"][0]["code"], "out_of_range");
        let message = body["errors"][0]["message"].as_str().expect("a message");
        assert!(message.starts_with("the forecast's latest finish would take "), "{message}");
        assert!(message.ends_with(" working days from 9990-01-02, past 9999-12-31, the last date Tandem plans to"));
        let path = format!("/api/v1/programs/{program}/schedule");
        let (status, _, schedule) = json_response(app.post_json(&path, &json!({"schedules": 10})).await).await;
        assert_eq!(status, 201, "the plan itself fits: {schedule}");
        assert_eq!(schedule["finish"].as_str().map(str::len), Some(10));
        let (status, _, _) = json_response(app.get(&format!("/api/v1/programs/{program}/forecast")).await).await;
        assert_eq!(status, 404);
    }
}

/// A program starting on `start` whose one task needs a team working Mondays only, with a
/// second project starting on `late_start`; returns the program's id.
async fn mondays_program(app: &TestApp, start: &str, late_start: &str) -> String {
    let team = app
        .create(
            "/api/v1/teams",
            &json!({"name": format!("Mondays {start} {late_start}"), "capacity": 1, "working_days": ["mon"]}),
        )
        .await;
    let program = app
        .create(
            "/api/v1/programs",
            &json!({"name": format!("Late {start} {late_start}"), "start": start, "target_end": "9999-12-31"}),
        )
        .await;
    let project =
        app.create("/api/v1/projects", &json!({"program_id": id_of(&program), "name": "Early", "start": start})).await;
    app.create("/api/v1/projects", &json!({"program_id": id_of(&program), "name": "Late", "start": late_start})).await;
    app.create(
        "/api/v1/work-items",
        &json!({
            "kind": "task", "project_id": id_of(&project), "title": "Monday job", "team_id": id_of(&team),
            "estimate": {"optimistic": 1, "most_likely": 1, "pessimistic": 1}
        }),
    )
    .await;
    id_of(&program)
}

#[tokio::test]
async fn the_program_calendar_ends_with_the_last_working_day_of_9999() {
    for app in TestApp::spawn_all().await {
        // Monday 9999-12-27 is the last Monday: a project starting on it is planned.
        let program = mondays_program(&app, "9999-12-20", "9999-12-27").await;
        let path = format!("/api/v1/programs/{program}/schedule");
        let (status, _, schedule) = json_response(app.post_json(&path, &json!({})).await).await;
        assert_eq!(status, 201, "{schedule}");
        assert_eq!((schedule["start"].as_str(), schedule["finish"].as_str()), (Some("9999-12-20"), Some("9999-12-20")));

        // A project starting the day after has no working day left.
        let program = mondays_program(&app, "9999-12-20", "9999-12-28").await;
        let path = format!("/api/v1/programs/{program}/schedule");
        let message = "the work of project Late starts on 9999-12-28, and the program's teams have no working day \
                       from then to 9999-12-31, the last date Tandem plans to";
        assert_validation(app.post_json(&path, &json!({})).await, &path, &[("program", "out_of_range", message)]).await;
        assert_nothing_stored(&app, &program).await;

        // Nor has a program starting then.
        let program = mondays_program(&app, "9999-12-28", "9999-12-28").await;
        for what in ["schedule", "forecast"] {
            let path = format!("/api/v1/programs/{program}/{what}");
            let message = "the program starts on 9999-12-28, and its teams have no working day from then to \
                           9999-12-31, the last date Tandem plans to";
            assert_validation(app.post_json(&path, &json!({})).await, &path, &[("program", "out_of_range", message)])
                .await;
        }
        assert_nothing_stored(&app, &program).await;
    }
}

#[tokio::test]
async fn a_nul_character_in_a_list_cursor_or_an_audit_filter_is_no_crash() {
    for app in TestApp::spawn_all().await {
        for cursor in ["%00", "a%00b", "not%20a%20username"] {
            let path = format!("/api/v1/users?cursor={cursor}");
            let message = "is not a cursor from a previous page of this list";
            assert_validation(app.get(&path).await, "/api/v1/users", &[("cursor", "invalid", message)]).await;
            let response = app.get(&format!("/admin/users?after={cursor}")).await;
            assert_eq!(response.status().as_u16(), 200, "/admin/users?after={cursor}");
        }
        // The record id filter takes a record id (a UUID) only: anything else is refused by name.
        for record in ["%00", "a%00b"] {
            let path = format!("/api/v1/audit?record_id={record}");
            let message = "must be a record id (a UUID)";
            assert_validation(app.get(&path).await, "/api/v1/audit", &[("record_id", "invalid", message)]).await;
            let response = app.get(&format!("/admin/audit?record_id={record}")).await;
            assert_eq!(response.status().as_u16(), 400, "/admin/audit?record_id={record}");
        }
        let (status, _, body) = json_response(app.get("/api/v1/users").await).await;
        assert_eq!((status, body["items"][0]["username"].as_str()), (200, Some("admin")));
    }
}
