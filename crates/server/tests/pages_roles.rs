//! The experiment and insight forms by role, over real HTTP: a viewer of the product is not
//! offered the create and edit forms (the pages say why instead), a viewer's posts are refused
//! with 403 before the form is read (so no form comes back, valid or not) and change no row, and
//! editors get the forms as before.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, StatusCode};
use tandem_domain::evidence::{Insight, InsightFilter};
use tandem_domain::experiment::Experiment;
use tandem_domain::{GrantScope, Product, Role, TokenScope};
use tandem_test_support::app::{TestApp, client_with_token, issue_token};
use tandem_test_support::conformance::{
    day, experiment_fields, insight_fields, product_fields, tester, work_item_fields,
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
