//! Mental capacity and best interests (Mental Capacity Act 2005; seed 000
//! sections 3.1.6–3.1.9).
//!
//! Owns: capacity assessments (the decision in question, who assessed, when,
//! the outcome), best-interests shares and who they may go to, requests that
//! information not be held, and the pure rules between them: capacity is
//! presumed, so a best-interests share needs an assessment that found the
//! person lacks capacity for that decision; a request not to hold
//! information becomes due for removal once an assessment on or after it
//! finds the person has capacity. It must never read the clock or storage.

use crate::validate::optional_text;
use crate::{
    error::{FieldError, ValidationErrors},
    Id,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// What an assessment found about the decision in question.
    CapacityOutcome {
        HasCapacity => "has_capacity" / "Has capacity to make this decision",
        LacksCapacity => "lacks_capacity" / "Lacks capacity to make this decision",
    }
}

crate::vocabulary! {
    /// Who information may be shared with in a person's best interests
    /// (seed 000 section 3.1.8); nobody else.
    BestInterestsRecipient {
        NamedConsultee => "named_consultee" / "Someone the person named to be consulted",
        Carer => "carer" / "Someone caring for the person",
        RelativeOrFriend => "relative_or_friend" / "A close relative, friend or other who takes an interest in their welfare",
        LpaAttorney => "lpa_attorney" / "Attorney under a Lasting Power of Attorney",
        EpaAttorney => "epa_attorney" / "Attorney under an Enduring Power of Attorney",
        CourtDeputy => "court_deputy" / "Deputy appointed by the Court of Protection",
        Agency => "agency" / "An agency: police, social care, mental health or health care",
    }
}

fn required(errs: &mut ValidationErrors, field: &str, value: Option<&str>, max: usize, what: &str, missing: &str) -> Option<String> {
    let v = errs.check(optional_text(field, value, max, what)).flatten();
    if v.is_none() && !errs.0.iter().any(|e| e.field == field) {
        errs.push(FieldError::new(field, missing));
    }
    v
}

fn past_date(errs: &mut ValidationErrors, field: &str, value: Option<&str>, what: &str, today: Date) -> Option<Date> {
    let d = match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(today),
        Some(v) => errs.check(crate::validate::iso_date(field, v, what)),
    };
    if d.is_some_and(|d| d > today) {
        errs.push(FieldError::new(field, format!("{what} must be today or in the past")));
        return None;
    }
    d
}

/// A capacity assessment as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentInput {
    /// The decision in question: capacity is about one decision at one time.
    pub decision: Option<String>,
    /// Why there was a reasonable belief the person might lack capacity.
    pub reason: Option<String>,
    pub assessor_name: Option<String>,
    /// The assessor's profession: a relevant, qualified health practitioner.
    pub assessor_role: Option<String>,
    /// ISO date; default today. Not in the future.
    pub assessed_on: Option<String>,
    pub outcome: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentFields {
    pub decision: String,
    pub reason: String,
    pub assessor_name: String,
    pub assessor_role: String,
    pub assessed_on: Date,
    pub outcome: CapacityOutcome,
    pub notes: Option<String>,
}

impl AssessmentInput {
    pub fn validate(&self, today: Date) -> Result<AssessmentFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let decision =
            required(&mut errs, "decision", self.decision.as_deref(), 500, "decision", "Say which decision the assessment was about");
        let reason = required(
            &mut errs,
            "reason",
            self.reason.as_deref(),
            2000,
            "reason",
            "Say why there was reason to believe the person might lack capacity: capacity is presumed",
        );
        let assessor_name =
            required(&mut errs, "assessor_name", self.assessor_name.as_deref(), 200, "assessor's name", "Enter the assessor's name");
        let assessor_role = required(
            &mut errs,
            "assessor_role",
            self.assessor_role.as_deref(),
            200,
            "assessor's profession",
            "Enter the assessor's profession, for example community psychiatric nurse",
        );
        let assessed_on = past_date(&mut errs, "assessed_on", self.assessed_on.as_deref(), "Date of the assessment", today);
        let outcome = errs.check(
            CapacityOutcome::parse(self.outcome.as_deref().unwrap_or("").trim())
                .ok_or_else(|| FieldError::new("outcome", "Choose what the assessment found")),
        );
        let notes = errs.check(optional_text("notes", self.notes.as_deref(), 4000, "notes")).flatten();
        errs.into_result()?;
        Ok(AssessmentFields {
            decision: decision.expect("checked"),
            reason: reason.expect("checked"),
            assessor_name: assessor_name.expect("checked"),
            assessor_role: assessor_role.expect("checked"),
            assessed_on: assessed_on.expect("checked"),
            outcome: outcome.expect("checked"),
            notes,
        })
    }
}

/// A stored capacity assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CapacityAssessment {
    pub id: Id,
    pub person_id: Id,
    pub decision: String,
    pub reason: String,
    pub assessor_name: String,
    pub assessor_role: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub assessed_on: Date,
    pub outcome: CapacityOutcome,
    pub notes: Option<String>,
    pub recorded_by: String,
    /// RFC 3339.
    pub recorded_at: String,
}

/// A best-interests share as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareInput {
    /// The assessment that found the person lacks capacity for the decision.
    pub assessment_id: Option<Id>,
    pub recipient: Option<String>,
    pub recipient_name: Option<String>,
    /// What was shared: need to know only.
    pub what: Option<String>,
    /// Why sharing it is in the person's best interests.
    pub why: Option<String>,
    /// ISO date; default today. Not in the future.
    pub shared_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareFields {
    pub assessment_id: Id,
    pub recipient: BestInterestsRecipient,
    pub recipient_name: String,
    pub what: String,
    pub why: String,
    pub shared_on: Date,
}

impl ShareInput {
    pub fn validate(&self, today: Date) -> Result<ShareFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        if self.assessment_id.is_none() {
            errs.push(FieldError::new("assessment_id", "Choose the assessment that found the person lacks capacity"));
        }
        let recipient = errs.check(
            BestInterestsRecipient::parse(self.recipient.as_deref().unwrap_or("").trim())
                .ok_or_else(|| FieldError::new("recipient", "Choose who the information goes to: only those the policy allows")),
        );
        let recipient_name = required(
            &mut errs,
            "recipient_name",
            self.recipient_name.as_deref(),
            200,
            "recipient's name",
            "Enter the recipient's name or agency",
        );
        let what =
            required(&mut errs, "what", self.what.as_deref(), 2000, "description", "Say what was shared: only what they need to know");
        let why = required(&mut errs, "why", self.why.as_deref(), 2000, "reason", "Say why sharing it is in the person's best interests");
        let shared_on = past_date(&mut errs, "shared_on", self.shared_on.as_deref(), "Date shared", today);
        errs.into_result()?;
        Ok(ShareFields {
            assessment_id: self.assessment_id.expect("checked"),
            recipient: recipient.expect("checked"),
            recipient_name: recipient_name.expect("checked"),
            what: what.expect("checked"),
            why: why.expect("checked"),
            shared_on: shared_on.expect("checked"),
        })
    }
}

/// The rule of section 3.1.8: a best-interests share rests on an assessment
/// of this person that found they lack capacity, made on or before the share.
pub fn share_allowed(a: &CapacityAssessment, person_id: Id, shared_on: Date) -> Result<(), FieldError> {
    if a.person_id != person_id {
        return Err(FieldError::new("assessment_id", "That assessment is of someone else"));
    }
    if a.outcome != CapacityOutcome::LacksCapacity {
        return Err(FieldError::new(
            "assessment_id",
            "That assessment found the person has capacity: capacity is presumed, so nothing is shared in their best interests without their consent",
        ));
    }
    if a.assessed_on > shared_on {
        return Err(FieldError::new("shared_on", "A share cannot come before the assessment it rests on"));
    }
    Ok(())
}

/// A stored best-interests share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BestInterestsShare {
    pub id: Id,
    pub person_id: Id,
    pub assessment_id: Id,
    pub recipient: BestInterestsRecipient,
    pub recipient_name: String,
    pub what: String,
    pub why: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub shared_on: Date,
    pub recorded_by: String,
    /// RFC 3339.
    pub recorded_at: String,
}

/// A person's request that information they gave not be held, as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotHeldInput {
    /// ISO date; default today. Not in the future.
    pub requested_on: Option<String>,
    /// What the person asked us not to hold, in their terms.
    pub what: Option<String>,
    /// The person's needs records that hold it, to be removed.
    #[serde(default)]
    pub need_ids: Vec<Id>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotHeldFields {
    pub requested_on: Date,
    pub what: String,
    pub need_ids: Vec<Id>,
}

impl NotHeldInput {
    pub fn validate(&self, today: Date) -> Result<NotHeldFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let requested_on = past_date(&mut errs, "requested_on", self.requested_on.as_deref(), "Date of the request", today);
        let what = required(&mut errs, "what", self.what.as_deref(), 2000, "description", "Say what the person asked us not to hold");
        let mut need_ids = self.need_ids.clone();
        need_ids.sort_unstable();
        need_ids.dedup();
        if need_ids.is_empty() {
            errs.push(FieldError::new("need_ids", "Choose the records that hold the information"));
        }
        errs.into_result()?;
        Ok(NotHeldFields { requested_on: requested_on.expect("checked"), what: what.expect("checked"), need_ids })
    }
}

/// Where a request not to hold information stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotHeldState {
    /// No assessment since the request: the information stays for now.
    AwaitingAssessment,
    /// The latest assessment since the request found the person lacks capacity.
    KeptLacksCapacity,
    /// An assessment since the request found the person has capacity: remove on confirmation.
    DueForRemoval,
    Removed,
}

/// The rule of section 3.1.9, from the person's assessments.
pub fn not_held_state(requested_on: Date, removed: bool, assessments: &[CapacityAssessment]) -> NotHeldState {
    if removed {
        return NotHeldState::Removed;
    }
    match assessments.iter().filter(|a| a.assessed_on >= requested_on).max_by_key(|a| (a.assessed_on, a.id)) {
        None => NotHeldState::AwaitingAssessment,
        Some(a) if a.outcome == CapacityOutcome::HasCapacity => NotHeldState::DueForRemoval,
        Some(_) => NotHeldState::KeptLacksCapacity,
    }
}

/// A stored request not to hold information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotHeldRequest {
    pub id: Id,
    pub person_id: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub requested_on: Date,
    pub what: String,
    pub need_ids: Vec<Id>,
    pub recorded_by: String,
    /// RFC 3339.
    pub recorded_at: String,
    pub removed_by: Option<String>,
    /// RFC 3339.
    pub removed_at: Option<String>,
    pub state: NotHeldState,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn assessment(id: Id, on: Date, outcome: CapacityOutcome) -> CapacityAssessment {
        CapacityAssessment {
            id,
            person_id: 7,
            decision: "Whether to move to sheltered housing".into(),
            reason: "Repeated confusion about the tenancy".into(),
            assessor_name: "Dr Imaginary".into(),
            assessor_role: "Community psychiatric nurse".into(),
            assessed_on: on,
            outcome,
            notes: None,
            recorded_by: "officer".into(),
            recorded_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn sharing_needs_an_assessment_finding_the_person_lacks_capacity() {
        let lacks = assessment(1, date(2026, 3, 1), CapacityOutcome::LacksCapacity);
        assert!(share_allowed(&lacks, 7, date(2026, 3, 2)).is_ok());
        assert_eq!(share_allowed(&lacks, 8, date(2026, 3, 2)).unwrap_err().field, "assessment_id");
        assert_eq!(share_allowed(&lacks, 7, date(2026, 2, 28)).unwrap_err().field, "shared_on");
        let has = assessment(2, date(2026, 3, 1), CapacityOutcome::HasCapacity);
        assert!(share_allowed(&has, 7, date(2026, 3, 2)).unwrap_err().message.contains("presumed"));
    }

    #[test]
    fn a_request_not_to_hold_is_due_once_a_later_assessment_finds_capacity() {
        use CapacityOutcome::*;
        let asked = date(2026, 4, 1);
        assert_eq!(not_held_state(asked, false, &[]), NotHeldState::AwaitingAssessment);
        let before = assessment(1, date(2026, 3, 1), HasCapacity);
        assert_eq!(
            not_held_state(asked, false, std::slice::from_ref(&before)),
            NotHeldState::AwaitingAssessment,
            "only assessments since count"
        );
        let lacks = assessment(2, date(2026, 4, 10), LacksCapacity);
        assert_eq!(not_held_state(asked, false, &[before.clone(), lacks.clone()]), NotHeldState::KeptLacksCapacity);
        let has = assessment(3, date(2026, 5, 1), HasCapacity);
        assert_eq!(not_held_state(asked, false, &[before, lacks, has]), NotHeldState::DueForRemoval);
        assert_eq!(not_held_state(asked, true, &[]), NotHeldState::Removed);
    }

    #[test]
    fn inputs_name_every_missing_field() {
        let today = date(2026, 6, 1);
        let err = AssessmentInput::default().validate(today).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["decision", "reason", "assessor_name", "assessor_role", "outcome"]);
        let err = ShareInput { recipient: Some("neighbour".into()), ..Default::default() }.validate(today).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["assessment_id", "recipient", "recipient_name", "what", "why"]);
        let ok = NotHeldInput { what: Some("Her history of depression".into()), need_ids: vec![3, 1, 3], ..Default::default() }
            .validate(today)
            .unwrap();
        assert_eq!((ok.need_ids, ok.requested_on), (vec![1, 3], today));
    }
}

crate::classify! { CapacityAssessment as "capacity_assessment" {
    keep: id, person_id, assessor_name, assessor_role, assessed_on, outcome, recorded_by, recorded_at;
    decision: SpecialCategory, reason: SpecialCategory, notes: SpecialCategory,
} }

crate::classify! { BestInterestsShare as "best_interests_share" {
    keep: id, person_id, assessment_id, recipient, recipient_name, shared_on, recorded_by, recorded_at;
    what: SpecialCategory, why: SpecialCategory,
} }

crate::classify! { NotHeldRequest as "not_held_request" {
    keep: id, person_id, requested_on, need_ids, recorded_by, recorded_at, removed_by, removed_at, state;
    what: SpecialCategory,
} }
