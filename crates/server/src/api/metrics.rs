//! Product metrics: a product's series, `/api/v1/products/{id}/metrics` (record one point or a
//! batch, list with filters), the CSV import `/api/v1/products/{id}/metrics/import` and
//! `/api/v1/metric-points/{id}` (read, delete).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use tandem_domain::metrics::{
    BatchKeys, FeatureScope, MetricFilter, MetricKind, MetricPoint, MetricPointFields, MetricPointInput,
};
use tandem_domain::{DomainError, FieldError, MetricPointId, ProductId, ValidationErrors, WorkItemId};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api::dates::{ApiDate, timestamp};
use crate::api::evidence::CsvImportJson;
use crate::api::extract::{ApiJson, ApiQuery, RecordPath, parse_id, parse_param};
use crate::auth::Caller;
use crate::error::ApiError;

/// `adoption` (% of active accounts, 0 to 100), `retention` (%, 0 to 100), `revenue` (0 or
/// more) or `satisfaction` (NPS, -100 to 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = MetricKind)]
pub enum MetricKindJson {
    Adoption,
    Retention,
    Revenue,
    Satisfaction,
}

impl From<MetricKindJson> for MetricKind {
    fn from(value: MetricKindJson) -> Self {
        match value {
            MetricKindJson::Adoption => MetricKind::Adoption,
            MetricKindJson::Retention => MetricKind::Retention,
            MetricKindJson::Revenue => MetricKind::Revenue,
            MetricKindJson::Satisfaction => MetricKind::Satisfaction,
        }
    }
}

impl From<MetricKind> for MetricKindJson {
    fn from(value: MetricKind) -> Self {
        match value {
            MetricKind::Adoption => MetricKindJson::Adoption,
            MetricKind::Retention => MetricKindJson::Retention,
            MetricKind::Revenue => MetricKindJson::Revenue,
            MetricKind::Satisfaction => MetricKindJson::Satisfaction,
        }
    }
}

/// One dated value of a product's (or one of its features') series.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MetricPoint)]
pub struct MetricPointJson {
    pub id: Uuid,
    pub product_id: Uuid,
    /// `null`: the product as a whole.
    pub feature_id: Option<Uuid>,
    pub kind: MetricKindJson,
    #[schema(value_type = String, format = Date)]
    pub date: ApiDate,
    pub value: f64,
    /// 1 when first recorded, one higher each time the value is replaced.
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<MetricPoint> for MetricPointJson {
    fn from(point: MetricPoint) -> Self {
        let f = point.fields;
        MetricPointJson {
            id: point.id.as_uuid(),
            product_id: f.product_id.as_uuid(),
            feature_id: f.feature_id.map(|id| id.as_uuid()),
            kind: f.kind.into(),
            date: ApiDate(f.date),
            value: f.value,
            version: point.meta.version,
            created_at: timestamp(point.meta.created_at),
            updated_at: timestamp(point.meta.updated_at),
        }
    }
}

/// One point to record.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewMetricPoint)]
pub struct NewMetricPointJson {
    #[schema(value_type = String, format = Date)]
    pub date: ApiDate,
    pub kind: MetricKindJson,
    pub value: f64,
    /// A work item of the product; absent or `null`: the product as a whole.
    pub feature_id: Option<Uuid>,
}

/// One point (`date`, `kind`, `value`, `feature_id`) or a batch (`points`), not both.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MetricPost)]
pub struct MetricPostJson {
    /// A batch, recorded all or none; errors are named `points[i].field`, i from 0. Each
    /// (feature, kind, date) at most once (a later one is `points[i].date`, code `duplicate`).
    pub points: Option<Vec<NewMetricPointJson>>,
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<ApiDate>,
    pub kind: Option<MetricKindJson>,
    pub value: Option<f64>,
    pub feature_id: Option<Uuid>,
}

/// What a post or an import recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MetricsRecorded)]
pub struct MetricsRecordedJson {
    /// How many points were recorded (new or replacing the value of the same key).
    pub recorded: usize,
    pub points: Vec<MetricPointJson>,
}

/// A product's points.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MetricSeries)]
pub struct MetricListJson {
    /// By kind, feature (the product's own series first), then date.
    pub items: Vec<MetricPointJson>,
}

/// `?kind=`, `feature_id=` (or `feature_id=none` for the product's own series), `from=`, `to=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricListQuery {
    /// Only this kind.
    #[param(value_type = Option<MetricKindJson>)]
    pub kind: Option<String>,
    /// Only this feature's series; `none`: only the product's own.
    #[param(value_type = Option<String>)]
    pub feature_id: Option<String>,
    /// Points on or after this date.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Points on or before this date.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
}

fn input(product: ProductId, point: NewMetricPointJson) -> MetricPointInput {
    MetricPointInput {
        product_id: product,
        feature_id: point.feature_id.map(WorkItemId::from_uuid),
        kind: point.kind.into(),
        date: Some(point.date.0),
        value: point.value,
    }
}

/// `rows[N].field` (the store's batch numbering, N from 1) as `points[N-1].field`.
fn rows_as_points(errors: ValidationErrors) -> ValidationErrors {
    let mut renamed = ValidationErrors::new();
    for e in errors.errors() {
        let field = e
            .field
            .strip_prefix("rows[")
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(n, tail)| n.parse::<usize>().ok().map(|n| format!("points[{}]{tail}", n.saturating_sub(1))))
            .unwrap_or_else(|| e.field.clone());
        renamed.add(field, e.code, e.message.clone());
    }
    renamed
}

/// Records one point, or a batch of points all or none, in the product's series. A point with the
/// product, feature, kind and date of a stored one replaces its value (an audited update).
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/metrics",
    tag = "metrics",
    params(("id" = uuid::Uuid, Path, description = "The product's id")),
    request_body = MetricPostJson,
    responses(
        (status = 201, description = "Every point recorded", body = MetricsRecordedJson),
        (status = 400, description = "The body is not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role (or a read-only token) does not allow this", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; nothing was stored", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn record_metrics(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(product): RecordPath<ProductId>,
    ApiJson(body): ApiJson<MetricPostJson>,
) -> Result<(StatusCode, Json<MetricsRecordedJson>), ApiError> {
    let access = caller.access(&state);
    let points = match body.points {
        Some(points) => {
            if body.date.is_some() || body.kind.is_some() || body.value.is_some() || body.feature_id.is_some() {
                return Err(ApiError::invalid("points", "invalid", "send one point or a batch of points, not both"));
            }
            if points.is_empty() {
                return Err(ApiError::invalid("points", "required", "must hold at least one point"));
            }
            if points.len() > tandem_domain::evidence::MAX_IMPORT_ROWS {
                let message = format!("at most {} points", tandem_domain::evidence::MAX_IMPORT_ROWS);
                return Err(ApiError::invalid("points", "too_long", message));
            }
            let mut errors = ValidationErrors::new();
            let mut rows = Vec::with_capacity(points.len());
            let mut keys = BatchKeys::new();
            for (i, point) in points.into_iter().enumerate() {
                match MetricPointFields::parse(input(product, point)) {
                    Ok(fields) => {
                        if errors.check(keys.admit(&format!("points[{i}].date"), &fields)).is_some() {
                            rows.push(fields);
                        }
                    }
                    Err(point_errors) => {
                        for e in point_errors.errors() {
                            errors.add(format!("points[{i}].{}", e.field), e.code, e.message.clone());
                        }
                    }
                }
            }
            errors.into_result()?;
            match access.record_metric_points(product, rows).await {
                Err(DomainError::Validation(errors)) => {
                    return Err(DomainError::Validation(rows_as_points(errors)).into());
                }
                other => other?,
            }
        }
        None => {
            let mut errors = ValidationErrors::new();
            for (missing, field) in
                [(body.date.is_none(), "date"), (body.kind.is_none(), "kind"), (body.value.is_none(), "value")]
            {
                if missing {
                    errors.add(field, "required", "is required");
                }
            }
            errors.into_result()?;
            let (Some(date), Some(kind), Some(value)) = (body.date, body.kind, body.value) else {
                return Err(ApiError::invalid("body", "required", "a point needs date, kind and value"));
            };
            let point = NewMetricPointJson { date, kind, value, feature_id: body.feature_id };
            let fields = MetricPointFields::parse(input(product, point))?;
            vec![access.record_metric_point(fields).await?]
        }
    };
    let points: Vec<MetricPointJson> = points.into_iter().map(Into::into).collect();
    Ok((StatusCode::CREATED, Json(MetricsRecordedJson { recorded: points.len(), points })))
}

fn parse_feature_scope(raw: &str) -> Result<FeatureScope, FieldError> {
    if raw.trim() == "none" {
        Ok(FeatureScope::ProductOnly)
    } else {
        parse_id("feature_id", raw).map(FeatureScope::Feature)
    }
}

/// The product's points, filtered.
#[utoipa::path(
    get,
    path = "/api/v1/products/{id}/metrics",
    tag = "metrics",
    params(("id" = uuid::Uuid, Path, description = "The product's id"), MetricListQuery),
    responses(
        (status = 200, description = "The points", body = MetricListJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_metrics(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(product): RecordPath<ProductId>,
    ApiQuery(query): ApiQuery<MetricListQuery>,
) -> Result<Json<MetricListJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let kind = parse_param(&mut errors, query.kind.as_deref(), |raw| MetricKind::parse("kind", raw));
    let feature = parse_param(&mut errors, query.feature_id.as_deref(), parse_feature_scope);
    let from = parse_param(&mut errors, query.from.as_deref(), |raw| tandem_domain::values::parse_date("from", raw));
    let to = parse_param(&mut errors, query.to.as_deref(), |raw| tandem_domain::values::parse_date("to", raw));
    errors.into_result()?;
    let filter = MetricFilter { product, kind, feature: feature.unwrap_or(FeatureScope::All), from, to };
    let points = caller.access(&state).list_metric_points(&filter).await?;
    Ok(Json(MetricListJson { items: points.into_iter().map(Into::into).collect() }))
}

/// Imports points from CSV into the product: `text/csv`, or `{"csv": "..."}` sent as
/// `application/json`. A header row names the columns in any order: `date`, `kind`, `value`
/// (required) and `feature_id`. All rows or none: every problem is a 422 field error named
/// `rows[N].column`, N counting data rows from 1; header problems are on `header`. A row with the
/// key of a stored point replaces its value.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/metrics/import",
    tag = "metrics",
    params(("id" = uuid::Uuid, Path, description = "The product's id")),
    request_body(
        description = "The CSV text, header row first: as text/csv, or in a JSON object's `csv`",
        content((String = "text/csv"), (CsvImportJson = "application/json")),
    ),
    responses(
        (status = 201, description = "Every row recorded", body = MetricsRecordedJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role (or a read-only token) does not allow this", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as text/csv or application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A row or the header is invalid; nothing was stored", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn import_metrics(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(product): RecordPath<ProductId>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<MetricsRecordedJson>), ApiError> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let text = match media_type.as_str() {
        "text/csv" => std::str::from_utf8(&body)
            .map_err(|_| ValidationErrors::single("csv", "invalid", "must be UTF-8 text"))?
            .to_owned(),
        "application/json" => match serde_json::from_slice::<CsvImportJson>(&body) {
            Ok(wrapped) => wrapped.csv,
            Err(error) if error.is_data() => {
                return Err(ValidationErrors::single("csv", "required", "must be the CSV text as a string").into());
            }
            Err(error) => return Err(ApiError::MalformedJson { detail: error.to_string() }),
        },
        _ => return Err(ApiError::UnsupportedMediaType),
    };
    let points = caller.access(&state).import_metrics_csv(product, &text).await?;
    let points: Vec<MetricPointJson> = points.into_iter().map(Into::into).collect();
    Ok((StatusCode::CREATED, Json(MetricsRecordedJson { recorded: points.len(), points })))
}

/// One point.
#[utoipa::path(
    get,
    path = "/api/v1/metric-points/{id}",
    tag = "metrics",
    params(("id" = uuid::Uuid, Path, description = "The point's id")),
    responses(
        (status = 200, description = "The point", body = MetricPointJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such point you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_metric_point(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<MetricPointId>,
) -> Result<Json<MetricPointJson>, ApiError> {
    Ok(Json(caller.access(&state).get_metric_point(id).await?.into()))
}

/// Deletes a point (`?version=` guards against deleting a value replaced meanwhile).
#[utoipa::path(
    delete,
    path = "/api/v1/metric-points/{id}",
    tag = "metrics",
    params(("id" = uuid::Uuid, Path, description = "The point's id"), crate::api::DeleteQuery),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role (or a read-only token) does not allow this", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such point you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`version` is stale", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`version` is not a number", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_metric_point(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<MetricPointId>,
    ApiQuery(query): ApiQuery<crate::api::DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    let mut errors = ValidationErrors::new();
    let version = crate::api::listing::parse_version(&mut errors, query.version.as_deref());
    errors.into_result()?;
    caller.access(&state).delete_metric_point(id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}
