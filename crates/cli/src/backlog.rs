//! `tandem backlog`: print a product's backlog in rank order or ranked by a prioritization
//! framework, with each item's score and formula (the same ranking as the product's
//! prioritization page and `GET /api/v1/products/{id}/prioritization`).

use anyhow::Context;
use clap::{Args, ValueEnum};
use tandem_domain::backlog::{BacklogDetails, rank_by};
use tandem_domain::prioritization::Framework;
use tandem_domain::{PageRequest, Product, ProductFilter, ProductId, Store, WorkItem, WorkItemFilter, WorkItemOrder};

use crate::config::FileConfig;
use crate::plan::explain;
use crate::{DatabaseArgs, database_url, storage};

/// What to order the backlog by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Order {
    /// The manual backlog order.
    Rank,
    Rice,
    Wsjf,
    Cd3,
    Moscow,
    ImpactEffort,
}

impl Order {
    fn framework(self) -> Option<Framework> {
        match self {
            Order::Rank => None,
            Order::Rice => Some(Framework::Rice),
            Order::Wsjf => Some(Framework::Wsjf),
            Order::Cd3 => Some(Framework::Cd3),
            Order::Moscow => Some(Framework::Moscow),
            Order::ImpactEffort => Some(Framework::ImpactEffort),
        }
    }
}

#[derive(Debug, Args)]
pub struct BacklogArgs {
    /// The product: its id, or its exact name.
    #[arg(long, value_name = "ID|NAME")]
    product: String,
    /// Order by rank (the manual order) or by a framework's score, highest first.
    #[arg(long, value_enum, default_value = "rank")]
    by: Order,
    #[command(flatten)]
    database: DatabaseArgs,
}

pub async fn run(args: BacklogArgs, file: &FileConfig) -> anyhow::Result<()> {
    let url = database_url(&args.database, file);
    let store = storage::open_store(&url).await?;
    let product = find_product(store.as_ref(), &args.product).await?;
    let backlog = load(store.as_ref(), product.id).await?;
    print!("{}", render(&product, &backlog, args.by));
    Ok(())
}

/// The product's items in rank order with their backlog details.
async fn load(store: &dyn Store, product: ProductId) -> anyhow::Result<Vec<(WorkItem, BacklogDetails)>> {
    let filter = WorkItemFilter { product: Some(product), order: WorkItemOrder::Rank, ..WorkItemFilter::default() };
    let mut items = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let found = store.list_work_items(&filter, &page).await.map_err(explain)?;
        items.extend(found.items);
        match found.next_cursor {
            Some(cursor) => page = PageRequest { after: Some(cursor), limit: PageRequest::MAX_LIMIT },
            None => break,
        }
    }
    let ids: Vec<_> = items.iter().map(|i| i.id).collect();
    let details = store.backlog_details(&ids).await.map_err(explain).context("cannot read the backlog")?;
    let mut by_id: std::collections::HashMap<_, _> = details.into_iter().collect();
    Ok(items
        .into_iter()
        .map(|item| {
            let details = by_id.remove(&item.id).unwrap_or_default();
            (item, details)
        })
        .collect())
}

fn score_text(score: Option<f64>) -> String {
    match score {
        None => "-".to_owned(),
        Some(value) => {
            let rounded = (value * 100.0).round() / 100.0;
            if rounded.fract() == 0.0 { format!("{rounded:.0}") } else { format!("{rounded:.2}") }
        }
    }
}

/// The table: position, score (or rank), kind, status, title; under each scored item its formula.
pub(crate) fn render(product: &Product, backlog: &[(WorkItem, BacklogDetails)], by: Order) -> String {
    let mut out = String::new();
    let heading = match by.framework() {
        Some(framework) => format!("ranked by {}", framework.label()),
        None => "in rank order".to_owned(),
    };
    out.push_str(&format!("{}: {} items, {heading}\n", product.fields.name, backlog.len()));
    let column = if by == Order::Rank { "rank" } else { "score" };
    out.push_str(&format!("{:>4}  {column:>10}  {:<7}  {:<11}  title\n", "#", "kind", "status"));
    let rows: Vec<(&WorkItem, Option<f64>, Option<String>)> = match by.framework() {
        Some(framework) => rank_by(framework, backlog)
            .into_iter()
            .map(|r| (r.item, r.score, r.details.scores.explain(framework)))
            .collect(),
        None => backlog.iter().map(|(item, _)| (item, Some(item.rank.get() as f64), None)).collect(),
    };
    for (position, (item, score, formula)) in rows.into_iter().enumerate() {
        out.push_str(&format!(
            "{:>4}  {:>10}  {:<7}  {:<11}  {}\n",
            position + 1,
            score_text(score),
            item.fields.kind.as_str(),
            item.fields.status.as_str(),
            item.fields.title
        ));
        if let Some(formula) = formula {
            out.push_str(&format!("{:>40}{formula}\n", ""));
        }
    }
    out
}

/// A product by id, or else by exact name (which must be unique).
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
