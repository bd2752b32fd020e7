//! Product strategy stories: objectives with key results and measurements, feature links, and
//! roadmap entries.

use tandem_domain::strategy::{
    KeyResultInput, Lane, Measurement, ObjectiveFields, ObjectiveFilter, ObjectiveInput, ObjectiveLink,
    ObjectiveStatus, PeriodInput, RoadmapEntryFields, RoadmapEntryInput,
};
use tandem_domain::{AuditAction, AuditFilter, DomainError, EntityKind, KeyResultId, ProductId, Store, WorkItemKind};

use super::{
    change, day, field_errors, in_use, not_found, one_error, product_fields, program_fields, project_fields, tester,
    whole_trail, work_item_fields,
};

pub fn key_result_input(
    id: Option<KeyResultId>,
    metric: &str,
    unit: &str,
    baseline: f64,
    target: f64,
) -> KeyResultInput {
    KeyResultInput { id, metric: metric.into(), unit: unit.into(), baseline, target }
}

/// An objective of `product` in `quarter` with `key_results`.
pub fn objective_fields(
    product: ProductId,
    title: &str,
    quarter: &str,
    key_results: Vec<KeyResultInput>,
) -> ObjectiveFields {
    ObjectiveFields::parse(ObjectiveInput {
        product_id: product,
        title: title.into(),
        description: "Why it matters".into(),
        period: PeriodInput::quarter(quarter),
        status: ObjectiveStatus::OnTrack,
        key_results,
    })
    .expect("valid objective")
}

async fn feature(store: &dyn Store, product: ProductId, title: &str, kind: WorkItemKind) -> tandem_domain::WorkItem {
    let mut fields = work_item_fields(None, Some(product), title);
    fields.kind = kind;
    store.create_work_item(tester(), fields, None).await.expect("feature")
}

fn measurement(date: chrono::NaiveDate, value: f64) -> Measurement {
    Measurement { date, value }
}

/// Objectives read back as written, with key results in order and measurements by date; a
/// measurement on a date already measured replaces it; an update keeps the measurements of the
/// key results it names and drops the others; lists order by period start; a delete takes the key
/// results and links with it.
pub async fn objectives_round_trip(store: &dyn Store) {
    let product = store.create_product(tester(), product_fields("Mobile app")).await.expect("product");
    let fields = objective_fields(
        product.id,
        "Win mid-size teams",
        "2026-Q2",
        vec![
            key_result_input(None, "Activation rate", "%", 30.0, 50.0),
            key_result_input(None, "Time to first value", "min", 45.0, 15.0),
        ],
    );
    let created = store.create_objective(tester(), fields.clone()).await.expect("create");
    assert_eq!(created.fields, fields);
    assert_eq!(created.meta.version, 1);
    assert_eq!(store.get_objective(created.id).await.expect("get"), created);
    let earlier = store
        .create_objective(tester(), objective_fields(product.id, "Earlier", "2026-Q1", Vec::new()))
        .await
        .expect("earlier");

    let activation = created.fields.key_results[0].id;
    let time = created.fields.key_results[1].id;
    store.record_measurement(tester(), created.id, activation, measurement(day(2026, 5, 31), 41.0)).await.expect("m1");
    store.record_measurement(tester(), created.id, activation, measurement(day(2026, 4, 30), 36.0)).await.expect("m2");
    // The same date again replaces the value.
    store.record_measurement(tester(), created.id, activation, measurement(day(2026, 5, 31), 42.0)).await.expect("m3");
    let measured =
        store.record_measurement(tester(), created.id, time, measurement(day(2026, 5, 31), 39.0)).await.expect("m4");
    assert_eq!(measured.meta.version, 1, "measurements do not change the objective's version");
    let krs = &measured.fields.key_results;
    assert_eq!(krs[0].measurements, vec![measurement(day(2026, 4, 30), 36.0), measurement(day(2026, 5, 31), 42.0)]);
    assert_eq!(krs[0].progress().map(|p| p.percent), Some(60.0));
    assert_eq!(krs[1].progress().map(|p| p.percent), Some(20.0));
    assert_eq!(measured.fields.progress(), Some(40.0));

    // Keep the first key result (renamed), drop the second, add a third.
    let update = objective_fields(
        product.id,
        "Win mid-size teams",
        "2026-Q2",
        vec![
            key_result_input(Some(activation), "Activation", "%", 30.0, 55.0),
            key_result_input(None, "Paying teams", "teams", 120.0, 200.0),
        ],
    );
    let updated = store.update_objective(tester(), created.id, 1, update).await.expect("update");
    assert_eq!(updated.meta.version, 2);
    let krs = &updated.fields.key_results;
    assert_eq!(krs.len(), 2);
    assert_eq!((krs[0].id, krs[0].metric.as_str(), krs[0].target), (activation, "Activation", 55.0));
    assert_eq!(krs[0].measurements.len(), 2, "a kept key result keeps its measurements");
    assert_eq!(krs[1].measurements, Vec::new());
    assert_eq!(store.get_objective(created.id).await.expect("get"), updated);

    let listed = store
        .list_objectives(&ObjectiveFilter { product: Some(product.id), ..ObjectiveFilter::default() })
        .await
        .expect("list");
    assert_eq!(listed.iter().map(|o| o.id).collect::<Vec<_>>(), vec![earlier.id, created.id]);

    let item = feature(store, product.id, "Guided setup", WorkItemKind::Feature).await;
    store.link_feature(tester(), created.id, item.id).await.expect("link");
    let serving = store
        .list_objectives(&ObjectiveFilter { work_item: Some(item.id), ..ObjectiveFilter::default() })
        .await
        .expect("serving");
    assert_eq!(serving.iter().map(|o| o.id).collect::<Vec<_>>(), vec![created.id]);

    let stale = store.delete_objective(tester(), created.id, Some(1)).await;
    assert!(matches!(stale, Err(DomainError::VersionConflict { expected: 1, actual: 2, .. })), "{stale:?}");
    store.delete_objective(tester(), created.id, Some(2)).await.expect("delete");
    assert_eq!(not_found(store.get_objective(created.id).await), (EntityKind::Objective, created.id.to_string()));
    assert_eq!(store.list_objective_links(product.id).await.expect("links"), Vec::new());
}

/// The rules: the product exists and stays; key result ids are the objective's own; measurements
/// name one of its key results; links name an epic or feature of the same product, are idempotent,
/// and go (audited) with the work item; a product with objectives is not deleted.
pub async fn objective_rules(store: &dyn Store) {
    let product = store.create_product(tester(), product_fields("Mobile app")).await.expect("product");
    let other = store.create_product(tester(), product_fields("Web app")).await.expect("other");
    let missing = ProductId::generate();
    let result = store.create_objective(tester(), objective_fields(missing, "Ghost", "2026-Q1", Vec::new())).await;
    assert_eq!(
        field_errors(result),
        one_error("product_id", "not_found", &format!("product {missing} does not exist"))
    );

    let first = store
        .create_objective(
            tester(),
            objective_fields(product.id, "First", "2026-Q1", vec![key_result_input(None, "NPS", "", 20.0, 40.0)]),
        )
        .await
        .expect("first");
    let taken = first.fields.key_results[0].id;
    let result = store
        .create_objective(
            tester(),
            objective_fields(product.id, "Second", "2026-Q1", vec![key_result_input(Some(taken), "NPS", "", 1.0, 2.0)]),
        )
        .await;
    assert_eq!(
        field_errors(result),
        one_error("key_results[0].id", "taken", &format!("key result {taken} is another objective's"))
    );
    let moved =
        store.update_objective(tester(), first.id, 1, objective_fields(other.id, "First", "2026-Q1", Vec::new())).await;
    assert_eq!(field_errors(moved), one_error("product_id", "immutable", "an objective stays with its product"));

    let unknown = KeyResultId::generate();
    let result = store.record_measurement(tester(), first.id, unknown, measurement(day(2026, 2, 1), 3.0)).await;
    assert_eq!(
        field_errors(result),
        one_error(
            "key_result_id",
            "not_found",
            &format!("key result {unknown} is not one of objective {}'s", first.id)
        )
    );

    let epic = feature(store, product.id, "Onboarding", WorkItemKind::Epic).await;
    let story = feature(store, product.id, "A story", WorkItemKind::Story).await;
    let elsewhere = feature(store, other.id, "Web export", WorkItemKind::Feature).await;
    let ghost = tandem_domain::WorkItemId::generate();
    assert_eq!(
        field_errors(store.link_feature(tester(), first.id, ghost).await),
        one_error("work_item_id", "not_found", &format!("work item {ghost} does not exist"))
    );
    assert_eq!(
        field_errors(store.link_feature(tester(), first.id, elsewhere.id).await),
        one_error(
            "work_item_id",
            "other_product",
            &format!("work item {} is not in product {}", elsewhere.id, product.id)
        )
    );
    assert_eq!(
        field_errors(store.link_feature(tester(), first.id, story.id).await),
        one_error("work_item_id", "not_a_feature", "must be an epic or a feature")
    );
    store.link_feature(tester(), first.id, epic.id).await.expect("link");
    store.link_feature(tester(), first.id, epic.id).await.expect("link again");
    assert_eq!(
        store.list_objective_links(product.id).await.expect("links"),
        vec![ObjectiveLink { objective_id: first.id, work_item_id: epic.id }]
    );

    let (entity, id, reason) = in_use(store.delete_product(tester(), product.id, None).await);
    assert_eq!((entity, id.as_str()), (EntityKind::Product, product.id.to_string().as_str()));
    assert_eq!(reason, "it still has 2 work items");

    store.delete_work_item(tester(), epic.id, None).await.expect("delete epic");
    assert_eq!(store.list_objective_links(product.id).await.expect("links"), Vec::new());
    let trail = whole_trail(
        store,
        &AuditFilter {
            entity: Some(EntityKind::Objective),
            record_id: Some(first.id.to_string()),
            ..AuditFilter::default()
        },
    )
    .await;
    let changes: Vec<_> = trail.iter().map(|e| (e.action, e.changes.clone())).collect();
    assert_eq!(
        changes,
        vec![
            (AuditAction::Updated, vec![change("feature", Some(&epic.id.to_string()), None)]),
            (AuditAction::Updated, vec![change("feature", None, Some(&epic.id.to_string()))]),
            (
                AuditAction::Created,
                vec![
                    change("product_id", None, Some(&product.id.to_string())),
                    change("title", None, Some("First")),
                    change("description", None, Some("Why it matters")),
                    change("start", None, Some("2026-01-01")),
                    change("end", None, Some("2026-03-31")),
                    change("status", None, Some("on_track")),
                    change("key_results", None, Some("NPS: 20 -> 40")),
                ]
            ),
        ]
    );

    // Without work items the objectives still hold the product.
    store.delete_work_item(tester(), story.id, None).await.expect("delete story");
    let leftover = store
        .list_work_items(
            &tandem_domain::WorkItemFilter { product: Some(product.id), ..Default::default() },
            &tandem_domain::PageRequest::default(),
        )
        .await
        .expect("items");
    assert_eq!(leftover.items, Vec::new());
    let (_, _, reason) = in_use(store.delete_product(tester(), product.id, None).await);
    assert_eq!(reason, "it still has 1 objective");
}

/// A roadmap entry is created, then replaced (version + 1, audited); a stale version changes
/// nothing; only epics and features of a product have one; the product lists its entries.
pub async fn roadmap_entries_round_trip(store: &dyn Store) {
    let product = store.create_product(tester(), product_fields("Mobile app")).await.expect("product");
    let item = feature(store, product.id, "Offline mode", WorkItemKind::Feature).await;
    let fields = RoadmapEntryFields::parse(RoadmapEntryInput {
        lane: Some("next".into()),
        planned_start: Some(day(2026, 4, 6)),
        planned_finish: Some(day(2026, 5, 29)),
    })
    .expect("valid entry");
    let created = store.put_roadmap_entry(tester(), item.id, None, fields.clone()).await.expect("create");
    assert_eq!((created.id, created.fields.clone(), created.meta.version), (item.id, fields, 1));
    let later = RoadmapEntryFields { lane: Some(Lane::Later), planned: None };
    let stale = store.put_roadmap_entry(tester(), item.id, Some(3), later.clone()).await;
    assert!(matches!(stale, Err(DomainError::VersionConflict { expected: 3, actual: 1, .. })), "{stale:?}");
    let updated = store.put_roadmap_entry(tester(), item.id, Some(1), later.clone()).await.expect("update");
    assert_eq!((updated.fields.clone(), updated.meta.version), (later, 2));
    assert_eq!(store.list_roadmap_entries(product.id).await.expect("list"), vec![updated.clone()]);

    let story = feature(store, product.id, "A story", WorkItemKind::Story).await;
    assert_eq!(
        field_errors(
            store.put_roadmap_entry(tester(), story.id, None, RoadmapEntryFields { lane: None, planned: None }).await
        ),
        one_error("work_item_id", "not_a_feature", "must be an epic or a feature")
    );
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Delivery")).await.expect("project");
    let mut fields = work_item_fields(Some(project.id), None, "Project feature");
    fields.kind = WorkItemKind::Feature;
    let delivery = store.create_work_item(tester(), fields, None).await.expect("delivery item");
    assert_eq!(
        field_errors(
            store
                .put_roadmap_entry(tester(), delivery.id, None, RoadmapEntryFields { lane: None, planned: None })
                .await
        ),
        one_error("work_item_id", "no_product", "must be in a product to be on its roadmap")
    );

    let trail = whole_trail(
        store,
        &AuditFilter {
            entity: Some(EntityKind::RoadmapEntry),
            record_id: Some(item.id.to_string()),
            ..AuditFilter::default()
        },
    )
    .await;
    let changes: Vec<_> = trail.iter().map(|e| (e.action, e.changes.clone())).collect();
    assert_eq!(
        changes,
        vec![
            (
                AuditAction::Updated,
                vec![
                    change("lane", Some("next"), Some("later")),
                    change("planned_start", Some("2026-04-06"), None),
                    change("planned_finish", Some("2026-05-29"), None),
                ]
            ),
            (
                AuditAction::Created,
                vec![
                    change("lane", None, Some("next")),
                    change("planned_start", None, Some("2026-04-06")),
                    change("planned_finish", None, Some("2026-05-29")),
                ]
            ),
        ]
    );
    // Deleting the item deletes its entry, audited.
    store.delete_work_item(tester(), item.id, None).await.expect("delete");
    assert_eq!(store.list_roadmap_entries(product.id).await.expect("list"), Vec::new());
    let trail = whole_trail(
        store,
        &AuditFilter {
            entity: Some(EntityKind::RoadmapEntry),
            action: Some(AuditAction::Deleted),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(trail.len(), 1);
}
