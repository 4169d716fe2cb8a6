//! Call recordings, as the contact log knows them: metadata only, filed in
//! the `recordings` compartment against a call entry.
//!
//! The landlord records calls only for the purposes its privacy notice
//! names (training and quality, fact verification, evidence of a transaction,
//! evidence of a tenancy breach), and keeps them under their own retention
//! class. A customer may record a call only with the staff member's consent;
//! a call the staff member ended because the customer recorded without it
//! needs a note, and the staff member's line manager is told. Pure rules: no
//! storage, no clock.

use crate::{
    contacts::Channel,
    error::{FieldError, ValidationErrors},
    Id,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// Why the landlord recorded a call.
    RecordingPurpose {
        TrainingQuality => "training_quality" / "Training and quality",
        FactVerification => "fact_verification" / "Fact verification",
        TransactionEvidence => "transaction_evidence" / "Evidence of a transaction",
        TenancyBreachEvidence => "tenancy_breach_evidence" / "Evidence of a tenancy breach",
    }
}

crate::vocabulary! {
    /// Who made the recording.
    RecordingMadeBy {
        Landlord => "landlord" / "Landlord",
        Customer => "customer" / "Customer",
    }
}

/// The retention class every call recording is kept under.
pub const CALL_RECORDING_RETENTION: &str = "call_recording";
const MAX_NOTE: usize = 4000;

/// Channels a recording can belong to.
pub fn is_call(c: Channel) -> bool {
    matches!(c, Channel::CallIn | Channel::CallOut)
}

/// A call recording's metadata as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallRecording {
    pub id: Id,
    /// The call in the contact log.
    pub contact_entry_id: Id,
    pub made_by: RecordingMadeBy,
    /// Landlord recordings: why.
    pub purpose: Option<RecordingPurpose>,
    /// Landlord recordings: where the telephony system keeps it.
    pub storage_ref: Option<String>,
    /// Always `call_recording`.
    pub retention_class: String,
    /// Customer recordings: whether the staff member consented.
    pub staff_consent: Option<bool>,
    /// Customer recordings: the staff member ended the call over it.
    pub call_ended: Option<bool>,
    pub note: Option<String>,
    pub recorded_by: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
}

/// What a client sends to record a call recording.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordingInput {
    /// The call's contact entry (an inbound or outbound call).
    pub contact_entry_id: Option<Id>,
    /// landlord (default) or customer.
    pub made_by: Option<String>,
    /// Landlord recordings: training_quality, fact_verification,
    /// transaction_evidence or tenancy_breach_evidence.
    pub purpose: Option<String>,
    /// Landlord recordings: the telephony system's reference.
    pub storage_ref: Option<String>,
    /// Customer recordings: whether you consented to being recorded.
    pub staff_consent: Option<bool>,
    /// Customer recordings: you ended the call because you did not consent.
    pub call_ended: Option<bool>,
    /// What happened; required when the call was ended.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordingFields {
    pub contact_entry_id: Id,
    pub made_by: RecordingMadeBy,
    pub purpose: Option<RecordingPurpose>,
    pub storage_ref: Option<String>,
    pub staff_consent: Option<bool>,
    pub call_ended: Option<bool>,
    pub note: Option<String>,
}

impl RecordingFields {
    /// The line manager must be told: the call was ended over a recording
    /// the staff member had not agreed to.
    pub fn tells_line_manager(&self) -> bool {
        self.call_ended == Some(true)
    }
}

impl RecordingInput {
    pub fn validate(&self) -> Result<RecordingFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let entry =
            errs.check(self.contact_entry_id.ok_or_else(|| FieldError::new("contact_entry_id", "Choose the call this recording is of")));
        let made_by = match self.made_by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(RecordingMadeBy::Landlord),
            Some(s) => {
                errs.check(RecordingMadeBy::parse(s).ok_or_else(|| FieldError::new("made_by", "Made by must be landlord or customer")))
            }
        };
        let note = match self.note.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) if v.chars().count() > MAX_NOTE => {
                errs.push(FieldError::new("note", format!("The note must be {MAX_NOTE} characters or fewer")));
                None
            }
            Some(v) if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) => {
                errs.push(FieldError::new("note", "The note must not contain control characters"));
                None
            }
            other => other.map(str::to_string),
        };
        let storage_ref =
            errs.check(crate::validate::optional_text("storage_ref", self.storage_ref.as_deref(), 200, "storage reference")).flatten();
        let purpose_text = self.purpose.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut purpose = None;
        match made_by {
            Some(RecordingMadeBy::Landlord) => {
                purpose = match purpose_text {
                    None => {
                        errs.push(FieldError::new(
                            "purpose",
                            "Choose why the call was recorded: training_quality, fact_verification, transaction_evidence or tenancy_breach_evidence",
                        ));
                        None
                    }
                    Some(p) => errs.check(RecordingPurpose::parse(p).ok_or_else(|| {
                        FieldError::new(
                            "purpose",
                            "A call is recorded only for training_quality, fact_verification, transaction_evidence or tenancy_breach_evidence",
                        )
                    })),
                };
                if storage_ref.is_none() {
                    errs.push(FieldError::new("storage_ref", "Enter where the telephony system keeps the recording"));
                }
                for (field, present) in [("staff_consent", self.staff_consent.is_some()), ("call_ended", self.call_ended.is_some())] {
                    if present {
                        errs.push(FieldError::new(field, "Only a customer's recording has this field"));
                    }
                }
            }
            Some(RecordingMadeBy::Customer) => {
                if purpose_text.is_some() {
                    errs.push(FieldError::new("purpose", "A customer's recording has no purpose of ours"));
                }
                if self.staff_consent.is_none() {
                    errs.push(FieldError::new("staff_consent", "Say whether you consented to the customer recording the call"));
                }
                if self.call_ended == Some(true) {
                    if self.staff_consent == Some(true) {
                        errs.push(FieldError::new("call_ended", "A call is ended over a recording only when you did not consent"));
                    }
                    if note.is_none() {
                        errs.push(FieldError::new("note", "Explain what happened: the call was ended because of an unconsented recording"));
                    }
                }
            }
            None => {}
        }
        errs.into_result()?;
        let made_by = made_by.expect("checked");
        Ok(RecordingFields {
            contact_entry_id: entry.expect("checked"),
            made_by,
            purpose,
            storage_ref,
            staff_consent: self.staff_consent.filter(|_| made_by == RecordingMadeBy::Customer),
            call_ended: (made_by == RecordingMadeBy::Customer).then(|| self.call_ended.unwrap_or(false)),
            note,
        })
    }
}

crate::vocabulary! {
    /// What a notification to a staff member is about.
    NotificationKind {
        CallEndedUnconsentedRecording => "call_ended_unconsented_recording" / "Call ended over an unconsented recording",
        RightsRequestReceived => "rights_request_received" / "Rights request received",
        ComplaintReceived => "complaint_received" / "Complaint received",
        AsbReportReceived => "asb_report_received" / "Antisocial behaviour report received",
    }
}

/// A message to one staff member. It names records by id only, so it
/// carries no customer's personal data to someone who may not see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: Id,
    pub kind: NotificationKind,
    pub message: String,
    /// The staff member it is about.
    pub about_staff_id: Option<Id>,
    pub recording_id: Option<Id>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(i: &RecordingInput) -> Vec<String> {
        i.validate().unwrap_err().0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_landlord_recording_needs_a_named_purpose_and_a_reference() {
        let ok = RecordingInput {
            contact_entry_id: Some(1),
            purpose: Some("fact_verification".into()),
            storage_ref: Some("TEL-2026-0001".into()),
            ..Default::default()
        };
        let f = ok.validate().unwrap();
        assert_eq!((f.made_by, f.purpose), (RecordingMadeBy::Landlord, Some(RecordingPurpose::FactVerification)));
        assert_eq!(fields(&RecordingInput { purpose: Some("marketing".into()), ..ok.clone() }), ["purpose"]);
        assert_eq!(fields(&RecordingInput { storage_ref: None, ..ok.clone() }), ["storage_ref"]);
        assert_eq!(fields(&RecordingInput { staff_consent: Some(true), ..ok }), ["staff_consent"]);
    }

    #[test]
    fn ending_a_call_over_a_customer_recording_needs_a_note_and_tells_the_manager() {
        let ended = RecordingInput {
            contact_entry_id: Some(1),
            made_by: Some("customer".into()),
            staff_consent: Some(false),
            call_ended: Some(true),
            ..Default::default()
        };
        assert_eq!(fields(&ended), ["note"]);
        let f = RecordingInput { note: Some("Caller was recording; I ended the call and offered email".into()), ..ended.clone() }
            .validate()
            .unwrap();
        assert!(f.tells_line_manager());
        assert_eq!(fields(&RecordingInput { staff_consent: Some(true), note: Some("x".into()), ..ended }), ["call_ended"]);
        let consented =
            RecordingInput { contact_entry_id: Some(1), made_by: Some("customer".into()), staff_consent: Some(true), ..Default::default() };
        let f = consented.validate().unwrap();
        assert!(!f.tells_line_manager() && f.call_ended == Some(false));
    }
}

crate::classify! { CallRecording as "call_recording" {
    keep: id, contact_entry_id, made_by, purpose, storage_ref, retention_class, staff_consent, call_ended, recorded_by, recorded_at;
    note: FreeText,
} }
