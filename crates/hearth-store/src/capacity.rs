//! Queries for capacity assessments, best-interests shares and requests that
//! information not be held, and the removal of the needs such a request
//! names (with their adjustments, and the audit payloads that held them).
//! Nothing here decides who may do these or when: the gate does.

use crate::time::{date, get_date, ts};
use crate::{vocab, Result, StoreError, Tx};
use hearth_domain::{
    capacity::{
        not_held_state, AssessmentFields, BestInterestsRecipient, BestInterestsShare, CapacityAssessment, CapacityOutcome, NotHeldFields,
        NotHeldRequest, ShareFields,
    },
    Id,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

const ASSESSMENT_COLUMNS: &str =
    "a.id, a.person_id, a.decision, a.reason, a.assessor_name, a.assessor_role, a.assessed_on, a.outcome, a.notes,
    s.username AS recorded_by, a.recorded_at";

fn assessment_from(r: &AnyRow) -> Result<CapacityAssessment> {
    Ok(CapacityAssessment {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        decision: r.try_get("decision")?,
        reason: r.try_get("reason")?,
        assessor_name: r.try_get("assessor_name")?,
        assessor_role: r.try_get("assessor_role")?,
        assessed_on: get_date(r, "assessed_on")?,
        outcome: vocab(r, "outcome", CapacityOutcome::parse)?,
        notes: r.try_get("notes")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
    })
}

/// The person's assessments, newest first.
pub async fn assessments_of(tx: &mut Tx, person_id: Id) -> Result<Vec<CapacityAssessment>> {
    let sql = format!(
        "SELECT {ASSESSMENT_COLUMNS} FROM capacity_assessment a JOIN staff_user s ON s.id = a.recorded_by
         WHERE a.person_id = $1 ORDER BY a.assessed_on DESC, a.id DESC"
    );
    sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?.iter().map(assessment_from).collect()
}

pub async fn assessment(tx: &mut Tx, id: Id) -> Result<CapacityAssessment> {
    let sql = format!("SELECT {ASSESSMENT_COLUMNS} FROM capacity_assessment a JOIN staff_user s ON s.id = a.recorded_by WHERE a.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(assessment_from).transpose()?.ok_or(StoreError::NotFound)
}

pub async fn insert_assessment(tx: &mut Tx, person_id: Id, f: &AssessmentFields, by: Id, now: Timestamp) -> Result<CapacityAssessment> {
    let row = sqlx::query(
        "INSERT INTO capacity_assessment (person_id, decision, reason, assessor_name, assessor_role, assessed_on, outcome, notes, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(person_id)
    .bind(&f.decision)
    .bind(&f.reason)
    .bind(&f.assessor_name)
    .bind(&f.assessor_role)
    .bind(date(f.assessed_on))
    .bind(f.outcome.as_str())
    .bind(&f.notes)
    .bind(by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await?;
    assessment(tx, row.try_get("id")?).await
}

const SHARE_COLUMNS: &str = "b.id, b.person_id, b.assessment_id, b.recipient, b.recipient_name, b.what, b.why, b.shared_on,
    s.username AS recorded_by, b.recorded_at";

fn share_from(r: &AnyRow) -> Result<BestInterestsShare> {
    Ok(BestInterestsShare {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        assessment_id: r.try_get("assessment_id")?,
        recipient: vocab(r, "recipient", BestInterestsRecipient::parse)?,
        recipient_name: r.try_get("recipient_name")?,
        what: r.try_get("what")?,
        why: r.try_get("why")?,
        shared_on: get_date(r, "shared_on")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
    })
}

/// The person's best-interests shares, newest first.
pub async fn shares_of(tx: &mut Tx, person_id: Id) -> Result<Vec<BestInterestsShare>> {
    let sql = format!(
        "SELECT {SHARE_COLUMNS} FROM best_interests_share b JOIN staff_user s ON s.id = b.recorded_by
         WHERE b.person_id = $1 ORDER BY b.shared_on DESC, b.id DESC"
    );
    sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?.iter().map(share_from).collect()
}

pub async fn insert_share(tx: &mut Tx, person_id: Id, f: &ShareFields, by: Id, now: Timestamp) -> Result<BestInterestsShare> {
    let row = sqlx::query(
        "INSERT INTO best_interests_share (person_id, assessment_id, recipient, recipient_name, what, why, shared_on, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(person_id)
    .bind(f.assessment_id)
    .bind(f.recipient.as_str())
    .bind(&f.recipient_name)
    .bind(&f.what)
    .bind(&f.why)
    .bind(date(f.shared_on))
    .bind(by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await?;
    let id: Id = row.try_get("id")?;
    let sql = format!("SELECT {SHARE_COLUMNS} FROM best_interests_share b JOIN staff_user s ON s.id = b.recorded_by WHERE b.id = $1");
    share_from(&sqlx::query(&sql).bind(id).fetch_one(tx.conn()).await?)
}

const NOT_HELD_COLUMNS: &str = "n.id, n.person_id, n.requested_on, n.what, n.need_ids, s.username AS recorded_by, n.recorded_at,
    r.username AS removed_by, n.removed_at";
const NOT_HELD_FROM: &str =
    "FROM not_held_request n JOIN staff_user s ON s.id = n.recorded_by LEFT JOIN staff_user r ON r.id = n.removed_by";

fn not_held_from(r: &AnyRow, assessments: &[CapacityAssessment]) -> Result<NotHeldRequest> {
    let ids: String = r.try_get("need_ids")?;
    let need_ids = ids
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| StoreError::Corrupt { column: "need_ids", value: ids.clone() }))
        .collect::<Result<Vec<Id>>>()?;
    let requested_on = get_date(r, "requested_on")?;
    let removed_at: Option<String> = r.try_get("removed_at")?;
    let person_id: Id = r.try_get("person_id")?;
    let mine: Vec<CapacityAssessment> = assessments.iter().filter(|a| a.person_id == person_id).cloned().collect();
    Ok(NotHeldRequest {
        id: r.try_get("id")?,
        person_id,
        requested_on,
        what: r.try_get("what")?,
        need_ids,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
        removed_by: r.try_get("removed_by")?,
        state: not_held_state(requested_on, removed_at.is_some(), &mine),
        removed_at,
    })
}

/// The person's requests not to hold information, newest first, each with
/// where it stands against their assessments.
pub async fn not_held_of(tx: &mut Tx, person_id: Id) -> Result<Vec<NotHeldRequest>> {
    let assessments = assessments_of(tx, person_id).await?;
    let sql = format!("SELECT {NOT_HELD_COLUMNS} {NOT_HELD_FROM} WHERE n.person_id = $1 ORDER BY n.id DESC");
    sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?.iter().map(|r| not_held_from(r, &assessments)).collect()
}

pub async fn not_held(tx: &mut Tx, id: Id) -> Result<NotHeldRequest> {
    let sql = format!("SELECT {NOT_HELD_COLUMNS} {NOT_HELD_FROM} WHERE n.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.ok_or(StoreError::NotFound)?;
    let person_id: Id = row.try_get("person_id")?;
    let assessments = assessments_of(tx, person_id).await?;
    not_held_from(&row, &assessments)
}

/// Every request not yet carried out, for the removal list.
pub async fn pending_not_held(tx: &mut Tx) -> Result<Vec<NotHeldRequest>> {
    let sql = format!("SELECT {NOT_HELD_COLUMNS} {NOT_HELD_FROM} WHERE n.removed_at IS NULL ORDER BY n.requested_on, n.id");
    let rows = sqlx::query(&sql).fetch_all(tx.conn()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let person_id: Id = r.try_get("person_id")?;
        let assessments = assessments_of(tx, person_id).await?;
        out.push(not_held_from(r, &assessments)?);
    }
    Ok(out)
}

/// Records a request; every need it names must be the person's.
pub async fn insert_not_held(tx: &mut Tx, person_id: Id, f: &NotHeldFields, by: Id, now: Timestamp) -> Result<NotHeldRequest> {
    for (i, need) in f.need_ids.iter().enumerate() {
        let owner: Option<Id> = sqlx::query("SELECT person_id FROM need WHERE id = $1")
            .bind(*need)
            .fetch_optional(tx.conn())
            .await?
            .map(|r| r.get("person_id"));
        if owner != Some(person_id) {
            return Err(StoreError::field(&format!("need_ids[{i}]"), "That is not one of this person's needs"));
        }
    }
    let ids = f.need_ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    let row = sqlx::query(
        "INSERT INTO not_held_request (person_id, requested_on, what, need_ids, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(person_id)
    .bind(date(f.requested_on))
    .bind(&f.what)
    .bind(&ids)
    .bind(by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await?;
    not_held(tx, row.try_get("id")?).await
}

/// What a removal destroyed, by id only.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Removal {
    pub needs: Vec<Id>,
    pub adjustments: Vec<Id>,
    pub audit_payloads_redacted: u64,
}

/// Deletes the needs a request names (those still there), their adjustments,
/// and the audit payloads that held their values; marks the request done.
pub async fn remove_not_held(tx: &mut Tx, request: &NotHeldRequest, by: Id, now: Timestamp) -> Result<Removal> {
    let mut out = Removal::default();
    for need in &request.need_ids {
        let adjustments: Vec<Id> = sqlx::query("SELECT id FROM adjustment WHERE need_id = $1")
            .bind(*need)
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        sqlx::query("DELETE FROM adjustment WHERE need_id = $1").bind(*need).execute(tx.conn()).await?;
        let gone =
            sqlx::query("DELETE FROM need WHERE id = $1 AND person_id = $2").bind(*need).bind(request.person_id).execute(tx.conn()).await?;
        if gone.rows_affected() == 1 {
            out.needs.push(*need);
        }
        out.adjustments.extend(adjustments);
    }
    let note = format!("removed at the person's request (not-held request {})", request.id);
    out.audit_payloads_redacted += crate::audit::redact(tx, "need", &out.needs, &note).await?.redacted;
    out.audit_payloads_redacted += crate::audit::redact(tx, "adjustment", &out.adjustments, &note).await?.redacted;
    let r = sqlx::query("UPDATE not_held_request SET removed_at = $2, removed_by = $3 WHERE id = $1 AND removed_at IS NULL")
        .bind(request.id)
        .bind(ts(now))
        .bind(by)
        .execute(tx.conn())
        .await?;
    if r.rows_affected() != 1 {
        return Err(StoreError::Conflict);
    }
    Ok(out)
}
