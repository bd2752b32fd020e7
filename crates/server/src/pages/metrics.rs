//! Product metrics pages: `/products/{id}/metrics` with one server-rendered SVG line chart per
//! metric kind (the product's own series and each feature's), each feature's adoption since its
//! release (the last time its status became done, read from the audit trail), the form to record
//! a point, the CSV import (a file or pasted text) and the list of points (with delete for editors).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Request};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use tandem_domain::metrics::{MetricFilter, MetricKind, MetricPoint, MetricPointFields, MetricPointInput};
use tandem_domain::{
    DomainError, MetricPointId, Product, ProductId, Role, WorkItem, WorkItemFilter, WorkItemId, WorkItemOrder,
};

use super::form::{FormReader, FormState, SelectOption, SubmittedForm, finish};
use super::panels::{Rights, product_editor_may};
use super::upload::CsvUpload;
use super::{DELETE_CONFLICT_NOTICE, PageCtx, PageError, first_records, parse_id, render, see_other, store};
use crate::routes::Routes;

pub fn router() -> Routes {
    Routes::new("")
        .get("/products/{id}/metrics", product_metrics)
        .post("/products/{id}/metrics", record_point)
        .post("/products/{id}/metrics/import", import_points)
        .post("/metric-points/{id}/delete", delete_point)
}

// ----- charts -----

/// The drawing area of a chart, in SVG user units.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// One point of a drawn line: its position and its tooltip.
pub struct ChartPoint {
    pub x: String,
    pub y: String,
    pub tooltip: String,
}

/// One series of a chart.
pub struct ChartLine {
    pub label: String,
    /// `x,y x,y ...` for the polyline.
    pub path: String,
    pub points: Vec<ChartPoint>,
    /// Picks the line's colour (`series-0` ...).
    pub class: String,
}

/// A tick: its position on its axis and its label.
pub struct Tick {
    pub at: String,
    pub label: String,
}

/// A line chart of dated values: dates on x (linear in days), values on y.
pub struct LineChart {
    pub title: String,
    pub lines: Vec<ChartLine>,
    pub x_ticks: Vec<Tick>,
    pub y_ticks: Vec<Tick>,
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub bottom_y: String,
    pub right_x: String,
}

impl LineChart {
    pub fn point_count(&self) -> usize {
        self.lines.iter().map(|l| l.points.len()).sum()
    }
}

/// A value with at most two decimals and no trailing zeros: `8`, `3.5`, `1250.25`.
pub fn format_value(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn coordinate(value: f64) -> String {
    format!("{value:.1}")
}

/// Draws `series` (label, points by date) on one chart; `None` when no series has a point.
pub fn line_chart(title: &str, series: Vec<(String, Vec<(NaiveDate, f64)>)>) -> Option<LineChart> {
    let all: Vec<(NaiveDate, f64)> = series.iter().flat_map(|(_, points)| points.iter().copied()).collect();
    let first = all.iter().map(|(d, _)| *d).min()?;
    let last = all.iter().map(|(d, _)| *d).max()?;
    let low = all.iter().map(|(_, v)| *v).fold(f64::INFINITY, f64::min);
    let high = all.iter().map(|(_, v)| *v).fold(f64::NEG_INFINITY, f64::max);
    // A flat series still needs a height to be drawn in.
    let (low, high) = if high > low { (low, high) } else { (low - 1.0, high + 1.0) };
    let span_days = (last - first).num_days();
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let x_of = |date: NaiveDate| {
        if span_days == 0 {
            LEFT + plot_width / 2.0
        } else {
            LEFT + plot_width * (date - first).num_days() as f64 / span_days as f64
        }
    };
    let y_of = |value: f64| TOP + plot_height * (high - value) / (high - low);
    let lines = series
        .into_iter()
        .filter(|(_, points)| !points.is_empty())
        .enumerate()
        .map(|(i, (label, mut points))| {
            points.sort_by_key(|(date, _)| *date);
            let points: Vec<ChartPoint> = points
                .iter()
                .map(|(date, value)| ChartPoint {
                    x: coordinate(x_of(*date)),
                    y: coordinate(y_of(*value)),
                    tooltip: format!("{label}: {date}: {}", format_value(*value)),
                })
                .collect();
            let path = points.iter().map(|p| format!("{},{}", p.x, p.y)).collect::<Vec<_>>().join(" ");
            ChartLine { label, path, points, class: format!("series-{}", i % 6) }
        })
        .collect();
    let mut x_ticks = vec![Tick { at: coordinate(x_of(first)), label: first.to_string() }];
    if span_days > 0 {
        x_ticks.push(Tick { at: coordinate(x_of(last)), label: last.to_string() });
    }
    let y_ticks = (0..=4)
        .map(|i| {
            let value = low + (high - low) * f64::from(i) / 4.0;
            Tick { at: coordinate(y_of(value)), label: format_value(value) }
        })
        .collect();
    Some(LineChart {
        title: title.to_owned(),
        lines,
        x_ticks,
        y_ticks,
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        bottom_y: coordinate(HEIGHT - BOTTOM),
        right_x: coordinate(WIDTH - RIGHT),
    })
}

// ----- the page -----

/// A feature's adoption since its release.
pub struct AdoptionSinceRelease {
    pub feature: WorkItemId,
    pub title: String,
    /// Its entered release date, else the day its status last became done; `None`: never released.
    pub released: Option<NaiveDate>,
    /// The adoption points on or after the release (none when never released).
    pub chart: Option<LineChart>,
    /// Adoption points dated before the release, left out of the chart.
    pub before_release: usize,
}

/// A point as a table row.
pub struct PointRow {
    pub point: MetricPoint,
    pub series: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "metrics/product.html")]
struct ProductMetricsPage {
    product: Product,
    rights: Rights,
    charts: Vec<(MetricKind, Option<LineChart>)>,
    adoption: Vec<AdoptionSinceRelease>,
    points: Vec<PointRow>,
    kinds: Vec<SelectOption>,
    features: Vec<SelectOption>,
    point_form: FormState,
    import_form: FormState,
    import_errors: Vec<String>,
    notice: Option<String>,
}

struct MetricsForms {
    point_form: FormState,
    import_form: FormState,
    import_errors: Vec<String>,
    notice: Option<String>,
}

impl MetricsForms {
    fn none() -> MetricsForms {
        let mut point_form = FormState::empty();
        point_form.set("kind", MetricKind::Adoption.as_str());
        MetricsForms { point_form, import_form: FormState::empty(), import_errors: Vec::new(), notice: None }
    }
}

async fn product_items(state: &PageCtx, product: ProductId) -> Result<Vec<WorkItem>, PageError> {
    let filter = WorkItemFilter { product: Some(product), order: WorkItemOrder::Rank, ..WorkItemFilter::default() };
    first_records(|page| async move { store(state).list_work_items(&filter, &page).await }).await
}

fn series_label(feature: Option<WorkItemId>, items: &[WorkItem]) -> String {
    match feature {
        None => "Whole product".to_owned(),
        Some(id) => items
            .iter()
            .find(|i| i.id == id)
            .map_or_else(|| format!("Work item {id}"), |i| i.fields.title.as_str().to_owned()),
    }
}

/// A series' points by feature (`None`: the whole product).
type SeriesByFeature = Vec<(Option<WorkItemId>, Vec<(NaiveDate, f64)>)>;

/// The chart of one kind: the product's own series first, then each feature's.
fn kind_chart(kind: MetricKind, points: &[MetricPoint], items: &[WorkItem]) -> Option<LineChart> {
    let mut series: SeriesByFeature = Vec::new();
    for point in points.iter().filter(|p| p.fields.kind == kind) {
        let key = point.fields.feature_id;
        match series.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push((point.fields.date, point.fields.value)),
            None => series.push((key, vec![(point.fields.date, point.fields.value)])),
        }
    }
    let labelled = series.into_iter().map(|(feature, values)| (series_label(feature, items), values)).collect();
    line_chart(kind.label(), labelled)
}

async fn metrics_page(
    state: &PageCtx,
    id: ProductId,
    status: StatusCode,
    forms: MetricsForms,
) -> Result<Response, PageError> {
    let access = store(state);
    let product = access.get_product(id).await?;
    let rights = Rights::of(access, access.product_role(id).await?, Role::Editor);
    let points = access.list_metric_points(&MetricFilter::product(id)).await?;
    let items = product_items(state, id).await?;
    let charts = MetricKind::ALL.into_iter().map(|kind| (kind, kind_chart(kind, &points, &items))).collect();

    let mut adoption = Vec::new();
    let mut adopted: Vec<WorkItemId> = Vec::new();
    for point in &points {
        if let (MetricKind::Adoption, Some(feature)) = (point.fields.kind, point.fields.feature_id)
            && !adopted.contains(&feature)
        {
            adopted.push(feature);
        }
    }
    for feature in adopted {
        let released = access.release_instant(feature).await?.map(|at| at.date_naive());
        let series: Vec<(NaiveDate, f64)> = points
            .iter()
            .filter(|p| p.fields.kind == MetricKind::Adoption && p.fields.feature_id == Some(feature))
            .map(|p| (p.fields.date, p.fields.value))
            .collect();
        let title = series_label(Some(feature), &items);
        let (chart, before_release) = match released {
            Some(day) => {
                let (since, before): (Vec<_>, Vec<_>) = series.into_iter().partition(|(date, _)| *date >= day);
                (line_chart(&format!("Adoption of {title} since {day}"), vec![(title.clone(), since)]), before.len())
            }
            None => (None, 0),
        };
        adoption.push(AdoptionSinceRelease { feature, title, released, chart, before_release });
    }

    let point_rows = points
        .into_iter()
        .map(|point| PointRow {
            series: series_label(point.fields.feature_id, &items),
            value: format_value(point.fields.value),
            point,
        })
        .collect();
    let kinds = MetricKind::ALL.into_iter().map(|k| SelectOption::new(k.as_str(), k.label())).collect();
    let features =
        items.iter().map(|i| SelectOption::new(i.id.to_string(), i.fields.title.as_str().to_owned())).collect();
    Ok(render(
        status,
        &ProductMetricsPage {
            product,
            rights,
            charts,
            adoption,
            points: point_rows,
            kinds,
            features,
            point_form: forms.point_form,
            import_form: forms.import_form,
            import_errors: forms.import_errors,
            notice: forms.notice,
        },
    ))
}

async fn product_metrics(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    metrics_page(&state, parse_id(&id)?, StatusCode::OK, MetricsForms::none()).await
}

async fn record_point(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let product: ProductId = parse_id(&id)?;
    // Another product's metrics do not exist for this user: 404 before reading the form.
    store(&state).product_role(product).await?;
    let submitted = SubmittedForm::new(pairs);
    let mut reader = FormReader::new(&submitted);
    let kind = reader.choice("kind", MetricKind::parse);
    let date = reader.date("date");
    let value = reader.number("value");
    let feature_id = reader.optional_id::<WorkItemId>("feature_id");
    let parsed = match (kind, value, feature_id) {
        (Some(kind), Some(value), Some(feature_id)) => {
            MetricPointFields::parse(MetricPointInput { product_id: product, feature_id, kind, date, value })
        }
        // The reader holds the errors; `finish` reports them.
        _ => Err(tandem_domain::ValidationErrors::new()),
    };
    let errors = match finish(reader, parsed, &[]) {
        Ok(fields) => match store(&state).record_metric_point(fields).await {
            Ok(_) => return Ok(see_other(&format!("/products/{product}/metrics"))),
            Err(DomainError::Validation(errors)) => errors,
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let forms = MetricsForms { point_form: submitted.into_state().with_errors(errors), ..MetricsForms::none() };
    metrics_page(&state, product, StatusCode::UNPROCESSABLE_ENTITY, forms).await
}

async fn import_points(state: PageCtx, Path(id): Path<String>, request: Request) -> Result<Response, PageError> {
    let product: ProductId = parse_id(&id)?;
    // Refused before the form is read: a viewer gets no form back, whatever was sent.
    product_editor_may(&state, product, "importing metrics").await?.map_err(PageError::Forbidden)?;
    let upload = match CsvUpload::read(request).await {
        Ok(upload) => upload,
        Err(unreadable) => return Ok(unreadable),
    };
    let imported = match upload.csv_text() {
        Ok(text) => store(&state).import_metrics_csv(product, text).await,
        Err(errors) => Err(DomainError::Validation(errors)),
    };
    let errors = match imported {
        Ok(imported) => {
            let forms =
                MetricsForms { notice: Some(format!("Imported {} points.", imported.len())), ..MetricsForms::none() };
            return metrics_page(&state, product, StatusCode::OK, forms).await;
        }
        Err(DomainError::Validation(errors)) => errors,
        Err(other) => return Err(other.into()),
    };
    let import_errors = errors.errors().iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
    let forms = MetricsForms { import_form: upload.into_state(), import_errors, ..MetricsForms::none() };
    metrics_page(&state, product, StatusCode::UNPROCESSABLE_ENTITY, forms).await
}

async fn delete_point(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: MetricPointId = parse_id(&id)?;
    let access = store(&state);
    let point = access.get_metric_point(id).await?;
    let product = point.fields.product_id;
    let version = SubmittedForm::new(pairs).version();
    let notice = match access.delete_metric_point(id, version).await {
        Ok(()) => return Ok(see_other(&format!("/products/{product}/metrics"))),
        Err(DomainError::VersionConflict { .. }) => DELETE_CONFLICT_NOTICE.to_owned(),
        Err(other) => return Err(other.into()),
    };
    let forms = MetricsForms { notice: Some(notice), ..MetricsForms::none() };
    metrics_page(&state, product, StatusCode::CONFLICT, forms).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(month: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, month, d).unwrap()
    }

    #[test]
    fn a_chart_places_dates_on_x_and_values_on_y() {
        let chart = line_chart(
            "adoption",
            vec![
                ("Whole product".into(), vec![(day(3, 31), 30.0), (day(1, 31), 10.0)]),
                ("Export".into(), vec![(day(2, 28), 20.0)]),
                ("Empty".into(), vec![]),
            ],
        )
        .unwrap();
        assert_eq!((chart.lines.len(), chart.point_count()), (2, 3));
        // Sorted by date: Jan 31 at the left edge and the lowest value at the bottom, Mar 31 at the
        // right edge and the highest value at the top.
        let first = &chart.lines[0].points[0];
        assert_eq!((first.x.as_str(), first.y.as_str()), ("64.0", "212.0"));
        let last = &chart.lines[0].points[1];
        assert_eq!((last.x.as_str(), last.y.as_str()), ("624.0", "12.0"));
        assert_eq!(last.tooltip, "Whole product: 2026-03-31: 30");
        assert_eq!(chart.lines[0].path, "64.0,212.0 624.0,12.0");
        // Feb 28 is 28 of the 59 days: 64 + 560 x 28 / 59.
        assert_eq!((chart.lines[1].points[0].x.as_str(), chart.lines[1].points[0].y.as_str()), ("329.8", "112.0"));
        let labels: Vec<&str> = chart.y_ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["10", "15", "20", "25", "30"]);
        assert_eq!(chart.x_ticks.len(), 2);
        assert!(line_chart("none", vec![("x".into(), vec![])]).is_none());
    }

    #[test]
    fn one_point_sits_in_the_middle() {
        let chart = line_chart("nps", vec![("Whole product".into(), vec![(day(1, 31), -20.0)])]).unwrap();
        let point = &chart.lines[0].points[0];
        assert_eq!((point.x.as_str(), point.y.as_str()), ("344.0", "112.0"));
        assert_eq!(chart.x_ticks.len(), 1);
        assert_eq!((format_value(1250.5), format_value(2000.0)), ("1250.5".to_owned(), "2000".to_owned()));
    }
}
