//! Queries for rights requests: insert, read, save (version-checked), and the
//! DPO's work list of open requests ordered by deadline. The deadline itself
//! is worked out by the domain's engine and written here as `due_on`.

use crate::time::{date, get_date, get_opt_date, get_ts, opt_date, ts};
use crate::{check_versioned_update, is_reference_violation, vocab, Result, StoreError, Tx};
use hearth_domain::{
    front_door::ReceivedVia,
    rights::{
        ExtensionGround, IdentityStatus, RefusalGround, RequesterKind, RightsRequest, RightsRequestFields, RightsRequestKind,
        RightsRequestStatus,
    },
    Id,
};
use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "r.id, r.reference, r.kind, r.person_id, p.given_name || ' ' || p.family_name AS person_name, r.requester,
    r.representative_name, r.representative_relationship, r.representative_authority, r.description, r.received_on,
    r.identity_status, r.identity_method, r.identity_requested_on, r.identity_received_on, r.clarification_requested_on,
    r.clarification_received_on, r.clarification_rounds, r.earlier_paused_days, r.status, r.owner_id, u.display_name AS owner_name, r.notes, r.extension_months, r.extension_ground,
    r.extension_reason, r.extension_told_on, r.refusal_ground, r.refusal_exemption, r.refusal_reason, r.refusal_letter, r.closed_on,
    r.outcome, r.due_on, r.channel, r.received_by, rb.display_name AS received_by_name, r.created_at, r.version";

const FROM: &str = "rights_request r JOIN person p ON p.id = r.person_id LEFT JOIN staff_user u ON u.id = r.owner_id
    LEFT JOIN staff_user rb ON rb.id = r.received_by";

fn opt_vocab<T>(row: &AnyRow, column: &'static str, parse: fn(&str) -> Option<T>) -> Result<Option<T>> {
    let s: Option<String> = row.try_get(column)?;
    s.map(|s| parse(&s).ok_or(StoreError::Corrupt { column, value: s })).transpose()
}

fn request_from(row: &AnyRow) -> Result<RightsRequest> {
    Ok(RightsRequest {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        kind: vocab(row, "kind", RightsRequestKind::parse)?,
        person_id: row.try_get("person_id")?,
        person_name: row.try_get("person_name")?,
        requester: vocab(row, "requester", RequesterKind::parse)?,
        representative_name: row.try_get("representative_name")?,
        representative_relationship: row.try_get("representative_relationship")?,
        representative_authority: row.try_get("representative_authority")?,
        description: row.try_get("description")?,
        received_on: get_date(row, "received_on")?,
        identity_status: vocab(row, "identity_status", IdentityStatus::parse)?,
        identity_method: row.try_get("identity_method")?,
        identity_requested_on: get_opt_date(row, "identity_requested_on")?,
        identity_received_on: get_opt_date(row, "identity_received_on")?,
        clarification_requested_on: get_opt_date(row, "clarification_requested_on")?,
        clarification_received_on: get_opt_date(row, "clarification_received_on")?,
        clarification_rounds: row.try_get("clarification_rounds")?,
        earlier_paused_days: row.try_get("earlier_paused_days")?,
        status: vocab(row, "status", RightsRequestStatus::parse)?,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        notes: row.try_get("notes")?,
        extension_months: row.try_get("extension_months")?,
        extension_ground: opt_vocab(row, "extension_ground", ExtensionGround::parse)?,
        extension_reason: row.try_get("extension_reason")?,
        extension_told_on: get_opt_date(row, "extension_told_on")?,
        refusal_ground: opt_vocab(row, "refusal_ground", RefusalGround::parse)?,
        refusal_exemption: row.try_get("refusal_exemption")?,
        refusal_reason: row.try_get("refusal_reason")?,
        refusal_letter: row.try_get("refusal_letter")?,
        closed_on: get_opt_date(row, "closed_on")?,
        outcome: row.try_get("outcome")?,
        due_on: get_opt_date(row, "due_on")?,
        channel: opt_vocab(row, "channel", ReceivedVia::parse)?,
        received_by: row.try_get("received_by")?,
        received_by_name: row.try_get("received_by_name")?,
        created_at: get_ts(row, "created_at")?,
        version: row.try_get("version")?,
    })
}

fn owner_error(e: sqlx::Error) -> StoreError {
    if is_reference_violation(&e) {
        StoreError::field("owner_id", "No such staff account")
    } else {
        e.into()
    }
}

/// Logs a request; its reference is the kind's prefix and the id.
pub async fn insert_request(tx: &mut Tx, f: &RightsRequestFields, due_on: Option<Date>, by: Id, now: Timestamp) -> Result<RightsRequest> {
    let row = sqlx::query(
        "INSERT INTO rights_request (reference, kind, person_id, requester, representative_name, representative_relationship,
             representative_authority, description, received_on, identity_status, status, owner_id, notes, due_on, created_at, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 'open', $10, $11, $12, $13, $14, $13) RETURNING id",
    )
    .bind(format!("NEW-{}", ts(now)))
    .bind(f.kind.as_str())
    .bind(f.person_id)
    .bind(f.requester.as_str())
    .bind(&f.representative_name)
    .bind(&f.representative_relationship)
    .bind(&f.representative_authority)
    .bind(&f.description)
    .bind(date(f.received_on))
    .bind(f.owner_id)
    .bind(&f.notes)
    .bind(opt_date(due_on))
    .bind(ts(now))
    .bind(by)
    .fetch_one(tx.conn())
    .await
    .map_err(owner_error)?;
    let id: Id = row.try_get("id")?;
    sqlx::query("UPDATE rights_request SET reference = $2 WHERE id = $1")
        .bind(id)
        .bind(format!("{}-{:06}", f.kind.reference_prefix(), id))
        .execute(tx.conn())
        .await?;
    request(tx, id).await
}

/// Notes how a request came through the front door, and who took it.
pub async fn mark_received(tx: &mut Tx, id: Id, channel: ReceivedVia, by: Id) -> Result<()> {
    sqlx::query("UPDATE rights_request SET channel = $2, received_by = $3 WHERE id = $1")
        .bind(id)
        .bind(channel.as_str())
        .bind(by)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn request(tx: &mut Tx, id: Id) -> Result<RightsRequest> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE r.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(request_from).transpose()?.ok_or(StoreError::NotFound)
}

/// Writes every changeable field back, if nobody changed the request since `r.version`.
pub async fn save_request(tx: &mut Tx, r: &RightsRequest, now: Timestamp) -> Result<RightsRequest> {
    let res = sqlx::query(
        "UPDATE rights_request SET identity_status = $3, identity_method = $4, identity_requested_on = $5, identity_received_on = $6,
             clarification_requested_on = $7, clarification_received_on = $8, status = $9, owner_id = $10, notes = $11,
             extension_months = $12, extension_ground = $13, extension_reason = $14, extension_told_on = $15, refusal_ground = $16,
             refusal_exemption = $17, refusal_reason = $18, refusal_letter = $19, closed_on = $20, outcome = $21, due_on = $22,
             updated_at = $23, clarification_rounds = $24, earlier_paused_days = $25, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(r.id)
    .bind(r.version)
    .bind(r.identity_status.as_str())
    .bind(&r.identity_method)
    .bind(opt_date(r.identity_requested_on))
    .bind(opt_date(r.identity_received_on))
    .bind(opt_date(r.clarification_requested_on))
    .bind(opt_date(r.clarification_received_on))
    .bind(r.status.as_str())
    .bind(r.owner_id)
    .bind(&r.notes)
    .bind(r.extension_months)
    .bind(r.extension_ground.map(|g| g.as_str()))
    .bind(&r.extension_reason)
    .bind(opt_date(r.extension_told_on))
    .bind(r.refusal_ground.map(|g| g.as_str()))
    .bind(&r.refusal_exemption)
    .bind(&r.refusal_reason)
    .bind(&r.refusal_letter)
    .bind(opt_date(r.closed_on))
    .bind(&r.outcome)
    .bind(opt_date(r.due_on))
    .bind(ts(now))
    .bind(r.clarification_rounds)
    .bind(r.earlier_paused_days)
    .execute(tx.conn())
    .await
    .map_err(owner_error)?;
    check_versioned_update(tx, res.rows_affected(), "rights_request", r.id).await?;
    request(tx, r.id).await
}

pub use hearth_domain::rights::RequestFilter;

/// Requests matching the filter: open ones first by deadline (stopped
/// clocks after running ones), then closed ones newest first.
pub async fn list_requests(tx: &mut Tx, f: &RequestFilter, limit: i64) -> Result<Vec<RightsRequest>> {
    // $1 is the limit; each filter adds the next placeholder.
    let mut clauses = vec!["1 = 1".to_string()];
    let mut n = 1;
    if f.open_only || f.due_by.is_some() {
        clauses.push("r.status = 'open'".into());
    }
    if f.person_id.is_some() {
        n += 1;
        clauses.push(format!("r.person_id = ${n}"));
    }
    if f.due_by.is_some() {
        n += 1;
        clauses.push(format!("r.due_on IS NOT NULL AND r.due_on <= ${n}"));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE {} ORDER BY CASE WHEN r.status = 'open' THEN 0 ELSE 1 END,
             CASE WHEN r.due_on IS NULL THEN 1 ELSE 0 END, r.due_on, r.id DESC LIMIT $1",
        clauses.join(" AND ")
    );
    let mut q = sqlx::query(&sql).bind(limit);
    if let Some(p) = f.person_id {
        q = q.bind(p);
    }
    if let Some(d) = f.due_by {
        q = q.bind(date(d));
    }
    q.fetch_all(tx.conn()).await?.iter().map(request_from).collect()
}
