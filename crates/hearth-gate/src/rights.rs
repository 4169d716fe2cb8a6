//! Gate operations on rights requests: log one, read it, list the work list
//! (due soon and overdue, as of a given day), and change it (identity check,
//! clarification, extension, refusal, owner, notes, completion, withdrawal).
//!
//! Requests live in the `rights` compartment, which the policies give to the
//! data protection officer alone; each operation is decided and audited
//! here, and the deadline is always the domain engine's answer, stored with
//! the request so the work list is one query.

use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::*;
use hearth_store::rights::{self as q, RequestFilter};
use hearth_store::{people, staff, Tx};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
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

impl hearth_domain::Project for RightsRequestView {
    fn project(&mut self, permitted: hearth_domain::ClassSet) {
        self.request.project(permitted);
    }
}

impl hearth_domain::Project for RightsWorkList {
    fn project(&mut self, permitted: hearth_domain::ClassSet) {
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

/// A change to a request, sent with the version it was based on. Dates are
/// YYYY-MM-DD and default to today.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum RightsChange {
    /// Proof of identity was asked for: the clock waits until it arrives.
    RequestIdentity {
        version: i64,
        on: Option<String>,
    },
    /// Identity confirmed, and how; `on` is the day proof arrived (or the check was made).
    IdentityPassed {
        version: i64,
        method: String,
        on: Option<String>,
    },
    /// Clarification was asked for: the clock stands still until it arrives.
    RequestClarification {
        version: i64,
        on: Option<String>,
    },
    ClarificationReceived {
        version: i64,
        on: Option<String>,
    },
    /// Extend by one or two further months (in total) for a complex or numerous request.
    Extend {
        version: i64,
        months: u8,
        ground: String,
        reason: String,
        told_on: Option<String>,
    },
    /// Refuse: manifestly unfounded, manifestly excessive, or an exemption (named).
    Refuse {
        version: i64,
        ground: String,
        reason: String,
        exemption: Option<String>,
    },
    /// Give the request to a staff member.
    Assign {
        version: i64,
        owner_id: Id,
    },
    /// Add a dated note.
    Note {
        version: i64,
        text: String,
    },
    /// Answered: what was done.
    Complete {
        version: i64,
        outcome: String,
        on: Option<String>,
    },
    /// The person withdrew the request.
    Withdraw {
        version: i64,
        reason: String,
    },
}

impl RightsChange {
    fn version(&self) -> i64 {
        match self {
            RightsChange::RequestIdentity { version, .. }
            | RightsChange::IdentityPassed { version, .. }
            | RightsChange::RequestClarification { version, .. }
            | RightsChange::ClarificationReceived { version, .. }
            | RightsChange::Extend { version, .. }
            | RightsChange::Refuse { version, .. }
            | RightsChange::Assign { version, .. }
            | RightsChange::Note { version, .. }
            | RightsChange::Complete { version, .. }
            | RightsChange::Withdraw { version, .. } => *version,
        }
    }
}

fn target(r: &RightsRequest) -> Target {
    Target::of("rights_request", r.id, Some(r.person_id))
}

/// A date on or before today and on or after `not_before`; blank is today.
fn day(field: &str, value: &Option<String>, today: Date, not_before: Date, what: &str) -> Result<Date> {
    let d = match value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today,
        Some(s) => validate::iso_date(field, s, what)?,
    };
    if d > today {
        return Err(FieldError::new(field, format!("{what} must be today or in the past")).into());
    }
    if d < not_before {
        return Err(FieldError::new(field, format!("{what} cannot be before {}", not_before.strftime("%-d %B %Y"))).into());
    }
    Ok(d)
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
            let event = self.apply_rights(tx, actor, &mut r, change, today).await?;
            self.refresh_due(&mut r);
            let saved = q::save_request(tx, &r, Timestamp::now()).await?;
            let view = self.rights_view(saved, today);
            let t = target(&view.request);
            Ok((view.clone(), t, Some(json!({ "change": event, "old": old, "new": view.request }))))
        })
        .await
    }

    async fn apply_rights(&self, tx: &mut Tx, actor: &Actor, r: &mut RightsRequest, change: &RightsChange, today: Date) -> Result<String> {
        if !r.is_open() && !matches!(change, RightsChange::Note { .. }) {
            return Err(FieldError::new("change", format!("This request is {}", r.status.label().to_lowercase())).into());
        }
        Ok(match change {
            RightsChange::RequestIdentity { on, .. } => {
                if r.identity_status == IdentityStatus::Passed {
                    return Err(FieldError::new("change", "Identity has already been confirmed").into());
                }
                if r.identity_requested_on.is_some() {
                    return Err(FieldError::new("change", "Proof of identity has already been asked for").into());
                }
                let d = day("on", on, today, r.received_on, "The date proof of identity was asked for")?;
                r.identity_requested_on = Some(d);
                format!("Proof of identity asked for on {d}: the clock waits until it arrives")
            }
            RightsChange::IdentityPassed { method, on, .. } => {
                if r.identity_status == IdentityStatus::Passed {
                    return Err(FieldError::new("change", "Identity has already been confirmed").into());
                }
                let method = validate::name("method", method, "how identity was confirmed")?;
                let d = day("on", on, today, r.identity_requested_on.unwrap_or(r.received_on), "The date identity was confirmed")?;
                r.identity_status = IdentityStatus::Passed;
                r.identity_method = Some(method.clone());
                r.identity_received_on = Some(d);
                format!("Identity confirmed on {d}: {method}")
            }
            RightsChange::RequestClarification { on, .. } => {
                if r.clarification_requested_on.is_some() && r.clarification_received_on.is_none() {
                    return Err(FieldError::new("change", "Clarification is already awaited; record its arrival first").into());
                }
                // A later round may not start before the previous answer arrived.
                let not_before = r.clarification_received_on.unwrap_or(r.received_on);
                let d = day("on", on, today, not_before, "The date clarification was asked for")?;
                if r.clarification_received_on.is_some() {
                    // Fold the finished round into the earlier pauses before its dates are replaced.
                    if let ResponseClock::Running { paused_days, .. } = r.clock(&self.calendar) {
                        r.earlier_paused_days = paused_days as i64;
                    }
                }
                r.clarification_requested_on = Some(d);
                r.clarification_received_on = None;
                r.clarification_rounds += 1;
                format!("Clarification asked for on {d} (round {}): the clock stands still until it arrives", r.clarification_rounds)
            }
            RightsChange::ClarificationReceived { on, .. } => {
                let Some(asked) = r.clarification_requested_on.filter(|_| r.clarification_received_on.is_none()) else {
                    return Err(FieldError::new("change", "No clarification is awaited").into());
                };
                let d = day("on", on, today, asked, "The date clarification arrived")?;
                r.clarification_received_on = Some(d);
                format!("Clarification received on {d}: the clock runs again")
            }
            RightsChange::Extend { months, ground, reason, told_on, .. } => {
                let ground = ExtensionGround::parse(ground.trim())
                    .ok_or_else(|| FieldError::new("ground", "Choose why more time is needed: complex or numerous"))?;
                if *months == 0 || *months > MAX_EXTENSION_MONTHS || (*months as i64) <= r.extension_months {
                    return Err(FieldError::new(
                        "months",
                        format!("An extension is one or two further months in total, more than the {} already given", r.extension_months),
                    )
                    .into());
                }
                let reason = long_text("reason", Some(reason), 2000, "why more time is needed")?;
                let ResponseClock::Running { one_month_due_on, .. } = r.clock(&self.calendar) else {
                    return Err(FieldError::new(
                        "change",
                        "The clock is not running: record the identity or clarification that is awaited first",
                    )
                    .into());
                };
                let told = day("told_on", told_on, today, r.received_on, "The date the requester was told")?;
                if told > one_month_due_on {
                    return Err(FieldError::new(
                        "told_on",
                        format!("The requester must be told within the first month, by {}", one_month_due_on.strftime("%-d %B %Y")),
                    )
                    .into());
                }
                r.extension_months = *months as i64;
                r.extension_ground = Some(ground);
                r.extension_reason = Some(reason.clone());
                r.extension_told_on = Some(told);
                format!("Extended by {months} further month(s) ({}), requester told on {told}: {reason}", ground.label())
            }
            RightsChange::Refuse { ground, reason, exemption, .. } => {
                let ground = RefusalGround::parse(ground.trim()).ok_or_else(|| {
                    FieldError::new(
                        "ground",
                        "A request may be refused only as manifestly unfounded, manifestly excessive, or under an exemption",
                    )
                })?;
                let reason = long_text("reason", Some(reason), 4000, "the reason for refusing")?;
                let exemption = validate::optional_text("exemption", exemption.as_deref(), 200, "exemption")?;
                match (ground, &exemption) {
                    (RefusalGround::Exemption, None) => return Err(FieldError::new("exemption", "Name the exemption that applies").into()),
                    (RefusalGround::ManifestlyUnfounded | RefusalGround::ManifestlyExcessive, Some(_)) => {
                        return Err(FieldError::new("exemption", "Name an exemption only when refusing under one").into())
                    }
                    _ => {}
                }
                r.refusal_letter = Some(refusal_letter(r, ground, exemption.as_deref(), &reason, today));
                r.refusal_ground = Some(ground);
                r.refusal_exemption = exemption;
                r.refusal_reason = Some(reason.clone());
                r.status = RightsRequestStatus::Refused;
                r.closed_on = Some(today);
                format!("Refused ({}): {reason}", ground.label())
            }
            RightsChange::Assign { owner_id, .. } => {
                let u = staff::user_by_id(tx, *owner_id).await.map_err(|_| FieldError::new("owner_id", "No such staff account"))?;
                r.owner_id = Some(*owner_id);
                format!("Given to {}", u.display_name)
            }
            RightsChange::Note { text, .. } => {
                let text = long_text("text", Some(text), 2000, "the note")?;
                let line = format!("{today} {}: {text}", actor.username);
                let notes = match r.notes.take() {
                    Some(n) => format!("{n}\n{line}"),
                    None => line,
                };
                if notes.chars().count() > 20_000 {
                    return Err(FieldError::new("text", "The notes are full; summarise them in the outcome").into());
                }
                r.notes = Some(notes);
                format!("Note: {text}")
            }
            RightsChange::Complete { outcome, on, .. } => {
                if r.identity_status != IdentityStatus::Passed {
                    return Err(FieldError::new("change", "Confirm the requester's identity before answering the request").into());
                }
                let outcome = long_text("outcome", Some(outcome), 4000, "what was done")?;
                let d = day("on", on, today, r.received_on, "The date the request was answered")?;
                // An access request records which released bundle was sent.
                let sent = match r.kind {
                    RightsRequestKind::Access => crate::review::sent_release(tx, r.id, &d.to_string()).await?,
                    _ => None,
                };
                let outcome = match sent {
                    Some((id, sha)) => format!("{outcome}\nSent: access bundle release {id} (SHA-256 {sha})"),
                    None => outcome,
                };
                r.status = RightsRequestStatus::Completed;
                r.closed_on = Some(d);
                r.outcome = Some(outcome.clone());
                format!("Completed on {d}: {outcome}")
            }
            RightsChange::Withdraw { reason, .. } => {
                let reason = long_text("reason", Some(reason), 2000, "how the request was withdrawn")?;
                r.status = RightsRequestStatus::Withdrawn;
                r.closed_on = Some(today);
                r.outcome = Some(format!("Withdrawn: {reason}"));
                format!("Withdrawn: {reason}")
            }
        })
    }
}
