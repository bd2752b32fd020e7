//! Request extractors whose rejections are [`ApiError`] problems: JSON bodies that report the path
//! of a bad field, query strings, and record ids in the path (a non-UUID id is simply not found).

use std::str::FromStr;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::{StatusCode, header, request::Parts};
use serde::de::DeserializeOwned;
use tandem_domain::{
    DependencyId, DomainError, EntityKind, FieldError, MilestoneId, ProductId, ProgramId, ProjectId, TeamId,
    ValidationErrors, WorkItemId,
};

use crate::api::dates::DATE_MESSAGE;
use crate::error::ApiError;

/// A JSON request body. Syntax errors are 400 (`malformed-json`, with line and column); data
/// errors (wrong type, missing or unknown field, bad enum value or date) are 422 naming the path
/// of the field, e.g. `estimate.optimistic`.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_json_content_type(request.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::UnreadableBody
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

fn has_json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a JSON object body into `T`, classifying failures as described on [`ApiJson`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first, so a broken body is 400 wherever the break is; then the shape.
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|error| ApiError::MalformedJson { detail: syntax_detail(&error) })?;
    if !value.is_object() {
        // serde would otherwise read an array positionally into a struct.
        return Err(ApiError::invalid("body", "invalid_type", "must be a JSON object"));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        // Errors from a `Value` carry no position, so the message is used as it is.
        let message = error.inner().to_string();
        ApiError::from(ValidationErrors::from(serde_field_error(&path, &message)))
    })
}

fn syntax_detail(error: &serde_json::Error) -> String {
    format!(
        "the body is not valid JSON: {} (line {}, column {})",
        message_without_position(error),
        error.line(),
        error.column()
    )
}

/// serde_json appends " at line L column C" to its messages; the problem reports position apart.
fn message_without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Turns a serde data error at `path` into a field error. serde reports a missing field at the
/// enclosing object, so the field's own name (between backticks) is appended.
pub(crate) fn serde_field_error(path: &str, message: &str) -> FieldError {
    let parent = if path == "." { "" } else { path };
    let join = |name: &str| if parent.is_empty() { name.to_owned() } else { format!("{parent}.{name}") };
    let quoted = message.split('`').nth(1).unwrap_or_default();
    if message.starts_with("missing field") {
        FieldError::new(join(quoted), "required", "is required")
    } else if message.starts_with("unknown field") {
        // Here serde_path_to_error has already entered the unknown key.
        let at_key = parent == quoted || parent.ends_with(&format!(".{quoted}"));
        FieldError::new(if at_key { parent.to_owned() } else { join(quoted) }, "unknown_field", message)
    } else if message.starts_with("duplicate field") {
        FieldError::new(join(quoted), "duplicate_field", message)
    } else if message.starts_with("invalid type") {
        FieldError::new(non_empty(parent), "invalid_type", message)
    } else if message == DATE_MESSAGE {
        FieldError::new(non_empty(parent), "invalid_date", message)
    } else {
        FieldError::new(non_empty(parent), "invalid", message)
    }
}

fn non_empty(path: &str) -> String {
    if path.is_empty() { "body".to_owned() } else { path.to_owned() }
}

/// A query string parsed into `T` (all of whose fields are optional strings; handlers validate
/// them into domain filters so each bad parameter is named).
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query).map(ApiQuery).map_err(|error| {
            let message = error.to_string();
            ApiError::from(ValidationErrors::from(serde_field_error("", &message)))
        })
    }
}

/// The id types of records, with the entity each names (for "not found" messages).
pub trait RecordIdKind: FromStr + Copy + Send + Sync + 'static {
    const ENTITY: EntityKind;
}

impl RecordIdKind for ProgramId {
    const ENTITY: EntityKind = EntityKind::Program;
}
impl RecordIdKind for ProjectId {
    const ENTITY: EntityKind = EntityKind::Project;
}
impl RecordIdKind for ProductId {
    const ENTITY: EntityKind = EntityKind::Product;
}
impl RecordIdKind for TeamId {
    const ENTITY: EntityKind = EntityKind::Team;
}
impl RecordIdKind for WorkItemId {
    const ENTITY: EntityKind = EntityKind::WorkItem;
}
impl RecordIdKind for MilestoneId {
    const ENTITY: EntityKind = EntityKind::Milestone;
}
impl RecordIdKind for DependencyId {
    const ENTITY: EntityKind = EntityKind::Dependency;
}

impl RecordIdKind for tandem_domain::RiskId {
    const ENTITY: EntityKind = EntityKind::Risk;
}

impl RecordIdKind for tandem_domain::UserId {
    const ENTITY: EntityKind = EntityKind::User;
}
impl RecordIdKind for tandem_domain::ApiTokenId {
    const ENTITY: EntityKind = EntityKind::ApiToken;
}
impl RecordIdKind for tandem_domain::GrantId {
    const ENTITY: EntityKind = EntityKind::Grant;
}
// Product strategy: objectives and key results.
impl RecordIdKind for tandem_domain::ObjectiveId {
    const ENTITY: EntityKind = EntityKind::Objective;
}

// Feedback and research.
impl RecordIdKind for tandem_domain::SegmentId {
    const ENTITY: EntityKind = EntityKind::Segment;
}
impl RecordIdKind for tandem_domain::InsightId {
    const ENTITY: EntityKind = EntityKind::Insight;
}
// Product metrics.
impl RecordIdKind for tandem_domain::MetricPointId {
    const ENTITY: EntityKind = EntityKind::MetricPoint;
}

/// The `{id}` of a record path. An id that is not a UUID names no record: 404.
#[derive(Debug, Clone, Copy)]
pub struct RecordPath<I>(pub I);

impl<I, S> FromRequestParts<S> for RecordPath<I>
where
    I: RecordIdKind,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let not_found = |raw: &str| ApiError::Domain(DomainError::not_found(I::ENTITY, raw));
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| not_found("?"))?;
        raw.parse::<I>().map(RecordPath).map_err(|_| not_found(&raw))
    }
}

/// Parses an optional query parameter with `parse`, recording its error in `errors`.
pub(crate) fn parse_param<T>(
    errors: &mut ValidationErrors,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<T> {
    raw.and_then(|raw| errors.check(parse(raw)))
}

/// Parses a record id given as a query parameter or body field named `field`.
pub(crate) fn parse_id<I: RecordIdKind>(field: &str, raw: &str) -> Result<I, FieldError> {
    raw.trim().parse::<I>().map_err(|_| FieldError::new(field, "invalid", "must be a UUID"))
}

// Experiments: A/B tests.
impl RecordIdKind for tandem_domain::ids::ExperimentId {
    const ENTITY: EntityKind = EntityKind::Experiment;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Inner,
        #[serde(default)]
        days: Vec<u8>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        low: f64,
    }

    fn first_field_error(body: &str) -> (String, String, String) {
        match parse_json::<Outer>(body.as_bytes()) {
            Err(ApiError::Domain(DomainError::Validation(errors))) => {
                let e = &errors.errors()[0];
                (e.field.clone(), e.code.to_owned(), e.message.clone())
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn data_errors_name_the_field_path() {
        let (field, code, _) = first_field_error(r#"{"name":"a","inner":{"low":"x"}}"#);
        assert_eq!((field.as_str(), code.as_str()), ("inner.low", "invalid_type"));
        let (field, code, message) = first_field_error(r#"{"name":"a","inner":{}}"#);
        assert_eq!((field.as_str(), code.as_str(), message.as_str()), ("inner.low", "required", "is required"));
        let (field, code, _) = first_field_error(r#"{"name":"a","inner":{"low":1},"colour":1}"#);
        assert_eq!((field.as_str(), code.as_str()), ("colour", "unknown_field"));
        let (field, _, _) = first_field_error(r#"{"name":"a","inner":{"low":1},"days":[1,"x"]}"#);
        assert_eq!(field, "days[1]");
        let (field, code, message) = first_field_error(r#"["a", {"low": 1}]"#);
        assert_eq!(
            (field.as_str(), code.as_str(), message.as_str()),
            ("body", "invalid_type", "must be a JSON object")
        );
    }

    #[test]
    fn syntax_errors_report_line_and_column() {
        match parse_json::<Outer>(b"{\n \"name\": }") {
            Err(ApiError::MalformedJson { detail }) => {
                assert_eq!(detail, "the body is not valid JSON: expected value (line 2, column 10)")
            }
            other => panic!("expected malformed JSON, got {other:?}"),
        }
        match parse_json::<Outer>(br#"{"name":"a","inner":{"low":1}} x"#) {
            Err(ApiError::MalformedJson { detail }) => {
                assert_eq!(detail, "the body is not valid JSON: trailing characters (line 1, column 32)")
            }
            other => panic!("expected malformed JSON, got {other:?}"),
        }
    }
}
