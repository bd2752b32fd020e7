//! Network-only Monte Carlo forecast: 10,000 iterations on 2,000 activities and 6,000 links
//! (target: under 0.1 s on 2 cores).
//!
//! `--once` (run the bench binary directly, e.g. under `valgrind --tool=callgrind`) runs one
//! forecast and prints its P80 instead: an instruction count does not depend on the load of
//! a shared machine, a time does. It also prints a digest of the whole result.

use criterion::{Criterion, criterion_group};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use tandem_engine::*;

/// A random DAG: each link goes forward within a window of 200, which keeps paths long.
fn random_project(n: usize, links: usize) -> (Problem, Vec<Option<ThreePoint>>) {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let activities = (0..n).map(|i| ActivitySpec::new(format!("a{i}"), rng.random_range(1..15))).collect();
    let links = (0..links)
        .map(|_| {
            let i = rng.random_range(0..n - 1);
            let j = (i + 1 + rng.random_range(0..200)).min(n - 1);
            Link::fs(ActivityIdx(i as u32), ActivityIdx(j as u32))
        })
        .collect();
    let problem = Problem::new(ProblemSpec { activities, links, ..ProblemSpec::default() }).expect("valid");
    let estimates = problem
        .durations()
        .iter()
        .map(|&d| {
            let d = d as f64;
            Some(ThreePoint::new(d * 0.7, d, d * 1.8 + 1.0))
        })
        .collect();
    (problem, estimates)
}

fn bench_input(problem: &Problem, estimates: Vec<Option<ThreePoint>>) -> ForecastInput<'_> {
    ForecastInput {
        problem,
        estimates,
        distribution: Distribution::Pert,
        risks: Vec::new(),
        mode: ForecastMode::NetworkOnly,
        iterations: 10_000,
        seed: 1,
    }
}

fn bench(c: &mut Criterion) {
    let (problem, estimates) = random_project(2_000, 6_000);
    let input = bench_input(&problem, estimates);
    let mut g = c.benchmark_group("forecast");
    g.sample_size(10);
    g.bench_function("network-only 10k iterations, 2k activities, 6k links", |b| {
        b.iter(|| black_box(forecast(black_box(&input)).expect("forecast")).finish.p80)
    });
    g.finish();
}

criterion_group!(benches, bench);

#[allow(clippy::print_stdout, reason = "`--once` reports on stdout")]
fn main() {
    if std::env::args().any(|a| a == "--once") {
        let (problem, estimates) = random_project(2_000, 6_000);
        let f = forecast(&bench_input(&problem, estimates)).expect("forecast");
        // A digest of the whole result shows whether a change to the engine altered any output.
        let digest = format!("{f:?}")
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        println!("p80 {} (p10 {}, p95 {}), result digest {digest:016x}", f.finish.p80, f.finish.p10, f.finish.p95);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
