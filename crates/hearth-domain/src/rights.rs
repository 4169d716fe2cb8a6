//! Data subject rights requests (UK GDPR Articles 15–22, seeds 003 and 004
//! "Your rights"): what a request is, who made it, and the deadline engine
//! that says when the answer is due under the regulator's guidance.
//!
//! The deadline is one calendar month from the day the clock starts (the day
//! the request arrived, or the day proof of identity arrived when it had to
//! be asked for), counted to the corresponding date of the next month or the
//! last day of that month when there is none (31 January → end of February),
//! plus any days the clock stood still waiting for clarification, plus an
//! extension of up to two further months for complex or numerous requests;
//! a deadline on a weekend or bank holiday moves to the next working day.
//!
//! Pure: dates and the working calendar are passed in. It must never read the
//! clock or storage; the gate records, the surfaces show.

use crate::calendar::WorkingCalendar;
use crate::{
    error::{FieldError, ValidationErrors},
    validate, Id,
};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

/// How close a deadline must be to count as "due soon" on the work list.
pub const DUE_SOON_DAYS: i32 = 7;
/// The longest extension the law allows: two further months.
pub const MAX_EXTENSION_MONTHS: u8 = 2;

crate::vocabulary! {
    /// The right being exercised.
    RightsRequestKind {
        Access => "access" / "Access (a copy of their information)",
        Rectification => "rectification" / "Rectification (correct mistakes)",
        Erasure => "erasure" / "Erasure (delete their information)",
        Restriction => "restriction" / "Restriction (store but do not use)",
        Objection => "objection" / "Objection to processing",
        Portability => "portability" / "Portability (data in a reusable format)",
        AutomatedDecision => "automated_decision" / "Automated decision-making",
    }
}

impl RightsRequestKind {
    /// The request in a sentence, e.g. "an access request", "a rectification request".
    pub fn request_words(self) -> String {
        let name = self.label().split(" (").next().unwrap_or("").to_lowercase();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
        format!("{article} {name} request")
    }

    pub fn reference_prefix(self) -> &'static str {
        match self {
            RightsRequestKind::Access => "SAR",
            _ => "DSR",
        }
    }
}

crate::vocabulary! {
    /// Who made the request.
    RequesterKind {
        Person => "person" / "The person themselves",
        Representative => "representative" / "A representative with authority",
    }
}

crate::vocabulary! {
    IdentityStatus {
        Pending => "pending" / "Not yet checked",
        Passed => "passed" / "Checked and confirmed",
    }
}

crate::vocabulary! {
    RightsRequestStatus {
        Open => "open" / "Open",
        Completed => "completed" / "Completed",
        Refused => "refused" / "Refused",
        Withdrawn => "withdrawn" / "Withdrawn",
    }
}

crate::vocabulary! {
    /// Why more time was needed (UK GDPR Article 12(3)).
    ExtensionGround {
        Complex => "complex" / "The request is complex",
        Numerous => "numerous" / "The person has made numerous requests",
    }
}

crate::vocabulary! {
    /// The only grounds on which a request may be refused (Article 12(5), or an exemption).
    RefusalGround {
        ManifestlyUnfounded => "manifestly_unfounded" / "Manifestly unfounded",
        ManifestlyExcessive => "manifestly_excessive" / "Manifestly excessive",
        Exemption => "exemption" / "An exemption applies",
    }
}

crate::vocabulary! {
    /// Where a request stands on the DPO's work list.
    WorkState {
        Overdue => "overdue" / "Overdue",
        DueSoon => "due_soon" / "Due soon",
        OnTrack => "on_track" / "On track",
        WaitingForIdentity => "waiting_for_identity" / "Waiting for proof of identity",
        WaitingForClarification => "waiting_for_clarification" / "Waiting for clarification",
        Closed => "closed" / "Closed",
    }
}

// ---------------------------------------------------------------------------
// The deadline engine.

/// The dates that move a request's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockDates {
    pub received_on: Option<Date>,
    /// Proof of identity was asked for: the clock does not start until it arrives.
    pub identity_requested_on: Option<Date>,
    pub identity_received_on: Option<Date>,
    /// Clarification was asked for: the clock stands still until it arrives.
    pub clarification_requested_on: Option<Date>,
    pub clarification_received_on: Option<Date>,
    /// Days the clock stood still in earlier clarification rounds.
    pub earlier_paused_days: i32,
    /// 0, 1 or 2 further months.
    pub extension_months: u8,
}

/// Where a request's response clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ResponseClock {
    /// Not started: proof of identity was asked for on `since` and has not arrived.
    WaitingForIdentity {
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        since: Date,
    },
    /// Stopped on `since` waiting for clarification, with `days_left` to run when it arrives.
    WaitingForClarification {
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        since: Date,
        days_left: i32,
    },
    /// Running: due on `due_on`; `one_month_due_on` is the deadline without any extension.
    Running {
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        started_on: Date,
        paused_days: i32,
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        one_month_due_on: Date,
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        due_on: Date,
    },
}

impl ResponseClock {
    pub fn due_on(&self) -> Option<Date> {
        match self {
            ResponseClock::Running { due_on, .. } => Some(*due_on),
            _ => None,
        }
    }
}

/// The first working day on or after `d`.
pub fn next_working_day(cal: &WorkingCalendar, d: Date) -> Date {
    let mut d = d;
    while !cal.is_working_day(d) {
        d = d.tomorrow().expect("dates stay in range");
    }
    d
}

/// The corresponding date `months` later, or the last day of that month when
/// there is none (jiff clamps: 31 January + 1 month = 28 or 29 February).
pub fn corresponding_date(from: Date, months: i32) -> Date {
    from.checked_add(months.months()).expect("dates stay in range")
}

/// Whole days from `a` to `b` (negative when `b` is earlier).
pub fn days_between(a: Date, b: Date) -> i32 {
    a.until(b).map(|s| s.get_days()).unwrap_or(0)
}

/// Where the clock stands. The clock starts on the day the request arrived,
/// or — when proof of identity had to be asked for — the day it arrived.
/// Days spent waiting for clarification after the start do not count: they
/// are added to the calendar-month deadline, which is then moved to the
/// next working day.
pub fn response_clock(cal: &WorkingCalendar, received_on: Date, d: &ClockDates) -> ResponseClock {
    let started_on = match (d.identity_requested_on, d.identity_received_on) {
        (Some(since), None) => return ResponseClock::WaitingForIdentity { since },
        (Some(_), Some(arrived)) => arrived.max(received_on),
        // Identity confirmed without asking the person for anything: the clock ran from receipt.
        (None, _) => received_on,
    };
    let due = |months: i32, paused: i32| corresponding_date(started_on, months) + paused.days();
    let earlier = d.earlier_paused_days.max(0);
    let paused_days = earlier
        + match (d.clarification_requested_on, d.clarification_received_on) {
            (Some(asked), None) => {
                let since = asked.max(started_on);
                let left = days_between(since, due(1 + d.extension_months as i32, earlier));
                return ResponseClock::WaitingForClarification { since, days_left: left.max(0) };
            }
            (Some(asked), Some(arrived)) => days_between(asked.max(started_on), arrived).max(0),
            _ => 0,
        };
    ResponseClock::Running {
        started_on,
        paused_days,
        one_month_due_on: next_working_day(cal, due(1, paused_days)),
        due_on: next_working_day(cal, due(1 + d.extension_months.min(MAX_EXTENSION_MONTHS) as i32, paused_days)),
    }
}

/// Where an open request stands on the work list on `today`.
pub fn work_state(clock: &ResponseClock, open: bool, today: Date) -> WorkState {
    if !open {
        return WorkState::Closed;
    }
    match clock {
        ResponseClock::WaitingForIdentity { .. } => WorkState::WaitingForIdentity,
        ResponseClock::WaitingForClarification { .. } => WorkState::WaitingForClarification,
        ResponseClock::Running { due_on, .. } if today > *due_on => WorkState::Overdue,
        ResponseClock::Running { due_on, .. } if days_between(today, *due_on) <= DUE_SOON_DAYS => WorkState::DueSoon,
        ResponseClock::Running { .. } => WorkState::OnTrack,
    }
}

// ---------------------------------------------------------------------------
// The request record.

/// A rights request as stored and shown. Later work (the access bundle,
/// portability export, erasure report) attaches to it by `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RightsRequest {
    pub id: Id,
    pub reference: String,
    pub kind: RightsRequestKind,
    /// The person whose data the request is about.
    pub person_id: Id,
    pub person_name: String,
    pub requester: RequesterKind,
    pub representative_name: Option<String>,
    /// The representative's relationship to the person, e.g. "daughter", "solicitor".
    pub representative_relationship: Option<String>,
    /// How the representative showed authority, e.g. "signed letter of authority".
    pub representative_authority: Option<String>,
    /// What the person asked for, in their words or a summary.
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub received_on: Date,
    pub identity_status: IdentityStatus,
    pub identity_method: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub identity_requested_on: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub identity_received_on: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub clarification_requested_on: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub clarification_received_on: Option<Date>,
    /// How many times clarification has been asked for; the dates above are the latest round's.
    pub clarification_rounds: i64,
    /// Days the clock stood still in the rounds before the latest.
    pub earlier_paused_days: i64,
    pub status: RightsRequestStatus,
    /// The staff member answering it.
    pub owner_id: Option<Id>,
    pub owner_name: Option<String>,
    pub notes: Option<String>,
    pub extension_months: i64,
    pub extension_ground: Option<ExtensionGround>,
    pub extension_reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub extension_told_on: Option<Date>,
    pub refusal_ground: Option<RefusalGround>,
    pub refusal_exemption: Option<String>,
    pub refusal_reason: Option<String>,
    /// The letter sent with a refusal, stating the right to complain to the ICO.
    pub refusal_letter: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub closed_on: Option<Date>,
    pub outcome: Option<String>,
    /// The deadline as last worked out (empty while the clock stands still or once closed).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due_on: Option<Date>,
    /// How it reached us, when it came through the front door.
    pub channel: Option<crate::front_door::ReceivedVia>,
    /// The member of staff who took it at the front door.
    pub received_by: Option<Id>,
    pub received_by_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    pub version: i64,
}

impl RightsRequest {
    pub fn is_open(&self) -> bool {
        self.status == RightsRequestStatus::Open
    }

    pub fn clock_dates(&self) -> ClockDates {
        ClockDates {
            received_on: Some(self.received_on),
            identity_requested_on: self.identity_requested_on,
            identity_received_on: self.identity_received_on,
            clarification_requested_on: self.clarification_requested_on,
            clarification_received_on: self.clarification_received_on,
            earlier_paused_days: self.earlier_paused_days.clamp(0, i32::MAX as i64) as i32,
            extension_months: self.extension_months.clamp(0, MAX_EXTENSION_MONTHS as i64) as u8,
        }
    }

    pub fn clock(&self, cal: &WorkingCalendar) -> ResponseClock {
        response_clock(cal, self.received_on, &self.clock_dates())
    }
}

/// A new request as sent by the API or the form.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RightsRequestInput {
    /// access, rectification, erasure, restriction, objection, portability, automated_decision.
    pub kind: Option<String>,
    pub person_id: Option<Id>,
    /// person (default) or representative.
    pub requester: Option<String>,
    pub representative_name: Option<String>,
    pub representative_relationship: Option<String>,
    pub representative_authority: Option<String>,
    pub description: Option<String>,
    /// The day the request arrived, YYYY-MM-DD (default today).
    pub received_on: Option<String>,
    /// Staff account answering the request.
    pub owner_id: Option<Id>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RightsRequestFields {
    pub kind: RightsRequestKind,
    pub person_id: Id,
    pub requester: RequesterKind,
    pub representative_name: Option<String>,
    pub representative_relationship: Option<String>,
    pub representative_authority: Option<String>,
    pub description: String,
    pub received_on: Date,
    pub owner_id: Option<Id>,
    pub notes: Option<String>,
}

/// A date that cannot be in the future.
pub fn past_date(errs: &mut ValidationErrors, field: &str, value: Option<&str>, what: &str, today: Date) -> Option<Date> {
    let d = crate::people::optional_date(errs, field, value, what)?;
    if d > today {
        errs.push(FieldError::new(field, format!("{what} must be today or in the past")));
        return None;
    }
    Some(d)
}

impl RightsRequestInput {
    pub fn validate(&self, today: Date) -> Result<RightsRequestFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let kind = errs.check(RightsRequestKind::parse(self.kind.as_deref().unwrap_or("").trim()).ok_or_else(|| {
            let kinds: Vec<_> = RightsRequestKind::ALL.iter().map(|k| k.as_str()).collect();
            FieldError::new("kind", format!("Choose the right being exercised: one of {}", kinds.join(", ")))
        }));
        let person_id = errs.check(self.person_id.ok_or_else(|| FieldError::new("person_id", "Choose the person the request is about")));
        let requester = match self.requester.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(RequesterKind::Person),
            Some(r) => errs.check(
                RequesterKind::parse(r)
                    .ok_or_else(|| FieldError::new("requester", "Say whether the person or a representative made the request")),
            ),
        };
        let rep_name = errs
            .check(validate::optional_text("representative_name", self.representative_name.as_deref(), 100, "representative's name"))
            .flatten();
        let rep_rel = errs
            .check(validate::optional_text(
                "representative_relationship",
                self.representative_relationship.as_deref(),
                100,
                "representative's relationship",
            ))
            .flatten();
        let rep_auth = errs
            .check(validate::optional_text(
                "representative_authority",
                self.representative_authority.as_deref(),
                500,
                "representative's authority",
            ))
            .flatten();
        match requester {
            Some(RequesterKind::Representative) => {
                if rep_name.is_none() && !errs.0.iter().any(|e| e.field == "representative_name") {
                    errs.push(FieldError::new("representative_name", "Enter the representative's name"));
                }
                if rep_rel.is_none() && !errs.0.iter().any(|e| e.field == "representative_relationship") {
                    errs.push(FieldError::new(
                        "representative_relationship",
                        "Enter the representative's relationship to the person, for example solicitor or daughter",
                    ));
                }
            }
            Some(RequesterKind::Person) if rep_name.is_some() || rep_rel.is_some() || rep_auth.is_some() => {
                errs.push(FieldError::new("requester", "Choose representative if someone asked on the person's behalf"));
            }
            _ => {}
        }
        let description = errs.check(long_text("description", self.description.as_deref(), 4000, "what the request asks for"));
        let received_on = past_date(&mut errs, "received_on", self.received_on.as_deref(), "The date received", today);
        let notes = errs.check(validate::optional_text("notes", self.notes.as_deref(), 4000, "notes")).flatten();
        errs.into_result()?;
        Ok(RightsRequestFields {
            kind: kind.expect("checked"),
            person_id: person_id.expect("checked"),
            requester: requester.expect("checked"),
            representative_name: rep_name,
            representative_relationship: rep_rel,
            representative_authority: rep_auth,
            description: description.expect("checked"),
            received_on: received_on.unwrap_or(today),
            owner_id: self.owner_id,
            notes,
        })
    }
}

/// Required free text, allowing line breaks (unlike names).
pub fn long_text(field: &str, value: Option<&str>, max_chars: usize, what: &str) -> Result<String, FieldError> {
    let v = value.unwrap_or("").trim();
    if v.is_empty() {
        return Err(FieldError::new(field, format!("Enter {what}")));
    }
    if v.chars().count() > max_chars {
        return Err(FieldError::new(field, format!("The text must be {max_chars} characters or fewer")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(field, "The text must not contain control characters"));
    }
    Ok(v.to_string())
}

/// The letter that goes with a refusal. The law requires it to give the
/// reason and to tell the person they may complain to the Information
/// Commissioner's Office and seek to enforce their right through a court.
pub fn refusal_letter(r: &RightsRequest, ground: RefusalGround, exemption: Option<&str>, reason: &str, on: Date) -> String {
    let ground_text = match ground {
        RefusalGround::ManifestlyUnfounded => "we consider the request to be manifestly unfounded".to_string(),
        RefusalGround::ManifestlyExcessive => "we consider the request to be manifestly excessive".to_string(),
        RefusalGround::Exemption => {
            format!("an exemption applies: {}", exemption.unwrap_or("an exemption under the Data Protection Act 2018"))
        }
    };
    let addressee = match (&r.requester, &r.representative_name) {
        (RequesterKind::Representative, Some(n)) => n.clone(),
        _ => r.person_name.clone(),
    };
    format!(
        "{date}\n\nDear {addressee},\n\nYour request {reference} ({kind}), received on {received}\n\n\
         We have considered your request and we are not able to act on it, because {ground_text}.\n\n\
         Our reasons: {reason}\n\n\
         If you are unhappy with this decision, you may ask us to look at it again by writing to our data protection officer.\n\n\
         You also have the right to complain to the Information Commissioner's Office (ICO), the UK regulator for data protection: \
         Information Commissioner's Office, Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF; telephone 0303 123 1113; \
         website www.ico.org.uk. You may also seek to enforce your rights through the courts.\n\n\
         Yours sincerely,\n\nData Protection Officer",
        date = on.strftime("%-d %B %Y"),
        reference = r.reference,
        kind = r.kind.label(),
        received = r.received_on.strftime("%-d %B %Y"),
    )
}

#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only open requests.
    pub open_only: bool,
    /// Only requests about this person.
    pub person_id: Option<Id>,
    /// Only open requests with a running clock due on or before this day.
    pub due_by: Option<Date>,
}

/// What a change to a rights request needs from other records: the gate
/// looks these up first, so the transition itself stays pure.
#[derive(Debug, Clone, Default)]
pub struct RightsChangeContext {
    /// Who makes the change (a note is signed with it).
    pub username: String,
    /// For an assignment: the new owner's name, or none when no such account exists.
    pub assignee_name: Option<String>,
    /// For completing an access request: the release sent (id, SHA-256).
    pub sent_release: Option<(Id, String)>,
}

/// A date on or before today and on or after `not_before`; blank is today.
fn day(field: &str, value: &Option<String>, today: Date, not_before: Date, what: &str) -> Result<Date, FieldError> {
    let d = match value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today,
        Some(s) => validate::iso_date(field, s, what)?,
    };
    if d > today {
        return Err(FieldError::new(field, format!("{what} must be today or in the past")));
    }
    if d < not_before {
        return Err(FieldError::new(field, format!("{what} cannot be before {}", not_before.strftime("%-d %B %Y"))));
    }
    Ok(d)
}

impl RightsRequest {
    /// Applies one change on `today`: checks it against the request's state
    /// and the law's rules, changes the request, and says what happened in
    /// words for the audit trail. Pure: what it needs from other records
    /// comes in `cx`.
    pub fn apply(
        &mut self,
        change: &RightsChange,
        today: Date,
        calendar: &WorkingCalendar,
        cx: &RightsChangeContext,
    ) -> Result<String, FieldError> {
        let r = self;
        if !r.is_open() && !matches!(change, RightsChange::Note { .. }) {
            return Err(FieldError::new("change", format!("This request is {}", r.status.label().to_lowercase())));
        }
        Ok(match change {
            RightsChange::RequestIdentity { on, .. } => {
                if r.identity_status == IdentityStatus::Passed {
                    return Err(FieldError::new("change", "Identity has already been confirmed"));
                }
                if r.identity_requested_on.is_some() {
                    return Err(FieldError::new("change", "Proof of identity has already been asked for"));
                }
                let d = day("on", on, today, r.received_on, "The date proof of identity was asked for")?;
                r.identity_requested_on = Some(d);
                format!("Proof of identity asked for on {d}: the clock waits until it arrives")
            }
            RightsChange::IdentityPassed { method, on, .. } => {
                if r.identity_status == IdentityStatus::Passed {
                    return Err(FieldError::new("change", "Identity has already been confirmed"));
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
                    return Err(FieldError::new("change", "Clarification is already awaited; record its arrival first"));
                }
                // A later round may not start before the previous answer arrived.
                let not_before = r.clarification_received_on.unwrap_or(r.received_on);
                let d = day("on", on, today, not_before, "The date clarification was asked for")?;
                if r.clarification_received_on.is_some() {
                    // Fold the finished round into the earlier pauses before its dates are replaced.
                    if let ResponseClock::Running { paused_days, .. } = r.clock(calendar) {
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
                    return Err(FieldError::new("change", "No clarification is awaited"));
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
                    ));
                }
                let reason = long_text("reason", Some(reason), 2000, "why more time is needed")?;
                let ResponseClock::Running { one_month_due_on, .. } = r.clock(calendar) else {
                    return Err(FieldError::new(
                        "change",
                        "The clock is not running: record the identity or clarification that is awaited first",
                    ));
                };
                let told = day("told_on", told_on, today, r.received_on, "The date the requester was told")?;
                if told > one_month_due_on {
                    return Err(FieldError::new(
                        "told_on",
                        format!("The requester must be told within the first month, by {}", one_month_due_on.strftime("%-d %B %Y")),
                    ));
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
                    (RefusalGround::Exemption, None) => return Err(FieldError::new("exemption", "Name the exemption that applies")),
                    (RefusalGround::ManifestlyUnfounded | RefusalGround::ManifestlyExcessive, Some(_)) => {
                        return Err(FieldError::new("exemption", "Name an exemption only when refusing under one"))
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
                let name = cx.assignee_name.as_deref().ok_or_else(|| FieldError::new("owner_id", "No such staff account"))?;
                r.owner_id = Some(*owner_id);
                format!("Given to {name}")
            }
            RightsChange::Note { text, .. } => {
                let text = long_text("text", Some(text), 2000, "the note")?;
                let line = format!("{today} {}: {text}", cx.username);
                let notes = match r.notes.take() {
                    Some(n) => format!("{n}\n{line}"),
                    None => line,
                };
                if notes.chars().count() > 20_000 {
                    return Err(FieldError::new("text", "The notes are full; summarise them in the outcome"));
                }
                r.notes = Some(notes);
                format!("Note: {text}")
            }
            RightsChange::Complete { outcome, on, .. } => {
                if r.identity_status != IdentityStatus::Passed {
                    return Err(FieldError::new("change", "Confirm the requester's identity before answering the request"));
                }
                let outcome = long_text("outcome", Some(outcome), 4000, "what was done")?;
                let d = day("on", on, today, r.received_on, "The date the request was answered")?;
                // An access request records which released bundle was sent.
                let outcome = match (&cx.sent_release, r.kind) {
                    (Some((id, sha)), RightsRequestKind::Access) => format!("{outcome}\nSent: access bundle release {id} (SHA-256 {sha})"),
                    _ => outcome,
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
    pub fn version(&self) -> i64 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_kind_reads_as_words_with_the_right_article() {
        assert_eq!(RightsRequestKind::Access.request_words(), "an access request");
        assert_eq!(RightsRequestKind::Erasure.request_words(), "an erasure request");
        assert_eq!(RightsRequestKind::Rectification.request_words(), "a rectification request");
        assert_eq!(RightsRequestKind::AutomatedDecision.request_words(), "an automated decision-making request");
    }
    use jiff::civil::date;

    fn cal() -> WorkingCalendar {
        WorkingCalendar::england_and_wales()
    }

    fn due(received: Date, d: ClockDates) -> Option<Date> {
        response_clock(&cal(), received, &d).due_on()
    }

    fn plain(received: Date) -> ClockDates {
        ClockDates { received_on: Some(received), ..Default::default() }
    }

    #[test]
    fn one_calendar_month_to_the_corresponding_date_or_the_months_last_day() {
        // (received, due): weekends and bank holidays move the date on.
        let cases = [
            (date(2026, 9, 3), date(2026, 10, 5)),    // 3 Oct 2026 is a Saturday → Monday 5 Oct
            (date(2026, 9, 8), date(2026, 10, 8)),    // a Thursday: the corresponding date
            (date(2027, 1, 31), date(2027, 3, 1)),    // no 31 Feb: end of February (Sun 28 Feb 2027) → Monday 1 March
            (date(2026, 1, 31), date(2026, 3, 2)),    // end of February 2026 is Saturday 28th → Monday 2 March
            (date(2028, 1, 31), date(2028, 2, 29)),   // leap year: Tuesday 29 February 2028
            (date(2026, 3, 31), date(2026, 4, 30)),   // no 31 April: 30 April
            (date(2026, 4, 25), date(2026, 5, 26)),   // 25 May 2026 is the spring bank holiday → Tuesday
            (date(2026, 11, 25), date(2026, 12, 29)), // 25 Dec is Christmas Day, 28th the Boxing Day substitute
            (date(2026, 12, 1), date(2027, 1, 4)),    // 1 Jan is New Year's Day, then a weekend
            (date(2026, 3, 3), date(2026, 4, 7)),     // 3 April is Good Friday, then the weekend and Easter Monday
        ];
        for (received, want) in cases {
            assert_eq!(due(received, plain(received)), Some(want), "received {received}");
        }
    }

    #[test]
    fn the_clock_starts_when_requested_proof_of_identity_arrives() {
        let received = date(2026, 9, 8);
        let waiting = ClockDates { identity_requested_on: Some(date(2026, 9, 9)), ..plain(received) };
        assert_eq!(response_clock(&cal(), received, &waiting), ResponseClock::WaitingForIdentity { since: date(2026, 9, 9) });
        let arrived = ClockDates { identity_received_on: Some(date(2026, 9, 15)), ..waiting };
        assert_eq!(due(received, arrived), Some(date(2026, 10, 15)));
        // Identity confirmed without asking the person for proof: the clock ran from receipt.
        assert_eq!(due(received, ClockDates { identity_received_on: Some(date(2026, 9, 20)), ..plain(received) }), Some(date(2026, 10, 8)));
    }

    #[test]
    fn the_clock_stands_still_while_waiting_for_clarification_and_resumes() {
        let received = date(2026, 9, 8); // due 8 October if nothing stops the clock
        let asked = ClockDates { clarification_requested_on: Some(date(2026, 9, 10)), ..plain(received) };
        assert_eq!(
            response_clock(&cal(), received, &asked),
            ResponseClock::WaitingForClarification { since: date(2026, 9, 10), days_left: 28 }
        );
        // Ten days waiting: 8 October + 10 days = Sunday 18 October → Monday 19 October.
        let answered = ClockDates { clarification_received_on: Some(date(2026, 9, 20)), ..asked };
        match response_clock(&cal(), received, &answered) {
            ResponseClock::Running { paused_days, due_on, .. } => {
                assert_eq!(paused_days, 10);
                assert_eq!(due_on, date(2026, 10, 19));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_clarification_round_adds_its_pause() {
        let received = date(2026, 9, 8);
        // A first round of 10 days (folded) and a second of 5: 8 October + 15 days = Friday 23 October.
        let second = ClockDates {
            earlier_paused_days: 10,
            clarification_requested_on: Some(date(2026, 9, 25)),
            clarification_received_on: Some(date(2026, 9, 30)),
            ..plain(received)
        };
        match response_clock(&cal(), received, &second) {
            ResponseClock::Running { paused_days, due_on, .. } => {
                assert_eq!(paused_days, 15);
                assert_eq!(due_on, date(2026, 10, 23));
            }
            other => panic!("{other:?}"),
        }
        // While the second round is awaited the days left count the first pause: 18 October less 25 September.
        let waiting = ClockDates { clarification_received_on: None, ..second };
        assert_eq!(
            response_clock(&cal(), received, &waiting),
            ResponseClock::WaitingForClarification { since: date(2026, 9, 25), days_left: 23 }
        );
    }

    #[test]
    fn an_extension_adds_up_to_two_further_months() {
        let received = date(2026, 9, 8);
        assert_eq!(due(received, ClockDates { extension_months: 1, ..plain(received) }), Some(date(2026, 11, 9))); // Sunday 8 Nov → Monday
        assert_eq!(due(received, ClockDates { extension_months: 2, ..plain(received) }), Some(date(2026, 12, 8)));
        // 30 November + three months in all: there is no 30 February, so Sunday 28 February 2027 → Monday 1 March.
        assert_eq!(due(date(2026, 11, 30), ClockDates { extension_months: 2, ..plain(date(2026, 11, 30)) }), Some(date(2027, 3, 1)));
        match response_clock(&cal(), received, &ClockDates { extension_months: 2, ..plain(received) }) {
            ResponseClock::Running { one_month_due_on, .. } => assert_eq!(one_month_due_on, date(2026, 10, 8)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_work_list_sorts_requests_by_their_deadline() {
        let clock = response_clock(&cal(), date(2026, 9, 8), &plain(date(2026, 9, 8)));
        assert_eq!(work_state(&clock, true, date(2026, 9, 20)), WorkState::OnTrack);
        assert_eq!(work_state(&clock, true, date(2026, 10, 1)), WorkState::DueSoon);
        assert_eq!(work_state(&clock, true, date(2026, 10, 8)), WorkState::DueSoon);
        assert_eq!(work_state(&clock, true, date(2026, 10, 9)), WorkState::Overdue);
        assert_eq!(work_state(&clock, false, date(2026, 10, 9)), WorkState::Closed);
    }

    #[test]
    fn a_representative_must_be_named_with_their_relationship() {
        let today = date(2026, 9, 8);
        let input = RightsRequestInput {
            kind: Some("access".into()),
            person_id: Some(1),
            requester: Some("representative".into()),
            description: Some("A copy of everything".into()),
            ..Default::default()
        };
        let fields: Vec<_> = input.validate(today).unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["representative_name", "representative_relationship"]);
        let future = RightsRequestInput { received_on: Some("2026-09-09".into()), requester: None, ..input.clone() };
        assert_eq!(future.validate(today).unwrap_err().0[0].field, "received_on");
        let bad_kind = RightsRequestInput { kind: Some("gossip".into()), requester: None, ..input };
        assert_eq!(bad_kind.validate(today).unwrap_err().0[0].field, "kind");
    }

    // ---- the pure transition ----

    fn open_request(kind: RightsRequestKind) -> RightsRequest {
        RightsRequest {
            id: 1,
            reference: "SAR-1".into(),
            kind,
            person_id: 2,
            person_name: "Testy McTestface".into(),
            requester: RequesterKind::Person,
            representative_name: None,
            representative_relationship: None,
            representative_authority: None,
            description: "A copy of everything".into(),
            received_on: date(2026, 11, 2),
            identity_status: IdentityStatus::Pending,
            identity_method: None,
            identity_requested_on: None,
            identity_received_on: None,
            clarification_requested_on: None,
            clarification_received_on: None,
            clarification_rounds: 0,
            earlier_paused_days: 0,
            status: RightsRequestStatus::Open,
            owner_id: None,
            owner_name: None,
            notes: None,
            extension_months: 0,
            extension_ground: None,
            extension_reason: None,
            extension_told_on: None,
            refusal_ground: None,
            refusal_exemption: None,
            refusal_reason: None,
            refusal_letter: None,
            closed_on: None,
            outcome: None,
            due_on: None,
            channel: None,
            received_by: None,
            received_by_name: None,
            created_at: Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    fn change(v: serde_json::Value) -> RightsChange {
        serde_json::from_value(v).unwrap()
    }

    fn cx() -> RightsChangeContext {
        RightsChangeContext { username: "dpo".into(), ..Default::default() }
    }

    #[test]
    fn an_answer_needs_identity_first_and_records_the_release_sent() {
        let today = date(2026, 11, 20);
        let mut r = open_request(RightsRequestKind::Access);
        let complete = change(serde_json::json!({"change": "complete", "version": 1, "outcome": "Sent by post"}));
        let e = r.apply(&complete, today, &cal(), &cx()).unwrap_err();
        assert_eq!(e.field, "change");
        r.apply(&change(serde_json::json!({"change": "identity_passed", "version": 1, "method": "Passport seen"})), today, &cal(), &cx())
            .unwrap();
        let with_release = RightsChangeContext { sent_release: Some((7, "abc123".into())), ..cx() };
        let said = r.apply(&complete, today, &cal(), &with_release).unwrap();
        assert_eq!(r.status, RightsRequestStatus::Completed);
        assert_eq!(r.closed_on, Some(today));
        assert!(r.outcome.as_deref().unwrap().contains("release 7 (SHA-256 abc123)"), "{said}");
        // Closed: only a note may still be added, signed by who wrote it.
        let e = r.apply(&change(serde_json::json!({"change": "withdraw", "version": 2, "reason": "x"})), today, &cal(), &cx()).unwrap_err();
        assert_eq!(e.field, "change");
        r.apply(&change(serde_json::json!({"change": "note", "version": 2, "text": "Posted first class"})), today, &cal(), &cx()).unwrap();
        assert!(r.notes.as_deref().unwrap().ends_with("dpo: Posted first class"));
    }

    #[test]
    fn an_extension_must_be_told_within_the_first_month() {
        let mut r = open_request(RightsRequestKind::Access);
        let today = date(2026, 12, 20);
        let late = change(serde_json::json!({"change": "extend", "version": 1, "months": 1, "ground": "complex",
            "reason": "Many records across systems", "told_on": "2026-12-10"}));
        let e = r.apply(&late, today, &cal(), &cx()).unwrap_err();
        assert_eq!(e.field, "told_on");
        let in_time = change(serde_json::json!({"change": "extend", "version": 1, "months": 1, "ground": "complex",
            "reason": "Many records across systems", "told_on": "2026-11-30"}));
        r.apply(&in_time, today, &cal(), &cx()).unwrap();
        assert_eq!(r.extension_months, 1);
        let e = r.apply(&in_time, today, &cal(), &cx()).unwrap_err();
        assert_eq!(e.field, "months", "an extension only grows");
    }

    #[test]
    fn a_refusal_names_its_exemption_only_under_one_and_an_assignment_needs_an_account() {
        let today = date(2026, 11, 20);
        let mut r = open_request(RightsRequestKind::Erasure);
        let no_name = change(serde_json::json!({"change": "refuse", "version": 1, "ground": "exemption", "reason": "Legal claims"}));
        assert_eq!(r.apply(&no_name, today, &cal(), &cx()).unwrap_err().field, "exemption");
        let assign = change(serde_json::json!({"change": "assign", "version": 1, "owner_id": 9}));
        assert_eq!(r.apply(&assign, today, &cal(), &cx()).unwrap_err().field, "owner_id");
        let named = RightsChangeContext { assignee_name: Some("Data Protection Officer".into()), ..cx() };
        assert_eq!(r.apply(&assign, today, &cal(), &named).unwrap(), "Given to Data Protection Officer");
        let refuse = change(serde_json::json!({"change": "refuse", "version": 1, "ground": "exemption", "reason": "Legal claims",
            "exemption": "DPA 2018 Sch. 2 para 5"}));
        r.apply(&refuse, today, &cal(), &cx()).unwrap();
        assert_eq!(r.status, RightsRequestStatus::Refused);
        assert!(r.refusal_letter.as_deref().unwrap().contains("Information Commissioner"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_date() -> impl Strategy<Value = Date> {
        // 2024–2028: the years the shipped bank-holiday list covers, and then some.
        (0i32..(5 * 366)).prop_map(|n| jiff::civil::date(2024, 1, 1) + n.days())
    }

    proptest! {
        #[test]
        fn the_deadline_never_precedes_receipt(
            received in any_date(),
            id_after in proptest::option::of(0i32..60),
            clar in proptest::option::of((0i32..40, 0i32..40)),
            earlier in 0i32..60,
            ext in 0u8..=2,
        ) {
            let cal = WorkingCalendar::england_and_wales();
            let d = ClockDates {
                received_on: Some(received),
                identity_requested_on: id_after.map(|_| received),
                identity_received_on: id_after.map(|n| received + n.days()),
                clarification_requested_on: clar.map(|(a, _)| received + a.days()),
                clarification_received_on: clar.map(|(a, b)| received + (a + b).days()),
                earlier_paused_days: earlier,
                extension_months: ext,
            };
            let clock = response_clock(&cal, received, &d);
            let ResponseClock::Running { due_on, one_month_due_on, started_on, .. } = clock else {
                return Err(TestCaseError::fail(format!("clock should run: {clock:?}")));
            };
            prop_assert!(due_on > received);
            prop_assert!(due_on >= corresponding_date(started_on, 1));
            prop_assert!(due_on >= one_month_due_on);
            prop_assert!(cal.is_working_day(due_on));
            // An extension never brings the deadline forward.
            let shorter = response_clock(&cal, received, &ClockDates { extension_months: 0, ..d }).due_on().unwrap();
            prop_assert!(due_on >= shorter);
        }
    }
}

crate::classify! { RightsRequest as "rights_request" {
    keep: id, reference, kind, person_id, requester, representative_relationship, received_on, identity_status,
        identity_requested_on, identity_received_on, clarification_requested_on, clarification_received_on, clarification_rounds,
        earlier_paused_days, status, owner_id, owner_name, extension_months, extension_ground, extension_told_on, refusal_ground,
        refusal_exemption, closed_on, due_on, channel, received_by, received_by_name, created_at, version;
    person_name: Name, representative_name: Name, representative_authority: FreeText, description: FreeText, identity_method: FreeText,
    notes: FreeText, extension_reason: FreeText, refusal_reason: FreeText, refusal_letter: FreeText, outcome: FreeText,
} }
