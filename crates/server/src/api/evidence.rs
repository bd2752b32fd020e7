//! Feedback and research: `/api/v1/segments`, `/api/v1/insights` (with the product's inbox as
//! `?unlinked=true`), the CSV import `/api/v1/products/{id}/insights/import` and a feature's
//! evidence with its demand score, `/api/v1/work-items/{id}/evidence`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use tandem_domain::evidence::{
    Demand, Importance, Insight, InsightFields, InsightFilter, InsightInput, InsightSource, Segment, SegmentFields,
    SegmentInput,
};
use tandem_domain::{Access, FieldError, InsightId, Page, ProductId, SegmentId, ValidationErrors, WorkItemId};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api::dates::{ApiDate, timestamp};
use crate::api::extract::{RecordPath, parse_id, parse_param};
use crate::api::listing::ListResponse;
use crate::auth::Caller;
use crate::error::ApiError;

// ----- segments -----

/// A target segment of a product.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Segment)]
pub struct SegmentJson {
    pub id: Uuid,
    pub product_id: Uuid,
    /// Unique in the product (compared case-insensitively).
    pub name: String,
    pub description: String,
    /// How much the segment's customers count in the demand score: more than 0, at most 10.
    pub weight: f64,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Segment> for SegmentJson {
    fn from(segment: Segment) -> Self {
        let f = segment.fields;
        SegmentJson {
            id: segment.id.as_uuid(),
            product_id: f.product_id.as_uuid(),
            name: f.name.as_str().to_owned(),
            description: f.description.as_str().to_owned(),
            weight: f.weight.get(),
            version: segment.meta.version,
            created_at: timestamp(segment.meta.created_at),
            updated_at: timestamp(segment.meta.updated_at),
        }
    }
}

/// A segment to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewSegment)]
pub struct NewSegmentJson {
    pub product_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Default 1.
    pub weight: Option<f64>,
}

/// A segment's new fields (its product cannot change).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SegmentUpdate)]
pub struct SegmentUpdateJson {
    pub version: i64,
    pub product_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub weight: Option<f64>,
}

impl From<NewSegmentJson> for SegmentInput {
    fn from(body: NewSegmentJson) -> Self {
        SegmentInput {
            product_id: ProductId::from_uuid(body.product_id),
            name: body.name,
            description: body.description,
            weight: body.weight.unwrap_or(1.0),
        }
    }
}

/// `?product_id=` (required).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SegmentListQuery {
    /// The product whose segments to list (required).
    #[param(value_type = Uuid)]
    pub product_id: Option<String>,
}

fn required_product(errors: &mut ValidationErrors, raw: Option<&str>) -> Option<ProductId> {
    match raw {
        None => {
            errors.add("product_id", "required", "must name the product");
            None
        }
        Some(raw) => errors.check(parse_id("product_id", raw)),
    }
}

/// Every list here is one page: a product's segments and insights are read whole.
fn one_page<T, R>(items: Vec<R>) -> ListResponse<T>
where
    T: From<R>,
{
    ListResponse::from_page(Page { items, next_cursor: None })
}

pub mod segments {
    use super::*;

    async fn list(store: Access<'_>, query: SegmentListQuery) -> Result<ListResponse<SegmentJson>, ApiError> {
        let mut errors = ValidationErrors::new();
        let product = required_product(&mut errors, query.product_id.as_deref());
        errors.into_result()?;
        let Some(product) = product else { return Ok(one_page::<SegmentJson, Segment>(Vec::new())) };
        Ok(one_page(store.list_segments(product).await?))
    }

    async fn create(store: Access<'_>, body: NewSegmentJson) -> Result<SegmentJson, ApiError> {
        let fields = SegmentFields::parse(body.into())?;
        Ok(store.create_segment(fields).await?.into())
    }

    async fn fetch(store: Access<'_>, id: SegmentId) -> Result<SegmentJson, ApiError> {
        Ok(store.get_segment(id).await?.into())
    }

    async fn replace(store: Access<'_>, id: SegmentId, body: SegmentUpdateJson) -> Result<SegmentJson, ApiError> {
        let input = NewSegmentJson {
            product_id: body.product_id,
            name: body.name,
            description: body.description,
            weight: body.weight,
        };
        let fields = SegmentFields::parse(input.into())?;
        Ok(store.update_segment(id, body.version, fields).await?.into())
    }

    async fn remove(store: Access<'_>, id: SegmentId, version: Option<i64>) -> Result<(), ApiError> {
        Ok(store.delete_segment(id, version).await?)
    }

    record_handlers! {
        tag: "evidence",
        collection: "/api/v1/segments",
        item: "/api/v1/segments/{id}",
        id: SegmentId,
        json: SegmentJson,
        new: NewSegmentJson,
        update: SegmentUpdateJson,
        query: SegmentListQuery,
        handlers: [list_segments, create_segment, get_segment, replace_segment, delete_segment],
    }
}

// ----- insights -----

/// Where an insight comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = InsightSource)]
pub enum InsightSourceJson {
    Interview,
    Survey,
    Usability,
    SupportTicket,
    SalesCall,
}

impl From<InsightSourceJson> for InsightSource {
    fn from(value: InsightSourceJson) -> Self {
        match value {
            InsightSourceJson::Interview => InsightSource::Interview,
            InsightSourceJson::Survey => InsightSource::Survey,
            InsightSourceJson::Usability => InsightSource::Usability,
            InsightSourceJson::SupportTicket => InsightSource::SupportTicket,
            InsightSourceJson::SalesCall => InsightSource::SalesCall,
        }
    }
}

impl From<InsightSource> for InsightSourceJson {
    fn from(value: InsightSource) -> Self {
        match value {
            InsightSource::Interview => InsightSourceJson::Interview,
            InsightSource::Survey => InsightSourceJson::Survey,
            InsightSource::Usability => InsightSourceJson::Usability,
            InsightSource::SupportTicket => InsightSourceJson::SupportTicket,
            InsightSource::SalesCall => InsightSourceJson::SalesCall,
        }
    }
}

/// `nice_to_have` (1 point), `important` (2) or `critical` (3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Importance)]
pub enum ImportanceJson {
    NiceToHave,
    Important,
    Critical,
}

impl From<ImportanceJson> for Importance {
    fn from(value: ImportanceJson) -> Self {
        match value {
            ImportanceJson::NiceToHave => Importance::NiceToHave,
            ImportanceJson::Important => Importance::Important,
            ImportanceJson::Critical => Importance::Critical,
        }
    }
}

impl From<Importance> for ImportanceJson {
    fn from(value: Importance) -> Self {
        match value {
            Importance::NiceToHave => ImportanceJson::NiceToHave,
            Importance::Important => ImportanceJson::Important,
            Importance::Critical => ImportanceJson::Critical,
        }
    }
}

/// One piece of customer evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Insight)]
pub struct InsightJson {
    pub id: Uuid,
    pub product_id: Uuid,
    pub source: InsightSourceJson,
    /// A ticket number, a recording's address; may be empty.
    pub source_reference: String,
    pub customer: String,
    pub segment_id: Option<Uuid>,
    #[schema(value_type = String, format = Date)]
    pub date: ApiDate,
    pub quote: String,
    pub importance: ImportanceJson,
    /// The features (work items of the product) the insight supports; empty: in the inbox.
    pub feature_ids: Vec<Uuid>,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Insight> for InsightJson {
    fn from(insight: Insight) -> Self {
        let f = insight.fields;
        InsightJson {
            id: insight.id.as_uuid(),
            product_id: f.product_id.as_uuid(),
            source: f.source.into(),
            source_reference: f.source_reference.as_str().to_owned(),
            customer: f.customer.as_str().to_owned(),
            segment_id: f.segment_id.map(|s| s.as_uuid()),
            date: f.date.into(),
            quote: f.quote.as_str().to_owned(),
            importance: f.importance.into(),
            feature_ids: f.feature_ids.iter().map(|id| id.as_uuid()).collect(),
            version: insight.meta.version,
            created_at: timestamp(insight.meta.created_at),
            updated_at: timestamp(insight.meta.updated_at),
        }
    }
}

/// An insight to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewInsight)]
pub struct NewInsightJson {
    pub product_id: Uuid,
    pub source: InsightSourceJson,
    #[serde(default)]
    pub source_reference: String,
    pub customer: String,
    pub segment_id: Option<Uuid>,
    #[schema(value_type = String, format = Date)]
    pub date: ApiDate,
    pub quote: String,
    pub importance: ImportanceJson,
    #[serde(default)]
    pub feature_ids: Vec<Uuid>,
}

/// An insight's new fields (its product cannot change).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = InsightUpdate)]
pub struct InsightUpdateJson {
    pub version: i64,
    pub product_id: Uuid,
    pub source: InsightSourceJson,
    #[serde(default)]
    pub source_reference: String,
    pub customer: String,
    pub segment_id: Option<Uuid>,
    #[schema(value_type = String, format = Date)]
    pub date: ApiDate,
    pub quote: String,
    pub importance: ImportanceJson,
    #[serde(default)]
    pub feature_ids: Vec<Uuid>,
}

impl From<NewInsightJson> for InsightInput {
    fn from(body: NewInsightJson) -> Self {
        InsightInput {
            product_id: ProductId::from_uuid(body.product_id),
            source: body.source.into(),
            source_reference: body.source_reference,
            customer: body.customer,
            segment_id: body.segment_id.map(SegmentId::from_uuid),
            date: Some(body.date.0),
            quote: body.quote,
            importance: body.importance.into(),
            feature_ids: body.feature_ids.into_iter().map(WorkItemId::from_uuid).collect(),
        }
    }
}

/// `?product_id=` (required), `feature_id`, `unlinked=true` (the inbox).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InsightListQuery {
    /// The product whose insights to list (required).
    #[param(value_type = Uuid)]
    pub product_id: Option<String>,
    /// Only insights supporting this feature.
    #[param(value_type = Option<Uuid>)]
    pub feature_id: Option<String>,
    /// `true`: only insights linked to no feature (the inbox).
    #[param(value_type = Option<bool>)]
    pub unlinked: Option<String>,
}

fn parse_flag(field: &str, raw: &str) -> Result<bool, FieldError> {
    match raw.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(FieldError::new(field, "invalid", "must be true or false")),
    }
}

pub mod insights {
    use super::*;

    async fn list(store: Access<'_>, query: InsightListQuery) -> Result<ListResponse<InsightJson>, ApiError> {
        let mut errors = ValidationErrors::new();
        let product = required_product(&mut errors, query.product_id.as_deref());
        let feature = parse_param(&mut errors, query.feature_id.as_deref(), |raw| parse_id("feature_id", raw));
        let unlinked = parse_param(&mut errors, query.unlinked.as_deref(), |raw| parse_flag("unlinked", raw));
        errors.into_result()?;
        let Some(product) = product else { return Ok(one_page::<InsightJson, Insight>(Vec::new())) };
        let filter = InsightFilter { product, feature, unlinked: unlinked.unwrap_or(false) };
        Ok(one_page(store.list_insights(&filter).await?))
    }

    async fn create(store: Access<'_>, body: NewInsightJson) -> Result<InsightJson, ApiError> {
        let fields = InsightFields::parse(body.into())?;
        Ok(store.create_insight(fields).await?.into())
    }

    async fn fetch(store: Access<'_>, id: InsightId) -> Result<InsightJson, ApiError> {
        Ok(store.get_insight(id).await?.into())
    }

    async fn replace(store: Access<'_>, id: InsightId, body: InsightUpdateJson) -> Result<InsightJson, ApiError> {
        let version = body.version;
        let input = NewInsightJson {
            product_id: body.product_id,
            source: body.source,
            source_reference: body.source_reference,
            customer: body.customer,
            segment_id: body.segment_id,
            date: body.date,
            quote: body.quote,
            importance: body.importance,
            feature_ids: body.feature_ids,
        };
        let fields = InsightFields::parse(input.into())?;
        Ok(store.update_insight(id, version, fields).await?.into())
    }

    async fn remove(store: Access<'_>, id: InsightId, version: Option<i64>) -> Result<(), ApiError> {
        Ok(store.delete_insight(id, version).await?)
    }

    record_handlers! {
        tag: "evidence",
        collection: "/api/v1/insights",
        item: "/api/v1/insights/{id}",
        id: InsightId,
        json: InsightJson,
        new: NewInsightJson,
        update: InsightUpdateJson,
        query: InsightListQuery,
        handlers: [list_insights, create_insight, get_insight, replace_insight, delete_insight],
    }
}

// ----- import -----

/// The CSV text of an import, for clients that send JSON.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CsvImport)]
pub struct CsvImportJson {
    pub csv: String,
}

/// What an import stored.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = InsightImport)]
pub struct InsightImportJson {
    /// How many rows were stored (all of them: an import is all or nothing).
    pub imported: usize,
    pub insights: Vec<InsightJson>,
}

/// Imports insights from CSV into the product: the body is the CSV text itself, sent as
/// `text/csv`, or `{"csv": "..."}` sent as `application/json`. A header row names the columns in any order: `date`, `source`, `customer`,
/// `quote`, `importance` (required) and `segment` (a segment's name), `source_reference`,
/// `features` (work item ids separated by `;`). All rows or none: every problem is a 422 field
/// error named `rows[N].column`, N counting data rows from 1; header problems are on `header`.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/insights/import",
    tag = "evidence",
    params(("id" = uuid::Uuid, Path, description = "The product's id")),
    request_body(
        description = "The CSV text, header row first: as text/csv, or in a JSON object's `csv`",
        content((String = "text/csv"), (CsvImportJson = "application/json")),
    ),
    responses(
        (status = 201, description = "Every row stored", body = InsightImportJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role (or a read-only token) does not allow this", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as text/csv", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A row or the header is invalid; nothing was stored", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn import_insights(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(product): RecordPath<ProductId>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<InsightImportJson>), ApiError> {
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
    let insights = caller.access(&state).import_insights_csv(product, &text).await?;
    let insights: Vec<InsightJson> = insights.into_iter().map(Into::into).collect();
    Ok((StatusCode::CREATED, Json(InsightImportJson { imported: insights.len(), insights })))
}

// ----- a feature's evidence -----

/// A feature's evidence and demand score: each distinct customer counts once, at the points of
/// their most important linked insight (nice to have 1, important 2, critical 3) times its
/// segment's weight (1 without a segment); the score is the sum.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FeatureEvidence)]
pub struct FeatureEvidenceJson {
    pub work_item_id: Uuid,
    pub customers: usize,
    pub demand_score: f64,
    /// Newest first.
    pub insights: Vec<InsightJson>,
}

impl FeatureEvidenceJson {
    fn new(id: WorkItemId, insights: Vec<Insight>, demand: Demand) -> Self {
        FeatureEvidenceJson {
            work_item_id: id.as_uuid(),
            customers: demand.customers,
            demand_score: demand.score,
            insights: insights.into_iter().map(Into::into).collect(),
        }
    }
}

/// The insights linked to a work item and its demand score (empty for an item outside any
/// product).
#[utoipa::path(
    get,
    path = "/api/v1/work-items/{id}/evidence",
    tag = "evidence",
    params(("id" = uuid::Uuid, Path, description = "The work item's id")),
    responses(
        (status = 200, description = "The evidence", body = FeatureEvidenceJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work item you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn work_item_evidence(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<WorkItemId>,
) -> Result<Json<FeatureEvidenceJson>, ApiError> {
    let (insights, demand) = caller.access(&state).feature_evidence(id).await?;
    Ok(Json(FeatureEvidenceJson::new(id, insights, demand)))
}
