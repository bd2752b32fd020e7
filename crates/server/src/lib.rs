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
use tandem_domain::Store;
use tokio::net::TcpListener;

pub mod api;
pub mod error;
pub mod pages;

/// Largest request body accepted; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Arc<dyn Store>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> AppState {
        AppState { store }
    }
}

/// The whole application: API, pages, static files, and the layers around them.
pub fn app(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", api::router())
        .merge(pages::router())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // Outside the body limit so its bare 413 (and the router's 405) become problem+json.
        .layer(axum::middleware::from_fn(error::problem_responses))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `app(state)` on an already bound listener until the process is stopped. Binding first
/// lets callers (and tests, on port 0) know the address before serving starts.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state)).await
}
