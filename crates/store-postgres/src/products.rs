//! Products: the `products` table.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use tandem_domain::record::now;
use tandem_domain::{
    Cursor, DomainError, DomainResult, EntityKind, Meta, Page, PageRequest, Product, ProductFields, ProductFilter,
    ProductId,
};

use crate::columns::{self, storage};
use crate::paging;
use crate::records::{self, Table};
use crate::visibility;

fn from_row(row: &PgRow) -> DomainResult<Product> {
    Ok(Product {
        id: columns::id(row, "id")?,
        fields: ProductFields {
            name: columns::name(row, "name")?,
            vision: columns::long_text(row, "vision")?,
            owner: columns::optional_name(row, "owner")?,
        },
        meta: columns::meta(row)?,
    })
}

pub async fn create(conn: &mut PgConnection, fields: ProductFields) -> DomainResult<Product> {
    let id = ProductId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO products (id, name, vision, owner, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.as_uuid())
    .bind(fields.name.as_str())
    .bind(fields.vision.as_str())
    .bind(fields.owner.as_ref().map(|o| o.as_str()))
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Product { id, fields, meta })
}

pub async fn get(conn: &mut PgConnection, id: ProductId) -> DomainResult<Product> {
    let row = sqlx::query("SELECT * FROM products WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Product, id)),
    }
}

pub async fn update(
    conn: &mut PgConnection,
    id: ProductId,
    version: i64,
    fields: ProductFields,
) -> DomainResult<Product> {
    let id_uuid = id.as_uuid();
    let stored = records::current_meta(conn, Table::Products, id_uuid, Some(version)).await?;
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE products SET name = $1, vision = $2, owner = $3, updated_at = $4, version = $5 \
         WHERE id = $6 AND version = $7",
    )
    .bind(fields.name.as_str())
    .bind(fields.vision.as_str())
    .bind(fields.owner.as_ref().map(|o| o.as_str()))
    .bind(meta.updated_at)
    .bind(meta.version)
    .bind(id_uuid)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Product { id, fields, meta })
}

/// The checks of a delete (version, what still refers to the record), before anything goes.
pub async fn check_delete(conn: &mut PgConnection, id: ProductId, version: Option<i64>) -> DomainResult<()> {
    let id_uuid = id.as_uuid();
    records::current_meta(conn, Table::Products, id_uuid, version).await?;
    let work_items = records::count_referencing(conn, Table::WorkItems, "product_id", id_uuid).await?;
    if work_items > 0 {
        let reason = format!("it still has {}", records::counted(work_items, "work item", "work items"));
        return Err(records::in_use(Table::Products, id_uuid, reason));
    }
    // Product strategy: objectives and key results.
    let objectives = crate::strategy::count_of_product(conn, id_uuid).await?;
    if objectives > 0 {
        let reason = format!("it still has {}", records::counted(objectives, "objective", "objectives"));
        return Err(records::in_use(Table::Products, id_uuid, reason));
    }
    // Feedback and research: its segments and insights.
    let segments = records::count_referencing(conn, Table::Segments, "product_id", id_uuid).await?;
    let insights = records::count_referencing(conn, Table::Insights, "product_id", id_uuid).await?;
    let parts: Vec<String> = [(segments, "segment", "segments"), (insights, "insight", "insights")]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| records::counted(n, one, many))
        .collect();
    if !parts.is_empty() {
        let reason = format!("it still has {}", records::and_list(&parts));
        return Err(records::in_use(Table::Products, id_uuid, reason));
    }
    // Experiments: A/B tests.
    let experiments = records::count_referencing(conn, Table::Experiments, "product_id", id_uuid).await?;
    if experiments > 0 {
        let reason = format!("it still has {}", records::counted(experiments, "experiment", "experiments"));
        return Err(records::in_use(Table::Products, id_uuid, reason));
    }
    // Product metrics: its points.
    let points = records::count_referencing(conn, Table::MetricPoints, "product_id", id_uuid).await?;
    if points > 0 {
        let reason = format!("it still has {}", records::counted(points, "metric point", "metric points"));
        return Err(records::in_use(Table::Products, id_uuid, reason));
    }
    Ok(())
}

/// Deletes the row; the caller ran [`check_delete`] in the same transaction first (and removed
/// what goes with the record, with its audit events).
pub async fn delete(conn: &mut PgConnection, id: ProductId) -> DomainResult<()> {
    records::delete(conn, Table::Products, id.as_uuid()).await
}

pub async fn list(conn: &mut PgConnection, filter: &ProductFilter, page: &PageRequest) -> DomainResult<Page<Product>> {
    let after = paging::after_id(page)?;
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM products WHERE 1 = 1");
    if let Some(visible) = &filter.visible {
        visibility::products(&mut query, "id", visible);
    }
    if let Some(after) = after {
        query.push(" AND id > ").push_bind(after);
    }
    query.push(" ORDER BY id LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(paging::page_of(items, page, |p| Cursor(p.id.to_string())))
}
