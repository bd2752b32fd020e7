//! Program schedules over real HTTP: `POST/GET /api/v1/programs/{id}/schedule` on both backends,
//! the program page's Gantt chart, and the demo program leveled within every team's capacity.

use chrono::NaiveDate;
use serde_json::json;
use tandem_domain::planning::{ScheduleOptions, build_problem, load_planning_input, plan};
use tandem_domain::{
    DependencyFields, DependencyInput, DependencyKind, MilestoneFields, MilestoneInput, NodeRef, Program,
    ProgramFields, ProgramInput, ProgramPhase, Project, ProjectFields, ProjectInput, Store, Team, TeamFields,
    TeamInput, WorkItem, WorkItemFields, WorkItemInput, WorkItemKind, WorkItemStatus,
};
use tandem_engine::{Schedule, check_schedule};
use tandem_test_support::app::{TestApp, json_response};
use tandem_test_support::db::TestDb;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("a real date")
}

async fn create_program(store: &dyn Store, name: &str) -> Program {
    let fields = ProgramFields::parse(ProgramInput {
        name: name.into(),
        goal: String::new(),
        sponsor: None,
        phase: ProgramPhase::Delivery,
        start: day(3, 2),
        target_end: day(12, 18),
        budget: None,
        currency: None,
        // Plans made as of the start, whatever today is.
        status_date: Some(day(3, 2)),
    })
    .expect("valid program");
    store.create_program(tandem_test_support::conformance::tester(), fields).await.expect("create program")
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
    store.create_project(tandem_test_support::conformance::tester(), fields).await.expect("create project")
}

async fn team(store: &dyn Store, name: &str, capacity: i64) -> Team {
    let fields = TeamFields::parse(TeamInput { name: name.into(), capacity, working_days: None, holidays: vec![] })
        .expect("valid team");
    store.create_team(tandem_test_support::conformance::tester(), fields).await.expect("create team")
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
    store.create_work_item(tandem_test_support::conformance::tester(), fields, None).await.expect("create item")
}

/// A and B need both of Platform's two people, so they run one after the other; C (Web) follows
/// A, and the milestone follows C. Only A first reaches 5 working days (B first takes 6); the
/// critical path alone is 3 days.
async fn small_program(store: &dyn Store) -> (Program, Vec<WorkItem>) {
    let program = create_program(store, "Core banking").await;
    let project = project(store, &program, "Ledger").await;
    let platform = team(store, "Platform", 2).await;
    let web = team(store, "Web", 1).await;
    let a = item(store, &project, "A <b>& \"quoted\"</b>", 2.0, &platform, 2).await;
    let b = item(store, &project, "B", 3.0, &platform, 2).await;
    let c = item(store, &project, "C", 1.0, &web, 1).await;
    let milestone = store
        .create_milestone(
            tandem_test_support::conformance::tester(),
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
        store.create_dependency(tandem_test_support::conformance::tester(), fields).await.expect("create dependency");
    }
    (program, vec![a, b, c])
}

#[tokio::test]
async fn post_computes_and_get_reads_the_same_schedule() {
    for app in TestApp::spawn_all().await {
        let (program, items) = small_program(app.store().as_ref()).await;
        let path = format!("/api/v1/programs/{}/schedule", program.id);
        let (status, _, posted) = json_response(app.post_json(&path, &json!({"schedules": 50, "seed": 7})).await).await;
        assert_eq!(status, 201, "{posted}");
        assert_eq!(posted["options"], json!({"schedules": 50, "seed": 7, "time_limit_ms": null}));
        assert_eq!(posted["start"], "2026-03-02");
        assert_eq!(posted["makespan_days"], 5);
        assert_eq!(posted["finish"], "2026-03-06");
        assert_eq!(posted["critical_path_days"], 3);
        assert_eq!(posted["critical_path_finish"], "2026-03-04");
        assert_eq!(posted["diagnostics"], json!([]));
        let activities: Vec<(String, String, String, bool)> = posted["activities"]
            .as_array()
            .expect("activities")
            .iter()
            .map(|a| {
                (
                    a["title"].as_str().unwrap_or_default().to_owned(),
                    a["start"].as_str().unwrap_or_default().to_owned(),
                    a["finish"].as_str().unwrap_or_default().to_owned(),
                    a["critical"].as_bool().unwrap_or_default(),
                )
            })
            .collect();
        // B finishes last, driven by A releasing Platform's people: A and B are critical. The
        // milestone, reached by finishing C (FS), is dated on C's last day (it used to sit on the
        // working day after C).
        assert_eq!(
            activities,
            vec![
                (items[0].fields.title.to_string(), "2026-03-02".into(), "2026-03-03".into(), true),
                ("B".into(), "2026-03-04".into(), "2026-03-06".into(), true),
                ("C".into(), "2026-03-04".into(), "2026-03-04".into(), false),
                ("Ledger live".into(), "2026-03-04".into(), "2026-03-04".into(), false),
            ]
        );
        assert_eq!(
            posted["links"],
            json!([
                {"predecessor": 0, "successor": 2, "kind": "finish_to_start", "lag_days": 0},
                {"predecessor": 2, "successor": 3, "kind": "finish_to_start", "lag_days": 0},
            ])
        );
        assert_eq!(
            posted["team_loads"],
            json!([
                {"team_id": items[0].fields.team_id.map(|t| t.to_string()), "name": "Platform", "load": [2, 2, 2, 2, 2], "capacity": [2, 2, 2, 2, 2]},
                {"team_id": items[2].fields.team_id.map(|t| t.to_string()), "name": "Web", "load": [0, 0, 1, 0, 0], "capacity": [1, 1, 1, 1, 1]},
            ])
        );

        let (status, _, got) = json_response(app.get(&path).await).await;
        assert_eq!(status, 200);
        assert_eq!(got, posted);
    }
}

#[tokio::test]
async fn in_progress_work_is_scheduled_with_what_its_percent_complete_leaves() {
    for app in TestApp::spawn_all().await {
        let (program, items) = small_program(app.store().as_ref()).await;
        // B (3 days, both of Platform's people) is two thirds done: one day is left.
        let path = format!("/api/v1/work-items/{}", items[1].id);
        let (_, _, b) = json_response(app.get(&path).await).await;
        let mut update = b.clone();
        for read_only in ["id", "created_at", "updated_at"] {
            update.as_object_mut().expect("object").remove(read_only);
        }
        update["status"] = json!("in_progress");
        update["percent_complete"] = json!(67);
        let (status, _, updated) = json_response(app.put_json(&path, &update).await).await;
        assert_eq!((status, &updated["percent_complete"]), (200, &json!(67)), "{updated}");

        let schedule = format!("/api/v1/programs/{}/schedule", program.id);
        let (status, _, posted) =
            json_response(app.post_json(&schedule, &json!({"schedules": 50, "seed": 7})).await).await;
        assert_eq!(status, 201, "{posted}");
        // B's last day resumes first, on the status date; A (2 days) follows on Platform and C
        // (Web) after A: 4 days, not 5.
        assert_eq!((&posted["makespan_days"], &posted["finish"]), (&json!(4), &json!("2026-03-05")));
        let b_entry = posted["activities"]
            .as_array()
            .expect("activities")
            .iter()
            .find(|a| a["title"] == "B")
            .expect("B is scheduled")
            .clone();
        assert_eq!(b_entry["duration_days"], 1, "{b_entry}");
        assert_eq!((&b_entry["start"], &b_entry["finish"]), (&json!("2026-03-02"), &json!("2026-03-02")));

        // A wrong percent is refused and changes nothing.
        update["version"] = updated["version"].clone();
        update["percent_complete"] = json!(120);
        let (status, _, refused) = json_response(app.put_json(&path, &update).await).await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(
            refused["errors"],
            json!([{"field": "percent_complete", "code": "out_of_range", "message": "must be between 0 and 100"}])
        );
        let (_, _, stored) = json_response(app.get(&path).await).await;
        assert_eq!(stored, updated);

        // A client that leaves the field out keeps the stored progress; a done item is all done.
        update.as_object_mut().expect("object").remove("percent_complete");
        update["title"] = json!("B, renamed");
        let (status, _, renamed) = json_response(app.put_json(&path, &update).await).await;
        assert_eq!((status, &renamed["title"], &renamed["percent_complete"]), (200, &json!("B, renamed"), &json!(67)));
        update["version"] = renamed["version"].clone();
        update["status"] = json!("done");
        let (status, _, done) = json_response(app.put_json(&path, &update).await).await;
        assert_eq!((status, &done["percent_complete"]), (200, &json!(100)), "{done}");
    }
}

#[tokio::test]
async fn problems_for_missing_schedules_programs_and_bad_options() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let (program, _) = small_program(store).await;
    let path = format!("/api/v1/programs/{}/schedule", program.id);

    let (status, content_type, body) = json_response(app.get(&path).await).await;
    assert_eq!((status, content_type.as_str()), (404, "application/problem+json"));
    assert_eq!(
        body,
        json!({
            "type": "urn:tandem:problem:no-schedule",
            "title": "No schedule",
            "status": 404,
            "detail": format!("no schedule computed yet for program {0}: POST /api/v1/programs/{0}/schedule computes one", program.id),
            "instance": path,
        })
    );

    let unknown = "/api/v1/programs/0190b5a4-0000-7000-8000-000000000000/schedule";
    let (status, _, body) = json_response(app.post_json(unknown, &json!({})).await).await;
    assert_eq!(status, 404);
    assert_eq!(body["detail"], "program 0190b5a4-0000-7000-8000-000000000000 not found");

    let (status, _, body) =
        json_response(app.post_json(&path, &json!({"schedules": 0, "time_limit_ms": 0})).await).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"],
        json!([
            {"field": "schedules", "code": "out_of_range", "message": "must be between 1 and 100000"},
            {"field": "time_limit_ms", "code": "out_of_range", "message": "must be between 1 and 600000 milliseconds"},
        ])
    );
    let (status, _, body) = json_response(app.post_json(&path, &json!({"budget": 5})).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "budget");
    assert_eq!(body["errors"][0]["code"], "unknown_field");

    let empty = create_program(store, "Nothing yet").await;
    let (status, _, body) =
        json_response(app.post_json(&format!("/api/v1/programs/{}/schedule", empty.id), &json!({})).await).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"],
        json!([{
            "field": "program",
            "code": "nothing_to_schedule",
            "message": "the program has no open work items and no milestones to schedule",
        }])
    );

    // No body at all takes every default.
    let response = app.client.post(app.url(&path)).send().await.expect("send POST");
    let (status, _, body) = json_response(response).await;
    assert_eq!(status, 201);
    assert_eq!(body["options"], json!({"schedules": 2000, "seed": 1, "time_limit_ms": null}));
}

/// The part of the page between the Gantt chart's opening tag and its end.
fn gantt_markup(page: &str) -> &str {
    let start = page.find("class=\"gantt\"").expect("the page has a Gantt chart");
    let end = page[start..].find("</svg>").expect("the chart ends") + start;
    &page[start..end]
}

#[tokio::test]
async fn program_page_computes_and_draws_the_gantt_chart() {
    let app = TestApp::spawn().await;
    let (program, _) = small_program(app.store().as_ref()).await;
    let page_path = format!("/programs/{}", program.id);
    let before = app.get(&page_path).await.text().await.expect("page");
    assert!(before.contains("No schedule computed yet."));
    assert!(before.contains(&format!("action=\"/programs/{}/schedule\"", program.id)));

    let response = app
        .client
        .post(app.url(&format!("/programs/{}/schedule", program.id)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("send the form");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        response.headers().get("location").and_then(|v| v.to_str().ok()),
        Some(format!("/programs/{}#schedule", program.id).as_str())
    );

    let page = app.get(&page_path).await.text().await.expect("page");
    assert!(page.contains("<dt>Finish</dt><dd>2026-03-06"));
    assert!(page.contains("<dt>Critical path bound</dt><dd>2026-03-04"));
    let gantt = gantt_markup(&page);
    assert_eq!(gantt.matches("class=\"bar\"").count(), 1);
    assert_eq!(gantt.matches("class=\"bar critical\"").count(), 2);
    assert_eq!(gantt.matches("class=\"milestone\"").count(), 1);
    assert_eq!(gantt.matches("marker-end=\"url(#arrow-head)\"").count(), 2);
    assert!(gantt.contains(">Mar 2026</text>"));
    // The title is escaped in labels and tooltips, never markup.
    assert!(gantt.contains("A &lt;b&gt;&amp; &quot;quoted&quot;&lt;/b&gt;"));
    assert!(!gantt.contains("<b>"));
    assert_eq!(page.matches("class=\"histogram\"").count(), 2);
}

#[tokio::test]
async fn a_schedule_spanning_centuries_draws_a_page_as_small_as_a_short_one() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    // Twenty items of 10,000 working days for one person: 200,000 working days, past year 2700.
    let program = create_program(store, "Centuries").await;
    let project = project(store, &program, "Long haul").await;
    let solo = team(store, "Solo", 1).await;
    for n in 0..20 {
        item(store, &project, &format!("Stage {n}"), 10_000.0, &solo, 1).await;
    }
    let path = format!("/api/v1/programs/{}/schedule", program.id);
    let (status, _, schedule) = json_response(app.post_json(&path, &json!({"schedules": 5})).await).await;
    assert_eq!(status, 201, "{schedule}");
    assert_eq!(schedule["makespan_days"], 200_000);

    let page = app.get(&format!("/programs/{}", program.id)).await.text().await.expect("page");
    // One load bar for the one person busy every day, not one per day; a few dozen axis ticks.
    assert!(page.len() < 200_000, "the page takes {} bytes", page.len());
    assert_eq!(page.matches("class=\"histogram\"").count(), 1);
    assert_eq!(page.matches("class=\"load-bar\"").count(), 1);
    assert!(page.contains("2026-03-02 to "), "the bar's tooltip names its days");
    let gantt = gantt_markup(&page);
    let ticks = gantt.matches("class=\"tick\"").count();
    assert!((2..=48).contains(&ticks), "{ticks} ticks");
}

#[tokio::test]
async fn demo_program_respects_every_team_capacity() {
    let db = TestDb::sqlite().await;
    let store = db.store.as_ref();
    tandem_domain::demo::load_demo(store).await.expect("load the demo");
    let programs = store
        .list_programs(&tandem_domain::ProgramFilter::default(), &tandem_domain::PageRequest::first(10))
        .await
        .expect("programs");
    let input = load_planning_input(store, programs.items[0].id).await.expect("load");
    let planned = build_problem(&input, input.program.fields.dates.start()).expect("the demo builds a problem");
    let options = ScheduleOptions::new(Some(300), Some(3), None).expect("valid options");
    let schedule = plan(&input, options, tandem_domain::record::now()).expect("the demo schedules");
    let engine_schedule = Schedule {
        start: schedule.entries.iter().map(|e| e.start_period).collect(),
        finish: schedule.entries.iter().map(|e| e.finish_period).collect(),
    };
    assert_eq!(check_schedule(&planned.problem, &engine_schedule), Ok(()));
    assert!(schedule.makespan >= schedule.critical_path_makespan);
    for load in schedule.team_loads(&input.teams) {
        for (t, (people, capacity)) in load.load.iter().zip(&load.capacity).enumerate() {
            assert!(
                people <= capacity,
                "{} has {people} of {capacity} people busy on {}",
                load.name,
                schedule.periods[t]
            );
        }
    }
    assert!(schedule.entries.iter().any(|e| e.critical));
}

#[tokio::test]
async fn computing_an_empty_program_from_its_page_says_why_not() {
    let app = TestApp::spawn().await;
    let empty = create_program(app.store().as_ref(), "Nothing yet").await;
    let response = app
        .client
        .post(app.url(&format!("/programs/{}/schedule", empty.id)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("send the form");
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.expect("page");
    assert!(
        page.contains(
            "The schedule was not computed: the program has no open work items and no milestones to schedule."
        ),
        "{page}"
    );
    assert!(page.contains("No schedule computed yet."));
}
