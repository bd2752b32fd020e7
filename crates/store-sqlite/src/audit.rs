//! The audit trail: the `audit_events` table, appended to inside the writing transaction and
//! read newest first. Nothing here updates or deletes an event (triggers refuse it anyway).

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use tandem_domain::audit::Audited;
use tandem_domain::{
    Actor, AuditAction, AuditEvent, AuditFilter, Cursor, DomainResult, EntityKind, FieldChange, Page, PageRequest,
};

use crate::columns::{self, corrupt, storage, timestamp_text};
use crate::paging;

fn changes_json(changes: &[FieldChange]) -> String {
    let values: Vec<serde_json::Value> =
        changes.iter().map(|c| serde_json::json!({ "field": c.field, "before": c.before, "after": c.after })).collect();
    serde_json::Value::Array(values).to_string()
}

fn changes_from_json(raw: &str) -> DomainResult<Vec<FieldChange>> {
    #[derive(serde::Deserialize)]
    struct Stored {
        field: String,
        before: Option<String>,
        after: Option<String>,
    }
    let stored: Vec<Stored> = serde_json::from_str(raw).map_err(|e| corrupt("changes", e))?;
    Ok(stored.into_iter().map(|s| FieldChange { field: s.field, before: s.before, after: s.after }).collect())
}

pub async fn append(conn: &mut SqliteConnection, event: &AuditEvent) -> DomainResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (id, at, actor_id, actor_name, action, entity, record_id, label, changes) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(event.id.to_string())
    .bind(timestamp_text(event.at))
    .bind(event.actor.user_id.map(|id| id.to_string()))
    .bind(&event.actor.name)
    .bind(event.action.as_str())
    .bind(event.entity.as_str())
    .bind(&event.record_id)
    .bind(&event.label)
    .bind(changes_json(&event.changes))
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(())
}

pub async fn created<R: Audited>(conn: &mut SqliteConnection, actor: &Actor, record: &R) -> DomainResult<()> {
    append(conn, &AuditEvent::created(actor, record)).await
}

pub async fn updated<R: Audited>(
    conn: &mut SqliteConnection,
    actor: &Actor,
    before: &R,
    after: &R,
) -> DomainResult<()> {
    match AuditEvent::updated(actor, before, after) {
        Some(event) => append(conn, &event).await,
        None => Ok(()),
    }
}

pub async fn deleted<R: Audited>(conn: &mut SqliteConnection, actor: &Actor, record: &R) -> DomainResult<()> {
    append(conn, &AuditEvent::deleted(actor, record)).await
}

fn from_row(row: &SqliteRow) -> DomainResult<AuditEvent> {
    let action = columns::text(row, "action")?;
    let entity = columns::text(row, "entity")?;
    Ok(AuditEvent {
        id: columns::id(row, "id")?,
        at: columns::timestamp(row, "at")?,
        actor: Actor { user_id: columns::optional_id(row, "actor_id")?, name: columns::text(row, "actor_name")? },
        action: AuditAction::parse(&action).ok_or_else(|| corrupt("action", &action))?,
        entity: columns::parsed("entity", EntityKind::parse("entity", &entity))?,
        record_id: columns::text(row, "record_id")?,
        label: columns::text(row, "label")?,
        changes: changes_from_json(&columns::text(row, "changes")?)?,
    })
}

pub async fn list(
    conn: &mut SqliteConnection,
    filter: &AuditFilter,
    page: &PageRequest,
) -> DomainResult<Page<AuditEvent>> {
    let after = paging::after_id(page)?;
    // Record ids never hold a NUL character (PostgreSQL could not even compare one): such a
    // filter matches nothing.
    if filter.record_id.as_deref().is_some_and(|record| record.contains('\0')) {
        return Ok(Page { items: Vec::new(), next_cursor: None });
    }
    let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM audit_events WHERE 1 = 1");
    if let Some(entity) = filter.entity {
        query.push(" AND entity = ").push_bind(entity.as_str());
    }
    if let Some(record) = &filter.record_id {
        query.push(" AND record_id = ").push_bind(record.clone());
    }
    if let Some(actor) = filter.actor {
        query.push(" AND actor_id = ").push_bind(actor.to_string());
    }
    if let Some(action) = filter.action {
        query.push(" AND action = ").push_bind(action.as_str());
    }
    if let Some(since) = filter.since {
        query.push(" AND at >= ").push_bind(timestamp_text(since));
    }
    if let Some(until) = filter.until {
        query.push(" AND at < ").push_bind(timestamp_text(until));
    }
    if let Some(after) = after {
        query.push(" AND id < ").push_bind(after);
    }
    query.push(" ORDER BY id DESC LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(paging::page_of(items, page, |e| Cursor(e.id.to_string())))
}
