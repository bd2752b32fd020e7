//! `/api/v1/programs`.

use serde::{Deserialize, Serialize};
use tandem_domain::{
    Access, Program, ProgramFields, ProgramFilter, ProgramId, ProgramInput, ProgramPhase, ValidationErrors,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::dates::{ApiDate, timestamp};
use crate::api::extract::parse_param;
use crate::api::listing::{ListResponse, page_request};
use crate::error::ApiError;

/// The program life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ProgramPhase)]
pub enum ProgramPhaseJson {
    #[default]
    Definition,
    Delivery,
    Closure,
}

impl From<ProgramPhaseJson> for ProgramPhase {
    fn from(phase: ProgramPhaseJson) -> Self {
        match phase {
            ProgramPhaseJson::Definition => ProgramPhase::Definition,
            ProgramPhaseJson::Delivery => ProgramPhase::Delivery,
            ProgramPhaseJson::Closure => ProgramPhase::Closure,
        }
    }
}

impl From<ProgramPhase> for ProgramPhaseJson {
    fn from(phase: ProgramPhase) -> Self {
        match phase {
            ProgramPhase::Definition => ProgramPhaseJson::Definition,
            ProgramPhase::Delivery => ProgramPhaseJson::Delivery,
            ProgramPhase::Closure => ProgramPhaseJson::Closure,
        }
    }
}

/// A stored program.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Program)]
pub struct ProgramJson {
    pub id: Uuid,
    pub name: String,
    pub goal: String,
    pub sponsor: Option<String>,
    pub phase: ProgramPhaseJson,
    #[schema(value_type = String, format = Date)]
    pub start: ApiDate,
    #[schema(value_type = String, format = Date)]
    pub target_end: ApiDate,
    /// Whole currency units.
    pub budget: Option<i64>,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    /// The day plans and forecasts are made as of: open work starts no earlier. `null`: the day
    /// they are computed, so open work is never planned in the past.
    #[schema(value_type = Option<String>, format = Date)]
    pub status_date: Option<ApiDate>,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Program> for ProgramJson {
    fn from(program: Program) -> Self {
        let fields = program.fields;
        ProgramJson {
            id: program.id.as_uuid(),
            name: fields.name.as_str().to_owned(),
            goal: fields.goal.as_str().to_owned(),
            sponsor: fields.sponsor.map(|s| s.as_str().to_owned()),
            phase: fields.phase.into(),
            start: fields.dates.start().into(),
            target_end: fields.dates.end().into(),
            budget: fields.budget.map(|b| b.amount()),
            currency: fields.currency.as_str().to_owned(),
            status_date: fields.status_date.map(ApiDate::from),
            version: program.meta.version,
            created_at: timestamp(program.meta.created_at),
            updated_at: timestamp(program.meta.updated_at),
        }
    }
}

/// A program to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewProgram)]
pub struct NewProgramJson {
    pub name: String,
    #[serde(default)]
    pub goal: String,
    pub sponsor: Option<String>,
    /// Default `definition`.
    #[serde(default)]
    pub phase: ProgramPhaseJson,
    #[schema(value_type = String, format = Date)]
    pub start: ApiDate,
    #[schema(value_type = String, format = Date)]
    pub target_end: ApiDate,
    pub budget: Option<i64>,
    /// Default `USD`.
    pub currency: Option<String>,
    /// The day plans and forecasts are made as of (open work starts no earlier). Absent or
    /// `null`: none, so they are made as of the day they are computed.
    #[schema(value_type = Option<String>, format = Date)]
    pub status_date: Option<ApiDate>,
}

/// A program's full replacement, naming the version it was read at.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProgramUpdate)]
pub struct ProgramUpdateJson {
    pub version: i64,
    pub name: String,
    #[serde(default)]
    pub goal: String,
    pub sponsor: Option<String>,
    #[serde(default)]
    pub phase: ProgramPhaseJson,
    #[schema(value_type = String, format = Date)]
    pub start: ApiDate,
    #[schema(value_type = String, format = Date)]
    pub target_end: ApiDate,
    pub budget: Option<i64>,
    pub currency: Option<String>,
    /// Absent or `null`: none.
    #[schema(value_type = Option<String>, format = Date)]
    pub status_date: Option<ApiDate>,
}

impl From<NewProgramJson> for ProgramInput {
    fn from(body: NewProgramJson) -> Self {
        ProgramInput {
            name: body.name,
            goal: body.goal,
            sponsor: body.sponsor,
            phase: body.phase.into(),
            start: body.start.0,
            target_end: body.target_end.0,
            budget: body.budget,
            currency: body.currency,
            status_date: body.status_date.map(|d| d.0),
        }
    }
}

impl ProgramUpdateJson {
    fn into_parts(self) -> (i64, ProgramInput) {
        let new = NewProgramJson {
            name: self.name,
            goal: self.goal,
            sponsor: self.sponsor,
            phase: self.phase,
            start: self.start,
            target_end: self.target_end,
            budget: self.budget,
            currency: self.currency,
            status_date: self.status_date,
        };
        (self.version, new.into())
    }
}

/// Filters of the program list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgramListQuery {
    /// Only programs in this phase.
    #[param(value_type = Option<ProgramPhaseJson>)]
    pub phase: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

async fn list(store: Access<'_>, query: ProgramListQuery) -> Result<ListResponse<ProgramJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let filter = ProgramFilter {
        phase: parse_param(&mut errors, query.phase.as_deref(), |raw| ProgramPhase::parse("phase", raw)),
        visible: None,
    };
    let page = page_request(&mut errors, query.limit.as_deref(), query.cursor.as_deref());
    errors.into_result()?;
    Ok(ListResponse::from_page(store.list_programs(&filter, &page).await?))
}

async fn create(store: Access<'_>, body: NewProgramJson) -> Result<ProgramJson, ApiError> {
    let fields = ProgramFields::parse(body.into())?;
    Ok(store.create_program(fields).await?.into())
}

async fn fetch(store: Access<'_>, id: ProgramId) -> Result<ProgramJson, ApiError> {
    Ok(store.get_program(id).await?.into())
}

async fn replace(store: Access<'_>, id: ProgramId, body: ProgramUpdateJson) -> Result<ProgramJson, ApiError> {
    let (version, input) = body.into_parts();
    let fields = ProgramFields::parse(input)?;
    Ok(store.update_program(id, version, fields).await?.into())
}

async fn remove(store: Access<'_>, id: ProgramId, version: Option<i64>) -> Result<(), ApiError> {
    Ok(store.delete_program(id, version).await?)
}

record_handlers! {
    tag: "programs",
    collection: "/api/v1/programs",
    item: "/api/v1/programs/{id}",
    id: ProgramId,
    json: ProgramJson,
    new: NewProgramJson,
    update: ProgramUpdateJson,
    query: ProgramListQuery,
    handlers: [list_programs, create_program, get_program, replace_program, delete_program],
}
