//! Tandem's SQLite backend: the [`Store`] over one database file.
//!
//! Every write runs in one `BEGIN IMMEDIATE` transaction: it takes SQLite's write lock before
//! reading, so the checks it makes (versions, references, cycles, capacity) still hold when it
//! writes, and it either commits everything or nothing. Reads run on their own connection.
//!
//! Code map: `columns` (value encodings), `records` (what every table shares: existence, versions,
//! deletes), `paging` (cursors), then one module per table.

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

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, Sqlite, SqlitePool, Transaction};
use tandem_domain::planning::ProgramSchedule;
use tandem_domain::{
    Dependency, DependencyFields, DependencyFilter, DependencyId, DomainError, DomainResult, Milestone,
    MilestoneFields, MilestoneFilter, MilestoneId, NodeRef, NodeSummary, Page, PageRequest, Product, ProductFields,
    ProductFilter, ProductId, Program, ProgramFields, ProgramFilter, ProgramId, Project, ProjectFields, ProjectFilter,
    ProjectId, Rank, Store, Team, TeamFields, TeamFilter, TeamId, WorkItem, WorkItemFields, WorkItemFilter, WorkItemId,
};

use crate::columns::storage;

/// How long a connection waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The connection URL could not be used; the text says why (never contains a password: SQLite
/// URLs have none).
#[derive(Debug, thiserror::Error)]
#[error("cannot open SQLite database {url}: {reason}")]
pub struct ConnectError {
    url: String,
    reason: String,
}

/// A [`Store`] on a SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it if missing) the database at `sqlite://PATH` or `sqlite:PATH`, in WAL
    /// mode with foreign keys on, and applies pending migrations.
    pub async fn connect(url: &str) -> Result<SqliteStore, DomainError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| DomainError::storage(ConnectError { url: url.to_owned(), reason: e.to_string() }))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await.map_err(storage)?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// A write transaction holding the database's write lock from its first statement.
    async fn write(&self) -> DomainResult<Transaction<'static, Sqlite>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(storage)
    }

    async fn read(&self) -> DomainResult<PoolConnection<Sqlite>> {
        self.pool.acquire().await.map_err(storage)
    }

    async fn applied_migrations(&self) -> DomainResult<i64> {
        let mut conn = self.read().await?;
        let table =
            sqlx::query("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
                .fetch_one(&mut *conn)
                .await
                .map_err(storage)?;
        if table.try_get::<i64, _>("n").map_err(storage)? == 0 {
            return Ok(0);
        }
        let row = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await
            .map_err(storage)?;
        row.try_get::<i64, _>("n").map_err(storage)
    }
}

async fn commit<T>(tx: Transaction<'static, Sqlite>, value: T) -> DomainResult<T> {
    tx.commit().await.map_err(storage)?;
    Ok(value)
}

#[async_trait]
impl Store for SqliteStore {
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> DomainResult<usize> {
        let before = self.applied_migrations().await?;
        MIGRATOR.run(&self.pool).await.map_err(|e| {
            tracing::error!(error = %e, "sqlite migration failed");
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
        // One read transaction, so every summary comes from the same snapshot.
        let mut tx = self.pool.begin().await.map_err(storage)?;
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
