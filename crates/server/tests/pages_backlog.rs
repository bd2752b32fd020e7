//! The backlog pages over real HTTP: the prioritization form (422 at the field, formulas with the
//! item's numbers after saving), the story form, the backlog's filters and script-free moves, a
//! refused bulk edit, and the impact-effort matrix SVG with its quadrants and linked items.

use reqwest::StatusCode;
use tandem_domain::{PageRequest, ProductId, Rank, Store, WorkItemFilter, WorkItemId, WorkItemOrder};
use tandem_test_support::app::{TestApp, error_page_problems};
use tandem_test_support::conformance::{product_fields, tester, work_item_fields};

async fn post_form(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, Option<String>, String) {
    app.post_form(path, pairs).await
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = app.get(path).await;
    (response.status(), response.text().await.unwrap())
}

async fn backlog_of(store: &dyn Store, titles: &[&str]) -> (ProductId, Vec<WorkItemId>) {
    let product = store.create_product(tester(), product_fields("Shop")).await.unwrap();
    let mut ids = Vec::new();
    for (i, title) in titles.iter().enumerate() {
        let fields = work_item_fields(None, Some(product.id), title);
        ids.push(
            store.create_work_item(tester(), fields, Some(Rank::new(i64::try_from(i).unwrap()))).await.unwrap().id,
        );
    }
    (product.id, ids)
}

async fn titles_in_order(store: &dyn Store, product: ProductId) -> Vec<String> {
    let filter = WorkItemFilter { product: Some(product), order: WorkItemOrder::Rank, ..WorkItemFilter::default() };
    let page = store.list_work_items(&filter, &PageRequest::default()).await.unwrap();
    page.items.iter().map(|i| i.fields.title.as_str().to_owned()).collect()
}

#[tokio::test]
async fn the_prioritization_form_names_bad_fields_and_shows_the_formulas_once_saved() {
    let app = TestApp::spawn().await;
    let (_, ids) = backlog_of(app.store().as_ref(), &["Save cart"]).await;
    let path = format!("/work-items/{}/prioritization", ids[0]);
    let bad = [
        ("version", "1"),
        ("rice.reach", "2000"),
        ("rice.impact", "2"),
        ("rice.confidence", "120"),
        ("rice.effort", "0"),
        ("impact_effort.impact", "8"),
    ];
    let (status, _, html) = post_form(&app, &path, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"field-rice-confidence-error\""), "{html}");
    assert!(html.contains("must be a percentage from 0 to 100"));
    assert!(html.contains("id=\"field-rice-effort-error\""));
    assert!(html.contains("id=\"field-impact_effort-effort-error\""), "a missing effort is named");
    assert!(html.contains("value=\"120\""), "the typed value is kept");

    let good = [
        ("version", "1"),
        ("rice.reach", "2000"),
        ("rice.impact", "2"),
        ("rice.confidence", "80"),
        ("rice.effort", "4"),
        ("wsjf.business_value", "8"),
        ("wsjf.time_criticality", "5"),
        ("wsjf.risk_reduction", "3"),
        ("wsjf.job_size", "5"),
        ("moscow", "should"),
    ];
    let (status, location, _) = post_form(&app, &path, &good).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(path.as_str())));
    let (status, html) = page(&app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("RICE = 2000 × 2 × 80 % / 4 = 800"), "{html}");
    assert!(html.contains("WSJF = (8 + 5 + 3) / 5 = 16 / 5 = 3.2"));
    assert!(html.contains("MoSCoW = Should have"));
    let (status, _, _) = post_form(&app, &path, &good).await;
    assert_eq!(status, StatusCode::CONFLICT, "the form's version is now stale");

    let story = format!("/work-items/{}/story", ids[0]);
    let fields = [
        ("version", "2"),
        ("as_a", "shopper"),
        ("i_want", "to save my cart"),
        ("so_that", "I can finish later"),
        ("acceptance_criteria", "Kept 30 days\r\n\r\nWorks signed out"),
    ];
    let (status, location, _) = post_form(&app, &story, &fields).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(story.as_str())));
    let (_, html) = page(&app, &story).await;
    assert!(html.contains("As a shopper, I want to save my cart, so that I can finish later."));
    assert!(html.contains("<li>Kept 30 days</li><li>Works signed out</li>"), "{html}");
}

#[tokio::test]
async fn the_backlog_page_filters_moves_without_script_and_refuses_a_bad_bulk_edit() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let (product, ids) = backlog_of(store, &["Alpha", "Bravo", "Charlie"]).await;
    let path = format!("/products/{product}/backlog");
    let (status, html) = page(&app, &format!("{path}?q=RAV")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("1 of 3 items match."), "{html}");
    assert!(html.contains("Bravo") && !html.contains(">Alpha<"));

    let (status, location, _) =
        post_form(&app, &format!("{path}/move"), &[("item_id", &ids[2].to_string()), ("to", "up")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(format!("{path}#item-{}", ids[2])));
    assert_eq!(titles_in_order(store, product).await, ["Alpha", "Charlie", "Bravo"]);
    let (_, _, _) =
        post_form(&app, &format!("{path}/move"), &[("item_id", &ids[0].to_string()), ("to", "bottom")]).await;
    assert_eq!(titles_in_order(store, product).await, ["Charlie", "Bravo", "Alpha"]);

    let stranger = WorkItemId::generate().to_string();
    let (status, _, html) = post_form(
        &app,
        &format!("{path}/bulk"),
        &[("ids", &ids[0].to_string()), ("ids", &stranger), ("status", "done")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(&format!("Nothing was changed: work item {stranger} does not exist.")), "{html}");
    assert_eq!(store.get_work_item(ids[0]).await.unwrap().fields.status.as_str(), "backlog");
}

#[tokio::test]
async fn the_impact_effort_matrix_places_linked_items_in_labelled_quadrants() {
    use tandem_domain::backlog::{self, BacklogDetails, PrioritizationInput};
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let (product, ids) = backlog_of(store, &["Quick", "Big", "Small", "Pit"]).await;
    for (id, rating) in ids.iter().zip([(9, 2), (9, 9), (2, 2), (2, 9)]) {
        let scores = backlog::parse_prioritization(&PrioritizationInput {
            impact_effort: Some(rating),
            ..PrioritizationInput::default()
        })
        .unwrap();
        store.set_backlog_details(tester(), *id, 1, BacklogDetails { story: None, scores }).await.unwrap();
    }
    let (status, html) = page(&app, &format!("/products/{product}/prioritization?framework=impact_effort")).await;
    assert_eq!(status, StatusCode::OK);
    for label in ["Quick wins", "Major projects", "Fill-ins", "Thankless tasks"] {
        assert!(html.contains(&format!(">{label}</text>")), "{label}");
    }
    for (id, (title, quadrant)) in ids.iter().zip([
        ("Quick", "quick_win"),
        ("Big", "major_project"),
        ("Small", "fill_in"),
        ("Pit", "thankless_task"),
    ]) {
        let link = format!("<a href=\"/work-items/{id}/prioritization\"");
        // In the matrix, not the ranking table above it.
        let svg = html.find("<svg").expect("the matrix is drawn");
        let at = svg + html[svg..].find(&link).unwrap_or_else(|| panic!("{title} is not linked"));
        let tag_end = at + html[at..].find('>').unwrap();
        assert!(html[at..tag_end].contains(&format!("class=\"matrix-item in-{quadrant}\"")), "{title}");
    }
    // Quick: effort 2 -> x = 56 + 1 * 40 + 20, impact 9 -> y = 16 + 1 * 40 + 20.
    assert!(html.contains("<circle cx=\"116\" cy=\"76\" r=\"6\">"), "{html}");
}

/// The `<input>` tag of the bulk checkbox of `id`, as written.
fn checkbox(html: &str, id: WorkItemId) -> &str {
    let value = format!("name=\"ids\" value=\"{id}\"");
    let at = html.find(&value).unwrap_or_else(|| panic!("no checkbox for {id}"));
    let start = html[..at].rfind('<').unwrap();
    &html[start..at + html[at..].find('>').unwrap() + 1]
}

#[tokio::test]
async fn a_refused_bulk_edit_keeps_the_filtered_list_the_selection_and_the_choices() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let (product, ids) = backlog_of(store, &["Alpha", "Bravo", "Charlie", "Delta"]).await;
    let path = format!("/products/{product}/backlog");
    let filtered = format!("{path}?q=l");
    let (status, html) = page(&app, &filtered).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("3 of 4 items match."), "{html}");
    assert!(
        html.contains(&format!("id=\"bulk-return-to\" name=\"return_to\" value=\"{path}?q=l\"")),
        "the bulk form carries the list it was sent from: {html}"
    );

    // A bulk edit that changes nothing: the same three rows, the filter, the two checked boxes.
    let (alpha, delta) = (ids[0].to_string(), ids[3].to_string());
    let (status, _, html) = post_form(
        &app,
        &format!("{path}/bulk"),
        &[("ids", &alpha), ("ids", &delta), ("status", ""), ("rank", ""), ("return_to", &filtered)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Nothing was changed: give a status, a rank move, or both."), "{html}");
    assert!(html.contains("3 of 4 items match."), "the filtered list is kept: {html}");
    assert!(html.contains("id=\"field-q\" name=\"q\" value=\"l\""), "the filter form keeps its text: {html}");
    assert!(!html.contains(">Bravo</a>"), "Bravo stays filtered out");
    assert!(checkbox(&html, ids[0]).contains(" checked"), "{}", checkbox(&html, ids[0]));
    assert!(checkbox(&html, ids[3]).contains(" checked"));
    assert!(!checkbox(&html, ids[2]).contains(" checked"));
    assert!(html.contains(&format!("id=\"bulk-return-to\" name=\"return_to\" value=\"{path}?q=l\"")));

    // A bulk edit naming an item that is gone: the chosen status and move stay chosen.
    let gone = WorkItemId::generate().to_string();
    let (status, _, html) = post_form(
        &app,
        &format!("{path}/bulk"),
        &[("ids", &alpha), ("ids", &gone), ("status", "done"), ("rank", "top"), ("return_to", &filtered)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(&format!("Nothing was changed: work item {gone} does not exist.")), "{html}");
    assert!(html.contains("3 of 4 items match."));
    assert!(html.contains("<option value=\"done\" selected>"), "{html}");
    assert!(html.contains("<option value=\"top\" selected>"), "{html}");
    assert!(checkbox(&html, ids[0]).contains(" checked"));
    let stored: Vec<String> = titles_in_order(store, product).await;
    assert_eq!(stored, ["Alpha", "Bravo", "Charlie", "Delta"], "nothing moved");
    for id in &ids {
        assert_eq!(store.get_work_item(*id).await.unwrap().fields.status.as_str(), "backlog");
    }

    // Accepted: back to the same filtered list.
    let (status, location, _) = post_form(
        &app,
        &format!("{path}/bulk"),
        &[("ids", &delta), ("status", "done"), ("rank", ""), ("return_to", &filtered)],
    )
    .await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(filtered.clone())));
    assert_eq!(store.get_work_item(ids[3]).await.unwrap().fields.status.as_str(), "done");

    // A return address that is not this backlog is not followed, on refusal or success.
    let (status, _, html) =
        post_form(&app, &format!("{path}/bulk"), &[("ids", &alpha), ("return_to", "https://elsewhere.example/?q=l")])
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("4 items, top first."), "{html}");
    let (status, location, _) = post_form(
        &app,
        &format!("{path}/bulk"),
        &[("ids", &alpha), ("status", "done"), ("return_to", "https://elsewhere.example/")],
    )
    .await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(path.clone())));
}

#[tokio::test]
async fn a_bad_prioritization_address_is_a_400_page_naming_the_framework() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let (product, _) = backlog_of(store, &["Alpha"]).await;
    let path = format!("/products/{product}/prioritization");

    let (status, html) = page(&app, &format!("{path}?framework=kano")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("<h1>This address has a value the page cannot use</h1>"), "{html}");
    assert_eq!(
        error_page_problems(&html),
        ["framework: must be one of rice, wsjf, cd3, moscow, impact_effort, not “kano”"]
    );
    assert!(html.contains(&format!("<a href=\"{path}\">Open the page without them</a>")), "{html}");
    assert!(!html.contains("Alpha"), "no ranking is drawn from a guess");

    // A product that does not exist (or that the user may not read) is a 404 first.
    let (status, _) = page(&app, &format!("/products/{}/prioritization?framework=kano", ProductId::generate())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Blank is the default (RICE); the API's spellings work; unknown parameters are ignored.
    for (good, current) in [
        ("?framework=", "rice"),
        ("?framework=%20", "rice"),
        ("", "rice"),
        ("?framework=wsjf", "wsjf"),
        ("?framework=impact-effort", "impact_effort"),
        ("?utm_source=mail", "rice"),
    ] {
        let (status, html) = page(&app, &format!("{path}{good}")).await;
        assert_eq!(status, StatusCode::OK, "{good}");
        let tab = format!("<a href=\"{path}?framework={current}\" aria-current=\"page\">");
        assert!(html.contains(&tab) && html.contains("Alpha"), "{good}: {html}");
    }
}
