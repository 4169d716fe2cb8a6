//! Queries for subject access bundle drafts and releases. A draft's marks
//! and manual redactions are saved only while it is a draft; releasing
//! writes the released contents and their hash once, and nothing updates a
//! released row again except to note the day it was sent.

use crate::time::{get_opt_ts, get_ts, ts};
use crate::{Result, StoreError, Tx};
use hearth_domain::Id;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A stored draft or release; the JSON columns are the gate's to read.
#[derive(Debug, Clone)]
pub struct DraftRow {
    pub id: Id,
    pub request_id: Id,
    /// `draft`, `released` or `superseded`.
    pub status: String,
    pub content: String,
    pub marks: String,
    pub manual: String,
    pub created_at: Timestamp,
    pub released_at: Option<Timestamp>,
    pub released_content: Option<String>,
    pub released_sha256: Option<String>,
    pub sent_on: Option<String>,
    pub version: i64,
}

const COLUMNS: &str = "id, request_id, status, content, marks, manual, created_at, released_at, released_content, released_sha256, \
                       sent_on, version";

fn from_row(r: &AnyRow) -> Result<DraftRow> {
    Ok(DraftRow {
        id: r.try_get("id")?,
        request_id: r.try_get("request_id")?,
        status: r.try_get("status")?,
        content: r.try_get("content")?,
        marks: r.try_get("marks")?,
        manual: r.try_get("manual")?,
        created_at: get_ts(r, "created_at")?,
        released_at: get_opt_ts(r, "released_at")?,
        released_content: r.try_get("released_content")?,
        released_sha256: r.try_get("released_sha256")?,
        sent_on: r.try_get("sent_on")?,
        version: r.try_get("version")?,
    })
}

/// A new draft for the request; earlier unreleased drafts are superseded.
pub async fn insert_draft(tx: &mut Tx, request_id: Id, content: &str, marks: &str, by: Id, now: Timestamp) -> Result<Id> {
    sqlx::query("UPDATE bundle_draft SET status = 'superseded', version = version + 1 WHERE request_id = $1 AND status = 'draft'")
        .bind(request_id)
        .execute(tx.conn())
        .await?;
    let row = sqlx::query(
        "INSERT INTO bundle_draft (request_id, status, content, marks, manual, created_at, created_by)
         VALUES ($1, 'draft', $2, $3, '[]', $4, $5) RETURNING id",
    )
    .bind(request_id)
    .bind(content)
    .bind(marks)
    .bind(ts(now))
    .bind(by)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.try_get("id")?)
}

pub async fn draft(tx: &mut Tx, id: Id) -> Result<DraftRow> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM bundle_draft WHERE id = $1"))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// The request's drafts and releases, newest first.
pub async fn drafts_of(tx: &mut Tx, request_id: Id) -> Result<Vec<DraftRow>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM bundle_draft WHERE request_id = $1 ORDER BY id DESC"))
        .bind(request_id)
        .fetch_all(tx.conn())
        .await?;
    rows.iter().map(from_row).collect()
}

/// Saves the decisions and manual redactions of a draft still being reviewed, at `version`.
pub async fn save_review(tx: &mut Tx, id: Id, version: i64, marks: &str, manual: &str) -> Result<()> {
    let res = sqlx::query(
        "UPDATE bundle_draft SET marks = $3, manual = $4, version = version + 1 WHERE id = $1 AND version = $2 AND status = 'draft'",
    )
    .bind(id)
    .bind(version)
    .bind(marks)
    .bind(manual)
    .execute(tx.conn())
    .await?;
    if res.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

/// Fixes a draft as released with its contents and their hash.
pub async fn release(tx: &mut Tx, id: Id, version: i64, content: &str, sha256: &str, by: Id, now: Timestamp) -> Result<()> {
    let res = sqlx::query(
        "UPDATE bundle_draft SET status = 'released', released_content = $3, released_sha256 = $4, released_by = $5, released_at = $6,
             version = version + 1
         WHERE id = $1 AND version = $2 AND status = 'draft'",
    )
    .bind(id)
    .bind(version)
    .bind(content)
    .bind(sha256)
    .bind(by)
    .bind(ts(now))
    .execute(tx.conn())
    .await?;
    if res.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

/// Notes the day a release was sent (when its request was completed).
pub async fn mark_sent(tx: &mut Tx, id: Id, on: &str) -> Result<()> {
    sqlx::query("UPDATE bundle_draft SET sent_on = $2 WHERE id = $1 AND status = 'released' AND sent_on IS NULL")
        .bind(id)
        .bind(on)
        .execute(tx.conn())
        .await?;
    Ok(())
}
