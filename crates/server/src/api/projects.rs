//! `/api/v1/projects`.

use serde::{Deserialize, Serialize};
use tandem_domain::{Access, Project, ProjectFields, ProjectFilter, ProjectId, ProjectInput, ValidationErrors};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::dates::{ApiDate, timestamp};
use crate::api::extract::{parse_id, parse_param};
use crate::api::listing::{ListResponse, page_request};
use crate::error::ApiError;

/// A stored project.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Project)]
pub struct ProjectJson {
    pub id: Uuid,
    pub program_id: Uuid,
    pub name: String,
    pub description: String,
    pub manager: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub start: ApiDate,
    /// Whole units of the program's currency.
    pub budget: Option<i64>,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Project> for ProjectJson {
    fn from(project: Project) -> Self {
        let fields = project.fields;
        ProjectJson {
            id: project.id.as_uuid(),
            program_id: fields.program_id.as_uuid(),
            name: fields.name.as_str().to_owned(),
            description: fields.description.as_str().to_owned(),
            manager: fields.manager.map(|m| m.as_str().to_owned()),
            start: fields.start.into(),
            budget: fields.budget.map(|b| b.amount()),
            version: project.meta.version,
            created_at: timestamp(project.meta.created_at),
            updated_at: timestamp(project.meta.updated_at),
        }
    }
}

/// A project to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewProject)]
pub struct NewProjectJson {
    pub program_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub manager: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub start: ApiDate,
    pub budget: Option<i64>,
}

/// A project's full replacement, naming the version it was read at.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProjectUpdate)]
pub struct ProjectUpdateJson {
    pub version: i64,
    pub program_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub manager: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub start: ApiDate,
    pub budget: Option<i64>,
}

impl From<NewProjectJson> for ProjectInput {
    fn from(body: NewProjectJson) -> Self {
        ProjectInput {
            program_id: tandem_domain::ProgramId::from_uuid(body.program_id),
            name: body.name,
            description: body.description,
            manager: body.manager,
            start: body.start.0,
            budget: body.budget,
        }
    }
}

impl ProjectUpdateJson {
    fn into_parts(self) -> (i64, ProjectInput) {
        let new = NewProjectJson {
            program_id: self.program_id,
            name: self.name,
            description: self.description,
            manager: self.manager,
            start: self.start,
            budget: self.budget,
        };
        (self.version, new.into())
    }
}

/// Filters of the project list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectListQuery {
    /// Only projects of this program.
    #[param(value_type = Option<Uuid>)]
    pub program_id: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

async fn list(store: Access<'_>, query: ProjectListQuery) -> Result<ListResponse<ProjectJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let filter = ProjectFilter {
        program: parse_param(&mut errors, query.program_id.as_deref(), |raw| parse_id("program_id", raw)),
        visible: None,
    };
    let page = page_request(&mut errors, query.limit.as_deref(), query.cursor.as_deref());
    errors.into_result()?;
    Ok(ListResponse::from_page(store.list_projects(&filter, &page).await?))
}

async fn create(store: Access<'_>, body: NewProjectJson) -> Result<ProjectJson, ApiError> {
    let fields = ProjectFields::parse(body.into())?;
    Ok(store.create_project(fields).await?.into())
}

async fn fetch(store: Access<'_>, id: ProjectId) -> Result<ProjectJson, ApiError> {
    Ok(store.get_project(id).await?.into())
}

async fn replace(store: Access<'_>, id: ProjectId, body: ProjectUpdateJson) -> Result<ProjectJson, ApiError> {
    let (version, input) = body.into_parts();
    let fields = ProjectFields::parse(input)?;
    Ok(store.update_project(id, version, fields).await?.into())
}

async fn remove(store: Access<'_>, id: ProjectId, version: Option<i64>) -> Result<(), ApiError> {
    Ok(store.delete_project(id, version).await?)
}

record_handlers! {
    tag: "projects",
    collection: "/api/v1/projects",
    item: "/api/v1/projects/{id}",
    id: ProjectId,
    json: ProjectJson,
    new: NewProjectJson,
    update: ProjectUpdateJson,
    query: ProjectListQuery,
    handlers: [list_projects, create_project, get_project, replace_project, delete_project],
}
