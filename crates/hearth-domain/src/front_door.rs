//! The front door (issue 28): any member of staff records a request that
//! reached the organisation, however it came in, on the day it came in. A
//! rights request's one-month clock, and a complaint's Complaint Handling
//! Code deadlines, run from the day *anyone* here received it, so whoever
//! took it records it at once and the team that answers it is told.
//!
//! Three kinds come through the door: a rights request (into the DPO's
//! queue), a complaint (a complaint case at stage 1) and an ASB report (an
//! ASB case with the reporter as a party, anonymous if they asked). Pure:
//! `today` is passed in.

use crate::{
    cases::{CaseFields, CaseKind, CasePriority, PartyFields, PartyRole},
    error::{FieldError, ValidationErrors},
    rights::{long_text, past_date, RequesterKind, RightsRequestFields, RightsRequestKind},
    staff::{StaffAccount, StaffRole},
    validate, Id,
};
use jiff::civil::Date;
use serde::Deserialize;

/// The longest copy of a message the front door keeps (the rights request's
/// description holds the same).
pub const MESSAGE_MAX_CHARS: usize = 4000;

crate::vocabulary! {
    /// What came through the front door.
    FrontDoorKind {
        RightsRequest => "rights_request" / "A request about the information we hold on them",
        Complaint => "complaint" / "A complaint",
        AsbReport => "asb_report" / "A report of antisocial behaviour",
    }
}

crate::vocabulary! {
    /// How a request reached us.
    ReceivedVia {
        Phone => "phone" / "Phone call",
        Letter => "letter" / "Letter",
        Email => "email" / "Email",
        InPerson => "in_person" / "In person",
        OnlineForm => "online_form" / "Online form",
        SocialMedia => "social_media" / "Social media",
        WebChat => "web_chat" / "Web chat",
        TextMessage => "text_message" / "Text message",
    }
}

impl ReceivedVia {
    /// "by phone", "by letter", "in person", for a sentence.
    pub fn words(self) -> &'static str {
        match self {
            ReceivedVia::Phone => "by phone",
            ReceivedVia::Letter => "by letter",
            ReceivedVia::Email => "by email",
            ReceivedVia::InPerson => "in person",
            ReceivedVia::OnlineForm => "through the online form",
            ReceivedVia::SocialMedia => "on social media",
            ReceivedVia::WebChat => "by web chat",
            ReceivedVia::TextMessage => "by text message",
        }
    }
}

impl FrontDoorKind {
    /// Where the record it makes is kept.
    pub fn compartment(self) -> crate::access::Compartment {
        match self {
            FrontDoorKind::RightsRequest => crate::access::Compartment::Rights,
            FrontDoorKind::Complaint => crate::access::Compartment::Complaints,
            FrontDoorKind::AsbReport => crate::access::Compartment::Asb,
        }
    }
}

/// Each right in the words a member of staff who does not know the law
/// would use, with a hint: the caller says "I want a copy of my file", not
/// "I am making a subject access request".
pub fn plain_words(kind: RightsRequestKind) -> (&'static str, &'static str) {
    match kind {
        RightsRequestKind::Access => ("A copy of the information we hold about them", "Often called a subject access request, or SAR."),
        RightsRequestKind::Rectification => {
            ("To correct information we hold that is wrong or incomplete", "For example a wrong date of birth.")
        }
        RightsRequestKind::Erasure => ("To delete information we hold about them", "Sometimes called the right to be forgotten."),
        RightsRequestKind::Restriction => {
            ("To stop using their information for now, but keep it", "For example while they dispute that it is accurate.")
        }
        RightsRequestKind::Objection => (
            "To stop using their information for a particular purpose",
            "For example, they object to us sharing it or using it for marketing.",
        ),
        RightsRequestKind::Portability => {
            ("Their information in a form they can take to another organisation", "For example a file another landlord can read.")
        }
        RightsRequestKind::AutomatedDecision => (
            "A person, not a computer, to look again at a decision about them",
            "Decisions made automatically, without anyone reviewing them.",
        ),
    }
}

/// What the front-door form or API sends.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrontDoorInput {
    /// rights_request, complaint or asb_report.
    pub kind: Option<String>,
    /// The person the request is from (or, from a representative, about).
    pub person_id: Option<Id>,
    /// person (default) or representative.
    pub requester: Option<String>,
    pub representative_name: Option<String>,
    /// The representative's relationship to the person, e.g. "daughter", "solicitor".
    pub representative_relationship: Option<String>,
    /// phone, letter, email, in_person, online_form, social_media, web_chat or text_message.
    pub channel: Option<String>,
    /// The day it arrived, YYYY-MM-DD (default today; never in the future).
    pub received_on: Option<String>,
    /// Rights requests: the right exercised (access, rectification, erasure,
    /// restriction, objection, portability, automated_decision).
    pub right: Option<String>,
    /// Complaints and ASB reports: what it is about, in a sentence.
    pub summary: Option<String>,
    /// A copy of what they sent (the text of their letter or email), or what they said.
    pub message: Option<String>,
    /// ASB reports: the reporter asked not to be named to anyone working the case.
    pub anonymous: Option<bool>,
}

/// A front-door request, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontDoorFields {
    pub kind: FrontDoorKind,
    pub person_id: Id,
    pub requester: RequesterKind,
    pub representative_name: Option<String>,
    pub representative_relationship: Option<String>,
    pub channel: ReceivedVia,
    pub received_on: Date,
    pub right: Option<RightsRequestKind>,
    pub summary: Option<String>,
    pub message: String,
    pub anonymous: bool,
}

/// One word of a vocabulary, or an error naming the field in words a
/// member of staff reads on the form (the API documents the codes).
fn choose<T: Copy>(errs: &mut ValidationErrors, field: &str, value: Option<&str>, parse: fn(&str) -> Option<T>, what: &str) -> Option<T> {
    errs.check(parse(value.unwrap_or("").trim()).ok_or_else(|| FieldError::new(field, format!("Choose {what}"))))
}

impl FrontDoorInput {
    pub fn validate(&self, today: Date) -> Result<FrontDoorFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let kind = choose(&mut errs, "kind", self.kind.as_deref(), FrontDoorKind::parse, "what they are asking for");
        let person_id = errs.check(self.person_id.ok_or_else(|| FieldError::new("person_id", "Choose the person who asked")));
        let requester = match self.requester.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(RequesterKind::Person),
            Some(r) => errs.check(
                RequesterKind::parse(r)
                    .ok_or_else(|| FieldError::new("requester", "Say whether the person asked, or someone on their behalf")),
            ),
        };
        let rep_name = errs
            .check(validate::optional_text("representative_name", self.representative_name.as_deref(), 100, "representative's name"))
            .flatten();
        let rep_rel = errs
            .check(validate::optional_text(
                "representative_relationship",
                self.representative_relationship.as_deref(),
                100,
                "representative's relationship",
            ))
            .flatten();
        match requester {
            Some(RequesterKind::Representative) => {
                if rep_name.is_none() && !errs.0.iter().any(|e| e.field == "representative_name") {
                    errs.push(FieldError::new("representative_name", "Enter the name of the person who asked on their behalf"));
                }
                if rep_rel.is_none() && !errs.0.iter().any(|e| e.field == "representative_relationship") {
                    errs.push(FieldError::new(
                        "representative_relationship",
                        "Enter how they are related to the person, for example solicitor or daughter",
                    ));
                }
            }
            Some(RequesterKind::Person) if rep_name.is_some() || rep_rel.is_some() => {
                errs.push(FieldError::new("requester", "Choose someone on their behalf if another person asked for them"));
            }
            _ => {}
        }
        let channel = choose(&mut errs, "channel", self.channel.as_deref(), ReceivedVia::parse, "how it arrived");
        let received_on = past_date(&mut errs, "received_on", self.received_on.as_deref(), "The date received", today);
        let right = match kind {
            Some(FrontDoorKind::RightsRequest) => choose(
                &mut errs,
                "right",
                self.right.as_deref(),
                RightsRequestKind::parse,
                "what they want us to do with their information",
            ),
            _ if self.right.as_deref().is_some_and(|r| !r.trim().is_empty()) => {
                errs.push(FieldError::new("right", "Only a request about their information names a right"));
                None
            }
            _ => None,
        };
        let summary = match kind {
            Some(FrontDoorKind::Complaint | FrontDoorKind::AsbReport) => errs.check(
                validate::name("summary", self.summary.as_deref().unwrap_or(""), "summary: what it is about, in a sentence").and_then(
                    |s| {
                        if s.chars().count() > 200 {
                            Err(FieldError::new("summary", "The summary must be 200 characters or fewer"))
                        } else {
                            Ok(s)
                        }
                    },
                ),
            ),
            _ => errs.check(validate::optional_text("summary", self.summary.as_deref(), 200, "summary")).flatten(),
        };
        let message = errs.check(long_text("message", self.message.as_deref(), MESSAGE_MAX_CHARS, "what they sent or said"));
        let anonymous = self.anonymous.unwrap_or(false);
        if anonymous {
            if kind.is_some_and(|k| k != FrontDoorKind::AsbReport) {
                errs.push(FieldError::new("anonymous", "Only the reporter of antisocial behaviour can stay anonymous"));
            } else if requester == Some(RequesterKind::Representative) {
                // Naming who spoke for an anonymous reporter would point to them.
                errs.push(FieldError::new("requester", "An anonymous report is taken from the reporter themselves"));
            }
        }
        errs.into_result()?;
        Ok(FrontDoorFields {
            kind: kind.expect("checked"),
            person_id: person_id.expect("checked"),
            requester: requester.expect("checked"),
            representative_name: rep_name,
            representative_relationship: rep_rel,
            channel: channel.expect("checked"),
            received_on: received_on.unwrap_or(today),
            right,
            summary,
            message: message.expect("checked"),
            anonymous,
        })
    }
}

impl FrontDoorFields {
    /// The rights request it becomes: the person's words are its description.
    pub fn rights_request(&self) -> Option<RightsRequestFields> {
        Some(RightsRequestFields {
            kind: self.right?,
            person_id: self.person_id,
            requester: self.requester,
            representative_name: self.representative_name.clone(),
            representative_relationship: self.representative_relationship.clone(),
            representative_authority: None,
            description: self.message.clone(),
            received_on: self.received_on,
            owner_id: None,
            notes: None,
        })
    }

    /// The case it becomes: a complaint at stage 1 received on the day it
    /// arrived, or an ASB case with the person as its reporter.
    pub fn case(&self) -> Option<CaseFields> {
        let (kind, role) = match self.kind {
            FrontDoorKind::Complaint => (CaseKind::Complaint, PartyRole::Complainant),
            FrontDoorKind::AsbReport => (CaseKind::Asb, PartyRole::Reporter),
            FrontDoorKind::RightsRequest => return None,
        };
        Some(CaseFields {
            kind,
            summary: self.summary.clone()?,
            priority: CasePriority::Routine,
            due_date: None,
            assigned_to: None,
            team: None,
            received_on: (kind == CaseKind::Complaint).then_some(self.received_on),
            trade: None,
            property_id: None,
            parties: vec![PartyFields { person_id: self.person_id, role, anonymous: self.anonymous }],
        })
    }

    /// The case timeline's note of how it came in; it names the member of
    /// staff who took it, and a representative unless the report is anonymous.
    pub fn received_note(&self, taken_by: &str, on: &str) -> String {
        let from = match (&self.requester, &self.representative_name, &self.representative_relationship) {
            (RequesterKind::Representative, Some(n), Some(r)) => format!(" from {n} ({r}) on the person's behalf"),
            (RequesterKind::Representative, Some(n), None) => format!(" from {n} on the person's behalf"),
            _ => String::new(),
        };
        format!("Received {} on {on}{from}; taken by {taken_by}. What they sent or said:\n{}", self.channel.words(), self.message)
    }
}

/// Who is told that a request came through the front door: every active
/// data protection officer for a rights request; for a case, everyone whose
/// responsibilities include its compartment, or when nobody's do, every
/// active manager. Service accounts are never told.
pub fn who_to_tell(kind: FrontDoorKind, accounts: &[StaffAccount]) -> Vec<Id> {
    let people: Vec<&StaffAccount> = accounts.iter().filter(|a| a.active && !a.service && a.has_role).collect();
    let of = |f: &dyn Fn(&StaffAccount) -> bool| people.iter().filter(|a| f(a)).map(|a| a.id).collect::<Vec<_>>();
    match kind {
        FrontDoorKind::RightsRequest => of(&|a| a.role == StaffRole::Dpo),
        FrontDoorKind::Complaint | FrontDoorKind::AsbReport => {
            let c = kind.compartment().as_str();
            let responsible = of(&|a| a.responsibilities.iter().any(|r| r == c));
            if responsible.is_empty() {
                of(&|a| a.role == StaffRole::Manager)
            } else {
                responsible
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        jiff::civil::date(2026, 12, 7)
    }

    fn input() -> FrontDoorInput {
        FrontDoorInput {
            kind: Some("rights_request".into()),
            person_id: Some(4),
            channel: Some("phone".into()),
            received_on: Some("2026-12-02".into()),
            right: Some("access".into()),
            message: Some("Please send me everything you hold about me.".into()),
            ..Default::default()
        }
    }

    fn fields(errs: ValidationErrors) -> Vec<String> {
        errs.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_rights_request_becomes_a_request_received_that_day() {
        let f = input().validate(today()).unwrap();
        let r = f.rights_request().unwrap();
        assert_eq!((r.kind, r.received_on, r.person_id), (RightsRequestKind::Access, jiff::civil::date(2026, 12, 2), 4));
        assert_eq!(r.description, "Please send me everything you hold about me.");
        assert!(f.case().is_none());
    }

    #[test]
    fn the_received_date_defaults_to_today_and_is_never_in_the_future() {
        let f = FrontDoorInput { received_on: None, ..input() }.validate(today()).unwrap();
        assert_eq!(f.received_on, today());
        let e = FrontDoorInput { received_on: Some("2026-12-08".into()), ..input() }.validate(today()).unwrap_err();
        assert_eq!(fields(e), ["received_on"]);
    }

    #[test]
    fn unknown_words_and_missing_answers_are_named() {
        let e = FrontDoorInput { channel: Some("pigeon".into()), person_id: None, right: None, ..input() }.validate(today()).unwrap_err();
        assert_eq!(fields(e), ["person_id", "channel", "right"]);
        let e = FrontDoorInput { kind: Some("complaint".into()), right: None, ..input() }.validate(today()).unwrap_err();
        assert_eq!(fields(e), ["summary"]);
        let e = FrontDoorInput { requester: Some("representative".into()), ..input() }.validate(today()).unwrap_err();
        assert_eq!(fields(e), ["representative_name", "representative_relationship"]);
        let e = FrontDoorInput { anonymous: Some(true), ..input() }.validate(today()).unwrap_err();
        assert_eq!(fields(e), ["anonymous"]);
    }

    #[test]
    fn a_complaint_starts_at_stage_one_from_the_day_received_and_an_asb_report_keeps_the_reporter_anonymous() {
        let c = FrontDoorInput { kind: Some("complaint".into()), right: None, summary: Some("Repair not done".into()), ..input() }
            .validate(today())
            .unwrap()
            .case()
            .unwrap();
        assert_eq!((c.kind, c.received_on), (CaseKind::Complaint, Some(jiff::civil::date(2026, 12, 2))));
        assert_eq!(c.parties[0].role, PartyRole::Complainant);
        let a = FrontDoorInput {
            kind: Some("asb_report".into()),
            right: None,
            summary: Some("Noise".into()),
            anonymous: Some(true),
            ..input()
        }
        .validate(today())
        .unwrap();
        let note = a.received_note("Alex Example", "2 December 2026");
        assert!(note.starts_with("Received by phone on 2 December 2026; taken by Alex Example."), "{note}");
        let c = a.case().unwrap();
        assert_eq!((c.kind, c.received_on, c.parties[0].role, c.parties[0].anonymous), (CaseKind::Asb, None, PartyRole::Reporter, true));
    }

    #[test]
    fn the_dpo_hears_of_rights_requests_and_the_responsible_team_of_cases() {
        let acct = |id: Id, role: StaffRole, resp: &[&str]| StaffAccount {
            id,
            username: format!("u{id}"),
            display_name: format!("U {id}"),
            role,
            manager_id: None,
            manager_name: None,
            responsibilities: resp.iter().map(|s| s.to_string()).collect(),
            active: true,
            two_step: false,
            last_sign_in_at: None,
            disabled_at: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
            service: false,
            scope: vec![],
            expires_at: None,
            has_role: true,
            directory: false,
        };
        let mut gone = acct(9, StaffRole::Dpo, &[]);
        gone.active = false;
        let staff = vec![acct(1, StaffRole::Dpo, &[]), acct(2, StaffRole::Manager, &["asb"]), acct(3, StaffRole::Manager, &[]), gone];
        assert_eq!(who_to_tell(FrontDoorKind::RightsRequest, &staff), [1]);
        assert_eq!(who_to_tell(FrontDoorKind::AsbReport, &staff), [2]);
        assert_eq!(who_to_tell(FrontDoorKind::Complaint, &staff), [2, 3]);
    }
}
