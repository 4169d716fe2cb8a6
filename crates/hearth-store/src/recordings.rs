//! Queries for call-recording metadata and for staff notifications (the
//! line manager told about a call ended over an unconsented recording).
//! Notifications are read only by their recipient; the query says so.

use crate::time::{get_ts, ts};
use crate::{is_reference_violation, vocab, Result, StoreError, Tx};
use hearth_domain::{
    recordings::{
        CallRecording, Notification, NotificationKind, RecordingFields, RecordingMadeBy, RecordingPurpose, CALL_RECORDING_RETENTION,
    },
    Id,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str =
    "id, entry_id, made_by, purpose, storage_ref, retention_class, staff_consent, call_ended, note, recorded_by, recorded_at";

fn flag(row: &AnyRow, column: &'static str) -> Result<Option<bool>> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(|v| v == 1))
}

fn recording_from(row: &AnyRow) -> Result<CallRecording> {
    let purpose: Option<String> = row.try_get("purpose")?;
    Ok(CallRecording {
        id: row.try_get("id")?,
        contact_entry_id: row.try_get("entry_id")?,
        made_by: vocab(row, "made_by", RecordingMadeBy::parse)?,
        purpose: purpose.map(|p| RecordingPurpose::parse(&p).ok_or(StoreError::Corrupt { column: "purpose", value: p })).transpose()?,
        storage_ref: row.try_get("storage_ref")?,
        retention_class: row.try_get("retention_class")?,
        staff_consent: flag(row, "staff_consent")?,
        call_ended: flag(row, "call_ended")?,
        note: row.try_get("note")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: get_ts(row, "recorded_at")?,
    })
}

pub async fn insert(tx: &mut Tx, f: &RecordingFields, recorded_by: Id, now: Timestamp) -> Result<Id> {
    let row = sqlx::query(
        "INSERT INTO call_recording (entry_id, made_by, purpose, storage_ref, retention_class, staff_consent, call_ended, note,
             recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(f.contact_entry_id)
    .bind(f.made_by.as_str())
    .bind(f.purpose.map(|p| p.as_str()))
    .bind(&f.storage_ref)
    .bind(CALL_RECORDING_RETENTION)
    .bind(f.staff_consent.map(i64::from))
    .bind(f.call_ended.map(i64::from))
    .bind(&f.note)
    .bind(recorded_by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await
    .map_err(|e| if is_reference_violation(&e) { StoreError::field("contact_entry_id", "No such contact entry") } else { e.into() })?;
    Ok(row.try_get("id")?)
}

pub async fn recording(tx: &mut Tx, id: Id) -> Result<CallRecording> {
    let sql = format!("SELECT {COLUMNS} FROM call_recording WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(recording_from).transpose()?.ok_or(StoreError::NotFound)
}

/// The recordings of one contact entry, for a subject access bundle.
pub async fn of_entry(tx: &mut Tx, entry_id: Id) -> Result<Vec<CallRecording>> {
    let sql = format!("SELECT {COLUMNS} FROM call_recording WHERE entry_id = $1 ORDER BY id");
    let rows = sqlx::query(&sql).bind(entry_id).fetch_all(tx.conn()).await?;
    rows.iter().map(recording_from).collect()
}

/// The people on the call a recording belongs to, for the audit trail.
pub async fn recording_people(tx: &mut Tx, id: Id) -> Result<Vec<Id>> {
    let rows = sqlx::query(
        "SELECT p.person_id FROM contact_entry_person p JOIN call_recording r ON r.entry_id = p.entry_id WHERE r.id = $1 ORDER BY p.person_id",
    )
    .bind(id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(|r| Ok(r.try_get("person_id")?)).collect()
}

/// The line manager of a staff account, if one is set.
pub async fn line_manager(tx: &mut Tx, staff_id: Id) -> Result<Option<Id>> {
    let row = sqlx::query("SELECT manager_id FROM staff_user WHERE id = $1").bind(staff_id).fetch_optional(tx.conn()).await?;
    Ok(row.map(|r| r.try_get::<Option<Id>, _>("manager_id")).transpose()?.flatten())
}

pub struct NewNotification<'a> {
    pub recipient_id: Id,
    pub kind: NotificationKind,
    pub about_staff_id: Option<Id>,
    pub recording_id: Option<Id>,
    pub message: &'a str,
}

pub async fn notify(tx: &mut Tx, n: &NewNotification<'_>, now: Timestamp) -> Result<Id> {
    let row = sqlx::query(
        "INSERT INTO staff_notification (recipient_id, kind, about_staff_id, recording_id, message, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(n.recipient_id)
    .bind(n.kind.as_str())
    .bind(n.about_staff_id)
    .bind(n.recording_id)
    .bind(n.message)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await?;
    Ok(row.try_get("id")?)
}

/// The recipient's notifications, newest first.
pub async fn notifications_for(tx: &mut Tx, recipient_id: Id, limit: i64) -> Result<Vec<Notification>> {
    let rows = sqlx::query(
        "SELECT id, kind, message, about_staff_id, recording_id, created_at FROM staff_notification
         WHERE recipient_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(recipient_id)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Notification {
                id: r.try_get("id")?,
                kind: vocab(r, "kind", NotificationKind::parse)?,
                message: r.try_get("message")?,
                about_staff_id: r.try_get("about_staff_id")?,
                recording_id: r.try_get("recording_id")?,
                created_at: get_ts(r, "created_at")?,
            })
        })
        .collect()
}
