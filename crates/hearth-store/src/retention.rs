//! Queries for retention and disposal: finding records whose retention
//! period has run, disposing of them (one function per record class),
//! legal holds, retention runs and their disposal certificates. Persons and
//! cases are reduced to skeletons rather than deleted: other records name them.
//!
//! The finders read only due rows, through (partial) indexes on the trigger
//! date (`case_record_due`, `contact_entry_due`, `tenancy_ended`, and one on
//! each "created" table's time, e.g. `caller_check_checked`;
//! `rights_request_closed`; `warning_flag_renewed`; `household_tenancy_ended`),
//! in (date, id) order with a keyset cursor, so a sweep's cost follows the
//! number of due records, not the size of the table (the upcoming view's
//! household count, by contrast, reads every household). The exceptions are
//! the person sweeps: who is a former tenant is worked out from every
//! membership of a household with a tenancy (`membership_person`), and who
//! never held a tenancy, and their last contact, from every person with
//! their contact log links, case parties and documents, so those finders'
//! cost follows the number of people, not of due records. Nothing here
//! decides whether disposal is allowed: the gate asks the policies and
//! audits each batch in the same transaction.

use crate::time::{get_ts, ts};
use crate::{placeholders, vocab, Result, Tx};
use hearth_domain::{cases::CaseKind, contacts::Channel, retention::HoldScope, Id};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

/// A record whose retention period has run, with what a legal hold could name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub id: Id,
    /// The trigger value (date or time, as stored): the keyset cursor.
    pub trigger: String,
    pub person_ids: Vec<Id>,
    /// The case it belongs to, when a hold on that case should keep it.
    pub case_id: Option<Id>,
}

/// Where a sweep resumes: after this (trigger, id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    pub trigger: String,
    pub id: Id,
}

impl Cursor {
    pub fn after(d: &Due) -> Cursor {
        Cursor { trigger: d.trigger.clone(), id: d.id }
    }
}

async fn bind_ids<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ids: &'q [Id],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for id in ids {
        q = q.bind(*id);
    }
    q
}

/// `(record id, person id)` pairs from a link table, grouped by record.
async fn people_of(tx: &mut Tx, sql_prefix: &str, ids: &[Id]) -> Result<HashMap<Id, Vec<Id>>> {
    let mut out: HashMap<Id, Vec<Id>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = format!("{sql_prefix} ({})", placeholders(1, ids.len()));
    let rows = bind_ids(sqlx::query(&sql), ids).await.fetch_all(tx.conn()).await?;
    for r in rows {
        out.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
    }
    Ok(out)
}

fn due_from(rows: Vec<AnyRow>, mut people: HashMap<Id, Vec<Id>>) -> Result<Vec<Due>> {
    rows.iter()
        .map(|r| {
            let id: Id = r.try_get(0)?;
            Ok(Due { id, trigger: r.try_get(1)?, person_ids: people.remove(&id).unwrap_or_default(), case_id: None })
        })
        .collect()
}

// ---- contact log entries not filed on a case: trigger "created" ----

/// Entries on `channel`, not on a case, recorded before `before` (a stored
/// timestamp), after `cursor`, oldest first.
pub async fn due_contact_entries(tx: &mut Tx, channel: Channel, before: &str, cursor: &Cursor, limit: i64) -> Result<Vec<Due>> {
    let rows = sqlx::query(
        "SELECT id, recorded_at FROM contact_entry
         WHERE case_id IS NULL AND channel = $1 AND recorded_at < $2 AND recorded_at >= $3 AND (recorded_at > $3 OR id > $4)
         ORDER BY recorded_at, id LIMIT $5",
    )
    .bind(channel.as_str())
    .bind(before)
    .bind(&cursor.trigger)
    .bind(cursor.id)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    let ids: Vec<Id> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
    let people = people_of(tx, "SELECT entry_id, person_id FROM contact_entry_person WHERE entry_id IN", &ids).await?;
    due_from(rows, people)
}

/// Deletes contact entries with their people links and follow-ups; an entry
/// of the same split submission that stays loses its link to them. Returns
/// the ids deleted (fewer than asked if a concurrent run got there first).
pub async fn delete_contact_entries(tx: &mut Tx, ids: &[Id]) -> Result<Vec<Id>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = placeholders(1, ids.len());
    for sql in [
        format!("UPDATE contact_entry SET submission_id = NULL WHERE submission_id IN ({list})"),
        format!("DELETE FROM contact_entry_person WHERE entry_id IN ({list})"),
        format!("DELETE FROM contact_follow_up WHERE entry_id IN ({list})"),
    ] {
        bind_ids(sqlx::query(&sql), ids).await.execute(tx.conn()).await?;
    }
    let sql = format!("DELETE FROM contact_entry WHERE id IN ({list}) RETURNING id");
    let rows = bind_ids(sqlx::query(&sql), ids).await.fetch_all(tx.conn()).await?;
    sorted_ids(&rows)
}

/// Entries on `channel`, not on a case, per UTC day of recording in
/// `[from, to)` (stored timestamps), for the upcoming-disposals view.
pub async fn contact_entries_by_day(tx: &mut Tx, channel: Channel, from: &str, to: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT substr(recorded_at, 1, 10) AS day, COUNT(*) AS n FROM contact_entry
         WHERE case_id IS NULL AND channel = $1 AND recorded_at >= $2 AND recorded_at < $3
         GROUP BY substr(recorded_at, 1, 10) ORDER BY 1",
    )
    .bind(channel.as_str())
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?;
    day_counts(&rows)
}

// ---- call recordings: trigger "created" ----

/// Call recordings made before `before` (a stored timestamp), after
/// `cursor`, oldest first, with the people on their calls.
pub async fn due_call_recordings(tx: &mut Tx, before: &str, cursor: &Cursor, limit: i64) -> Result<Vec<Due>> {
    let rows = sqlx::query(
        "SELECT id, recorded_at FROM call_recording
         WHERE recorded_at < $1 AND recorded_at >= $2 AND (recorded_at > $2 OR id > $3)
         ORDER BY recorded_at, id LIMIT $4",
    )
    .bind(before)
    .bind(&cursor.trigger)
    .bind(cursor.id)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    let ids: Vec<Id> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
    let people = people_of(
        tx,
        "SELECT r.id, p.person_id FROM call_recording r JOIN contact_entry_person p ON p.entry_id = r.entry_id WHERE r.id IN",
        &ids,
    )
    .await?;
    due_from(rows, people)
}

/// Deletes call-recording records; a manager's notification about one keeps
/// its message (which names ids only) but loses the link. Returns the ids deleted.
pub async fn delete_call_recordings(tx: &mut Tx, ids: &[Id]) -> Result<Vec<Id>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = placeholders(1, ids.len());
    let sql = format!("UPDATE staff_notification SET recording_id = NULL WHERE recording_id IN ({list})");
    bind_ids(sqlx::query(&sql), ids).await.execute(tx.conn()).await?;
    let sql = format!("DELETE FROM call_recording WHERE id IN ({list}) RETURNING id");
    let rows = bind_ids(sqlx::query(&sql), ids).await.fetch_all(tx.conn()).await?;
    sorted_ids(&rows)
}

/// Call recordings per UTC day made in `[from, to)`, for the upcoming view.
pub async fn call_recordings_by_day(tx: &mut Tx, from: &str, to: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT substr(recorded_at, 1, 10) AS day, COUNT(*) AS n FROM call_recording
         WHERE recorded_at >= $1 AND recorded_at < $2 GROUP BY substr(recorded_at, 1, 10) ORDER BY 1",
    )
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?;
    day_counts(&rows)
}

// ---- documents filed on a case: trigger "case closed" ----

/// Documents on cases closed (retention date) on or before `cutoff`, after
/// `cursor` (closure date, document id), oldest first, with their person and case.
pub async fn due_case_documents(tx: &mut Tx, cutoff: &str, cursor: &Cursor, limit: i64) -> Result<Vec<Due>> {
    let rows = sqlx::query(
        "SELECT d.id, c.retention_from, d.person_id, d.case_id FROM document d JOIN case_record c ON c.id = d.case_id
         WHERE c.retention_from IS NOT NULL AND c.retention_from <= $1 AND c.retention_from >= $2 AND (c.retention_from > $2 OR d.id > $3)
           AND d.filed_as <> 'care_plan'
         ORDER BY c.retention_from, d.id LIMIT $4",
    )
    .bind(cutoff)
    .bind(&cursor.trigger)
    .bind(cursor.id)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| Ok(Due { id: r.try_get(0)?, trigger: r.try_get(1)?, person_ids: vec![r.try_get(2)?], case_id: r.try_get(3)? }))
        .collect()
}

/// Deletes documents, their bytes with them: in the row, or the file in the
/// documents folder. A file is removed before the transaction commits; if
/// the commit then fails the row stays, past its date, and the next run
/// deletes it (its download already fails the hash check). Returns the ids deleted.
pub async fn delete_documents(tx: &mut Tx, storage: &crate::documents::DocumentStorage, ids: &[Id]) -> Result<Vec<Id>> {
    // A care plan is kept whatever else is disposed of.
    delete_documents_where(tx, storage, ids, " AND filed_as <> 'care_plan'").await
}

/// Deletes the documents attached to contact entries about to be deleted
/// (they go with the entry; a care plan would have kept the entry back).
/// Returns the document ids deleted, for their audit payloads.
pub async fn delete_entry_documents(tx: &mut Tx, storage: &crate::documents::DocumentStorage, entry_ids: &[Id]) -> Result<Vec<Id>> {
    if entry_ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT id FROM document WHERE entry_id IN ({}) AND case_id IS NULL AND filed_as <> 'care_plan' ORDER BY id",
        placeholders(1, entry_ids.len())
    );
    let rows = bind_ids(sqlx::query(&sql), entry_ids).await.fetch_all(tx.conn()).await?;
    let ids = sorted_ids(&rows)?;
    delete_documents_where(tx, storage, &ids, " AND filed_as <> 'care_plan'").await
}

async fn delete_documents_where(tx: &mut Tx, storage: &crate::documents::DocumentStorage, ids: &[Id], only: &str) -> Result<Vec<Id>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = placeholders(1, ids.len());
    let sql = format!("DELETE FROM document WHERE id IN ({list}){only} RETURNING id, stored_name");
    let rows = bind_ids(sqlx::query(&sql), ids).await.fetch_all(tx.conn()).await?;
    let mut deleted = Vec::with_capacity(rows.len());
    for r in &rows {
        deleted.push(r.try_get::<Id, _>(0)?);
        let stored: Option<String> = r.try_get(1)?;
        if let Some(name) = stored {
            crate::documents::remove_file(storage, &name)?;
        }
    }
    deleted.sort_unstable();
    Ok(deleted)
}

/// Documents on closed cases per closure date up to `to`, for the upcoming view.
pub async fn case_documents_by_day(tx: &mut Tx, to: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT c.retention_from AS day, COUNT(*) AS n FROM document d JOIN case_record c ON c.id = d.case_id
         WHERE c.retention_from IS NOT NULL AND c.retention_from <= $1 AND d.filed_as <> 'care_plan' GROUP BY c.retention_from ORDER BY 1",
    )
    .bind(to)
    .fetch_all(tx.conn())
    .await?;
    day_counts(&rows)
}

// ---- closed cases: trigger "case closed" ----

/// Closed cases of `kind` not yet reduced to skeletons whose retention date
/// is on or before `cutoff` (a date), after `cursor`, oldest first.
pub async fn due_cases(tx: &mut Tx, kind: CaseKind, cutoff: &str, cursor: &Cursor, limit: i64) -> Result<Vec<Due>> {
    let rows = sqlx::query(
        "SELECT id, retention_from FROM case_record
         WHERE kind = $1 AND disposed_at IS NULL AND retention_from IS NOT NULL
           AND retention_from <= $2 AND retention_from >= $3 AND (retention_from > $3 OR id > $4)
         ORDER BY retention_from, id LIMIT $5",
    )
    .bind(kind.as_str())
    .bind(cutoff)
    .bind(&cursor.trigger)
    .bind(cursor.id)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    let ids: Vec<Id> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
    let people = people_of(tx, "SELECT case_id, person_id FROM case_party WHERE case_id IN", &ids).await?;
    due_from(rows, people)
}

/// What stands in for text a skeleton no longer holds.
pub fn removed_marker(run_id: Id) -> String {
    format!("[removed by retention run {run_id}]")
}

/// Reduces cases to skeleton records: kind, compartment, status, priority,
/// reference, dates, outcome and complaint-handling figures stay (what the
/// regulator's statistics need); the summary, notes, remedy, team,
/// assignments, property, contractor and appointment window go, the parties
/// are unlinked, timeline entries lose their text, and contact entries on
/// the case keep only channel, compartment and times. Returns the ids of the
/// cases reduced, of their contact entries and of the anonymity overrides
/// deleted with them, so their audit payloads can be redacted too.
pub async fn skeleton_cases(tx: &mut Tx, ids: &[Id], run_id: Id, now: Timestamp) -> Result<(Vec<Id>, Vec<Id>, Vec<Id>)> {
    if ids.is_empty() {
        return Ok((vec![], vec![], vec![]));
    }
    let marker = removed_marker(run_id);
    let list = placeholders(4, ids.len());
    // Only cases still whole: a concurrent run that got there first wins.
    let sql = format!(
        "UPDATE case_record SET summary = $1, outcome_note = NULL, remedy = NULL, extension_reason = NULL, team = NULL,
             assigned_to = NULL, property_id = NULL, contractor_id = NULL, window_start = NULL, window_end = NULL,
             disposed_at = $2, disposal_run_id = $3, updated_at = $2, version = version + 1
         WHERE id IN ({list}) AND disposed_at IS NULL RETURNING id"
    );
    let now = ts(now);
    let rows = bind_ids(sqlx::query(&sql).bind(&marker).bind(&now).bind(run_id), ids).await.fetch_all(tx.conn()).await?;
    let mut reduced: Vec<Id> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
    reduced.sort_unstable();
    if reduced.is_empty() {
        return Ok((vec![], vec![], vec![]));
    }
    let ids = reduced.as_slice();
    let list = placeholders(1, ids.len());
    // Anonymity overrides point at the parties; the audit trail keeps their
    // decisions, without the detail given for them.
    let sql = format!("DELETE FROM anonymity_override WHERE case_id IN ({list}) RETURNING id");
    let overrides = sorted_ids(&bind_ids(sqlx::query(&sql), ids).await.fetch_all(tx.conn()).await?)?;
    let sql = format!("DELETE FROM case_party WHERE case_id IN ({list})");
    bind_ids(sqlx::query(&sql), ids).await.execute(tx.conn()).await?;
    let sql = format!("UPDATE case_event SET detail = ${} WHERE case_id IN ({list})", ids.len() + 1);
    bind_ids(sqlx::query(&sql), ids).await.bind(&marker).execute(tx.conn()).await?;
    let sql = format!("SELECT id FROM contact_entry WHERE case_id IN ({list}) ORDER BY id");
    let entries: Vec<Id> =
        bind_ids(sqlx::query(&sql), ids).await.fetch_all(tx.conn()).await?.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
    for chunk in entries.chunks(500) {
        let list = placeholders(1, chunk.len());
        for sql in [
            format!("DELETE FROM contact_entry_person WHERE entry_id IN ({list})"),
            format!("DELETE FROM contact_follow_up WHERE entry_id IN ({list})"),
            // The skeleton keeps no letter: who it went to, where and about what.
            format!("DELETE FROM communication WHERE entry_id IN ({list})"),
        ] {
            bind_ids(sqlx::query(&sql), chunk).await.execute(tx.conn()).await?;
        }
        let sql = format!(
            "UPDATE contact_entry SET summary = ${}, subjects = '[]', verbatim = NULL, verbatim_reason = NULL, place = NULL WHERE id IN ({list})",
            chunk.len() + 1
        );
        bind_ids(sqlx::query(&sql), chunk).await.bind(&marker).execute(tx.conn()).await?;
    }
    Ok((reduced, entries, overrides))
}

/// Closed cases of `kind` not yet reduced, per retention date in `[from, to]`.
pub async fn cases_by_day(tx: &mut Tx, kind: CaseKind, from: &str, to: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT retention_from AS day, COUNT(*) AS n FROM case_record
         WHERE kind = $1 AND disposed_at IS NULL AND retention_from IS NOT NULL AND retention_from >= $2 AND retention_from <= $3
         GROUP BY retention_from ORDER BY 1",
    )
    .bind(kind.as_str())
    .bind(from)
    .bind(to)
    .fetch_all(tx.conn())
    .await?;
    day_counts(&rows)
}

// ---- a former tenant's records: trigger "tenancy ended" ----
//
// A person's tenancy ended on the latest end of their memberships of
// households with a tenancy: a membership ends on its own end date (a
// household member who left a tenancy that continues), or else when the
// household's tenancy ended. Only once every such membership has ended.
// The finders start from the memberships of people with one ended
// (`membership_person`), so someone still housed is dropped early.
//
// Someone who never held a tenancy (no membership of a household with a
// tenancy: neighbours who reported anti-social behaviour, callers,
// representatives' contacts) falls under the "last contact" rule of the
// `non_tenant` class instead: the latest of the day they were added, a
// contact log entry naming them, a document about them, and the day a case
// they are a party to closed (an open case keeps them).

/// Former tenants whose tenancy ended on or before `$1`, with that date.
const FORMER_TENANTS: &str = "SELECT m.person_id AS person_id, MAX(COALESCE(m.end_date, t.end_date)) AS ended
    FROM membership m JOIN tenancy t ON t.household_id = m.household_id
    GROUP BY m.person_id
    HAVING MIN(CASE WHEN m.end_date IS NULL AND t.end_date IS NULL THEN 0 ELSE 1 END) = 1
       AND MAX(COALESCE(m.end_date, t.end_date)) <= $1";

/// People who never held a tenancy whose last contact was on or before
/// `$1`, with that day.
const NEVER_TENANTS: &str = "SELECT x.id AS person_id, MAX(a.d) AS ended
    FROM person x JOIN (
        SELECT id AS pid, substr(created_at, 1, 10) AS d FROM person
        UNION ALL SELECT p.person_id, substr(e.occurred_at, 1, 10) FROM contact_entry_person p JOIN contact_entry e ON e.id = p.entry_id
        UNION ALL SELECT cp.person_id, COALESCE(c.retention_from, '9999-12-31') FROM case_party cp JOIN case_record c ON c.id = cp.case_id
        UNION ALL SELECT person_id, substr(uploaded_at, 1, 10) FROM document
    ) a ON a.pid = x.id
    WHERE NOT EXISTS (SELECT 1 FROM membership m JOIN tenancy t ON t.household_id = m.household_id WHERE m.person_id = x.id)
    GROUP BY x.id
    HAVING MAX(a.d) <= $1";

/// Whose records a person sweep disposes of: former tenants (by the end of
/// their tenancy) or people who never held one (by their last contact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    FormerTenants,
    NeverTenants,
}

impl Whose {
    /// The `former` common table expression (person_id, ended) for `$1`.
    fn cte(self) -> String {
        match self {
            Whose::FormerTenants => format!("former AS ({FORMER_TENANTS})"),
            Whose::NeverTenants => format!("former AS ({NEVER_TENANTS})"),
        }
    }
}

/// A table of one person's own records, disposed of once their tenancy has
/// ended. A closed list: table and column names come only from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonTable {
    Need,
    Adjustment,
    ContactPoint,
    IdentityEvidence,
    ConsentRecord,
    ContactPreference,
    Objection,
    CapacityAssessment,
    BestInterestsShare,
    NotHeldRequest,
    Representative,
    /// Sealed equality-monitoring captures: deleting every one of a person's
    /// is how the class is anonymised (only aggregates that identify nobody remain).
    EdiRecord,
    /// Checks that a person's needs are still current (the needs class).
    NeedsCheck,
    /// Restrictions of processing (the objections class).
    ProcessingRestriction,
    /// Documents on the person's tenancy file (not on a case or a contact
    /// entry, not a care plan); deleted with their bytes.
    TenancyFile,
}

impl PersonTable {
    pub const ALL: &'static [PersonTable] = &[
        PersonTable::Need,
        PersonTable::Adjustment,
        PersonTable::ContactPoint,
        PersonTable::IdentityEvidence,
        PersonTable::ConsentRecord,
        PersonTable::ContactPreference,
        PersonTable::Objection,
        PersonTable::CapacityAssessment,
        PersonTable::BestInterestsShare,
        PersonTable::NotHeldRequest,
        PersonTable::Representative,
        PersonTable::EdiRecord,
        PersonTable::NeedsCheck,
        PersonTable::ProcessingRestriction,
        PersonTable::TenancyFile,
    ];

    pub fn table(self) -> &'static str {
        match self {
            PersonTable::Need => "need",
            PersonTable::Adjustment => "adjustment",
            PersonTable::ContactPoint => "contact_point",
            PersonTable::IdentityEvidence => "identity_evidence",
            PersonTable::ConsentRecord => "consent_record",
            PersonTable::ContactPreference => "contact_preference",
            PersonTable::Objection => "objection",
            PersonTable::CapacityAssessment => "capacity_assessment",
            PersonTable::BestInterestsShare => "best_interests_share",
            PersonTable::NotHeldRequest => "not_held_request",
            PersonTable::Representative => "representative",
            PersonTable::EdiRecord => "edi_record",
            PersonTable::NeedsCheck => "needs_check",
            PersonTable::ProcessingRestriction => "processing_restriction",
            PersonTable::TenancyFile => "document",
        }
    }

    /// Which of the table's rows are the person's records of this kind.
    fn only(self) -> &'static str {
        match self {
            PersonTable::TenancyFile => " AND x.filed_as = 'tenancy_file'",
            _ => "",
        }
    }

    /// The row's key: contact preferences are one row per person.
    fn id_column(self) -> &'static str {
        match self {
            PersonTable::ContactPreference => "person_id",
            _ => "id",
        }
    }

    /// The audit record types whose `record_id` is this table's key.
    pub fn audit_record_types(self) -> &'static [&'static str] {
        match self {
            PersonTable::Need => &["need"],
            PersonTable::Adjustment => &["adjustment"],
            PersonTable::ContactPoint => &["contact_point"],
            PersonTable::IdentityEvidence => &["identity_evidence"],
            PersonTable::ConsentRecord => &["consent_record", "consent_withdrawal"],
            PersonTable::ContactPreference => &["contact_preference"],
            PersonTable::Objection => &["objection", "objection_withdrawal"],
            PersonTable::CapacityAssessment => &["capacity_assessment"],
            PersonTable::BestInterestsShare => &["best_interests_share"],
            PersonTable::NotHeldRequest => &["not_held_request"],
            PersonTable::Representative => &["representative"],
            PersonTable::EdiRecord => &["edi_record"],
            PersonTable::NeedsCheck => &["needs_check"],
            PersonTable::ProcessingRestriction => &["processing_restriction"],
            PersonTable::TenancyFile => &["document"],
        }
    }

    /// Rows the delete leaves: a need stays while an adjustment still points
    /// at it, an assessment while a best-interests share still rests on it,
    /// and a representative while a caller check still names them. The
    /// pointing rows are swept first (`sweep_order` in the gate), so this
    /// holds back only a row whose dependant a hold kept, or (for a
    /// representative) a caller check younger than its own 2 years; the
    /// finder still lists it (a plan counts it) and it is found again by the
    /// next run. Each check reads an index on the pointing column.
    fn waits(self) -> &'static str {
        match self {
            PersonTable::Need => " AND NOT EXISTS (SELECT 1 FROM adjustment a WHERE a.need_id = x.id)",
            PersonTable::CapacityAssessment => " AND NOT EXISTS (SELECT 1 FROM best_interests_share b WHERE b.assessment_id = x.id)",
            PersonTable::Representative => " AND NOT EXISTS (SELECT 1 FROM caller_check c WHERE c.representative_id = x.id)",
            _ => "",
        }
    }
}

/// Rows of `table` belonging to `whose` people whose date fell on or before
/// `cutoff` (a date), after `cursor` (end date, row key), oldest first.
pub async fn due_person_records(
    tx: &mut Tx,
    whose: Whose,
    table: PersonTable,
    cutoff: &str,
    cursor: &Cursor,
    limit: i64,
) -> Result<Vec<Due>> {
    let (name, key, only, cte) = (table.table(), table.id_column(), table.only(), whose.cte());
    let sql = format!(
        "WITH {cte}
         SELECT x.{key} AS id, f.ended AS ended, x.person_id AS person_id FROM former f JOIN {name} x ON x.person_id = f.person_id
         WHERE f.ended >= $2 AND (f.ended > $2 OR x.{key} > $3){only}
         ORDER BY f.ended, x.{key} LIMIT $4"
    );
    let rows = sqlx::query(&sql).bind(cutoff).bind(&cursor.trigger).bind(cursor.id).bind(limit).fetch_all(tx.conn()).await?;
    rows.iter()
        .map(|r| Ok(Due { id: r.try_get("id")?, trigger: r.try_get("ended")?, person_ids: vec![r.try_get("person_id")?], case_id: None }))
        .collect()
}

/// Deletes rows of `table` by key (see [`PersonTable::waits`]), documents
/// with their bytes; returns the keys deleted.
pub async fn delete_person_records(
    tx: &mut Tx,
    storage: &crate::documents::DocumentStorage,
    table: PersonTable,
    ids: &[Id],
) -> Result<Vec<Id>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    if table == PersonTable::TenancyFile {
        return delete_documents_where(tx, storage, ids, " AND filed_as = 'tenancy_file'").await;
    }
    let (name, key, waits) = (table.table(), table.id_column(), table.waits());
    let sql = format!("DELETE FROM {name} AS x WHERE x.{key} IN ({}){waits} RETURNING {key}", placeholders(1, ids.len()));
    let rows = bind_ids(sqlx::query(&sql), ids).await.fetch_all(tx.conn()).await?;
    sorted_ids(&rows)
}

/// Rows of `table` per trigger date up to `to`, for the upcoming view.
pub async fn person_records_by_day(tx: &mut Tx, whose: Whose, table: PersonTable, to: &str) -> Result<Vec<(String, i64)>> {
    let (name, cte) = (table.table(), whose.cte());
    let only = table.only().replacen(" AND ", " WHERE ", 1);
    let sql = format!(
        "WITH {cte}
         SELECT f.ended AS day, COUNT(*) AS n FROM former f JOIN {name} x ON x.person_id = f.person_id{only} GROUP BY f.ended ORDER BY 1"
    );
    let rows = sqlx::query(&sql).bind(to).fetch_all(tx.conn()).await?;
    day_counts(&rows)
}

/// The common table expressions of an entries sweep: `former` (the
/// sweep's own people) and `gone` (everyone whose date has run, former
/// tenants or not), both for `$1`.
fn entry_ctes(whose: Whose) -> String {
    format!("{}, gone AS ({FORMER_TENANTS} UNION ALL {NEVER_TENANTS})", whose.cte())
}

/// Contact entries on `channels`, not on a case, naming at least one of
/// `former` and otherwise only people whose date has run too (`gone`: an
/// entry with a former tenant and a neighbour goes once both are due), and
/// which no recording or care plan still points at, with the latest of the
/// sweep's people's dates. Documents attached to an entry go with it.
fn former_entries_sql(channels: &[Channel], first: usize) -> String {
    format!(
        "SELECT e.id AS id, MAX(f.ended) AS ended
         FROM former f JOIN contact_entry_person p ON p.person_id = f.person_id JOIN contact_entry e ON e.id = p.entry_id
         WHERE e.case_id IS NULL AND e.channel IN ({})
           AND NOT EXISTS (SELECT 1 FROM contact_entry_person o WHERE o.entry_id = e.id AND o.person_id NOT IN (SELECT person_id FROM gone))
           AND NOT EXISTS (SELECT 1 FROM call_recording r WHERE r.entry_id = e.id)
           AND NOT EXISTS (SELECT 1 FROM document d WHERE d.entry_id = e.id AND d.filed_as = 'care_plan')
         GROUP BY e.id",
        placeholders(first, channels.len())
    )
}

/// Contact entries (see `former_entries_sql`) due on `cutoff`, after
/// `cursor` (latest end date, entry id), oldest first, with their people.
pub async fn due_former_tenant_entries(
    tx: &mut Tx,
    whose: Whose,
    channels: &[Channel],
    cutoff: &str,
    cursor: &Cursor,
    limit: i64,
) -> Result<Vec<Due>> {
    if channels.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "WITH {}
         SELECT id, ended FROM ({}) due WHERE ended >= $2 AND (ended > $2 OR id > $3) ORDER BY ended, id LIMIT $4",
        entry_ctes(whose),
        former_entries_sql(channels, 5)
    );
    let mut q = sqlx::query(&sql).bind(cutoff).bind(&cursor.trigger).bind(cursor.id).bind(limit);
    for ch in channels {
        q = q.bind(ch.as_str());
    }
    let rows = q.fetch_all(tx.conn()).await?;
    let ids: Vec<Id> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
    let people = people_of(tx, "SELECT entry_id, person_id FROM contact_entry_person WHERE entry_id IN", &ids).await?;
    due_from(rows, people)
}

/// Those contact entries per latest end date up to `to`, for the upcoming view.
pub async fn former_tenant_entries_by_day(tx: &mut Tx, whose: Whose, channels: &[Channel], to: &str) -> Result<Vec<(String, i64)>> {
    if channels.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "WITH {}
         SELECT ended AS day, COUNT(*) AS n FROM ({}) due GROUP BY ended ORDER BY 1",
        entry_ctes(whose),
        former_entries_sql(channels, 2)
    );
    let mut q = sqlx::query(&sql).bind(to);
    for ch in channels {
        q = q.bind(ch.as_str());
    }
    day_counts(&q.fetch_all(tx.conn()).await?)
}

// ---- a former tenant's identity: trigger "tenancy ended", skeleton ----
//
// The person row stays (case skeletons, the disclosure register, breach
// records and the audit trail name its id); every personal field goes. It
// is swept after every other tenancy-ended class and waits while any of the
// person's records of those classes remain (a hold, or a class's own wait,
// kept one back), so it is never left naming nobody for a record that still
// needs it.

/// The person's tenancy-ended records that must go before their identity:
/// every [`PersonTable`] row, and contact log entries naming them that are
/// neither on a case nor chatbot (the classes a former tenant's entries are
/// swept under). Each check reads an index on the person column.
fn identity_waits(whose: Whose) -> String {
    let mut waits: Vec<String> = PersonTable::ALL
        .iter()
        .map(|t| format!(" AND NOT EXISTS (SELECT 1 FROM {} w WHERE w.person_id = x.id{})", t.table(), t.only().replace("x.", "w.")))
        .collect();
    waits.push(
        " AND NOT EXISTS (SELECT 1 FROM contact_entry_person w JOIN contact_entry e ON e.id = w.entry_id
                          WHERE w.person_id = x.id AND e.case_id IS NULL AND e.channel <> 'chatbot')"
            .into(),
    );
    // Someone who never held a tenancy is known to us through the cases
    // naming them: their identity waits until every such case is a
    // skeleton (which unlinks its parties).
    if whose == Whose::NeverTenants {
        waits.push(" AND NOT EXISTS (SELECT 1 FROM case_party w WHERE w.person_id = x.id)".into());
    }
    waits.concat()
}

/// Persons not yet reduced whose tenancy ended on or before `cutoff`, after
/// `cursor` (end date, id), oldest first. Lists those still waiting too (a
/// plan counts them); the reduction skips them.
pub async fn due_persons(tx: &mut Tx, whose: Whose, cutoff: &str, cursor: &Cursor, limit: i64) -> Result<Vec<Due>> {
    let sql = format!(
        "WITH {}
         SELECT x.id AS id, f.ended AS ended FROM former f JOIN person x ON x.id = f.person_id
         WHERE x.disposed_at IS NULL AND f.ended >= $2 AND (f.ended > $2 OR x.id > $3)
         ORDER BY f.ended, x.id LIMIT $4",
        whose.cte()
    );
    let rows = sqlx::query(&sql).bind(cutoff).bind(&cursor.trigger).bind(cursor.id).bind(limit).fetch_all(tx.conn()).await?;
    rows.iter()
        .map(|r| {
            let id: Id = r.try_get("id")?;
            Ok(Due { id, trigger: r.try_get("ended")?, person_ids: vec![id], case_id: None })
        })
        .collect()
}

/// Reduces persons to skeletons: the names become the removal marker, the
/// search keys empty, and preferred name, date of birth, National
/// Insurance number and memorable word NULL; kind (the schema ties evidence and contact points
/// to it), organisation and times stay. One still waiting (see
/// `identity_waits`) or already reduced is left. Returns the ids reduced.
pub async fn skeleton_persons(tx: &mut Tx, whose: Whose, ids: &[Id], run_id: Id, now: Timestamp) -> Result<Vec<Id>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "UPDATE person AS x SET given_name = $1, family_name = '', preferred_name = NULL, date_of_birth = NULL, ni_number = NULL,
             memorable_word_hash = NULL, memorable_word_set_at = NULL, given_key = '', family_key = '', preferred_key = NULL, given_sound = NULL, family_sound = NULL, disposed_at = $2, disposal_run_id = $3, updated_at = $2,
             version = version + 1
         WHERE x.id IN ({}) AND x.disposed_at IS NULL{} RETURNING id",
        placeholders(4, ids.len()),
        identity_waits(whose)
    );
    let now = ts(now);
    let rows = bind_ids(sqlx::query(&sql).bind(removed_marker(run_id)).bind(&now).bind(run_id), ids).await.fetch_all(tx.conn()).await?;
    sorted_ids(&rows)
}

/// Persons not yet reduced per tenancy end date up to `to`, for the upcoming view.
pub async fn persons_by_day(tx: &mut Tx, whose: Whose, to: &str) -> Result<Vec<(String, i64)>> {
    let sql = format!(
        "WITH {}
         SELECT f.ended AS day, COUNT(*) AS n FROM former f JOIN person x ON x.id = f.person_id
         WHERE x.disposed_at IS NULL GROUP BY f.ended ORDER BY 1",
        whose.cte()
    );
    day_counts(&sqlx::query(&sql).bind(to).fetch_all(tx.conn()).await?)
}

// ---- households and tenancies: trigger "tenancy ended", delete ----
//
// Swept after the identities, in three steps (one rule, one certificate):
// a former tenant's memberships once their identity has been reduced (so
// nothing tenancy-ended about them is left that needs their end date); then
// a tenancy ended on or before the cutoff that no membership of its
// household still points at; then a household retention emptied (it
// records the latest end date of the tenancies deleted from it,
// `household.tenancy_ended_on`) once neither memberships nor tenancies
// remain. Properties are not personal data and stay. A hold on a person
// keeps their memberships, and so their household's tenancy and the
// household.

/// One of the tables of the household-and-tenancy class. A closed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeTable {
    Membership,
    Tenancy,
    Household,
}

impl HomeTable {
    pub fn table(self) -> &'static str {
        match self {
            HomeTable::Membership => "membership",
            HomeTable::Tenancy => "tenancy",
            HomeTable::Household => "household",
        }
    }

    /// Rows the delete leaves: a membership whose person has not been
    /// reduced yet (held, or waiting for their own records), a tenancy a
    /// membership of its household still points at, a household with a
    /// membership or tenancy left. The finder still lists them (a plan
    /// counts them). Each check reads an index on the pointing column.
    fn waits(self) -> &'static str {
        match self {
            HomeTable::Membership => " AND EXISTS (SELECT 1 FROM person p WHERE p.id = x.person_id AND p.disposed_at IS NOT NULL)",
            HomeTable::Tenancy => " AND NOT EXISTS (SELECT 1 FROM membership m WHERE m.household_id = x.household_id)",
            HomeTable::Household => {
                " AND NOT EXISTS (SELECT 1 FROM membership m WHERE m.household_id = x.id)
                  AND NOT EXISTS (SELECT 1 FROM tenancy t WHERE t.household_id = x.id)"
            }
        }
    }
}

/// Rows of `table` due on `cutoff`, after `cursor`, oldest first: a former
/// tenant's memberships by their end date (with the person, for holds);
/// ended tenancies no membership points at, by end date; emptied
/// households by their tenancies' latest end date.
///
/// `whose` says whose memberships: a former tenant's, or those of someone
/// who never held a tenancy (a member of a household without one).
pub async fn due_homes(tx: &mut Tx, whose: Whose, table: HomeTable, cutoff: &str, cursor: &Cursor, limit: i64) -> Result<Vec<Due>> {
    let sql = match table {
        HomeTable::Membership => format!(
            "WITH {}
             SELECT x.id AS id, f.ended AS ended, x.person_id AS person_id FROM former f JOIN membership x ON x.person_id = f.person_id
             WHERE f.ended >= $2 AND (f.ended > $2 OR x.id > $3)
             ORDER BY f.ended, x.id LIMIT $4",
            whose.cte()
        ),
        HomeTable::Tenancy => format!(
            "SELECT x.id AS id, x.end_date AS ended, NULL AS person_id FROM tenancy x
             WHERE x.end_date IS NOT NULL AND x.end_date <= $1 AND x.end_date >= $2 AND (x.end_date > $2 OR x.id > $3){}
             ORDER BY x.end_date, x.id LIMIT $4",
            table.waits()
        ),
        HomeTable::Household => format!(
            "SELECT x.id AS id, x.tenancy_ended_on AS ended, NULL AS person_id FROM household x
             WHERE x.tenancy_ended_on IS NOT NULL AND x.tenancy_ended_on <= $1
               AND x.tenancy_ended_on >= $2 AND (x.tenancy_ended_on > $2 OR x.id > $3){}
             ORDER BY x.tenancy_ended_on, x.id LIMIT $4",
            table.waits()
        ),
    };
    let rows = sqlx::query(&sql).bind(cutoff).bind(&cursor.trigger).bind(cursor.id).bind(limit).fetch_all(tx.conn()).await?;
    rows.iter()
        .map(|r| {
            let person: Option<Id> = r.try_get("person_id")?;
            Ok(Due { id: r.try_get("id")?, trigger: r.try_get("ended")?, person_ids: person.into_iter().collect(), case_id: None })
        })
        .collect()
}

/// Deletes rows of `table` (see [`HomeTable::waits`]); a deleted tenancy's
/// end date is kept on its household, which is found by it. Returns the ids deleted.
pub async fn delete_homes(tx: &mut Tx, table: HomeTable, ids: &[Id]) -> Result<Vec<Id>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = placeholders(1, ids.len());
    let sql = match table {
        HomeTable::Tenancy => format!(
            "DELETE FROM tenancy AS x WHERE x.id IN ({list}) AND x.end_date IS NOT NULL{} RETURNING id, household_id, end_date",
            table.waits()
        ),
        _ => format!("DELETE FROM {} AS x WHERE x.id IN ({list}){} RETURNING id", table.table(), table.waits()),
    };
    let rows = bind_ids(sqlx::query(&sql), ids).await.fetch_all(tx.conn()).await?;
    if table == HomeTable::Tenancy {
        for r in &rows {
            let (household, ended): (Id, String) = (r.try_get("household_id")?, r.try_get("end_date")?);
            sqlx::query("UPDATE household SET tenancy_ended_on = $1 WHERE id = $2 AND (tenancy_ended_on IS NULL OR tenancy_ended_on < $1)")
                .bind(&ended)
                .bind(household)
                .execute(tx.conn())
                .await?;
        }
    }
    sorted_ids(&rows)
}

/// Rows of `table` per trigger day up to `to`, for the upcoming view: a
/// former tenant's memberships by their end date, ended tenancies by theirs,
/// and households none of whose tenancies is open by the latest end date of
/// theirs (or of those retention already deleted).
pub async fn homes_by_day(tx: &mut Tx, whose: Whose, table: HomeTable, to: &str) -> Result<Vec<(String, i64)>> {
    match table {
        HomeTable::Membership => {
            let sql = format!(
                "WITH {}
                 SELECT f.ended AS day, COUNT(*) AS n FROM former f JOIN membership x ON x.person_id = f.person_id GROUP BY f.ended ORDER BY 1",
                whose.cte()
            );
            day_counts(&sqlx::query(&sql).bind(to).fetch_all(tx.conn()).await?)
        }
        HomeTable::Tenancy => day_counts(
            &sqlx::query(
                "SELECT end_date AS day, COUNT(*) AS n FROM tenancy WHERE end_date IS NOT NULL AND end_date <= $1 GROUP BY end_date ORDER BY 1",
            )
            .bind(to)
            .fetch_all(tx.conn())
            .await?,
        ),
        HomeTable::Household => {
            let rows = sqlx::query(
                "SELECT h.tenancy_ended_on AS emptied, (SELECT MAX(t.end_date) FROM tenancy t WHERE t.household_id = h.id) AS ended
                 FROM household h
                 WHERE NOT EXISTS (SELECT 1 FROM tenancy t WHERE t.household_id = h.id AND t.end_date IS NULL)
                   AND (h.tenancy_ended_on IS NOT NULL OR EXISTS (SELECT 1 FROM tenancy t WHERE t.household_id = h.id))",
            )
            .fetch_all(tx.conn())
            .await?;
            let mut days: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
            for r in &rows {
                let (emptied, ended): (Option<String>, Option<String>) = (r.try_get("emptied")?, r.try_get("ended")?);
                if let Some(day) = emptied.max(ended).filter(|d| d.as_str() <= to) {
                    *days.entry(day).or_default() += 1;
                }
            }
            Ok(days.into_iter().collect())
        }
    }
}

// ---- records kept for a period from when they were made: trigger "created" ----

/// A table whose rows are disposed of a period after they were made, found
/// through an index on that time. A closed list: names come only from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatedTable {
    CallerCheck,
    /// Break-glass grants: only once the DPO has reviewed them.
    BreakGlass,
    SupportGrant,
    /// Data-sharing agreements no disclosure names, once out of force.
    SharingAgreement,
}

impl CreatedTable {
    pub fn table(self) -> &'static str {
        match self {
            CreatedTable::CallerCheck => "caller_check",
            CreatedTable::BreakGlass => "break_glass",
            CreatedTable::SupportGrant => "support_grant",
            CreatedTable::SharingAgreement => "sharing_agreement",
        }
    }

    /// When the row was made (a stored timestamp), indexed with `id`.
    fn created_column(self) -> &'static str {
        match self {
            CreatedTable::CallerCheck => "checked_at",
            CreatedTable::BreakGlass | CreatedTable::SupportGrant => "granted_at",
            CreatedTable::SharingAgreement => "created_at",
        }
    }

    /// The person a hold on whom keeps the row, if the row names one.
    fn person_column(self) -> &'static str {
        match self {
            CreatedTable::CallerCheck | CreatedTable::BreakGlass => "x.person_id",
            CreatedTable::SupportGrant | CreatedTable::SharingAgreement => "NULL",
        }
    }

    /// Rows never found however old. A break-glass grant waits for the
    /// DPO's review: it is kept for that review, and deleting one unreviewed
    /// would destroy the only account of an access nobody has examined. An
    /// agreement a disclosure names stays: the disclosure register is kept
    /// for ever and must show what each disclosure rested on.
    fn excluded(self) -> &'static str {
        match self {
            CreatedTable::BreakGlass => " AND x.reviewed_at IS NOT NULL",
            CreatedTable::SharingAgreement => " AND NOT EXISTS (SELECT 1 FROM disclosure d WHERE d.agreement_id = x.id)",
            CreatedTable::CallerCheck | CreatedTable::SupportGrant => "",
        }
    }

    /// Rows kept while in force on the date bound as `$n`: an agreement
    /// still active and not expired is kept whatever its age (the register:
    /// "kept while in force"). Empty where the table has no such state, and
    /// then nothing is bound.
    fn in_force(self, n: usize) -> Option<String> {
        match self {
            CreatedTable::SharingAgreement => Some(format!(" AND NOT (x.status = 'active' AND x.expires_on >= ${n})")),
            CreatedTable::CallerCheck | CreatedTable::BreakGlass | CreatedTable::SupportGrant => None,
        }
    }

    /// The audit record types whose `record_id` is this table's id. (A
    /// break-glass grant's opening is audited on the person, and the reason
    /// stays in the trail of every access it allowed: the trail is kept.)
    pub fn audit_record_types(self) -> &'static [&'static str] {
        match self {
            CreatedTable::CallerCheck => &["caller_check"],
            CreatedTable::BreakGlass => &["break_glass"],
            CreatedTable::SupportGrant => &["support_grant"],
            CreatedTable::SharingAgreement => &["sharing_agreement"],
        }
    }
}

/// Rows of `table` made before `before` (a stored timestamp), after
/// `cursor`, oldest first, with the person they name; `on` is the run's date
/// (YYYY-MM-DD), for what is kept while in force.
pub async fn due_created(tx: &mut Tx, table: CreatedTable, before: &str, on: &str, cursor: &Cursor, limit: i64) -> Result<Vec<Due>> {
    let (name, at, person, excluded) = (table.table(), table.created_column(), table.person_column(), table.excluded());
    let in_force = table.in_force(5);
    let sql = format!(
        "SELECT x.id AS id, x.{at} AS at, {person} AS person_id FROM {name} x
         WHERE x.{at} < $1 AND x.{at} >= $2 AND (x.{at} > $2 OR x.id > $3){excluded}{}
         ORDER BY x.{at}, x.id LIMIT $4",
        in_force.as_deref().unwrap_or_default()
    );
    let mut q = sqlx::query(&sql).bind(before).bind(&cursor.trigger).bind(cursor.id).bind(limit);
    if in_force.is_some() {
        q = q.bind(on);
    }
    let rows = q.fetch_all(tx.conn()).await?;
    rows.iter()
        .map(|r| {
            let person: Option<Id> = r.try_get("person_id")?;
            Ok(Due { id: r.try_get("id")?, trigger: r.try_get("at")?, person_ids: person.into_iter().collect(), case_id: None })
        })
        .collect()
}

/// Deletes rows of `table` (a representative a deleted caller check relied
/// on may then go: see [`PersonTable::waits`]); `on` is the run's date.
/// Returns the ids deleted.
pub async fn delete_created(tx: &mut Tx, table: CreatedTable, ids: &[Id], on: &str) -> Result<Vec<Id>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    // Checked again here: a disclosure may have named the agreement, or it
    // been renewed, since it was found.
    let in_force = table.in_force(ids.len() + 1);
    let sql = format!(
        "DELETE FROM {} AS x WHERE x.id IN ({}){}{} RETURNING id",
        table.table(),
        placeholders(1, ids.len()),
        table.excluded(),
        in_force.as_deref().unwrap_or_default()
    );
    let mut q = bind_ids(sqlx::query(&sql), ids).await;
    if in_force.is_some() {
        q = q.bind(on);
    }
    let rows = q.fetch_all(tx.conn()).await?;
    sorted_ids(&rows)
}

/// Rows of `table` per UTC day made before `to` (a stored timestamp), for
/// the upcoming view. An agreement in force on `on` (today) is not counted:
/// it is kept while in force, and a renewal can move its expiry.
pub async fn created_by_day(tx: &mut Tx, table: CreatedTable, to: &str, on: &str) -> Result<Vec<(String, i64)>> {
    let (name, at, excluded) = (table.table(), table.created_column(), table.excluded());
    let in_force = table.in_force(2);
    let sql = format!(
        "SELECT substr(x.{at}, 1, 10) AS day, COUNT(*) AS n FROM {name} x WHERE x.{at} < $1{excluded}{}
         GROUP BY substr(x.{at}, 1, 10) ORDER BY 1",
        in_force.as_deref().unwrap_or_default()
    );
    let mut q = sqlx::query(&sql).bind(to);
    if in_force.is_some() {
        q = q.bind(on);
    }
    day_counts(&q.fetch_all(tx.conn()).await?)
}

// ---- rights requests: trigger "case closed" (the request's closing date) ----

/// Closed rights requests whose closing date is on or before `cutoff`
/// (through `rights_request_closed`), after `cursor`, oldest first, with
/// their requester. Nothing else refers to a request, so it goes alone.
pub async fn due_rights_requests(tx: &mut Tx, cutoff: &str, cursor: &Cursor, limit: i64) -> Result<Vec<Due>> {
    let rows = sqlx::query(
        "SELECT id, closed_on, person_id FROM rights_request
         WHERE closed_on IS NOT NULL AND status <> 'open'
           AND closed_on <= $1 AND closed_on >= $2 AND (closed_on > $2 OR id > $3)
         ORDER BY closed_on, id LIMIT $4",
    )
    .bind(cutoff)
    .bind(&cursor.trigger)
    .bind(cursor.id)
    .bind(limit)
    .fetch_all(tx.conn())
    .await?;
    rows.iter().map(|r| Ok(Due { id: r.try_get(0)?, trigger: r.try_get(1)?, person_ids: vec![r.try_get(2)?], case_id: None })).collect()
}

/// The bundle drafts of the given rights requests, as (draft, request).
pub async fn bundle_drafts_of(tx: &mut Tx, request_ids: &[Id]) -> Result<Vec<(Id, Id)>> {
    if request_ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!("SELECT id, request_id FROM bundle_draft WHERE request_id IN ({}) ORDER BY id", placeholders(1, request_ids.len()));
    let rows = bind_ids(sqlx::query(&sql), request_ids).await.fetch_all(tx.conn()).await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("request_id")?))).collect()
}

/// Deletes closed rights requests (one reopened since it was found stays).
/// Returns the ids deleted.
pub async fn delete_rights_requests(tx: &mut Tx, ids: &[Id]) -> Result<Vec<Id>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "DELETE FROM rights_request WHERE id IN ({}) AND closed_on IS NOT NULL AND status <> 'open' RETURNING id",
        placeholders(1, ids.len())
    );
    let rows = bind_ids(sqlx::query(&sql), ids).await.fetch_all(tx.conn()).await?;
    sorted_ids(&rows)
}

/// Closed rights requests per closing date up to `to`, for the upcoming view.
pub async fn rights_requests_by_day(tx: &mut Tx, to: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT closed_on AS day, COUNT(*) AS n FROM rights_request
         WHERE closed_on IS NOT NULL AND status <> 'open' AND closed_on <= $1 GROUP BY closed_on ORDER BY 1",
    )
    .bind(to)
    .fetch_all(tx.conn())
    .await?;
    day_counts(&rows)
}

// ---- warning flags: trigger "last contact" ----
//
// A flag's trigger is the later of the day it was recorded or last reviewed
// (`renewed_on`) and the day its person was last in contact (the latest
// `occurred_at` of a contact log entry naming them). It is due once both
// fell on or before the cutoff: the finder reads flags renewed by then
// through `warning_flag_renewed`, in (renewed_on, id) order, and drops any
// whose person has been in contact since, each check an index search of
// that person's entries. Its cost follows the flags not renewed within the
// period, not the size of either table.

/// `$day_after` is midnight UTC after the cutoff, as stored.
fn contact_since(day_after: usize) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM contact_entry_person p JOIN contact_entry e ON e.id = p.entry_id
                     WHERE p.person_id = f.person_id AND e.occurred_at >= ${day_after})"
    )
}

/// Flags due on `cutoff` (`day_after` is midnight UTC after it), after
/// `cursor` (renewal date, id), with their person.
pub async fn due_warning_flags(tx: &mut Tx, cutoff: &str, day_after: &str, cursor: &Cursor, limit: i64) -> Result<Vec<Due>> {
    let sql = format!(
        "SELECT f.id, f.renewed_on, f.person_id FROM warning_flag f
         WHERE f.renewed_on <= $1 AND f.renewed_on >= $2 AND (f.renewed_on > $2 OR f.id > $3) AND {}
         ORDER BY f.renewed_on, f.id LIMIT $4",
        contact_since(5)
    );
    let rows =
        sqlx::query(&sql).bind(cutoff).bind(&cursor.trigger).bind(cursor.id).bind(limit).bind(day_after).fetch_all(tx.conn()).await?;
    rows.iter().map(|r| Ok(Due { id: r.try_get(0)?, trigger: r.try_get(1)?, person_ids: vec![r.try_get(2)?], case_id: None })).collect()
}

/// Deletes flags with their acknowledgements. Returns the ids deleted.
pub async fn delete_warning_flags(tx: &mut Tx, ids: &[Id]) -> Result<Vec<Id>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = placeholders(1, ids.len());
    let sql = format!("DELETE FROM warning_flag_ack WHERE flag_id IN ({list})");
    bind_ids(sqlx::query(&sql), ids).await.execute(tx.conn()).await?;
    let sql = format!("DELETE FROM warning_flag WHERE id IN ({list}) RETURNING id");
    let rows = bind_ids(sqlx::query(&sql), ids).await.fetch_all(tx.conn()).await?;
    sorted_ids(&rows)
}

/// Flags renewed on or before `to`, per trigger day (the later of renewal
/// and the person's last contact) up to `to`, for the upcoming view.
pub async fn warning_flags_by_day(tx: &mut Tx, to: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT f.renewed_on AS renewed,
                (SELECT MAX(substr(e.occurred_at, 1, 10)) FROM contact_entry_person p JOIN contact_entry e ON e.id = p.entry_id
                  WHERE p.person_id = f.person_id) AS contacted
         FROM warning_flag f WHERE f.renewed_on <= $1",
    )
    .bind(to)
    .fetch_all(tx.conn())
    .await?;
    let mut days: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for r in &rows {
        let renewed: String = r.try_get("renewed")?;
        let contacted: Option<String> = r.try_get("contacted")?;
        let day = contacted.filter(|c| *c > renewed).unwrap_or(renewed);
        if day.as_str() <= to {
            *days.entry(day).or_default() += 1;
        }
    }
    Ok(days.into_iter().collect())
}

// ---- legal holds ----

pub use hearth_domain::retention::{Certificate, LegalHold, RetentionRun};

/// A hold to place; exactly one of the targets matches the scope.
#[derive(Debug, Clone)]
pub struct NewHold {
    pub scope: HoldScope,
    pub person_id: Option<Id>,
    pub case_id: Option<Id>,
    pub record_class: Option<String>,
    pub reason: String,
    pub owner_id: Id,
}

const HOLD_COLUMNS: &str = "h.id, h.scope, h.person_id, h.case_id, h.record_class, h.reason, h.owner_id, u.username AS owner, h.placed_by,
    h.placed_at, h.released_at";

fn hold_from(r: &AnyRow) -> Result<LegalHold> {
    let released: Option<String> = r.try_get("released_at")?;
    Ok(LegalHold {
        id: r.try_get("id")?,
        scope: vocab(r, "scope", HoldScope::parse)?,
        person_id: r.try_get("person_id")?,
        case_id: r.try_get("case_id")?,
        record_class: r.try_get("record_class")?,
        reason: r.try_get("reason")?,
        owner_id: r.try_get("owner_id")?,
        owner: r.try_get("owner")?,
        placed_by: r.try_get("placed_by")?,
        placed_at: get_ts(r, "placed_at")?,
        released_at: released.map(|s| s.parse().map_err(|_| crate::StoreError::Corrupt { column: "released_at", value: s })).transpose()?,
    })
}

pub async fn hold(tx: &mut Tx, id: Id) -> Result<LegalHold> {
    let sql = format!("SELECT {HOLD_COLUMNS} FROM legal_hold h JOIN staff_user u ON u.id = h.owner_id WHERE h.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.ok_or(crate::StoreError::NotFound)?;
    hold_from(&row)
}

pub async fn place_hold(tx: &mut Tx, h: &NewHold, placed_by: Id, now: Timestamp) -> Result<LegalHold> {
    let row = sqlx::query(
        "INSERT INTO legal_hold (scope, person_id, case_id, record_class, reason, owner_id, placed_by, placed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(h.scope.as_str())
    .bind(h.person_id)
    .bind(h.case_id)
    .bind(&h.record_class)
    .bind(&h.reason)
    .bind(h.owner_id)
    .bind(placed_by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await
    .map_err(|e| {
        if crate::is_reference_violation(&e) {
            crate::StoreError::field("target", "No such record to hold")
        } else {
            e.into()
        }
    })?;
    hold(tx, row.try_get("id")?).await
}

/// Ends a hold; the row stays as the record that it was held.
pub async fn release_hold(tx: &mut Tx, id: Id, by: Id, now: Timestamp) -> Result<LegalHold> {
    let n = sqlx::query("UPDATE legal_hold SET released_at = $1, released_by = $2 WHERE id = $3 AND released_at IS NULL")
        .bind(ts(now))
        .bind(by)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        hold(tx, id).await?;
        return Err(crate::StoreError::field("hold", "This hold was already released"));
    }
    hold(tx, id).await
}

pub async fn active_holds(tx: &mut Tx) -> Result<Vec<LegalHold>> {
    let sql =
        format!("SELECT {HOLD_COLUMNS} FROM legal_hold h JOIN staff_user u ON u.id = h.owner_id WHERE h.released_at IS NULL ORDER BY h.id");
    sqlx::query(&sql).fetch_all(tx.conn()).await?.iter().map(hold_from).collect()
}

// ---- runs and certificates ----

const RUN_COLUMNS: &str = "id, as_of, started_at, finished_at, operator, started_by, status, disposed, held, audit_redacted, failure";

fn run_from(r: &AnyRow) -> Result<RetentionRun> {
    Ok(RetentionRun {
        id: r.try_get("id")?,
        as_of: r.try_get("as_of")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
        operator: r.try_get("operator")?,
        started_by: r.try_get("started_by")?,
        status: r.try_get("status")?,
        disposed: r.try_get("disposed")?,
        held: r.try_get("held")?,
        audit_redacted: r.try_get("audit_redacted")?,
        failure: r.try_get("failure")?,
    })
}

pub async fn start_run(tx: &mut Tx, as_of: &str, operator_id: Id, operator: &str, started_by: &str, now: Timestamp) -> Result<Id> {
    let row = sqlx::query(
        "INSERT INTO retention_run (as_of, started_at, operator_id, operator, started_by, status) VALUES ($1, $2, $3, $4, $5, 'running') RETURNING id",
    )
    .bind(as_of)
    .bind(ts(now))
    .bind(operator_id)
    .bind(operator)
    .bind(started_by)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.try_get("id")?)
}

#[allow(clippy::too_many_arguments)]
pub async fn finish_run(
    tx: &mut Tx,
    id: Id,
    status: &str,
    disposed: i64,
    held: i64,
    audit_redacted: i64,
    failure: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE retention_run SET status = $1, disposed = $2, held = $3, audit_redacted = $4, failure = $5, finished_at = $6 WHERE id = $7",
    )
    .bind(status)
    .bind(disposed)
    .bind(held)
    .bind(audit_redacted)
    .bind(failure)
    .bind(ts(now))
    .bind(id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn runs(tx: &mut Tx, limit: i64) -> Result<Vec<RetentionRun>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM retention_run ORDER BY id DESC LIMIT $1");
    sqlx::query(&sql).bind(limit).fetch_all(tx.conn()).await?.iter().map(run_from).collect()
}

const CERT_COLUMNS: &str =
    "id, run_id, record_class, rule, action, as_of, cutoff, disposed, held, first_id, last_id, ids_sha256, audit_redacted, issued_at, operator,
     waiting, not_disposed";

fn cert_from(r: &AnyRow) -> Result<Certificate> {
    Ok(Certificate {
        id: r.try_get("id")?,
        run_id: r.try_get("run_id")?,
        record_class: r.try_get("record_class")?,
        rule: r.try_get("rule")?,
        action: r.try_get("action")?,
        as_of: r.try_get("as_of")?,
        cutoff: r.try_get("cutoff")?,
        disposed: r.try_get("disposed")?,
        held: r.try_get("held")?,
        first_id: r.try_get("first_id")?,
        last_id: r.try_get("last_id")?,
        ids_sha256: r.try_get("ids_sha256")?,
        audit_redacted: r.try_get("audit_redacted")?,
        issued_at: r.try_get("issued_at")?,
        operator: r.try_get("operator")?,
        waiting: r.try_get("waiting")?,
        not_disposed: r.try_get("not_disposed")?,
    })
}

/// Stores a certificate (its `id` is assigned here) and returns it.
pub async fn insert_certificate(tx: &mut Tx, c: &Certificate) -> Result<Certificate> {
    let row = sqlx::query(
        "INSERT INTO disposal_certificate (run_id, record_class, rule, action, as_of, cutoff, disposed, held, first_id, last_id, ids_sha256,
             audit_redacted, issued_at, operator, waiting, not_disposed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(c.run_id)
    .bind(&c.record_class)
    .bind(&c.rule)
    .bind(&c.action)
    .bind(&c.as_of)
    .bind(&c.cutoff)
    .bind(c.disposed)
    .bind(c.held)
    .bind(c.first_id)
    .bind(c.last_id)
    .bind(&c.ids_sha256)
    .bind(c.audit_redacted)
    .bind(&c.issued_at)
    .bind(&c.operator)
    .bind(c.waiting)
    .bind(&c.not_disposed)
    .fetch_one(tx.conn())
    .await?;
    Ok(Certificate { id: row.try_get("id")?, ..c.clone() })
}

/// Certificates, newest first; of one run if `run_id` is given.
pub async fn certificates(tx: &mut Tx, run_id: Option<Id>, limit: i64) -> Result<Vec<Certificate>> {
    let rows = match run_id {
        Some(r) => {
            let sql = format!("SELECT {CERT_COLUMNS} FROM disposal_certificate WHERE run_id = $1 ORDER BY id DESC LIMIT $2");
            sqlx::query(&sql).bind(r).bind(limit).fetch_all(tx.conn()).await?
        }
        None => {
            let sql = format!("SELECT {CERT_COLUMNS} FROM disposal_certificate ORDER BY id DESC LIMIT $1");
            sqlx::query(&sql).bind(limit).fetch_all(tx.conn()).await?
        }
    };
    rows.iter().map(cert_from).collect()
}

/// Adds `n` plainly synthetic contact entries on `channel`, all recorded at
/// `recorded_at`, in one statement: for the retention benchmark's large
/// tables. Never used on a live database.
pub async fn insert_synthetic_entries(tx: &mut Tx, n: i64, channel: Channel, recorded_at: Timestamp, recorded_by: Id) -> Result<u64> {
    let done = sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $1)
         INSERT INTO contact_entry (occurred_at, recorded_at, recorded_by, channel, compartment, subjects, summary)
         SELECT $2, $2, $3, $4, 'contact_log', '[]', 'Synthetic benchmark entry' FROM seq",
    )
    .bind(n)
    .bind(ts(recorded_at))
    .bind(recorded_by)
    .bind(channel.as_str())
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected())
}

/// `(day, n)` rows of an upcoming-disposals count, as read.
fn day_counts(rows: &[AnyRow]) -> Result<Vec<(String, i64)>> {
    rows.iter().map(|r| Ok((r.try_get("day")?, r.try_get("n")?))).collect()
}

/// The ids a `DELETE … RETURNING id` answered, in order, for certificates.
fn sorted_ids(rows: &[AnyRow]) -> Result<Vec<Id>> {
    let mut ids: Vec<Id> = rows.iter().map(|r| r.try_get(0)).collect::<std::result::Result<_, _>>()?;
    ids.sort_unstable();
    Ok(ids)
}
