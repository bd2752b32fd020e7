//! Serial schedule-generation scheme (SGS) over a time-indexed resource profile, forward
//! (left-justified) and backward (right-justified), plus the public `decode_serial`.
//!
//! One `Decoder` owns all work buffers, so a decode allocates nothing: the metaheuristic
//! calls it thousands of times per instance.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

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

/// Reusable SGS workspace for one problem and one duration vector.
#[derive(Debug, Clone)]
pub(crate) struct Decoder<'a> {
    pub(crate) p: &'a Problem,
    pub(crate) dur: Vec<i64>,
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
    pub(crate) start: Vec<i64>,
    // Scratch for building orders.
    indeg: Vec<u32>,
    sortbuf: Vec<u64>,
    heap: BinaryHeap<(Reverse<i64>, Reverse<u32>, u32)>,
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(p: &'a Problem, dur: &[i64]) -> Decoder<'a> {
        // No serial-SGS schedule can end later than this: each activity starts at most at the
        // latest finish so far plus a positive lag, or after the release dates and windows.
        let mut h: i64 = p.release.iter().copied().max().unwrap_or(0);
        for r in &p.resources {
            for w in &r.windows {
                h = h.max(w.end);
            }
        }
        h += dur.iter().sum::<i64>() + p.links.iter().map(|l| l.lag.max(0)).sum::<i64>() + 1;
        let h = h as usize;
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
        Decoder {
            p,
            dur: dur.to_vec(),
            h,
            avail: cap.clone(),
            dem: p.dem_amt.iter().map(|&q| clamp32(q)).collect(),
            cap,
            dirty: 0,
            start: vec![0; p.len()],
            indeg: vec![0; p.len()],
            sortbuf: Vec::with_capacity(p.len()),
            heap: BinaryHeap::with_capacity(p.len()),
        }
    }

    pub(crate) fn schedule(&self) -> Schedule {
        Schedule { start: self.start.clone(), finish: self.start.iter().zip(&self.dur).map(|(s, d)| s + d).collect() }
    }

    fn reset(&mut self) {
        let (h, d) = (self.h, self.dirty.min(self.h));
        for r in 0..self.p.resources.len() {
            self.avail[r * h..r * h + d].copy_from_slice(&self.cap[r * h..r * h + d]);
        }
        self.dirty = 0;
    }

    /// Forward serial SGS on a precedence-feasible list; fills `self.start`.
    pub(crate) fn forward(&mut self, order: &[u32]) {
        self.reset();
        let p = self.p;
        let h = self.h;
        let mut dirty = 0;
        for &j in order {
            let j = j as usize;
            let d = self.dur[j];
            let mut t = p.release[j];
            for k in p.pred_start[j] as usize..p.pred_start[j + 1] as usize {
                let i = p.pred_from[k] as usize;
                let v = self.start[i] + p.pred_kind[k].delta(p.pred_lag[k], self.dur[i], d);
                if v > t {
                    t = v;
                }
            }
            let dem = p.dem_start[j] as usize..p.dem_start[j + 1] as usize;
            if d > 0 && !dem.is_empty() {
                let du = d as usize;
                let mut tu = t as usize;
                'search: loop {
                    // Scan each window from its end: the latest conflict gives the longest jump.
                    for k in dem.clone() {
                        let q = self.dem[k];
                        let row = &self.avail[p.dem_res[k] as usize * h..];
                        if let Some(off) = row[tu..tu + du].iter().rposition(|&a| a < q) {
                            tu += off + 1;
                            continue 'search;
                        }
                    }
                    break;
                }
                for k in dem {
                    let q = self.dem[k];
                    let base = p.dem_res[k] as usize * h;
                    for a in &mut self.avail[base + tu..base + tu + du] {
                        *a -= q;
                    }
                }
                t = tu as i64;
                dirty = dirty.max(tu + du);
            }
            self.start[j] = t;
        }
        self.dirty = dirty;
    }

    /// Backward serial SGS: each activity finishes as late as possible, by `deadline[j]` and
    /// before its already placed successors. `order` must list successors before
    /// predecessors. Returns false (schedule unusable) if an activity would have to start
    /// before its release date.
    pub(crate) fn backward(&mut self, order: &[u32], deadline: &[i64]) -> bool {
        self.reset();
        let p = self.p;
        let h = self.h;
        // Deadlines bound every period this pass can touch.
        self.dirty = deadline.iter().copied().max().unwrap_or(0).max(0) as usize;
        for &j in order {
            let j = j as usize;
            let d = self.dur[j];
            let mut lf = deadline[j];
            for k in p.succ_start[j] as usize..p.succ_start[j + 1] as usize {
                let s = p.succ_to[k] as usize;
                let v = self.start[s] - p.succ_kind[k].delta(p.succ_lag[k], d, self.dur[s]) + d;
                if v < lf {
                    lf = v;
                }
            }
            let mut t = lf - d;
            let dem = p.dem_start[j] as usize..p.dem_start[j + 1] as usize;
            if d > 0 && !dem.is_empty() {
                let du = d as usize;
                'search: loop {
                    if t < p.release[j] {
                        return false;
                    }
                    let tu = t as usize;
                    for k in dem.clone() {
                        let q = self.dem[k];
                        let row = &self.avail[p.dem_res[k] as usize * h..];
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
                    let q = self.dem[k];
                    let base = p.dem_res[k] as usize * h;
                    for a in &mut self.avail[base + tu..base + tu + du] {
                        *a -= q;
                    }
                }
            }
            if t < p.release[j] || t < 0 {
                return false;
            }
            self.start[j] = t;
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
