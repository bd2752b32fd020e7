//! Opening databases: only PostgreSQL URLs, and reconnecting applies no migration twice.

use tandem_domain::{DomainError, PageRequest, ProgramFilter, Store};
use tandem_store_postgres::PostgresStore;
use tandem_test_support::conformance::program_fields;
use tandem_test_support::db::{TestDb, note_postgres_skipped};

#[tokio::test]
async fn a_url_of_another_kind_is_refused() {
    let error = PostgresStore::connect("sqlite://tandem.db").await.expect_err("not postgres");
    assert!(matches!(error, DomainError::Storage(_)), "{error:?}");
    assert_eq!(error.to_string(), "storage failure");
}

#[tokio::test]
async fn reconnecting_keeps_the_data_and_applies_nothing_new() {
    let Some(db) = TestDb::postgres().await else {
        note_postgres_skipped();
        return;
    };
    let program = db
        .store
        .create_program(tandem_test_support::conformance::tester(), program_fields("Kept"))
        .await
        .expect("create");
    let again = PostgresStore::connect(&db.url).await.expect("reconnect");
    assert_eq!(again.backend_name(), "postgres");
    assert_eq!(again.migrate().await.expect("migrate"), 0);
    let page = again.list_programs(&ProgramFilter::default(), &PageRequest::default()).await.expect("list");
    assert_eq!(page.items, vec![program]);
}
