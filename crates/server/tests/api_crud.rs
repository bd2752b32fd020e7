//! Create, read, replace, list and delete of every resource over real HTTP, with the list
//! filters and cursor pagination.

use serde_json::{Value, json};
use tandem_test_support::app::{TestApp, json_response};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

/// `record` with its bookkeeping (`id`, `version`, timestamps) checked and removed: ids are
/// UUIDs, timestamps RFC 3339 in UTC, and `updated_at` not before `created_at`.
fn fields_of(record: &Value) -> Value {
    let mut fields = record.clone();
    let object = fields.as_object_mut().expect("a record is an object");
    let id = object.remove("id").expect("id");
    assert!(uuid::Uuid::parse_str(id.as_str().unwrap()).is_ok(), "{id}");
    let created = object.remove("created_at").expect("created_at");
    let updated = object.remove("updated_at").expect("updated_at");
    let created = chrono::DateTime::parse_from_rfc3339(created.as_str().unwrap()).expect("RFC 3339 created_at");
    let updated = chrono::DateTime::parse_from_rfc3339(updated.as_str().unwrap()).expect("RFC 3339 updated_at");
    assert!(updated >= created);
    assert_eq!(created.offset().local_minus_utc(), 0);
    object.remove("version").expect("version");
    fields
}

/// POST, check 201 + Location + the echoed fields, GET it back, PUT a replacement (version 2),
/// GET again, DELETE at version 2, and see it gone. Returns nothing: the record is deleted.
async fn round_trip(
    app: &TestApp,
    collection: &str,
    create: Value,
    expected: Value,
    replacement: Value,
    replaced: Value,
) {
    let response = app.post_json(collection, &create).await;
    let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    let (status, content_type, created) = json_response(response).await;
    assert_eq!((status, content_type.as_str()), (201, "application/json"), "{created}");
    let id = id_of(&created);
    let path = format!("{collection}/{id}");
    assert_eq!(location.as_deref(), Some(path.as_str()));
    assert_eq!(created["version"], 1);
    assert_eq!(created["created_at"], created["updated_at"]);
    assert_eq!(fields_of(&created), expected, "created {collection}");

    let (status, _, fetched) = json_response(app.get(&path).await).await;
    assert_eq!((status, &fetched), (200, &created));

    let mut body = replacement;
    body["version"] = json!(1);
    let (status, _, updated) = json_response(app.put_json(&path, &body).await).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!((updated["id"].as_str(), updated["version"].as_i64()), (Some(id.as_str()), Some(2)));
    assert_eq!(updated["created_at"], created["created_at"]);
    assert_eq!(fields_of(&updated), replaced, "replaced {collection}");
    let (_, _, fetched) = json_response(app.get(&path).await).await;
    assert_eq!(fetched, updated);

    let (_, _, list) = json_response(app.get(collection).await).await;
    assert!(list["items"].as_array().unwrap().contains(&updated), "{list}");

    let response = app.delete(&format!("{path}?version=2")).await;
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(response.text().await.unwrap(), "");
    assert_eq!(app.get(&path).await.status().as_u16(), 404);
}

#[tokio::test]
async fn every_resource_round_trips() {
    for app in TestApp::spawn_all().await {
        round_trip(
            &app,
            "/api/v1/programs",
            json!({"name": "  Digital Transformation ", "start": "2026-01-05", "target_end": "2026-12-18"}),
            json!({
                "name": "Digital Transformation", "goal": "", "sponsor": null, "phase": "definition",
                "start": "2026-01-05", "target_end": "2026-12-18", "budget": null, "currency": "USD",
                "status_date": null
            }),
            json!({
                "name": "DX", "goal": "Modern core", "sponsor": "CFO", "phase": "delivery",
                "start": "2026-02-02", "target_end": "2027-03-31", "budget": 2500000, "currency": "eur",
                "status_date": "2026-03-11"
            }),
            json!({
                "name": "DX", "goal": "Modern core", "sponsor": "CFO", "phase": "delivery",
                "start": "2026-02-02", "target_end": "2027-03-31", "budget": 2500000, "currency": "EUR",
                "status_date": "2026-03-11"
            }),
        )
        .await;

        let program = app
            .create("/api/v1/programs", &json!({"name": "P", "start": "2026-01-05", "target_end": "2026-12-18"}))
            .await;
        let other_program = app
            .create("/api/v1/programs", &json!({"name": "Q", "start": "2026-01-05", "target_end": "2026-12-18"}))
            .await;
        let (program_id, other_program_id) = (id_of(&program), id_of(&other_program));
        round_trip(
            &app,
            "/api/v1/projects",
            json!({"program_id": program_id, "name": "Core banking", "start": "2026-02-02"}),
            json!({
                "program_id": program_id, "name": "Core banking", "description": "", "manager": null,
                "start": "2026-02-02", "budget": null
            }),
            json!({
                "program_id": other_program_id, "name": "Core banking v2", "description": "Replatform",
                "manager": "Ada", "start": "2026-03-02", "budget": 400000
            }),
            json!({
                "program_id": other_program_id, "name": "Core banking v2", "description": "Replatform",
                "manager": "Ada", "start": "2026-03-02", "budget": 400000
            }),
        )
        .await;

        round_trip(
            &app,
            "/api/v1/products",
            json!({"name": "Ledger"}),
            json!({"name": "Ledger", "vision": "", "owner": null}),
            json!({"name": "Ledger", "vision": "Every posting traceable", "owner": "Grace"}),
            json!({"name": "Ledger", "vision": "Every posting traceable", "owner": "Grace"}),
        )
        .await;

        round_trip(
            &app,
            "/api/v1/teams",
            json!({"name": "Platform", "capacity": 4}),
            json!({
                "name": "Platform", "capacity": 4, "working_days": ["mon", "tue", "wed", "thu", "fri"], "holidays": []
            }),
            json!({
                "name": "Platform", "capacity": 5, "working_days": ["sun", "Monday", "tue"],
                "holidays": ["2026-12-25", "2026-01-01", "2026-12-25"]
            }),
            json!({
                "name": "Platform", "capacity": 5, "working_days": ["mon", "tue", "sun"],
                "holidays": ["2026-01-01", "2026-12-25"]
            }),
        )
        .await;

        let project = app
            .create("/api/v1/projects", &json!({"program_id": program_id, "name": "Core", "start": "2026-02-02"}))
            .await;
        let project_id = id_of(&project);
        let product_id = id_of(&app.create("/api/v1/products", &json!({"name": "Ledger"})).await);
        let team_id = id_of(&app.create("/api/v1/teams", &json!({"name": "Ops", "capacity": 3})).await);
        let epic = app
            .create(
                "/api/v1/work-items",
                &json!({"kind": "epic", "project_id": project_id, "title": "Epic",
                    "estimate": {"optimistic": 10, "most_likely": 20, "pessimistic": 40}}),
            )
            .await;
        let epic_id = id_of(&epic);
        round_trip(
            &app,
            "/api/v1/work-items",
            json!({"kind": "feature", "product_id": product_id, "title": "Statements",
               "estimate": {"optimistic": 1.5, "most_likely": 2, "pessimistic": 5}}),
            json!({
                "kind": "feature", "project_id": null, "product_id": product_id, "parent_id": null,
                "title": "Statements", "description": "", "status": "backlog",
                "estimate": {"optimistic": 1.5, "most_likely": 2.0, "pessimistic": 5.0},
                "story_points": null, "team_id": null, "people_needed": 1, "released_on": null,
                "percent_complete": 0,
                // The first item of its product (the epic is in none): ranks are counted per product.
                "rank": 0
            }),
            json!({
                "kind": "story", "project_id": project_id, "product_id": product_id, "parent_id": epic_id,
                "title": "Monthly statements", "description": "PDF", "status": "in_progress",
                "estimate": {"optimistic": 2, "most_likely": 3, "pessimistic": 8}, "story_points": 5,
                "team_id": team_id, "people_needed": 3, "released_on": "2026-05-18", "percent_complete": 45,
                "rank": 7
            }),
            json!({
                "kind": "story", "project_id": project_id, "product_id": product_id, "parent_id": epic_id,
                "title": "Monthly statements", "description": "PDF", "status": "in_progress",
                "estimate": {"optimistic": 2.0, "most_likely": 3.0, "pessimistic": 8.0}, "story_points": 5,
                "team_id": team_id, "people_needed": 3, "released_on": "2026-05-18", "percent_complete": 45,
                "rank": 7
            }),
        )
        .await;

        round_trip(
        &app,
        "/api/v1/milestones",
        json!({"project_id": project_id, "name": "Go live", "target_date": "2026-09-30"}),
        json!({"project_id": project_id, "name": "Go live", "target_date": "2026-09-30", "deliverable": ""}),
        json!({"project_id": project_id, "name": "Go live", "target_date": "2026-10-30", "deliverable": "Cut-over"}),
        json!({"project_id": project_id, "name": "Go live", "target_date": "2026-10-30", "deliverable": "Cut-over"}),
    )
    .await;

        let milestone_id = id_of(
            &app.create(
                "/api/v1/milestones",
                &json!({"project_id": project_id, "name": "M", "target_date": "2026-09-30"}),
            )
            .await,
        );
        let predecessor = json!({"type": "work_item", "id": epic_id});
        let successor = json!({"type": "milestone", "id": milestone_id});
        round_trip(
            &app,
            "/api/v1/dependencies",
            json!({"predecessor": predecessor, "successor": successor}),
            json!({"predecessor": predecessor, "successor": successor, "kind": "finish_to_start", "lag_days": 0}),
            json!({"predecessor": predecessor, "successor": successor, "kind": "start_to_start", "lag_days": -3}),
            json!({"predecessor": predecessor, "successor": successor, "kind": "start_to_start", "lag_days": -3}),
        )
        .await;
    }
}

/// Reads every page of `path` (which already has a `?`) with `limit`, checking the envelope.
async fn walk(app: &TestApp, path: &str, limit: u32) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(cursor) => format!("{path}&limit={limit}&cursor={}", urlencode(cursor)),
            None => format!("{path}&limit={limit}"),
        };
        let (status, _, page) = json_response(app.get(&url).await).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page.as_object().unwrap().len(), 2, "only items and next_cursor: {page}");
        let page_items = page["items"].as_array().unwrap();
        assert!(page_items.len() <= limit as usize);
        items.extend(page_items.iter().cloned());
        pages += 1;
        match &page["next_cursor"] {
            Value::Null => return (items, pages),
            Value::String(next) => cursor = Some(next.clone()),
            other => panic!("next_cursor must be a string or null, got {other}"),
        }
        assert!(pages < 100, "pagination does not end");
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn titles(items: &[Value], key: &str) -> Vec<String> {
    items.iter().map(|i| i[key].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn lists_page_through_every_record_once_in_order() {
    for app in TestApp::spawn_all().await {
        let mut names = Vec::new();
        for n in 0..7 {
            let name = format!("Product {n}");
            app.create("/api/v1/products", &json!({"name": name})).await;
            names.push(name);
        }
        let (items, pages) = walk(&app, "/api/v1/products?", 3).await;
        assert_eq!((titles(&items, "name"), pages), (names.clone(), 3));
        let (items, pages) = walk(&app, "/api/v1/products?", 7).await;
        assert_eq!((titles(&items, "name").len(), pages), (7, 1));
        let (items, pages) = walk(&app, "/api/v1/products?", 500).await;
        assert_eq!((titles(&items, "name"), pages), (names, 1));

        // The default page size is 50.
        for n in 0..51 {
            app.create("/api/v1/teams", &json!({"name": format!("Team {n:02}"), "capacity": 1})).await;
        }
        let (_, _, first) = json_response(app.get("/api/v1/teams").await).await;
        assert_eq!(first["items"].as_array().unwrap().len(), 50);
        assert!(first["next_cursor"].is_string());
        let (items, pages) = walk(&app, "/api/v1/teams?", 20).await;
        let expected: Vec<String> = (0..51).map(|n| format!("Team {n:02}")).collect();
        assert_eq!((titles(&items, "name"), pages), (expected, 3));
    }
}

#[tokio::test]
async fn list_filters_select_the_matching_records() {
    for app in TestApp::spawn_all().await {
        let dates = json!({"start": "2026-01-05", "target_end": "2026-12-18"});
        let program = |name: &str, phase: &str| {
            let mut body = dates.clone();
            body["name"] = json!(name);
            body["phase"] = json!(phase);
            body
        };
        let alpha = id_of(&app.create("/api/v1/programs", &program("Alpha", "delivery")).await);
        let beta = id_of(&app.create("/api/v1/programs", &program("Beta", "definition")).await);
        let (_, _, delivery) = json_response(app.get("/api/v1/programs?phase=delivery").await).await;
        assert_eq!(titles(delivery["items"].as_array().unwrap(), "name"), ["Alpha"]);

        let project = |program: &str, name: &str| json!({"program_id": program, "name": name, "start": "2026-02-02"});
        let a1 = id_of(&app.create("/api/v1/projects", &project(&alpha, "A1")).await);
        let a2 = id_of(&app.create("/api/v1/projects", &project(&alpha, "A2")).await);
        let b1 = id_of(&app.create("/api/v1/projects", &project(&beta, "B1")).await);
        let (_, _, of_alpha) = json_response(app.get(&format!("/api/v1/projects?program_id={alpha}")).await).await;
        assert_eq!(titles(of_alpha["items"].as_array().unwrap(), "name"), ["A1", "A2"]);

        let product = id_of(&app.create("/api/v1/products", &json!({"name": "Ledger"})).await);
        let team = id_of(&app.create("/api/v1/teams", &json!({"name": "Ops", "capacity": 2})).await);
        let item = |title: &str, extra: Value| {
            let mut body = json!({"kind": "task", "title": title, "estimate": {"optimistic": 1, "most_likely": 1, "pessimistic": 1}});
            for (k, v) in extra.as_object().unwrap() {
                body[k] = v.clone();
            }
            body
        };
        let epic = id_of(
            &app.create("/api/v1/work-items", &item("Epic", json!({"kind": "epic", "project_id": a1, "rank": 300})))
                .await,
        );
        app.create(
            "/api/v1/work-items",
            &item("T1", json!({"project_id": a1, "parent_id": epic, "team_id": team, "rank": 100})),
        )
        .await;
        app.create("/api/v1/work-items", &item("T2", json!({"project_id": a2, "status": "done", "rank": 200}))).await;
        app.create(
            "/api/v1/work-items",
            &item("T3", json!({"project_id": b1, "product_id": product, "kind": "bug", "rank": 50})),
        )
        .await;
        app.create(
            "/api/v1/work-items",
            &item("P1", json!({"product_id": product, "kind": "story", "status": "ready", "rank": 400})),
        )
        .await;

        for (query, expected) in [
            ("".to_owned(), vec!["Epic", "T1", "T2", "T3", "P1"]),
            ("order=rank".to_owned(), vec!["T3", "T1", "T2", "Epic", "P1"]),
            (format!("program_id={alpha}"), vec!["Epic", "T1", "T2"]),
            (format!("project_id={a1}"), vec!["Epic", "T1"]),
            (format!("product_id={product}&order=rank"), vec!["T3", "P1"]),
            ("status=done".to_owned(), vec!["T2"]),
            ("status=backlog&kind=task".to_owned(), vec!["T1"]),
            ("kind=bug".to_owned(), vec!["T3"]),
            (format!("team_id={team}"), vec!["T1"]),
            (format!("parent_id={epic}"), vec!["T1"]),
            (format!("program_id={beta}&kind=task"), vec![]),
        ] {
            let (status, _, page) = json_response(app.get(&format!("/api/v1/work-items?{query}")).await).await;
            assert_eq!(status, 200, "{query}: {page}");
            assert_eq!(titles(page["items"].as_array().unwrap(), "title"), expected, "work-items?{query}");
        }
        let (items, pages) = walk(&app, "/api/v1/work-items?order=rank", 2).await;
        assert_eq!(
            (titles(&items, "title"), pages),
            (vec!["T3".to_owned(), "T1".into(), "T2".into(), "Epic".into(), "P1".into()], 3)
        );

        let milestone =
            |project: &str, name: &str| json!({"project_id": project, "name": name, "target_date": "2026-06-30"});
        let m_a1 = id_of(&app.create("/api/v1/milestones", &milestone(&a1, "MA1")).await);
        app.create("/api/v1/milestones", &milestone(&a2, "MA2")).await;
        let m_b1 = id_of(&app.create("/api/v1/milestones", &milestone(&b1, "MB1")).await);
        for (query, expected) in [
            (format!("program_id={alpha}"), vec!["MA1", "MA2"]),
            (format!("project_id={b1}"), vec!["MB1"]),
            (format!("program_id={alpha}&project_id={b1}"), vec![]),
        ] {
            let (_, _, page) = json_response(app.get(&format!("/api/v1/milestones?{query}")).await).await;
            assert_eq!(titles(page["items"].as_array().unwrap(), "name"), expected, "milestones?{query}");
        }

        // Epic (A1) -> MA1 (A1); Epic (A1) -> MB1 (B1) and MB1 (B1) -> MA1 (A1) cross projects.
        let node = |kind: &str, id: &str| json!({"type": kind, "id": id});
        let link = |from: Value, to: Value| json!({"predecessor": from, "successor": to});
        let d1 =
            id_of(&app.create("/api/v1/dependencies", &link(node("work_item", &epic), node("milestone", &m_a1))).await);
        let d2 =
            id_of(&app.create("/api/v1/dependencies", &link(node("work_item", &epic), node("milestone", &m_b1))).await);
        let d3 =
            id_of(&app.create("/api/v1/dependencies", &link(node("milestone", &m_b1), node("milestone", &m_a1))).await);
        let ids = |page: &Value| -> Vec<String> { page["items"].as_array().unwrap().iter().map(id_of).collect() };
        for (query, expected) in [
            ("".to_owned(), vec![&d1, &d2, &d3]),
            ("cross_project=true".to_owned(), vec![&d2, &d3]),
            ("cross_project=false".to_owned(), vec![&d1, &d2, &d3]),
            (format!("program_id={beta}"), vec![&d2, &d3]),
            (format!("project_id={a1}"), vec![&d1, &d2, &d3]),
            (format!("project_id={b1}&cross_project=true"), vec![&d2, &d3]),
            (format!("work_item_id={epic}"), vec![&d1, &d2]),
            (format!("milestone_id={m_b1}"), vec![&d2, &d3]),
            (format!("milestone_id={m_a1}&cross_project=true"), vec![&d3]),
        ] {
            let (status, _, page) = json_response(app.get(&format!("/api/v1/dependencies?{query}")).await).await;
            assert_eq!(status, 200, "{query}: {page}");
            assert_eq!(ids(&page), expected.into_iter().cloned().collect::<Vec<_>>(), "dependencies?{query}");
        }
    }
}

#[tokio::test]
async fn health_names_the_backend() {
    let app = TestApp::spawn().await;
    let (status, content_type, body) = json_response(app.get("/api/v1/health").await).await;
    assert_eq!(
        (status, content_type.as_str(), body),
        (200, "application/json", json!({"status": "ok", "backend": "sqlite"}))
    );
}
