//! Tandem's PostgreSQL backend: the [`Store`] over one database, shareable by several servers.
//!
//! Every write runs in one transaction that commits everything or nothing. Checks that must still
//! hold when the write happens lock what they read: the row being updated or deleted
//! (`SELECT ... FOR UPDATE`), a team's row while an item's demand is checked against its capacity
//! (`FOR SHARE`), and a transaction-scoped advisory lock that serialises the writes whose check
//! spans many rows (dependency cycles, parent chains), so two concurrent writes cannot together
//! close a cycle.
//!
//! Code map (parallel to `tandem-store-sqlite`): `columns` (value decoding), `records` (what every
//! table shares: existence, versions, deletes), `paging` (cursors), then one module per table.

mod columns;
mod dependencies;
mod milestones;
mod paging;
mod products;
mod programs;
mod projects;
mod records;
mod schedules;
mod teams;
mod work_items;

use std::time::Duration;

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres, Row, Transaction};
use tandem_domain::planning::ProgramSchedule;
use tandem_domain::{
    Dependency, DependencyFields, DependencyFilter, DependencyId, DomainError, DomainResult, Milestone,
    MilestoneFields, MilestoneFilter, MilestoneId, NodeRef, NodeSummary, Page, PageRequest, Product, ProductFields,
    ProductFilter, ProductId, Program, ProgramFields, ProgramFilter, ProgramId, Project, ProjectFields, ProjectFilter,
    ProjectId, Rank, Store, Team, TeamFields, TeamFilter, TeamId, WorkItem, WorkItemFields, WorkItemFilter, WorkItemId,
};

use crate::columns::storage;

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

    async fn create_program(&self, fields: ProgramFields) -> DomainResult<Program> {
        let mut tx = self.write().await?;
        let program = programs::create(&mut tx, fields).await?;
        commit(tx, program).await
    }

    async fn get_program(&self, id: ProgramId) -> DomainResult<Program> {
        programs::get(&mut *self.read().await?, id).await
    }

    async fn update_program(&self, id: ProgramId, version: i64, fields: ProgramFields) -> DomainResult<Program> {
        let mut tx = self.write().await?;
        let program = programs::update(&mut tx, id, version, fields).await?;
        commit(tx, program).await
    }

    async fn delete_program(&self, id: ProgramId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        programs::delete(&mut tx, id, version).await?;
        commit(tx, ()).await
    }

    async fn list_programs(&self, filter: &ProgramFilter, page: &PageRequest) -> DomainResult<Page<Program>> {
        programs::list(&mut *self.read().await?, filter, page).await
    }

    async fn create_project(&self, fields: ProjectFields) -> DomainResult<Project> {
        let mut tx = self.write().await?;
        let project = projects::create(&mut tx, fields).await?;
        commit(tx, project).await
    }

    async fn get_project(&self, id: ProjectId) -> DomainResult<Project> {
        projects::get(&mut *self.read().await?, id).await
    }

    async fn update_project(&self, id: ProjectId, version: i64, fields: ProjectFields) -> DomainResult<Project> {
        let mut tx = self.write().await?;
        let project = projects::update(&mut tx, id, version, fields).await?;
        commit(tx, project).await
    }

    async fn delete_project(&self, id: ProjectId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        projects::delete(&mut tx, id, version).await?;
        commit(tx, ()).await
    }

    async fn list_projects(&self, filter: &ProjectFilter, page: &PageRequest) -> DomainResult<Page<Project>> {
        projects::list(&mut *self.read().await?, filter, page).await
    }

    async fn create_product(&self, fields: ProductFields) -> DomainResult<Product> {
        let mut tx = self.write().await?;
        let product = products::create(&mut tx, fields).await?;
        commit(tx, product).await
    }

    async fn get_product(&self, id: ProductId) -> DomainResult<Product> {
        products::get(&mut *self.read().await?, id).await
    }

    async fn update_product(&self, id: ProductId, version: i64, fields: ProductFields) -> DomainResult<Product> {
        let mut tx = self.write().await?;
        let product = products::update(&mut tx, id, version, fields).await?;
        commit(tx, product).await
    }

    async fn delete_product(&self, id: ProductId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        products::delete(&mut tx, id, version).await?;
        commit(tx, ()).await
    }

    async fn list_products(&self, filter: &ProductFilter, page: &PageRequest) -> DomainResult<Page<Product>> {
        products::list(&mut *self.read().await?, filter, page).await
    }

    async fn create_team(&self, fields: TeamFields) -> DomainResult<Team> {
        let mut tx = self.write().await?;
        let team = teams::create(&mut tx, fields).await?;
        commit(tx, team).await
    }

    async fn get_team(&self, id: TeamId) -> DomainResult<Team> {
        teams::get(&mut *self.read().await?, id).await
    }

    async fn update_team(&self, id: TeamId, version: i64, fields: TeamFields) -> DomainResult<Team> {
        let mut tx = self.write().await?;
        let team = teams::update(&mut tx, id, version, fields).await?;
        commit(tx, team).await
    }

    async fn delete_team(&self, id: TeamId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        teams::delete(&mut tx, id, version).await?;
        commit(tx, ()).await
    }

    async fn list_teams(&self, filter: &TeamFilter, page: &PageRequest) -> DomainResult<Page<Team>> {
        teams::list(&mut *self.read().await?, filter, page).await
    }

    async fn create_work_item(&self, fields: WorkItemFields, rank: Option<Rank>) -> DomainResult<WorkItem> {
        let mut tx = self.write().await?;
        let item = work_items::create(&mut tx, fields, rank).await?;
        commit(tx, item).await
    }

    async fn create_work_items(&self, items: Vec<WorkItemFields>) -> DomainResult<Vec<WorkItem>> {
        let mut tx = self.write().await?;
        let created = work_items::create_many(&mut tx, items).await?;
        commit(tx, created).await
    }

    async fn get_work_item(&self, id: WorkItemId) -> DomainResult<WorkItem> {
        work_items::get(&mut *self.read().await?, id).await
    }

    async fn update_work_item(
        &self,
        id: WorkItemId,
        version: i64,
        fields: WorkItemFields,
        rank: Option<Rank>,
    ) -> DomainResult<WorkItem> {
        let mut tx = self.write().await?;
        let item = work_items::update(&mut tx, id, version, fields, rank).await?;
        commit(tx, item).await
    }

    async fn delete_work_item(&self, id: WorkItemId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        work_items::delete(&mut tx, id, version).await?;
        commit(tx, ()).await
    }

    async fn list_work_items(&self, filter: &WorkItemFilter, page: &PageRequest) -> DomainResult<Page<WorkItem>> {
        work_items::list(&mut *self.read().await?, filter, page).await
    }

    async fn count_work_items(&self, filter: &WorkItemFilter) -> DomainResult<u64> {
        work_items::count(&mut *self.read().await?, filter).await
    }

    async fn create_milestone(&self, fields: MilestoneFields) -> DomainResult<Milestone> {
        let mut tx = self.write().await?;
        let milestone = milestones::create(&mut tx, fields).await?;
        commit(tx, milestone).await
    }

    async fn get_milestone(&self, id: MilestoneId) -> DomainResult<Milestone> {
        milestones::get(&mut *self.read().await?, id).await
    }

    async fn update_milestone(
        &self,
        id: MilestoneId,
        version: i64,
        fields: MilestoneFields,
    ) -> DomainResult<Milestone> {
        let mut tx = self.write().await?;
        let milestone = milestones::update(&mut tx, id, version, fields).await?;
        commit(tx, milestone).await
    }

    async fn delete_milestone(&self, id: MilestoneId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        milestones::delete(&mut tx, id, version).await?;
        commit(tx, ()).await
    }

    async fn list_milestones(&self, filter: &MilestoneFilter, page: &PageRequest) -> DomainResult<Page<Milestone>> {
        milestones::list(&mut *self.read().await?, filter, page).await
    }

    async fn create_dependency(&self, fields: DependencyFields) -> DomainResult<Dependency> {
        let mut tx = self.write().await?;
        let dependency = dependencies::create(&mut tx, fields).await?;
        commit(tx, dependency).await
    }

    async fn get_dependency(&self, id: DependencyId) -> DomainResult<Dependency> {
        dependencies::get(&mut *self.read().await?, id).await
    }

    async fn update_dependency(
        &self,
        id: DependencyId,
        version: i64,
        fields: DependencyFields,
    ) -> DomainResult<Dependency> {
        let mut tx = self.write().await?;
        let dependency = dependencies::update(&mut tx, id, version, fields).await?;
        commit(tx, dependency).await
    }

    async fn delete_dependency(&self, id: DependencyId, version: Option<i64>) -> DomainResult<()> {
        let mut tx = self.write().await?;
        dependencies::delete(&mut tx, id, version).await?;
        commit(tx, ()).await
    }

    async fn list_dependencies(&self, filter: &DependencyFilter, page: &PageRequest) -> DomainResult<Page<Dependency>> {
        dependencies::list(&mut *self.read().await?, filter, page).await
    }

    async fn node_summaries(&self, nodes: &[NodeRef]) -> DomainResult<Vec<NodeSummary>> {
        // One repeatable-read transaction, so every summary comes from the same snapshot.
        let mut tx = self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.map_err(storage)?;
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
}
