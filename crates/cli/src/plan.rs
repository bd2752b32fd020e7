//! `tandem plan`: compute and store a program's resource-leveled schedule from the command line,
//! the same operation as the program page's "Compute schedule" button and
//! `POST /api/v1/programs/{id}/schedule`.

use std::collections::HashMap;

use anyhow::Context;
use clap::Args;
use tandem_domain::audit::Actor;
use tandem_domain::forecasting::ForecastOptions;
use tandem_domain::planning::ScheduleOptions;
use tandem_domain::{DomainError, PageRequest, Program, ProgramFilter, ProgramId, ProjectFilter, Store, demo};
use tandem_engine::Distribution;
use tandem_server::api::forecast::compute_forecast;
use tandem_server::api::schedule::{compute_schedule, with_loads};

use crate::config::FileConfig;
use crate::{DatabaseArgs, database_url, storage};

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The program: its id, or its exact name.
    #[arg(long, value_name = "ID|NAME")]
    program: String,
    #[command(flatten)]
    database: DatabaseArgs,
    /// How many schedules the search may build [default: 2000].
    #[arg(long, value_name = "N")]
    schedules: Option<i64>,
    /// Seed of the search: the same program and seed give the same schedule [default: 1].
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Stop the search after this many milliseconds.
    #[arg(long, value_name = "MS")]
    time_limit_ms: Option<i64>,
    /// Print the stored schedule as the API's JSON document instead of a summary.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: PlanArgs, file: &FileConfig) -> anyhow::Result<()> {
    let options = ScheduleOptions::new(args.schedules, args.seed, args.time_limit_ms)
        .map_err(|errors| anyhow::anyhow!("invalid options: {errors}"))?;
    let url = database_url(&args.database, file);
    let store = storage::open_store(&url).await?;
    let program = find_program(store.as_ref(), &args.program).await?;
    let schedule = compute_schedule(store.as_ref(), program.id, options).await.map_err(explain)?;

    if args.json {
        let document = with_loads(store.as_ref(), schedule).await.map_err(explain)?;
        println!("{}", serde_json::to_string_pretty(&document).context("cannot write the schedule as JSON")?);
        return Ok(());
    }

    let projects = store
        .list_projects(
            &ProjectFilter { program: Some(program.id), ..ProjectFilter::default() },
            &PageRequest::first(500),
        )
        .await?;
    let project_names: HashMap<_, _> = projects.items.iter().map(|p| (p.id, p.fields.name.to_string())).collect();
    println!(
        "{}: {} activities, finish {} ({} working days, teams' capacities respected)",
        program.fields.name,
        schedule.entries.len(),
        schedule.finish,
        schedule.makespan
    );
    println!(
        "Critical-path bound (unlimited people): {} ({} working days)",
        schedule.critical_path_finish, schedule.critical_path_makespan
    );
    println!("\nFinish per project:");
    let mut finishes: HashMap<_, _> = HashMap::new();
    for entry in &schedule.entries {
        if let Some(project) = entry.project_id {
            let finish = finishes.entry(project).or_insert(entry.finish);
            *finish = (*finish).max(entry.finish);
        }
    }
    let mut finishes: Vec<_> = finishes.into_iter().collect();
    finishes.sort_by_key(|(project, finish)| (*finish, project_names.get(project).cloned()));
    for (project, finish) in finishes {
        println!("  {finish}  {}", project_names.get(&project).map(String::as_str).unwrap_or("?"));
    }
    println!("\nCritical path:");
    let mut critical: Vec<_> = schedule.entries.iter().filter(|e| e.critical).collect();
    critical.sort_by_key(|e| (e.start_period, e.finish_period));
    for entry in critical {
        println!("  {} .. {}  {}", entry.start, entry.finish, entry.title);
    }
    if !schedule.diagnostics.is_empty() {
        println!("\nLeft out or adjusted:");
        for message in &schedule.diagnostics {
            println!("  - {message}");
        }
    }
    Ok(())
}

/// A program by id, or else by exact name (which must be unique).
/// Computes and stores the demo program's schedule and its forecast through the teams'
/// capacities (the program page's defaults), so that its page, the product roadmaps and the API
/// show them from the first visit instead of two empty sections. Returns what to tell the user.
pub(crate) async fn plan_demo(store: &dyn Store) -> anyhow::Result<String> {
    let program = find_program(store, demo::DEMO_PROGRAM_NAME).await?;
    let schedule = compute_schedule(store, program.id, ScheduleOptions::default()).await.map_err(explain)?;
    let options = ForecastOptions::new(None, None, true, Distribution::Pert)
        .map_err(|errors| anyhow::anyhow!("invalid forecast options: {errors}"))?;
    let actor = Actor::system("demo");
    let forecast = compute_forecast(store, &actor, program.id, options).await.map_err(explain)?;
    Ok(format!(
        "Computed the program's schedule (finish {}, {} working days with the teams' capacities) and a forecast of \
         {} iterations through them (P50 {}, P80 {}).",
        schedule.finish,
        schedule.makespan,
        forecast.options.iterations(),
        forecast.finish.p50,
        forecast.finish.p80
    ))
}

pub(crate) async fn find_program(store: &dyn Store, id_or_name: &str) -> anyhow::Result<Program> {
    if let Ok(id) = id_or_name.parse::<ProgramId>() {
        return store.get_program(id).await.map_err(explain);
    }
    let mut matches = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let programs = store.list_programs(&ProgramFilter::default(), &page).await?;
        matches.extend(programs.items.into_iter().filter(|p| p.fields.name.as_str() == id_or_name.trim()));
        match programs.next_cursor {
            Some(cursor) => page = PageRequest { after: Some(cursor), limit: PageRequest::MAX_LIMIT },
            None => break,
        }
    }
    match matches.len() {
        0 => anyhow::bail!("no program is named \"{id_or_name}\""),
        1 => Ok(matches.remove(0)),
        n => anyhow::bail!("{n} programs are named \"{id_or_name}\": give the id instead"),
    }
}

/// Domain errors as the sentence a user needs (validation errors name their field).
pub(crate) fn explain(error: DomainError) -> anyhow::Error {
    match error {
        DomainError::Validation(errors) => anyhow::anyhow!("{errors}"),
        other => anyhow::Error::new(other),
    }
}
