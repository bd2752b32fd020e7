//! `tandem okr`: a product's objectives and key-result progress, as the strategy page shows them.

use clap::Args;
use tandem_domain::strategy::{ObjectiveFilter, number};
use tandem_domain::{PageRequest, Product, ProductFilter, ProductId, Store};

use crate::config::FileConfig;
use crate::plan::explain;
use crate::{DatabaseArgs, database_url, storage};

#[derive(Debug, Args)]
pub struct OkrArgs {
    /// The product: its id, or its exact name.
    #[arg(long, value_name = "ID|NAME")]
    product: String,
    #[command(flatten)]
    database: DatabaseArgs,
}

pub async fn run(args: OkrArgs, file: &FileConfig) -> anyhow::Result<()> {
    let url = database_url(&args.database, file);
    let store = storage::open_store(&url).await?;
    let product = find_product(store.as_ref(), &args.product).await?;
    let filter = ObjectiveFilter { product: Some(product.id), ..ObjectiveFilter::default() };
    let objectives = store.list_objectives(&filter).await.map_err(explain)?;
    println!("{}: {} objectives", product.fields.name, objectives.len());
    for objective in objectives {
        let f = &objective.fields;
        let progress = f.progress().map_or_else(|| "no key results".to_owned(), |p| format!("{} %", number(round1(p))));
        println!();
        println!("{} ({} to {}, {}): {progress}", f.title, f.period.start(), f.period.end(), f.status.label());
        for kr in &f.key_results {
            println!("  - {}: {}", kr.metric, kr.explain());
        }
    }
    Ok(())
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

async fn find_product(store: &dyn Store, id_or_name: &str) -> anyhow::Result<Product> {
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
