//! Serial schedule-generation scheme (SGS) over a resource profile (time-indexed, or
//! breakpoint lists for long horizons), forward (left-justified) and backward
//! (right-justified), plus the public `decode_serial`.
//!
//! One `Decoder` owns all work buffers, so a decode allocates nothing: the metaheuristic
//! calls it thousands of times per instance.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::calendar::working_segments;
use crate::cpm::check_durations;
use crate::error::EngineError;
use crate::model::{ActivityIdx, Problem};

/// Start and finish time of every activity (indexed by [`ActivityIdx`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Schedule {
    /// Start period per activity.
    pub start: Vec<i64>,
    /// Finish period per activity (start + duration; the activity occupies `start..finish`).
    pub finish: Vec<i64>,
}

impl Schedule {
    /// Latest finish (0 when empty).
    pub fn makespan(&self) -> i64 {
        self.finish.iter().copied().max().unwrap_or(0)
    }
}

/// Decodes an activity list with the serial SGS: activities are taken in `order` and each
/// starts at the earliest period that respects its links, its release date and every
/// resource's capacity profile. `order` must be a permutation in which every link's
/// predecessor comes before its successor; `durations` one non-negative entry per activity.
///
/// This is the decoder the Monte Carlo forecast re-runs with sampled durations on the
/// best order found by [`crate::solve()`].
pub fn decode_serial(problem: &Problem, order: &[ActivityIdx], durations: &[i64]) -> Result<Schedule, EngineError> {
    check_durations(problem, durations)?;
    check_order(problem, order)?;
    let mut dec = Decoder::new(problem, durations);
    let ord: Vec<u32> = order.iter().map(|a| a.0).collect();
    dec.forward(&ord);
    Ok(dec.schedule())
}

/// Checks that `order` is a permutation of the activities that respects every link.
pub fn check_order(problem: &Problem, order: &[ActivityIdx]) -> Result<(), EngineError> {
    let n = problem.len();
    if order.len() != n {
        return Err(EngineError::InvalidOrder { reason: format!("{} entries for {} activities", order.len(), n) });
    }
    let mut pos = vec![u32::MAX; n];
    for (k, a) in order.iter().enumerate() {
        if a.ix() >= n || pos[a.ix()] != u32::MAX {
            return Err(EngineError::InvalidOrder {
                reason: format!("entry {k} ({}) is out of range or repeated", a.0),
            });
        }
        pos[a.ix()] = k as u32;
    }
    for l in problem.links() {
        if pos[l.from.ix()] > pos[l.to.ix()] {
            return Err(EngineError::InvalidOrder {
                reason: format!("{} comes before its predecessor {}", problem.key(l.to), problem.key(l.from)),
            });
        }
    }
    Ok(())
}

/// Most periods per activity (plus [`GRID_BASE_PERIODS`]) for which the decoders keep a
/// time-indexed grid; longer horizons use breakpoint lists ([`Steps`]).
///
/// A grid costs a pass time proportional to the periods every activity occupies: for the
/// few-period activities of PSPLIB or a program of working days it is the fastest profile,
/// but an activity of 60 million periods made each pass book 60 million entries (a two-activity
/// file ran for hours). Breakpoint lists cost in the number of activities only.
pub(crate) const GRID_PERIODS_PER_ACTIVITY: i64 = 64;
/// Periods a grid may hold whatever the activity count.
pub(crate) const GRID_BASE_PERIODS: i64 = 4096;

/// Most entries (resources x periods) of a time-indexed grid: 512 MiB of 32-bit counts.
const MAX_PROFILE_ENTRIES: i64 = 1 << 27;

/// Whether a time-indexed grid of `periods` x `resources` suits `activities` activities: short
/// enough per activity ([`GRID_PERIODS_PER_ACTIVITY`]) and within [`MAX_PROFILE_ENTRIES`].
pub(crate) fn grid_suits(periods: i64, resources: usize, activities: usize) -> bool {
    let per_activity = GRID_PERIODS_PER_ACTIVITY.saturating_mul(activities as i64).saturating_add(GRID_BASE_PERIODS);
    periods <= per_activity && periods.saturating_mul(resources.max(1) as i64) <= MAX_PROFILE_ENTRIES
}

/// Reusable SGS workspace for one problem and one duration vector.
#[derive(Debug, Clone)]
pub(crate) struct Decoder<'a> {
    pub(crate) p: &'a Problem,
    pub(crate) dur: Vec<i64>,
    profile: Profile,
    pub(crate) start: Vec<i64>,
    /// Finishes written by the passes of a problem with calendars (which read them back for
    /// links); otherwise `start + dur`, computed on demand.
    finish: Vec<i64>,
    // Scratch for building orders.
    indeg: Vec<u32>,
    /// The list with started work moved to its front ([`Problem::has_started_work`]).
    resumed: Vec<u32>,
    sortbuf: Vec<u64>,
    heap: BinaryHeap<(Reverse<i64>, Reverse<u32>, u32)>,
}

/// The capacity left per resource and period during a pass.
#[derive(Debug, Clone)]
enum Profile {
    Grid(Grid),
    Steps(Steps),
}

/// Time-indexed profile: one entry per resource and period up to a horizon no serial-SGS
/// schedule passes.
#[derive(Debug, Clone)]
struct Grid {
    /// Number of time slots per resource row.
    h: usize,
    /// Capacity per (resource, period), row-major; copied into `avail` before each pass.
    // i32 halves the memory traffic of the hot scan; capacities beyond i32 are clamped (a
    // demand never exceeds its capacity, so clamping both keeps every comparison's outcome).
    cap: Vec<i32>,
    avail: Vec<i32>,
    dem: Vec<i32>,
    /// Periods `0..dirty` of every row of `avail` may differ from `cap`: resetting only those
    /// keeps a pass proportional to the schedule's length, not to the (loose) horizon.
    dirty: usize,
}

/// Breakpoint profile: per resource, `(from, available)` pairs sorted by `from`, each holding
/// until the next one's `from` (the first from `i64::MIN`, the last forever). Placing an
/// activity reads and splits only the steps its window covers.
#[derive(Debug, Clone)]
struct Steps {
    /// The capacity profile (base capacity and windows) every pass starts from.
    initial: Vec<Vec<(i64, i64)>>,
    now: Vec<Vec<(i64, i64)>>,
}

impl Steps {
    fn new(p: &Problem) -> Steps {
        let initial = p
            .resources
            .iter()
            .enumerate()
            .map(|(r, res)| {
                let mut points: Vec<i64> = res.windows.iter().flat_map(|w| [w.start, w.end]).collect();
                points.sort_unstable();
                points.dedup();
                let r = crate::model::ResourceIdx(r as u32);
                let mut steps = vec![(i64::MIN, res.capacity)];
                for t in points {
                    let c = p.capacity_at(r, t);
                    if steps.last().is_some_and(|&(_, last)| last != c) {
                        steps.push((t, c));
                    }
                }
                steps
            })
            .collect::<Vec<_>>();
        Steps { now: initial.clone(), initial }
    }

    fn reset(&mut self) {
        for (now, initial) in self.now.iter_mut().zip(&self.initial) {
            now.clear();
            now.extend_from_slice(initial);
        }
    }

    /// Index of the step that holds period `t`.
    fn at(steps: &[(i64, i64)], t: i64) -> usize {
        steps.partition_point(|&(from, _)| from <= t).saturating_sub(1)
    }

    /// The steps overlapping `t..t + d` on `resource` where less than `q` is available: the
    /// start of the first and the end of the last, if any.
    fn short(&self, resource: usize, q: i64, t: i64, d: i64) -> Option<(i64, i64)> {
        let steps = &self.now[resource];
        let mut out: Option<(i64, i64)> = None;
        for k in Self::at(steps, t)..steps.len() {
            let (from, available) = steps[k];
            if from >= t + d {
                break;
            }
            if available < q {
                // Never the last step: bookings end where a step begins, and beyond every
                // booking and window the base capacity covers every demand.
                let until = steps.get(k + 1).map_or(i64::MAX, |s| s.0);
                out = Some((out.map_or(from, |o| o.0), until));
            }
        }
        out
    }

    /// Takes `q` from `resource` over `t..t + d`, splitting steps at both ends.
    fn book(&mut self, resource: usize, q: i64, t: i64, d: i64) {
        let steps = &mut self.now[resource];
        let a = Self::split(steps, t);
        let b = Self::split(steps, t + d);
        for step in &mut steps[a..b] {
            step.1 -= q;
        }
    }

    /// Index of the step starting at `t`, inserted if `t` falls inside one.
    fn split(steps: &mut Vec<(i64, i64)>, t: i64) -> usize {
        let k = Self::at(steps, t);
        if steps[k].0 == t {
            k
        } else {
            steps.insert(k + 1, (t, steps[k].1));
            k + 1
        }
    }
}

/// What the calendar passes ask of a profile, for demand entry `k` (of the problem's demand
/// CSR) over a working segment `a..b`: where it is short, and booking it.
trait SegmentProfile {
    /// A period after the last short period of `a..b`, from which the next start may be
    /// tried (no start before it can avoid the short ones), if any period is short.
    fn short_until(&self, p: &Problem, k: usize, a: i64, b: i64) -> Option<i64>;
    /// A period at or before the first short period of `a..b`, by which an activity must finish
    /// to avoid the short ones, if any period is short.
    fn short_from(&self, p: &Problem, k: usize, a: i64, b: i64) -> Option<i64>;
    /// Takes the demand over `a..b`.
    fn take(&mut self, p: &Problem, k: usize, a: i64, b: i64);
}

impl SegmentProfile for Grid {
    fn short_until(&self, p: &Problem, k: usize, a: i64, b: i64) -> Option<i64> {
        let row = &self.avail[p.dem_res[k] as usize * self.h..];
        let q = self.dem[k];
        row[a as usize..b as usize].iter().rposition(|&x| x < q).map(|off| a + off as i64 + 1)
    }

    fn short_from(&self, p: &Problem, k: usize, a: i64, b: i64) -> Option<i64> {
        let row = &self.avail[p.dem_res[k] as usize * self.h..];
        let q = self.dem[k];
        row[a as usize..b as usize].iter().position(|&x| x < q).map(|off| a + off as i64)
    }

    fn take(&mut self, p: &Problem, k: usize, a: i64, b: i64) {
        let base = p.dem_res[k] as usize * self.h;
        let q = self.dem[k];
        for x in &mut self.avail[base + a as usize..base + b as usize] {
            *x -= q;
        }
    }
}

impl SegmentProfile for Steps {
    fn short_until(&self, p: &Problem, k: usize, a: i64, b: i64) -> Option<i64> {
        self.short(p.dem_res[k] as usize, p.dem_amt[k], a, b - a).map(|(_, until)| until)
    }

    fn short_from(&self, p: &Problem, k: usize, a: i64, b: i64) -> Option<i64> {
        self.short(p.dem_res[k] as usize, p.dem_amt[k], a, b - a).map(|(from, _)| from)
    }

    fn take(&mut self, p: &Problem, k: usize, a: i64, b: i64) {
        self.book(p.dem_res[k] as usize, p.dem_amt[k], a, b - a);
    }
}

impl Grid {
    fn new(p: &Problem, h: usize) -> Grid {
        let rc = p.resources.len();
        let mut cap = vec![0i32; rc * h];
        for (r, res) in p.resources.iter().enumerate() {
            let row = &mut cap[r * h..(r + 1) * h];
            row.fill(clamp32(res.capacity));
            for w in &res.windows {
                let a = (w.start.max(0) as usize).min(h);
                let b = (w.end.max(0) as usize).min(h);
                row[a..b].fill(clamp32(w.capacity));
            }
        }
        Grid { h, avail: cap.clone(), dem: p.dem_amt.iter().map(|&q| clamp32(q)).collect(), cap, dirty: 0 }
    }

    fn reset(&mut self, resources: usize) {
        let (h, d) = (self.h, self.dirty.min(self.h));
        for r in 0..resources {
            self.avail[r * h..r * h + d].copy_from_slice(&self.cap[r * h..r * h + d]);
        }
        self.dirty = 0;
    }
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(p: &'a Problem, dur: &[i64]) -> Decoder<'a> {
        // No serial-SGS schedule can end later than this: each activity starts at most at the
        // latest finish so far plus a positive lag, or after the release dates and windows.
        // `check_span` bounds every term, so the sum cannot overflow.
        let mut h: i64 = p.release.iter().copied().max().unwrap_or(0);
        for r in &p.resources {
            for w in &r.windows {
                h = h.max(w.end);
            }
        }
        h += dur.iter().sum::<i64>() + p.links.iter().map(|l| l.lag.max(0)).sum::<i64>() + 1;
        let profile = if grid_suits(h, p.resources.len(), p.len()) {
            Profile::Grid(Grid::new(p, h as usize))
        } else {
            Profile::Steps(Steps::new(p))
        };
        Decoder {
            p,
            dur: dur.to_vec(),
            profile,
            start: vec![0; p.len()],
            finish: vec![0; p.len()],
            indeg: vec![0; p.len()],
            resumed: Vec::new(),
            sortbuf: Vec::with_capacity(p.len()),
            heap: BinaryHeap::with_capacity(p.len()),
        }
    }

    pub(crate) fn schedule(&self) -> Schedule {
        let finish = (0..self.p.len()).map(|j| self.finish_at(j)).collect();
        Schedule { start: self.start.clone(), finish }
    }

    /// Finish of activity `j` as `self.start` places it.
    #[inline]
    pub(crate) fn finish_at(&self, j: usize) -> i64 {
        self.p.finish_of(ActivityIdx(j as u32), self.start[j], self.dur[j])
    }

    /// Forward serial SGS on a precedence-feasible list; fills `self.start`.
    pub(crate) fn forward(&mut self, order: &[u32]) {
        let p = self.p;
        if p.has_started_work() {
            // Started work first, each part in the list's order: the started activities then
            // take their resources before anything new (their set is closed under predecessors,
            // so the list stays precedence-feasible).
            let mut resumed = std::mem::take(&mut self.resumed);
            resumed.clear();
            resumed.extend(order.iter().copied().filter(|&j| p.resumes_first[j as usize]));
            resumed.extend(order.iter().copied().filter(|&j| !p.resumes_first[j as usize]));
            self.forward_list(&resumed);
            self.resumed = resumed;
        } else {
            self.forward_list(order);
        }
    }

    fn forward_list(&mut self, order: &[u32]) {
        let p = self.p;
        match &mut self.profile {
            Profile::Grid(g) if p.has_calendars() => {
                g.reset(p.resources.len());
                g.dirty = Self::forward_calendar(p, &self.dur, g, &mut self.start, &mut self.finish, order) as usize;
            }
            Profile::Grid(g) => {
                g.reset(p.resources.len());
                Self::forward_grid(p, &self.dur, g, &mut self.start, order);
            }
            Profile::Steps(s) if p.has_calendars() => {
                s.reset();
                Self::forward_calendar(p, &self.dur, s, &mut self.start, &mut self.finish, order);
            }
            Profile::Steps(s) => {
                s.reset();
                Self::forward_steps(p, &self.dur, s, &mut self.start, order);
            }
        }
    }

    /// Earliest start of `j` after its release date and its placed predecessors.
    #[inline(always)]
    fn ready(p: &Problem, dur: &[i64], start: &[i64], j: usize) -> i64 {
        let d = dur[j];
        let mut t = p.release[j];
        for k in p.pred_start[j] as usize..p.pred_start[j + 1] as usize {
            let i = p.pred_from[k] as usize;
            let v = start[i] + p.pred_kind[k].delta(p.pred_lag[k], dur[i], d);
            if v > t {
                t = v;
            }
        }
        t
    }

    fn forward_grid(p: &Problem, dur: &[i64], g: &mut Grid, start: &mut [i64], order: &[u32]) {
        let h = g.h;
        let mut dirty = 0;
        for &j in order {
            let j = j as usize;
            let d = dur[j];
            let mut t = Self::ready(p, dur, start, j);
            let dem = p.dem_start[j] as usize..p.dem_start[j + 1] as usize;
            if d > 0 && !dem.is_empty() {
                let du = d as usize;
                let mut tu = t as usize;
                'search: loop {
                    // Scan each window from its end: the latest conflict gives the longest jump.
                    for k in dem.clone() {
                        let q = g.dem[k];
                        let row = &g.avail[p.dem_res[k] as usize * h..];
                        if let Some(off) = row[tu..tu + du].iter().rposition(|&a| a < q) {
                            tu += off + 1;
                            continue 'search;
                        }
                    }
                    break;
                }
                for k in dem {
                    let q = g.dem[k];
                    let base = p.dem_res[k] as usize * h;
                    for a in &mut g.avail[base + tu..base + tu + du] {
                        *a -= q;
                    }
                }
                t = tu as i64;
                dirty = dirty.max(tu + du);
            }
            start[j] = t;
        }
        g.dirty = dirty;
    }

    fn forward_steps(p: &Problem, dur: &[i64], s: &mut Steps, start: &mut [i64], order: &[u32]) {
        for &j in order {
            let j = j as usize;
            let d = dur[j];
            let mut t = Self::ready(p, dur, start, j);
            let dem = p.dem_start[j] as usize..p.dem_start[j + 1] as usize;
            if d > 0 && !dem.is_empty() {
                'search: loop {
                    for k in dem.clone() {
                        if let Some((_, until)) = s.short(p.dem_res[k] as usize, p.dem_amt[k], t, d) {
                            // Past the last short step of the window.
                            t = until;
                            continue 'search;
                        }
                    }
                    break;
                }
                for k in dem {
                    s.book(p.dem_res[k] as usize, p.dem_amt[k], t, d);
                }
            }
            start[j] = t;
        }
    }

    /// Forward pass with calendars: links bound starts and finishes apart, and an activity
    /// checks and books only its working periods (over its off periods its resources have no
    /// capacity, and it uses none).
    /// Returns the latest finish.
    fn forward_calendar(
        p: &Problem,
        dur: &[i64],
        s: &mut impl SegmentProfile,
        start: &mut [i64],
        finish: &mut [i64],
        order: &[u32],
    ) -> i64 {
        let mut latest = 0;
        for &j in order {
            let j = j as usize;
            let d = dur[j];
            let (start_from, finish_from) = p.bounds_after_predecessors(j, start, finish);
            let (mut t, mut f) = p.earliest(j, d, start_from, finish_from);
            let dem = p.dem_start[j] as usize..p.dem_start[j + 1] as usize;
            let calendar = p.calendar(j);
            if d > 0 && !dem.is_empty() {
                'search: loop {
                    for k in dem.clone() {
                        for (a, b) in working_segments(calendar, t, f) {
                            if let Some(until) = s.short_until(p, k, a, b) {
                                (t, f) = p.earliest(j, d, until, finish_from);
                                continue 'search;
                            }
                        }
                    }
                    break;
                }
                for k in dem {
                    for (a, b) in working_segments(calendar, t, f) {
                        s.take(p, k, a, b);
                    }
                }
            }
            start[j] = t;
            finish[j] = f;
            latest = latest.max(f);
        }
        latest
    }

    /// Backward pass with calendars (see [`Decoder::forward_calendar`]).
    fn backward_calendar(
        p: &Problem,
        dur: &[i64],
        s: &mut impl SegmentProfile,
        start: &mut [i64],
        finish: &mut [i64],
        order: &[u32],
        deadline: &[i64],
    ) -> bool {
        for &j in order {
            let j = j as usize;
            let d = dur[j];
            let (start_by, finish_by) = p.bounds_before_successors(j, start, finish, deadline[j]);
            let (mut t, mut f) = p.latest(j, d, start_by, finish_by);
            let dem = p.dem_start[j] as usize..p.dem_start[j + 1] as usize;
            let calendar = p.calendar(j);
            if d > 0 && !dem.is_empty() {
                'search: loop {
                    if t < p.release[j] || t < 0 {
                        return false;
                    }
                    for k in dem.clone() {
                        for (a, b) in working_segments(calendar, t, f) {
                            if let Some(from) = s.short_from(p, k, a, b) {
                                // Finish by the first short period of the window.
                                (t, f) = p.latest(j, d, start_by, from.max(0));
                                continue 'search;
                            }
                        }
                    }
                    break;
                }
                for k in dem {
                    for (a, b) in working_segments(calendar, t, f) {
                        s.take(p, k, a, b);
                    }
                }
            }
            if t < p.release[j] || t < 0 {
                return false;
            }
            start[j] = t;
            finish[j] = f;
        }
        true
    }

    /// Backward serial SGS: each activity finishes as late as possible, by `deadline[j]` and
    /// before its already placed successors. `order` must list successors before
    /// predecessors. Returns false (schedule unusable) if an activity would have to start
    /// before its release date.
    pub(crate) fn backward(&mut self, order: &[u32], deadline: &[i64]) -> bool {
        let p = self.p;
        match &mut self.profile {
            Profile::Grid(g) if p.has_calendars() => {
                g.reset(p.resources.len());
                // Deadlines bound every period this pass can touch.
                g.dirty = deadline.iter().copied().max().unwrap_or(0).max(0) as usize;
                Self::backward_calendar(p, &self.dur, g, &mut self.start, &mut self.finish, order, deadline)
            }
            Profile::Grid(g) => {
                g.reset(p.resources.len());
                Self::backward_grid(p, &self.dur, g, &mut self.start, order, deadline)
            }
            Profile::Steps(s) if p.has_calendars() => {
                s.reset();
                Self::backward_calendar(p, &self.dur, s, &mut self.start, &mut self.finish, order, deadline)
            }
            Profile::Steps(s) => {
                s.reset();
                Self::backward_steps(p, &self.dur, s, &mut self.start, order, deadline)
            }
        }
    }

    /// Latest finish of `j` by its deadline and before its placed successors.
    #[inline(always)]
    fn latest_finish(p: &Problem, dur: &[i64], start: &[i64], deadline: &[i64], j: usize) -> i64 {
        let d = dur[j];
        let mut lf = deadline[j];
        for k in p.succ_start[j] as usize..p.succ_start[j + 1] as usize {
            let s = p.succ_to[k] as usize;
            let v = start[s] - p.succ_kind[k].delta(p.succ_lag[k], d, dur[s]) + d;
            if v < lf {
                lf = v;
            }
        }
        lf
    }

    fn backward_grid(
        p: &Problem,
        dur: &[i64],
        g: &mut Grid,
        start: &mut [i64],
        order: &[u32],
        deadline: &[i64],
    ) -> bool {
        let h = g.h;
        // Deadlines bound every period this pass can touch.
        g.dirty = deadline.iter().copied().max().unwrap_or(0).max(0) as usize;
        for &j in order {
            let j = j as usize;
            let d = dur[j];
            let mut t = Self::latest_finish(p, dur, start, deadline, j) - d;
            let dem = p.dem_start[j] as usize..p.dem_start[j + 1] as usize;
            if d > 0 && !dem.is_empty() {
                let du = d as usize;
                'search: loop {
                    if t < p.release[j] {
                        return false;
                    }
                    let tu = t as usize;
                    for k in dem.clone() {
                        let q = g.dem[k];
                        let row = &g.avail[p.dem_res[k] as usize * h..];
                        // Earliest conflict gives the longest jump backwards.
                        if let Some(off) = row[tu..tu + du].iter().position(|&a| a < q) {
                            t = (tu + off) as i64 - d;
                            continue 'search;
                        }
                    }
                    break;
                }
                let tu = t as usize;
                for k in dem {
                    let q = g.dem[k];
                    let base = p.dem_res[k] as usize * h;
                    for a in &mut g.avail[base + tu..base + tu + du] {
                        *a -= q;
                    }
                }
            }
            if t < p.release[j] || t < 0 {
                return false;
            }
            start[j] = t;
        }
        true
    }

    fn backward_steps(
        p: &Problem,
        dur: &[i64],
        s: &mut Steps,
        start: &mut [i64],
        order: &[u32],
        deadline: &[i64],
    ) -> bool {
        for &j in order {
            let j = j as usize;
            let d = dur[j];
            let mut t = Self::latest_finish(p, dur, start, deadline, j) - d;
            let dem = p.dem_start[j] as usize..p.dem_start[j + 1] as usize;
            if d > 0 && !dem.is_empty() {
                'search: loop {
                    if t < p.release[j] || t < 0 {
                        return false;
                    }
                    for k in dem.clone() {
                        if let Some((from, _)) = s.short(p.dem_res[k] as usize, p.dem_amt[k], t, d) {
                            // Finish by the first short step of the window.
                            t = from.max(0) - d;
                            continue 'search;
                        }
                    }
                    break;
                }
                for k in dem {
                    s.book(p.dem_res[k] as usize, p.dem_amt[k], t, d);
                }
            }
            if t < p.release[j] || t < 0 {
                return false;
            }
            start[j] = t;
        }
        true
    }

    /// A precedence-feasible order of all activities, smallest `key` first among those whose
    /// predecessors are placed (ties by topological rank). With `reverse`, largest key first
    /// and successors before predecessors (for the backward pass).
    pub(crate) fn order_by_key(&mut self, key: &[i64], reverse: bool, out: &mut Vec<u32>) {
        // Fast path: a plain sort. With start/finish times as keys and non-negative
        // finish-start links it is already precedence-feasible; verify, else use the heap.
        let p = self.p;
        let n = p.len();
        let lo = key.iter().copied().min().unwrap_or(0);
        let hi = key.iter().copied().max().unwrap_or(0);
        if hi - lo < i64::from(u32::MAX) {
            self.sortbuf.clear();
            for i in 0..n {
                let (k, r) = if reverse {
                    ((hi - key[i]) as u64, u32::MAX - p.topo_rank[i])
                } else {
                    ((key[i] - lo) as u64, p.topo_rank[i])
                };
                self.sortbuf.push((k << 32) | u64::from(r));
            }
            self.sortbuf.sort_unstable();
            out.clear();
            for (k, &v) in self.sortbuf.iter().enumerate() {
                let r = if reverse { u32::MAX - v as u32 } else { v as u32 };
                let a = p.topo[r as usize];
                out.push(a);
                self.indeg[a as usize] = k as u32;
            }
            // `indeg` now holds positions.
            let pos = &self.indeg;
            let ok = if reverse {
                p.links.iter().all(|l| pos[l.to.ix()] < pos[l.from.ix()])
            } else {
                p.links.iter().all(|l| pos[l.from.ix()] < pos[l.to.ix()])
            };
            if ok {
                return;
            }
        }
        self.order_by_key_heap(key, reverse, out);
    }

    fn order_by_key_heap(&mut self, key: &[i64], reverse: bool, out: &mut Vec<u32>) {
        let p = self.p;
        out.clear();
        let n = p.len();
        let rs = if reverse { &p.succ_start } else { &p.pred_start };
        self.heap.clear();
        for i in 0..n {
            self.indeg[i] = rs[i + 1] - rs[i];
            if self.indeg[i] == 0 {
                self.heap.push(Self::heap_key(key, &p.topo_rank, i, reverse));
            }
        }
        while let Some((_, _, i)) = self.heap.pop() {
            out.push(i);
            let i = i as usize;
            let nexts = if reverse {
                &p.pred_from[p.pred_start[i] as usize..p.pred_start[i + 1] as usize]
            } else {
                &p.succ_to[p.succ_start[i] as usize..p.succ_start[i + 1] as usize]
            };
            for &j in nexts {
                let j = j as usize;
                self.indeg[j] -= 1;
                if self.indeg[j] == 0 {
                    self.heap.push(Self::heap_key(key, &p.topo_rank, j, reverse));
                }
            }
        }
    }

    #[inline]
    fn heap_key(key: &[i64], rank: &[u32], i: usize, reverse: bool) -> (Reverse<i64>, Reverse<u32>, u32) {
        if reverse {
            // Largest key first, then highest topological rank.
            (Reverse(-key[i]), Reverse(u32::MAX - rank[i]), i as u32)
        } else {
            (Reverse(key[i]), Reverse(rank[i]), i as u32)
        }
    }
}

fn clamp32(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ResourceSpec;
    use crate::model::{
        ActivitySpec, CapacityWindow, Link, LinkKind, OffPeriod, ProblemSpec, ProjectIdx, ProjectSpec, ResourceIdx,
    };
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Up to 14 activities with all link kinds and lags (negative too), releases, two resources
    /// with capacity windows (one of zero capacity).
    fn random_problem(seed: u64) -> Problem {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n = rng.random_range(2..15);
        let resources: Vec<ResourceSpec> = (0..2)
            .map(|r| ResourceSpec {
                key: format!("r{r}"),
                capacity: 3,
                windows: (0..rng.random_range(0..3))
                    .map(|_| {
                        let start = rng.random_range(0..20);
                        CapacityWindow { start, end: start + rng.random_range(1..6), capacity: rng.random_range(0..3) }
                    })
                    .collect(),
                off_periods: Vec::new(),
            })
            .collect();
        let activities = (0..n)
            .map(|i| {
                let mut a = ActivitySpec::new(format!("a{i}"), rng.random_range(0..6));
                a.project = Some(ProjectIdx(rng.random_range(0..2)));
                for r in 0..2 {
                    let q = rng.random_range(0..4);
                    if q > 0 {
                        a.demands.push((ResourceIdx(r), q));
                    }
                }
                a
            })
            .collect();
        let kinds = [LinkKind::FinishStart, LinkKind::StartStart, LinkKind::FinishFinish, LinkKind::StartFinish];
        let links = (0..rng.random_range(0..2 * n))
            .filter_map(|_| {
                let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
                (a < b).then(|| Link {
                    from: ActivityIdx(a as u32),
                    to: ActivityIdx(b as u32),
                    kind: kinds[rng.random_range(0..4)],
                    lag: rng.random_range(-3..4),
                })
            })
            .collect();
        let projects = (0..2)
            .map(|k| ProjectSpec { key: format!("p{k}"), release: rng.random_range(0..4), due: None, weight: 1 })
            .collect();
        Problem::new(ProblemSpec { activities, links, resources, projects }).expect("valid")
    }

    #[test]
    fn breakpoint_lists_decode_exactly_like_the_grid() {
        let mut backward_schedules = 0;
        for seed in 0..300 {
            let p = random_problem(seed);
            let mut grid = Decoder::new(&p, p.durations());
            assert!(matches!(grid.profile, Profile::Grid(_)));
            let mut steps = grid.clone();
            steps.profile = Profile::Steps(Steps::new(&p));
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for _ in 0..4 {
                // A random precedence-feasible order: topological by random keys.
                let key: Vec<i64> = (0..p.len()).map(|_| rng.random_range(0..100)).collect();
                let mut order = Vec::new();
                grid.order_by_key(&key, false, &mut order);
                grid.forward(&order);
                steps.forward(&order);
                assert_eq!(steps.start, grid.start, "forward, seed {seed}");
                // Backward from each activity's forward finish plus some slack, by the makespan
                // (the grid holds no later period).
                let makespan = grid.schedule().makespan();
                let deadline: Vec<i64> = (0..p.len())
                    .map(|i| (grid.start[i] + grid.dur[i] + rng.random_range(0..5)).min(makespan))
                    .collect();
                let mut back = Vec::new();
                grid.order_by_key(&deadline, true, &mut back);
                let (g, s) = (grid.backward(&back, &deadline), steps.backward(&back, &deadline));
                assert_eq!(s, g, "backward outcome, seed {seed}");
                if g {
                    assert_eq!(steps.start, grid.start, "backward, seed {seed}");
                    backward_schedules += 1;
                }
            }
        }
        // Most backward passes succeed (a release date can stop one): the comparison is not
        // vacuous.
        assert!(backward_schedules > 600, "{backward_schedules} backward schedules of 1200");
    }

    /// `random_problem` with off periods on the resources (each an even chance of some).
    fn random_problem_with_calendars(seed: u64) -> Problem {
        let p = random_problem(seed);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        let resources = p
            .resources()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                if rng.random_bool(0.5) {
                    r.off_periods = (0..rng.random_range(1..5))
                        .map(|_| {
                            let start = rng.random_range(0..25);
                            OffPeriod { start, end: start + rng.random_range(1..4) }
                        })
                        .collect();
                }
                r
            })
            .collect();
        let activities = (0..p.len())
            .map(|i| {
                let a = ActivityIdx(i as u32);
                let mut spec = ActivitySpec::new(p.key(a), p.durations()[i]);
                spec.project = p.project_of(a);
                spec.demands = p.demands(a).collect();
                spec
            })
            .collect();
        Problem::new(ProblemSpec { activities, links: p.links().to_vec(), resources, projects: p.projects().to_vec() })
            .expect("valid")
    }

    /// The forward serial SGS by its definition, period by period: each activity in turn at
    /// the first period from which its links and release date hold, that is a working period
    /// of every resource it needs (unless it takes no time), and from which each of its
    /// working periods (off periods of its resources skipped) has the capacity it needs.
    fn naive_forward(p: &Problem, order: &[u32]) -> (Vec<i64>, Vec<i64>) {
        const HORIZON: usize = 600;
        let n = p.len();
        let mut left: Vec<Vec<i64>> = (0..p.resource_count())
            .map(|r| (0..HORIZON as i64).map(|t| p.capacity_at(ResourceIdx(r as u32), t)).collect())
            .collect();
        let (mut start, mut finish) = (vec![0i64; n], vec![0i64; n]);
        for &j in order {
            let j = j as usize;
            let a = ActivityIdx(j as u32);
            let d = p.durations()[j];
            let demands: Vec<(ResourceIdx, i64)> = p.demands(a).collect();
            let off = |t: i64| {
                demands.iter().any(|(r, _)| p.resources()[r.ix()].off_periods.iter().any(|o| o.start <= t && t < o.end))
            };
            let mut t = p.release_of(a).max(0);
            loop {
                let mut fits = !(d > 0 && off(t));
                let mut worked = Vec::new();
                let mut f = t;
                while (worked.len() as i64) < d {
                    if !off(f) {
                        worked.push(f);
                    }
                    f += 1;
                }
                for (i, kind, lag) in p.predecessors(a) {
                    let from = if kind.reads_finish() { finish[i.ix()] } else { start[i.ix()] } + lag;
                    let to = if kind.bounds_finish() { f } else { t };
                    fits &= to >= from;
                }
                fits &= worked.iter().all(|&w| demands.iter().all(|&(r, q)| left[r.ix()][w as usize] >= q));
                if fits {
                    for &w in &worked {
                        for &(r, q) in &demands {
                            left[r.ix()][w as usize] -= q;
                        }
                    }
                    start[j] = t;
                    finish[j] = f;
                    break;
                }
                t += 1;
            }
        }
        (start, finish)
    }

    #[test]
    fn activities_pause_over_their_resources_off_periods_as_defined() {
        let mut pausing = 0;
        let mut backward_schedules = 0;
        for seed in 0..300 {
            let p = random_problem_with_calendars(seed);
            let mut dec = Decoder::new(&p, p.durations());
            assert!(matches!(dec.profile, Profile::Grid(_)));
            // The same passes on breakpoint lists.
            let mut steps = dec.clone();
            steps.profile = Profile::Steps(Steps::new(&p));
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for _ in 0..4 {
                let key: Vec<i64> = (0..p.len()).map(|_| rng.random_range(0..100)).collect();
                let mut order = Vec::new();
                dec.order_by_key(&key, false, &mut order);
                dec.forward(&order);
                steps.forward(&order);
                let schedule = dec.schedule();
                assert_eq!(steps.schedule(), schedule, "breakpoint lists, seed {seed}");
                let (start, finish) = naive_forward(&p, &order);
                assert_eq!((&schedule.start, &schedule.finish), (&start, &finish), "forward, seed {seed}");
                assert_eq!(crate::checker::check_schedule(&p, &schedule), Ok(()), "seed {seed}");
                pausing += (0..p.len()).filter(|&i| finish[i] - start[i] > p.durations()[i]).count();
                // Backward from the forward finishes plus some slack: a feasible schedule
                // finishing each activity by its deadline.
                let deadline: Vec<i64> = finish.iter().map(|f| f + rng.random_range(0..5)).collect();
                let mut back = Vec::new();
                dec.order_by_key(&deadline, true, &mut back);
                let on_grid = dec.backward(&back, &deadline);
                assert_eq!(steps.backward(&back, &deadline), on_grid, "backward outcome, seed {seed}");
                if on_grid {
                    let schedule = dec.schedule();
                    assert_eq!(steps.schedule(), schedule, "backward on breakpoint lists, seed {seed}");
                    assert_eq!(crate::checker::check_schedule(&p, &schedule), Ok(()), "backward, seed {seed}");
                    assert!((0..p.len()).all(|i| schedule.finish[i] <= deadline[i]), "seed {seed}");
                    backward_schedules += 1;
                }
            }
        }
        // Not vacuous: many activities pause, most backward passes succeed.
        assert!(pausing > 300, "{pausing} pausing activities");
        assert!(backward_schedules > 600, "{backward_schedules} backward schedules of 1200");
    }

    #[test]
    fn a_task_pauses_over_its_teams_day_off_instead_of_waiting_for_a_stretch() {
        // A 5-period task on a team off at 3 and 10 runs 0..6, working 0-2 and 4-5; the next
        // one, 5 periods too, 6..12 over the day off at 10. Windows of capacity 0 there instead
        // push the task to 4..9 and the next one to 11..16.
        let mut task = ActivitySpec::new("task", 5);
        task.demands.push((ResourceIdx(0), 1));
        let mut next = ActivitySpec::new("next", 5);
        next.demands.push((ResourceIdx(0), 1));
        let team = |off: Vec<OffPeriod>, windows: Vec<CapacityWindow>| ResourceSpec {
            key: "team".into(),
            capacity: 1,
            windows,
            off_periods: off,
        };
        let spec = |resource| ProblemSpec {
            activities: vec![task.clone(), next.clone()],
            links: vec![Link::fs(ActivityIdx(0), ActivityIdx(1))],
            resources: vec![resource],
            projects: vec![],
        };
        let pausing =
            Problem::new(spec(team(vec![OffPeriod { start: 3, end: 4 }, OffPeriod { start: 10, end: 11 }], vec![])))
                .expect("valid");
        let schedule = decode_serial(&pausing, &[ActivityIdx(0), ActivityIdx(1)], pausing.durations()).expect("ok");
        assert_eq!(schedule.start, vec![0, 6]);
        assert_eq!(schedule.finish, vec![6, 12]);
        let blocking = Problem::new(spec(team(
            vec![],
            vec![CapacityWindow { start: 3, end: 4, capacity: 0 }, CapacityWindow { start: 10, end: 11, capacity: 0 }],
        )))
        .expect("valid");
        let schedule = decode_serial(&blocking, &[ActivityIdx(0), ActivityIdx(1)], blocking.durations()).expect("ok");
        assert_eq!(schedule.start, vec![4, 11]);
        assert_eq!(schedule.finish, vec![9, 16]);
    }

    #[test]
    fn a_horizon_of_millions_of_periods_takes_breakpoint_lists() {
        let mut a = ActivitySpec::new("A", 60_000_000);
        a.demands.push((ResourceIdx(0), 2));
        let mut b = ActivitySpec::new("B", 3);
        b.demands.push((ResourceIdx(0), 2));
        let p = Problem::new(ProblemSpec {
            activities: vec![a, b],
            resources: vec![ResourceSpec { key: "dev".into(), capacity: 3, windows: vec![], off_periods: vec![] }],
            ..ProblemSpec::default()
        })
        .expect("valid");
        let mut dec = Decoder::new(&p, p.durations());
        assert!(matches!(dec.profile, Profile::Steps(_)));
        dec.forward(&[0, 1]);
        // B waits for A: together they need 4 of 3 units.
        assert_eq!(dec.start, vec![0, 60_000_000]);
        // And backward, both due at 60,000,003: A must end where B starts.
        assert!(dec.backward(&[1, 0], &[60_000_003, 60_000_003]));
        assert_eq!(dec.start, vec![0, 60_000_000]);
        assert!(!dec.backward(&[1, 0], &[60_000_002, 60_000_002]));
    }
}
