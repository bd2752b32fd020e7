//! The load generator: a program with many work items, for load tests and benchmarks
//! (`tandem demo --scale N`). Same `work_items`, same data: the random choices come from a
//! fixed-seed ChaCha generator.

use std::collections::HashSet;

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::demo_actor;
use crate::dependency::{DependencyFields, DependencyInput, DependencyKind, NodeRef};
use crate::error::{DomainError, DomainResult};
use crate::ids::{ProductId, ProgramId, ProjectId, TeamId, WorkItemId};
use crate::product::{ProductFields, ProductInput};
use crate::program::{ProgramFields, ProgramInput, ProgramPhase};
use crate::project::{ProjectFields, ProjectInput};
use crate::store::Store;
use crate::team::{TeamFields, TeamInput};
use crate::work_item::{WorkItemFields, WorkItemInput, WorkItemKind, WorkItemStatus};

/// What [`generate_load`] created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadSummary {
    pub program_id: ProgramId,
    pub projects: u64,
    pub products: u64,
    pub teams: u64,
    pub work_items: u64,
    pub dependencies: u64,
}

/// Work items per `create_work_items` call, and so per progress report.
pub const LOAD_BATCH_SIZE: u64 = 1_000;

/// Dependencies are created one by one, each checked for cycles against the whole graph, so their
/// number is capped to keep large runs reasonably fast.
pub const MAX_LOAD_DEPENDENCIES: u64 = 2_000;

const PROJECTS: u64 = 10;
const SEED: u64 = 0x7a4d_656d_6f21;

/// (name, capacity) of the generated teams.
const TEAMS: [(&str, i64); 4] = [("Load Alpha", 8), ("Load Beta", 6), ("Load Gamma", 5), ("Load Delta", 4)];

const SUBJECTS: [&str; 12] = [
    "login",
    "payments",
    "statements",
    "cards",
    "notifications",
    "search",
    "profile",
    "reports",
    "limits",
    "onboarding",
    "messages",
    "exports",
];
const ACTIONS: [&str; 8] = ["Build", "Refine", "Test", "Document", "Harden", "Migrate", "Review", "Speed up"];

/// Creates the program "Load test <work_items>" with 10 projects, one product, four teams and
/// `work_items` work items (one in three also in the product's backlog), in batches of
/// [`LOAD_BATCH_SIZE`], calling `progress` with the number created so far after each batch; then
/// `min(work_items / 10, MAX_LOAD_DEPENDENCIES)` finish-to-start dependencies, each from an item
/// to a later one, so the graph has no cycle.
pub async fn generate_load(
    store: &dyn Store,
    work_items: u64,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> DomainResult<LoadSummary> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
    let target_end = NaiveDate::from_ymd_opt(2028, 12, 15).unwrap_or_default();

    let program = store
        .create_program(
            &demo_actor(),
            ProgramFields::parse(ProgramInput {
                name: format!("Load test {work_items}"),
                goal: format!("Generated data for load tests: {work_items} work items over {PROJECTS} projects."),
                sponsor: None,
                phase: ProgramPhase::Delivery,
                start,
                target_end,
                budget: None,
                currency: None,
                // Fixed, so that the generated plan does not depend on the day it runs.
                status_date: Some(start),
            })?,
        )
        .await?;

    let mut projects: Vec<ProjectId> = Vec::new();
    for number in 1..=PROJECTS {
        let project = store
            .create_project(
                &demo_actor(),
                ProjectFields::parse(ProjectInput {
                    program_id: program.id,
                    name: format!("Load project {number:02}"),
                    description: "Generated for a load test.".to_owned(),
                    manager: None,
                    start,
                    budget: None,
                })?,
            )
            .await?;
        projects.push(project.id);
    }

    let product = store
        .create_product(
            &demo_actor(),
            ProductFields::parse(ProductInput {
                name: format!("Load product {work_items}"),
                vision: "Generated for a load test.".to_owned(),
                owner: None,
            })?,
        )
        .await?;

    let mut teams: Vec<(TeamId, i64)> = Vec::new();
    for (name, capacity) in TEAMS {
        let team = store
            .create_team(
                &demo_actor(),
                TeamFields::parse(TeamInput {
                    name: name.to_owned(),
                    capacity,
                    working_days: None,
                    holidays: Vec::new(),
                })?,
            )
            .await?;
        teams.push((team.id, capacity));
    }

    let mut ids: Vec<WorkItemId> = Vec::new();
    let mut created = 0u64;
    while created < work_items {
        let batch_len = LOAD_BATCH_SIZE.min(work_items - created);
        let mut batch = Vec::new();
        for index in created..created + batch_len {
            batch.push(generated_item(&mut rng, index, &projects, product.id, &teams)?);
        }
        let items = store.create_work_items(&demo_actor(), batch).await?;
        ids.extend(items.iter().map(|item| item.id));
        created += batch_len;
        progress(created);
    }

    let wanted = (work_items / 10).min(MAX_LOAD_DEPENDENCIES);
    let dependencies = create_forward_dependencies(store, &mut rng, &ids, wanted).await?;

    Ok(LoadSummary {
        program_id: program.id,
        projects: PROJECTS,
        products: 1,
        teams: TEAMS.len() as u64,
        work_items: created,
        dependencies,
    })
}

fn generated_item(
    rng: &mut ChaCha8Rng,
    index: u64,
    projects: &[ProjectId],
    product: ProductId,
    teams: &[(TeamId, i64)],
) -> DomainResult<WorkItemFields> {
    let project = pick(projects, index).copied();
    let (team, capacity) = pick(teams, index / 7).copied().unzip();
    let kind = match rng.random_range(0..10) {
        0..=5 => WorkItemKind::Story,
        6..=8 => WorkItemKind::Task,
        _ => WorkItemKind::Bug,
    };
    let status = match rng.random_range(0..20) {
        0..=9 => WorkItemStatus::Backlog,
        10..=14 => WorkItemStatus::Ready,
        15..=17 => WorkItemStatus::InProgress,
        _ => WorkItemStatus::Done,
    };
    let optimistic = f64::from(rng.random_range(1..=5u32));
    let most_likely = optimistic + f64::from(rng.random_range(0..=5u32));
    let pessimistic = most_likely + f64::from(rng.random_range(0..=10u32));
    let subject = pick(&SUBJECTS, rng.random_range(0..SUBJECTS.len() as u64)).copied().unwrap_or("work");
    let action = pick(&ACTIONS, rng.random_range(0..ACTIONS.len() as u64)).copied().unwrap_or("Do");
    let people_needed = rng.random_range(1..=3).min(capacity.unwrap_or(1));
    Ok(WorkItemFields::parse(WorkItemInput {
        kind,
        project_id: project,
        product_id: index.is_multiple_of(3).then_some(product),
        parent_id: None,
        title: format!("{action} {subject} #{}", index + 1),
        description: format!("Generated work item {} of a load test.", index + 1),
        status,
        optimistic,
        most_likely,
        pessimistic,
        story_points: (kind == WorkItemKind::Story).then(|| [1, 2, 3, 5, 8][rng.random_range(0..5usize)]),
        team_id: team,
        people_needed: Some(people_needed),
        released_on: None,
        // From the index, not the random stream, so every other generated value stays as it was.
        percent_complete: (status == WorkItemStatus::InProgress).then_some((index as i64 * 37) % 91),
    })?)
}

/// Creates `wanted` distinct dependencies, each from an item to a later one (at most 50 items
/// later, as real dependencies are mostly local), so no cycle can form.
async fn create_forward_dependencies(
    store: &dyn Store,
    rng: &mut ChaCha8Rng,
    ids: &[WorkItemId],
    wanted: u64,
) -> DomainResult<u64> {
    let Some(last) = ids.len().checked_sub(1).filter(|last| *last > 0) else {
        return Ok(0);
    };
    let mut pairs: HashSet<(usize, usize)> = HashSet::new();
    let mut created = 0u64;
    while created < wanted {
        let from = rng.random_range(0..last);
        let to = from + rng.random_range(1..=50usize.min(last - from));
        if !pairs.insert((from, to)) {
            continue;
        }
        let (Some(predecessor), Some(successor)) = (ids.get(from), ids.get(to)) else {
            return Err(DomainError::invalid("work_items", "internal", "generated index out of range"));
        };
        store
            .create_dependency(
                &demo_actor(),
                DependencyFields::parse(DependencyInput {
                    predecessor: NodeRef::WorkItem(*predecessor),
                    successor: NodeRef::WorkItem(*successor),
                    kind: DependencyKind::FinishToStart,
                    lag_days: 0,
                })?,
            )
            .await?;
        created += 1;
    }
    Ok(created)
}

/// The element at `index` modulo the length (`None` only for an empty slice).
fn pick<T>(items: &[T], index: u64) -> Option<&T> {
    let len = u64::try_from(items.len()).ok().filter(|len| *len > 0)?;
    items.get(usize::try_from(index % len).ok()?)
}
