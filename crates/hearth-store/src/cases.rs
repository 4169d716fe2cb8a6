//! Queries for cases, their parties and timelines, the relationships the
//! gate's need-to-know rules ask about (who is assigned, whose manager, which
//! contractor in which window), and the policy-filtered case list.

use crate::time::{date, get_opt_date, get_ts, opt_date, ts};
use crate::{check_versioned_update, is_reference_violation, vocab, Page, Result, StoreError, Tx};
use hearth_domain::{
    access::Compartment,
    cases::{Case, CaseEvent, CaseFields, CaseKind, CaseOutcome, CaseParty, CasePriority, CaseStatus, PartyFields, PartyRole, Trade},
    Id,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str =
    "id, reference, kind, compartment, status, priority, summary, assigned_to, team, opened_at, due_date, closed_at, outcome,
    outcome_note, remedy, retention_from, days_to_complete, upheld, stage, stage_received_on, acknowledged_on, extension_days,
    extension_reason, ombudsman_escalated_on, trade, property_id, contractor_id, window_start, window_end, no_access_visits, version";

fn opt_ts(row: &AnyRow, column: &'static str) -> Result<Option<Timestamp>> {
    let s: Option<String> = row.try_get(column)?;
    s.map(|s| s.parse().map_err(|_| StoreError::Corrupt { column, value: s })).transpose()
}

fn opt_vocab<T>(row: &AnyRow, column: &'static str, parse: fn(&str) -> Option<T>) -> Result<Option<T>> {
    let s: Option<String> = row.try_get(column)?;
    s.map(|s| parse(&s).ok_or(StoreError::Corrupt { column, value: s })).transpose()
}

fn case_from(row: &AnyRow) -> Result<Case> {
    Ok(Case {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        kind: vocab(row, "kind", CaseKind::parse)?,
        compartment: vocab(row, "compartment", Compartment::parse)?,
        status: vocab(row, "status", CaseStatus::parse)?,
        priority: vocab(row, "priority", CasePriority::parse)?,
        summary: row.try_get("summary")?,
        assigned_to: row.try_get("assigned_to")?,
        team: row.try_get("team")?,
        opened_at: get_ts(row, "opened_at")?,
        due_date: get_opt_date(row, "due_date")?,
        closed_at: opt_ts(row, "closed_at")?,
        outcome: opt_vocab(row, "outcome", CaseOutcome::parse)?,
        outcome_note: row.try_get("outcome_note")?,
        remedy: row.try_get("remedy")?,
        retention_from: get_opt_date(row, "retention_from")?,
        days_to_complete: row.try_get("days_to_complete")?,
        upheld: row.try_get::<Option<i64>, _>("upheld")?.map(|u| u == 1),
        stage: row.try_get("stage")?,
        stage_received_on: get_opt_date(row, "stage_received_on")?,
        acknowledged_on: get_opt_date(row, "acknowledged_on")?,
        extension_days: row.try_get("extension_days")?,
        extension_reason: row.try_get("extension_reason")?,
        ombudsman_escalated_on: get_opt_date(row, "ombudsman_escalated_on")?,
        trade: opt_vocab(row, "trade", Trade::parse)?,
        property_id: row.try_get("property_id")?,
        contractor_id: row.try_get("contractor_id")?,
        window_start: opt_ts(row, "window_start")?,
        window_end: opt_ts(row, "window_end")?,
        no_access_visits: row.try_get("no_access_visits")?,
        version: row.try_get("version")?,
    })
}

/// Opens a case; its reference is the kind's prefix and the id.
pub async fn insert_case(tx: &mut Tx, f: &CaseFields, opened_by: Id, now: Timestamp, today: jiff::civil::Date) -> Result<Case> {
    let is_complaint = f.kind == CaseKind::Complaint;
    let row = sqlx::query(
        "INSERT INTO case_record (reference, kind, compartment, status, priority, summary, assigned_to, team, opened_at, opened_by, due_date,
             stage, stage_received_on, trade, property_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $9) RETURNING id",
    )
    .bind(format!("NEW-{}", ts(now)))
    .bind(f.kind.as_str())
    .bind(f.kind.compartment().as_str())
    .bind(f.kind.first_status().as_str())
    .bind(f.priority.as_str())
    .bind(&f.summary)
    .bind(f.assigned_to)
    .bind(&f.team)
    .bind(ts(now))
    .bind(opened_by)
    .bind(opt_date(f.due_date))
    .bind(is_complaint.then_some(1i64))
    .bind(is_complaint.then(|| date(f.received_on.unwrap_or(today))))
    .bind(f.trade.map(|t| t.as_str()))
    .bind(f.property_id)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| if is_reference_violation(&e) { StoreError::field("assigned_to", "No such staff account or property") } else { e.into() })?;
    let id: Id = row.try_get("id")?;
    sqlx::query("UPDATE case_record SET reference = $2 WHERE id = $1")
        .bind(id)
        .bind(format!("{}-{:06}", f.kind.reference_prefix(), id))
        .execute(tx.conn())
        .await?;
    case(tx, id).await
}

pub async fn case(tx: &mut Tx, id: Id) -> Result<Case> {
    let sql = format!("SELECT {COLUMNS} FROM case_record WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(case_from).transpose()?.ok_or(StoreError::NotFound)
}

/// Writes every changeable field of `c` back, if nobody changed it since `c.version`.
pub async fn save_case(tx: &mut Tx, c: &Case, now: Timestamp) -> Result<Case> {
    let r = sqlx::query(
        "UPDATE case_record SET status = $3, priority = $4, summary = $5, assigned_to = $6, team = $7, due_date = $8, closed_at = $9, outcome = $10,
             outcome_note = $11, remedy = $12, retention_from = $13, days_to_complete = $14, upheld = $15, stage = $16, stage_received_on = $17,
             acknowledged_on = $18, extension_days = $19, extension_reason = $20, ombudsman_escalated_on = $21, contractor_id = $22,
             window_start = $23, window_end = $24, no_access_visits = $25, updated_at = $26, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(c.id)
    .bind(c.version)
    .bind(c.status.as_str())
    .bind(c.priority.as_str())
    .bind(&c.summary)
    .bind(c.assigned_to)
    .bind(&c.team)
    .bind(opt_date(c.due_date))
    .bind(c.closed_at.map(ts))
    .bind(c.outcome.map(|o| o.as_str()))
    .bind(&c.outcome_note)
    .bind(&c.remedy)
    .bind(opt_date(c.retention_from))
    .bind(c.days_to_complete)
    .bind(c.upheld.map(i64::from))
    .bind(c.stage)
    .bind(opt_date(c.stage_received_on))
    .bind(opt_date(c.acknowledged_on))
    .bind(c.extension_days)
    .bind(&c.extension_reason)
    .bind(opt_date(c.ombudsman_escalated_on))
    .bind(c.contractor_id)
    .bind(c.window_start.map(ts))
    .bind(c.window_end.map(ts))
    .bind(c.no_access_visits)
    .bind(ts(now))
    .execute(tx.conn())
    .await
    .map_err(|e| if is_reference_violation(&e) { StoreError::field("assigned_to", "No such staff account") } else { e.into() })?;
    check_versioned_update(tx, r.rows_affected(), "case_record", c.id).await?;
    case(tx, c.id).await
}

// ---- parties and timeline ----

pub async fn insert_party(tx: &mut Tx, case_id: Id, p: &PartyFields, now: Timestamp) -> Result<Id> {
    let row =
        sqlx::query("INSERT INTO case_party (case_id, person_id, role, anonymous, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(case_id)
            .bind(p.person_id)
            .bind(p.role.as_str())
            .bind(p.anonymous as i64)
            .bind(ts(now))
            .fetch_one(tx.conn())
            .await
            .map_err(|e| if is_reference_violation(&e) { StoreError::field("person_id", "No such person") } else { e.into() })?;
    Ok(row.try_get("id")?)
}

/// Parties as the case shows them: an anonymous reporter's name and id are
/// never read out of the database for display.
pub async fn parties(tx: &mut Tx, case_id: Id) -> Result<Vec<CaseParty>> {
    let rows = sqlx::query(
        "SELECT cp.id, cp.role, cp.anonymous,
                CASE WHEN cp.anonymous = 1 THEN NULL ELSE cp.person_id END AS person_id,
                CASE WHEN cp.anonymous = 1 THEN NULL ELSE p.given_name || ' ' || p.family_name END AS name
         FROM case_party cp JOIN person p ON p.id = cp.person_id WHERE cp.case_id = $1 ORDER BY cp.id",
    )
    .bind(case_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            let anonymous = r.try_get::<i64, _>("anonymous")? == 1;
            Ok(CaseParty {
                id: r.try_get("id")?,
                role: vocab(r, "role", PartyRole::parse)?,
                anonymous,
                person_id: r.try_get("person_id")?,
                name: r.try_get::<Option<String>, _>("name")?.unwrap_or_else(|| hearth_domain::cases::ANONYMOUS_REPORTER.into()),
                revealed_under: None,
            })
        })
        .collect()
}

/// Person ids of a case's parties, for the audit trail only (never shown).
pub async fn party_person_ids(tx: &mut Tx, case_id: Id) -> Result<Vec<Id>> {
    let rows = sqlx::query("SELECT person_id FROM case_party WHERE case_id = $1 ORDER BY id").bind(case_id).fetch_all(tx.conn()).await?;
    rows.iter().map(|r| Ok(r.try_get("person_id")?)).collect()
}

pub async fn insert_event(tx: &mut Tx, case_id: Id, by: Id, kind: &str, detail: &str, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO case_event (case_id, at, by_user, kind, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(case_id)
        .bind(ts(now))
        .bind(by)
        .bind(kind)
        .bind(detail)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn events(tx: &mut Tx, case_id: Id) -> Result<Vec<CaseEvent>> {
    let rows = sqlx::query(
        "SELECT e.id, e.at, u.username, e.kind, e.detail FROM case_event e JOIN staff_user u ON u.id = e.by_user WHERE e.case_id = $1 ORDER BY e.id",
    )
    .bind(case_id)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CaseEvent {
                id: r.try_get("id")?,
                at: get_ts(r, "at")?,
                by_username: r.try_get("username")?,
                kind: r.try_get("kind")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

// ---- relationships for the gate ----

/// The manager of a staff account, if recorded.
pub async fn manager_of(tx: &mut Tx, user_id: Id) -> Result<Option<Id>> {
    Ok(sqlx::query("SELECT manager_id FROM staff_user WHERE id = $1")
        .bind(user_id)
        .fetch_optional(tx.conn())
        .await?
        .and_then(|r| r.try_get("manager_id").ok())
        .flatten())
}

/// Whether `contractor` holds an open repair job, inside its window at `now`,
/// on which `person_id` is a party.
pub async fn contractor_on_job_for_person(tx: &mut Tx, contractor: Id, person_id: Id, now: Timestamp) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 FROM case_record c JOIN case_party cp ON cp.case_id = c.id
         WHERE c.kind = 'repair' AND c.contractor_id = $1 AND cp.person_id = $2 AND c.closed_at IS NULL
           AND c.window_start <= $3 AND c.window_end > $3 LIMIT 1",
    )
    .bind(contractor)
    .bind(person_id)
    .bind(ts(now))
    .fetch_optional(tx.conn())
    .await?;
    Ok(row.is_some())
}

enum Bind {
    Text(String),
    Int(i64),
}

/// Which cases a caller may list, worked out by the gate from the policies.
#[derive(Debug, Clone, Default)]
pub struct CaseVisibility {
    /// Compartments whose cases the caller may list outright.
    pub all: Vec<Compartment>,
    /// Compartments whose cases the caller may list when assigned (or the assignee's manager).
    pub assigned: Vec<Compartment>,
    /// A contractor sees repair jobs assigned to them, inside the window.
    pub contractor_jobs: bool,
}

pub use hearth_domain::cases::CaseFilter;

/// Cases the caller may see, matching the filter. A case the caller may not
/// see is never read, so neither it nor a count of it can leak.
pub async fn list_cases(
    tx: &mut Tx,
    me: Id,
    vis: &CaseVisibility,
    f: &CaseFilter,
    now: Timestamp,
    after: Option<Id>,
    limit: i64,
) -> Result<Page<Case>> {
    // $1 cursor, $2 limit, $3 the caller; the rest in order.
    let mut binds: Vec<Bind> = vec![];
    let bind = |v: Bind, binds: &mut Vec<Bind>| {
        binds.push(v);
        format!("${}", binds.len() + 3)
    };
    let mut visible = vec![];
    if !vis.all.is_empty() {
        let list: Vec<String> = vis.all.iter().map(|c| bind(Bind::Text(c.as_str().into()), &mut binds)).collect();
        visible.push(format!("compartment IN ({})", list.join(", ")));
    }
    if !vis.assigned.is_empty() {
        let list: Vec<String> = vis.assigned.iter().map(|c| bind(Bind::Text(c.as_str().into()), &mut binds)).collect();
        visible.push(format!(
            "(compartment IN ({}) AND (assigned_to = $3 OR assigned_to IN (SELECT id FROM staff_user WHERE manager_id = $3)))",
            list.join(", ")
        ));
    }
    if vis.contractor_jobs {
        let n = bind(Bind::Text(ts(now)), &mut binds);
        visible
            .push(format!("(kind = 'repair' AND contractor_id = $3 AND closed_at IS NULL AND window_start <= {n} AND window_end > {n})"));
    }
    if visible.is_empty() {
        return Ok(Page { items: vec![], next_cursor: None });
    }
    let mut clauses = vec!["id > $1".to_string(), format!("({})", visible.join(" OR "))];
    if let Some(a) = f.assigned_to {
        let b = bind(Bind::Int(a), &mut binds);
        clauses.push(format!("assigned_to = {b}"));
    }
    if f.open_only {
        clauses.push("closed_at IS NULL".into());
    }
    if let Some(k) = f.kind {
        let b = bind(Bind::Text(k.as_str().into()), &mut binds);
        clauses.push(format!("kind = {b}"));
    }
    if let Some(p) = f.person_id {
        let b = bind(Bind::Int(p), &mut binds);
        let anonymous = if f.with_anonymous_reports { "" } else { " AND cp.anonymous = 0" };
        clauses.push(format!("EXISTS (SELECT 1 FROM case_party cp WHERE cp.case_id = case_record.id AND cp.person_id = {b}{anonymous})"));
    }
    if !f.references.is_empty() {
        let list: Vec<String> = f.references.iter().map(|r| bind(Bind::Text(r.clone()), &mut binds)).collect();
        clauses.push(format!("reference IN ({})", list.join(", ")));
    }
    let sql = format!("SELECT {COLUMNS} FROM case_record WHERE {} ORDER BY id LIMIT $2", clauses.join(" AND "));
    let mut q = sqlx::query(&sql).bind(after.unwrap_or(0)).bind(limit + 1).bind(me);
    for b in &binds {
        q = match b {
            Bind::Text(t) => q.bind(t.as_str()),
            Bind::Int(i) => q.bind(*i),
        };
    }
    let items = q.fetch_all(tx.conn()).await?.iter().map(case_from).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |c| c.id))
}
