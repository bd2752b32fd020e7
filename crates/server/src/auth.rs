//! Who is calling: the one place that authenticates requests and guards them against forgery.
//!
//! [`authenticate`] runs before every route. It recognises an API token (`Authorization: Bearer`)
//! or a session cookie, loads the user's roles into a [`Caller`] (handlers reach the store only
//! through `Caller::access`, which applies `tandem_domain::access`'s policy), and refuses:
//! - an anonymous request to anything but the public routes ([`is_public`]): 401 problem under
//!   the API, a redirect to the sign-in page elsewhere;
//! - a bad, expired or revoked token: 401;
//! - a state-changing request from a session without the session's anti-forgery token (the
//!   `csrf_token` form field for pages, url-encoded or a text part of a `multipart/form-data`
//!   body, the `X-CSRF-Token` header for the API): 403, before the handler runs, so nothing
//!   changes.

use std::sync::Arc;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tandem_domain::access::sign_in;
use tandem_domain::accounts::secret_digest;
use tandem_domain::record::now;
use tandem_domain::{Access, Principal, TokenScope};

use crate::error::{API_PREFIX, ApiError};
use crate::pages::PageError;
use crate::pages::session::{PAGE_CONTEXT, PageContext};
use crate::{AppState, MAX_BODY_BYTES};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tandem_session";
/// The anti-forgery token of the sign-in form (there is no session yet to hold it).
pub const LOGIN_CSRF_COOKIE: &str = "tandem_login_csrf";
/// The form field carrying the session's anti-forgery token.
pub const CSRF_FIELD: &str = "csrf_token";
/// The header carrying it on API requests made with a session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Session,
    Token,
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Arc<Principal>,
    pub credential: Credential,
    /// The session's anti-forgery token (sessions only).
    pub csrf_token: Option<String>,
    /// The session cookie's digest (sessions only), to end it at sign-out.
    pub session_digest: Option<String>,
}

impl Caller {
    /// The store as this user may use it.
    pub fn access<'a>(&'a self, state: &'a AppState) -> Access<'a> {
        Access::new(state.store.as_ref(), &self.principal)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Caller>() {
            Some(caller) => Ok(caller.clone()),
            // Only reachable if a public route asks for a caller: treat as not signed in.
            None if parts.uri.path().starts_with(API_PREFIX) => Err(ApiError::Unauthorized(
                "sign in first: send an API token as `Authorization: Bearer <token>`".to_owned(),
            )
            .into_response()),
            None => Err(sign_in_redirect(parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"))),
        }
    }
}

/// The routes anyone may reach, signed in or not.
pub fn is_public(method: &Method, path: &str) -> bool {
    matches!(
        (method.as_str(), path),
        ("GET", "/static/tandem.css")
            | ("GET", "/static/backlog.js")
            | ("GET", "/login")
            | ("POST", "/login")
            | ("GET", "/api/v1/health")
            | ("GET", "/api/v1/openapi.json")
    )
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when the server is reached over
/// https; `max_age` 0 deletes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// 303 to the sign-in page, remembering where the person wanted to go.
pub fn sign_in_redirect(next: &str) -> Response {
    let target = format!("/login?{}", serde_urlencoded::to_string([("next", next)]).unwrap_or_default());
    match HeaderValue::from_str(&target) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => (StatusCode::SEE_OTHER, [(header::LOCATION, HeaderValue::from_static("/login"))]).into_response(),
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Equal without an early exit, so the comparison's time does not reveal how much matched.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The layer described in the module docs.
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let api = path == API_PREFIX || path.starts_with(&format!("{API_PREFIX}/"));
    let caller = match identify(&state, request.headers()).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let Some(caller) = caller else {
        let context = PageContext::anonymous();
        if is_public(request.method(), &path) {
            return PAGE_CONTEXT.scope(context, next.run(request)).await;
        }
        if api {
            return ApiError::Unauthorized(
                "sign in first: send an API token as `Authorization: Bearer <token>`".to_owned(),
            )
            .into_response();
        }
        let next_path = request.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
        let next_path = if is_safe(request.method()) { next_path } else { "/".to_owned() };
        return sign_in_redirect(&next_path);
    };

    let mut request = request;
    if caller.credential == Credential::Session && !is_safe(request.method()) {
        let expected = caller.csrf_token.clone().unwrap_or_default();
        if api {
            let sent = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !same_secret(sent, &expected) {
                return ApiError::Forbidden(format!(
                    "requests made with a session cookie must carry the session's anti-forgery token in `{CSRF_HEADER}`"
                ))
                .into_response();
            }
        } else {
            let (parts, body) = request.into_parts();
            let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
                Ok(bytes) => bytes,
                Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
            };
            let sent = if is_multipart_form(&parts.headers) {
                multipart_field(&parts.headers, &bytes, CSRF_FIELD).await
            } else {
                form_field(&bytes, CSRF_FIELD)
            };
            if !same_secret(&sent.unwrap_or_default(), &expected) {
                return PageError::Forgery.into_response();
            }
            request = Request::from_parts(parts, Body::from(bytes));
        }
    }
    let context = PageContext::signed_in(&caller);
    request.extensions_mut().insert(caller);
    PAGE_CONTEXT.scope(context, next.run(request)).await
}

/// One field of a url-encoded form body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(key, _)| key == name).map(|(_, value)| value)
}

/// Whether the body is sent as `multipart/form-data` (a form with a file input).
pub(crate) fn is_multipart_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// The first text part named `name` of a `multipart/form-data` body (a file part does not
/// count); `None` when there is none or the body is not well-formed multipart.
async fn multipart_field(headers: &HeaderMap, body: &Bytes, name: &str) -> Option<String> {
    let mut request = Request::new(Body::from(body.clone()));
    request.headers_mut().insert(header::CONTENT_TYPE, headers.get(header::CONTENT_TYPE)?.clone());
    let mut multipart = Multipart::from_request(request, &()).await.ok()?;
    while let Some(field) = multipart.next_field().await.ok()? {
        if field.name() == Some(name) && field.file_name().is_none() {
            return field.text().await.ok();
        }
    }
    None
}

/// The caller named by the request's token or session cookie; `Ok(None)` when it names none;
/// `Err` with the response to send for a token that does not work.
async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, Response> {
    let store = state.store.as_ref();
    let at = now();
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).unwrap_or("");
        if token.is_empty() {
            return Err(
                ApiError::Unauthorized("the Authorization header must be `Bearer <token>`".to_owned()).into_response()
            );
        }
        let found = sign_in::token(store, &secret_digest(token), at).await.map_err(internal)?;
        let Some((token, user)) = found else {
            return Err(ApiError::Unauthorized("the token is unknown, expired or revoked".to_owned()).into_response());
        };
        let principal = Principal::load(store, user, token.scope == TokenScope::ReadWrite).await.map_err(internal)?;
        return Ok(Some(Caller {
            principal: Arc::new(principal),
            credential: Credential::Token,
            csrf_token: None,
            session_digest: None,
        }));
    }
    let Some(cookie) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    let digest = secret_digest(&cookie);
    let Some((session, user)) = sign_in::session(store, &digest, at).await.map_err(internal)? else {
        return Ok(None);
    };
    let principal = Principal::load(store, user, true).await.map_err(internal)?;
    Ok(Some(Caller {
        principal: Arc::new(principal),
        credential: Credential::Session,
        csrf_token: Some(session.csrf_token),
        session_digest: Some(digest),
    }))
}

fn internal(error: tandem_domain::DomainError) -> Response {
    ApiError::Domain(error).into_response()
}
