//! Backlog ranks over the JSON API on every backend: a given rank lies within
//! `tandem_domain::work_item::RANK_LIMIT` (422 naming `rank`, nothing stored otherwise), a new
//! item's default rank follows its own product's items only, and bulk top/bottom moves stay within
//! the item's product without ties.

use serde_json::{Value, json};
use tandem_domain::work_item::RANK_LIMIT;
use tandem_test_support::app::{TestApp, json_response};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

fn item(product: &str, title: &str, rank: Option<Value>) -> Value {
    let mut body = json!({"kind": "feature", "product_id": product, "title": title,
        "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}});
    if let Some(rank) = rank {
        body["rank"] = rank;
    }
    body
}

async fn backlog(app: &TestApp, product: &str) -> Vec<(String, i64)> {
    let (status, _, body) = json_response(app.get(&format!("/api/v1/products/{product}/backlog")).await).await;
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            let item = if i["item"].is_object() { &i["item"] } else { i };
            (item["title"].as_str().unwrap_or("").to_owned(), item["rank"].as_i64().unwrap_or(i64::MIN))
        })
        .collect()
}

fn owned(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(t, r)| ((*t).to_owned(), *r)).collect()
}

async fn item_count(app: &TestApp) -> u64 {
    app.store().count_work_items(&tandem_domain::WorkItemFilter::default()).await.expect("count")
}

#[tokio::test]
async fn ranks_are_bounded_and_computed_within_the_product() {
    let message = format!("must be between -{RANK_LIMIT} and {RANK_LIMIT}");
    let out_of_range = json!([{"field": "rank", "code": "out_of_range", "message": message}]);
    for app in TestApp::spawn_all().await {
        let shop = id_of(&app.create("/api/v1/products", &json!({"name": "Shop"})).await);
        let bank = id_of(&app.create("/api/v1/products", &json!({"name": "Bank"})).await);

        // The extremes of i64 and one past the limit either way: 422 naming `rank`, nothing stored.
        for rank in [json!(i64::MAX), json!(i64::MIN), json!(RANK_LIMIT + 1), json!(-RANK_LIMIT - 1)] {
            let before = item_count(&app).await;
            let (status, content_type, problem) =
                json_response(app.post_json("/api/v1/work-items", &item(&shop, "Bad", Some(rank.clone()))).await).await;
            assert_eq!((status, content_type.as_str()), (422, "application/problem+json"), "{rank}: {problem}");
            assert_eq!(problem["errors"], out_of_range, "{rank}");
            assert_eq!(item_count(&app).await, before, "{rank}: nothing stored");
        }

        // The limit itself is accepted; the next item of the SAME product goes after it, while
        // another product's new items start their own order.
        let far = app.create("/api/v1/work-items", &item(&shop, "Far", Some(json!(RANK_LIMIT)))).await;
        assert_eq!(far["rank"], RANK_LIMIT);
        for title in ["One", "Two"] {
            app.create("/api/v1/work-items", &item(&bank, title, None)).await;
        }
        app.create("/api/v1/work-items", &item(&shop, "After far", None)).await;
        assert_eq!(backlog(&app, &bank).await, owned(&[("One", 0), ("Two", 1024)]));
        assert_eq!(backlog(&app, &shop).await, owned(&[("Far", RANK_LIMIT), ("After far", RANK_LIMIT + 1024)]));

        // A bulk move to the bottom goes after the item's own product's last item, one step
        // apart, never tied; to the top, before its own first item.
        let bank_items = {
            let (_, _, body) = json_response(app.get(&format!("/api/v1/products/{bank}/backlog")).await).await;
            body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| if i["item"].is_object() { id_of(&i["item"]) } else { id_of(i) })
                .collect::<Vec<_>>()
        };
        let bottom = json!({"ids": [bank_items[0], id_of(&far)], "rank": "bottom"});
        let (status, _, body) = json_response(app.post_json("/api/v1/work-items/bulk", &bottom).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(backlog(&app, &bank).await, owned(&[("Two", 1024), ("One", 2048)]));
        assert_eq!(backlog(&app, &shop).await, owned(&[("After far", RANK_LIMIT + 1024), ("Far", RANK_LIMIT + 2048)]));
        let top = json!({"ids": [bank_items[0]], "rank": "top"});
        let (status, _, body) = json_response(app.post_json("/api/v1/work-items/bulk", &top).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(backlog(&app, &bank).await, owned(&[("One", 0), ("Two", 1024)]));

        // An update may not move a rank out of range; writing back the rank as read is fine even
        // when the store computed it beyond the limit.
        let (_, _, stored) = json_response(app.get(&format!("/api/v1/work-items/{}", id_of(&far))).await).await;
        let update = |rank: Value| {
            json!({"version": stored["version"], "kind": "feature", "product_id": shop, "title": "Far",
                "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}, "rank": rank})
        };
        let path = format!("/api/v1/work-items/{}", id_of(&far));
        let (status, _, problem) = json_response(app.put_json(&path, &update(json!(i64::MAX))).await).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"], out_of_range);
        let (_, _, unchanged) = json_response(app.get(&path).await).await;
        assert_eq!(unchanged, stored, "nothing changed");
        let (status, _, kept) = json_response(app.put_json(&path, &update(stored["rank"].clone())).await).await;
        assert_eq!(status, 200, "{kept}");
        assert_eq!(kept["rank"], RANK_LIMIT + 2048);
    }
}
