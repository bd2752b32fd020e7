//! `PageError`: what a page handler fails with, shown as an HTML page. Unknown records are a 404
//! page; anything else is a 500 page whose cause is logged and never shown.

use askama::Template;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
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
    /// The person may see the record but not do this to it.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A state-changing form without this session's anti-forgery token.
    #[error("form without a valid anti-forgery token")]
    Forgery,
    /// A failure the person cannot fix: storage, a template, a broken invariant.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DomainError> for PageError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::NotFound { .. } => PageError::NotFound,
            DomainError::Forbidden { reason } => PageError::Forbidden(reason),
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
pub(crate) struct ErrorPage {
    pub heading: &'static str,
    pub message: std::borrow::Cow<'static, str>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound => render(
                StatusCode::NOT_FOUND,
                &ErrorPage {
                    heading: "Page not found",
                    message: "There is nothing at this address. The record may have been deleted, or the link may be wrong.".into(),
                },
            ),
            PageError::MethodNotAllowed => render(
                StatusCode::METHOD_NOT_ALLOWED,
                &ErrorPage {
                    heading: "Not available this way",
                    message: "This address only accepts a form being sent from its page. Go back and use the button there.".into(),
                },
            ),
            PageError::Forbidden(reason) => render(
                StatusCode::FORBIDDEN,
                &ErrorPage {
                    heading: "Not allowed",
                    message: format!("You may look at this, but not change it: {reason}. Ask an owner for a role that allows it.").into(),
                },
            ),
            PageError::Forgery => render(
                StatusCode::FORBIDDEN,
                &ErrorPage {
                    heading: "This form has expired",
                    message: "The form was not sent from this Tandem session (it may be from an older sign-in or another site), so nothing was changed. Go back, reload the page and send it again.".into(),
                },
            ),
            PageError::Internal(cause) => {
                tracing::error!(%cause, "page failed");
                render(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &ErrorPage {
                        heading: "Something went wrong",
                        message: "The server could not show this page. Please try again; if it keeps happening, tell your administrator.".into(),
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

/// Turns the bare text errors that extractors and layers answer on page addresses (a form over the
/// size limit, a body that is not a form) into HTML pages. Handlers' own pages pass untouched, and
/// the JSON API has its own mapping (`crate::error::problem_responses`).
pub async fn html_error_pages(request: Request, next: Next) -> Response {
    if crate::error::is_api_path(request.uri().path()) {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !status.is_client_error() || is_html {
        return response;
    }
    let page = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ErrorPage {
            heading: "Too much at once",
            message: "The form sent more than the server accepts (1 MiB). Shorten the longest texts and send it again."
                .into(),
        },
        _ => ErrorPage {
            heading: "The form could not be read",
            message: "The server could not read what was sent. Go back to the form, check it and send it again.".into(),
        },
    };
    render(status, &page)
}
