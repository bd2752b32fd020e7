//! The Store conformance suite: one story per rule of [`tandem_domain::store`], each a `pub async
//! fn` over `&dyn Store` on an empty database. Every backend's `tests/conformance.rs` runs every
//! story; the stories assert exact values (rows read back field for field, error variants, fields,
//! codes and messages, list orders), so two backends that pass behave the same.
//!
//! The `*_fields` builders are valid inputs for other tests too.

use chrono::NaiveDate;
use tandem_domain::{
    Actor, AuditAction, AuditEvent, AuditFilter, Cursor, DependencyFields, DependencyFilter, DependencyInput,
    DependencyKind, DomainError, DomainResult, EntityKind, FieldChange, GrantFilter, GrantScope, Headcount, Lag,
    MilestoneFields, MilestoneFilter, MilestoneId, MilestoneInput, Name, NewApiToken, NodeRef, NodeSummary,
    PageRequest, ProductFields, ProductFilter, ProductId, ProductInput, ProgramFields, ProgramFilter, ProgramId,
    ProgramInput, ProgramPhase, ProjectFields, ProjectFilter, ProjectId, ProjectInput, Rank, RiskCategory, RiskFields,
    RiskFilter, RiskId, RiskInput, RiskResponse, RiskStatus, Role, Session, Store, TeamFields, TeamId, TeamInput,
    TokenScope, UserFields, UserInput, Username, Visibility, WorkItem, WorkItemFields, WorkItemFilter, WorkItemId,
    WorkItemInput, WorkItemKind, WorkItemOrder, WorkItemStatus,
};

// ---------------------------------------------------------------------------------------------
// Valid inputs.

/// The actor of the stories' writes (as in the audit trail).
pub fn tester() -> &'static Actor {
    static TESTER: std::sync::LazyLock<Actor> = std::sync::LazyLock::new(|| Actor::system("conformance"));
    &TESTER
}

pub fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
}

pub fn program_fields(name: &str) -> ProgramFields {
    ProgramFields::parse(ProgramInput {
        name: name.into(),
        goal: "Move every branch onto the new core banking platform".into(),
        sponsor: Some("Grace Hopper".into()),
        phase: ProgramPhase::Delivery,
        start: day(2026, 1, 5),
        target_end: day(2026, 12, 18),
        budget: Some(1_500_000),
        currency: Some("eur".into()),
        status_date: None,
    })
    .expect("valid program")
}

pub fn project_fields(program: ProgramId, name: &str) -> ProjectFields {
    ProjectFields::parse(ProjectInput {
        program_id: program,
        name: name.into(),
        description: "Replace the ledger".into(),
        manager: Some("Ada Lovelace".into()),
        start: day(2026, 2, 2),
        budget: Some(250_000),
    })
    .expect("valid project")
}

pub fn product_fields(name: &str) -> ProductFields {
    ProductFields::parse(ProductInput { name: name.into(), vision: "Banking in one tap".into(), owner: None })
        .expect("valid product")
}

pub fn team_fields(name: &str, capacity: i64) -> TeamFields {
    TeamFields::parse(TeamInput {
        name: name.into(),
        capacity,
        working_days: Some(vec!["mon".into(), "tue".into(), "wed".into(), "thu".into()]),
        holidays: vec![day(2026, 12, 25), day(2026, 1, 1)],
    })
    .expect("valid team")
}

fn percent(done: i64) -> tandem_domain::PercentComplete {
    tandem_domain::PercentComplete::parse("percent_complete", done).expect("percent")
}

pub fn work_item_fields(project: Option<ProjectId>, product: Option<ProductId>, title: &str) -> WorkItemFields {
    WorkItemFields::parse(WorkItemInput {
        kind: WorkItemKind::Story,
        project_id: project,
        product_id: product,
        parent_id: None,
        title: title.into(),
        description: "As a customer I want it".into(),
        status: WorkItemStatus::Backlog,
        optimistic: 1.5,
        most_likely: 2.25,
        pessimistic: 7.0,
        story_points: Some(5),
        team_id: None,
        people_needed: None,
        released_on: None,
        percent_complete: None,
    })
    .expect("valid work item")
}

pub fn milestone_fields(project: ProjectId, name: &str) -> MilestoneFields {
    MilestoneFields::parse(MilestoneInput {
        project_id: project,
        name: name.into(),
        target_date: day(2026, 6, 30),
        deliverable: "Signed acceptance".into(),
    })
    .expect("valid milestone")
}

pub fn dependency_fields(predecessor: NodeRef, successor: NodeRef) -> DependencyFields {
    DependencyFields::parse(DependencyInput {
        predecessor,
        successor,
        kind: DependencyKind::FinishToStart,
        lag_days: 2,
    })
    .expect("valid dependency")
}

/// A risk of `program` (of `project` when given) hitting `hits`, with two mitigation actions.
pub fn risk_fields(program: ProgramId, project: Option<ProjectId>, hits: Vec<WorkItemId>, title: &str) -> RiskFields {
    RiskFields::parse(RiskInput {
        program_id: program,
        project_id: project,
        title: title.into(),
        cause: "The vendor has one integration team".into(),
        effect: "Card screens wait for the API".into(),
        owner: Some("Ada Lovelace".into()),
        category: RiskCategory::External,
        probability: 40,
        impact_optimistic: 2.0,
        impact_most_likely: 5.5,
        impact_pessimistic: 15.0,
        work_item_ids: hits,
        cost_impact: Some(20_000),
        response: RiskResponse::Mitigate,
        mitigations: vec![
            tandem_domain::MitigationInput {
                description: "Weekly call with the vendor".into(),
                due_date: Some(day(2026, 3, 2)),
                done: true,
            },
            tandem_domain::MitigationInput {
                description: "Build against a mock".into(),
                due_date: Some(day(2026, 4, 1)),
                done: false,
            },
        ],
        trigger: "No sandbox by March".into(),
        status: RiskStatus::Open,
    })
    .expect("valid risk")
}

fn headcount(people: i64) -> Headcount {
    Headcount::parse("people_needed", people).expect("valid headcount")
}

fn w(item: &WorkItem) -> NodeRef {
    NodeRef::WorkItem(item.id)
}

/// The (field, code, message) triples of a `Validation` error; panics on anything else.
pub fn field_errors<T: std::fmt::Debug>(result: DomainResult<T>) -> Vec<(String, &'static str, String)> {
    match result {
        Err(DomainError::Validation(errors)) => {
            errors.errors().iter().map(|e| (e.field.clone(), e.code, e.message.clone())).collect()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn one_error(field: &str, code: &'static str, message: &str) -> Vec<(String, &'static str, String)> {
    vec![(field.to_owned(), code, message.to_owned())]
}

/// The `(entity, id)` of a `NotFound`; panics on anything else.
pub fn not_found<T: std::fmt::Debug>(result: DomainResult<T>) -> (EntityKind, String) {
    match result {
        Err(DomainError::NotFound { entity, id }) => (entity, id),
        other => panic!("expected not found, got {other:?}"),
    }
}

/// The `(entity, id, reason)` of an `InUse`; panics on anything else.
pub fn in_use<T: std::fmt::Debug>(result: DomainResult<T>) -> (EntityKind, String, String) {
    match result {
        Err(DomainError::InUse { entity, id, reason }) => (entity, id, reason),
        other => panic!("expected in use, got {other:?}"),
    }
}

async fn all_items(store: &dyn Store, filter: &WorkItemFilter) -> Vec<WorkItemId> {
    let page = store.list_work_items(filter, &PageRequest::first(PageRequest::MAX_LIMIT)).await.expect("list items");
    assert_eq!(page.next_cursor, None, "fixtures fit one page");
    page.items.iter().map(|i| i.id).collect()
}

async fn all_dependencies(store: &dyn Store) -> Vec<tandem_domain::DependencyId> {
    let page = store.list_dependencies(&DependencyFilter::default(), &PageRequest::default()).await;
    page.expect("list dependencies").items.iter().map(|d| d.id).collect()
}

// ---------------------------------------------------------------------------------------------
// Stories.

/// A fresh database has every migration applied; running them again applies none.
pub async fn migrations_are_idempotent(store: &dyn Store) {
    assert_eq!(store.migrate().await.expect("migrate"), 0);
    assert!(["sqlite", "postgres"].contains(&store.backend_name()));
}

/// Create, read, update, list and delete a program; every read equals what was written.
pub async fn programs_round_trip(store: &dyn Store) {
    let created = store.create_program(tester(), program_fields("Digital Transformation")).await.expect("create");
    assert_eq!(created.meta.version, 1);
    assert_eq!(created.meta.created_at, created.meta.updated_at);
    assert_eq!(created.fields.currency.as_str(), "EUR");
    assert_eq!(store.get_program(created.id).await.expect("get"), created);

    let mut changed = program_fields("Digital Transformation 2");
    changed.sponsor = None;
    changed.budget = None;
    changed.phase = ProgramPhase::Closure;
    let updated = store.update_program(tester(), created.id, 1, changed.clone()).await.expect("update");
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.fields, changed);
    assert_eq!(updated.meta.version, 2);
    assert_eq!(updated.meta.created_at, created.meta.created_at);
    assert!(updated.meta.updated_at >= created.meta.updated_at);
    assert_eq!(store.get_program(created.id).await.expect("get"), updated);

    let page = store.list_programs(&ProgramFilter::default(), &PageRequest::default()).await.expect("list");
    assert_eq!(page.items, vec![updated.clone()]);
    assert_eq!(page.next_cursor, None);
    let closure = ProgramFilter { phase: Some(ProgramPhase::Closure), ..ProgramFilter::default() };
    assert_eq!(store.list_programs(&closure, &PageRequest::default()).await.expect("list").items.len(), 1);
    let definition = ProgramFilter { phase: Some(ProgramPhase::Definition), ..ProgramFilter::default() };
    assert_eq!(store.list_programs(&definition, &PageRequest::default()).await.expect("list").items, vec![]);

    store.delete_program(tester(), created.id, Some(2)).await.expect("delete");
    assert_eq!(not_found(store.get_program(created.id).await), (EntityKind::Program, created.id.to_string()));
}

/// A program's status date reads back exactly as written: set on create, moved to another day,
/// then cleared (`None`: plans are made as of the day they are computed).
pub async fn program_status_date_round_trips(store: &dyn Store) {
    let mut fields = program_fields("Status Date");
    fields.status_date = Some(day(2026, 3, 2));
    let created = store.create_program(tester(), fields.clone()).await.expect("create");
    assert_eq!(created.fields, fields);
    let read = store.get_program(created.id).await.expect("get");
    assert_eq!(read.fields.status_date, Some(day(2026, 3, 2)));
    assert_eq!(read, created);

    fields.status_date = Some(day(2026, 12, 31));
    let moved = store.update_program(tester(), created.id, 1, fields.clone()).await.expect("update");
    assert_eq!((moved.meta.version, moved.fields.status_date), (2, Some(day(2026, 12, 31))));
    let read = store.get_program(created.id).await.expect("get");
    assert_eq!(read.fields.status_date, Some(day(2026, 12, 31)));
    assert_eq!(read, moved);

    fields.status_date = None;
    let cleared = store.update_program(tester(), created.id, 2, fields.clone()).await.expect("update");
    assert_eq!((cleared.meta.version, cleared.fields.status_date), (3, None));
    let read = store.get_program(created.id).await.expect("get");
    assert_eq!(read.fields.status_date, None);
    assert_eq!(read, cleared);

    let page = store.list_programs(&ProgramFilter::default(), &PageRequest::default()).await.expect("list");
    assert_eq!(page.items, vec![cleared]);
}

/// Every other record type reads back exactly as written, before and after an update.
pub async fn every_record_round_trips(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    assert_eq!(store.get_project(project.id).await.expect("get"), project);
    let product = store.create_product(tester(), product_fields("App")).await.expect("product");
    assert_eq!(store.get_product(product.id).await.expect("get"), product);
    let team = store.create_team(tester(), team_fields("Platform", 4)).await.expect("team");
    assert_eq!(team.fields.calendar.holidays(), &[day(2026, 1, 1), day(2026, 12, 25)]);
    assert_eq!(team.fields.calendar.week().day_names(), vec!["mon", "tue", "wed", "thu"]);
    assert_eq!(store.get_team(team.id).await.expect("get"), team);

    let epic =
        store.create_work_item(tester(), work_item_fields(Some(project.id), None, "Epic"), None).await.expect("epic");
    let mut fields = work_item_fields(Some(project.id), Some(product.id), "Story");
    fields.kind = WorkItemKind::Bug;
    fields.status = WorkItemStatus::InProgress;
    fields.parent_id = Some(epic.id);
    fields.team_id = Some(team.id);
    fields.people_needed = headcount(3);
    fields.story_points = None;
    fields.released_on = Some(day(2026, 3, 17));
    fields.percent_complete = percent(35);
    let story = store.create_work_item(tester(), fields, Some(Rank::new(-7))).await.expect("story");
    assert_eq!((story.rank, story.fields.released_on), (Rank::new(-7), Some(day(2026, 3, 17))));
    assert_eq!(story.fields.percent_complete.get(), 35);
    assert_eq!(store.get_work_item(story.id).await.expect("get"), story);
    assert_eq!(store.get_work_item(epic.id).await.expect("get"), epic);

    let milestone = store.create_milestone(tester(), milestone_fields(project.id, "Go live")).await.expect("milestone");
    assert_eq!(store.get_milestone(milestone.id).await.expect("get"), milestone);
    let dependency = store
        .create_dependency(tester(), dependency_fields(w(&story), NodeRef::Milestone(milestone.id)))
        .await
        .expect("dep");
    assert_eq!(store.get_dependency(dependency.id).await.expect("get"), dependency);

    let mut project_change = project_fields(program.id, "Core v2");
    project_change.manager = None;
    project_change.budget = None;
    let project2 = store.update_project(tester(), project.id, 1, project_change).await.expect("update project");
    assert_eq!((project2.meta.version, project2.meta.created_at), (2, project.meta.created_at));
    assert_eq!(store.get_project(project.id).await.expect("get"), project2);

    let mut product_change = product_fields("App 2");
    product_change.owner = Some(Name::parse("owner", "Linus").expect("name"));
    let product2 = store.update_product(tester(), product.id, 1, product_change).await.expect("update product");
    assert_eq!(store.get_product(product.id).await.expect("get"), product2);

    let team2 = store.update_team(tester(), team.id, 1, team_fields("Platform Ops", 5)).await.expect("update team");
    assert_eq!(team2.meta.version, 2);
    assert_eq!(store.get_team(team.id).await.expect("get"), team2);

    let mut story_change = story.fields.clone();
    story_change.title = Name::parse("title", "Story, renamed").expect("name");
    story_change.placement = tandem_domain::Placement::Product(product.id);
    story_change.released_on = Some(day(2026, 12, 31));
    story_change.percent_complete = percent(100);
    let story2 = store.update_work_item(tester(), story.id, 1, story_change.clone(), None).await.expect("update item");
    assert_eq!((story2.rank, story2.meta.version), (Rank::new(-7), 2));
    assert_eq!(story2.fields.released_on, Some(day(2026, 12, 31)));
    assert_eq!(story2.fields.percent_complete.get(), 100);
    assert_eq!(store.get_work_item(story.id).await.expect("get"), story2);
    story_change.released_on = None;
    let story3 =
        store.update_work_item(tester(), story.id, 2, story_change, Some(Rank::new(99))).await.expect("rerank");
    assert_eq!(store.get_work_item(story.id).await.expect("get"), story3);
    assert_eq!((story3.rank, story3.fields.released_on), (Rank::new(99), None));

    let mut milestone_change = milestone_fields(project.id, "Go live!");
    milestone_change.target_date = day(2026, 7, 31);
    let milestone2 =
        store.update_milestone(tester(), milestone.id, 1, milestone_change).await.expect("update milestone");
    assert_eq!(store.get_milestone(milestone.id).await.expect("get"), milestone2);

    let mut dependency_change = dependency.fields.clone();
    dependency_change.kind = DependencyKind::StartToStart;
    dependency_change.lag = Lag::parse("lag_days", -3).expect("lag");
    let dependency2 = store.update_dependency(tester(), dependency.id, 1, dependency_change).await.expect("update dep");
    assert_eq!(dependency2.meta.version, 2);
    assert_eq!(store.get_dependency(dependency.id).await.expect("get"), dependency2);
    let mut moved = dependency2.fields.clone();
    moved.predecessor = w(&epic);
    assert_eq!(
        field_errors(store.update_dependency(tester(), dependency.id, 2, moved).await),
        one_error("predecessor", "immutable", "cannot be changed: delete the dependency and create another instead")
    );
}

/// An update or delete naming an old version is refused and changes nothing.
pub async fn version_conflict_changes_nothing(store: &dyn Store) {
    let created = store.create_program(tester(), program_fields("Original")).await.expect("create");
    let updated = store.update_program(tester(), created.id, 1, program_fields("Second")).await.expect("update");

    match store.update_program(tester(), created.id, 1, program_fields("Stale")).await {
        Err(DomainError::VersionConflict { entity, id, expected, actual }) => {
            assert_eq!((entity, id, expected, actual), (EntityKind::Program, created.id.to_string(), 1, 2));
        }
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(store.get_program(created.id).await.expect("get"), updated);

    match store.delete_program(tester(), created.id, Some(7)).await {
        Err(DomainError::VersionConflict { expected, actual, .. }) => assert_eq!((expected, actual), (7, 2)),
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(store.get_program(created.id).await.expect("still there"), updated);

    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let item =
        store.create_work_item(tester(), work_item_fields(Some(project.id), None, "A"), None).await.expect("item");
    let mut stale = item.fields.clone();
    stale.title = Name::parse("title", "B").expect("name");
    assert!(matches!(
        store.update_work_item(tester(), item.id, 5, stale, None).await,
        Err(DomainError::VersionConflict { entity: EntityKind::WorkItem, expected: 5, actual: 1, .. })
    ));
    assert_eq!(store.get_work_item(item.id).await.expect("get"), item);

    // Without a version, a delete does not check one.
    store.delete_program(tester(), created.id, None).await.expect("delete without version");
}

/// Unknown ids are `NotFound` naming the entity and the id, for reads, updates and deletes.
pub async fn unknown_ids_are_not_found(store: &dyn Store) {
    let program = ProgramId::generate();
    assert_eq!(not_found(store.get_program(program).await), (EntityKind::Program, program.to_string()));
    assert_eq!(not_found(store.update_program(tester(), program, 1, program_fields("X")).await).0, EntityKind::Program);
    assert_eq!(not_found(store.delete_program(tester(), program, None).await).0, EntityKind::Program);
    let project = ProjectId::generate();
    assert_eq!(not_found(store.get_project(project).await), (EntityKind::Project, project.to_string()));
    assert_eq!(not_found(store.delete_project(tester(), project, Some(1)).await).0, EntityKind::Project);
    let product = ProductId::generate();
    assert_eq!(not_found(store.get_product(product).await), (EntityKind::Product, product.to_string()));
    assert_eq!(not_found(store.update_product(tester(), product, 1, product_fields("X")).await).0, EntityKind::Product);
    let team = TeamId::generate();
    assert_eq!(not_found(store.get_team(team).await), (EntityKind::Team, team.to_string()));
    assert_eq!(not_found(store.delete_team(tester(), team, None).await).0, EntityKind::Team);
    let item = WorkItemId::generate();
    assert_eq!(not_found(store.get_work_item(item).await), (EntityKind::WorkItem, item.to_string()));
    assert_eq!(not_found(store.delete_work_item(tester(), item, None).await).0, EntityKind::WorkItem);
    let milestone = MilestoneId::generate();
    assert_eq!(not_found(store.get_milestone(milestone).await), (EntityKind::Milestone, milestone.to_string()));
    assert_eq!(not_found(store.delete_milestone(tester(), milestone, None).await).0, EntityKind::Milestone);
    let dependency = tandem_domain::DependencyId::generate();
    assert_eq!(not_found(store.get_dependency(dependency).await), (EntityKind::Dependency, dependency.to_string()));
    assert_eq!(not_found(store.delete_dependency(tester(), dependency, None).await).0, EntityKind::Dependency);
}

/// Records naming ids that do not exist are refused on the field that names them.
pub async fn references_must_exist(store: &dyn Store) {
    let ghost_program = ProgramId::generate();
    assert_eq!(
        field_errors(store.create_project(tester(), project_fields(ghost_program, "Orphan")).await),
        one_error("program_id", "not_found", &format!("program {ghost_program} does not exist"))
    );
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    assert_eq!(
        field_errors(store.update_project(tester(), project.id, 1, project_fields(ghost_program, "Core")).await),
        one_error("program_id", "not_found", &format!("program {ghost_program} does not exist"))
    );

    let ghost_project = ProjectId::generate();
    let ghost_product = ProductId::generate();
    let ghost_team = TeamId::generate();
    let ghost_parent = WorkItemId::generate();
    let mut fields = work_item_fields(Some(ghost_project), Some(ghost_product), "Orphan");
    fields.team_id = Some(ghost_team);
    fields.parent_id = Some(ghost_parent);
    assert_eq!(
        field_errors(store.create_work_item(tester(), fields, None).await),
        vec![
            ("project_id".to_owned(), "not_found", format!("project {ghost_project} does not exist")),
            ("product_id".to_owned(), "not_found", format!("product {ghost_product} does not exist")),
            ("team_id".to_owned(), "not_found", format!("team {ghost_team} does not exist")),
            ("parent_id".to_owned(), "not_found", format!("work item {ghost_parent} does not exist")),
        ]
    );
    assert_eq!(
        field_errors(store.create_milestone(tester(), milestone_fields(ghost_project, "M")).await),
        one_error("project_id", "not_found", &format!("project {ghost_project} does not exist"))
    );
    assert_eq!(store.count_work_items(&WorkItemFilter::default()).await.expect("count"), 0);
    let projects = store.list_projects(&ProjectFilter::default(), &PageRequest::default()).await.expect("list");
    assert_eq!(projects.items, vec![project]);
}

/// Keyset pages visit every item once, in order, and the last page has no cursor.
pub async fn pagination_walks_every_item_once(store: &dyn Store) {
    let mut created = Vec::new();
    for n in 0..7 {
        created.push(store.create_program(tester(), program_fields(&format!("Program {n}"))).await.expect("create").id);
    }
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_programs(&ProgramFilter::default(), &PageRequest { after: after.clone(), limit: 3 })
            .await
            .expect("page");
        sizes.push(page.items.len());
        seen.extend(page.items.iter().map(|p| p.id));
        match page.next_cursor {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    assert_eq!(sizes, vec![3, 3, 1]);
    assert_eq!(seen, created);

    // Exactly one full page: no cursor, no empty page after it.
    let page = store.list_programs(&ProgramFilter::default(), &PageRequest::first(7)).await.expect("page");
    assert_eq!((page.items.len(), page.next_cursor), (7, None));

    for garbage in ["", "not-a-cursor", "12:34"] {
        let request = PageRequest { after: Some(Cursor(garbage.into())), limit: 3 };
        assert_eq!(
            field_errors(store.list_programs(&ProgramFilter::default(), &request).await),
            one_error("cursor", "invalid", "is not a cursor from a previous page of this list")
        );
    }
}

/// Backlog order is (rank, id); its pages walk that order with their own cursors. Appends go to
/// the end of the item's own product's backlog; a given rank lies within the limit.
pub async fn rank_order_and_appends(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let item = |title: &str| work_item_fields(Some(project.id), None, title);
    let a = store.create_work_item(tester(), item("a"), None).await.expect("a");
    let b = store.create_work_item(tester(), item("b"), None).await.expect("b");
    let c = store.create_work_item(tester(), item("c"), Some(Rank::new(512))).await.expect("c");
    let d = store.create_work_item(tester(), item("d"), Some(Rank::new(512))).await.expect("d");
    let e = store.create_work_item(tester(), item("e"), None).await.expect("e");
    let f = store.create_work_item(tester(), item("f"), Some(Rank::new(-5))).await.expect("f");
    assert_eq!(
        [a.rank, b.rank, c.rank, d.rank, e.rank, f.rank].map(Rank::get),
        [0, 1024, 512, 512, 2048, -5],
        "appends go after the highest rank"
    );
    let bulk = store.create_work_items(tester(), vec![item("g"), item("h")]).await.expect("bulk");
    assert_eq!(bulk.iter().map(|i| i.rank.get()).collect::<Vec<_>>(), vec![3072, 4096]);

    let by_rank = WorkItemFilter { order: WorkItemOrder::Rank, ..WorkItemFilter::default() };
    let expected = vec![f.id, a.id, c.id, d.id, b.id, e.id, bulk[0].id, bulk[1].id];
    assert_eq!(all_items(store, &by_rank).await, expected);
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_work_items(&by_rank, &PageRequest { after, limit: 3 }).await.expect("page");
        seen.extend(page.items.iter().map(|i| i.id));
        match page.next_cursor {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    let created_order = WorkItemFilter::default();
    assert_eq!(
        all_items(store, &created_order).await,
        vec![a.id, b.id, c.id, d.id, e.id, f.id, bulk[0].id, bulk[1].id]
    );

    let bad = PageRequest { after: Some(Cursor(a.id.to_string())), limit: 3 };
    assert_eq!(field_errors(store.list_work_items(&by_rank, &bad).await)[0].1, "invalid");
    let bad = PageRequest { after: Some(Cursor("x:y".into())), limit: 3 };
    assert_eq!(field_errors(store.list_work_items(&by_rank, &bad).await)[0].0, "cursor");

    // Appends go after the highest rank of the item's own backlog: its product's items (or the
    // items in no product, as above), whatever other products hold.
    let shop = store.create_product(tester(), product_fields("Shop")).await.expect("product");
    let bank = store.create_product(tester(), product_fields("Bank")).await.expect("product");
    let in_product = |product: ProductId, title: &str| work_item_fields(None, Some(product), title);
    let limit = tandem_domain::work_item::RANK_LIMIT;
    let top = store.create_work_item(tester(), in_product(shop.id, "top"), Some(Rank::new(limit))).await;
    assert_eq!(top.expect("the largest rank allowed").rank, Rank::new(limit));
    let first = store.create_work_item(tester(), in_product(bank.id, "first"), None).await.expect("first");
    let second = store.create_work_item(tester(), in_product(bank.id, "second"), None).await.expect("second");
    assert_eq!([first.rank, second.rank].map(Rank::get), [0, 1024], "another product's maximum is not theirs");
    let after_top = store.create_work_item(tester(), in_product(shop.id, "next"), None).await.expect("next");
    assert_eq!(after_top.rank, Rank::new(limit + 1024), "after the shop's top item, not tied with it");
    let shared = work_item_fields(Some(project.id), Some(bank.id), "shared");
    assert_eq!(store.create_work_item(tester(), shared, None).await.expect("shared").rank, Rank::new(2048));
    let batch = vec![in_product(bank.id, "b1"), in_product(shop.id, "s1"), item("p1"), in_product(bank.id, "b2")];
    let batch = store.create_work_items(tester(), batch).await.expect("batch");
    assert_eq!(
        batch.iter().map(|i| i.rank.get()).collect::<Vec<_>>(),
        vec![3072, limit + 2048, 5120, 4096],
        "each to the end of its own backlog"
    );

    // A given rank lies within the limit; out of it nothing is stored.
    let count_before = store.count_work_items(&WorkItemFilter::default()).await.expect("count");
    let message = format!("must be between -{limit} and {limit}");
    for rank in [i64::MAX, i64::MIN, limit + 1, -limit - 1] {
        let refused = store.create_work_item(tester(), in_product(bank.id, "bad"), Some(Rank::new(rank))).await;
        assert_eq!(field_errors(refused), one_error("rank", "out_of_range", &message), "{rank}");
    }
    // Beside another field error, both are named.
    let mut orphan = in_product(bank.id, "orphan");
    let missing = WorkItemId::generate();
    orphan.parent_id = Some(missing);
    let refused = field_errors(store.create_work_item(tester(), orphan, Some(Rank::new(i64::MAX))).await);
    assert_eq!(
        refused.iter().map(|e| (e.0.as_str(), e.1)).collect::<Vec<_>>(),
        [("parent_id", "not_found"), ("rank", "out_of_range")]
    );
    assert_eq!(store.count_work_items(&WorkItemFilter::default()).await.expect("count"), count_before);
    let low = store.create_work_item(tester(), in_product(bank.id, "low"), Some(Rank::new(-limit))).await;
    let low = low.expect("the smallest rank allowed");
    assert_eq!(low.rank, Rank::new(-limit));
    // An update may not move a rank out of the limit, but may write back the current one (here
    // computed beyond it) unchanged.
    let refused =
        store.update_work_item(tester(), low.id, low.meta.version, low.fields.clone(), Some(Rank::new(-limit - 1)));
    assert_eq!(field_errors(refused.await), one_error("rank", "out_of_range", &message));
    assert_eq!(store.get_work_item(low.id).await.expect("low"), low, "nothing changed");
    let kept = store
        .update_work_item(
            tester(),
            after_top.id,
            after_top.meta.version,
            after_top.fields.clone(),
            Some(after_top.rank),
        )
        .await
        .expect("the current rank as read");
    assert_eq!((kept.rank, kept.meta.version), (Rank::new(limit + 1024), 2));
}

/// Every work item filter, alone and combined, selects exactly the matching items; counts agree.
pub async fn work_item_filters(store: &dyn Store) {
    let p1 = store.create_program(tester(), program_fields("P1")).await.expect("program");
    let p2 = store.create_program(tester(), program_fields("P2")).await.expect("program");
    let core = store.create_project(tester(), project_fields(p1.id, "Core")).await.expect("project");
    let web = store.create_project(tester(), project_fields(p1.id, "Web")).await.expect("project");
    let other = store.create_project(tester(), project_fields(p2.id, "Other")).await.expect("project");
    let app = store.create_product(tester(), product_fields("App")).await.expect("product");
    let team = store.create_team(tester(), team_fields("T", 5)).await.expect("team");

    let epic = {
        let mut f = work_item_fields(Some(core.id), Some(app.id), "Epic");
        f.kind = WorkItemKind::Epic;
        store.create_work_item(tester(), f, None).await.expect("epic")
    };
    let child = {
        let mut f = work_item_fields(Some(core.id), None, "Child");
        f.parent_id = Some(epic.id);
        f.team_id = Some(team.id);
        f.status = WorkItemStatus::Done;
        store.create_work_item(tester(), f, None).await.expect("child")
    };
    let web_bug = {
        let mut f = work_item_fields(Some(web.id), Some(app.id), "Bug");
        f.kind = WorkItemKind::Bug;
        f.team_id = Some(team.id);
        store.create_work_item(tester(), f, None).await.expect("bug")
    };
    let other_task = {
        let mut f = work_item_fields(Some(other.id), None, "Task");
        f.kind = WorkItemKind::Task;
        f.status = WorkItemStatus::Done;
        store.create_work_item(tester(), f, None).await.expect("task")
    };
    let backlog_only =
        store.create_work_item(tester(), work_item_fields(None, Some(app.id), "Idea"), None).await.expect("idea");

    let cases: Vec<(WorkItemFilter, Vec<WorkItemId>)> = vec![
        (WorkItemFilter::default(), vec![epic.id, child.id, web_bug.id, other_task.id, backlog_only.id]),
        (WorkItemFilter { program: Some(p1.id), ..Default::default() }, vec![epic.id, child.id, web_bug.id]),
        (WorkItemFilter { program: Some(p2.id), ..Default::default() }, vec![other_task.id]),
        (WorkItemFilter { project: Some(core.id), ..Default::default() }, vec![epic.id, child.id]),
        (WorkItemFilter { product: Some(app.id), ..Default::default() }, vec![epic.id, web_bug.id, backlog_only.id]),
        (WorkItemFilter { status: Some(WorkItemStatus::Done), ..Default::default() }, vec![child.id, other_task.id]),
        (WorkItemFilter { kind: Some(WorkItemKind::Bug), ..Default::default() }, vec![web_bug.id]),
        (WorkItemFilter { team: Some(team.id), ..Default::default() }, vec![child.id, web_bug.id]),
        (WorkItemFilter { parent: Some(epic.id), ..Default::default() }, vec![child.id]),
        (
            WorkItemFilter { program: Some(p1.id), status: Some(WorkItemStatus::Done), ..Default::default() },
            vec![child.id],
        ),
        (WorkItemFilter { product: Some(app.id), team: Some(team.id), ..Default::default() }, vec![web_bug.id]),
        (WorkItemFilter { program: Some(p2.id), kind: Some(WorkItemKind::Bug), ..Default::default() }, vec![]),
    ];
    for (filter, expected) in cases {
        assert_eq!(all_items(store, &filter).await, expected, "{filter:?}");
        let ranked = WorkItemFilter { order: WorkItemOrder::Rank, ..filter.clone() };
        assert_eq!(all_items(store, &ranked).await, expected, "ranks follow creation here: {filter:?}");
        assert_eq!(store.count_work_items(&filter).await.expect("count"), expected.len() as u64, "{filter:?}");
    }
}

/// Milestones filter by project and by program.
pub async fn milestone_filters(store: &dyn Store) {
    let p1 = store.create_program(tester(), program_fields("P1")).await.expect("program");
    let p2 = store.create_program(tester(), program_fields("P2")).await.expect("program");
    let core = store.create_project(tester(), project_fields(p1.id, "Core")).await.expect("project");
    let other = store.create_project(tester(), project_fields(p2.id, "Other")).await.expect("project");
    let m1 = store.create_milestone(tester(), milestone_fields(core.id, "M1")).await.expect("m1");
    let m2 = store.create_milestone(tester(), milestone_fields(other.id, "M2")).await.expect("m2");
    let m3 = store.create_milestone(tester(), milestone_fields(core.id, "M3")).await.expect("m3");
    let ids = |page: tandem_domain::Page<tandem_domain::Milestone>| page.items.iter().map(|m| m.id).collect::<Vec<_>>();
    let all = store.list_milestones(&MilestoneFilter::default(), &PageRequest::default()).await.expect("list");
    assert_eq!(ids(all), vec![m1.id, m2.id, m3.id]);
    let by_program = MilestoneFilter { program: Some(p1.id), ..MilestoneFilter::default() };
    assert_eq!(
        ids(store.list_milestones(&by_program, &PageRequest::default()).await.expect("list")),
        vec![m1.id, m3.id]
    );
    let by_project = MilestoneFilter { project: Some(other.id), ..MilestoneFilter::default() };
    assert_eq!(ids(store.list_milestones(&by_project, &PageRequest::default()).await.expect("list")), vec![m2.id]);
    let neither = MilestoneFilter { program: Some(p1.id), project: Some(other.id), ..MilestoneFilter::default() };
    assert_eq!(ids(store.list_milestones(&neither, &PageRequest::default()).await.expect("list")), vec![]);
}

/// Dependency ends must exist, pairs are unique, cycles are refused naming every node, and
/// deleting an end deletes the dependencies touching it.
pub async fn dependency_rules(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let item = |title: &str| work_item_fields(Some(project.id), None, title);
    let a = store.create_work_item(tester(), item("Design"), None).await.expect("a");
    let b = store.create_work_item(tester(), item("Build"), None).await.expect("b");
    let c = store.create_work_item(tester(), item("Test"), None).await.expect("c");
    let m = store.create_milestone(tester(), milestone_fields(project.id, "Launch")).await.expect("m");
    let mn = NodeRef::Milestone(m.id);

    // A dependency on itself is caught by the fields' parser, and by the store if built by hand.
    let self_input =
        DependencyInput { predecessor: w(&a), successor: w(&a), kind: DependencyKind::FinishToStart, lag_days: 0 };
    assert_eq!(DependencyFields::parse(self_input).map_err(|e| e.errors()[0].code), Err("self_dependency"));
    let by_hand = DependencyFields {
        predecessor: w(&a),
        successor: w(&a),
        kind: DependencyKind::FinishToStart,
        lag: Lag::default(),
    };
    assert_eq!(
        field_errors(store.create_dependency(tester(), by_hand).await),
        one_error(
            "successor",
            "cycle",
            &format!(
                "this dependency would close a cycle: \"Design\" (work_item {0}) -> \"Design\" (work_item {0})",
                a.id
            )
        )
    );

    let ghost_item = WorkItemId::generate();
    let ghost_milestone = MilestoneId::generate();
    assert_eq!(
        field_errors(
            store
                .create_dependency(
                    tester(),
                    dependency_fields(NodeRef::WorkItem(ghost_item), NodeRef::Milestone(ghost_milestone))
                )
                .await
        ),
        vec![
            ("predecessor".to_owned(), "not_found", format!("work item {ghost_item} does not exist")),
            ("successor".to_owned(), "not_found", format!("milestone {ghost_milestone} does not exist")),
        ]
    );

    let ab = store.create_dependency(tester(), dependency_fields(w(&a), w(&b))).await.expect("a->b");
    let bc = store.create_dependency(tester(), dependency_fields(w(&b), w(&c))).await.expect("b->c");
    let cm = store.create_dependency(tester(), dependency_fields(w(&c), mn)).await.expect("c->m");
    assert_eq!(
        field_errors(store.create_dependency(tester(), dependency_fields(w(&a), w(&b))).await),
        one_error("successor", "duplicate", &format!("work_item {} already depends on work_item {}", b.id, a.id))
    );
    assert_eq!(
        field_errors(store.create_dependency(tester(), dependency_fields(mn, w(&a))).await),
        one_error(
            "successor",
            "cycle",
            &format!(
                "this dependency would close a cycle: \"Launch\" (milestone {m}) -> \"Design\" (work_item {a}) -> \
                 \"Build\" (work_item {b}) -> \"Test\" (work_item {c}) -> \"Launch\" (milestone {m})",
                m = m.id,
                a = a.id,
                b = b.id,
                c = c.id
            )
        )
    );
    // The reverse of an existing link is the shortest cycle.
    assert_eq!(field_errors(store.create_dependency(tester(), dependency_fields(w(&c), w(&b))).await)[0].1, "cycle");
    // A shortcut that closes no cycle is fine.
    let ac = store.create_dependency(tester(), dependency_fields(w(&a), w(&c))).await.expect("a->c");

    assert_eq!(all_dependencies(store).await, vec![ab.id, bc.id, cm.id, ac.id]);

    // Deleting b cascades to a->b and b->c only.
    store.delete_work_item(tester(), b.id, Some(1)).await.expect("delete b");
    assert_eq!(all_dependencies(store).await, vec![cm.id, ac.id]);
    assert_eq!(not_found(store.get_dependency(ab.id).await), (EntityKind::Dependency, ab.id.to_string()));
    // Deleting the milestone cascades to c->m.
    store.delete_milestone(tester(), m.id, None).await.expect("delete m");
    assert_eq!(all_dependencies(store).await, vec![ac.id]);
    store.delete_dependency(tester(), ac.id, Some(1)).await.expect("delete dependency");
    assert_eq!(all_dependencies(store).await, vec![]);
}

/// Dependency filters: program, project, node, and cross-project only.
pub async fn dependency_filters(store: &dyn Store) {
    let p1 = store.create_program(tester(), program_fields("P1")).await.expect("program");
    let p2 = store.create_program(tester(), program_fields("P2")).await.expect("program");
    let core = store.create_project(tester(), project_fields(p1.id, "Core")).await.expect("project");
    let web = store.create_project(tester(), project_fields(p1.id, "Web")).await.expect("project");
    let other = store.create_project(tester(), project_fields(p2.id, "Other")).await.expect("project");
    let app = store.create_product(tester(), product_fields("App")).await.expect("product");
    let core_item =
        store.create_work_item(tester(), work_item_fields(Some(core.id), None, "C"), None).await.expect("item");
    let core_item2 =
        store.create_work_item(tester(), work_item_fields(Some(core.id), None, "C2"), None).await.expect("item");
    let web_item =
        store.create_work_item(tester(), work_item_fields(Some(web.id), None, "W"), None).await.expect("item");
    let other_ms = store.create_milestone(tester(), milestone_fields(other.id, "O")).await.expect("milestone");
    let idea =
        store.create_work_item(tester(), work_item_fields(None, Some(app.id), "Idea"), None).await.expect("item");

    let inside =
        store.create_dependency(tester(), dependency_fields(w(&core_item), w(&core_item2))).await.expect("dep");
    let across = store.create_dependency(tester(), dependency_fields(w(&core_item2), w(&web_item))).await.expect("dep");
    let programs = store
        .create_dependency(tester(), dependency_fields(w(&web_item), NodeRef::Milestone(other_ms.id)))
        .await
        .expect("dep");
    let productless = store.create_dependency(tester(), dependency_fields(w(&idea), w(&core_item))).await.expect("dep");

    let cases: Vec<(DependencyFilter, Vec<tandem_domain::DependencyId>)> = vec![
        (DependencyFilter::default(), vec![inside.id, across.id, programs.id, productless.id]),
        (
            DependencyFilter { program: Some(p1.id), ..Default::default() },
            vec![inside.id, across.id, programs.id, productless.id],
        ),
        (DependencyFilter { program: Some(p2.id), ..Default::default() }, vec![programs.id]),
        (DependencyFilter { project: Some(core.id), ..Default::default() }, vec![inside.id, across.id, productless.id]),
        (DependencyFilter { project: Some(web.id), ..Default::default() }, vec![across.id, programs.id]),
        (DependencyFilter { node: Some(w(&core_item2)), ..Default::default() }, vec![inside.id, across.id]),
        (DependencyFilter { node: Some(NodeRef::Milestone(other_ms.id)), ..Default::default() }, vec![programs.id]),
        (DependencyFilter { cross_project_only: true, ..Default::default() }, vec![across.id, programs.id]),
        (DependencyFilter { program: Some(p2.id), cross_project_only: true, ..Default::default() }, vec![programs.id]),
        (DependencyFilter { project: Some(core.id), cross_project_only: true, ..Default::default() }, vec![across.id]),
    ];
    for (filter, expected) in cases {
        let page = store.list_dependencies(&filter, &PageRequest::default()).await.expect("list");
        assert_eq!(page.items.iter().map(|d| d.id).collect::<Vec<_>>(), expected, "{filter:?}");
    }
}

/// Deletes that would orphan records are refused with the reason, and succeed once it is gone.
pub async fn delete_refusals_name_the_reason(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let mut projects = Vec::new();
    for name in ["A", "B", "C"] {
        projects.push(store.create_project(tester(), project_fields(program.id, name)).await.expect("project"));
    }
    assert_eq!(
        in_use(store.delete_program(tester(), program.id, Some(1)).await),
        (EntityKind::Program, program.id.to_string(), "it still has 3 projects".to_owned())
    );
    assert_eq!(
        DomainError::InUse {
            entity: EntityKind::Program,
            id: program.id.to_string(),
            reason: "it still has 3 projects".into()
        }
        .to_string(),
        format!("program {} cannot be deleted: it still has 3 projects", program.id)
    );

    let project = &projects[0];
    let product = store.create_product(tester(), product_fields("App")).await.expect("product");
    let team = store.create_team(tester(), team_fields("T", 2)).await.expect("team");
    let parent =
        store.create_work_item(tester(), work_item_fields(Some(project.id), None, "Parent"), None).await.expect("item");
    let mut child_fields = work_item_fields(Some(project.id), Some(product.id), "Child");
    child_fields.parent_id = Some(parent.id);
    child_fields.team_id = Some(team.id);
    let child = store.create_work_item(tester(), child_fields.clone(), None).await.expect("child");
    let child2 = store.create_work_item(tester(), child_fields, None).await.expect("child2");
    let milestone = store.create_milestone(tester(), milestone_fields(project.id, "M")).await.expect("milestone");

    assert_eq!(
        in_use(store.delete_project(tester(), project.id, None).await).2,
        "it still has 3 work items and 1 milestone"
    );
    assert_eq!(in_use(store.delete_product(tester(), product.id, None).await).2, "it still has 2 work items");
    assert_eq!(in_use(store.delete_team(tester(), team.id, None).await).2, "it still has 2 work items assigned");
    assert_eq!(
        in_use(store.delete_work_item(tester(), parent.id, None).await),
        (EntityKind::WorkItem, parent.id.to_string(), "it still has 2 child work items".to_owned())
    );
    store.delete_work_item(tester(), child2.id, None).await.expect("delete child2");
    assert_eq!(in_use(store.delete_work_item(tester(), parent.id, None).await).2, "it still has 1 child work item");
    assert_eq!(in_use(store.delete_team(tester(), team.id, None).await).2, "it still has 1 work item assigned");

    // Clear everything out, then each delete goes through.
    store.delete_work_item(tester(), child.id, None).await.expect("delete child");
    store.delete_work_item(tester(), parent.id, None).await.expect("delete parent");
    assert_eq!(in_use(store.delete_project(tester(), project.id, None).await).2, "it still has 1 milestone");
    store.delete_milestone(tester(), milestone.id, None).await.expect("delete milestone");
    store.delete_team(tester(), team.id, Some(1)).await.expect("delete team");
    store.delete_product(tester(), product.id, Some(1)).await.expect("delete product");
    for project in &projects {
        store.delete_project(tester(), project.id, Some(1)).await.expect("delete project");
    }
    store.delete_program(tester(), program.id, Some(1)).await.expect("delete program");
    assert_eq!(
        store.list_programs(&ProgramFilter::default(), &PageRequest::default()).await.expect("list").items,
        vec![]
    );
}

/// A work item's parent exists, is not the item itself, and is not one of its descendants.
pub async fn parent_cycles(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let a = store.create_work_item(tester(), work_item_fields(Some(project.id), None, "A"), None).await.expect("a");
    let mut fields = work_item_fields(Some(project.id), None, "B");
    fields.parent_id = Some(a.id);
    let b = store.create_work_item(tester(), fields, None).await.expect("b");
    let mut fields = work_item_fields(Some(project.id), None, "C");
    fields.parent_id = Some(b.id);
    let c = store.create_work_item(tester(), fields, None).await.expect("c");

    let mut onto_c = a.fields.clone();
    onto_c.parent_id = Some(c.id);
    assert_eq!(
        field_errors(store.update_work_item(tester(), a.id, 1, onto_c, None).await),
        one_error("parent_id", "cycle", &format!("work item {} is a descendant of this work item", c.id))
    );
    let mut onto_self = a.fields.clone();
    onto_self.parent_id = Some(a.id);
    assert_eq!(
        field_errors(store.update_work_item(tester(), a.id, 1, onto_self, None).await),
        one_error("parent_id", "cycle", "a work item cannot be its own parent")
    );
    let ghost = WorkItemId::generate();
    let mut onto_ghost = a.fields.clone();
    onto_ghost.parent_id = Some(ghost);
    assert_eq!(
        field_errors(store.update_work_item(tester(), a.id, 1, onto_ghost, None).await),
        one_error("parent_id", "not_found", &format!("work item {ghost} does not exist"))
    );
    assert_eq!(store.get_work_item(a.id).await.expect("a unchanged"), a);

    // Moving C up under A (a non-descendant move) is fine.
    let mut under_a = c.fields.clone();
    under_a.parent_id = Some(a.id);
    let moved = store.update_work_item(tester(), c.id, 1, under_a, None).await.expect("move c");
    assert_eq!(moved.fields.parent_id, Some(a.id));
    let children = WorkItemFilter { parent: Some(a.id), ..Default::default() };
    assert_eq!(all_items(store, &children).await, vec![b.id, c.id]);
}

/// An item needs at most its team's capacity; a team cannot shrink below an assigned item's need.
pub async fn team_capacity_rules(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let team = store.create_team(tester(), team_fields("T", 3)).await.expect("team");
    let mut fields = work_item_fields(Some(project.id), None, "Heavy");
    fields.team_id = Some(team.id);
    fields.people_needed = headcount(4);
    assert_eq!(
        field_errors(store.create_work_item(tester(), fields.clone(), None).await),
        one_error("people_needed", "exceeds_capacity", "must be at most the team's capacity of 3 people")
    );
    fields.people_needed = headcount(3);
    let item = store.create_work_item(tester(), fields.clone(), None).await.expect("fits");
    fields.people_needed = headcount(5);
    assert_eq!(field_errors(store.update_work_item(tester(), item.id, 1, fields, None).await)[0].1, "exceeds_capacity");

    assert_eq!(
        field_errors(store.update_team(tester(), team.id, 1, team_fields("T", 2)).await),
        one_error("capacity", "below_demand", "must be at least 3: an assigned work item needs 3 people at once")
    );
    assert_eq!(store.get_team(team.id).await.expect("unchanged"), team);
    let grown = store.update_team(tester(), team.id, 1, team_fields("T", 6)).await.expect("grow");
    let shrunk =
        store.update_team(tester(), team.id, grown.meta.version, team_fields("T", 3)).await.expect("shrink to demand");
    assert_eq!(shrunk.fields.capacity.get(), 3);

    // Without a team there is no capacity to exceed.
    let mut free = work_item_fields(Some(project.id), None, "Free");
    free.people_needed = headcount(50);
    assert_eq!(store.create_work_item(tester(), free, None).await.expect("no team").fields.people_needed.get(), 50);
}

/// A bulk create with one bad item in the middle stores none; a good one stores all, in order.
pub async fn bulk_create_is_all_or_nothing(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let ghost = ProjectId::generate();
    let batch = vec![
        work_item_fields(Some(project.id), None, "One"),
        work_item_fields(Some(project.id), None, "Two"),
        work_item_fields(Some(ghost), None, "Bad"),
        work_item_fields(Some(project.id), None, "Four"),
    ];
    assert_eq!(
        field_errors(store.create_work_items(tester(), batch).await),
        one_error("project_id", "not_found", &format!("project {ghost} does not exist"))
    );
    assert_eq!(store.count_work_items(&WorkItemFilter::default()).await.expect("count"), 0);

    let titles = ["One", "Two", "Three"];
    let mut batch: Vec<_> = titles.iter().map(|t| work_item_fields(Some(project.id), None, t)).collect();
    batch[1].released_on = Some(day(2026, 5, 4));
    batch[2].percent_complete = percent(60);
    let created = store.create_work_items(tester(), batch).await.expect("bulk");
    assert_eq!(created.iter().map(|i| i.fields.title.as_str()).collect::<Vec<_>>(), titles);
    assert_eq!(created.iter().map(|i| i.fields.percent_complete.get()).collect::<Vec<_>>(), [0, 0, 60]);
    assert_eq!(created.iter().map(|i| i.fields.released_on).collect::<Vec<_>>(), [None, Some(day(2026, 5, 4)), None]);
    assert_eq!(created.iter().map(|i| i.rank.get()).collect::<Vec<_>>(), vec![0, 1024, 2048]);
    for item in &created {
        assert_eq!(&store.get_work_item(item.id).await.expect("get"), item);
    }
    assert_eq!(all_items(store, &WorkItemFilter::default()).await, created.iter().map(|i| i.id).collect::<Vec<_>>());
    assert_eq!(store.create_work_items(tester(), vec![]).await.expect("empty batch"), vec![]);
}

/// Summaries come back in the order asked, unknown nodes left out, repeats kept.
pub async fn node_summaries_order(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let product = store.create_product(tester(), product_fields("App")).await.expect("product");
    let first =
        store.create_work_item(tester(), work_item_fields(Some(project.id), None, "First"), None).await.expect("item");
    let idea =
        store.create_work_item(tester(), work_item_fields(None, Some(product.id), "Idea"), None).await.expect("item");
    let launch = store.create_milestone(tester(), milestone_fields(project.id, "Launch")).await.expect("milestone");
    let ghost = NodeRef::WorkItem(WorkItemId::generate());
    let asked = [NodeRef::Milestone(launch.id), ghost, w(&idea), w(&first), NodeRef::Milestone(launch.id)];
    let summaries = store.node_summaries(&asked).await.expect("summaries");
    let launch_summary =
        NodeSummary { node: NodeRef::Milestone(launch.id), title: "Launch".into(), project_id: Some(project.id) };
    assert_eq!(
        summaries,
        vec![
            launch_summary.clone(),
            NodeSummary { node: w(&idea), title: "Idea".into(), project_id: None },
            NodeSummary { node: w(&first), title: "First".into(), project_id: Some(project.id) },
            launch_summary,
        ]
    );
    assert_eq!(store.node_summaries(&[]).await.expect("empty"), vec![]);
}

/// A larger load: bulk creation in batches stays quick and counts, pages and filters agree.
pub async fn bulk_load_lists_quickly(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let started = std::time::Instant::now();
    for batch in 0..5 {
        let items =
            (0..1_000).map(|n| work_item_fields(Some(project.id), None, &format!("Item {batch}-{n}"))).collect();
        store.create_work_items(tester(), items).await.expect("batch");
    }
    let created_in = started.elapsed();
    assert!(created_in.as_secs() < 30, "5,000 items took {created_in:?}");
    assert_eq!(store.count_work_items(&WorkItemFilter::default()).await.expect("count"), 5_000);
    let by_rank = WorkItemFilter { order: WorkItemOrder::Rank, ..WorkItemFilter::default() };
    let page = store.list_work_items(&by_rank, &PageRequest::first(PageRequest::MAX_LIMIT)).await.expect("page");
    assert_eq!(page.items.len(), 500);
    assert_eq!(page.items[499].rank.get(), 499 * 1024);
    let next = store.list_work_items(&by_rank, &PageRequest { after: page.next_cursor, limit: 2 }).await.expect("next");
    assert_eq!(next.items.iter().map(|i| i.rank.get()).collect::<Vec<_>>(), vec![500 * 1024, 501 * 1024]);
}

/// Concurrent writes whose checks read the same data are serialised: of two dependencies that
/// together close a cycle only one is stored, and of two updates from one version only one wins.
pub async fn concurrent_writes_keep_the_rules(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    for round in 0..5 {
        let a = store.create_work_item(tester(), work_item_fields(Some(project.id), None, &format!("A{round}")), None);
        let a = a.await.expect("a");
        let b = store.create_work_item(tester(), work_item_fields(Some(project.id), None, &format!("B{round}")), None);
        let b = b.await.expect("b");
        let (forward, backward) = tokio::join!(
            store.create_dependency(tester(), dependency_fields(w(&a), w(&b))),
            store.create_dependency(tester(), dependency_fields(w(&b), w(&a))),
        );
        let outcomes = [forward, backward];
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "round {round}: {outcomes:?}");
        let refused = outcomes.into_iter().find_map(Result::err).expect("one refused");
        assert!(matches!(&refused, DomainError::Validation(e) if e.errors()[0].code == "cycle"), "{refused:?}");
        let filter = DependencyFilter { node: Some(w(&a)), ..Default::default() };
        assert_eq!(store.list_dependencies(&filter, &PageRequest::default()).await.expect("list").items.len(), 1);

        let (first, second) = tokio::join!(
            store.update_program(tester(), program.id, 1 + round, program_fields(&format!("First {round}"))),
            store.update_program(tester(), program.id, 1 + round, program_fields(&format!("Second {round}"))),
        );
        let outcomes = [first, second];
        assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1, "round {round}: {outcomes:?}");
        assert!(outcomes.iter().any(|o| matches!(o, Err(DomainError::VersionConflict { .. }))));
    }
    assert_eq!(store.get_program(program.id).await.expect("get").meta.version, 6);
}

/// The scale Tandem promises: 100,000 work items created in batches of 1,000 (with their audit
/// events), then filtered, rank-ordered pages and a count over all of them. Speed is measured by
/// `tandem load-test`, not here; backends run this `#[ignore]`d because it is slow in debug builds.
pub async fn hundred_thousand_items_page_and_count(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let projects = [
        store.create_project(tester(), project_fields(program.id, "A")).await.expect("project"),
        store.create_project(tester(), project_fields(program.id, "B")).await.expect("project"),
    ];
    for batch in 0..100 {
        let items = (0..1_000)
            .map(|n| work_item_fields(Some(projects[n % 2].id), None, &format!("Item {batch}-{n}")))
            .collect();
        store.create_work_items(tester(), items).await.expect("batch");
    }

    let by_rank = WorkItemFilter { project: Some(projects[1].id), order: WorkItemOrder::Rank, ..Default::default() };
    let page = store.list_work_items(&by_rank, &PageRequest::first(50)).await.expect("page");
    let next =
        store.list_work_items(&by_rank, &PageRequest { after: page.next_cursor, limit: 50 }).await.expect("next");
    assert_eq!(next.items[0].rank.get(), 101 * 1024);
    assert_eq!(store.count_work_items(&by_rank).await.expect("count"), 50_000);
    let created = AuditFilter { entity: Some(EntityKind::WorkItem), ..AuditFilter::default() };
    let newest = store.list_audit_events(&created, &PageRequest::first(1)).await.expect("trail");
    assert_eq!(newest.items[0].label, "Item 99-999");

    let variants = [
        WorkItemFilter::default(),
        WorkItemFilter { order: WorkItemOrder::Rank, ..Default::default() },
        WorkItemFilter { program: Some(program.id), ..Default::default() },
        WorkItemFilter { program: Some(program.id), order: WorkItemOrder::Rank, ..Default::default() },
        WorkItemFilter { status: Some(WorkItemStatus::Backlog), order: WorkItemOrder::Rank, ..Default::default() },
        WorkItemFilter { kind: Some(WorkItemKind::Story), ..Default::default() },
    ];
    for filter in variants {
        let page = store.list_work_items(&filter, &PageRequest::first(50)).await.expect("page");
        let next = store.list_work_items(&filter, &PageRequest { after: page.next_cursor, limit: 50 }).await;
        assert_eq!(next.expect("next page").items.len(), 50, "{filter:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Program schedules.

fn schedule_entry(
    node: NodeRef,
    title: &str,
    project: Option<ProjectId>,
    team: Option<TeamId>,
    periods: (i64, i64),
    dates: (NaiveDate, NaiveDate),
    critical: bool,
) -> tandem_domain::planning::ScheduleEntry {
    tandem_domain::planning::ScheduleEntry {
        node,
        title: title.to_owned(),
        project_id: project,
        team_id: team,
        people: if team.is_some() { 2 } else { 0 },
        start_period: periods.0,
        finish_period: periods.1,
        start: dates.0,
        finish: dates.1,
        critical,
        total_float: if critical { 0 } else { 3 },
    }
}

/// Saving stores a schedule field for field (u64 seeds and the options included); saving again
/// replaces it; an unknown program is refused; deleting an item it names keeps it readable;
/// deleting the program deletes it.
pub async fn program_schedules_save_and_latest(store: &dyn Store) {
    use tandem_domain::planning::{ProgramSchedule, ScheduleLink, ScheduleOptions};

    let program = store.create_program(tester(), program_fields("Core")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Ledger")).await.expect("project");
    let team = store.create_team(tester(), team_fields("Platform", 4)).await.expect("team");
    let item =
        store.create_work_item(tester(), work_item_fields(Some(project.id), None, "Build"), None).await.expect("item");
    let milestone = store.create_milestone(tester(), milestone_fields(project.id, "Go live")).await.expect("milestone");
    assert_eq!(store.latest_program_schedule(program.id).await.expect("latest"), None);

    let computed_at = chrono::DateTime::from_timestamp_micros(1_790_000_000_123_456).expect("a real instant");
    let first = ProgramSchedule {
        program_id: program.id,
        computed_at,
        options: ScheduleOptions::new(Some(500), Some(u64::MAX), Some(2_500)).expect("valid options"),
        schedules_used: 500,
        makespan: 4,
        finish: day(2026, 2, 5),
        critical_path_makespan: 3,
        critical_path_finish: day(2026, 2, 4),
        periods: vec![day(2026, 2, 2), day(2026, 2, 3), day(2026, 2, 4), day(2026, 2, 5)],
        diagnostics: vec!["1 dependency with an end outside this program left out".to_owned(), "second".to_owned()],
        entries: vec![
            schedule_entry(
                w(&item),
                "Build",
                Some(project.id),
                Some(team.id),
                (0, 4),
                (day(2026, 2, 2), day(2026, 2, 5)),
                true,
            ),
            schedule_entry(
                NodeRef::Milestone(milestone.id),
                "Go live",
                Some(project.id),
                None,
                (4, 4),
                (day(2026, 2, 6), day(2026, 2, 6)),
                false,
            ),
        ],
        links: vec![ScheduleLink { predecessor: 0, successor: 1, kind: DependencyKind::StartToFinish, lag: -2 }],
    };
    store.save_program_schedule(&first).await.expect("save");
    assert_eq!(store.latest_program_schedule(program.id).await.expect("latest"), Some(first.clone()));

    let mut second = first.clone();
    second.options = ScheduleOptions::default();
    second.computed_at = computed_at + chrono::Duration::seconds(60);
    second.diagnostics.clear();
    second.links.clear();
    second.entries.truncate(1);
    second.makespan = 3;
    second.periods.truncate(3);
    store.save_program_schedule(&second).await.expect("save again");
    assert_eq!(store.latest_program_schedule(program.id).await.expect("latest"), Some(second.clone()));

    let mut stray = second.clone();
    stray.program_id = ProgramId::generate();
    let refused = field_errors(store.save_program_schedule(&stray).await);
    assert_eq!(refused, one_error("program_id", "not_found", &format!("program {} does not exist", stray.program_id)));
    assert_eq!(store.latest_program_schedule(stray.program_id).await.expect("latest"), None);

    store.delete_work_item(tester(), item.id, None).await.expect("delete the scheduled item");
    assert_eq!(store.latest_program_schedule(program.id).await.expect("latest"), Some(second));

    store.delete_milestone(tester(), milestone.id, None).await.expect("delete milestone");
    store.delete_project(tester(), project.id, None).await.expect("delete project");
    store.delete_program(tester(), program.id, None).await.expect("delete the scheduled program");
    assert_eq!(store.latest_program_schedule(program.id).await.expect("latest"), None);
}

/// A forecast computed from the store's own records (a risk included) reads back field for field,
/// floats and every date included; it keeps its inputs' versions, so an edit shows as a change;
/// saving again replaces it; an unknown program is refused; deleting an item it names keeps it
/// readable; deleting the program deletes it.
pub async fn program_forecasts_save_and_latest(store: &dyn Store) {
    use tandem_domain::forecasting::{
        Distribution, ForecastOptions, forecast_program, input_changes, load_forecast_inputs,
    };

    let program = store.create_program(tester(), program_fields("Core")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Ledger")).await.expect("project");
    let first_item =
        store.create_work_item(tester(), work_item_fields(Some(project.id), None, "Build"), None).await.expect("item");
    let second_item =
        store.create_work_item(tester(), work_item_fields(Some(project.id), None, "Test"), None).await.expect("item");
    let milestone = store.create_milestone(tester(), milestone_fields(project.id, "Go live")).await.expect("milestone");
    let link = DependencyFields::parse(DependencyInput {
        predecessor: w(&first_item),
        successor: NodeRef::Milestone(milestone.id),
        kind: DependencyKind::FinishToStart,
        lag_days: 0,
    })
    .expect("valid dependency");
    store.create_dependency(tester(), link).await.expect("dependency");
    let risk = store
        .create_risk(tester(), risk_fields(program.id, None, vec![second_item.id], "Vendor late"))
        .await
        .expect("risk");
    assert_eq!(store.latest_program_forecast(program.id).await.expect("latest"), None);

    let inputs = load_forecast_inputs(store, program.id).await.expect("inputs");
    // Program, project, 2 items, milestone, dependency, risk.
    assert_eq!(inputs.versions().len(), 7);
    let computed_at = chrono::DateTime::from_timestamp_micros(1_790_000_000_123_456).expect("a real instant");
    let options = ForecastOptions::new(Some(300), Some(u64::MAX), false, Distribution::Triangular).expect("options");
    let first = forecast_program(&inputs, options, computed_at, "tester", &|_, _| {}).expect("forecast");
    assert_eq!(first.risks.len(), 1);
    assert_eq!(first.risks[0].risk_id, risk.id);
    assert_eq!(first.activity_forecasts.len(), 3);
    assert!(first.activity_forecasts.iter().any(|a| a.sensitivity != 0.0), "sampled durations drive the finish");
    store.save_program_forecast(&first).await.expect("save");
    let read = store.latest_program_forecast(program.id).await.expect("latest").expect("a forecast");
    assert_eq!(read, first);

    // The forecast knows when its inputs move on.
    let mut renamed = first_item.fields.clone();
    renamed.title = Name::parse("title", "Build it").expect("valid title");
    store.update_work_item(tester(), first_item.id, first_item.meta.version, renamed, None).await.expect("update");
    let now = load_forecast_inputs(store, program.id).await.expect("inputs").versions();
    assert_eq!(input_changes(&read.inputs, &now).changed, 1);

    let resource_options = ForecastOptions::new(Some(50), Some(7), true, Distribution::Pert).expect("options");
    let second =
        forecast_program(&inputs, resource_options, computed_at + chrono::Duration::seconds(60), "ada", &|_, _| {})
            .expect("forecast");
    assert_eq!(second.schedules_used.map(|n| n > 0), Some(true));
    store.save_program_forecast(&second).await.expect("save again");
    assert_eq!(store.latest_program_forecast(program.id).await.expect("latest"), Some(second.clone()));

    let mut stray = second.clone();
    stray.program_id = ProgramId::generate();
    let refused = field_errors(store.save_program_forecast(&stray).await);
    assert_eq!(refused, one_error("program_id", "not_found", &format!("program {} does not exist", stray.program_id)));
    assert_eq!(store.latest_program_forecast(stray.program_id).await.expect("latest"), None);

    store.delete_risk(tester(), risk.id, None).await.expect("delete the risk");
    store.delete_work_item(tester(), second_item.id, None).await.expect("delete a forecast item");
    assert_eq!(store.latest_program_forecast(program.id).await.expect("latest"), Some(second));

    store.delete_work_item(tester(), first_item.id, None).await.expect("delete item");
    store.delete_milestone(tester(), milestone.id, None).await.expect("delete milestone");
    store.delete_project(tester(), project.id, None).await.expect("delete project");
    store.delete_program(tester(), program.id, None).await.expect("delete the forecast program");
    assert_eq!(store.latest_program_forecast(program.id).await.expect("latest"), None);
}

/// A program whose project "Ledger" (from Monday 2026-02-02) has "Build" (three certain working
/// days, Monday to Wednesday the 4th) then, finish-to-start, milestone "Go live"; its forecast
/// (network only, or resource-aware), as of the program's start (its status date), not the day
/// the forecast is computed.
pub async fn milestone_after_work_forecast(
    store: &dyn Store,
    resource_aware: bool,
) -> tandem_domain::forecasting::ProgramForecast {
    use tandem_domain::forecasting::{Distribution, ForecastOptions, forecast_program, load_forecast_inputs};

    let mut program_fields = program_fields("Core");
    program_fields.status_date = Some(day(2026, 1, 5));
    let program = store.create_program(tester(), program_fields).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Ledger")).await.expect("project");
    let mut fields = work_item_fields(Some(project.id), None, "Build");
    fields.estimate = tandem_domain::Estimate::new(3.0, 3.0, 3.0).expect("valid estimate");
    let item = store.create_work_item(tester(), fields, None).await.expect("item");
    let milestone = store.create_milestone(tester(), milestone_fields(project.id, "Go live")).await.expect("milestone");
    let link = DependencyFields::parse(DependencyInput {
        predecessor: w(&item),
        successor: NodeRef::Milestone(milestone.id),
        kind: DependencyKind::FinishToStart,
        lag_days: 0,
    })
    .expect("valid dependency");
    store.create_dependency(tester(), link).await.expect("dependency");
    let inputs = load_forecast_inputs(store, program.id).await.expect("inputs");
    let options = ForecastOptions::new(Some(50), Some(3), resource_aware, Distribution::Pert).expect("options");
    let computed_at = chrono::DateTime::from_timestamp_micros(1_790_000_000_000_000).expect("a real instant");
    forecast_program(&inputs, options, computed_at, "tester", &|_, _| {}).expect("forecast")
}

/// A milestone reached by finishing work (finish-to-start) is dated on that work's last day, the
/// program's finish, not the working day after it; the forecast reads back with that date and
/// its rule, as saved.
pub async fn forecast_milestone_after_work_round_trips_with_its_date(store: &dyn Store) {
    use tandem_domain::forecasting::DateRule;

    for resource_aware in [false, true] {
        let forecast = milestone_after_work_forecast(store, resource_aware).await;
        let date = forecast.milestones[0].date;
        assert_eq!(date.rule, DateRule::LastWorkingDay);
        // Three certain days from the project's start, Monday 2026-02-02: on the work's last day,
        // Wednesday the 4th, the program's finish (not Thursday, the milestone's own period).
        let work = forecast
            .activity_forecasts
            .iter()
            .find(|a| matches!(a.node, NodeRef::WorkItem(_)))
            .expect("the item's line");
        assert_eq!(date.periods.p80, work.finish.periods.p80);
        assert_eq!((date.p10, date.p80, date.p95), (day(2026, 2, 4), day(2026, 2, 4), day(2026, 2, 4)));
        assert_eq!(date.p80, work.finish.p80);
        assert_eq!(date.p80, forecast.finish.p80);
        assert_eq!(forecast.date(date.periods.p80), day(2026, 2, 5));
        store.save_program_forecast(&forecast).await.expect("save");
        let read = store.latest_program_forecast(forecast.program_id).await.expect("latest").expect("a forecast");
        assert_eq!(read.milestones[0].date, date);
        assert_eq!(read, forecast);
    }
}

/// After `clear_rules` empties `forecast_lines.date_rule` (as on lines saved before the column),
/// a forecast reads back dated by node type, as it was computed then: the milestone by its own
/// period, the work by its last working day.
pub async fn forecast_lines_without_a_rule_are_dated_by_node_type(store: &dyn Store, clear_rules: impl AsyncFnOnce()) {
    use tandem_domain::forecasting::DateRule;

    let forecast = milestone_after_work_forecast(store, false).await;
    store.save_program_forecast(&forecast).await.expect("save");
    clear_rules().await;
    let read = store.latest_program_forecast(forecast.program_id).await.expect("latest").expect("a forecast");
    let date = read.milestones[0].date;
    assert_eq!((date.rule, date.periods), (DateRule::OnThePeriod, forecast.milestones[0].date.periods));
    assert_eq!((date.p10, date.p80), (day(2026, 2, 5), day(2026, 2, 5)));
    let dated: Vec<(DateRule, NaiveDate)> =
        read.activity_forecasts.iter().map(|a| (a.finish.rule, a.finish.p80)).collect();
    assert_eq!(dated, [(DateRule::LastWorkingDay, day(2026, 2, 4)), (DateRule::OnThePeriod, day(2026, 2, 5))]);
    assert_eq!(read.projects, forecast.projects);
    assert_eq!(read.finish, forecast.finish);
}

/// The versions a staleness check reads are exactly those of the records a forecast loads: the
/// program, its projects, their items (done ones too) and milestones, every dependency with an
/// end in the program (also one leading out of it), the teams its items name and its risks of
/// every status; nothing of another program, product-only items or unused teams. An edit moves
/// one version; backlog moves and story edits (which the forecast does not read) move none, an
/// estimate or status change does; an unknown program is `NotFound`.
/// A program's work progress summed by the store equals the domain's rule applied item by item
/// ([`tandem_domain::progress::ProgramProgress::from_items`]), with the exact figures.
pub async fn program_progress_sums_the_leaves(store: &dyn Store) {
    use tandem_domain::progress::{ProgramProgress, WorkTotals};

    let actor = tester();
    let core = store.create_program(actor, program_fields("Core")).await.expect("program");
    let other = store.create_program(actor, program_fields("Other")).await.expect("program");
    let ledger = store.create_project(actor, project_fields(core.id, "Ledger")).await.expect("project");
    let cards = store.create_project(actor, project_fields(core.id, "Cards")).await.expect("project");
    let idle = store.create_project(actor, project_fields(core.id, "Idle")).await.expect("project");
    let outside = store.create_project(actor, project_fields(other.id, "Outside")).await.expect("project");
    let product = store.create_product(actor, product_fields("App")).await.expect("product");
    let item = |project: Option<ProjectId>, title: &str, status: WorkItemStatus, days: f64, done: i64| {
        let mut fields = work_item_fields(project, project.is_none().then_some(product.id), title);
        fields.status = status;
        fields.estimate = tandem_domain::Estimate::new(days / 2.0, days, days * 2.5).expect("estimate");
        fields.percent_complete = percent(done);
        fields
    };
    let create = |fields| async { store.create_work_item(actor, fields, None).await.expect("item") };
    // Ledger: a summary (not counted) over an in-progress child and a done child; a cancelled
    // item (not counted). PERT means: (0.5 d + 4 d + 2.5 d) / 6 = 7 d / 6.
    let epic = create(item(Some(ledger.id), "Epic", WorkItemStatus::InProgress, 60.0, 50)).await;
    let mut child = item(Some(ledger.id), "Child", WorkItemStatus::InProgress, 6.0, 30);
    child.parent_id = Some(epic.id);
    create(child).await;
    let mut shipped = item(Some(ledger.id), "Shipped", WorkItemStatus::Done, 12.0, 0);
    shipped.parent_id = Some(epic.id);
    create(shipped).await;
    create(item(Some(ledger.id), "Dropped", WorkItemStatus::Cancelled, 30.0, 0)).await;
    // Cards: ready work with some progress recorded, and backlog work.
    create(item(Some(cards.id), "Ready", WorkItemStatus::Ready, 18.0, 10)).await;
    create(item(Some(cards.id), "Later", WorkItemStatus::Backlog, 24.0, 0)).await;
    // Outside the program, and in no project: not counted.
    create(item(Some(outside.id), "Theirs", WorkItemStatus::Done, 6.0, 0)).await;
    create(item(None, "Product only", WorkItemStatus::Done, 6.0, 0)).await;

    let progress = store.program_progress(core.id).await.expect("progress");
    let mut ids = vec![ledger.id, cards.id, idle.id];
    ids.sort();
    assert_eq!(progress.projects.iter().map(|p| p.project_id).collect::<Vec<_>>(), ids);
    let close = |a: WorkTotals, b: WorkTotals| {
        (a.items, a.done_items, a.in_progress_items) == (b.items, b.done_items, b.in_progress_items)
            && (a.estimated_days - b.estimated_days).abs() < 1e-9
            && (a.done_days - b.done_days).abs() < 1e-9
    };
    let expected = |items, done_items, in_progress_items, estimated_days, done_days| WorkTotals {
        items,
        done_items,
        in_progress_items,
        estimated_days,
        done_days,
    };
    // Ledger: 7 + 14 days estimated; 14 done plus 30 % of 7.
    assert!(close(progress.of(ledger.id), expected(2, 1, 1, 21.0, 14.0 + 2.1)), "{:?}", progress.of(ledger.id));
    // Cards: 21 + 28 days; 10 % of 21.
    assert!(close(progress.of(cards.id), expected(2, 0, 0, 49.0, 2.1)), "{:?}", progress.of(cards.id));
    assert_eq!(progress.of(idle.id), WorkTotals::default());
    let total = progress.total();
    assert!(close(total, expected(4, 1, 1, 70.0, 18.2)), "{total:?}");

    // The same as the rule applied to the loaded items.
    let loaded = tandem_domain::planning::load_planning_input(store, core.id).await.expect("inputs");
    let reference = ProgramProgress::from_items(&ids, &loaded.work_items);
    for (stored, by_rule) in progress.projects.iter().zip(&reference.projects) {
        assert_eq!(stored.project_id, by_rule.project_id);
        assert!(close(stored.totals, by_rule.totals), "{stored:?} {by_rule:?}");
    }

    let ghost = ProgramId::generate();
    assert_eq!(not_found(store.program_progress(ghost).await), (EntityKind::Program, ghost.to_string()));
}

pub async fn forecast_input_versions_are_the_loaded_inputs(store: &dyn Store) {
    use tandem_domain::forecasting::{input_changes, load_forecast_inputs};

    let actor = tester();
    let core = store.create_program(actor, program_fields("Core")).await.expect("program");
    let other = store.create_program(actor, program_fields("Other")).await.expect("program");
    let ledger = store.create_project(actor, project_fields(core.id, "Ledger")).await.expect("project");
    let cards = store.create_project(actor, project_fields(core.id, "Cards")).await.expect("project");
    let outside = store.create_project(actor, project_fields(other.id, "Outside")).await.expect("project");
    let product = store.create_product(actor, product_fields("App")).await.expect("product");
    let mut teams = Vec::new();
    for name in ["Platform", "Mobile", "Data"] {
        teams.push(store.create_team(actor, team_fields(name, 2)).await.expect("team"));
    }
    let item = |project: Option<ProjectId>, title: &str, team: Option<TeamId>, done: bool| {
        let mut fields = work_item_fields(project, project.is_none().then_some(product.id), title);
        fields.team_id = team;
        if done {
            fields.status = WorkItemStatus::Done;
        }
        fields
    };
    let build = store.create_work_item(actor, item(Some(ledger.id), "Build", Some(teams[0].id), false), None).await;
    let build = build.expect("item");
    let shipped = store.create_work_item(actor, item(Some(cards.id), "Shipped", Some(teams[1].id), true), None).await;
    let shipped = shipped.expect("item");
    let elsewhere = store.create_work_item(actor, item(Some(outside.id), "Elsewhere", Some(teams[2].id), false), None);
    let elsewhere = elsewhere.await.expect("item");
    store.create_work_item(actor, item(None, "Product only", Some(teams[2].id), false), None).await.expect("item");
    let go_live = store.create_milestone(actor, milestone_fields(ledger.id, "Go live")).await.expect("milestone");
    let their_go_live = store.create_milestone(actor, milestone_fields(outside.id, "Theirs")).await.expect("milestone");
    for (from, to) in [
        (w(&build), NodeRef::Milestone(go_live.id)),
        (w(&shipped), NodeRef::Milestone(their_go_live.id)),
        (w(&elsewhere), NodeRef::Milestone(their_go_live.id)),
    ] {
        store.create_dependency(actor, dependency_fields(from, to)).await.expect("dependency");
    }
    let mut closed = risk_fields(core.id, Some(cards.id), vec![shipped.id], "Closed one");
    closed.status = RiskStatus::Closed;
    store.create_risk(actor, closed).await.expect("risk");
    store.create_risk(actor, risk_fields(core.id, None, vec![build.id], "Open one")).await.expect("risk");
    store.create_risk(actor, risk_fields(other.id, None, vec![], "Theirs")).await.expect("risk");

    for program in [core.id, other.id] {
        let loaded = load_forecast_inputs(store, program).await.expect("inputs").versions();
        assert_eq!(store.forecast_input_versions(program).await.expect("versions"), loaded);
    }
    let versions = store.forecast_input_versions(core.id).await.expect("versions");
    let count = |entity: EntityKind| versions.iter().filter(|v| v.entity == entity).count();
    let counts: Vec<usize> = [
        EntityKind::Program,
        EntityKind::Project,
        EntityKind::WorkItem,
        EntityKind::Milestone,
        EntityKind::Dependency,
        EntityKind::Team,
        EntityKind::Risk,
    ]
    .into_iter()
    .map(count)
    .collect();
    assert_eq!(counts, [1, 2, 2, 1, 2, 2, 2]);

    let mut renamed = build.fields.clone();
    renamed.title = Name::parse("title", "Build it").expect("valid title");
    store.update_work_item(actor, build.id, build.meta.version, renamed, None).await.expect("update");
    let now = store.forecast_input_versions(core.id).await.expect("versions");
    assert_eq!(now, load_forecast_inputs(store, core.id).await.expect("inputs").versions());
    let changes = input_changes(&versions, &now);
    assert_eq!((changes.changed, changes.added, changes.removed), (1, 0, 0));

    // What the forecast does not read leaves it current: a backlog move renumbers the product's
    // items, those in the program's projects too (new record versions), and a story edit bumps
    // the item's version; neither moves a work item's input version.
    use tandem_domain::backlog::{BacklogDetails, BacklogPosition, BulkEdit, RankMove, UserStory, UserStoryInput};
    let shared = store
        .create_work_item(actor, work_item_fields(Some(ledger.id), Some(product.id), "Shared"), None)
        .await
        .expect("item");
    let kept = store.forecast_input_versions(core.id).await.expect("versions");
    let product_only = store
        .list_work_items(
            &WorkItemFilter { product: Some(product.id), ..WorkItemFilter::default() },
            &PageRequest::first(10),
        )
        .await
        .expect("items")
        .items
        .into_iter()
        .find(|i| i.fields.placement.project_id().is_none())
        .expect("the product-only item");
    let moved = store.move_in_backlog(actor, product.id, product_only.id, BacklogPosition::Top).await.expect("move");
    let shared_now = moved.iter().find(|i| i.id == shared.id).expect("shared is in the backlog");
    assert!(shared_now.meta.version > shared.meta.version, "the move renumbered the shared item");
    let story = UserStory::parse(&UserStoryInput {
        as_a: "teller".into(),
        i_want: "one ledger".into(),
        so_that: "balances agree".into(),
        acceptance_criteria: vec!["Totals match".into()],
    })
    .expect("valid story");
    let details = BacklogDetails { story: Some(story), ..BacklogDetails::default() };
    let storied = store.set_backlog_details(actor, shared.id, shared_now.meta.version, details).await.expect("story");
    let bottom = BulkEdit::new(vec![shared.id], None, Some(RankMove::Bottom)).expect("valid edit");
    store.bulk_edit_work_items(actor, &bottom).await.expect("bulk move");
    let after_moves = store.forecast_input_versions(core.id).await.expect("versions");
    assert_eq!(after_moves, kept, "rank and story edits are not forecast inputs");
    assert_eq!(after_moves, load_forecast_inputs(store, core.id).await.expect("inputs").versions());
    assert!(input_changes(&kept, &after_moves).is_current());

    // A change the forecast reads still shows: the estimate, then the status.
    let stored = store.get_work_item(shared.id).await.expect("item");
    assert!(stored.meta.version > storied.meta.version);
    let mut longer = stored.fields.clone();
    longer.estimate = tandem_domain::Estimate::new(2.0, 3.0, 9.0).expect("valid estimate");
    let longer = store.update_work_item(actor, shared.id, stored.meta.version, longer, None).await.expect("update");
    let now = store.forecast_input_versions(core.id).await.expect("versions");
    assert_eq!(now, load_forecast_inputs(store, core.id).await.expect("inputs").versions());
    assert_eq!(
        input_changes(&kept, &now),
        tandem_domain::forecasting::InputChanges { changed: 1, added: 0, removed: 0 }
    );
    let done = BulkEdit::new(vec![shared.id], Some(WorkItemStatus::Done), None).expect("valid edit");
    store.bulk_edit_work_items(actor, &done).await.expect("bulk status");
    let later = store.forecast_input_versions(core.id).await.expect("versions");
    assert_eq!(input_changes(&now, &later).changed, 1, "a status change is an input change");
    assert!(longer.meta.version > 1);

    let unknown = ProgramId::generate();
    assert_eq!(not_found(store.forecast_input_versions(unknown).await), (EntityKind::Program, unknown.to_string()));
}

// ---------------------------------------------------------------------------------------------
// Accounts, grants, visibility and the audit trail.

/// A valid user (not an admin).
pub fn user_fields(username: &str) -> UserFields {
    UserFields::parse(UserInput {
        username: username.into(),
        display_name: format!("{username} Example"),
        is_admin: false,
        disabled: false,
    })
    .expect("valid user")
}

async fn whole_trail(store: &dyn Store, filter: &AuditFilter) -> Vec<AuditEvent> {
    let page = store.list_audit_events(filter, &PageRequest::first(PageRequest::MAX_LIMIT)).await.expect("trail");
    assert_eq!(page.next_cursor, None, "fixtures fit one page");
    page.items
}

fn change(field: &str, before: Option<&str>, after: Option<&str>) -> FieldChange {
    FieldChange { field: field.into(), before: before.map(Into::into), after: after.map(Into::into) }
}

/// Every write leaves one event with its fields before and after, newest first; refused writes
/// and updates that change nothing leave none; cascaded deletes leave one per record.
pub async fn audit_trail_records_every_change(store: &dyn Store) {
    let alice = Actor { user_id: None, name: "alice".into() };
    let program = store.create_program(&alice, program_fields("Ledger")).await.expect("program");
    let mut renamed = program_fields("Ledger 2");
    renamed.budget = None;
    let program2 = store.update_program(tester(), program.id, 1, renamed.clone()).await.expect("update");
    // Refused (stale version) and no-op updates leave no trace.
    assert!(store.update_program(tester(), program.id, 1, renamed.clone()).await.is_err());
    store.update_program(tester(), program.id, 2, renamed).await.expect("no-op update");

    let by_program = AuditFilter {
        entity: Some(EntityKind::Program),
        record_id: Some(program.id.to_string()),
        ..AuditFilter::default()
    };
    let events = whole_trail(store, &by_program).await;
    assert_eq!(events.len(), 2, "{events:?}");
    // A record id no record has, NUL characters included (PostgreSQL cannot compare those),
    // matches nothing.
    for odd in [format!("{}\u{0}", program.id), "\u{0}".to_owned(), "x' OR '1'='1".to_owned()] {
        let filter = AuditFilter { record_id: Some(odd.clone()), ..AuditFilter::default() };
        let page = store.list_audit_events(&filter, &PageRequest::first(10)).await.expect("a page");
        assert_eq!((page.items.len(), page.next_cursor), (0, None), "{odd:?}");
    }
    let (update, create) = (&events[0], &events[1]);
    assert_eq!((update.action, create.action), (AuditAction::Updated, AuditAction::Created));
    assert_eq!(&update.actor, tester());
    assert_eq!(create.actor, alice);
    assert_eq!(update.label, "Ledger 2");
    assert_eq!(
        update.changes,
        vec![change("name", Some("Ledger"), Some("Ledger 2")), change("budget", Some("1500000"), None)]
    );
    assert_eq!(
        create.changes,
        vec![
            change("name", None, Some("Ledger")),
            change("goal", None, Some("Move every branch onto the new core banking platform")),
            change("sponsor", None, Some("Grace Hopper")),
            change("phase", None, Some("delivery")),
            change("start_date", None, Some("2026-01-05")),
            change("target_end", None, Some("2026-12-18")),
            change("budget", None, Some("1500000")),
            change("currency", None, Some("EUR")),
        ]
    );
    assert!(update.at >= create.at);
    assert_eq!(program2.meta.version, 2);
    let stored = store.get_program(program.id).await.expect("get");
    assert_eq!(stored.meta.version, 3, "the no-op update still took a version");

    // A deleted work item takes its dependencies with it, each with its own event.
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let a = store.create_work_item(tester(), work_item_fields(Some(project.id), None, "A"), None).await.expect("a");
    let b = store.create_work_item(tester(), work_item_fields(Some(project.id), None, "B"), None).await.expect("b");
    let link = store.create_dependency(tester(), dependency_fields(w(&a), w(&b))).await.expect("link");
    store.delete_work_item(&alice, a.id, Some(1)).await.expect("delete");
    let deletions =
        whole_trail(store, &AuditFilter { action: Some(AuditAction::Deleted), ..AuditFilter::default() }).await;
    let described: Vec<(EntityKind, String, String)> =
        deletions.iter().map(|e| (e.entity, e.record_id.clone(), e.actor.name.clone())).collect();
    assert_eq!(
        described,
        vec![
            (EntityKind::WorkItem, a.id.to_string(), "alice".to_owned()),
            (EntityKind::Dependency, link.id.to_string(), "alice".to_owned()),
        ]
    );
    let fields: Vec<&str> = deletions[0].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields[..3], ["kind", "project_id", "title"], "absent fields (product, parent) are left out");
    assert_eq!(deletions[0].changes[2], change("title", Some("A"), None));

    // Filters: by actor name's id (none here: system actors), by time window, by entity.
    let items = whole_trail(store, &AuditFilter { entity: Some(EntityKind::WorkItem), ..AuditFilter::default() }).await;
    assert_eq!(
        items.iter().map(|e| e.action).collect::<Vec<_>>(),
        [AuditAction::Deleted, AuditAction::Created, AuditAction::Created]
    );
    let later = AuditFilter { since: Some(deletions[0].at + chrono::TimeDelta::seconds(1)), ..AuditFilter::default() };
    assert_eq!(whole_trail(store, &later).await, vec![]);

    // Paging walks the trail newest first, each event once.
    let mut seen = Vec::new();
    let mut page = PageRequest::first(2);
    loop {
        let found = store.list_audit_events(&AuditFilter::default(), &page).await.expect("page");
        seen.extend(found.items.iter().map(|e| e.id));
        match found.next_cursor {
            Some(cursor) => page.after = Some(cursor),
            None => break,
        }
    }
    let all = whole_trail(store, &AuditFilter::default()).await;
    assert_eq!(seen, all.iter().map(|e| e.id).collect::<Vec<_>>());
    assert_eq!(all.len(), 8, "program created and updated, project, two items, link, item and link deleted");
}

/// Users, sessions, the login throttle and tokens read back as written, with their rules.
pub async fn accounts_round_trip(store: &dyn Store) {
    assert_eq!(store.count_users().await.expect("count"), 0);
    let alice = store.create_user(tester(), user_fields("Alice"), "hash-1".into()).await.expect("alice");
    assert_eq!(alice.fields.username.as_str(), "alice");
    assert_eq!(
        field_errors(store.create_user(tester(), user_fields("ALICE"), "hash-2".into()).await),
        one_error("username", "taken", "is already taken")
    );
    let bob = store.create_user(tester(), user_fields("bob"), "hash-b".into()).await.expect("bob");
    assert_eq!(store.count_users().await.expect("count"), 2);
    assert_eq!(store.get_user(alice.id).await.expect("get"), alice);
    let listed = store.list_users(&PageRequest::first(1)).await.expect("list");
    assert_eq!(listed.items, vec![alice.clone()]);
    let rest = store.list_users(&PageRequest { after: listed.next_cursor, limit: 5 }).await.expect("list");
    assert_eq!((rest.items, rest.next_cursor), (vec![bob.clone()], None));
    // A cursor that is no username (PostgreSQL cannot even compare a NUL) is no cursor.
    for garbage in ["", "a\u{0}b", "\u{0}", "Alice", "not a username"] {
        let request = PageRequest { after: Some(Cursor(garbage.into())), limit: 3 };
        assert_eq!(
            field_errors(store.list_users(&request).await),
            one_error("cursor", "invalid", "is not a cursor from a previous page of this list"),
            "{garbage:?}"
        );
    }

    let name = Username::parse("username", "alice").expect("name");
    let (found, hash) = store.find_credentials(&name).await.expect("find").expect("alice exists");
    assert_eq!((found, hash.as_str()), (alice.clone(), "hash-1"));
    let nobody = Username::parse("username", "nobody").expect("name");
    assert_eq!(store.find_credentials(&nobody).await.expect("find"), None);

    // Sessions: found by digest; a password change ends them.
    let now = tandem_domain::record::now();
    let (session, cookie) = Session::start(alice.id, now);
    store.create_session(&session).await.expect("session");
    let digest = tandem_domain::accounts::secret_digest(&cookie);
    let (read, user) = store.find_session(&digest).await.expect("find").expect("session exists");
    assert_eq!((read, user.id), (session.clone(), alice.id));
    store.set_password(tester(), alice.id, "hash-3".into()).await.expect("password");
    assert_eq!(store.find_session(&digest).await.expect("find"), None);
    assert_eq!(store.find_credentials(&name).await.expect("find").map(|(_, h)| h), Some("hash-3".to_owned()));
    let (session2, cookie2) = Session::start(alice.id, now);
    store.create_session(&session2).await.expect("session");
    store.delete_session(&tandem_domain::accounts::secret_digest(&cookie2)).await.expect("logout");
    assert_eq!(store.find_session(&session2.digest).await.expect("find"), None);

    // Updates are versioned; disabling ends sessions.
    let (session3, _) = Session::start(alice.id, now);
    store.create_session(&session3).await.expect("session");
    let mut disabled = alice.fields.clone();
    disabled.disabled = true;
    let alice2 = store.update_user(tester(), alice.id, 1, disabled).await.expect("disable");
    assert_eq!((alice2.meta.version, alice2.fields.disabled), (2, true));
    assert_eq!(store.find_session(&session3.digest).await.expect("find"), None);
    let mut renamed = bob.fields.clone();
    renamed.username = Username::parse("username", "alice").expect("name");
    assert_eq!(
        field_errors(store.update_user(tester(), bob.id, 1, renamed).await),
        one_error("username", "taken", "is already taken")
    );

    // The throttle counts per username and clears.
    assert_eq!(store.login_failures("carol").await.expect("read"), None);
    assert_eq!(store.record_login_failure("carol").await.expect("fail").count, 1);
    assert_eq!(store.record_login_failure("carol").await.expect("fail").count, 2);
    assert_eq!(store.login_failures("carol").await.expect("read").map(|f| f.count), Some(2));
    store.clear_login_failures("carol").await.expect("clear");
    assert_eq!(store.login_failures("carol").await.expect("read"), None);

    // Tokens: stored without their secret, found by digest, newest first, revoked once.
    let expires = now + chrono::TimeDelta::days(30);
    let first = NewApiToken::issue(bob.id, "CI", TokenScope::Read, expires, now).expect("token");
    let second = NewApiToken::issue(bob.id, "Laptop", TokenScope::ReadWrite, expires, now).expect("token");
    assert_eq!(store.create_api_token(tester(), &first).await.expect("create"), first.token);
    store.create_api_token(tester(), &second).await.expect("create");
    let (token, owner) = store.find_api_token(&first.digest).await.expect("find").expect("exists");
    assert_eq!((token, owner.id), (first.token.clone(), bob.id));
    assert_eq!(store.find_api_token(&tandem_domain::accounts::secret_digest("tdm_guess")).await.expect("find"), None);
    let names: Vec<String> =
        store.list_api_tokens(Some(bob.id)).await.expect("list").iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["Laptop", "CI"]);
    assert_eq!(store.list_api_tokens(Some(alice.id)).await.expect("list"), vec![]);
    let revoked = store.revoke_api_token(tester(), first.token.id).await.expect("revoke");
    let when = revoked.revoked_at.expect("revoked");
    let again = store.revoke_api_token(tester(), first.token.id).await.expect("revoke again");
    assert_eq!(again.revoked_at, Some(when), "the first revocation time stays");
    let stranger =
        NewApiToken::issue(tandem_domain::UserId::generate(), "x", TokenScope::Read, expires, now).expect("t");
    assert_eq!(field_errors(store.create_api_token(tester(), &stranger).await)[0].1, "not_found");

    // Each of these writes is in the trail; the password event carries no hash.
    let users = whole_trail(store, &AuditFilter { entity: Some(EntityKind::User), ..AuditFilter::default() }).await;
    assert_eq!(users.iter().map(|e| e.action).collect::<Vec<_>>().len(), 4);
    let password = users.iter().find(|e| e.changes.iter().any(|c| c.field == "password")).expect("password event");
    assert_eq!(password.changes, vec![change("password", None, Some("changed"))]);
    let tokens =
        whole_trail(store, &AuditFilter { entity: Some(EntityKind::ApiToken), ..AuditFilter::default() }).await;
    assert_eq!(tokens.len(), 3, "two created, one revoked (the repeat changed nothing)");
}

/// Grants: one per user and scope, both must exist; they go (with their events) with the scope.
pub async fn grants_rules(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let product = store.create_product(tester(), product_fields("App")).await.expect("product");
    let user = store.create_user(tester(), user_fields("pat"), "h".into()).await.expect("user");
    let owner = store.create_grant(tester(), user.id, GrantScope::Program(program.id), Role::Owner).await.expect("g");
    let viewer = store.create_grant(tester(), user.id, GrantScope::Product(product.id), Role::Viewer).await.expect("g");
    assert_eq!(store.get_grant(owner.id).await.expect("get"), owner);
    assert_eq!(
        field_errors(store.create_grant(tester(), user.id, GrantScope::Program(program.id), Role::Viewer).await),
        one_error("user_id", "duplicate", "the user already has a role on this program")
    );
    let missing = ProjectId::generate();
    assert_eq!(
        field_errors(store.create_grant(tester(), user.id, GrantScope::Project(missing), Role::Viewer).await)[0].0,
        "scope_id"
    );
    let nobody = tandem_domain::UserId::generate();
    assert_eq!(
        field_errors(store.create_grant(tester(), nobody, GrantScope::Program(program.id), Role::Viewer).await)[0].0,
        "user_id"
    );
    let mine = store.list_grants(&GrantFilter { user: Some(user.id), scope: None }).await.expect("list");
    assert_eq!(mine, vec![owner.clone(), viewer.clone()]);
    let on_product =
        store.list_grants(&GrantFilter { user: None, scope: Some(GrantScope::Product(product.id)) }).await.expect("l");
    assert_eq!(on_product, vec![viewer.clone()]);

    store.delete_grant(tester(), viewer.id).await.expect("revoke");
    assert_eq!(not_found(store.get_grant(viewer.id).await).0, EntityKind::Grant);
    store.delete_program(tester(), program.id, None).await.expect("delete program");
    assert_eq!(store.list_grants(&GrantFilter { user: Some(user.id), scope: None }).await.expect("list"), vec![]);
    let trail = whole_trail(store, &AuditFilter { entity: Some(EntityKind::Grant), ..AuditFilter::default() }).await;
    let actions: Vec<(AuditAction, String)> = trail.iter().map(|e| (e.action, e.record_id.clone())).collect();
    assert_eq!(
        actions,
        vec![
            (AuditAction::Deleted, owner.id.to_string()),
            (AuditAction::Deleted, viewer.id.to_string()),
            (AuditAction::Created, viewer.id.to_string()),
            (AuditAction::Created, owner.id.to_string()),
        ]
    );
    assert_eq!(trail[0].label, format!("owner of program {}", program.id));
}

/// `visible` limits every list to the given programs and products: projects, milestones and
/// items through their program, items also through their product, dependencies by both ends.
pub async fn visibility_limits_lists(store: &dyn Store) {
    let seen = store.create_program(tester(), program_fields("Seen")).await.expect("program");
    let hidden = store.create_program(tester(), program_fields("Hidden")).await.expect("program");
    let shown_product = store.create_product(tester(), product_fields("Shown")).await.expect("product");
    let other_product = store.create_product(tester(), product_fields("Other")).await.expect("product");
    let p1 = store.create_project(tester(), project_fields(seen.id, "Seen project")).await.expect("project");
    let p2 = store.create_project(tester(), project_fields(hidden.id, "Hidden project")).await.expect("project");
    let item = |project, product, title| work_item_fields(project, product, title);
    let in_seen = store.create_work_item(tester(), item(Some(p1.id), None, "in seen"), None).await.expect("i");
    let in_hidden = store.create_work_item(tester(), item(Some(p2.id), None, "in hidden"), None).await.expect("i");
    let via_product = store
        .create_work_item(tester(), item(Some(p2.id), Some(shown_product.id), "via product"), None)
        .await
        .expect("i");
    let other = store.create_work_item(tester(), item(None, Some(other_product.id), "other"), None).await.expect("i");
    let m1 = store.create_milestone(tester(), milestone_fields(p1.id, "M seen")).await.expect("m");
    store.create_milestone(tester(), milestone_fields(p2.id, "M hidden")).await.expect("m");
    let both = store.create_dependency(tester(), dependency_fields(w(&in_seen), w(&via_product))).await.expect("d");
    store.create_dependency(tester(), dependency_fields(w(&in_seen), w(&in_hidden))).await.expect("d");
    let to_milestone = store
        .create_dependency(tester(), dependency_fields(w(&via_product), NodeRef::Milestone(m1.id)))
        .await
        .expect("d");
    store.create_dependency(tester(), dependency_fields(w(&other), w(&in_seen))).await.expect("d");

    let visible = Some(Visibility { programs: vec![seen.id], products: vec![shown_product.id] });
    let page = PageRequest::default();
    let programs = ProgramFilter { visible: visible.clone(), ..ProgramFilter::default() };
    assert_eq!(
        store.list_programs(&programs, &page).await.expect("list").items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [seen.id]
    );
    let projects = ProjectFilter { visible: visible.clone(), ..ProjectFilter::default() };
    assert_eq!(
        store.list_projects(&projects, &page).await.expect("list").items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [p1.id]
    );
    let products = ProductFilter { visible: visible.clone() };
    assert_eq!(
        store.list_products(&products, &page).await.expect("list").items.iter().map(|p| p.id).collect::<Vec<_>>(),
        [shown_product.id]
    );
    let items = WorkItemFilter { visible: visible.clone(), ..WorkItemFilter::default() };
    assert_eq!(all_items(store, &items).await, [in_seen.id, via_product.id]);
    assert_eq!(store.count_work_items(&items).await.expect("count"), 2);
    let milestones = MilestoneFilter { visible: visible.clone(), ..MilestoneFilter::default() };
    assert_eq!(
        store.list_milestones(&milestones, &page).await.expect("list").items.iter().map(|m| m.id).collect::<Vec<_>>(),
        [m1.id]
    );
    let dependencies = DependencyFilter { visible: visible.clone(), ..DependencyFilter::default() };
    let ids: Vec<_> =
        store.list_dependencies(&dependencies, &page).await.expect("list").items.iter().map(|d| d.id).collect();
    assert_eq!(ids, [both.id, to_milestone.id]);

    let nothing = Some(Visibility::default());
    assert_eq!(
        store
            .list_programs(&ProgramFilter { visible: nothing.clone(), ..ProgramFilter::default() }, &page)
            .await
            .expect("l")
            .items,
        vec![]
    );
    assert_eq!(
        store.count_work_items(&WorkItemFilter { visible: nothing, ..WorkItemFilter::default() }).await.expect("c"),
        0
    );
}

// ---------------------------------------------------------------------------------------------
// The risk register.

async fn all_risks(store: &dyn Store, filter: &RiskFilter) -> Vec<RiskId> {
    let page = store.list_risks(filter, &PageRequest::first(PageRequest::MAX_LIMIT)).await.expect("list risks");
    assert_eq!(page.next_cursor, None, "fixtures fit one page");
    page.items.iter().map(|r| r.id).collect()
}

/// A risk reads back field for field with its hits and mitigation actions in order; an update
/// replaces them whole; every write is in the trail.
pub async fn risks_round_trip(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let a = store.create_work_item(tester(), work_item_fields(Some(project.id), None, "A"), None).await.expect("a");
    let b = store.create_work_item(tester(), work_item_fields(Some(project.id), None, "B"), None).await.expect("b");
    let fields = risk_fields(program.id, Some(project.id), vec![b.id, a.id], "Vendor late");
    let created = store.create_risk(tester(), fields.clone()).await.expect("create");
    assert_eq!((created.fields.clone(), created.meta.version), (fields.clone(), 1));
    let read = store.get_risk(created.id).await.expect("get");
    assert_eq!(read, created);
    assert_eq!(read.fields.work_item_ids, vec![b.id, a.id], "hits keep their order");
    assert_eq!(read.fields.mitigations.iter().map(|m| m.done).collect::<Vec<_>>(), [true, false]);
    assert_eq!(read.fields.score().value(), 9, "probability band 3 (40 %) x impact band 3 (5.5 days)");

    let mut changed = fields.clone();
    changed.project_id = None;
    changed.work_item_ids = vec![a.id];
    changed.mitigations.reverse();
    changed.mitigations.truncate(1);
    changed.status = RiskStatus::Occurring;
    changed.cost_impact = None;
    changed.owner = None;
    let updated = store.update_risk(tester(), created.id, 1, changed.clone()).await.expect("update");
    assert_eq!((updated.fields.clone(), updated.meta.version), (changed.clone(), 2));
    assert_eq!(store.get_risk(created.id).await.expect("get"), updated);
    match store.update_risk(tester(), created.id, 1, fields.clone()).await {
        Err(DomainError::VersionConflict { entity: EntityKind::Risk, expected: 1, actual: 2, .. }) => {}
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(store.get_risk(created.id).await.expect("get"), updated, "a stale update changes nothing");

    let listed = store.list_risks(&RiskFilter::default(), &PageRequest::default()).await.expect("list");
    assert_eq!((listed.items, listed.next_cursor), (vec![updated.clone()], None));

    store.delete_risk(tester(), created.id, Some(2)).await.expect("delete");
    assert_eq!(not_found(store.get_risk(created.id).await), (EntityKind::Risk, created.id.to_string()));
    store.delete_work_item(tester(), a.id, None).await.expect("a risk's hits go with it");

    let trail = whole_trail(
        store,
        &AuditFilter {
            entity: Some(EntityKind::Risk),
            record_id: Some(created.id.to_string()),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(
        trail.iter().map(|e| e.action).collect::<Vec<_>>(),
        [AuditAction::Deleted, AuditAction::Updated, AuditAction::Created]
    );
    assert_eq!(trail[2].label, "Vendor late");
    let created_values: Vec<(&str, Option<&str>)> =
        trail[2].changes.iter().map(|c| (c.field.as_str(), c.after.as_deref())).collect();
    let project_text = project.id.to_string();
    let hits_text = format!("{}, {}", b.id, a.id);
    assert_eq!(created_values[1], ("project_id", Some(project_text.as_str())));
    assert_eq!(created_values[7], ("probability", Some("40")));
    assert_eq!(created_values[9], ("schedule_impact.most_likely", Some("5.5")));
    assert_eq!(created_values[11], ("work_item_ids", Some(hits_text.as_str())));
    assert_eq!(
        created_values[14],
        (
            "mitigations",
            Some("Weekly call with the vendor (due 2026-03-02, done)\nBuild against a mock (due 2026-04-01)")
        )
    );
    let update_fields: Vec<&str> = trail[1].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        update_fields,
        ["project_id", "owner", "work_item_ids", "cost_impact", "mitigations", "status"],
        "only what changed"
    );
    assert_eq!(trail[1].changes[5], change("status", Some("open"), Some("occurring")));
}

/// A risk's program and project exist and belong together; every hit exists in a project of
/// the risk's program.
pub async fn risk_references_lie_in_the_program(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let other = store.create_program(tester(), program_fields("Other")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let elsewhere = store.create_project(tester(), project_fields(other.id, "Elsewhere")).await.expect("project");
    let product = store.create_product(tester(), product_fields("App")).await.expect("product");
    let mine =
        store.create_work_item(tester(), work_item_fields(Some(project.id), None, "Mine"), None).await.expect("i");
    let theirs =
        store.create_work_item(tester(), work_item_fields(Some(elsewhere.id), None, "Theirs"), None).await.expect("i");
    let backlog_only =
        store.create_work_item(tester(), work_item_fields(None, Some(product.id), "Backlog"), None).await.expect("i");

    let missing_program = ProgramId::generate();
    assert_eq!(
        field_errors(store.create_risk(tester(), risk_fields(missing_program, None, vec![], "R")).await),
        one_error("program_id", "not_found", &format!("program {missing_program} does not exist"))
    );
    let missing_item = WorkItemId::generate();
    let fields =
        risk_fields(program.id, Some(elsewhere.id), vec![mine.id, missing_item, theirs.id, backlog_only.id], "R");
    assert_eq!(
        field_errors(store.create_risk(tester(), fields).await),
        vec![
            (
                "project_id".to_owned(),
                "other_program",
                format!("project {} is not in program {}", elsewhere.id, program.id)
            ),
            ("work_item_ids[1]".to_owned(), "not_found", format!("work item {missing_item} does not exist")),
            (
                "work_item_ids[2]".to_owned(),
                "other_program",
                format!("work item {} is not in a project of program {}", theirs.id, program.id)
            ),
            (
                "work_item_ids[3]".to_owned(),
                "other_program",
                format!("work item {} is not in a project of program {}", backlog_only.id, program.id)
            ),
        ]
    );
    let missing_project = ProjectId::generate();
    assert_eq!(
        field_errors(store.create_risk(tester(), risk_fields(program.id, Some(missing_project), vec![], "R")).await),
        one_error("project_id", "not_found", &format!("project {missing_project} does not exist"))
    );
    assert_eq!(all_risks(store, &RiskFilter::default()).await, vec![], "nothing was stored");

    let risk = store.create_risk(tester(), risk_fields(program.id, None, vec![mine.id], "R")).await.expect("risk");
    assert_eq!(
        field_errors(
            store.update_risk(tester(), risk.id, 1, risk_fields(program.id, None, vec![theirs.id], "R")).await
        )[0]
        .1,
        "other_program"
    );
    assert_eq!(store.get_risk(risk.id).await.expect("get").meta.version, 1);
}

/// A program or project with risks, and a work item a risk hits, are not deleted.
pub async fn risks_hold_their_program_project_and_work_items(store: &dyn Store) {
    let program = store.create_program(tester(), program_fields("P")).await.expect("program");
    let project = store.create_project(tester(), project_fields(program.id, "Core")).await.expect("project");
    let item = store.create_work_item(tester(), work_item_fields(Some(project.id), None, "A"), None).await.expect("a");
    let program_risk =
        store.create_risk(tester(), risk_fields(program.id, None, vec![item.id], "Wide")).await.expect("risk");
    let project_risk = store
        .create_risk(tester(), risk_fields(program.id, Some(project.id), vec![item.id], "Local"))
        .await
        .expect("r");
    assert_eq!(
        in_use(store.delete_work_item(tester(), item.id, None).await),
        (EntityKind::WorkItem, item.id.to_string(), "it is hit by 2 risks".to_owned())
    );
    assert_eq!(in_use(store.delete_project(tester(), project.id, None).await).2, "it still has 1 work item and 1 risk");
    assert_eq!(in_use(store.delete_program(tester(), program.id, None).await).2, "it still has 1 project and 2 risks");
    store.delete_risk(tester(), project_risk.id, None).await.expect("delete");
    assert_eq!(in_use(store.delete_work_item(tester(), item.id, None).await).2, "it is hit by 1 risk");
    let mut unhooked = program_risk.fields.clone();
    unhooked.work_item_ids.clear();
    store.update_risk(tester(), program_risk.id, 1, unhooked).await.expect("update");
    store.delete_work_item(tester(), item.id, None).await.expect("no longer hit");
    store.delete_project(tester(), project.id, None).await.expect("no longer holds risks");
    assert_eq!(in_use(store.delete_program(tester(), program.id, None).await).2, "it still has 1 risk");
    store.delete_risk(tester(), program_risk.id, Some(2)).await.expect("delete");
    store.delete_program(tester(), program.id, None).await.expect("empty program");
}

/// Risk lists filter by program, project, status and category, and by what a user may read.
pub async fn risk_filters_and_visibility(store: &dyn Store) {
    let seen = store.create_program(tester(), program_fields("Seen")).await.expect("program");
    let hidden = store.create_program(tester(), program_fields("Hidden")).await.expect("program");
    let project = store.create_project(tester(), project_fields(seen.id, "Core")).await.expect("project");
    let wide = store.create_risk(tester(), risk_fields(seen.id, None, vec![], "Wide")).await.expect("risk");
    let mut closed_fields = risk_fields(seen.id, Some(project.id), vec![], "Closed");
    closed_fields.status = RiskStatus::Closed;
    closed_fields.category = RiskCategory::Cost;
    let closed = store.create_risk(tester(), closed_fields).await.expect("risk");
    let other = store.create_risk(tester(), risk_fields(hidden.id, None, vec![], "Other")).await.expect("risk");

    assert_eq!(all_risks(store, &RiskFilter::default()).await, [wide.id, closed.id, other.id]);
    let by = |filter: RiskFilter| async move { all_risks(store, &filter).await };
    assert_eq!(by(RiskFilter { program: Some(seen.id), ..RiskFilter::default() }).await, [wide.id, closed.id]);
    assert_eq!(by(RiskFilter { project: Some(project.id), ..RiskFilter::default() }).await, [closed.id]);
    assert_eq!(by(RiskFilter { status: Some(RiskStatus::Open), ..RiskFilter::default() }).await, [wide.id, other.id]);
    assert_eq!(by(RiskFilter { category: Some(RiskCategory::Cost), ..RiskFilter::default() }).await, [closed.id]);
    let visible = Some(Visibility { programs: vec![seen.id], products: vec![] });
    assert_eq!(by(RiskFilter { visible: visible.clone(), ..RiskFilter::default() }).await, [wide.id, closed.id]);
    assert_eq!(
        by(RiskFilter { visible, status: Some(RiskStatus::Closed), ..RiskFilter::default() }).await,
        [closed.id]
    );
    assert_eq!(by(RiskFilter { visible: Some(Visibility::default()), ..RiskFilter::default() }).await, vec![]);

    // Pages of one walk every risk once.
    let first = store.list_risks(&RiskFilter::default(), &PageRequest::first(2)).await.expect("page");
    assert_eq!(first.items.iter().map(|r| r.id).collect::<Vec<_>>(), [wide.id, closed.id]);
    let rest = store
        .list_risks(&RiskFilter::default(), &PageRequest { after: first.next_cursor, limit: 2 })
        .await
        .expect("page");
    assert_eq!((rest.items.iter().map(|r| r.id).collect::<Vec<_>>(), rest.next_cursor), (vec![other.id], None));
    assert_eq!(rest.items[0].fields.mitigations.len(), 2, "listed risks carry their actions");
}

// Product strategy: objectives and key results.
mod strategy;
pub use strategy::{
    key_result_input, objective_fields, objective_rules, objectives_round_trip, roadmap_entries_round_trip,
};
// ---------------------------------------------------------------------------------------------
// Product backlog: user stories, prioritization inputs, reordering and bulk edits.

fn backlog_details_example() -> tandem_domain::backlog::BacklogDetails {
    use tandem_domain::backlog::{self, PrioritizationInput, UserStory, UserStoryInput};
    use tandem_domain::prioritization::{Cd3Input, RiceInput, WsjfInput};
    let story = UserStory::parse(&UserStoryInput {
        as_a: "returning shopper".into(),
        i_want: "to save my cart".into(),
        so_that: "I can finish later".into(),
        acceptance_criteria: vec!["Cart kept 30 days".into(), "Works signed out".into()],
    })
    .expect("valid story");
    let scores = backlog::parse_prioritization(&PrioritizationInput {
        rice: Some(RiceInput { reach: 2000.0, impact: 2.0, confidence: 80.0, effort: 4.0 }),
        wsjf: Some(WsjfInput { business_value: 8, time_criticality: 5, risk_reduction: 3, job_size: 5 }),
        cd3: Some(Cd3Input { cost_of_delay_per_week: 10_000, duration_weeks: 4.0 }),
        moscow: Some("must".into()),
        impact_effort: Some((8, 3)),
    })
    .expect("valid scores");
    backlog::BacklogDetails { story: Some(story), scores }
}

/// Backlog details round-trip exactly, bump the item's version, name a stale version as a
/// conflict, leave one audit event on the work item per change, and go with the item.
pub async fn backlog_details_round_trip(store: &dyn Store) {
    use tandem_domain::backlog::BacklogDetails;
    use tandem_domain::prioritization::Framework;
    let actor = tester();
    let product = store.create_product(actor, product_fields("Shop")).await.unwrap();
    let item =
        store.create_work_item(actor, work_item_fields(None, Some(product.id), "Save cart"), None).await.unwrap();
    let other = store.create_work_item(actor, work_item_fields(None, Some(product.id), "Plain"), None).await.unwrap();
    let unknown = WorkItemId::generate();

    let read = store.backlog_details(&[other.id, unknown, item.id]).await.unwrap();
    assert_eq!(read, vec![(other.id, BacklogDetails::default()), (item.id, BacklogDetails::default())]);

    let details = backlog_details_example();
    let updated = store.set_backlog_details(actor, item.id, 1, details.clone()).await.unwrap();
    assert_eq!(updated.meta.version, 2);
    assert_eq!(updated.fields, item.fields);
    assert_eq!(updated.rank, item.rank);
    let read = store.backlog_details(&[item.id]).await.unwrap();
    assert_eq!(read, vec![(item.id, details.clone())]);
    let scores = read[0].1.scores;
    assert_eq!(scores.score(Framework::Rice), Some(800.0));
    assert_eq!(scores.score(Framework::Wsjf), Some(3.2));
    assert_eq!(scores.score(Framework::Cd3), Some(2500.0));
    assert_eq!(scores.score(Framework::Moscow), Some(3.0));
    assert_eq!(scores.score(Framework::ImpactEffort), Some(8.0 / 3.0));

    match store.set_backlog_details(actor, item.id, 1, BacklogDetails::default()).await {
        Err(DomainError::VersionConflict { expected: 1, actual: 2, .. }) => {}
        other => panic!("expected a version conflict, got {other:?}"),
    }
    assert_eq!(store.backlog_details(&[item.id]).await.unwrap()[0].1, details);

    let filter = AuditFilter {
        entity: Some(EntityKind::WorkItem),
        record_id: Some(item.id.to_string()),
        action: Some(AuditAction::Updated),
        ..AuditFilter::default()
    };
    let events = whole_trail(store, &filter).await;
    assert_eq!(events.len(), 1);
    let changes: Vec<(&str, Option<&str>, Option<&str>)> =
        events[0].changes.iter().map(|c| (c.field.as_str(), c.before.as_deref(), c.after.as_deref())).collect();
    assert_eq!(
        changes,
        vec![
            ("story.as_a", None, Some("returning shopper")),
            ("story.i_want", None, Some("to save my cart")),
            ("story.so_that", None, Some("I can finish later")),
            ("story.acceptance_criteria", None, Some("Cart kept 30 days\nWorks signed out")),
            ("rice.reach", None, Some("2000")),
            ("rice.impact", None, Some("2")),
            ("rice.confidence", None, Some("80")),
            ("rice.effort", None, Some("4")),
            ("wsjf.business_value", None, Some("8")),
            ("wsjf.time_criticality", None, Some("5")),
            ("wsjf.risk_reduction", None, Some("3")),
            ("wsjf.job_size", None, Some("5")),
            ("cd3.cost_of_delay_per_week", None, Some("10000")),
            ("cd3.duration_weeks", None, Some("4")),
            ("moscow", None, Some("must")),
            ("impact_effort.impact", None, Some("8")),
            ("impact_effort.effort", None, Some("3")),
        ]
    );

    // Clearing removes the row; the item keeps working.
    let cleared = store.set_backlog_details(actor, item.id, 2, BacklogDetails::default()).await.unwrap();
    assert_eq!(cleared.meta.version, 3);
    assert_eq!(store.backlog_details(&[item.id]).await.unwrap()[0].1, BacklogDetails::default());
    store.set_backlog_details(actor, item.id, 3, details).await.unwrap();
    store.delete_work_item(actor, item.id, Some(4)).await.unwrap();
    assert_eq!(store.backlog_details(&[item.id]).await.unwrap(), vec![]);
    // The delete event keeps the details the item took with it, after its own fields.
    let filter = AuditFilter { action: Some(AuditAction::Deleted), ..filter };
    let events = whole_trail(store, &filter).await;
    assert_eq!(events.len(), 1);
    let fields: Vec<(&str, Option<&str>)> =
        events[0].changes.iter().map(|c| (c.field.as_str(), c.before.as_deref())).collect();
    assert_eq!(fields.first(), Some(&("kind", Some("story"))));
    assert!(fields.contains(&("title", Some("Save cart"))), "{fields:?}");
    let tail = &fields[fields.iter().position(|f| f.0 == "rank").expect("the rank") + 1..];
    assert_eq!(
        tail,
        [
            ("story.as_a", Some("returning shopper")),
            ("story.i_want", Some("to save my cart")),
            ("story.so_that", Some("I can finish later")),
            ("story.acceptance_criteria", Some("Cart kept 30 days\nWorks signed out")),
            ("rice.reach", Some("2000")),
            ("rice.impact", Some("2")),
            ("rice.confidence", Some("80")),
            ("rice.effort", Some("4")),
            ("wsjf.business_value", Some("8")),
            ("wsjf.time_criticality", Some("5")),
            ("wsjf.risk_reduction", Some("3")),
            ("wsjf.job_size", Some("5")),
            ("cd3.cost_of_delay_per_week", Some("10000")),
            ("cd3.duration_weeks", Some("4")),
            ("moscow", Some("must")),
            ("impact_effort.impact", Some("8")),
            ("impact_effort.effort", Some("3")),
        ]
    );
    assert!(events[0].changes.iter().all(|c| c.after.is_none()));
    // An item without details is deleted with its own fields alone.
    store.delete_work_item(actor, other.id, None).await.unwrap();
    let filter = AuditFilter { record_id: Some(other.id.to_string()), ..filter };
    let events = whole_trail(store, &filter).await;
    assert_eq!(events[0].changes.last().map(|c| c.field.as_str()), Some("rank"));
    assert_eq!(
        not_found(store.set_backlog_details(actor, unknown, 1, BacklogDetails::default()).await),
        (EntityKind::WorkItem, unknown.to_string())
    );
}

/// A move renumbers the product's items 1024, 2048, ... in the new order; only the items whose
/// rank changed get a version and an audit event; other products' items are untouched.
pub async fn backlog_moves_renumber_ranks(store: &dyn Store) {
    use tandem_domain::backlog::BacklogPosition;
    let actor = tester();
    let product = store.create_product(actor, product_fields("Shop")).await.unwrap();
    let elsewhere = store.create_product(actor, product_fields("Other")).await.unwrap();
    let mut ids = Vec::new();
    for (title, rank) in [("A", 10), ("B", 20), ("C", 30), ("D", 40)] {
        let fields = work_item_fields(None, Some(product.id), title);
        ids.push(store.create_work_item(actor, fields, Some(Rank::new(rank))).await.unwrap().id);
    }
    let outsider = store
        .create_work_item(actor, work_item_fields(None, Some(elsewhere.id), "X"), Some(Rank::new(15)))
        .await
        .unwrap();
    let [a, b, c, d] = [ids[0], ids[1], ids[2], ids[3]];

    let moved = store.move_in_backlog(actor, product.id, d, BacklogPosition::Before(b)).await.unwrap();
    let order: Vec<(WorkItemId, i64, i64)> = moved.iter().map(|i| (i.id, i.rank.get(), i.meta.version)).collect();
    assert_eq!(order, vec![(a, 1024, 2), (d, 2048, 2), (b, 3072, 2), (c, 4096, 2)]);
    let listed = all_items(
        store,
        &WorkItemFilter { product: Some(product.id), order: WorkItemOrder::Rank, ..Default::default() },
    )
    .await;
    assert_eq!(listed, vec![a, d, b, c]);
    assert_eq!(store.get_work_item(outsider.id).await.unwrap(), outsider);

    // Already numbered: moving C after A changes the ranks of D, B and C only.
    let moved = store.move_in_backlog(actor, product.id, c, BacklogPosition::After(a)).await.unwrap();
    let order: Vec<(WorkItemId, i64, i64)> = moved.iter().map(|i| (i.id, i.rank.get(), i.meta.version)).collect();
    assert_eq!(order, vec![(a, 1024, 2), (c, 2048, 3), (d, 3072, 3), (b, 4096, 3)]);
    let moved = store.move_in_backlog(actor, product.id, a, BacklogPosition::Bottom).await.unwrap();
    assert_eq!(moved.iter().map(|i| i.id).collect::<Vec<_>>(), vec![c, d, b, a]);
    let moved = store.move_in_backlog(actor, product.id, b, BacklogPosition::Index(0)).await.unwrap();
    assert_eq!(moved.iter().map(|i| i.id).collect::<Vec<_>>(), vec![b, c, d, a]);

    let filter = AuditFilter {
        entity: Some(EntityKind::WorkItem),
        record_id: Some(c.to_string()),
        action: Some(AuditAction::Updated),
        ..AuditFilter::default()
    };
    let events = whole_trail(store, &filter).await;
    let ranks: Vec<Vec<FieldChange>> = events.into_iter().map(|e| e.changes).collect();
    assert_eq!(
        ranks,
        vec![
            vec![FieldChange { field: "rank".into(), before: Some("1024".into()), after: Some("2048".into()) }],
            vec![FieldChange { field: "rank".into(), before: Some("2048".into()), after: Some("1024".into()) }],
            vec![FieldChange { field: "rank".into(), before: Some("4096".into()), after: Some("2048".into()) }],
            vec![FieldChange { field: "rank".into(), before: Some("30".into()), after: Some("4096".into()) }],
        ],
        "newest first"
    );

    assert_eq!(
        field_errors(store.move_in_backlog(actor, product.id, outsider.id, BacklogPosition::Top).await),
        one_error("item_id", "not_found", &format!("work item {} is not in this backlog", outsider.id))
    );
    assert_eq!(
        field_errors(store.move_in_backlog(actor, product.id, a, BacklogPosition::After(outsider.id)).await),
        one_error("after_id", "not_found", &format!("work item {} is not in this backlog", outsider.id))
    );
    let missing = ProductId::generate();
    assert_eq!(
        field_errors(store.move_in_backlog(actor, missing, a, BacklogPosition::Top).await),
        one_error("product_id", "not_found", &format!("product {missing} does not exist"))
    );
}

/// A bulk edit sets the status and moves the items to the top or bottom of their own product's
/// items, keeping their order; an unknown id fails the whole edit naming `ids[i]`.
pub async fn bulk_edits_are_all_or_nothing(store: &dyn Store) {
    use tandem_domain::backlog::{BulkEdit, RankMove};
    let actor = tester();
    let product = store.create_product(actor, product_fields("Shop")).await.unwrap();
    let mut items = Vec::new();
    for (title, rank) in [("A", 100), ("B", 200), ("C", 300), ("D", 400)] {
        let fields = work_item_fields(None, Some(product.id), title);
        items.push(store.create_work_item(actor, fields, Some(Rank::new(rank))).await.unwrap());
    }
    let ids: Vec<WorkItemId> = items.iter().map(|i| i.id).collect();

    let unknown = WorkItemId::generate();
    let edit = BulkEdit::new(vec![ids[0], unknown, ids[1]], Some(WorkItemStatus::Done), None).unwrap();
    assert_eq!(
        field_errors(store.bulk_edit_work_items(actor, &edit).await),
        one_error("ids[1]", "not_found", &format!("work item {unknown} does not exist"))
    );
    assert_eq!(store.get_work_item(ids[0]).await.unwrap(), items[0], "nothing changed");

    // D and B (given in that order) to the top: B then D, before A's 100.
    let edit = BulkEdit::new(vec![ids[3], ids[1]], Some(WorkItemStatus::Ready), Some(RankMove::Top)).unwrap();
    let edited = store.bulk_edit_work_items(actor, &edit).await.unwrap();
    let summary: Vec<(WorkItemId, i64, WorkItemStatus, i64)> =
        edited.iter().map(|i| (i.id, i.rank.get(), i.fields.status, i.meta.version)).collect();
    assert_eq!(
        summary,
        vec![(ids[3], 100 - 1024, WorkItemStatus::Ready, 2), (ids[1], 100 - 2048, WorkItemStatus::Ready, 2)]
    );
    let order = all_items(
        store,
        &WorkItemFilter { product: Some(product.id), order: WorkItemOrder::Rank, ..Default::default() },
    )
    .await;
    assert_eq!(order, vec![ids[1], ids[3], ids[0], ids[2]]);

    let edit = BulkEdit::new(vec![ids[1]], None, Some(RankMove::Bottom)).unwrap();
    let edited = store.bulk_edit_work_items(actor, &edit).await.unwrap();
    assert_eq!((edited[0].rank.get(), edited[0].fields.status), (300 + 1024, WorkItemStatus::Ready));

    // Setting the status an item already has changes nothing and leaves no event.
    let edit = BulkEdit::new(vec![ids[0], ids[3]], Some(WorkItemStatus::Ready), None).unwrap();
    let edited = store.bulk_edit_work_items(actor, &edit).await.unwrap();
    assert_eq!(edited.iter().map(|i| i.meta.version).collect::<Vec<_>>(), vec![2, 2]);
    let filter = AuditFilter {
        entity: Some(EntityKind::WorkItem),
        record_id: Some(ids[3].to_string()),
        action: Some(AuditAction::Updated),
        ..AuditFilter::default()
    };
    let events = whole_trail(store, &filter).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].changes,
        vec![
            FieldChange { field: "status".into(), before: Some("backlog".into()), after: Some("ready".into()) },
            FieldChange { field: "rank".into(), before: Some("400".into()), after: Some((100 - 1024).to_string()) },
        ]
    );

    // Top and bottom are those of each item's own product: another product's extreme ranks (and
    // the items in no product) play no part, and nothing ties at a limit.
    let limit = tandem_domain::work_item::RANK_LIMIT;
    let other = store.create_product(actor, product_fields("Other")).await.unwrap();
    for (rank, title) in [(limit, "Far down"), (-limit, "Far up")] {
        let fields = work_item_fields(None, Some(other.id), title);
        store.create_work_item(actor, fields, Some(Rank::new(rank))).await.unwrap();
    }
    let loose = store.create_work_item(actor, work_item_fields(None, Some(other.id), "Loose"), None).await.unwrap();
    assert_eq!(loose.rank, Rank::new(limit + 1024));
    let edit = BulkEdit::new(vec![ids[0], ids[2], loose.id], None, Some(RankMove::Bottom)).unwrap();
    let edited = store.bulk_edit_work_items(actor, &edit).await.unwrap();
    assert_eq!(
        edited.iter().map(|i| i.rank.get()).collect::<Vec<_>>(),
        vec![1324 + 1024, 1324 + 2048, limit + 2048],
        "A and C after B (1324) in the shop, Loose after itself in the other"
    );
    let edit = BulkEdit::new(vec![ids[0], loose.id], None, Some(RankMove::Top)).unwrap();
    let edited = store.bulk_edit_work_items(actor, &edit).await.unwrap();
    assert_eq!(
        edited.iter().map(|i| i.rank.get()).collect::<Vec<_>>(),
        vec![100 - 1024 - 1024, -limit - 1024],
        "before D (-924) in the shop"
    );
}

// ---------------------------------------------------------------------------------------------
// Feedback and research: segments and insights.

pub fn segment_fields(product: ProductId, name: &str, weight: f64) -> tandem_domain::evidence::SegmentFields {
    tandem_domain::evidence::SegmentFields::parse(tandem_domain::evidence::SegmentInput {
        product_id: product,
        name: name.to_owned(),
        description: format!("{name} customers"),
        weight,
    })
    .expect("valid segment")
}

pub fn insight_fields(
    product: ProductId,
    customer: &str,
    segment: Option<tandem_domain::SegmentId>,
    features: Vec<WorkItemId>,
    date: NaiveDate,
) -> tandem_domain::evidence::InsightFields {
    tandem_domain::evidence::InsightFields::parse(tandem_domain::evidence::InsightInput {
        product_id: product,
        source: tandem_domain::evidence::InsightSource::Interview,
        source_reference: "call-7".to_owned(),
        customer: customer.to_owned(),
        segment_id: segment,
        date: Some(date),
        quote: format!("{customer} needs this"),
        importance: tandem_domain::evidence::Importance::Important,
        feature_ids: features,
    })
    .expect("valid insight")
}

/// Segments and insights read back as written, keep their feature order, list newest first with
/// the feature and inbox filters, and leave create/update/delete in the trail.
pub async fn evidence_round_trip(store: &dyn Store) {
    use tandem_domain::evidence::{Importance, InsightFilter};
    let product = store.create_product(tester(), product_fields("Shop")).await.expect("product");
    let a = store.create_work_item(tester(), work_item_fields(None, Some(product.id), "A"), None).await.expect("a");
    let b = store.create_work_item(tester(), work_item_fields(None, Some(product.id), "B"), None).await.expect("b");
    let smb = store.create_segment(tester(), segment_fields(product.id, "SMB", 0.5)).await.expect("segment");
    let enterprise =
        store.create_segment(tester(), segment_fields(product.id, "Enterprise", 2.0)).await.expect("segment");
    assert_eq!(store.get_segment(smb.id).await.expect("get"), smb);
    assert_eq!(store.list_segments(product.id).await.expect("list"), vec![enterprise.clone(), smb.clone()]);
    assert_eq!(
        field_errors(store.create_segment(tester(), segment_fields(product.id, "smb", 1.0)).await),
        one_error("name", "taken", "the product already has a segment of that name")
    );

    let fields = insight_fields(product.id, "Acme", Some(enterprise.id), vec![b.id, a.id], day(2026, 3, 2));
    let first = store.create_insight(tester(), fields.clone()).await.expect("insight");
    assert_eq!((first.fields.clone(), first.meta.version), (fields.clone(), 1));
    assert_eq!(store.get_insight(first.id).await.expect("get"), first);
    let inbox = store
        .create_insight(tester(), insight_fields(product.id, "Bolt", None, vec![], day(2026, 3, 5)))
        .await
        .expect("insight");

    let mut changed = fields.clone();
    changed.feature_ids = vec![a.id];
    changed.importance = Importance::Critical;
    changed.segment_id = None;
    let updated = store.update_insight(tester(), first.id, 1, changed.clone()).await.expect("update");
    assert_eq!((updated.fields.clone(), updated.meta.version), (changed, 2));
    match store.update_insight(tester(), first.id, 1, fields.clone()).await {
        Err(DomainError::VersionConflict { entity: EntityKind::Insight, expected: 1, actual: 2, .. }) => {}
        other => panic!("expected a version conflict, got {other:?}"),
    }

    let all = store.list_insights(&InsightFilter::product(product.id)).await.expect("list");
    assert_eq!(all, vec![inbox.clone(), updated.clone()], "newest date first");
    let on_a = InsightFilter { product: product.id, feature: Some(a.id), unlinked: false };
    assert_eq!(store.list_insights(&on_a).await.expect("list"), vec![updated.clone()]);
    let on_b = InsightFilter { product: product.id, feature: Some(b.id), unlinked: false };
    assert_eq!(store.list_insights(&on_b).await.expect("list"), vec![]);
    let unlinked = InsightFilter { product: product.id, feature: None, unlinked: true };
    assert_eq!(store.list_insights(&unlinked).await.expect("list"), vec![inbox.clone()]);

    let mut renamed = smb.fields.clone();
    renamed.weight = tandem_domain::evidence::SegmentWeight::parse("weight", 0.75).expect("weight");
    let smb2 = store.update_segment(tester(), smb.id, 1, renamed).await.expect("update segment");
    assert_eq!(smb2.meta.version, 2);
    store.delete_segment(tester(), smb.id, Some(2)).await.expect("delete segment");
    store.delete_insight(tester(), first.id, Some(2)).await.expect("delete insight");
    assert_eq!(not_found(store.get_insight(first.id).await), (EntityKind::Insight, first.id.to_string()));
    store.delete_work_item(tester(), a.id, None).await.expect("no insight supports it any more");

    let trail = whole_trail(
        store,
        &AuditFilter {
            entity: Some(EntityKind::Insight),
            record_id: Some(first.id.to_string()),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(
        trail.iter().map(|e| e.action).collect::<Vec<_>>(),
        [AuditAction::Deleted, AuditAction::Updated, AuditAction::Created]
    );
    assert_eq!(trail[2].label, "Acme (2026-03-02)");
    let features_text = format!("{}, {}", b.id, a.id);
    assert!(trail[2].changes.contains(&change("feature_ids", None, Some(features_text.as_str()))));
    let update_fields: Vec<&str> = trail[1].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(update_fields, ["segment_id", "importance", "feature_ids"], "only what changed");
    let segment_trail = whole_trail(
        store,
        &AuditFilter {
            entity: Some(EntityKind::Segment),
            record_id: Some(smb.id.to_string()),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(segment_trail[1].changes, vec![change("weight", Some("0.5"), Some("0.75"))]);
}

/// An insight's segment and features lie in its product; imports are all or nothing with errors
/// on `rows[N]`; products, segments and work items the evidence needs are not deleted.
pub async fn evidence_references_lie_in_the_product(store: &dyn Store) {
    use tandem_domain::evidence::InsightFilter;
    let product = store.create_product(tester(), product_fields("Shop")).await.expect("product");
    let other = store.create_product(tester(), product_fields("Other")).await.expect("product");
    let mine =
        store.create_work_item(tester(), work_item_fields(None, Some(product.id), "Mine"), None).await.expect("");
    let theirs =
        store.create_work_item(tester(), work_item_fields(None, Some(other.id), "Theirs"), None).await.expect("");
    let their_segment = store.create_segment(tester(), segment_fields(other.id, "SMB", 1.0)).await.expect("segment");
    let ghost = WorkItemId::generate();
    let bad =
        insight_fields(product.id, "Acme", Some(their_segment.id), vec![mine.id, theirs.id, ghost], day(2026, 1, 1));
    assert_eq!(
        field_errors(store.create_insight(tester(), bad.clone()).await),
        vec![
            (
                "segment_id".to_owned(),
                "other_product",
                format!("segment {} is not a segment of product {}", their_segment.id, product.id)
            ),
            (
                "feature_ids[1]".to_owned(),
                "other_product",
                format!("work item {} is not in product {}", theirs.id, product.id)
            ),
            ("feature_ids[2]".to_owned(), "not_found", format!("work item {ghost} does not exist")),
        ]
    );
    let good = insight_fields(product.id, "Acme", None, vec![mine.id], day(2026, 1, 1));
    let mut wrong = good.clone();
    wrong.feature_ids = vec![theirs.id];
    assert_eq!(
        field_errors(store.create_insights(tester(), vec![good.clone(), good.clone(), wrong]).await),
        one_error(
            "rows[3].feature_ids[0]",
            "other_product",
            &format!("work item {} is not in product {}", theirs.id, product.id)
        )
    );
    assert_eq!(store.list_insights(&InsightFilter::product(product.id)).await.expect("list"), vec![], "none stored");
    let created = store.create_insights(tester(), vec![good.clone(), good]).await.expect("import");
    assert_eq!(created.len(), 2);
    assert_eq!(store.list_insights(&InsightFilter::product(product.id)).await.expect("list").len(), 2);

    let segment = store.create_segment(tester(), segment_fields(product.id, "Enterprise", 2.0)).await.expect("s");
    let mut moved = segment.fields.clone();
    moved.product_id = other.id;
    assert_eq!(
        field_errors(store.update_segment(tester(), segment.id, 1, moved).await),
        one_error("product_id", "immutable", "cannot change: a record stays with its product")
    );
    let named = store
        .create_insight(tester(), insight_fields(product.id, "Bolt", Some(segment.id), vec![], day(2026, 1, 2)))
        .await
        .expect("insight");
    assert_eq!(
        in_use(store.delete_segment(tester(), segment.id, None).await),
        (EntityKind::Segment, segment.id.to_string(), "1 insight names it".to_owned())
    );
    assert_eq!(
        in_use(store.delete_work_item(tester(), mine.id, None).await),
        (EntityKind::WorkItem, mine.id.to_string(), "2 insights support it".to_owned())
    );
    store.delete_work_item(tester(), theirs.id, None).await.expect("nothing supports it");
    assert_eq!(
        in_use(store.delete_product(tester(), other.id, None).await),
        (EntityKind::Product, other.id.to_string(), "it still has 1 segment".to_owned())
    );
    assert_eq!(named.fields.segment_id, Some(segment.id));
}

// ---------------------------------------------------------------------------------------------
// Experiments: A/B tests.

pub fn experiment_fields(
    product: ProductId,
    feature: Option<WorkItemId>,
    name: &str,
    variants: &[(&str, i64, i64)],
) -> tandem_domain::experiment::ExperimentFields {
    use tandem_domain::experiment::{ExperimentInput, ExperimentStatus, MetricKind, VariantInput, VariantNumbers};
    tandem_domain::experiment::ExperimentFields::parse(ExperimentInput {
        product_id: product,
        feature_id: feature,
        name: name.to_owned(),
        hypothesis: format!("{name} converts better"),
        metric: MetricKind::Conversion,
        baseline: 0.05,
        baseline_std_dev: None,
        minimum_detectable_effect: 0.1,
        power: 0.8,
        alpha: 0.05,
        status: ExperimentStatus::Running,
        variants: variants
            .iter()
            .map(|&(name, visitors, conversions)| VariantInput {
                name: name.to_owned(),
                numbers: VariantNumbers::Conversion { visitors, conversions },
            })
            .collect(),
    })
    .expect("valid experiment")
}

/// Experiments read back as written (variants and their numbers whole, a mean metric's floats
/// exactly), list newest first per product, refuse a stale version, and leave
/// create/update/delete in the trail.
pub async fn experiments_round_trip(store: &dyn Store) {
    use tandem_domain::experiment::{ExperimentFields, MetricKind, VariantNumbers};
    let product = store.create_product(tester(), product_fields("Shop")).await.expect("product");
    let other = store.create_product(tester(), product_fields("Other")).await.expect("product");
    let feature =
        store.create_work_item(tester(), work_item_fields(None, Some(product.id), "Checkout"), None).await.expect("a");
    let fields = experiment_fields(
        product.id,
        Some(feature.id),
        "Green button",
        &[("Control", 10_000, 500), ("Green", 10_000, 563)],
    );
    let first = store.create_experiment(tester(), fields.clone()).await.expect("experiment");
    assert_eq!((first.fields.clone(), first.meta.version), (fields.clone(), 1));
    assert_eq!(store.get_experiment(first.id).await.expect("get"), first);
    let second = store
        .create_experiment(tester(), experiment_fields(product.id, None, "Short form", &[("A", 0, 0), ("B", 0, 0)]))
        .await
        .expect("experiment");
    store
        .create_experiment(tester(), experiment_fields(other.id, None, "Elsewhere", &[("A", 1, 0), ("B", 1, 1)]))
        .await
        .expect("experiment");
    assert_eq!(store.list_experiments(product.id).await.expect("list"), vec![second.clone(), first.clone()]);

    // A mean metric with three variants, replacing the conversion variants whole.
    let mut input = fields.to_input();
    input.metric = MetricKind::Mean;
    input.baseline = 100.0;
    input.baseline_std_dev = Some(20.0);
    input.minimum_detectable_effect = 0.2;
    input.variants = vec![
        tandem_domain::experiment::VariantInput {
            name: "Control".into(),
            numbers: VariantNumbers::Mean { mean: 100.0, std_dev: 20.0, count: 50 },
        },
        tandem_domain::experiment::VariantInput {
            name: "Bigger".into(),
            numbers: VariantNumbers::Mean { mean: 108.1, std_dev: 0.1 + 0.2, count: 50 },
        },
        tandem_domain::experiment::VariantInput {
            name: "Smaller".into(),
            numbers: VariantNumbers::Mean { mean: -1.5e-7, std_dev: 19.75, count: 3 },
        },
    ];
    let changed = ExperimentFields::parse(input).expect("mean experiment");
    let updated = store.update_experiment(tester(), first.id, 1, changed.clone()).await.expect("update");
    assert_eq!((updated.fields.clone(), updated.meta.version), (changed.clone(), 2));
    assert_eq!(store.get_experiment(first.id).await.expect("get"), updated);
    assert_eq!(updated.fields.planned.per_variant, 16);
    match store.update_experiment(tester(), first.id, 1, fields.clone()).await {
        Err(DomainError::VersionConflict { entity: EntityKind::Experiment, expected: 1, actual: 2, .. }) => {}
        other => panic!("expected a version conflict, got {other:?}"),
    }

    store.delete_experiment(tester(), first.id, Some(2)).await.expect("delete");
    assert_eq!(not_found(store.get_experiment(first.id).await), (EntityKind::Experiment, first.id.to_string()));
    assert_eq!(store.list_experiments(product.id).await.expect("list"), vec![second]);

    let trail = whole_trail(
        store,
        &AuditFilter {
            entity: Some(EntityKind::Experiment),
            record_id: Some(first.id.to_string()),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(
        trail.iter().map(|e| e.action).collect::<Vec<_>>(),
        [AuditAction::Deleted, AuditAction::Updated, AuditAction::Created]
    );
    assert_eq!(trail[2].label, "Green button");
    assert!(trail[2].changes.contains(&change("variants", None, Some("Control: 500/10000; Green: 563/10000"))));
    let update_fields: Vec<&str> = trail[1].changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        update_fields,
        ["metric", "baseline", "baseline_std_dev", "minimum_detectable_effect", "variants"],
        "only what changed"
    );
}

/// An experiment's feature is a work item of its product; a product with experiments and a work
/// item an experiment tests are not deleted (`InUse`); the product never changes.
pub async fn experiment_references_lie_in_the_product(store: &dyn Store) {
    let product = store.create_product(tester(), product_fields("Shop")).await.expect("product");
    let other = store.create_product(tester(), product_fields("Other")).await.expect("product");
    let feature =
        store.create_work_item(tester(), work_item_fields(None, Some(product.id), "Checkout"), None).await.expect("a");
    let elsewhere =
        store.create_work_item(tester(), work_item_fields(None, Some(other.id), "Search"), None).await.expect("b");
    let arms = [("Control", 100, 5), ("Green", 100, 7)];
    let error = field_errors(
        store.create_experiment(tester(), experiment_fields(product.id, Some(elsewhere.id), "X", &arms)).await,
    );
    assert_eq!(
        error,
        one_error(
            "feature_id",
            "other_product",
            &format!("work item {} is not in product {}", elsewhere.id, product.id)
        )
    );
    let missing = WorkItemId::generate();
    assert_eq!(
        field_errors(store.create_experiment(tester(), experiment_fields(product.id, Some(missing), "X", &arms)).await),
        one_error("feature_id", "not_found", &format!("work item {missing} does not exist"))
    );
    let experiment = store
        .create_experiment(tester(), experiment_fields(product.id, Some(feature.id), "X", &arms))
        .await
        .expect("experiment");
    assert_eq!(
        field_errors(
            store.update_experiment(tester(), experiment.id, 1, experiment_fields(other.id, None, "X", &arms)).await
        ),
        one_error("product_id", "immutable", "cannot change: a record stays with its product")
    );
    match store.delete_work_item(tester(), feature.id, None).await {
        Err(DomainError::InUse { entity: EntityKind::WorkItem, reason, .. }) => {
            assert_eq!(reason, "1 experiment tests it")
        }
        other => panic!("expected InUse, got {other:?}"),
    }
    let bare = store.create_product(tester(), product_fields("Bare")).await.expect("product");
    let only = store.create_experiment(tester(), experiment_fields(bare.id, None, "Y", &arms)).await.expect("y");
    match store.delete_product(tester(), bare.id, None).await {
        Err(DomainError::InUse { entity: EntityKind::Product, reason, .. }) => {
            assert_eq!(reason, "it still has 1 experiment")
        }
        other => panic!("expected InUse, got {other:?}"),
    }
    store.delete_experiment(tester(), only.id, None).await.expect("delete");
    store.delete_product(tester(), bare.id, None).await.expect("no experiment left");
    let unlinked = experiment_fields(product.id, None, "X", &arms);
    store.update_experiment(tester(), experiment.id, 1, unlinked).await.expect("unlink");
    store.delete_work_item(tester(), feature.id, None).await.expect("no experiment tests it any more");
    store.delete_experiment(tester(), experiment.id, None).await.expect("delete");
}

// ---------------------------------------------------------------------------------------------
// Product metrics.

pub fn metric_point(
    product: ProductId,
    feature: Option<WorkItemId>,
    kind: tandem_domain::metrics::MetricKind,
    date: NaiveDate,
    value: f64,
) -> tandem_domain::metrics::MetricPointFields {
    tandem_domain::metrics::MetricPointFields::parse(tandem_domain::metrics::MetricPointInput {
        product_id: product,
        feature_id: feature,
        kind,
        date: Some(date),
        value,
    })
    .expect("valid metric point")
}

/// Points read back as written, one per product, feature, kind and date (recording it again
/// replaces the value as an audited update), list by kind, feature and date with the filters, and
/// delete with their trail.
pub async fn metrics_round_trip(store: &dyn Store) {
    use tandem_domain::metrics::{FeatureScope, MetricFilter, MetricKind};
    let product = store.create_product(tester(), product_fields("Shop")).await.expect("product");
    let export =
        store.create_work_item(tester(), work_item_fields(None, Some(product.id), "Export"), None).await.expect("a");
    let jan = store
        .record_metric_point(tester(), metric_point(product.id, None, MetricKind::Revenue, day(2026, 1, 31), 1000.0))
        .await
        .expect("record");
    assert_eq!((jan.meta.version, store.get_metric_point(jan.id).await.expect("get")), (1, jan.clone()));
    let again = store
        .record_metric_point(tester(), metric_point(product.id, None, MetricKind::Revenue, day(2026, 1, 31), 1250.0))
        .await
        .expect("replace");
    assert_eq!((again.id, again.meta.version, again.fields.value), (jan.id, 2, 1250.0), "the same point, replaced");
    let batch = vec![
        metric_point(product.id, None, MetricKind::Revenue, day(2026, 2, 28), 1400.0),
        metric_point(product.id, Some(export.id), MetricKind::Adoption, day(2026, 2, 28), 12.5),
        metric_point(product.id, Some(export.id), MetricKind::Adoption, day(2026, 1, 31), 4.0),
        metric_point(product.id, None, MetricKind::Adoption, day(2026, 1, 31), 40.0),
        metric_point(product.id, None, MetricKind::Satisfaction, day(2026, 1, 31), -20.0),
    ];
    let recorded = store.record_metric_points(tester(), batch).await.expect("batch");
    assert_eq!(recorded.len(), 5);

    let all = store.list_metric_points(&MetricFilter::product(product.id)).await.expect("list");
    let listed: Vec<(MetricKind, Option<WorkItemId>, NaiveDate, f64)> =
        all.iter().map(|p| (p.fields.kind, p.fields.feature_id, p.fields.date, p.fields.value)).collect();
    assert_eq!(
        listed,
        vec![
            (MetricKind::Adoption, None, day(2026, 1, 31), 40.0),
            (MetricKind::Adoption, Some(export.id), day(2026, 1, 31), 4.0),
            (MetricKind::Adoption, Some(export.id), day(2026, 2, 28), 12.5),
            (MetricKind::Revenue, None, day(2026, 1, 31), 1250.0),
            (MetricKind::Revenue, None, day(2026, 2, 28), 1400.0),
            (MetricKind::Satisfaction, None, day(2026, 1, 31), -20.0),
        ]
    );
    let feature_only = MetricFilter { feature: FeatureScope::Feature(export.id), ..MetricFilter::product(product.id) };
    assert_eq!(store.list_metric_points(&feature_only).await.expect("list").len(), 2);
    let product_adoption = MetricFilter {
        kind: Some(MetricKind::Adoption),
        feature: FeatureScope::ProductOnly,
        ..MetricFilter::product(product.id)
    };
    assert_eq!(store.list_metric_points(&product_adoption).await.expect("list").len(), 1);
    let february =
        MetricFilter { from: Some(day(2026, 2, 1)), to: Some(day(2026, 2, 28)), ..MetricFilter::product(product.id) };
    assert_eq!(store.list_metric_points(&february).await.expect("list").len(), 2);

    match store.delete_metric_point(tester(), jan.id, Some(1)).await {
        Err(DomainError::VersionConflict { entity: EntityKind::MetricPoint, expected: 1, actual: 2, .. }) => {}
        other => panic!("expected a version conflict, got {other:?}"),
    }
    store.delete_metric_point(tester(), jan.id, Some(2)).await.expect("delete");
    assert_eq!(not_found(store.get_metric_point(jan.id).await), (EntityKind::MetricPoint, jan.id.to_string()));
    let trail = whole_trail(
        store,
        &AuditFilter {
            entity: Some(EntityKind::MetricPoint),
            record_id: Some(jan.id.to_string()),
            ..AuditFilter::default()
        },
    )
    .await;
    assert_eq!(
        trail.iter().map(|e| e.action).collect::<Vec<_>>(),
        [AuditAction::Deleted, AuditAction::Updated, AuditAction::Created]
    );
    assert_eq!(trail[1].label, "revenue on 2026-01-31");
    assert_eq!(trail[1].changes, vec![change("value", Some("1000"), Some("1250"))]);
}

/// A point's feature is a work item of its product; a batch with one bad row stores nothing; a
/// product or work item with points is not deleted.
pub async fn metrics_references_lie_in_the_product(store: &dyn Store) {
    use tandem_domain::metrics::{MetricFilter, MetricKind};
    let product = store.create_product(tester(), product_fields("Shop")).await.expect("product");
    let other = store.create_product(tester(), product_fields("Other")).await.expect("product");
    let mine =
        store.create_work_item(tester(), work_item_fields(None, Some(product.id), "Mine"), None).await.expect("");
    let theirs =
        store.create_work_item(tester(), work_item_fields(None, Some(other.id), "Theirs"), None).await.expect("");
    let ghost = WorkItemId::generate();
    assert_eq!(
        field_errors(
            store
                .record_metric_point(
                    tester(),
                    metric_point(product.id, Some(theirs.id), MetricKind::Adoption, day(2026, 1, 31), 5.0)
                )
                .await
        ),
        one_error("feature_id", "other_product", &format!("work item {} is not in product {}", theirs.id, product.id))
    );
    let good = metric_point(product.id, Some(mine.id), MetricKind::Adoption, day(2026, 1, 31), 5.0);
    let bad = metric_point(product.id, Some(ghost), MetricKind::Adoption, day(2026, 2, 28), 6.0);
    assert_eq!(
        field_errors(store.record_metric_points(tester(), vec![good.clone(), bad]).await),
        one_error("rows[2].feature_id", "not_found", &format!("work item {ghost} does not exist"))
    );
    assert_eq!(store.list_metric_points(&MetricFilter::product(product.id)).await.expect("list"), vec![]);
    store.record_metric_points(tester(), vec![good.clone(), good]).await.expect("the later row replaces the first");
    assert_eq!(store.list_metric_points(&MetricFilter::product(product.id)).await.expect("list").len(), 1);
    assert_eq!(
        in_use(store.delete_work_item(tester(), mine.id, None).await),
        (EntityKind::WorkItem, mine.id.to_string(), "it has 1 metric point".to_owned())
    );
    store
        .record_metric_point(tester(), metric_point(other.id, None, MetricKind::Revenue, day(2026, 1, 31), 9.0))
        .await
        .expect("record");
    store.delete_work_item(tester(), theirs.id, None).await.expect("no points name it");
    assert_eq!(
        in_use(store.delete_product(tester(), other.id, None).await),
        (EntityKind::Product, other.id.to_string(), "it still has 1 metric point".to_owned())
    );
}
