//! The storage boundary. One trait, whole operations: every method is one transaction that
//! either does all of what it says or nothing. Backends live in their own crates
//! (`tandem-store-sqlite`, `tandem-store-postgres`) and pass one conformance suite
//! (`tandem-test-support`). No SQL, connection or transaction type crosses this boundary.
//!
//! Rules every backend enforces inside the writing transaction (and the conformance suite checks):
//! - ids referenced by a record exist, else `Validation` naming the field (`program_id`, ...);
//! - an update or delete carrying a version other than the stored one is a `VersionConflict`
//!   and changes nothing; every successful update increments the version by one;
//! - a work item's `people_needed` is at most its team's capacity (field `people_needed`), and a
//!   team's capacity cannot drop below what an assigned item needs (field `capacity`);
//! - a work item's parent exists, is not the item itself and is not one of its descendants
//!   (field `parent_id`, code `cycle`);
//! - a dependency's ends exist (fields `predecessor` / `successor`), the same pair is linked at most
//!   once (code `duplicate`), and no dependency closes a cycle ([`crate::graph::cycle_closed_by`],
//!   [`crate::graph::cycle_error`]);
//! - a risk's project is in the risk's program (field `project_id`, code `other_program`), and each
//!   work item it hits exists (`work_item_ids[i]`, `not_found`) in a project of that program
//!   (`work_item_ids[i]`, `other_program`);
//! - deletes: a program with projects or risks, a project with work items, milestones or risks, a
//!   product or a team with work items, and a work item with children or hit by a risk are refused
//!   with `InUse` and the reason; a risk's mitigation actions and hits go with it;
//!   deleting a work item or a milestone deletes the dependencies that touch it (cascade);
//! - a program's stored schedule and forecast go with the program; they outlive the items they name;
//! - every write that changes a record appends its [`crate::audit::AuditEvent`] (made by the pure
//!   constructors there) in the same transaction, cascaded deletes included; nothing changes or
//!   removes an event;
//! - objectives: see the strategy methods' docs; a product with objectives is not deleted (`InUse`),
//!   and deleting a work item deletes its feature links and roadmap entry (audited);
//! - list filters' `visible` limits results to what one user may read ([`crate::access`]).
//! - a work item's backlog details (story, prioritization inputs) go with it; a backlog move
//!   renumbers the product's ranks and a bulk edit changes all its items or none, each changed item
//!   with its own audit event ([`crate::backlog`]).
//! - feedback and research: a segment's name is unique in its product (`name`, `taken`); an
//!   insight's segment is one of its product's (`segment_id`, `not_found` / `other_product`) and
//!   each feature it supports is a work item of its product (`feature_ids[i]`, `not_found` /
//!   `other_product`); `create_insights` prefixes those fields with `rows[N].` (N from 1) and
//!   stores all or none; a product with segments or insights, a segment an insight names and a
//!   work item an insight supports are not deleted (`InUse`).
//! - experiments: a product with experiments and a work item an experiment names as its feature
//!   are not deleted (`InUse`): an experiment's evidence outlives neither silently.
//! - product metrics: a point's feature is a work item of its product (`feature_id`,
//!   `not_found` / `other_product`); one value per product, feature, kind and date, recorded
//!   again it is replaced; a product or work item with metric points is not deleted (`InUse`).

use async_trait::async_trait;

use crate::access::{Grant, GrantFilter, GrantScope, Role, Visibility};
use crate::accounts::{ApiToken, LoginFailures, NewApiToken, Session, User, UserFields, Username};
use crate::audit::{Actor, AuditEvent, AuditFilter};
use crate::backlog::{BacklogDetails, BacklogPosition, BulkEdit};
use crate::dependency::{Dependency, DependencyFields, NodeRef, NodeSummary};
use crate::error::{DomainError, DomainResult};
use crate::evidence::{Insight, InsightFields, InsightFilter, Segment, SegmentFields};
use crate::experiment::{Experiment, ExperimentFields};
use crate::forecasting::{InputVersion, ProgramForecast};
use crate::ids::ExperimentId;
use crate::ids::MetricPointId;
use crate::ids::{
    ApiTokenId, DependencyId, GrantId, InsightId, KeyResultId, MilestoneId, ObjectiveId, ProductId, ProgramId,
    ProjectId, RiskId, SegmentId, TeamId, UserId, WorkItemId,
};
use crate::metrics::{MetricFilter, MetricPoint, MetricPointFields};
use crate::milestone::{Milestone, MilestoneFields};
use crate::planning::ProgramSchedule;
use crate::product::{Product, ProductFields};
use crate::program::{Program, ProgramFields, ProgramPhase};
use crate::progress::ProgramProgress;
use crate::project::{Project, ProjectFields};
use crate::risk::{Risk, RiskCategory, RiskFields, RiskStatus};
use crate::strategy::{
    Measurement, Objective, ObjectiveFields, ObjectiveFilter, ObjectiveLink, RoadmapEntry, RoadmapEntryFields,
};
use crate::team::{Team, TeamFields};
use crate::values::Rank;
use crate::work_item::{WorkItem, WorkItemFields, WorkItemKind, WorkItemStatus};

/// Which page of a list to read. Lists are ordered by id (creation order) unless the filter says
/// otherwise; `after` is the opaque cursor of the previous page's `next_cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<Cursor>,
    pub limit: u32,
}

impl PageRequest {
    pub const DEFAULT_LIMIT: u32 = 50;
    pub const MAX_LIMIT: u32 = 500;

    /// Validates `limit` (field `limit`, 1 to [`Self::MAX_LIMIT`]).
    pub fn new(after: Option<Cursor>, limit: Option<u32>) -> DomainResult<PageRequest> {
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if limit == 0 || limit > Self::MAX_LIMIT {
            return Err(DomainError::invalid(
                "limit",
                "out_of_range",
                format!("must be between 1 and {}", Self::MAX_LIMIT),
            ));
        }
        Ok(PageRequest { after, limit })
    }

    pub fn first(limit: u32) -> PageRequest {
        PageRequest { after: None, limit: limit.clamp(1, Self::MAX_LIMIT) }
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { after: None, limit: Self::DEFAULT_LIMIT }
    }
}

/// An opaque position in a list, produced by a store and handed back unchanged. A cursor the
/// store cannot read is a `Validation` error on field `cursor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(pub String);

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when more items follow.
    pub next_cursor: Option<Cursor>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramFilter {
    pub phase: Option<ProgramPhase>,
    /// Only what a user may read (`None`: everything); see [`crate::access`].
    pub visible: Option<Visibility>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub program: Option<ProgramId>,
    /// Only what a user may read (`None`: everything); see [`crate::access`].
    pub visible: Option<Visibility>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductFilter {
    /// Only what a user may read (`None`: everything); see [`crate::access`].
    pub visible: Option<Visibility>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamFilter {}

/// How a work item list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WorkItemOrder {
    /// Creation order (id).
    #[default]
    Created,
    /// Backlog order: rank, then id.
    Rank,
}

/// All filters combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkItemFilter {
    /// Items whose project belongs to this program.
    pub program: Option<ProgramId>,
    pub project: Option<ProjectId>,
    pub product: Option<ProductId>,
    pub status: Option<WorkItemStatus>,
    pub kind: Option<WorkItemKind>,
    pub team: Option<TeamId>,
    pub parent: Option<WorkItemId>,
    pub order: WorkItemOrder,
    /// Only what a user may read (`None`: everything); see [`crate::access`].
    pub visible: Option<Visibility>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MilestoneFilter {
    /// Milestones whose project belongs to this program.
    pub program: Option<ProgramId>,
    pub project: Option<ProjectId>,
    /// Only what a user may read (`None`: everything); see [`crate::access`].
    pub visible: Option<Visibility>,
}

/// All filters combine with AND. Risks are listed in creation order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskFilter {
    pub program: Option<ProgramId>,
    /// Risks of this project (not the program-wide ones).
    pub project: Option<ProjectId>,
    pub status: Option<RiskStatus>,
    pub category: Option<RiskCategory>,
    /// Only what a user may read (`None`: everything); see [`crate::access`].
    pub visible: Option<Visibility>,
}

/// All filters combine with AND; each matches when either end satisfies it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DependencyFilter {
    /// Either end lies in a project of this program.
    pub program: Option<ProgramId>,
    /// Either end lies in this project.
    pub project: Option<ProjectId>,
    /// Either end is this node.
    pub node: Option<NodeRef>,
    /// Only dependencies whose two ends lie in different projects.
    pub cross_project_only: bool,
    /// Only what a user may read (`None`: everything); see [`crate::access`].
    pub visible: Option<Visibility>,
}

/// Persistence for every Tandem record. See the module docs for the rules each method enforces.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// `sqlite` or `postgres`, for logs and the health endpoint.
    fn backend_name(&self) -> &'static str;

    /// Applies pending migrations (also done on connect); returns how many were applied.
    async fn migrate(&self) -> DomainResult<usize>;

    async fn create_program(&self, actor: &Actor, fields: ProgramFields) -> DomainResult<Program>;
    async fn get_program(&self, id: ProgramId) -> DomainResult<Program>;
    async fn update_program(
        &self,
        actor: &Actor,
        id: ProgramId,
        version: i64,
        fields: ProgramFields,
    ) -> DomainResult<Program>;
    /// `version`: when given, must match the stored version.
    async fn delete_program(&self, actor: &Actor, id: ProgramId, version: Option<i64>) -> DomainResult<()>;
    async fn list_programs(&self, filter: &ProgramFilter, page: &PageRequest) -> DomainResult<Page<Program>>;

    async fn create_project(&self, actor: &Actor, fields: ProjectFields) -> DomainResult<Project>;
    async fn get_project(&self, id: ProjectId) -> DomainResult<Project>;
    async fn update_project(
        &self,
        actor: &Actor,
        id: ProjectId,
        version: i64,
        fields: ProjectFields,
    ) -> DomainResult<Project>;
    async fn delete_project(&self, actor: &Actor, id: ProjectId, version: Option<i64>) -> DomainResult<()>;
    async fn list_projects(&self, filter: &ProjectFilter, page: &PageRequest) -> DomainResult<Page<Project>>;

    async fn create_product(&self, actor: &Actor, fields: ProductFields) -> DomainResult<Product>;
    async fn get_product(&self, id: ProductId) -> DomainResult<Product>;
    async fn update_product(
        &self,
        actor: &Actor,
        id: ProductId,
        version: i64,
        fields: ProductFields,
    ) -> DomainResult<Product>;
    async fn delete_product(&self, actor: &Actor, id: ProductId, version: Option<i64>) -> DomainResult<()>;
    async fn list_products(&self, filter: &ProductFilter, page: &PageRequest) -> DomainResult<Page<Product>>;

    async fn create_team(&self, actor: &Actor, fields: TeamFields) -> DomainResult<Team>;
    async fn get_team(&self, id: TeamId) -> DomainResult<Team>;
    async fn update_team(&self, actor: &Actor, id: TeamId, version: i64, fields: TeamFields) -> DomainResult<Team>;
    async fn delete_team(&self, actor: &Actor, id: TeamId, version: Option<i64>) -> DomainResult<()>;
    async fn list_teams(&self, filter: &TeamFilter, page: &PageRequest) -> DomainResult<Page<Team>>;

    /// `rank`: `None` appends the item after every item of its product's backlog (that
    /// product's highest rank + 1024; for an item in no product, the items in no product's;
    /// 0 in an empty one, [`crate::backlog::appended_rank`]); a given rank lies within
    /// [`crate::work_item::RANK_LIMIT`] (`Validation` on `rank`, code `out_of_range`, beside
    /// any other field error).
    async fn create_work_item(
        &self,
        actor: &Actor,
        fields: WorkItemFields,
        rank: Option<Rank>,
    ) -> DomainResult<WorkItem>;
    /// Creates all or none, in order (for imports and the load generator); ranks are appended,
    /// each item to its own product's backlog.
    async fn create_work_items(&self, actor: &Actor, items: Vec<WorkItemFields>) -> DomainResult<Vec<WorkItem>>;
    async fn get_work_item(&self, id: WorkItemId) -> DomainResult<WorkItem>;
    /// `rank`: `None` keeps the current rank; another rank than the current one lies within
    /// [`crate::work_item::RANK_LIMIT`] (`Validation` on `rank`, code `out_of_range`).
    async fn update_work_item(
        &self,
        actor: &Actor,
        id: WorkItemId,
        version: i64,
        fields: WorkItemFields,
        rank: Option<Rank>,
    ) -> DomainResult<WorkItem>;
    async fn delete_work_item(&self, actor: &Actor, id: WorkItemId, version: Option<i64>) -> DomainResult<()>;
    async fn list_work_items(&self, filter: &WorkItemFilter, page: &PageRequest) -> DomainResult<Page<WorkItem>>;
    /// How many items match (the filter's `order` is ignored).
    async fn count_work_items(&self, filter: &WorkItemFilter) -> DomainResult<u64>;

    async fn create_milestone(&self, actor: &Actor, fields: MilestoneFields) -> DomainResult<Milestone>;
    async fn get_milestone(&self, id: MilestoneId) -> DomainResult<Milestone>;
    async fn update_milestone(
        &self,
        actor: &Actor,
        id: MilestoneId,
        version: i64,
        fields: MilestoneFields,
    ) -> DomainResult<Milestone>;
    async fn delete_milestone(&self, actor: &Actor, id: MilestoneId, version: Option<i64>) -> DomainResult<()>;
    async fn list_milestones(&self, filter: &MilestoneFilter, page: &PageRequest) -> DomainResult<Page<Milestone>>;

    async fn create_dependency(&self, actor: &Actor, fields: DependencyFields) -> DomainResult<Dependency>;
    async fn get_dependency(&self, id: DependencyId) -> DomainResult<Dependency>;
    /// Only `kind` and `lag` may change; different ends are a `Validation` error on the end's
    /// field (code `immutable`): delete the dependency and create another instead.
    async fn update_dependency(
        &self,
        actor: &Actor,
        id: DependencyId,
        version: i64,
        fields: DependencyFields,
    ) -> DomainResult<Dependency>;
    async fn delete_dependency(&self, actor: &Actor, id: DependencyId, version: Option<i64>) -> DomainResult<()>;
    async fn list_dependencies(&self, filter: &DependencyFilter, page: &PageRequest) -> DomainResult<Page<Dependency>>;

    async fn create_risk(&self, actor: &Actor, fields: RiskFields) -> DomainResult<Risk>;
    async fn get_risk(&self, id: RiskId) -> DomainResult<Risk>;
    async fn update_risk(&self, actor: &Actor, id: RiskId, version: i64, fields: RiskFields) -> DomainResult<Risk>;
    async fn delete_risk(&self, actor: &Actor, id: RiskId, version: Option<i64>) -> DomainResult<()>;
    async fn list_risks(&self, filter: &RiskFilter, page: &PageRequest) -> DomainResult<Page<Risk>>;

    /// Titles and projects of the given nodes, in the given order; unknown nodes are left out.
    async fn node_summaries(&self, nodes: &[NodeRef]) -> DomainResult<Vec<NodeSummary>>;

    /// Stores `schedule` as its program's latest schedule, replacing any earlier one (only the
    /// latest is kept). The program must exist (`Validation` on `program_id`, code `not_found`).
    /// Entries name their work items and milestones without a foreign key: deleting an item keeps
    /// the stored schedule readable (it carries each entry's title); deleting the program deletes
    /// its schedule.
    async fn save_program_schedule(&self, schedule: &ProgramSchedule) -> DomainResult<()>;
    /// The schedule last saved for the program, exactly as saved; `None` when there is none (also
    /// for an unknown program).
    async fn latest_program_schedule(&self, program_id: ProgramId) -> DomainResult<Option<ProgramSchedule>>;
    /// Stores `forecast` as its program's latest forecast, replacing any earlier one, with the
    /// versions of the records it was computed from; the same rules as
    /// [`Store::save_program_schedule`].
    async fn save_program_forecast(&self, forecast: &ProgramForecast) -> DomainResult<()>;
    /// The forecast last saved for the program, exactly as saved; `None` when there is none.
    async fn latest_program_forecast(&self, program_id: ProgramId) -> DomainResult<Option<ProgramForecast>>;
    /// The version of every record a forecast of the program reads now, exactly
    /// [`crate::forecasting::ForecastInputs::versions`] of what
    /// [`crate::forecasting::load_forecast_inputs`] loads, sorted, from one snapshot; without
    /// loading the records themselves (a staleness check on every view of a large program).
    /// A work item's entry is its [`crate::forecasting::WorkItemPlanFields::input_version`], not
    /// its record version, so a backlog move or a story edit leaves a forecast current.
    /// `NotFound` for an unknown program.
    async fn forecast_input_versions(&self, program_id: ProgramId) -> DomainResult<Vec<InputVersion>>;
    /// How much of the program's estimated work is done, per project, by the rule of
    /// [`crate::progress`], summed in one query (no item is loaded). Every project of the
    /// program is listed, ordered by id. `NotFound` for an unknown program.
    async fn program_progress(&self, program_id: ProgramId) -> DomainResult<ProgramProgress>;

    // ----- accounts -----

    async fn count_users(&self) -> DomainResult<u64>;
    /// `username` is unique (`Validation` on `username`, code `taken`).
    async fn create_user(&self, actor: &Actor, fields: UserFields, password_hash: String) -> DomainResult<User>;
    async fn get_user(&self, id: UserId) -> DomainResult<User>;
    /// Ordered by username.
    async fn list_users(&self, page: &PageRequest) -> DomainResult<Page<User>>;
    async fn update_user(&self, actor: &Actor, id: UserId, version: i64, fields: UserFields) -> DomainResult<User>;
    /// Replaces the password hash; ends the user's sessions (audited as a `password` change
    /// without values).
    async fn set_password(&self, actor: &Actor, id: UserId, password_hash: String) -> DomainResult<()>;
    /// The user and their password hash.
    async fn find_credentials(&self, username: &Username) -> DomainResult<Option<(User, String)>>;

    async fn create_session(&self, session: &Session) -> DomainResult<()>;
    /// The session stored under `digest` and its user, expired or not (the caller checks).
    async fn find_session(&self, digest: &str) -> DomainResult<Option<(Session, User)>>;
    async fn delete_session(&self, digest: &str) -> DomainResult<()>;

    /// Failures since the last success for a lower-case username (known or not).
    async fn login_failures(&self, username: &str) -> DomainResult<Option<LoginFailures>>;
    async fn record_login_failure(&self, username: &str) -> DomainResult<LoginFailures>;
    async fn clear_login_failures(&self, username: &str) -> DomainResult<()>;

    /// The user must exist (`Validation` on `user_id`).
    async fn create_api_token(&self, actor: &Actor, token: &NewApiToken) -> DomainResult<ApiToken>;
    async fn get_api_token(&self, id: ApiTokenId) -> DomainResult<ApiToken>;
    /// The token stored under `digest` and its user, active or not (the caller checks).
    async fn find_api_token(&self, digest: &str) -> DomainResult<Option<(ApiToken, User)>>;
    /// One user's tokens, or everyone's; newest first.
    async fn list_api_tokens(&self, user: Option<UserId>) -> DomainResult<Vec<ApiToken>>;
    /// Sets `revoked_at` (idempotent: revoking a revoked token keeps the first time).
    async fn revoke_api_token(&self, actor: &Actor, id: ApiTokenId) -> DomainResult<ApiToken>;

    /// The user and the scope must exist (`Validation` on `user_id` / `scope_id`); one grant per
    /// user and scope (`Validation` on `user_id`, code `duplicate`).
    async fn create_grant(&self, actor: &Actor, user_id: UserId, scope: GrantScope, role: Role) -> DomainResult<Grant>;
    async fn get_grant(&self, id: GrantId) -> DomainResult<Grant>;
    async fn delete_grant(&self, actor: &Actor, id: GrantId) -> DomainResult<()>;
    /// Ordered by creation.
    async fn list_grants(&self, filter: &GrantFilter) -> DomainResult<Vec<Grant>>;

    // ----- audit trail (append-only: written by the writes above, never changed) -----

    /// Newest first.
    async fn list_audit_events(&self, filter: &AuditFilter, page: &PageRequest) -> DomainResult<Page<AuditEvent>>;

    // Product strategy: objectives and key results.

    /// The product must exist (`Validation` on `product_id`); key result ids must be unused
    /// (`key_results[i].id`, `taken`).
    async fn create_objective(&self, actor: &Actor, fields: ObjectiveFields) -> DomainResult<Objective>;
    async fn get_objective(&self, id: ObjectiveId) -> DomainResult<Objective>;
    /// The product cannot change (`product_id`, `immutable`). Key results are replaced by those
    /// given: a named one keeps its measurements (it must be this objective's or unused:
    /// `key_results[i].id`, `taken`), one left out is deleted with its measurements.
    async fn update_objective(
        &self,
        actor: &Actor,
        id: ObjectiveId,
        version: i64,
        fields: ObjectiveFields,
    ) -> DomainResult<Objective>;
    /// Deletes the objective with its key results, measurements and feature links.
    async fn delete_objective(&self, actor: &Actor, id: ObjectiveId, version: Option<i64>) -> DomainResult<()>;
    /// Ordered by period start, then creation.
    async fn list_objectives(&self, filter: &ObjectiveFilter) -> DomainResult<Vec<Objective>>;
    /// Adds a measurement to a key result of the objective (`key_result_id`, `not_found`), or
    /// replaces the value measured on the same date; audited as a change of the objective. The
    /// objective's version does not change: measurements are added beside edits, not against them.
    async fn record_measurement(
        &self,
        actor: &Actor,
        objective: ObjectiveId,
        key_result: KeyResultId,
        measurement: Measurement,
    ) -> DomainResult<Objective>;
    /// Links a feature to the objective it serves (idempotent). The work item must exist
    /// (`work_item_id`, `not_found`) and pass [`crate::strategy::check_feature`].
    async fn link_feature(&self, actor: &Actor, objective: ObjectiveId, work_item: WorkItemId) -> DomainResult<()>;
    /// Removes a link (idempotent); the objective must exist.
    async fn unlink_feature(&self, actor: &Actor, objective: ObjectiveId, work_item: WorkItemId) -> DomainResult<()>;
    /// The links of a product's objectives, ordered by objective then work item.
    async fn list_objective_links(&self, product: ProductId) -> DomainResult<Vec<ObjectiveLink>>;
    /// Stores what the product manager entered for a feature on the roadmap (creating the entry or
    /// replacing it: `version`, when given, must match). The work item must exist (`work_item_id`,
    /// `not_found`) and be an epic or feature of a product (`not_a_feature`, `no_product`).
    async fn put_roadmap_entry(
        &self,
        actor: &Actor,
        work_item: WorkItemId,
        version: Option<i64>,
        fields: RoadmapEntryFields,
    ) -> DomainResult<RoadmapEntry>;
    /// The entries of a product's work items.
    async fn list_roadmap_entries(&self, product: ProductId) -> DomainResult<Vec<RoadmapEntry>>;
    // Product backlog: user stories, prioritization inputs, reordering and bulk edits.

    /// The backlog details of each given item that exists, in the given order (an item without
    /// stored details has empty ones); unknown ids are left out.
    async fn backlog_details(&self, ids: &[WorkItemId]) -> DomainResult<Vec<(WorkItemId, BacklogDetails)>>;
    /// Replaces the item's story and prioritization inputs; names the item's version (a stale one
    /// is a `VersionConflict`), bumps it, and appends one audit event on the work item for the
    /// fields that changed ([`crate::backlog::BacklogRecord`]).
    async fn set_backlog_details(
        &self,
        actor: &Actor,
        id: WorkItemId,
        version: i64,
        details: BacklogDetails,
    ) -> DomainResult<WorkItem>;
    /// Moves `item` within `product`'s backlog and renumbers the product's items in their new order
    /// ([`crate::backlog::renumbered`]); each item whose rank changes gets a new version and an
    /// audit event. `Validation` on `product_id` (unknown product), `item_id`, `before_id` or
    /// `after_id` ([`crate::backlog::reorder`]). Returns the product's items in the new order.
    async fn move_in_backlog(
        &self,
        actor: &Actor,
        product: ProductId,
        item: WorkItemId,
        position: BacklogPosition,
    ) -> DomainResult<Vec<WorkItem>>;
    /// Sets the status and/or moves the items before (after) every item of their own backlog
    /// (their product's items; the items in no product for those in none), keeping their order
    /// ([`crate::backlog::moved_ranks`]); all or nothing: an unknown id is a `Validation`
    /// error on `ids[i]` (code `not_found`). One audit event per item that changed. Returns the
    /// items in the order given.
    async fn bulk_edit_work_items(&self, actor: &Actor, edit: &BulkEdit) -> DomainResult<Vec<WorkItem>>;

    // Feedback and research: segments and insights.

    async fn create_segment(&self, actor: &Actor, fields: SegmentFields) -> DomainResult<Segment>;
    async fn get_segment(&self, id: SegmentId) -> DomainResult<Segment>;
    /// The product may not change (`product_id`, code `immutable`).
    async fn update_segment(
        &self,
        actor: &Actor,
        id: SegmentId,
        version: i64,
        fields: SegmentFields,
    ) -> DomainResult<Segment>;
    async fn delete_segment(&self, actor: &Actor, id: SegmentId, version: Option<i64>) -> DomainResult<()>;
    /// A product's segments by name (a product has few).
    async fn list_segments(&self, product: ProductId) -> DomainResult<Vec<Segment>>;

    async fn create_insight(&self, actor: &Actor, fields: InsightFields) -> DomainResult<Insight>;
    /// All or none, in order (the CSV import); errors are on `rows[N].field`, N from 1.
    async fn create_insights(&self, actor: &Actor, rows: Vec<InsightFields>) -> DomainResult<Vec<Insight>>;
    async fn get_insight(&self, id: InsightId) -> DomainResult<Insight>;
    /// The product may not change (`product_id`, code `immutable`).
    async fn update_insight(
        &self,
        actor: &Actor,
        id: InsightId,
        version: i64,
        fields: InsightFields,
    ) -> DomainResult<Insight>;
    async fn delete_insight(&self, actor: &Actor, id: InsightId, version: Option<i64>) -> DomainResult<()>;
    /// Newest first (date, then id, descending); every match (a product's research is at most some
    /// thousands of insights, and the demand score needs them all).
    async fn list_insights(&self, filter: &InsightFilter) -> DomainResult<Vec<Insight>>;

    // Experiments: A/B tests.

    /// The feature, when named, is a work item of the product (`feature_id`, `not_found` /
    /// `other_product`).
    async fn create_experiment(&self, actor: &Actor, fields: ExperimentFields) -> DomainResult<Experiment>;
    async fn get_experiment(&self, id: ExperimentId) -> DomainResult<Experiment>;
    /// The product may not change (`product_id`, code `immutable`); variants are replaced whole.
    async fn update_experiment(
        &self,
        actor: &Actor,
        id: ExperimentId,
        version: i64,
        fields: ExperimentFields,
    ) -> DomainResult<Experiment>;
    async fn delete_experiment(&self, actor: &Actor, id: ExperimentId, version: Option<i64>) -> DomainResult<()>;
    /// A product's experiments, newest first (created, then id, descending).
    async fn list_experiments(&self, product: ProductId) -> DomainResult<Vec<Experiment>>;

    // Product metrics.

    /// Stores the point, replacing the value already recorded for its product, feature, kind and
    /// date (an update of that record, audited as such; the id stays).
    async fn record_metric_point(&self, actor: &Actor, fields: MetricPointFields) -> DomainResult<MetricPoint>;
    /// All or none, in order (a batch or the CSV import); errors are on `rows[N].field`, N from 1.
    async fn record_metric_points(&self, actor: &Actor, rows: Vec<MetricPointFields>)
    -> DomainResult<Vec<MetricPoint>>;
    async fn get_metric_point(&self, id: MetricPointId) -> DomainResult<MetricPoint>;
    async fn delete_metric_point(&self, actor: &Actor, id: MetricPointId, version: Option<i64>) -> DomainResult<()>;
    /// Every match, by kind, feature (the product's own series first), then date.
    async fn list_metric_points(&self, filter: &MetricFilter) -> DomainResult<Vec<MetricPoint>>;
}
