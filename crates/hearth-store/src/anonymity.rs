//! Queries for reporter anonymity: override requests and approvals, which
//! approved overrides let a reader see a reporter, and which cases a person
//! is party to (with whether they reported anonymously). Nothing here decides
//! who may ask, approve or see: the gate does.

use crate::time::{get_opt_ts, get_ts, ts};
use crate::{vocab, Page, Result, StoreError, Tx};
use hearth_domain::{
    anonymity::{AnonymityOverride, OverrideFields, OverrideGround},
    cases::PartyRole,
    Id,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "o.id, o.case_id, c.reference, o.party_id, o.ground, o.detail, o.requested_by, r.username AS requested_by_username,
    o.requested_at, o.approved_by, a.username AS approved_by_username, o.approved_at";
const FROM: &str = "FROM anonymity_override o JOIN case_record c ON c.id = o.case_id JOIN staff_user r ON r.id = o.requested_by
    LEFT JOIN staff_user a ON a.id = o.approved_by";

fn from_row(r: &AnyRow) -> Result<AnonymityOverride> {
    Ok(AnonymityOverride {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        case_reference: r.try_get("reference")?,
        party_id: r.try_get("party_id")?,
        ground: vocab(r, "ground", OverrideGround::parse)?,
        detail: r.try_get("detail")?,
        requested_by: r.try_get("requested_by")?,
        requested_by_username: r.try_get("requested_by_username")?,
        requested_at: get_ts(r, "requested_at")?,
        approved_by: r.try_get("approved_by")?,
        approved_by_username: r.try_get("approved_by_username")?,
        approved_at: get_opt_ts(r, "approved_at")?,
    })
}

/// Whether `party_id` is an anonymous reporter on `case_id`.
pub async fn is_anonymous_party(tx: &mut Tx, case_id: Id, party_id: Id) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM case_party WHERE id = $1 AND case_id = $2 AND anonymous = 1")
        .bind(party_id)
        .bind(case_id)
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.is_some())
}

pub async fn insert(tx: &mut Tx, case_id: Id, f: &OverrideFields, by: Id, now: Timestamp) -> Result<AnonymityOverride> {
    let row = sqlx::query(
        "INSERT INTO anonymity_override (case_id, party_id, ground, detail, requested_by, requested_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(case_id)
    .bind(f.party_id)
    .bind(f.ground.as_str())
    .bind(&f.detail)
    .bind(by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await?;
    by_id(tx, row.try_get("id")?).await
}

pub async fn by_id(tx: &mut Tx, id: Id) -> Result<AnonymityOverride> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE o.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(from_row).transpose()?.ok_or(StoreError::NotFound)
}

/// A case's override requests, oldest first.
pub async fn for_case(tx: &mut Tx, case_id: Id) -> Result<Vec<AnonymityOverride>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE o.case_id = $1 ORDER BY o.id");
    sqlx::query(&sql).bind(case_id).fetch_all(tx.conn()).await?.iter().map(from_row).collect()
}

/// Every override request, newest first, for the DPO's register.
pub async fn list(tx: &mut Tx, before: Option<Id>, limit: i64) -> Result<Page<AnonymityOverride>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE o.id < $1 ORDER BY o.id DESC LIMIT $2");
    let items = sqlx::query(&sql)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit + 1)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |o| o.id))
}

/// Records the approval, if nobody approved it first.
pub async fn approve(tx: &mut Tx, id: Id, by: Id, now: Timestamp) -> Result<AnonymityOverride> {
    let r = sqlx::query("UPDATE anonymity_override SET approved_by = $2, approved_at = $3 WHERE id = $1 AND approved_at IS NULL")
        .bind(id)
        .bind(by)
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    by_id(tx, id).await
}

/// For each anonymous party on the case that an approved override lets
/// `reader` see: the party id, the override id, the person id and name.
pub async fn revealed_to(tx: &mut Tx, case_id: Id, reader: Id) -> Result<Vec<(Id, Id, Id, String)>> {
    let rows = sqlx::query(
        "SELECT cp.id AS party_id, MIN(o.id) AS override_id, p.id AS person_id, p.given_name, p.family_name
         FROM anonymity_override o JOIN case_party cp ON cp.id = o.party_id JOIN person p ON p.id = cp.person_id
         WHERE o.case_id = $1 AND o.requested_by = $2 AND o.approved_at IS NOT NULL
         GROUP BY cp.id, p.id, p.given_name, p.family_name ORDER BY cp.id",
    )
    .bind(case_id)
    .bind(reader)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            let name = format!("{} {}", r.try_get::<String, _>("given_name")?, r.try_get::<String, _>("family_name")?);
            Ok((r.try_get("party_id")?, r.try_get("override_id")?, r.try_get("person_id")?, name))
        })
        .collect()
}

/// How a person takes part in a case: their role and whether they asked to
/// stay anonymous. `None` if they are not a party.
pub async fn party_of(tx: &mut Tx, case_id: Id, person_id: Id) -> Result<Option<(Id, PartyRole, bool)>> {
    let row =
        sqlx::query("SELECT id, role, anonymous FROM case_party WHERE case_id = $1 AND person_id = $2 ORDER BY anonymous, id LIMIT 1")
            .bind(case_id)
            .bind(person_id)
            .fetch_optional(tx.conn())
            .await?;
    row.map(|r| Ok((r.try_get("id")?, vocab(&r, "role", PartyRole::parse)?, r.try_get::<i64, _>("anonymous")? == 1))).transpose()
}

/// A case's parties: (person id, given, family, anonymous). For checking
/// that a case's own words do not identify an anonymous reporter; never shown.
pub async fn party_people(tx: &mut Tx, case_id: Id) -> Result<Vec<(Id, String, String, bool)>> {
    let rows = sqlx::query(
        "SELECT p.id, p.given_name, p.family_name, cp.anonymous FROM case_party cp JOIN person p ON p.id = cp.person_id
         WHERE cp.case_id = $1 ORDER BY cp.id",
    )
    .bind(case_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("given_name")?, r.try_get("family_name")?, r.try_get::<i64, _>("anonymous")? == 1)))
        .collect()
}
