//! `/api/v1/risks` and a program's heat map, `/api/v1/programs/{id}/risk-matrix`.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tandem_domain::risk::{self, StatusChoice};
use tandem_domain::{
    Access, MitigationInput, ProgramId, ProjectId, Risk, RiskCategory, RiskFields, RiskFilter, RiskId, RiskInput,
    RiskMatrix, RiskResponse, RiskStatus, ValidationErrors, WorkItemId,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api::dates::{ApiDate, timestamp};
use crate::api::extract::{ApiQuery, RecordPath, parse_id, parse_param};
use crate::api::listing::{ListResponse, page_request};
use crate::auth::Caller;
use crate::error::ApiError;

/// A JSON twin of a domain word enum, mapped both ways.
macro_rules! json_enum {
    ($(#[$doc:meta])* $Json:ident as $schema:ident <=> $Domain:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        #[schema(as = $schema)]
        pub enum $Json {
            $($variant),+
        }

        impl From<$Json> for $Domain {
            fn from(value: $Json) -> Self {
                match value {
                    $($Json::$variant => $Domain::$variant),+
                }
            }
        }

        impl From<$Domain> for $Json {
            fn from(value: $Domain) -> Self {
                match value {
                    $($Domain::$variant => $Json::$variant),+
                }
            }
        }
    };
}

json_enum!(
    /// What kind of trouble a risk is.
    RiskCategoryJson as RiskCategory <=> RiskCategory {
        Schedule, Cost, Scope, Quality, Resource, Technical, External, Compliance
    }
);
json_enum!(
    /// How the program answers the risk.
    RiskResponseJson as RiskResponse <=> RiskResponse { Avoid, Mitigate, Transfer, Accept, Escalate }
);
json_enum!(
    /// Open (may happen), occurring (happening now) or closed.
    RiskStatusJson as RiskStatus <=> RiskStatus { Open, Occurring, Closed }
);

/// Extra working days on each hit work item should the risk occur: optimistic <= most likely <=
/// pessimistic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ScheduleImpact)]
pub struct ScheduleImpactJson {
    pub optimistic: f64,
    pub most_likely: f64,
    pub pessimistic: f64,
}

/// One action against a risk.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Mitigation)]
pub struct MitigationJson {
    pub description: String,
    #[schema(value_type = String, format = Date)]
    pub due_date: ApiDate,
    #[serde(default)]
    pub done: bool,
}

/// The score: probability band (1-5: up to 10 %, 30 %, 50 %, 70 %, above) times impact band
/// (1-5 on the most-likely extra days: up to 2, 5, 10, 20, above).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RiskScore)]
pub struct RiskScoreJson {
    pub probability_band: u8,
    pub impact_band: u8,
    /// `probability_band * impact_band`, 1 to 25.
    pub value: u8,
    /// `low` (1-4), `medium` (5-9), `high` (10-16) or `critical` (20-25).
    pub rating: &'static str,
}

impl From<risk::RiskScore> for RiskScoreJson {
    fn from(score: risk::RiskScore) -> Self {
        RiskScoreJson {
            probability_band: score.probability_band,
            impact_band: score.impact_band,
            value: score.value(),
            rating: score.rating().as_str(),
        }
    }
}

/// A stored risk.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Risk)]
pub struct RiskJson {
    pub id: Uuid,
    pub program_id: Uuid,
    /// The project it belongs to; `null` for a risk of the whole program.
    pub project_id: Option<Uuid>,
    pub title: String,
    pub cause: String,
    pub effect: String,
    pub owner: Option<String>,
    pub category: RiskCategoryJson,
    /// Percent, 0 to 100.
    pub probability: u8,
    pub schedule_impact: ScheduleImpactJson,
    /// The work items the schedule impact lands on.
    pub work_item_ids: Vec<Uuid>,
    /// Whole units of the program's currency.
    pub cost_impact: Option<i64>,
    pub response: RiskResponseJson,
    pub mitigations: Vec<MitigationJson>,
    /// The warning sign that the risk is about to occur.
    pub trigger: String,
    pub status: RiskStatusJson,
    pub score: RiskScoreJson,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Risk> for RiskJson {
    fn from(risk: Risk) -> Self {
        let score = risk.fields.score().into();
        let fields = risk.fields;
        RiskJson {
            id: risk.id.as_uuid(),
            program_id: fields.program_id.as_uuid(),
            project_id: fields.project_id.map(|id| id.as_uuid()),
            title: fields.title.as_str().to_owned(),
            cause: fields.cause.as_str().to_owned(),
            effect: fields.effect.as_str().to_owned(),
            owner: fields.owner.map(|o| o.as_str().to_owned()),
            category: fields.category.into(),
            probability: fields.probability.percent(),
            schedule_impact: ScheduleImpactJson {
                optimistic: fields.schedule_impact.optimistic(),
                most_likely: fields.schedule_impact.most_likely(),
                pessimistic: fields.schedule_impact.pessimistic(),
            },
            work_item_ids: fields.work_item_ids.iter().map(|id| id.as_uuid()).collect(),
            cost_impact: fields.cost_impact.map(|c| c.amount()),
            response: fields.response.into(),
            mitigations: fields
                .mitigations
                .into_iter()
                .map(|m| MitigationJson {
                    description: m.description.as_str().to_owned(),
                    due_date: m.due_date.into(),
                    done: m.done,
                })
                .collect(),
            trigger: fields.trigger.as_str().to_owned(),
            status: fields.status.into(),
            score,
            version: risk.meta.version,
            created_at: timestamp(risk.meta.created_at),
            updated_at: timestamp(risk.meta.updated_at),
        }
    }
}

/// A risk to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewRisk)]
pub struct NewRiskJson {
    pub program_id: Uuid,
    /// A project of the program, for a project risk.
    pub project_id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub effect: String,
    pub owner: Option<String>,
    pub category: RiskCategoryJson,
    /// Percent, 0 to 100.
    pub probability: i64,
    pub schedule_impact: ScheduleImpactJson,
    /// Work items in projects of the program, at most 100, each once.
    #[serde(default)]
    pub work_item_ids: Vec<Uuid>,
    pub cost_impact: Option<i64>,
    pub response: RiskResponseJson,
    #[serde(default)]
    pub mitigations: Vec<MitigationJson>,
    #[serde(default)]
    pub trigger: String,
    /// Default `open`.
    pub status: Option<RiskStatusJson>,
}

/// A risk's full replacement, naming the version it was read at.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RiskUpdate)]
pub struct RiskUpdateJson {
    pub version: i64,
    pub program_id: Uuid,
    pub project_id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub effect: String,
    pub owner: Option<String>,
    pub category: RiskCategoryJson,
    pub probability: i64,
    pub schedule_impact: ScheduleImpactJson,
    #[serde(default)]
    pub work_item_ids: Vec<Uuid>,
    pub cost_impact: Option<i64>,
    pub response: RiskResponseJson,
    #[serde(default)]
    pub mitigations: Vec<MitigationJson>,
    #[serde(default)]
    pub trigger: String,
    pub status: Option<RiskStatusJson>,
}

impl From<NewRiskJson> for RiskInput {
    fn from(body: NewRiskJson) -> Self {
        RiskInput {
            program_id: ProgramId::from_uuid(body.program_id),
            project_id: body.project_id.map(ProjectId::from_uuid),
            title: body.title,
            cause: body.cause,
            effect: body.effect,
            owner: body.owner,
            category: body.category.into(),
            probability: body.probability,
            impact_optimistic: body.schedule_impact.optimistic,
            impact_most_likely: body.schedule_impact.most_likely,
            impact_pessimistic: body.schedule_impact.pessimistic,
            work_item_ids: body.work_item_ids.into_iter().map(WorkItemId::from_uuid).collect(),
            cost_impact: body.cost_impact,
            response: body.response.into(),
            mitigations: body
                .mitigations
                .into_iter()
                .map(|m| MitigationInput { description: m.description, due_date: Some(m.due_date.0), done: m.done })
                .collect(),
            trigger: body.trigger,
            status: body.status.map_or(RiskStatus::Open, Into::into),
        }
    }
}

impl RiskUpdateJson {
    fn into_parts(self) -> (i64, RiskInput) {
        let new = NewRiskJson {
            program_id: self.program_id,
            project_id: self.project_id,
            title: self.title,
            cause: self.cause,
            effect: self.effect,
            owner: self.owner,
            category: self.category,
            probability: self.probability,
            schedule_impact: self.schedule_impact,
            work_item_ids: self.work_item_ids,
            cost_impact: self.cost_impact,
            response: self.response,
            mitigations: self.mitigations,
            trigger: self.trigger,
            status: self.status,
        };
        (self.version, new.into())
    }
}

/// Filters of the risk list; they combine with AND. The list is in creation order (the ranked
/// register is the program's risk page).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskListQuery {
    #[param(value_type = Option<Uuid>)]
    pub program_id: Option<String>,
    /// Risks of this project (not the program-wide ones).
    #[param(value_type = Option<Uuid>)]
    pub project_id: Option<String>,
    #[param(value_type = Option<RiskStatusJson>)]
    pub status: Option<String>,
    #[param(value_type = Option<RiskCategoryJson>)]
    pub category: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

async fn list(store: Access<'_>, query: RiskListQuery) -> Result<ListResponse<RiskJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let filter = RiskFilter {
        program: parse_param(&mut errors, query.program_id.as_deref(), |raw| parse_id("program_id", raw)),
        project: parse_param(&mut errors, query.project_id.as_deref(), |raw| parse_id("project_id", raw)),
        status: parse_param(&mut errors, query.status.as_deref(), |raw| RiskStatus::parse("status", raw)),
        category: parse_param(&mut errors, query.category.as_deref(), |raw| RiskCategory::parse("category", raw)),
        visible: None,
    };
    let page = page_request(&mut errors, query.limit.as_deref(), query.cursor.as_deref());
    errors.into_result()?;
    Ok(ListResponse::from_page(store.list_risks(&filter, &page).await?))
}

async fn create(store: Access<'_>, body: NewRiskJson) -> Result<RiskJson, ApiError> {
    let fields = RiskFields::parse(body.into())?;
    Ok(store.create_risk(fields).await?.into())
}

async fn fetch(store: Access<'_>, id: RiskId) -> Result<RiskJson, ApiError> {
    Ok(store.get_risk(id).await?.into())
}

async fn replace(store: Access<'_>, id: RiskId, body: RiskUpdateJson) -> Result<RiskJson, ApiError> {
    let (version, input) = body.into_parts();
    let fields = RiskFields::parse(input)?;
    Ok(store.update_risk(id, version, fields).await?.into())
}

async fn remove(store: Access<'_>, id: RiskId, version: Option<i64>) -> Result<(), ApiError> {
    Ok(store.delete_risk(id, version).await?)
}

record_handlers! {
    tag: "risks",
    collection: "/api/v1/risks",
    item: "/api/v1/risks/{id}",
    id: RiskId,
    json: RiskJson,
    new: NewRiskJson,
    update: RiskUpdateJson,
    query: RiskListQuery,
    handlers: [list_risks, create_risk, get_risk, replace_risk, delete_risk],
}

/// Which risks the heat map counts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RiskMatrixQuery {
    /// `active` (open and occurring, the default), `all`, `open`, `occurring` or `closed`.
    #[param(value_type = Option<String>, pattern = "^(active|all|open|occurring|closed)$")]
    pub status: Option<String>,
    #[param(value_type = Option<RiskCategoryJson>)]
    pub category: Option<String>,
}

/// One cell of the 5 x 5 grid.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RiskMatrixCell)]
pub struct RiskMatrixCellJson {
    /// 1 (up to 10 %) to 5 (above 70 %).
    pub probability_band: u8,
    /// 1 (up to 2 most-likely days) to 5 (above 20).
    pub impact_band: u8,
    /// `probability_band * impact_band`.
    pub score: u8,
    /// `low`, `medium`, `high` or `critical`.
    pub rating: &'static str,
    /// Risks in the cell.
    pub count: u32,
}

/// A program's probability-impact heat map.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RiskMatrix)]
pub struct RiskMatrixJson {
    pub program_id: Uuid,
    /// The status filter applied: `active`, `all`, or one status.
    pub status: &'static str,
    pub category: Option<RiskCategoryJson>,
    /// Risks counted.
    pub total: u32,
    /// All 25 cells, probability band 1 to 5, within it impact band 1 to 5.
    pub cells: Vec<RiskMatrixCellJson>,
}

impl RiskMatrixJson {
    fn new(program: ProgramId, status: StatusChoice, category: Option<RiskCategory>, matrix: &RiskMatrix) -> Self {
        let mut cells = Vec::with_capacity(25);
        for probability_band in 1..=5 {
            for impact_band in 1..=5 {
                let score = risk::RiskScore { probability_band, impact_band };
                cells.push(RiskMatrixCellJson {
                    probability_band,
                    impact_band,
                    score: score.value(),
                    rating: score.rating().as_str(),
                    count: matrix.count(probability_band, impact_band),
                });
            }
        }
        RiskMatrixJson {
            program_id: program.as_uuid(),
            status: status.as_str(),
            category: category.map(Into::into),
            total: matrix.total(),
            cells,
        }
    }
}

/// The program's risks counted on the 5 x 5 probability-impact grid (open and occurring ones
/// unless `status` says otherwise).
#[utoipa::path(
    get,
    path = "/api/v1/programs/{id}/risk-matrix",
    tag = "risks",
    params(("id" = uuid::Uuid, Path, description = "The program's id"), RiskMatrixQuery),
    responses(
        (status = 200, description = "The heat map", body = RiskMatrixJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such program you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn program_risk_matrix(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProgramId>,
    ApiQuery(query): ApiQuery<RiskMatrixQuery>,
) -> Result<Json<RiskMatrixJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let status =
        parse_param(&mut errors, query.status.as_deref(), |raw| StatusChoice::parse("status", raw)).unwrap_or_default();
    let category = parse_param(&mut errors, query.category.as_deref(), |raw| RiskCategory::parse("category", raw));
    errors.into_result()?;
    let risks = risk::load_register(caller.access(&state), id, status, category).await?;
    Ok(Json(RiskMatrixJson::new(id, status, category, &RiskMatrix::of(&risks))))
}
