//! Cases: ASB, safeguarding, complaints, care and support, repair jobs and
//! tenancy management. A case's kind fixes its compartment (who may see it);
//! its status moves along a lifecycle set by the kind; closing it records an
//! outcome and starts its retention clock. Complaint deadlines follow the
//! Housing Ombudsman's Complaint Handling Code, counted in working days.

use crate::calendar::WorkingCalendar;
use crate::{
    access::Compartment,
    error::{FieldError, ValidationErrors},
    staff::StaffRole,
    validate, Id,
};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    CaseKind {
        Asb => "asb" / "Anti-social behaviour",
        Safeguarding => "safeguarding" / "Safeguarding",
        Complaint => "complaint" / "Complaint",
        CareSupport => "care_support" / "Care and support",
        Repair => "repair" / "Repair job",
        TenancyManagement => "tenancy_management" / "Tenancy management",
    }
}

impl CaseKind {
    /// The compartment is set by the kind and never changes.
    pub fn compartment(self) -> Compartment {
        match self {
            CaseKind::Asb => Compartment::Asb,
            CaseKind::Safeguarding => Compartment::Safeguarding,
            CaseKind::Complaint => Compartment::Complaints,
            CaseKind::CareSupport => Compartment::Care,
            CaseKind::Repair => Compartment::Repairs,
            CaseKind::TenancyManagement => Compartment::Tenancy,
        }
    }

    /// The error when no kind, or no kind we know, was chosen.
    pub fn choose_message() -> String {
        let kinds: Vec<_> = CaseKind::ALL.iter().map(|k| k.label().to_lowercase()).collect();
        format!("Choose what kind of case this is: {}", kinds.join(", "))
    }

    pub fn reference_prefix(self) -> &'static str {
        match self {
            CaseKind::Asb => "ASB",
            CaseKind::Safeguarding => "SG",
            CaseKind::Complaint => "CMP",
            CaseKind::CareSupport => "CS",
            CaseKind::Repair => "REP",
            CaseKind::TenancyManagement => "TM",
        }
    }

    /// Where a new case of this kind starts.
    pub fn first_status(self) -> CaseStatus {
        match self {
            CaseKind::Complaint => CaseStatus::Stage1Received,
            CaseKind::Repair => CaseStatus::Reported,
            _ => CaseStatus::Open,
        }
    }

    /// The statuses a case of this kind may move to from `from` (closing is separate).
    pub fn next_statuses(self, from: CaseStatus) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match (self, from) {
            (CaseKind::Complaint, Stage1Received) => &[Stage1Acknowledged],
            (CaseKind::Complaint, Stage1Acknowledged) => &[Stage1Responded],
            (CaseKind::Complaint, Stage1Responded) => &[Stage2Received],
            (CaseKind::Complaint, Stage2Received) => &[Stage2Acknowledged],
            (CaseKind::Complaint, Stage2Acknowledged) => &[Stage2Responded],
            (CaseKind::Complaint, Stage2Responded) => &[EscalatedToOmbudsman],
            (CaseKind::Repair, Reported) => &[Scheduled],
            (CaseKind::Repair, Scheduled) => &[NoAccess, Completed],
            (CaseKind::Repair, NoAccess) => &[Scheduled],
            (CaseKind::Complaint | CaseKind::Repair, _) => &[],
            (_, Open) => &[InProgress],
            (_, InProgress) => &[],
            _ => &[],
        }
    }

    pub fn outcomes(self) -> &'static [CaseOutcome] {
        use CaseOutcome::*;
        match self {
            CaseKind::Complaint => &[Upheld, PartlyUpheld, NotUpheld, Withdrawn],
            CaseKind::Repair => &[Completed, Cancelled],
            CaseKind::Asb => &[Resolved, NoFurtherAction, LegalAction, Referred, Withdrawn],
            _ => &[Resolved, NoFurtherAction, Referred, Withdrawn],
        }
    }
}

crate::vocabulary! {
    CaseStatus {
        Open => "open" / "Open",
        InProgress => "in_progress" / "In progress",
        Stage1Received => "stage1_received" / "Stage 1: received",
        Stage1Acknowledged => "stage1_acknowledged" / "Stage 1: acknowledged",
        Stage1Responded => "stage1_responded" / "Stage 1: responded",
        Stage2Received => "stage2_received" / "Stage 2: received",
        Stage2Acknowledged => "stage2_acknowledged" / "Stage 2: acknowledged",
        Stage2Responded => "stage2_responded" / "Stage 2: responded",
        EscalatedToOmbudsman => "escalated_to_ombudsman" / "With the Housing Ombudsman",
        Reported => "reported" / "Reported",
        Scheduled => "scheduled" / "Appointment booked",
        NoAccess => "no_access" / "No access",
        Completed => "completed" / "Completed",
        Closed => "closed" / "Closed",
    }
}

crate::vocabulary! {
    CaseOutcome {
        Resolved => "resolved" / "Resolved",
        NoFurtherAction => "no_further_action" / "No further action",
        LegalAction => "legal_action" / "Legal action taken",
        Referred => "referred" / "Referred to another agency",
        Withdrawn => "withdrawn" / "Withdrawn",
        Upheld => "upheld" / "Upheld",
        PartlyUpheld => "partly_upheld" / "Partly upheld",
        NotUpheld => "not_upheld" / "Not upheld",
        Completed => "completed" / "Completed",
        Cancelled => "cancelled" / "Cancelled",
    }
}

crate::vocabulary! {
    PartyRole {
        Complainant => "complainant" / "Complainant",
        Reporter => "reporter" / "Reporter",
        AllegedPerpetrator => "alleged_perpetrator" / "Alleged perpetrator",
        Witness => "witness" / "Witness",
        Victim => "victim" / "Victim",
        Subject => "subject" / "Subject",
        Household => "household" / "Household member",
    }
}

crate::vocabulary! {
    CasePriority {
        Emergency => "emergency" / "Emergency",
        Urgent => "urgent" / "Urgent",
        Routine => "routine" / "Routine",
    }
}

crate::vocabulary! {
    Trade {
        Plumbing => "plumbing" / "Plumbing",
        Electrical => "electrical" / "Electrical",
        Heating => "heating" / "Heating",
        Carpentry => "carpentry" / "Carpentry",
        Roofing => "roofing" / "Roofing",
        DampAndMould => "damp_and_mould" / "Damp and mould",
        General => "general" / "General repairs",
    }
}

/// Working-day limits from the Complaint Handling Code, held as configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintCode {
    pub stage1_acknowledge_days: u32,
    pub stage1_respond_days: u32,
    pub stage2_acknowledge_days: u32,
    pub stage2_respond_days: u32,
    pub max_extension_days: u32,
}

pub const COMPLAINT_CODE_JSON: &str = include_str!("../../../config/complaint-handling-code.json");

impl Default for ComplaintCode {
    fn default() -> Self {
        #[derive(Deserialize)]
        struct File {
            stage1_acknowledge_days: u32,
            stage1_respond_days: u32,
            stage2_acknowledge_days: u32,
            stage2_respond_days: u32,
            max_extension_days: u32,
        }
        let f: File = serde_json_lite(COMPLAINT_CODE_JSON);
        ComplaintCode {
            stage1_acknowledge_days: f.stage1_acknowledge_days,
            stage1_respond_days: f.stage1_respond_days,
            stage2_acknowledge_days: f.stage2_acknowledge_days,
            stage2_respond_days: f.stage2_respond_days,
            max_extension_days: f.max_extension_days,
        }
    }
}

/// The shipped file has five integer fields; read them without a JSON crate
/// so the domain keeps no dependencies beyond serde's derive.
fn serde_json_lite<T: for<'de> Deserialize<'de>>(text: &str) -> T {
    let mut map = std::collections::BTreeMap::new();
    for part in text.trim().trim_start_matches('{').trim_end_matches('}').split(',') {
        if let Some((k, v)) = part.split_once(':') {
            let (k, v) = (k.trim().trim_matches('"'), v.trim());
            if let Ok(n) = v.parse::<u32>() {
                map.insert(k.to_string(), n);
            }
        }
    }
    T::deserialize(serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(map.into_iter()))
        .expect("complaint code config has its fields")
}

/// When a complaint stage's acknowledgement and response are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageDeadlines {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub acknowledge_by: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub respond_by: Date,
}

impl ComplaintCode {
    /// Deadlines for a stage received on `received`: acknowledge within N
    /// working days; respond within M working days of the acknowledgement
    /// (of its due date until it happens), plus any extension.
    pub fn deadlines(
        &self,
        cal: &WorkingCalendar,
        stage: u8,
        received: Date,
        acknowledged: Option<Date>,
        extension_days: u32,
    ) -> StageDeadlines {
        let (ack, respond) = if stage == 2 {
            (self.stage2_acknowledge_days, self.stage2_respond_days)
        } else {
            (self.stage1_acknowledge_days, self.stage1_respond_days)
        };
        let acknowledge_by = cal.add_working_days(received, ack);
        let from = acknowledged.unwrap_or(acknowledge_by);
        StageDeadlines { acknowledge_by, respond_by: cal.add_working_days(from, respond + extension_days) }
    }
}

/// A case as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    pub id: Id,
    pub reference: String,
    pub kind: CaseKind,
    pub compartment: Compartment,
    pub status: CaseStatus,
    pub priority: CasePriority,
    pub summary: String,
    pub assigned_to: Option<Id>,
    pub team: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub opened_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due_date: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    pub outcome: Option<CaseOutcome>,
    pub outcome_note: Option<String>,
    pub remedy: Option<String>,
    /// The day the retention clock starts (the day the case closed).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub retention_from: Option<Date>,
    /// Outcome measures kept for the equality dashboards.
    pub days_to_complete: Option<i64>,
    pub upheld: Option<bool>,
    // complaints
    pub stage: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub stage_received_on: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub acknowledged_on: Option<Date>,
    pub extension_days: i64,
    pub extension_reason: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub ombudsman_escalated_on: Option<Date>,
    // repairs
    pub trade: Option<Trade>,
    pub property_id: Option<Id>,
    pub contractor_id: Option<Id>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub window_start: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub window_end: Option<Timestamp>,
    pub no_access_visits: i64,
    pub version: i64,
}

impl Case {
    pub fn is_closed(&self) -> bool {
        self.closed_at.is_some()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseInput {
    pub kind: Option<String>,
    pub summary: Option<String>,
    pub priority: Option<String>,
    pub due_date: Option<String>,
    /// Staff account id of the officer to assign.
    pub assigned_to: Option<Id>,
    pub team: Option<String>,
    /// Complaints: the day the complaint was received (default today).
    pub received_on: Option<String>,
    /// Repairs.
    pub trade: Option<String>,
    pub property_id: Option<Id>,
    pub parties: Option<Vec<PartyInput>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyInput {
    pub person_id: Option<Id>,
    pub role: Option<String>,
    /// A reporter may ask to stay anonymous: recorded, never shown in the case.
    pub anonymous: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseFields {
    pub kind: CaseKind,
    pub summary: String,
    pub priority: CasePriority,
    pub due_date: Option<Date>,
    pub assigned_to: Option<Id>,
    pub team: Option<String>,
    pub received_on: Option<Date>,
    pub trade: Option<Trade>,
    pub property_id: Option<Id>,
    pub parties: Vec<PartyFields>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PartyFields {
    pub person_id: Id,
    pub role: PartyRole,
    pub anonymous: bool,
}

impl PartyInput {
    pub fn validate(&self, at: &str) -> Result<PartyFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let person_id = errs.check(self.person_id.ok_or_else(|| FieldError::new(format!("{at}person_id"), "Choose the person")));
        let role = errs.check(
            PartyRole::parse(self.role.as_deref().unwrap_or("").trim())
                .ok_or_else(|| FieldError::new(format!("{at}role"), "Choose the party's role")),
        );
        let anonymous = self.anonymous.unwrap_or(false);
        if anonymous && role.is_some_and(|r| r != PartyRole::Reporter) {
            errs.push(FieldError::new(format!("{at}anonymous"), "Only a reporter can be anonymous"));
        }
        errs.into_result()?;
        Ok(PartyFields { person_id: person_id.expect("checked"), role: role.expect("checked"), anonymous })
    }
}

impl CaseInput {
    pub fn validate(&self, today: Date) -> Result<CaseFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let kind = errs.check(
            CaseKind::parse(self.kind.as_deref().unwrap_or("").trim()).ok_or_else(|| FieldError::new("kind", CaseKind::choose_message())),
        );
        let summary = errs.check(crate::validate::name("summary", self.summary.as_deref().unwrap_or(""), "summary").and_then(|s| {
            if s.chars().count() > 2000 {
                Err(FieldError::new("summary", "The summary must be 2,000 characters or fewer"))
            } else {
                Ok(s)
            }
        }));
        let priority = match self.priority.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => Some(CasePriority::Routine),
            Some(p) => errs
                .check(CasePriority::parse(p).ok_or_else(|| FieldError::new("priority", "Priority must be emergency, urgent or routine"))),
        };
        let due_date = crate::people::optional_date(&mut errs, "due_date", self.due_date.as_deref(), "Due date");
        let received_on = crate::people::optional_date(&mut errs, "received_on", self.received_on.as_deref(), "Date received");
        if received_on.is_some_and(|d| d > today) {
            errs.push(FieldError::new("received_on", "Date received must be today or in the past"));
        }
        let team = errs.check(crate::validate::optional_text("team", self.team.as_deref(), 100, "team")).flatten();
        let trade = match self.trade.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => errs.check(Trade::parse(t).ok_or_else(|| FieldError::new("trade", "Choose a trade"))),
        };
        if kind == Some(CaseKind::Repair) {
            if trade.is_none() && !errs.0.iter().any(|e| e.field == "trade") {
                errs.push(FieldError::new("trade", "Choose a trade for the repair"));
            }
            if self.property_id.is_none() {
                errs.push(FieldError::new("property_id", "Choose the property to be repaired"));
            }
        } else if trade.is_some() {
            errs.push(FieldError::new("trade", "Only a repair job has a trade"));
        }
        let mut parties = vec![];
        for (i, p) in self.parties.iter().flatten().enumerate() {
            match p.validate(&format!("parties[{i}].")) {
                Ok(f) => parties.push(f),
                Err(e) => errs.0.extend(e.0),
            }
        }
        errs.into_result()?;
        Ok(CaseFields {
            kind: kind.expect("checked"),
            summary: summary.expect("checked"),
            priority: priority.expect("checked"),
            due_date,
            assigned_to: self.assigned_to,
            team,
            received_on,
            trade,
            property_id: self.property_id,
            parties,
        })
    }
}

/// A party as the case shows it: an anonymous reporter has no name or id.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseParty {
    pub id: Id,
    pub role: PartyRole,
    pub anonymous: bool,
    pub person_id: Option<Id>,
    pub name: String,
    /// Set only for the reader an approved override lets see this
    /// anonymous reporter: the override's id.
    pub revealed_under: Option<Id>,
}

/// One entry on a case's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    pub id: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub by_username: String,
    /// opened, assigned, status, note, contact, extended, closed, …
    pub kind: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub assigned_to: Option<Id>,
    pub open_only: bool,
    pub kind: Option<CaseKind>,
    pub person_id: Option<Id>,
    /// With `person_id`: also the cases the person reported anonymously. Only
    /// for the person's own record; every other list leaves them out, so a
    /// list filtered by person cannot point at an anonymous reporter.
    pub with_anonymous_reports: bool,
    /// Any of these references (a picker's search); empty is no filter.
    pub references: Vec<String>,
}

/// The references a typed case reference may mean: "asb-12" is `ASB-000012`,
/// and a bare number is that case under every kind's prefix.
pub fn references_for(text: &str) -> Vec<String> {
    let t = text.trim().to_uppercase();
    let (prefix, digits) = match t.rsplit_once(['-', ' ']) {
        Some((p, d)) => (Some(p.trim().to_string()), d.trim().to_string()),
        None => (None, t.clone()),
    };
    let Ok(n) = digits.parse::<u64>() else { return vec![] };
    CaseKind::ALL
        .iter()
        .map(|k| k.reference_prefix())
        .filter(|p| prefix.as_deref().is_none_or(|want| want == *p))
        .map(|p| format!("{p}-{n:06}"))
        .collect()
}

/// What a change to a case needs from other records and configuration: the
/// gate looks these up first, so the transition itself stays pure. Free
/// text it writes is checked against anonymous reporters by the gate after.
#[derive(Debug, Clone)]
pub struct CaseChangeContext {
    /// For an assignment: the new assignee's name, if the account exists.
    pub assignee: Option<String>,
    /// For an assignment: the current assignee's name, if there is one.
    pub current_assignee: Option<String>,
    /// For scheduling a repair: the contractor's name and role, if the account exists.
    pub contractor: Option<(String, StaffRole)>,
    /// The complaint handling code's limit on extensions per stage.
    pub max_extension_days: u32,
    /// The day (UK time) the case was opened.
    pub opened_on: Date,
}

impl Case {
    /// Validates and applies `change` on `today`; returns the timeline entry
    /// (kind, text). Pure: what it needs from other records and from
    /// configuration comes in `cx`.
    pub fn apply(
        &mut self,
        change: &CaseChange,
        today: Date,
        now: Timestamp,
        cx: &CaseChangeContext,
    ) -> Result<(&'static str, String), FieldError> {
        let c = self;
        let on_date = |on: &Option<String>| -> Result<Date, FieldError> {
            match on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(today),
                Some(s) => Ok(validate::iso_date("on", s, "Date")?),
            }
        };
        Ok(match change {
            CaseChange::Assign { assigned_to, team, .. } => {
                let Some(to) = &cx.assignee else {
                    return Err(FieldError::new("assigned_to", "No such staff account"));
                };
                c.assigned_to = Some(*assigned_to);
                if let Some(t) = team {
                    c.team = validate::optional_text("team", Some(t), 100, "team")?;
                }
                (
                    "assigned",
                    // Staff are named, never numbered: the line outlives any change to the account.
                    format!("Reassigned from {} to {to}", cx.current_assignee.as_deref().unwrap_or("nobody")),
                )
            }
            CaseChange::Status { status, on, .. } => {
                let to = CaseStatus::parse(status.trim()).ok_or_else(|| FieldError::new("status", "Unknown status"))?;
                if !c.kind.next_statuses(c.status).contains(&to) {
                    let next: Vec<_> = c.kind.next_statuses(c.status).iter().map(|s| s.as_str()).collect();
                    return Err(FieldError::new(
                        "status",
                        format!(
                            "A {} case cannot go from {} to {}; next can be: {}",
                            c.kind.label().to_lowercase(),
                            c.status,
                            to,
                            if next.is_empty() { "nothing (close it)".into() } else { next.join(", ") }
                        ),
                    ));
                }
                let day = on_date(on)?;
                match to {
                    CaseStatus::Stage1Acknowledged | CaseStatus::Stage2Acknowledged => c.acknowledged_on = Some(day),
                    CaseStatus::Stage2Received => {
                        c.stage = Some(2);
                        c.stage_received_on = Some(day);
                        c.acknowledged_on = None;
                        c.extension_days = 0;
                        c.extension_reason = None;
                    }
                    CaseStatus::EscalatedToOmbudsman => c.ombudsman_escalated_on = Some(day),
                    CaseStatus::Scheduled if c.window_start.is_none() => {
                        return Err(FieldError::new("status", "Book the contractor and window with a schedule change"))
                    }
                    CaseStatus::NoAccess => c.no_access_visits += 1,
                    _ => {}
                }
                c.status = to;
                ("status", format!("{} on {day}", to.label()))
            }
            CaseChange::Extend { days, reason, .. } => {
                if c.kind != CaseKind::Complaint {
                    return Err(FieldError::new("change", "Only a complaint's deadline can be extended"));
                }
                if *days == 0 || c.extension_days as u32 + days > cx.max_extension_days {
                    return Err(FieldError::new(
                        "days",
                        format!("Extensions total at most {} working days per stage", cx.max_extension_days),
                    ));
                }
                let reason = validate::name("reason", reason, "reason for the extension")?;
                c.extension_days += *days as i64;
                c.extension_reason = Some(reason.clone());
                ("extended", format!("Response deadline extended by {days} working days: {reason}"))
            }
            CaseChange::Schedule { contractor_id, window_start, window_end, .. } => {
                if c.kind != CaseKind::Repair {
                    return Err(FieldError::new("change", "Only a repair job is scheduled"));
                }
                let Some((contractor_name, contractor_role)) = &cx.contractor else {
                    return Err(FieldError::new("contractor_id", "No such contractor"));
                };
                if *contractor_role != StaffRole::Contractor {
                    return Err(FieldError::new("contractor_id", "That account is not a contractor"));
                }
                let start: Timestamp = window_start
                    .parse()
                    .map_err(|_| FieldError::new("window_start", "Give the start as a date and time, like 2026-11-24T09:00:00Z"))?;
                let end: Timestamp = window_end
                    .parse()
                    .map_err(|_| FieldError::new("window_end", "Give the end as a date and time, like 2026-11-24T13:00:00Z"))?;
                if end <= start {
                    return Err(FieldError::new("window_end", "The window must end after it starts"));
                }
                c.contractor_id = Some(*contractor_id);
                c.window_start = Some(start);
                c.window_end = Some(end);
                if matches!(c.status, CaseStatus::Reported | CaseStatus::NoAccess) {
                    c.status = CaseStatus::Scheduled;
                }
                ("scheduled", format!("Booked {contractor_name} from {} to {}", uk_time(start), uk_time(end)))
            }
            CaseChange::Note { kind, text, .. } => {
                let text = validate::name("text", text, "note")?;
                let kind = match kind.as_deref().unwrap_or("note") {
                    "contact" => "contact",
                    "note" => "note",
                    _ => return Err(FieldError::new("kind", "A timeline entry is a note or a contact")),
                };
                (kind, text)
            }
            CaseChange::Close { outcome, note, remedy, .. } => {
                let outcome = CaseOutcome::parse(outcome.trim()).filter(|o| c.kind.outcomes().contains(o)).ok_or_else(|| {
                    let allowed: Vec<_> = c.kind.outcomes().iter().map(|o| o.label().to_lowercase()).collect();
                    FieldError::new("outcome", format!("Choose how the case ended: {}", allowed.join(", ")))
                })?;
                c.outcome = Some(outcome);
                c.outcome_note = validate::optional_text("note", note.as_deref(), 2000, "note")?;
                c.remedy = validate::optional_text("remedy", remedy.as_deref(), 2000, "remedy")?;
                c.closed_at = Some(now);
                c.retention_from = Some(today);
                c.status = CaseStatus::Closed;
                let opened = cx.opened_on;
                c.days_to_complete = Some(opened.until(today).map(|s| s.get_days() as i64).unwrap_or(0));
                c.upheld = match outcome {
                    CaseOutcome::Upheld | CaseOutcome::PartlyUpheld => Some(true),
                    CaseOutcome::NotUpheld => Some(false),
                    _ => None,
                };
                ("closed", format!("Closed: {}", outcome.label()))
            }
        })
    }
}

/// A change to a case, sent with the version it was based on.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum CaseChange {
    /// Assign (or reassign) the case to a staff account.
    Assign { version: i64, assigned_to: Id, team: Option<String> },
    /// Move along the kind's lifecycle, e.g. `stage1_acknowledged`; `on` defaults to today.
    Status { version: i64, status: String, on: Option<String> },
    /// Complaints: extend the response deadline by working days, with the reason.
    Extend { version: i64, days: u32, reason: String },
    /// Repairs: book the contractor and the appointment window.
    Schedule { version: i64, contractor_id: Id, window_start: String, window_end: String },
    /// Log a contact or a note on the timeline.
    Note { version: i64, kind: Option<String>, text: String },
    /// Close with an outcome; starts the retention clock.
    Close { version: i64, outcome: String, note: Option<String>, remedy: Option<String> },
}

impl CaseChange {
    pub fn version(&self) -> i64 {
        match self {
            CaseChange::Assign { version, .. }
            | CaseChange::Status { version, .. }
            | CaseChange::Extend { version, .. }
            | CaseChange::Schedule { version, .. }
            | CaseChange::Note { version, .. }
            | CaseChange::Close { version, .. } => *version,
        }
    }
}

/// A moment as the timeline reads it in the UK: "24 November 2026, 09:00 GMT"
/// (UTC where the time-zone database is missing, and then it says so).
fn uk_time(t: Timestamp) -> String {
    let zone = jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC);
    t.to_zoned_datetime(zone).strftime("%-d %B %Y, %H:%M %Z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn kind_fixes_the_compartment() {
        assert_eq!(CaseKind::Safeguarding.compartment(), Compartment::Safeguarding);
        assert_eq!(CaseKind::Complaint.compartment(), Compartment::Complaints);
        assert_eq!(CaseKind::Repair.compartment(), Compartment::Repairs);
    }

    #[test]
    fn shipped_complaint_code_has_the_ombudsman_limits() {
        assert_eq!(
            ComplaintCode::default(),
            ComplaintCode {
                stage1_acknowledge_days: 5,
                stage1_respond_days: 10,
                stage2_acknowledge_days: 5,
                stage2_respond_days: 20,
                max_extension_days: 10
            }
        );
    }

    #[test]
    fn complaint_deadlines_count_working_days_with_bank_holidays() {
        let cal = WorkingCalendar::england_and_wales();
        let code = ComplaintCode::default();
        // (stage, received, acknowledged, extension, acknowledge_by, respond_by)
        let cases = [
            (1, date(2026, 11, 23), None, 0, date(2026, 11, 30), date(2026, 12, 14)),
            (1, date(2026, 11, 23), Some(date(2026, 11, 24)), 0, date(2026, 11, 30), date(2026, 12, 8)),
            (1, date(2026, 12, 18), None, 0, date(2026, 12, 29), date(2027, 1, 13)), // Christmas, Boxing Day substitute, New Year
            (2, date(2026, 3, 30), None, 0, date(2026, 4, 8), date(2026, 5, 7)),     // Easter, then the early May bank holiday
            (1, date(2026, 11, 23), Some(date(2026, 11, 24)), 5, date(2026, 11, 30), date(2026, 12, 15)),
        ];
        for (stage, received, ack, ext, ack_by, respond_by) in cases {
            let d = code.deadlines(&cal, stage, received, ack, ext);
            assert_eq!((d.acknowledge_by, d.respond_by), (ack_by, respond_by), "stage {stage} received {received} ack {ack:?} ext {ext}");
        }
    }

    #[test]
    fn lifecycles_follow_the_kind() {
        assert_eq!(CaseKind::Complaint.first_status(), CaseStatus::Stage1Received);
        assert_eq!(CaseKind::Complaint.next_statuses(CaseStatus::Stage1Received), &[CaseStatus::Stage1Acknowledged]);
        assert_eq!(CaseKind::Repair.next_statuses(CaseStatus::Scheduled), &[CaseStatus::NoAccess, CaseStatus::Completed]);
        assert_eq!(CaseKind::Asb.next_statuses(CaseStatus::Open), &[CaseStatus::InProgress]);
        assert!(CaseKind::Asb.next_statuses(CaseStatus::Stage1Received).is_empty());
    }

    #[test]
    fn only_a_reporter_can_be_anonymous_and_repairs_need_a_trade() {
        let today = date(2026, 11, 23);
        let input = CaseInput {
            kind: Some("asb".into()),
            summary: Some("Noise at night".into()),
            parties: Some(vec![PartyInput { person_id: Some(1), role: Some("witness".into()), anonymous: Some(true) }]),
            ..Default::default()
        };
        assert_eq!(input.validate(today).unwrap_err().0[0].field, "parties[0].anonymous");
        let repair = CaseInput { kind: Some("repair".into()), summary: Some("Leak".into()), property_id: Some(1), ..Default::default() };
        assert_eq!(repair.validate(today).unwrap_err().0[0].field, "trade");
    }

    // ---- the pure transition ----

    fn complaint(today: Date) -> Case {
        Case {
            id: 1,
            reference: "CMP-1".into(),
            kind: CaseKind::Complaint,
            compartment: Compartment::Complaints,
            status: CaseStatus::Stage1Received,
            priority: CasePriority::Routine,
            summary: "Repair not done".into(),
            assigned_to: None,
            team: None,
            opened_at: Timestamp::UNIX_EPOCH,
            due_date: Some(today),
            closed_at: None,
            outcome: None,
            outcome_note: None,
            remedy: None,
            retention_from: None,
            days_to_complete: None,
            upheld: None,
            stage: Some(1),
            stage_received_on: Some(today),
            acknowledged_on: None,
            extension_days: 0,
            extension_reason: None,
            ombudsman_escalated_on: None,
            trade: None,
            property_id: None,
            contractor_id: None,
            window_start: None,
            window_end: None,
            no_access_visits: 0,
            version: 1,
        }
    }

    fn cx(opened_on: Date) -> CaseChangeContext {
        CaseChangeContext { assignee: None, current_assignee: None, contractor: None, max_extension_days: 10, opened_on }
    }

    fn change(v: serde_json::Value) -> CaseChange {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_complaint_moves_only_to_its_next_stage_and_extends_within_the_code() {
        let today = jiff::civil::date(2026, 11, 20);
        let mut c = complaint(today);
        let skip = change(serde_json::json!({"change": "status", "version": 1, "status": "stage1_responded"}));
        assert_eq!(c.apply(&skip, today, Timestamp::UNIX_EPOCH, &cx(today)).unwrap_err().field, "status");
        let ack = change(serde_json::json!({"change": "status", "version": 1, "status": "stage1_acknowledged"}));
        c.apply(&ack, today, Timestamp::UNIX_EPOCH, &cx(today)).unwrap();
        assert_eq!((c.status, c.acknowledged_on), (CaseStatus::Stage1Acknowledged, Some(today)));
        let too_long = change(serde_json::json!({"change": "extend", "version": 2, "days": 11, "reason": "Waiting for a surveyor"}));
        assert_eq!(c.apply(&too_long, today, Timestamp::UNIX_EPOCH, &cx(today)).unwrap_err().field, "days");
        let ok = change(serde_json::json!({"change": "extend", "version": 2, "days": 10, "reason": "Waiting for a surveyor"}));
        c.apply(&ok, today, Timestamp::UNIX_EPOCH, &cx(today)).unwrap();
        assert_eq!(c.extension_days, 10);
    }

    #[test]
    fn closing_records_the_outcome_and_the_days_taken_and_assigning_needs_an_account() {
        let opened = jiff::civil::date(2026, 11, 1);
        let today = jiff::civil::date(2026, 11, 20);
        let mut c = complaint(today);
        let assign = change(serde_json::json!({"change": "assign", "version": 1, "assigned_to": 5}));
        assert_eq!(c.apply(&assign, today, Timestamp::UNIX_EPOCH, &cx(opened)).unwrap_err().field, "assigned_to");
        let named =
            CaseChangeContext { assignee: Some("Kit Caseworker".into()), current_assignee: Some("Ash Officer".into()), ..cx(opened) };
        let (kind, line) = c.apply(&assign, today, Timestamp::UNIX_EPOCH, &named).unwrap();
        assert_eq!((kind, line.as_str(), c.assigned_to), ("assigned", "Reassigned from Ash Officer to Kit Caseworker", Some(5)));
        let wrong = change(serde_json::json!({"change": "close", "version": 1, "outcome": "legal_action"}));
        assert_eq!(c.apply(&wrong, today, Timestamp::UNIX_EPOCH, &cx(opened)).unwrap_err().field, "outcome");
        let close = change(serde_json::json!({"change": "close", "version": 1, "outcome": "partly_upheld", "remedy": "An apology"}));
        c.apply(&close, today, Timestamp::UNIX_EPOCH, &cx(opened)).unwrap();
        assert_eq!((c.status, c.upheld, c.days_to_complete), (CaseStatus::Closed, Some(true), Some(19)));
        assert_eq!(c.retention_from, Some(today));
    }
}

crate::classify! { Case as "case" {
    keep: id, reference, kind, compartment, status, priority, assigned_to, team, opened_at, due_date, closed_at, outcome,
        retention_from, days_to_complete, upheld, stage, stage_received_on, acknowledged_on, extension_days,
        ombudsman_escalated_on, trade, property_id, contractor_id, window_start, window_end, no_access_visits, version;
    summary: FreeText, outcome_note: FreeText, remedy: FreeText, extension_reason: FreeText,
} }

impl crate::classes::Classified for CaseParty {
    const RECORD: &'static str = "case_party";
    /// An anonymous reporter's `person_id` and `name` are of class
    /// `reporter_identity` (unless an approved override revealed them to
    /// this reader); another party's name is a `name`.
    const FIELDS: &'static [(&'static str, Option<crate::classes::DataClass>)] = &[
        ("id", None),
        ("role", None),
        ("anonymous", None),
        ("revealed_under", None),
        ("person_id", Some(crate::classes::DataClass::ReporterIdentity)),
        ("name", Some(crate::classes::DataClass::Name)),
    ];
    fn withhold_classes(&mut self, permitted: crate::classes::ClassSet) {
        use crate::classes::{DataClass, Withhold};
        let CaseParty { id: _, role: _, anonymous, person_id, name, revealed_under } = self;
        if *anonymous && revealed_under.is_none() {
            if !permitted.contains(DataClass::ReporterIdentity) {
                person_id.withhold();
                *name = ANONYMOUS_REPORTER.to_string();
            }
        } else if !permitted.contains(DataClass::Name) {
            name.withhold();
        }
    }
}

impl crate::classes::Project for CaseParty {
    fn project(&mut self, permitted: crate::classes::ClassSet) {
        crate::classes::Classified::withhold_classes(self, permitted);
    }
}

/// What an anonymous reporter is called to those who may not know them.
pub const ANONYMOUS_REPORTER: &str = "Anonymous reporter";

crate::classify! { CaseEvent as "case_event" {
    keep: id, at, by_username, kind;
    detail: FreeText,
} }
