//! `/api/v1/milestones`.

use serde::{Deserialize, Serialize};
use tandem_domain::{
    Access, Milestone, MilestoneFields, MilestoneFilter, MilestoneId, MilestoneInput, ProjectId, ValidationErrors,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::dates::{ApiDate, timestamp};
use crate::api::extract::{parse_id, parse_param};
use crate::api::listing::{ListResponse, page_request};
use crate::error::ApiError;

/// A stored milestone.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Milestone)]
pub struct MilestoneJson {
    pub id: Uuid,
    pub project_id: Uuid,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub target_date: ApiDate,
    /// What is handed over when the milestone is reached.
    pub deliverable: String,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Milestone> for MilestoneJson {
    fn from(milestone: Milestone) -> Self {
        let fields = milestone.fields;
        MilestoneJson {
            id: milestone.id.as_uuid(),
            project_id: fields.project_id.as_uuid(),
            name: fields.name.as_str().to_owned(),
            target_date: fields.target_date.into(),
            deliverable: fields.deliverable.as_str().to_owned(),
            version: milestone.meta.version,
            created_at: timestamp(milestone.meta.created_at),
            updated_at: timestamp(milestone.meta.updated_at),
        }
    }
}

/// A milestone to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewMilestone)]
pub struct NewMilestoneJson {
    pub project_id: Uuid,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub target_date: ApiDate,
    #[serde(default)]
    pub deliverable: String,
}

/// A milestone's full replacement, naming the version it was read at.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MilestoneUpdate)]
pub struct MilestoneUpdateJson {
    pub version: i64,
    pub project_id: Uuid,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub target_date: ApiDate,
    #[serde(default)]
    pub deliverable: String,
}

impl From<NewMilestoneJson> for MilestoneInput {
    fn from(body: NewMilestoneJson) -> Self {
        MilestoneInput {
            project_id: ProjectId::from_uuid(body.project_id),
            name: body.name,
            target_date: body.target_date.0,
            deliverable: body.deliverable,
        }
    }
}

impl MilestoneUpdateJson {
    fn into_parts(self) -> (i64, MilestoneInput) {
        let new = NewMilestoneJson {
            project_id: self.project_id,
            name: self.name,
            target_date: self.target_date,
            deliverable: self.deliverable,
        };
        (self.version, new.into())
    }
}

/// Filters of the milestone list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MilestoneListQuery {
    /// Milestones in a project of this program.
    #[param(value_type = Option<Uuid>)]
    pub program_id: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub project_id: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

async fn list(store: Access<'_>, query: MilestoneListQuery) -> Result<ListResponse<MilestoneJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let filter = MilestoneFilter {
        program: parse_param(&mut errors, query.program_id.as_deref(), |raw| parse_id("program_id", raw)),
        project: parse_param(&mut errors, query.project_id.as_deref(), |raw| parse_id("project_id", raw)),
        visible: None,
    };
    let page = page_request(&mut errors, query.limit.as_deref(), query.cursor.as_deref());
    errors.into_result()?;
    Ok(ListResponse::from_page(store.list_milestones(&filter, &page).await?))
}

async fn create(store: Access<'_>, body: NewMilestoneJson) -> Result<MilestoneJson, ApiError> {
    let fields = MilestoneFields::parse(body.into())?;
    Ok(store.create_milestone(fields).await?.into())
}

async fn fetch(store: Access<'_>, id: MilestoneId) -> Result<MilestoneJson, ApiError> {
    Ok(store.get_milestone(id).await?.into())
}

async fn replace(store: Access<'_>, id: MilestoneId, body: MilestoneUpdateJson) -> Result<MilestoneJson, ApiError> {
    let (version, input) = body.into_parts();
    let fields = MilestoneFields::parse(input)?;
    Ok(store.update_milestone(id, version, fields).await?.into())
}

async fn remove(store: Access<'_>, id: MilestoneId, version: Option<i64>) -> Result<(), ApiError> {
    Ok(store.delete_milestone(id, version).await?)
}

record_handlers! {
    tag: "milestones",
    collection: "/api/v1/milestones",
    item: "/api/v1/milestones/{id}",
    id: MilestoneId,
    json: MilestoneJson,
    new: NewMilestoneJson,
    update: MilestoneUpdateJson,
    query: MilestoneListQuery,
    handlers: [list_milestones, create_milestone, get_milestone, replace_milestone, delete_milestone],
}
