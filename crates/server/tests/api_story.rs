//! The main story of the JSON API, told on every backend (SQLite always, PostgreSQL when
//! `TANDEM_TEST_POSTGRES` is set): a program manager and a product manager build a plan, link it
//! across projects, collide on an edit, and take it apart again.

use serde_json::{Value, json};
use tandem_domain::ProgramId;
use tandem_test_support::app::{TestApp, json_response};
use tandem_test_support::db::{Backend, TestDb};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn titles(page: &Value, key: &str) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i[key].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_main_story_on_every_backend() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let app = TestApp::spawn_on(db).await;
        story(&app, backend).await;
    }
}

async fn story(app: &TestApp, backend: Backend) {
    let backend_name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let (_, _, health) = json_response(app.get("/api/v1/health").await).await;
    assert_eq!(health, json!({"status": "ok", "backend": backend_name}));

    // The program manager sets up a program with two projects.
    let program = app
        .create(
            "/api/v1/programs",
            &json!({"name": "Digital Transformation", "goal": "One platform", "phase": "delivery",
                    "start": "2026-01-05", "target_end": "2026-12-18", "budget": 5000000, "currency": "EUR"}),
        )
        .await;
    let program_id = id_of(&program);
    let project = |name: &str| json!({"program_id": program_id, "name": name, "start": "2026-02-02", "manager": "Ada"});
    let core = id_of(&app.create("/api/v1/projects", &project("Core banking")).await);
    let mobile = id_of(&app.create("/api/v1/projects", &project("Mobile app")).await);
    let team = app
        .create(
            "/api/v1/teams",
            &json!({"name": "Platform", "capacity": 2, "working_days": ["mon", "tue", "wed", "thu"], "holidays": ["2026-12-24"]}),
        )
        .await;
    let team_id = id_of(&team);

    // The product manager's backlog item reaches the program plan by also naming a project.
    let product = id_of(&app.create("/api/v1/products", &json!({"name": "Ledger", "owner": "Grace"})).await);
    let item = |title: &str, project: &str, extra: Value| {
        let mut body = json!({"kind": "feature", "project_id": project, "title": title,
                              "estimate": {"optimistic": 2, "most_likely": 4, "pessimistic": 9}});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let epic = id_of(&app.create("/api/v1/work-items", &item("Accounts", &core, json!({"kind": "epic"}))).await);
    let api = app
        .create(
            "/api/v1/work-items",
            &item(
                "Accounts API",
                &core,
                json!({"parent_id": epic, "team_id": team_id, "people_needed": 2, "product_id": product}),
            ),
        )
        .await;
    let api_id = id_of(&api);
    let screen =
        id_of(&app.create("/api/v1/work-items", &item("Accounts screen", &mobile, json!({"story_points": 8}))).await);
    let launch = id_of(
        &app.create(
            "/api/v1/milestones",
            &json!({"project_id": mobile, "name": "Launch", "target_date": "2026-10-01", "deliverable": "App store"}),
        )
        .await,
    );

    // A team cannot be asked for more people than it has.
    let (status, _, body) = json_response(
        app.post_json("/api/v1/work-items", &item("Too big", &core, json!({"team_id": team_id, "people_needed": 3})))
            .await,
    )
    .await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("people_needed")), "{body}");

    // Links across projects.
    let node = |kind: &str, id: &str| json!({"type": kind, "id": id});
    let api_to_screen = app
        .create(
            "/api/v1/dependencies",
            &json!({"predecessor": node("work_item", &api_id), "successor": node("work_item", &screen), "lag_days": 2}),
        )
        .await;
    let screen_to_launch = app
        .create(
            "/api/v1/dependencies",
            &json!({"predecessor": node("work_item", &screen), "successor": node("milestone", &launch)}),
        )
        .await;
    assert_eq!(
        (screen_to_launch["kind"].as_str(), screen_to_launch["lag_days"].as_i64()),
        (Some("finish_to_start"), Some(0))
    );
    let (_, _, cross) =
        json_response(app.get(&format!("/api/v1/dependencies?program_id={program_id}&cross_project=true")).await).await;
    assert_eq!(cross["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(cross["items"][0], api_to_screen);

    // The launch cannot come before the work it waits for.
    let (status, _, body) = json_response(
        app.post_json(
            "/api/v1/dependencies",
            &json!({"predecessor": node("milestone", &launch), "successor": node("work_item", &api_id)}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"][0]["message"],
        format!(
            "this dependency would close a cycle: \"Launch\" (milestone {launch}) -> \"Accounts API\" (work_item {api_id}) \
             -> \"Accounts screen\" (work_item {screen}) -> \"Launch\" (milestone {launch})"
        )
    );

    // Two people edit the program; the second edit is refused and stores nothing.
    let program_path = format!("/api/v1/programs/{program_id}");
    let mut edit = json!({"version": 1, "name": "Digital Transformation", "goal": "One platform, two apps",
                          "phase": "delivery", "start": "2026-01-05", "target_end": "2027-01-29", "budget": 5500000, "currency": "EUR"});
    let (status, _, first) = json_response(app.put_json(&program_path, &edit).await).await;
    assert_eq!((status, first["version"].as_i64(), first["target_end"].as_str()), (200, Some(2), Some("2027-01-29")));
    edit["goal"] = json!("Something else");
    let (status, _, conflict) = json_response(app.put_json(&program_path, &edit).await).await;
    assert_eq!((status, conflict["current_version"].as_i64()), (409, Some(2)));
    let stored = app.store().get_program(program_id.parse::<ProgramId>().unwrap()).await.unwrap();
    assert_eq!((stored.meta.version, stored.fields.goal.as_str()), (2, "One platform, two apps"));

    // The backlog in rank order, paged.
    let (_, _, backlog) =
        json_response(app.get(&format!("/api/v1/work-items?program_id={program_id}&order=rank&limit=2")).await).await;
    assert_eq!(titles(&backlog, "title"), ["Accounts", "Accounts API"]);
    let cursor = backlog["next_cursor"].as_str().unwrap().to_owned();
    let (_, _, rest) = json_response(
        app.get(&format!(
            "/api/v1/work-items?program_id={program_id}&order=rank&limit=2&cursor={}",
            urlencode(&cursor)
        ))
        .await,
    )
    .await;
    assert_eq!((titles(&rest, "title"), &rest["next_cursor"]), (vec!["Accounts screen".to_owned()], &Value::Null));

    // Taking it apart: refusals first, then in order.
    let (status, _, refused) = json_response(app.delete(&format!("/api/v1/projects/{core}")).await).await;
    assert_eq!((status, refused["detail"].as_str()), (409, Some("it still has 2 work items")));
    // Deleting a work item takes its dependencies with it.
    assert_eq!(app.delete(&format!("/api/v1/work-items/{api_id}?version=1")).await.status().as_u16(), 204);
    let (_, _, deps) = json_response(app.get(&format!("/api/v1/dependencies?work_item_id={screen}")).await).await;
    assert_eq!(deps["items"].as_array().map(Vec::len), Some(1));
    for path in [
        format!("/api/v1/work-items/{epic}"),
        format!("/api/v1/work-items/{screen}"),
        format!("/api/v1/milestones/{launch}"),
        format!("/api/v1/projects/{core}"),
        format!("/api/v1/projects/{mobile}"),
        format!("/api/v1/teams/{team_id}"),
        format!("/api/v1/products/{product}"),
        program_path.clone(),
    ] {
        assert_eq!(app.delete(&path).await.status().as_u16(), 204, "{path}");
    }
    for collection in ["programs", "projects", "products", "teams", "work-items", "milestones", "dependencies"] {
        let (_, _, page) = json_response(app.get(&format!("/api/v1/{collection}")).await).await;
        assert_eq!(page, json!({"items": [], "next_cursor": null}), "{collection} on {backend_name}");
    }
    assert_eq!(app.store().count_work_items(&Default::default()).await.unwrap(), 0);
}
