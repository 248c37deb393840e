//! The review workflow: the one table of allowed moves, and the function that makes a move.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::accounts::{Actor, Role};
use super::events::{self, EventData};
use super::ids::{CorrectionId, ReportId, UserId};
use super::notices::{self, CorrectionNote, Notice, Notices, StaffRef};
use super::reports::{Severity, Status, Targets};
use super::text::required_text;
use crate::db::models::{Event, Report, User};
use crate::db::schema::reports;
use crate::db::vocabulary::{ActorKind, EventKind};
use crate::db::DbConnection;
use crate::error::AppError;

/// Longest reason, question, reply or appeal, in characters.
pub const REASON_MAX: usize = 5000;

/// Who may make a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// Any editor (`editor` or `standards_editor`).
    Editor,
    /// Only a `standards_editor`.
    StandardsEditor,
    /// The reader, from the tracking page.
    Reader,
    /// Only publishing or approving a correction.
    Publishing,
    /// Only returning or withdrawing a correction that awaits approval.
    Unpublishing,
}

/// One allowed move.
#[derive(Debug, Clone, Copy)]
pub struct Move {
    /// The state the report is in.
    pub from: Status,
    /// The state it goes to.
    pub to: Status,
    /// Who may make it.
    pub by: Mover,
    /// Whether a reason must be given (for `needs_info` it is the question shown to the reader).
    pub reason: bool,
}

const fn mv(from: Status, to: Status, by: Mover, reason: bool) -> Move {
    Move { from, to, by, reason }
}

use Mover::{Editor, Publishing, Reader, StandardsEditor, Unpublishing};
use Status::{Appealed, AwaitingApproval, Corrected, Duplicate, InReview, NeedsInfo, New, NoChange, Rejected, Triaged};

/// Every allowed move. Anything not listed is refused with 409.
pub const MOVES: &[Move] = &[
    mv(New, Triaged, Editor, false),
    mv(New, InReview, Editor, false),
    mv(Triaged, InReview, Editor, false),
    mv(New, NeedsInfo, Editor, true),
    mv(Triaged, NeedsInfo, Editor, true),
    mv(InReview, NeedsInfo, Editor, true),
    mv(NeedsInfo, InReview, Reader, true),
    mv(NeedsInfo, InReview, Editor, false),
    mv(New, NoChange, Editor, true),
    mv(Triaged, NoChange, Editor, true),
    mv(InReview, NoChange, Editor, true),
    mv(NeedsInfo, NoChange, Editor, true),
    mv(New, Rejected, Editor, true),
    mv(Triaged, Rejected, Editor, true),
    mv(InReview, Rejected, Editor, true),
    mv(NeedsInfo, Rejected, Editor, true),
    mv(New, Duplicate, Editor, true),
    mv(Triaged, Duplicate, Editor, true),
    mv(InReview, Duplicate, Editor, true),
    mv(NeedsInfo, Duplicate, Editor, true),
    mv(Duplicate, InReview, StandardsEditor, true),
    mv(New, AwaitingApproval, Publishing, false),
    mv(Triaged, AwaitingApproval, Publishing, false),
    mv(InReview, AwaitingApproval, Publishing, false),
    mv(NeedsInfo, AwaitingApproval, Publishing, false),
    mv(New, Corrected, Publishing, false),
    mv(Triaged, Corrected, Publishing, false),
    mv(InReview, Corrected, Publishing, false),
    mv(NeedsInfo, Corrected, Publishing, false),
    mv(AwaitingApproval, Corrected, Publishing, false),
    mv(Duplicate, Corrected, Publishing, false),
    mv(AwaitingApproval, InReview, Unpublishing, true),
    mv(NoChange, Appealed, Reader, true),
    mv(Rejected, Appealed, Reader, true),
    mv(Appealed, InReview, StandardsEditor, true),
    mv(Appealed, NoChange, StandardsEditor, true),
    mv(Appealed, Rejected, StandardsEditor, true),
];

impl Mover {
    /// Whether a staff member with `role` is this mover.
    pub fn includes(self, role: Role) -> bool {
        match self {
            Editor => role.can_edit(),
            StandardsEditor => role == Role::StandardsEditor,
            Reader | Publishing | Unpublishing => false,
        }
    }
}

/// The moves a staff member with `role` may make from `from`, in table order.
pub fn moves_for(from: Status, role: Role) -> Vec<Move> {
    MOVES.iter().copied().filter(|m| m.from == from && m.by.includes(role)).collect()
}

/// Whether a correction may be drafted to resolve a report in `status` (one not yet decided).
pub fn can_draft(status: Status) -> bool {
    publishing_allows(status, AwaitingApproval)
}

/// Whether a status still needs the desk's attention (so its deadline counts).
pub fn is_open(status: Status) -> bool {
    matches!(status, New | Triaged | InReview | Appealed)
}

/// Whether a report is decided (its outcome shown instead of a deadline).
pub fn is_closed(status: Status) -> bool {
    matches!(status, Corrected | NoChange | Rejected | Duplicate)
}

impl Status {
    /// The status as the desk names it: from the desk's side, where the reader's label
    /// speaks to the reader ("Needs information from you" is, for staff, waiting for the reader).
    pub fn staff_label(self) -> &'static str {
        match self {
            NeedsInfo => "Waiting for the reader",
            other => other.label(),
        }
    }
}

/// Whether the reader's message for this move is public (shown on the tracking page).
fn public_reason(to: Status) -> bool {
    matches!(to, NeedsInfo | NoChange | Rejected | Appealed | InReview)
}

/// A staff member's request to move a report.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// The target status.
    #[schema(value_type = Status)]
    pub to: String,
    /// Why; required for `needs_info` (the question shown to the reader), `no_change`, `rejected`, `duplicate`, and appeal decisions.
    #[serde(default)]
    #[schema(max_length = 5000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub reason: Option<String>,
    /// The report's version as last read; a stale one is refused with 409.
    pub version: i64,
    /// For `duplicate`: the id of the primary report on the same article.
    #[serde(default)]
    pub duplicate_of: Option<i64>,
}

/// The statuses `moves` lead to, as staff read them.
fn status_list(moves: &[Move]) -> String {
    if moves.is_empty() {
        "none".to_owned()
    } else {
        moves.iter().map(|m| format!("\u{201c}{}\u{201d}", m.to.staff_label())).collect::<Vec<_>>().join(", ")
    }
}

/// Loads a report for a staff action, refusing auditors and stale versions.
pub fn load_for_change(
    conn: &mut DbConnection,
    id: i64,
    actor: &Actor,
    version: Option<i64>,
) -> Result<Report, AppError> {
    if !actor.role.can_edit() {
        return Err(AppError::Forbidden(format!(
            "an {} may read reports but not change them",
            actor.role.label().to_lowercase()
        )));
    }
    let report = Report::find(conn, id)?.ok_or_else(|| AppError::NotFound(format!("no report has the number {id}")))?;
    if let Some(version) = version {
        if version != report.version {
            return Err(stale(conn, &report)?);
        }
    }
    Ok(report)
}

/// The 409 for a stale version: who changed the report last, and when.
fn stale(conn: &mut DbConnection, report: &Report) -> Result<AppError, AppError> {
    let last = Event::latest_of(
        conn,
        report.id,
        &[
            EventKind::StatusChanged,
            EventKind::Assigned,
            EventKind::SeverityChanged,
            EventKind::DeskRouted,
            EventKind::ReaderReplied,
            EventKind::AppealFiled,
        ],
    )?;
    let who = match &last {
        Some((event, Some(name))) if event.actor_kind == ActorKind::User => name.clone(),
        Some((event, _)) if event.actor_kind == ActorKind::Reader => "the reader".to_owned(),
        _ => "someone else".to_owned(),
    };
    let when = last.map_or(report.updated_at, |(e, _)| e.created_at).format("%Y-%m-%d %H:%M:%S UTC");
    Ok(AppError::Conflict(format!(
        "report #{} was changed by {who} at {when} (now version {}): reload it and try again",
        report.id, report.version
    )))
}

/// Writes `changes` with the version check that makes concurrent moves safe: one wins, the other gets 409.
fn bump(
    conn: &mut DbConnection,
    report: &Report,
    now: NaiveDateTime,
    status: Status,
    duplicate_of: Option<i64>,
) -> Result<(), AppError> {
    // The figures time the first decision and the correction: later moves (an appeal decided
    // again, a duplicate reopened) keep the first times.
    let decided_at = report.decided_at.or_else(|| is_closed(status).then_some(now));
    let corrected_at = report.corrected_at.or_else(|| (status == Corrected).then_some(now));
    let updated = diesel::update(reports::table.find(report.id).filter(reports::version.eq(report.version)))
        .set((
            reports::status.eq(status),
            reports::decided_at.eq(decided_at),
            reports::corrected_at.eq(corrected_at),
            reports::duplicate_of.eq(duplicate_of),
            reports::version.eq(report.version + 1),
            reports::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 1 {
        Ok(())
    } else {
        let current = Report::find(conn, report.id)?.unwrap_or_else(|| report.clone());
        Err(stale(conn, &current)?)
    }
}

/// Bumps the version for a change that is not a move (assignment, severity, desk), with the same check.
pub fn bump_version(conn: &mut DbConnection, report: &Report, now: NaiveDateTime) -> Result<(), AppError> {
    bump(conn, report, now, report.status, report.duplicate_of)
}

/// Makes a staff member's move (run inside a write transaction).
pub fn transition(
    conn: &mut DbConnection,
    id: i64,
    actor: &Actor,
    request: &MoveRequest,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<Report, AppError> {
    let to = Status::parse(request.to.trim()).ok_or_else(|| {
        AppError::invalid("to", format!("must be one of {}, not {:?}", Status::allowed(), request.to))
    })?;
    let report = load_for_change(conn, id, actor, Some(request.version))?;
    let from = report.status;
    let allowed = moves_for(from, actor.role);
    let Some(step) = allowed.iter().find(|m| m.to == to) else {
        let candidates: Vec<&Move> = MOVES.iter().filter(|m| m.from == from && m.to == to).collect();
        let reached_by = |mover: Mover| MOVES.iter().filter(|m| m.to == to).all(|m| m.by == mover);
        if candidates.iter().any(|m| m.by == StandardsEditor) {
            return Err(AppError::Forbidden(format!(
                "only a standards editor may move a report from \u{201c}{}\u{201d} to \u{201c}{}\u{201d}",
                from.staff_label(),
                to.staff_label()
            )));
        }
        let how = if reached_by(Publishing) {
            " (that status is reached only by publishing a correction)"
        } else if reached_by(Reader) {
            " (only the reader can do that, from the tracking page)"
        } else {
            ""
        };
        return Err(AppError::Conflict(format!(
            "report #{id} cannot go from \u{201c}{}\u{201d} to \u{201c}{}\u{201d}{how}; allowed now: {}",
            from.staff_label(),
            to.staff_label(),
            status_list(&allowed)
        )));
    };
    let reason = match request.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(required_text("reason", r, 1, REASON_MAX).map_err(|e| AppError::Invalid(vec![e]))?),
        None if step.reason => {
            let what = match to {
                NeedsInfo => "give the question for the reader",
                InReview if from == Duplicate => "say why this report is not a duplicate",
                _ => "say why, in words the reader will read",
            };
            return Err(AppError::invalid("reason", format!("is required: {what}")));
        }
        None => None,
    };
    let duplicate_of = if to == Duplicate { Some(primary_for(conn, &report, request.duplicate_of)?) } else { None };
    bump(conn, &report, now, to, duplicate_of)?;
    if let Some(primary) = duplicate_of {
        // No chains: reports that pointed at this one now point at its primary.
        for dup in Report::duplicates_of(conn, report.id)? {
            diesel::update(reports::table.find(dup.id)).set(reports::duplicate_of.eq(primary)).execute(conn)?;
        }
    }
    // The reader reads it on their tracking page, the target of any tracking link in it.
    let message = reason.as_deref().filter(|_| public_reason(to)).map(super::responses::on_tracking_page);
    let data = EventData::StatusChanged {
        from,
        to,
        reason: reason.clone(),
        public_message: message,
        duplicate_of: duplicate_of.map(ReportId),
        correction_id: None,
    };
    events::record(conn, Some(report.id), Some(actor), true, &data, now)?;
    notices.push(status_changed(&report, to, None));
    let moved = Report::find(conn, id)?.unwrap_or(report);
    tell_reader(conn, notices, &moved, from, to, reason, now)?;
    Ok(moved)
}

/// What the reader hears of a staff move, when anything.
fn tell_reader(
    conn: &mut DbConnection,
    notices: &mut Notices,
    report: &Report,
    from: Status,
    to: Status,
    reason: Option<String>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let appeal = from == Appealed;
    let decided = match to {
        NeedsInfo => {
            let reader = notices::reader_of(conn, report, now)?;
            let question = reason.unwrap_or_default();
            notices.push(Notice::QuestionAsked { report_id: ReportId(report.id), question, reader });
            return Ok(());
        }
        NoChange | Rejected => true,
        InReview => appeal,
        // The reader hears of a duplicate only when the error was already corrected.
        Duplicate => match report.duplicate_of {
            Some(p) => Report::find(conn, p)?.is_some_and(|p| p.status == Corrected),
            None => false,
        },
        _ => false,
    };
    if decided {
        let reader = notices::reader_of(conn, report, now)?;
        notices.push(Notice::Decided { report_id: ReportId(report.id), to, reason, appeal, correction: None, reader });
    }
    Ok(())
}

/// Whether publishing (or drafting for approval) may move a report in `from` to `to`.
pub fn publishing_allows(from: Status, to: Status) -> bool {
    MOVES.iter().any(|m| m.from == from && m.to == to && m.by == Publishing)
}

/// A move made by publishing or approving correction `correction_id`; duplicates of a corrected report follow it.
pub fn publishing_move(
    conn: &mut DbConnection,
    report: &Report,
    to: Status,
    actor: &Actor,
    correction: &CorrectionNote,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let from = report.status;
    if !publishing_allows(from, to) {
        return Err(AppError::Conflict(format!(
            "report #{} is \u{201c}{}\u{201d} and cannot be resolved by a correction",
            report.id,
            from.staff_label()
        )));
    }
    bump(conn, report, now, to, report.duplicate_of)?;
    let data = EventData::StatusChanged {
        from,
        to,
        reason: None,
        public_message: None,
        duplicate_of: None,
        correction_id: Some(correction.id),
    };
    events::record(conn, Some(report.id), Some(actor), true, &data, now)?;
    notices.push(status_changed(report, to, Some(correction.id)));
    if to == Corrected {
        let reader = notices::reader_of(conn, report, now)?;
        notices.push(Notice::Decided {
            report_id: ReportId(report.id),
            to: Corrected,
            reason: None,
            appeal: false,
            correction: Some(correction.clone()),
            reader,
        });
        for dup in Report::duplicates_of(conn, report.id)? {
            if dup.status == Duplicate {
                publishing_move(conn, &dup, Corrected, actor, correction, notices, now)?;
            }
        }
    }
    Ok(())
}

/// A report goes back to review because the correction it waited on was returned or withdrawn.
pub fn unpublishing_move(
    conn: &mut DbConnection,
    report: &Report,
    actor: &Actor,
    correction: &CorrectionNote,
    reason: &str,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let from = report.status;
    let Some(step) = MOVES.iter().find(|m| m.from == from && m.by == Unpublishing) else {
        return Err(AppError::Conflict(format!(
            "report #{} is {} and is not waiting on a correction",
            report.id,
            from.label().to_lowercase()
        )));
    };
    bump(conn, report, now, step.to, report.duplicate_of)?;
    let data = EventData::StatusChanged {
        from,
        to: step.to,
        reason: Some(reason.to_owned()),
        public_message: None,
        duplicate_of: None,
        correction_id: Some(correction.id),
    };
    events::record(conn, Some(report.id), Some(actor), true, &data, now)?;
    notices.push(status_changed(report, step.to, Some(correction.id)));
    Ok(())
}

/// The notice of a report's move from its stored status to `to`.
fn status_changed(report: &Report, to: Status, correction_id: Option<CorrectionId>) -> Notice {
    Notice::StatusChanged {
        report_id: ReportId(report.id),
        article_id: report.article_id.clone(),
        from: report.status,
        to,
        correction_id,
    }
}

/// Checks the primary report for a duplicate move and returns its id.
fn primary_for(conn: &mut DbConnection, report: &Report, primary: Option<i64>) -> Result<i64, AppError> {
    let field = "duplicate_of";
    let primary = primary
        .ok_or_else(|| AppError::invalid(field, "is required: give the number of the report this one duplicates"))?;
    if primary == report.id {
        return Err(AppError::invalid(field, "cannot be the report itself"));
    }
    let target = Report::find(conn, primary)?
        .ok_or_else(|| AppError::invalid(field, format!("no report has the number {primary}")))?;
    if target.article_id != report.article_id {
        return Err(AppError::invalid(
            field,
            format!("report #{primary} is about another article; duplicates must be on the same article"),
        ));
    }
    if let Some(root) = target.duplicate_of {
        return Err(AppError::invalid(
            field,
            format!("report #{primary} is itself a duplicate of #{root}: point at #{root}"),
        ));
    }
    Ok(primary)
}

/// A reader's move from the tracking page: answering a question or appealing.
fn reader_move(
    conn: &mut DbConnection,
    report: &Report,
    to: Status,
    field: &str,
    text: &str,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let text = required_text(field, text, 1, REASON_MAX).map_err(|e| AppError::Invalid(vec![e]))?;
    let from = report.status;
    if !MOVES.iter().any(|m| m.from == from && m.to == to && m.by == Reader) {
        return Err(AppError::Conflict(match to {
            InReview => "there is no open question on this report to answer".to_owned(),
            _ => format!(
                "only a decision to make no change or to reject a report can be appealed; this report is \u{201c}{}\u{201d}",
                from.label()
            ),
        }));
    }
    bump(conn, report, now, to, report.duplicate_of)?;
    // The queue marks the ticket until an editor opens it.
    diesel::update(reports::table.find(report.id)).set(reports::reader_replied_at.eq(now)).execute(conn)?;
    let (report_id, assignee_id) = (ReportId(report.id), report.assignee_id.map(UserId));
    let (data, notice) = if to == Appealed {
        (EventData::AppealFiled { from, to, public_message: text }, Notice::AppealFiled { report_id, assignee_id })
    } else {
        (EventData::ReaderReplied { from, to, public_message: text }, Notice::ReaderAnswered { report_id, assignee_id })
    };
    events::record(conn, Some(report.id), None, true, &data, now)?;
    notices.push(status_changed(report, to, None));
    notices.push(notice);
    Ok(())
}

/// The reader answers an open question: the report goes back to `in_review`.
pub fn reply(
    conn: &mut DbConnection,
    report: &Report,
    body: &str,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    reader_move(conn, report, InReview, "body", body, notices, now)
}

/// The reader appeals a `no_change` or `rejected` decision, once.
pub fn appeal(
    conn: &mut DbConnection,
    report: &Report,
    reason: &str,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if Event::latest_of(conn, report.id, &[EventKind::AppealFiled])?.is_some() {
        return Err(AppError::Conflict("this decision was already appealed once; an appeal cannot be repeated".into()));
    }
    reader_move(conn, report, Appealed, "reason", reason, notices, now)
}

/// Assigns the report to an editor, or unassigns it when `email` is blank.
pub fn assign(
    conn: &mut DbConnection,
    id: i64,
    actor: &Actor,
    email: Option<&str>,
    version: i64,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<Report, AppError> {
    let report = load_for_change(conn, id, actor, Some(version))?;
    let assignee = match email.map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(email) => {
            let user = User::by_email(conn, email)?.filter(|u| !u.disabled && u.role.can_edit()).ok_or_else(|| {
                AppError::invalid("assignee_email", format!("no active editor has the email {email:?}"))
            })?;
            Some(user)
        }
    };
    bump_version(conn, &report, now)?;
    diesel::update(reports::table.find(id))
        .set(reports::assignee_id.eq(assignee.as_ref().map(|u| u.id)))
        .execute(conn)?;
    let data = EventData::Assigned {
        assignee_id: assignee.as_ref().map(|u| UserId(u.id)),
        assignee_name: assignee.as_ref().map(|u| u.name.clone()),
    };
    events::record(conn, Some(id), Some(actor), false, &data, now)?;
    let assigned = Report::find(conn, id)?.unwrap_or(report);
    // Nobody needs telling that they took a ticket themselves.
    if let Some(user) = assignee.filter(|u| u.id != actor.id) {
        notices.push(Notice::Assigned {
            report_id: ReportId(id),
            quote: assigned.quote.clone(),
            deadline_at: assigned.deadline_at,
            assignee: StaffRef { id: UserId(user.id), email: user.email, name: user.name },
            by: Some(StaffRef { id: UserId(actor.id), email: actor.email.clone(), name: actor.name.clone() }),
            desk: None,
        });
    }
    Ok(assigned)
}

/// Changes the severity; the deadline is recomputed from the filing time. Making a report
/// urgent (high or legal, from anything less) is a notice: chat alerts tell the desk.
#[allow(clippy::too_many_arguments)]
pub fn set_severity(
    conn: &mut DbConnection,
    id: i64,
    actor: &Actor,
    severity: &str,
    version: i64,
    targets: &Targets,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<Report, AppError> {
    let severity = super::reports::Severity::parse(severity.trim()).ok_or_else(|| {
        AppError::invalid(
            "severity",
            format!("must be one of {}, not {severity:?}", super::reports::Severity::allowed()),
        )
    })?;
    let report = load_for_change(conn, id, actor, Some(version))?;
    bump_version(conn, &report, now)?;
    diesel::update(reports::table.find(id))
        .set((
            reports::severity.eq(severity),
            reports::severity_rank.eq(severity.rank()),
            reports::deadline_at.eq(report.created_at + targets.of(severity)),
        ))
        .execute(conn)?;
    let data = EventData::SeverityChanged { from: report.severity, to: severity };
    events::record(conn, Some(id), Some(actor), false, &data, now)?;
    let changed = Report::find(conn, id)?.unwrap_or(report.clone());
    // Rank 0 is legal, 1 high: urgent is a rank of 1 or less, raised is a lower rank than before.
    if severity.rank() <= Severity::High.rank() && severity.rank() < report.severity.rank() {
        notices.push(Notice::SeverityRaised {
            report_id: ReportId(id),
            article_title: super::articles::get(conn, &report.article_id)?.title,
            article_id: report.article_id.clone(),
            from: report.severity,
            to: severity,
            deadline_at: changed.deadline_at,
            by: StaffRef { id: UserId(actor.id), email: actor.email.clone(), name: actor.name.clone() },
        });
    }
    // Desks' rules read the severity: the report may belong to another desk now.
    if severity != report.severity
        && super::routing::reroute(conn, id, &format!("its severity changed to {severity}"), notices, now)?.is_some()
    {
        return Ok(Report::find(conn, id)?.unwrap_or(changed));
    }
    Ok(changed)
}

/// Adds an internal note (never public; does not change the version).
pub fn add_note(
    conn: &mut DbConnection,
    id: i64,
    actor: &Actor,
    body: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let body = required_text("body", body, 1, REASON_MAX).map_err(|e| AppError::Invalid(vec![e]))?;
    load_for_change(conn, id, actor, None)?;
    events::record(conn, Some(id), Some(actor), false, &EventData::Note { body }, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_move_is_unique_per_mover() {
        for (i, a) in MOVES.iter().enumerate() {
            for b in &MOVES[i + 1..] {
                assert!(!(a.from == b.from && a.to == b.to && a.by == b.by), "{a:?} listed twice");
            }
        }
    }

    #[test]
    fn reasons_are_required_where_the_design_says() {
        for m in MOVES {
            if matches!(m.to, NoChange | Rejected | Duplicate | NeedsInfo | Appealed) {
                assert!(m.reason, "{m:?} needs a reason");
            }
        }
    }

    #[test]
    fn only_publishing_reaches_corrected_and_approval() {
        for m in MOVES.iter().filter(|m| matches!(m.to, Corrected | AwaitingApproval)) {
            assert_eq!(m.by, Publishing);
        }
    }

    #[test]
    fn only_returning_or_withdrawing_leaves_approval() {
        let out: Vec<&Move> = MOVES.iter().filter(|m| m.from == AwaitingApproval).collect();
        assert!(out.iter().all(|m| matches!(m.by, Publishing | Unpublishing)));
        assert!(out.iter().any(|m| m.to == InReview && m.by == Unpublishing && m.reason));
        assert!(moves_for(AwaitingApproval, Role::StandardsEditor).is_empty(), "not a ticket move");
    }

    #[test]
    fn auditors_have_no_moves_and_editors_cannot_decide_appeals() {
        for s in Status::ALL {
            assert!(moves_for(*s, Role::Auditor).is_empty());
        }
        assert!(moves_for(Appealed, Role::Editor).is_empty());
        assert_eq!(moves_for(Appealed, Role::StandardsEditor).len(), 3);
    }
}
