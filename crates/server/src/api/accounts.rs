//! Accounts in the API: who am I, API tokens, users (admins manage them), members (role grants)
//! of programs, projects and products, and the audit trail (each record's history; the whole
//! trail for admins).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::{
    ApiToken, ApiTokenId, AuditAction, AuditEvent, AuditFilter, DependencyId, EntityKind, FieldError, Grant, GrantId,
    GrantScope, MilestoneId, NewApiToken, Password, ProductId, ProgramId, ProjectId, RiskId, Role, TeamId, TokenScope,
    User, UserFields, UserId, UserInput, ValidationErrors, WorkItemId,
};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::dates::timestamp;
use crate::api::extract::{ApiJson, ApiQuery, RecordIdKind, RecordPath, parse_param};
use crate::api::listing::{ListResponse, page_request};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::Routes;

pub fn routes() -> Routes {
    let routes = Routes::new("/api/v1")
        .get("/me", me)
        .get("/tokens", list_tokens)
        .post("/tokens", create_token)
        .get("/tokens/{id}", get_token)
        .delete("/tokens/{id}", revoke_token)
        .get("/users", list_users)
        .post("/users", create_user)
        .get("/users/{id}", get_user)
        .put("/users/{id}", replace_user)
        .get("/programs/{id}/members", list_program_members)
        .post("/programs/{id}/members", add_program_member)
        .get("/projects/{id}/members", list_project_members)
        .post("/projects/{id}/members", add_project_member)
        .get("/products/{id}/members", list_product_members)
        .post("/products/{id}/members", add_product_member)
        .delete("/members/{id}", remove_member)
        .get("/audit", audit_trail);
    history_routes(routes)
}

fn history_routes(routes: Routes) -> Routes {
    routes
        .get("/programs/{id}/history", program_history)
        .get("/projects/{id}/history", project_history)
        .get("/products/{id}/history", product_history)
        .get("/teams/{id}/history", team_history)
        .get("/work-items/{id}/history", work_item_history)
        .get("/milestones/{id}/history", milestone_history)
        .get("/dependencies/{id}/history", dependency_history)
        .get("/risks/{id}/history", risk_history)
        .get("/objectives/{id}/history", objective_history)
        .get("/segments/{id}/history", segment_history)
        .get("/insights/{id}/history", insight_history)
        .get("/experiments/{id}/history", experiment_history)
        .get("/users/{id}/history", user_history)
}

// ----- DTOs -----

/// A user account (never its password).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserJson {
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<User> for UserJson {
    fn from(user: User) -> Self {
        UserJson {
            id: user.id.to_string(),
            username: user.fields.username.to_string(),
            display_name: user.fields.display_name.to_string(),
            is_admin: user.fields.is_admin,
            disabled: user.fields.disabled,
            version: user.meta.version,
            created_at: timestamp(user.meta.created_at),
            updated_at: timestamp(user.meta.updated_at),
        }
    }
}

/// A role on a program, project or product.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberJson {
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    #[schema(value_type = uuid::Uuid)]
    pub user_id: String,
    /// `program`, `project` or `product`.
    pub scope: &'static str,
    #[schema(value_type = uuid::Uuid)]
    pub scope_id: String,
    /// `owner`, `editor` or `viewer`.
    pub role: &'static str,
    pub created_at: String,
}

impl From<Grant> for MemberJson {
    fn from(grant: Grant) -> Self {
        MemberJson {
            id: grant.id.to_string(),
            user_id: grant.user_id.to_string(),
            scope: grant.scope.kind_str(),
            scope_id: grant.scope.id_string(),
            role: grant.role.as_str(),
            created_at: timestamp(grant.created_at),
        }
    }
}

/// The signed-in user and their roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeJson {
    pub user: UserJson,
    pub roles: Vec<MemberJson>,
    /// False when the request used a read-only token.
    pub may_write: bool,
    /// Session callers only: send as `X-CSRF-Token` on state-changing API requests.
    pub csrf_token: Option<String>,
}

/// An API token (its secret appears only in the response that creates it).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenJson {
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    #[schema(value_type = uuid::Uuid)]
    pub user_id: String,
    pub name: String,
    /// `read` or `read_write`.
    pub scope: &'static str,
    /// The secret's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    /// Whether the token works now.
    pub active: bool,
    /// Only in the response to the create: send as `Authorization: Bearer <secret>`. Not
    /// stored; lost if not copied now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<ApiToken> for TokenJson {
    fn from(token: ApiToken) -> Self {
        let active = token.is_active(tandem_domain::record::now());
        TokenJson {
            id: token.id.to_string(),
            user_id: token.user_id.to_string(),
            name: token.name.to_string(),
            scope: token.scope.as_str(),
            prefix: token.prefix,
            created_at: timestamp(token.created_at),
            expires_at: timestamp(token.expires_at),
            revoked_at: token.revoked_at.map(timestamp),
            active,
            secret: None,
        }
    }
}

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenJson {
    pub name: String,
    /// `read` or `read_write` (default `read`).
    pub scope: Option<String>,
    /// Days until it expires: 1 to 366 (default 90).
    pub expires_in_days: Option<i64>,
}

/// A new user (admins only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserJson {
    pub username: String,
    pub display_name: Option<String>,
    pub password: String,
    #[serde(default)]
    pub is_admin: bool,
}

/// A user's changed fields (admins only); `version` as read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdateJson {
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub version: i64,
}

/// A role to give a user on this program, project or product.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMemberJson {
    #[schema(value_type = uuid::Uuid)]
    pub user_id: String,
    /// `owner`, `editor` or `viewer`.
    pub role: String,
}

/// One field's value before and after a change (as text; null: absent).
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeJson {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One change to one record.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventJson {
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    pub at: String,
    /// The user who made the change; null for Tandem itself (demo loader, command line).
    #[schema(value_type = Option<uuid::Uuid>)]
    pub actor_id: Option<String>,
    pub actor: String,
    /// `created`, `updated` or `deleted`.
    pub action: &'static str,
    /// `program`, `project`, `product`, `team`, `work_item`, `milestone`, `dependency`, `user`,
    /// `grant` or `api_token`.
    pub entity: &'static str,
    pub record_id: String,
    /// The record's title at the time.
    pub label: String,
    pub changes: Vec<FieldChangeJson>,
}

impl From<AuditEvent> for AuditEventJson {
    fn from(event: AuditEvent) -> Self {
        AuditEventJson {
            id: event.id.to_string(),
            at: timestamp(event.at),
            actor_id: event.actor.user_id.map(|id| id.to_string()),
            actor: event.actor.name,
            action: event.action.as_str(),
            entity: event.entity.as_str(),
            record_id: event.record_id,
            label: event.label,
            changes: event
                .changes
                .into_iter()
                .map(|c| FieldChangeJson { field: c.field, before: c.before, after: c.after })
                .collect(),
        }
    }
}

/// Paging of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// 1 to 500 (default 50).
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Filters of the organisation-wide audit trail; all combine with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// `program`, `work_item`, ...
    pub entity: Option<String>,
    /// A record's id (a UUID); blank: any record.
    #[param(value_type = Option<uuid::Uuid>)]
    pub record_id: Option<String>,
    /// A user id.
    #[param(value_type = Option<uuid::Uuid>)]
    pub actor: Option<String>,
    /// `created`, `updated` or `deleted`.
    pub action: Option<String>,
    /// RFC 3339: events at or after.
    pub since: Option<String>,
    /// RFC 3339: events before; later than `since`.
    pub until: Option<String>,
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Which tokens to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TokenQuery {
    /// Admins only: another user's tokens (`all` for everyone's). Default: your own.
    pub user: Option<String>,
}

// ----- handlers -----

/// The signed-in user, their roles, and (for sessions) the anti-forgery token.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, description = "The caller", body = MeJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<MeJson>, ApiError> {
    let roles = caller.access(&state).my_grants().await?;
    Ok(Json(MeJson {
        user: caller.principal.user.clone().into(),
        roles: roles.into_iter().map(MemberJson::from).collect(),
        may_write: caller.principal.may_write,
        csrf_token: caller.csrf_token.clone(),
    }))
}

/// API tokens: your own, or (admins) another user's or everyone's; newest first.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts", params(TokenQuery),
    responses((status = 200, description = "Tokens", body = Vec<TokenJson>),
        (status = 403, description = "Another user's tokens, and not an admin", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`user` is not a UUID", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<TokenQuery>,
) -> Result<Json<Vec<TokenJson>>, ApiError> {
    let user = match query.user.as_deref() {
        None => Some(caller.principal.user.id),
        Some("all") => None,
        Some(raw) => Some(crate::api::extract::parse_id::<UserId>("user", raw).map_err(ValidationErrors::from)?),
    };
    let tokens = caller.access(&state).list_api_tokens(user).await?;
    Ok(Json(tokens.into_iter().map(TokenJson::from).collect()))
}

/// Issues a token for the signed-in user. The response is the only place its secret appears.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = NewTokenJson,
    responses((status = 201, description = "Issued; `secret` is shown this once", body = TokenJson),
        (status = 403, description = "A read-only token cannot issue tokens", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name, scope or expiry", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewTokenJson>,
) -> Result<Response, ApiError> {
    let now = tandem_domain::record::now();
    let mut errors = ValidationErrors::new();
    let scope = errors.check(TokenScope::parse("scope", body.scope.as_deref().unwrap_or("read")));
    let days = body.expires_in_days.unwrap_or(90);
    if !(1..=366).contains(&days) {
        errors.add("expires_in_days", "out_of_range", "must be between 1 and 366");
    }
    errors.into_result()?;
    let scope = scope.unwrap_or(TokenScope::Read);
    let issued =
        NewApiToken::issue(caller.principal.user.id, &body.name, scope, now + chrono::TimeDelta::days(days), now)?;
    let token = caller.access(&state).create_api_token(&issued).await?;
    let mut json = TokenJson::from(token);
    json.secret = Some(issued.secret);
    let location = format!("/api/v1/tokens/{}", json.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(json)).into_response())
}

/// One token (yours, or any for admins).
#[utoipa::path(get, path = "/api/v1/tokens/{id}", tag = "accounts", params(("id" = uuid::Uuid, Path, description = "The token's id")),
    responses((status = 200, description = "The token", body = TokenJson),
        (status = 404, description = "No such token of yours", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_token(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ApiTokenId>,
) -> Result<Json<TokenJson>, ApiError> {
    Ok(Json(caller.access(&state).get_api_token(id).await?.into()))
}

/// Revokes a token (yours, or any for admins); it stops working at once. Revoking twice keeps
/// the first time.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts", params(("id" = uuid::Uuid, Path, description = "The token's id")),
    responses((status = 200, description = "Revoked", body = TokenJson),
        (status = 404, description = "No such token of yours", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ApiTokenId>,
) -> Result<Json<TokenJson>, ApiError> {
    Ok(Json(caller.access(&state).revoke_api_token(id).await?.into()))
}

/// Users, by username (every signed-in user may list them, to add members).
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", params(PageQuery),
    responses((status = 200, description = "One page of users", body = ListResponse<UserJson>)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<ListResponse<UserJson>>, ApiError> {
    let mut errors = ValidationErrors::new();
    let page = page_request(&mut errors, query.limit.as_deref(), query.cursor.as_deref());
    errors.into_result()?;
    Ok(Json(ListResponse::from_page(caller.access(&state).list_users(&page).await?)))
}

/// Creates a user (admins only).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUserJson,
    responses((status = 201, description = "Created", body = UserJson),
        (status = 403, description = "Not an admin", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or taken username, short password", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewUserJson>,
) -> Result<Response, ApiError> {
    let fields = UserFields::parse(UserInput {
        username: body.username.clone(),
        display_name: body.display_name.clone().unwrap_or_else(|| body.username.clone()),
        is_admin: body.is_admin,
        disabled: false,
    });
    let password = Password::parse("password", &body.password);
    let (fields, password) = match (fields, password) {
        (Ok(fields), Ok(password)) => (fields, password),
        (fields, password) => {
            let mut errors = fields.err().unwrap_or_default();
            if let Err(error) = password {
                errors.push(error);
            }
            return Err(errors.into());
        }
    };
    if !caller.principal.is_admin() {
        return Err(ApiError::Forbidden("only organisation admins may add users".to_owned()));
    }
    let hash = hash_password(password).await?;
    let user = caller.access(&state).create_user(fields, hash).await?;
    let location = format!("/api/v1/users/{}", user.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(UserJson::from(user))).into_response())
}

/// Hashes off the async runtime (argon2 takes tens of milliseconds by design).
pub async fn hash_password(password: Password) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || password.hash())
        .await
        .map_err(|e| ApiError::Domain(tandem_domain::DomainError::storage(e)))?
        .map_err(ApiError::from)
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "accounts", params(("id" = uuid::Uuid, Path, description = "The user's id")),
    responses((status = 200, description = "The user", body = UserJson),
        (status = 404, description = "No such user", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<UserId>,
) -> Result<Json<UserJson>, ApiError> {
    Ok(Json(caller.access(&state).get_user(id).await?.into()))
}

/// Changes a user (admins only): rename, make or unmake admin, disable (ends their sessions).
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "accounts", params(("id" = uuid::Uuid, Path, description = "The user's id")),
    request_body = UserUpdateJson,
    responses((status = 200, description = "Stored", body = UserJson),
        (status = 403, description = "Not an admin", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn replace_user(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<UserId>,
    ApiJson(body): ApiJson<UserUpdateJson>,
) -> Result<Json<UserJson>, ApiError> {
    let fields = UserFields::parse(UserInput {
        username: body.username,
        display_name: body.display_name,
        is_admin: body.is_admin,
        disabled: body.disabled,
    })?;
    Ok(Json(caller.access(&state).update_user(id, body.version, fields).await?.into()))
}

async fn members(state: &AppState, caller: &Caller, scope: GrantScope) -> Result<Json<Vec<MemberJson>>, ApiError> {
    let grants = caller.access(state).list_members(scope).await?;
    Ok(Json(grants.into_iter().map(MemberJson::from).collect()))
}

async fn add_member(
    state: &AppState,
    caller: &Caller,
    scope: GrantScope,
    body: NewMemberJson,
) -> Result<Response, ApiError> {
    let (user, role) =
        match (crate::api::extract::parse_id::<UserId>("user_id", &body.user_id), Role::parse("role", &body.role)) {
            (Ok(user), Ok(role)) => (user, role),
            (user, role) => {
                let mut errors = ValidationErrors::new();
                [user.err(), role.err()].into_iter().flatten().for_each(|error| errors.push(error));
                return Err(errors.into());
            }
        };
    let grant = caller.access(state).grant(user, scope, role).await?;
    let location = format!("/api/v1/members/{}", grant.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(MemberJson::from(grant))).into_response())
}

macro_rules! member_handlers {
    ($list:ident, $add:ident, $Id:ty, $scope:ident, $path:literal, $what:literal) => {
        #[doc = concat!("Members of the ", $what, " (any member may see them).")]
        #[utoipa::path(get, path = concat!("/api/v1/", $path, "/{id}/members"), tag = "accounts",
            params(("id" = uuid::Uuid, Path, description = "The record's id")),
            responses((status = 200, description = "Members", body = Vec<MemberJson>),
                (status = 404, description = "No such record you may read", body = crate::error::Problem, content_type = "application/problem+json")))]
        pub async fn $list(
            State(state): State<AppState>,
            caller: Caller,
            RecordPath(id): RecordPath<$Id>,
        ) -> Result<Json<Vec<MemberJson>>, ApiError> {
            members(&state, &caller, GrantScope::$scope(id)).await
        }

        #[doc = concat!("Gives a user a role on the ", $what, " (its owners and admins).")]
        #[utoipa::path(post, path = concat!("/api/v1/", $path, "/{id}/members"), tag = "accounts",
            params(("id" = uuid::Uuid, Path, description = "The record's id")), request_body = NewMemberJson,
            responses((status = 201, description = "Granted", body = MemberJson),
                (status = 403, description = "Not an owner", body = crate::error::Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such record you may read", body = crate::error::Problem, content_type = "application/problem+json"),
                (status = 422, description = "Unknown user, bad role, or the user already has a role here", body = crate::error::Problem, content_type = "application/problem+json")))]
        pub async fn $add(
            State(state): State<AppState>,
            caller: Caller,
            RecordPath(id): RecordPath<$Id>,
            ApiJson(body): ApiJson<NewMemberJson>,
        ) -> Result<Response, ApiError> {
            // An unreadable scope is a 404 here (it is in the path), not a field error.
            let scope = GrantScope::$scope(id);
            members(&state, &caller, scope).await.map(|_| ()).map_err(|e| match e {
                ApiError::Domain(tandem_domain::DomainError::Validation(_)) => {
                    ApiError::Domain(tandem_domain::DomainError::not_found(<$Id as RecordIdKind>::ENTITY, id))
                }
                other => other,
            })?;
            add_member(&state, &caller, scope, body).await
        }
    };
}

member_handlers!(list_program_members, add_program_member, ProgramId, Program, "programs", "program");
member_handlers!(list_project_members, add_project_member, ProjectId, Project, "projects", "project");
member_handlers!(list_product_members, add_product_member, ProductId, Product, "products", "product");

/// Takes a role away (owners of its program, project or product, and admins).
#[utoipa::path(delete, path = "/api/v1/members/{id}", tag = "accounts", params(("id" = uuid::Uuid, Path, description = "The grant's id")),
    responses((status = 204, description = "Removed"),
        (status = 403, description = "Not an owner", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such grant you may see", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<GrantId>,
) -> Result<StatusCode, ApiError> {
    caller.access(&state).revoke_grant(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn history_page(
    state: &AppState,
    caller: &Caller,
    entity: EntityKind,
    id: String,
    query: PageQuery,
) -> Result<Json<ListResponse<AuditEventJson>>, ApiError> {
    let mut errors = ValidationErrors::new();
    let page = page_request(&mut errors, query.limit.as_deref(), query.cursor.as_deref());
    errors.into_result()?;
    let events = caller.access(state).history(entity, &id, &page).await?;
    Ok(Json(ListResponse::from_page(events)))
}

macro_rules! history_handler {
    ($name:ident, $Id:ty, $path:literal, $check:ident) => {
        #[doc = concat!("The record's changes, newest first: who, when, each field before and after (", $path, ").")]
        #[utoipa::path(get, path = concat!("/api/v1/", $path, "/{id}/history"), tag = "audit",
            params(("id" = uuid::Uuid, Path, description = "The record's id"), PageQuery),
            responses((status = 200, description = "One page of the record's history", body = ListResponse<AuditEventJson>),
                (status = 404, description = "No such record you may read", body = crate::error::Problem, content_type = "application/problem+json")))]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            RecordPath(id): RecordPath<$Id>,
            ApiQuery(query): ApiQuery<PageQuery>,
        ) -> Result<Json<ListResponse<AuditEventJson>>, ApiError> {
            caller.access(&state).$check(id).await?;
            history_page(&state, &caller, <$Id as RecordIdKind>::ENTITY, id.to_string(), query).await
        }
    };
}

history_handler!(program_history, ProgramId, "programs", get_program);
history_handler!(project_history, ProjectId, "projects", get_project);
history_handler!(product_history, ProductId, "products", get_product);
history_handler!(team_history, TeamId, "teams", get_team);
history_handler!(work_item_history, WorkItemId, "work-items", get_work_item);
history_handler!(milestone_history, MilestoneId, "milestones", get_milestone);
history_handler!(dependency_history, DependencyId, "dependencies", get_dependency);
history_handler!(risk_history, RiskId, "risks", get_risk);
history_handler!(user_history, UserId, "users", get_user);
history_handler!(objective_history, tandem_domain::ObjectiveId, "objectives", get_objective);
history_handler!(segment_history, tandem_domain::SegmentId, "segments", get_segment);
history_handler!(insight_history, tandem_domain::InsightId, "insights", get_insight);
history_handler!(experiment_history, tandem_domain::ids::ExperimentId, "experiments", get_experiment);

fn parse_instant(field: &str, raw: &str) -> Result<DateTime<Utc>, FieldError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|at| at.to_utc())
        .map_err(|_| FieldError::new(field, "invalid", "must be an RFC 3339 time such as 2026-11-21T09:30:00Z"))
}

/// A `record_id` filter: every audited record has a UUID id, kept in its hyphenated lower-case
/// form, so anything else would only ever match nothing.
pub(crate) fn parse_audit_record_id(raw: &str) -> Result<String, FieldError> {
    raw.trim()
        .parse::<uuid::Uuid>()
        .map(|id| id.hyphenated().to_string())
        .map_err(|_| FieldError::new("record_id", "invalid", "must be a record id (a UUID)"))
}

/// The `since`..`until` period must hold some time: events at or after `since` and before
/// `until`, so `until` must be later. The error is on `until`, quoting `since` as given.
pub(crate) fn check_audit_period(
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    since_given: &str,
    message: &str,
) -> Result<(), FieldError> {
    match (since, until) {
        (Some(since), Some(until)) if until <= since => {
            Err(FieldError::new("until", "invalid", format!("{message} ({})", since_given.trim())))
        }
        _ => Ok(()),
    }
}

/// The whole organisation's audit trail, newest first (admins only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "One page of the trail", body = ListResponse<AuditEventJson>),
        (status = 403, description = "Not an admin", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter is invalid", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn audit_trail(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<ListResponse<AuditEventJson>>, ApiError> {
    let mut errors = ValidationErrors::new();
    let filter = AuditFilter {
        entity: parse_param(&mut errors, query.entity.as_deref(), |raw| EntityKind::parse("entity", raw)),
        record_id: parse_param(
            &mut errors,
            query.record_id.as_deref().filter(|raw| !raw.trim().is_empty()),
            parse_audit_record_id,
        ),
        actor: parse_param(&mut errors, query.actor.as_deref(), |raw| {
            crate::api::extract::parse_id::<UserId>("actor", raw)
        }),
        action: parse_param(&mut errors, query.action.as_deref(), |raw| {
            AuditAction::parse(raw.trim())
                .ok_or_else(|| FieldError::new("action", "invalid", "must be one of created, updated, deleted"))
        }),
        since: parse_param(&mut errors, query.since.as_deref(), |raw| parse_instant("since", raw)),
        until: parse_param(&mut errors, query.until.as_deref(), |raw| parse_instant("until", raw)),
    };
    let since_given = query.since.as_deref().unwrap_or_default();
    errors.check(check_audit_period(filter.since, filter.until, since_given, "must be later than since"));
    let page = page_request(&mut errors, query.limit.as_deref(), query.cursor.as_deref());
    errors.into_result()?;
    let events = caller.access(&state).audit_trail(&filter, &page).await?;
    Ok(Json(ListResponse::from_page(events)))
}
