//! `tandem forecast FILE | --program ID|NAME`: Monte Carlo forecast of a Tandem JSON problem
//! whose activities carry three-point estimates and whose risks lengthen them (format in
//! crates/engine/PROBLEM_FORMAT.md), or of a stored program (its work items' estimates, dated
//! with the program calendar, and its open risks: `tandem_domain::forecasting`). Prints the
//! finish percentiles, the activities and risks that drive them and how settled the P80 is
//! (files), or the dated percentiles of the program, its projects and milestones, the merge bias
//! and the drivers (programs; `--save` stores it as the program's latest forecast, as the API
//! does); or one JSON document (for programs, the API's document). A program is forecast under
//! its teams' capacities by default, as the API and the program page do (`--network-only` for
//! the links alone); a FILE on its links alone unless `--resources` is given.
// A command-line report: printing to stdout is its job.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Map, Value, json};
use tandem_domain::Program;
use tandem_domain::forecasting::{
    DatedPercentiles, ForecastOptions, InputChanges, ProgramForecast, forecast_program, load_forecast_inputs,
    risks_by_p80_effect,
};
use tandem_engine::forecast::MAX_ITERATIONS;
use tandem_engine::{
    Distribution, Forecast, ForecastInput, ForecastMode, Objective, Percentiles, Problem, SolveOptions,
    forecast_with_progress, solve,
};
use tandem_server::api::forecast::ProgramForecastJson;

use crate::config::FileConfig;
use crate::plan::{explain, find_program};
use crate::problem_json::{self, ProblemFile};
use crate::{DatabaseArgs, database_url, storage};

/// Schedules tried to find the priority order of the resource-aware mode.
const RESOURCE_ORDER_SCHEDULES: u64 = 2_000;
/// Activities listed per ranking in the text report.
const TOP_DRIVERS: usize = 5;

/// Shape of every three-point estimate.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DistributionArg {
    /// PERT-Beta (weights 1-4-1).
    #[default]
    Pert,
    /// Triangular.
    Triangular,
}

/// Arguments of `tandem forecast`.
#[derive(clap::Args, Debug)]
pub struct ForecastArgs {
    /// Tandem JSON problem, optionally with `estimate`s and `risks`.
    #[arg(required_unless_present = "program", conflicts_with = "program")]
    pub file: Option<PathBuf>,
    /// Forecast a stored program instead (its id, or its exact name).
    #[arg(long, value_name = "ID|NAME")]
    pub program: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Monte Carlo iterations.
    #[arg(long, default_value_t = 1_000, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_ITERATIONS)))]
    pub iterations: u32,
    /// Schedule every iteration under the resource capacities (on the best order found by the
    /// scheduler) instead of on the network alone. The default with --program (as the API and
    /// the program page); with a FILE, only when given.
    #[arg(long)]
    pub resources: bool,
    /// Schedule every iteration on the links alone (critical path), ignoring team capacities.
    /// The default with a FILE; with --program, instead of the default resource-aware mode.
    #[arg(long, conflicts_with = "resources")]
    pub network_only: bool,
    /// Random seed (of the forecast and of the scheduler of the resource-aware mode).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Distribution of the three-point estimates.
    #[arg(long, value_enum, default_value_t = DistributionArg::Pert)]
    pub distribution: DistributionArg,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
    /// With --program: store the result as the program's latest forecast (shown on its page).
    #[arg(long)]
    pub save: bool,
}

impl ForecastArgs {
    /// Whether the iterations are scheduled under the teams' capacities. A stored program
    /// defaults to it, as `POST /api/v1/programs/{id}/forecast` and the program page do, so that
    /// `--save` stores the same kind of forecast the page computes; a FILE defaults to the
    /// network alone (it has no page or API twin). `--resources` and `--network-only` are
    /// exclusive (clap refuses both).
    pub fn resource_aware(&self) -> bool {
        if self.program.is_some() { !self.network_only } else { self.resources }
    }

    fn distribution(&self) -> Distribution {
        match self.distribution {
            DistributionArg::Pert => Distribution::Pert,
            DistributionArg::Triangular => Distribution::Triangular,
        }
    }

    fn distribution_name(&self) -> &'static str {
        match self.distribution {
            DistributionArg::Pert => "pert",
            DistributionArg::Triangular => "triangular",
        }
    }
}

/// A spinner on stderr while `work` runs (for work that reports no progress); indicatif hides
/// it when stderr is not a terminal.
fn with_spinner<T>(message: String, work: impl FnOnce() -> T) -> T {
    let spinner = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}") {
        spinner.set_style(style);
    }
    spinner.set_message(message);
    spinner.enable_steady_tick(Duration::from_millis(100));
    let result = work();
    spinner.finish_and_clear();
    result
}

/// A progress bar of `total` iterations on stderr while `work` runs; `work` gets the
/// engine's progress hook. Hidden when stderr is not a terminal.
fn with_progress<T>(total: u32, message: &str, work: impl FnOnce(&(dyn Fn(u64, u64) + Sync)) -> T) -> T {
    let bar = ProgressBar::new(u64::from(total));
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}{wide_bar} {pos}/{len} iterations ({eta})")
    {
        bar.set_style(style);
    }
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(100));
    let result = work(&|done, _| bar.set_position(done));
    bar.finish_and_clear();
    result
}

/// `tandem forecast FILE`.
pub fn run(args: &ForecastArgs) -> anyhow::Result<()> {
    let Some(path) = &args.file else {
        anyhow::bail!("give a problem file or --program");
    };
    if args.save {
        anyhow::bail!("--save stores a program's forecast: use it with --program, not with a problem file");
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let (file, spec) = problem_json::parse(&text)?;
    let (estimates, risks) = problem_json::uncertainty(&file)?;
    let problem = Problem::new(spec).context("invalid problem")?;
    let (mode, schedules_used) = if args.resource_aware() {
        let objective = file.objective.as_deref().map(crate::schedule::parse_objective).transpose()?;
        let options = SolveOptions {
            objective: objective.unwrap_or(Objective::Makespan),
            max_schedules: Some(RESOURCE_ORDER_SCHEDULES),
            time_limit: None,
            seed: args.seed,
            islands: None,
            population: None,
        };
        let solution =
            with_spinner(format!("scheduling ({RESOURCE_ORDER_SCHEDULES} schedules)"), || solve(&problem, &options));
        (ForecastMode::ResourceAware { order: solution.order }, Some(solution.schedules_used))
    } else {
        (ForecastMode::NetworkOnly, None)
    };
    let input = ForecastInput {
        problem: &problem,
        estimates,
        distribution: args.distribution(),
        risks,
        mode,
        iterations: args.iterations,
        seed: args.seed,
    };
    let result = with_progress(args.iterations, "", |progress| forecast_with_progress(&input, progress))?;
    let report = Report { args, path, file: &file, problem: &problem, input: &input, result: &result, schedules_used };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.json())?);
    } else {
        report.print();
    }
    Ok(())
}

/// Everything the output needs.
struct Report<'a> {
    args: &'a ForecastArgs,
    path: &'a PathBuf,
    file: &'a ProblemFile,
    problem: &'a Problem,
    input: &'a ForecastInput<'a>,
    result: &'a Forecast,
    schedules_used: Option<u64>,
}

fn percentiles_json(p: &Percentiles) -> Value {
    json!({"p10": p.p10, "p50": p.p50, "p80": p.p80, "p95": p.p95, "mean": p.mean})
}

impl Report<'_> {
    fn mode_name(&self) -> &'static str {
        if self.args.resource_aware() { "resources" } else { "network" }
    }

    fn json(&self) -> Value {
        let f = self.result;
        let mut projects = Map::new();
        for (k, p) in self.problem.projects().iter().enumerate() {
            if let Some(pc) = f.project_finish.get(k) {
                projects.insert(p.key.clone(), percentiles_json(pc));
            }
        }
        let mut activities = Map::new();
        for (i, a) in self.file.activities.iter().enumerate() {
            activities.insert(
                a.id.clone(),
                json!({
                    "finish": f.activity_finish.get(i).map(percentiles_json),
                    "criticality": f.criticality.get(i),
                    "sensitivity": f.sensitivity.activities.get(i),
                }),
            );
        }
        let mut risks = Map::new();
        for (k, r) in self.input.risks.iter().enumerate() {
            risks.insert(
                r.key.clone(),
                json!({
                    "probability": r.probability,
                    "p80_contribution": f.risk_p80_contribution.get(k).map(|c| c.p80_days),
                    "sensitivity": f.sensitivity.risks.get(k),
                }),
            );
        }
        let c = &f.convergence;
        json!({
            "file": self.path.display().to_string(),
            "iterations": f.iterations,
            "seed": self.args.seed,
            "distribution": self.args.distribution_name(),
            "mode": self.mode_name(),
            "schedules_used": self.schedules_used,
            "finish": percentiles_json(&f.finish),
            "projects": projects,
            "activities": activities,
            "risks": risks,
            "histogram": {
                "start": f.histogram.start,
                "bin_width": f.histogram.bin_width,
                "counts": f.histogram.counts,
            },
            "s_curve": f.s_curve.iter().map(|p| json!({"finish": p.finish, "probability": p.probability})).collect::<Vec<_>>(),
            "convergence": {
                "p80_first_half": c.p80_first_half,
                "p80_first_90_percent": c.p80_first_90_percent,
                "p80": c.p80,
                "p80_shift_last_tenth": c.p80_shift_last_tenth,
            },
        })
    }

    fn print(&self) {
        let f = self.result;
        let mode = match self.schedules_used {
            Some(n) => format!("resource-aware (order from {n} schedules)"),
            None => "network only".to_owned(),
        };
        println!(
            "{}: {} iterations, {mode}, {} estimates, seed {}",
            self.path.display(),
            f.iterations,
            self.args.distribution_name(),
            self.args.seed
        );
        println!("{:<24} {:>6} {:>6} {:>6} {:>6} {:>8}", "finish", "P10", "P50", "P80", "P95", "mean");
        let row = |label: &str, p: &Percentiles| {
            println!("{label:<24} {:>6} {:>6} {:>6} {:>6} {:>8.2}", p.p10, p.p50, p.p80, p.p95, p.mean);
        };
        row("overall", &f.finish);
        for (p, pc) in self.problem.projects().iter().zip(&f.project_finish) {
            row(&format!("project {}", p.key), pc);
        }
        let ids: Vec<&str> = self.file.activities.iter().map(|a| a.id.as_str()).collect();
        let mut by_criticality: Vec<usize> = (0..ids.len()).collect();
        by_criticality.sort_by(|&x, &y| f.criticality[y].total_cmp(&f.criticality[x]).then(x.cmp(&y)));
        println!("top activities by criticality index:");
        for &i in by_criticality.iter().take(TOP_DRIVERS) {
            println!("  {:<22} {:>6.3}", ids[i], f.criticality[i]);
        }
        let rho = &f.sensitivity.activities;
        let mut by_sensitivity: Vec<usize> = (0..ids.len()).collect();
        by_sensitivity.sort_by(|&x, &y| rho[y].abs().total_cmp(&rho[x].abs()).then(x.cmp(&y)));
        println!("top activities by sensitivity (Spearman rho with the finish):");
        for &i in by_sensitivity.iter().take(TOP_DRIVERS) {
            println!("  {:<22} {:>6.3}", ids[i], rho[i]);
        }
        if !f.risk_p80_contribution.is_empty() {
            let mut by_contribution: Vec<usize> = (0..f.risk_p80_contribution.len()).collect();
            by_contribution.sort_by(|&x, &y| {
                let (cx, cy) = (&f.risk_p80_contribution[x], &f.risk_p80_contribution[y]);
                cy.p80_days.cmp(&cx.p80_days).then(x.cmp(&y))
            });
            println!("risks by P80 contribution (periods):");
            for k in by_contribution {
                let c = &f.risk_p80_contribution[k];
                let probability = self.input.risks.get(k).map_or(0.0, |r| r.probability);
                println!("  {:<22} {:>+6}  (probability {probability})", c.key, c.p80_days);
            }
        }
        let c = &f.convergence;
        println!(
            "convergence: P80 {} after half the iterations, {} after 90 %, {} after all: the last tenth moved it by {}",
            c.p80_first_half, c.p80_first_90_percent, c.p80, c.p80_shift_last_tenth
        );
    }
}

/// `tandem forecast --program ID|NAME`.
pub async fn run_program(args: &ForecastArgs, file: &FileConfig) -> anyhow::Result<()> {
    let Some(id_or_name) = &args.program else {
        anyhow::bail!("give a problem file or --program");
    };
    let options = ForecastOptions::new(
        Some(i64::from(args.iterations)),
        Some(args.seed),
        args.resource_aware(),
        args.distribution(),
    )
    .map_err(|errors| anyhow::anyhow!("invalid options: {errors}"))?;
    let url = database_url(&args.database, file);
    let store = storage::open_store(&url).await?;
    let program = find_program(store.as_ref(), id_or_name).await?;
    let inputs = load_forecast_inputs(store.as_ref(), program.id).await.map_err(explain)?;
    let message = if args.resource_aware() {
        format!("priority order from {} schedules first; ", ForecastOptions::ORDER_SCHEDULES)
    } else {
        String::new()
    };
    let computed_at = tandem_domain::record::now();
    let forecast = with_progress(args.iterations, &message, |progress| {
        forecast_program(&inputs, options, computed_at, "command line", progress)
    })
    .map_err(explain)?;
    if args.save {
        store.save_program_forecast(&forecast).await.map_err(explain)?;
    }
    if args.json {
        let document = ProgramForecastJson::new(&forecast, InputChanges::default());
        println!("{}", serde_json::to_string_pretty(&document).context("cannot write the forecast as JSON")?);
    } else {
        print_program(&program, args, &forecast);
        if args.save {
            println!("saved as the latest forecast of {}", program.fields.name);
        }
    }
    Ok(())
}

fn print_program(program: &Program, args: &ForecastArgs, f: &ProgramForecast) {
    let mode = match f.schedules_used {
        Some(n) => format!("resource-aware (order from {n} schedules)"),
        None => "network only".to_owned(),
    };
    println!(
        "{}: {} activities, {} iterations, {mode}, {} estimates, seed {}",
        program.fields.name,
        f.activities,
        f.options.iterations(),
        args.distribution_name(),
        f.options.seed()
    );
    let projects: Vec<String> = f.projects.iter().map(|p| format!("project {}", p.name)).collect();
    let heading = "finish (last working day)";
    let width = projects
        .iter()
        .map(String::as_str)
        .chain(f.milestones.iter().map(|m| m.name.as_str()))
        .fold(heading.chars().count(), |width, label| width.max(label.chars().count()));
    println!("{heading:<width$} {:>10} {:>10} {:>10} {:>10}", "P10", "P50", "P80", "P95");
    let row = |label: &str, p: &DatedPercentiles| {
        println!("{label:<width$} {:>10} {:>10} {:>10} {:>10}", p.p10, p.p50, p.p80, p.p95);
    };
    row("program", &f.finish);
    for (label, project) in projects.iter().zip(&f.projects) {
        row(label, &project.finish);
    }
    if !f.milestones.is_empty() {
        println!("{:<width$} {:>10} {:>10} {:>10} {:>10} {:>10}", "milestone", "P10", "P50", "P80", "P95", "target");
        for m in &f.milestones {
            let d = &m.date;
            println!(
                "{:<width$} {:>10} {:>10} {:>10} {:>10} {:>10}",
                m.name, d.p10, d.p50, d.p80, d.p95, m.target_date
            );
        }
    }
    println!(
        "plan (every estimate at its PERT mean, no risk): {} ({} working days), reached in {:.0} % of the \
         iterations; P50 {}: {} working days later (merge bias, and the open risks)",
        f.plan.date,
        f.plan.periods,
        f.plan.probability * 100.0,
        f.finish.p50,
        f.merge_bias_days()
    );
    let drivers = f.top_drivers(TOP_DRIVERS);
    if !drivers.is_empty() {
        println!("top drivers (rank correlation with the finish):");
        for driver in drivers {
            println!("  {:>6.2}  {}", driver.sensitivity(), driver.title());
        }
    }
    let risks = risks_by_p80_effect(f);
    if !risks.is_empty() {
        println!("risks by effect on the P80:");
        for risk in risks {
            println!("  {:>3} working days  {} ({} %)", risk.p80_days, risk.title, risk.probability_percent);
        }
    }
    let c = &f.convergence;
    if c.p80_shift_last_tenth > 0 {
        println!("the last tenth of the iterations moved the P80 by {} working days: run more", c.p80_shift_last_tenth);
    }
    if !f.diagnostics.is_empty() {
        println!("left out or adjusted:");
        for message in &f.diagnostics {
            println!("  - {message}");
        }
    }
}
