//! Reporter anonymity (seed 000, 3.1.3–3.1.5): the grounds on which an
//! anonymous reporter's identity may be revealed, the request for it, and the
//! letters a case sends to one named party, which never name the reporter.

use crate::{
    error::{FieldError, ValidationErrors},
    Id,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    OverrideGround {
        CourtOrder => "court_order" / "Court order",
        PoliceRequest => "police_request" / "Police request",
        BestInterestsPreventHarm => "best_interests_prevent_harm" / "Best interests: to prevent harm",
    }
}

/// A request to reveal an anonymous reporter, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverrideInput {
    /// The case party id of the anonymous reporter (from the case's parties).
    pub party_id: Option<Id>,
    /// court_order, police_request or best_interests_prevent_harm.
    pub ground: Option<String>,
    /// What the ground is: the order's reference, the officer and crime number, the harm to prevent.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OverrideFields {
    pub party_id: Id,
    pub ground: OverrideGround,
    pub detail: String,
}

impl OverrideInput {
    pub fn validate(&self) -> Result<OverrideFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let party_id = errs.check(self.party_id.ok_or_else(|| FieldError::new("party_id", "Choose the anonymous reporter")));
        let ground = match self.ground.as_deref().map(str::trim).filter(|g| !g.is_empty()) {
            None => errs.check::<OverrideGround>(Err(FieldError::new(
                "ground",
                "Give the ground: a court order, a police request or best interests to prevent harm",
            ))),
            Some(g) => errs.check(
                OverrideGround::parse(g)
                    .ok_or_else(|| FieldError::new("ground", "Ground must be court_order, police_request or best_interests_prevent_harm")),
            ),
        };
        let detail = self.detail.as_deref().unwrap_or("").trim().to_string();
        match detail.chars().count() {
            0..10 => errs.push(FieldError::new("detail", "Describe the ground in at least 10 characters")),
            2001.. => errs.push(FieldError::new("detail", "The detail must be 2000 characters or fewer")),
            _ => {}
        }
        errs.into_result()?;
        Ok(OverrideFields { party_id: party_id.expect("checked"), ground: ground.expect("checked"), detail })
    }
}

/// An override request and, once a second person approves it, its approval.
/// It names the case party, never the person behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnonymityOverride {
    pub id: Id,
    pub case_id: Id,
    pub case_reference: String,
    pub party_id: Id,
    pub ground: OverrideGround,
    pub detail: String,
    pub requested_by: Id,
    pub requested_by_username: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub requested_at: Timestamp,
    pub approved_by: Option<Id>,
    pub approved_by_username: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub approved_at: Option<Timestamp>,
}

impl AnonymityOverride {
    pub fn is_approved(&self) -> bool {
        self.approved_at.is_some()
    }
}

/// Whether `text` names a person by full name, or by a family name of three
/// letters or more that no named party shares (a shared one proves nothing).
/// Used to keep an anonymous reporter's name out of a case's own words.
pub fn names_person(text: &str, given: &str, family: &str, named_families: &[&str]) -> bool {
    let text = text.to_lowercase();
    let (given, family) = (given.trim().to_lowercase(), family.trim().to_lowercase());
    if text.contains(&format!("{given} {family}")) {
        return true;
    }
    if family.chars().count() < 3 || named_families.iter().any(|f| f.trim().to_lowercase() == family) {
        return false;
    }
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-').any(|w| w == family)
}

/// A generated letter about a case to one named party. `text` is the whole
/// letter as printed; the other fields are its parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseLetter {
    pub case_id: Id,
    pub case_reference: String,
    /// acknowledgement (to a reporter), report_received (to an alleged perpetrator) or update.
    pub kind: String,
    pub from_lines: Vec<String>,
    pub to_lines: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: jiff::civil::Date,
    pub subject: String,
    pub salutation: String,
    pub paragraphs: Vec<String>,
    pub sign_off: Vec<String>,
    pub text: String,
    /// Written to an anonymous reporter: printed by hand, never sent and
    /// logged, so nothing on their record links them to the case.
    pub to_anonymous_reporter: bool,
}

/// The landlord's letterhead. Plainly fake: Hearth ships no real landlord.
pub const LANDLORD_LINES: &[&str] = &["Example Homes (Test Data) Ltd", "1 Sample Street", "Testville", "ZZ99 9ZZ"];

// Built by `Gate::case_letter` from the case and the one party it is written to.
crate::assembled_in_the_gate!(CaseLetter);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reporter_is_named_by_full_name_or_an_unshared_family_name() {
        assert!(names_person("Mr QUILLON HUSHWORTH says it is loud", "Quillon", "Hushworth", &[]));
        assert!(names_person("Reported by Hushworth.", "Quillon", "Hushworth", &[]));
        assert!(!names_person("Hushworthy Road", "Quillon", "Hushworth", &[]), "whole words only");
        assert!(!names_person("Smith household noise", "Ann", "Smith", &["Smith"]), "shared with a named party");
        assert!(!names_person("Loud music", "Quillon", "Hushworth", &[]));
    }

    #[test]
    fn an_override_needs_a_ground_and_detail() {
        let none = OverrideInput { party_id: Some(1), ground: None, detail: None };
        let fields: Vec<_> = none.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["ground", "detail"]);
        let bad =
            OverrideInput { party_id: Some(1), ground: Some("curiosity".into()), detail: Some("Because we would like to know".into()) };
        assert_eq!(bad.validate().unwrap_err().0[0].field, "ground");
        let ok = OverrideInput {
            party_id: Some(1),
            ground: Some("court_order".into()),
            detail: Some("Order ZZ-TEST-1 of the county court".into()),
        };
        assert_eq!(ok.validate().unwrap().ground, OverrideGround::CourtOrder);
    }
}

crate::classify! { AnonymityOverride as "anonymity_override" {
    keep: id, case_id, case_reference, party_id, ground, requested_by, requested_by_username, requested_at, approved_by,
        approved_by_username, approved_at;
    detail: FreeText,
} }
