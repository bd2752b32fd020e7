//! Monte Carlo forecast: exact reproduction of the deterministic plan, risk arithmetic,
//! thread-independence, rank correlation and calibration against an independent sampler.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution as _};
use tandem_engine::*;

fn a(i: u32) -> ActivityIdx {
    ActivityIdx(i)
}

/// Five activities with every link type, a lag, a lead, a project release and one shared
/// resource (capacity 1) that the resource-aware mode has to serialize.
fn mixed_problem() -> Problem {
    let mut acts: Vec<ActivitySpec> = [("spec", 3), ("api", 5), ("ui", 4), ("docs", 2), ("launch", 0)]
        .iter()
        .map(|&(k, d)| ActivitySpec::new(k, d))
        .collect();
    for i in [1, 2] {
        acts[i].demands.push((ResourceIdx(0), 1));
    }
    acts[3].project = Some(ProjectIdx(0));
    acts[4].project = Some(ProjectIdx(0));
    Problem::new(ProblemSpec {
        activities: acts,
        links: mixed_problem_links(),
        resources: vec![ResourceSpec { key: "dev".into(), capacity: 1, windows: vec![], off_periods: vec![] }],
        projects: vec![ProjectSpec { key: "P".into(), release: 2, due: None, weight: 1 }],
    })
    .expect("valid problem")
}

fn mixed_problem_links() -> Vec<Link> {
    vec![
        Link::fs(a(0), a(1)),
        Link { from: a(0), to: a(2), kind: LinkKind::StartStart, lag: 1 },
        Link { from: a(1), to: a(3), kind: LinkKind::FinishFinish, lag: 1 },
        Link { from: a(2), to: a(4), kind: LinkKind::FinishStart, lag: -1 },
        Link { from: a(1), to: a(4), kind: LinkKind::StartFinish, lag: 2 },
        Link::fs(a(3), a(4)),
    ]
}

fn input(problem: &Problem, estimates: Vec<Option<ThreePoint>>) -> ForecastInput<'_> {
    ForecastInput {
        problem,
        estimates,
        distribution: Distribution::Pert,
        risks: Vec::new(),
        mode: ForecastMode::NetworkOnly,
        iterations: 500,
        seed: 42,
    }
}

fn fixed(p: &Problem) -> Vec<Option<ThreePoint>> {
    p.durations().iter().map(|&d| Some(ThreePoint::fixed(d as f64))).collect()
}

fn exactly(v: i64) -> Percentiles {
    Percentiles { p10: v, p50: v, p80: v, p95: v, mean: v as f64 }
}

fn uncertain(p: &Problem) -> Vec<Option<ThreePoint>> {
    p.durations().iter().map(|&d| Some(ThreePoint::new(d as f64 * 0.5, d as f64, d as f64 * 2.5 + 0.5))).collect()
}

#[test]
fn equal_integer_estimates_reproduce_the_critical_path_exactly() {
    let p = mixed_problem();
    let cpm = critical_path(&p);
    for distribution in [Distribution::Pert, Distribution::Triangular] {
        let f = forecast(&ForecastInput { distribution, ..input(&p, fixed(&p)) }).expect("forecast");
        assert_eq!(f.iterations, 500);
        assert_eq!(f.finish, exactly(cpm.horizon));
        let finishes: Vec<Percentiles> = cpm.early_finish.iter().map(|&f| exactly(f)).collect();
        assert_eq!(f.activity_finish, finishes);
        assert_eq!(f.project_finish, vec![exactly(cpm.early_finish[3].max(cpm.early_finish[4]))]);
        let critical: Vec<f64> = cpm.total_float.iter().map(|&t| if t <= 0 { 1.0 } else { 0.0 }).collect();
        assert_eq!(f.criticality, critical);
        assert_eq!(f.s_curve, vec![CurvePoint { finish: cpm.horizon, probability: 1.0 }]);
        assert_eq!(f.histogram, Histogram { start: cpm.horizon, bin_width: 1, counts: vec![500] });
        assert_eq!(f.sensitivity.activities, vec![0.0; 5]);
        assert_eq!(
            f.convergence,
            Convergence {
                p80_first_half: cpm.horizon,
                p80_first_90_percent: cpm.horizon,
                p80: cpm.horizon,
                p80_shift_last_tenth: 0
            }
        );
    }
    // `None` falls back to the problem's own duration.
    let f = forecast(&input(&p, vec![None; 5])).expect("forecast");
    assert_eq!(f.finish, exactly(cpm.horizon));
}

#[test]
fn equal_integer_estimates_reproduce_the_decoded_schedule_exactly() {
    let p = mixed_problem();
    let solution = solve(&p, &SolveOptions::default());
    let schedule = decode_serial(&p, &solution.order, p.durations()).expect("decode");
    let f = forecast(&ForecastInput {
        mode: ForecastMode::ResourceAware { order: solution.order.clone() },
        ..input(&p, fixed(&p))
    })
    .expect("forecast");
    assert_eq!(f.finish, exactly(schedule.makespan()));
    assert_eq!(f.activity_finish, schedule.finish.iter().map(|&v| exactly(v)).collect::<Vec<_>>());
    // The shared resource makes this plan longer than the network alone.
    assert!(schedule.makespan() > critical_path(&p).horizon);
    let last =
        (0..5).filter(|&i| schedule.finish[i] == schedule.makespan()).max_by_key(|&i| (schedule.start[i], -(i as i64)));
    let path = schedule_driving_path(&p, &schedule, a(last.expect("non-empty") as u32));
    let mut expected = vec![0.0; 5];
    for x in path.activities {
        expected[x.ix()] = 1.0;
    }
    assert_eq!(f.criticality, expected);
}

/// [`mixed_problem`] with the developers off in periods 4 and 9-10: "api" and "ui" pause.
fn mixed_problem_with_days_off() -> Problem {
    let p = mixed_problem();
    let mut resources = p.resources().to_vec();
    resources[0].windows.clear();
    resources[0].off_periods = vec![OffPeriod { start: 4, end: 5 }, OffPeriod { start: 9, end: 11 }];
    let activities = (0..p.len() as u32)
        .map(|i| {
            let mut spec = ActivitySpec::new(p.key(a(i)), p.durations()[i as usize]);
            spec.project = p.project_of(a(i));
            spec.demands = p.demands(a(i)).collect();
            spec
        })
        .collect();
    Problem::new(ProblemSpec { activities, links: mixed_problem_links(), resources, projects: p.projects().to_vec() })
        .expect("valid problem")
}

#[test]
fn fixed_estimates_reproduce_plans_whose_activities_pause_over_days_off() {
    let p = mixed_problem_with_days_off();
    let cpm = critical_path(&p);
    // api works 3, 5-8 (off 4): 3..9; ui 1-3, 5: 1..6; docs must finish by api + 1: 8..10.
    assert_eq!(cpm.early_start, vec![0, 3, 1, 8, 10]);
    assert_eq!(cpm.early_finish, vec![3, 9, 6, 10, 10]);
    assert_eq!(cpm.horizon, 10);
    assert_eq!(critical_path(&mixed_problem()).horizon, 9);
    let f = forecast(&input(&p, fixed(&p))).expect("forecast");
    assert_eq!(f.finish, exactly(10));
    assert_eq!(f.activity_finish, cpm.early_finish.iter().map(|&v| exactly(v)).collect::<Vec<_>>());
    let critical: Vec<f64> = cpm.total_float.iter().map(|&t| if t <= 0 { 1.0 } else { 0.0 }).collect();
    assert_eq!(f.criticality, critical);

    let solution = solve(&p, &SolveOptions::default());
    assert_eq!(check_schedule(&p, &solution.schedule), Ok(()));
    let schedule = decode_serial(&p, &solution.order, p.durations()).expect("decode");
    assert_eq!(schedule, solution.schedule);
    let f = forecast(&ForecastInput {
        mode: ForecastMode::ResourceAware { order: solution.order.clone() },
        ..input(&p, fixed(&p))
    })
    .expect("forecast");
    assert_eq!(f.finish, exactly(schedule.makespan()));
    assert_eq!(f.activity_finish, schedule.finish.iter().map(|&v| exactly(v)).collect::<Vec<_>>());
}

/// `critical` (8..10..14) runs beside `side` (fixed 2): only `critical` drives the finish.
fn two_branches() -> Problem {
    Problem::new(ProblemSpec {
        activities: vec![ActivitySpec::new("critical", 10), ActivitySpec::new("side", 2), ActivitySpec::new("end", 0)],
        links: vec![Link::fs(a(0), a(2)), Link::fs(a(1), a(2))],
        ..ProblemSpec::default()
    })
    .expect("valid")
}

fn two_branch_estimates() -> Vec<Option<ThreePoint>> {
    vec![Some(ThreePoint::new(8.0, 10.0, 14.0)), Some(ThreePoint::fixed(2.0)), None]
}

fn risk(probability: f64, impact: ThreePoint, hits: Vec<ActivityIdx>) -> RiskEvent {
    RiskEvent { key: "vendor late".into(), probability, impact, hits }
}

#[test]
fn a_certain_risk_on_the_only_critical_activity_moves_every_percentile_by_its_impact() {
    let p = two_branches();
    let base = forecast(&input(&p, two_branch_estimates())).expect("forecast");
    let f = forecast(&ForecastInput {
        risks: vec![risk(1.0, ThreePoint::fixed(5.0), vec![a(0)])],
        ..input(&p, two_branch_estimates())
    })
    .expect("forecast");
    let shifted = |x: Percentiles| Percentiles {
        p10: x.p10 + 5,
        p50: x.p50 + 5,
        p80: x.p80 + 5,
        p95: x.p95 + 5,
        mean: x.mean + 5.0,
    };
    assert_eq!(f.finish, shifted(base.finish));
    assert_eq!(f.activity_finish[0], shifted(base.activity_finish[0]));
    assert_eq!(f.activity_finish[1], base.activity_finish[1]);
    assert_eq!(f.risk_p80_contribution, vec![RiskContribution { risk: 0, key: "vendor late".into(), p80_days: 5 }]);
    assert_eq!(f.criticality, vec![1.0, 0.0, 1.0]);
    // Always 5: a constant has no rank correlation.
    assert_eq!(f.sensitivity.risks, vec![0.0]);
    assert!(base.finish.p10 < base.finish.p95, "the estimate is uncertain: {:?}", base.finish);
}

#[test]
fn a_risk_with_probability_zero_changes_nothing() {
    let p = mixed_problem();
    let base = forecast(&input(&p, uncertain(&p))).expect("forecast");
    let f = forecast(&ForecastInput {
        risks: vec![risk(0.0, ThreePoint::new(1.0, 3.0, 9.0), vec![a(0), a(1), a(1)])],
        ..input(&p, uncertain(&p))
    })
    .expect("forecast");
    assert_eq!(f.finish, base.finish);
    assert_eq!(f.activity_finish, base.activity_finish);
    assert_eq!(f.project_finish, base.project_finish);
    assert_eq!(f.criticality, base.criticality);
    assert_eq!(f.s_curve, base.s_curve);
    assert_eq!(f.sensitivity.activities, base.sensitivity.activities);
    assert_eq!(f.sensitivity.risks, vec![0.0]);
    assert_eq!(f.risk_p80_contribution[0].p80_days, 0);
}

#[test]
fn a_sometimes_risk_correlates_and_contributes() {
    let p = two_branches();
    let f = forecast(&ForecastInput {
        risks: vec![risk(0.5, ThreePoint::new(3.0, 4.0, 6.0), vec![a(0)])],
        iterations: 2_000,
        ..input(&p, two_branch_estimates())
    })
    .expect("forecast");
    // Half the iterations add 3..6 days to the critical activity: clearly positive.
    assert!(f.sensitivity.risks[0] > 0.5, "{:?}", f.sensitivity);
    assert!(f.risk_p80_contribution[0].p80_days >= 3, "{:?}", f.risk_p80_contribution);
    assert_eq!(f.histogram.counts.iter().sum::<u64>(), 2_000);
    assert_eq!(f.s_curve.last().map(|c| c.probability), Some(1.0));
}

#[test]
fn the_finish_of_a_single_activity_has_rank_correlation_one_with_it() {
    let p = Problem::new(ProblemSpec { activities: vec![ActivitySpec::new("only", 5)], ..ProblemSpec::default() })
        .expect("valid");
    for distribution in [Distribution::Pert, Distribution::Triangular] {
        let f = forecast(&ForecastInput {
            distribution,
            iterations: 3_000,
            ..input(&p, vec![Some(ThreePoint::new(2.0, 5.0, 20.0))])
        })
        .expect("forecast");
        assert_eq!(f.sensitivity.activities, vec![1.0]);
        assert_eq!(f.criticality, vec![1.0]);
    }
}

#[test]
fn triangular_percentiles_match_the_closed_form() {
    // Triangular(0, 0, 10): P(ceil X <= k) = 1 - (10 - k)^2 / 100, so the nearest-rank
    // percentiles are 1 (F = .19), 3 (.51), 6 (.84) and 8 (.96); the neighbouring values are
    // more than 10 standard errors away at 20,000 iterations.
    let p = Problem::new(ProblemSpec { activities: vec![ActivitySpec::new("only", 5)], ..ProblemSpec::default() })
        .expect("valid");
    let f = forecast(&ForecastInput {
        distribution: Distribution::Triangular,
        iterations: 20_000,
        ..input(&p, vec![Some(ThreePoint::new(0.0, 0.0, 10.0))])
    })
    .expect("forecast");
    assert_eq!((f.finish.p10, f.finish.p50, f.finish.p80, f.finish.p95), (1, 3, 6, 8));
    // E[ceil X] = sum over k of P(ceil X > k) = sum_{k=0}^{9} (10 - k)^2 / 100 = 3.85.
    assert!((f.finish.mean - 3.85).abs() < 0.05, "{}", f.finish.mean);
}

/// `mixed_problem`'s network with every activity in one project released at `release`.
fn released(release: i64) -> Problem {
    let mixed = mixed_problem();
    let activities = (0..mixed.len() as u32)
        .map(|i| {
            let mut s = ActivitySpec::new(mixed.key(a(i)), mixed.durations()[i as usize]);
            s.project = Some(ProjectIdx(0));
            s
        })
        .collect();
    let links = mixed_problem_links();
    Problem::new(ProblemSpec {
        activities,
        links,
        projects: vec![ProjectSpec { key: "P".into(), release, due: None, weight: 1 }],
        ..ProblemSpec::default()
    })
    .expect("valid problem")
}

#[test]
fn a_network_too_far_out_for_the_batched_pass_forecasts_the_same_shifted() {
    // Dates of 2^22 periods and more are not exact in the batched pass's f32 lanes, so this
    // network runs one iteration at a time in 64 bits; the near one in batches of lanes.
    let far = 8_000_000;
    let run = |release: i64| {
        let p = released(release);
        forecast(&ForecastInput {
            risks: vec![risk(0.3, ThreePoint::new(1.0, 2.0, 6.0), vec![a(1), a(2)])],
            iterations: 1_001,
            ..input(&p, uncertain(&p))
        })
        .expect("forecast")
    };
    let (near, shifted) = (run(2), run(2 + far));
    // Percentiles exactly `far` later; the means up to rounding of the larger sum.
    let later = |x: &Percentiles, y: &Percentiles| {
        assert_eq!((x.p10, x.p50, x.p80, x.p95), (y.p10 + far, y.p50 + far, y.p80 + far, y.p95 + far));
        assert!((x.mean - y.mean - far as f64).abs() < 1e-6, "{x:?} {y:?}");
    };
    assert!(near.finish.p10 < near.finish.p95, "{:?}", near.finish);
    later(&shifted.finish, &near.finish);
    assert_eq!(shifted.activity_finish.len(), 5);
    for (x, y) in shifted.activity_finish.iter().zip(&near.activity_finish) {
        later(x, y);
    }
    later(&shifted.project_finish[0], &near.project_finish[0]);
    assert_eq!(shifted.histogram, Histogram { start: near.histogram.start + far, ..near.histogram.clone() });
    assert_eq!(shifted.criticality, near.criticality);
    assert_eq!(shifted.sensitivity, near.sensitivity);
    assert_eq!(shifted.risk_p80_contribution, near.risk_p80_contribution);
    assert_eq!(shifted.convergence.p80, near.convergence.p80 + far);
}

#[test]
fn same_seed_gives_the_same_forecast_on_one_and_two_threads() {
    let p = mixed_problem();
    let order: Vec<ActivityIdx> = p.topological().collect();
    for mode in [ForecastMode::NetworkOnly, ForecastMode::ResourceAware { order }] {
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            pool.install(|| {
                forecast(&ForecastInput {
                    risks: vec![risk(0.3, ThreePoint::new(1.0, 2.0, 6.0), vec![a(1), a(2)])],
                    mode: mode.clone(),
                    iterations: 3_001,
                    ..input(&p, uncertain(&p))
                })
                .expect("forecast")
            })
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(3));
        // A different seed samples differently.
        let other = forecast(&ForecastInput { seed: 43, iterations: 3_001, ..input(&p, uncertain(&p)) }).expect("f");
        assert_ne!(one.s_curve, other.s_curve);
    }
}

#[test]
fn without_resources_both_modes_sample_and_schedule_alike() {
    // Serial SGS without resources starts every activity at its earliest link-feasible date,
    // so the resource-aware mode (which draws without the fused forward pass) must agree
    // with the network mode on every figure built from the samples.
    let spec = ProblemSpec {
        activities: (0..6).map(|i| ActivitySpec::new(format!("a{i}"), 2 + i as i64)).collect(),
        links: vec![
            Link::fs(a(0), a(2)),
            Link { from: a(1), to: a(2), kind: LinkKind::StartStart, lag: 2 },
            Link { from: a(2), to: a(4), kind: LinkKind::FinishFinish, lag: -1 },
            Link::fs(a(3), a(4)),
            Link { from: a(4), to: a(5), kind: LinkKind::StartFinish, lag: 3 },
        ],
        ..ProblemSpec::default()
    };
    let p = Problem::new(spec).expect("valid");
    let base = ForecastInput {
        risks: vec![risk(0.4, ThreePoint::new(1.0, 2.0, 5.0), vec![a(2), a(3)])],
        iterations: 1_500,
        ..input(&p, uncertain(&p))
    };
    let net = forecast(&base).expect("network");
    let order: Vec<ActivityIdx> = p.topological().collect();
    let res = forecast(&ForecastInput { mode: ForecastMode::ResourceAware { order }, ..base.clone() }).expect("res");
    assert_eq!(res.finish, net.finish);
    assert_eq!(res.activity_finish, net.activity_finish);
    assert_eq!(res.s_curve, net.s_curve);
    assert_eq!(res.sensitivity, net.sensitivity);
    assert_eq!(res.risk_p80_contribution, net.risk_p80_contribution);
    assert!(net.finish.p10 < net.finish.p95, "{:?}", net.finish);
}

#[test]
fn progress_reports_every_iteration_once_and_leaves_the_result_alone() {
    let p = mixed_problem();
    let base = ForecastInput { iterations: 2_000, ..input(&p, uncertain(&p)) };
    let reports = std::sync::Mutex::new(Vec::new());
    let f = forecast_with_progress(&base, &|done, total| reports.lock().expect("lock").push((done, total)))
        .expect("forecast");
    assert_eq!(f, forecast(&base).expect("forecast"));
    let reports = reports.into_inner().expect("lock");
    assert!(reports.len() > 1, "{reports:?}");
    assert!(reports.iter().all(|&(_, total)| total == 2_000));
    assert!(reports.windows(2).all(|w| w[0].0 < w[1].0), "done grows with every report: {reports:?}");
    assert_eq!(reports.last(), Some(&(2_000, 2_000)));
}

#[test]
fn invalid_inputs_are_rejected_with_the_offending_item() {
    let p = two_branches();
    let err = forecast(&input(&p, vec![None; 2])).unwrap_err();
    assert_eq!(err, ForecastError::EstimateCount { given: 2, activities: 3 });
    let err = forecast(&input(&p, vec![Some(ThreePoint::new(3.0, 2.0, 4.0)), None, None])).unwrap_err();
    assert_eq!(
        err,
        ForecastError::BadEstimate {
            activity: "critical".into(),
            reason: "expected optimistic <= most likely <= pessimistic, got 3, 2, 4".into()
        }
    );
    let err = forecast(&input(&p, vec![Some(ThreePoint::new(f64::NAN, 2.0, 4.0)), None, None])).unwrap_err();
    assert_eq!(err.to_string(), "estimate of activity critical: values must be finite");
    let err = forecast(&ForecastInput { iterations: 0, ..input(&p, vec![None; 3]) }).unwrap_err();
    assert_eq!(err, ForecastError::NoIterations);
    let err = forecast(&ForecastInput { iterations: 1_000_001, ..input(&p, vec![None; 3]) }).unwrap_err();
    assert_eq!(err, ForecastError::TooManyIterations { max: 1_000_000 });
    // 70 risks of a certain 65,535 extra days each: one table entry and 65,536 impact counters
    // per risk, plus one value per fixed activity; the 64th risk crosses the limit.
    let wide = vec![risk(0.1, ThreePoint::fixed(65_535.0), vec![a(0)]); 70];
    let err = forecast(&ForecastInput { risks: wide, ..input(&p, vec![None; 3]) }).unwrap_err();
    assert_eq!(err, ForecastError::TooWide { entries: 64 * 65_537 + 3, max: 1 << 22 });
    let err = forecast(&ForecastInput {
        risks: vec![risk(0.1, ThreePoint::new(10_000.0, 20_000.0, 70_000.0), vec![a(0)])],
        ..input(&p, vec![None; 3])
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "risk vendor late: impact above 65535 periods");
    let err =
        forecast(&ForecastInput { risks: vec![risk(1.5, ThreePoint::fixed(1.0), vec![])], ..input(&p, vec![None; 3]) })
            .unwrap_err();
    assert_eq!(err.to_string(), "risk vendor late: probability 1.5 is outside 0..=1");
    let err = forecast(&ForecastInput {
        risks: vec![risk(0.5, ThreePoint::fixed(1.0), vec![a(7)])],
        ..input(&p, vec![None; 3])
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "risk vendor late: hits activity #7, which does not exist");
    let err = forecast(&ForecastInput {
        mode: ForecastMode::ResourceAware { order: vec![a(2), a(0), a(1)] },
        ..input(&p, vec![None; 3])
    })
    .unwrap_err();
    assert_eq!(
        err,
        ForecastError::Engine(EngineError::InvalidOrder { reason: "end comes before its predecessor critical".into() })
    );
}

#[test]
fn pert_forecast_is_calibrated_against_independently_drawn_outcomes() {
    // A chain of 30 activities; "actual" projects are drawn with rand_distr's Beta sampler on
    // its own ChaCha stream, rounded up like the forecast. The forecast (20,000 iterations)
    // P50 and P80 must cover 50 % and 80 % of 20,000 actual outcomes within 2 points.
    // Binomial standard error of the coverage: sqrt(.5 * .5 / 20,000) = 0.35 % for P50 and
    // sqrt(.8 * .2 / 20,000) = 0.28 % for P80; the forecast's own quantile error adds about
    // sqrt(.25 / 20,000) = 0.35 %, so the combined error is at most 0.5 % and 2 % is 4
    // standard errors. Ties at the percentile itself (a discrete total) add at most the mass
    // of one value, about 0.15 % here (standard deviation of the total ~ 260 periods).
    let estimates: Vec<ThreePoint> = (0..30)
        .map(|i| {
            ThreePoint::new(50.0 + (i % 5) as f64 * 5.0, 100.0 + (i % 7) as f64 * 5.0, 300.0 + (i % 11) as f64 * 15.0)
        })
        .collect();
    let activities = (0..30).map(|i| ActivitySpec::new(format!("a{i}"), 0)).collect();
    let links = (0..29).map(|i| Link::fs(a(i), a(i + 1))).collect();
    let p = Problem::new(ProblemSpec { activities, links, ..ProblemSpec::default() }).expect("valid");
    let f = forecast(&ForecastInput {
        iterations: 20_000,
        seed: 7,
        ..input(&p, estimates.iter().map(|&e| Some(e)).collect())
    })
    .expect("forecast");
    let mut rng = ChaCha8Rng::seed_from_u64(0xC0FFEE);
    let betas: Vec<Beta<f64>> = estimates
        .iter()
        .map(|e| {
            let (lo, m, hi) = (e.optimistic, e.most_likely, e.pessimistic);
            Beta::new(1.0 + 4.0 * (m - lo) / (hi - lo), 1.0 + 4.0 * (hi - m) / (hi - lo)).expect("beta")
        })
        .collect();
    let draws = 20_000;
    let (mut within_p50, mut within_p80) = (0, 0);
    for _ in 0..draws {
        let total: i64 = estimates
            .iter()
            .zip(&betas)
            .map(|(e, b)| (e.optimistic + (e.pessimistic - e.optimistic) * b.sample(&mut rng)).ceil() as i64)
            .sum();
        within_p50 += i64::from(total <= f.finish.p50);
        within_p80 += i64::from(total <= f.finish.p80);
    }
    let (c50, c80) = (within_p50 as f64 / draws as f64, within_p80 as f64 / draws as f64);
    assert!((c50 - 0.5).abs() <= 0.02, "P50 {} covers {c50}", f.finish.p50);
    assert!((c80 - 0.8).abs() <= 0.02, "P80 {} covers {c80}", f.finish.p80);
    // The last tenth of 20,000 iterations moves the P80 (~4,690) by at most 0.1 %.
    assert!(f.convergence.p80_shift_last_tenth <= 5, "{:?}", f.convergence);
    assert_eq!(f.convergence.p80, f.finish.p80);
    // Every activity of a chain is always critical and drives the finish the same way.
    assert_eq!(f.criticality, vec![1.0; 30]);
    assert!(f.sensitivity.activities.iter().all(|&r| r > 0.05 && r < 0.5), "{:?}", f.sensitivity.activities);
}

/// A random small project: links go from lower to higher index (acyclic), with random
/// kinds, lags and demands within capacity.
fn small_project() -> impl Strategy<Value = (ProblemSpec, Vec<(f64, f64, f64)>, u64)> {
    (2usize..10, any::<u64>()).prop_map(|(n, seed)| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let kinds = [LinkKind::FinishStart, LinkKind::StartStart, LinkKind::FinishFinish, LinkKind::StartFinish];
        let activities = (0..n)
            .map(|i| {
                let mut s = ActivitySpec::new(format!("a{i}"), rng.random_range(0..6));
                if rng.random_bool(0.7) {
                    s.demands.push((ResourceIdx(rng.random_range(0..2)), rng.random_range(1..3)));
                }
                s
            })
            .collect();
        let mut links = Vec::new();
        for j in 1..n {
            for i in 0..j {
                if rng.random_bool(0.3) {
                    links.push(Link {
                        from: a(i as u32),
                        to: a(j as u32),
                        kind: kinds[rng.random_range(0..4)],
                        lag: rng.random_range(-2..3),
                    });
                }
            }
        }
        let resources = (0..2)
            .map(|r| ResourceSpec {
                key: format!("r{r}"),
                capacity: rng.random_range(2..4),
                windows: vec![],
                off_periods: vec![],
            })
            .collect();
        let estimates = (0..n)
            .map(|_| {
                let lo = rng.random_range(0.0..4.0);
                let m = lo + rng.random_range(0.0..3.0);
                (lo, m, m + rng.random_range(0.0..6.0))
            })
            .collect();
        (ProblemSpec { activities, links, resources, projects: vec![] }, estimates, seed)
    })
}

/// A random network with many links per activity (more than one link group), every link
/// kind, leads and lags, and projects with release dates.
fn dense_network() -> impl Strategy<Value = ProblemSpec> {
    (2usize..24, any::<u64>()).prop_map(|(n, seed)| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let kinds = [LinkKind::FinishStart, LinkKind::StartStart, LinkKind::FinishFinish, LinkKind::StartFinish];
        let activities = (0..n)
            .map(|i| {
                let mut s = ActivitySpec::new(format!("a{i}"), rng.random_range(0..7));
                s.project = rng.random_bool(0.5).then(|| ProjectIdx(rng.random_range(0..2)));
                s
            })
            .collect();
        let mut links = Vec::new();
        for j in 1..n {
            for i in 0..j {
                if rng.random_bool(0.45) {
                    let (kind, lag) = (kinds[rng.random_range(0..4)], rng.random_range(-3..4));
                    links.push(Link { from: a(i as u32), to: a(j as u32), kind, lag });
                }
            }
        }
        let projects = (0..2)
            .map(|k| ProjectSpec { key: format!("p{k}"), release: rng.random_range(0..5), due: None, weight: 1 })
            .collect();
        ProblemSpec { activities, links, resources: vec![], projects }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The forecast's forward pass and its criticality search (back from the last finishers
    /// along links that hold with equality) agree with the CPM's early finishes and zero
    /// total float on any network.
    #[test]
    fn certain_durations_reproduce_cpm_finishes_and_zero_float(spec in dense_network()) {
        let p = Problem::new(spec).expect("valid");
        let cpm = critical_path(&p);
        let f = forecast(&ForecastInput { iterations: 20, ..input(&p, fixed(&p)) }).expect("forecast");
        prop_assert_eq!(f.finish, exactly(cpm.horizon));
        let finishes: Vec<Percentiles> = cpm.early_finish.iter().map(|&x| exactly(x)).collect();
        prop_assert_eq!(f.activity_finish, finishes);
        let critical: Vec<f64> = cpm.total_float.iter().map(|&t| if t <= 0 { 1.0 } else { 0.0 }).collect();
        prop_assert_eq!(f.criticality, critical);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn percentiles_are_ordered_and_resources_never_help((spec, est, seed) in small_project()) {
        let p = Problem::new(spec).expect("valid");
        let estimates: Vec<Option<ThreePoint>> = est.iter().map(|&(x, y, z)| Some(ThreePoint::new(x, y, z))).collect();
        let risks = vec![risk(0.4, ThreePoint::new(0.0, 1.0, 3.0), vec![a(0)])];
        let base = ForecastInput { risks, iterations: 300, seed, ..input(&p, estimates) };
        let net = forecast(&base).expect("network");
        let order: Vec<ActivityIdx> = p.topological().collect();
        let res = forecast(&ForecastInput { mode: ForecastMode::ResourceAware { order }, ..base.clone() }).expect("resource");
        for f in [&net, &res] {
            for x in std::iter::once(&f.finish).chain(&f.activity_finish) {
                prop_assert!(x.p10 <= x.p50 && x.p50 <= x.p80 && x.p80 <= x.p95, "{:?}", x);
            }
            prop_assert!(f.criticality.iter().all(|&c| (0.0..=1.0).contains(&c)));
            prop_assert!(f.sensitivity.activities.iter().all(|&r| (-1.0..=1.0).contains(&r)));
        }
        // Same samples per iteration: the SGS can only delay, so every percentile is later.
        prop_assert!(res.finish.p50 >= net.finish.p50);
        prop_assert!(res.finish.p10 >= net.finish.p10 && res.finish.p95 >= net.finish.p95);
        prop_assert!(res.finish.mean >= net.finish.mean);
    }
}

#[test]
fn a_resource_aware_forecast_over_hundreds_of_millions_of_periods_runs_on_breakpoint_lists() {
    // Estimates of 100 million periods: a time-indexed profile would hold 300 million periods
    // per resource and book each activity's every period (it once ran out of memory).
    let p = mixed_problem();
    let mut estimates = fixed(&p);
    for e in estimates.iter_mut().take(3) {
        *e = Some(ThreePoint::fixed(1.0e8));
    }
    let order = solve(&p, &SolveOptions { max_schedules: Some(50), ..SolveOptions::default() }).order;
    let resources = forecast(&ForecastInput {
        mode: ForecastMode::ResourceAware { order },
        iterations: 10,
        ..input(&p, estimates.clone())
    })
    .expect("resource-aware");
    let network = forecast(&ForecastInput { iterations: 10, ..input(&p, estimates) }).expect("network-only");
    // By links alone: spec [0, 1e8), api [1e8, 2e8), docs finishes 1 after api, launch then.
    assert_eq!((network.finish.p10, network.finish.p95), (200_000_001, 200_000_001));
    // With the one developer, ui [1, 1e8 + 1) goes first and api waits for it until 1e8 + 1.
    assert_eq!((resources.finish.p10, resources.finish.p95), (200_000_002, 200_000_002));
}
