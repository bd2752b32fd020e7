//! The resource-constrained scheduler: a genetic algorithm on activity lists, decoded by the
//! serial SGS and improved by forward-backward justification (FBI / double justification).
//!
//! Why this shape: the strongest heuristics under the schedule-budget protocol (Valls et al.
//! 2008, Debels & Vanhoucke 2007, Alcaraz et al. 2004) all combine an activity-list or
//! random-key GA with justification; justification is where most of the gain comes from.
//! Every SGS pass, forward or backward, counts as one schedule against the budget.
//!
//! The pieces: an initial population sampled from a minimum-slack priority (per project, and
//! for project objectives also with projects sequenced shortest first); two-point and peak
//! crossover; neighbour swaps and shift mutation; each child justified (Lamarckian: the
//! justified list replaces the child); lists already decoded are perturbed rather than
//! decoded again; after a few generations without progress the population is refilled from
//! the priority rule around the best tenth. The search stops early when a lower bound is met.
//!
//! Makespan problems without release dates or capacity windows take the bi-population GA
//! of the private `bipop` module instead (same islands, budget and determinism rules),
//! which spends one schedule per child rather than three or more.
//!
//! Determinism: the search runs on a fixed number of islands, each with its own ChaCha
//! stream derived from the seed. Islands run in parallel for an epoch of a fixed number of
//! schedules, then exchange their best individuals in a fixed ring order, so the result does
//! not depend on how many threads rayon has. A wall-time limit, when set, is checked between
//! children and makes the result depend on machine speed; several islands under a time
//! limit then meet at fixed times (`MIGRATION_SLICE`) rather than fixed schedule counts,
//! and islands stop together as soon as one of them reaches the lower bound.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::bipop;
use crate::cpm;
use crate::model::{ActivityIdx, Problem};
use crate::sgs::{Decoder, Schedule};

/// What to minimize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Objective {
    /// Latest finish over all activities.
    #[default]
    Makespan,
    /// Sum over projects of weight x (finish - release - critical-path duration): MPSPLIB's
    /// total project delay (APD when weights are 1, divided by the project count).
    TotalWeightedDelay,
    /// Sum over projects of weight x max(0, finish - due date).
    TotalWeightedTardiness,
}

/// Search settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SolveOptions {
    /// What to minimize.
    pub objective: Objective,
    /// Stop after this many SGS passes (forward and backward all count). `None` with no
    /// time limit means 5,000.
    pub max_schedules: Option<u64>,
    /// Stop after this wall time (checked between children).
    pub time_limit: Option<Duration>,
    /// Seed of all randomness.
    pub seed: u64,
    /// Number of islands; `None` picks from the budget (never from the thread count).
    pub islands: Option<usize>,
    /// Population per island; `None` picks from the budget.
    pub population: Option<usize>,
}

impl Default for SolveOptions {
    fn default() -> SolveOptions {
        SolveOptions {
            objective: Objective::Makespan,
            max_schedules: Some(5_000),
            time_limit: None,
            seed: 0,
            islands: None,
            population: None,
        }
    }
}

/// Objective values of a schedule, all of them whatever was optimized.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveValues {
    /// Latest finish.
    pub makespan: i64,
    /// MPSPLIB total makespan: latest finish - earliest project release.
    pub tms: i64,
    /// Sum of weight x project delay.
    pub total_weighted_delay: i64,
    /// Unweighted mean project delay (MPSPLIB APD); 0 without projects.
    pub apd: f64,
    /// Sum of weight x tardiness against due dates.
    pub total_weighted_tardiness: i64,
    /// Finish of each project (its release date when it has no activities).
    pub project_finish: Vec<i64>,
    /// Critical-path duration of each project alone (infinite resources).
    pub project_cpd: Vec<i64>,
}

/// The answer of [`solve`].
#[derive(Debug, Clone)]
pub struct Solution {
    /// Best schedule found.
    pub schedule: Schedule,
    /// The activity list that decodes (serial SGS, problem durations) to `schedule`.
    pub order: Vec<ActivityIdx>,
    /// Its objective values.
    pub objective: ObjectiveValues,
    /// SGS passes spent.
    pub schedules_used: u64,
    /// Critical-path lower bound on the makespan.
    pub critical_path_bound: i64,
    /// True when the time limit, not the budget, stopped the search.
    pub stopped_by_time: bool,
    /// True when the objective reached a lower bound (critical path for makespan, every
    /// project at its critical-path finish for delay, zero tardiness): proven optimal.
    pub proven_optimal: bool,
}

/// Objective values of any schedule of `problem` (with the problem's durations for CPDs).
pub fn evaluate(problem: &Problem, schedule: &Schedule) -> ObjectiveValues {
    let cpm = cpm::critical_path(problem);
    let ctx = Ctx::new(problem, &cpm.early_start, Objective::Makespan);
    ctx.values(problem, schedule)
}

/// Under a time limit, islands meet for migration at fixed times instead of after a fixed
/// number of schedules: otherwise the island that decodes faster waits for the slower one at
/// every meeting (3-10 % of a one-second run on j120 idled so). A time-limited result
/// depends on the machine's speed anyway; schedule budgets keep their deterministic epochs.
const MIGRATION_SLICE: Duration = Duration::from_millis(250);

/// Schedules per island and end time of the next epoch: `epoch` schedules up to `deadline`
/// on one island or without a time limit, a [`MIGRATION_SLICE`] otherwise.
fn next_epoch(islands: usize, epoch: u64, deadline: Option<Instant>) -> (u64, Option<Instant>) {
    match deadline {
        Some(d) if islands > 1 => (u64::MAX, Some(d.min(Instant::now() + MIGRATION_SLICE))),
        _ => (epoch, deadline),
    }
}

/// Read-only data shared by all islands.
#[derive(Debug)]
struct Ctx {
    objective: Objective,
    /// Project finish in the CPM (infinite resources) schedule.
    cpm_project_finish: Vec<i64>,
    /// Priority: latest start relative to the activity's own project critical path.
    priority: Vec<i64>,
    bound: i64,
    /// Lower bound on the primary cost.
    lower_bound: i64,
    /// Demand / base capacity per entry of the demand CSR (resource intensity).
    dem_weight: Vec<f64>,
}

impl Ctx {
    fn new(p: &Problem, es: &[i64], objective: Objective) -> Ctx {
        let mut cpf: Vec<i64> = p.projects.iter().map(|pr| pr.release).collect();
        let mut bound = 0;
        for i in 0..p.len() {
            let f = p.finish_of(ActivityIdx(i as u32), es[i], p.durations[i]);
            bound = bound.max(f);
            if let Some(pr) = p.project_of[i] {
                cpf[pr.ix()] = cpf[pr.ix()].max(f);
            }
        }
        // Late starts with each project due at its own CPM finish: the minimum-slack rule per
        // project, which ranks a short project's critical work as urgent as a long one's.
        let mut ls: Vec<i64> = (0..p.len())
            .map(|i| {
                let dl = p.project_of[i].map_or(bound, |pr| cpf[pr.ix()]);
                dl - p.durations[i]
            })
            .collect();
        for &i in p.topo.iter().rev() {
            let i = i as usize;
            for k in p.succ_start[i] as usize..p.succ_start[i + 1] as usize {
                let j = p.succ_to[k] as usize;
                let d = p.succ_kind[k].delta(p.succ_lag[k], p.durations[i], p.durations[j]);
                ls[i] = ls[i].min(ls[j] - d);
            }
        }
        let dem_weight = (0..p.dem_res.len())
            .map(|k| {
                let cap = p.resources[p.dem_res[k] as usize].capacity.max(1);
                p.dem_amt[k] as f64 / cap as f64
            })
            .collect();
        // A cost no schedule can beat: reaching it proves optimality and ends the search.
        let lower_bound = match objective {
            Objective::Makespan => bound,
            Objective::TotalWeightedDelay => cpf.iter().zip(&p.projects).map(|(f, pr)| pr.weight * f).sum(),
            Objective::TotalWeightedTardiness => 0,
        };
        Ctx { objective, cpm_project_finish: cpf, priority: ls, bound, dem_weight, lower_bound }
    }

    fn project_finish(&self, p: &Problem, start: &[i64], dur: &[i64], out: &mut Vec<i64>) {
        out.clear();
        out.extend(p.projects.iter().map(|pr| pr.release));
        for i in 0..p.len() {
            if let Some(pr) = p.project_of[i] {
                let f = p.finish_of(ActivityIdx(i as u32), start[i], dur[i]);
                if f > out[pr.ix()] {
                    out[pr.ix()] = f;
                }
            }
        }
    }

    /// Lexicographic cost: the objective, then a tie-breaker that rewards compact schedules.
    fn cost(&self, p: &Problem, start: &[i64], dur: &[i64], pf: &mut Vec<i64>) -> (i64, i64) {
        let ms = finishes(p, start, dur).max().unwrap_or(0);
        match self.objective {
            Objective::Makespan => {
                let sum: i64 = finishes(p, start, dur).sum();
                (ms, sum)
            }
            Objective::TotalWeightedDelay => {
                self.project_finish(p, start, dur, pf);
                let s: i64 = pf.iter().zip(&p.projects).map(|(f, pr)| pr.weight * f).sum();
                (s, ms)
            }
            Objective::TotalWeightedTardiness => {
                self.project_finish(p, start, dur, pf);
                let mut t = 0;
                let mut s = 0;
                for (f, pr) in pf.iter().zip(&p.projects) {
                    if let Some(due) = pr.due {
                        t += pr.weight * (f - due).max(0);
                    }
                    s += pr.weight * f;
                }
                (t, s)
            }
        }
    }

    fn values(&self, p: &Problem, s: &Schedule) -> ObjectiveValues {
        let mut pf = Vec::new();
        self.project_finish(p, &s.start, p.durations(), &mut pf);
        let makespan = s.makespan();
        let min_rel = p.projects.iter().map(|pr| pr.release).min().unwrap_or(0);
        let cpd: Vec<i64> = self.cpm_project_finish.iter().zip(&p.projects).map(|(f, pr)| f - pr.release).collect();
        let mut twd = 0;
        let mut sum_pd = 0;
        let mut twt = 0;
        for (k, pr) in p.projects.iter().enumerate() {
            let pd = pf[k] - pr.release - cpd[k];
            sum_pd += pd;
            twd += pr.weight * pd;
            if let Some(due) = pr.due {
                twt += pr.weight * (pf[k] - due).max(0);
            }
        }
        let apd = if p.projects.is_empty() { 0.0 } else { sum_pd as f64 / p.projects.len() as f64 };
        ObjectiveValues {
            makespan,
            tms: makespan - min_rel,
            total_weighted_delay: twd,
            apd,
            total_weighted_tardiness: twt,
            project_finish: pf,
            project_cpd: cpd,
        }
    }
}

#[derive(Debug, Clone)]
struct Indiv {
    order: Vec<u32>,
    cost: (i64, i64),
    /// Hash of the decoded start times, to keep duplicates out of the population.
    hash: u64,
    /// Decoded start times (the peak crossover reads the parent's schedule).
    start: Vec<i64>,
}

#[derive(Debug)]
struct Island<'a> {
    ctx: &'a Ctx,
    dec: Decoder<'a>,
    rng: ChaCha8Rng,
    pop: Vec<Indiv>,
    used: u64,
    budget: u64,
    best: Option<(Indiv, Vec<i64>)>,
    justify: bool,
    pf: Vec<i64>,
    deadline: Vec<i64>,
    key: Vec<i64>,
    tmp: Vec<u32>,
    back: Vec<u32>,
    pop_size: usize,
    pos: Vec<u32>,
    /// Generations since the island's best last improved.
    stall: u32,
    util: Vec<f64>,
    /// Hashes of lists already decoded: decoding one again would only spend budget.
    seen: std::collections::HashSet<u64>,
    /// Two-point crossover scratch, indexed by activity.
    taken: Vec<bool>,
    /// Raised by the first island to meet the lower bound; the others then stop too (only
    /// under a time limit, as in the bi-population GA).
    halt: Option<&'a AtomicBool>,
}

fn fnv_u32(xs: &[u32]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in xs {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn fnv(xs: &[i64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in xs {
        h ^= x as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl<'a> Island<'a> {
    /// Island `stream` of the search seeded `seed`, with `budget` schedules of its own.
    fn new(ctx: &'a Ctx, problem: &'a Problem, seed: u64, stream: u64, budget: u64, pop_size: usize) -> Island<'a> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        let n = problem.len();
        Island {
            ctx,
            dec: Decoder::new(problem, problem.durations()),
            rng,
            pop: Vec::new(),
            used: 0,
            budget,
            best: None,
            justify: true,
            pf: Vec::new(),
            deadline: vec![0; n],
            key: vec![0; n],
            tmp: Vec::new(),
            back: Vec::new(),
            pop_size,
            pos: vec![0; n],
            stall: 0,
            util: Vec::new(),
            seen: std::collections::HashSet::new(),
            taken: vec![false; n],
            halt: None,
        }
    }

    fn optimal(&self) -> bool {
        self.best.as_ref().is_some_and(|(b, _)| b.cost.0 <= self.ctx.lower_bound)
    }

    /// At the lower bound (raising the shared flag, if any), or another island sharing the
    /// flag is.
    fn halted(&self) -> bool {
        bipop::halted(self.optimal(), self.halt)
    }

    fn left(&self) -> u64 {
        self.budget.saturating_sub(self.used)
    }

    /// Decodes `order`, improves it by repeated forward-backward justification while that
    /// pays, and returns the individual (its list replaced by the improved one).
    fn evaluate(&mut self, mut order: Vec<u32>) -> Indiv {
        let p = self.dec.p;
        self.dec.forward(&order);
        self.used += 1;
        let mut cost = self.ctx.cost(p, &self.dec.start, &self.dec.dur, &mut self.pf);
        if self.justify {
            let mut saved = self.dec.start.clone();
            while self.left() >= 2 {
                // Deadline: each activity's project finish (or the makespan), so no project
                // can finish later after justification.
                let ms = finishes(p, &saved, &self.dec.dur).max().unwrap_or(0);
                self.ctx.project_finish(p, &saved, &self.dec.dur, &mut self.pf);
                for (i, finish) in finishes(p, &saved, &self.dec.dur).enumerate() {
                    self.deadline[i] = p.project_of[i].map_or(ms, |pr| self.pf[pr.ix()]);
                    self.key[i] = finish;
                }
                let mut back = std::mem::take(&mut self.back);
                self.dec.order_by_key(&self.key, true, &mut back);
                let ok = self.dec.backward(&back, &self.deadline);
                self.back = back;
                self.used += 1;
                if !ok {
                    self.dec.start.copy_from_slice(&saved);
                    break;
                }
                self.key.copy_from_slice(&self.dec.start);
                let mut tmp = std::mem::take(&mut self.tmp);
                self.dec.order_by_key(&self.key, false, &mut tmp);
                self.dec.forward(&tmp);
                self.used += 1;
                let c = self.ctx.cost(p, &self.dec.start, &self.dec.dur, &mut self.pf);
                if c < cost {
                    cost = c;
                    std::mem::swap(&mut order, &mut tmp);
                    saved.copy_from_slice(&self.dec.start);
                    self.tmp = tmp;
                } else {
                    if c == cost {
                        std::mem::swap(&mut order, &mut tmp);
                        saved.copy_from_slice(&self.dec.start);
                    } else {
                        self.dec.start.copy_from_slice(&saved);
                    }
                    self.tmp = tmp;
                    break;
                }
            }
        }
        let ind = Indiv { order, cost, hash: fnv(&self.dec.start), start: self.dec.start.clone() };
        if self.best.as_ref().is_none_or(|(b, _)| ind.cost < b.cost) {
            self.best = Some((ind.clone(), self.dec.start.clone()));
        }
        ind
    }

    /// A random list biased by the priority rule: key = priority + noise.
    fn biased_list(&mut self, spread: i64, sequence_weight: i64) -> Vec<u32> {
        let p = self.dec.p;
        // For project objectives, part of the population finishes projects one after another
        // (shortest first, with noise): sums of completion times favour sequencing over
        // running every project in parallel, which is what the minimum-slack rule alone does.
        let mut offset = vec![0i64; p.project_count()];
        if sequence_weight > 0 && p.project_count() > 1 {
            let mut order: Vec<(i64, usize)> = self
                .ctx
                .cpm_project_finish
                .iter()
                .enumerate()
                .map(|(k, &f)| (f + self.rng.random_range(0..=spread.max(1)), k))
                .collect();
            order.sort_unstable();
            for (pos, &(_, k)) in order.iter().enumerate() {
                offset[k] = pos as i64 * sequence_weight;
            }
        }
        for i in 0..self.key.len() {
            let noise = if spread > 0 { self.rng.random_range(0..=spread) } else { 0 };
            let off = p.project_of[i].map_or(0, |pr| offset[pr.ix()]);
            self.key[i] = self.ctx.priority[i] + noise + off;
        }
        let mut out = Vec::with_capacity(self.key.len());
        let key = std::mem::take(&mut self.key);
        self.dec.order_by_key(&key, false, &mut out);
        self.key = key;
        out
    }

    fn init(&mut self, deadline: Option<Instant>) {
        let spread_base = (self.ctx.bound / 4).max(2);
        while self.pop.len() < self.pop_size && self.left() > 0 && !self.halted() {
            let k = self.pop.len();
            let spread = match k {
                0 => 0,
                _ if k % 4 == 3 => spread_base * 8,
                _ => spread_base * (1 + (k % 3) as i64),
            };
            let seq = if self.ctx.objective != Objective::Makespan && k % 2 == 1 {
                let w = 0.5;
                ((self.ctx.bound as f64 * w / self.dec.p.project_count().max(1) as f64) as i64)
                    * (1 + (k / 2 % 3) as i64)
            } else {
                0
            };
            let list = self.biased_list(spread, seq);
            let ind = self.evaluate(list);
            self.insert(ind);
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        }
        self.pop.sort_by_key(|a| a.cost);
    }

    fn insert(&mut self, ind: Indiv) {
        if !self.pop.iter().any(|x| x.hash == ind.hash && x.cost == ind.cost) {
            self.pop.push(ind);
        }
    }

    fn tournament(&mut self) -> usize {
        let n = self.pop.len();
        let a = self.rng.random_range(0..n);
        let b = self.rng.random_range(0..n);
        // The population is sorted, so the smaller index is the better one.
        a.min(b)
    }

    /// Peak crossover (after Valls, Ballestín & Quintanilla 2008): the child keeps the
    /// mother's activities from her most resource-intensive time window, in her order, and
    /// takes everything before and after from the father's order. Activities starting before
    /// the window are closed under predecessors, so the child is precedence-feasible.
    fn peak_crossover(&mut self, m: usize, f: usize) -> Vec<u32> {
        let p = self.dec.p;
        let dur = &self.dec.dur;
        let ms = &self.pop[m].start;
        let t_end = finishes(p, ms, dur).max().unwrap_or(0).max(1) as usize;
        self.util.clear();
        self.util.resize(t_end + 1, 0.0);
        for (i, finish) in finishes(p, ms, dur).enumerate() {
            // With calendars the span counts its off periods too: close enough for a peak.
            let (s, d) = (ms[i] as usize, (finish - ms[i]) as usize);
            let mut w = 0.0;
            for k in p.dem_start[i] as usize..p.dem_start[i + 1] as usize {
                w += self.ctx.dem_weight[k];
            }
            if w > 0.0 {
                for u in &mut self.util[s..s + d] {
                    *u += w;
                }
            }
        }
        let lo = (t_end / 8).max(1);
        let hi = (t_end / 3).max(lo);
        let len = self.rng.random_range(lo..=hi);
        let mut sum: f64 = self.util[..len.min(t_end)].iter().sum();
        let (mut best, mut best_a) = (sum, 0usize);
        for a in 1..=t_end.saturating_sub(len) {
            sum += self.util[a + len - 1] - self.util[a - 1];
            if sum > best + 1e-9 {
                best = sum;
                best_a = a;
            }
        }
        let (a, b) = (best_a as i64, (best_a + len) as i64);
        let (mo, fa) = (&self.pop[m].order, &self.pop[f].order);
        let mut child = Vec::with_capacity(fa.len());
        child.extend(fa.iter().copied().filter(|&i| ms[i as usize] < a));
        child.extend(mo.iter().copied().filter(|&i| (a..b).contains(&ms[i as usize])));
        child.extend(fa.iter().copied().filter(|&i| ms[i as usize] >= b));
        // With lags that let a successor start before its predecessor (SS/SF leads), "starts
        // before the window" is not closed under predecessors: check, else fall back.
        for (k, &a) in child.iter().enumerate() {
            self.pos[a as usize] = k as u32;
        }
        if p.links.iter().all(|l| self.pos[l.from.ix()] < self.pos[l.to.ix()]) { child } else { self.crossover(m, f) }
    }

    /// Two-point crossover on activity lists (Hartmann 1998): keeps precedence feasibility.
    fn crossover(&mut self, m: usize, f: usize) -> Vec<u32> {
        bipop::two_point(&mut self.rng, &mut self.taken, &self.pop[m].order, &self.pop[f].order)
    }

    /// Moves one random activity to a random position between its last predecessor and its
    /// first successor in the list (keeps precedence feasibility).
    fn shift(&mut self, list: &mut [u32]) {
        let p = self.dec.p;
        let n = list.len();
        if n < 2 {
            return;
        }
        let k = self.rng.random_range(0..n);
        let a = list[k] as usize;
        let mut lo = k;
        while lo > 0 && !p.succ_slice(list[lo - 1] as usize).contains(&(a as u32)) {
            lo -= 1;
        }
        let mut hi = k;
        while hi + 1 < n && !p.succ_slice(a).contains(&list[hi + 1]) {
            hi += 1;
        }
        let t = self.rng.random_range(lo..=hi);
        if t < k {
            list[t..=k].rotate_right(1);
        } else {
            list[k..=t].rotate_left(1);
        }
    }

    /// Swaps neighbours not linked by precedence, each position with probability `pm`.
    fn mutate(&mut self, list: &mut [u32], pm: f64) {
        let p = self.dec.p;
        for k in 0..list.len().saturating_sub(1) {
            if self.rng.random::<f64>() < pm {
                let (a, b) = (list[k], list[k + 1]);
                if !p.succ_slice(a as usize).contains(&b) {
                    list.swap(k, k + 1);
                }
            }
        }
    }

    fn run(&mut self, schedules: u64, deadline: Option<Instant>) {
        let stop_at = self.used.saturating_add(schedules).min(self.budget);
        if self.pop.is_empty() {
            self.init(deadline);
        }
        let n = self.dec.p.len().max(1);
        let pm = 2.0 / n as f64;
        // Restart after a few generations without progress, keeping the best tenth: on j30
        // this raised optimal hits at 5,000 schedules from 443 to 454 of 480, neutral on j120.
        let (stall_limit, keep) = (5, 0.1);
        while self.used < stop_at && self.pop.len() >= 2 && !self.halted() {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            let best_before = self.best.as_ref().map(|b| b.0.cost);
            if self.stall >= stall_limit {
                // Stagnation: keep the better part, refill with fresh priority-rule samples.
                self.stall = 0;
                self.pop.truncate(((self.pop_size as f64 * keep) as usize).max(1));
                let spread = (self.ctx.bound / 2).max(2);
                while self.pop.len() < self.pop_size
                    && self.used < stop_at
                    && deadline.is_none_or(|d| Instant::now() < d)
                {
                    let seq = if self.ctx.objective != Objective::Makespan && self.rng.random::<bool>() {
                        (self.ctx.bound / (2 * self.dec.p.project_count().max(1)) as i64).max(1)
                    } else {
                        0
                    };
                    let mult = self.rng.random_range(1..=4);
                    let list = self.biased_list(spread * mult, seq);
                    let ind = self.evaluate(list);
                    self.insert(ind);
                }
                self.pop.sort_by_key(|a| a.cost);
                continue;
            }
            let mut children = Vec::with_capacity(self.pop_size);
            for _ in 0..self.pop_size / 2 {
                if self.used >= stop_at || deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let (m, f) = (self.tournament(), self.tournament());
                // Half peak crossover, half two-point: the mix did best in our j120 runs.
                let (c1, c2) = if self.rng.random::<f64>() < 0.5 {
                    (self.peak_crossover(m, f), self.peak_crossover(f, m))
                } else {
                    (self.crossover(m, f), self.crossover(f, m))
                };
                for mut c in [c1, c2] {
                    // Large instances take long per generation: check the clock per child.
                    if self.used >= stop_at || deadline.is_some_and(|d| Instant::now() >= d) {
                        break;
                    }
                    self.mutate(&mut c, pm);
                    // An occasional long-range move as well: -0.1 point on j120 in our runs.
                    if self.rng.random::<f64>() < 0.3 {
                        self.shift(&mut c);
                    }
                    // A list decoded before would only spend budget: perturb it (bounded).
                    let mut tries = 0;
                    while !self.seen.insert(fnv_u32(&c)) && tries < 5 {
                        self.shift(&mut c);
                        tries += 1;
                    }
                    children.push(self.evaluate(c));
                }
            }
            for c in children {
                self.insert(c);
            }
            self.pop.sort_by_key(|a| a.cost);
            self.pop.truncate(self.pop_size);
            if self.best.as_ref().map(|b| b.0.cost) == best_before {
                self.stall += 1;
            } else {
                self.stall = 0;
            }
        }
    }
}

/// Finds a good resource-feasible schedule for `problem` under `options`.
pub fn solve(problem: &Problem, options: &SolveOptions) -> Solution {
    let cpm = cpm::critical_path(problem);
    let ctx = Ctx::new(problem, &cpm.early_start, options.objective);
    let budget = match (options.max_schedules, options.time_limit) {
        (Some(b), _) => b.max(1),
        (None, Some(_)) => u64::MAX / 4,
        (None, None) => 5_000,
    };
    // One island uses a budget best (j120 at 25,000: 32.3 % vs 33.0 % with four); only large or
    // unbounded budgets are split, so islands can use more cores.
    let islands = options.islands.unwrap_or(if budget > 100_000 { 2 } else { 1 }).max(1);
    let deadline = options.time_limit.map(|t| Instant::now() + t);
    let pop_size = if let Some(p) = options.population {
        p.max(2)
    } else if budget <= 2_000 {
        24
    } else if budget <= 10_000 {
        40
    } else {
        // Tuned on j120: at 25,000 schedules 120 beat 50, 80 and 180.
        120
    };
    if options.objective == Objective::Makespan && bipop::applies(problem) {
        return solve_makespan(problem, options, &ctx, budget, islands, deadline);
    }
    let halt = AtomicBool::new(false);
    let mut isl: Vec<Island> = (0..islands)
        .map(|k| {
            let share = budget / islands as u64 + u64::from((k as u64) < budget % islands as u64);
            let mut island = Island::new(&ctx, problem, options.seed, k as u64, share, pop_size);
            // Under a time limit the result already depends on timing: islands stop together
            // once one meets the lower bound rather than finish their migration slice.
            if deadline.is_some() {
                island.halt = Some(&halt);
            }
            island
        })
        .collect();
    let epoch = if islands == 1 { u64::MAX / 4 } else { (budget / islands as u64 / 20).clamp(1_000, 20_000) };
    let mut stopped_by_time = false;
    loop {
        let (schedules, until) = next_epoch(islands, epoch, deadline);
        isl.par_iter_mut().for_each(|i| i.run(schedules, until));
        if deadline.is_some_and(|d| Instant::now() >= d) {
            stopped_by_time = isl.iter().any(|i| i.used < i.budget);
            break;
        }
        if isl.iter().any(|i| i.optimal()) || isl.iter().all(|i| i.used >= i.budget || i.pop.len() < 2) {
            break;
        }
        // Ring migration in a fixed order keeps the result independent of thread timing.
        let migrants: Vec<Option<Indiv>> = isl.iter().map(|i| i.best.as_ref().map(|b| b.0.clone())).collect();
        let k = isl.len();
        for (src, m) in migrants.into_iter().enumerate() {
            if let Some(m) = m {
                let dst = &mut isl[(src + 1) % k];
                if !dst.pop.iter().any(|x| x.hash == m.hash) {
                    dst.pop.pop();
                    dst.pop.push(m);
                    dst.pop.sort_by_key(|a| a.cost);
                }
            }
        }
    }
    let used: u64 = isl.iter().map(|i| i.used).sum();
    // Best over islands, ties to the lowest island index: deterministic.
    let (best, start) = isl.into_iter().filter_map(|i| i.best).min_by_key(|(b, _)| b.cost).unwrap_or_else(|| {
        // Zero budget still yields one schedule: the priority-rule list.
        let mut dec = Decoder::new(problem, problem.durations());
        let mut out = Vec::new();
        dec.order_by_key(&ctx.priority, false, &mut out);
        dec.forward(&out);
        (Indiv { order: out, cost: (0, 0), hash: 0, start: Vec::new() }, dec.start.clone())
    });
    let proven_optimal = best.cost.0 <= ctx.lower_bound && !best.start.is_empty();
    let finish: Vec<i64> = finishes(problem, &start, problem.durations()).collect();
    let schedule = Schedule { start, finish };
    let objective = ctx.values(problem, &schedule);
    Solution {
        order: best.order.iter().map(|&a| ActivityIdx(a)).collect(),
        schedule,
        objective,
        schedules_used: used,
        critical_path_bound: ctx.bound,
        stopped_by_time,
        proven_optimal,
    }
}

/// Individuals per direction of the bi-population GA when the caller sets none: larger than
/// the general search's, since each child costs one schedule here, not three or more.
///
/// At 5,000 schedules small networks want a larger population (more diversity for the same
/// budget; their search converges fast): j30 reached the optimum on 465/480 instances with
/// 200 against 456 with 100, and j60 did best near 160 (11.02 % vs 11.06 %). Since the decoders
/// are mixed ([`bipop`]) j120 wants fewer than the 100 it had: 70 to 80 reached 31.96 % above
/// the CP bound against 32.05 % (6 seeds), 60 and 130 did worse; j60 and j30 stayed alike
/// between 120 and 200. Linear in the activity count between j30's 206 and j120's 81.
///
/// Long runs whose children get a window re-ordered (`windows`, see
/// [`bipop::long_run_window_share`]) keep more: on j120 at 130,000 schedules 300 and 400
/// reached 1.08 % above best known against 1.14 % with 200 (3 seeds, better on each), 120 and
/// 550 did worse.
fn makespan_population(budget: u64, activities: usize, windows: bool) -> usize {
    if windows {
        300
    } else if budget <= 2_000 {
        40
    } else if budget <= 10_000 {
        250usize.saturating_sub(activities * 139 / 100).clamp(80, 240)
    } else {
        200
    }
}

/// The bi-population GA ([`bipop`]) for makespan without release dates or capacity windows,
/// on islands like the general search. One schedule of the budget is kept back: a
/// right-justified best is decoded forward once more, so that `order` reproduces it.
fn solve_makespan(
    problem: &Problem,
    options: &SolveOptions,
    ctx: &Ctx,
    budget: u64,
    islands: usize,
    deadline: Option<Instant>,
) -> Solution {
    let window_share = bipop::long_run_window_share(budget, islands);
    let pop_size =
        options.population.map_or_else(|| makespan_population(budget, problem.len(), window_share > 0.0), |p| p.max(2));
    let nets = [bipop::Net::new(problem, false), bipop::Net::new(problem, true)];
    let usable = budget - u64::from(budget > 1);
    let params = |k: usize| bipop::Params {
        pop_size,
        budget: usable / islands as u64 + u64::from((k as u64) < usable % islands as u64),
        lower_bound: ctx.lower_bound.min(i64::from(i32::MAX)) as i32,
        window_share,
        // A run bounded by time alone keeps the serial SGS only: the limited-delay decoder
        // costs about three serial decodes, which at 1 s per j120 instance ate its gain
        // (serial alone 0.99 %, mixed 1.02 % above best known, 60 instances, 3 seeds); per
        // schedule it gains at every budget tried (at 130,000 schedules mixed 0.92 %, serial
        // alone 1.02 %).
        mixed_decoders: options.max_schedules.is_some() || options.time_limit.is_none(),
    };
    let halt = AtomicBool::new(false);
    let mut isl: Vec<bipop::Island> = (0..islands)
        .map(|k| {
            let mut island =
                bipop::Island::new([&nets[0], &nets[1]], bipop::Sgs::new(problem), options.seed, k as u64, params(k));
            // Under a time limit the result already depends on timing: islands stop together
            // once one reaches the lower bound rather than finish their migration slice.
            if deadline.is_some() {
                island.share_halt(&halt);
            }
            island
        })
        .collect();
    let epoch = if islands == 1 { u64::MAX / 4 } else { (budget / islands as u64 / 20).clamp(1_000, 20_000) };
    let mut stopped_by_time = false;
    loop {
        let (schedules, until) = next_epoch(islands, epoch, deadline);
        isl.par_iter_mut().for_each(|i| i.run(schedules, until));
        if deadline.is_some_and(|d| Instant::now() >= d) {
            stopped_by_time = isl.iter().any(|i| !i.done());
            break;
        }
        if isl.iter().any(|i| i.optimal()) || isl.iter().all(|i| i.done()) {
            break;
        }
        // Ring migration in a fixed order keeps the result independent of thread timing.
        let migrants: Vec<Option<(usize, bipop::Ind)>> =
            isl.iter().map(|i| i.overall_best().map(|(d, b)| (d, b.clone()))).collect();
        let k = isl.len();
        for (src, m) in migrants.into_iter().enumerate() {
            if let Some((dir, m)) = m {
                isl[(src + 1) % k].accept(dir, m);
            }
        }
    }
    let mut used: u64 = isl.iter().map(|i| i.used).sum();
    // Best over islands per direction, ties to the lowest island index: deterministic.
    let best_of = |dir: usize| {
        isl.iter().filter_map(|i| i.best[dir].as_ref()).min_by_key(|b| (b.makespan, b.list.len())).cloned()
    };
    let mut best = best_of(0).map(|b| bipop::Island::forward_parts(&nets[0], &b));
    if let Some(b1) = best_of(1)
        && best.as_ref().is_none_or(|b| b1.makespan < b.2)
        && used < budget
    {
        let mut sgs = bipop::Sgs::new(problem);
        let fwd = bipop::Island::decode_forward([&nets[0], &nets[1]], &mut sgs, &b1);
        used += 1;
        if best.as_ref().is_none_or(|b| fwd.2 < b.2) {
            best = Some(fwd);
        }
    }
    let (order, start) = match best {
        Some((order, start, _)) => (order, start.into_iter().map(i64::from).collect()),
        None => {
            // No schedule within the time limit: the priority-rule list.
            let mut dec = Decoder::new(problem, problem.durations());
            let mut out = Vec::new();
            dec.order_by_key(&ctx.priority, false, &mut out);
            dec.forward(&out);
            used += 1;
            (out, dec.start.clone())
        }
    };
    let finish: Vec<i64> = finishes(problem, &start, problem.durations()).collect();
    let schedule = Schedule { start, finish };
    let objective = ctx.values(problem, &schedule);
    let proven_optimal = objective.makespan <= ctx.lower_bound;
    Solution {
        order: order.into_iter().map(ActivityIdx).collect(),
        schedule,
        objective,
        schedules_used: used,
        critical_path_bound: ctx.bound,
        stopped_by_time,
        proven_optimal,
    }
}

/// Finish of every activity started at `start` with durations `dur` (on its calendar).
fn finishes<'x>(p: &'x Problem, start: &'x [i64], dur: &'x [i64]) -> impl Iterator<Item = i64> + 'x {
    (0..p.len()).map(move |i| p.finish_of(ActivityIdx(i as u32), start[i], dur[i]))
}

/// "Why does this activity start then?" in a resource-constrained schedule: follows binding
/// links and, where no link binds, an activity sharing a resource that finishes exactly when
/// this one starts ([`crate::cpm::Driver::Resource`]).
pub fn schedule_driving_path(problem: &Problem, schedule: &Schedule, target: ActivityIdx) -> cpm::DrivingPath {
    let dur: Vec<i64> = (schedule.start.iter().zip(&schedule.finish).take(problem.len()).enumerate())
        .map(|(j, (&start, &finish))| problem.working_between(j, start, finish))
        .collect();
    cpm::driving_path_for(problem, &dur, &schedule.start, &schedule.finish, target, true)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use std::sync::atomic::{AtomicBool, Ordering};

    use super::{Ctx, Island, MIGRATION_SLICE, Objective, makespan_population, next_epoch};
    use crate::bipop::long_run_window_share;
    use crate::cpm;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use crate::model::{
        ActivityIdx, ActivitySpec, Link, LinkKind, Problem, ProblemSpec, ProjectIdx, ProjectSpec, ResourceIdx,
        ResourceSpec,
    };
    use crate::sgs::Decoder;

    fn person(key: &str, duration: i64, started: bool) -> ActivitySpec {
        ActivitySpec { demands: vec![(ResourceIdx(0), 1)], started, ..ActivitySpec::new(key, duration) }
    }

    fn one_resource(activities: Vec<ActivitySpec>, links: Vec<Link>, capacity: i64) -> Problem {
        Problem::new(ProblemSpec {
            activities,
            links,
            resources: vec![ResourceSpec { key: "r".into(), capacity, windows: vec![], off_periods: vec![] }],
            ..ProblemSpec::default()
        })
        .expect("a valid problem")
    }

    #[test]
    fn started_work_resumes_ahead_of_new_work() {
        // A (3 periods left) and B (1) share one person. Finishing B first gives the smaller
        // sum of finishes at the same makespan, and the search prefers it; started A goes first.
        let starts = |a_started| {
            let p = one_resource(vec![person("A", 3, a_started), person("B", 1, false)], vec![], 1);
            super::solve(&p, &super::SolveOptions::default()).schedule.start
        };
        assert_eq!(starts(false), [1, 0]);
        assert_eq!(starts(true), [0, 3]);
        // Started work waiting on new work waits in line with it: C follows new D, so neither
        // moves ahead of E (the list decides, as without the flag).
        let link = Link { from: ActivityIdx(1), to: ActivityIdx(0), kind: LinkKind::FinishStart, lag: 0 };
        let p = one_resource(vec![person("C", 1, true), person("D", 2, false), person("E", 1, false)], vec![link], 1);
        assert!(!p.has_started_work());
        let mut dec = Decoder::new(&p, p.durations());
        dec.forward(&[2, 1, 0]);
        assert_eq!(dec.start, [3, 1, 0]);
    }

    #[test]
    fn started_activities_are_placed_as_if_the_new_work_were_not_there() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut with_started = 0;
        for _ in 0..300 {
            let n = rng.random_range(4..14usize);
            let capacity = rng.random_range(1..4i64);
            let activities: Vec<ActivitySpec> = (0..n)
                .map(|i| ActivitySpec {
                    demands: vec![(ResourceIdx(0), rng.random_range(0..=capacity))],
                    started: rng.random_bool(0.4),
                    ..ActivitySpec::new(format!("a{i}"), rng.random_range(0..5))
                })
                .collect();
            let mut links = Vec::new();
            for to in 1..n {
                for from in 0..to {
                    if rng.random_bool(0.15) {
                        let kind = if rng.random_bool(0.5) { LinkKind::FinishStart } else { LinkKind::StartStart };
                        links.push(Link {
                            from: ActivityIdx(from as u32),
                            to: ActivityIdx(to as u32),
                            kind,
                            lag: rng.random_range(-1..3),
                        });
                    }
                }
            }
            let started: Vec<bool> = activities.iter().map(|a| a.started).collect();
            let p = one_resource(activities, links, capacity);
            // Resumes first: started, with every predecessor resuming first too.
            let first = |j: usize| p.has_started_work() && p.resumes_first[j];
            for j in 0..n {
                let preds_first = p.pred_slice(j).iter().all(|&i| first(i as usize));
                assert_eq!(first(j), started[j] && preds_first, "activity {j}");
            }
            // A random precedence-feasible list.
            let mut order = Vec::with_capacity(n);
            let mut placed = vec![false; n];
            while order.len() < n {
                let ready: Vec<usize> =
                    (0..n).filter(|&j| !placed[j] && p.pred_slice(j).iter().all(|&i| placed[i as usize])).collect();
                let j = ready[rng.random_range(0..ready.len())];
                placed[j] = true;
                order.push(j as u32);
            }
            let mut dec = Decoder::new(&p, p.durations());
            dec.forward(&order);
            let full = dec.schedule();
            assert_eq!(crate::checker::check_schedule(&p, &full), Ok(()));
            let alone: Vec<u32> = order.iter().copied().filter(|&j| first(j as usize)).collect();
            if alone.is_empty() {
                continue;
            }
            with_started += 1;
            dec.forward(&alone);
            for &j in &alone {
                assert_eq!(dec.start[j as usize], full.start[j as usize], "activity {j} of {order:?}");
            }
        }
        assert!(with_started > 200, "{with_started}");
    }

    /// Two projects released at 0 and 2 on one resource of capacity 2, six activities of
    /// demand 1 (the release date sends it to the general search).
    fn released_problem() -> Problem {
        let activities = (0..6)
            .map(|i| ActivitySpec {
                project: Some(ProjectIdx(i % 2)),
                demands: vec![(ResourceIdx(0), 1)],
                ..ActivitySpec::new(format!("a{i}"), 2 + i64::from(i % 3))
            })
            .collect();
        let projects = (0..2)
            .map(|k| ProjectSpec { key: format!("p{k}"), release: 2 * i64::from(k), due: Some(1_000), weight: 1 })
            .collect();
        Problem::new(ProblemSpec {
            activities,
            links: vec![],
            resources: vec![ResourceSpec { key: "r".into(), capacity: 2, windows: vec![], off_periods: vec![] }],
            projects,
        })
        .expect("a valid problem")
    }

    #[test]
    fn general_islands_sharing_a_halt_flag_stop_when_one_meets_the_lower_bound() {
        let p = released_problem();
        let cpm = cpm::critical_path(&p);
        // Due dates far out: any schedule has zero tardiness, the lower bound.
        let ctx = Ctx::new(&p, &cpm.early_start, Objective::TotalWeightedTardiness);
        assert_eq!(ctx.lower_bound, 0);
        let halt = AtomicBool::new(false);
        let mut first = Island::new(&ctx, &p, 7, 0, 1_000, 8);
        let mut second = Island::new(&ctx, &p, 7, 1, 1_000, 8);
        first.halt = Some(&halt);
        second.halt = Some(&halt);
        first.run(500, None);
        // The first list (and its justification passes), nothing more.
        assert_eq!(first.pop.len(), 1);
        assert!(first.used >= 1);
        assert!(halt.load(Ordering::Relaxed));
        second.run(500, None);
        assert_eq!(second.used, 0);
        assert!(second.best.is_none());
        // Without the flag, an island stops on its own lower bound: the same way as the
        // first one on the same stream.
        let mut alone = Island::new(&ctx, &p, 7, 0, 1_000, 8);
        alone.run(500, None);
        assert_eq!((alone.pop.len(), alone.used), (1, first.used));
        assert!(alone.optimal());
    }

    #[test]
    fn islands_under_a_time_limit_meet_at_fixed_times() {
        let now = Instant::now();
        let far = now + Duration::from_secs(10);
        // Several islands under a time limit: no schedule count, the epoch ends a slice from now.
        let (schedules, until) = next_epoch(2, 3_250, Some(far));
        assert_eq!(schedules, u64::MAX);
        let until = until.expect("an epoch end");
        assert!(until >= now + MIGRATION_SLICE && until < far, "{:?}", until - now);
        // Never past the deadline itself.
        let near = now + Duration::from_millis(10);
        assert_eq!(next_epoch(2, 3_250, Some(near)), (u64::MAX, Some(near)));
        // One island, or a schedule budget alone: schedule-count epochs, deterministic.
        assert_eq!(next_epoch(1, 3_250, Some(far)), (3_250, Some(far)));
        assert_eq!(next_epoch(2, 3_250, None), (3_250, None));
    }

    #[test]
    fn only_long_runs_on_several_islands_re_order_windows() {
        assert_eq!(long_run_window_share(100_000, 2), 0.075);
        assert_eq!(long_run_window_share(u64::MAX / 4, 2), 0.075);
        assert_eq!(long_run_window_share(99_999, 2), 0.0);
        assert_eq!(long_run_window_share(1_000_000, 1), 0.0);
        assert_eq!(long_run_window_share(5_000, 2), 0.0);
    }

    #[test]
    fn makespan_population_shrinks_with_network_size_at_the_5000_budget() {
        // PSPLIB j30, j60, j90, j120 (jobs + 2 dummies) at 5,000 schedules.
        assert_eq!(makespan_population(5_000, 32, false), 206);
        assert_eq!(makespan_population(5_000, 62, false), 164);
        assert_eq!(makespan_population(5_000, 92, false), 123);
        assert_eq!(makespan_population(5_000, 122, false), 81);
        assert_eq!(makespan_population(5_000, 1_000, false), 80);
        assert_eq!(makespan_population(5_000, 2, false), 240);
        // Other budgets keep their own sizes.
        assert_eq!(makespan_population(1_000, 32, false), 40);
        assert_eq!(makespan_population(50_000, 32, false), 200);
        // Long runs with window re-ordering keep 300 whatever the size.
        assert_eq!(makespan_population(130_000, 122, true), 300);
        assert_eq!(makespan_population(130_000, 32, true), 300);
    }
}
