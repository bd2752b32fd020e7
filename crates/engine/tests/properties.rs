//! Properties on random instances with all link types, lags, releases, capacity windows and
//! off periods (over which activities pause).

use proptest::prelude::*;
use tandem_engine::*;

fn instance() -> impl Strategy<Value = ProblemSpec> {
    (2usize..14, 1usize..3, 1usize..3).prop_flat_map(|(n, nr, np)| {
        let acts = proptest::collection::vec((0i64..6, 0usize..np, proptest::collection::vec(0i64..4, nr)), n);
        let links = proptest::collection::vec((0usize..n, 0usize..n, 0u8..4, -3i64..4), 0..2 * n);
        let res = proptest::collection::vec(
            (
                2i64..5,
                proptest::option::of((0i64..10, 1i64..5, 0i64..3)),
                proptest::collection::vec((0i64..15, 1i64..3), 0..3),
            ),
            nr,
        );
        let projects = proptest::collection::vec((0i64..6, 0i64..20, 1i64..4), np);
        (acts, links, res, projects).prop_map(move |(acts, links, res, projects)| {
            let resources: Vec<ResourceSpec> = res
                .iter()
                .enumerate()
                .map(|(r, (cap, w, off))| ResourceSpec {
                    key: format!("r{r}"),
                    capacity: *cap,
                    windows: w
                        .map(|(s, len, c)| CapacityWindow { start: s, end: s + len, capacity: c })
                        .into_iter()
                        .collect(),
                    off_periods: off.iter().map(|&(start, len)| OffPeriod { start, end: start + len }).collect(),
                })
                .collect();
            ProblemSpec {
                activities: acts
                    .iter()
                    .enumerate()
                    .map(|(i, (d, p, dem))| ActivitySpec {
                        key: format!("a{i}"),
                        duration: *d,
                        project: Some(ProjectIdx(*p as u32)),
                        demands: dem
                            .iter()
                            .enumerate()
                            .map(|(r, &q)| (ResourceIdx(r as u32), q.min(resources[r].capacity)))
                            .collect(),
                        started: false,
                    })
                    .collect(),
                // Links only go forward in index order, so the graph is acyclic.
                links: links
                    .iter()
                    .filter(|(a, b, _, _)| a < b)
                    .map(|&(a, b, k, lag)| Link {
                        from: ActivityIdx(a as u32),
                        to: ActivityIdx(b as u32),
                        kind: [
                            LinkKind::FinishStart,
                            LinkKind::StartStart,
                            LinkKind::FinishFinish,
                            LinkKind::StartFinish,
                        ][k as usize],
                        lag,
                    })
                    .collect(),
                resources,
                projects: projects
                    .iter()
                    .enumerate()
                    .map(|(i, &(rel, due, w))| ProjectSpec {
                        key: format!("p{i}"),
                        release: rel,
                        due: Some(due),
                        weight: w,
                    })
                    .collect(),
            }
        })
    })
}

/// Plain makespan problems, as the bi-population GA takes them with both of its decoders: no
/// releases, no capacity windows, only finish-start and start-start links with lags of zero
/// or more (so every delta between starts is non-negative).
fn plain_instance() -> impl Strategy<Value = ProblemSpec> {
    instance().prop_map(|mut spec| {
        for p in &mut spec.projects {
            p.release = 0;
        }
        for r in &mut spec.resources {
            r.windows.clear();
            r.off_periods.clear();
        }
        for l in &mut spec.links {
            l.lag = l.lag.abs();
            if !matches!(l.kind, LinkKind::FinishStart | LinkKind::StartStart) {
                l.kind = LinkKind::FinishStart;
            }
        }
        spec
    })
}

/// Whether activity `a` pauses in period `t` (a resource it needs is off).
fn off(p: &Problem, a: usize, t: i64) -> bool {
    p.demands(ActivityIdx(a as u32))
        .any(|(r, _)| p.resources()[r.ix()].off_periods.iter().any(|o| o.start <= t && t < o.end))
}

/// Finish of activity `a` started at `t`, counting its working periods one by one.
fn finish_from(p: &Problem, a: usize, t: i64) -> i64 {
    let (mut f, mut left) = (t, p.durations()[a]);
    while left > 0 {
        if !off(p, a, f) {
            left -= 1;
        }
        f += 1;
    }
    f
}

/// Whether activity `a` may start at `t`: a working period, unless it takes no time.
fn may_start(p: &Problem, a: usize, t: i64) -> bool {
    p.durations()[a] == 0 || !off(p, a, t)
}

/// Reference CPM by repeated relaxation of every link until nothing changes, periods scanned
/// one by one (so activities pause over their off periods by definition).
fn naive_cpm(p: &Problem) -> (Vec<i64>, Vec<i64>) {
    let n = p.len();
    let mut es: Vec<i64> = (0..n).map(|i| p.release_of(ActivityIdx(i as u32))).collect();
    for (i, start) in es.iter_mut().enumerate() {
        while !may_start(p, i, *start) {
            *start += 1;
        }
    }
    loop {
        let mut changed = false;
        for l in p.links() {
            let (f, t) = (l.from.ix(), l.to.ix());
            let from = if l.kind.reads_finish() { finish_from(p, f, es[f]) } else { es[f] } + l.lag;
            while (if l.kind.bounds_finish() { finish_from(p, t, es[t]) } else { es[t] }) < from
                || !may_start(p, t, es[t])
            {
                es[t] += 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let horizon = (0..n).map(|i| finish_from(p, i, es[i])).max().unwrap_or(0).max(0);
    let mut ls: Vec<i64> = es.clone();
    for (i, late) in ls.iter_mut().enumerate() {
        while finish_from(p, i, *late + 1) <= horizon || !may_start(p, i, *late) {
            *late += 1;
        }
        while finish_from(p, i, *late) > horizon || !may_start(p, i, *late) {
            *late -= 1;
        }
    }
    loop {
        let mut changed = false;
        for l in p.links() {
            let (f, t) = (l.from.ix(), l.to.ix());
            let by = if l.kind.bounds_finish() { finish_from(p, t, ls[t]) } else { ls[t] } - l.lag;
            while (if l.kind.reads_finish() { finish_from(p, f, ls[f]) } else { ls[f] }) > by || !may_start(p, f, ls[f])
            {
                ls[f] -= 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    (es, ls)
}

/// `spec` with every time value (durations, lags, releases, due dates, windows) times `k`.
fn scaled(mut spec: ProblemSpec, k: i64) -> ProblemSpec {
    for a in &mut spec.activities {
        a.duration *= k;
    }
    for l in &mut spec.links {
        l.lag *= k;
    }
    for p in &mut spec.projects {
        p.release *= k;
        p.due = p.due.map(|d| d * k);
    }
    for r in &mut spec.resources {
        for w in &mut r.windows {
            w.start *= k;
            w.end *= k;
        }
    }
    spec
}

fn objectives() -> impl Strategy<Value = Objective> {
    prop_oneof![Just(Objective::Makespan), Just(Objective::TotalWeightedDelay), Just(Objective::TotalWeightedTardiness)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn fast_cpm_equals_naive(spec in instance()) {
        let p = Problem::new(spec).expect("valid");
        let c = critical_path(&p);
        let (es, ls) = naive_cpm(&p);
        prop_assert_eq!(&c.early_start, &es);
        prop_assert_eq!(&c.late_start, &ls);
        for i in 0..p.len() {
            prop_assert!(c.free_float[i] >= 0 && c.free_float[i] <= c.total_float[i]);
        }
    }

    #[test]
    fn schedules_are_feasible_and_never_beat_the_bound(spec in instance(), obj in objectives(), seed in 0u64..1000) {
        let p = Problem::new(spec).expect("valid");
        let sol = solve(&p, &SolveOptions { objective: obj, max_schedules: Some(300), seed, ..SolveOptions::default() });
        prop_assert_eq!(check_schedule(&p, &sol.schedule), Ok(()));
        prop_assert!(sol.objective.makespan >= critical_path(&p).horizon);
        prop_assert!(sol.schedules_used <= 300);
        let again = decode_serial(&p, &sol.order, p.durations()).expect("decode");
        prop_assert_eq!(&again, &sol.schedule);
        // Any valid order with other durations also decodes to a feasible schedule.
        let d2: Vec<i64> = p.durations().iter().map(|d| d + 1).collect();
        let s2 = decode_serial(&p, &sol.order, &d2).expect("decode");
        prop_assert_eq!(check_schedule_with(&p, &s2, &d2), Ok(()));
    }

    /// The serial SGS only adds time values, so scaling all of them scales every start. At
    /// 100,000 periods per unit the decoders take breakpoint lists instead of the grid the
    /// unscaled problem uses: both profiles must place every activity alike.
    #[test]
    fn scaling_every_time_value_scales_the_schedule(spec in instance(), seed in 0u64..1000) {
        const K: i64 = 100_000;
        // Without off periods: over them a scaled activity may start inside a unit and pause,
        // which the unscaled one cannot, so a finer scale can finish earlier.
        let mut spec = spec;
        for r in &mut spec.resources {
            r.off_periods.clear();
        }
        let p = Problem::new(spec.clone()).expect("valid");
        let big = Problem::new(scaled(spec, K)).expect("valid when scaled");
        let order = solve(&p, &SolveOptions { max_schedules: Some(100), seed, ..SolveOptions::default() }).order;
        let small = decode_serial(&p, &order, p.durations()).expect("decode");
        let large = decode_serial(&big, &order, big.durations()).expect("decode scaled");
        prop_assert_eq!(check_schedule(&big, &large), Ok(()));
        let expected: Vec<i64> = small.start.iter().map(|s| s * K).collect();
        prop_assert_eq!(&large.start, &expected);
        // The search on the scaled problem stays feasible too.
        let sol = solve(&big, &SolveOptions { max_schedules: Some(100), seed, ..SolveOptions::default() });
        prop_assert_eq!(check_schedule(&big, &sol.schedule), Ok(()));
    }

    /// With a schedule budget these mix the serial and the limited-delay decoders: the result
    /// is feasible, its order reproduces it through the serial SGS, and it does not depend on
    /// the thread count.
    #[test]
    fn plain_makespan_problems_through_both_decoders(spec in plain_instance(), seed in 0u64..1000) {
        let p = Problem::new(spec).expect("valid");
        let opts = SolveOptions { max_schedules: Some(1_500), seed, islands: Some(2), ..SolveOptions::default() };
        let run = |threads| {
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool").install(|| solve(&p, &opts))
        };
        let (a, b) = (run(1), run(2));
        prop_assert_eq!(check_schedule(&p, &a.schedule), Ok(()));
        prop_assert!(a.objective.makespan >= critical_path(&p).horizon);
        prop_assert!(a.schedules_used <= 1_500);
        prop_assert_eq!(&decode_serial(&p, &a.order, p.durations()).expect("decode"), &a.schedule);
        prop_assert_eq!(&a.schedule, &b.schedule);
        prop_assert_eq!(&a.order, &b.order);
    }

    #[test]
    fn same_seed_same_result_on_one_and_two_threads(spec in instance(), seed in 0u64..1000) {
        let p = Problem::new(spec).expect("valid");
        let opts = SolveOptions { max_schedules: Some(4_000), seed, islands: Some(3), ..SolveOptions::default() };
        let run = |threads| {
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool").install(|| solve(&p, &opts))
        };
        let (a, b) = (run(1), run(2));
        prop_assert_eq!(&a.schedule, &b.schedule);
        prop_assert_eq!(&a.order, &b.order);
        prop_assert_eq!(a.schedules_used, b.schedules_used);
    }
}
