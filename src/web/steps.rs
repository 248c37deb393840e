//! What the API and the pages do alike: file a report, open a ticket, read the published corrections.

use crate::db::models::Article;
use crate::domain::accounts::Actor;
use crate::domain::articles;
use crate::domain::corrections::{self, CorrectionList, CorrectionView, ListingFilter};
use crate::domain::desk::{self, Ticket};
use crate::domain::notices::Notices;
use crate::domain::reports;
use crate::error::AppError;
use crate::web::{AppState, State};

/// Files a reader's report: checked with reads first, then written, committed together with
/// the other reports sent at the same moment.
pub async fn file_report(
    state: &State,
    article_id: String,
    input: reports::ReportInput,
    ip: std::net::IpAddr,
) -> Result<reports::Filed, AppError> {
    let now = state.now();
    let st = state.clone();
    state
        .db
        .read_then_write_grouped(
            move |c| reports::check(c, &article_id, &input),
            move |c, (article, report)| {
                let mut notices = Notices::default();
                let filed =
                    reports::record(c, &article, &report, &st.config.response_targets, &mut notices, now, || {
                        st.limiter.as_ref().map_or(Ok(()), |l| l.check(ip))
                    })?;
                crate::mail::notify(c, &st.mail, &notices, now)?;
                crate::mail::webhooks::notify(c, &st.hooks, &notices, now)?;
                Ok(filed)
            },
        )
        .await
}

/// Reads a ticket, then writes that the viewer has it open when that is due (reads stay reads).
pub async fn open_ticket(
    state: &AppState,
    id: i64,
    actor: &Actor,
    now: chrono::NaiveDateTime,
) -> Result<Ticket, AppError> {
    let viewer = actor.clone();
    let ticket = state.db.read(move |c| desk::ticket(c, id, &viewer, now)).await?;
    if ticket.presence_due {
        let viewer = actor.clone();
        state.db.write(move |c| desk::record_view(c, id, &viewer, now)).await?;
    }
    Ok(ticket)
}

/// An article with its published corrections.
pub async fn article_and_corrections(state: &AppState, id: String) -> Result<(Article, Vec<CorrectionView>), AppError> {
    state.db.read(move |c| Ok((articles::get(c, &id)?, corrections::for_article(c, &id)?))).await
}

/// A page of every published correction, filtered by the query `pairs`.
pub async fn site_corrections(state: &AppState, pairs: &[(String, String)]) -> Result<CorrectionList, AppError> {
    let filter = ListingFilter::parse(pairs)?;
    state.db.read(move |c| corrections::listing(c, &filter)).await
}

/// The transparency figures for query pairs (`from`, `to`, `section`, `standard`), with the
/// staff-only part when `internal`: the period in the publisher's time zone, bad input 422.
pub async fn stats(
    state: &AppState,
    pairs: &[(String, String)],
    internal: bool,
) -> Result<crate::domain::stats::Stats, AppError> {
    use chrono::TimeZone;
    let query = crate::domain::stats::StatsQuery::parse(pairs)?;
    let (now, tz) = (state.now(), state.config.timezone);
    let period = query.period(tz.from_utc_datetime(&now).date_naive(), tz)?;
    if !internal {
        return state.figures.public(&state.db, query, period, now, state.config.database.timeout).await;
    }
    state.db.read(move |c| crate::domain::stats::compute(c, &query, &period, internal, now)).await
}
