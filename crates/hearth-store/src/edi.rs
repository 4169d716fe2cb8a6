//! Queries for equality monitoring records (seed 002): appending a sealed
//! capture and reading the newest sealed capture per person. The store never
//! sees an answer in plain text: the gate seals before writing and opens
//! after reading. Nothing here decides who may do either.

use crate::{Result, Tx};
use hearth_domain::Id;
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
