//! Risks: the `risks` table with its hits (`risk_work_items`) and mitigation actions
//! (`risk_mitigations`), both kept in the order given and replaced whole on update.

use std::collections::HashMap;

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use tandem_domain::record::now;
use tandem_domain::risk::{Mitigation, Probability, RiskCategory, RiskResponse, RiskStatus};
use tandem_domain::{
    Cursor, DomainError, DomainResult, EntityKind, Estimate, Meta, Money, Name, Page, PageRequest, Risk, RiskFields,
    RiskFilter, RiskId, ValidationErrors, WorkItemId,
};

use crate::columns::{self, date_text, storage, timestamp_text};
use crate::paging;
use crate::records::{self, Table};
use crate::visibility;

/// A risk's row without its hits and mitigations (read apart, for a whole page at once).
fn from_row(row: &SqliteRow) -> DomainResult<Risk> {
    let probability = columns::integer(row, "probability")?;
    let estimate = Estimate::parse(
        "schedule_impact",
        columns::real(row, "impact_optimistic")?,
        columns::real(row, "impact_most_likely")?,
        columns::real(row, "impact_pessimistic")?,
    )
    .map_err(|errors| columns::corrupt("impact_most_likely", format!("{errors:?}")))?;
    let cost = columns::optional_integer(row, "cost_impact")?;
    Ok(Risk {
        id: columns::id(row, "id")?,
        fields: RiskFields {
            program_id: columns::id(row, "program_id")?,
            project_id: columns::optional_id(row, "project_id")?,
            title: columns::name(row, "title")?,
            cause: columns::long_text(row, "cause")?,
            effect: columns::long_text(row, "effect")?,
            owner: columns::optional_name(row, "owner")?,
            category: columns::parsed("category", RiskCategory::parse("category", &columns::text(row, "category")?))?,
            probability: columns::parsed("probability", Probability::parse("probability", probability))?,
            schedule_impact: estimate,
            work_item_ids: Vec::new(),
            cost_impact: columns::parsed("cost_impact", cost.map(|c| Money::parse("cost_impact", c)).transpose())?,
            response: columns::parsed("response", RiskResponse::parse("response", &columns::text(row, "response")?))?,
            mitigations: Vec::new(),
            trigger: columns::long_text(row, "trigger_text")?,
            status: columns::parsed("status", RiskStatus::parse("status", &columns::text(row, "status")?))?,
        },
        meta: columns::meta(row)?,
    })
}

/// Fills in the hits and mitigation actions of `risks` (two queries for the lot).
async fn with_children(conn: &mut SqliteConnection, mut risks: Vec<Risk>) -> DomainResult<Vec<Risk>> {
    if risks.is_empty() {
        return Ok(risks);
    }
    let position: HashMap<String, usize> = risks.iter().enumerate().map(|(i, r)| (r.id.to_string(), i)).collect();
    let ids = |query: &mut QueryBuilder<Sqlite>| {
        let mut separated = query.separated(", ");
        for risk in &risks {
            separated.push_bind(risk.id.to_string());
        }
    };
    let mut hits = QueryBuilder::<Sqlite>::new("SELECT risk_id, work_item_id FROM risk_work_items WHERE risk_id IN (");
    ids(&mut hits);
    hits.push(") ORDER BY risk_id, position");
    let hit_rows = hits.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let mut actions = QueryBuilder::<Sqlite>::new(
        "SELECT risk_id, description, due_date, done FROM risk_mitigations WHERE risk_id IN (",
    );
    ids(&mut actions);
    actions.push(") ORDER BY risk_id, position");
    let action_rows = actions.build().fetch_all(&mut *conn).await.map_err(storage)?;
    for row in &hit_rows {
        let risk: String = columns::text(row, "risk_id")?;
        let item: WorkItemId = columns::id(row, "work_item_id")?;
        if let Some(&i) = position.get(&risk) {
            risks[i].fields.work_item_ids.push(item);
        }
    }
    for row in &action_rows {
        let risk: String = columns::text(row, "risk_id")?;
        let action = Mitigation {
            description: columns::parsed(
                "description",
                Name::parse("description", &columns::text(row, "description")?),
            )?,
            due_date: columns::date(row, "due_date")?,
            done: columns::integer(row, "done")? != 0,
        };
        if let Some(&i) = position.get(&risk) {
            risks[i].fields.mitigations.push(action);
        }
    }
    Ok(risks)
}

/// The program a project belongs to; `None` when there is no such project.
async fn program_of_project(conn: &mut SqliteConnection, project: &str) -> DomainResult<Option<String>> {
    let row = sqlx::query("SELECT program_id FROM projects WHERE id = ?")
        .bind(project)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    row.map(|row| row.try_get::<String, _>("program_id").map_err(storage)).transpose()
}

async fn check_references(conn: &mut SqliteConnection, fields: &RiskFields) -> DomainResult<()> {
    let mut errors = ValidationErrors::new();
    let program = fields.program_id.to_string();
    records::check_reference(conn, &mut errors, Table::Programs, "program_id", &program).await?;
    if let Some(project) = fields.project_id {
        match program_of_project(conn, &project.to_string()).await? {
            None => errors.add("project_id", "not_found", format!("project {project} does not exist")),
            Some(owner) if owner != program => errors.add(
                "project_id",
                "other_program",
                format!("project {project} is not in program {}", fields.program_id),
            ),
            Some(_) => {}
        }
    }
    for (i, item) in fields.work_item_ids.iter().enumerate() {
        let row = sqlx::query(
            "SELECT projects.program_id AS program_id FROM work_items \
             LEFT JOIN projects ON projects.id = work_items.project_id WHERE work_items.id = ?",
        )
        .bind(item.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
        let field = format!("work_item_ids[{i}]");
        match row {
            None => errors.add(field, "not_found", format!("work item {item} does not exist")),
            Some(row) => {
                let owner: Option<String> = row.try_get("program_id").map_err(storage)?;
                if owner.as_deref() != Some(program.as_str()) {
                    errors.add(
                        field,
                        "other_program",
                        format!("work item {item} is not in a project of program {}", fields.program_id),
                    );
                }
            }
        }
    }
    errors.into_result().map_err(DomainError::from)
}

async fn write_children(conn: &mut SqliteConnection, id: &str, fields: &RiskFields) -> DomainResult<()> {
    for (position, item) in fields.work_item_ids.iter().enumerate() {
        sqlx::query("INSERT INTO risk_work_items (risk_id, position, work_item_id) VALUES (?, ?, ?)")
            .bind(id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(item.to_string())
            .execute(&mut *conn)
            .await
            .map_err(storage)?;
    }
    for (position, action) in fields.mitigations.iter().enumerate() {
        sqlx::query(
            "INSERT INTO risk_mitigations (risk_id, position, description, due_date, done) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(action.description.as_str())
        .bind(date_text(action.due_date))
        .bind(action.done)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    }
    Ok(())
}

async fn delete_children(conn: &mut SqliteConnection, id: &str) -> DomainResult<()> {
    for sql in ["DELETE FROM risk_work_items WHERE risk_id = ?", "DELETE FROM risk_mitigations WHERE risk_id = ?"] {
        sqlx::query(sql).bind(id).execute(&mut *conn).await.map_err(storage)?;
    }
    Ok(())
}

pub async fn create(conn: &mut SqliteConnection, fields: RiskFields) -> DomainResult<Risk> {
    check_references(conn, &fields).await?;
    let id = RiskId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    let impact = fields.schedule_impact;
    sqlx::query(
        "INSERT INTO risks (id, program_id, project_id, title, cause, effect, owner, category, probability, \
         impact_optimistic, impact_most_likely, impact_pessimistic, cost_impact, response, trigger_text, status, \
         created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(fields.program_id.to_string())
    .bind(fields.project_id.map(|p| p.to_string()))
    .bind(fields.title.as_str())
    .bind(fields.cause.as_str())
    .bind(fields.effect.as_str())
    .bind(fields.owner.as_ref().map(|o| o.as_str()))
    .bind(fields.category.as_str())
    .bind(i64::from(fields.probability.percent()))
    .bind(impact.optimistic())
    .bind(impact.most_likely())
    .bind(impact.pessimistic())
    .bind(fields.cost_impact.map(Money::amount))
    .bind(fields.response.as_str())
    .bind(fields.trigger.as_str())
    .bind(fields.status.as_str())
    .bind(timestamp_text(meta.created_at))
    .bind(timestamp_text(meta.updated_at))
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    write_children(conn, &id.to_string(), &fields).await?;
    Ok(Risk { id, fields, meta })
}

pub async fn get(conn: &mut SqliteConnection, id: RiskId) -> DomainResult<Risk> {
    let row = sqlx::query("SELECT * FROM risks WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => {
            let risk = from_row(&row)?;
            let mut read = with_children(conn, vec![risk]).await?;
            read.pop().ok_or_else(|| DomainError::not_found(EntityKind::Risk, id))
        }
        None => Err(DomainError::not_found(EntityKind::Risk, id)),
    }
}

pub async fn update(conn: &mut SqliteConnection, id: RiskId, version: i64, fields: RiskFields) -> DomainResult<Risk> {
    let id_text = id.to_string();
    let stored = records::current_meta(conn, Table::Risks, &id_text, Some(version)).await?;
    check_references(conn, &fields).await?;
    let meta = records::next_meta(&stored);
    let impact = fields.schedule_impact;
    sqlx::query(
        "UPDATE risks SET program_id = ?, project_id = ?, title = ?, cause = ?, effect = ?, owner = ?, category = ?, \
         probability = ?, impact_optimistic = ?, impact_most_likely = ?, impact_pessimistic = ?, cost_impact = ?, \
         response = ?, trigger_text = ?, status = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?",
    )
    .bind(fields.program_id.to_string())
    .bind(fields.project_id.map(|p| p.to_string()))
    .bind(fields.title.as_str())
    .bind(fields.cause.as_str())
    .bind(fields.effect.as_str())
    .bind(fields.owner.as_ref().map(|o| o.as_str()))
    .bind(fields.category.as_str())
    .bind(i64::from(fields.probability.percent()))
    .bind(impact.optimistic())
    .bind(impact.most_likely())
    .bind(impact.pessimistic())
    .bind(fields.cost_impact.map(Money::amount))
    .bind(fields.response.as_str())
    .bind(fields.trigger.as_str())
    .bind(fields.status.as_str())
    .bind(timestamp_text(meta.updated_at))
    .bind(meta.version)
    .bind(&id_text)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    delete_children(conn, &id_text).await?;
    write_children(conn, &id_text, &fields).await?;
    Ok(Risk { id, fields, meta })
}

pub async fn delete(conn: &mut SqliteConnection, id: RiskId, version: Option<i64>) -> DomainResult<()> {
    let id_text = id.to_string();
    records::current_meta(conn, Table::Risks, &id_text, version).await?;
    // The foreign keys cascade too; deleting explicitly keeps the behaviour visible here.
    delete_children(conn, &id_text).await?;
    records::delete(conn, Table::Risks, &id_text).await
}

/// How many risks name the work item as a hit.
pub async fn count_hitting(conn: &mut SqliteConnection, item: &str) -> DomainResult<i64> {
    let row = sqlx::query("SELECT COUNT(DISTINCT risk_id) AS n FROM risk_work_items WHERE work_item_id = ?")
        .bind(item)
        .fetch_one(&mut *conn)
        .await
        .map_err(storage)?;
    row.try_get::<i64, _>("n").map_err(storage)
}

pub async fn list(conn: &mut SqliteConnection, filter: &RiskFilter, page: &PageRequest) -> DomainResult<Page<Risk>> {
    let after = paging::after_id(page)?;
    let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM risks WHERE 1 = 1");
    if let Some(program) = filter.program {
        query.push(" AND program_id = ").push_bind(program.to_string());
    }
    if let Some(project) = filter.project {
        query.push(" AND project_id = ").push_bind(project.to_string());
    }
    if let Some(status) = filter.status {
        query.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(category) = filter.category {
        query.push(" AND category = ").push_bind(category.as_str());
    }
    if let Some(visible) = &filter.visible {
        visibility::programs(&mut query, "program_id", visible);
    }
    if let Some(after) = after {
        query.push(" AND id > ").push_bind(after);
    }
    query.push(" ORDER BY id LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(from_row).collect::<DomainResult<Vec<_>>>()?;
    let page_items = paging::page_of(items, page, |r| Cursor(r.id.to_string()));
    let next_cursor = page_items.next_cursor;
    let items = with_children(conn, page_items.items).await?;
    Ok(Page { items, next_cursor })
}
