//! Team pages: the list, the team with its calendar and assigned work items, and the
//! create/edit forms (working days as checkboxes, holidays one date or one range per line:
//! `2026-08-03 to 2026-08-21`, both days included).

use chrono::NaiveDate;

use crate::routes::Routes;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_domain::values::{WorkingCalendar, parse_date};
use tandem_domain::{
    Cursor, DomainError, FieldError, PageRequest, Team, TeamFields, TeamFilter, TeamId, TeamInput, ValidationErrors,
    WorkItemFilter,
};

use super::PageCtx;
use super::form::{FormReader, FormState, SubmittedForm, finish};
use super::panels::{HistoryRow, Rights, withheld};
use super::work_items::{WorkItemRow, work_item_rows};
use super::{
    CONFLICT_NOTICE, DELETE_CONFLICT_NOTICE, EmptyList, LIST_LIMIT, PageError, empty_list, next_page_link, ok,
    parse_id, refusal, render, see_other, store,
};
use tandem_domain::EntityKind;

pub fn router() -> Routes {
    Routes::new("")
        .get("/teams", list)
        .post("/teams", create)
        .get("/teams/new", new_form)
        .get("/teams/{id}", show)
        .post("/teams/{id}", update)
        .get("/teams/{id}/edit", edit_form)
        .post("/teams/{id}/delete", delete)
}

/// The weekdays offered as checkboxes: the submitted value and the label.
const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "teams/list.html")]
struct ListPage {
    teams: Vec<Team>,
    /// Why no team is listed (every signed-in user reads every team: never `NoneVisible`).
    empty: Option<EmptyList>,
    next_page: Option<String>,
    /// Whether "New team" is offered.
    may_create: bool,
}

/// Whether the caller may create teams (admins only: teams are the organisation's): the reason
/// if not, in the store's words.
pub(super) fn may_create(state: &PageCtx) -> Result<(), String> {
    Rights::admin_may(store(state), "create teams")
}

/// Whether the caller may change teams (admins only): the reason if not.
fn may_change(state: &PageCtx) -> Result<(), String> {
    Rights::admin_may(store(state), "change teams")
}

impl ListPage {
    fn working_days(&self, team: &Team) -> String {
        team.fields.calendar.week().day_names().join(", ")
    }
}

async fn list(state: PageCtx, Query(query): Query<PageQuery>) -> Result<Response, PageError> {
    let mut first_page = query.after.is_none();
    let request = PageRequest { after: query.after.map(Cursor), limit: LIST_LIMIT };
    let page = match store(&state).list_teams(&TeamFilter::default(), &request).await {
        Ok(page) => page,
        // A cursor from an old or edited link: start again from the top.
        Err(DomainError::Validation(_)) => {
            first_page = true;
            store(&state).list_teams(&TeamFilter::default(), &PageRequest::first(LIST_LIMIT)).await?
        }
        Err(other) => return Err(other.into()),
    };
    let empty = empty_list(!page.items.is_empty(), first_page, std::future::ready(Ok(false))).await?;
    let next_page = next_page_link("/teams", &page, &[]);
    ok(&ListPage { teams: page.items, empty, next_page, may_create: may_create(&state).is_ok() })
}

#[derive(Template)]
#[template(path = "teams/form.html")]
struct FormPage {
    heading: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    form: FormState,
    weekdays: [(&'static str, &'static str); 7],
    /// Why no form is offered (the viewer may not send it); `None` shows the form.
    withheld: Option<String>,
}

fn new_page(form: FormState, withheld: Option<String>) -> FormPage {
    FormPage {
        withheld,
        heading: "New team".to_owned(),
        action: "/teams".to_owned(),
        cancel: "/teams".to_owned(),
        submit_label: "Create team",
        form,
        weekdays: WEEKDAYS,
    }
}

fn edit_page(team: &Team, form: FormState, withheld: Option<String>) -> FormPage {
    FormPage {
        withheld,
        heading: format!("Edit {}", team.fields.name),
        action: format!("/teams/{}", team.id),
        cancel: format!("/teams/{}", team.id),
        submit_label: "Save team",
        form,
        weekdays: WEEKDAYS,
    }
}

/// Runs of consecutive dates in `days` (sorted) as `(first, last)`.
fn runs(days: &[NaiveDate]) -> Vec<(NaiveDate, NaiveDate)> {
    let mut runs: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &day in days {
        match runs.last_mut() {
            Some((_, last)) if last.succ_opt() == Some(day) => *last = day,
            _ => runs.push((day, day)),
        }
    }
    runs
}

/// Holidays as the form and the page show them: a date, or a range of three days or more.
fn holiday_lines(days: &[NaiveDate]) -> Vec<String> {
    runs(days)
        .into_iter()
        .flat_map(|(first, last)| match (last - first).num_days() {
            0 => vec![first.to_string()],
            1 => vec![first.to_string(), last.to_string()],
            _ => vec![format!("{first} to {last}")],
        })
        .collect()
}

/// One line of the holidays field: a date, or `FIRST to LAST` (both included). `None` when
/// malformed or reversed.
fn holiday_line(line: &str) -> Option<Vec<NaiveDate>> {
    // "FIRST to LAST", with any spacing, "to" in any case, or a dash or two dots instead.
    let words: Vec<&str> = line.split_whitespace().collect();
    let ends = match words.as_slice() {
        [day] => match day.split_once("..") {
            Some((first, last)) => Some((first, last)),
            None => return parse_date("holidays", day).ok().map(|day| vec![day]),
        },
        [first, word, last]
            if word.eq_ignore_ascii_case("to") || ["-", "\u{2013}", "\u{2014}", ".."].contains(word) =>
        {
            Some((*first, *last))
        }
        _ => None,
    };
    match ends {
        None => None,
        Some((first, last)) => {
            let first = parse_date("holidays", first).ok()?;
            let last = parse_date("holidays", last).ok()?;
            let days = (last - first).num_days();
            // Past the most holidays a team may hold, one day more is enough for the count
            // check to refuse it.
            let kept = (days as usize + 1).min(WorkingCalendar::MAX_HOLIDAYS + 1);
            (days >= 0).then(|| first.iter_days().take(kept).collect())
        }
    }
}

fn stored_values(team: &Team) -> FormState {
    let f = &team.fields;
    let holidays = holiday_lines(f.calendar.holidays());
    let mut form = FormState::empty();
    form.set("name", &f.name)
        .set("capacity", f.capacity.get())
        .set_all("working_days", f.calendar.week().day_names().into_iter().map(str::to_owned).collect())
        .set("holidays", holidays.join("\n"))
        .set("version", team.meta.version);
    form
}

fn read_form(form: &SubmittedForm) -> Result<TeamFields, ValidationErrors> {
    let mut reader = FormReader::new(form);
    let capacity = reader.integer("capacity");
    let mut holidays = Vec::new();
    let mut bad_lines = Vec::new();
    for line in form.text("holidays").lines().map(str::trim).filter(|l| !l.is_empty()) {
        match holiday_line(line) {
            Some(days) => holidays.extend(days),
            None => bad_lines.push(format!("\u{201c}{line}\u{201d}")),
        }
    }
    if !bad_lines.is_empty() {
        reader.push(FieldError::new(
            "holidays",
            "invalid_date",
            format!(
                "each line must be a date in the form YYYY-MM-DD, or a range such as 2026-08-03 to 2026-08-21 \
                 (the first day first); not: {}",
                bad_lines.join(", ")
            ),
        ));
    }
    let input = TeamInput {
        name: reader.text("name"),
        // A stand-in within range; `finish` keeps only the reader's error for it.
        capacity: capacity.unwrap_or(1),
        working_days: Some(form.all("working_days")),
        holidays,
    };
    let parsed = TeamFields::parse(input);
    finish(reader, parsed, &[])
}

async fn new_form(state: PageCtx) -> Result<Response, PageError> {
    let mut form = FormState::empty();
    form.set("capacity", "1").set_all("working_days", ["mon", "tue", "wed", "thu", "fri"].map(String::from).to_vec());
    ok(&new_page(form, withheld(may_create(&state))))
}

async fn create(state: PageCtx, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    // Refused before the form is read: a non-admin gets no form back, whatever was sent.
    may_create(&state).map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let errors = match read_form(&submitted) {
        Ok(fields) => match store(&state).create_team(fields).await {
            Ok(team) => return Ok(see_other(&format!("/teams/{}", team.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(submitted.into_state().with_errors(errors), None)))
}

#[derive(Template)]
#[template(path = "teams/show.html")]
struct ShowPage {
    team: Team,
    working_days: String,
    /// Dates and ranges (see [`holiday_lines`]).
    holidays: Vec<String>,
    items: Vec<WorkItemRow>,
    total: u64,
    next_page: Option<String>,
    notice: Option<String>,
    history: Vec<HistoryRow>,
    rights: Rights,
}

async fn show(state: PageCtx, Path(id): Path<String>, Query(query): Query<PageQuery>) -> Result<Response, PageError> {
    show_page(&state, parse_id(&id)?, query, StatusCode::OK, None).await
}

async fn show_page(
    state: &PageCtx,
    id: TeamId,
    query: PageQuery,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let store = store(state);
    let team = store.get_team(id).await?;
    let filter = WorkItemFilter { team: Some(id), ..WorkItemFilter::default() };
    let request = PageRequest { after: query.after.map(Cursor), limit: LIST_LIMIT };
    let page = match store.list_work_items(&filter, &request).await {
        Ok(page) => page,
        Err(DomainError::Validation(_)) => store.list_work_items(&filter, &PageRequest::first(LIST_LIMIT)).await?,
        Err(other) => return Err(other.into()),
    };
    let total = store.count_work_items(&filter).await?;
    let next_page = next_page_link(&format!("/teams/{id}"), &page, &[]);
    let items = work_item_rows(store, &page.items).await?;
    let working_days = team
        .fields
        .calendar
        .week()
        .day_names()
        .into_iter()
        .filter_map(|name| WEEKDAYS.iter().find(|(value, _)| *value == name).map(|(_, label)| *label))
        .collect::<Vec<_>>()
        .join(", ");
    let rights = Rights::admin_only(super::store(state));
    let history = super::panels::history(super::store(state), EntityKind::Team, &team.id.to_string()).await?;
    let holidays = holiday_lines(team.fields.calendar.holidays());
    Ok(render(status, &ShowPage { rights, history, team, working_days, holidays, items, total, next_page, notice }))
}

async fn edit_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let team = store(&state).get_team(parse_id(&id)?).await?;
    ok(&edit_page(&team, stored_values(&team), withheld(may_change(&state))))
}

async fn update(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: TeamId = parse_id(&id)?;
    let store = store(&state);
    let current = store.get_team(id).await?;
    may_change(&state).map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let version = submitted.version().unwrap_or(0);
    let errors = match read_form(&submitted) {
        Ok(fields) => match store.update_team(id, version, fields).await {
            Ok(team) => return Ok(see_other(&format!("/teams/{}", team.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(DomainError::VersionConflict { .. }) => {
                let latest = store.get_team(id).await?;
                let form = stored_values(&latest).with_notice(CONFLICT_NOTICE);
                return Ok(render(StatusCode::CONFLICT, &edit_page(&latest, form, None)));
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &edit_page(&current, submitted.into_state().with_errors(errors), None)))
}

async fn delete(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: TeamId = parse_id(&id)?;
    let version = SubmittedForm::new(pairs).version();
    let notice = match store(&state).delete_team(id, version).await {
        Ok(()) => return Ok(see_other("/teams")),
        Err(DomainError::InUse { reason, .. }) => refusal("team", &reason),
        Err(DomainError::VersionConflict { .. }) => DELETE_CONFLICT_NOTICE.to_owned(),
        Err(other) => return Err(other.into()),
    };
    show_page(&state, id, PageQuery::default(), StatusCode::CONFLICT, Some(notice)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).expect("a date")
    }

    #[test]
    fn holiday_lines_read_dates_and_ranges_and_show_runs_as_ranges() {
        assert_eq!(holiday_line("2026-08-03"), Some(vec![day(8, 3)]));
        assert_eq!(holiday_line("2026-08-03 to 2026-08-05"), Some(vec![day(8, 3), day(8, 4), day(8, 5)]));
        assert_eq!(holiday_line("2026-08-03 to 2026-08-03"), Some(vec![day(8, 3)]));
        assert_eq!(holiday_line("2026-08-05 to 2026-08-03"), None);
        assert_eq!(holiday_line("2026-08-03 to"), None);
        assert_eq!(holiday_line("2026-08-03 to 26-08-05"), None);
        // Any spacing, "to" in any case, a dash or two dots.
        let three = Some(vec![day(8, 3), day(8, 4), day(8, 5)]);
        for line in [
            "2026-08-03\tto\t2026-08-05",
            "2026-08-03  TO 2026-08-05",
            "2026-08-03 - 2026-08-05",
            "2026-08-03 \u{2013} 2026-08-05",
            "2026-08-03..2026-08-05",
            "2026-08-03 .. 2026-08-05",
        ] {
            assert_eq!(holiday_line(line), three, "{line:?}");
        }
        assert_eq!(holiday_line("2026-08-03 until 2026-08-05"), None);
        assert_eq!(holiday_line("2026-08-03 2026-08-05"), None);
        // A range past the most holidays a team may hold keeps one day more, for the count check.
        let long = holiday_line("2026-01-01 to 2035-12-31").expect("well formed");
        assert_eq!(long.len(), WorkingCalendar::MAX_HOLIDAYS + 1);

        let days = [day(5, 1), day(8, 3), day(8, 4), day(8, 5), day(8, 6), day(12, 24), day(12, 25)];
        assert_eq!(
            holiday_lines(&days),
            ["2026-05-01", "2026-08-03 to 2026-08-06", "2026-12-24", "2026-12-25"].map(String::from).to_vec()
        );
        assert!(holiday_lines(&[]).is_empty());
    }
}
