//! The audit trail: the `audit_events` table, appended to inside the writing transaction and
//! read newest first. Nothing here updates or deletes an event (a trigger refuses it anyway).

use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use tandem_domain::audit::Audited;
use tandem_domain::{
    Actor, AuditAction, AuditEvent, AuditFilter, Cursor, DomainResult, EntityKind, FieldChange, Page, PageRequest,
};
use uuid::Uuid;

use crate::columns::{self, corrupt, storage};
use crate::paging;

/// One element of the `changes` array.
#[derive(serde::Deserialize)]
struct StoredChange {
    field: String,
    before: Option<String>,
    after: Option<String>,
}

fn changes_json(changes: &[FieldChange]) -> String {
    let values: Vec<serde_json::Value> =
        changes.iter().map(|c| serde_json::json!({ "field": c.field, "before": c.before, "after": c.after })).collect();
    serde_json::Value::Array(values).to_string()
}

pub async fn append(conn: &mut PgConnection, event: &AuditEvent) -> DomainResult<()> {
    append_all(conn, std::slice::from_ref(event)).await
}

/// Appends `events` in one `INSERT ... SELECT FROM UNNEST` of column arrays: a bulk create audits
/// its thousand items in one round trip, not a thousand.
pub async fn append_all(conn: &mut PgConnection, events: &[AuditEvent]) -> DomainResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = events.iter().map(|e| e.id.as_uuid()).collect();
    let at: Vec<_> = events.iter().map(|e| e.at).collect();
    let actor_ids: Vec<Option<Uuid>> = events.iter().map(|e| e.actor.user_id.map(|id| id.as_uuid())).collect();
    let actor_names: Vec<&str> = events.iter().map(|e| e.actor.name.as_str()).collect();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    let entities: Vec<&str> = events.iter().map(|e| e.entity.as_str()).collect();
    let record_ids: Vec<&str> = events.iter().map(|e| e.record_id.as_str()).collect();
    let labels: Vec<&str> = events.iter().map(|e| e.label.as_str()).collect();
    let changes: Vec<String> = events.iter().map(|e| changes_json(&e.changes)).collect();
    sqlx::query(
        "INSERT INTO audit_events (id, at, actor_id, actor_name, action, entity, record_id, label, changes) \
         SELECT id, at, actor_id, actor_name, action, entity, record_id, label, changes::jsonb \
         FROM UNNEST($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], \
         $8::text[], $9::text[]) AS e (id, at, actor_id, actor_name, action, entity, record_id, label, changes)",
    )
    .bind(ids)
    .bind(at)
    .bind(actor_ids)
    .bind(actor_names)
    .bind(actions)
    .bind(entities)
    .bind(record_ids)
    .bind(labels)
    .bind(changes)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(())
}

pub async fn created<R: Audited>(conn: &mut PgConnection, actor: &Actor, record: &R) -> DomainResult<()> {
    append(conn, &AuditEvent::created(actor, record)).await
}

/// The `created` events of many new records, appended together.
pub async fn created_all<R: Audited>(conn: &mut PgConnection, actor: &Actor, records: &[R]) -> DomainResult<()> {
    let events: Vec<AuditEvent> = records.iter().map(|record| AuditEvent::created(actor, record)).collect();
    append_all(conn, &events).await
}

pub async fn updated<R: Audited>(conn: &mut PgConnection, actor: &Actor, before: &R, after: &R) -> DomainResult<()> {
    match AuditEvent::updated(actor, before, after) {
        Some(event) => append(conn, &event).await,
        None => Ok(()),
    }
}

pub async fn deleted<R: Audited>(conn: &mut PgConnection, actor: &Actor, record: &R) -> DomainResult<()> {
    append(conn, &AuditEvent::deleted(actor, record)).await
}

fn from_row(row: &PgRow) -> DomainResult<AuditEvent> {
    let action = columns::text(row, "action")?;
    let entity = columns::text(row, "entity")?;
    let Json(changes) = row.try_get::<Json<Vec<StoredChange>>, _>("changes").map_err(|e| corrupt("changes", e))?;
    Ok(AuditEvent {
        id: columns::id(row, "id")?,
        at: columns::timestamp(row, "at")?,
        actor: Actor { user_id: columns::optional_id(row, "actor_id")?, name: columns::text(row, "actor_name")? },
        action: AuditAction::parse(&action).ok_or_else(|| corrupt("action", &action))?,
        entity: columns::parsed("entity", EntityKind::parse("entity", &entity))?,
        record_id: columns::text(row, "record_id")?,
        label: columns::text(row, "label")?,
        changes: changes
            .into_iter()
            .map(|c| FieldChange { field: c.field, before: c.before, after: c.after })
            .collect(),
    })
}

pub async fn list(conn: &mut PgConnection, filter: &AuditFilter, page: &PageRequest) -> DomainResult<Page<AuditEvent>> {
    let after = paging::after_id(page)?;
    // Record ids never hold a NUL character (PostgreSQL could not even compare one): such a
    // filter matches nothing.
    if filter.record_id.as_deref().is_some_and(|record| record.contains('\0')) {
        return Ok(Page { items: Vec::new(), next_cursor: None });
    }
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM audit_events WHERE 1 = 1");
    if let Some(entity) = filter.entity {
        query.push(" AND entity = ").push_bind(entity.as_str());
    }
    if let Some(record) = &filter.record_id {
        query.push(" AND record_id = ").push_bind(record.clone());
    }
    if let Some(actor) = filter.actor {
        query.push(" AND actor_id = ").push_bind(actor.as_uuid());
    }
    if let Some(action) = filter.action {
        query.push(" AND action = ").push_bind(action.as_str());
    }
    if let Some(since) = filter.since {
        query.push(" AND at >= ").push_bind(since);
    }
    if let Some(until) = filter.until {
        query.push(" AND at < ").push_bind(until);
    }
    // Newest first: the cursor is the last (oldest) id of the previous page.
    if let Some(after) = after {
        query.push(" AND id < ").push_bind(after);
    }
    query.push(" ORDER BY id DESC LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(paging::page_of(items, page, |e| Cursor(e.id.to_string())))
}
