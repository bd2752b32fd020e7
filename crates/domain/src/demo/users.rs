//! One demo account per role, so a first start shows what each role sees and may do.

use crate::access::{GrantFilter, GrantScope, Role};
use crate::accounts::{Password, UserFields, UserInput, Username};
use crate::audit::Actor;
use crate::error::DomainResult;
use crate::store::{PageRequest, ProductFilter, ProgramFilter, ProjectFilter, Store};

use super::{DEMO_PROGRAM_NAME, demo_actor, demo_table_error};

/// Every demo account's password (printed by `tandem serve --demo`; demo data only).
pub const DEMO_PASSWORD: &str = "tandem-demo";

/// Where a demo account's role lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DemoScope {
    Organisation,
    Program,
    /// The demo program's first project.
    FirstProject,
    /// The first demo product.
    FirstProduct,
}

/// A demo account as printed at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    /// The person this account plays, and the grant that gives it its rights.
    pub plays: &'static str,
    pub password: &'static str,
}

const ACCOUNTS: [(&str, &str, &str, DemoScope, Role); 7] = [
    ("ada", "Ada Admin", "organisation admin", DemoScope::Organisation, Role::Owner),
    ("paula", "Paula Program", "program manager: owner of the program", DemoScope::Program, Role::Owner),
    ("pete", "Pete Project", "project manager: editor of the first project", DemoScope::FirstProject, Role::Editor),
    ("priya", "Priya Product", "product manager: owner of the first product", DemoScope::FirstProduct, Role::Owner),
    ("omar", "Omar Owner", "product owner: editor of the first product", DemoScope::FirstProduct, Role::Editor),
    ("sam", "Sam Sponsor", "sponsor: viewer of the program", DemoScope::Program, Role::Viewer),
    ("vera", "Vera Viewer", "viewer of the first product", DemoScope::FirstProduct, Role::Viewer),
];

/// Creates the demo accounts that do not exist yet, with their grants on the demo program (when
/// it exists), and returns every demo account. Accounts already present are left as they are.
pub async fn ensure_demo_accounts(store: &dyn Store) -> DomainResult<Vec<DemoAccount>> {
    let probe = PageRequest::first(500);
    let program = store
        .list_programs(&ProgramFilter::default(), &probe)
        .await?
        .items
        .into_iter()
        .find(|p| p.fields.name.as_str() == DEMO_PROGRAM_NAME);
    let first_project = match &program {
        Some(program) => {
            let filter = ProjectFilter { program: Some(program.id), ..ProjectFilter::default() };
            store.list_projects(&filter, &PageRequest::first(1)).await?.items.into_iter().next()
        }
        None => None,
    };
    let first_product =
        store.list_products(&ProductFilter::default(), &PageRequest::first(1)).await?.items.into_iter().next();
    let password_hash = Password::parse("password", DEMO_PASSWORD).map_err(demo_field_error)?.hash()?;
    let actor: Actor = demo_actor();

    let mut accounts = Vec::with_capacity(ACCOUNTS.len());
    for (username, display_name, plays, scope, role) in ACCOUNTS {
        accounts.push(DemoAccount { username, display_name, plays, password: DEMO_PASSWORD });
        let name = Username::parse("username", username).map_err(demo_field_error)?;
        if store.find_credentials(&name).await?.is_some() {
            continue;
        }
        let fields = UserFields::parse(UserInput {
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            is_admin: scope == DemoScope::Organisation,
            disabled: false,
        })
        .map_err(|e| demo_table_error(e.to_string()))?;
        let user = store.create_user(&actor, fields, password_hash.clone()).await?;
        let grant_scope = match scope {
            DemoScope::Organisation => None,
            DemoScope::Program => program.as_ref().map(|p| GrantScope::Program(p.id)),
            DemoScope::FirstProject => first_project.as_ref().map(|p| GrantScope::Project(p.id)),
            DemoScope::FirstProduct => first_product.as_ref().map(|p| GrantScope::Product(p.id)),
        };
        if let Some(grant_scope) = grant_scope {
            let existing = store.list_grants(&GrantFilter { user: Some(user.id), scope: Some(grant_scope) }).await?;
            if existing.is_empty() {
                store.create_grant(&actor, user.id, grant_scope, role).await?;
            }
        }
    }
    Ok(accounts)
}

fn demo_field_error(error: crate::error::FieldError) -> crate::error::DomainError {
    demo_table_error(format!("{}: {}", error.field, error.message))
}
