//! `/api/v1/work-items`.

use serde::{Deserialize, Serialize};
use tandem_domain::{
    Access, ProductId, ProjectId, Rank, TeamId, ValidationErrors, WorkItem, WorkItemFields, WorkItemFilter, WorkItemId,
    WorkItemInput, WorkItemKind, WorkItemOrder, WorkItemStatus,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::dates::{ApiDate, timestamp};
use crate::api::extract::{parse_id, parse_param};
use crate::api::listing::{ListResponse, page_request};
use crate::error::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WorkItemKind)]
pub enum WorkItemKindJson {
    Epic,
    Feature,
    Story,
    Task,
    Bug,
}

impl From<WorkItemKindJson> for WorkItemKind {
    fn from(kind: WorkItemKindJson) -> Self {
        match kind {
            WorkItemKindJson::Epic => WorkItemKind::Epic,
            WorkItemKindJson::Feature => WorkItemKind::Feature,
            WorkItemKindJson::Story => WorkItemKind::Story,
            WorkItemKindJson::Task => WorkItemKind::Task,
            WorkItemKindJson::Bug => WorkItemKind::Bug,
        }
    }
}

impl From<WorkItemKind> for WorkItemKindJson {
    fn from(kind: WorkItemKind) -> Self {
        match kind {
            WorkItemKind::Epic => WorkItemKindJson::Epic,
            WorkItemKind::Feature => WorkItemKindJson::Feature,
            WorkItemKind::Story => WorkItemKindJson::Story,
            WorkItemKind::Task => WorkItemKindJson::Task,
            WorkItemKind::Bug => WorkItemKindJson::Bug,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WorkItemStatus)]
pub enum WorkItemStatusJson {
    #[default]
    Backlog,
    Ready,
    InProgress,
    Done,
    Cancelled,
}

impl From<WorkItemStatusJson> for WorkItemStatus {
    fn from(status: WorkItemStatusJson) -> Self {
        match status {
            WorkItemStatusJson::Backlog => WorkItemStatus::Backlog,
            WorkItemStatusJson::Ready => WorkItemStatus::Ready,
            WorkItemStatusJson::InProgress => WorkItemStatus::InProgress,
            WorkItemStatusJson::Done => WorkItemStatus::Done,
            WorkItemStatusJson::Cancelled => WorkItemStatus::Cancelled,
        }
    }
}

impl From<WorkItemStatus> for WorkItemStatusJson {
    fn from(status: WorkItemStatus) -> Self {
        match status {
            WorkItemStatus::Backlog => WorkItemStatusJson::Backlog,
            WorkItemStatus::Ready => WorkItemStatusJson::Ready,
            WorkItemStatus::InProgress => WorkItemStatusJson::InProgress,
            WorkItemStatus::Done => WorkItemStatusJson::Done,
            WorkItemStatus::Cancelled => WorkItemStatusJson::Cancelled,
        }
    }
}

/// A three-point estimate in working days: optimistic <= most likely <= pessimistic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Estimate)]
pub struct EstimateJson {
    pub optimistic: f64,
    pub most_likely: f64,
    pub pessimistic: f64,
}

/// A stored work item.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = WorkItem)]
pub struct WorkItemJson {
    pub id: Uuid,
    pub kind: WorkItemKindJson,
    /// The project it is delivered in, if any (at least one of project and product is set).
    pub project_id: Option<Uuid>,
    /// The product whose backlog it is in, if any.
    pub product_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub status: WorkItemStatusJson,
    pub estimate: EstimateJson,
    pub story_points: Option<u32>,
    pub team_id: Option<Uuid>,
    /// How many of the team's people it needs at once.
    pub people_needed: u32,
    /// The day it reached (or is planned to reach) users, `null` when not entered; when set, the
    /// release date the product metrics use (else the last time its status became done).
    #[schema(value_type = Option<String>, format = Date)]
    pub released_on: Option<ApiDate>,
    /// Whole percent of the estimated work done (0 to 100). Schedules and forecasts plan only
    /// the rest of an open item's estimate, from the program's status date.
    #[schema(minimum = 0, maximum = 100)]
    pub percent_complete: u8,
    /// Backlog position: lower first.
    pub rank: i64,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<WorkItem> for WorkItemJson {
    fn from(item: WorkItem) -> Self {
        let fields = item.fields;
        WorkItemJson {
            id: item.id.as_uuid(),
            kind: fields.kind.into(),
            project_id: fields.placement.project_id().map(|id| id.as_uuid()),
            product_id: fields.placement.product_id().map(|id| id.as_uuid()),
            parent_id: fields.parent_id.map(|id| id.as_uuid()),
            title: fields.title.as_str().to_owned(),
            description: fields.description.as_str().to_owned(),
            status: fields.status.into(),
            estimate: EstimateJson {
                optimistic: fields.estimate.optimistic(),
                most_likely: fields.estimate.most_likely(),
                pessimistic: fields.estimate.pessimistic(),
            },
            story_points: fields.story_points.map(|p| p.get()),
            team_id: fields.team_id.map(|id| id.as_uuid()),
            people_needed: fields.people_needed.get(),
            released_on: fields.released_on.map(ApiDate),
            percent_complete: fields.percent_complete.get(),
            rank: item.rank.get(),
            version: item.meta.version,
            created_at: timestamp(item.meta.created_at),
            updated_at: timestamp(item.meta.updated_at),
        }
    }
}

/// A work item to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewWorkItem)]
pub struct NewWorkItemJson {
    pub kind: WorkItemKindJson,
    pub project_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Default `backlog`.
    #[serde(default)]
    pub status: WorkItemStatusJson,
    pub estimate: EstimateJson,
    pub story_points: Option<i64>,
    pub team_id: Option<Uuid>,
    /// Default 1.
    pub people_needed: Option<i64>,
    /// The day it reached (or is planned to reach) users; any status may have one. Default none.
    #[schema(value_type = Option<String>, format = Date)]
    pub released_on: Option<ApiDate>,
    /// Whole percent of the estimated work done, 0 to 100. Default 0; a done item is always 100.
    #[schema(minimum = 0, maximum = 100)]
    pub percent_complete: Option<i64>,
    /// Default: after every existing item.
    pub rank: Option<i64>,
}

/// A work item's full replacement, naming the version it was read at.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = WorkItemUpdate)]
pub struct WorkItemUpdateJson {
    pub version: i64,
    pub kind: WorkItemKindJson,
    pub project_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    pub parent_id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub status: WorkItemStatusJson,
    pub estimate: EstimateJson,
    pub story_points: Option<i64>,
    pub team_id: Option<Uuid>,
    pub people_needed: Option<i64>,
    /// Absent or `null`: none.
    #[schema(value_type = Option<String>, format = Date)]
    pub released_on: Option<ApiDate>,
    /// Absent or `null`: the stored value is kept. A done item is always 100.
    #[schema(minimum = 0, maximum = 100)]
    pub percent_complete: Option<i64>,
    /// Default: the current rank.
    pub rank: Option<i64>,
}

impl NewWorkItemJson {
    fn into_parts(self) -> (WorkItemInput, Option<Rank>) {
        let input = WorkItemInput {
            kind: self.kind.into(),
            project_id: self.project_id.map(ProjectId::from_uuid),
            product_id: self.product_id.map(ProductId::from_uuid),
            parent_id: self.parent_id.map(WorkItemId::from_uuid),
            title: self.title,
            description: self.description,
            status: self.status.into(),
            optimistic: self.estimate.optimistic,
            most_likely: self.estimate.most_likely,
            pessimistic: self.estimate.pessimistic,
            story_points: self.story_points,
            team_id: self.team_id.map(TeamId::from_uuid),
            people_needed: self.people_needed,
            released_on: self.released_on.map(|d| d.0),
            percent_complete: self.percent_complete,
        };
        (input, self.rank.map(Rank::new))
    }
}

impl WorkItemUpdateJson {
    fn into_parts(self) -> (i64, WorkItemInput, Option<Rank>) {
        let new = NewWorkItemJson {
            kind: self.kind,
            project_id: self.project_id,
            product_id: self.product_id,
            parent_id: self.parent_id,
            title: self.title,
            description: self.description,
            status: self.status,
            estimate: self.estimate,
            story_points: self.story_points,
            team_id: self.team_id,
            people_needed: self.people_needed,
            released_on: self.released_on,
            percent_complete: self.percent_complete,
            rank: self.rank,
        };
        let (input, rank) = new.into_parts();
        (self.version, input, rank)
    }
}

/// Filters of the work item list; they combine with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkItemListQuery {
    /// Items in a project of this program.
    #[param(value_type = Option<Uuid>)]
    pub program_id: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub project_id: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub product_id: Option<String>,
    #[param(value_type = Option<WorkItemStatusJson>)]
    pub status: Option<String>,
    #[param(value_type = Option<WorkItemKindJson>)]
    pub kind: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub team_id: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub parent_id: Option<String>,
    /// `created` (default: creation order) or `rank` (backlog order).
    #[param(value_type = Option<String>, pattern = "^(created|rank)$")]
    pub order: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn parse_order(raw: &str) -> Result<WorkItemOrder, tandem_domain::FieldError> {
    match raw.trim() {
        "created" => Ok(WorkItemOrder::Created),
        "rank" => Ok(WorkItemOrder::Rank),
        _ => Err(tandem_domain::FieldError::new("order", "invalid", "must be one of created, rank")),
    }
}

async fn list(store: Access<'_>, query: WorkItemListQuery) -> Result<ListResponse<WorkItemJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let filter = WorkItemFilter {
        program: parse_param(&mut errors, query.program_id.as_deref(), |raw| parse_id("program_id", raw)),
        project: parse_param(&mut errors, query.project_id.as_deref(), |raw| parse_id("project_id", raw)),
        product: parse_param(&mut errors, query.product_id.as_deref(), |raw| parse_id("product_id", raw)),
        status: parse_param(&mut errors, query.status.as_deref(), |raw| WorkItemStatus::parse("status", raw)),
        kind: parse_param(&mut errors, query.kind.as_deref(), |raw| WorkItemKind::parse("kind", raw)),
        team: parse_param(&mut errors, query.team_id.as_deref(), |raw| parse_id("team_id", raw)),
        parent: parse_param(&mut errors, query.parent_id.as_deref(), |raw| parse_id("parent_id", raw)),
        order: parse_param(&mut errors, query.order.as_deref(), parse_order).unwrap_or_default(),
        visible: None,
    };
    let page = page_request(&mut errors, query.limit.as_deref(), query.cursor.as_deref());
    errors.into_result()?;
    Ok(ListResponse::from_page(store.list_work_items(&filter, &page).await?))
}

async fn create(store: Access<'_>, body: NewWorkItemJson) -> Result<WorkItemJson, ApiError> {
    let (input, rank) = body.into_parts();
    let fields = WorkItemFields::parse(input)?;
    Ok(store.create_work_item(fields, rank).await?.into())
}

async fn fetch(store: Access<'_>, id: WorkItemId) -> Result<WorkItemJson, ApiError> {
    Ok(store.get_work_item(id).await?.into())
}

async fn replace(store: Access<'_>, id: WorkItemId, body: WorkItemUpdateJson) -> Result<WorkItemJson, ApiError> {
    let keeps_progress = body.percent_complete.is_none();
    let (version, mut input, rank) = body.into_parts();
    if keeps_progress {
        // An absent percent keeps the stored one (as an absent rank does), so a client written
        // before the field existed cannot wipe progress. If the item cannot be read, the update
        // below says why. Read at another version, the update is refused as stale anyway.
        if let Ok(current) = store.get_work_item(id).await {
            input.percent_complete = Some(i64::from(current.fields.percent_complete.get()));
        }
    }
    let fields = WorkItemFields::parse(input)?;
    Ok(store.update_work_item(id, version, fields, rank).await?.into())
}

async fn remove(store: Access<'_>, id: WorkItemId, version: Option<i64>) -> Result<(), ApiError> {
    Ok(store.delete_work_item(id, version).await?)
}

record_handlers! {
    tag: "work-items",
    collection: "/api/v1/work-items",
    item: "/api/v1/work-items/{id}",
    id: WorkItemId,
    json: WorkItemJson,
    new: NewWorkItemJson,
    update: WorkItemUpdateJson,
    query: WorkItemListQuery,
    handlers: [list_work_items, create_work_item, get_work_item, replace_work_item, delete_work_item],
}
