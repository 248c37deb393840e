//! The instance's Ed25519 key, which signs checkpoints of the public log.

use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// The exact text a checkpoint signature covers.
pub fn checkpoint_message(size: i64, head_hash: &str) -> String {
    format!("corrigenda-checkpoint\n{size}\n{head_hash}\n")
}

/// The exact text a key's endorsement by its predecessor covers.
pub fn key_message(from_size: i64, public_key: &str) -> String {
    format!("corrigenda-key\n{from_size}\n{public_key}\n")
}

/// Where a retired key is kept: `<path>.<n>.retired`, the `n`th key the log had (from 1).
pub fn retired_path(path: &Path, n: usize) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}.retired"));
    name.into()
}

/// The key webhook secrets are sealed with is derived from the log's first key, so a rotation
/// does not lose them: that is `<path>.1.retired` once the key has been rotated, else `active`.
pub fn secrets_root(path: &Path, active: &LogKey) -> Result<LogKey, KeyError> {
    let first = retired_path(path, 1);
    match LogKey::load(&first) {
        Ok(key) => Ok(key),
        Err(Missing::No) => Ok(active.clone()),
        Err(Missing::Bad(e)) => Err(e),
    }
}

enum Missing {
    No,
    Bad(KeyError),
}

/// The signing key, loaded from or made at its file.
#[derive(Clone)]
pub struct LogKey {
    key: SigningKey,
}

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        write!(f, "LogKey({})", self.public_key())
    }
}

/// Why a key file cannot be used, as one line.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting CORRIGENDA_SIGNING_KEY (--signing-key): {0}")]
pub struct KeyError(String);

impl LogKey {
    /// Loads the key at `path`, or makes one there (mode 0600) when the file does not exist.
    ///
    /// The file holds the 32-byte secret seed in standard base64. A file others can
    /// read, or with other content, stops start-up.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), KeyError> {
        match Self::load(path) {
            Ok(key) => Ok((key, false)),
            Err(Missing::No) => {
                // Written whole to a private temporary file, then linked into place: a process
                // starting at the same moment either wins the link or reads the complete winner.
                let key = Self::generate();
                match key.write_private(path, false) {
                    Ok(()) => Ok((key, true)),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::load_or_create(path),
                    Err(e) => Err(KeyError(format!("cannot create {}: {e}", path.display()))),
                }
            }
            Err(Missing::Bad(e)) => Err(e),
        }
    }

    /// Loads the key at `path`, which must exist.
    pub fn load_existing(path: &Path) -> Result<Self, KeyError> {
        Self::load(path).map_err(|e| match e {
            Missing::No => KeyError(format!("{} does not exist", path.display())),
            Missing::Bad(e) => e,
        })
    }

    fn load(path: &Path) -> Result<Self, Missing> {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Missing::No),
            Err(e) => return Err(Missing::Bad(KeyError(format!("cannot read {}: {e}", path.display())))),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(Missing::Bad(KeyError(format!(
                    "{} is readable by other users (mode {mode:o}); run chmod 600 {}",
                    path.display(),
                    path.display()
                ))));
            }
        }
        let _ = meta;
        let text = std::fs::read_to_string(path)
            .map_err(|e| Missing::Bad(KeyError(format!("cannot read {}: {e}", path.display()))))?;
        let seed: [u8; 32] = STANDARD.decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| {
            Missing::Bad(KeyError(format!("{} does not hold a base64 Ed25519 secret key (32 bytes)", path.display())))
        })?;
        Ok(Self { key: SigningKey::from_bytes(&seed) })
    }

    /// A new random key.
    pub fn generate() -> Self {
        Self { key: SigningKey::generate(&mut rand::rngs::OsRng) }
    }

    /// Writes the key to `path` (mode 0600) through a private temporary file: linked into place
    /// (failing if `path` exists), or with `replace` renamed over it, so a reader never sees half a key.
    pub fn write_private(&self, path: &Path, replace: bool) -> std::io::Result<()> {
        let tmp = path.with_extension(format!("new-{}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let written = options
            .open(&tmp)
            .and_then(|mut file| {
                writeln!(file, "{}", STANDARD.encode(self.key.to_bytes())).and_then(|()| file.sync_all())
            })
            .and_then(|()| if replace { std::fs::rename(&tmp, path) } else { std::fs::hard_link(&tmp, path) });
        let _ = std::fs::remove_file(&tmp);
        written
    }

    /// Signs the hand-over to `public_key` at log size `from_size` (this key being the one it replaces).
    pub fn endorse(&self, from_size: i64, public_key: &str) -> String {
        STANDARD.encode(self.key.sign(key_message(from_size, public_key).as_bytes()).to_bytes())
    }

    /// The public key, standard base64.
    pub fn public_key(&self) -> String {
        STANDARD.encode(self.key.verifying_key().to_bytes())
    }

    /// A 32-byte key for `purpose`, derived from the secret seed (HMAC-SHA256 keyed by the seed):
    /// whoever holds the key file can derive it, a database dump alone cannot.
    pub fn derive_key(&self, purpose: &str) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.key.to_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Signs a checkpoint; the signature in standard base64.
    pub fn sign_checkpoint(&self, size: i64, head_hash: &str) -> String {
        STANDARD.encode(self.key.sign(checkpoint_message(size, head_hash).as_bytes()).to_bytes())
    }
}

/// Whether `signature` (base64) by `public_key` (base64) covers the checkpoint.
pub fn verify_checkpoint(public_key: &str, size: i64, head_hash: &str, signature: &str) -> Result<(), String> {
    verify_message(public_key, &checkpoint_message(size, head_hash), signature)
}

/// Whether `signature` (base64) by `signer` (base64) endorses `public_key` from log size `from_size`.
pub fn verify_endorsement(signer: &str, from_size: i64, public_key: &str, signature: &str) -> Result<(), String> {
    verify_message(signer, &key_message(from_size, public_key), signature)
}

fn verify_message(public_key: &str, message: &str, signature: &str) -> Result<(), String> {
    let key: [u8; 32] = STANDARD
        .decode(public_key.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("the public key is not 32 bytes of base64")?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| "the public key is not a valid Ed25519 key")?;
    let sig: [u8; 64] = STANDARD
        .decode(signature.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("the signature is not 64 bytes of base64")?;
    key.verify(message.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| "the signature does not verify with the public key".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_file_is_private_and_loads_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.key");
        let (made, created) = LogKey::load_or_create(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let (loaded, created) = LogKey::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(made.public_key(), loaded.public_key());
    }

    #[test]
    fn signatures_verify_and_tampering_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let (key, _) = LogKey::load_or_create(&dir.path().join("k")).unwrap();
        let sig = key.sign_checkpoint(3, "ab");
        assert!(verify_checkpoint(&key.public_key(), 3, "ab", &sig).is_ok());
        assert!(verify_checkpoint(&key.public_key(), 4, "ab", &sig).is_err());
    }

    #[test]
    fn webhook_secrets_stay_under_the_first_key_after_a_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.key");
        let (first, _) = LogKey::load_or_create(&path).unwrap();
        assert_eq!(secrets_root(&path, &first).unwrap().public_key(), first.public_key(), "no rotation yet");
        std::fs::hard_link(&path, retired_path(&path, 1)).unwrap();
        let second = LogKey::generate();
        second.write_private(&path, true).unwrap();
        assert_eq!(LogKey::load_existing(&path).unwrap().public_key(), second.public_key());
        let root = secrets_root(&path, &second).unwrap();
        assert_eq!(root.derive_key("webhooks"), first.derive_key("webhooks"));
        assert_eq!(retired_path(&path, 1).file_name().unwrap(), "log.key.1.retired");
    }

    #[cfg(unix)]
    #[test]
    fn a_readable_or_garbled_key_file_stops_start_up() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, "not a key\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(LogKey::load_or_create(&path).unwrap_err().to_string().contains("does not hold"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = LogKey::load_or_create(&path).unwrap_err().to_string();
        assert!(err.contains("chmod 600") && !err.contains('\n'), "{err}");
    }
}
