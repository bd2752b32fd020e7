//! `PageError`: what a page handler fails with, shown as an HTML page. Unknown records are a 404
//! page; an address whose query parameters the page cannot use is a 400 page naming each one;
//! anything else is a 500 page whose cause is logged and never shown.

use askama::Template;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tandem_domain::{DomainError, ValidationErrors};

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
    /// The address's query parameters hold values the page does not know (a hand-edited or
    /// outdated link): each problem as a sentence, and the page's address without them.
    #[error("bad query parameters: {}", problems.join("; "))]
    BadQuery { problems: Vec<String>, without: String },
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

impl PageError {
    /// A 400 for `errors` on the query parameters of the page at `without`; `given` holds each
    /// parameter's name and raw value, so every problem shows what the address held.
    pub fn bad_query(without: impl Into<String>, errors: &ValidationErrors, given: &[(&str, Option<&str>)]) -> Self {
        let problems = errors
            .errors()
            .iter()
            .map(|error| {
                let raw = given.iter().find(|(name, _)| *name == error.field).and_then(|(_, raw)| *raw);
                match raw {
                    Some(raw) => format!("{}: {}, not \u{201c}{}\u{201d}", error.field, error.message, shortened(raw)),
                    None => format!("{}: {}", error.field, error.message),
                }
            })
            .collect();
        PageError::BadQuery { problems, without: without.into() }
    }
}

/// Longest part of a rejected value an error page repeats.
const SHOWN_CHARS: usize = 60;

fn shortened(raw: &str) -> String {
    if raw.chars().count() <= SHOWN_CHARS {
        raw.to_owned()
    } else {
        let head: String = raw.chars().take(SHOWN_CHARS).collect();
        format!("{head}\u{2026}")
    }
}

/// What the page says when a person may read a record but not change it, with `reason` in the
/// store's words ("editing an insight needs the editor role").
pub(crate) fn not_allowed(reason: &str) -> String {
    format!("You may look at this, but not change it: {reason}. Ask an owner for a role that allows it.")
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub heading: &'static str,
    pub message: std::borrow::Cow<'static, str>,
    /// One line per problem, listed under the message.
    pub problems: Vec<String>,
    /// A way on from here besides the home page: (address, label).
    pub link: Option<(String, &'static str)>,
}

impl ErrorPage {
    pub fn new(heading: &'static str, message: impl Into<std::borrow::Cow<'static, str>>) -> ErrorPage {
        ErrorPage { heading, message: message.into(), problems: Vec::new(), link: None }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::NotFound => render(
                StatusCode::NOT_FOUND,
                &ErrorPage::new(
                    "Page not found",
                    "There is nothing at this address. The record may have been deleted, or the link may be wrong.",
                ),
            ),
            PageError::MethodNotAllowed => render(
                StatusCode::METHOD_NOT_ALLOWED,
                &ErrorPage::new(
                    "Not available this way",
                    "This address only accepts a form being sent from its page. Go back and use the button there.",
                ),
            ),
            PageError::Forbidden(reason) => {
                render(StatusCode::FORBIDDEN, &ErrorPage::new("Not allowed", not_allowed(&reason)))
            }
            PageError::Forgery => render(
                StatusCode::FORBIDDEN,
                &ErrorPage::new(
                    "This form has expired",
                    "The form was not sent from this Tandem session (it may be from an older sign-in or another site), so nothing was changed. Go back, reload the page and send it again.",
                ),
            ),
            PageError::BadQuery { problems, without } => render(
                StatusCode::BAD_REQUEST,
                &ErrorPage {
                    problems,
                    link: Some((without, "Open the page without them")),
                    ..ErrorPage::new(
                        "This address has a value the page cannot use",
                        "The page was not shown: its address holds a value it does not know, perhaps from an edited or outdated link. Correct the address, or open the page without these values.",
                    )
                },
            ),
            PageError::Internal(cause) => {
                tracing::error!(%cause, "page failed");
                render(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &ErrorPage::new(
                        "Something went wrong",
                        "The server could not show this page. Please try again; if it keeps happening, tell your administrator.",
                    ),
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
    let import_form = super::upload::is_import_path(request.uri().path());
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
        StatusCode::PAYLOAD_TOO_LARGE if import_form => ErrorPage::new(
            "Too much at once",
            format!(
                "Nothing was imported: the form sent more than the server accepts ({} MiB). A CSV file may be at most {}: split a larger one into smaller files and import each.",
                crate::MAX_BODY_BYTES / (1024 * 1024),
                super::upload::file_limit()
            ),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ErrorPage::new(
            "Too much at once",
            "The form sent more than the server accepts (1 MiB). Shorten the longest texts and send it again.",
        ),
        _ => ErrorPage::new(
            "The form could not be read",
            "The server could not read what was sent. Go back to the form, check it and send it again.",
        ),
    };
    render(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_query_names_each_parameter_with_what_the_address_held_shortened() {
        let mut errors = ValidationErrors::new();
        errors.add("group", "invalid", "must be one of objective, team");
        errors.add("today", "invalid_date", "must be a date in the form YYYY-MM-DD");
        errors.add("after", "invalid", "is not a cursor of this list");
        let long = "x".repeat(SHOWN_CHARS + 1);
        let error = PageError::bad_query("/here", &errors, &[("group", Some("quarter")), ("today", Some(&long))]);
        let PageError::BadQuery { problems, without } = error else { panic!("{error:?}") };
        assert_eq!(without, "/here");
        assert_eq!(
            problems,
            [
                "group: must be one of objective, team, not \u{201c}quarter\u{201d}".to_owned(),
                format!("today: must be a date in the form YYYY-MM-DD, not \u{201c}{}\u{2026}\u{201d}", "x".repeat(60)),
                "after: is not a cursor of this list".to_owned(),
            ]
        );
    }
}
