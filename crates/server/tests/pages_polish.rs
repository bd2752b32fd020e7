//! Pages that offered less than the store accepts, over real HTTP: the admin audit page filters by
//! who made a change and by dates (as the JSON API does, and a bad value is a 400 page naming
//! it); a work item page offers the add-dependency form to whoever edits the other end only (the
//! store links two nodes when the user edits either) and each dependency's delete button to an
//! editor of either of its ends (the store deletes it for them); the new work item form's pickers
//! offer a project the user only reads next to a product they edit (the store takes an item when
//! the user edits its project or its product). An item read through one of its places opens
//! with the other shown as hidden, and no page links to what the viewer may not read. Refusals
//! change no row.

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::{Client, StatusCode};
use tandem_domain::{
    Actor, AuditEvent, AuditFilter, DependencyFilter, DependencyKind, GrantScope, NodeRef, PageRequest, Product,
    Program, Project, Role, Store, User, WorkItem, WorkItemFilter,
};
use tandem_test_support::app::{TestApp, error_page_problems};
use tandem_test_support::conformance::{
    dependency_fields, product_fields, program_fields, project_fields, team_fields, tester, work_item_fields,
};

/// A program with two projects, a product, and a work item in each project:
/// `pete` edits Cards only (and so reads Ledger), `omar` reads the program and edits Shop (a
/// product owner), `vera` reads the program and Shop and edits nothing.
struct Org {
    app: TestApp,
    program: Program,
    ledger: Project,
    cards: Project,
    shop: Product,
    ledger_item: WorkItem,
    cards_item: WorkItem,
    pete_user: User,
    pete: Client,
    omar_user: User,
    omar: Client,
    vera_user: User,
    vera: Client,
}

async fn org() -> Org {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = store.create_program(tester(), program_fields("Core banking")).await.unwrap();
    let ledger = store.create_project(tester(), project_fields(program.id, "Ledger")).await.unwrap();
    let cards = store.create_project(tester(), project_fields(program.id, "Cards")).await.unwrap();
    let shop = store.create_product(tester(), product_fields("Shop")).await.unwrap();
    let ledger_item =
        store.create_work_item(tester(), work_item_fields(Some(ledger.id), None, "Ledger API"), None).await.unwrap();
    let cards_item =
        store.create_work_item(tester(), work_item_fields(Some(cards.id), None, "Card limits"), None).await.unwrap();
    let (pete_user, pete) = app.user("pete", false).await;
    app.grant(&pete_user, GrantScope::Project(cards.id), Role::Editor).await;
    let (omar_user, omar) = app.user("omar", false).await;
    app.grant(&omar_user, GrantScope::Program(program.id), Role::Viewer).await;
    app.grant(&omar_user, GrantScope::Product(shop.id), Role::Editor).await;
    let (vera_user, vera) = app.user("vera", false).await;
    app.grant(&vera_user, GrantScope::Program(program.id), Role::Viewer).await;
    app.grant(&vera_user, GrantScope::Product(shop.id), Role::Viewer).await;
    Org {
        app,
        program,
        ledger,
        cards,
        shop,
        ledger_item,
        cards_item,
        pete_user,
        pete,
        omar_user,
        omar,
        vera_user,
        vera,
    }
}

async fn fetch(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// POSTs a form as `client`'s user; answers the status, the redirect target (if any) and the body.
async fn send(
    app: &TestApp,
    client: &Client,
    path: &str,
    pairs: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    app.post_form_as(client, path, pairs).await
}

fn posts_to(html: &str, action: &str) -> bool {
    html.contains(&format!("<form method=\"post\" action=\"{action}\""))
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

/// The audit trail's newest events as the page lists them: "actor action entity label", from
/// each row's first paragraph.
fn audit_rows(html: &str) -> Vec<String> {
    html.split("<li>\n    <p><strong>")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find(" (<code>").unwrap()];
            row.replace("</strong>", "").replace("<em>", "").replace("</em>", "")
        })
        .collect()
}

fn audit_path(pairs: &[(&str, &str)]) -> String {
    format!("/admin/audit?{}", serde_urlencoded::to_string(pairs).unwrap())
}

/// The audit page's rows of pete's changes filtered by `pairs`, as an admin sees them (the page
/// must answer 200).
async fn petes_rows(o: &Org, pairs: &[(&str, &str)]) -> Vec<String> {
    let pete = o.pete_user.id.to_string();
    let pairs: Vec<(&str, &str)> = pairs.iter().copied().chain([("actor", pete.as_str())]).collect();
    let (status, html) = fetch(&o.app, &o.app.client, &audit_path(&pairs)).await;
    assert_eq!(status, StatusCode::OK, "{pairs:?}: {html}");
    audit_rows(&html)
}

/// Every event of the trail, newest first, as stored.
async fn trail(store: &dyn Store) -> Vec<AuditEvent> {
    store.list_audit_events(&AuditFilter::default(), &PageRequest::first(200)).await.unwrap().items
}

#[tokio::test]
async fn the_audit_page_filters_by_actor_and_keeps_the_filter_in_its_pages() {
    let o = org().await;
    let store = o.app.store().as_ref();
    // Pete changes 51 items of Cards (one page and one more); omar adds one item to Shop.
    let pete = Actor::user(&o.pete_user);
    for n in 0..51 {
        store
            .create_work_item(&pete, work_item_fields(Some(o.cards.id), None, &format!("Pete {n}")), None)
            .await
            .unwrap();
    }
    let omar = Actor::user(&o.omar_user);
    store.create_work_item(&omar, work_item_fields(None, Some(o.shop.id), "Omar idea"), None).await.unwrap();

    let pete_id = o.pete_user.id.to_string();
    let (status, html) = fetch(&o.app, &o.app.client, &audit_path(&[("actor", &pete_id)])).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let rows = audit_rows(&html);
    assert_eq!(rows.len(), 50, "{html}");
    assert_eq!(rows[0], "pete created work_item Pete 50");
    assert!(rows.iter().all(|row| row.starts_with("pete created work_item Pete ")), "{rows:?}");
    // The picker lists the organisation's users by name, with the chosen one selected.
    assert_eq!(
        option_labels(&html, "actor"),
        ["anyone", "Test admin (admin)", "Test omar (omar)", "Test pete (pete)", "Test vera (vera)"]
    );
    assert!(html.contains(&format!("<option value=\"{pete_id}\" selected>Test pete (pete)</option>")), "{html}");
    // The next page keeps the filter: the oldest of pete's changes, and nobody else's.
    let start = html.find("<p><a href=\"/admin/audit?").expect("a link to older changes") + "<p><a href=\"".len();
    let older = html[start..start + html[start..].find('"').unwrap()].replace("&#38;", "&");
    assert!(older.starts_with(&format!("/admin/audit?actor={pete_id}&after=")), "{older}");
    let (status, html) = fetch(&o.app, &o.app.client, &older).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(audit_rows(&html), ["pete created work_item Pete 0"]);

    let (_, html) = fetch(&o.app, &o.app.client, &audit_path(&[("actor", &o.omar_user.id.to_string())])).await;
    assert_eq!(audit_rows(&html), ["omar created work_item Omar idea"]);
    // Vera changed nothing.
    let (status, html) = fetch(&o.app, &o.app.client, &audit_path(&[("actor", &o.vera_user.id.to_string())])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(audit_rows(&html).is_empty() && html.contains("<p>No changes match.</p>"), "{html}");
}

#[tokio::test]
async fn the_audit_page_restricts_the_trail_to_whole_days_or_instants() {
    let o = org().await;
    let store = o.app.store().as_ref();
    let pete = Actor::user(&o.pete_user);
    let first = store.create_work_item(&pete, work_item_fields(Some(o.cards.id), None, "First"), None).await.unwrap();
    // Two changes at distinct instants (the trail keeps microseconds).
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    store.create_work_item(&pete, work_item_fields(Some(o.cards.id), None, "Second"), None).await.unwrap();
    let events = trail(store).await;
    let at = |label: &str| -> DateTime<Utc> { events.iter().find(|e| e.label == label).unwrap().at };
    let (first_at, second_at) = (at("First"), at("Second"));
    assert!(first_at < second_at);
    let both = ["pete created work_item Second", "pete created work_item First"];
    let day = |at: DateTime<Utc>, shift: i64| (at.date_naive() + TimeDelta::days(shift)).format("%Y-%m-%d").to_string();

    // A date is a whole day in UTC: `since` from its start, `until` to its end.
    assert_eq!(petes_rows(&o, &[("since", &day(first_at, 0)), ("until", &day(second_at, 0))]).await, both);
    assert_eq!(petes_rows(&o, &[("since", &day(second_at, 1))]).await, Vec::<String>::new());
    assert_eq!(petes_rows(&o, &[("until", &day(first_at, -1))]).await, Vec::<String>::new());
    // An instant as the JSON API takes it: at or after `since`, before `until`.
    let instant = |at: DateTime<Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    assert_eq!(petes_rows(&o, &[("since", &instant(second_at))]).await, ["pete created work_item Second"]);
    assert_eq!(petes_rows(&o, &[("until", &instant(second_at))]).await, ["pete created work_item First"]);

    // The form shows the dates given, and the filters combine with the others.
    let (_, html) = fetch(
        &o.app,
        &o.app.client,
        &audit_path(&[
            ("since", &day(first_at, 0)),
            ("until", &day(second_at, 0)),
            ("record_id", &first.id.to_string()),
        ]),
    )
    .await;
    assert_eq!(audit_rows(&html), ["pete created work_item First"]);
    assert!(html.contains(&format!("name=\"since\" value=\"{}\"", day(first_at, 0))), "{html}");
    assert!(html.contains(&format!("name=\"until\" value=\"{}\"", day(second_at, 0))), "{html}");
}

#[tokio::test]
async fn the_audit_page_answers_a_bad_actor_or_date_with_a_400_naming_it() {
    let o = org().await;
    let dates = "must be a date such as 2026-11-21 or an RFC 3339 time such as 2026-11-21T09:30:00Z";
    let (status, html) = fetch(&o.app, &o.app.client, "/admin/audit?since=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("<h1>This address has a value the page cannot use</h1>"), "{html}");
    assert_eq!(error_page_problems(&html), [format!("since: {dates}, not \u{201c}yesterday\u{201d}")]);
    assert!(html.contains("<a href=\"/admin/audit\">Open the page without them</a>"), "{html}");
    assert!(!html.contains("Ledger API"), "no trail is shown for a guess: {html}");

    let (status, html) =
        fetch(&o.app, &o.app.client, "/admin/audit?actor=pete&since=2026-02-01&until=2026-02-30&entity=work_item")
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert_eq!(
        error_page_problems(&html),
        [
            "actor: must be a UUID, not \u{201c}pete\u{201d}".to_owned(),
            format!("until: {dates}, not \u{201c}2026-02-30\u{201d}"),
        ]
    );
    // Blank filters are not given.
    let (status, html) = fetch(&o.app, &o.app.client, "/admin/audit?actor=&since=&until=%20").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Ledger API") && html.contains("Card limits"), "{html}");
    let (status, _) = fetch(&o.app, &o.pete, "/admin/audit?since=yesterday").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the trail is for admins only, whatever the address holds");
}

/// Every dependency as stored.
async fn dependencies(store: &dyn Store) -> Vec<tandem_domain::Dependency> {
    store.list_dependencies(&DependencyFilter::default(), &PageRequest::first(100)).await.unwrap().items
}

#[tokio::test]
async fn an_editor_of_the_other_end_only_is_offered_the_dependency_form_and_may_link() {
    let o = org().await;
    let store = o.app.store().as_ref();
    let page = format!("/work-items/{}", o.ledger_item.id);
    let action = format!("{page}/dependencies");

    // Pete reads Ledger and edits Cards: the Ledger item's page offers him the form, and not
    // the item's own edit and delete controls.
    let (status, html) = fetch(&o.app, &o.pete, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<h3 id=\"add-dependency-heading\">Add a dependency</h3>") && posts_to(&html, &action),
        "{html}"
    );
    assert!(!html.contains("Edit work item") && !html.contains("Delete work item"), "{html}");
    // The Ledger item comes after the Cards item.
    let cards_item = o.cards_item.id.to_string();
    let link = |other: &str| {
        vec![
            ("direction", "after".to_owned()),
            ("node_type", "work_item".to_owned()),
            ("node_id", other.to_owned()),
            ("kind", "start_to_start".to_owned()),
            ("lag_days", "2".to_owned()),
        ]
    };
    let pairs = link(&cards_item);
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location, html) = send(&o.app, &o.pete, &action, &refs).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some(&format!("{page}#dependencies")[..])),
        "{html}"
    );
    let stored = dependencies(store).await;
    assert_eq!(stored.len(), 1);
    let fields = &stored[0].fields;
    assert_eq!(
        (fields.predecessor, fields.successor, fields.kind, fields.lag.days()),
        (NodeRef::WorkItem(o.cards_item.id), NodeRef::WorkItem(o.ledger_item.id), DependencyKind::StartToStart, 2)
    );
    let (_, html) = fetch(&o.app, &o.pete, &page).await;
    assert!(html.contains("<h3>This item depends on (1)</h3>") && html.contains(">Card limits</a>"), "{html}");

    // Two Ledger items: he edits neither end, so the store refuses, and the form says so.
    let other = store
        .create_work_item(tester(), work_item_fields(Some(o.ledger.id), None, "Ledger reports"), None)
        .await
        .unwrap();
    let pairs = link(&other.id.to_string());
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = send(&o.app, &o.pete, &action, &refs).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(
        html.contains(
            "<p>The dependency was not added: linking work needs the editor role on this item or on the other end.</p>"
        ),
        "{html}"
    );
    assert!(posts_to(&html, &action) && html.contains(&format!("value=\"{}\"", other.id)), "the form as typed: {html}");
    assert_eq!(dependencies(store).await, stored, "nothing more is stored");
}

#[tokio::test]
async fn a_viewer_is_offered_no_dependency_form_and_cannot_post_one() {
    let o = org().await;
    let store = o.app.store().as_ref();
    let page = format!("/work-items/{}", o.ledger_item.id);
    let action = format!("{page}/dependencies");
    let (status, html) = fetch(&o.app, &o.vera, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ledger API") && !html.contains("Add a dependency") && !posts_to(&html, &action), "{html}");

    let cards_item = o.cards_item.id.to_string();
    let form = [
        ("direction", "after"),
        ("node_type", "work_item"),
        ("node_id", cards_item.as_str()),
        ("kind", "finish_to_start"),
        ("lag_days", "0"),
    ];
    for pairs in [&form[..], &[("node_id", "not an id")][..]] {
        let (status, _, html) = send(&o.app, &o.vera, &action, pairs).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
        assert!(html.contains("<h1>Not allowed</h1>"), "{html}");
        assert!(
            html.contains(
                "You may look at this, but not change it: linking work needs the editor role. Ask an owner for a role that allows it."
            ),
            "{html}"
        );
        assert!(!posts_to(&html, &action), "no form comes back: {html}");
    }
    assert_eq!(dependencies(store).await, Vec::new(), "nothing is stored");
}

/// The delete buttons of the dependency rows on a page.
fn delete_buttons(html: &str) -> Vec<String> {
    html.split("<form method=\"post\" action=\"/dependencies/")
        .skip(1)
        .map(|rest| rest[..rest.find("/delete\"").unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn an_editor_of_either_end_is_offered_each_dependencys_delete_button_and_may_use_it() {
    let o = org().await;
    let store = o.app.store().as_ref();
    let w = |item: &WorkItem| NodeRef::WorkItem(item.id);
    // Cards -> Ledger: Pete edits its predecessor. Ledger -> Ledger: he edits neither end.
    let across =
        store.create_dependency(tester(), dependency_fields(w(&o.cards_item), w(&o.ledger_item))).await.unwrap();
    let reports = store
        .create_work_item(tester(), work_item_fields(Some(o.ledger.id), None, "Ledger reports"), None)
        .await
        .unwrap();
    let within = store.create_dependency(tester(), dependency_fields(w(&o.ledger_item), w(&reports))).await.unwrap();
    let ledger_page = format!("/work-items/{}", o.ledger_item.id);
    let cards_page = format!("/work-items/{}", o.cards_item.id);

    // On the Ledger item's page, which he only reads, Pete is offered the delete button of the
    // dependency on his Cards item, and of that one only; on the Cards page, too.
    let (status, html) = fetch(&o.app, &o.pete, &ledger_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h3>This item depends on (1)</h3>") && html.contains(">Ledger reports</a>"), "{html}");
    assert_eq!(delete_buttons(&html), vec![across.id.to_string()], "{html}");
    let (_, html) = fetch(&o.app, &o.pete, &cards_page).await;
    assert_eq!(delete_buttons(&html), vec![across.id.to_string()], "{html}");
    // A viewer gets none, an admin every one.
    let (_, html) = fetch(&o.app, &o.vera, &ledger_page).await;
    assert!(html.contains(">Ledger reports</a>") && delete_buttons(&html).is_empty(), "{html}");
    let (_, html) = fetch(&o.app, &o.app.client, &ledger_page).await;
    assert_eq!(delete_buttons(&html), vec![across.id.to_string(), within.id.to_string()], "{html}");

    // The button works from the page he only reads.
    let ledger_item = o.ledger_item.id.to_string();
    let back = [("work_item_id", ledger_item.as_str())];
    let (status, location, html) = send(&o.app, &o.pete, &format!("/dependencies/{}/delete", across.id), &back).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some(&format!("{ledger_page}#dependencies")[..])),
        "{html}"
    );
    assert_eq!(dependencies(store).await, vec![within.clone()]);
    // The one he was not offered is refused, and stays.
    let (status, _, html) = send(&o.app, &o.pete, &format!("/dependencies/{}/delete", within.id), &back).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert_eq!(dependencies(store).await, vec![within]);
    let (_, html) = fetch(&o.app, &o.pete, &ledger_page).await;
    assert!(delete_buttons(&html).is_empty(), "{html}");
}

/// A valid new work item form for `project` and `product` ("" for none).
fn item_form<'a>(project: &'a str, product: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "feature"),
        ("status", "backlog"),
        ("project_id", project),
        ("product_id", product),
        ("title", title),
        ("estimate.optimistic", "1"),
        ("estimate.most_likely", "2"),
        ("estimate.pessimistic", "4"),
        ("people_needed", "1"),
    ]
}

/// Every work item as stored.
async fn work_items(store: &dyn Store) -> Vec<WorkItem> {
    store.list_work_items(&WorkItemFilter::default(), &PageRequest::first(100)).await.unwrap().items
}

#[tokio::test]
async fn a_product_editor_may_put_a_new_item_in_a_project_they_only_read() {
    let o = org().await;
    let store = o.app.store().as_ref();
    let (ledger, shop) = (o.ledger.id.to_string(), o.shop.id.to_string());

    // Omar edits Shop and reads the program's projects: each is offered next to Shop.
    let (status, html) = fetch(&o.app, &o.omar, &format!("/work-items/new?project_id={ledger}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(posts_to(&html, "/work-items") && !html.contains("id=\"form-refused\""), "{html}");
    assert_eq!(
        option_labels(&html, "project_id"),
        ["No project", "Ledger (only with a product you edit)", "Cards (only with a product you edit)"]
    );
    assert_eq!(option_labels(&html, "product_id"), ["Shop"], "he edits no project, so the item needs Shop");
    assert!(html.contains(&format!("<option value=\"{ledger}\" selected>Ledger (only with a product you edit)")));

    let (status, location, html) =
        send(&o.app, &o.omar, "/work-items", &item_form(&ledger, &shop, "Ledger export")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let items = work_items(store).await;
    let created = items.iter().find(|i| i.fields.title.as_str() == "Ledger export").expect("stored");
    assert_eq!(location, Some(format!("/work-items/{}", created.id)));
    assert_eq!(
        (created.fields.placement.project_id(), created.fields.placement.product_id(), created.fields.kind.as_str()),
        (Some(o.ledger.id), Some(o.shop.id), "feature")
    );
    assert_eq!(created.meta.version, 1);
    let events = trail(store).await;
    assert_eq!((events[0].actor.name.as_str(), events[0].label.as_str()), ("omar", "Ledger export"));

    // Without Shop the store refuses; the form says why and keeps what he typed.
    let (status, _, html) = send(&o.app, &o.omar, "/work-items", &item_form(&ledger, "", "Ledger import")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(
        html.contains(
            "<p>The work item was not saved: changing a work item needs the editor role on its project or on its product.</p>"
        ),
        "{html}"
    );
    assert!(posts_to(&html, "/work-items") && html.contains("value=\"Ledger import\""), "{html}");
    assert_eq!(work_items(store).await, items, "nothing more is stored");
    // Editing the item he made, the same: it may not leave Shop for Ledger alone.
    let edit = format!("/work-items/{}", created.id);
    let mut form = item_form(&ledger, "", "Ledger export v2");
    form.push(("version", "1"));
    let (status, _, html) = send(&o.app, &o.omar, &edit, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("<p>The work item was not saved: changing a work item needs the editor role"), "{html}");
    assert!(posts_to(&html, &edit) && html.contains("value=\"Ledger export v2\""), "{html}");
    assert_eq!(work_items(store).await, items, "no row changed");
}

#[tokio::test]
async fn a_user_who_edits_nothing_is_offered_no_work_item_form_and_cannot_post_one() {
    let o = org().await;
    let store = o.app.store().as_ref();
    let before = work_items(store).await;
    let (ledger, shop) = (o.ledger.id.to_string(), o.shop.id.to_string());
    let refused = "You may look at this, but not change it: changing a work item needs the editor role. Ask an owner for a role that allows it.";
    for page in ["/work-items/new".to_owned(), format!("/work-items/new?project_id={ledger}&product_id={shop}")] {
        let (status, html) = fetch(&o.app, &o.vera, &page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("<p id=\"form-refused\">{}</p>", refused.replace('\'', "&#39;"))), "{html}");
        assert!(!posts_to(&html, "/work-items"), "{html}");
    }
    for form in [item_form(&ledger, &shop, "Vera's idea"), item_form(&ledger, "", ""), item_form("", &shop, "x")] {
        let (status, _, html) = send(&o.app, &o.vera, "/work-items", &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
        assert!(html.contains("<h1>Not allowed</h1>"), "{html}");
        assert!(html.contains(&refused.replace('\'', "&#39;")), "{html}");
        assert!(!html.contains("name=\"estimate.optimistic\""), "no form comes back: {html}");
    }
    assert_eq!(work_items(store).await, before, "nothing is stored");
    // The program is untouched too.
    assert_eq!(store.get_program(o.program.id).await.unwrap(), o.program);
}

#[tokio::test]
async fn a_product_editor_opens_every_page_of_an_item_whose_project_they_cannot_see() {
    // Priya edits Shop and has no role in the program: the items of her backlog that sit in
    // Ledger too are hers to read through Shop. Their pages once answered 404 (the page looked
    // up the project, which she may not read), for most of the demo's product backlog.
    let o = org().await;
    let store = o.app.store().as_ref();
    let (priya_user, priya) = o.app.user("priya", false).await;
    o.app.grant(&priya_user, GrantScope::Product(o.shop.id), Role::Editor).await;
    let mut fields = work_item_fields(Some(o.ledger.id), Some(o.shop.id), "Statement export");
    fields.parent_id = Some(o.ledger_item.id);
    let item = store.create_work_item(tester(), fields, None).await.unwrap();
    let page = format!("/work-items/{}", item.id);
    let (status, html) = fetch(&o.app, &priya, &page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<span class=\"muted\" id=\"hidden-project\">a project you cannot see</span>"), "{html}");
    assert!(html.contains(&format!("<a href=\"/products/{}\">Shop</a>", o.shop.id)), "{html}");
    assert!(html.contains("<dt>Parent</dt><dd><span class=\"muted\">one you cannot see</span></dd>"), "{html}");
    assert!(!html.contains("Ledger"), "the project's name stays hidden: {html}");
    // She edits it through Shop, and its other pages open too.
    assert!(html.contains(&format!("href=\"{page}/edit\"")), "{html}");
    for sub in ["/edit", "/story", "/prioritization", "/evidence"] {
        let (status, html) = fetch(&o.app, &priya, &format!("{page}{sub}")).await;
        assert_eq!(status, StatusCode::OK, "{sub}: {html}");
    }
    // A child of it starts in Ledger and Shop; Cancel leads back to Shop, not to Ledger's 404.
    let (status, html) = fetch(&o.app, &priya, &format!("/work-items/new?parent_id={}", item.id)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(&format!("href=\"/products/{}\"", o.shop.id)), "{html}");
    assert!(!html.contains(&format!("/projects/{}", o.ledger.id)), "{html}");
    // An item of Ledger alone stays hidden from her.
    let (status, _) = fetch(&o.app, &priya, &format!("/work-items/{}", o.ledger_item.id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The other way round: Pete reads Ledger but not Shop. The item's prioritization page
    // opens for him without a link to Shop's (which would be a 404 for him).
    let (status, html) = fetch(&o.app, &o.pete, &format!("{page}/prioritization")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(!html.contains(&format!("/products/{}", o.shop.id)), "{html}");
    let (status, html) = fetch(&o.app, &o.pete, &page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<span class=\"muted\" id=\"hidden-product\">a product you cannot see</span>"), "{html}");
}

/// The home page's paragraph about an empty list of `what` ("programs", "products").
fn empty_note(html: &str, what: &str) -> String {
    let heading = html.find(&format!("<h2 id=\"{what}-heading\">")).unwrap_or_else(|| panic!("no {what}: {html}"));
    let section = &html[heading..heading + html[heading..].find("</section>").unwrap()];
    let start = section.find("<p class=\"empty\">").unwrap_or_else(|| panic!("{what} listed: {section}")) + 17;
    section[start..start + section[start..].find("</p>").unwrap()].to_owned()
}

#[tokio::test]
async fn the_home_page_tells_nothing_yet_from_none_the_viewer_can_see() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let (paula_user, paula) = app.user("paula", false).await;
    let (_, nobody) = app.user("nobody", false).await;
    let home = |client: Client| {
        let app = &app;
        async move {
            let (status, html) = fetch(app, &client, "/").await;
            assert_eq!(status, StatusCode::OK);
            html
        }
    };
    // Nothing exists yet: said so to everyone, and the admin is offered to create.
    let html = home(paula.clone()).await;
    assert_eq!(empty_note(&html, "programs"), "No programs yet.");
    assert_eq!(empty_note(&html, "products"), "No products yet.");
    let html = home(app.client.clone()).await;
    assert_eq!(empty_note(&html, "programs"), "No programs yet. <a href=\"/programs/new\">Create a program</a>.");
    assert_eq!(empty_note(&html, "products"), "No products yet. <a href=\"/products/new\">Create a product</a>.");

    // A program paula owns and a product nobody but the admin reads.
    let program = store.create_program(tester(), program_fields("Core banking")).await.unwrap();
    store.create_product(tester(), product_fields("Shop")).await.unwrap();
    app.grant(&paula_user, GrantScope::Program(program.id), Role::Owner).await;
    let hidden_programs =
        "There are programs, but none you can see: a program's owner or an organisation admin can give you a role.";
    let hidden_products =
        "There are products, but none you can see: a product's owner or an organisation admin can give you a role.";
    let html = home(paula).await;
    assert!(html.contains(&format!("<a href=\"/programs/{}\">Core banking</a>", program.id)), "{html}");
    assert_eq!(empty_note(&html, "products"), hidden_products);
    assert!(!html.contains("No products yet."), "{html}");
    let html = home(nobody).await;
    assert_eq!(empty_note(&html, "programs"), hidden_programs);
    assert_eq!(empty_note(&html, "products"), hidden_products);
    // The admin reads both: no note at all.
    let html = home(app.client.clone()).await;
    assert!(!html.contains("<p class=\"empty\">"), "{html}");
    assert!(html.contains(">Shop</a>"), "{html}");
}

/// A list page's paragraph about its empty list.
fn list_note(html: &str) -> String {
    let start = html.find("<p class=\"empty\">").unwrap_or_else(|| panic!("records listed: {html}")) + 17;
    html[start..start + html[start..].find("</p>").unwrap()].to_owned()
}

#[tokio::test]
async fn the_program_and_product_lists_tell_nothing_yet_from_none_the_viewer_can_see_and_a_later_page() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let (paula_user, paula) = app.user("paula", false).await;
    let (_, nobody) = app.user("nobody", false).await;
    let list = |client: Client, path: String| {
        let app = &app;
        async move {
            let (status, html) = fetch(app, &client, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            html
        }
    };
    // Nothing exists yet: said so to everyone, and the admin is offered to create.
    assert_eq!(list_note(&list(paula.clone(), "/programs".into()).await), "No programs yet.");
    assert_eq!(list_note(&list(paula.clone(), "/products".into()).await), "No products yet.");
    assert_eq!(
        list_note(&list(app.client.clone(), "/programs".into()).await),
        "No programs yet. <a href=\"/programs/new\">Create the first one</a>."
    );
    assert_eq!(
        list_note(&list(app.client.clone(), "/products".into()).await),
        "No products yet. <a href=\"/products/new\">Create the first one</a>."
    );

    // A program paula owns and a product nobody but the admin reads.
    let program = store.create_program(tester(), program_fields("Core banking")).await.unwrap();
    let product = store.create_product(tester(), product_fields("Shop")).await.unwrap();
    app.grant(&paula_user, GrantScope::Program(program.id), Role::Owner).await;
    let hidden_programs =
        "There are programs, but none you can see: a program's owner or an organisation admin can give you a role.";
    let hidden_products =
        "There are products, but none you can see: a product's owner or an organisation admin can give you a role.";
    let html = list(paula.clone(), "/programs".into()).await;
    assert!(html.contains(&format!("<a href=\"/programs/{}\">Core banking</a>", program.id)), "{html}");
    assert!(!html.contains("<p class=\"empty\">"), "{html}");
    assert_eq!(list_note(&list(paula.clone(), "/products".into()).await), hidden_products);
    assert_eq!(list_note(&list(nobody.clone(), "/programs".into()).await), hidden_programs);
    assert_eq!(list_note(&list(nobody.clone(), "/products".into()).await), hidden_products);
    // A cursor that is no cursor starts again from the top: the first page, told as such.
    assert_eq!(list_note(&list(nobody.clone(), "/programs?after=nonsense".into()).await), hidden_programs);
    assert_eq!(list_note(&list(nobody.clone(), "/products?after=".into()).await), hidden_products);

    // A later page (after the last record) with nothing on it: nothing matches, whoever asks.
    let after_program = format!("/programs?after={}", program.id);
    let after_product = format!("/products?after={}", product.id);
    let no_programs = "No programs match. <a href=\"/programs\">Back to the first page</a>.";
    let no_products = "No products match. <a href=\"/products\">Back to the first page</a>.";
    for client in [app.client.clone(), paula, nobody] {
        assert_eq!(list_note(&list(client.clone(), after_program.clone()).await), no_programs);
        assert_eq!(list_note(&list(client, after_product.clone()).await), no_products);
    }
    // The admin reads both: no note at all.
    for path in ["/programs", "/products"] {
        let html = list(app.client.clone(), path.into()).await;
        assert!(!html.contains("<p class=\"empty\">"), "{html}");
    }
    assert!(list(app.client.clone(), "/products".into()).await.contains(">Shop</a>"));
}

#[tokio::test]
async fn the_team_list_tells_nothing_yet_from_an_empty_later_page() {
    let app = TestApp::spawn().await;
    let (_, paula) = app.user("paula", false).await;
    let note = |client: Client, path: &'static str| {
        let app = &app;
        async move {
            let (status, html) = fetch(app, &client, path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            list_note(&html)
        }
    };
    assert_eq!(note(paula.clone(), "/teams").await, "No teams yet.");
    assert_eq!(
        note(app.client.clone(), "/teams").await,
        "No teams yet. <a href=\"/teams/new\">Create the first one</a>."
    );
    let team = app.store().create_team(tester(), team_fields("Payments", 3)).await.unwrap();
    let later = format!("/teams?after={}", team.id);
    let (status, html) = fetch(&app, &paula, &later).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list_note(&html), "No teams match. <a href=\"/teams\">Back to the first page</a>.");
    // A cursor that is no cursor is the first page again: the team is listed.
    let (_, html) = fetch(&app, &paula, "/teams?after=nonsense").await;
    assert!(html.contains(">Payments</a>") && !html.contains("<p class=\"empty\">"), "{html}");
}

/// `<time datetime="AT">AT to the minute in UTC</time>` for an instant as the JSON API writes it
/// (RFC 3339 to the microsecond, in UTC).
fn time_element(at: &serde_json::Value) -> String {
    let at = at.as_str().unwrap_or_else(|| panic!("not an instant: {at}"));
    assert!(at.len() == 27 && at.ends_with('Z') && at.as_bytes()[19] == b'.', "{at}");
    format!("<time datetime=\"{at}\">{} {} UTC</time>", &at[..10], &at[11..16])
}

#[tokio::test]
async fn pages_show_each_instant_to_the_minute_with_the_exact_one_in_its_time_element() {
    let app = TestApp::spawn().await;
    let program = app
        .create(
            "/api/v1/programs",
            &serde_json::json!({"name": "Core", "start": "2026-03-02", "target_end": "2026-12-31"}),
        )
        .await;
    let id = program["id"].as_str().unwrap().to_owned();
    let project = app
        .create("/api/v1/projects", &serde_json::json!({"program_id": id, "name": "Ledger", "start": "2026-03-02"}))
        .await;
    app.create(
        "/api/v1/work-items",
        &serde_json::json!({"kind": "task", "project_id": project["id"], "title": "Post entries",
            "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}}),
    )
    .await;
    let json = |response: reqwest::Response| async move {
        assert!(response.status().is_success(), "{}", response.status());
        response.json::<serde_json::Value>().await.unwrap()
    };
    let schedule = json(app.post_json(&format!("/api/v1/programs/{id}/schedule"), &serde_json::json!({})).await).await;
    let forecast =
        json(app.post_json(&format!("/api/v1/programs/{id}/forecast"), &serde_json::json!({"iterations": 20})).await)
            .await;
    let history = json(app.get(&format!("/api/v1/programs/{id}/history")).await).await;
    let audit = json(app.get("/api/v1/audit").await).await;
    let tokens = json(app.get("/api/v1/tokens").await).await;

    let (status, page) = fetch(&app, &app.client, &format!("/programs/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let computed = |view: &serde_json::Value| format!("<dt>Computed</dt><dd>{}", time_element(&view["computed_at"]));
    assert!(page.contains(&computed(&schedule)), "schedule {schedule}: {page}");
    assert!(page.contains(&computed(&forecast)), "forecast {forecast}: {page}");
    let created = &history["items"][0];
    assert_eq!(created["action"], "created");
    assert!(page.contains(&format!("<p><strong>admin</strong> created this on {}</p>", time_element(&created["at"]))));

    let (status, page) = fetch(&app, &app.client, "/admin/audit").await;
    assert_eq!(status, StatusCode::OK);
    let newest = &audit["items"][0];
    assert!(
        page.contains(&format!(
            "(<code>{}</code>) on {}</p>",
            newest["record_id"].as_str().unwrap(),
            time_element(&newest["at"])
        )),
        "{newest}: {page}"
    );

    let (status, page) = fetch(&app, &app.client, "/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("<td>{}</td>", time_element(&tokens[0]["expires_at"]))), "{tokens}: {page}");
}
