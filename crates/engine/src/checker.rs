//! Independent feasibility checker. It shares no code with the schedulers: usage is rebuilt
//! from scratch per resource with a sweep over start/finish events, so a bug in the SGS
//! profile cannot hide itself.

use std::collections::BTreeMap;

use crate::model::{ActivityIdx, Problem, ResourceIdx};
use crate::sgs::Schedule;

/// One broken constraint in a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// Vectors of the wrong length.
    Shape,
    /// finish != start + duration (with the durations checked against).
    Duration(ActivityIdx),
    /// Starts before its project's release date or before 0.
    Release(ActivityIdx),
    /// A link's minimum distance is not met (index into `Problem::links`).
    Link(usize),
    /// Usage of a resource exceeds capacity in a period.
    Capacity {
        /// The resource.
        resource: ResourceIdx,
        /// The first overloaded period found.
        period: i64,
        /// Usage there.
        usage: i64,
        /// Capacity there.
        capacity: i64,
    },
}

/// Checks `schedule` against `problem` with the problem's durations.
pub fn check_schedule(problem: &Problem, schedule: &Schedule) -> Result<(), Vec<Violation>> {
    check_schedule_with(problem, schedule, problem.durations())
}

/// Checks `schedule` against `problem` with given durations (e.g. sampled ones).
pub fn check_schedule_with(problem: &Problem, schedule: &Schedule, durations: &[i64]) -> Result<(), Vec<Violation>> {
    let n = problem.len();
    if schedule.start.len() != n || schedule.finish.len() != n || durations.len() != n {
        return Err(vec![Violation::Shape]);
    }
    let mut v = Vec::new();
    for i in 0..n {
        let a = ActivityIdx(i as u32);
        if schedule.finish[i] - schedule.start[i] != durations[i] {
            v.push(Violation::Duration(a));
        }
        if schedule.start[i] < 0 || schedule.start[i] < problem.release_of(a) {
            v.push(Violation::Release(a));
        }
    }
    for (k, l) in problem.links().iter().enumerate() {
        let (f, t) = (l.from.ix(), l.to.ix());
        // Written per link type on purpose (not via LinkKind::delta) to stay independent.
        use crate::model::LinkKind::*;
        let ok = match l.kind {
            FinishStart => schedule.start[t] >= schedule.finish[f] + l.lag,
            StartStart => schedule.start[t] >= schedule.start[f] + l.lag,
            FinishFinish => schedule.finish[t] >= schedule.finish[f] + l.lag,
            StartFinish => schedule.finish[t] >= schedule.start[f] + l.lag,
        };
        if !ok {
            v.push(Violation::Link(k));
        }
    }
    for r in 0..problem.resource_count() {
        let res = ResourceIdx(r as u32);
        // Usage changes at activity starts/finishes; capacity at window bounds.
        let mut events: BTreeMap<i64, i64> = BTreeMap::new();
        for i in 0..n {
            let a = ActivityIdx(i as u32);
            if schedule.finish[i] <= schedule.start[i] {
                continue;
            }
            for (rr, q) in problem.demands(a) {
                if rr == res {
                    *events.entry(schedule.start[i]).or_default() += q;
                    *events.entry(schedule.finish[i]).or_default() -= q;
                }
            }
        }
        let mut points: Vec<i64> = events.keys().copied().collect();
        for w in &problem.resources()[r].windows {
            points.push(w.start);
            points.push(w.end);
        }
        points.sort_unstable();
        points.dedup();
        let mut usage = 0;
        for &t in &points {
            usage += events.get(&t).copied().unwrap_or(0);
            // Between breakpoints both usage and capacity are constant, so checking each
            // breakpoint's period covers every period.
            let cap = problem.capacity_at(res, t);
            if usage > cap {
                v.push(Violation::Capacity { resource: res, period: t, usage, capacity: cap });
                break;
            }
        }
    }
    if v.is_empty() { Ok(()) } else { Err(v) }
}
