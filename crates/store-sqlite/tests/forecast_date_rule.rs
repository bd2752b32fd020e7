//! Forecast lines saved before `date_rule` was kept (migration 0012) read back dated by node type.

use sqlx::{Connection, SqliteConnection};
use tandem_test_support::conformance;
use tandem_test_support::db::TestDb;

#[tokio::test]
async fn forecast_lines_without_a_rule_are_dated_by_node_type() {
    let db = TestDb::sqlite().await;
    let url = db.url.clone();
    conformance::forecast_lines_without_a_rule_are_dated_by_node_type(db.store.as_ref(), async || {
        let mut conn = SqliteConnection::connect(&url).await.expect("raw connection");
        sqlx::query("UPDATE forecast_lines SET date_rule = NULL").execute(&mut conn).await.expect("clear the rules");
    })
    .await;
}

#[tokio::test]
async fn a_line_names_one_of_the_two_rules() {
    let db = TestDb::sqlite().await;
    let forecast = conformance::milestone_after_work_forecast(db.store.as_ref(), false).await;
    db.store.save_program_forecast(&forecast).await.expect("save");
    let mut conn = SqliteConnection::connect(&db.url).await.expect("raw connection");
    let refused = sqlx::query("UPDATE forecast_lines SET date_rule = 'sometimes'").execute(&mut conn).await;
    assert!(refused.is_err(), "the CHECK constraint refuses another word");
}
