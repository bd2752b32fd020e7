//! Experiments: `/api/v1/experiments` (a product's A/B tests, `?product_id=` to list; the
//! variants' numbers are part of the record and replaced whole with a PUT) and their results,
//! `/api/v1/experiments/{id}/results`.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tandem_domain::experiment::{
    Experiment, ExperimentFields, ExperimentInput, ExperimentStatus, MetricKind, VariantInput, VariantNumbers, results,
    variant_estimates,
};
use tandem_domain::ids::ExperimentId;
use tandem_domain::{Access, Page, ProductId, ValidationErrors, WorkItemId};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::AppState;
use crate::api::dates::timestamp;
use crate::api::extract::{RecordPath, parse_id};
use crate::api::listing::ListResponse;
use crate::auth::Caller;
use crate::error::ApiError;

/// What an experiment measures: `conversion` (visitors and conversions) or `mean` (a numeric
/// metric's mean, standard deviation and count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ExperimentMetric)]
pub enum MetricJson {
    Conversion,
    Mean,
}

impl From<MetricJson> for MetricKind {
    fn from(value: MetricJson) -> Self {
        match value {
            MetricJson::Conversion => MetricKind::Conversion,
            MetricJson::Mean => MetricKind::Mean,
        }
    }
}

impl From<MetricKind> for MetricJson {
    fn from(value: MetricKind) -> Self {
        match value {
            MetricKind::Conversion => MetricJson::Conversion,
            MetricKind::Mean => MetricJson::Mean,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ExperimentStatus)]
pub enum StatusJson {
    Draft,
    Running,
    Finished,
}

impl From<StatusJson> for ExperimentStatus {
    fn from(value: StatusJson) -> Self {
        match value {
            StatusJson::Draft => ExperimentStatus::Draft,
            StatusJson::Running => ExperimentStatus::Running,
            StatusJson::Finished => ExperimentStatus::Finished,
        }
    }
}

impl From<ExperimentStatus> for StatusJson {
    fn from(value: ExperimentStatus) -> Self {
        match value {
            ExperimentStatus::Draft => StatusJson::Draft,
            ExperimentStatus::Running => StatusJson::Running,
            ExperimentStatus::Finished => StatusJson::Finished,
        }
    }
}

/// A variant and its numbers so far: `visitors` and `conversions` for a conversion metric,
/// `mean`, `std_dev` and `count` for a mean metric.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ExperimentVariant)]
pub struct VariantJson {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitors: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversions: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub std_dev: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
}

impl VariantJson {
    fn from_numbers(name: &str, numbers: VariantNumbers) -> VariantJson {
        match numbers {
            VariantNumbers::Conversion { visitors, conversions } => VariantJson {
                name: name.to_owned(),
                visitors: Some(visitors),
                conversions: Some(conversions),
                ..VariantJson::default()
            },
            VariantNumbers::Mean { mean, std_dev, count } => VariantJson {
                name: name.to_owned(),
                mean: Some(mean),
                std_dev: Some(std_dev),
                count: Some(count),
                ..VariantJson::default()
            },
        }
    }

    /// The numbers of `metric`'s kind; a missing one is `required`, one of the other kind
    /// `not_allowed` (fields `variants[i].visitors` and so on).
    fn numbers(&self, i: usize, metric: MetricKind, errors: &mut ValidationErrors) -> Option<VariantNumbers> {
        let field = |name: &str| format!("variants[{i}].{name}");
        let before = errors.errors().len();
        let mut required = |name: &str, present: bool| {
            if !present {
                errors.add(field(name), "required", format!("a {} experiment's variant needs it", metric.as_str()));
            }
        };
        match metric {
            MetricKind::Conversion => {
                required("visitors", self.visitors.is_some());
                required("conversions", self.conversions.is_some());
                for (name, present) in [
                    ("mean", self.mean.is_some()),
                    ("std_dev", self.std_dev.is_some()),
                    ("count", self.count.is_some()),
                ] {
                    if present {
                        errors.add(field(name), "not_allowed", "only a mean experiment's variants have it");
                    }
                }
            }
            MetricKind::Mean => {
                required("mean", self.mean.is_some());
                required("std_dev", self.std_dev.is_some());
                required("count", self.count.is_some());
                for (name, present) in
                    [("visitors", self.visitors.is_some()), ("conversions", self.conversions.is_some())]
                {
                    if present {
                        errors.add(field(name), "not_allowed", "only a conversion experiment's variants have it");
                    }
                }
            }
        }
        if errors.errors().len() != before {
            return None;
        }
        match metric {
            MetricKind::Conversion => Some(VariantNumbers::Conversion {
                visitors: self.visitors.unwrap_or_default(),
                conversions: self.conversions.unwrap_or_default(),
            }),
            MetricKind::Mean => Some(VariantNumbers::Mean {
                mean: self.mean.unwrap_or_default(),
                std_dev: self.std_dev.unwrap_or_default(),
                count: self.count.unwrap_or_default(),
            }),
        }
    }
}

/// An A/B test of a product, optionally of one of its features.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Experiment)]
pub struct ExperimentJson {
    pub id: Uuid,
    pub product_id: Uuid,
    /// A work item of the product the experiment tests.
    pub feature_id: Option<Uuid>,
    pub name: String,
    pub hypothesis: String,
    pub metric: MetricJson,
    /// The control's expected conversion rate (0 to 1) or mean.
    pub baseline: f64,
    /// For a mean metric: the expected standard deviation.
    pub baseline_std_dev: Option<f64>,
    /// Relative: 0.1 is +10 %.
    pub minimum_detectable_effect: f64,
    pub power: f64,
    /// The significance level.
    pub alpha: f64,
    pub status: StatusJson,
    /// 2 to 10; the first is the control.
    pub variants: Vec<VariantJson>,
    /// Observations each variant needs before a winner may be called (from the plan).
    pub planned_per_variant: u64,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Experiment> for ExperimentJson {
    fn from(experiment: Experiment) -> Self {
        let f = experiment.fields;
        ExperimentJson {
            id: experiment.id.as_uuid(),
            product_id: f.product_id.as_uuid(),
            feature_id: f.feature_id.map(|id| id.as_uuid()),
            name: f.name.as_str().to_owned(),
            hypothesis: f.hypothesis.as_str().to_owned(),
            metric: f.metric.into(),
            baseline: f.baseline,
            baseline_std_dev: f.baseline_std_dev,
            minimum_detectable_effect: f.minimum_detectable_effect,
            power: f.power.get(),
            alpha: f.alpha.get(),
            status: f.status.into(),
            variants: f.variants.iter().map(|v| VariantJson::from_numbers(v.name.as_str(), v.numbers)).collect(),
            planned_per_variant: f.planned.per_variant,
            version: experiment.meta.version,
            created_at: timestamp(experiment.meta.created_at),
            updated_at: timestamp(experiment.meta.updated_at),
        }
    }
}

/// An experiment to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewExperiment)]
pub struct NewExperimentJson {
    pub product_id: Uuid,
    pub feature_id: Option<Uuid>,
    pub name: String,
    #[serde(default)]
    pub hypothesis: String,
    pub metric: MetricJson,
    pub baseline: f64,
    pub baseline_std_dev: Option<f64>,
    pub minimum_detectable_effect: f64,
    /// Default 0.8.
    pub power: Option<f64>,
    /// Default 0.05.
    pub alpha: Option<f64>,
    /// Default `draft`.
    pub status: Option<StatusJson>,
    pub variants: Vec<VariantJson>,
}

/// An experiment's new fields, variants' numbers included (its product cannot change).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ExperimentUpdate)]
pub struct ExperimentUpdateJson {
    pub version: i64,
    pub product_id: Uuid,
    pub feature_id: Option<Uuid>,
    pub name: String,
    #[serde(default)]
    pub hypothesis: String,
    pub metric: MetricJson,
    pub baseline: f64,
    pub baseline_std_dev: Option<f64>,
    pub minimum_detectable_effect: f64,
    pub power: Option<f64>,
    pub alpha: Option<f64>,
    pub status: Option<StatusJson>,
    pub variants: Vec<VariantJson>,
}

impl NewExperimentJson {
    /// Every problem at once: the variants' missing numbers with the plan's and the names'.
    fn parse(self) -> Result<ExperimentFields, ValidationErrors> {
        let metric: MetricKind = self.metric.into();
        let mut errors = ValidationErrors::new();
        let variants: Vec<VariantInput> = self
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| VariantInput {
                name: v.name.clone(),
                numbers: v.numbers(i, metric, &mut errors).unwrap_or(match metric {
                    // Placeholders so the domain still checks names and the plan.
                    MetricKind::Conversion => VariantNumbers::Conversion { visitors: 0, conversions: 0 },
                    MetricKind::Mean => VariantNumbers::Mean { mean: 0.0, std_dev: 0.0, count: 0 },
                }),
            })
            .collect();
        let input = ExperimentInput {
            product_id: ProductId::from_uuid(self.product_id),
            feature_id: self.feature_id.map(WorkItemId::from_uuid),
            name: self.name,
            hypothesis: self.hypothesis,
            metric,
            baseline: self.baseline,
            baseline_std_dev: self.baseline_std_dev,
            minimum_detectable_effect: self.minimum_detectable_effect,
            power: self.power.unwrap_or(0.8),
            alpha: self.alpha.unwrap_or(0.05),
            status: self.status.map_or(ExperimentStatus::Draft, Into::into),
            variants,
        };
        let fields = errors.check_all(ExperimentFields::parse(input));
        errors.finish(fields)
    }
}

pub mod records {
    use super::*;

    /// `?product_id=` (required).
    #[derive(Debug, Deserialize, IntoParams)]
    #[into_params(parameter_in = Query)]
    pub struct ExperimentListQuery {
        /// The product whose experiments to list (required).
        #[param(value_type = Uuid)]
        pub product_id: Option<String>,
    }

    async fn list(store: Access<'_>, query: ExperimentListQuery) -> Result<ListResponse<ExperimentJson>, ApiError> {
        let mut errors = ValidationErrors::new();
        let product = match query.product_id.as_deref() {
            None => {
                errors.add("product_id", "required", "must name the product");
                None
            }
            Some(raw) => errors.check(parse_id("product_id", raw)),
        };
        errors.into_result()?;
        let items = match product {
            Some(product) => store.list_experiments(product).await?,
            None => Vec::new(),
        };
        // A product's experiments are read whole: one page.
        Ok(ListResponse::from_page(Page { items, next_cursor: None }))
    }

    async fn create(store: Access<'_>, body: NewExperimentJson) -> Result<ExperimentJson, ApiError> {
        let fields = body.parse()?;
        Ok(store.create_experiment(fields).await?.into())
    }

    async fn fetch(store: Access<'_>, id: ExperimentId) -> Result<ExperimentJson, ApiError> {
        Ok(store.get_experiment(id).await?.into())
    }

    async fn replace(
        store: Access<'_>,
        id: ExperimentId,
        body: ExperimentUpdateJson,
    ) -> Result<ExperimentJson, ApiError> {
        let input = NewExperimentJson {
            product_id: body.product_id,
            feature_id: body.feature_id,
            name: body.name,
            hypothesis: body.hypothesis,
            metric: body.metric,
            baseline: body.baseline,
            baseline_std_dev: body.baseline_std_dev,
            minimum_detectable_effect: body.minimum_detectable_effect,
            power: body.power,
            alpha: body.alpha,
            status: body.status,
            variants: body.variants,
        };
        let fields = input.parse()?;
        Ok(store.update_experiment(id, body.version, fields).await?.into())
    }

    async fn remove(store: Access<'_>, id: ExperimentId, version: Option<i64>) -> Result<(), ApiError> {
        Ok(store.delete_experiment(id, version).await?)
    }

    record_handlers! {
        tag: "experiments",
        collection: "/api/v1/experiments",
        item: "/api/v1/experiments/{id}",
        id: ExperimentId,
        json: ExperimentJson,
        new: NewExperimentJson,
        update: ExperimentUpdateJson,
        query: ExperimentListQuery,
        handlers: [list_experiments, create_experiment, get_experiment, replace_experiment, delete_experiment],
    }
}

// ----- results -----

/// A two-sided interval.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(as = Interval95)]
pub struct IntervalJson {
    pub low: f64,
    pub high: f64,
}

/// One variant's own rate (conversion) or mean with its 95 % interval.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = VariantEstimate)]
pub struct VariantEstimateJson {
    pub variant: String,
    /// Visitors or observations so far.
    pub sample: i64,
    /// The conversion rate or the mean; `null` before any visitors or observations.
    pub estimate: Option<f64>,
    /// The variant's own 95 % interval. Conversion: the Wilson score interval
    /// `(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)`, z = 1.959963984540054, always
    /// within [0, 1] and never of zero width (also at 0 % and 100 %). Mean: `mean ± z·s/√n`.
    /// `null` before any visitors or observations, and for a mean with fewer than 2
    /// observations (one observation has no spread to estimate; views say "needs at least 2
    /// observations").
    pub ci_95: Option<IntervalJson>,
}

/// A treatment against the control.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = VariantComparison)]
pub struct ComparisonJson {
    pub variant: String,
    /// False while there is not yet enough data to test (no visitors, fewer than 2
    /// observations, no spread); the other fields are then absent.
    pub tested: bool,
    /// `variant / control - 1`; absent when the control's rate or mean is 0.
    pub lift: Option<f64>,
    pub lift_ci_95: Option<IntervalJson>,
    /// Two-sided: two-proportion z-test (conversion), Welch's t-test (mean).
    pub p_value: Option<f64>,
    /// `not_enough_data`, `no_significant_difference`, `variant_wins` or `control_wins`.
    pub verdict: Option<String>,
    /// The verdict in plain language.
    pub verdict_text: String,
}

/// What an experiment's numbers say so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ExperimentResults)]
pub struct ResultsJson {
    pub experiment_id: Uuid,
    pub metric: MetricJson,
    /// The sample size each variant needs (the plan), rounded up.
    pub required_per_variant: u64,
    /// The formula's value before rounding up.
    pub required_per_variant_exact: f64,
    pub variants: Vec<VariantEstimateJson>,
    /// One per treatment, in order.
    pub comparisons: Vec<ComparisonJson>,
}

impl ResultsJson {
    pub fn new(experiment: &Experiment) -> ResultsJson {
        let fields = &experiment.fields;
        let interval = |ci: tandem_domain::experiments::ConfidenceInterval| IntervalJson { low: ci.low, high: ci.high };
        let comparisons = results(fields)
            .comparisons
            .into_iter()
            .map(|(variant, comparison)| match comparison {
                Some(c) => ComparisonJson {
                    variant,
                    tested: true,
                    lift: c.lift,
                    lift_ci_95: c.lift_ci_95.map(interval),
                    p_value: Some(c.p_value),
                    verdict: Some(c.verdict.as_str().to_owned()),
                    verdict_text: c.verdict.sentence(),
                },
                None => ComparisonJson {
                    variant,
                    tested: false,
                    lift: None,
                    lift_ci_95: None,
                    p_value: None,
                    verdict: None,
                    verdict_text: NOT_TESTED.to_owned(),
                },
            })
            .collect();
        ResultsJson {
            experiment_id: experiment.id.as_uuid(),
            metric: fields.metric.into(),
            required_per_variant: fields.planned.per_variant,
            required_per_variant_exact: fields.planned.exact,
            variants: variant_estimates(fields)
                .into_iter()
                .map(|e| VariantEstimateJson {
                    variant: e.variant,
                    sample: e.sample,
                    estimate: e.estimate,
                    ci_95: e.ci_95.map(interval),
                })
                .collect(),
            comparisons,
        }
    }
}

/// The plain-language line of a variant that cannot be tested yet.
pub const NOT_TESTED: &str = "No result yet: the variant or the control has too little data to test.";

#[utoipa::path(
    get,
    path = "/api/v1/experiments/{id}/results",
    tag = "experiments",
    params(("id" = uuid::Uuid, Path, description = "The experiment's id")),
    responses(
        (status = 200, description = "Lift with its 95 % interval, p-value, required sample size and verdict per treatment", body = ResultsJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such experiment you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn experiment_results(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ExperimentId>,
) -> Result<Json<ResultsJson>, ApiError> {
    let experiment = caller.access(&state).get_experiment(id).await?;
    Ok(Json(ResultsJson::new(&experiment)))
}
