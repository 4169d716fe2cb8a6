//! The gate called directly, without HTTP, on both backends: a refusal is
//! returned with its reason and writes nothing but its own audit event; a
//! permitted change writes the record and its audit event together, and a
//! change that fails (invalid, or stale) writes neither; what a read hands
//! out is projected to the caller's permitted classes; and after all of it
//! the audit chain verifies.

use hearth_domain::access::{Action, Compartment};
use hearth_domain::audit::Verification;
use hearth_domain::people::{Person, PersonInput, PersonUpdate};
use hearth_domain::staff::StaffRole;
use hearth_gate::{Actor, GateError};
use hearth_store::audit::AuditEvent;
use hearth_store::Table;
use hearth_testkit::{both_backends, fresh_gate, Backend, TestGate};

both_backends!(
    backend: a_refused_read_returns_the_reason_and_writes_only_the_refusal,
    a_refused_write_returns_the_reason_and_writes_only_the_refusal,
    a_permitted_change_writes_the_record_and_its_event_together,
    a_change_that_fails_writes_neither_the_record_nor_an_event,
    a_read_is_projected_to_the_callers_permitted_classes,
    the_audit_chain_verifies_after_changes_and_refusals,
);

fn input(given: &str, family: &str) -> PersonInput {
    PersonInput {
        given_name: Some(given.into()),
        family_name: Some(family.into()),
        date_of_birth: Some("1984-06-02".into()),
        ni_number: Some("AB123456C".into()),
        ..Default::default()
    }
}

/// Every table's row count but the audit trail's, so a test can say nothing else was written.
async fn records(g: &TestGate) -> Vec<(String, i64)> {
    let mut out = vec![];
    for t in Table::ALL.iter().filter(|t| !matches!(t, Table::AuditEvent)) {
        out.push((t.name().to_string(), g.count(*t).await));
    }
    out
}

/// A person with a date of birth and NI number, created by the housing officer (returned as the actor).
async fn with_person(g: &TestGate) -> (Person, Actor) {
    let officer = g.actor(StaffRole::HousingOfficer).await;
    let p = g.gate.create_person(&officer, &input("Imogen", "Madeupson")).await.unwrap();
    (p, officer)
}

/// Fails unless `e` is a refusal; returns the reason it gives the audit trail.
fn refusal(e: GateError, action: Action) -> String {
    match e {
        GateError::Denied { action: a, reason, .. } => {
            assert_eq!(a, action);
            assert!(!reason.is_empty(), "a refusal has a reason");
            reason
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn only_event(events: &[AuditEvent]) -> &AuditEvent {
    assert_eq!(events.len(), 1, "exactly one audit event: {events:#?}");
    &events[0]
}

async fn a_refused_read_returns_the_reason_and_writes_only_the_refusal(backend: Backend) {
    let g = fresh_gate(backend).await;
    let (p, _) = with_person(&g).await;
    // A contractor reads a person only while on a job for them; this one is on none.
    let contractor = g.actor(StaffRole::Contractor).await;
    let (before, last) = (records(&g).await, g.last_audit_id().await);
    let e = g.gate.person(&contractor, p.id).await.unwrap_err();
    let reason = refusal(e, Action::View);
    let events = g.audit_after(last).await;
    let ev = &only_event(&events).event;
    assert_eq!((ev.decision.as_str(), ev.action.as_str(), ev.compartment.as_str()), ("deny", "view", "identity"));
    assert_eq!((ev.actor_username.as_str(), ev.record_type.as_str(), ev.record_id), ("contractor", "person", Some(p.id)));
    assert_eq!(ev.reason.as_deref(), Some(reason.as_str()), "the trail keeps the reason the caller was refused for");
    assert_eq!(ev.detail, None, "a refusal records no data");
    assert_eq!(records(&g).await, before, "nothing but the audit event was written");
}

async fn a_refused_write_returns_the_reason_and_writes_only_the_refusal(backend: Backend) {
    let g = fresh_gate(backend).await;
    let (p, _) = with_person(&g).await;
    let contractor = g.actor(StaffRole::Contractor).await;
    let (people, last) = (g.count(Table::Person).await, g.last_audit_id().await);
    // Creating a person: the contractor may create nothing.
    let reason = refusal(g.gate.create_person(&contractor, &input("Never", "Stored")).await.unwrap_err(), Action::Create);
    // Editing one: refused too, and the person is as they were.
    let update = PersonUpdate { version: p.version, fields: input("Changed", "Byacontractor") };
    let edit_reason = refusal(g.gate.update_person(&contractor, p.id, &update).await.unwrap_err(), Action::Edit);
    assert_eq!(g.count(Table::Person).await, people, "no person was created");
    let officer = g.actor(StaffRole::HousingOfficer).await;
    let now = g.gate.person(&officer, p.id).await.unwrap();
    assert_eq!((now.given_name.as_str(), now.version), ("Imogen", p.version), "the person was not changed");
    let events = g.audit_after(last).await;
    let refusals: Vec<_> = events.iter().map(|e| &e.event).filter(|e| e.actor_username == "contractor").collect();
    assert_eq!(refusals.len(), 2, "{events:#?}");
    assert!(refusals.iter().all(|e| e.decision == "deny" && e.detail.is_none()), "{refusals:#?}");
    assert_eq!((refusals[0].action.as_str(), refusals[0].reason.as_deref()), ("create", Some(reason.as_str())));
    assert_eq!((refusals[1].action.as_str(), refusals[1].reason.as_deref()), ("edit", Some(edit_reason.as_str())));
    assert_eq!(refusals[1].record_id, Some(p.id));
}

async fn a_permitted_change_writes_the_record_and_its_event_together(backend: Backend) {
    let g = fresh_gate(backend).await;
    let officer = g.actor(StaffRole::HousingOfficer).await;
    let (people, last) = (g.count(Table::Person).await, g.last_audit_id().await);
    let p = g.gate.create_person(&officer, &input("Ottoline", "Inventedly")).await.unwrap();
    assert_eq!(g.count(Table::Person).await, people + 1);
    let events = g.audit_after(last).await;
    let ev = &only_event(&events).event;
    assert_eq!((ev.decision.as_str(), ev.action.as_str(), ev.compartment.as_str()), ("allow", "create", "identity"));
    assert_eq!((ev.actor_username.as_str(), ev.record_id, ev.person_id), ("housing_officer", Some(p.id), Some(p.id)));
    let detail: serde_json::Value = serde_json::from_str(ev.detail.as_deref().expect("a change records its values")).unwrap();
    assert_eq!(detail["new"]["given_name"], "Ottoline", "{detail}");

    // An edit: the new values stored, and one event holding old and new.
    let last = g.last_audit_id().await;
    let update = PersonUpdate { version: p.version, fields: input("Ottilie", "Inventedly") };
    let edited = g.gate.update_person(&officer, p.id, &update).await.unwrap();
    assert_eq!((edited.given_name.as_str(), edited.version), ("Ottilie", p.version + 1));
    let events = g.audit_after(last).await;
    let ev = &only_event(&events).event;
    assert_eq!((ev.decision.as_str(), ev.action.as_str(), ev.record_id), ("allow", "edit", Some(p.id)));
    let detail = ev.detail.as_deref().unwrap();
    assert!(detail.contains("Ottoline") && detail.contains("Ottilie"), "old and new: {detail}");
}

async fn a_change_that_fails_writes_neither_the_record_nor_an_event(backend: Backend) {
    let g = fresh_gate(backend).await;
    let (p, officer) = with_person(&g).await;
    let (before, last) = (records(&g).await, g.last_audit_id().await);
    // Invalid input: refused naming the field, before anything is decided.
    let bad = PersonInput { family_name: Some(String::new()), ..input("Nameless", "") };
    match g.gate.create_person(&officer, &bad).await {
        Err(GateError::Invalid(v)) => assert!(format!("{v:?}").contains("family_name"), "{v:?}"),
        other => panic!("expected a validation failure, got {other:?}"),
    }
    // Permitted, but the change fails inside the transaction (someone else
    // edited first): the decision's event goes with it.
    let update = PersonUpdate { version: p.version + 7, fields: input("Stale", "Edit") };
    assert!(matches!(g.gate.update_person(&officer, p.id, &update).await, Err(GateError::Conflict)));
    assert_eq!(records(&g).await, before, "nothing written");
    assert!(g.audit_after(last).await.is_empty(), "not even an audit event");
    let now = g.gate.person(&officer, p.id).await.unwrap();
    assert_eq!((now.given_name.as_str(), now.version), ("Imogen", p.version));
}

async fn a_read_is_projected_to_the_callers_permitted_classes(backend: Backend) {
    let g = fresh_gate(backend).await;
    let (p, officer) = with_person(&g).await;
    // The housing officer reads every class.
    let full = g.gate.person(&officer, p.id).await.unwrap();
    assert_eq!(full.date_of_birth, Some("1984-06-02".parse().unwrap()));
    assert_eq!(full.ni_number.as_deref(), Some("AB123456C"));
    // A contact-centre advisor who has not checked the caller sees the name, no identifiers.
    let advisor = g.actor(StaffRole::ContactCentreAdvisor).await;
    let seen = g.gate.person(&advisor, p.id).await.unwrap();
    assert_eq!((seen.given_name.as_str(), seen.family_name.as_str()), ("Imogen", "Madeupson"));
    assert_eq!((seen.date_of_birth, seen.ni_number.as_deref()), (None, None), "{seen:?}");
    let listed = g.gate.list_people(&advisor, &Default::default(), None, None).await.unwrap();
    let mine = listed.items.iter().find(|x| x.id == p.id).expect("listed");
    assert_eq!((mine.given_name.as_str(), mine.date_of_birth, mine.ni_number.as_deref()), ("Imogen", None, None));
    // The same officer reading for marketing gets the contact fields' classes only.
    let marketing = g.gate.actor_for("housing_officer", "marketing").await.unwrap();
    let seen = g.gate.person(&marketing, p.id).await.unwrap();
    assert_eq!(seen.given_name, "Imogen");
    assert_eq!((seen.date_of_birth, seen.ni_number.as_deref()), (None, None), "{seen:?}");
    // The readable classes say the same.
    let classes = g.gate.readable_classes(&advisor, Compartment::Identity, hearth_gate::Target::person(p.id)).await.unwrap();
    assert!(classes.is_some(), "the advisor may read the person");
}

async fn the_audit_chain_verifies_after_changes_and_refusals(backend: Backend) {
    let g = fresh_gate(backend).await;
    let (p, officer) = with_person(&g).await;
    let contractor = g.actor(StaffRole::Contractor).await;
    for n in 0..3 {
        let current = g.gate.person(&officer, p.id).await.unwrap();
        let update = PersonUpdate { version: current.version, fields: input(&format!("Imogen{n}"), "Madeupson") };
        g.gate.update_person(&officer, p.id, &update).await.unwrap();
        g.gate.person(&contractor, p.id).await.unwrap_err();
    }
    let events = g.audit_after(0).await;
    assert!(events.iter().any(|e| e.event.decision == "deny") && events.iter().any(|e| e.event.action == "edit"));
    match g.verify_audit().await {
        Verification::Intact { events: n, head_hash } => {
            assert_eq!(n as usize, events.len(), "every event is in the chain");
            assert_eq!(head_hash, events.last().unwrap().hash, "the chain ends at the newest event");
        }
        broken => panic!("the chain is broken: {broken:?}"),
    }
    // Each event links to the one before it.
    for w in events.windows(2) {
        assert_eq!(w[1].prev_hash, w[0].hash, "event {} links to {}", w[1].id, w[0].id);
    }
}
