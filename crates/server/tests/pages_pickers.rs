//! Picking by name, over real HTTP: the work item page's add-dependency form offers the other end
//! in a `<datalist>` ("Title — place", value = id) of the work items and milestones of the
//! item's program and the work items of its product, only those the viewer reads, without the
//! item itself or what it is already linked with; a picked id (a milestone's too, with the type
//! select left at "work item") stores the dependency. The edit form offers the parent the same
//! way, from the item's project and product, without the item and its descendants, and a picked
//! id sets it. The item page lists the risks that hit it (linked, with probability, impact and
//! score) to those who read them, and a delete refused for those risks links to them.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, StatusCode};
use tandem_domain::{
    DependencyFilter, GrantScope, Milestone, NodeRef, PageRequest, Program, Project, Risk, Role, Store, WorkItem,
    WorkItemFields,
};
use tandem_test_support::app::TestApp;
use tandem_test_support::conformance::{
    milestone_fields, product_fields, program_fields, project_fields, risk_fields, tester, work_item_fields,
};

/// Program Core with projects Ledger and Rollout, product Shop, and program Other with project
/// Elsewhere. Ledger core (Ledger), Card screens (Ledger and Shop), Branch rollout (Rollout),
/// Shop search (Shop only), Far away (Elsewhere); milestones Go-live (Ledger) and Far milestone
/// (Elsewhere). Risks of Core: Vendor late (Ledger) and Key engineer leaves (program-wide) hit
/// Ledger core, the latter Branch rollout too; Screens slip hits Card screens. Pia edits the
/// project Ledger (so reads all of Core, not Shop); Sam edits the product Shop only.
struct Fixture {
    app: TestApp,
    ledger: Project,
    ledger_core: WorkItem,
    card_screens: WorkItem,
    branch_rollout: WorkItem,
    shop_search: WorkItem,
    go_live: Milestone,
    vendor_late: Risk,
    engineer_leaves: Risk,
    pia: Client,
    sam: Client,
}

async fn item(store: &dyn Store, fields: WorkItemFields) -> WorkItem {
    store.create_work_item(tester(), fields, None).await.unwrap()
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let core: Program = store.create_program(tester(), program_fields("Core")).await.unwrap();
    let ledger = store.create_project(tester(), project_fields(core.id, "Ledger")).await.unwrap();
    let rollout = store.create_project(tester(), project_fields(core.id, "Rollout")).await.unwrap();
    let shop = store.create_product(tester(), product_fields("Shop")).await.unwrap();
    let other = store.create_program(tester(), program_fields("Other")).await.unwrap();
    let elsewhere = store.create_project(tester(), project_fields(other.id, "Elsewhere")).await.unwrap();
    let ledger_core = item(store, work_item_fields(Some(ledger.id), None, "Ledger core")).await;
    let card_screens = item(store, work_item_fields(Some(ledger.id), Some(shop.id), "Card screens")).await;
    let branch_rollout = item(store, work_item_fields(Some(rollout.id), None, "Branch rollout")).await;
    let shop_search = item(store, work_item_fields(None, Some(shop.id), "Shop search")).await;
    item(store, work_item_fields(Some(elsewhere.id), None, "Far away")).await;
    let go_live = store.create_milestone(tester(), milestone_fields(ledger.id, "Go-live")).await.unwrap();
    store.create_milestone(tester(), milestone_fields(elsewhere.id, "Far milestone")).await.unwrap();
    let vendor_late = store
        .create_risk(tester(), risk_fields(core.id, Some(ledger.id), vec![ledger_core.id], "Vendor late"))
        .await
        .unwrap();
    let engineer_leaves = store
        .create_risk(
            tester(),
            risk_fields(core.id, None, vec![ledger_core.id, branch_rollout.id], "Key engineer leaves"),
        )
        .await
        .unwrap();
    store.create_risk(tester(), risk_fields(core.id, None, vec![card_screens.id], "Screens slip")).await.unwrap();
    let (pia_user, pia) = app.user("pia", false).await;
    app.grant(&pia_user, GrantScope::Project(ledger.id), Role::Editor).await;
    let (sam_user, sam) = app.user("sam", false).await;
    app.grant(&sam_user, GrantScope::Product(shop.id), Role::Editor).await;
    Fixture {
        app,
        ledger,
        ledger_core,
        card_screens,
        branch_rollout,
        shop_search,
        go_live,
        vendor_late,
        engineer_leaves,
        pia,
        sam,
    }
}

async fn get(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn post(app: &TestApp, client: &Client, path: &str, pairs: &[(String, String)]) -> (StatusCode, String) {
    let response = client
        .post(app.url(path))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(pairs).unwrap())
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// The `(value, label)` of each option of the datalist `id`, in order; `None` without one.
fn datalist(html: &str, id: &str) -> Option<Vec<(String, String)>> {
    let start = html.find(&format!("<datalist id=\"{id}\">"))?;
    let body = &html[start..start + html[start..].find("</datalist>")?];
    let mut options = Vec::new();
    for part in body.split("<option value=\"").skip(1) {
        let (value, rest) = part.split_once("\">").unwrap();
        let label = rest.split_once("</option>").unwrap().0;
        options.push((value.to_owned(), label.to_owned()));
    }
    Some(options)
}

fn option(id: impl ToString, label: &str) -> (String, String) {
    (id.to_string(), label.to_owned())
}

/// The markup of the `tag` element with `id`, from its opening tag up to its closing one.
fn element<'a>(html: &'a str, tag: &str, id: &str) -> Option<&'a str> {
    let at = html.find(&format!(" id=\"{id}\""))?;
    let start = html[..at].rfind(&format!("<{tag}"))?;
    let end = start + html[start..].find(&format!("</{tag}>"))?;
    Some(&html[start..end])
}

#[tokio::test]
async fn the_dependency_form_offers_the_program_and_product_by_name() {
    let f = fixture().await;
    // Ledger core has no product: its program's work items and milestones, not itself, nor the
    // other program's, nor Shop search (in no project).
    let (status, html) = get(&f.app, &f.app.client, &format!("/work-items/{}", f.ledger_core.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        datalist(&html, "node-candidates").unwrap(),
        vec![
            option(f.branch_rollout.id, "Branch rollout — Rollout"),
            option(f.card_screens.id, "Card screens — Ledger / Shop"),
            option(f.go_live.id, "Go-live — Ledger (milestone)"),
        ]
    );
    assert!(html.contains(
        "name=\"node_id\" value=\"\" list=\"node-candidates\" autocomplete=\"off\" required aria-describedby=\"node-hint\">"
    ));
    assert!(html.contains("<label for=\"field-node_id\">The other work item or milestone</label>"));
    // Card screens is in Shop too: its product's items join in.
    let (_, html) = get(&f.app, &f.app.client, &format!("/work-items/{}", f.card_screens.id)).await;
    assert_eq!(
        datalist(&html, "node-candidates").unwrap(),
        vec![
            option(f.branch_rollout.id, "Branch rollout — Rollout"),
            option(f.go_live.id, "Go-live — Ledger (milestone)"),
            option(f.ledger_core.id, "Ledger core — Ledger"),
            option(f.shop_search.id, "Shop search — Shop"),
        ]
    );
}

#[tokio::test]
async fn the_dependency_form_offers_only_what_the_viewer_reads() {
    let f = fixture().await;
    let path = format!("/work-items/{}", f.card_screens.id);
    // Pia reads the program Core, not the product Shop: no Shop search, no product name.
    let (status, html) = get(&f.app, &f.pia, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        datalist(&html, "node-candidates").unwrap(),
        vec![
            option(f.branch_rollout.id, "Branch rollout — Rollout"),
            option(f.go_live.id, "Go-live — Ledger (milestone)"),
            option(f.ledger_core.id, "Ledger core — Ledger"),
        ]
    );
    assert!(!html.contains("Shop search"));
    // Sam reads Shop only: its items, nothing of the program.
    let (status, html) = get(&f.app, &f.sam, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(datalist(&html, "node-candidates").unwrap(), vec![option(f.shop_search.id, "Shop search — Shop")]);
    for hidden in ["Ledger core", "Branch rollout", "Go-live"] {
        assert!(!html.contains(hidden), "{hidden} shown to sam");
    }
}

#[tokio::test]
async fn a_picked_name_adds_the_dependency() {
    let f = fixture().await;
    let path = format!("/work-items/{}/dependencies", f.card_screens.id);
    // A milestone picked from the list while the type select still says work item.
    let milestone = f.go_live.id.to_string();
    let form = pairs(&[
        ("node_type", "work_item"),
        ("node_id", &milestone),
        ("direction", "after"),
        ("kind", "finish_to_start"),
        ("lag_days", "0"),
    ]);
    let (status, _) = post(&f.app, &f.pia, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A work item picked, this item before it.
    let other = f.ledger_core.id.to_string();
    let form = pairs(&[
        ("node_type", "work_item"),
        ("node_id", &other),
        ("direction", "before"),
        ("kind", "start_to_start"),
        ("lag_days", "2"),
    ]);
    let (status, _) = post(&f.app, &f.pia, &path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let filter = DependencyFilter { node: Some(NodeRef::WorkItem(f.card_screens.id)), ..DependencyFilter::default() };
    let stored = f.app.store().list_dependencies(&filter, &PageRequest::default()).await.unwrap().items;
    let mut ends: Vec<(NodeRef, NodeRef, &str, i32)> = stored
        .iter()
        .map(|d| (d.fields.predecessor, d.fields.successor, d.fields.kind.as_str(), d.fields.lag.days()))
        .collect();
    ends.sort_by_key(|e| e.3);
    assert_eq!(
        ends,
        vec![
            (NodeRef::Milestone(f.go_live.id), NodeRef::WorkItem(f.card_screens.id), "finish_to_start", 0),
            (NodeRef::WorkItem(f.card_screens.id), NodeRef::WorkItem(f.ledger_core.id), "start_to_start", 2),
        ]
    );
    // Both are linked now: the list no longer offers them.
    let (_, html) = get(&f.app, &f.pia, &format!("/work-items/{}", f.card_screens.id)).await;
    assert_eq!(
        datalist(&html, "node-candidates").unwrap(),
        vec![option(f.branch_rollout.id, "Branch rollout — Rollout")]
    );
}

#[tokio::test]
async fn an_id_the_viewer_cannot_read_is_answered_as_before() {
    let f = fixture().await;
    let path = format!("/work-items/{}/dependencies", f.card_screens.id);
    let answer = |id: String| {
        let form = pairs(&[
            ("node_type", "work_item"),
            ("node_id", &id),
            ("direction", "after"),
            ("kind", "finish_to_start"),
            ("lag_days", "0"),
        ]);
        let app = &f.app;
        let sam = &f.sam;
        let path = &path;
        async move { post(app, sam, path, &form).await }
    };
    // Sam may not read the milestone Go-live: its id is a work item that does not exist, as
    // an id of nothing at all is, and the form says so on the field.
    let nothing = "0191c7a4-0000-7000-8000-000000000001".to_owned();
    let (status, hidden_html) = answer(f.go_live.id.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, nothing_html) = answer(nothing.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = |html: &str| element(html, "p", "field-node_id-error").map(str::to_owned);
    let hidden_error = error(&hidden_html).unwrap();
    assert_eq!(
        hidden_error.replace(&f.go_live.id.to_string(), "ID"),
        error(&nothing_html).unwrap().replace(&nothing, "ID")
    );
    assert!(hidden_error.contains("work item"), "{hidden_error}");
    assert!(!hidden_html.contains("Go-live"));
    // The typed id stays in the field.
    assert!(hidden_html.contains(&format!("name=\"node_id\" value=\"{}\" list=\"node-candidates\"", f.go_live.id)));
}

/// The edit form of `item` as its page fills it in, with `parent` picked.
fn edit_pairs(item: &WorkItem, parent: &str) -> Vec<(String, String)> {
    let f = &item.fields;
    let text = |v: Option<String>| v.unwrap_or_default();
    [
        ("kind", f.kind.as_str().to_owned()),
        ("status", f.status.as_str().to_owned()),
        ("project_id", text(f.placement.project_id().map(|p| p.to_string()))),
        ("product_id", text(f.placement.product_id().map(|p| p.to_string()))),
        ("parent_id", parent.to_owned()),
        ("title", f.title.as_str().to_owned()),
        ("description", f.description.as_str().to_owned()),
        ("estimate.optimistic", f.estimate.optimistic().to_string()),
        ("estimate.most_likely", f.estimate.most_likely().to_string()),
        ("estimate.pessimistic", f.estimate.pessimistic().to_string()),
        ("story_points", text(f.story_points.map(|p| p.get().to_string()))),
        ("team_id", String::new()),
        ("people_needed", f.people_needed.get().to_string()),
        ("released_on", String::new()),
        ("version", item.meta.version.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[tokio::test]
async fn the_parent_picker_offers_the_places_items_but_not_the_item_or_below_it() {
    let f = fixture().await;
    let store = f.app.store().as_ref();
    let epic = item(store, work_item_fields(Some(f.ledger.id), None, "Epic")).await;
    let mut child = work_item_fields(Some(f.ledger.id), None, "Child story");
    child.parent_id = Some(epic.id);
    let child = item(store, child).await;
    let mut grandchild = work_item_fields(Some(f.ledger.id), None, "Grandchild task");
    grandchild.parent_id = Some(child.id);
    let grandchild = item(store, grandchild).await;
    let offered_ids = |html: &str| -> Vec<String> {
        datalist(html, "parent-candidates").unwrap().into_iter().map(|(id, _)| id).collect()
    };

    // The epic's form: Ledger's items, not the epic, its child nor its grandchild.
    let (status, html) = get(&f.app, &f.pia, &format!("/work-items/{}/edit", epic.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        datalist(&html, "parent-candidates").unwrap(),
        vec![option(f.card_screens.id, "Card screens — Ledger"), option(f.ledger_core.id, "Ledger core — Ledger")]
    );
    assert!(html.contains(
        "<input type=\"text\" id=\"field-parent_id\" name=\"parent_id\" value=\"\" list=\"parent-candidates\" \
         autocomplete=\"off\" aria-describedby=\"parent-hint\">"
    ));
    // The child's form: the epic is offered, the child and the grandchild are not; the current
    // parent is named beside its id.
    let (_, html) = get(&f.app, &f.app.client, &format!("/work-items/{}/edit", child.id)).await;
    assert_eq!(
        datalist(&html, "parent-candidates").unwrap(),
        vec![
            option(f.card_screens.id, "Card screens — Ledger / Shop"),
            option(epic.id, "Epic — Ledger"),
            option(f.ledger_core.id, "Ledger core — Ledger"),
        ]
    );
    assert!(!offered_ids(&html).contains(&grandchild.id.to_string()));
    assert!(html.contains(&format!("name=\"parent_id\" value=\"{}\" list=\"parent-candidates\"", epic.id)));
    assert!(html.contains(&format!("Now: <a href=\"/work-items/{}\" id=\"parent-now\">Epic</a>.", epic.id)));
    // Card screens (Ledger and Shop) as Sam, who reads Shop only: Shop's items.
    let (_, html) = get(&f.app, &f.sam, &format!("/work-items/{}/edit", f.card_screens.id)).await;
    assert_eq!(datalist(&html, "parent-candidates").unwrap(), vec![option(f.shop_search.id, "Shop search — Shop")]);
    assert!(!html.contains("Ledger core"));
    // A new item started in Ledger: Ledger's items.
    let (_, html) = get(&f.app, &f.pia, &format!("/work-items/new?project_id={}", f.ledger.id)).await;
    let offered: Vec<String> = datalist(&html, "parent-candidates").unwrap().into_iter().map(|(_, l)| l).collect();
    assert_eq!(
        offered,
        [
            "Card screens — Ledger",
            "Child story — Ledger",
            "Epic — Ledger",
            "Grandchild task — Ledger",
            "Ledger core — Ledger"
        ]
    );
}

#[tokio::test]
async fn a_picked_parent_is_stored_and_a_cycle_is_still_refused() {
    let f = fixture().await;
    let store = f.app.store().as_ref();
    let epic = item(store, work_item_fields(Some(f.ledger.id), None, "Epic")).await;
    let path = format!("/work-items/{}", f.ledger_core.id);
    let (status, _) = post(&f.app, &f.pia, &path, &edit_pairs(&f.ledger_core, &epic.id.to_string())).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let stored = store.get_work_item(f.ledger_core.id).await.unwrap();
    assert_eq!(stored.fields.parent_id, Some(epic.id));
    // The epic under its own child, typed as an id: the domain's refusal, on the field.
    let (status, html) =
        post(&f.app, &f.pia, &format!("/work-items/{}", epic.id), &edit_pairs(&epic, &f.ledger_core.id.to_string()))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(element(&html, "p", "field-parent_id-error").is_some());
    assert_eq!(store.get_work_item(epic.id).await.unwrap().fields.parent_id, None);
}

#[tokio::test]
async fn the_item_page_lists_the_risks_that_hit_it() {
    let f = fixture().await;
    let (status, html) = get(&f.app, &f.pia, &format!("/work-items/{}", f.ledger_core.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h2 id=\"risks-heading\">Risks (2)</h2>"));
    let table = element(&html, "table", "item-risks").unwrap();
    let rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 2, "{table}");
    // In the register's order: score, then title.
    for (row, risk) in rows.iter().zip([&f.engineer_leaves, &f.vendor_late]) {
        let score = risk.fields.score();
        assert!(row.contains(&format!("<td><a href=\"/risks/{}\">{}</a></td>", risk.id, risk.fields.title)), "{row}");
        assert!(row.contains(&format!("{} {}</span>", score.value(), score.rating().as_str())), "{row}");
        assert!(row.contains("<td>40%</td>"), "{row}");
        assert!(row.contains("<td>2 / 5.5 / 15</td>"), "{row}");
    }
    assert!(!table.contains("Screens slip"));
    // The links work.
    for risk in [&f.vendor_late, &f.engineer_leaves] {
        let (status, page) = get(&f.app, &f.pia, &format!("/risks/{}", risk.id)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(&format!("<title>{}", risk.fields.title)) || page.contains(risk.fields.title.as_str()));
    }
    // Branch rollout is hit by one of them; an item no risk names says so.
    let (_, html) = get(&f.app, &f.app.client, &format!("/work-items/{}", f.branch_rollout.id)).await;
    assert!(html.contains("<h2 id=\"risks-heading\">Risks (1)</h2>"));
    assert!(html.contains(&format!("<td><a href=\"/risks/{}\">Key engineer leaves</a></td>", f.engineer_leaves.id)));
    let riskless = item(f.app.store().as_ref(), work_item_fields(Some(f.ledger.id), None, "Riskless")).await;
    let (_, html) = get(&f.app, &f.app.client, &format!("/work-items/{}", riskless.id)).await;
    assert!(html.contains("<p class=\"empty\">No risk names this item.</p>"));
    // Sam reads Card screens through Shop, not its program: no panel, no risk.
    let (status, html) = get(&f.app, &f.sam, &format!("/work-items/{}", f.card_screens.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("id=\"risks\""));
    assert!(!html.contains("Screens slip"));
}

#[tokio::test]
async fn a_delete_refused_for_risks_links_to_them() {
    let f = fixture().await;
    let version = f.ledger_core.meta.version.to_string();
    let form = pairs(&[("version", &version)]);
    let (status, html) = post(&f.app, &f.app.client, &format!("/work-items/{}/delete", f.ledger_core.id), &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains(
        "<p>This work item cannot be deleted: it is hit by 2 risks. Take it off these risks first (the Risks panel \
         below lists them too):</p>"
    ));
    let list = element(&html, "ul", "delete-blocking-risks").unwrap();
    let expected = format!(
        "<ul id=\"delete-blocking-risks\">\n    <li><a href=\"/risks/{}\">Key engineer leaves</a></li>\n    <li><a href=\"/risks/{}\">Vendor late</a></li>\n  ",
        f.engineer_leaves.id, f.vendor_late.id
    );
    assert_eq!(list, expected);
    assert!(f.app.store().get_work_item(f.ledger_core.id).await.is_ok());
    // Sam may not read the risk that hits Card screens: the store's words, no list.
    let version = f.card_screens.meta.version.to_string();
    let form = pairs(&[("version", &version)]);
    let (status, html) = post(&f.app, &f.sam, &format!("/work-items/{}/delete", f.card_screens.id), &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("<p>This work item cannot be deleted: it is hit by 1 risk.</p>"), "{html}");
    assert!(!html.contains("delete-blocking-risks"));
    assert!(!html.contains("Screens slip"));
    assert!(f.app.store().get_work_item(f.card_screens.id).await.is_ok());
}

#[tokio::test]
async fn a_long_list_keeps_the_first_500_by_title_and_escapes_titles() {
    let f = fixture().await;
    let store = f.app.store().as_ref();
    let rollout = f.branch_rollout.fields.placement.project_id().unwrap();
    let bulk: Vec<WorkItemFields> =
        (0..510).map(|i| work_item_fields(Some(rollout), None, &format!("Bulk {i:03}"))).collect();
    store.create_work_items(tester(), bulk).await.unwrap();
    item(store, work_item_fields(Some(f.ledger.id), None, "<b>\"Bold\"</b> & co")).await;
    let (status, html) = get(&f.app, &f.pia, &format!("/work-items/{}", f.ledger_core.id)).await;
    assert_eq!(status, StatusCode::OK);
    let labels: Vec<String> = datalist(&html, "node-candidates").unwrap().into_iter().map(|(_, l)| l).collect();
    assert_eq!(labels.len(), 500);
    // By title: the escaped "<b>..." sorts first, then Branch rollout, then Bulk 000 to Bulk 497.
    assert_eq!(labels[0], "&#60;b&#62;&#34;Bold&#34;&#60;/b&#62; &#38; co — Ledger");
    assert!(!html.contains("<b>\"Bold\"</b>"));
    assert_eq!(labels[1], "Branch rollout — Rollout");
    assert_eq!(labels[2], "Bulk 000 — Rollout");
    assert_eq!(labels[499], "Bulk 497 — Rollout");
    assert!(html.contains(
        "Type part of its title and pick it from the list (it offers the first 500 by title), or paste its id"
    ));
    // Go-live is beyond the list, and its id typed still links it.
    assert!(!labels.iter().any(|l| l.starts_with("Go-live")));
    let milestone = f.go_live.id.to_string();
    let form = pairs(&[
        ("node_type", "milestone"),
        ("node_id", &milestone),
        ("direction", "after"),
        ("kind", "finish_to_start"),
        ("lag_days", "0"),
    ]);
    let (status, _) = post(&f.app, &f.pia, &format!("/work-items/{}/dependencies", f.ledger_core.id), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
