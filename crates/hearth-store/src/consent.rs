//! Queries for consent records, contact preferences and objections. Nothing
//! here decides who may record them or what they stop: the gate does (and
//! withdrawing consent to tailor services switches the person's needs off in
//! the same transaction, see `stop_tailoring`).

use crate::time::{date, get_date, get_opt_date, opt_date, ts};
use crate::{vocab, Result, StoreError, Tx};
use hearth_domain::{
    consent::{
        ConsentDecision, ConsentFields, ConsentMethod, ConsentPurpose, ConsentRecord, ContactPreferences, Objection, ObjectionFields,
        ObjectionKind, PreferenceChannel, PreferencesFields,
    },
    Id,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

// ---- consent ----

const CONSENT_COLUMNS: &str =
    "c.id, c.person_id, c.purpose, c.decision, c.decided_on, c.method, c.evidence, c.notice_version, c.expires_on,
    s.username AS recorded_by, c.recorded_at";

fn consent_from(r: &AnyRow) -> Result<ConsentRecord> {
    Ok(ConsentRecord {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        purpose: vocab(r, "purpose", ConsentPurpose::parse)?,
        decision: vocab(r, "decision", ConsentDecision::parse)?,
        on: get_date(r, "decided_on")?,
        method: vocab(r, "method", ConsentMethod::parse)?,
        evidence: r.try_get("evidence")?,
        notice_version: r.try_get("notice_version")?,
        expires_on: get_opt_date(r, "expires_on")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
    })
}

/// The person's consent log, newest first.
pub async fn consents_of(tx: &mut Tx, person_id: Id) -> Result<Vec<ConsentRecord>> {
    let sql = format!(
        "SELECT {CONSENT_COLUMNS} FROM consent_record c JOIN staff_user s ON s.id = c.recorded_by
         WHERE c.person_id = $1 ORDER BY c.decided_on DESC, c.id DESC"
    );
    sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?.iter().map(consent_from).collect()
}

pub async fn insert_consent(tx: &mut Tx, person_id: Id, f: &ConsentFields, by: Id, now: Timestamp) -> Result<ConsentRecord> {
    let row = sqlx::query(
        "INSERT INTO consent_record (person_id, purpose, decision, decided_on, method, evidence, notice_version, expires_on, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(person_id)
    .bind(f.purpose.as_str())
    .bind(f.decision.as_str())
    .bind(date(f.on))
    .bind(f.method.as_str())
    .bind(&f.evidence)
    .bind(&f.notice_version)
    .bind(opt_date(f.expires_on))
    .bind(by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await
    .map_err(|e| if crate::is_reference_violation(&e) { StoreError::NotFound } else { e.into() })?;
    let id: Id = row.try_get("id")?;
    let sql = format!("SELECT {CONSENT_COLUMNS} FROM consent_record c JOIN staff_user s ON s.id = c.recorded_by WHERE c.id = $1");
    consent_from(&sqlx::query(&sql).bind(id).fetch_one(tx.conn()).await?)
}

/// Withdrawal of consent to tailor services takes effect at once: every
/// active need of the person that was used to tailor services stops being
/// used, recorded as that staff member's answer. Returns the needs changed.
pub async fn stop_tailoring(tx: &mut Tx, person_id: Id, by: Id, now: Timestamp) -> Result<Vec<Id>> {
    let ids: Vec<Id> = sqlx::query("SELECT id FROM need WHERE person_id = $1 AND ended_at IS NULL AND consent_to_tailor = 1 ORDER BY id")
        .bind(person_id)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, _>>()?;
    if !ids.is_empty() {
        let sql = format!(
            "UPDATE need SET consent_to_tailor = 0, consent_recorded_by = $1, consent_recorded_at = $2, updated_at = $2, version = version + 1
             WHERE id IN ({})",
            crate::placeholders(3, ids.len())
        );
        let mut q = sqlx::query(&sql).bind(by).bind(ts(now));
        for id in &ids {
            q = q.bind(*id);
        }
        q.execute(tx.conn()).await?;
    }
    Ok(ids)
}

// ---- contact preferences ----

fn preferences_from(r: &AnyRow) -> Result<ContactPreferences> {
    let declined: String = r.try_get("declined_channels")?;
    let declined_channels = declined
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| PreferenceChannel::parse(c).ok_or_else(|| StoreError::Corrupt { column: "declined_channels", value: declined.clone() }))
        .collect::<Result<_>>()?;
    let preferred: Option<String> = r.try_get("preferred_channel")?;
    Ok(ContactPreferences {
        person_id: r.try_get("person_id")?,
        preferred_channel: preferred
            .map(|p| PreferenceChannel::parse(&p).ok_or(StoreError::Corrupt { column: "preferred_channel", value: p.clone() }))
            .transpose()?,
        declined_channels,
        marketing_opt_out: r.try_get::<i64, _>("marketing_opt_out")? == 1,
        no_letters_to_shared_address: r.try_get::<i64, _>("no_letters_to_shared_address")? == 1,
        note: r.try_get("note")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

pub async fn preferences_of(tx: &mut Tx, person_id: Id) -> Result<Option<ContactPreferences>> {
    sqlx::query(
        "SELECT p.person_id, p.preferred_channel, p.declined_channels, p.marketing_opt_out, p.no_letters_to_shared_address, p.note, s.username AS updated_by, p.updated_at,
                p.version
         FROM contact_preference p JOIN staff_user s ON s.id = p.updated_by WHERE p.person_id = $1",
    )
    .bind(person_id)
    .fetch_optional(tx.conn())
    .await?
    .as_ref()
    .map(preferences_from)
    .transpose()
}

/// Replaces the person's preferences. The first set needs no version; after
/// that, a stale version is a conflict.
pub async fn save_preferences(tx: &mut Tx, person_id: Id, f: &PreferencesFields, by: Id, now: Timestamp) -> Result<ContactPreferences> {
    let declined = f.declined_channels.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(",");
    let existing = preferences_of(tx, person_id).await?;
    match existing {
        None => {
            sqlx::query(
                "INSERT INTO contact_preference (person_id, preferred_channel, declined_channels, marketing_opt_out, note, updated_by, updated_at,
                     no_letters_to_shared_address)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(person_id)
            .bind(f.preferred_channel.map(|c| c.as_str()))
            .bind(&declined)
            .bind(f.marketing_opt_out as i64)
            .bind(&f.note)
            .bind(by)
            .bind(ts(now))
            .bind(f.no_letters_to_shared_address as i64)
            .execute(tx.conn())
            .await
            .map_err(|e| {
                if crate::is_unique_violation(&e) {
                    StoreError::Conflict
                } else if crate::is_reference_violation(&e) {
                    StoreError::NotFound
                } else {
                    e.into()
                }
            })?;
        }
        Some(p) => {
            if f.version != Some(p.version) {
                return Err(StoreError::Conflict);
            }
            sqlx::query(
                "UPDATE contact_preference SET preferred_channel = $3, declined_channels = $4, marketing_opt_out = $5, note = $6,
                     updated_by = $7, updated_at = $8, no_letters_to_shared_address = $9, version = version + 1
                 WHERE person_id = $1 AND version = $2",
            )
            .bind(person_id)
            .bind(p.version)
            .bind(f.preferred_channel.map(|c| c.as_str()))
            .bind(&declined)
            .bind(f.marketing_opt_out as i64)
            .bind(&f.note)
            .bind(by)
            .bind(ts(now))
            .bind(f.no_letters_to_shared_address as i64)
            .execute(tx.conn())
            .await?;
        }
    }
    preferences_of(tx, person_id).await?.ok_or(StoreError::NotFound)
}

// ---- objections ----

const OBJECTION_COLUMNS: &str = "o.id, o.person_id, o.kind, o.received_on, o.detail, r.username AS recorded_by, o.recorded_at,
    w.username AS withdrawn_by, o.withdrawn_at, o.withdrawn_reason";
const OBJECTION_FROM: &str = "FROM objection o JOIN staff_user r ON r.id = o.recorded_by LEFT JOIN staff_user w ON w.id = o.withdrawn_by";

fn objection_from(r: &AnyRow) -> Result<Objection> {
    Ok(Objection {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        kind: vocab(r, "kind", ObjectionKind::parse)?,
        received_on: get_date(r, "received_on")?,
        detail: r.try_get("detail")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
        withdrawn_by: r.try_get("withdrawn_by")?,
        withdrawn_at: r.try_get("withdrawn_at")?,
        withdrawn_reason: r.try_get("withdrawn_reason")?,
    })
}

/// The person's objections, standing first, newest first.
pub async fn objections_of(tx: &mut Tx, person_id: Id) -> Result<Vec<Objection>> {
    let sql = format!(
        "SELECT {OBJECTION_COLUMNS} {OBJECTION_FROM} WHERE o.person_id = $1
         ORDER BY CASE WHEN o.withdrawn_at IS NULL THEN 0 ELSE 1 END, o.id DESC"
    );
    sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?.iter().map(objection_from).collect()
}

pub async fn objection(tx: &mut Tx, id: Id) -> Result<Objection> {
    let sql = format!("SELECT {OBJECTION_COLUMNS} {OBJECTION_FROM} WHERE o.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(objection_from).transpose()?.ok_or(StoreError::NotFound)
}

/// Whether the person has a standing objection of `kind`: what sharing,
/// profiling and marketing features ask before they use someone's data.
pub async fn objects_to(tx: &mut Tx, person_id: Id, kind: ObjectionKind) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 FROM objection WHERE person_id = $1 AND kind = $2 AND withdrawn_at IS NULL")
        .bind(person_id)
        .bind(kind.as_str())
        .fetch_optional(tx.conn())
        .await?
        .is_some())
}

pub async fn insert_objection(tx: &mut Tx, person_id: Id, f: &ObjectionFields, by: Id, now: Timestamp) -> Result<Objection> {
    let row = sqlx::query(
        "INSERT INTO objection (person_id, kind, received_on, detail, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(person_id)
    .bind(f.kind.as_str())
    .bind(date(f.received_on))
    .bind(&f.detail)
    .bind(by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await
    .map_err(|e| if crate::is_reference_violation(&e) { StoreError::NotFound } else { e.into() })?;
    objection(tx, row.try_get("id")?).await
}

/// Records the person's withdrawal of a standing objection.
pub async fn withdraw_objection(tx: &mut Tx, id: Id, reason: &str, by: Id, now: Timestamp) -> Result<Objection> {
    let r = sqlx::query(
        "UPDATE objection SET withdrawn_at = $2, withdrawn_by = $3, withdrawn_reason = $4 WHERE id = $1 AND withdrawn_at IS NULL",
    )
    .bind(id)
    .bind(ts(now))
    .bind(by)
    .bind(reason)
    .execute(tx.conn())
    .await?;
    if r.rows_affected() == 0 {
        objection(tx, id).await?;
        return Err(StoreError::field("objection", "This objection has already been withdrawn"));
    }
    objection(tx, id).await
}

// ---- marketing audience ----

pub use hearth_domain::consent::AudienceMember;

/// Everyone marketing may reach on `channel` today: whose latest marketing
/// consent is given and not lapsed, who has not opted out of marketing or
/// declined the channel, has no standing objection to direct marketing and
/// is not under a restriction of processing; with a current contact point of
/// the channel's kind (preferred first, one per person).
pub async fn marketing_audience(tx: &mut Tx, channel: PreferenceChannel, today: jiff::civil::Date) -> Result<Vec<AudienceMember>> {
    let kind = match channel {
        PreferenceChannel::Email => "email",
        PreferenceChannel::Sms | PreferenceChannel::Phone => "phone",
        PreferenceChannel::Letter | PreferenceChannel::Visit => "address",
    };
    let rows = sqlx::query(
        "SELECT p.id AS person_id, p.given_name, p.family_name, cp.value, cp.line1, cp.postcode
         FROM person p JOIN contact_point cp ON cp.person_id = p.id AND cp.kind = $1 AND (cp.valid_until IS NULL OR cp.valid_until >= $3)
         WHERE EXISTS (
             SELECT 1 FROM consent_record c
             WHERE c.person_id = p.id AND c.purpose = 'marketing' AND c.decision = 'given' AND (c.expires_on IS NULL OR c.expires_on > $3)
               AND NOT EXISTS (SELECT 1 FROM consent_record l WHERE l.person_id = p.id AND l.purpose = 'marketing'
                               AND (l.decided_on > c.decided_on OR (l.decided_on = c.decided_on AND l.id > c.id))))
           AND NOT EXISTS (SELECT 1 FROM contact_preference f WHERE f.person_id = p.id
                           AND (f.marketing_opt_out = 1 OR (',' || f.declined_channels || ',') LIKE $2))
           AND NOT EXISTS (SELECT 1 FROM objection o WHERE o.person_id = p.id AND o.kind = 'direct_marketing' AND o.withdrawn_at IS NULL)
           AND NOT EXISTS (SELECT 1 FROM processing_restriction r WHERE r.person_id = p.id AND r.lifted_at IS NULL)
         ORDER BY p.id, cp.preferred DESC, cp.id",
    )
    .bind(kind)
    .bind(format!("%,{},%", channel.as_str()))
    .bind(date(today))
    .fetch_all(tx.conn())
    .await?;
    let mut out: Vec<AudienceMember> = Vec::new();
    for r in &rows {
        let person_id: Id = r.try_get("person_id")?;
        if out.last().is_some_and(|m| m.person_id == person_id) {
            continue;
        }
        let given: String = r.try_get("given_name")?;
        let family: String = r.try_get("family_name")?;
        let to: Option<String> = if kind == "address" { r.try_get("line1")? } else { r.try_get("value")? };
        out.push(AudienceMember {
            person_id,
            name: format!("{given} {family}"),
            to: to.unwrap_or_default(),
            postcode: r.try_get("postcode")?,
        });
    }
    Ok(out)
}
