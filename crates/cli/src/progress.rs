//! `tandem progress`: how much of a program's estimated work is done, per project and in total,
//! as the program page's "Work done" and `GET /api/v1/programs/{id}/progress` show it (the rule
//! is `tandem_domain::progress`'s).

use anyhow::Context;
use clap::Args;
use tandem_domain::progress::WorkTotals;
use tandem_domain::{PageRequest, Project, ProjectFilter, Store};
use tandem_server::api::progress::ProgramProgressJson;

use crate::config::FileConfig;
use crate::plan::{explain, find_program};
use crate::{DatabaseArgs, database_url, storage};

#[derive(Debug, Args)]
pub struct ProgressArgs {
    /// The program: its id, or its exact name.
    #[arg(long, value_name = "ID|NAME")]
    program: String,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Print the API's JSON document instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: ProgressArgs, file: &FileConfig) -> anyhow::Result<()> {
    let url = database_url(&args.database, file);
    let store = storage::open_store(&url).await?;
    let program = find_program(store.as_ref(), &args.program).await?;
    let progress = store.program_progress(program.id).await.map_err(explain)?;
    let projects = program_projects(store.as_ref(), &program).await?;

    if args.json {
        let document = ProgramProgressJson::new(program.id, &progress, &projects);
        println!("{}", serde_json::to_string_pretty(&document).context("cannot write the progress as JSON")?);
        return Ok(());
    }

    let mut rows: Vec<(&str, WorkTotals, _)> = progress
        .projects
        .iter()
        .map(|entry| {
            let name = projects.iter().find(|p| p.id == entry.project_id).map_or("", |p| p.fields.name.as_str());
            (name, entry.totals, entry.project_id)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(b.0).then(a.2.cmp(&b.2)));
    const TOTAL: &str = "Total";
    let width = rows.iter().map(|(name, _, _)| name.chars().count()).chain([TOTAL.len()]).max().unwrap_or_default();
    println!("{}: work done", program.fields.name);
    for (name, totals, _) in &rows {
        println!("  {}", line(name, totals, width));
    }
    println!("  {}", line(TOTAL, &progress.total(), width));
    Ok(())
}

/// "Name   42.5 %  12.0 of 30.0 days  3 of 10 items done, 2 in progress", in columns ("—" for
/// the percent when nothing is estimated).
fn line(name: &str, totals: &WorkTotals, width: usize) -> String {
    let percent = totals.percent_done().map_or_else(|| "—".to_owned(), |p| format!("{p:.1} %"));
    let days = format!("{:.1} of {:.1} days", totals.done_days, totals.estimated_days);
    format!(
        "{name:<width$}  {percent:>7}  {days:>20}  {} of {} items done, {} in progress",
        totals.done_items, totals.items, totals.in_progress_items
    )
}

/// Every project of `program`, all pages.
async fn program_projects(store: &dyn Store, program: &tandem_domain::Program) -> anyhow::Result<Vec<Project>> {
    let filter = ProjectFilter { program: Some(program.id), ..ProjectFilter::default() };
    let mut projects = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let listed = store.list_projects(&filter, &page).await.map_err(explain)?;
        projects.extend(listed.items);
        match listed.next_cursor {
            Some(cursor) => page = PageRequest { after: Some(cursor), limit: PageRequest::MAX_LIMIT },
            None => return Ok(projects),
        }
    }
}
