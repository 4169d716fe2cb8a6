//! Queries for properties, households, household memberships and tenancies.

use crate::time::{date, get_date, get_opt_date, opt_date, ts};
use crate::{check_versioned_update, is_reference_violation, is_unique_violation, vocab, Page, Result, StoreError, Tx};
use hearth_domain::validate::postcode_key;
use hearth_domain::{
    property::{
        Household, HouseholdRole, Membership, MembershipFields, Property, PropertyFields, Tenancy, TenancyEndReason, TenancyFields, Tenure,
    },
    Id,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

// ---- properties ----

const PROPERTY_COLUMNS: &str = "id, uprn, line1, line2, town, postcode, version";

fn property_from(row: &AnyRow) -> Result<Property> {
    Ok(Property {
        id: row.try_get("id")?,
        uprn: row.try_get("uprn")?,
        line1: row.try_get("line1")?,
        line2: row.try_get("line2")?,
        town: row.try_get("town")?,
        postcode: row.try_get("postcode")?,
        version: row.try_get("version")?,
    })
}

fn uprn_taken(e: sqlx::Error) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::field("uprn", "A property with this UPRN already exists")
    } else {
        e.into()
    }
}

pub async fn insert_property(tx: &mut Tx, p: &PropertyFields, now: Timestamp) -> Result<Property> {
    let sql = format!(
        "INSERT INTO property (uprn, line1, line2, town, postcode, postcode_key, line1_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {PROPERTY_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(p.uprn)
        .bind(&p.line1)
        .bind(&p.line2)
        .bind(&p.town)
        .bind(&p.postcode)
        .bind(postcode_key(&p.postcode))
        .bind(p.line1.to_lowercase())
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await
        .map_err(uprn_taken)?;
    property_from(&row)
}

pub async fn property(tx: &mut Tx, id: Id) -> Result<Property> {
    let sql = format!("SELECT {PROPERTY_COLUMNS} FROM property WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(property_from).transpose()?.ok_or(StoreError::NotFound)
}

pub async fn list_properties(tx: &mut Tx, after: Option<Id>, limit: i64) -> Result<Page<Property>> {
    let sql = format!("SELECT {PROPERTY_COLUMNS} FROM property WHERE id > $1 ORDER BY id LIMIT $2");
    let rows = sqlx::query(&sql).bind(after.unwrap_or(0)).bind(limit + 1).fetch_all(tx.conn()).await?;
    Ok(Page::from_rows(rows.iter().map(property_from).collect::<Result<_>>()?, limit, |p: &Property| p.id))
}

/// Properties a picker's search text may mean: a postcode, a UPRN, or the
/// start of the first address line (each through its own index).
pub async fn find_properties(tx: &mut Tx, text: &str, limit: i64) -> Result<Vec<Property>> {
    let text = text.trim();
    let rows = if hearth_domain::validate::postcode("q", text).is_ok() {
        let sql = format!("SELECT {PROPERTY_COLUMNS} FROM property WHERE postcode_key = $1 ORDER BY line1_key, id LIMIT $2");
        sqlx::query(&sql).bind(postcode_key(text)).bind(limit).fetch_all(tx.conn()).await?
    } else if let Ok(uprn) = text.parse::<i64>() {
        let sql = format!("SELECT {PROPERTY_COLUMNS} FROM property WHERE uprn = $1 LIMIT $2");
        sqlx::query(&sql).bind(uprn).bind(limit).fetch_all(tx.conn()).await?
    } else {
        // The key is lower-case; the range keeps it a prefix search an index serves.
        let from = text.to_lowercase();
        let to = format!("{from}\u{10ffff}");
        let sql =
            format!("SELECT {PROPERTY_COLUMNS} FROM property WHERE line1_key >= $1 AND line1_key < $2 ORDER BY line1_key, id LIMIT $3");
        sqlx::query(&sql).bind(&from).bind(&to).bind(limit).fetch_all(tx.conn()).await?
    };
    rows.iter().map(property_from).collect()
}

pub async fn update_property(tx: &mut Tx, id: Id, version: i64, p: &PropertyFields) -> Result<Property> {
    let r = sqlx::query(
        "UPDATE property SET uprn = $3, line1 = $4, line2 = $5, town = $6, postcode = $7, postcode_key = $8, line1_key = $9, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(p.uprn)
    .bind(&p.line1)
    .bind(&p.line2)
    .bind(&p.town)
    .bind(&p.postcode)
    .bind(postcode_key(&p.postcode))
    .bind(p.line1.to_lowercase())
    .execute(tx.conn())
    .await
    .map_err(uprn_taken)?;
    check_versioned_update(tx, r.rows_affected(), "property", id).await?;
    property(tx, id).await
}

// ---- households ----

fn household_from(row: &AnyRow) -> Result<Household> {
    Ok(Household { id: row.try_get("id")?, property_id: row.try_get("property_id")?, version: row.try_get("version")? })
}

fn no_such(field: &'static str, what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| if is_reference_violation(&e) { StoreError::field(field, &format!("No such {what}")) } else { e.into() }
}

pub async fn insert_household(tx: &mut Tx, property_id: Id, now: Timestamp) -> Result<Household> {
    let row = sqlx::query("INSERT INTO household (property_id, created_at) VALUES ($1, $2) RETURNING id, property_id, version")
        .bind(property_id)
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await
        .map_err(no_such("property_id", "property"))?;
    household_from(&row)
}

pub async fn household(tx: &mut Tx, id: Id) -> Result<Household> {
    sqlx::query("SELECT id, property_id, version FROM household WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .as_ref()
        .map(household_from)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

pub async fn list_households(tx: &mut Tx, after: Option<Id>, limit: i64) -> Result<Page<Household>> {
    let rows = sqlx::query("SELECT id, property_id, version FROM household WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after.unwrap_or(0))
        .bind(limit + 1)
        .fetch_all(tx.conn())
        .await?;
    Ok(Page::from_rows(rows.iter().map(household_from).collect::<Result<_>>()?, limit, |h: &Household| h.id))
}

pub async fn update_household(tx: &mut Tx, id: Id, version: i64, property_id: Id) -> Result<Household> {
    let r = sqlx::query("UPDATE household SET property_id = $3, version = version + 1 WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .bind(property_id)
        .execute(tx.conn())
        .await
        .map_err(no_such("property_id", "property"))?;
    check_versioned_update(tx, r.rows_affected(), "household", id).await?;
    household(tx, id).await
}

/// The households a person is (or was) a member of.
pub(crate) const HOUSEHOLDS_OF: &str =
    "SELECT DISTINCT h.id, h.property_id, h.version FROM household h JOIN membership m ON m.household_id = h.id WHERE m.person_id = $1 ORDER BY h.id";

pub async fn households_of(tx: &mut Tx, person_id: Id) -> Result<Vec<Household>> {
    let rows = sqlx::query(HOUSEHOLDS_OF).bind(person_id).fetch_all(tx.conn()).await?;
    rows.iter().map(household_from).collect()
}

// ---- memberships ----

const MEMBERSHIP_COLUMNS: &str = "id, household_id, person_id, role, start_date, end_date, version";

fn membership_from(row: &AnyRow) -> Result<Membership> {
    Ok(Membership {
        id: row.try_get("id")?,
        household_id: row.try_get("household_id")?,
        person_id: row.try_get("person_id")?,
        role: vocab(row, "role", HouseholdRole::parse)?,
        start_date: get_opt_date(row, "start_date")?,
        end_date: get_opt_date(row, "end_date")?,
        version: row.try_get("version")?,
    })
}

pub async fn insert_membership(tx: &mut Tx, household_id: Id, m: &MembershipFields, now: Timestamp) -> Result<Membership> {
    let sql = format!(
        "INSERT INTO membership (household_id, person_id, role, start_date, end_date, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {MEMBERSHIP_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(household_id)
        .bind(m.person_id)
        .bind(m.role.as_str())
        .bind(opt_date(m.start_date))
        .bind(opt_date(m.end_date))
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await
        .map_err(no_such("person_id", "person or household"))?;
    membership_from(&row)
}

pub async fn membership(tx: &mut Tx, id: Id) -> Result<Membership> {
    let sql = format!("SELECT {MEMBERSHIP_COLUMNS} FROM membership WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(membership_from).transpose()?.ok_or(StoreError::NotFound)
}

pub(crate) fn members_of_sql() -> String {
    format!("SELECT {MEMBERSHIP_COLUMNS} FROM membership WHERE household_id = $1 ORDER BY id")
}

pub async fn members_of(tx: &mut Tx, household_id: Id) -> Result<Vec<Membership>> {
    let sql = members_of_sql();
    sqlx::query(&sql).bind(household_id).fetch_all(tx.conn()).await?.iter().map(membership_from).collect()
}

pub async fn update_membership(tx: &mut Tx, id: Id, version: i64, m: &MembershipFields) -> Result<Membership> {
    let r = sqlx::query("UPDATE membership SET person_id = $3, role = $4, start_date = $5, end_date = $6, version = version + 1 WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .bind(m.person_id)
        .bind(m.role.as_str())
        .bind(opt_date(m.start_date))
        .bind(opt_date(m.end_date))
        .execute(tx.conn())
        .await
        .map_err(no_such("person_id", "person"))?;
    check_versioned_update(tx, r.rows_affected(), "membership", id).await?;
    membership(tx, id).await
}

// ---- tenancies ----

const TENANCY_COLUMNS: &str = "id, reference, household_id, tenure, start_date, end_date, end_reason, version";

fn tenancy_from(row: &AnyRow) -> Result<Tenancy> {
    let end_reason: Option<String> = row.try_get("end_reason")?;
    Ok(Tenancy {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        household_id: row.try_get("household_id")?,
        tenure: vocab(row, "tenure", Tenure::parse)?,
        start_date: get_date(row, "start_date")?,
        end_date: get_opt_date(row, "end_date")?,
        end_reason: end_reason
            .map(|r| TenancyEndReason::parse(&r).ok_or(StoreError::Corrupt { column: "end_reason", value: r }))
            .transpose()?,
        version: row.try_get("version")?,
    })
}

fn tenancy_error(e: sqlx::Error) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::field("reference", "A tenancy with this reference already exists")
    } else if is_reference_violation(&e) {
        StoreError::field("household_id", "No such household")
    } else {
        e.into()
    }
}

pub async fn insert_tenancy(tx: &mut Tx, t: &TenancyFields, now: Timestamp) -> Result<Tenancy> {
    let sql = format!(
        "INSERT INTO tenancy (reference, household_id, tenure, start_date, end_date, end_reason, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {TENANCY_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(&t.reference)
        .bind(t.household_id)
        .bind(t.tenure.as_str())
        .bind(date(t.start_date))
        .bind(opt_date(t.end_date))
        .bind(t.end_reason.map(|r| r.as_str()))
        .bind(ts(now))
        .fetch_one(tx.conn())
        .await
        .map_err(tenancy_error)?;
    tenancy_from(&row)
}

pub async fn tenancy(tx: &mut Tx, id: Id) -> Result<Tenancy> {
    let sql = format!("SELECT {TENANCY_COLUMNS} FROM tenancy WHERE id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(tenancy_from).transpose()?.ok_or(StoreError::NotFound)
}

pub async fn list_tenancies(tx: &mut Tx, after: Option<Id>, limit: i64) -> Result<Page<Tenancy>> {
    let sql = format!("SELECT {TENANCY_COLUMNS} FROM tenancy WHERE id > $1 ORDER BY id LIMIT $2");
    let rows = sqlx::query(&sql).bind(after.unwrap_or(0)).bind(limit + 1).fetch_all(tx.conn()).await?;
    Ok(Page::from_rows(rows.iter().map(tenancy_from).collect::<Result<_>>()?, limit, |t: &Tenancy| t.id))
}

pub(crate) fn tenancies_of_household_sql() -> String {
    format!("SELECT {TENANCY_COLUMNS} FROM tenancy WHERE household_id = $1 ORDER BY start_date DESC, id DESC")
}

pub async fn tenancies_of_household(tx: &mut Tx, household_id: Id) -> Result<Vec<Tenancy>> {
    let sql = tenancies_of_household_sql();
    sqlx::query(&sql).bind(household_id).fetch_all(tx.conn()).await?.iter().map(tenancy_from).collect()
}

pub async fn update_tenancy(tx: &mut Tx, id: Id, version: i64, t: &TenancyFields, now: Timestamp) -> Result<Tenancy> {
    let r = sqlx::query(
        "UPDATE tenancy SET reference = $3, household_id = $4, tenure = $5, start_date = $6, end_date = $7, end_reason = $8, updated_at = $9, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(&t.reference)
    .bind(t.household_id)
    .bind(t.tenure.as_str())
    .bind(date(t.start_date))
    .bind(opt_date(t.end_date))
    .bind(t.end_reason.map(|r| r.as_str()))
    .bind(ts(now))
    .execute(tx.conn())
    .await
    .map_err(tenancy_error)?;
    check_versioned_update(tx, r.rows_affected(), "tenancy", id).await?;
    tenancy(tx, id).await
}
