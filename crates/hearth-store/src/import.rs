//! Bulk inserts for `hearth import`: many rows per statement, inside the
//! batch transaction the gate opened. Rows arrive validated; a database
//! failure fails the whole call and the gate's transaction rolls back.
//!
//! People's ids come back from `RETURNING id`; both engines assign them in
//! the order of the `VALUES` rows within one statement, so sorting them
//! gives the rows' ids in order. Contacts, the bulk of any import, have
//! their ids reserved first (see `reserve_ids`), so each row is written
//! once with its submission already set.

use crate::people::{key, sound};
use crate::time::{date, get_opt_date, opt_date, ts};
use crate::{homes, Backend, Result, StoreError, Tx};
use hearth_domain::import::About;
use hearth_domain::{
    contacts::ContactFields,
    edi::EdiSource,
    needs::{NeedFields, WarningFlagFields},
    people::PersonFields,
    property::TenancyFields,
    Id,
};
use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::Row;
use std::collections::HashMap;

/// Bound parameters per multi-row INSERT, well under both engines' limits.
const PARAMS: usize = 900;

/// Rows per statement for a table of `cols` columns.
fn rows_per_statement(cols: usize) -> usize {
    (PARAMS / cols).max(1)
}

/// `(…), (…)` for `rows` rows of `cols` parameters each: `$1, $2, …` on
/// PostgreSQL, plain `?` on SQLite. SQLite's driver looks every numbered
/// parameter up by name in a list as long as the statement's, so binding a
/// statement of n numbered parameters costs n²; positional ones cost n.
fn values(backend: Backend, rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let params: Vec<String> = (1..=cols)
                .map(|c| match backend {
                    Backend::Sqlite => "?".to_string(),
                    Backend::Postgres => format!("${}", r * cols + c),
                })
                .collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `n` new ids for `table`, in ascending order, that no other writer can
/// take: on SQLite the batch holds the only write lock, so the next ids
/// after both the highest in use and the highest ever given (AUTOINCREMENT
/// never reuses the id of a deleted row); on PostgreSQL they are drawn from
/// the table's sequence.
async fn reserve_ids(tx: &mut Tx, table: &'static str, n: usize) -> Result<Vec<Id>> {
    if n == 0 {
        return Ok(vec![]);
    }
    match tx.backend() {
        Backend::Sqlite => {
            let sql = format!(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = $1), 0), COALESCE((SELECT MAX(id) FROM {table}), 0)) AS last"
            );
            let last: Id = sqlx::query(&sql).bind(table).fetch_one(tx.conn()).await?.try_get("last")?;
            Ok((last + 1..=last + n as Id).collect())
        }
        Backend::Postgres => {
            let rows = sqlx::query("SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)")
                .bind(table)
                .bind(n as i64)
                .fetch_all(tx.conn())
                .await?;
            let mut ids = rows.iter().map(|r| r.try_get::<Id, _>("id")).collect::<Result<Vec<_>, _>>()?;
            ids.sort_unstable();
            Ok(ids)
        }
    }
}

async fn sorted_ids<'a>(q: sqlx::query::Query<'a, sqlx::Any, sqlx::any::AnyArguments<'a>>, tx: &mut Tx) -> Result<Vec<Id>> {
    let rows = q.fetch_all(tx.conn()).await?;
    let mut ids = rows.iter().map(|r| r.try_get::<Id, _>("id")).collect::<Result<Vec<_>, _>>()?;
    ids.sort_unstable();
    Ok(ids)
}

/// Inserts people; their ids in the order given.
pub async fn insert_people(tx: &mut Tx, people: &[PersonFields], now: Timestamp) -> Result<Vec<Id>> {
    let now = ts(now);
    let mut ids = Vec::with_capacity(people.len());
    let backend = tx.backend();
    for chunk in people.chunks(rows_per_statement(13)) {
        let sql = format!(
            "INSERT INTO person (kind, given_name, family_name, preferred_name, date_of_birth, ni_number, given_key, family_key, preferred_key,
               given_sound, family_sound, created_at, updated_at) VALUES {} RETURNING id",
            values(backend, chunk.len(), 13)
        );
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q
                .bind(p.kind.as_str())
                .bind(&p.given_name)
                .bind(&p.family_name)
                .bind(&p.preferred_name)
                .bind(opt_date(p.date_of_birth))
                .bind(&p.ni_number)
                .bind(key(&p.given_name))
                .bind(key(&p.family_name))
                .bind(p.preferred_name.as_deref().map(key))
                .bind(sound(&p.given_name))
                .bind(sound(&p.family_name))
                .bind(now.clone())
                .bind(now.clone());
        }
        ids.extend(sorted_ids(q, tx).await?);
    }
    Ok(ids)
}

pub use hearth_domain::import::TenancyImport;

/// A failure while inserting row `index` of a batch.
#[derive(Debug)]
pub struct RowFailure {
    pub index: usize,
    pub error: StoreError,
}

/// Inserts each tenancy with a new household at its property (found by
/// UPRN, or made) and the household's members. Returns the tenancy ids, or
/// the first row that failed.
pub async fn insert_tenancies(tx: &mut Tx, rows: &[TenancyImport], now: Timestamp) -> Result<Vec<Id>, RowFailure> {
    let mut ids = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let id = insert_tenancy(tx, row, now).await.map_err(|error| RowFailure { index, error })?;
        ids.push(id);
    }
    Ok(ids)
}

async fn insert_tenancy(tx: &mut Tx, row: &TenancyImport, now: Timestamp) -> Result<Id> {
    let existing = sqlx::query("SELECT id FROM property WHERE uprn = $1").bind(row.property.uprn).fetch_optional(tx.conn()).await?;
    let property_id = match existing {
        Some(r) => r.try_get::<Id, _>("id")?,
        None => homes::insert_property(tx, &row.property, now).await?.id,
    };
    let household = homes::insert_household(tx, property_id, now).await?;
    for m in &row.members {
        homes::insert_membership(tx, household.id, m, now).await?;
    }
    let t = TenancyFields { household_id: household.id, ..row.tenancy.clone() };
    Ok(homes::insert_tenancy(tx, &t, now).await?.id)
}

/// Inserts contact-log entries (each its own submission, no follow-ups)
/// with their people. An imported entry's `recorded_at` is when it
/// happened: the legacy system logged it then, and retention counts from it.
/// Ids are reserved first so each row is written once, already naming
/// itself as its submission.
pub async fn insert_contacts(tx: &mut Tx, entries: &[ContactFields], recorded_by: Id) -> Result<Vec<Id>> {
    let backend = tx.backend();
    let ids = reserve_ids(tx, "contact_entry", entries.len()).await?;
    let per = rows_per_statement(17);
    for (chunk, chunk_ids) in entries.chunks(per).zip(ids.chunks(per)) {
        let sql = format!(
            "INSERT INTO contact_entry (id, submission_id, occurred_at, recorded_at, recorded_by, channel, compartment, case_id, subjects,
               summary, verbatim, verbatim_reason, voicemail_left, appointment_outcome, place, system_generated, service_request)
             VALUES {}",
            values(backend, chunk.len(), 17)
        );
        let mut q = sqlx::query(&sql);
        for (f, id) in chunk.iter().zip(chunk_ids) {
            let at = ts(f.occurred_at);
            q = q
                .bind(*id)
                .bind(*id)
                .bind(at.clone())
                .bind(at)
                .bind(recorded_by)
                .bind(f.channel.as_str())
                .bind(f.compartment.as_str())
                .bind(f.case_id)
                .bind(serde_json::to_string(&f.subjects).expect("a list of strings serialises"))
                .bind(&f.summary)
                .bind(f.verbatim.as_ref().map(|v| v.0.clone()))
                .bind(f.verbatim.as_ref().map(|v| v.1.as_str()))
                .bind(f.voicemail_left.map(i64::from))
                .bind(f.appointment_outcome.map(|o| o.as_str()))
                .bind(&f.place)
                .bind(f.system_generated.map(i64::from))
                .bind(f.service_request.map(i64::from));
        }
        q.execute(tx.conn()).await?;
    }
    let links: Vec<(Id, Id)> = entries.iter().zip(&ids).flat_map(|(f, id)| f.person_ids.iter().map(move |p| (*id, *p))).collect();
    for part in links.chunks(rows_per_statement(2)) {
        let sql = format!("INSERT INTO contact_entry_person (entry_id, person_id) VALUES {}", values(backend, part.len(), 2));
        let mut q = sqlx::query(&sql);
        for (e, p) in part {
            q = q.bind(*e).bind(*p);
        }
        q.execute(tx.conn()).await?;
    }
    Ok(ids)
}

/// Ids looked up per statement: a whole default batch in one query, under
/// both engines' limits on bound parameters (SQLite 32766, PostgreSQL 65535).
const LOOKUP_IDS: usize = 10_000;

/// The people among `ids` that exist, with their dates of birth: one query
/// for a batch's people rather than one per row.
pub async fn people_born(tx: &mut Tx, ids: &[Id]) -> Result<HashMap<Id, Option<Date>>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let backend = tx.backend();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(LOOKUP_IDS) {
        let params: Vec<String> = (1..=chunk.len())
            .map(|i| match backend {
                Backend::Sqlite => "?".to_string(),
                Backend::Postgres => format!("${i}"),
            })
            .collect();
        let sql = format!("SELECT id, date_of_birth FROM person WHERE id IN ({})", params.join(", "));
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(tx.conn()).await? {
            out.insert(row.try_get::<Id, _>("id")?, get_opt_date(&row, "date_of_birth")?);
        }
    }
    Ok(out)
}

/// Inserts needs, each reviewed by, and with its consent answer recorded
/// by, `by` (whoever runs the import); their ids in the order given. The
/// people must exist (see `people_born`).
pub async fn insert_needs(tx: &mut Tx, needs: &[About<NeedFields>], by: Id, now: Timestamp) -> Result<Vec<Id>> {
    let now = ts(now);
    let backend = tx.backend();
    let mut ids = Vec::with_capacity(needs.len());
    for chunk in needs.chunks(rows_per_statement(16)) {
        let sql = format!(
            "INSERT INTO need (person_id, category, detail, source, disclosed_on, disclosure_channel, duration, review_date, preferred_words,
               consent_to_tailor, consent_recorded_by, consent_recorded_at, review_officer_id, recorded_by, recorded_at, updated_at)
             VALUES {} RETURNING id",
            values(backend, chunk.len(), 16)
        );
        let mut q = sqlx::query(&sql);
        for About { person_id, fields: f } in chunk {
            q = q
                .bind(*person_id)
                .bind(f.category.as_str())
                .bind(&f.detail)
                .bind(f.source.as_str())
                .bind(date(f.disclosed_on))
                .bind(f.disclosure_channel.as_str())
                .bind(f.duration.as_str())
                .bind(date(f.review_date))
                .bind(&f.preferred_words)
                .bind(f.consent_to_tailor as i64)
                .bind(by)
                .bind(now.clone())
                .bind(f.review_officer.unwrap_or(by))
                .bind(by)
                .bind(now.clone())
                .bind(now.clone());
        }
        ids.extend(sorted_ids(q, tx).await?);
    }
    Ok(ids)
}

/// Inserts warning flags recorded and reviewed by `by`, acknowledged by
/// nobody (every reader acknowledges before seeing the text); their ids in
/// the order given. The people must exist.
pub async fn insert_flags(tx: &mut Tx, flags: &[About<WarningFlagFields>], by: Id, now: Timestamp) -> Result<Vec<Id>> {
    let at = ts(now);
    // Renewed the day it was recorded (UTC), as a flag added through the API.
    let renewed = at[..10].to_string();
    let backend = tx.backend();
    let mut ids = Vec::with_capacity(flags.len());
    for chunk in flags.chunks(rows_per_statement(15)) {
        let sql = format!(
            "INSERT INTO warning_flag (person_id, category, severity, incident_date, risk_assessment, person_told, person_told_on,
               not_told_reason, review_date, starts_on, ends_on, review_officer_id, recorded_by, recorded_at, renewed_on)
             VALUES {} RETURNING id",
            values(backend, chunk.len(), 15)
        );
        let mut q = sqlx::query(&sql);
        for About { person_id, fields: f } in chunk {
            q = q
                .bind(*person_id)
                .bind(f.category.as_str())
                .bind(f.severity.as_str())
                .bind(opt_date(f.incident_date))
                .bind(&f.risk_assessment)
                .bind(f.person_told as i64)
                .bind(opt_date(f.person_told_on))
                .bind(&f.not_told_reason)
                .bind(date(f.review_date))
                .bind(date(f.starts_on))
                .bind(opt_date(f.ends_on))
                .bind(by)
                .bind(by)
                .bind(at.clone())
                .bind(renewed.clone());
        }
        ids.extend(sorted_ids(q, tx).await?);
    }
    Ok(ids)
}

/// One equality capture, already sealed by the gate.
#[derive(Debug, Clone)]
pub struct SealedCapture {
    pub person_id: Id,
    pub sealed: String,
    pub source: EdiSource,
    pub recorded_on: Date,
}

/// Appends sealed equality captures recorded by `by`; their ids in the order given.
pub async fn insert_edi(tx: &mut Tx, captures: &[SealedCapture], by: Id, now: Timestamp) -> Result<Vec<Id>> {
    let now = ts(now);
    let backend = tx.backend();
    let mut ids = Vec::with_capacity(captures.len());
    for chunk in captures.chunks(rows_per_statement(6)) {
        let sql = format!(
            "INSERT INTO edi_record (person_id, sealed, source, recorded_on, recorded_by, recorded_at) VALUES {} RETURNING id",
            values(backend, chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q.bind(c.person_id).bind(&c.sealed).bind(c.source.as_str()).bind(date(c.recorded_on)).bind(by).bind(now.clone());
        }
        ids.extend(sorted_ids(q, tx).await?);
    }
    Ok(ids)
}

/// The storage engine's own limit for the benchmark: `n` contact entries,
/// each about one existing person, written by two `INSERT … SELECT`
/// statements inside the database (no driver round trips, no parsing), into
/// the same tables with the same indexes, constraints and foreign keys as
/// an import. The caller rolls the transaction back.
pub async fn set_based_contacts(tx: &mut Tx, n: i64, recorded_by: Id, at: Timestamp) -> Result<u64> {
    let at = ts(at);
    let first = reserve_ids(tx, "contact_entry", 1).await?[0];
    let entries = sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $1)
         INSERT INTO contact_entry (id, submission_id, occurred_at, recorded_at, recorded_by, channel, compartment, subjects, summary)
         SELECT $2 + i, $2 + i, $3, $3, $4, 'call_in', 'contact_log', '[]', 'Benchmark entry' FROM seq",
    )
    .bind(n)
    .bind(first)
    .bind(&at)
    .bind(recorded_by)
    .execute(tx.conn())
    .await?;
    // Spread over the people as an import's entries are (a prime stride).
    sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < $1),
              people(lo, n) AS (SELECT MIN(id), COUNT(*) FROM person)
         INSERT INTO contact_entry_person (entry_id, person_id)
         SELECT $2 + seq.i, p.id FROM seq CROSS JOIN people JOIN person p ON p.id = people.lo + (seq.i * 7919) % people.n",
    )
    .bind(n)
    .bind(first)
    .execute(tx.conn())
    .await?;
    Ok(entries.rows_affected())
}

/// A staff account's id by username, for attributing imported entries.
pub async fn staff_id(tx: &mut Tx, username: &str) -> Result<Option<Id>> {
    let row = sqlx::query("SELECT id FROM staff_user WHERE username = $1").bind(username).fetch_optional(tx.conn()).await?;
    row.map(|r| r.try_get::<Id, _>("id").map_err(StoreError::from)).transpose()
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_number_parameters_row_by_row_on_postgres_and_by_position_on_sqlite() {
        use crate::Backend;
        assert_eq!(super::values(Backend::Postgres, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::values(Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }
}
