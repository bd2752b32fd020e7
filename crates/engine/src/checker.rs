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
    /// The activity does not work its duration between start and finish (with the durations
    /// checked against): `finish != start + duration`, or, for an activity that pauses over its
    /// resources' off periods, a start or a last period that is off, or a count of working
    /// periods other than the duration.
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
    let off = off_periods_per_activity(problem);
    for i in 0..n {
        let a = ActivityIdx(i as u32);
        let (start, finish) = (schedule.start[i], schedule.finish[i]);
        let off_inside: i64 = off[i].iter().map(|&(s, e)| (e.min(finish) - s.max(start)).max(0)).sum();
        let is_off = |t: i64| off[i].iter().any(|&(s, e)| s <= t && t < e);
        let works = finish - start - off_inside == durations[i]
            && (durations[i] == 0 && off_inside == 0 || !is_off(start) && !is_off(finish - 1));
        if !works {
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
        // Usage changes where activities start, pause, resume and finish; capacity at window
        // bounds.
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
                    for &(s, e) in &off[i] {
                        if s < schedule.finish[i] && e > schedule.start[i] {
                            *events.entry(s.max(schedule.start[i])).or_default() -= q;
                            *events.entry(e.min(schedule.finish[i])).or_default() += q;
                        }
                    }
                }
            }
        }
        let mut points: Vec<i64> = events.keys().copied().collect();
        for w in &problem.resources()[r].windows {
            points.push(w.start);
            points.push(w.end);
        }
        for o in &problem.resources()[r].off_periods {
            points.push(o.start);
            points.push(o.end);
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

/// Per activity, the periods it pauses over: the off periods of every resource it demands,
/// merged into disjoint ranges (so that counting them inside a range counts each period once).
fn off_periods_per_activity(problem: &Problem) -> Vec<Vec<(i64, i64)>> {
    (0..problem.len())
        .map(|i| {
            let mut ranges: Vec<(i64, i64)> = problem
                .demands(ActivityIdx(i as u32))
                .flat_map(|(r, _)| problem.resources()[r.ix()].off_periods.iter())
                .filter(|o| o.end > o.start)
                .map(|o| (o.start, o.end))
                .collect();
            ranges.sort_unstable();
            let mut merged: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
            for (s, e) in ranges {
                match merged.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            merged
        })
        .collect()
}
