//! Experiments: `experiments`, the variants one JSON array written and read whole (see
//! `migrations/0009_experiments.sql`). Reading re-parses the record through the domain, which
//! derives the plan's sample size.

use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::types::Json;
use sqlx::{Row, SqliteConnection};
use tandem_domain::experiment::{
    Experiment, ExperimentFields, ExperimentInput, ExperimentStatus, MetricKind, VariantInput, VariantNumbers,
};
use tandem_domain::ids::ExperimentId;
use tandem_domain::record::now;
use tandem_domain::{DomainError, DomainResult, EntityKind, Meta, ProductId, ValidationErrors};

use crate::columns::{self, corrupt, storage, timestamp_text};
use crate::records::{self, Table};

/// One variant as stored: the numbers of its metric kind, the others absent.
#[derive(Debug, Serialize, Deserialize)]
struct StoredVariant {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visitors: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    conversions: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    std_dev: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<i64>,
}

fn stored_variants(fields: &ExperimentFields) -> Json<Vec<StoredVariant>> {
    Json(
        fields
            .variants
            .iter()
            .map(|v| {
                let name = v.name.as_str().to_owned();
                match v.numbers {
                    VariantNumbers::Conversion { visitors, conversions } => StoredVariant {
                        name,
                        visitors: Some(visitors),
                        conversions: Some(conversions),
                        mean: None,
                        std_dev: None,
                        count: None,
                    },
                    VariantNumbers::Mean { mean, std_dev, count } => StoredVariant {
                        name,
                        visitors: None,
                        conversions: None,
                        mean: Some(mean),
                        std_dev: Some(std_dev),
                        count: Some(count),
                    },
                }
            })
            .collect(),
    )
}

fn variant_input(variant: StoredVariant) -> DomainResult<VariantInput> {
    let numbers = match variant {
        StoredVariant { visitors: Some(visitors), conversions: Some(conversions), .. } => {
            VariantNumbers::Conversion { visitors, conversions }
        }
        StoredVariant { mean: Some(mean), std_dev: Some(std_dev), count: Some(count), .. } => {
            VariantNumbers::Mean { mean, std_dev, count }
        }
        _ => return Err(corrupt("variants", "a variant without numbers")),
    };
    Ok(VariantInput { name: variant.name, numbers })
}

fn experiment_from_row(row: &SqliteRow) -> DomainResult<Experiment> {
    let Json(variants): Json<Vec<StoredVariant>> = row.try_get("variants").map_err(storage)?;
    let input = ExperimentInput {
        product_id: columns::id(row, "product_id")?,
        feature_id: columns::optional_id(row, "feature_id")?,
        name: columns::text(row, "name")?,
        hypothesis: columns::text(row, "hypothesis")?,
        metric: columns::parsed("metric", MetricKind::parse("metric", &columns::text(row, "metric")?))?,
        baseline: columns::real(row, "baseline")?,
        baseline_std_dev: row.try_get("baseline_std_dev").map_err(storage)?,
        minimum_detectable_effect: columns::real(row, "minimum_detectable_effect")?,
        power: columns::real(row, "power")?,
        alpha: columns::real(row, "alpha")?,
        status: columns::parsed("status", ExperimentStatus::parse("status", &columns::text(row, "status")?))?,
        variants: variants.into_iter().map(variant_input).collect::<DomainResult<_>>()?,
    };
    let fields = ExperimentFields::parse(input).map_err(|errors| corrupt("experiments", errors))?;
    Ok(Experiment { id: columns::id(row, "id")?, fields, meta: columns::meta(row)? })
}

/// The product exists and the feature, when named, is one of its work items.
async fn check_references(conn: &mut SqliteConnection, fields: &ExperimentFields) -> DomainResult<()> {
    let mut errors = ValidationErrors::new();
    let product = fields.product_id.to_string();
    if !records::check_reference(conn, &mut errors, Table::Products, "product_id", &product).await? {
        return Ok(errors.into_result()?);
    }
    if let Some(item) = fields.feature_id {
        let row = sqlx::query("SELECT product_id FROM work_items WHERE id = ?")
            .bind(item.to_string())
            .fetch_optional(&mut *conn)
            .await
            .map_err(storage)?;
        match row {
            None => errors.add("feature_id", "not_found", format!("work item {item} does not exist")),
            Some(row) => {
                let owner: Option<String> = row.try_get("product_id").map_err(storage)?;
                if owner.as_deref() != Some(product.as_str()) {
                    errors.add("feature_id", "other_product", format!("work item {item} is not in product {product}"));
                }
            }
        }
    }
    Ok(errors.into_result()?)
}

pub async fn create(conn: &mut SqliteConnection, fields: ExperimentFields) -> DomainResult<Experiment> {
    check_references(conn, &fields).await?;
    let id = ExperimentId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO experiments (id, product_id, feature_id, name, hypothesis, metric, baseline, baseline_std_dev, \
         minimum_detectable_effect, power, alpha, status, variants, created_at, updated_at, version) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(fields.product_id.to_string())
    .bind(fields.feature_id.map(|f| f.to_string()))
    .bind(fields.name.as_str())
    .bind(fields.hypothesis.as_str())
    .bind(fields.metric.as_str())
    .bind(fields.baseline)
    .bind(fields.baseline_std_dev)
    .bind(fields.minimum_detectable_effect)
    .bind(fields.power.get())
    .bind(fields.alpha.get())
    .bind(fields.status.as_str())
    .bind(stored_variants(&fields))
    .bind(timestamp_text(meta.created_at))
    .bind(timestamp_text(meta.updated_at))
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Experiment { id, fields, meta })
}

pub async fn get(conn: &mut SqliteConnection, id: ExperimentId) -> DomainResult<Experiment> {
    let row = sqlx::query("SELECT * FROM experiments WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => experiment_from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Experiment, id)),
    }
}

pub async fn update(
    conn: &mut SqliteConnection,
    before: &Experiment,
    version: i64,
    fields: ExperimentFields,
) -> DomainResult<Experiment> {
    let id_text = before.id.to_string();
    let stored = records::current_meta(conn, Table::Experiments, &id_text, Some(version)).await?;
    if fields.product_id != before.fields.product_id {
        return Err(DomainError::invalid("product_id", "immutable", "cannot change: a record stays with its product"));
    }
    check_references(conn, &fields).await?;
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE experiments SET feature_id = ?, name = ?, hypothesis = ?, metric = ?, baseline = ?, \
         baseline_std_dev = ?, minimum_detectable_effect = ?, power = ?, alpha = ?, status = ?, variants = ?, \
         updated_at = ?, version = ? WHERE id = ? AND version = ?",
    )
    .bind(fields.feature_id.map(|f| f.to_string()))
    .bind(fields.name.as_str())
    .bind(fields.hypothesis.as_str())
    .bind(fields.metric.as_str())
    .bind(fields.baseline)
    .bind(fields.baseline_std_dev)
    .bind(fields.minimum_detectable_effect)
    .bind(fields.power.get())
    .bind(fields.alpha.get())
    .bind(fields.status.as_str())
    .bind(stored_variants(&fields))
    .bind(timestamp_text(meta.updated_at))
    .bind(meta.version)
    .bind(&id_text)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Experiment { id: before.id, fields, meta })
}

pub async fn delete(conn: &mut SqliteConnection, id: ExperimentId, version: Option<i64>) -> DomainResult<()> {
    let id_text = id.to_string();
    records::current_meta(conn, Table::Experiments, &id_text, version).await?;
    records::delete(conn, Table::Experiments, &id_text).await
}

pub async fn list(conn: &mut SqliteConnection, product: ProductId) -> DomainResult<Vec<Experiment>> {
    let rows = sqlx::query("SELECT * FROM experiments WHERE product_id = ? ORDER BY created_at DESC, id DESC")
        .bind(product.to_string())
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?;
    rows.iter().map(experiment_from_row).collect()
}
