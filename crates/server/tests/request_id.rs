//! Every response carries the request's id, so a user's report can be matched with the log.

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
