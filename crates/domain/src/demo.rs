//! The "Digital Transformation" example program (`tandem demo`) and the load generator
//! (`tandem demo --scale N`).
//!
//! The example is the program of the domain brief: a bank moving its retail customers to digital
//! self-service. Its data lives in readable tables: `catalog` (program, projects, products,
//! teams, milestones, dependencies), `backlog` (the work item tree) and `risks` (the risk
//! register). [`load_demo`] only turns
//! those tables into store calls, so changing the demo means editing a table, not code.
//!
//! Every date in the tables is fixed (the program runs from February 2026), and so is everything
//! computed from them: the schedule and the forecast start at the projects' fixed start dates, and
//! the milestone targets are set against that forecast (`catalog::MILESTONES`). The released items
//! carry fixed release dates (`released_on`), and their adoption is dated from those (`metrics`).
//!
//! Both writers go through the [`Store`] trait only, one store call per transaction: a failure
//! half-way leaves what was written so far (the trait has no multi-call transaction).

mod backlog;
mod catalog;
mod evidence;
// Experiments: A/B tests.
mod experiments;
mod load;
// Product metrics.
mod metrics;
mod prioritization;
mod risks;
// Product strategy: objectives and key results.
mod strategy;
mod users;

use std::collections::HashMap;

use crate::dependency::{DependencyFields, DependencyInput, NodeRef};
use crate::error::{DomainError, DomainResult};
use crate::ids::{ProductId, ProjectId, TeamId, WorkItemId};
use crate::milestone::{MilestoneFields, MilestoneInput};
use crate::product::{ProductFields, ProductInput};
use crate::program::{ProgramFields, ProgramInput};
use crate::project::{ProjectFields, ProjectInput};
use crate::risk::{MitigationInput, RiskFields, RiskInput};
use crate::store::{PageRequest, ProductFilter, ProgramFilter, Store};
use crate::team::{TeamFields, TeamInput};
use crate::work_item::{WorkItemFields, WorkItemInput};

use backlog::{Epic, Leaf};
use catalog::{Node, ProductKey, ProjectKey, TeamKey};

pub use load::{LOAD_BATCH_SIZE, LoadSummary, MAX_LOAD_DEPENDENCIES, generate_load};
pub use users::{DEMO_PASSWORD, DemoAccount, ensure_demo_accounts};

/// Who the demo's records are created by, in the audit trail.
pub(crate) fn demo_actor() -> crate::audit::Actor {
    crate::audit::Actor::system("demo")
}

/// The name of the example program.
pub const DEMO_PROGRAM_NAME: &str = "Digital Transformation";

/// What [`load_demo`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    /// The store already held a program or a product; nothing was written.
    AlreadyPresent,
    Loaded(DemoSummary),
}

/// How many records [`load_demo`] stored, of every kind it writes: counted from what the store
/// returned or, where writing the same key twice replaces a record (measurements, feature links,
/// roadmap entries, backlog details, metric points), from what the store holds afterwards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub programs: u64,
    pub projects: u64,
    pub products: u64,
    pub teams: u64,
    pub work_items: u64,
    pub milestones: u64,
    pub dependencies: u64,
    pub risks: u64,
    // Product strategy: objectives and key results.
    pub objectives: u64,
    pub key_results: u64,
    /// Key-result measurements.
    pub measurements: u64,
    /// Epics and features linked to an objective they serve.
    pub objective_links: u64,
    pub roadmap_entries: u64,
    // Product backlog.
    /// Work items with stored prioritization inputs (RICE, WSJF, ...).
    pub prioritized_items: u64,
    /// Work items written as user stories with acceptance criteria.
    pub user_stories: u64,
    // Feedback and research.
    pub segments: u64,
    pub insights: u64,
    // Experiments: A/B tests.
    pub experiments: u64,
    // Product metrics.
    pub metric_points: u64,
}

/// Loads the "Digital Transformation" example program, the same data every time.
///
/// Idempotent in the way that matters for a demo: when the store already holds any program or
/// product (so also an earlier demo), it writes nothing and returns
/// [`DemoOutcome::AlreadyPresent`]. Teams are not looked at: they may exist before any program.
pub async fn load_demo(store: &dyn Store) -> DomainResult<DemoOutcome> {
    let probe = PageRequest::first(1);
    let has_programs = !store.list_programs(&ProgramFilter::default(), &probe).await?.items.is_empty();
    let has_products = !store.list_products(&ProductFilter::default(), &probe).await?.items.is_empty();
    if has_programs || has_products {
        return Ok(DemoOutcome::AlreadyPresent);
    }

    let mut summary = DemoSummary::default();
    let program_row = &catalog::PROGRAM;
    let program = store
        .create_program(
            &demo_actor(),
            ProgramFields::parse(ProgramInput {
                name: DEMO_PROGRAM_NAME.to_owned(),
                goal: program_row.goal.to_owned(),
                sponsor: Some(program_row.sponsor.to_owned()),
                phase: program_row.phase,
                start: program_row.start,
                target_end: program_row.target_end,
                budget: Some(program_row.budget),
                currency: Some(program_row.currency.to_owned()),
                // Fixed like every demo date, so its plan and forecast do not move as time
                // passes (as of today, all of its 2026 work would start after its targets).
                status_date: Some(program_row.start),
            })?,
        )
        .await?;
    summary.programs += 1;

    let mut projects = HashMap::new();
    for row in catalog::PROJECTS {
        let project = store
            .create_project(
                &demo_actor(),
                ProjectFields::parse(ProjectInput {
                    program_id: program.id,
                    name: row.name.to_owned(),
                    description: row.description.to_owned(),
                    manager: Some(row.manager.to_owned()),
                    start: row.start,
                    budget: Some(row.budget),
                })?,
            )
            .await?;
        projects.insert(row.key, project.id);
        summary.projects += 1;
    }

    let mut products = HashMap::new();
    for row in catalog::PRODUCTS {
        let product = store
            .create_product(
                &demo_actor(),
                ProductFields::parse(ProductInput {
                    name: row.name.to_owned(),
                    vision: row.vision.to_owned(),
                    owner: Some(row.owner.to_owned()),
                })?,
            )
            .await?;
        products.insert(row.key, product.id);
        summary.products += 1;
    }

    let mut teams = HashMap::new();
    for row in catalog::TEAMS {
        let team = store
            .create_team(
                &demo_actor(),
                TeamFields::parse(TeamInput {
                    name: row.name.to_owned(),
                    capacity: row.capacity,
                    working_days: None,
                    holidays: row.holidays.iter().flat_map(|set| set.iter().copied()).collect(),
                })?,
            )
            .await?;
        teams.insert(row.key, team.id);
        summary.teams += 1;
    }

    let places = Places { projects: &projects, products: &products, teams: &teams };
    let work_items = create_backlog(store, &places).await?;
    summary.work_items = count(work_items.len());

    let mut milestones = HashMap::new();
    for row in catalog::MILESTONES {
        let milestone = store
            .create_milestone(
                &demo_actor(),
                MilestoneFields::parse(MilestoneInput {
                    project_id: places.project(row.project)?,
                    name: row.name.to_owned(),
                    target_date: row.target_date,
                    deliverable: row.deliverable.to_owned(),
                })?,
            )
            .await?;
        milestones.insert(row.name, milestone.id);
        summary.milestones += 1;
    }

    let node = |node: Node| -> DomainResult<NodeRef> {
        match node {
            Node::Item(title) => work_items.get(title).copied().map(NodeRef::WorkItem),
            Node::Milestone(name) => milestones.get(name).copied().map(NodeRef::Milestone),
        }
        .ok_or_else(|| demo_table_error(format!("dependency end '{}' is not in the demo tables", node.label())))
    };
    for row in catalog::DEPENDENCIES {
        store
            .create_dependency(
                &demo_actor(),
                DependencyFields::parse(DependencyInput {
                    predecessor: node(row.predecessor)?,
                    successor: node(row.successor)?,
                    kind: row.kind,
                    lag_days: row.lag_days,
                })?,
            )
            .await?;
        summary.dependencies += 1;
    }

    for row in risks::RISKS {
        let work_item_ids = row
            .hits
            .iter()
            .map(|title| {
                work_items
                    .get(title)
                    .copied()
                    .ok_or_else(|| demo_table_error(format!("risk '{}' hits unknown item '{title}'", row.title)))
            })
            .collect::<DomainResult<Vec<_>>>()?;
        let [impact_optimistic, impact_most_likely, impact_pessimistic] = row.impact;
        let fields = RiskFields::parse(RiskInput {
            program_id: program.id,
            project_id: row.project.map(|key| places.project(key)).transpose()?,
            title: row.title.to_owned(),
            cause: row.cause.to_owned(),
            effect: row.effect.to_owned(),
            owner: Some(row.owner.to_owned()),
            category: row.category,
            probability: row.probability,
            impact_optimistic,
            impact_most_likely,
            impact_pessimistic,
            work_item_ids,
            cost_impact: row.cost_impact,
            response: row.response,
            mitigations: row
                .mitigations
                .iter()
                .map(|m| MitigationInput { description: m.description.to_owned(), due_date: Some(m.due), done: m.done })
                .collect(),
            trigger: row.trigger.to_owned(),
            status: row.status,
        })?;
        store.create_risk(&demo_actor(), fields).await?;
        summary.risks += 1;
    }

    // Product strategy: objectives and key results.
    let strategy = strategy::create_strategy(store, &products, &work_items).await?;
    summary.objectives = strategy.objectives;
    summary.key_results = strategy.key_results;
    summary.measurements = strategy.measurements;
    summary.objective_links = strategy.links;
    summary.roadmap_entries = strategy.roadmap_entries;
    // Product backlog: the features' prioritization and a few user stories.
    let backlog = prioritization::prioritize(store, &work_items).await?;
    summary.prioritized_items = backlog.prioritized;
    summary.user_stories = backlog.stories;

    // Feedback and research: segments and insights.
    (summary.segments, summary.insights) = create_evidence(store, &places, &work_items).await?;
    // Experiments: A/B tests.
    summary.experiments = create_experiments(store, &places, &work_items).await?;

    // Product metrics.
    summary.metric_points = create_metrics(store, &places, &work_items).await?;

    Ok(DemoOutcome::Loaded(summary))
}

/// The ids the demo's keys stand for once their records exist.
struct Places<'a> {
    projects: &'a HashMap<ProjectKey, ProjectId>,
    products: &'a HashMap<ProductKey, ProductId>,
    teams: &'a HashMap<TeamKey, TeamId>,
}

impl Places<'_> {
    fn project(&self, key: ProjectKey) -> DomainResult<ProjectId> {
        self.projects.get(&key).copied().ok_or_else(|| demo_table_error(format!("project {key:?} is not created")))
    }

    fn product(&self, key: ProductKey) -> DomainResult<ProductId> {
        self.products.get(&key).copied().ok_or_else(|| demo_table_error(format!("product {key:?} is not created")))
    }

    fn team(&self, key: TeamKey) -> DomainResult<TeamId> {
        self.teams.get(&key).copied().ok_or_else(|| demo_table_error(format!("team {key:?} is not created")))
    }
}

/// Creates the work item tree one level at a time (parents need ids before their children), each
/// level in one bulk call. Ranks are appended in table order, so within each level a product's
/// backlog reads in the order its product manager prioritised it. Returns the ids by title.
async fn create_backlog(store: &dyn Store, places: &Places<'_>) -> DomainResult<HashMap<&'static str, WorkItemId>> {
    let epics: Vec<&'static Epic> = backlog::epics().collect();
    let mut ids = HashMap::new();

    let epic_fields =
        epics.iter().map(|epic| item_fields(places, epic, epic.summary(), None)).collect::<Result<_, _>>()?;
    let epic_ids = create_level(store, epic_fields, epics.iter().map(|epic| epic.title), &mut ids).await?;

    let mut feature_fields = Vec::new();
    let mut feature_titles = Vec::new();
    let mut feature_parents = Vec::new();
    for (epic, epic_id) in epics.iter().zip(&epic_ids) {
        for feature in epic.features {
            feature_fields.push(item_fields(places, epic, feature.summary(), Some(*epic_id))?);
            feature_titles.push(feature.title);
            feature_parents.push((*epic, feature));
        }
    }
    let feature_ids = create_level(store, feature_fields, feature_titles.into_iter(), &mut ids).await?;

    let mut leaf_fields = Vec::new();
    let mut leaf_titles = Vec::new();
    for ((epic, feature), feature_id) in feature_parents.into_iter().zip(&feature_ids) {
        for leaf in feature.items {
            leaf_fields.push(item_fields(places, epic, leaf_with_team(leaf, feature.team), Some(*feature_id))?);
            leaf_titles.push(leaf.title);
        }
    }
    create_level(store, leaf_fields, leaf_titles.into_iter(), &mut ids).await?;
    Ok(ids)
}

/// Creates one level of the tree and records each new id under its title.
async fn create_level(
    store: &dyn Store,
    fields: Vec<WorkItemFields>,
    titles: impl Iterator<Item = &'static str>,
    ids: &mut HashMap<&'static str, WorkItemId>,
) -> DomainResult<Vec<WorkItemId>> {
    let created = store.create_work_items(&demo_actor(), fields).await?;
    let created_ids: Vec<WorkItemId> = created.iter().map(|item| item.id).collect();
    for (title, id) in titles.zip(&created_ids) {
        if ids.insert(title, *id).is_some() {
            return Err(demo_table_error(format!("work item title '{title}' appears twice")));
        }
    }
    Ok(created_ids)
}

/// A leaf as it is stored: its own team, else its feature's.
fn leaf_with_team(leaf: &Leaf, feature_team: TeamKey) -> Leaf {
    Leaf { team: Some(leaf.team.unwrap_or(feature_team)), ..*leaf }
}

fn item_fields(
    places: &Places<'_>,
    epic: &Epic,
    item: Leaf,
    parent_id: Option<WorkItemId>,
) -> DomainResult<WorkItemFields> {
    let [optimistic, most_likely, pessimistic] = item.estimate;
    Ok(WorkItemFields::parse(WorkItemInput {
        kind: item.kind,
        project_id: epic.project.map(|key| places.project(key)).transpose()?,
        product_id: epic.product.map(|key| places.product(key)).transpose()?,
        parent_id,
        title: item.title.to_owned(),
        description: item.description.to_owned(),
        status: item.status,
        optimistic,
        most_likely,
        pessimistic,
        story_points: item.story_points,
        team_id: item.team.map(|key| places.team(key)).transpose()?,
        people_needed: Some(item.people_needed),
        released_on: metrics::released_on(item.title),
        percent_complete: None,
    })?)
}

/// Feedback and research: the products' segments, then their insights (by segment name and
/// feature title). Returns how many segments and insights were stored.
async fn create_evidence(
    store: &dyn Store,
    places: &Places<'_>,
    work_items: &HashMap<&'static str, WorkItemId>,
) -> DomainResult<(u64, u64)> {
    use crate::evidence::{InsightFields, InsightInput, SegmentFields, SegmentInput};
    let mut segments = HashMap::new();
    for row in evidence::SEGMENTS {
        let fields = SegmentFields::parse(SegmentInput {
            product_id: places.product(row.product)?,
            name: row.name.to_owned(),
            description: row.description.to_owned(),
            weight: row.weight,
        })?;
        let segment = store.create_segment(&demo_actor(), fields).await?;
        segments.insert((row.product, row.name), segment.id);
    }
    let mut insights = 0;
    for row in evidence::INSIGHTS {
        let segment_id = row
            .segment
            .map(|name| {
                segments.get(&(row.product, name)).copied().ok_or_else(|| {
                    demo_table_error(format!("insight of '{}' names unknown segment '{name}'", row.customer))
                })
            })
            .transpose()?;
        let feature_ids = row
            .features
            .iter()
            .map(|title| {
                work_items.get(title).copied().ok_or_else(|| {
                    demo_table_error(format!("insight of '{}' supports unknown item '{title}'", row.customer))
                })
            })
            .collect::<DomainResult<Vec<_>>>()?;
        let fields = InsightFields::parse(InsightInput {
            product_id: places.product(row.product)?,
            source: row.source,
            source_reference: row.reference.to_owned(),
            customer: row.customer.to_owned(),
            segment_id,
            date: Some(row.date),
            quote: row.quote.to_owned(),
            importance: row.importance,
            feature_ids,
        })?;
        store.create_insight(&demo_actor(), fields).await?;
        insights += 1;
    }
    Ok((count(segments.len()), insights))
}

/// Product metrics: each product series' twelve month-ends, and each released item's weekly
/// adoption from its release day (its stored `released_on`, which the metrics page uses), one
/// batch per product. Returns how many points the demo's products hold afterwards.
async fn create_metrics(
    store: &dyn Store,
    places: &Places<'_>,
    work_items: &HashMap<&'static str, WorkItemId>,
) -> DomainResult<u64> {
    use crate::metrics::{MetricFilter, MetricPointFields, MetricPointInput};
    let mut stored = 0;
    for product in [ProductKey::App, ProductKey::Portal] {
        let product_id = places.product(product)?;
        let mut rows = Vec::new();
        for series in metrics::SERIES.iter().filter(|s| s.product == product) {
            for index in 0..metrics::MONTHS {
                rows.push(MetricPointFields::parse(MetricPointInput {
                    product_id,
                    feature_id: None,
                    kind: series.kind,
                    date: metrics::month_end(index + 1),
                    value: series.value(index),
                })?);
            }
        }
        for released in metrics::RELEASED.iter().filter(|r| r.product == product) {
            let item = work_items
                .get(released.item)
                .copied()
                .ok_or_else(|| demo_table_error(format!("a metric series names unknown item '{}'", released.item)))?;
            let release_day = store.get_work_item(item).await?.fields.released_on.ok_or_else(|| {
                demo_table_error(format!("'{}' has adoption points but no release date", released.item))
            })?;
            let points = released.points(release_day).ok_or_else(|| {
                demo_table_error(format!("the adoption of '{}' runs past the calendar", released.item))
            })?;
            for (date, value) in points {
                rows.push(MetricPointFields::parse(MetricPointInput {
                    product_id,
                    feature_id: Some(item),
                    kind: crate::metrics::MetricKind::Adoption,
                    date: Some(date),
                    value,
                })?);
            }
        }
        store.record_metric_points(&demo_actor(), rows).await?;
        stored += count(store.list_metric_points(&MetricFilter::product(product_id)).await?.len());
    }
    Ok(stored)
}

/// The demo tables contradict themselves (a programming error, caught by this module's tests).
fn demo_table_error(message: String) -> DomainError {
    DomainError::invalid("demo", "inconsistent", message)
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Experiments: the products' A/B tests (their features by title). Returns how many were stored.
async fn create_experiments(
    store: &dyn Store,
    places: &Places<'_>,
    work_items: &HashMap<&'static str, WorkItemId>,
) -> DomainResult<u64> {
    use crate::experiment::{ExperimentFields, ExperimentInput, VariantInput};
    let mut stored = 0;
    for row in experiments::EXPERIMENTS {
        let feature_id =
            row.feature
                .map(|title| {
                    work_items.get(title).copied().ok_or_else(|| {
                        demo_table_error(format!("experiment '{}' tests unknown item '{title}'", row.name))
                    })
                })
                .transpose()?;
        let fields = ExperimentFields::parse(ExperimentInput {
            product_id: places.product(row.product)?,
            feature_id,
            name: row.name.to_owned(),
            hypothesis: row.hypothesis.to_owned(),
            metric: row.metric,
            baseline: row.baseline,
            baseline_std_dev: row.baseline_std_dev,
            minimum_detectable_effect: row.minimum_detectable_effect,
            power: 0.8,
            alpha: 0.05,
            status: row.status,
            variants: row
                .variants
                .iter()
                .map(|(name, numbers)| VariantInput { name: (*name).to_owned(), numbers: *numbers })
                .collect(),
        })?;
        store.create_experiment(&demo_actor(), fields).await?;
        stored += 1;
    }
    Ok(stored)
}

/// Checks of the tables themselves, without a store: the rules the store would enforce, and the
/// coherence a reader of the demo expects.
#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::backlog::{Leaf, epics};
    use super::catalog::{self, DEPENDENCIES, MILESTONES, Node, PROJECTS, TEAMS, TeamKey};
    use crate::dependency::DependencyKind;
    use crate::work_item::{WorkItemKind, WorkItemStatus};

    fn team_capacity(key: TeamKey) -> i64 {
        TEAMS.iter().find(|team| team.key == key).map_or(0, |team| team.capacity)
    }

    /// Every stored item (epics and features as summaries) with the team that does it.
    fn all_items() -> Vec<Leaf> {
        let mut items = Vec::new();
        for epic in epics() {
            items.push(epic.summary());
            for feature in epic.features {
                items.push(feature.summary());
                items.extend(feature.items.iter().map(|leaf| super::leaf_with_team(leaf, feature.team)));
            }
        }
        items
    }

    #[test]
    fn the_tables_have_the_promised_size() {
        let items = all_items();
        assert_eq!(items.len(), 178);
        let count = |kind| items.iter().filter(|item| item.kind == kind).count();
        assert_eq!(
            [WorkItemKind::Epic, WorkItemKind::Feature, WorkItemKind::Story, WorkItemKind::Task, WorkItemKind::Bug]
                .map(count),
            [19, 38, 52, 64, 5]
        );
        assert_eq!(MILESTONES.len(), 13);
        assert_eq!(DEPENDENCIES.len(), 88);
        for project in PROJECTS {
            assert!(MILESTONES.iter().filter(|m| m.project == project.key).count() >= 2, "{}", project.name);
        }
    }

    #[test]
    fn titles_are_unique_and_every_dependency_end_exists_once() {
        let items = all_items();
        let titles: HashSet<&str> = items.iter().map(|item| item.title).collect();
        assert_eq!(titles.len(), items.len());
        let milestones: HashSet<&str> = MILESTONES.iter().map(|m| m.name).collect();
        assert_eq!(milestones.len(), MILESTONES.len());
        let mut pairs = HashSet::new();
        for row in DEPENDENCIES {
            for end in [row.predecessor, row.successor] {
                match end {
                    Node::Item(title) => assert!(titles.contains(title), "unknown item {title}"),
                    Node::Milestone(name) => assert!(milestones.contains(name), "unknown milestone {name}"),
                }
            }
            assert!(pairs.insert((row.predecessor.label(), row.successor.label())), "{:?}", row.successor);
        }
    }

    #[test]
    fn dependencies_form_no_cycle() {
        // Kahn's algorithm: every node can be taken once its predecessors are.
        let mut incoming: HashMap<&str, usize> = HashMap::new();
        let mut outgoing: HashMap<&str, Vec<&str>> = HashMap::new();
        for row in DEPENDENCIES {
            *incoming.entry(row.successor.label()).or_default() += 1;
            incoming.entry(row.predecessor.label()).or_default();
            outgoing.entry(row.predecessor.label()).or_default().push(row.successor.label());
        }
        let mut ready: Vec<&str> = incoming.iter().filter(|(_, n)| **n == 0).map(|(node, _)| *node).collect();
        let mut taken = 0;
        while let Some(node) = ready.pop() {
            taken += 1;
            for next in outgoing.get(node).into_iter().flatten() {
                let n = incoming.get_mut(next).expect("counted above");
                *n -= 1;
                if *n == 0 {
                    ready.push(next);
                }
            }
        }
        assert_eq!(taken, incoming.len());
    }

    #[test]
    fn every_item_fits_its_team_and_parses() {
        for item in all_items() {
            if let Some(team) = item.team {
                assert!(item.people_needed <= team_capacity(team), "{}", item.title);
            }
            assert_eq!(item.story_points.is_some(), item.kind == WorkItemKind::Story, "{}", item.title);
            let [o, m, p] = item.estimate;
            assert!(crate::values::Estimate::new(o, m, p).is_ok(), "{}", item.title);
        }
        let leaves = all_items().into_iter().filter(|item| item.team.is_some()).count();
        assert_eq!(leaves, 178 - 19, "every feature and leaf has a team");
    }

    #[test]
    fn statuses_follow_the_dependencies() {
        // Nothing has started whose finish-to-start predecessors are unfinished, nor whose
        // start-to-start predecessors have not started; a milestone counts as reached when all
        // its predecessors are done.
        let status: HashMap<&str, WorkItemStatus> = all_items().iter().map(|item| (item.title, item.status)).collect();
        let done = |node: Node| -> bool {
            match node {
                Node::Item(title) => status[title] == WorkItemStatus::Done,
                Node::Milestone(_) => DEPENDENCIES
                    .iter()
                    .filter(|row| row.successor == node)
                    .all(|row| matches!(row.predecessor, Node::Item(title) if status[title] == WorkItemStatus::Done)),
            }
        };
        for row in DEPENDENCIES {
            let Node::Item(successor) = row.successor else { continue };
            let started = matches!(status[successor], WorkItemStatus::InProgress | WorkItemStatus::Done);
            if !started {
                continue;
            }
            match row.kind {
                DependencyKind::FinishToStart => assert!(done(row.predecessor), "{successor}"),
                DependencyKind::StartToStart => {
                    let Node::Item(predecessor) = row.predecessor else { continue };
                    assert_ne!(status[predecessor], WorkItemStatus::Backlog, "{successor}");
                }
                _ => {}
            }
        }
        assert!(catalog::PROGRAM.budget >= PROJECTS.iter().map(|p| p.budget).sum::<i64>());
    }

    #[test]
    fn risks_hit_items_of_the_program_and_score_as_documented() {
        use crate::risk::{Probability, impact_band};
        let in_projects: HashSet<&str> = epics()
            .filter(|epic| epic.project.is_some())
            .flat_map(|epic| epic.leaves().map(|leaf| leaf.title).collect::<Vec<_>>())
            .collect();
        let scores: Vec<(u8, u8)> = super::risks::RISKS
            .iter()
            .map(|risk| {
                for title in risk.hits {
                    assert!(in_projects.contains(title), "{}: {title}", risk.title);
                }
                let probability = Probability::parse("probability", risk.probability).expect("a percentage");
                (probability.band(), impact_band(risk.impact[1]))
            })
            .collect();
        assert_eq!(scores, [(3, 3), (5, 4), (2, 5), (4, 2), (2, 2), (3, 3), (3, 3)]);
    }

    #[test]
    fn milestone_targets_lie_in_their_projects_and_follow_the_dependencies() {
        // Within the project's and program's dates, and no milestone targeted before one it
        // waits for, through any chain of dependencies.
        let target: HashMap<&str, chrono::NaiveDate> = MILESTONES.iter().map(|m| (m.name, m.target_date)).collect();
        for milestone in MILESTONES {
            let project = PROJECTS.iter().find(|p| p.key == milestone.project).expect("its project");
            assert!(project.start <= milestone.target_date, "{}", milestone.name);
            assert!(milestone.target_date <= catalog::PROGRAM.target_end, "{}", milestone.name);
        }
        let mut ordered = 0;
        for milestone in MILESTONES {
            let mut reached: HashSet<&str> = HashSet::new();
            let mut frontier = vec![milestone.name];
            while let Some(node) = frontier.pop() {
                for row in DEPENDENCIES.iter().filter(|row| row.predecessor.label() == node) {
                    if reached.insert(row.successor.label()) {
                        frontier.push(row.successor.label());
                    }
                }
            }
            for later in reached.iter().filter_map(|name| target.get(name)) {
                assert!(
                    milestone.target_date <= *later,
                    "{} is targeted after a milestone waiting for it",
                    milestone.name
                );
                ordered += 1;
            }
        }
        assert_eq!(ordered, 5, "milestone pairs linked through dependencies");
    }

    #[test]
    fn some_dependencies_cross_projects_and_carry_lags() {
        let project_of_item: HashMap<&str, Option<catalog::ProjectKey>> = epics()
            .flat_map(|epic| {
                let own = [epic.title].into_iter().chain(epic.features.iter().map(|f| f.title));
                own.chain(epic.leaves().map(|leaf| leaf.title)).map(move |title| (title, epic.project))
            })
            .collect();
        let project = |node: Node| match node {
            Node::Item(title) => project_of_item[title],
            Node::Milestone(name) => MILESTONES.iter().find(|m| m.name == name).map(|m| m.project),
        };
        let crossing = DEPENDENCIES.iter().filter(|row| project(row.predecessor) != project(row.successor)).count();
        assert_eq!(crossing, 25);
        let kinds = |kind| DEPENDENCIES.iter().filter(|row| row.kind == kind).count();
        assert_eq!(
            [DependencyKind::FinishToStart, DependencyKind::StartToStart, DependencyKind::FinishToFinish].map(kinds),
            [80, 6, 2]
        );
        let lags: Vec<i64> = DEPENDENCIES.iter().map(|row| row.lag_days).filter(|lag| *lag != 0).collect();
        assert_eq!(lags, vec![5, 2, 10, -3, 20, 20, 2, 10, 3, 5, 5, 10]);
    }
}
