//! Work items: the `work_items` table. Enforces the parent rules (exists, not itself, not a
//! descendant), team capacity, and appends ranks.

use std::collections::{HashMap, HashSet};

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use tandem_domain::backlog::appended_rank;
use tandem_domain::record::now;
use tandem_domain::work_item::with_rank_check;
use tandem_domain::{
    Cursor, DomainError, DomainResult, EntityKind, Estimate, Headcount, Meta, Page, PageRequest, PercentComplete,
    Placement, ProductId, Rank, StoryPoints, ValidationErrors, WorkItem, WorkItemFields, WorkItemFilter, WorkItemId,
    WorkItemKind, WorkItemOrder, WorkItemStatus,
};

use crate::columns::{self, date_text, storage, timestamp_text};
use crate::paging;
use crate::records::{self, Table};
use crate::teams;
use crate::visibility;

fn from_row(row: &SqliteRow) -> DomainResult<WorkItem> {
    let placement = Placement::new(columns::optional_id(row, "project_id")?, columns::optional_id(row, "product_id")?);
    let estimate = Estimate::new(
        columns::real(row, "optimistic")?,
        columns::real(row, "most_likely")?,
        columns::real(row, "pessimistic")?,
    )
    .map_err(|errors| {
        columns::corrupt("optimistic", errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))
    })?;
    let story_points = columns::optional_integer(row, "story_points")?;
    Ok(WorkItem {
        id: columns::id(row, "id")?,
        fields: WorkItemFields {
            kind: columns::parsed("kind", WorkItemKind::parse("kind", &columns::text(row, "kind")?))?,
            placement: columns::parsed("project_id", placement)?,
            parent_id: columns::optional_id(row, "parent_id")?,
            title: columns::name(row, "title")?,
            description: columns::long_text(row, "description")?,
            status: columns::parsed("status", WorkItemStatus::parse("status", &columns::text(row, "status")?))?,
            estimate,
            story_points: columns::parsed(
                "story_points",
                story_points.map(|p| StoryPoints::parse("story_points", p)).transpose(),
            )?,
            team_id: columns::optional_id(row, "team_id")?,
            people_needed: columns::parsed(
                "people_needed",
                Headcount::parse("people_needed", columns::integer(row, "people_needed")?),
            )?,
            released_on: columns::optional_date(row, "released_on")?,
            percent_complete: columns::parsed(
                "percent_complete",
                PercentComplete::parse("percent_complete", columns::integer(row, "percent_complete")?),
            )?,
        },
        rank: Rank::new(columns::integer(row, "rank")?),
        meta: columns::meta(row)?,
    })
}

/// References already confirmed in this transaction, so a bulk create asks once per id.
#[derive(Debug, Default)]
pub struct KnownReferences {
    projects: HashSet<String>,
    products: HashSet<String>,
    work_items: HashSet<String>,
    team_capacities: HashMap<String, i64>,
}

async fn check_reference_once(
    conn: &mut SqliteConnection,
    errors: &mut ValidationErrors,
    known: &mut HashSet<String>,
    table: Table,
    field: &'static str,
    id: String,
) -> DomainResult<bool> {
    if known.contains(&id) {
        return Ok(true);
    }
    let found = records::check_reference(conn, errors, table, field, &id).await?;
    if found {
        known.insert(id);
    }
    Ok(found)
}

/// Every rule a work item's fields must meet against the stored data. `id` is the item being
/// updated (`None` on create, when the item can have no descendants yet).
async fn check(
    conn: &mut SqliteConnection,
    known: &mut KnownReferences,
    id: Option<WorkItemId>,
    fields: &WorkItemFields,
) -> DomainResult<()> {
    let mut errors = ValidationErrors::new();
    if let Some(project) = fields.placement.project_id() {
        check_reference_once(
            conn,
            &mut errors,
            &mut known.projects,
            Table::Projects,
            "project_id",
            project.to_string(),
        )
        .await?;
    }
    if let Some(product) = fields.placement.product_id() {
        check_reference_once(
            conn,
            &mut errors,
            &mut known.products,
            Table::Products,
            "product_id",
            product.to_string(),
        )
        .await?;
    }
    if let Some(team) = fields.team_id {
        let team_text = team.to_string();
        let capacity = match known.team_capacities.get(&team_text) {
            Some(capacity) => Some(*capacity),
            None => teams::capacity(conn, &team_text).await?,
        };
        match capacity {
            None => errors.add("team_id", "not_found", format!("team {team} does not exist")),
            Some(capacity) => {
                known.team_capacities.insert(team_text, capacity);
                if i64::from(fields.people_needed.get()) > capacity {
                    errors.add(
                        "people_needed",
                        "exceeds_capacity",
                        format!("must be at most the team's capacity of {capacity} people"),
                    );
                }
            }
        }
    }
    if let Some(parent) = fields.parent_id {
        if Some(parent) == id {
            errors.add("parent_id", "cycle", "a work item cannot be its own parent");
        } else if check_reference_once(
            conn,
            &mut errors,
            &mut known.work_items,
            Table::WorkItems,
            "parent_id",
            parent.to_string(),
        )
        .await?
            && let Some(id) = id
            && is_ancestor_or_self(conn, id, parent).await?
        {
            errors.add("parent_id", "cycle", format!("work item {parent} is a descendant of this work item"));
        }
    }
    errors.into_result().map_err(DomainError::from)
}

/// Whether `ancestor` is `node` or lies on the chain of parents above it.
async fn is_ancestor_or_self(
    conn: &mut SqliteConnection,
    ancestor: WorkItemId,
    node: WorkItemId,
) -> DomainResult<bool> {
    let target = ancestor.to_string();
    let mut at = node.to_string();
    // The seen set guards the walk against a cycle already stored (which the rules prevent).
    let mut seen = HashSet::new();
    loop {
        if at == target {
            return Ok(true);
        }
        if !seen.insert(at.clone()) {
            return Ok(false);
        }
        let row = sqlx::query("SELECT parent_id FROM work_items WHERE id = ?")
            .bind(&at)
            .fetch_optional(&mut *conn)
            .await
            .map_err(storage)?;
        match row.map(|r| r.try_get::<Option<String>, _>("parent_id")).transpose().map_err(storage)?.flatten() {
            Some(parent) => at = parent,
            None => return Ok(false),
        }
    }
}

/// The rank after every item of the backlog `product` (`None`: the items in no product); other
/// products' ranks play no part ([`tandem_domain::backlog::appended_rank`]).
async fn next_rank(conn: &mut SqliteConnection, product: Option<ProductId>) -> DomainResult<Rank> {
    let row = match product {
        Some(product) => {
            sqlx::query("SELECT MAX(rank) AS top FROM work_items WHERE product_id = ?")
                .bind(product.to_string())
                .fetch_one(&mut *conn)
                .await
        }
        None => {
            sqlx::query("SELECT MAX(rank) AS top FROM work_items WHERE product_id IS NULL").fetch_one(&mut *conn).await
        }
    }
    .map_err(storage)?;
    let top = row.try_get::<Option<i64>, _>("top").map_err(storage)?;
    Ok(appended_rank(top.map(Rank::new)))
}

async fn insert(conn: &mut SqliteConnection, item: &WorkItem) -> DomainResult<()> {
    let fields = &item.fields;
    sqlx::query(
        "INSERT INTO work_items (id, kind, project_id, product_id, parent_id, title, description, status, \
         optimistic, most_likely, pessimistic, story_points, team_id, people_needed, released_on, \
         percent_complete, rank, created_at, updated_at, version) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(item.id.to_string())
    .bind(fields.kind.as_str())
    .bind(fields.placement.project_id().map(|p| p.to_string()))
    .bind(fields.placement.product_id().map(|p| p.to_string()))
    .bind(fields.parent_id.map(|p| p.to_string()))
    .bind(fields.title.as_str())
    .bind(fields.description.as_str())
    .bind(fields.status.as_str())
    .bind(fields.estimate.optimistic())
    .bind(fields.estimate.most_likely())
    .bind(fields.estimate.pessimistic())
    .bind(fields.story_points.map(|p| i64::from(p.get())))
    .bind(fields.team_id.map(|t| t.to_string()))
    .bind(i64::from(fields.people_needed.get()))
    .bind(fields.released_on.map(date_text))
    .bind(i64::from(fields.percent_complete.get()))
    .bind(item.rank.get())
    .bind(timestamp_text(item.meta.created_at))
    .bind(timestamp_text(item.meta.updated_at))
    .bind(item.meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(())
}

pub async fn create(conn: &mut SqliteConnection, fields: WorkItemFields, rank: Option<Rank>) -> DomainResult<WorkItem> {
    let checked = check(conn, &mut KnownReferences::default(), None, &fields).await;
    with_rank_check(checked, rank)?;
    let rank = match rank {
        Some(rank) => rank,
        None => next_rank(conn, fields.placement.product_id()).await?,
    };
    let at = now();
    let item = WorkItem {
        id: WorkItemId::generate(),
        fields,
        rank,
        meta: Meta { created_at: at, updated_at: at, version: 1 },
    };
    insert(conn, &item).await?;
    Ok(item)
}

/// Creates all items in order with appended ranks; the first failing item fails the whole call
/// (its error is returned as is; the caller's transaction is rolled back).
pub async fn create_many(conn: &mut SqliteConnection, items: Vec<WorkItemFields>) -> DomainResult<Vec<WorkItem>> {
    let mut known = KnownReferences::default();
    // Each product's next rank (the key `None`: the items in no product).
    let mut next: HashMap<Option<ProductId>, Rank> = HashMap::new();
    let mut created = Vec::with_capacity(items.len());
    for fields in items {
        check(conn, &mut known, None, &fields).await?;
        let product = fields.placement.product_id();
        let rank = match next.get(&product) {
            Some(rank) => *rank,
            None => next_rank(conn, product).await?,
        };
        next.insert(product, appended_rank(Some(rank)));
        let at = now();
        let item = WorkItem {
            id: WorkItemId::generate(),
            fields,
            rank,
            meta: Meta { created_at: at, updated_at: at, version: 1 },
        };
        // The same statement text each time: sqlx reuses the connection's prepared statement.
        insert(conn, &item).await?;
        created.push(item);
    }
    Ok(created)
}

pub async fn get(conn: &mut SqliteConnection, id: WorkItemId) -> DomainResult<WorkItem> {
    let row = sqlx::query("SELECT * FROM work_items WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => from_row(&row),
        None => Err(DomainError::not_found(EntityKind::WorkItem, id)),
    }
}

pub async fn update(
    conn: &mut SqliteConnection,
    id: WorkItemId,
    version: i64,
    fields: WorkItemFields,
    rank: Option<Rank>,
) -> DomainResult<WorkItem> {
    let id_text = id.to_string();
    let stored = records::current_meta(conn, Table::WorkItems, &id_text, Some(version)).await?;
    let row = sqlx::query("SELECT rank FROM work_items WHERE id = ?")
        .bind(&id_text)
        .fetch_one(&mut *conn)
        .await
        .map_err(storage)?;
    let current = Rank::new(row.try_get::<i64, _>("rank").map_err(storage)?);
    let checked = check(conn, &mut KnownReferences::default(), Some(id), &fields).await;
    // The current rank written back as read is no change, whatever its value.
    with_rank_check(checked, rank.filter(|rank| *rank != current))?;
    let rank = rank.unwrap_or(current);
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE work_items SET kind = ?, project_id = ?, product_id = ?, parent_id = ?, title = ?, description = ?, \
         status = ?, optimistic = ?, most_likely = ?, pessimistic = ?, story_points = ?, team_id = ?, \
         people_needed = ?, released_on = ?, percent_complete = ?, rank = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?",
    )
    .bind(fields.kind.as_str())
    .bind(fields.placement.project_id().map(|p| p.to_string()))
    .bind(fields.placement.product_id().map(|p| p.to_string()))
    .bind(fields.parent_id.map(|p| p.to_string()))
    .bind(fields.title.as_str())
    .bind(fields.description.as_str())
    .bind(fields.status.as_str())
    .bind(fields.estimate.optimistic())
    .bind(fields.estimate.most_likely())
    .bind(fields.estimate.pessimistic())
    .bind(fields.story_points.map(|p| i64::from(p.get())))
    .bind(fields.team_id.map(|t| t.to_string()))
    .bind(i64::from(fields.people_needed.get()))
    .bind(fields.released_on.map(date_text))
    .bind(i64::from(fields.percent_complete.get()))
    .bind(rank.get())
    .bind(timestamp_text(meta.updated_at))
    .bind(meta.version)
    .bind(&id_text)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(WorkItem { id, fields, rank, meta })
}

pub async fn delete(conn: &mut SqliteConnection, id: WorkItemId, version: Option<i64>) -> DomainResult<()> {
    let id_text = id.to_string();
    records::current_meta(conn, Table::WorkItems, &id_text, version).await?;
    let children = records::count_referencing(conn, Table::WorkItems, "parent_id", &id_text).await?;
    if children > 0 {
        let reason = format!("it still has {}", records::counted(children, "child work item", "child work items"));
        return Err(records::in_use(Table::WorkItems, &id_text, reason));
    }
    let risks = crate::risks::count_hitting(conn, &id_text).await?;
    if risks > 0 {
        let reason = format!("it is hit by {}", records::counted(risks, "risk", "risks"));
        return Err(records::in_use(Table::WorkItems, &id_text, reason));
    }
    // Feedback and research: the insights that support it.
    let insights = crate::evidence::count_supporting(conn, &id_text).await?;
    if insights > 0 {
        let reason =
            if insights == 1 { "1 insight supports it".to_owned() } else { format!("{insights} insights support it") };
        return Err(records::in_use(Table::WorkItems, &id_text, reason));
    }
    // Experiments: A/B tests. The experiments that test it as their feature.
    let experiments = records::count_referencing(conn, Table::Experiments, "feature_id", &id_text).await?;
    if experiments > 0 {
        let reason = if experiments == 1 {
            "1 experiment tests it".to_owned()
        } else {
            format!("{experiments} experiments test it")
        };
        return Err(records::in_use(Table::WorkItems, &id_text, reason));
    }
    // Product metrics: the points of its series.
    let points = records::count_referencing(conn, Table::MetricPoints, "feature_id", &id_text).await?;
    if points > 0 {
        let reason = format!("it has {}", records::counted(points, "metric point", "metric points"));
        return Err(records::in_use(Table::WorkItems, &id_text, reason));
    }
    // The foreign keys cascade too; deleting explicitly keeps the behaviour visible here.
    sqlx::query("DELETE FROM dependencies WHERE predecessor_work_item_id = ? OR successor_work_item_id = ?")
        .bind(&id_text)
        .bind(&id_text)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    records::delete(conn, Table::WorkItems, &id_text).await
}

/// The WHERE conditions of a filter (every one ANDed after `WHERE 1 = 1`).
///
/// In backlog order a unary `+` keeps SQLite off the indexes of the coarse filters (program,
/// status, kind): they match large shares of the items, and walking the `(rank, id)` index while
/// skipping non-matching rows finds a page far sooner than sorting every match. Project and
/// product have `(x, rank, id)` indexes; team and parent match few items, so sorting them is cheap.
fn push_filters(query: &mut QueryBuilder<Sqlite>, filter: &WorkItemFilter) {
    let coarse = match filter.order {
        WorkItemOrder::Created => "",
        WorkItemOrder::Rank => "+",
    };
    if let Some(program) = filter.program {
        query.push(format!(" AND {coarse}project_id IN (SELECT id FROM projects WHERE program_id = "));
        query.push_bind(program.to_string()).push(")");
    }
    if let Some(project) = filter.project {
        query.push(" AND project_id = ").push_bind(project.to_string());
    }
    if let Some(product) = filter.product {
        query.push(" AND product_id = ").push_bind(product.to_string());
    }
    if let Some(status) = filter.status {
        query.push(format!(" AND {coarse}status = ")).push_bind(status.as_str());
    }
    if let Some(kind) = filter.kind {
        query.push(format!(" AND {coarse}kind = ")).push_bind(kind.as_str());
    }
    if let Some(team) = filter.team {
        query.push(" AND team_id = ").push_bind(team.to_string());
    }
    if let Some(parent) = filter.parent {
        query.push(" AND parent_id = ").push_bind(parent.to_string());
    }
    if let Some(visible) = &filter.visible {
        visibility::work_items(query, visible);
    }
}

pub async fn list(
    conn: &mut SqliteConnection,
    filter: &WorkItemFilter,
    page: &PageRequest,
) -> DomainResult<Page<WorkItem>> {
    let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM work_items WHERE 1 = 1");
    push_filters(&mut query, filter);
    match filter.order {
        WorkItemOrder::Created => {
            if let Some(after) = paging::after_id(page)? {
                query.push(" AND id > ").push_bind(after);
            }
            query.push(" ORDER BY id");
        }
        WorkItemOrder::Rank => {
            if let Some((rank, id)) = paging::after_rank(page)? {
                query.push(" AND (rank, id) > (").push_bind(rank).push(", ").push_bind(id).push(")");
            }
            query.push(" ORDER BY rank, id");
        }
    }
    query.push(" LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(match filter.order {
        WorkItemOrder::Created => paging::page_of(items, page, |w| Cursor(w.id.to_string())),
        WorkItemOrder::Rank => paging::page_of(items, page, |w| paging::rank_cursor(w.rank, w.id)),
    })
}

pub async fn count(conn: &mut SqliteConnection, filter: &WorkItemFilter) -> DomainResult<u64> {
    let mut query = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) AS n FROM work_items WHERE 1 = 1");
    push_filters(&mut query, filter);
    let row = query.build().fetch_one(&mut *conn).await.map_err(storage)?;
    let n = row.try_get::<i64, _>("n").map_err(storage)?;
    u64::try_from(n).map_err(|e| columns::corrupt("count", e))
}
