//! A program's work done over real HTTP on both backends: `GET /api/v1/programs/{id}/progress`
//! (leaf items by PERT mean, done whole, others by percent complete, cancelled and summaries
//! left out; projects by name), its 404, and the program page's "Work done".

use serde_json::json;
use tandem_domain::{
    Program, ProgramFields, ProgramInput, ProgramPhase, Project, ProjectFields, ProjectInput, Store, WorkItem,
    WorkItemFields, WorkItemInput, WorkItemKind, WorkItemStatus,
};
use tandem_test_support::app::{TestApp, json_response};
use tandem_test_support::conformance::{day, tester};

async fn create_program(store: &dyn Store, name: &str) -> Program {
    let fields = ProgramFields::parse(ProgramInput {
        name: name.into(),
        goal: String::new(),
        sponsor: None,
        phase: ProgramPhase::Delivery,
        start: day(2026, 3, 2),
        target_end: day(2026, 12, 18),
        budget: None,
        currency: None,
        status_date: Some(day(2026, 3, 2)),
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
        start: day(2026, 3, 2),
        budget: None,
    })
    .expect("valid project");
    store.create_project(tester(), fields).await.expect("create project")
}

/// A work item of `project` with a three-point estimate, a status and a percent complete.
async fn item(
    store: &dyn Store,
    project: &Project,
    parent: Option<&WorkItem>,
    kind: WorkItemKind,
    (status, percent): (WorkItemStatus, i64),
    (optimistic, most_likely, pessimistic): (f64, f64, f64),
) -> WorkItem {
    let fields = WorkItemFields::parse(WorkItemInput {
        kind,
        project_id: Some(project.id),
        product_id: None,
        parent_id: parent.map(|p| p.id),
        title: format!("{kind:?} {status:?} {most_likely}"),
        description: String::new(),
        status,
        optimistic,
        most_likely,
        pessimistic,
        story_points: None,
        team_id: None,
        people_needed: None,
        released_on: None,
        percent_complete: Some(percent),
    })
    .expect("valid item");
    store.create_work_item(tester(), fields, None).await.expect("create item")
}

/// Projects created Web, Core, Archive (so their ids sort that way) and listed by name:
/// Archive (no work), Core, Web.
///
/// Core: done 3 (PERT 3, whole); in progress 40 % of (2, 5, 14) = 6 -> 2.4; cancelled 50 (left
/// out); an epic of 100 days, 90 % (a summary: left out) with children backlog 25 % of 4 -> 1
/// and ready 0 % of (1, 2.5, 7) = 3 -> 0. Items 4, done 1, in progress 1, 16 days, 6.4 done: 40 %.
///
/// Web: in progress 10 % of (1, 2, 9) = 3 -> 0.3; done 5; ready 50 % of (1, 2, 4) = 13/6 ->
/// 13/12. Items 3, done 1, in progress 1, 10.1667 days, 6.3833 done: 62.7869 %.
///
/// Total: 7 items, 2 done, 2 in progress, 26.1667 days, 12.7833 done: 48.8535 %.
async fn program_with_work(store: &dyn Store) -> (Program, [Project; 3]) {
    use WorkItemKind::{Epic, Story, Task};
    use WorkItemStatus::{Backlog, Cancelled, Done, InProgress, Ready};
    let program = create_program(store, "Progress program").await;
    let web = project(store, &program, "Web").await;
    let core = project(store, &program, "Core").await;
    let archive = project(store, &program, "Archive").await;

    item(store, &core, None, Task, (Done, 0), (3.0, 3.0, 3.0)).await;
    item(store, &core, None, Task, (InProgress, 40), (2.0, 5.0, 14.0)).await;
    item(store, &core, None, Task, (Cancelled, 0), (50.0, 50.0, 50.0)).await;
    let epic = item(store, &core, None, Epic, (InProgress, 90), (100.0, 100.0, 100.0)).await;
    item(store, &core, Some(&epic), Story, (Backlog, 25), (4.0, 4.0, 4.0)).await;
    item(store, &core, Some(&epic), Story, (Ready, 0), (1.0, 2.5, 7.0)).await;

    item(store, &web, None, Task, (InProgress, 10), (1.0, 2.0, 9.0)).await;
    item(store, &web, None, Task, (Done, 30), (5.0, 5.0, 5.0)).await;
    item(store, &web, None, Task, (Ready, 50), (1.0, 2.0, 4.0)).await;
    (program, [web, core, archive])
}

#[tokio::test]
async fn the_api_sums_leaf_work_per_project_ordered_by_name() {
    for app in TestApp::spawn_all().await {
        let store = app.store().as_ref();
        let (program, [web, core, archive]) = program_with_work(store).await;
        assert!(web.id < core.id && core.id < archive.id, "ids sort in creation order");

        let path = format!("/api/v1/programs/{}/progress", program.id);
        let (status, content_type, body) = json_response(app.get(&path).await).await;
        assert_eq!((status, content_type.as_str()), (200, "application/json"), "{body}");
        assert_eq!(
            body,
            json!({
                "program_id": program.id.to_string(),
                "total": {
                    "items": 7, "done_items": 2, "in_progress_items": 2,
                    "estimated_days": 26.17, "done_days": 12.78, "percent_done": 48.85
                },
                "projects": [
                    {
                        "project_id": archive.id.to_string(), "name": "Archive",
                        "items": 0, "done_items": 0, "in_progress_items": 0,
                        "estimated_days": 0.0, "done_days": 0.0, "percent_done": null
                    },
                    {
                        "project_id": core.id.to_string(), "name": "Core",
                        "items": 4, "done_items": 1, "in_progress_items": 1,
                        "estimated_days": 16.0, "done_days": 6.4, "percent_done": 40.0
                    },
                    {
                        "project_id": web.id.to_string(), "name": "Web",
                        "items": 3, "done_items": 1, "in_progress_items": 1,
                        "estimated_days": 10.17, "done_days": 6.38, "percent_done": 62.79
                    }
                ]
            }),
            "{:?}",
            app.backend()
        );

        // A program without projects: nothing estimated.
        let empty = create_program(store, "Empty program").await;
        let (status, _, body) = json_response(app.get(&format!("/api/v1/programs/{}/progress", empty.id)).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body,
            json!({
                "program_id": empty.id.to_string(),
                "total": {
                    "items": 0, "done_items": 0, "in_progress_items": 0,
                    "estimated_days": 0.0, "done_days": 0.0, "percent_done": null
                },
                "projects": []
            })
        );
    }
}

#[tokio::test]
async fn an_unknown_or_unreadable_program_is_not_found() {
    for app in TestApp::spawn_all().await {
        let (program, _) = program_with_work(app.store().as_ref()).await;
        let unknown = uuid::Uuid::now_v7();
        let path = format!("/api/v1/programs/{unknown}/progress");
        let (status, content_type, body) = json_response(app.get(&path).await).await;
        assert_eq!((status, content_type.as_str()), (404, "application/problem+json"), "{body}");
        assert_eq!(
            body,
            json!({
                "type": "urn:tandem:problem:not-found",
                "title": "Not found",
                "status": 404,
                "detail": format!("program {unknown} not found"),
                "instance": path,
            })
        );

        // Someone who may not read the program is told the same.
        let (_, outsider) = app.user("outsider", false).await;
        let path = format!("/api/v1/programs/{}/progress", program.id);
        let response = outsider.get(app.url(&path)).send().await.expect("request");
        let (status, _, body) = json_response(response).await;
        assert_eq!(
            (status, body["detail"].as_str()),
            (404, Some(format!("program {} not found", program.id).as_str())),
            "{body}"
        );
    }
}

/// The text inside the element with `id`, tags removed and spaces collapsed.
fn text_of(html: &str, id: &str) -> String {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no element {id}"));
    let open_end = start + html[start..].find('>').expect("tag ends");
    let close = open_end
        + html[open_end..].find("</dd>").into_iter().chain(html[open_end..].find("</td>")).min().expect("element ends");
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[open_end + 1..close].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_program_page_shows_work_done_for_the_program_and_each_project() {
    for app in TestApp::spawn_all().await {
        let store = app.store().as_ref();
        let (program, [web, core, archive]) = program_with_work(store).await;
        let response = app.get(&format!("/programs/{}", program.id)).await;
        assert_eq!(response.status().as_u16(), 200);
        let html = response.text().await.expect("page");

        assert_eq!(
            text_of(&html, "program-work-done"),
            "48.9 % 48.9 % of 26.2 estimated days (2 of 7 items done, 2 in progress)"
        );
        assert!(
            html.contains(r#"<dd id="program-work-done"><progress max="100" value="48.9">48.9 %</progress> 48.9 % of"#),
            "{html}"
        );
        assert_eq!(text_of(&html, &format!("project-work-done-{}", core.id)), "40.0 % 40.0 %");
        assert_eq!(text_of(&html, &format!("project-work-done-{}", web.id)), "62.8 % 62.8 %");
        assert_eq!(text_of(&html, &format!("project-work-done-{}", archive.id)), "—");
        assert!(
            html.contains(&format!(
                r#"<td id="project-work-done-{}"><progress class="work-done-small" max="100" value="62.8" title="62.8 % of 10.2 estimated days (1 of 3 items done, 1 in progress)">"#,
                web.id
            )),
            "{html}"
        );
        assert!(html.contains(r#"<span class="muted">—</span>"#));
        assert!(html.contains(r#"<th scope="col">Work done</th>"#));

        // Nothing estimated: the program says so.
        let empty = create_program(store, "Empty program").await;
        let html = app.get(&format!("/programs/{}", empty.id)).await.text().await.expect("page");
        assert_eq!(text_of(&html, "program-work-done"), "nothing estimated yet");
        assert!(html.contains(r#"<dd id="program-work-done"><span class="muted">nothing estimated yet</span></dd>"#));
    }
}

#[tokio::test]
async fn the_document_describes_the_progress_schemas() {
    let app = TestApp::spawn().await;
    let (status, _, doc) = json_response(app.get("/api/v1/openapi.json").await).await;
    assert_eq!(status, 200);
    let operation = &doc["paths"]["/api/v1/programs/{id}/progress"]["get"];
    assert_eq!(operation["tags"], json!(["programs"]));
    let statuses: Vec<&String> = operation["responses"].as_object().expect("responses").keys().collect();
    assert_eq!(statuses, ["200", "401", "404", "500"]);
    assert_eq!(
        operation["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/ProgramProgress"})
    );
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["ProgramProgress"]["required"], json!(["program_id", "total", "projects"]));
    assert_eq!(schemas["ProjectProgress"]["allOf"][0], json!({"$ref": "#/components/schemas/WorkTotals"}));
    let totals = &schemas["WorkTotals"];
    assert_eq!(
        totals["required"],
        json!(["items", "done_items", "in_progress_items", "estimated_days", "done_days", "percent_done"])
    );
    assert_eq!(totals["properties"]["percent_done"]["type"], json!(["number", "null"]));
    let described = totals["description"].as_str().unwrap_or_default();
    assert!(described.contains("rounded to 2 decimals"), "{described}");
}
