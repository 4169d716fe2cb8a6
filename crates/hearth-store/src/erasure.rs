//! Queries for a request for erasure: what is held about one person in each
//! record class (counts and the dates retention runs from), and the ids of
//! the records an erasure may remove. Deciding what may be erased is the
//! domain's rule; doing it goes through the gate, which audits it.

use crate::{Result, Tx};
use hearth_domain::{cases::CaseKind, contacts::Channel, retention::RecordClass, Id};
use jiff::civil::Date;
use sqlx::Row;

/// Facts about one class of the person's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassFacts {
    pub class: RecordClass,
    pub count: i64,
    /// The newest record's creation day.
    pub latest_created: Option<Date>,
    /// Records on a case (or request) that is still open.
    pub open: i64,
    /// The latest closing day among closed ones.
    pub latest_closed: Option<Date>,
}

/// The person's tenancies: how many are still running and when the last one ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TenancyFacts {
    pub tenancies: i64,
    pub open: i64,
    pub latest_end: Option<Date>,
}

/// The day of a stored date or timestamp (both begin YYYY-MM-DD).
fn day(s: Option<String>) -> Option<Date> {
    s.and_then(|s| s.get(..10).and_then(|d| d.parse().ok()))
}

pub async fn tenancy_facts(tx: &mut Tx, person_id: Id) -> Result<TenancyFacts> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN t.end_date IS NULL THEN 1 ELSE 0 END), 0) AS open, MAX(t.end_date) AS last_end
           FROM membership m JOIN tenancy t ON t.household_id = m.household_id WHERE m.person_id = $1",
    )
    .bind(person_id)
    .fetch_one(tx.conn())
    .await?;
    Ok(TenancyFacts { tenancies: r.try_get("n")?, open: r.try_get("open")?, latest_end: day(r.try_get("last_end")?) })
}

/// The newest contact with the person (warning flags run from it).
pub async fn latest_contact(tx: &mut Tx, person_id: Id) -> Result<Option<Date>> {
    let r = sqlx::query(
        "SELECT MAX(e.occurred_at) AS latest FROM contact_entry e JOIN contact_entry_person p ON p.entry_id = e.id WHERE p.person_id = $1",
    )
    .bind(person_id)
    .fetch_one(tx.conn())
    .await?;
    Ok(day(r.try_get("latest")?))
}

async fn simple(tx: &mut Tx, class: RecordClass, sql: &str, person_id: Id) -> Result<ClassFacts> {
    let r = sqlx::query(sql).bind(person_id).fetch_one(tx.conn()).await?;
    Ok(ClassFacts { class, count: r.try_get("n")?, latest_created: day(r.try_get("latest")?), open: 0, latest_closed: None })
}

/// Every class that holds something about the person, with its facts.
pub async fn class_facts(tx: &mut Tx, person_id: Id) -> Result<Vec<ClassFacts>> {
    let mut out = vec![
        simple(tx, RecordClass::PersonIdentity, "SELECT COUNT(*) AS n, MAX(created_at) AS latest FROM person WHERE id = $1", person_id)
            .await?,
    ];
    let simple_classes: [(RecordClass, &str); 10] = [
        (RecordClass::IdentityEvidence, "SELECT COUNT(*) AS n, MAX(created_at) AS latest FROM identity_evidence WHERE person_id = $1"),
        (RecordClass::ContactPoint, "SELECT COUNT(*) AS n, MAX(created_at) AS latest FROM contact_point WHERE person_id = $1"),
        (RecordClass::HouseholdTenancy, "SELECT COUNT(*) AS n, MAX(created_at) AS latest FROM membership WHERE person_id = $1"),
        (RecordClass::Need, "SELECT COUNT(*) AS n, MAX(recorded_at) AS latest FROM need WHERE person_id = $1"),
        (RecordClass::Adjustment, "SELECT COUNT(*) AS n, MAX(recorded_at) AS latest FROM adjustment WHERE person_id = $1"),
        // A flag counts from its last renewal (recorded or reviewed), as the retention sweep does.
        (RecordClass::WarningFlag, "SELECT COUNT(*) AS n, MAX(renewed_on) AS latest FROM warning_flag WHERE person_id = $1"),
        (RecordClass::ConsentRecord, "SELECT COUNT(*) AS n, MAX(recorded_at) AS latest FROM consent_record WHERE person_id = $1"),
        (RecordClass::ContactPreference, "SELECT COUNT(*) AS n, MAX(updated_at) AS latest FROM contact_preference WHERE person_id = $1"),
        (RecordClass::Objection, "SELECT COUNT(*) AS n, MAX(recorded_at) AS latest FROM objection WHERE person_id = $1"),
        (RecordClass::EdiMonitoring, "SELECT COUNT(*) AS n, MAX(recorded_at) AS latest FROM edi_record WHERE person_id = $1"),
    ];
    for (class, sql) in simple_classes {
        out.push(simple(tx, class, sql, person_id).await?);
    }

    // Contact log entries, by the class their channel belongs to.
    let rows = sqlx::query(
        "SELECT e.channel, COUNT(*) AS n, MAX(e.recorded_at) AS latest
           FROM contact_entry e JOIN contact_entry_person p ON p.entry_id = e.id WHERE p.person_id = $1 GROUP BY e.channel",
    )
    .bind(person_id)
    .fetch_all(tx.conn())
    .await?;
    for r in &rows {
        let channel: String = r.try_get("channel")?;
        let Some(channel) = Channel::parse(&channel) else { continue };
        merge(&mut out, RecordClass::of_contact(channel), r.try_get("n")?, day(r.try_get("latest")?), 0, None);
    }
    let r = sqlx::query(
        "SELECT COUNT(*) AS n, MAX(r.recorded_at) AS latest
           FROM call_recording r JOIN contact_entry_person p ON p.entry_id = r.entry_id WHERE p.person_id = $1",
    )
    .bind(person_id)
    .fetch_one(tx.conn())
    .await?;
    merge(&mut out, RecordClass::CallRecording, r.try_get("n")?, day(r.try_get("latest")?), 0, None);

    // Cases the person is a party to, by kind; and the documents filed on them.
    let rows = sqlx::query(
        "SELECT c.kind, COUNT(DISTINCT c.id) AS n, MAX(c.opened_at) AS latest,
                COUNT(DISTINCT CASE WHEN c.closed_at IS NULL THEN c.id END) AS open, MAX(c.closed_at) AS last_closed
           FROM case_party cp JOIN case_record c ON c.id = cp.case_id WHERE cp.person_id = $1 GROUP BY c.kind",
    )
    .bind(person_id)
    .fetch_all(tx.conn())
    .await?;
    for r in &rows {
        let kind: String = r.try_get("kind")?;
        let Some(kind) = CaseKind::parse(&kind) else { continue };
        merge(
            &mut out,
            RecordClass::of_case(kind),
            r.try_get("n")?,
            day(r.try_get("latest")?),
            r.try_get("open")?,
            day(r.try_get("last_closed")?),
        );
    }
    let r = sqlx::query(
        "SELECT COUNT(*) AS n, MAX(d.uploaded_at) AS latest, COALESCE(SUM(CASE WHEN c.closed_at IS NULL THEN 1 ELSE 0 END), 0) AS open,
                MAX(c.closed_at) AS last_closed
           FROM document d JOIN case_record c ON c.id = d.case_id WHERE d.person_id = $1",
    )
    .bind(person_id)
    .fetch_one(tx.conn())
    .await?;
    merge(
        &mut out,
        RecordClass::CaseDocument,
        r.try_get("n")?,
        day(r.try_get("latest")?),
        r.try_get("open")?,
        day(r.try_get("last_closed")?),
    );

    let r = sqlx::query(
        "SELECT COUNT(*) AS n, MAX(created_at) AS latest, COALESCE(SUM(CASE WHEN closed_on IS NULL THEN 1 ELSE 0 END), 0) AS open,
                MAX(closed_on) AS last_closed
           FROM rights_request WHERE person_id = $1",
    )
    .bind(person_id)
    .fetch_one(tx.conn())
    .await?;
    merge(
        &mut out,
        RecordClass::RightsRequest,
        r.try_get("n")?,
        day(r.try_get("latest")?),
        r.try_get("open")?,
        day(r.try_get("last_closed")?),
    );
    out.push(
        simple(
            tx,
            RecordClass::AuditEvent,
            "SELECT COUNT(*) AS n, MAX(occurred_at) AS latest FROM audit_event WHERE person_id = $1",
            person_id,
        )
        .await?,
    );

    out.retain(|f| f.count > 0);
    Ok(out)
}

fn merge(out: &mut Vec<ClassFacts>, class: RecordClass, count: i64, latest: Option<Date>, open: i64, closed: Option<Date>) {
    match out.iter_mut().find(|f| f.class == class) {
        Some(f) => {
            f.count += count;
            f.latest_created = f.latest_created.max(latest);
            f.open += open;
            f.latest_closed = f.latest_closed.max(closed);
        }
        None => out.push(ClassFacts { class, count, latest_created: latest, open, latest_closed: closed }),
    }
}

async fn ids(tx: &mut Tx, sql: &str, person_id: Id) -> Result<Vec<Id>> {
    let rows = sqlx::query(sql).bind(person_id).fetch_all(tx.conn()).await?;
    rows.iter().map(|r| Ok(r.try_get::<Id, _>(0)?)).collect()
}

/// The person's call recordings.
pub async fn call_recording_ids(tx: &mut Tx, person_id: Id) -> Result<Vec<Id>> {
    ids(
        tx,
        "SELECT r.id FROM call_recording r JOIN contact_entry_person p ON p.entry_id = r.entry_id WHERE p.person_id = $1 ORDER BY r.id",
        person_id,
    )
    .await
}

/// Contact entries on `channels` about the person and nobody else, with no
/// recording or document still attached and not on a case. An entry that is
/// also about someone else is part of their record too, and stays.
pub async fn sole_contact_entry_ids(tx: &mut Tx, person_id: Id, channels: &[Channel]) -> Result<(Vec<Id>, i64)> {
    if channels.is_empty() {
        return Ok((vec![], 0));
    }
    let list = crate::placeholders(2, channels.len());
    let base =
        format!("FROM contact_entry e JOIN contact_entry_person p ON p.entry_id = e.id WHERE p.person_id = $1 AND e.channel IN ({list})");
    let alone = "NOT EXISTS (SELECT 1 FROM contact_entry_person o WHERE o.entry_id = e.id AND o.person_id <> $1)
        AND NOT EXISTS (SELECT 1 FROM call_recording r WHERE r.entry_id = e.id)
        AND NOT EXISTS (SELECT 1 FROM document d WHERE d.entry_id = e.id) AND e.case_id IS NULL";
    let sql = format!("SELECT e.id {base} AND {alone} ORDER BY e.id");
    let mut q = sqlx::query(&sql).bind(person_id);
    for c in channels {
        q = q.bind(c.as_str());
    }
    let rows = q.fetch_all(tx.conn()).await?;
    let erasable: Vec<Id> = rows.iter().map(|r| r.try_get::<Id, _>(0)).collect::<std::result::Result<_, _>>()?;
    let sql = format!("SELECT COUNT(*) AS n {base}");
    let mut q = sqlx::query(&sql).bind(person_id);
    for c in channels {
        q = q.bind(c.as_str());
    }
    let total: i64 = q.fetch_one(tx.conn()).await?.try_get("n")?;
    let shared = total - erasable.len() as i64;
    Ok((erasable, shared))
}

/// Documents filed on the person's cases.
pub async fn case_document_ids(tx: &mut Tx, person_id: Id) -> Result<Vec<Id>> {
    ids(tx, "SELECT id FROM document WHERE person_id = $1 AND case_id IS NOT NULL ORDER BY id", person_id).await
}

/// The cases the person is a party to (a hold on one keeps its records).
pub async fn case_ids(tx: &mut Tx, person_id: Id) -> Result<Vec<Id>> {
    ids(tx, "SELECT DISTINCT case_id FROM case_party WHERE person_id = $1 ORDER BY case_id", person_id).await
}
