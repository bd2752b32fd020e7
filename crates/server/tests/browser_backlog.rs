//! The backlog and prioritization pages in a real headless Chromium: reordering by keyboard
//! (Alt+Arrow Up on a focused row), by drag and drop, and by the script-free buttons, each
//! checked against the stored order; and the prioritization views (the framework switcher and
//! the side-by-side comparison). Skipped (with a message) when Chromium is not installed, unless
//! `CI` is set.

use fantoccini::key::Key;
use serde_json::json;
use tandem_domain::backlog::{self, BacklogDetails, PrioritizationInput};
use tandem_domain::prioritization::{RiceInput, WsjfInput};
use tandem_domain::{PageRequest, ProductId, Rank, Store, WorkItemFilter, WorkItemId, WorkItemOrder};
use tandem_test_support::app::{TEST_PASSWORD, TestApp};
use tandem_test_support::browser::Browser;
use tandem_test_support::conformance::{product_fields, tester, work_item_fields};

async fn backlog_of(store: &dyn Store, titles: &[&str]) -> (ProductId, Vec<WorkItemId>) {
    let product = store.create_product(tester(), product_fields("Shop")).await.unwrap();
    let mut ids = Vec::new();
    for (i, title) in titles.iter().enumerate() {
        let fields = work_item_fields(None, Some(product.id), title);
        let rank = Rank::new(i64::try_from(i).unwrap() * 10);
        ids.push(store.create_work_item(tester(), fields, Some(rank)).await.unwrap().id);
    }
    (product.id, ids)
}

/// The product's (title, rank) in stored backlog order.
async fn stored_order(store: &dyn Store, product: ProductId) -> Vec<(String, i64)> {
    let filter = WorkItemFilter { product: Some(product), order: WorkItemOrder::Rank, ..WorkItemFilter::default() };
    let page = store.list_work_items(&filter, &PageRequest::default()).await.unwrap();
    page.items.iter().map(|i| (i.fields.title.as_str().to_owned(), i.rank.get())).collect()
}

fn owned(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(t, r)| ((*t).to_owned(), *r)).collect()
}

#[tokio::test]
async fn the_backlog_is_reordered_by_keyboard_drag_and_drop_and_buttons() {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let (product, ids) = backlog_of(store, &["Alpha", "Bravo", "Charlie", "Delta"]).await;
    browser.sign_in(&app.base_url, "admin", TEST_PASSWORD).await;
    browser.goto(&app.url(&format!("/products/{product}/backlog"))).await;

    // Keyboard: focus Charlie's row, Alt+Arrow Up moves it above Bravo.
    browser
        .client
        .execute("document.getElementById(arguments[0]).focus();", vec![json!(format!("item-{}", ids[2]))])
        .await
        .unwrap();
    browser.press_and_wait_for_new_page(&format!("{}{}{}", Key::Alt, Key::Up, Key::Null)).await;
    assert_eq!(
        stored_order(store, product).await,
        owned(&[("Alpha", 1024), ("Charlie", 2048), ("Bravo", 3072), ("Delta", 4096)])
    );
    assert_eq!(browser.focused().await.id, format!("item-{}", ids[2]), "the moved row keeps focus");
    browser.press_and_wait_for_new_page(&format!("{}{}{}", Key::Alt, Key::Down, Key::Null)).await;
    assert_eq!(
        stored_order(store, product).await,
        owned(&[("Alpha", 1024), ("Bravo", 2048), ("Charlie", 3072), ("Delta", 4096)])
    );

    // Drag and drop: Delta dropped on the upper half of Alpha's row goes first.
    let drag = "const from = document.getElementById(arguments[0]); const onto = document.getElementById(arguments[1]);
        const data = new DataTransfer(); const box = onto.getBoundingClientRect();
        from.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: data}));
        const at = {bubbles: true, cancelable: true, dataTransfer: data, clientY: box.top + 2};
        onto.dispatchEvent(new DragEvent('dragover', at));
        onto.dispatchEvent(new DragEvent('drop', at));";
    browser.mark_page().await;
    let args = vec![json!(format!("item-{}", ids[3])), json!(format!("item-{}", ids[0]))];
    browser.client.execute(drag, args).await.unwrap();
    browser.wait_for_new_page().await;
    assert_eq!(
        stored_order(store, product).await,
        owned(&[("Delta", 1024), ("Alpha", 2048), ("Bravo", 3072), ("Charlie", 4096)])
    );
    let rows = browser.find("#backlog tbody").await.text().await.unwrap();
    let titles: Vec<&str> = rows
        .lines()
        .filter_map(|l| ["Delta", "Alpha", "Bravo", "Charlie"].into_iter().find(|t| l.contains(t)))
        .collect();
    assert_eq!(titles, ["Delta", "Alpha", "Bravo", "Charlie"], "{rows}");

    // Without the script: the "Move Alpha to the bottom" button is a form post.
    let button = browser.find("button[aria-label='Move Alpha to the bottom']").await;
    browser.mark_page().await;
    button.click().await.unwrap();
    browser.wait_for_new_page().await;
    assert_eq!(
        stored_order(store, product).await,
        owned(&[("Delta", 1024), ("Bravo", 2048), ("Charlie", 3072), ("Alpha", 4096)])
    );

    // Bulk: select Bravo and Charlie, mark them done and move them to the top.
    for id in [ids[1], ids[2]] {
        browser.find(&format!("#item-{id} input[type=checkbox]")).await.click().await.unwrap();
    }
    browser.choose("Set status of selected", "done").await;
    browser.choose("Move selected", "to the top").await;
    browser.click_button("Apply to selected").await;
    let order: Vec<String> = stored_order(store, product).await.into_iter().map(|(t, _)| t).collect();
    assert_eq!(order, ["Bravo", "Charlie", "Delta", "Alpha"]);
    let bravo = store.get_work_item(ids[1]).await.unwrap();
    assert_eq!(bravo.fields.status.as_str(), "done");
    browser.close().await;
}

#[tokio::test]
async fn the_framework_switcher_and_the_side_by_side_view_show_the_rankings() {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let (product, ids) = backlog_of(store, &["Alpha", "Bravo", "Charlie"]).await;
    // RICE: Charlie 1500, Alpha 500, Bravo 100; WSJF: Alpha 6, Bravo 3, Charlie 0.25.
    let inputs = [
        ((1000.0, 1.0, 100.0, 2.0), (20, 8, 2, 5)),
        ((100.0, 1.0, 100.0, 1.0), (8, 5, 2, 5)),
        ((3000.0, 0.5, 100.0, 1.0), (1, 3, 1, 20)),
    ];
    for (id, ((reach, impact, confidence, effort), (bv, tc, rr, size))) in ids.iter().zip(inputs) {
        let scores = backlog::parse_prioritization(&PrioritizationInput {
            rice: Some(RiceInput { reach, impact, confidence, effort }),
            wsjf: Some(WsjfInput { business_value: bv, time_criticality: tc, risk_reduction: rr, job_size: size }),
            ..PrioritizationInput::default()
        })
        .unwrap();
        store.set_backlog_details(tester(), *id, 1, BacklogDetails { story: None, scores }).await.unwrap();
    }
    browser.sign_in(&app.base_url, "admin", TEST_PASSWORD).await;
    browser.goto(&app.url(&format!("/products/{product}/prioritization"))).await;
    let ranking = browser.find("#ranking tbody").await.text().await.unwrap();
    // The score column prints scores as the formula beside it does (was "{:.2}": "1500.00",
    // "6.00", which also showed a score of 0.004 as "0.00").
    assert_eq!(
        ranking.lines().collect::<Vec<_>>(),
        [
            "1 Charlie 1500 RICE = 3000 × 0.5 × 100 % / 1 = 1500",
            "2 Alpha 500 RICE = 1000 × 1 × 100 % / 2 = 500",
            "3 Bravo 100 RICE = 100 × 1 × 100 % / 1 = 100",
        ]
    );

    // Changing the switcher reloads the ranking by WSJF.
    browser.mark_page().await;
    browser.field("Rank by").await.select_by_label("WSJF").await.unwrap();
    browser.wait_for_new_page().await;
    let ranking = browser.find("#ranking tbody").await.text().await.unwrap();
    assert_eq!(
        ranking.lines().collect::<Vec<_>>(),
        [
            "1 Alpha 6 WSJF = (20 + 8 + 2) / 5 = 30 / 5 = 6",
            "2 Bravo 3 WSJF = (8 + 5 + 2) / 5 = 15 / 5 = 3",
            "3 Charlie 0.25 WSJF = (1 + 3 + 1) / 20 = 5 / 20 = 0.25",
        ]
    );

    browser.click_link("Compare frameworks").await;
    let table = browser.find("#comparison tbody").await.text().await.unwrap();
    assert_eq!(
        table.lines().collect::<Vec<_>>(),
        ["1 Alpha 2 1 1 agree", "2 Bravo 3 2 1 agree", "3 Charlie 1 3 2 agree"]
    );
    browser.close().await;
}
