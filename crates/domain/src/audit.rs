//! The audit trail: who changed which record when, and each field's value before and after.
//!
//! Events are computed here, purely, from the records before and after a write ([`Audited`]);
//! every backend appends them in the same transaction as the write itself, so a change and its
//! trace are stored together or not at all. Nothing updates or deletes an event: the trail is
//! append-only (the `Store` has no method to change it).

use chrono::{DateTime, Utc};

use crate::access::Grant;
use crate::accounts::{ApiToken, User};
use crate::error::EntityKind;
use crate::ids::{AuditEventId, UserId};
use crate::record::now;
use crate::values::{Money, Name};
use crate::{Dependency, Milestone, Product, Program, Project, Risk, Team, WorkItem};

/// Who makes a change: a signed-in user, or Tandem itself (the demo loader, a migration, the
/// `tandem user add` command run on the server's host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `None` for Tandem itself.
    pub user_id: Option<UserId>,
    /// The user's name when the change was made (kept even if the user is later renamed).
    pub name: String,
}

impl Actor {
    pub fn user(user: &User) -> Actor {
        Actor { user_id: Some(user.id), name: user.fields.username.as_str().to_owned() }
    }

    /// Tandem itself, acting for `what` ("demo", "command line").
    pub fn system(what: &str) -> Actor {
        Actor { user_id: None, name: format!("tandem ({what})") }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    Created,
    Updated,
    Deleted,
}

impl AuditAction {
    pub const ALL: [AuditAction; 3] = [AuditAction::Created, AuditAction::Updated, AuditAction::Deleted];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Created => "created",
            AuditAction::Updated => "updated",
            AuditAction::Deleted => "deleted",
        }
    }

    pub fn parse(raw: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

/// One field's value before and after, as text (`None`: absent). Created records have no
/// `before`, deleted ones no `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One change to one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: AuditEventId,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub action: AuditAction,
    pub entity: EntityKind,
    pub record_id: String,
    /// The record's title when the change was made, so the trail reads well after a delete.
    pub label: String,
    pub changes: Vec<FieldChange>,
}

/// Filters for reading the trail; all combine with AND. Events are listed newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub entity: Option<EntityKind>,
    pub record_id: Option<String>,
    pub actor: Option<UserId>,
    pub action: Option<AuditAction>,
    /// Events at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Events before this instant.
    pub until: Option<DateTime<Utc>>,
}

/// A record the trail can describe: its kind, id, title and fields as text.
pub trait Audited {
    const ENTITY: EntityKind;
    fn audit_id(&self) -> String;
    fn audit_label(&self) -> String;
    /// Every field's current value as text, in a stable order.
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)>;
}

impl AuditEvent {
    fn new<R: Audited>(actor: &Actor, action: AuditAction, record: &R, changes: Vec<FieldChange>) -> AuditEvent {
        AuditEvent {
            id: AuditEventId::generate(),
            at: now(),
            actor: actor.clone(),
            action,
            entity: R::ENTITY,
            record_id: record.audit_id(),
            label: record.audit_label(),
            changes,
        }
    }

    /// Every field of the new record, as `after` values (absent fields left out).
    pub fn created<R: Audited>(actor: &Actor, record: &R) -> AuditEvent {
        let changes = record
            .audit_values()
            .into_iter()
            .filter(|(_, value)| value.is_some())
            .map(|(field, after)| FieldChange { field: field.to_owned(), before: None, after })
            .collect();
        AuditEvent::new(actor, AuditAction::Created, record, changes)
    }

    /// The fields that differ; `None` when nothing did (an update that changed nothing leaves no
    /// trace but its version).
    pub fn updated<R: Audited>(actor: &Actor, before: &R, after: &R) -> Option<AuditEvent> {
        let changes: Vec<FieldChange> = before
            .audit_values()
            .into_iter()
            .zip(after.audit_values())
            .filter(|((_, old), (_, new))| old != new)
            .map(|((field, before), (_, after))| FieldChange { field: field.to_owned(), before, after })
            .collect();
        (!changes.is_empty()).then(|| AuditEvent::new(actor, AuditAction::Updated, after, changes))
    }

    /// Every field of the record as it was, as `before` values.
    pub fn deleted<R: Audited>(actor: &Actor, record: &R) -> AuditEvent {
        let changes = record
            .audit_values()
            .into_iter()
            .filter(|(_, value)| value.is_some())
            .map(|(field, before)| FieldChange { field: field.to_owned(), before, after: None })
            .collect();
        AuditEvent::new(actor, AuditAction::Deleted, record, changes)
    }

    /// A change described by hand (a password reset, a token revoked): one field, before and after.
    pub fn changed<R: Audited>(
        actor: &Actor,
        record: &R,
        field: &str,
        before: Option<String>,
        after: Option<String>,
    ) -> AuditEvent {
        AuditEvent::new(
            actor,
            AuditAction::Updated,
            record,
            vec![FieldChange { field: field.to_owned(), before, after }],
        )
    }
}

fn text(value: impl ToString) -> Option<String> {
    Some(value.to_string())
}

fn optional_name(name: &Option<Name>) -> Option<String> {
    name.as_ref().map(|n| n.as_str().to_owned())
}

fn money(amount: Option<Money>) -> Option<String> {
    amount.map(|m| m.amount().to_string())
}

impl Audited for Program {
    const ENTITY: EntityKind = EntityKind::Program;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.fields.name.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        vec![
            ("name", text(&f.name)),
            ("goal", text(&f.goal)),
            ("sponsor", optional_name(&f.sponsor)),
            ("phase", text(f.phase.as_str())),
            ("start_date", text(f.dates.start())),
            ("target_end", text(f.dates.end())),
            ("budget", money(f.budget)),
            ("currency", text(&f.currency)),
            ("status_date", f.status_date.map(|d| d.to_string())),
        ]
    }
}

impl Audited for Project {
    const ENTITY: EntityKind = EntityKind::Project;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.fields.name.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        vec![
            ("program_id", text(f.program_id)),
            ("name", text(&f.name)),
            ("description", text(&f.description)),
            ("manager", optional_name(&f.manager)),
            ("start_date", text(f.start)),
            ("budget", money(f.budget)),
        ]
    }
}

impl Audited for Product {
    const ENTITY: EntityKind = EntityKind::Product;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.fields.name.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        vec![("name", text(&f.name)), ("vision", text(&f.vision)), ("owner", optional_name(&f.owner))]
    }
}

impl Audited for Team {
    const ENTITY: EntityKind = EntityKind::Team;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.fields.name.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        let holidays: Vec<String> = f.calendar.holidays().iter().map(ToString::to_string).collect();
        vec![
            ("name", text(&f.name)),
            ("capacity", text(f.capacity.get())),
            ("working_days", text(f.calendar.week().day_names().join(", "))),
            ("holidays", text(holidays.join(", "))),
        ]
    }
}

impl Audited for WorkItem {
    const ENTITY: EntityKind = EntityKind::WorkItem;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.fields.title.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        vec![
            ("kind", text(f.kind.as_str())),
            ("project_id", f.placement.project_id().map(|id| id.to_string())),
            ("product_id", f.placement.product_id().map(|id| id.to_string())),
            ("parent_id", f.parent_id.map(|id| id.to_string())),
            ("title", text(&f.title)),
            ("description", text(&f.description)),
            ("status", text(f.status.as_str())),
            ("estimate.optimistic", text(f.estimate.optimistic())),
            ("estimate.most_likely", text(f.estimate.most_likely())),
            ("estimate.pessimistic", text(f.estimate.pessimistic())),
            ("story_points", f.story_points.map(|p| p.get().to_string())),
            ("team_id", f.team_id.map(|id| id.to_string())),
            ("people_needed", text(f.people_needed.get())),
            ("percent_complete", text(f.percent_complete.get())),
            ("rank", text(self.rank.get())),
            ("released_on", f.released_on.map(|d| d.to_string())),
        ]
    }
}

impl Audited for Milestone {
    const ENTITY: EntityKind = EntityKind::Milestone;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.fields.name.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        vec![
            ("project_id", text(f.project_id)),
            ("name", text(&f.name)),
            ("target_date", text(f.target_date)),
            ("deliverable", text(&f.deliverable)),
        ]
    }
}

impl Audited for Dependency {
    const ENTITY: EntityKind = EntityKind::Dependency;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        format!("{} -> {}", self.fields.predecessor, self.fields.successor)
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        vec![
            ("predecessor", text(f.predecessor)),
            ("successor", text(f.successor)),
            ("kind", text(f.kind.as_str())),
            ("lag_days", text(f.lag.days())),
        ]
    }
}

impl Audited for Risk {
    const ENTITY: EntityKind = EntityKind::Risk;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.fields.title.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        let work_items: Vec<String> = f.work_item_ids.iter().map(ToString::to_string).collect();
        // One line per action, so a change to any of them shows as a change of the list.
        let mitigations: Vec<String> = f
            .mitigations
            .iter()
            .map(|m| format!("{} (due {}{})", m.description, m.due_date, if m.done { ", done" } else { "" }))
            .collect();
        vec![
            ("program_id", text(f.program_id)),
            ("project_id", f.project_id.map(|id| id.to_string())),
            ("title", text(&f.title)),
            ("cause", text(&f.cause)),
            ("effect", text(&f.effect)),
            ("owner", optional_name(&f.owner)),
            ("category", text(f.category.as_str())),
            ("probability", text(f.probability.percent())),
            ("schedule_impact.optimistic", text(f.schedule_impact.optimistic())),
            ("schedule_impact.most_likely", text(f.schedule_impact.most_likely())),
            ("schedule_impact.pessimistic", text(f.schedule_impact.pessimistic())),
            ("work_item_ids", (!work_items.is_empty()).then(|| work_items.join(", "))),
            ("cost_impact", money(f.cost_impact)),
            ("response", text(f.response.as_str())),
            ("mitigations", (!mitigations.is_empty()).then(|| mitigations.join("\n"))),
            ("trigger", text(&f.trigger)),
            ("status", text(f.status.as_str())),
        ]
    }
}

impl Audited for User {
    const ENTITY: EntityKind = EntityKind::User;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.fields.username.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        vec![
            ("username", text(&f.username)),
            ("display_name", text(&f.display_name)),
            ("is_admin", text(f.is_admin)),
            ("disabled", text(f.disabled)),
        ]
    }
}

impl Audited for Grant {
    const ENTITY: EntityKind = EntityKind::Grant;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        format!("{} of {}", self.role.as_str(), self.scope)
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("user_id", text(self.user_id)),
            ("scope", text(self.scope.kind_str())),
            ("scope_id", text(self.scope.id_string())),
            ("role", text(self.role.as_str())),
        ]
    }
}

impl Audited for ApiToken {
    const ENTITY: EntityKind = EntityKind::ApiToken;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.name.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("user_id", text(self.user_id)),
            ("name", text(&self.name)),
            ("scope", text(self.scope.as_str())),
            ("prefix", text(&self.prefix)),
            ("expires_at", text(self.expires_at.to_rfc3339())),
            ("revoked_at", self.revoked_at.map(|at| at.to_rfc3339())),
        ]
    }
}

// Feedback and research: segments and insights.

impl Audited for crate::evidence::Segment {
    const ENTITY: EntityKind = EntityKind::Segment;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.fields.name.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        vec![
            ("product_id", text(f.product_id)),
            ("name", text(&f.name)),
            ("description", text(&f.description)),
            ("weight", text(f.weight.get())),
        ]
    }
}

impl Audited for crate::evidence::Insight {
    const ENTITY: EntityKind = EntityKind::Insight;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        format!("{} ({})", self.fields.customer, self.fields.date)
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        let features: Vec<String> = f.feature_ids.iter().map(ToString::to_string).collect();
        vec![
            ("product_id", text(f.product_id)),
            ("source", text(f.source.as_str())),
            ("source_reference", (!f.source_reference.is_empty()).then(|| f.source_reference.to_string())),
            ("customer", text(&f.customer)),
            ("segment_id", f.segment_id.map(|id| id.to_string())),
            ("date", text(f.date)),
            ("quote", text(&f.quote)),
            ("importance", text(f.importance.as_str())),
            ("feature_ids", (!features.is_empty()).then(|| features.join(", "))),
        ]
    }
}

// Experiments: A/B tests.

impl Audited for crate::experiment::Experiment {
    const ENTITY: EntityKind = EntityKind::Experiment;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.fields.name.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        let variants: Vec<String> = f
            .variants
            .iter()
            .map(|v| match v.numbers {
                crate::experiment::VariantNumbers::Conversion { visitors, conversions } => {
                    format!("{}: {conversions}/{visitors}", v.name)
                }
                crate::experiment::VariantNumbers::Mean { mean, std_dev, count } => {
                    format!("{}: {mean} ± {std_dev} (n = {count})", v.name)
                }
            })
            .collect();
        vec![
            ("product_id", text(f.product_id)),
            ("feature_id", f.feature_id.map(|id| id.to_string())),
            ("name", text(&f.name)),
            ("hypothesis", text(&f.hypothesis)),
            ("metric", text(f.metric.as_str())),
            ("baseline", text(f.baseline)),
            ("baseline_std_dev", f.baseline_std_dev.map(|d| d.to_string())),
            ("minimum_detectable_effect", text(f.minimum_detectable_effect)),
            ("power", text(f.power.get())),
            ("alpha", text(f.alpha.get())),
            ("status", text(f.status.as_str())),
            ("variants", text(variants.join("; "))),
        ]
    }
}

// Product metrics.

impl Audited for crate::metrics::MetricPoint {
    const ENTITY: EntityKind = EntityKind::MetricPoint;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        format!("{} on {}", self.fields.kind.as_str(), self.fields.date)
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        vec![
            ("product_id", text(f.product_id)),
            ("feature_id", f.feature_id.map(|id| id.to_string())),
            ("kind", text(f.kind.as_str())),
            ("date", text(f.date)),
            ("value", text(f.value)),
        ]
    }
}
