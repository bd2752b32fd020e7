//! Feedback and research: `segments`, `insights` and the features each insight supports
//! (`insight_features`, in the order given, replaced whole on update).

use std::collections::HashMap;

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use tandem_domain::evidence::{
    Importance, Insight, InsightFields, InsightFilter, InsightSource, Segment, SegmentFields, SegmentWeight,
};
use tandem_domain::record::now;
use tandem_domain::{
    DomainError, DomainResult, EntityKind, InsightId, Meta, ProductId, SegmentId, ValidationErrors, WorkItemId,
};
use uuid::Uuid;

use crate::columns::{self, storage};
use crate::records::{self, Table};

// ----- segments -----

fn segment_from_row(row: &PgRow) -> DomainResult<Segment> {
    Ok(Segment {
        id: columns::id(row, "id")?,
        fields: SegmentFields {
            product_id: columns::id(row, "product_id")?,
            name: columns::name(row, "name")?,
            description: columns::long_text(row, "description")?,
            weight: columns::parsed("weight", SegmentWeight::parse("weight", columns::real(row, "weight")?))?,
        },
        meta: columns::meta(row)?,
    })
}

/// A unique-index refusal on a product's segment names as the domain's `taken`.
fn name_taken(error: sqlx::Error) -> DomainError {
    match &error {
        sqlx::Error::Database(e) if e.is_unique_violation() => {
            DomainError::invalid("name", "taken", "the product already has a segment of that name")
        }
        _ => storage(error),
    }
}

pub async fn create_segment(conn: &mut PgConnection, fields: SegmentFields) -> DomainResult<Segment> {
    let mut errors = ValidationErrors::new();
    records::check_reference(conn, &mut errors, Table::Products, "product_id", fields.product_id.as_uuid()).await?;
    errors.into_result()?;
    let id = SegmentId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO segments (id, product_id, name, name_key, description, weight, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.as_uuid())
    .bind(fields.product_id.as_uuid())
    .bind(fields.name.as_str())
    .bind(fields.name.as_str().to_lowercase())
    .bind(fields.description.as_str())
    .bind(fields.weight.get())
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(name_taken)?;
    Ok(Segment { id, fields, meta })
}

pub async fn get_segment(conn: &mut PgConnection, id: SegmentId) -> DomainResult<Segment> {
    let row = sqlx::query("SELECT * FROM segments WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => segment_from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Segment, id)),
    }
}

fn immutable_product() -> DomainError {
    DomainError::invalid("product_id", "immutable", "cannot change: a record stays with its product")
}

pub async fn update_segment(
    conn: &mut PgConnection,
    before: &Segment,
    version: i64,
    fields: SegmentFields,
) -> DomainResult<Segment> {
    let id_uuid = before.id.as_uuid();
    let stored = records::current_meta(conn, Table::Segments, id_uuid, Some(version)).await?;
    if fields.product_id != before.fields.product_id {
        return Err(immutable_product());
    }
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE segments SET name = $1, name_key = $2, description = $3, weight = $4, updated_at = $5, version = $6 \
         WHERE id = $7 AND version = $8",
    )
    .bind(fields.name.as_str())
    .bind(fields.name.as_str().to_lowercase())
    .bind(fields.description.as_str())
    .bind(fields.weight.get())
    .bind(meta.updated_at)
    .bind(meta.version)
    .bind(id_uuid)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(name_taken)?;
    Ok(Segment { id: before.id, fields, meta })
}

pub async fn delete_segment(conn: &mut PgConnection, id: SegmentId, version: Option<i64>) -> DomainResult<()> {
    let id_uuid = id.as_uuid();
    records::current_meta(conn, Table::Segments, id_uuid, version).await?;
    let insights = records::count_referencing(conn, Table::Insights, "segment_id", id_uuid).await?;
    if insights > 0 {
        let reason =
            if insights == 1 { "1 insight names it".to_owned() } else { format!("{insights} insights name it") };
        return Err(records::in_use(Table::Segments, id_uuid, reason));
    }
    records::delete(conn, Table::Segments, id_uuid).await
}

pub async fn list_segments(conn: &mut PgConnection, product: ProductId) -> DomainResult<Vec<Segment>> {
    let rows = sqlx::query("SELECT * FROM segments WHERE product_id = $1 ORDER BY name_key, id")
        .bind(product.as_uuid())
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?;
    rows.iter().map(segment_from_row).collect()
}

// ----- insights -----

fn insight_from_row(row: &PgRow) -> DomainResult<Insight> {
    Ok(Insight {
        id: columns::id(row, "id")?,
        fields: InsightFields {
            product_id: columns::id(row, "product_id")?,
            source: columns::parsed("source", InsightSource::parse("source", &columns::text(row, "source")?))?,
            source_reference: columns::long_text(row, "source_reference")?,
            customer: columns::name(row, "customer")?,
            segment_id: columns::optional_id(row, "segment_id")?,
            date: columns::date(row, "date")?,
            quote: columns::long_text(row, "quote")?,
            importance: columns::parsed(
                "importance",
                Importance::parse("importance", &columns::text(row, "importance")?),
            )?,
            feature_ids: Vec::new(),
        },
        meta: columns::meta(row)?,
    })
}

/// Fills in the features of `insights` (one query for the lot).
async fn with_features(conn: &mut PgConnection, mut insights: Vec<Insight>) -> DomainResult<Vec<Insight>> {
    if insights.is_empty() {
        return Ok(insights);
    }
    let position: HashMap<Uuid, usize> = insights.iter().enumerate().map(|(i, r)| (r.id.as_uuid(), i)).collect();
    let ids: Vec<Uuid> = insights.iter().map(|i| i.id.as_uuid()).collect();
    let rows = sqlx::query(
        "SELECT insight_id, work_item_id FROM insight_features WHERE insight_id = ANY($1) ORDER BY insight_id, position",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(storage)?;
    for row in &rows {
        let insight: Uuid = row.try_get("insight_id").map_err(storage)?;
        let item: WorkItemId = columns::id(row, "work_item_id")?;
        if let Some(&i) = position.get(&insight) {
            insights[i].fields.feature_ids.push(item);
        }
    }
    Ok(insights)
}

/// Checks the segment and the features belong to the insight's product; fields start with
/// `prefix` (`rows[3].` in an import).
async fn check_insight_references(
    conn: &mut PgConnection,
    errors: &mut ValidationErrors,
    prefix: &str,
    fields: &InsightFields,
) -> DomainResult<()> {
    let product = fields.product_id.as_uuid();
    if !records::exists(conn, Table::Products, product).await? {
        errors.add(format!("{prefix}product_id"), "not_found", format!("product {product} does not exist"));
        return Ok(());
    }
    if let Some(segment) = fields.segment_id {
        let row = sqlx::query("SELECT product_id FROM segments WHERE id = $1")
            .bind(segment.as_uuid())
            .fetch_optional(&mut *conn)
            .await
            .map_err(storage)?;
        let field = format!("{prefix}segment_id");
        match row {
            None => errors.add(field, "not_found", format!("segment {segment} does not exist")),
            Some(row) if row.try_get::<Uuid, _>("product_id").map_err(storage)? != product => {
                errors.add(field, "other_product", format!("segment {segment} is not a segment of product {product}"))
            }
            Some(_) => {}
        }
    }
    for (i, item) in fields.feature_ids.iter().enumerate() {
        let row = sqlx::query("SELECT product_id FROM work_items WHERE id = $1")
            .bind(item.as_uuid())
            .fetch_optional(&mut *conn)
            .await
            .map_err(storage)?;
        let field = format!("{prefix}feature_ids[{i}]");
        match row {
            None => errors.add(field, "not_found", format!("work item {item} does not exist")),
            Some(row) => {
                let owner: Option<Uuid> = row.try_get("product_id").map_err(storage)?;
                if owner != Some(product) {
                    errors.add(field, "other_product", format!("work item {item} is not in product {product}"));
                }
            }
        }
    }
    Ok(())
}

async fn write_features(conn: &mut PgConnection, id: Uuid, fields: &InsightFields) -> DomainResult<()> {
    for (position, item) in fields.feature_ids.iter().enumerate() {
        sqlx::query("INSERT INTO insight_features (insight_id, position, work_item_id) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(item.as_uuid())
            .execute(&mut *conn)
            .await
            .map_err(storage)?;
    }
    Ok(())
}

async fn insert_insight(conn: &mut PgConnection, fields: InsightFields) -> DomainResult<Insight> {
    let id = InsightId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO insights (id, product_id, source, source_reference, customer, segment_id, date, quote, \
         importance, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id.as_uuid())
    .bind(fields.product_id.as_uuid())
    .bind(fields.source.as_str())
    .bind(fields.source_reference.as_str())
    .bind(fields.customer.as_str())
    .bind(fields.segment_id.map(|s| s.as_uuid()))
    .bind(fields.date)
    .bind(fields.quote.as_str())
    .bind(fields.importance.as_str())
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    write_features(conn, id.as_uuid(), &fields).await?;
    Ok(Insight { id, fields, meta })
}

pub async fn create_insight(conn: &mut PgConnection, fields: InsightFields) -> DomainResult<Insight> {
    let mut errors = ValidationErrors::new();
    check_insight_references(conn, &mut errors, "", &fields).await?;
    errors.into_result()?;
    insert_insight(conn, fields).await
}

/// Checks every row first (errors on `rows[N].`, N from 1), then inserts them all.
pub async fn create_insights(conn: &mut PgConnection, rows: Vec<InsightFields>) -> DomainResult<Vec<Insight>> {
    let mut errors = ValidationErrors::new();
    for (i, fields) in rows.iter().enumerate() {
        check_insight_references(conn, &mut errors, &format!("rows[{}].", i + 1), fields).await?;
    }
    errors.into_result()?;
    let mut created = Vec::with_capacity(rows.len());
    for fields in rows {
        created.push(insert_insight(conn, fields).await?);
    }
    Ok(created)
}

pub async fn get_insight(conn: &mut PgConnection, id: InsightId) -> DomainResult<Insight> {
    let row = sqlx::query("SELECT * FROM insights WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => {
            let insight = insight_from_row(&row)?;
            let mut read = with_features(conn, vec![insight]).await?;
            read.pop().ok_or_else(|| DomainError::not_found(EntityKind::Insight, id))
        }
        None => Err(DomainError::not_found(EntityKind::Insight, id)),
    }
}

pub async fn update_insight(
    conn: &mut PgConnection,
    before: &Insight,
    version: i64,
    fields: InsightFields,
) -> DomainResult<Insight> {
    let id_uuid = before.id.as_uuid();
    let stored = records::current_meta(conn, Table::Insights, id_uuid, Some(version)).await?;
    if fields.product_id != before.fields.product_id {
        return Err(immutable_product());
    }
    let mut errors = ValidationErrors::new();
    check_insight_references(conn, &mut errors, "", &fields).await?;
    errors.into_result()?;
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE insights SET source = $1, source_reference = $2, customer = $3, segment_id = $4, date = $5, quote = $6, \
         importance = $7, updated_at = $8, version = $9 WHERE id = $10 AND version = $11",
    )
    .bind(fields.source.as_str())
    .bind(fields.source_reference.as_str())
    .bind(fields.customer.as_str())
    .bind(fields.segment_id.map(|s| s.as_uuid()))
    .bind(fields.date)
    .bind(fields.quote.as_str())
    .bind(fields.importance.as_str())
    .bind(meta.updated_at)
    .bind(meta.version)
    .bind(id_uuid)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    sqlx::query("DELETE FROM insight_features WHERE insight_id = $1")
        .bind(id_uuid)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    write_features(conn, id_uuid, &fields).await?;
    Ok(Insight { id: before.id, fields, meta })
}

pub async fn delete_insight(conn: &mut PgConnection, id: InsightId, version: Option<i64>) -> DomainResult<()> {
    let id_uuid = id.as_uuid();
    records::current_meta(conn, Table::Insights, id_uuid, version).await?;
    // The foreign key cascades too; deleting explicitly keeps the behaviour visible here.
    sqlx::query("DELETE FROM insight_features WHERE insight_id = $1")
        .bind(id_uuid)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    records::delete(conn, Table::Insights, id_uuid).await
}

pub async fn list_insights(conn: &mut PgConnection, filter: &InsightFilter) -> DomainResult<Vec<Insight>> {
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM insights WHERE product_id = ");
    query.push_bind(filter.product.as_uuid());
    if let Some(feature) = filter.feature {
        query
            .push(" AND id IN (SELECT insight_id FROM insight_features WHERE work_item_id = ")
            .push_bind(feature.as_uuid())
            .push(")");
    }
    if filter.unlinked {
        query.push(" AND NOT EXISTS (SELECT 1 FROM insight_features WHERE insight_id = insights.id)");
    }
    query.push(" ORDER BY date DESC, id DESC");
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let insights = rows.iter().map(insight_from_row).collect::<DomainResult<Vec<_>>>()?;
    with_features(conn, insights).await
}

/// How many insights support the work item.
pub async fn count_supporting(conn: &mut PgConnection, item: Uuid) -> DomainResult<i64> {
    let row = sqlx::query("SELECT COUNT(DISTINCT insight_id) AS n FROM insight_features WHERE work_item_id = $1")
        .bind(item)
        .fetch_one(&mut *conn)
        .await
        .map_err(storage)?;
    row.try_get::<i64, _>("n").map_err(storage)
}
