//! The `visible` part of list filters: limits a list to what one user may read (see
//! `tandem_domain::access`). Ids are bound as one UUID array per list (`= ANY($n)`), never spliced;
//! an empty array matches nothing.

use sqlx::{Postgres, QueryBuilder};
use tandem_domain::Visibility;
use uuid::Uuid;

fn program_ids(visible: &Visibility) -> Vec<Uuid> {
    visible.programs.iter().map(|id| id.as_uuid()).collect()
}

fn product_ids(visible: &Visibility) -> Vec<Uuid> {
    visible.products.iter().map(|id| id.as_uuid()).collect()
}

/// ` AND {column}` is a visible program.
pub fn programs(query: &mut QueryBuilder<Postgres>, column: &str, visible: &Visibility) {
    query.push(format!(" AND {column} = ANY(")).push_bind(program_ids(visible)).push(")");
}

/// ` AND {column}` is a visible product.
pub fn products(query: &mut QueryBuilder<Postgres>, column: &str, visible: &Visibility) {
    query.push(format!(" AND {column} = ANY(")).push_bind(product_ids(visible)).push(")");
}

/// A project column inside a visible program.
fn project_in_programs(query: &mut QueryBuilder<Postgres>, column: &str, visible: &Visibility) {
    query.push(format!("{column} IN (SELECT id FROM projects WHERE program_id = ANY("));
    query.push_bind(program_ids(visible)).push("))");
}

/// ` AND {project_column}` lies in a visible program.
pub fn projects(query: &mut QueryBuilder<Postgres>, project_column: &str, visible: &Visibility) {
    query.push(" AND ");
    project_in_programs(query, project_column, visible);
}

/// A work item (or a dependency end) visible through its project or its product.
fn item(query: &mut QueryBuilder<Postgres>, project_column: &str, product_column: &str, visible: &Visibility) {
    query.push("(");
    project_in_programs(query, project_column, visible);
    query.push(format!(" OR {product_column} = ANY(")).push_bind(product_ids(visible)).push("))");
}

/// ` AND` the work item is visible.
pub fn work_items(query: &mut QueryBuilder<Postgres>, visible: &Visibility) {
    query.push(" AND ");
    item(query, "project_id", "product_id", visible);
}

/// ` AND` both ends of a `dependency_ends` row are visible.
pub fn dependencies(query: &mut QueryBuilder<Postgres>, visible: &Visibility) {
    query.push(" AND ");
    item(query, "predecessor_project_id", "predecessor_product_id", visible);
    query.push(" AND ");
    item(query, "successor_project_id", "successor_product_id", visible);
}
