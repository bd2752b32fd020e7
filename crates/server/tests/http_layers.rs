//! Layers around every route: request ids, and HTML pages for bare errors on page addresses.

use tandem_test_support::app::TestApp;

#[tokio::test]
async fn responses_carry_a_request_id_and_keep_the_callers() {
    let app = TestApp::spawn().await;

    let response = app.client.get(app.url("/api/v1/health")).send().await.unwrap();
    let generated = response.headers().get("x-request-id").expect("a request id").to_str().unwrap().to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    assert!(uuid::Uuid::parse_str(&generated).is_ok());

    let second = app.client.get(app.url("/")).send().await.unwrap();
    let other = second.headers().get("x-request-id").unwrap().to_str().unwrap();
    assert_ne!(other, generated, "each request gets its own id");

    let response =
        app.client.get(app.url("/api/v1/programs")).header("x-request-id", "from-the-proxy-42").send().await.unwrap();
    assert_eq!(response.headers().get("x-request-id").unwrap(), "from-the-proxy-42");
}

#[tokio::test]
async fn bare_errors_on_page_addresses_become_html_pages() {
    let app = TestApp::spawn().await;

    let oversized = "name=".to_owned() + &"x".repeat(tandem_server::MAX_BODY_BYTES + 10);
    let response = app
        .client
        .post(app.url("/programs"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(oversized)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let body = response.text().await.unwrap();
    assert!(body.contains("Too much at once"), "{body}");

    let response = app
        .client
        .post(app.url("/programs"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(response.text().await.unwrap().contains("The form could not be read"));

    let programs = app.store().list_programs(&Default::default(), &Default::default()).await.unwrap();
    assert!(programs.items.is_empty(), "nothing was stored");
}
