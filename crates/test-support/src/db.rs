//! Fresh databases for tests: a new SQLite file in a temporary directory, and, when
//! `TANDEM_TEST_POSTGRES` holds a server URL, a new PostgreSQL database on that server. Every call
//! gets its own database, so tests run in parallel without seeing each other's rows.

use std::sync::{Arc, Once};

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use tandem_domain::Store;
use tandem_store_postgres::PostgresStore;
use tandem_store_sqlite::SqliteStore;
use tempfile::TempDir;

/// The environment variable naming the PostgreSQL server tests may create databases on, as a
/// URL of a database the user can connect to (e.g. `postgres://postgres@127.0.0.1:5432/postgres`).
pub const POSTGRES_ENV: &str = "TANDEM_TEST_POSTGRES";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A store on a database no other test uses. Keep it alive for the whole test: dropping it
/// removes the database (the SQLite file's directory, or the PostgreSQL database).
#[derive(Debug)]
pub struct TestDb {
    pub store: Arc<dyn Store>,
    /// The URL the store was opened with (pass it to a server or the CLI under test).
    pub url: String,
    pub backend: Backend,
    /// Declared after `store` so the store goes first.
    _cleanup: Cleanup,
}

/// What a [`TestDb`] removes when it goes away, a panicking test included.
#[derive(Debug)]
enum Cleanup {
    /// The temporary directory holding the SQLite file (removed with it).
    Directory(#[allow(dead_code)] TempDir),
    /// A PostgreSQL database to drop through the admin URL.
    PostgresDatabase { admin_url: String, name: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Cleanup::PostgresDatabase { admin_url, name } = self else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread with its own
        // runtime can. Failures are ignored: a leftover database only costs disk space.
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            runtime.block_on(async {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = dropper.join();
    }
}

impl TestDb {
    /// A fresh SQLite database file in a new temporary directory.
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("create a temporary directory for the test database");
        let url = format!("sqlite://{}", dir.path().join("tandem.db").display());
        let store = SqliteStore::connect(&url).await.expect("open the test SQLite database");
        TestDb { store: Arc::new(store), url, backend: Backend::Sqlite, _cleanup: Cleanup::Directory(dir) }
    }

    /// A fresh database `tandem_test_<uuid>` on the server named by `TANDEM_TEST_POSTGRES`, or
    /// `None` when the variable is unset.
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = std::env::var(POSTGRES_ENV).ok().filter(|u| !u.trim().is_empty())?;
        let name = format!("tandem_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&admin_url).await.expect("connect to TANDEM_TEST_POSTGRES");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create the test PostgreSQL database");
        admin.close().await.expect("close the admin connection");
        let url = with_database(&admin_url, &name);
        let cleanup = Cleanup::PostgresDatabase { admin_url, name };
        let store = PostgresStore::connect(&url).await.expect("open the test PostgreSQL database");
        Some(TestDb { store: Arc::new(store), url, backend: Backend::Postgres, _cleanup: cleanup })
    }

    /// SQLite always, plus PostgreSQL when configured (noting once on stderr when it is not).
    pub async fn all() -> Vec<TestDb> {
        let mut dbs = vec![TestDb::sqlite().await];
        match TestDb::postgres().await {
            Some(db) => dbs.push(db),
            None => note_postgres_skipped(),
        }
        dbs
    }
}

/// Prints, once per test binary, that the PostgreSQL variants did not run.
pub fn note_postgres_skipped() {
    static NOTE: Once = Once::new();
    NOTE.call_once(|| eprintln!("PostgreSQL tests skipped: {POSTGRES_ENV} is not set"));
}

/// `url` with its database name replaced by `database` (query parameters kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{database}?{query}"),
        None => format!("{server}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "t1"), "postgres://u@h:5432/t1");
        assert_eq!(with_database("postgres://u@h:5432", "t1"), "postgres://u@h:5432/t1");
        assert_eq!(with_database("postgres://u@h/db?sslmode=disable", "t1"), "postgres://u@h/t1?sslmode=disable");
    }
}
