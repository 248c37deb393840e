//! The public, hash-chained correction log.
//!
//! Entry `n` carries `canonical`, the correction as RFC 8785 canonical JSON, and
//! `hash_n = SHA-256(raw hash_{n-1} || canonical_n)` with 32 zero bytes before the first.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use super::articles::rfc3339;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Mutex;

use super::signing::LogKey;
use super::verify::{self, Checkpoint, Failure};
use crate::db::models::{Correction, LogEntry, LogKeyRow, Standard};
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
pub fn canonical(correction: &Correction, standards: &[Standard], published_at: NaiveDateTime) -> String {
    let standards: Vec<serde_json::Value> =
        standards.iter().map(|s| serde_json::json!({ "code": s.code, "version": s.version })).collect();
    canonical_json(&serde_json::json!({
        "id": correction.id,
        "article_id": correction.article_id,
        "kind": correction.kind,
        "text": correction.body,
        "original": correction.original,
        "corrected": correction.corrected,
        "standards": standards,
        "published_at": rfc3339(published_at),
        "supersedes": correction.supersedes,
    }))
}

/// `value` as RFC 8785 canonical JSON: no white space, object keys sorted by their UTF-16 code
/// units, numbers as ECMAScript writes them, strings escaped only where JSON requires.
///
/// serde_json's own output sorts keys by UTF-8 bytes and writes `1.0` and `1e21` where the RFC
/// has `1` and `1e+21`; its string escapes are the RFC's. The log's integers (ids, versions)
/// stay far below 2^53, where a double holds them exactly, so they are written as before.
pub fn canonical_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Null | Value::Bool(_) | Value::String(_) => out.push_str(&value.to_string()),
        // Every JSON number is a double to RFC 8785, integers too.
        Value::Number(n) => match n.as_f64() {
            Some(f) => out.push_str(&ecmascript_number(f)),
            None => out.push_str(&n.to_string()),
        },
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(fields) => {
            let mut sorted: Vec<(&String, &Value)> = fields.iter().collect();
            sorted.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
    }
}

/// A finite double as ECMAScript's Number::toString writes it (RFC 8785, section 3.2.2.3).
fn ecmascript_number(f: f64) -> String {
    // JSON has no infinities or NaN, so they never get here; minus zero is written 0.
    ryu_js::Buffer::new().format_finite(f).to_owned()
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
    /// The key that signs now; replaced when the key history says another took over.
    key: std::sync::RwLock<LogKey>,
    /// Its file, read again after a rotation by another process.
    path: Option<std::path::PathBuf>,
    state: Mutex<GuardState>,
    /// Set once the first full check has finished (passed or not).
    checked: AtomicBool,
    checked_now: tokio::sync::Notify,
    /// Set when the server stops: a check under way ends after its current batch.
    stopping: AtomicBool,
    /// When a check last passed, in Unix seconds; 0 until one has.
    last_passed: AtomicI64,
}

/// What the checks of the public log found so far, for readiness and metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogState {
    /// The first full check since start-up has not finished.
    Pending,
    /// The full check passed and nothing failed since.
    Verified,
    /// A check failed: no checkpoint is signed.
    Broken(String),
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
            key: std::sync::RwLock::new(key),
            path: None,
            state: Mutex::new(GuardState::default()),
            checked: AtomicBool::new(false),
            checked_now: tokio::sync::Notify::new(),
            stopping: AtomicBool::new(false),
            last_passed: AtomicI64::new(0),
        }
    }

    /// Whether the log verified: pending until the first full check ends, broken once one failed.
    pub fn state(&self) -> LogState {
        if let Some(failure) = &self.lock().broken {
            return LogState::Broken(failure.to_string());
        }
        if self.checked.load(Ordering::SeqCst) {
            LogState::Verified
        } else {
            LogState::Pending
        }
    }

    /// When a full or incremental check last passed (Unix seconds), if one has since start-up.
    pub fn last_passed(&self) -> Option<i64> {
        Some(self.last_passed.load(Ordering::SeqCst)).filter(|t| *t > 0)
    }

    /// A guard over `key`, read from `path`: when the key history names another active key
    /// (`corrigenda log rotate-key` ran), the file is read again before the next signature.
    pub fn with_file(key: LogKey, path: std::path::PathBuf) -> Self {
        Self { path: Some(path), ..Self::new(key) }
    }

    /// The signing key as last loaded.
    pub fn key(&self) -> LogKey {
        self.key.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether a checkpoint could be signed with the key held now (the key file is read again
    /// when the history names another active key); the refusal says why not.
    pub fn key_ready(&self, conn: &mut DbConnection) -> Result<(), AppError> {
        self.signer(conn).map(drop)
    }

    /// The key to sign with: the active key of the history (the loaded one when none is recorded).
    fn signer(&self, conn: &mut DbConnection) -> Result<LogKey, AppError> {
        let loaded = self.key();
        let Some(active) = LogKeyRow::active(conn)? else {
            return Ok(loaded);
        };
        if active.public_key == loaded.public_key() {
            return Ok(loaded);
        }
        if let Some(fresh) = self.path.as_deref().and_then(|p| LogKey::load_existing(p).ok()) {
            if fresh.public_key() == active.public_key {
                tracing::info!(public_key = %active.public_key, "the log signing key was rotated; signing with the new key");
                *self.key.write().unwrap_or_else(|p| p.into_inner()) = fresh.clone();
                return Ok(fresh);
            }
        }
        Err(AppError::Unavailable(format!(
            "the log's active signing key is {}, but this server holds {}; no checkpoint is signed until the key file holds the active key",
            active.public_key,
            loaded.public_key()
        )))
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
            Ok((size, head)) => {
                if full || *size >= state.verified {
                    *state = GuardState { verified: *size, head: Some(*head), broken: None };
                }
                self.last_passed.store(chrono::Utc::now().timestamp(), Ordering::SeqCst);
            }
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
        let key = self.signer(conn)?;
        {
            let mut state = self.lock();
            if state.verified < size {
                state.verified = size;
                state.head = Some(previous);
            }
        }
        Ok(Checkpoint {
            size,
            signature: key.sign_checkpoint(size, &head_hash),
            head_hash,
            public_key: key.public_key(),
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
    fn numbers_are_written_as_the_rfc_8785_vectors_say() {
        // RFC 8785, appendix B.
        for (bits, written) in [
            (0x0000000000000000_u64, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ] {
            assert_eq!(ecmascript_number(f64::from_bits(bits)), written, "{bits:#018x}");
        }
    }

    #[test]
    fn keys_are_sorted_by_utf16_code_units() {
        // RFC 8785, section 3.2.3: U+10000 is D800 DC00 in UTF-16, before U+E000 (UTF-8 puts it after).
        let v = serde_json::json!({ "\u{e000}": 1, "\u{10000}": 2, "a": 3, "\r": 4, "1": 5 });
        assert_eq!(canonical_json(&v), "{\"\\r\":4,\"1\":5,\"a\":3,\"\u{10000}\":2,\"\u{e000}\":1}");
    }

    mod properties {
        use proptest::prelude::*;
        use serde_json::Value;

        use crate::db::vocabulary::{CorrectionStatus, Kind};
        use crate::domain::cases;
        use crate::domain::log::*;
        use crate::domain::verify::{chain, Entry};

        /// JSON of every kind, with hostile strings and numbers of every size.
        fn json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<u64>().prop_map(Value::from),
                any::<f64>().prop_filter("JSON has no NaN or infinity", |f| f.is_finite()).prop_map(Value::from),
                cases::text().prop_map(Value::from),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    proptest::collection::btree_map(cases::text(), inner, 0..6)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        /// The oracle: an independent RFC 8785 implementation.
        fn jcs(value: &Value) -> String {
            serde_json_canonicalizer::to_string(value).unwrap()
        }

        fn one_entry(canonical: &str) -> Vec<Entry> {
            vec![Entry { index: 0, canonical: canonical.to_owned(), hash: chain_hash(&GENESIS, canonical) }]
        }

        /// A published correction with hostile text, ids as storage gives them (below 2^53).
        fn correction() -> impl Strategy<Value = (Correction, Vec<Standard>, NaiveDateTime)> {
            let id = 1..(1_i64 << 53);
            let text = cases::text();
            let maybe = proptest::option::of(cases::text());
            (
                (id.clone(), text.clone(), text.clone(), maybe.clone(), maybe),
                (proptest::option::of(id), proptest::sample::select(Kind::ALL)),
                proptest::collection::vec((text, any::<i32>()), 0..4),
                0..253_402_300_799_i64,
            )
                .prop_map(
                    |((id, article_id, body, original, corrected), (supersedes, kind), cited, secs)| {
                        let at = chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default().naive_utc();
                        let correction = Correction {
                            redrafts: None,
                            id,
                            article_id,
                            kind,
                            body,
                            original,
                            corrected,
                            headline: false,
                            supersedes,
                            status: CorrectionStatus::Published,
                            created_by: 1,
                            created_at: at,
                            approved_by: None,
                            published_by: Some(1),
                            published_at: Some(at),
                            cause: crate::db::vocabulary::Cause::Other,
                            found: crate::db::vocabulary::Found::Staff,
                        };
                        let standards = cited
                            .into_iter()
                            .map(|(code, version)| Standard {
                                id: 1,
                                code,
                                version,
                                title: String::new(),
                                body: String::new(),
                                created_at: at,
                                created_by: None,
                            })
                            .collect();
                        (correction, standards, at)
                    },
                )
        }

        proptest! {
            #![proptest_config(cases::config(256))]

            #[test]
            fn a_log_entry_is_the_oracles_canonical_form_and_reads_back_as_itself(
                (c, standards, at) in correction()
            ) {
                let text = canonical(&c, &standards, at);
                let parsed: Value = serde_json::from_str(&text).unwrap();
                prop_assert_eq!(&canonical_json(&parsed), &text);
                prop_assert_eq!(&jcs(&parsed), &text);
                prop_assert_eq!(parsed["text"].as_str(), Some(c.body.as_str()));
                prop_assert!(chain(&one_entry(&text)).is_ok());
            }

            #[test]
            fn any_json_is_canonicalised_as_the_oracle_does(value in json()) {
                let text = canonical_json(&value);
                prop_assert_eq!(&text, &jcs(&value));
                let again: Value = serde_json::from_str(&text).unwrap();
                prop_assert_eq!(canonical_json(&again), text);
            }

            #[test]
            fn numbers_are_written_as_ecmascript_does(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
                prop_assert_eq!(ecmascript_number(f), jcs(&Value::from(f)));
            }

            #[test]
            fn the_verifier_takes_exactly_the_canonical_texts(value in json()) {
                // serde_json's own compact form, which differs from RFC 8785 for fractions,
                // large or small numbers and some keys: the verifier must refuse it then.
                let compact = value.to_string();
                let canonical_form = jcs(&serde_json::from_str(&compact).unwrap());
                prop_assert_eq!(chain(&one_entry(&compact)).is_ok(), compact == canonical_form);
                prop_assert!(chain(&one_entry(&canonical_form)).is_ok());
            }

            #[test]
            fn the_verifier_never_panics_on_any_text(text in cases::text()) {
                let _ = chain(&one_entry(&text));
            }
        }
    }

    #[test]
    fn the_chain_starts_from_zero_bytes() {
        assert_eq!(chain_hash(&GENESIS, "{}"), hex::encode(Sha256::digest([[0u8; 32].as_slice(), b"{}"].concat())));
        assert_eq!(raw_hash(&chain_hash(&GENESIS, "x")).map(hex::encode), Some(chain_hash(&GENESIS, "x")));
    }
}
