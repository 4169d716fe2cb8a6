//! Queries for the contact log: entries, the people they were with, their
//! follow-ups, and the policy-filtered timeline. Visibility is applied in
//! the SQL, so an entry the caller may not see is never read or counted.

use crate::time::{date, get_date, get_ts, ts};
use crate::{is_reference_violation, vocab, Page, Result, StoreError, Tx};
use hearth_domain::{
    access::Compartment,
    contacts::{AppointmentOutcome, Channel, ContactEntry, ContactFields, FollowUp, VerbatimReason},
    Id,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str = "e.id, e.submission_id, e.occurred_at, e.recorded_at, e.recorded_by, e.channel, e.compartment, e.case_id, e.subjects,
    e.summary, e.verbatim, e.verbatim_reason, e.voicemail_left, e.appointment_outcome, e.place, e.system_generated, e.service_request";

fn flag(row: &AnyRow, column: &'static str) -> Result<Option<bool>> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(|v| v == 1))
}

fn opt_vocab<T>(row: &AnyRow, column: &'static str, parse: fn(&str) -> Option<T>) -> Result<Option<T>> {
    let s: Option<String> = row.try_get(column)?;
    s.map(|s| parse(&s).ok_or(StoreError::Corrupt { column, value: s })).transpose()
}

/// An entry's own columns; people and follow-ups are filled in by [`complete`].
fn entry_from(row: &AnyRow) -> Result<ContactEntry> {
    let id: Id = row.try_get("id")?;
    let subjects: String = row.try_get("subjects")?;
    Ok(ContactEntry {
        id,
        submission_id: row.try_get::<Option<Id>, _>("submission_id")?.unwrap_or(id),
        occurred_at: get_ts(row, "occurred_at")?,
        recorded_at: get_ts(row, "recorded_at")?,
        recorded_by: row.try_get("recorded_by")?,
        channel: vocab(row, "channel", Channel::parse)?,
        compartment: vocab(row, "compartment", Compartment::parse)?,
        person_ids: vec![],
        case_id: row.try_get("case_id")?,
        subjects: serde_json::from_str(&subjects).map_err(|_| StoreError::Corrupt { column: "subjects", value: subjects.clone() })?,
        summary: row.try_get("summary")?,
        verbatim: row.try_get("verbatim")?,
        verbatim_reason: opt_vocab(row, "verbatim_reason", VerbatimReason::parse)?,
        follow_ups: vec![],
        voicemail_left: flag(row, "voicemail_left")?,
        appointment_outcome: opt_vocab(row, "appointment_outcome", AppointmentOutcome::parse)?,
        place: row.try_get("place")?,
        system_generated: flag(row, "system_generated")?,
        service_request: flag(row, "service_request")?,
        linked_entry_ids: vec![],
    })
}

async fn complete(tx: &mut Tx, e: ContactEntry) -> Result<ContactEntry> {
    Ok(complete_all(tx, vec![e]).await?.remove(0))
}

/// Fills in the people and follow-ups of a page of entries with two queries
/// for the whole page, not two per entry.
async fn complete_all(tx: &mut Tx, mut entries: Vec<ContactEntry>) -> Result<Vec<ContactEntry>> {
    if entries.is_empty() {
        return Ok(entries);
    }
    let ids: Vec<Id> = entries.iter().map(|e| e.id).collect();
    let sql = entries_people_sql(ids.len());
    let mut people: std::collections::HashMap<Id, Vec<Id>> = std::collections::HashMap::new();
    for r in ids.iter().fold(sqlx::query(&sql), |q, id| q.bind(*id)).fetch_all(tx.conn()).await? {
        people.entry(r.try_get("entry_id")?).or_default().push(r.try_get("person_id")?);
    }
    let sql = entries_follow_ups_sql(ids.len());
    let mut follow_ups: std::collections::HashMap<Id, Vec<FollowUp>> = std::collections::HashMap::new();
    for r in ids.iter().fold(sqlx::query(&sql), |q, id| q.bind(*id)).fetch_all(tx.conn()).await? {
        follow_ups.entry(r.try_get("entry_id")?).or_default().push(follow_up_from(&r)?);
    }
    for e in &mut entries {
        e.person_ids = people.remove(&e.id).unwrap_or_default();
        e.follow_ups = follow_ups.remove(&e.id).unwrap_or_default();
    }
    Ok(entries)
}

/// The people of `n` entries (`$1..$n`).
pub(crate) fn entries_people_sql(n: usize) -> String {
    let list = crate::placeholders(1, n);
    format!("SELECT entry_id, person_id FROM contact_entry_person WHERE entry_id IN ({list}) ORDER BY entry_id, person_id")
}

/// The follow-ups of `n` entries (`$1..$n`).
pub(crate) fn entries_follow_ups_sql(n: usize) -> String {
    let list = crate::placeholders(1, n);
    format!("SELECT {FOLLOW_UP_COLUMNS} FROM contact_follow_up WHERE entry_id IN ({list}) ORDER BY id")
}

const FOLLOW_UP_COLUMNS: &str = "id, entry_id, action, owner_id, due_on, done_at, done_by";

fn follow_up_from(r: &AnyRow) -> Result<FollowUp> {
    let done_at: Option<String> = r.try_get("done_at")?;
    Ok(FollowUp {
        id: r.try_get("id")?,
        action: r.try_get("action")?,
        owner: r.try_get("owner_id")?,
        due_on: get_date(r, "due_on")?,
        done_at: done_at.map(|t| t.parse().map_err(|_| StoreError::Corrupt { column: "done_at", value: t })).transpose()?,
        done_by: r.try_get("done_by")?,
    })
}

/// A follow-up and the entry it belongs to.
pub async fn follow_up(tx: &mut Tx, id: Id) -> Result<Option<(Id, FollowUp)>> {
    let row =
        sqlx::query(&format!("SELECT {FOLLOW_UP_COLUMNS} FROM contact_follow_up WHERE id = $1")).bind(id).fetch_optional(tx.conn()).await?;
    row.map(|r| Ok((r.try_get("entry_id")?, follow_up_from(&r)?))).transpose()
}

/// An open follow-up of its owner's, as the work list reads it. `visible`
/// is false when the owner may not list the entry: the query then returns
/// neither the action nor the person, so they are never read.
#[derive(Debug, Clone)]
pub struct OwnedFollowUp {
    pub id: Id,
    pub entry_id: Id,
    pub compartment: Compartment,
    pub visible: bool,
    pub action: Option<String>,
    pub person_id: Option<Id>,
    pub person_name: Option<String>,
    pub due_on: jiff::civil::Date,
}

/// How many open follow-ups the work list reads at most.
pub const OWNED_FOLLOW_UPS_LIMIT: i64 = 200;

/// `$1` the owner (also the caller the visibility is worked out for), `$2` the limit.
pub(crate) fn owned_follow_ups_sql(vis: &ContactVisibility) -> String {
    format!(
        "SELECT x.id, x.entry_id, x.compartment, x.visible, x.due_on,
                CASE WHEN x.visible = 1 THEN x.action END AS action,
                CASE WHEN x.visible = 1 THEN p.id END AS person_id,
                CASE WHEN x.visible = 1 THEN p.given_name END AS given_name,
                CASE WHEN x.visible = 1 THEN p.family_name END AS family_name
           FROM (SELECT f.id, f.entry_id, f.action, f.due_on, e.compartment,
                        CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) AS visible,
                        (SELECT MIN(ep.person_id) FROM contact_entry_person ep WHERE ep.entry_id = e.id) AS first_person
                   FROM contact_follow_up f JOIN contact_entry e ON e.id = f.entry_id
                  WHERE f.owner_id = $1 AND f.done_at IS NULL) x
           LEFT JOIN person p ON p.id = x.first_person
          ORDER BY x.due_on, x.id LIMIT $2",
        vis.clause("e", "$1")
    )
}

/// The owner's open follow-ups, soonest due first.
pub async fn owned_follow_ups(tx: &mut Tx, owner: Id, vis: &ContactVisibility) -> Result<Vec<OwnedFollowUp>> {
    let rows = sqlx::query(&owned_follow_ups_sql(vis)).bind(owner).bind(OWNED_FOLLOW_UPS_LIMIT).fetch_all(tx.conn()).await?;
    rows.iter()
        .map(|r| {
            let given: Option<String> = r.try_get("given_name")?;
            let family: Option<String> = r.try_get("family_name")?;
            Ok(OwnedFollowUp {
                id: r.try_get("id")?,
                entry_id: r.try_get("entry_id")?,
                compartment: vocab(r, "compartment", Compartment::parse)?,
                visible: r.try_get::<i64, _>("visible")? == 1,
                action: r.try_get("action")?,
                person_id: r.try_get("person_id")?,
                person_name: given.zip(family).map(|(g, f)| format!("{g} {f}")),
                due_on: get_date(r, "due_on")?,
            })
        })
        .collect()
}

/// Marks an open follow-up done. A follow-up already done is a conflict,
/// so two people closing it at once cannot both be recorded as the closer.
pub async fn mark_follow_up_done(tx: &mut Tx, id: Id, by: Id, now: Timestamp) -> Result<()> {
    let r = sqlx::query("UPDATE contact_follow_up SET done_at = $2, done_by = $3 WHERE id = $1 AND done_at IS NULL")
        .bind(id)
        .bind(ts(now))
        .bind(by)
        .execute(tx.conn())
        .await?;
    if r.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::field("follow_up", "This follow-up has already been marked done"))
    }
}

/// Stores one entry with its people and follow-ups. `submission_id` is the
/// first entry of the submission, or `None` for that first entry itself.
pub async fn insert_entry(tx: &mut Tx, f: &ContactFields, submission_id: Option<Id>, recorded_by: Id, now: Timestamp) -> Result<Id> {
    let subjects = serde_json::to_string(&f.subjects).expect("a list of strings serialises");
    let row = sqlx::query(
        "INSERT INTO contact_entry (submission_id, occurred_at, recorded_at, recorded_by, channel, compartment, case_id, subjects, summary,
             verbatim, verbatim_reason, voicemail_left, appointment_outcome, place, system_generated, service_request)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(submission_id)
    .bind(ts(f.occurred_at))
    .bind(ts(now))
    .bind(recorded_by)
    .bind(f.channel.as_str())
    .bind(f.compartment.as_str())
    .bind(f.case_id)
    .bind(subjects)
    .bind(&f.summary)
    .bind(f.verbatim.as_ref().map(|v| v.0.as_str()))
    .bind(f.verbatim.as_ref().map(|v| v.1.as_str()))
    .bind(f.voicemail_left.map(i64::from))
    .bind(f.appointment_outcome.map(|o| o.as_str()))
    .bind(&f.place)
    .bind(f.system_generated.map(i64::from))
    .bind(f.service_request.map(i64::from))
    .fetch_one(tx.conn())
    .await
    .map_err(|e| if is_reference_violation(&e) { StoreError::field("case_id", "No such case") } else { e.into() })?;
    let id: Id = row.try_get("id")?;
    sqlx::query("UPDATE contact_entry SET submission_id = $2 WHERE id = $1")
        .bind(id)
        .bind(submission_id.unwrap_or(id))
        .execute(tx.conn())
        .await?;
    for p in &f.person_ids {
        sqlx::query("INSERT INTO contact_entry_person (entry_id, person_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*p)
            .execute(tx.conn())
            .await
            .map_err(|e| if is_reference_violation(&e) { StoreError::field("person_ids", "No such person") } else { e.into() })?;
    }
    for fu in &f.follow_ups {
        sqlx::query("INSERT INTO contact_follow_up (entry_id, action, owner_id, due_on) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&fu.action)
            .bind(fu.owner)
            .bind(date(fu.due_on))
            .execute(tx.conn())
            .await
            .map_err(|e| if is_reference_violation(&e) { StoreError::field("follow_ups", "No such staff account") } else { e.into() })?;
    }
    Ok(id)
}

/// One entry with its people and follow-ups (no links: the gate filters those).
pub async fn entry(tx: &mut Tx, id: Id) -> Result<ContactEntry> {
    let sql = format!("SELECT {COLUMNS} FROM contact_entry e WHERE e.id = $1");
    let e =
        sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(entry_from).transpose()?.ok_or(StoreError::NotFound)?;
    complete(tx, e).await
}

/// Just what the gate needs to decide about an entry: its compartment, case and people.
pub async fn entry_access(tx: &mut Tx, id: Id) -> Result<Option<(Compartment, Option<Id>, Vec<Id>)>> {
    let Some(row) = sqlx::query("SELECT compartment, case_id FROM contact_entry WHERE id = $1").bind(id).fetch_optional(tx.conn()).await?
    else {
        return Ok(None);
    };
    let compartment = vocab(&row, "compartment", Compartment::parse)?;
    let case_id: Option<Id> = row.try_get("case_id")?;
    let rows = sqlx::query("SELECT person_id FROM contact_entry_person WHERE entry_id = $1 ORDER BY person_id")
        .bind(id)
        .fetch_all(tx.conn())
        .await?;
    let people = rows.iter().map(|r| r.try_get("person_id")).collect::<Result<_, _>>()?;
    Ok(Some((compartment, case_id, people)))
}

/// Which entries a caller may list, worked out by the gate from the policies.
#[derive(Debug, Clone, Default)]
pub struct ContactVisibility {
    /// Compartments whose entries the caller may list outright.
    pub all: Vec<Compartment>,
    /// Compartments whose entries the caller may list when the entry's case
    /// is assigned to them (or to someone they manage).
    pub assigned: Vec<Compartment>,
}

impl ContactVisibility {
    pub fn is_empty(&self) -> bool {
        self.all.is_empty() && self.assigned.is_empty()
    }

    /// The SQL condition on entries aliased `t`, with `me` the caller's parameter.
    /// Compartment names come from the closed vocabulary, so they are inlined.
    pub(crate) fn clause(&self, t: &str, me: &str) -> String {
        let list = |cs: &[Compartment]| cs.iter().map(|c| format!("'{}'", c.as_str())).collect::<Vec<_>>().join(", ");
        let mut parts = vec![];
        if !self.all.is_empty() {
            parts.push(format!("{t}.compartment IN ({})", list(&self.all)));
        }
        if !self.assigned.is_empty() {
            // Correlated on the entry's own case, so it is a primary-key lookup
            // per entry rather than a pass over every case (docs/performance.md).
            parts.push(format!(
                "({t}.compartment IN ({}) AND EXISTS (SELECT 1 FROM case_record c WHERE c.id = {t}.case_id
                   AND (c.assigned_to = {me} OR c.assigned_to IN (SELECT s.id FROM staff_user s WHERE s.manager_id = {me}))))",
                list(&self.assigned)
            ));
        }
        if parts.is_empty() {
            "1 = 0".into()
        } else {
            format!("({})", parts.join(" OR "))
        }
    }
}

/// Whether the caller may see the entry.
pub async fn visible(tx: &mut Tx, id: Id, me: Id, vis: &ContactVisibility) -> Result<bool> {
    let sql = format!("SELECT 1 FROM contact_entry e WHERE e.id = $1 AND {}", vis.clause("e", "$2"));
    Ok(sqlx::query(&sql).bind(id).bind(me).fetch_optional(tx.conn()).await?.is_some())
}

/// Ids of the other entries from the same submission that the caller may see.
pub async fn linked_ids(tx: &mut Tx, id: Id, submission_id: Id, me: Id, vis: &ContactVisibility) -> Result<Vec<Id>> {
    let sql =
        format!("SELECT e.id FROM contact_entry e WHERE e.submission_id = $1 AND e.id <> $2 AND {} ORDER BY e.id", vis.clause("e", "$3"));
    let rows = sqlx::query(&sql).bind(submission_id).bind(id).bind(me).fetch_all(tx.conn()).await?;
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}

/// The entries of these submissions that the caller may see, by submission,
/// in id order: what `visible` and `linked_ids` answer for a whole page.
pub async fn visible_in_submissions(
    tx: &mut Tx,
    submissions: &[Id],
    me: Id,
    vis: &ContactVisibility,
) -> Result<std::collections::HashMap<Id, Vec<Id>>> {
    let mut out: std::collections::HashMap<Id, Vec<Id>> = std::collections::HashMap::new();
    for chunk in submissions.chunks(500) {
        let sql = format!(
            "SELECT e.id, e.submission_id FROM contact_entry e WHERE e.submission_id IN ({}) AND {} ORDER BY e.id",
            crate::placeholders(2, chunk.len()),
            vis.clause("e", "$1")
        );
        let mut q = sqlx::query(&sql).bind(me);
        for s in chunk {
            q = q.bind(*s);
        }
        for r in q.fetch_all(tx.conn()).await? {
            out.entry(r.try_get("submission_id")?).or_default().push(r.try_get("id")?);
        }
    }
    Ok(out)
}

pub use hearth_domain::contacts::TimelineFilter;

/// A person's entries the caller may see, newest first. The cursor is the
/// last entry's id; it is resolved under the same visibility, so a hidden
/// entry's id gives an empty page rather than its position.
pub async fn timeline(
    tx: &mut Tx,
    me: Id,
    vis: &ContactVisibility,
    person_id: Id,
    f: &TimelineFilter,
    after: Option<Id>,
    limit: i64,
) -> Result<Page<ContactEntry>> {
    if vis.is_empty() {
        return Ok(Page { items: vec![], next_cursor: None });
    }
    let sql = timeline_sql(vis);
    let rows = sqlx::query(&sql)
        .bind(person_id)
        .bind(limit + 1)
        .bind(me)
        .bind(after.unwrap_or(0))
        .bind(f.channel.map(|c| c.as_str()).unwrap_or(""))
        .bind(f.compartment.map(|c| c.as_str()).unwrap_or(""))
        .fetch_all(tx.conn())
        .await?;
    let items = complete_all(tx, rows.iter().map(entry_from).collect::<Result<_>>()?).await?;
    Ok(Page::from_rows(items, limit, |e| e.id))
}

/// The timeline's SQL.
pub(crate) fn timeline_sql(vis: &ContactVisibility) -> String {
    // $1 person, $2 limit, $3 caller, $4 cursor, $5 channel, $6 compartment.
    // Every parameter is referenced whatever the filter, so one text serves both engines.
    // The sort is on an expression so no index can supply the order: at 25M entries
    // PostgreSQL's generic plan otherwise walked the whole log by date looking for
    // this person's entries (36 s), instead of reading their hundred by index.
    format!(
        "SELECT {COLUMNS} FROM contact_entry e
         WHERE e.id IN (SELECT p.entry_id FROM contact_entry_person p WHERE p.person_id = $1) AND {}
           AND ($4 = 0 OR EXISTS (SELECT 1 FROM contact_entry k WHERE k.id = $4 AND {}
                AND (e.occurred_at < k.occurred_at OR (e.occurred_at = k.occurred_at AND e.id < k.id))))
           AND ($5 = '' OR e.channel = $5) AND ($6 = '' OR e.compartment = $6)
         ORDER BY e.occurred_at || '' DESC, e.id DESC LIMIT $2",
        vis.clause("e", "$3"),
        vis.clause("k", "$3"),
    )
}
