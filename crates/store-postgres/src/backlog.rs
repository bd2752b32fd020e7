//! Product backlog: the `backlog_details` and `acceptance_criteria` tables (a work item's user
//! story and prioritization inputs), backlog moves that renumber a product's ranks, and bulk
//! edits. Audit events are appended by the caller in `lib.rs`, as for every table.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use tandem_domain::backlog::{self, BacklogDetails, BacklogPosition, BulkEdit, UserStory, UserStoryInput};
use tandem_domain::prioritization::{
    Cd3, Cd3Input, FrameworkScores, ImpactEffort, Moscow, Rice, RiceInput, Wsjf, WsjfInput,
};
use tandem_domain::{DomainError, DomainResult, EntityKind, Meta, ProductId, Rank, WorkItem, WorkItemId};

use crate::columns::{self, storage};
use crate::records::{self, Table};
use crate::work_items;

fn invalid_stored(column: &'static str, errors: tandem_domain::ValidationErrors) -> DomainError {
    columns::corrupt(column, errors.errors().iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))
}

fn from_row(row: &PgRow, criteria: Vec<String>) -> DomainResult<BacklogDetails> {
    let story = match columns::optional_text(row, "story_as_a")? {
        Some(as_a) => Some(
            UserStory::parse(&UserStoryInput {
                as_a,
                i_want: columns::text(row, "story_i_want")?,
                so_that: columns::text(row, "story_so_that")?,
                acceptance_criteria: criteria,
            })
            .map_err(|e| invalid_stored("story_as_a", e))?,
        ),
        None => None,
    };
    let rice = match row.try_get::<Option<f64>, _>("rice_reach").map_err(storage)? {
        Some(reach) => Some(
            Rice::new(&RiceInput {
                reach,
                impact: columns::real(row, "rice_impact")?,
                confidence: columns::real(row, "rice_confidence")?,
                effort: columns::real(row, "rice_effort")?,
            })
            .map_err(|e| invalid_stored("rice_reach", e))?,
        ),
        None => None,
    };
    let wsjf = match columns::optional_integer(row, "wsjf_business_value")? {
        Some(business_value) => Some(
            Wsjf::new(&WsjfInput {
                business_value,
                time_criticality: columns::integer(row, "wsjf_time_criticality")?,
                risk_reduction: columns::integer(row, "wsjf_risk_reduction")?,
                job_size: columns::integer(row, "wsjf_job_size")?,
            })
            .map_err(|e| invalid_stored("wsjf_business_value", e))?,
        ),
        None => None,
    };
    let cd3 = match columns::optional_integer(row, "cd3_cost_of_delay_per_week")? {
        Some(cost_of_delay_per_week) => Some(
            Cd3::new(&Cd3Input { cost_of_delay_per_week, duration_weeks: columns::real(row, "cd3_duration_weeks")? })
                .map_err(|e| invalid_stored("cd3_cost_of_delay_per_week", e))?,
        ),
        None => None,
    };
    let moscow = columns::optional_text(row, "moscow")?
        .map(|m| columns::parsed("moscow", Moscow::parse("moscow", &m)))
        .transpose()?;
    let impact_effort = match columns::optional_integer(row, "impact_effort_impact")? {
        Some(impact) => Some(
            ImpactEffort::new(impact, columns::integer(row, "impact_effort_effort")?)
                .map_err(|e| invalid_stored("impact_effort_impact", e))?,
        ),
        None => None,
    };
    Ok(BacklogDetails { story, scores: FrameworkScores { rice, wsjf, cd3, moscow, impact_effort } })
}

pub async fn get_many(conn: &mut PgConnection, ids: &[WorkItemId]) -> DomainResult<Vec<(WorkItemId, BacklogDetails)>> {
    let mut found = Vec::with_capacity(ids.len());
    // Chunks keep each statement well under PostgreSQL's bound-parameter limit.
    for chunk in ids.chunks(500) {
        let mut query = QueryBuilder::<Postgres>::new(
            "SELECT w.id AS item_id, d.* FROM work_items w LEFT JOIN backlog_details d ON d.work_item_id = w.id \
             WHERE w.id IN (",
        );
        let mut list = query.separated(", ");
        for id in chunk {
            list.push_bind(id.as_uuid());
        }
        query.push(")");
        let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
        let mut criteria_query = QueryBuilder::<Postgres>::new(
            "SELECT work_item_id, criterion FROM acceptance_criteria WHERE work_item_id IN (",
        );
        let mut list = criteria_query.separated(", ");
        for id in chunk {
            list.push_bind(id.as_uuid());
        }
        criteria_query.push(") ORDER BY work_item_id, position");
        let criteria_rows = criteria_query.build().fetch_all(&mut *conn).await.map_err(storage)?;
        let mut criteria: std::collections::HashMap<WorkItemId, Vec<String>> = std::collections::HashMap::new();
        for row in &criteria_rows {
            criteria.entry(columns::id(row, "work_item_id")?).or_default().push(columns::text(row, "criterion")?);
        }
        let mut by_id = std::collections::HashMap::new();
        for row in &rows {
            let id: WorkItemId = columns::id(row, "item_id")?;
            let details = from_row(row, criteria.remove(&id).unwrap_or_default())?;
            by_id.insert(id, details);
        }
        for id in chunk {
            if let Some(details) = by_id.remove(id) {
                found.push((*id, details));
            }
        }
    }
    Ok(found)
}

pub async fn get(conn: &mut PgConnection, id: WorkItemId) -> DomainResult<BacklogDetails> {
    Ok(get_many(conn, &[id]).await?.into_iter().next().map(|(_, d)| d).unwrap_or_default())
}

/// Bumps the item's version (naming the one read) and replaces its details.
pub async fn set(
    conn: &mut PgConnection,
    id: WorkItemId,
    version: i64,
    details: &BacklogDetails,
) -> DomainResult<WorkItem> {
    let id_uuid = id.as_uuid();
    let stored = records::current_meta(conn, Table::WorkItems, id_uuid, Some(version)).await?;
    let meta = records::next_meta(&stored);
    write_meta(conn, id_uuid, &meta, None).await?;
    sqlx::query("DELETE FROM backlog_details WHERE work_item_id = $1")
        .bind(id_uuid)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    if !details.is_empty() {
        let story = details.story.as_ref();
        let s = &details.scores;
        sqlx::query(
            "INSERT INTO backlog_details (work_item_id, story_as_a, story_i_want, story_so_that, rice_reach, \
             rice_impact, rice_confidence, rice_effort, wsjf_business_value, wsjf_time_criticality, \
             wsjf_risk_reduction, wsjf_job_size, cd3_cost_of_delay_per_week, cd3_duration_weeks, moscow, \
             impact_effort_impact, impact_effort_effort) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(id_uuid)
        .bind(story.map(|s| s.as_a().to_owned()))
        .bind(story.map(|s| s.i_want().to_owned()))
        .bind(story.map(|s| s.so_that().to_owned()))
        .bind(s.rice.map(|r| r.reach()))
        .bind(s.rice.map(|r| r.impact().value()))
        .bind(s.rice.map(|r| r.confidence_percent()))
        .bind(s.rice.map(|r| r.effort_person_months()))
        .bind(s.wsjf.map(|w| i64::from(w.business_value().get())))
        .bind(s.wsjf.map(|w| i64::from(w.time_criticality().get())))
        .bind(s.wsjf.map(|w| i64::from(w.risk_reduction().get())))
        .bind(s.wsjf.map(|w| i64::from(w.job_size().get())))
        .bind(s.cd3.map(|c| c.cost_of_delay_per_week().amount()))
        .bind(s.cd3.map(|c| c.duration_weeks()))
        .bind(s.moscow.map(Moscow::as_str))
        .bind(s.impact_effort.map(|i| i64::from(i.impact())))
        .bind(s.impact_effort.map(|i| i64::from(i.effort())))
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
        for (position, criterion) in story.into_iter().flat_map(|s| s.acceptance_criteria()).enumerate() {
            sqlx::query("INSERT INTO acceptance_criteria (work_item_id, position, criterion) VALUES ($1, $2, $3)")
                .bind(id_uuid)
                .bind(i64::try_from(position).unwrap_or(i64::MAX))
                .bind(criterion)
                .execute(&mut *conn)
                .await
                .map_err(storage)?;
        }
    }
    work_items::get(conn, id).await
}

/// Writes a new version (and optionally rank) of an item whose fields stay as they are.
async fn write_meta(conn: &mut PgConnection, id: uuid::Uuid, meta: &Meta, rank: Option<Rank>) -> DomainResult<()> {
    sqlx::query("UPDATE work_items SET rank = COALESCE($1, rank), updated_at = $2, version = $3 WHERE id = $4")
        .bind(rank.map(Rank::get))
        .bind(meta.updated_at)
        .bind(meta.version)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    Ok(())
}

/// The product's items in backlog order (rank, then id), locked until the transaction ends.
async fn product_order(conn: &mut PgConnection, product: ProductId) -> DomainResult<Vec<(WorkItemId, Rank)>> {
    let rows = sqlx::query("SELECT id, rank FROM work_items WHERE product_id = $1 ORDER BY rank, id FOR UPDATE")
        .bind(product.as_uuid())
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?;
    rows.iter().map(|row| Ok((columns::id(row, "id")?, Rank::new(columns::integer(row, "rank")?)))).collect()
}

/// Moves and renumbers; returns each changed item before and after, and the new order.
pub async fn move_in_product(
    conn: &mut PgConnection,
    product: ProductId,
    item: WorkItemId,
    position: BacklogPosition,
) -> DomainResult<(Vec<(WorkItem, WorkItem)>, Vec<WorkItem>)> {
    // Locking the product serialises concurrent moves in one backlog.
    match records::lock(conn, Table::Products, product.as_uuid()).await {
        Ok(()) => {}
        Err(DomainError::NotFound { .. }) => {
            return Err(DomainError::invalid(
                "product_id",
                "not_found",
                format!("{} {product} does not exist", EntityKind::Product),
            ));
        }
        Err(other) => return Err(other),
    }
    let current = product_order(conn, product).await?;
    let order: Vec<WorkItemId> = current.iter().map(|(id, _)| *id).collect();
    let new_order = backlog::reorder(&order, item, position)?;
    let old_ranks: std::collections::HashMap<WorkItemId, Rank> = current.into_iter().collect();
    let mut changed = Vec::new();
    let mut items = Vec::with_capacity(new_order.len());
    for (id, rank) in backlog::renumbered(&new_order) {
        if old_ranks.get(&id) == Some(&rank) {
            items.push(work_items::get(conn, id).await?);
            continue;
        }
        let before = work_items::get(conn, id).await?;
        let meta = records::next_meta(&before.meta);
        write_meta(conn, id.as_uuid(), &meta, Some(rank)).await?;
        let after = WorkItem { rank, meta, ..before.clone() };
        items.push(after.clone());
        changed.push((before, after));
    }
    Ok((changed, items))
}

/// Applies the edit to every item or fails on the first unknown ones (`ids[i]`); returns each
/// item before and after, in the order given.
pub async fn bulk_edit(conn: &mut PgConnection, edit: &BulkEdit) -> DomainResult<Vec<(WorkItem, WorkItem)>> {
    let mut errors = tandem_domain::ValidationErrors::new();
    let mut found = Vec::with_capacity(edit.ids().len());
    for (i, id) in edit.ids().iter().enumerate() {
        // Locked first, so the "before" of the audit event is what this write changes.
        match records::lock(conn, Table::WorkItems, id.as_uuid()).await {
            Ok(()) => found.push(work_items::get(conn, *id).await?),
            Err(DomainError::NotFound { .. }) => {
                errors.add(format!("ids[{i}]"), "not_found", format!("{} {id} does not exist", EntityKind::WorkItem))
            }
            Err(other) => return Err(other),
        }
    }
    errors.into_result()?;
    let mut new_ranks = std::collections::HashMap::new();
    if let Some(rank_move) = edit.rank {
        // Each item goes to the top or bottom of its own backlog: its product's items (or the
        // items in no product), never past another product's ranks.
        let mut by_backlog: std::collections::BTreeMap<Option<ProductId>, Vec<&WorkItem>> =
            std::collections::BTreeMap::new();
        for item in &found {
            by_backlog.entry(item.fields.placement.product_id()).or_default().push(item);
        }
        for (product, mut selected) in by_backlog {
            let row = match product {
                Some(product) => {
                    sqlx::query("SELECT MIN(rank) AS low, MAX(rank) AS high FROM work_items WHERE product_id = $1")
                        .bind(product.as_uuid())
                        .fetch_one(&mut *conn)
                        .await
                }
                None => {
                    sqlx::query("SELECT MIN(rank) AS low, MAX(rank) AS high FROM work_items WHERE product_id IS NULL")
                        .fetch_one(&mut *conn)
                        .await
                }
            }
            .map_err(storage)?;
            let low = Rank::new(columns::integer(&row, "low")?);
            let high = Rank::new(columns::integer(&row, "high")?);
            selected.sort_by_key(|item| (item.rank, item.id));
            let selected: Vec<WorkItemId> = selected.into_iter().map(|item| item.id).collect();
            new_ranks.extend(backlog::moved_ranks(&selected, rank_move, low, high));
        }
    }
    let mut changes = Vec::with_capacity(found.len());
    for before in found {
        let mut after = before.clone();
        if let Some(status) = edit.status {
            after.fields.status = status;
        }
        if let Some(rank) = new_ranks.get(&before.id) {
            after.rank = *rank;
        }
        if after == before {
            changes.push((before, after));
            continue;
        }
        after.meta = records::next_meta(&before.meta);
        sqlx::query("UPDATE work_items SET status = $1, rank = $2, updated_at = $3, version = $4 WHERE id = $5")
            .bind(after.fields.status.as_str())
            .bind(after.rank.get())
            .bind(after.meta.updated_at)
            .bind(after.meta.version)
            .bind(before.id.as_uuid())
            .execute(&mut *conn)
            .await
            .map_err(storage)?;
        changes.push((before, after));
    }
    Ok(changes)
}
