//! Program scheduling: a program's work items, dependencies and teams become a resource-constrained
//! scheduling problem for [`tandem_engine`]; the answer comes back as a [`ProgramSchedule`] in
//! calendar dates.
//!
//! The mapping, in the order [`plan`] applies it:
//! - **Time unit.** One period is one working day of the *program calendar*: a weekday that some
//!   involved team works (the teams the scheduled items name; Monday to Friday without teams),
//!   minus the holidays every involved team shares. Period 0 is the first such day on or after
//!   the day the plan is made as of: the program's status date, or the day it is computed
//!   without one, or the program's start if later ([`crate::program::ProgramFields::as_of`]). A
//!   team's own days off inside that calendar (its other weekdays and holidays) become off
//!   periods of its resource: the team's work pauses over them, as in MS Project, so a task of
//!   `d` days takes `d` of the team's working days and its dates span its days off too. Work
//!   without a team follows the program calendar. The days off are modelled up to a horizon
//!   (every activity in a row, each stretched by its team's other weekdays, plus a year); a
//!   plan or forecast reaching past it is computed again with a longer one.
//! - **Activities.** Leaf work items (no children among the program's items) that are neither done
//!   nor cancelled, with duration `ceil(PERT mean)` working days of what their percent complete
//!   leaves of the estimate (the work already done is behind the status date) and a demand of
//!   `people_needed` on their team's resource (no team: no demand); each milestone of the
//!   program's projects is a zero-duration activity. Work items with children are summaries, as
//!   in every planning tool. In-progress items of projects under way (started by the as-of
//!   day) are *started* activities: they resume ahead of work not yet started and take their
//!   team's people first (MS Project's leveling does not delay started work either), unless
//!   they wait on work not yet started.
//! - **Links.** A dependency on a summary expands to the summary's open leaf descendants (as
//!   predecessor: each leaf -> successor; as successor: predecessor -> each leaf). Ends that are
//!   done or cancelled count as satisfied: the link is dropped. Dependencies with an end outside the
//!   program are left out and reported in the diagnostics.
//! - **Projects.** Each project is an engine project released at its start date or the day the
//!   plan is made as of, whichever is later (as a period), weight 1. The objective is the makespan.
//!
//! Dates at the edges: an activity's start date is the date of its first period; its finish date
//! is the date of its last working period (`finish - 1`), or its start date when it takes no time.
//! A milestone takes no time and has one date; so does a work item that takes no time, dated the
//! same way (its start date is its finish date). One reached by finishing work (at least one
//! incoming finish-to-start or finish-to-finish link once summaries are expanded) is dated on the
//! last working day of that work (period `p - 1` for a milestone at period `p`, never before its
//! project's first working day), as planning tools date it: work ending at period `p` ends on
//! day `p - 1`, so dating the milestone by period `p` would put it a working day after the work,
//! after the program's finish when it closes the program. Any other milestone (no predecessor,
//! or only start-to-start or start-to-finish links) is dated by its own period `p`
//! ([`date_rules`]; a stored schedule derives them from its links,
//! [`ProgramSchedule::date_rules`]).
//! The calendar ends with its last working day on or before [`LAST_DATE`] (9999-12-31, the last
//! date the stores keep): a program or project starting after it, or work that would end after
//! it, is refused (`Validation` on `program`, code `out_of_range`). Work that cannot end in time
//! whatever the order (its critical path, or a team's total work over its people, already runs
//! past it) is refused before any search.
//!
//! Split for the server: [`load_planning_input`] reads (async), [`plan`] computes (pure, CPU-bound:
//! run it off the async runtime), `Store::save_program_schedule` writes.
//! [`compute_program_schedule`] does all three in a row, for the CLI and tests.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use tandem_engine::{
    ActivityIdx, ActivitySpec, EngineError, Link, LinkKind, OffPeriod, Problem, ProblemSpec, ProjectIdx, ProjectSpec,
    ResourceIdx, ResourceSpec, Schedule, SolveOptions,
};

use crate::dependency::{Dependency, DependencyKind, NodeRef};
use crate::error::{DomainError, DomainResult, ValidationErrors};
use crate::forecasting::DateRule;
use crate::ids::{ProgramId, ProjectId, TeamId};
use crate::milestone::Milestone;
use crate::program::Program;
use crate::project::Project;
use crate::store::{
    DependencyFilter, MilestoneFilter, Page, PageRequest, ProjectFilter, Store, TeamFilter, WorkItemFilter,
};
use crate::team::Team;
use crate::values::{Estimate, LAST_DATE, WorkingWeek};
use crate::work_item::{WorkItem, WorkItemStatus};

/// How hard the scheduler searches, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleOptions {
    /// Schedule budget: how many schedules the search may build (1 to [`Self::MAX_SCHEDULES`]).
    schedules: u64,
    /// Seed of the search's randomness: the same inputs and seed give the same schedule.
    seed: u64,
    /// Optional wall-time limit in milliseconds (1 to [`Self::MAX_TIME_LIMIT_MS`]).
    time_limit_ms: Option<u64>,
}

impl ScheduleOptions {
    pub const DEFAULT_SCHEDULES: u64 = 2_000;
    pub const MAX_SCHEDULES: u64 = 100_000;
    pub const DEFAULT_SEED: u64 = 1;
    /// Ten minutes: longer is a mistake, and it would hold a worker thread that long.
    pub const MAX_TIME_LIMIT_MS: u64 = 600_000;

    /// Fields `schedules` and `time_limit_ms`; `None` takes the defaults.
    pub fn new(
        schedules: Option<i64>,
        seed: Option<u64>,
        time_limit_ms: Option<i64>,
    ) -> Result<ScheduleOptions, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let schedules = schedules.unwrap_or(Self::DEFAULT_SCHEDULES as i64);
        if !(1..=Self::MAX_SCHEDULES as i64).contains(&schedules) {
            errors.add("schedules", "out_of_range", format!("must be between 1 and {}", Self::MAX_SCHEDULES));
        }
        if let Some(limit) = time_limit_ms
            && !(1..=Self::MAX_TIME_LIMIT_MS as i64).contains(&limit)
        {
            errors.add(
                "time_limit_ms",
                "out_of_range",
                format!("must be between 1 and {} milliseconds", Self::MAX_TIME_LIMIT_MS),
            );
        }
        errors.into_result()?;
        Ok(ScheduleOptions {
            schedules: schedules as u64,
            seed: seed.unwrap_or(Self::DEFAULT_SEED),
            time_limit_ms: time_limit_ms.map(|l| l as u64),
        })
    }

    pub fn schedules(&self) -> u64 {
        self.schedules
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn time_limit_ms(&self) -> Option<u64> {
        self.time_limit_ms
    }
}

impl Default for ScheduleOptions {
    fn default() -> Self {
        ScheduleOptions { schedules: Self::DEFAULT_SCHEDULES, seed: Self::DEFAULT_SEED, time_limit_ms: None }
    }
}

/// One scheduled activity: a work item or a milestone with its place in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleEntry {
    pub node: NodeRef,
    /// The title (or milestone name) when the schedule was computed; kept so a stored schedule
    /// still reads after the item is renamed or deleted.
    pub title: String,
    pub project_id: Option<ProjectId>,
    pub team_id: Option<TeamId>,
    /// People of the team the activity occupies while it runs (0 without a team).
    pub people: u32,
    /// First period (working day index).
    pub start_period: i64,
    /// First period after the activity (`start_period + duration`).
    pub finish_period: i64,
    /// First working day of the activity; a milestone's date (as `finish`).
    pub start: NaiveDate,
    /// Last working day of the activity (its start date when it takes no time). A milestone's
    /// date by its rule ([`ProgramSchedule::date_rules`]): reached by finishing work, that work's
    /// last day; otherwise its own period's date.
    pub finish: NaiveDate,
    /// On the driving path into the activity that finishes last in the leveled schedule.
    pub critical: bool,
    /// Total float in working days from the critical path method (links only, no resources).
    pub total_float: i64,
}

impl ScheduleEntry {
    /// A milestone, or a work item that takes no time: one date, dated like a milestone (see
    /// [`date_rules`]), so that the schedule and the forecast agree on it.
    pub fn is_point(&self) -> bool {
        matches!(self.node, NodeRef::Milestone(_)) || self.finish_period == self.start_period
    }

    /// Working days of the program calendar from start to finish: the team's own days off in
    /// between count too (its work pauses over them).
    pub fn duration(&self) -> i64 {
        self.finish_period - self.start_period
    }
}

/// A precedence link between two entries (positions in [`ProgramSchedule::entries`]), after
/// summary items were expanded to their leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleLink {
    pub predecessor: usize,
    pub successor: usize,
    pub kind: DependencyKind,
    pub lag: i64,
}

/// A computed, resource-leveled schedule of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramSchedule {
    pub program_id: ProgramId,
    pub computed_at: DateTime<Utc>,
    pub options: ScheduleOptions,
    /// Schedules the search built.
    pub schedules_used: u64,
    /// Working days from period 0 to the end of the last activity.
    pub makespan: i64,
    /// The last working day of the schedule.
    pub finish: NaiveDate,
    /// The makespan with unlimited people (critical path method on the links alone), for
    /// comparison: how much leveling to the teams' capacities costs.
    pub critical_path_makespan: i64,
    pub critical_path_finish: NaiveDate,
    /// The date of every period from 0 to the makespan (at least one): the program calendar.
    pub periods: Vec<NaiveDate>,
    /// What was left out or adjusted, for people.
    pub diagnostics: Vec<String>,
    pub entries: Vec<ScheduleEntry>,
    pub links: Vec<ScheduleLink>,
}

/// One team's load per period against its capacity, for the histogram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamLoad {
    pub team_id: TeamId,
    pub name: String,
    /// People busy per period (`periods` positions).
    pub load: Vec<i64>,
    /// People available per period: the team's capacity, 0 on its own days off.
    pub capacity: Vec<i64>,
}

impl TeamLoad {
    /// Highest load or capacity, the histogram's scale.
    pub fn peak(&self) -> i64 {
        self.load.iter().chain(&self.capacity).copied().max().unwrap_or(0)
    }
}

impl ProgramSchedule {
    /// How each entry's finish is dated ([`date_rules`]), derived from the stored links: a
    /// milestone with a finish-to-start or finish-to-finish predecessor is dated on the day that
    /// work ends, the day before its own period.
    pub fn date_rules(&self) -> Vec<DateRule> {
        date_rules(&self.entries, &self.links)
    }

    /// The working days of each entry, in entry order: the days its team works from its start
    /// to its finish (it pauses over the others); without a team, or with one no longer found,
    /// every period of the span ([`ScheduleEntry::duration`]).
    pub fn working_days(&self, teams: &[Team]) -> Vec<i64> {
        let len = self.periods.len() as i64;
        self.entries
            .iter()
            .map(|entry| {
                let team = entry.team_id.and_then(|id| teams.iter().find(|t| t.id == id));
                match team {
                    Some(team) => {
                        let from = entry.start_period.clamp(0, len) as usize;
                        let to = entry.finish_period.clamp(0, len) as usize;
                        let days = &self.periods[from..to];
                        days.iter().filter(|date| team.fields.calendar.is_working_day(**date)).count() as i64
                    }
                    None => entry.duration(),
                }
            })
            .collect()
    }

    /// The days off each entry pauses over, in entry order: the days from its start to its
    /// finish date that its team does not work although it would be a working day for it or for
    /// the program (a holiday, shared ones included, or another team's weekday); 0 without a team
    /// or with one no longer found. Weekends nobody works are not days off.
    pub fn days_off(&self, teams: &[Team]) -> Vec<i64> {
        let program_days: HashSet<NaiveDate> = self.periods.iter().copied().collect();
        self.entries
            .iter()
            .map(|entry| {
                let Some(team) = entry.team_id.and_then(|id| teams.iter().find(|t| t.id == id)) else {
                    return 0;
                };
                let calendar = &team.fields.calendar;
                let span = entry.start.iter_days().take_while(|day| *day <= entry.finish);
                span.filter(|day| {
                    let workday = calendar.week().contains(day.weekday()) || program_days.contains(day);
                    workday && !calendar.is_working_day(*day)
                })
                .count() as i64
            })
            .collect()
    }

    /// Load per period of every team the schedule uses, against the teams' current capacity and
    /// calendars (teams no longer found are left out). Ordered as `teams`.
    pub fn team_loads(&self, teams: &[Team]) -> Vec<TeamLoad> {
        let used: HashSet<TeamId> = self.entries.iter().filter_map(|e| e.team_id).collect();
        let len = self.periods.len();
        teams
            .iter()
            .filter(|team| used.contains(&team.id))
            .map(|team| {
                let mut load = vec![0i64; len];
                for entry in self.entries.iter().filter(|e| e.team_id == Some(team.id)) {
                    let from = entry.start_period.clamp(0, len as i64) as usize;
                    let to = entry.finish_period.clamp(0, len as i64) as usize;
                    // The team's work pauses over its own days off.
                    for (slot, date) in load[from..to].iter_mut().zip(&self.periods[from..to]) {
                        if team.fields.calendar.is_working_day(*date) {
                            *slot += i64::from(entry.people);
                        }
                    }
                }
                let people = i64::from(team.fields.capacity.get());
                let capacity = self
                    .periods
                    .iter()
                    .map(|date| if team.fields.calendar.is_working_day(*date) { people } else { 0 })
                    .collect();
                TeamLoad { team_id: team.id, name: team.fields.name.to_string(), load, capacity }
            })
            .collect()
    }
}

/// Everything [`plan`] reads, loaded from the store.
#[derive(Debug, Clone)]
pub struct PlanningInput {
    pub program: Program,
    pub projects: Vec<Project>,
    pub work_items: Vec<WorkItem>,
    pub milestones: Vec<Milestone>,
    /// Dependencies with at least one end in the program.
    pub dependencies: Vec<Dependency>,
    /// Every team (only those the work items name are used).
    pub teams: Vec<Team>,
}

/// Reads every page of a list.
async fn all_pages<T, F, Fut>(mut read: F) -> DomainResult<Vec<T>>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = DomainResult<Page<T>>>,
{
    let mut items = Vec::new();
    let mut request = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let page = read(request.clone()).await?;
        items.extend(page.items);
        match page.next_cursor {
            Some(cursor) => request.after = Some(cursor),
            None => return Ok(items),
        }
    }
}

/// Loads what [`plan`] needs for `program_id` (`NotFound` for an unknown program).
pub async fn load_planning_input(store: &dyn Store, program_id: ProgramId) -> DomainResult<PlanningInput> {
    let program = store.get_program(program_id).await?;
    let projects = all_pages(|page| async move {
        store.list_projects(&ProjectFilter { program: Some(program_id), ..ProjectFilter::default() }, &page).await
    })
    .await?;
    let item_filter = WorkItemFilter { program: Some(program_id), ..WorkItemFilter::default() };
    let work_items = all_pages(|page| {
        let filter = item_filter.clone();
        async move { store.list_work_items(&filter, &page).await }
    })
    .await?;
    let milestones = all_pages(|page| async move {
        store.list_milestones(&MilestoneFilter { program: Some(program_id), ..MilestoneFilter::default() }, &page).await
    })
    .await?;
    let dependency_filter = DependencyFilter { program: Some(program_id), ..DependencyFilter::default() };
    let dependencies = all_pages(|page| {
        let filter = dependency_filter.clone();
        async move { store.list_dependencies(&filter, &page).await }
    })
    .await?;
    let teams = load_teams(store).await?;
    Ok(PlanningInput { program, projects, work_items, milestones, dependencies, teams })
}

/// Every team, for [`ProgramSchedule::team_loads`].
pub async fn load_teams(store: &dyn Store) -> DomainResult<Vec<Team>> {
    all_pages(|page| async move { store.list_teams(&TeamFilter::default(), &page).await }).await
}

/// Loads, plans and saves the schedule of `program_id`; the search runs on the calling thread
/// (servers call the three steps apart and run [`plan`] off the async runtime).
pub async fn compute_program_schedule(
    store: &dyn Store,
    program_id: ProgramId,
    options: ScheduleOptions,
) -> DomainResult<ProgramSchedule> {
    let input = load_planning_input(store, program_id).await?;
    let schedule = plan(&input, options, crate::record::now())?;
    store.save_program_schedule(&schedule).await?;
    Ok(schedule)
}

/// The engine problem built from a program, with what is needed to map the answer back.
#[derive(Debug)]
pub struct PlannedProblem {
    pub problem: Problem,
    /// One per engine activity, in activity order; times not filled in yet.
    pub entries: Vec<ScheduleEntry>,
    pub links: Vec<ScheduleLink>,
    /// How each activity's finish is dated, in activity order ([`date_rules`]).
    pub date_rules: Vec<DateRule>,
    pub calendar: ProgramCalendar,
    pub diagnostics: Vec<String>,
    /// The teams' days off are off periods of their resources up to this period (their work
    /// pauses over them); past it every team counts as working. `None`: up to the end of the
    /// calendar, or no team has a day off. A result reaching past it must be computed again with
    /// a longer one ([`PlannedProblem::covers`]).
    pub days_off_until: Option<i64>,
}

impl PlannedProblem {
    /// Whether the teams' days off are modelled on every period before `end` (a makespan): if
    /// not, plan again with [`build_problem_covering`] at least `end`.
    pub fn covers(&self, end: i64) -> bool {
        self.days_off_until.is_none_or(|until| end <= until)
    }

    /// The lowest finish period activity `k` is dated from: for a milestone reached by finishing
    /// work, the period after its project's start, so that it is never dated before its
    /// project's first working day; `None` for every other activity.
    pub fn finish_floor(&self, k: usize) -> Option<i64> {
        let point = self.entries.get(k)?.is_point();
        (point && self.date_rules.get(k) == Some(&DateRule::LastWorkingDay))
            .then(|| self.problem.release_of(ActivityIdx(k as u32)).saturating_add(1))
    }

    /// The period whose date activity `k`, placed from `start` to `finish`, finishes on: work by
    /// its last working day (`finish - 1`, its start when it takes no time), a milestone by its
    /// rule (see the module doc).
    pub fn dated_period(&self, k: usize, start: i64, finish: i64) -> i64 {
        match self.finish_floor(k) {
            Some(floor) => finish.max(floor) - 1,
            None if finish > start => finish - 1,
            None => start,
        }
    }

    /// The last period the dates of `schedule` name: each activity's start and finish date
    /// ([`Self::dated_period`]), and the last working day of the whole (`makespan - 1`). The
    /// schedule fits the program calendar when that period has a date.
    pub fn last_dated_period(&self, schedule: &Schedule) -> i64 {
        schedule
            .start
            .iter()
            .zip(&schedule.finish)
            .enumerate()
            .map(|(k, (&start, &finish))| {
                let dated = self.dated_period(k, start, finish);
                // A milestone dated by the work before it names no other date.
                if self.finish_floor(k).is_some() { dated } else { start.max(dated) }
            })
            .chain([schedule.makespan() - 1])
            .max()
            .unwrap_or(0)
    }
}

/// How each entry's finish is dated, given the expanded links between them: a work item by its
/// last working day; a milestone, or a work item that takes no time, by
/// [`DateRule::of_milestone`] of its incoming links (reached by finishing work: the day that work
/// ends; otherwise its own period).
pub fn date_rules(entries: &[ScheduleEntry], links: &[ScheduleLink]) -> Vec<DateRule> {
    let mut rules: Vec<DateRule> =
        entries.iter().map(|e| if e.is_point() { DateRule::OnThePeriod } else { DateRule::LastWorkingDay }).collect();
    for link in links {
        let point = entries.get(link.successor).is_some_and(ScheduleEntry::is_point);
        if point
            && DateRule::of_milestone([link.kind]) == DateRule::LastWorkingDay
            && let Some(rule) = rules.get_mut(link.successor)
        {
            *rule = DateRule::LastWorkingDay;
        }
    }
    rules
}

/// The program calendar: which dates are working periods, and the date of each period. It ends
/// with the last working day on or before [`LAST_DATE`]: no period lies beyond it.
#[derive(Debug, Clone)]
pub struct ProgramCalendar {
    week: WorkingWeek,
    /// Holidays every involved team shares, sorted.
    shared_holidays: Vec<NaiveDate>,
    /// Period 0's date.
    first: NaiveDate,
    /// Dates of periods 0, 1, ... as far as computed; never empty.
    days: Vec<NaiveDate>,
    /// `days` ends with the calendar's last working day.
    complete: bool,
}

impl ProgramCalendar {
    /// `None` when no working day lies between `start` and [`LAST_DATE`].
    fn new(week: WorkingWeek, shared_holidays: Vec<NaiveDate>, start: NaiveDate) -> Option<ProgramCalendar> {
        let mut calendar = ProgramCalendar { week, shared_holidays, first: start, days: Vec::new(), complete: false };
        let first = calendar.working_day_from(start)?;
        calendar.first = first;
        calendar.days.push(first);
        Some(calendar)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.week.contains(date.weekday()) && self.shared_holidays.binary_search(&date).is_err()
    }

    /// The first working day on or after `day`, if one lies on or before [`LAST_DATE`].
    fn working_day_from(&self, mut day: NaiveDate) -> Option<NaiveDate> {
        while day <= LAST_DATE {
            if self.is_working_day(day) {
                return Some(day);
            }
            day = day.succ_opt()?;
        }
        None
    }

    /// The date of `period` (negative periods are period 0), or `None` when the period lies
    /// beyond the calendar's last working day.
    pub fn checked_date(&mut self, period: i64) -> Option<NaiveDate> {
        let period = usize::try_from(period.max(0)).ok()?;
        while self.days.len() <= period {
            if self.complete {
                return None;
            }
            let next = self.days.last().and_then(|last| last.succ_opt()).and_then(|day| self.working_day_from(day));
            match next {
                Some(day) => self.days.push(day),
                None => {
                    self.complete = true;
                    return None;
                }
            }
        }
        Some(self.days[period])
    }

    /// The date of `period` (negative periods are period 0). A period beyond the calendar's last
    /// working day gets that day: callers check first ([`Self::checked_date`]) that the periods
    /// they date exist, as [`plan`] and the forecast do.
    pub fn date(&mut self, period: i64) -> NaiveDate {
        match self.checked_date(period) {
            Some(date) => date,
            None => self.days.last().copied().unwrap_or(self.first),
        }
    }

    /// The first period whose date is on or after `date`; `None` when `date` lies after the
    /// calendar's last working day.
    pub fn period_on_or_after(&mut self, date: NaiveDate) -> Option<i64> {
        while self.days.last().is_some_and(|last| *last < date) {
            self.checked_date(self.days.len() as i64)?;
        }
        Some(self.days.partition_point(|day| *day < date) as i64)
    }

    /// Dates of periods `0..count` (at least period 0), as far as the calendar reaches.
    pub fn dates(&mut self, count: i64) -> Vec<NaiveDate> {
        let count = count.max(1);
        self.checked_date(count - 1);
        let end = usize::try_from(count).unwrap_or(usize::MAX).min(self.days.len());
        self.days[..end].to_vec()
    }

    /// `Ok` when periods `0..count` all have a date; else `Validation` on `program`: what is
    /// planned would run past [`LAST_DATE`].
    pub fn ensure_periods(&mut self, count: i64, what: &str) -> DomainResult<()> {
        if count <= 1 || self.checked_date(count - 1).is_some() {
            return Ok(());
        }
        Err(DomainError::invalid(
            "program",
            "out_of_range",
            format!(
                "{what} would take {count} working days from {}, past {LAST_DATE}, the last date Tandem plans to",
                self.first
            ),
        ))
    }
}

/// Working days a work item's remaining work takes: the PERT mean of what its percent complete
/// leaves of the estimate, rounded up.
pub fn duration_days(item: &WorkItem) -> i64 {
    let mean = remaining_estimate(item).pert_mean();
    // Estimates are finite and at most 10,000 days, so the cast cannot overflow. A tiny epsilon
    // keeps a mean like 3.0000000000000004 (float noise) at 3 days.
    (mean - 1e-9).ceil().max(0.0) as i64
}

/// The part of a work item's estimate still to do: the plan and the forecast schedule this,
/// from the status date, for every open item.
pub fn remaining_estimate(item: &WorkItem) -> Estimate {
    item.fields.estimate.remaining(item.fields.percent_complete)
}

fn engine_kind(kind: DependencyKind) -> LinkKind {
    match kind {
        DependencyKind::FinishToStart => LinkKind::FinishStart,
        DependencyKind::StartToStart => LinkKind::StartStart,
        DependencyKind::FinishToFinish => LinkKind::FinishFinish,
        DependencyKind::StartToFinish => LinkKind::StartFinish,
    }
}

const ALL_DAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

/// Builds the engine problem of a program (pure) as of its status date, or `today` when it has
/// none. `Validation` on `program` when there is nothing to schedule, on `dependencies` when
/// expanded links close a cycle.
pub fn build_problem(input: &PlanningInput, today: NaiveDate) -> DomainResult<PlannedProblem> {
    build_problem_covering(input, today, 0)
}

/// [`build_problem`] with the teams' days off modelled on at least the first `periods` periods
/// (see [`PlannedProblem::days_off_until`]).
pub fn build_problem_covering(input: &PlanningInput, today: NaiveDate, periods: i64) -> DomainResult<PlannedProblem> {
    let mut diagnostics = Vec::new();
    let items = &input.work_items;
    let in_program: HashMap<_, usize> = items.iter().enumerate().map(|(i, item)| (item.id, i)).collect();
    let mut children: HashMap<_, Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(parent) = item.fields.parent_id
            && in_program.contains_key(&parent)
        {
            children.entry(parent).or_default().push(i);
        }
    }

    // Engine projects, in the order given.
    let project_index: HashMap<ProjectId, usize> = input.projects.iter().enumerate().map(|(i, p)| (p.id, i)).collect();

    // Activities: open leaves, then milestones.
    let mut activity_of: HashMap<NodeRef, usize> = HashMap::new();
    let mut activity_items: Vec<ActivityItem> = Vec::new();
    for item in items {
        if children.contains_key(&item.id) || !item.fields.status.is_open() {
            continue;
        }
        let node = NodeRef::WorkItem(item.id);
        activity_of.insert(node, activity_items.len());
        let people = if item.fields.team_id.is_some() { item.fields.people_needed.get() } else { 0 };
        activity_items.push(ActivityItem {
            node,
            title: item.fields.title.to_string(),
            project: item.fields.placement.project_id(),
            team: item.fields.team_id,
            people,
            duration: duration_days(item),
            started: item.fields.status == WorkItemStatus::InProgress,
        });
    }
    for milestone in &input.milestones {
        let node = NodeRef::Milestone(milestone.id);
        activity_of.insert(node, activity_items.len());
        activity_items.push(ActivityItem {
            node,
            title: milestone.fields.name.to_string(),
            project: Some(milestone.fields.project_id),
            team: None,
            people: 0,
            duration: 0,
            started: false,
        });
    }
    if activity_items.is_empty() {
        return Err(DomainError::invalid(
            "program",
            "nothing_to_schedule",
            "the program has no open work items and no milestones to schedule",
        ));
    }

    // Teams involved, in the store's order.
    let involved: HashSet<TeamId> = activity_items.iter().filter_map(|a| a.team).collect();
    let teams: Vec<&Team> = input.teams.iter().filter(|t| involved.contains(&t.id)).collect();
    for activity in &activity_items {
        if let Some(team) = activity.team
            && !teams.iter().any(|t| t.id == team)
        {
            diagnostics.push(format!(
                "{} ({}) names team {team}, which was not found: no demand placed",
                activity.title, activity.node
            ));
        }
    }

    // The program calendar: every weekday some team works (a team's other weekdays are its days
    // off, over which its work pauses), Monday to Friday without teams.
    let mut week_bits = teams.iter().fold(0, |bits, team| bits | team.fields.calendar.week().bits());
    if teams.is_empty() {
        week_bits = WorkingWeek::MONDAY_TO_FRIDAY.bits();
    }
    let week = WorkingWeek::from_bits("working_days", week_bits).unwrap_or_default();
    let shared_holidays: Vec<NaiveDate> = match teams.split_first() {
        Some((first, rest)) => first
            .fields
            .calendar
            .holidays()
            .iter()
            .copied()
            .filter(|day| rest.iter().all(|t| t.fields.calendar.holidays().binary_search(day).is_ok()))
            .collect(),
        None => Vec::new(),
    };
    // Open work starts no earlier than the day the plan is made as of: never in the past. The
    // calendar (period 0) starts then too, or at the program's start if later.
    let as_of = input.program.fields.as_of(today);
    let program_start = input.program.fields.dates.start();
    let plan_start = program_start.max(as_of);
    let Some(mut calendar) = ProgramCalendar::new(week, shared_holidays, plan_start) else {
        let from = if plan_start == program_start { "the program starts on" } else { "the plan is made as of" };
        return Err(DomainError::invalid(
            "program",
            "out_of_range",
            format!(
                "{from} {plan_start}, and its teams have no working day from then to {LAST_DATE}, the last date \
                 Tandem plans to"
            ),
        ));
    };
    // Said only when it moves work: some project could start on a working day before it.
    let moved =
        |start: NaiveDate| start.iter_days().take_while(|day| *day < as_of).any(|day| calendar.is_working_day(day));
    if input.projects.iter().any(|p| moved(p.fields.start)) {
        diagnostics.push(match input.program.fields.status_date {
            Some(day) => format!("open work starts no earlier than the program's status date, {day}"),
            None => format!("open work starts no earlier than today, {as_of} (the program has no status date)"),
        });
    }
    let mut projects = Vec::with_capacity(input.projects.len());
    for project in &input.projects {
        let start = project.fields.start.max(as_of);
        let Some(release) = calendar.period_on_or_after(start) else {
            return Err(DomainError::invalid(
                "program",
                "out_of_range",
                format!(
                    "the work of project {} starts on {start}, and the program's teams have no working day from \
                     then to {LAST_DATE}, the last date Tandem plans to",
                    project.fields.name
                ),
            ));
        };
        projects.push(ProjectSpec { key: project.fields.name.to_string(), release, due: None, weight: 1 });
    }

    // Links, with summaries expanded and closed ends dropped.
    let leaves_under = |root: usize| -> Vec<usize> {
        let mut found = Vec::new();
        let mut stack = vec![root];
        while let Some(i) = stack.pop() {
            match children.get(&items[i].id) {
                Some(kids) => stack.extend(kids.iter().copied()),
                None => {
                    if let Some(&a) = activity_of.get(&NodeRef::WorkItem(items[i].id)) {
                        found.push(a);
                    }
                }
            }
        }
        found.sort_unstable();
        found
    };
    let program_milestones: HashSet<NodeRef> = input.milestones.iter().map(|m| NodeRef::Milestone(m.id)).collect();
    // `None`: the end is outside the program.
    let expand = |node: NodeRef| -> Option<Vec<usize>> {
        match node {
            NodeRef::WorkItem(id) => in_program.get(&id).map(|&i| leaves_under(i)),
            NodeRef::Milestone(_) if program_milestones.contains(&node) => {
                Some(activity_of.get(&node).copied().into_iter().collect())
            }
            NodeRef::Milestone(_) => None,
        }
    };
    let mut links = Vec::new();
    let mut schedule_links = Vec::new();
    let mut seen = HashSet::new();
    let mut outside = 0usize;
    for dependency in &input.dependencies {
        let fields = &dependency.fields;
        let (Some(from), Some(to)) = (expand(fields.predecessor), expand(fields.successor)) else {
            outside += 1;
            continue;
        };
        for &p in &from {
            for &s in &to {
                if p == s {
                    diagnostics.push(format!(
                        "dependency {} links {} to itself once expanded to leaf items: left out",
                        dependency.id, activity_items[p].title
                    ));
                    continue;
                }
                if !seen.insert((p, s, fields.kind, fields.lag.days())) {
                    continue;
                }
                let lag = i64::from(fields.lag.days());
                links.push(Link {
                    from: ActivityIdx(p as u32),
                    to: ActivityIdx(s as u32),
                    kind: engine_kind(fields.kind),
                    lag,
                });
                schedule_links.push(ScheduleLink { predecessor: p, successor: s, kind: fields.kind, lag });
            }
        }
    }
    if outside > 0 {
        diagnostics.push(format!(
            "{outside} {} with an end outside this program left out",
            if outside == 1 { "dependency" } else { "dependencies" }
        ));
    }

    // Resources: one per involved team, with its own days off as off periods (its work pauses
    // over them) up to a horizon: every activity one after the other after the latest release,
    // each stretched by its team's other weekdays, with every positive lag, plus a year of
    // slack for holidays, and at least `periods`. Past it a team counts as working, so a caller
    // whose result reaches past it plans again with a longer one (`PlannedProblem::covers`).
    let week_days = i64::from(week_bits.count_ones());
    let team_week_days: HashMap<TeamId, i64> =
        teams.iter().map(|t| (t.id, i64::from(t.fields.calendar.week().bits().count_ones()).max(1))).collect();
    let stretched: i64 = activity_items
        .iter()
        .map(|a| {
            let own = a.team.and_then(|t| team_week_days.get(&t).copied()).unwrap_or(week_days);
            // Rounded up; durations and weekday counts are small and non-negative.
            (a.duration * week_days + own - 1) / own
        })
        .sum();
    let horizon = (projects.iter().map(|p| p.release).max().unwrap_or(0)
        + stretched
        + links.iter().map(|l| l.lag.max(0)).sum::<i64>()
        + 260)
        .max(periods);
    let mut days_off_until: Option<i64> = None;
    let resource_of: HashMap<TeamId, usize> = teams.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let mut resources = Vec::with_capacity(teams.len());
    for team in &teams {
        let mut off_periods: Vec<OffPeriod> = Vec::new();
        let off_weekdays = ALL_DAYS.iter().any(|d| week.contains(*d) && !team.fields.calendar.week().contains(*d));
        let off_holidays = team.fields.calendar.holidays().iter().any(|d| calendar.is_working_day(*d));
        if off_weekdays || off_holidays {
            // Up to the horizon or the calendar's end, whichever comes first: a schedule running
            // past the calendar is refused anyway.
            days_off_until = Some(horizon);
            for period in 0..horizon {
                let Some(date) = calendar.checked_date(period) else {
                    days_off_until = None;
                    break;
                };
                if team.fields.calendar.is_working_day(date) {
                    continue;
                }
                match off_periods.last_mut() {
                    Some(off) if off.end == period => off.end = period + 1,
                    _ => off_periods.push(OffPeriod { start: period, end: period + 1 }),
                }
            }
        }
        resources.push(ResourceSpec {
            key: team.fields.name.to_string(),
            capacity: i64::from(team.fields.capacity.get()),
            windows: Vec::new(),
            off_periods,
        });
    }

    let mut activities = Vec::with_capacity(activity_items.len());
    let mut entries = Vec::with_capacity(activity_items.len());
    let day0 = calendar.date(0);
    for ActivityItem { node, title, project, team, people, duration, started } in activity_items {
        let mut spec = ActivitySpec::new(format!("{title} ({node})"), duration);
        let project_ix = project.and_then(|p| project_index.get(&p)).copied();
        spec.project = project_ix.map(|i| ProjectIdx(i as u32));
        // Work under way resumes on the as-of day. An item "in progress" in a project that has
        // not started by then cannot be under way: it waits in line with new work.
        spec.started = started && project_ix.is_some_and(|i| projects[i].release == 0);
        let resource = team.and_then(|t| resource_of.get(&t).copied());
        if let Some(r) = resource {
            spec.demands.push((ResourceIdx(r as u32), i64::from(people)));
        }
        activities.push(spec);
        entries.push(ScheduleEntry {
            node,
            title,
            project_id: project,
            team_id: team,
            people: if resource.is_some() { people } else { 0 },
            start_period: 0,
            finish_period: duration,
            start: day0,
            finish: day0,
            critical: false,
            total_float: 0,
        });
    }

    let problem = Problem::new(ProblemSpec { activities, links, resources, projects }).map_err(engine_error)?;
    // No schedule can be shorter than the critical path, nor than any team's work over its
    // people: refuse at once what could only end past the calendar, before any search.
    calendar.ensure_periods(shortest_makespan(&problem), "the work of the program")?;
    let date_rules = date_rules(&entries, &schedule_links);
    Ok(PlannedProblem { problem, entries, links: schedule_links, date_rules, calendar, diagnostics, days_off_until })
}

/// A lower bound on the makespan of every schedule of `problem`: its critical path with unlimited
/// people, and each resource's total demand (duration x people) over its capacity.
fn shortest_makespan(problem: &Problem) -> i64 {
    let durations = problem.durations();
    let mut work = vec![0i64; problem.resources().len()];
    for (a, &duration) in durations.iter().enumerate() {
        for (r, demand) in problem.demands(ActivityIdx(a as u32)) {
            if let Some(total) = work.get_mut(r.ix()) {
                *total = total.saturating_add(duration.saturating_mul(demand));
            }
        }
    }
    let by_resource = problem
        .resources()
        .iter()
        .zip(&work)
        .filter(|(resource, _)| resource.capacity > 0)
        .map(|(resource, &total)| total / resource.capacity + i64::from(total % resource.capacity != 0))
        .max()
        .unwrap_or(0);
    tandem_engine::critical_path(problem).horizon.max(by_resource)
}

/// An activity before it becomes an engine activity and a schedule entry.
struct ActivityItem {
    node: NodeRef,
    title: String,
    project: Option<ProjectId>,
    team: Option<TeamId>,
    people: u32,
    duration: i64,
    /// In progress: it resumes ahead of work not yet started ([`ActivitySpec::started`]).
    started: bool,
}

fn engine_error(error: EngineError) -> DomainError {
    match error {
        EngineError::Cycle { .. } => DomainError::invalid(
            "dependencies",
            "cycle",
            format!("once summary items are expanded to their leaf items, the dependencies form a {error}"),
        ),
        other => DomainError::invalid("program", "unschedulable", other.to_string()),
    }
}

/// Computes the leveled schedule of a program (pure and CPU-bound: the search spends
/// `options.schedules()` schedule builds, or stops at the time limit).
pub fn plan(
    input: &PlanningInput,
    options: ScheduleOptions,
    computed_at: DateTime<Utc>,
) -> DomainResult<ProgramSchedule> {
    let solve_options = SolveOptions {
        max_schedules: Some(options.schedules()),
        time_limit: options.time_limit_ms().map(Duration::from_millis),
        seed: options.seed(),
        ..SolveOptions::default()
    };
    let today = computed_at.date_naive();
    let mut planned = build_problem(input, today)?;
    let mut solution = tandem_engine::solve(&planned.problem, &solve_options);
    // Rare: the schedule runs past the periods the teams' days off were modelled on.
    while !planned.covers(solution.objective.makespan) {
        planned = build_problem_covering(input, today, solution.objective.makespan.saturating_mul(2))?;
        solution = tandem_engine::solve(&planned.problem, &solve_options);
    }
    let problem = &planned.problem;
    let cpm = tandem_engine::critical_path(problem);
    let schedule = &solution.schedule;
    let makespan = schedule.makespan();
    // Every period dated below: each activity's start and finish date, the finish of both plans.
    let last_period = planned.last_dated_period(schedule).max(cpm.horizon - 1);
    planned.calendar.ensure_periods(last_period.saturating_add(1), "the leveled schedule")?;

    // The driving path into the activity that finishes last (the latest to start among those,
    // so a milestone closing the program; then the first in activity order).
    let mut critical = vec![false; problem.len()];
    let last = (0..problem.len())
        .filter(|&i| schedule.finish[i] == makespan)
        .max_by_key(|&i| (schedule.start[i], std::cmp::Reverse(i)));
    if let Some(last) = last {
        let path = tandem_engine::schedule_driving_path(problem, schedule, ActivityIdx(last as u32));
        for a in path.activities {
            critical[a.ix()] = true;
        }
    }
    // A milestone takes no time: its start and finish are one date, by its rule (reached by
    // finishing work, that work's last day, never before its project's start; else its period).
    let dated: Vec<i64> =
        (0..planned.entries.len()).map(|i| planned.dated_period(i, schedule.start[i], schedule.finish[i])).collect();
    let PlannedProblem { mut entries, links, mut calendar, diagnostics, .. } = planned;
    for (i, entry) in entries.iter_mut().enumerate() {
        entry.start_period = schedule.start[i];
        entry.finish_period = schedule.finish[i];
        entry.finish = calendar.date(dated[i]);
        entry.start = if entry.is_point() { entry.finish } else { calendar.date(schedule.start[i]) };
        entry.critical = critical[i];
        entry.total_float = cpm.total_float[i];
    }
    // The last working day of the last activity; a milestone ending the schedule reached by
    // finishing work falls on that day too, one reached otherwise sits on the day after it (its
    // period's date) and does not move the finish.
    let finish = calendar.date(makespan - 1);
    let critical_path_finish = calendar.date(cpm.horizon - 1);
    Ok(ProgramSchedule {
        program_id: input.program.id,
        computed_at,
        options,
        schedules_used: solution.schedules_used,
        makespan,
        finish,
        critical_path_makespan: cpm.horizon,
        critical_path_finish,
        periods: calendar.dates(makespan),
        diagnostics,
        entries,
        links,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dependency::{DependencyFields, DependencyInput};
    use crate::ids::{DependencyId, MilestoneId, WorkItemId};
    use crate::milestone::{MilestoneFields, MilestoneInput};
    use crate::program::{ProgramFields, ProgramInput, ProgramPhase};
    use crate::project::{ProjectFields, ProjectInput};
    use crate::record::{Meta, Record};
    use crate::team::{TeamFields, TeamInput};
    use crate::values::Rank;
    use crate::work_item::{WorkItemFields, WorkItemInput, WorkItemKind};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn meta() -> Meta {
        let at = crate::record::now();
        Meta { created_at: at, updated_at: at, version: 1 }
    }

    fn team(name: &str, capacity: i64, holidays: Vec<NaiveDate>) -> Team {
        let fields =
            TeamFields::parse(TeamInput { name: name.into(), capacity, working_days: None, holidays }).unwrap();
        Record { id: TeamId::generate(), fields, meta: meta() }
    }

    struct ItemSpec<'a> {
        title: &'a str,
        parent: Option<WorkItemId>,
        status: WorkItemStatus,
        estimate: (f64, f64, f64),
        team: Option<&'a Team>,
        people: i64,
    }

    fn item(project: ProjectId, spec: ItemSpec<'_>) -> WorkItem {
        let fields = WorkItemFields::parse(WorkItemInput {
            kind: if spec.parent.is_some() { WorkItemKind::Story } else { WorkItemKind::Epic },
            project_id: Some(project),
            product_id: None,
            parent_id: spec.parent,
            title: spec.title.into(),
            description: String::new(),
            status: spec.status,
            optimistic: spec.estimate.0,
            most_likely: spec.estimate.1,
            pessimistic: spec.estimate.2,
            story_points: None,
            team_id: spec.team.map(|t| t.id),
            people_needed: Some(spec.people),
            released_on: None,
            percent_complete: None,
        })
        .unwrap();
        WorkItem { id: WorkItemId::generate(), fields, rank: Rank::new(0), meta: meta() }
    }

    fn leaf<'a>(title: &'a str, parent: Option<WorkItemId>, days: f64, team: &'a Team, people: i64) -> ItemSpec<'a> {
        ItemSpec {
            title,
            parent,
            status: WorkItemStatus::Backlog,
            estimate: (days, days, days),
            team: Some(team),
            people,
        }
    }

    fn dependency(from: NodeRef, to: NodeRef, kind: DependencyKind, lag: i64) -> Dependency {
        let fields =
            DependencyFields::parse(DependencyInput { predecessor: from, successor: to, kind, lag_days: lag }).unwrap();
        Record { id: DependencyId::generate(), fields, meta: meta() }
    }

    /// The hand-made program of the module docs' rules:
    /// - calendar: Mon-Fri; 2026-03-06 is a holiday of both teams (no period), 2026-03-05 only of
    ///   Platform (an off period on period 3, over which its work pauses); the program starts on
    ///   Sunday 2026-03-01;
    /// - epic E (summary) holds X (2 days) and Y (PERT 2.08 -> 3 days), each needing both of
    ///   Platform's 2 people: they cannot overlap (leveling);
    /// - E FS+1 -> Z expands to X -> Z and Y -> Z; X SS+1 -> W; X FS -> V; Z FS -> milestone M;
    /// - D is done: its link D -> Z is dropped; O lies in another program: O -> Z is reported.
    fn sample() -> (PlanningInput, Vec<&'static str>) {
        let program_fields = ProgramFields::parse(ProgramInput {
            name: "Core".into(),
            goal: String::new(),
            sponsor: None,
            phase: ProgramPhase::Delivery,
            start: day(3, 1),
            target_end: day(12, 31),
            budget: None,
            currency: None,
            status_date: Some(day(3, 1)),
        })
        .unwrap();
        let program = Record { id: ProgramId::generate(), fields: program_fields, meta: meta() };
        let project_fields = ProjectFields::parse(ProjectInput {
            program_id: program.id,
            name: "Ledger".into(),
            description: String::new(),
            manager: None,
            start: day(3, 1),
            budget: None,
        })
        .unwrap();
        let project = Record { id: ProjectId::generate(), fields: project_fields, meta: meta() };
        let platform = team("Platform", 2, vec![day(3, 5), day(3, 6)]);
        let web = team("Web", 3, vec![day(3, 6)]);
        let p = project.id;
        let e = item(
            p,
            ItemSpec {
                title: "E",
                parent: None,
                status: WorkItemStatus::InProgress,
                estimate: (5.0, 5.0, 5.0),
                team: None,
                people: 1,
            },
        );
        let x = item(p, leaf("X", Some(e.id), 2.0, &platform, 2));
        let y = item(p, ItemSpec { estimate: (1.0, 2.0, 3.5), ..leaf("Y", Some(e.id), 0.0, &platform, 2) });
        let d = item(p, ItemSpec { status: WorkItemStatus::Done, ..leaf("D", None, 3.0, &web, 1) });
        let z = item(p, leaf("Z", None, 4.0, &web, 1));
        let w = item(p, leaf("W", None, 1.0, &web, 1));
        let v = item(p, ItemSpec { estimate: (6.0, 7.0, 8.0), ..leaf("V", None, 0.0, &web, 1) });
        let milestone_fields = MilestoneFields::parse(MilestoneInput {
            project_id: p,
            name: "M".into(),
            target_date: day(3, 31),
            deliverable: String::new(),
        })
        .unwrap();
        let m = Record { id: MilestoneId::generate(), fields: milestone_fields, meta: meta() };
        let node = |i: &WorkItem| NodeRef::WorkItem(i.id);
        let outside = NodeRef::WorkItem(WorkItemId::generate());
        let dependencies = vec![
            dependency(node(&e), node(&z), DependencyKind::FinishToStart, 1),
            dependency(node(&x), node(&w), DependencyKind::StartToStart, 1),
            dependency(node(&d), node(&z), DependencyKind::FinishToStart, 0),
            dependency(node(&x), node(&v), DependencyKind::FinishToStart, 0),
            dependency(node(&z), NodeRef::Milestone(m.id), DependencyKind::FinishToStart, 0),
            dependency(outside, node(&z), DependencyKind::FinishToStart, 0),
        ];
        let input = PlanningInput {
            program,
            projects: vec![project],
            work_items: vec![e, x, y, d, z, w, v],
            milestones: vec![m],
            dependencies,
            teams: vec![web, platform],
        };
        (input, vec!["X", "Y", "Z", "W", "V", "M"])
    }

    #[test]
    fn calendar_skips_shared_holidays_and_weekends() {
        let (input, _) = sample();
        let planned = build_problem(&input, day(3, 1)).unwrap();
        let mut calendar = planned.calendar;
        let expected =
            [day(3, 2), day(3, 3), day(3, 4), day(3, 5), day(3, 9), day(3, 10), day(3, 11), day(3, 12), day(3, 13)];
        assert_eq!(calendar.dates(9), expected);
        assert_eq!(calendar.period_on_or_after(day(3, 6)), Some(4));
        // Platform (second resource: teams keep the store's order) is off on period 3 only.
        let platform = &planned.problem.resources()[1];
        assert_eq!(platform.key, "Platform");
        assert_eq!(platform.off_periods, vec![OffPeriod { start: 3, end: 4 }]);
        assert!(planned.problem.resources()[0].off_periods.is_empty());
    }

    #[test]
    fn the_calendar_ends_with_the_last_working_day_of_9999() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // Monday to Friday from Monday 9999-12-20: ten working days, the last on Friday the 31st.
        let mut calendar = ProgramCalendar::new(WorkingWeek::MONDAY_TO_FRIDAY, vec![], date(9999, 12, 18)).unwrap();
        assert_eq!(calendar.date(0), date(9999, 12, 20));
        assert_eq!(calendar.checked_date(9), Some(date(9999, 12, 31)));
        assert_eq!(calendar.checked_date(10), None);
        assert_eq!(calendar.checked_date(i64::MAX), None);
        // Past the end, `date` stays on the last day and `dates` stops there.
        assert_eq!(calendar.date(1_000_000), date(9999, 12, 31));
        assert_eq!(calendar.dates(1_000_000).len(), 10);
        assert_eq!(calendar.period_on_or_after(date(9999, 12, 31)), Some(9));
        assert_eq!(calendar.period_on_or_after(date(10_000, 1, 3)), None);
        assert!(calendar.ensure_periods(10, "the plan").is_ok());
        match calendar.ensure_periods(11, "the plan") {
            Err(DomainError::Validation(errors)) => {
                let e = &errors.errors()[0];
                assert_eq!((e.field.as_str(), e.code), ("program", "out_of_range"));
                assert_eq!(
                    e.message,
                    "the plan would take 11 working days from 9999-12-20, past 9999-12-31, the last date Tandem plans to"
                );
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        // No Sunday follows Monday 9999-12-27.
        let sundays = WorkingWeek::from_days("working_days", &[Weekday::Sun]).unwrap();
        assert!(ProgramCalendar::new(sundays, vec![], date(9999, 12, 27)).is_none());
    }

    #[test]
    fn work_that_cannot_end_by_9999_is_refused_before_any_search() {
        let (mut input, _) = sample();
        // V alone takes 7 working days; Monday 9999-12-27 to Friday 9999-12-31 hold five.
        let start = NaiveDate::from_ymd_opt(9999, 12, 27).unwrap();
        input.program.fields.dates = crate::values::DateRange::new("target_end", start, start).unwrap();
        for project in &mut input.projects {
            project.fields.start = start;
        }
        match build_problem(&input, day(3, 1)) {
            Err(DomainError::Validation(errors)) => {
                let e = &errors.errors()[0];
                assert_eq!((e.field.as_str(), e.code), ("program", "out_of_range"), "{e:?}");
                assert!(e.message.starts_with("the work of the program would take "), "{}", e.message);
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn summaries_expand_and_closed_items_drop_out() {
        let (input, titles) = sample();
        let planned = build_problem(&input, day(3, 1)).unwrap();
        let got: Vec<&str> = planned.entries.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(got, titles);
        assert_eq!(planned.problem.durations(), &[2, 3, 4, 1, 7, 0]);
        let links: Vec<(usize, usize, DependencyKind, i64)> =
            planned.links.iter().map(|l| (l.predecessor, l.successor, l.kind, l.lag)).collect();
        assert_eq!(
            links,
            vec![
                (0, 2, DependencyKind::FinishToStart, 1),
                (1, 2, DependencyKind::FinishToStart, 1),
                (0, 3, DependencyKind::StartToStart, 1),
                (0, 4, DependencyKind::FinishToStart, 0),
                (2, 5, DependencyKind::FinishToStart, 0),
            ]
        );
        assert_eq!(planned.diagnostics, vec!["1 dependency with an end outside this program left out".to_owned()]);
    }

    #[test]
    fn plan_levels_around_capacity_and_days_off() {
        let (input, _) = sample();
        let at = crate::record::now();
        let schedule = plan(&input, ScheduleOptions::default(), at).unwrap();
        let got: Vec<(&str, i64, i64, NaiveDate, NaiveDate, bool, i64)> = schedule
            .entries
            .iter()
            .map(|e| (e.title.as_str(), e.start_period, e.finish_period, e.start, e.finish, e.critical, e.total_float))
            .collect();
        assert_eq!(
            got,
            vec![
                // X then Y on Platform's 2 people: Y starts when X ends.
                ("X", 0, 2, day(3, 2), day(3, 3), true, 0),
                // Y's 3 days are March 4, 9 and 10: it pauses over Platform's own day off on
                // period 3 (March 5). Its float is 0: slipping a day would put its last day
                // after that day off, pushing Z. (Placed around the day off instead, it ran
                // March 9-11.)
                ("Y", 2, 6, day(3, 4), day(3, 10), true, 0),
                ("Z", 7, 11, day(3, 12), day(3, 17), true, 1),
                ("W", 1, 2, day(3, 3), day(3, 3), false, 7),
                ("V", 2, 9, day(3, 4), day(3, 13), false, 0),
                // At period 11, reached by finishing Z (FS): dated on Z's last day, the
                // program's finish (not the 18th, its own period's date, a day after it). It
                // closes the program, so it is on the critical path into the program's end.
                ("M", 11, 11, day(3, 17), day(3, 17), true, 1),
            ]
        );
        assert_eq!(schedule.makespan, 11);
        assert_eq!(schedule.finish, day(3, 17));
        assert_eq!(schedule.critical_path_makespan, 9);
        assert_eq!(schedule.critical_path_finish, day(3, 13));
        assert_eq!(schedule.periods.len(), 11);
        assert_eq!(schedule.computed_at, at);

        let platform = &input.teams[1];
        let loads = schedule.team_loads(&input.teams);
        assert_eq!(loads.len(), 2);
        assert_eq!(loads[1].name, "Platform");
        // No load on the day off Y pauses over.
        assert_eq!(loads[1].load, vec![2, 2, 2, 0, 2, 2, 0, 0, 0, 0, 0]);
        assert_eq!(loads[1].capacity, vec![2, 2, 2, 0, 2, 2, 2, 2, 2, 2, 2]);
        assert_eq!(loads[1].team_id, platform.id);
        assert_eq!(loads[0].load, vec![0, 1, 1, 1, 1, 1, 1, 2, 2, 1, 1]);
    }

    /// QA's case: a team with a holiday every month and a 25-day task. The task counts the
    /// team's working days and pauses over the holidays; when days off blocked work instead,
    /// it waited 11 months for a holiday-free stretch.
    #[test]
    fn a_long_task_pauses_over_its_teams_monthly_holidays() {
        let (mut input, _) = sample();
        let holidays: Vec<NaiveDate> = (1..=12).map(|m| day(m, 16)).collect();
        let qa = team("QA", 1, holidays);
        // Another team keeps a Mon-Fri program calendar without those holidays.
        let web = input.teams[0].clone();
        let project = input.projects[0].id;
        let task = item(project, leaf("Regression suite", None, 25.0, &qa, 1));
        let after = item(project, leaf("Release notes", None, 1.0, &web, 1));
        input.dependencies =
            vec![dependency(NodeRef::WorkItem(task.id), NodeRef::WorkItem(after.id), DependencyKind::FinishToStart, 0)];
        input.work_items = vec![task, after];
        input.milestones.clear();
        input.teams = vec![web, qa];
        let schedule = plan(&input, ScheduleOptions::default(), crate::record::now()).unwrap();
        let dates: Vec<(&str, NaiveDate, NaiveDate, i64)> =
            schedule.entries.iter().map(|e| (e.title.as_str(), e.start, e.finish, e.duration())).collect();
        // From Monday March 2, 25 of QA's working days end on Monday April 6 rather than Friday
        // April 3: the task pauses over Monday March 16, QA's own holiday (the program
        // calendar keeps it: the other team works). It spans 26 program days.
        assert_eq!(
            dates,
            vec![("Regression suite", day(3, 2), day(4, 6), 26), ("Release notes", day(4, 7), day(4, 7), 1)]
        );
        let loads = schedule.team_loads(&input.teams);
        let qa_load = &loads.iter().find(|l| l.name == "QA").unwrap().load;
        assert_eq!(qa_load.iter().sum::<i64>(), 25);
        // 25 of QA's working days over a span of 26, pausing over one day off.
        assert_eq!(schedule.working_days(&input.teams), vec![25, 1]);
        assert_eq!(schedule.days_off(&input.teams), vec![1, 0]);
        // Without the teams (deleted since), the span.
        assert_eq!(schedule.working_days(&[]), vec![26, 1]);
    }

    /// A two-team program of tasks `(title, days, team)` in a row (finish-to-start), as of its
    /// start, Monday March 2.
    fn in_a_row(teams: Vec<Team>, tasks: &[(&str, f64, usize)]) -> PlanningInput {
        let (mut input, _) = sample();
        input.program.fields.status_date = Some(day(3, 2));
        let project = input.projects[0].id;
        let items: Vec<WorkItem> =
            tasks.iter().map(|&(title, days, t)| item(project, leaf(title, None, days, &teams[t], 1))).collect();
        input.dependencies = items
            .windows(2)
            .map(|pair| {
                let node = |i: &WorkItem| NodeRef::WorkItem(i.id);
                dependency(node(&pair[0]), node(&pair[1]), DependencyKind::FinishToStart, 0)
            })
            .collect();
        input.work_items = items;
        input.milestones.clear();
        input.teams = teams;
        input
    }

    fn dates_of(schedule: &ProgramSchedule) -> Vec<(&str, NaiveDate, NaiveDate)> {
        schedule.entries.iter().map(|e| (e.title.as_str(), e.start, e.finish)).collect()
    }

    fn team_on(name: &str, days: &[&str], holidays: Vec<NaiveDate>) -> Team {
        let working_days = Some(days.iter().map(|d| d.to_string()).collect());
        let fields = TeamFields::parse(TeamInput { name: name.into(), capacity: 1, working_days, holidays }).unwrap();
        Record { id: TeamId::generate(), fields, meta: meta() }
    }

    /// A part-time team's other weekdays pause its own work only: a Monday-to-Friday team keeps
    /// its Fridays (the program calendar has every weekday some team works).
    #[test]
    fn a_part_time_team_does_not_shrink_the_other_teams_week() {
        let week = ["mon", "tue", "wed", "thu", "fri"];
        let teams = vec![team_on("Full", &week, vec![]), team_on("Part", &["mon", "tue", "wed", "thu"], vec![])];
        let input = in_a_row(teams, &[("Full task", 5.0, 0), ("Part task", 2.0, 1), ("After", 1.0, 0)]);
        let schedule = plan(&input, ScheduleOptions::default(), crate::record::now()).unwrap();
        // Full: Monday to Friday March 6. Part: Monday 9 and Tuesday 10 (it would have waited
        // over Friday). After: Wednesday 11.
        assert_eq!(
            dates_of(&schedule),
            vec![
                ("Full task", day(3, 2), day(3, 6)),
                ("Part task", day(3, 9), day(3, 10)),
                ("After", day(3, 11), day(3, 11)),
            ]
        );
        // A Friday-only team: its 2-day task takes two Fridays; the others keep their week.
        let teams = vec![team_on("Full", &week, vec![]), team_on("Fridays", &["fri"], vec![])];
        let input = in_a_row(teams, &[("Full task", 2.0, 0), ("Friday task", 2.0, 1), ("After", 1.0, 0)]);
        let schedule = plan(&input, ScheduleOptions::default(), crate::record::now()).unwrap();
        assert_eq!(
            dates_of(&schedule),
            vec![
                ("Full task", day(3, 2), day(3, 3)),
                ("Friday task", day(3, 6), day(3, 13)),
                ("After", day(3, 16), day(3, 16)),
            ]
        );
        assert!(schedule.diagnostics.is_empty(), "{:?}", schedule.diagnostics);
    }

    /// A team off for well over a year: its days off are modelled however far the work runs
    /// (the plan is made again over a longer horizon when the first one ran past it).
    #[test]
    fn days_off_hold_however_far_the_work_runs() {
        let off: Vec<NaiveDate> =
            day(3, 2).iter_days().take_while(|d| *d <= NaiveDate::from_ymd_opt(2027, 7, 14).unwrap()).collect();
        let week = ["mon", "tue", "wed", "thu", "fri"];
        let teams = vec![team_on("Away", &week, off), team_on("Here", &week, vec![])];
        let input = in_a_row(teams, &[("Away task", 5.0, 0), ("Here task", 1.0, 1)]);
        let schedule = plan(&input, ScheduleOptions::default(), crate::record::now()).unwrap();
        let date = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
        // Thursday July 15, 2027 is the team's first working day.
        assert_eq!(
            dates_of(&schedule),
            vec![("Away task", date(7, 15), date(7, 21)), ("Here task", date(7, 22), date(7, 22))]
        );
        let loads = schedule.team_loads(&input.teams);
        assert_eq!(loads[0].load.iter().sum::<i64>(), 5);
    }

    /// Open work starts no earlier than the status date, or than the day of computation without
    /// one: never in the past.
    #[test]
    fn open_work_starts_no_earlier_than_the_status_date_or_today() {
        let (mut input, _) = sample();
        let at =
            |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc();
        let starts = |schedule: &ProgramSchedule| -> Vec<(String, NaiveDate)> {
            schedule.entries.iter().map(|e| (e.title.clone(), e.start)).collect()
        };
        // Status date March 1 (before the work): as planned, whatever the day of computation.
        let on_status = plan(&input, ScheduleOptions::default(), at(2026, 11, 22)).unwrap();
        assert_eq!(on_status.entries[0].start, day(3, 2));
        assert!(on_status.diagnostics.iter().all(|d| !d.contains("no earlier")), "{:?}", on_status.diagnostics);
        // Status date Wednesday March 11: nothing starts before it; the project's work moves.
        input.program.fields.status_date = Some(day(3, 11));
        let moved = plan(&input, ScheduleOptions::default(), at(2026, 11, 22)).unwrap();
        assert!(starts(&moved).iter().all(|(_, start)| *start >= day(3, 11)), "{:?}", starts(&moved));
        assert_eq!(moved.entries[0].start, day(3, 11));
        assert!(
            moved
                .diagnostics
                .contains(&"open work starts no earlier than the program's status date, 2026-03-11".to_owned())
        );
        // No status date: as of the day of computation (Friday March 13, in the program's time).
        input.program.fields.status_date = None;
        let today = plan(&input, ScheduleOptions::default(), at(2026, 3, 13)).unwrap();
        assert_eq!(today.entries[0].start, day(3, 13));
        assert!(starts(&today).iter().all(|(_, start)| *start >= day(3, 13)));
        assert!(
            today.diagnostics.contains(
                &"open work starts no earlier than today, 2026-03-13 (the program has no status date)".to_owned()
            ),
            "{:?}",
            today.diagnostics
        );
        // The plan's calendar starts on the day it is made as of: its periods, and so its
        // makespan, count from there (nothing before it is planned). The later plan is a day
        // shorter: Platform's day off (March 5) lies before it.
        assert_eq!(today.periods[0], day(3, 13));
        assert_eq!(on_status.periods[0], day(3, 2));
        assert_eq!((today.makespan, on_status.makespan), (10, 11));
    }

    #[test]
    fn nothing_to_schedule_is_a_validation_error() {
        let (mut input, _) = sample();
        input.work_items.clear();
        input.milestones.clear();
        match build_problem(&input, day(3, 1)) {
            Err(DomainError::Validation(errors)) => {
                assert_eq!(errors.errors()[0].field, "program");
                assert_eq!(errors.errors()[0].code, "nothing_to_schedule");
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn options_are_validated() {
        let errors = ScheduleOptions::new(Some(0), None, Some(0)).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(fields, vec![("schedules", "out_of_range"), ("time_limit_ms", "out_of_range")]);
        let options = ScheduleOptions::new(None, None, None).unwrap();
        assert_eq!((options.schedules(), options.seed(), options.time_limit_ms()), (2_000, 1, None));
    }

    #[test]
    fn durations_round_the_pert_mean_up() {
        let (input, _) = sample();
        let y = &input.work_items[2];
        assert_eq!(duration_days(y), 3);
        assert_eq!(duration_days(&input.work_items[1]), 2);
    }

    #[test]
    fn in_progress_work_resumes_on_the_status_date_ahead_of_new_work() {
        let (mut input, _) = sample();
        let at = day(3, 1).and_hms_opt(12, 0, 0).unwrap().and_utc();
        let dates = |input: &PlanningInput, title: &str| {
            let schedule = plan(input, ScheduleOptions::default(), at).unwrap();
            let entry = schedule.entries.iter().find(|e| e.title == title).unwrap();
            (entry.start, entry.finish)
        };
        // Not started, Y waits for X (X drives the longer chain X -> V): both need both of
        // Platform's people.
        assert_eq!(dates(&input, "X"), (day(3, 2), day(3, 3)));
        assert_eq!(dates(&input, "Y"), (day(3, 4), day(3, 10)));
        // In progress, Y resumes first, on the status date (Monday March 2), and X waits.
        input.work_items[2].fields.status = WorkItemStatus::InProgress;
        assert_eq!(dates(&input, "Y"), (day(3, 2), day(3, 4)));
        assert_eq!(dates(&input, "X"), (day(3, 9), day(3, 10)));
        // More progress never finishes it later.
        let mut last = dates(&input, "Y").1;
        for percent in [20, 40, 60, 80, 100] {
            input.work_items[2].fields.percent_complete =
                crate::values::PercentComplete::parse("percent_complete", percent).unwrap();
            let (start, finish) = dates(&input, "Y");
            assert_eq!(start, day(3, 2), "{percent} %");
            assert!(finish <= last, "{percent} %: {finish} after {last}");
            last = finish;
        }
        // In a project that starts after the status date nothing can be under way yet: Y
        // waits in line with new work again.
        input.work_items[2].fields.percent_complete = crate::values::PercentComplete::ZERO;
        input.projects[0].fields.start = day(3, 9);
        assert_eq!(dates(&input, "X"), (day(3, 9), day(3, 10)));
        assert_eq!(dates(&input, "Y"), (day(3, 11), day(3, 13)));
    }

    #[test]
    fn open_work_is_planned_with_what_its_percent_complete_leaves() {
        let (mut input, _) = sample();
        let done = |item: &mut WorkItem, percent: i64| {
            item.fields.percent_complete = crate::values::PercentComplete::parse("percent_complete", percent).unwrap();
        };
        // Y: (1, 2, 3.5), PERT mean 2.25 -> 3 days; 40 % done leaves a mean of 1.35 -> 2 days.
        done(&mut input.work_items[2], 40);
        assert_eq!(duration_days(&input.work_items[2]), 2);
        assert_eq!(remaining_estimate(&input.work_items[2]), Estimate::new(0.6, 1.2, 2.1).unwrap());
        // 100 % done but still open: nothing left, planned as a point on the status date's side.
        done(&mut input.work_items[2], 100);
        assert_eq!(duration_days(&input.work_items[2]), 0);
        let schedule =
            plan(&input, ScheduleOptions::default(), day(3, 1).and_hms_opt(12, 0, 0).unwrap().and_utc()).unwrap();
        let y = schedule.entries.iter().find(|e| e.title == "Y").unwrap();
        assert!(y.is_point(), "{y:?}");
        assert_eq!(y.start, y.finish);
        // Back to 0: the whole estimate again.
        done(&mut input.work_items[2], 0);
        assert_eq!(duration_days(&input.work_items[2]), 3);
    }
}
