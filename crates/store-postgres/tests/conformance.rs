//! The Store conformance suite on PostgreSQL: every story on a fresh database of the server named
//! by `TANDEM_TEST_POSTGRES`; each test passes with a note on stderr when it is unset.

use tandem_test_support::conformance;
use tandem_test_support::db::{TestDb, note_postgres_skipped};

/// One test per story, each on its own database.
macro_rules! stories {
    ($($story:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $story() {
            let Some(db) = TestDb::postgres().await else {
                note_postgres_skipped();
                return;
            };
            conformance::$story(db.store.as_ref()).await;
        }
    )*};
}

stories!(
    migrations_are_idempotent,
    programs_round_trip,
    program_status_date_round_trips,
    every_record_round_trips,
    version_conflict_changes_nothing,
    unknown_ids_are_not_found,
    references_must_exist,
    pagination_walks_every_item_once,
    rank_order_and_appends,
    work_item_filters,
    milestone_filters,
    dependency_rules,
    dependency_filters,
    delete_refusals_name_the_reason,
    parent_cycles,
    team_capacity_rules,
    bulk_create_is_all_or_nothing,
    node_summaries_order,
    bulk_load_lists_quickly,
    concurrent_writes_keep_the_rules,
    program_schedules_save_and_latest,
    program_forecasts_save_and_latest,
    forecast_milestone_after_work_round_trips_with_its_date,
    forecast_input_versions_are_the_loaded_inputs,
    program_progress_sums_the_leaves,
    audit_trail_records_every_change,
    accounts_round_trip,
    grants_rules,
    visibility_limits_lists,
    risks_round_trip,
    risk_references_lie_in_the_program,
    risks_hold_their_program_project_and_work_items,
    risk_filters_and_visibility,
    // Product strategy: objectives and key results.
    objectives_round_trip,
    objective_rules,
    roadmap_entries_round_trip,
    // Product backlog: user stories, prioritization inputs, reordering and bulk edits.
    backlog_details_round_trip,
    backlog_moves_renumber_ranks,
    bulk_edits_are_all_or_nothing,
    // Feedback and research: segments and insights.
    evidence_round_trip,
    evidence_references_lie_in_the_product,
    // Experiments: A/B tests.
    experiments_round_trip,
    experiment_references_lie_in_the_product,
    // Product metrics.
    metrics_round_trip,
    metrics_references_lie_in_the_product,
);

/// 100,000 work items: run with `cargo test --release -p tandem-store-postgres -- --ignored`.
#[tokio::test]
#[ignore = "creates 100,000 rows"]
async fn hundred_thousand_items_page_and_count() {
    let Some(db) = TestDb::postgres().await else {
        note_postgres_skipped();
        return;
    };
    conformance::hundred_thousand_items_page_and_count(db.store.as_ref()).await;
}
