//! Server-rendered pages and forms: one module per entity, each with its routes, its page structs
//! (askama templates in `crates/server/templates/`) and thin handlers that read a form
//! ([`form`]), call the [`tandem_domain::Store`] and either redirect (Post/Redirect/Get) or
//! re-render the form with its errors (422).
//!
//! Conventions: `GET /things/new` and `POST /things` create, `GET /things/{id}/edit` and
//! `POST /things/{id}` update (the form carries the version it was read at), `POST
//! /things/{id}/delete` deletes. Form field names are the domain's field names, so the domain's
//! field errors land next to the right input.

use std::str::FromStr;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tandem_domain::{Page, PageRequest};

use crate::AppState;
use crate::auth::Caller;
use crate::routes::Routes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tandem_domain::Access;

mod account;
mod backlog;
mod dependencies;
pub(crate) mod error;
mod evidence;
// Experiments: A/B tests.
mod experiments;
mod forecast;
mod forecast_charts;
mod form;
mod gantt;
mod home;
// Product metrics.
mod metrics;
mod milestones;
pub mod panels;
mod plan_panel;
mod products;
mod programs;
mod projects;
mod risks;
mod schedule;
pub mod session;
mod teams;
#[cfg(test)]
mod tests;
// A CSV import form's body: a chosen file or pasted text.
pub(crate) mod upload;
mod work_items;
// Product strategy: objectives and key results.
mod strategy;

pub use error::PageError;

/// The stylesheet, compiled into the binary so it needs no files next to it.
const STYLESHEET: &str = include_str!("../../static/tandem.css");

/// Shown above an edit form when the record changed since the form was opened.
const CONFLICT_NOTICE: &str = "Someone else changed this record while you were editing it, so your changes were not \
     saved. The form now shows the current values: make your changes again and save.";
/// Shown when a delete named an older version.
const DELETE_CONFLICT_NOTICE: &str =
    "Someone else changed this record since you opened the page, so it was not deleted. Check it, then delete again.";

/// The sentence for a refused delete, e.g. "This program cannot be deleted: it still has 2 projects."
fn refusal(what: &str, reason: &str) -> String {
    format!("This {what} cannot be deleted: {}.", reason.trim_end_matches('.'))
}

/// Rows shown per page of a list.
const LIST_LIMIT: u32 = 50;
/// Most records offered in a select (programs, projects, products, teams).
const SELECT_LIMIT: u32 = PageRequest::MAX_LIMIT;

pub fn router() -> Routes {
    Routes::new("")
        .get("/static/tandem.css", stylesheet)
        .merge(home::router())
        .merge(programs::router())
        .merge(schedule::router())
        .merge(forecast::router())
        .merge(projects::router())
        .merge(products::router())
        .merge(teams::router())
        .merge(work_items::router())
        .merge(milestones::router())
        .merge(dependencies::router())
        .merge(risks::router())
        .merge(session::router())
        .merge(panels::router())
        .merge(account::router())
        // Product strategy: objectives and key results.
        .merge(strategy::router())
        // Product backlog: ordering, bulk edits, user stories and prioritization.
        .merge(backlog::router())
        // Feedback and research: segments and insights.
        .merge(evidence::router())
        // Experiments: A/B tests.
        .merge(experiments::router())
        // Product metrics.
        .merge(metrics::router())
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        STYLESHEET,
    )
}

/// Renders a template as an HTML response with `status`.
fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

fn ok(page: &impl Template) -> Result<Response, PageError> {
    Ok(render(StatusCode::OK, page))
}

/// 303 See Other: after a successful POST the browser GETs the result (Post/Redirect/Get).
fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::SEE_OTHER, [(header::LOCATION, value)]).into_response(),
        Err(_) => PageError::Internal(format!("bad redirect target {location:?}")).into_response(),
    }
}

/// An id from the path; one that does not parse names no record, so it is a 404.
fn parse_id<T: FromStr>(raw: &str) -> Result<T, PageError> {
    raw.parse().map_err(|_| PageError::NotFound)
}

/// Builds a query string from pairs, skipping blank values.
fn query_string(pairs: &[(&str, &str)]) -> String {
    let present: Vec<(&str, &str)> = pairs.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    serde_urlencoded::to_string(present).unwrap_or_default()
}

/// The link to the page after `page`, keeping the other query parameters.
fn next_page_link<T>(path: &str, page: &Page<T>, other: &[(&str, &str)]) -> Option<String> {
    page.next_cursor.as_ref().map(|cursor| {
        let mut pairs = other.to_vec();
        pairs.push(("after", cursor.0.as_str()));
        format!("{path}?{}", query_string(&pairs))
    })
}

/// What a list of programs or products that shows no record says instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EmptyList {
    /// The first page with no filter: nothing exists yet.
    NothingYet,
    /// The first page with no filter: records exist, but none the viewer may read (the only thing
    /// the policy tells of them; see [`Access::hides_programs`]).
    NoneVisible,
    /// A later page or a filter: nothing matches it.
    NoMatch,
}

/// Why a list page shows no record: `None` when it lists some. `first_unfiltered` is whether the
/// page shown is the first one with no filter; `hides` asks the policy whether records exist
/// that the viewer may not read ([`Access::hides_programs`], [`Access::hides_products`]), only
/// when that decides the answer.
async fn empty_list<Fut>(listed: bool, first_unfiltered: bool, hides: Fut) -> Result<Option<EmptyList>, PageError>
where
    Fut: Future<Output = tandem_domain::DomainResult<bool>>,
{
    Ok(if listed {
        None
    } else if !first_unfiltered {
        Some(EmptyList::NoMatch)
    } else if hides.await? {
        Some(EmptyList::NoneVisible)
    } else {
        Some(EmptyList::NothingYet)
    })
}

/// Reads every page of a list (for selects and counts), up to `SELECT_LIMIT` records.
async fn first_records<T, F, Fut>(read: F) -> Result<Vec<T>, PageError>
where
    F: FnOnce(PageRequest) -> Fut,
    Fut: Future<Output = tandem_domain::DomainResult<Page<T>>>,
{
    Ok(read(PageRequest::first(SELECT_LIMIT)).await?.items)
}

/// What a page handler works with: the application and the signed-in user.
#[derive(Debug, Clone)]
pub(crate) struct PageCtx {
    pub app: AppState,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        Ok(PageCtx { app: state.clone(), caller })
    }
}

/// The store as the signed-in user may use it.
fn store(state: &PageCtx) -> Access<'_> {
    state.caller.access(&state.app)
}
