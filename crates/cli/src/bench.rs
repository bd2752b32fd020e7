//! `tandem bench psplib|mpsplib DIR`: runs the scheduler on benchmark sets and compares with
//! the critical-path bound, best-known makespans (PSPLIB) or the P-SGS/MINSLK results
//! (MPSPLIB). Instances run in parallel on `--threads` threads; each instance's result is
//! deterministic for its seed when only `--schedules` bounds it.
//!
//! `tandem bench forecast [--iterations N] [--resources]`: loads the demo program into a
//! temporary SQLite database and times its Monte Carlo forecast, network only and (with
//! `--resources`) resource-aware, on `--threads` threads.
// A command-line report: printing to stdout is its job.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use tandem_domain::forecasting::{ForecastOptions, forecast_input};
use tandem_domain::planning::{PlanningInput, build_problem, load_planning_input};
use tandem_domain::{PageRequest, ProgramFilter, Store};
use tandem_engine::{
    Distribution, ForecastMode, Objective, Problem, SolveOptions, check_schedule, parse_psplib, solve,
};
use tandem_store_sqlite::SqliteStore;

/// Which library.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchKind {
    /// PSPLIB single-project sets (j30, j60, j90, j120).
    Psplib,
    /// MPSPLIB multi-project instances.
    Mpsplib,
    /// The Monte Carlo forecast of the demo program (no DIR).
    Forecast,
}

/// Arguments of `tandem bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// psplib, mpsplib or forecast.
    #[arg(value_enum)]
    pub kind: BenchKind,
    /// A set directory (e.g. .../psplib/j30), the PSPLIB root holding j30..j120, or the
    /// MPSPLIB instances directory.
    #[arg(required_if_eq_any([("kind", "psplib"), ("kind", "mpsplib")]))]
    pub dir: Option<PathBuf>,
    /// forecast: Monte Carlo iterations per run.
    #[arg(long, default_value_t = 10_000, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(tandem_engine::forecast::MAX_ITERATIONS)))]
    pub iterations: u32,
    /// forecast: also time the resource-aware forecast.
    #[arg(long)]
    pub resources: bool,
    /// forecast: timed runs of each mode (the best and the median are reported).
    #[arg(long, default_value_t = 3, value_name = "R", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub runs: u32,
    /// Schedule budget per instance (SGS passes, justification included).
    #[arg(long)]
    pub schedules: Option<u64>,
    /// Wall-time limit per instance, in seconds.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run only K instances per set, spread evenly over it.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Islands per instance (default: chosen by the engine from the budget).
    #[arg(long)]
    pub islands: Option<usize>,
    /// Population per island (default: chosen by the engine from the budget).
    #[arg(long)]
    pub population: Option<usize>,
    /// Solve one instance at a time (its islands then share all threads) instead of one
    /// instance per thread.
    #[arg(long)]
    pub sequential: bool,
}

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = args.threads {
        pool = pool.num_threads(t);
    }
    let pool = pool.build().context("building thread pool")?;
    pool.install(|| match (args.kind, &args.dir) {
        (BenchKind::Psplib, Some(dir)) => psplib(args, dir),
        (BenchKind::Mpsplib, Some(dir)) => mpsplib(args, dir),
        (BenchKind::Psplib | BenchKind::Mpsplib, None) => bail!("give the benchmark directory"),
        (BenchKind::Forecast, _) => forecast(args),
    })
}

fn options(args: &BenchArgs, objective: Objective) -> SolveOptions {
    SolveOptions {
        objective,
        max_schedules: match (args.schedules, args.time_limit) {
            (None, Some(_)) => None,
            (s, _) => Some(s.unwrap_or(5_000)),
        },
        time_limit: args.time_limit.map(Duration::from_secs_f64),
        seed: args.seed,
        islands: args.islands,
        population: args.population,
    }
}

/// Natural order: j301_2 before j3010_1 (by parameter, then instance number).
fn natural_key(name: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut cur: Option<u64> = None;
    for c in name.chars() {
        if let Some(d) = c.to_digit(10) {
            cur = Some(cur.unwrap_or(0) * 10 + d as u64);
        } else if let Some(v) = cur.take() {
            out.push(v);
        }
    }
    out.extend(cur);
    out
}

fn files(dir: &Path, ext: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort_by_key(|p| {
        let s = p.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
        (natural_key(&s), s)
    });
    Ok(v)
}

fn sample<T: Clone>(v: Vec<T>, limit: Option<usize>) -> Vec<T> {
    match limit {
        Some(k) if k < v.len() && k > 0 => (0..k).map(|i| v[i * v.len() / k].clone()).collect(),
        _ => v,
    }
}

/// Runs `f` on every file, in parallel on the current pool unless `sequential`; results
/// keep the input order.
fn for_each_instance<T: Send>(list: &[PathBuf], sequential: bool, f: impl Fn(&PathBuf) -> T + Sync + Send) -> Vec<T> {
    if sequential { list.iter().map(f).collect() } else { list.par_iter().map(f).collect() }
}

fn bar(n: usize, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(n as u64);
    if let Ok(style) = ProgressStyle::with_template("{prefix:>8} [{bar:40}] {pos}/{len} {elapsed} eta {eta}") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_prefix(what.to_string());
    pb
}

#[derive(Debug, Clone)]
struct BestKnown {
    lb: i64,
    ub: i64,
    optimal: bool,
}

fn read_best_known(path: &Path) -> anyhow::Result<BTreeMap<String, BestKnown>> {
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let headers = rdr.headers()?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n).with_context(|| format!("no column {n}"));
    let (ci, clb, cub, cst) = (col("instance")?, col("lb")?, col("ub")?, col("status")?);
    let mut m = BTreeMap::new();
    for r in rdr.records() {
        let r = r?;
        m.insert(
            r[ci].to_string(),
            BestKnown { lb: r[clb].parse()?, ub: r[cub].parse()?, optimal: &r[cst] == "optimal" },
        );
    }
    Ok(m)
}

struct PsResult {
    name: String,
    makespan: i64,
    cp: i64,
    secs: f64,
    used: u64,
}

fn psplib(args: &BenchArgs, dir: &Path) -> anyhow::Result<()> {
    let sets: Vec<(String, PathBuf)> = if files(dir, "sm")?.is_empty() {
        ["j30", "j60", "j90", "j120"].iter().map(|s| (s.to_string(), dir.join(s))).filter(|(_, p)| p.is_dir()).collect()
    } else {
        let name = dir.file_name().and_then(|s| s.to_str()).unwrap_or("set").to_string();
        vec![(name, dir.to_path_buf())]
    };
    if sets.is_empty() {
        bail!("no .sm files or j30..j120 directories in {}", dir.display());
    }
    let opts = options(args, Objective::Makespan);
    let mut summary = Vec::new();
    for (set, dir) in sets {
        let bk_path = [dir.join("../solutions"), dir.join("solutions"), dir.join("../../solutions")]
            .into_iter()
            .map(|d| d.join(format!("best_known_{set}.csv")))
            .find(|p| p.exists());
        let bk = bk_path.as_deref().map(read_best_known).transpose()?;
        let list = sample(files(&dir, "sm")?, args.limit);
        let pb = bar(list.len(), &set);
        let t0 = Instant::now();
        let results: Vec<anyhow::Result<PsResult>> = for_each_instance(&list, args.sequential, |path| {
            let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
            let text = std::fs::read_to_string(path)?;
            let inst = parse_psplib(&text).with_context(|| name.clone())?;
            let problem = Problem::new(inst.to_spec()?).with_context(|| name.clone())?;
            let t = Instant::now();
            let sol = solve(&problem, &opts);
            let secs = t.elapsed().as_secs_f64();
            if let Err(v) = check_schedule(&problem, &sol.schedule) {
                bail!("{name}: infeasible schedule {v:?}");
            }
            pb.inc(1);
            Ok(PsResult {
                name,
                makespan: sol.objective.makespan,
                cp: sol.critical_path_bound,
                secs,
                used: sol.schedules_used,
            })
        });
        pb.finish_and_clear();
        let wall = t0.elapsed().as_secs_f64();
        let results: Vec<PsResult> = results.into_iter().collect::<anyhow::Result<_>>()?;
        let n = results.len() as f64;
        let dev_cp = results.iter().map(|r| 100.0 * (r.makespan - r.cp) as f64 / r.cp as f64).sum::<f64>() / n;
        let mean_t = results.iter().map(|r| r.secs).sum::<f64>() / n;
        let mean_used = results.iter().map(|r| r.used as f64).sum::<f64>() / n;
        let mut line = format!(
            "{set:>5}: {} instances, {:.0} schedules/instance, mean {dev_cp:.2} % above CP bound",
            results.len(),
            mean_used
        );
        if let Some(bk) = &bk {
            let mut dev_bk = 0.0;
            let (mut hits, mut opt_hits, mut opt_total, mut below) = (0, 0, 0, 0);
            let mut dev_lb = 0.0;
            for r in &results {
                let b = bk.get(&r.name).with_context(|| format!("{} missing from best-known table", r.name))?;
                dev_bk += 100.0 * (r.makespan - b.ub) as f64 / b.ub as f64;
                dev_lb += 100.0 * (r.makespan - b.lb) as f64 / b.lb as f64;
                hits += usize::from(r.makespan <= b.ub);
                below += usize::from(r.makespan < b.ub);
                if b.optimal {
                    opt_total += 1;
                    opt_hits += usize::from(r.makespan == b.ub);
                }
            }
            line += &format!(
                ", {:.3} % above best known, {:.2} % above best LB; reached best known {hits}/{} ({below} better), proven optimum {opt_hits}/{opt_total}",
                dev_bk / n,
                dev_lb / n,
                results.len()
            );
        }
        line += &format!(", {:.3} s/instance (wall {:.1} s)", mean_t, wall);
        println!("{line}");
        summary.push(line);
    }
    Ok(())
}

#[derive(Debug, Clone)]
struct Reference {
    tms: f64,
    apd: f64,
}

fn read_reference(path: &Path) -> anyhow::Result<BTreeMap<String, Reference>> {
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let h = rdr.headers()?.clone();
    let col = |n: &str| h.iter().position(|x| x == n).with_context(|| format!("no column {n}"));
    let (ci, cd, ct, ca, cf, cissue) = (
        col("instance")?,
        col("duplicate_file")?,
        col("tms")?,
        col("apd")?,
        col("feasible_for_true_instance")?,
        col("data_issues")?,
    );
    let mut m = BTreeMap::new();
    for r in rdr.records() {
        let r = r?;
        // Clean rows only: first file of an instance, no data issues, feasible for the true instance.
        if &r[cd] == "0" && r[cissue].trim().is_empty() && &r[cf] == "1" {
            m.insert(r[ci].to_string(), Reference { tms: r[ct].parse()?, apd: r[ca].parse()? });
        }
    }
    Ok(m)
}

fn class_of(name: &str) -> String {
    let parts: Vec<&str> = name.split('_').collect();
    if parts.len() < 4 {
        return name.to_string();
    }
    let mut c = format!("{}_{}", parts[1], parts[2]);
    if parts.len() > 4 {
        c += " AgentCopp";
    }
    c
}

struct MpResult {
    name: String,
    apd: f64,
    tms: i64,
    secs: f64,
    used: u64,
}

fn mpsplib(args: &BenchArgs, dir: &Path) -> anyhow::Result<()> {
    let reference_path = [
        dir.join("../msproject_psgs_minslk/results_summary.csv"),
        dir.join("msproject_psgs_minslk/results_summary.csv"),
    ]
    .into_iter()
    .find(|p| p.exists());
    let reference = reference_path.as_deref().map(read_reference).transpose()?;
    let list = sample(files(dir, "xml")?, args.limit);
    if list.is_empty() {
        bail!("no .xml files in {}", dir.display());
    }
    let opts = options(args, Objective::TotalWeightedDelay);
    let pb = bar(list.len(), "mpsplib");
    let results: Vec<anyhow::Result<MpResult>> = for_each_instance(&list, args.sequential, |path| {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
        let text = std::fs::read_to_string(path)?;
        let inst = crate::schedule::load_mpsplib(path, &text).with_context(|| name.clone())?;
        let problem = Problem::new(inst.spec).with_context(|| name.clone())?;
        let t = Instant::now();
        let sol = solve(&problem, &opts);
        let secs = t.elapsed().as_secs_f64();
        if let Err(v) = check_schedule(&problem, &sol.schedule) {
            bail!("{name}: infeasible schedule {v:?}");
        }
        pb.inc(1);
        Ok(MpResult { name, apd: sol.objective.apd, tms: sol.objective.tms, secs, used: sol.schedules_used })
    });
    pb.finish_and_clear();
    let results: Vec<MpResult> = results.into_iter().collect::<anyhow::Result<_>>()?;
    // class -> (n, our apd, our tms, ref apd, ref tms, n compared, max secs, mean used)
    #[derive(Default)]
    struct Acc {
        n: usize,
        apd: f64,
        tms: f64,
        nc: usize,
        apd_c: f64,
        tms_c: f64,
        ref_apd: f64,
        ref_tms: f64,
        max_secs: f64,
        secs: f64,
        used: f64,
    }
    let mut classes: Vec<(String, Acc)> = Vec::new();
    for r in &results {
        let c = class_of(&r.name);
        let idx = match classes.iter().position(|(k, _)| *k == c) {
            Some(i) => i,
            None => {
                classes.push((c, Acc::default()));
                classes.len() - 1
            }
        };
        let a = &mut classes[idx].1;
        a.n += 1;
        a.apd += r.apd;
        a.tms += r.tms as f64;
        a.secs += r.secs;
        a.used += r.used as f64;
        a.max_secs = a.max_secs.max(r.secs);
        if let Some(rf) = reference.as_ref().and_then(|m| m.get(&r.name)) {
            a.nc += 1;
            a.apd_c += r.apd;
            a.tms_c += r.tms as f64;
            a.ref_apd += rf.apd;
            a.ref_tms += rf.tms;
        }
    }
    classes.sort_by_key(|(k, _)| (k.contains("Agent"), natural_key(k)));
    println!(
        "{:<18} {:>3} {:>9} {:>8} | {:>3} {:>9} {:>9} {:>7} {:>8} {:>8} {:>7} | {:>7} {:>7}",
        "class",
        "n",
        "APD",
        "TMS",
        "cmp",
        "APD",
        "P-SGS APD",
        "APD -%",
        "TMS",
        "P-SGS TMS",
        "TMS -%",
        "mean s",
        "max s"
    );
    let mut tot = Acc::default();
    for (k, a) in &classes {
        let nc = a.nc.max(1) as f64;
        let (ours, theirs) = (a.apd_c / nc, a.ref_apd / nc);
        let red = if theirs > 0.0 { 100.0 * (theirs - ours) / theirs } else { 0.0 };
        let (ot, tt) = (a.tms_c / nc, a.ref_tms / nc);
        println!(
            "{:<18} {:>3} {:>9.2} {:>8.1} | {:>3} {:>9.2} {:>9.2} {:>7.1} {:>8.1} {:>8.1} {:>7.1} | {:>7.3} {:>7.3}",
            k,
            a.n,
            a.apd / a.n as f64,
            a.tms / a.n as f64,
            a.nc,
            ours,
            theirs,
            red,
            ot,
            tt,
            if tt > 0.0 { 100.0 * (tt - ot) / tt } else { 0.0 },
            a.secs / a.n as f64,
            a.max_secs
        );
        tot.n += a.n;
        tot.nc += a.nc;
        tot.apd_c += a.apd_c;
        tot.ref_apd += a.ref_apd;
        tot.tms_c += a.tms_c;
        tot.ref_tms += a.ref_tms;
        tot.secs += a.secs;
        tot.used += a.used;
        tot.max_secs = tot.max_secs.max(a.max_secs);
    }
    let nc = tot.nc.max(1) as f64;
    println!(
        "all: {} instances, {} compared on clean rows: mean APD {:.2} vs P-SGS/MINSLK {:.2}, mean TMS {:.1} vs {:.1}; {:.0} schedules/instance, {:.3} s mean, {:.3} s max",
        tot.n,
        tot.nc,
        tot.apd_c / nc,
        tot.ref_apd / nc,
        tot.tms_c / nc,
        tot.ref_tms / nc,
        tot.used / tot.n.max(1) as f64,
        tot.secs / tot.n.max(1) as f64,
        tot.max_secs
    );
    Ok(())
}

/// A directory removed when dropped (the forecast benchmark's throwaway database).
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> anyhow::Result<ScratchDir> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!("tandem-bench-forecast-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(ScratchDir(path))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        // Best effort: a leftover directory in the temp dir harms nothing.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The demo program's planning input, from a fresh SQLite database in `dir`.
fn demo_planning_input(dir: &Path) -> anyhow::Result<PlanningInput> {
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = SqliteStore::connect(&url).await.with_context(|| format!("cannot open {url}"))?;
        tandem_domain::demo::load_demo(&store).await.context("cannot load the demo data")?;
        let programs = store.list_programs(&ProgramFilter::default(), &PageRequest::first(1)).await?;
        let program = programs.items.first().context("the demo has no program")?;
        Ok(load_planning_input(&store, program.id).await?)
    })
}

/// Wall times of `runs` calls of `work`, sorted.
fn timed<T, E>(runs: u32, mut work: impl FnMut() -> Result<T, E>) -> Result<Vec<f64>, E> {
    let mut times = Vec::with_capacity(runs as usize);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(work()?);
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

fn print_times(label: &str, times: &[f64], samples: f64) {
    let best = times.first().copied().unwrap_or(0.0);
    let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
    println!(
        "{label:<28} best {best:>8.3} s  median {median:>8.3} s  ({:.1e} activity-samples/s at best)",
        samples / best.max(1e-9)
    );
}

/// `tandem bench forecast`: times the demo program's forecast.
fn forecast(args: &BenchArgs) -> anyhow::Result<()> {
    let scratch = ScratchDir::new()?;
    let input = demo_planning_input(&scratch.0)?;
    let planned = build_problem(&input, chrono::Utc::now().date_naive()).context("cannot plan the demo program")?;
    let problem = &planned.problem;
    let options = ForecastOptions::new(Some(i64::from(args.iterations)), Some(args.seed), false, Distribution::Pert)
        .map_err(|errors| anyhow::anyhow!("invalid options: {errors}"))?;
    println!(
        "demo program \"{}\": {} activities, {} links, {} teams; {} iterations, {} runs, {} threads",
        input.program.fields.name,
        problem.len(),
        problem.links().len(),
        problem.resource_count(),
        args.iterations,
        args.runs,
        rayon::current_num_threads()
    );
    let samples = f64::from(args.iterations) * problem.len() as f64;
    let network = forecast_input(&input, &planned, &[], ForecastMode::NetworkOnly, &options);
    print_times("network only", &timed(args.runs, || tandem_engine::forecast(&network))?, samples);
    if args.resources {
        let search = SolveOptions {
            max_schedules: Some(ForecastOptions::ORDER_SCHEDULES),
            seed: args.seed,
            ..SolveOptions::default()
        };
        let start = Instant::now();
        let solution = solve(problem, &search);
        println!(
            "{:<28} {:>13.3} s  ({} schedules, once before the resource-aware runs)",
            "priority order search",
            start.elapsed().as_secs_f64(),
            solution.schedules_used
        );
        let mode = ForecastMode::ResourceAware { order: solution.order };
        let resources = forecast_input(&input, &planned, &[], mode, &options);
        print_times("resource-aware", &timed(args.runs, || tandem_engine::forecast(&resources))?, samples);
    }
    Ok(())
}
