//! The risk register over the JSON API, on every backend: CRUD with the computed score, field
//! errors for bad probabilities, ranges and hits, what other programs' members see (404), the
//! heat map's exact counts, and the record's history.

use serde_json::{Value, json};
use tandem_domain::{GrantScope, ProgramId, Role};
use tandem_test_support::app::{TestApp, json_response};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

/// A program with a project and two tasks; returns (program, project, [task ids]).
async fn program_with_work(app: &TestApp, name: &str) -> (String, String, Vec<String>) {
    let program =
        app.create("/api/v1/programs", &json!({"name": name, "start": "2026-01-05", "target_end": "2026-12-18"})).await;
    let project = app
        .create("/api/v1/projects", &json!({"program_id": id_of(&program), "name": "Core", "start": "2026-02-02"}))
        .await;
    let mut tasks = Vec::new();
    for title in ["Migrate data", "Cut over"] {
        let task = app
            .create(
                "/api/v1/work-items",
                &json!({"kind": "task", "project_id": id_of(&project), "title": title,
                    "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}}),
            )
            .await;
        tasks.push(id_of(&task));
    }
    (id_of(&program), id_of(&project), tasks)
}

fn risk_body(program: &str, title: &str, probability: i64, most_likely: f64, hits: &[&str]) -> Value {
    json!({
        "program_id": program,
        "title": title,
        "category": "technical",
        "probability": probability,
        "schedule_impact": {"optimistic": 0, "most_likely": most_likely, "pessimistic": most_likely * 2.0},
        "work_item_ids": hits,
        "response": "mitigate",
    })
}

#[tokio::test]
async fn a_risk_is_created_read_replaced_listed_and_deleted_with_its_score() {
    for app in TestApp::spawn_all().await {
        let (program, project, tasks) = program_with_work(&app, "Ledger").await;
        let body = json!({
            "program_id": program, "project_id": project, "title": "Dirty legacy data",
            "cause": "No validation in branch systems", "effect": "Trial migrations fail", "owner": "Anja",
            "category": "technical", "probability": 75,
            "schedule_impact": {"optimistic": 5, "most_likely": 15, "pessimistic": 40},
            "work_item_ids": [tasks[1], tasks[0]], "cost_impact": 180000, "response": "mitigate",
            "mitigations": [{"description": "Profile the full base", "due_date": "2026-05-15"},
                {"description": "Cleansing squad", "due_date": "2026-06-01", "done": true}],
            "trigger": "More than 2% rejected",
        });
        let created = app.create("/api/v1/risks", &body).await;
        let id = id_of(&created);
        assert_eq!(created["status"], "open", "status defaults to open");
        assert_eq!(
            created["score"],
            json!({"probability_band": 5, "impact_band": 4, "value": 20, "rating": "critical"})
        );
        assert_eq!(created["work_item_ids"], json!([tasks[1], tasks[0]]));
        assert_eq!(
            created["mitigations"],
            json!([{"description": "Profile the full base", "due_date": "2026-05-15", "done": false},
                {"description": "Cleansing squad", "due_date": "2026-06-01", "done": true}])
        );
        assert_eq!((created["version"].as_i64(), created["cost_impact"].as_i64()), (Some(1), Some(180000)));
        let (status, _, read) = json_response(app.get(&format!("/api/v1/risks/{id}")).await).await;
        assert_eq!((status, &read), (200, &created));

        let mut replacement = risk_body(&program, "Dirty legacy data", 20, 4.0, &[&tasks[0]]);
        replacement["version"] = json!(1);
        replacement["status"] = json!("occurring");
        let (status, _, replaced) =
            json_response(app.put_json(&format!("/api/v1/risks/{id}"), &replacement).await).await;
        assert_eq!(status, 200, "{replaced}");
        assert_eq!((replaced["version"].as_i64(), replaced["project_id"].is_null()), (Some(2), true));
        assert_eq!(replaced["score"], json!({"probability_band": 2, "impact_band": 2, "value": 4, "rating": "low"}));
        assert_eq!((replaced["mitigations"].clone(), replaced["status"].clone()), (json!([]), json!("occurring")));
        let (status, _, stale) = json_response(app.put_json(&format!("/api/v1/risks/{id}"), &replacement).await).await;
        assert_eq!((status, stale["current_version"].as_i64()), (409, Some(2)));

        let other = app.create("/api/v1/risks", &risk_body(&program, "Vendor late", 40, 8.0, &[])).await;
        let (_, _, listed) = json_response(app.get(&format!("/api/v1/risks?program_id={program}")).await).await;
        let titles: Vec<&str> =
            listed["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Dirty legacy data", "Vendor late"]);
        let (_, _, occurring) = json_response(app.get("/api/v1/risks?status=occurring").await).await;
        assert_eq!(occurring["items"].as_array().unwrap().len(), 1);
        let (_, _, by_project) = json_response(app.get(&format!("/api/v1/risks?project_id={project}")).await).await;
        assert_eq!(by_project["items"], json!([]));
        let (status, _, bad) = json_response(app.get("/api/v1/risks?category=weather").await).await;
        assert_eq!((status, bad["errors"][0]["field"].as_str()), (422, Some("category")));

        // A hit work item cannot be deleted while the risk names it.
        let (status, _, refused) = json_response(app.delete(&format!("/api/v1/work-items/{}", tasks[0])).await).await;
        assert_eq!((status, refused["detail"].as_str().unwrap()), (409, "it is hit by 1 risk"));

        let (status, _, history) = json_response(app.get(&format!("/api/v1/risks/{id}/history")).await).await;
        assert_eq!(status, 200);
        let actions: Vec<&str> =
            history["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["updated", "created"]);

        assert_eq!(app.delete(&format!("/api/v1/risks/{id}?version=2")).await.status().as_u16(), 204);
        assert_eq!(app.get(&format!("/api/v1/risks/{id}")).await.status().as_u16(), 404);
        assert_eq!(app.delete(&format!("/api/v1/risks/{}", id_of(&other))).await.status().as_u16(), 204);
    }
}

#[tokio::test]
async fn bad_probability_range_and_unknown_work_items_are_422_naming_the_field() {
    for app in TestApp::spawn_all().await {
        let (program, _, tasks) = program_with_work(&app, "Ledger").await;
        let (_, _, foreign) = program_with_work(&app, "Other").await;
        let mut body = risk_body(&program, "R", 140, 5.0, &[]);
        body["schedule_impact"] = json!({"optimistic": 6, "most_likely": 5, "pessimistic": 9});
        let (status, _, problem) = json_response(app.post_json("/api/v1/risks", &body).await).await;
        assert_eq!(status, 422);
        assert_eq!(
            problem["errors"],
            json!([
                {"field": "probability", "code": "out_of_range", "message": "must be a percentage between 0 and 100"},
                {"field": "schedule_impact.optimistic", "code": "out_of_order",
                    "message": "optimistic (6) must not exceed most likely (5)"},
            ])
        );

        let missing = uuid::Uuid::now_v7().to_string();
        let body = risk_body(&program, "R", 40, 5.0, &[&tasks[0], &missing, &foreign[0]]);
        let (status, _, problem) = json_response(app.post_json("/api/v1/risks", &body).await).await;
        assert_eq!(status, 422);
        assert_eq!(
            problem["errors"],
            json!([
                {"field": "work_item_ids[1]", "code": "not_found", "message": format!("work item {missing} does not exist")},
                {"field": "work_item_ids[2]", "code": "other_program",
                    "message": format!("work item {} is not in a project of program {program}", foreign[0])},
            ])
        );

        let mut body = risk_body(&program, "R", 40, 5.0, &[]);
        body["probability"] = json!(40.5);
        let (status, _, problem) = json_response(app.post_json("/api/v1/risks", &body).await).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("probability")));
        let mut body = risk_body(&program, "R", 40, 5.0, &[]);
        body["mitigations"] = json!([{"description": "Call", "due_date": "2026-02-30"}]);
        let (status, _, problem) = json_response(app.post_json("/api/v1/risks", &body).await).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("mitigations[0].due_date")));
        let (_, _, listed) = json_response(app.get("/api/v1/risks").await).await;
        assert_eq!(listed["items"], json!([]), "nothing was stored");
    }
}

#[tokio::test]
async fn members_of_other_programs_get_404_and_cannot_name_the_program() {
    for app in TestApp::spawn_all().await {
        let (program, _, tasks) = program_with_work(&app, "Ledger").await;
        let (other_program, _, _) = program_with_work(&app, "Other").await;
        let risk = app.create("/api/v1/risks", &risk_body(&program, "Vendor late", 40, 8.0, &[&tasks[0]])).await;
        let id = id_of(&risk);
        let (outsider, client) = app.user("outsider", false).await;
        let other: ProgramId = other_program.parse().unwrap();
        app.grant(&outsider, GrantScope::Program(other), Role::Owner).await;

        for path in [
            format!("/api/v1/risks/{id}"),
            format!("/api/v1/risks/{id}/history"),
            format!("/api/v1/programs/{program}/risk-matrix"),
        ] {
            let (status, _, body) = json_response(client.get(app.url(&path)).send().await.unwrap()).await;
            assert_eq!(status, 404, "{path}: {body}");
        }
        let (status, _, body) =
            json_response(client.delete(app.url(&format!("/api/v1/risks/{id}"))).send().await.unwrap()).await;
        assert_eq!((status, body["detail"].as_str()), (404, Some(format!("risk {id} not found").as_str())));
        let (_, _, listed) = json_response(client.get(app.url("/api/v1/risks")).send().await.unwrap()).await;
        assert_eq!(listed["items"], json!([]));
        let (status, _, problem) = json_response(
            client.post(app.url("/api/v1/risks")).json(&risk_body(&program, "R", 10, 1.0, &[])).send().await.unwrap(),
        )
        .await;
        assert_eq!(
            (status, problem["errors"].clone()),
            (
                422,
                json!([{"field": "program_id", "code": "not_found", "message": format!("program {program} does not exist")}])
            )
        );
        // Naming another program's work item from one's own program answers as for a missing item.
        let body = risk_body(&other_program, "R", 10, 1.0, &[&tasks[0]]);
        let (status, _, problem) =
            json_response(client.post(app.url("/api/v1/risks")).json(&body).send().await.unwrap()).await;
        assert_eq!(
            (status, problem["errors"].clone()),
            (
                422,
                json!([{"field": "work_item_ids[0]", "code": "not_found",
                    "message": format!("work item {} does not exist", tasks[0])}])
            )
        );
    }
}

#[tokio::test]
async fn the_risk_matrix_counts_each_cell_exactly() {
    for app in TestApp::spawn_all().await {
        let (program, _, _) = program_with_work(&app, "Ledger").await;
        // (probability, most-likely days) -> cell (p band, i band)
        for (title, probability, days) in
            [("a", 75, 15.0), ("b", 72, 12.0), ("c", 40, 8.0), ("d", 5, 1.0), ("e", 60, 30.0)]
        {
            app.create("/api/v1/risks", &risk_body(&program, title, probability, days, &[])).await;
        }
        let mut closed = risk_body(&program, "f", 75, 15.0, &[]);
        closed["status"] = json!("closed");
        closed["category"] = json!("cost");
        app.create("/api/v1/risks", &closed).await;

        let (status, _, matrix) =
            json_response(app.get(&format!("/api/v1/programs/{program}/risk-matrix")).await).await;
        assert_eq!(status, 200, "{matrix}");
        assert_eq!((matrix["status"].as_str(), matrix["total"].as_u64()), (Some("active"), Some(5)));
        let cells = matrix["cells"].as_array().unwrap();
        assert_eq!(cells.len(), 25);
        let nonzero: Vec<(u64, u64, u64, u64, &str)> = cells
            .iter()
            .filter(|c| c["count"].as_u64() != Some(0))
            .map(|c| {
                (
                    c["probability_band"].as_u64().unwrap(),
                    c["impact_band"].as_u64().unwrap(),
                    c["count"].as_u64().unwrap(),
                    c["score"].as_u64().unwrap(),
                    c["rating"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            nonzero,
            [(1, 1, 1, 1, "low"), (3, 3, 1, 9, "medium"), (4, 5, 1, 20, "critical"), (5, 4, 2, 20, "critical")]
        );
        let (_, _, all) =
            json_response(app.get(&format!("/api/v1/programs/{program}/risk-matrix?status=all")).await).await;
        assert_eq!(all["total"].as_u64(), Some(6));
        let (_, _, cost) = json_response(
            app.get(&format!("/api/v1/programs/{program}/risk-matrix?status=closed&category=cost")).await,
        )
        .await;
        assert_eq!((cost["total"].as_u64(), cost["category"].as_str()), (Some(1), Some("cost")));
        let (status, _, bad) =
            json_response(app.get(&format!("/api/v1/programs/{program}/risk-matrix?status=maybe")).await).await;
        assert_eq!(
            (status, bad["errors"][0]["message"].as_str()),
            (422, Some("must be one of active, all, open, occurring, closed"))
        );
    }
}
