//! Queries for needs, reasonable adjustments, warning flags and their
//! acknowledgements, needs checks, the review work list, the coverage
//! report, and the relationships the needs policies ask about (patch officer,
//! review officer). Whether an adjustment is in use is worked out here from
//! its need's state in the same query, so no caller can forget consent.

use crate::time::{date, get_date, get_opt_date, get_ts, opt_date, ts};
use crate::{check_versioned_update, is_reference_violation, vocab, Result, StoreError, Tx};
use hearth_domain::{
    needs::{
        Adjustment, AdjustmentFields, AdjustmentKind, DisclosureChannel, FlagCategory, FlagSeverity, Need, NeedCategory, NeedDuration,
        NeedFields, NeedSource, NeedsCheck, NeedsCheckOutcome, NeedsCoverage, OperativeGender, PreferredFormat, ReviewItem, WarningFlag,
        WarningFlagFields,
    },
    Id,
};
use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

fn opt_ts(row: &AnyRow, column: &'static str) -> Result<Option<Timestamp>> {
    let s: Option<String> = row.try_get(column)?;
    s.map(|s| s.parse().map_err(|_| StoreError::Corrupt { column, value: s })).transpose()
}

fn opt_vocab<T>(row: &AnyRow, column: &'static str, parse: fn(&str) -> Option<T>) -> Result<Option<T>> {
    let s: Option<String> = row.try_get(column)?;
    s.map(|s| parse(&s).ok_or(StoreError::Corrupt { column, value: s })).transpose()
}

fn flag(row: &AnyRow, column: &str) -> Result<bool> {
    Ok(row.try_get::<i64, _>(column)? == 1)
}

// ---- relationships ----

/// Whether `officer` is the patch officer of a property where `person_id`
/// currently lives.
pub(crate) const IS_PATCH_OFFICER: &str =
    "SELECT 1 FROM membership m JOIN household h ON h.id = m.household_id JOIN property p ON p.id = h.property_id
         WHERE m.person_id = $1 AND m.end_date IS NULL AND p.patch_officer_id = $2 LIMIT 1";

pub async fn is_patch_officer(tx: &mut Tx, officer: Id, person_id: Id) -> Result<bool> {
    let row = sqlx::query(IS_PATCH_OFFICER).bind(person_id).bind(officer).fetch_optional(tx.conn()).await?;
    Ok(row.is_some())
}

/// Whether `officer` reviews an active need of `person_id`.
pub async fn is_review_officer(tx: &mut Tx, officer: Id, person_id: Id) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM need WHERE person_id = $1 AND review_officer_id = $2 AND ended_at IS NULL LIMIT 1")
        .bind(person_id)
        .bind(officer)
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.is_some())
}

/// Puts a property on an officer's patch (or takes it off, with `None`).
pub async fn set_patch_officer(tx: &mut Tx, property_id: Id, officer: Option<Id>) -> Result<()> {
    let r = sqlx::query("UPDATE property SET patch_officer_id = $2 WHERE id = $1")
        .bind(property_id)
        .bind(officer)
        .execute(tx.conn())
        .await
        .map_err(|e| if is_reference_violation(&e) { StoreError::field("officer", "No such staff account") } else { e.into() })?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

// ---- needs ----

const NEED_COLUMNS: &str = "id, person_id, category, detail, source, disclosed_on, disclosure_channel, duration, review_date, preferred_words,
    consent_to_tailor, consent_recorded_by, consent_recorded_at, review_officer_id, recorded_by, recorded_at, ended_at, ended_by, end_reason, version";

fn need_from(row: &AnyRow) -> Result<Need> {
    Ok(Need {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        category: vocab(row, "category", NeedCategory::parse)?,
        detail: row.try_get("detail")?,
        source: vocab(row, "source", NeedSource::parse)?,
        disclosed_on: get_date(row, "disclosed_on")?,
        disclosure_channel: vocab(row, "disclosure_channel", DisclosureChannel::parse)?,
        duration: vocab(row, "duration", NeedDuration::parse)?,
        review_date: get_date(row, "review_date")?,
        preferred_words: row.try_get("preferred_words")?,
        consent_to_tailor: flag(row, "consent_to_tailor")?,
        consent_recorded_by: row.try_get("consent_recorded_by")?,
        consent_recorded_at: get_ts(row, "consent_recorded_at")?,
        review_officer: row.try_get("review_officer_id")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: get_ts(row, "recorded_at")?,
        ended_at: opt_ts(row, "ended_at")?,
        ended_by: row.try_get("ended_by")?,
        end_reason: row.try_get("end_reason")?,
        version: row.try_get("version")?,
    })
}

pub async fn insert_need(tx: &mut Tx, person_id: Id, f: &NeedFields, review_officer: Id, by: Id, now: Timestamp) -> Result<Need> {
    let row = sqlx::query(
        "INSERT INTO need (person_id, category, detail, source, disclosed_on, disclosure_channel, duration, review_date, preferred_words,
             consent_to_tailor, consent_recorded_by, consent_recorded_at, review_officer_id, recorded_by, recorded_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $11, $12, $12) RETURNING id",
    )
    .bind(person_id)
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
    .bind(ts(now))
    .bind(review_officer)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| if is_reference_violation(&e) { StoreError::field("review_officer", "No such staff account") } else { e.into() })?;
    need(tx, row.try_get("id")?).await
}

pub async fn need(tx: &mut Tx, id: Id) -> Result<Need> {
    let sql = format!("SELECT {NEED_COLUMNS} FROM need WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(need_from).transpose()?.ok_or(StoreError::NotFound)
}

/// A person's needs, active first, newest first.
pub(crate) fn needs_of_sql() -> String {
    format!("SELECT {NEED_COLUMNS} FROM need WHERE person_id = $1 ORDER BY CASE WHEN ended_at IS NULL THEN 0 ELSE 1 END, id DESC")
}

pub async fn needs_of(tx: &mut Tx, person_id: Id) -> Result<Vec<Need>> {
    let sql = needs_of_sql();
    sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?.iter().map(need_from).collect()
}

/// Writes back consent, review date and ending, if nobody changed the need since `n.version`.
pub async fn save_need(tx: &mut Tx, n: &Need, now: Timestamp) -> Result<Need> {
    let r = sqlx::query(
        "UPDATE need SET consent_to_tailor = $3, consent_recorded_by = $4, consent_recorded_at = $5, review_date = $6, ended_at = $7,
             ended_by = $8, end_reason = $9, updated_at = $10, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(n.id)
    .bind(n.version)
    .bind(n.consent_to_tailor as i64)
    .bind(n.consent_recorded_by)
    .bind(ts(n.consent_recorded_at))
    .bind(date(n.review_date))
    .bind(n.ended_at.map(ts))
    .bind(n.ended_by)
    .bind(&n.end_reason)
    .bind(ts(now))
    .execute(tx.conn())
    .await?;
    check_versioned_update(tx, r.rows_affected(), "need", n.id).await?;
    need(tx, n.id).await
}

// ---- adjustments ----

const ADJUSTMENT_COLUMNS: &str = "a.id, a.person_id, a.need_id, a.kind, a.format, a.language, a.operative_gender, a.note, a.recorded_by,
    a.recorded_at, a.ended_at, a.ended_by, a.end_reason, a.version, n.ended_at AS need_ended_at, n.consent_to_tailor";

fn adjustment_from(row: &AnyRow) -> Result<Adjustment> {
    let need_active = row.try_get::<Option<String>, _>("need_ended_at")?.is_none();
    let consent = flag(row, "consent_to_tailor")?;
    Ok(Adjustment {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        need_id: row.try_get("need_id")?,
        kind: vocab(row, "kind", AdjustmentKind::parse)?,
        format: opt_vocab(row, "format", PreferredFormat::parse)?,
        language: row.try_get("language")?,
        operative_gender: opt_vocab(row, "operative_gender", OperativeGender::parse)?,
        note: row.try_get("note")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: get_ts(row, "recorded_at")?,
        ended_at: opt_ts(row, "ended_at")?,
        ended_by: row.try_get("ended_by")?,
        end_reason: row.try_get("end_reason")?,
        version: row.try_get("version")?,
        in_use: false,
        not_in_use_reason: None,
    }
    .with_use(need_active, consent))
}

pub async fn insert_adjustment(tx: &mut Tx, person_id: Id, f: &AdjustmentFields, by: Id, now: Timestamp) -> Result<Adjustment> {
    let row = sqlx::query(
        "INSERT INTO adjustment (person_id, need_id, kind, format, language, operative_gender, note, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(person_id)
    .bind(f.need_id)
    .bind(f.kind.as_str())
    .bind(f.format.map(|x| x.as_str()))
    .bind(&f.language)
    .bind(f.operative_gender.map(|g| g.as_str()))
    .bind(&f.note)
    .bind(by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await
    .map_err(|e| if is_reference_violation(&e) { StoreError::field("need_id", "No such need") } else { e.into() })?;
    adjustment(tx, row.try_get("id")?).await
}

pub async fn adjustment(tx: &mut Tx, id: Id) -> Result<Adjustment> {
    let sql = format!("SELECT {ADJUSTMENT_COLUMNS} FROM adjustment a JOIN need n ON n.id = a.need_id WHERE a.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(adjustment_from).transpose()?.ok_or(StoreError::NotFound)
}

/// A person's adjustments, active first, oldest first.
pub async fn adjustments_of(tx: &mut Tx, person_id: Id) -> Result<Vec<Adjustment>> {
    let sql = format!(
        "SELECT {ADJUSTMENT_COLUMNS} FROM adjustment a JOIN need n ON n.id = a.need_id WHERE a.person_id = $1
         ORDER BY CASE WHEN a.ended_at IS NULL THEN 0 ELSE 1 END, a.id"
    );
    sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?.iter().map(adjustment_from).collect()
}

/// Whether any of `people` has a repair priority uplift in use.
pub async fn uplift_applies(tx: &mut Tx, people: &[Id]) -> Result<bool> {
    for p in people {
        if adjustments_of(tx, *p).await?.iter().any(|a| a.in_use && a.kind == AdjustmentKind::RepairPriorityUplift) {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn end_adjustment(tx: &mut Tx, id: Id, version: i64, by: Id, reason: &str, now: Timestamp) -> Result<Adjustment> {
    let r = sqlx::query(
        "UPDATE adjustment SET ended_at = $3, ended_by = $4, end_reason = $5, version = version + 1
         WHERE id = $1 AND version = $2 AND ended_at IS NULL",
    )
    .bind(id)
    .bind(version)
    .bind(ts(now))
    .bind(by)
    .bind(reason)
    .execute(tx.conn())
    .await?;
    check_versioned_update(tx, r.rows_affected(), "adjustment", id).await?;
    adjustment(tx, id).await
}

// ---- warning flags ----

const FLAG_COLUMNS: &str = "f.id, f.person_id, f.category, f.severity, f.incident_date, f.risk_assessment, f.person_told, f.person_told_on,
    f.not_told_reason, f.review_date, f.starts_on, f.ends_on, f.review_officer_id, f.recorded_by, f.recorded_at, f.ended_by, f.end_reason,
    f.version, (SELECT COUNT(*) FROM warning_flag_ack k WHERE k.flag_id = f.id AND k.user_id = $1) AS acks";

/// A flag as `reader` may see it: the text only once they acknowledged it.
fn flag_from(row: &AnyRow) -> Result<WarningFlag> {
    let f = WarningFlag {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        category: vocab(row, "category", FlagCategory::parse)?,
        severity: vocab(row, "severity", FlagSeverity::parse)?,
        incident_date: get_opt_date(row, "incident_date")?,
        risk_assessment: row.try_get("risk_assessment")?,
        person_told: flag(row, "person_told")?,
        person_told_on: get_opt_date(row, "person_told_on")?,
        not_told_reason: row.try_get("not_told_reason")?,
        review_date: get_date(row, "review_date")?,
        starts_on: get_date(row, "starts_on")?,
        ends_on: get_opt_date(row, "ends_on")?,
        review_officer: row.try_get("review_officer_id")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: get_ts(row, "recorded_at")?,
        ended_by: row.try_get("ended_by")?,
        end_reason: row.try_get("end_reason")?,
        acknowledged: row.try_get::<i64, _>("acks")? > 0,
        version: row.try_get("version")?,
    };
    Ok(if f.acknowledged { f } else { f.withhold_text() })
}

pub async fn insert_flag(tx: &mut Tx, person_id: Id, f: &WarningFlagFields, by: Id, now: Timestamp) -> Result<Id> {
    let row = sqlx::query(
        "INSERT INTO warning_flag (person_id, category, severity, incident_date, risk_assessment, person_told, person_told_on, not_told_reason,
             review_date, starts_on, ends_on, review_officer_id, recorded_by, recorded_at, renewed_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14) RETURNING id",
    )
    .bind(person_id)
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
    .bind(ts(now))
    // Renewed the day it was recorded (UTC): its retention runs from then or the last contact.
    .bind(ts(now)[..10].to_string())
    .fetch_one(tx.conn())
    .await?;
    Ok(row.try_get("id")?)
}

/// One flag as `reader` may see it.
pub async fn flag_for(tx: &mut Tx, id: Id, reader: Id) -> Result<WarningFlag> {
    let sql = format!("SELECT {FLAG_COLUMNS} FROM warning_flag f WHERE f.id = $2");
    sqlx::query(&sql)
        .bind(reader)
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .as_ref()
        .map(flag_from)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// A person's flags as `reader` may see them, current first.
pub(crate) fn flags_of_sql() -> String {
    format!(
        "SELECT {FLAG_COLUMNS} FROM warning_flag f WHERE f.person_id = $2 ORDER BY CASE WHEN f.ends_on IS NULL THEN 0 ELSE 1 END, f.id DESC"
    )
}

pub async fn flags_of(tx: &mut Tx, person_id: Id, reader: Id) -> Result<Vec<WarningFlag>> {
    let sql = flags_of_sql();
    sqlx::query(&sql).bind(reader).bind(person_id).fetch_all(tx.conn()).await?.iter().map(flag_from).collect()
}

/// Records that `user` acknowledged a flag; a second acknowledgement changes nothing.
pub async fn acknowledge_flag(tx: &mut Tx, id: Id, user: Id, now: Timestamp) -> Result<bool> {
    let seen = sqlx::query("SELECT 1 FROM warning_flag_ack WHERE flag_id = $1 AND user_id = $2")
        .bind(id)
        .bind(user)
        .fetch_optional(tx.conn())
        .await?;
    if seen.is_some() {
        return Ok(false);
    }
    sqlx::query("INSERT INTO warning_flag_ack (flag_id, user_id, acknowledged_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(user)
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
    Ok(true)
}

/// Records a review on `reviewed_on`: the next review date, and the flag
/// renewed (its retention runs from the later of this and the last contact).
pub async fn save_flag_review(tx: &mut Tx, id: Id, version: i64, review_date: Date, reviewed_on: Date) -> Result<()> {
    let r = sqlx::query("UPDATE warning_flag SET review_date = $3, renewed_on = $4, version = version + 1 WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .bind(date(review_date))
        .bind(date(reviewed_on))
        .execute(tx.conn())
        .await?;
    check_versioned_update(tx, r.rows_affected(), "warning_flag", id).await
}

pub async fn end_flag(tx: &mut Tx, id: Id, version: i64, on: Date, by: Id, reason: &str) -> Result<()> {
    let r = sqlx::query(
        "UPDATE warning_flag SET ends_on = $3, ended_by = $4, end_reason = $5, version = version + 1
         WHERE id = $1 AND version = $2 AND end_reason IS NULL",
    )
    .bind(id)
    .bind(version)
    .bind(date(on))
    .bind(by)
    .bind(reason)
    .execute(tx.conn())
    .await?;
    check_versioned_update(tx, r.rows_affected(), "warning_flag", id).await
}

/// The person a flag is about, for the gate's target (never shown).
pub async fn flag_person(tx: &mut Tx, id: Id) -> Result<Option<Id>> {
    Ok(sqlx::query("SELECT person_id FROM warning_flag WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| r.try_get("person_id"))
        .transpose()?)
}

/// The person an adjustment is for.
pub async fn adjustment_person(tx: &mut Tx, id: Id) -> Result<Option<Id>> {
    Ok(sqlx::query("SELECT person_id FROM adjustment WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| r.try_get("person_id"))
        .transpose()?)
}

/// The person a need is about.
pub async fn need_person(tx: &mut Tx, id: Id) -> Result<Option<Id>> {
    Ok(sqlx::query("SELECT person_id FROM need WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| r.try_get("person_id"))
        .transpose()?)
}

// ---- needs checks, reviews, coverage ----

pub async fn insert_check(tx: &mut Tx, person_id: Id, outcome: NeedsCheckOutcome, on: Date, by: Id, now: Timestamp) -> Result<NeedsCheck> {
    let row = sqlx::query(
        "INSERT INTO needs_check (person_id, checked_on, outcome, checked_by, recorded_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(person_id)
    .bind(date(on))
    .bind(outcome.as_str())
    .bind(by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await?;
    Ok(NeedsCheck { id: row.try_get("id")?, person_id, checked_on: on, outcome, checked_by: by })
}

/// The latest needs check of a person, if any.
pub async fn last_check(tx: &mut Tx, person_id: Id) -> Result<Option<NeedsCheck>> {
    let row = sqlx::query(
        "SELECT id, checked_on, outcome, checked_by FROM needs_check WHERE person_id = $1 ORDER BY checked_on DESC, id DESC LIMIT 1",
    )
    .bind(person_id)
    .fetch_optional(tx.conn())
    .await?;
    row.map(|r| {
        Ok(NeedsCheck {
            id: r.try_get("id")?,
            person_id,
            checked_on: get_date(&r, "checked_on")?,
            outcome: vocab(&r, "outcome", NeedsCheckOutcome::parse)?,
            checked_by: r.try_get("checked_by")?,
        })
    })
    .transpose()
}

/// Active needs and current flags `officer` reviews, due on or before
/// `until`, soonest first.
pub async fn reviews_for(tx: &mut Tx, officer: Id, until: Date, today: Date) -> Result<Vec<ReviewItem>> {
    let rows = sqlx::query(
        "SELECT * FROM (
           SELECT 'need' AS record_type, n.id AS id, n.person_id AS person_id, p.given_name AS given_name, p.family_name AS family_name,
                  n.category AS category, n.review_date AS review_date
             FROM need n JOIN person p ON p.id = n.person_id
            WHERE n.review_officer_id = $1 AND n.ended_at IS NULL AND n.review_date <= $2
           UNION ALL
           SELECT 'warning_flag' AS record_type, f.id AS id, f.person_id AS person_id, p.given_name AS given_name, p.family_name AS family_name,
                  f.category AS category, f.review_date AS review_date
             FROM warning_flag f JOIN person p ON p.id = f.person_id
            WHERE f.review_officer_id = $1 AND f.end_reason IS NULL AND (f.ends_on IS NULL OR f.ends_on >= $3) AND f.review_date <= $2
         ) due ORDER BY review_date, record_type, id",
    )
    .bind(officer)
    .bind(date(until))
    .bind(date(today))
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            let record_type: String = r.try_get("record_type")?;
            let category: String = r.try_get("category")?;
            let what = if record_type == "need" {
                NeedCategory::parse(&category).map(|c| c.label())
            } else {
                FlagCategory::parse(&category).map(|c| c.label())
            }
            .ok_or(StoreError::Corrupt { column: "category", value: category.clone() })?;
            let review_date = get_date(r, "review_date")?;
            Ok(ReviewItem {
                record_type,
                id: r.try_get("id")?,
                person_id: r.try_get("person_id")?,
                person_name: format!("{} {}", r.try_get::<String, _>("given_name")?, r.try_get::<String, _>("family_name")?),
                what: what.to_string(),
                review_date,
                overdue: review_date < today,
            })
        })
        .collect()
}

/// Current tenants (tenant, joint tenant, leaseholder, licensee with no end
/// date, under a tenancy that has not ended), and how many of them have a
/// recorded needs check or need.
pub async fn coverage(tx: &mut Tx) -> Result<NeedsCoverage> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS tenants,
                COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM needs_check c WHERE c.person_id = t.person_id)
                                    OR EXISTS (SELECT 1 FROM need n WHERE n.person_id = t.person_id) THEN 1 ELSE 0 END), 0) AS checked
           FROM (SELECT DISTINCT m.person_id FROM membership m JOIN tenancy ty ON ty.household_id = m.household_id
                  WHERE m.role IN ('tenant', 'joint_tenant', 'leaseholder', 'licensee') AND m.end_date IS NULL AND ty.end_date IS NULL) t",
    )
    .fetch_one(tx.conn())
    .await?;
    Ok(NeedsCoverage::of(row.try_get("tenants")?, row.try_get("checked")?))
}
