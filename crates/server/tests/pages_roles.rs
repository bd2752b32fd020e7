//! The forms by role, over real HTTP: a viewer is not offered the create and edit forms of
//! experiments, insights, programs, projects, products, milestones, teams, work items, risks and
//! objectives (the pages say why instead) nor a record page's new, edit and delete buttons, a
//! viewer's posts are refused with 403 before the form is read (so no form comes back, valid or
//! not) and change no row, and those the store lets write (an editor of a work item's product, of
//! a risk's or milestone's project, of a product; admins for teams) get the forms, whose place
//! pickers offer only the places the store lets them write (and an edited record's own). Also:
//! the admin audit page answers a filter value it does not know with a 400 page naming it.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, StatusCode};
use tandem_domain::evidence::{Insight, InsightFilter};
use tandem_domain::experiment::Experiment;
use tandem_domain::strategy::{Objective, ObjectiveFilter};
use tandem_domain::{
    GrantScope, Milestone, MilestoneFilter, PageRequest, Product, ProductFilter, Program, ProgramFilter, Project,
    ProjectFilter, Risk, RiskFilter, Role, Store, Team, TeamFilter, TokenScope, WorkItem, WorkItemFilter,
};
use tandem_test_support::app::{TestApp, client_with_token, issue_token};
use tandem_test_support::conformance::{
    day, experiment_fields, insight_fields, key_result_input, milestone_fields, objective_fields, product_fields,
    program_fields, project_fields, risk_fields, team_fields, tester, work_item_fields,
};

struct Fixture {
    app: TestApp,
    product: Product,
    experiment: Experiment,
    insight: Insight,
    viewer: Client,
    editor: Client,
    /// The editor's read-only API token.
    read_only: Client,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let product = store.create_product(tester(), product_fields("Shop")).await.unwrap();
    let feature =
        store.create_work_item(tester(), work_item_fields(None, Some(product.id), "Checkout"), None).await.unwrap();
    let experiment = store
        .create_experiment(
            tester(),
            experiment_fields(product.id, Some(feature.id), "Green button", &[("Control", 100, 5), ("Green", 100, 7)]),
        )
        .await
        .unwrap();
    let insight = store
        .create_insight(tester(), insight_fields(product.id, "Acme", None, vec![feature.id], day(2026, 3, 2)))
        .await
        .unwrap();
    let (viewer_user, viewer) = app.user("vera", false).await;
    app.grant(&viewer_user, GrantScope::Product(product.id), Role::Viewer).await;
    let (editor_user, editor) = app.user("eddie", false).await;
    app.grant(&editor_user, GrantScope::Product(product.id), Role::Editor).await;
    let read_only = client_with_token(&issue_token(store, &editor_user, TokenScope::Read).await);
    Fixture { app, product, experiment, insight, viewer, editor, read_only }
}

async fn get(fixture: &Fixture, client: &Client, path: &str) -> (StatusCode, String) {
    let response = client.get(fixture.app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn post(fixture: &Fixture, client: &Client, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, String) {
    let response = client
        .post(fixture.app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(pairs).unwrap())
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The text of the paragraph that explains a withheld form.
fn refusal(html: &str) -> Option<String> {
    let start = html.find("id=\"form-refused\"")?;
    let open = start + html[start..].find('>')? + 1;
    let close = open + html[open..].find("</p>")?;
    Some(html[open..close].replace("&#39;", "'"))
}

fn posts_to(html: &str, action: &str) -> bool {
    html.contains(&format!("<form method=\"post\" action=\"{action}\""))
}

const VIEWER_ADDS: &str = "You may look at this, but not change it: adding an experiment needs the editor role. Ask an owner for a role that allows it.";
const VIEWER_EDITS: &str = "You may look at this, but not change it: editing an experiment needs the editor role. Ask an owner for a role that allows it.";

#[tokio::test]
async fn a_viewer_is_not_offered_the_experiment_forms_and_cannot_post_them() {
    let f = fixture().await;
    let store = f.app.store().as_ref();
    let create = format!("/products/{}/experiments", f.product.id);
    let update = format!("/experiments/{}", f.experiment.id);

    let (status, html) = get(&f, &f.viewer, &format!("{create}/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refusal(&html).as_deref(), Some(VIEWER_ADDS), "{html}");
    assert!(!posts_to(&html, &create) && !html.contains("name=\"variants[0].name\""), "{html}");
    assert!(html.contains(&format!("<a href=\"{create}\">Back</a>")), "{html}");
    let (status, html) = get(&f, &f.viewer, &format!("{update}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refusal(&html).as_deref(), Some(VIEWER_EDITS), "{html}");
    assert!(!posts_to(&html, &update) && !html.contains("value=\"Green button\""), "{html}");

    // Editors get the forms; a read-only token gets the reason instead.
    let (_, html) = get(&f, &f.editor, &format!("{create}/new")).await;
    assert!(posts_to(&html, &create) && refusal(&html).is_none(), "{html}");
    let (_, html) = get(&f, &f.editor, &format!("{update}/edit")).await;
    assert!(posts_to(&html, &update) && html.contains("value=\"Green button\""), "{html}");
    let (status, html) = get(&f, &f.read_only, &format!("{update}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        refusal(&html).as_deref(),
        Some(
            "You may look at this, but not change it: this API token may only read. Ask an owner for a role that allows it."
        )
    );
    assert!(!posts_to(&html, &update));

    // Posts: refused whether the form is valid or not, and nothing is stored.
    let valid = [
        ("name", "Red button"),
        ("metric", "conversion"),
        ("status", "draft"),
        ("baseline", "0.05"),
        ("minimum_detectable_effect", "0.1"),
        ("power", "0.8"),
        ("alpha", "0.05"),
        ("variants[0].name", "Control"),
        ("variants[1].name", "Red"),
        ("version", "1"),
    ];
    let invalid = [("name", ""), ("metric", "conversion"), ("baseline", "x"), ("version", "1")];
    for (path, pairs) in
        [(&create, &valid[..]), (&create, &invalid[..]), (&update, &valid[..]), (&update, &invalid[..])]
    {
        let (status, html) = post(&f, &f.viewer, path, pairs).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "POST {path}");
        assert!(html.contains("<h1>Not allowed</h1>"), "{html}");
        let reason = if path == &create { "adding an experiment" } else { "editing an experiment" };
        assert!(html.contains(&format!("{reason} needs the editor role")), "{html}");
        assert!(!html.contains("name=\"variants[0].name\""), "no form comes back");
    }
    assert_eq!(store.list_experiments(f.product.id).await.unwrap(), vec![f.experiment.clone()]);
}

#[tokio::test]
async fn a_viewer_is_not_offered_the_insight_forms_and_cannot_post_them() {
    let f = fixture().await;
    let store = f.app.store().as_ref();
    let create = format!("/products/{}/insights", f.product.id);
    let update = format!("/insights/{}", f.insight.id);
    let sentence = |what: &str| {
        format!(
            "You may look at this, but not change it: {what} needs the editor role. Ask an owner for a role that allows it."
        )
    };

    let (status, html) = get(&f, &f.viewer, &format!("{create}/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refusal(&html), Some(sentence("adding an insight")), "{html}");
    assert!(!posts_to(&html, &create) && !html.contains("name=\"customer\""), "{html}");
    assert!(html.contains(&format!("<a href=\"/products/{}/evidence\">Back</a>", f.product.id)), "{html}");
    let (status, html) = get(&f, &f.viewer, &format!("{update}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refusal(&html), Some(sentence("editing an insight")), "{html}");
    assert!(!posts_to(&html, &update) && !html.contains("value=\"Acme\""), "{html}");

    let (_, html) = get(&f, &f.editor, &format!("{create}/new")).await;
    assert!(posts_to(&html, &create) && refusal(&html).is_none(), "{html}");
    let (_, html) = get(&f, &f.editor, &format!("{update}/edit")).await;
    assert!(posts_to(&html, &update) && html.contains("value=\"Acme\""), "{html}");

    let valid = [
        ("customer", "Bolt"),
        ("date", "2026-03-03"),
        ("quote", "Faster please"),
        ("importance", "critical"),
        ("source", "survey"),
        ("version", "1"),
    ];
    let invalid = [("customer", ""), ("date", "2026-13-01"), ("importance", "urgent"), ("version", "1")];
    for (path, pairs) in
        [(&create, &valid[..]), (&create, &invalid[..]), (&update, &valid[..]), (&update, &invalid[..])]
    {
        let (status, html) = post(&f, &f.viewer, path, pairs).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "POST {path}");
        let reason = if path == &create { "adding an insight" } else { "editing an insight" };
        assert!(html.contains(&format!("{reason} needs the editor role")), "{html}");
        assert!(!html.contains("name=\"customer\""), "no form comes back");
    }
    assert_eq!(store.list_insights(&InsightFilter::product(f.product.id)).await.unwrap(), vec![f.insight.clone()]);
}

/// A program with two projects, a product, a work item in the first project and the product, a
/// risk of that project and a program-wide one, an objective of the product, a milestone of the
/// first project and a team; and the people:
/// `vera` views the program and the product, `pete` edits the first project only (project
/// manager), `omar` views the program and edits the product (product owner), `paula` edits the
/// program without owning it.
struct Delivery {
    app: TestApp,
    program: Program,
    ledger: Project,
    cards: Project,
    product: Product,
    item: WorkItem,
    project_risk: Risk,
    program_risk: Risk,
    objective: Objective,
    milestone: Milestone,
    team: Team,
    vera: Client,
    pete: Client,
    omar: Client,
    paula: Client,
}

async fn delivery() -> Delivery {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = store.create_program(tester(), program_fields("Core banking")).await.unwrap();
    let ledger = store.create_project(tester(), project_fields(program.id, "Ledger")).await.unwrap();
    let cards = store.create_project(tester(), project_fields(program.id, "Cards")).await.unwrap();
    let product = store.create_product(tester(), product_fields("Shop")).await.unwrap();
    let item = store
        .create_work_item(tester(), work_item_fields(Some(ledger.id), Some(product.id), "Ledger API"), None)
        .await
        .unwrap();
    let project_risk = store
        .create_risk(tester(), risk_fields(program.id, Some(ledger.id), vec![item.id], "Vendor late"))
        .await
        .unwrap();
    let program_risk = store.create_risk(tester(), risk_fields(program.id, None, vec![], "Budget cut")).await.unwrap();
    let kr = key_result_input(None, "Activation rate", "%", 30.0, 50.0);
    let objective =
        store.create_objective(tester(), objective_fields(product.id, "Win teams", "2026-Q2", vec![kr])).await.unwrap();
    let milestone = store.create_milestone(tester(), milestone_fields(ledger.id, "Ledger live")).await.unwrap();
    let team = store.create_team(tester(), team_fields("Platform", 3)).await.unwrap();
    let (vera_user, vera) = app.user("vera", false).await;
    app.grant(&vera_user, GrantScope::Program(program.id), Role::Viewer).await;
    app.grant(&vera_user, GrantScope::Product(product.id), Role::Viewer).await;
    let (pete_user, pete) = app.user("pete", false).await;
    app.grant(&pete_user, GrantScope::Project(ledger.id), Role::Editor).await;
    let (omar_user, omar) = app.user("omar", false).await;
    app.grant(&omar_user, GrantScope::Program(program.id), Role::Viewer).await;
    app.grant(&omar_user, GrantScope::Product(product.id), Role::Editor).await;
    let (paula_user, paula) = app.user("paula", false).await;
    app.grant(&paula_user, GrantScope::Program(program.id), Role::Editor).await;
    Delivery {
        app,
        program,
        ledger,
        cards,
        product,
        item,
        project_risk,
        program_risk,
        objective,
        milestone,
        team,
        vera,
        pete,
        omar,
        paula,
    }
}

async fn fetch(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn send(app: &TestApp, client: &Client, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, String) {
    let response = client
        .post(app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(pairs).unwrap())
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Every program, project, product, milestone, team, work item, risk and objective as stored, to
/// show that nothing changed.
async fn stored_rows(store: &dyn Store) -> String {
    let page = PageRequest::first(100);
    let programs = store.list_programs(&ProgramFilter::default(), &page).await.unwrap().items;
    let projects = store.list_projects(&ProjectFilter::default(), &page).await.unwrap().items;
    let products = store.list_products(&ProductFilter::default(), &page).await.unwrap().items;
    let milestones = store.list_milestones(&MilestoneFilter::default(), &page).await.unwrap().items;
    let teams = store.list_teams(&TeamFilter::default(), &page).await.unwrap().items;
    let items = store.list_work_items(&WorkItemFilter::default(), &page).await.unwrap().items;
    let risks = store.list_risks(&RiskFilter::default(), &page).await.unwrap().items;
    let objectives = store.list_objectives(&ObjectiveFilter::default()).await.unwrap();
    format!("{programs:?}\n{projects:?}\n{products:?}\n{milestones:?}\n{teams:?}\n{items:?}\n{risks:?}\n{objectives:?}")
}

fn withheld_sentence(reason: &str) -> String {
    format!("You may look at this, but not change it: {reason}. Ask an owner for a role that allows it.")
}

/// Each form page of the delivery records: (address of the GET, where its form posts, the store's
/// reason for refusing a viewer, an input only the form has, a valid and an invalid form).
type Pairs = Vec<(&'static str, String)>;

fn delivery_forms(d: &Delivery) -> Vec<(String, String, &'static str, &'static str, Pairs, Pairs)> {
    let (program, ledger, product) = (d.program.id.to_string(), d.ledger.id.to_string(), d.product.id.to_string());
    let pairs = |pairs: &[(&'static str, &str)]| pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect::<Vec<_>>();
    let program_form = pairs(&[
        ("name", "Payments"),
        ("goal", "Instant payments"),
        ("phase", "definition"),
        ("start", "2026-01-05"),
        ("target_end", "2026-06-30"),
        ("currency", "EUR"),
        ("version", "1"),
    ]);
    let project_form =
        pairs(&[("program_id", &program), ("name", "Mobile"), ("start", "2026-02-02"), ("version", "1")]);
    let item_form = pairs(&[
        ("kind", "story"),
        ("status", "backlog"),
        ("project_id", &ledger),
        ("product_id", &product),
        ("title", "Export"),
        ("estimate.optimistic", "1"),
        ("estimate.most_likely", "2"),
        ("estimate.pessimistic", "3"),
        ("people_needed", "1"),
        ("version", "1"),
    ]);
    let risk_form = pairs(&[
        ("program_id", &program),
        ("project_id", &ledger),
        ("title", "Strike"),
        ("category", "schedule"),
        ("probability", "50"),
        ("schedule_impact.optimistic", "1"),
        ("schedule_impact.most_likely", "2"),
        ("schedule_impact.pessimistic", "3"),
        ("response", "mitigate"),
        ("status", "open"),
        ("version", "1"),
    ]);
    let product_form = pairs(&[("name", "Wallet"), ("vision", "Pay anywhere"), ("owner", "Omar"), ("version", "1")]);
    let milestone_form = pairs(&[
        ("project_id", &ledger),
        ("name", "Ledger beta"),
        ("target_date", "2026-05-29"),
        ("deliverable", "Beta sign-off"),
        ("version", "1"),
    ]);
    let team_form = pairs(&[
        ("name", "Mobile"),
        ("capacity", "4"),
        ("working_days", "mon"),
        ("working_days", "tue"),
        ("holidays", "2026-12-24"),
        ("version", "1"),
    ]);
    let (milestone, team) = (d.milestone.id.to_string(), d.team.id.to_string());
    let objective_form = pairs(&[
        ("title", "Grow"),
        ("quarter", "2026-Q3"),
        ("status", "draft"),
        ("key_results[0].metric", "Signups"),
        ("key_results[0].unit", "users"),
        ("key_results[0].baseline", "10"),
        ("key_results[0].target", "20"),
        ("version", "1"),
    ]);
    let invalid = |keep: &[(&'static str, &str)]| {
        let mut form = pairs(keep);
        form.extend(pairs(&[("title", ""), ("name", ""), ("start", "2026-13-01"), ("version", "1")]));
        form
    };
    vec![
        (
            "/programs/new".into(),
            "/programs".into(),
            "only organisation admins may create programs",
            "name=\"goal\"",
            program_form.clone(),
            invalid(&[]),
        ),
        (
            format!("/programs/{program}/edit"),
            format!("/programs/{program}"),
            "editing a program needs the editor role",
            "name=\"goal\"",
            program_form,
            invalid(&[]),
        ),
        (
            format!("/projects/new?program_id={program}"),
            "/projects".into(),
            "adding a project to a program needs the editor role",
            "name=\"manager\"",
            project_form.clone(),
            invalid(&[("program_id", &program)]),
        ),
        (
            format!("/projects/{ledger}/edit"),
            format!("/projects/{ledger}"),
            "editing a project needs the editor role",
            "name=\"manager\"",
            project_form,
            invalid(&[("program_id", &program)]),
        ),
        (
            format!("/work-items/new?project_id={ledger}"),
            "/work-items".into(),
            "changing a work item needs the editor role",
            "name=\"estimate.optimistic\"",
            item_form.clone(),
            invalid(&[("project_id", &ledger)]),
        ),
        (
            format!("/work-items/{}/edit", d.item.id),
            format!("/work-items/{}", d.item.id),
            "changing a work item needs the editor role",
            "name=\"estimate.optimistic\"",
            item_form,
            invalid(&[("project_id", &ledger)]),
        ),
        (
            format!("/risks/new?program_id={program}"),
            "/risks".into(),
            "adding a risk needs the editor role",
            "name=\"trigger\"",
            risk_form.clone(),
            invalid(&[("program_id", &program)]),
        ),
        (
            format!("/risks/{}/edit", d.project_risk.id),
            format!("/risks/{}", d.project_risk.id),
            "editing a risk needs the editor role",
            "name=\"trigger\"",
            risk_form,
            invalid(&[("program_id", &program)]),
        ),
        (
            "/products/new".into(),
            "/products".into(),
            "only organisation admins may create products",
            "name=\"vision\"",
            product_form.clone(),
            invalid(&[]),
        ),
        (
            format!("/products/{product}/edit"),
            format!("/products/{product}"),
            "editing a product needs the editor role",
            "name=\"vision\"",
            product_form,
            invalid(&[]),
        ),
        (
            format!("/milestones/new?project_id={ledger}"),
            "/milestones".into(),
            "adding a milestone needs the editor role",
            "name=\"deliverable\"",
            milestone_form.clone(),
            invalid(&[("project_id", &ledger), ("target_date", "someday")]),
        ),
        (
            format!("/milestones/{milestone}/edit"),
            format!("/milestones/{milestone}"),
            "editing a milestone needs the editor role",
            "name=\"deliverable\"",
            milestone_form,
            invalid(&[("project_id", &ledger), ("target_date", "someday")]),
        ),
        (
            "/teams/new".into(),
            "/teams".into(),
            "only organisation admins may create teams",
            "name=\"holidays\"",
            team_form.clone(),
            invalid(&[("capacity", "many"), ("holidays", "Christmas")]),
        ),
        (
            format!("/teams/{team}/edit"),
            format!("/teams/{team}"),
            "only organisation admins may change teams",
            "name=\"holidays\"",
            team_form,
            invalid(&[("capacity", "many"), ("holidays", "Christmas")]),
        ),
        (
            format!("/products/{product}/objectives/new"),
            format!("/products/{product}/objectives"),
            "adding an objective needs the editor role",
            "name=\"quarter\"",
            objective_form.clone(),
            invalid(&[]),
        ),
        (
            format!("/objectives/{}/edit", d.objective.id),
            format!("/objectives/{}", d.objective.id),
            "editing an objective needs the editor role",
            "name=\"quarter\"",
            objective_form,
            invalid(&[]),
        ),
    ]
}

#[tokio::test]
async fn a_viewer_is_not_offered_the_delivery_forms_and_cannot_post_them() {
    let d = delivery().await;
    let store = d.app.store().as_ref();
    let before = stored_rows(store).await;
    for (page, action, reason, input, valid, invalid) in delivery_forms(&d) {
        let (status, html) = fetch(&d.app, &d.vera, &page).await;
        assert_eq!(status, StatusCode::OK, "GET {page}");
        assert_eq!(refusal(&html), Some(withheld_sentence(reason)), "GET {page}: {html}");
        assert!(!posts_to(&html, &action) && !html.contains(input), "GET {page} offers no form: {html}");
        assert!(html.contains(">Back</a>"), "GET {page}: {html}");
        // The admin gets the form.
        let (status, html) = fetch(&d.app, &d.app.client, &page).await;
        assert_eq!(status, StatusCode::OK, "GET {page}");
        assert!(posts_to(&html, &action) && html.contains(input) && refusal(&html).is_none(), "GET {page}: {html}");
        for form in [&valid, &invalid] {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, html) = send(&d.app, &d.vera, &action, &pairs).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "POST {action} {pairs:?}");
            assert!(html.contains("<h1>Not allowed</h1>"), "POST {action}: {html}");
            assert!(html.contains(&withheld_sentence(reason).replace('\'', "&#39;")), "POST {action}: {html}");
            assert!(!html.contains(input), "POST {action}: no form comes back");
        }
    }
    assert_eq!(stored_rows(store).await, before, "no row changed");
}

#[tokio::test]
async fn record_pages_offer_a_viewer_no_edit_or_delete_buttons() {
    let d = delivery().await;
    let risk = format!("/risks/{}", d.project_risk.id);
    let (status, html) = fetch(&d.app, &d.vera, &risk).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Vendor late"), "{html}");
    assert!(!html.contains("Edit risk") && !html.contains(&format!("href=\"{risk}/edit\"")), "{html}");
    assert!(!posts_to(&html, &format!("{risk}/delete")) && !html.contains("Delete risk"), "{html}");
    let (_, html) = fetch(&d.app, &d.app.client, &risk).await;
    assert!(html.contains(&format!("href=\"{risk}/edit\"")) && posts_to(&html, &format!("{risk}/delete")), "{html}");

    // "New risk" on the program page and the register: not for a viewer.
    let new_risk = format!("href=\"/risks/new?program_id={}\"", d.program.id);
    for page in [format!("/programs/{}", d.program.id), format!("/programs/{}/risks", d.program.id)] {
        let (status, html) = fetch(&d.app, &d.vera, &page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(!html.contains(&new_risk), "{page}: {html}");
        let (_, html) = fetch(&d.app, &d.app.client, &page).await;
        assert!(html.contains(&new_risk), "{page}: {html}");
    }
    // "New program" only for admins.
    for page in ["/", "/programs"] {
        let (_, html) = fetch(&d.app, &d.vera, page).await;
        assert!(!html.contains("href=\"/programs/new\""), "{page}: {html}");
        let (_, html) = fetch(&d.app, &d.app.client, page).await;
        assert!(html.contains("href=\"/programs/new\""), "{page}: {html}");
    }
    // The objective's edit and delete buttons.
    let strategy = format!("/products/{}/strategy", d.product.id);
    let (_, html) = fetch(&d.app, &d.vera, &strategy).await;
    assert!(html.contains("Win teams") && !html.contains(&format!("/objectives/{}/edit", d.objective.id)), "{html}");
    assert!(!posts_to(&html, &format!("/objectives/{}/delete", d.objective.id)), "{html}");

    // "New product" and "New team" only for admins, on the home page and the lists.
    for (page, link) in [
        ("/", "href=\"/products/new\""),
        ("/products", "href=\"/products/new\""),
        ("/", "href=\"/teams/new\""),
        ("/teams", "href=\"/teams/new\""),
    ] {
        let (status, html) = fetch(&d.app, &d.vera, page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(!html.contains(link), "{page}: {html}");
        let (_, html) = fetch(&d.app, &d.app.client, page).await;
        assert!(html.contains(link), "{page}: {html}");
    }
    // The product's, the milestone's and the team's edit and delete buttons.
    for (page, edit, delete) in [
        (format!("/products/{}", d.product.id), "Edit product", "Delete product"),
        (format!("/milestones/{}", d.milestone.id), "Edit milestone", "Delete milestone"),
        (format!("/teams/{}", d.team.id), "Edit team", "Delete team"),
    ] {
        let (status, html) = fetch(&d.app, &d.vera, &page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(!html.contains(edit) && !html.contains(&format!("href=\"{page}/edit\"")), "{page}: {html}");
        assert!(!html.contains(delete) && !posts_to(&html, &format!("{page}/delete")), "{page}: {html}");
        let (_, html) = fetch(&d.app, &d.app.client, &page).await;
        assert!(html.contains(&format!("href=\"{page}/edit\"")), "{page}: {html}");
        assert!(posts_to(&html, &format!("{page}/delete")), "{page}: {html}");
    }
    // "New milestone" on the project page: for its editors.
    let new_milestone = format!("href=\"/milestones/new?project_id={}\"", d.ledger.id);
    let page = format!("/projects/{}", d.ledger.id);
    let (_, html) = fetch(&d.app, &d.vera, &page).await;
    assert!(!html.contains(&new_milestone), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &page).await;
    assert!(html.contains(&new_milestone), "{html}");
}

#[tokio::test]
async fn deleting_a_product_team_or_milestone_without_the_role_is_refused_and_changes_nothing() {
    let d = delivery().await;
    let store = d.app.store().as_ref();
    let before = stored_rows(store).await;
    let (product, milestone, team) = (d.product.id, d.milestone.id, d.team.id);
    let cases = [
        (&d.vera, format!("/products/{product}/delete"), "deleting a product needs the owner role"),
        // A product owner (editor) edits the product but may not delete it: its owner may.
        (&d.omar, format!("/products/{product}/delete"), "deleting a product needs the owner role"),
        (&d.vera, format!("/milestones/{milestone}/delete"), "deleting a milestone needs the editor role"),
        (&d.pete, format!("/teams/{team}/delete"), "only organisation admins may delete teams"),
    ];
    for (client, path, reason) in cases {
        let (status, html) = send(&d.app, client, &path, &[("version", "1")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "POST {path}");
        assert!(html.contains("<h1>Not allowed</h1>"), "POST {path}: {html}");
        assert!(html.contains(&withheld_sentence(reason).replace('\'', "&#39;")), "POST {path}: {html}");
    }
    assert_eq!(stored_rows(store).await, before, "no row changed");
    // The product's page offers omar its edit button but not its delete button.
    let (_, html) = fetch(&d.app, &d.omar, &format!("/products/{product}")).await;
    assert!(html.contains(&format!("href=\"/products/{product}/edit\"")), "{html}");
    assert!(!posts_to(&html, &format!("/products/{product}/delete")) && !html.contains("Delete product"), "{html}");
}

#[tokio::test]
async fn the_product_and_milestone_forms_go_to_those_the_store_lets_write() {
    let d = delivery().await;
    let store = d.app.store().as_ref();
    let (product, ledger, cards) = (d.product.id, d.ledger.id, d.cards.id);

    // A product owner (editor of the product) edits it, but creates no product.
    let (_, html) = fetch(&d.app, &d.omar, &format!("/products/{product}/edit")).await;
    assert!(posts_to(&html, &format!("/products/{product}")) && refusal(&html).is_none(), "{html}");
    let form = [("name", "Shop 2"), ("vision", "Sell more"), ("owner", ""), ("version", "1")];
    let (status, html) = send(&d.app, &d.omar, &format!("/products/{product}"), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    assert_eq!(store.get_product(product).await.unwrap().fields.name.as_str(), "Shop 2");
    let (_, html) = fetch(&d.app, &d.omar, "/products/new").await;
    assert_eq!(refusal(&html), Some(withheld_sentence("only organisation admins may create products")), "{html}");
    assert!(html.contains("<a href=\"/products\">Back</a>"), "{html}");

    // A project manager adds and edits milestones of his project only.
    let (_, html) = fetch(&d.app, &d.pete, &format!("/milestones/new?project_id={ledger}")).await;
    assert!(posts_to(&html, "/milestones") && refusal(&html).is_none(), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/milestones/new?project_id={cards}")).await;
    assert_eq!(refusal(&html), Some(withheld_sentence("adding a milestone needs the editor role")), "{html}");
    assert!(html.contains(&format!("<a href=\"/projects/{cards}\">Back</a>")), "{html}");
    // Without a project named, the form goes to whoever may add a milestone to some project.
    let (_, html) = fetch(&d.app, &d.pete, "/milestones/new").await;
    assert!(posts_to(&html, "/milestones") && refusal(&html).is_none(), "{html}");
    let (_, html) = fetch(&d.app, &d.omar, "/milestones/new").await;
    assert_eq!(refusal(&html), Some(withheld_sentence("adding a milestone needs the editor role")), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/milestones/{}/edit", d.milestone.id)).await;
    assert!(posts_to(&html, &format!("/milestones/{}", d.milestone.id)), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/milestones/{}", d.milestone.id)).await;
    assert!(html.contains("Edit milestone") && html.contains("Delete milestone"), "{html}");
    // His milestone on another project is refused before the form is read; on his own it is stored.
    let milestone = |project: String, name: &'static str| {
        vec![
            ("project_id", project),
            ("name", name.to_owned()),
            ("target_date", "2026-05-29".to_owned()),
            ("deliverable", String::new()),
        ]
    };
    let cards_milestone = milestone(cards.to_string(), "");
    let pairs: Vec<(&str, &str)> = cards_milestone.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = send(&d.app, &d.pete, "/milestones", &pairs).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("adding a milestone needs the editor role"), "{html}");
    assert!(!html.contains("name=\"deliverable\""), "{html}");
    let ledger_milestone = milestone(ledger.to_string(), "Ledger beta");
    let pairs: Vec<(&str, &str)> = ledger_milestone.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = send(&d.app, &d.pete, "/milestones", &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let names: Vec<String> = store
        .list_milestones(&MilestoneFilter::default(), &PageRequest::first(10))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.fields.name.to_string())
        .collect();
    assert_eq!(names, ["Ledger live", "Ledger beta"]);

    // Teams: only admins, even for the program's editor.
    let (_, html) = fetch(&d.app, &d.paula, &format!("/teams/{}/edit", d.team.id)).await;
    assert_eq!(refusal(&html), Some(withheld_sentence("only organisation admins may change teams")), "{html}");
    assert!(html.contains(&format!("<a href=\"/teams/{}\">Back</a>", d.team.id)), "{html}");
}

#[tokio::test]
async fn the_audit_page_answers_a_filter_value_it_does_not_know_with_a_400_naming_it() {
    let d = delivery().await;
    let problem = |line: &str| format!("<li>{line}</li>");
    let action = "action: must be one of created, updated, deleted";
    let (status, html) = fetch(&d.app, &d.app.client, "/admin/audit?action=renamed").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("<h1>This address has a value the page cannot use</h1>"), "{html}");
    assert!(html.contains(&problem(&format!("{action}, not \u{201c}renamed\u{201d}"))), "{html}");
    assert!(html.contains("<a href=\"/admin/audit\">Open the page without them</a>"), "{html}");
    assert!(!html.contains("Ledger live"), "no trail is shown for a guess: {html}");

    // Each bad value is named; a blank one is not given; unknown parameters are ignored.
    let (status, html) = fetch(&d.app, &d.app.client, "/admin/audit?entity=planet&action=%20&color=red").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("entity: must be one of ") && html.contains(", not \u{201c}planet\u{201d}</li>"), "{html}");
    assert!(!html.contains("<li>action"), "{html}");
    let (status, html) = fetch(&d.app, &d.app.client, "/admin/audit?entity=planet&action=renamed&record_id=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(
        html.contains("entity: must be one of ")
            && html.contains(&problem(&format!("{action}, not \u{201c}renamed\u{201d}"))),
        "{html}"
    );
    let (status, html) = fetch(&d.app, &d.app.client, "/admin/audit?entity=&action=&record_id=&after=&color=red").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Ledger live") && html.contains("Platform"), "{html}");
    let (status, html) = fetch(&d.app, &d.app.client, "/admin/audit?entity=milestone&action=created").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Ledger live") && !html.contains("Platform"), "{html}");
    // Whatever the address holds, the trail is for admins only.
    let (status, _) = fetch(&d.app, &d.vera, "/admin/audit?action=renamed").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_pages_offer_each_role_what_the_store_allows_it() {
    let d = delivery().await;
    let store = d.app.store().as_ref();
    let (program, ledger, cards) = (d.program.id, d.ledger.id, d.cards.id);

    // A project manager edits their project and its risks, adds risks and work items to it, but
    // neither edits the program nor adds projects to it, nor touches the program-wide risk.
    let (_, html) = fetch(&d.app, &d.pete, &format!("/projects/{ledger}/edit")).await;
    assert!(posts_to(&html, &format!("/projects/{ledger}")), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/projects/{cards}/edit")).await;
    assert_eq!(refusal(&html), Some(withheld_sentence("editing a project needs the editor role")), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/programs/{program}/edit")).await;
    assert_eq!(refusal(&html), Some(withheld_sentence("editing a program needs the editor role")), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/projects/new?program_id={program}")).await;
    assert_eq!(refusal(&html), Some(withheld_sentence("adding a project to a program needs the editor role")));
    let (_, html) = fetch(&d.app, &d.pete, &format!("/work-items/new?project_id={ledger}")).await;
    assert!(posts_to(&html, "/work-items") && refusal(&html).is_none(), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/work-items/new?project_id={cards}")).await;
    assert_eq!(refusal(&html), Some(withheld_sentence("changing a work item needs the editor role")), "{html}");
    // A risk may go on his project, so the program's "New risk" form is offered to him.
    let (_, html) = fetch(&d.app, &d.pete, &format!("/programs/{program}")).await;
    assert!(html.contains(&format!("href=\"/risks/new?program_id={program}\"")), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/risks/new?program_id={program}")).await;
    assert!(posts_to(&html, "/risks") && refusal(&html).is_none(), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/risks/new?program_id={program}&project_id={cards}")).await;
    assert_eq!(refusal(&html), Some(withheld_sentence("adding a risk needs the editor role")), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/risks/{}", d.project_risk.id)).await;
    assert!(html.contains(&format!("href=\"/risks/{}/edit\"", d.project_risk.id)), "{html}");
    assert!(posts_to(&html, &format!("/risks/{}/delete", d.project_risk.id)), "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/risks/{}", d.program_risk.id)).await;
    assert!(!html.contains("Edit risk") && !html.contains("Delete risk"), "{html}");
    let (status, _) = send(&d.app, &d.pete, &format!("/risks/{}", d.program_risk.id), &[("title", "")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // His risk on another project is refused before the form is read; on his own it is stored.
    let program_id = program.to_string();
    let risk = |project: String, title: &'static str| {
        vec![
            ("program_id", program_id.clone()),
            ("project_id", project),
            ("title", title.to_owned()),
            ("category", "schedule".to_owned()),
            ("probability", "50".to_owned()),
            ("schedule_impact.optimistic", "1".to_owned()),
            ("schedule_impact.most_likely", "2".to_owned()),
            ("schedule_impact.pessimistic", "3".to_owned()),
            ("response", "mitigate".to_owned()),
            ("status", "open".to_owned()),
        ]
    };
    let cards_risk = risk(cards.to_string(), "");
    let pairs: Vec<(&str, &str)> = cards_risk.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = send(&d.app, &d.pete, "/risks", &pairs).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("adding a risk needs the editor role") && !html.contains("name=\"trigger\""), "{html}");
    let ledger_risk = risk(ledger.to_string(), "Strike");
    let pairs: Vec<(&str, &str)> = ledger_risk.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, html) = send(&d.app, &d.pete, "/risks", &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let titles: Vec<String> = store
        .list_risks(&RiskFilter { project: Some(ledger), ..RiskFilter::default() }, &PageRequest::first(10))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.fields.title.to_string())
        .collect();
    assert_eq!(titles, ["Vendor late", "Strike"]);

    // A product owner edits a work item of the product whose project they only view.
    let edit = format!("/work-items/{}", d.item.id);
    let (_, html) = fetch(&d.app, &d.omar, &edit).await;
    assert!(html.contains(&format!("href=\"{edit}/edit\"")), "{html}");
    let (_, html) = fetch(&d.app, &d.omar, &format!("{edit}/edit")).await;
    assert!(posts_to(&html, &edit) && html.contains("value=\"Ledger API\""), "{html}");
    let form = [
        ("kind", "story"),
        ("status", "backlog"),
        ("project_id", &ledger.to_string()[..]),
        ("product_id", &d.product.id.to_string()[..]),
        ("title", "Ledger API v2"),
        ("estimate.optimistic", "1"),
        ("estimate.most_likely", "2"),
        ("estimate.pessimistic", "3"),
        ("people_needed", "1"),
        ("version", "1"),
    ];
    let (status, html) = send(&d.app, &d.omar, &edit, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    assert_eq!(store.get_work_item(d.item.id).await.unwrap().fields.title.as_str(), "Ledger API v2");
    // ... and objectives, but not the program.
    let (_, html) = fetch(&d.app, &d.omar, &format!("/objectives/{}/edit", d.objective.id)).await;
    assert!(posts_to(&html, &format!("/objectives/{}", d.objective.id)), "{html}");
    let (_, html) = fetch(&d.app, &d.omar, &format!("/risks/new?program_id={program}")).await;
    assert_eq!(refusal(&html), Some(withheld_sentence("adding a risk needs the editor role")), "{html}");

    // An editor of the program edits it and its projects but deletes neither (owners do).
    for page in [format!("/programs/{program}"), format!("/projects/{ledger}")] {
        let (_, html) = fetch(&d.app, &d.paula, &page).await;
        assert!(html.contains(&format!("href=\"{page}/edit\"")), "{page}: {html}");
        assert!(!posts_to(&html, &format!("{page}/delete")), "{page}: {html}");
        let (_, html) = fetch(&d.app, &d.paula, &format!("{page}/edit")).await;
        assert!(posts_to(&html, &page) && refusal(&html).is_none(), "{page}: {html}");
    }
    let (_, html) = fetch(&d.app, &d.paula, "/programs/new").await;
    assert_eq!(refusal(&html), Some(withheld_sentence("only organisation admins may create programs")), "{html}");
}

/// The labels of the options of the select named `name`, in order (its blank choice included).
fn option_labels(html: &str, name: &str) -> Vec<String> {
    let Some(start) = html.find(&format!("name=\"{name}\"")) else { panic!("no select {name}: {html}") };
    let end = start + html[start..].find("</select>").unwrap();
    html[start..end]
        .split("<option value=")
        .skip(1)
        .map(|option| {
            let open = option.find('>').unwrap() + 1;
            let close = option.find("</option>").unwrap();
            option[open..close].to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_place_pickers_offer_only_the_places_the_store_lets_write() {
    let d = delivery().await;
    let program = d.program.id;
    let pickers = |html: &str, names: &[&str]| names.iter().map(|n| option_labels(html, n)).collect::<Vec<_>>();

    // A project manager (editor of Ledger, reader of Cards) is offered Ledger only: a work item
    // needs a place he edits, so neither "No project" (he edits no product) nor another project.
    let (_, html) = fetch(&d.app, &d.pete, &format!("/work-items/new?project_id={}", d.ledger.id)).await;
    assert_eq!(pickers(&html, &["project_id", "product_id"]), [vec!["Ledger"], vec!["No product"]], "{html}");
    let (_, html) = fetch(&d.app, &d.pete, "/milestones/new").await;
    assert_eq!(option_labels(&html, "project_id"), ["Choose a project", "Ledger"], "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/risks/new?program_id={program}")).await;
    assert_eq!(pickers(&html, &["program_id", "project_id"]), [vec!["Core banking"], vec!["Ledger"]], "{html}");

    // An admin is offered every place, the blank choices included.
    let (_, html) = fetch(&d.app, &d.app.client, "/work-items/new").await;
    assert_eq!(
        pickers(&html, &["project_id", "product_id"]),
        [vec!["No project", "Ledger", "Cards"], vec!["No product", "Shop"]],
        "{html}"
    );
    let (_, html) = fetch(&d.app, &d.app.client, "/milestones/new").await;
    assert_eq!(option_labels(&html, "project_id"), ["Choose a project", "Ledger", "Cards"], "{html}");
    let (_, html) = fetch(&d.app, &d.app.client, &format!("/risks/new?program_id={program}")).await;
    assert_eq!(
        pickers(&html, &["program_id", "project_id"]),
        [vec!["Core banking"], vec!["Whole program", "Ledger", "Cards"]],
        "{html}"
    );
    let (_, html) = fetch(&d.app, &d.app.client, "/projects/new").await;
    assert_eq!(option_labels(&html, "program_id"), ["Choose a program", "Core banking"], "{html}");
    // So is an editor of the program, for risks: on any of its projects or the whole program.
    let (_, html) = fetch(&d.app, &d.paula, &format!("/risks/new?program_id={program}")).await;
    assert_eq!(option_labels(&html, "project_id"), ["Whole program", "Ledger", "Cards"], "{html}");

    // The product owner edits the item through Shop: the store takes it in any project he reads
    // next to Shop, so the projects he only reads are offered, labelled so; he may not drop Shop.
    let (_, html) = fetch(&d.app, &d.omar, &format!("/work-items/{}/edit", d.item.id)).await;
    let with_product = |name: &str| format!("{name} (only with a product you edit)");
    assert_eq!(
        pickers(&html, &["project_id", "product_id"]),
        [vec!["No project".to_owned(), with_product("Ledger"), with_product("Cards")], vec!["Shop".to_owned()]],
        "{html}"
    );
    let selected = format!("<option value=\"{}\" selected>{}</option>", d.ledger.id, with_product("Ledger"));
    assert!(html.contains(&selected), "{html}");
    // ... and the project manager's project stays in its program, which he may not add projects to.
    let (_, html) = fetch(&d.app, &d.pete, &format!("/projects/{}/edit", d.ledger.id)).await;
    assert_eq!(option_labels(&html, "program_id"), ["Choose a program", "Core banking"], "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/risks/{}/edit", d.project_risk.id)).await;
    assert_eq!(pickers(&html, &["program_id", "project_id"]), [vec!["Core banking"], vec!["Ledger"]], "{html}");
    let (_, html) = fetch(&d.app, &d.pete, &format!("/milestones/{}/edit", d.milestone.id)).await;
    assert_eq!(option_labels(&html, "project_id"), ["Choose a project", "Ledger"], "{html}");
}
