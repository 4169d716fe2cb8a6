//! The register of record classes: every kind of record Hearth holds, why it
//! is held (purpose, UK GDPR Art. 6 lawful basis, Art. 9 / DPA 2018 Sch. 1
//! condition where special-category), what it holds, who receives it, and its
//! retention rule (trigger, period, action). It also declares the closed list
//! of processing purposes by machine name: a caller may declare only one of
//! them, and each class names the purposes it is held for.
//!
//! Owns: the closed list [`RecordClass`] (code declares what exists), parsing
//! and validating the register (`config/record-classes.json`, overridable by
//! the operator) and the pure date arithmetic of a rule. The register must
//! name every declared class exactly once with a purpose and a rule, so a new
//! class cannot be added without one. It must never read files or the clock:
//! callers pass the text and `as_of` in.

use crate::{
    access::Compartment,
    cases::CaseKind,
    contacts::Channel,
    error::{FieldError, ValidationErrors},
    Id,
};
use jiff::civil::Date;
use jiff::Span;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The register as shipped.
pub const SHIPPED_REGISTER: &str = include_str!("../../../config/record-classes.json");

crate::vocabulary! {
    /// Every class of record Hearth holds or will hold. Adding a variant
    /// without a register entry stops start-up.
    RecordClass {
        PersonIdentity => "person_identity" / "Person identity",
        ContactPoint => "contact_point" / "Contact points",
        ConsentRecord => "consent_record" / "Consent records",
        ContactPreference => "contact_preference" / "Contact preferences",
        Objection => "objection" / "Objections to processing",
        IdentityEvidence => "identity_evidence" / "Identity evidence",
        HouseholdTenancy => "household_tenancy" / "Households and tenancies",
        ContactLogEntry => "contact_log_entry" / "Contact log entries",
        ContactLogLiveAgent => "contact_log_live_agent" / "Live agent chats",
        ContactLogChatbot => "contact_log_chatbot" / "Chatbot and virtual agent interactions",
        CaseAsb => "case_asb" / "Anti-social behaviour cases",
        CaseSafeguarding => "case_safeguarding" / "Safeguarding cases",
        CaseComplaint => "case_complaint" / "Complaints",
        CaseCareSupport => "case_care_support" / "Care and support cases",
        CaseRepair => "case_repair" / "Repair jobs",
        CaseTenancyManagement => "case_tenancy_management" / "Tenancy management cases",
        CaseDocument => "case_document" / "Case documents",
        CallRecording => "call_recording" / "Call recordings",
        CarePlan => "care_plan" / "Care plans",
        HousingApplication => "housing_application" / "Housing applications",
        BenefitNotification => "benefit_notification" / "Housing benefit notifications",
        RentStatement => "rent_statement" / "Rent statements",
        Need => "need" / "Needs and vulnerabilities",
        CapacityAssessment => "capacity_assessment" / "Mental capacity assessments",
        BestInterestsShare => "best_interests_share" / "Best-interests shares",
        NotHeldRequest => "not_held_request" / "Requests that information not be held",
        Adjustment => "adjustment" / "Reasonable adjustments",
        WarningFlag => "warning_flag" / "Warning flags",
        EdiMonitoring => "edi_monitoring" / "Equality monitoring",
        RightsRequest => "rights_request" / "Rights requests",
        SharingAgreement => "sharing_agreement" / "Data-sharing agreements",
        Disclosure => "disclosure" / "Disclosure register entries",
        AuditEvent => "audit_event" / "Audit events",
        StaffAccount => "staff_account" / "Staff accounts",
        AccessGrant => "access_grant" / "Break-glass and support grants",
        Representative => "representative" / "Authorised representatives",
        CallerCheck => "caller_check" / "Caller checks",
        TenancyFile => "tenancy_file" / "Documents on the tenancy file",
        NonTenant => "non_tenant" / "People who never held a tenancy",
        BreachRecord => "breach_record" / "Data breach records",
    }
}

impl RecordClass {
    /// The compartment whose policies govern disposing of this class.
    pub fn compartment(self) -> Compartment {
        use RecordClass::*;
        match self {
            PersonIdentity | IdentityEvidence | StaffAccount | CallerCheck | NonTenant => Compartment::Identity,
            ContactPoint | ConsentRecord | ContactPreference | Objection | Representative => Compartment::Contact,
            HouseholdTenancy | HousingApplication | TenancyFile => Compartment::Tenancy,
            ContactLogEntry | ContactLogLiveAgent | ContactLogChatbot => Compartment::ContactLog,
            CaseAsb => CaseKind::Asb.compartment(),
            CaseSafeguarding => CaseKind::Safeguarding.compartment(),
            CaseComplaint => CaseKind::Complaint.compartment(),
            CaseCareSupport | CarePlan => CaseKind::CareSupport.compartment(),
            CaseRepair => CaseKind::Repair.compartment(),
            CaseTenancyManagement | CaseDocument => CaseKind::TenancyManagement.compartment(),
            CallRecording => Compartment::Recordings,
            BenefitNotification | RentStatement => Compartment::Financial,
            Need | CapacityAssessment | BestInterestsShare | NotHeldRequest => Compartment::Needs,
            Adjustment => Compartment::Adjustments,
            WarningFlag => Compartment::WarningFlags,
            EdiMonitoring => Compartment::Edi,
            RightsRequest | SharingAgreement | Disclosure | BreachRecord => Compartment::Rights,
            AuditEvent | AccessGrant => Compartment::Audit,
        }
    }

    /// Classes that hold special-category or criminal-offence data: the
    /// register must name the Art. 9 / Art. 10 condition for each.
    pub fn special_category(self) -> bool {
        use RecordClass::*;
        matches!(self, CaseAsb | CaseSafeguarding | CaseCareSupport | CarePlan | Need | Adjustment | WarningFlag | EdiMonitoring)
    }

    /// The case class for a case kind.
    pub fn of_case(kind: CaseKind) -> RecordClass {
        match kind {
            CaseKind::Asb => RecordClass::CaseAsb,
            CaseKind::Safeguarding => RecordClass::CaseSafeguarding,
            CaseKind::Complaint => RecordClass::CaseComplaint,
            CaseKind::CareSupport => RecordClass::CaseCareSupport,
            CaseKind::Repair => RecordClass::CaseRepair,
            CaseKind::TenancyManagement => RecordClass::CaseTenancyManagement,
        }
    }

    /// The class of a contact log entry not filed on a case (entries on a
    /// case follow the case's rule).
    pub fn of_contact(channel: Channel) -> RecordClass {
        match channel {
            Channel::Chatbot => RecordClass::ContactLogChatbot,
            Channel::LiveAgent => RecordClass::ContactLogLiveAgent,
            _ => RecordClass::ContactLogEntry,
        }
    }
}

crate::vocabulary! {
    /// The event a retention period runs from.
    RetentionTrigger {
        Created => "created" / "after it was created",
        TenancyEnded => "tenancy_ended" / "after the tenancy ended",
        CaseClosed => "case_closed" / "after the case was closed",
        OfferAccepted => "offer_accepted" / "after the offer of accommodation was accepted",
        LastContact => "last_contact" / "after the last contact",
    }
}

crate::vocabulary! {
    /// What happens when the period has run.
    DisposalAction {
        Delete => "delete" / "Delete",
        Skeleton => "skeleton" / "Reduce to a skeleton record",
        Anonymise => "anonymise" / "Anonymise",
        Keep => "keep" / "Keep",
    }
}

crate::vocabulary! {
    /// What a legal hold covers: one person's records, one case, or a whole class.
    HoldScope {
        Person => "person" / "A person",
        Case => "case" / "A case",
        RecordClass => "record_class" / "A record class",
    }
}

crate::vocabulary! {
    /// UK GDPR Art. 6(1) lawful bases.
    LawfulBasis {
        Consent => "consent" / "Consent (Art. 6(1)(a))",
        Contract => "contract" / "Contract (Art. 6(1)(b))",
        LegalObligation => "legal_obligation" / "Legal obligation (Art. 6(1)(c))",
        VitalInterests => "vital_interests" / "Vital interests (Art. 6(1)(d))",
        PublicTask => "public_task" / "Public task (Art. 6(1)(e))",
        LegitimateInterests => "legitimate_interests" / "Legitimate interests (Art. 6(1)(f))",
    }
}

crate::vocabulary! {
    PeriodUnit {
        Days => "days" / "days",
        Months => "months" / "months",
        Years => "years" / "years",
    }
}

/// A retention period in calendar units, e.g. 7 years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub amount: u32,
    pub unit: PeriodUnit,
}

impl Period {
    /// Parses "7 years", "6 months", "30 days" (singular allowed).
    pub fn parse(text: &str) -> Option<Period> {
        let mut parts = text.split_whitespace();
        let amount: u32 = parts.next()?.parse().ok()?;
        let unit = match parts.next()? {
            "day" | "days" => PeriodUnit::Days,
            "month" | "months" => PeriodUnit::Months,
            "year" | "years" => PeriodUnit::Years,
            _ => return None,
        };
        (parts.next().is_none() && amount > 0 && amount <= 200 * 366).then_some(Period { amount, unit })
    }

    fn span(self) -> Span {
        let n = i64::from(self.amount);
        match self.unit {
            PeriodUnit::Days => Span::new().days(n),
            PeriodUnit::Months => Span::new().months(n),
            PeriodUnit::Years => Span::new().years(n),
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = if self.amount == 1 { self.unit.as_str().trim_end_matches('s') } else { self.unit.as_str() };
        write!(f, "{} {unit}", self.amount)
    }
}

/// How long a class is kept and what happens then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RetentionRule {
    /// Kept indefinitely (care plans; the audit trail).
    Keep,
    /// `action` once `period` has run from `trigger`.
    After { trigger: RetentionTrigger, period: Period, action: DisposalAction },
}

impl RetentionRule {
    pub fn action(self) -> DisposalAction {
        match self {
            RetentionRule::Keep => DisposalAction::Keep,
            RetentionRule::After { action, .. } => action,
        }
    }

    /// The latest trigger date that is due on `as_of`: a record whose
    /// trigger fell on or before it is disposed of. The rule fires on the
    /// anniversary itself (closed 2019-03-01, 7 years: due 2026-03-01).
    pub fn cutoff(self, as_of: Date) -> Option<Date> {
        match self {
            RetentionRule::Keep => None,
            RetentionRule::After { period, .. } => as_of.checked_sub(period.span()).ok(),
        }
    }

    /// The day a record whose trigger fell on `trigger_date` becomes due.
    pub fn due_on(self, trigger_date: Date) -> Option<Date> {
        match self {
            RetentionRule::Keep => None,
            RetentionRule::After { period, .. } => trigger_date.checked_add(period.span()).ok(),
        }
    }

    /// In words, e.g. "Reduce to a skeleton record 7 years after the case was closed".
    pub fn describe(self) -> String {
        match self {
            RetentionRule::Keep => "Keep".into(),
            RetentionRule::After { trigger, period, action } => format!("{} {period} {}", action.label(), trigger.label()),
        }
    }
}

/// The purposes Hearth itself acts under, which every register must declare,
/// each with where it is used.
pub const PURPOSES_HEARTH_USES: &[(&str, &str)] = &[
    ("housing_management", "the purpose of every request that declares none"),
    ("marketing", "the marketing audience is always chosen under it"),
    ("retention_schedule", "retention runs"),
    ("key_rotation", "re-sealing equality answers under a new key"),
    ("demo_data", "loading the demonstration data"),
];

/// A purpose personal data may be processed for, as callers declare it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Purpose {
    /// The machine name, e.g. `rent_collection`.
    pub name: String,
    pub description: String,
}

/// Whether `name` is shaped like a purpose's machine name: 3 to 40
/// lower-case letters and underscores.
pub fn is_purpose_name(name: &str) -> bool {
    (3..=40).contains(&name.len()) && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// One class's entry in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordClassEntry {
    pub class: RecordClass,
    pub purpose: String,
    /// The declared purposes (machine names) the class is held for.
    pub purpose_names: Vec<String>,
    pub lawful_basis: Vec<LawfulBasis>,
    pub lawful_basis_note: Option<String>,
    /// The Art. 9 condition (and DPA 2018 Sch. 1 paragraph), or Art. 10 basis.
    pub special_category: Option<String>,
    pub data_categories: Vec<String>,
    pub recipients: Vec<String>,
    pub retention: RetentionRule,
    /// Where the rule comes from (policy, statute).
    pub source: Option<String>,
}

/// The validated register: exactly one entry per [`RecordClass`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    entries: BTreeMap<RecordClass, RecordClassEntry>,
    purposes: Vec<Purpose>,
    tables: Vec<TableMap>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegister {
    #[serde(default)]
    #[allow(dead_code)]
    about: Option<String>,
    #[serde(default)]
    purposes: Vec<RawPurpose>,
    record_classes: Vec<RawEntry>,
    #[serde(default)]
    #[allow(dead_code)]
    schema_about: Option<String>,
    #[serde(default)]
    schema: Vec<RawTable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    table: String,
    #[serde(default)]
    classes: Vec<String>,
    #[serde(default)]
    personal: Vec<String>,
    #[serde(default)]
    other: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

/// Where record classes are stored: one table of the database, which
/// classes its rows belong to, and which of its columns hold their personal
/// data. Every column is `personal` or `other` (holding none about the
/// people served); a table with no classes holds no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableMap {
    pub table: String,
    pub classes: Vec<RecordClass>,
    pub personal: Vec<String>,
    pub other: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPurpose {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    class: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    purpose_names: Vec<String>,
    #[serde(default)]
    lawful_basis: Vec<String>,
    lawful_basis_note: Option<String>,
    special_category: Option<String>,
    #[serde(default)]
    data_categories: Vec<String>,
    #[serde(default)]
    recipients: Vec<String>,
    retention: Option<RawRule>,
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    trigger: Option<String>,
    period: Option<String>,
    action: String,
}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl Register {
    /// The register shipped in `config/record-classes.json`.
    pub fn shipped() -> Register {
        Register::parse(SHIPPED_REGISTER).expect("the shipped register of record classes is valid")
    }

    /// Parses and validates a register. Every problem is reported, each
    /// naming the entry and field (`record_classes[3].retention.period`).
    pub fn parse(text: &str) -> Result<Register, ValidationErrors> {
        let raw: RawRegister =
            serde_json::from_str(text).map_err(|e| FieldError::new("record_classes", format!("The register is not valid JSON: {e}")))?;
        let mut errors = ValidationErrors::default();
        let purposes = purposes(raw.purposes, &mut errors);
        let declared = |name: &str| purposes.iter().any(|p| p.name == name);
        let mut entries = BTreeMap::new();
        for (i, e) in raw.record_classes.into_iter().enumerate() {
            let at = |f: &str| format!("record_classes[{i}].{f}");
            let Some(class) = RecordClass::parse(e.class.trim()) else {
                errors.push(FieldError::new(at("class"), format!("{:?} is not a record class Hearth knows", e.class)));
                continue;
            };
            let at = |f: &str| format!("record_classes[{i}] ({class}).{f}");
            let purpose = e.purpose.trim().to_string();
            if purpose.is_empty() {
                errors.push(FieldError::new(at("purpose"), "Give the purpose this record class is held for"));
            }
            let purpose_names: Vec<String> = e.purpose_names.iter().map(|n| n.trim().to_string()).collect();
            if purpose_names.is_empty() {
                errors.push(FieldError::new(at("purpose_names"), "Name the purposes (from `purposes`) this record class is held for"));
            }
            for n in purpose_names.iter().filter(|n| !declared(n)) {
                errors.push(FieldError::new(at("purpose_names"), format!("{n:?} is not one of the purposes the register declares")));
            }
            let mut lawful_basis = vec![];
            for b in &e.lawful_basis {
                match LawfulBasis::parse(b.trim()) {
                    Some(b) => lawful_basis.push(b),
                    None => errors.push(FieldError::new(
                        at("lawful_basis"),
                        format!("{b:?} is not a lawful basis; use one of: {}", names(LawfulBasis::ALL.iter().map(|b| b.as_str()))),
                    )),
                }
            }
            if e.lawful_basis.is_empty() {
                errors.push(FieldError::new(at("lawful_basis"), "Give at least one UK GDPR Art. 6 lawful basis"));
            }
            let special_category = trimmed(e.special_category);
            if class.special_category() && special_category.is_none() {
                errors.push(FieldError::new(
                    at("special_category"),
                    "This class holds special-category or criminal offence data: give the Art. 9 / DPA 2018 Sch. 1 condition",
                ));
            }
            let retention = match e.retention {
                None => {
                    errors.push(FieldError::new(at("retention"), "Give a retention rule (trigger, period and action, or action keep)"));
                    None
                }
                Some(r) => errors.check(rule(r, &at)),
            };
            if entries.contains_key(&class) {
                errors.push(FieldError::new(at("class"), format!("{class} appears more than once")));
                continue;
            }
            if let Some(retention) = retention {
                entries.insert(
                    class,
                    RecordClassEntry {
                        class,
                        purpose,
                        purpose_names,
                        lawful_basis,
                        lawful_basis_note: trimmed(e.lawful_basis_note),
                        special_category,
                        data_categories: e.data_categories.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
                        recipients: e.recipients.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
                        retention,
                        source: trimmed(e.source),
                    },
                );
            }
        }
        for class in RecordClass::ALL {
            if !entries.contains_key(class) && !errors.0.iter().any(|e| e.field.contains(&format!("({class})"))) {
                errors.push(FieldError::new(
                    "record_classes",
                    format!(
                        "Record class {class} ({}) has no entry: every record class needs a purpose and a retention rule",
                        class.label()
                    ),
                ));
            }
        }
        let tables = tables(raw.schema, &mut errors);
        errors.into_result()?;
        Ok(Register { entries, purposes, tables })
    }

    /// The declared purposes, in the register's order.
    pub fn purposes(&self) -> &[Purpose] {
        &self.purposes
    }

    /// The declared purpose of that machine name, if any.
    pub fn purpose(&self, name: &str) -> Option<&Purpose> {
        self.purposes.iter().find(|p| p.name == name)
    }

    pub fn entry(&self, class: RecordClass) -> &RecordClassEntry {
        // parse() guarantees an entry per class.
        &self.entries[&class]
    }

    pub fn rule(&self, class: RecordClass) -> RetentionRule {
        self.entry(class).retention
    }

    /// Where each class is stored, table by table (empty in a register
    /// that does not map the schema: only the shipped one must, and a test
    /// checks it against both engines).
    pub fn tables(&self) -> &[TableMap] {
        &self.tables
    }

    /// Every entry, in declaration order of [`RecordClass`].
    pub fn entries(&self) -> impl Iterator<Item = &RecordClassEntry> {
        self.entries.values()
    }
}

/// Validates the declared purposes: named and described once each, and
/// including every purpose Hearth itself acts under.
fn purposes(raw: Vec<RawPurpose>, errors: &mut ValidationErrors) -> Vec<Purpose> {
    if raw.is_empty() {
        errors.push(FieldError::new("purposes", "Declare the purposes personal data is processed for, each with a name and a description"));
    }
    let mut out: Vec<Purpose> = vec![];
    for (i, p) in raw.into_iter().enumerate() {
        let name = p.name.trim().to_string();
        let description = p.description.trim().to_string();
        if !is_purpose_name(&name) {
            errors.push(FieldError::new(format!("purposes[{i}].name"), "A purpose's name is 3 to 40 lower-case letters and underscores"));
            continue;
        }
        if description.is_empty() {
            errors.push(FieldError::new(format!("purposes[{i}].description"), format!("Describe the purpose {name}")));
        }
        if out.iter().any(|o| o.name == name) {
            errors.push(FieldError::new(format!("purposes[{i}].name"), format!("{name} appears more than once")));
            continue;
        }
        out.push(Purpose { name, description });
    }
    for (name, used) in PURPOSES_HEARTH_USES {
        if !out.iter().any(|p| p.name == *name) {
            errors.push(FieldError::new("purposes", format!("Declare the purpose {name}: Hearth uses it for {used}")));
        }
    }
    out
}

/// Validates the schema map: each table once, known classes, each column
/// once, and personal columns only where the table names a class.
fn tables(raw: Vec<RawTable>, errors: &mut ValidationErrors) -> Vec<TableMap> {
    let mut out: Vec<TableMap> = vec![];
    for (i, t) in raw.into_iter().enumerate() {
        let at = |f: &str| format!("schema[{i}] ({}).{f}", t.table);
        let mut classes = vec![];
        for c in &t.classes {
            match RecordClass::parse(c.trim()) {
                Some(c) => classes.push(c),
                None => errors.push(FieldError::new(at("classes"), format!("{c:?} is not a record class Hearth knows"))),
            }
        }
        if !t.personal.is_empty() && t.classes.is_empty() {
            errors.push(FieldError::new(at("classes"), "Name the record classes whose personal data these columns hold"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for col in t.personal.iter().chain(&t.other) {
            if !seen.insert(col.as_str()) {
                errors.push(FieldError::new(at("personal"), format!("{col} is listed more than once")));
            }
        }
        if out.iter().any(|o| o.table == t.table) {
            errors.push(FieldError::new(at("table"), "This table is listed more than once"));
            continue;
        }
        out.push(TableMap { table: t.table, classes, personal: t.personal, other: t.other });
    }
    out
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

fn rule(r: RawRule, at: &dyn Fn(&str) -> String) -> Result<RetentionRule, FieldError> {
    let action = DisposalAction::parse(r.action.trim()).ok_or_else(|| {
        FieldError::new(at("retention.action"), format!("{:?} is not an action; use one of: delete, skeleton, anonymise, keep", r.action))
    })?;
    if action == DisposalAction::Keep {
        if r.trigger.is_some() || r.period.is_some() {
            return Err(FieldError::new(at("retention"), "A rule that keeps records has no trigger or period"));
        }
        return Ok(RetentionRule::Keep);
    }
    let trigger = r.trigger.as_deref().map(str::trim).ok_or_else(|| FieldError::new(at("retention.trigger"), "Give the trigger"))?;
    let trigger = RetentionTrigger::parse(trigger).ok_or_else(|| {
        FieldError::new(
            at("retention.trigger"),
            format!("{trigger:?} is not a trigger; use one of: {}", names(RetentionTrigger::ALL.iter().map(|t| t.as_str()))),
        )
    })?;
    let period = r.period.as_deref().ok_or_else(|| FieldError::new(at("retention.period"), "Give the period, like \"7 years\""))?;
    let period = Period::parse(period).ok_or_else(|| {
        FieldError::new(
            at("retention.period"),
            format!("{period:?} is not a period; write it like \"7 years\", \"6 months\" or \"30 days\""),
        )
    })?;
    Ok(RetentionRule::After { trigger, period, action })
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalHold {
    pub id: Id,
    pub scope: HoldScope,
    pub person_id: Option<Id>,
    pub case_id: Option<Id>,
    pub record_class: Option<String>,
    pub reason: String,
    pub owner_id: Id,
    pub owner: String,
    pub placed_by: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub placed_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub released_at: Option<Timestamp>,
}

crate::classify! { LegalHold as "legal_hold" {
    keep: id, scope, person_id, case_id, record_class, owner_id, owner, placed_by, placed_at, released_at;
    reason: FreeText,
} }

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionRun {
    pub id: Id,
    /// The date the rules were applied as of (YYYY-MM-DD).
    pub as_of: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub operator: String,
    /// `command` or `schedule`.
    pub started_by: String,
    /// `running`, `finished` or `failed`.
    pub status: String,
    pub disposed: i64,
    pub held: i64,
    pub audit_redacted: i64,
    pub failure: Option<String>,
}

/// What one run disposed of under one rule; holds no personal data.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Certificate {
    pub id: Id,
    pub run_id: Id,
    pub record_class: String,
    /// The rule in words, e.g. "Delete 2 years after it was created".
    pub rule: String,
    pub action: String,
    pub as_of: String,
    /// Records whose trigger fell on or before this date were due.
    pub cutoff: String,
    pub disposed: i64,
    pub held: i64,
    pub first_id: Option<Id>,
    pub last_id: Option<Id>,
    /// SHA-256 over the disposed ids, comma-separated, batch by batch and
    /// ascending within each batch: anyone holding the ids can check it.
    pub ids_sha256: String,
    pub audit_redacted: i64,
    pub issued_at: String,
    pub operator: String,
    /// Due but not disposed of because another record still points at it
    /// or must go first (it is found again by the next run).
    pub waiting: i64,
    /// What the rule could not dispose of and why, in words (counts and
    /// hold numbers only); empty when it disposed of everything due.
    pub not_disposed: String,
}

// Counts, dates, rules and a hash of ids: a certificate names nobody.
crate::holds_no_personal_data!(RetentionRun, Certificate);

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn rule_of(class: RecordClass) -> RetentionRule {
        Register::shipped().rule(class)
    }

    #[test]
    fn the_shipped_register_names_every_record_class_the_code_declares() {
        let r = Register::shipped();
        let in_config: Vec<RecordClass> = r.entries().map(|e| e.class).collect();
        let mut declared = RecordClass::ALL.to_vec();
        declared.sort();
        assert_eq!(in_config, declared);
        // And the file itself lists each exactly once (no silent duplicates).
        let raw: serde_json::Value = serde_json::from_str(SHIPPED_REGISTER).unwrap();
        let mut listed: Vec<&str> = raw["record_classes"].as_array().unwrap().iter().map(|e| e["class"].as_str().unwrap()).collect();
        listed.sort();
        let mut names: Vec<&str> = RecordClass::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        assert_eq!(listed, names);
    }

    #[test]
    fn every_class_has_a_purpose_and_a_lawful_basis() {
        for e in Register::shipped().entries() {
            assert!(!e.purpose.is_empty() && !e.lawful_basis.is_empty(), "{}", e.class);
        }
    }

    #[test]
    fn the_seeds_defaults_are_the_shipped_rules() {
        use DisposalAction::*;
        use RetentionTrigger::*;
        let after = |trigger, amount, unit, action| RetentionRule::After { trigger, period: Period { amount, unit }, action };
        assert_eq!(rule_of(RecordClass::CallRecording), after(Created, 6, PeriodUnit::Months, Delete));
        assert_eq!(rule_of(RecordClass::ContactLogChatbot), after(Created, 2, PeriodUnit::Years, Delete));
        assert_eq!(rule_of(RecordClass::BenefitNotification), after(Created, 2, PeriodUnit::Years, Delete));
        assert_eq!(rule_of(RecordClass::RentStatement), after(Created, 2, PeriodUnit::Years, Delete));
        assert_eq!(rule_of(RecordClass::HousingApplication), after(OfferAccepted, 6, PeriodUnit::Years, Delete));
        assert_eq!(rule_of(RecordClass::HouseholdTenancy), after(TenancyEnded, 6, PeriodUnit::Years, Delete));
        assert_eq!(rule_of(RecordClass::CaseDocument), after(CaseClosed, 3, PeriodUnit::Years, Delete));
        for kind in CaseKind::ALL {
            assert_eq!(rule_of(RecordClass::of_case(*kind)), after(CaseClosed, 7, PeriodUnit::Years, Skeleton), "{kind}");
        }
        assert_eq!(rule_of(RecordClass::CarePlan), RetentionRule::Keep);
    }

    #[test]
    fn a_rule_fires_on_the_anniversary_not_the_day_before() {
        let r = rule_of(RecordClass::CaseAsb);
        let closed = d("2019-03-01");
        assert_eq!(r.due_on(closed), Some(d("2026-03-01")));
        assert!(closed <= r.cutoff(d("2026-03-01")).unwrap());
        assert!(closed > r.cutoff(d("2026-02-28")).unwrap());
        let months = rule_of(RecordClass::CallRecording);
        assert_eq!(months.cutoff(d("2026-08-31")), Some(d("2026-02-28")), "month ends clamp");
        assert_eq!(RetentionRule::Keep.cutoff(d("2026-01-01")), None);
    }

    fn without(class: &str) -> String {
        let mut raw: serde_json::Value = serde_json::from_str(SHIPPED_REGISTER).unwrap();
        raw["record_classes"].as_array_mut().unwrap().retain(|e| e["class"] != class);
        raw.to_string()
    }

    fn edited(class: &str, f: impl Fn(&mut serde_json::Value)) -> String {
        let mut raw: serde_json::Value = serde_json::from_str(SHIPPED_REGISTER).unwrap();
        for e in raw["record_classes"].as_array_mut().unwrap() {
            if e["class"] == class {
                f(e);
            }
        }
        raw.to_string()
    }

    fn raw_index(class: &str) -> usize {
        let v: serde_json::Value = serde_json::from_str(SHIPPED_REGISTER).unwrap();
        v["record_classes"].as_array().unwrap().iter().position(|e| e["class"] == class).unwrap()
    }

    fn fields(text: &str) -> Vec<String> {
        Register::parse(text).unwrap_err().0.into_iter().map(|e| format!("{}: {}", e.field, e.message)).collect()
    }

    #[test]
    fn a_register_missing_a_class_is_refused_by_name() {
        let errs = fields(&without("call_recording"));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains("call_recording") && errs[0].contains("no entry"), "{errs:?}");
    }

    #[test]
    fn a_class_without_a_purpose_or_rule_is_refused() {
        let errs = fields(&edited("contact_log_chatbot", |e| {
            e["purpose"] = "  ".into();
            e.as_object_mut().unwrap().remove("retention");
        }));
        // The entry's position in the file is named too, so the operator can find it.
        let at = raw_index("contact_log_chatbot");
        assert!(errs.iter().any(|e| e.starts_with(&format!("record_classes[{at}] (contact_log_chatbot).purpose"))), "{errs:?}");
        assert!(errs.iter().any(|e| e.starts_with(&format!("record_classes[{at}] (contact_log_chatbot).retention"))), "{errs:?}");
        assert!(!errs.iter().any(|e| e.contains("no entry")), "not reported twice: {errs:?}");
    }

    #[test]
    fn bad_rules_and_bases_are_named() {
        let errs = fields(&edited("case_asb", |e| {
            e["retention"]["period"] = "seven years".into();
            e["lawful_basis"] = serde_json::json!(["because"]);
            e.as_object_mut().unwrap().remove("special_category");
        }));
        assert!(errs.iter().any(|e| e.contains("retention.period")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("lawful_basis") && e.contains("\"because\"")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("special_category")), "{errs:?}");
        let errs = fields(&edited("care_plan", |e| e["retention"]["period"] = "1 year".into()));
        assert!(errs.iter().any(|e| e.contains("keeps records has no trigger")), "{errs:?}");
        let errs = fields(&edited("need", |e| e["class"] = "needs_register".into()));
        assert!(errs.iter().any(|e| e.contains("not a record class")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("need (Needs and vulnerabilities) has no entry")), "{errs:?}");
    }

    #[test]
    fn purposes_are_a_closed_list_each_class_names() {
        let r = Register::shipped();
        for (name, _) in PURPOSES_HEARTH_USES {
            assert!(r.purpose(name).is_some(), "{name}");
        }
        assert!(r.purpose("direct_marketing").is_none());
        for e in r.entries() {
            assert!(!e.purpose_names.is_empty() && e.purpose_names.iter().all(|n| r.purpose(n).is_some()), "{}", e.class);
        }
        let errs = fields(&edited("case_asb", |e| e["purpose_names"] = serde_json::json!(["made_up_purpose"])));
        let at = raw_index("case_asb");
        assert!(
            errs.iter().any(|e| e.starts_with(&format!("record_classes[{at}] (case_asb).purpose_names")) && e.contains("made_up_purpose")),
            "{errs:?}"
        );
        let mut raw: serde_json::Value = serde_json::from_str(SHIPPED_REGISTER).unwrap();
        raw["purposes"].as_array_mut().unwrap().retain(|p| p["name"] != "housing_management");
        raw["purposes"].as_array_mut().unwrap().push(serde_json::json!({"name": "Bad Name", "description": "x"}));
        let errs = fields(&raw.to_string());
        assert!(errs.iter().any(|e| e.starts_with("purposes: Declare the purpose housing_management")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("purposes[") && e.contains(".name")), "{errs:?}");
    }

    #[test]
    fn the_schema_map_names_known_classes_and_each_column_once() {
        let r = Register::shipped();
        assert!(r.tables().iter().any(|t| t.table == "person" && t.personal.iter().any(|c| c == "ni_number")));
        let mut raw: serde_json::Value = serde_json::from_str(SHIPPED_REGISTER).unwrap();
        raw["schema"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"table": "made_up", "classes": ["no_such_class"], "personal": ["a", "a"]}));
        raw["schema"].as_array_mut().unwrap().push(serde_json::json!({"table": "loose", "personal": ["b"]}));
        let errs = fields(&raw.to_string());
        assert!(errs.iter().any(|e| e.contains("(made_up).classes") && e.contains("no_such_class")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("(made_up).personal") && e.contains("more than once")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("(loose).classes")), "{errs:?}");
    }

    #[test]
    fn periods_read_as_written() {
        assert_eq!(Period::parse("7 years"), Some(Period { amount: 7, unit: PeriodUnit::Years }));
        assert_eq!(Period::parse("1 month").unwrap().to_string(), "1 month");
        assert_eq!(Period::parse("0 days"), None);
        assert_eq!(Period::parse("3 fortnights"), None);
        assert_eq!(rule_of(RecordClass::CaseComplaint).describe(), "Reduce to a skeleton record 7 years after the case was closed");
    }
}
