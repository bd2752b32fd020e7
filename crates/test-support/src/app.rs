//! A real Tandem server for black-box tests: bound to 127.0.0.1 port 0 (the address is known
//! before serving starts, so no test ever sleeps or polls), serving a fresh database, stopped when
//! the [`TestApp`] is dropped.

use std::net::SocketAddr;
use std::sync::{Arc, Once};

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use tandem_domain::{Actor, GrantScope, NewApiToken, Password, Role, Store, TokenScope, User, UserFields, UserInput};
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
    /// A client signed in as the organisation admin `admin` (by API token), without redirects
    /// followed, so tests see every response as sent.
    pub client: Client,
    /// A client with no credentials.
    pub anonymous: Client,
    /// The admin's read-write API token.
    pub admin_token: String,
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
        TestApp::spawn_configured(db, None).await
    }

    /// A server on the given database that believes people reach it at `base_url` (an
    /// `https://` one makes its cookies `Secure`).
    pub async fn spawn_configured(db: TestDb, base_url: Option<&str>) -> TestApp {
        init_logging();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the bound address");
        let mut state = AppState::new(db.store.clone());
        if let Some(base_url) = base_url {
            state = state.with_base_url(base_url);
        }
        let server = tokio::spawn(async move {
            if let Err(error) = tandem_server::serve(listener, state).await {
                panic!("the test server stopped: {error}");
            }
        });
        let admin = db
            .store
            .create_user(&Actor::system("test"), user_fields("admin", true), ADMIN_PASSWORD_HASH.clone())
            .await
            .expect("create the test admin");
        let admin_token = issue_token(db.store.as_ref(), &admin, TokenScope::ReadWrite).await;
        TestApp {
            base_url: format!("http://{addr}"),
            addr,
            client: client_with_token(&admin_token),
            anonymous: client_with_token(""),
            admin_token,
            db,
            server,
        }
    }

    /// A new user (`is_admin` as given) with a read-write token, and a client using it.
    pub async fn user(&self, username: &str, is_admin: bool) -> (User, Client) {
        let user = self
            .store()
            .create_user(&Actor::system("test"), user_fields(username, is_admin), ADMIN_PASSWORD_HASH.clone())
            .await
            .expect("create a test user");
        let token = issue_token(self.store().as_ref(), &user, TokenScope::ReadWrite).await;
        (user, client_with_token(&token))
    }

    /// POSTs an HTML form as the admin: the status, the redirect target (if any) and the body.
    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, Option<String>, String) {
        self.post_form_as(&self.client, path, pairs).await
    }

    /// [`TestApp::post_form`] as the user behind `client`.
    pub async fn post_form_as(
        &self,
        client: &Client,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> (StatusCode, Option<String>, String) {
        let response = client
            .post(self.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(pairs).expect("form pairs encode"))
            .send()
            .await
            .expect("POST the form");
        let status = response.status();
        let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        (status, location, response.text().await.expect("the response body"))
    }

    /// POSTs a `multipart/form-data` form (a form with a file input) as the admin: the status,
    /// the redirect target (if any) and the body.
    pub async fn post_multipart(&self, path: &str, parts: &[FormPart<'_>]) -> (StatusCode, Option<String>, String) {
        self.post_multipart_as(&self.client, path, parts).await
    }

    /// [`TestApp::post_multipart`] as the user behind `client`; the parts are sent in order.
    pub async fn post_multipart_as(
        &self,
        client: &Client,
        path: &str,
        parts: &[FormPart<'_>],
    ) -> (StatusCode, Option<String>, String) {
        let mut form = reqwest::multipart::Form::new();
        for part in parts {
            form = match *part {
                FormPart::Text(name, value) => form.text(name.to_owned(), value.to_owned()),
                FormPart::File { name, file_name, content_type, bytes } => {
                    let file = reqwest::multipart::Part::bytes(bytes.to_vec())
                        .file_name(file_name.to_owned())
                        .mime_str(content_type)
                        .expect("a valid content type");
                    form.part(name.to_owned(), file)
                }
            };
        }
        let response = client.post(self.url(path)).multipart(form).send().await.expect("POST the form");
        let status = response.status();
        let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        (status, location, response.text().await.expect("the response body"))
    }

    /// Signs `username` (whose password is [`TEST_PASSWORD`]) in through the sign-in form, as a
    /// browser does: a client that sends the session cookie (and follows no redirects), and the
    /// session's anti-forgery token, which its state-changing forms must carry.
    pub async fn session(&self, username: &str) -> (Client, String) {
        let form = self.anonymous.get(self.url("/login")).send().await.expect("GET the sign-in form");
        let login_csrf = set_cookie_value(&form, "tandem_login_csrf").expect("the sign-in form's cookie");
        let response = self
            .anonymous
            .post(self.url("/login"))
            .header(COOKIE, format!("tandem_login_csrf={login_csrf}"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(
                serde_urlencoded::to_string([
                    ("username", username),
                    ("password", TEST_PASSWORD),
                    ("csrf_token", &login_csrf),
                ])
                .expect("form pairs encode"),
            )
            .send()
            .await
            .expect("POST the sign-in form");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "signing in as {username}");
        let session = set_cookie_value(&response, "tandem_session").expect("a session cookie");
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(COOKIE, format!("tandem_session={session}").parse().expect("a valid header value"));
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("build the HTTP client");
        let me: Value = client
            .get(self.url("/api/v1/me"))
            .send()
            .await
            .expect("GET /api/v1/me")
            .json()
            .await
            .expect("the signed-in user as JSON");
        let csrf = me["csrf_token"].as_str().expect("the session's anti-forgery token").to_owned();
        (client, csrf)
    }

    /// Gives `user` `role` on `scope`.
    pub async fn grant(&self, user: &User, scope: GrantScope, role: Role) {
        self.store().create_grant(&Actor::system("test"), user.id, scope, role).await.expect("grant a role");
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

    /// [`TestApp::create`], returning only the new record's id.
    pub async fn create_id(&self, path: &str, body: Value) -> String {
        self.create(path, &body).await["id"].as_str().expect("the created record has a string id").to_owned()
    }

    /// A program from `start` to `target_end` and one project of it starting then: their ids.
    /// The program's status date is its start, so that its plans do not move with the clock.
    pub async fn program_with_project(
        &self,
        program: &str,
        project: &str,
        start: &str,
        target_end: &str,
    ) -> (String, String) {
        let program = self
            .create_id(
                "/api/v1/programs",
                json!({"name": program, "start": start, "target_end": target_end, "status_date": start}),
            )
            .await;
        let project =
            self.create_id("/api/v1/projects", json!({"program_id": program, "name": project, "start": start})).await;
        (program, project)
    }

    /// A task of `project` taking a certain `days` working days of `team`: its id.
    pub async fn certain_task(&self, project: &str, title: &str, team: &str, days: i64) -> String {
        self.create_id(
            "/api/v1/work-items",
            json!({"kind": "task", "project_id": project, "title": title, "team_id": team,
                "estimate": {"optimistic": days, "most_likely": days, "pessimistic": days}}),
        )
        .await
    }
}

/// One part of a `multipart/form-data` body ([`TestApp::post_multipart`]).
#[derive(Debug, Clone, Copy)]
pub enum FormPart<'a> {
    /// A text field: name and value.
    Text(&'a str, &'a str),
    /// A file input's part: the input's name, the file's name (empty, with no bytes, is what a
    /// browser sends when no file was chosen), its content type and its bytes.
    File { name: &'a str, file_name: &'a str, content_type: &'a str, bytes: &'a [u8] },
}

/// The value of cookie `name` among a response's `Set-Cookie` headers.
fn set_cookie_value(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next()?.split_once('='))
        .find(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.to_owned())
}

/// The password of every user [`TestApp`] creates.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

static ADMIN_PASSWORD_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    Password::parse("password", TEST_PASSWORD).expect("valid password").hash().expect("hash the test password")
});

fn user_fields(username: &str, is_admin: bool) -> UserFields {
    UserFields::parse(UserInput {
        username: username.into(),
        display_name: format!("Test {username}"),
        is_admin,
        disabled: false,
    })
    .expect("valid user")
}

/// A 30-day API token for `user`; returns its secret.
pub async fn issue_token(store: &dyn Store, user: &User, scope: TokenScope) -> String {
    let now = tandem_domain::record::now();
    let token = NewApiToken::issue(user.id, "tests", scope, now + chrono::TimeDelta::days(30), now).expect("token");
    store.create_api_token(&Actor::system("test"), &token).await.expect("store the token");
    token.secret
}

/// A client that sends `Authorization: Bearer <token>` (none for an empty token) and follows no
/// redirects.
pub fn client_with_token(token: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if !token.is_empty() {
        let value = format!("Bearer {token}").parse().expect("a valid header value");
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("build the HTTP client")
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

/// The problems a 400 error page lists (`PageError::BadQuery`), as text with `<` and `>`
/// unescaped; empty when the page has no such list.
pub fn error_page_problems(html: &str) -> Vec<String> {
    let Some(start) = html.find("id=\"error-problems\"") else { return Vec::new() };
    let end = start + html[start..].find("</ul>").expect("the list ends");
    html[start..end]
        .split("<li>")
        .skip(1)
        .map(|item| item.split("</li>").next().unwrap_or_default().replace("&#60;", "<").replace("&#62;", ">"))
        .collect()
}

/// Reads a response as `(status, content type, JSON body)`; a body that is not JSON fails the test.
pub async fn json_response(response: Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let content_type =
        response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let text = response.text().await.expect("read the response body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("body of a {status} is not JSON ({e}): {text}"));
    (status, content_type, body)
}

/// The content type of every API error.
pub const PROBLEM: &str = "application/problem+json";

/// Asserts a 422 validation problem for `instance` with exactly these field errors
/// (field, code, message), in order.
pub async fn assert_validation(response: Response, instance: &str, errors: &[(&str, &str, &str)]) {
    let (status, content_type, body) = json_response(response).await;
    let detail = errors.iter().map(|(f, _, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ");
    let errors: Vec<Value> = errors.iter().map(|(f, c, m)| json!({"field": f, "code": c, "message": m})).collect();
    assert_eq!((status, content_type.as_str()), (422, PROBLEM), "{instance}: {body}");
    assert_eq!(
        body,
        json!({
            "type": "urn:tandem:problem:validation",
            "title": "Validation failed",
            "status": 422,
            "detail": detail,
            "instance": instance,
            "errors": errors,
        })
    );
}
