//! The hash-chained public log: its signed checkpoint and its entries, and nothing else.

use actix_web::{HttpRequest, HttpResponse};

use crate::db::models::LogEntry;
use crate::domain::keys::KeyRange;
use crate::domain::verify::{Checkpoint, Entry};
use crate::error::AppError;
use crate::web::errors::ErrorBody;
use crate::web::extract::{api_query_pairs, last_value};
use crate::web::State;

/// Most entries per page of `/api/v1/log/entries`.
const ENTRIES_PAGE: i64 = 1000;

/// The current signed checkpoint of the public log.
#[utoipa::path(
    get, path = "/api/v1/log/checkpoint", tag = "log",
    responses(
        (status = 200, description = "The signed checkpoint", body = Checkpoint),
        (status = 503, description = "The log failed verification; nothing is signed", body = ErrorBody),
    )
)]
pub async fn checkpoint(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    // A log found broken since the last answer must be refused at once, not served from memory;
    // just after start-up the first full check may still be running.
    let _ = actix_web::rt::time::timeout(std::time::Duration::from_secs(10), state.log.wait_checked()).await;
    state.log.usable()?;
    state
        .public
        .answer(&state.db, &req, || async {
            let st = state.clone();
            let cp = state.db.read(move |c| st.log.checkpoint(c)).await?;
            Ok(HttpResponse::Ok().insert_header(("Access-Control-Allow-Origin", "*")).json(cp))
        })
        .await
}

/// A page of log entries.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EntriesPage {
    /// Entries `from <= index < to` (perhaps fewer).
    pub items: Vec<Entry>,
    /// The index to ask from next, or null when the range is done.
    pub next: Option<i64>,
}

/// An index of the query, `default` when absent.
fn index(field: &str, raw: Option<&str>, default: i64) -> Result<i64, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| AppError::invalid(field, format!("{s:?} is not an index (0 or more)"))),
    }
}

/// Entries of the public log, `from <= index < to`; a server may return fewer: ask again from `next`.
#[utoipa::path(
    get, path = "/api/v1/log/entries", tag = "log",
    params(
        ("from" = Option<i64>, Query, description = "First index (default 0)", minimum = 0),
        ("to" = Option<i64>, Query, description = "One past the last index (default: the log's size); at most the log's size, and a `to` below `from` asks for nothing", minimum = 0),
    ),
    responses(
        (status = 200, description = "The entries", body = EntriesPage),
        (status = 409, description = "`to` is past the end of the log", body = ErrorBody),
        (status = 422, description = "`from` or `to` is not an index (0 or more)", body = ErrorBody),
    )
)]
pub async fn entries(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    // Read by hand, not with `web::Query`, whose refusals (e.g. a repeated `from`) are not JSON.
    let pairs = api_query_pairs(&req, &["from", "to"])?;
    let (from, to) = (last_value(&pairs, "from").to_owned(), last_value(&pairs, "to").to_owned());
    state.public.answer(&state.db, &req, || render_entries(&state, from, to)).await
}

/// The entries the query asks for, at most a page of them.
async fn render_entries(state: &State, from: String, to: String) -> Result<HttpResponse, AppError> {
    let size = state.db.read(|c| Ok(LogEntry::head(c)?.map_or(0, |h| h.idx + 1))).await?;
    let from = index("from", Some(&from), 0)?;
    let to = index("to", Some(&to), size)?;
    // Past the end is a log shorter than the client believes (perhaps one rewritten): a
    // conflict with its state, said plainly rather than answered with fewer entries.
    if to > size {
        return Err(AppError::Conflict(format!("to is past the end of the log, which has {size} entries")));
    }
    // A reversed range is empty, as `from == to` is: no schema can say `from <= to`.
    let from = from.min(to);
    let end = to.min(from + ENTRIES_PAGE);
    let rows = state.db.read(move |c| Ok(LogEntry::range(c, from, end)?)).await?;
    let items = rows.into_iter().map(|e| Entry { index: e.idx, canonical: e.canonical, hash: e.hash }).collect();
    let page = EntriesPage { items, next: (end < to).then_some(end) };
    Ok(HttpResponse::Ok().insert_header(("Access-Control-Allow-Origin", "*")).json(page))
}

/// The keys that have signed the log.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct KeysList {
    /// Oldest first; the last is the active key (no `until_size`).
    pub items: Vec<KeyRange>,
}

/// Every key that has signed checkpoints of the log, and the sizes each signs.
///
/// A checkpoint of size `n` is valid under a key whose `from_size <= n` and, unless it is the
/// active key, `n <= until_size`: at a rotation both keys sign the checkpoint of that size.
#[utoipa::path(
    get, path = "/api/v1/log/keys", tag = "log",
    responses((status = 200, description = "The key history, oldest first", body = KeysList))
)]
pub async fn keys(state: State, req: HttpRequest) -> Result<HttpResponse, AppError> {
    state
        .public
        .answer(&state.db, &req, || async {
            let items = state.db.read(crate::domain::keys::history).await?;
            Ok(HttpResponse::Ok().insert_header(("Access-Control-Allow-Origin", "*")).json(KeysList { items }))
        })
        .await
}
