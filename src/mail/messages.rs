//! The messages Corrigenda sends: what each notice means for whose mailbox.

use chrono::NaiveDateTime;
use corrigenda_templates::EmailView;

use super::{Context, Outgoing};
use crate::db::models::{Report, StaffMember};
use crate::db::vocabulary::{Role, Severity, Status};
use crate::db::DbConnection;
use crate::domain::desks::the_desk;
use crate::domain::ids::UserId;
use crate::domain::notices::{CorrectionNote, Notice, ReaderContact};
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
        Notice::ReportFiled { report_id, article_title, quote, category, severity, deadline_at, reader, .. } => {
            let mut out: Vec<Outgoing> = reader.iter().map(|r| receipt(ctx, quote, r)).collect();
            if matches!(severity, Severity::High | Severity::Legal) {
                for editor in accounts::active_with_role(conn, Role::StandardsEditor)? {
                    let paragraphs = vec![format!(
                        "A {} report of severity {} arrived on \u{201c}{}\u{201d}. It must be answered by {} UTC.",
                        category.as_str().replace('_', " "),
                        severity,
                        article_title,
                        deadline(*deadline_at)
                    )];
                    let v = view(
                        ctx,
                        paragraphs,
                        Some(quote.clone()),
                        Some(("Open the ticket", ctx.url(&format!("/desk/reports/{report_id}")))),
                    );
                    let subject = format!("Urgent: {severity} report #{report_id}");
                    out.push(Outgoing { kind: "urgent_report", to: editor.email, subject, view: v });
                }
            }
            out
        }
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
pub fn digest(ctx: &Context, user: &StaffMember, overdue: &[Report]) -> Outgoing {
    let mut paragraphs = vec![format!("{} of your tickets are past their response deadline:", overdue.len())];
    paragraphs.extend(overdue.iter().map(|r| {
        format!(
            "#{}: due {} UTC \u{2013} {}",
            r.id,
            r.deadline_at.format("%-d %B, %H:%M"),
            ctx.url(&format!("/desk/reports/{}", r.id))
        )
    }));
    let v = view(ctx, paragraphs, None, Some(("Open your queue", ctx.url("/desk?assignee=me&overdue=true"))));
    let subject = format!("{} overdue ticket{}", overdue.len(), if overdue.len() == 1 { "" } else { "s" });
    Outgoing { kind: "digest", to: user.email.clone(), subject, view: v }
}
