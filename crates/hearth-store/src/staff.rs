//! Staff accounts and their sessions (web cookies and API bearer tokens).
//! Only hashes of secrets are stored: a password's Argon2id PHC string, a
//! session token's SHA-256.

use crate::time::{get_opt_ts, get_ts, ts};
use crate::{is_unique_violation, vocab, Result, StoreError, Tx};
use hearth_domain::{
    staff::{AccessReview, ServiceAccountFields, StaffAccount, StaffRole},
    Id,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    pub role: StaffRole,
    pub password_hash: String,
    pub active: bool,
    /// Compartments this person manages (e.g. `asb`), for need-to-know rules.
    pub responsibilities: Vec<String>,
    /// Failed sign-ins since the last success or lock.
    pub failed_sign_ins: i64,
    /// While in the future, sign-in is refused whatever the password.
    pub locked_until: Option<Timestamp>,
    /// When the last failed sign-in was: old failures stop counting.
    pub last_failed_sign_in_at: Option<Timestamp>,
    /// Base32 TOTP secret, when two-step sign-in is on.
    pub totp_secret: Option<String>,
    /// The last TOTP time step accepted (a code is never accepted twice).
    pub totp_last_step: Option<i64>,
    /// A service account (an integration), not a person.
    pub service: bool,
    /// A service account's compartments.
    pub scope: Vec<String>,
    /// False for a directory account whose groups grant no role yet: no
    /// session or actor is made for it.
    pub has_role: bool,
    /// The identity provider's issuer and subject, once signed in by single sign-on.
    pub directory_subject: Option<String>,
}

/// A list of compartments stored comma-separated.
fn comma_list(row: &AnyRow, column: &str) -> Result<Vec<String>> {
    Ok(row.try_get::<String, _>(column)?.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).collect())
}

/// The compartments an account answers for.
fn responsibilities(row: &AnyRow) -> Result<Vec<String>> {
    comma_list(row, "responsibilities")
}

fn user_from(row: &AnyRow) -> Result<StaffUser> {
    Ok(StaffUser {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: vocab(row, "role", StaffRole::parse)?,
        password_hash: row.try_get("password_hash")?,
        active: row.try_get::<i64, _>("active")? == 1,
        responsibilities: responsibilities(row)?,
        failed_sign_ins: row.try_get("failed_sign_ins")?,
        locked_until: get_opt_ts(row, "locked_until")?,
        last_failed_sign_in_at: get_opt_ts(row, "last_failed_sign_in_at")?,
        totp_secret: row.try_get("totp_secret")?,
        totp_last_step: row.try_get("totp_last_step")?,
        service: row.try_get::<String, _>("kind")? == "service",
        scope: comma_list(row, "scope")?,
        has_role: row.try_get::<i64, _>("no_role")? == 0,
        directory_subject: row.try_get("directory_subject")?,
    })
}

const USER_COLUMNS: &str =
    "id, username, display_name, role, password_hash, active, responsibilities, failed_sign_ins, locked_until, last_failed_sign_in_at,
    totp_secret, totp_last_step, kind, scope, no_role, directory_subject";

pub async fn insert_user(
    tx: &mut Tx,
    username: &str,
    display_name: &str,
    role: StaffRole,
    responsibilities: &[String],
    password_hash: &str,
    now: Timestamp,
) -> Result<Id> {
    let r = sqlx::query(
        "INSERT INTO staff_user (username, display_name, role, password_hash, active, created_at, responsibilities)
         VALUES ($1, $2, $3, $4, 1, $5, $6) RETURNING id",
    )
    .bind(username)
    .bind(display_name)
    .bind(role.as_str())
    .bind(password_hash)
    .bind(ts(now))
    .bind(responsibilities.join(","))
    .fetch_one(tx.conn())
    .await;
    match r {
        Ok(row) => Ok(row.try_get("id")?),
        Err(e) if is_unique_violation(&e) => Err(StoreError::field("username", "That username is already taken")),
        Err(e) => Err(e.into()),
    }
}

pub async fn user_by_username(tx: &mut Tx, username: &str) -> Result<Option<StaffUser>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM staff_user WHERE username = $1");
    sqlx::query(&sql).bind(username).fetch_optional(tx.conn()).await?.as_ref().map(user_from).transpose()
}

pub async fn user_by_id(tx: &mut Tx, id: Id) -> Result<StaffUser> {
    let sql = format!("SELECT {USER_COLUMNS} FROM staff_user WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(user_from).transpose()?.ok_or(StoreError::NotFound)
}

pub async fn set_password(tx: &mut Tx, id: Id, password_hash: &str) -> Result<()> {
    let r = sqlx::query("UPDATE staff_user SET password_hash = $2, version = version + 1 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .execute(tx.conn())
        .await?;
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

pub use hearth_domain::staff::SessionKind;

#[derive(Debug, Clone)]
pub struct Session {
    pub id: Id,
    pub user: StaffUser,
    pub csrf_token: String,
    pub expires_at: Timestamp,
    /// When the session was last used (its start, if never since).
    pub last_seen_at: Timestamp,
    /// How it was opened: `password`, `directory` (single sign-on) or `token` (a service account).
    pub method: String,
}

pub async fn insert_session(
    tx: &mut Tx,
    token_hash: &str,
    user_id: Id,
    kind: SessionKind,
    csrf_token: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<Id> {
    insert_session_via(tx, token_hash, user_id, kind, "password", csrf_token, now, expires_at).await
}

/// As [`insert_session`], saying how the session was opened.
#[allow(clippy::too_many_arguments)]
pub async fn insert_session_via(
    tx: &mut Tx,
    token_hash: &str,
    user_id: Id,
    kind: SessionKind,
    method: &str,
    csrf_token: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<Id> {
    let row = sqlx::query(
        "INSERT INTO staff_session (token_hash, user_id, kind, csrf_token, created_at, expires_at, method)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(kind.as_str())
    .bind(csrf_token)
    .bind(ts(now))
    .bind(ts(expires_at))
    .bind(method)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.try_get("id")?)
}

/// The account linked to an identity provider's subject, if any.
pub async fn user_by_directory_subject(tx: &mut Tx, subject: &str) -> Result<Option<StaffUser>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM staff_user WHERE directory_subject = $1");
    sqlx::query(&sql).bind(subject).fetch_optional(tx.conn()).await?.as_ref().map(user_from).transpose()
}

/// Marks an account as the directory's (a joiner made at their first single sign-on).
pub async fn mark_from_directory(tx: &mut Tx, user_id: Id) -> Result<()> {
    sqlx::query("UPDATE staff_user SET origin = 'directory' WHERE id = $1").bind(user_id).execute(tx.conn()).await?;
    Ok(())
}

/// Links an account to an identity provider's subject (its first single sign-on).
pub async fn link_directory_subject(tx: &mut Tx, user_id: Id, subject: &str) -> Result<()> {
    sqlx::query("UPDATE staff_user SET directory_subject = $2, version = version + 1 WHERE id = $1")
        .bind(user_id)
        .bind(subject)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The live session for a token hash, if it exists, is unexpired, is of the
/// right kind and belongs to an active account that has a role.
pub async fn live_session(tx: &mut Tx, token_hash: &str, kind: SessionKind, now: Timestamp) -> Result<Option<Session>> {
    let row = sqlx::query(
        "SELECT s.id AS session_id, s.csrf_token, s.expires_at, COALESCE(s.last_seen_at, s.created_at) AS last_seen_at,
                u.id, u.username, u.display_name, u.role, u.password_hash, u.active, u.responsibilities, u.failed_sign_ins, u.locked_until, u.last_failed_sign_in_at, u.totp_secret, u.totp_last_step, u.kind, u.scope, u.no_role, u.directory_subject, s.method
         FROM staff_session s JOIN staff_user u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.kind = $2 AND s.expires_at > $3 AND u.active = 1 AND u.no_role = 0",
    )
    .bind(token_hash)
    .bind(kind.as_str())
    .bind(ts(now))
    .fetch_optional(tx.conn())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Session {
        id: row.try_get("session_id")?,
        user: user_from(&row)?,
        csrf_token: row.try_get("csrf_token")?,
        expires_at: get_ts(&row, "expires_at")?,
        last_seen_at: get_ts(&row, "last_seen_at")?,
        method: row.try_get("method")?,
    }))
}

/// Notes that a session was used now (for the idle timeout).
pub async fn touch_session(tx: &mut Tx, session_id: Id, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE staff_session SET last_seen_at = $2 WHERE id = $1").bind(session_id).bind(ts(now)).execute(tx.conn()).await?;
    Ok(())
}

/// Ends every session of an account (sign out everywhere, password change).
pub async fn delete_user_sessions(tx: &mut Tx, user_id: Id) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM staff_session WHERE user_id = $1").bind(user_id).execute(tx.conn()).await?.rows_affected())
}

/// Records a failed sign-in: `failures` is the count now; when `lock_until`
/// is given the count starts again and the account is locked until then.
pub async fn record_failed_sign_in(tx: &mut Tx, user_id: Id, failures: i64, lock_until: Option<Timestamp>, now: Timestamp) -> Result<()> {
    match lock_until {
        Some(t) => sqlx::query("UPDATE staff_user SET failed_sign_ins = 0, locked_until = $2, last_failed_sign_in_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(ts(t))
            .bind(ts(now)),
        None => sqlx::query("UPDATE staff_user SET failed_sign_ins = $2, last_failed_sign_in_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(failures)
            .bind(ts(now)),
    }
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Clears the failure count and any lock after a successful sign-in (or an
/// administrator's unlock).
pub async fn clear_failed_sign_ins(tx: &mut Tx, user_id: Id) -> Result<()> {
    sqlx::query("UPDATE staff_user SET failed_sign_ins = 0, locked_until = NULL, last_failed_sign_in_at = NULL WHERE id = $1")
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Failed sign-ins under a username with no account, by a hash of the name.
#[derive(Debug, Clone)]
pub struct NameFailures {
    pub failures: i64,
    pub locked_until: Option<Timestamp>,
    pub last_failed_at: Timestamp,
}

pub async fn name_failures(tx: &mut Tx, name_hash: &str) -> Result<Option<NameFailures>> {
    let row = sqlx::query("SELECT failures, locked_until, last_failed_at FROM failed_sign_in WHERE name_hash = $1")
        .bind(name_hash)
        .fetch_optional(tx.conn())
        .await?;
    row.map(|r| {
        Ok(NameFailures {
            failures: r.try_get("failures")?,
            locked_until: get_opt_ts(&r, "locked_until")?,
            last_failed_at: get_ts(&r, "last_failed_at")?,
        })
    })
    .transpose()
}

/// Records a failed sign-in under a name with no account, as
/// [`record_failed_sign_in`] does for an account.
pub async fn record_name_failure(tx: &mut Tx, name_hash: &str, failures: i64, lock_until: Option<Timestamp>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO failed_sign_in (name_hash, failures, locked_until, last_failed_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name_hash) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
             last_failed_at = excluded.last_failed_at",
    )
    .bind(name_hash)
    .bind(if lock_until.is_some() { 0 } else { failures })
    .bind(lock_until.map(ts))
    .bind(ts(now))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Deletes the failures of names with no account last tried before
/// `before`, and beyond the newest `keep` names, so the table stays small
/// whatever is tried.
pub async fn forget_name_failures(tx: &mut Tx, before: Timestamp, keep: i64) -> Result<u64> {
    let old = sqlx::query("DELETE FROM failed_sign_in WHERE last_failed_at < $1").bind(ts(before)).execute(tx.conn()).await?;
    // The subquery is NULL (nothing deleted) while there are no more than `keep` rows.
    let over = sqlx::query(
        "DELETE FROM failed_sign_in WHERE last_failed_at <
             (SELECT last_failed_at FROM failed_sign_in ORDER BY last_failed_at DESC LIMIT 1 OFFSET $1)",
    )
    .bind(keep)
    .execute(tx.conn())
    .await?;
    Ok(old.rows_affected() + over.rows_affected())
}

pub async fn delete_session(tx: &mut Tx, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM staff_session WHERE token_hash = $1").bind(token_hash).execute(tx.conn()).await?;
    Ok(())
}

pub async fn delete_expired_sessions(tx: &mut Tx, now: Timestamp) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM staff_session WHERE expires_at <= $1").bind(ts(now)).execute(tx.conn()).await?.rows_affected())
}

/// Records who manages a staff member (for "the assigned officer's manager").
pub async fn set_manager(tx: &mut Tx, user_id: Id, manager_id: Option<Id>) -> Result<()> {
    let r = sqlx::query("UPDATE staff_user SET manager_id = $2, version = version + 1 WHERE id = $1")
        .bind(user_id)
        .bind(manager_id)
        .execute(tx.conn())
        .await?;
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Turns two-step sign-in on (with its secret) or off (`None`).
pub async fn set_totp_secret(tx: &mut Tx, user_id: Id, secret: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE staff_user SET totp_secret = $2, totp_last_step = NULL WHERE id = $1")
        .bind(user_id)
        .bind(secret)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Records the TOTP time step just used.
pub async fn set_totp_last_step(tx: &mut Tx, user_id: Id, step: i64) -> Result<()> {
    sqlx::query("UPDATE staff_user SET totp_last_step = $2 WHERE id = $1").bind(user_id).bind(step).execute(tx.conn()).await?;
    Ok(())
}

const ACCOUNT_COLUMNS: &str =
    "u.id, u.username, u.display_name, u.role, u.manager_id, m.display_name AS manager_name, u.responsibilities, u.active,
    u.totp_secret, u.last_sign_in_at, u.disabled_at, u.created_at, u.kind, u.scope, u.expires_at, u.no_role, u.origin";

fn account_from(row: &AnyRow) -> Result<StaffAccount> {
    Ok(StaffAccount {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: vocab(row, "role", StaffRole::parse)?,
        manager_id: row.try_get("manager_id")?,
        manager_name: row.try_get("manager_name")?,
        responsibilities: responsibilities(row)?,
        active: row.try_get::<i64, _>("active")? == 1,
        two_step: row.try_get::<Option<String>, _>("totp_secret")?.is_some(),
        last_sign_in_at: get_opt_ts(row, "last_sign_in_at")?,
        disabled_at: get_opt_ts(row, "disabled_at")?,
        created_at: get_ts(row, "created_at")?,
        service: row.try_get::<String, _>("kind")? == "service",
        scope: comma_list(row, "scope")?,
        expires_at: get_opt_ts(row, "expires_at")?,
        has_role: row.try_get::<i64, _>("no_role")? == 0,
        directory: row.try_get::<String, _>("origin")? == "directory",
    })
}

/// Makes a service account: it never signs in with a password
/// (`password_hash` is `!`, which no password verifies against).
pub async fn insert_service_account(tx: &mut Tx, f: &ServiceAccountFields, expires_at: Timestamp, now: Timestamp) -> Result<Id> {
    let r = sqlx::query(
        "INSERT INTO staff_user (username, display_name, role, password_hash, responsibilities, created_at, kind, scope, expires_at)
         VALUES ($1, $2, $3, '!', '', $4, 'service', $5, $6) RETURNING id",
    )
    .bind(&f.username)
    .bind(&f.display_name)
    .bind(f.role.as_str())
    .bind(ts(now))
    .bind(f.scope.join(","))
    .bind(ts(expires_at))
    .fetch_one(tx.conn())
    .await;
    match r {
        Ok(row) => Ok(row.try_get("id")?),
        Err(e) if is_unique_violation(&e) => Err(StoreError::field("name", "A service account with that name already exists")),
        Err(e) => Err(e.into()),
    }
}

/// Every staff account, active first, then by name.
pub async fn accounts(tx: &mut Tx) -> Result<Vec<StaffAccount>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM staff_user u LEFT JOIN staff_user m ON m.id = u.manager_id ORDER BY u.active DESC, u.display_name, u.id"
    );
    sqlx::query(&sql).fetch_all(tx.conn()).await?.iter().map(account_from).collect()
}

pub async fn account(tx: &mut Tx, id: Id) -> Result<StaffAccount> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM staff_user u LEFT JOIN staff_user m ON m.id = u.manager_id WHERE u.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(account_from).transpose()?.ok_or(StoreError::NotFound)
}

/// Stores what an administrator may change: role, line manager,
/// responsibilities, and whether the account is active.
pub async fn save_account(tx: &mut Tx, a: &StaffAccount) -> Result<()> {
    let r = sqlx::query(
        "UPDATE staff_user SET role = $2, manager_id = $3, responsibilities = $4, active = $5, disabled_at = $6, no_role = $7,
             version = version + 1
         WHERE id = $1",
    )
    .bind(a.id)
    .bind(a.role.as_str())
    .bind(a.manager_id)
    .bind(a.responsibilities.join(","))
    .bind(if a.active { 1i64 } else { 0 })
    .bind(a.disabled_at.map(ts))
    .bind(if a.has_role { 0i64 } else { 1 })
    .execute(tx.conn())
    .await?;
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Notes a successful sign-in, for the staff page and the access review.
pub async fn record_sign_in(tx: &mut Tx, user_id: Id, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE staff_user SET last_sign_in_at = $2 WHERE id = $1").bind(user_id).bind(ts(now)).execute(tx.conn()).await?;
    Ok(())
}

/// Records a periodic access review marked done.
pub async fn insert_access_review(tx: &mut Tx, reviewed_by: Id, scope: &str, accounts: i64, note: &str, now: Timestamp) -> Result<Id> {
    let row =
        sqlx::query("INSERT INTO access_review (reviewed_by, reviewed_at, scope, accounts, note) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(reviewed_by)
            .bind(ts(now))
            .bind(scope)
            .bind(accounts)
            .bind(note)
            .fetch_one(tx.conn())
            .await?;
    Ok(row.try_get("id")?)
}

/// Access reviews, newest first; a manager's (`by`) or everyone's.
pub async fn access_reviews(tx: &mut Tx, by: Option<Id>, limit: i64) -> Result<Vec<AccessReview>> {
    let filter = if by.is_some() { "WHERE r.reviewed_by = $2" } else { "" };
    let sql = format!(
        "SELECT r.id, u.display_name AS reviewed_by, r.reviewed_at, r.scope, r.accounts, r.note
         FROM access_review r JOIN staff_user u ON u.id = r.reviewed_by {filter} ORDER BY r.reviewed_at DESC, r.id DESC LIMIT $1"
    );
    let mut q = sqlx::query(&sql).bind(limit);
    if let Some(by) = by {
        q = q.bind(by);
    }
    let rows = q.fetch_all(tx.conn()).await?;
    rows.iter()
        .map(|r| {
            Ok(AccessReview {
                id: r.try_get("id")?,
                reviewed_by: r.try_get("reviewed_by")?,
                reviewed_at: get_ts(r, "reviewed_at")?,
                scope: r.try_get("scope")?,
                accounts: r.try_get("accounts")?,
                note: r.try_get("note")?,
            })
        })
        .collect()
}

/// Every account's name by id: staff are shown by name, never by number.
pub async fn names(tx: &mut Tx) -> Result<std::collections::BTreeMap<Id, String>> {
    let rows = sqlx::query("SELECT id, display_name FROM staff_user").fetch_all(tx.conn()).await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?))).collect()
}

/// Active people's accounts (no service accounts, no leavers) by name, with
/// their roles: whom a piece of work can be given to.
pub async fn colleagues(tx: &mut Tx) -> Result<Vec<(Id, String, StaffRole)>> {
    let rows = sqlx::query("SELECT id, display_name, role FROM staff_user WHERE active = 1 AND kind = 'person' ORDER BY display_name, id")
        .fetch_all(tx.conn())
        .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?, vocab(r, "role", StaffRole::parse)?))).collect()
}
