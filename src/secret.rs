//! Secrets, in one place (STYLE "Secrets"): a password or token is a [`Secret`] whose `Debug` shows
//! no character of it; new tokens come from the operating system's random source; secrets are
//! compared in constant time. The page's links, its same-origin tokens and the workbooks' passwords
//! all go through here.

/// A password or token: its text is reached only through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The secret itself, for the cryptography or the comparison only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The SHA-256 of bytes as 64 hex digits: an input's fingerprint, a link's stored hash.
pub fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A random secret as 32 hex digits (128 bits from the operating system); empty when the system
/// cannot give randomness (the caller refuses to start rather than run with a guessable secret).
pub fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    // getrandom reads the OS source (getrandom(2) / /dev/urandom / BCryptGenRandom).
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets without stopping at the first differing byte; an empty expected secret
/// never matches.
pub fn same_secret(given: &str, expected: &str) -> bool {
    !expected.is_empty()
        && given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_compared_whole_and_never_shown() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
        assert!(!same_secret("", ""), "an empty secret never matches");
        assert_eq!(format!("{:?}", Secret::new("mật khẩu")), "Secret(***)");
        let token = random_hex();
        assert_eq!(token.len(), 32);
        assert_ne!(token, random_hex());
    }
}
