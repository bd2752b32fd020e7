//! `tandem import`: CSV files into a product (insights, their format documented in
//! `tandem_domain::evidence`; metric points, in `tandem_domain::metrics`). All rows or none: a file with any bad row stores nothing and the
//! errors name the row and column (`rows[3].date`).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use tandem_domain::evidence::parse_insights_csv;
use tandem_domain::{Actor, PageRequest, Product, ProductFilter, ProductId, Store};

use crate::DatabaseArgs;
use crate::config::FileConfig;
use crate::plan::explain;

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    #[command(subcommand)]
    what: ImportWhat,
}

#[derive(Debug, Subcommand)]
enum ImportWhat {
    /// Customer insights: header row, then date, source, customer, quote, importance and
    /// optionally segment, source_reference, features (work item ids separated by `;`).
    Insights(ImportFileArgs),
    // Product metrics.
    /// Product metric points: header row, then date, kind (adoption, retention, revenue,
    /// satisfaction), value and optionally feature_id (a work item of the product). A row with the
    /// date, kind and feature of a recorded point replaces its value.
    Metrics(ImportFileArgs),
}

#[derive(Debug, Args)]
struct ImportFileArgs {
    /// The CSV file.
    file: PathBuf,
    /// The product, by id or name.
    #[arg(long, value_name = "NAME|ID")]
    product: String,
    #[command(flatten)]
    database: DatabaseArgs,
}

pub(crate) async fn run(args: ImportArgs, file: &FileConfig) -> anyhow::Result<()> {
    match args.what {
        ImportWhat::Insights(args) => {
            let text =
                std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
            let store = crate::storage::open_store(&crate::database_url(&args.database, file)).await?;
            let product = find_product(store.as_ref(), &args.product).await?;
            let segments = store.list_segments(product.id).await.map_err(explain)?;
            let rows = parse_insights_csv(&text, product.id, &segments)
                .map_err(|errors| anyhow::anyhow!("{errors}"))
                .context("nothing was imported")?;
            let created = store
                .create_insights(&Actor::system("command line"), rows)
                .await
                .map_err(explain)
                .context("nothing was imported")?;
            println!("Imported {} insights into {}.", created.len(), product.fields.name);
            Ok(())
        }
        // Product metrics.
        ImportWhat::Metrics(args) => {
            let text =
                std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
            let store = crate::storage::open_store(&crate::database_url(&args.database, file)).await?;
            let product = find_product(store.as_ref(), &args.product).await?;
            let rows = tandem_domain::metrics::parse_metrics_csv(&text, product.id)
                .map_err(|errors| anyhow::anyhow!("{errors}"))
                .context("nothing was imported")?;
            let recorded = store
                .record_metric_points(&Actor::system("command line"), rows)
                .await
                .map_err(explain)
                .context("nothing was imported")?;
            println!("Imported {} metric points into {}.", recorded.len(), product.fields.name);
            Ok(())
        }
    }
}

/// A product by id, or by its exact name when exactly one has it.
pub(crate) async fn find_product(store: &dyn Store, id_or_name: &str) -> anyhow::Result<Product> {
    if let Ok(id) = id_or_name.parse::<ProductId>() {
        return store.get_product(id).await.map_err(explain);
    }
    let mut matches = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let products = store.list_products(&ProductFilter::default(), &page).await?;
        matches.extend(products.items.into_iter().filter(|p| p.fields.name.as_str() == id_or_name.trim()));
        match products.next_cursor {
            Some(cursor) => page = PageRequest { after: Some(cursor), limit: PageRequest::MAX_LIMIT },
            None => break,
        }
    }
    match matches.len() {
        0 => anyhow::bail!("no product is named \"{id_or_name}\""),
        1 => Ok(matches.remove(0)),
        n => anyhow::bail!("{n} products are named \"{id_or_name}\": give the id instead"),
    }
}
