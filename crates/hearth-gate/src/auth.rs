//! Staff sign-in: Argon2id password checks, web sessions with a CSRF token,
//! and API bearer tokens. Secrets are random 256-bit values; only their
//! SHA-256 is stored, so a copy of the database grants no session.

use crate::Target;
use crate::{totp, Actor, Gate, GateError, Result, DEFAULT_PURPOSE};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hearth_domain::access::{Action, Compartment};
use hearth_domain::{
    error::{FieldError, ValidationErrors},
    staff::StaffRole,
    Id,
};
use hearth_store::staff::{self, SessionKind, StaffUser};
use hearth_store::Tx;
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

/// How long a browser session lasts from sign-in.
pub const WEB_SESSION: SignedDuration = SignedDuration::from_hours(8);
/// How long an API token lasts from issue.
pub const API_TOKEN: SignedDuration = SignedDuration::from_hours(12);
/// A browser session unused this long ends (ASVS 3.3.2: 30 minutes idle).
pub const WEB_IDLE: SignedDuration = SignedDuration::from_mins(30);
/// Session use is written at most this often, so reading pages is not a write each time.
const TOUCH_EVERY: SignedDuration = SignedDuration::from_mins(1);
/// Consecutive failed sign-ins that lock an account …
pub const MAX_FAILED_SIGN_INS: i64 = 5;
/// … for this long (ASVS 2.2.1: anti-automation without a permanent lock-out).
pub const LOCK_FOR: SignedDuration = SignedDuration::from_mins(15);
/// Failures older than this no longer count towards a lock, for accounts
/// and for names with no account alike (so the latter can be forgotten).
pub const FAILURES_COUNT_FOR: SignedDuration = SignedDuration::from_hours(24);
/// Most names with no account whose failures are remembered at once; the
/// per-address throttle keeps real traffic far below it.
const MAX_REMEMBERED_NAMES: i64 = 100_000;
const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_CHARS: usize = 128;
/// Passwords seen in breaches and guessing lists (NIST SP 800-63B 5.1.1.2);
/// compared case-insensitively.
const COMMON_PASSWORDS: &str = include_str!("../../../config/common-passwords.txt");

/// What a person is told when Hearth passwords are switched off.
pub const LOCAL_PASSWORDS_OFF: &str = "Hearth passwords are switched off: sign in with your organisation account";
/// How a single sign-on session is marked.
const DIRECTORY: &str = "directory";
/// What a directory account holds instead of a password hash: not a PHC
/// string, so no password ever matches it.
const NO_PASSWORD: &str = "!directory";

/// Who the identity provider says signed in, once its token is verified.
#[derive(Debug, Clone)]
pub struct DirectoryIdentity {
    /// The provider's issuer and the person's subject there: stable whatever
    /// the person is called, so a renamed account is still theirs.
    pub subject: String,
    /// The username claim (Entra ID: the UPN).
    pub username: String,
    pub display_name: String,
    /// The groups (or app roles) claim.
    pub groups: Vec<String>,
    /// The line manager's username, when the provider sends one.
    pub manager: Option<String>,
}

/// A signed-in staff member and the secrets of their session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    /// Two-step sign-in is required and the account has not set it up: the
    /// session may only set it up (a web session; no API token is issued).
    pub must_set_up_two_step: bool,
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
    /// Two-step sign-in is required and not yet set up: the session may
    /// only set it up or sign out.
    pub must_set_up_two_step: bool,
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

pub(crate) fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a random password, made once with the same Argon2id parameters
/// as real ones: a sign-in under a name with no account verifies against it,
/// so it costs exactly one real verification, as a wrong password does.
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password(&random_token()));
    &DUMMY
}

/// How a sign-in name is compared: usernames are lower-case, so case and
/// surrounding spaces do not make a different name.
pub fn normalise_username(username: &str) -> String {
    username.trim().to_lowercase()
}

/// What the failed-sign-in table keeps of a name with no account.
fn name_key(normalised: &str) -> String {
    token_hash(&format!("hearth-sign-in-name:{normalised}"))
}

/// The failures that still count towards a lock.
fn counting(failures: i64, last_failed_at: Option<Timestamp>, now: Timestamp) -> i64 {
    if last_failed_at.is_some_and(|t| now.duration_since(t) < FAILURES_COUNT_FOR) {
        failures
    } else {
        0
    }
}

/// One more failure after `before` that still count: the new count, and the
/// lock it sets when it reaches the limit.
fn next_failure(before: i64, now: Timestamp) -> (i64, Option<Timestamp>) {
    let failures = before + 1;
    (failures, (failures >= MAX_FAILED_SIGN_INS).then(|| now + LOCK_FOR))
}

fn actor_of(u: &StaffUser) -> Actor {
    Actor {
        user_id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role,
        purpose: DEFAULT_PURPOSE.into(),
        responsibilities: u.responsibilities.clone(),
        scope: u.service.then(|| u.scope.clone()),
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
    if let Err(e) = check_password(username, password) {
        errs.push(e);
    }
    errs.into_result()
}

/// NIST SP 800-63B rules for a chosen password: long enough, not absurdly
/// long, not a known common or breached password, not one repeated
/// character, not the username. No composition rules: they do not help.
pub fn check_password(username: &str, password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    let problem = if n < MIN_PASSWORD_CHARS {
        format!("Password must be at least {MIN_PASSWORD_CHARS} characters")
    } else if n > MAX_PASSWORD_CHARS {
        format!("Password must be {MAX_PASSWORD_CHARS} characters or fewer")
    } else if is_common_password(password) {
        "Password is too common: it appears in lists of breached passwords. Choose another".to_string()
    } else if password.chars().all(|c| password.starts_with(c)) {
        "Password must not be one character repeated".to_string()
    } else if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        "Password must not contain the username".to_string()
    } else {
        return Ok(());
    };
    Err(FieldError::new("password", problem))
}

fn is_common_password(password: &str) -> bool {
    let p = password.trim().to_lowercase();
    COMMON_PASSWORDS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).any(|l| l.to_lowercase() == p)
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
        if let Some(bad) = responsibilities.iter().find(|r| hearth_domain::access::Compartment::parse(r).is_none()) {
            return Err(FieldError::new("responsibilities", format!("{bad:?} is not a compartment")).into());
        }
        let hash = hash_password(password);
        let mut tx = self.store.begin().await?;
        let id = staff::insert_user(&mut tx, username, display_name.trim(), role, responsibilities, &hash, Timestamp::now()).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checks a password and opens a session. Unknown users and wrong
    /// passwords get the same answer, after the same hashing work, and count
    /// towards the same lock. Every
    /// sign-in makes a new session with new secrets, so nothing an attacker
    /// planted before sign-in survives it (no session fixation).
    ///
    /// After [`MAX_FAILED_SIGN_INS`] failures in a row (within
    /// [`FAILURES_COUNT_FOR`]) the name is locked for [`LOCK_FOR`]; while
    /// locked even the right password is refused.
    pub async fn sign_in(&self, username: &str, password: &str, kind: SessionKind) -> Result<SignedIn> {
        self.sign_in_with_code(username, password, None, kind).await
    }

    /// As [`Gate::sign_in`], with the code from an authenticator app for an
    /// account that has two-step sign-in on. A missing or wrong code counts
    /// as a failed sign-in, towards the lock.
    pub async fn sign_in_with_code(&self, username: &str, password: &str, code: Option<&str>, kind: SessionKind) -> Result<SignedIn> {
        if !self.identity.local_passwords {
            return Err(GateError::SignInRefused(LOCAL_PASSWORDS_OFF.into()));
        }
        let now = Timestamp::now();
        let name = normalise_username(username);
        let mut tx = self.store.begin().await?;
        let user = staff::user_by_username(&mut tx, &name).await?;
        let Some(user) = user else {
            return self.refuse_unknown_name(tx, &name, password, now).await;
        };
        if let Some(until) = user.locked_until.filter(|t| *t > now) {
            let _ = verify_password(password, &user.password_hash);
            tracing::warn!(username, %until, "sign-in refused: account locked");
            return Err(GateError::Throttled { retry_after: until.duration_since(now) });
        }
        let (failures, lock) = next_failure(counting(user.failed_sign_ins, user.last_failed_sign_in_at, now), now);
        if !(verify_password(password, &user.password_hash) && user.active) {
            staff::record_failed_sign_in(&mut tx, user.id, failures, lock, now).await?;
            tx.commit().await?;
            tracing::warn!(username, locked = lock.is_some(), "sign-in refused: wrong password or inactive account");
            return Err(GateError::Unauthenticated);
        }
        if !user.has_role {
            // A directory account whose groups grant no role yet; the password was right, so nothing is counted.
            tracing::warn!(username, "sign-in refused: no Hearth role yet");
            return Err(FieldError::new("username", hearth_domain::staff::NO_ROLE_YET).into());
        }
        if let Some(secret) = &user.totp_secret {
            let code = code.map(str::trim).unwrap_or("");
            let Some(step) = totp::accept(secret, code, now.as_second(), user.totp_last_step) else {
                staff::record_failed_sign_in(&mut tx, user.id, failures, lock, now).await?;
                tx.commit().await?;
                tracing::warn!(username, "sign-in refused: security code missing or wrong");
                let message =
                    if code.is_empty() { "Enter the security code from your authenticator app" } else { "The security code is not right" };
                return Err(FieldError::new("totp_code", message).into());
            };
            staff::set_totp_last_step(&mut tx, user.id, step).await?;
        }
        let must_set_up_two_step = self.two_step_required && user.totp_secret.is_none();
        if must_set_up_two_step && kind == SessionKind::Api {
            // Nothing is counted against the account: the password was right.
            tracing::warn!(username, "API sign-in refused: two-step sign-in is required and not set up");
            return Err(FieldError::new(
                "totp_code",
                "Two-step sign-in is required for every account: sign in to the web UI and set it up under Your account first",
            )
            .into());
        }
        let expires_at = now + if kind == SessionKind::Web { WEB_SESSION } else { API_TOKEN };
        let token = random_token();
        let csrf_token = random_token();
        staff::clear_failed_sign_ins(&mut tx, user.id).await?;
        staff::record_sign_in(&mut tx, user.id, now).await?;
        staff::insert_session(&mut tx, &token_hash(&token), user.id, kind, &csrf_token, now, expires_at).await?;
        staff::delete_expired_sessions(&mut tx, now).await?;
        tx.commit().await?;
        tracing::info!(username = %user.username, "signed in");
        Ok(SignedIn { actor: actor_of(&user), must_set_up_two_step, token, csrf_token, expires_at })
    }

    /// A sign-in under a name with no account: the same Argon2id work, and
    /// the same count, lock and answers as a wrong password for a real
    /// account, so neither timing nor the answers reveal which names exist.
    async fn refuse_unknown_name(&self, mut tx: Tx, name: &str, password: &str, now: Timestamp) -> Result<SignedIn> {
        let _ = verify_password(password, dummy_password_hash());
        let key = name_key(name);
        let held = staff::name_failures(&mut tx, &key).await?;
        if let Some(until) = held.as_ref().and_then(|f| f.locked_until).filter(|t| *t > now) {
            tracing::warn!(username = name, %until, "sign-in refused: unknown account, locked");
            return Err(GateError::Throttled { retry_after: until.duration_since(now) });
        }
        let before = held.as_ref().map_or(0, |f| counting(f.failures, Some(f.last_failed_at), now));
        let (failures, lock) = next_failure(before, now);
        staff::record_name_failure(&mut tx, &key, failures, lock, now).await?;
        staff::forget_name_failures(&mut tx, now - FAILURES_COUNT_FOR, MAX_REMEMBERED_NAMES).await?;
        tx.commit().await?;
        tracing::warn!(username = name, locked = lock.is_some(), "sign-in refused: unknown account");
        Err(GateError::Unauthenticated)
    }

    /// The session a cookie or bearer token belongs to, if live.
    /// A browser session idle for [`WEB_IDLE`] has ended (and is removed).
    pub async fn session(&self, token: &str, kind: SessionKind) -> Result<LiveSession> {
        let now = Timestamp::now();
        let hash = token_hash(token);
        // Every request asks this, so it only reads; the rare write (ending
        // an idle session, noting activity) takes a write transaction of its own.
        let s = {
            let mut tx = self.store.begin_read().await?;
            let s = staff::live_session(&mut tx, &hash, kind, now).await?;
            tx.commit().await?;
            s
        };
        let Some(s) = s else {
            return Err(GateError::Unauthenticated);
        };
        let idle = now.duration_since(s.last_seen_at);
        if kind == SessionKind::Web && idle >= WEB_IDLE {
            let mut tx = self.store.begin().await?;
            staff::delete_session(&mut tx, &hash).await?;
            tx.commit().await?;
            tracing::info!(username = %s.user.username, "session ended after being idle");
            return Err(GateError::Unauthenticated);
        }
        if idle >= TOUCH_EVERY {
            let mut tx = self.store.begin().await?;
            staff::touch_session(&mut tx, s.id, now).await?;
            tx.commit().await?;
        }
        // Two-step sign-in for a directory session is the identity provider's job.
        let must_set_up_two_step = self.two_step_required && s.user.totp_secret.is_none() && s.method != DIRECTORY;
        if must_set_up_two_step && kind == SessionKind::Api {
            // A token issued before the requirement was switched on stops working.
            return Err(GateError::Unauthenticated);
        }
        Ok(LiveSession { actor: actor_of(&s.user), csrf_token: s.csrf_token, must_set_up_two_step })
    }

    /// Ends every session and API token of the signed-in account.
    pub async fn sign_out_everywhere(&self, actor: &Actor) -> Result<u64> {
        let mut tx = self.store.begin().await?;
        let n = staff::delete_user_sessions(&mut tx, actor.user_id).await?;
        tx.commit().await?;
        tracing::info!(username = %actor.username, sessions = n, "signed out everywhere");
        Ok(n)
    }

    /// Whether the signed-in account uses two-step sign-in.
    pub async fn two_step_enabled(&self, actor: &Actor) -> Result<bool> {
        let mut tx = self.store.begin().await?;
        let user = staff::user_by_id(&mut tx, actor.user_id).await?;
        tx.commit().await?;
        Ok(user.totp_secret.is_some())
    }

    /// Turns on two-step sign-in with a secret the person's app now holds,
    /// once they prove it with a current code.
    pub async fn enable_two_step(&self, actor: &Actor, secret: &str, code: &str) -> Result<()> {
        let now = Timestamp::now();
        let step = totp::accept(secret, code, now.as_second(), None)
            .ok_or_else(|| FieldError::new("totp_code", "The security code is not right; check the app's clock and try the new code"))?;
        let mut tx = self.store.begin().await?;
        staff::set_totp_secret(&mut tx, actor.user_id, Some(secret)).await?;
        staff::set_totp_last_step(&mut tx, actor.user_id, step).await?;
        tx.commit().await?;
        tracing::info!(username = %actor.username, "two-step sign-in turned on");
        Ok(())
    }

    /// Turns two-step sign-in off, with a current code as proof.
    pub async fn disable_two_step(&self, actor: &Actor, code: &str) -> Result<()> {
        if self.two_step_required {
            return Err(FieldError::new("totp_code", "Two-step sign-in is required for every account here: it cannot be turned off").into());
        }
        let now = Timestamp::now();
        let mut tx = self.store.begin().await?;
        let user = staff::user_by_id(&mut tx, actor.user_id).await?;
        let Some(secret) = user.totp_secret else { return Ok(()) };
        if totp::accept(&secret, code, now.as_second(), user.totp_last_step).is_none() {
            return Err(FieldError::new("totp_code", "The security code is not right").into());
        }
        staff::set_totp_secret(&mut tx, actor.user_id, None).await?;
        tx.commit().await?;
        tracing::info!(username = %actor.username, "two-step sign-in turned off");
        Ok(())
    }

    /// Lifts a sign-in lock (administration and CLI).
    pub async fn unlock(&self, username: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let user = staff::user_by_username(&mut tx, username).await?.ok_or(GateError::NotFound)?;
        staff::clear_failed_sign_ins(&mut tx, user.id).await?;
        tx.commit().await?;
        Ok(())
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

    /// An active staff account acting for `purpose` outside a session: the
    /// operator of a command-line or scheduled job (a retention run). The
    /// purpose must be one the register declares, as for API callers.
    pub async fn actor_for(&self, username: &str, purpose: &str) -> Result<Actor> {
        if self.register.purpose(purpose).is_none() {
            return Err(FieldError::new("purpose", format!("{purpose:?} is not a purpose the register declares")).into());
        }
        let mut tx = self.store.begin().await?;
        let u = staff::user_by_username(&mut tx, username).await?.filter(|u| u.active && u.has_role).ok_or(GateError::NotFound)?;
        Ok(Actor { purpose: purpose.into(), ..actor_of(&u) })
    }

    /// The id of a staff account, for administration and tests.
    pub async fn user_id(&self, username: &str) -> Result<Id> {
        let mut tx = self.store.begin().await?;
        let u = staff::user_by_username(&mut tx, username).await?.ok_or(GateError::NotFound)?;
        Ok(u.id)
    }

    /// Sets a new password (administration and CLI).
    /// A new password ends every existing session of the account.
    pub async fn set_password(&self, username: &str, password: &str) -> Result<()> {
        check_password(username, password)?;
        let mut tx = self.store.begin().await?;
        let user = staff::user_by_username(&mut tx, username).await?.ok_or(GateError::NotFound)?;
        staff::set_password(&mut tx, user.id, &hash_password(password)).await?;
        staff::delete_user_sessions(&mut tx, user.id).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Gate {
    /// Opens a web session for a person the identity provider vouched for.
    /// Their groups decide their role and responsibilities at every sign-in
    /// (a mover's new job arrives with them); a person no group gives a role
    /// is refused, never given a default one. The first sign-in links the
    /// account of the same username to the provider's subject, or makes the
    /// account (a joiner); after that only that subject reaches it. A
    /// disabled account (a leaver) stays refused whatever the provider says.
    pub async fn sign_in_from_directory(&self, who: &DirectoryIdentity) -> Result<SignedIn> {
        let now = Timestamp::now();
        let name = normalise_username(&who.username);
        let Some(mapped) = self.identity.map_groups(&who.groups) else {
            tracing::warn!(username = %name, groups = ?who.groups, "single sign-on refused: no group gives a Hearth role");
            return Err(GateError::SignInRefused(
                "Your organisation account is not in any group that gives a role in Hearth. Ask your manager or the system \
                 administrator to add you to the right group, then sign in again."
                    .into(),
            ));
        };
        if name.is_empty() || name.chars().count() > 254 || name.chars().any(|c| c.is_control() || c.is_whitespace()) {
            tracing::warn!(subject = %who.subject, "single sign-on refused: no usable username claim");
            return Err(GateError::SignInRefused("The identity provider did not say who you are. Ask the system administrator.".into()));
        }
        let display_name = if who.display_name.trim().is_empty() { name.clone() } else { who.display_name.trim().to_string() };
        let mut tx = self.store.begin().await?;
        let found = match staff::user_by_directory_subject(&mut tx, &who.subject).await? {
            Some(u) => Some(u),
            None => match staff::user_by_username(&mut tx, &name).await? {
                Some(u) if u.directory_subject.is_some() || u.service => {
                    // The name belongs to someone else at the provider, or to an integration.
                    tracing::warn!(username = %name, "single sign-on refused: the username is another identity's");
                    return Err(GateError::SignInRefused(
                        "Your organisation account cannot be matched to a Hearth account. Ask the system administrator.".into(),
                    ));
                }
                Some(u) => {
                    staff::link_directory_subject(&mut tx, u.id, &who.subject).await?;
                    Some(u)
                }
                None => None,
            },
        };
        let user = match found {
            Some(u) => u,
            None => {
                let id = staff::insert_user(&mut tx, &name, &display_name, mapped.role, &mapped.responsibilities, NO_PASSWORD, now).await?;
                staff::link_directory_subject(&mut tx, id, &who.subject).await?;
                staff::mark_from_directory(&mut tx, id).await?;
                let u = staff::user_by_id(&mut tx, id).await?;
                let detail = json!({ "change": "Joined by single sign-on", "account": u.username, "role": mapped.role.as_str(),
                    "responsibilities": mapped.responsibilities });
                let e = crate::event(
                    &actor_of(&u),
                    Action::Create,
                    Compartment::Staff,
                    Target::of("staff_user", id, None),
                    "allow",
                    "directory-sign-in",
                    None,
                    Some(detail.to_string()),
                );
                hearth_store::audit::append(&mut tx, &e, now).await?;
                u
            }
        };
        if !user.active {
            tracing::warn!(username = %user.username, "single sign-on refused: account disabled");
            return Err(GateError::SignInRefused(
                "Your Hearth account is disabled. If you have come back to work, ask the system administrator to enable it.".into(),
            ));
        }
        let mut account = staff::account(&mut tx, user.id).await?;
        let old = account.clone();
        account.role = mapped.role;
        // The token's groups grant a role: one SCIM left as "no role yet" has it now.
        account.has_role = true;
        account.responsibilities = mapped.responsibilities.clone();
        if let Some(m) = who.manager.as_deref().map(normalise_username).filter(|m| !m.is_empty()) {
            if let Some(manager) = staff::user_by_username(&mut tx, &m).await?.filter(|u| u.id != user.id) {
                account.manager_id = Some(manager.id);
                account.manager_name = Some(manager.display_name);
            }
        }
        if account != old {
            staff::save_account(&mut tx, &account).await?;
            let detail = json!({ "change": "Role, responsibilities or manager from the directory", "account": account.username,
                "old": old, "new": account });
            let e = crate::event(
                &actor_of(&user),
                Action::Edit,
                Compartment::Staff,
                Target::of("staff_user", user.id, None),
                "allow",
                "directory-sign-in",
                None,
                Some(detail.to_string()),
            );
            hearth_store::audit::append(&mut tx, &e, now).await?;
        }
        let user = staff::user_by_id(&mut tx, user.id).await?;
        let expires_at = now + WEB_SESSION;
        let token = random_token();
        let csrf_token = random_token();
        staff::clear_failed_sign_ins(&mut tx, user.id).await?;
        staff::record_sign_in(&mut tx, user.id, now).await?;
        staff::insert_session_via(&mut tx, &token_hash(&token), user.id, SessionKind::Web, DIRECTORY, &csrf_token, now, expires_at).await?;
        staff::delete_expired_sessions(&mut tx, now).await?;
        tx.commit().await?;
        tracing::info!(username = %user.username, "signed in by single sign-on");
        Ok(SignedIn { actor: actor_of(&user), must_set_up_two_step: false, token, csrf_token, expires_at })
    }

    /// Ends every session of the account linked to the provider's subject:
    /// the provider's own sign-out (back-channel), so leaving the
    /// organisation's account leaves Hearth too. Returns how many ended.
    pub async fn sign_out_directory_subject(&self, subject: &str) -> Result<u64> {
        let mut tx = self.store.begin().await?;
        let Some(user) = staff::user_by_directory_subject(&mut tx, subject).await? else {
            return Ok(0);
        };
        let n = staff::delete_user_sessions(&mut tx, user.id).await?;
        tx.commit().await?;
        tracing::info!(username = %user.username, sessions = n, "signed out by the identity provider");
        Ok(n)
    }

    /// Whether the account signs in through the identity provider (its
    /// sign-out then goes on to the provider's).
    pub async fn signs_in_by_directory(&self, actor: &Actor) -> Result<bool> {
        let mut tx = self.store.begin_read().await?;
        let u = staff::user_by_id(&mut tx, actor.user_id).await?;
        tx.commit().await?;
        Ok(u.directory_subject.is_some())
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
    fn the_dummy_hash_for_unknown_names_is_a_real_argon2id_hash_with_the_same_parameters() {
        let real = hash_password("correct horse battery");
        let (real, dummy) = (PasswordHash::new(&real).unwrap(), PasswordHash::new(dummy_password_hash()).unwrap());
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.algorithm.as_str(), "argon2id");
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params, "same memory, iterations and lanes, so the same work");
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
        assert!(!verify_password("", dummy_password_hash()));
    }

    #[test]
    fn failures_stop_counting_after_a_day_and_the_fifth_locks() {
        let now = Timestamp::now();
        assert_eq!(counting(4, Some(now - SignedDuration::from_hours(1)), now), 4);
        assert_eq!(counting(4, Some(now - FAILURES_COUNT_FOR), now), 0);
        assert_eq!(counting(4, None, now), 0);
        assert_eq!(next_failure(3, now), (4, None));
        assert_eq!(next_failure(MAX_FAILED_SIGN_INS - 1, now), (MAX_FAILED_SIGN_INS, Some(now + LOCK_FOR)));
        assert_eq!(normalise_username("  Pat.Example "), "pat.example");
        assert_ne!(name_key("pat.example"), "pat.example");
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

    #[test]
    fn breached_repeated_and_username_passwords_are_refused() {
        for bad in ["Password123", "1234567890", "QWERTYUIOP", "zzzzzzzzzzzz", "pat.example-2026"] {
            let e = check_password("pat.example", bad).unwrap_err();
            assert_eq!(e.field, "password", "{bad}");
        }
        assert!(check_password("pat.example", &"x".repeat(129).replace("xx", "xy")).is_err());
        assert!(check_password("pat.example", "kettle orchard lamplight").is_ok());
    }
}
