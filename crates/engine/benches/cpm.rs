//! Critical path on 1,000,000 activities and 4,000,000 links (target: under 0.3 s).

use criterion::{Criterion, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use tandem_engine::*;

fn big_problem(n: usize, links_per_activity: usize) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let kinds = [LinkKind::FinishStart, LinkKind::StartStart, LinkKind::FinishFinish, LinkKind::StartFinish];
    let activities = (0..n).map(|i| ActivitySpec::new(format!("a{i}"), rng.random_range(0..20))).collect();
    let mut links = Vec::with_capacity(n * links_per_activity);
    for i in 0..n.saturating_sub(1) {
        for _ in 0..links_per_activity {
            // Successors within a window keep the graph deep (long paths), not a flat fan.
            let j = (i + 1 + rng.random_range(0..1_000)).min(n - 1);
            links.push(Link {
                from: ActivityIdx(i as u32),
                to: ActivityIdx(j as u32),
                kind: kinds[rng.random_range(0..4)],
                lag: rng.random_range(-2..5),
            });
        }
    }
    Problem::new(ProblemSpec { activities, links, ..ProblemSpec::default() }).expect("valid")
}

fn bench(c: &mut Criterion) {
    let p = big_problem(1_000_000, 4);
    let mut g = c.benchmark_group("cpm");
    g.sample_size(10);
    g.bench_function("critical_path 1M activities 4M links", |b| {
        b.iter(|| black_box(critical_path(black_box(&p))).horizon)
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
