//! Correctives for syndication partners: when a correction is published, each partner of each
//! syndication channel its error went to gets an email in the wire services' "corrective" style
//! (the headline, the correction, what was wrong, the article's address). Each message is
//! recorded as a delivery of its checklist item, which is done once every one was delivered.

use chrono::NaiveDateTime;
use corrigenda_templates::EmailView;

use super::{enqueue, Context, Outgoing};
use crate::db::models::Correction;
use crate::db::DbConnection;
use crate::domain::articles;
use crate::domain::channels::{self, ChannelVia};
use crate::domain::notices::Notice;
use crate::error::AppError;

/// Queues the correctives a notice calls for (only a published correction's), in its transaction.
pub fn correctives(
    conn: &mut DbConnection,
    ctx: &Context,
    notice: &Notice,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let Notice::CorrectionPublished { correction: note } = notice else { return Ok(()) };
    let targets = channels::mail_targets(conn, note.id.0)?;
    if targets.is_empty() {
        return Ok(());
    }
    let Some(c) = Correction::find(conn, note.id.0)? else { return Ok(()) };
    let article = articles::get(conn, &c.article_id)?;
    for (channel_id, partners) in targets {
        for partner in partners {
            let message = corrective(ctx, &c, &article.title, &article.url, partner);
            let id = enqueue(conn, ctx, message, now)?;
            channels::record_delivery(conn, ChannelVia::Mail, id, c.id, channel_id)?;
        }
    }
    Ok(())
}

/// One partner's corrective.
fn corrective(ctx: &Context, c: &Correction, title: &str, url: &str, to: String) -> Outgoing {
    let kind = c.kind.label();
    let mut paragraphs = vec![
        format!("CORRECTIVE: {title}"),
        format!(
            "{} has published a {} to this story, which you received from us. Please use the corrected \
             version, and correct any copy you published.",
            ctx.publication,
            kind.to_lowercase()
        ),
    ];
    match (&c.original, &c.corrected) {
        (Some(o), Some(n)) => paragraphs.push(format!(
            "What was wrong: the story said \u{201c}{o}\u{201d}. It should have said \u{201c}{n}\u{201d}."
        )),
        (Some(o), None) => paragraphs.push(format!("What was wrong: the story said \u{201c}{o}\u{201d}.")),
        _ => {}
    }
    paragraphs.push(format!("The story: {url}"));
    paragraphs.push(format!("The {} reads:", kind.to_lowercase()));
    let view = EmailView {
        publication: ctx.publication.clone(),
        paragraphs,
        quote: Some(c.body.clone()),
        action: Some((
            format!("Read the {}", kind.to_lowercase()),
            ctx.url(&format!("/articles/{}/corrections#correction-{}", c.article_id, c.id)),
        )),
        unsubscribe: None,
    };
    Outgoing { kind: "syndication_corrective", to, subject: format!("CORRECTIVE: {title}"), view }
}
