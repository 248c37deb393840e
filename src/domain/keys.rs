//! The history of the keys that sign the public log: which key signs checkpoints of which sizes.
//!
//! A key signs checkpoints of sizes `from_size..=until_size`; the active key has no `until_size`.
//! At a rotation the log's size is both the old key's `until_size` and the new key's `from_size`,
//! so the checkpoint of exactly that size may carry either signature (one signed just before the
//! rotation and one just after cover the same entries). Each key after the first is endorsed by
//! the key it replaced, so whoever trusts one key of the history can follow it to the others.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::signing::{verify_endorsement, LogKey};
use crate::db::lock_log;
use crate::db::models::{LogEntry, LogKeyRow};
use crate::db::DbConnection;
use crate::error::AppError;

/// One key of the history, as served at `/api/v1/log/keys` and written into exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeyRange {
    /// Ed25519 public key, standard base64.
    pub public_key: String,
    /// The log's size when this key took over: it signs checkpoints of this size and more.
    pub from_size: i64,
    /// The log's size when it was replaced: it signs checkpoints up to this size. Absent for the active key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_size: Option<i64>,
    /// The previous key's Ed25519 signature over `corrigenda-key\n{from_size}\n{public_key}\n`,
    /// standard base64. Absent for the first key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<String>,
}

impl KeyRange {
    /// Whether this key may sign a checkpoint of `size` entries.
    pub fn covers(&self, size: i64) -> bool {
        self.from_size <= size && self.until_size.is_none_or(|until| size <= until)
    }

    /// The sizes it signs, for messages: `from 3` or `3 to 7`.
    pub fn sizes(&self) -> String {
        match self.until_size {
            Some(until) => format!("{} to {until}", self.from_size),
            None => format!("from {}", self.from_size),
        }
    }
}

impl From<LogKeyRow> for KeyRange {
    fn from(row: LogKeyRow) -> Self {
        Self {
            public_key: row.public_key,
            from_size: row.from_size,
            until_size: row.until_size,
            endorsement: row.endorsement,
        }
    }
}

/// Checks a history is whole: it starts at size 0, each key takes over where the one before
/// stopped and is endorsed by it, and only the last is active.
pub fn check_history(history: &[KeyRange]) -> Result<(), String> {
    let Some(first) = history.first() else {
        return Err("the key history is empty".into());
    };
    if first.from_size != 0 {
        return Err(format!("the key history starts at size {}, not 0", first.from_size));
    }
    for pair in history.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        if before.until_size != Some(after.from_size) {
            return Err(format!(
                "key {} ends at {} but the next key {} takes over at {}",
                before.public_key,
                before.until_size.map_or("no size (it is still active)".into(), |n| n.to_string()),
                after.public_key,
                after.from_size
            ));
        }
        let endorsement = after.endorsement.as_deref().unwrap_or_default();
        verify_endorsement(&before.public_key, after.from_size, &after.public_key, endorsement).map_err(|e| {
            format!("key {} is not endorsed by the key it replaced, {}: {e}", after.public_key, before.public_key)
        })?;
    }
    for k in history {
        if k.until_size.is_some_and(|until| until < k.from_size) {
            return Err(format!("key {} ends at {} before it starts", k.public_key, k.sizes()));
        }
    }
    let active = history.iter().filter(|k| k.until_size.is_none()).count();
    if active != 1 || history.last().is_some_and(|k| k.until_size.is_some()) {
        return Err("the key history must end with exactly one active key".into());
    }
    Ok(())
}

/// Whether `public_key` may sign a checkpoint of `size` entries under `history`; the refusal names the key.
pub fn may_sign(history: &[KeyRange], public_key: &str, size: i64) -> Result<(), String> {
    let ranges: Vec<&KeyRange> = history.iter().filter(|k| k.public_key == public_key).collect();
    if ranges.is_empty() {
        return Err(format!("it is signed by {public_key}, which is not in the log's key history"));
    }
    if ranges.iter().any(|k| k.covers(size)) {
        return Ok(());
    }
    let sizes: Vec<String> = ranges.iter().map(|k| k.sizes()).collect();
    Err(format!("it is signed by {public_key}, which signs checkpoints of sizes {}, not {size}", sizes.join(", ")))
}

/// The history, oldest key first (empty before the first server start).
pub fn history(conn: &mut DbConnection) -> Result<Vec<KeyRange>, AppError> {
    Ok(LogKeyRow::all(conn)?.into_iter().map(KeyRange::from).collect())
}

/// Records `key` as the first key, from size 0, when no key is recorded yet; gives the active key.
pub fn adopt(conn: &mut DbConnection, key: &LogKey, now: chrono::NaiveDateTime) -> Result<KeyRange, AppError> {
    // Instances starting together queue here; the first records its key.
    lock_log(conn)?;
    if let Some(active) = LogKeyRow::active(conn)? {
        return Ok(active.into());
    }
    let row =
        LogKeyRow { public_key: key.public_key(), from_size: 0, until_size: None, endorsement: None, created_at: now };
    row.insert(conn)?;
    Ok(row.into())
}

/// Hands the log from `old` (the active key) to `new` at the log's current size, which it gives.
pub fn rotate(
    conn: &mut DbConnection,
    old: &LogKey,
    new: &LogKey,
    now: chrono::NaiveDateTime,
) -> Result<i64, AppError> {
    // No entry is appended while the hand-over is recorded, so the size is exact.
    lock_log(conn)?;
    let active = LogKeyRow::active(conn)?.map(|k| k.public_key);
    if active.as_deref() != Some(old.public_key().as_str()) {
        return Err(AppError::Conflict(format!(
            "the key file holds {}, but the active key in the database is {}; nothing was changed",
            old.public_key(),
            active.as_deref().unwrap_or("none")
        )));
    }
    let size = LogEntry::head(conn)?.map_or(0, |h| h.idx + 1);
    if !LogKeyRow::retire(conn, &old.public_key(), size)? {
        return Err(AppError::Conflict("the active key changed during the rotation; nothing was changed".into()));
    }
    LogKeyRow {
        public_key: new.public_key(),
        from_size: size,
        until_size: None,
        endorsement: Some(old.endorse(size, &new.public_key())),
        created_at: now,
    }
    .insert(conn)?;
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(key: &LogKey, from: i64, until: Option<i64>, by: Option<&LogKey>) -> KeyRange {
        KeyRange {
            public_key: key.public_key(),
            from_size: from,
            until_size: until,
            endorsement: by.map(|b| b.endorse(from, &key.public_key())),
        }
    }

    #[test]
    fn a_key_signs_its_range_and_both_keys_sign_the_size_at_the_rotation() {
        let (a, b) = (LogKey::generate(), LogKey::generate());
        let history = vec![range(&a, 0, Some(5), None), range(&b, 5, None, Some(&a))];
        assert!(check_history(&history).is_ok());
        for size in [0, 4, 5] {
            assert!(may_sign(&history, &a.public_key(), size).is_ok(), "old key, size {size}");
        }
        let err = may_sign(&history, &a.public_key(), 6).unwrap_err();
        assert!(err.contains(&a.public_key()) && err.contains("0 to 5"), "{err}");
        for size in [5, 6, 1000] {
            assert!(may_sign(&history, &b.public_key(), size).is_ok(), "new key, size {size}");
        }
        assert!(may_sign(&history, &b.public_key(), 4).unwrap_err().contains("from 5"));
        let stranger = LogKey::generate().public_key();
        assert!(may_sign(&history, &stranger, 3).unwrap_err().contains("not in the log's key history"));
    }

    #[test]
    fn two_rotations_at_one_size_leave_a_key_for_that_size_only() {
        let (a, b, c) = (LogKey::generate(), LogKey::generate(), LogKey::generate());
        let history = vec![range(&a, 0, Some(2), None), range(&b, 2, Some(2), Some(&a)), range(&c, 2, None, Some(&b))];
        assert!(check_history(&history).is_ok());
        assert!(may_sign(&history, &b.public_key(), 2).is_ok());
        assert!(may_sign(&history, &b.public_key(), 3).is_err());
    }

    #[test]
    fn a_broken_history_is_refused() {
        let (a, b) = (LogKey::generate(), LogKey::generate());
        assert!(check_history(&[]).is_err());
        let gap = vec![range(&a, 0, Some(5), None), range(&b, 6, None, Some(&a))];
        assert!(check_history(&gap).unwrap_err().contains("takes over at 6"));
        let late = vec![range(&a, 1, None, None)];
        assert!(check_history(&late).unwrap_err().contains("not 0"));
        let unendorsed = vec![range(&a, 0, Some(5), None), range(&b, 5, None, None)];
        assert!(check_history(&unendorsed).unwrap_err().contains("not endorsed"));
        let self_endorsed = vec![range(&a, 0, Some(5), None), range(&b, 5, None, Some(&b))];
        assert!(check_history(&self_endorsed).unwrap_err().contains("not endorsed"));
        let two_active = vec![range(&a, 0, None, None), range(&b, 0, None, Some(&a))];
        assert!(check_history(&two_active).is_err());
        let none_active = vec![range(&a, 0, Some(5), None)];
        assert!(check_history(&none_active).is_err());
    }
}
