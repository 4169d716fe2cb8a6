//! Retention rules that run from "tenancy ended", on SQLite and PostgreSQL,
//! with the clock passed in: a former tenant's needs, adjustments, contact
//! points, identity evidence, consent, preferences and objections, and the
//! contact log entries about only former tenants, are deleted 6 years after
//! their last tenancy ended and not the day before; a current tenant's
//! records are untouched; a person hold keeps a former tenant's records back
//! and is reported; every disposal is certified and the audit chain still
//! verifies after the payloads are redacted.

use crate::retention_helpers::*;
use hearth_testkit::fixtures::{end_tenancy, tenant, Tenant};

use hearth_domain::{retention::RecordClass, staff::StaffRole};
use hearth_gate::retention::{HoldInput, Upcoming};
use hearth_store::audit::{self, Verification};
use hearth_store::Table;
use hearth_testkit::TestServer;
use jiff::civil::Date;
use jiff::Span;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(a_former_tenants_records_are_deleted_six_years_after_the_tenancy_ended_to_the_day,);

/// The classes swept by "tenancy ended" that hold one person's own records.
const PERSON_CLASSES: [RecordClass; 7] = [
    RecordClass::Need,
    RecordClass::Adjustment,
    RecordClass::ContactPoint,
    RecordClass::IdentityEvidence,
    RecordClass::ConsentRecord,
    RecordClass::ContactPreference,
    RecordClass::Objection,
];

/// One record of every person-owned class, each naming `tag` where it holds text.
async fn records(s: &TestServer, t: &str, id: i64, tag: &str) {
    let need = s
        .created(
            t,
            &format!("/api/v1/people/{id}/needs"),
            json!({"category": "sight", "detail": format!("{tag} reads only large print"), "source": "staff_contact",
               "disclosure_channel": "phone", "duration": "long_term", "consent_to_tailor": true}),
        )
        .await;
    s.created(
        t,
        &format!("/api/v1/people/{id}/adjustments"),
        json!({"need_id": need["id"], "kind": "call_ahead", "note": format!("{tag} call first")}),
    )
    .await;
    s.created(t, &format!("/api/v1/people/{id}/contact-points"), json!({"kind": "email", "value": format!("{tag}@example.invalid")})).await;
    s.created(
        t,
        &format!("/api/v1/people/{id}/identity-evidence"),
        json!({"evidence_type": "passport", "reference": format!("{tag} passport"), "seen_on": "2016-01-01"}),
    )
    .await;
    s.created(
        t,
        &format!("/api/v1/people/{id}/consent"),
        json!({"purpose": "marketing", "decision": "given", "method": "written_form", "evidence": format!("{tag} form"),
               "notice_version": "privacy-notice-2026-04"}),
    )
    .await;
    s.created(t, &format!("/api/v1/people/{id}/objections"), json!({"kind": "profiling", "detail": format!("{tag} objects to profiling")}))
        .await;
    let (st, p) = s
        .call(
            t,
            Method::PUT,
            &format!("/api/v1/people/{id}/contact-preferences"),
            Some(json!({"preferred_channel": "email", "declined_channels": ["phone"], "marketing_opt_out": true, "note": format!("{tag} prefers email")})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
}

/// How many records of each person-owned class the person still has, as the officer sees them.
async fn held(s: &TestServer, t: &str, id: i64) -> [usize; 7] {
    let list = |v: &Value| v.as_array().map(Vec::len).unwrap_or(0);
    let get = |path: String| async move {
        let (st, v) = s.call(t, Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::OK, "{path}: {v}");
        v
    };
    let consent = get(format!("/api/v1/people/{id}/consent")).await;
    [
        list(&get(format!("/api/v1/people/{id}/needs")).await),
        list(&get(format!("/api/v1/people/{id}/adjustments")).await),
        list(&get(format!("/api/v1/people/{id}/contact-points")).await),
        list(&get(format!("/api/v1/people/{id}/identity-evidence")).await),
        list(&consent["log"]),
        usize::from(!consent["preferences"].is_null()),
        list(&consent["objections"]),
    ]
}

async fn log(s: &TestServer, t: &str, channel: &str, people: &[i64], summary: &str) -> i64 {
    let v = s.created(t, "/api/v1/contacts", json!({"channel": channel, "person_ids": people, "summary": summary})).await;
    v["entries"][0]["id"].as_i64().unwrap()
}

async fn entry_exists(s: &TestServer, id: i64) -> bool {
    s.store.raw_row(Table::ContactEntry, id).await.unwrap().is_some()
}

async fn a_former_tenants_records_are_deleted_six_years_after_the_tenancy_ended_to_the_day(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let Tenant { person: former, tenancy: former_tenancy, .. } = tenant(&s, &t, since_2015("Ferdinand", 990_000_024_001)).await;
    let Tenant { person: heldback, tenancy: held_tenancy, .. } = tenant(&s, &t, since_2015("Hermione", 990_000_024_002)).await;
    let current = tenant(&s, &t, since_2015("Cuthbert", 990_000_024_003)).await.person;
    records(&s, &t, former, "Quorblex").await;
    records(&s, &t, heldback, "Heldwick").await;
    records(&s, &t, current, "Stayputt").await;
    let all = [1, 1, 1, 1, 1, 1, 1];
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let alone = log(&s, &advisor, "call_in", &[former], "Quorblex rang about the keys").await;
    let chat = log(&s, &advisor, "live_agent", &[former], "Quorblex chatted about the deposit").await;
    let shared = log(&s, &advisor, "call_in", &[former, current], "Joint call with a current tenant").await;
    let recorded = log(&s, &advisor, "call_in", &[former], "Call with a recording").await;
    let (st, rec) = s
        .call(
            &advisor,
            Method::POST,
            "/api/v1/call-recordings",
            Some(json!({"contact_entry_id": recorded, "purpose": "fact_verification", "storage_ref": "TEL-SWEEPS-1"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rec}");
    let current_call = log(&s, &advisor, "call_in", &[current], "Stayputt rang").await;

    // Nothing is due while every tenancy is open.
    let ended: Date = "2020-06-30".parse().unwrap();
    let due = ended.checked_add(Span::new().years(6)).unwrap();
    let planned = plan(&s, due).await;
    for class in PERSON_CLASSES {
        assert_eq!(rule(&planned, class).disposed, 0, "{class} while the tenancy is open");
    }

    // The current tenant also lived in the former tenant's home: one ended
    // tenancy among theirs does not make them a former tenant.
    s.created(
        &t,
        &format!("/api/v1/households/{}/members", former_tenancy["household_id"]),
        json!({"person_id": current, "role": "household_member", "start_date": "2015-04-01"}),
    )
    .await;
    end_tenancy(&s, &t, &former_tenancy, "2020-06-30").await;
    end_tenancy(&s, &t, &held_tenancy, "2020-06-30").await;
    let dpo_actor = dpo(&s).await;
    let hold = s
        .gate
        .place_hold(
            &dpo_actor,
            &serde_json::from_value::<HoldInput>(
                json!({"scope": "person", "person_id": heldback, "reason": "Disrepair claim pending in the county court"}),
            )
            .unwrap(),
        )
        .await
        .unwrap();

    // Upcoming: counted in the anniversary month.
    let up = s.gate.upcoming_disposals(&dpo_actor, due.checked_sub(Span::new().months(2)).unwrap(), 6).await.unwrap();
    let month = due.strftime("%Y-%m").to_string();
    assert!(up.contains(&Upcoming { month: month.clone(), class: RecordClass::Need, count: 2 }), "{up:?}");
    assert!(up.contains(&Upcoming { month: month.clone(), class: RecordClass::ContactLogLiveAgent, count: 1 }), "{up:?}");
    assert!(up.contains(&Upcoming { month, class: RecordClass::ContactLogEntry, count: 1 }), "{up:?}");

    // The day before: nothing goes.
    let kept = run(&s, due.yesterday().unwrap()).await;
    for class in PERSON_CLASSES {
        let out = rule(&kept, class);
        assert_eq!((out.disposed, out.held), (0, 0), "{class} the day before");
    }
    assert_eq!(held(&s, &t, former).await, all);
    assert!(entry_exists(&s, alone).await && entry_exists(&s, chat).await);

    // On the day: planned, then deleted; the held person's records are kept and the hold reported.
    let planned = plan(&s, due).await;
    for class in PERSON_CLASSES {
        let out = rule(&planned, class);
        assert_eq!((out.disposed, out.held), (1, 1), "{class} planned");
    }
    let done = run(&s, due).await;
    for class in PERSON_CLASSES {
        let out = rule(&done, class);
        assert_eq!((out.disposed, out.held, out.holds.clone()), (1, 1, vec![hold.id]), "{class}");
        let c = out.certificate.as_ref().unwrap_or_else(|| panic!("{class}: a certificate"));
        assert_eq!((c.record_class.as_str(), c.action.as_str(), c.disposed, c.held), (class.as_str(), "delete", 1, 1));
        assert_eq!(c.rule, "Delete 6 years after the tenancy ended");
        assert_eq!(c.cutoff, "2020-06-30");
    }
    assert_eq!(held(&s, &t, former).await, [0; 7], "the former tenant's records are gone");
    assert_eq!(held(&s, &t, heldback).await, all, "the held former tenant's records stay");
    assert_eq!(held(&s, &t, current).await, all, "a current tenant's records are untouched");

    // Contact log: entries about only former tenants go; one with a current tenant, or a recording, stays.
    assert_eq!((rule(&done, RecordClass::ContactLogEntry).disposed, rule(&done, RecordClass::ContactLogLiveAgent).disposed), (1, 1));
    assert!(!entry_exists(&s, alone).await && !entry_exists(&s, chat).await);
    for id in [shared, recorded, current_call] {
        assert!(entry_exists(&s, id).await, "entry {id} kept");
    }

    // The audit payloads no longer say what the records said, and the chain verifies.
    let mut tx = s.store.begin().await.unwrap();
    let events = audit::events_after(&mut tx, 0, 100_000).await.unwrap();
    drop(tx);
    for e in &events {
        assert!(!e.event.detail.as_deref().unwrap_or("").contains("Quorblex"), "event {} still holds it: {:?}", e.id, e.event.detail);
    }
    assert!(events.iter().any(|e| e.event.detail.as_deref().unwrap_or("").contains("Heldwick")), "held records keep their trail");
    match audit::verify(&s.store).await.unwrap() {
        Verification::Intact { .. } => {}
        broken => panic!("audit chain broken after disposal: {broken:?}"),
    }

    // Released: the next run takes the rest; a further run finds nothing.
    s.gate.release_hold(&dpo_actor, hold.id).await.unwrap();
    let after = run(&s, due).await;
    for class in PERSON_CLASSES {
        assert_eq!(rule(&after, class).disposed, 1, "{class} after release");
    }
    // Nothing else held them, so their identity went too.
    reduced_with_nothing_left(&s, &t, heldback).await;
    assert_eq!(run(&s, due).await.disposed(), 0);
    assert_eq!(held(&s, &t, current).await, all);
}
