//! Publishing corrections: drafting, approval, supersession, and the public views of them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::{Actor, Role};
use super::articles;
use super::channels::{self, ChecklistItem};
use super::events::{self, CorrectionReason, CorrectionRef, EventData};
use super::filters::{self, Cursor};
use super::ids::{CorrectionId, UserId};
use super::log;
use super::notices::{CorrectionNote, Notice, Notices, StaffRef};
use super::quote;
use super::reports::Status;
use super::text::required_text;
use super::wordings;
use super::workflow::{self, REASON_MAX};
use crate::db::models::{Article, Correction, Event, LogEntry, NewCorrection, Report, StaffMember, Standard};
use crate::db::schema::{articles as art, correction_standards, corrections, events as ev, standards};
use crate::db::vocabulary::EventKind;
use crate::db::{lock_counters, DbConnection, MultiBackend};
use crate::error::{AppError, FieldError};

pub use crate::db::vocabulary::{Cause, CorrectionStatus, Found, Kind};

/// Longest public text, original or corrected passage, in characters.
pub const TEXT_MAX: usize = 5000;
/// Shortest public text: a correction must say what was wrong and what is right.
pub const TEXT_MIN: usize = 10;

/// A correction as an editor sends it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    /// The corrected article.
    #[schema(min_length = 1)]
    pub article_id: String,
    /// correction, clarification, update, editors_note or retraction.
    #[schema(value_type = Kind)]
    pub kind: String,
    /// The public text: what was wrong and what is right.
    #[schema(
        min_length = 10,
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]{8,}[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub text: String,
    /// The passage as published, optional.
    #[serde(default)]
    #[schema(max_length = 5000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub original: Option<String>,
    /// The passage as corrected, optional.
    #[serde(default)]
    #[schema(max_length = 5000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub corrected: Option<String>,
    /// Whether it corrects the headline (then a second standards editor must approve it).
    #[serde(default)]
    pub headline: bool,
    /// Codes of the standards breached.
    #[serde(default)]
    pub standards: Vec<String>,
    /// Reports this correction resolves (moved to `corrected`, with their duplicates).
    #[serde(default)]
    pub report_ids: Vec<i64>,
    /// An earlier published correction on the same article that this one amends.
    #[serde(default)]
    pub supersedes: Option<i64>,
    /// A correction of the same article returned to its author, which this one drafts again.
    #[serde(default)]
    pub redrafts: Option<i64>,
    /// What caused the error: reporting, editing, source, production or other (the default).
    /// Staff only: never in the public log or the public API.
    #[serde(default)]
    #[schema(value_type = Option<Cause>)]
    pub cause: Option<String>,
    /// How the error was found: reader_report, staff, subject or other_outlet. Default:
    /// reader_report when the correction resolves a report, else staff. Staff only.
    #[serde(default)]
    #[schema(value_type = Option<Found>)]
    pub found: Option<String>,
    /// Ids of the distribution channels the erroneous version went to (see `/api/v1/desk/channels`):
    /// each becomes an item of the correction's checklist. Staff only.
    #[serde(default)]
    pub channels: Vec<i64>,
}

/// A standard as a correction cites it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StandardCite {
    /// The standard's code.
    pub code: String,
    /// Its title at that version.
    pub title: String,
    /// The version the correction was judged against.
    pub version: i32,
}

/// A correction as the API and pages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CorrectionView {
    /// Its number.
    pub id: i64,
    /// The corrected article.
    pub article_id: String,
    /// Its kind.
    pub kind: Kind,
    /// The public text.
    pub text: String,
    /// The passage as published.
    pub original: Option<String>,
    /// The passage as corrected.
    pub corrected: Option<String>,
    /// Whether it corrects the headline.
    pub headline: bool,
    /// Standards cited, with the version judged against.
    pub standards: Vec<StandardCite>,
    /// `published`; `pending` while awaiting approval; `returned` or `withdrawn` when stopped before publication.
    pub status: CorrectionStatus,
    /// Publication time (RFC 3339, UTC), once published.
    #[serde(serialize_with = "crate::domain::time::rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<DateTime<Utc>>,
    /// The correction this one amends.
    pub supersedes: Option<i64>,
    /// The correction that amends this one.
    pub superseded_by: Option<i64>,
    /// Its public log entry's index, once published.
    pub log_index: Option<i64>,
    /// Its public log entry's hash (hex), once published.
    pub hash: Option<String>,
}

/// A correction as the desk sees it: the public view with what only staff see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffCorrection {
    /// The correction as the public sees it.
    #[serde(flatten)]
    pub correction: CorrectionView,
    /// What caused the error.
    pub cause: Cause,
    /// How the error was found.
    pub found: Found,
    /// The channels its error went to, and whether the correction reached each.
    pub channels: Vec<ChecklistItem>,
}

/// One correction as the desk sees it.
pub fn staff_view(conn: &mut DbConnection, id: i64) -> Result<StaffCorrection, AppError> {
    let row =
        Correction::find(conn, id)?.ok_or_else(|| AppError::NotFound(format!("no correction has the number {id}")))?;
    let (cause, found) = (row.cause, row.found);
    let correction = views(conn, vec![row])?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("no correction has the number {id}")))?;
    let channels = channels::checklist(conn, id)?;
    Ok(StaffCorrection { correction, cause, found, channels })
}

impl CorrectionView {
    /// Whether it goes above the article (retractions and headline corrections) rather than at its foot.
    pub fn on_top(&self) -> bool {
        self.kind == Kind::Retraction || self.headline
    }
}

/// Standards, superseders and log entries of `rows`, joined into views (one query each).
fn views(conn: &mut DbConnection, rows: Vec<Correction>) -> Result<Vec<CorrectionView>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let mut cited: HashMap<i64, Vec<StandardCite>> = HashMap::new();
    for (cid, s) in Standard::cited_by(conn, &ids)? {
        cited.entry(cid).or_default().push(StandardCite { code: s.code, title: s.title, version: s.version });
    }
    let superseded: HashMap<i64, i64> =
        Correction::superseders(conn, &ids)?.into_iter().filter_map(|(old, new)| old.map(|o| (o, new))).collect();
    let entries: HashMap<i64, LogEntry> = crate::db::schema::log_entries::table
        .filter(crate::db::schema::log_entries::correction_id.eq_any(&ids))
        .select(LogEntry::as_select())
        .load(conn)?
        .into_iter()
        .map(|e| (e.correction_id, e))
        .collect();
    Ok(rows
        .into_iter()
        .map(|c| CorrectionView {
            standards: cited.remove(&c.id).unwrap_or_default(),
            superseded_by: superseded.get(&c.id).copied(),
            log_index: entries.get(&c.id).map(|e| e.idx),
            hash: entries.get(&c.id).map(|e| e.hash.clone()),
            kind: c.kind,
            published_at: c.published_at.map(|t| t.and_utc()),
            id: c.id,
            article_id: c.article_id,
            text: c.body,
            original: c.original,
            corrected: c.corrected,
            headline: c.headline,
            status: c.status,
            supersedes: c.supersedes,
        })
        .collect())
}

/// One correction as a view.
pub fn view(conn: &mut DbConnection, id: i64) -> Result<CorrectionView, AppError> {
    let row =
        Correction::find(conn, id)?.ok_or_else(|| AppError::NotFound(format!("no correction has the number {id}")))?;
    views(conn, vec![row])?.pop().ok_or_else(|| AppError::NotFound(format!("no correction has the number {id}")))
}

fn optional_passage(field: &str, value: Option<&str>) -> Result<Option<String>, FieldError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => required_text(field, v, 1, TEXT_MAX).map(Some),
    }
}

/// Why a correction that needs approval cannot be drafted when nobody else could approve it.
pub const NO_APPROVER: &str = "no other standards editor could approve it: retractions and headline corrections \
need a second standards editor. Ask an administrator to add one (corrigenda user add --role standards_editor) \
or to give a colleague that role (corrigenda user set-role --role standards_editor), then draft it again";

/// Whether an active standards editor other than `actor` exists to approve what `actor` drafts.
fn another_approver(conn: &mut DbConnection, actor: &Actor) -> Result<bool, AppError> {
    Ok(super::accounts::active_with_role(conn, Role::StandardsEditor)?.iter().any(|u| u.id != actor.id))
}

/// The original passage exactly as the article has it, when the article's text is known.
///
/// Matching forgives typography as readers' quotes do; an ellipsis stands for the words between.
fn as_published(original: Option<String>, body: Option<&str>) -> Result<Option<String>, FieldError> {
    match (original, body) {
        (Some(o), Some(body)) => match quote::span(&o, body) {
            Some(range) => Ok(Some(body[range].to_owned())),
            None => Err(FieldError::new(
                "original",
                "does not appear in the article's text: copy the passage exactly as it appears (spacing, quotation \
                 marks and dashes may differ; use ... for words left out), or leave it empty",
            )),
        },
        (o, _) => Ok(o),
    }
}

/// A correction that passed every check, ready to publish or preview.
struct Checked {
    article: Article,
    kind: Kind,
    text: String,
    original: Option<String>,
    corrected: Option<String>,
    cited: Vec<Standard>,
    reports: Vec<Report>,
    needs_approval: bool,
    cause: Cause,
    found: Found,
    /// The channels ticked, checked and without repeats.
    ticked: Vec<i64>,
}

/// Every check of a correction, without writing anything.
fn check(conn: &mut DbConnection, actor: &Actor, input: &CorrectionInput) -> Result<Checked, AppError> {
    if !actor.role.can_edit() {
        return Err(AppError::Forbidden(format!("an {} may read but not publish", actor.role.label().to_lowercase())));
    }
    let article = articles::get(conn, input.article_id.trim())?;
    let mut errors = Vec::new();
    let kind = Kind::parse(input.kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new("kind", format!("must be one of {}, not {:?}", Kind::allowed(), input.kind)));
    }
    let blanks = wordings::blanks(conn)?;
    let text = required_text("text", &input.text, TEXT_MIN, TEXT_MAX)
        .and_then(|t| wordings::no_blanks_left(&t, &blanks).map(|()| t))
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let original = optional_passage("original", input.original.as_deref())
        .and_then(|o| as_published(o, article.body.as_deref()))
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let corrected =
        optional_passage("corrected", input.corrected.as_deref()).map_err(|e| errors.push(e)).unwrap_or_default();
    let mut cited: Vec<Standard> = Vec::new();
    for code in &input.standards {
        match Standard::current(conn, code.trim())? {
            Some(s) if !cited.iter().any(|c| c.id == s.id) => cited.push(s),
            Some(_) => {}
            None => errors.push(FieldError::new("standards", format!("{code:?} is not a standard in the catalogue"))),
        }
    }
    if let Some(old) = input.supersedes {
        match Correction::find(conn, old)? {
            Some(c) if c.article_id == article.id && c.status == CorrectionStatus::Published => {
                if let Some((_, by)) = Correction::superseders(conn, &[old])?.first() {
                    errors.push(FieldError::new(
                        "supersedes",
                        format!("correction #{old} is already amended by #{by}: amend #{by} instead"),
                    ));
                }
            }
            _ => errors.push(FieldError::new("supersedes", format!("no published correction #{old} on this article"))),
        }
    }
    if let Some(old) = input.redrafts {
        match Correction::find(conn, old)? {
            Some(c) if c.article_id == article.id && c.status == CorrectionStatus::Returned => {
                if let Some(by) = Correction::redrafted_by(conn, old)? {
                    errors.push(FieldError::new(
                        "redrafts",
                        format!("correction #{old} was already drafted again as #{by}"),
                    ));
                }
            }
            _ => errors.push(FieldError::new(
                "redrafts",
                format!("no correction #{old} of this article was returned to its author"),
            )),
        }
    }
    let mut reports: Vec<Report> = Vec::new();
    for id in &input.report_ids {
        match Report::find(conn, *id)? {
            Some(r) if r.article_id == article.id => {
                if !reports.iter().any(|x| x.id == r.id) {
                    reports.push(r);
                }
            }
            _ => errors.push(FieldError::new("report_ids", format!("no report #{id} on this article"))),
        }
    }
    let cause = match input.cause.as_deref().map(str::trim) {
        None => Some(Cause::Other),
        Some(raw) => Cause::parse(raw).or_else(|| {
            errors.push(FieldError::new("cause", format!("must be one of {}, not {raw:?}", Cause::allowed())));
            None
        }),
    };
    // A correction that resolves a reader's report was found by that reader, unless the editor says otherwise.
    let found = match input.found.as_deref().map(str::trim) {
        None if input.report_ids.is_empty() => Some(Found::Staff),
        None => Some(Found::ReaderReport),
        Some(raw) => Found::parse(raw).or_else(|| {
            errors.push(FieldError::new("found", format!("must be one of {}, not {raw:?}", Found::allowed())));
            None
        }),
    };
    let ticked = match channels::check_ticks(conn, &input.channels) {
        Ok(ids) => ids,
        Err(AppError::Invalid(e)) => {
            errors.extend(e);
            Vec::new()
        }
        Err(other) => return Err(other),
    };
    let (Some(kind), Some(cause), Some(found)) = (kind, cause, found) else { return Err(AppError::Invalid(errors)) };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let needs_approval = kind == Kind::Retraction || input.headline;
    if needs_approval && !another_approver(conn, actor)? {
        return Err(AppError::Conflict(NO_APPROVER.into()));
    }
    let target = if needs_approval { Status::AwaitingApproval } else { Status::Corrected };
    for r in &reports {
        let from = r.status;
        if !workflow::publishing_allows(from, target) {
            return Err(AppError::Conflict(format!(
                "report #{} is \u{201c}{}\u{201d}: a closed or pending ticket cannot be resolved by a new correction",
                r.id,
                from.staff_label()
            )));
        }
    }
    Ok(Checked { article, kind, text, original, corrected, cited, reports, needs_approval, cause, found, ticked })
}

/// The correction as it would be published, for the editor's preview; nothing is written.
pub fn preview(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &CorrectionInput,
    now: NaiveDateTime,
) -> Result<(CorrectionView, bool), AppError> {
    let c = check(conn, actor, input)?;
    let view = CorrectionView {
        id: 0,
        article_id: c.article.id,
        kind: c.kind,
        text: c.text,
        original: c.original,
        corrected: c.corrected,
        headline: input.headline,
        standards: c
            .cited
            .into_iter()
            .map(|s| StandardCite { code: s.code, title: s.title, version: s.version })
            .collect(),
        status: if c.needs_approval { CorrectionStatus::Pending } else { CorrectionStatus::Published },
        published_at: Some(now.and_utc()),
        supersedes: input.supersedes,
        superseded_by: None,
        log_index: None,
        hash: None,
    };
    Ok((view, c.needs_approval))
}

/// Checks everything and publishes the correction, or holds it for approval; returns it as published or pending.
pub fn publish(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &CorrectionInput,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<CorrectionView, AppError> {
    let Checked { article, kind, text, original, corrected, cited, reports, needs_approval, cause, found, ticked } =
        check(conn, actor, input)?;
    let target = if needs_approval { Status::AwaitingApproval } else { Status::Corrected };
    let status = if needs_approval { CorrectionStatus::Pending } else { CorrectionStatus::Published };
    lock_counters(conn)?;
    let id = Correction::insert(
        conn,
        &NewCorrection {
            article_id: &article.id,
            kind,
            body: &text,
            original: original.as_deref(),
            corrected: corrected.as_deref(),
            headline: input.headline,
            supersedes: input.supersedes,
            status,
            created_by: actor.id,
            created_at: now,
            published_by: (!needs_approval).then_some(actor.id),
            published_at: (!needs_approval).then_some(now),
            redrafts: input.redrafts,
            cause,
            found,
        },
        &cited.iter().map(|s| s.id).collect::<Vec<_>>(),
        &reports.iter().map(|r| r.id).collect::<Vec<_>>(),
    )?;
    // The checklist is there before the publication's notice, whose consumers read it.
    channels::attach(conn, id, &ticked)?;
    let note =
        CorrectionNote { id: CorrectionId(id), article_id: article.id, article_title: article.title, kind, text };
    for r in &reports {
        workflow::publishing_move(conn, r, target, actor, &note, notices, now)?;
    }
    let row = Correction::find(conn, id)?.ok_or_else(|| AppError::NotFound("the new correction vanished".into()))?;
    if needs_approval {
        record(conn, actor, EventData::CorrectionDrafted(reference(&row)), now)?;
        let author = StaffRef { id: UserId(actor.id), email: actor.email.clone(), name: actor.name.clone() };
        notices.push(Notice::CorrectionPending { correction: note, author });
    } else {
        log::append(conn, &row, &cited, now)?;
        record(conn, actor, EventData::CorrectionPublished(reference(&row)), now)?;
        notices.push(Notice::CorrectionPublished { correction: note });
    }
    view(conn, id)
}

/// A correction's own event (not tied to one report), for the audit trail.
fn record(conn: &mut DbConnection, actor: &Actor, data: EventData, now: NaiveDateTime) -> Result<(), AppError> {
    events::record(conn, None, Some(actor), false, &data, now)
}

/// How correction events name a correction.
fn reference(c: &Correction) -> CorrectionRef {
    CorrectionRef { correction_id: CorrectionId(c.id), article_id: c.article_id.clone(), kind: c.kind }
}

/// A standards editor other than the author approves a pending correction, which publishes it.
pub fn approve(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<CorrectionView, AppError> {
    if actor.role != Role::StandardsEditor {
        return Err(AppError::Forbidden("only a standards editor may approve a correction".into()));
    }
    let c =
        Correction::find(conn, id)?.ok_or_else(|| AppError::NotFound(format!("no correction has the number {id}")))?;
    if c.status != CorrectionStatus::Pending {
        return Err(not_pending(&c));
    }
    if c.created_by == actor.id {
        return Err(AppError::Forbidden(
            "you drafted this correction; another standards editor must approve it".into(),
        ));
    }
    lock_counters(conn)?;
    if !Correction::publish(conn, id, actor.id, now)? {
        return Err(AppError::Conflict(format!("correction #{id} was approved by someone else just now")));
    }
    let published = Correction::find(conn, id)?.ok_or_else(|| AppError::NotFound("the correction vanished".into()))?;
    let cited: Vec<Standard> = Standard::cited_by(conn, &[id])?.into_iter().map(|(_, s)| s).collect();
    log::append(conn, &published, &cited, now)?;
    let article = articles::get(conn, &published.article_id)?;
    let note = CorrectionNote {
        id: CorrectionId(id),
        article_id: article.id,
        article_title: article.title,
        kind: published.kind,
        text: published.body.clone(),
    };
    for report_id in Correction::report_ids(conn, id)? {
        if let Some(r) = Report::find(conn, report_id)? {
            workflow::publishing_move(conn, &r, Status::Corrected, actor, &note, notices, now)?;
        }
    }
    record(conn, actor, EventData::CorrectionApproved(reference(&published)), now)?;
    notices.push(Notice::CorrectionPublished { correction: note });
    view(conn, id)
}

/// The 409 for acting on a correction that no longer awaits approval.
fn not_pending(c: &Correction) -> AppError {
    AppError::Conflict(match c.status {
        CorrectionStatus::Published => format!("correction #{} is already published", c.id),
        other => format!("correction #{} no longer awaits approval: it was {}", c.id, other.label().to_lowercase()),
    })
}

/// How a pending correction is stopped before publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A standards editor sends it back to its author for changes.
    Return,
    /// Its author or a standards editor withdraws it.
    Withdraw,
}

/// Stops a pending correction (returned to its author, or withdrawn); its reports go back to review.
pub fn stop(
    conn: &mut DbConnection,
    actor: &Actor,
    id: i64,
    how: Stop,
    reason: Option<&str>,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<CorrectionView, AppError> {
    let c =
        Correction::find(conn, id)?.ok_or_else(|| AppError::NotFound(format!("no correction has the number {id}")))?;
    let standards_editor = actor.role == Role::StandardsEditor;
    match how {
        Stop::Return if !standards_editor => {
            return Err(AppError::Forbidden("only a standards editor may return a correction to its author".into()))
        }
        Stop::Return if c.created_by == actor.id => {
            return Err(AppError::Forbidden("you drafted this correction: withdraw it instead of returning it".into()))
        }
        Stop::Withdraw if !standards_editor && c.created_by != actor.id => {
            return Err(AppError::Forbidden("only its author or a standards editor may withdraw a correction".into()))
        }
        _ => {}
    }
    if c.status != CorrectionStatus::Pending {
        return Err(not_pending(&c));
    }
    let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => required_text("reason", r, 1, REASON_MAX).map_err(|e| AppError::Invalid(vec![e]))?,
        None => {
            let what = match how {
                Stop::Return => "say what the author should change",
                Stop::Withdraw => "say why it should not be published",
            };
            return Err(AppError::invalid("reason", format!("is required: {what}")));
        }
    };
    let status = match how {
        Stop::Return => CorrectionStatus::Returned,
        Stop::Withdraw => CorrectionStatus::Withdrawn,
    };
    lock_counters(conn)?;
    if !Correction::stop(conn, id, status)? {
        return Err(AppError::Conflict(format!("correction #{id} was approved or stopped by someone else just now")));
    }
    let article = articles::get(conn, &c.article_id)?;
    let note = CorrectionNote {
        id: CorrectionId(id),
        article_id: article.id,
        article_title: article.title,
        kind: c.kind,
        text: c.body.clone(),
    };
    for report_id in Correction::report_ids(conn, id)? {
        if let Some(r) = Report::find(conn, report_id)? {
            if r.status == Status::AwaitingApproval {
                workflow::unpublishing_move(conn, &r, actor, &note, &reason, notices, now)?;
            }
        }
    }
    let data = CorrectionReason { correction: reference(&c), reason: reason.clone() };
    let author = StaffMember::find(conn, c.created_by)?
        .map(|u| StaffRef { id: UserId(u.id), email: u.email, name: u.name })
        .ok_or_else(|| AppError::NotFound("the correction's author vanished".into()))?;
    let by = StaffRef { id: UserId(actor.id), email: actor.email.clone(), name: actor.name.clone() };
    match how {
        Stop::Return => {
            record(conn, actor, EventData::CorrectionReturned(data), now)?;
            notices.push(Notice::CorrectionReturned { correction: note, author, by, reason });
        }
        Stop::Withdraw => {
            record(conn, actor, EventData::CorrectionWithdrawn(data), now)?;
            notices.push(Notice::CorrectionWithdrawn { correction: note, author, by, reason });
        }
    }
    view(conn, id)
}

/// How many corrections await approval.
pub fn pending_count(conn: &mut DbConnection) -> Result<i64, AppError> {
    Ok(Correction::pending_count(conn)?)
}

/// A correction returned to its author that has not been drafted again yet (see [`CorrectionInput::redrafts`]).
#[derive(Debug, Clone)]
pub struct Returned {
    /// The correction.
    pub correction: CorrectionView,
    /// The article's headline.
    pub article_title: String,
    /// What the standards editor asked to change.
    pub reason: String,
}

/// The corrections returned to `author_id` and not yet drafted again, newest first.
pub fn returned_to(conn: &mut DbConnection, author_id: i64) -> Result<Vec<Returned>, AppError> {
    let rows = Correction::returned_to(conn, author_id)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut reasons: HashMap<i64, String> = HashMap::new();
    let stored: Vec<Event> = ev::table
        .filter(ev::kind.eq(EventKind::CorrectionReturned))
        .order(ev::id.asc())
        .select(Event::as_select())
        .load(conn)?;
    for e in &stored {
        if let EventData::CorrectionReturned(r) = EventData::of(e)? {
            reasons.insert(r.correction.correction_id.0, r.reason);
        }
    }
    let ids: Vec<i64> = rows.iter().map(|(c, _)| c.id).collect();
    let redrafted = Correction::redrafted(conn, &ids)?;
    let open: Vec<(Correction, String)> = rows.into_iter().filter(|(c, _)| !redrafted.contains(&c.id)).collect();
    let titles: Vec<String> = open.iter().map(|(_, t)| t.clone()).collect();
    let views = views(conn, open.into_iter().map(|(c, _)| c).collect())?;
    Ok(views
        .into_iter()
        .zip(titles)
        .map(|(correction, article_title)| Returned {
            reason: reasons.remove(&correction.id).unwrap_or_default(),
            correction,
            article_title,
        })
        .collect())
}

/// The correction of a report that was returned to its author and waits to be drafted again, if any.
pub fn returned_for_report(conn: &mut DbConnection, report_id: i64) -> Result<Option<i64>, AppError> {
    Ok(Correction::returned_for_report(conn, report_id)?)
}

/// A returned or withdrawn correction as input for a new draft (the form pre-filled with it).
pub fn draft_again(conn: &mut DbConnection, id: i64) -> Result<CorrectionInput, AppError> {
    let StaffCorrection { correction: c, cause, found, channels: checklist } = staff_view(conn, id)?;
    if !matches!(c.status, CorrectionStatus::Returned | CorrectionStatus::Withdrawn) {
        return Err(AppError::Conflict(format!(
            "correction #{id} is {}: only a returned or withdrawn correction can be drafted again",
            c.status.label().to_lowercase()
        )));
    }
    Ok(CorrectionInput {
        article_id: c.article_id,
        kind: c.kind.as_str().into(),
        text: c.text,
        original: c.original,
        corrected: c.corrected,
        headline: c.headline,
        standards: c.standards.into_iter().map(|s| s.code).collect(),
        report_ids: Correction::report_ids(conn, id)?,
        supersedes: c.supersedes,
        redrafts: (c.status == CorrectionStatus::Returned).then_some(id),
        cause: Some(cause.as_str().into()),
        found: Some(found.as_str().into()),
        // Retired channels are offered for no new correction.
        channels: checklist.into_iter().filter(|i| !i.retired).map(|i| i.channel_id).collect(),
    })
}

/// When an article was last corrected: the latest publication time among its published
/// corrections (`None` when it has none), what schema.org calls the article's `dateModified`.
pub fn last_corrected(list: &[CorrectionView]) -> Option<DateTime<Utc>> {
    list.iter().filter_map(|c| c.published_at).max()
}

/// The published corrections of an article, newest first.
pub fn for_article(conn: &mut DbConnection, article_id: &str) -> Result<Vec<CorrectionView>, AppError> {
    let rows = Correction::published_for(conn, article_id)?;
    views(conn, rows)
}

/// A correction awaiting approval, with what the approver needs to know.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The correction.
    pub correction: CorrectionView,
    /// The article's headline.
    pub article_title: String,
    /// Who drafted it.
    pub author: String,
    /// Their user id (they may not approve it).
    pub author_id: i64,
    /// When it was drafted.
    pub drafted_at: NaiveDateTime,
    /// What caused the error.
    pub cause: Cause,
    /// How the error was found.
    pub found: Found,
}

/// Corrections awaiting approval, oldest first.
pub fn pending(conn: &mut DbConnection) -> Result<Vec<Pending>, AppError> {
    let rows = Correction::pending(conn)?;
    let meta: Vec<(String, String, i64, NaiveDateTime, Cause, Found)> =
        rows.iter().map(|(c, t, a)| (t.clone(), a.clone(), c.created_by, c.created_at, c.cause, c.found)).collect();
    let views = views(conn, rows.into_iter().map(|(c, ..)| c).collect())?;
    Ok(views
        .into_iter()
        .zip(meta)
        .map(|(correction, (article_title, author, author_id, drafted_at, cause, found))| Pending {
            correction,
            article_title,
            author,
            author_id,
            drafted_at,
            cause,
            found,
        })
        .collect())
}

/// Filters of the site-wide list of corrections.
#[derive(Debug, Clone, Default)]
pub struct ListingFilter {
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only this section.
    pub section: Option<String>,
    /// Only corrections citing this standard code.
    pub standard: Option<String>,
    /// Published on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Published on or before this day (UTC).
    pub to: Option<NaiveDate>,
    /// Where the previous page ended.
    pub cursor: Option<String>,
    /// Rows per page.
    pub limit: i64,
}

impl ListingFilter {
    /// Parses query pairs; unknown values are 422 naming the field.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, AppError> {
        let mut f = Self { limit: 50, ..Self::default() };
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "kind" => {
                    f.kind = Some(Kind::parse(value).ok_or_else(|| {
                        AppError::invalid("kind", format!("{value:?} is not a kind: use {}", Kind::allowed()))
                    })?)
                }
                "section" => f.section = Some(filters::text("section", value)?),
                "standard" => f.standard = Some(filters::text("standard", value)?),
                "from" => f.from = Some(filters::day("from", value)?),
                "to" => f.to = Some(filters::day("to", value)?),
                "cursor" => f.cursor = Some(value.to_owned()),
                "limit" => f.limit = filters::limit(value, 500)?,
                other => return Err(AppError::invalid(other, "is not a filter of the corrections log")),
            }
        }
        Ok(f)
    }
}

/// A correction in the site-wide list of corrections, with its article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ListedCorrection {
    /// The correction.
    #[serde(flatten)]
    pub correction: CorrectionView,
    /// The article's headline.
    pub article_title: String,
    /// The article's canonical URL.
    pub article_url: String,
    /// The article's section.
    pub section: String,
}

/// A page of the site-wide list of corrections.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CorrectionList {
    /// Newest first.
    pub items: Vec<ListedCorrection>,
    /// Cursor of the next page, or null.
    pub next: Option<String>,
}

/// One page of the site-wide list of corrections.
pub fn listing(conn: &mut DbConnection, f: &ListingFilter) -> Result<CorrectionList, AppError> {
    let mut q = corrections::table
        .inner_join(art::table)
        .filter(corrections::status.eq(CorrectionStatus::Published))
        .into_boxed::<MultiBackend>();
    if let Some(kind) = f.kind {
        q = q.filter(corrections::kind.eq(kind.as_str()));
    }
    if let Some(section) = &f.section {
        q = q.filter(art::section.eq(section.clone()));
    }
    if let Some(code) = &f.standard {
        let citing = correction_standards::table
            .inner_join(standards::table)
            .filter(standards::code.eq(code.clone()))
            .select(correction_standards::correction_id);
        q = q.filter(corrections::id.eq_any(citing));
    }
    let (from, to) = filters::day_bounds(f.from, f.to);
    if let Some(from) = from {
        q = q.filter(corrections::published_at.ge(from));
    }
    if let Some(to) = to {
        q = q.filter(corrections::published_at.lt(to));
    }
    if let Some(raw) = &f.cursor {
        let cursor = Cursor::parse(raw)?;
        let (at, id) = (cursor.time()?, cursor.id);
        q = q.filter(corrections::published_at.lt(at).or(corrections::published_at.eq(at).and(corrections::id.lt(id))));
    }
    let mut rows: Vec<(Correction, String, String, String)> = q
        .order((corrections::published_at.desc(), corrections::id.desc()))
        .select((Correction::as_select(), art::title, art::url, art::section))
        .limit(f.limit + 1)
        .load(conn)?;
    let more = rows.len() as i64 > f.limit;
    rows.truncate(f.limit as usize);
    let next = rows
        .last()
        .filter(|_| more)
        .and_then(|(c, ..)| c.published_at.map(|at| Cursor::after_time(at, c.id).to_string()));
    let articles: Vec<(String, String, String)> =
        rows.iter().map(|(_, t, u, s)| (t.clone(), u.clone(), s.clone())).collect();
    let views = views(conn, rows.into_iter().map(|(c, ..)| c).collect())?;
    let items = views
        .into_iter()
        .zip(articles)
        .map(|(correction, (article_title, article_url, section))| ListedCorrection {
            correction,
            article_title,
            article_url,
            section,
        })
        .collect();
    Ok(CorrectionList { items, next })
}

/// Sections that have published corrections, for the list's filter.
pub fn sections(conn: &mut DbConnection) -> Result<Vec<String>, AppError> {
    use crate::db::schema::sections as sec;
    Ok(sec::table.filter(sec::corrections.gt(0)).select(sec::name).order(sec::name.asc()).load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn log_filters_name_bad_values() {
        for (key, value) in
            [("kind", "erratum"), ("from", "yesterday"), ("to", "2026-13-01"), ("limit", "0"), ("page", "2")]
        {
            assert_eq!(ListingFilter::parse(&pairs(&[(key, value)])).unwrap_err().field(), Some(key), "{key}");
        }
        // A reversed range is taken (and matches nothing): no schema can say which day is later.
        assert!(ListingFilter::parse(&pairs(&[("from", "2026-11-28"), ("to", "2026-11-01")])).is_ok());
    }

    #[test]
    fn retractions_and_headline_corrections_go_on_top() {
        let mut v = CorrectionView {
            id: 1,
            article_id: "a".into(),
            kind: Kind::Correction,
            text: "t".into(),
            original: None,
            corrected: None,
            headline: false,
            standards: vec![],
            status: CorrectionStatus::Published,
            published_at: None,
            supersedes: None,
            superseded_by: None,
            log_index: None,
            hash: None,
        };
        assert!(!v.on_top());
        v.headline = true;
        assert!(v.on_top());
        v.headline = false;
        v.kind = Kind::Retraction;
        assert!(v.on_top());
    }

    mod properties {
        use proptest::prelude::*;

        use crate::domain::cases;
        use crate::domain::corrections::*;

        const KEYS: [&str; 8] = ["kind", "section", "standard", "from", "to", "cursor", "limit", "page"];

        proptest! {
            #![proptest_config(cases::config(512))]

            #[test]
            fn log_filters_are_taken_or_refused_naming_the_filter(
                pairs in proptest::collection::vec((
                    proptest::sample::select(&KEYS[..]),
                    prop_oneof![Just("correction".to_owned()), Just("2026-11-28".to_owned()), Just("10".to_owned()), cases::text()],
                ), 0..6)
            ) {
                let owned: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
                match ListingFilter::parse(&owned) {
                    Ok(f) => {
                        prop_assert!((1..=500).contains(&f.limit));
                        for text in f.section.iter().chain(&f.standard) {
                            prop_assert!(!text.contains('\0'), "PostgreSQL refuses NUL in text: {text:?}");
                        }
                    }
                    Err(e) => {
                        let field = e.field().unwrap_or_default();
                        prop_assert!(pairs.iter().any(|(k, _)| *k == field), "{field:?} for {pairs:?}");
                    }
                }
            }
        }
    }
}
