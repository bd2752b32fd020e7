//! `tandem schedule FILE`: schedules a PSPLIB `.sm`, MPSPLIB `.xml` or Tandem JSON problem and
//! prints the schedule, the critical path and the objective (or one JSON document).
// A command-line report: printing to stdout is its job.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::problem_json;
use anyhow::{Context, bail};
use tandem_engine::{
    ActivityIdx, Objective, PathOrigin, Problem, SolveOptions, critical_path, parse_mpsplib, parse_psplib, solve,
};

/// Arguments of `tandem schedule`.
#[derive(clap::Args, Debug)]
pub struct ScheduleArgs {
    /// Problem file: PSPLIB `.sm`, MPSPLIB `.xml` or Tandem `.json`.
    pub file: PathBuf,
    /// Schedule budget (SGS passes, justification included).
    #[arg(long)]
    pub schedules: Option<u64>,
    /// Wall-time limit in seconds.
    #[arg(long)]
    pub time_limit: Option<f64>,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Objective: makespan, weighted_delay or weighted_tardiness (default: the file's own, or
    /// makespan for PSPLIB and weighted_delay (APD) for MPSPLIB).
    #[arg(long)]
    pub objective: Option<String>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

/// How to name activities in the output.
enum Names {
    Psplib(Vec<u32>),
    Mpsplib(Vec<(u32, u32)>),
    Keys,
}

pub(crate) fn parse_objective(s: &str) -> anyhow::Result<Objective> {
    Ok(match s {
        "makespan" => Objective::Makespan,
        "weighted_delay" | "apd" | "delay" => Objective::TotalWeightedDelay,
        "weighted_tardiness" | "tardiness" => Objective::TotalWeightedTardiness,
        other => bail!("unknown objective {other:?} (makespan, weighted_delay, weighted_tardiness)"),
    })
}

/// Loads an MPSPLIB XML whose `.sm` files are named relative to the PSPLIB root; tries the
/// XML's directory, its parent, and `../../psplib` (the shared benchmark layout).
pub(crate) fn load_mpsplib(path: &Path, text: &str) -> anyhow::Result<tandem_engine::MpsplibInstance> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let roots = [dir.to_path_buf(), dir.join(".."), dir.join("../../psplib"), dir.join("../psplib")];
    let inst = parse_mpsplib(text, |f| {
        for r in &roots {
            if let Ok(t) = std::fs::read_to_string(r.join(f)) {
                return Ok(t);
            }
        }
        Err(format!("not found under {}", dir.display()))
    })?;
    Ok(inst)
}

pub fn run(args: &ScheduleArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let ext = args.file.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let (spec, names, mut objective, format) = match ext.as_str() {
        "sm" => {
            let inst = parse_psplib(&text)?;
            (inst.to_spec()?, Names::Psplib(inst.jobs.clone()), Objective::Makespan, "psplib")
        }
        "xml" => {
            let inst = load_mpsplib(&args.file, &text)?;
            (inst.spec, Names::Mpsplib(inst.jobs), Objective::TotalWeightedDelay, "mpsplib")
        }
        "json" => {
            let (file, spec) = problem_json::parse(&text)?;
            let obj = file.objective.as_deref().map(parse_objective).transpose()?;
            (spec, Names::Keys, obj.unwrap_or(Objective::Makespan), "tandem")
        }
        other => bail!("unknown file type {other:?}: expected .sm, .xml or .json"),
    };
    if let Some(o) = &args.objective {
        objective = parse_objective(o)?;
    }
    let problem = Problem::new(spec).context("invalid problem")?;
    let options = SolveOptions {
        objective,
        max_schedules: match (args.schedules, args.time_limit) {
            (None, Some(_)) => None,
            (s, _) => Some(s.unwrap_or(5_000)),
        },
        time_limit: args.time_limit.map(Duration::from_secs_f64),
        seed: args.seed,
        islands: None,
        population: None,
    };
    let cpm = critical_path(&problem);
    let sol = solve(&problem, &options);
    if let Err(v) = tandem_engine::check_schedule(&problem, &sol.schedule) {
        bail!("internal error: infeasible schedule: {v:?}");
    }
    let name = |a: ActivityIdx| -> String {
        match &names {
            Names::Psplib(j) => j[a.ix()].to_string(),
            Names::Mpsplib(j) => format!("P{}/{}", j[a.ix()].0, j[a.ix()].1),
            Names::Keys => problem.key(a).to_string(),
        }
    };
    let cp = cpm.critical_path(&problem);
    let o = &sol.objective;
    if args.json {
        let acts: Vec<serde_json::Value> = (0..problem.len())
            .map(|i| {
                let a = ActivityIdx(i as u32);
                let (s, f) = (sol.schedule.start[i], sol.schedule.finish[i]);
                match &names {
                    Names::Psplib(j) => serde_json::json!({"job": j[i], "start": s, "finish": f}),
                    Names::Mpsplib(j) => serde_json::json!({"project": j[i].0, "job": j[i].1, "start": s, "finish": f}),
                    Names::Keys => serde_json::json!({"id": problem.key(a), "start": s, "finish": f}),
                }
            })
            .collect();
        let doc = serde_json::json!({
            "file": args.file.display().to_string(),
            "format": format,
            "objective": {
                "optimized": format!("{objective:?}"),
                "makespan": o.makespan,
                "tms": o.tms,
                "apd": o.apd,
                "total_weighted_delay": o.total_weighted_delay,
                "total_weighted_tardiness": o.total_weighted_tardiness,
                "critical_path_bound": sol.critical_path_bound,
            },
            "schedules_used": sol.schedules_used,
            "activities": acts,
            "critical_path": cp.activities.iter().map(|&a| name(a)).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    println!("{} ({format}, {} activities, objective {objective:?})", args.file.display(), problem.len());
    println!("{:>12} {:>6} {:>6} {:>6} {:>6} {:>6}", "activity", "dur", "start", "finish", "ES", "float");
    let mut order: Vec<usize> = (0..problem.len()).collect();
    order.sort_by_key(|&i| (sol.schedule.start[i], i));
    for i in order {
        let a = ActivityIdx(i as u32);
        println!(
            "{:>12} {:>6} {:>6} {:>6} {:>6} {:>6}",
            name(a),
            problem.durations()[i],
            sol.schedule.start[i],
            sol.schedule.finish[i],
            cpm.early_start[i],
            cpm.total_float[i]
        );
    }
    let origin = match cp.origin {
        PathOrigin::Release => "a release date",
        PathOrigin::TimeZero => "time 0",
        PathOrigin::Resources => "resources",
        PathOrigin::OffPeriods => "its resources' off periods",
    };
    println!(
        "critical path (resources ignored, length {}, from {origin}): {}",
        cpm.horizon,
        cp.activities.iter().map(|&a| name(a)).collect::<Vec<_>>().join(" -> ")
    );
    println!(
        "makespan {} (critical-path bound {}), TMS {}, APD {:.2}, weighted delay {}, weighted tardiness {}",
        o.makespan, sol.critical_path_bound, o.tms, o.apd, o.total_weighted_delay, o.total_weighted_tardiness
    );
    if problem.project_count() > 1 {
        for (k, pr) in problem.projects().iter().enumerate() {
            println!(
                "  project {}: release {}, finish {}, critical-path duration {}, delay {}",
                pr.key,
                pr.release,
                o.project_finish[k],
                o.project_cpd[k],
                o.project_finish[k] - pr.release - o.project_cpd[k]
            );
        }
    }
    println!("schedules used {}{}", sol.schedules_used, if sol.stopped_by_time { " (time limit)" } else { "" });
    Ok(())
}
