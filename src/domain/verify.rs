//! Verifying the public log: the same checks for a URL, an export file and the database.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::keys::{check_history, may_sign, KeyRange};
use super::log::{canonical, canonical_json, chain_hash, raw_hash, GENESIS};
use super::signing::verify_checkpoint;
use crate::db::models::{Correction, LogEntry, Standard};
use crate::db::DbConnection;
use crate::error::AppError;

/// One log entry as served and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Entry {
    /// Position in the log, from 0.
    pub index: i64,
    /// The correction as RFC 8785 canonical JSON: exactly the bytes hashed.
    pub canonical: String,
    /// `SHA-256(previous raw hash || canonical)`, lowercase hex.
    pub hash: String,
}

/// A signed statement of the log's size and head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Checkpoint {
    /// Number of entries.
    pub size: i64,
    /// Hash of the last entry (64 zeros for an empty log).
    pub head_hash: String,
    /// Ed25519 over `corrigenda-checkpoint\n{size}\n{head_hash}\n`, standard base64.
    pub signature: String,
    /// The signing key, standard base64.
    pub public_key: String,
}

/// A log export: every entry, a checkpoint over them, and the key history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Export {
    /// Every entry, in order.
    pub entries: Vec<Entry>,
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// The keys that have signed the log (absent from exports made before keys could rotate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<KeyRange>>,
}

/// Where verification failed: the first bad entry, when it is one entry's fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{reason}", .index.map(|i| format!("entry {i}: ")).unwrap_or_default())]
pub struct Failure {
    /// The first bad index.
    pub index: Option<i64>,
    /// What is wrong.
    pub reason: String,
}

fn fail(index: Option<i64>, reason: impl Into<String>) -> Failure {
    Failure { index, reason: reason.into() }
}

/// The head hash of an empty log.
pub fn empty_head() -> String {
    hex::encode(GENESIS)
}

/// Checks the chain: indexes in order from 0, canonical form, and each hash; returns the head hash.
pub fn chain(entries: &[Entry]) -> Result<String, Failure> {
    let mut previous = GENESIS;
    for (position, e) in entries.iter().enumerate() {
        previous = step(&previous, position as i64, &e.index, &e.canonical, &e.hash)?;
    }
    Ok(hex::encode(previous))
}

/// Checks one entry expected at index `i` after `previous`; gives its raw hash.
fn step(previous: &[u8; 32], i: i64, index: &i64, canonical: &str, hash: &str) -> Result<[u8; 32], Failure> {
    if *index != i {
        return Err(fail(Some(i), format!("has index {index}, expected {i}: an entry is missing or out of order")));
    }
    let reparsed = serde_json::from_str::<serde_json::Value>(canonical).map(|v| canonical_json(&v)).ok();
    if reparsed.as_deref() != Some(canonical) {
        return Err(fail(Some(i), "canonical is not canonical JSON"));
    }
    let expected = chain_hash(previous, canonical);
    if expected != hash {
        return Err(fail(Some(i), "hash does not match the entry's canonical text and the previous hash"));
    }
    raw_hash(&expected).ok_or_else(|| fail(Some(i), "malformed hash"))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Entries checked.
    pub size: i64,
    /// Head hash.
    pub head_hash: String,
    /// The key that signed the checkpoint.
    pub public_key: String,
}

impl std::fmt::Display for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "log verified: {} entries, head {}, signed by {}", self.size, self.head_hash, self.public_key)
    }
}

/// Which keys a verifier trusts to sign checkpoints.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// When any are given, only these keys (base64) are trusted.
    pub pins: Vec<String>,
    /// The log's key history, when the source has one: a checkpoint's key must be in it, for the
    /// checkpoint's size. Without one, a previous checkpoint must carry the same key as the new one
    /// (or both keys must be pinned).
    pub history: Option<Vec<KeyRange>>,
}

impl Trust {
    /// Trusting only `pin`.
    pub fn pinned(pin: &str) -> Self {
        Self { pins: vec![pin.trim().to_owned()], history: None }
    }

    /// Whether `cp`'s key may sign it, `what` naming it in the refusal.
    fn accept(&self, cp: &Checkpoint, what: &str) -> Result<(), Failure> {
        if !self.pins.is_empty() && !self.pins.iter().any(|p| p == &cp.public_key) {
            let pins = self.pins.join(", ");
            return Err(fail(None, format!("the {what} is signed by {}, not a pinned key ({pins})", cp.public_key)));
        }
        if let Some(history) = &self.history {
            check_history(history).map_err(|e| fail(None, format!("the key history does not hold together: {e}")))?;
            may_sign(history, &cp.public_key, cp.size).map_err(|e| fail(None, format!("the {what}: {e}")))?;
        }
        Ok(())
    }
}

/// Checks entries against a checkpoint, the keys trusted, and optionally an older checkpoint the log must extend.
pub fn against_checkpoint(
    entries: &[Entry],
    checkpoint: &Checkpoint,
    trust: &Trust,
    previous: Option<&Checkpoint>,
) -> Result<Verified, Failure> {
    trust.accept(checkpoint, "checkpoint")?;
    verify_checkpoint(&checkpoint.public_key, checkpoint.size, &checkpoint.head_hash, &checkpoint.signature)
        .map_err(|e| fail(None, format!("checkpoint: {e}")))?;
    let head = chain(entries)?;
    if checkpoint.size != entries.len() as i64 {
        return Err(fail(
            None,
            format!("the checkpoint says {} entries but the log has {}", checkpoint.size, entries.len()),
        ));
    }
    if checkpoint.head_hash != head {
        return Err(fail(None, "the checkpoint's head hash is not the hash of the last entry"));
    }
    if let Some(old) = previous {
        trust.accept(old, "previous checkpoint")?;
        verify_checkpoint(&old.public_key, old.size, &old.head_hash, &old.signature)
            .map_err(|e| fail(None, format!("previous checkpoint: {e}")))?;
        // A history (whose rotations each key endorsed) or pins vouch for a change of key; without either, none is taken.
        if old.public_key != checkpoint.public_key && trust.history.is_none() && trust.pins.is_empty() {
            return Err(fail(
                None,
                "the log is now signed by a different key than the previous checkpoint, and no key history says why",
            ));
        }
        if old.size > checkpoint.size {
            return Err(fail(None, format!("the log shrank from {} to {} entries", old.size, checkpoint.size)));
        }
        let old_head = match old.size {
            0 => empty_head(),
            n => entries[(n - 1) as usize].hash.clone(),
        };
        if old_head != old.head_hash {
            return Err(fail(Some(old.size - 1), "differs from the previous checkpoint: the log was rewritten"));
        }
    }
    Ok(Verified { size: checkpoint.size, head_hash: head, public_key: checkpoint.public_key.clone() })
}

/// Every entry in the database, in order.
pub fn stored_entries(conn: &mut DbConnection) -> Result<Vec<LogEntry>, AppError> {
    let size = LogEntry::head(conn)?.map_or(0, |h| h.idx + 1);
    Ok(LogEntry::range(conn, 0, size.max(0) + 1)?)
}

/// The database check: the chain, and every entry against the correction row it records.
///
/// Outer error: storage failure. Inner: the first problem found.
pub fn database(conn: &mut DbConnection) -> Result<Result<(i64, String), Failure>, AppError> {
    let (size, head) = match database_from(conn, 0, GENESIS, &|| true)? {
        Ok(done) => done,
        Err(f) => return Ok(Err(f)),
    };
    let published = Correction::published_count(conn)?;
    if published != size {
        return Ok(Err(fail(None, format!("{published} corrections are published but the log has {size} entries"))));
    }
    Ok(Ok((size, hex::encode(head))))
}

/// Entries checked per batch: memory stays small whatever the size of the log.
const BATCH: i64 = 2000;

/// The database check from entry `from` on, given the raw hash of the entry before it:
/// the chain, and each entry against its correction row, a batch at a time.
///
/// Gives the size checked and the raw hash of the last entry checked: the whole log, unless
/// `go_on` said to stop between two batches.
pub fn database_from(
    conn: &mut DbConnection,
    from: i64,
    previous: [u8; 32],
    go_on: &dyn Fn() -> bool,
) -> Result<Result<(i64, [u8; 32]), Failure>, AppError> {
    let (mut next, mut previous) = (from, previous);
    loop {
        let batch = if go_on() { LogEntry::range(conn, next, next + BATCH)? } else { Vec::new() };
        if batch.is_empty() {
            return Ok(Ok((next, previous)));
        }
        let ids: Vec<i64> = batch.iter().map(|e| e.correction_id).collect();
        let rows: HashMap<i64, Correction> =
            Correction::find_many(conn, &ids)?.into_iter().map(|c| (c.id, c)).collect();
        let mut cited: HashMap<i64, Vec<Standard>> = HashMap::new();
        for (id, standard) in Standard::cited_by(conn, &ids)? {
            cited.entry(id).or_default().push(standard);
        }
        for e in &batch {
            previous = match step(&previous, next, &e.idx, &e.canonical, &e.hash) {
                Ok(raw) => raw,
                Err(f) => return Ok(Err(f)),
            };
            let Some(c) = rows.get(&e.correction_id) else {
                return Ok(Err(fail(
                    Some(e.idx),
                    format!("records correction #{} which no longer exists", e.correction_id),
                )));
            };
            let standards = cited.get(&c.id).map_or(&[][..], Vec::as_slice);
            let matches = c.status == crate::db::vocabulary::CorrectionStatus::Published
                && c.published_at.is_some_and(|at| canonical(c, standards, at) == e.canonical);
            if !matches {
                return Ok(Err(fail(Some(e.idx), format!("correction #{} no longer matches its log entry", c.id))));
            }
            next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::signing::LogKey;

    fn log(n: usize) -> Vec<Entry> {
        let mut previous = GENESIS;
        (0..n)
            .map(|i| {
                let canonical = format!(r#"{{"id":{i},"text":"entry {i}"}}"#);
                let hash = chain_hash(&previous, &canonical);
                previous = raw_hash(&hash).unwrap();
                Entry { index: i as i64, canonical, hash }
            })
            .collect()
    }

    fn signed(entries: &[Entry], key: &LogKey) -> Checkpoint {
        let head = entries.last().map_or_else(empty_head, |e| e.hash.clone());
        Checkpoint {
            size: entries.len() as i64,
            signature: key.sign_checkpoint(entries.len() as i64, &head),
            head_hash: head,
            public_key: key.public_key(),
        }
    }

    fn key() -> LogKey {
        let dir = tempfile::tempdir().unwrap();
        LogKey::load_or_create(&dir.path().join("k")).unwrap().0
    }

    #[test]
    fn a_good_log_verifies() {
        let k = key();
        let entries = log(5);
        let v = against_checkpoint(&entries, &signed(&entries, &k), &Trust::pinned(&k.public_key()), None).unwrap();
        assert_eq!(v.size, 5);
        assert!(against_checkpoint(&[], &signed(&[], &k), &Trust::default(), None).is_ok(), "an empty log verifies");
    }

    #[test]
    fn entries_in_serde_jsons_form_but_not_rfc_8785_are_refused() {
        // Found by a property test: the check once took whatever serde_json wrote back unchanged.
        let one = |canonical: &str| {
            vec![Entry { index: 0, canonical: canonical.into(), hash: chain_hash(&GENESIS, canonical) }]
        };
        for not_canonical in [r#"{"n":1.0}"#, r#"{"n":1e21}"#, r#"{"n":1e-6}"#, "{\"\u{e000}\":1,\"\u{10000}\":2}"] {
            assert_eq!(
                chain(&one(not_canonical)).unwrap_err().reason,
                "canonical is not canonical JSON",
                "{not_canonical}"
            );
        }
        for canonical in [r#"{"n":1}"#, r#"{"n":1e+21}"#, r#"{"n":0.000001}"#, "{\"\u{10000}\":2,\"\u{e000}\":1}"] {
            assert!(chain(&one(canonical)).is_ok(), "{canonical}");
        }
    }

    #[test]
    fn each_tampering_is_named() {
        let k = key();
        let good = log(5);
        let cp = signed(&good, &k);
        let mut changed = good.clone();
        changed[2].canonical = changed[2].canonical.replace("entry 2", "entry X");
        assert_eq!(against_checkpoint(&changed, &cp, &Trust::default(), None).unwrap_err().index, Some(2));
        let mut removed = good.clone();
        removed.remove(3);
        assert_eq!(against_checkpoint(&removed, &cp, &Trust::default(), None).unwrap_err().index, Some(3));
        let mut swapped = good.clone();
        swapped.swap(1, 2);
        assert_eq!(against_checkpoint(&swapped, &cp, &Trust::default(), None).unwrap_err().index, Some(1));
        let truncated = &good[..4];
        assert!(against_checkpoint(truncated, &cp, &Trust::default(), None).unwrap_err().reason.contains("says 5"));
        let mut forged = cp.clone();
        forged.signature = k.sign_checkpoint(4, &cp.head_hash);
        assert!(against_checkpoint(&good, &forged, &Trust::default(), None).unwrap_err().reason.contains("signature"));
        let other = key();
        let err = against_checkpoint(&good, &signed(&good, &other), &Trust::pinned(&k.public_key()), None).unwrap_err();
        assert!(err.reason.contains("pinned"));
    }

    #[test]
    fn a_log_must_extend_its_previous_checkpoint() {
        let k = key();
        let old = log(3);
        let old_cp = signed(&old, &k);
        let new = log(6);
        assert!(against_checkpoint(&new, &signed(&new, &k), &Trust::default(), Some(&old_cp)).is_ok());
        let mut rewritten = log(6);
        rewritten[1].canonical = "{}".into();
        // Rehash from the rewritten entry on, as a dishonest server would.
        let mut previous = raw_hash(&rewritten[0].hash).unwrap();
        for e in rewritten.iter_mut().skip(1) {
            e.hash = chain_hash(&previous, &e.canonical);
            previous = raw_hash(&e.hash).unwrap();
        }
        let err =
            against_checkpoint(&rewritten, &signed(&rewritten, &k), &Trust::default(), Some(&old_cp)).unwrap_err();
        assert_eq!(err.index, Some(2), "{err}");
        let other = key();
        assert!(against_checkpoint(&new, &signed(&new, &other), &Trust::default(), Some(&old_cp))
            .unwrap_err()
            .reason
            .contains("different key"));
    }

    #[test]
    fn a_rotation_keeps_old_checkpoints_verifiable_and_pins_stay_strict() {
        let (old_key, new_key) = (key(), key());
        let history = vec![
            KeyRange { public_key: old_key.public_key(), from_size: 0, until_size: Some(3), endorsement: None },
            KeyRange {
                public_key: new_key.public_key(),
                from_size: 3,
                until_size: None,
                endorsement: Some(old_key.endorse(3, &new_key.public_key())),
            },
        ];
        let trust = |pins: &[&LogKey]| Trust {
            pins: pins.iter().map(|k| k.public_key()).collect(),
            history: Some(history.clone()),
        };
        let (before, after) = (log(2), log(5));
        let old_cp = signed(&before, &old_key);
        let new_cp = signed(&after, &new_key);
        assert!(against_checkpoint(&after, &new_cp, &trust(&[]), Some(&old_cp)).is_ok());
        assert!(against_checkpoint(&after, &new_cp, &trust(&[&old_key, &new_key]), Some(&old_cp)).is_ok());
        let err = against_checkpoint(&after, &new_cp, &trust(&[&old_key]), None).unwrap_err();
        assert!(err.reason.contains("pinned") && err.reason.contains(&new_key.public_key()), "{err}");
        // The checkpoint at the rotation's size may carry either signature.
        let at = log(3);
        assert!(against_checkpoint(&at, &signed(&at, &old_key), &trust(&[]), None).is_ok());
        assert!(against_checkpoint(&at, &signed(&at, &new_key), &trust(&[]), None).is_ok());
        // The old key past its range, the new one before it, and a key from nowhere.
        let err = against_checkpoint(&after, &signed(&after, &old_key), &trust(&[]), None).unwrap_err();
        assert!(err.reason.contains("0 to 3"), "{err}");
        assert!(against_checkpoint(&before, &signed(&before, &new_key), &trust(&[]), None).is_err());
        let stranger = key();
        let err = against_checkpoint(&after, &signed(&after, &stranger), &trust(&[]), None).unwrap_err();
        assert!(err.reason.contains(&stranger.public_key()) && err.reason.contains("not in"), "{err}");
        // Without a history, a change of key is taken only from pins.
        let bare = Trust::default();
        assert!(against_checkpoint(&after, &new_cp, &bare, Some(&old_cp))
            .unwrap_err()
            .reason
            .contains("different key"));
    }
}
