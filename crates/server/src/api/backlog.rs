//! A product's backlog: `/api/v1/products/{id}/backlog` (the ranked list with filters, and
//! `/move`), `/api/v1/work-items/bulk`, a work item's user story (`/work-items/{id}/story`) and
//! prioritization (`/work-items/{id}/prioritization`), and the product's rankings by framework
//! (`/products/{id}/prioritization`, `/products/{id}/prioritization/compare`).
//!
//! Scores are computed on read from the stored inputs; every score comes with its formula filled
//! with the item's numbers.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tandem_domain::backlog::{
    self, BacklogDetails, BacklogPosition, BulkEdit, PrioritizationInput, RankMove, UserStory, UserStoryInput,
};
use tandem_domain::prioritization::{
    Cd3Input, DEFAULT_DISAGREEMENT_THRESHOLD, Framework, FrameworkScores, RiceInput, WsjfInput, compare_rankings,
};
use tandem_domain::{
    Access, DomainResult, FieldError, ProductId, Rank, ValidationErrors, WorkItem, WorkItemFilter, WorkItemId,
    WorkItemKind, WorkItemStatus,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api::extract::{ApiJson, ApiQuery, RecordPath, parse_id, parse_param};
use crate::api::work_items::{WorkItemJson, WorkItemKindJson, WorkItemStatusJson};
use crate::auth::Caller;
use crate::error::ApiError;

/// Filters of a backlog; they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BacklogQuery {
    #[param(value_type = Option<WorkItemKindJson>)]
    pub kind: Option<String>,
    #[param(value_type = Option<WorkItemStatusJson>)]
    pub status: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub team_id: Option<String>,
    /// Words to find in the title, description or user story (any case).
    pub q: Option<String>,
}

/// A backlog's filters, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BacklogFilter {
    pub items: WorkItemFilter,
    pub text: String,
}

impl BacklogFilter {
    pub fn parse(query: &BacklogQuery) -> Result<BacklogFilter, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let nonblank =
            |raw: &Option<String>| raw.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        let items = WorkItemFilter {
            kind: parse_param(&mut errors, nonblank(&query.kind).as_deref(), |raw| WorkItemKind::parse("kind", raw)),
            status: parse_param(&mut errors, nonblank(&query.status).as_deref(), |raw| {
                WorkItemStatus::parse("status", raw)
            }),
            team: parse_param(&mut errors, nonblank(&query.team_id).as_deref(), |raw| parse_id("team_id", raw)),
            ..WorkItemFilter::default()
        };
        errors.into_result()?;
        Ok(BacklogFilter { items, text: query.q.clone().unwrap_or_default() })
    }
}

/// The product's backlog in rank order, filtered. Pages and the API share it.
pub async fn load_backlog(
    access: Access<'_>,
    product: ProductId,
    filter: &BacklogFilter,
) -> DomainResult<Vec<(WorkItem, BacklogDetails)>> {
    let items = access.product_backlog(product, &filter.items).await?;
    Ok(items.into_iter().filter(|(item, details)| backlog::matches_text(item, details, &filter.text)).collect())
}

/// A user story: "As a `as_a`, I want `i_want`, so that `so_that`".
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserStoryJson {
    pub as_a: String,
    pub i_want: String,
    pub so_that: String,
    pub acceptance_criteria: Vec<String>,
    /// The whole sentence.
    pub sentence: String,
}

impl From<&UserStory> for UserStoryJson {
    fn from(story: &UserStory) -> Self {
        UserStoryJson {
            as_a: story.as_a().to_owned(),
            i_want: story.i_want().to_owned(),
            so_that: story.so_that().to_owned(),
            acceptance_criteria: story.acceptance_criteria().map(str::to_owned).collect(),
            sentence: story.sentence(),
        }
    }
}

/// One backlog entry: the work item, its user story if any, and its scores.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BacklogEntryJson {
    pub item: WorkItemJson,
    pub story: Option<UserStoryJson>,
    pub prioritization: ScoresJson,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BacklogJson {
    pub product_id: Uuid,
    /// In rank order.
    pub items: Vec<BacklogEntryJson>,
}

/// The product's backlog in rank order, with each item's story and scores.
#[utoipa::path(
    get,
    path = "/api/v1/products/{id}/backlog",
    tag = "backlog",
    params(("id" = Uuid, Path, description = "The product's id"), BacklogQuery),
    responses(
        (status = 200, description = "The backlog", body = BacklogJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn product_backlog(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProductId>,
    ApiQuery(query): ApiQuery<BacklogQuery>,
) -> Result<Json<BacklogJson>, ApiError> {
    let filter = BacklogFilter::parse(&query)?;
    let items = load_backlog(caller.access(&state), id, &filter).await?;
    Ok(Json(BacklogJson {
        product_id: id.as_uuid(),
        items: items
            .into_iter()
            .map(|(item, details)| BacklogEntryJson {
                story: details.story.as_ref().map(UserStoryJson::from),
                prioritization: ScoresJson::new(&details.scores),
                item: item.into(),
            })
            .collect(),
    }))
}

/// Where to move an item: give exactly one of `before_id`, `after_id`, `position` (0-based) or
/// `to` (`top` or `bottom`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BacklogMoveJson {
    pub item_id: Uuid,
    pub before_id: Option<Uuid>,
    pub after_id: Option<Uuid>,
    pub position: Option<u32>,
    /// `top` or `bottom`.
    pub to: Option<String>,
}

impl BacklogMoveJson {
    fn position(&self) -> Result<BacklogPosition, ValidationErrors> {
        let given = [self.before_id.is_some(), self.after_id.is_some(), self.position.is_some(), self.to.is_some()];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(ValidationErrors::single(
                "position",
                "required",
                "give exactly one of before_id, after_id, position, to",
            ));
        }
        if let Some(id) = self.before_id {
            return Ok(BacklogPosition::Before(WorkItemId::from_uuid(id)));
        }
        if let Some(id) = self.after_id {
            return Ok(BacklogPosition::After(WorkItemId::from_uuid(id)));
        }
        if let Some(position) = self.position {
            return Ok(BacklogPosition::Index(usize::try_from(position).unwrap_or(usize::MAX)));
        }
        match RankMove::parse("to", self.to.as_deref().unwrap_or_default()).map_err(ValidationErrors::from)? {
            RankMove::Top => Ok(BacklogPosition::Top),
            RankMove::Bottom => Ok(BacklogPosition::Bottom),
        }
    }
}

/// Work items, in the order the operation answers with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkItemsJson {
    pub items: Vec<WorkItemJson>,
}

/// Moves one item in the product's backlog and renumbers the product's ranks (1024, 2048, ...)
/// in one transaction; answers with the product's items in their new order.
#[utoipa::path(
    post,
    path = "/api/v1/products/{id}/backlog/move",
    tag = "backlog",
    params(("id" = Uuid, Path, description = "The product's id")),
    request_body = BacklogMoveJson,
    responses(
        (status = 200, description = "The product's items in their new order", body = WorkItemsJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the product", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The item or anchor is not in this backlog, or no position given", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 400, description = "The body is not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn move_in_backlog(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProductId>,
    ApiJson(body): ApiJson<BacklogMoveJson>,
) -> Result<Json<WorkItemsJson>, ApiError> {
    let position = body.position()?;
    let items = caller.access(&state).move_in_backlog(id, WorkItemId::from_uuid(body.item_id), position).await?;
    Ok(Json(WorkItemsJson { items: items.into_iter().map(Into::into).collect() }))
}

/// A bulk edit: the items, and a new status, a rank move, or both.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkEditJson {
    pub ids: Vec<Uuid>,
    pub status: Option<WorkItemStatusJson>,
    /// `top` or `bottom`: before or after every other item, keeping the selected items' order.
    pub rank: Option<String>,
}

/// Changes several items at once, all or nothing; one audit event per item that changed.
#[utoipa::path(
    post,
    path = "/api/v1/work-items/bulk",
    tag = "backlog",
    request_body = BulkEditJson,
    responses(
        (status = 200, description = "The items as stored, in the order given", body = WorkItemsJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of every item", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "An id is unknown (`ids[i]`), listed twice, or nothing to change", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 400, description = "The body is not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn bulk_edit(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<BulkEditJson>,
) -> Result<Json<WorkItemsJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let rank = parse_param(&mut errors, body.rank.as_deref(), |raw| RankMove::parse("rank", raw));
    errors.into_result()?;
    let edit =
        BulkEdit::new(body.ids.into_iter().map(WorkItemId::from_uuid).collect(), body.status.map(Into::into), rank)?;
    let items = caller.access(&state).bulk_edit_work_items(&edit).await?;
    Ok(Json(WorkItemsJson { items: items.into_iter().map(Into::into).collect() }))
}

// ----- user stories -----

/// A work item's user story (`story` is null when it has none) and the item's version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StoryJson {
    pub work_item_id: Uuid,
    pub version: i64,
    pub story: Option<UserStoryJson>,
}

/// Replaces the story. Leave `as_a`, `i_want` and `so_that` out (or blank) and give no criteria
/// to remove it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StoryUpdateJson {
    /// The work item's version as read.
    pub version: i64,
    pub as_a: Option<String>,
    pub i_want: Option<String>,
    pub so_that: Option<String>,
    #[serde(default)]
    pub acceptance_criteria: Vec<String>,
}

impl StoryUpdateJson {
    /// `None` when the body clears the story.
    pub fn story(&self) -> Result<Option<UserStory>, ValidationErrors> {
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&self.as_a)
            && blank(&self.i_want)
            && blank(&self.so_that)
            && self.acceptance_criteria.iter().all(|c| c.trim().is_empty())
        {
            return Ok(None);
        }
        UserStory::parse(&UserStoryInput {
            as_a: self.as_a.clone().unwrap_or_default(),
            i_want: self.i_want.clone().unwrap_or_default(),
            so_that: self.so_that.clone().unwrap_or_default(),
            acceptance_criteria: self.acceptance_criteria.clone(),
        })
        .map(Some)
    }
}

fn story_json(item: &WorkItem, details: &BacklogDetails) -> StoryJson {
    StoryJson {
        work_item_id: item.id.as_uuid(),
        version: item.meta.version,
        story: details.story.as_ref().map(UserStoryJson::from),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/work-items/{id}/story",
    tag = "backlog",
    params(("id" = Uuid, Path, description = "The work item's id")),
    responses(
        (status = 200, description = "The user story", body = StoryJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work item you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_story(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<WorkItemId>,
) -> Result<Json<StoryJson>, ApiError> {
    let (item, details) = caller.access(&state).backlog_item(id).await?;
    Ok(Json(story_json(&item, &details)))
}

#[utoipa::path(
    put,
    path = "/api/v1/work-items/{id}/story",
    tag = "backlog",
    params(("id" = Uuid, Path, description = "The work item's id")),
    request_body = StoryUpdateJson,
    responses(
        (status = 200, description = "The story as stored; the item's version is one higher", body = StoryJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the item", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work item you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The item changed since `version` was read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 400, description = "The body is not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replace_story(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<WorkItemId>,
    ApiJson(body): ApiJson<StoryUpdateJson>,
) -> Result<Json<StoryJson>, ApiError> {
    let story = body.story()?;
    let access = caller.access(&state);
    let (_, mut details) = access.backlog_item(id).await?;
    details.story = story;
    let item = access.set_backlog_details(id, body.version, details.clone()).await?;
    Ok(Json(story_json(&item, &details)))
}

// ----- prioritization -----

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiceJson {
    pub reach: f64,
    /// 0.25, 0.5, 1, 2 or 3.
    pub impact: f64,
    /// Percent, 0 to 100.
    pub confidence: f64,
    /// Person-months, from 0.001 to 1000.
    pub effort: f64,
    pub score: f64,
    pub formula: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WsjfJson {
    pub business_value: u8,
    pub time_criticality: u8,
    pub risk_reduction: u8,
    pub job_size: u8,
    pub cost_of_delay: u32,
    pub score: f64,
    pub formula: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cd3Json {
    pub cost_of_delay_per_week: i64,
    pub duration_weeks: f64,
    pub score: f64,
    pub formula: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MoscowJson {
    /// `must`, `should`, `could` or `wont`.
    pub class: String,
    pub label: String,
    /// Must 3, Should 2, Could 1, Won't 0.
    pub score: f64,
    pub formula: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImpactEffortJson {
    pub impact: u8,
    pub effort: u8,
    /// `quick_win`, `major_project`, `fill_in` or `thankless_task`.
    pub quadrant: String,
    /// Impact / effort.
    pub score: f64,
    pub formula: String,
}

/// Each framework's inputs, score and formula; a framework without inputs is null.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoresJson {
    pub rice: Option<RiceJson>,
    pub wsjf: Option<WsjfJson>,
    pub cd3: Option<Cd3Json>,
    pub moscow: Option<MoscowJson>,
    pub impact_effort: Option<ImpactEffortJson>,
}

impl ScoresJson {
    pub fn new(scores: &FrameworkScores) -> ScoresJson {
        ScoresJson {
            rice: scores.rice.map(|r| RiceJson {
                reach: r.reach(),
                impact: r.impact().value(),
                confidence: r.confidence_percent(),
                effort: r.effort_person_months(),
                score: r.score(),
                formula: r.explain(),
            }),
            wsjf: scores.wsjf.map(|w| WsjfJson {
                business_value: w.business_value().get(),
                time_criticality: w.time_criticality().get(),
                risk_reduction: w.risk_reduction().get(),
                job_size: w.job_size().get(),
                cost_of_delay: w.cost_of_delay(),
                score: w.score(),
                formula: w.explain(),
            }),
            cd3: scores.cd3.map(|c| Cd3Json {
                cost_of_delay_per_week: c.cost_of_delay_per_week().amount(),
                duration_weeks: c.duration_weeks(),
                score: c.score(),
                formula: c.explain(),
            }),
            moscow: scores.moscow.map(|m| MoscowJson {
                class: m.as_str().to_owned(),
                label: m.label().to_owned(),
                score: m.score(),
                formula: m.explain(),
            }),
            impact_effort: scores.impact_effort.map(|i| ImpactEffortJson {
                impact: i.impact(),
                effort: i.effort(),
                quadrant: i.quadrant().as_str().to_owned(),
                score: i.score(),
                formula: i.explain(),
            }),
        }
    }
}

/// A work item's prioritization and the item's version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PrioritizationJson {
    pub work_item_id: Uuid,
    pub version: i64,
    #[serde(flatten)]
    pub scores: ScoresJson,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiceInputJson {
    pub reach: f64,
    pub impact: f64,
    pub confidence: f64,
    pub effort: f64,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WsjfInputJson {
    pub business_value: i64,
    pub time_criticality: i64,
    pub risk_reduction: i64,
    pub job_size: i64,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cd3InputJson {
    pub cost_of_delay_per_week: i64,
    /// Weeks, from 0.001 to 520.
    pub duration_weeks: f64,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactEffortInputJson {
    /// 1 to 10.
    pub impact: i64,
    /// 1 to 10.
    pub effort: i64,
}

/// Replaces every framework's inputs: a framework left out (or null) is removed.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrioritizationUpdateJson {
    /// The work item's version as read.
    pub version: i64,
    pub rice: Option<RiceInputJson>,
    pub wsjf: Option<WsjfInputJson>,
    pub cd3: Option<Cd3InputJson>,
    /// `must`, `should`, `could` or `wont`.
    pub moscow: Option<String>,
    pub impact_effort: Option<ImpactEffortInputJson>,
}

impl PrioritizationUpdateJson {
    pub fn scores(&self) -> Result<FrameworkScores, ValidationErrors> {
        backlog::parse_prioritization(&PrioritizationInput {
            rice: self.rice.map(|r| RiceInput {
                reach: r.reach,
                impact: r.impact,
                confidence: r.confidence,
                effort: r.effort,
            }),
            wsjf: self.wsjf.map(|w| WsjfInput {
                business_value: w.business_value,
                time_criticality: w.time_criticality,
                risk_reduction: w.risk_reduction,
                job_size: w.job_size,
            }),
            cd3: self.cd3.map(|c| Cd3Input {
                cost_of_delay_per_week: c.cost_of_delay_per_week,
                duration_weeks: c.duration_weeks,
            }),
            moscow: self.moscow.clone(),
            impact_effort: self.impact_effort.map(|i| (i.impact, i.effort)),
        })
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/work-items/{id}/prioritization",
    tag = "backlog",
    params(("id" = Uuid, Path, description = "The work item's id")),
    responses(
        (status = 200, description = "Each framework's inputs, score and formula", body = PrioritizationJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work item you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_prioritization(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<WorkItemId>,
) -> Result<Json<PrioritizationJson>, ApiError> {
    let (item, details) = caller.access(&state).backlog_item(id).await?;
    Ok(Json(PrioritizationJson {
        work_item_id: item.id.as_uuid(),
        version: item.meta.version,
        scores: ScoresJson::new(&details.scores),
    }))
}

#[utoipa::path(
    put,
    path = "/api/v1/work-items/{id}/prioritization",
    tag = "backlog",
    params(("id" = Uuid, Path, description = "The work item's id")),
    request_body = PrioritizationUpdateJson,
    responses(
        (status = 200, description = "As stored; the item's version is one higher", body = PrioritizationJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of the item", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such work item you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The item changed since `version` was read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "An input is invalid (`rice.confidence` above 100, `rice.effort` below 0.001, ...)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 400, description = "The body is not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not sent as application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replace_prioritization(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<WorkItemId>,
    ApiJson(body): ApiJson<PrioritizationUpdateJson>,
) -> Result<Json<PrioritizationJson>, ApiError> {
    let scores = body.scores()?;
    let access = caller.access(&state);
    let (_, mut details) = access.backlog_item(id).await?;
    details.scores = scores;
    let item = access.set_backlog_details(id, body.version, details.clone()).await?;
    Ok(Json(PrioritizationJson {
        work_item_id: item.id.as_uuid(),
        version: item.meta.version,
        scores: ScoresJson::new(&details.scores),
    }))
}

/// Which framework to rank by.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// `rice` (default), `wsjf`, `cd3`, `moscow` or `impact_effort`.
    #[param(value_type = Option<String>, pattern = "^(rice|wsjf|cd3|moscow|impact_effort)$")]
    pub framework: Option<String>,
}

pub fn parse_framework(field: &str, raw: &str) -> Result<Framework, FieldError> {
    let wanted = raw.trim().replace('-', "_");
    Framework::ALL
        .into_iter()
        .find(|f| f.as_str() == wanted)
        .ok_or_else(|| FieldError::new(field, "invalid", "must be one of rice, wsjf, cd3, moscow, impact_effort"))
}

/// One item in a ranking.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankedItemJson {
    /// 1 for the highest score; null for items without this framework's inputs (listed last, in
    /// backlog order).
    pub position: Option<u32>,
    pub work_item_id: Uuid,
    pub title: String,
    pub kind: WorkItemKindJson,
    pub status: WorkItemStatusJson,
    pub rank: i64,
    pub score: Option<f64>,
    pub formula: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingJson {
    pub product_id: Uuid,
    pub framework: String,
    pub items: Vec<RankedItemJson>,
}

/// The product's backlog ranked by one framework: highest score first, ties in backlog order.
pub fn ranking(framework: Framework, backlog: &[(WorkItem, BacklogDetails)]) -> Vec<RankedItemJson> {
    let mut position = 0u32;
    backlog::rank_by(framework, backlog)
        .into_iter()
        .map(|ranked| {
            let at = ranked.score.map(|_| {
                position += 1;
                position
            });
            RankedItemJson {
                position: at,
                work_item_id: ranked.item.id.as_uuid(),
                title: ranked.item.fields.title.as_str().to_owned(),
                kind: ranked.item.fields.kind.into(),
                status: ranked.item.fields.status.into(),
                rank: ranked.item.rank.get(),
                score: ranked.score,
                formula: ranked.details.scores.explain(framework),
            }
        })
        .collect()
}

#[utoipa::path(
    get,
    path = "/api/v1/products/{id}/prioritization",
    tag = "backlog",
    params(("id" = Uuid, Path, description = "The product's id"), RankingQuery),
    responses(
        (status = 200, description = "The backlog ranked by the framework", body = RankingJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown framework", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn product_ranking(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProductId>,
    ApiQuery(query): ApiQuery<RankingQuery>,
) -> Result<Json<RankingJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let framework = parse_param(&mut errors, query.framework.as_deref(), |raw| parse_framework("framework", raw))
        .unwrap_or(Framework::Rice);
    errors.into_result()?;
    let backlog = load_backlog(caller.access(&state), id, &BacklogFilter::default()).await?;
    Ok(Json(RankingJson {
        product_id: id.as_uuid(),
        framework: framework.as_str().to_owned(),
        items: ranking(framework, &backlog),
    }))
}

/// One item's position under each framework that scores it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComparedItemJson {
    pub work_item_id: Uuid,
    pub title: String,
    pub rank: i64,
    /// Framework name (`rice`, ...) to the item's 1-based position in that framework's ranking.
    pub ranks: std::collections::BTreeMap<String, usize>,
    /// Highest position minus lowest.
    pub spread: usize,
    /// `spread` above the threshold.
    pub disagreement: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComparisonJson {
    pub product_id: Uuid,
    /// The frameworks that score at least one item, in a fixed order.
    pub frameworks: Vec<String>,
    pub disagreement_threshold: usize,
    /// In backlog order.
    pub items: Vec<ComparedItemJson>,
}

/// The side-by-side comparison: each item's position per framework and its spread.
pub fn comparison(product: ProductId, backlog: &[(WorkItem, BacklogDetails)]) -> ComparisonJson {
    let keyed: Vec<((Rank, WorkItemId), FrameworkScores)> =
        backlog.iter().map(|(item, details)| ((item.rank, item.id), details.scores)).collect();
    let compared = compare_rankings(&keyed, DEFAULT_DISAGREEMENT_THRESHOLD);
    ComparisonJson {
        product_id: product.as_uuid(),
        frameworks: compared.orders.iter().map(|(f, _)| f.as_str().to_owned()).collect(),
        disagreement_threshold: compared.disagreement_threshold,
        items: compared
            .items
            .iter()
            .zip(backlog)
            .map(|(ranks, (item, _))| ComparedItemJson {
                work_item_id: item.id.as_uuid(),
                title: item.fields.title.as_str().to_owned(),
                rank: item.rank.get(),
                ranks: ranks.ranks.iter().map(|(f, r)| (f.as_str().to_owned(), *r)).collect(),
                spread: ranks.spread,
                disagreement: ranks.disagreement,
            })
            .collect(),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/products/{id}/prioritization/compare",
    tag = "backlog",
    params(("id" = Uuid, Path, description = "The product's id")),
    responses(
        (status = 200, description = "Each item's position per framework, and where they disagree", body = ComparisonJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such product you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn product_comparison(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProductId>,
) -> Result<Json<ComparisonJson>, ApiError> {
    let backlog = load_backlog(caller.access(&state), id, &BacklogFilter::default()).await?;
    Ok(Json(comparison(id, &backlog)))
}
