//! Tandem's scheduling engine: pure, synchronous, deterministic. No I/O, no async, no serde.
//!
//! # Tour
//!
//! * [`model`]: callers describe work as a [`ProblemSpec`] (activities with durations,
//!   demands and an external key; FS/SS/FF/SF links with lags; resources with a capacity
//!   profile; projects with release/due dates and weights). [`Problem::new`] validates it once
//!   (cycles reported whole, dangling links, demand above capacity, negative durations, each
//!   naming the offending items) and builds the dense form: `u32` indices, flat arrays, CSR
//!   adjacency, a topological order. A resource's off periods (a team's holidays) give the
//!   activities needing it a calendar (`calendar.rs`): they pause over those periods, so their
//!   duration counts working periods and [`Problem::finish_of`] dates their finish.
//! * [`cpm`]: early/late dates, total and free float, the critical path and the driving path
//!   into any activity ("why is this date this date"), linear in activities + links. Every
//!   link type reduces to a minimum distance between start times ([`LinkKind::delta`]).
//! * [`sgs`]: the serial schedule-generation scheme on a time-indexed capacity profile;
//!   [`decode_serial`] decodes any precedence-feasible activity list with any durations
//!   (what the Monte Carlo forecast re-runs on the best order found).
//! * [`solve`](mod@solve): the resource-constrained scheduler (makespan, total weighted
//!   project delay = MPSPLIB APD, total weighted tardiness): a GA on activity lists with
//!   two-point and peak crossover, every child improved by forward-backward justification,
//!   on islands with per-island ChaCha streams merged in a fixed order, so results depend on
//!   the seed and the schedule budget, never on the thread count. Makespan problems without
//!   release dates or capacity windows (PSPLIB's RCPSP) go to a bi-population GA instead
//!   (`bipop`): left- and right-justified populations, each child bred from the other
//!   population and decoded once, over a flat time-major resource profile.
//! * [`forecast`](mod@forecast): Monte Carlo forecast from three-point estimates and risk
//!   events (PERT-Beta or triangular), network-only or resource-aware; percentiles,
//!   criticality, sensitivity, risk contributions; deterministic per seed.
//! * [`checker`]: an independent feasibility checker (links with lags, release dates,
//!   capacity per period) that shares no code with the scheduler.
//! * [`readers`]: PSPLIB `.sm` and MPSPLIB XML from `&str` (the XML reader asks a closure for
//!   the `.sm` texts, so the engine does no I/O).
//!
//! # Example
//!
//! ```
//! use tandem_engine::*;
//! let mut a = ActivitySpec::new("design", 3);
//! a.demands.push((ResourceIdx(0), 1));
//! let mut b = ActivitySpec::new("build", 2);
//! b.demands.push((ResourceIdx(0), 1));
//! let problem = Problem::new(ProblemSpec {
//!     activities: vec![a, b],
//!     links: vec![Link::fs(ActivityIdx(0), ActivityIdx(1))],
//!     resources: vec![ResourceSpec { key: "dev".into(), capacity: 1, windows: vec![], off_periods: vec![] }],
//!     projects: vec![],
//! })?;
//! assert_eq!(critical_path(&problem).horizon, 5);
//! let solution = solve(&problem, &SolveOptions::default());
//! assert!(check_schedule(&problem, &solution.schedule).is_ok());
//! assert_eq!(solution.objective.makespan, 5);
//! # Ok::<(), EngineError>(())
//! ```

// Flat per-activity arrays are indexed in parallel; an index loop reads clearer than zips.
#![allow(clippy::needless_range_loop)]

mod bipop;
mod calendar;
pub mod checker;
pub mod cpm;
pub mod error;
pub mod forecast;
pub mod model;
pub mod readers;
pub mod sgs;
pub mod solve;

pub use checker::{Violation, check_schedule, check_schedule_with};
pub use cpm::{Cpm, Driver, DrivingLink, DrivingPath, PathOrigin, critical_path, critical_path_with};
pub use error::EngineError;
pub use forecast::{
    Convergence, CurvePoint, Distribution, Forecast, ForecastError, ForecastInput, ForecastMode, Histogram,
    Percentiles, RiskContribution, RiskEvent, Sensitivity, ThreePoint, forecast, forecast_with_progress,
};
pub use model::{
    ActivityIdx, ActivitySpec, CapacityWindow, Link, LinkKind, MAX_CAPACITY, MAX_SPAN, MAX_WEIGHT, OffPeriod, Problem,
    ProblemSpec, ProjectIdx, ProjectSpec, ResourceIdx, ResourceSpec,
};
pub use readers::{MpsplibInstance, PsplibInstance, parse_mpsplib, parse_psplib};
pub use sgs::{Schedule, check_order, decode_serial};
pub use solve::{Objective, ObjectiveValues, Solution, SolveOptions, evaluate, schedule_driving_path, solve};
