//! The messages Corrigenda sends, each queued by the action that causes it.

use chrono::NaiveDateTime;
use corrigenda_templates::EmailView;
use diesel::prelude::*;

use super::{enqueue, Context, Outgoing};
use crate::db::models::{Article, Correction, Report, User};
use crate::db::schema::subscriptions;
use crate::db::DbConnection;
use crate::domain::accounts::{Actor, Role};
use crate::domain::reports::{self, Status};
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

/// Enabled accounts with `role`.
fn staff_with(conn: &mut DbConnection, role: Role) -> Result<Vec<User>, AppError> {
    Ok(User::all(conn)?.into_iter().filter(|u| !u.disabled && u.role == role.as_str()).collect())
}

/// To the reader who left an email: the report arrived, with the tracking link.
pub fn receipt(
    conn: &mut DbConnection,
    ctx: &Context,
    report: &Report,
    token: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some(to) = report.reporter_email.clone() else { return Ok(()) };
    let paragraphs = vec![
        "Thank you for reporting a possible error. An editor will review your report; you will hear from us when it is decided.".into(),
        "This is the passage you reported:".into(),
    ];
    let v = view(
        ctx,
        paragraphs,
        Some(report.quote.clone()),
        Some(("Follow your report", ctx.url(&format!("/reports/{token}")))),
    );
    enqueue(
        conn,
        ctx,
        Outgoing { kind: "reader_receipt", to, subject: "We received your correction report".into(), view: v },
        now,
    )
}

/// To the reader: the editor's question, with a link to answer it.
pub fn question(
    conn: &mut DbConnection,
    ctx: &Context,
    report: &Report,
    question: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Some(to) = report.reporter_email.clone() else { return Ok(()) };
    let token = reports::mint_link(conn, report.id, now)?;
    let paragraphs = vec!["The editor reviewing your correction report has a question for you:".into()];
    let v = view(
        ctx,
        paragraphs,
        Some(question.to_owned()),
        Some(("Answer the question", ctx.url(&format!("/reports/{token}")))),
    );
    enqueue(
        conn,
        ctx,
        Outgoing { kind: "reader_question", to, subject: "A question about your correction report".into(), view: v },
        now,
    )
}

/// What was decided about a report, for the reader's mail.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    /// The report's new status.
    pub to: Status,
    /// The editors' reason, when there is one.
    pub reason: Option<&'a str>,
    /// The correction, when one was published.
    pub correction: Option<&'a Correction>,
    /// Whether this decides the reader's appeal.
    pub appeal: bool,
}

/// To the reader: the decision on their report (or on their appeal).
pub fn outcome(
    conn: &mut DbConnection,
    ctx: &Context,
    report: &Report,
    d: Decision<'_>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Decision { to: to_status, reason, correction, appeal } = d;
    let Some(to) = report.reporter_email.clone() else { return Ok(()) };
    let token = reports::mint_link(conn, report.id, now)?;
    let track = ctx.url(&format!("/reports/{token}"));
    let (subject, first, quote, action) = match (to_status, correction) {
        (Status::Corrected, Some(c)) => (
            "We corrected the article you reported".to_owned(),
            "Thank you: we have published a correction to the article you reported. It reads:".to_owned(),
            Some(c.body.clone()),
            ("Read the correction", ctx.url(&format!("/articles/{}/corrections#correction-{}", c.article_id, c.id))),
        ),
        (Status::NoChange, _) => (
            if appeal { "Your appeal was decided" } else { "Your correction report was decided" }.to_owned(),
            "The editors reviewed the passage and decided it stands as published. Their reason:".to_owned(),
            reason.map(str::to_owned),
            ("See your report", track),
        ),
        (Status::Rejected, _) => (
            if appeal { "Your appeal was decided" } else { "Your correction report was decided" }.to_owned(),
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
        _ => return Ok(()),
    };
    let mut paragraphs = vec![first];
    if !appeal && matches!(to_status, Status::NoChange | Status::Rejected) {
        paragraphs.push("If you disagree, you can appeal once from your report's page.".into());
    }
    let v = view(ctx, paragraphs, quote, Some((action.0, action.1)));
    let kind = if appeal { "appeal_outcome" } else { "reader_outcome" };
    enqueue(conn, ctx, Outgoing { kind, to, subject, view: v }, now)
}

/// To an editor: a ticket was assigned to them.
pub fn assignment(
    conn: &mut DbConnection,
    ctx: &Context,
    report: &Report,
    assignee: &User,
    by: &Actor,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if assignee.id == by.id {
        return Ok(());
    }
    let paragraphs = vec![format!(
        "{} assigned report #{} to you. Its response deadline is {} UTC.",
        by.name,
        report.id,
        report.deadline_at.format("%-d %B %Y, %H:%M")
    )];
    let v = view(
        ctx,
        paragraphs,
        Some(report.quote.clone()),
        Some(("Open the ticket", ctx.url(&format!("/desk/reports/{}", report.id)))),
    );
    let subject = format!("Report #{} is assigned to you", report.id);
    enqueue(conn, ctx, Outgoing { kind: "assignment", to: assignee.email.clone(), subject, view: v }, now)
}

/// To every standards editor: a new report of high or legal severity.
pub fn urgent(
    conn: &mut DbConnection,
    ctx: &Context,
    report: &Report,
    article: &Article,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for editor in staff_with(conn, Role::StandardsEditor)? {
        let paragraphs = vec![format!(
            "A {} report of severity {} arrived on \u{201c}{}\u{201d}. It must be answered by {} UTC.",
            report.category.replace('_', " "),
            report.severity,
            article.title,
            report.deadline_at.format("%-d %B %Y, %H:%M")
        )];
        let v = view(
            ctx,
            paragraphs,
            Some(report.quote.clone()),
            Some(("Open the ticket", ctx.url(&format!("/desk/reports/{}", report.id)))),
        );
        let subject = format!("Urgent: {} report #{}", report.severity, report.id);
        enqueue(conn, ctx, Outgoing { kind: "urgent_report", to: editor.email, subject, view: v }, now)?;
    }
    Ok(())
}

/// To every standards editor but the author: a correction waits for approval.
pub fn approval_request(
    conn: &mut DbConnection,
    ctx: &Context,
    c: &Correction,
    author: &Actor,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for editor in staff_with(conn, Role::StandardsEditor)?.into_iter().filter(|u| u.id != author.id) {
        let paragraphs = vec![format!(
            "{} drafted a {} that needs a second standards editor's approval before it is published:",
            author.name,
            c.kind.replace('_', " ")
        )];
        let v = view(ctx, paragraphs, Some(c.body.clone()), Some(("Review it", ctx.url("/desk/corrections"))));
        let subject = format!("Correction #{} awaits your approval", c.id);
        enqueue(conn, ctx, Outgoing { kind: "approval_request", to: editor.email, subject, view: v }, now)?;
    }
    Ok(())
}

/// To every confirmed subscriber of the article: a correction was published.
pub fn subscribers(conn: &mut DbConnection, ctx: &Context, c: &Correction, now: NaiveDateTime) -> Result<(), AppError> {
    let article = crate::domain::articles::get(conn, &c.article_id)?;
    let subs: Vec<(String, String)> = subscriptions::table
        .filter(subscriptions::article_id.eq(&c.article_id))
        .filter(subscriptions::status.eq("active"))
        .select((subscriptions::email, subscriptions::unsubscribe_token))
        .load(conn)?;
    for (email, unsubscribe) in subs {
        let paragraphs = vec![format!(
            "We published a {} to \u{201c}{}\u{201d}, which you asked us to tell you about:",
            c.kind.replace('_', " "),
            article.title
        )];
        let mut v = view(
            ctx,
            paragraphs,
            Some(c.body.clone()),
            Some(("Read it", ctx.url(&format!("/articles/{}/corrections#correction-{}", c.article_id, c.id)))),
        );
        v.unsubscribe = Some(ctx.url(&format!("/subscriptions/{unsubscribe}/unsubscribe")));
        let subject = format!("Correction to \u{201c}{}\u{201d}", article.title);
        enqueue(conn, ctx, Outgoing { kind: "subscriber_correction", to: email, subject, view: v }, now)?;
    }
    Ok(())
}

/// To someone who asked to subscribe: confirm first (double opt-in).
pub fn confirm_subscription(
    conn: &mut DbConnection,
    ctx: &Context,
    email: &str,
    article: &Article,
    token: &str,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let paragraphs = vec![
        format!("Someone, hopefully you, asked to be told when \u{201c}{}\u{201d} is corrected.", article.title),
        "Nothing happens unless you confirm. If it was not you, ignore this message.".into(),
    ];
    let v = view(ctx, paragraphs, None, Some(("Confirm", ctx.url(&format!("/subscriptions/{token}/confirm")))));
    enqueue(
        conn,
        ctx,
        Outgoing {
            kind: "subscription_confirm",
            to: email.to_owned(),
            subject: "Confirm: tell me if this article is corrected".into(),
            view: v,
        },
        now,
    )
}

/// To an editor: their overdue tickets, once a day.
pub fn digest(
    conn: &mut DbConnection,
    ctx: &Context,
    user: &User,
    overdue: &[Report],
    now: NaiveDateTime,
) -> Result<(), AppError> {
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
    enqueue(conn, ctx, Outgoing { kind: "digest", to: user.email.clone(), subject, view: v }, now)
}
