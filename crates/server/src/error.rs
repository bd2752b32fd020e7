//! `ApiError`: every failure of the JSON API as an RFC 9457 problem response
//! (`application/problem+json`). Domain errors, rejected request bodies and unmatched routes all
//! end up in the same [`Problem`] shape so clients parse one error format.
//!
//! The `instance` member (the request path) is filled in by [`problem_responses`], a layer that
//! knows the request; the same layer turns any bare error response under `/api/v1` (the body
//! limit's 413, the router's 405) into a problem, so no plain-text error escapes the API.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tandem_domain::{DomainError, FieldError, ValidationErrors};
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Where the JSON API lives; [`problem_responses`] only touches responses under it.
pub const API_PREFIX: &str = "/api/v1";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:tandem:problem:<kind>`, e.g. `urn:tandem:problem:validation`.
    #[serde(rename = "type")]
    #[schema(example = "urn:tandem:problem:validation")]
    pub problem_type: String,
    /// A short summary of the kind of problem; the same for every problem of a kind.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, for people.
    pub detail: String,
    /// The path of the request that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Version conflicts only: the version currently stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// Validation problems (422) only: every invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One invalid field of a 422 problem.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProblemField {
    /// Dotted path of the field in the request, e.g. `estimate.optimistic`, `holidays[2]`, `limit`.
    pub field: String,
    /// A stable machine-readable reason, e.g. `required`, `out_of_order`, `unknown_field`.
    pub code: String,
    /// The reason for people.
    pub message: String,
}

impl From<&FieldError> for ProblemField {
    fn from(error: &FieldError) -> Self {
        ProblemField { field: error.field.clone(), code: error.code.to_owned(), message: error.message.clone() }
    }
}

/// Everything a JSON API request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The body is not JSON at all (syntax error or cut short); `detail` says where.
    #[error("malformed JSON: {detail}")]
    MalformedJson { detail: String },
    /// The body could not be read (client hung up, broken chunking).
    #[error("unreadable request body")]
    UnreadableBody,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("no route for {method} {path}")]
    RouteNotFound { method: Method, path: String },
    #[error("{method} not allowed on {path}")]
    MethodNotAllowed { method: Method, path: String },
    /// No credentials, or ones that do not work (401 with `WWW-Authenticate: Bearer`).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Signed in, but the request is refused before reaching the domain (a missing anti-forgery
    /// header).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// An error status produced below the API (a layer, the router) without a problem body.
    #[error("HTTP {0}")]
    Bare(StatusCode),
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        ApiError::Domain(DomainError::Validation(errors))
    }
}

impl ApiError {
    /// A 422 naming one field.
    pub fn invalid(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Domain(DomainError::invalid(field, code, message))
    }

    /// The problem document this error is sent as (without `instance`).
    pub fn problem(&self) -> Problem {
        match self {
            ApiError::Domain(DomainError::Validation(errors)) => {
                let mut problem = problem(StatusCode::UNPROCESSABLE_ENTITY, "validation", "Validation failed", errors);
                problem.errors = errors.errors().iter().map(ProblemField::from).collect();
                problem
            }
            ApiError::Domain(DomainError::NotFound { entity, id }) => {
                problem(StatusCode::NOT_FOUND, "not-found", "Not found", format!("{entity} {id} not found"))
            }
            ApiError::Domain(DomainError::VersionConflict { entity, id, expected, actual }) => {
                let mut problem = problem(
                    StatusCode::CONFLICT,
                    "version-conflict",
                    "Version conflict",
                    format!(
                        "{entity} {id} is at version {actual}, but the request expected version {expected}; \
                         reload it and apply the change again"
                    ),
                );
                problem.current_version = Some(*actual);
                problem
            }
            ApiError::Domain(DomainError::InUse { reason, .. }) => {
                problem(StatusCode::CONFLICT, "in-use", "Still in use", reason)
            }
            ApiError::Domain(DomainError::Forbidden { reason }) | ApiError::Forbidden(reason) => {
                problem(StatusCode::FORBIDDEN, "forbidden", "Forbidden", reason)
            }
            ApiError::Unauthorized(detail) => problem(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized", detail),
            ApiError::Domain(DomainError::Storage(_)) => internal_problem(),
            ApiError::MalformedJson { detail } => {
                problem(StatusCode::BAD_REQUEST, "malformed-json", "Malformed JSON", detail)
            }
            ApiError::UnreadableBody => problem(
                StatusCode::BAD_REQUEST,
                "unreadable-body",
                "Unreadable body",
                "the request body could not be read",
            ),
            ApiError::UnsupportedMediaType => problem(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "the request body must be JSON sent with Content-Type: application/json",
            ),
            ApiError::PayloadTooLarge => problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Payload too large",
                format!("the request body must be at most {} bytes", crate::MAX_BODY_BYTES),
            ),
            ApiError::RouteNotFound { method, path } => {
                problem(StatusCode::NOT_FOUND, "not-found", "Not found", format!("no route for {method} {path}"))
            }
            ApiError::MethodNotAllowed { method, path } => problem(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                format!("{method} is not allowed on {path}"),
            ),
            ApiError::Bare(status) if status.is_server_error() => internal_problem(),
            ApiError::Bare(status) => {
                let reason = status.canonical_reason().unwrap_or("Error");
                problem(*status, "http-error", reason, reason.to_lowercase())
            }
        }
    }
}

fn problem(status: StatusCode, kind: &str, title: &str, detail: impl ToString) -> Problem {
    Problem {
        problem_type: format!("urn:tandem:problem:{kind}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: detail.to_string(),
        instance: None,
        current_version: None,
        errors: Vec::new(),
    }
}

fn internal_problem() -> Problem {
    problem(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal server error", "an internal error occurred")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Domain(DomainError::Storage(cause)) = &self {
            tracing::error!(error = %cause_chain(cause.as_ref()), "storage failure");
        }
        let problem = self.problem();
        let mut response = problem_response(&problem);
        if matches!(self, ApiError::Unauthorized(_)) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"tandem\""));
        }
        // Kept so `problem_responses` can add the request path without parsing the body again.
        response.extensions_mut().insert(problem);
        response
    }
}

/// `error: cause: cause ...`, for logs only.
fn cause_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match serde_json::to_vec(problem) {
        Ok(body) => {
            (status, [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_CONTENT_TYPE))], body).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "serializing a problem failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Whether `path` lies under [`API_PREFIX`].
pub(crate) fn is_api_path(path: &str) -> bool {
    path.strip_prefix(API_PREFIX).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Layer for the whole app: under `/api/v1`, sets each problem's `instance` to the request path,
/// and turns error responses that carry no problem (the body limit's 413, the router's 405, an
/// unmatched route) into problems of the same status.
pub async fn problem_responses(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if !is_api_path(&path) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    let (mut parts, body) = response.into_parts();
    let mut problem = match parts.extensions.remove::<Problem>() {
        Some(problem) => problem,
        None if status.is_client_error() || status.is_server_error() => {
            let error = match status {
                StatusCode::NOT_FOUND => ApiError::RouteNotFound { method, path: path.clone() },
                StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed { method, path: path.clone() },
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                other => ApiError::Bare(other),
            };
            error.problem()
        }
        None => return Response::from_parts(parts, body),
    };
    drop(body);
    problem.instance = Some(path);
    let rendered = problem_response(&problem);
    // Keep headers such as `Allow` on a 405; the body and its framing are new.
    let (rendered_parts, rendered_body) = rendered.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::TRANSFER_ENCODING);
    for (name, value) in &rendered_parts.headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    parts.status = rendered_parts.status;
    parts.extensions.insert(problem);
    Response::from_parts(parts, Body::new(rendered_body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_are_recognised_on_segment_boundaries() {
        assert!(is_api_path("/api/v1"));
        assert!(is_api_path("/api/v1/programs"));
        assert!(!is_api_path("/api/v10"));
        assert!(!is_api_path("/programs"));
    }

    #[test]
    fn storage_errors_never_reach_the_client() {
        let error = ApiError::Domain(DomainError::storage(std::io::Error::other("disk on fire at /var/db")));
        let problem = error.problem();
        assert_eq!(problem.status, 500);
        assert_eq!(problem.detail, "an internal error occurred");
        assert_eq!(problem.problem_type, "urn:tandem:problem:internal");
    }
}
