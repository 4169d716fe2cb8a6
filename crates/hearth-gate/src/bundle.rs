//! Gate operations that answer a rights request with data: the subject
//! access bundle (everything held on the person, other people redacted,
//! withheld items listed with reasons, the register's information per record
//! class) and the portability export (what the person gave us, as JSON and
//! CSV). Only the DPO may generate either; generation is audited as an
//! export in the rights compartment, in the same transaction as the reads.

use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::access::Action;
use hearth_domain::needs::NeedSource;
use hearth_domain::redact::{Identifiers, Redactor};
use hearth_domain::sharing::DisclosureExemption;
use hearth_domain::staff::StaffRole;
use hearth_domain::{
    access::Compartment,
    cases::CaseKind,
    error::FieldError,
    retention::{RecordClass, RecordClassEntry},
    rights::{IdentityStatus, RightsRequest, RightsRequestKind},
    Id,
};
use hearth_store::cases::{CaseFilter, CaseVisibility};
use hearth_store::contacts::{ContactVisibility, TimelineFilter};
use hearth_store::{
    audit, capacity, cases, consent, contacts, documents, homes, needs, people, recordings, representatives, restrictions, rights, Tx,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// What replaces another person's personal data in a bundle.
pub const REDACTED: &str = "[redacted: third party]";

/// A subject access bundle (UK GDPR Art. 15) for the person a request is about.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessBundle {
    pub request_reference: String,
    pub person_id: Id,
    /// RFC 3339.
    pub generated_at: String,
    pub sections: Vec<BundleSection>,
    pub withheld: Vec<WithheldItem>,
    /// The person's other rights and where to complain.
    pub rights_statement: String,
}

/// One kind of record held, with what the register says about it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BundleSection {
    pub key: String,
    pub title: String,
    /// Purpose, lawful basis, recipients, retention and source of each record class in the section.
    pub classes: Vec<RecordClassEntry>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub records: Vec<Value>,
}

/// Something held but not given, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WithheldItem {
    /// `third_party`, `ongoing_investigation`, `legal_privilege`, or
    /// `not_available` (equality answers this server holds no key to open).
    pub reason: String,
    pub what: String,
    pub explanation: String,
}

/// The data the person provided, for a portability request (Art. 20).
///
/// Format `hearth-portability/1`: a JSON object with `format`, `person`
/// (given_name, family_name, preferred_name, date_of_birth), `contact_points`
/// (kind, value, address lines, preferred), `needs` (category, detail,
/// disclosed_on, preferred_words) and `consents` (purpose, decision, on,
/// method) plus `preferences` (the stored contact preferences). The CSV form
/// has one row per value: `section,item,field,value`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortabilityExport {
    pub format: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub person: Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub contact_points: Vec<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub needs: Vec<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub consents: Vec<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub preferences: Option<Value>,
}

// Both are built in the gate from the subject's records with every other
// person's identifiers redacted (`redact_all`).
hearth_domain::assembled_in_the_gate!(AccessBundle, PortabilityExport);

impl PortabilityExport {
    /// The CSV form: `section,item,field,value`, one row per scalar value.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("section,item,field,value\r\n");
        let mut rows = |section: &str, item: usize, v: &Value| {
            if let Value::Object(m) = v {
                for (k, val) in m {
                    let text = match val {
                        Value::Null => String::new(),
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    out.push_str(&format!("{},{},{},{}\r\n", csv(section), item, csv(k), csv(&text)));
                }
            }
        };
        rows("person", 1, &self.person);
        for (i, v) in self.contact_points.iter().enumerate() {
            rows("contact_points", i + 1, v);
        }
        for (i, v) in self.needs.iter().enumerate() {
            rows("needs", i + 1, v);
        }
        for (i, v) in self.consents.iter().enumerate() {
            rows("consents", i + 1, v);
        }
        if let Some(p) = &self.preferences {
            rows("preferences", 1, p);
        }
        out
    }
}

fn csv(s: &str) -> String {
    // Quote always, and defuse spreadsheet formulas.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Replaces, in every string of `v`, each place where someone other than the
/// subject is identified (names in any case and order, initials with the
/// surname, phone numbers however spaced, emails, NI numbers, dates of birth
/// in any form, address lines and postcodes), never the subject's own.
pub(crate) fn redact_all(v: &mut Value, redactor: &Redactor) {
    match v {
        Value::String(s) => *s = redactor.redact(s, REDACTED),
        Value::Array(a) => a.iter_mut().for_each(|x| redact_all(x, redactor)),
        Value::Object(m) => m.values_mut().for_each(|x| redact_all(x, redactor)),
        _ => {}
    }
}

/// Capitalised words of three letters or more in the strings of `v`.
fn capitalised_words(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            for w in s.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-')) {
                if w.chars().count() >= 3 && w.starts_with(char::is_uppercase) && out.len() < 2000 {
                    out.insert(w.to_lowercase());
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| capitalised_words(x, out)),
        Value::Object(m) => m.values().for_each(|x| capitalised_words(x, out)),
        _ => {}
    }
}

/// What identifies the subject: their record, contact points and the
/// addresses of their homes (which a joint tenant shares, and which stay).
pub(crate) async fn subject_identifiers(tx: &mut Tx, pid: Id) -> Result<Identifiers> {
    let person = people::person(tx, pid).await?;
    let mut ids = Identifiers::of(&person, &people::contacts_for(tx, pid).await?);
    for h in homes::households_of(tx, pid).await? {
        if let Ok(p) = homes::property(tx, h.property_id).await {
            ids.add_address(&[p.line1.as_str()], Some(p.postcode.as_str()));
        }
    }
    Ok(ids)
}

/// A redactor for text sent to `pid` that takes out each of `others`
/// (their record and contact points), never `pid`'s own identifiers: the
/// engine for letters and exports as for bundles.
pub(crate) async fn redactor_for(tx: &mut Tx, pid: Id, others: impl IntoIterator<Item = Id>) -> Result<Redactor> {
    let mut tp = ThirdParties::new(subject_identifiers(tx, pid).await?);
    tp.ids.insert(pid);
    for o in others {
        tp.add_person(tx, o).await?;
    }
    Ok(tp.redactor)
}

/// Other people met while collecting the bundle.
struct ThirdParties {
    ids: BTreeSet<Id>,
    redactor: Redactor,
}

impl ThirdParties {
    fn new(subject: Identifiers) -> Self {
        ThirdParties { ids: BTreeSet::new(), redactor: Redactor::new(subject) }
    }

    async fn add_person(&mut self, tx: &mut Tx, id: Id) -> Result<()> {
        if !self.ids.insert(id) {
            return Ok(());
        }
        let contacts = people::contacts_for(tx, id).await?;
        if let Ok(p) = people::person(tx, id).await {
            self.redactor.add_other(Identifiers::of(&p, &contacts));
        }
        Ok(())
    }

    /// A party known only by the name written on the case.
    fn add_name(&mut self, name: &str) {
        if name.trim() != REDACTED {
            let mut ids = Identifiers::default();
            ids.add_full_name(name);
            self.redactor.add_other(ids);
        }
    }
}

pub(crate) fn check_request(r: &RightsRequest, kind: RightsRequestKind) -> Result<()> {
    if r.kind != kind {
        return Err(FieldError::new(
            "kind",
            format!("This is {}; only {} can have this generated", r.kind.request_words(), kind.request_words()),
        )
        .into());
    }
    if r.identity_status != IdentityStatus::Passed {
        return Err(
            FieldError::new("identity_status", "Confirm the requester's identity before generating anything for this request").into()
        );
    }
    if !r.is_open() {
        return Err(GateError::Conflict);
    }
    Ok(())
}

impl Gate {
    fn classes(&self, classes: &[RecordClass]) -> Vec<RecordClassEntry> {
        classes.iter().map(|c| self.register.entry(*c).clone()).collect()
    }

    /// Everything held on the request's person, other people only by role
    /// where the record is about them, with the redactor that finds other
    /// people in the free text (applied on review, [`crate::review`]).
    pub(crate) async fn collect_bundle(&self, tx: &mut Tx, actor: &Actor, request: &RightsRequest) -> Result<(AccessBundle, Redactor)> {
        let pid = request.person_id;
        let mut others = ThirdParties::new(subject_identifiers(tx, pid).await?);
        others.ids.insert(pid);
        let mut withheld = vec![];
        let mut sections = vec![];
        let mut section = |key: &str, title: &str, classes: &[RecordClass], records: Vec<Value>| {
            sections.push(BundleSection { key: key.into(), title: title.into(), classes: self.classes(classes), records });
        };

        let person = people::person(tx, pid).await?;
        let mut ident = vec![to_value(&person)];
        ident.extend(people::evidence_for(tx, pid).await?.iter().map(to_value));
        section("identity", "Identity", &[RecordClass::PersonIdentity, RecordClass::IdentityEvidence], ident);
        section(
            "contact_points",
            "Contact details",
            &[RecordClass::ContactPoint],
            people::contacts_for(tx, pid).await?.iter().map(to_value).collect(),
        );

        // Households: the person's own membership; other members only as a redacted role.
        let mut homes_out = vec![];
        for h in homes::households_of(tx, pid).await? {
            let mut members = vec![];
            for m in homes::members_of(tx, h.id).await? {
                if m.person_id == pid {
                    members.push(to_value(&m));
                } else {
                    others.add_person(tx, m.person_id).await?;
                    members.push(json!({ "role": m.role, "person": REDACTED }));
                    withheld.push(WithheldItem {
                        reason: "third_party".into(),
                        what: "Details of another member of your household".into(),
                        explanation: "Another person's personal data; their role in the household is shown".into(),
                    });
                }
            }
            let tenancies: Vec<Value> = homes::tenancies_of_household(tx, h.id).await?.iter().map(to_value).collect();
            let property = homes::property(tx, h.property_id).await.ok().map(|p| to_value(&p));
            homes_out.push(json!({ "household_id": h.id, "property": property, "members": members, "tenancies": tenancies }));
        }
        section("households", "Households and tenancies", &[RecordClass::HouseholdTenancy], homes_out);

        // Cases where the person is a named party.
        let all: Vec<Compartment> = Compartment::ALL.to_vec();
        let case_vis = CaseVisibility { all: all.clone(), assigned: vec![], contractor_jobs: false };
        let filter = CaseFilter { person_id: Some(pid), with_anonymous_reports: true, ..CaseFilter::default() };
        let mut case_list = vec![];
        let mut after = None;
        loop {
            let page = cases::list_cases(tx, actor.user_id, &case_vis, &filter, Timestamp::now(), after, 200).await?;
            case_list.extend(page.items);
            match page.next_cursor {
                Some(c) => after = Some(c),
                None => break,
            }
        }
        let mut case_out = vec![];
        let mut case_classes = BTreeSet::new();
        for c in case_list {
            let investigation = matches!(c.kind, CaseKind::Asb | CaseKind::Safeguarding) && c.closed_at.is_none();
            let parties = cases::parties(tx, c.id).await?;
            // Anonymous reporters too: their identity never reaches another
            // party's bundle, however a note wrote it.
            for (other, _, _, _) in hearth_store::anonymity::party_people(tx, c.id).await? {
                if other != pid {
                    others.add_person(tx, other).await?;
                }
            }
            let mut party_out = vec![];
            for p in &parties {
                if p.person_id == Some(pid) {
                    party_out.push(json!({ "role": p.role, "you": true }));
                } else {
                    match p.person_id {
                        Some(o) => others.add_person(tx, o).await?,
                        None => others.add_name(&p.name),
                    }
                    party_out.push(json!({ "role": p.role, "name": REDACTED }));
                    withheld.push(WithheldItem {
                        reason: "third_party".into(),
                        what: format!("The identity of another party to case {}", c.reference),
                        explanation: "Another person's personal data; their role in the case is shown".into(),
                    });
                }
            }
            if investigation {
                withheld.push(WithheldItem {
                    reason: "ongoing_investigation".into(),
                    what: format!("Case {} ({})", c.reference, c.kind.label()),
                    explanation: "Disclosure would be likely to prejudice an investigation still open (DPA 2018 Sch. 2 para 2)".into(),
                });
                continue;
            }
            case_classes.insert(RecordClass::of_case(c.kind));
            let events: Vec<Value> =
                cases::events(tx, c.id).await?.iter().map(|e| json!({ "at": e.at, "kind": e.kind, "detail": e.detail })).collect();
            let mut v = to_value(&c);
            if let Value::Object(m) = &mut v {
                m.remove("assigned_to");
                m.insert("parties".into(), Value::Array(party_out));
                m.insert("events".into(), Value::Array(events));
            }
            case_out.push(v);
        }
        section("cases", "Cases you are named in", &case_classes.into_iter().collect::<Vec<_>>(), case_out);

        // Contact log and the recordings of those calls.
        let contact_vis = ContactVisibility { all: all.clone(), assigned: vec![] };
        let mut entries = vec![];
        let mut after = None;
        loop {
            let page = contacts::timeline(tx, actor.user_id, &contact_vis, pid, &TimelineFilter::default(), after, 200).await?;
            entries.extend(page.items);
            match page.next_cursor {
                Some(c) => after = Some(c),
                None => break,
            }
        }
        let mut recs = vec![];
        let mut log_classes = BTreeSet::new();
        for e in &entries {
            log_classes.insert(RecordClass::of_contact(e.channel));
            for o in e.person_ids.iter().filter(|o| **o != pid) {
                others.add_person(tx, *o).await?;
            }
            recs.extend(recordings::of_entry(tx, e.id).await?.iter().map(|r| {
                let mut v = to_value(r);
                if let Value::Object(m) = &mut v {
                    m.remove("storage_ref");
                }
                v
            }));
        }
        let entries_out = entries
            .iter()
            .map(|e| {
                let mut v = to_value(e);
                if let Value::Object(m) = &mut v {
                    m.remove("person_ids");
                }
                v
            })
            .collect();
        section("contact_log", "Contact log", &log_classes.into_iter().collect::<Vec<_>>(), entries_out);
        section("call_recordings", "Call recordings (details, not the audio)", &[RecordClass::CallRecording], recs);

        section("needs", "Needs", &[RecordClass::Need], needs::needs_of(tx, pid).await?.iter().map(to_value).collect());
        section(
            "adjustments",
            "Reasonable adjustments",
            &[RecordClass::Adjustment],
            needs::adjustments_of(tx, pid).await?.iter().map(to_value).collect(),
        );
        // A flag is shown; the risk assessment behind it (what others told
        // us, staff safety) is withheld whole and listed.
        let flags = needs::flags_of(tx, pid, actor.user_id).await?;
        for f in &flags {
            withheld.push(WithheldItem {
                reason: "exemption".into(),
                what: format!("The risk assessment behind the {} warning flag", f.category.label().to_lowercase()),
                explanation: "It records what other people told us and how we keep staff and others safe; disclosing it would be \
                              likely to put someone at risk (DPA 2018 Sch. 3 and the third-party rules, Sch. 2 para 16)"
                    .into(),
            });
        }
        let flags = flags
            .iter()
            .map(|f| {
                let mut v = to_value(f);
                if let Value::Object(m) = &mut v {
                    m.remove("risk_assessment");
                    m.remove("not_told_reason");
                }
                v
            })
            .collect();
        section("warning_flags", "Warning flags", &[RecordClass::WarningFlag], flags);

        let mut docs = vec![];
        let mut after = None;
        loop {
            let page = documents::for_person(tx, actor.user_id, &contact_vis, pid, after, 200).await?;
            for d in page.items.iter().filter(|d| d.legally_privileged) {
                withheld.push(WithheldItem {
                    reason: "legal_privilege".into(),
                    what: format!("A document added on {}", d.uploaded_at.to_zoned_datetime(crate::uk()).strftime("%-d %B %Y")),
                    explanation: "Marked as legally privileged (DPA 2018 Sch. 2 para 19)".into(),
                });
            }
            docs.extend(page.items.iter().filter(|d| !d.legally_privileged).map(|d| {
                let mut v = to_value(d);
                if let Value::Object(m) = &mut v {
                    m.remove("sha256");
                }
                v
            }));
            match page.next_cursor {
                Some(c) => after = Some(c),
                None => break,
            }
        }
        section("documents", "Documents (details; copies on request)", &[RecordClass::CaseDocument], docs);

        let mut consents: Vec<Value> = consent::consents_of(tx, pid).await?.iter().map(to_value).collect();
        consents.extend(consent::preferences_of(tx, pid).await?.iter().map(to_value));
        consents.extend(consent::objections_of(tx, pid).await?.iter().map(to_value));
        section(
            "consents",
            "Consents, contact preferences and objections",
            &[RecordClass::ConsentRecord, RecordClass::ContactPreference, RecordClass::Objection],
            consents,
        );

        let mut cap: Vec<Value> = capacity::assessments_of(tx, pid).await?.iter().map(to_value).collect();
        cap.extend(capacity::shares_of(tx, pid).await?.iter().map(to_value));
        cap.extend(capacity::not_held_of(tx, pid).await?.iter().map(to_value));
        section(
            "capacity",
            "Mental capacity and best-interests records",
            &[RecordClass::CapacityAssessment, RecordClass::BestInterestsShare, RecordClass::NotHeldRequest],
            cap,
        );

        section(
            "representatives",
            "People authorised to act for you",
            &[RecordClass::Representative],
            representatives::for_person(tx, pid).await?.iter().map(to_value).collect(),
        );
        section(
            "restrictions",
            "Restrictions of processing",
            &[RecordClass::RightsRequest],
            restrictions::for_person(tx, pid).await?.iter().map(to_value).collect(),
        );

        let requests =
            rights::list_requests(tx, &rights::RequestFilter { open_only: false, person_id: Some(pid), due_by: None }, 1000).await?;
        section(
            "rights_requests",
            "Your requests under data protection law",
            &[RecordClass::RightsRequest],
            requests
                .iter()
                .map(|r| {
                    let mut v = to_value(r);
                    if let Value::Object(m) = &mut v {
                        // Staff by role only: the owner's name goes, and each
                        // note's "DATE USERNAME: text" loses the username.
                        m.remove("owner_name");
                        if let Some(n) = &r.notes {
                            let lines: Vec<String> = n
                                .lines()
                                .map(|l| match (l.split_once(' '), l.split_once(": ")) {
                                    (Some((date, _)), Some((_, text))) => format!("{date}: {text}"),
                                    _ => l.to_string(),
                                })
                                .collect();
                            m.insert("notes".into(), Value::String(lines.join("\n")));
                        }
                    }
                    v
                })
                .collect(),
        );

        // Disclosures made: who received the person's data, which fields, when and how. One made to
        // prevent or detect crime or collect tax is withheld while telling could prejudice it.
        let mut disclosed = vec![];
        for d in hearth_store::sharing::disclosures_of(tx, pid).await? {
            if matches!(d.exemption, Some(DisclosureExemption::CrimePrevention | DisclosureExemption::Taxation)) {
                withheld.push(WithheldItem {
                    reason: "ongoing_investigation".into(),
                    what: format!("A disclosure to {}", d.recipient_type.label().to_lowercase()),
                    explanation: "Telling you about it could prejudice the prevention or detection of crime or the collection of tax \
                                  (DPA 2018 Sch. 2 para. 2)"
                        .into(),
                });
                continue;
            }
            disclosed.push(json!({ "reference": d.reference, "recipient_type": d.recipient_type, "recipient": d.recipient,
                "exemption": d.exemption, "fields": d.fields, "disclosed_on": d.disclosed_on, "method": d.method }));
        }
        section("disclosures", "Who we gave your information to", &[RecordClass::Disclosure], disclosed);

        // Who accessed the record: roles and what was done, not the staff's names or the change detail.
        let access: Vec<Value> = audit::events_for_person(tx, pid, 5000)
            .await?
            .iter()
            .map(|e| {
                // The role in words ("Data protection officer"), never the person.
                let role = StaffRole::parse(&e.event.actor_role).map_or_else(|| e.event.actor_role.clone(), |r| r.label().to_string());
                json!({ "at": e.occurred_at, "staff_role": role, "action": e.event.action,
                        "compartment": e.event.compartment, "record_type": e.event.record_type, "decision": e.event.decision })
            })
            .collect();
        if !access.is_empty() {
            withheld.push(WithheldItem {
                reason: "third_party".into(),
                what: "The names of the staff who used your record".into(),
                explanation: "Each use is listed with the member of staff's role; names are given on request where fair".into(),
            });
        }
        section("access_history", "Who used your record", &[RecordClass::AuditEvent], access);

        // Equality answers are the person's own; they are sealed at rest and opened here only for them.
        let equality = match self.edi_of_person(tx, pid).await? {
            Some(records) => records,
            None => {
                withheld.push(WithheldItem {
                    reason: "not_available".into(),
                    what: "Your equality monitoring answers".into(),
                    explanation: "They are held encrypted and this server has no key to open them; the DPO will send them separately"
                        .into(),
                });
                vec![]
            }
        };
        section("equality", "Equality monitoring answers", &[RecordClass::EdiMonitoring], equality);

        // The same third party can come up in several places: list each once.
        let mut seen = BTreeSet::new();
        withheld.retain(|w| seen.insert((w.reason.clone(), w.what.clone())));
        // Anyone else on our records whom the free text names by surname,
        // though nothing links them to the person (a neighbour met in a note).
        let mut words = BTreeSet::new();
        for s in &sections {
            for r in &s.records {
                capitalised_words(r, &mut words);
            }
        }
        let words: Vec<String> = words.into_iter().collect();
        for id in people::with_surnames(tx, &words).await? {
            others.add_person(tx, id).await?;
        }
        let bundle = AccessBundle {
            request_reference: request.reference.clone(),
            person_id: pid,
            generated_at: Timestamp::now().to_string(),
            sections,
            withheld,
            rights_statement: "You also have the right to have wrong information corrected, to ask for information to be erased or \
                               its use restricted, to object, and to data portability. You can complain to the Information \
                               Commissioner's Office (ico.org.uk, 0303 123 1113)."
                .into(),
        };
        Ok((bundle, others.redactor))
    }

    /// The data the person provided, for an open portability request whose
    /// requester's identity has been confirmed (DPO only; audited).
    pub async fn portability_export(&self, actor: &Actor, request_id: Id) -> Result<PortabilityExport> {
        let target = Target::of("rights_request", request_id, None);
        self.guarded(actor, Action::Export, Compartment::Rights, target, async |tx: &mut Tx| {
            let request = rights::request(tx, request_id).await?;
            check_request(&request, RightsRequestKind::Portability)?;
            let pid = request.person_id;
            let p = people::person(tx, pid).await?;
            let person = json!({ "given_name": p.given_name, "family_name": p.family_name, "preferred_name": p.preferred_name,
                                 "date_of_birth": p.date_of_birth });
            let contact_points = people::contacts_for(tx, pid)
                .await?
                .iter()
                .map(|c| {
                    json!({ "kind": c.kind, "value": c.value, "line1": c.line1, "line2": c.line2, "town": c.town,
                            "postcode": c.postcode, "preferred": c.preferred })
                })
                .collect();
            // Needs the person told us themselves; contractor reports are not "provided by" them.
            let needs = needs::needs_of(tx, pid)
                .await?
                .iter()
                .filter(|n| n.source != NeedSource::ContractorReport)
                .map(|n| json!({ "category": n.category, "detail": n.detail, "disclosed_on": n.disclosed_on, "preferred_words": n.preferred_words }))
                .collect();
            let consents = consent::consents_of(tx, pid)
                .await?
                .iter()
                .map(|c| json!({ "purpose": c.purpose, "decision": c.decision, "on": c.on, "method": c.method }))
                .collect();
            let preferences = consent::preferences_of(tx, pid).await?.map(|p| to_value(&p));
            // What staff wrote down from the person may name others in the household.
            let mut household = vec![];
            for h in homes::households_of(tx, pid).await? {
                household.extend(homes::members_of(tx, h.id).await?.into_iter().map(|m| m.person_id).filter(|m| *m != pid));
            }
            let redactor = redactor_for(tx, pid, household).await?;
            let mut needs = Value::Array(needs);
            redact_all(&mut needs, &redactor);
            let needs = match needs {
                Value::Array(a) => a,
                _ => vec![],
            };
            let export = PortabilityExport { format: "hearth-portability/1".into(), person, contact_points, needs, consents, preferences };
            Ok((export, Target::of("rights_request", request_id, Some(pid)), Some(json!({ "generated": "portability_export" }))))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv("a \"b\", c"), "\"a \"\"b\"\", c\"");
        assert_eq!(csv("=SUM(A1)"), "\"'=SUM(A1)\"");
    }
}
