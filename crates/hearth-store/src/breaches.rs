//! Queries for the breach register: breaches, the people on record they
//! affect (and whether each was told), and the actions taken.

use crate::time::{get_opt_date, get_ts, opt_date, ts};
use crate::{check_versioned_update, is_reference_violation, is_unique_violation, vocab, Result, StoreError, Tx};
use hearth_domain::{
    access::Compartment,
    breaches::{report_by, Breach, BreachAction, BreachDecision, BreachFields, BreachPerson, BreachRisk, BreachStatus},
    Id,
};
use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "id, reference, title, description, occurred_at, discovered_at, report_by, risk, risk_assessment, decision,
    decision_reason, reported_at, ico_reference, late_reason, record_classes, people_affected_estimate, committee_reported_on, status,
    closed_at, created_at, version";

fn opt_ts(row: &AnyRow, column: &'static str) -> Result<Option<Timestamp>> {
    let s: Option<String> = row.try_get(column)?;
    s.map(|s| s.parse().map_err(|_| StoreError::Corrupt { column, value: s })).transpose()
}

fn classes_text(classes: &[Compartment]) -> String {
    classes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",")
}

fn breach_from(row: &AnyRow) -> Result<Breach> {
    let classes: String = row.try_get("record_classes")?;
    let record_classes = classes
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| Compartment::parse(c).ok_or(StoreError::Corrupt { column: "record_classes", value: c.to_string() }))
        .collect::<Result<Vec<_>>>()?;
    Ok(Breach {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        occurred_at: opt_ts(row, "occurred_at")?,
        discovered_at: get_ts(row, "discovered_at")?,
        report_by: get_ts(row, "report_by")?,
        risk: vocab(row, "risk", BreachRisk::parse)?,
        risk_assessment: row.try_get("risk_assessment")?,
        decision: vocab(row, "decision", BreachDecision::parse)?,
        decision_reason: row.try_get("decision_reason")?,
        reported_at: opt_ts(row, "reported_at")?,
        ico_reference: row.try_get("ico_reference")?,
        late_reason: row.try_get("late_reason")?,
        record_classes,
        people_affected_estimate: row.try_get("people_affected_estimate")?,
        committee_reported_on: get_opt_date(row, "committee_reported_on")?,
        status: vocab(row, "status", BreachStatus::parse)?,
        closed_at: opt_ts(row, "closed_at")?,
        created_at: get_ts(row, "created_at")?,
        version: row.try_get("version")?,
    })
}

pub async fn insert_breach(tx: &mut Tx, f: &BreachFields, by: Id, now: Timestamp) -> Result<Breach> {
    let row = sqlx::query(
        "INSERT INTO breach (reference, title, description, occurred_at, discovered_at, report_by, risk, decision, record_classes,
             people_affected_estimate, status, created_at, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'not_assessed', 'pending', $7, $8, 'open', $9, $10, $9) RETURNING id",
    )
    .bind(format!("NEW-{}", ts(now)))
    .bind(&f.title)
    .bind(&f.description)
    .bind(f.occurred_at.map(ts))
    .bind(ts(f.discovered_at))
    .bind(ts(report_by(f.discovered_at)))
    .bind(classes_text(&f.record_classes))
    .bind(f.people_affected_estimate)
    .bind(ts(now))
    .bind(by)
    .fetch_one(tx.conn())
    .await?;
    let id: Id = row.try_get("id")?;
    sqlx::query("UPDATE breach SET reference = $2 WHERE id = $1").bind(id).bind(format!("BR-{id:06}")).execute(tx.conn()).await?;
    breach(tx, id).await
}

pub async fn breach(tx: &mut Tx, id: Id) -> Result<Breach> {
    let sql = format!("SELECT {COLUMNS} FROM breach WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(breach_from).transpose()?.ok_or(StoreError::NotFound)
}

/// Writes every changeable field back, if nobody changed the breach since `b.version`.
pub async fn save_breach(tx: &mut Tx, b: &Breach, now: Timestamp) -> Result<Breach> {
    let res = sqlx::query(
        "UPDATE breach SET risk = $3, risk_assessment = $4, decision = $5, decision_reason = $6, reported_at = $7, ico_reference = $8,
             late_reason = $9, record_classes = $10, people_affected_estimate = $11, committee_reported_on = $12, status = $13,
             closed_at = $14, updated_at = $15, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(b.id)
    .bind(b.version)
    .bind(b.risk.as_str())
    .bind(&b.risk_assessment)
    .bind(b.decision.as_str())
    .bind(&b.decision_reason)
    .bind(b.reported_at.map(ts))
    .bind(&b.ico_reference)
    .bind(&b.late_reason)
    .bind(classes_text(&b.record_classes))
    .bind(b.people_affected_estimate)
    .bind(opt_date(b.committee_reported_on))
    .bind(b.status.as_str())
    .bind(b.closed_at.map(ts))
    .bind(ts(now))
    .execute(tx.conn())
    .await?;
    check_versioned_update(tx, res.rows_affected(), "breach", b.id).await?;
    breach(tx, b.id).await
}

/// Open breaches first, most urgent reporting deadline first; then closed, newest first.
pub async fn list_breaches(tx: &mut Tx, open_only: bool, limit: i64) -> Result<Vec<Breach>> {
    let filter = if open_only { "WHERE status = 'open'" } else { "" };
    let sql = format!(
        "SELECT {COLUMNS} FROM breach {filter} ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END,
             CASE WHEN status = 'open' THEN report_by ELSE '' END, id DESC LIMIT $1"
    );
    sqlx::query(&sql).bind(limit).fetch_all(tx.conn()).await?.iter().map(breach_from).collect()
}

// ---- people affected ----

pub async fn add_person(tx: &mut Tx, breach_id: Id, person_id: Id, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO breach_person (breach_id, person_id, added_at) VALUES ($1, $2, $3)")
        .bind(breach_id)
        .bind(person_id)
        .bind(ts(now))
        .execute(tx.conn())
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::field("person_id", "That person is already recorded as affected")
            } else if is_reference_violation(&e) {
                StoreError::field("person_id", "No such person")
            } else {
                e.into()
            }
        })?;
    Ok(())
}

pub async fn notify_person(tx: &mut Tx, breach_id: Id, person_id: Id, on: Date, how: &str) -> Result<()> {
    let r = sqlx::query("UPDATE breach_person SET notified_on = $3, notified_how = $4 WHERE breach_id = $1 AND person_id = $2")
        .bind(breach_id)
        .bind(person_id)
        .bind(crate::time::date(on))
        .bind(how)
        .execute(tx.conn())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::field("person_id", "That person is not recorded as affected by this breach"));
    }
    Ok(())
}

pub async fn people(tx: &mut Tx, breach_id: Id) -> Result<Vec<BreachPerson>> {
    let rows = sqlx::query(
        "SELECT bp.person_id, p.given_name || ' ' || p.family_name AS name, bp.notified_on, bp.notified_how
         FROM breach_person bp JOIN person p ON p.id = bp.person_id WHERE bp.breach_id = $1 ORDER BY bp.id",
    )
    .bind(breach_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BreachPerson {
                person_id: r.try_get("person_id")?,
                name: r.try_get("name")?,
                notified_on: get_opt_date(r, "notified_on")?,
                notified_how: r.try_get("notified_how")?,
            })
        })
        .collect()
}

// ---- actions ----

pub async fn add_action(tx: &mut Tx, breach_id: Id, by: Id, text: &str, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO breach_action (breach_id, at, by_user, text) VALUES ($1, $2, $3, $4)")
        .bind(breach_id)
        .bind(ts(now))
        .bind(by)
        .bind(text)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn actions(tx: &mut Tx, breach_id: Id) -> Result<Vec<BreachAction>> {
    let rows = sqlx::query(
        "SELECT a.id, a.at, u.username, a.text FROM breach_action a JOIN staff_user u ON u.id = a.by_user WHERE a.breach_id = $1 ORDER BY a.id",
    )
    .bind(breach_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BreachAction { id: r.try_get("id")?, at: get_ts(r, "at")?, by_username: r.try_get("username")?, text: r.try_get("text")? })
        })
        .collect()
}
