//! Program forecast: the Monte Carlo forecast of [`tandem_engine::forecast`] on a program's
//! planned problem, with the answer in calendar dates.
//!
//! The mapping, on top of [`crate::planning`]'s (same activities, links, teams and program
//! calendar):
//! - **Estimates.** Each leaf work item's three-point estimate (optimistic, most likely,
//!   pessimistic working days) is sampled as such, PERT-Beta by default, rounded up to whole
//!   working days; the deterministic plan uses its PERT mean instead. Milestones take no time.
//! - **Risks.** Risk events are engine [`RiskEvent`]s on the planned problem's activities,
//!   passed in by the caller (the program has no risk register yet: callers pass none).
//! - **Modes.** Network only (links and project start dates: the critical-path finish of each
//!   iteration), or resource-aware: the scheduler first searches
//!   [`ForecastOptions::ORDER_SCHEDULES`] schedules with the same seed, as `tandem plan` does,
//!   and every iteration re-decodes its best priority order under the teams' capacities and
//!   days off.
//! - **Dates.** A finish period `f` (the first period after the work) of the program or of a
//!   project becomes the date of its last working day, period `f - 1` (as
//!   [`crate::planning::ProgramSchedule::finish`]); a milestone takes no time and is dated by
//!   its own period `f`. The calendar is monotone, so percentiles of dates are the dates of
//!   the percentiles; means stay in working days.
//!
//! [`forecast_input`] builds the engine input (pure), [`dated_forecast`] maps the answer back
//! (pure), [`forecast_program`] does both around the engine run (pure and CPU-bound: run it
//! off the async runtime).

use std::collections::HashMap;

use chrono::NaiveDate;
use tandem_engine::forecast::MAX_ITERATIONS;
use tandem_engine::{
    Distribution, Forecast, ForecastError, ForecastInput, ForecastMode, Percentiles, RiskEvent, SolveOptions,
    ThreePoint, forecast_with_progress,
};

use crate::dependency::NodeRef;
use crate::error::{DomainError, DomainResult, ValidationErrors};
use crate::ids::{MilestoneId, ProgramId, ProjectId, WorkItemId};
use crate::planning::{PlannedProblem, PlanningInput, ProgramCalendar, build_problem};
use crate::work_item::WorkItem;

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

/// Percentiles of a finish as dates, with the working-day figures they come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatedPercentiles {
    pub p10: NaiveDate,
    pub p50: NaiveDate,
    pub p80: NaiveDate,
    pub p95: NaiveDate,
    /// The same in periods (working days from the program calendar's period 0), with the mean.
    pub periods: Percentiles,
}

/// A project's forecast finish (the last working day of its work).
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectForecast {
    pub project_id: ProjectId,
    pub name: String,
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

/// A program's forecast in dates.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramForecast {
    pub program_id: ProgramId,
    pub options: ForecastOptions,
    /// Schedules searched for the resource-aware order (`None`: network only).
    pub schedules_used: Option<u64>,
    /// Activities simulated (open leaf work items and milestones).
    pub activities: usize,
    /// The whole program's last working day.
    pub finish: DatedPercentiles,
    /// In the program's project order.
    pub projects: Vec<ProjectForecast>,
    /// In the program's milestone order.
    pub milestones: Vec<MilestoneForecast>,
    /// What the planning left out or adjusted, for people.
    pub diagnostics: Vec<String>,
}

/// The engine's forecast input for a planned program: one estimate per activity (work items
/// from their three-point estimates, milestones a certain zero), the given risks, mode and
/// options (pure).
pub fn forecast_input<'a>(
    input: &PlanningInput,
    planned: &'a PlannedProblem,
    risks: &[RiskEvent],
    mode: ForecastMode,
    options: &ForecastOptions,
) -> ForecastInput<'a> {
    let items: HashMap<WorkItemId, &WorkItem> = input.work_items.iter().map(|item| (item.id, item)).collect();
    let estimates = planned
        .entries
        .iter()
        .map(|entry| match entry.node {
            NodeRef::WorkItem(id) => items.get(&id).map(|item| {
                let e = &item.fields.estimate;
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

/// The engine's answer for a planned program in dates (pure; see the module doc for the date
/// rules).
pub fn dated_forecast(
    input: &PlanningInput,
    planned: &PlannedProblem,
    result: &Forecast,
    options: ForecastOptions,
    schedules_used: Option<u64>,
) -> ProgramForecast {
    let mut calendar = planned.calendar.clone();
    let projects = input
        .projects
        .iter()
        .zip(&result.project_finish)
        .map(|(project, finish)| ProjectForecast {
            project_id: project.id,
            name: project.fields.name.to_string(),
            finish: last_working_day(&mut calendar, finish),
        })
        .collect();
    let activity_of: HashMap<NodeRef, usize> = planned.entries.iter().enumerate().map(|(i, e)| (e.node, i)).collect();
    let milestones = input
        .milestones
        .iter()
        .filter_map(|milestone| {
            let finish = result.activity_finish.get(*activity_of.get(&NodeRef::Milestone(milestone.id))?)?;
            Some(MilestoneForecast {
                milestone_id: milestone.id,
                name: milestone.fields.name.to_string(),
                project_id: milestone.fields.project_id,
                target_date: milestone.fields.target_date,
                date: dated(&mut calendar, finish, 0),
            })
        })
        .collect();
    ProgramForecast {
        program_id: input.program.id,
        options,
        schedules_used,
        activities: planned.problem.len(),
        finish: last_working_day(&mut calendar, &result.finish),
        projects,
        milestones,
        diagnostics: planned.diagnostics.clone(),
    }
}

/// Dates of periods `p - back` (the calendar treats periods before 0 as 0).
fn dated(calendar: &mut ProgramCalendar, p: &Percentiles, back: i64) -> DatedPercentiles {
    DatedPercentiles {
        p10: calendar.date(p.p10 - back),
        p50: calendar.date(p.p50 - back),
        p80: calendar.date(p.p80 - back),
        p95: calendar.date(p.p95 - back),
        periods: *p,
    }
}

fn last_working_day(calendar: &mut ProgramCalendar, p: &Percentiles) -> DatedPercentiles {
    dated(calendar, p, 1)
}

/// Plans the program's problem, runs the forecast (resource-aware: after the order search)
/// and dates it. `progress(done, total)` hears of finished iterations. `Validation` on
/// `program` or `dependencies` as [`build_problem`], on `estimates` or `risks` when the
/// engine rejects them.
pub fn forecast_program(
    input: &PlanningInput,
    risks: &[RiskEvent],
    options: ForecastOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> DomainResult<ProgramForecast> {
    let planned = build_problem(input)?;
    let (mode, schedules_used) = if options.resource_aware {
        let solve_options = SolveOptions {
            max_schedules: Some(ForecastOptions::ORDER_SCHEDULES),
            seed: options.seed,
            ..SolveOptions::default()
        };
        let solution = tandem_engine::solve(&planned.problem, &solve_options);
        (ForecastMode::ResourceAware { order: solution.order }, Some(solution.schedules_used))
    } else {
        (ForecastMode::NetworkOnly, None)
    };
    let engine_input = forecast_input(input, &planned, risks, mode, &options);
    let result = forecast_with_progress(&engine_input, progress).map_err(forecast_error)?;
    Ok(dated_forecast(input, &planned, &result, options, schedules_used))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dependency::{Dependency, DependencyFields, DependencyInput, DependencyKind};
    use crate::ids::{DependencyId, TeamId};
    use crate::milestone::{Milestone, MilestoneFields, MilestoneInput};
    use crate::program::{Program, ProgramFields, ProgramInput, ProgramPhase};
    use crate::project::{Project, ProjectFields, ProjectInput};
    use crate::record::{Meta, Record};
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
        let fields = DependencyFields::parse(DependencyInput {
            predecessor: from,
            successor: to,
            kind: DependencyKind::FinishToStart,
            lag_days: 0,
        })
        .unwrap();
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

    fn certain(p: &DatedPercentiles) -> (NaiveDate, i64) {
        assert_eq!((p.p10, p.p50, p.p80), (p.p95, p.p95, p.p95), "{p:?}");
        assert_eq!(p.periods.mean, p.periods.p95 as f64, "{p:?}");
        (p.p95, p.periods.p95)
    }

    #[test]
    fn work_items_keep_their_three_points_and_milestones_take_no_time() {
        let input = sample();
        let planned = build_problem(&input).unwrap();
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
    fn certain_work_gives_the_plan_dates_for_projects_and_milestones() {
        let mut input = sample();
        // C certain too: 2 days from Wednesday, finishing Thursday.
        input.work_items[2] = item(&input.projects[1], "C", (2.0, 2.0, 2.0), None);
        let f = forecast_program(&input, &[], ForecastOptions::default(), &|_, _| {}).unwrap();
        assert_eq!(f.activities, 4);
        assert_eq!(f.schedules_used, None);
        // A on Mon-Tue, B on Wed-Fri (periods 2..5): Ledger's last working day is Friday.
        assert_eq!(certain(&f.projects[0].finish), (day(3, 6), 5));
        assert_eq!(f.projects[0].name, "Ledger");
        // Reports starts at period 2 (Wednesday): C on Wed-Thu.
        assert_eq!(certain(&f.projects[1].finish), (day(3, 5), 4));
        // M takes no time at period 5, after the weekend.
        assert_eq!(f.milestones.len(), 1);
        assert_eq!(certain(&f.milestones[0].date), (day(3, 9), 5));
        assert_eq!(f.milestones[0].target_date, day(3, 9));
        assert_eq!(certain(&f.finish), (day(3, 6), 5));
    }

    #[test]
    fn team_capacity_delays_the_resource_aware_forecast() {
        let mut input = sample();
        input.work_items[2] = item(&input.projects[1], "C", (2.0, 2.0, 2.0), Some(&input.teams[0]));
        let options = ForecastOptions::new(Some(200), None, true, Distribution::Pert).unwrap();
        let f = forecast_program(&input, &[], options, &|_, _| {}).unwrap();
        assert_eq!(f.schedules_used.map(|n| n > 0), Some(true));
        // Solo does A on Mon-Tue and C (Reports starts on Wednesday) on Wed-Thu: no conflict.
        assert_eq!(certain(&f.projects[0].finish), (day(3, 6), 5));
        assert_eq!(certain(&f.projects[1].finish), (day(3, 5), 4));
        // A second item of Solo's in Reports has to wait for C (or C for it).
        let extra = item(&input.projects[1], "D", (1.0, 1.0, 1.0), Some(&input.teams[0]));
        input.work_items.push(extra);
        let f = forecast_program(&input, &[], options, &|_, _| {}).unwrap();
        // Solo: A Mon-Tue, then C and D one after the other from Wednesday: Reports ends Friday.
        assert_eq!(certain(&f.projects[1].finish), (day(3, 6), 5));
        let network = forecast_program(&input, &[], ForecastOptions::default(), &|_, _| {}).unwrap();
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
        let f = forecast_program(&input, &[], options, &|_, _| {}).unwrap();
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
    fn a_certain_risk_moves_the_milestone_by_its_impact() {
        let input = sample();
        let planned = build_problem(&input).unwrap();
        let b = planned.entries.iter().position(|e| e.title == "B").unwrap();
        let risk = RiskEvent {
            key: "audit".into(),
            probability: 1.0,
            impact: ThreePoint::fixed(2.0),
            hits: vec![ActivityIdx(b as u32)],
        };
        let f = forecast_program(&input, &[risk], ForecastOptions::default(), &|_, _| {}).unwrap();
        // B takes 5 days instead of 3: M moves from Monday 9th (period 5) to Wednesday 11th.
        assert_eq!(certain(&f.milestones[0].date), (day(3, 11), 7));
    }

    #[test]
    fn options_and_engine_rejections_name_their_field() {
        for iterations in [0, 1_000_001] {
            let errors = ForecastOptions::new(Some(iterations), None, false, Distribution::Pert).unwrap_err();
            assert_eq!(errors.message_for("iterations"), Some("must be between 1 and 1000000"));
        }
        let input = sample();
        let bad = RiskEvent { key: "r".into(), probability: 2.0, impact: ThreePoint::fixed(1.0), hits: vec![] };
        let error = forecast_program(&input, &[bad], ForecastOptions::default(), &|_, _| {}).unwrap_err();
        let DomainError::Validation(errors) = error else { panic!("{error:?}") };
        assert_eq!(errors.message_for("risks"), Some("risk r: probability 2 is outside 0..=1"));
    }
}
