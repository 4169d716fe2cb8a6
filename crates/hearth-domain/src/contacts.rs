//! The contact log: every significant contact with a customer, by any channel.
//!
//! An entry belongs to one compartment (general contacts in `contact_log`,
//! or ASB, safeguarding, care, financial, complaints, repairs, tenancy), so
//! who may read it follows the same need-to-know rules as the rest of that
//! compartment. An entry filed on a case is in the case's compartment: the
//! gate derives it from the case. Verbatim text is
//! kept only with a stated reason; social media posts only when they are a
//! service request; all-customer mailings are never contacts. A mixed
//! submission may be split into parts in different compartments.

use crate::{
    access::Compartment,
    error::{FieldError, ValidationErrors},
    Id,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// How the contact happened.
    Channel {
        CallIn => "call_in" / "Inbound call",
        CallOut => "call_out" / "Outbound call",
        CallAttempt => "call_attempt" / "Attempted call",
        Appointment => "appointment" / "Appointment",
        DoorKnock => "door_knock" / "Door-knock",
        WalkaboutRequest => "walkabout_request" / "Neighbourhood walkabout request",
        LetterIn => "letter_in" / "Letter received",
        LetterOut => "letter_out" / "Letter sent",
        EmailIn => "email_in" / "Email received",
        EmailOut => "email_out" / "Email sent",
        SmsIn => "sms_in" / "Text message received",
        SmsOut => "sms_out" / "Text message sent",
        WebForm => "web_form" / "Web form",
        WebChat => "web_chat" / "Web chat",
        Chatbot => "chatbot" / "Chatbot",
        LiveAgent => "live_agent" / "Live agent",
        SocialMedia => "social_media" / "Social media",
    }
}

crate::vocabulary! {
    /// What happened at an appointment at an agreed place.
    AppointmentOutcome {
        Attended => "attended" / "Attended",
        NoAccess => "no_access" / "No access",
        FailedToAttend => "failed_to_attend" / "Failed to attend",
    }
}

crate::vocabulary! {
    /// The only reasons for keeping a customer's exact words.
    VerbatimReason {
        Complaint => "complaint" / "Complaint",
        Appeal => "appeal" / "Appeal",
        LegalMatter => "legal_matter" / "Legal matter",
        IndividualNeeds => "individual_needs" / "Individual needs",
    }
}

/// The compartments a contact (or a document) may be filed in: the general
/// log, income, and every compartment a case can be in, because a record
/// filed on a case takes the case's compartment.
pub const CONTACT_COMPARTMENTS: &[Compartment] = &[
    Compartment::ContactLog,
    Compartment::Asb,
    Compartment::Safeguarding,
    Compartment::Care,
    Compartment::Financial,
    Compartment::Complaints,
    Compartment::Repairs,
    Compartment::Tenancy,
];

/// [`CONTACT_COMPARTMENTS`] as clients name them, for messages.
pub const CONTACT_COMPARTMENT_NAMES: &str = "general, asb, safeguarding, care, financial, complaints, repairs or tenancy";

/// The message for a compartment that is not one of [`CONTACT_COMPARTMENTS`].
pub fn not_a_contact_compartment() -> String {
    format!("Compartment must be {CONTACT_COMPARTMENT_NAMES}")
}

/// Parses a contact compartment as clients name it: `general` is the contact log.
pub fn contact_compartment(s: &str) -> Option<Compartment> {
    match s {
        "general" => Some(Compartment::ContactLog),
        other => Compartment::parse(other).filter(|c| CONTACT_COMPARTMENTS.contains(c)),
    }
}

const MAX_SUMMARY: usize = 4000;
const MAX_VERBATIM: usize = 20_000;
const MAX_SUBJECTS: usize = 10;
const MAX_PEOPLE: usize = 20;
const MAX_PARTS: usize = 5;
/// Client clocks drift; a contact a minute "in the future" is not a typing slip.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(2);
const MAILING: &str = "All-customer mailings are not contacts";

/// A follow-up action someone owns, due on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    pub id: Id,
    pub action: String,
    /// Staff account that owns the action.
    pub owner: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: Date,
    /// When it was marked done; `None` while it is open.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub done_at: Option<Timestamp>,
    /// Staff account that marked it done.
    pub done_by: Option<Id>,
}

/// An open follow-up on its owner's work list ("Your work"), with the
/// person its entry is about. When the owner may not read the entry (its
/// compartment is closed to them), the action and the person are left out:
/// they still see that work is due on a day, never its words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyFollowUp {
    pub id: Id,
    pub entry_id: Id,
    /// `None` when the caller may not read the entry.
    pub action: Option<String>,
    /// The entry's first person; `None` when the caller may not read the entry.
    pub person_id: Option<Id>,
    pub person_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: Date,
    /// Due before today.
    pub overdue: bool,
}

/// One entry in the contact log as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactEntry {
    pub id: Id,
    /// Entries made by one submission share this; for a split, the first part's id.
    pub submission_id: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub occurred_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
    /// Staff account that logged it.
    pub recorded_by: Id,
    pub channel: Channel,
    pub compartment: Compartment,
    pub person_ids: Vec<Id>,
    pub case_id: Option<Id>,
    pub subjects: Vec<String>,
    pub summary: String,
    pub verbatim: Option<String>,
    pub verbatim_reason: Option<VerbatimReason>,
    pub follow_ups: Vec<FollowUp>,
    /// Attempted calls: whether a voicemail was left.
    pub voicemail_left: Option<bool>,
    pub appointment_outcome: Option<AppointmentOutcome>,
    /// Appointments: the agreed place.
    pub place: Option<String>,
    /// Letters sent: made by a system (e.g. a rent letter) rather than a person.
    pub system_generated: Option<bool>,
    /// Social media: always true, as only service requests are logged.
    pub service_request: Option<bool>,
    /// Other parts of the same submission, only those the caller may see.
    pub linked_entry_ids: Vec<Id>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpInput {
    pub action: Option<String>,
    /// Staff account id of the owner.
    pub owner: Option<Id>,
    /// ISO date, e.g. `2026-11-30`.
    pub due_on: Option<String>,
}

/// One part of a split submission: the content that belongs in one compartment.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactPartInput {
    pub compartment: Option<String>,
    pub summary: Option<String>,
    pub subjects: Option<Vec<String>>,
    pub case_id: Option<Id>,
    pub verbatim: Option<String>,
    pub verbatim_reason: Option<String>,
    pub follow_ups: Option<Vec<FollowUpInput>>,
}

/// What a client sends to log a contact. Either the content fields
/// (compartment, summary, …) or `parts`, one per compartment.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactInput {
    /// When it happened (default now); not in the future.
    pub occurred_at: Option<String>,
    pub channel: Option<String>,
    /// general (the default without a case), asb, safeguarding, care,
    /// financial, complaints, repairs or tenancy. On a case, leave it out:
    /// the entry takes the case's compartment, and any other is refused.
    pub compartment: Option<String>,
    pub person_ids: Option<Vec<Id>>,
    pub case_id: Option<Id>,
    pub subjects: Option<Vec<String>>,
    pub summary: Option<String>,
    /// The customer's exact words: only with `verbatim_reason`.
    pub verbatim: Option<String>,
    /// complaint, appeal, legal_matter or individual_needs.
    pub verbatim_reason: Option<String>,
    pub follow_ups: Option<Vec<FollowUpInput>>,
    /// call_attempt: required.
    pub voicemail_left: Option<bool>,
    /// appointment: attended, no_access or failed_to_attend (required).
    pub appointment_outcome: Option<String>,
    /// appointment: the agreed place.
    pub place: Option<String>,
    /// letter_out: made by a system, e.g. a rent letter.
    pub system_generated: Option<bool>,
    /// social_media: must be true; other posts are not logged.
    pub service_request: Option<bool>,
    /// Refused: a newsletter is not a contact.
    pub mailing: Option<String>,
    /// Refused when true: a mailing to every customer is not a contact.
    pub all_customers: Option<bool>,
    /// Split a mixed submission into entries in different compartments.
    pub parts: Option<Vec<ContactPartInput>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpFields {
    pub action: String,
    pub owner: Id,
    pub due_on: Date,
}

/// One entry's fields after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactFields {
    pub occurred_at: Timestamp,
    pub channel: Channel,
    /// As given, or the contact log; the gate replaces it with the case's
    /// compartment for an entry filed on a case.
    pub compartment: Compartment,
    /// Whether the client named the compartment (one that differs from the
    /// case's is refused) or left it to be derived.
    pub compartment_given: bool,
    pub person_ids: Vec<Id>,
    pub case_id: Option<Id>,
    pub subjects: Vec<String>,
    pub summary: String,
    pub verbatim: Option<(String, VerbatimReason)>,
    pub follow_ups: Vec<FollowUpFields>,
    pub voicemail_left: Option<bool>,
    pub appointment_outcome: Option<AppointmentOutcome>,
    pub place: Option<String>,
    pub system_generated: Option<bool>,
    pub service_request: Option<bool>,
}

/// Free text that may run over lines: trimmed, bounded, no control
/// characters other than line breaks and tabs.
fn long_text(field: &str, value: Option<&str>, max: usize, what: &str) -> Result<Option<String>, FieldError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if v.chars().count() > max {
        return Err(FieldError::new(field, format!("The {what} must be {max} characters or fewer")));
    }
    if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(FieldError::new(field, format!("The {what} must not contain control characters")));
    }
    Ok(Some(v.to_string()))
}

/// The content that may differ between parts of a split submission.
struct Content<'a> {
    compartment: Option<&'a str>,
    summary: Option<&'a str>,
    subjects: Option<&'a [String]>,
    case_id: Option<Id>,
    verbatim: Option<&'a str>,
    verbatim_reason: Option<&'a str>,
    follow_ups: Option<&'a [FollowUpInput]>,
}

struct ContentFields {
    compartment: Option<Compartment>,
    summary: String,
    subjects: Vec<String>,
    case_id: Option<Id>,
    verbatim: Option<(String, VerbatimReason)>,
    follow_ups: Vec<FollowUpFields>,
}

fn content(errs: &mut ValidationErrors, at: &str, c: Content<'_>) -> Option<ContentFields> {
    let before = errs.0.len();
    let compartment = match c.compartment.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => errs
            .check(contact_compartment(s).ok_or_else(|| FieldError::new(format!("{at}compartment"), not_a_contact_compartment())))
            .map(Some),
    };
    let summary = match long_text(&format!("{at}summary"), c.summary, MAX_SUMMARY, "summary") {
        Ok(Some(s)) => Some(s),
        Ok(None) => {
            errs.push(FieldError::new(format!("{at}summary"), "Enter a summary of the contact"));
            None
        }
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let mut subjects = vec![];
    let given = c.subjects.unwrap_or_default();
    if given.len() > MAX_SUBJECTS {
        errs.push(FieldError::new(format!("{at}subjects"), format!("Give at most {MAX_SUBJECTS} subjects")));
    }
    for (i, s) in given.iter().enumerate() {
        let field = format!("{at}subjects[{i}]");
        match crate::validate::optional_text(&field, Some(s), 60, "subject") {
            Ok(Some(s)) if !subjects.contains(&s) => subjects.push(s),
            Ok(Some(_)) => {}
            Ok(None) => errs.push(FieldError::new(field, "Enter the subject or remove it")),
            Err(e) => errs.push(e),
        }
    }
    let verbatim_text = errs.check(long_text(&format!("{at}verbatim"), c.verbatim, MAX_VERBATIM, "verbatim text")).flatten();
    let reason_text = c.verbatim_reason.map(str::trim).filter(|s| !s.is_empty());
    let verbatim = match (verbatim_text, reason_text) {
        (None, None) => None,
        (Some(_), None) => {
            errs.push(FieldError::new(
                format!("{at}verbatim"),
                "Verbatim text is kept only with a reason: complaint, appeal, legal_matter or individual_needs; otherwise summarise",
            ));
            None
        }
        (None, Some(_)) => {
            errs.push(FieldError::new(format!("{at}verbatim_reason"), "Give the verbatim text, or leave out the reason"));
            None
        }
        (Some(v), Some(r)) => match VerbatimReason::parse(r) {
            Some(r) => Some((v, r)),
            None => {
                errs.push(FieldError::new(
                    format!("{at}verbatim_reason"),
                    "The reason must be complaint, appeal, legal_matter or individual_needs",
                ));
                None
            }
        },
    };
    let mut follow_ups = vec![];
    for (i, f) in c.follow_ups.unwrap_or_default().iter().enumerate() {
        let p = format!("{at}follow_ups[{i}].");
        let action = match crate::validate::optional_text(&format!("{p}action"), f.action.as_deref(), 200, "action") {
            Ok(Some(a)) => Some(a),
            Ok(None) => {
                errs.push(FieldError::new(format!("{p}action"), "Enter the follow-up action"));
                None
            }
            Err(e) => {
                errs.push(e);
                None
            }
        };
        let owner = errs.check(f.owner.ok_or_else(|| FieldError::new(format!("{p}owner"), "Choose who owns the follow-up")));
        let due_on = errs.check(crate::validate::iso_date(&format!("{p}due_on"), f.due_on.as_deref().unwrap_or(""), "Due date"));
        if let (Some(action), Some(owner), Some(due_on)) = (action, owner, due_on) {
            follow_ups.push(FollowUpFields { action, owner, due_on });
        }
    }
    if errs.0.len() > before {
        return None;
    }
    Some(ContentFields { compartment: compartment?, summary: summary?, subjects, case_id: c.case_id, verbatim, follow_ups })
}

/// Refuses an answer that contradicts the channel (an inbound call with an
/// appointment outcome, a voicemail on a letter), naming the field and the
/// channel given. `only` says which channel the answer belongs to.
fn only_for(errs: &mut ValidationErrors, channel: Option<Channel>, field: &str, present: bool, allowed: Channel, only: &str) {
    if let Some(c) = channel.filter(|c| present && *c != allowed) {
        errs.push(FieldError::new(field, format!("{only}. This contact is: {}", c.label().to_lowercase())));
    }
}

impl ContactInput {
    /// Validates a submission into one entry, or one per part. `now` bounds
    /// `occurred_at`; the result is never empty.
    pub fn validate(&self, now: Timestamp) -> Result<Vec<ContactFields>, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        // Mailings first: they are refused whatever else the submission says.
        if self.mailing.as_deref().is_some_and(|m| !m.trim().is_empty()) {
            errs.push(FieldError::new("mailing", MAILING));
        }
        if self.all_customers == Some(true) {
            errs.push(FieldError::new("all_customers", MAILING));
        }
        let channel = errs.check(Channel::parse(self.channel.as_deref().unwrap_or("").trim()).ok_or_else(|| {
            let all: Vec<_> = Channel::ALL.iter().map(|c| c.label().to_lowercase()).collect();
            FieldError::new("channel", format!("Choose how the contact was made: {}", all.join(", ")))
        }));
        let occurred_at = match self.occurred_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(now),
            Some(s) => errs.check(
                s.parse::<Timestamp>()
                    .map_err(|_| FieldError::new("occurred_at", "Give the time as a date and time, like 2026-11-23T09:30:00Z"))
                    .and_then(|t| {
                        if t > now + CLOCK_SKEW {
                            Err(FieldError::new("occurred_at", "The time of the contact must not be in the future"))
                        } else {
                            Ok(t)
                        }
                    }),
            ),
        };
        let mut person_ids: Vec<Id> = vec![];
        for id in self.person_ids.iter().flatten() {
            if !person_ids.contains(id) {
                person_ids.push(*id);
            }
        }
        if person_ids.is_empty() {
            errs.push(FieldError::new("person_ids", "Choose at least one person the contact was with"));
        } else if person_ids.len() > MAX_PEOPLE {
            errs.push(FieldError::new("person_ids", format!("A contact is with at most {MAX_PEOPLE} people")));
        }

        // Channel-specific fields.
        only_for(
            &mut errs,
            channel,
            "voicemail_left",
            self.voicemail_left.is_some(),
            Channel::CallAttempt,
            "Only an attempted call says whether a voicemail was left",
        );
        if channel == Some(Channel::CallAttempt) && self.voicemail_left.is_none() {
            errs.push(FieldError::new("voicemail_left", "Say whether a voicemail was left"));
        }
        let outcome_text = self.appointment_outcome.as_deref().map(str::trim).filter(|s| !s.is_empty());
        only_for(
            &mut errs,
            channel,
            "appointment_outcome",
            outcome_text.is_some(),
            Channel::Appointment,
            "Only an appointment has an outcome",
        );
        only_for(
            &mut errs,
            channel,
            "place",
            self.place.as_deref().is_some_and(|p| !p.trim().is_empty()),
            Channel::Appointment,
            "Only an appointment has a place",
        );
        let appointment_outcome = match (channel, outcome_text) {
            (Some(Channel::Appointment), None) => {
                errs.push(FieldError::new("appointment_outcome", "Choose attended, no_access or failed_to_attend"));
                None
            }
            (Some(Channel::Appointment), Some(o)) => errs.check(
                AppointmentOutcome::parse(o)
                    .ok_or_else(|| FieldError::new("appointment_outcome", "Choose attended, no_access or failed_to_attend")),
            ),
            _ => None,
        };
        let place = errs.check(crate::validate::optional_text("place", self.place.as_deref(), 200, "place")).flatten();
        only_for(
            &mut errs,
            channel,
            "system_generated",
            self.system_generated.is_some(),
            Channel::LetterOut,
            "Only a letter sent is made by a system",
        );
        only_for(
            &mut errs,
            channel,
            "service_request",
            self.service_request.is_some(),
            Channel::SocialMedia,
            "Only a social media post is marked as a service request",
        );
        if channel == Some(Channel::SocialMedia) && self.service_request != Some(true) {
            errs.push(FieldError::new(
                "service_request",
                "Social media posts are logged only when they are a service request needing a response",
            ));
        }

        let contents: Vec<Option<ContentFields>> = match &self.parts {
            None => vec![content(
                &mut errs,
                "",
                Content {
                    compartment: self.compartment.as_deref(),
                    summary: self.summary.as_deref(),
                    subjects: self.subjects.as_deref(),
                    case_id: self.case_id,
                    verbatim: self.verbatim.as_deref(),
                    verbatim_reason: self.verbatim_reason.as_deref(),
                    follow_ups: self.follow_ups.as_deref(),
                },
            )],
            Some(parts) => {
                // Content goes in the parts; a top-level copy would be ambiguous.
                let top = [
                    ("compartment", self.compartment.is_some()),
                    ("summary", self.summary.is_some()),
                    ("subjects", self.subjects.is_some()),
                    ("case_id", self.case_id.is_some()),
                    ("verbatim", self.verbatim.is_some()),
                    ("verbatim_reason", self.verbatim_reason.is_some()),
                    ("follow_ups", self.follow_ups.is_some()),
                ];
                for (field, present) in top {
                    if present {
                        errs.push(FieldError::new(field, "When splitting a submission, give this in each part"));
                    }
                }
                if parts.is_empty() || parts.len() > MAX_PARTS {
                    errs.push(FieldError::new("parts", format!("Give 1 to {MAX_PARTS} parts")));
                }
                parts
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        content(
                            &mut errs,
                            &format!("parts[{i}]."),
                            Content {
                                compartment: p.compartment.as_deref(),
                                summary: p.summary.as_deref(),
                                subjects: p.subjects.as_deref(),
                                case_id: p.case_id,
                                verbatim: p.verbatim.as_deref(),
                                verbatim_reason: p.verbatim_reason.as_deref(),
                                follow_ups: p.follow_ups.as_deref(),
                            },
                        )
                    })
                    .collect()
            }
        };
        errs.into_result()?;
        let channel = channel.expect("checked");
        Ok(contents
            .into_iter()
            .map(|c| {
                let c = c.expect("checked");
                ContactFields {
                    occurred_at: occurred_at.expect("checked"),
                    channel,
                    compartment: c.compartment.unwrap_or(Compartment::ContactLog),
                    compartment_given: c.compartment.is_some(),
                    person_ids: person_ids.clone(),
                    case_id: c.case_id,
                    subjects: c.subjects,
                    summary: c.summary,
                    verbatim: c.verbatim,
                    follow_ups: c.follow_ups,
                    voicemail_left: self.voicemail_left,
                    appointment_outcome,
                    place: place.clone(),
                    system_generated: (channel == Channel::LetterOut).then(|| self.system_generated.unwrap_or(false)),
                    service_request: (channel == Channel::SocialMedia).then_some(true),
                }
            })
            .collect())
    }
}

#[derive(Debug, Clone, Default)]
pub struct TimelineFilter {
    pub channel: Option<Channel>,
    pub compartment: Option<Compartment>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-23T12:00:00Z".parse().unwrap()
    }

    fn call(summary: &str) -> ContactInput {
        ContactInput { channel: Some("call_in".into()), person_ids: Some(vec![1]), summary: Some(summary.into()), ..Default::default() }
    }

    fn fields(input: &ContactInput) -> Vec<String> {
        input.validate(now()).unwrap_err().0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_plain_call_is_general_and_happened_now() {
        let f = call("Asked about rent").validate(now()).unwrap();
        assert_eq!((f.len(), f[0].compartment, f[0].occurred_at), (1, Compartment::ContactLog, now()));
        assert!(!f[0].compartment_given, "left to be derived from a case");
        let given = ContactInput { compartment: Some("complaints".into()), ..call("Wants to complain") }.validate(now()).unwrap();
        assert_eq!((given[0].compartment, given[0].compartment_given), (Compartment::Complaints, true));
    }

    #[test]
    fn every_contact_compartment_is_named_in_the_messages() {
        for &c in CONTACT_COMPARTMENTS {
            let name = if c == Compartment::ContactLog { "general" } else { c.as_str() };
            assert!(CONTACT_COMPARTMENT_NAMES.split([',', ' ']).any(|n| n == name), "{name}");
            assert_eq!(contact_compartment(name), Some(c));
        }
        assert_eq!(contact_compartment("recordings"), None);
    }

    #[test]
    fn refusals_name_the_field() {
        let social = ContactInput { channel: Some("social_media".into()), ..call("Post about bins") };
        assert_eq!(fields(&social), ["service_request"]);
        let verbatim = ContactInput { verbatim: Some("exact words".into()), ..call("Upset") };
        assert_eq!(fields(&verbatim), ["verbatim"]);
        let newsletter = ContactInput { mailing: Some("newsletter".into()), ..call("Autumn newsletter") };
        assert_eq!(fields(&newsletter), ["mailing"]);
        let all = ContactInput { channel: Some("letter_out".into()), all_customers: Some(true), ..call("Rent review") };
        assert_eq!(fields(&all), ["all_customers"]);
        let future = ContactInput { occurred_at: Some("2026-11-24T12:00:00Z".into()), ..call("x") };
        assert_eq!(fields(&future), ["occurred_at"]);
        let attempt = ContactInput { channel: Some("call_attempt".into()), ..call("No answer") };
        assert_eq!(fields(&attempt), ["voicemail_left"]);
        let wrong = ContactInput { voicemail_left: Some(true), ..call("x") };
        assert_eq!(fields(&wrong), ["voicemail_left"]);
        // Answers that contradict the channel are refused on their own field, naming the channel.
        let attended = ContactInput { appointment_outcome: Some("attended".into()), ..call("x") };
        let e = attended.validate(now()).unwrap_err().0;
        assert_eq!((e[0].field.as_str(), e.len()), ("appointment_outcome", 1));
        assert!(e[0].message.contains("Only an appointment has an outcome") && e[0].message.contains("inbound call"), "{}", e[0].message);
        let visit = ContactInput {
            channel: Some("appointment".into()),
            appointment_outcome: Some("attended".into()),
            voicemail_left: Some(false),
            ..call("x")
        };
        assert_eq!(fields(&visit), ["voicemail_left"]);
        let letter =
            ContactInput { channel: Some("letter_in".into()), system_generated: Some(true), place: Some("Office".into()), ..call("x") };
        assert_eq!(fields(&letter), ["place", "system_generated"]);
    }

    #[test]
    fn verbatim_with_a_reason_is_kept() {
        let input = ContactInput { verbatim: Some("I want to appeal".into()), verbatim_reason: Some("appeal".into()), ..call("Appeal") };
        assert_eq!(input.validate(now()).unwrap()[0].verbatim, Some(("I want to appeal".into(), VerbatimReason::Appeal)));
    }

    #[test]
    fn a_split_makes_one_entry_per_part() {
        let input = ContactInput {
            channel: Some("call_in".into()),
            person_ids: Some(vec![1]),
            parts: Some(vec![
                ContactPartInput { summary: Some("Rent query".into()), ..Default::default() },
                ContactPartInput { compartment: Some("asb".into()), summary: Some("Noise next door".into()), ..Default::default() },
            ]),
            ..Default::default()
        };
        let f = input.validate(now()).unwrap();
        assert_eq!(f.iter().map(|f| f.compartment).collect::<Vec<_>>(), [Compartment::ContactLog, Compartment::Asb]);
        let bad = ContactInput { summary: Some("dup".into()), ..input };
        assert_eq!(fields(&bad), ["summary"]);
    }
}

crate::classify! { ContactEntry as "contact_entry" {
    keep: id, submission_id, occurred_at, recorded_at, recorded_by, channel, compartment, person_ids, case_id, subjects,
        verbatim_reason, voicemail_left, appointment_outcome, system_generated, service_request, linked_entry_ids;
    summary: FreeText, verbatim: FreeText, follow_ups: FreeText, place: FreeText,
} }

crate::classify! { FollowUp as "follow_up" {
    keep: id, owner, due_on, done_at, done_by;
    action: FreeText,
} }

crate::classify! { MyFollowUp as "my_follow_up" {
    keep: id, entry_id, person_id, due_on, overdue;
    action: FreeText, person_name: Name,
} }
