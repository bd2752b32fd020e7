//! `/api/v1/dependencies`.

use serde::{Deserialize, Serialize};
use tandem_domain::{
    Access, Dependency, DependencyFields, DependencyFilter, DependencyId, DependencyInput, DependencyKind, FieldError,
    MilestoneId, NodeRef, ValidationErrors, WorkItemId,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::dates::timestamp;
use crate::api::extract::{parse_id, parse_param};
use crate::api::listing::{ListResponse, page_request};
use crate::error::ApiError;

/// What a dependency constrains, read "predecessor X-to-Y successor".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = DependencyKind)]
pub enum DependencyKindJson {
    #[default]
    FinishToStart,
    StartToStart,
    FinishToFinish,
    StartToFinish,
}

impl From<DependencyKindJson> for DependencyKind {
    fn from(kind: DependencyKindJson) -> Self {
        match kind {
            DependencyKindJson::FinishToStart => DependencyKind::FinishToStart,
            DependencyKindJson::StartToStart => DependencyKind::StartToStart,
            DependencyKindJson::FinishToFinish => DependencyKind::FinishToFinish,
            DependencyKindJson::StartToFinish => DependencyKind::StartToFinish,
        }
    }
}

impl From<DependencyKind> for DependencyKindJson {
    fn from(kind: DependencyKind) -> Self {
        match kind {
            DependencyKind::FinishToStart => DependencyKindJson::FinishToStart,
            DependencyKind::StartToStart => DependencyKindJson::StartToStart,
            DependencyKind::FinishToFinish => DependencyKindJson::FinishToFinish,
            DependencyKind::StartToFinish => DependencyKindJson::StartToFinish,
        }
    }
}

/// What a dependency end is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = NodeType)]
pub enum NodeTypeJson {
    WorkItem,
    Milestone,
}

/// One end of a dependency: a work item or a milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NodeRef)]
pub struct NodeRefJson {
    #[serde(rename = "type")]
    pub node_type: NodeTypeJson,
    pub id: Uuid,
}

impl From<NodeRefJson> for NodeRef {
    fn from(node: NodeRefJson) -> Self {
        match node.node_type {
            NodeTypeJson::WorkItem => NodeRef::WorkItem(WorkItemId::from_uuid(node.id)),
            NodeTypeJson::Milestone => NodeRef::Milestone(MilestoneId::from_uuid(node.id)),
        }
    }
}

impl From<NodeRef> for NodeRefJson {
    fn from(node: NodeRef) -> Self {
        match node {
            NodeRef::WorkItem(id) => NodeRefJson { node_type: NodeTypeJson::WorkItem, id: id.as_uuid() },
            NodeRef::Milestone(id) => NodeRefJson { node_type: NodeTypeJson::Milestone, id: id.as_uuid() },
        }
    }
}

/// A stored dependency.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Dependency)]
pub struct DependencyJson {
    pub id: Uuid,
    pub predecessor: NodeRefJson,
    pub successor: NodeRefJson,
    pub kind: DependencyKindJson,
    /// Working days; negative means overlap (a lead).
    pub lag_days: i32,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Dependency> for DependencyJson {
    fn from(dependency: Dependency) -> Self {
        let fields = dependency.fields;
        DependencyJson {
            id: dependency.id.as_uuid(),
            predecessor: fields.predecessor.into(),
            successor: fields.successor.into(),
            kind: fields.kind.into(),
            lag_days: fields.lag.days(),
            version: dependency.meta.version,
            created_at: timestamp(dependency.meta.created_at),
            updated_at: timestamp(dependency.meta.updated_at),
        }
    }
}

/// A dependency to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewDependency)]
pub struct NewDependencyJson {
    pub predecessor: NodeRefJson,
    pub successor: NodeRefJson,
    /// Default `finish_to_start`.
    #[serde(default)]
    pub kind: DependencyKindJson,
    /// Default 0.
    #[serde(default)]
    pub lag_days: i64,
}

/// A dependency's full replacement, naming the version it was read at. Only `kind` and
/// `lag_days` may change; to link other ends, delete it and create another.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DependencyUpdate)]
pub struct DependencyUpdateJson {
    pub version: i64,
    pub predecessor: NodeRefJson,
    pub successor: NodeRefJson,
    #[serde(default)]
    pub kind: DependencyKindJson,
    #[serde(default)]
    pub lag_days: i64,
}

impl From<NewDependencyJson> for DependencyInput {
    fn from(body: NewDependencyJson) -> Self {
        DependencyInput {
            predecessor: body.predecessor.into(),
            successor: body.successor.into(),
            kind: body.kind.into(),
            lag_days: body.lag_days,
        }
    }
}

impl DependencyUpdateJson {
    fn into_parts(self) -> (i64, DependencyInput) {
        let new = NewDependencyJson {
            predecessor: self.predecessor,
            successor: self.successor,
            kind: self.kind,
            lag_days: self.lag_days,
        };
        (self.version, new.into())
    }
}

/// Filters of the dependency list; they combine with AND and match when either end satisfies them.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DependencyListQuery {
    /// Either end lies in a project of this program.
    #[param(value_type = Option<Uuid>)]
    pub program_id: Option<String>,
    /// Either end lies in this project.
    #[param(value_type = Option<Uuid>)]
    pub project_id: Option<String>,
    /// Either end is this work item (not together with `milestone_id`).
    #[param(value_type = Option<Uuid>)]
    pub work_item_id: Option<String>,
    /// Either end is this milestone (not together with `work_item_id`).
    #[param(value_type = Option<Uuid>)]
    pub milestone_id: Option<String>,
    /// `true`: only dependencies whose ends lie in different projects.
    #[param(value_type = Option<bool>)]
    pub cross_project: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn parse_bool(field: &str, raw: &str) -> Result<bool, FieldError> {
    match raw.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(FieldError::new(field, "invalid", "must be true or false")),
    }
}

async fn list(store: Access<'_>, query: DependencyListQuery) -> Result<ListResponse<DependencyJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let work_item = parse_param(&mut errors, query.work_item_id.as_deref(), |raw| parse_id("work_item_id", raw));
    let milestone = parse_param(&mut errors, query.milestone_id.as_deref(), |raw| parse_id("milestone_id", raw));
    let node = match (work_item, milestone) {
        (Some(_), Some(_)) => {
            errors.add("milestone_id", "conflict", "give either work_item_id or milestone_id, not both");
            None
        }
        (Some(id), None) => Some(NodeRef::WorkItem(id)),
        (None, Some(id)) => Some(NodeRef::Milestone(id)),
        (None, None) => None,
    };
    let filter = DependencyFilter {
        program: parse_param(&mut errors, query.program_id.as_deref(), |raw| parse_id("program_id", raw)),
        project: parse_param(&mut errors, query.project_id.as_deref(), |raw| parse_id("project_id", raw)),
        node,
        cross_project_only: parse_param(&mut errors, query.cross_project.as_deref(), |raw| {
            parse_bool("cross_project", raw)
        })
        .unwrap_or(false),
        visible: None,
    };
    let page = page_request(&mut errors, query.limit.as_deref(), query.cursor.as_deref());
    errors.into_result()?;
    Ok(ListResponse::from_page(store.list_dependencies(&filter, &page).await?))
}

async fn create(store: Access<'_>, body: NewDependencyJson) -> Result<DependencyJson, ApiError> {
    let fields = DependencyFields::parse(body.into())?;
    Ok(store.create_dependency(fields).await?.into())
}

async fn fetch(store: Access<'_>, id: DependencyId) -> Result<DependencyJson, ApiError> {
    Ok(store.get_dependency(id).await?.into())
}

async fn replace(store: Access<'_>, id: DependencyId, body: DependencyUpdateJson) -> Result<DependencyJson, ApiError> {
    let (version, input) = body.into_parts();
    let fields = DependencyFields::parse(input)?;
    Ok(store.update_dependency(id, version, fields).await?.into())
}

async fn remove(store: Access<'_>, id: DependencyId, version: Option<i64>) -> Result<(), ApiError> {
    Ok(store.delete_dependency(id, version).await?)
}

record_handlers! {
    tag: "dependencies",
    collection: "/api/v1/dependencies",
    item: "/api/v1/dependencies/{id}",
    id: DependencyId,
    json: DependencyJson,
    new: NewDependencyJson,
    update: DependencyUpdateJson,
    query: DependencyListQuery,
    handlers: [list_dependencies, create_dependency, get_dependency, replace_dependency, delete_dependency],
}
