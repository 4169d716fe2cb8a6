//! Queries for authorised representatives and caller checks: adding,
//! listing and ending a person's representatives, recording a caller check
//! and finding the one in force for an advisor and a person. Nothing here
//! decides who may do these or what a check opens: the gate does.

use crate::time::{date, get_date, get_opt_date, get_opt_ts, get_ts, opt_date, ts};
use crate::{vocab, Result, StoreError, Tx};
use hearth_domain::{
    representatives::{
        AuthorityEvidence, CallerCheckArea, CallerCheckItem, RepresentativeFields, RepresentativeRelationship, RepresentativeScope,
    },
    Id,
};
use jiff::civil::Date;
use jiff::Timestamp;

use sqlx::any::AnyRow;
use sqlx::Row;

pub use hearth_domain::representatives::{CallerCheck, Representative};

const COLUMNS: &str = "r.id, r.person_id, r.rep_person_id, COALESCE(r.rep_name, rp.given_name || ' ' || rp.family_name) AS name, \
    r.rep_phone, r.relationship, r.scope, r.evidence, r.evidence_reference, r.valid_from, r.expires_on, \
    c.username AS created_by, r.created_at, e.username AS ended_by, r.ended_at, r.end_reason";
const FROM: &str = "FROM representative r LEFT JOIN person rp ON rp.id = r.rep_person_id \
    JOIN staff_user c ON c.id = r.created_by LEFT JOIN staff_user e ON e.id = r.ended_by";

fn from_row(r: &AnyRow) -> Result<Representative> {
    Ok(Representative {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        representative_person_id: r.try_get("rep_person_id")?,
        name: r.try_get("name")?,
        phone: r.try_get("rep_phone")?,
        relationship: vocab(r, "relationship", RepresentativeRelationship::parse)?,
        scope: vocab(r, "scope", RepresentativeScope::parse)?,
        evidence: vocab(r, "evidence", AuthorityEvidence::parse)?,
        evidence_reference: r.try_get("evidence_reference")?,
        valid_from: get_date(r, "valid_from")?,
        expires_on: get_opt_date(r, "expires_on")?,
        created_by: r.try_get("created_by")?,
        created_at: get_ts(r, "created_at")?,
        ended_by: r.try_get("ended_by")?,
        ended_at: get_opt_ts(r, "ended_at")?,
        end_reason: r.try_get("end_reason")?,
    })
}

/// One representative by id.
pub async fn representative(tx: &mut Tx, id: Id) -> Result<Representative> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE r.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// Every representative the person has had, newest first.
pub async fn for_person(tx: &mut Tx, person_id: Id) -> Result<Vec<Representative>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE r.person_id = $1 ORDER BY r.id DESC");
    sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?.iter().map(from_row).collect()
}

pub async fn insert(tx: &mut Tx, person_id: Id, f: &RepresentativeFields, by: Id, now: Timestamp) -> Result<Representative> {
    let row = sqlx::query(
        "INSERT INTO representative (person_id, rep_person_id, rep_name, rep_phone, relationship, scope, evidence, evidence_reference, \
         valid_from, expires_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(person_id)
    .bind(f.person_id)
    .bind(f.name.clone())
    .bind(f.phone.clone())
    .bind(f.relationship.as_str())
    .bind(f.scope.as_str())
    .bind(f.evidence.as_str())
    .bind(f.evidence_reference.clone())
    .bind(date(f.valid_from))
    .bind(opt_date(f.expires_on))
    .bind(by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await?;
    representative(tx, row.try_get("id")?).await
}

/// Ends a representative's authority; the row stays as the record.
pub async fn end(tx: &mut Tx, id: Id, reason: &str, by: Id, now: Timestamp) -> Result<Representative> {
    let done = sqlx::query("UPDATE representative SET ended_at = $1, ended_by = $2, end_reason = $3 WHERE id = $4 AND ended_at IS NULL")
        .bind(ts(now))
        .bind(by)
        .bind(reason)
        .bind(id)
        .execute(tx.conn())
        .await?;
    if done.rows_affected() == 0 {
        representative(tx, id).await?;
        return Err(StoreError::field("representative", "This representative's authority has already been ended"));
    }
    representative(tx, id).await
}

fn list<T>(s: Option<String>, column: &'static str, parse: fn(&str) -> Option<T>) -> Result<Vec<T>> {
    s.unwrap_or_default()
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| parse(p).ok_or_else(|| StoreError::Corrupt { column, value: p.to_string() }))
        .collect()
}

fn check_from_row(r: &AnyRow) -> Result<CallerCheck> {
    Ok(CallerCheck {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        checked_by: r.try_get("checked_by")?,
        checks_passed: list(r.try_get("checks_passed")?, "checks_passed", CallerCheckItem::parse)?,
        representative_id: r.try_get("representative_id")?,
        areas: list(Some(r.try_get("areas")?), "areas", CallerCheckArea::parse)?,
        checked_at: get_ts(r, "checked_at")?,
        expires_at: get_ts(r, "expires_at")?,
    })
}

const CHECK_COLUMNS: &str =
    "k.id, k.person_id, s.username AS checked_by, k.checks_passed, k.representative_id, k.areas, k.checked_at, k.expires_at";

/// A new caller check: `checks_passed` or `representative_id`, not both.
pub struct NewCallerCheck<'a> {
    pub person_id: Id,
    pub staff_id: Id,
    pub checks_passed: Option<&'a [CallerCheckItem]>,
    pub representative_id: Option<Id>,
    pub areas: &'a [CallerCheckArea],
    pub checked_at: Timestamp,
    pub expires_at: Timestamp,
}

fn join<T: Copy>(items: &[T], s: fn(T) -> &'static str) -> String {
    items.iter().map(|i| s(*i)).collect::<Vec<_>>().join(",")
}

pub async fn insert_check(tx: &mut Tx, c: &NewCallerCheck<'_>) -> Result<CallerCheck> {
    let row = sqlx::query(
        "INSERT INTO caller_check (person_id, staff_id, checks_passed, representative_id, areas, checked_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(c.person_id)
    .bind(c.staff_id)
    .bind(c.checks_passed.map(|i| join(i, CallerCheckItem::as_str)))
    .bind(c.representative_id)
    .bind(join(c.areas, CallerCheckArea::as_str))
    .bind(ts(c.checked_at))
    .bind(ts(c.expires_at))
    .fetch_one(tx.conn())
    .await?;
    let id: Id = row.try_get("id")?;
    let sql = format!("SELECT {CHECK_COLUMNS} FROM caller_check k JOIN staff_user s ON s.id = k.staff_id WHERE k.id = $1");
    check_from_row(&sqlx::query(&sql).bind(id).fetch_one(tx.conn()).await?)
}

/// The staff member's latest caller check for the person still in force at `now`.
pub async fn current_check(tx: &mut Tx, staff_id: Id, person_id: Id, now: Timestamp) -> Result<Option<CallerCheck>> {
    let sql = format!(
        "SELECT {CHECK_COLUMNS} FROM caller_check k JOIN staff_user s ON s.id = k.staff_id \
         WHERE k.staff_id = $1 AND k.person_id = $2 AND k.expires_at > $3 ORDER BY k.id DESC LIMIT 1"
    );
    sqlx::query(&sql).bind(staff_id).bind(person_id).bind(ts(now)).fetch_optional(tx.conn()).await?.as_ref().map(check_from_row).transpose()
}

/// The people of a household, or of a tenancy's household: whose caller
/// check may open a household or tenancy read by its own id.
pub async fn people_of_home(tx: &mut Tx, record_type: &str, id: Id) -> Result<Vec<Id>> {
    let sql = match record_type {
        "household" => "SELECT person_id FROM membership WHERE household_id = $1 ORDER BY person_id",
        "tenancy" => {
            "SELECT m.person_id FROM membership m JOIN tenancy t ON t.household_id = m.household_id WHERE t.id = $1 ORDER BY m.person_id"
        }
        _ => return Ok(vec![]),
    };
    sqlx::query(sql).bind(id).fetch_all(tx.conn()).await?.iter().map(|r| Ok(r.try_get::<Id, _>(0)?)).collect()
}

// ---- what a caller check compares answers with ----

/// The Argon2id hash of the person's memorable word, if they set one.
pub async fn memorable_word_hash(tx: &mut Tx, person_id: Id) -> Result<Option<String>> {
    let row = sqlx::query("SELECT memorable_word_hash FROM person WHERE id = $1").bind(person_id).fetch_optional(tx.conn()).await?;
    match row {
        None => Err(StoreError::NotFound),
        Some(r) => Ok(r.try_get("memorable_word_hash")?),
    }
}

/// When the person's memorable word was set, if it is.
pub async fn memorable_word_set_at(tx: &mut Tx, person_id: Id) -> Result<Option<Timestamp>> {
    let row = sqlx::query("SELECT memorable_word_set_at FROM person WHERE id = $1").bind(person_id).fetch_optional(tx.conn()).await?;
    match row {
        None => Err(StoreError::NotFound),
        Some(r) => get_opt_ts(&r, "memorable_word_set_at"),
    }
}

/// Sets (or replaces) the person's memorable word by its hash.
pub async fn set_memorable_word(tx: &mut Tx, person_id: Id, hash: &str, now: Timestamp) -> Result<()> {
    let r = sqlx::query("UPDATE person SET memorable_word_hash = $2, memorable_word_set_at = $3 WHERE id = $1 AND disposed_at IS NULL")
        .bind(person_id)
        .bind(hash)
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The person's phone numbers, email addresses and postcodes on file (their
/// contact points and the properties of their households), and the years
/// their tenancies started: what a caller's answers are compared with.
#[allow(clippy::type_complexity)]
pub async fn held_contact_facts(tx: &mut Tx, person_id: Id, today: Date) -> Result<(Vec<String>, Vec<String>, Vec<String>, Vec<i16>)> {
    let (mut phones, mut emails, mut postcodes) = (vec![], vec![], vec![]);
    // Only contact points still in use: a number given up years ago proves little.
    for r in sqlx::query(
        "SELECT kind, value, postcode FROM contact_point WHERE person_id = $1 AND (valid_until IS NULL OR valid_until >= $2) ORDER BY id",
    )
    .bind(person_id)
    .bind(date(today))
    .fetch_all(tx.conn())
    .await?
    {
        let kind: String = r.try_get("kind")?;
        let value: Option<String> = r.try_get("value")?;
        let postcode: Option<String> = r.try_get("postcode")?;
        match kind.as_str() {
            "phone" => phones.extend(value),
            "email" => emails.extend(value),
            _ => postcodes.extend(postcode),
        }
    }
    let homes = sqlx::query(
        "SELECT p.postcode, t.start_date FROM membership m JOIN household h ON h.id = m.household_id
         JOIN property p ON p.id = h.property_id LEFT JOIN tenancy t ON t.household_id = h.id
         WHERE m.person_id = $1 ORDER BY m.id",
    )
    .bind(person_id)
    .fetch_all(tx.conn())
    .await?;
    let mut years = vec![];
    for r in homes {
        postcodes.push(r.try_get("postcode")?);
        let start: Option<String> = r.try_get("start_date")?;
        if let Some(y) = start.and_then(|s| s.get(..4).and_then(|y| y.parse::<i16>().ok())) {
            years.push(y);
        }
    }
    Ok((phones, emails, postcodes, years))
}

/// Failed caller checks by a staff member for a person since `since`: the
/// comparisons of answers the gate refused and audited (`caller-check-answers`).
pub async fn failed_checks_since(tx: &mut Tx, staff_id: Id, person_id: Id, since: Timestamp) -> Result<i64> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_event WHERE person_id = $1 AND actor_id = $2 AND record_type = 'caller_check'
         AND decision = 'deny' AND policy_ids = 'caller-check-answers' AND occurred_at > $3",
    )
    .bind(person_id)
    .bind(staff_id)
    .bind(ts(since))
    .fetch_one(tx.conn())
    .await?;
    Ok(r.try_get("n")?)
}
