//! People and how to reach them: persons (adults and children), identity
//! evidence references and contact points.
//!
//! A child's record holds names and a date of birth only (DESIGN capability 1):
//! the rules here refuse anything else for a child, and the schema repeats the
//! rule so no other path can store it.

use crate::validate;
use crate::{
    error::{FieldError, ValidationErrors},
    Id,
};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// Adult or child: a child's record is limited to names and date of birth.
    PersonKind {
        Adult => "adult" / "Adult",
        Child => "child" / "Child",
    }
}

crate::vocabulary! {
    /// Kinds of document seen to check who someone is.
    EvidenceType {
        Passport => "passport" / "Passport",
        DrivingLicence => "driving_licence" / "Driving licence",
        BirthCertificate => "birth_certificate" / "Birth certificate",
        BiometricResidencePermit => "biometric_residence_permit" / "Biometric residence permit",
        UtilityBill => "utility_bill" / "Utility bill",
        BankStatement => "bank_statement" / "Bank statement",
        BenefitLetter => "benefit_letter" / "Benefit letter",
        Other => "other" / "Other document",
    }
}

crate::vocabulary! {
    /// The ways to reach a person; one contact point of each kind may be preferred.
    ContactPointKind {
        Phone => "phone" / "Phone number",
        Email => "email" / "Email address",
        Address => "address" / "Postal address",
    }
}

/// A customer or household member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: Id,
    pub kind: PersonKind,
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub date_of_birth: Option<Date>,
    pub ni_number: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Optimistic-lock version: send it back with an edit.
    pub version: i64,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// What a client sends to create a person. Enumerations and dates arrive as
/// text so a bad value is reported against its field, not as a parse failure.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonInput {
    /// `adult` (default) or `child`.
    pub kind: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub preferred_name: Option<String>,
    /// ISO date, e.g. `1984-06-02`.
    pub date_of_birth: Option<String>,
    pub ni_number: Option<String>,
}

/// A person's fields after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFields {
    pub kind: PersonKind,
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: Option<Date>,
    pub ni_number: Option<String>,
}

/// Reports a field that must be absent from a child's record.
fn child_refuses(errs: &mut ValidationErrors, field: &str, present: bool) {
    if present {
        errs.push(FieldError::new(field, "A child's record holds only names and date of birth"));
    }
}

impl PersonInput {
    pub fn validate(&self, today: Date) -> Result<PersonFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let kind = match self.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            None => Some(PersonKind::Adult),
            Some(k) => errs.check(PersonKind::parse(k).ok_or_else(|| FieldError::new("kind", "Kind must be adult or child"))),
        };
        let given_name = errs.check(validate::name("given_name", self.given_name.as_deref().unwrap_or(""), "given name"));
        let family_name = errs.check(validate::name("family_name", self.family_name.as_deref().unwrap_or(""), "family name"));
        let preferred_name =
            errs.check(validate::optional_text("preferred_name", self.preferred_name.as_deref(), 100, "preferred name")).flatten();
        let dob = match self.date_of_birth.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => errs.check(
                validate::iso_date("date_of_birth", d, "Date of birth").and_then(|d| validate::date_of_birth("date_of_birth", d, today)),
            ),
        };
        let ni = match self.ni_number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            None => None,
            Some(n) => errs.check(validate::ni_number("ni_number", n)),
        };
        if kind == Some(PersonKind::Child) {
            child_refuses(&mut errs, "preferred_name", preferred_name.is_some());
            child_refuses(&mut errs, "ni_number", self.ni_number.as_deref().is_some_and(|n| !n.trim().is_empty()));
            if self.date_of_birth.as_deref().is_none_or(|d| d.trim().is_empty()) {
                errs.push(FieldError::new("date_of_birth", "Enter the child's date of birth"));
            } else if let Some(d) = dob {
                if validate::age_on(d, today) >= 18 {
                    errs.push(FieldError::new("date_of_birth", "A child must be under 18; record an adult instead"));
                }
            }
        }
        errs.into_result()?;
        Ok(PersonFields {
            kind: kind.expect("checked"),
            given_name: given_name.expect("checked"),
            family_name: family_name.expect("checked"),
            preferred_name,
            date_of_birth: dob,
            ni_number: ni,
        })
    }
}

/// An edit to a person: all fields, plus the version the edit was based on.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonUpdate {
    pub version: i64,
    #[serde(flatten)]
    pub fields: PersonInput,
}

/// A reference to a document seen to confirm identity. Only the reference is
/// held (e.g. the last characters of a document number), never a scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityEvidence {
    pub id: Id,
    pub person_id: Id,
    pub evidence_type: EvidenceType,
    pub reference: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub seen_on: Date,
    /// Staff account that saw the document.
    pub recorded_by: Id,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityEvidenceInput {
    pub evidence_type: Option<String>,
    pub reference: Option<String>,
    /// ISO date the document was seen.
    pub seen_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IdentityEvidenceFields {
    pub evidence_type: EvidenceType,
    pub reference: String,
    pub seen_on: Date,
}

impl IdentityEvidenceInput {
    pub fn validate(&self, today: Date) -> Result<IdentityEvidenceFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let evidence_type = errs.check(
            EvidenceType::parse(self.evidence_type.as_deref().unwrap_or("").trim())
                .ok_or_else(|| FieldError::new("evidence_type", "Choose the type of identity document")),
        );
        let reference = errs.check(validate::name("reference", self.reference.as_deref().unwrap_or(""), "document reference"));
        let seen_on = errs.check(validate::iso_date("seen_on", self.seen_on.as_deref().unwrap_or(""), "Date seen").and_then(|d| {
            if d > today {
                Err(FieldError::new("seen_on", "Date seen must be today or in the past"))
            } else {
                Ok(d)
            }
        }));
        errs.into_result()?;
        Ok(IdentityEvidenceFields {
            evidence_type: evidence_type.expect("checked"),
            reference: reference.expect("checked"),
            seen_on: seen_on.expect("checked"),
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityEvidenceUpdate {
    pub version: i64,
    #[serde(flatten)]
    pub fields: IdentityEvidenceInput,
}

/// A phone number, email address or postal address for a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactPoint {
    pub id: Id,
    pub person_id: Id,
    pub kind: ContactPointKind,
    /// The phone number or email address; empty for a postal address.
    pub value: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    /// The one to use first among contact points of its kind.
    pub preferred: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_from: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_until: Option<Date>,
    pub version: i64,
}

impl ContactPoint {
    /// One line a person reads: the number, the email, or the address.
    pub fn display(&self) -> String {
        match self.kind {
            ContactPointKind::Address => {
                [&self.line1, &self.line2, &self.town, &self.postcode].into_iter().flatten().cloned().collect::<Vec<_>>().join(", ")
            }
            _ => self.value.clone().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactPointInput {
    /// `phone`, `email` or `address`.
    pub kind: Option<String>,
    pub value: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub preferred: Option<bool>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactPointFields {
    pub kind: ContactPointKind,
    pub value: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub preferred: bool,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
}

impl ContactPointInput {
    /// Validates a new contact point. `kind` comes from the input.
    pub fn validate(&self) -> Result<ContactPointFields, ValidationErrors> {
        let kind = ContactPointKind::parse(self.kind.as_deref().unwrap_or("").trim())
            .ok_or_else(|| FieldError::new("kind", "Kind must be phone, email or address"))?;
        self.validate_as(kind)
    }

    /// Validates the fields for a contact point of a known kind (edits keep their kind).
    pub fn validate_as(&self, kind: ContactPointKind) -> Result<ContactPointFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let (mut value, mut line1, mut line2, mut town, mut postcode) = (None, None, None, None, None);
        let value_in = self.value.as_deref().unwrap_or("");
        match kind {
            ContactPointKind::Phone => value = errs.check(validate::phone("value", value_in)),
            ContactPointKind::Email => value = errs.check(validate::email("value", value_in)),
            ContactPointKind::Address => {
                if !value_in.trim().is_empty() {
                    errs.push(FieldError::new("value", "A postal address uses line1, line2, town and postcode, not value"));
                }
                line1 = errs.check(validate::name("line1", self.line1.as_deref().unwrap_or(""), "first line of the address"));
                line2 = errs.check(validate::optional_text("line2", self.line2.as_deref(), 100, "second line of the address")).flatten();
                town = errs.check(validate::name("town", self.town.as_deref().unwrap_or(""), "town or city"));
                postcode = errs.check(validate::postcode("postcode", self.postcode.as_deref().unwrap_or("")));
            }
        }
        if kind != ContactPointKind::Address {
            for (field, v) in [("line1", &self.line1), ("line2", &self.line2), ("town", &self.town), ("postcode", &self.postcode)] {
                if v.as_deref().is_some_and(|s| !s.trim().is_empty()) {
                    errs.push(FieldError::new(field, format!("Only a postal address has {field}")));
                }
            }
        }
        let valid_from = optional_date(&mut errs, "valid_from", self.valid_from.as_deref(), "Valid from");
        let valid_until = optional_date(&mut errs, "valid_until", self.valid_until.as_deref(), "Valid until");
        if let (Some(f), Some(u)) = (valid_from, valid_until) {
            if u < f {
                errs.push(FieldError::new("valid_until", "Valid until must be the same as or after valid from"));
            }
        }
        errs.into_result()?;
        Ok(ContactPointFields {
            kind,
            value: value.map(|v| v.to_string()),
            line1,
            line2,
            town,
            postcode,
            preferred: self.preferred.unwrap_or(false),
            valid_from,
            valid_until,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactPointUpdate {
    pub version: i64,
    #[serde(flatten)]
    pub fields: ContactPointInput,
}

/// Parses an optional ISO date field, recording an error against `field`.
pub fn optional_date(errs: &mut ValidationErrors, field: &str, value: Option<&str>, what: &str) -> Option<Date> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => errs.check(validate::iso_date(field, v, what)),
    }
}

/// Filters for listing people. All given filters must match.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    pub kind: Option<PersonKind>,
    pub has_phone: bool,
    /// Each token must prefix-match the given, family or preferred name.
    pub name_tokens: Vec<String>,
    pub date_of_birth: Option<Date>,
    /// Compared without spaces, upper-case, against contact addresses and
    /// the property of any household the person belongs to.
    pub postcode: Option<String>,
    /// Prefix of the first address line.
    pub address: Option<String>,
    pub tenancy_reference: Option<String>,
    /// A phone number, compared by its national digits
    /// ([`crate::search::phone_key`]) with the person's phone numbers.
    pub phone: Option<String>,
    /// An email address, compared in lower case with the person's.
    pub email: Option<String>,
}

impl PersonFilter {
    pub fn is_search(&self) -> bool {
        !self.name_tokens.is_empty()
            || self.phone.is_some()
            || self.email.is_some()
            || self.date_of_birth.is_some()
            || self.postcode.is_some()
            || self.address.is_some()
            || self.tenancy_reference.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 23);

    fn adult() -> PersonInput {
        PersonInput {
            given_name: Some("Ada".into()),
            family_name: Some("Testperson".into()),
            date_of_birth: Some("1984-06-02".into()),
            ni_number: Some("ZX 12 34 56 C".into()),
            ..Default::default()
        }
    }

    fn fields_of(e: ValidationErrors) -> Vec<String> {
        e.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_adult_with_valid_details_is_accepted() {
        let p = adult().validate(TODAY).unwrap();
        assert_eq!(p.kind, PersonKind::Adult);
        assert_eq!(p.ni_number.as_deref(), Some("ZX123456C"));
    }

    #[test]
    fn names_are_required() {
        let p = PersonInput { given_name: Some("  ".into()), ..adult() };
        assert_eq!(fields_of(p.validate(TODAY).unwrap_err()), ["given_name"]);
    }

    #[test]
    fn a_child_holds_only_names_and_date_of_birth() {
        let child = PersonInput {
            kind: Some("child".into()),
            preferred_name: Some("Bo".into()),
            date_of_birth: Some("2019-01-05".into()),
            ..adult()
        };
        assert_eq!(fields_of(child.validate(TODAY).unwrap_err()), ["preferred_name", "ni_number"]);
        let ok = PersonInput { kind: Some("child".into()), ni_number: None, date_of_birth: Some("2019-01-05".into()), ..adult() };
        assert!(ok.validate(TODAY).is_ok());
    }

    #[test]
    fn a_child_needs_a_date_of_birth_under_eighteen() {
        let no_dob = PersonInput { kind: Some("child".into()), ni_number: None, date_of_birth: None, ..adult() };
        assert_eq!(fields_of(no_dob.validate(TODAY).unwrap_err()), ["date_of_birth"]);
        let grown = PersonInput { kind: Some("child".into()), ni_number: None, date_of_birth: Some("2000-01-01".into()), ..adult() };
        assert_eq!(fields_of(grown.validate(TODAY).unwrap_err()), ["date_of_birth"]);
    }

    #[test]
    fn impossible_or_future_dates_of_birth_are_refused() {
        for d in ["2023-02-30", "2030-01-01", "1850-01-01", "yesterday"] {
            let p = PersonInput { date_of_birth: Some(d.into()), ..adult() };
            assert_eq!(fields_of(p.validate(TODAY).unwrap_err()), ["date_of_birth"], "{d}");
        }
    }

    #[test]
    fn unknown_kind_is_named() {
        let p = PersonInput { kind: Some("robot".into()), ..adult() };
        assert_eq!(fields_of(p.validate(TODAY).unwrap_err()), ["kind"]);
    }

    #[test]
    fn contact_points_validate_by_kind() {
        let phone = ContactPointInput { kind: Some("phone".into()), value: Some("01632 960 001".into()), ..Default::default() };
        assert!(phone.validate().is_ok());
        let bad = ContactPointInput { kind: Some("phone".into()), value: Some("not a phone".into()), ..Default::default() };
        assert_eq!(fields_of(bad.validate().unwrap_err()), ["value"]);
        let addr = ContactPointInput {
            kind: Some("address".into()),
            line1: Some("12 Imaginary Row".into()),
            town: Some("Nowhereton".into()),
            postcode: Some("zz99 3ab".into()),
            ..Default::default()
        };
        assert_eq!(addr.validate().unwrap().postcode.as_deref(), Some("ZZ99 3AB"));
        let mixed = ContactPointInput { postcode: Some("ZZ99 3AB".into()), ..phone };
        assert_eq!(fields_of(mixed.validate().unwrap_err()), ["postcode"]);
    }

    #[test]
    fn validity_period_must_not_run_backwards() {
        let cp = ContactPointInput {
            kind: Some("email".into()),
            value: Some("ann@example.org".into()),
            valid_from: Some("2025-01-01".into()),
            valid_until: Some("2024-01-01".into()),
            ..Default::default()
        };
        assert_eq!(fields_of(cp.validate().unwrap_err()), ["valid_until"]);
    }
}

crate::classify! { Person as "person" {
    keep: id, kind, created_at, updated_at, version;
    given_name: Name, family_name: Name, preferred_name: Name,
    date_of_birth: Identifiers, ni_number: Identifiers,
} }

crate::classify! { IdentityEvidence as "identity_evidence" {
    keep: id, person_id, evidence_type, seen_on, recorded_by, version;
    reference: Identifiers,
} }

impl crate::classes::Classified for ContactPoint {
    const RECORD: &'static str = "contact_point";
    /// `value` is a phone number or an email address, by `kind`: it is
    /// withheld as whichever it is.
    const FIELDS: &'static [(&'static str, Option<crate::classes::DataClass>)] = &[
        ("id", None),
        ("person_id", None),
        ("kind", None),
        ("preferred", None),
        ("valid_from", None),
        ("valid_until", None),
        ("version", None),
        ("value", Some(crate::classes::DataClass::Phone)),
        ("line1", Some(crate::classes::DataClass::PostalAddress)),
        ("line2", Some(crate::classes::DataClass::PostalAddress)),
        ("town", Some(crate::classes::DataClass::PostalAddress)),
        ("postcode", Some(crate::classes::DataClass::PostalAddress)),
    ];
    fn withhold_classes(&mut self, permitted: crate::classes::ClassSet) {
        use crate::classes::{DataClass, Withhold};
        let ContactPoint {
            id: _,
            person_id: _,
            kind,
            value,
            line1,
            line2,
            town,
            postcode,
            preferred: _,
            valid_from: _,
            valid_until: _,
            version: _,
        } = self;
        let value_class = match kind {
            ContactPointKind::Email => DataClass::Email,
            ContactPointKind::Address => DataClass::PostalAddress,
            _ => DataClass::Phone,
        };
        if !permitted.contains(value_class) {
            value.withhold();
        }
        if !permitted.contains(DataClass::PostalAddress) {
            [line1, line2, town, postcode].into_iter().for_each(Withhold::withhold);
        }
    }
}

impl crate::classes::Project for ContactPoint {
    fn project(&mut self, permitted: crate::classes::ClassSet) {
        crate::classes::Classified::withhold_classes(self, permitted);
    }
}
