//! The personal data breach register (UK GDPR Articles 33 and 34; seed 000
//! section 5.2): every incident is recorded whether or not it is reported,
//! with the 72-hour clock for telling the Information Commissioner's Office,
//! the risk assessment, the decision and its reason, the people and classes
//! of record affected, who was told, and what was done.
//!
//! The rules here are pure: a breach that is likely to result in a risk to
//! people must be reported; only one unlikely to do so may be left
//! unreported, with the reason; a report made after 72 hours must say why it
//! was late. It must never read the clock: callers pass `now` in.

use crate::rights::long_text;
use crate::{
    access::Compartment,
    error::{FieldError, ValidationErrors},
    validate, Id,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// The time the law allows for reporting a breach to the regulator.
pub const REPORTING_WINDOW: SignedDuration = SignedDuration::from_hours(72);

crate::vocabulary! {
    /// The likely risk to people's rights and freedoms.
    BreachRisk {
        NotAssessed => "not_assessed" / "Not yet assessed",
        Unlikely => "unlikely" / "Unlikely to result in a risk to people",
        Risk => "risk" / "Likely to result in a risk to people",
        HighRisk => "high_risk" / "Likely to result in a high risk to people",
    }
}

crate::vocabulary! {
    BreachDecision {
        Pending => "pending" / "Not yet decided",
        Report => "report" / "Reported to the ICO",
        NotReport => "not_report" / "Not reported to the ICO",
    }
}

crate::vocabulary! {
    BreachStatus {
        Open => "open" / "Open",
        Closed => "closed" / "Closed",
    }
}

/// When the report to the regulator is due: 72 hours after discovery.
pub fn report_by(discovered_at: Timestamp) -> Timestamp {
    discovered_at + REPORTING_WINDOW
}

/// Where the 72-hour clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReportingClock {
    /// No decision yet: `minutes_left` until the deadline (negative once past it).
    Running { minutes_left: i64, overdue: bool },
    /// Reported to the regulator; `late` when after the 72 hours.
    Reported { late: bool },
    /// Decided not to report (the risk was assessed as unlikely).
    NotReported,
}

pub fn reporting_clock(b: &Breach, now: Timestamp) -> ReportingClock {
    match b.decision {
        BreachDecision::Report => ReportingClock::Reported { late: b.reported_at.is_some_and(|r| r > b.report_by) },
        BreachDecision::NotReport => ReportingClock::NotReported,
        BreachDecision::Pending => {
            let left = now.duration_until(b.report_by);
            ReportingClock::Running { minutes_left: left.as_mins(), overdue: left.is_negative() }
        }
    }
}

/// "2 days 5 hours left" / "3 hours overdue", for people reading the register.
pub fn describe_time_left(minutes_left: i64) -> String {
    let m = minutes_left.unsigned_abs();
    let (d, h, min) = (m / (24 * 60), (m / 60) % 24, m % 60);
    let mut parts = vec![];
    if d > 0 {
        parts.push(format!("{d} day{}", if d == 1 { "" } else { "s" }));
    }
    if h > 0 {
        parts.push(format!("{h} hour{}", if h == 1 { "" } else { "s" }));
    }
    if d == 0 && (min > 0 || parts.is_empty()) {
        parts.push(format!("{min} minute{}", if min == 1 { "" } else { "s" }));
    }
    format!("{} {}", parts.join(" "), if minutes_left < 0 { "overdue" } else { "left" })
}

/// A breach as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breach {
    pub id: Id,
    pub reference: String,
    pub title: String,
    /// What happened, how it was found, what data was involved.
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub occurred_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub discovered_at: Timestamp,
    /// Discovery + 72 hours.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub report_by: Timestamp,
    pub risk: BreachRisk,
    pub risk_assessment: Option<String>,
    pub decision: BreachDecision,
    pub decision_reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub reported_at: Option<Timestamp>,
    pub ico_reference: Option<String>,
    /// Why a report went in after 72 hours (Article 33(1)).
    pub late_reason: Option<String>,
    /// Classes of record affected.
    pub record_classes: Vec<Compartment>,
    /// How many people are affected, as far as is known (including people not on record).
    pub people_affected_estimate: Option<i64>,
    /// Seed 000 section 5.2: reportable breaches go to the Risk and Audit Committee.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub committee_reported_on: Option<Date>,
    pub status: BreachStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    pub version: i64,
}

/// A person on record affected by a breach, and whether they were told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreachPerson {
    pub person_id: Id,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub notified_on: Option<Date>,
    /// How they were told, e.g. "letter", "phone call".
    pub notified_how: Option<String>,
}

/// Something done about a breach: containment, recovery, lessons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreachAction {
    pub id: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub by_username: String,
    pub text: String,
}

/// A new breach as sent by the API or the form.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreachInput {
    pub title: Option<String>,
    pub description: Option<String>,
    /// When it was discovered, e.g. 2026-11-23T09:30:00Z.
    pub discovered_at: Option<String>,
    /// When it happened, if known.
    pub occurred_at: Option<String>,
    /// Compartments of record affected, e.g. ["contact", "needs"].
    pub record_classes: Option<Vec<String>>,
    pub people_affected_estimate: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BreachFields {
    pub title: String,
    pub description: String,
    pub discovered_at: Timestamp,
    pub occurred_at: Option<Timestamp>,
    pub record_classes: Vec<Compartment>,
    pub people_affected_estimate: Option<i64>,
}

/// Parses a time sent as RFC 3339 (`2026-11-23T09:30:00Z`).
pub fn parse_time(field: &str, value: &str, what: &str) -> Result<Timestamp, FieldError> {
    value.trim().parse().map_err(|_| FieldError::new(field, format!("{what} must be a date and time, like 2026-11-23T09:30:00Z")))
}

pub fn record_classes(field: &str, values: &[String]) -> Result<Vec<Compartment>, FieldError> {
    let mut out = vec![];
    for v in values {
        let c = Compartment::parse(v.trim()).ok_or_else(|| FieldError::new(field, format!("{v:?} is not a class of record")))?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort();
    Ok(out)
}

impl BreachInput {
    pub fn validate(&self, now: Timestamp) -> Result<BreachFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let title = errs.check(validate::name("title", self.title.as_deref().unwrap_or(""), "title of the incident"));
        let description = errs.check(long_text("description", self.description.as_deref(), 8000, "what happened"));
        let discovered_at = match self.discovered_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                errs.push(FieldError::new("discovered_at", "Enter when the breach was discovered"));
                None
            }
            Some(s) => errs.check(parse_time("discovered_at", s, "The discovery time")),
        };
        if discovered_at.is_some_and(|d| d > now) {
            errs.push(FieldError::new("discovered_at", "The discovery time must be in the past"));
        }
        let occurred_at = match self.occurred_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => errs.check(parse_time("occurred_at", s, "The time it happened")),
        };
        if let (Some(o), Some(d)) = (occurred_at, discovered_at) {
            if o > d {
                errs.push(FieldError::new("occurred_at", "A breach cannot happen after it was discovered"));
            }
        }
        let classes = errs.check(record_classes("record_classes", self.record_classes.as_deref().unwrap_or(&[])));
        if self.people_affected_estimate.is_some_and(|n| n < 0) {
            errs.push(FieldError::new("people_affected_estimate", "The number of people affected cannot be negative"));
        }
        errs.into_result()?;
        Ok(BreachFields {
            title: title.expect("checked"),
            description: description.expect("checked"),
            discovered_at: discovered_at.expect("checked"),
            occurred_at,
            record_classes: classes.expect("checked"),
            people_affected_estimate: self.people_affected_estimate,
        })
    }
}

/// Checks a decision about reporting against the risk assessment; returns the
/// late reason to keep (if the report was late).
pub fn check_decision(
    b: &Breach,
    decision: BreachDecision,
    reason: &str,
    reported_at: Option<Timestamp>,
    late_reason: Option<&str>,
    now: Timestamp,
) -> Result<Option<String>, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    if b.risk == BreachRisk::NotAssessed {
        errs.push(FieldError::new("risk", "Assess the risk before deciding whether to report"));
    }
    errs.check(long_text("reason", Some(reason), 4000, "the reason for the decision"));
    let mut late = None;
    match decision {
        BreachDecision::Pending => errs.push(FieldError::new("decision", "Choose whether the breach was reported to the ICO")),
        BreachDecision::NotReport if matches!(b.risk, BreachRisk::Risk | BreachRisk::HighRisk) => {
            errs.push(FieldError::new("decision", "A breach likely to result in a risk to people must be reported to the ICO"))
        }
        BreachDecision::NotReport => {}
        BreachDecision::Report => match reported_at {
            None => errs.push(FieldError::new("reported_at", "Enter when the breach was reported to the ICO")),
            Some(t) if t > now => errs.push(FieldError::new("reported_at", "The report time must be in the past")),
            Some(t) if t < b.discovered_at => {
                errs.push(FieldError::new("reported_at", "The report cannot be before the breach was discovered"))
            }
            Some(t) if t > b.report_by => match late_reason.map(str::trim).filter(|s| !s.is_empty()) {
                None => errs.push(FieldError::new("late_reason", "The report was made after 72 hours: say why it was late")),
                Some(r) => late = errs.check(long_text("late_reason", Some(r), 4000, "why the report was late")),
            },
            Some(_) => {}
        },
    }
    errs.into_result()?;
    Ok(late)
}

/// A change to a breach, sent with the version it was based on.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum BreachChange {
    /// Record the risk to people: unlikely, risk or high_risk, with the assessment.
    Assess { version: i64, risk: String, assessment: String },
    /// Decide whether to report to the ICO (report / not_report) with the reason;
    /// a report gives its time, and after 72 hours why it was late.
    Decide {
        version: i64,
        decision: String,
        reason: String,
        reported_at: Option<String>,
        ico_reference: Option<String>,
        late_reason: Option<String>,
    },
    /// Record a person on record as affected.
    AddPerson { version: i64, person_id: Id },
    /// Record that an affected person was told, when and how.
    NotifyPerson { version: i64, person_id: Id, on: Option<String>, how: String },
    /// Record something done: containment, recovery, lessons learned.
    Action { version: i64, text: String },
    /// The classes of record and the number of people affected, as now known.
    Scope { version: i64, record_classes: Vec<String>, people_affected_estimate: Option<i64> },
    /// Seed 000 section 5.2: reported to the Risk and Audit Committee.
    Committee { version: i64, on: Option<String> },
    /// Close the incident once decided and dealt with.
    Close { version: i64 },
}

impl BreachChange {
    /// The version of the breach the change was based on.
    pub fn version(&self) -> i64 {
        match self {
            BreachChange::Assess { version, .. }
            | BreachChange::Decide { version, .. }
            | BreachChange::AddPerson { version, .. }
            | BreachChange::NotifyPerson { version, .. }
            | BreachChange::Action { version, .. }
            | BreachChange::Scope { version, .. }
            | BreachChange::Committee { version, .. }
            | BreachChange::Close { version } => *version,
        }
    }

    /// The person on record the change is about, if any.
    pub fn person(&self) -> Option<Id> {
        match self {
            BreachChange::AddPerson { person_id, .. } | BreachChange::NotifyPerson { person_id, .. } => Some(*person_id),
            _ => None,
        }
    }
}

/// What a change to a breach needs from other records: the gate looks it up
/// first, so the transition itself stays pure.
#[derive(Debug, Clone, Copy, Default)]
pub struct BreachChangeContext {
    /// For a change about a person: whether that person is on record.
    pub person_exists: bool,
}

/// A row of the breach's people the gate writes after a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreachPersonWrite {
    /// The person is recorded as affected.
    Affected(Id),
    /// The affected person was told on a day, in a way.
    Told { person_id: Id, on: Date, how: String },
}

/// What a transition did: the line for the breach's action log, and the
/// write to its people, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreachEffect {
    pub line: String,
    pub person: Option<BreachPersonWrite>,
}

impl BreachEffect {
    fn line(line: impl Into<String>) -> Self {
        BreachEffect { line: line.into(), person: None }
    }
}

/// A date on or before today; blank is today.
fn day_up_to(field: &str, value: &Option<String>, today: Date, what: &str) -> Result<Date, FieldError> {
    let d = match value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today,
        Some(s) => validate::iso_date(field, s, what)?,
    };
    if d > today {
        return Err(FieldError::new(field, format!("{what} must be today or in the past")));
    }
    Ok(d)
}

impl Breach {
    /// Applies one change at `now` (`today` in the UK): checks it against the
    /// breach's state and the law's rules, changes the breach, and says what
    /// happened in words for its action log. Pure: what it needs from other
    /// records comes in `cx`, and the write to the breach's people comes back
    /// in the effect for the gate to store.
    pub fn apply(
        &mut self,
        change: &BreachChange,
        cx: BreachChangeContext,
        now: Timestamp,
        today: Date,
    ) -> Result<BreachEffect, ValidationErrors> {
        if self.status == BreachStatus::Closed {
            return Err(FieldError::new("change", "This breach is closed").into());
        }
        Ok(match change {
            BreachChange::Assess { risk, assessment, .. } => {
                let risk = BreachRisk::parse(risk.trim())
                    .filter(|r| *r != BreachRisk::NotAssessed)
                    .ok_or_else(|| FieldError::new("risk", "Choose the risk: unlikely, risk or high_risk"))?;
                let assessment = long_text("assessment", Some(assessment), 8000, "the risk assessment")?;
                if self.decision == BreachDecision::NotReport && risk != BreachRisk::Unlikely {
                    // The earlier decision not to report no longer stands.
                    self.decision = BreachDecision::Pending;
                    self.decision_reason = None;
                }
                self.risk = risk;
                self.risk_assessment = Some(assessment);
                BreachEffect::line(format!("Risk assessed: {}", risk.label()))
            }
            BreachChange::Decide { decision, reason, reported_at, ico_reference, late_reason, .. } => {
                let decision = BreachDecision::parse(decision.trim())
                    .filter(|d| *d != BreachDecision::Pending)
                    .ok_or_else(|| FieldError::new("decision", "Choose report or not_report"))?;
                if self.decision != BreachDecision::Pending {
                    return Err(FieldError::new("decision", "The decision has already been recorded").into());
                }
                let reported_at = match (decision, reported_at.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
                    (BreachDecision::Report, Some(s)) => Some(parse_time("reported_at", s, "The report time")?),
                    _ => None,
                };
                let late = check_decision(self, decision, reason, reported_at, late_reason.as_deref(), now)?;
                let ico_reference = validate::optional_text("ico_reference", ico_reference.as_deref(), 100, "ICO reference")?;
                self.decision = decision;
                self.decision_reason = Some(reason.trim().to_string());
                self.reported_at = reported_at;
                self.ico_reference = ico_reference.filter(|_| decision == BreachDecision::Report);
                self.late_reason = late;
                BreachEffect::line(format!("Decision: {}. {}", decision.label(), reason.trim()))
            }
            BreachChange::AddPerson { person_id, .. } => {
                if !cx.person_exists {
                    return Err(FieldError::new("person_id", "No such person").into());
                }
                BreachEffect {
                    line: format!("Person {person_id} recorded as affected"),
                    person: Some(BreachPersonWrite::Affected(*person_id)),
                }
            }
            BreachChange::NotifyPerson { person_id, on, how, .. } => {
                let how = validate::name("how", how, "how the person was told")?;
                let on = day_up_to("on", on, today, "The date the person was told")?;
                BreachEffect {
                    line: format!("Person {person_id} told on {on} by {how}"),
                    person: Some(BreachPersonWrite::Told { person_id: *person_id, on, how }),
                }
            }
            BreachChange::Action { text, .. } => BreachEffect::line(long_text("text", Some(text), 4000, "what was done")?),
            BreachChange::Scope { record_classes: classes, people_affected_estimate, .. } => {
                self.record_classes = record_classes("record_classes", classes)?;
                if people_affected_estimate.is_some_and(|n| n < 0) {
                    return Err(FieldError::new("people_affected_estimate", "The number of people affected cannot be negative").into());
                }
                self.people_affected_estimate = *people_affected_estimate;
                let names: Vec<_> = self.record_classes.iter().map(|c| c.label()).collect();
                BreachEffect::line(format!(
                    "Scope: {}; about {} people",
                    if names.is_empty() { "no classes".to_string() } else { names.join(", ") },
                    people_affected_estimate.map(|n| n.to_string()).unwrap_or_else(|| "an unknown number of".into())
                ))
            }
            BreachChange::Committee { on, .. } => {
                let on = day_up_to("on", on, today, "The committee date")?;
                self.committee_reported_on = Some(on);
                BreachEffect::line(format!("Reported to the Risk and Audit Committee on {on}"))
            }
            BreachChange::Close { .. } => {
                if self.decision == BreachDecision::Pending {
                    return Err(FieldError::new("change", "Decide whether to report the breach before closing it").into());
                }
                self.status = BreachStatus::Closed;
                self.closed_at = Some(now);
                BreachEffect::line("Closed")
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn breach(risk: BreachRisk) -> Breach {
        let discovered = ts("2026-11-23T09:00:00Z");
        Breach {
            id: 1,
            reference: "BR-000001".into(),
            title: "Letter sent to the wrong address".into(),
            description: "A rent statement went to a neighbour".into(),
            occurred_at: None,
            discovered_at: discovered,
            report_by: report_by(discovered),
            risk,
            risk_assessment: None,
            decision: BreachDecision::Pending,
            decision_reason: None,
            reported_at: None,
            ico_reference: None,
            late_reason: None,
            record_classes: vec![Compartment::Financial],
            people_affected_estimate: Some(1),
            committee_reported_on: None,
            status: BreachStatus::Open,
            closed_at: None,
            created_at: discovered,
            version: 1,
        }
    }

    fn apply(b: &mut Breach, change: BreachChange, person_exists: bool) -> Result<BreachEffect, ValidationErrors> {
        let now = ts("2026-11-24T09:00:00Z");
        b.apply(&change, BreachChangeContext { person_exists }, now, jiff::civil::date(2026, 11, 24))
    }

    fn field_of(r: Result<BreachEffect, ValidationErrors>) -> String {
        r.unwrap_err().0[0].field.clone()
    }

    #[test]
    fn assessing_a_risk_withdraws_a_decision_not_to_report() {
        let mut b = breach(BreachRisk::Unlikely);
        let decide = |reason: &str| BreachChange::Decide {
            version: 1,
            decision: "not_report".into(),
            reason: reason.into(),
            reported_at: None,
            ico_reference: Some("IC-1".into()),
            late_reason: None,
        };
        let e = apply(&mut b, decide("Letter returned unopened"), false).unwrap();
        assert_eq!(
            e.line,
            "Decision: Not reported to the ICO. Letter returned unopened"
                .replace("Not reported to the ICO", BreachDecision::NotReport.label())
        );
        assert_eq!(b.decision, BreachDecision::NotReport);
        assert_eq!(b.ico_reference, None, "a reference is kept only for a report");
        assert_eq!(field_of(apply(&mut b.clone(), decide("Again"), false)), "decision", "a decision is made once");
        let e =
            apply(&mut b, BreachChange::Assess { version: 1, risk: "high_risk".into(), assessment: "Health data was in it".into() }, false);
        assert_eq!(e.unwrap().line, format!("Risk assessed: {}", BreachRisk::HighRisk.label()));
        assert_eq!((b.risk, b.decision, b.decision_reason.clone()), (BreachRisk::HighRisk, BreachDecision::Pending, None));
        assert_eq!(
            field_of(apply(&mut b, BreachChange::Assess { version: 1, risk: "not_assessed".into(), assessment: "x".into() }, false)),
            "risk"
        );
    }

    #[test]
    fn people_are_recorded_and_told_through_the_effect_not_the_breach() {
        let mut b = breach(BreachRisk::Risk);
        let before = b.clone();
        assert_eq!(field_of(apply(&mut b, BreachChange::AddPerson { version: 1, person_id: 7 }, false)), "person_id");
        let e = apply(&mut b, BreachChange::AddPerson { version: 1, person_id: 7 }, true).unwrap();
        assert_eq!(e.person, Some(BreachPersonWrite::Affected(7)));
        let e = apply(&mut b, BreachChange::NotifyPerson { version: 1, person_id: 7, on: None, how: "Letter".into() }, false).unwrap();
        assert_eq!(e.person, Some(BreachPersonWrite::Told { person_id: 7, on: jiff::civil::date(2026, 11, 24), how: "Letter".into() }));
        assert_eq!(e.line, "Person 7 told on 2026-11-24 by Letter");
        let future = BreachChange::NotifyPerson { version: 1, person_id: 7, on: Some("2026-11-25".into()), how: "Letter".into() };
        assert_eq!(field_of(apply(&mut b, future, true)), "on");
        assert_eq!(b, before, "recording people leaves the breach itself as it was");
    }

    #[test]
    fn a_breach_closes_only_once_decided_and_then_takes_no_more_changes() {
        let mut b = breach(BreachRisk::Unlikely);
        assert_eq!(field_of(apply(&mut b, BreachChange::Close { version: 1 }, false)), "change");
        let scope = BreachChange::Scope { version: 1, record_classes: vec!["financial".into()], people_affected_estimate: Some(-1) };
        assert_eq!(field_of(apply(&mut b, scope, false)), "people_affected_estimate");
        let committee = BreachChange::Committee { version: 1, on: Some("2026-11-20".into()) };
        assert_eq!(apply(&mut b, committee, false).unwrap().line, "Reported to the Risk and Audit Committee on 2026-11-20");
        let decide = BreachChange::Decide {
            version: 1,
            decision: "not_report".into(),
            reason: "Returned unopened".into(),
            reported_at: None,
            ico_reference: None,
            late_reason: None,
        };
        apply(&mut b, decide, false).unwrap();
        assert_eq!(apply(&mut b, BreachChange::Close { version: 1 }, false).unwrap().line, "Closed");
        assert_eq!((b.status, b.closed_at), (BreachStatus::Closed, Some(ts("2026-11-24T09:00:00Z"))));
        assert_eq!(field_of(apply(&mut b, BreachChange::Action { version: 1, text: "Late note".into() }, false)), "change");
    }

    #[test]
    fn the_reporting_clock_runs_for_72_hours_from_discovery() {
        let b = breach(BreachRisk::Risk);
        assert_eq!(b.report_by, ts("2026-11-26T09:00:00Z"));
        assert_eq!(reporting_clock(&b, ts("2026-11-24T09:00:00Z")), ReportingClock::Running { minutes_left: 48 * 60, overdue: false });
        assert_eq!(reporting_clock(&b, ts("2026-11-26T12:00:00Z")), ReportingClock::Running { minutes_left: -180, overdue: true });
        assert_eq!(describe_time_left(48 * 60 + 90), "2 days 1 hour left");
        assert_eq!(describe_time_left(-180), "3 hours overdue");
        assert_eq!(describe_time_left(25), "25 minutes left");
    }

    #[test]
    fn a_risky_breach_must_be_reported_and_a_late_report_says_why() {
        let now = ts("2026-11-30T09:00:00Z");
        let e = check_decision(&breach(BreachRisk::Risk), BreachDecision::NotReport, "Only one letter", None, None, now).unwrap_err();
        assert_eq!(e.0[0].field, "decision");
        let e =
            check_decision(&breach(BreachRisk::NotAssessed), BreachDecision::NotReport, "Only one letter", None, None, now).unwrap_err();
        assert_eq!(e.0[0].field, "risk");
        assert!(
            check_decision(&breach(BreachRisk::Unlikely), BreachDecision::NotReport, "Letter returned unopened", None, None, now).is_ok()
        );
        let late = Some(ts("2026-11-27T09:00:00Z"));
        let e = check_decision(&breach(BreachRisk::HighRisk), BreachDecision::Report, "Health data exposed", late, None, now).unwrap_err();
        assert_eq!(e.0[0].field, "late_reason");
        let ok = check_decision(
            &breach(BreachRisk::HighRisk),
            BreachDecision::Report,
            "Health data",
            late,
            Some("Found over a bank holiday"),
            now,
        );
        assert_eq!(ok.unwrap().as_deref(), Some("Found over a bank holiday"));
        let on_time = Some(ts("2026-11-25T09:00:00Z"));
        assert_eq!(check_decision(&breach(BreachRisk::Risk), BreachDecision::Report, "Reportable", on_time, None, now).unwrap(), None);
    }

    #[test]
    fn a_new_breach_names_bad_fields() {
        let now = ts("2026-11-23T12:00:00Z");
        let input = BreachInput {
            title: Some("Lost laptop".into()),
            description: Some("Laptop left on a train".into()),
            discovered_at: Some("2026-11-24T09:00:00Z".into()),
            record_classes: Some(vec!["contact".into(), "gossip".into()]),
            ..Default::default()
        };
        let fields: Vec<_> = input.validate(now).unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["discovered_at", "record_classes"]);
        let ok = BreachInput {
            discovered_at: Some("2026-11-23T09:00:00Z".into()),
            record_classes: Some(vec!["needs".into(), "contact".into()]),
            ..input
        };
        assert_eq!(ok.validate(now).unwrap().record_classes, vec![Compartment::Contact, Compartment::Needs]);
    }
}

crate::classify! { Breach as "breach" {
    keep: id, reference, occurred_at, discovered_at, report_by, risk, decision, reported_at, ico_reference, record_classes,
        people_affected_estimate, committee_reported_on, status, closed_at, created_at, version;
    title: FreeText, description: FreeText, risk_assessment: FreeText, decision_reason: FreeText, late_reason: FreeText,
} }

crate::classify! { BreachPerson as "breach_person" {
    keep: person_id, notified_on;
    name: Name, notified_how: FreeText,
} }

crate::classify! { BreachAction as "breach_action" {
    keep: id, at, by_username;
    text: FreeText,
} }
