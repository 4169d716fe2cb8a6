//! Needs, reasonable adjustments and staff-safety warning flags.
//!
//! A need (mental health, hearing, …) is health or circumstance data: its
//! detail lives in the `needs` compartment. The adjustments it calls for
//! (call ahead, large print, …) live in `adjustments`, which every role that
//! deals with the person may see. An adjustment is *used* (banner, job sheet,
//! repair priority uplift) only while its need is active and the person has
//! given express consent to use it to tailor services (seed 000 §3.5.3);
//! otherwise it is kept but not used, and screens say why. Every need and
//! flag carries a review date, by default set from `config/needs-review.json`.
//! Warning flags carry a risk assessment, whether the person was told, and
//! must be acknowledged by each user before their text is shown.
//!
//! Pure rules only: no storage, no clock (callers pass `today`).

use crate::{
    cases::CasePriority,
    error::{FieldError, ValidationErrors},
    Id,
};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

crate::vocabulary! {
    /// What kind of need (seed 001 §3.2, DESIGN §3).
    NeedCategory {
        MentalHealth => "mental_health" / "Mental health",
        DisabilityOrHealth => "disability_or_health_condition" / "Disability or health condition",
        Bereavement => "bereavement" / "Bereavement",
        FinancialHardship => "financial_hardship" / "Financial hardship",
        DomesticAbuse => "domestic_abuse" / "Domestic abuse",
        OldAge => "old_age" / "Old age",
        Sight => "sight" / "Sight",
        Hearing => "hearing" / "Hearing",
        Language => "language" / "Language",
        LearningDisability => "learning_disability" / "Learning disability",
        Mobility => "mobility" / "Mobility",
        Literacy => "literacy" / "Literacy",
        RecentDischarge => "recent_discharge" / "Recent hospital or prison discharge",
        Other => "other" / "Other",
    }
}

crate::vocabulary! {
    /// Where we learned of the need (seed 001 §3.3).
    NeedSource {
        Application => "application" / "Housing application",
        SignUp => "sign_up" / "Sign-up",
        Survey => "survey" / "Survey or visit",
        StaffContact => "staff_contact" / "Staff contact",
        ContractorReport => "contractor_report" / "Contractor report",
        ReferralAgency => "referral_agency" / "Referral agency",
    }
}

crate::vocabulary! {
    /// How the person told us.
    DisclosureChannel {
        Phone => "phone" / "Phone",
        InPerson => "in_person" / "In person",
        HomeVisit => "home_visit" / "Home visit",
        Letter => "letter" / "Letter",
        Email => "email" / "Email",
        OnlineForm => "online_form" / "Online form",
        Other => "other" / "Other",
    }
}

crate::vocabulary! {
    NeedDuration {
        Temporary => "temporary" / "Temporary",
        LongTerm => "long_term" / "Long-term",
    }
}

crate::vocabulary! {
    /// A reasonable adjustment (seed 001 §4.3–4.4, DESIGN §3).
    AdjustmentKind {
        PreferredFormat => "preferred_format" / "Preferred format",
        CallAhead => "call_ahead" / "Call ahead before visiting",
        MoreTimeAtDoor => "more_time_at_door" / "Allow more time to answer the door",
        IntroduceYourself => "introduce_yourself" / "Introduce yourself on arrival",
        TellIfLate => "tell_if_late" / "Tell them if late or rescheduled",
        LongerCalls => "longer_calls" / "Allow longer calls",
        OperativeGender => "operative_gender" / "Operative gender preference",
        RepairPriorityUplift => "repair_priority_uplift" / "Repair priority uplift",
        Peep => "peep" / "Personal emergency evacuation plan",
    }
}

crate::vocabulary! {
    PreferredFormat {
        LargePrint => "large_print" / "Large print",
        Braille => "braille" / "Braille",
        EasyRead => "easy_read" / "Easy read",
        Audio => "audio" / "Audio",
        BslInterpreter => "bsl_interpreter" / "BSL interpreter",
        SpokenLanguageInterpreter => "spoken_language_interpreter" / "Spoken-language interpreter",
    }
}

crate::vocabulary! {
    OperativeGender {
        Female => "female" / "Female operative",
        Male => "male" / "Male operative",
    }
}

crate::vocabulary! {
    /// Staff-safety flag reasons, in the style of HACT's data standard.
    FlagCategory {
        DoNotVisitAlone => "do_not_visit_alone" / "Do not visit alone",
        ViolenceOrAggression => "violence_or_aggression" / "Violence or aggression",
        VerbalAbuse => "verbal_abuse" / "Verbal abuse",
        Asb => "asb" / "Anti-social behaviour",
        Safeguarding => "safeguarding" / "Safeguarding",
        DangerousAnimal => "dangerous_animal" / "Dangerous animal",
        LanguageSupport => "language_support" / "Language support needed",
        CapacityOrLpa => "capacity_or_lpa" / "Mental capacity or lasting power of attorney",
        Other => "other" / "Other",
    }
}

crate::vocabulary! {
    FlagSeverity {
        Low => "low" / "Low",
        Medium => "medium" / "Medium",
        High => "high" / "High",
    }
}

crate::vocabulary! {
    /// The answer to a needs check.
    NeedsCheckOutcome {
        NeedsRecorded => "needs_recorded" / "Needs recorded",
        NoNeeds => "no_needs" / "No needs",
        Declined => "declined" / "Declined to say",
    }
}

/// Which part of a visit an adjustment is about: only communication and
/// access adjustments go on a contractor's job sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustmentGroup {
    Communication,
    Access,
    Service,
}

impl AdjustmentKind {
    pub fn group(self) -> AdjustmentGroup {
        use AdjustmentKind::*;
        match self {
            PreferredFormat | CallAhead | IntroduceYourself | TellIfLate | LongerCalls => AdjustmentGroup::Communication,
            MoreTimeAtDoor | OperativeGender | Peep => AdjustmentGroup::Access,
            RepairPriorityUplift => AdjustmentGroup::Service,
        }
    }
}

/// A repair job's priority one step higher (an emergency stays one).
pub fn uplift(p: CasePriority) -> CasePriority {
    match p {
        CasePriority::Routine => CasePriority::Urgent,
        CasePriority::Urgent | CasePriority::Emergency => CasePriority::Emergency,
    }
}

// ---- review periods (configuration) ----

pub const NEEDS_REVIEW_JSON: &str = include_str!("../../../config/needs-review.json");

/// Months until review, per need category and for warning flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewPeriods {
    months: BTreeMap<String, u32>,
}

impl Default for ReviewPeriods {
    fn default() -> Self {
        ReviewPeriods::parse(NEEDS_REVIEW_JSON).expect("shipped needs-review.json is valid")
    }
}

impl ReviewPeriods {
    /// Reads a flat JSON object of `"name": months`; keys starting `_` are
    /// comments. Every need category and `warning_flag` must be present.
    pub fn parse(text: &str) -> Result<ReviewPeriods, String> {
        let body = text.trim().strip_prefix('{').and_then(|t| t.strip_suffix('}')).ok_or("not a JSON object")?;
        let mut months = BTreeMap::new();
        for line in body.split(",\n").flat_map(|l| l.split('\n')) {
            let Some((k, v)) = line.split_once(':') else { continue };
            let k = k.trim().trim_matches('"');
            if k.starts_with('_') || k.is_empty() {
                continue;
            }
            let v = v.trim().trim_end_matches(',');
            let n: u32 = v.parse().map_err(|_| format!("{k}: months must be a whole number, not {v}"))?;
            if !(1..=60).contains(&n) {
                return Err(format!("{k}: months must be from 1 to 60"));
            }
            months.insert(k.to_string(), n);
        }
        for key in NeedCategory::ALL.iter().map(|c| c.as_str()).chain(["warning_flag"]) {
            if !months.contains_key(key) {
                return Err(format!("{key}: no review period"));
            }
        }
        Ok(ReviewPeriods { months })
    }

    pub fn months_for(&self, key: &str) -> u32 {
        self.months.get(key).copied().unwrap_or(6)
    }

    /// The default review date for a need disclosed on `from`.
    pub fn need_review(&self, category: NeedCategory, from: Date) -> Date {
        from.saturating_add((self.months_for(category.as_str()) as i64).months())
    }

    pub fn flag_review(&self, from: Date) -> Date {
        from.saturating_add((self.months_for("warning_flag") as i64).months())
    }
}

// ---- needs ----

/// A need as stored and shown to those who may see needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Need {
    pub id: Id,
    pub person_id: Id,
    pub category: NeedCategory,
    /// Free-text detail: health data, needs compartment only.
    pub detail: Option<String>,
    pub source: NeedSource,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub disclosed_on: Date,
    pub disclosure_channel: DisclosureChannel,
    pub duration: NeedDuration,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub review_date: Date,
    /// The words the person prefers for their circumstances.
    pub preferred_words: Option<String>,
    /// Express consent to use this need to tailor services.
    pub consent_to_tailor: bool,
    /// Who recorded the consent answer, and when.
    pub consent_recorded_by: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub consent_recorded_at: Timestamp,
    /// The officer who reviews this need.
    pub review_officer: Id,
    pub recorded_by: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub ended_at: Option<Timestamp>,
    pub ended_by: Option<Id>,
    pub end_reason: Option<String>,
    pub version: i64,
}

impl Need {
    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
    }
    /// Used to tailor services: active, with consent.
    pub fn in_use(&self) -> bool {
        self.is_active() && self.consent_to_tailor
    }
    pub fn review_overdue(&self, today: Date) -> bool {
        self.is_active() && self.review_date < today
    }
}

/// Why an adjustment is kept but not used, in words for staff.
pub const NO_CONSENT: &str = "Not used to tailor services: the person has not given consent to use this need to tailor services";
pub const NEED_ENDED: &str = "Not used: the need it meets has ended";

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedInput {
    pub category: Option<String>,
    pub detail: Option<String>,
    pub source: Option<String>,
    /// ISO date; default today. Not in the future.
    pub disclosed_on: Option<String>,
    pub disclosure_channel: Option<String>,
    /// temporary or long_term.
    pub duration: Option<String>,
    /// ISO date; default from the category's review period. Not in the past.
    pub review_date: Option<String>,
    pub preferred_words: Option<String>,
    /// Required: the person's express answer.
    pub consent_to_tailor: Option<bool>,
    /// Staff account that reviews the need (default the recorder).
    pub review_officer: Option<Id>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NeedFields {
    pub category: NeedCategory,
    pub detail: Option<String>,
    pub source: NeedSource,
    pub disclosed_on: Date,
    pub disclosure_channel: DisclosureChannel,
    pub duration: NeedDuration,
    pub review_date: Date,
    pub preferred_words: Option<String>,
    pub consent_to_tailor: bool,
    pub review_officer: Option<Id>,
}

fn choice<T: Copy>(errs: &mut ValidationErrors, field: &str, value: Option<&str>, parse: fn(&str) -> Option<T>, msg: &str) -> Option<T> {
    errs.check(parse(value.unwrap_or("").trim()).ok_or_else(|| FieldError::new(field, msg)))
}

/// A date that is optional on the wire, or `None` after recording its error.
fn date_or(errs: &mut ValidationErrors, field: &str, value: Option<&str>, what: &str) -> Option<Option<Date>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(None),
        Some(v) => errs.check(crate::validate::iso_date(field, v, what)).map(Some),
    }
}

pub(crate) fn optional_long_text(field: &str, value: Option<&str>, max: usize, what: &str) -> Result<Option<String>, FieldError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if v.chars().count() > max {
        return Err(FieldError::new(field, format!("The {what} must be {max} characters or fewer")));
    }
    if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(FieldError::new(field, format!("The {what} must not contain control characters")));
    }
    Ok(Some(v.to_string()))
}

impl NeedInput {
    pub fn validate(&self, today: Date, periods: &ReviewPeriods) -> Result<NeedFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let category = choice(&mut errs, "category", self.category.as_deref(), NeedCategory::parse, "Choose the kind of need");
        let detail = errs.check(optional_long_text("detail", self.detail.as_deref(), 4000, "detail")).flatten();
        let source = choice(&mut errs, "source", self.source.as_deref(), NeedSource::parse, "Choose where we learned of the need");
        let disclosed_on = date_or(&mut errs, "disclosed_on", self.disclosed_on.as_deref(), "Date disclosed").map(|d| d.unwrap_or(today));
        if disclosed_on.is_some_and(|d| d > today) {
            errs.push(FieldError::new("disclosed_on", "Date disclosed must be today or in the past"));
        }
        let disclosure_channel = choice(
            &mut errs,
            "disclosure_channel",
            self.disclosure_channel.as_deref(),
            DisclosureChannel::parse,
            "Choose how the person told us",
        );
        let duration = choice(
            &mut errs,
            "duration",
            self.duration.as_deref(),
            NeedDuration::parse,
            "Choose whether the need is temporary or long-term",
        );
        // A need recorded long after it was disclosed may already be due: it
        // then shows as overdue at once, which is the point of a review date.
        let review = date_or(&mut errs, "review_date", self.review_date.as_deref(), "Review date");
        if let (Some(Some(r)), Some(d)) = (review, disclosed_on) {
            if r < d {
                errs.push(FieldError::new("review_date", "Review date must be on or after the date disclosed"));
            }
        }
        let preferred_words = errs
            .check(crate::validate::optional_text("preferred_words", self.preferred_words.as_deref(), 200, "preferred words"))
            .flatten();
        let consent = self.consent_to_tailor;
        if consent.is_none() {
            errs.push(FieldError::new(
                "consent_to_tailor",
                "Say whether the person gives consent to use this need to tailor services (ask them expressly)",
            ));
        }
        errs.into_result()?;
        let (category, disclosed_on) = (category.expect("checked"), disclosed_on.expect("checked"));
        Ok(NeedFields {
            category,
            detail,
            source: source.expect("checked"),
            disclosed_on,
            disclosure_channel: disclosure_channel.expect("checked"),
            duration: duration.expect("checked"),
            review_date: review.flatten().unwrap_or_else(|| periods.need_review(category, disclosed_on)),
            preferred_words,
            consent_to_tailor: consent.expect("checked"),
            review_officer: self.review_officer,
        })
    }
}

/// A change to a need, sent with the version it was based on.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum NeedChange {
    /// Record the person's (new) answer on consent to tailor services.
    Consent { version: i64, consent_to_tailor: bool },
    /// Reviewed: still relevant; set the next review date (default by category).
    Reviewed { version: i64, next_review: Option<String> },
    /// No longer relevant: ends the need, keeping who and why.
    End { version: i64, reason: String },
}

impl NeedChange {
    pub fn version(&self) -> i64 {
        match self {
            NeedChange::Consent { version, .. } | NeedChange::Reviewed { version, .. } | NeedChange::End { version, .. } => *version,
        }
    }
}

/// A reason for ending something: required, short.
pub fn end_reason(value: &str) -> Result<String, FieldError> {
    let r = crate::validate::optional_text("reason", Some(value), 500, "reason")?;
    r.ok_or_else(|| FieldError::new("reason", "Say why it is no longer relevant"))
}

// ---- adjustments ----

/// A reasonable adjustment as every role that deals with the person sees it:
/// never the need's category or detail, only whether it is in use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Adjustment {
    pub id: Id,
    pub person_id: Id,
    pub need_id: Id,
    pub kind: AdjustmentKind,
    pub format: Option<PreferredFormat>,
    /// For a spoken-language interpreter.
    pub language: Option<String>,
    pub operative_gender: Option<OperativeGender>,
    pub note: Option<String>,
    pub recorded_by: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub ended_at: Option<Timestamp>,
    pub ended_by: Option<Id>,
    pub end_reason: Option<String>,
    pub version: i64,
    /// Whether services are tailored with it now (active, need active, consent given).
    pub in_use: bool,
    /// Why it is not in use, when it is not.
    pub not_in_use_reason: Option<String>,
}

impl Adjustment {
    /// What staff should do, in one line, e.g. "Preferred format: Spoken-language interpreter (Polish)".
    pub fn describe(&self) -> String {
        match (self.kind, self.format, &self.language, self.operative_gender) {
            (AdjustmentKind::PreferredFormat, Some(f), Some(l), _) => format!("Preferred format: {} ({l})", f.label()),
            (AdjustmentKind::PreferredFormat, Some(f), None, _) => format!("Preferred format: {}", f.label()),
            (AdjustmentKind::OperativeGender, _, _, Some(g)) => format!("Operative gender preference: {}", g.label().to_lowercase()),
            (k, ..) => k.label().to_string(),
        }
    }

    /// Works out `in_use` from the adjustment's and its need's state.
    pub fn with_use(mut self, need_active: bool, consent: bool) -> Self {
        let reason = if self.ended_at.is_some() {
            Some("Ended".to_string())
        } else if !need_active {
            Some(NEED_ENDED.to_string())
        } else if !consent {
            Some(NO_CONSENT.to_string())
        } else {
            None
        };
        self.in_use = reason.is_none();
        self.not_in_use_reason = reason;
        self
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdjustmentInput {
    /// The person's need this adjustment meets.
    pub need_id: Option<Id>,
    pub kind: Option<String>,
    /// preferred_format: large_print, braille, easy_read, audio, bsl_interpreter, spoken_language_interpreter.
    pub format: Option<String>,
    /// spoken_language_interpreter: the language.
    pub language: Option<String>,
    /// operative_gender: female or male.
    pub operative_gender: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AdjustmentFields {
    pub need_id: Id,
    pub kind: AdjustmentKind,
    pub format: Option<PreferredFormat>,
    pub language: Option<String>,
    pub operative_gender: Option<OperativeGender>,
    pub note: Option<String>,
}

impl AdjustmentInput {
    pub fn validate(&self) -> Result<AdjustmentFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let need_id = self.need_id;
        if need_id.is_none() {
            errs.push(FieldError::new("need_id", "Choose the need this adjustment meets"));
        }
        let kind = choice(&mut errs, "kind", self.kind.as_deref(), AdjustmentKind::parse, "Choose the adjustment");
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let format = match (kind, given(&self.format)) {
            (Some(AdjustmentKind::PreferredFormat), None) => {
                errs.push(FieldError::new("format", "Choose the preferred format"));
                None
            }
            (Some(AdjustmentKind::PreferredFormat), Some(f)) => {
                errs.check(PreferredFormat::parse(&f).ok_or_else(|| FieldError::new("format", "Choose the preferred format")))
            }
            (_, Some(_)) => {
                errs.push(FieldError::new("format", "Only a preferred-format adjustment has a format"));
                None
            }
            (_, None) => None,
        };
        let language = errs.check(crate::validate::optional_text("language", self.language.as_deref(), 60, "language")).flatten();
        let language = match (format, language) {
            (Some(PreferredFormat::SpokenLanguageInterpreter), None) => {
                errs.push(FieldError::new("language", "Enter the language the interpreter speaks"));
                None
            }
            (Some(PreferredFormat::SpokenLanguageInterpreter), Some(l)) => Some(l),
            // A language only means something for an interpreter.
            (_, Some(_)) => {
                errs.push(FieldError::new("language", "Only a spoken-language interpreter has a language"));
                None
            }
            (_, None) => None,
        };
        let operative_gender = match (kind, given(&self.operative_gender)) {
            (Some(AdjustmentKind::OperativeGender), g) => errs.check(
                OperativeGender::parse(g.as_deref().unwrap_or(""))
                    .ok_or_else(|| FieldError::new("operative_gender", "Choose a female or male operative")),
            ),
            (_, Some(_)) => {
                errs.push(FieldError::new("operative_gender", "Only an operative gender preference has a gender"));
                None
            }
            (_, None) => None,
        };
        let note = errs.check(crate::validate::optional_text("note", self.note.as_deref(), 300, "note")).flatten();
        errs.into_result()?;
        Ok(AdjustmentFields { need_id: need_id.expect("checked"), kind: kind.expect("checked"), format, language, operative_gender, note })
    }
}

// ---- warning flags ----

/// A staff-safety warning flag. Until the reader has acknowledged it, the
/// risk assessment and the reason the person was not told are withheld.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningFlag {
    pub id: Id,
    pub person_id: Id,
    pub category: FlagCategory,
    pub severity: FlagSeverity,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub incident_date: Option<Date>,
    /// Withheld (null) until the reader acknowledges the flag.
    pub risk_assessment: Option<String>,
    pub person_told: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub person_told_on: Option<Date>,
    /// Withheld (null) until the reader acknowledges the flag.
    pub not_told_reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub review_date: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub starts_on: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub ends_on: Option<Date>,
    pub review_officer: Id,
    pub recorded_by: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
    pub ended_by: Option<Id>,
    pub end_reason: Option<String>,
    /// Whether the reader has acknowledged it.
    pub acknowledged: bool,
    pub version: i64,
}

impl WarningFlag {
    pub fn is_current(&self, today: Date) -> bool {
        self.starts_on <= today && self.ends_on.is_none_or(|e| e >= today)
    }
    /// The text a reader may only see after acknowledging.
    pub fn withhold_text(mut self) -> Self {
        self.risk_assessment = None;
        self.not_told_reason = None;
        self
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningFlagInput {
    pub category: Option<String>,
    /// low, medium or high.
    pub severity: Option<String>,
    pub incident_date: Option<String>,
    /// Required: the risk assessment behind the flag.
    pub risk_assessment: Option<String>,
    /// Required: whether the person was told about the flag.
    pub person_told: Option<bool>,
    /// Required when told.
    pub person_told_on: Option<String>,
    /// Required when not told.
    pub not_told_reason: Option<String>,
    /// Default from the warning-flag review period.
    pub review_date: Option<String>,
    /// Default today.
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WarningFlagFields {
    pub category: FlagCategory,
    pub severity: FlagSeverity,
    pub incident_date: Option<Date>,
    pub risk_assessment: String,
    pub person_told: bool,
    pub person_told_on: Option<Date>,
    pub not_told_reason: Option<String>,
    pub review_date: Date,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

impl WarningFlagInput {
    pub fn validate(&self, today: Date, periods: &ReviewPeriods) -> Result<WarningFlagFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let category = choice(&mut errs, "category", self.category.as_deref(), FlagCategory::parse, "Choose the reason for the flag");
        let severity = choice(&mut errs, "severity", self.severity.as_deref(), FlagSeverity::parse, "Choose low, medium or high");
        let incident_date = date_or(&mut errs, "incident_date", self.incident_date.as_deref(), "Incident date").flatten();
        if incident_date.is_some_and(|d| d > today) {
            errs.push(FieldError::new("incident_date", "Incident date must be today or in the past"));
        }
        let risk = errs.check(optional_long_text("risk_assessment", self.risk_assessment.as_deref(), 4000, "risk assessment")).flatten();
        if risk.is_none() && !errs.0.iter().any(|e| e.field == "risk_assessment") {
            errs.push(FieldError::new("risk_assessment", "Enter the risk assessment behind the flag"));
        }
        let told_on = date_or(&mut errs, "person_told_on", self.person_told_on.as_deref(), "Date told").flatten();
        let not_told_reason =
            errs.check(crate::validate::optional_text("not_told_reason", self.not_told_reason.as_deref(), 500, "reason")).flatten();
        match self.person_told {
            None => errs.push(FieldError::new("person_told", "Say whether the person was told about the flag")),
            Some(true) if told_on.is_none() => errs.push(FieldError::new("person_told_on", "Enter the date the person was told")),
            Some(true) if told_on.is_some_and(|d| d > today) => {
                errs.push(FieldError::new("person_told_on", "Date told must be today or in the past"))
            }
            Some(false) if not_told_reason.is_none() => {
                errs.push(FieldError::new("not_told_reason", "Say why the person has not been told"))
            }
            _ => {}
        }
        let review = date_or(&mut errs, "review_date", self.review_date.as_deref(), "Review date").flatten();
        if review.is_some_and(|d| d < today) {
            errs.push(FieldError::new("review_date", "Review date must be today or in the future"));
        }
        let starts_on = date_or(&mut errs, "starts_on", self.starts_on.as_deref(), "Start date").map(|d| d.unwrap_or(today));
        let ends_on = date_or(&mut errs, "ends_on", self.ends_on.as_deref(), "End date").flatten();
        if let (Some(s), Some(e)) = (starts_on, ends_on) {
            if e < s {
                errs.push(FieldError::new("ends_on", "End date must be on or after the start date"));
            }
        }
        errs.into_result()?;
        let told = self.person_told.expect("checked");
        Ok(WarningFlagFields {
            category: category.expect("checked"),
            severity: severity.expect("checked"),
            incident_date,
            risk_assessment: risk.expect("checked"),
            person_told: told,
            person_told_on: if told { told_on } else { None },
            not_told_reason: if told { None } else { not_told_reason },
            review_date: review.unwrap_or_else(|| periods.flag_review(today)),
            starts_on: starts_on.expect("checked"),
            ends_on,
        })
    }
}

/// A change to a flag, sent with the version it was based on.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum WarningFlagChange {
    /// Reviewed: still needed; set the next review date (default by configuration).
    Reviewed { version: i64, next_review: Option<String> },
    /// No longer needed: ends today, keeping who and why.
    End { version: i64, reason: String },
}

// ---- needs checks, reviews, coverage, job sheets ----

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedsCheckInput {
    /// needs_recorded, no_needs or declined.
    pub outcome: Option<String>,
    /// ISO date; default today.
    pub checked_on: Option<String>,
}

impl NeedsCheckInput {
    pub fn validate(&self, today: Date) -> Result<(NeedsCheckOutcome, Date), ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let outcome = choice(&mut errs, "outcome", self.outcome.as_deref(), NeedsCheckOutcome::parse, "Choose the outcome of the check");
        let on = date_or(&mut errs, "checked_on", self.checked_on.as_deref(), "Date checked").map(|d| d.unwrap_or(today));
        if on.is_some_and(|d| d > today) {
            errs.push(FieldError::new("checked_on", "Date checked must be today or in the past"));
        }
        errs.into_result()?;
        Ok((outcome.expect("checked"), on.expect("checked")))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedsCheck {
    pub id: Id,
    pub person_id: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub checked_on: Date,
    pub outcome: NeedsCheckOutcome,
    pub checked_by: Id,
}

/// One line of an officer's "due for review" work list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewItem {
    /// need or warning_flag.
    pub record_type: String,
    pub id: Id,
    pub person_id: Id,
    pub person_name: String,
    /// The need's or flag's category label.
    pub what: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub review_date: Date,
    pub overdue: bool,
}

/// Share of current tenants with a recorded needs check.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedsCoverage {
    pub tenants: i64,
    pub with_needs_check: i64,
    /// Percentage, one decimal place; 0 when there are no tenants.
    pub share_percent: f64,
}

impl NeedsCoverage {
    pub fn of(tenants: i64, with_needs_check: i64) -> Self {
        let share_percent = if tenants == 0 { 0.0 } else { (with_needs_check as f64 * 1000.0 / tenants as f64).round() / 10.0 };
        NeedsCoverage { tenants, with_needs_check, share_percent }
    }
}

/// An adjustment as a job sheet shows it: what to do, nothing about why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobSheetAdjustment {
    pub kind: AdjustmentKind,
    pub text: String,
}

/// A flag as a job sheet shows it: its category and severity, never its text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobSheetFlag {
    pub category: FlagCategory,
    pub severity: FlagSeverity,
    pub text: String,
}

/// A person on a job sheet: only what the visit needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobSheetPerson {
    pub name: String,
    pub phone: Option<String>,
    pub adjustments: Vec<JobSheetAdjustment>,
    pub warning_flags: Vec<JobSheetFlag>,
}

/// A contractor's job sheet: the job, the address, and for each person only
/// their name, phone, access and communication adjustments in use, and a
/// flag summary. Never a need's category or detail, never a flag's text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobSheet {
    pub case_id: Id,
    pub reference: String,
    pub trade: Option<crate::cases::Trade>,
    pub priority: CasePriority,
    pub summary: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub window_start: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub window_end: Option<Timestamp>,
    pub address: Option<String>,
    pub people: Vec<JobSheetPerson>,
}

impl JobSheetAdjustment {
    /// Only adjustments in use, and only those about communication or access.
    pub fn from_adjustments(all: &[Adjustment]) -> Vec<JobSheetAdjustment> {
        all.iter()
            .filter(|a| a.in_use && a.kind.group() != AdjustmentGroup::Service)
            .map(|a| JobSheetAdjustment { kind: a.kind, text: a.describe() })
            .collect()
    }
}

impl JobSheetFlag {
    pub fn of(f: &WarningFlag) -> Self {
        JobSheetFlag {
            category: f.category,
            severity: f.severity,
            text: format!("Staff safety: {} ({} risk). Speak to the office before visiting.", f.category.label(), f.severity.as_str()),
        }
    }
}

// A check's date and outcome, and counts.
crate::holds_no_personal_data!(NeedsCheck, NeedsCoverage);

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn need_input() -> NeedInput {
        NeedInput {
            category: Some("hearing".into()),
            source: Some("staff_contact".into()),
            disclosure_channel: Some("phone".into()),
            duration: Some("long_term".into()),
            consent_to_tailor: Some(true),
            ..Default::default()
        }
    }

    #[test]
    fn shipped_review_periods_cover_every_category() {
        let p = ReviewPeriods::default();
        assert_eq!(p.months_for("bereavement"), 3);
        assert_eq!(p.need_review(NeedCategory::Hearing, date(2026, 1, 31)), date(2027, 1, 31));
        assert!(ReviewPeriods::parse("{\"hearing\": 12}").unwrap_err().contains("no review period"));
    }

    #[test]
    fn a_need_requires_an_express_consent_answer_and_defaults_its_review_date() {
        let today = date(2026, 11, 23);
        let mut i = need_input();
        i.consent_to_tailor = None;
        assert_eq!(i.validate(today, &ReviewPeriods::default()).unwrap_err().0[0].field, "consent_to_tailor");
        let f = need_input().validate(today, &ReviewPeriods::default()).unwrap();
        assert_eq!((f.disclosed_on, f.review_date), (today, date(2027, 11, 23)));
        let mut past = need_input();
        past.disclosed_on = Some("2026-11-20".into());
        past.review_date = Some("2026-11-19".into());
        assert_eq!(past.validate(today, &ReviewPeriods::default()).unwrap_err().0[0].field, "review_date");
        // Disclosed long ago: the default review date has passed, so it is due now.
        past.disclosed_on = Some("2024-11-20".into());
        past.review_date = None;
        assert_eq!(past.validate(today, &ReviewPeriods::default()).unwrap().review_date, date(2025, 11, 20));
    }

    #[test]
    fn an_interpreter_needs_a_language_and_only_an_interpreter_has_one() {
        let a = AdjustmentInput {
            need_id: Some(1),
            kind: Some("preferred_format".into()),
            format: Some("spoken_language_interpreter".into()),
            ..Default::default()
        };
        assert_eq!(a.validate().unwrap_err().0[0].field, "language");
        let b =
            AdjustmentInput { need_id: Some(1), kind: Some("call_ahead".into()), language: Some("Polish".into()), ..Default::default() };
        assert_eq!(b.validate().unwrap_err().0[0].field, "language");
        let c = AdjustmentInput { need_id: Some(1), kind: Some("operative_gender".into()), ..Default::default() };
        assert_eq!(c.validate().unwrap_err().0[0].field, "operative_gender");
    }

    #[test]
    fn without_consent_an_adjustment_is_kept_but_not_used() {
        let a = Adjustment {
            id: 1,
            person_id: 1,
            need_id: 1,
            kind: AdjustmentKind::CallAhead,
            format: None,
            language: None,
            operative_gender: None,
            note: None,
            recorded_by: 1,
            recorded_at: Timestamp::UNIX_EPOCH,
            ended_at: None,
            ended_by: None,
            end_reason: None,
            version: 1,
            in_use: false,
            not_in_use_reason: None,
        };
        assert!(a.clone().with_use(true, true).in_use);
        let refused = a.clone().with_use(true, false);
        assert_eq!((refused.in_use, refused.not_in_use_reason.as_deref()), (false, Some(NO_CONSENT)));
        assert!(!a.with_use(false, true).in_use);
    }

    #[test]
    fn uplift_raises_one_step() {
        assert_eq!(uplift(CasePriority::Routine), CasePriority::Urgent);
        assert_eq!(uplift(CasePriority::Urgent), CasePriority::Emergency);
        assert_eq!(uplift(CasePriority::Emergency), CasePriority::Emergency);
    }

    #[test]
    fn a_flag_needs_a_risk_assessment_and_says_whether_the_person_was_told() {
        let today = date(2026, 11, 23);
        let i = WarningFlagInput { category: Some("do_not_visit_alone".into()), severity: Some("high".into()), ..Default::default() };
        let fields: Vec<_> = i.validate(today, &ReviewPeriods::default()).unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["risk_assessment", "person_told"]);
        let told = WarningFlagInput { risk_assessment: Some("Assessed after an incident".into()), person_told: Some(false), ..i.clone() };
        assert_eq!(told.validate(today, &ReviewPeriods::default()).unwrap_err().0[0].field, "not_told_reason");
        let ok = WarningFlagInput { not_told_reason: Some("Telling them would raise the risk".into()), ..told };
        assert_eq!(ok.validate(today, &ReviewPeriods::default()).unwrap().review_date, date(2027, 11, 23));
    }

    #[test]
    fn coverage_is_a_percentage_with_one_decimal() {
        assert_eq!(NeedsCoverage::of(3, 1).share_percent, 33.3);
        assert_eq!(NeedsCoverage::of(0, 0).share_percent, 0.0);
    }
}

crate::classify! { Need as "need" {
    keep: id, person_id, category, source, disclosed_on, disclosure_channel, duration, review_date, consent_to_tailor,
        consent_recorded_by, consent_recorded_at, review_officer, recorded_by, recorded_at, ended_at, ended_by, version;
    detail: SpecialCategory, preferred_words: SpecialCategory, end_reason: FreeText,
} }

crate::classify! { Adjustment as "adjustment" {
    keep: id, person_id, need_id, kind, format, language, operative_gender, recorded_by, recorded_at, ended_at, ended_by,
        version, in_use;
    note: FreeText, end_reason: FreeText, not_in_use_reason: FreeText,
} }

crate::classify! { WarningFlag as "warning_flag" {
    keep: id, person_id, category, severity, incident_date, person_told, person_told_on, review_date, starts_on, ends_on,
        review_officer, recorded_by, recorded_at, ended_by, acknowledged, version;
    risk_assessment: FreeText, not_told_reason: FreeText, end_reason: FreeText,
} }
