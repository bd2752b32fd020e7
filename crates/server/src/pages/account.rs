//! The signed-in user's own page (roles, API tokens, password) and the admins' pages (users,
//! the organisation-wide audit trail).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveTime, Utc};
use serde::Deserialize;
use tandem_domain::accounts::verify_password;
use tandem_domain::{
    AuditAction, AuditFilter, Cursor, EntityKind, FieldError, GrantScope, NewApiToken, PageRequest, Password,
    TokenScope, User, UserFields, UserId, UserInput, ValidationErrors,
};

use super::form::{SelectOption, with_current};
use super::panels::{ChangeRow, HistoryRow};
use super::{LIST_LIMIT, PageCtx, PageError, first_records, next_page_link, parse_id, render, see_other, store};
use crate::routes::Routes;

pub fn router() -> Routes {
    Routes::new("")
        .get("/account", account)
        .post("/account/tokens", create_token)
        .post("/account/tokens/{id}/revoke", revoke_token)
        .post("/account/password", change_password)
        .get("/admin/users", users)
        .post("/admin/users", create_user)
        .get("/admin/audit", audit)
}

struct RoleRow {
    scope: &'static str,
    link: String,
    name: String,
    role: &'static str,
}

struct TokenRow {
    id: String,
    name: String,
    scope: &'static str,
    prefix: String,
    expires_at: DateTime<Utc>,
    state: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    user: User,
    roles: Vec<RoleRow>,
    tokens: Vec<TokenRow>,
    /// A token's secret, shown once right after it was issued.
    new_secret: Option<String>,
    message: Option<String>,
}

async fn account_page(
    state: &PageCtx,
    status: StatusCode,
    new_secret: Option<String>,
    message: Option<String>,
) -> Result<Response, PageError> {
    let access = store(state);
    let user = state.caller.principal.user.clone();
    let mut roles = Vec::new();
    for grant in access.my_grants().await? {
        let (scope, link, name) = match grant.scope {
            GrantScope::Program(id) => {
                ("program", format!("/programs/{id}"), access.store().get_program(id).await?.fields.name.to_string())
            }
            GrantScope::Project(id) => {
                ("project", format!("/projects/{id}"), access.store().get_project(id).await?.fields.name.to_string())
            }
            GrantScope::Product(id) => {
                ("product", format!("/products/{id}"), access.store().get_product(id).await?.fields.name.to_string())
            }
        };
        roles.push(RoleRow { scope, link, name, role: grant.role.as_str() });
    }
    let now = tandem_domain::record::now();
    let tokens = access
        .list_api_tokens(Some(user.id))
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.to_string(),
            name: t.name.to_string(),
            scope: t.scope.as_str(),
            prefix: t.prefix.clone(),
            expires_at: t.expires_at,
            state: if t.revoked_at.is_some() {
                "revoked"
            } else if t.is_active(now) {
                "active"
            } else {
                "expired"
            },
            active: t.is_active(now),
        })
        .collect();
    Ok(render(status, &AccountPage { user, roles, tokens, new_secret, message }))
}

async fn account(state: PageCtx) -> Result<Response, PageError> {
    account_page(&state, StatusCode::OK, None, None).await
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    days: String,
}

async fn create_token(state: PageCtx, Form(form): Form<TokenForm>) -> Result<Response, PageError> {
    let now = tandem_domain::record::now();
    let scope = TokenScope::parse("scope", &form.scope).unwrap_or(TokenScope::Read);
    let days: i64 = form.days.trim().parse().unwrap_or(90);
    let issued = match NewApiToken::issue(
        state.caller.principal.user.id,
        &form.name,
        scope,
        now + chrono::TimeDelta::days(days.clamp(1, 366)),
        now,
    ) {
        Ok(issued) => issued,
        Err(errors) => {
            let reasons: Vec<String> = errors.errors().iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            let message = format!("The token was not issued ({}).", reasons.join("; "));
            return account_page(&state, StatusCode::UNPROCESSABLE_ENTITY, None, Some(message)).await;
        }
    };
    store(&state).create_api_token(&issued).await?;
    // Rendered, not redirected: the secret must never travel in a URL.
    account_page(&state, StatusCode::CREATED, Some(issued.secret), None).await
}

async fn revoke_token(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    store(&state).revoke_api_token(parse_id(&id)?).await?;
    Ok(see_other("/account#tokens"))
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
}

async fn change_password(state: PageCtx, Form(form): Form<PasswordForm>) -> Result<Response, PageError> {
    let refuse = |message: &str| account_page(&state, StatusCode::UNPROCESSABLE_ENTITY, None, Some(message.to_owned()));
    let user = &state.caller.principal.user;
    let Some((_, hash)) = store(&state).store().find_credentials(&user.fields.username).await? else {
        return Err(PageError::NotFound);
    };
    let current = form.current.clone();
    let matches = tokio::task::spawn_blocking(move || verify_password(&hash, &current))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?;
    if !matches {
        return refuse("The current password is wrong; the password was not changed.").await;
    }
    if form.new != form.again {
        return refuse("The two new passwords differ; the password was not changed.").await;
    }
    let password = match Password::parse("password", &form.new) {
        Ok(password) => password,
        Err(error) => return refuse(&format!("The new password {}.", error.message)).await,
    };
    let hash = crate::api::accounts::hash_password(password).await.map_err(|e| PageError::Internal(e.to_string()))?;
    store(&state).set_password(user.id, hash).await?;
    // Changing the password ends every session, this one too.
    Ok(see_other("/login"))
}

struct UserRow {
    id: String,
    username: String,
    display_name: String,
    is_admin: bool,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    users: Vec<UserRow>,
    next_page: Option<String>,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AfterQuery {
    after: Option<String>,
}

fn require_admin(state: &PageCtx) -> Result<(), PageError> {
    if state.caller.principal.is_admin() {
        Ok(())
    } else {
        Err(PageError::Forbidden("only organisation admins manage users and read the whole audit trail".to_owned()))
    }
}

async fn users_page(
    state: &PageCtx,
    after: Option<String>,
    status: StatusCode,
    message: Option<String>,
) -> Result<Response, PageError> {
    require_admin(state)?;
    let request = PageRequest { after: after.map(Cursor), limit: LIST_LIMIT };
    let page = match store(state).list_users(&request).await {
        Ok(page) => page,
        // A cursor from an old or edited link: start again from the top, as every list page does.
        Err(tandem_domain::DomainError::Validation(_)) => {
            store(state).list_users(&PageRequest::first(LIST_LIMIT)).await?
        }
        Err(other) => return Err(other.into()),
    };
    let next_page = next_page_link("/admin/users", &page, &[]);
    let users = page
        .items
        .into_iter()
        .map(|u| UserRow {
            id: u.id.to_string(),
            username: u.fields.username.to_string(),
            display_name: u.fields.display_name.to_string(),
            is_admin: u.fields.is_admin,
            disabled: u.fields.disabled,
        })
        .collect();
    Ok(render(status, &UsersPage { users, next_page, message }))
}

async fn users(state: PageCtx, Query(query): Query<AfterQuery>) -> Result<Response, PageError> {
    users_page(&state, query.after, StatusCode::OK, None).await
}

#[derive(Debug, Deserialize)]
struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    is_admin: Option<String>,
}

async fn create_user(state: PageCtx, Form(form): Form<NewUserForm>) -> Result<Response, PageError> {
    require_admin(&state)?;
    let fields = UserFields::parse(UserInput {
        username: form.username.clone(),
        display_name: if form.display_name.trim().is_empty() {
            form.username.clone()
        } else {
            form.display_name.clone()
        },
        is_admin: form.is_admin.is_some(),
        disabled: false,
    });
    let password = Password::parse("password", &form.password);
    let (fields, password) = match (fields, password) {
        (Ok(fields), Ok(password)) => (fields, password),
        (fields, password) => {
            let mut reasons: Vec<String> = Vec::new();
            if let Err(errors) = fields {
                reasons.extend(errors.errors().iter().map(|e| format!("{}: {}", e.field, e.message)));
            }
            if let Err(error) = password {
                reasons.push(format!("password: {}", error.message));
            }
            let message = format!("The user was not added ({}).", reasons.join("; "));
            return users_page(&state, None, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await;
        }
    };
    let hash = crate::api::accounts::hash_password(password).await.map_err(|e| PageError::Internal(e.to_string()))?;
    match store(&state).create_user(fields, hash).await {
        Ok(_) => Ok(see_other("/admin/users")),
        Err(tandem_domain::DomainError::Validation(errors)) => {
            let reasons: Vec<String> = errors.errors().iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            let message = format!("The user was not added ({}).", reasons.join("; "));
            users_page(&state, None, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await
        }
        Err(other) => Err(other.into()),
    }
}

struct AuditRow {
    entity: &'static str,
    record_id: String,
    label: String,
    event: HistoryRow,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    rows: Vec<AuditRow>,
    next_page: Option<String>,
    entity: String,
    action: String,
    record_id: String,
    entities: Vec<&'static str>,
    /// The chosen actor's user id, "" for anyone.
    actor: String,
    /// The organisation's users, by name, for the actor picker.
    actors: Vec<SelectOption>,
    /// The `since` and `until` filters as given (a date from the date inputs, or an instant).
    since: String,
    until: String,
}

#[derive(Debug, Deserialize)]
struct AuditQuery {
    entity: Option<String>,
    action: Option<String>,
    record_id: Option<String>,
    actor: Option<String>,
    since: Option<String>,
    until: Option<String>,
    after: Option<String>,
}

/// A change in an address (`created`, `updated`, `deleted`), as the JSON API reads `action`.
fn audit_action(raw: &str) -> Result<AuditAction, FieldError> {
    AuditAction::parse(raw.trim()).ok_or_else(|| {
        let names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        FieldError::new("action", "invalid", format!("must be one of {}", names.join(", ")))
    })
}

/// Which end of a time range a date stands for.
#[derive(Debug, Clone, Copy)]
enum DayEdge {
    /// `since`: the trail keeps events at or after the instant, so the day's first one.
    Start,
    /// `until`: the trail keeps events before the instant, so the next day's first one (the
    /// whole day named is included).
    End,
}

/// The instant a `since` or `until` filter stands for. A date input sends `YYYY-MM-DD`, a
/// whole day in UTC; an RFC 3339 instant, as the JSON API takes, is used as it is.
fn audit_instant(field: &str, raw: &str, edge: DayEdge) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    let invalid = || {
        FieldError::new(
            field,
            "invalid",
            "must be a date such as 2026-11-21 or an RFC 3339 time such as 2026-11-21T09:30:00Z",
        )
    };
    if let Ok(day) = tandem_domain::values::parse_date(field, raw) {
        let first_day = match edge {
            DayEdge::Start => Some(day),
            DayEdge::End => day.succ_opt(),
        };
        return first_day.map(|day| day.and_time(NaiveTime::MIN).and_utc()).ok_or_else(invalid);
    }
    DateTime::parse_from_rfc3339(raw).map(|at| at.to_utc()).map_err(|_| invalid())
}

/// The organisation's audit trail, filtered as the address says. The filters are read as the
/// JSON API reads them (and `since`/`until` also as dates), except that a blank one means "not
/// given"; a value the page cannot use is a 400 page naming it, rather than a trail quietly
/// filtered otherwise than asked.
async fn audit(state: PageCtx, Query(query): Query<AuditQuery>) -> Result<Response, PageError> {
    require_admin(&state)?;
    fn given(raw: &Option<String>) -> Option<&str> {
        raw.as_deref().filter(|raw| !raw.trim().is_empty())
    }
    let (entity_given, action_given) = (given(&query.entity), given(&query.action));
    let (actor_given, since_given, until_given) = (given(&query.actor), given(&query.since), given(&query.until));
    let record_given = given(&query.record_id);
    let mut errors = ValidationErrors::new();
    let entity = entity_given.and_then(|raw| errors.check(EntityKind::parse("entity", raw)));
    let action = action_given.and_then(|raw| errors.check(audit_action(raw)));
    let record_id = record_given.and_then(|raw| errors.check(crate::api::accounts::parse_audit_record_id(raw)));
    let actor = actor_given.and_then(|raw| errors.check(crate::api::extract::parse_id::<UserId>("actor", raw)));
    let since = since_given.and_then(|raw| errors.check(audit_instant("since", raw, DayEdge::Start)));
    let until = until_given.and_then(|raw| errors.check(audit_instant("until", raw, DayEdge::End)));
    // `until` as a date includes its whole day, so only an earlier day than `since` is empty.
    let until_rule = if until_given.is_some_and(|raw| tandem_domain::values::parse_date("until", raw).is_ok()) {
        "must not be before since"
    } else {
        "must be later than since"
    };
    errors.check(crate::api::accounts::check_audit_period(since, until, since_given.unwrap_or_default(), until_rule));
    if !errors.is_empty() {
        return Err(PageError::bad_query(
            "/admin/audit",
            &errors,
            &[
                ("entity", entity_given),
                ("action", action_given),
                ("record_id", record_given),
                ("actor", actor_given),
                ("since", since_given),
                ("until", until_given),
            ],
        ));
    }
    let entity_text = entity.map(|e| e.as_str().to_owned()).unwrap_or_default();
    let action_text = action.map(|a| a.as_str().to_owned()).unwrap_or_default();
    let record_text = record_id.clone().unwrap_or_default();
    let actor_text = actor.map(|a| a.to_string()).unwrap_or_default();
    let since_text = since_given.map(|raw| raw.trim().to_owned()).unwrap_or_default();
    let until_text = until_given.map(|raw| raw.trim().to_owned()).unwrap_or_default();
    let filter = AuditFilter { entity, action, record_id, actor, since, until };
    let request = PageRequest { after: query.after.clone().map(Cursor), limit: LIST_LIMIT };
    let page = match store(&state).audit_trail(&filter, &request).await {
        Ok(page) => page,
        Err(tandem_domain::DomainError::Validation(_)) => {
            store(&state).audit_trail(&filter, &PageRequest::first(LIST_LIMIT)).await?
        }
        Err(other) => return Err(other.into()),
    };
    let next_page = next_page_link(
        "/admin/audit",
        &page,
        &[
            ("entity", &entity_text),
            ("action", &action_text),
            ("record_id", &record_text),
            ("actor", &actor_text),
            ("since", &since_text),
            ("until", &until_text),
        ],
    );
    let rows = page
        .items
        .into_iter()
        .map(|e| AuditRow {
            entity: e.entity.as_str(),
            record_id: e.record_id.clone(),
            label: e.label.clone(),
            event: HistoryRow {
                at: e.at,
                actor: e.actor.name,
                action: e.action.as_str(),
                changes: e
                    .changes
                    .into_iter()
                    .map(|c| ChangeRow {
                        field: c.field,
                        before: c.before.unwrap_or_default(),
                        after: c.after.unwrap_or_default(),
                    })
                    .collect(),
            },
        })
        .collect();
    let entities = EntityKind::ALL.iter().map(|k| k.as_str()).collect();
    let access = store(&state);
    let users: Vec<User> = first_records(|page| async move { access.list_users(&page).await }).await?;
    let actors = users
        .into_iter()
        .map(|u| SelectOption::new(u.id.to_string(), format!("{} ({})", u.fields.display_name, u.fields.username)))
        .collect();
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            rows,
            next_page,
            entity: entity_text,
            action: action_text,
            record_id: record_text,
            entities,
            // A user beyond the picker's first page stays chosen, by id.
            actors: with_current(actors, &actor_text),
            actor: actor_text,
            since: since_text,
            until: until_text,
        },
    ))
}
