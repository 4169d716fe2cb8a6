//! Gate operations on cases. Need-to-know in practice: a case is seen by the
//! officer assigned to it, that officer's manager, managers responsible for
//! its compartment, and (for repair jobs) the contractor during the job's
//! window, as the policies say. Lists are filtered by the same rules in the
//! query, so a case the caller may not see is never read or counted.

use crate::people::clamp_limit;
use crate::policy::{AccessRequest, Relation};
use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    anonymity::AnonymityOverride,
    cases::{Case, CaseChangeContext, CaseEvent, CaseFields, CaseInput, CaseKind, CaseParty, CaseStatus, PartyFields, StageDeadlines},
    classes::ClassSet,
    error::FieldError,
    staff::StaffRole,
    Id,
};
use hearth_store::cases::{self as q, CaseFilter, CaseVisibility};
use hearth_store::{people, Page, Tx};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

/// A case with everything its page shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    pub case: Case,
    pub parties: Vec<CaseParty>,
    pub timeline: Vec<CaseEvent>,
    /// For complaints: the current stage's deadlines under the Complaint Handling Code.
    pub deadlines: Option<StageDeadlines>,
    pub overdue: bool,
    /// A complaint's acknowledgement is late (whatever the response's state).
    pub acknowledgement_overdue: bool,
    /// The response (or, for other cases, the due date) is late.
    pub response_overdue: bool,
    /// Requests to reveal an anonymous reporter on this case, and their approvals.
    pub overrides: Vec<AnonymityOverride>,
    /// The name of the member of staff the case is assigned to.
    pub assigned_to_name: Option<String>,
    /// A repair's property, as its address.
    pub property_address: Option<String>,
}

impl hearth_domain::classes::Project for CaseView {
    fn project(&mut self, permitted: ClassSet) {
        let CaseView {
            case,
            parties,
            timeline,
            deadlines: _,
            overdue: _,
            acknowledgement_overdue: _,
            response_overdue: _,
            overrides,
            assigned_to_name: _,
            property_address: _,
        } = self;
        overrides.project(permitted);
        case.project(permitted);
        parties.project(permitted);
        timeline.project(permitted);
    }
}

pub use hearth_domain::cases::CaseChange;

/// A party as the audit detail records it: an anonymous reporter's person
/// is not written into the trail, which managers may read; `case_party` holds it.
fn party_detail(p: &PartyFields) -> serde_json::Value {
    if p.anonymous {
        json!({ "role": p.role, "anonymous": true })
    } else {
        json!({ "person_id": p.person_id, "role": p.role, "anonymous": false })
    }
}

fn case_target(id: Id) -> Target {
    Target::of("case", id, None)
}

impl Gate {
    /// The relationship of `actor` to a case, for the policies.
    pub(crate) async fn case_relation(&self, tx: &mut Tx, actor: &Actor, case_id: Id, now: Timestamp) -> Result<Relation> {
        let c = match q::case(tx, case_id).await {
            Ok(c) => c,
            Err(hearth_store::StoreError::NotFound) => return Ok(Relation::default()),
            Err(e) => return Err(e.into()),
        };
        let mut r = Relation::default();
        if let Some(a) = c.assigned_to {
            r.assigned = a == actor.user_id || q::manager_of(tx, a).await? == Some(actor.user_id);
        }
        if actor.role == StaffRole::Contractor {
            r.on_job = c.kind == CaseKind::Repair
                && c.contractor_id == Some(actor.user_id)
                && !c.is_closed()
                && c.window_start.is_some_and(|s| s <= now)
                && c.window_end.is_some_and(|e| now < e);
        }
        Ok(r)
    }

    /// A complaint's current-stage deadlines under the configured code and calendar.
    pub fn complaint_deadlines(&self, c: &Case) -> Option<StageDeadlines> {
        let received = c.stage_received_on?;
        Some(self.complaint_code.deadlines(
            &self.calendar,
            c.stage.unwrap_or(1) as u8,
            received,
            c.acknowledged_on,
            c.extension_days as u32,
        ))
    }

    /// Whether an open case is past its due date (for complaints: a missed
    /// acknowledgement or response deadline).
    pub fn overdue(&self, c: &Case, today: Date) -> bool {
        let (acknowledgement, response) = self.overdue_parts(c, today);
        acknowledgement || response
    }

    /// Which deadline is missed: the acknowledgement (complaints only) and
    /// the response or due date, so a page can say which one is late.
    pub fn overdue_parts(&self, c: &Case, today: Date) -> (bool, bool) {
        if c.is_closed() {
            return (false, false);
        }
        match (c.kind, self.complaint_deadlines(c)) {
            (CaseKind::Complaint, Some(d)) => {
                let responded =
                    matches!(c.status, CaseStatus::Stage1Responded | CaseStatus::Stage2Responded | CaseStatus::EscalatedToOmbudsman);
                (c.acknowledged_on.is_none() && today > d.acknowledge_by, !responded && today > d.respond_by)
            }
            _ => (false, c.due_date.is_some_and(|d| today > d)),
        }
    }

    pub async fn open_case(&self, actor: &Actor, input: &CaseInput) -> Result<CaseView> {
        let today = Gate::today();
        let fields = input.validate(today)?;
        let compartment = fields.kind.compartment();
        self.guarded(actor, Action::Create, compartment, Target::collection("case"), async |tx: &mut Tx| {
            let (c, detail) = self.write_case(tx, actor, &fields, today).await?;
            let view = self.view_of(tx, c, today).await?;
            Ok((view.clone(), case_target(view.case.id), Some(detail)))
        })
        .await
    }

    /// Writes a new case with its parties and first timeline entries inside
    /// a decision already made (opening a case, or the front door), and
    /// returns it with the audit detail, which never names an anonymous reporter.
    pub(crate) async fn write_case(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        fields: &CaseFields,
        today: Date,
    ) -> Result<(Case, serde_json::Value)> {
        let mut names = vec![];
        for (i, p) in fields.parties.iter().enumerate() {
            match people::person(tx, p.person_id).await {
                Ok(person) => names.push((p.person_id, person.given_name, person.family_name, p.anonymous)),
                Err(_) => return Err(FieldError::new(format!("parties[{i}].person_id"), "No such person").into()),
            }
        }
        let reporters = crate::anonymity::reporter_identifiers(tx, &names).await?;
        crate::anonymity::check_not_identified("summary", &fields.summary, &reporters)?;
        let now = Timestamp::now();
        let c = q::insert_case(tx, fields, actor.user_id, now, today).await?;
        for p in &fields.parties {
            q::insert_party(tx, c.id, p, now).await?;
        }
        let named: Vec<Id> = fields.parties.iter().filter(|p| !p.anonymous).map(|p| p.person_id).collect();
        q::insert_event(tx, c.id, actor.user_id, "opened", &format!("{} opened: {}", c.kind.label(), c.summary), now).await?;
        if let Some(a) = c.assigned_to {
            let name = hearth_store::staff::user_by_id(tx, a).await?.display_name;
            q::insert_event(tx, c.id, actor.user_id, "assigned", &format!("Assigned to {name}"), now).await?;
        }
        let c = self.priority_uplift(tx, actor, c, &named, now).await?;
        let detail = json!({ "new": c, "parties": fields.parties.iter().map(party_detail).collect::<Vec<_>>() });
        Ok((c, detail))
    }

    async fn view_of(&self, tx: &mut Tx, case: Case, today: Date) -> Result<CaseView> {
        let parties = q::parties(tx, case.id).await?;
        let timeline = q::events(tx, case.id).await?;
        let deadlines = self.complaint_deadlines(&case);
        let (acknowledgement_overdue, response_overdue) = self.overdue_parts(&case, today);
        let overdue = acknowledgement_overdue || response_overdue;
        let overrides = hearth_store::anonymity::for_case(tx, case.id).await?;
        let assigned_to_name = match case.assigned_to {
            Some(a) => Some(hearth_store::staff::user_by_id(tx, a).await?.display_name),
            None => None,
        };
        let property_address = match case.property_id {
            Some(p) => Some(hearth_store::homes::property(tx, p).await?.address()),
            None => None,
        };
        Ok(CaseView {
            case,
            parties,
            timeline,
            deadlines,
            overdue,
            acknowledgement_overdue,
            response_overdue,
            overrides,
            assigned_to_name,
            property_address,
        })
    }

    pub async fn case(&self, actor: &Actor, id: Id) -> Result<CaseView> {
        // The compartment comes from the case itself; an unknown id is
        // refused the same way as a hidden one, so ids reveal nothing.
        let compartment = self.case_compartment(id).await?;
        self.guarded(actor, Action::View, compartment, case_target(id), async |tx: &mut Tx| {
            let c = q::case(tx, id).await?;
            let mut view = self.view_of(tx, c, Gate::today()).await?;
            // An approved override shows the reporter to the person who asked
            // for it, and to nobody else; every such view is recorded.
            let revealed = hearth_store::anonymity::revealed_to(tx, id, actor.user_id).await?;
            let mut shown = vec![];
            for (party_id, override_id, person_id, name) in revealed {
                if let Some(p) = view.parties.iter_mut().find(|p| p.id == party_id) {
                    p.person_id = Some(person_id);
                    p.name = name;
                    p.revealed_under = Some(override_id);
                    shown.push(json!({ "party_id": party_id, "override_id": override_id, "person_id": person_id }));
                }
            }
            let detail = (!shown.is_empty()).then(|| json!({ "revealed_anonymous_reporters": shown }));
            Ok((view, case_target(id), detail))
        })
        .await
    }

    /// The compartment of a case, or Safeguarding (the most restricted) for
    /// an unknown id so that probing ids gets the same refusal.
    pub(crate) async fn case_compartment(&self, id: Id) -> Result<Compartment> {
        let mut tx = self.store.begin().await?;
        let c = q::case(&mut tx, id).await;
        drop(tx);
        match c {
            Ok(c) => Ok(c.compartment),
            Err(hearth_store::StoreError::NotFound) => Ok(Compartment::Safeguarding),
            Err(e) => Err(e.into()),
        }
    }

    /// Cases the actor may see; the policies are asked per compartment and
    /// the answer becomes the query's filter.
    /// Cases a typed reference may mean ("ASB-000012", "asb 12", "12"),
    /// among those the actor may list.
    pub async fn find_cases(&self, actor: &Actor, text: &str, limit: i64) -> Result<Vec<Case>> {
        let references = hearth_domain::cases::references_for(text);
        if references.is_empty() {
            return Ok(vec![]);
        }
        let filter = CaseFilter { references, ..Default::default() };
        Ok(self.list_cases(actor, &filter, None, Some(limit)).await?.items)
    }

    pub async fn list_cases(&self, actor: &Actor, filter: &CaseFilter, after: Option<Id>, limit: Option<i64>) -> Result<Page<Case>> {
        let mut vis = CaseVisibility::default();
        for kind in CaseKind::ALL {
            let c = kind.compartment();
            let ask = |relation: Relation| {
                self.policy
                    .decide(&AccessRequest {
                        actor,
                        action: Action::List,
                        compartment: c,
                        record_type: "case",
                        record_key: "case/*".into(),
                        relation,
                    })
                    .allowed
            };
            if ask(Relation::default()) {
                vis.all.push(c);
            } else if ask(Relation { assigned: true, ..Default::default() }) {
                vis.assigned.push(c);
            }
        }
        vis.contractor_jobs = self
            .policy
            .decide(&AccessRequest {
                actor,
                action: Action::View,
                compartment: Compartment::Repairs,
                record_type: "case",
                record_key: "case/*".into(),
                relation: Relation { on_job: true, ..Default::default() },
            })
            .allowed
            && actor.role == StaffRole::Contractor;
        let mut tx = self.store.begin().await?;
        let page = q::list_cases(&mut tx, actor.user_id, &vis, filter, Timestamp::now(), after, clamp_limit(limit)).await?;
        // One list event per compartment the answer drew on.
        let mut compartments: Vec<Compartment> = page.items.iter().map(|c| c.compartment).collect();
        compartments.sort();
        compartments.dedup();
        if compartments.is_empty() {
            compartments.push(Compartment::Tenancy);
        }
        let mut page = page;
        for c in compartments {
            let ids: Vec<Id> = page.items.iter().filter(|k| k.compartment == c).map(|k| k.id).collect();
            // The list filter decided which cases; the policies still decide which fields.
            let classes = self.policy.classes(&AccessRequest {
                actor,
                action: Action::List,
                compartment: c,
                record_type: "case",
                record_key: "case/*".into(),
                relation: Relation { assigned: true, on_job: true, ..Default::default() },
            });
            let permit = crate::Permit {
                action: Action::List,
                compartment: c,
                policy_ids: "case-list-filter".into(),
                break_glass_reason: None,
                classes,
            };
            page.items.iter_mut().filter(|k| k.compartment == c).for_each(|k| permit.project(k));
            self.record(&mut tx, actor, &permit, Target::collection("case"), Some(json!({ "returned": ids }))).await?;
        }
        tx.commit().await?;
        Ok(page)
    }

    /// Applies one change to a case, checking the version and the lifecycle.
    pub async fn change_case(&self, actor: &Actor, id: Id, change: &CaseChange) -> Result<CaseView> {
        let compartment = self.case_compartment(id).await?;
        self.guarded(actor, Action::Edit, compartment, case_target(id), async |tx: &mut Tx| {
            let old = q::case(tx, id).await?;
            if old.version != change.version() {
                return Err(GateError::Conflict);
            }
            if old.is_closed() {
                return Err(FieldError::new("change", "This case is closed").into());
            }
            let today = Gate::today();
            let now = Timestamp::now();
            let mut c = old.clone();
            // What the change needs from other records, looked up first.
            let cx = CaseChangeContext {
                assignee: match change {
                    CaseChange::Assign { assigned_to, .. } => {
                        hearth_store::staff::user_by_id(tx, *assigned_to).await.ok().map(|u| u.display_name)
                    }
                    _ => None,
                },
                current_assignee: match (change, c.assigned_to) {
                    (CaseChange::Assign { .. }, Some(from)) => hearth_store::staff::user_by_id(tx, from).await.ok().map(|u| u.display_name),
                    _ => None,
                },
                contractor: match change {
                    CaseChange::Schedule { contractor_id, .. } => {
                        hearth_store::staff::user_by_id(tx, *contractor_id).await.ok().map(|u| (u.display_name, u.role))
                    }
                    _ => None,
                },
                max_extension_days: self.complaint_code.max_extension_days,
                opened_on: c.opened_at.to_zoned_datetime(crate::uk()).date(),
            };
            let event = c.apply(change, today, now, &cx)?;
            // Text written on the case must not identify an anonymous reporter.
            match change {
                CaseChange::Note { .. } => crate::anonymity::check_case_text(tx, c.id, &[("text", Some(&event.1))]).await?,
                CaseChange::Close { .. } => {
                    crate::anonymity::check_case_text(tx, c.id, &[("note", c.outcome_note.as_deref()), ("remedy", c.remedy.as_deref())])
                        .await?
                }
                _ => {}
            }
            let saved = q::save_case(tx, &c, now).await?;
            q::insert_event(tx, id, actor.user_id, event.0, &event.1, now).await?;
            let view = self.view_of(tx, saved, today).await?;
            Ok((view.clone(), case_target(id), Some(json!({ "old": old, "new": view.case, "event": event.1 }))))
        })
        .await
    }
}
