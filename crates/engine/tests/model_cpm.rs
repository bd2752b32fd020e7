//! Hand-made networks with exact expected dates, and validation errors.

use tandem_engine::*;

fn act(key: &str, d: i64) -> ActivitySpec {
    ActivitySpec::new(key, d)
}

fn link(from: u32, to: u32, kind: LinkKind, lag: i64) -> Link {
    Link { from: ActivityIdx(from), to: ActivityIdx(to), kind, lag }
}

/// A(3) B(2) C(4) D(1) E(2) with all four link types, a positive, zero and negative lag:
/// A-FS+1->B, A-SS+2->C, B-FF0->D, C-SF+3->D, C-FS-1->E, D-FS0->E.
fn five() -> Problem {
    use LinkKind::*;
    Problem::new(ProblemSpec {
        activities: vec![act("A", 3), act("B", 2), act("C", 4), act("D", 1), act("E", 2)],
        links: vec![
            link(0, 1, FinishStart, 1),
            link(0, 2, StartStart, 2),
            link(1, 3, FinishFinish, 0),
            link(2, 3, StartFinish, 3),
            link(2, 4, FinishStart, -1),
            link(3, 4, FinishStart, 0),
        ],
        ..ProblemSpec::default()
    })
    .expect("valid")
}

#[test]
fn five_activity_network_with_all_link_types() {
    let p = five();
    let c = critical_path(&p);
    assert_eq!(c.horizon, 8);
    assert_eq!(c.early_start, vec![0, 4, 2, 5, 6]);
    assert_eq!(c.early_finish, vec![3, 6, 6, 6, 8]);
    assert_eq!(c.late_start, vec![0, 4, 3, 5, 6]);
    assert_eq!(c.late_finish, vec![3, 6, 7, 6, 8]);
    assert_eq!(c.total_float, vec![0, 0, 1, 0, 0]);
    assert_eq!(c.free_float, vec![0, 0, 1, 0, 0]);
    let names = |v: &[ActivityIdx]| v.iter().map(|&a| p.key(a).to_string()).collect::<Vec<_>>();
    assert_eq!(names(&c.critical_activities(&p)), ["A", "B", "D", "E"]);
    let cp = c.critical_path(&p);
    assert_eq!(names(&cp.activities), ["A", "B", "D", "E"]);
    assert_eq!(cp.origin, PathOrigin::TimeZero);
    assert_eq!(cp.links[1].driver, Driver::Link(LinkKind::FinishFinish, 0));
    // Why does C start at 2? Because A started at 0 and A-SS+2->C binds.
    let why = c.driving_path(&p, ActivityIdx(2));
    assert_eq!(names(&why.activities), ["A", "C"]);
    assert_eq!(why.links[0].driver, Driver::Link(LinkKind::StartStart, 2));
}

#[test]
fn release_dates_shift_early_dates_and_drive_paths() {
    let mut spec = ProblemSpec {
        activities: vec![act("x", 2), act("y", 3)],
        links: vec![link(0, 1, LinkKind::FinishStart, 0)],
        projects: vec![ProjectSpec { key: "P".into(), release: 5, due: Some(8), weight: 2 }],
        ..ProblemSpec::default()
    };
    for a in &mut spec.activities {
        a.project = Some(ProjectIdx(0));
    }
    let p = Problem::new(spec).expect("valid");
    let c = critical_path(&p);
    assert_eq!(c.early_start, vec![5, 7]);
    assert_eq!(c.horizon, 10);
    let why = c.driving_path(&p, ActivityIdx(1));
    assert_eq!(why.origin, PathOrigin::Release);
    assert_eq!(why.activities, vec![ActivityIdx(0), ActivityIdx(1)]);
    let sol = solve(&p, &SolveOptions { objective: Objective::TotalWeightedTardiness, ..SolveOptions::default() });
    assert_eq!(sol.objective.total_weighted_tardiness, 4);
    assert_eq!(sol.objective.total_weighted_delay, 0);
    assert_eq!(sol.objective.tms, 5);
}

#[test]
fn cycles_are_reported_whole() {
    use LinkKind::FinishStart as FS;
    let err = Problem::new(ProblemSpec {
        activities: vec![act("start", 1), act("a", 1), act("b", 1), act("c", 1), act("end", 1)],
        links: vec![link(0, 1, FS, 0), link(1, 2, FS, 0), link(2, 3, FS, 0), link(3, 1, FS, 0), link(3, 4, FS, 0)],
        ..ProblemSpec::default()
    })
    .unwrap_err();
    let EngineError::Cycle { activities } = &err else {
        panic!("expected a cycle, got {err}");
    };
    let mut sorted = activities.clone();
    sorted.sort();
    assert_eq!(sorted, ["a", "b", "c"]);
    // Listed in link direction: some rotation of a -> b -> c.
    let k = activities.iter().position(|x| x == "a").expect("a");
    assert_eq!(activities[(k + 1) % 3], "b");
    assert_eq!(activities[(k + 2) % 3], "c");
    assert!(err.to_string().starts_with("precedence cycle: "));
}

#[test]
fn validation_names_offending_items() {
    let res = vec![ResourceSpec { key: "dev".into(), capacity: 3, windows: vec![], off_periods: vec![] }];
    let err = Problem::new(ProblemSpec {
        activities: vec![act("A", 1), act("B", 1)],
        links: vec![link(0, 7, LinkKind::StartStart, 0)],
        ..ProblemSpec::default()
    })
    .unwrap_err();
    assert_eq!(err, EngineError::DanglingLink { link: 0, from: "A".into(), to: "#7 (no such activity)".into() });
    let mut b = act("B", 2);
    b.demands.push((ResourceIdx(0), 5));
    let err = Problem::new(ProblemSpec {
        activities: vec![act("A", 1), b],
        resources: res.clone(),
        ..ProblemSpec::default()
    })
    .unwrap_err();
    assert_eq!(
        err,
        EngineError::DemandAboveCapacity { activity: "B".into(), resource: "dev".into(), demand: 5, capacity: 3 }
    );
    assert_eq!(err.to_string(), "activity B demands 5 of resource dev, whose capacity is 3");
    let err = Problem::new(ProblemSpec { activities: vec![act("A", -2)], ..ProblemSpec::default() }).unwrap_err();
    assert_eq!(err, EngineError::NegativeDuration { activity: "A".into(), duration: -2 });
}

#[test]
fn demands_listed_twice_on_one_resource_add_up() {
    let res = vec![ResourceSpec { key: "dev".into(), capacity: 4, windows: vec![], off_periods: vec![] }];
    // 2 + 2 fits a crew of 4: the two 3-period jobs cannot overlap, so the makespan is 6.
    let twice = |key: &str, a: i64, b: i64| {
        let mut x = act(key, 3);
        x.demands.extend([(ResourceIdx(0), a), (ResourceIdx(0), b)]);
        x
    };
    let p = Problem::new(ProblemSpec {
        activities: vec![twice("A", 2, 2), twice("B", 1, 2)],
        resources: res.clone(),
        ..ProblemSpec::default()
    })
    .expect("valid");
    let s = solve(&p, &SolveOptions { max_schedules: Some(50), ..SolveOptions::default() });
    assert_eq!(s.objective.makespan, 6);
    assert_eq!(check_schedule(&p, &s.schedule), Ok(()));
    // 3 + 2 on one resource is a demand of 5, above the crew of 4.
    let err =
        Problem::new(ProblemSpec { activities: vec![twice("C", 3, 2)], resources: res, ..ProblemSpec::default() })
            .unwrap_err();
    assert_eq!(
        err,
        EngineError::DemandAboveCapacity { activity: "C".into(), resource: "dev".into(), demand: 5, capacity: 4 }
    );
}

#[test]
fn capacity_windows_are_respected() {
    // Two 2-period jobs needing the whole crew of 2; the crew is 0 in periods 1..3 (holiday).
    let mut a = act("a", 2);
    a.demands.push((ResourceIdx(0), 2));
    let mut b = act("b", 2);
    b.demands.push((ResourceIdx(0), 2));
    let p = Problem::new(ProblemSpec {
        activities: vec![a, b],
        resources: vec![ResourceSpec {
            key: "crew".into(),
            capacity: 2,
            windows: vec![CapacityWindow { start: 1, end: 3, capacity: 0 }],
            off_periods: Vec::new(),
        }],
        ..ProblemSpec::default()
    })
    .expect("valid");
    let sol = solve(&p, &SolveOptions::default());
    check_schedule(&p, &sol.schedule).expect("feasible");
    assert_eq!(sol.objective.makespan, 7);
    let s = decode_serial(&p, &[ActivityIdx(1), ActivityIdx(0)], &[2, 1]).expect("decode");
    assert_eq!(s.start, vec![3, 0]);
    assert!(decode_serial(&p, &[ActivityIdx(1)], &[2, 2]).is_err());
    // A hand-made infeasible schedule is caught by the checker.
    let bad = Schedule { start: vec![0, 0], finish: vec![2, 2] };
    let v = check_schedule(&p, &bad).unwrap_err();
    assert!(matches!(v[0], Violation::Capacity { period: 0, usage: 4, capacity: 2, .. }));
}

#[test]
fn order_must_respect_links() {
    let p = five();
    let bad: Vec<ActivityIdx> = [1, 0, 2, 3, 4].map(ActivityIdx).to_vec();
    let err = decode_serial(&p, &bad, p.durations()).unwrap_err();
    assert_eq!(err.to_string(), "invalid activity order: B comes before its predecessor A");
    let ok: Vec<ActivityIdx> = p.topological().collect();
    let s = decode_serial(&p, &ok, p.durations()).expect("decode");
    assert_eq!(s.start, critical_path(&p).early_start);
}

#[test]
fn driving_path_in_a_resource_schedule_names_the_resource() {
    let mut a = act("a", 2);
    a.demands.push((ResourceIdx(0), 1));
    let mut b = act("b", 3);
    b.demands.push((ResourceIdx(0), 1));
    let p = Problem::new(ProblemSpec {
        activities: vec![a, b],
        resources: vec![ResourceSpec { key: "dev".into(), capacity: 1, windows: vec![], off_periods: vec![] }],
        ..ProblemSpec::default()
    })
    .expect("valid");
    let s = decode_serial(&p, &[ActivityIdx(0), ActivityIdx(1)], p.durations()).expect("decode");
    assert_eq!(s.start, vec![0, 2]);
    let why = schedule_driving_path(&p, &s, ActivityIdx(1));
    assert_eq!(why.activities, vec![ActivityIdx(0), ActivityIdx(1)]);
    assert_eq!(why.links[0].driver, Driver::Resource(ResourceIdx(0)));
    assert_eq!(why.origin, PathOrigin::TimeZero);
}

#[test]
fn time_values_beyond_the_engines_span_are_refused_not_allocated() {
    // Before the bound, a duration of i64::MAX wrapped the horizon sum and the scheduler
    // tried to allocate a profile of billions of periods (the process aborted).
    let err = Problem::new(ProblemSpec { activities: vec![act("A", i64::MAX), act("B", 3)], ..ProblemSpec::default() })
        .unwrap_err();
    assert_eq!(err, EngineError::SpanTooLong { periods: None, limit: MAX_SPAN });
    assert_eq!(
        err.to_string(),
        "durations, lags, release dates and capacity windows add up to more than 2^63 periods; \
         the engine plans over at most 2147483647"
    );
    // Lags count by magnitude, a project's release date and a window's end once.
    let mut a = act("A", 1);
    a.project = Some(ProjectIdx(0));
    let err = Problem::new(ProblemSpec {
        activities: vec![a, act("B", 1)],
        links: vec![link(0, 1, LinkKind::FinishStart, -(MAX_SPAN / 2))],
        projects: vec![ProjectSpec { key: "p".into(), release: MAX_SPAN / 2, due: None, weight: 1 }],
        ..ProblemSpec::default()
    })
    .unwrap_err();
    // 1 + 1 + 1073741823 + 1073741823 + 2 margin.
    assert_eq!(err, EngineError::SpanTooLong { periods: Some(2_147_483_650), limit: MAX_SPAN });
    // A capacity window's end counts: one ending at MAX_SPAN leaves no room.
    let windowed = vec![ResourceSpec {
        key: "dev".into(),
        capacity: 1,
        windows: vec![CapacityWindow { start: 0, end: MAX_SPAN, capacity: 0 }],
        off_periods: Vec::new(),
    }];
    let err =
        Problem::new(ProblemSpec { activities: vec![act("A", 1)], resources: windowed, ..ProblemSpec::default() })
            .unwrap_err();
    assert_eq!(err, EngineError::SpanTooLong { periods: Some(MAX_SPAN + 3), limit: MAX_SPAN });
}

#[test]
fn activities_of_millions_of_periods_on_shared_resources_schedule() {
    // Two activities of 60 million periods that cannot overlap on one resource, and a third
    // that fits beside either: the time-indexed profile made every schedule book 60 million
    // periods (a run took hours); breakpoint lists take them in microseconds.
    let res = vec![ResourceSpec {
        key: "dev".into(),
        capacity: 3,
        windows: vec![CapacityWindow { start: 10, end: 20, capacity: 1 }],
        off_periods: Vec::new(),
    }];
    let on_dev = |key: &str, d: i64, q: i64| {
        let mut a = act(key, d);
        a.demands.push((ResourceIdx(0), q));
        a
    };
    let p = Problem::new(ProblemSpec {
        activities: vec![on_dev("A", 60_000_000, 2), on_dev("B", 60_000_000, 2), on_dev("C", 5, 1)],
        resources: res,
        ..ProblemSpec::default()
    })
    .expect("valid");
    let solution = solve(&p, &SolveOptions { max_schedules: Some(1_000), ..SolveOptions::default() });
    assert_eq!(check_schedule(&p, &solution.schedule), Ok(()));
    // Neither A nor B (2 units) can span the window of capacity 1: the first starts at its
    // end, 20, the other after it; C (1 unit) runs from 0, before the window.
    assert_eq!(solution.objective.makespan, 120_000_020);
    let mut starts = solution.schedule.start.clone();
    starts[..2].sort_unstable();
    assert_eq!(starts, vec![20, 60_000_020, 0]);
}

#[test]
fn capacities_weights_and_due_dates_out_of_range_are_named() {
    let big = ResourceSpec { key: "dev".into(), capacity: MAX_CAPACITY + 1, windows: vec![], off_periods: vec![] };
    let err =
        Problem::new(ProblemSpec { activities: vec![act("A", 1)], resources: vec![big], ..ProblemSpec::default() })
            .unwrap_err();
    assert_eq!(err.to_string(), "resource dev capacity is 2147483648; the engine accepts at most 2147483647");
    let windowed = ResourceSpec {
        key: "ops".into(),
        capacity: 2,
        windows: vec![CapacityWindow { start: 0, end: 5, capacity: i64::MAX }],
        off_periods: Vec::new(),
    };
    let err = Problem::new(ProblemSpec {
        activities: vec![act("A", 1)],
        resources: vec![windowed],
        ..ProblemSpec::default()
    })
    .unwrap_err();
    assert_eq!(
        err,
        EngineError::OutOfRange { item: "resource ops capacity".into(), value: i64::MAX, limit: MAX_CAPACITY }
    );
    let project = |due: Option<i64>, weight: i64| {
        let mut a = act("A", 1);
        a.project = Some(ProjectIdx(0));
        Problem::new(ProblemSpec {
            activities: vec![a],
            projects: vec![ProjectSpec { key: "p".into(), release: 0, due, weight }],
            ..ProblemSpec::default()
        })
    };
    assert_eq!(
        project(None, MAX_WEIGHT + 1).unwrap_err().to_string(),
        "project p weight is 1000001; the engine accepts at most 1000000"
    );
    assert_eq!(
        project(Some(i64::MIN), 1).unwrap_err(),
        EngineError::OutOfRange { item: "project p due date".into(), value: i64::MIN, limit: MAX_SPAN }
    );
    assert!(project(Some(-MAX_SPAN), MAX_WEIGHT).is_ok());
}

#[test]
fn other_durations_beyond_the_span_are_refused() {
    let p = five();
    let mut durations = p.durations().to_vec();
    durations[2] = i64::MAX;
    let expected = EngineError::SpanTooLong { periods: None, limit: MAX_SPAN };
    assert_eq!(critical_path_with(&p, &durations).unwrap_err(), expected);
    let order: Vec<ActivityIdx> = (0..5).map(ActivityIdx).collect();
    assert_eq!(decode_serial(&p, &order, &durations).unwrap_err(), expected);
}

/// A predecessor whose finish falls on its successor's days off does not drive it: the successor
/// would wait for its next working period anyway, and the predecessor has float.
#[test]
fn a_link_onto_days_off_leaves_float_and_does_not_drive() {
    let spec = |off: Vec<OffPeriod>| {
        let mut a = act("A", 1);
        a.demands.push((ResourceIdx(0), 1));
        let mut b = act("B", 2);
        b.demands.push((ResourceIdx(1), 1));
        ProblemSpec {
            activities: vec![a, b],
            links: vec![Link::fs(ActivityIdx(0), ActivityIdx(1))],
            resources: vec![
                ResourceSpec { key: "x".into(), capacity: 1, windows: vec![], off_periods: vec![] },
                ResourceSpec { key: "y".into(), capacity: 1, windows: vec![], off_periods: off },
            ],
            projects: vec![],
        }
    };
    let p = Problem::new(spec(vec![OffPeriod { start: 1, end: 3 }])).expect("valid");
    let cpm = critical_path(&p);
    // B could start at 1 after A, but y is off in 1 and 2.
    assert_eq!((cpm.early_start.clone(), cpm.early_finish.clone()), (vec![0, 3], vec![1, 5]));
    assert_eq!(cpm.total_float, vec![2, 0]);
    assert_eq!(cpm.free_float, vec![2, 0]);
    let why = cpm.driving_path(&p, ActivityIdx(1));
    assert_eq!(why.activities, vec![ActivityIdx(1)]);
    assert_eq!(why.origin, PathOrigin::OffPeriods);
    let schedule = solve(&p, &SolveOptions::default()).schedule;
    let why = schedule_driving_path(&p, &schedule, ActivityIdx(1));
    assert_eq!((why.activities, why.origin), (vec![ActivityIdx(1)], PathOrigin::OffPeriods));

    // Without the days off, A drives B.
    let p = Problem::new(spec(vec![])).expect("valid");
    let why = critical_path(&p).driving_path(&p, ActivityIdx(1));
    assert_eq!((why.activities, why.origin), (vec![ActivityIdx(0), ActivityIdx(1)], PathOrigin::TimeZero));
}
