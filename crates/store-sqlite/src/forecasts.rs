//! Program forecasts: `program_forecasts` with its `forecast_lines`, `forecast_risks` and
//! `forecast_inputs`. Only a program's latest forecast is kept; lines name records without
//! foreign keys, and every date is derived from the stored calendar (see
//! `migrations/0005_forecasts.sql`) by each line's saved date rule (`migrations/0012_forecast_date_rule.sql`;
//! lines saved before it are dated by node type, as they were computed).

use std::fmt::Display;
use std::str::FromStr;

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use tandem_domain::forecasting::{
    ActivityForecast, Convergence, CurvePoint, DateRule, DatedPercentiles, ForecastOptions, Histogram, InputVersion,
    MilestoneForecast, Percentiles, PlanFinish, ProgramForecast, ProjectForecast, RiskForecast, WorkItemPlanFields,
    calendar_date, distribution_word, parse_distribution,
};
use tandem_domain::{DomainError, DomainResult, EntityKind, NodeRef, ProgramId, ValidationErrors, WorkItemStatus};

use crate::columns::{self, corrupt, date_text, holidays_text, storage, timestamp_text};
use crate::records::{self, Table};

/// Numbers joined by commas; floats in Rust's shortest form that reads back to the same value.
fn numbers_text<T: Display>(values: impl IntoIterator<Item = T>) -> String {
    values.into_iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",")
}

fn numbers<T: FromStr>(row: &SqliteRow, column: &'static str) -> DomainResult<Vec<T>>
where
    T::Err: Display,
{
    let raw = columns::text(row, column)?;
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    raw.split(',').map(|v| v.parse::<T>().map_err(|e| corrupt(column, e))).collect()
}

/// One row of `forecast_lines`.
struct Line<'a> {
    line: &'static str,
    position: usize,
    node_type: &'static str,
    record_id: String,
    project_id: Option<String>,
    title: &'a str,
    target_date: Option<String>,
    plan: Option<(i64, i64)>,
    periods: Percentiles,
    rule: DateRule,
    criticality: Option<f64>,
    sensitivity: Option<f64>,
}

async fn insert_line(conn: &mut SqliteConnection, program: &str, line: Line<'_>) -> DomainResult<()> {
    sqlx::query(
        "INSERT INTO forecast_lines (program_id, line, position, node_type, record_id, project_id, title, \
         target_date, plan_start, plan_finish, p10, p50, p80, p95, mean, criticality, sensitivity, date_rule) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(program)
    .bind(line.line)
    .bind(line.position as i64)
    .bind(line.node_type)
    .bind(line.record_id)
    .bind(line.project_id)
    .bind(line.title)
    .bind(line.target_date)
    .bind(line.plan.map(|p| p.0))
    .bind(line.plan.map(|p| p.1))
    .bind(line.periods.p10)
    .bind(line.periods.p50)
    .bind(line.periods.p80)
    .bind(line.periods.p95)
    .bind(line.periods.mean)
    .bind(line.criticality)
    .bind(line.sensitivity)
    .bind(line.rule.as_str())
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(())
}

pub async fn save(conn: &mut SqliteConnection, forecast: &ProgramForecast) -> DomainResult<()> {
    let program = forecast.program_id.to_string();
    let mut errors = ValidationErrors::new();
    records::check_reference(conn, &mut errors, Table::Programs, "program_id", &program).await?;
    errors.into_result().map_err(DomainError::from)?;
    // Lines, risks and inputs go with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM program_forecasts WHERE program_id = ?")
        .bind(&program)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    let f = forecast;
    sqlx::query(
        "INSERT INTO program_forecasts (program_id, computed_at, computed_by, iterations, seed, resource_aware, \
         distribution, schedules_used, activities, finish_p10, finish_p50, finish_p80, finish_p95, finish_mean, \
         plan_periods, plan_probability, histogram_start, histogram_bin_width, histogram_counts, s_curve_finish, \
         s_curve_probability, p80_first_half, p80_first_90, p80_all, p80_shift, calendar, diagnostics) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&program)
    .bind(timestamp_text(f.computed_at))
    .bind(&f.computed_by)
    .bind(i64::from(f.options.iterations()))
    // u64 seeds keep their bits in a signed column.
    .bind(f.options.seed() as i64)
    .bind(f.options.resource_aware())
    .bind(distribution_word(f.options.distribution()))
    .bind(f.schedules_used.map(|n| n as i64))
    .bind(f.activities as i64)
    .bind(f.finish.periods.p10)
    .bind(f.finish.periods.p50)
    .bind(f.finish.periods.p80)
    .bind(f.finish.periods.p95)
    .bind(f.finish.periods.mean)
    .bind(f.plan.periods)
    .bind(f.plan.probability)
    .bind(f.histogram.start)
    .bind(f.histogram.bin_width)
    .bind(numbers_text(&f.histogram.counts))
    .bind(numbers_text(f.s_curve.iter().map(|p| p.finish)))
    .bind(numbers_text(f.s_curve.iter().map(|p| p.probability)))
    .bind(f.convergence.p80_first_half)
    .bind(f.convergence.p80_first_90_percent)
    .bind(f.convergence.p80)
    .bind(f.convergence.p80_shift_last_tenth)
    .bind(holidays_text(&f.calendar))
    .bind(f.diagnostics.join("\n"))
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    for (position, p) in f.projects.iter().enumerate() {
        let line = Line {
            line: "project",
            position,
            node_type: "project",
            record_id: p.project_id.to_string(),
            project_id: Some(p.project_id.to_string()),
            title: &p.name,
            target_date: None,
            plan: None,
            periods: p.finish.periods,
            rule: p.finish.rule,
            criticality: None,
            sensitivity: None,
        };
        insert_line(conn, &program, line).await?;
    }
    for (position, m) in f.milestones.iter().enumerate() {
        let line = Line {
            line: "milestone",
            position,
            node_type: "milestone",
            record_id: m.milestone_id.to_string(),
            project_id: Some(m.project_id.to_string()),
            title: &m.name,
            target_date: Some(date_text(m.target_date)),
            plan: None,
            periods: m.date.periods,
            rule: m.date.rule,
            criticality: None,
            sensitivity: None,
        };
        insert_line(conn, &program, line).await?;
    }
    for (position, a) in f.activity_forecasts.iter().enumerate() {
        let line = Line {
            line: "activity",
            position,
            node_type: a.node.type_name(),
            record_id: a.node.id_string(),
            project_id: a.project_id.map(|id| id.to_string()),
            title: &a.title,
            target_date: None,
            plan: Some((a.plan_start, a.plan_finish)),
            periods: a.finish.periods,
            rule: a.finish.rule,
            criticality: Some(a.criticality),
            sensitivity: Some(a.sensitivity),
        };
        insert_line(conn, &program, line).await?;
    }
    for (position, r) in f.risks.iter().enumerate() {
        sqlx::query(
            "INSERT INTO forecast_risks (program_id, position, risk_id, title, probability, sensitivity, p80_days) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&program)
        .bind(position as i64)
        .bind(r.risk_id.to_string())
        .bind(&r.title)
        .bind(i64::from(r.probability_percent))
        .bind(r.sensitivity)
        .bind(r.p80_days)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    }
    for input in &f.inputs {
        sqlx::query("INSERT INTO forecast_inputs (program_id, entity, record_id, version) VALUES (?, ?, ?, ?)")
            .bind(&program)
            .bind(input.entity.as_str())
            .bind(&input.record_id)
            .bind(input.version)
            .execute(&mut *conn)
            .await
            .map_err(storage)?;
    }
    Ok(())
}

fn percentiles(row: &SqliteRow, prefix: &str) -> DomainResult<Percentiles> {
    // The column names are static per prefix; spelled out so `corrupt` can name them.
    let (p10, p50, p80, p95, mean) = match prefix {
        "finish_" => ("finish_p10", "finish_p50", "finish_p80", "finish_p95", "finish_mean"),
        _ => ("p10", "p50", "p80", "p95", "mean"),
    };
    Ok(Percentiles {
        p10: columns::integer(row, p10)?,
        p50: columns::integer(row, p50)?,
        p80: columns::integer(row, p80)?,
        p95: columns::integer(row, p95)?,
        mean: columns::real(row, mean)?,
    })
}

/// The `date_rule` of a forecast line: `None` when saved before the column existed.
fn date_rule(row: &SqliteRow) -> DomainResult<Option<DateRule>> {
    match row.try_get::<Option<String>, _>("date_rule").map_err(storage)? {
        None => Ok(None),
        Some(word) => DateRule::parse(&word).map(Some).ok_or_else(|| corrupt("date_rule", word)),
    }
}

fn node(row: &SqliteRow) -> DomainResult<NodeRef> {
    let id = columns::text(row, "record_id")?;
    match columns::text(row, "node_type")?.as_str() {
        "work_item" => Ok(NodeRef::WorkItem(id.parse().map_err(|e| corrupt("record_id", e))?)),
        "milestone" => Ok(NodeRef::Milestone(id.parse().map_err(|e| corrupt("record_id", e))?)),
        other => Err(corrupt("node_type", other)),
    }
}

/// The records a forecast of `program_id` reads, as `(entity, id, version)`, in one statement (one
/// snapshot): the program, its projects, their work items and milestones, the dependencies with
/// an end in one of those projects, the teams those work items name, and the program's risks of
/// every status. The same sets as the list filters `load_forecast_inputs` uses. A work item's row
/// also carries the columns its [`WorkItemPlanFields::input_version`] is computed from (NULL on
/// the other rows): its record version moves on backlog moves and story edits, which the
/// forecast does not read (see [`InputVersion`]).
const INPUT_VERSIONS: &str = "WITH p(id) AS (SELECT ?), \
     pr(id) AS (SELECT id FROM projects WHERE program_id = (SELECT id FROM p)) \
     SELECT 'work_item' AS entity, id, version, project_id, parent_id, title, status, optimistic, most_likely, \
       pessimistic, team_id, people_needed, percent_complete FROM work_items WHERE project_id IN (SELECT id FROM pr) \
     UNION ALL SELECT 'program', id, version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM programs WHERE id = (SELECT id FROM p) \
     UNION ALL SELECT 'project', id, version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM projects WHERE id IN (SELECT id FROM pr) \
     UNION ALL SELECT 'milestone', id, version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM milestones \
       WHERE project_id IN (SELECT id FROM pr) \
     UNION ALL SELECT 'dependency', id, version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM dependency_ends \
       WHERE predecessor_project_id IN (SELECT id FROM pr) OR successor_project_id IN (SELECT id FROM pr) \
     UNION ALL SELECT 'team', id, version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM teams \
       WHERE id IN (SELECT team_id FROM work_items WHERE project_id IN (SELECT id FROM pr)) \
     UNION ALL SELECT 'risk', id, version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM risks WHERE program_id = (SELECT id FROM p)";

/// The input version of a work item's row of [`INPUT_VERSIONS`].
fn work_item_input_version(row: &SqliteRow) -> DomainResult<i64> {
    let title = columns::text(row, "title")?;
    let fields = WorkItemPlanFields {
        project_id: columns::optional_id(row, "project_id")?,
        parent_id: columns::optional_id(row, "parent_id")?,
        title: &title,
        status: columns::parsed("status", WorkItemStatus::parse("status", &columns::text(row, "status")?))?,
        optimistic: columns::real(row, "optimistic")?,
        most_likely: columns::real(row, "most_likely")?,
        pessimistic: columns::real(row, "pessimistic")?,
        team_id: columns::optional_id(row, "team_id")?,
        people_needed: columns::integer(row, "people_needed")?,
        percent_complete: columns::integer(row, "percent_complete")?,
    };
    Ok(fields.input_version())
}

/// See [`tandem_domain::Store::forecast_input_versions`].
pub async fn input_versions(conn: &mut SqliteConnection, program_id: ProgramId) -> DomainResult<Vec<InputVersion>> {
    let rows = sqlx::query(INPUT_VERSIONS).bind(program_id.to_string()).fetch_all(&mut *conn).await.map_err(storage)?;
    let mut versions = rows
        .iter()
        .map(|row| {
            let entity = columns::parsed("entity", EntityKind::parse("entity", &columns::text(row, "entity")?))?;
            let version = match entity {
                EntityKind::WorkItem => work_item_input_version(row)?,
                _ => row.try_get::<i64, _>("version").map_err(storage)?,
            };
            Ok(InputVersion { entity, record_id: columns::text(row, "id")?, version })
        })
        .collect::<DomainResult<Vec<_>>>()?;
    if !versions.iter().any(|v| v.entity == EntityKind::Program) {
        return Err(DomainError::not_found(EntityKind::Program, program_id));
    }
    versions.sort();
    Ok(versions)
}

pub async fn latest(conn: &mut SqliteConnection, program_id: ProgramId) -> DomainResult<Option<ProgramForecast>> {
    let program = program_id.to_string();
    let Some(row) = sqlx::query("SELECT * FROM program_forecasts WHERE program_id = ?")
        .bind(&program)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?
    else {
        return Ok(None);
    };
    let distribution = parse_distribution("distribution", &columns::text(&row, "distribution")?)
        .map_err(|e| corrupt("distribution", e))?;
    let options = ForecastOptions::new(
        Some(columns::integer(&row, "iterations")?),
        Some(columns::integer(&row, "seed")? as u64),
        row.try_get::<bool, _>("resource_aware").map_err(storage)?,
        distribution,
    )
    .map_err(|e| corrupt("iterations", e))?;
    let calendar = columns::holidays(&row, "calendar")?;
    if calendar.is_empty() {
        return Err(corrupt("calendar", "no dates"));
    }
    let finishes: Vec<i64> = numbers(&row, "s_curve_finish")?;
    let probabilities: Vec<f64> = numbers(&row, "s_curve_probability")?;
    if finishes.len() != probabilities.len() {
        return Err(corrupt("s_curve_probability", "not one probability per finish"));
    }
    let diagnostics = columns::text(&row, "diagnostics")?;
    let plan_periods = columns::integer(&row, "plan_periods")?;
    let lines = sqlx::query("SELECT * FROM forecast_lines WHERE program_id = ? ORDER BY line, position")
        .bind(&program)
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?;
    let (mut projects, mut milestones, mut activity_forecasts) = (Vec::new(), Vec::new(), Vec::new());
    for line in &lines {
        let periods = percentiles(line, "")?;
        // The rule saved with the line; lines saved before it was kept were dated by node type.
        let saved_rule = date_rule(line)?;
        match columns::text(line, "line")?.as_str() {
            "project" => projects.push(ProjectForecast {
                project_id: columns::id(line, "record_id")?,
                name: columns::text(line, "title")?,
                finish: DatedPercentiles::on(&calendar, periods, saved_rule.unwrap_or(DateRule::LastWorkingDay)),
            }),
            "milestone" => milestones.push(MilestoneForecast {
                milestone_id: columns::id(line, "record_id")?,
                name: columns::text(line, "title")?,
                project_id: columns::id(line, "project_id")?,
                target_date: columns::date(line, "target_date")?,
                date: DatedPercentiles::on(&calendar, periods, saved_rule.unwrap_or(DateRule::OnThePeriod)),
            }),
            "activity" => {
                let node = node(line)?;
                let rule = saved_rule.unwrap_or(DateRule::of(node));
                let real = |column: &'static str| -> DomainResult<f64> {
                    line.try_get::<Option<f64>, _>(column).map_err(storage)?.ok_or_else(|| corrupt(column, "missing"))
                };
                let integer = |column: &'static str| -> DomainResult<i64> {
                    columns::optional_integer(line, column)?.ok_or_else(|| corrupt(column, "missing"))
                };
                activity_forecasts.push(ActivityForecast {
                    node,
                    title: columns::text(line, "title")?,
                    project_id: columns::optional_id(line, "project_id")?,
                    plan_start: integer("plan_start")?,
                    plan_finish: integer("plan_finish")?,
                    finish: DatedPercentiles::on(&calendar, periods, rule),
                    criticality: real("criticality")?,
                    sensitivity: real("sensitivity")?,
                });
            }
            other => return Err(corrupt("line", other)),
        }
    }
    let risks = sqlx::query("SELECT * FROM forecast_risks WHERE program_id = ? ORDER BY position")
        .bind(&program)
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?
        .iter()
        .map(|r| {
            Ok(RiskForecast {
                risk_id: columns::id(r, "risk_id")?,
                title: columns::text(r, "title")?,
                probability_percent: u8::try_from(columns::integer(r, "probability")?)
                    .map_err(|e| corrupt("probability", e))?,
                sensitivity: columns::real(r, "sensitivity")?,
                p80_days: columns::integer(r, "p80_days")?,
            })
        })
        .collect::<DomainResult<Vec<_>>>()?;
    let inputs = sqlx::query("SELECT * FROM forecast_inputs WHERE program_id = ? ORDER BY entity, record_id")
        .bind(&program)
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?
        .iter()
        .map(|r| {
            Ok(InputVersion {
                entity: columns::parsed("entity", EntityKind::parse("entity", &columns::text(r, "entity")?))?,
                record_id: columns::text(r, "record_id")?,
                version: columns::integer(r, "version")?,
            })
        })
        .collect::<DomainResult<Vec<_>>>()?;
    let mut inputs = inputs;
    // Text order of entity words is not EntityKind's order.
    inputs.sort();
    Ok(Some(ProgramForecast {
        program_id,
        computed_at: columns::timestamp(&row, "computed_at")?,
        computed_by: columns::text(&row, "computed_by")?,
        options,
        schedules_used: columns::optional_integer(&row, "schedules_used")?
            .map(|n| u64::try_from(n).map_err(|e| corrupt("schedules_used", e)))
            .transpose()?,
        activities: usize::try_from(columns::integer(&row, "activities")?).map_err(|e| corrupt("activities", e))?,
        finish: DatedPercentiles::on(&calendar, percentiles(&row, "finish_")?, DateRule::LastWorkingDay),
        plan: PlanFinish {
            periods: plan_periods,
            date: calendar_date(&calendar, plan_periods - 1),
            probability: columns::real(&row, "plan_probability")?,
        },
        projects,
        milestones,
        activity_forecasts,
        histogram: Histogram {
            start: columns::integer(&row, "histogram_start")?,
            bin_width: columns::integer(&row, "histogram_bin_width")?,
            counts: numbers(&row, "histogram_counts")?,
        },
        s_curve: finishes
            .into_iter()
            .zip(probabilities)
            .map(|(finish, probability)| CurvePoint { finish, probability })
            .collect(),
        convergence: Convergence {
            p80_first_half: columns::integer(&row, "p80_first_half")?,
            p80_first_90_percent: columns::integer(&row, "p80_first_90")?,
            p80: columns::integer(&row, "p80_all")?,
            p80_shift_last_tenth: columns::integer(&row, "p80_shift")?,
        },
        risks,
        inputs,
        // Messages never hold a newline: titles cannot contain control characters.
        diagnostics: if diagnostics.is_empty() {
            Vec::new()
        } else {
            diagnostics.split('\n').map(str::to_owned).collect()
        },
        calendar,
    }))
}
