//! Queries for restrictions of processing (UK GDPR Art. 18): placing one on
//! a person, lifting it, and finding the active one. Nothing here decides
//! who may place or lift, or what a restriction refuses: the gate does.

use crate::time::{get_ts, ts};
use crate::{Result, Tx};
use hearth_domain::Id;
use jiff::Timestamp;

use sqlx::any::AnyRow;
use sqlx::Row;

pub use hearth_domain::restrictions::Restriction;

const COLUMNS: &str =
    "r.id, r.person_id, r.reason, p.username AS placed_by, r.placed_at, l.username AS lifted_by, r.lifted_at, r.lift_reason";
const FROM: &str = "FROM processing_restriction r JOIN staff_user p ON p.id = r.placed_by LEFT JOIN staff_user l ON l.id = r.lifted_by";

fn from_row(r: &AnyRow) -> Result<Restriction> {
    let lifted_at: Option<String> = r.try_get("lifted_at")?;
    Ok(Restriction {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        reason: r.try_get("reason")?,
        placed_by: r.try_get("placed_by")?,
        placed_at: get_ts(r, "placed_at")?,
        lifted_by: r.try_get("lifted_by")?,
        lifted_at: lifted_at.map(|_| get_ts(r, "lifted_at")).transpose()?,
        lift_reason: r.try_get("lift_reason")?,
    })
}

/// The person's active restriction, if any (served by the partial unique index).
pub async fn active(tx: &mut Tx, person_id: Id) -> Result<Option<Restriction>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE r.person_id = $1 AND r.lifted_at IS NULL");
    sqlx::query(&sql).bind(person_id).fetch_optional(tx.conn()).await?.as_ref().map(from_row).transpose()
}

/// Every restriction the person has had, newest first.
pub async fn for_person(tx: &mut Tx, person_id: Id) -> Result<Vec<Restriction>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE r.person_id = $1 ORDER BY r.id DESC");
    sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?.iter().map(from_row).collect()
}

async fn by_id(tx: &mut Tx, id: Id) -> Result<Restriction> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE r.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.ok_or(crate::StoreError::NotFound)?;
    from_row(&row)
}

/// Places a restriction; refuses a second while one is active.
pub async fn place(tx: &mut Tx, person_id: Id, reason: &str, by: Id, now: Timestamp) -> Result<Restriction> {
    let row =
        sqlx::query("INSERT INTO processing_restriction (person_id, reason, placed_by, placed_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(person_id)
            .bind(reason)
            .bind(by)
            .bind(ts(now))
            .fetch_one(tx.conn())
            .await
            .map_err(|e| {
                if crate::is_unique_violation(&e) {
                    crate::StoreError::field("restriction", "Processing of this person's data is already restricted")
                } else if crate::is_reference_violation(&e) {
                    crate::StoreError::NotFound
                } else {
                    e.into()
                }
            })?;
    by_id(tx, row.try_get("id")?).await
}

/// Lifts the person's active restriction; the row stays as the record.
pub async fn lift(tx: &mut Tx, person_id: Id, reason: &str, by: Id, now: Timestamp) -> Result<Restriction> {
    let current = active(tx, person_id)
        .await?
        .ok_or_else(|| crate::StoreError::field("restriction", "Processing of this person's data is not restricted"))?;
    sqlx::query("UPDATE processing_restriction SET lifted_at = $1, lifted_by = $2, lift_reason = $3 WHERE id = $4 AND lifted_at IS NULL")
        .bind(ts(now))
        .bind(by)
        .bind(reason)
        .bind(current.id)
        .execute(tx.conn())
        .await?;
    by_id(tx, current.id).await
}
