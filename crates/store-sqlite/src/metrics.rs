//! Product metrics: `metric_points`, one row per product, feature (`feature_key`, '' for the
//! product's own series), kind and date.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use tandem_domain::metrics::{FeatureScope, MetricFilter, MetricKind, MetricPoint, MetricPointFields};
use tandem_domain::record::now;
use tandem_domain::{DomainError, DomainResult, EntityKind, Meta, MetricPointId, ValidationErrors};

use crate::columns::{self, date_text, storage, timestamp_text};
use crate::records::{self, Table};

fn point_from_row(row: &SqliteRow) -> DomainResult<MetricPoint> {
    Ok(MetricPoint {
        id: columns::id(row, "id")?,
        fields: MetricPointFields {
            product_id: columns::id(row, "product_id")?,
            feature_id: columns::optional_id(row, "feature_id")?,
            kind: columns::parsed("kind", MetricKind::parse("kind", &columns::text(row, "kind")?))?,
            date: columns::date(row, "date")?,
            value: columns::real(row, "value")?,
        },
        meta: columns::meta(row)?,
    })
}

fn feature_key(fields: &MetricPointFields) -> String {
    fields.feature_id.map(|id| id.to_string()).unwrap_or_default()
}

/// Checks the product exists and the feature is one of its work items; fields start with
/// `prefix` (`rows[3].` in a batch).
async fn check_references(
    conn: &mut SqliteConnection,
    errors: &mut ValidationErrors,
    prefix: &str,
    fields: &MetricPointFields,
) -> DomainResult<()> {
    let product = fields.product_id.to_string();
    if !records::exists(conn, Table::Products, &product).await? {
        errors.add(format!("{prefix}product_id"), "not_found", format!("product {product} does not exist"));
        return Ok(());
    }
    if let Some(item) = fields.feature_id {
        let row = sqlx::query("SELECT product_id FROM work_items WHERE id = ?")
            .bind(item.to_string())
            .fetch_optional(&mut *conn)
            .await
            .map_err(storage)?;
        let field = format!("{prefix}feature_id");
        match row {
            None => errors.add(field, "not_found", format!("work item {item} does not exist")),
            Some(row) => {
                let owner: Option<String> = row.try_get("product_id").map_err(storage)?;
                if owner.as_deref() != Some(product.as_str()) {
                    errors.add(field, "other_product", format!("work item {item} is not in product {product}"));
                }
            }
        }
    }
    Ok(())
}

async fn find_by_key(conn: &mut SqliteConnection, fields: &MetricPointFields) -> DomainResult<Option<MetricPoint>> {
    let row =
        sqlx::query("SELECT * FROM metric_points WHERE product_id = ? AND kind = ? AND feature_key = ? AND date = ?")
            .bind(fields.product_id.to_string())
            .bind(fields.kind.as_str())
            .bind(feature_key(fields))
            .bind(date_text(fields.date))
            .fetch_optional(&mut *conn)
            .await
            .map_err(storage)?;
    row.as_ref().map(point_from_row).transpose()
}

/// Inserts the point or replaces the value of the one with its key; returns the replaced point
/// (for the audit trail) and the stored one.
async fn upsert(
    conn: &mut SqliteConnection,
    fields: MetricPointFields,
) -> DomainResult<(Option<MetricPoint>, MetricPoint)> {
    if let Some(before) = find_by_key(conn, &fields).await? {
        let meta = records::next_meta(&before.meta);
        sqlx::query("UPDATE metric_points SET value = ?, updated_at = ?, version = ? WHERE id = ?")
            .bind(fields.value)
            .bind(timestamp_text(meta.updated_at))
            .bind(meta.version)
            .bind(before.id.to_string())
            .execute(&mut *conn)
            .await
            .map_err(storage)?;
        let after = MetricPoint { id: before.id, fields, meta };
        return Ok((Some(before), after));
    }
    let id = MetricPointId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO metric_points (id, product_id, feature_id, feature_key, kind, date, value, created_at, \
         updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(fields.product_id.to_string())
    .bind(fields.feature_id.map(|f| f.to_string()))
    .bind(feature_key(&fields))
    .bind(fields.kind.as_str())
    .bind(date_text(fields.date))
    .bind(fields.value)
    .bind(timestamp_text(meta.created_at))
    .bind(timestamp_text(meta.updated_at))
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok((None, MetricPoint { id, fields, meta }))
}

pub async fn record(
    conn: &mut SqliteConnection,
    fields: MetricPointFields,
) -> DomainResult<(Option<MetricPoint>, MetricPoint)> {
    let mut errors = ValidationErrors::new();
    check_references(conn, &mut errors, "", &fields).await?;
    errors.into_result()?;
    upsert(conn, fields).await
}

/// Checks every row first (errors on `rows[N].`, N from 1), then records them all; a later row
/// with the key of an earlier one replaces it.
pub async fn record_all(
    conn: &mut SqliteConnection,
    rows: Vec<MetricPointFields>,
) -> DomainResult<Vec<(Option<MetricPoint>, MetricPoint)>> {
    let mut errors = ValidationErrors::new();
    for (i, fields) in rows.iter().enumerate() {
        check_references(conn, &mut errors, &format!("rows[{}].", i + 1), fields).await?;
    }
    errors.into_result()?;
    let mut recorded = Vec::with_capacity(rows.len());
    for fields in rows {
        recorded.push(upsert(conn, fields).await?);
    }
    Ok(recorded)
}

pub async fn get(conn: &mut SqliteConnection, id: MetricPointId) -> DomainResult<MetricPoint> {
    let row = sqlx::query("SELECT * FROM metric_points WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => point_from_row(&row),
        None => Err(DomainError::not_found(EntityKind::MetricPoint, id)),
    }
}

pub async fn delete(conn: &mut SqliteConnection, id: MetricPointId, version: Option<i64>) -> DomainResult<()> {
    let id_text = id.to_string();
    records::current_meta(conn, Table::MetricPoints, &id_text, version).await?;
    records::delete(conn, Table::MetricPoints, &id_text).await
}

pub async fn list(conn: &mut SqliteConnection, filter: &MetricFilter) -> DomainResult<Vec<MetricPoint>> {
    let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM metric_points WHERE product_id = ");
    query.push_bind(filter.product.to_string());
    if let Some(kind) = filter.kind {
        query.push(" AND kind = ").push_bind(kind.as_str());
    }
    match filter.feature {
        FeatureScope::All => {}
        FeatureScope::ProductOnly => {
            query.push(" AND feature_key = ''");
        }
        FeatureScope::Feature(item) => {
            query.push(" AND feature_key = ").push_bind(item.to_string());
        }
    }
    if let Some(from) = filter.from {
        query.push(" AND date >= ").push_bind(date_text(from));
    }
    if let Some(to) = filter.to {
        query.push(" AND date <= ").push_bind(date_text(to));
    }
    query.push(
        " ORDER BY CASE kind WHEN 'adoption' THEN 0 WHEN 'retention' THEN 1 WHEN 'revenue' THEN 2 ELSE 3 END, \
         feature_key, date",
    );
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    rows.iter().map(point_from_row).collect()
}
