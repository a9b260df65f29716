//! Who is calling: API tokens (Bearer) and browser sessions (cookie + CSRF token), passwords.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use base64::Engine as _;
use leadline_core::role::{Action, TokenScope};
use leadline_store::{ApiToken, User};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "leadline_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Sessions last two weeks.
pub const SESSION_MILLIS: i64 = 14 * 24 * 3600 * 1000;

/// A fresh random secret, URL-safe.
pub fn secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Tokens and session ids are stored only as their SHA-256.
pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A new API token: `ll_` and 32 random bytes. Returns (token, prefix shown in lists).
pub fn new_token() -> (String, String) {
    let token = format!("ll_{}", secret(32));
    let prefix = token[..10].to_owned();
    (token, prefix)
}

pub fn hash_password(password: &str) -> Result<String, ApiError> {
    check_password_strength(password)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::new(crate::error::Kind::Internal, "internal", format!("password hashing failed: {e}")))
}

pub fn check_password_strength(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < 10 {
        return Err(ApiError::invalid("password", "weak_password", "a password has at least 10 characters"));
    }
    if password.len() > 1024 {
        return Err(ApiError::invalid("password", "too_long", "a password has at most 1024 bytes"));
    }
    Ok(())
}

/// A hash of a password nobody has, verified when an e-mail names no one who can sign in.
pub fn unused_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        let secret: [u8; 16] = rand::random();
        Argon2::default().hash_password(&secret, &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Recently verified API tokens, so a busy integration costs one hash per request instead of a
/// database read. Entries live two seconds; revoking a token or changing a user clears the
/// cache of this instance at once, other instances within those two seconds.
#[derive(Default)]
pub struct TokenCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, ApiToken, User)>>,
}

impl TokenCache {
    const TTL: std::time::Duration = std::time::Duration::from_secs(2);

    fn get(&self, hash: &str) -> Option<(ApiToken, User)> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(hash).filter(|(at, _, _)| at.elapsed() < Self::TTL).map(|(_, t, u)| (t.clone(), u.clone()))
    }

    fn put(&self, hash: String, token: ApiToken, user: User) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > 10_000 {
            entries.retain(|_, (at, _, _)| at.elapsed() < Self::TTL);
        }
        entries.insert(hash, (std::time::Instant::now(), token, user));
    }

    /// Forget everything (after a revocation or a change to a user).
    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    /// Set when the request came with an API token.
    pub token_scope: Option<TokenScope>,
    /// Set when the request came with a session cookie.
    pub csrf_token: Option<String>,
}

impl Caller {
    /// Refuse with 403 unless both the role and the token scope allow `action`.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        let scope_ok = self.token_scope.is_none_or(|s| s.allows(action));
        if self.user.role.allows(action) && scope_ok {
            Ok(())
        } else {
            let what = match action {
                Action::Read => "reading",
                Action::Write => "changing records",
                Action::Export => "exporting",
                Action::Import => "importing",
                Action::Administer => "administration",
            };
            Err(ApiError::forbidden(what))
        }
    }

    pub fn user_id(&self) -> &str {
        &self.user.id
    }
}

/// A cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Who sent a request, from its Bearer token or its session cookie; the CSRF check is the
/// caller's business. Returns the user, the token's scope (token) or the session's CSRF token
/// (cookie).
pub async fn authenticate(
    headers: &axum::http::HeaderMap,
    state: &AppState,
) -> Result<(User, Option<TokenScope>, Option<String>), ApiError> {
    let now = crate::now();
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let token = auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or_else(ApiError::unauthenticated)?;
        let hash = hash_secret(token.trim());
        let (token, user) = match state.tokens.get(&hash) {
            Some(hit) => hit,
            None => {
                let found = state.store.use_token(&hash, now).await?.ok_or_else(ApiError::unauthenticated)?;
                state.tokens.put(hash, found.0.clone(), found.1.clone());
                found
            }
        };
        return Ok((user, Some(token.scope), None));
    }
    let session = cookie(headers, SESSION_COOKIE).ok_or_else(ApiError::unauthenticated)?;
    let (session, user) =
        state.store.session(&hash_secret(session), now).await?.ok_or_else(ApiError::unauthenticated)?;
    Ok((user, None, Some(session.csrf_token)))
}

/// The error for a write whose CSRF token is missing or wrong.
pub fn csrf_error() -> ApiError {
    ApiError::new(
        crate::error::Kind::Forbidden,
        "csrf",
        "the request lacks this session's CSRF token (reload the page and try again)",
    )
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (user, token_scope, csrf_token) = authenticate(&parts.headers, state).await?;
        // Cookies ride along with cross-site requests; a write must also prove it came from a
        // page of ours by echoing the session's CSRF token.
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if let Some(expected) = csrf_token.as_deref().filter(|_| !safe) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if sent != Some(expected) {
                return Err(csrf_error());
            }
        }
        // A read token reads, whatever its user may do: no write of any kind rides on it.
        if !safe && token_scope == Some(TokenScope::Read) {
            return Err(read_only_token());
        }
        Ok(Caller { user, token_scope, csrf_token })
    }
}

/// What a read-scoped token gets when it asks to change anything.
pub fn read_only_token() -> ApiError {
    ApiError::new(
        crate::error::Kind::Forbidden,
        "read_only_token",
        "this token may only read; use a token with the write scope (or the web application) to change anything",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "wrong horse battery"));
        assert!(hash_password("short").is_err());
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, pa) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with(&pa));
        assert_eq!(hash_secret(&a).len(), 64);
    }
}
