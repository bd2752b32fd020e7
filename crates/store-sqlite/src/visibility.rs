//! The `visible` part of list filters: limits a list to what one user may read (see
//! `tandem_domain::access`). Ids are bound as parameters, never spliced.

use std::fmt::Display;

use sqlx::{QueryBuilder, Sqlite};
use tandem_domain::Visibility;

/// `(?, ?, ...)`, or `(NULL)` for no ids (which `IN` never matches).
fn push_ids<T: Display>(query: &mut QueryBuilder<Sqlite>, ids: &[T]) {
    if ids.is_empty() {
        query.push("(NULL)");
        return;
    }
    query.push("(");
    let mut separated = query.separated(", ");
    for id in ids {
        separated.push_bind(id.to_string());
    }
    query.push(")");
}

/// ` AND {column} IN (visible programs)`.
pub fn programs(query: &mut QueryBuilder<Sqlite>, column: &str, visible: &Visibility) {
    query.push(format!(" AND {column} IN "));
    push_ids(query, &visible.programs);
}

/// ` AND {column} IN (visible products)`.
pub fn products(query: &mut QueryBuilder<Sqlite>, column: &str, visible: &Visibility) {
    query.push(format!(" AND {column} IN "));
    push_ids(query, &visible.products);
}

/// A project column inside a visible program.
fn project_in_programs(query: &mut QueryBuilder<Sqlite>, column: &str, visible: &Visibility) {
    query.push(format!("{column} IN (SELECT id FROM projects WHERE program_id IN "));
    push_ids(query, &visible.programs);
    query.push(")");
}

/// ` AND {project_column} lies in a visible program`.
pub fn projects(query: &mut QueryBuilder<Sqlite>, project_column: &str, visible: &Visibility) {
    query.push(" AND ");
    project_in_programs(query, project_column, visible);
}

/// A work item (or a dependency end) visible through its project or its product.
fn item(query: &mut QueryBuilder<Sqlite>, project_column: &str, product_column: &str, visible: &Visibility) {
    query.push("(");
    project_in_programs(query, project_column, visible);
    query.push(format!(" OR {product_column} IN "));
    push_ids(query, &visible.products);
    query.push(")");
}

/// ` AND` the work item is visible.
pub fn work_items(query: &mut QueryBuilder<Sqlite>, visible: &Visibility) {
    query.push(" AND ");
    item(query, "project_id", "product_id", visible);
}

/// ` AND` both ends of a `dependency_ends` row are visible.
pub fn dependencies(query: &mut QueryBuilder<Sqlite>, visible: &Visibility) {
    query.push(" AND ");
    item(query, "predecessor_project_id", "predecessor_product_id", visible);
    query.push(" AND ");
    item(query, "successor_project_id", "successor_product_id", visible);
}
