//! Gate operations on the breach register: record a breach, read it, list
//! the register, and change it (risk assessment, the decision to report to
//! the ICO, people affected and whether they were told, actions, the report
//! to the Risk and Audit Committee, closure).
//!
//! Breaches are kept in the `rights` compartment (record type `breach`),
//! which the policies give to the data protection officer alone. A change
//! that touches a person on record is audited against that person, so their
//! history shows that they were affected.

use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    breaches::{
        check_decision, describe_time_left, parse_time, record_classes, report_by, reporting_clock, Breach, BreachAction, BreachDecision,
        BreachInput, BreachPerson, BreachRisk, BreachStatus, ReportingClock,
    },
    classes::DataClass,
    error::FieldError,
    rights::long_text,
    validate, Id,
};
use hearth_store::breaches as q;
use hearth_store::{people, Tx};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;

impl hearth_domain::classes::Project for BreachView {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        self.breach.project(permitted);
        self.people.project(permitted);
        self.actions.project(permitted);
    }
}

impl hearth_domain::classes::Project for BreachSummary {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        self.breach.project(permitted);
    }
}

/// A breach with its people, actions and where its 72-hour clock stands.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreachView {
    pub breach: Breach,
    pub people: Vec<BreachPerson>,
    pub actions: Vec<BreachAction>,
    pub clock: ReportingClock,
    /// "2 days 5 hours left", "3 hours overdue", while no decision is made.
    pub time_left: Option<String>,
}

/// What a member of staff gets back for reporting a breach.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreachReceipt {
    pub id: Id,
    pub title: String,
    /// When the report to the regulator is due (72 hours after discovery), RFC 3339.
    pub report_by: String,
}

impl hearth_domain::classes::Project for BreachReceipt {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        if !permitted.contains(DataClass::FreeText) {
            hearth_domain::classes::Withhold::withhold(&mut self.title);
        }
    }
}

/// One line of the register.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreachSummary {
    pub breach: Breach,
    pub clock: ReportingClock,
    pub time_left: Option<String>,
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
    fn version(&self) -> i64 {
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
}

fn breach_target(id: Id, person: Option<Id>) -> Target {
    Target::of("breach", id, person)
}

fn clock_of(b: &Breach, now: Timestamp) -> (ReportingClock, Option<String>) {
    let clock = reporting_clock(b, now);
    let left = match clock {
        ReportingClock::Running { minutes_left, .. } => Some(describe_time_left(minutes_left)),
        _ => None,
    };
    (clock, left)
}

impl Gate {
    async fn breach_view(&self, tx: &mut Tx, b: Breach) -> Result<BreachView> {
        let people = q::people(tx, b.id).await?;
        let actions = q::actions(tx, b.id).await?;
        let (clock, time_left) = clock_of(&b, Timestamp::now());
        Ok(BreachView { breach: b, people, actions, clock, time_left })
    }

    pub async fn record_breach(&self, actor: &Actor, input: &BreachInput) -> Result<BreachView> {
        let now = Timestamp::now();
        let fields = input.validate(now)?;
        self.guarded(actor, Action::Create, Compartment::Rights, Target::collection("breach"), async |tx: &mut Tx| {
            let b = q::insert_breach(tx, &fields, actor.user_id, now).await?;
            q::add_action(tx, b.id, actor.user_id, "Breach recorded", now).await?;
            let view = self.breach_view(tx, b).await?;
            Ok((view.clone(), breach_target(view.breach.id, None), Some(json!({ "new": view.breach }))))
        })
        .await
    }

    /// Any member of staff reports a suspected breach at once (seed 000
    /// §5.2). It goes into the DPO's register with the 72-hour clock running
    /// from discovery; the reporter gets a receipt, not the register.
    pub async fn report_breach(&self, actor: &Actor, input: &BreachInput) -> Result<BreachReceipt> {
        let now = Timestamp::now();
        let fields = input.validate(now)?;
        self.guarded(actor, Action::Create, Compartment::Rights, Target::collection("breach_report"), async |tx: &mut Tx| {
            let b = q::insert_breach(tx, &fields, actor.user_id, now).await?;
            let note = format!(
                "Reported by {} ({}); waiting for the data protection officer's assessment",
                actor.display_name,
                actor.role.label()
            );
            q::add_action(tx, b.id, actor.user_id, &note, now).await?;
            let receipt = BreachReceipt { id: b.id, title: b.title.clone(), report_by: report_by(b.discovered_at).to_string() };
            Ok((receipt, Target::of("breach_report", b.id, None), Some(json!({ "new": b }))))
        })
        .await
    }

    pub async fn breach(&self, actor: &Actor, id: Id) -> Result<BreachView> {
        self.guarded(actor, Action::View, Compartment::Rights, breach_target(id, None), async |tx: &mut Tx| {
            let b = q::breach(tx, id).await?;
            Ok((self.breach_view(tx, b).await?, breach_target(id, None), None))
        })
        .await
    }

    /// The register: open breaches by reporting deadline, then closed ones.
    pub async fn breaches(&self, actor: &Actor, open_only: bool) -> Result<Vec<BreachSummary>> {
        self.guarded(actor, Action::List, Compartment::Rights, Target::collection("breach"), async |tx: &mut Tx| {
            let now = Timestamp::now();
            let rows = q::list_breaches(tx, open_only, 500).await?;
            let ids: Vec<Id> = rows.iter().map(|b| b.id).collect();
            let items = rows
                .into_iter()
                .map(|b| {
                    let (clock, time_left) = clock_of(&b, now);
                    BreachSummary { breach: b, clock, time_left }
                })
                .collect();
            Ok((items, Target::collection("breach"), Some(json!({ "returned": ids }))))
        })
        .await
    }

    pub async fn change_breach(&self, actor: &Actor, id: Id, change: &BreachChange) -> Result<BreachView> {
        let person = match change {
            BreachChange::AddPerson { person_id, .. } | BreachChange::NotifyPerson { person_id, .. } => Some(*person_id),
            _ => None,
        };
        self.guarded(actor, Action::Edit, Compartment::Rights, breach_target(id, None), async |tx: &mut Tx| {
            let old = q::breach(tx, id).await?;
            if old.version != change.version() {
                return Err(GateError::Conflict);
            }
            if old.status == BreachStatus::Closed {
                return Err(FieldError::new("change", "This breach is closed").into());
            }
            let now = Timestamp::now();
            let mut b = old.clone();
            let event = self.apply_breach(tx, &mut b, change, now).await?;
            let saved = q::save_breach(tx, &b, now).await?;
            q::add_action(tx, id, actor.user_id, &event, now).await?;
            let view = self.breach_view(tx, saved).await?;
            Ok((view.clone(), breach_target(id, person), Some(json!({ "change": event, "old": old, "new": view.breach }))))
        })
        .await
    }

    /// Validates and applies `change`; returns the line for the action log.
    async fn apply_breach(&self, tx: &mut Tx, b: &mut Breach, change: &BreachChange, now: Timestamp) -> Result<String> {
        let today = Gate::today();
        Ok(match change {
            BreachChange::Assess { risk, assessment, .. } => {
                let risk = BreachRisk::parse(risk.trim())
                    .filter(|r| *r != BreachRisk::NotAssessed)
                    .ok_or_else(|| FieldError::new("risk", "Choose the risk: unlikely, risk or high_risk"))?;
                let assessment = long_text("assessment", Some(assessment), 8000, "the risk assessment")?;
                if b.decision == BreachDecision::NotReport && risk != BreachRisk::Unlikely {
                    // The earlier decision not to report no longer stands.
                    b.decision = BreachDecision::Pending;
                    b.decision_reason = None;
                }
                b.risk = risk;
                b.risk_assessment = Some(assessment);
                format!("Risk assessed: {}", risk.label())
            }
            BreachChange::Decide { decision, reason, reported_at, ico_reference, late_reason, .. } => {
                let decision = BreachDecision::parse(decision.trim())
                    .filter(|d| *d != BreachDecision::Pending)
                    .ok_or_else(|| FieldError::new("decision", "Choose report or not_report"))?;
                if b.decision != BreachDecision::Pending {
                    return Err(FieldError::new("decision", "The decision has already been recorded").into());
                }
                let reported_at = match (decision, reported_at.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
                    (BreachDecision::Report, Some(s)) => Some(parse_time("reported_at", s, "The report time")?),
                    _ => None,
                };
                let late = check_decision(b, decision, reason, reported_at, late_reason.as_deref(), now)?;
                let ico_reference = validate::optional_text("ico_reference", ico_reference.as_deref(), 100, "ICO reference")?;
                b.decision = decision;
                b.decision_reason = Some(reason.trim().to_string());
                b.reported_at = reported_at;
                b.ico_reference = ico_reference.filter(|_| decision == BreachDecision::Report);
                b.late_reason = late;
                format!("Decision: {}. {}", decision.label(), reason.trim())
            }
            BreachChange::AddPerson { person_id, .. } => {
                let p = people::person(tx, *person_id).await.map_err(|_| FieldError::new("person_id", "No such person"))?;
                q::add_person(tx, b.id, *person_id, now).await?;
                format!("Person {} recorded as affected", p.id)
            }
            BreachChange::NotifyPerson { person_id, on, how, .. } => {
                let how = validate::name("how", how, "how the person was told")?;
                let d = match on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => today,
                    Some(s) => validate::iso_date("on", s, "The date the person was told")?,
                };
                if d > today {
                    return Err(FieldError::new("on", "The date the person was told must be today or in the past").into());
                }
                q::notify_person(tx, b.id, *person_id, d, &how).await?;
                format!("Person {person_id} told on {d} by {how}")
            }
            BreachChange::Action { text, .. } => long_text("text", Some(text), 4000, "what was done")?,
            BreachChange::Scope { record_classes: classes, people_affected_estimate, .. } => {
                b.record_classes = record_classes("record_classes", classes)?;
                if people_affected_estimate.is_some_and(|n| n < 0) {
                    return Err(FieldError::new("people_affected_estimate", "The number of people affected cannot be negative").into());
                }
                b.people_affected_estimate = *people_affected_estimate;
                let names: Vec<_> = b.record_classes.iter().map(|c| c.label()).collect();
                format!(
                    "Scope: {}; about {} people",
                    if names.is_empty() { "no classes".to_string() } else { names.join(", ") },
                    people_affected_estimate.map(|n| n.to_string()).unwrap_or_else(|| "an unknown number of".into())
                )
            }
            BreachChange::Committee { on, .. } => {
                let d = match on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    None => today,
                    Some(s) => validate::iso_date("on", s, "The committee date")?,
                };
                if d > today {
                    return Err(FieldError::new("on", "The committee date must be today or in the past").into());
                }
                b.committee_reported_on = Some(d);
                format!("Reported to the Risk and Audit Committee on {d}")
            }
            BreachChange::Close { .. } => {
                if b.decision == BreachDecision::Pending {
                    return Err(FieldError::new("change", "Decide whether to report the breach before closing it").into());
                }
                b.status = BreachStatus::Closed;
                b.closed_at = Some(now);
                "Closed".to_string()
            }
        })
    }
}
