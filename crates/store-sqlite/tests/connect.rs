//! Opening databases: both URL forms, file creation, WAL, and reopening keeps the data.

use sqlx::{Connection, Row, SqliteConnection};
use tandem_domain::{DomainError, PageRequest, ProgramFilter, Store};
use tandem_store_sqlite::SqliteStore;
use tandem_test_support::conformance::program_fields;

#[tokio::test]
async fn both_url_forms_create_the_file_in_wal_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    for url in [
        format!("sqlite://{}", dir.path().join("slashes.db").display()),
        format!("sqlite:{}", dir.path().join("plain.db").display()),
    ] {
        let store = SqliteStore::connect(&url).await.expect("connect");
        assert_eq!(store.backend_name(), "sqlite");
        let mut conn = SqliteConnection::connect(&url).await.expect("raw connection");
        let mode = sqlx::query("PRAGMA journal_mode").fetch_one(&mut conn).await.expect("pragma");
        assert_eq!(mode.try_get::<String, _>(0).expect("mode"), "wal");
        let tables = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'work_items'")
            .fetch_all(&mut conn)
            .await
            .expect("tables");
        assert_eq!(tables.len(), 1);
    }
    assert!(dir.path().join("slashes.db").exists());
    assert!(dir.path().join("plain.db").exists());
}

#[tokio::test]
async fn reopening_keeps_the_data_and_applies_nothing_new() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("tandem.db").display());
    let program = {
        let store = SqliteStore::connect(&url).await.expect("connect");
        store.create_program(tandem_test_support::conformance::tester(), program_fields("Kept")).await.expect("create")
    };
    let store = SqliteStore::connect(&url).await.expect("reconnect");
    assert_eq!(store.migrate().await.expect("migrate"), 0);
    let page = store.list_programs(&ProgramFilter::default(), &PageRequest::default()).await.expect("list");
    assert_eq!(page.items, vec![program]);
}

#[tokio::test]
async fn a_url_of_another_kind_is_refused() {
    let error = SqliteStore::connect("postgres://localhost/tandem").await.expect_err("not sqlite");
    assert!(matches!(error, DomainError::Storage(_)), "{error:?}");
    assert_eq!(error.to_string(), "storage failure");
}
