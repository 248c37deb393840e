//! Rendered public answers, kept in memory and reused while nothing they show has changed.
//!
//! The notice is embedded in every view of a publisher's article and the public log is read
//! by anyone: they carry the publisher's traffic. Every change to what they show (articles,
//! corrections, standards, the log) bumps `public_version` in the database, in the writing
//! transaction, by trigger. An answer is reused only while that number is what it was when
//! the answer was made; the number is read by a request that started after the request
//! being answered arrived, so a page is never older than a publication acknowledged before
//! it was asked for, by this instance or another on the same database. Concurrent requests
//! share one such read.

use std::sync::{Arc, Mutex};

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::public_version;
use crate::db::Db;
use crate::domain::stats::{self, Period, Stats, StatsQuery};
use crate::error::AppError;

/// An answer as it was sent.
struct Stored {
    version: i64,
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    etag: HeaderValue,
    body: Bytes,
}

/// Weighs a stored answer by its size.
#[derive(Clone)]
struct BySize;

impl quick_cache::Weighter<String, Arc<Stored>> for BySize {
    fn weight(&self, key: &String, stored: &Arc<Stored>) -> u64 {
        (key.len() + stored.body.len() + 256) as u64
    }
}

/// The public answers this instance has made, and the version they were made at.
pub struct PublicCache {
    answers: quick_cache::sync::Cache<String, Arc<Stored>, BySize>,
    version: VersionGate,
}

impl PublicCache {
    /// A cache of at most about `bytes` of answers.
    pub fn new(bytes: u64) -> Self {
        Self {
            answers: quick_cache::sync::Cache::with_weighter((bytes / 8192).max(64) as usize, bytes, BySize),
            version: VersionGate::default(),
        }
    }

    /// The answer to `req`: the stored one if still current, else `render`'s (stored when 200).
    ///
    /// Adds an `ETag`, answers `If-None-Match` with 304, and gives pages without a
    /// `Cache-Control` of their own `no-cache`, so browsers revalidate.
    pub async fn answer<F, Fut>(&self, db: &Db, req: &HttpRequest, render: F) -> Result<HttpResponse, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<HttpResponse, AppError>>,
    {
        self.answer_variant(db, req, "", render).await
    }

    /// As [`Self::answer`], for an address that answers in more than one form (named by
    /// `variant`, e.g. the notice framed or inlined): each form is kept apart.
    pub async fn answer_variant<F, Fut>(
        &self,
        db: &Db,
        req: &HttpRequest,
        variant: &str,
        render: F,
    ) -> Result<HttpResponse, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<HttpResponse, AppError>>,
    {
        let version = self.version.current(db).await?;
        let mut key = match req.query_string() {
            "" => req.path().to_owned(),
            query => format!("{}?{query}", req.path()),
        };
        if !variant.is_empty() {
            key = format!("{variant} {key}");
        }
        if let Some(stored) = self.answers.get(&key).filter(|s| s.version == version) {
            return Ok(respond(&stored, req));
        }
        let response = render().await?;
        if response.status() != StatusCode::OK {
            return Ok(response);
        }
        let (head, body) = response.into_parts();
        let body = actix_web::body::to_bytes(body).await.map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        let mut headers: Vec<(HeaderName, HeaderValue)> =
            head.headers().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        if !headers.iter().any(|(k, _)| k == header::CACHE_CONTROL) {
            headers.push((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")));
        }
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
        let stored = Arc::new(Stored {
            version,
            status: head.status(),
            headers,
            etag: HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.into()))?,
            body,
        });
        self.answers.insert(key, stored.clone());
        Ok(respond(&stored, req))
    }
}

/// A stored answer, or 304 when the client has it already.
fn respond(stored: &Stored, req: &HttpRequest) -> HttpResponse {
    let etag = stored.etag.to_str().unwrap_or_default();
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::build(stored.status).body(stored.body.clone())
    };
    let headers = response.headers_mut();
    for (k, v) in &stored.headers {
        if !(fresh && k == header::CONTENT_TYPE) {
            headers.insert(k.clone(), v.clone());
        }
    }
    headers.insert(header::ETAG, stored.etag.clone());
    response
}

/// Reads `public_version`, sharing one read among requests that arrive while it runs.
///
/// A request is answered by a read that *started* after it arrived: a read already under
/// way might have missed a commit acknowledged just before the request came.
#[derive(Default)]
struct VersionGate {
    state: Mutex<Gate>,
    done: tokio::sync::Notify,
}

#[derive(Default)]
struct Gate {
    /// Reads started so far; the newest is under way while `reading`.
    started: u64,
    /// The newest read that finished, and what it read.
    finished: u64,
    value: i64,
    reading: bool,
}

impl VersionGate {
    fn lock(&self) -> std::sync::MutexGuard<'_, Gate> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn current(&self, db: &Db) -> Result<i64, AppError> {
        let need = self.lock().started + 1;
        loop {
            let mut done = std::pin::pin!(self.done.notified());
            done.as_mut().enable();
            let mine = {
                let mut gate = self.lock();
                if gate.finished >= need {
                    return Ok(gate.value);
                }
                if gate.reading {
                    None
                } else {
                    gate.reading = true;
                    gate.started += 1;
                    Some(gate.started)
                }
            };
            let Some(mine) = mine else {
                done.await;
                continue;
            };
            // Whatever happens to this request (an error, a dropped connection), the next may read.
            let reading = Reading(self);
            let read = db.read(|c| Ok(public_version::table.find(1).select(public_version::n).first::<i64>(c)?)).await;
            if let Ok(value) = &read {
                let mut gate = self.lock();
                if gate.finished < mine {
                    gate.finished = mine;
                    gate.value = *value;
                }
            }
            drop(reading);
            return read;
        }
    }
}

/// Marks the gate free again and wakes the waiters when a read ends, however it ends.
struct Reading<'a>(&'a VersionGate);

impl Drop for Reading<'_> {
    fn drop(&mut self) {
        self.0.lock().reading = false;
        self.0.done.notify_waiters();
    }
}

/// The public figures (`/transparency`, `GET /api/v1/stats`), reused while nothing they are
/// counted from has changed.
///
/// Counting a year of a large newsroom's reports takes a second or more, and the page is
/// public. A figure is reused only under the same query, period and
/// [`stats::data_version`], read before counting: an answer is never older than a change
/// acknowledged before it was asked for. One count runs at a time, so a burst of visitors
/// waits for the first count rather than each scanning the same rows.
pub struct FiguresCache {
    answers: quick_cache::sync::Cache<String, Arc<Stats>>,
    counting: tokio::sync::Mutex<()>,
}

impl Default for FiguresCache {
    fn default() -> Self {
        Self { answers: quick_cache::sync::Cache::new(FIGURES_KEPT), counting: tokio::sync::Mutex::new(()) }
    }
}

/// Different public figures kept: periods and filters visitors ask for.
const FIGURES_KEPT: usize = 256;

impl FiguresCache {
    /// The public figures for `query` over `period`: kept ones while current, else counted.
    /// Waiting longer than `wait` for another count is a 503 with `Retry-After`.
    pub async fn public(
        &self,
        db: &Db,
        query: StatsQuery,
        period: Period,
        now: chrono::NaiveDateTime,
        wait: std::time::Duration,
    ) -> Result<Stats, AppError> {
        let version = db.read(stats::data_version).await?;
        let key = format!("{query:?}|{period:?}|{version:?}");
        if let Some(kept) = self.answers.get(&key) {
            return Ok((*kept).clone());
        }
        let Ok(_turn) = actix_web::rt::time::timeout(wait, self.counting.lock()).await else {
            return Err(AppError::TryLater {
                retry_after_secs: crate::error::RETRY_AFTER_SECS,
                message: "the figures are being counted; please try again in a few seconds".into(),
            });
        };
        // Counted by the request this one waited for.
        if let Some(kept) = self.answers.get(&key) {
            return Ok((*kept).clone());
        }
        let figures = db.read(move |c| stats::compute(c, &query, &period, false, now)).await?;
        self.answers.insert(key, Arc::new(figures.clone()));
        Ok(figures)
    }
}
