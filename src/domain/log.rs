//! The public, hash-chained correction log.
//!
//! Entry `n` carries `canonical`, the correction as RFC 8785 canonical JSON, and
//! `hash_n = SHA-256(raw hash_{n-1} || canonical_n)` with 32 zero bytes before the first.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use super::articles::rfc3339;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use super::signing::LogKey;
use super::verify::{self, Checkpoint, Failure};
use crate::db::models::{Correction, LogEntry, Standard};
use crate::db::{lock_log, DbConnection};
use crate::error::AppError;

/// The hash before the first entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// `SHA-256(previous || canonical)`, lowercase hex.
pub fn chain_hash(previous: &[u8; 32], canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(canonical.as_bytes());
    hex::encode(hasher.finalize())
}

/// Decodes a hex hash into raw bytes.
pub fn raw_hash(hex_hash: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_hash).ok()?;
    bytes.try_into().ok()
}

/// The canonical JSON of a published correction: keys sorted, no whitespace, no reader data.
///
/// serde_json's object map is sorted and its compact output escapes strings the
/// way RFC 8785 does for the values we store (text, integers, null).
pub fn canonical(correction: &Correction, standards: &[Standard], published_at: NaiveDateTime) -> String {
    let standards: Vec<serde_json::Value> =
        standards.iter().map(|s| serde_json::json!({ "code": s.code, "version": s.version })).collect();
    serde_json::json!({
        "id": correction.id,
        "article_id": correction.article_id,
        "kind": correction.kind,
        "text": correction.body,
        "original": correction.original,
        "corrected": correction.corrected,
        "standards": standards,
        "published_at": rfc3339(published_at),
        "supersedes": correction.supersedes,
    })
    .to_string()
}

/// Appends a just-published correction to the log (inside the publishing transaction).
pub fn append(
    conn: &mut DbConnection,
    correction: &Correction,
    standards: &[Standard],
    published_at: NaiveDateTime,
) -> Result<LogEntry, AppError> {
    lock_log(conn)?;
    let head = LogEntry::head(conn)?;
    let (idx, previous) = match &head {
        Some(h) => {
            let raw = raw_hash(&h.hash)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("log entry {} has a malformed hash", h.idx)))?;
            (h.idx + 1, raw)
        }
        None => (0, GENESIS),
    };
    let canonical = canonical(correction, standards, published_at);
    let entry = LogEntry {
        idx,
        correction_id: correction.id,
        hash: chain_hash(&previous, &canonical),
        canonical,
        created_at: published_at,
    };
    entry.insert(conn)?;
    Ok(entry)
}

/// Guards the signing key: checkpoints are signed only over a chain that verified.
///
/// Nothing is signed until a full check (entries, chain and correction rows) has passed
/// since start-up; that check runs beside the server, so a large log does not delay start.
pub struct LogGuard {
    key: LogKey,
    state: Mutex<GuardState>,
    /// Set once the first full check has finished (passed or not).
    checked: AtomicBool,
    checked_now: tokio::sync::Notify,
    /// Set when the server stops: a check under way ends after its current batch.
    stopping: AtomicBool,
}

#[derive(Default)]
struct GuardState {
    /// Entries verified so far and the raw hash of the last of them.
    verified: i64,
    head: Option<[u8; 32]>,
    /// The first problem found, once found.
    broken: Option<Failure>,
}

impl LogGuard {
    /// A guard over `key`; nothing is verified yet.
    pub fn new(key: LogKey) -> Self {
        Self {
            key,
            state: Mutex::new(GuardState::default()),
            checked: AtomicBool::new(false),
            checked_now: tokio::sync::Notify::new(),
            stopping: AtomicBool::new(false),
        }
    }

    /// The signing key.
    pub fn key(&self) -> &LogKey {
        &self.key
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GuardState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Asks a check under way to end after its current batch (the server is stopping).
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Recomputes the whole chain and every entry against its correction; a failure is logged loudly.
    pub fn full_check(&self, conn: &mut DbConnection) -> Result<Result<(), Failure>, AppError> {
        let go_on = || !self.stopping.load(Ordering::SeqCst);
        let outcome = match verify::database_from(conn, 0, GENESIS, &go_on)? {
            Ok(_) if !go_on() => return Ok(Ok(())),
            Ok((size, head)) => match Correction::published_count(conn)? {
                published if published != size => Err(Failure {
                    index: None,
                    reason: format!("{published} corrections are published but the log has {size} entries"),
                }),
                _ => Ok((size, head)),
            },
            Err(failure) => Err(failure),
        };
        self.record(&outcome, true);
        self.checked.store(true, Ordering::SeqCst);
        self.checked_now.notify_waiters();
        Ok(outcome.map(drop))
    }

    /// Checks the entries added since the last verified one, each against its correction row.
    pub fn incremental_check(&self, conn: &mut DbConnection) -> Result<Result<(), Failure>, AppError> {
        let (from, head) = {
            let state = self.lock();
            if let Some(failure) = &state.broken {
                return Ok(Err(failure.clone()));
            }
            (state.verified, state.head.unwrap_or(GENESIS))
        };
        let go_on = || !self.stopping.load(Ordering::SeqCst);
        let outcome = verify::database_from(conn, from, head, &go_on)?;
        self.record(&outcome, false);
        Ok(outcome.map(drop))
    }

    /// Keeps what a check found: how far the log is verified, or the first failure.
    fn record(&self, outcome: &Result<(i64, [u8; 32]), Failure>, full: bool) {
        let mut state = self.lock();
        match outcome {
            Ok((size, head)) if full || *size >= state.verified => {
                *state = GuardState { verified: *size, head: Some(*head), broken: None };
            }
            Ok(_) => {}
            Err(failure) => {
                tracing::error!(first_bad_index = ?failure.index, "THE PUBLIC CORRECTION LOG FAILED VERIFICATION: {failure}; checkpoints will not be signed");
                state.broken = Some(failure.clone());
            }
        }
    }

    /// Waits for the first full check since start-up (the caller bounds the wait).
    pub async fn wait_checked(&self) {
        loop {
            let mut checked = std::pin::pin!(self.checked_now.notified());
            checked.as_mut().enable();
            if self.checked.load(Ordering::SeqCst) {
                return;
            }
            checked.await;
        }
    }

    /// Whether a checkpoint may be signed now: the log passed its full check and nothing failed since.
    pub fn usable(&self) -> Result<(), AppError> {
        if let Some(failure) = &self.lock().broken {
            return Err(refusal(failure));
        }
        if !self.checked.load(Ordering::SeqCst) {
            return Err(AppError::Unavailable(
                "the correction log is still being verified after start-up; no checkpoint is signed until it has passed"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Signs a checkpoint over the current log, after verifying the entries added since the last check.
    pub fn checkpoint(&self, conn: &mut DbConnection) -> Result<Checkpoint, AppError> {
        self.usable()?;
        let (from, head) = {
            let state = self.lock();
            (state.verified, state.head)
        };
        let size = LogEntry::head(conn)?.map_or(0, |h| h.idx + 1);
        let fresh = LogEntry::range(conn, from, size)?;
        let mut previous = head.unwrap_or(GENESIS);
        for (offset, e) in fresh.iter().enumerate() {
            let i = from + offset as i64;
            let expected = chain_hash(&previous, &e.canonical);
            if e.idx != i || expected != e.hash {
                let failure = Failure { index: Some(i), reason: "does not extend the verified chain".into() };
                tracing::error!(first_bad_index = i, "THE PUBLIC CORRECTION LOG FAILED VERIFICATION: {failure}");
                self.lock().broken = Some(failure.clone());
                return Err(refusal(&failure));
            }
            previous = raw_hash(&expected).unwrap_or(GENESIS);
        }
        let head_hash = if size == 0 { hex::encode(GENESIS) } else { hex::encode(previous) };
        {
            let mut state = self.lock();
            if state.verified < size {
                state.verified = size;
                state.head = Some(previous);
            }
        }
        Ok(Checkpoint {
            size,
            signature: self.key.sign_checkpoint(size, &head_hash),
            head_hash,
            public_key: self.key.public_key(),
        })
    }
}

fn refusal(failure: &Failure) -> AppError {
    AppError::Unavailable(format!(
        "the correction log failed verification ({failure}); no checkpoint is signed until it is repaired"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_has_sorted_keys_and_no_spaces() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(13, 5, 0).unwrap();
        let c = Correction {
            redrafts: None,
            id: 7,
            article_id: "a1".into(),
            kind: crate::db::vocabulary::Kind::Correction,
            body: "It said \"four\"; it is three.\n".into(),
            original: None,
            corrected: Some("three-year".into()),
            headline: false,
            supersedes: None,
            status: crate::db::vocabulary::CorrectionStatus::Published,
            created_by: 1,
            created_at: t,
            approved_by: None,
            published_by: Some(1),
            published_at: Some(t),
            // Staff-only: a cause and how it was found never reach the public entry.
            cause: crate::db::vocabulary::Cause::Editing,
            found: crate::db::vocabulary::Found::Subject,
        };
        let s = Standard {
            id: 1,
            code: "accuracy".into(),
            version: 2,
            title: "Accuracy".into(),
            body: String::new(),
            created_at: t,
            created_by: None,
        };
        assert_eq!(
            canonical(&c, &[s], t),
            r#"{"article_id":"a1","corrected":"three-year","id":7,"kind":"correction","original":null,"published_at":"2026-11-28T13:05:00Z","standards":[{"code":"accuracy","version":2}],"supersedes":null,"text":"It said \"four\"; it is three.\n"}"#
        );
    }

    #[test]
    fn the_chain_starts_from_zero_bytes() {
        assert_eq!(chain_hash(&GENESIS, "{}"), hex::encode(Sha256::digest([[0u8; 32].as_slice(), b"{}"].concat())));
        assert_eq!(raw_hash(&chain_hash(&GENESIS, "x")).map(hex::encode), Some(chain_hash(&GENESIS, "x")));
    }
}
