//! The permission matrix: every route the server registers ([`tandem_server::route_table`]) is
//! requested as each of six callers (anonymous, viewer, editor, owner of program A and product P,
//! the owner of another program, an organisation admin), on every storage backend, and the
//! status is compared with what the route's rule says. A route without a rule here fails the
//! test, so a new route cannot be forgotten.
//!
//! Requests carry valid bodies, so a refusal can only come from the permission policy.
//! Mutating requests target a record made fresh for that one request.

use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Client, Method};
use serde_json::{Value, json};
use tandem_domain::{GrantScope, NodeRef, Role, Store, TokenScope, User};
use tandem_test_support::app::{TestApp, issue_token};
use tandem_test_support::conformance::{
    day, dependency_fields, insight_fields, milestone_fields, product_fields, program_fields, project_fields,
    risk_fields, segment_fields, team_fields, tester, work_item_fields,
};

/// Who makes the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Viewer,
    Editor,
    Owner,
    OtherOwner,
    Admin,
}

const EVERYONE: [Who; 6] = [Who::Anonymous, Who::Viewer, Who::Editor, Who::Owner, Who::OtherOwner, Who::Admin];

/// What a route allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Admins only (403 for others).
    Admin,
    /// Admins only; others are told there is no such record (another user's token).
    AdminElseNotFound,
    /// Members of program A / product P; others get 404.
    Read,
    /// Editors and owners; viewers 403; others 404.
    Edit,
    /// Owners; viewers and editors 403; others 404.
    Own,
    /// A create naming program A's project (or product P) in its body: editors and owners; viewers
    /// 403; others 422 (the named record does not exist for them).
    CreateInside,
    /// Editors and owners; viewers 403; for others the record does not exist, and deleting what
    /// does not exist is done already (the page's idempotent delete answers as for a success).
    EditIdempotentDelete,
}

/// What the path's `{id}` stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    None,
    Program,
    Project,
    Product,
    Team,
    WorkItem,
    Milestone,
    Dependency,
    Risk,
    User,
    AdminToken,
    Grant,
    // Product strategy: an objective of product P, and a feature of product P.
    Objective,
    Feature,
    // Feedback and research.
    Segment,
    Insight,
    // Experiments: A/B tests.
    Experiment,
    // Product metrics.
    MetricPoint,
}

struct Fixture {
    program: String,
    project: String,
    product: String,
    team: String,
    work_item: String,
    milestone: String,
    dependency: String,
    risk: String,
    // Product strategy: objectives and key results.
    objective: String,
    feature: String,
    viewer_user: String,
    admin_token_id: String,
    clients: Vec<(Who, Client)>,
    // Feedback and research: in product P.
    segment: String,
    insight: String,
    // Experiments: A/B tests, in product P.
    experiment: String,
    // Product metrics: a point in product P.
    metric_point: String,
}

fn allowed(status: u16, location: Option<&str>) -> bool {
    matches!(status, 200 | 201 | 204) || (status == 303 && location.is_some_and(|l| !l.starts_with("/login")))
}

/// Whether `who` may; `None` when the expected answer is a specific refusal.
fn expected(rule: Rule, who: Who, api: bool) -> Result<(), u16> {
    let denied_anonymous = if api { 401 } else { 303 };
    match (rule, who) {
        (Rule::Public, _) => Ok(()),
        (_, Who::Anonymous) => Err(denied_anonymous),
        (Rule::SignedIn, _) | (_, Who::Admin) => Ok(()),
        (Rule::Admin, _) => Err(403),
        (Rule::AdminElseNotFound, _) => Err(404),
        (_, Who::OtherOwner) if rule == Rule::CreateInside => Err(422),
        (Rule::EditIdempotentDelete, Who::OtherOwner) => Ok(()),
        (_, Who::OtherOwner) => Err(404),
        (Rule::Read, _) => Ok(()),
        (Rule::Edit | Rule::CreateInside | Rule::EditIdempotentDelete, Who::Viewer) => Err(403),
        (Rule::Edit | Rule::CreateInside | Rule::EditIdempotentDelete, _) => Ok(()),
        (Rule::Own, Who::Owner) => Ok(()),
        (Rule::Own, _) => Err(403),
    }
}

/// The rule of each route and what its `{id}` names.
fn rule_of(method: &Method, path: &str) -> Option<(Rule, Target)> {
    use Rule::*;
    let get = *method == Method::GET;
    let target = |t| if path.contains("{id}") { t } else { Target::None };
    let api = path.strip_prefix("/api/v1");
    let found = match (method.as_str(), api.unwrap_or(path)) {
        ("GET", "/health" | "/openapi.json") if api.is_some() => (Public, Target::None),
        ("GET", "/static/tandem.css" | "/login") | ("POST", "/login") if api.is_none() => (Public, Target::None),
        ("POST", "/logout") => (SignedIn, Target::None),
        ("GET", "/me" | "/tokens" | "/users") if api.is_some() => (SignedIn, Target::None),
        ("POST", "/tokens") => (SignedIn, Target::None),
        ("GET" | "DELETE", "/tokens/{id}") => (AdminElseNotFound, Target::AdminToken),
        ("GET", "/users/{id}" | "/users/{id}/history") => (SignedIn, Target::User),
        ("POST", "/users") | ("PUT", "/users/{id}") => (Admin, target(Target::User)),
        ("GET", "/audit") => (Admin, Target::None),
        ("GET", "/" | "/programs" | "/products" | "/teams" | "/account") => (SignedIn, Target::None),
        (
            "GET",
            "/programs/new" | "/projects/new" | "/products/new" | "/teams/new" | "/work-items/new" | "/milestones/new"
            | "/risks/new",
        ) => (SignedIn, Target::None),
        ("GET", "/projects" | "/work-items" | "/milestones" | "/dependencies" | "/risks") => (SignedIn, Target::None),
        ("POST", "/programs" | "/products" | "/teams") => (Admin, Target::None),
        ("POST", "/account/tokens" | "/account/password") => (SignedIn, Target::None),
        ("POST", "/account/tokens/{id}/revoke") => (AdminElseNotFound, Target::AdminToken),
        ("GET" | "POST", "/admin/users") | ("GET", "/admin/audit") => (Admin, Target::None),
        ("POST", "/projects" | "/work-items" | "/milestones" | "/dependencies" | "/risks") => {
            (CreateInside, Target::None)
        }
        // Feedback and research: the product is named in the body (create) or the query (list).
        ("POST", "/segments" | "/insights") if api.is_some() => (CreateInside, Target::None),
        ("GET", "/segments" | "/insights") if api.is_some() => (Read, Target::None),
        // Experiments: A/B tests, like segments and insights.
        ("POST", "/experiments") if api.is_some() => (CreateInside, Target::None),
        ("GET", "/experiments") if api.is_some() => (Read, Target::None),
        ("GET", "/teams/{id}" | "/teams/{id}/history" | "/teams/{id}/edit") => (SignedIn, Target::Team),
        ("PUT" | "DELETE", "/teams/{id}") | ("POST", "/teams/{id}" | "/teams/{id}/delete") => (Admin, Target::Team),
        ("DELETE", "/members/{id}") | ("POST", "/members/{id}/delete") => (Own, Target::Grant),
        ("POST", "/work-items/{id}/dependencies") => (Edit, Target::WorkItem),
        ("POST", "/programs/{id}/schedule" | "/programs/{id}/forecast") => (Edit, Target::Program),
        ("POST", "/dependencies/{id}/delete") => (EditIdempotentDelete, Target::Dependency),
        ("GET", "/programs/{id}/schedule" | "/programs/{id}/forecast") => (Read, Target::Program),
        // Product strategy: objectives and key results.
        ("POST", "/objectives") => (CreateInside, Target::None),
        ("PUT" | "POST", "/work-items/{id}/roadmap-entry") => (Edit, Target::Feature),
        // Product backlog: a bulk edit names its items in the body, like a create names its container.
        ("GET", "/static/backlog.js") if api.is_none() => (Public, Target::None),
        ("POST", "/work-items/bulk") => (CreateInside, Target::None),
        (m, p) => {
            let kind = p.trim_start_matches('/').split('/').next().unwrap_or_default();
            let target = match kind {
                "programs" => Target::Program,
                "projects" => Target::Project,
                "products" => Target::Product,
                "work-items" => Target::WorkItem,
                "milestones" => Target::Milestone,
                "dependencies" => Target::Dependency,
                "risks" => Target::Risk,
                // Product strategy: objectives and key results.
                "objectives" => Target::Objective,
                "segments" => Target::Segment,
                "insights" => Target::Insight,
                // Experiments: A/B tests.
                "experiments" => Target::Experiment,
                // Product metrics.
                "metric-points" => Target::MetricPoint,
                _ => return None,
            };
            if !p.contains("{id}") {
                return None;
            }
            let containers = matches!(target, Target::Program | Target::Project | Target::Product);
            let rule = if get || p.ends_with("/members") && m == "GET" {
                Read
            } else if p.ends_with("/members") || (containers && (m == "DELETE" || p.ends_with("/delete"))) {
                Own
            } else {
                Edit
            };
            (rule, target)
        }
    };
    Some(found)
}

async fn make_user(app: &TestApp, name: &str) -> (User, Client) {
    app.user(name, false).await
}

async fn fixture(app: &TestApp) -> Fixture {
    let store = app.store().as_ref();
    let a = store.create_program(tester(), program_fields("A")).await.unwrap();
    let b = store.create_program(tester(), program_fields("B")).await.unwrap();
    let project = store.create_project(tester(), project_fields(a.id, "A1")).await.unwrap();
    store.create_project(tester(), project_fields(b.id, "B1")).await.unwrap();
    let product = store.create_product(tester(), product_fields("P")).await.unwrap();
    let team = store.create_team(tester(), team_fields("T", 5)).await.unwrap();
    let first =
        store.create_work_item(tester(), work_item_fields(Some(project.id), None, "First"), None).await.unwrap();
    let second =
        store.create_work_item(tester(), work_item_fields(Some(project.id), None, "Second"), None).await.unwrap();
    let milestone = store.create_milestone(tester(), milestone_fields(project.id, "M")).await.unwrap();
    let dependency = store
        .create_dependency(tester(), dependency_fields(NodeRef::WorkItem(first.id), NodeRef::WorkItem(second.id)))
        .await
        .unwrap();

    let (viewer, viewer_client) = make_user(app, "viewer").await;
    let (editor, editor_client) = make_user(app, "editor").await;
    let (owner, owner_client) = make_user(app, "owner").await;
    let (other, other_client) = make_user(app, "other").await;
    for (user, role) in [(&viewer, Role::Viewer), (&editor, Role::Editor), (&owner, Role::Owner)] {
        app.grant(user, GrantScope::Program(a.id), role).await;
        app.grant(user, GrantScope::Product(product.id), role).await;
    }
    app.grant(&other, GrantScope::Program(b.id), Role::Owner).await;
    // A stored schedule, so reading it answers 200.
    let computed = app.client.post(app.url(&format!("/api/v1/programs/{}/schedule", a.id))).send().await.unwrap();
    assert_eq!(computed.status().as_u16(), 201);
    // And a stored forecast.
    let forecast = app
        .client
        .post(app.url(&format!("/api/v1/programs/{}/forecast", a.id)))
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"iterations": 20}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forecast.status().as_u16(), 201);
    let risk = store.create_risk(tester(), risk_fields(a.id, None, vec![first.id], "R")).await.unwrap();
    // Product strategy: objectives and key results.
    let objective = store.create_objective(tester(), strategy_objective(product.id)).await.unwrap();
    let feature = strategy_feature(store, product.id).await;
    let segment = store.create_segment(tester(), segment_fields(product.id, "SMB", 1.0)).await.unwrap();
    let insight = store
        .create_insight(tester(), insight_fields(product.id, "Acme", Some(segment.id), vec![], day(2026, 3, 2)))
        .await
        .unwrap();
    let experiment = store.create_experiment(tester(), matrix_experiment(product.id)).await.unwrap();
    // Product metrics.
    let metric_point = store.record_metric_point(tester(), metrics_point(product.id, 1)).await.unwrap();
    let admin_token = store.list_api_tokens(None).await.unwrap();
    let admin_token_id = admin_token.last().unwrap().id.to_string();
    Fixture {
        program: a.id.to_string(),
        project: project.id.to_string(),
        product: product.id.to_string(),
        team: team.id.to_string(),
        work_item: first.id.to_string(),
        milestone: milestone.id.to_string(),
        dependency: dependency.id.to_string(),
        risk: risk.id.to_string(),
        objective: objective.id.to_string(),
        feature: feature.to_string(),
        viewer_user: viewer.id.to_string(),
        admin_token_id,
        clients: vec![
            (Who::Anonymous, app.anonymous.clone()),
            (Who::Viewer, viewer_client),
            (Who::Editor, editor_client),
            (Who::Owner, owner_client),
            (Who::OtherOwner, other_client),
            (Who::Admin, app.client.clone()),
        ],
        segment: segment.id.to_string(),
        insight: insight.id.to_string(),
        experiment: experiment.id.to_string(),
        metric_point: metric_point.id.to_string(),
    }
}

/// The id a mutating request works on: a fresh record in program A (or product P), so one
/// caller's delete does not change what the next caller meets.
async fn fresh_id(app: &TestApp, fixture: &Fixture, target: Target) -> String {
    let store: &dyn Store = app.store().as_ref();
    let program: tandem_domain::ProgramId = fixture.program.parse().unwrap();
    let project: tandem_domain::ProjectId = fixture.project.parse().unwrap();
    match target {
        Target::None => String::new(),
        Target::Program => {
            let fresh = store.create_program(tester(), program_fields("Fresh")).await.unwrap();
            grant_fixture_roles(app, GrantScope::Program(fresh.id), fixture).await;
            fresh.id.to_string()
        }
        Target::Project => {
            store.create_project(tester(), project_fields(program, "Fresh")).await.unwrap().id.to_string()
        }
        Target::Product => {
            let fresh = store.create_product(tester(), product_fields("Fresh")).await.unwrap();
            grant_fixture_roles(app, GrantScope::Product(fresh.id), fixture).await;
            fresh.id.to_string()
        }
        Target::Team => store.create_team(tester(), team_fields("Fresh", 5)).await.unwrap().id.to_string(),
        Target::WorkItem => store
            .create_work_item(tester(), work_item_fields(Some(project), None, "Fresh"), None)
            .await
            .unwrap()
            .id
            .to_string(),
        Target::Milestone => {
            store.create_milestone(tester(), milestone_fields(project, "Fresh")).await.unwrap().id.to_string()
        }
        Target::Dependency => {
            let a = store.create_work_item(tester(), work_item_fields(Some(project), None, "x"), None).await.unwrap();
            let b = store.create_work_item(tester(), work_item_fields(Some(project), None, "y"), None).await.unwrap();
            let fields = dependency_fields(NodeRef::WorkItem(a.id), NodeRef::WorkItem(b.id));
            store.create_dependency(tester(), fields).await.unwrap().id.to_string()
        }
        Target::Risk => {
            let item =
                store.create_work_item(tester(), work_item_fields(Some(project), None, "hit"), None).await.unwrap();
            let fields = risk_fields(program, Some(project), vec![item.id], "Fresh");
            store.create_risk(tester(), fields).await.unwrap().id.to_string()
        }
        Target::User => fixture.viewer_user.clone(),
        // Product strategy: objectives and key results.
        Target::Objective => {
            let product: tandem_domain::ProductId = fixture.product.parse().unwrap();
            store.create_objective(tester(), strategy_objective(product)).await.unwrap().id.to_string()
        }
        Target::Feature => strategy_feature(store, fixture.product.parse().unwrap()).await.to_string(),
        Target::AdminToken => {
            let admin =
                store.get_user(store.list_api_tokens(None).await.unwrap().last().unwrap().user_id).await.unwrap();
            let secret = issue_token(store, &admin, TokenScope::Read).await;
            let digest = tandem_domain::accounts::secret_digest(&secret);
            store.find_api_token(&digest).await.unwrap().unwrap().0.id.to_string()
        }
        Target::Grant => {
            let (someone, _) = app.user(&format!("member{}", uuid::Uuid::now_v7().simple()), false).await;
            let grant = store.create_grant(tester(), someone.id, GrantScope::Program(program), Role::Viewer).await;
            grant.unwrap().id.to_string()
        }
        Target::Segment => {
            let product: tandem_domain::ProductId = fixture.product.parse().unwrap();
            let name = format!("S{}", uuid::Uuid::now_v7().simple());
            store.create_segment(tester(), segment_fields(product, &name, 2.0)).await.unwrap().id.to_string()
        }
        Target::Insight => {
            let product: tandem_domain::ProductId = fixture.product.parse().unwrap();
            let fields = insight_fields(product, "Fresh", None, vec![], day(2026, 3, 3));
            store.create_insight(tester(), fields).await.unwrap().id.to_string()
        }
        Target::Experiment => {
            let product: tandem_domain::ProductId = fixture.product.parse().unwrap();
            store.create_experiment(tester(), matrix_experiment(product)).await.unwrap().id.to_string()
        }
        // Product metrics: a point on a date of its own, so it is a new record.
        Target::MetricPoint => {
            let product: tandem_domain::ProductId = fixture.product.parse().unwrap();
            let days = u32::try_from(uuid::Uuid::now_v7().as_u128() % 3000).unwrap_or(0);
            store.record_metric_point(tester(), metrics_point(product, days + 2)).await.unwrap().id.to_string()
        }
    }
}

// Experiments: A/B tests.
fn matrix_experiment(product: tandem_domain::ProductId) -> tandem_domain::experiment::ExperimentFields {
    tandem_test_support::conformance::experiment_fields(product, None, "Matrix", &[("A", 10, 1), ("B", 10, 2)])
}

fn experiment_json(fixture: &Fixture) -> Value {
    json!({"product_id": fixture.product, "name": "Renamed", "metric": "conversion", "baseline": 0.05,
        "minimum_detectable_effect": 0.1, "variants": [{"name": "A", "visitors": 10, "conversions": 1},
        {"name": "B", "visitors": 10, "conversions": 2}]})
}

async fn grant_fixture_roles(app: &TestApp, scope: GrantScope, _fixture: &Fixture) {
    for (name, role) in [("viewer", Role::Viewer), ("editor", Role::Editor), ("owner", Role::Owner)] {
        let username = tandem_domain::Username::parse("username", name).unwrap();
        let (user, _) = app.store().find_credentials(&username).await.unwrap().unwrap();
        app.grant(&user, scope, role).await;
    }
}

fn shared_id(fixture: &Fixture, target: Target) -> String {
    match target {
        Target::None => String::new(),
        Target::Program => fixture.program.clone(),
        Target::Project => fixture.project.clone(),
        Target::Product => fixture.product.clone(),
        Target::Team => fixture.team.clone(),
        Target::WorkItem => fixture.work_item.clone(),
        Target::Milestone => fixture.milestone.clone(),
        Target::Dependency => fixture.dependency.clone(),
        Target::Risk => fixture.risk.clone(),
        Target::User => fixture.viewer_user.clone(),
        Target::AdminToken => fixture.admin_token_id.clone(),
        Target::Grant => String::new(),
        // Product strategy: objectives and key results.
        Target::Objective => fixture.objective.clone(),
        Target::Feature => fixture.feature.clone(),
        Target::Segment => fixture.segment.clone(),
        Target::Insight => fixture.insight.clone(),
        Target::Experiment => fixture.experiment.clone(),
        // Product metrics.
        Target::MetricPoint => fixture.metric_point.clone(),
    }
}

// Product metrics.
/// A revenue point of `product` on the `days`-th day after 2020-01-01.
fn metrics_point(product: tandem_domain::ProductId, days: u32) -> tandem_domain::metrics::MetricPointFields {
    let date = day(2020, 1, 1) + chrono::Days::new(u64::from(days));
    tandem_test_support::conformance::metric_point(
        product,
        None,
        tandem_domain::metrics::MetricKind::Revenue,
        date,
        100.0,
    )
}

// Product strategy: objectives and key results.
fn strategy_objective(product: tandem_domain::ProductId) -> tandem_domain::strategy::ObjectiveFields {
    let kr = tandem_test_support::conformance::key_result_input(None, "Activation", "%", 30.0, 50.0);
    tandem_test_support::conformance::objective_fields(product, "Grow", "2026-Q2", vec![kr])
}

async fn strategy_feature(store: &dyn Store, product: tandem_domain::ProductId) -> tandem_domain::WorkItemId {
    let mut fields = work_item_fields(None, Some(product), "Feature");
    fields.kind = tandem_domain::WorkItemKind::Feature;
    store.create_work_item(tester(), fields, None).await.unwrap().id
}

/// The first key result of an objective, read as the admin.
async fn strategy_key_result(app: &TestApp, objective: &str) -> String {
    let response = app.client.get(app.url(&format!("/api/v1/objectives/{objective}"))).send().await.unwrap();
    let record: Value = response.json().await.unwrap();
    record["key_results"][0]["id"].as_str().unwrap_or_default().to_owned()
}

/// A valid body for the route: JSON for the API, a form for pages.
async fn body_for(
    app: &TestApp,
    fixture: &Fixture,
    method: &Method,
    pattern: &str,
    id: &str,
) -> Option<(bool, String)> {
    let api = pattern.starts_with("/api/v1");
    let path = pattern.trim_start_matches("/api/v1");
    let version = || async {
        // The current version of the record `id` names, read as the admin.
        let kind = path.trim_start_matches('/').split('/').next().unwrap_or_default();
        let response = app.client.get(app.url(&format!("/api/v1/{kind}/{id}"))).send().await.unwrap();
        let record: Value = response.json().await.unwrap();
        record["version"].as_i64().unwrap_or(1)
    };
    let program = json!({"name": "Renamed", "start": "2026-01-05", "target_end": "2026-12-18"});
    let project = json!({"program_id": fixture.program, "name": "Renamed", "start": "2026-02-02"});
    let item = json!({"kind": "story", "project_id": fixture.project, "title": "Renamed",
        "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 3}});
    let milestone = json!({"project_id": fixture.project, "name": "Renamed", "target_date": "2026-06-30"});
    let insight = json!({"product_id": fixture.product, "source": "interview", "customer": "Renamed",
        "date": "2026-04-01", "quote": "Please", "importance": "important"});
    let risk = json!({"program_id": fixture.program, "title": "Renamed", "category": "technical", "probability": 30,
        "schedule_impact": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}, "response": "accept",
        "mitigations": [{"description": "Watch it", "due_date": "2026-05-04"}]});
    if api {
        let with_version = |mut body: Value, version: i64| {
            body["version"] = json!(version);
            body
        };
        let body = match (method.as_str(), path) {
            ("POST", "/programs") => program,
            ("PUT", "/programs/{id}") => with_version(program, version().await),
            ("POST", "/projects") => project,
            ("PUT", "/projects/{id}") => with_version(project, version().await),
            ("POST", "/products") => json!({"name": "Renamed"}),
            ("PUT", "/products/{id}") => with_version(json!({"name": "Renamed"}), version().await),
            ("POST", "/teams") => json!({"name": "Renamed", "capacity": 3}),
            ("PUT", "/teams/{id}") => with_version(json!({"name": "Renamed", "capacity": 6}), version().await),
            ("POST", "/work-items") => item,
            ("PUT", "/work-items/{id}") => with_version(item, version().await),
            ("POST", "/milestones") => milestone,
            ("PUT", "/milestones/{id}") => with_version(milestone, version().await),
            ("POST", "/dependencies") => {
                let store = app.store().as_ref();
                let project: tandem_domain::ProjectId = fixture.project.parse().unwrap();
                let a =
                    store.create_work_item(tester(), work_item_fields(Some(project), None, "p"), None).await.unwrap();
                let b =
                    store.create_work_item(tester(), work_item_fields(Some(project), None, "s"), None).await.unwrap();
                json!({"predecessor": {"type": "work_item", "id": a.id.to_string()},
                    "successor": {"type": "work_item", "id": b.id.to_string()}})
            }
            ("PUT", "/dependencies/{id}") => {
                let stored: Value = app
                    .client
                    .get(app.url(&format!("/api/v1/dependencies/{id}")))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                json!({"predecessor": stored["predecessor"], "successor": stored["successor"], "kind": "start_to_start",
                    "lag_days": 1, "version": stored["version"]})
            }
            ("POST", "/risks") => risk,
            ("PUT", "/risks/{id}") => with_version(risk, version().await),
            ("POST", "/tokens") => json!({"name": "matrix"}),
            ("POST", "/users") => {
                json!({"username": format!("u{}", uuid::Uuid::now_v7().simple()), "password": "long enough password"})
            }
            ("PUT", "/users/{id}") => {
                let user: Value =
                    app.client.get(app.url(&format!("/api/v1/users/{id}"))).send().await.unwrap().json().await.unwrap();
                json!({"username": user["username"], "display_name": "Renamed", "is_admin": false, "disabled": false,
                    "version": user["version"]})
            }
            ("POST", p) if p.ends_with("/members") => {
                let (someone, _) = app.user(&format!("m{}", uuid::Uuid::now_v7().simple()), false).await;
                json!({"user_id": someone.id.to_string(), "role": "viewer"})
            }
            ("POST", "/programs/{id}/schedule") => return Some((true, String::new())),
            ("POST", "/programs/{id}/forecast") => json!({"iterations": 20}),
            // Product strategy: objectives and key results.
            ("POST", "/objectives") => json!({"product_id": fixture.product, "title": "Grow", "quarter": "2026-Q2"}),
            ("PUT", "/objectives/{id}") => {
                json!({"product_id": fixture.product, "title": "Grow", "quarter": "2026-Q2", "version": version().await})
            }
            ("POST", "/objectives/{id}/measurements") => {
                json!({"key_result_id": strategy_key_result(app, id).await, "date": "2026-05-31", "value": 40})
            }
            ("PUT", "/work-items/{id}/roadmap-entry") => json!({"lane": "now"}),
            // Product backlog: ordering, bulk edits, user stories and prioritization.
            ("POST", "/products/{id}/backlog/move") => json!({"item_id": item_in_product(app, id).await, "to": "top"}),
            ("POST", "/work-items/bulk") => {
                let store = app.store().as_ref();
                let project: tandem_domain::ProjectId = fixture.project.parse().unwrap();
                let item = store.create_work_item(tester(), work_item_fields(Some(project), None, "b"), None).await;
                json!({"ids": [item.unwrap().id.to_string()], "status": "ready", "rank": "top"})
            }
            ("PUT", "/work-items/{id}/story") => json!({"version": version().await, "as_a": "buyer", "i_want": "x",
                "so_that": "y", "acceptance_criteria": ["z"]}),
            ("PUT", "/work-items/{id}/prioritization") => json!({"version": version().await, "moscow": "must",
                "rice": {"reach": 100, "impact": 1, "confidence": 50, "effort": 2}}),
            // Feedback and research.
            ("POST", "/segments") => {
                json!({"product_id": fixture.product, "name": format!("S{}", uuid::Uuid::now_v7().simple())})
            }
            ("PUT", "/segments/{id}") => with_version(
                json!({"product_id": fixture.product, "name": format!("S{}", uuid::Uuid::now_v7().simple()), "weight": 3}),
                version().await,
            ),
            ("POST", "/insights") => insight,
            ("PUT", "/insights/{id}") => with_version(insight, version().await),
            ("POST", "/products/{id}/insights/import") => json!({"csv": IMPORT_CSV}),
            // Experiments: A/B tests.
            ("POST", "/experiments") => experiment_json(fixture),
            ("PUT", "/experiments/{id}") => with_version(experiment_json(fixture), version().await),
            // Product metrics.
            ("POST", "/products/{id}/metrics") => json!({"date": "2026-04-30", "kind": "adoption", "value": 12}),
            ("POST", "/products/{id}/metrics/import") => json!({"csv": METRICS_CSV}),
            _ => return None,
        };
        return Some((true, body.to_string()));
    }
    let form: Vec<(String, String)> = match (method.as_str(), path) {
        ("POST", "/programs" | "/programs/{id}") => vec![
            ("name", "Renamed"),
            ("phase", "definition"),
            ("start", "2026-01-05"),
            ("target_end", "2026-12-18"),
            ("currency", "EUR"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .chain(path.contains("{id}").then(|| ("version".to_owned(), "1".to_owned())))
        .collect(),
        ("POST", "/projects" | "/projects/{id}") => vec![
            ("program_id".to_owned(), fixture.program.clone()),
            ("name".to_owned(), "Renamed".to_owned()),
            ("start".to_owned(), "2026-02-02".to_owned()),
            ("version".to_owned(), "1".to_owned()),
        ],
        ("POST", "/products" | "/products/{id}") => {
            vec![("name".to_owned(), "Renamed".to_owned()), ("version".to_owned(), "1".to_owned())]
        }
        ("POST", "/teams" | "/teams/{id}") => vec![
            ("name".to_owned(), "Renamed".to_owned()),
            ("capacity".to_owned(), "4".to_owned()),
            ("working_days".to_owned(), "mon".to_owned()),
            ("version".to_owned(), "1".to_owned()),
        ],
        ("POST", "/work-items" | "/work-items/{id}") => vec![
            ("kind".to_owned(), "story".to_owned()),
            ("status".to_owned(), "backlog".to_owned()),
            ("project_id".to_owned(), fixture.project.clone()),
            ("title".to_owned(), "Renamed".to_owned()),
            ("estimate.optimistic".to_owned(), "1".to_owned()),
            ("estimate.most_likely".to_owned(), "2".to_owned()),
            ("estimate.pessimistic".to_owned(), "3".to_owned()),
            ("version".to_owned(), "1".to_owned()),
        ],
        ("POST", "/milestones" | "/milestones/{id}") => vec![
            ("project_id".to_owned(), fixture.project.clone()),
            ("name".to_owned(), "Renamed".to_owned()),
            ("target_date".to_owned(), "2026-06-30".to_owned()),
            ("version".to_owned(), "1".to_owned()),
        ],
        ("POST", "/risks" | "/risks/{id}") => vec![
            ("program_id", fixture.program.as_str()),
            ("title", "Renamed"),
            ("category", "technical"),
            ("status", "open"),
            ("response", "accept"),
            ("probability", "30"),
            ("schedule_impact.optimistic", "1"),
            ("schedule_impact.most_likely", "2"),
            ("schedule_impact.pessimistic", "4"),
            ("mitigations[0].description", "Watch it"),
            ("mitigations[0].due_date", "2026-05-04"),
            ("version", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        ("POST", "/work-items/{id}/dependencies") => {
            let store = app.store().as_ref();
            let project: tandem_domain::ProjectId = fixture.project.parse().unwrap();
            let other =
                store.create_work_item(tester(), work_item_fields(Some(project), None, "o"), None).await.unwrap();
            vec![
                ("direction".to_owned(), "before".to_owned()),
                ("node_type".to_owned(), "work_item".to_owned()),
                ("node_id".to_owned(), other.id.to_string()),
                ("kind".to_owned(), "finish_to_start".to_owned()),
                ("lag_days".to_owned(), "0".to_owned()),
            ]
        }
        ("POST", p) if p.ends_with("/members") => {
            let (someone, _) = app.user(&format!("m{}", uuid::Uuid::now_v7().simple()), false).await;
            vec![("username".to_owned(), someone.fields.username.to_string()), ("role".to_owned(), "viewer".to_owned())]
        }
        ("POST", "/dependencies/{id}/delete") => vec![("work_item_id".to_owned(), fixture.work_item.clone())],
        // Product strategy: objectives and key results.
        ("POST", "/products/{id}/objectives" | "/objectives/{id}") => vec![
            ("title".to_owned(), "Grow".to_owned()),
            ("quarter".to_owned(), "2026-Q2".to_owned()),
            ("status".to_owned(), "draft".to_owned()),
            ("version".to_owned(), "1".to_owned()),
        ],
        ("POST", "/objectives/{id}/measurements") => vec![
            ("key_result_id".to_owned(), strategy_key_result(app, id).await),
            ("date".to_owned(), "2026-05-31".to_owned()),
            ("value".to_owned(), "40".to_owned()),
        ],
        ("POST", "/objectives/{id}/features" | "/objectives/{id}/unlink") => {
            vec![("work_item_id".to_owned(), fixture.feature.clone())]
        }
        ("POST", "/work-items/{id}/roadmap-entry") => vec![("lane".to_owned(), "now".to_owned())],
        // Product backlog: ordering, bulk edits, user stories and prioritization.
        ("POST", "/products/{id}/backlog/move") => {
            vec![("item_id".to_owned(), item_in_product(app, id).await), ("to".to_owned(), "top".to_owned())]
        }
        ("POST", "/products/{id}/backlog/bulk") => {
            vec![("ids".to_owned(), item_in_product(app, id).await), ("status".to_owned(), "ready".to_owned())]
        }
        ("POST", "/work-items/{id}/story") => vec![
            ("version".to_owned(), "1".to_owned()),
            ("as_a".to_owned(), "buyer".to_owned()),
            ("i_want".to_owned(), "x".to_owned()),
            ("so_that".to_owned(), "y".to_owned()),
        ],
        ("POST", "/work-items/{id}/prioritization") => {
            vec![("version".to_owned(), "1".to_owned()), ("moscow".to_owned(), "must".to_owned())]
        }
        // Feedback and research.
        ("POST", "/products/{id}/segments") => {
            vec![
                ("name".to_owned(), format!("S{}", uuid::Uuid::now_v7().simple())),
                ("weight".to_owned(), "1".to_owned()),
            ]
        }
        ("POST", "/products/{id}/insights/import") => vec![("csv".to_owned(), IMPORT_CSV.to_owned())],
        ("POST", "/products/{id}/insights" | "/insights/{id}") => vec![
            ("customer", "Renamed"),
            ("source", "survey"),
            ("importance", "critical"),
            ("date", "2026-04-01"),
            ("quote", "Please"),
            ("version", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        // Experiments: A/B tests.
        ("POST", "/products/{id}/experiments" | "/experiments/{id}") => [
            ("name", "Renamed"),
            ("metric", "conversion"),
            ("status", "running"),
            ("baseline", "0.05"),
            ("minimum_detectable_effect", "0.1"),
            ("power", "0.8"),
            ("alpha", "0.05"),
            ("variants[0].name", "A"),
            ("variants[0].visitors", "10"),
            ("variants[0].conversions", "1"),
            ("variants[1].name", "B"),
            ("variants[1].visitors", "10"),
            ("variants[1].conversions", "2"),
            ("version", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        // Product metrics.
        ("POST", "/products/{id}/metrics") => vec![
            ("kind".to_owned(), "revenue".to_owned()),
            ("date".to_owned(), "2026-04-30".to_owned()),
            ("value".to_owned(), "1200".to_owned()),
        ],
        ("POST", "/products/{id}/metrics/import") => vec![("csv".to_owned(), METRICS_CSV.to_owned())],
        ("POST", "/account/tokens") => {
            vec![("name".to_owned(), "matrix".to_owned()), ("days".to_owned(), "30".to_owned())]
        }
        ("POST", "/admin/users") => vec![
            ("username".to_owned(), format!("u{}", uuid::Uuid::now_v7().simple())),
            ("password".to_owned(), "long enough password".to_owned()),
        ],
        ("POST", _) => Vec::new(),
        _ => return None,
    };
    Some((false, serde_urlencoded::to_string(form).unwrap()))
}

/// A fresh work item in the product `product` (for backlog moves and bulk edits).
async fn item_in_product(app: &TestApp, product: &str) -> String {
    let product: tandem_domain::ProductId = product.parse().unwrap();
    let fields = work_item_fields(None, Some(product), "In backlog");
    app.store().create_work_item(tester(), fields, None).await.unwrap().id.to_string()
}

/// A one-row insight import (feedback and research).
const IMPORT_CSV: &str = "date,source,customer,quote,importance\n2026-04-01,survey,Acme,Faster please,important\n";
/// A one-row metrics import (product metrics).
const METRICS_CSV: &str = "date,kind,value\n2026-04-30,retention,88\n";

#[tokio::test]
async fn every_route_answers_each_caller_as_its_rule_says() {
    let routes = tandem_server::route_table();
    let unruled: Vec<String> = routes
        .iter()
        .filter(|r| rule_of(&r.method, &r.path).is_none())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(unruled, Vec::<String>::new(), "routes without a rule in this test: add them");

    for app in TestApp::spawn_all().await {
        let fixture = fixture(&app).await;
        let mut failures = Vec::new();
        for route in &routes {
            let (rule, target) = rule_of(&route.method, &route.path).unwrap();
            // Signing in and out, and changing a password, are covered by their own tests (they
            // end sessions and are throttled).
            if matches!(route.path.as_str(), "/login" | "/logout" | "/account/password") && route.method == Method::POST
            {
                continue;
            }
            let api = route.path.starts_with("/api/v1");
            for who in EVERYONE {
                // Scheduling and forecasting need the shared program's work; they replace only the
                // stored schedule or forecast.
                let mutating = route.method != Method::GET
                    && !route.path.ends_with("/schedule")
                    && !route.path.ends_with("/forecast");
                let id = if mutating { fresh_id(&app, &fixture, target).await } else { shared_id(&fixture, target) };
                // Product strategy: a link route's second id is product P's feature.
                let mut path = route.path.replace("{id}", &id).replace("{work_item_id}", &fixture.feature);
                // Feedback and research: lists name their product in the query.
                if route.method == Method::GET
                    && matches!(route.path.as_str(), "/api/v1/segments" | "/api/v1/insights" | "/api/v1/experiments")
                {
                    path = format!("{path}?product_id={}", fixture.product);
                }
                let client = &fixture.clients.iter().find(|(w, _)| *w == who).unwrap().1;
                let mut request = client.request(route.method.clone(), app.url(&path));
                if let Some((json, body)) = body_for(&app, &fixture, &route.method, &route.path, &id).await {
                    let content_type = if json { "application/json" } else { "application/x-www-form-urlencoded" };
                    request = request.header(CONTENT_TYPE, content_type).body(body);
                }
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                let location = response.headers().get(LOCATION).and_then(|l| l.to_str().ok()).map(str::to_owned);
                let ok = match expected(rule, who, api) {
                    Ok(()) => allowed(status, location.as_deref()),
                    Err(303) => status == 303 && location.as_deref().is_some_and(|l| l.starts_with("/login")),
                    Err(want) => status == want,
                };
                if !ok {
                    let text = response.text().await.unwrap_or_default();
                    let text: String = text.chars().take(160).collect();
                    failures.push(format!(
                        "{:?} {} {} as {:?}: got {status} {location:?}, want {:?} ({text})",
                        app.backend(),
                        route.method,
                        route.path,
                        who,
                        expected(rule, who, api)
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    }
}

#[tokio::test]
async fn record_pages_offer_only_what_the_viewer_may_do() {
    let app = TestApp::spawn().await;
    let fixture = fixture(&app).await;
    let page = |who: Who, path: String| {
        let client = fixture.clients.iter().find(|(w, _)| *w == who).unwrap().1.clone();
        let url = app.url(&path);
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let program = format!("/programs/{}", fixture.program);
    let offers = |html: &str| {
        ["Edit program", "Delete program", "New project", "Recompute schedule", "Add member"]
            .into_iter()
            .filter(|label| html.contains(label))
            .collect::<Vec<_>>()
    };
    assert_eq!(offers(&page(Who::Viewer, program.clone()).await), Vec::<&str>::new());
    assert_eq!(
        offers(&page(Who::Editor, program.clone()).await),
        ["Edit program", "New project", "Recompute schedule"]
    );
    let everything = ["Edit program", "Delete program", "New project", "Recompute schedule", "Add member"];
    assert_eq!(offers(&page(Who::Owner, program.clone()).await), everything);
    assert_eq!(offers(&page(Who::Admin, program).await), everything);

    let item = page(Who::Viewer, format!("/work-items/{}", fixture.work_item)).await;
    assert!(!item.contains("Add a dependency") && !item.contains("Delete work item"));
    let item = page(Who::Editor, format!("/work-items/{}", fixture.work_item)).await;
    assert!(item.contains("Add a dependency") && item.contains("Delete work item"));
    let team = page(Who::Owner, format!("/teams/{}", fixture.team)).await;
    assert!(!team.contains("Edit team") && !team.contains("Delete team"), "teams are the admins'");

    // Experiments: A/B tests.
    let controls = ["New experiment", "Edit experiment", "Delete experiment"];
    let offered = |html: String| controls.into_iter().filter(|label| html.contains(label)).collect::<Vec<_>>();
    let list = format!("/products/{}/experiments", fixture.product);
    let experiment = format!("/experiments/{}", fixture.experiment);
    assert_eq!(offered(page(Who::Viewer, list.clone()).await), Vec::<&str>::new());
    assert_eq!(offered(page(Who::Viewer, experiment.clone()).await), Vec::<&str>::new());
    assert_eq!(offered(page(Who::Editor, list).await), ["New experiment"]);
    assert_eq!(offered(page(Who::Editor, experiment).await), ["Edit experiment", "Delete experiment"]);
}
