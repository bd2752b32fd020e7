//! `/api/v1/teams`.

use serde::{Deserialize, Serialize};
use tandem_domain::values::weekday_name;
use tandem_domain::{Access, Team, TeamFields, TeamFilter, TeamId, TeamInput, ValidationErrors};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::dates::{ApiDate, timestamp};
use crate::api::listing::{ListResponse, page_request};
use crate::error::ApiError;

/// A stored team.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Team)]
pub struct TeamJson {
    pub id: Uuid,
    pub name: String,
    /// People available at once.
    pub capacity: u32,
    /// Working weekdays, Monday first: `mon` ... `sun`.
    pub working_days: Vec<String>,
    /// Non-working dates, sorted.
    #[schema(value_type = Vec<String>)]
    pub holidays: Vec<ApiDate>,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Team> for TeamJson {
    fn from(team: Team) -> Self {
        let fields = team.fields;
        TeamJson {
            id: team.id.as_uuid(),
            name: fields.name.as_str().to_owned(),
            capacity: fields.capacity.get(),
            working_days: fields.calendar.week().days().into_iter().map(|d| weekday_name(d).to_owned()).collect(),
            holidays: fields.calendar.holidays().iter().copied().map(ApiDate).collect(),
            version: team.meta.version,
            created_at: timestamp(team.meta.created_at),
            updated_at: timestamp(team.meta.updated_at),
        }
    }
}

/// A team to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewTeam)]
pub struct NewTeamJson {
    pub name: String,
    pub capacity: i64,
    /// Default Monday to Friday.
    pub working_days: Option<Vec<String>>,
    /// Default none.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub holidays: Vec<ApiDate>,
}

/// A team's full replacement, naming the version it was read at.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TeamUpdate)]
pub struct TeamUpdateJson {
    pub version: i64,
    pub name: String,
    pub capacity: i64,
    pub working_days: Option<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub holidays: Vec<ApiDate>,
}

impl From<NewTeamJson> for TeamInput {
    fn from(body: NewTeamJson) -> Self {
        TeamInput {
            name: body.name,
            capacity: body.capacity,
            working_days: body.working_days,
            holidays: body.holidays.into_iter().map(|d| d.0).collect(),
        }
    }
}

impl TeamUpdateJson {
    fn into_parts(self) -> (i64, TeamInput) {
        let new = NewTeamJson {
            name: self.name,
            capacity: self.capacity,
            working_days: self.working_days,
            holidays: self.holidays,
        };
        (self.version, new.into())
    }
}

/// Paging of the team list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamListQuery {
    /// Page size, 1 to 500 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

async fn list(store: Access<'_>, query: TeamListQuery) -> Result<ListResponse<TeamJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let page = page_request(&mut errors, query.limit.as_deref(), query.cursor.as_deref());
    errors.into_result()?;
    Ok(ListResponse::from_page(store.list_teams(&TeamFilter::default(), &page).await?))
}

async fn create(store: Access<'_>, body: NewTeamJson) -> Result<TeamJson, ApiError> {
    let fields = TeamFields::parse(body.into())?;
    Ok(store.create_team(fields).await?.into())
}

async fn fetch(store: Access<'_>, id: TeamId) -> Result<TeamJson, ApiError> {
    Ok(store.get_team(id).await?.into())
}

async fn replace(store: Access<'_>, id: TeamId, body: TeamUpdateJson) -> Result<TeamJson, ApiError> {
    let (version, input) = body.into_parts();
    let fields = TeamFields::parse(input)?;
    Ok(store.update_team(id, version, fields).await?.into())
}

async fn remove(store: Access<'_>, id: TeamId, version: Option<i64>) -> Result<(), ApiError> {
    Ok(store.delete_team(id, version).await?)
}

record_handlers! {
    tag: "teams",
    collection: "/api/v1/teams",
    item: "/api/v1/teams/{id}",
    id: TeamId,
    json: TeamJson,
    new: NewTeamJson,
    update: TeamUpdateJson,
    query: TeamListQuery,
    handlers: [list_teams, create_team, get_team, replace_team, delete_team],
}
