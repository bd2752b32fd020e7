//! Security behaviour over real HTTP, on every backend: escaping of stored text, anti-forgery
//! tokens, SQL fragments in filters, expired/revoked/read-only tokens, session cookie flags, the
//! sign-in throttle and its single answer for unknown users and wrong passwords.

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Response};
use serde_json::{Value, json};
use tandem_domain::{ApiToken, ApiTokenId, NewApiToken, PageRequest, ProgramFilter, Store, TokenScope, WorkItemFilter};
use tandem_test_support::app::{TEST_PASSWORD, TestApp, client_with_token, json_response};
use tandem_test_support::db::TestDb;

/// A browser-like sign-in that keeps the raw answer (unlike [`TestApp::session`], for the tests of
/// the sign-in itself): GET the form (its anti-forgery cookie), POST it with `password`; returns
/// the answer's status, its `Set-Cookie` headers and its body.
async fn sign_in(app: &TestApp, username: &str, password: &str) -> (u16, Vec<String>, String) {
    let form = app.anonymous.get(app.url("/login")).send().await.unwrap();
    let login_cookie = set_cookies(&form).into_iter().find(|c| c.starts_with("tandem_login_csrf=")).unwrap();
    let token = cookie_value(&login_cookie);
    let response = app
        .anonymous
        .post(app.url("/login"))
        .header(COOKIE, format!("tandem_login_csrf={token}"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(
            serde_urlencoded::to_string([("username", username), ("password", password), ("csrf_token", &token)])
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cookies = set_cookies(&response);
    (status, cookies, response.text().await.unwrap())
}

fn set_cookies(response: &Response) -> Vec<String> {
    response.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned()
}

async fn program_names(store: &dyn Store) -> Vec<String> {
    let page = store.list_programs(&ProgramFilter::default(), &PageRequest::default()).await.unwrap();
    page.items.iter().map(|p| p.fields.name.to_string()).collect()
}

#[tokio::test]
async fn stored_markup_and_quotes_render_escaped_everywhere() {
    for app in TestApp::spawn_all().await {
        let hostile = r#"<script>alert("x")</script> & 'quoted'"#;
        let program = app
            .create(
                "/api/v1/programs",
                &json!({"name": hostile, "goal": hostile, "start": "2026-01-05", "target_end": "2026-12-18"}),
            )
            .await;
        let id = program["id"].as_str().unwrap();
        for path in [format!("/programs/{id}"), "/programs".to_owned(), "/".to_owned(), "/admin/audit".to_owned()] {
            let html = app.get(&path).await.text().await.unwrap();
            assert!(!html.contains("<script>alert"), "{path} renders markup from the store");
            assert!(
                html.contains("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;quoted&#39;"),
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn state_changing_requests_without_the_sessions_csrf_token_get_403_and_change_nothing() {
    for app in TestApp::spawn_all().await {
        let program = app
            .create("/api/v1/programs", &json!({"name": "Kept", "start": "2026-01-05", "target_end": "2026-12-18"}))
            .await;
        let id = program["id"].as_str().unwrap().to_owned();
        let (session, csrf) = app.session("admin").await;
        let form = |token: Option<&str>| {
            let mut pairs = vec![
                ("name", "Changed"),
                ("phase", "definition"),
                ("start", "2026-01-05"),
                ("target_end", "2026-12-18"),
                ("currency", "EUR"),
                ("version", "1"),
            ];
            if let Some(token) = token {
                pairs.push(("csrf_token", token));
            }
            serde_urlencoded::to_string(pairs).unwrap()
        };
        let post = |body: String| {
            session
                .post(app.url(&format!("/programs/{id}")))
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
                .send()
        };
        for body in [form(None), form(Some("forged")), form(Some(&"x".repeat(csrf.len())))] {
            let response = post(body).await.unwrap();
            assert_eq!(response.status().as_u16(), 403);
            assert!(response.text().await.unwrap().contains("This form has expired"));
        }
        // The JSON API with a session cookie needs the token in a header.
        let api = session.delete(app.url(&format!("/api/v1/programs/{id}"))).send().await.unwrap();
        let (status, _, problem) = json_response(api).await;
        assert_eq!((status, problem["type"].as_str()), (403, Some("urn:tandem:problem:forbidden")));
        assert_eq!(program_names(app.store().as_ref()).await, ["Kept"]);
        let trail = app.store().list_audit_events(&Default::default(), &PageRequest::default()).await.unwrap();
        assert_eq!(trail.items.iter().filter(|e| e.label == "Changed").count(), 0);

        // With the token, the same form goes through.
        let response = post(form(Some(&csrf))).await.unwrap();
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(program_names(app.store().as_ref()).await, ["Changed"]);
        let history = app.get(&format!("/api/v1/programs/{id}/history")).await.json::<Value>().await.unwrap();
        assert_eq!(history["items"][0]["actor"], "admin");
        assert_eq!(
            history["items"][0]["changes"],
            json!([
                {"field": "name", "before": "Kept", "after": "Changed"},
                {"field": "currency", "before": "USD", "after": "EUR"},
            ])
        );
    }
}

#[tokio::test]
async fn sql_fragments_in_filters_change_nothing_and_answer_normally() {
    for app in TestApp::spawn_all().await {
        let program = app
            .create("/api/v1/programs", &json!({"name": "P", "start": "2026-01-05", "target_end": "2026-12-18"}))
            .await;
        let program_id = program["id"].as_str().unwrap().to_owned();
        let project = app
            .create("/api/v1/projects", &json!({"program_id": program_id, "name": "Core", "start": "2026-02-02"}))
            .await;
        let project_id = project["id"].as_str().unwrap().to_owned();
        app.create(
            "/api/v1/work-items",
            &json!({"kind": "story", "project_id": project_id, "title": "One",
            "estimate": {"optimistic": 1, "most_likely": 2, "pessimistic": 3}}),
        )
        .await;
        let injection = "x' OR '1'='1'; DROP TABLE work_items; --";
        let encoded = serde_urlencoded::to_string([("v", injection)]).unwrap();
        let value = encoded.trim_start_matches("v=");
        let cases = [
            (format!("/api/v1/work-items?status={value}"), 422),
            (format!("/api/v1/work-items?project_id={value}"), 422),
            (format!("/api/v1/work-items?cursor={value}"), 422),
            (format!("/api/v1/programs?phase={value}"), 422),
            (format!("/api/v1/audit?record_id={value}"), 422),
            (format!("/api/v1/audit?entity={value}"), 422),
            (format!("/projects/{project_id}?status={value}&kind={value}"), 200),
            (format!("/admin/audit?record_id={value}"), 400),
            (format!("/admin/audit?record_id={value}&entity={value}"), 400),
            (format!("/programs?after={value}"), 200),
        ];
        for (path, want) in cases {
            let response = app.get(&path).await;
            assert_eq!(response.status().as_u16(), want, "{path}");
        }
        let audit = app.get(&format!("/api/v1/audit?record_id={project_id}")).await.json::<Value>().await.unwrap();
        assert_eq!(audit["items"][0]["record_id"], json!(project_id), "{audit}");
        let items = app.store().count_work_items(&WorkItemFilter::default()).await.unwrap();
        assert_eq!(items, 1, "the table is still there, with its row");
    }
}

/// Stores a token that expired yesterday (the API cannot issue one).
async fn expired_token(store: &dyn Store, user: tandem_domain::UserId) -> String {
    let now = tandem_domain::record::now();
    let valid = NewApiToken::issue(user, "old", TokenScope::ReadWrite, now + chrono::TimeDelta::days(1), now).unwrap();
    let expired = NewApiToken {
        token: ApiToken {
            id: ApiTokenId::generate(),
            created_at: now - chrono::TimeDelta::days(30),
            expires_at: now - chrono::TimeDelta::days(1),
            ..valid.token
        },
        ..valid
    };
    store.create_api_token(tandem_test_support::conformance::tester(), &expired).await.unwrap();
    expired.secret
}

#[tokio::test]
async fn expired_revoked_and_unknown_tokens_get_401_and_read_only_tokens_cannot_write() {
    for app in TestApp::spawn_all().await {
        let (user, _) = app.user("dana", true).await;
        let problem_of = |client: Client, path: &'static str| {
            let url = app.url(path);
            async move { json_response(client.get(url).send().await.unwrap()).await }
        };
        let expired = expired_token(app.store().as_ref(), user.id).await;
        for token in [expired.as_str(), "tdm_guessed", ""] {
            let client = if token.is_empty() { app.anonymous.clone() } else { client_with_token(token) };
            let (status, _, problem) = problem_of(client, "/api/v1/programs").await;
            assert_eq!(status, 401, "token {token:?}");
            assert_eq!(problem["type"], "urn:tandem:problem:unauthorized");
        }

        // Issued, used, revoked: then refused.
        let issued: Value = app
            .client
            .post(app.url("/api/v1/tokens"))
            .json(&json!({"name": "laptop", "scope": "read", "expires_in_days": 7}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let secret = issued["secret"].as_str().unwrap().to_owned();
        let reader = client_with_token(&secret);
        assert_eq!(reader.get(app.url("/api/v1/programs")).send().await.unwrap().status().as_u16(), 200);
        let (status, _, problem) = json_response(
            reader
                .post(app.url("/api/v1/programs"))
                .json(&json!({"name": "P", "start": "2026-01-05", "target_end": "2026-12-18"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((status, problem["detail"].as_str()), (403, Some("this API token may only read")));
        let listed: Value = app.get("/api/v1/tokens").await.json().await.unwrap();
        assert!(listed.as_array().unwrap().iter().all(|t| t.get("secret").is_none()), "secrets are shown once");
        let id = issued["id"].as_str().unwrap();
        let revoked = app.client.delete(app.url(&format!("/api/v1/tokens/{id}"))).send().await.unwrap();
        assert_eq!(revoked.status().as_u16(), 200);
        let (status, _, _) = json_response(reader.get(app.url("/api/v1/programs")).send().await.unwrap()).await;
        assert_eq!(status, 401);
        assert_eq!(program_names(app.store().as_ref()).await, Vec::<String>::new());
    }
}

#[tokio::test]
async fn session_cookies_are_http_only_lax_and_secure_behind_https() {
    let app = TestApp::spawn().await;
    let (status, cookies, _) = sign_in(&app, "admin", TEST_PASSWORD).await;
    assert_eq!(status, 303);
    let session = cookies.iter().find(|c| c.starts_with("tandem_session=")).unwrap();
    let flags: Vec<&str> = session.split("; ").skip(1).collect();
    assert_eq!(flags, ["Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=604800"]);

    let secure = TestApp::spawn_configured(TestDb::sqlite().await, Some("https://tandem.example.com")).await;
    let (_, cookies, _) = sign_in(&secure, "admin", TEST_PASSWORD).await;
    let session = cookies.iter().find(|c| c.starts_with("tandem_session=")).unwrap();
    assert!(session.ends_with("; HttpOnly; SameSite=Lax; Max-Age=604800; Secure"), "{session}");

    // Signing out ends the session in the database, not only in the browser.
    let cookie = format!("tandem_session={}", cookie_value(session));
    let me = secure.anonymous.get(secure.url("/api/v1/me")).header(COOKIE, &cookie).send().await.unwrap();
    let csrf = me.json::<Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_owned();
    let out = secure
        .anonymous
        .post(secure.url("/logout"))
        .header(COOKIE, &cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("csrf_token={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.headers().get(LOCATION).unwrap(), "/login");
    let after = secure.anonymous.get(secure.url("/api/v1/me")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(after.status().as_u16(), 401);
}

#[tokio::test]
async fn sign_in_answers_unknown_users_like_wrong_passwords_and_backs_off() {
    for app in TestApp::spawn_all().await {
        let (wrong_status, _, wrong_page) = sign_in(&app, "admin", "not the password").await;
        let (unknown_status, _, unknown_page) = sign_in(&app, "nobody", "not the password").await;
        assert_eq!((wrong_status, unknown_status), (401, 401));
        let message = |page: &str| {
            page.split("<div class=\"error-summary\"").nth(1).unwrap().split("</div>").next().unwrap().to_owned()
        };
        assert_eq!(message(&wrong_page), message(&unknown_page));
        assert!(message(&wrong_page).contains("Unknown username or wrong password."));

        // Four more failures make five; the next attempt must wait, even with the right password.
        for _ in 0..4 {
            assert_eq!(sign_in(&app, "admin", "still wrong").await.0, 401);
        }
        let (status, cookies, page) = sign_in(&app, "admin", TEST_PASSWORD).await;
        assert_eq!(status, 429);
        assert!(cookies.iter().all(|c| !c.starts_with("tandem_session=")));
        assert!(page.contains("Too many failed sign-ins for this username. Wait 1 seconds"), "{page}");
        let failures = app.store().login_failures("admin").await.unwrap().unwrap();
        assert_eq!(failures.count, 5);
    }
}

#[tokio::test]
async fn what_another_program_holds_never_shows_through_a_link() {
    use tandem_domain::{GrantScope, NodeRef, Role};
    use tandem_test_support::conformance::{
        dependency_fields, program_fields, project_fields, tester, work_item_fields,
    };
    for app in TestApp::spawn_all().await {
        let store = app.store().as_ref();
        let mine = store.create_program(tester(), program_fields("Mine")).await.unwrap();
        let theirs = store.create_program(tester(), program_fields("Theirs")).await.unwrap();
        let here = store.create_project(tester(), project_fields(mine.id, "Here")).await.unwrap();
        let there = store.create_project(tester(), project_fields(theirs.id, "There")).await.unwrap();
        let visible = store
            .create_work_item(tester(), work_item_fields(Some(here.id), None, "Visible step"), None)
            .await
            .unwrap();
        let secret = store
            .create_work_item(tester(), work_item_fields(Some(there.id), None, "Secret merger"), None)
            .await
            .unwrap();
        store
            .create_dependency(tester(), dependency_fields(NodeRef::WorkItem(secret.id), NodeRef::WorkItem(visible.id)))
            .await
            .unwrap();
        let (viewer, client) = app.user("outsider", false).await;
        app.grant(&viewer, GrantScope::Program(mine.id), Role::Viewer).await;

        let page = client.get(app.url(&format!("/work-items/{}", visible.id))).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Visible step") && !html.contains("Secret merger"), "the other program's title leaked");
        let list = client.get(app.url("/api/v1/dependencies")).send().await.unwrap().json::<Value>().await.unwrap();
        assert_eq!(list["items"], json!([]), "a dependency is listed only when both ends are readable");
        let hidden = client.get(app.url(&format!("/api/v1/work-items/{}", secret.id))).send().await.unwrap();
        assert_eq!(hidden.status().as_u16(), 404);
    }
}
