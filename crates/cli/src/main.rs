//! `tandem`: the one binary. Serves the web UI and JSON API, loads demo data, runs migrations,
//! and drives the scheduling engine and its benchmarks from the command line.

// A command-line program's job is to print.
#![allow(clippy::print_stdout)]

mod backlog;
mod bench;
mod config;
mod forecast;
mod import;
mod load_test;
mod plan;
mod problem_json;
mod progress;
mod schedule;
mod storage;
mod users;
// Product strategy: objectives and key results.
mod okr;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use tandem_domain::demo::{self, DemoOutcome, DemoSummary, LoadSummary};

use crate::config::{DatabaseUrl, FileConfig};

#[derive(Debug, Parser)]
#[command(name = "tandem", version, about = "Product and program management on one shared model")]
struct Cli {
    /// Configuration file (default: ./tandem.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web UI and the JSON API.
    Serve(ServeArgs),
    /// Load the "Digital Transformation" demo program, or generate load-test data with --scale.
    Demo(DemoArgs),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Measure API and page latency against a database (e.g. after `demo --scale 100000`).
    LoadTest(load_test::LoadTestArgs),
    /// Compute and store a program's resource-leveled schedule (as the program page does).
    Plan(plan::PlanArgs),
    /// Print how much of a program's estimated work is done, per project and in total.
    Progress(progress::ProgressArgs),
    /// Schedule a PSPLIB (.sm), MPSPLIB (.xml) or Tandem JSON problem and print the result.
    Schedule(schedule::ScheduleArgs),
    /// Forecast a Tandem JSON problem's or a stored program's finish by Monte Carlo
    /// (three-point estimates, risks).
    Forecast(forecast::ForecastArgs),
    /// Run the scheduler over a benchmark set and compare with the best known results, or
    /// time the forecast on the demo program.
    Bench(bench::BenchArgs),
    /// Manage user accounts (the first admin: `tandem user add --admin NAME`).
    User(users::UserArgs),
    /// Print a product's objectives and key-result progress.
    Okr(okr::OkrArgs),
    /// Print a product's backlog in rank order or ranked by a prioritization framework.
    Backlog(backlog::BacklogArgs),
    /// Import a CSV file into a product: `tandem import insights|metrics FILE --product NAME|ID`.
    Import(import::ImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DatabaseArgs {
    /// Database URL: sqlite://PATH (default sqlite://./tandem.db) or postgres://USER@HOST/DB.
    #[arg(long, env = "TANDEM_DATABASE_URL", value_name = "URL")]
    pub(crate) database: Option<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "TANDEM_ADDR", value_name = "HOST:PORT")]
    addr: Option<SocketAddr>,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Load the demo program first when the database holds no programs or products yet, and
    /// create one demo account per role (printed with their password).
    #[arg(long)]
    demo: bool,
    /// The address people reach Tandem at (e.g. https://tandem.example.com); https marks the
    /// session cookie Secure.
    #[arg(long, env = "TANDEM_BASE_URL", value_name = "URL")]
    base_url: Option<String>,
}

#[derive(Debug, Args)]
struct DemoArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Instead of the demo program, generate a load-test program with N work items.
    #[arg(long, value_name = "N")]
    scale: Option<u64>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TANDEM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let file = || FileConfig::load(cli.config.as_deref());
    let runtime = || tokio::runtime::Runtime::new().context("cannot start the async runtime");
    match cli.command {
        Command::Forecast(args) if args.program.is_some() => {
            runtime()?.block_on(forecast::run_program(&args, &file()?))
        }
        // The engine commands on files are synchronous and need neither configuration nor a database.
        Command::Schedule(args) => schedule::run(&args),
        Command::Forecast(args) => forecast::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Serve(args) => runtime()?.block_on(serve(args, &file()?)),
        Command::Demo(args) => runtime()?.block_on(load_demo(args, &file()?)),
        Command::Migrate(args) => runtime()?.block_on(migrate(args, &file()?)),
        Command::LoadTest(args) => runtime()?.block_on(load_test::run(args, &file()?)),
        Command::Plan(args) => runtime()?.block_on(plan::run(args, &file()?)),
        Command::Progress(args) => runtime()?.block_on(progress::run(args, &file()?)),
        Command::User(args) => runtime()?.block_on(users::run(args, &file()?)),
        Command::Okr(args) => runtime()?.block_on(okr::run(args, &file()?)),
        Command::Backlog(args) => runtime()?.block_on(backlog::run(args, &file()?)),
        Command::Import(args) => runtime()?.block_on(import::run(args, &file()?)),
    }
}

pub(crate) fn database_url(args: &DatabaseArgs, file: &FileConfig) -> DatabaseUrl {
    config::database_url(args.database.as_deref(), file)
}

async fn serve(args: ServeArgs, file: &FileConfig) -> anyhow::Result<()> {
    let url = database_url(&args.database, file);
    let store = storage::open_store(&url).await?;
    if args.demo {
        report_demo(store.as_ref(), demo::load_demo(store.as_ref()).await.context("cannot load the demo data")?)
            .await?;
        demo_accounts(store.as_ref()).await?;
    }
    let nobody_yet = store.count_users().await.context("cannot count users")? == 0;
    let addr = match args.addr.or(file.addr) {
        Some(addr) => addr,
        None => config::DEFAULT_ADDR.parse().context("default address")?,
    };
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr().context("cannot read the bound address")?;
    // A server must not die because whoever started it closed its output (`tandem serve | head -1`).
    let announce = |line: String| {
        let _ = writeln!(std::io::stdout(), "{line}");
    };
    announce(format!("Tandem is serving {} on http://{bound}/ (database {url})", store.backend_name()));
    announce("Press Ctrl-C to stop.".to_owned());
    if nobody_yet {
        announce("Nobody can sign in yet. Create the first admin with: tandem user add --admin USERNAME".to_owned());
    }
    let mut state = tandem_server::AppState::new(store);
    if let Some(base_url) = &args.base_url {
        state = state.with_base_url(base_url);
    }
    let app = tandem_server::app(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            // If the signal handler cannot be installed, serve until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await
        .context("server failed")?;
    announce("Stopped.".to_owned());
    Ok(())
}

async fn load_demo(args: DemoArgs, file: &FileConfig) -> anyhow::Result<()> {
    let url = database_url(&args.database, file);
    let store = storage::open_store(&url).await?;
    match args.scale {
        None => {
            let outcome = demo::load_demo(store.as_ref()).await.context("cannot load the demo data")?;
            let loaded = matches!(outcome, DemoOutcome::Loaded(_));
            report_demo(store.as_ref(), outcome).await?;
            // So that `tandem serve` on this database has someone to sign in as; never on a
            // database that already held data (known passwords).
            if loaded {
                demo_accounts(store.as_ref()).await?;
            }
        }
        Some(work_items) => {
            let bar = ProgressBar::new(work_items);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} work items ({eta})")
                    .context("progress bar template")?,
            );
            let summary = demo::generate_load(store.as_ref(), work_items, &|done| bar.set_position(done))
                .await
                .context("cannot generate the load-test data")?;
            bar.finish();
            println!("{}", describe_load(&summary));
        }
    }
    Ok(())
}

/// Creates the demo accounts that do not exist yet and prints them all.
async fn demo_accounts(store: &dyn tandem_domain::Store) -> anyhow::Result<()> {
    let accounts = demo::ensure_demo_accounts(store).await.context("cannot create the demo accounts")?;
    println!("Demo accounts (password \"{}\" for each):", demo::DEMO_PASSWORD);
    for account in &accounts {
        println!("  {:<6} {:<14} {}", account.username, account.display_name, account.plays);
    }
    Ok(())
}

/// Says what the demo loaded and, when it did, computes the program's schedule and forecast.
async fn report_demo(store: &dyn tandem_domain::Store, outcome: DemoOutcome) -> anyhow::Result<()> {
    match outcome {
        DemoOutcome::Loaded(summary) => {
            println!("{}", describe_demo(&summary));
            println!("{}", plan::plan_demo(store).await?);
        }
        DemoOutcome::AlreadyPresent => println!("The database already holds data: the demo was not loaded again."),
    }
    Ok(())
}

async fn migrate(args: DatabaseArgs, file: &FileConfig) -> anyhow::Result<()> {
    let url = database_url(&args, file);
    let store = storage::open_store(&url).await?;
    // Opening the store applies pending migrations; running them again proves nothing is left.
    store.migrate().await.context("migration failed")?;
    println!("Database {url} ({}) is at the latest schema.", store.backend_name());
    Ok(())
}

/// One sentence naming every kind of record the demo stored, with the store's counts.
fn describe_demo(s: &DemoSummary) -> String {
    let counts = [
        (s.programs, "program", "programs"),
        (s.projects, "project", "projects"),
        (s.products, "product", "products"),
        (s.teams, "team", "teams"),
        (s.work_items, "work item", "work items"),
        (s.milestones, "milestone", "milestones"),
        (s.dependencies, "dependency", "dependencies"),
        (s.risks, "risk", "risks"),
        (s.objectives, "objective", "objectives"),
        (s.key_results, "key result", "key results"),
        (s.measurements, "key-result measurement", "key-result measurements"),
        (s.objective_links, "objective link", "objective links"),
        (s.roadmap_entries, "roadmap entry", "roadmap entries"),
        (s.prioritized_items, "prioritized item", "prioritized items"),
        (s.user_stories, "user story", "user stories"),
        (s.segments, "segment", "segments"),
        (s.insights, "insight", "insights"),
        (s.experiments, "experiment", "experiments"),
        (s.metric_points, "metric point", "metric points"),
    ];
    let listed: Vec<String> =
        counts.iter().map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many })).collect();
    format!("Loaded the demo: {}.", listed.join(", "))
}

fn describe_load(s: &LoadSummary) -> String {
    format!(
        "Generated program {}: {} projects, {} products, {} teams, {} work items, {} dependencies.",
        s.program_id, s.projects, s.products, s.teams, s.work_items, s.dependencies
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_summary_names_every_kind_with_its_count_and_number() {
        let one = DemoSummary {
            programs: 1,
            projects: 1,
            products: 1,
            teams: 1,
            work_items: 1,
            milestones: 1,
            dependencies: 1,
            risks: 1,
            objectives: 1,
            key_results: 1,
            measurements: 1,
            objective_links: 1,
            roadmap_entries: 1,
            prioritized_items: 1,
            user_stories: 1,
            segments: 1,
            insights: 1,
            experiments: 1,
            metric_points: 1,
        };
        assert_eq!(
            describe_demo(&one),
            "Loaded the demo: 1 program, 1 project, 1 product, 1 team, 1 work item, 1 milestone, 1 dependency, 1 risk, \
             1 objective, 1 key result, 1 key-result measurement, 1 objective link, 1 roadmap entry, 1 prioritized item, \
             1 user story, 1 segment, 1 insight, 1 experiment, 1 metric point."
        );
        let none = describe_demo(&DemoSummary::default());
        assert!(none.starts_with("Loaded the demo: 0 programs, 0 projects, "), "{none}");
        assert!(none.ends_with(", 0 roadmap entries, 0 prioritized items, 0 user stories, 0 segments, 0 insights, 0 experiments, 0 metric points."), "{none}");
    }
}
