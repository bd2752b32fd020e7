//! Forecast lines saved before `date_rule` was kept (migration 0012) read back dated by node type.

use sqlx::{Connection, PgConnection};
use tandem_test_support::conformance;
use tandem_test_support::db::{TestDb, note_postgres_skipped};

#[tokio::test]
async fn forecast_lines_without_a_rule_are_dated_by_node_type() {
    let Some(db) = TestDb::postgres().await else {
        note_postgres_skipped();
        return;
    };
    let url = db.url.clone();
    conformance::forecast_lines_without_a_rule_are_dated_by_node_type(db.store.as_ref(), async || {
        let mut conn = PgConnection::connect(&url).await.expect("raw connection");
        sqlx::query("UPDATE forecast_lines SET date_rule = NULL").execute(&mut conn).await.expect("clear the rules");
    })
    .await;
}

#[tokio::test]
async fn a_line_names_one_of_the_two_rules() {
    let Some(db) = TestDb::postgres().await else {
        note_postgres_skipped();
        return;
    };
    let forecast = conformance::milestone_after_work_forecast(db.store.as_ref(), false).await;
    db.store.save_program_forecast(&forecast).await.expect("save");
    let mut conn = PgConnection::connect(&db.url).await.expect("raw connection");
    let refused = sqlx::query("UPDATE forecast_lines SET date_rule = 'sometimes'").execute(&mut conn).await;
    assert!(refused.is_err(), "the CHECK constraint refuses another word");
}
