//! What SCIM provisioning keeps: the directory's view of people's staff
//! accounts (origin, externalId, work email, app roles, "no role yet",
//! deprovisioned) and directory groups with their members. Service accounts
//! and deprovisioned accounts are never directory users. Decides nothing.

use crate::time::{get_opt_ts, get_ts, ts};
use crate::{is_unique_violation, Result, StoreError, Tx};
use hearth_domain::scim::{DirectoryGroup, DirectoryUser, Ref, UserAttributes, USERNAME_TAKEN};
use hearth_domain::staff::StaffRole;
use hearth_domain::Id;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;

/// The placeholder role of an account with no role yet: never acted as (no
/// session or actor is made for it), and the narrowest should it ever be.
pub const NO_ROLE_PLACEHOLDER: StaffRole = StaffRole::ContactCentreAdvisor;

const USER_COLUMNS: &str = "id, username, display_name, external_id, email, active, directory_roles, manager_id, created_at,
    modified_at, version";
const DIRECTORY_USERS: &str = "kind = 'person' AND deprovisioned_at IS NULL";

fn user_from(row: &AnyRow, groups: &mut BTreeMap<Id, Vec<Ref>>) -> Result<DirectoryUser> {
    let id: Id = row.try_get("id")?;
    let roles: String = row.try_get("directory_roles")?;
    let created_at = get_ts(row, "created_at")?;
    Ok(DirectoryUser {
        id,
        user_name: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        external_id: row.try_get("external_id")?,
        email: row.try_get("email")?,
        active: row.try_get::<i64, _>("active")? == 1,
        roles: serde_json::from_str(&roles).map_err(|_| StoreError::Corrupt { column: "directory_roles", value: roles })?,
        manager_id: row.try_get("manager_id")?,
        groups: groups.remove(&id).unwrap_or_default(),
        created_at,
        modified_at: get_opt_ts(row, "modified_at")?.unwrap_or(created_at),
        version: row.try_get("version")?,
    })
}

/// Every account's groups (or one account's), by account id.
async fn memberships(tx: &mut Tx, user: Option<Id>) -> Result<BTreeMap<Id, Vec<Ref>>> {
    let sql = format!(
        "SELECT m.user_id, g.id, g.display_name FROM staff_group_member m JOIN staff_group g ON g.id = m.group_id {} ORDER BY g.display_name, g.id",
        if user.is_some() { "WHERE m.user_id = $1" } else { "" }
    );
    let mut q = sqlx::query(&sql);
    if let Some(u) = user {
        q = q.bind(u);
    }
    let mut out: BTreeMap<Id, Vec<Ref>> = BTreeMap::new();
    for r in q.fetch_all(tx.conn()).await? {
        out.entry(r.try_get("user_id")?).or_default().push(Ref { id: r.try_get("id")?, display: r.try_get("display_name")? });
    }
    Ok(out)
}

/// Every directory user, oldest first (a stable order for paging).
pub async fn users(tx: &mut Tx) -> Result<Vec<DirectoryUser>> {
    let mut groups = memberships(tx, None).await?;
    let sql = format!("SELECT {USER_COLUMNS} FROM staff_user WHERE {DIRECTORY_USERS} ORDER BY id");
    sqlx::query(&sql).fetch_all(tx.conn()).await?.iter().map(|r| user_from(r, &mut groups)).collect()
}

pub async fn user(tx: &mut Tx, id: Id) -> Result<Option<DirectoryUser>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM staff_user WHERE id = $1 AND {DIRECTORY_USERS}");
    let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await? else { return Ok(None) };
    let mut groups = memberships(tx, Some(id)).await?;
    Ok(Some(user_from(&row, &mut groups)?))
}

/// Whether another account (any kind, deprovisioned too) has this username.
pub async fn username_taken(tx: &mut Tx, username: &str, except: Option<Id>) -> Result<bool> {
    let row = sqlx::query("SELECT id FROM staff_user WHERE username = $1 AND id <> $2")
        .bind(username)
        .bind(except.unwrap_or(0))
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.is_some())
}

fn taken(e: sqlx::Error) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::field("userName", USERNAME_TAKEN)
    } else {
        e.into()
    }
}

/// Makes a directory account: no password that any password matches, no role
/// until its groups grant one.
pub async fn insert_user(tx: &mut Tx, a: &UserAttributes, now: Timestamp) -> Result<Id> {
    let row = sqlx::query(
        "INSERT INTO staff_user (username, display_name, role, password_hash, active, created_at, responsibilities, kind, origin,
             no_role, external_id, email, directory_roles, manager_id, disabled_at, modified_at)
         VALUES ($1, $2, $3, '!', $4, $5, '', 'person', 'directory', 1, $6, $7, $8, $9, $10, $5) RETURNING id",
    )
    .bind(&a.user_name)
    .bind(&a.display_name)
    .bind(NO_ROLE_PLACEHOLDER.as_str())
    .bind(if a.active { 1i64 } else { 0 })
    .bind(ts(now))
    .bind(a.external_id.as_deref())
    .bind(a.email.as_deref())
    .bind(serde_json::to_string(&a.roles).unwrap_or_else(|_| "[]".into()))
    .bind(a.manager_id())
    .bind((!a.active).then(|| ts(now)))
    .fetch_one(tx.conn())
    .await
    .map_err(taken)?;
    Ok(row.try_get("id")?)
}

/// Stores what a directory sets on an account. `active` is stored with its
/// `disabled_at`; ending sessions is the caller's.
pub async fn update_user(tx: &mut Tx, id: Id, a: &UserAttributes, now: Timestamp) -> Result<()> {
    let r = sqlx::query(
        "UPDATE staff_user SET username = $2, display_name = $3, external_id = $4, email = $5, directory_roles = $6, manager_id = $7,
             active = $8, disabled_at = CASE WHEN $8 = 1 THEN NULL ELSE COALESCE(disabled_at, $9) END, modified_at = $9,
             version = version + 1
         WHERE id = $1",
    )
    .bind(id)
    .bind(&a.user_name)
    .bind(&a.display_name)
    .bind(a.external_id.as_deref())
    .bind(a.email.as_deref())
    .bind(serde_json::to_string(&a.roles).unwrap_or_else(|_| "[]".into()))
    .bind(a.manager_id())
    .bind(if a.active { 1i64 } else { 0 })
    .bind(ts(now))
    .execute(tx.conn())
    .await
    .map_err(taken)?;
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// The account's role now: `None` when it has no role yet.
pub async fn granted(tx: &mut Tx, id: Id) -> Result<(Option<StaffRole>, Vec<String>)> {
    let row = sqlx::query("SELECT role, no_role, responsibilities FROM staff_user WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let role = crate::vocab(&row, "role", StaffRole::parse)?;
    let no_role = row.try_get::<i64, _>("no_role")? == 1;
    let responsibilities: String = row.try_get("responsibilities")?;
    let responsibilities = responsibilities.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).collect();
    Ok(((!no_role).then_some(role), responsibilities))
}

/// Grants a role and responsibilities, or takes the role away (`None`).
pub async fn set_granted(tx: &mut Tx, id: Id, role: Option<StaffRole>, responsibilities: &[String], now: Timestamp) -> Result<()> {
    sqlx::query(
        "UPDATE staff_user SET role = $2, no_role = $3, responsibilities = $4, modified_at = $5, version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(role.unwrap_or(NO_ROLE_PLACEHOLDER).as_str())
    .bind(if role.is_some() { 0i64 } else { 1 })
    .bind(responsibilities.join(","))
    .bind(ts(now))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A leaver the directory deleted: disabled, out of every group, and no
/// longer a directory user; the row stays so history keeps their name.
pub async fn deprovision(tx: &mut Tx, id: Id, now: Timestamp) -> Result<()> {
    sqlx::query("DELETE FROM staff_group_member WHERE user_id = $1").bind(id).execute(tx.conn()).await?;
    sqlx::query(
        "UPDATE staff_user SET active = 0, disabled_at = COALESCE(disabled_at, $2), deprovisioned_at = $2, modified_at = $2,
             version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(ts(now))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The display names and externalIds of the account's groups.
pub async fn group_names(tx: &mut Tx, user_id: Id) -> Result<Vec<(String, Option<String>)>> {
    let rows = sqlx::query(
        "SELECT g.display_name, g.external_id FROM staff_group_member m JOIN staff_group g ON g.id = m.group_id WHERE m.user_id = $1",
    )
    .bind(user_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("display_name")?, r.try_get("external_id")?))).collect()
}

/// The values of the account's `roles`.
pub async fn directory_roles(tx: &mut Tx, user_id: Id) -> Result<Vec<String>> {
    let row = sqlx::query("SELECT directory_roles FROM staff_user WHERE id = $1").bind(user_id).fetch_one(tx.conn()).await?;
    let roles: String = row.try_get("directory_roles")?;
    serde_json::from_str(&roles).map_err(|_| StoreError::Corrupt { column: "directory_roles", value: roles })
}

// ---------------------------------------------------------------------------
// Groups.

const GROUP_COLUMNS: &str = "id, display_name, external_id, created_at, modified_at, version";

/// Every group's members (only directory users), by group id.
async fn members(tx: &mut Tx, group: Option<Id>) -> Result<BTreeMap<Id, Vec<Ref>>> {
    let sql = format!(
        "SELECT m.group_id, u.id, u.display_name FROM staff_group_member m JOIN staff_user u ON u.id = m.user_id
         WHERE u.kind = 'person' AND u.deprovisioned_at IS NULL {} ORDER BY u.id",
        if group.is_some() { "AND m.group_id = $1" } else { "" }
    );
    let mut q = sqlx::query(&sql);
    if let Some(g) = group {
        q = q.bind(g);
    }
    let mut out: BTreeMap<Id, Vec<Ref>> = BTreeMap::new();
    for r in q.fetch_all(tx.conn()).await? {
        out.entry(r.try_get("group_id")?).or_default().push(Ref { id: r.try_get("id")?, display: r.try_get("display_name")? });
    }
    Ok(out)
}

fn group_from(row: &AnyRow, members: &mut BTreeMap<Id, Vec<Ref>>) -> Result<DirectoryGroup> {
    let id: Id = row.try_get("id")?;
    Ok(DirectoryGroup {
        id,
        display_name: row.try_get("display_name")?,
        external_id: row.try_get("external_id")?,
        members: members.remove(&id).unwrap_or_default(),
        created_at: get_ts(row, "created_at")?,
        modified_at: get_ts(row, "modified_at")?,
        version: row.try_get("version")?,
    })
}

pub async fn groups(tx: &mut Tx) -> Result<Vec<DirectoryGroup>> {
    let mut members = members(tx, None).await?;
    let sql = format!("SELECT {GROUP_COLUMNS} FROM staff_group ORDER BY id");
    sqlx::query(&sql).fetch_all(tx.conn()).await?.iter().map(|r| group_from(r, &mut members)).collect()
}

pub async fn group(tx: &mut Tx, id: Id) -> Result<Option<DirectoryGroup>> {
    let sql = format!("SELECT {GROUP_COLUMNS} FROM staff_group WHERE id = $1");
    let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await? else { return Ok(None) };
    let mut members = members(tx, Some(id)).await?;
    Ok(Some(group_from(&row, &mut members)?))
}

pub async fn insert_group(tx: &mut Tx, display_name: &str, external_id: Option<&str>, now: Timestamp) -> Result<Id> {
    let row =
        sqlx::query("INSERT INTO staff_group (display_name, external_id, created_at, modified_at) VALUES ($1, $2, $3, $3) RETURNING id")
            .bind(display_name)
            .bind(external_id)
            .bind(ts(now))
            .fetch_one(tx.conn())
            .await?;
    Ok(row.try_get("id")?)
}

pub async fn update_group(tx: &mut Tx, id: Id, display_name: &str, external_id: Option<&str>, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE staff_group SET display_name = $2, external_id = $3, modified_at = $4, version = version + 1 WHERE id = $1")
        .bind(id)
        .bind(display_name)
        .bind(external_id)
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn add_member(tx: &mut Tx, group_id: Id, user_id: Id, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO staff_group_member (group_id, user_id, added_at) VALUES ($1, $2, $3) ON CONFLICT (group_id, user_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(user_id)
    .bind(ts(now))
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn remove_member(tx: &mut Tx, group_id: Id, user_id: Id) -> Result<()> {
    sqlx::query("DELETE FROM staff_group_member WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn delete_group(tx: &mut Tx, id: Id) -> Result<()> {
    sqlx::query("DELETE FROM staff_group_member WHERE group_id = $1").bind(id).execute(tx.conn()).await?;
    sqlx::query("DELETE FROM staff_group WHERE id = $1").bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// The ids of every directory user, to check the members a group is given.
pub async fn user_ids(tx: &mut Tx) -> Result<Vec<Id>> {
    let sql = format!("SELECT id FROM staff_user WHERE {DIRECTORY_USERS}");
    sqlx::query(&sql).fetch_all(tx.conn()).await?.iter().map(|r| Ok(r.try_get("id")?)).collect()
}
