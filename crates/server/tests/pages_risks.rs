//! The risk register and heat map pages over real HTTP on a fresh SQLite database: an address
//! whose filters the page cannot use is a 400 page naming each one, never a register quietly
//! filtered otherwise than asked.

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use tandem_domain::ProgramId;
use tandem_test_support::app::{TestApp, error_page_problems};
use tandem_test_support::conformance::{program_fields, risk_fields, tester};

#[tokio::test]
async fn a_bad_register_address_is_a_400_page_naming_each_parameter_and_why() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = store.create_program(tester(), program_fields("Core banking")).await.unwrap();
    let risk = store.create_risk(tester(), risk_fields(program.id, None, vec![], "Vendor late")).await.unwrap();
    let score = risk.fields.score();
    let its_cell = format!("?probability_band={}&impact_band=%20{}", score.probability_band, score.impact_band);
    let path = format!("/programs/{}/risks", program.id);

    let response = app.get(&format!("{path}?status=opne")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.headers().get(CONTENT_TYPE).unwrap(), "text/html; charset=utf-8");
    let html = response.text().await.unwrap();
    assert!(html.contains("<h1>This address has a value the page cannot use</h1>"), "{html}");
    assert_eq!(error_page_problems(&html), ["status: must be one of active, all, open, occurring, closed, not “opne”"]);
    assert!(html.contains(&format!("<a href=\"{path}\">Open the page without them</a>")), "{html}");
    assert!(!html.contains("Vendor late"), "no register is drawn from a guess");

    // Every bad parameter is named, in the page's order; what the address held is escaped.
    let response = app.get(&format!("{path}?impact_band=6&probability_band=two&category=%3Cb%3Ecost&status=all")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    assert_eq!(
        error_page_problems(&html),
        [
            "category: must be one of schedule, cost, scope, quality, resource, technical, external, compliance, not “<b>cost”",
            "probability_band: must be a whole number from 1 to 5, not “two”",
            "impact_band: must be a whole number from 1 to 5, not “6”",
        ]
    );
    assert!(!html.contains("<b>cost"), "the given value is escaped");
    // A cell needs both bands.
    let response = app.get(&format!("{path}?probability_band=3")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    assert_eq!(
        error_page_problems(&html),
        ["impact_band: must be given with probability_band: a heat map cell has both"]
    );

    // The heat map reads its own filters the same way, and has no cell.
    let heat_map = format!("{path}/heat-map");
    let response = app.get(&format!("{heat_map}?category=money")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.unwrap();
    assert_eq!(
        error_page_problems(&html),
        [
            "category: must be one of schedule, cost, scope, quality, resource, technical, external, compliance, not “money”"
        ]
    );
    assert!(html.contains(&format!("<a href=\"{heat_map}\">Open the page without them</a>")), "{html}");
    let response = app.get(&format!("{heat_map}?probability_band=9")).await;
    assert_eq!(response.status(), StatusCode::OK, "a band is not the heat map's parameter");

    // A program that does not exist (or that the user may not read) is a 404 first.
    for page in ["risks", "risks/heat-map"] {
        let response = app.get(&format!("/programs/{}/{page}?status=opne", ProgramId::generate())).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{page}");
    }

    // Blank values are the defaults; unknown parameters (a tracking tag) are not the page's business.
    for good in [
        "?status=&category=&probability_band=&impact_band=",
        "?status=open&category=external",
        &its_cell,
        "?utm_source=mail",
        "",
    ] {
        let response = app.get(&format!("{path}{good}")).await;
        assert_eq!(response.status(), StatusCode::OK, "{good}");
        let html = response.text().await.unwrap();
        assert!(html.contains("Vendor late"), "{good}: {html}");
    }
}
