//! Product strategy: objectives with key results (`/api/v1/objectives`, a product's list with
//! progress at `/api/v1/products/{id}/objectives`), measurements, the features serving each
//! objective, and the roadmap (`/api/v1/products/{id}/roadmap`, a feature's entry at
//! `/api/v1/work-items/{id}/roadmap-entry`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tandem_domain::strategy::{
    self, DateSource, KeyResult, KeyResultInput, Lane, Measurement, Objective, ObjectiveFields, ObjectiveInput,
    ObjectiveStatus, PeriodInput, Roadmap, RoadmapEntry, RoadmapEntryFields, RoadmapEntryInput, RoadmapGrouping,
};
use tandem_domain::{
    Access, DomainError, EntityKind, KeyResultId, ObjectiveId, ProductId, ValidationErrors, WorkItemId,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api::dates::{ApiDate, timestamp};
use crate::api::extract::{ApiJson, ApiQuery, RecordPath, parse_param};
use crate::api::listing::parse_version;
use crate::auth::Caller;
use crate::error::ApiError;

/// Where an objective stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ObjectiveStatus)]
pub enum ObjectiveStatusJson {
    Draft,
    OnTrack,
    AtRisk,
    OffTrack,
    Done,
}

impl From<ObjectiveStatusJson> for ObjectiveStatus {
    fn from(value: ObjectiveStatusJson) -> Self {
        match value {
            ObjectiveStatusJson::Draft => ObjectiveStatus::Draft,
            ObjectiveStatusJson::OnTrack => ObjectiveStatus::OnTrack,
            ObjectiveStatusJson::AtRisk => ObjectiveStatus::AtRisk,
            ObjectiveStatusJson::OffTrack => ObjectiveStatus::OffTrack,
            ObjectiveStatusJson::Done => ObjectiveStatus::Done,
        }
    }
}

impl From<ObjectiveStatus> for ObjectiveStatusJson {
    fn from(value: ObjectiveStatus) -> Self {
        match value {
            ObjectiveStatus::Draft => ObjectiveStatusJson::Draft,
            ObjectiveStatus::OnTrack => ObjectiveStatusJson::OnTrack,
            ObjectiveStatus::AtRisk => ObjectiveStatusJson::AtRisk,
            ObjectiveStatus::OffTrack => ObjectiveStatusJson::OffTrack,
            ObjectiveStatus::Done => ObjectiveStatusJson::Done,
        }
    }
}

/// A roadmap lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RoadmapLane)]
pub enum LaneJson {
    Now,
    Next,
    Later,
}

impl From<Lane> for LaneJson {
    fn from(value: Lane) -> Self {
        match value {
            Lane::Now => LaneJson::Now,
            Lane::Next => LaneJson::Next,
            Lane::Later => LaneJson::Later,
        }
    }
}

impl From<LaneJson> for Lane {
    fn from(value: LaneJson) -> Self {
        match value {
            LaneJson::Now => Lane::Now,
            LaneJson::Next => Lane::Next,
            LaneJson::Later => Lane::Later,
        }
    }
}

/// Where a roadmap date comes from: the program's stored forecast (start of the plan to the latest
/// P80 finish of the item's work), its stored schedule, or the product manager's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = RoadmapDateSource)]
pub enum DateSourceJson {
    Forecast,
    Scheduled,
    Planned,
}

impl From<DateSource> for DateSourceJson {
    fn from(value: DateSource) -> Self {
        match value {
            DateSource::Forecast => DateSourceJson::Forecast,
            DateSource::Scheduled => DateSourceJson::Scheduled,
            DateSource::Planned => DateSourceJson::Planned,
        }
    }
}

/// One measured value.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Measurement)]
pub struct MeasurementJson {
    #[schema(value_type = String, format = Date)]
    pub date: ApiDate,
    pub value: f64,
}

/// A key result's progress: `(latest - baseline) / (target - baseline)`, clamped to 0..100 %.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = KeyResultProgress)]
pub struct ProgressJson {
    /// 0 to 100, rounded to one decimal.
    pub percent: f64,
    pub latest_value: f64,
    #[schema(value_type = String, format = Date)]
    pub latest_date: ApiDate,
}

/// A key result with its measurements and progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = KeyResult)]
pub struct KeyResultJson {
    pub id: Uuid,
    pub metric: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    /// Oldest first.
    pub measurements: Vec<MeasurementJson>,
    /// `null` before the first measurement.
    pub progress: Option<ProgressJson>,
    /// The formula with this key result's numbers.
    pub explanation: String,
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

impl From<&KeyResult> for KeyResultJson {
    fn from(kr: &KeyResult) -> Self {
        KeyResultJson {
            id: kr.id.as_uuid(),
            metric: kr.metric.as_str().to_owned(),
            unit: kr.unit.as_str().to_owned(),
            baseline: kr.baseline,
            target: kr.target,
            measurements: kr
                .measurements
                .iter()
                .map(|m| MeasurementJson { date: m.date.into(), value: m.value })
                .collect(),
            progress: kr.progress().map(|p| ProgressJson {
                percent: round1(p.percent),
                latest_value: p.latest.value,
                latest_date: p.latest.date.into(),
            }),
            explanation: kr.explain(),
        }
    }
}

/// A stored objective.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Objective)]
pub struct ObjectiveJson {
    pub id: Uuid,
    pub product_id: Uuid,
    pub title: String,
    pub description: String,
    #[schema(value_type = String, format = Date)]
    pub start: ApiDate,
    #[schema(value_type = String, format = Date)]
    pub end: ApiDate,
    pub status: ObjectiveStatusJson,
    pub key_results: Vec<KeyResultJson>,
    /// The mean of the key results' progress (unmeasured ones count 0), one decimal; `null`
    /// without key results.
    pub progress: Option<f64>,
    /// The epics and features serving this objective.
    pub feature_ids: Vec<Uuid>,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl ObjectiveJson {
    fn new(objective: &Objective, feature_ids: Vec<Uuid>) -> Self {
        let f = &objective.fields;
        ObjectiveJson {
            id: objective.id.as_uuid(),
            product_id: f.product_id.as_uuid(),
            title: f.title.as_str().to_owned(),
            description: f.description.as_str().to_owned(),
            start: f.period.start().into(),
            end: f.period.end().into(),
            status: f.status.into(),
            key_results: f.key_results.iter().map(KeyResultJson::from).collect(),
            progress: f.progress().map(round1),
            feature_ids,
            version: objective.meta.version,
            created_at: timestamp(objective.meta.created_at),
            updated_at: timestamp(objective.meta.updated_at),
        }
    }
}

/// A key result as sent: name an existing one by `id` to keep its measurements.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = KeyResultInput)]
pub struct KeyResultInputJson {
    pub id: Option<Uuid>,
    pub metric: String,
    #[serde(default)]
    pub unit: String,
    pub baseline: f64,
    /// Below the baseline for a "reduce" key result; never equal to it.
    pub target: f64,
}

/// An objective as sent: its time frame is `quarter` (`2026-Q3`) or `start` and `end`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewObjective)]
pub struct NewObjectiveJson {
    pub product_id: Uuid,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub quarter: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub start: Option<ApiDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub end: Option<ApiDate>,
    /// `draft` when left out.
    pub status: Option<ObjectiveStatusJson>,
    #[serde(default)]
    pub key_results: Vec<KeyResultInputJson>,
}

/// An objective's new state; key results left out are deleted with their measurements.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ObjectiveUpdate)]
pub struct ObjectiveUpdateJson {
    pub version: i64,
    pub product_id: Uuid,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub quarter: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub start: Option<ApiDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub end: Option<ApiDate>,
    pub status: Option<ObjectiveStatusJson>,
    #[serde(default)]
    pub key_results: Vec<KeyResultInputJson>,
}

impl From<NewObjectiveJson> for ObjectiveInput {
    fn from(body: NewObjectiveJson) -> Self {
        ObjectiveInput {
            product_id: ProductId::from_uuid(body.product_id),
            title: body.title,
            description: body.description,
            period: PeriodInput { quarter: body.quarter, start: body.start.map(|d| d.0), end: body.end.map(|d| d.0) },
            status: body.status.map_or(ObjectiveStatus::Draft, Into::into),
            key_results: body
                .key_results
                .into_iter()
                .map(|kr| KeyResultInput {
                    id: kr.id.map(KeyResultId::from_uuid),
                    metric: kr.metric,
                    unit: kr.unit,
                    baseline: kr.baseline,
                    target: kr.target,
                })
                .collect(),
        }
    }
}

impl ObjectiveUpdateJson {
    fn into_parts(self) -> (i64, ObjectiveInput) {
        let new = NewObjectiveJson {
            product_id: self.product_id,
            title: self.title,
            description: self.description,
            quarter: self.quarter,
            start: self.start,
            end: self.end,
            status: self.status,
            key_results: self.key_results,
        };
        (self.version, new.into())
    }
}

async fn objective_json(access: Access<'_>, objective: &Objective) -> Result<ObjectiveJson, ApiError> {
    let links = access.list_objective_links(objective.fields.product_id).await?;
    let features = links.iter().filter(|l| l.objective_id == objective.id).map(|l| l.work_item_id.as_uuid()).collect();
    Ok(ObjectiveJson::new(objective, features))
}

/// The objectives of a product, by period start, with key results, progress and features.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ObjectiveList)]
pub struct ObjectiveListJson {
    pub items: Vec<ObjectiveJson>,
}

#[utoipa::path(get, path = "/api/v1/products/{id}/objectives", tag = "strategy",
    params(("id" = Uuid, Path, description = "The product's id")),
    responses(
        (status = 200, description = "The product's objectives with progress", body = ObjectiveListJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_product_objectives(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProductId>,
) -> Result<Json<ObjectiveListJson>, ApiError> {
    let view = strategy::product_strategy(caller.access(&state), id).await?;
    let items = view
        .objectives
        .iter()
        .map(|o| ObjectiveJson::new(&o.objective, o.features.iter().map(|f| f.id.as_uuid()).collect()))
        .collect();
    Ok(Json(ObjectiveListJson { items }))
}

#[utoipa::path(post, path = "/api/v1/objectives", tag = "strategy", request_body = NewObjectiveJson,
    responses(
        (status = 201, description = "Created", body = ObjectiveJson, headers(("Location" = String, description = "The new objective's URL"))),
        (status = 400, description = "The body is not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the product", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_objective(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewObjectiveJson>,
) -> Result<Response, ApiError> {
    let access = caller.access(&state);
    let fields = ObjectiveFields::parse(body.into())?;
    let objective = access.create_objective(fields).await?;
    let location = format!("/api/v1/objectives/{}", objective.id);
    let json = ObjectiveJson::new(&objective, Vec::new());
    Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, location)], Json(json)).into_response())
}

#[utoipa::path(get, path = "/api/v1/objectives/{id}", tag = "strategy",
    params(("id" = Uuid, Path, description = "The objective's id")),
    responses(
        (status = 200, description = "The objective", body = ObjectiveJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such objective", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_objective(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ObjectiveId>,
) -> Result<Json<ObjectiveJson>, ApiError> {
    let access = caller.access(&state);
    let objective = access.get_objective(id).await?;
    objective_json(access, &objective).await.map(Json)
}

#[utoipa::path(put, path = "/api/v1/objectives/{id}", tag = "strategy",
    params(("id" = Uuid, Path, description = "The objective's id")), request_body = ObjectiveUpdateJson,
    responses(
        (status = 200, description = "The objective as stored, its version one higher", body = ObjectiveJson),
        (status = 400, description = "The body is not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the product", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such objective", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since `version` was read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn replace_objective(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ObjectiveId>,
    ApiJson(body): ApiJson<ObjectiveUpdateJson>,
) -> Result<Json<ObjectiveJson>, ApiError> {
    let access = caller.access(&state);
    let (version, input) = body.into_parts();
    let fields = ObjectiveFields::parse(input)?;
    let objective = access.update_objective(id, version, fields).await?;
    objective_json(access, &objective).await.map(Json)
}

#[utoipa::path(delete, path = "/api/v1/objectives/{id}", tag = "strategy",
    params(("id" = Uuid, Path, description = "The objective's id"), crate::api::DeleteQuery),
    responses(
        (status = 204, description = "Deleted with its key results, measurements and feature links"),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the product", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such objective", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`version` is stale", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`version` is not a number", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_objective(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ObjectiveId>,
    ApiQuery(query): ApiQuery<crate::api::DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    let mut errors = ValidationErrors::new();
    let version = parse_version(&mut errors, query.version.as_deref());
    errors.into_result()?;
    caller.access(&state).delete_objective(id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A key result's measured value on a date (replaces a value measured on the same date).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewMeasurement)]
pub struct NewMeasurementJson {
    pub key_result_id: Uuid,
    #[schema(value_type = String, format = Date)]
    pub date: ApiDate,
    pub value: f64,
}

#[utoipa::path(post, path = "/api/v1/objectives/{id}/measurements", tag = "strategy",
    params(("id" = Uuid, Path, description = "The objective's id")), request_body = NewMeasurementJson,
    responses(
        (status = 201, description = "Recorded; the objective with the new progress", body = ObjectiveJson),
        (status = 400, description = "The body is not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the product", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such objective", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the key result is not this objective's", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn record_measurement(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ObjectiveId>,
    ApiJson(body): ApiJson<NewMeasurementJson>,
) -> Result<Response, ApiError> {
    let access = caller.access(&state);
    let measurement = Measurement::parse(Some(body.date.0), body.value)?;
    let objective = access.record_measurement(id, KeyResultId::from_uuid(body.key_result_id), measurement).await?;
    let json = objective_json(access, &objective).await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// `{id}` and `{work_item_id}`: ids that are not UUIDs name nothing (404).
fn link_path(raw: &(String, String)) -> Result<(ObjectiveId, WorkItemId), ApiError> {
    let objective: ObjectiveId =
        raw.0.parse().map_err(|_| ApiError::Domain(DomainError::not_found(EntityKind::Objective, &raw.0)))?;
    let item: WorkItemId =
        raw.1.parse().map_err(|_| ApiError::Domain(DomainError::not_found(EntityKind::WorkItem, &raw.1)))?;
    Ok((objective, item))
}

#[utoipa::path(put, path = "/api/v1/objectives/{id}/features/{work_item_id}", tag = "strategy",
    params(("id" = Uuid, Path, description = "The objective's id"), ("work_item_id" = Uuid, Path, description = "An epic or feature of the objective's product")),
    responses(
        (status = 204, description = "Linked (also when it already was)"),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the product", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such objective", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`work_item_id`: not_found, other_product or not_a_feature", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn link_feature(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (objective, item) = link_path(&raw)?;
    caller.access(&state).link_feature(objective, item).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/objectives/{id}/features/{work_item_id}", tag = "strategy",
    params(("id" = Uuid, Path, description = "The objective's id"), ("work_item_id" = Uuid, Path, description = "The linked work item")),
    responses(
        (status = 204, description = "Unlinked (also when it was not linked)"),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the product", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such objective", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`work_item_id`: not_found", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn unlink_feature(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (objective, item) = link_path(&raw)?;
    caller.access(&state).unlink_feature(objective, item).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ----- roadmap -----

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoadmapQuery {
    /// `objective` (default) or `team`.
    #[param(value_type = Option<String>, pattern = "^(objective|team)$")]
    pub group: Option<String>,
    /// The day lanes are derived from (default: today, UTC).
    #[param(value_type = Option<String>, format = Date)]
    pub today: Option<String>,
}

/// One feature on the roadmap.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RoadmapItem)]
pub struct RoadmapItemJson {
    pub work_item_id: Uuid,
    pub title: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub team_id: Option<Uuid>,
    pub lane: LaneJson,
    /// `entered` by the product manager, or `derived` from the dates.
    pub lane_source: &'static str,
    #[schema(value_type = Option<String>, format = Date)]
    pub start: Option<ApiDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub finish: Option<ApiDate>,
    /// `null` when the item has no dates.
    pub date_source: Option<DateSourceJson>,
    pub objective_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RoadmapGroup)]
pub struct RoadmapGroupJson {
    /// The objective's or team's id; `null` for items without one.
    pub key: Option<String>,
    pub label: String,
    pub work_item_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Roadmap)]
pub struct RoadmapJson {
    pub product_id: Uuid,
    #[schema(value_type = String, format = Date)]
    pub today: ApiDate,
    pub group: &'static str,
    pub items: Vec<RoadmapItemJson>,
    pub groups: Vec<RoadmapGroupJson>,
    /// The timeline's quarters, `2026-Q3`.
    pub quarters: Vec<String>,
}

impl From<&Roadmap> for RoadmapJson {
    fn from(roadmap: &Roadmap) -> Self {
        let items: Vec<RoadmapItemJson> = roadmap
            .items
            .iter()
            .map(|item| RoadmapItemJson {
                work_item_id: item.work_item_id.as_uuid(),
                title: item.title.clone(),
                kind: item.kind.as_str(),
                status: item.status.as_str(),
                team_id: item.team_id.map(|t| t.as_uuid()),
                lane: item.lane.into(),
                lane_source: if item.lane_entered { "entered" } else { "derived" },
                start: item.dates.map(|d| d.start().into()),
                finish: item.dates.map(|d| d.end().into()),
                date_source: item.date_source.map(Into::into),
                objective_ids: item.objective_ids.iter().map(|o| o.as_uuid()).collect(),
            })
            .collect();
        let groups = roadmap
            .groups
            .iter()
            .map(|g| RoadmapGroupJson {
                key: g.key.clone(),
                label: g.label.clone(),
                work_item_ids: g.items.iter().filter_map(|&i| items.get(i).map(|item| item.work_item_id)).collect(),
            })
            .collect();
        RoadmapJson {
            product_id: roadmap.product_id.as_uuid(),
            today: roadmap.today.into(),
            group: roadmap.grouping.as_str(),
            items,
            groups,
            quarters: roadmap.quarters.iter().map(|q| q.label()).collect(),
        }
    }
}

/// Parses the roadmap query (shared with the page).
pub fn roadmap_options(
    group: Option<&str>,
    today: Option<&str>,
) -> Result<(RoadmapGrouping, chrono::NaiveDate), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let grouping = parse_param(&mut errors, group, |raw| RoadmapGrouping::parse("group", raw)).unwrap_or_default();
    let today = parse_param(&mut errors, today, |raw| tandem_domain::values::parse_date("today", raw))
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    errors.into_result()?;
    Ok((grouping, today))
}

#[utoipa::path(get, path = "/api/v1/products/{id}/roadmap", tag = "strategy",
    params(("id" = Uuid, Path, description = "The product's id"), RoadmapQuery),
    responses(
        (status = 200, description = "The roadmap: lanes, dates with their source, groups and quarters", body = RoadmapJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`group` or `today` is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn product_roadmap(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProductId>,
    ApiQuery(query): ApiQuery<RoadmapQuery>,
) -> Result<Json<RoadmapJson>, ApiError> {
    let (grouping, today) = roadmap_options(query.group.as_deref(), query.today.as_deref())?;
    let roadmap = strategy::product_roadmap(caller.access(&state), id, today, grouping).await?;
    Ok(Json(RoadmapJson::from(&roadmap)))
}

/// What the product manager enters for a feature on the roadmap.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RoadmapEntryUpdate)]
pub struct RoadmapEntryUpdateJson {
    /// When given, must match the stored entry's version.
    pub version: Option<i64>,
    /// `null`: follow the dates.
    pub lane: Option<LaneJson>,
    #[schema(value_type = Option<String>, format = Date)]
    pub planned_start: Option<ApiDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub planned_finish: Option<ApiDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RoadmapEntry)]
pub struct RoadmapEntryJson {
    pub work_item_id: Uuid,
    pub lane: Option<LaneJson>,
    #[schema(value_type = Option<String>, format = Date)]
    pub planned_start: Option<ApiDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub planned_finish: Option<ApiDate>,
    pub version: i64,
}

impl From<&RoadmapEntry> for RoadmapEntryJson {
    fn from(entry: &RoadmapEntry) -> Self {
        RoadmapEntryJson {
            work_item_id: entry.id.as_uuid(),
            lane: entry.fields.lane.map(Into::into),
            planned_start: entry.fields.planned.map(|p| p.start().into()),
            planned_finish: entry.fields.planned.map(|p| p.end().into()),
            version: entry.meta.version,
        }
    }
}

#[utoipa::path(put, path = "/api/v1/work-items/{id}/roadmap-entry", tag = "strategy",
    params(("id" = Uuid, Path, description = "An epic or feature of a product")), request_body = RoadmapEntryUpdateJson,
    responses(
        (status = 200, description = "The entry as stored", body = RoadmapEntryJson),
        (status = 400, description = "The body is not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the item's product", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work item", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`version` is stale", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the item is not an epic or feature of a product", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_roadmap_entry(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<WorkItemId>,
    ApiJson(body): ApiJson<RoadmapEntryUpdateJson>,
) -> Result<Json<RoadmapEntryJson>, ApiError> {
    let fields = RoadmapEntryFields::parse(RoadmapEntryInput {
        lane: body.lane.map(|l| Lane::from(l).as_str().to_owned()),
        planned_start: body.planned_start.map(|d| d.0),
        planned_finish: body.planned_finish.map(|d| d.0),
    })?;
    let entry = caller.access(&state).put_roadmap_entry(id, body.version, fields).await?;
    Ok(Json(RoadmapEntryJson::from(&entry)))
}
