//! Opens the store a database URL names: `sqlite://` (the embedded default) or `postgres://`.

use std::sync::Arc;

use anyhow::{Context, bail};
use tandem_domain::Store;
use tandem_store_postgres::PostgresStore;
use tandem_store_sqlite::SqliteStore;

use crate::config::DatabaseUrl;

/// Connects and runs pending migrations.
pub async fn open_store(url: &DatabaseUrl) -> anyhow::Result<Arc<dyn Store>> {
    let raw = url.expose();
    if raw.starts_with("sqlite:") {
        let store = SqliteStore::connect(raw).await.with_context(|| format!("cannot open SQLite database {url}"))?;
        Ok(Arc::new(store))
    } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
        let store =
            PostgresStore::connect(raw).await.with_context(|| format!("cannot connect to PostgreSQL at {url}"))?;
        Ok(Arc::new(store))
    } else {
        bail!("unsupported database URL {url}: use sqlite://PATH or postgres://USER@HOST/DB")
    }
}
