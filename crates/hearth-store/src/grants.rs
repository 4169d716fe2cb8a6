//! Grants that widen access for a while: break-glass (one user, one record's
//! compartment, a stated reason, reviewed by the DPO) and supplier-support
//! grants (approved by the DPO or an administrator).

use crate::time::{get_ts, ts};
use crate::{Result, StoreError, Tx};
use hearth_domain::Id;
use jiff::Timestamp;

use sqlx::any::AnyRow;
use sqlx::Row;

pub use hearth_domain::grants::{BreakGlass, SupportGrant};

const COLUMNS: &str =
    "b.id, b.user_id, u.username, b.record_type, b.record_id, b.person_id, b.compartment, b.reason, b.granted_at, b.expires_at,
    b.reviewed_by, b.reviewed_at, b.review_note";

fn from_row(row: &AnyRow) -> Result<BreakGlass> {
    Ok(BreakGlass {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        username: row.try_get("username")?,
        record_type: row.try_get("record_type")?,
        record_id: row.try_get("record_id")?,
        person_id: row.try_get("person_id")?,
        compartment: row.try_get("compartment")?,
        reason: row.try_get("reason")?,
        granted_at: get_ts(row, "granted_at")?,
        expires_at: get_ts(row, "expires_at")?,
        reviewed_by: row.try_get("reviewed_by")?,
        reviewed_at: row.try_get("reviewed_at")?,
        review_note: row.try_get("review_note")?,
    })
}

pub struct NewBreakGlass<'a> {
    pub user_id: Id,
    pub record_type: &'a str,
    pub record_id: Id,
    pub person_id: Option<Id>,
    pub compartment: &'a str,
    pub reason: &'a str,
    pub granted_at: Timestamp,
    pub expires_at: Timestamp,
}

pub async fn insert_break_glass(tx: &mut Tx, g: &NewBreakGlass<'_>) -> Result<BreakGlass> {
    let row = sqlx::query(
        "INSERT INTO break_glass (user_id, record_type, record_id, person_id, compartment, reason, granted_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(g.user_id)
    .bind(g.record_type)
    .bind(g.record_id)
    .bind(g.person_id)
    .bind(g.compartment)
    .bind(g.reason)
    .bind(ts(g.granted_at))
    .bind(ts(g.expires_at))
    .fetch_one(tx.conn())
    .await?;
    break_glass(tx, row.try_get("id")?).await
}

pub async fn break_glass(tx: &mut Tx, id: Id) -> Result<BreakGlass> {
    let sql = format!("SELECT {COLUMNS} FROM break_glass b JOIN staff_user u ON u.id = b.user_id WHERE b.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(from_row).transpose()?.ok_or(StoreError::NotFound)
}

/// Whether the user holds any unexpired break-glass grant at all: when not,
/// a page's many per-record grant lookups can be skipped.
pub async fn any_active_break_glass(tx: &mut Tx, user_id: Id, now: Timestamp) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM break_glass WHERE user_id = $1 AND expires_at > $2 LIMIT 1")
        .bind(user_id)
        .bind(ts(now))
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.is_some())
}

/// The unexpired grant covering this user, record and compartment, if any.
pub async fn active_break_glass(
    tx: &mut Tx,
    user_id: Id,
    record_type: &str,
    record_id: Id,
    compartment: &str,
    now: Timestamp,
) -> Result<Option<BreakGlass>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM break_glass b JOIN staff_user u ON u.id = b.user_id
         WHERE b.user_id = $1 AND b.record_type = $2 AND b.record_id = $3 AND b.compartment = $4 AND b.expires_at > $5
         ORDER BY b.expires_at DESC LIMIT 1"
    );
    sqlx::query(&sql)
        .bind(user_id)
        .bind(record_type)
        .bind(record_id)
        .bind(compartment)
        .bind(ts(now))
        .fetch_optional(tx.conn())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Grants awaiting the DPO's review, oldest first (or all, newest first).
pub async fn list_break_glass(tx: &mut Tx, unreviewed_only: bool, limit: i64) -> Result<Vec<BreakGlass>> {
    let sql = if unreviewed_only {
        format!(
            "SELECT {COLUMNS} FROM break_glass b JOIN staff_user u ON u.id = b.user_id WHERE b.reviewed_at IS NULL ORDER BY b.id LIMIT $1"
        )
    } else {
        format!("SELECT {COLUMNS} FROM break_glass b JOIN staff_user u ON u.id = b.user_id ORDER BY b.id DESC LIMIT $1")
    };
    sqlx::query(&sql).bind(limit).fetch_all(tx.conn()).await?.iter().map(from_row).collect()
}

pub async fn review_break_glass(tx: &mut Tx, id: Id, reviewer: Id, note: &str, now: Timestamp) -> Result<BreakGlass> {
    let r =
        sqlx::query("UPDATE break_glass SET reviewed_by = $2, reviewed_at = $3, review_note = $4 WHERE id = $1 AND reviewed_at IS NULL")
            .bind(id)
            .bind(reviewer)
            .bind(ts(now))
            .bind(note)
            .execute(tx.conn())
            .await?;
    if r.rows_affected() == 0 {
        // Either missing or already reviewed: a review is never overwritten.
        break_glass(tx, id).await?;
        return Err(StoreError::Conflict);
    }
    break_glass(tx, id).await
}

/// Whether an unexpired, unrevoked support grant for this user covers the compartment.
pub async fn support_grant_covers(tx: &mut Tx, user_id: Id, compartment: &str, now: Timestamp) -> Result<bool> {
    let rows = sqlx::query("SELECT compartments FROM support_grant WHERE user_id = $1 AND expires_at > $2 AND revoked_at IS NULL")
        .bind(user_id)
        .bind(ts(now))
        .fetch_all(tx.conn())
        .await?;
    for row in rows {
        let list: String = row.try_get("compartments")?;
        if list.split(',').any(|c| c.trim() == compartment) {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn insert_support_grant(
    tx: &mut Tx,
    user_id: Id,
    compartments: &[String],
    reason: &str,
    approved_by: Id,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<Id> {
    let row = sqlx::query(
        "INSERT INTO support_grant (user_id, compartments, reason, approved_by, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(compartments.join(","))
    .bind(reason)
    .bind(approved_by)
    .bind(ts(now))
    .bind(ts(expires_at))
    .fetch_one(tx.conn())
    .await?;
    Ok(row.try_get("id")?)
}

/// Supplier-support grants, current and past (as long as retention keeps
/// them), newest first.
pub async fn list_support_grants(tx: &mut Tx, limit: i64) -> Result<Vec<SupportGrant>> {
    let rows = sqlx::query(
        "SELECT g.id, u.username, g.compartments, g.reason, a.username AS approved_by, g.granted_at, g.expires_at, g.revoked_at
         FROM support_grant g JOIN staff_user u ON u.id = g.user_id JOIN staff_user a ON a.id = g.approved_by
         ORDER BY g.granted_at DESC, g.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SupportGrant {
                id: row.try_get("id")?,
                username: row.try_get("username")?,
                compartments: row
                    .try_get::<String, _>("compartments")?
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
                reason: row.try_get("reason")?,
                approved_by: row.try_get("approved_by")?,
                granted_at: get_ts(row, "granted_at")?,
                expires_at: get_ts(row, "expires_at")?,
                revoked_at: row.try_get("revoked_at")?,
            })
        })
        .collect()
}
