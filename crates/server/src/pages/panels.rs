//! Panels several record pages share: the record's history (audit trail) and, on programs,
//! projects and products, its members with their roles.

use axum::Form;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;
use tandem_domain::{
    Access, Cursor, DomainError, EntityKind, GrantScope, PageRequest, ProductId, ProgramId, ProjectId, Role, Username,
};

use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use super::error::{ErrorPage, not_allowed};
use super::{PageCtx, PageError, parse_id, render, see_other, store};
use crate::api::dates::timestamp;
use crate::routes::Routes;

/// How many of the newest changes a record page shows (the API pages through all of them).
pub const HISTORY_LIMIT: u32 = 20;

#[derive(Debug, Clone)]
pub struct ChangeRow {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: &'static str,
    pub changes: Vec<ChangeRow>,
}

/// The newest changes of a record the caller may read (the caller checked that).
pub async fn history(access: Access<'_>, entity: EntityKind, id: &str) -> Result<Vec<HistoryRow>, PageError> {
    Ok(history_page(access, entity, id, &PageRequest::first(HISTORY_LIMIT)).await?.0)
}

/// One page of the changes of a record the caller may read (the caller checked that), newest
/// first, and the cursor of the next (older) page. A cursor the store cannot read is its
/// `Validation` error on `cursor`.
pub async fn history_page(
    access: Access<'_>,
    entity: EntityKind,
    id: &str,
    request: &PageRequest,
) -> Result<(Vec<HistoryRow>, Option<Cursor>), DomainError> {
    let page = access.history(entity, id, request).await?;
    let rows = page
        .items
        .into_iter()
        .map(|event| HistoryRow {
            at: event.at,
            actor: event.actor.name,
            action: event.action.as_str(),
            changes: event
                .changes
                .into_iter()
                .map(|c| ChangeRow {
                    field: c.field,
                    before: c.before.unwrap_or_default(),
                    after: c.after.unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    Ok((rows, page.next_cursor))
}

#[derive(Debug, Clone)]
pub struct MemberRow {
    pub grant_id: String,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
}

/// Who has a role on the scope, and whether the caller may change that.
#[derive(Debug, Clone)]
pub struct MembersPanel {
    /// Where the add form posts.
    pub action: String,
    pub members: Vec<MemberRow>,
    pub may_manage: bool,
}

pub async fn members(access: Access<'_>, scope: GrantScope) -> Result<MembersPanel, PageError> {
    let grants = access.list_members(scope).await?;
    let mut members = Vec::with_capacity(grants.len());
    for grant in grants {
        let user = access.get_user(grant.user_id).await?;
        members.push(MemberRow {
            grant_id: grant.id.to_string(),
            username: user.fields.username.to_string(),
            display_name: user.fields.display_name.to_string(),
            role: grant.role.as_str(),
        });
    }
    let mine = match scope {
        GrantScope::Program(id) => access.program_role(id).await?,
        GrantScope::Project(id) => access.project_role(id).await?,
        GrantScope::Product(id) => access.product_role(id).await?,
    };
    let path = match scope {
        GrantScope::Program(id) => format!("/programs/{id}/members"),
        GrantScope::Project(id) => format!("/projects/{id}/members"),
        GrantScope::Product(id) => format!("/products/{id}/members"),
    };
    Ok(MembersPanel { action: path, members, may_manage: mine == Role::Owner && access.principal().may_write })
}

pub fn router() -> Routes {
    Routes::new("")
        .post("/programs/{id}/members", add_program_member)
        .post("/projects/{id}/members", add_project_member)
        .post("/products/{id}/members", add_product_member)
        .post("/members/{id}/delete", remove_member)
}

#[derive(Debug, Deserialize)]
struct MemberForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
}

async fn add_member(state: &PageCtx, scope: GrantScope, back: String, form: MemberForm) -> Result<Response, PageError> {
    let access = store(state);
    let refused = |reason: String| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ErrorPage::new("Member not added", format!("{reason} Go back to the page and try again.")),
        )
    };
    let Ok(username) = Username::parse("username", &form.username) else {
        return Ok(refused("No user has that username.".to_owned()));
    };
    let Ok(role) = Role::parse("role", &form.role) else {
        return Ok(refused("Choose owner, editor or viewer.".to_owned()));
    };
    let Some((user, _)) = access.store().find_credentials(&username).await? else {
        return Ok(refused("No user has that username.".to_owned()));
    };
    match access.grant(user.id, scope, role).await {
        Ok(_) => Ok(see_other(&format!("{back}#members"))),
        Err(DomainError::Validation(errors)) => {
            let reasons: Vec<&str> = errors.errors().iter().map(|e| e.message.as_str()).collect();
            Ok(refused(format!("{} {}.", username, reasons.join("; "))))
        }
        Err(other) => Err(other.into()),
    }
}

async fn add_program_member(
    state: PageCtx,
    Path(id): Path<String>,
    Form(form): Form<MemberForm>,
) -> Result<Response, PageError> {
    let id: ProgramId = parse_id(&id)?;
    add_member(&state, GrantScope::Program(id), format!("/programs/{id}"), form).await
}

async fn add_project_member(
    state: PageCtx,
    Path(id): Path<String>,
    Form(form): Form<MemberForm>,
) -> Result<Response, PageError> {
    let id: ProjectId = parse_id(&id)?;
    add_member(&state, GrantScope::Project(id), format!("/projects/{id}"), form).await
}

async fn add_product_member(
    state: PageCtx,
    Path(id): Path<String>,
    Form(form): Form<MemberForm>,
) -> Result<Response, PageError> {
    let id: ProductId = parse_id(&id)?;
    add_member(&state, GrantScope::Product(id), format!("/products/{id}"), form).await
}

async fn remove_member(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let access = store(&state);
    let grant = access.store().get_grant(id).await?;
    access.revoke_grant(id).await?;
    let back = match grant.scope {
        GrantScope::Program(id) => format!("/programs/{id}#members"),
        GrantScope::Project(id) => format!("/projects/{id}#members"),
        GrantScope::Product(id) => format!("/products/{id}#members"),
    };
    Ok(see_other(&back))
}

/// An instant as people read it on a page, `2026-11-22 11:53 UTC`; the exact instant goes in the
/// `<time datetime>` attribute ([`exact_time`]).
pub fn readable_time(at: &DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// An instant for a `<time datetime>` attribute: RFC 3339 to the microsecond in UTC, as the JSON
/// API writes it.
pub fn exact_time(at: &DateTime<Utc>) -> String {
    timestamp(*at)
}

/// A lookup's value, or `None` when the record does not exist for the caller (a name the store
/// will report on the form); other failures pass through.
pub(crate) fn if_readable<T>(result: Result<T, DomainError>) -> Result<Option<T>, PageError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(DomainError::NotFound { .. }) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// Whether the caller may do `what` (the store's words) in `product` as its editor: the reason
/// if not. Objectives, insights, experiments and the product itself share this rule.
pub(crate) async fn product_editor_may(
    state: &PageCtx,
    product: ProductId,
    what: &str,
) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    Ok(Rights::editor_may(access, access.product_role(product).await?, what))
}

/// The sentence a form page shows instead of a form the viewer may not send (see
/// [`Rights::editor_may`]); `None` when the form is offered.
pub fn withheld(allowed: Result<(), String>) -> Option<String> {
    allowed.err().map(|reason| not_allowed(&reason))
}

/// What the viewer may do to the record a page shows, so the page offers only that (the store
/// refuses the rest anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rights {
    pub edit: bool,
    pub delete: bool,
}

impl Rights {
    /// From the viewer's role on the record; `delete_needs` is the role deleting needs.
    pub fn of(access: Access<'_>, role: Role, delete_needs: Role) -> Rights {
        let write = access.principal().may_write;
        Rights { edit: write && role >= Role::Editor, delete: write && role >= delete_needs }
    }

    /// Whether the viewer may `what` ("adding an insight", "editing an experiment") on a record
    /// they hold `role` on, where that needs the editor role. `Err` holds the reason in the
    /// store's own words, so a form page can say why it offers no form ([`withheld`]) and a post
    /// can be refused before its form is read (`PageError::Forbidden`).
    pub fn editor_may(access: Access<'_>, role: Role, what: &str) -> Result<(), String> {
        if Rights::of(access, role, Role::Editor).edit {
            Ok(())
        } else if !access.principal().may_write {
            Err("this API token may only read".to_owned())
        } else {
            Err(format!("{what} needs the {} role", Role::Editor.as_str()))
        }
    }

    /// Whether the viewer may put a record (add it, or move it) in a place where they hold
    /// `role` (`None`: no role there), where that needs the editor role: what a form's place
    /// picker offers (see [`super::form::writable_with_current`]).
    pub fn may_write(access: Access<'_>, role: Option<Role>) -> bool {
        role.is_some_and(|role| Rights::of(access, role, Role::Editor).edit)
    }

    /// The best of the viewer's `roles` on the places a form may put a record (a work item's
    /// project and product, any project of a program for a risk); viewer when there are none,
    /// except for an admin, who owns everything (even before there is anything).
    pub fn best(access: Access<'_>, roles: impl IntoIterator<Item = Option<Role>>) -> Role {
        let admin = access.principal().is_admin().then_some(Role::Owner);
        roles.into_iter().chain([admin]).flatten().max().unwrap_or(Role::Viewer)
    }

    /// Whether the viewer may `what` ("create programs"), which only organisation admins may; as
    /// [`Rights::editor_may`], `Err` holds the store's reason.
    pub fn admin_may(access: Access<'_>, what: &str) -> Result<(), String> {
        if !access.principal().may_write {
            Err("this API token may only read".to_owned())
        } else if access.principal().is_admin() {
            Ok(())
        } else {
            Err(format!("only organisation admins may {what}"))
        }
    }

    /// Records only admins change (teams).
    pub fn admin_only(access: Access<'_>) -> Rights {
        let admin = access.principal().may_write && access.principal().is_admin();
        Rights { edit: admin, delete: admin }
    }
}

#[cfg(test)]
mod tests {
    use super::{exact_time, readable_time};
    use chrono::{DateTime, TimeZone, Utc};

    #[test]
    fn instants_read_to_the_minute_in_utc() {
        let at: DateTime<Utc> = "2026-11-22T11:53:02.877881Z".parse().unwrap();
        assert_eq!(readable_time(&at), "2026-11-22 11:53 UTC");
        assert_eq!(exact_time(&at), "2026-11-22T11:53:02.877881Z");
        let offset: DateTime<Utc> = "2026-11-22T12:53:59.9999999+01:00".parse().unwrap();
        assert_eq!(readable_time(&offset), "2026-11-22 11:53 UTC");
        assert_eq!(exact_time(&offset), "2026-11-22T11:53:59.999999Z");
        let whole = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            (readable_time(&whole), exact_time(&whole)),
            ("2026-01-02 03:04 UTC".into(), "2026-01-02T03:04:05.000000Z".into())
        );
    }
}
