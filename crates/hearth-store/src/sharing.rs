//! Queries for sharing and disclosure: the group's organisations, data-sharing
//! agreements, the disclosure register, and the rows extracts and returns are
//! built from. The register has insert and read functions only: there is no
//! way here to change or remove an entry, and the database refuses one too
//! (triggers in migration 0018). Nothing here decides who may share what.

use crate::time::{date, get_date, get_opt_date, get_ts, opt_date, ts};
use crate::{check_versioned_update, is_reference_violation, vocab, Result, StoreError, Tx};
use hearth_domain::{
    consent::ObjectionKind,
    property::HouseholdRole,
    retention::LawfulBasis,
    sharing::{
        AgreementFields, AgreementStatus, DisclosureDecision, DisclosureEntry, DisclosureEntryKind, DisclosureExemption, NewDisclosure,
        Organisation, RecipientType, SharingAgreement,
    },
    Id,
};
use jiff::civil::Date;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

// ---- organisations ----

fn organisation_from(r: &AnyRow) -> Result<Organisation> {
    let d: i64 = r.try_get("is_default")?;
    Ok(Organisation { id: r.try_get("id")?, name: r.try_get("name")?, is_default: d == 1 })
}

pub async fn organisations(tx: &mut Tx) -> Result<Vec<Organisation>> {
    sqlx::query("SELECT id, name, is_default FROM organisation ORDER BY is_default DESC, name")
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(organisation_from)
        .collect()
}

pub async fn organisation(tx: &mut Tx, id: Id) -> Result<Organisation> {
    sqlx::query("SELECT id, name, is_default FROM organisation WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .as_ref()
        .map(organisation_from)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

pub async fn insert_organisation(tx: &mut Tx, name: &str, now: Timestamp) -> Result<Organisation> {
    let row = sqlx::query("INSERT INTO organisation (name, is_default, created_at) VALUES ($1, 0, $2) RETURNING id")
        .bind(name)
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await
        .map_err(|e| {
            if crate::is_unique_violation(&e) {
                StoreError::field("name", "There is already an organisation of that name")
            } else {
                e.into()
            }
        })?;
    organisation(tx, row.try_get("id")?).await
}

/// The organisation whose records the person is on.
pub async fn organisation_of(tx: &mut Tx, person_id: Id) -> Result<Id> {
    let row = sqlx::query("SELECT organisation_id FROM person WHERE id = $1").bind(person_id).fetch_optional(tx.conn()).await?;
    Ok(row.ok_or(StoreError::NotFound)?.try_get("organisation_id")?)
}

/// Moves a person onto another group member's records.
pub async fn set_organisation(tx: &mut Tx, person_id: Id, organisation_id: Id) -> Result<()> {
    organisation(tx, organisation_id).await.map_err(|_| StoreError::field("organisation_id", "No such organisation"))?;
    let r = sqlx::query("UPDATE person SET organisation_id = $2 WHERE id = $1")
        .bind(person_id)
        .bind(organisation_id)
        .execute(tx.conn())
        .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

// ---- agreements ----

const AGREEMENT_COLUMNS: &str =
    "id, partner, partner_organisation_id, recipient_type, purpose, lawful_basis, data_categories, transfer_method,
    security_requirements, starts_on, expires_on, owner, status, ended_on, ended_reason, version";

fn agreement_from(r: &AnyRow) -> Result<SharingAgreement> {
    let id: Id = r.try_get("id")?;
    let cats: String = r.try_get("data_categories")?;
    Ok(SharingAgreement {
        id,
        reference: format!("DSA-{id:06}"),
        partner: r.try_get("partner")?,
        partner_organisation_id: r.try_get("partner_organisation_id")?,
        recipient_type: vocab(r, "recipient_type", RecipientType::parse)?,
        purpose: r.try_get("purpose")?,
        lawful_basis: vocab(r, "lawful_basis", LawfulBasis::parse)?,
        data_categories: cats.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect(),
        transfer_method: r.try_get("transfer_method")?,
        security_requirements: r.try_get("security_requirements")?,
        starts_on: get_date(r, "starts_on")?,
        expires_on: get_date(r, "expires_on")?,
        owner: r.try_get("owner")?,
        status: vocab(r, "status", AgreementStatus::parse)?,
        ended_on: get_opt_date(r, "ended_on")?,
        ended_reason: r.try_get("ended_reason")?,
        version: r.try_get("version")?,
    })
}

pub async fn insert_agreement(tx: &mut Tx, f: &AgreementFields, by: Id, now: Timestamp) -> Result<SharingAgreement> {
    let row = sqlx::query(
        "INSERT INTO sharing_agreement (partner, partner_organisation_id, recipient_type, purpose, lawful_basis, data_categories,
             transfer_method, security_requirements, starts_on, expires_on, owner, status, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', $12, $13) RETURNING id",
    )
    .bind(&f.partner)
    .bind(f.partner_organisation_id)
    .bind(f.recipient_type.as_str())
    .bind(&f.purpose)
    .bind(f.lawful_basis.as_str())
    .bind(f.data_categories.join(","))
    .bind(&f.transfer_method)
    .bind(&f.security_requirements)
    .bind(date(f.starts_on))
    .bind(date(f.expires_on))
    .bind(&f.owner)
    .bind(by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await
    .map_err(|e| {
        if is_reference_violation(&e) {
            StoreError::field("partner_organisation_id", "No such organisation")
        } else {
            e.into()
        }
    })?;
    agreement(tx, row.try_get("id")?).await
}

pub async fn agreement(tx: &mut Tx, id: Id) -> Result<SharingAgreement> {
    let sql = format!("SELECT {AGREEMENT_COLUMNS} FROM sharing_agreement WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(agreement_from).transpose()?.ok_or(StoreError::NotFound)
}

/// Active agreements first, soonest expiry first; then ended ones.
pub async fn agreements(tx: &mut Tx) -> Result<Vec<SharingAgreement>> {
    let sql = format!(
        "SELECT {AGREEMENT_COLUMNS} FROM sharing_agreement ORDER BY CASE WHEN status = 'active' THEN 0 ELSE 1 END, expires_on, id LIMIT 1000"
    );
    sqlx::query(&sql).fetch_all(tx.conn()).await?.iter().map(agreement_from).collect()
}

/// Ends an agreement: its record stays, in the state "ended".
pub async fn end_agreement(tx: &mut Tx, id: Id, version: i64, on: Date, reason: &str) -> Result<SharingAgreement> {
    let r = sqlx::query(
        "UPDATE sharing_agreement SET status = 'ended', ended_on = $3, ended_reason = $4, version = version + 1
         WHERE id = $1 AND version = $2 AND status = 'active'",
    )
    .bind(id)
    .bind(version)
    .bind(date(on))
    .bind(reason)
    .execute(tx.conn())
    .await?;
    if r.rows_affected() == 0 && agreement(tx, id).await?.status == AgreementStatus::Ended {
        return Err(StoreError::field("agreement", "This agreement has already ended"));
    }
    check_versioned_update(tx, r.rows_affected(), "sharing_agreement", id).await?;
    agreement(tx, id).await
}

// ---- the disclosure register (append-only) ----

const DISCLOSURE_COLUMNS: &str = "d.id, d.kind, d.refers_to, d.recipient_type, d.recipient, d.verification, d.exemption, d.agreement_id,
    d.decision, d.detail, d.fields, d.method, d.disclosed_on, s.username AS recorded_by, d.recorded_at";

async fn disclosure_from(tx: &mut Tx, r: &AnyRow) -> Result<DisclosureEntry> {
    let id: Id = r.try_get("id")?;
    let fields: String = r.try_get("fields")?;
    let exemption: Option<String> = r.try_get("exemption")?;
    let decision: Option<String> = r.try_get("decision")?;
    let people = sqlx::query("SELECT person_id FROM disclosure_person WHERE disclosure_id = $1 ORDER BY person_id")
        .bind(id)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|p| p.try_get::<i64, _>("person_id"))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(DisclosureEntry {
        id,
        reference: format!("DIS-{id:06}"),
        kind: vocab(r, "kind", DisclosureEntryKind::parse)?,
        refers_to: r.try_get("refers_to")?,
        recipient_type: vocab(r, "recipient_type", RecipientType::parse)?,
        recipient: r.try_get("recipient")?,
        verification: r.try_get("verification")?,
        exemption: exemption
            .map(|e| DisclosureExemption::parse(&e).ok_or(StoreError::Corrupt { column: "exemption", value: e }))
            .transpose()?,
        agreement_id: r.try_get("agreement_id")?,
        decision: decision
            .map(|e| DisclosureDecision::parse(&e).ok_or(StoreError::Corrupt { column: "decision", value: e }))
            .transpose()?,
        detail: r.try_get("detail")?,
        person_ids: people,
        fields: fields.split('\n').filter(|c| !c.is_empty()).map(str::to_string).collect(),
        method: r.try_get("method")?,
        disclosed_on: get_opt_date(r, "disclosed_on")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: get_ts(r, "recorded_at")?,
    })
}

/// Appends an entry with the people it concerns.
pub async fn append_disclosure(tx: &mut Tx, d: &NewDisclosure, by: Id, now: Timestamp) -> Result<DisclosureEntry> {
    let row = sqlx::query(
        "INSERT INTO disclosure (kind, refers_to, recipient_type, recipient, verification, exemption, agreement_id, decision, detail,
             fields, method, disclosed_on, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(d.kind.as_str())
    .bind(d.refers_to)
    .bind(d.recipient_type.as_str())
    .bind(&d.recipient)
    .bind(&d.verification)
    .bind(d.exemption.map(|e| e.as_str()))
    .bind(d.agreement_id)
    .bind(d.decision.map(|e| e.as_str()))
    .bind(&d.detail)
    .bind(d.fields.iter().map(|f| f.replace('\n', " ")).collect::<Vec<_>>().join("\n"))
    .bind(&d.method)
    .bind(opt_date(d.disclosed_on))
    .bind(by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await
    .map_err(|e| if is_reference_violation(&e) { StoreError::NotFound } else { e.into() })?;
    let id: Id = row.try_get("id")?;
    for p in &d.person_ids {
        sqlx::query("INSERT INTO disclosure_person (disclosure_id, person_id) VALUES ($1, $2)").bind(id).bind(p).execute(tx.conn()).await?;
    }
    disclosure(tx, id).await
}

pub async fn disclosure(tx: &mut Tx, id: Id) -> Result<DisclosureEntry> {
    let sql = format!("SELECT {DISCLOSURE_COLUMNS} FROM disclosure d JOIN staff_user s ON s.id = d.recorded_by WHERE d.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.ok_or(StoreError::NotFound)?;
    disclosure_from(tx, &row).await
}

/// The register, newest first.
pub async fn disclosures(tx: &mut Tx, limit: i64) -> Result<Vec<DisclosureEntry>> {
    let sql =
        format!("SELECT {DISCLOSURE_COLUMNS} FROM disclosure d JOIN staff_user s ON s.id = d.recorded_by ORDER BY d.id DESC LIMIT $1");
    let rows = sqlx::query(&sql).bind(limit).fetch_all(tx.conn()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(disclosure_from(tx, r).await?);
    }
    Ok(out)
}

/// The entries that decide or correct `id`, oldest first.
pub async fn follow_ups(tx: &mut Tx, id: Id) -> Result<Vec<DisclosureEntry>> {
    let sql = format!(
        "SELECT {DISCLOSURE_COLUMNS} FROM disclosure d JOIN staff_user s ON s.id = d.recorded_by WHERE d.refers_to = $1 ORDER BY d.id"
    );
    let rows = sqlx::query(&sql).bind(id).fetch_all(tx.conn()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(disclosure_from(tx, r).await?);
    }
    Ok(out)
}

/// Entries in which the person's data left (decisions other than refusals,
/// extracts, returns), oldest first: for the person's access bundle.
pub async fn disclosures_of(tx: &mut Tx, person_id: Id) -> Result<Vec<DisclosureEntry>> {
    let sql = format!(
        "SELECT {DISCLOSURE_COLUMNS} FROM disclosure d JOIN staff_user s ON s.id = d.recorded_by
         JOIN disclosure_person dp ON dp.disclosure_id = d.id
         WHERE dp.person_id = $1 AND (d.kind IN ('extract', 'return') OR (d.kind = 'decision' AND d.decision <> 'refused'))
         ORDER BY d.id"
    );
    let rows = sqlx::query(&sql).bind(person_id).fetch_all(tx.conn()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(disclosure_from(tx, r).await?);
    }
    Ok(out)
}

// ---- what extracts are built from ----

/// What an extract may need about one person, and what rules them out.
#[derive(Debug, Clone)]
pub struct ExtractSubject {
    pub person_id: Id,
    pub organisation_id: Id,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<Date>,
    pub ni_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<(String, Option<String>, Option<String>, String)>,
    pub objects_to_sharing: bool,
    pub restricted: bool,
    pub marketing_opt_out: bool,
    pub objects_to_marketing: bool,
}

async fn preferred_contact(tx: &mut Tx, person_id: Id, kind: &str, today: Date) -> Result<Option<AnyRow>> {
    Ok(sqlx::query(
        "SELECT value, line1, line2, town, postcode FROM contact_point
         WHERE person_id = $1 AND kind = $2 AND (valid_until IS NULL OR valid_until >= $3)
         ORDER BY preferred DESC, id LIMIT 1",
    )
    .bind(person_id)
    .bind(kind)
    .bind(date(today))
    .fetch_optional(tx.conn())
    .await?)
}

/// One person as an extract sees them (their current preferred contact points).
pub async fn extract_subject(tx: &mut Tx, person_id: Id, today: Date) -> Result<ExtractSubject> {
    let p = crate::people::person(tx, person_id).await?;
    let organisation_id = organisation_of(tx, person_id).await?;
    let phone =
        preferred_contact(tx, person_id, "phone", today).await?.map(|r| r.try_get::<Option<String>, _>("value")).transpose()?.flatten();
    let email =
        preferred_contact(tx, person_id, "email", today).await?.map(|r| r.try_get::<Option<String>, _>("value")).transpose()?.flatten();
    let address = match preferred_contact(tx, person_id, "address", today).await? {
        Some(r) => Some((
            r.try_get::<Option<String>, _>("line1")?.unwrap_or_default(),
            r.try_get("line2")?,
            r.try_get("town")?,
            r.try_get::<Option<String>, _>("postcode")?.unwrap_or_default(),
        )),
        None => None,
    };
    let objects_to_sharing = crate::consent::objects_to(tx, person_id, ObjectionKind::Sharing).await?;
    let objects_to_marketing = crate::consent::objects_to(tx, person_id, ObjectionKind::DirectMarketing).await?;
    let restricted = crate::restrictions::active(tx, person_id).await?.is_some();
    let marketing_opt_out = crate::consent::preferences_of(tx, person_id).await?.is_some_and(|p| p.marketing_opt_out);
    Ok(ExtractSubject {
        person_id,
        organisation_id,
        given_name: p.given_name,
        family_name: p.family_name,
        date_of_birth: p.date_of_birth,
        ni_number: p.ni_number,
        phone,
        email,
        address,
        objects_to_sharing,
        restricted,
        marketing_opt_out,
        objects_to_marketing,
    })
}

/// A tenancy with its household, for the NFI extract and the CORE return.
#[derive(Debug, Clone)]
pub struct TenancyRow {
    pub tenancy_id: Id,
    pub reference: String,
    pub household_id: Id,
    pub tenure: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
}

fn tenancy_row(r: &AnyRow) -> Result<TenancyRow> {
    Ok(TenancyRow {
        tenancy_id: r.try_get("id")?,
        reference: r.try_get("reference")?,
        household_id: r.try_get("household_id")?,
        tenure: r.try_get("tenure")?,
        start_date: get_date(r, "start_date")?,
        end_date: get_opt_date(r, "end_date")?,
    })
}

/// Tenancies current on `on` (the NFI extract's population).
pub async fn current_tenancies(tx: &mut Tx, on: Date) -> Result<Vec<TenancyRow>> {
    sqlx::query(
        "SELECT id, reference, household_id, tenure, start_date, end_date FROM tenancy
         WHERE start_date <= $1 AND (end_date IS NULL OR end_date >= $1) ORDER BY id",
    )
    .bind(date(on))
    .fetch_all(tx.conn())
    .await?
    .iter()
    .map(tenancy_row)
    .collect()
}

/// Lettings: tenancies that started between `from` and `to` inclusive.
pub async fn lettings(tx: &mut Tx, from: Date, to: Date) -> Result<Vec<TenancyRow>> {
    sqlx::query(
        "SELECT id, reference, household_id, tenure, start_date, end_date FROM tenancy
         WHERE start_date >= $1 AND start_date <= $2 ORDER BY start_date, id",
    )
    .bind(date(from))
    .bind(date(to))
    .fetch_all(tx.conn())
    .await?
    .iter()
    .map(tenancy_row)
    .collect()
}

/// A household member on a day: who, in what role, born when.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub person_id: Id,
    pub role: HouseholdRole,
    pub date_of_birth: Option<Date>,
}

/// The household's members on `on`, tenants first.
pub async fn members_on(tx: &mut Tx, household_id: Id, on: Date) -> Result<Vec<MemberRow>> {
    let rows = sqlx::query(
        "SELECT m.person_id, m.role, p.date_of_birth FROM membership m JOIN person p ON p.id = m.person_id
         WHERE m.household_id = $1 AND m.role <> 'authorised_representative'
           AND (m.start_date IS NULL OR m.start_date <= $2) AND (m.end_date IS NULL OR m.end_date >= $2)
         ORDER BY CASE m.role WHEN 'tenant' THEN 0 WHEN 'joint_tenant' THEN 1 ELSE 2 END, m.id",
    )
    .bind(household_id)
    .bind(date(on))
    .fetch_all(tx.conn())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MemberRow {
                person_id: r.try_get("person_id")?,
                role: vocab(r, "role", HouseholdRole::parse)?,
                date_of_birth: get_opt_date(r, "date_of_birth")?,
            })
        })
        .collect()
}

/// The newest sealed equality capture of one person, if any.
pub async fn latest_edi(tx: &mut Tx, person_id: Id) -> Result<Option<String>> {
    Ok(sqlx::query("SELECT sealed FROM edi_record WHERE person_id = $1 ORDER BY id DESC LIMIT 1")
        .bind(person_id)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| r.try_get("sealed"))
        .transpose()?)
}
