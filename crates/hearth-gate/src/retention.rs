//! Retention and disposal through the gate: planning and running the
//! retention schedule, legal holds, disposal certificates and the DPO's view
//! of what is coming up.
//!
//! The schedule is the register of record classes (`hearth_domain::retention::Register`).
//! Each record class that Hearth can already dispose of has a [`Sweep`]: one
//! finder of due records and one disposal function. Classes added later plug
//! in by adding a variant; a class with a rule but no sweep yet is reported
//! as "not swept" in every plan and run, never silently skipped.
//!
//! "Tenancy ended" is per person: the latest end of their memberships of
//! households with a tenancy, a membership ending on its own end date (a
//! household member who left a tenancy that continues) or else when the
//! tenancy ended, once none is still open. Someone who never held a tenancy
//! has no such date and falls under the `non_tenant` class instead ("last
//! contact": the latest of when they were added, a contact log entry naming
//! them, a document about them and the closing of a case they are a party
//! to), one rule over every table of theirs and then their identity, which
//! waits while a case still names them. A former tenant's needs (with their
//! needs checks), adjustments, contact points, identity
//! evidence, consent records, contact preferences, objections (with
//! restrictions of processing), documents on their tenancy file, mental
//! capacity assessments, best-interests shares, not-held requests and
//! authorised representatives are deleted by it, and so are contact log
//! entries (not chatbot, not on a case) once every person on them is a
//! former tenant (or someone else whose date has run), unless a call
//! recording or a care plan still points at the entry; the entry's other
//! documents go with it. A document on a case goes by the case documents
//! rule unless it is a care plan, which is kept. Their equality-monitoring captures are
//! anonymised: every sealed capture is deleted, leaving only aggregates that
//! identify nobody. A record that another points at is swept after it
//! (adjustments before needs, shares before assessments, caller checks
//! before representatives) and waits while one still does. Last of all
//! (`SWEPT_LAST`) the former tenant's identity is reduced to a skeleton:
//! every personal field goes, the id stays (case skeletons, the disclosure
//! register, breach records and the audit trail name it). It waits while any
//! of their other tenancy-ended records remain, so a hold or a waiting record
//! keeps the name its records need. Then households and tenancies (one
//! class, three tables, certified like access grants): the reduced person's
//! memberships, a tenancy ended by the cutoff once no membership of its
//! household remains, and the household once neither memberships nor
//! tenancies do (found by the latest end date of the tenancies retention
//! deleted from it). Properties are not personal data and stay. A hold on a
//! person keeps their memberships, and with them the tenancy and household.
//!
//! "Created" rules run from when the record was made (UTC day): caller
//! checks (2 years), break-glass and supplier-support grants (7 years, one
//! class swept from two tables: its certificate names each batch's table in
//! the hashed id list, `break_glass:1,2,support_grant:3`, and gives no id
//! range), and data-sharing agreements (7 years). A break-glass grant waits
//! for the DPO's review however old: it is kept for that review, and one
//! deleted unreviewed would be an access nobody ever examined. An agreement
//! that a disclosure names is never found: the disclosure register is kept
//! for ever and must show what each disclosure rested on. Nor is one still in
//! force on the run's date (active and not expired): the register keeps an
//! agreement while in force, and the 7 years count only once it is not.
//!
//! A rights request is deleted 6 years after it was closed (its "case
//! closed" date), with its audit payloads; nothing else refers to one. A
//! warning flag is deleted 2 years after the later of the day it was
//! recorded or last reviewed and the day its person was last in contact
//! (any contact log entry naming them), with its acknowledgements. A hold on
//! the person keeps either.
//!
//! Every batch is decided by the policies (delete on the class's compartment,
//! and on the audit compartment for redacting the payloads of the disposed
//! records' audit events) and audited in the same transaction as the
//! disposal. Time is passed in (`as_of`) so rules are testable at their
//! boundaries. Never dispose of anything outside a batch decided here.
//!
//! A certificate says what its rule could not dispose of and why: held (by
//! which holds), or waiting for another record. A run ends by erasing what
//! it deleted from the database files (`Store::after_disposal`: SQLite's
//! WAL checkpointed and truncated, PostgreSQL's touched tables vacuumed).

use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    cases::CaseKind,
    contacts::Channel,
    error::{FieldError, ValidationErrors},
    retention::{DisposalAction, HoldScope, RecordClass, Register, RetentionRule, RetentionTrigger},
    Id,
};
use hearth_store::audit::{self, Redaction};
use hearth_store::documents::DocumentStorage;
use hearth_store::retention::{
    self as q, Certificate, CreatedTable, Cursor, Due, HomeTable, LegalHold, NewHold, PersonTable, RetentionRun, Whose,
};
use hearth_store::time::ts;
use hearth_store::Tx;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// The purpose recorded on retention decisions.
pub const RETENTION_PURPOSE: &str = "retention_schedule";

/// How a record class that exists today is found and disposed of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// Contact log entries on one channel, not filed on a case; deleted.
    ContactEntries(Channel),
    /// Closed cases of one kind, reduced to skeletons with their contact entries.
    Cases(CaseKind),
    /// Call-recording records; deleted.
    CallRecordings,
    /// Documents filed on closed cases; deleted with their bytes.
    CaseDocuments,
    /// One table of a former tenant's own records; deleted.
    FormerTenant(PersonTable),
    /// Contact log entries of one class (not chatbot), not on a case, whose
    /// people are all former tenants; deleted.
    FormerTenantEntries(RecordClass),
    /// One table of records kept for a period from when they were made; deleted.
    Created(CreatedTable),
    /// Closed rights requests; deleted.
    RightsRequests,
    /// Warning flags neither renewed nor followed by contact; deleted.
    WarningFlags,
    /// A former tenant's identity, reduced to a skeleton once their other
    /// tenancy-ended records are gone.
    PersonIdentity,
    /// One table of households and tenancies (memberships of reduced
    /// persons, tenancies nobody belongs to, emptied households); deleted.
    Homes(HomeTable),
    /// One table of the records of people who never held a tenancy, by
    /// their last contact; deleted.
    NonTenant(PersonTable),
    /// Contact log entries (not chatbot, not on a case) naming people who
    /// never held a tenancy, once everyone on them is due; deleted.
    NonTenantEntries,
    /// The identity of someone who never held a tenancy, reduced to a
    /// skeleton once their other records are gone.
    NonTenantIdentity,
    /// Their memberships of households without a tenancy, once their
    /// identity has been reduced; deleted.
    NonTenantMemberships,
}

/// A person's own tables, in the order they are swept: what points at
/// another record first (adjustments at needs, shares at assessments).
const PERSON_TABLES_IN_ORDER: &[PersonTable] = &[
    PersonTable::Adjustment,
    PersonTable::BestInterestsShare,
    PersonTable::Need,
    PersonTable::NeedsCheck,
    PersonTable::ContactPoint,
    PersonTable::IdentityEvidence,
    PersonTable::ConsentRecord,
    PersonTable::ContactPreference,
    PersonTable::Objection,
    PersonTable::ProcessingRestriction,
    PersonTable::CapacityAssessment,
    PersonTable::NotHeldRequest,
    PersonTable::Representative,
    PersonTable::EdiRecord,
    PersonTable::TenancyFile,
];

impl Sweep {
    /// The sweep for a class, or `None` where its records do not exist yet
    /// or their disposal is not built yet.
    pub fn of(class: RecordClass) -> Option<Sweep> {
        use RecordClass::*;
        Some(match class {
            ContactLogChatbot => Sweep::ContactEntries(Channel::Chatbot),
            CallRecording => Sweep::CallRecordings,
            CaseDocument => Sweep::CaseDocuments,
            CaseAsb => Sweep::Cases(CaseKind::Asb),
            CaseSafeguarding => Sweep::Cases(CaseKind::Safeguarding),
            CaseComplaint => Sweep::Cases(CaseKind::Complaint),
            CaseCareSupport => Sweep::Cases(CaseKind::CareSupport),
            CaseRepair => Sweep::Cases(CaseKind::Repair),
            CaseTenancyManagement => Sweep::Cases(CaseKind::TenancyManagement),
            Need => Sweep::FormerTenant(PersonTable::Need),
            Adjustment => Sweep::FormerTenant(PersonTable::Adjustment),
            ContactPoint => Sweep::FormerTenant(PersonTable::ContactPoint),
            IdentityEvidence => Sweep::FormerTenant(PersonTable::IdentityEvidence),
            ConsentRecord => Sweep::FormerTenant(PersonTable::ConsentRecord),
            ContactPreference => Sweep::FormerTenant(PersonTable::ContactPreference),
            Objection => Sweep::FormerTenant(PersonTable::Objection),
            CapacityAssessment => Sweep::FormerTenant(PersonTable::CapacityAssessment),
            BestInterestsShare => Sweep::FormerTenant(PersonTable::BestInterestsShare),
            NotHeldRequest => Sweep::FormerTenant(PersonTable::NotHeldRequest),
            Representative => Sweep::FormerTenant(PersonTable::Representative),
            EdiMonitoring => Sweep::FormerTenant(PersonTable::EdiRecord),
            ContactLogEntry | ContactLogLiveAgent => Sweep::FormerTenantEntries(class),
            CallerCheck => Sweep::Created(CreatedTable::CallerCheck),
            AccessGrant => Sweep::Created(CreatedTable::BreakGlass),
            SharingAgreement => Sweep::Created(CreatedTable::SharingAgreement),
            RightsRequest => Sweep::RightsRequests,
            WarningFlag => Sweep::WarningFlags,
            PersonIdentity => Sweep::PersonIdentity,
            HouseholdTenancy => Sweep::Homes(HomeTable::Membership),
            TenancyFile => Sweep::FormerTenant(PersonTable::TenancyFile),
            NonTenant => Sweep::NonTenantIdentity,
            _ => return None,
        })
    }

    /// Every sweep of a class, run one after the other under its one rule
    /// and certificate: access grants are break-glass and support grants,
    /// two tables.
    fn all_of(class: RecordClass) -> Vec<Sweep> {
        match class {
            RecordClass::AccessGrant => vec![Sweep::Created(CreatedTable::BreakGlass), Sweep::Created(CreatedTable::SupportGrant)],
            // In this order: each waits for the one before.
            RecordClass::HouseholdTenancy => {
                vec![Sweep::Homes(HomeTable::Membership), Sweep::Homes(HomeTable::Tenancy), Sweep::Homes(HomeTable::Household)]
            }
            RecordClass::Need => vec![Sweep::FormerTenant(PersonTable::Need), Sweep::FormerTenant(PersonTable::NeedsCheck)],
            RecordClass::Objection => {
                vec![Sweep::FormerTenant(PersonTable::Objection), Sweep::FormerTenant(PersonTable::ProcessingRestriction)]
            }
            // Everything of theirs, then their identity.
            RecordClass::NonTenant => PERSON_TABLES_IN_ORDER
                .iter()
                .map(|t| Sweep::NonTenant(*t))
                .chain([Sweep::NonTenantEntries, Sweep::NonTenantIdentity, Sweep::NonTenantMemberships])
                .collect(),
            _ => Sweep::of(class).into_iter().collect(),
        }
    }

    fn trigger(self) -> RetentionTrigger {
        match self {
            Sweep::ContactEntries(_) | Sweep::CallRecordings | Sweep::Created(_) => RetentionTrigger::Created,
            // A rights request is the DPO's case: its closing date.
            Sweep::Cases(_) | Sweep::CaseDocuments | Sweep::RightsRequests => RetentionTrigger::CaseClosed,
            Sweep::WarningFlags
            | Sweep::NonTenant(_)
            | Sweep::NonTenantEntries
            | Sweep::NonTenantIdentity
            | Sweep::NonTenantMemberships => RetentionTrigger::LastContact,
            Sweep::FormerTenant(_) | Sweep::FormerTenantEntries(_) | Sweep::PersonIdentity | Sweep::Homes(_) => {
                RetentionTrigger::TenancyEnded
            }
        }
    }

    fn action(self) -> DisposalAction {
        match self {
            // Every sealed capture of the person is deleted; what remains is
            // only the aggregates, which identify nobody: the register calls
            // that anonymising.
            Sweep::FormerTenant(PersonTable::EdiRecord) => DisposalAction::Anonymise,
            Sweep::ContactEntries(_)
            | Sweep::CallRecordings
            | Sweep::CaseDocuments
            | Sweep::FormerTenant(_)
            | Sweep::FormerTenantEntries(_)
            | Sweep::Created(_)
            | Sweep::RightsRequests
            | Sweep::WarningFlags
            | Sweep::Homes(_)
            | Sweep::NonTenant(_)
            | Sweep::NonTenantEntries
            | Sweep::NonTenantMemberships => DisposalAction::Delete,
            // The id stays: case skeletons, the disclosure register, breach
            // records and the audit trail name it. Every personal field goes.
            Sweep::Cases(_) | Sweep::PersonIdentity | Sweep::NonTenantIdentity => DisposalAction::Skeleton,
        }
    }

    fn record_type(self) -> &'static str {
        match self {
            Sweep::ContactEntries(_) | Sweep::FormerTenantEntries(_) | Sweep::NonTenantEntries => "contact_entry",
            Sweep::FormerTenant(t) | Sweep::NonTenant(t) => t.table(),
            Sweep::NonTenantIdentity => "person",
            Sweep::NonTenantMemberships => "membership",
            Sweep::Created(t) => t.table(),
            Sweep::RightsRequests => "rights_request",
            Sweep::WarningFlags => "warning_flag",
            Sweep::PersonIdentity => "person",
            Sweep::Homes(t) => t.table(),
            Sweep::Cases(_) => "case",
            Sweep::CallRecordings => "call_recording",
            Sweep::CaseDocuments => "document",
        }
    }

    /// Records due on `cutoff` in a run as of `as_of`.
    async fn find(self, tx: &mut Tx, as_of: Date, cutoff: Date, cursor: &Cursor, limit: i64) -> Result<Vec<Due>> {
        Ok(match self {
            Sweep::ContactEntries(ch) => q::due_contact_entries(tx, ch, &day_after_start(cutoff), cursor, limit).await?,
            Sweep::Cases(kind) => q::due_cases(tx, kind, &cutoff.to_string(), cursor, limit).await?,
            Sweep::CallRecordings => q::due_call_recordings(tx, &day_after_start(cutoff), cursor, limit).await?,
            Sweep::CaseDocuments => q::due_case_documents(tx, &cutoff.to_string(), cursor, limit).await?,
            Sweep::FormerTenant(t) => q::due_person_records(tx, Whose::FormerTenants, t, &cutoff.to_string(), cursor, limit).await?,
            Sweep::NonTenant(t) => q::due_person_records(tx, Whose::NeverTenants, t, &cutoff.to_string(), cursor, limit).await?,
            Sweep::FormerTenantEntries(class) => {
                q::due_former_tenant_entries(tx, Whose::FormerTenants, &channels_of(class), &cutoff.to_string(), cursor, limit).await?
            }
            Sweep::NonTenantEntries => {
                q::due_former_tenant_entries(tx, Whose::NeverTenants, &non_chatbot(), &cutoff.to_string(), cursor, limit).await?
            }
            Sweep::NonTenantIdentity => q::due_persons(tx, Whose::NeverTenants, &cutoff.to_string(), cursor, limit).await?,
            Sweep::Created(t) => q::due_created(tx, t, &day_after_start(cutoff), &as_of.to_string(), cursor, limit).await?,
            Sweep::RightsRequests => q::due_rights_requests(tx, &cutoff.to_string(), cursor, limit).await?,
            Sweep::WarningFlags => q::due_warning_flags(tx, &cutoff.to_string(), &day_after_start(cutoff), cursor, limit).await?,
            Sweep::PersonIdentity => q::due_persons(tx, Whose::FormerTenants, &cutoff.to_string(), cursor, limit).await?,
            Sweep::Homes(t) => q::due_homes(tx, Whose::FormerTenants, t, &cutoff.to_string(), cursor, limit).await?,
            Sweep::NonTenantMemberships => {
                q::due_homes(tx, Whose::NeverTenants, HomeTable::Membership, &cutoff.to_string(), cursor, limit).await?
            }
        })
    }

    /// Disposes of `ids` and redacts their audit payloads; returns the ids
    /// actually disposed of (a concurrent run may have taken some).
    async fn dispose(
        self,
        tx: &mut Tx,
        ids: &[Id],
        run_id: Id,
        as_of: Date,
        now: Timestamp,
        documents: &DocumentStorage,
    ) -> Result<(Vec<Id>, Redaction)> {
        let note = format!("redacted by retention run {run_id}");
        Ok(match self {
            Sweep::ContactEntries(_) | Sweep::FormerTenantEntries(_) | Sweep::NonTenantEntries => {
                // An entry's documents go with it.
                let documents = q::delete_entry_documents(tx, documents, ids).await?;
                let deleted = q::delete_contact_entries(tx, ids).await?;
                let r = audit::redact(tx, "contact_entry", &deleted, &note).await?;
                let d = audit::redact(tx, "document", &documents, &note).await?;
                (deleted, Redaction { redacted: r.redacted + d.redacted, legacy_kept: r.legacy_kept + d.legacy_kept })
            }
            Sweep::Cases(_) => {
                let (cases, entries, overrides) = q::skeleton_cases(tx, ids, run_id, now).await?;
                let a = redact_all(tx, &["case", "case_letter"], &cases, &note).await?;
                let b = audit::redact(tx, "contact_entry", &entries, &note).await?;
                let c = audit::redact(tx, "anonymity_override", &overrides, &note).await?;
                let r = Redaction {
                    redacted: a.redacted + b.redacted + c.redacted,
                    legacy_kept: a.legacy_kept + b.legacy_kept + c.legacy_kept,
                };
                (cases, r)
            }
            Sweep::CallRecordings => {
                let deleted = q::delete_call_recordings(tx, ids).await?;
                let r = audit::redact(tx, "call_recording", &deleted, &note).await?;
                (deleted, r)
            }
            Sweep::CaseDocuments => {
                let deleted = q::delete_documents(tx, documents, ids).await?;
                let r = audit::redact(tx, "document", &deleted, &note).await?;
                (deleted, r)
            }
            Sweep::FormerTenant(t) | Sweep::NonTenant(t) => {
                let deleted = q::delete_person_records(tx, documents, t, ids).await?;
                let r = redact_all(tx, t.audit_record_types(), &deleted, &note).await?;
                (deleted, r)
            }
            Sweep::Created(t) => {
                let deleted = q::delete_created(tx, t, ids, &as_of.to_string()).await?;
                let r = redact_all(tx, t.audit_record_types(), &deleted, &note).await?;
                (deleted, r)
            }
            Sweep::RightsRequests => {
                // An access request's bundle drafts go with it (the foreign
                // key cascades), and so do the payloads of their review
                // events (the DPO's redaction reasons).
                let drafts = q::bundle_drafts_of(tx, ids).await?;
                let deleted = q::delete_rights_requests(tx, ids).await?;
                let drafts: Vec<Id> = drafts.into_iter().filter(|(_, request)| deleted.contains(request)).map(|(d, _)| d).collect();
                let r = audit::redact(tx, "rights_request", &deleted, &note).await?;
                let d = audit::redact(tx, "bundle_draft", &drafts, &note).await?;
                (deleted, Redaction { redacted: r.redacted + d.redacted, legacy_kept: r.legacy_kept + d.legacy_kept })
            }
            Sweep::WarningFlags => {
                let deleted = q::delete_warning_flags(tx, ids).await?;
                let r = audit::redact(tx, "warning_flag", &deleted, &note).await?;
                (deleted, r)
            }
            Sweep::PersonIdentity | Sweep::NonTenantIdentity => {
                let whose = if self == Sweep::PersonIdentity { Whose::FormerTenants } else { Whose::NeverTenants };
                let reduced = q::skeleton_persons(tx, whose, ids, run_id, now).await?;
                let r = audit::redact(tx, "person", &reduced, &note).await?;
                (reduced, r)
            }
            Sweep::NonTenantMemberships => {
                let deleted = q::delete_homes(tx, HomeTable::Membership, ids).await?;
                let r = audit::redact(tx, "membership", &deleted, &note).await?;
                (deleted, r)
            }
            Sweep::Homes(t) => {
                let deleted = q::delete_homes(tx, t, ids).await?;
                let r = audit::redact(tx, t.table(), &deleted, &note).await?;
                (deleted, r)
            }
        })
    }

    /// The tables its disposal deletes from or changes.
    fn tables(self) -> Vec<&'static str> {
        match self {
            Sweep::ContactEntries(_) | Sweep::FormerTenantEntries(_) | Sweep::NonTenantEntries => {
                vec!["contact_entry", "contact_entry_person", "contact_follow_up", "document"]
            }
            Sweep::Cases(_) => vec![
                "case_record",
                "anonymity_override",
                "case_party",
                "case_event",
                "contact_entry",
                "contact_entry_person",
                "contact_follow_up",
            ],
            Sweep::CallRecordings => vec!["call_recording", "staff_notification"],
            Sweep::CaseDocuments => vec!["document"],
            Sweep::FormerTenant(t) | Sweep::NonTenant(t) => vec![t.table()],
            Sweep::Created(t) => vec![t.table()],
            // A request's bundle drafts go with it (the foreign key cascades).
            Sweep::RightsRequests => vec!["rights_request", "bundle_draft"],
            Sweep::WarningFlags => vec!["warning_flag", "warning_flag_ack"],
            Sweep::PersonIdentity | Sweep::NonTenantIdentity => vec!["person"],
            Sweep::Homes(HomeTable::Membership) | Sweep::NonTenantMemberships => vec!["membership"],
            Sweep::Homes(HomeTable::Tenancy) => vec!["tenancy", "household"],
            Sweep::Homes(HomeTable::Household) => vec!["household"],
        }
    }

    /// Records per trigger day, for the upcoming-disposals view (`today`
    /// for what is kept while in force).
    async fn by_day(self, tx: &mut Tx, today: Date, up_to: Date) -> Result<Vec<(Date, i64)>> {
        let rows = match self {
            Sweep::ContactEntries(ch) => q::contact_entries_by_day(tx, ch, "", &day_after_start(up_to)).await?,
            Sweep::Cases(kind) => q::cases_by_day(tx, kind, "", &up_to.to_string()).await?,
            Sweep::CallRecordings => q::call_recordings_by_day(tx, "", &day_after_start(up_to)).await?,
            Sweep::CaseDocuments => q::case_documents_by_day(tx, &up_to.to_string()).await?,
            Sweep::FormerTenant(t) => q::person_records_by_day(tx, Whose::FormerTenants, t, &up_to.to_string()).await?,
            Sweep::NonTenant(t) => q::person_records_by_day(tx, Whose::NeverTenants, t, &up_to.to_string()).await?,
            Sweep::FormerTenantEntries(class) => {
                q::former_tenant_entries_by_day(tx, Whose::FormerTenants, &channels_of(class), &up_to.to_string()).await?
            }
            Sweep::NonTenantEntries => q::former_tenant_entries_by_day(tx, Whose::NeverTenants, &non_chatbot(), &up_to.to_string()).await?,
            // Counted once its records have gone: the person is the class's skeleton.
            Sweep::NonTenantIdentity => q::persons_by_day(tx, Whose::NeverTenants, &up_to.to_string()).await?,
            Sweep::Created(t) => q::created_by_day(tx, t, &day_after_start(up_to), &today.to_string()).await?,
            Sweep::RightsRequests => q::rights_requests_by_day(tx, &up_to.to_string()).await?,
            Sweep::WarningFlags => q::warning_flags_by_day(tx, &up_to.to_string()).await?,
            Sweep::PersonIdentity => q::persons_by_day(tx, Whose::FormerTenants, &up_to.to_string()).await?,
            Sweep::Homes(t) => q::homes_by_day(tx, Whose::FormerTenants, t, &up_to.to_string()).await?,
            Sweep::NonTenantMemberships => q::homes_by_day(tx, Whose::NeverTenants, HomeTable::Membership, &up_to.to_string()).await?,
        };
        Ok(rows.into_iter().filter_map(|(d, n)| d.parse().ok().map(|d| (d, n))).collect())
    }
}

/// What a rule could not dispose of and why, for its certificate: counts
/// and hold numbers only, so it names nobody.
pub fn not_disposed(out: &RuleOutcome) -> String {
    let mut parts = vec![];
    if out.held > 0 {
        let holds = out.holds.iter().map(|h| format!("#{h}")).collect::<Vec<_>>().join(", ");
        parts.push(format!("{} held by legal hold {holds}", out.held));
    }
    if out.waiting > 0 {
        parts.push(format!(
            "{} waiting for another record (one that still points at it, or must go first); the next run takes them once it has gone",
            out.waiting
        ));
    }
    parts.join("; ")
}

/// Redacts the audit payloads of `ids` under each of `record_types`.
async fn redact_all(tx: &mut Tx, record_types: &[&str], ids: &[Id], note: &str) -> Result<Redaction> {
    let mut r = Redaction::default();
    for record_type in record_types {
        let one = audit::redact(tx, record_type, ids, note).await?;
        r.redacted += one.redacted;
        r.legacy_kept += one.legacy_kept;
    }
    Ok(r)
}

/// Every channel but the chatbot's, whose entries have their own rule.
fn non_chatbot() -> Vec<Channel> {
    Channel::ALL.iter().copied().filter(|ch| *ch != Channel::Chatbot).collect()
}

/// The channels whose entries not on a case are of `class`.
fn channels_of(class: RecordClass) -> Vec<Channel> {
    Channel::ALL.iter().copied().filter(|ch| RecordClass::of_contact(*ch) == class).collect()
}

/// Classes whose records point at another class's: each is swept before
/// the class it points at, so that one is not left waiting for a later run.
/// An adjustment points at its need, a best-interests share at the
/// assessment it rested on, a caller check at the representative relied on,
/// a call recording at the contact entry of its call.
const SWEPT_FIRST: &[RecordClass] =
    &[RecordClass::Adjustment, RecordClass::BestInterestsShare, RecordClass::CallerCheck, RecordClass::CallRecording];

/// Classes swept after every other, in this order: a person's identity
/// waits for their other tenancy-ended records, and their memberships (so
/// their household's tenancy and the household) for their identity.
const SWEPT_LAST: &[RecordClass] = &[RecordClass::NonTenant, RecordClass::PersonIdentity, RecordClass::HouseholdTenancy];

/// The order classes are swept in: [`SWEPT_FIRST`], the rest in register
/// order (reports list classes in register order), then [`SWEPT_LAST`].
fn sweep_order() -> Vec<RecordClass> {
    let mut order = RecordClass::ALL.to_vec();
    order.sort_by_key(|c| match (SWEPT_FIRST.iter().position(|f| f == c), SWEPT_LAST.iter().position(|l| l == c)) {
        (Some(i), _) => i,
        (None, Some(i)) => SWEPT_FIRST.len() + 1 + i,
        (None, None) => SWEPT_FIRST.len(),
    });
    order
}

/// Midnight UTC at the start of the day after `d`, as stored: a record
/// created on `d` (UTC) is before it.
fn day_after_start(d: Date) -> String {
    let next = d.tomorrow().unwrap_or(d);
    // The same fixed-width form as `hearth_store::time::ts`.
    format!("{next}T00:00:00.000000Z")
}

/// Refuses a register whose rules Hearth cannot carry out for the classes
/// it already sweeps (e.g. chatbot logs "anonymised" or counted from the
/// last contact). Called at start-up, beside parsing the register.
pub fn check_register(register: &Register) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    for class in RecordClass::ALL {
        let (Some(sweep), RetentionRule::After { trigger, action, .. }) = (Sweep::of(*class), register.rule(*class)) else { continue };
        if trigger != sweep.trigger() || action != sweep.action() {
            errors.push(FieldError::new(
                format!("record_classes ({class}).retention"),
                format!(
                    "Hearth disposes of {} by “{} {}”; this register asks for “{} {}”",
                    class.label().to_lowercase(),
                    sweep.action().label().to_lowercase(),
                    sweep.trigger().label(),
                    action.label().to_lowercase(),
                    trigger.label()
                ),
            ));
        }
    }
    errors.into_result()
}

/// Plan (dry run) or run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionMode {
    Plan,
    /// Dispose; `started_by` is `command` or `schedule`.
    Run {
        started_by: &'static str,
    },
}

/// Whether a class was swept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepStatus {
    Swept,
    /// The rule keeps these records.
    Kept,
    /// A rule exists but Hearth does not dispose of this class yet.
    NotSwept,
}

/// One rule's outcome in a plan or a run.
#[derive(Debug, Clone, Serialize)]
pub struct RuleOutcome {
    pub class: RecordClass,
    pub rule: String,
    pub status: SweepStatus,
    pub cutoff: Option<Date>,
    /// Disposed of (run), or due and not held (plan).
    pub disposed: u64,
    pub held: u64,
    /// The holds that kept records back.
    pub holds: Vec<Id>,
    /// Due but waiting for another record (one that still points at it, or
    /// must go first); found again by the next run. Runs only.
    pub waiting: u64,
    pub audit_redacted: u64,
    /// Audit payloads written before separate payload hashing, left in place.
    pub audit_legacy_kept: u64,
    pub certificate: Option<Certificate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RetentionReport {
    pub run_id: Option<Id>,
    pub as_of: Date,
    pub rules: Vec<RuleOutcome>,
    /// The tables a run deleted from or changed: vacuumed afterwards on
    /// PostgreSQL (see `Store::after_disposal`).
    pub tables_touched: Vec<&'static str>,
    /// Whether the run's end made its deletions unreadable in the database
    /// files (SQLite: the WAL checkpointed and truncated). False for a plan.
    pub erased: bool,
}

impl RetentionReport {
    pub fn disposed(&self) -> u64 {
        self.rules.iter().map(|r| r.disposed).sum()
    }
    pub fn held(&self) -> u64 {
        self.rules.iter().map(|r| r.held).sum()
    }
}

/// Active holds, keyed by what they cover.
#[derive(Default)]
struct Holds {
    classes: HashMap<String, Id>,
    persons: HashMap<Id, Id>,
    cases: HashMap<Id, Id>,
}

impl Holds {
    fn of(list: &[LegalHold]) -> Holds {
        let mut h = Holds::default();
        for l in list {
            match l.scope {
                HoldScope::RecordClass => {
                    h.classes.entry(l.record_class.clone().unwrap_or_default()).or_insert(l.id);
                }
                HoldScope::Person => {
                    h.persons.entry(l.person_id.unwrap_or_default()).or_insert(l.id);
                }
                HoldScope::Case => {
                    h.cases.entry(l.case_id.unwrap_or_default()).or_insert(l.id);
                }
            }
        }
        h
    }

    /// The hold that keeps `due` back, if any.
    fn holding(&self, class: RecordClass, sweep: Sweep, due: &Due) -> Option<Id> {
        self.classes
            .get(class.as_str())
            .or_else(|| matches!(sweep, Sweep::Cases(_)).then(|| self.cases.get(&due.id)).flatten())
            .or_else(|| due.case_id.and_then(|c| self.cases.get(&c)))
            .or_else(|| due.person_ids.iter().find_map(|p| self.persons.get(p)))
            .copied()
    }
}

/// What a sweep of one class disposed of, for its certificate.
#[derive(Default)]
struct Disposed {
    first_id: Option<Id>,
    last_id: Option<Id>,
    /// Each committed batch's ids, comma-separated, in disposal order.
    ids: Vec<String>,
}

/// Batch size: big enough to amortise a transaction, small enough that
/// SQLite's writer lock is never held for long.
pub const DEFAULT_BATCH: i64 = 500;

/// What the DPO's retention page shows as coming up.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Upcoming {
    /// YYYY-MM; records already due count in the current month.
    pub month: String,
    pub class: RecordClass,
    pub count: i64,
}

hearth_domain::holds_no_personal_data!(Upcoming);

/// A legal hold as entered.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldInput {
    /// `person`, `case` or `record_class`.
    pub scope: String,
    pub person_id: Option<Id>,
    pub case_id: Option<Id>,
    pub record_class: Option<String>,
    /// Why disposal must wait (litigation, an investigation, a rights request).
    pub reason: String,
    /// Username of the person responsible for releasing it; the caller if absent.
    pub owner: Option<String>,
}

impl Gate {
    /// Plans or runs the retention schedule as of `as_of`. `progress` is told
    /// each batch's class and count. A run writes a certificate per rule that
    /// disposed of or held anything.
    pub async fn retention(
        &self,
        actor: &Actor,
        as_of: Date,
        mode: RetentionMode,
        batch: i64,
        progress: &(dyn Fn(RecordClass, u64) + Send + Sync),
    ) -> Result<RetentionReport> {
        let batch = batch.clamp(1, 10_000);
        let run_id = match mode {
            RetentionMode::Plan => None,
            RetentionMode::Run { started_by } => {
                let mut tx = self.store.begin().await?;
                let id = q::start_run(&mut tx, &as_of.to_string(), actor.user_id, &actor.username, started_by, Timestamp::now()).await?;
                tx.commit().await?;
                Some(id)
            }
        };
        let mut report = RetentionReport { run_id, as_of, rules: vec![], tables_touched: vec![], erased: false };
        let result = self.sweep_all(actor, &mut report, batch, progress).await;
        report.rules.sort_by_key(|o| RecordClass::ALL.iter().position(|c| *c == o.class));
        if let Some(id) = run_id {
            // A failed run still records what its committed batches disposed of.
            let (status, failure) = match &result {
                Ok(()) => ("finished", None),
                Err(e) => ("failed", Some(e.to_string())),
            };
            let redacted = report.rules.iter().map(|x| x.audit_redacted).sum::<u64>() as i64;
            let mut tx = self.store.begin().await?;
            q::finish_run(
                &mut tx,
                id,
                status,
                report.disposed() as i64,
                report.held() as i64,
                redacted,
                failure.as_deref(),
                Timestamp::now(),
            )
            .await?;
            tx.commit().await?;
        }
        // Last, after the run's own record is written, so nothing follows
        // the checkpoint; even after a failed run, whose committed batches
        // deleted records too.
        if run_id.is_some() && !report.tables_touched.is_empty() {
            // Even after a failed run: its committed batches deleted records too.
            report.tables_touched.sort_unstable();
            report.tables_touched.dedup();
            match self.store.after_disposal(&report.tables_touched).await {
                Ok(done) => report.erased = done,
                Err(e) => tracing::error!("could not erase what the retention run deleted from the database files: {e}"),
            }
            if !report.erased {
                tracing::warn!("the retention run's deletions may still be readable in the database files until the next run");
            }
        }
        result.map(|()| report)
    }

    async fn sweep_all(
        &self,
        actor: &Actor,
        report: &mut RetentionReport,
        batch: i64,
        progress: &(dyn Fn(RecordClass, u64) + Send + Sync),
    ) -> Result<()> {
        let (as_of, run_id) = (report.as_of, report.run_id);
        for class in sweep_order() {
            let rule = self.register.rule(class);
            let mut out = RuleOutcome {
                class,
                rule: rule.describe(),
                status: SweepStatus::NotSwept,
                cutoff: rule.cutoff(as_of),
                disposed: 0,
                held: 0,
                holds: vec![],
                waiting: 0,
                audit_redacted: 0,
                audit_legacy_kept: 0,
                certificate: None,
            };
            match (Sweep::of(class), out.cutoff) {
                (_, None) => out.status = SweepStatus::Kept,
                (None, Some(_)) => {}
                (Some(sweep), Some(cutoff)) => {
                    out.status = SweepStatus::Swept;
                    if run_id.is_none() && !self.may(actor, Action::Delete, class.compartment()) {
                        return Err(GateError::refused(
                            actor,
                            Action::Delete,
                            class.compartment(),
                            "only a role that may dispose of these records may plan their disposal",
                        ));
                    }
                    // Holds are read afresh per class, so one placed during a long run counts from the next class.
                    let holds = {
                        let mut tx = self.store.begin().await?;
                        Holds::of(&q::active_holds(&mut tx).await?)
                    };
                    let mut done = Disposed::default();
                    let mut swept = Ok(());
                    for part in Sweep::all_of(class) {
                        swept = self
                            .sweep_class(
                                actor,
                                class,
                                part,
                                as_of,
                                cutoff,
                                run_id,
                                batch,
                                &holds,
                                &mut out,
                                &mut done,
                                &mut report.tables_touched,
                                progress,
                            )
                            .await;
                        if swept.is_err() {
                            break;
                        }
                    }
                    // Committed batches are certified even when a later one fails.
                    if let Some(run_id) = run_id.filter(|_| out.disposed + out.held + out.waiting > 0) {
                        let c = Certificate {
                            id: 0,
                            run_id,
                            record_class: class.as_str().into(),
                            rule: rule.describe(),
                            action: sweep.action().as_str().into(),
                            as_of: as_of.to_string(),
                            cutoff: cutoff.to_string(),
                            disposed: out.disposed as i64,
                            held: out.held as i64,
                            first_id: done.first_id,
                            last_id: done.last_id,
                            ids_sha256: audit::digest(&done.ids.join(",")),
                            audit_redacted: out.audit_redacted as i64,
                            issued_at: String::new(),
                            operator: actor.username.clone(),
                            waiting: out.waiting as i64,
                            not_disposed: not_disposed(&out),
                        };
                        match self.certify(actor, class, c).await {
                            Ok(c) => out.certificate = Some(c),
                            Err(e) if swept.is_ok() => {
                                report.rules.push(out);
                                return Err(e);
                            }
                            Err(e) => tracing::error!(%class, "could not certify a failed sweep's committed batches: {e}"),
                        }
                    }
                    if let Err(e) = swept {
                        report.rules.push(out);
                        return Err(e);
                    }
                }
            }
            report.rules.push(out);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn sweep_class(
        &self,
        actor: &Actor,
        class: RecordClass,
        sweep: Sweep,
        as_of: Date,
        cutoff: Date,
        run_id: Option<Id>,
        batch: i64,
        holds: &Holds,
        out: &mut RuleOutcome,
        done: &mut Disposed,
        touched: &mut Vec<&'static str>,
        progress: &(dyn Fn(RecordClass, u64) + Send + Sync),
    ) -> Result<()> {
        let mut cursor = Cursor::default();
        loop {
            let mut tx = self.store.begin().await?;
            let due = sweep.find(&mut tx, as_of, cutoff, &cursor, batch).await?;
            let Some(end) = due.last() else { break };
            cursor = Cursor::after(end);
            let mut ids = vec![];
            for d in &due {
                match holds.holding(class, sweep, d) {
                    Some(h) => {
                        out.held += 1;
                        if !out.holds.contains(&h) {
                            out.holds.push(h);
                        }
                    }
                    None => ids.push(d.id),
                }
            }
            let Some(run_id) = run_id else {
                out.disposed += ids.len() as u64;
                progress(class, ids.len() as u64);
                continue;
            };
            if ids.is_empty() {
                continue;
            }
            // A refusal is committed (and so on record) by authorize.
            let target = Target::collection(sweep.record_type());
            let (tx, permit) = self.authorize(tx, actor, Action::Delete, class.compartment(), target).await?;
            let (mut tx, audit_permit) =
                self.authorize(tx, actor, Action::Delete, Compartment::Audit, Target::collection("audit_event")).await?;
            let (disposed, redaction) = sweep.dispose(&mut tx, &ids, run_id, as_of, Timestamp::now(), &self.documents).await?;
            let n = disposed.len() as u64;
            // Asked for but left by the delete: a record still pointing at
            // it, or one that must go first (see the store's `waits`).
            out.waiting += (ids.len() as u64).saturating_sub(n);
            let batch_ids = disposed.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",");
            let (lo, hi) = (disposed.iter().min().copied(), disposed.iter().max().copied());
            let detail = json!({
                "retention_run": run_id, "record_class": class, "action": sweep.action(), "disposed": n,
                "first_id": lo, "last_id": hi, "ids_sha256": audit::digest(&batch_ids),
            });
            self.record(&mut tx, actor, &permit, target, Some(detail)).await?;
            if redaction.redacted > 0 {
                let detail = json!({ "retention_run": run_id, "record_class": class, "payloads_redacted": redaction.redacted });
                self.record(&mut tx, actor, &audit_permit, Target::collection("audit_event"), Some(detail)).await?;
            }
            tx.commit().await?;
            // A class swept from several tables names each batch's table, and
            // has no id range: one across tables would mean nothing.
            let several = Sweep::all_of(class).len() > 1;
            if !batch_ids.is_empty() {
                done.ids.push(if several { format!("{}:{batch_ids}", sweep.record_type()) } else { batch_ids });
            }
            if !several {
                done.first_id = match (done.first_id, lo) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                done.last_id = done.last_id.max(hi);
            }
            if n > 0 {
                touched.extend(sweep.tables());
            }
            if redaction.redacted > 0 {
                touched.push("audit_event");
            }
            out.disposed += n;
            out.audit_redacted += redaction.redacted;
            out.audit_legacy_kept += redaction.legacy_kept;
            progress(class, n);
        }
        Ok(())
    }

    /// Stores the run's certificate for one rule, audited.
    async fn certify(&self, actor: &Actor, class: RecordClass, c: Certificate) -> Result<Certificate> {
        let c = Certificate { issued_at: ts(Timestamp::now()), ..c };
        let tx = self.store.begin().await?;
        let (mut tx, permit) =
            self.authorize(tx, actor, Action::Delete, class.compartment(), Target::collection("disposal_certificate")).await?;
        let c = q::insert_certificate(&mut tx, &c).await?;
        self.record(&mut tx, actor, &permit, Target::of("disposal_certificate", c.id, None), Some(json!({ "certificate": c }))).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Records coming up for disposal in the next `months` months, by month
    /// and class; what is already due counts in the current month.
    pub async fn upcoming_disposals(&self, actor: &Actor, today: Date, months: i8) -> Result<Vec<Upcoming>> {
        let horizon = today.checked_add(jiff::Span::new().months(i64::from(months))).unwrap_or(today);
        self.guarded(actor, Action::List, Compartment::Audit, Target::collection("retention_schedule"), async |tx: &mut Tx| {
            let mut by: BTreeMap<(String, RecordClass), i64> = BTreeMap::new();
            for class in RecordClass::ALL.iter().copied() {
                let rule = self.register.rule(class);
                let Some(up_to) = rule.cutoff(horizon) else { continue };
                for sweep in Sweep::all_of(class) {
                    for (day, n) in sweep.by_day(tx, today, up_to).await? {
                        let due = rule.due_on(day).unwrap_or(today).max(today);
                        *by.entry((due.strftime("%Y-%m").to_string(), class)).or_default() += n;
                    }
                }
            }
            let list: Vec<Upcoming> = by.into_iter().map(|((month, class), count)| Upcoming { month, class, count }).collect();
            Ok((list, Target::collection("retention_schedule"), None))
        })
        .await
    }

    /// Recent retention runs, newest first.
    pub async fn retention_runs(&self, actor: &Actor, limit: i64) -> Result<Vec<RetentionRun>> {
        self.guarded(actor, Action::List, Compartment::Audit, Target::collection("retention_run"), async |tx: &mut Tx| {
            Ok((q::runs(tx, limit.clamp(1, 1000)).await?, Target::collection("retention_run"), None))
        })
        .await
    }

    /// Disposal certificates, newest first (of one run if given). Listing is
    /// `list`; the CSV download is `export`.
    pub async fn certificates(&self, actor: &Actor, run_id: Option<Id>, export: bool) -> Result<Vec<Certificate>> {
        let action = if export { Action::Export } else { Action::List };
        self.guarded(actor, action, Compartment::Audit, Target::collection("disposal_certificate"), async |tx: &mut Tx| {
            let list = q::certificates(tx, run_id, if export { 100_000 } else { 200 }).await?;
            let detail = json!({ "run_id": run_id, "returned": list.len() });
            Ok((list, Target::collection("disposal_certificate"), Some(detail)))
        })
        .await
    }

    /// Holds in force.
    pub async fn legal_holds(&self, actor: &Actor) -> Result<Vec<LegalHold>> {
        self.guarded(actor, Action::List, Compartment::Audit, Target::collection("legal_hold"), async |tx: &mut Tx| {
            Ok((q::active_holds(tx).await?, Target::collection("legal_hold"), None))
        })
        .await
    }

    /// Places a legal hold: its records are skipped by every retention run
    /// until it is released. A DPO decision (the rights compartment).
    pub async fn place_hold(&self, actor: &Actor, input: &HoldInput) -> Result<LegalHold> {
        let mut errors = ValidationErrors::default();
        let scope = errors.check(
            HoldScope::parse(input.scope.trim())
                .ok_or_else(|| FieldError::new("scope", "Choose what the hold covers: a person, a case or a record class")),
        );
        let reason = input.reason.trim().to_string();
        if reason.chars().count() < 10 {
            errors.push(FieldError::new("reason", "Give the reason for the hold in at least 10 characters"));
        } else if reason.chars().count() > 2000 {
            errors.push(FieldError::new("reason", "The reason must be 2000 characters or fewer"));
        }
        let mut hold =
            NewHold { scope: HoldScope::Person, person_id: None, case_id: None, record_class: None, reason, owner_id: actor.user_id };
        match scope {
            Some(HoldScope::Person) => match input.person_id {
                Some(id) => hold.person_id = Some(id),
                None => errors.push(FieldError::new("person_id", "Find and choose the person the hold is on")),
            },
            Some(HoldScope::Case) => match input.case_id {
                Some(id) => hold.case_id = Some(id),
                None => errors.push(FieldError::new("case_id", "Find and choose the case the hold is on")),
            },
            Some(HoldScope::RecordClass) => match input.record_class.as_deref().map(str::trim).and_then(RecordClass::parse) {
                Some(c) => hold.record_class = Some(c.as_str().into()),
                None => errors.push(FieldError::new("record_class", "Choose a record class")),
            },
            None => {}
        }
        if let Some(s) = scope {
            hold.scope = s;
        }
        errors.into_result()?;
        let target = match hold.scope {
            HoldScope::Person => Target::person(hold.person_id.unwrap_or_default()),
            HoldScope::Case => Target::of("case", hold.case_id.unwrap_or_default(), None),
            HoldScope::RecordClass => Target::collection("legal_hold"),
        };
        self.guarded(actor, Action::Create, Compartment::Rights, target, async |tx: &mut Tx| {
            if let Some(id) = hold.person_id {
                hearth_store::people::person(tx, id).await.map_err(|_| FieldError::new("person_id", "There is no such person"))?;
            }
            if let Some(id) = hold.case_id {
                hearth_store::cases::case(tx, id).await.map_err(|_| FieldError::new("case_id", "There is no such case"))?;
            }
            if let Some(owner) = input.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
                let u = hearth_store::staff::user_by_username(tx, owner)
                    .await?
                    .ok_or_else(|| FieldError::new("owner", "No such staff account"))?;
                hold.owner_id = u.id;
            }
            let h = q::place_hold(tx, &hold, actor.user_id, Timestamp::now()).await?;
            Ok((h.clone(), Target { record_type: "legal_hold", record_id: Some(h.id), person_id: h.person_id }, Some(json!({ "new": h }))))
        })
        .await
    }

    pub async fn release_hold(&self, actor: &Actor, id: Id) -> Result<LegalHold> {
        self.guarded(actor, Action::Edit, Compartment::Rights, Target::of("legal_hold", id, None), async |tx: &mut Tx| {
            let h = q::release_hold(tx, id, actor.user_id, Timestamp::now()).await?;
            Ok((
                h.clone(),
                Target { record_type: "legal_hold", record_id: Some(h.id), person_id: h.person_id },
                Some(json!({ "released": h.id })),
            ))
        })
        .await
    }

    pub fn register(&self) -> &Register {
        &self.register
    }
}

/// One CSV line (CRLF-terminated); a field starting with =, +, - or @ is
/// prefixed with ' so a spreadsheet never runs it as a formula.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let field = |s: &str| {
        let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    fields.iter().map(|f| field(f.as_ref())).collect::<Vec<_>>().join(",") + "\r\n"
}

/// Disposal certificates as CSV, oldest first: what the DPO files or sends.
pub fn certificates_csv(list: &[Certificate]) -> String {
    let mut text = csv_line(&[
        "certificate",
        "run",
        "record_class",
        "rule",
        "action",
        "as_of",
        "cutoff",
        "disposed",
        "held",
        "first_id",
        "last_id",
        "ids_sha256",
        "audit_payloads_redacted",
        "issued_at",
        "operator",
        "waiting",
        "not_disposed",
    ]);
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    for c in list.iter().rev() {
        text.push_str(&csv_line(&[
            c.id.to_string(),
            c.run_id.to_string(),
            c.record_class.clone(),
            c.rule.clone(),
            c.action.clone(),
            c.as_of.clone(),
            c.cutoff.clone(),
            c.disposed.to_string(),
            c.held.to_string(),
            opt(c.first_id),
            opt(c.last_id),
            c.ids_sha256.clone(),
            c.audit_redacted.to_string(),
            c.issued_at.clone(),
            c.operator.clone(),
            c.waiting.to_string(),
            c.not_disposed.clone(),
        ]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_register_is_one_hearth_can_carry_out() {
        check_register(&Register::shipped()).unwrap();
    }

    #[test]
    fn every_swept_class_is_a_class_with_a_disposal_rule() {
        let r = Register::shipped();
        for class in RecordClass::ALL {
            if let Some(sweep) = Sweep::of(*class) {
                assert_eq!(r.rule(*class).action(), sweep.action(), "{class}");
            }
        }
    }

    #[test]
    fn a_register_asking_for_what_a_tenancy_ended_sweep_cannot_do_is_refused() {
        let mut raw: serde_json::Value = serde_json::from_str(hearth_domain::retention::SHIPPED_REGISTER).unwrap();
        for e in raw["record_classes"].as_array_mut().unwrap() {
            match e["class"].as_str().unwrap() {
                "need" => e["retention"]["action"] = "anonymise".into(),
                "contact_point" => e["retention"]["trigger"] = "created".into(),
                "contact_log_live_agent" => e["retention"]["trigger"] = "last_contact".into(),
                _ => {}
            }
        }
        let register = Register::parse(&raw.to_string()).unwrap();
        let errors = check_register(&register).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "record_classes (contact_point).retention",
                "record_classes (contact_log_live_agent).retention",
                "record_classes (need).retention"
            ]
        );
        assert!(errors.0[2].message.contains("delete after the tenancy ended"), "{}", errors.0[2].message);
    }

    #[test]
    fn records_are_swept_before_what_they_point_at_and_every_class_once() {
        let order = sweep_order();
        let pos = |c| order.iter().position(|x| *x == c).unwrap();
        assert!(pos(RecordClass::Adjustment) < pos(RecordClass::Need));
        assert!(pos(RecordClass::BestInterestsShare) < pos(RecordClass::CapacityAssessment));
        assert!(pos(RecordClass::CallerCheck) < pos(RecordClass::Representative));
        assert_eq!(order[order.len() - 2..], [RecordClass::PersonIdentity, RecordClass::HouseholdTenancy]);
        let mut sorted = order.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), RecordClass::ALL.len());
    }

    #[test]
    fn equality_monitoring_is_anonymised_and_a_register_deleting_it_is_refused() {
        assert_eq!(Sweep::of(RecordClass::EdiMonitoring).map(Sweep::action), Some(DisposalAction::Anonymise));
        let mut raw: serde_json::Value = serde_json::from_str(hearth_domain::retention::SHIPPED_REGISTER).unwrap();
        for e in raw["record_classes"].as_array_mut().unwrap() {
            if e["class"] == "edi_monitoring" {
                e["retention"]["action"] = "delete".into();
            }
        }
        let errors = check_register(&Register::parse(&raw.to_string()).unwrap()).unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].field, "record_classes (edi_monitoring).retention");
        assert!(errors.0[0].message.contains("anonymise after the tenancy ended"), "{}", errors.0[0].message);
    }

    #[test]
    fn contact_log_classes_split_the_channels_with_the_chatbot() {
        let mut all: Vec<Channel> = [RecordClass::ContactLogEntry, RecordClass::ContactLogLiveAgent, RecordClass::ContactLogChatbot]
            .into_iter()
            .flat_map(channels_of)
            .collect();
        all.sort_by_key(|c| c.as_str());
        assert_eq!(all.len(), Channel::ALL.len());
        assert_eq!(channels_of(RecordClass::ContactLogLiveAgent), [Channel::LiveAgent]);
        assert!(!channels_of(RecordClass::ContactLogEntry).contains(&Channel::Chatbot));
    }

    #[test]
    fn a_created_rule_counts_whole_utc_days() {
        assert_eq!(day_after_start("2026-02-28".parse().unwrap()), "2026-03-01T00:00:00.000000Z");
    }

    #[test]
    fn certificate_csv_defuses_formulas() {
        assert_eq!(csv_line(&["=SUM(A1)", "a,b"]), "'=SUM(A1),\"a,b\"\r\n");
    }
}
