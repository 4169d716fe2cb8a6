//! Queries for equality monitoring records (seed 002): appending a sealed
//! capture and reading the newest sealed capture per person. The store never
//! sees an answer in plain text: the gate seals before writing and opens
//! after reading. Nothing here decides who may do either.

use crate::{Result, Tx};
use hearth_domain::{edi::PersonOutcomes, Id};
use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::Row;

/// One stored capture, still sealed.
#[derive(Debug, Clone)]
pub struct SealedEdi {
    pub person_id: Id,
    pub sealed: String,
}

/// Appends a capture; earlier captures stay until retention removes them.
pub async fn insert(tx: &mut Tx, person_id: Id, sealed: &str, source: &str, recorded_on: Date, by: Id, now: Timestamp) -> Result<Id> {
    let row = sqlx::query(
        "INSERT INTO edi_record (person_id, sealed, source, recorded_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(person_id)
    .bind(sealed)
    .bind(source)
    .bind(recorded_on.to_string())
    .bind(by)
    .bind(crate::time::ts(now))
    .fetch_one(tx.conn())
    .await
    .map_err(|e| if crate::is_reference_violation(&e) { crate::StoreError::NotFound } else { e.into() })?;
    Ok(row.try_get("id")?)
}

/// The newest capture of every person, for aggregates.
pub async fn latest_per_person(tx: &mut Tx) -> Result<Vec<SealedEdi>> {
    let rows = sqlx::query(
        "SELECT e.person_id, e.sealed FROM edi_record e \
         WHERE e.id = (SELECT MAX(x.id) FROM edi_record x WHERE x.person_id = e.person_id) ORDER BY e.person_id",
    )
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(|r| Ok(SealedEdi { person_id: r.try_get("person_id")?, sealed: r.try_get("sealed")? })).collect()
}

/// One person's captures, oldest first, for their subject access bundle:
/// (source, recorded_on, sealed).
pub async fn for_person(tx: &mut Tx, person_id: Id) -> Result<Vec<(String, String, SealedEdi)>> {
    let rows = sqlx::query("SELECT person_id, sealed, source, recorded_on FROM edi_record WHERE person_id = $1 ORDER BY id")
        .bind(person_id)
        .fetch_all(tx.conn())
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("source")?,
                r.try_get("recorded_on")?,
                SealedEdi { person_id: r.try_get("person_id")?, sealed: r.try_get("sealed")? },
            ))
        })
        .collect()
}

/// Every stored capture, sealed, for re-sealing under a new key.
pub async fn all_sealed(tx: &mut Tx) -> Result<Vec<(Id, SealedEdi)>> {
    let rows = sqlx::query("SELECT id, person_id, sealed FROM edi_record ORDER BY id").fetch_all(tx.conn()).await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, SealedEdi { person_id: r.try_get("person_id")?, sealed: r.try_get("sealed")? }))).collect()
}

/// Replaces one capture's sealed text (key rotation); the answers are unchanged.
pub async fn reseal(tx: &mut Tx, id: Id, sealed: &str) -> Result<()> {
    sqlx::query("UPDATE edi_record SET sealed = $1 WHERE id = $2").bind(sealed).bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// Service outcomes of every person with a capture, for the service-equity
/// report: contacts, cases, completed repairs' days, complaint decisions and
/// whether a need is recorded. Only the gate's aggregation reads this.
pub async fn outcomes(tx: &mut Tx) -> Result<std::collections::HashMap<Id, PersonOutcomes>> {
    let mut out: std::collections::HashMap<Id, PersonOutcomes> = std::collections::HashMap::new();
    const WITH_EDI: &str = "(SELECT DISTINCT person_id FROM edi_record)";
    let contacts =
        sqlx::query(&format!("SELECT person_id, COUNT(*) AS n FROM contact_entry_person WHERE person_id IN {WITH_EDI} GROUP BY person_id"))
            .fetch_all(tx.conn())
            .await?;
    for r in contacts {
        out.entry(r.try_get("person_id")?).or_default().contacts = r.try_get::<i64, _>("n")?.max(0) as u64;
    }
    // A person on a case in two roles counts the case once.
    let cases = sqlx::query(&format!(
        "SELECT DISTINCT p.person_id, c.id, c.kind, c.closed_at, c.days_to_complete, c.upheld, c.outcome \
         FROM case_party p JOIN case_record c ON c.id = p.case_id WHERE p.person_id IN {WITH_EDI}"
    ))
    .fetch_all(tx.conn())
    .await?;
    for r in cases {
        let o = out.entry(r.try_get("person_id")?).or_default();
        o.cases += 1;
        let kind: String = r.try_get("kind")?;
        let closed = r.try_get::<Option<String>, _>("closed_at")?.is_some();
        let outcome: Option<String> = r.try_get("outcome")?;
        if kind == "repair" && closed && outcome.as_deref() == Some("completed") {
            if let Some(d) = r.try_get::<Option<i64>, _>("days_to_complete")? {
                o.repair_days.push(d);
            }
        }
        if kind == "complaint" && closed {
            if let Some(u) = r.try_get::<Option<i64>, _>("upheld")? {
                o.complaints_decided += 1;
                o.complaints_upheld += u64::from(u == 1);
            }
        }
    }
    let needs = sqlx::query(&format!("SELECT DISTINCT person_id FROM need WHERE ended_at IS NULL AND person_id IN {WITH_EDI}"))
        .fetch_all(tx.conn())
        .await?;
    for r in needs {
        out.entry(r.try_get("person_id")?).or_default().has_need = true;
    }
    Ok(out)
}
