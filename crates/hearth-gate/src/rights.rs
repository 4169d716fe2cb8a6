//! Gate operations on rights requests: log one, read it, list the work list
//! (due soon and overdue, as of a given day), and change it (identity check,
//! clarification, extension, refusal, owner, notes, completion, withdrawal).
//!
//! Requests live in the `rights` compartment, which the policies give to the
//! data protection officer alone; each operation is decided and audited
//! here, and the deadline is always the domain engine's answer, stored with
//! the request so the work list is one query.

use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
    rights::{
        days_between, response_clock, work_state, ClockDates, ResponseClock, RightsChangeContext, RightsRequest, RightsRequestInput,
        RightsRequestKind, WorkState,
    },
    Id,
};
use hearth_store::rights::{self as q, RequestFilter};
use hearth_store::{people, staff, Tx};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

/// A request with where its clock stands on the day it was read.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RightsRequestView {
    pub request: RightsRequest,
    pub clock: ResponseClock,
    pub state: WorkState,
    /// Days until the deadline (negative once overdue); none while the clock stands still.
    pub days_left: Option<i32>,
}

impl hearth_domain::classes::Project for RightsRequestView {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        self.request.project(permitted);
    }
}

impl hearth_domain::classes::Project for RightsWorkList {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        self.items.project(permitted);
    }
}

/// The DPO's work list as it stands on `as_of`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RightsWorkList {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub as_of: Date,
    pub overdue: usize,
    pub due_soon: usize,
    pub items: Vec<RightsRequestView>,
}

pub use hearth_domain::rights::RightsChange;

fn target(r: &RightsRequest) -> Target {
    Target::of("rights_request", r.id, Some(r.person_id))
}

impl Gate {
    /// A request with its clock and work-list state on `today`.
    pub fn rights_view(&self, request: RightsRequest, today: Date) -> RightsRequestView {
        let clock = request.clock(&self.calendar);
        let state = work_state(&clock, request.is_open(), today);
        let days_left = clock.due_on().filter(|_| request.is_open()).map(|d| days_between(today, d));
        RightsRequestView { request, clock, state, days_left }
    }

    /// The stored deadline: the engine's answer while the request is open.
    fn refresh_due(&self, r: &mut RightsRequest) {
        r.due_on = if r.is_open() { r.clock(&self.calendar).due_on() } else { None };
    }

    pub async fn log_rights_request(&self, actor: &Actor, input: &RightsRequestInput) -> Result<RightsRequestView> {
        let today = Gate::today();
        let fields = input.validate(today)?;
        self.guarded(actor, Action::Create, Compartment::Rights, Target::collection("rights_request"), async |tx: &mut Tx| {
            if people::person(tx, fields.person_id).await.is_err() {
                return Err(FieldError::new("person_id", "No such person").into());
            }
            if let Some(o) = fields.owner_id {
                staff::user_by_id(tx, o).await.map_err(|_| FieldError::new("owner_id", "No such staff account"))?;
            }
            let due = response_clock(
                &self.calendar,
                fields.received_on,
                &ClockDates { received_on: Some(fields.received_on), ..Default::default() },
            )
            .due_on();
            let r = q::insert_request(tx, &fields, due, actor.user_id, Timestamp::now()).await?;
            let view = self.rights_view(r, today);
            Ok((view.clone(), target(&view.request), Some(json!({ "new": view.request }))))
        })
        .await
    }

    pub async fn rights_request(&self, actor: &Actor, id: Id) -> Result<RightsRequestView> {
        // Decided before reading, so an unknown id is refused like a hidden one.
        self.guarded(actor, Action::View, Compartment::Rights, Target::of("rights_request", id, None), async |tx: &mut Tx| {
            let r = q::request(tx, id).await?;
            let t = target(&r);
            Ok((self.rights_view(r, Gate::today()), t, None))
        })
        .await
    }

    /// The work list on `as_of` (today by default): open requests by
    /// deadline, or all requests, or one person's, or those due by a day.
    pub async fn rights_work_list(&self, actor: &Actor, filter: &RequestFilter, as_of: Option<Date>) -> Result<RightsWorkList> {
        let as_of = as_of.unwrap_or_else(Gate::today);
        let t = Target { record_type: "rights_request", record_id: None, person_id: filter.person_id };
        self.guarded(actor, Action::List, Compartment::Rights, t, async |tx: &mut Tx| {
            let rows = q::list_requests(tx, filter, 500).await?;
            let ids: Vec<Id> = rows.iter().map(|r| r.id).collect();
            let items: Vec<_> = rows.into_iter().map(|r| self.rights_view(r, as_of)).collect();
            let overdue = items.iter().filter(|v| v.state == WorkState::Overdue).count();
            let due_soon = items.iter().filter(|v| v.state == WorkState::DueSoon).count();
            Ok((RightsWorkList { as_of, overdue, due_soon, items }, t, Some(json!({ "returned": ids, "as_of": as_of.to_string() }))))
        })
        .await
    }

    /// Applies one change, checking the version and the rules.
    pub async fn change_rights_request(&self, actor: &Actor, id: Id, change: &RightsChange) -> Result<RightsRequestView> {
        self.guarded(actor, Action::Edit, Compartment::Rights, Target::of("rights_request", id, None), async |tx: &mut Tx| {
            let old = q::request(tx, id).await?;
            if old.version != change.version() {
                return Err(GateError::Conflict);
            }
            let today = Gate::today();
            let mut r = old.clone();
            // What the change needs from other records, looked up first.
            let mut cx = RightsChangeContext { username: actor.username.clone(), ..Default::default() };
            match change {
                RightsChange::Assign { owner_id, .. } if r.is_open() => {
                    cx.assignee_name = staff::user_by_id(tx, *owner_id).await.ok().map(|u| u.display_name);
                }
                RightsChange::Complete { .. } if r.kind == RightsRequestKind::Access => {
                    cx.sent_release = crate::review::latest_release(tx, r.id).await?;
                }
                _ => {}
            }
            let event = r.apply(change, today, &self.calendar, &cx)?;
            if let (RightsChange::Complete { .. }, Some((release, _)), Some(on)) = (change, &cx.sent_release, r.closed_on) {
                crate::review::mark_sent(tx, *release, &on.to_string()).await?;
            }
            self.refresh_due(&mut r);
            let saved = q::save_request(tx, &r, Timestamp::now()).await?;
            let view = self.rights_view(saved, today);
            let t = target(&view.request);
            Ok((view.clone(), t, Some(json!({ "change": event, "old": old, "new": view.request }))))
        })
        .await
    }
}
