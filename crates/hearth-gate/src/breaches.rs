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
        describe_time_left, report_by, reporting_clock, Breach, BreachAction, BreachChange, BreachChangeContext, BreachInput, BreachPerson,
        BreachPersonWrite, ReportingClock,
    },
    classes::DataClass,
    Id,
};
use hearth_store::breaches as q;
use hearth_store::{people, Tx};
use jiff::Timestamp;
use serde::Serialize;
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
        let person = change.person();
        self.guarded(actor, Action::Edit, Compartment::Rights, breach_target(id, None), async |tx: &mut Tx| {
            let old = q::breach(tx, id).await?;
            if old.version != change.version() {
                return Err(GateError::Conflict);
            }
            let cx = BreachChangeContext {
                person_exists: match change {
                    BreachChange::AddPerson { person_id, .. } => people::person(tx, *person_id).await.is_ok(),
                    _ => false,
                },
            };
            let now = Timestamp::now();
            let mut b = old.clone();
            let effect = b.apply(change, cx, now, Gate::today())?;
            let saved = q::save_breach(tx, &b, now).await?;
            match &effect.person {
                Some(BreachPersonWrite::Affected(person_id)) => q::add_person(tx, id, *person_id, now).await?,
                Some(BreachPersonWrite::Told { person_id, on, how }) => q::notify_person(tx, id, *person_id, *on, how).await?,
                None => {}
            }
            let event = effect.line;
            q::add_action(tx, id, actor.user_id, &event, now).await?;
            let view = self.breach_view(tx, saved).await?;
            Ok((view.clone(), breach_target(id, person), Some(json!({ "change": event, "old": old, "new": view.breach }))))
        })
        .await
    }
}
