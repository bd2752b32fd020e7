//! `tandem load-test`: latency of the list endpoints and the heaviest pages against a real
//! database, served in-process over real HTTP on loopback. This is the benchmark behind the
//! "p95 under 50 ms with 100,000 work items" target; it measures, it does not assert.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use tandem_domain::{
    Actor, ApiTokenId, NewApiToken, PageRequest, ProductFilter, ProgramFilter, ProjectFilter, Store, TokenScope,
    UserFields, UserInput, Username, WorkItemFilter,
};

use crate::config::FileConfig;
use crate::{DatabaseArgs, database_url, storage};

#[derive(Debug, Args)]
pub struct LoadTestArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Timed requests per endpoint (after 5 untimed warm-up requests).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    requests: u32,
}

/// Latency figures of one endpoint, in milliseconds.
#[derive(Debug)]
struct Latency {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

impl Latency {
    fn of(mut samples: Vec<Duration>) -> Latency {
        samples.sort_unstable();
        let at = |q: f64| {
            let index = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[index].as_secs_f64() * 1000.0
        };
        Latency { p50: at(0.50), p95: at(0.95), p99: at(0.99), max: at(1.0) }
    }
}

pub async fn run(args: LoadTestArgs, file: &FileConfig) -> anyhow::Result<()> {
    let url = database_url(&args.database, file);
    let store = storage::open_store(&url).await?;
    let work_items = store.count_work_items(&WorkItemFilter::default()).await.context("cannot count work items")?;

    // The program with the most projects is the one to measure (the load-test program when present).
    let programs = store.list_programs(&ProgramFilter::default(), &PageRequest::first(500)).await?;
    let mut busiest = None;
    for program in &programs.items {
        let projects = store
            .list_projects(
                &ProjectFilter { program: Some(program.id), ..ProjectFilter::default() },
                &PageRequest::first(500),
            )
            .await?;
        if busiest.as_ref().is_none_or(|(_, best): &(_, Vec<_>)| projects.items.len() > best.len()) {
            busiest = Some((program.id, projects.items));
        }
    }
    let Some((program_id, projects)) = busiest else {
        bail!("the database holds no program: run `tandem demo --scale N` first")
    };
    let Some(project) = projects.first() else { bail!("program {program_id} has no project") };
    let product =
        store.list_products(&ProductFilter::default(), &PageRequest::first(1)).await?.items.into_iter().next();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("cannot bind a loopback port")?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(tandem_server::serve(listener, tandem_server::AppState::new(store.clone())));

    let mut targets = vec![
        ("API work items, first page".to_owned(), "/api/v1/work-items?limit=50".to_owned()),
        ("API work items of a project".to_owned(), format!("/api/v1/work-items?project_id={}&limit=50", project.id)),
        (
            "API work items of a program, ready".to_owned(),
            format!("/api/v1/work-items?program_id={program_id}&status=ready&limit=50"),
        ),
        ("API projects of the program".to_owned(), format!("/api/v1/projects?program_id={program_id}")),
        ("API milestones of the program".to_owned(), format!("/api/v1/milestones?program_id={program_id}")),
        (
            "API dependencies of the program".to_owned(),
            format!("/api/v1/dependencies?program_id={program_id}&limit=50"),
        ),
        (
            "API cross-project dependencies".to_owned(),
            format!("/api/v1/dependencies?program_id={program_id}&cross_project=true&limit=50"),
        ),
        ("page: project".to_owned(), format!("/projects/{}", project.id)),
        ("page: program".to_owned(), format!("/programs/{program_id}")),
        ("page: home".to_owned(), "/".to_owned()),
    ];
    if let Some(product) = &product {
        targets.push((
            "API backlog by rank".to_owned(),
            format!("/api/v1/work-items?product_id={}&order=rank&limit=50", product.id),
        ));
        targets.push(("page: product".to_owned(), format!("/products/{}", product.id)));
    }

    let (client, token_id) = signed_in_client(store.as_ref()).await?;
    let bar = ProgressBar::new(targets.len() as u64 * u64::from(args.requests));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {wide_bar} {pos}/{len} requests ({eta})")
            .context("progress bar template")?,
    );
    let mut results = Vec::with_capacity(targets.len());
    for (label, path) in &targets {
        let url = format!("{base}{path}");
        for _ in 0..5 {
            fetch(&client, &url).await?;
        }
        let mut samples = Vec::with_capacity(args.requests as usize);
        for _ in 0..args.requests {
            let started = Instant::now();
            fetch(&client, &url).await?;
            samples.push(started.elapsed());
            bar.inc(1);
        }
        results.push((label, Latency::of(samples)));
    }
    bar.finish_and_clear();
    server.abort();
    store.revoke_api_token(&Actor::system("load test"), token_id).await.context("cannot revoke the load-test token")?;

    println!("{work_items} work items in {url}; {} timed requests per row (ms)", args.requests);
    println!("{:<40} {:>8} {:>8} {:>8} {:>8}", "endpoint", "p50", "p95", "p99", "max");
    for (label, latency) in &results {
        println!("{label:<40} {:>8.2} {:>8.2} {:>8.2} {:>8.2}", latency.p50, latency.p95, latency.p99, latency.max);
    }
    let worst = results.iter().map(|(_, l)| l.p95).fold(0.0, f64::max);
    println!("worst p95: {worst:.2} ms");
    Ok(())
}

/// A client signed in as the `load-test` admin (created on first use) with a one-day token,
/// revoked when the run ends: the measured requests pay for authentication as real ones do.
async fn signed_in_client(store: &dyn Store) -> anyhow::Result<(reqwest::Client, ApiTokenId)> {
    let actor = Actor::system("load test");
    let username = Username::parse("username", "load-test").map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let user = match store.find_credentials(&username).await? {
        Some((user, _)) => user,
        None => {
            let fields = UserFields::parse(UserInput {
                username: "load-test".to_owned(),
                display_name: "Load test".to_owned(),
                is_admin: true,
                disabled: false,
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            // Nobody signs in as this user: its password hash is a value no password matches.
            store.create_user(&actor, fields, "!".to_owned()).await?
        }
    };
    let now = tandem_domain::record::now();
    let token = NewApiToken::issue(user.id, "load test", TokenScope::Read, now + chrono::TimeDelta::days(1), now)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.create_api_token(&actor, &token).await?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {}", token.secret).parse()?);
    let client = reqwest::Client::builder().default_headers(headers).build()?;
    Ok((client, token.token.id))
}

async fn fetch(client: &reqwest::Client, url: &str) -> anyhow::Result<()> {
    let response = client.get(url).send().await.with_context(|| format!("GET {url} failed"))?;
    let status = response.status();
    // Read the whole body: the client must pay for what the server sends.
    let body = response.bytes().await.with_context(|| format!("GET {url}: cannot read the body"))?;
    if !status.is_success() {
        bail!("GET {url} answered {status}: {}", String::from_utf8_lossy(&body));
    }
    Ok(())
}
