//! A real Tandem server for black-box tests: bound to 127.0.0.1 port 0 (the address is known
//! before serving starts, so no test ever sleeps or polls), serving a fresh database, stopped when
//! the [`TestApp`] is dropped.

use std::net::SocketAddr;
use std::sync::{Arc, Once};

use reqwest::{Client, Response};
use serde_json::Value;
use tandem_domain::Store;
use tandem_server::AppState;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::db::{Backend, TestDb};

/// A running server and the database behind it.
#[derive(Debug)]
pub struct TestApp {
    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub base_url: String,
    pub addr: SocketAddr,
    /// A client without redirects followed, so tests see every response as sent.
    pub client: Client,
    pub db: TestDb,
    server: JoinHandle<()>,
}

impl TestApp {
    /// A server on a fresh SQLite database.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_on(TestDb::sqlite().await).await
    }

    /// One server per backend: SQLite always, PostgreSQL when `TANDEM_TEST_POSTGRES` is set.
    pub async fn spawn_all() -> Vec<TestApp> {
        let mut apps = Vec::new();
        for db in TestDb::all().await {
            apps.push(TestApp::spawn_on(db).await);
        }
        apps
    }

    /// A server on the given database.
    pub async fn spawn_on(db: TestDb) -> TestApp {
        init_logging();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the bound address");
        let state = AppState::new(db.store.clone());
        let server = tokio::spawn(async move {
            if let Err(error) = tandem_server::serve(listener, state).await {
                panic!("the test server stopped: {error}");
            }
        });
        let client =
            Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("build the HTTP client");
        TestApp { base_url: format!("http://{addr}"), addr, client, db, server }
    }

    /// The store the server uses, to arrange data or check stored rows directly.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.db.store
    }

    pub fn backend(&self) -> Backend {
        self.db.backend
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("send GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).json(body).send().await.expect("send POST")
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.client.put(self.url(path)).json(body).send().await.expect("send PUT")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.client.delete(self.url(path)).send().await.expect("send DELETE")
    }

    /// POSTs `body` to `path` (e.g. `/api/v1/programs`), asserts 201, and returns the record.
    pub async fn create(&self, path: &str, body: &Value) -> Value {
        let response = self.post_json(path, body).await;
        let status = response.status().as_u16();
        let text = response.text().await.expect("read the response body");
        assert_eq!(status, 201, "POST {path} {body} answered {status}: {text}");
        serde_json::from_str(&text).expect("the created record is JSON")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Logs go to the test output only when `TEST_LOG` is set, so passing tests stay quiet.
fn init_logging() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        }
    });
}

/// Reads a response as `(status, content type, JSON body)`; a body that is not JSON fails the test.
pub async fn json_response(response: Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("read the response body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("body of a {status} is not JSON ({e}): {text}"));
    (status, content_type, body)
}
