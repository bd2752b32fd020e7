//! Each variant's own 95 % interval over HTTP, on every backend: a conversion rate gets the
//! Wilson score interval (never [0, 0] or [1, 1]), a mean needs at least 2 observations — with
//! one, the JSON says `null` and the page says so in words instead of a degenerate range.
//!
//! Reference values, computed independently with Python 3:
//!   from statistics import NormalDist; import math
//!   z = NormalDist().inv_cdf(0.975)
//!   def wilson(x, n):
//!       p = x / n; d = 1 + z*z/n
//!       c = (p + z*z/(2*n)) / d; h = z / d * math.sqrt(p*(1-p)/n + z*z/(4*n*n))
//!       return max(0.0, c - h), min(1.0, c + h)
//!   wilson(45, 1000)         -> (0.033799512285631717, 0.05968283793622345)
//!   wilson(20, 20)           -> (0.8388748419471808, 1.0)
//!   wilson(100000, 100000)   -> (0.999961586887417, 1.0)
//!   wilson(0, 20)            -> (0.0, 0.1611251580528193)
//!   10 ± z * 2 / math.sqrt(2) -> (7.228192351300645, 12.771807648699355)

use serde_json::{Value, json};
use tandem_test_support::app::{TestApp, json_response};

fn id_of(record: &Value) -> String {
    record["id"].as_str().expect("a record has a string id").to_owned()
}

/// Absolute closeness (Wilson bounds can be exactly 0 or 1).
fn bounds(ci: &Value, low: f64, high: f64) {
    let (l, h) = (ci["low"].as_f64().unwrap(), ci["high"].as_f64().unwrap());
    assert!((l - low).abs() <= 1e-9 && (h - high).abs() <= 1e-9, "{ci} vs [{low}, {high}]");
}

#[tokio::test]
async fn variant_intervals_are_wilson_for_rates_and_absent_for_a_single_observation() {
    for app in TestApp::spawn_all().await {
        let product = id_of(&app.create("/api/v1/products", &json!({"name": "Shop"})).await);
        let conversion = app
            .create(
                "/api/v1/experiments",
                &json!({"product_id": product, "name": "Green button", "metric": "conversion",
                    "baseline": 0.05, "minimum_detectable_effect": 0.1, "status": "running",
                    "variants": [{"name": "Control", "visitors": 1000, "conversions": 45},
                                 {"name": "All", "visitors": 20, "conversions": 20},
                                 {"name": "Everyone", "visitors": 100_000, "conversions": 100_000},
                                 {"name": "Nobody", "visitors": 20, "conversions": 0}]}),
            )
            .await;
        let id = id_of(&conversion);
        let (status, _, results) = json_response(app.get(&format!("/api/v1/experiments/{id}/results")).await).await;
        assert_eq!(status, 200, "{results}");
        let variants = &results["variants"];
        bounds(&variants[0]["ci_95"], 0.033799512285631717, 0.05968283793622345);
        bounds(&variants[1]["ci_95"], 0.8388748419471808, 1.0);
        bounds(&variants[2]["ci_95"], 0.999961586887417, 1.0);
        bounds(&variants[3]["ci_95"], 0.0, 0.1611251580528193);
        assert_eq!(variants[2]["estimate"].as_f64(), Some(1.0));

        let html = app.get(&format!("/experiments/{id}")).await.text().await.unwrap();
        for text in ["3.38 % to 5.97 %", "83.89 % to 100.00 %", "99.996 % to 100.000 %", "0.00 % to 16.11 %"] {
            assert!(html.contains(&format!("<td>{text}</td>")), "{text} in {html}");
        }
        assert!(!html.contains("100.00 % to 100.00 %"), "no collapsed interval");

        let mean = app
            .create(
                "/api/v1/experiments",
                &json!({"product_id": product, "name": "Bigger basket", "metric": "mean", "baseline": 10,
                    "baseline_std_dev": 2, "minimum_detectable_effect": 0.2,
                    "variants": [{"name": "Control", "mean": 10, "std_dev": 2, "count": 2},
                                 {"name": "Single", "mean": 10, "std_dev": 0, "count": 1}]}),
            )
            .await;
        let id = id_of(&mean);
        let (_, _, results) = json_response(app.get(&format!("/api/v1/experiments/{id}/results")).await).await;
        bounds(&results["variants"][0]["ci_95"], 7.228192351300645, 12.771807648699355);
        assert_eq!(
            results["variants"][1],
            json!({"variant": "Single", "sample": 1, "estimate": 10.0, "ci_95": null}),
            "one observation: an estimate but no interval"
        );

        let html = app.get(&format!("/experiments/{id}")).await.text().await.unwrap();
        assert!(html.contains("<td>7.2282 to 12.7718</td>"), "{html}");
        assert!(html.contains("<td>No interval: needs at least 2 observations</td>"), "{html}");
        assert!(!html.contains("10 to 10"), "no degenerate range");
        assert!(html.contains("Not drawn, no interval (needs at least 2 observations): Single."), "{html}");
    }
}

#[tokio::test]
async fn the_openapi_schema_says_when_a_variant_interval_is_null() {
    let app = TestApp::spawn().await;
    let (status, _, doc) = json_response(app.get("/api/v1/openapi.json").await).await;
    assert_eq!(status, 200);
    let ci = &doc["components"]["schemas"]["VariantEstimate"]["properties"]["ci_95"];
    let text = ci.to_string();
    assert!(text.contains("Wilson score interval"), "{ci}");
    assert!(text.contains("fewer than 2"), "{ci}");
    assert!(text.contains("null"), "nullable: {ci}");
}
