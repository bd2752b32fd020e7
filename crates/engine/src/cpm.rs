//! Critical path method over the generalized precedence graph (FS/SS/FF/SF with lags).
//!
//! Every link is turned into a minimum distance between start times (see
//! [`LinkKind::delta`]), so one forward and one backward pass over the topological order
//! give early and late dates in time linear in activities + links.
//!
//! When activities pause over their resources' off periods ([`Problem::has_calendars`]), a
//! duration no longer fixes the distance between start and finish, so the passes bound each
//! activity's start and finish separately and place it on its calendar
//! (`Problem::earliest`, `Problem::latest`): the same dates when no period is off, at a
//! binary search per calendar activity.

use crate::error::EngineError;
use crate::model::{ActivityIdx, LinkKind, NO_LOWER_BOUND, Problem};

/// Early/late dates and floats of every activity, ignoring resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpm {
    /// Durations used.
    pub duration: Vec<i64>,
    /// Early start.
    pub early_start: Vec<i64>,
    /// Early finish.
    pub early_finish: Vec<i64>,
    /// Late start (against `horizon`).
    pub late_start: Vec<i64>,
    /// Late finish.
    pub late_finish: Vec<i64>,
    /// Total float: late start - early start.
    pub total_float: Vec<i64>,
    /// Free float: how far the activity can slip from its early start without moving any
    /// successor's early start or the project end.
    pub free_float: Vec<i64>,
    /// Earliest end of everything (max early finish; 0 when empty).
    pub horizon: i64,
}

/// What fixes the start of the first activity on a driving path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathOrigin {
    /// The release date of the activity's project.
    Release,
    /// Time zero (no predecessor and no release date pushes it).
    TimeZero,
    /// Resource availability (in a resource-constrained schedule, with no activity sharing
    /// the resource finishing exactly then: e.g. a capacity window).
    Resources,
    /// The off periods of the activity's resources: what bounds it (a link, the release date
    /// or time zero) falls on them, so it waits for its next working period.
    OffPeriods,
}

/// Why a step on a driving path binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// A precedence link of this type and lag holds with equality.
    Link(LinkKind, i64),
    /// The predecessor on the path releases capacity of this resource exactly when the
    /// successor starts (resource-constrained schedules only).
    Resource(crate::model::ResourceIdx),
}

/// One link on a driving path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrivingLink {
    /// Predecessor.
    pub from: ActivityIdx,
    /// Successor.
    pub to: ActivityIdx,
    /// Why it binds.
    pub driver: Driver,
}

/// The chain of binding constraints that explains an activity's early start:
/// "why is this date this date".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrivingPath {
    /// Activities from the origin to the chosen one.
    pub activities: Vec<ActivityIdx>,
    /// Binding links, `links[k]` joins `activities[k]` and `activities[k + 1]`.
    pub links: Vec<DrivingLink>,
    /// What fixes the first activity's start.
    pub origin: PathOrigin,
}

/// CPM with the problem's own durations.
pub fn critical_path(problem: &Problem) -> Cpm {
    compute(problem, problem.durations().to_vec())
}

/// CPM with other durations (e.g. sampled ones); errors if the vector does not fit.
pub fn critical_path_with(problem: &Problem, durations: &[i64]) -> Result<Cpm, EngineError> {
    check_durations(problem, durations)?;
    Ok(compute(problem, durations.to_vec()))
}

pub(crate) fn check_durations(problem: &Problem, durations: &[i64]) -> Result<(), EngineError> {
    if durations.len() != problem.len() {
        return Err(EngineError::InvalidDurations {
            reason: format!("{} durations for {} activities", durations.len(), problem.len()),
        });
    }
    if let Some(i) = durations.iter().position(|&d| d < 0) {
        return Err(EngineError::InvalidDurations {
            reason: format!("activity {} has negative duration", problem.key(ActivityIdx(i as u32))),
        });
    }
    problem.check_span_with(durations)?;
    Ok(())
}

/// The earliest start and finish link `kind`/`lag` allows successor `j` (duration `d`) after a
/// predecessor dated `from_start..from_finish`, that link alone.
#[inline]
pub(crate) fn link_earliest(p: &Problem, j: usize, d: i64, kind: LinkKind, lag: i64, from: (i64, i64)) -> (i64, i64) {
    let v = if kind.reads_finish() { from.1 } else { from.0 } + lag;
    if kind.bounds_finish() { p.earliest(j, d, NO_LOWER_BOUND, v) } else { p.earliest(j, d, v, NO_LOWER_BOUND) }
}

/// Forward and backward passes under calendars into `es`, `ef`, `ls`, `lf` (by activity, late
/// dates against the latest early finish, which is returned).
pub(crate) fn calendar_passes(
    p: &Problem,
    dur: &[i64],
    es: &mut [i64],
    ef: &mut [i64],
    ls: &mut [i64],
    lf: &mut [i64],
) -> i64 {
    let mut horizon = 0;
    for &j in &p.topo {
        let j = j as usize;
        let (start_from, finish_from) = p.bounds_after_predecessors(j, es, ef);
        (es[j], ef[j]) = p.earliest(j, dur[j], start_from, finish_from);
        horizon = horizon.max(ef[j]);
    }
    for &i in p.topo.iter().rev() {
        let i = i as usize;
        let (start_by, finish_by) = p.bounds_before_successors(i, ls, lf, horizon);
        (ls[i], lf[i]) = p.latest(i, dur[i], start_by, finish_by);
    }
    horizon
}

/// Early starts only (the forward pass); used by the schedulers for bounds.
pub(crate) fn early_starts(problem: &Problem, dur: &[i64]) -> Vec<i64> {
    if problem.has_calendars() {
        let n = problem.len();
        let (mut es, mut ef, mut ls, mut lf) = (vec![0; n], vec![0; n], vec![0; n], vec![0; n]);
        calendar_passes(problem, dur, &mut es, &mut ef, &mut ls, &mut lf);
        return es;
    }
    let mut es = problem.release.clone();
    for &i in &problem.topo {
        let i = i as usize;
        let s = es[i];
        for k in problem.succ_start[i] as usize..problem.succ_start[i + 1] as usize {
            let j = problem.succ_to[k] as usize;
            let v = s + problem.succ_kind[k].delta(problem.succ_lag[k], dur[i], dur[j]);
            if v > es[j] {
                es[j] = v;
            }
        }
    }
    es
}

fn compute(problem: &Problem, dur: Vec<i64>) -> Cpm {
    if problem.has_calendars() {
        return compute_with_calendars(problem, dur);
    }
    let n = problem.len();
    let es = early_starts(problem, &dur);
    let ef: Vec<i64> = es.iter().zip(&dur).map(|(s, d)| s + d).collect();
    let horizon = ef.iter().copied().max().unwrap_or(0).max(0);
    let mut ls: Vec<i64> = dur.iter().map(|d| horizon - d).collect();
    let mut ff: Vec<i64> = ef.iter().map(|f| horizon - f).collect();
    for &i in problem.topo.iter().rev() {
        let i = i as usize;
        let mut l = ls[i];
        let mut f = ff[i];
        for k in problem.succ_start[i] as usize..problem.succ_start[i + 1] as usize {
            let j = problem.succ_to[k] as usize;
            let d = problem.succ_kind[k].delta(problem.succ_lag[k], dur[i], dur[j]);
            l = l.min(ls[j] - d);
            f = f.min(es[j] - d - es[i]);
        }
        ls[i] = l;
        ff[i] = f;
    }
    let lf: Vec<i64> = ls.iter().zip(&dur).map(|(s, d)| s + d).collect();
    let tf: Vec<i64> = (0..n).map(|i| ls[i] - es[i]).collect();
    Cpm {
        duration: dur,
        early_start: es,
        early_finish: ef,
        late_start: ls,
        late_finish: lf,
        total_float: tf,
        free_float: ff,
        horizon,
    }
}

fn compute_with_calendars(p: &Problem, dur: Vec<i64>) -> Cpm {
    let n = p.len();
    let (mut es, mut ef, mut ls, mut lf) = (vec![0; n], vec![0; n], vec![0; n], vec![0; n]);
    let horizon = calendar_passes(p, &dur, &mut es, &mut ef, &mut ls, &mut lf);
    // Free float: the latest start that moves no successor's early dates and keeps within the
    // horizon, less the early start.
    let free_float = (0..n)
        .map(|i| {
            let (start_by, finish_by) = p.bounds_before_successors(i, &es, &ef, horizon);
            p.latest(i, dur[i], start_by, finish_by).0 - es[i]
        })
        .collect();
    let total_float = (0..n).map(|i| ls[i] - es[i]).collect();
    Cpm {
        duration: dur,
        early_start: es,
        early_finish: ef,
        late_start: ls,
        late_finish: lf,
        total_float,
        free_float,
        horizon,
    }
}

impl Cpm {
    /// Activities with zero total float, in topological order.
    pub fn critical_activities(&self, problem: &Problem) -> Vec<ActivityIdx> {
        problem.topological().filter(|a| self.total_float[a.ix()] <= 0).collect()
    }

    /// The critical path: the driving path into the activity that finishes last (the
    /// lowest index among ties). Empty for an empty problem.
    pub fn critical_path(&self, problem: &Problem) -> DrivingPath {
        let last = (0..problem.len())
            .filter(|&i| self.early_finish[i] == self.horizon)
            .max_by_key(|&i| (self.early_start[i], std::cmp::Reverse(i)));
        match last {
            Some(i) => self.driving_path(problem, ActivityIdx(i as u32)),
            None => DrivingPath { activities: Vec::new(), links: Vec::new(), origin: PathOrigin::TimeZero },
        }
    }

    /// The chain of binding links that fixes `target`'s early start. At each step the first
    /// binding predecessor (in link order) is taken; a release date binds only when no link does.
    pub fn driving_path(&self, problem: &Problem, target: ActivityIdx) -> DrivingPath {
        driving_path_for(problem, &self.duration, &self.early_start, &self.early_finish, target, false)
    }
}

/// Driving path into `target` for any start-time vector (CPM early starts or a resource
/// schedule); follows links whose constraint holds with equality.
pub(crate) fn driving_path_for(
    problem: &Problem,
    dur: &[i64],
    start: &[i64],
    finish: &[i64],
    target: ActivityIdx,
    resource_aware: bool,
) -> DrivingPath {
    let mut acts = vec![target];
    let mut links = Vec::new();
    let mut cur = target;
    // Whether starting no earlier than `t` puts `j` at its start (on its calendar).
    let starts_at = |j: usize, t: i64| problem.earliest(j, dur[j], t, NO_LOWER_BOUND).0 == start[j];
    // A bound binds when it puts `j` at its start and one period more would move it: on a
    // calendar, a bound falling on `j`'s day off leaves slack (`j` waits for its next working
    // period anyway).
    let drives = |j: usize, t: i64| starts_at(j, t) && !starts_at(j, t + 1);
    let origin = loop {
        let j = cur.ix();
        let binding = problem
            .predecessors(cur)
            .find(|&(p, kind, lag)| {
                let from = (start[p.ix()], finish[p.ix()]);
                link_earliest(problem, j, dur[j], kind, lag, from).0 == start[j]
                    && link_earliest(problem, j, dur[j], kind, lag + 1, from).0 > start[j]
            })
            .map(|(p, kind, lag)| (p, Driver::Link(kind, lag)));
        let binding = binding.or_else(|| {
            if drives(j, 0) || drives(j, problem.release[j]) || !resource_aware {
                return None;
            }
            // Resource-driven: an activity sharing a resource that finishes when this starts.
            (0..problem.len()).find_map(|k| {
                if k == j || finish[k] > start[j] || !drives(j, finish[k]) || dur[k] == 0 {
                    return None;
                }
                let ka = ActivityIdx(k as u32);
                problem
                    .demands(cur)
                    .find(|&(r, _)| problem.demands(ka).any(|(r2, _)| r2 == r))
                    .map(|(r, _)| (ka, Driver::Resource(r)))
            })
        });
        match binding {
            // The length guard only matters for resource steps mixed with negative-lag links.
            Some((p, driver)) if acts.len() <= problem.len() => {
                links.push(DrivingLink { from: p, to: cur, driver });
                acts.push(p);
                cur = p;
            }
            _ => {
                // Without off periods `starts_at` a bound is `drives` it.
                let waits = starts_at(j, 0)
                    || starts_at(j, problem.release[j])
                    || problem.predecessors(cur).any(|(p, kind, lag)| {
                        link_earliest(problem, j, dur[j], kind, lag, (start[p.ix()], finish[p.ix()])).0 == start[j]
                    });
                break if drives(j, 0) {
                    PathOrigin::TimeZero
                } else if drives(j, problem.release[j]) {
                    PathOrigin::Release
                } else if waits {
                    PathOrigin::OffPeriods
                } else {
                    PathOrigin::Resources
                };
            }
        }
    };
    acts.reverse();
    links.reverse();
    DrivingPath { activities: acts, links, origin }
}
