//! Who may do what: role grants, the permission policy, and [`Access`], the store as one signed-in
//! user sees it.
//!
//! Roles are granted per program, per project and per product: **owner**, **editor**, **viewer**;
//! an organisation **admin** (a flag on the user) may do everything. How the domain's roles map
//! onto them:
//!
//! | person            | grant                        | may                                              |
//! |-------------------|------------------------------|--------------------------------------------------|
//! | program manager   | owner of the program         | edit the program, its projects, milestones, work items and dependencies; delete them; manage the program's members |
//! | project manager   | editor (or owner) of the project | edit that project, its milestones, work items and dependencies; read the rest of the program |
//! | product manager   | owner of the product         | edit the product and its backlog; manage the product's members |
//! | product owner     | editor of the product        | edit the product's backlog                      |
//! | sponsor           | viewer of the program        | read everything in the program (approvals come with governance) |
//! | viewer            | viewer of a program/product  | read it                                          |
//! | admin             | `is_admin`                   | everything; create programs, products and teams; manage users; read the whole audit trail |
//!
//! Rules, in terms of roles:
//! - A program's role is its own grant's; any project grant inside it adds viewer. A project's
//!   role is the higher of its program's role and its own grant's. Containers' owners own what
//!   they contain.
//! - Read: any role. Edit a record or add records inside it: editor. Delete a program, project or
//!   product, or manage its members: owner. Teams are shared by the organisation: every signed-in
//!   user reads them, admins change them.
//! - A work item is readable through its project or its product, and editable by an editor of
//!   either; an edit may keep the item's other place (and its parent) as it is without reading
//!   it, but may only name a new one the user reads. A dependency is readable when both its ends
//!   are, and editable by an editor of either end.
//! - A risk is readable by whoever may read its program, and editable by an editor of its project
//!   (a project risk) or of its program (a program-wide risk), as milestones are.
//! - Objectives, their key results, feature links and roadmap entries are the product's: read by
//!   any role on it, written by its editors (a roadmap entry by an editor of the item's product).
//! - What a user may not read does not exist for them: `NotFound`, or a `Validation` `not_found`
//!   on the field that names it, exactly as for a record that does not exist. What they may read
//!   but not change is `Forbidden`. One thing only is told of what they may not read: whether any
//!   program or product exists at all ([`Access::hides_programs`], [`Access::hides_products`]),
//!   so that an empty list can say "none you can see" rather than "none yet"; never which.
//! - A read-only API token makes every write `Forbidden`.

use std::collections::HashMap;
use std::fmt;

// Product strategy: objectives and key results.
use crate::ids::{KeyResultId, ObjectiveId};
use crate::strategy::{
    Measurement, Objective, ObjectiveFields, ObjectiveFilter, ObjectiveLink, RoadmapEntry, RoadmapEntryFields,
};

use chrono::{DateTime, Utc};

use crate::accounts::{ApiToken, LoginFailures, NewApiToken, Session, User, UserFields, Username};
use crate::audit::{Actor, AuditEvent, AuditFilter};
use crate::backlog::{BacklogDetails, BacklogPosition, BulkEdit};
use crate::dependency::{Dependency, DependencyFields, NodeRef, NodeSummary};
use crate::error::{DomainError, DomainResult, EntityKind, FieldError};
use crate::forecasting::ProgramForecast;
use crate::ids::{
    ApiTokenId, DependencyId, GrantId, MilestoneId, ProductId, ProgramId, ProjectId, RiskId, TeamId, UserId, WorkItemId,
};
use crate::milestone::{Milestone, MilestoneFields};
use crate::planning::ProgramSchedule;
use crate::product::{Product, ProductFields};
use crate::program::{Program, ProgramFields};
use crate::project::{Project, ProjectFields};
use crate::risk::{Risk, RiskFields};
use crate::store::{
    DependencyFilter, MilestoneFilter, Page, PageRequest, ProductFilter, ProgramFilter, ProjectFilter, RiskFilter,
    Store, TeamFilter, WorkItemFilter, WorkItemOrder,
};
use crate::team::{Team, TeamFields};
use crate::values::Rank;
use crate::work_item::{Placement, WorkItem, WorkItemFields};

/// Ordered: a higher role may do everything a lower one may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Editor,
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Editor, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Owner => "owner",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Role, FieldError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new(field, "invalid", "must be one of owner, editor, viewer"))
    }
}

/// What a grant gives a role on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantScope {
    Program(ProgramId),
    Project(ProjectId),
    Product(ProductId),
}

impl GrantScope {
    pub fn kind_str(self) -> &'static str {
        match self {
            GrantScope::Program(_) => "program",
            GrantScope::Project(_) => "project",
            GrantScope::Product(_) => "product",
        }
    }

    pub fn id_string(self) -> String {
        match self {
            GrantScope::Program(id) => id.to_string(),
            GrantScope::Project(id) => id.to_string(),
            GrantScope::Product(id) => id.to_string(),
        }
    }

    /// From the API's `scope` (`program`, `project`, `product`) and `scope_id`.
    pub fn parse(kind: &str, id: &str) -> Result<GrantScope, FieldError> {
        let bad_id = || FieldError::new("scope_id", "invalid", "must be a UUID");
        match kind.trim() {
            "program" => id.trim().parse().map(GrantScope::Program).map_err(|_| bad_id()),
            "project" => id.trim().parse().map(GrantScope::Project).map_err(|_| bad_id()),
            "product" => id.trim().parse().map(GrantScope::Product).map_err(|_| bad_id()),
            _ => Err(FieldError::new("scope", "invalid", "must be one of program, project, product")),
        }
    }
}

impl fmt::Display for GrantScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind_str(), self.id_string())
    }
}

/// A user's role on a program, project or product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: GrantId,
    pub user_id: UserId,
    pub scope: GrantScope,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

/// All filters combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantFilter {
    pub user: Option<UserId>,
    pub scope: Option<GrantScope>,
}

/// The programs and products a user may read, for list queries. Projects, milestones and work
/// items are visible through their program; work items also through their product; a dependency
/// when both its ends are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visibility {
    pub programs: Vec<ProgramId>,
    pub products: Vec<ProductId>,
}

/// The signed-in user a request acts for, with their roles resolved.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    /// False for a read-only API token.
    pub may_write: bool,
    programs: HashMap<ProgramId, Role>,
    /// Project grants with their project's program.
    projects: HashMap<ProjectId, (ProgramId, Role)>,
    products: HashMap<ProductId, Role>,
}

impl Principal {
    /// Resolves `user`'s grants (a project grant's program is looked up once here).
    pub async fn load(store: &dyn Store, user: User, may_write: bool) -> DomainResult<Principal> {
        let grants = store.list_grants(&GrantFilter { user: Some(user.id), scope: None }).await?;
        let mut principal = Principal::new(user, may_write);
        for grant in grants {
            match grant.scope {
                GrantScope::Program(id) => principal.grant_program(id, grant.role),
                GrantScope::Product(id) => principal.grant_product(id, grant.role),
                GrantScope::Project(id) => match store.get_project(id).await {
                    Ok(project) => principal.grant_project(id, project.fields.program_id, grant.role),
                    Err(DomainError::NotFound { .. }) => {}
                    Err(other) => return Err(other),
                },
            }
        }
        Ok(principal)
    }

    /// A principal with no grants (add them with the `grant_*` methods).
    pub fn new(user: User, may_write: bool) -> Principal {
        Principal { user, may_write, programs: HashMap::new(), projects: HashMap::new(), products: HashMap::new() }
    }

    pub fn grant_program(&mut self, id: ProgramId, role: Role) {
        let entry = self.programs.entry(id).or_insert(role);
        *entry = (*entry).max(role);
    }

    pub fn grant_project(&mut self, id: ProjectId, program: ProgramId, role: Role) {
        let entry = self.projects.entry(id).or_insert((program, role));
        entry.1 = entry.1.max(role);
    }

    pub fn grant_product(&mut self, id: ProductId, role: Role) {
        let entry = self.products.entry(id).or_insert(role);
        *entry = (*entry).max(role);
    }

    pub fn is_admin(&self) -> bool {
        self.user.fields.is_admin && !self.user.fields.disabled
    }

    pub fn actor(&self) -> Actor {
        Actor::user(&self.user)
    }

    pub fn program_role(&self, program: ProgramId) -> Option<Role> {
        if self.is_admin() {
            return Some(Role::Owner);
        }
        let through_projects = self.projects.values().any(|(p, _)| *p == program).then_some(Role::Viewer);
        self.programs.get(&program).copied().max(through_projects)
    }

    pub fn project_role(&self, project: ProjectId, program: ProgramId) -> Option<Role> {
        if self.is_admin() {
            return Some(Role::Owner);
        }
        let own = self.projects.get(&project).map(|(_, role)| *role);
        self.programs.get(&program).copied().max(own).or_else(|| self.program_role(program))
    }

    pub fn product_role(&self, product: ProductId) -> Option<Role> {
        if self.is_admin() {
            return Some(Role::Owner);
        }
        self.products.get(&product).copied()
    }

    /// What list queries must be limited to; `None` for an admin (everything).
    pub fn visibility(&self) -> Option<Visibility> {
        if self.is_admin() {
            return None;
        }
        let mut programs: Vec<ProgramId> =
            self.programs.keys().copied().chain(self.projects.values().map(|(p, _)| *p)).collect();
        programs.sort();
        programs.dedup();
        let mut products: Vec<ProductId> = self.products.keys().copied().collect();
        products.sort();
        Some(Visibility { programs, products })
    }
}

fn need(role: Option<Role>, at_least: Role, what: &str) -> DomainResult<()> {
    match role {
        Some(role) if role >= at_least => Ok(()),
        _ => Err(DomainError::forbidden(format!("{what} needs the {} role", at_least.as_str()))),
    }
}

/// A field naming a record the user may not read: word for word the stores' answer for one that
/// does not exist, so the answer tells nothing.
fn unknown(field: &str, entity: EntityKind, id: impl fmt::Display) -> DomainError {
    DomainError::invalid(field, "not_found", format!("{entity} {id} does not exist"))
}

/// The features an insight supports, named as the store names them (`{prefix}feature_ids[i]`).
fn insight_features(prefix: &str, fields: &crate::evidence::InsightFields) -> Vec<(String, WorkItemId)> {
    fields.feature_ids.iter().enumerate().map(|(i, id)| (format!("{prefix}feature_ids[{i}]"), *id)).collect()
}

/// The features of metric rows, named as the store names them (`rows[N].feature_id`, N from 1).
fn metric_features(rows: &[crate::metrics::MetricPointFields]) -> Vec<(String, WorkItemId)> {
    rows.iter()
        .enumerate()
        .filter_map(|(i, row)| Some((format!("rows[{}].feature_id", i + 1), row.feature_id?)))
        .collect()
}

/// Whether the pages `read` gives (the first from the start) hold a record whose `key` is not in
/// `listed` (sorted). It stops at the first such page, so it reads at most `listed.len()` records
/// before it, whatever the store holds.
async fn finds_unlisted<T, K, Fut>(
    listed: &[K],
    key: impl Fn(&T) -> K,
    read: impl Fn(PageRequest) -> Fut,
) -> DomainResult<bool>
where
    K: Ord,
    Fut: Future<Output = DomainResult<Page<T>>>,
{
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let found = read(page).await?;
        if found.items.iter().any(|record| listed.binary_search(&key(record)).is_err()) {
            return Ok(true);
        }
        match found.next_cursor {
            Some(after) => page = PageRequest { after: Some(after), limit: PageRequest::MAX_LIMIT },
            None => return Ok(false),
        }
    }
}

fn unknown_node(field: &str, node: NodeRef) -> DomainError {
    match node {
        NodeRef::WorkItem(id) => unknown(field, EntityKind::WorkItem, id),
        NodeRef::Milestone(id) => unknown(field, EntityKind::Milestone, id),
    }
}

/// The store as `principal` sees it: every method checks the policy above, then calls the store
/// with the principal as the actor of the audit trail. Servers call nothing else.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    store: &'a dyn Store,
    principal: &'a Principal,
}

impl<'a> Access<'a> {
    pub fn new(store: &'a dyn Store, principal: &'a Principal) -> Access<'a> {
        Access { store, principal }
    }

    pub fn principal(&self) -> &'a Principal {
        self.principal
    }

    /// The store without checks, for reads the caller has already authorised.
    pub fn store(&self) -> &'a dyn Store {
        self.store
    }

    fn actor(&self) -> Actor {
        self.principal.actor()
    }

    fn writing(&self) -> DomainResult<()> {
        if self.principal.may_write { Ok(()) } else { Err(DomainError::forbidden("this API token may only read")) }
    }

    fn admin(&self, what: &str) -> DomainResult<()> {
        self.writing()?;
        if self.principal.is_admin() {
            Ok(())
        } else {
            Err(DomainError::forbidden(format!("only organisation admins may {what}")))
        }
    }

    // ----- programs -----

    pub async fn get_program(&self, id: ProgramId) -> DomainResult<Program> {
        let program = self.store.get_program(id).await?;
        match self.principal.program_role(id) {
            Some(_) => Ok(program),
            None => Err(DomainError::not_found(EntityKind::Program, id)),
        }
    }

    /// The program's role for this user, or `NotFound` when they have none.
    pub async fn program_role(&self, id: ProgramId) -> DomainResult<Role> {
        self.get_program(id).await?;
        self.principal.program_role(id).ok_or_else(|| DomainError::not_found(EntityKind::Program, id))
    }

    pub async fn list_programs(&self, filter: &ProgramFilter, page: &PageRequest) -> DomainResult<Page<Program>> {
        let filter = ProgramFilter { visible: self.principal.visibility(), ..filter.clone() };
        self.store.list_programs(&filter, page).await
    }

    /// Whether a program exists that this user may not read (never for an admin), so that a page
    /// can tell "no programs yet" from "none you can see". It names no program.
    pub async fn hides_programs(&self) -> DomainResult<bool> {
        let Some(visible) = self.principal.visibility() else {
            return Ok(false);
        };
        finds_unlisted(
            &visible.programs,
            |program: &Program| program.id,
            |page| async move { self.store.list_programs(&ProgramFilter::default(), &page).await },
        )
        .await
    }

    pub async fn create_program(&self, fields: ProgramFields) -> DomainResult<Program> {
        self.admin("create programs")?;
        self.store.create_program(&self.actor(), fields).await
    }

    pub async fn update_program(&self, id: ProgramId, version: i64, fields: ProgramFields) -> DomainResult<Program> {
        let role = self.program_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "editing a program")?;
        self.store.update_program(&self.actor(), id, version, fields).await
    }

    pub async fn delete_program(&self, id: ProgramId, version: Option<i64>) -> DomainResult<()> {
        let role = self.program_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Owner, "deleting a program")?;
        self.store.delete_program(&self.actor(), id, version).await
    }

    // ----- projects -----

    async fn project_and_role(&self, id: ProjectId) -> DomainResult<(Project, Role)> {
        let project = self.store.get_project(id).await?;
        match self.principal.project_role(id, project.fields.program_id) {
            Some(role) => Ok((project, role)),
            None => Err(DomainError::not_found(EntityKind::Project, id)),
        }
    }

    /// The role on the project `field` names, or a `not_found` validation error on `field`.
    async fn project_role_for_field(&self, field: &str, id: ProjectId) -> DomainResult<Role> {
        match self.project_and_role(id).await {
            Ok((_, role)) => Ok(role),
            Err(DomainError::NotFound { .. }) => Err(unknown(field, EntityKind::Project, id)),
            Err(other) => Err(other),
        }
    }

    async fn program_role_for_field(&self, field: &str, id: ProgramId) -> DomainResult<Role> {
        match self.program_role(id).await {
            Ok(role) => Ok(role),
            Err(DomainError::NotFound { .. }) => Err(unknown(field, EntityKind::Program, id)),
            Err(other) => Err(other),
        }
    }

    pub async fn get_project(&self, id: ProjectId) -> DomainResult<Project> {
        self.project_and_role(id).await.map(|(project, _)| project)
    }

    pub async fn project_role(&self, id: ProjectId) -> DomainResult<Role> {
        self.project_and_role(id).await.map(|(_, role)| role)
    }

    pub async fn list_projects(&self, filter: &ProjectFilter, page: &PageRequest) -> DomainResult<Page<Project>> {
        let filter = ProjectFilter { visible: self.principal.visibility(), ..filter.clone() };
        self.store.list_projects(&filter, page).await
    }

    pub async fn create_project(&self, fields: ProjectFields) -> DomainResult<Project> {
        let role = self.program_role_for_field("program_id", fields.program_id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "adding a project to a program")?;
        self.store.create_project(&self.actor(), fields).await
    }

    pub async fn update_project(&self, id: ProjectId, version: i64, fields: ProjectFields) -> DomainResult<Project> {
        let (project, role) = self.project_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "editing a project")?;
        if fields.program_id != project.fields.program_id {
            let target = self.program_role_for_field("program_id", fields.program_id).await?;
            need(Some(target), Role::Editor, "moving a project into a program")?;
        }
        self.store.update_project(&self.actor(), id, version, fields).await
    }

    pub async fn delete_project(&self, id: ProjectId, version: Option<i64>) -> DomainResult<()> {
        let (_, role) = self.project_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Owner, "deleting a project")?;
        self.store.delete_project(&self.actor(), id, version).await
    }

    // ----- products -----

    pub async fn get_product(&self, id: ProductId) -> DomainResult<Product> {
        let product = self.store.get_product(id).await?;
        match self.principal.product_role(id) {
            Some(_) => Ok(product),
            None => Err(DomainError::not_found(EntityKind::Product, id)),
        }
    }

    pub async fn product_role(&self, id: ProductId) -> DomainResult<Role> {
        self.get_product(id).await?;
        self.principal.product_role(id).ok_or_else(|| DomainError::not_found(EntityKind::Product, id))
    }

    async fn product_role_for_field(&self, field: &str, id: ProductId) -> DomainResult<Role> {
        match self.product_role(id).await {
            Ok(role) => Ok(role),
            Err(DomainError::NotFound { .. }) => Err(unknown(field, EntityKind::Product, id)),
            Err(other) => Err(other),
        }
    }

    pub async fn list_products(&self, filter: &ProductFilter, page: &PageRequest) -> DomainResult<Page<Product>> {
        let mut filter = filter.clone();
        filter.visible = self.principal.visibility();
        self.store.list_products(&filter, page).await
    }

    /// Whether a product exists that this user may not read (never for an admin), so that a page
    /// can tell "no products yet" from "none you can see". It names no product.
    pub async fn hides_products(&self) -> DomainResult<bool> {
        let Some(visible) = self.principal.visibility() else {
            return Ok(false);
        };
        finds_unlisted(
            &visible.products,
            |product: &Product| product.id,
            |page| async move { self.store.list_products(&ProductFilter::default(), &page).await },
        )
        .await
    }

    pub async fn create_product(&self, fields: ProductFields) -> DomainResult<Product> {
        self.admin("create products")?;
        self.store.create_product(&self.actor(), fields).await
    }

    pub async fn update_product(&self, id: ProductId, version: i64, fields: ProductFields) -> DomainResult<Product> {
        let role = self.product_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "editing a product")?;
        self.store.update_product(&self.actor(), id, version, fields).await
    }

    pub async fn delete_product(&self, id: ProductId, version: Option<i64>) -> DomainResult<()> {
        let role = self.product_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Owner, "deleting a product")?;
        self.store.delete_product(&self.actor(), id, version).await
    }

    // ----- teams (shared by the organisation) -----

    pub async fn get_team(&self, id: TeamId) -> DomainResult<Team> {
        self.store.get_team(id).await
    }

    pub async fn list_teams(&self, filter: &TeamFilter, page: &PageRequest) -> DomainResult<Page<Team>> {
        self.store.list_teams(filter, page).await
    }

    pub async fn create_team(&self, fields: TeamFields) -> DomainResult<Team> {
        self.admin("create teams")?;
        self.store.create_team(&self.actor(), fields).await
    }

    pub async fn update_team(&self, id: TeamId, version: i64, fields: TeamFields) -> DomainResult<Team> {
        self.store.get_team(id).await?;
        self.admin("change teams")?;
        self.store.update_team(&self.actor(), id, version, fields).await
    }

    pub async fn delete_team(&self, id: TeamId, version: Option<i64>) -> DomainResult<()> {
        self.store.get_team(id).await?;
        self.admin("delete teams")?;
        self.store.delete_team(&self.actor(), id, version).await
    }

    // ----- work items -----

    /// The best role through the item's project or product; `None` when neither is readable.
    async fn placement_role(&self, placement: Placement) -> DomainResult<Option<Role>> {
        let through_project = match placement.project_id() {
            Some(id) => match self.project_and_role(id).await {
                Ok((_, role)) => Some(role),
                Err(DomainError::NotFound { .. }) => None,
                Err(other) => return Err(other),
            },
            None => None,
        };
        let through_product = match placement.product_id() {
            Some(id) => self.principal.product_role(id),
            None => None,
        };
        Ok(through_project.max(through_product))
    }

    /// `not_found` on the field of every work item named in `items` that exists but that the
    /// user may not read: the store would answer `other_product` for it and so tell that it
    /// exists. Word for word the store's answer for one that does not exist.
    async fn hide_unreadable_items(&self, items: Vec<(String, WorkItemId)>) -> DomainResult<()> {
        let mut errors = crate::error::ValidationErrors::new();
        for (field, id) in items {
            match self.store.get_work_item(id).await {
                Ok(item) if self.placement_role(item.fields.placement).await?.is_none() => {
                    errors.add(field, "not_found", format!("{} {id} does not exist", EntityKind::WorkItem));
                }
                Ok(_) | Err(DomainError::NotFound { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(errors.into_result()?)
    }

    /// Checks that the user may put an item where `fields` say: its project and product readable
    /// (else `not_found` on that field), its parent readable, and editor of one of them.
    ///
    /// `stored` is the item's stored fields when it is an update: a project, product or parent
    /// the item already has is kept without any right on it (whoever edits the item through
    /// one place may leave the other as it is, even where they cannot read it); it only counts,
    /// with the user's role there if any, towards the editor role the item needs where it goes.
    async fn check_item_fields(&self, fields: &WorkItemFields, stored: Option<&WorkItemFields>) -> DomainResult<()> {
        let kept_project = stored.and_then(|s| s.placement.project_id());
        let project_role = match fields.placement.project_id() {
            Some(id) if Some(id) == kept_project => match self.project_and_role(id).await {
                Ok((_, role)) => Some(role),
                Err(DomainError::NotFound { .. }) => None,
                Err(other) => return Err(other),
            },
            Some(id) => Some(self.project_role_for_field("project_id", id).await?),
            None => None,
        };
        let kept_product = stored.and_then(|s| s.placement.product_id());
        let product_role = match fields.placement.product_id() {
            Some(id) if Some(id) == kept_product => self.principal.product_role(id),
            Some(id) => Some(self.product_role_for_field("product_id", id).await?),
            None => None,
        };
        let kept_parent = stored.and_then(|s| s.parent_id);
        if let Some(parent) = fields.parent_id.filter(|parent| Some(*parent) != kept_parent) {
            // A parent that does not exist is the store's to report, with the item's other
            // errors; one that exists but is hidden from this user answers the same way.
            match self.store.get_work_item(parent).await {
                Ok(item) if self.placement_role(item.fields.placement).await?.is_none() => {
                    return Err(unknown("parent_id", EntityKind::WorkItem, parent));
                }
                Ok(_) | Err(DomainError::NotFound { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        self.writing()?;
        need(project_role.max(product_role), Role::Editor, "changing a work item")
    }

    pub async fn get_work_item(&self, id: WorkItemId) -> DomainResult<WorkItem> {
        let item = self.store.get_work_item(id).await?;
        match self.placement_role(item.fields.placement).await? {
            Some(_) => Ok(item),
            None => Err(DomainError::not_found(EntityKind::WorkItem, id)),
        }
    }

    /// The role on the stored item `id`, or `NotFound` when it does not exist or is hidden.
    async fn item_role(&self, id: WorkItemId) -> DomainResult<Role> {
        let item = self.store.get_work_item(id).await?;
        self.placement_role(item.fields.placement)
            .await?
            .ok_or_else(|| DomainError::not_found(EntityKind::WorkItem, id))
    }

    pub async fn work_item_role(&self, item: &WorkItem) -> DomainResult<Role> {
        self.placement_role(item.fields.placement)
            .await?
            .ok_or_else(|| DomainError::not_found(EntityKind::WorkItem, item.id))
    }

    pub async fn list_work_items(&self, filter: &WorkItemFilter, page: &PageRequest) -> DomainResult<Page<WorkItem>> {
        let filter = WorkItemFilter { visible: self.principal.visibility(), ..filter.clone() };
        self.store.list_work_items(&filter, page).await
    }

    pub async fn count_work_items(&self, filter: &WorkItemFilter) -> DomainResult<u64> {
        let filter = WorkItemFilter { visible: self.principal.visibility(), ..filter.clone() };
        self.store.count_work_items(&filter).await
    }

    pub async fn create_work_item(&self, fields: WorkItemFields, rank: Option<Rank>) -> DomainResult<WorkItem> {
        self.check_item_fields(&fields, None).await?;
        self.store.create_work_item(&self.actor(), fields, rank).await
    }

    pub async fn update_work_item(
        &self,
        id: WorkItemId,
        version: i64,
        fields: WorkItemFields,
        rank: Option<Rank>,
    ) -> DomainResult<WorkItem> {
        // The stored item is read once: its places decide the role, and what the update keeps
        // of them needs no right on them. A change since then bumps the version, so an update
        // naming the version its client read is refused (conflict) rather than applied to
        // places other than those checked here.
        let stored = self.store.get_work_item(id).await?;
        let role = self
            .placement_role(stored.fields.placement)
            .await?
            .ok_or_else(|| DomainError::not_found(EntityKind::WorkItem, id))?;
        self.writing()?;
        need(Some(role), Role::Editor, "changing a work item")?;
        self.check_item_fields(&fields, Some(&stored.fields)).await?;
        self.store.update_work_item(&self.actor(), id, version, fields, rank).await
    }

    pub async fn delete_work_item(&self, id: WorkItemId, version: Option<i64>) -> DomainResult<()> {
        let role = self.item_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "deleting a work item")?;
        self.store.delete_work_item(&self.actor(), id, version).await
    }

    // ----- milestones -----

    async fn milestone_and_role(&self, id: MilestoneId) -> DomainResult<(Milestone, Role)> {
        let milestone = self.store.get_milestone(id).await?;
        match self.project_and_role(milestone.fields.project_id).await {
            Ok((_, role)) => Ok((milestone, role)),
            Err(DomainError::NotFound { .. }) => Err(DomainError::not_found(EntityKind::Milestone, id)),
            Err(other) => Err(other),
        }
    }

    pub async fn get_milestone(&self, id: MilestoneId) -> DomainResult<Milestone> {
        self.milestone_and_role(id).await.map(|(milestone, _)| milestone)
    }

    pub async fn milestone_role(&self, id: MilestoneId) -> DomainResult<Role> {
        self.milestone_and_role(id).await.map(|(_, role)| role)
    }

    pub async fn list_milestones(&self, filter: &MilestoneFilter, page: &PageRequest) -> DomainResult<Page<Milestone>> {
        let filter = MilestoneFilter { visible: self.principal.visibility(), ..filter.clone() };
        self.store.list_milestones(&filter, page).await
    }

    pub async fn create_milestone(&self, fields: MilestoneFields) -> DomainResult<Milestone> {
        let role = self.project_role_for_field("project_id", fields.project_id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "adding a milestone")?;
        self.store.create_milestone(&self.actor(), fields).await
    }

    pub async fn update_milestone(
        &self,
        id: MilestoneId,
        version: i64,
        fields: MilestoneFields,
    ) -> DomainResult<Milestone> {
        let (_, role) = self.milestone_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "editing a milestone")?;
        let target = self.project_role_for_field("project_id", fields.project_id).await?;
        need(Some(target), Role::Editor, "moving a milestone")?;
        self.store.update_milestone(&self.actor(), id, version, fields).await
    }

    pub async fn delete_milestone(&self, id: MilestoneId, version: Option<i64>) -> DomainResult<()> {
        let (_, role) = self.milestone_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "deleting a milestone")?;
        self.store.delete_milestone(&self.actor(), id, version).await
    }

    // ----- risks -----

    /// The role a risk's fields give: on its project when it has one, else on its program.
    async fn risk_fields_role(&self, fields: &RiskFields) -> DomainResult<Option<Role>> {
        let program = self.principal.program_role(fields.program_id);
        match (program, fields.project_id) {
            (None, _) => Ok(None),
            (Some(role), None) => Ok(Some(role)),
            (Some(role), Some(project)) => match self.store.get_project(project).await {
                Ok(found) => Ok(self.principal.project_role(project, found.fields.program_id).max(Some(role))),
                Err(DomainError::NotFound { .. }) => Ok(Some(role)),
                Err(other) => Err(other),
            },
        }
    }

    async fn risk_and_role(&self, id: RiskId) -> DomainResult<(Risk, Role)> {
        let risk = self.store.get_risk(id).await?;
        match self.risk_fields_role(&risk.fields).await? {
            Some(role) => Ok((risk, role)),
            None => Err(DomainError::not_found(EntityKind::Risk, id)),
        }
    }

    pub async fn get_risk(&self, id: RiskId) -> DomainResult<Risk> {
        self.risk_and_role(id).await.map(|(risk, _)| risk)
    }

    pub async fn risk_role(&self, id: RiskId) -> DomainResult<Role> {
        self.risk_and_role(id).await.map(|(_, role)| role)
    }

    pub async fn list_risks(&self, filter: &RiskFilter, page: &PageRequest) -> DomainResult<Page<Risk>> {
        let filter = RiskFilter { visible: self.principal.visibility(), ..filter.clone() };
        self.store.list_risks(&filter, page).await
    }

    /// Checks that the user may put a risk where `fields` say: its program and project readable
    /// (else `not_found` on that field), every hit work item readable (else `not_found` on it, as
    /// for one that does not exist), and editor of the project, or of the program for a
    /// program-wide risk. Whether the project and items lie in the program is the store's check.
    async fn check_risk_fields(&self, fields: &RiskFields, what: &str) -> DomainResult<()> {
        let program_role = self.program_role_for_field("program_id", fields.program_id).await?;
        let role = match fields.project_id {
            Some(project) => self.project_role_for_field("project_id", project).await?,
            None => program_role,
        };
        for (i, id) in fields.work_item_ids.iter().enumerate() {
            match self.store.get_work_item(*id).await {
                Ok(item) if self.placement_role(item.fields.placement).await?.is_none() => {
                    return Err(unknown(&format!("work_item_ids[{i}]"), EntityKind::WorkItem, id));
                }
                Ok(_) | Err(DomainError::NotFound { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        self.writing()?;
        need(Some(role), Role::Editor, what)
    }

    pub async fn create_risk(&self, fields: RiskFields) -> DomainResult<Risk> {
        self.check_risk_fields(&fields, "adding a risk").await?;
        self.store.create_risk(&self.actor(), fields).await
    }

    pub async fn update_risk(&self, id: RiskId, version: i64, fields: RiskFields) -> DomainResult<Risk> {
        let (_, role) = self.risk_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "editing a risk")?;
        self.check_risk_fields(&fields, "moving a risk").await?;
        self.store.update_risk(&self.actor(), id, version, fields).await
    }

    pub async fn delete_risk(&self, id: RiskId, version: Option<i64>) -> DomainResult<()> {
        let (_, role) = self.risk_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "deleting a risk")?;
        self.store.delete_risk(&self.actor(), id, version).await
    }

    // ----- dependencies -----

    /// The user's role on a node; `None` when they may not read it (or it does not exist).
    async fn node_role(&self, node: NodeRef) -> DomainResult<Option<Role>> {
        let role = match node {
            NodeRef::WorkItem(id) => match self.store.get_work_item(id).await {
                Ok(item) => self.placement_role(item.fields.placement).await?,
                Err(DomainError::NotFound { .. }) => None,
                Err(other) => return Err(other),
            },
            NodeRef::Milestone(id) => match self.milestone_and_role(id).await {
                Ok((_, role)) => Some(role),
                Err(DomainError::NotFound { .. }) => None,
                Err(other) => return Err(other),
            },
        };
        Ok(role)
    }

    async fn ends_roles(&self, fields: &DependencyFields) -> DomainResult<(Option<Role>, Option<Role>)> {
        Ok((self.node_role(fields.predecessor).await?, self.node_role(fields.successor).await?))
    }

    async fn dependency_and_role(&self, id: DependencyId) -> DomainResult<(Dependency, Role)> {
        let dependency = self.store.get_dependency(id).await?;
        match self.ends_roles(&dependency.fields).await? {
            (Some(a), Some(b)) => Ok((dependency, a.max(b))),
            _ => Err(DomainError::not_found(EntityKind::Dependency, id)),
        }
    }

    pub async fn get_dependency(&self, id: DependencyId) -> DomainResult<Dependency> {
        self.dependency_and_role(id).await.map(|(dependency, _)| dependency)
    }

    pub async fn dependency_role(&self, id: DependencyId) -> DomainResult<Role> {
        self.dependency_and_role(id).await.map(|(_, role)| role)
    }

    pub async fn list_dependencies(
        &self,
        filter: &DependencyFilter,
        page: &PageRequest,
    ) -> DomainResult<Page<Dependency>> {
        let filter = DependencyFilter { visible: self.principal.visibility(), ..filter.clone() };
        self.store.list_dependencies(&filter, page).await
    }

    pub async fn create_dependency(&self, fields: DependencyFields) -> DomainResult<Dependency> {
        let (predecessor, successor) = self.ends_roles(&fields).await?;
        // Unreadable ends answer like missing ones; let the store name a really missing end.
        if predecessor.is_none() && self.exists(fields.predecessor).await? {
            return Err(unknown_node("predecessor", fields.predecessor));
        }
        if successor.is_none() && self.exists(fields.successor).await? {
            return Err(unknown_node("successor", fields.successor));
        }
        self.writing()?;
        if predecessor.is_some() && successor.is_some() {
            need(predecessor.max(successor), Role::Editor, "linking work")?;
        }
        self.store.create_dependency(&self.actor(), fields).await
    }

    async fn exists(&self, node: NodeRef) -> DomainResult<bool> {
        Ok(!self.store.node_summaries(&[node]).await?.is_empty())
    }

    pub async fn update_dependency(
        &self,
        id: DependencyId,
        version: i64,
        fields: DependencyFields,
    ) -> DomainResult<Dependency> {
        let (_, role) = self.dependency_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "changing a dependency")?;
        self.store.update_dependency(&self.actor(), id, version, fields).await
    }

    pub async fn delete_dependency(&self, id: DependencyId, version: Option<i64>) -> DomainResult<()> {
        let (_, role) = self.dependency_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "deleting a dependency")?;
        self.store.delete_dependency(&self.actor(), id, version).await
    }

    /// Summaries of the nodes the user may read; the others are left out, as unknown nodes are.
    pub async fn node_summaries(&self, nodes: &[NodeRef]) -> DomainResult<Vec<NodeSummary>> {
        let summaries = self.store.node_summaries(nodes).await?;
        if self.principal.is_admin() {
            return Ok(summaries);
        }
        // A node in a project is readable when its project is: look each project up once (a
        // program page asks for hundreds of nodes in a handful of projects).
        let mut projects: HashMap<ProjectId, bool> = HashMap::new();
        let mut readable = Vec::with_capacity(summaries.len());
        for summary in summaries {
            let visible = match summary.project_id {
                Some(project) => match projects.get(&project) {
                    Some(known) => *known,
                    None => {
                        let known = match self.project_and_role(project).await {
                            Ok(_) => true,
                            Err(DomainError::NotFound { .. }) => false,
                            Err(other) => return Err(other),
                        };
                        projects.insert(project, known);
                        known
                    }
                },
                None => false,
            };
            // Not through its project: perhaps through its product.
            let visible = visible || self.node_role(summary.node).await?.is_some();
            if visible {
                readable.push(summary);
            }
        }
        Ok(readable)
    }

    // ----- schedules -----

    pub async fn save_program_schedule(&self, schedule: &ProgramSchedule) -> DomainResult<()> {
        let role = self.program_role(schedule.program_id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "computing a program's schedule")?;
        self.store.save_program_schedule(schedule).await
    }

    /// Checks that the user may compute the program's schedule (before the work is done).
    pub async fn may_schedule(&self, program: ProgramId) -> DomainResult<()> {
        let role = self.program_role(program).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "computing a program's schedule")
    }

    pub async fn latest_program_schedule(&self, program: ProgramId) -> DomainResult<Option<ProgramSchedule>> {
        self.program_role(program).await?;
        self.store.latest_program_schedule(program).await
    }

    /// Checks that the user may compute and store the program's forecast (as its schedule).
    pub async fn may_forecast(&self, program: ProgramId) -> DomainResult<()> {
        let role = self.program_role(program).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "computing a program's forecast")
    }

    pub async fn latest_program_forecast(&self, program: ProgramId) -> DomainResult<Option<ProgramForecast>> {
        self.program_role(program).await?;
        self.store.latest_program_forecast(program).await
    }

    /// The program's work progress per project ([`crate::progress`]): anyone who may read the
    /// program, as its schedule.
    pub async fn program_progress(&self, program: ProgramId) -> DomainResult<crate::progress::ProgramProgress> {
        self.program_role(program).await?;
        self.store.program_progress(program).await
    }

    // ----- members (grants) -----

    /// The user's role on a grant's scope; `NotFound` when they may not read it (the scope is
    /// named by the address, not by a field).
    async fn scope_role(&self, scope: GrantScope) -> DomainResult<Role> {
        match scope {
            GrantScope::Program(id) => self.program_role(id).await,
            GrantScope::Project(id) => self.project_role(id).await,
            GrantScope::Product(id) => self.product_role(id).await,
        }
    }

    /// Members of a program, project or product (any member may see who else is).
    pub async fn list_members(&self, scope: GrantScope) -> DomainResult<Vec<Grant>> {
        self.scope_role(scope).await?;
        self.store.list_grants(&GrantFilter { user: None, scope: Some(scope) }).await
    }

    /// The signed-in user's own grants.
    pub async fn my_grants(&self) -> DomainResult<Vec<Grant>> {
        self.store.list_grants(&GrantFilter { user: Some(self.principal.user.id), scope: None }).await
    }

    pub async fn grant(&self, user_id: UserId, scope: GrantScope, role: Role) -> DomainResult<Grant> {
        let mine = self.scope_role(scope).await?;
        self.writing()?;
        need(Some(mine), Role::Owner, "managing members")?;
        self.store.create_grant(&self.actor(), user_id, scope, role).await
    }

    pub async fn revoke_grant(&self, id: GrantId) -> DomainResult<()> {
        let grant = self.store.get_grant(id).await?;
        let mine = match self.scope_role(grant.scope).await {
            Ok(role) => role,
            Err(DomainError::NotFound { .. }) => return Err(DomainError::not_found(EntityKind::Grant, id)),
            Err(other) => return Err(other),
        };
        self.writing()?;
        need(Some(mine), Role::Owner, "managing members")?;
        self.store.delete_grant(&self.actor(), id).await
    }

    // ----- users -----

    pub async fn list_users(&self, page: &PageRequest) -> DomainResult<Page<User>> {
        self.store.list_users(page).await
    }

    pub async fn get_user(&self, id: UserId) -> DomainResult<User> {
        self.store.get_user(id).await
    }

    pub async fn create_user(&self, fields: UserFields, password_hash: String) -> DomainResult<User> {
        self.admin("add users")?;
        self.store.create_user(&self.actor(), fields, password_hash).await
    }

    pub async fn update_user(&self, id: UserId, version: i64, fields: UserFields) -> DomainResult<User> {
        self.store.get_user(id).await?;
        self.admin("change users")?;
        if id == self.principal.user.id && (!fields.is_admin || fields.disabled) {
            return Err(DomainError::invalid("is_admin", "self", "admins cannot demote or disable themselves"));
        }
        self.store.update_user(&self.actor(), id, version, fields).await
    }

    /// Admins set anyone's password; users their own.
    pub async fn set_password(&self, id: UserId, password_hash: String) -> DomainResult<()> {
        self.store.get_user(id).await?;
        self.writing()?;
        if id != self.principal.user.id && !self.principal.is_admin() {
            return Err(DomainError::forbidden("only organisation admins may set other users' passwords"));
        }
        self.store.set_password(&self.actor(), id, password_hash).await
    }

    // ----- API tokens -----

    /// The user's own tokens; an admin may name another user, or `None` for everyone's.
    pub async fn list_api_tokens(&self, user: Option<UserId>) -> DomainResult<Vec<ApiToken>> {
        let me = self.principal.user.id;
        match user {
            Some(id) if id == me => self.store.list_api_tokens(Some(me)).await,
            _ if self.principal.is_admin() => self.store.list_api_tokens(user).await,
            _ => Err(DomainError::forbidden("only organisation admins may list other users' tokens")),
        }
    }

    /// Issues a token for the signed-in user.
    pub async fn create_api_token(&self, token: &NewApiToken) -> DomainResult<ApiToken> {
        self.writing()?;
        if token.token.user_id != self.principal.user.id {
            return Err(DomainError::forbidden("tokens are issued to the signed-in user only"));
        }
        self.store.create_api_token(&self.actor(), token).await
    }

    pub async fn get_api_token(&self, id: ApiTokenId) -> DomainResult<ApiToken> {
        let token = self.store.get_api_token(id).await?;
        if token.user_id == self.principal.user.id || self.principal.is_admin() {
            Ok(token)
        } else {
            Err(DomainError::not_found(EntityKind::ApiToken, id))
        }
    }

    pub async fn revoke_api_token(&self, id: ApiTokenId) -> DomainResult<ApiToken> {
        self.get_api_token(id).await?;
        self.writing()?;
        self.store.revoke_api_token(&self.actor(), id).await
    }

    // ----- audit trail -----

    /// The history of one record the user may read, newest first.
    pub async fn history(
        &self,
        entity: EntityKind,
        record_id: &str,
        page: &PageRequest,
    ) -> DomainResult<Page<AuditEvent>> {
        let filter =
            AuditFilter { entity: Some(entity), record_id: Some(record_id.to_owned()), ..AuditFilter::default() };
        self.store.list_audit_events(&filter, page).await
    }

    /// The organisation-wide trail: admins only.
    pub async fn audit_trail(&self, filter: &AuditFilter, page: &PageRequest) -> DomainResult<Page<AuditEvent>> {
        if !self.principal.is_admin() {
            return Err(DomainError::forbidden("only organisation admins may read the whole audit trail"));
        }
        self.store.list_audit_events(filter, page).await
    }

    // Product strategy: objectives and key results.

    /// An objective and the role on its product; `NotFound` when the product is hidden.
    async fn objective_and_role(&self, id: ObjectiveId) -> DomainResult<(Objective, Role)> {
        let objective = self.store.get_objective(id).await?;
        match self.principal.product_role(objective.fields.product_id) {
            Some(role) => Ok((objective, role)),
            None => Err(DomainError::not_found(EntityKind::Objective, id)),
        }
    }

    pub async fn get_objective(&self, id: ObjectiveId) -> DomainResult<Objective> {
        self.objective_and_role(id).await.map(|(objective, _)| objective)
    }

    pub async fn objective_role(&self, id: ObjectiveId) -> DomainResult<Role> {
        self.objective_and_role(id).await.map(|(_, role)| role)
    }

    /// A named product or work item must be readable (else `NotFound`).
    pub async fn list_objectives(&self, filter: &ObjectiveFilter) -> DomainResult<Vec<Objective>> {
        if let Some(product) = filter.product {
            self.get_product(product).await?;
        }
        if let Some(item) = filter.work_item {
            self.get_work_item(item).await?;
        }
        let filter = ObjectiveFilter { visible: self.principal.visibility(), ..filter.clone() };
        self.store.list_objectives(&filter).await
    }

    pub async fn create_objective(&self, fields: ObjectiveFields) -> DomainResult<Objective> {
        let role = self.product_role_for_field("product_id", fields.product_id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "adding an objective")?;
        self.store.create_objective(&self.actor(), fields).await
    }

    pub async fn update_objective(
        &self,
        id: ObjectiveId,
        version: i64,
        fields: ObjectiveFields,
    ) -> DomainResult<Objective> {
        let (_, role) = self.objective_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "editing an objective")?;
        self.store.update_objective(&self.actor(), id, version, fields).await
    }

    pub async fn delete_objective(&self, id: ObjectiveId, version: Option<i64>) -> DomainResult<()> {
        let (_, role) = self.objective_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "deleting an objective")?;
        self.store.delete_objective(&self.actor(), id, version).await
    }

    pub async fn record_measurement(
        &self,
        id: ObjectiveId,
        key_result: KeyResultId,
        measurement: Measurement,
    ) -> DomainResult<Objective> {
        let (_, role) = self.objective_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "recording a measurement")?;
        self.store.record_measurement(&self.actor(), id, key_result, measurement).await
    }

    /// The work item must be readable (else `work_item_id`, `not_found`).
    async fn check_linkable(&self, id: ObjectiveId, work_item: WorkItemId, what: &str) -> DomainResult<()> {
        let (_, role) = self.objective_and_role(id).await?;
        match self.get_work_item(work_item).await {
            Ok(_) => {}
            Err(DomainError::NotFound { .. }) => return Err(unknown("work_item_id", EntityKind::WorkItem, work_item)),
            Err(other) => return Err(other),
        }
        self.writing()?;
        need(Some(role), Role::Editor, what)
    }

    pub async fn link_feature(&self, id: ObjectiveId, work_item: WorkItemId) -> DomainResult<()> {
        self.check_linkable(id, work_item, "linking a feature").await?;
        self.store.link_feature(&self.actor(), id, work_item).await
    }

    pub async fn unlink_feature(&self, id: ObjectiveId, work_item: WorkItemId) -> DomainResult<()> {
        self.check_linkable(id, work_item, "unlinking a feature").await?;
        self.store.unlink_feature(&self.actor(), id, work_item).await
    }

    pub async fn list_objective_links(&self, product: ProductId) -> DomainResult<Vec<ObjectiveLink>> {
        self.get_product(product).await?;
        self.store.list_objective_links(product).await
    }

    /// Needs an editor of the work item's product (its project's role does not count: the
    /// roadmap is the product manager's).
    pub async fn put_roadmap_entry(
        &self,
        work_item: WorkItemId,
        version: Option<i64>,
        fields: RoadmapEntryFields,
    ) -> DomainResult<RoadmapEntry> {
        let item = self.get_work_item(work_item).await?;
        let Some(product) = item.fields.placement.product_id() else {
            return Err(DomainError::invalid(
                "work_item_id",
                "no_product",
                "must be in a product to be on its roadmap",
            ));
        };
        self.writing()?;
        need(self.principal.product_role(product), Role::Editor, "planning a roadmap entry")?;
        self.store.put_roadmap_entry(&self.actor(), work_item, version, fields).await
    }

    pub async fn list_roadmap_entries(&self, product: ProductId) -> DomainResult<Vec<RoadmapEntry>> {
        self.get_product(product).await?;
        self.store.list_roadmap_entries(product).await
    }

    // Product backlog: user stories, prioritization inputs, reordering and bulk edits.

    /// A readable item with its backlog details.
    pub async fn backlog_item(&self, id: WorkItemId) -> DomainResult<(WorkItem, BacklogDetails)> {
        let item = self.get_work_item(id).await?;
        let details = self.store.backlog_details(&[id]).await?.into_iter().next().map(|(_, d)| d).unwrap_or_default();
        Ok((item, details))
    }

    /// A product's whole backlog in rank order, each item with its details; `NotFound` when the
    /// product is not readable.
    pub async fn product_backlog(
        &self,
        product: ProductId,
        filter: &WorkItemFilter,
    ) -> DomainResult<Vec<(WorkItem, BacklogDetails)>> {
        self.product_role(product).await?;
        let filter =
            WorkItemFilter { product: Some(product), order: WorkItemOrder::Rank, visible: None, ..filter.clone() };
        let mut items = Vec::new();
        let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
        loop {
            let found = self.store.list_work_items(&filter, &page).await?;
            items.extend(found.items);
            match found.next_cursor {
                Some(cursor) => page = PageRequest { after: Some(cursor), limit: PageRequest::MAX_LIMIT },
                None => break,
            }
        }
        let ids: Vec<WorkItemId> = items.iter().map(|i| i.id).collect();
        let mut details: HashMap<WorkItemId, BacklogDetails> =
            self.store.backlog_details(&ids).await?.into_iter().collect();
        Ok(items
            .into_iter()
            .map(|item| {
                let d = details.remove(&item.id).unwrap_or_default();
                (item, d)
            })
            .collect())
    }

    pub async fn set_backlog_details(
        &self,
        id: WorkItemId,
        version: i64,
        details: BacklogDetails,
    ) -> DomainResult<WorkItem> {
        let role = self.item_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "changing a work item")?;
        self.store.set_backlog_details(&self.actor(), id, version, details).await
    }

    /// Reordering a product's backlog needs the editor role on the product itself; an item the
    /// user may not read answers as one not in the backlog.
    pub async fn move_in_backlog(
        &self,
        product: ProductId,
        item: WorkItemId,
        position: BacklogPosition,
    ) -> DomainResult<Vec<WorkItem>> {
        let role = self.product_role(product).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "reordering a backlog")?;
        self.store.move_in_backlog(&self.actor(), product, item, position).await
    }

    /// Every item must be readable (else `ids[i]` `not_found`, as for one that does not exist)
    /// and editable.
    pub async fn bulk_edit_work_items(&self, edit: &BulkEdit) -> DomainResult<Vec<WorkItem>> {
        let mut errors = crate::error::ValidationErrors::new();
        let mut roles = Vec::new();
        for (i, id) in edit.ids().iter().enumerate() {
            match self.store.get_work_item(*id).await {
                Ok(item) => match self.placement_role(item.fields.placement).await? {
                    Some(role) => roles.push(role),
                    None => errors.push(FieldError::new(
                        format!("ids[{i}]"),
                        "not_found",
                        format!("{} {id} does not exist", EntityKind::WorkItem),
                    )),
                },
                Err(DomainError::NotFound { .. }) => errors.push(FieldError::new(
                    format!("ids[{i}]"),
                    "not_found",
                    format!("{} {id} does not exist", EntityKind::WorkItem),
                )),
                Err(other) => return Err(other),
            }
        }
        errors.into_result()?;
        self.writing()?;
        need(roles.into_iter().min(), Role::Editor, "changing a work item")?;
        self.store.bulk_edit_work_items(&self.actor(), edit).await
    }
}

/// Sign-in and session lookups, before there is a principal.
pub mod sign_in {
    use super::*;

    /// The user and their password hash for a sign-in attempt; `None` for an unknown or disabled
    /// user (the caller answers both like a wrong password).
    pub async fn credentials(store: &dyn Store, username: &Username) -> DomainResult<Option<(User, String)>> {
        Ok(store.find_credentials(username).await?.filter(|(user, _)| !user.fields.disabled))
    }

    pub async fn failures(store: &dyn Store, username: &Username) -> DomainResult<Option<LoginFailures>> {
        store.login_failures(username.as_str()).await
    }

    pub async fn session(store: &dyn Store, digest: &str, now: DateTime<Utc>) -> DomainResult<Option<(Session, User)>> {
        Ok(store
            .find_session(digest)
            .await?
            .filter(|(session, user)| session.expires_at > now && !user.fields.disabled))
    }

    pub async fn token(store: &dyn Store, digest: &str, now: DateTime<Utc>) -> DomainResult<Option<(ApiToken, User)>> {
        Ok(store.find_api_token(digest).await?.filter(|(token, user)| token.is_active(now) && !user.fields.disabled))
    }
}

// Feedback and research: segments and insights. Product-scoped: readable with any role on the
// product, written by its editors and owners (and admins); others see nothing (`NotFound`).
impl<'a> Access<'a> {
    /// The user's role on the product a segment or insight names, for a field of an input.
    async fn evidence_product_role(&self, product: ProductId) -> DomainResult<Role> {
        self.product_role_for_field("product_id", product).await
    }

    pub async fn list_segments(&self, product: ProductId) -> DomainResult<Vec<crate::evidence::Segment>> {
        self.product_role(product).await?;
        self.store.list_segments(product).await
    }

    async fn segment_and_role(&self, id: crate::ids::SegmentId) -> DomainResult<(crate::evidence::Segment, Role)> {
        let segment = self.store.get_segment(id).await?;
        match self.principal.product_role(segment.fields.product_id) {
            Some(role) => Ok((segment, role)),
            None => Err(DomainError::not_found(EntityKind::Segment, id)),
        }
    }

    pub async fn get_segment(&self, id: crate::ids::SegmentId) -> DomainResult<crate::evidence::Segment> {
        self.segment_and_role(id).await.map(|(segment, _)| segment)
    }

    pub async fn segment_role(&self, id: crate::ids::SegmentId) -> DomainResult<Role> {
        self.segment_and_role(id).await.map(|(_, role)| role)
    }

    pub async fn create_segment(
        &self,
        fields: crate::evidence::SegmentFields,
    ) -> DomainResult<crate::evidence::Segment> {
        let role = self.evidence_product_role(fields.product_id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "adding a segment")?;
        self.store.create_segment(&self.actor(), fields).await
    }

    pub async fn update_segment(
        &self,
        id: crate::ids::SegmentId,
        version: i64,
        fields: crate::evidence::SegmentFields,
    ) -> DomainResult<crate::evidence::Segment> {
        let (_, role) = self.segment_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "editing a segment")?;
        self.store.update_segment(&self.actor(), id, version, fields).await
    }

    pub async fn delete_segment(&self, id: crate::ids::SegmentId, version: Option<i64>) -> DomainResult<()> {
        let (_, role) = self.segment_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "deleting a segment")?;
        self.store.delete_segment(&self.actor(), id, version).await
    }

    pub async fn list_insights(
        &self,
        filter: &crate::evidence::InsightFilter,
    ) -> DomainResult<Vec<crate::evidence::Insight>> {
        self.product_role(filter.product).await?;
        self.store.list_insights(filter).await
    }

    async fn insight_and_role(&self, id: crate::ids::InsightId) -> DomainResult<(crate::evidence::Insight, Role)> {
        let insight = self.store.get_insight(id).await?;
        match self.principal.product_role(insight.fields.product_id) {
            Some(role) => Ok((insight, role)),
            None => Err(DomainError::not_found(EntityKind::Insight, id)),
        }
    }

    pub async fn get_insight(&self, id: crate::ids::InsightId) -> DomainResult<crate::evidence::Insight> {
        self.insight_and_role(id).await.map(|(insight, _)| insight)
    }

    pub async fn insight_role(&self, id: crate::ids::InsightId) -> DomainResult<Role> {
        self.insight_and_role(id).await.map(|(_, role)| role)
    }

    pub async fn create_insight(
        &self,
        fields: crate::evidence::InsightFields,
    ) -> DomainResult<crate::evidence::Insight> {
        let role = self.evidence_product_role(fields.product_id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "adding an insight")?;
        self.hide_unreadable_items(insight_features("", &fields)).await?;
        self.store.create_insight(&self.actor(), fields).await
    }

    pub async fn update_insight(
        &self,
        id: crate::ids::InsightId,
        version: i64,
        fields: crate::evidence::InsightFields,
    ) -> DomainResult<crate::evidence::Insight> {
        let (_, role) = self.insight_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "editing an insight")?;
        self.hide_unreadable_items(insight_features("", &fields)).await?;
        self.store.update_insight(&self.actor(), id, version, fields).await
    }

    pub async fn delete_insight(&self, id: crate::ids::InsightId, version: Option<i64>) -> DomainResult<()> {
        let (_, role) = self.insight_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "deleting an insight")?;
        self.store.delete_insight(&self.actor(), id, version).await
    }

    /// Imports a CSV text of insights into `product` (format in [`crate::evidence`]): all rows or
    /// none.
    pub async fn import_insights_csv(
        &self,
        product: ProductId,
        text: &str,
    ) -> DomainResult<Vec<crate::evidence::Insight>> {
        let role = self.product_role(product).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "importing insights")?;
        let segments = self.store.list_segments(product).await?;
        let rows = crate::evidence::parse_insights_csv(text, product, &segments)?;
        let features =
            rows.iter().enumerate().flat_map(|(i, row)| insight_features(&format!("rows[{}].", i + 1), row)).collect();
        let checked = match self.hide_unreadable_items(features).await {
            Ok(()) => self.store.create_insights(&self.actor(), rows).await,
            Err(e) => Err(e),
        };
        match checked {
            // The store names its fields (`rows[2].feature_ids[0]`); the file's reader knows columns.
            Err(DomainError::Validation(errors)) => {
                Err(DomainError::Validation(crate::evidence::store_errors_as_csv_columns(errors)))
            }
            other => other,
        }
    }

    /// The evidence of one work item: the insights linked to it (newest first) and its demand.
    /// Empty for an item outside any product, or in a product the user may not read (its
    /// research is the product's).
    pub async fn feature_evidence(
        &self,
        id: WorkItemId,
    ) -> DomainResult<(Vec<crate::evidence::Insight>, crate::evidence::Demand)> {
        let item = self.get_work_item(id).await?;
        let empty = crate::evidence::Demand { customers: 0, insights: 0, score: 0.0 };
        let Some(product) = item.fields.placement.product_id() else {
            return Ok((Vec::new(), empty));
        };
        if self.principal.product_role(product).is_none() {
            return Ok((Vec::new(), empty));
        }
        let filter = crate::evidence::InsightFilter { product, feature: Some(id), unlinked: false };
        let insights = self.store.list_insights(&filter).await?;
        let segments = self.store.list_segments(product).await?;
        let demand = crate::evidence::demand_by_feature(&insights, &segments).remove(&id).unwrap_or(empty);
        Ok((insights, demand))
    }
}

// Experiments: A/B tests. Product-scoped like the research: readable with any role on the
// product, written by its editors and owners (and admins); others see nothing (`NotFound`).
impl<'a> Access<'a> {
    pub async fn list_experiments(&self, product: ProductId) -> DomainResult<Vec<crate::experiment::Experiment>> {
        self.product_role(product).await?;
        self.store.list_experiments(product).await
    }

    async fn experiment_and_role(
        &self,
        id: crate::ids::ExperimentId,
    ) -> DomainResult<(crate::experiment::Experiment, Role)> {
        let experiment = self.store.get_experiment(id).await?;
        match self.principal.product_role(experiment.fields.product_id) {
            Some(role) => Ok((experiment, role)),
            None => Err(DomainError::not_found(EntityKind::Experiment, id)),
        }
    }

    pub async fn get_experiment(&self, id: crate::ids::ExperimentId) -> DomainResult<crate::experiment::Experiment> {
        self.experiment_and_role(id).await.map(|(experiment, _)| experiment)
    }

    pub async fn experiment_role(&self, id: crate::ids::ExperimentId) -> DomainResult<Role> {
        self.experiment_and_role(id).await.map(|(_, role)| role)
    }

    pub async fn create_experiment(
        &self,
        fields: crate::experiment::ExperimentFields,
    ) -> DomainResult<crate::experiment::Experiment> {
        let role = self.product_role_for_field("product_id", fields.product_id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "adding an experiment")?;
        self.hide_unreadable_items(fields.feature_id.map(|id| ("feature_id".to_string(), id)).into_iter().collect())
            .await?;
        self.store.create_experiment(&self.actor(), fields).await
    }

    pub async fn update_experiment(
        &self,
        id: crate::ids::ExperimentId,
        version: i64,
        fields: crate::experiment::ExperimentFields,
    ) -> DomainResult<crate::experiment::Experiment> {
        let (_, role) = self.experiment_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "editing an experiment")?;
        self.hide_unreadable_items(fields.feature_id.map(|id| ("feature_id".to_string(), id)).into_iter().collect())
            .await?;
        self.store.update_experiment(&self.actor(), id, version, fields).await
    }

    pub async fn delete_experiment(&self, id: crate::ids::ExperimentId, version: Option<i64>) -> DomainResult<()> {
        let (_, role) = self.experiment_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "deleting an experiment")?;
        self.store.delete_experiment(&self.actor(), id, version).await
    }
}

// Product metrics. Product-scoped like the evidence: readable with any role on the product,
// recorded and deleted by its editors and owners (and admins); others see nothing (`NotFound`).
impl<'a> Access<'a> {
    pub async fn list_metric_points(
        &self,
        filter: &crate::metrics::MetricFilter,
    ) -> DomainResult<Vec<crate::metrics::MetricPoint>> {
        self.product_role(filter.product).await?;
        self.store.list_metric_points(filter).await
    }

    async fn metric_point_and_role(
        &self,
        id: crate::ids::MetricPointId,
    ) -> DomainResult<(crate::metrics::MetricPoint, Role)> {
        let point = self.store.get_metric_point(id).await?;
        match self.principal.product_role(point.fields.product_id) {
            Some(role) => Ok((point, role)),
            None => Err(DomainError::not_found(EntityKind::MetricPoint, id)),
        }
    }

    pub async fn get_metric_point(&self, id: crate::ids::MetricPointId) -> DomainResult<crate::metrics::MetricPoint> {
        self.metric_point_and_role(id).await.map(|(point, _)| point)
    }

    /// Records one point (replacing the value of the same product, feature, kind and date). The
    /// product is the one addressed (a path's), so one the user may not read is `NotFound`.
    pub async fn record_metric_point(
        &self,
        fields: crate::metrics::MetricPointFields,
    ) -> DomainResult<crate::metrics::MetricPoint> {
        let role = self.product_role(fields.product_id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "recording a metric")?;
        self.hide_unreadable_items(fields.feature_id.map(|id| ("feature_id".to_string(), id)).into_iter().collect())
            .await?;
        self.store.record_metric_point(&self.actor(), fields).await
    }

    /// Records the points of one product, all or none (errors on `rows[N].field`).
    pub async fn record_metric_points(
        &self,
        product: ProductId,
        rows: Vec<crate::metrics::MetricPointFields>,
    ) -> DomainResult<Vec<crate::metrics::MetricPoint>> {
        let role = self.product_role(product).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "recording metrics")?;
        let mut errors = crate::error::ValidationErrors::new();
        for (i, row) in rows.iter().enumerate() {
            if row.product_id != product {
                errors.add(format!("rows[{}].product_id", i + 1), "other_product", "must be the product imported into");
            }
        }
        errors.into_result()?;
        self.hide_unreadable_items(metric_features(&rows)).await?;
        self.store.record_metric_points(&self.actor(), rows).await
    }

    /// Imports a CSV text of points into `product` (format in [`crate::metrics`]): all or none.
    pub async fn import_metrics_csv(
        &self,
        product: ProductId,
        text: &str,
    ) -> DomainResult<Vec<crate::metrics::MetricPoint>> {
        let role = self.product_role(product).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "importing metrics")?;
        let rows = crate::metrics::parse_metrics_csv(text, product)?;
        self.hide_unreadable_items(metric_features(&rows)).await?;
        self.store.record_metric_points(&self.actor(), rows).await
    }

    pub async fn delete_metric_point(&self, id: crate::ids::MetricPointId, version: Option<i64>) -> DomainResult<()> {
        let (_, role) = self.metric_point_and_role(id).await?;
        self.writing()?;
        need(Some(role), Role::Editor, "deleting a metric point")?;
        self.store.delete_metric_point(&self.actor(), id, version).await
    }

    /// When a work item the user may read was released: its release date (`released_on`, the
    /// start of that day, UTC) when one is entered; else the last time its status became done,
    /// from the audit trail (read here for the item alone, whatever the user's audit rights, as
    /// the item's status history is part of the item).
    pub async fn release_instant(&self, id: WorkItemId) -> DomainResult<Option<DateTime<Utc>>> {
        let item = self.get_work_item(id).await?;
        if let Some(day) = item.fields.released_on {
            return Ok(Some(day.and_time(chrono::NaiveTime::MIN).and_utc()));
        }
        let filter =
            AuditFilter { entity: Some(EntityKind::WorkItem), record_id: Some(id.to_string()), ..Default::default() };
        let mut events = Vec::new();
        let mut after = None;
        loop {
            let page = PageRequest { after, limit: PageRequest::MAX_LIMIT };
            let page = self.store.list_audit_events(&filter, &page).await?;
            events.extend(page.items);
            match page.next_cursor {
                Some(cursor) => after = Some(cursor),
                None => break,
            }
        }
        Ok(crate::metrics::release_instant(&events))
    }
}
