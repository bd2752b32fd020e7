//! Risk pages: a program's register (ranked by score, filtered by status, category and heat map
//! cell), its 5 x 5 probability-impact heat map (SVG), a risk with its actions and history, and
//! the create/edit forms.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_domain::Access;
use tandem_domain::risk::{self, StatusChoice, impact_band_label, probability_band_label};
use tandem_domain::{
    DomainError, EntityKind, FieldError, MitigationInput, Program, ProgramFilter, ProgramId, Project, ProjectFilter,
    ProjectId, Risk, RiskCategory, RiskFields, RiskId, RiskInput, RiskMatrix, RiskResponse, RiskScore, RiskStatus,
    Role, ValidationErrors, WorkItem, WorkItemFilter, WorkItemId,
};

use super::PageCtx;
use super::form::{FormReader, FormState, SelectOption, SubmittedForm, finish, with_current, writable_with_current};
use super::gantt::Svg;
use super::panels::{HistoryRow, Rights, if_readable, withheld};
use super::{
    CONFLICT_NOTICE, DELETE_CONFLICT_NOTICE, PageError, first_records, ok, parse_id, query_string, render, see_other,
    store,
};
use crate::routes::Routes;

pub fn router() -> Routes {
    Routes::new("")
        .get("/programs/{id}/risks", register)
        .get("/programs/{id}/risks/heat-map", heat_map)
        .post("/risks", create)
        .get("/risks/new", new_form)
        .get("/risks/{id}", show)
        .post("/risks/{id}", update)
        .get("/risks/{id}/edit", edit_form)
        .post("/risks/{id}/delete", delete)
}

// ----- register and heat map -----

/// The register's and the heat map's filters, as links carry them.
#[derive(Debug, Default, Deserialize)]
struct RegisterQuery {
    status: Option<String>,
    category: Option<String>,
    probability_band: Option<String>,
    impact_band: Option<String>,
}

/// The filters once read.
#[derive(Debug, Clone, Copy)]
struct Filters {
    status: StatusChoice,
    category: Option<RiskCategory>,
    /// A heat map cell: (probability band, impact band).
    cell: Option<(u8, u8)>,
}

/// A heat map band in an address: 1 to 5.
fn band(field: &str, raw: &str) -> Result<u8, FieldError> {
    raw.trim()
        .parse::<u8>()
        .ok()
        .filter(|band| (1..=5).contains(band))
        .ok_or_else(|| FieldError::new(field, "invalid", "must be a whole number from 1 to 5"))
}

impl Filters {
    /// Reads the address's filters as the JSON API reads `status` and `category`, except that a
    /// blank one means "not given"; with `cell` (the register), also a heat map cell, whose two
    /// bands come together. A value the page cannot use is a 400 page naming it (`path` is the
    /// page without its parameters), rather than a register quietly filtered otherwise than asked.
    fn read(path: String, query: &RegisterQuery, cell: bool) -> Result<Filters, PageError> {
        fn given(raw: &Option<String>) -> Option<&str> {
            raw.as_deref().filter(|raw| !raw.trim().is_empty())
        }
        let (status, category) = (given(&query.status), given(&query.category));
        let (probability, impact) =
            if cell { (given(&query.probability_band), given(&query.impact_band)) } else { (None, None) };
        let mut errors = ValidationErrors::new();
        let status_choice = status.and_then(|raw| errors.check(StatusChoice::parse("status", raw)));
        let category_choice = category.and_then(|raw| errors.check(RiskCategory::parse("category", raw)));
        let probability_band = probability.and_then(|raw| errors.check(band("probability_band", raw)));
        let impact_band = impact.and_then(|raw| errors.check(band("impact_band", raw)));
        match (probability, impact) {
            (Some(_), None) => {
                errors.add("impact_band", "required", "must be given with probability_band: a heat map cell has both")
            }
            (None, Some(_)) => {
                errors.add("probability_band", "required", "must be given with impact_band: a heat map cell has both")
            }
            _ => {}
        }
        if !errors.is_empty() {
            let given = [
                ("status", status),
                ("category", category),
                ("probability_band", probability),
                ("impact_band", impact),
            ];
            return Err(PageError::bad_query(path, &errors, &given));
        }
        Ok(Filters {
            status: status_choice.unwrap_or_default(),
            category: category_choice,
            cell: probability_band.zip(impact_band),
        })
    }

    /// [`Filters::read`] for program `id`'s page at `path`; a program the user may not read is a
    /// 404 whatever the address asks of it.
    async fn read_for(
        state: &PageCtx,
        id: ProgramId,
        path: String,
        query: &RegisterQuery,
        cell: bool,
    ) -> Result<Filters, PageError> {
        match Filters::read(path, query, cell) {
            Ok(filters) => Ok(filters),
            Err(bad) => {
                store(state).get_program(id).await?;
                Err(bad)
            }
        }
    }

    fn category_str(&self) -> &'static str {
        self.category.map_or("", |c| c.as_str())
    }

    /// The register's address with these filters and the given cell.
    fn register_link(&self, program: ProgramId, cell: Option<(u8, u8)>) -> String {
        let (p, i) = cell.map(|(p, i)| (p.to_string(), i.to_string())).unwrap_or_default();
        let query = query_string(&[
            ("status", self.status.as_str()),
            ("category", self.category_str()),
            ("probability_band", &p),
            ("impact_band", &i),
        ]);
        format!("/programs/{program}/risks?{query}")
    }
}

fn status_choices() -> Vec<SelectOption> {
    let mut options = vec![SelectOption::new("active", "open and occurring"), SelectOption::new("all", "all")];
    options.extend(RiskStatus::ALL.iter().map(|s| SelectOption::new(s.as_str(), s.as_str())));
    options
}

fn category_options() -> Vec<SelectOption> {
    RiskCategory::ALL.iter().map(|c| SelectOption::new(c.as_str(), c.as_str())).collect()
}

/// One row of the ranked register.
struct RegisterRow {
    rank: usize,
    risk: Risk,
    score: RiskScore,
    project: Option<String>,
}

#[derive(Template)]
#[template(path = "risks/register.html")]
struct RegisterPage {
    program: Program,
    rows: Vec<RegisterRow>,
    /// The filter form's values.
    form: FormState,
    statuses: Vec<SelectOption>,
    categories: Vec<SelectOption>,
    /// "probability 71-100%, impact 10-20 days" when a heat map cell is chosen.
    cell: Option<String>,
    without_cell: String,
    heat_map: String,
    bands: Vec<BandRow>,
    /// Whether "New risk" is offered.
    may_add: bool,
}

/// The thresholds, for the explanation under the register.
struct BandRow {
    band: u8,
    probability: String,
    impact: String,
}

fn band_rows() -> Vec<BandRow> {
    (1..=5)
        .map(|band| BandRow { band, probability: probability_band_label(band), impact: impact_band_label(band) })
        .collect()
}

fn filter_form(filters: &Filters) -> FormState {
    let mut form = FormState::empty();
    form.set("status", filters.status.as_str()).set("category", filters.category_str());
    if let Some((p, i)) = filters.cell {
        form.set("probability_band", p).set("impact_band", i);
    }
    form
}

async fn project_names(state: &PageCtx, program: ProgramId) -> Result<Vec<(ProjectId, String)>, PageError> {
    let store = store(state);
    let filter = ProjectFilter { program: Some(program), ..ProjectFilter::default() };
    let projects: Vec<Project> = first_records(|page| async move { store.list_projects(&filter, &page).await }).await?;
    Ok(projects.into_iter().map(|p| (p.id, p.fields.name.to_string())).collect())
}

async fn register(
    state: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<RegisterQuery>,
) -> Result<Response, PageError> {
    let id: ProgramId = parse_id(&id)?;
    let filters = Filters::read_for(&state, id, format!("/programs/{id}/risks"), &query, true).await?;
    let program = store(&state).get_program(id).await?;
    let may_add = may_add(&state, Some(id), None).await?.is_ok();
    let risks = risk::load_register(store(&state), id, filters.status, filters.category).await?;
    let names = project_names(&state, id).await?;
    let rows = risks
        .into_iter()
        .filter(|risk| {
            let score = risk.fields.score();
            filters.cell.is_none_or(|cell| cell == (score.probability_band, score.impact_band))
        })
        .enumerate()
        .map(|(i, risk)| RegisterRow {
            rank: i + 1,
            score: risk.fields.score(),
            project: risk
                .fields
                .project_id
                .map(|p| names.iter().find(|(id, _)| *id == p).map_or_else(|| p.to_string(), |(_, n)| n.clone())),
            risk,
        })
        .collect();
    let cell = filters
        .cell
        .map(|(p, i)| format!("probability {}, impact {}", probability_band_label(p), impact_band_label(i)));
    ok(&RegisterPage {
        heat_map: format!(
            "/programs/{id}/risks/heat-map?{}",
            query_string(&[("status", filters.status.as_str()), ("category", filters.category_str())])
        ),
        without_cell: filters.register_link(id, None),
        program,
        rows,
        form: filter_form(&filters),
        statuses: status_choices(),
        categories: category_options(),
        cell,
        bands: band_rows(),
        may_add,
    })
}

#[derive(Template)]
#[template(path = "risks/heat_map.html")]
struct HeatMapPage {
    program: Program,
    form: FormState,
    statuses: Vec<SelectOption>,
    categories: Vec<SelectOption>,
    total: u32,
    /// Escaped SVG markup (written by `gantt::Svg`).
    svg: String,
    register: String,
}

async fn heat_map(
    state: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<RegisterQuery>,
) -> Result<Response, PageError> {
    let id: ProgramId = parse_id(&id)?;
    let filters = Filters::read_for(&state, id, format!("/programs/{id}/risks/heat-map"), &query, false).await?;
    let program = store(&state).get_program(id).await?;
    let risks = risk::load_register(store(&state), id, filters.status, filters.category).await?;
    let matrix = RiskMatrix::of(&risks);
    ok(&HeatMapPage {
        svg: heat_map_svg(&matrix, |cell| filters.register_link(id, Some(cell))),
        total: matrix.total(),
        register: filters.register_link(id, None),
        program,
        form: filter_form(&filters),
        statuses: status_choices(),
        categories: category_options(),
    })
}

const CELL_WIDTH: i32 = 96;
const CELL_HEIGHT: i32 = 64;
const LEFT: i32 = 128;
const TOP: i32 = 12;

/// The 5 x 5 grid: probability bands up the side (5 on top), impact bands along the bottom, each
/// cell coloured by its score's rating, showing its count and linking to the register filtered to
/// it. `link` gives a cell's address from (probability band, impact band).
pub fn heat_map_svg(matrix: &RiskMatrix, link: impl Fn((u8, u8)) -> String) -> String {
    let width = LEFT + 5 * CELL_WIDTH + 8;
    let height = TOP + 5 * CELL_HEIGHT + 56;
    let mut svg = Svg::default();
    svg.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg".into()),
            ("class", "heat-map".into()),
            ("width", width.to_string()),
            ("height", height.to_string()),
            ("viewBox", format!("0 0 {width} {height}")),
            ("role", "group".into()),
            ("aria-labelledby", "heat-map-title heat-map-desc".into()),
        ],
    );
    svg.text("title", &[("id", "heat-map-title".into())], "Probability-impact heat map");
    svg.text(
        "desc",
        &[("id", "heat-map-desc".into())],
        &format!(
            "{} risks on a 5 by 5 grid: probability bands up the side, impact bands (most-likely extra working \
             days) along the bottom. Each cell shows how many risks it holds and links to them.",
            matrix.total()
        ),
    );
    for probability in 1..=5u8 {
        let y = TOP + (5 - i32::from(probability)) * CELL_HEIGHT;
        svg.text(
            "text",
            &[
                ("class", "axis-label".into()),
                ("x", (LEFT - 8).to_string()),
                ("y", (y + CELL_HEIGHT / 2 + 4).to_string()),
                ("text-anchor", "end".into()),
            ],
            &format!("P{probability} {}", probability_band_label(probability)),
        );
        for impact in 1..=5u8 {
            let x = LEFT + (i32::from(impact) - 1) * CELL_WIDTH;
            let score = RiskScore { probability_band: probability, impact_band: impact };
            let count = matrix.count(probability, impact);
            let label = format!(
                "Probability {}, impact {}: {count} {} (score {}, {})",
                probability_band_label(probability),
                impact_band_label(impact),
                if count == 1 { "risk" } else { "risks" },
                score.value(),
                score.rating().as_str()
            );
            svg.open("a", &[("href", link((probability, impact))), ("aria-label", label.clone())]);
            svg.with_title(
                "rect",
                &[
                    ("class", format!("cell cell-{}", score.rating().as_str())),
                    ("x", x.to_string()),
                    ("y", y.to_string()),
                    ("width", CELL_WIDTH.to_string()),
                    ("height", CELL_HEIGHT.to_string()),
                ],
                &label,
            );
            svg.text(
                "text",
                &[
                    ("id", format!("heat-count-{probability}-{impact}")),
                    ("class", if count == 0 { "count count-none".into() } else { "count".into() }),
                    ("x", (x + CELL_WIDTH / 2).to_string()),
                    ("y", (y + CELL_HEIGHT / 2 + 6).to_string()),
                    ("text-anchor", "middle".into()),
                ],
                &count.to_string(),
            );
            svg.text(
                "text",
                &[
                    ("class", "score".into()),
                    ("x", (x + CELL_WIDTH - 6).to_string()),
                    ("y", (y + 14).to_string()),
                    ("text-anchor", "end".into()),
                ],
                &score.value().to_string(),
            );
            svg.close("a");
        }
    }
    let bottom = TOP + 5 * CELL_HEIGHT;
    for impact in 1..=5u8 {
        let x = LEFT + (i32::from(impact) - 1) * CELL_WIDTH + CELL_WIDTH / 2;
        svg.text(
            "text",
            &[
                ("class", "axis-label".into()),
                ("x", x.to_string()),
                ("y", (bottom + 18).to_string()),
                ("text-anchor", "middle".into()),
            ],
            &format!("I{impact} {}", impact_band_label(impact)),
        );
    }
    svg.text(
        "text",
        &[
            ("class", "axis-title".into()),
            ("x", (LEFT + 5 * CELL_WIDTH / 2).to_string()),
            ("y", (bottom + 44).to_string()),
            ("text-anchor", "middle".into()),
        ],
        "Impact: most-likely extra working days",
    );
    let middle = TOP + 5 * CELL_HEIGHT / 2;
    svg.text(
        "text",
        &[
            ("class", "axis-title".into()),
            ("x", "14".into()),
            ("y", middle.to_string()),
            ("text-anchor", "middle".into()),
            ("transform", format!("rotate(-90 14 {middle})")),
        ],
        "Probability",
    );
    svg.close("svg");
    svg.finish()
}

// ----- show -----

struct HitRow {
    id: WorkItemId,
    title: String,
}

#[derive(Template)]
#[template(path = "risks/show.html")]
struct ShowPage {
    risk: Risk,
    score: RiskScore,
    program: Program,
    project: Option<Project>,
    hits: Vec<HitRow>,
    notice: Option<String>,
    history: Vec<HistoryRow>,
    rights: Rights,
}

async fn show(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    show_page(&state, parse_id(&id)?, StatusCode::OK, None).await
}

async fn show_page(
    state: &PageCtx,
    id: RiskId,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let access = store(state);
    let risk = access.get_risk(id).await?;
    let program = access.get_program(risk.fields.program_id).await?;
    let project = match risk.fields.project_id {
        Some(project) => Some(access.get_project(project).await?),
        None => None,
    };
    let mut hits = Vec::with_capacity(risk.fields.work_item_ids.len());
    for item in &risk.fields.work_item_ids {
        match access.get_work_item(*item).await {
            Ok(found) => hits.push(HitRow { id: found.id, title: found.fields.title.to_string() }),
            Err(DomainError::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    let history = super::panels::history(access, EntityKind::Risk, &risk.id.to_string()).await?;
    let rights = Rights::of(access, access.risk_role(id).await?, Role::Editor);
    Ok(render(status, &ShowPage { score: risk.fields.score(), risk, program, project, hits, notice, history, rights }))
}

/// The risks of `program` the viewer reads that hit work item `item`, in the register's order
/// (score first), closed ones included (the store counts those too when it refuses to delete the
/// item). A risk hits only items in projects of its own program, so the item's program is the
/// one to read. A program the viewer may not read has no risks for them.
pub(super) async fn risks_hitting(
    access: Access<'_>,
    program: ProgramId,
    item: WorkItemId,
) -> Result<Vec<Risk>, PageError> {
    let risks = match if_readable(risk::load_register(access, program, StatusChoice::All, None).await)? {
        Some(risks) => risks,
        None => return Ok(Vec::new()),
    };
    Ok(risks.into_iter().filter(|risk| risk.fields.work_item_ids.contains(&item)).collect())
}

// ----- forms -----

/// One mitigation action's inputs on the form.
struct MitigationRow {
    description: String,
    due_date: String,
    done: String,
}

impl MitigationRow {
    fn at(row: usize) -> MitigationRow {
        MitigationRow {
            description: format!("mitigations[{row}].description"),
            due_date: format!("mitigations[{row}].due_date"),
            done: format!("mitigations[{row}].done"),
        }
    }
}

/// Blank action rows offered below the filled ones.
const SPARE_ROWS: usize = 2;
/// Rows read from a submitted form at most.
const MAX_FORM_ROWS: usize = RiskFields::MAX_MITIGATIONS + SPARE_ROWS;

#[derive(Template)]
#[template(path = "risks/form.html")]
struct FormPage {
    heading: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    form: FormState,
    programs: Vec<SelectOption>,
    projects: Vec<SelectOption>,
    /// The project picker's blank choice, a program-wide risk: "" where the viewer may not add
    /// one (they do not edit the program).
    whole_program: &'static str,
    categories: Vec<SelectOption>,
    responses: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
    work_items: Vec<SelectOption>,
    mitigations: Vec<MitigationRow>,
    /// Why no form is offered (the viewer may not send it); `None` shows the form.
    withheld: Option<String>,
}

/// The store's words for what viewers may not do here.
const ADDING: &str = "adding a risk";
const EDITING: &str = "editing a risk";

/// Whether the caller may add a risk where a form puts it: on `project` when it names one they
/// may read, else on `program` or any of its projects (the form offers them), else on any program
/// or project they see. `Err` holds the store's reason. A name the caller may not read counts as
/// not given: the store reports it on the form.
pub(super) async fn may_add(
    state: &PageCtx,
    program: Option<ProgramId>,
    project: Option<ProjectId>,
) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    if let Some(project) = project {
        match access.project_role(project).await {
            Ok(role) => return Ok(Rights::editor_may(access, role, ADDING)),
            Err(DomainError::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    let program = match program {
        Some(id) => if_readable(access.get_program(id).await)?.map(|_| id),
        None => None,
    };
    let programs: Vec<ProgramId> = match program {
        Some(id) => vec![id],
        None => first_records(|page| async move { access.list_programs(&ProgramFilter::default(), &page).await })
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect(),
    };
    let filter = ProjectFilter { program, ..ProjectFilter::default() };
    let projects: Vec<Project> =
        first_records(|page| async move { access.list_projects(&filter, &page).await }).await?;
    let principal = access.principal();
    let role = Rights::best(
        access,
        programs
            .iter()
            .map(|id| principal.program_role(*id))
            .chain(projects.iter().map(|p| principal.project_role(p.id, p.fields.program_id))),
    );
    Ok(Rights::editor_may(access, role, ADDING))
}

/// Whether the caller may edit risk `id`: the reason if not.
async fn may_edit(state: &PageCtx, id: RiskId) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    Ok(Rights::editor_may(access, access.risk_role(id).await?, EDITING))
}

/// The program and project a form names (`program_id`, `project_id`), where they parse.
fn named_place(program: &str, project: &str) -> (Option<ProgramId>, Option<ProjectId>) {
    (program.trim().parse().ok(), project.trim().parse().ok())
}

/// How many action rows the form shows: every row the form holds a value in, plus spares.
fn mitigation_rows(form: &FormState) -> Vec<MitigationRow> {
    let used = (0..MAX_FORM_ROWS)
        .filter(|row| {
            let names = MitigationRow::at(*row);
            !form.value(&names.description).is_empty() || !form.value(&names.due_date).is_empty()
        })
        .max()
        .map_or(0, |last| last + 1);
    (0..(used + SPARE_ROWS).min(MAX_FORM_ROWS)).map(MitigationRow::at).collect()
}

async fn form_page(
    state: &PageCtx,
    heading: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    form: FormState,
    withheld: Option<String>,
) -> Result<FormPage, PageError> {
    let access = store(state);
    let programs: Vec<Program> =
        first_records(|page| async move { access.list_programs(&ProgramFilter::default(), &page).await }).await?;
    let program: Option<ProgramId> = form.value("program_id").parse().ok();
    let (projects, items): (Vec<Project>, Vec<WorkItem>) = match program {
        Some(program) => {
            let projects = ProjectFilter { program: Some(program), ..ProjectFilter::default() };
            let items = WorkItemFilter { program: Some(program), ..WorkItemFilter::default() };
            (
                first_records(|page| async move { access.list_projects(&projects, &page).await }).await?,
                first_records(|page| async move { access.list_work_items(&items, &page).await }).await?,
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut work_items: Vec<SelectOption> =
        items.into_iter().map(|i| SelectOption::new(i.id.to_string(), i.fields.title.to_string())).collect();
    for chosen in form.all("work_item_ids") {
        work_items = with_current(work_items, chosen);
    }
    // The pickers offer where the viewer may put a risk, and its current place: a project they
    // edit, or the whole program for an editor of the program; so a program where they edit it
    // or one of its projects.
    let principal = access.principal();
    let edited: Vec<Project> =
        first_records(|page| async move { access.list_projects(&ProjectFilter::default(), &page).await })
            .await?
            .into_iter()
            .filter(|p| Rights::may_write(access, principal.project_role(p.id, p.fields.program_id)))
            .collect();
    let programs = programs.into_iter().map(|p| {
        let writable = Rights::may_write(access, principal.program_role(p.id))
            || edited.iter().any(|project| project.fields.program_id == p.id);
        (SelectOption::new(p.id.to_string(), p.fields.name.to_string()), writable)
    });
    let projects = projects.into_iter().map(|p| {
        let writable = Rights::may_write(access, principal.project_role(p.id, p.fields.program_id));
        (SelectOption::new(p.id.to_string(), p.fields.name.to_string()), writable)
    });
    // Before a program is chosen there are no projects to pick: the blank stays.
    let whole_program = match program {
        Some(program) if !Rights::may_write(access, principal.program_role(program)) => "",
        _ => "Whole program",
    };
    Ok(FormPage {
        heading,
        action,
        cancel,
        submit_label,
        programs: writable_with_current(programs, form.value("program_id")),
        projects: writable_with_current(projects, form.value("project_id")),
        whole_program,
        categories: category_options(),
        responses: RiskResponse::ALL.iter().map(|r| SelectOption::new(r.as_str(), r.as_str())).collect(),
        statuses: RiskStatus::ALL.iter().map(|s| SelectOption::new(s.as_str(), s.as_str())).collect(),
        work_items,
        mitigations: mitigation_rows(&form),
        form,
        withheld,
    })
}

fn stored_values(risk: &Risk) -> FormState {
    let f = &risk.fields;
    let mut form = FormState::empty();
    form.set("program_id", f.program_id)
        .set_optional("project_id", f.project_id)
        .set("title", &f.title)
        .set("cause", &f.cause)
        .set("effect", &f.effect)
        .set_optional("owner", f.owner.as_ref())
        .set("category", f.category.as_str())
        .set("probability", f.probability.percent())
        .set("schedule_impact.optimistic", f.schedule_impact.optimistic())
        .set("schedule_impact.most_likely", f.schedule_impact.most_likely())
        .set("schedule_impact.pessimistic", f.schedule_impact.pessimistic())
        .set_all("work_item_ids", f.work_item_ids.iter().map(ToString::to_string).collect())
        .set_optional("cost_impact", f.cost_impact.map(|c| c.amount()))
        .set("response", f.response.as_str())
        .set("trigger", &f.trigger)
        .set("status", f.status.as_str())
        .set("version", risk.meta.version);
    for (row, action) in f.mitigations.iter().enumerate() {
        let names = MitigationRow::at(row);
        form.set(&names.description, &action.description).set(&names.due_date, action.due_date);
        if action.done {
            form.set(&names.done, "true");
        }
    }
    form
}

/// Moves errors onto the inputs the form has: an action's error from its place among the filled
/// rows (what the domain saw) to its row on the form, and a hit's (`work_item_ids[2]`) onto the
/// one work item select.
fn errors_on_form(errors: ValidationErrors, rows: &[usize]) -> ValidationErrors {
    let mut moved = ValidationErrors::new();
    for error in errors.errors() {
        let mut error = error.clone();
        if error.field.starts_with("work_item_ids[") {
            error.field = "work_item_ids".to_owned();
        } else if let Some(rest) = error.field.strip_prefix("mitigations[")
            && let Some((index, field)) = rest.split_once("].")
            && let Some(row) = index.parse::<usize>().ok().and_then(|k| rows.get(k))
        {
            error.field = format!("mitigations[{row}].{field}");
        }
        moved.push(error);
    }
    moved
}

/// The fields, or every problem with them; `rows` maps each read action to its form row.
fn read_form(form: &SubmittedForm) -> (Result<RiskFields, ValidationErrors>, Vec<usize>) {
    let mut reader = FormReader::new(form);
    let program_id = reader.id::<ProgramId>("program_id");
    let project_id = reader.optional_id::<ProjectId>("project_id");
    let category = reader.choice("category", RiskCategory::parse);
    let response = reader.choice("response", RiskResponse::parse);
    let status = reader.choice("status", RiskStatus::parse);
    let probability = reader.integer("probability");
    let optimistic = reader.number("schedule_impact.optimistic");
    let most_likely = reader.number("schedule_impact.most_likely");
    let pessimistic = reader.number("schedule_impact.pessimistic");
    let cost_impact = reader.optional_integer("cost_impact");
    let mut work_item_ids = Vec::new();
    for raw in form.all("work_item_ids") {
        match raw.trim().parse::<WorkItemId>() {
            Ok(id) => work_item_ids.push(id),
            Err(_) if raw.trim().is_empty() => {}
            Err(_) => reader.push(FieldError::new("work_item_ids", "invalid_id", "must be valid record ids")),
        }
    }
    let mut mitigations = Vec::new();
    let mut rows = Vec::new();
    for row in 0..MAX_FORM_ROWS {
        let names = MitigationRow::at(row);
        let description = reader.text(&names.description);
        let due_raw = form.text(&names.due_date).trim().to_owned();
        let done = form.text(&names.done) == "true";
        if description.trim().is_empty() && due_raw.is_empty() {
            continue;
        }
        let due_date = if due_raw.is_empty() { None } else { reader.date(&names.due_date) };
        // A due date the reader rejected is not "missing": give the domain a stand-in.
        let due_date = due_date.or_else(|| (!due_raw.is_empty()).then(chrono::NaiveDate::default));
        mitigations.push(MitigationInput { description, due_date, done });
        rows.push(row);
    }
    let input = RiskInput {
        program_id: program_id.unwrap_or_else(|| ProgramId::from_uuid(uuid::Uuid::nil())),
        project_id: project_id.flatten(),
        title: reader.text("title"),
        cause: reader.text("cause"),
        effect: reader.text("effect"),
        owner: reader.optional_text("owner"),
        category: category.unwrap_or(RiskCategory::Schedule),
        probability: probability.unwrap_or(0),
        impact_optimistic: optimistic.unwrap_or(0.0),
        impact_most_likely: most_likely.unwrap_or(0.0),
        impact_pessimistic: pessimistic.unwrap_or(0.0),
        work_item_ids,
        cost_impact: cost_impact.flatten(),
        response: response.unwrap_or(RiskResponse::Mitigate),
        mitigations,
        trigger: reader.text("trigger"),
        status: status.unwrap_or(RiskStatus::Open),
    };
    let parsed = RiskFields::parse(input).map_err(|errors| errors_on_form(errors, &rows));
    let related: &[&[&str]] =
        &[&["schedule_impact.optimistic", "schedule_impact.most_likely", "schedule_impact.pessimistic"]];
    (finish(reader, parsed, related), rows)
}

#[derive(Debug, Deserialize)]
struct NewQuery {
    program_id: Option<String>,
    project_id: Option<String>,
}

async fn new_page(state: &PageCtx, form: FormState, withheld: Option<String>) -> Result<FormPage, PageError> {
    let program = form.value("program_id").to_owned();
    let cancel = if program.is_empty() { "/programs".to_owned() } else { format!("/programs/{program}/risks") };
    form_page(state, "New risk".to_owned(), "/risks".to_owned(), cancel, "Create risk", form, withheld).await
}

async fn edit_page(
    state: &PageCtx,
    risk: &Risk,
    form: FormState,
    withheld: Option<String>,
) -> Result<FormPage, PageError> {
    let heading = format!("Edit {}", risk.fields.title);
    let here = format!("/risks/{}", risk.id);
    form_page(state, heading, here.clone(), here, "Save risk", form, withheld).await
}

async fn new_form(state: PageCtx, Query(query): Query<NewQuery>) -> Result<Response, PageError> {
    let mut form = FormState::empty();
    form.set_optional("program_id", query.program_id)
        .set_optional("project_id", query.project_id)
        .set("category", RiskCategory::Schedule.as_str())
        .set("response", RiskResponse::Mitigate.as_str())
        .set("status", RiskStatus::Open.as_str());
    let (program, project) = named_place(form.value("program_id"), form.value("project_id"));
    let withheld = withheld(may_add(&state, program, project).await?);
    ok(&new_page(&state, form, withheld).await?)
}

async fn create(state: PageCtx, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let submitted = SubmittedForm::new(pairs);
    // Refused before the form is read: a viewer gets no form back, whatever was sent.
    let (program, project) = named_place(submitted.text("program_id"), submitted.text("project_id"));
    may_add(&state, program, project).await?.map_err(PageError::Forbidden)?;
    let (parsed, rows) = read_form(&submitted);
    let errors = match parsed {
        Ok(fields) => match store(&state).create_risk(fields).await {
            Ok(risk) => return Ok(see_other(&format!("/risks/{}", risk.id))),
            Err(DomainError::Validation(errors)) => errors_on_form(errors, &rows),
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let page = new_page(&state, submitted.into_state().with_errors(errors), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn edit_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let risk = store(&state).get_risk(parse_id(&id)?).await?;
    let withheld = withheld(may_edit(&state, risk.id).await?);
    ok(&edit_page(&state, &risk, stored_values(&risk), withheld).await?)
}

async fn update(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: RiskId = parse_id(&id)?;
    let access = store(&state);
    let current = access.get_risk(id).await?;
    may_edit(&state, id).await?.map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let version = submitted.version().unwrap_or(0);
    let (parsed, rows) = read_form(&submitted);
    let errors = match parsed {
        Ok(fields) => match access.update_risk(id, version, fields).await {
            Ok(risk) => return Ok(see_other(&format!("/risks/{}", risk.id))),
            Err(DomainError::Validation(errors)) => errors_on_form(errors, &rows),
            Err(DomainError::VersionConflict { .. }) => {
                let latest = access.get_risk(id).await?;
                let form = stored_values(&latest).with_notice(CONFLICT_NOTICE);
                return Ok(render(StatusCode::CONFLICT, &edit_page(&state, &latest, form, None).await?));
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let page = edit_page(&state, &current, submitted.into_state().with_errors(errors), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn delete(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: RiskId = parse_id(&id)?;
    let access = store(&state);
    let risk = access.get_risk(id).await?;
    let version = SubmittedForm::new(pairs).version();
    match access.delete_risk(id, version).await {
        Ok(()) => Ok(see_other(&format!("/programs/{}/risks", risk.fields.program_id))),
        Err(DomainError::VersionConflict { .. }) => {
            show_page(&state, id, StatusCode::CONFLICT, Some(DELETE_CONFLICT_NOTICE.to_owned())).await
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_land_on_the_rows_and_select_the_form_has() {
        let mut errors = ValidationErrors::new();
        errors.add("mitigations[1].due_date", "required", "must not be blank");
        errors.add("work_item_ids[3]", "not_found", "work item x does not exist");
        errors.add("title", "required", "must not be blank");
        let moved = errors_on_form(errors, &[0, 4]);
        let fields: Vec<&str> = moved.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["mitigations[4].due_date", "work_item_ids", "title"]);
    }

    #[test]
    fn the_heat_map_escapes_links_and_shows_every_count() {
        let svg = heat_map_svg(&RiskMatrix::default(), |(p, i)| format!("/r?p={p}&i={i}"));
        assert_eq!(svg.matches("<a ").count(), 25);
        assert!(svg.contains(r#"href="/r?p=5&amp;i=5""#), "{svg}");
        assert!(svg.contains(r#"<text id="heat-count-3-2" class="count count-none""#), "{svg}");
        assert!(svg.contains("<title id=\"heat-map-title\">Probability-impact heat map</title>"));
        assert!(svg.contains("Probability 71-100%, impact over 20 days: 0 risks (score 25, critical)"));
    }
}
