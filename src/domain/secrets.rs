//! Random tokens, their stored hashes, and password hashing.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Length of a token's random part in bytes (256 bits, well above the 128 required).
const TOKEN_BYTES: usize = 32;

/// Length of the base64url text of a token's random part.
pub const TOKEN_CHARS: usize = 43;

/// A fresh random token: 256 bits as unpadded base64url (43 characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `s` has the shape of a token made by [`new_token`] (checked before any lookup).
pub fn looks_like_token(s: &str) -> bool {
    s.len() == TOKEN_CHARS && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The hash under which a token is stored: SHA-256, lowercase hex.
///
/// Tokens carry 256 random bits, so a fast unsalted hash is enough to make a
/// leaked table useless; a slow hash would only slow every request down.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the password failed: {e}"))
}

/// Checks a password against a stored argon2 hash.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_urlsafe_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), TOKEN_CHARS);
        assert!(looks_like_token(&a));
        assert_ne!(a, b);
    }

    #[test]
    fn token_shape_check_refuses_other_text() {
        assert!(!looks_like_token("short"));
        assert!(!looks_like_token(&"a".repeat(42)));
        assert!(!looks_like_token(&format!("{}=", "a".repeat(42))));
    }

    #[test]
    fn token_hash_is_hex_sha256() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn password_hash_round_trips_and_is_argon2id() {
        let stored = hash_password("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &stored));
        assert!(!verify_password("wrong horse battery", &stored));
    }

    mod properties {
        use proptest::prelude::*;

        use crate::domain::cases;
        use crate::domain::secrets::*;

        proptest! {
            #![proptest_config(cases::config(512))]

            #[test]
            fn only_token_shaped_text_is_looked_up(raw in prop_oneof!["[A-Za-z0-9_=+/-]{40,46}", cases::text()]) {
                if looks_like_token(&raw) {
                    prop_assert_eq!(raw.len(), TOKEN_CHARS);
                    prop_assert_eq!(URL_SAFE_NO_PAD.decode(&raw).map(|b| b.len()).ok(), Some(TOKEN_BYTES));
                }
                let hash = token_hash(&raw);
                prop_assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            }

            #[test]
            fn every_token_of_256_bits_has_the_shape(bytes in any::<[u8; TOKEN_BYTES]>()) {
                let token = URL_SAFE_NO_PAD.encode(bytes);
                prop_assert!(looks_like_token(&token));
                prop_assert_eq!(URL_SAFE_NO_PAD.decode(&token).unwrap(), bytes.to_vec());
            }

            #[test]
            fn a_password_hash_that_is_not_one_never_verifies(stored in cases::text(), password in cases::text()) {
                prop_assert!(!verify_password(&password, &stored));
            }
        }
    }
}
