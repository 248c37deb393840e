//! Acting on several tickets at once: each moved with its own version check, each result told.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::Connection;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, SchemaType,
    Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::ToSchema;

use super::accounts::Actor;
use super::notices::Notices;
use super::reports::Targets;
use super::workflow::{self, MoveRequest};
use crate::db::models::Report;
use crate::db::DbConnection;
use crate::error::AppError;

/// Most tickets in one bulk action.
pub const BULK_MAX: usize = 100;

/// What to do to every ticket chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    /// Assign to `assignee_email` (blank: unassign).
    Assign,
    /// Set `severity`.
    Severity,
    /// Mark as duplicates of `duplicate_of`, with a `reason`.
    Duplicate,
    /// Close: no change needed, with a `reason`.
    NoChange,
    /// Close: rejected, with a `reason`.
    Rejected,
}

impl BulkAction {
    /// Every action, with its form value and label.
    pub const ALL: [(BulkAction, &'static str, &'static str); 5] = [
        (BulkAction::Assign, "assign", "Assign to"),
        (BulkAction::Severity, "severity", "Change severity to"),
        (BulkAction::Duplicate, "duplicate", "Mark as duplicates of one report"),
        (BulkAction::NoChange, "no_change", "Close: no change needed"),
        (BulkAction::Rejected, "rejected", "Close: reject"),
    ];

    /// Parses a form or API value.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, v, _)| *v == raw).map(|(a, ..)| *a)
    }
}

/// A bulk action as the API takes it (its schema, by hand below, says what each action needs).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// The tickets, at most 100.
    pub ids: Vec<i64>,
    /// What to do.
    pub action: BulkAction,
    /// For `assign`: the editor's email (blank: unassign).
    #[serde(default)]
    pub assignee_email: Option<String>,
    /// For `severity`.
    #[serde(default)]
    pub severity: Option<String>,
    /// For `duplicate`: the primary report.
    #[serde(default)]
    pub duplicate_of: Option<i64>,
    /// For `duplicate`, `no_change` and `rejected`: why (the reader sees it for the closing decisions).
    #[serde(default)]
    pub reason: Option<String>,
    /// The version each ticket was listed with; a ticket changed since is refused. Without one, the current version.
    #[serde(default)]
    pub versions: HashMap<String, i64>,
}

impl utoipa::ToSchema for BulkRequest {}

impl utoipa::PartialSchema for BulkRequest {
    /// One variant per action, each requiring what that action needs, as [`check`] does.
    fn schema() -> RefOr<Schema> {
        let variant = |action: &str, required: &[&str]| {
            let needs_reason = required.contains(&"reason");
            let mut object = ObjectBuilder::new()
                .schema_type(Type::Object)
                .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(false)))
                .property(
                    "ids",
                    ArrayBuilder::new()
                        .items(ObjectBuilder::new().schema_type(Type::Integer).format(Some(int64())))
                        .min_items(Some(1))
                        .max_items(Some(BULK_MAX))
                        .description(Some("The tickets, at most 100")),
                )
                .property("action", ObjectBuilder::new().schema_type(Type::String).enum_values(Some([action])))
                .property(
                    "assignee_email",
                    ObjectBuilder::new()
                        .schema_type(nullable(Type::String))
                        .max_length(Some(EMAIL_MAX))
                        .description(Some("For `assign`: the editor's email (blank: unassign)")),
                )
                .property(
                    "severity",
                    if required.contains(&"severity") {
                        RefOr::from(Ref::from_schema_name("Severity"))
                    } else {
                        ObjectBuilder::new().schema_type(nullable(Type::String)).into()
                    },
                )
                .property(
                    "duplicate_of",
                    ObjectBuilder::new()
                        .schema_type(if required.contains(&"duplicate_of") {
                            SchemaType::Type(Type::Integer)
                        } else {
                            nullable(Type::Integer)
                        })
                        .format(Some(int64()))
                        .description(Some("For `duplicate`: the primary report")),
                )
                .property(
                    "reason",
                    ObjectBuilder::new()
                        .schema_type(if needs_reason { SchemaType::Type(Type::String) } else { nullable(Type::String) })
                        .max_length(Some(super::workflow::REASON_MAX))
                        .min_length(needs_reason.then_some(1))
                        .pattern(Some(if needs_reason {
                            super::text::TEXT_PATTERN
                        } else {
                            super::text::ANY_TEXT_PATTERN
                        }))
                        .description(Some("For `duplicate`, `no_change` and `rejected`: why (the reader sees it)")),
                )
                .property(
                    "versions",
                    ObjectBuilder::new()
                        .schema_type(Type::Object)
                        .additional_properties(Some(
                            ObjectBuilder::new().schema_type(Type::Integer).format(Some(int64())),
                        ))
                        .description(Some("Each ticket's version as listed, by id; without one, the current version")),
                )
                .required("ids")
                .required("action");
            for field in required {
                object = object.required(*field);
            }
            object
        };
        OneOfBuilder::new()
            .item(variant("assign", &[]))
            .item(variant("severity", &["severity"]))
            .item(variant("duplicate", &["duplicate_of", "reason"]))
            .item(variant("no_change", &["reason"]))
            .item(variant("rejected", &["reason"]))
            .description(Some("A bulk action: the tickets, the action, and what that action needs"))
            .into()
    }
}

/// Longest email address (RFC 5321's limit, as accounts have).
const EMAIL_MAX: usize = 254;

fn int64() -> SchemaFormat {
    SchemaFormat::KnownFormat(KnownFormat::Int64)
}

fn nullable(t: Type) -> SchemaType {
    SchemaType::from_iter([t, Type::Null])
}

/// What became of one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BulkResult {
    /// The ticket.
    pub id: i64,
    /// Whether it was changed.
    pub ok: bool,
    /// Why not, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Checks the request as a whole: tickets named, at most [`BULK_MAX`], what the action needs given.
fn check(request: &BulkRequest) -> Result<Vec<i64>, AppError> {
    let mut ids: Vec<i64> = Vec::new();
    for id in &request.ids {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    if ids.is_empty() {
        return Err(AppError::invalid("ids", "choose at least one report"));
    }
    if ids.len() > BULK_MAX {
        return Err(AppError::invalid("ids", format!("choose at most {BULK_MAX} reports at once")));
    }
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
    // What every ticket would refuse alike is refused once, for the whole request.
    if request.assignee_email.as_deref().is_some_and(|e| e.trim().chars().count() > EMAIL_MAX) {
        return Err(AppError::invalid("assignee_email", format!("is longer than {EMAIL_MAX} characters")));
    }
    if let Some(reason) = request.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        super::text::required_text("reason", reason, 1, super::workflow::REASON_MAX)
            .map_err(|e| AppError::Invalid(vec![e]))?;
    }
    if request.action == BulkAction::Severity {
        if let Some(raw) = request.severity.as_deref().filter(|s| !s.trim().is_empty()) {
            if super::reports::Severity::parse(raw.trim()).is_none() {
                return Err(AppError::invalid(
                    "severity",
                    format!("must be one of {}, not {raw:?}", super::reports::Severity::allowed()),
                ));
            }
        }
    }
    match request.action {
        BulkAction::Severity if blank(&request.severity) => Err(AppError::invalid("severity", "choose a severity")),
        BulkAction::Duplicate if request.duplicate_of.is_none() => {
            Err(AppError::invalid("duplicate_of", "give the number of the report the others repeat"))
        }
        BulkAction::Duplicate | BulkAction::NoChange | BulkAction::Rejected if blank(&request.reason) => {
            Err(AppError::invalid("reason", "give a reason: the reader sees it"))
        }
        _ => Ok(ids),
    }
}

/// Applies the action to every ticket, each in its own savepoint: what succeeds is kept, what
/// is refused (a stale version, a move the workflow does not allow) is reported and changes nothing.
pub fn apply(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &BulkRequest,
    targets: &Targets,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<Vec<BulkResult>, AppError> {
    if !actor.role.can_edit() {
        return Err(AppError::Forbidden("only editors may act on tickets".into()));
    }
    let ids = check(request)?;
    let mut results = Vec::with_capacity(ids.len());
    for id in ids {
        let version = match request.versions.get(&id.to_string()) {
            Some(v) => Some(*v),
            None => Report::find(conn, id)?.map(|r| r.version),
        };
        let outcome = match version {
            None => Err(AppError::NotFound(format!("no report has the number {id}"))),
            Some(version) => {
                let mut mine = Notices::default();
                let done = conn.transaction(|c| one(c, actor, request, id, version, targets, &mut mine, now));
                if done.is_ok() {
                    notices.extend(mine);
                }
                done
            }
        };
        results.push(match outcome {
            Ok(()) => BulkResult { id, ok: true, error: None },
            Err(AppError::Internal(e)) => return Err(AppError::Internal(e)),
            Err(e) => BulkResult { id, ok: false, error: Some(e.public_message()) },
        });
    }
    Ok(results)
}

/// The action on one ticket.
#[allow(clippy::too_many_arguments)]
fn one(
    conn: &mut DbConnection,
    actor: &Actor,
    request: &BulkRequest,
    id: i64,
    version: i64,
    targets: &Targets,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let to = match request.action {
        BulkAction::Assign => {
            workflow::assign(conn, id, actor, request.assignee_email.as_deref(), version, notices, now)?;
            return Ok(());
        }
        BulkAction::Severity => {
            let severity = request.severity.as_deref().unwrap_or_default();
            workflow::set_severity(conn, id, actor, severity, version, targets, notices, now)?;
            return Ok(());
        }
        BulkAction::Duplicate => "duplicate",
        BulkAction::NoChange => "no_change",
        BulkAction::Rejected => "rejected",
    };
    let mv = MoveRequest { to: to.into(), reason: request.reason.clone(), version, duplicate_of: request.duplicate_of };
    workflow::transition(conn, id, actor, &mv, notices, now).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(action: BulkAction) -> BulkRequest {
        BulkRequest {
            ids: vec![1, 2, 1],
            action,
            assignee_email: None,
            severity: None,
            duplicate_of: None,
            reason: None,
            versions: HashMap::new(),
        }
    }

    #[test]
    fn what_each_action_needs_is_asked_for_by_name() {
        assert_eq!(check(&request(BulkAction::Assign)).unwrap(), [1, 2], "repeats are one ticket");
        assert_eq!(check(&request(BulkAction::Severity)).unwrap_err().field(), Some("severity"));
        assert_eq!(check(&request(BulkAction::Duplicate)).unwrap_err().field(), Some("duplicate_of"));
        assert_eq!(check(&request(BulkAction::Rejected)).unwrap_err().field(), Some("reason"));
        let mut none = request(BulkAction::Assign);
        none.ids.clear();
        assert_eq!(check(&none).unwrap_err().field(), Some("ids"));
        let mut many = request(BulkAction::Assign);
        many.ids = (1..=101).collect();
        assert_eq!(check(&many).unwrap_err().field(), Some("ids"));
    }
}
