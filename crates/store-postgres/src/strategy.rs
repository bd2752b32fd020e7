//! Product strategy: `objectives` with their `key_results` (in the order given) and
//! `key_result_measurements`, `objective_features` (the features serving each objective) and
//! `roadmap_entries`. Every write appends its audit event here, in the caller's transaction.

use std::collections::HashMap;

use chrono::NaiveDate;

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use tandem_domain::audit::AuditEvent;
use tandem_domain::record::now;
use tandem_domain::strategy::{
    KeyResult, Lane, Measurement, Objective, ObjectiveFields, ObjectiveFilter, ObjectiveLink, ObjectiveStatus,
    RoadmapEntry, RoadmapEntryFields, Unit, check_feature,
};
use tandem_domain::{
    Actor, DateRange, DomainError, DomainResult, EntityKind, KeyResultId, Meta, ObjectiveId, ProductId,
    ValidationErrors, WorkItemId,
};

use uuid::Uuid;

use crate::columns::{self, storage};
use crate::records::{self, Table};
use crate::{audit, visibility, work_items};

fn objective_from_row(row: &PgRow) -> DomainResult<Objective> {
    let start = columns::date(row, "start_date")?;
    let end = columns::date(row, "end_date")?;
    Ok(Objective {
        id: columns::id(row, "id")?,
        fields: ObjectiveFields {
            product_id: columns::id(row, "product_id")?,
            title: columns::name(row, "title")?,
            description: columns::long_text(row, "description")?,
            period: columns::parsed("end_date", DateRange::new("end_date", start, end))?,
            status: columns::parsed("status", ObjectiveStatus::parse("status", &columns::text(row, "status")?))?,
            key_results: Vec::new(),
        },
        meta: columns::meta(row)?,
    })
}

/// Fills in the key results and their measurements of `objectives` (two queries for the lot).
async fn with_key_results(conn: &mut PgConnection, mut objectives: Vec<Objective>) -> DomainResult<Vec<Objective>> {
    if objectives.is_empty() {
        return Ok(objectives);
    }
    let position: HashMap<Uuid, usize> = objectives.iter().enumerate().map(|(i, o)| (o.id.as_uuid(), i)).collect();
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM key_results WHERE objective_id IN (");
    let mut separated = query.separated(", ");
    for objective in &objectives {
        separated.push_bind(objective.id.as_uuid());
    }
    query.push(") ORDER BY objective_id, position");
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let mut krs = Vec::with_capacity(rows.len());
    for row in &rows {
        let objective: Uuid = row.try_get("objective_id").map_err(storage)?;
        let kr = KeyResult {
            id: columns::id(row, "id")?,
            metric: columns::name(row, "metric")?,
            unit: columns::parsed("unit", Unit::parse("unit", &columns::text(row, "unit")?))?,
            baseline: columns::real(row, "baseline")?,
            target: columns::real(row, "target")?,
            measurements: Vec::new(),
        };
        krs.push((objective, kr));
    }
    if !krs.is_empty() {
        let mut query = QueryBuilder::<Postgres>::new(
            "SELECT key_result_id, measured_on, value FROM key_result_measurements WHERE key_result_id IN (",
        );
        let mut separated = query.separated(", ");
        for (_, kr) in &krs {
            separated.push_bind(kr.id.as_uuid());
        }
        query.push(") ORDER BY key_result_id, measured_on");
        let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
        let kr_position: HashMap<Uuid, usize> =
            krs.iter().enumerate().map(|(i, (_, kr))| (kr.id.as_uuid(), i)).collect();
        for row in &rows {
            let kr: Uuid = row.try_get("key_result_id").map_err(storage)?;
            let measurement =
                Measurement { date: columns::date(row, "measured_on")?, value: columns::real(row, "value")? };
            if let Some(&i) = kr_position.get(&kr) {
                krs[i].1.measurements.push(measurement);
            }
        }
    }
    for (objective, kr) in krs {
        if let Some(&i) = position.get(&objective) {
            objectives[i].fields.key_results.push(kr);
        }
    }
    Ok(objectives)
}

pub async fn get(conn: &mut PgConnection, id: ObjectiveId) -> DomainResult<Objective> {
    let row = sqlx::query("SELECT * FROM objectives WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    let Some(row) = row else {
        return Err(DomainError::not_found(EntityKind::Objective, id));
    };
    let objective = objective_from_row(&row)?;
    let mut read = with_key_results(conn, vec![objective]).await?;
    read.pop().ok_or_else(|| DomainError::not_found(EntityKind::Objective, id))
}

/// Key result ids must be this objective's or unused.
async fn check_key_results(
    conn: &mut PgConnection,
    objective: Uuid,
    fields: &ObjectiveFields,
    errors: &mut ValidationErrors,
) -> DomainResult<()> {
    for (i, kr) in fields.key_results.iter().enumerate() {
        let row = sqlx::query("SELECT objective_id FROM key_results WHERE id = $1")
            .bind(kr.id.as_uuid())
            .fetch_optional(&mut *conn)
            .await
            .map_err(storage)?;
        if let Some(row) = row {
            let owner: Uuid = row.try_get("objective_id").map_err(storage)?;
            if owner != objective {
                errors.add(
                    format!("key_results[{i}].id"),
                    "taken",
                    format!("key result {} is another objective's", kr.id),
                );
            }
        }
    }
    Ok(())
}

/// Writes the key results of `fields`, keeping the measurements of those that stay and dropping
/// those left out.
async fn write_key_results(conn: &mut PgConnection, objective: Uuid, fields: &ObjectiveFields) -> DomainResult<()> {
    let mut keep = QueryBuilder::<Postgres>::new("DELETE FROM key_results WHERE objective_id = ");
    keep.push_bind(objective);
    if !fields.key_results.is_empty() {
        keep.push(" AND id NOT IN (");
        let mut separated = keep.separated(", ");
        for kr in &fields.key_results {
            separated.push_bind(kr.id.as_uuid());
        }
        keep.push(")");
    }
    keep.build().execute(&mut *conn).await.map_err(storage)?;
    for (position, kr) in fields.key_results.iter().enumerate() {
        sqlx::query(
            "INSERT INTO key_results (id, objective_id, position, metric, unit, baseline, target) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET position = excluded.position, \
             metric = excluded.metric, unit = excluded.unit, baseline = excluded.baseline, target = excluded.target",
        )
        .bind(kr.id.as_uuid())
        .bind(objective)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(kr.metric.as_str())
        .bind(kr.unit.as_str())
        .bind(kr.baseline)
        .bind(kr.target)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    }
    Ok(())
}

pub async fn create(conn: &mut PgConnection, actor: &Actor, fields: ObjectiveFields) -> DomainResult<Objective> {
    let id = ObjectiveId::generate();
    let id_text = id.as_uuid();
    let mut errors = ValidationErrors::new();
    records::check_reference(conn, &mut errors, Table::Products, "product_id", fields.product_id.as_uuid()).await?;
    check_key_results(conn, id_text, &fields, &mut errors).await?;
    errors.into_result()?;
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO objectives (id, product_id, title, description, start_date, end_date, status, created_at, \
         updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id_text)
    .bind(fields.product_id.as_uuid())
    .bind(fields.title.as_str())
    .bind(fields.description.as_str())
    .bind(fields.period.start())
    .bind(fields.period.end())
    .bind(fields.status.as_str())
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    write_key_results(conn, id_text, &fields).await?;
    let objective = get(conn, id).await?;
    audit::created(conn, actor, &objective).await?;
    Ok(objective)
}

pub async fn update(
    conn: &mut PgConnection,
    actor: &Actor,
    id: ObjectiveId,
    version: i64,
    fields: ObjectiveFields,
) -> DomainResult<Objective> {
    let id_text = id.as_uuid();
    let stored = records::current_meta(conn, Table::Objectives, id_text, Some(version)).await?;
    let before = get(conn, id).await?;
    let mut errors = ValidationErrors::new();
    if fields.product_id != before.fields.product_id {
        errors.add("product_id", "immutable", "an objective stays with its product");
    }
    check_key_results(conn, id_text, &fields, &mut errors).await?;
    errors.into_result()?;
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE objectives SET title = $1, description = $2, start_date = $3, end_date = $4, status = $5, updated_at = $6, \
         version = $7 WHERE id = $8 AND version = $9",
    )
    .bind(fields.title.as_str())
    .bind(fields.description.as_str())
    .bind(fields.period.start())
    .bind(fields.period.end())
    .bind(fields.status.as_str())
    .bind(meta.updated_at)
    .bind(meta.version)
    .bind(id_text)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    write_key_results(conn, id_text, &fields).await?;
    let objective = get(conn, id).await?;
    audit::updated(conn, actor, &before, &objective).await?;
    Ok(objective)
}

pub async fn delete(conn: &mut PgConnection, actor: &Actor, id: ObjectiveId, version: Option<i64>) -> DomainResult<()> {
    let id_text = id.as_uuid();
    records::current_meta(conn, Table::Objectives, id_text, version).await?;
    let before = get(conn, id).await?;
    // Key results, measurements and links CASCADE with the objective; its deleted event lists the
    // key results, and each link goes with an event of its own.
    for link in links_where(conn, "objective_id", id_text).await? {
        audit::append(conn, &link_event(actor, &before, link.work_item_id, false)).await?;
    }
    records::delete(conn, Table::Objectives, id_text).await?;
    audit::deleted(conn, actor, &before).await
}

pub async fn list(conn: &mut PgConnection, filter: &ObjectiveFilter) -> DomainResult<Vec<Objective>> {
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM objectives WHERE 1 = 1");
    if let Some(product) = filter.product {
        query.push(" AND product_id = ").push_bind(product.as_uuid());
    }
    if let Some(item) = filter.work_item {
        query
            .push(" AND id IN (SELECT objective_id FROM objective_features WHERE work_item_id = ")
            .push_bind(item.as_uuid())
            .push(")");
    }
    if let Some(visible) = &filter.visible {
        visibility::products(&mut query, "product_id", visible);
    }
    query.push(" ORDER BY start_date, id");
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let objectives = rows.iter().map(objective_from_row).collect::<DomainResult<Vec<_>>>()?;
    with_key_results(conn, objectives).await
}

pub async fn record_measurement(
    conn: &mut PgConnection,
    actor: &Actor,
    id: ObjectiveId,
    key_result: KeyResultId,
    measurement: Measurement,
) -> DomainResult<Objective> {
    records::lock(conn, Table::Objectives, id.as_uuid()).await?;
    let objective = get(conn, id).await?;
    let Some(kr) = objective.fields.key_result(key_result) else {
        return Err(DomainError::invalid(
            "key_result_id",
            "not_found",
            format!("key result {key_result} is not one of objective {id}'s"),
        ));
    };
    let before = kr.measurements.iter().find(|m| m.date == measurement.date).map(|m| m.value);
    let field = format!("key_results.{}.measurement.{}", kr.metric.as_str(), measurement.date);
    sqlx::query(
        "INSERT INTO key_result_measurements (key_result_id, measured_on, value) VALUES ($1, $2, $3) \
         ON CONFLICT (key_result_id, measured_on) DO UPDATE SET value = excluded.value",
    )
    .bind(key_result.as_uuid())
    .bind(measurement.date)
    .bind(measurement.value)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    let event = AuditEvent::changed(
        actor,
        &objective,
        &field,
        before.map(tandem_domain::strategy::number),
        Some(tandem_domain::strategy::number(measurement.value)),
    );
    audit::append(conn, &event).await?;
    get(conn, id).await
}

fn link_event(actor: &Actor, objective: &Objective, item: WorkItemId, linked: bool) -> AuditEvent {
    let value = Some(item.to_string());
    if linked {
        AuditEvent::changed(actor, objective, "feature", None, value)
    } else {
        AuditEvent::changed(actor, objective, "feature", value, None)
    }
}

async fn links_where(conn: &mut PgConnection, column: &'static str, id: Uuid) -> DomainResult<Vec<ObjectiveLink>> {
    let sql = match column {
        "objective_id" => {
            "SELECT objective_id, work_item_id FROM objective_features WHERE objective_id = $1 ORDER BY work_item_id"
        }
        _ => "SELECT objective_id, work_item_id FROM objective_features WHERE work_item_id = $1 ORDER BY objective_id",
    };
    let rows = sqlx::query(sql).bind(id).fetch_all(&mut *conn).await.map_err(storage)?;
    rows.iter()
        .map(|row| {
            Ok(ObjectiveLink {
                objective_id: columns::id(row, "objective_id")?,
                work_item_id: columns::id(row, "work_item_id")?,
            })
        })
        .collect()
}

async fn linkable(conn: &mut PgConnection, objective: &Objective, item: WorkItemId) -> DomainResult<()> {
    let item = match work_items::get(conn, item).await {
        Ok(item) => item,
        Err(DomainError::NotFound { .. }) => {
            return Err(DomainError::invalid("work_item_id", "not_found", format!("work item {item} does not exist")));
        }
        Err(other) => return Err(other),
    };
    check_feature(&item, objective.fields.product_id).map_err(|e| DomainError::from(ValidationErrors::from(e)))
}

pub async fn link(conn: &mut PgConnection, actor: &Actor, id: ObjectiveId, item: WorkItemId) -> DomainResult<()> {
    records::lock(conn, Table::Objectives, id.as_uuid()).await?;
    let objective = get(conn, id).await?;
    linkable(conn, &objective, item).await?;
    let inserted = sqlx::query(
        "INSERT INTO objective_features (objective_id, work_item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(id.as_uuid())
    .bind(item.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    if inserted.rows_affected() > 0 {
        audit::append(conn, &link_event(actor, &objective, item, true)).await?;
    }
    Ok(())
}

pub async fn unlink(conn: &mut PgConnection, actor: &Actor, id: ObjectiveId, item: WorkItemId) -> DomainResult<()> {
    records::lock(conn, Table::Objectives, id.as_uuid()).await?;
    let objective = get(conn, id).await?;
    let deleted = sqlx::query("DELETE FROM objective_features WHERE objective_id = $1 AND work_item_id = $2")
        .bind(id.as_uuid())
        .bind(item.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    if deleted.rows_affected() > 0 {
        audit::append(conn, &link_event(actor, &objective, item, false)).await?;
    }
    Ok(())
}

pub async fn list_links(conn: &mut PgConnection, product: ProductId) -> DomainResult<Vec<ObjectiveLink>> {
    let rows = sqlx::query(
        "SELECT objective_features.objective_id AS objective_id, objective_features.work_item_id AS work_item_id \
         FROM objective_features JOIN objectives ON objectives.id = objective_features.objective_id \
         WHERE objectives.product_id = $1 ORDER BY objective_features.objective_id, objective_features.work_item_id",
    )
    .bind(product.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(storage)?;
    rows.iter()
        .map(|row| {
            Ok(ObjectiveLink {
                objective_id: columns::id(row, "objective_id")?,
                work_item_id: columns::id(row, "work_item_id")?,
            })
        })
        .collect()
}

/// How many objectives a product has (a product with objectives is not deleted).
pub async fn count_of_product(conn: &mut PgConnection, product: Uuid) -> DomainResult<i64> {
    records::count_referencing(conn, Table::Objectives, "product_id", product).await
}

fn entry_from_row(row: &PgRow) -> DomainResult<RoadmapEntry> {
    let lane = columns::optional_text(row, "lane")?
        .map(|lane| columns::parsed("lane", Lane::parse("lane", &lane)))
        .transpose()?;
    let start: Option<NaiveDate> = row.try_get("planned_start").map_err(storage)?;
    let finish: Option<NaiveDate> = row.try_get("planned_finish").map_err(storage)?;
    let planned = match (start, finish) {
        (Some(start), Some(finish)) => {
            Some(columns::parsed("planned_finish", DateRange::new("planned_finish", start, finish))?)
        }
        _ => None,
    };
    Ok(RoadmapEntry {
        id: columns::id(row, "work_item_id")?,
        fields: RoadmapEntryFields { lane, planned },
        meta: columns::meta(row)?,
    })
}

async fn get_entry(conn: &mut PgConnection, item: WorkItemId) -> DomainResult<Option<RoadmapEntry>> {
    let row = sqlx::query("SELECT * FROM roadmap_entries WHERE work_item_id = $1")
        .bind(item.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    row.as_ref().map(entry_from_row).transpose()
}

pub async fn put_entry(
    conn: &mut PgConnection,
    actor: &Actor,
    item: WorkItemId,
    version: Option<i64>,
    fields: RoadmapEntryFields,
) -> DomainResult<RoadmapEntry> {
    let work_item = match work_items::get(conn, item).await {
        Ok(work_item) => work_item,
        Err(DomainError::NotFound { .. }) => {
            return Err(DomainError::invalid("work_item_id", "not_found", format!("work item {item} does not exist")));
        }
        Err(other) => return Err(other),
    };
    let Some(product) = work_item.fields.placement.product_id() else {
        return Err(DomainError::invalid("work_item_id", "no_product", "must be in a product to be on its roadmap"));
    };
    check_feature(&work_item, product).map_err(|e| DomainError::from(ValidationErrors::from(e)))?;
    // One writer per entry at a time, so the version check and the audit's "before" hold.
    records::lock(conn, Table::WorkItems, item.as_uuid()).await?;
    let before = get_entry(conn, item).await?;
    let meta = match &before {
        Some(stored) => {
            if let Some(expected) = version
                && expected != stored.meta.version
            {
                return Err(DomainError::VersionConflict {
                    entity: EntityKind::RoadmapEntry,
                    id: item.to_string(),
                    expected,
                    actual: stored.meta.version,
                });
            }
            records::next_meta(&stored.meta)
        }
        None => {
            let at = now();
            Meta { created_at: at, updated_at: at, version: 1 }
        }
    };
    sqlx::query(
        "INSERT INTO roadmap_entries (work_item_id, lane, planned_start, planned_finish, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (work_item_id) DO UPDATE SET lane = excluded.lane, \
         planned_start = excluded.planned_start, planned_finish = excluded.planned_finish, \
         updated_at = excluded.updated_at, version = excluded.version",
    )
    .bind(item.as_uuid())
    .bind(fields.lane.map(Lane::as_str))
    .bind(fields.planned.map(|p| p.start()))
    .bind(fields.planned.map(|p| p.end()))
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    let entry = RoadmapEntry { id: item, fields, meta };
    match &before {
        Some(before) => audit::updated(conn, actor, before, &entry).await?,
        None => audit::created(conn, actor, &entry).await?,
    }
    Ok(entry)
}

pub async fn list_entries(conn: &mut PgConnection, product: ProductId) -> DomainResult<Vec<RoadmapEntry>> {
    let rows = sqlx::query(
        "SELECT roadmap_entries.* FROM roadmap_entries JOIN work_items ON work_items.id = roadmap_entries.work_item_id \
         WHERE work_items.product_id = $1 ORDER BY roadmap_entries.work_item_id",
    )
    .bind(product.as_uuid())
    .fetch_all(&mut *conn)
    .await
    .map_err(storage)?;
    rows.iter().map(entry_from_row).collect()
}

/// Before a work item is deleted: its feature links and roadmap entry go, each with its event.
pub async fn forget_work_item(conn: &mut PgConnection, actor: &Actor, item: WorkItemId) -> DomainResult<()> {
    let item_text = item.as_uuid();
    for link in links_where(conn, "work_item_id", item_text).await? {
        let objective = get(conn, link.objective_id).await?;
        sqlx::query("DELETE FROM objective_features WHERE objective_id = $1 AND work_item_id = $2")
            .bind(link.objective_id.as_uuid())
            .bind(item_text)
            .execute(&mut *conn)
            .await
            .map_err(storage)?;
        audit::append(conn, &link_event(actor, &objective, item, false)).await?;
    }
    if let Some(entry) = get_entry(conn, item).await? {
        sqlx::query("DELETE FROM roadmap_entries WHERE work_item_id = $1")
            .bind(item_text)
            .execute(&mut *conn)
            .await
            .map_err(storage)?;
        audit::deleted(conn, actor, &entry).await?;
    }
    Ok(())
}
