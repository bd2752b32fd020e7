//! Experiments over the JSON API, on every backend: CRUD with the variants' numbers in the
//! record, the results with exact numbers (the SciPy references of the domain's
//! `experiments.rs` tests), the verdict refusing a winner before the planned sample size, 422
//! bodies naming fields, and what non-members and viewers see.

use serde_json::{Value, json};
use tandem_domain::{GrantScope, ProductId, Role};
use tandem_test_support::app::{TestApp, json_response};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

/// Relative closeness, as the domain checks its SciPy references.
fn close(actual: &Value, expected: f64) -> bool {
    actual.as_f64().is_some_and(|a| (a - expected).abs() / expected.abs() <= 1e-9)
}

fn green_button(product: &str, feature: Option<&str>, control: (i64, i64), green: (i64, i64)) -> Value {
    json!({"product_id": product, "feature_id": feature, "name": "Green button",
        "hypothesis": "A green button converts better", "metric": "conversion",
        "baseline": 0.05, "minimum_detectable_effect": 0.1, "status": "running",
        "variants": [
            {"name": "Control", "visitors": control.0, "conversions": control.1},
            {"name": "Green", "visitors": green.0, "conversions": green.1}]})
}

#[tokio::test]
async fn results_give_lift_interval_p_value_and_refuse_a_winner_before_the_plan() {
    for app in TestApp::spawn_all().await {
        let product = id_of(&app.create("/api/v1/products", &json!({"name": "Shop"})).await);
        let feature = id_of(
            &app.create(
                "/api/v1/work-items",
                &json!({"kind": "feature", "product_id": product, "title": "Checkout",
                    "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}}),
            )
            .await,
        );
        let created = app
            .create("/api/v1/experiments", &green_button(&product, Some(&feature), (10_000, 500), (10_000, 563)))
            .await;
        assert_eq!((created["power"].as_f64(), created["alpha"].as_f64()), (Some(0.8), Some(0.05)), "defaults");
        // SciPy (experiments.rs): Fleiss n(0.05, 0.1, 0.05, 0.8) = 31233.437940129952 -> 31234.
        assert_eq!(created["planned_per_variant"], 31_234);
        assert_eq!(created["variants"][1], json!({"name": "Green", "visitors": 10_000, "conversions": 563}));
        let id = id_of(&created);

        let (status, _, results) = json_response(app.get(&format!("/api/v1/experiments/{id}/results")).await).await;
        assert_eq!(status, 200);
        assert_eq!(results["required_per_variant"], 31_234);
        assert!(close(&results["required_per_variant_exact"], 31233.437940129952));
        let green = &results["comparisons"][0];
        // SciPy reference: p = 0.04705664351245293, lift 0.126 in (-0.005976715609029626, 0.2579767156090294).
        assert!(close(&green["p_value"], 0.04705664351245293), "{green}");
        assert!(close(&green["lift"], 0.1259999999999999));
        assert!(close(&green["lift_ci_95"]["low"], -0.005976715609029626));
        assert!(close(&green["lift_ci_95"]["high"], 0.2579767156090294));
        assert_eq!(green["verdict"], "not_enough_data", "p < 0.05 but 10,000 of 31,234: no winner yet");
        assert_eq!(
            green["verdict_text"],
            "Not enough data yet: 10000 of the planned 31234 per variant. Keep the test running; no winner is \
             called before the planned sample size."
        );
        // The variant's own interval is the Wilson score interval (was Wald), Python 3:
        //   z = NormalDist().inv_cdf(0.975); p = 0.05; n = 10000; d = 1 + z*z/n
        //   (p + z*z/(2*n)) / d ± z / d * math.sqrt(p*(1-p)/n + z*z/(4*n*n))
        assert_eq!(results["variants"][0]["estimate"].as_f64(), Some(0.05));
        assert!(close(&results["variants"][0]["ci_95"]["low"], 0.045898482690584774));
        assert!(close(&results["variants"][0]["ci_95"]["high"], 0.054447115843024155));

        // A PUT of the numbers once the plan is met: the same rates now call the variant.
        let mut update = green_button(&product, Some(&feature), (40_000, 2_000), (40_000, 2_252));
        update["version"] = json!(1);
        update["status"] = json!("finished");
        let (status, _, updated) =
            json_response(app.put_json(&format!("/api/v1/experiments/{id}"), &update).await).await;
        assert_eq!((status, updated["version"].as_i64(), updated["status"].as_str()), (200, Some(2), Some("finished")));
        let (_, _, results) = json_response(app.get(&format!("/api/v1/experiments/{id}/results")).await).await;
        assert_eq!(results["comparisons"][0]["verdict"], "variant_wins");

        // A mean metric: Welch's t-test, SciPy ref(100, 20, 50, 108, 20, 50) -> p 0.04826777194936759.
        let mean = app
            .create(
                "/api/v1/experiments",
                &json!({"product_id": product, "name": "Bigger basket", "metric": "mean", "baseline": 100,
                    "baseline_std_dev": 20, "minimum_detectable_effect": 0.2,
                    "variants": [{"name": "Control", "mean": 100, "std_dev": 20, "count": 50},
                                 {"name": "Bigger", "mean": 108, "std_dev": 20, "count": 50},
                                 {"name": "Empty", "mean": 0, "std_dev": 0, "count": 0}]}),
            )
            .await;
        assert_eq!((mean["status"].as_str(), mean["planned_per_variant"].as_u64()), (Some("draft"), Some(16)));
        let (_, _, results) =
            json_response(app.get(&format!("/api/v1/experiments/{}/results", id_of(&mean))).await).await;
        assert!(close(&results["comparisons"][0]["p_value"], 0.04826777194936759));
        assert!(close(&results["comparisons"][0]["lift"], 0.08));
        assert_eq!(results["comparisons"][0]["verdict"], "variant_wins");
        assert_eq!(
            results["comparisons"][1],
            json!({"variant": "Empty", "tested": false, "lift": null, "lift_ci_95": null, "p_value": null,
                "verdict": null,
                "verdict_text": "No result yet: the variant or the control has too little data to test."})
        );

        let (status, _, listed) =
            json_response(app.get(&format!("/api/v1/experiments?product_id={product}")).await).await;
        let names: Vec<&str> =
            listed["items"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
        assert_eq!((status, names), (200, vec!["Bigger basket", "Green button"]), "newest first");

        // The tested feature and the product are in use; the experiment is then deleted.
        let (status, _, refused) = json_response(app.delete(&format!("/api/v1/work-items/{feature}")).await).await;
        assert_eq!(status, 409, "{refused}");
        let (status, _, _) = json_response(app.delete(&format!("/api/v1/products/{product}")).await).await;
        assert_eq!(status, 409);
        assert_eq!(app.delete(&format!("/api/v1/experiments/{id}")).await.status().as_u16(), 204);
        assert_eq!(app.get(&format!("/api/v1/experiments/{id}")).await.status().as_u16(), 404);
    }
}

#[tokio::test]
async fn bad_plans_numbers_and_links_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let product = id_of(&app.create("/api/v1/products", &json!({"name": "Shop"})).await);
    let other = id_of(&app.create("/api/v1/products", &json!({"name": "Other"})).await);
    let elsewhere = id_of(
        &app.create(
            "/api/v1/work-items",
            &json!({"kind": "feature", "product_id": other, "title": "Search",
                "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}}),
        )
        .await,
    );
    let fields = |problem: &Value| -> Vec<(String, String)> {
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
            .collect()
    };
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter().map(|(f, c)| ((*f).to_owned(), (*c).to_owned())).collect()
    };

    let mut bad = green_button(&product, None, (100, 120), (100, 5));
    bad["baseline"] = json!(1.5);
    bad["variants"][1] = json!({"name": "control", "mean": 1.0});
    let (status, _, problem) = json_response(app.post_json("/api/v1/experiments", &bad).await).await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&problem),
        pairs(&[
            ("variants[1].visitors", "required"),
            ("variants[1].conversions", "required"),
            ("variants[1].mean", "not_allowed"),
            ("baseline", "out_of_range"),
            ("variants[0].conversions", "too_many"),
            ("variants[1].name", "duplicate"),
        ])
    );

    let mut mean = green_button(&product, None, (1, 0), (1, 0));
    mean["metric"] = json!("mean");
    mean["variants"] = json!([{"name": "Only", "mean": 1, "std_dev": -1, "count": 4}]);
    let (status, _, problem) = json_response(app.post_json("/api/v1/experiments", &mean).await).await;
    assert_eq!(status, 422);
    assert_eq!(
        fields(&problem),
        pairs(&[
            ("baseline_std_dev", "required"),
            ("variants", "out_of_range"),
            ("variants[0].std_dev", "out_of_range")
        ])
    );

    let linked = green_button(&product, Some(&elsewhere), (1, 0), (1, 0));
    let (status, _, problem) = json_response(app.post_json("/api/v1/experiments", &linked).await).await;
    assert_eq!((status, fields(&problem)), (422, pairs(&[("feature_id", "other_product")])));

    let (status, _, problem) = json_response(app.get("/api/v1/experiments").await).await;
    assert_eq!((status, fields(&problem)), (422, pairs(&[("product_id", "required")])));
}

#[tokio::test]
async fn another_products_experiments_do_not_exist_for_a_non_member_and_viewers_only_read() {
    let app = TestApp::spawn().await;
    let product = id_of(&app.create("/api/v1/products", &json!({"name": "Shop"})).await);
    let created = app.create("/api/v1/experiments", &green_button(&product, None, (10, 1), (10, 2))).await;
    let id = id_of(&created);
    let (outsider, client) = app.user("outsider", false).await;
    let status = |path: String| {
        let client = client.clone();
        let url = app.url(&path);
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(format!("/api/v1/experiments/{id}")).await, 404);
    assert_eq!(status(format!("/api/v1/experiments/{id}/results")).await, 404);
    assert_eq!(status(format!("/api/v1/experiments?product_id={product}")).await, 404);
    let product_id: ProductId = product.parse().unwrap();
    app.grant(&outsider, GrantScope::Product(product_id), Role::Viewer).await;
    assert_eq!(status(format!("/api/v1/experiments/{id}/results")).await, 200);
    let response = client.delete(app.url(&format!("/api/v1/experiments/{id}"))).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 403, "viewers read, they do not delete");
}

#[tokio::test]
async fn a_feature_of_a_product_the_editor_cannot_read_does_not_exist_for_them() {
    let app = TestApp::spawn().await;
    let product = id_of(&app.create("/api/v1/products", &json!({"name": "Shop"})).await);
    let portal = id_of(&app.create("/api/v1/products", &json!({"name": "Portal"})).await);
    let foreign = id_of(
        &app.create(
            "/api/v1/work-items",
            &json!({"kind": "feature", "product_id": portal, "title": "Hidden",
                "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 4}}),
        )
        .await,
    );
    let (editor, client) = app.user("editor", false).await;
    app.grant(&editor, GrantScope::Product(product.parse().unwrap()), Role::Editor).await;
    let body = green_button(&product, Some(&foreign), (10, 1), (10, 2));
    let (status, _, problem) =
        json_response(client.post(app.url("/api/v1/experiments")).json(&body).send().await.unwrap()).await;
    assert_eq!(
        (status, &problem["errors"]),
        (
            422,
            &json!([{"field": "feature_id", "code": "not_found", "message": format!("work item {foreign} does not exist")}])
        )
    );
    let (_, _, listed) = json_response(app.get(&format!("/api/v1/experiments?product_id={product}")).await).await;
    assert_eq!(listed["items"], json!([]), "nothing stored");
    // Readable, it is named for what it is.
    app.grant(&editor, GrantScope::Product(portal.parse().unwrap()), Role::Viewer).await;
    let (status, _, problem) =
        json_response(client.post(app.url("/api/v1/experiments")).json(&body).send().await.unwrap()).await;
    assert_eq!((status, problem["errors"][0]["code"].as_str()), (422, Some("other_product")));
}
