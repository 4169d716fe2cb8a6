//! Consent, contact preferences and objections: the person's own say in how
//! their data is used (UK GDPR Arts. 7 and 21; seed 003 "Consent", seed 004
//! "Consent").
//!
//! Owns: the vocabularies, validation of what staff record, and the pure rule
//! that reads a person's consent log into where each purpose stands today.
//! Consent is a log: giving and withdrawing each add a record, nothing is
//! overwritten, so the evidence of what was agreed, when and on which notice
//! stays. It must never read the clock or storage: callers pass `today` in.

use crate::validate::optional_text;
use crate::{
    error::{FieldError, ValidationErrors},
    Id,
};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// What a person may consent to. Purposes whose lawful basis is not
    /// consent (the tenancy itself, legal duties) are not asked for here.
    ConsentPurpose {
        TailorServices => "tailor_services" / "Using their needs to tailor our services",
        Marketing => "marketing" / "Marketing, offers and newsletters",
        ShareWithSupportAgencies => "share_with_support_agencies" / "Sharing with support agencies who can help them",
        ResearchSurveys => "research_surveys" / "Research and satisfaction surveys",
    }
}

crate::vocabulary! {
    /// How the person gave or withdrew consent.
    ConsentMethod {
        WrittenForm => "written_form" / "Written form",
        RecordedCall => "recorded_call" / "Recorded call",
        Portal => "portal" / "Customer portal",
        Email => "email" / "Email",
        InPerson => "in_person" / "In person, noted by staff",
    }
}

crate::vocabulary! {
    /// Whether a consent record gives or withdraws consent.
    ConsentDecision {
        Given => "given" / "Given",
        Withdrawn => "withdrawn" / "Withdrawn",
    }
}

crate::vocabulary! {
    /// Channels a person can ask us to use, or not to use.
    PreferenceChannel {
        Phone => "phone" / "Phone call",
        Sms => "sms" / "Text message",
        Email => "email" / "Email",
        Letter => "letter" / "Letter",
        Visit => "visit" / "Home visit",
    }
}

crate::vocabulary! {
    /// What a person objects to (UK GDPR Art. 21).
    ObjectionKind {
        Sharing => "sharing" / "Sharing their information with other organisations",
        Profiling => "profiling" / "Profiling and analysis of their data",
        DirectMarketing => "direct_marketing" / "Direct marketing",
    }
}

/// One consent record as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentInput {
    pub purpose: Option<String>,
    /// given or withdrawn.
    pub decision: Option<String>,
    /// ISO date the person gave or withdrew it; default today. Not in the future.
    pub on: Option<String>,
    pub method: Option<String>,
    /// Where the evidence is: a form reference, the call's date and time, the portal reference.
    pub evidence: Option<String>,
    /// The version of the privacy notice shown when consent was given (required then).
    pub notice_version: Option<String>,
    /// ISO date consent lapses, if it was given for a time; after `on`.
    pub expires_on: Option<String>,
}

/// A consent record, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentFields {
    pub purpose: ConsentPurpose,
    pub decision: ConsentDecision,
    pub on: Date,
    pub method: ConsentMethod,
    pub evidence: String,
    pub notice_version: Option<String>,
    pub expires_on: Option<Date>,
}

fn choice<T>(errs: &mut ValidationErrors, field: &str, value: Option<&str>, parse: fn(&str) -> Option<T>, msg: &str) -> Option<T> {
    errs.check(parse(value.unwrap_or("").trim()).ok_or_else(|| FieldError::new(field, msg)))
}

fn optional_date(errs: &mut ValidationErrors, field: &str, value: Option<&str>, what: &str) -> Option<Option<Date>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(None),
        Some(v) => errs.check(crate::validate::iso_date(field, v, what)).map(Some),
    }
}

impl ConsentInput {
    pub fn validate(&self, today: Date) -> Result<ConsentFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let purpose = choice(&mut errs, "purpose", self.purpose.as_deref(), ConsentPurpose::parse, "Choose what the consent is for");
        let decision =
            choice(&mut errs, "decision", self.decision.as_deref(), ConsentDecision::parse, "Choose whether consent is given or withdrawn");
        let on = optional_date(&mut errs, "on", self.on.as_deref(), "Date").map(|d| d.unwrap_or(today));
        if on.is_some_and(|d| d > today) {
            errs.push(FieldError::new("on", "Date must be today or in the past"));
        }
        let method = choice(&mut errs, "method", self.method.as_deref(), ConsentMethod::parse, "Choose how the person told us");
        let evidence = match errs.check(optional_text("evidence", self.evidence.as_deref(), 500, "evidence")).flatten() {
            Some(e) => Some(e),
            None => {
                if !errs.0.iter().any(|e| e.field == "evidence") {
                    errs.push(FieldError::new(
                        "evidence",
                        "Say where the evidence is, for example the form reference or the call's date and time",
                    ));
                }
                None
            }
        };
        let notice_version = errs.check(optional_text("notice_version", self.notice_version.as_deref(), 100, "notice version")).flatten();
        if decision == Some(ConsentDecision::Given) && notice_version.is_none() && !errs.0.iter().any(|e| e.field == "notice_version") {
            errs.push(FieldError::new("notice_version", "Enter the version of the privacy notice the person was shown"));
        }
        let expires_on = optional_date(&mut errs, "expires_on", self.expires_on.as_deref(), "Expiry date").flatten();
        if let Some(x) = expires_on {
            if decision == Some(ConsentDecision::Withdrawn) {
                errs.push(FieldError::new("expires_on", "A withdrawal has no expiry date; leave it empty"));
            } else if on.is_some_and(|d| x <= d) {
                errs.push(FieldError::new("expires_on", "Expiry date must be after the date consent was given"));
            }
        }
        errs.into_result()?;
        Ok(ConsentFields {
            purpose: purpose.expect("checked"),
            decision: decision.expect("checked"),
            on: on.expect("checked"),
            method: method.expect("checked"),
            evidence: evidence.expect("checked"),
            notice_version,
            expires_on,
        })
    }
}

/// A stored consent record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRecord {
    pub id: Id,
    pub person_id: Id,
    pub purpose: ConsentPurpose,
    pub decision: ConsentDecision,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    pub method: ConsentMethod,
    pub evidence: String,
    pub notice_version: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub expires_on: Option<Date>,
    pub recorded_by: String,
    /// RFC 3339.
    pub recorded_at: String,
}

/// Where one purpose stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    /// Never asked: the purpose is not used.
    NotAsked,
    Given,
    Withdrawn,
    /// Given for a time that has passed.
    Expired,
}

impl ConsentState {
    pub fn label(self) -> &'static str {
        match self {
            ConsentState::NotAsked => "Not asked",
            ConsentState::Given => "Given",
            ConsentState::Withdrawn => "Withdrawn",
            ConsentState::Expired => "Expired",
        }
    }

    /// Only consent given and not lapsed allows the purpose.
    pub fn allows(self) -> bool {
        self == ConsentState::Given
    }
}

/// The state of `purpose` from a person's consent log: the latest record
/// wins (by the date it was given or withdrawn, then by the order recorded,
/// so a withdrawal recorded late still counts from its own date).
pub fn consent_state(log: &[ConsentRecord], purpose: ConsentPurpose, today: Date) -> ConsentState {
    let latest = log.iter().filter(|r| r.purpose == purpose).max_by_key(|r| (r.on, r.id));
    match latest {
        None => ConsentState::NotAsked,
        Some(r) if r.decision == ConsentDecision::Withdrawn => ConsentState::Withdrawn,
        Some(r) if r.expires_on.is_some_and(|x| x <= today) => ConsentState::Expired,
        Some(_) => ConsentState::Given,
    }
}

/// Contact preferences as posted: the whole set, replacing the last.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreferencesInput {
    /// The version read, to refuse a lost update; omit for a person with none yet.
    pub version: Option<i64>,
    pub preferred_channel: Option<String>,
    /// Channels the person asked us not to use.
    #[serde(default)]
    pub declined_channels: Vec<String>,
    /// The person asked for no marketing by any channel.
    #[serde(default)]
    pub marketing_opt_out: bool,
    /// No letters to an address the person shares with others (post there
    /// could put them at risk).
    #[serde(default)]
    pub no_letters_to_shared_address: bool,
    pub note: Option<String>,
}

/// Contact preferences, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreferencesFields {
    pub version: Option<i64>,
    pub preferred_channel: Option<PreferenceChannel>,
    pub declined_channels: Vec<PreferenceChannel>,
    pub marketing_opt_out: bool,
    pub no_letters_to_shared_address: bool,
    pub note: Option<String>,
}

impl PreferencesInput {
    pub fn validate(&self) -> Result<PreferencesFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let preferred = match self.preferred_channel.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => errs
                .check(PreferenceChannel::parse(v).ok_or_else(|| FieldError::new("preferred_channel", "Choose a channel from the list"))),
        };
        let mut declined = Vec::new();
        for (i, v) in self.declined_channels.iter().enumerate() {
            match PreferenceChannel::parse(v.trim()) {
                Some(c) if !declined.contains(&c) => declined.push(c),
                Some(_) => {}
                None => errs.push(FieldError::new(format!("declined_channels[{i}]"), "Choose channels from the list")),
            }
        }
        declined.sort();
        if let Some(p) = preferred.filter(|p| declined.contains(p)) {
            errs.push(FieldError::new("preferred_channel", format!("{} cannot be both preferred and declined", p.label())));
        }
        let note = errs.check(optional_text("note", self.note.as_deref(), 500, "note")).flatten();
        errs.into_result()?;
        Ok(PreferencesFields {
            version: self.version,
            preferred_channel: preferred,
            declined_channels: declined,
            marketing_opt_out: self.marketing_opt_out,
            no_letters_to_shared_address: self.no_letters_to_shared_address,
            note,
        })
    }
}

/// A person's contact preferences as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactPreferences {
    pub person_id: Id,
    pub preferred_channel: Option<PreferenceChannel>,
    pub declined_channels: Vec<PreferenceChannel>,
    pub marketing_opt_out: bool,
    /// No letters to an address the person shares with others.
    pub no_letters_to_shared_address: bool,
    pub note: Option<String>,
    pub updated_by: String,
    /// RFC 3339.
    pub updated_at: String,
    pub version: i64,
}

impl ContactPreferences {
    /// Whether the person accepts contact on `channel` for the service
    /// itself. Letters a law requires (notices) go whatever this says.
    pub fn accepts(&self, channel: PreferenceChannel) -> bool {
        !self.declined_channels.contains(&channel)
    }
}

/// An objection as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectionInput {
    pub kind: Option<String>,
    /// ISO date received; default today. Not in the future.
    pub received_on: Option<String>,
    /// What the person said, in brief.
    pub detail: Option<String>,
}

/// An objection, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectionFields {
    pub kind: ObjectionKind,
    pub received_on: Date,
    pub detail: String,
}

impl ObjectionInput {
    pub fn validate(&self, today: Date) -> Result<ObjectionFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let kind = choice(&mut errs, "kind", self.kind.as_deref(), ObjectionKind::parse, "Choose what the person objects to");
        let received_on = optional_date(&mut errs, "received_on", self.received_on.as_deref(), "Date received").map(|d| d.unwrap_or(today));
        if received_on.is_some_and(|d| d > today) {
            errs.push(FieldError::new("received_on", "Date received must be today or in the past"));
        }
        let detail = errs.check(optional_text("detail", self.detail.as_deref(), 2000, "detail")).flatten();
        if detail.is_none() && !errs.0.iter().any(|e| e.field == "detail") {
            errs.push(FieldError::new("detail", "Say in brief what the person objects to and why"));
        }
        errs.into_result()?;
        Ok(ObjectionFields { kind: kind.expect("checked"), received_on: received_on.expect("checked"), detail: detail.expect("checked") })
    }
}

/// A standing objection; it binds until the person withdraws it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Objection {
    pub id: Id,
    pub person_id: Id,
    pub kind: ObjectionKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub received_on: Date,
    pub detail: String,
    pub recorded_by: String,
    /// RFC 3339.
    pub recorded_at: String,
    pub withdrawn_by: Option<String>,
    /// RFC 3339.
    pub withdrawn_at: Option<String>,
    pub withdrawn_reason: Option<String>,
}

/// One person who may receive marketing on a channel, and where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AudienceMember {
    pub person_id: Id,
    pub name: String,
    /// The email address, phone number or first address line.
    pub to: String,
    pub postcode: Option<String>,
}

/// `to` is whichever of email, phone or address line the channel uses, so
/// it is kept only for a caller who may read all three.
impl crate::classes::Project for AudienceMember {
    fn project(&mut self, permitted: crate::classes::ClassSet) {
        use crate::classes::{DataClass::*, Withhold};
        if !permitted.contains(Name) {
            self.name.withhold();
        }
        if ![Email, Phone, PostalAddress].iter().all(|c| permitted.contains(*c)) {
            self.to.withhold();
        }
        if !permitted.contains(PostalAddress) {
            self.postcode.withhold();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn record(id: Id, purpose: ConsentPurpose, decision: ConsentDecision, on: Date, expires_on: Option<Date>) -> ConsentRecord {
        ConsentRecord {
            id,
            person_id: 1,
            purpose,
            decision,
            on,
            method: ConsentMethod::WrittenForm,
            evidence: "Form CF-1".into(),
            notice_version: Some("v1".into()),
            expires_on,
            recorded_by: "officer".into(),
            recorded_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn the_latest_record_by_date_decides_and_expiry_lapses_consent() {
        use ConsentDecision::*;
        use ConsentPurpose::*;
        let today = date(2026, 6, 1);
        assert_eq!(consent_state(&[], Marketing, today), ConsentState::NotAsked);
        let given = record(1, Marketing, Given, date(2026, 1, 1), None);
        assert_eq!(consent_state(std::slice::from_ref(&given), Marketing, today), ConsentState::Given);
        assert_eq!(consent_state(std::slice::from_ref(&given), TailorServices, today), ConsentState::NotAsked);
        let withdrawn = record(2, Marketing, Withdrawn, date(2026, 3, 1), None);
        assert_eq!(consent_state(&[given.clone(), withdrawn.clone()], Marketing, today), ConsentState::Withdrawn);
        // A withdrawal recorded after a later re-consent does not undo it.
        let again = record(0, Marketing, Given, date(2026, 4, 1), None);
        assert_eq!(consent_state(&[given, withdrawn, again], Marketing, today), ConsentState::Given);
        let lapsed = record(3, Marketing, Given, date(2026, 1, 1), Some(date(2026, 6, 1)));
        assert_eq!(consent_state(&[lapsed], Marketing, today), ConsentState::Expired);
    }

    #[test]
    fn consent_needs_evidence_and_a_notice_version_when_given() {
        let today = date(2026, 6, 1);
        let err = ConsentInput {
            purpose: Some("marketing".into()),
            decision: Some("given".into()),
            method: Some("portal".into()),
            ..Default::default()
        }
        .validate(today)
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["evidence", "notice_version"]);
        let ok = ConsentInput {
            purpose: Some("marketing".into()),
            decision: Some("withdrawn".into()),
            method: Some("email".into()),
            evidence: Some("Email of 3 May".into()),
            ..Default::default()
        }
        .validate(today)
        .unwrap();
        assert_eq!((ok.decision, ok.on, ok.notice_version), (ConsentDecision::Withdrawn, today, None));
        let err = ConsentInput { on: Some("2026-06-02".into()), expires_on: Some("2026-06-01".into()), ..Default::default() }
            .validate(today)
            .unwrap_err();
        assert!(err.0.iter().any(|e| e.field == "on" && e.message.contains("past")));
        assert!(err.0.iter().any(|e| e.field == "expires_on"));
    }

    #[test]
    fn a_channel_cannot_be_both_preferred_and_declined() {
        let err = PreferencesInput { preferred_channel: Some("sms".into()), declined_channels: vec!["sms".into()], ..Default::default() }
            .validate()
            .unwrap_err();
        assert_eq!(err.0[0].field, "preferred_channel");
        let err = PreferencesInput { declined_channels: vec!["fax".into()], ..Default::default() }.validate().unwrap_err();
        assert_eq!(err.0[0].field, "declined_channels[0]");
        let ok = PreferencesInput { declined_channels: vec!["visit".into(), "phone".into(), "phone".into()], ..Default::default() }
            .validate()
            .unwrap();
        assert_eq!(ok.declined_channels, [PreferenceChannel::Phone, PreferenceChannel::Visit]);
    }
}

crate::classify! { ConsentRecord as "consent" {
    keep: id, person_id, purpose, decision, on, method, notice_version, expires_on, recorded_by, recorded_at;
    evidence: FreeText,
} }

crate::classify! { Objection as "objection" {
    keep: id, person_id, kind, received_on, recorded_by, recorded_at, withdrawn_by, withdrawn_at;
    detail: FreeText, withdrawn_reason: FreeText,
} }

crate::classify! { ContactPreferences as "contact_preferences" {
    keep: person_id, preferred_channel, declined_channels, marketing_opt_out, no_letters_to_shared_address, updated_by, updated_at, version;
    note: FreeText,
} }
