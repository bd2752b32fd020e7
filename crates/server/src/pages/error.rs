//! `PageError`: what a page handler fails with, shown as an HTML page. Unknown records are a 404
//! page; anything else is a 500 page whose cause is logged and never shown.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tandem_domain::DomainError;

use super::render;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The address names no page or no record.
    #[error("page not found")]
    NotFound,
    /// The address exists but not for this method (e.g. a GET of a delete form's target).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A failure the person cannot fix: storage, a template, a broken invariant.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DomainError> for PageError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::NotFound { .. } => PageError::NotFound,
            other => {
                // The chain goes to the log only; the page says nothing about it.
                let mut cause = other.to_string();
                let mut source = std::error::Error::source(&other);
                while let Some(inner) = source {
                    cause.push_str(": ");
                    cause.push_str(&inner.to_string());
                    source = inner.source();
                }
                PageError::Internal(cause)
            }
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    heading: &'static str,
    message: &'static str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound => render(
                StatusCode::NOT_FOUND,
                &ErrorPage {
                    heading: "Page not found",
                    message: "There is nothing at this address. The record may have been deleted, or the link may be wrong.",
                },
            ),
            PageError::MethodNotAllowed => render(
                StatusCode::METHOD_NOT_ALLOWED,
                &ErrorPage {
                    heading: "Not available this way",
                    message: "This address only accepts a form being sent from its page. Go back and use the button there.",
                },
            ),
            PageError::Internal(cause) => {
                tracing::error!(%cause, "page failed");
                render(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &ErrorPage {
                        heading: "Something went wrong",
                        message: "The server could not show this page. Please try again; if it keeps happening, tell your administrator.",
                    },
                )
            }
        }
    }
}

/// Fallback for addresses no route matches.
pub async fn not_found() -> PageError {
    PageError::NotFound
}

/// Fallback for a known address asked with a method it does not take.
pub async fn method_not_allowed() -> PageError {
    PageError::MethodNotAllowed
}
