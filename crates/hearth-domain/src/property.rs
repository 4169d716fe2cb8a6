//! Where people live and on what terms: properties, households, the roles
//! people hold in a household, and tenancies of the tenures in the seeds.
//! Ending a tenancy is a retention trigger, so its end date and reason are
//! recorded, never inferred.

use crate::people::optional_date;
use crate::validate;
use crate::{
    error::{FieldError, ValidationErrors},
    people::PersonKind,
    Id,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// Tenure types used by the landlords in the seeds.
    Tenure {
        AssuredShorthold => "assured_shorthold" / "Assured shorthold",
        Assured => "assured" / "Assured",
        DemotedAssuredShorthold => "demoted_assured_shorthold" / "Demoted assured shorthold",
        MarketRent => "market_rent" / "Market rent",
        AffordableRent => "affordable_rent" / "Affordable rent",
        RentToBuy => "rent_to_buy" / "Rent to buy",
        SharedOwnership => "shared_ownership" / "Shared ownership",
        Licence => "licence" / "Licence",
        Leasehold => "leasehold" / "Leasehold",
    }
}

crate::vocabulary! {
    /// The part a person plays in a household.
    HouseholdRole {
        Tenant => "tenant" / "Tenant",
        JointTenant => "joint_tenant" / "Joint tenant",
        Leaseholder => "leaseholder" / "Leaseholder",
        Licensee => "licensee" / "Licensee",
        HouseholdMember => "household_member" / "Household member",
        Child => "child" / "Child",
        Associate => "associate" / "Associate",
        AuthorisedRepresentative => "authorised_representative" / "Authorised representative",
    }
}

crate::vocabulary! {
    /// Why a tenancy ended.
    TenancyEndReason {
        TenantNotice => "tenant_notice" / "Notice given by the tenant",
        Death => "death" / "Death of the tenant",
        Transfer => "transfer" / "Transfer to another home",
        MutualExchange => "mutual_exchange" / "Mutual exchange",
        Eviction => "eviction" / "Possession order",
        Abandonment => "abandonment" / "Abandonment",
        Purchase => "purchase" / "Bought the home",
        Other => "other" / "Other reason",
    }
}

/// A rentable or leased home, identified nationally by its UPRN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Property {
    pub id: Id,
    pub uprn: i64,
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postcode: String,
    pub version: i64,
}

impl Property {
    pub fn address(&self) -> String {
        [Some(&self.line1), self.line2.as_ref(), Some(&self.town), Some(&self.postcode)]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropertyInput {
    pub uprn: Option<i64>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PropertyFields {
    pub uprn: i64,
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postcode: String,
}

impl PropertyInput {
    pub fn validate(&self) -> Result<PropertyFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let uprn = match self.uprn {
            None => {
                errs.push(FieldError::new("uprn", "Enter the property's UPRN"));
                None
            }
            Some(u) => errs.check(validate::uprn("uprn", u)),
        };
        let line1 = errs.check(validate::name("line1", self.line1.as_deref().unwrap_or(""), "first line of the address"));
        let line2 = errs.check(validate::optional_text("line2", self.line2.as_deref(), 100, "second line of the address")).flatten();
        let town = errs.check(validate::name("town", self.town.as_deref().unwrap_or(""), "town or city"));
        let postcode = errs.check(validate::postcode("postcode", self.postcode.as_deref().unwrap_or("")));
        errs.into_result()?;
        Ok(PropertyFields {
            uprn: uprn.expect("checked"),
            line1: line1.expect("checked"),
            line2,
            town: town.expect("checked"),
            postcode: postcode.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropertyUpdate {
    pub version: i64,
    #[serde(flatten)]
    pub fields: PropertyInput,
}

/// The people who live together at a property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Household {
    pub id: Id,
    pub property_id: Id,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdInput {
    pub property_id: Option<Id>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdUpdate {
    pub version: i64,
    #[serde(flatten)]
    pub fields: HouseholdInput,
}

impl HouseholdInput {
    pub fn validate(&self) -> Result<Id, ValidationErrors> {
        self.property_id.ok_or_else(|| FieldError::new("property_id", "Choose the property the household lives at").into())
    }
}

/// A person's role in a household, over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    pub id: Id,
    pub household_id: Id,
    pub person_id: Id,
    pub role: HouseholdRole,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub start_date: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub end_date: Option<Date>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipInput {
    pub person_id: Option<Id>,
    pub role: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MembershipFields {
    pub person_id: Id,
    pub role: HouseholdRole,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
}

impl MembershipInput {
    /// `person_kind` is the kind of the person named, looked up by the caller:
    /// the child role is for children and children hold no other role.
    pub fn validate(&self, person_kind: Option<PersonKind>) -> Result<MembershipFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let person_id = errs.check(self.person_id.ok_or_else(|| FieldError::new("person_id", "Choose the person")));
        let role = errs.check(
            HouseholdRole::parse(self.role.as_deref().unwrap_or("").trim())
                .ok_or_else(|| FieldError::new("role", "Choose a household role")),
        );
        match (person_kind, role) {
            (Some(PersonKind::Child), Some(r)) if r != HouseholdRole::Child => {
                errs.push(FieldError::new("role", "A child can only be a household member with the child role"))
            }
            (Some(PersonKind::Adult), Some(HouseholdRole::Child)) => {
                errs.push(FieldError::new("role", "The child role is for a person recorded as a child"))
            }
            _ => {}
        }
        let start_date = optional_date(&mut errs, "start_date", self.start_date.as_deref(), "Start date");
        let end_date = optional_date(&mut errs, "end_date", self.end_date.as_deref(), "End date");
        if let (Some(s), Some(e)) = (start_date, end_date) {
            if e < s {
                errs.push(FieldError::new("end_date", "End date must be the same as or after the start date"));
            }
        }
        errs.into_result()?;
        Ok(MembershipFields { person_id: person_id.expect("checked"), role: role.expect("checked"), start_date, end_date })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipUpdate {
    pub version: i64,
    #[serde(flatten)]
    pub fields: MembershipInput,
}

/// The agreement under which a household occupies a property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tenancy {
    pub id: Id,
    /// The landlord's own reference, e.g. `TEN-004512`.
    pub reference: String,
    pub household_id: Id,
    pub tenure: Tenure,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start_date: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub end_date: Option<Date>,
    pub end_reason: Option<TenancyEndReason>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenancyInput {
    pub reference: Option<String>,
    pub household_id: Option<Id>,
    /// One of the tenure codes, e.g. `assured`, `shared_ownership`.
    pub tenure: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub end_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TenancyFields {
    pub reference: String,
    pub household_id: Id,
    pub tenure: Tenure,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub end_reason: Option<TenancyEndReason>,
}

impl TenancyInput {
    pub fn validate(&self) -> Result<TenancyFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let reference =
            errs.check(validate::name("reference", self.reference.as_deref().unwrap_or(""), "tenancy reference").and_then(|r| {
                if r.len() <= 30 && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/') {
                    Ok(r.to_ascii_uppercase())
                } else {
                    Err(FieldError::new("reference", "Tenancy reference must be up to 30 letters, digits, hyphens or slashes"))
                }
            }));
        let household_id = errs.check(self.household_id.ok_or_else(|| FieldError::new("household_id", "Choose the household")));
        let tenure = errs.check(Tenure::parse(self.tenure.as_deref().unwrap_or("").trim()).ok_or_else(|| {
            let codes: Vec<_> = Tenure::ALL.iter().map(|t| t.label().to_lowercase()).collect();
            FieldError::new("tenure", format!("Choose the kind of tenancy: {}", codes.join(", ")))
        }));
        let start_date = errs.check(validate::iso_date("start_date", self.start_date.as_deref().unwrap_or(""), "Start date"));
        let end_date = optional_date(&mut errs, "end_date", self.end_date.as_deref(), "End date");
        let end_reason = match self.end_reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => errs.check(TenancyEndReason::parse(r).ok_or_else(|| FieldError::new("end_reason", "Choose why the tenancy ended"))),
        };
        if end_date.is_some() && end_reason.is_none() && !errs.0.iter().any(|e| e.field == "end_reason") {
            errs.push(FieldError::new("end_reason", "Choose why the tenancy ended"));
        }
        if end_date.is_none() && end_reason.is_some() {
            errs.push(FieldError::new("end_date", "Enter the date the tenancy ended"));
        }
        if let (Some(s), Some(e)) = (start_date, end_date) {
            if e < s {
                errs.push(FieldError::new("end_date", "End date must be the same as or after the start date"));
            }
        }
        errs.into_result()?;
        Ok(TenancyFields {
            reference: reference.expect("checked"),
            household_id: household_id.expect("checked"),
            tenure: tenure.expect("checked"),
            start_date: start_date.expect("checked"),
            end_date,
            end_reason,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenancyUpdate {
    pub version: i64,
    #[serde(flatten)]
    pub fields: TenancyInput,
}

// Where people live and on what terms; who they are is on their person record.
crate::holds_no_personal_data!(Property, Household, Membership, Tenancy);

#[cfg(test)]
mod tests {
    use super::*;

    fn tenancy() -> TenancyInput {
        TenancyInput {
            reference: Some("ten-000123".into()),
            household_id: Some(1),
            tenure: Some("assured".into()),
            start_date: Some("2019-04-01".into()),
            ..Default::default()
        }
    }

    #[test]
    fn every_seed_tenure_is_known() {
        assert_eq!(Tenure::ALL.len(), 9);
        for t in Tenure::ALL {
            assert_eq!(Tenure::parse(t.as_str()), Some(*t));
        }
    }

    #[test]
    fn unknown_tenure_names_the_field() {
        let t = TenancyInput { tenure: Some("freehold_castle".into()), ..tenancy() };
        let e = t.validate().unwrap_err();
        assert_eq!(e.0[0].field, "tenure");
    }

    #[test]
    fn ending_a_tenancy_needs_date_and_reason_in_order() {
        assert_eq!(tenancy().validate().unwrap().reference, "TEN-000123");
        let no_reason = TenancyInput { end_date: Some("2024-01-01".into()), ..tenancy() };
        assert_eq!(no_reason.validate().unwrap_err().0[0].field, "end_reason");
        let backwards = TenancyInput { end_date: Some("2018-01-01".into()), end_reason: Some("transfer".into()), ..tenancy() };
        assert_eq!(backwards.validate().unwrap_err().0[0].field, "end_date");
    }

    #[test]
    fn child_role_is_only_for_children() {
        let m = MembershipInput { person_id: Some(1), role: Some("tenant".into()), ..Default::default() };
        assert_eq!(m.validate(Some(PersonKind::Child)).unwrap_err().0[0].field, "role");
        let c = MembershipInput { person_id: Some(1), role: Some("child".into()), ..Default::default() };
        assert_eq!(c.validate(Some(PersonKind::Adult)).unwrap_err().0[0].field, "role");
        assert!(c.validate(Some(PersonKind::Child)).is_ok());
    }
}
