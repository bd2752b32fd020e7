//! Program forecast: the Monte Carlo forecast of [`tandem_engine::forecast`] on a program's
//! planned problem, with the answer in calendar dates.
//!
//! The mapping, on top of [`crate::planning`]'s (same activities, links, teams and program
//! calendar):
//! - **Estimates.** Each leaf work item's three-point estimate (optimistic, most likely,
//!   pessimistic working days), scaled to what its percent complete leaves, is sampled as such,
//!   PERT-Beta by default, rounded up to whole working days; the deterministic plan uses its PERT
//!   mean instead. Milestones take no time.
//! - **Risks.** The program's open and occurring risks become engine [`RiskEvent`]s on the open
//!   leaf work items they hit ([`crate::risk::risk_events`]): an open risk occurs with its
//!   probability, an occurring one always; closed risks and risks hitting nothing open are left
//!   out.
//! - **Modes.** Network only (links and project start dates: the critical-path finish of each
//!   iteration), or resource-aware: the scheduler first searches
//!   [`ForecastOptions::ORDER_SCHEDULES`] schedules with the same seed, as `tandem plan` does,
//!   and every iteration re-decodes its best priority order under the teams' capacities and
//!   days off.
//! - **The deterministic plan** is the same problem with every estimate at its PERT mean and no
//!   risk: its critical path (network only) or the scheduler's best schedule (resource-aware).
//!   The forecast's P50 minus the plan's finish is the **merge bias** (where parallel paths
//!   merge, the latest of several uncertain finishes is later than the latest of their means)
//!   plus what the open risks add.
//! - **Dates.** A finish period `f` (the first period after the work) of the program, a project
//!   or a work item becomes the date of its last working day, period `f - 1` (as
//!   [`crate::planning::ProgramSchedule::finish`]). A milestone takes no time; one reached by
//!   finishing work (an incoming finish-to-start or finish-to-finish link, after summaries are
//!   expanded) is dated on that work's last day, period `f - 1`, as planning tools date it: a
//!   milestone closing the program then falls on the program's finish, not the working day
//!   after it. Its periods are raised to at least the one after its project's start, so it is
//!   never dated before its project's first working day. Any other milestone (no predecessor,
//!   or only start-to-start or start-to-finish links) is dated by its own period `f`. The rule
//!   is decided once per milestone ([`crate::planning::PlannedProblem::date_rules`]) and kept
//!   with each dated figure ([`DatedPercentiles::rule`]), so a stored forecast is re-dated by
//!   the rule it was computed with. A project finishes no earlier than its first working day:
//!   with no work (or only milestones on its start) its finish period is raised to the one after
//!   its start, so it is dated on its start. The calendar is monotone, so percentiles of dates are the
//!   dates of the percentiles; means stay in working days. A forecast keeps the date of every
//!   period it names ([`ProgramForecast::calendar`]), so a stored forecast reads the same
//!   later. The calendar ends in 9999 (see [`crate::planning`]): a plan or an iteration whose
//!   dated period (a start, a last working day, a milestone's date) lies later is refused
//!   (`Validation` on `program`, code `out_of_range`), as the schedule is, and nothing is dated
//!   past it: work ending on the calendar's last working day is forecast.
//! - **Inputs.** A forecast keeps the version of every record it was computed from
//!   ([`InputVersion`]; for a work item, a fingerprint of the fields it reads,
//!   [`WorkItemPlanFields`], so a backlog move or a story edit leaves it current);
//!   [`input_changes`] tells how far the records have moved since.
//!
//! [`load_forecast_inputs`] loads the records, [`forecast_input`] builds the engine input
//! (pure), [`dated_forecast`] maps the answer back (pure), [`forecast_program`] does both around
//! the engine run (pure and CPU-bound: run it off the async runtime).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use tandem_engine::forecast::MAX_ITERATIONS;
// The engine's result shapes, re-exported so storage and the server need not depend on it.
pub use tandem_engine::{Convergence, CurvePoint, Distribution, Histogram, Percentiles};
use tandem_engine::{
    Forecast, ForecastError, ForecastInput, ForecastMode, RiskEvent, Schedule, SolveOptions, ThreePoint,
    forecast_with_progress,
};

use crate::dependency::{DependencyKind, NodeRef};
use crate::error::{DomainError, DomainResult, EntityKind, ValidationErrors};
use crate::ids::{MilestoneId, ProgramId, ProjectId, RiskId, TeamId, WorkItemId};
use crate::planning::{PlannedProblem, PlanningInput, build_problem, build_problem_covering, load_planning_input};
use crate::risk::{Risk, risk_events};
use crate::store::{PageRequest, RiskFilter, Store};
use crate::work_item::{WorkItem, WorkItemStatus};

/// How a program forecast runs, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForecastOptions {
    iterations: u32,
    seed: u64,
    resource_aware: bool,
    distribution: Distribution,
}

impl ForecastOptions {
    pub const DEFAULT_ITERATIONS: u32 = 1_000;
    pub const DEFAULT_SEED: u64 = 1;
    /// Schedules the resource-aware mode searches for its priority order (as `tandem plan`).
    pub const ORDER_SCHEDULES: u64 = 2_000;

    /// Field `iterations` (1 to the engine's maximum); `None` takes the defaults.
    pub fn new(
        iterations: Option<i64>,
        seed: Option<u64>,
        resource_aware: bool,
        distribution: Distribution,
    ) -> Result<ForecastOptions, ValidationErrors> {
        let iterations = iterations.unwrap_or(i64::from(Self::DEFAULT_ITERATIONS));
        if !(1..=i64::from(MAX_ITERATIONS)).contains(&iterations) {
            return Err(ValidationErrors::single(
                "iterations",
                "out_of_range",
                format!("must be between 1 and {MAX_ITERATIONS}"),
            ));
        }
        Ok(ForecastOptions {
            iterations: iterations as u32,
            seed: seed.unwrap_or(Self::DEFAULT_SEED),
            resource_aware,
            distribution,
        })
    }

    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn resource_aware(&self) -> bool {
        self.resource_aware
    }

    pub fn distribution(&self) -> Distribution {
        self.distribution
    }
}

impl Default for ForecastOptions {
    fn default() -> Self {
        ForecastOptions {
            iterations: Self::DEFAULT_ITERATIONS,
            seed: Self::DEFAULT_SEED,
            resource_aware: false,
            distribution: Distribution::Pert,
        }
    }
}

/// The wire and storage word of a distribution (`pert`, `triangular`).
pub fn distribution_word(distribution: Distribution) -> &'static str {
    match distribution {
        Distribution::Pert => "pert",
        Distribution::Triangular => "triangular",
    }
}

/// Field `field`: `pert` or `triangular`.
pub fn parse_distribution(field: &str, raw: &str) -> Result<Distribution, ValidationErrors> {
    match raw.trim() {
        "pert" => Ok(Distribution::Pert),
        "triangular" => Ok(Distribution::Triangular),
        _ => Err(ValidationErrors::single(field, "invalid", "must be one of pert, triangular")),
    }
}

/// Percentiles of a finish as dates, with the working-day figures they come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatedPercentiles {
    pub p10: NaiveDate,
    pub p50: NaiveDate,
    pub p80: NaiveDate,
    pub p95: NaiveDate,
    /// The same in periods (working days from the program calendar's period 0), with the mean.
    pub periods: Percentiles,
    /// How the periods were dated.
    pub rule: DateRule,
}

/// How a finish period becomes a date: the last working day before it, or its own (see the
/// module doc for which activity takes which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRule {
    /// Period `f - 1`: work that ends when period `f` begins, and a milestone reached by
    /// finishing work (dated on that work's last day).
    LastWorkingDay,
    /// Period `f`: a milestone not reached by finishing work (no predecessor, or only
    /// start-to-start and start-to-finish links).
    OnThePeriod,
}

impl DateRule {
    /// The rule by node type alone: a work item's finish is its last working day, a milestone's
    /// its own period. The rule every milestone had before milestones reached by finishing work
    /// were dated on that work's last day; forecasts stored without a rule were dated by it.
    pub fn of(node: NodeRef) -> DateRule {
        match node {
            NodeRef::WorkItem(_) => DateRule::LastWorkingDay,
            NodeRef::Milestone(_) => DateRule::OnThePeriod,
        }
    }

    /// A milestone's rule from the kinds of its incoming links (after summaries are expanded):
    /// reached by finishing work (at least one finish-to-start or finish-to-finish link), it is
    /// dated on that work's last day, as planning tools date it; otherwise on its own period.
    pub fn of_milestone(incoming: impl IntoIterator<Item = DependencyKind>) -> DateRule {
        let finishing = incoming
            .into_iter()
            .any(|kind| matches!(kind, DependencyKind::FinishToStart | DependencyKind::FinishToFinish));
        if finishing { DateRule::LastWorkingDay } else { DateRule::OnThePeriod }
    }

    /// Periods between a finish period and the period it is dated by.
    pub fn back(self) -> i64 {
        match self {
            DateRule::LastWorkingDay => 1,
            DateRule::OnThePeriod => 0,
        }
    }

    /// The word the stores keep.
    pub fn as_str(self) -> &'static str {
        match self {
            DateRule::LastWorkingDay => "last_working_day",
            DateRule::OnThePeriod => "on_the_period",
        }
    }

    /// The rule named by [`DateRule::as_str`].
    pub fn parse(word: &str) -> Option<DateRule> {
        match word {
            "last_working_day" => Some(DateRule::LastWorkingDay),
            "on_the_period" => Some(DateRule::OnThePeriod),
            _ => None,
        }
    }
}

/// The date of `period` in `calendar` (period 0 first); before 0 is period 0, and past the end
/// the last date (a forecast's calendar always reaches every period it dates).
pub fn calendar_date(calendar: &[NaiveDate], period: i64) -> NaiveDate {
    let index = usize::try_from(period.max(0)).unwrap_or(usize::MAX).min(calendar.len().saturating_sub(1));
    calendar.get(index).copied().unwrap_or(NaiveDate::MIN)
}

impl DatedPercentiles {
    /// Dates `periods` with `calendar` by `rule`.
    pub fn on(calendar: &[NaiveDate], periods: Percentiles, rule: DateRule) -> DatedPercentiles {
        let date = |p: i64| calendar_date(calendar, p - rule.back());
        DatedPercentiles {
            p10: date(periods.p10),
            p50: date(periods.p50),
            p80: date(periods.p80),
            p95: date(periods.p95),
            periods,
            rule,
        }
    }
}

/// A project's forecast finish (the last working day of its work).
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectForecast {
    pub project_id: ProjectId,
    pub name: String,
    /// Dated by [`DateRule::LastWorkingDay`], with its periods at least the period after the
    /// project's start (its first working day): a project with no work, or only milestones on
    /// its start, finishes on its start date rather than the working day before it.
    pub finish: DatedPercentiles,
}

/// A milestone's forecast date, beside its target.
#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneForecast {
    pub milestone_id: MilestoneId,
    pub name: String,
    pub project_id: ProjectId,
    pub target_date: NaiveDate,
    pub date: DatedPercentiles,
}

impl MilestoneForecast {
    /// Whether the P80 date is on or before the target date.
    pub fn p80_meets_target(&self) -> bool {
        self.date.p80 <= self.target_date
    }
}

/// One simulated activity (an open leaf work item or a milestone).
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityForecast {
    pub node: NodeRef,
    /// The title (or milestone name) when the forecast was computed.
    pub title: String,
    pub project_id: Option<ProjectId>,
    /// Start and finish periods in the deterministic plan (finish = first period after it).
    pub plan_start: i64,
    pub plan_finish: i64,
    /// Its finish, dated by [`DateRule::LastWorkingDay`] (work items, and milestones reached by
    /// finishing work) or [`DateRule::OnThePeriod`] (other milestones).
    pub finish: DatedPercentiles,
    /// Share of iterations in which it was on the critical path (0 to 1).
    pub criticality: f64,
    /// Spearman rank correlation of its sampled duration with the program finish (-1 to 1).
    pub sensitivity: f64,
}

/// One risk event of the forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskForecast {
    pub risk_id: RiskId,
    /// The title when the forecast was computed.
    pub title: String,
    /// Chance it occurs in an iteration, in percent (100 for an occurring risk).
    pub probability_percent: u8,
    /// Spearman rank correlation of its applied impact (0 when it did not occur) with the finish.
    pub sensitivity: f64,
    /// Working days the program's P80 finish moves because of it (P80 with every risk minus P80
    /// with this one left out, the other samples unchanged).
    pub p80_days: i64,
}

/// The deterministic plan's finish, for the merge bias.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanFinish {
    /// First period after the plan's last activity.
    pub periods: i64,
    /// Its last working day.
    pub date: NaiveDate,
    /// Share of iterations finishing by then (0 to 1): how likely the single-point date is.
    pub probability: f64,
}

/// The version of one record a forecast was computed from.
///
/// For a work item `version` is not its record version but [`WorkItemPlanFields::input_version`]:
/// a fingerprint of the fields the plan and the forecast read. A work item's record version also
/// moves on edits neither reads (a backlog move renumbers every item of the product, and a story
/// or prioritization edit bumps it too); counting those would mark the forecast stale for a
/// change that cannot move a date. The fingerprint changes with every field the forecast does
/// read, so "any change to a forecast input marks it stale" stays true. Every other record keeps
/// its record version: all of its fields are inputs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InputVersion {
    pub entity: EntityKind,
    pub record_id: String,
    pub version: i64,
}

/// What the plan and the forecast read of a work item ([`crate::planning::build_problem`],
/// [`forecast_input`], [`crate::risk::risk_events`]): its project, parent, title (kept in the
/// snapshot), status, three-point estimate, team and people needed. Not its rank, product,
/// kind, description, story points, release date or backlog details.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkItemPlanFields<'a> {
    pub project_id: Option<ProjectId>,
    pub parent_id: Option<WorkItemId>,
    pub title: &'a str,
    pub status: WorkItemStatus,
    pub optimistic: f64,
    pub most_likely: f64,
    pub pessimistic: f64,
    pub team_id: Option<TeamId>,
    pub people_needed: i64,
    pub percent_complete: i64,
}

impl<'a> WorkItemPlanFields<'a> {
    pub fn of(item: &'a WorkItem) -> WorkItemPlanFields<'a> {
        let f = &item.fields;
        WorkItemPlanFields {
            project_id: f.placement.project_id(),
            parent_id: f.parent_id,
            title: f.title.as_str(),
            status: f.status,
            optimistic: f.estimate.optimistic(),
            most_likely: f.estimate.most_likely(),
            pessimistic: f.estimate.pessimistic(),
            team_id: f.team_id,
            people_needed: i64::from(f.people_needed.get()),
            percent_complete: i64::from(f.percent_complete.get()),
        }
    }

    /// The work item's [`InputVersion::version`]: a 64-bit FNV-1a hash of these fields (each
    /// one length-prefixed), kept to 53 bits so it stays exact as a JSON number anywhere. Stable
    /// across processes, platforms and releases (no randomly keyed hasher): stores compute it
    /// from their columns, and a saved forecast compares against it later.
    pub fn input_version(&self) -> i64 {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut hash = OFFSET;
        let mut write = |bytes: &[u8]| {
            for byte in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
                hash ^= u64::from(*byte);
                hash = hash.wrapping_mul(PRIME);
            }
        };
        let id = |id: Option<String>| id.unwrap_or_default();
        write(id(self.project_id.map(|p| p.to_string())).as_bytes());
        write(id(self.parent_id.map(|p| p.to_string())).as_bytes());
        write(self.title.as_bytes());
        write(self.status.as_str().as_bytes());
        for days in [self.optimistic, self.most_likely, self.pessimistic] {
            write(&days.to_bits().to_le_bytes());
        }
        write(id(self.team_id.map(|t| t.to_string())).as_bytes());
        write(&self.people_needed.to_le_bytes());
        // Read only for open items (done and cancelled ones are not planned), and left out while
        // 0, so items that never recorded progress keep the fingerprint they had before the
        // field existed (their stored forecasts do not turn stale).
        if self.status.is_open() && self.percent_complete != 0 {
            write(&self.percent_complete.to_le_bytes());
        }
        (hash & ((1 << 53) - 1)) as i64
    }
}

/// How the records have moved since a forecast was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InputChanges {
    /// Records read by the forecast that have another version now.
    pub changed: usize,
    /// Records the forecast would read now that it did not.
    pub added: usize,
    /// Records the forecast read that it would not read now (deleted, closed out of scope...).
    pub removed: usize,
}

impl InputChanges {
    pub fn is_current(&self) -> bool {
        *self == InputChanges::default()
    }
}

/// Compares the versions a forecast kept with the versions of the records now.
pub fn input_changes(kept: &[InputVersion], now: &[InputVersion]) -> InputChanges {
    let key = |v: &InputVersion| (v.entity, v.record_id.clone());
    let kept_versions: HashMap<(EntityKind, String), i64> = kept.iter().map(|v| (key(v), v.version)).collect();
    let mut changes = InputChanges::default();
    let mut seen = HashSet::new();
    for version in now {
        let k = key(version);
        match kept_versions.get(&k) {
            Some(&kept) if kept == version.version => {}
            Some(_) => changes.changed += 1,
            None => changes.added += 1,
        }
        seen.insert(k);
    }
    changes.removed = kept_versions.keys().filter(|k| !seen.contains(*k)).count();
    changes
}

/// Everything a program forecast is computed from.
#[derive(Debug, Clone)]
pub struct ForecastInputs {
    pub planning: PlanningInput,
    /// The program's risks (every status: closed ones are left out of the simulation).
    pub risks: Vec<Risk>,
}

impl ForecastInputs {
    /// The version of every record the forecast reads, in (entity, id) order: the program, its
    /// projects, work items (their [`WorkItemPlanFields::input_version`]), milestones,
    /// dependencies and risks, and the teams its items use.
    pub fn versions(&self) -> Vec<InputVersion> {
        let p = &self.planning;
        let version = |entity: EntityKind, id: String, version: i64| InputVersion { entity, record_id: id, version };
        let used_teams: HashSet<_> = p.work_items.iter().filter_map(|i| i.fields.team_id).collect();
        let mut versions = vec![version(EntityKind::Program, p.program.id.to_string(), p.program.meta.version)];
        versions.extend(p.projects.iter().map(|r| version(EntityKind::Project, r.id.to_string(), r.meta.version)));
        versions.extend(
            p.work_items
                .iter()
                .map(|r| version(EntityKind::WorkItem, r.id.to_string(), WorkItemPlanFields::of(r).input_version())),
        );
        versions.extend(p.milestones.iter().map(|r| version(EntityKind::Milestone, r.id.to_string(), r.meta.version)));
        versions
            .extend(p.dependencies.iter().map(|r| version(EntityKind::Dependency, r.id.to_string(), r.meta.version)));
        versions.extend(
            p.teams
                .iter()
                .filter(|t| used_teams.contains(&t.id))
                .map(|r| version(EntityKind::Team, r.id.to_string(), r.meta.version)),
        );
        versions.extend(self.risks.iter().map(|r| version(EntityKind::Risk, r.id.to_string(), r.meta.version)));
        versions.sort();
        versions
    }
}

/// Loads what [`forecast_program`] needs for `program_id` (`NotFound` for an unknown program).
pub async fn load_forecast_inputs(store: &dyn Store, program_id: ProgramId) -> DomainResult<ForecastInputs> {
    let planning = load_planning_input(store, program_id).await?;
    let filter = RiskFilter { program: Some(program_id), ..RiskFilter::default() };
    let mut risks = Vec::new();
    let mut request = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let page = store.list_risks(&filter, &request).await?;
        risks.extend(page.items);
        match page.next_cursor {
            Some(cursor) => request.after = Some(cursor),
            None => break,
        }
    }
    Ok(ForecastInputs { planning, risks })
}

/// A program's forecast in dates.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramForecast {
    pub program_id: ProgramId,
    pub computed_at: DateTime<Utc>,
    /// Who asked for it (the actor's name).
    pub computed_by: String,
    pub options: ForecastOptions,
    /// Schedules searched for the resource-aware order (`None`: network only).
    pub schedules_used: Option<u64>,
    /// Activities simulated (open leaf work items and milestones).
    pub activities: usize,
    /// The date of every period from 0 to the latest period any figure below names, as far as
    /// the program calendar reaches (a finish on its last working day names the period after).
    pub calendar: Vec<NaiveDate>,
    /// The whole program's last working day.
    pub finish: DatedPercentiles,
    /// The deterministic plan's finish.
    pub plan: PlanFinish,
    /// In the program's project order.
    pub projects: Vec<ProjectForecast>,
    /// In the program's milestone order.
    pub milestones: Vec<MilestoneForecast>,
    /// In activity order (the planned problem's).
    pub activity_forecasts: Vec<ActivityForecast>,
    /// Distribution of the program finish period (first period after the work).
    pub histogram: Histogram,
    /// Probability of finishing by each finish period.
    pub s_curve: Vec<CurvePoint>,
    pub convergence: Convergence,
    /// One per simulated risk event, in the register's order.
    pub risks: Vec<RiskForecast>,
    /// The records it was computed from.
    pub inputs: Vec<InputVersion>,
    /// What the planning left out or adjusted, for people.
    pub diagnostics: Vec<String>,
}

impl ProgramForecast {
    /// Working days the P50 finish lies after the deterministic plan's: the merge bias, plus what
    /// the open risks add (see the module doc).
    pub fn merge_bias_days(&self) -> i64 {
        self.finish.periods.p50 - self.plan.periods
    }

    /// The date of `period` (see [`calendar_date`]).
    pub fn date(&self, period: i64) -> NaiveDate {
        calendar_date(&self.calendar, period)
    }

    /// The `count` activities with the largest absolute sensitivity, then the risks likewise,
    /// merged and ordered by it (ties: activities first, then input order): the tornado.
    pub fn top_drivers(&self, count: usize) -> Vec<Driver<'_>> {
        let mut drivers: Vec<Driver<'_>> = self
            .activity_forecasts
            .iter()
            .filter(|a| a.sensitivity != 0.0)
            .map(Driver::Activity)
            .chain(self.risks.iter().filter(|r| r.sensitivity != 0.0).map(Driver::Risk))
            .collect();
        drivers.sort_by(|a, b| b.sensitivity().abs().total_cmp(&a.sensitivity().abs()));
        drivers.truncate(count);
        drivers
    }
}

/// A driver of the finish date: an activity's duration or a risk's impact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Driver<'a> {
    Activity(&'a ActivityForecast),
    Risk(&'a RiskForecast),
}

impl Driver<'_> {
    pub fn sensitivity(&self) -> f64 {
        match self {
            Driver::Activity(a) => a.sensitivity,
            Driver::Risk(r) => r.sensitivity,
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Driver::Activity(a) => &a.title,
            Driver::Risk(r) => &r.title,
        }
    }
}

/// The engine's forecast input for a planned program: one estimate per activity (work items
/// from their three-point estimates, milestones a certain zero), the given risk events, mode
/// and options (pure).
pub fn forecast_input<'a>(
    input: &PlanningInput,
    planned: &'a PlannedProblem,
    risks: &[RiskEvent],
    mode: ForecastMode,
    options: &ForecastOptions,
) -> ForecastInput<'a> {
    let items: HashMap<_, &WorkItem> = input.work_items.iter().map(|item| (item.id, item)).collect();
    let estimates = planned
        .entries
        .iter()
        .map(|entry| match entry.node {
            NodeRef::WorkItem(id) => items.get(&id).map(|item| {
                let e = crate::planning::remaining_estimate(item);
                ThreePoint::new(e.optimistic(), e.most_likely(), e.pessimistic())
            }),
            NodeRef::Milestone(_) => Some(ThreePoint::fixed(0.0)),
        })
        .collect();
    ForecastInput {
        problem: &planned.problem,
        estimates,
        distribution: options.distribution,
        risks: risks.to_vec(),
        mode,
        iterations: options.iterations,
        seed: options.seed,
    }
}

/// What a forecast run knows besides the engine's answer.
#[derive(Debug, Clone)]
pub struct RunContext<'a> {
    pub options: ForecastOptions,
    /// Schedules searched for the resource-aware order.
    pub schedules_used: Option<u64>,
    /// The deterministic plan (see the module doc).
    pub plan: &'a Schedule,
    /// The simulated risk events, and the register they came from.
    pub events: &'a [RiskEvent],
    pub risks: &'a [Risk],
    pub computed_at: DateTime<Utc>,
    pub computed_by: String,
    pub inputs: Vec<InputVersion>,
}

/// The engine's answer for a planned program in dates (pure; see the module doc for the date
/// rules). `Validation` on `program` when a simulated finish lies past the program calendar's
/// last working day (see [`crate::values::LAST_DATE`]).
pub fn dated_forecast(
    input: &PlanningInput,
    planned: &PlannedProblem,
    result: &Forecast,
    context: RunContext<'_>,
) -> DomainResult<ProgramForecast> {
    let plan_makespan = context.plan.makespan();
    // A project without work "finishes" at its release period, which its last working day would
    // date the day before it starts; it ends on its start date (its first working day) instead.
    let project_finish: Vec<Percentiles> = result
        .project_finish
        .iter()
        .zip(planned.problem.projects())
        .map(|(finish, project)| no_earlier_than(*finish, project.release.saturating_add(1)))
        .collect();
    // Each activity's finish periods, a milestone reached by finishing work raised likewise: it
    // is dated on that work's last day, never before its project's first working day.
    let activity_finish: Vec<Percentiles> = result
        .activity_finish
        .iter()
        .enumerate()
        .map(|(k, finish)| match planned.finish_floor(k) {
            Some(floor) => no_earlier_than(*finish, floor),
            None => *finish,
        })
        .collect();
    let rule_of = |k: usize| planned.date_rules.get(k).copied().unwrap_or(DateRule::LastWorkingDay);
    // Every figure is at most the latest finish of any iteration (the S-curve's last point),
    // the deterministic plan's, or a project's (the period after its start, when it has no work).
    let latest = result
        .s_curve
        .last()
        .map(|p| p.finish)
        .into_iter()
        .chain([plan_makespan, result.finish.p95])
        .chain(project_finish.iter().map(|p| p.p95))
        .chain(activity_finish.iter().map(|p| p.p95))
        .max()
        .unwrap_or(0);
    // The periods dated are fewer: a finish is dated by its rule (work, and a milestone reached
    // by finishing work, by its last working day, the period before its finish), the plan by its
    // starts and finish dates. Only these
    // must lie in the calendar, as in the schedule: work ending on its last day fits.
    let work_back = DateRule::LastWorkingDay.back();
    let last_dated = result
        .s_curve
        .last()
        .map(|p| p.finish - work_back)
        .into_iter()
        .chain([planned.last_dated_period(context.plan), result.finish.p95 - work_back])
        .chain(project_finish.iter().map(|p| p.p95 - work_back))
        .chain(activity_finish.iter().enumerate().map(|(k, p)| p.p95 - rule_of(k).back()))
        .max()
        .unwrap_or(0);
    let mut program_calendar = planned.calendar.clone();
    program_calendar.ensure_periods(last_dated.saturating_add(1), "the forecast's latest finish")?;
    // Up to the period after the latest finish, as far as the calendar reaches.
    let calendar = program_calendar.dates(latest.saturating_add(1));
    let projects = input
        .projects
        .iter()
        .zip(&project_finish)
        .map(|(project, finish)| ProjectForecast {
            project_id: project.id,
            name: project.fields.name.to_string(),
            finish: DatedPercentiles::on(&calendar, *finish, DateRule::LastWorkingDay),
        })
        .collect();
    let activity_of: HashMap<NodeRef, usize> = planned.entries.iter().enumerate().map(|(i, e)| (e.node, i)).collect();
    let milestones = input
        .milestones
        .iter()
        .filter_map(|milestone| {
            let k = *activity_of.get(&NodeRef::Milestone(milestone.id))?;
            let finish = activity_finish.get(k)?;
            Some(MilestoneForecast {
                milestone_id: milestone.id,
                name: milestone.fields.name.to_string(),
                project_id: milestone.fields.project_id,
                target_date: milestone.fields.target_date,
                date: DatedPercentiles::on(&calendar, *finish, rule_of(k)),
            })
        })
        .collect();
    let activity_forecasts = planned
        .entries
        .iter()
        .enumerate()
        .map(|(k, entry)| {
            let rule = rule_of(k);
            ActivityForecast {
                node: entry.node,
                title: entry.title.clone(),
                project_id: entry.project_id,
                plan_start: context.plan.start.get(k).copied().unwrap_or(0),
                plan_finish: context.plan.finish.get(k).copied().unwrap_or(0),
                finish: DatedPercentiles::on(&calendar, activity_finish[k], rule),
                criticality: result.criticality.get(k).copied().unwrap_or(0.0),
                sensitivity: result.sensitivity.activities.get(k).copied().unwrap_or(0.0),
            }
        })
        .collect();
    let register: HashMap<String, &Risk> = context.risks.iter().map(|r| (r.id.to_string(), r)).collect();
    let risks = context
        .events
        .iter()
        .enumerate()
        .filter_map(|(k, event)| {
            let risk = register.get(&event.key)?;
            Some(RiskForecast {
                risk_id: risk.id,
                title: risk.fields.title.to_string(),
                probability_percent: (event.probability * 100.0).round().clamp(0.0, 100.0) as u8,
                sensitivity: result.sensitivity.risks.get(k).copied().unwrap_or(0.0),
                p80_days: result.risk_p80_contribution.get(k).map(|c| c.p80_days).unwrap_or(0),
            })
        })
        .collect();
    let probability =
        result.s_curve.iter().take_while(|p| p.finish <= plan_makespan).last().map_or(0.0, |p| p.probability);
    Ok(ProgramForecast {
        program_id: input.program.id,
        computed_at: context.computed_at,
        computed_by: context.computed_by,
        options: context.options,
        schedules_used: context.schedules_used,
        activities: planned.problem.len(),
        finish: DatedPercentiles::on(&calendar, result.finish, DateRule::LastWorkingDay),
        plan: PlanFinish { periods: plan_makespan, date: calendar_date(&calendar, plan_makespan - 1), probability },
        projects,
        milestones,
        activity_forecasts,
        histogram: result.histogram.clone(),
        s_curve: result.s_curve.clone(),
        convergence: result.convergence,
        risks,
        inputs: context.inputs,
        diagnostics: planned.diagnostics.clone(),
        calendar,
    })
}

/// `periods` with every figure raised to at least `floor`. Nearest-rank percentiles of the raised
/// iterations are exactly these; the mean is raised alike, which is exact when all or none of the
/// iterations lie below `floor`.
fn no_earlier_than(periods: Percentiles, floor: i64) -> Percentiles {
    Percentiles {
        p10: periods.p10.max(floor),
        p50: periods.p50.max(floor),
        p80: periods.p80.max(floor),
        p95: periods.p95.max(floor),
        mean: periods.mean.max(floor as f64),
    }
}

/// Plans the program's problem, turns its risks into events, runs the forecast (resource-aware:
/// after the order search) and dates it. `progress(done, total)` hears of finished iterations.
/// `Validation` on `program` or `dependencies` as [`build_problem`], on `estimates` or `risks`
/// when the engine rejects them.
pub fn forecast_program(
    inputs: &ForecastInputs,
    options: ForecastOptions,
    computed_at: DateTime<Utc>,
    computed_by: &str,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> DomainResult<ProgramForecast> {
    let input = &inputs.planning;
    let today = computed_at.date_naive();
    let mut planned = build_problem(input, today)?;
    loop {
        let (result, plan, schedules_used, events) = simulate(inputs, &mut planned, &options, progress)?;
        // Rare: some iteration ran past the periods the teams' days off were modelled on.
        let histogram = &result.histogram;
        let reach = histogram.start + histogram.bin_width * histogram.counts.len() as i64;
        let reach = reach.max(plan.makespan());
        if !planned.covers(reach) {
            planned = build_problem_covering(input, today, reach.saturating_mul(2))?;
            continue;
        }
        let context = RunContext {
            options,
            schedules_used,
            plan: &plan,
            events: &events,
            risks: &inputs.risks,
            computed_at,
            computed_by: computed_by.to_owned(),
            inputs: inputs.versions(),
        };
        return dated_forecast(input, &planned, &result, context);
    }
}

/// One forecast of `planned`: the engine's result, the single-point plan it runs on, the
/// schedules its order search used (resource-aware) and the risk events simulated.
fn simulate(
    inputs: &ForecastInputs,
    planned: &mut PlannedProblem,
    options: &ForecastOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> DomainResult<(Forecast, Schedule, Option<u64>, Vec<RiskEvent>)> {
    let input = &inputs.planning;
    let nodes: Vec<NodeRef> = planned.entries.iter().map(|e| e.node).collect();
    let events = risk_events(&inputs.risks, &input.work_items, &nodes);
    let (mode, schedules_used, plan) = if options.resource_aware {
        let solve_options = SolveOptions {
            max_schedules: Some(ForecastOptions::ORDER_SCHEDULES),
            seed: options.seed,
            ..SolveOptions::default()
        };
        let solution = tandem_engine::solve(&planned.problem, &solve_options);
        (ForecastMode::ResourceAware { order: solution.order }, Some(solution.schedules_used), solution.schedule)
    } else {
        let cpm = tandem_engine::critical_path(&planned.problem);
        (ForecastMode::NetworkOnly, None, Schedule { start: cpm.early_start, finish: cpm.early_finish })
    };
    // The single-point plan already running past the calendar: no need to simulate. The same
    // periods as the schedule's (see `plan`): the plan's starts and last working days.
    let last_planned = planned.last_dated_period(&plan);
    planned.calendar.ensure_periods(last_planned.saturating_add(1), "the plan")?;
    let engine_input = forecast_input(input, planned, &events, mode, options);
    let result = forecast_with_progress(&engine_input, progress).map_err(forecast_error)?;
    Ok((result, plan, schedules_used, events))
}

fn forecast_error(error: ForecastError) -> DomainError {
    let field = match error {
        ForecastError::BadRisk { .. } => "risks",
        ForecastError::NoIterations | ForecastError::TooManyIterations { .. } => "iterations",
        ForecastError::Engine(_) => "program",
        _ => "estimates",
    };
    DomainError::invalid(field, "unforecastable", error.to_string())
}

/// Risks in the forecast ordered by how far they move the P80 (most first; ties by title).
pub fn risks_by_p80_effect(forecast: &ProgramForecast) -> Vec<&RiskForecast> {
    let mut risks: Vec<&RiskForecast> = forecast.risks.iter().collect();
    risks.sort_by(|a, b| b.p80_days.cmp(&a.p80_days).then_with(|| a.title.cmp(&b.title)));
    risks
}

/// "high" (critical in at least 75 % of iterations), "medium" (25 % to 75 %) or "low".
pub fn criticality_band(criticality: f64) -> &'static str {
    if criticality >= 0.75 {
        "high"
    } else if criticality >= 0.25 {
        "medium"
    } else {
        "low"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dependency::{Dependency, DependencyFields, DependencyInput, DependencyKind};
    use crate::ids::{DependencyId, TeamId, WorkItemId};
    use crate::milestone::{Milestone, MilestoneFields, MilestoneInput};
    use crate::program::{Program, ProgramFields, ProgramInput, ProgramPhase};
    use crate::project::{Project, ProjectFields, ProjectInput};
    use crate::record::{Meta, Record};
    use crate::risk::{RiskCategory, RiskFields, RiskInput, RiskResponse, RiskStatus};
    use crate::team::{Team, TeamFields, TeamInput};
    use crate::values::Rank;
    use crate::work_item::{WorkItemFields, WorkItemInput, WorkItemKind, WorkItemStatus};
    use tandem_engine::ActivityIdx;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn meta() -> Meta {
        let at = crate::record::now();
        Meta { created_at: at, updated_at: at, version: 1 }
    }

    fn program() -> Program {
        let fields = ProgramFields::parse(ProgramInput {
            name: "Core".into(),
            goal: String::new(),
            sponsor: None,
            phase: ProgramPhase::Delivery,
            // A Monday: period 0.
            start: day(3, 2),
            target_end: day(12, 31),
            budget: None,
            currency: None,
            status_date: Some(day(3, 2)),
        })
        .unwrap();
        Record { id: ProgramId::generate(), fields, meta: meta() }
    }

    fn project(program: &Program, name: &str, start: NaiveDate) -> Project {
        let fields = ProjectFields::parse(ProjectInput {
            program_id: program.id,
            name: name.into(),
            description: String::new(),
            manager: None,
            start,
            budget: None,
        })
        .unwrap();
        Record { id: ProjectId::generate(), fields, meta: meta() }
    }

    fn team(name: &str, capacity: i64) -> Team {
        let fields =
            TeamFields::parse(TeamInput { name: name.into(), capacity, working_days: None, holidays: vec![] }).unwrap();
        Record { id: TeamId::generate(), fields, meta: meta() }
    }

    fn item(project: &Project, title: &str, estimate: (f64, f64, f64), team: Option<&Team>) -> WorkItem {
        let fields = WorkItemFields::parse(WorkItemInput {
            kind: WorkItemKind::Task,
            project_id: Some(project.id),
            product_id: None,
            parent_id: None,
            title: title.into(),
            description: String::new(),
            status: WorkItemStatus::Backlog,
            optimistic: estimate.0,
            most_likely: estimate.1,
            pessimistic: estimate.2,
            story_points: None,
            team_id: team.map(|t| t.id),
            people_needed: Some(1),
            released_on: None,
            percent_complete: None,
        })
        .unwrap();
        WorkItem { id: WorkItemId::generate(), fields, rank: Rank::new(0), meta: meta() }
    }

    fn milestone(project: &Project, name: &str, target: NaiveDate) -> Milestone {
        let fields = MilestoneFields::parse(MilestoneInput {
            project_id: project.id,
            name: name.into(),
            target_date: target,
            deliverable: String::new(),
        })
        .unwrap();
        Record { id: MilestoneId::generate(), fields, meta: meta() }
    }

    fn fs(from: NodeRef, to: NodeRef) -> Dependency {
        link(from, to, DependencyKind::FinishToStart, 0)
    }

    fn link(from: NodeRef, to: NodeRef, kind: DependencyKind, lag_days: i64) -> Dependency {
        let fields =
            DependencyFields::parse(DependencyInput { predecessor: from, successor: to, kind, lag_days }).unwrap();
        Record { id: DependencyId::generate(), fields, meta: meta() }
    }

    /// Project "Ledger" (from the program's start): A (certain 2 days) -> B (certain 3 days)
    /// -> milestone M; project "Reports" (starting Wednesday 2026-03-04): C (1, 2, 6 days).
    /// A and C need the one person of team "Solo".
    fn sample() -> PlanningInput {
        let program = program();
        let ledger = project(&program, "Ledger", day(3, 2));
        let reports = project(&program, "Reports", day(3, 4));
        let solo = team("Solo", 1);
        let a = item(&ledger, "A", (2.0, 2.0, 2.0), Some(&solo));
        let b = item(&ledger, "B", (3.0, 3.0, 3.0), None);
        let c = item(&reports, "C", (1.0, 2.0, 6.0), Some(&solo));
        let m = milestone(&ledger, "M", day(3, 9));
        let node = |i: &WorkItem| NodeRef::WorkItem(i.id);
        let dependencies = vec![fs(node(&a), node(&b)), fs(node(&b), NodeRef::Milestone(m.id))];
        PlanningInput {
            program,
            projects: vec![ledger, reports],
            work_items: vec![a, b, c],
            milestones: vec![m],
            dependencies,
            teams: vec![solo],
        }
    }

    fn run(input: &PlanningInput, options: ForecastOptions) -> ProgramForecast {
        run_with_risks(input, vec![], options)
    }

    fn run_with_risks(input: &PlanningInput, risks: Vec<Risk>, options: ForecastOptions) -> ProgramForecast {
        let inputs = ForecastInputs { planning: input.clone(), risks };
        forecast_program(&inputs, options, crate::record::now(), "tester", &|_, _| {}).unwrap()
    }

    /// A work item that takes no time is dated like a milestone, alike in the schedule and the
    /// forecast: on its own day after a start-to-start link, on the work's last day after a
    /// finish-to-start one.
    #[test]
    fn zero_day_items_have_one_date_in_the_schedule_and_the_forecast() {
        let mut input = sample();
        let ledger = input.projects[0].clone();
        let a = item(&ledger, "Work", (3.0, 3.0, 3.0), None);
        let started = item(&ledger, "Started", (0.0, 0.0, 0.0), None);
        let done = item(&ledger, "Done", (0.0, 0.0, 0.0), None);
        let node = |i: &WorkItem| NodeRef::WorkItem(i.id);
        input.dependencies = vec![
            link(node(&a), node(&started), DependencyKind::StartToStart, 2),
            link(node(&a), node(&done), DependencyKind::FinishToStart, 0),
        ];
        input.work_items = vec![a, started, done];
        input.milestones.clear();
        let options = crate::planning::ScheduleOptions::default();
        let schedule = crate::planning::plan(&input, options, crate::record::now()).unwrap();
        let dates: Vec<(&str, NaiveDate, NaiveDate)> =
            schedule.entries.iter().map(|e| (e.title.as_str(), e.start, e.finish)).collect();
        // Work runs Monday 2 to Wednesday 4 March.
        assert_eq!(
            dates,
            vec![("Work", day(3, 2), day(3, 4)), ("Started", day(3, 4), day(3, 4)), ("Done", day(3, 4), day(3, 4))]
        );
        for resource_aware in [false, true] {
            let forecast =
                run(&input, ForecastOptions::new(Some(50), Some(1), resource_aware, Distribution::Pert).unwrap());
            let p50: Vec<(&str, NaiveDate)> =
                forecast.activity_forecasts.iter().map(|a| (a.title.as_str(), a.finish.p50)).collect();
            assert_eq!(p50, vec![("Work", day(3, 4)), ("Started", day(3, 4)), ("Done", day(3, 4))]);
        }
    }

    /// A team off every day of 2027 and a task of 1 to 600 days: however long a sample runs, the
    /// days off hold (the forecast is made again over a longer horizon when an iteration ran past
    /// the first one), so no finish falls in 2027.
    #[test]
    fn long_samples_pause_over_days_off_however_far_they_run() {
        use chrono::Datelike;
        let mut input = sample();
        let year: Vec<NaiveDate> = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap().iter_days().take(365).collect();
        let fields =
            TeamFields::parse(TeamInput { name: "Away".into(), capacity: 1, working_days: None, holidays: year })
                .unwrap();
        let away = Record { id: TeamId::generate(), fields, meta: meta() };
        // Another team working through 2027 keeps those days in the program calendar.
        let here = team("Here", 1);
        input.work_items = vec![
            item(&input.projects[0], "Long", (1.0, 1.0, 600.0), Some(&away)),
            item(&input.projects[0], "Short", (1.0, 1.0, 1.0), Some(&here)),
        ];
        input.dependencies.clear();
        input.milestones.clear();
        input.teams = vec![away, here];
        for resource_aware in [false, true] {
            let options = ForecastOptions::new(Some(2000), Some(3), resource_aware, Distribution::Pert).unwrap();
            let forecast = run(&input, options);
            let finish = &forecast.finish;
            let dates = [finish.p10, finish.p50, finish.p80, finish.p95];
            assert!(dates.iter().all(|d| d.year() != 2027), "{dates:?}");
            // The long tail runs past 2027.
            assert!(finish.p95.year() >= 2028, "{dates:?}");
        }
    }

    /// A risk of `input`'s program on `hits` with `probability` percent and `days` extra days.
    fn risk(
        input: &PlanningInput,
        title: &str,
        probability: i64,
        days: (f64, f64, f64),
        hits: Vec<WorkItemId>,
    ) -> Risk {
        let fields = RiskFields::parse(RiskInput {
            program_id: input.program.id,
            project_id: None,
            title: title.into(),
            cause: String::new(),
            effect: String::new(),
            owner: None,
            category: RiskCategory::Technical,
            probability,
            impact_optimistic: days.0,
            impact_most_likely: days.1,
            impact_pessimistic: days.2,
            work_item_ids: hits,
            cost_impact: None,
            response: RiskResponse::Mitigate,
            mitigations: vec![],
            trigger: String::new(),
            status: RiskStatus::Open,
        })
        .unwrap();
        Record { id: RiskId::generate(), fields, meta: meta() }
    }

    fn certain(p: &DatedPercentiles) -> (NaiveDate, i64) {
        assert_eq!((p.p10, p.p50, p.p80), (p.p95, p.p95, p.p95), "{p:?}");
        assert_eq!(p.periods.mean, p.periods.p95 as f64, "{p:?}");
        (p.p95, p.periods.p95)
    }

    #[test]
    fn work_items_keep_their_three_points_and_milestones_take_no_time() {
        let input = sample();
        let planned = build_problem(&input, input.program.fields.dates.start()).unwrap();
        let risk = RiskEvent {
            key: "vendor".into(),
            probability: 0.25,
            impact: ThreePoint::new(1.0, 2.0, 4.0),
            hits: vec![ActivityIdx(1)],
        };
        let options = ForecastOptions::new(Some(500), Some(9), false, Distribution::Triangular).unwrap();
        let engine = forecast_input(&input, &planned, std::slice::from_ref(&risk), ForecastMode::NetworkOnly, &options);
        assert_eq!(
            engine.estimates,
            vec![
                Some(ThreePoint::new(2.0, 2.0, 2.0)),
                Some(ThreePoint::new(3.0, 3.0, 3.0)),
                Some(ThreePoint::new(1.0, 2.0, 6.0)),
                Some(ThreePoint::fixed(0.0)),
            ]
        );
        // The plan itself uses the PERT means rounded up: (1 + 8 + 6) / 6 = 2.5 -> 3 days for C.
        assert_eq!(planned.problem.durations(), &[2, 3, 3, 0]);
        assert_eq!(engine.risks, vec![risk]);
        assert_eq!((engine.iterations, engine.seed, engine.distribution), (500, 9, Distribution::Triangular));
        assert_eq!(engine.mode, ForecastMode::NetworkOnly);
        assert_eq!(ForecastOptions::default().distribution(), Distribution::Pert);
    }

    #[test]
    fn in_progress_work_is_forecast_from_what_is_left_of_its_estimate() {
        let mut input = sample();
        // C: (1, 2, 6) with half of it done.
        input.work_items[2].fields.status = WorkItemStatus::InProgress;
        input.work_items[2].fields.percent_complete = crate::values::PercentComplete::parse("p", 50).unwrap();
        let planned = build_problem(&input, input.program.fields.dates.start()).unwrap();
        let options = ForecastOptions::new(Some(100), Some(1), false, Distribution::Pert).unwrap();
        let engine = forecast_input(&input, &planned, &[], ForecastMode::NetworkOnly, &options);
        assert_eq!(engine.estimates[2], Some(ThreePoint::new(0.5, 1.0, 3.0)));
        // The plan: PERT mean (0.5 + 4 + 3) / 6 = 1.25 -> 2 days (was 3).
        assert_eq!(planned.problem.durations(), &[2, 3, 2, 0]);
    }

    #[test]
    fn certain_work_gives_the_plan_dates_for_projects_and_milestones() {
        let mut input = sample();
        // C certain too: 2 days from Wednesday, finishing Thursday.
        input.work_items[2] = item(&input.projects[1], "C", (2.0, 2.0, 2.0), None);
        let f = run(&input, ForecastOptions::default());
        assert_eq!(f.activities, 4);
        assert_eq!(f.schedules_used, None);
        // A on Mon-Tue, B on Wed-Fri (periods 2..5): Ledger's last working day is Friday.
        assert_eq!(certain(&f.projects[0].finish), (day(3, 6), 5));
        assert_eq!(f.projects[0].name, "Ledger");
        // Reports starts at period 2 (Wednesday): C on Wed-Thu.
        assert_eq!(certain(&f.projects[1].finish), (day(3, 5), 4));
        // M takes no time at period 5, after the weekend; reached by finishing B (FS), it is dated
        // on B's last day, Friday the 6th (was Monday the 9th, a day after the program's finish).
        assert_eq!(f.milestones.len(), 1);
        assert_eq!(certain(&f.milestones[0].date), (day(3, 6), 5));
        assert_eq!(f.milestones[0].date.rule, DateRule::LastWorkingDay);
        assert_eq!(f.milestones[0].target_date, day(3, 9));
        assert_eq!(certain(&f.finish), (day(3, 6), 5));
    }

    #[test]
    fn team_capacity_delays_the_resource_aware_forecast() {
        let mut input = sample();
        input.work_items[2] = item(&input.projects[1], "C", (2.0, 2.0, 2.0), Some(&input.teams[0]));
        let options = ForecastOptions::new(Some(200), None, true, Distribution::Pert).unwrap();
        let f = run(&input, options);
        assert_eq!(f.schedules_used.map(|n| n > 0), Some(true));
        // Solo does A on Mon-Tue and C (Reports starts on Wednesday) on Wed-Thu: no conflict.
        assert_eq!(certain(&f.projects[0].finish), (day(3, 6), 5));
        assert_eq!(certain(&f.projects[1].finish), (day(3, 5), 4));
        // A second item of Solo's in Reports has to wait for C (or C for it).
        let extra = item(&input.projects[1], "D", (1.0, 1.0, 1.0), Some(&input.teams[0]));
        input.work_items.push(extra);
        let f = run(&input, options);
        // Solo: A Mon-Tue, then C and D one after the other from Wednesday: Reports ends Friday.
        assert_eq!(certain(&f.projects[1].finish), (day(3, 6), 5));
        let network = run(&input, ForecastOptions::default());
        // Without capacities C and D run side by side on Wed-Thu.
        assert_eq!(certain(&network.projects[1].finish), (day(3, 5), 4));
    }

    #[test]
    fn uncertain_estimates_give_dated_percentiles() {
        let mut input = sample();
        // Triangular(0, 0, 10) rounded up: nearest-rank P10, P50, P80, P95 of 1, 3, 6 and 8
        // working days (see the engine's closed-form test), from Wednesday 2026-03-04.
        input.work_items[2] = item(&input.projects[1], "C", (0.0, 0.0, 10.0), None);
        let options = ForecastOptions::new(Some(20_000), None, false, Distribution::Triangular).unwrap();
        let f = run(&input, options);
        let reports = &f.projects[1].finish;
        assert_eq!(
            (reports.periods.p10, reports.periods.p50, reports.periods.p80, reports.periods.p95),
            (2 + 1, 2 + 3, 2 + 6, 2 + 8)
        );
        // Last working days: Wed 4th, Fri 6th, Wed 11th (after a weekend), Fri 13th.
        assert_eq!(
            (reports.p10, reports.p50, reports.p80, reports.p95),
            (day(3, 4), day(3, 6), day(3, 11), day(3, 13))
        );
        // The overall finish is the later of the two projects in each iteration.
        assert_eq!(f.finish.p10, day(3, 6));
        assert_eq!(f.finish.p95, day(3, 13));
    }

    #[test]
    fn a_certain_risk_moves_the_milestone_and_a_closed_one_does_not() {
        let input = sample();
        let b = input.work_items[1].id;
        let audit = risk(&input, "Audit", 100, (2.0, 2.0, 2.0), vec![b]);
        let f = run_with_risks(&input, vec![audit.clone()], ForecastOptions::default());
        // B takes 5 days instead of 3: M moves from period 5 to 7, dated on B's last day (FS):
        // from Friday the 6th to Tuesday the 10th (was Monday 9th to Wednesday 11th, each the
        // day after B).
        assert_eq!(certain(&f.milestones[0].date), (day(3, 10), 7));
        assert_eq!(f.risks.len(), 1);
        let listed = &f.risks[0];
        assert_eq!((listed.risk_id, listed.title.as_str(), listed.probability_percent), (audit.id, "Audit", 100));
        // With it the program ends at day 7 (Ledger); without it, Ledger ends at day 5 and the
        // program's P80 is Reports' 6 (C, PERT(1, 2, 6) from day 2, is at most 4 days in over 80 %
        // of the iterations): the risk moves the P80 by one day.
        assert_eq!(f.finish.periods.p80, 7);
        assert_eq!(listed.p80_days, 1);
        assert_eq!(risks_by_p80_effect(&f).len(), 1);

        let mut closed = audit;
        closed.fields.status = RiskStatus::Closed;
        let f = run_with_risks(&input, vec![closed], ForecastOptions::default());
        // Period 5, dated on B's last day, Friday the 6th (was Monday the 9th, the day after).
        assert_eq!(certain(&f.milestones[0].date), (day(3, 6), 5));
        assert!(f.risks.is_empty());
        // A closed risk is still an input: reopening it makes the forecast stale.
        assert_eq!(f.inputs.iter().filter(|v| v.entity == EntityKind::Risk).count(), 1);
    }

    #[test]
    fn parallel_uncertain_work_finishes_later_than_the_plan_the_merge_bias() {
        let program = program();
        let ledger = project(&program, "Ledger", day(3, 2));
        // Two independent items, Triangular(0, 0, 10) days each; the plan uses their PERT mean
        // 10 / 6 = 1.67, rounded up to 2 days.
        let x = item(&ledger, "X", (0.0, 0.0, 10.0), None);
        let y = item(&ledger, "Y", (0.0, 0.0, 10.0), None);
        let input = PlanningInput {
            program,
            projects: vec![ledger],
            work_items: vec![x, y],
            milestones: vec![],
            dependencies: vec![],
            teams: vec![],
        };
        let options = ForecastOptions::new(Some(20_000), None, false, Distribution::Triangular).unwrap();
        let f = run(&input, options);
        assert_eq!(f.plan.periods, 2);
        // Last working day of the plan: Tuesday 3rd.
        assert_eq!(f.plan.date, day(3, 3));
        // Each item's rounded-up duration D has P(D <= d) = 1 - (1 - d/10)^2; the finish is the
        // larger of two: P(max <= d) = (1 - (1 - d/10)^2)^2. P(<= 4) = 0.4096 and P(<= 5) = 0.5625,
        // so the median finish is 5 days: 3 days of merge bias.
        assert_eq!(f.finish.periods.p50, 5);
        assert_eq!(f.merge_bias_days(), 3);
        // P(max <= 2) = (1 - 0.64)^2 = 0.1296: the plan's date is 13 % likely.
        assert!((f.plan.probability - 0.1296).abs() < 0.01, "{}", f.plan.probability);
        // Each item alone has a P50 of 3 days (P(D <= 2) = 0.36, P(D <= 3) = 0.51).
        assert_eq!(f.activity_forecasts[0].finish.periods.p50, 3);
        assert_eq!(f.activity_forecasts[0].plan_finish, 2);
        // The calendar reaches the latest iteration's finish (at most 10 days).
        assert_eq!(f.calendar.len() as i64, f.s_curve.last().unwrap().finish + 1);
        assert_eq!(f.date(5), day(3, 9));
        // Both are drivers, each with about the same rank correlation.
        let drivers = f.top_drivers(5);
        assert_eq!(drivers.len(), 2);
        assert!(drivers.iter().all(|d| d.sensitivity() > 0.4), "{drivers:?}");
    }

    #[test]
    fn a_forecast_keeps_the_versions_of_its_inputs() {
        let input = sample();
        let inputs = ForecastInputs { planning: input.clone(), risks: vec![] };
        let versions = inputs.versions();
        // Program, 2 projects, 3 items, 1 milestone, 2 dependencies, the team A and C use.
        assert_eq!(versions.len(), 10);
        assert!(versions.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(versions.iter().filter(|v| v.entity == EntityKind::Team).count(), 1);
        assert!(input_changes(&versions, &versions).is_current());

        let mut now = versions.clone();
        now[0].version += 1;
        now.pop();
        now.push(InputVersion { entity: EntityKind::Risk, record_id: "new".into(), version: 1 });
        assert_eq!(input_changes(&versions, &now), InputChanges { changed: 1, added: 1, removed: 1 });
    }

    #[test]
    fn a_work_items_input_version_moves_with_what_the_forecast_reads_only() {
        let input = sample();
        let item = input.work_items[0].clone();
        let base = WorkItemPlanFields::of(&item).input_version();
        assert!((0..1 << 53).contains(&base), "{base}");
        // Stable: the same fields always give the same number (stores compute it from columns).
        assert_eq!(WorkItemPlanFields::of(&item.clone()).input_version(), base);

        // Edits the plan does not read keep it (a backlog move, kind, text, points, release).
        let mut unread = item.clone();
        unread.rank = Rank::new(987_654);
        unread.meta.version += 3;
        unread.fields.kind = WorkItemKind::Bug;
        unread.fields.description = crate::values::LongText::parse("description", "more words").unwrap();
        unread.fields.story_points = Some(crate::values::StoryPoints::parse("story_points", 8).unwrap());
        unread.fields.released_on = Some(day(6, 1));
        assert_eq!(WorkItemPlanFields::of(&unread).input_version(), base);
        // Progress on a closed item is not read either.
        let mut closed = item.clone();
        closed.fields.status = WorkItemStatus::Cancelled;
        let closed_base = WorkItemPlanFields::of(&closed).input_version();
        closed.fields.percent_complete = crate::values::PercentComplete::parse("p", 40).unwrap();
        assert_eq!(WorkItemPlanFields::of(&closed).input_version(), closed_base);

        // Every field it reads moves it.
        type Edit = fn(&mut WorkItem);
        let edits: [(&str, Edit); 10] = [
            ("project", |i| i.fields.placement = crate::work_item::Placement::Project(ProjectId::generate())),
            ("parent", |i| i.fields.parent_id = Some(WorkItemId::generate())),
            ("title", |i| i.fields.title = crate::values::Name::parse("title", "Other").unwrap()),
            ("status", |i| i.fields.status = WorkItemStatus::Done),
            ("optimistic", |i| i.fields.estimate = crate::values::Estimate::new(1.0, 2.0, 2.0).unwrap()),
            ("most likely", |i| i.fields.estimate = crate::values::Estimate::new(2.0, 3.0, 3.0).unwrap()),
            ("pessimistic", |i| i.fields.estimate = crate::values::Estimate::new(2.0, 2.0, 3.0).unwrap()),
            ("team", |i| i.fields.team_id = Some(TeamId::generate())),
            ("people", |i| i.fields.people_needed = crate::values::Headcount::parse("p", 2).unwrap()),
            ("progress", |i| i.fields.percent_complete = crate::values::PercentComplete::parse("p", 30).unwrap()),
        ];
        assert_eq!(item.fields.estimate, crate::values::Estimate::new(2.0, 2.0, 2.0).unwrap());
        for (what, edit) in edits {
            let mut edited = item.clone();
            edit(&mut edited);
            assert_ne!(WorkItemPlanFields::of(&edited).input_version(), base, "{what}");
        }

        // The forecast's versions use it for work items and the record version for the rest.
        let versions = ForecastInputs { planning: input.clone(), risks: vec![] }.versions();
        let kept = versions.iter().find(|v| v.record_id == item.id.to_string()).unwrap();
        assert_eq!(kept.version, base);
        let mut moved = input.clone();
        moved.work_items[0] = unread;
        let now = ForecastInputs { planning: moved, risks: vec![] }.versions();
        assert!(input_changes(&versions, &now).is_current());
    }

    #[test]
    fn options_are_validated_with_their_field() {
        for iterations in [0, 1_000_001] {
            let errors = ForecastOptions::new(Some(iterations), None, false, Distribution::Pert).unwrap_err();
            assert_eq!(errors.message_for("iterations"), Some("must be between 1 and 1000000"));
        }
        assert_eq!(parse_distribution("distribution", "triangular").unwrap(), Distribution::Triangular);
        let errors = parse_distribution("distribution", "normal").unwrap_err();
        assert_eq!(errors.message_for("distribution"), Some("must be one of pert, triangular"));
    }

    #[test]
    fn a_project_without_work_finishes_on_its_start_date() {
        // "Reports" starts on Wednesday 2026-03-04 (period 2) with no work at all, "Kickoff" on
        // Thursday the 5th (period 3) with only a milestone, "Later" on Saturday the 7th (its
        // first working day Monday the 9th, period 5) with nothing; "Ledger" keeps A and B.
        let mut input = sample();
        input.work_items.truncate(2);
        let kickoff = project(&input.program, "Kickoff", day(3, 5));
        input.milestones.push(milestone(&kickoff, "Go", day(3, 5)));
        input.projects.push(kickoff);
        input.projects.push(project(&input.program, "Later", day(3, 7)));
        for resource_aware in [true, false] {
            let f = run(&input, ForecastOptions::new(Some(50), None, resource_aware, Distribution::Pert).unwrap());
            // Each is dated on its start (its first working day), one period after its release.
            assert_eq!(certain(&f.projects[1].finish), (day(3, 4), 3), "resource-aware {resource_aware}");
            assert_eq!(certain(&f.projects[2].finish), (day(3, 5), 4), "resource-aware {resource_aware}");
            assert_eq!(certain(&f.projects[3].finish), (day(3, 9), 6), "resource-aware {resource_aware}");
            // Work is dated as before: Ledger's A and B end on Friday the 6th.
            assert_eq!(certain(&f.projects[0].finish), (day(3, 6), 5), "resource-aware {resource_aware}");
            assert_eq!(certain(&f.finish), (day(3, 6), 5), "resource-aware {resource_aware}");
            // The calendar names every period a finish names, up to Later's period 6.
            assert_eq!(f.calendar.len(), 7);
            assert_eq!(f.date(6), day(3, 10));
        }
    }

    #[test]
    fn work_ending_on_the_calendars_last_working_day_is_forecast_as_it_is_scheduled() {
        let date = |d| NaiveDate::from_ymd_opt(9999, 12, d).unwrap();
        // From Monday 9999-12-27: A (certain 5 days) ends on Friday the 31st, the calendar's last
        // working day; project "Reports" has no work and starts that Friday.
        let mut input = sample();
        input.program.fields.dates = crate::values::DateRange::new("target_end", date(27), date(31)).unwrap();
        input.projects[0].fields.start = date(27);
        input.projects[1].fields.start = date(31);
        input.work_items.truncate(1);
        input.work_items[0].fields.estimate = crate::values::Estimate::new(5.0, 5.0, 5.0).unwrap();
        input.milestones.clear();
        input.dependencies.clear();
        let schedule =
            crate::planning::plan(&input, crate::planning::ScheduleOptions::default(), crate::record::now()).unwrap();
        assert_eq!((schedule.makespan, schedule.finish), (5, date(31)));
        for resource_aware in [true, false] {
            let f = run(&input, ForecastOptions::new(Some(50), None, resource_aware, Distribution::Pert).unwrap());
            assert_eq!(certain(&f.finish), (date(31), 5));
            assert_eq!((f.plan.date, f.plan.periods, f.plan.probability), (date(31), 5, 1.0));
            assert_eq!(certain(&f.projects[0].finish), (date(31), 5));
            // Reports, without work, ends on its start: the calendar's last working day.
            assert_eq!(certain(&f.projects[1].finish), (date(31), 5));
            assert_eq!(certain(&f.activity_forecasts[0].finish), (date(31), 5));
            // The calendar stops at its last working day.
            assert_eq!(f.calendar, (27..=31).map(date).collect::<Vec<_>>());
        }

        // A milestone after A (FS) is dated on A's last day, the 31st: it fits the calendar and
        // both accept it (it used to be dated by its own period, the Monday after, and refused).
        let m = milestone(&input.projects[0], "M", date(31));
        let a = NodeRef::WorkItem(input.work_items[0].id);
        input.dependencies = vec![fs(a, NodeRef::Milestone(m.id))];
        input.milestones = vec![m];
        let schedule =
            crate::planning::plan(&input, crate::planning::ScheduleOptions::default(), crate::record::now()).unwrap();
        assert_eq!((schedule.entries[1].start, schedule.entries[1].finish), (date(31), date(31)));
        assert_eq!((schedule.makespan, schedule.finish), (5, date(31)));
        for resource_aware in [true, false] {
            let f = run(&input, ForecastOptions::new(Some(50), None, resource_aware, Distribution::Pert).unwrap());
            assert_eq!(certain(&f.milestones[0].date), (date(31), 5));
            assert_eq!(certain(&f.activity_forecasts[1].finish), (date(31), 5));
            assert_eq!(certain(&f.finish), (date(31), 5));
            assert_eq!(f.calendar, (27..=31).map(date).collect::<Vec<_>>());
        }

        // Reached by a start-to-start link 5 days after A starts, it is dated by its own period,
        // the Monday after the 31st: refused by both.
        input.dependencies = vec![link(a, input.dependencies[0].fields.successor, DependencyKind::StartToStart, 5)];
        let refusal = |result: DomainResult<()>| match result {
            Err(DomainError::Validation(errors)) => {
                let e = &errors.errors()[0];
                (e.field.clone(), e.code, e.message.clone())
            }
            other => panic!("expected a validation error, got {other:?}"),
        };
        let past = |what: &str| {
            (
                "program".to_owned(),
                "out_of_range",
                format!(
                    "{what} would take 6 working days from 9999-12-27, past 9999-12-31, the last date Tandem plans to"
                ),
            )
        };
        let scheduled =
            crate::planning::plan(&input, crate::planning::ScheduleOptions::default(), crate::record::now());
        assert_eq!(refusal(scheduled.map(|_| ())), past("the leveled schedule"));
        for resource_aware in [true, false] {
            let options = ForecastOptions::new(Some(50), None, resource_aware, Distribution::Pert).unwrap();
            let inputs = ForecastInputs { planning: input.clone(), risks: vec![] };
            let forecast = forecast_program(&inputs, options, crate::record::now(), "tester", &|_, _| {});
            assert_eq!(refusal(forecast.map(|_| ())), past("the plan"));
        }
    }

    /// Only project "Ledger" starting on `start`, with A (certain `days`, team Solo) and
    /// milestone M (target `target`), M reached from A by `links` (kind, lag).
    fn milestone_after_a(
        start: NaiveDate,
        days: f64,
        links: &[(DependencyKind, i64)],
        target: NaiveDate,
    ) -> PlanningInput {
        let mut input = sample();
        input.projects.truncate(1);
        input.projects[0].fields.start = start;
        input.work_items.truncate(1);
        input.work_items[0].fields.estimate = crate::values::Estimate::new(days, days, days).unwrap();
        input.milestones = vec![milestone(&input.projects[0], "M", target)];
        let (a, m) = (NodeRef::WorkItem(input.work_items[0].id), NodeRef::Milestone(input.milestones[0].id));
        input.dependencies = links.iter().map(|&(kind, lag)| link(a, m, kind, lag)).collect();
        input
    }

    /// M's date in the schedule (start and finish agree), and the program's finish; then in the
    /// forecast of both modes (the milestone line and its activity line agree), with the finish.
    fn milestone_dates(input: &PlanningInput) -> (NaiveDate, NaiveDate, DateRule) {
        let schedule =
            crate::planning::plan(input, crate::planning::ScheduleOptions::default(), crate::record::now()).unwrap();
        let entry = schedule.entries.iter().find(|e| matches!(e.node, NodeRef::Milestone(_))).unwrap();
        assert_eq!(entry.start, entry.finish);
        let rule = schedule.date_rules()[schedule.entries.len() - 1];
        for resource_aware in [true, false] {
            let f = run(input, ForecastOptions::new(Some(50), None, resource_aware, Distribution::Pert).unwrap());
            let (date, _) = certain(&f.milestones[0].date);
            assert_eq!(date, entry.finish, "resource-aware {resource_aware}");
            assert_eq!(f.milestones[0].date.rule, rule);
            let activity = f.activity_forecasts.iter().find(|a| matches!(a.node, NodeRef::Milestone(_))).unwrap();
            assert_eq!(activity.finish, f.milestones[0].date);
            assert_eq!(certain(&f.finish).0, schedule.finish, "resource-aware {resource_aware}");
        }
        (entry.finish, schedule.finish, rule)
    }

    #[test]
    fn a_milestone_reached_by_finishing_work_is_dated_on_that_works_last_day() {
        use DependencyKind::{FinishToFinish, FinishToStart, StartToStart};
        let monday = day(3, 2);
        // A on Monday-Tuesday, FS -> M at period 2: Tuesday, the program's finish (not Wednesday).
        let input = milestone_after_a(monday, 2.0, &[(FinishToStart, 0)], day(3, 3));
        assert_eq!(milestone_dates(&input), (day(3, 3), day(3, 3), DateRule::LastWorkingDay));
        // FF alike.
        let input = milestone_after_a(monday, 2.0, &[(FinishToFinish, 0)], day(3, 3));
        assert_eq!(milestone_dates(&input), (day(3, 3), day(3, 3), DateRule::LastWorkingDay));
        // FS with a 2-day lag: M at period 4 (Friday), dated the working day before, Thursday;
        // the program (makespan 4, M last) finishes then too.
        let input = milestone_after_a(monday, 2.0, &[(FinishToStart, 2)], day(3, 5));
        assert_eq!(milestone_dates(&input), (day(3, 5), day(3, 5), DateRule::LastWorkingDay));
        // A on Monday-Friday: M on Friday, not the Monday after the weekend.
        let input = milestone_after_a(monday, 5.0, &[(FinishToStart, 0)], day(3, 6));
        assert_eq!(milestone_dates(&input), (day(3, 6), day(3, 6), DateRule::LastWorkingDay));
        // Only a start-to-start link from A, which starts on Monday: M on Monday, its own period.
        let input = milestone_after_a(monday, 5.0, &[(StartToStart, 0)], day(3, 2));
        assert_eq!(milestone_dates(&input), (day(3, 2), day(3, 6), DateRule::OnThePeriod));
        // Both kinds: the finish-to-start one decides.
        let input = milestone_after_a(monday, 2.0, &[(StartToStart, 0), (FinishToStart, 0)], day(3, 3));
        assert_eq!(milestone_dates(&input), (day(3, 3), day(3, 3), DateRule::LastWorkingDay));
        // No predecessor, project starting Wednesday the 4th: M on its project's start.
        let input = milestone_after_a(day(3, 4), 2.0, &[], day(3, 4));
        assert_eq!(milestone_dates(&input), (day(3, 4), day(3, 5), DateRule::OnThePeriod));
    }

    #[test]
    fn a_milestone_after_a_milestone_on_its_projects_start_is_not_dated_before_it() {
        // Ledger starts on Wednesday the 4th (period 2): M0 (no predecessor) FS -> M, both at
        // period 2. M, reached by a finish-to-start link, would be dated the day before (Tuesday,
        // before its project starts): it is raised to its project's first working day.
        let mut input = milestone_after_a(day(3, 4), 2.0, &[], day(3, 4));
        let m0 = milestone(&input.projects[0], "M0", day(3, 4));
        input.dependencies = vec![fs(NodeRef::Milestone(m0.id), NodeRef::Milestone(input.milestones[0].id))];
        input.milestones.push(m0);
        let schedule =
            crate::planning::plan(&input, crate::planning::ScheduleOptions::default(), crate::record::now()).unwrap();
        let dates: Vec<(i64, NaiveDate, NaiveDate)> =
            schedule.entries[1..].iter().map(|e| (e.start_period, e.start, e.finish)).collect();
        assert_eq!(dates, vec![(2, day(3, 4), day(3, 4)), (2, day(3, 4), day(3, 4))]);
        assert_eq!(schedule.date_rules()[1..], [DateRule::LastWorkingDay, DateRule::OnThePeriod]);
        for resource_aware in [true, false] {
            let f = run(&input, ForecastOptions::new(Some(50), None, resource_aware, Distribution::Pert).unwrap());
            // Its periods are raised to the one after its project's start (3), as a project's.
            assert_eq!(certain(&f.milestones[0].date), (day(3, 4), 3));
            assert_eq!(certain(&f.milestones[1].date), (day(3, 4), 2));
        }
    }

    #[test]
    fn p80_meets_target_uses_the_date_on_the_works_last_day() {
        // A on Monday-Friday, FS -> M: M on Friday the 6th meets a target of Friday (it used to
        // be dated Monday the 9th and miss it), and misses Thursday's.
        for (target, meets) in [(day(3, 6), true), (day(3, 5), false)] {
            let input = milestone_after_a(day(3, 2), 5.0, &[(DependencyKind::FinishToStart, 0)], target);
            for resource_aware in [true, false] {
                let options = ForecastOptions::new(Some(50), None, resource_aware, Distribution::Pert).unwrap();
                let f = run(&input, options);
                assert_eq!(f.milestones[0].date.p80, day(3, 6));
                assert_eq!(f.milestones[0].p80_meets_target(), meets, "target {target}");
            }
        }
    }
}
