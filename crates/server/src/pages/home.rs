//! The home page: programs and products at a glance, and how many teams there are. An empty list
//! says whether nothing exists yet or nothing the viewer may read.

use crate::routes::Routes;
use askama::Template;
use axum::response::Response;
use tandem_domain::{PageRequest, ProductFilter, Program, ProgramFilter, ProjectFilter, TeamFilter};

use super::PageCtx;
use super::products::{ProductRow, product_rows};
use super::{EmptyList, LIST_LIMIT, PageError, SELECT_LIMIT, empty_list, ok, store};

pub fn router() -> Routes {
    Routes::new("").get("/", home)
}

struct ProgramRow {
    program: Program,
    /// How many projects, as shown ("500+" past what one read returns).
    projects: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    programs: Vec<ProgramRow>,
    more_programs: bool,
    /// What the section says instead of the table, when it lists no program.
    programs_empty: Option<EmptyList>,
    products: Vec<ProductRow>,
    more_products: bool,
    /// What the section says instead of the table, when it lists no product.
    products_empty: Option<EmptyList>,
    teams: String,
    /// Whether "New program" is offered (admins only).
    may_create_program: bool,
    /// Whether "New product" is offered (admins only).
    may_create_product: bool,
    /// Whether "New team" is offered (admins only).
    may_create_team: bool,
}

/// A count read as one page of at most `SELECT_LIMIT`: exact below it, "N+" at it.
fn shown_count(len: usize, more: bool) -> String {
    if more { format!("{len}+") } else { len.to_string() }
}

async fn home(state: PageCtx) -> Result<Response, PageError> {
    let store = store(&state);
    let programs = store.list_programs(&ProgramFilter::default(), &PageRequest::first(LIST_LIMIT)).await?;
    let mut program_rows = Vec::with_capacity(programs.items.len());
    for program in programs.items {
        let filter = ProjectFilter { program: Some(program.id), ..ProjectFilter::default() };
        let projects = store.list_projects(&filter, &PageRequest::first(SELECT_LIMIT)).await?;
        program_rows
            .push(ProgramRow { program, projects: shown_count(projects.items.len(), projects.next_cursor.is_some()) });
    }
    let programs_empty = empty_list(!program_rows.is_empty(), true, store.hides_programs()).await?;
    let products = store.list_products(&ProductFilter::default(), &PageRequest::first(LIST_LIMIT)).await?;
    let products_empty = empty_list(!products.items.is_empty(), true, store.hides_products()).await?;
    let teams = store.list_teams(&TeamFilter::default(), &PageRequest::first(SELECT_LIMIT)).await?;
    ok(&HomePage {
        programs: program_rows,
        more_programs: programs.next_cursor.is_some(),
        programs_empty,
        more_products: products.next_cursor.is_some(),
        products_empty,
        products: product_rows(&state, products.items).await?,
        teams: shown_count(teams.items.len(), teams.next_cursor.is_some()),
        may_create_program: super::programs::may_create(&state).is_ok(),
        may_create_product: super::products::may_create(&state).is_ok(),
        may_create_team: super::teams::may_create(&state).is_ok(),
    })
}
