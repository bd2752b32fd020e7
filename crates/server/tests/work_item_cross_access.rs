//! Editing a work item through one of its places when the other is hidden, over real HTTP: a
//! project manager or program owner edits an item of their project that also sits in a product
//! they have no role on, and a product manager a backlog item that also sits in a project they
//! have no role on. Keeping the hidden place (or a hidden parent) needs no right on it, through
//! the API and the edit form alike; the form shows the hidden place selected without its name.
//! Naming a hidden place (or parent) the item does not have yet is refused exactly as naming one
//! that does not exist (422 `not_found` on the field), and stores nothing.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tandem_domain::{
    GrantScope, Product, ProductId, Project, ProjectId, Role, WorkItem, WorkItemFields, WorkItemId, WorkItemInput,
    WorkItemKind, WorkItemStatus,
};
use tandem_test_support::app::{TestApp, json_response};
use tandem_test_support::conformance::{product_fields, program_fields, project_fields, tester, work_item_fields};

const PROBLEM: &str = "application/problem+json";

/// A program with the project "Mobile Banking App" and another, "Cards"; the product "MyBank
/// Mobile App" and another, "Wallet"; `item` in the first project and the first product; `epic`
/// in the first product only. People, as in the demo: `pete` edits the first project (project
/// manager), `paula` owns the program (program owner), `mia` owns the first product (product
/// manager); none of them has a role anywhere else.
struct Fixture {
    app: TestApp,
    mobile: Project,
    cards: Project,
    mybank: Product,
    wallet: Product,
    item: WorkItem,
    epic: WorkItem,
    pete: Client,
    paula: Client,
    mia: Client,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = store.create_program(tester(), program_fields("Digital channels")).await.unwrap();
    let mobile = store.create_project(tester(), project_fields(program.id, "Mobile Banking App")).await.unwrap();
    let cards = store.create_project(tester(), project_fields(program.id, "Cards")).await.unwrap();
    let mybank = store.create_product(tester(), product_fields("MyBank Mobile App")).await.unwrap();
    let wallet = store.create_product(tester(), product_fields("Wallet")).await.unwrap();
    let item = store
        .create_work_item(tester(), work_item_fields(Some(mobile.id), Some(mybank.id), "Biometric login"), None)
        .await
        .unwrap();
    let epic =
        store.create_work_item(tester(), work_item_fields(None, Some(mybank.id), "Passwordless"), None).await.unwrap();
    let (pete_user, pete) = app.user("pete", false).await;
    app.grant(&pete_user, GrantScope::Project(mobile.id), Role::Editor).await;
    let (paula_user, paula) = app.user("paula", false).await;
    app.grant(&paula_user, GrantScope::Program(program.id), Role::Owner).await;
    let (mia_user, mia) = app.user("mia", false).await;
    app.grant(&mia_user, GrantScope::Product(mybank.id), Role::Owner).await;
    Fixture { app, mobile, cards, mybank, wallet, item, epic, pete, paula, mia }
}

impl Fixture {
    async fn stored(&self, id: WorkItemId) -> WorkItem {
        self.app.store().get_work_item(id).await.unwrap()
    }

    /// The item as `client` reads it through the API, turned into the body of its replacement
    /// (every field as read, so only what `change` sets differs).
    async fn update_body(&self, client: &Client, id: WorkItemId, change: &[(&str, Value)]) -> Value {
        let response = client.get(self.app.url(&format!("/api/v1/work-items/{id}"))).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let mut body: Value = response.json().await.unwrap();
        let object = body.as_object_mut().unwrap();
        for read_only in ["id", "created_at", "updated_at"] {
            object.remove(read_only);
        }
        for (field, value) in change {
            object.insert((*field).to_owned(), value.clone());
        }
        body
    }

    async fn put(&self, client: &Client, id: WorkItemId, body: &Value) -> (u16, String, Value) {
        let response = client.put(self.app.url(&format!("/api/v1/work-items/{id}"))).json(body).send().await.unwrap();
        json_response(response).await
    }

    async fn get_page(&self, client: &Client, path: &str) -> (StatusCode, String) {
        let response = client.get(self.app.url(path)).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    async fn post_page(&self, client: &Client, path: &str, pairs: &[(String, String)]) -> (StatusCode, String) {
        let response = client
            .post(self.app.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(pairs).unwrap())
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }
}

/// The edit form of `item` as its page fills it in, with `status` and the places given.
fn form_pairs(
    item: &WorkItem,
    status: &str,
    project: Option<ProjectId>,
    product: Option<ProductId>,
) -> Vec<(String, String)> {
    let f = &item.fields;
    let text = |v: Option<String>| v.unwrap_or_default();
    [
        ("kind", f.kind.as_str().to_owned()),
        ("status", status.to_owned()),
        ("project_id", text(project.map(|p| p.to_string()))),
        ("product_id", text(product.map(|p| p.to_string()))),
        ("parent_id", text(f.parent_id.map(|p| p.to_string()))),
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

/// The 422 problem with exactly one field error, `field` `not_found` for `what`.
fn not_found_problem(instance: &str, field: &str, what: &str) -> Value {
    json!({
        "type": "urn:tandem:problem:validation",
        "title": "Validation failed",
        "status": 422,
        "detail": format!("{field}: {what} does not exist"),
        "instance": instance,
        "errors": [{"field": field, "code": "not_found", "message": format!("{what} does not exist")}],
    })
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
async fn a_project_manager_and_a_program_owner_update_an_item_of_a_product_they_cannot_see() {
    let f = fixture().await;
    let id = f.item.id;

    let body = f.update_body(&f.pete, id, &[("status", json!("in_progress"))]).await;
    let (status, _, answer) = f.put(&f.pete, id, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "in_progress");
    assert_eq!(answer["product_id"], f.mybank.id.to_string());
    assert_eq!(answer["project_id"], f.mobile.id.to_string());
    assert_eq!(answer["version"], 2);
    let stored = f.stored(id).await;
    assert_eq!(stored.fields.status, WorkItemStatus::InProgress);
    assert_eq!(stored.fields.placement.product_id(), Some(f.mybank.id));
    assert_eq!(stored.fields.placement.project_id(), Some(f.mobile.id));
    assert_eq!(stored.meta.version, 2);
    // Nothing else changed.
    let expected = WorkItemFields { status: WorkItemStatus::InProgress, ..f.item.fields.clone() };
    assert_eq!(stored.fields, expected);

    let body = f.update_body(&f.paula, id, &[("status", json!("done"))]).await;
    let (status, _, answer) = f.put(&f.paula, id, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["product_id"], f.mybank.id.to_string());
    let stored = f.stored(id).await;
    assert_eq!(stored.fields.status, WorkItemStatus::Done);
    assert_eq!(stored.fields.placement.product_id(), Some(f.mybank.id));
    assert_eq!(stored.meta.version, 3);
}

#[tokio::test]
async fn moving_an_item_into_a_product_the_editor_cannot_see_is_422_as_for_a_missing_one() {
    let f = fixture().await;
    let id = f.item.id;
    let instance = format!("/api/v1/work-items/{id}");

    // Another product he has no role on: the same answer, word for word, as a product that does
    // not exist (with its id), so the answer tells nothing of it.
    for client in [&f.pete, &f.paula] {
        let body = f
            .update_body(client, id, &[("status", json!("done")), ("product_id", json!(f.wallet.id.to_string()))])
            .await;
        let (status, content_type, answer) = f.put(client, id, &body).await;
        assert_eq!((status, content_type.as_str()), (422, PROBLEM), "{answer}");
        assert_eq!(answer, not_found_problem(&instance, "product_id", &format!("product {}", f.wallet.id)));
    }
    let missing = uuid::Uuid::now_v7();
    let body = f.update_body(&f.pete, id, &[("status", json!("done")), ("product_id", json!(missing))]).await;
    let (status, _, answer) = f.put(&f.pete, id, &body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer, not_found_problem(&instance, "product_id", &format!("product {missing}")));

    // A parent he cannot see, too.
    let body =
        f.update_body(&f.pete, id, &[("status", json!("done")), ("parent_id", json!(f.epic.id.to_string()))]).await;
    let (status, _, answer) = f.put(&f.pete, id, &body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer, not_found_problem(&instance, "parent_id", &format!("work item {}", f.epic.id)));

    // Nothing was stored.
    assert_eq!(f.stored(id).await, f.item);
}

#[tokio::test]
async fn an_item_keeps_a_parent_the_editor_cannot_see() {
    let f = fixture().await;
    let store = f.app.store().as_ref();
    let input = WorkItemInput {
        kind: WorkItemKind::Story,
        project_id: Some(f.mobile.id),
        product_id: Some(f.mybank.id),
        parent_id: Some(f.epic.id),
        title: "Face unlock".into(),
        description: String::new(),
        status: WorkItemStatus::Backlog,
        optimistic: 1.0,
        most_likely: 2.0,
        pessimistic: 3.0,
        story_points: None,
        team_id: None,
        people_needed: None,
        released_on: None,
        percent_complete: None,
    };
    let child = store.create_work_item(tester(), WorkItemFields::parse(input).unwrap(), None).await.unwrap();

    let body = f.update_body(&f.pete, child.id, &[("status", json!("ready"))]).await;
    let (status, _, answer) = f.put(&f.pete, child.id, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["parent_id"], f.epic.id.to_string());
    let stored = f.stored(child.id).await;
    assert_eq!(stored.fields.status, WorkItemStatus::Ready);
    assert_eq!(stored.fields.parent_id, Some(f.epic.id));
    assert_eq!(stored.fields.placement.product_id(), Some(f.mybank.id));
}

#[tokio::test]
async fn a_product_manager_updates_a_backlog_item_of_a_project_they_cannot_see() {
    let f = fixture().await;
    let id = f.item.id;
    let instance = format!("/api/v1/work-items/{id}");

    let body = f.update_body(&f.mia, id, &[("status", json!("ready"))]).await;
    let (status, _, answer) = f.put(&f.mia, id, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["project_id"], f.mobile.id.to_string());
    let stored = f.stored(id).await;
    let expected = WorkItemFields { status: WorkItemStatus::Ready, ..f.item.fields.clone() };
    assert_eq!(stored.fields, expected);
    assert_eq!(stored.meta.version, 2);

    // Moving it into another project she cannot see is refused as for a missing one.
    let body =
        f.update_body(&f.mia, id, &[("status", json!("done")), ("project_id", json!(f.cards.id.to_string()))]).await;
    let (status, content_type, answer) = f.put(&f.mia, id, &body).await;
    assert_eq!((status, content_type.as_str()), (422, PROBLEM), "{answer}");
    assert_eq!(answer, not_found_problem(&instance, "project_id", &format!("project {}", f.cards.id)));
    assert_eq!(f.stored(id).await, stored);
}

#[tokio::test]
async fn the_edit_form_keeps_a_product_the_project_manager_cannot_see() {
    let f = fixture().await;
    let (pete, csrf) = f.app.session("pete").await;
    let id = f.item.id;
    let edit = format!("/work-items/{id}");

    let (status, html) = f.get_page(&pete, &format!("{edit}/edit")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    // The product is offered as the item's own, selected, without its name (as the item's page
    // names it); he may not choose it, so it is the only product offered with "No product".
    assert_eq!(option_labels(&html, "product_id"), ["No product", "a product you cannot see"], "{html}");
    let selected = format!("<option value=\"{}\" selected>a product you cannot see</option>", f.mybank.id);
    assert!(html.contains(&selected), "{html}");
    assert!(!html.contains("MyBank Mobile App"), "{html}");
    assert_eq!(option_labels(&html, "project_id"), ["Mobile Banking App"], "{html}");
    let (_, show) = f.get_page(&pete, &edit).await;
    assert!(show.contains("id=\"hidden-product\">a product you cannot see<"), "{show}");

    // Sent back as shown, with the status changed: saved, the product kept.
    let mut pairs = form_pairs(&f.item, "in_progress", Some(f.mobile.id), Some(f.mybank.id));
    pairs.push(("csrf_token".into(), csrf.clone()));
    let (status, html) = f.post_page(&pete, &edit, &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let stored = f.stored(id).await;
    let expected = WorkItemFields { status: WorkItemStatus::InProgress, ..f.item.fields.clone() };
    assert_eq!(stored.fields, expected);
    assert_eq!(stored.meta.version, 2);

    // The form, read again, still shows it; moving the item into another product he cannot see
    // is answered on the form, as for one that does not exist, and stores nothing.
    let (_, html) = f.get_page(&pete, &format!("{edit}/edit")).await;
    assert!(html.contains(&selected), "{html}");
    let mut pairs = form_pairs(&stored, "done", Some(f.mobile.id), Some(f.wallet.id));
    pairs.push(("csrf_token".into(), csrf));
    let (status, html) = f.post_page(&pete, &edit, &pairs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let message = format!("<span class=\"visually-hidden\">Error:</span> product {} does not exist</p>", f.wallet.id);
    assert!(html.contains(&message), "{html}");
    assert_eq!(f.stored(id).await, stored);

    // A program owner sees and keeps it the same way.
    let (status, html) = f.get_page(&f.paula, &format!("{edit}/edit")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(&selected), "{html}");
    let pairs = form_pairs(&stored, "done", Some(f.mobile.id), Some(f.mybank.id));
    let (status, html) = f.post_page(&f.paula, &edit, &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let stored = f.stored(id).await;
    assert_eq!(stored.fields.status, WorkItemStatus::Done);
    assert_eq!(stored.fields.placement.product_id(), Some(f.mybank.id));
}

#[tokio::test]
async fn the_edit_form_keeps_a_project_the_product_manager_cannot_see() {
    let f = fixture().await;
    let (mia, csrf) = f.app.session("mia").await;
    let id = f.item.id;
    let edit = format!("/work-items/{id}");

    let (status, html) = f.get_page(&mia, &format!("{edit}/edit")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(option_labels(&html, "project_id"), ["No project", "a project you cannot see"], "{html}");
    let selected = format!("<option value=\"{}\" selected>a project you cannot see</option>", f.mobile.id);
    assert!(html.contains(&selected), "{html}");
    assert!(!html.contains("Mobile Banking App"), "{html}");
    assert_eq!(option_labels(&html, "product_id"), ["MyBank Mobile App"], "{html}");

    let mut pairs = form_pairs(&f.item, "ready", Some(f.mobile.id), Some(f.mybank.id));
    pairs.push(("csrf_token".into(), csrf.clone()));
    let (status, html) = f.post_page(&mia, &edit, &pairs).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let stored = f.stored(id).await;
    let expected = WorkItemFields { status: WorkItemStatus::Ready, ..f.item.fields.clone() };
    assert_eq!(stored.fields, expected);

    let mut pairs = form_pairs(&stored, "done", Some(f.cards.id), Some(f.mybank.id));
    pairs.push(("csrf_token".into(), csrf));
    let (status, html) = f.post_page(&mia, &edit, &pairs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let message = format!("<span class=\"visually-hidden\">Error:</span> project {} does not exist</p>", f.cards.id);
    assert!(html.contains(&message), "{html}");
    assert_eq!(f.stored(id).await, stored);
}
