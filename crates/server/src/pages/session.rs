//! Signing in and out, and what every page knows about its viewer.
//!
//! [`PAGE_CONTEXT`] is set by `crate::auth::authenticate` around each request; templates read it
//! through [`csrf_token`], [`signed_in`] and [`is_admin`], so the layout shows who is signed in
//! and every form carries the anti-forgery token without each page passing them along.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use tandem_domain::access::sign_in;
use tandem_domain::accounts::{Session, generate_secret, verify_password, verify_password_of_nobody};
use tandem_domain::record::now;
use tandem_domain::{Username, accounts};

use super::{PageError, render};
use crate::AppState;
use crate::auth::{Caller, LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use crate::routes::Routes;

/// What the page being rendered knows about its viewer.
#[derive(Debug, Clone, Default)]
pub struct PageContext {
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub is_admin: bool,
    pub csrf_token: String,
}

impl PageContext {
    pub fn anonymous() -> PageContext {
        PageContext::default()
    }

    pub fn signed_in(caller: &Caller) -> PageContext {
        let user = &caller.principal.user;
        PageContext {
            username: Some(user.fields.username.as_str().to_owned()),
            display_name: Some(user.fields.display_name.as_str().to_owned()),
            is_admin: caller.principal.is_admin(),
            csrf_token: caller.csrf_token.clone().unwrap_or_default(),
        }
    }
}

tokio::task_local! {
    pub static PAGE_CONTEXT: PageContext;
}

fn context() -> PageContext {
    PAGE_CONTEXT.try_with(Clone::clone).unwrap_or_default()
}

/// The session's anti-forgery token, for the hidden field of every form.
pub fn csrf_token() -> String {
    context().csrf_token
}

/// The signed-in user's display name and username.
pub fn signed_in() -> Option<(String, String)> {
    let context = context();
    context.display_name.zip(context.username)
}

pub fn is_admin() -> bool {
    context().is_admin
}

pub fn router() -> Routes {
    Routes::new("").get("/login", login_form).post("/login", login).post("/logout", logout)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    username: String,
    error: Option<String>,
    csrf: String,
    nobody_yet: bool,
}

#[derive(Debug, Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

/// Only paths on this site: never `//host` or `https://...` (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => path.to_owned(),
        _ => "/".to_owned(),
    }
}

/// The sign-in page with a fresh anti-forgery cookie.
fn login_page(state: &AppState, status: StatusCode, page: LoginPage) -> Response {
    let mut response = render(status, &page);
    let cookie = set_cookie(LOGIN_CSRF_COOKIE, &page.csrf, 3600, state.secure_cookies());
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// The sign-in form's anti-forgery token: the browser's current one when it has one, so a second
/// sign-in page loaded meanwhile (another tab, the browser's own favicon request redirected here)
/// does not invalidate the form on screen.
fn login_csrf(headers: &HeaderMap) -> String {
    cookie(headers, LOGIN_CSRF_COOKIE).filter(|value| value.len() >= 32).unwrap_or_else(|| generate_secret(""))
}

async fn login_form(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Result<Response, PageError> {
    let next = safe_next(query.next.as_deref());
    if caller.is_some() {
        return Ok(super::see_other(&next));
    }
    let nobody_yet = state.store.count_users().await? == 0;
    let page = LoginPage { next, username: String::new(), error: None, csrf: login_csrf(&headers), nobody_yet };
    Ok(login_page(&state, StatusCode::OK, page))
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
    next: Option<String>,
}

/// The one answer for an unknown user and a wrong password.
const LOGIN_FAILED: &str = "Unknown username or wrong password.";

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.len() < 32 || expected != form.csrf_token {
        return Err(PageError::Forgery);
    }
    let next = safe_next(form.next.as_deref());
    let failed = |error: String, status: StatusCode| {
        let page = LoginPage {
            next: next.clone(),
            username: form.username.clone(),
            error: Some(error),
            csrf: expected.clone(),
            nobody_yet: false,
        };
        Ok(login_page(&state, status, page))
    };
    let store = state.store.as_ref();
    // Unparseable names are throttled and answered like unknown ones.
    let throttle_key = form.username.trim().to_lowercase();
    if let Some(failures) = store.login_failures(&throttle_key).await?
        && let Some(wait) = failures.wait(now())
    {
        let seconds = wait.as_secs().max(1);
        return failed(
            format!("Too many failed sign-ins for this username. Wait {seconds} seconds, then try again."),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let credentials = match Username::parse("username", &form.username) {
        Ok(username) => sign_in::credentials(store, &username).await?,
        Err(_) => None,
    };
    let password = form.password.clone();
    let verified = tokio::task::spawn_blocking(move || match credentials {
        Some((user, hash)) => verify_password(&hash, &password).then_some(user),
        None => {
            verify_password_of_nobody(&password);
            None
        }
    })
    .await
    .map_err(|e| PageError::Internal(format!("password check failed: {e}")))?;
    let Some(user) = verified else {
        store.record_login_failure(&throttle_key).await?;
        return failed(LOGIN_FAILED.to_owned(), StatusCode::UNAUTHORIZED);
    };
    store.clear_login_failures(&throttle_key).await?;
    let (session, cookie_value) = Session::start(user.id, now());
    store.create_session(&session).await?;
    let mut response = super::see_other(&next);
    let max_age = accounts::SESSION_LIFETIME.num_seconds();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &cookie_value, max_age, state.secure_cookies()));
    headers.append(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, "", 0, state.secure_cookies()));
    Ok(response)
}

async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, PageError> {
    if let Some(digest) = &caller.session_digest {
        state.store.delete_session(digest).await?;
    }
    let mut response = super::see_other("/login");
    response.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies()));
    Ok(response.into_response())
}
