//! Tandem's PostgreSQL backend: the [`Store`] over one database, shareable by several servers.
//!
//! Every write runs in one transaction that commits everything or nothing. Checks that must still
//! hold when the write happens lock what they read: the row being updated or deleted
//! (`SELECT ... FOR UPDATE`), a team's row while an item's demand is checked against its capacity
//! (`FOR SHARE`), and a transaction-scoped advisory lock that serialises the writes whose check
//! spans many rows (dependency cycles, parent chains), so two concurrent writes cannot together
//! close a cycle.
//!
//! Every write that changes a record appends its audit events in the same transaction. An update
//! or delete first locks the row (`records::lock`) and only then reads it as the event's
//! "before", so a concurrent write cannot slip in between what is recorded and what is changed.
//!
//! Code map (parallel to `tandem-store-sqlite`): `columns` (value decoding), `records` (what every
//! table shares: existence, locks, versions, deletes), `paging` (cursors), `visibility` (the
//! per-user part of list filters), `audit` (the trail), then one module per table (`accounts`
//! holds users, sessions, the login throttle and API tokens).

mod accounts;
mod audit;
mod backlog;
mod columns;
mod dependencies;
mod evidence;
mod experiments;
mod forecasts;
mod grants;
mod metrics;
mod milestones;
mod paging;
mod products;
mod programs;
mod progress;
mod projects;
mod records;
mod risks;
mod schedules;
mod strategy;
mod teams;
mod visibility;
mod work_items;

use std::time::Duration;

use crate::columns::storage;
use crate::records::Table;
use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres, Row, Transaction};
use tandem_domain::MetricPointId;
use tandem_domain::accounts::LoginFailures;
use tandem_domain::backlog::{BacklogDetails, BacklogPosition, BacklogRecord, BulkEdit};
use tandem_domain::evidence::{Insight, InsightFields, InsightFilter, Segment, SegmentFields};
use tandem_domain::experiment::{Experiment, ExperimentFields};
use tandem_domain::forecasting::{InputVersion, ProgramForecast};
use tandem_domain::ids::ExperimentId;
use tandem_domain::metrics::{MetricFilter, MetricPoint, MetricPointFields};
use tandem_domain::planning::ProgramSchedule;
use tandem_domain::progress::ProgramProgress;
use tandem_domain::strategy::{
    Measurement, Objective, ObjectiveFields, ObjectiveFilter, ObjectiveLink, RoadmapEntry, RoadmapEntryFields,
};
use tandem_domain::{
    Actor, ApiToken, ApiTokenId, AuditEvent, AuditFilter, Dependency, DependencyFields, DependencyFilter, DependencyId,
    DomainError, DomainResult, Grant, GrantFilter, GrantId, GrantScope, Milestone, MilestoneFields, MilestoneFilter,
    MilestoneId, NewApiToken, NodeRef, NodeSummary, Page, PageRequest, Product, ProductFields, ProductFilter,
    ProductId, Program, ProgramFields, ProgramFilter, ProgramId, Project, ProjectFields, ProjectFilter, ProjectId,
    Rank, Risk, RiskFields, RiskFilter, RiskId, Role, Session, Store, Team, TeamFields, TeamFilter, TeamId, User,
    UserFields, UserId, Username, WorkItem, WorkItemFields, WorkItemFilter, WorkItemId,
};
use tandem_domain::{InsightId, SegmentId};
use tandem_domain::{KeyResultId, ObjectiveId};

/// How long to wait for a connection (at start-up: for the server to answer) before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The URL is not a PostgreSQL URL. (The URL itself is left out: it may hold a password.)
#[derive(Debug, thiserror::Error)]
#[error("not a PostgreSQL URL: it must start with postgres:// or postgresql://")]
pub struct NotAPostgresUrl;

/// A [`Store`] on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `postgres://...` (or `postgresql://...`) and applies pending migrations.
    pub async fn connect(url: &str) -> Result<PostgresStore, DomainError> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(DomainError::storage(NotAPostgresUrl));
        }
        let pool = PgPoolOptions::new()
            .max_connections(8)
            // A server that is down should be reported in seconds, not after sqlx's default 30.
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(storage)?;
        let store = PostgresStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn write(&self) -> DomainResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(storage)
    }

    /// A read-only transaction on one snapshot, for reads made of several queries.
    async fn snapshot(&self) -> DomainResult<Transaction<'static, Postgres>> {
        self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.map_err(storage)
    }

    async fn read(&self) -> DomainResult<PoolConnection<Postgres>> {
        self.pool.acquire().await.map_err(storage)
    }

    async fn applied_migrations(&self) -> DomainResult<i64> {
        let mut conn = self.read().await?;
        let table = sqlx::query("SELECT to_regclass('_sqlx_migrations') IS NOT NULL AS present")
            .fetch_one(&mut *conn)
            .await
            .map_err(storage)?;
        if !table.try_get::<bool, _>("present").map_err(storage)? {
            return Ok(0);
        }
        let row = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await
            .map_err(storage)?;
        row.try_get::<i64, _>("n").map_err(storage)
    }
}

async fn commit<T>(tx: Transaction<'static, Postgres>, value: T) -> DomainResult<T> {
    tx.commit().await.map_err(storage)?;
    Ok(value)
}

#[async_trait]
impl Store for PostgresStore {
    fn backend_name(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> DomainResult<usize> {
        let before = self.applied_migrations().await?;
        MIGRATOR.run(&self.pool).await.map_err(|e| {
            tracing::error!(error = %e, "postgres migration failed");
            DomainError::storage(e)
        })?;
        let after = self.applied_migrations().await?;
        Ok(usize::try_from(after - before).unwrap_or(0))
    }

    async fn create_program(&self, actor: &Actor, fields: ProgramFields) -> DomainResult<Program> {
        let mut tx = self.write().await?;
        let program = programs::create(&mut tx, fields).await?;
        audit::created(&mut tx, actor, &program).await?;
        commit(tx, program).await
    }

    async fn get_program(&self, id: ProgramId) -> DomainResult<Program> {
        programs::get(&mut *self.read().await?, id).await
    }

    async fn update_program(
        &self,
        actor: &Actor,
        id: ProgramId,
        version: i64,
        fields: ProgramFields,
    ) -> DomainResult<Program> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Programs, id.as_uuid()).await?;
        let before = programs::get(&mut tx, id).await?;
        let program = programs::update(&mut tx, id, version, fields).await?;
        audit::updated(&mut tx, actor, &before, &program).await?;
        commit(tx, program).await
    }

    async fn delete_program(&self, actor: &Actor, id: ProgramId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Programs, id.as_uuid()).await?;
        let before = programs::get(&mut tx, id).await?;
        programs::check_delete(&mut tx, id, version).await?;
        grants::delete_for_scope(&mut tx, actor, GrantScope::Program(id)).await?;
        programs::delete(&mut tx, id).await?;
        audit::deleted(&mut tx, actor, &before).await?;
        commit(tx, ()).await
    }

    async fn list_programs(&self, filter: &ProgramFilter, page: &PageRequest) -> DomainResult<Page<Program>> {
        programs::list(&mut *self.read().await?, filter, page).await
    }

    async fn create_project(&self, actor: &Actor, fields: ProjectFields) -> DomainResult<Project> {
        let mut tx = self.write().await?;
        let project = projects::create(&mut tx, fields).await?;
        audit::created(&mut tx, actor, &project).await?;
        commit(tx, project).await
    }

    async fn get_project(&self, id: ProjectId) -> DomainResult<Project> {
        projects::get(&mut *self.read().await?, id).await
    }

    async fn update_project(
        &self,
        actor: &Actor,
        id: ProjectId,
        version: i64,
        fields: ProjectFields,
    ) -> DomainResult<Project> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Projects, id.as_uuid()).await?;
        let before = projects::get(&mut tx, id).await?;
        let project = projects::update(&mut tx, id, version, fields).await?;
        audit::updated(&mut tx, actor, &before, &project).await?;
        commit(tx, project).await
    }

    async fn delete_project(&self, actor: &Actor, id: ProjectId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Projects, id.as_uuid()).await?;
        let before = projects::get(&mut tx, id).await?;
        projects::check_delete(&mut tx, id, version).await?;
        grants::delete_for_scope(&mut tx, actor, GrantScope::Project(id)).await?;
        projects::delete(&mut tx, id).await?;
        audit::deleted(&mut tx, actor, &before).await?;
        commit(tx, ()).await
    }

    async fn list_projects(&self, filter: &ProjectFilter, page: &PageRequest) -> DomainResult<Page<Project>> {
        projects::list(&mut *self.read().await?, filter, page).await
    }

    async fn create_product(&self, actor: &Actor, fields: ProductFields) -> DomainResult<Product> {
        let mut tx = self.write().await?;
        let product = products::create(&mut tx, fields).await?;
        audit::created(&mut tx, actor, &product).await?;
        commit(tx, product).await
    }

    async fn get_product(&self, id: ProductId) -> DomainResult<Product> {
        products::get(&mut *self.read().await?, id).await
    }

    async fn update_product(
        &self,
        actor: &Actor,
        id: ProductId,
        version: i64,
        fields: ProductFields,
    ) -> DomainResult<Product> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Products, id.as_uuid()).await?;
        let before = products::get(&mut tx, id).await?;
        let product = products::update(&mut tx, id, version, fields).await?;
        audit::updated(&mut tx, actor, &before, &product).await?;
        commit(tx, product).await
    }

    async fn delete_product(&self, actor: &Actor, id: ProductId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Products, id.as_uuid()).await?;
        let before = products::get(&mut tx, id).await?;
        products::check_delete(&mut tx, id, version).await?;
        grants::delete_for_scope(&mut tx, actor, GrantScope::Product(id)).await?;
        products::delete(&mut tx, id).await?;
        audit::deleted(&mut tx, actor, &before).await?;
        commit(tx, ()).await
    }

    async fn list_products(&self, filter: &ProductFilter, page: &PageRequest) -> DomainResult<Page<Product>> {
        products::list(&mut *self.read().await?, filter, page).await
    }

    async fn create_team(&self, actor: &Actor, fields: TeamFields) -> DomainResult<Team> {
        let mut tx = self.write().await?;
        let team = teams::create(&mut tx, fields).await?;
        audit::created(&mut tx, actor, &team).await?;
        commit(tx, team).await
    }

    async fn get_team(&self, id: TeamId) -> DomainResult<Team> {
        teams::get(&mut *self.read().await?, id).await
    }

    async fn update_team(&self, actor: &Actor, id: TeamId, version: i64, fields: TeamFields) -> DomainResult<Team> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Teams, id.as_uuid()).await?;
        let before = teams::get(&mut tx, id).await?;
        let team = teams::update(&mut tx, id, version, fields).await?;
        audit::updated(&mut tx, actor, &before, &team).await?;
        commit(tx, team).await
    }

    async fn delete_team(&self, actor: &Actor, id: TeamId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Teams, id.as_uuid()).await?;
        let before = teams::get(&mut tx, id).await?;
        teams::delete(&mut tx, id, version).await?;
        audit::deleted(&mut tx, actor, &before).await?;
        commit(tx, ()).await
    }

    async fn list_teams(&self, filter: &TeamFilter, page: &PageRequest) -> DomainResult<Page<Team>> {
        teams::list(&mut *self.read().await?, filter, page).await
    }

    async fn create_work_item(
        &self,
        actor: &Actor,
        fields: WorkItemFields,
        rank: Option<Rank>,
    ) -> DomainResult<WorkItem> {
        let mut tx = self.write().await?;
        let item = work_items::create(&mut tx, fields, rank).await?;
        audit::created(&mut tx, actor, &item).await?;
        commit(tx, item).await
    }

    async fn create_work_items(&self, actor: &Actor, items: Vec<WorkItemFields>) -> DomainResult<Vec<WorkItem>> {
        let mut tx = self.write().await?;
        let created = work_items::create_many(&mut tx, items).await?;
        audit::created_all(&mut tx, actor, &created).await?;
        commit(tx, created).await
    }

    async fn get_work_item(&self, id: WorkItemId) -> DomainResult<WorkItem> {
        work_items::get(&mut *self.read().await?, id).await
    }

    async fn update_work_item(
        &self,
        actor: &Actor,
        id: WorkItemId,
        version: i64,
        fields: WorkItemFields,
        rank: Option<Rank>,
    ) -> DomainResult<WorkItem> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::WorkItems, id.as_uuid()).await?;
        let before = work_items::get(&mut tx, id).await?;
        let item = work_items::update(&mut tx, id, version, fields, rank).await?;
        audit::updated(&mut tx, actor, &before, &item).await?;
        commit(tx, item).await
    }

    async fn delete_work_item(&self, actor: &Actor, id: WorkItemId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        // The lock also holds off new dependencies on the item (their foreign key check waits for
        // it), so `cascaded` is every dependency the delete takes with it.
        records::lock(&mut tx, Table::WorkItems, id.as_uuid()).await?;
        let before = work_items::get(&mut tx, id).await?;
        // Its backlog details go with it: the delete event keeps them.
        let details = backlog::get(&mut tx, id).await?;
        let cascaded = dependencies::touching(&mut tx, NodeRef::WorkItem(id)).await?;
        // Product strategy: a refused delete below rolls these back with it.
        strategy::forget_work_item(&mut tx, actor, id).await?;
        work_items::delete(&mut tx, id, version).await?;
        for dependency in &cascaded {
            audit::deleted(&mut tx, actor, dependency).await?;
        }
        audit::deleted(&mut tx, actor, &BacklogRecord { item: &before, details: &details }).await?;
        commit(tx, ()).await
    }

    async fn list_work_items(&self, filter: &WorkItemFilter, page: &PageRequest) -> DomainResult<Page<WorkItem>> {
        work_items::list(&mut *self.read().await?, filter, page).await
    }

    async fn count_work_items(&self, filter: &WorkItemFilter) -> DomainResult<u64> {
        work_items::count(&mut *self.read().await?, filter).await
    }

    async fn create_milestone(&self, actor: &Actor, fields: MilestoneFields) -> DomainResult<Milestone> {
        let mut tx = self.write().await?;
        let milestone = milestones::create(&mut tx, fields).await?;
        audit::created(&mut tx, actor, &milestone).await?;
        commit(tx, milestone).await
    }

    async fn get_milestone(&self, id: MilestoneId) -> DomainResult<Milestone> {
        milestones::get(&mut *self.read().await?, id).await
    }

    async fn update_milestone(
        &self,
        actor: &Actor,
        id: MilestoneId,
        version: i64,
        fields: MilestoneFields,
    ) -> DomainResult<Milestone> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Milestones, id.as_uuid()).await?;
        let before = milestones::get(&mut tx, id).await?;
        let milestone = milestones::update(&mut tx, id, version, fields).await?;
        audit::updated(&mut tx, actor, &before, &milestone).await?;
        commit(tx, milestone).await
    }

    async fn delete_milestone(&self, actor: &Actor, id: MilestoneId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        // As for work items: the lock holds off new dependencies on the milestone.
        records::lock(&mut tx, Table::Milestones, id.as_uuid()).await?;
        let before = milestones::get(&mut tx, id).await?;
        let cascaded = dependencies::touching(&mut tx, NodeRef::Milestone(id)).await?;
        milestones::delete(&mut tx, id, version).await?;
        for dependency in &cascaded {
            audit::deleted(&mut tx, actor, dependency).await?;
        }
        audit::deleted(&mut tx, actor, &before).await?;
        commit(tx, ()).await
    }

    async fn list_milestones(&self, filter: &MilestoneFilter, page: &PageRequest) -> DomainResult<Page<Milestone>> {
        milestones::list(&mut *self.read().await?, filter, page).await
    }

    async fn create_dependency(&self, actor: &Actor, fields: DependencyFields) -> DomainResult<Dependency> {
        let mut tx = self.write().await?;
        let dependency = dependencies::create(&mut tx, fields).await?;
        audit::created(&mut tx, actor, &dependency).await?;
        commit(tx, dependency).await
    }

    async fn get_dependency(&self, id: DependencyId) -> DomainResult<Dependency> {
        dependencies::get(&mut *self.read().await?, id).await
    }

    async fn update_dependency(
        &self,
        actor: &Actor,
        id: DependencyId,
        version: i64,
        fields: DependencyFields,
    ) -> DomainResult<Dependency> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Dependencies, id.as_uuid()).await?;
        let before = dependencies::get(&mut tx, id).await?;
        let dependency = dependencies::update(&mut tx, id, version, fields).await?;
        audit::updated(&mut tx, actor, &before, &dependency).await?;
        commit(tx, dependency).await
    }

    async fn delete_dependency(&self, actor: &Actor, id: DependencyId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Dependencies, id.as_uuid()).await?;
        let before = dependencies::get(&mut tx, id).await?;
        dependencies::delete(&mut tx, id, version).await?;
        audit::deleted(&mut tx, actor, &before).await?;
        commit(tx, ()).await
    }

    async fn list_dependencies(&self, filter: &DependencyFilter, page: &PageRequest) -> DomainResult<Page<Dependency>> {
        dependencies::list(&mut *self.read().await?, filter, page).await
    }

    async fn create_risk(&self, actor: &Actor, fields: RiskFields) -> DomainResult<Risk> {
        let mut tx = self.write().await?;
        let risk = risks::create(&mut tx, fields).await?;
        audit::created(&mut tx, actor, &risk).await?;
        commit(tx, risk).await
    }

    async fn get_risk(&self, id: RiskId) -> DomainResult<Risk> {
        risks::get(&mut *self.read().await?, id).await
    }

    async fn update_risk(&self, actor: &Actor, id: RiskId, version: i64, fields: RiskFields) -> DomainResult<Risk> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Risks, id.as_uuid()).await?;
        let before = risks::get(&mut tx, id).await?;
        let risk = risks::update(&mut tx, id, version, fields).await?;
        audit::updated(&mut tx, actor, &before, &risk).await?;
        commit(tx, risk).await
    }

    async fn delete_risk(&self, actor: &Actor, id: RiskId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Risks, id.as_uuid()).await?;
        let before = risks::get(&mut tx, id).await?;
        risks::delete(&mut tx, id, version).await?;
        audit::deleted(&mut tx, actor, &before).await?;
        commit(tx, ()).await
    }

    async fn list_risks(&self, filter: &RiskFilter, page: &PageRequest) -> DomainResult<Page<Risk>> {
        risks::list(&mut *self.read().await?, filter, page).await
    }

    async fn node_summaries(&self, nodes: &[NodeRef]) -> DomainResult<Vec<NodeSummary>> {
        // One repeatable-read transaction, so every summary comes from the same snapshot.
        let mut tx = self.snapshot().await?;
        let summaries = dependencies::summaries(&mut tx, nodes).await?;
        commit(tx, summaries).await
    }

    async fn save_program_schedule(&self, schedule: &ProgramSchedule) -> DomainResult<()> {
        let mut tx = self.write().await?;
        schedules::save(&mut tx, schedule).await?;
        commit(tx, ()).await
    }

    async fn latest_program_schedule(&self, program_id: ProgramId) -> DomainResult<Option<ProgramSchedule>> {
        // One read transaction, so the schedule and its entries come from the same snapshot.
        let mut tx = self.pool.begin().await.map_err(storage)?;
        let schedule = schedules::latest(&mut tx, program_id).await?;
        commit(tx, schedule).await
    }

    async fn save_program_forecast(&self, forecast: &ProgramForecast) -> DomainResult<()> {
        let mut tx = self.write().await?;
        forecasts::save(&mut tx, forecast).await?;
        commit(tx, ()).await
    }

    async fn latest_program_forecast(&self, program_id: ProgramId) -> DomainResult<Option<ProgramForecast>> {
        // One read transaction, so the forecast and its lines come from the same snapshot.
        let mut tx = self.pool.begin().await.map_err(storage)?;
        let forecast = forecasts::latest(&mut tx, program_id).await?;
        commit(tx, forecast).await
    }

    async fn forecast_input_versions(&self, program_id: ProgramId) -> DomainResult<Vec<InputVersion>> {
        forecasts::input_versions(&mut *self.read().await?, program_id).await
    }

    async fn program_progress(&self, program_id: ProgramId) -> DomainResult<ProgramProgress> {
        progress::program_progress(&mut *self.read().await?, program_id).await
    }

    async fn count_users(&self) -> DomainResult<u64> {
        accounts::count_users(&mut *self.read().await?).await
    }

    async fn create_user(&self, actor: &Actor, fields: UserFields, password_hash: String) -> DomainResult<User> {
        let mut tx = self.write().await?;
        let user = accounts::create_user(&mut tx, fields, &password_hash).await?;
        audit::created(&mut tx, actor, &user).await?;
        commit(tx, user).await
    }

    async fn get_user(&self, id: UserId) -> DomainResult<User> {
        accounts::get_user(&mut *self.read().await?, id).await
    }

    async fn list_users(&self, page: &PageRequest) -> DomainResult<Page<User>> {
        accounts::list_users(&mut *self.read().await?, page).await
    }

    async fn update_user(&self, actor: &Actor, id: UserId, version: i64, fields: UserFields) -> DomainResult<User> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Users, id.as_uuid()).await?;
        let before = accounts::get_user(&mut tx, id).await?;
        let user = accounts::update_user(&mut tx, id, version, fields).await?;
        audit::updated(&mut tx, actor, &before, &user).await?;
        commit(tx, user).await
    }

    async fn set_password(&self, actor: &Actor, id: UserId, password_hash: String) -> DomainResult<()> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::Users, id.as_uuid()).await?;
        let user = accounts::get_user(&mut tx, id).await?;
        accounts::set_password(&mut tx, id, &password_hash).await?;
        audit::append(&mut tx, &AuditEvent::changed(actor, &user, "password", None, Some("changed".to_owned())))
            .await?;
        commit(tx, ()).await
    }

    async fn find_credentials(&self, username: &Username) -> DomainResult<Option<(User, String)>> {
        accounts::find_credentials(&mut *self.read().await?, username).await
    }

    async fn create_session(&self, session: &Session) -> DomainResult<()> {
        let mut tx = self.write().await?;
        accounts::create_session(&mut tx, session).await?;
        commit(tx, ()).await
    }

    async fn find_session(&self, digest: &str) -> DomainResult<Option<(Session, User)>> {
        accounts::find_session(&mut *self.read().await?, digest).await
    }

    async fn delete_session(&self, digest: &str) -> DomainResult<()> {
        let mut tx = self.write().await?;
        accounts::delete_session(&mut tx, digest).await?;
        commit(tx, ()).await
    }

    async fn login_failures(&self, username: &str) -> DomainResult<Option<LoginFailures>> {
        accounts::login_failures(&mut *self.read().await?, username).await
    }

    async fn record_login_failure(&self, username: &str) -> DomainResult<LoginFailures> {
        // One upsert statement: atomic on its own.
        accounts::record_login_failure(&mut *self.read().await?, username).await
    }

    async fn clear_login_failures(&self, username: &str) -> DomainResult<()> {
        let mut tx = self.write().await?;
        accounts::clear_login_failures(&mut tx, username).await?;
        commit(tx, ()).await
    }

    async fn create_api_token(&self, actor: &Actor, token: &NewApiToken) -> DomainResult<ApiToken> {
        let mut tx = self.write().await?;
        let stored = accounts::create_api_token(&mut tx, token).await?;
        audit::created(&mut tx, actor, &stored).await?;
        commit(tx, stored).await
    }

    async fn get_api_token(&self, id: ApiTokenId) -> DomainResult<ApiToken> {
        accounts::get_api_token(&mut *self.read().await?, id).await
    }

    async fn find_api_token(&self, digest: &str) -> DomainResult<Option<(ApiToken, User)>> {
        // One repeatable-read transaction: the token and its user from the same snapshot.
        let mut tx = self.snapshot().await?;
        let found = accounts::find_api_token(&mut tx, digest).await?;
        commit(tx, found).await
    }

    async fn list_api_tokens(&self, user: Option<UserId>) -> DomainResult<Vec<ApiToken>> {
        accounts::list_api_tokens(&mut *self.read().await?, user).await
    }

    async fn revoke_api_token(&self, actor: &Actor, id: ApiTokenId) -> DomainResult<ApiToken> {
        let mut tx = self.write().await?;
        // Locked first: of two concurrent revocations, the second sees the first's time and
        // records no change.
        records::lock(&mut tx, Table::ApiTokens, id.as_uuid()).await?;
        let before = accounts::get_api_token(&mut tx, id).await?;
        let after = accounts::revoke_api_token(&mut tx, id).await?;
        audit::updated(&mut tx, actor, &before, &after).await?;
        commit(tx, after).await
    }

    async fn create_grant(&self, actor: &Actor, user_id: UserId, scope: GrantScope, role: Role) -> DomainResult<Grant> {
        let mut tx = self.write().await?;
        let grant = grants::create(&mut tx, user_id, scope, role).await?;
        audit::created(&mut tx, actor, &grant).await?;
        commit(tx, grant).await
    }

    async fn get_grant(&self, id: GrantId) -> DomainResult<Grant> {
        grants::get(&mut *self.read().await?, id).await
    }

    async fn delete_grant(&self, actor: &Actor, id: GrantId) -> DomainResult<()> {
        let mut tx = self.write().await?;
        // Locked first: of two concurrent deletes, the second finds nothing and audits nothing.
        records::lock(&mut tx, Table::Grants, id.as_uuid()).await?;
        let grant = grants::get(&mut tx, id).await?;
        grants::delete(&mut tx, id).await?;
        audit::deleted(&mut tx, actor, &grant).await?;
        commit(tx, ()).await
    }

    async fn list_grants(&self, filter: &GrantFilter) -> DomainResult<Vec<Grant>> {
        grants::list(&mut *self.read().await?, filter).await
    }

    async fn list_audit_events(&self, filter: &AuditFilter, page: &PageRequest) -> DomainResult<Page<AuditEvent>> {
        audit::list(&mut *self.read().await?, filter, page).await
    }

    // Product strategy: objectives and key results.

    async fn create_objective(&self, actor: &Actor, fields: ObjectiveFields) -> DomainResult<Objective> {
        let mut tx = self.write().await?;
        let objective = strategy::create(&mut tx, actor, fields).await?;
        commit(tx, objective).await
    }

    async fn get_objective(&self, id: ObjectiveId) -> DomainResult<Objective> {
        strategy::get(&mut *self.read().await?, id).await
    }

    async fn update_objective(
        &self,
        actor: &Actor,
        id: ObjectiveId,
        version: i64,
        fields: ObjectiveFields,
    ) -> DomainResult<Objective> {
        let mut tx = self.write().await?;
        let objective = strategy::update(&mut tx, actor, id, version, fields).await?;
        commit(tx, objective).await
    }

    async fn delete_objective(&self, actor: &Actor, id: ObjectiveId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        strategy::delete(&mut tx, actor, id, version).await?;
        commit(tx, ()).await
    }

    async fn list_objectives(&self, filter: &ObjectiveFilter) -> DomainResult<Vec<Objective>> {
        strategy::list(&mut *self.read().await?, filter).await
    }

    async fn record_measurement(
        &self,
        actor: &Actor,
        objective: ObjectiveId,
        key_result: KeyResultId,
        measurement: Measurement,
    ) -> DomainResult<Objective> {
        let mut tx = self.write().await?;
        let objective = strategy::record_measurement(&mut tx, actor, objective, key_result, measurement).await?;
        commit(tx, objective).await
    }

    async fn link_feature(&self, actor: &Actor, objective: ObjectiveId, work_item: WorkItemId) -> DomainResult<()> {
        let mut tx = self.write().await?;
        strategy::link(&mut tx, actor, objective, work_item).await?;
        commit(tx, ()).await
    }

    async fn unlink_feature(&self, actor: &Actor, objective: ObjectiveId, work_item: WorkItemId) -> DomainResult<()> {
        let mut tx = self.write().await?;
        strategy::unlink(&mut tx, actor, objective, work_item).await?;
        commit(tx, ()).await
    }

    async fn list_objective_links(&self, product: ProductId) -> DomainResult<Vec<ObjectiveLink>> {
        strategy::list_links(&mut *self.read().await?, product).await
    }

    async fn put_roadmap_entry(
        &self,
        actor: &Actor,
        work_item: WorkItemId,
        version: Option<i64>,
        fields: RoadmapEntryFields,
    ) -> DomainResult<RoadmapEntry> {
        let mut tx = self.write().await?;
        let entry = strategy::put_entry(&mut tx, actor, work_item, version, fields).await?;
        commit(tx, entry).await
    }

    async fn list_roadmap_entries(&self, product: ProductId) -> DomainResult<Vec<RoadmapEntry>> {
        strategy::list_entries(&mut *self.read().await?, product).await
    }

    // Product backlog: user stories, prioritization inputs, reordering and bulk edits.

    async fn backlog_details(&self, ids: &[WorkItemId]) -> DomainResult<Vec<(WorkItemId, BacklogDetails)>> {
        backlog::get_many(&mut *self.read().await?, ids).await
    }

    async fn set_backlog_details(
        &self,
        actor: &Actor,
        id: WorkItemId,
        version: i64,
        details: BacklogDetails,
    ) -> DomainResult<WorkItem> {
        let mut tx = self.write().await?;
        records::lock(&mut tx, Table::WorkItems, id.as_uuid()).await?;
        let before_item = work_items::get(&mut tx, id).await?;
        let before = backlog::get(&mut tx, id).await?;
        let item = backlog::set(&mut tx, id, version, &details).await?;
        audit::updated(
            &mut tx,
            actor,
            &BacklogRecord { item: &before_item, details: &before },
            &BacklogRecord { item: &item, details: &details },
        )
        .await?;
        commit(tx, item).await
    }

    async fn move_in_backlog(
        &self,
        actor: &Actor,
        product: ProductId,
        item: WorkItemId,
        position: BacklogPosition,
    ) -> DomainResult<Vec<WorkItem>> {
        let mut tx = self.write().await?;
        let (changed, items) = backlog::move_in_product(&mut tx, product, item, position).await?;
        for (before, after) in &changed {
            audit::updated(&mut tx, actor, before, after).await?;
        }
        commit(tx, items).await
    }

    async fn bulk_edit_work_items(&self, actor: &Actor, edit: &BulkEdit) -> DomainResult<Vec<WorkItem>> {
        let mut tx = self.write().await?;
        let changes = backlog::bulk_edit(&mut tx, edit).await?;
        for (before, after) in &changes {
            audit::updated(&mut tx, actor, before, after).await?;
        }
        commit(tx, changes.into_iter().map(|(_, after)| after).collect()).await
    }

    // Feedback and research: segments and insights.

    async fn create_segment(&self, actor: &Actor, fields: SegmentFields) -> DomainResult<Segment> {
        let mut tx = self.write().await?;
        let segment = evidence::create_segment(&mut tx, fields).await?;
        audit::created(&mut tx, actor, &segment).await?;
        commit(tx, segment).await
    }

    async fn get_segment(&self, id: SegmentId) -> DomainResult<Segment> {
        evidence::get_segment(&mut *self.read().await?, id).await
    }

    async fn update_segment(
        &self,
        actor: &Actor,
        id: SegmentId,
        version: i64,
        fields: SegmentFields,
    ) -> DomainResult<Segment> {
        let mut tx = self.write().await?;
        let before = evidence::get_segment(&mut tx, id).await?;
        let segment = evidence::update_segment(&mut tx, &before, version, fields).await?;
        audit::updated(&mut tx, actor, &before, &segment).await?;
        commit(tx, segment).await
    }

    async fn delete_segment(&self, actor: &Actor, id: SegmentId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        let before = evidence::get_segment(&mut tx, id).await?;
        evidence::delete_segment(&mut tx, id, version).await?;
        audit::deleted(&mut tx, actor, &before).await?;
        commit(tx, ()).await
    }

    async fn list_segments(&self, product: ProductId) -> DomainResult<Vec<Segment>> {
        evidence::list_segments(&mut *self.read().await?, product).await
    }

    async fn create_insight(&self, actor: &Actor, fields: InsightFields) -> DomainResult<Insight> {
        let mut tx = self.write().await?;
        let insight = evidence::create_insight(&mut tx, fields).await?;
        audit::created(&mut tx, actor, &insight).await?;
        commit(tx, insight).await
    }

    async fn create_insights(&self, actor: &Actor, rows: Vec<InsightFields>) -> DomainResult<Vec<Insight>> {
        let mut tx = self.write().await?;
        let insights = evidence::create_insights(&mut tx, rows).await?;
        for insight in &insights {
            audit::created(&mut tx, actor, insight).await?;
        }
        commit(tx, insights).await
    }

    async fn get_insight(&self, id: InsightId) -> DomainResult<Insight> {
        evidence::get_insight(&mut *self.read().await?, id).await
    }

    async fn update_insight(
        &self,
        actor: &Actor,
        id: InsightId,
        version: i64,
        fields: InsightFields,
    ) -> DomainResult<Insight> {
        let mut tx = self.write().await?;
        let before = evidence::get_insight(&mut tx, id).await?;
        let insight = evidence::update_insight(&mut tx, &before, version, fields).await?;
        audit::updated(&mut tx, actor, &before, &insight).await?;
        commit(tx, insight).await
    }

    async fn delete_insight(&self, actor: &Actor, id: InsightId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        let before = evidence::get_insight(&mut tx, id).await?;
        evidence::delete_insight(&mut tx, id, version).await?;
        audit::deleted(&mut tx, actor, &before).await?;
        commit(tx, ()).await
    }

    async fn list_insights(&self, filter: &InsightFilter) -> DomainResult<Vec<Insight>> {
        evidence::list_insights(&mut *self.read().await?, filter).await
    }

    // Experiments: A/B tests.

    async fn create_experiment(&self, actor: &Actor, fields: ExperimentFields) -> DomainResult<Experiment> {
        let mut tx = self.write().await?;
        let experiment = experiments::create(&mut tx, fields).await?;
        audit::created(&mut tx, actor, &experiment).await?;
        commit(tx, experiment).await
    }

    async fn get_experiment(&self, id: ExperimentId) -> DomainResult<Experiment> {
        experiments::get(&mut *self.read().await?, id).await
    }

    async fn update_experiment(
        &self,
        actor: &Actor,
        id: ExperimentId,
        version: i64,
        fields: ExperimentFields,
    ) -> DomainResult<Experiment> {
        let mut tx = self.write().await?;
        let before = experiments::get(&mut tx, id).await?;
        let experiment = experiments::update(&mut tx, &before, version, fields).await?;
        audit::updated(&mut tx, actor, &before, &experiment).await?;
        commit(tx, experiment).await
    }

    async fn delete_experiment(&self, actor: &Actor, id: ExperimentId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        let before = experiments::get(&mut tx, id).await?;
        experiments::delete(&mut tx, id, version).await?;
        audit::deleted(&mut tx, actor, &before).await?;
        commit(tx, ()).await
    }

    async fn list_experiments(&self, product: ProductId) -> DomainResult<Vec<Experiment>> {
        experiments::list(&mut *self.read().await?, product).await
    }
    // Product metrics.

    async fn record_metric_point(&self, actor: &Actor, fields: MetricPointFields) -> DomainResult<MetricPoint> {
        let mut tx = self.write().await?;
        let (before, point) = metrics::record(&mut tx, fields).await?;
        match &before {
            Some(before) => audit::updated(&mut tx, actor, before, &point).await?,
            None => audit::created(&mut tx, actor, &point).await?,
        }
        commit(tx, point).await
    }

    async fn record_metric_points(
        &self,
        actor: &Actor,
        rows: Vec<MetricPointFields>,
    ) -> DomainResult<Vec<MetricPoint>> {
        let mut tx = self.write().await?;
        let recorded = metrics::record_all(&mut tx, rows).await?;
        let mut points = Vec::with_capacity(recorded.len());
        for (before, point) in recorded {
            match &before {
                Some(before) => audit::updated(&mut tx, actor, before, &point).await?,
                None => audit::created(&mut tx, actor, &point).await?,
            }
            points.push(point);
        }
        commit(tx, points).await
    }

    async fn get_metric_point(&self, id: MetricPointId) -> DomainResult<MetricPoint> {
        metrics::get(&mut *self.read().await?, id).await
    }

    async fn delete_metric_point(&self, actor: &Actor, id: MetricPointId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        let before = metrics::get(&mut tx, id).await?;
        metrics::delete(&mut tx, id, version).await?;
        audit::deleted(&mut tx, actor, &before).await?;
        commit(tx, ()).await
    }

    async fn list_metric_points(&self, filter: &MetricFilter) -> DomainResult<Vec<MetricPoint>> {
        metrics::list(&mut *self.read().await?, filter).await
    }
}
