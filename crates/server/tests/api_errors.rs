//! Every error status of the JSON API, over real HTTP, with the exact problem document.

use serde_json::{Value, json};
use tandem_test_support::app::{PROBLEM, TestApp, assert_validation, json_response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn program_body(name: &str) -> Value {
    json!({"name": name, "start": "2026-01-05", "target_end": "2026-12-18"})
}

fn task_body(project_id: &str, title: &str) -> Value {
    json!({
        "kind": "task", "project_id": project_id, "title": title,
        "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}
    })
}

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

/// A program with one project; returns (program id, project id).
async fn program_with_project(app: &TestApp) -> (String, String) {
    let program = app.create("/api/v1/programs", &program_body("Digital Transformation")).await;
    let project = app
        .create(
            "/api/v1/projects",
            &json!({"program_id": id_of(&program), "name": "Core banking", "start": "2026-02-02"}),
        )
        .await;
    (id_of(&program), id_of(&project))
}

#[tokio::test]
async fn malformed_json_is_400_with_line_and_column() {
    for app in TestApp::spawn_all().await {
        let response = app
            .client
            .post(app.url("/api/v1/programs"))
            .header("content-type", "application/json")
            .body("{\n  \"name\": ,\n}")
            .send()
            .await
            .unwrap();
        let (status, content_type, body) = json_response(response).await;
        assert_eq!((status, content_type.as_str()), (400, PROBLEM));
        assert_eq!(
            body,
            json!({
                "type": "urn:tandem:problem:malformed-json",
                "title": "Malformed JSON",
                "status": 400,
                "detail": "the body is not valid JSON: expected value (line 2, column 11)",
                "instance": "/api/v1/programs",
            })
        );

        let response = app
            .client
            .post(app.url("/api/v1/programs"))
            .header("content-type", "application/json")
            .body("{\"name\": \"cut")
            .send()
            .await
            .unwrap();
        let (status, _, body) = json_response(response).await;
        assert_eq!(status, 400);
        assert_eq!(body["detail"], "the body is not valid JSON: EOF while parsing a string (line 1, column 13)");
    }
}

fn oversize_problem(instance: &str) -> Value {
    json!({
        "type": "urn:tandem:problem:payload-too-large",
        "title": "Payload too large",
        "status": 413,
        "detail": "the request body must be at most 1048576 bytes",
        "instance": instance,
    })
}

#[tokio::test]
async fn oversize_bodies_are_413_problems_with_or_without_a_length() {
    for app in TestApp::spawn_all().await {
        let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(tandem_server::MAX_BODY_BYTES));

        // With Content-Length: refused before the body is read.
        let response = app
            .client
            .post(app.url("/api/v1/programs"))
            .header("content-type", "application/json")
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        let (status, content_type, body) = json_response(response).await;
        assert_eq!((status, content_type.as_str()), (413, PROBLEM));
        assert_eq!(body, oversize_problem("/api/v1/programs"));

        // Chunked, so the limit only trips while reading: written by hand, reqwest always sends a length.
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "PUT /api/v1/programs/{} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\n\
         authorization: Bearer {}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
            uuid::Uuid::now_v7(),
            app.addr,
            app.admin_token
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // Write until the server answers and closes; it may stop reading at the limit.
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
        for _ in 0..(tandem_server::MAX_BODY_BYTES / (64 * 1024) + 2) {
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw).await;
        let raw = String::from_utf8_lossy(&raw);
        assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
        assert!(raw.to_ascii_lowercase().contains("content-type: application/problem+json"), "{raw}");
        let body = raw.split("\r\n\r\n").nth(1).unwrap_or_default();
        // The body may be sent chunked; pick the JSON out of it.
        let json_text = &body[body.find('{').unwrap()..=body.rfind('}').unwrap()];
        let id_path = head.split_whitespace().nth(1).unwrap();
        assert_eq!(serde_json::from_str::<Value>(json_text).unwrap(), oversize_problem(id_path));
    }
}

#[tokio::test]
async fn bodies_not_sent_as_json_are_415() {
    for app in TestApp::spawn_all().await {
        let expected = json!({
            "type": "urn:tandem:problem:unsupported-media-type",
            "title": "Unsupported media type",
            "status": 415,
            "detail": "the request body must be JSON sent with Content-Type: application/json",
            "instance": "/api/v1/products",
        });
        let without = app.client.post(app.url("/api/v1/products")).body(r#"{"name":"Ledger"}"#).send().await.unwrap();
        let (status, content_type, body) = json_response(without).await;
        assert_eq!((status, content_type.as_str(), &body), (415, PROBLEM, &expected));
        let form = app
            .client
            .post(app.url("/api/v1/products"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=Ledger")
            .send()
            .await
            .unwrap();
        let (status, _, body) = json_response(form).await;
        assert_eq!((status, &body), (415, &expected));
        // With a charset it is still JSON.
        let with_charset = app
            .client
            .post(app.url("/api/v1/products"))
            .header("content-type", "application/json; charset=utf-8")
            .body(r#"{"name":"Ledger"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(with_charset.status().as_u16(), 201);
    }
}

#[tokio::test]
async fn unknown_ids_bad_ids_and_unknown_routes_are_404() {
    for app in TestApp::spawn_all().await {
        let id = uuid::Uuid::now_v7();
        for (path, detail) in [
            (format!("/api/v1/work-items/{id}"), format!("work item {id} not found")),
            (format!("/api/v1/programs/{id}"), format!("program {id} not found")),
            (format!("/api/v1/dependencies/{id}"), format!("dependency {id} not found")),
            ("/api/v1/programs/not-a-uuid".to_owned(), "program not-a-uuid not found".to_owned()),
            ("/api/v1/teams/42".to_owned(), "team 42 not found".to_owned()),
            ("/api/v1/nope".to_owned(), "no route for GET /api/v1/nope".to_owned()),
            ("/api/v1".to_owned(), "no route for GET /api/v1".to_owned()),
            ("/api/v1/".to_owned(), "no route for GET /api/v1/".to_owned()),
            ("/api/v1/programs/".to_owned(), "no route for GET /api/v1/programs/".to_owned()),
            ("/api/v1/programs/a/b".to_owned(), "no route for GET /api/v1/programs/a/b".to_owned()),
        ] {
            let (status, content_type, body) = json_response(app.get(&path).await).await;
            assert_eq!((status, content_type.as_str()), (404, PROBLEM), "{path}");
            assert_eq!(
                body,
                json!({
                    "type": "urn:tandem:problem:not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": detail,
                    "instance": path,
                })
            );
        }
        // Writes to a missing record are 404 as well.
        let (status, _, body) = json_response(app.delete(&format!("/api/v1/milestones/{id}")).await).await;
        assert_eq!((status, body["detail"].as_str()), (404, Some(format!("milestone {id} not found").as_str())));
        let update = json!({"version": 1, "name": "Ledger"});
        let (status, _, body) = json_response(app.put_json(&format!("/api/v1/products/{id}"), &update).await).await;
        assert_eq!((status, body["detail"].as_str()), (404, Some(format!("product {id} not found").as_str())));
    }
}

#[tokio::test]
async fn wrong_methods_are_405_problems_that_say_what_is_allowed() {
    for app in TestApp::spawn_all().await {
        let response = app.delete("/api/v1/programs").await;
        let allow = response.headers().get("allow").map(|v| v.to_str().unwrap().to_owned());
        let (status, content_type, body) = json_response(response).await;
        assert_eq!((status, content_type.as_str()), (405, PROBLEM));
        assert_eq!(allow.as_deref(), Some("GET,HEAD,POST"));
        assert_eq!(
            body,
            json!({
                "type": "urn:tandem:problem:method-not-allowed",
                "title": "Method not allowed",
                "status": 405,
                "detail": "DELETE is not allowed on /api/v1/programs",
                "instance": "/api/v1/programs",
            })
        );
        let (status, _, body) = json_response(app.post_json("/api/v1/health", &json!({})).await).await;
        assert_eq!((status, body["detail"].as_str()), (405, Some("POST is not allowed on /api/v1/health")));
    }
}

#[tokio::test]
async fn a_stale_version_is_409_and_changes_nothing() {
    for app in TestApp::spawn_all().await {
        let program = app.create("/api/v1/programs", &program_body("Payments")).await;
        let id = id_of(&program);
        let path = format!("/api/v1/programs/{id}");
        let mut update = program_body("Payments 2026");
        update["version"] = json!(1);
        let (status, _, updated) = json_response(app.put_json(&path, &update).await).await;
        assert_eq!(
            (status, updated["version"].as_i64(), updated["name"].as_str()),
            (200, Some(2), Some("Payments 2026"))
        );

        update["name"] = json!("Someone else's edit");
        let (status, content_type, body) = json_response(app.put_json(&path, &update).await).await;
        assert_eq!((status, content_type.as_str()), (409, PROBLEM));
        assert_eq!(
            body,
            json!({
                "type": "urn:tandem:problem:version-conflict",
                "title": "Version conflict",
                "status": 409,
                "detail": format!(
                    "program {id} is at version 2, but the request expected version 1; reload it and apply the change again"
                ),
                "instance": path,
                "current_version": 2,
            })
        );
        let (_, _, stored) = json_response(app.get(&path).await).await;
        assert_eq!(stored, updated);

        // A delete at a stale version is refused the same way and deletes nothing.
        let (status, _, body) = json_response(app.delete(&format!("{path}?version=1")).await).await;
        assert_eq!(
            (status, body["type"].as_str(), body["current_version"].as_i64()),
            (409, Some("urn:tandem:problem:version-conflict"), Some(2))
        );
        assert_eq!(app.get(&path).await.status().as_u16(), 200);
        assert_eq!(app.delete(&format!("{path}?version=2")).await.status().as_u16(), 204);
        assert_eq!(app.get(&path).await.status().as_u16(), 404);
    }
}

#[tokio::test]
async fn deletes_of_records_still_in_use_are_409_with_the_reason() {
    for app in TestApp::spawn_all().await {
        let (program_id, project_id) = program_with_project(&app).await;
        let team = app.create("/api/v1/teams", &json!({"name": "Platform", "capacity": 3})).await;
        let product = app.create("/api/v1/products", &json!({"name": "Ledger"})).await;
        let mut parent = task_body(&project_id, "Epic");
        parent["kind"] = json!("epic");
        parent["team_id"] = json!(id_of(&team));
        parent["product_id"] = json!(id_of(&product));
        let parent = app.create("/api/v1/work-items", &parent).await;
        let mut child = task_body(&project_id, "Child");
        child["parent_id"] = json!(id_of(&parent));
        app.create("/api/v1/work-items", &child).await;
        app.create(
            "/api/v1/milestones",
            &json!({"project_id": project_id, "name": "Go live", "target_date": "2026-09-30"}),
        )
        .await;

        for (path, reason) in [
            (format!("/api/v1/programs/{program_id}"), "it still has 1 project"),
            (format!("/api/v1/projects/{project_id}"), "it still has 2 work items and 1 milestone"),
            (format!("/api/v1/teams/{}", id_of(&team)), "it still has 1 work item assigned"),
            (format!("/api/v1/products/{}", id_of(&product)), "it still has 1 work item"),
            (format!("/api/v1/work-items/{}", id_of(&parent)), "it still has 1 child work item"),
        ] {
            let (status, content_type, body) = json_response(app.delete(&path).await).await;
            assert_eq!((status, content_type.as_str()), (409, PROBLEM), "{path}");
            assert_eq!(
                body,
                json!({
                    "type": "urn:tandem:problem:in-use",
                    "title": "Still in use",
                    "status": 409,
                    "detail": reason,
                    "instance": path,
                })
            );
            assert_eq!(app.get(&path).await.status().as_u16(), 200, "{path} must still exist");
        }
    }
}

#[tokio::test]
async fn domain_rules_are_422_naming_the_field() {
    for app in TestApp::spawn_all().await {
        let (_, project_id) = program_with_project(&app).await;

        let mut backwards = task_body(&project_id, "Backwards");
        backwards["estimate"] = json!({"optimistic": 5, "most_likely": 4, "pessimistic": 3});
        assert_validation(
            app.post_json("/api/v1/work-items", &backwards).await,
            "/api/v1/work-items",
            &[("estimate.optimistic", "out_of_order", "optimistic (5) must not exceed pessimistic (3)")],
        )
        .await;

        let mut reversed = program_body("Reversed");
        reversed["start"] = json!("2026-03-01");
        reversed["target_end"] = json!("2026-02-01");
        reversed["name"] = json!("  ");
        assert_validation(
            app.post_json("/api/v1/programs", &reversed).await,
            "/api/v1/programs",
            &[
                ("name", "required", "must not be blank"),
                ("target_end", "before_start", "must not be before the start date (2026-03-01)"),
            ],
        )
        .await;

        let missing = uuid::Uuid::now_v7();
        assert_validation(
            app.post_json("/api/v1/projects", &json!({"program_id": missing, "name": "Orphan", "start": "2026-01-01"}))
                .await,
            "/api/v1/projects",
            &[("program_id", "not_found", &format!("program {missing} does not exist"))],
        )
        .await;

        let item = app.create("/api/v1/work-items", &task_body(&project_id, "Alone")).await;
        let itself = json!({"type": "work_item", "id": id_of(&item)});
        assert_validation(
            app.post_json("/api/v1/dependencies", &json!({"predecessor": itself, "successor": itself})).await,
            "/api/v1/dependencies",
            &[("successor", "self_dependency", "an item cannot depend on itself")],
        )
        .await;
    }
}

#[tokio::test]
async fn a_dependency_closing_a_cycle_is_422_naming_the_cycle() {
    for app in TestApp::spawn_all().await {
        let (_, project_id) = program_with_project(&app).await;
        let design = id_of(&app.create("/api/v1/work-items", &task_body(&project_id, "Design")).await);
        let build = id_of(&app.create("/api/v1/work-items", &task_body(&project_id, "Build")).await);
        let launch = app
            .create(
                "/api/v1/milestones",
                &json!({"project_id": project_id, "name": "Launch", "target_date": "2026-06-30"}),
            )
            .await;
        let launch = id_of(&launch);
        let node = |kind: &str, id: &str| json!({"type": kind, "id": id});
        app.create(
            "/api/v1/dependencies",
            &json!({"predecessor": node("work_item", &design), "successor": node("work_item", &build)}),
        )
        .await;
        app.create(
            "/api/v1/dependencies",
            &json!({"predecessor": node("work_item", &build), "successor": node("milestone", &launch)}),
        )
        .await;
        let message = format!(
            "this dependency would close a cycle: \"Launch\" (milestone {launch}) -> \"Design\" (work_item {design}) -> \
         \"Build\" (work_item {build}) -> \"Launch\" (milestone {launch})"
        );
        assert_validation(
            app.post_json(
                "/api/v1/dependencies",
                &json!({"predecessor": node("milestone", &launch), "successor": node("work_item", &design)}),
            )
            .await,
            "/api/v1/dependencies",
            &[("successor", "cycle", &message)],
        )
        .await;
        let (_, _, list) = json_response(app.get("/api/v1/dependencies").await).await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    }
}

#[tokio::test]
async fn bodies_with_wrong_shapes_are_422_naming_the_path() {
    for app in TestApp::spawn_all().await {
        let (_, project_id) = program_with_project(&app).await;

        let mut typo = program_body("Typo");
        typo["colour"] = json!("red");
        assert_validation(
        app.post_json("/api/v1/programs", &typo).await,
        "/api/v1/programs",
        &[(
            "colour",
            "unknown_field",
            "unknown field `colour`, expected one of `name`, `goal`, `sponsor`, `phase`, `start`, `target_end`, `budget`, `currency`, `status_date`",
        )],
    )
    .await;

        assert_validation(
            app.post_json("/api/v1/programs", &json!({"name": "No dates", "start": "2026-01-01"})).await,
            "/api/v1/programs",
            &[("target_end", "required", "is required")],
        )
        .await;

        let mut wrong_type = task_body(&project_id, "Wrong type");
        wrong_type["estimate"]["optimistic"] = json!("soon");
        assert_validation(
            app.post_json("/api/v1/work-items", &wrong_type).await,
            "/api/v1/work-items",
            &[("estimate.optimistic", "invalid_type", "invalid type: string \"soon\", expected f64")],
        )
        .await;

        let mut missing_nested = task_body(&project_id, "Missing nested");
        missing_nested["estimate"] = json!({"optimistic": 1, "pessimistic": 2});
        assert_validation(
            app.post_json("/api/v1/work-items", &missing_nested).await,
            "/api/v1/work-items",
            &[("estimate.most_likely", "required", "is required")],
        )
        .await;

        let mut bad_enum = task_body(&project_id, "Bad enum");
        bad_enum["status"] = json!("doing");
        assert_validation(
            app.post_json("/api/v1/work-items", &bad_enum).await,
            "/api/v1/work-items",
            &[(
                "status",
                "invalid",
                "unknown variant `doing`, expected one of `backlog`, `ready`, `in_progress`, `done`, `cancelled`",
            )],
        )
        .await;

        let mut bad_release = task_body(&project_id, "Bad release");
        bad_release["released_on"] = json!("2026-13-01");
        assert_validation(
            app.post_json("/api/v1/work-items", &bad_release).await,
            "/api/v1/work-items",
            &[("released_on", "invalid_date", "must be a date in the form YYYY-MM-DD")],
        )
        .await;

        for (percent, message) in [(json!(101), "must be between 0 and 100"), (json!(-1), "must be between 0 and 100")]
        {
            let mut bad_progress = task_body(&project_id, "Bad progress");
            bad_progress["percent_complete"] = percent;
            assert_validation(
                app.post_json("/api/v1/work-items", &bad_progress).await,
                "/api/v1/work-items",
                &[("percent_complete", "out_of_range", message)],
            )
            .await;
        }
        let mut fractional_progress = task_body(&project_id, "Fractional progress");
        fractional_progress["percent_complete"] = json!(12.5);
        assert_validation(
            app.post_json("/api/v1/work-items", &fractional_progress).await,
            "/api/v1/work-items",
            &[("percent_complete", "invalid_type", "invalid type: floating point `12.5`, expected i64")],
        )
        .await;

        let mut bad_date = program_body("Bad date");
        bad_date["target_end"] = json!("2026-02-30");
        assert_validation(
            app.post_json("/api/v1/programs", &bad_date).await,
            "/api/v1/programs",
            &[("target_end", "invalid_date", "must be a date in the form YYYY-MM-DD")],
        )
        .await;

        assert_validation(
            app.post_json("/api/v1/teams", &json!({"name": "Ops", "capacity": 2, "holidays": ["2026-12-25", "xmas"]}))
                .await,
            "/api/v1/teams",
            &[("holidays[1]", "invalid_date", "must be a date in the form YYYY-MM-DD")],
        )
        .await;

        assert_validation(
            app.post_json("/api/v1/products", &json!(["Ledger"])).await,
            "/api/v1/products",
            &[("body", "invalid_type", "must be a JSON object")],
        )
        .await;

        let program = app.create("/api/v1/programs", &program_body("Versionless")).await;
        assert_validation(
            app.put_json(&format!("/api/v1/programs/{}", id_of(&program)), &program_body("Versionless")).await,
            &format!("/api/v1/programs/{}", id_of(&program)),
            &[("version", "required", "is required")],
        )
        .await;
    }
}

#[tokio::test]
async fn bad_query_parameters_are_422_naming_the_parameter() {
    for app in TestApp::spawn_all().await {
        assert_validation(
            app.get("/api/v1/work-items?status=doing").await,
            "/api/v1/work-items",
            &[("status", "invalid", "must be one of backlog, ready, in_progress, done, cancelled")],
        )
        .await;
        assert_validation(
            app.get("/api/v1/programs?phase=planning&limit=0").await,
            "/api/v1/programs",
            &[
                ("phase", "invalid", "must be one of definition, delivery, closure"),
                ("limit", "out_of_range", "must be between 1 and 500"),
            ],
        )
        .await;
        assert_validation(
            app.get("/api/v1/projects?program_id=abc&limit=501").await,
            "/api/v1/projects",
            &[("program_id", "invalid", "must be a UUID"), ("limit", "out_of_range", "must be between 1 and 500")],
        )
        .await;
        assert_validation(
            app.get("/api/v1/work-items?order=priority&kind=saga").await,
            "/api/v1/work-items",
            &[
                ("kind", "invalid", "must be one of epic, feature, story, task, bug"),
                ("order", "invalid", "must be one of created, rank"),
            ],
        )
        .await;
        assert_validation(
            app.get("/api/v1/dependencies?cross_project=yes").await,
            "/api/v1/dependencies",
            &[("cross_project", "invalid", "must be true or false")],
        )
        .await;
        assert_validation(
            app.get("/api/v1/teams?cursor=garbage").await,
            "/api/v1/teams",
            &[("cursor", "invalid", "is not a cursor from a previous page of this list")],
        )
        .await;
        assert_validation(
            app.get("/api/v1/teams?limit=5&limit=6").await,
            "/api/v1/teams",
            &[("limit", "duplicate_field", "duplicate field `limit`")],
        )
        .await;
        let id = uuid::Uuid::now_v7();
        assert_validation(
            app.delete(&format!("/api/v1/teams/{id}?version=two")).await,
            &format!("/api/v1/teams/{id}"),
            &[("version", "invalid", "must be a whole number")],
        )
        .await;
    }
}

#[tokio::test]
async fn a_storage_failure_is_a_generic_500_that_leaks_nothing() {
    use sqlx::Connection;

    let app = TestApp::spawn().await;
    // Break the database for real behind the server's back.
    let mut connection = sqlx::sqlite::SqliteConnection::connect(&app.db.url).await.unwrap();
    sqlx::query("DROP TABLE dependencies").execute(&mut connection).await.unwrap();
    connection.close().await.unwrap();

    let response = app.get("/api/v1/dependencies").await;
    let (status, content_type, body) = json_response(response).await;
    assert_eq!((status, content_type.as_str()), (500, PROBLEM));
    assert_eq!(
        body,
        json!({
            "type": "urn:tandem:problem:internal",
            "title": "Internal server error",
            "status": 500,
            "detail": "an internal error occurred",
            "instance": "/api/v1/dependencies",
        })
    );
}

#[tokio::test]
async fn hostile_inputs_get_problems_never_a_crash() {
    let app = TestApp::spawn().await;
    let id = uuid::Uuid::now_v7();
    let bodies = [
        "{}",
        "null",
        "\"text\"",
        "12",
        "1e400",
        "{\"name\": null, \"start\": null}",
        "{\"name\": \"\\u0000\", \"start\": \"2026-01-01\", \"target_end\": \"2026-01-01\", \"capacity\": 1}",
        "{\"version\": 9223372036854775807, \"name\": \"x\", \"capacity\": 99999999999999999999}",
        "{\"version\": -1, \"budget\": -5, \"lag_days\": 1.5, \"estimate\": {\"optimistic\": -1e308}}",
        "{\"predecessor\": {\"type\": \"work_item\", \"id\": \"nope\"}, \"successor\": []}",
        "{\"kind\": \"epic\", \"project_id\": \"00000000-0000-0000-0000-000000000000\", \"title\": \"x\", \
         \"estimate\": {\"optimistic\": 1e300, \"most_likely\": 1e300, \"pessimistic\": 1e300}}",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "{\"name\": \"\u{1F680}\", \"holidays\": [\"2026-02-29\"], \"working_days\": []}",
    ];
    let queries = [
        "limit=-1",
        "limit=99999999999999999999",
        "limit=",
        "cursor=%FF%FE",
        "status=%00&kind=%F0%9F%9A%80",
        "program_id=00000000-0000-0000-0000-000000000000&order=",
        "cross_project=true&work_item_id=x&milestone_id=y",
    ];
    for resource in ["programs", "projects", "products", "teams", "work-items", "milestones", "dependencies"] {
        let collection = format!("/api/v1/{resource}");
        let item = format!("{collection}/{id}");
        for body in bodies {
            for (method, path) in [("POST", &collection), ("PUT", &item)] {
                let response = app
                    .client
                    .request(method.parse().unwrap(), app.url(path))
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{method} {path} {body}: no answer ({e})"));
                let (status, content_type, problem) = json_response(response).await;
                assert!([400, 404, 422].contains(&status), "{method} {path} {body}: {status} {problem}");
                assert_eq!(content_type, PROBLEM);
                assert_eq!(problem["status"], status);
            }
        }
        for query in queries {
            let (status, _, body) = json_response(app.get(&format!("{collection}?{query}")).await).await;
            assert!([200, 422].contains(&status), "{collection}?{query}: {status} {body}");
        }
    }
    let (status, _, _) = json_response(app.get("/api/v1/health").await).await;
    assert_eq!(status, 200);
}
