//! Authorised representatives and caller checks (seed 004 "When you contact
//! us"): who may speak for a person, about what, on what evidence and for how
//! long; and the security check a contact-centre advisor makes before
//! disclosing anything about an account on a call.
//!
//! Owns the closed lists (relationship, scope, evidence, checks), the pure
//! validation of what staff enter, and the rules of what a representative's
//! scope opens and when a representative is current. It never reads the
//! clock: callers pass `today` and `now` in.

use crate::{FieldError, Id, ValidationErrors};
use jiff::civil::Date;
use jiff::SignedDuration;
use serde::Deserialize;

/// How many security questions a caller must answer before account details
/// are disclosed to them as the customer.
pub const REQUIRED_CALLER_CHECKS: usize = 2;

/// How long a caller check lasts: the length of a long call. A check is for
/// the call, not the day: the next call is checked again.
pub const CALLER_CHECK_LASTS: SignedDuration = SignedDuration::from_mins(30);

crate::vocabulary! {
    /// Who the representative is to the person.
    RepresentativeRelationship {
        Relative => "relative" / "Relative",
        Friend => "friend" / "Friend",
        Advocate => "advocate" / "Advocate",
        SupportWorker => "support_worker" / "Support worker",
        Solicitor => "solicitor" / "Solicitor",
        Attorney => "attorney" / "Attorney under a lasting or enduring power",
        Deputy => "deputy" / "Court of Protection deputy",
        ElectedRepresentative => "elected_representative" / "Councillor or MP",
    }
}

crate::vocabulary! {
    /// What a representative may deal with on the person's behalf.
    RepresentativeScope {
        DiscussAccount => "discuss_account" / "Discuss the account",
        ActOnRepairs => "act_on_repairs" / "Act on repairs",
        Everything => "everything" / "Everything",
    }
}

crate::vocabulary! {
    /// What shows the person gave (or a court or registry conferred) the authority.
    AuthorityEvidence {
        SignedAuthorityForm => "signed_authority_form" / "Signed authority form",
        VerbalConsentRecordedCall => "verbal_consent_recorded_call" / "Verbal consent from the customer on a recorded call",
        LpaRegistration => "lpa_registration" / "Lasting or enduring power of attorney registration",
        DeputyshipOrder => "deputyship_order" / "Court of Protection deputyship order",
        ElectedRepresentativeEnquiry => "elected_representative_enquiry" / "Written enquiry from a councillor or MP",
    }
}

crate::vocabulary! {
    /// A security question the caller answered correctly.
    CallerCheckItem {
        FullName => "full_name" / "Full name",
        DateOfBirth => "date_of_birth" / "Date of birth",
        Address => "address" / "Address and postcode",
        TenancyReference => "tenancy_reference" / "Tenancy or rent account reference",
        SecurityAnswer => "security_answer" / "Answer to their security question",
    }
}

crate::vocabulary! {
    /// What part of a person's records a caller check opens to the advisor.
    /// The access policies name these (context `caller_checked`).
    CallerCheckArea {
        Account => "account" / "the account (tenancy and contact history)",
        Repairs => "repairs" / "repairs",
    }
}

impl RepresentativeScope {
    /// Whether acting under this scope lets the caller hear about `area`.
    pub fn covers(self, area: CallerCheckArea) -> bool {
        match self {
            RepresentativeScope::Everything => true,
            RepresentativeScope::DiscussAccount => area == CallerCheckArea::Account,
            RepresentativeScope::ActOnRepairs => area == CallerCheckArea::Repairs,
        }
    }
}

/// A representative as staff enter it. Either `person_id` (someone on file)
/// or `name` and `phone` (someone not on file).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepresentativeInput {
    /// The representative's own person record, when they are on file.
    pub person_id: Option<Id>,
    /// The representative's name, when they are not on file.
    pub name: Option<String>,
    /// A number to call the representative back on, when they are not on file.
    pub phone: Option<String>,
    pub relationship: Option<String>,
    /// discuss_account, act_on_repairs or everything.
    pub scope: Option<String>,
    pub evidence: Option<String>,
    /// The form's reference, the recorded call's reference, the LPA or deputyship order number.
    pub evidence_reference: Option<String>,
    /// ISO date; default today.
    pub valid_from: Option<String>,
    /// ISO date, after `valid_from`; none for an open-ended authority.
    pub expires_on: Option<String>,
}

/// Validated representative fields, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct RepresentativeFields {
    pub person_id: Option<Id>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub relationship: RepresentativeRelationship,
    pub scope: RepresentativeScope,
    pub evidence: AuthorityEvidence,
    pub evidence_reference: String,
    pub valid_from: Date,
    pub expires_on: Option<Date>,
}

fn choice<T: Copy>(errs: &mut ValidationErrors, field: &str, value: Option<&str>, parse: fn(&str) -> Option<T>, msg: &str) -> Option<T> {
    errs.check(parse(value.unwrap_or("").trim()).ok_or_else(|| FieldError::new(field, msg)))
}

fn date(errs: &mut ValidationErrors, field: &str, value: Option<&str>, what: &str) -> Option<Option<Date>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(None),
        Some(v) => errs.check(crate::validate::iso_date(field, v, what)).map(Some),
    }
}

impl RepresentativeInput {
    pub fn validate(&self, today: Date) -> Result<RepresentativeFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let (name, phone) = match (self.person_id, given(&self.name), given(&self.phone)) {
            (Some(_), None, None) => (None, None),
            (Some(_), _, _) => {
                errs.push(FieldError::new("name", "Give either the representative's record or their name and phone number, not both"));
                (None, None)
            }
            (None, None, _) => {
                errs.push(FieldError::new("name", "Enter the representative's name, or choose their record"));
                (None, None)
            }
            (None, Some(n), p) => {
                let name = errs.check(crate::validate::name("name", &n, "representative's name"));
                let phone = match p {
                    None => {
                        errs.push(FieldError::new("phone", "Enter a phone number for the representative"));
                        None
                    }
                    Some(p) => errs.check(crate::validate::phone("phone", &p)),
                };
                (name, phone)
            }
        };
        let relationship = choice(
            &mut errs,
            "relationship",
            self.relationship.as_deref(),
            RepresentativeRelationship::parse,
            "Choose who the representative is to the person",
        );
        let scope =
            choice(&mut errs, "scope", self.scope.as_deref(), RepresentativeScope::parse, "Choose what the representative may deal with");
        let evidence =
            choice(&mut errs, "evidence", self.evidence.as_deref(), AuthorityEvidence::parse, "Choose the evidence of their authority");
        let evidence_reference = match self.evidence_reference.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => {
                errs.push(FieldError::new("evidence_reference", "Enter the evidence's reference, like the form or call reference"));
                None
            }
            Some(v) => errs.check(crate::validate::optional_text("evidence_reference", Some(v), 200, "evidence reference")).flatten(),
        };
        let valid_from = date(&mut errs, "valid_from", self.valid_from.as_deref(), "Valid from").map(|d| d.unwrap_or(today));
        let expires_on = date(&mut errs, "expires_on", self.expires_on.as_deref(), "Expiry date");
        if let (Some(Some(e)), Some(f)) = (expires_on, valid_from) {
            if e <= f {
                errs.push(FieldError::new("expires_on", "Expiry date must be after the date the authority starts"));
            }
        }
        // Lasting powers and deputyships are only evidenced by their registration or order.
        if let (Some(r), Some(e)) = (relationship, evidence) {
            let needs = match r {
                RepresentativeRelationship::Attorney => Some(AuthorityEvidence::LpaRegistration),
                RepresentativeRelationship::Deputy => Some(AuthorityEvidence::DeputyshipOrder),
                _ => None,
            };
            if needs.is_some_and(|n| n != e) {
                errs.push(FieldError::new(
                    "evidence",
                    format!("A {} is evidenced by the {}", r.label(), needs.unwrap().label().to_lowercase()),
                ));
            }
        }
        errs.into_result()?;
        Ok(RepresentativeFields {
            person_id: self.person_id,
            name,
            phone,
            relationship: relationship.unwrap(),
            scope: scope.unwrap(),
            evidence: evidence.unwrap(),
            evidence_reference: evidence_reference.unwrap(),
            valid_from: valid_from.unwrap(),
            expires_on: expires_on.unwrap(),
        })
    }
}

/// Why a representative's authority ends.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndRepresentativeInput {
    pub reason: Option<String>,
}

impl EndRepresentativeInput {
    pub fn validate(&self) -> Result<String, ValidationErrors> {
        let r = self.reason.as_deref().map(str::trim).unwrap_or("");
        if r.chars().count() < 5 {
            return Err(FieldError::new("reason", "Give the reason the authority ends").into());
        }
        Ok(crate::validate::optional_text("reason", Some(r), 2000, "reason")?.unwrap_or_default())
    }
}

/// A caller check as the advisor records it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallerCheckInput {
    /// The security questions the caller answered correctly, when the caller
    /// is the person: at least [`REQUIRED_CALLER_CHECKS`] of full_name,
    /// date_of_birth, address, tenancy_reference, security_answer.
    #[serde(default)]
    pub checks_passed: Vec<String>,
    /// The representative the caller is, when they are not the person.
    pub representative_id: Option<Id>,
    /// What the caller asks about: account (default) or repairs.
    pub area: Option<String>,
}

/// What was checked: the caller's own answers, or their standing as a representative.
#[derive(Debug, Clone, PartialEq)]
pub enum CallerCheckBasis {
    Questions(Vec<CallerCheckItem>),
    Representative(Id),
}

/// A validated caller check; `passed` is false when too few questions were
/// answered (the attempt is still recorded).
#[derive(Debug, Clone, PartialEq)]
pub struct CallerCheckFields {
    pub basis: CallerCheckBasis,
    pub area: CallerCheckArea,
}

impl CallerCheckInput {
    /// Parses the input; too few questions is an error naming `checks_passed`.
    pub fn validate(&self) -> Result<CallerCheckFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let area = match self.area.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Some(CallerCheckArea::Account),
            Some(a) => errs.check(CallerCheckArea::parse(a).ok_or_else(|| FieldError::new("area", "Choose account or repairs"))),
        };
        let mut items = vec![];
        let mut unknown = false;
        for c in &self.checks_passed {
            match CallerCheckItem::parse(c.trim()) {
                Some(i) if !items.contains(&i) => items.push(i),
                Some(_) => {}
                None => unknown = true,
            }
        }
        let basis = match (self.representative_id, items.is_empty()) {
            _ if unknown => {
                errs.push(FieldError::new("checks_passed", "Choose only the security questions listed"));
                None
            }
            (Some(_), false) => {
                errs.push(FieldError::new(
                    "representative_id",
                    "Record either the security questions the customer answered or the representative calling, not both",
                ));
                None
            }
            (Some(r), true) => Some(CallerCheckBasis::Representative(r)),
            (None, _) if items.len() < REQUIRED_CALLER_CHECKS => {
                errs.push(FieldError::new(
                    "checks_passed",
                    format!("The caller must answer at least {REQUIRED_CALLER_CHECKS} security questions before we discuss the account"),
                ));
                None
            }
            (None, _) => Some(CallerCheckBasis::Questions(items)),
        };
        errs.into_result()?;
        Ok(CallerCheckFields { basis: basis.unwrap(), area: area.unwrap() })
    }
}

/// Whether a representative's authority is in force on `today`.
pub fn representative_current(valid_from: Date, expires_on: Option<Date>, ended: bool, today: Date) -> Result<(), &'static str> {
    if ended {
        Err("their authority has been ended")
    } else if valid_from > today {
        Err("their authority has not started yet")
    } else if expires_on.is_some_and(|e| e <= today) {
        Err("their authority has expired")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        jiff::civil::date(2026, 6, 1)
    }

    #[test]
    fn a_representative_needs_a_record_or_a_name_and_phone() {
        let base = RepresentativeInput {
            relationship: Some("relative".into()),
            scope: Some("discuss_account".into()),
            evidence: Some("signed_authority_form".into()),
            evidence_reference: Some("FORM-1".into()),
            ..Default::default()
        };
        let e = base.validate(today()).unwrap_err();
        assert_eq!(e.0[0].field, "name");
        let ok = RepresentativeInput { name: Some("Sam Fakename".into()), phone: Some("01632 960 001".into()), ..base.clone() };
        assert_eq!(ok.validate(today()).unwrap().valid_from, today());
        let on_file = RepresentativeInput { person_id: Some(3), ..base };
        assert!(on_file.validate(today()).is_ok());
    }

    #[test]
    fn an_attorney_needs_the_lpa_registration() {
        let i = RepresentativeInput {
            person_id: Some(3),
            relationship: Some("attorney".into()),
            scope: Some("everything".into()),
            evidence: Some("signed_authority_form".into()),
            evidence_reference: Some("X".into()),
            ..Default::default()
        };
        assert_eq!(i.validate(today()).unwrap_err().0[0].field, "evidence");
    }

    #[test]
    fn too_few_questions_name_the_field() {
        let i = CallerCheckInput { checks_passed: vec!["full_name".into()], ..Default::default() };
        assert_eq!(i.validate().unwrap_err().0[0].field, "checks_passed");
        let i = CallerCheckInput { checks_passed: vec!["full_name".into(), "full_name".into()], ..Default::default() };
        assert!(i.validate().is_err(), "the same question twice is one question");
        let i = CallerCheckInput { checks_passed: vec!["full_name".into(), "date_of_birth".into()], ..Default::default() };
        assert!(i.validate().is_ok());
    }

    #[test]
    fn scopes_cover_their_areas() {
        assert!(!RepresentativeScope::ActOnRepairs.covers(CallerCheckArea::Account));
        assert!(RepresentativeScope::ActOnRepairs.covers(CallerCheckArea::Repairs));
        assert!(RepresentativeScope::Everything.covers(CallerCheckArea::Account));
        assert_eq!(representative_current(today(), Some(today()), false, today()), Err("their authority has expired"));
    }
}
