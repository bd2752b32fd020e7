//! The generated OpenAPI document: it parses, is OpenAPI 3.1, documents exactly the routes the
//! server answers (checked both ways over HTTP), every error status with the problem schema, and
//! every `$ref` resolves.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tandem_test_support::app::{TestApp, json_response};

const RESOURCES: [&str; 11] = [
    "programs",
    "projects",
    "products",
    "teams",
    "work-items",
    "milestones",
    "dependencies",
    "risks",
    // Feedback and research.
    "segments",
    "insights",
    // Experiments: A/B tests.
    "experiments",
];

/// Every (method, path, documented statuses) the API serves.
fn routes() -> Vec<(&'static str, String, Vec<&'static str>)> {
    let mut routes = vec![
        ("get", "/api/v1/health".to_owned(), vec!["200"]),
        ("get", "/api/v1/openapi.json".to_owned(), vec!["200"]),
    ];
    for resource in RESOURCES {
        let collection = format!("/api/v1/{resource}");
        let item = format!("{collection}/{{id}}");
        routes.push(("get", collection.clone(), vec!["200", "401", "422", "500"]));
        routes.push(("post", collection, vec!["201", "400", "401", "403", "413", "415", "422", "500"]));
        routes.push(("get", item.clone(), vec!["200", "401", "404", "500"]));
        routes.push(("put", item.clone(), vec!["200", "400", "401", "403", "404", "409", "413", "415", "422", "500"]));
        routes.push(("delete", item, vec!["204", "401", "403", "404", "409", "422", "500"]));
    }
    let schedule = "/api/v1/programs/{id}/schedule".to_owned();
    routes.push(("get", schedule.clone(), vec!["200", "404", "500"]));
    routes.push(("post", schedule, vec!["201", "400", "401", "403", "404", "413", "415", "422", "500"]));
    let forecast = "/api/v1/programs/{id}/forecast".to_owned();
    routes.push(("get", forecast.clone(), vec!["200", "404", "500"]));
    routes.push(("post", forecast, vec!["201", "400", "401", "403", "404", "413", "415", "422", "500"]));
    routes.push(("get", "/api/v1/programs/{id}/risk-matrix".to_owned(), vec!["200", "401", "404", "422", "500"]));
    // Product strategy: objectives and key results.
    routes.push(("get", "/api/v1/products/{id}/objectives".to_owned(), vec!["200", "401", "404", "500"]));
    routes.push(("post", "/api/v1/objectives".to_owned(), vec!["201", "400", "401", "403", "422", "500"]));
    routes.push(("get", "/api/v1/objectives/{id}".to_owned(), vec!["200", "401", "404", "500"]));
    let objective = "/api/v1/objectives/{id}".to_owned();
    routes.push(("put", objective.clone(), vec!["200", "400", "401", "403", "404", "409", "422", "500"]));
    routes.push(("delete", objective, vec!["204", "401", "403", "404", "409", "422", "500"]));
    let measurements = "/api/v1/objectives/{id}/measurements".to_owned();
    routes.push(("post", measurements, vec!["201", "400", "401", "403", "404", "422", "500"]));
    let link = "/api/v1/objectives/{id}/features/{work_item_id}".to_owned();
    routes.push(("put", link.clone(), vec!["204", "401", "403", "404", "422", "500"]));
    routes.push(("delete", link, vec!["204", "401", "403", "404", "422", "500"]));
    routes.push(("get", "/api/v1/products/{id}/roadmap".to_owned(), vec!["200", "401", "404", "422", "500"]));
    let entry = "/api/v1/work-items/{id}/roadmap-entry".to_owned();
    routes.push(("put", entry, vec!["200", "400", "401", "403", "404", "409", "422", "500"]));
    // Product backlog: ordering, bulk edits, user stories and prioritization.
    let body_errors = ["400", "401", "403", "404", "409", "413", "415", "422", "500"];
    routes.push(("get", "/api/v1/products/{id}/backlog".to_owned(), vec!["200", "401", "404", "422", "500"]));
    routes.push((
        "post",
        "/api/v1/products/{id}/backlog/move".to_owned(),
        vec!["200", "400", "401", "403", "404", "413", "415", "422", "500"],
    ));
    routes.push((
        "post",
        "/api/v1/work-items/bulk".to_owned(),
        vec!["200", "400", "401", "403", "413", "415", "422", "500"],
    ));
    for part in ["story", "prioritization"] {
        routes.push(("get", format!("/api/v1/work-items/{{id}}/{part}"), vec!["200", "401", "404", "500"]));
        let mut put = vec!["200"];
        put.extend(body_errors);
        routes.push(("put", format!("/api/v1/work-items/{{id}}/{part}"), put));
    }
    routes.push(("get", "/api/v1/products/{id}/prioritization".to_owned(), vec!["200", "401", "404", "422", "500"]));
    routes.push(("get", "/api/v1/products/{id}/prioritization/compare".to_owned(), vec!["200", "401", "404", "500"]));
    // Feedback and research.
    routes.push((
        "post",
        "/api/v1/products/{id}/insights/import".to_owned(),
        vec!["201", "401", "403", "404", "415", "422", "500"],
    ));
    routes.push(("get", "/api/v1/work-items/{id}/evidence".to_owned(), vec!["200", "401", "404", "500"]));
    // Experiments: A/B tests.
    routes.push(("get", "/api/v1/experiments/{id}/results".to_owned(), vec!["200", "401", "404", "500"]));
    // Product metrics.
    let metrics = "/api/v1/products/{id}/metrics".to_owned();
    routes.push(("post", metrics.clone(), vec!["201", "400", "401", "403", "404", "413", "415", "422", "500"]));
    routes.push(("get", metrics, vec!["200", "401", "404", "422", "500"]));
    routes.push((
        "post",
        "/api/v1/products/{id}/metrics/import".to_owned(),
        vec!["201", "401", "403", "404", "415", "422", "500"],
    ));
    routes.push(("get", "/api/v1/metric-points/{id}".to_owned(), vec!["200", "401", "404", "500"]));
    routes.push((
        "delete",
        "/api/v1/metric-points/{id}".to_owned(),
        vec!["204", "401", "403", "404", "409", "422", "500"],
    ));
    routes
}

/// Every API route the server registers (from the router's own table), as (method, path).
fn served() -> BTreeSet<(String, String)> {
    tandem_server::route_table()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1"))
        .map(|r| (r.method.as_str().to_ascii_lowercase(), r.path))
        .collect()
}

async fn document(app: &TestApp) -> Value {
    let (status, content_type, doc) = json_response(app.get("/api/v1/openapi.json").await).await;
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    doc
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_documents_exactly_the_routes() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    assert_eq!(doc["info"]["title"], "Tandem API");

    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().keys().map(move |method| (method.clone(), path.clone())))
        .collect();
    assert_eq!(documented, served(), "the document lists exactly the registered API routes");
    // Every error an operation documents carries the problem schema.
    for (method, path) in served() {
        let responses = doc["paths"][&path][&method]["responses"].as_object().unwrap();
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    response["content"]["application/problem+json"]["schema"],
                    json!({"$ref": "#/components/schemas/Problem"}),
                    "{method} {path} {status}"
                );
            }
        }
    }

    for (method, path, statuses) in routes() {
        let operation = &doc["paths"][&path][method];
        let responses = operation["responses"].as_object().unwrap();
        let documented: Vec<&str> = responses.keys().map(String::as_str).collect();
        assert_eq!(documented, statuses, "{method} {path}");
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    response["content"]["application/problem+json"]["schema"],
                    json!({"$ref": "#/components/schemas/Problem"}),
                    "{method} {path} {status}"
                );
            }
        }
        assert!(operation["operationId"].is_string(), "{method} {path}");
    }
}

#[tokio::test]
async fn every_documented_route_is_served_and_no_other() {
    let app = TestApp::spawn().await;
    let id = uuid::Uuid::now_v7();
    for (method, path) in served() {
        let method = method.as_str();
        let url = app.url(&path.replace("{id}", &id.to_string()));
        let request = match method {
            "get" => app.client.get(&url),
            "post" => app.client.post(&url).json(&json!({})),
            "put" => app.client.put(&url).json(&json!({})),
            "delete" => app.client.delete(&url),
            other => panic!("unexpected method {other}"),
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        // A served route answers 200, 422 (empty body) or 404 *for the record*, never "no route" or 405.
        let text = response.text().await.unwrap();
        assert!([200, 404, 422].contains(&status), "{method} {path}: {status} {text}");
        assert!(!text.contains("urn:tandem:problem:method-not-allowed"), "{method} {path}: {text}");
        assert!(!text.contains("no route for"), "{method} {path}: {text}");
    }
    // And methods the document does not list are refused.
    for (method, path) in
        [("PATCH", "/api/v1/programs/{id}"), ("PUT", "/api/v1/teams"), ("POST", "/api/v1/openapi.json")]
    {
        let url = app.url(&path.replace("{id}", &id.to_string()));
        let response = app.client.request(method.parse().unwrap(), &url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 405, "{method} {path}");
    }
}

/// Every `"$ref"` anywhere in `value`.
fn refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => refs(child, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
        _ => {}
    }
}

#[tokio::test]
async fn schemas_resolve_and_describe_the_wire_format() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 50, "{}", found.len());
    for target in found {
        let name = target.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("odd $ref {target}"));
        assert!(schemas.contains_key(name), "{target} does not resolve");
    }

    let problem = &schemas["Problem"];
    let mut required: Vec<&str> = problem["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    required.sort_unstable();
    assert_eq!(required, ["detail", "status", "title", "type"]);
    for member in ["type", "title", "status", "detail", "instance", "errors", "current_version"] {
        assert!(problem["properties"].get(member).is_some(), "Problem.{member}");
    }
    assert_eq!(schemas["WorkItemStatus"]["enum"], json!(["backlog", "ready", "in_progress", "done", "cancelled"]));
    assert_eq!(
        schemas["DependencyKind"]["enum"],
        json!(["finish_to_start", "start_to_start", "finish_to_finish", "start_to_finish"])
    );
    assert_eq!(schemas["ProgramPhase"]["enum"], json!(["definition", "delivery", "closure"]));
    assert_eq!(schemas["RiskStatus"]["enum"], json!(["open", "occurring", "closed"]));
    assert_eq!(schemas["RiskResponse"]["enum"], json!(["avoid", "mitigate", "transfer", "accept", "escalate"]));
    let mut new_risk: Vec<&str> =
        schemas["NewRisk"]["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    new_risk.sort_unstable();
    assert_eq!(new_risk, ["category", "probability", "program_id", "response", "schedule_impact", "title"]);
    let mut new_program: Vec<&str> =
        schemas["NewProgram"]["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    new_program.sort_unstable();
    assert_eq!(new_program, ["name", "start", "target_end"]);
    assert_eq!(schemas["Program"]["properties"]["start"]["format"], "date");
    // The status date: a date or null, optional in bodies.
    for schema in ["Program", "NewProgram", "ProgramUpdate"] {
        let status_date = &schemas[schema]["properties"]["status_date"];
        assert_eq!(status_date["format"], "date", "{schema}: {status_date}");
        assert_eq!(status_date["type"], json!(["string", "null"]), "{schema}: {status_date}");
        assert!(!schemas[schema]["required"].as_array().unwrap().contains(&json!("status_date")), "{schema}");
    }
    assert!(schemas["ProgramUpdate"]["required"].as_array().unwrap().contains(&json!("version")));
    // Bodies reject unknown members, and the document says so.
    assert_eq!(schemas["NewWorkItem"]["additionalProperties"], json!(false));
}
