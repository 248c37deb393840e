//! The messages Corrigenda sends: what each notice means for whose mailbox.

use chrono::NaiveDateTime;
use corrigenda_templates::EmailView;

use super::{Context, Outgoing};
use crate::db::models::{DeskMember, Report, StaffMember};
use crate::db::vocabulary::{Role, Severity, Status};
use crate::db::DbConnection;
use crate::domain::arrivals::Arrivals;
use crate::domain::desks::the_desk;
use crate::domain::ids::{ReportId, UserId};
use crate::domain::notices::{CorrectionNote, DeskRef, Notice, ReaderContact};
use crate::domain::{accounts, responses, subscriptions};
use crate::error::AppError;

fn view(ctx: &Context, paragraphs: Vec<String>, quote: Option<String>, action: Option<(&str, String)>) -> EmailView {
    EmailView {
        publication: ctx.publication.clone(),
        paragraphs,
        quote,
        action: action.map(|(label, url)| (label.to_owned(), url)),
        unsubscribe: None,
    }
}

fn deadline(at: chrono::NaiveDateTime) -> String {
    at.format("%-d %B %Y, %H:%M").to_string()
}

fn correction_url(ctx: &Context, c: &CorrectionNote) -> String {
    ctx.url(&format!("/articles/{}/corrections#correction-{}", c.article_id, c.id))
}

/// The messages a notice calls for (none for most).
pub fn for_notice(
    conn: &mut DbConnection,
    ctx: &Context,
    notice: &Notice,
    now: NaiveDateTime,
) -> Result<Vec<Outgoing>, AppError> {
    Ok(match notice {
        Notice::ReportFiled {
            report_id, article_title, quote, category, severity, deadline_at, desk, reader, ..
        } => {
            let mut out: Vec<Outgoing> = reader.iter().map(|r| receipt(ctx, quote, r)).collect();
            if is_urgent(*severity) {
                let mut what = format!(
                    "A {} report of severity {} arrived on \u{201c}{}\u{201d}",
                    category.as_str().replace('_', " "),
                    severity,
                    article_title
                );
                if let Some(d) = desk {
                    what.push_str(&format!(" and was routed to {}", the_desk(&d.name)));
                }
                let urgent = Urgent { report_id: *report_id, quote, severity: *severity, deadline_at: *deadline_at };
                out.extend(urgent_report(conn, ctx, &urgent, &what, desk.as_ref(), None)?);
            }
            out
        }
        Notice::Routed { report_id, article_title, quote, severity, deadline_at, from, desk, by, .. }
            if is_urgent(*severity) =>
        {
            let mut what = format!(
                "Report #{report_id} of severity {severity} on \u{201c}{article_title}\u{201d} was moved to {}",
                the_desk(&desk.name)
            );
            if let Some(from) = from {
                what.push_str(&format!(" from {}", the_desk(&from.name)));
            }
            if let Some(by) = by {
                what.push_str(&format!(" by {}", by.name));
            }
            let urgent = Urgent { report_id: *report_id, quote, severity: *severity, deadline_at: *deadline_at };
            urgent_report(conn, ctx, &urgent, &what, Some(desk), by.as_ref().map(|b| b.id))?
        }
        Notice::Escalated { .. } => escalation(ctx, notice),
        Notice::QuestionAsked { question, reader: Some(r), .. } => {
            let paragraphs = vec!["The editor reviewing your correction report has a question for you:".into()];
            let track = ctx.url(&format!("/reports/{}", r.token));
            let v = view(ctx, paragraphs, Some(with_link(question, &track)), Some(("Answer the question", track)));
            let subject = "A question about your correction report".into();
            vec![Outgoing { kind: "reader_question", to: r.email.clone(), subject, view: v }]
        }
        Notice::Decided { to, reason, appeal, correction, reader: Some(r), .. } => {
            outcome(ctx, *to, reason.as_deref(), *appeal, correction.as_ref(), r).into_iter().collect()
        }
        Notice::Assigned { report_id, quote, deadline_at, assignee, by, desk } => {
            let who = match (by, desk) {
                (Some(by), _) => by.name.clone(),
                // "The Night desk's", not "The Night desk desk's".
                (None, Some(desk)) => {
                    format!("{}'s automatic assignment", the_desk(&desk.name).replacen("the", "The", 1))
                }
                (None, None) => "Automatic assignment".to_owned(),
            };
            let paragraphs = vec![format!(
                "{who} assigned report #{report_id} to you. Its response deadline is {} UTC.",
                deadline(*deadline_at)
            )];
            let v = view(
                ctx,
                paragraphs,
                Some(quote.clone()),
                Some(("Open the ticket", ctx.url(&format!("/desk/reports/{report_id}")))),
            );
            let subject = format!("Report #{report_id} is assigned to you");
            vec![Outgoing { kind: "assignment", to: assignee.email.clone(), subject, view: v }]
        }
        Notice::CorrectionPending { correction: c, author } => accounts::active_with_role(conn, Role::StandardsEditor)?
            .into_iter()
            .filter(|u| UserId(u.id) != author.id)
            .map(|editor| {
                let paragraphs = vec![format!(
                    "{} drafted a {} that needs a second standards editor's approval before it is published:",
                    author.name,
                    c.kind.as_str().replace('_', " ")
                )];
                let v = view(ctx, paragraphs, Some(c.text.clone()), Some(("Review it", ctx.url("/desk/corrections"))));
                let subject = format!("Correction #{} awaits your approval", c.id);
                Outgoing { kind: "approval_request", to: editor.email, subject, view: v }
            })
            .collect(),
        Notice::CorrectionReturned { correction: c, author, by, reason } => {
            let paragraphs = vec![
                format!(
                    "{} returned your {} #{} on \u{201c}{}\u{201d} for changes. It was not published. Their reason:",
                    by.name,
                    c.kind.label().to_lowercase(),
                    c.id,
                    c.article_title
                ),
                "Open it again in the drafting form, change it and send it for approval once more.".into(),
            ];
            let v = view(
                ctx,
                paragraphs,
                Some(reason.clone()),
                Some(("Edit and resubmit", ctx.url(&format!("/desk/corrections/new?returned={}", c.id)))),
            );
            let subject = format!("Correction #{} was returned to you", c.id);
            vec![Outgoing { kind: "correction_returned", to: author.email.clone(), subject, view: v }]
        }
        Notice::CorrectionWithdrawn { correction: c, author, by, reason } if by.id != author.id => {
            let paragraphs = vec![format!(
                "{} withdrew your {} #{} on \u{201c}{}\u{201d} before approval. It will not be published. Their reason:",
                by.name,
                c.kind.label().to_lowercase(),
                c.id,
                c.article_title
            )];
            let v = view(ctx, paragraphs, Some(reason.clone()), Some(("Open the desk", ctx.url("/desk/corrections"))));
            let subject = format!("Correction #{} was withdrawn", c.id);
            vec![Outgoing { kind: "correction_withdrawn", to: author.email.clone(), subject, view: v }]
        }
        Notice::CorrectionPublished { correction: c } => subscriptions::active_for(conn, &c.article_id, now)?
            .into_iter()
            .map(|(email, unsubscribe)| {
                let paragraphs = vec![format!(
                    "We published a {} to \u{201c}{}\u{201d}, which you asked us to tell you about:",
                    c.kind.as_str().replace('_', " "),
                    c.article_title
                )];
                let mut v = view(ctx, paragraphs, Some(c.text.clone()), Some(("Read it", correction_url(ctx, c))));
                v.unsubscribe = Some(ctx.url(&format!("/subscriptions/{unsubscribe}/unsubscribe")));
                let subject = format!("Correction to \u{201c}{}\u{201d}", c.article_title);
                Outgoing { kind: "subscriber_correction", to: email, subject, view: v }
            })
            .collect(),
        Notice::SubscriptionRequested { article_title, email, token, .. } => {
            let paragraphs = vec![
                format!("Someone, hopefully you, asked to be told when \u{201c}{article_title}\u{201d} is corrected."),
                "Nothing happens unless you confirm. If it was not you, ignore this message.".into(),
            ];
            let v = view(ctx, paragraphs, None, Some(("Confirm", ctx.url(&format!("/subscriptions/{token}/confirm")))));
            let subject = "Confirm: tell me if this article is corrected".into();
            vec![Outgoing { kind: "subscription_confirm", to: email.clone(), subject, view: v }]
        }
        Notice::ReaderAnswered { report_id, assignee_id: Some(who) }
        | Notice::AppealFiled { report_id, assignee_id: Some(who) } => {
            let Some(assignee) = accounts::active_by_id(conn, *who)? else { return Ok(vec![]) };
            let (subject, line) = match notice {
                Notice::AppealFiled { .. } => (
                    format!("The reader appealed the decision on report #{report_id}"),
                    format!("The reader of report #{report_id}, which is assigned to you, appealed the decision. A standards editor decides appeals."),
                ),
                _ => (
                    format!("The reader answered your question on report #{report_id}"),
                    format!("The reader of report #{report_id}, which is assigned to you, answered the desk's question."),
                ),
            };
            let action = ("Open the ticket", ctx.url(&format!("/desk/reports/{report_id}")));
            let v = view(ctx, vec![line], None, Some(action));
            vec![Outgoing { kind: "reader_replied", to: assignee.email, subject, view: v }]
        }
        Notice::QuestionAsked { reader: None, .. }
        | Notice::Decided { reader: None, .. }
        | Notice::ReaderAnswered { assignee_id: None, .. }
        | Notice::AppealFiled { assignee_id: None, .. }
        | Notice::CorrectionWithdrawn { .. }
        | Notice::StatusChanged { .. }
        | Notice::SeverityRaised { .. }
        | Notice::Routed { .. } => vec![],
    })
}

/// Whether a severity is heard of at once (the rest waits for the daily digest).
fn is_urgent(severity: Severity) -> bool {
    matches!(severity, Severity::High | Severity::Legal)
}

/// An urgent report that reached a desk or the general queue.
struct Urgent<'a> {
    report_id: ReportId,
    quote: &'a str,
    severity: Severity,
    deadline_at: NaiveDateTime,
}

/// The kind of mail that tells a desk's member of an urgent report on their desk at once.
pub const DESK_URGENT: &str = "desk_urgent";

/// Who hears of an urgent report at once, each once: the members of its desk who are active
/// and not away; the standards editors when it is on no desk or none of its members is
/// available. `what` says what happened; `mover` (who moved it there) is not told.
fn urgent_report(
    conn: &mut DbConnection,
    ctx: &Context,
    report: &Urgent<'_>,
    what: &str,
    desk: Option<&DeskRef>,
    mover: Option<UserId>,
) -> Result<Vec<Outgoing>, AppError> {
    let members: Vec<StaffMember> = match desk {
        Some(d) => DeskMember::of_desk(conn, d.id.0)?
            .into_iter()
            .map(|(_, u)| u)
            .filter(|u| !u.disabled && !u.away && u.role.can_edit())
            .collect(),
        None => Vec::new(),
    };
    let (kind, recipients) = if members.is_empty() {
        ("urgent_report", accounts::active_with_role(conn, Role::StandardsEditor)?)
    } else {
        (DESK_URGENT, members)
    };
    // Whoever holds it now (automatic assignment ran in the same transaction) is told so here,
    // and their separate assignment mail is left out (see `mail::notify`).
    let holder = Report::find(conn, report.report_id.0)?.and_then(|r| r.assignee_id);
    let due = format!("It must be answered by {} UTC.", deadline(report.deadline_at));
    let (id, severity) = (report.report_id, report.severity);
    let mut seen = std::collections::HashSet::new();
    Ok(recipients
        .into_iter()
        .filter(|u| Some(UserId(u.id)) != mover && seen.insert(u.id))
        .map(|u| {
            let mut paragraphs = vec![match (kind, desk) {
                (DESK_URGENT, Some(_)) => format!("{what}. You are a member of that desk. {due}"),
                (_, Some(_)) => format!("{what}. None of that desk's members is available to take it. {due}"),
                (_, None) => format!("{what}. {due}"),
            }];
            if holder == Some(u.id) {
                paragraphs.push("It is assigned to you.".into());
            }
            let action = ("Open the ticket", ctx.url(&format!("/desk/reports/{id}")));
            let v = view(ctx, paragraphs, Some(report.quote.to_owned()), Some(action));
            let subject = match (kind, desk) {
                (DESK_URGENT, Some(d)) => format!("Urgent: {severity} report #{id} on {}", the_desk(&d.name)),
                _ => format!("Urgent: {severity} report #{id}"),
            };
            Outgoing { kind, to: u.email, subject, view: v }
        })
        .collect())
}

/// To whom an overdue report was escalated: its desk's lead, or the standards editors.
fn escalation(ctx: &Context, notice: &Notice) -> Vec<Outgoing> {
    let Notice::Escalated {
        report_id,
        article_title,
        quote,
        severity,
        status,
        deadline_at,
        desk,
        assignee,
        to,
        lead,
        ..
    } = notice
    else {
        return Vec::new();
    };
    let place = match desk {
        Some(d) => format!("on {}", the_desk(&d.name)),
        None => "in the general queue".to_owned(),
    };
    let holder = match assignee {
        Some(a) => format!("It is assigned to {}.", a.name),
        None => "Nobody has taken it.".to_owned(),
    };
    let why = match (lead, desk) {
        (true, Some(d)) => format!("You hear of it as {}'s lead.", the_desk(&d.name)),
        (_, Some(_)) => "You hear of it as a standards editor: its desk has no lead available.".to_owned(),
        (_, None) => "You hear of it as a standards editor: it is on no desk.".to_owned(),
    };
    to.iter()
        .map(|u| {
            let paragraphs = vec![
                format!(
                    "Report #{report_id} of severity {severity} on \u{201c}{article_title}\u{201d}, {place}, was due by {} UTC and is overdue (status: {}). {holder}",
                    deadline(*deadline_at),
                    status.staff_label()
                ),
                why.clone(),
            ];
            let action = ("Open the ticket", ctx.url(&format!("/desk/reports/{report_id}")));
            let v = view(ctx, paragraphs, Some(quote.clone()), Some(action));
            let subject = format!("Escalated: report #{report_id} is overdue");
            Outgoing { kind: "escalation", to: u.email.clone(), subject, view: v }
        })
        .collect()
}

/// An editor's text for the reader, with this mail's own tracking link where a saved response put its placeholder.
fn with_link(text: &str, track: &str) -> String {
    text.replace(responses::TRACKING_LINK, track)
}

/// To the reader who left an email: the report arrived, with the tracking link.
fn receipt(ctx: &Context, quote: &str, reader: &ReaderContact) -> Outgoing {
    let paragraphs = vec![
        "Thank you for reporting a possible error. An editor will review your report; you will hear from us when it is decided.".into(),
        "This is the passage you reported:".into(),
    ];
    let v = view(
        ctx,
        paragraphs,
        Some(quote.to_owned()),
        Some(("Follow your report", ctx.url(&format!("/reports/{}", reader.token)))),
    );
    let subject = "We received your correction report".into();
    Outgoing { kind: "reader_receipt", to: reader.email.clone(), subject, view: v }
}

/// To the reader: the decision on their report (or on their appeal).
fn outcome(
    ctx: &Context,
    to_status: Status,
    reason: Option<&str>,
    appeal: bool,
    correction: Option<&CorrectionNote>,
    reader: &ReaderContact,
) -> Option<Outgoing> {
    let track = ctx.url(&format!("/reports/{}", reader.token));
    let reason = reason.map(|r| with_link(r, &track));
    let reason = reason.as_deref();
    let decided = if appeal { "Your appeal was decided" } else { "Your correction report was decided" };
    let (subject, first, quote, action) = match (to_status, correction) {
        (Status::Corrected, Some(c)) => (
            "We corrected the article you reported".to_owned(),
            "Thank you: we have published a correction to the article you reported. It reads:".to_owned(),
            Some(c.text.clone()),
            ("Read the correction", correction_url(ctx, c)),
        ),
        (Status::NoChange, _) => (
            decided.to_owned(),
            "The editors reviewed the passage and decided it stands as published. Their reason:".to_owned(),
            reason.map(str::to_owned),
            ("See your report", track),
        ),
        (Status::Rejected, _) => (
            decided.to_owned(),
            "The editors could not act on your report. Their reason:".to_owned(),
            reason.map(str::to_owned),
            ("See your report", track),
        ),
        (Status::InReview, _) if appeal => (
            "Your appeal was upheld".to_owned(),
            "A standards editor upheld your appeal: your report is being reviewed again.".to_owned(),
            reason.map(str::to_owned),
            ("Follow your report", track),
        ),
        (Status::Duplicate, _) => (
            "The error you reported was already corrected".to_owned(),
            "Another reader reported the same passage, and the article has already been corrected.".to_owned(),
            None,
            ("See your report", track),
        ),
        _ => return None,
    };
    let mut paragraphs = vec![first];
    if !appeal && matches!(to_status, Status::NoChange | Status::Rejected) {
        paragraphs.push("If you disagree, you can appeal once from your report's page.".into());
    }
    let v = view(ctx, paragraphs, quote, Some((action.0, action.1)));
    let kind = if appeal { "appeal_outcome" } else { "reader_outcome" };
    Some(Outgoing { kind, to: reader.email.clone(), subject, view: v })
}

/// To an editor: their overdue tickets, once a day.
pub fn digest(ctx: &Context, user: &StaffMember, overdue: &[Report], arrivals: &[Arrivals]) -> Outgoing {
    let mut paragraphs = Vec::new();
    if !overdue.is_empty() {
        paragraphs.push(format!("{} of your tickets are past their response deadline:", overdue.len()));
        paragraphs.extend(overdue.iter().map(|r| {
            format!(
                "#{}: due {} UTC \u{2013} {}",
                r.id,
                r.deadline_at.format("%-d %B, %H:%M"),
                ctx.url(&format!("/desk/reports/{}", r.id))
            )
        }));
    }
    let mut new = 0;
    for a in arrivals {
        new += a.reports.len();
        paragraphs.push(format!("New on {} since the last digest:", the_desk(&a.desk.name)));
        paragraphs.extend(a.reports.iter().map(|r| {
            format!(
                "#{}: {}, {} severity, due {} UTC \u{2013} {}",
                r.id,
                r.category.label().to_lowercase(),
                r.severity.label().to_lowercase(),
                r.deadline_at.format("%-d %B, %H:%M"),
                ctx.url(&format!("/desk/reports/{}", r.id))
            )
        }));
        if a.more {
            paragraphs.push(format!("And more: {}", ctx.url(&format!("/desk?desk={}", a.desk.slug))));
        }
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let (subject, action) = match (overdue.len(), new) {
        (n, 0) => (format!("{n} overdue ticket{}", plural(n)), ("Open your queue", "/desk?assignee=me&overdue=true")),
        (0, m) => (format!("{m} new report{} on your desks", plural(m)), ("Open your desks", "/desk?view=my_desks")),
        (n, m) => (
            format!("{n} overdue ticket{}, {m} new report{} on your desks", plural(n), plural(m)),
            ("Open your queue", "/desk?assignee=me&overdue=true"),
        ),
    };
    let v = view(ctx, paragraphs, None, Some((action.0, ctx.url(action.1))));
    Outgoing { kind: "digest", to: user.email.clone(), subject, view: v }
}
