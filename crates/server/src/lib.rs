//! Tandem's HTTP server: a thin layer over the domain.
//!
//! - [`api`]: the JSON API under `/api/v1` (DTOs, handlers, the generated OpenAPI document).
//! - [`pages`]: server-rendered HTML pages and forms (askama templates, our CSS, SVG charts).
//! - [`error`]: `ApiError`, the one mapping from domain errors to RFC 9457 problem responses.
//!
//! Data flow: HTTP -> handler (extract, validate input into domain `XFields`) -> `&dyn Store`
//! -> DTO or page. A page and its JSON twin call the same domain functions.
//!
//! Architecture invariant: only this crate knows the wire formats (JSON, HTML, form encoding).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{HeaderName, Request};
use tandem_domain::Store;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub mod api;
pub mod auth;
pub mod error;
pub mod pages;
pub mod routes;

/// Largest request body accepted; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Largest CSV file a page's import form takes. Half the body limit, so a form with a larger
/// file (up to the body limit) still reaches its page, which says so next to the form; beyond
/// the body limit the 413 page names both limits (`pages::error::html_error_pages`).
pub const MAX_CSV_FILE_BYTES: usize = MAX_BODY_BYTES / 2;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Whether people reach the server over https (its configured base URL), so cookies get
    /// the `Secure` flag.
    secure_cookies: bool,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> AppState {
        AppState { store, secure_cookies: false }
    }

    /// Configured from the server's public base URL: `https://...` marks cookies `Secure`.
    pub fn with_base_url(mut self, base_url: &str) -> AppState {
        self.secure_cookies = base_url.trim().to_ascii_lowercase().starts_with("https://");
        self
    }

    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }
}

/// Every route of the server (method and path pattern), as registered: the API's under
/// `/api/v1`, then the pages'.
pub fn route_table() -> Vec<routes::Route> {
    let (_, mut table) = api::router().into_parts();
    let (_, pages) = pages::router().into_parts();
    table.extend(pages);
    table
}

/// The header carrying each request's id, set by us unless the client (or a proxy) sent one,
/// and echoed in the response so a user's report can be matched with the log.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The whole application: API, pages, static files, and the layers around them.
pub fn app(state: AppState) -> Router {
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    let (api_routes, _) = api::router().into_parts();
    let (page_routes, _) = pages::router().into_parts();
    Router::new()
        .nest("/api/v1", api_routes.fallback(api::route_not_found))
        .merge(
            page_routes.method_not_allowed_fallback(pages::error::method_not_allowed).fallback(pages::error::not_found),
        )
        // Inside the error layers, so its refusals get their problem or HTML form like any other.
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Outside the body limit so its bare 413 (and the router's 405) become problem+json.
        .layer(axum::middleware::from_fn(error::problem_responses))
        .layer(axum::middleware::from_fn(pages::error::html_error_pages))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::new(request_id)),
        )
        .with_state(state)
}

/// Every log line of a request carries its method, route and id.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let route = request.extensions().get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or("unmatched");
    let id = request.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), route, uri = %request.uri(), request_id = id)
}

/// Serves `app(state)` on an already bound listener until the process is stopped. Binding first
/// lets callers (and tests, on port 0) know the address before serving starts.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state)).await
}
