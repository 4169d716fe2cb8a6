//! Authorised representatives and caller checks (seed 004 "When you contact
//! us"): who may speak for a person, about what, on what evidence and for how
//! long; and the security check a contact-centre advisor makes before
//! disclosing anything about an account on a call.
//!
//! Owns the closed lists (relationship, scope, evidence, checks), the pure
//! validation of what staff enter, and the rules of what a representative's
//! scope opens and when a representative is current. It never reads the
//! clock: callers pass `today` and `now` in.

use crate::{
    error::{FieldError, ValidationErrors},
    Id,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// How many of the caller's answers must match what is held before account
/// details are disclosed to them as the customer …
pub const REQUIRED_CALLER_CHECKS: usize = 2;
/// … of which at least this many must be facts the advisor cannot see
/// before the check (see [`CallerCheckItem::hidden`]).
pub const REQUIRED_HIDDEN_CALLER_CHECKS: usize = 1;
/// Failed caller checks one advisor may make for one person …
pub const MAX_FAILED_CALLER_CHECKS: i64 = 3;
/// … in this long (then the advisor must wait, or the caller be checked
/// another way).
pub const FAILED_CALLER_CHECKS_WINDOW: SignedDuration = SignedDuration::from_mins(30);
/// Longest answer the advisor may type (a memorable word, an address).
pub const MAX_CALLER_ANSWER_CHARS: usize = 200;
/// Shortest memorable word a customer may set, and the longest.
pub const MIN_MEMORABLE_WORD_CHARS: usize = 4;
pub const MAX_MEMORABLE_WORD_CHARS: usize = 64;

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
    /// A security question the caller answered correctly (the system
    /// compares the answer with what is held). `tenancy_reference` and
    /// `security_answer` are only read back from checks recorded before
    /// answers were compared; they are no longer asked.
    CallerCheckItem {
        FullName => "full_name" / "Full name",
        DateOfBirth => "date_of_birth" / "Date of birth",
        Address => "address" / "Postcode",
        MemorableWord => "memorable_word" / "Memorable word",
        Phone => "phone" / "Phone number on file",
        Email => "email" / "Email address on file",
        TenancyStartYear => "tenancy_start_year" / "Year their tenancy started",
        TenancyReference => "tenancy_reference" / "Tenancy or rent account reference",
        SecurityAnswer => "security_answer" / "Answer to their security question",
    }
}

impl CallerCheckItem {
    /// The questions asked now, in the order the form shows them.
    pub const ASKED: [CallerCheckItem; 7] = [
        CallerCheckItem::MemorableWord,
        CallerCheckItem::Phone,
        CallerCheckItem::Email,
        CallerCheckItem::TenancyStartYear,
        CallerCheckItem::FullName,
        CallerCheckItem::DateOfBirth,
        CallerCheckItem::Address,
    ];

    /// Whether the advisor cannot see the fact before the check: the
    /// memorable word is never shown, contact details and tenancies are
    /// withheld until the check. Name, date of birth and address are not:
    /// the customer search shows names and dates of birth and finds people
    /// by postcode, so an advisor (or anyone who knows the customer) could
    /// answer them.
    pub fn hidden(self) -> bool {
        matches!(self, CallerCheckItem::MemorableWord | CallerCheckItem::Phone | CallerCheckItem::Email | CallerCheckItem::TenancyStartYear)
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

/// What the caller says, typed by the advisor as given; each is compared
/// by the system with what is held, never shown to the advisor first.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CallerAnswers {
    /// The memorable word the customer set.
    pub memorable_word: Option<String>,
    /// A phone number the landlord holds for them.
    pub phone: Option<String>,
    /// An email address the landlord holds for them.
    pub email: Option<String>,
    /// The year their tenancy started, e.g. `2019`.
    pub tenancy_start_year: Option<String>,
    /// Their full name (shown on screen: never enough alone).
    pub full_name: Option<String>,
    /// Their date of birth, `1984-03-02` or `02/03/1984` (shown in search results).
    pub date_of_birth: Option<String>,
    /// The postcode of their address (searchable).
    pub address: Option<String>,
}

impl CallerAnswers {
    /// The answers given, trimmed, by question.
    pub fn given(&self) -> Vec<(CallerCheckItem, &str)> {
        use CallerCheckItem::*;
        [
            (MemorableWord, &self.memorable_word),
            (Phone, &self.phone),
            (Email, &self.email),
            (TenancyStartYear, &self.tenancy_start_year),
            (FullName, &self.full_name),
            (DateOfBirth, &self.date_of_birth),
            (Address, &self.address),
        ]
        .into_iter()
        .filter_map(|(i, v)| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(|v| (i, v)))
        .collect()
    }
}

/// A caller check as the advisor records it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallerCheckInput {
    /// The caller's answers, when the caller is the person: at least
    /// [`REQUIRED_CALLER_CHECKS`] must match what is held, at least one of
    /// them memorable_word, phone, email or tenancy_start_year, and none
    /// may be wrong.
    #[serde(default)]
    pub answers: CallerAnswers,
    /// No longer accepted: the advisor used to tick the questions answered.
    /// Sending it is an error naming it.
    #[serde(default)]
    pub checks_passed: Option<Vec<String>>,
    /// The representative the caller is, when they are not the person.
    pub representative_id: Option<Id>,
    /// What the caller asks about: account (default) or repairs.
    pub area: Option<String>,
}

/// What was checked: the caller's own answers, or their standing as a representative.
#[derive(Debug, Clone, PartialEq)]
pub enum CallerCheckBasis {
    Answers(Vec<(CallerCheckItem, String)>),
    Representative(Id),
}

/// A validated caller check, not yet compared with what is held.
#[derive(Debug, Clone, PartialEq)]
pub struct CallerCheckFields {
    pub basis: CallerCheckBasis,
    pub area: CallerCheckArea,
}

impl CallerCheckInput {
    /// Parses the input; too few answers is an error naming `answers`.
    pub fn validate(&self) -> Result<CallerCheckFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let area = match self.area.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Some(CallerCheckArea::Account),
            Some(a) => errs.check(CallerCheckArea::parse(a).ok_or_else(|| FieldError::new("area", "Choose account or repairs"))),
        };
        if self.checks_passed.is_some() {
            errs.push(FieldError::new(
                "checks_passed",
                "Ticking the questions answered is no longer accepted: send the caller's answers and Hearth compares them",
            ));
        }
        let given = self.answers.given();
        for (item, v) in &given {
            if v.chars().count() > MAX_CALLER_ANSWER_CHARS || v.chars().any(char::is_control) {
                errs.push(FieldError::new(
                    format!("answers.{}", item.as_str()),
                    format!("{} must be at most {MAX_CALLER_ANSWER_CHARS} characters of text", item.label()),
                ));
            }
        }
        let basis = match (self.representative_id, given.is_empty()) {
            (Some(_), false) => {
                errs.push(FieldError::new(
                    "representative_id",
                    "Record either the customer's answers or the representative calling, not both",
                ));
                None
            }
            (Some(r), true) => Some(CallerCheckBasis::Representative(r)),
            (None, _) if given.len() < REQUIRED_CALLER_CHECKS => {
                errs.push(FieldError::new(
                    "answers",
                    format!(
                        "Enter at least {REQUIRED_CALLER_CHECKS} of the caller's answers, one of them their memorable word, a phone number or email address we hold, or the year their tenancy started"
                    ),
                ));
                None
            }
            (None, _) => Some(CallerCheckBasis::Answers(given.iter().map(|(i, v)| (*i, v.to_string())).collect())),
        };
        errs.into_result()?;
        Ok(CallerCheckFields { basis: basis.unwrap(), area: area.unwrap() })
    }
}

/// What is held about a person to compare a caller's answers with. The
/// memorable word is compared by its hash, outside this crate.
#[derive(Debug, Clone, Default)]
pub struct HeldFacts {
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: Option<String>,
    pub date_of_birth: Option<Date>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub postcodes: Vec<String>,
    pub tenancy_start_years: Vec<i16>,
}

/// Lower case, single spaces, no punctuation: how names and words compare.
pub fn normalise_words(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_alphanumeric() { c.to_lowercase().next().unwrap_or(c) } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A phone number as digits, a UK +44 prefix read as 0: `+44 7700 900982`
/// and `07700900982` are the same number.
pub fn normalise_phone(s: &str) -> String {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("44").filter(|_| s.trim_start().starts_with('+')) {
        Some(rest) => format!("0{rest}"),
        None => digits,
    }
}

/// A date typed as `1984-03-02` or `02/03/1984`.
pub fn parse_typed_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['/', '.', '-', ' ']).filter(|p| !p.is_empty()).collect();
    if let [d, m, y] = parts[..] {
        if y.len() == 4 {
            return Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok();
        }
    }
    None
}

impl HeldFacts {
    /// Whether an answer to a question other than the memorable word
    /// matches what is held; `None` when nothing is held to compare with.
    pub fn matches(&self, item: CallerCheckItem, answer: &str) -> Option<bool> {
        use CallerCheckItem::*;
        let some = |held: bool, ok: bool| held.then_some(ok);
        match item {
            FullName => {
                let a = normalise_words(answer);
                let family = normalise_words(&self.family_name);
                let mut names = vec![format!("{} {family}", normalise_words(&self.given_name))];
                names.extend(self.preferred_name.as_deref().map(|p| format!("{} {family}", normalise_words(p))));
                Some(names.contains(&a))
            }
            DateOfBirth => self.date_of_birth.map(|d| parse_typed_date(answer) == Some(d)),
            Address => {
                let a = crate::validate::postcode_key(answer);
                some(!self.postcodes.is_empty(), self.postcodes.iter().any(|p| crate::validate::postcode_key(p) == a))
            }
            Phone => {
                let a = normalise_phone(answer);
                some(!self.phones.is_empty(), a.len() >= 8 && self.phones.iter().any(|p| normalise_phone(p) == a))
            }
            Email => {
                let a = answer.trim().to_lowercase();
                some(!self.emails.is_empty(), self.emails.iter().any(|e| e.trim().to_lowercase() == a))
            }
            TenancyStartYear => {
                let a = answer.trim().parse::<i16>().ok();
                some(!self.tenancy_start_years.is_empty(), a.is_some_and(|y| self.tenancy_start_years.contains(&y)))
            }
            MemorableWord | TenancyReference | SecurityAnswer => None,
        }
    }

    /// Which questions can be asked for this person (something is held).
    pub fn askable(&self, has_memorable_word: bool) -> Vec<CallerCheckItem> {
        use CallerCheckItem::*;
        CallerCheckItem::ASKED
            .into_iter()
            .filter(|i| match i {
                MemorableWord => has_memorable_word,
                Phone => !self.phones.is_empty(),
                Email => !self.emails.is_empty(),
                TenancyStartYear => !self.tenancy_start_years.is_empty(),
                DateOfBirth => self.date_of_birth.is_some(),
                Address => !self.postcodes.is_empty(),
                _ => true,
            })
            .collect()
    }
}

/// The outcome of comparing a caller's answers: the questions answered
/// right, and how many were wrong (or about something not held).
#[derive(Debug, Clone, PartialEq)]
pub struct CallerCheckOutcome {
    pub correct: Vec<CallerCheckItem>,
    pub wrong: usize,
}

impl CallerCheckOutcome {
    /// Passed: enough right answers, enough of them hidden, none wrong (a
    /// wrong answer is a warning sign, and refusing it stops one check
    /// trying many guesses).
    pub fn passed(&self) -> bool {
        self.wrong == 0
            && self.correct.len() >= REQUIRED_CALLER_CHECKS
            && self.correct.iter().filter(|i| i.hidden()).count() >= REQUIRED_HIDDEN_CALLER_CHECKS
    }
}

/// A memorable word the customer chooses, set by staff who maintain their
/// contact details.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemorableWordInput {
    /// 4 to 64 letters or digits; case, spaces and punctuation do not matter.
    pub memorable_word: Option<String>,
}

/// A memorable word as the customer sets it.
pub fn validate_memorable_word(word: &str) -> Result<String, FieldError> {
    let w = normalise_words(word);
    let n = w.chars().count();
    if !(MIN_MEMORABLE_WORD_CHARS..=MAX_MEMORABLE_WORD_CHARS).contains(&n) || word.chars().any(char::is_control) {
        return Err(FieldError::new(
            "memorable_word",
            format!("Enter a memorable word of {MIN_MEMORABLE_WORD_CHARS} to {MAX_MEMORABLE_WORD_CHARS} letters or digits"),
        ));
    }
    Ok(w)
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

// The name of a question, never its answer.
crate::holds_no_personal_data!(CallerCheckItem);

/// One representative of a person; in force from `valid_from` until it
/// expires or is ended.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Representative {
    pub id: Id,
    /// The person represented.
    pub person_id: Id,
    /// The representative's own record, when they are on file.
    pub representative_person_id: Option<Id>,
    /// The representative's name (from their record when on file).
    pub name: String,
    /// A phone number for a representative not on file.
    pub phone: Option<String>,
    pub relationship: RepresentativeRelationship,
    pub scope: RepresentativeScope,
    pub evidence: AuthorityEvidence,
    pub evidence_reference: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub valid_from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expires_on: Option<Date>,
    pub created_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    pub ended_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub ended_at: Option<Timestamp>,
    pub end_reason: Option<String>,
}

/// A caller check in force or past.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallerCheck {
    pub id: Id,
    pub person_id: Id,
    /// The advisor who made the check; it opens records to them alone.
    pub checked_by: String,
    /// The questions the caller answered, when the caller was the person.
    pub checks_passed: Vec<CallerCheckItem>,
    /// The representative the caller was, otherwise.
    pub representative_id: Option<Id>,
    /// What the check opens: account, repairs.
    pub areas: Vec<CallerCheckArea>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub checked_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub expires_at: Timestamp,
}

crate::classify! { Representative as "representative" {
    keep: id, person_id, representative_person_id, relationship, scope, evidence, valid_from, expires_on, created_by, created_at,
        ended_by, ended_at;
    name: Name, phone: Phone, evidence_reference: Identifiers, end_reason: FreeText,
} }

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
    fn too_few_answers_name_the_field_and_ticks_are_refused() {
        let one = CallerAnswers { full_name: Some("Ada Fakeham".into()), ..Default::default() };
        let i = CallerCheckInput { answers: one.clone(), ..Default::default() };
        assert_eq!(i.validate().unwrap_err().0[0].field, "answers");
        let two = CallerAnswers { phone: Some(" 01632 960 001 ".into()), ..one };
        let i = CallerCheckInput { answers: two.clone(), ..Default::default() };
        assert!(i.validate().is_ok());
        let ticks = CallerCheckInput { answers: two, checks_passed: Some(vec!["full_name".into()]), ..Default::default() };
        assert_eq!(ticks.validate().unwrap_err().0[0].field, "checks_passed");
    }

    fn held() -> HeldFacts {
        HeldFacts {
            given_name: "Ada".into(),
            family_name: "Fakeham".into(),
            preferred_name: Some("Addie".into()),
            date_of_birth: Some(jiff::civil::date(1984, 3, 2)),
            phones: vec!["07700 900982".into()],
            emails: vec!["Ada.Fakeham@example.org".into()],
            postcodes: vec!["ZZ99 3AB".into()],
            tenancy_start_years: vec![2019],
        }
    }

    #[test]
    fn answers_are_compared_normalised() {
        use CallerCheckItem::*;
        let h = held();
        assert_eq!(h.matches(FullName, "  ada   FAKEHAM "), Some(true));
        assert_eq!(h.matches(FullName, "Addie Fakeham"), Some(true));
        assert_eq!(h.matches(FullName, "Ada Other"), Some(false));
        assert_eq!(h.matches(DateOfBirth, "02/03/1984"), Some(true));
        assert_eq!(h.matches(DateOfBirth, "1984-03-02"), Some(true));
        assert_eq!(h.matches(DateOfBirth, "03/02/1984"), Some(false));
        assert_eq!(h.matches(Address, "zz993ab"), Some(true));
        assert_eq!(h.matches(Phone, "+44 7700 900 982"), Some(true));
        assert_eq!(h.matches(Phone, "(07700) 900-982"), Some(true));
        assert_eq!(h.matches(Phone, "07700 900983"), Some(false));
        assert_eq!(h.matches(Email, " ada.fakeham@EXAMPLE.org"), Some(true));
        assert_eq!(h.matches(TenancyStartYear, "2019"), Some(true));
        assert_eq!(h.matches(TenancyStartYear, "2018"), Some(false));
        let none = HeldFacts::default();
        assert_eq!(none.matches(Phone, "07700 900982"), None, "nothing held to compare");
    }

    #[test]
    fn a_check_needs_two_right_one_hidden_and_nothing_wrong() {
        use CallerCheckItem::*;
        let o = |correct: Vec<CallerCheckItem>, wrong| CallerCheckOutcome { correct, wrong };
        assert!(!o(vec![FullName, DateOfBirth, Address], 0).passed(), "facts on screen are never enough");
        assert!(!o(vec![MemorableWord], 0).passed());
        assert!(o(vec![MemorableWord, Phone], 0).passed());
        assert!(o(vec![FullName, TenancyStartYear], 0).passed());
        assert!(!o(vec![MemorableWord, Phone], 1).passed(), "a wrong answer fails the check");
        assert!(!FullName.hidden() && Email.hidden());
    }

    #[test]
    fn memorable_words_are_normalised_and_bounded() {
        assert_eq!(validate_memorable_word("  Blue   Kettle ").unwrap(), "blue kettle");
        assert!(validate_memorable_word("abc").is_err());
        assert!(validate_memorable_word(&"a".repeat(65)).is_err());
    }

    #[test]
    fn scopes_cover_their_areas() {
        assert!(!RepresentativeScope::ActOnRepairs.covers(CallerCheckArea::Account));
        assert!(RepresentativeScope::ActOnRepairs.covers(CallerCheckArea::Repairs));
        assert!(RepresentativeScope::Everything.covers(CallerCheckArea::Account));
        assert_eq!(representative_current(today(), Some(today()), false, today()), Err("their authority has expired"));
    }
}
