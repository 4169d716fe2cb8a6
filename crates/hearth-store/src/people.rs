//! Queries for persons, their identity evidence and contact points, and the
//! customer search.

use crate::time::{date, get_date, get_opt_date, get_ts, opt_date, ts};
use crate::{check_versioned_update, is_reference_violation, vocab, Page, Result, StoreError, Tx};
use hearth_domain::validate::postcode_key;
use hearth_domain::{
    people::{
        ContactPoint, ContactPointFields, ContactPointKind, EvidenceType, IdentityEvidence, IdentityEvidenceFields, Person, PersonFields,
        PersonKind,
    },
    Id,
};

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

const PERSON_COLUMNS: &str = "id, kind, given_name, family_name, preferred_name, date_of_birth, ni_number, created_at, updated_at, version";

fn person_from(row: &AnyRow) -> Result<Person> {
    Ok(Person {
        id: row.try_get("id")?,
        kind: vocab(row, "kind", PersonKind::parse)?,
        given_name: row.try_get("given_name")?,
        family_name: row.try_get("family_name")?,
        preferred_name: row.try_get("preferred_name")?,
        date_of_birth: get_opt_date(row, "date_of_birth")?,
        ni_number: row.try_get("ni_number")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_ts(row, "updated_at")?,
        version: row.try_get("version")?,
    })
}

/// A name or address line as the search compares it (lower case, accents off).
pub(crate) fn key(s: &str) -> String {
    hearth_domain::search::name_key(s)
}

/// A name's sound key, for close spellings.
pub(crate) fn sound(s: &str) -> String {
    hearth_domain::search::sound_key(s)
}

/// The search key of a phone number or email address (`None` for an address).
pub(crate) fn value_key(kind: ContactPointKind, value: Option<&str>) -> Option<String> {
    let v = value?;
    match kind {
        ContactPointKind::Phone => hearth_domain::search::phone_key(v),
        ContactPointKind::Email => Some(hearth_domain::search::email_key(v)),
        ContactPointKind::Address => None,
    }
}

pub async fn insert_person(tx: &mut Tx, p: &PersonFields, now: Timestamp) -> Result<Person> {
    let sql = format!(
        "INSERT INTO person (kind, given_name, family_name, preferred_name, date_of_birth, ni_number, given_key, family_key, preferred_key,
             given_sound, family_sound, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $12, $10, $10) RETURNING {PERSON_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(p.kind.as_str())
        .bind(&p.given_name)
        .bind(&p.family_name)
        .bind(&p.preferred_name)
        .bind(opt_date(p.date_of_birth))
        .bind(&p.ni_number)
        .bind(key(&p.given_name))
        .bind(key(&p.family_name))
        .bind(p.preferred_name.as_deref().map(key))
        .bind(ts(now))
        .bind(sound(&p.given_name))
        .bind(sound(&p.family_name))
        .fetch_one(tx.conn())
        .await?;
    person_from(&row)
}

/// A person reduced to a skeleton by retention is not found: nothing about
/// them remains to show, and nothing new may be recorded against them.
pub(crate) fn person_sql() -> String {
    format!("SELECT {PERSON_COLUMNS} FROM person WHERE id = $1 AND disposed_at IS NULL")
}

pub async fn person(tx: &mut Tx, id: Id) -> Result<Person> {
    let sql = person_sql();
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(person_from).transpose()?.ok_or(StoreError::NotFound)
}

/// People (not reduced to a skeleton) whose surname is one of `surnames`
/// (compared in lower case), at most 500: the people free text may name.
pub async fn with_surnames(tx: &mut Tx, surnames: &[String]) -> Result<Vec<Id>> {
    let mut out = vec![];
    for chunk in surnames.chunks(100) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id FROM person WHERE disposed_at IS NULL AND LOWER(family_name) IN ({}) ORDER BY id LIMIT 500",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for n in chunk {
            q = q.bind(n.to_lowercase());
        }
        for row in q.fetch_all(tx.conn()).await? {
            out.push(row.try_get("id")?);
        }
        if out.len() >= 500 {
            break;
        }
    }
    Ok(out)
}

/// When a person was reduced to a skeleton by retention, if they were.
pub async fn disposed_at(tx: &mut Tx, id: Id) -> Result<Option<Timestamp>> {
    let row = sqlx::query("SELECT disposed_at FROM person WHERE id = $1").bind(id).fetch_optional(tx.conn()).await?;
    let Some(at) = row.map(|r| r.try_get::<Option<String>, _>("disposed_at")).transpose()?.flatten() else { return Ok(None) };
    at.parse().map(Some).map_err(|_| StoreError::Corrupt { column: "disposed_at", value: at })
}

pub async fn update_person(tx: &mut Tx, id: Id, version: i64, p: &PersonFields, now: Timestamp) -> Result<Person> {
    let r = sqlx::query(
        "UPDATE person SET kind = $3, given_name = $4, family_name = $5, preferred_name = $6, date_of_birth = $7, ni_number = $8,
             given_key = $9, family_key = $10, preferred_key = $11, updated_at = $12, given_sound = $13, family_sound = $14, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(p.kind.as_str())
    .bind(&p.given_name)
    .bind(&p.family_name)
    .bind(&p.preferred_name)
    .bind(opt_date(p.date_of_birth))
    .bind(&p.ni_number)
    .bind(key(&p.given_name))
    .bind(key(&p.family_name))
    .bind(p.preferred_name.as_deref().map(key))
    .bind(ts(now))
    .bind(sound(&p.given_name))
    .bind(sound(&p.family_name))
    .execute(tx.conn())
    .await;
    let r = match r {
        Err(e) if is_reference_violation(&e) => {
            return Err(StoreError::field(
                "kind",
                "This person has contact details or identity evidence, which a child's record cannot hold",
            ))
        }
        r => r?,
    };
    check_versioned_update(tx, r.rows_affected(), "person", id).await?;
    person(tx, id).await
}

pub use hearth_domain::people::PersonFilter;

/// Escapes LIKE wildcards so a search for `50%` finds a literal percent sign.
fn like_prefix(s: &str) -> String {
    let mut out = String::new();
    for c in key(s).chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// People matching `filter`, in id order after `after`, at most `limit`.
pub async fn list_people(tx: &mut Tx, filter: &PersonFilter, after: Option<Id>, limit: i64) -> Result<Page<Person>> {
    let (sql, binds) = list_people_sql(filter);
    let mut q = sqlx::query(&sql).bind(after.unwrap_or(0)).bind(limit + 1);
    for b in &binds {
        q = q.bind(b.as_str());
    }
    let rows = q.fetch_all(tx.conn()).await?;
    let items = rows.iter().map(person_from).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |p| p.id))
}

/// The search's SQL: `$1` the cursor, `$2` the limit, then the text binds returned.
pub(crate) fn list_people_sql(filter: &PersonFilter) -> (String, Vec<String>) {
    // Skeletons are never found: they hold no name, and nothing to show.
    let mut clauses = vec!["p.id > $1".to_string(), "p.disposed_at IS NULL".to_string()];
    let mut binds: Vec<String> = vec![];
    filter_clauses(filter, false, &mut clauses, &mut binds);
    let sql = format!("SELECT {} FROM person p WHERE {} ORDER BY p.id LIMIT $2", person_columns("p"), clauses.join(" AND "));
    (sql, binds)
}

fn person_columns(alias: &str) -> String {
    PERSON_COLUMNS.split(", ").map(|c| format!("{alias}.{c}")).collect::<Vec<_>>().join(", ")
}

/// The filter's conditions on `person p`; text binds are numbered from `$3`
/// (`$1` and `$2` are the caller's). With `close`, a name word also finds
/// names that sound like it (their sound keys are equal). Each condition
/// on another table names the people it finds through that table's index
/// (`p.id IN (…)`), so a search is driven by an index whatever it filters on.
fn filter_clauses(filter: &PersonFilter, close: bool, clauses: &mut Vec<String>, binds: &mut Vec<String>) {
    let next = |v: String, binds: &mut Vec<String>| {
        binds.push(v);
        format!("${}", binds.len() + 2)
    };
    if let Some(k) = filter.kind {
        let b = next(k.as_str().into(), binds);
        clauses.push(format!("p.kind = {b}"));
    }
    if filter.has_phone {
        clauses.push("EXISTS (SELECT 1 FROM contact_point c WHERE c.person_id = p.id AND c.kind = 'phone')".into());
    }
    for t in filter.name_tokens.iter().take(4) {
        let b = next(like_prefix(t), binds);
        let prefix =
            format!("p.given_key LIKE {b} ESCAPE '\\' OR p.family_key LIKE {b} ESCAPE '\\' OR p.preferred_key LIKE {b} ESCAPE '\\'");
        let s = sound(t);
        if close && !s.is_empty() {
            let sb = next(s, binds);
            clauses.push(format!("({prefix} OR p.given_sound = {sb} OR p.family_sound = {sb})"));
        } else {
            clauses.push(format!("({prefix})"));
        }
    }
    if let Some(d) = filter.date_of_birth {
        let b = next(date(d), binds);
        clauses.push(format!("p.date_of_birth = {b}"));
    }
    if let Some(pc) = &filter.postcode {
        let b = next(postcode_key(pc), binds);
        clauses.push(format!(
            "p.id IN (SELECT c.person_id FROM contact_point c WHERE c.postcode_key = {b}
                      UNION SELECT m.person_id FROM property pr JOIN household h ON h.property_id = pr.id JOIN membership m ON m.household_id = h.id
                            WHERE pr.postcode_key = {b})"
        ));
    }
    if let Some(a) = &filter.address {
        let b = next(like_prefix(a), binds);
        clauses.push(format!(
            "p.id IN (SELECT c.person_id FROM contact_point c WHERE c.line1_key LIKE {b} ESCAPE '\\'
                      UNION SELECT m.person_id FROM property pr JOIN household h ON h.property_id = pr.id JOIN membership m ON m.household_id = h.id
                            WHERE pr.line1_key LIKE {b} ESCAPE '\\')"
        ));
    }
    if let Some(r) = &filter.tenancy_reference {
        let b = next(r.trim().to_ascii_uppercase(), binds);
        clauses.push(format!(
            "p.id IN (SELECT m.person_id FROM tenancy t JOIN membership m ON m.household_id = t.household_id WHERE t.reference = {b})"
        ));
    }
    for v in
        [filter.phone.as_deref().and_then(hearth_domain::search::phone_key), filter.email.as_deref().map(hearth_domain::search::email_key)]
            .into_iter()
            .flatten()
    {
        let b = next(v, binds);
        clauses.push(format!("p.id IN (SELECT c.person_id FROM contact_point c WHERE c.value_key = {b})"));
    }
}

/// The ranked search's SQL: `$1` how many to skip, `$2` the limit, then
/// the text binds returned. Best first: people whose names are every word
/// searched for in full, then those whose names start with them, then
/// close spellings; then by family name, given name and id.
pub(crate) fn search_people_sql(filter: &PersonFilter) -> (String, Vec<String>) {
    let mut clauses = vec!["p.disposed_at IS NULL".to_string()];
    let mut binds: Vec<String> = vec![];
    filter_clauses(filter, true, &mut clauses, &mut binds);
    // A word that is a name in full scores 0, one that starts a name 1,
    // a close spelling 10: all full names first, then fewer prefixes.
    let mut rank = vec!["0".to_string()];
    for t in filter.name_tokens.iter().take(4) {
        binds.push(key(t));
        let e = format!("${}", binds.len() + 2);
        binds.push(like_prefix(t));
        let b = format!("${}", binds.len() + 2);
        rank.push(format!(
            "CASE WHEN p.given_key = {e} OR p.family_key = {e} OR p.preferred_key = {e} THEN 0
                  WHEN p.given_key LIKE {b} ESCAPE '\\' OR p.family_key LIKE {b} ESCAPE '\\' OR p.preferred_key LIKE {b} ESCAPE '\\' THEN 1
                  ELSE 10 END"
        ));
    }
    let sql = format!(
        "SELECT {}, CAST({} AS BIGINT) AS search_rank FROM person p WHERE {} ORDER BY search_rank, p.family_key, p.given_key, p.id LIMIT $2 OFFSET $1",
        person_columns("p"),
        rank.join(" + "),
        clauses.join(" AND ")
    );
    (sql, binds)
}

/// One person found by the ranked search, with how well their names
/// matched (0 every word in full, then higher for prefixes and close spellings).
#[derive(Debug, Clone)]
pub struct Found {
    pub person: Person,
    pub rank: i64,
}

/// The people matching `filter`, best first, skipping `start`, at most
/// `limit`; and whether more follow.
pub async fn search_people(tx: &mut Tx, filter: &PersonFilter, start: i64, limit: i64) -> Result<(Vec<Found>, bool)> {
    let (sql, binds) = search_people_sql(filter);
    let mut q = sqlx::query(&sql).bind(start).bind(limit + 1);
    for b in &binds {
        q = q.bind(b.as_str());
    }
    let rows = q.fetch_all(tx.conn()).await?;
    let mut found = rows
        .iter()
        .map(|r| Ok(Found { person: person_from(r)?, rank: r.try_get::<i64, _>("search_rank")? }))
        .collect::<Result<Vec<_>>>()?;
    let more = found.len() as i64 > limit;
    found.truncate(limit as usize);
    Ok((found, more))
}

/// Where a person found by the search lives, to tell them apart from
/// people of the same name: their household's home, their part in it and
/// its tenancy's reference.
#[derive(Debug, Clone, PartialEq)]
pub struct HomeBrief {
    pub person_id: Id,
    pub role: hearth_domain::property::HouseholdRole,
    pub line1: String,
    pub town: String,
    pub postcode: String,
    pub tenancy_reference: Option<String>,
    /// Still a member, in a tenancy that has not ended.
    pub current: bool,
}

/// The homes of `ids`, one per person: the current one, or else the latest.
pub async fn homes_in_brief(tx: &mut Tx, ids: &[Id]) -> Result<Vec<HomeBrief>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT m.person_id, m.role, m.end_date AS left_on, pr.line1, pr.town, pr.postcode, t.reference, t.start_date, t.end_date
           FROM membership m JOIN household h ON h.id = m.household_id JOIN property pr ON pr.id = h.property_id
           LEFT JOIN tenancy t ON t.household_id = h.id
          WHERE m.person_id IN ({}) ORDER BY m.person_id, m.id",
        marks.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let mut best: std::collections::BTreeMap<Id, (bool, String, HomeBrief)> = Default::default();
    for r in q.fetch_all(tx.conn()).await? {
        let person_id: Id = r.try_get("person_id")?;
        let left: Option<String> = r.try_get("left_on")?;
        let reference: Option<String> = r.try_get("reference")?;
        let ended: Option<String> = r.try_get("end_date")?;
        let started: Option<String> = r.try_get("start_date")?;
        let current = left.is_none() && reference.is_some() && ended.is_none();
        let brief = HomeBrief {
            person_id,
            role: vocab(&r, "role", hearth_domain::property::HouseholdRole::parse)?,
            line1: r.try_get("line1")?,
            town: r.try_get("town")?,
            postcode: r.try_get("postcode")?,
            tenancy_reference: reference,
            current,
        };
        let order = ended.or(started).unwrap_or_default();
        let better = match best.get(&person_id) {
            None => true,
            Some((c, o, _)) => (current, &order) > (*c, o),
        };
        if better {
            best.insert(person_id, (current, order, brief));
        }
    }
    Ok(best.into_values().map(|(_, _, b)| b).collect())
}

/// The postal addresses of `ids` still valid on `today`, preferred first:
/// for people with no household with us.
pub async fn addresses_of(tx: &mut Tx, ids: &[Id], today: jiff::civil::Date) -> Result<Vec<ContactPoint>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (2..=ids.len() + 1).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {CONTACT_COLUMNS} FROM contact_point WHERE person_id IN ({}) AND kind = 'address' AND (valid_until IS NULL OR valid_until >= $1)
          ORDER BY person_id, preferred DESC, id",
        marks.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(date(today));
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(tx.conn()).await?.iter().map(contact_from).collect()
}

/// Fills in the search keys of rows written before the store kept them
/// (and re-folds their name keys): run by [`crate::Store::migrate`]. A
/// person reduced to a skeleton is left with none.
pub async fn fill_search_keys(tx: &mut Tx) -> Result<()> {
    let mut after: Id = 0;
    loop {
        let rows = sqlx::query(
            "SELECT id, given_name, family_name, preferred_name FROM person
              WHERE given_sound IS NULL AND disposed_at IS NULL AND id > $1 ORDER BY id LIMIT 500",
        )
        .bind(after)
        .fetch_all(tx.conn())
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("id")?;
        for r in &rows {
            let (given, family): (String, String) = (r.try_get("given_name")?, r.try_get("family_name")?);
            let preferred: Option<String> = r.try_get("preferred_name")?;
            sqlx::query(
                "UPDATE person SET given_key = $2, family_key = $3, preferred_key = $4, given_sound = $5, family_sound = $6 WHERE id = $1",
            )
            .bind(r.try_get::<Id, _>("id")?)
            .bind(key(&given))
            .bind(key(&family))
            .bind(preferred.as_deref().map(key))
            .bind(sound(&given))
            .bind(sound(&family))
            .execute(tx.conn())
            .await?;
        }
    }
    let mut after: Id = 0;
    loop {
        let rows = sqlx::query(
            "SELECT id, kind, value FROM contact_point WHERE value_key IS NULL AND kind IN ('phone', 'email') AND id > $1 ORDER BY id LIMIT 500",
        )
        .bind(after)
        .fetch_all(tx.conn())
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("id")?;
        for r in &rows {
            let kind = vocab(r, "kind", ContactPointKind::parse)?;
            let value: Option<String> = r.try_get("value")?;
            sqlx::query("UPDATE contact_point SET value_key = $2 WHERE id = $1")
                .bind(r.try_get::<Id, _>("id")?)
                .bind(value_key(kind, value.as_deref()))
                .execute(tx.conn())
                .await?;
        }
    }
    Ok(())
}

// ---- identity evidence ----

const EVIDENCE_COLUMNS: &str = "id, person_id, evidence_type, reference, seen_on, recorded_by, version";

fn evidence_from(row: &AnyRow) -> Result<IdentityEvidence> {
    Ok(IdentityEvidence {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        evidence_type: vocab(row, "evidence_type", EvidenceType::parse)?,
        reference: row.try_get("reference")?,
        seen_on: get_date(row, "seen_on")?,
        recorded_by: row.try_get("recorded_by")?,
        version: row.try_get("version")?,
    })
}

/// The schema refuses evidence for a child (person_kind is pinned to adult).
fn child_guard(e: sqlx::Error, field: &str) -> StoreError {
    if is_reference_violation(&e) {
        StoreError::field(field, "A child's record holds only names and date of birth")
    } else {
        e.into()
    }
}

pub async fn insert_evidence(
    tx: &mut Tx,
    person_id: Id,
    e: &IdentityEvidenceFields,
    recorded_by: Id,
    now: Timestamp,
) -> Result<IdentityEvidence> {
    let sql = format!(
        "INSERT INTO identity_evidence (person_id, evidence_type, reference, seen_on, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {EVIDENCE_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(person_id)
        .bind(e.evidence_type.as_str())
        .bind(&e.reference)
        .bind(date(e.seen_on))
        .bind(recorded_by)
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await
        .map_err(|e| child_guard(e, "person_id"))?;
    evidence_from(&row)
}

pub async fn evidence(tx: &mut Tx, id: Id) -> Result<IdentityEvidence> {
    let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM identity_evidence WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(evidence_from).transpose()?.ok_or(StoreError::NotFound)
}

pub async fn evidence_for(tx: &mut Tx, person_id: Id) -> Result<Vec<IdentityEvidence>> {
    let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM identity_evidence WHERE person_id = $1 ORDER BY id");
    sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?.iter().map(evidence_from).collect()
}

pub async fn update_evidence(tx: &mut Tx, id: Id, version: i64, e: &IdentityEvidenceFields) -> Result<IdentityEvidence> {
    let r = sqlx::query("UPDATE identity_evidence SET evidence_type = $3, reference = $4, seen_on = $5, version = version + 1 WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .bind(e.evidence_type.as_str())
        .bind(&e.reference)
        .bind(date(e.seen_on))
        .execute(tx.conn())
        .await?;
    check_versioned_update(tx, r.rows_affected(), "identity_evidence", id).await?;
    evidence(tx, id).await
}

pub async fn delete_evidence(tx: &mut Tx, id: Id) -> Result<()> {
    let r = sqlx::query("DELETE FROM identity_evidence WHERE id = $1").bind(id).execute(tx.conn()).await?;
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

// ---- contact points ----

const CONTACT_COLUMNS: &str = "id, person_id, kind, value, line1, line2, town, postcode, preferred, valid_from, valid_until, version";

fn contact_from(row: &AnyRow) -> Result<ContactPoint> {
    Ok(ContactPoint {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        kind: vocab(row, "kind", ContactPointKind::parse)?,
        value: row.try_get("value")?,
        line1: row.try_get("line1")?,
        line2: row.try_get("line2")?,
        town: row.try_get("town")?,
        postcode: row.try_get("postcode")?,
        preferred: row.try_get::<i64, _>("preferred")? == 1,
        valid_from: get_opt_date(row, "valid_from")?,
        valid_until: get_opt_date(row, "valid_until")?,
        version: row.try_get("version")?,
    })
}

/// Only one contact point of a kind is preferred: marking one clears the rest.
async fn clear_preferred(tx: &mut Tx, person_id: Id, kind: ContactPointKind, except: Id) -> Result<()> {
    sqlx::query(
        "UPDATE contact_point SET preferred = 0, version = version + 1 WHERE person_id = $1 AND kind = $2 AND preferred = 1 AND id <> $3",
    )
    .bind(person_id)
    .bind(kind.as_str())
    .bind(except)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub async fn insert_contact(tx: &mut Tx, person_id: Id, c: &ContactPointFields, now: Timestamp) -> Result<ContactPoint> {
    if c.preferred {
        clear_preferred(tx, person_id, c.kind, 0).await?;
    }
    let sql = format!(
        "INSERT INTO contact_point (person_id, kind, value, line1, line2, town, postcode, postcode_key, line1_key, preferred, valid_from, valid_until, created_at, updated_at, value_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) RETURNING {CONTACT_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(person_id)
        .bind(c.kind.as_str())
        .bind(&c.value)
        .bind(&c.line1)
        .bind(&c.line2)
        .bind(&c.town)
        .bind(&c.postcode)
        .bind(c.postcode.as_deref().map(postcode_key))
        .bind(c.line1.as_deref().map(key))
        .bind(c.preferred as i64)
        .bind(opt_date(c.valid_from))
        .bind(opt_date(c.valid_until))
        .bind(ts(now))
        .bind(value_key(c.kind, c.value.as_deref()))
        .fetch_one(tx.conn())
        .await
        .map_err(|e| child_guard(e, "person_id"))?;
    contact_from(&row)
}

pub async fn contact(tx: &mut Tx, id: Id) -> Result<ContactPoint> {
    let sql = format!("SELECT {CONTACT_COLUMNS} FROM contact_point WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(contact_from).transpose()?.ok_or(StoreError::NotFound)
}

pub(crate) fn contacts_for_sql() -> String {
    format!("SELECT {CONTACT_COLUMNS} FROM contact_point WHERE person_id = $1 ORDER BY kind, preferred DESC, id")
}

pub async fn contacts_for(tx: &mut Tx, person_id: Id) -> Result<Vec<ContactPoint>> {
    let sql = contacts_for_sql();
    sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?.iter().map(contact_from).collect()
}

pub async fn update_contact(
    tx: &mut Tx,
    id: Id,
    version: i64,
    person_id: Id,
    c: &ContactPointFields,
    now: Timestamp,
) -> Result<ContactPoint> {
    if c.preferred {
        clear_preferred(tx, person_id, c.kind, id).await?;
    }
    let r = sqlx::query(
        "UPDATE contact_point SET value = $3, line1 = $4, line2 = $5, town = $6, postcode = $7, postcode_key = $8, line1_key = $9,
             preferred = $10, valid_from = $11, valid_until = $12, updated_at = $13, value_key = $14, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(&c.value)
    .bind(&c.line1)
    .bind(&c.line2)
    .bind(&c.town)
    .bind(&c.postcode)
    .bind(c.postcode.as_deref().map(postcode_key))
    .bind(c.line1.as_deref().map(key))
    .bind(c.preferred as i64)
    .bind(opt_date(c.valid_from))
    .bind(opt_date(c.valid_until))
    .bind(ts(now))
    .bind(value_key(c.kind, c.value.as_deref()))
    .execute(tx.conn())
    .await?;
    check_versioned_update(tx, r.rows_affected(), "contact_point", id).await?;
    contact(tx, id).await
}

pub async fn delete_contact(tx: &mut Tx, id: Id) -> Result<()> {
    let r = sqlx::query("DELETE FROM contact_point WHERE id = $1").bind(id).execute(tx.conn()).await?;
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}
