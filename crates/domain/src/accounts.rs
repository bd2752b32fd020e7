//! Accounts: users, their passwords, browser sessions, API tokens and the login throttle.
//!
//! Secrets are never stored: passwords as argon2id hashes (PHC strings), session ids and API
//! tokens as SHA-256 digests of high-entropy random strings (a digest suffices there: the secret
//! has 256 random bits, so there is nothing to brute-force). A token's plain text exists only in
//! the response that creates it.

use std::sync::LazyLock;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::Rng as _;
use sha2::{Digest, Sha256};

use crate::error::{DomainError, FieldError, ValidationErrors};
use crate::ids::{ApiTokenId, UserId};
use crate::record::Record;
use crate::values::Name;

/// A login name: 3 to 64 characters of `a-z`, `0-9`, `.`, `_`, `-`; stored lower-case, so
/// `Alice` and `alice` are one user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    pub fn parse(field: &str, raw: &str) -> Result<Username, FieldError> {
        let name = raw.trim().to_lowercase();
        let length = name.chars().count();
        if !(3..=64).contains(&length) {
            return Err(FieldError::new(field, "length", "must be 3 to 64 characters"));
        }
        if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')) {
            return Err(FieldError::new(field, "invalid", "may contain only letters a-z, digits, '.', '_' and '-'"));
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password as typed: 10 to 1024 characters (long passphrases welcome; the upper bound
/// keeps hashing cheap to refuse).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(field: &str, raw: &str) -> Result<Password, FieldError> {
        let length = raw.chars().count();
        if length < Self::MIN_CHARS {
            return Err(FieldError::new(
                field,
                "too_short",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if length > Self::MAX_CHARS {
            return Err(FieldError::new(field, "too_long", format!("must be at most {} characters", Self::MAX_CHARS)));
        }
        Ok(Password(raw.to_owned()))
    }

    /// The argon2id hash (PHC string, with its own random salt and parameters) to store.
    /// CPU-heavy (tens of milliseconds): servers call it off the async runtime.
    pub fn hash(&self) -> Result<String, DomainError> {
        let mut salt = [0u8; 16];
        rand::rng().fill(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| DomainError::storage(PasswordError(e.to_string())))?;
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| DomainError::storage(PasswordError(e.to_string())))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
struct PasswordError(String);

/// Whether `candidate` matches the stored `hash`. A hash that does not parse matches nothing.
pub fn verify_password(hash: &str, candidate: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(candidate.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spends the same work as [`verify_password`] for a user who does not exist, so the answer's
/// timing does not tell unknown users from wrong passwords.
pub fn verify_password_of_nobody(candidate: &str) {
    static NOBODY: LazyLock<String> =
        LazyLock::new(|| Password("tandem-nobody-password".to_owned()).hash().unwrap_or_default());
    let _ = verify_password(&NOBODY, candidate);
}

/// What an account is, besides its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFields {
    pub username: Username,
    pub display_name: Name,
    /// Organisation admin: every permission everywhere, and user management.
    pub is_admin: bool,
    /// A disabled user cannot sign in and their sessions and tokens stop working.
    pub disabled: bool,
}

pub type User = Record<UserId, UserFields>;

/// What a caller supplies to create or change a user.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub disabled: bool,
}

impl UserFields {
    pub fn parse(input: UserInput) -> Result<UserFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let username = errors.check(Username::parse("username", &input.username));
        let display_name = errors.check(Name::parse("display_name", &input.display_name));
        match (username, display_name) {
            (Some(username), Some(display_name)) if errors.is_empty() => {
                Ok(UserFields { username, display_name, is_admin: input.is_admin, disabled: input.disabled })
            }
            _ => Err(errors),
        }
    }
}

/// A random secret with a readable prefix (`tdm_` for tokens, `tds_` for sessions): 32 random
/// bytes, base64url. Only its [`secret_digest`] is stored.
pub fn generate_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 digest (lower-case hex) under which a session id or token is stored and looked up.
pub fn secret_digest(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// How long a browser session lasts after sign-in.
pub const SESSION_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// A signed-in browser. Stored under the digest of its cookie value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub digest: String,
    pub user_id: UserId,
    /// The anti-forgery token every state-changing form of this session must carry.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Session {
    /// A new session for `user_id` and the cookie value that names it.
    pub fn start(user_id: UserId, now: DateTime<Utc>) -> (Session, String) {
        let cookie = generate_secret("tds_");
        let session = Session {
            digest: secret_digest(&cookie),
            user_id,
            csrf_token: generate_secret(""),
            created_at: now,
            expires_at: now + SESSION_LIFETIME,
        };
        (session, cookie)
    }
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenScope {
    Read,
    ReadWrite,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::ReadWrite => "read_write",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<TokenScope, FieldError> {
        match raw.trim() {
            "read" => Ok(TokenScope::Read),
            "read_write" => Ok(TokenScope::ReadWrite),
            _ => Err(FieldError::new(field, "invalid", "must be one of read, read_write")),
        }
    }
}

/// Longest life an API token may be given.
pub const MAX_TOKEN_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(366);

/// An API token as stored (its secret only as a digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub user_id: UserId,
    pub name: Name,
    pub scope: TokenScope,
    /// The first characters of the secret, so owners can tell their tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Usable at `now`: neither revoked nor expired.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// A token about to be created: its stored form and its secret, to show once.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub token: ApiToken,
    pub digest: String,
    pub secret: String,
}

impl NewApiToken {
    /// Validates the name (`name`) and expiry (`expires_at`: in the future, at most
    /// [`MAX_TOKEN_LIFETIME`] ahead) and draws the secret.
    pub fn issue(
        user_id: UserId,
        name: &str,
        scope: TokenScope,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<NewApiToken, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", name));
        if expires_at <= now {
            errors.add("expires_at", "in_past", "must be in the future");
        } else if expires_at > now + MAX_TOKEN_LIFETIME {
            errors.add("expires_at", "too_far", "must be at most 366 days from now");
        }
        match name {
            Some(name) if errors.is_empty() => {
                let secret = generate_secret("tdm_");
                let token = ApiToken {
                    id: ApiTokenId::generate(),
                    user_id,
                    name,
                    scope,
                    prefix: secret.chars().take(10).collect(),
                    created_at: now,
                    expires_at,
                    revoked_at: None,
                };
                Ok(NewApiToken { token, digest: secret_digest(&secret), secret })
            }
            _ => Err(errors),
        }
    }
}

/// Failed sign-ins recorded for one username since its last success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    pub count: u32,
    pub last_at: DateTime<Utc>,
}

/// Failures allowed before sign-in attempts must wait.
pub const FREE_LOGIN_ATTEMPTS: u32 = 5;
/// The longest wait between attempts.
pub const MAX_LOGIN_BACKOFF: Duration = Duration::from_secs(15 * 60);

impl LoginFailures {
    /// How long from `now` the next attempt must wait: nothing for the first
    /// [`FREE_LOGIN_ATTEMPTS`] failures, then 1 s, 2 s, 4 s, ... after the last failure, capped at
    /// [`MAX_LOGIN_BACKOFF`].
    pub fn wait(&self, now: DateTime<Utc>) -> Option<Duration> {
        if self.count < FREE_LOGIN_ATTEMPTS {
            return None;
        }
        let doublings = (self.count - FREE_LOGIN_ATTEMPTS).min(20);
        let backoff = Duration::from_secs(1u64 << doublings).min(MAX_LOGIN_BACKOFF);
        let since = (now - self.last_at).to_std().unwrap_or(Duration::ZERO);
        backoff.checked_sub(since).filter(|left| !left.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn usernames_are_lower_case_and_limited() {
        assert_eq!(Username::parse("username", " Alice.M ").map(|u| u.0), Ok("alice.m".to_owned()));
        assert_eq!(Username::parse("username", "al").map_err(|e| e.code), Err("length"));
        assert_eq!(Username::parse("username", "al ice").map_err(|e| e.code), Err("invalid"));
        assert_eq!(Username::parse("username", "<script>").map_err(|e| e.code), Err("invalid"));
    }

    #[test]
    fn passwords_hash_and_verify() {
        let password = Password::parse("password", "correct horse battery").unwrap();
        let hash = password.hash().unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse battery "));
        assert!(!verify_password("not a hash", "correct horse battery"));
        assert_ne!(hash, password.hash().unwrap(), "every hash has its own salt");
        assert_eq!(Password::parse("password", "short").map_err(|e| e.code), Err("too_short"));
    }

    #[test]
    fn secrets_are_random_and_digested() {
        let a = generate_secret("tdm_");
        let b = generate_secret("tdm_");
        assert_ne!(a, b);
        assert!(a.starts_with("tdm_") && a.len() == 4 + 43, "{a}");
        assert_eq!(
            secret_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "SHA-256 of 'abc' (FIPS 180-2 test vector)"
        );
    }

    #[test]
    fn tokens_need_a_name_and_a_sane_expiry() {
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        let user = UserId::generate();
        let issued = NewApiToken::issue(user, "CI", TokenScope::Read, now + chrono::TimeDelta::days(30), now).unwrap();
        assert_eq!(issued.digest, secret_digest(&issued.secret));
        assert!(issued.secret.starts_with(&issued.token.prefix));
        assert!(issued.token.is_active(now));
        assert!(!issued.token.is_active(now + chrono::TimeDelta::days(30)));
        let errors = NewApiToken::issue(user, " ", TokenScope::Read, now, now).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(fields, [("name", "required"), ("expires_at", "in_past")]);
        let far = NewApiToken::issue(user, "x", TokenScope::Read, now + chrono::TimeDelta::days(367), now);
        assert_eq!(far.unwrap_err().errors()[0].code, "too_far");
    }

    #[test]
    fn login_backoff_doubles_after_five_failures_and_caps() {
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        let failures = |count| LoginFailures { count, last_at: at };
        assert_eq!(failures(4).wait(at), None);
        assert_eq!(failures(5).wait(at), Some(Duration::from_secs(1)));
        assert_eq!(failures(7).wait(at), Some(Duration::from_secs(4)));
        assert_eq!(failures(7).wait(at + chrono::TimeDelta::seconds(3)), Some(Duration::from_secs(1)));
        assert_eq!(failures(7).wait(at + chrono::TimeDelta::seconds(4)), None);
        assert_eq!(failures(40).wait(at), Some(MAX_LOGIN_BACKOFF));
    }
}
