//! The product strategy and roadmap pages over real HTTP on a fresh SQLite database: progress bars
//! and formulas with exact numbers, the objective form's field errors, measurements and links
//! from the page, and the roadmap's lanes, timeline and planning form.

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use tandem_domain::strategy::Measurement;
use tandem_domain::{ProductId, Store, WorkItemId, WorkItemKind};
use tandem_test_support::app::{TestApp, error_page_problems};
use tandem_test_support::conformance::{
    day, key_result_input, objective_fields, product_fields, tester, work_item_fields,
};

async fn post_form(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, Option<String>, String) {
    app.post_form(path, pairs).await
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.text().await.unwrap()
}

async fn feature(store: &dyn Store, product: ProductId, title: &str) -> WorkItemId {
    let mut fields = work_item_fields(None, Some(product), title);
    fields.kind = WorkItemKind::Feature;
    store.create_work_item(tester(), fields, None).await.unwrap().id
}

#[tokio::test]
async fn the_strategy_page_draws_progress_with_its_formula_and_lists_the_features() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let product = store.create_product(tester(), product_fields("Mobile app")).await.unwrap();
    let kr = key_result_input(None, "Activation rate", "%", 30.0, 50.0);
    let reduce = key_result_input(None, "Time to first value", "min", 45.0, 15.0);
    let objective = store
        .create_objective(tester(), objective_fields(product.id, "Win mid-size teams", "2026-Q2", vec![kr, reduce]))
        .await
        .unwrap();
    let (activation, time) = (objective.fields.key_results[0].id, objective.fields.key_results[1].id);
    store
        .record_measurement(tester(), objective.id, activation, Measurement { date: day(2026, 5, 31), value: 42.0 })
        .await
        .unwrap();
    store
        .record_measurement(tester(), objective.id, time, Measurement { date: day(2026, 5, 31), value: 39.0 })
        .await
        .unwrap();
    let guided = feature(store, product.id, "Guided setup").await;
    feature(store, product.id, "Offline mode").await;
    store.link_feature(tester(), objective.id, guided).await.unwrap();

    let product_page = page(&app, &format!("/products/{}", product.id)).await;
    assert!(product_page.contains(&format!("href=\"/products/{}/strategy\"", product.id)));
    let html = page(&app, &format!("/products/{}/strategy", product.id)).await;
    assert!(html.contains("Banking in one tap"), "the vision is shown");
    assert!(html.contains("(42 - 30) / (50 - 30) = 60 % (latest 42 on 2026-05-31)"));
    assert!(html.contains("(39 - 45) / (15 - 45) = 20 % (latest 39 on 2026-05-31)"));
    // 60 % and 20 % of a 240-unit bar; the objective's 40 % likewise.
    assert!(html.contains("class=\"progress-fill\" width=\"144.0\""));
    assert!(html.contains("class=\"progress-fill\" width=\"48.0\""));
    assert!(html.contains("class=\"progress-fill\" width=\"96.0\""));
    assert!(html.contains("aria-label=\"40 % done\""));
    assert!(html.contains(&format!("<a href=\"/work-items/{guided}\">Guided setup</a>")));
    // Only the unlinked feature is offered for linking.
    assert!(html.contains(">Offline mode</option>"));
    assert!(!html.contains(">Guided setup</option>"));

    let item_page = page(&app, &format!("/work-items/{guided}")).await;
    assert!(item_page.contains("Objectives it serves (1)"));
    assert!(item_page.contains(&format!("/products/{}/strategy#objective-{}", product.id, objective.id)));

    // A measurement and an unlink from the page.
    let (status, location, _) = post_form(
        &app,
        &format!("/objectives/{}/measurements", objective.id),
        &[("key_result_id", &activation.to_string()), ("date", "2026-06-30"), ("value", "46")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(format!("/products/{}/strategy#objective-{}", product.id, objective.id)));
    let (status, _, html) = post_form(
        &app,
        &format!("/objectives/{}/measurements", objective.id),
        &[("key_result_id", &activation.to_string()), ("date", "2026-06-31"), ("value", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Not saved. date: must be a date in the form YYYY-MM-DD; value: must be a number"), "{html}");
    let (status, _, _) =
        post_form(&app, &format!("/objectives/{}/unlink", objective.id), &[("work_item_id", &guided.to_string())])
            .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let stored = store.get_objective(objective.id).await.unwrap();
    // (46 - 30) / (50 - 30)
    assert_eq!(stored.fields.key_results[0].progress().map(|p| p.percent), Some(80.0));
    assert_eq!(store.list_objective_links(product.id).await.unwrap(), Vec::new());
}

#[tokio::test]
async fn the_objective_form_names_each_bad_field_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let product = store.create_product(tester(), product_fields("Mobile app")).await.unwrap();
    let path = format!("/products/{}/objectives", product.id);
    let (status, _, html) = post_form(
        &app,
        &path,
        &[
            ("title", ""),
            ("status", "draft"),
            ("quarter", "2026-Q9"),
            ("key_results[0].metric", ""),
            ("key_results[0].baseline", ""),
            ("key_results[1].metric", "NPS"),
            ("key_results[1].baseline", "20"),
            ("key_results[1].target", "20"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Please fix these 3 problems"), "{html}");
    assert!(html.contains("must be a quarter such as 2026-Q3"));
    // The error sits on the row it was typed in (row 0 was left blank and skipped).
    assert!(html.contains("id=\"field-key_results[1]-target-error\"><span class=\"visually-hidden\">Error:</span> must differ from the baseline"), "{html}");
    assert!(html.contains("value=\"2026-Q9\""));

    let (status, location, _) = post_form(
        &app,
        &path,
        &[
            ("title", "Win mid-size teams"),
            ("status", "on_track"),
            ("quarter", "2026-Q3"),
            ("key_results[0].metric", "Activation"),
            ("key_results[0].unit", "%"),
            ("key_results[0].baseline", "30"),
            ("key_results[0].target", "50"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(format!("/products/{}/strategy", product.id)));
    let objectives = store
        .list_objectives(&tandem_domain::strategy::ObjectiveFilter { product: Some(product.id), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(objectives.len(), 1);
    let stored = &objectives[0];
    assert_eq!((stored.fields.period.start(), stored.fields.period.end()), (day(2026, 7, 1), day(2026, 9, 30)));
    assert_eq!(stored.fields.key_results[0].target, 50.0);

    let edit = page(&app, &format!("/objectives/{}/edit", stored.id)).await;
    assert!(
        edit.contains(&format!("value=\"{}\"", stored.fields.key_results[0].id)),
        "the key result's id rides along"
    );
    assert!(edit.contains("value=\"Activation\""));
}

#[tokio::test]
async fn the_roadmap_page_shows_lanes_a_timeline_and_plans_an_entry() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let product = store.create_product(tester(), product_fields("Mobile app")).await.unwrap();
    let pots = feature(store, product.id, "Savings pots").await;
    let undated = feature(store, product.id, "Mortgages").await;
    let (status, location, _) = post_form(
        &app,
        &format!("/work-items/{pots}/roadmap-entry"),
        &[("lane", ""), ("planned_start", "2026-04-06"), ("planned_finish", "2026-05-29")],
    )
    .await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("/products/{}/roadmap", product.id))));
    let (status, _, html) = post_form(
        &app,
        &format!("/work-items/{undated}/roadmap-entry"),
        &[("lane", "soon"), ("planned_start", ""), ("planned_finish", "2026-05-29")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(
            "Not saved. lane: must be one of now, next, later; planned_start: give both planned dates or neither"
        ),
        "{html}"
    );

    let html = page(&app, &format!("/products/{}/roadmap?today=2026-02-10", product.id)).await;
    let next = html.find("id=\"lane-next\"").unwrap();
    let later = html.find("id=\"lane-later\"").unwrap();
    let pots_at = html.find(&format!("href=\"/work-items/{pots}\"")).unwrap();
    let undated_at = html.find(&format!("href=\"/work-items/{undated}\"")).unwrap();
    assert!(next < pots_at && pots_at < later, "planned for next quarter: next");
    assert!(later < undated_at, "undated: later");
    assert!(html.contains("2026-04-06 to 2026-05-29"));
    assert!(html.contains("class=\"roadmap-bar roadmap-planned\""));
    assert!(html.contains(">2026-Q1</text>") && html.contains(">2026-Q2</text>"));
    assert!(html.contains(">No objective</text>"));
    let by_team = page(&app, &format!("/products/{}/roadmap?group=team&today=2026-02-10", product.id)).await;
    assert!(by_team.contains(">No team</text>"));
}

#[tokio::test]
async fn a_bad_roadmap_address_is_a_400_page_naming_each_parameter_and_why() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let product = store.create_product(tester(), product_fields("Mobile app")).await.unwrap();
    feature(store, product.id, "Savings pots").await;
    let path = format!("/products/{}/roadmap", product.id);

    let response = app.get(&format!("{path}?today=2026-13-01")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers().get(CONTENT_TYPE).unwrap(), "text/html; charset=utf-8");
    let html = response.text().await.unwrap();
    assert!(html.contains("<h1>This address has a value the page cannot use</h1>"), "{html}");
    assert_eq!(error_page_problems(&html), ["today: must be a date in the form YYYY-MM-DD, not “2026-13-01”"]);
    assert!(html.contains(&format!("<a href=\"{path}\">Open the page without them</a>")), "{html}");
    assert!(!html.contains("Roadmap of") && !html.contains("Savings pots"), "no roadmap is drawn from a guess");

    // Every bad parameter is named, in the page's order; what the address held is escaped.
    let response = app.get(&format!("{path}?today=tomorrow&group=%3Cb%3Equarter")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    assert_eq!(
        error_page_problems(&html),
        [
            "group: must be one of objective, team, not “<b>quarter”",
            "today: must be a date in the form YYYY-MM-DD, not “tomorrow”"
        ]
    );
    assert!(!html.contains("<b>quarter"), "the given value is escaped");

    // A product that does not exist (or that the user may not read) is a 404 first.
    let response = app.get(&format!("/products/{}/roadmap?today=tomorrow", ProductId::generate())).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // Blank values are the defaults; unknown parameters (a tracking tag) are not the page's business.
    for good in ["?group=&today=", "?group=team&today=2026-02-10", "?utm_source=mail", ""] {
        let response = app.get(&format!("{path}{good}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{good}");
        assert!(response.text().await.unwrap().contains("Savings pots"), "{good}");
    }
}

/// One change of an event: field, before, after.
type Change = (String, String, String);

/// The history page's events as (actor, action, changes), newest first.
fn history_rows(html: &str) -> Vec<(String, String, Vec<Change>)> {
    let Some(start) = html.find("<ol class=\"history-list\">") else { return Vec::new() };
    let end = start + html[start..].find("</ol>").unwrap();
    html[start..end]
        .split("<li>")
        .skip(1)
        .map(|event| {
            let actor = event.split("<strong>").nth(1).unwrap().split("</strong>").next().unwrap().to_owned();
            let action = event.split("</strong> ").nth(1).unwrap().split(' ').next().unwrap().to_owned();
            let changes = event
                .split("<tr><th scope=\"row\">")
                .skip(1)
                .map(|row| {
                    let field = row.split("</th>").next().unwrap().to_owned();
                    let cells: Vec<String> =
                        row.split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap().to_owned()).collect();
                    (field, cells[0].clone(), cells[1].clone())
                })
                .collect();
            (actor, action, changes)
        })
        .collect()
}

#[tokio::test]
async fn an_objective_has_a_history_page_for_whoever_may_read_it() {
    use tandem_domain::{GrantScope, ObjectiveId, Role};
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let product = store.create_product(tester(), product_fields("Mobile app")).await.unwrap();
    let form = |title: &'static str, target: &'static str, version: &'static str| {
        vec![
            ("title", title),
            ("description", "Why it matters"),
            ("quarter", "2026-Q2"),
            ("status", "on_track"),
            ("key_results[0].metric", "Activation rate"),
            ("key_results[0].unit", "%"),
            ("key_results[0].baseline", "30"),
            ("key_results[0].target", target),
            ("version", version),
        ]
    };
    let (status, _, html) =
        post_form(&app, &format!("/products/{}/objectives", product.id), &form("Win teams", "50", "1")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let objective = store.list_objectives(&Default::default()).await.unwrap().remove(0);
    let mut edit = form("Win mid-size teams", "60", "1");
    let kr_id = objective.fields.key_results[0].id.to_string();
    edit.push(("key_results[0].id", &kr_id));
    let (status, _, html) = post_form(&app, &format!("/objectives/{}", objective.id), &edit).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");

    // Linked from the objective on the strategy page.
    let history = format!("/objectives/{}/history", objective.id);
    let strategy = page(&app, &format!("/products/{}/strategy", product.id)).await;
    assert!(strategy.contains(&format!("<a href=\"{history}\">History</a>")), "{strategy}");

    let html = page(&app, &history).await;
    assert!(html.contains("<h1>History of Win mid-size teams</h1>"), "{html}");
    assert!(
        html.contains(&format!(
            "<a href=\"/products/{}/strategy#objective-{}\">Strategy</a>",
            product.id, objective.id
        ))
    );
    let key_results = |target: &str| format!("Activation rate: 30 -&#62; {target} %");
    let change = |field: &str, before: &str, after: &str| (field.to_owned(), before.to_owned(), after.to_owned());
    assert_eq!(
        history_rows(&html),
        [
            (
                "admin".to_owned(),
                "updated".to_owned(),
                vec![
                    change("title", "Win teams", "Win mid-size teams"),
                    change("key_results", &key_results("50"), &key_results("60")),
                ]
            ),
            (
                "admin".to_owned(),
                "created".to_owned(),
                vec![
                    change("product_id", "", &product.id.to_string()),
                    change("title", "", "Win teams"),
                    change("description", "", "Why it matters"),
                    change("start", "", "2026-04-01"),
                    change("end", "", "2026-06-30"),
                    change("status", "", "on_track"),
                    change("key_results", "", &key_results("50")),
                ]
            ),
        ]
    );

    // A viewer of the product reads it; someone without a role on it gets a 404, as for an
    // objective that does not exist.
    let (viewer, viewer_client) = app.user("vera", false).await;
    app.grant(&viewer, GrantScope::Product(product.id), Role::Viewer).await;
    let response = viewer_client.get(app.url(&history)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(history_rows(&response.text().await.unwrap()).len(), 2);
    let (_, stranger) = app.user("sam", false).await;
    let response = stranger.get(app.url(&history)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app.get(&format!("/objectives/{}/history", ObjectiveId::generate())).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // A cursor the store cannot read is a 400 naming `after`; a blank one is the first page.
    let response = app.get(&format!("{history}?after=nonsense")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    assert_eq!(error_page_problems(&html).len(), 1, "{html}");
    assert!(
        error_page_problems(&html)[0].starts_with("after: ")
            && error_page_problems(&html)[0].ends_with(", not “nonsense”"),
        "{html}"
    );
    assert!(html.contains(&format!("<a href=\"{history}\">Open the page without them</a>")), "{html}");
    assert_eq!(app.get(&format!("{history}?after=")).await.status(), StatusCode::OK);
}
