//! The front door (issue 28): any member of staff but supplier support
//! records a rights request, a complaint or an ASB report on the day it
//! arrived, whoever it reached. It is a `create` of record type
//! `incoming_request` in the compartment of what it becomes (policy
//! `staff-receive-requests`), so the recorder needs no right to read that
//! compartment afterwards: the DPO keeps the rights register, the owning
//! team its cases.
//!
//! One transaction writes the record (a rights request in the DPO's queue
//! with its clock running from receipt, or a case with its first status and
//! dates), tells the people who answer it (a staff notification that names
//! the reference, never the person), and audits it. The receipt is what
//! the recorder may know: the reference, the due date and how many were told.

use crate::{Actor, Gate, Result, Target};
use hearth_domain::{
    access::Action,
    error::FieldError,
    front_door::{who_to_tell, FrontDoorFields, FrontDoorInput, FrontDoorKind},
    recordings::NotificationKind,
    rights::{response_clock, ClockDates},
    Id,
};
use hearth_store::recordings::{notify, NewNotification};
use hearth_store::{people, Tx};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

/// The record type the policies decide a front-door `create` on.
pub const RECORD_TYPE: &str = "incoming_request";

/// What the member of staff who took a request gets back.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FrontDoorReceipt {
    pub kind: FrontDoorKind,
    /// The record made: the rights request's id, or the case's.
    pub id: Id,
    pub person_id: Id,
    /// SAR-000012, DSR-000013, CMP-000034 or ASB-000056.
    pub reference: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub received_on: Date,
    /// A rights request's answer, or a complaint's stage 1 response, is due by this day.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due_on: Option<Date>,
    /// A complaint must be acknowledged by this day.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub acknowledge_by: Option<Date>,
    /// Who was told, in words: "the data protection officer", "the team responsible".
    pub told: String,
    /// How many members of staff were told.
    pub told_count: usize,
    /// How the acknowledgement to the person went, in words (none to an anonymous
    /// reporter: a logged letter would link them to the case).
    pub acknowledgement: Option<String>,
    /// Emails and texts to hand to their transport after the commit.
    #[serde(skip)]
    pub(crate) queued: Vec<Id>,
}

// Ids, a reference, dates and words about the organisation: nothing about the person.
hearth_domain::holds_no_personal_data!(FrontDoorReceipt);

impl Gate {
    /// Records what came through the front door (see the module's comment).
    pub async fn receive_request(&self, actor: &Actor, input: &FrontDoorInput) -> Result<FrontDoorReceipt> {
        let today = Gate::today();
        let f = input.validate(today)?;
        let receipt = self
            .guarded(actor, Action::Create, f.kind.compartment(), Target::collection(RECORD_TYPE), async |tx: &mut Tx| {
                if people::person(tx, f.person_id).await.is_err() {
                    return Err(FieldError::new("person_id", "No such person").into());
                }
                let now = Timestamp::now();
                let (mut receipt, target, mut detail) = match f.kind {
                    FrontDoorKind::RightsRequest => self.receive_rights_request(tx, actor, &f, now).await?,
                    FrontDoorKind::Complaint | FrontDoorKind::AsbReport => self.receive_case(tx, actor, &f, today, now).await?,
                };
                let told = self.tell(tx, &f, &receipt, actor, now).await?;
                // The acknowledgement goes at once, by the person's channel and in their format.
                let acknowledged = match f.kind {
                    FrontDoorKind::RightsRequest => {
                        let r = hearth_store::rights::request(tx, receipt.id).await?;
                        self.acknowledge_rights_request(tx, actor, &r).await?
                    }
                    FrontDoorKind::Complaint => self.acknowledge_complaint(tx, actor, receipt.id, f.person_id).await?,
                    // A named reporter is thanked; an anonymous one is never sent
                    // a logged letter, which would link them to the case.
                    FrontDoorKind::AsbReport if !f.anonymous => self.acknowledge_report(tx, actor, receipt.id, f.person_id).await?,
                    FrontDoorKind::AsbReport => vec![],
                };
                receipt.acknowledgement = Gate::describe(&acknowledged);
                receipt.queued = Gate::queued_ids(&acknowledged);
                receipt.told_count = told.len();
                receipt.told = match (f.kind, told.is_empty()) {
                    (_, true) => "nobody: no account answers for it yet, so tell your manager".into(),
                    (FrontDoorKind::RightsRequest, false) => "the data protection officer".into(),
                    (_, false) => "the team responsible".into(),
                };
                detail["front_door"] =
                    json!({ "channel": f.channel, "received_on": f.received_on.to_string(), "received_by": actor.user_id });
                detail["told"] = json!(told);
                Ok((receipt, target, Some(detail)))
            })
            .await?;
        self.dispatch(&receipt.queued).await?;
        Ok(receipt)
    }

    /// Into the DPO's queue, open, with the clock running from receipt.
    async fn receive_rights_request(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        f: &FrontDoorFields,
        now: Timestamp,
    ) -> Result<(FrontDoorReceipt, Target, serde_json::Value)> {
        let fields = f.rights_request().expect("a validated rights request names its right");
        let dates = ClockDates { received_on: Some(f.received_on), ..Default::default() };
        let due = response_clock(&self.calendar, f.received_on, &dates).due_on();
        let r = hearth_store::rights::insert_request(tx, &fields, due, actor.user_id, now).await?;
        hearth_store::rights::mark_received(tx, r.id, f.channel, actor.user_id).await?;
        let r = hearth_store::rights::request(tx, r.id).await?;
        let receipt = FrontDoorReceipt {
            kind: f.kind,
            id: r.id,
            person_id: r.person_id,
            reference: r.reference.clone(),
            received_on: r.received_on,
            due_on: r.due_on,
            acknowledge_by: None,
            told: String::new(),
            told_count: 0,
            acknowledgement: None,
            queued: vec![],
        };
        let target = Target::of("rights_request", r.id, Some(r.person_id));
        Ok((receipt, target, json!({ "new": r })))
    }

    /// A complaint at stage 1 received on the day it arrived, or an ASB case
    /// with the person as reporter; the timeline says how it came in.
    async fn receive_case(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        f: &FrontDoorFields,
        today: Date,
        now: Timestamp,
    ) -> Result<(FrontDoorReceipt, Target, serde_json::Value)> {
        let fields = f.case().expect("a validated complaint or report has a summary");
        if f.anonymous {
            // What they sent goes on the case's timeline: it must not give them away either.
            let person = people::person(tx, f.person_id).await?;
            let reporters =
                crate::anonymity::reporter_identifiers(tx, &[(f.person_id, person.given_name, person.family_name, true)]).await?;
            crate::anonymity::check_not_identified("message", &f.message, &reporters)?;
        }
        let (c, detail) = self.write_case(tx, actor, &fields, today).await?;
        let taken_by = format!("{} ({})", actor.display_name, actor.role.label());
        hearth_store::cases::insert_event(
            tx,
            c.id,
            actor.user_id,
            "received",
            &f.received_note(&taken_by, &crate::long_date(f.received_on)),
            now,
        )
        .await?;
        let deadlines = self.complaint_deadlines(&c);
        let receipt = FrontDoorReceipt {
            kind: f.kind,
            id: c.id,
            person_id: f.person_id,
            reference: c.reference.clone(),
            received_on: f.received_on,
            due_on: deadlines.as_ref().map(|d| d.respond_by),
            acknowledge_by: deadlines.as_ref().map(|d| d.acknowledge_by),
            told: String::new(),
            told_count: 0,
            acknowledgement: None,
            queued: vec![],
        };
        Ok((receipt, Target::of("case", c.id, None), detail))
    }

    /// Tells whoever answers it, naming the reference and dates only:
    /// a notification is staff-visible text and carries no customer's data.
    async fn tell(&self, tx: &mut Tx, f: &FrontDoorFields, r: &FrontDoorReceipt, actor: &Actor, now: Timestamp) -> Result<Vec<Id>> {
        let accounts = hearth_store::staff::accounts(tx).await?;
        let recipients = who_to_tell(f.kind, &accounts);
        let kind = match f.kind {
            FrontDoorKind::RightsRequest => NotificationKind::RightsRequestReceived,
            FrontDoorKind::Complaint => NotificationKind::ComplaintReceived,
            FrontDoorKind::AsbReport => NotificationKind::AsbReportReceived,
        };
        let mut message = format!("{} received {} on {}", r.reference, f.channel.words(), crate::long_date(r.received_on));
        match (r.acknowledge_by, r.due_on) {
            (Some(a), Some(d)) => {
                message.push_str(&format!(", acknowledge by {}, respond by {}", crate::long_date(a), crate::long_date(d)))
            }
            (None, Some(d)) => message.push_str(&format!(", due {}", crate::long_date(d))),
            _ => {}
        }
        message.push_str(&format!(". Taken by {}.", actor.display_name));
        for recipient_id in &recipients {
            let n = NewNotification { recipient_id: *recipient_id, kind, about_staff_id: None, recording_id: None, message: &message };
            notify(tx, &n, now).await?;
        }
        Ok(recipients)
    }
}
