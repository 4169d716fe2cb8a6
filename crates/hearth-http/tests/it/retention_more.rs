//! Retention of the record classes swept after the first ones, on SQLite and
//! PostgreSQL, with the clock passed in: a former tenant's mental capacity
//! assessments, best-interests shares, not-held requests and authorised
//! representatives are deleted 6 years after their tenancy ended, and their
//! equality-monitoring captures anonymised (every sealed capture deleted),
//! and not the day before. A record another still points at waits (a
//! representative a caller check relied on); a person hold keeps a former
//! tenant's records back and is reported; every disposal is certified and
//! the audit chain still verifies after the payloads are redacted.
//!
//! "Created" rules: caller checks go 2 years after they were made,
//! break-glass and supplier-support grants and data-sharing agreements 7
//! years after; a break-glass grant waits for the DPO's review, an
//! agreement a disclosure names is kept with the disclosure register, and
//! one still in force (active, not expired) is kept until it is not. A
//! closed rights request goes 6 years after its closing date. A warning
//! flag goes 2 years after the later of its renewal (recorded or reviewed)
//! and its person's last contact.
//!
//! A former tenant's identity is reduced to a skeleton 6 years after their
//! tenancy ended, after their other tenancy-ended records (it waits while
//! one remains); the skeleton holds no personal field, search never finds
//! it, and the API and page say it was removed by retention. Then their
//! memberships go, a tenancy nobody belongs to any more, and the emptied
//! household; the property stays, and a person hold keeps all three.

use crate::retention_helpers::*;
use hearth_testkit::fixtures::{end_tenancy, tenant, Tenant};

use hearth_domain::{retention::RecordClass, staff::StaffRole};
use hearth_gate::retention::{HoldInput, RuleOutcome, Upcoming};
use hearth_store::audit;
use hearth_store::Table;
use hearth_testkit::TestServer;
use jiff::civil::Date;
use jiff::Span;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(keyed:
    capacity_representative_and_equality_records_go_six_years_after_the_tenancy_ended,
    caller_checks_are_deleted_two_years_after_they_were_made,
    access_grants_are_deleted_seven_years_on_and_break_glass_waits_for_review,
    sharing_agreements_are_deleted_seven_years_on_unless_a_disclosure_names_them,
    a_sharing_agreement_in_force_is_kept_however_old,
    rights_requests_are_deleted_six_years_after_they_were_closed,
    warning_flags_go_two_years_after_the_last_contact_or_renewal,
    a_former_tenants_identity_is_reduced_to_a_skeleton_once_their_other_records_are_gone,
    households_and_tenancies_go_after_their_members_identities,
);

async fn get(s: &TestServer, t: &str, path: &str) -> Value {
    let (st, v) = s.call(t, Method::GET, path, None).await;
    assert_eq!(st, StatusCode::OK, "{path}: {v}");
    v
}

async fn place_person_hold(s: &TestServer, person: i64) -> i64 {
    let input = json!({"scope": "person", "person_id": person, "reason": "Disrepair claim pending in the county court"});
    s.gate.place_hold(&dpo(s).await, &serde_json::from_value::<HoldInput>(input).unwrap()).await.unwrap().id
}

/// Every audit payload still held, as text.
async fn audit_payloads(s: &TestServer) -> Vec<(i64, String)> {
    let mut tx = s.store.begin().await.unwrap();
    let events = audit::events_after(&mut tx, 0, 100_000).await.unwrap();
    events.into_iter().filter_map(|e| e.event.detail.map(|d| (e.id, d))).collect()
}

async fn audit_never_mentions(s: &TestServer, text: &str) {
    for (id, d) in audit_payloads(s).await {
        assert!(!d.contains(text), "event {id} still holds {text:?}: {d}");
    }
}

async fn audit_mentions(s: &TestServer, text: &str) -> bool {
    audit_payloads(s).await.iter().any(|(_, d)| d.contains(text))
}

/// A representative not on file, named after `tag`.
async fn representative(s: &TestServer, t: &str, id: i64, tag: &str) -> i64 {
    s.created(
        t,
        &format!("/api/v1/people/{id}/representatives"),
        json!({"name": format!("{tag} Repname"), "phone": "01632 960 333", "relationship": "relative", "scope": "everything",
               "evidence": "signed_authority_form", "evidence_reference": format!("AUTH-{tag}")}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// One record of each capacity class, a representative and an equality
/// capture, each naming `tag` where it holds text.
async fn capacity_records(s: &TestServer, t: &str, id: i64, tag: &str) {
    let need = s
        .created(
            t,
            &format!("/api/v1/people/{id}/needs"),
            json!({"category": "mental_health", "detail": format!("{tag} told us in confidence"), "source": "staff_contact",
               "disclosure_channel": "phone", "duration": "long_term", "consent_to_tailor": true}),
        )
        .await;
    let a = s
        .created(
            t,
            &format!("/api/v1/people/{id}/capacity-assessments"),
            json!({"decision": "Whether to move to a ground-floor flat", "reason": format!("{tag} confused about keys"),
               "assessor_name": "Nurse Ima Ginary", "assessor_role": "Community psychiatric nurse", "assessed_on": "2019-03-01",
               "outcome": "lacks_capacity"}),
        )
        .await;
    s.created(
        t,
        &format!("/api/v1/people/{id}/best-interests-shares"),
        json!({"assessment_id": a["id"], "recipient": "lpa_attorney", "recipient_name": "Wendy Madeup",
               "what": format!("{tag} viewing date"), "why": "She manages his appointments"}),
    )
    .await;
    s.created(
        t,
        &format!("/api/v1/people/{id}/not-held-requests"),
        json!({"what": format!("{tag} the breakdown"), "need_ids": [need["id"]], "requested_on": "2019-04-01"}),
    )
    .await;
    representative(s, t, id, tag).await;
    let edi = json!({"source": "phone", "answers": {"sex": {"status": "prefer_not_to_say"},
        "religion": {"status": "recorded", "value": "other", "other": format!("{tag} faith")},
        "ethnicity": {"status": "recorded", "value": "white_roma"}, "first_language": {"status": "recorded", "value": "welsh"},
        "interpreter_needed": false}});
    let (st, r) = s.call(t, Method::POST, &format!("/api/v1/people/{id}/edi"), Some(edi)).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
}

/// (assessments, shares, not-held requests, representatives) the person has.
async fn capacity_held(s: &TestServer, t: &str, id: i64) -> [usize; 4] {
    let len = |v: &Value| v.as_array().map(Vec::len).unwrap_or(0);
    let c = get(s, t, &format!("/api/v1/people/{id}/capacity")).await;
    let reps = get(s, t, &format!("/api/v1/people/{id}/representatives")).await;
    [len(&c["assessments"]), len(&c["shares"]), len(&c["not_held"]), len(&reps)]
}

const CAPACITY_CLASSES: [RecordClass; 5] = [
    RecordClass::CapacityAssessment,
    RecordClass::BestInterestsShare,
    RecordClass::NotHeldRequest,
    RecordClass::Representative,
    RecordClass::EdiMonitoring,
];

async fn capacity_representative_and_equality_records_go_six_years_after_the_tenancy_ended(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let Tenant { person: former, tenancy: former_tenancy, .. } = tenant(&s, &t, since_2015("Ferdinand", 990_000_025_001)).await;
    let Tenant { person: heldback, tenancy: held_tenancy, .. } = tenant(&s, &t, since_2015("Hermione", 990_000_025_002)).await;
    let current = tenant(&s, &t, since_2015("Cuthbert", 990_000_025_003)).await.person;
    capacity_records(&s, &t, former, "Quorblex").await;
    capacity_records(&s, &t, heldback, "Heldwick").await;
    capacity_records(&s, &t, current, "Stayputt").await;
    // A second representative of the former tenant, relied on by a caller
    // check that is itself kept 2 years from when it was made.
    let relied_on = representative(&s, &t, former, "Waitabit").await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    s.created(&advisor, &format!("/api/v1/people/{former}/caller-checks"), json!({"representative_id": relied_on, "area": "account"}))
        .await;
    assert_eq!(capacity_held(&s, &t, former).await, [1, 1, 1, 2]);
    assert_eq!(s.count(Table::EdiRecord).await, 3);

    let ended: Date = "2020-06-30".parse().unwrap();
    let due = ended.checked_add(Span::new().years(6)).unwrap();
    let planned = plan(&s, due).await;
    for class in CAPACITY_CLASSES {
        assert_eq!(rule(&planned, class).disposed, 0, "{class} while the tenancy is open");
    }
    end_tenancy(&s, &t, &former_tenancy, "2020-06-30").await;
    end_tenancy(&s, &t, &held_tenancy, "2020-06-30").await;
    let hold = place_person_hold(&s, heldback).await;

    // Upcoming: counted in the anniversary month.
    let up = s.gate.upcoming_disposals(&dpo(&s).await, due.checked_sub(Span::new().months(2)).unwrap(), 6).await.unwrap();
    let month = due.strftime("%Y-%m").to_string();
    for (class, count) in [
        (RecordClass::CapacityAssessment, 2),
        (RecordClass::BestInterestsShare, 2),
        (RecordClass::NotHeldRequest, 2),
        (RecordClass::Representative, 3),
        (RecordClass::EdiMonitoring, 2),
    ] {
        assert!(up.contains(&Upcoming { month: month.clone(), class, count }), "{class}: {up:?}");
    }

    // The day before: nothing goes.
    let kept = run(&s, due.yesterday().unwrap()).await;
    for class in CAPACITY_CLASSES {
        let out = rule(&kept, class);
        assert_eq!((out.disposed, out.held, out.certificate.is_none()), (0, 0, true), "{class} the day before");
    }
    assert_eq!(capacity_held(&s, &t, former).await, [1, 1, 1, 2]);
    assert_eq!(s.count(Table::EdiRecord).await, 3);

    // On the day: the former tenant's go, the held person's stay (reported),
    // the current tenant's are untouched; the representative a caller check
    // still relies on waits for it.
    let done = run(&s, due).await;
    for class in CAPACITY_CLASSES {
        let out = rule(&done, class);
        assert_eq!((out.disposed, out.held, out.holds.clone()), (1, 1, vec![hold]), "{class}");
        let c = out.certificate.as_ref().unwrap_or_else(|| panic!("{class}: a certificate"));
        let action = if class == RecordClass::EdiMonitoring { "anonymise" } else { "delete" };
        assert_eq!((c.record_class.as_str(), c.action.as_str(), c.disposed, c.held), (class.as_str(), action, 1, 1));
        assert_eq!(c.cutoff, "2020-06-30");
        assert!(!serde_json::to_string(c).unwrap().contains("Quorblex"));
    }
    assert_eq!(rule(&done, RecordClass::EdiMonitoring).rule, "Anonymise 6 years after the tenancy ended");
    assert_eq!(capacity_held(&s, &t, former).await, [0, 0, 0, 1], "only the representative a check relies on is left");
    assert!(s.store.raw_row(Table::Representative, relied_on).await.unwrap().is_some());
    assert_eq!(capacity_held(&s, &t, heldback).await, [1, 1, 1, 1], "held");
    assert_eq!(capacity_held(&s, &t, current).await, [1, 1, 1, 1], "current tenant");
    assert_eq!(s.count(Table::EdiRecord).await, 2, "the former tenant's sealed capture is gone");

    // The payloads about what went are redacted; the chain verifies.
    audit_never_mentions(&s, "Quorblex").await;
    assert!(audit_mentions(&s, "Heldwick").await, "held records keep their trail");
    assert!(audit_mentions(&s, "Waitabit").await, "a waiting record keeps its trail");
    verify_intact(&s).await;

    // Released: the next run takes the held person's; a further run finds nothing.
    s.gate.release_hold(&dpo(&s).await, hold).await.unwrap();
    let after = run(&s, due).await;
    for class in CAPACITY_CLASSES {
        assert_eq!(rule(&after, class).disposed, 1, "{class} after release");
    }
    // Nothing else held them, so their identity went too.
    reduced_with_nothing_left(&s, &t, heldback).await;
    assert_eq!(run(&s, due).await.disposed(), 0);
    assert_eq!(s.count(Table::EdiRecord).await, 1);
    verify_intact(&s).await;
}

/// The UTC date a stored time falls on: a "created" rule's trigger.
fn day_of(at: &Value) -> Date {
    let t: jiff::Timestamp = at.as_str().unwrap().parse().unwrap();
    t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

async fn person(s: &TestServer, t: &str, given: &str) -> i64 {
    s.created(t, "/api/v1/people", json!({"given_name": given, "family_name": "Fakeperson"})).await["id"].as_i64().unwrap()
}

async fn exists(s: &TestServer, table: Table, id: i64) -> bool {
    s.store.raw_row(table, id).await.unwrap().is_some()
}

/// Runs on `as_of` and checks what `class` disposed of and held.
async fn run_expecting(s: &TestServer, as_of: Date, class: RecordClass, disposed: u64, held: u64) -> RuleOutcome {
    let r = run(s, as_of).await;
    let out = rule(&r, class).clone();
    assert_eq!((out.disposed, out.held), (disposed, held), "{class} on {as_of}");
    out
}

async fn caller_checks_are_deleted_two_years_after_they_were_made(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let free = person(&s, &officer, "Ferdinand").await;
    let heldback = person(&s, &officer, "Hermione").await;
    let rep = representative(&s, &officer, free, "Quorblex").await;
    let by_rep =
        s.created(&advisor, &format!("/api/v1/people/{free}/caller-checks"), json!({"representative_id": rep, "area": "account"})).await;
    let name = hearth_testkit::give_memorable_word(&s, heldback).await;
    let answers = json!({"answers": {"memorable_word": hearth_testkit::MEMORABLE_WORD, "full_name": name}});
    let held = s.created(&advisor, &format!("/api/v1/people/{heldback}/caller-checks"), answers).await;
    let hold = place_person_hold(&s, heldback).await;
    let due = years(day_of(&by_rep["checked_at"]), 2);

    let up = s.gate.upcoming_disposals(&dpo(&s).await, due.checked_sub(Span::new().months(1)).unwrap(), 3).await.unwrap();
    let month = due.strftime("%Y-%m").to_string();
    assert!(up.contains(&Upcoming { month, class: RecordClass::CallerCheck, count: 2 }), "{up:?}");

    let kept = run_expecting(&s, due.yesterday().unwrap(), RecordClass::CallerCheck, 0, 0).await;
    assert!(kept.certificate.is_none());
    assert!(exists(&s, Table::CallerCheck, by_rep["id"].as_i64().unwrap()).await);

    let out = run_expecting(&s, due, RecordClass::CallerCheck, 1, 1).await;
    assert_eq!(out.holds, vec![hold]);
    let c = out.certificate.expect("a certificate");
    let id = by_rep["id"].as_i64().unwrap();
    assert_eq!((c.record_class.as_str(), c.action.as_str(), c.first_id, c.last_id), ("caller_check", "delete", Some(id), Some(id)));
    assert_eq!(c.rule, "Delete 2 years after it was created");
    assert!(!exists(&s, Table::CallerCheck, id).await);
    assert!(exists(&s, Table::CallerCheck, held["id"].as_i64().unwrap()).await, "held");
    // The representative it relied on no longer waits for it (their own rule has not run: no tenancy).
    assert!(exists(&s, Table::Representative, rep).await);
    let mut tx = s.store.begin().await.unwrap();
    let events = audit::events_after(&mut tx, 0, 100_000).await.unwrap();
    drop(tx);
    let redacted: Vec<_> = events.iter().filter(|e| e.event.record_type == "caller_check" && e.event.record_id == Some(id)).collect();
    assert!(!redacted.is_empty() && redacted.iter().all(|e| e.event.detail.is_none() && e.redacted.is_some()));
    verify_intact(&s).await;
}

async fn break_glass(s: &TestServer, t: &str, id: i64, reason: &str) -> Value {
    s.created(t, &format!("/api/v1/people/{id}/break-glass"), json!({"compartment": "audit", "reason": reason})).await
}

async fn access_grants_are_deleted_seven_years_on_and_break_glass_waits_for_review(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let dpo_token = s.token(StaffRole::Dpo).await;
    let who = person(&s, &officer, "Ferdinand").await;
    let heldback = person(&s, &officer, "Hermione").await;
    let reviewed = break_glass(&s, &advisor, who, "Welfare emergency, no answer at the door").await;
    let unreviewed = break_glass(&s, &advisor, who, "Second look at the account history today").await;
    let held = break_glass(&s, &advisor, heldback, "Welfare emergency, no answer at the door").await;
    for (g, note) in [(&reviewed, "Quorblex justified"), (&held, "Heldwick justified")] {
        let (st, v) =
            s.call(&dpo_token, Method::POST, &format!("/api/v1/break-glass/{}/review", g["id"]), Some(json!({"note": note}))).await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    let support = s.created(&dpo_token,
        "/api/v1/support-grants",
        json!({"username": "supplier_support", "compartments": ["contact_log"], "hours": 4, "reason": "Investigating ticket Quorblex-1"}),
    )
    .await;
    let hold = place_person_hold(&s, heldback).await;
    let due = years(day_of(&reviewed["granted_at"]), 7);

    let up = s.gate.upcoming_disposals(&dpo(&s).await, due.checked_sub(Span::new().months(1)).unwrap(), 3).await.unwrap();
    let month = due.strftime("%Y-%m").to_string();
    assert!(up.contains(&Upcoming { month, class: RecordClass::AccessGrant, count: 3 }), "reviewed grants only: {up:?}");

    run_expecting(&s, due.yesterday().unwrap(), RecordClass::AccessGrant, 0, 0).await;
    let out = run_expecting(&s, due, RecordClass::AccessGrant, 2, 1).await;
    assert_eq!(out.holds, vec![hold]);
    let (bg, sg) = (reviewed["id"].as_i64().unwrap(), support["id"].as_i64().unwrap());
    let c = out.certificate.expect("a certificate");
    assert_eq!((c.record_class.as_str(), c.disposed, c.first_id, c.last_id), ("access_grant", 2, None, None));
    assert_eq!(c.ids_sha256, audit::digest(&format!("break_glass:{bg},support_grant:{sg}")));
    assert!(!exists(&s, Table::BreakGlass, bg).await && !exists(&s, Table::SupportGrant, sg).await);
    assert!(exists(&s, Table::BreakGlass, held["id"].as_i64().unwrap()).await, "held");
    assert!(exists(&s, Table::BreakGlass, unreviewed["id"].as_i64().unwrap()).await, "an unreviewed grant waits for the DPO");

    // Reviewed years late, it goes on the next run.
    let (st, v) = s
        .call(&dpo_token, Method::POST, &format!("/api/v1/break-glass/{}/review", unreviewed["id"]), Some(json!({"note": "Justified"})))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    run_expecting(&s, due, RecordClass::AccessGrant, 1, 1).await;
    assert!(!exists(&s, Table::BreakGlass, unreviewed["id"].as_i64().unwrap()).await);
    // The review note and the support grant's reason are redacted; the held grant's review stays.
    audit_never_mentions(&s, "Quorblex").await;
    assert!(audit_mentions(&s, "Heldwick").await);
    verify_intact(&s).await;
}

/// The UTC day an agreement was made (the API does not show it).
async fn created_on(s: &TestServer, agreement: &Value) -> Date {
    let row = s.store.raw_row(Table::SharingAgreement, agreement["id"].as_i64().unwrap()).await.unwrap().unwrap();
    day_of(&json!(row["created_at"]))
}

async fn sharing_agreements_are_deleted_seven_years_on_unless_a_disclosure_names_them(s: TestServer) {
    let dpo_token = s.token(StaffRole::Dpo).await;
    // Expired long before they are 7 years old: only the 7 years count.
    let body = |partner: &str| agreement_body(partner, "2027-12-31");
    let unused = s.created(&dpo_token, "/api/v1/sharing-agreements", body("Quorblex Repairs Ltd (fictional)")).await;
    let used = s.created(&dpo_token, "/api/v1/sharing-agreements", body("Usedwell Repairs Ltd (fictional)")).await;
    let who = person(&s, &s.token(StaffRole::HousingOfficer).await, "Ferdinand").await;
    let (st, v) = s
        .call(&dpo_token, Method::POST, "/api/v1/extracts?format=json", Some(json!({"agreement_id": used["id"], "person_ids": [who]})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let due = years(created_on(&s, &unused).await, 7);

    let up = s.gate.upcoming_disposals(&dpo(&s).await, due.checked_sub(Span::new().months(1)).unwrap(), 3).await.unwrap();
    let month = due.strftime("%Y-%m").to_string();
    assert!(up.contains(&Upcoming { month, class: RecordClass::SharingAgreement, count: 1 }), "{up:?}");

    run_expecting(&s, due.yesterday().unwrap(), RecordClass::SharingAgreement, 0, 0).await;
    let out = run_expecting(&s, due, RecordClass::SharingAgreement, 1, 0).await;
    let id = unused["id"].as_i64().unwrap();
    assert_eq!(out.certificate.map(|c| (c.first_id, c.last_id)), Some((Some(id), Some(id))));
    assert!(!exists(&s, Table::SharingAgreement, id).await);
    assert!(exists(&s, Table::SharingAgreement, used["id"].as_i64().unwrap()).await, "the disclosure register still names it");
    audit_never_mentions(&s, "Quorblex").await;

    // A hold on the class keeps even an unused one.
    let late = s.created(&dpo_token, "/api/v1/sharing-agreements", body("Latecomer Ltd (fictional)")).await;
    let input = json!({"scope": "record_class", "record_class": "sharing_agreement", "reason": "Partner dispute under review"});
    let hold = s.gate.place_hold(&dpo(&s).await, &serde_json::from_value::<HoldInput>(input).unwrap()).await.unwrap().id;
    let out = run_expecting(&s, years(created_on(&s, &late).await, 7), RecordClass::SharingAgreement, 0, 1).await;
    assert_eq!(out.holds, vec![hold]);
    verify_intact(&s).await;
}

fn agreement_body(partner: &str, expires_on: &str) -> Value {
    json!({"partner": partner, "recipient_type": "repairs_contractor", "purpose": "Carrying out repairs", "lawful_basis": "contract",
           "data_categories": ["name", "address", "phone"], "transfer_method": "Contractor portal",
           "security_requirements": "Encrypted in transit and at rest", "starts_on": "2020-01-01", "expires_on": expires_on,
           "owner": "Head of Repairs"})
}

/// "Kept while in force": an agreement still active and not expired on the
/// run's date stays past its 7 years even though no disclosure names it;
/// it goes the day after it expires.
async fn a_sharing_agreement_in_force_is_kept_however_old(s: TestServer) {
    let dpo_token = s.token(StaffRole::Dpo).await;
    let probe = s.created(&dpo_token, "/api/v1/sharing-agreements", agreement_body("Probe Ltd (fictional)", "2027-12-31")).await;
    let due = years(created_on(&s, &probe).await, 7);
    // In force until a year after the 7 years have run.
    let expires = years(due, 1);
    let long = s.created(&dpo_token, "/api/v1/sharing-agreements", agreement_body("Longlast Ltd (fictional)", &expires.to_string())).await;
    let id = long["id"].as_i64().unwrap();

    // Upcoming: only the one out of force by then counts.
    let up = s.gate.upcoming_disposals(&dpo(&s).await, due.checked_sub(Span::new().months(1)).unwrap(), 3).await.unwrap();
    let month = due.strftime("%Y-%m").to_string();
    assert!(up.contains(&Upcoming { month, class: RecordClass::SharingAgreement, count: 1 }), "{up:?}");

    run_expecting(&s, due, RecordClass::SharingAgreement, 1, 0).await;
    assert!(!exists(&s, Table::SharingAgreement, probe["id"].as_i64().unwrap()).await);
    assert!(exists(&s, Table::SharingAgreement, id).await, "in force");
    // Its last day in force: still kept. The day after it expired: gone.
    run_expecting(&s, expires, RecordClass::SharingAgreement, 0, 0).await;
    assert!(exists(&s, Table::SharingAgreement, id).await, "in force on its expiry date");
    run_expecting(&s, expires.tomorrow().unwrap(), RecordClass::SharingAgreement, 1, 0).await;
    assert!(!exists(&s, Table::SharingAgreement, id).await);
    audit_never_mentions(&s, "Longlast").await;
    verify_intact(&s).await;
}

async fn request_change(s: &TestServer, dpo: &str, id: i64, body: Value) -> Value {
    let (st, v) = s.call(dpo, Method::POST, &format!("/api/v1/rights-requests/{id}/changes"), Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

/// A rights request from `person`, identity checked and completed today.
async fn closed_request(s: &TestServer, dpo: &str, person: i64, description: &str) -> Value {
    let v = s.created(dpo, "/api/v1/rights-requests", json!({"kind": "access", "person_id": person, "description": description})).await;
    let id = v["request"]["id"].as_i64().unwrap();
    let v = request_change(s, dpo, id, json!({"change": "identity_passed", "version": v["request"]["version"], "method": "Passport seen"}))
        .await;
    let v = request_change(s, dpo, id, json!({"change": "complete", "version": v["request"]["version"], "outcome": "Copy sent"})).await;
    assert_eq!(v["request"]["status"], "completed");
    v["request"].clone()
}

async fn rights_requests_are_deleted_six_years_after_they_were_closed(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let dpo_token = s.token(StaffRole::Dpo).await;
    let free = person(&s, &officer, "Ferdinand").await;
    let heldback = person(&s, &officer, "Hermione").await;
    let done = closed_request(&s, &dpo_token, free, "Quorblex wants a copy of everything").await;
    let held = closed_request(&s, &dpo_token, heldback, "Heldwick wants a copy of everything").await;
    let open = s
        .created(&dpo_token, "/api/v1/rights-requests", json!({"kind": "erasure", "person_id": free, "description": "Still open"}))
        .await["request"]
        .clone();
    let hold = place_person_hold(&s, heldback).await;
    let closed_on: Date = done["closed_on"].as_str().unwrap().parse().unwrap();
    let due = years(closed_on, 6);

    let up = s.gate.upcoming_disposals(&dpo(&s).await, due.checked_sub(Span::new().months(1)).unwrap(), 3).await.unwrap();
    let month = due.strftime("%Y-%m").to_string();
    assert!(up.contains(&Upcoming { month, class: RecordClass::RightsRequest, count: 2 }), "{up:?}");

    let kept = run_expecting(&s, due.yesterday().unwrap(), RecordClass::RightsRequest, 0, 0).await;
    assert!(kept.certificate.is_none());
    let out = run_expecting(&s, due, RecordClass::RightsRequest, 1, 1).await;
    assert_eq!(out.holds, vec![hold]);
    let id = done["id"].as_i64().unwrap();
    let c = out.certificate.expect("a certificate");
    assert_eq!((c.record_class.as_str(), c.action.as_str(), c.first_id), ("rights_request", "delete", Some(id)));
    assert_eq!(c.rule, "Delete 6 years after the case was closed");
    assert!(!exists(&s, Table::RightsRequest, id).await);
    assert!(exists(&s, Table::RightsRequest, held["id"].as_i64().unwrap()).await, "the hold on the requester keeps it");
    assert!(exists(&s, Table::RightsRequest, open["id"].as_i64().unwrap()).await, "an open request is never due");
    audit_never_mentions(&s, "Quorblex").await;
    assert!(audit_mentions(&s, "Heldwick").await);
    verify_intact(&s).await;
    assert_eq!(run(&s, years(due, 1)).await.disposed(), 0, "the held one stays while held; nothing else is due");
}

/// A flag recorded on `at` (through the store: the API records today),
/// on a tenant of the housing officer's patch.
async fn flag_recorded_on(s: &TestServer, person: i64, at: jiff::Timestamp) -> i64 {
    let input = hearth_domain::needs::WarningFlagInput {
        category: Some("dangerous_animal".into()),
        severity: Some("high".into()),
        risk_assessment: Some("Large dog loose in the garden".into()),
        person_told: Some(false),
        not_told_reason: Some("Telling them would raise the risk".into()),
        ..Default::default()
    };
    let day = at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let fields = input.validate(day, s.gate.review_periods()).unwrap();
    let by = s.gate.user_id("housing_officer").await.unwrap();
    let mut tx = s.store.begin().await.unwrap();
    let id = hearth_store::needs::insert_flag(&mut tx, person, &fields, by, at).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn contact(s: &TestServer, person: i64, occurred_at: Option<&str>) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let mut body = json!({"channel": "call_in", "person_ids": [person], "summary": "Rang about the rent"});
    if let Some(at) = occurred_at {
        body["occurred_at"] = json!(at);
    }
    s.created(&advisor, "/api/v1/contacts", body).await;
}

async fn warning_flags_go_two_years_after_the_last_contact_or_renewal(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let now = jiff::Timestamp::now();
    let today = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let long_ago = now - jiff::SignedDuration::from_hours(400 * 24);
    let old_day = long_ago.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();

    // Recorded today; last in contact before that.
    let a = tenant(&s, &t, since_2015("Alberta", 990_000_026_001)).await.person;
    contact(&s, a, Some("2025-01-06T10:00:00Z")).await;
    let fa = s
        .created(
            &t,
            &format!("/api/v1/people/{a}/warning-flags"),
            json!({"category": "dangerous_animal", "severity": "high",
        "risk_assessment": "Quorblex keeps a large dog", "person_told": false, "not_told_reason": "Telling them would raise the risk"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    // Recorded long ago, in contact today: the contact counts.
    let b = tenant(&s, &t, since_2015("Bartholomew", 990_000_026_002)).await.person;
    let fb = flag_recorded_on(&s, b, long_ago).await;
    contact(&s, b, None).await;
    // Recorded long ago, no contact since: due first. Acknowledged by a reader.
    let c = tenant(&s, &t, since_2015("Cressida", 990_000_026_003)).await.person;
    let fc = flag_recorded_on(&s, c, long_ago).await;
    let (st, v) = s.call(&t, Method::POST, &format!("/api/v1/warning-flags/{fc}/acknowledge"), None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // Recorded long ago, reviewed today: renewed.
    let d = tenant(&s, &t, since_2015("Desmond", 990_000_026_004)).await.person;
    let fd = flag_recorded_on(&s, d, long_ago).await;
    let (st, v) =
        s.call(&t, Method::POST, &format!("/api/v1/warning-flags/{fd}/changes"), Some(json!({"change": "reviewed", "version": 1}))).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // Like C, but held.
    let h = tenant(&s, &t, since_2015("Hermione", 990_000_026_005)).await.person;
    let fh = flag_recorded_on(&s, h, long_ago).await;
    let hold = place_person_hold(&s, h).await;

    let first = years(old_day, 2);
    let second = years(today, 2);
    let up = s.gate.upcoming_disposals(&dpo(&s).await, today, 30).await.unwrap();
    let month = |d: Date| d.strftime("%Y-%m").to_string();
    assert!(up.contains(&Upcoming { month: month(first), class: RecordClass::WarningFlag, count: 2 }), "{up:?}");
    assert!(up.contains(&Upcoming { month: month(second), class: RecordClass::WarningFlag, count: 3 }), "{up:?}");

    run_expecting(&s, first.yesterday().unwrap(), RecordClass::WarningFlag, 0, 0).await;
    let out = run_expecting(&s, first, RecordClass::WarningFlag, 1, 1).await;
    assert_eq!((out.holds.clone(), out.certificate.map(|c| (c.first_id, c.action))), (vec![hold], Some((Some(fc), "delete".to_string()))));
    assert!(!exists(&s, Table::WarningFlag, fc).await, "not renewed and no contact since: deleted with its acknowledgement");
    for id in [fa, fb, fd, fh] {
        assert!(exists(&s, Table::WarningFlag, id).await, "flag {id} kept");
    }

    run_expecting(&s, second.yesterday().unwrap(), RecordClass::WarningFlag, 0, 1).await;
    run_expecting(&s, second, RecordClass::WarningFlag, 3, 1).await;
    for id in [fa, fb, fd] {
        assert!(!exists(&s, Table::WarningFlag, id).await, "flag {id} deleted two years after the last contact or renewal");
    }
    assert!(exists(&s, Table::WarningFlag, fh).await, "held");
    audit_never_mentions(&s, "Quorblex").await;
    verify_intact(&s).await;
}

/// The columns of a person row, so a column added later must be looked at here.
const PERSON_COLUMNS: [&str; 20] = [
    "created_at",
    "date_of_birth",
    "disposal_run_id",
    "disposed_at",
    "family_key",
    "family_name",
    "family_sound",
    "given_key",
    "given_name",
    "given_sound",
    "id",
    "kind",
    "memorable_word_hash",
    "memorable_word_set_at",
    "ni_number",
    "organisation_id",
    "preferred_key",
    "preferred_name",
    "updated_at",
    "version",
];

async fn a_former_tenants_identity_is_reduced_to_a_skeleton_once_their_other_records_are_gone(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let Tenant { person: former, tenancy, .. } = tenant(&s, &t, since_2015("Ferdinand", 990_000_027_001)).await;
    let details = json!({"version": 1, "given_name": "Ferdinand", "family_name": "Quorblexton", "preferred_name": "Ferdo",
                         "date_of_birth": "1961-07-13", "ni_number": "ab 71 35 29 c"});
    let (st, v) = s.call(&t, Method::PUT, &format!("/api/v1/people/{former}"), Some(details)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let child = s
        .created(
            &t,
            "/api/v1/people",
            json!({"kind": "child", "given_name": "Hana", "family_name": "Quorblexton",
                                                     "date_of_birth": "2012-05-05"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let hid = tenancy["household_id"].as_i64().unwrap();
    s.created(
        &t,
        &format!("/api/v1/households/{hid}/members"),
        json!({"person_id": child, "role": "child",
                                                                        "start_date": "2015-04-01"}),
    )
    .await;
    s.created(
        &t,
        &format!("/api/v1/people/{former}/needs"),
        json!({"category": "mobility", "detail": "Uses a walking frame", "source": "staff_contact", "disclosure_channel": "phone",
               "duration": "long_term", "consent_to_tailor": true}),
    )
    .await;
    let Tenant { person: heldback, tenancy: held_tenancy, .. } = tenant(&s, &t, since_2015("Hermione", 990_000_027_002)).await;
    end_tenancy(&s, &t, &tenancy, "2019-03-31").await;
    end_tenancy(&s, &t, &held_tenancy, "2019-03-31").await;
    let person_hold = place_person_hold(&s, heldback).await;
    let due: Date = "2025-03-31".parse().unwrap();

    // The day before: nobody's identity goes.
    run_expecting(&s, due.yesterday().unwrap(), RecordClass::PersonIdentity, 0, 0).await;
    assert_eq!(get(&s, &t, &format!("/api/v1/people/{former}")).await["family_name"], "Quorblexton");

    // On the day, with a hold on the need class: the need stays, so the
    // identity waits (neither disposed nor held); the child goes, the held
    // tenant is held and reported.
    let input = json!({"scope": "record_class", "record_class": "need", "reason": "Audit of needs recording under way"});
    let need_hold = s.gate.place_hold(&dpo(&s).await, &serde_json::from_value::<HoldInput>(input).unwrap()).await.unwrap().id;
    let out = run_expecting(&s, due, RecordClass::PersonIdentity, 1, 1).await;
    assert_eq!(out.holds, vec![person_hold]);
    let c = out.certificate.expect("a certificate");
    assert_eq!(
        (c.record_class.as_str(), c.action.as_str(), c.first_id, c.last_id),
        ("person_identity", "skeleton", Some(child), Some(child))
    );
    assert_eq!(c.rule, "Reduce to a skeleton record 6 years after the tenancy ended");
    assert_eq!(get(&s, &t, &format!("/api/v1/people/{former}")).await["family_name"], "Quorblexton", "waits for the held need");

    // Released: the need goes, then the identity (memorable word included), in the same run.
    hearth_testkit::give_memorable_word(&s, former).await;
    s.gate.release_hold(&dpo(&s).await, need_hold).await.unwrap();
    let r = run(&s, due).await;
    assert_eq!((rule(&r, RecordClass::Need).disposed, rule(&r, RecordClass::PersonIdentity).disposed), (1, 1));
    let run_id = r.run_id.unwrap().to_string();
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().to_string();

    // Every column of the skeleton: nothing personal is left.
    let row = s.store.raw_row(Table::Person, former).await.unwrap().unwrap();
    assert_eq!(row.keys().map(String::as_str).collect::<Vec<_>>(), PERSON_COLUMNS);
    let marker = format!("[removed by retention run {run_id}]");
    let text = |c: &str| row[c].clone();
    assert_eq!(text("given_name").as_deref(), Some(marker.as_str()));
    for c in ["family_name", "given_key", "family_key"] {
        assert_eq!(text(c).as_deref(), Some(""), "{c}");
    }
    for c in [
        "preferred_name",
        "preferred_key",
        "given_sound",
        "family_sound",
        "date_of_birth",
        "ni_number",
        "memorable_word_hash",
        "memorable_word_set_at",
    ] {
        assert_eq!(text(c), None, "{c}");
    }
    assert_eq!(text("id"), Some(former.to_string()));
    assert_eq!(text("kind").as_deref(), Some("adult"));
    assert_eq!(text("organisation_id").as_deref(), Some("1"));
    assert_eq!(text("disposal_run_id"), Some(run_id.clone()));
    assert!(text("disposed_at").unwrap().starts_with(&today));
    assert!(text("updated_at").unwrap().starts_with(&today));
    assert!(text("created_at").is_some() && text("version").is_some());
    // A child's skeleton keeps no date of birth either.
    let row = s.store.raw_row(Table::Person, child).await.unwrap().unwrap();
    assert_eq!((row["kind"].as_deref(), row["date_of_birth"].as_deref(), row["family_name"].as_deref()), (Some("child"), None, Some("")));

    // Nothing about them is left in the audit payloads, and the chain verifies.
    for gone in ["Quorblexton", "Ferdo", "1961-07-13", "AB713529C", "2012-05-05"] {
        audit_never_mentions(&s, gone).await;
    }
    assert!(audit_mentions(&s, "Hermione").await, "the held tenant's stays");
    verify_intact(&s).await;

    // The API says what happened; the page too; search never finds them.
    let (st, v) = s.call(&t, Method::GET, &format!("/api/v1/people/{former}"), None).await;
    assert_eq!(st, StatusCode::GONE, "{v}");
    assert!(v["detail"].as_str().unwrap().contains(&format!("reduced to a skeleton by retention on {today}")), "{v}");
    let c = hearth_testkit::browser();
    hearth_testkit::sign_in(&s, &c, "housing_officer").await;
    let (st, page) = hearth_testkit::get(&s, &c, &format!("/people/{former}")).await;
    assert_eq!(st, StatusCode::GONE);
    assert!(page.contains("Removed by retention") && page.contains(&today), "{page}");
    let list = get(&s, &t, "/api/v1/people?limit=100").await;
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert!(ids.contains(&heldback) && !ids.contains(&former) && !ids.contains(&child), "{ids:?}");
    for q in ["name=Quorblexton", "date_of_birth=1961-07-13", "tenancy_reference=TEN-990000027001"] {
        let found = get(&s, &t, &format!("/api/v1/people?{q}")).await;
        assert_eq!(found["items"], json!([]), "{q}");
    }
    // Nothing new is recorded against a skeleton.
    let (st, _) = s
        .call(
            &t,
            Method::POST,
            &format!("/api/v1/people/{former}/needs"),
            Some(json!({"category": "mobility",
        "detail": "x", "source": "staff_contact", "disclosure_channel": "phone", "duration": "long_term", "consent_to_tailor": true})),
        )
        .await;
    // Not found; or refused first, once their memberships are gone and the
    // officer's patch no longer reaches them.
    assert!(matches!(st, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "{st}");
    // A later run finds nothing more; the held tenant waits for their hold.
    let again = run(&s, due).await;
    assert_eq!((rule(&again, RecordClass::PersonIdentity).disposed, rule(&again, RecordClass::PersonIdentity).held), (0, 1));
}

/// The ids of the person's memberships (counted around Hearth).
async fn memberships_of(s: &TestServer, person: i64) -> Vec<i64> {
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.database_url).await.unwrap();
    let rows = sqlx::query("SELECT id FROM membership WHERE person_id = $1 ORDER BY id").bind(person).fetch_all(&mut conn).await.unwrap();
    rows.iter().map(|r| sqlx::Row::get::<i64, _>(r, "id")).collect()
}

async fn households_and_tenancies_go_after_their_members_identities(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let Tenant { person: former, tenancy, .. } = tenant(&s, &t, since_2015("Ferdinand", 990_000_028_001)).await;
    let child = s
        .created(
            &t,
            "/api/v1/people",
            json!({"kind": "child", "given_name": "Hana", "family_name": "Fictional",
                                                     "date_of_birth": "2012-05-05"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let hid = tenancy["household_id"].as_i64().unwrap();
    s.created(&t, &format!("/api/v1/households/{hid}/members"), json!({"person_id": child, "role": "child", "start_date": "2015-04-01"}))
        .await;
    let Tenant { person: heldback, tenancy: held_tenancy, .. } = tenant(&s, &t, since_2015("Hermione", 990_000_028_002)).await;
    let Tenant { person: current, tenancy: current_tenancy, .. } = tenant(&s, &t, since_2015("Cuthbert", 990_000_028_003)).await;
    end_tenancy(&s, &t, &tenancy, "2019-03-31").await;
    end_tenancy(&s, &t, &held_tenancy, "2019-03-31").await;
    let hold = place_person_hold(&s, heldback).await;
    let due: Date = "2025-03-31".parse().unwrap();
    let (mut gone, kept) = (memberships_of(&s, former).await, memberships_of(&s, heldback).await);
    gone.extend(memberships_of(&s, child).await);
    let (tid, held_hid) = (tenancy["id"].as_i64().unwrap(), held_tenancy["household_id"].as_i64().unwrap());
    let property = s.store.raw_row(Table::Household, hid).await.unwrap().unwrap()["property_id"].clone().unwrap().parse::<i64>().unwrap();

    // Upcoming: three memberships, two tenancies and two households in the anniversary month.
    let up = s.gate.upcoming_disposals(&dpo(&s).await, due.checked_sub(Span::new().months(1)).unwrap(), 3).await.unwrap();
    let month = due.strftime("%Y-%m").to_string();
    assert!(up.contains(&Upcoming { month, class: RecordClass::HouseholdTenancy, count: 7 }), "{up:?}");

    run_expecting(&s, due.yesterday().unwrap(), RecordClass::HouseholdTenancy, 0, 0).await;
    assert!(exists(&s, Table::Tenancy, tid).await);

    // On the day: both identities are reduced, then their memberships, the
    // tenancy and the household go; the held tenant's stay, reported.
    let out = run_expecting(&s, due, RecordClass::HouseholdTenancy, 4, 1).await;
    assert_eq!(out.holds, vec![hold]);
    let c = out.certificate.expect("a certificate");
    assert_eq!((c.record_class.as_str(), c.action.as_str(), c.first_id, c.last_id), ("household_tenancy", "delete", None, None));
    assert_eq!(c.rule, "Delete 6 years after the tenancy ended");
    let ids = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    assert_eq!(c.ids_sha256, audit::digest(&format!("membership:{},tenancy:{tid},household:{hid}", ids(&gone))));
    for m in &gone {
        assert!(!exists(&s, Table::Membership, *m).await);
    }
    assert!(!exists(&s, Table::Tenancy, tid).await && !exists(&s, Table::Household, hid).await);
    assert!(exists(&s, Table::Property, property).await, "a property is not personal data");
    for m in &kept {
        assert!(exists(&s, Table::Membership, *m).await, "held");
    }
    assert!(exists(&s, Table::Tenancy, held_tenancy["id"].as_i64().unwrap()).await && exists(&s, Table::Household, held_hid).await);
    assert!(exists(&s, Table::Tenancy, current_tenancy["id"].as_i64().unwrap()).await, "open");
    assert_eq!(memberships_of(&s, current).await.len(), 1);
    audit_never_mentions(&s, "TEN-990000028001").await;
    assert!(audit_mentions(&s, "TEN-990000028002").await, "the held tenancy's payloads stay");

    // Released: the held tenant's identity, membership, tenancy and household go.
    s.gate.release_hold(&dpo(&s).await, hold).await.unwrap();
    run_expecting(&s, due, RecordClass::HouseholdTenancy, 3, 0).await;
    assert!(!exists(&s, Table::Household, held_hid).await);
    run_expecting(&s, due, RecordClass::HouseholdTenancy, 0, 0).await;
    verify_intact(&s).await;
}
