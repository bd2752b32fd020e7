//! Program forecasts over real HTTP: `POST/GET /api/v1/programs/{id}/forecast` on both backends
//! with exact figures, staleness after an edit, problems for bad options, and the program page's
//! forecast section and form.

use chrono::NaiveDate;
use serde_json::{Value, json};
use tandem_domain::{
    DependencyFields, DependencyInput, DependencyKind, MilestoneFields, MilestoneInput, Name, NodeRef, Program,
    ProgramFields, ProgramInput, ProgramPhase, Project, ProjectFields, ProjectInput, RiskCategory, RiskFields,
    RiskInput, RiskResponse, RiskStatus, Store, Team, TeamFields, TeamInput, WorkItem, WorkItemFields, WorkItemInput,
    WorkItemKind, WorkItemStatus,
};
use tandem_test_support::app::{TestApp, json_response};
use tandem_test_support::conformance::tester;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("a real date")
}

async fn create_program(store: &dyn Store, name: &str) -> Program {
    let fields = ProgramFields::parse(ProgramInput {
        name: name.into(),
        goal: String::new(),
        sponsor: None,
        phase: ProgramPhase::Delivery,
        // A Monday: day 0.
        start: day(3, 2),
        target_end: day(12, 18),
        budget: None,
        currency: None,
        // Forecasts made as of the start, whatever today is.
        status_date: Some(day(3, 2)),
    })
    .expect("valid program");
    store.create_program(tester(), fields).await.expect("create program")
}

async fn project(store: &dyn Store, program: &Program, name: &str) -> Project {
    let fields = ProjectFields::parse(ProjectInput {
        program_id: program.id,
        name: name.into(),
        description: String::new(),
        manager: None,
        start: day(3, 2),
        budget: None,
    })
    .expect("valid project");
    store.create_project(tester(), fields).await.expect("create project")
}

async fn team(store: &dyn Store, name: &str, capacity: i64) -> Team {
    let fields = TeamFields::parse(TeamInput { name: name.into(), capacity, working_days: None, holidays: vec![] })
        .expect("valid team");
    store.create_team(tester(), fields).await.expect("create team")
}

async fn item(store: &dyn Store, project: &Project, title: &str, days: f64, team: &Team, people: i64) -> WorkItem {
    let fields = WorkItemFields::parse(WorkItemInput {
        kind: WorkItemKind::Story,
        project_id: Some(project.id),
        product_id: None,
        parent_id: None,
        title: title.into(),
        description: String::new(),
        status: WorkItemStatus::Ready,
        optimistic: days,
        most_likely: days,
        pessimistic: days,
        story_points: None,
        team_id: Some(team.id),
        people_needed: Some(people),
        released_on: None,
        percent_complete: None,
    })
    .expect("valid item");
    store.create_work_item(tester(), fields, None).await.expect("create item")
}

/// Certain estimates: A (2 days) and B (3 days) need both of Platform's people; C (1 day, Web)
/// follows A; milestone "Ledger live" follows C. Risk "Audit" always occurs and adds 2 days to C.
///
/// Links only: A 0-2, B 0-3, C 2-5 (1 + 2 days): the program ends at day 5 (Friday 6 March);
/// the plan without the risk ends at day 3 (Wednesday 4 March): 2 days of merge bias, all of it
/// the risk's. Through Platform's capacity, B waits for A (2-5), so the plan ends at day 5 too.
async fn certain_program(store: &dyn Store) -> (Program, Vec<WorkItem>) {
    let program = create_program(store, "Core banking").await;
    let project = project(store, &program, "Ledger").await;
    let platform = team(store, "Platform", 2).await;
    let web = team(store, "Web", 1).await;
    let a = item(store, &project, "A <b>& \"quoted\"</b>", 2.0, &platform, 2).await;
    let b = item(store, &project, "B", 3.0, &platform, 2).await;
    let c = item(store, &project, "C", 1.0, &web, 1).await;
    let milestone = store
        .create_milestone(
            tester(),
            MilestoneFields::parse(MilestoneInput {
                project_id: project.id,
                name: "Ledger live".into(),
                target_date: day(3, 31),
                deliverable: String::new(),
            })
            .expect("valid milestone"),
        )
        .await
        .expect("create milestone");
    for (from, to) in [
        (NodeRef::WorkItem(a.id), NodeRef::WorkItem(c.id)),
        (NodeRef::WorkItem(c.id), NodeRef::Milestone(milestone.id)),
    ] {
        let fields = DependencyFields::parse(DependencyInput {
            predecessor: from,
            successor: to,
            kind: DependencyKind::FinishToStart,
            lag_days: 0,
        })
        .expect("valid dependency");
        store.create_dependency(tester(), fields).await.expect("create dependency");
    }
    let risk = RiskFields::parse(RiskInput {
        program_id: program.id,
        project_id: None,
        title: "Audit".into(),
        cause: String::new(),
        effect: String::new(),
        owner: None,
        category: RiskCategory::Compliance,
        probability: 100,
        impact_optimistic: 2.0,
        impact_most_likely: 2.0,
        impact_pessimistic: 2.0,
        work_item_ids: vec![c.id],
        cost_impact: None,
        response: RiskResponse::Accept,
        mitigations: vec![],
        trigger: String::new(),
        status: RiskStatus::Open,
    })
    .expect("valid risk");
    store.create_risk(tester(), risk).await.expect("create risk");
    (program, vec![a, b, c])
}

fn certain(date: &str, days: i64) -> Value {
    json!({"p10": date, "p50": date, "p80": date, "p95": date,
        "working_days": {"p10": days, "p50": days, "p80": days, "p95": days, "mean": days as f64}})
}

#[tokio::test]
async fn post_computes_stores_and_get_reads_the_forecast_with_its_inputs() {
    for app in TestApp::spawn_all().await {
        let store = app.store().as_ref();
        let (program, items) = certain_program(store).await;
        let path = format!("/api/v1/programs/{}/forecast", program.id);
        let request = json!({"iterations": 400, "seed": 9, "mode": "network", "distribution": "triangular"});
        let (status, _, posted) = json_response(app.post_json(&path, &request).await).await;
        assert_eq!(status, 201, "{posted}");
        assert_eq!(
            posted["options"],
            json!({"iterations": 400, "seed": 9, "mode": "network", "distribution": "triangular"})
        );
        assert_eq!(posted["computed_by"], "admin");
        assert_eq!(posted["schedules_used"], Value::Null);
        assert_eq!(posted["activity_count"], 4);
        assert_eq!(posted["finish"], certain("2026-03-06", 5));
        assert_eq!(
            posted["plan"],
            json!({"finish": "2026-03-04", "working_days": 3, "probability": 0.0, "merge_bias_days": 2})
        );
        assert_eq!(posted["projects"][0]["name"], "Ledger");
        assert_eq!(posted["projects"][0]["finish"], certain("2026-03-06", 5));
        // The milestone takes no time; reached by finishing C (FS), it is dated on C's last day,
        // Friday, the program's finish (was the Monday after C, its own period's date).
        assert_eq!(posted["milestones"][0]["name"], "Ledger live");
        assert_eq!(posted["milestones"][0]["date"], certain("2026-03-06", 5));
        assert_eq!(posted["milestones"][0]["target_date"], "2026-03-31");
        assert_eq!(posted["milestones"][0]["p80_meets_target"], true);
        let activities: Vec<(String, i64, i64, i64, f64)> = posted["activities"]
            .as_array()
            .expect("activities")
            .iter()
            .map(|a| {
                (
                    a["title"].as_str().unwrap_or_default().to_owned(),
                    a["plan_start_day"].as_i64().unwrap_or(-1),
                    a["plan_finish_day"].as_i64().unwrap_or(-1),
                    a["finish"]["working_days"]["p80"].as_i64().unwrap_or(-1),
                    a["criticality"].as_f64().unwrap_or(-1.0),
                )
            })
            .collect();
        // A, C and the milestone drive the finish in every iteration; B never does.
        assert_eq!(
            activities,
            vec![
                (items[0].fields.title.to_string(), 0, 2, 2, 1.0),
                ("B".into(), 0, 3, 3, 0.0),
                ("C".into(), 2, 3, 5, 1.0),
                ("Ledger live".into(), 3, 3, 5, 1.0),
            ]
        );
        assert_eq!(posted["risks"].as_array().map(Vec::len), Some(1));
        assert_eq!(posted["risks"][0]["title"], "Audit");
        assert_eq!(posted["risks"][0]["probability"], 100);
        assert_eq!(posted["risks"][0]["p80_days"], 2);
        // Nothing varies, so nothing correlates: no drivers.
        assert_eq!(posted["drivers"], json!([]));
        assert_eq!(posted["histogram"], json!({"start_day": 5, "bin_width_days": 1, "counts": [400]}));
        assert_eq!(posted["s_curve"], json!([{"date": "2026-03-06", "working_days": 5, "probability": 1.0}]));
        assert_eq!(
            posted["convergence"],
            json!({"p80_first_half": 5, "p80_first_90_percent": 5, "p80": 5, "p80_shift_last_tenth": 0})
        );
        // Program, project, 3 items, milestone, 2 dependencies, 2 teams, the risk.
        assert_eq!(posted["inputs"]["versions"].as_array().map(Vec::len), Some(11));
        assert_eq!(posted["inputs"]["current"], true);

        let (status, _, got) = json_response(app.get(&path).await).await;
        assert_eq!(status, 200);
        assert_eq!(got, posted);

        // An edit after the forecast shows as a change until it runs again.
        let b = &items[1];
        let mut fields = b.fields.clone();
        fields.title = Name::parse("title", "B renamed").expect("valid title");
        store.update_work_item(tester(), b.id, b.meta.version, fields, None).await.expect("update");
        let (_, _, stale) = json_response(app.get(&path).await).await;
        assert_eq!(
            (&stale["inputs"]["changed"], &stale["inputs"]["added"], &stale["inputs"]["removed"]),
            (&json!(1), &json!(0), &json!(0))
        );
        assert_eq!(stale["inputs"]["current"], false);
        assert_eq!(stale["activities"][1]["title"], "B", "the stored forecast keeps the titles it read");

        // Through Platform's capacity B waits for A: the plan itself ends at day 5, no merge bias,
        // and the risk no longer moves the P80 (B ends there anyway).
        let (status, _, leveled) = json_response(app.post_json(&path, &json!({"iterations": 100})).await).await;
        assert_eq!(status, 201, "{leveled}");
        assert_eq!(leveled["options"]["mode"], "resources");
        assert_eq!(leveled["options"]["distribution"], "pert");
        assert!(leveled["schedules_used"].as_u64().unwrap_or(0) > 0);
        assert_eq!(leveled["finish"], certain("2026-03-06", 5));
        assert_eq!(leveled["plan"]["working_days"], 5);
        assert_eq!(leveled["plan"]["probability"], 1.0);
        assert_eq!(leveled["plan"]["merge_bias_days"], 0);
        assert_eq!(leveled["risks"][0]["p80_days"], 0);
        assert_eq!(leveled["inputs"]["current"], true);
    }
}

#[tokio::test]
async fn problems_for_missing_forecasts_and_bad_options_change_nothing() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let (program, _) = certain_program(store).await;
    let path = format!("/api/v1/programs/{}/forecast", program.id);

    let (status, content_type, body) = json_response(app.get(&path).await).await;
    assert_eq!((status, content_type.as_str()), (404, "application/problem+json"));
    assert_eq!(
        body,
        json!({
            "type": "urn:tandem:problem:no-forecast",
            "title": "No forecast",
            "status": 404,
            "detail": format!("no forecast computed yet for program {0}: POST /api/v1/programs/{0}/forecast computes one", program.id),
            "instance": path,
        })
    );

    let bad = json!({"iterations": 0, "mode": "fast", "distribution": "normal"});
    let (status, _, body) = json_response(app.post_json(&path, &bad).await).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"],
        json!([
            {"field": "mode", "code": "invalid", "message": "must be one of resources, network"},
            {"field": "distribution", "code": "invalid", "message": "must be one of pert, triangular"},
            {"field": "iterations", "code": "out_of_range", "message": "must be between 1 and 1000000"},
        ])
    );
    let (status, _, body) = json_response(app.post_json(&path, &json!({"runs": 5})).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "runs");
    assert_eq!(body["errors"][0]["code"], "unknown_field");
    let response = app
        .client
        .post(app.url(&path))
        .header("content-type", "text/plain")
        .body("iterations=5")
        .send()
        .await
        .expect("send POST");
    assert_eq!(response.status().as_u16(), 415);
    // None of them stored anything.
    assert_eq!(store.latest_program_forecast(program.id).await.expect("latest"), None);

    let empty = create_program(store, "Nothing yet").await;
    let (status, _, body) =
        json_response(app.post_json(&format!("/api/v1/programs/{}/forecast", empty.id), &json!({})).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "program");

    let unknown = "/api/v1/programs/0190b5a4-0000-7000-8000-000000000000/forecast";
    let (status, _, body) = json_response(app.post_json(unknown, &json!({})).await).await;
    assert_eq!(status, 404);
    assert_eq!(body["detail"], "program 0190b5a4-0000-7000-8000-000000000000 not found");

    // No body at all takes every default.
    let response = app.client.post(app.url(&path)).send().await.expect("send POST");
    let (status, _, body) = json_response(response).await;
    assert_eq!(status, 201);
    assert_eq!(body["options"], json!({"iterations": 1000, "seed": 1, "mode": "resources", "distribution": "pert"}));
}

/// The markup of the forecast chart whose class list starts with `class`.
fn chart<'a>(page: &'a str, class: &str) -> &'a str {
    let start = page.find(&format!("class=\"forecast-chart {class}\"")).expect("the page has the chart");
    let end = page[start..].find("</svg>").expect("the chart ends") + start;
    &page[start..end]
}

#[tokio::test]
async fn program_page_runs_the_forecast_and_draws_its_charts() {
    let app = TestApp::spawn().await;
    let (program, _) = certain_program(app.store().as_ref()).await;
    let page_path = format!("/programs/{}", program.id);
    let before = app.get(&page_path).await.text().await.expect("page");
    assert!(before.contains("No forecast yet."));
    assert!(before.contains(&format!("action=\"/programs/{}/forecast\"", program.id)));

    let form = |body: &'static str| {
        app.client
            .post(app.url(&format!("/programs/{}/forecast", program.id)))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let response = form("iterations=abc&mode=network").await.expect("send the form");
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.expect("page");
    assert!(page.contains("The forecast was not run: iterations must be a whole number."), "{page}");
    let response = form("iterations=50&mode=sideways").await.expect("send the form");
    assert_eq!(response.status().as_u16(), 422);
    assert!(
        response
            .text()
            .await
            .expect("page")
            .contains("The forecast was not run: mode must be one of resources, network.")
    );
    assert_eq!(app.store().latest_program_forecast(program.id).await.expect("latest"), None);

    let response = form("iterations=300&mode=network&distribution=pert&seed=4").await.expect("send the form");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        response.headers().get("location").and_then(|v| v.to_str().ok()),
        Some(format!("/programs/{}#forecast", program.id).as_str())
    );
    let page = app.get(&page_path).await.text().await.expect("page");
    assert!(page.contains("<dt>P80 finish</dt><dd><strong>2026-03-06</strong>"), "{page}");
    assert!(page.contains(
        "The single-point plan finishes on 2026-03-04 (3 working days); only 0 % of the iterations finished by then."
    ));
    assert!(page.contains("The P50 is 2026-03-06, <strong>2 working days later</strong>: the merge bias"));
    assert!(page.contains("than the latest of their averages) and the open risks."));
    assert!(page.contains("<td>Milestone</td><th scope=\"row\">Ledger live</th>"));
    assert!(page.contains("<span class=\"badge ok\">P80 meets it</span>"));
    assert!(page.contains(">Audit</a></th><td>100 %</td><td>2 working days</td>"));
    assert!(page.contains("Nothing varies: every estimate is certain and no risk is open."));
    let curve = chart(&page, "s-curve");
    assert_eq!(curve.matches("<circle").count(), 1);
    assert!(curve.contains("<title>100.0 % finished by 2026-03-06</title>"));
    let histogram = chart(&page, "finish-histogram");
    assert_eq!(histogram.matches("class=\"bar\"").count(), 1);
    assert!(histogram.contains("finish on 2026-03-06: 300 iterations (100.0 %)"));
    let gantt = chart(&page, "criticality-gantt");
    assert_eq!(gantt.matches("class=\"activity crit-high\"").count(), 3);
    assert_eq!(gantt.matches("class=\"activity crit-low\"").count(), 1);
    // Titles are escaped, never markup.
    assert!(gantt.contains("A &lt;b&gt;&amp; &quot;quoted&quot;&lt;/b&gt;"));
    assert!(!gantt.contains("<b>"));
}

#[tokio::test]
async fn work_ending_on_the_calendars_last_working_day_is_forecast_as_it_is_scheduled() {
    for app in TestApp::spawn_all().await {
        // From Monday 9999-12-27, "Build" takes five certain working days and ends on Friday the
        // 31st, the calendar's last working day; "Launch" has no work and starts that Friday.
        let program = app
            .create_id(
                "/api/v1/programs",
                json!({"name": "At the end", "start": "9999-12-27", "target_end": "9999-12-31"}),
            )
            .await;
        let build = app
            .create_id("/api/v1/projects", json!({"program_id": program, "name": "Build", "start": "9999-12-27"}))
            .await;
        app.create_id("/api/v1/projects", json!({"program_id": program, "name": "Launch", "start": "9999-12-31"}))
            .await;
        let team = app.create_id("/api/v1/teams", json!({"name": "Last week", "capacity": 1})).await;
        let task = app
            .create_id(
                "/api/v1/work-items",
                json!({"kind": "task", "project_id": build, "title": "Finish", "team_id": team,
                   "estimate": {"optimistic": 5, "most_likely": 5, "pessimistic": 5}}),
            )
            .await;

        let schedule_path = format!("/api/v1/programs/{program}/schedule");
        let (status, _, schedule) = json_response(app.post_json(&schedule_path, &json!({})).await).await;
        assert_eq!(status, 201, "{schedule}");
        assert_eq!(schedule["finish"], "9999-12-31");
        let forecast_path = format!("/api/v1/programs/{program}/forecast");
        for mode in ["resources", "network"] {
            let (status, _, forecast) =
                json_response(app.post_json(&forecast_path, &json!({"iterations": 50, "mode": mode})).await).await;
            assert_eq!(status, 201, "{mode}: {forecast}");
            assert_eq!(forecast["finish"], certain("9999-12-31", 5), "{mode}");
            assert_eq!(forecast["plan"]["finish"], "9999-12-31", "{mode}");
            assert_eq!(forecast["plan"]["working_days"], 5, "{mode}");
            assert_eq!(forecast["projects"][0]["name"], "Build");
            assert_eq!(forecast["projects"][0]["finish"], certain("9999-12-31", 5), "{mode}");
            assert_eq!(forecast["s_curve"], json!([{"date": "9999-12-31", "working_days": 5, "probability": 1.0}]));
        }
        let (status, _, stored) = json_response(app.get(&forecast_path).await).await;
        assert_eq!(status, 200, "{stored}");
        assert_eq!(stored["finish"], certain("9999-12-31", 5));
        let page = app.get(&format!("/programs/{program}")).await;
        assert_eq!(page.status().as_u16(), 200);

        // A milestone after the task (FS) is dated on the task's last day, the 31st: it fits the
        // calendar and both accept it (it used to be dated by its own period, the Monday after,
        // and refused).
        let milestone = app
            .create_id(
                "/api/v1/milestones",
                json!({"project_id": build, "name": "Shipped", "target_date": "9999-12-31"}),
            )
            .await;
        let link = app.create_id("/api/v1/dependencies",
            json!({"predecessor": {"type": "work_item", "id": task}, "successor": {"type": "milestone", "id": milestone}}),
        )
        .await;
        let (status, _, schedule) = json_response(app.post_json(&schedule_path, &json!({})).await).await;
        assert_eq!(status, 201, "{schedule}");
        assert_eq!(
            (&schedule["activities"][1]["start"], &schedule["activities"][1]["finish"]),
            (&json!("9999-12-31"), &json!("9999-12-31"))
        );
        assert_eq!(schedule["finish"], "9999-12-31");
        for mode in ["resources", "network"] {
            let (status, _, forecast) =
                json_response(app.post_json(&forecast_path, &json!({"iterations": 50, "mode": mode})).await).await;
            assert_eq!(status, 201, "{mode}: {forecast}");
            assert_eq!(forecast["milestones"][0]["date"], certain("9999-12-31", 5), "{mode}");
            assert_eq!(forecast["finish"], certain("9999-12-31", 5), "{mode}");
        }

        // Reached only by a start-to-start link 5 days after the task starts, it is dated by its
        // own period, the Monday after the 31st: past the calendar for both.
        let deleted = app.delete(&format!("/api/v1/dependencies/{link}")).await;
        assert_eq!(deleted.status().as_u16(), 204);
        app.create_id("/api/v1/dependencies",
            json!({"predecessor": {"type": "work_item", "id": task}, "successor": {"type": "milestone", "id": milestone},
                   "kind": "start_to_start", "lag_days": 5}),
        )
        .await;
        for (path, what) in [(&schedule_path, "the leveled schedule"), (&forecast_path, "the plan")] {
            let (status, _, body) = json_response(app.post_json(path, &json!({})).await).await;
            assert_eq!(status, 422, "{body}");
            assert_eq!(
                body["errors"],
                json!([{"field": "program", "code": "out_of_range", "message": format!(
                    "{what} would take 6 working days from 9999-12-27, past 9999-12-31, the last date Tandem plans to"
                )}])
            );
        }
    }
}
