//! Staff sign-in: Argon2id password checks, web sessions with a CSRF token,
//! and API bearer tokens. Secrets are random 256-bit values; only their
//! SHA-256 is stored, so a copy of the database grants no session.

use crate::{Actor, Gate, GateError, Result, DEFAULT_PURPOSE};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hearth_domain::{FieldError, Id, StaffRole, ValidationErrors};
use hearth_store::staff::{self, SessionKind, StaffUser};
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How long a browser session lasts from sign-in.
pub const WEB_SESSION: SignedDuration = SignedDuration::from_hours(8);
/// How long an API token lasts from issue.
pub const API_TOKEN: SignedDuration = SignedDuration::from_hours(12);
const MIN_PASSWORD_CHARS: usize = 10;

/// A signed-in staff member and the secrets of their session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    /// The bearer secret: a cookie value or an API token. Shown once.
    pub token: String,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// A session looked up from its token.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub actor: Actor,
    pub csrf_token: String,
}

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes any password").to_string()
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

fn actor_of(u: &StaffUser) -> Actor {
    Actor {
        user_id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role,
        purpose: DEFAULT_PURPOSE.into(),
        responsibilities: u.responsibilities.clone(),
    }
}

/// Rules for a new account's fields.
pub fn validate_new_user(username: &str, display_name: &str, password: &str) -> Result<(), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    if username.len() < 3
        || username.len() > 64
        || !username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c))
    {
        errs.push(FieldError::new("username", "Username must be 3 to 64 lower-case letters, digits, dots, hyphens or underscores"));
    }
    if display_name.trim().is_empty() {
        errs.push(FieldError::new("display_name", "Enter the person's name"));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        errs.push(FieldError::new("password", format!("Password must be at least {MIN_PASSWORD_CHARS} characters")));
    }
    errs.into_result()
}

impl Gate {
    /// Creates a staff account (administration, CLI and demo loader).
    /// `responsibilities` are compartment names (e.g. `asb`) a manager looks after.
    pub async fn add_user(
        &self,
        username: &str,
        display_name: &str,
        role: StaffRole,
        responsibilities: &[String],
        password: &str,
    ) -> Result<Id> {
        validate_new_user(username, display_name, password)?;
        if let Some(bad) = responsibilities.iter().find(|r| hearth_domain::Compartment::parse(r).is_none()) {
            return Err(FieldError::new("responsibilities", format!("{bad:?} is not a compartment")).into());
        }
        let hash = hash_password(password);
        let mut tx = self.store.begin().await?;
        let id = staff::insert_user(&mut tx, username, display_name.trim(), role, responsibilities, &hash, Timestamp::now()).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checks a password and opens a session. Unknown users and wrong
    /// passwords get the same answer, after the same hashing work.
    pub async fn sign_in(&self, username: &str, password: &str, kind: SessionKind) -> Result<SignedIn> {
        let mut tx = self.store.begin().await?;
        let user = staff::user_by_username(&mut tx, username.trim()).await?;
        let ok = match &user {
            Some(u) => verify_password(password, &u.password_hash) && u.active,
            None => {
                // Spend the same time as a real check so timing reveals nothing.
                let _ = verify_password(password, &hash_password("not-a-real-account"));
                false
            }
        };
        let Some(user) = user.filter(|_| ok) else {
            tracing::warn!(username, "sign-in refused");
            return Err(GateError::Unauthenticated);
        };
        let now = Timestamp::now();
        let expires_at = now + if kind == SessionKind::Web { WEB_SESSION } else { API_TOKEN };
        let token = random_token();
        let csrf_token = random_token();
        staff::insert_session(&mut tx, &token_hash(&token), user.id, kind, &csrf_token, now, expires_at).await?;
        staff::delete_expired_sessions(&mut tx, now).await?;
        tx.commit().await?;
        tracing::info!(username = %user.username, "signed in");
        Ok(SignedIn { actor: actor_of(&user), token, csrf_token, expires_at })
    }

    /// The session a cookie or bearer token belongs to, if live.
    pub async fn session(&self, token: &str, kind: SessionKind) -> Result<LiveSession> {
        let mut tx = self.store.begin().await?;
        let s = staff::live_session(&mut tx, &token_hash(token), kind, Timestamp::now()).await?;
        tx.commit().await?;
        let s = s.ok_or(GateError::Unauthenticated)?;
        Ok(LiveSession { actor: actor_of(&s.user), csrf_token: s.csrf_token })
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        staff::delete_session(&mut tx, &token_hash(token)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records `manager` as the line manager of `username` (administration and CLI).
    pub async fn set_manager(&self, username: &str, manager: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let user = staff::user_by_username(&mut tx, username).await?.ok_or_else(|| FieldError::new("username", "No such account"))?;
        let m = staff::user_by_username(&mut tx, manager).await?.ok_or_else(|| FieldError::new("manager", "No such account"))?;
        if m.id == user.id {
            return Err(FieldError::new("manager", "Nobody manages themselves").into());
        }
        staff::set_manager(&mut tx, user.id, Some(m.id)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The id of a staff account, for administration and tests.
    pub async fn user_id(&self, username: &str) -> Result<Id> {
        let mut tx = self.store.begin().await?;
        let u = staff::user_by_username(&mut tx, username).await?.ok_or(GateError::NotFound)?;
        Ok(u.id)
    }

    /// Sets a new password (administration and CLI).
    pub async fn set_password(&self, username: &str, password: &str) -> Result<()> {
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(FieldError::new("password", format!("Password must be at least {MIN_PASSWORD_CHARS} characters")).into());
        }
        let mut tx = self.store.begin().await?;
        let user = staff::user_by_username(&mut tx, username).await?.ok_or(GateError::NotFound)?;
        staff::set_password(&mut tx, user.id, &hash_password(password)).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn new_accounts_need_sane_username_and_long_password() {
        assert!(validate_new_user("housing.officer", "Pat Example", "long enough pw").is_ok());
        let e = validate_new_user("Bad Name", "", "short").unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["username", "display_name", "password"]);
    }
}
