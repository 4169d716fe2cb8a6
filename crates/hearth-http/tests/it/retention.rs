//! Retention and disposal on SQLite and PostgreSQL, with the clock passed in:
//! each rule fires on its anniversary and not the day before, a closed case
//! becomes a skeleton holding no personal field (checked on the full row),
//! legal holds keep records back and are reported, every disposal leaves a
//! certificate without personal data, and the audit chain still verifies
//! after the disposed records' payloads are redacted.

use crate::retention_helpers::{dpo, plan, rule, run, verify_intact, years};
use hearth_domain::{cases::CaseKind, retention::RecordClass, staff::StaffRole};
use hearth_gate::retention::{HoldInput, RetentionMode, Upcoming, RETENTION_PURPOSE};
use hearth_gate::GateError;
use hearth_store::audit;
use hearth_store::retention::removed_marker;
use hearth_store::Table;
use hearth_testkit::fixtures::person;
use hearth_testkit::fixtures::{case_worker, closed_case, closing_outcome, NewCase};
use hearth_testkit::{problem_fields, TestServer};
use jiff::civil::Date;
use jiff::Span;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    chatbot_logs_are_deleted_two_years_after_creation_to_the_day,
    call_recordings_are_deleted_six_months_after_they_were_made_to_the_day,
    case_documents_are_deleted_three_years_after_the_case_closed_unless_the_case_is_held,
    closed_cases_become_skeletons_seven_years_after_closure,
    every_kind_of_case_becomes_a_skeleton_on_its_day,
    legal_holds_keep_records_back_and_are_reported,
    only_a_role_that_may_dispose_plans_or_runs_retention,
    the_api_lists_record_classes_and_manages_holds,
);

fn day_before(d: Date) -> Date {
    d.yesterday().unwrap()
}

/// Logs one contact; returns the entry.
async fn log(s: &TestServer, t: &str, body: Value) -> Value {
    let (st, v) = s.call(t, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v["entries"][0].clone()
}

/// The UTC date an entry was recorded: its "created" trigger.
fn created_on(entry: &Value) -> Date {
    let t: jiff::Timestamp = entry["recorded_at"].as_str().unwrap().parse().unwrap();
    t.to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

/// No audit event still carries `text` in its payload.
async fn audit_never_mentions(s: &TestServer, text: &str) {
    let mut tx = s.store.begin().await.unwrap();
    let events = audit::events_after(&mut tx, 0, 100_000).await.unwrap();
    for e in events {
        assert!(!e.event.detail.as_deref().unwrap_or("").contains(text), "event {} still holds {text:?}: {:?}", e.id, e.event.detail);
    }
}

async fn chatbot_logs_are_deleted_two_years_after_creation_to_the_day(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &advisor, "Bo", "Chatterley").await;
    let chat =
        log(&s, &advisor, json!({"channel": "chatbot", "person_ids": [who], "summary": "Asked the bot about Zebulon's boiler"})).await;
    let call = log(&s, &advisor, json!({"channel": "call_in", "person_ids": [who], "summary": "Rang about rent"})).await;
    let chat_id = chat["id"].as_i64().unwrap();
    let due = years(created_on(&chat), 2);

    // Upcoming by month: due in its anniversary month; once overdue, in the current month.
    let up = s.gate.upcoming_disposals(&dpo(&s).await, due.checked_sub(Span::new().months(3)).unwrap(), 12).await.unwrap();
    let month = |d: Date| d.strftime("%Y-%m").to_string();
    assert!(up.contains(&Upcoming { month: month(due), class: RecordClass::ContactLogChatbot, count: 1 }), "{up:?}");
    let later = years(due, 1);
    let up = s.gate.upcoming_disposals(&dpo(&s).await, later, 12).await.unwrap();
    assert!(up.contains(&Upcoming { month: month(later), class: RecordClass::ContactLogChatbot, count: 1 }), "{up:?}");
    assert!(s
        .gate
        .upcoming_disposals(&dpo(&s).await, day_before(due.checked_sub(Span::new().months(12)).unwrap()), 12)
        .await
        .unwrap()
        .is_empty());

    // The day before: planned as nothing, kept by a run.
    assert_eq!(rule(&plan(&s, day_before(due)).await, RecordClass::ContactLogChatbot).disposed, 0);
    let kept = run(&s, day_before(due)).await;
    assert_eq!(rule(&kept, RecordClass::ContactLogChatbot).disposed, 0);
    assert!(rule(&kept, RecordClass::ContactLogChatbot).certificate.is_none(), "no certificate when nothing was disposed");
    assert!(s.store.raw_row(Table::ContactEntry, chat_id).await.unwrap().is_some());

    // On the day: planned, then deleted; the phone call (another rule) stays.
    assert_eq!(rule(&plan(&s, due).await, RecordClass::ContactLogChatbot).disposed, 1);
    let done = run(&s, due).await;
    let out = rule(&done, RecordClass::ContactLogChatbot);
    assert_eq!((out.disposed, out.held), (1, 0));
    assert!(s.store.raw_row(Table::ContactEntry, chat_id).await.unwrap().is_none());
    assert!(s.store.raw_row(Table::ContactEntry, call["id"].as_i64().unwrap()).await.unwrap().is_some());
    let dpo_token = s.token(StaffRole::Dpo).await;
    let (st, timeline) = s.call(&dpo_token, Method::GET, &format!("/api/v1/people/{who}/timeline"), None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(!timeline.to_string().contains("Zebulon"), "{timeline}");

    // The certificate: rule, class, count, id range, hash of the ids, operator; no personal data.
    let c = out.certificate.clone().expect("a certificate");
    assert_eq!(c.run_id, done.run_id.unwrap());
    assert_eq!((c.record_class.as_str(), c.action.as_str(), c.disposed, c.held), ("contact_log_chatbot", "delete", 1, 0));
    assert_eq!((c.first_id, c.last_id), (Some(chat_id), Some(chat_id)));
    assert_eq!(c.ids_sha256, audit::digest(&chat_id.to_string()));
    assert_eq!(c.rule, "Delete 2 years after it was created");
    assert_eq!(c.operator, "dpo");
    assert_eq!(c.as_of, due.to_string());
    let stored = s.gate.certificates(&dpo(&s).await, done.run_id, false).await.unwrap();
    assert_eq!(stored, vec![c.clone()]);
    let text = serde_json::to_string(&c).unwrap();
    assert!(!text.contains("Zebulon") && !text.contains("Chatterley"), "{text}");
    let cert_row = s.store.raw_row(Table::DisposalCertificate, c.id).await.unwrap().unwrap();
    assert!(cert_row.values().flatten().all(|v| !v.contains("Zebulon") && !v.contains("Chatterley")), "{cert_row:?}");

    // The audit trail no longer holds what the entry said, and still verifies.
    audit_never_mentions(&s, "Zebulon").await;
    let mut tx = s.store.begin().await.unwrap();
    let events = audit::events_after(&mut tx, 0, 100_000).await.unwrap();
    drop(tx);
    let redacted: Vec<_> = events.iter().filter(|e| e.event.record_type == "contact_entry" && e.event.record_id == Some(chat_id)).collect();
    assert!(!redacted.is_empty());
    for e in &redacted {
        assert_eq!(e.event.detail, None);
        assert_eq!(e.redacted.as_deref(), Some(format!("redacted by retention run {}", done.run_id.unwrap()).as_str()));
    }
    assert!(
        events.iter().any(|e| e.event.action == "delete" && e.event.actor_username == "dpo" && e.event.compartment == "contact_log"),
        "the disposal itself is audited"
    );
    verify_intact(&s).await;
    // A second run on the same day finds nothing more.
    assert_eq!(run(&s, due).await.disposed(), 0);
}

async fn closed_cases_become_skeletons_seven_years_after_closure(s: TestServer) {
    let officer = s.token(StaffRole::AsbOfficer).await;
    let officer_id = s.gate.user_id("asb_officer").await.unwrap();
    let reporter = person(&s, &officer, "Quill", "Reportwell").await;
    let accused = person(&s, &officer, "Ruben", "Noisemaker").await;
    let (st, opened) = s
        .call(
            &officer,
            Method::POST,
            "/api/v1/cases",
            Some(json!({"kind": "asb", "summary": "Loud music from Ruben Noisemaker's flat", "assigned_to": officer_id, "team": "Northside ASB",
                "parties": [{"person_id": reporter, "role": "reporter", "anonymous": true}, {"person_id": accused, "role": "alleged_perpetrator"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{opened}");
    let id = opened["case"]["id"].as_i64().unwrap();
    let reference = opened["case"]["reference"].as_str().unwrap().to_string();
    let path = format!("/api/v1/cases/{id}/changes");
    let (st, noted) = s
        .call(
            &officer,
            Method::POST,
            &path,
            Some(json!({"change": "note", "version": opened["case"]["version"], "text": "Spoke to the reporter again"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{noted}");
    let entry = log(
        &s,
        &officer,
        json!({"channel": "call_out", "compartment": "asb", "case_id": id, "person_ids": [accused], "summary": "Warned Ruben about the noise",
            "verbatim": "It wasn't me, it was Xanthe", "verbatim_reason": "legal_matter"}),
    )
    .await;
    let entry_id = entry["id"].as_i64().unwrap();
    let (st, closed) = s
        .call(&officer, Method::POST, &path, Some(json!({"change": "close", "version": noted["case"]["version"], "outcome": "resolved", "note": "Ruben moved out", "remedy": "Mediation between the neighbours"})))
        .await;
    assert_eq!(st, StatusCode::OK, "{closed}");
    let closed_on: Date = closed["case"]["retention_from"].as_str().unwrap().parse().unwrap();
    let due = years(closed_on, 7);

    let kept = run(&s, day_before(due)).await;
    assert_eq!(rule(&kept, RecordClass::CaseAsb).disposed, 0);
    let before = s.store.raw_row(Table::CaseRecord, id).await.unwrap().unwrap();
    assert!(before["summary"].as_deref().unwrap().contains("Noisemaker"), "untouched the day before");

    let done = run(&s, due).await;
    let run_id = done.run_id.unwrap();
    assert_eq!(rule(&done, RecordClass::CaseAsb).disposed, 1);
    let marker = removed_marker(run_id);

    // The full row: only non-personal fields keep a value.
    let row = s.store.raw_row(Table::CaseRecord, id).await.unwrap().unwrap();
    let kept_fields = [
        "id",
        "reference",
        "kind",
        "compartment",
        "status",
        "priority",
        "opened_at",
        "opened_by",
        "due_date",
        "closed_at",
        "outcome",
        "retention_from",
        "days_to_complete",
        "upheld",
        "stage",
        "stage_received_on",
        "acknowledged_on",
        "extension_days",
        "ombudsman_escalated_on",
        "trade",
        "no_access_visits",
        "updated_at",
        "version",
        "disposed_at",
        "disposal_run_id",
    ];
    for (column, value) in &row {
        if column == "summary" {
            assert_eq!(value.as_deref(), Some(marker.as_str()));
        } else if !kept_fields.contains(&column.as_str()) {
            assert_eq!(value, &None, "skeleton keeps no {column}: {row:?}");
        }
    }
    assert_eq!(row["reference"].as_deref(), Some(reference.as_str()));
    assert_eq!(row["kind"].as_deref(), Some("asb"));
    assert_eq!(row["status"].as_deref(), Some("closed"));
    assert_eq!(row["outcome"].as_deref(), Some("resolved"));
    assert_eq!(row["retention_from"].as_deref(), Some(closed_on.to_string().as_str()));
    assert_eq!(row["disposal_run_id"].as_deref(), Some(run_id.to_string().as_str()));
    for name in ["Noisemaker", "Reportwell", "Quill", "Ruben", "Northside", "Mediation"] {
        assert!(row.values().flatten().all(|v| !v.contains(name)), "{name} in {row:?}");
    }

    // The contact entry on the case: channel and times only.
    let e = s.store.raw_row(Table::ContactEntry, entry_id).await.unwrap().unwrap();
    assert_eq!(e["summary"].as_deref(), Some(marker.as_str()));
    assert_eq!((e["verbatim"].clone(), e["verbatim_reason"].clone(), e["place"].clone()), (None, None, None));
    assert_eq!(e["channel"].as_deref(), Some("call_out"));
    assert!(e.values().flatten().all(|v| !v.contains("Ruben") && !v.contains("Xanthe")), "{e:?}");

    // Seen through the API: no parties, no timeline text, no people on the entry.
    let dpo_token = s.token(StaffRole::Dpo).await;
    let (st, view) = s.call(&dpo_token, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(st, StatusCode::OK, "{view}");
    assert_eq!(view["parties"], json!([]));
    assert!(view["timeline"].as_array().unwrap().iter().all(|t| t["detail"] == json!(marker)), "{view}");
    let (st, shown) = s.call(&dpo_token, Method::GET, &format!("/api/v1/contacts/{entry_id}"), None).await;
    assert_eq!(st, StatusCode::OK, "{shown}");
    assert_eq!(shown["person_ids"], json!([]));
    for name in ["Noisemaker", "Reportwell", "Xanthe", "Mediation"] {
        assert!(!view.to_string().contains(name) && !shown.to_string().contains(name), "{name}");
    }
    // The people themselves are another record class (still held); what
    // the case and its entries said is gone from the audit payloads too.
    for text in ["Loud music", "Spoke to the reporter", "Warned Ruben", "Xanthe", "moved out", "Mediation"] {
        audit_never_mentions(&s, text).await;
    }
    verify_intact(&s).await;
    assert!(rule(&done, RecordClass::CaseAsb).certificate.is_some());
    // Reduced once: a later run leaves the skeleton alone.
    assert_eq!(rule(&run(&s, years(due, 1)).await, RecordClass::CaseAsb).disposed, 0);
}

/// Each case class's rule fires on its own day: the ASB test above looks
/// at the skeleton field by field; this one checks every other kind at its
/// boundary, each opened and closed by a role that works that kind.
async fn every_kind_of_case_becomes_a_skeleton_on_its_day(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let home = json!({"uprn": 100000777, "line1": "7 Notional Walk", "town": "Testbury", "postcode": "ZZ99 7AB"});
    let (st, prop) = s.call(&officer, Method::POST, "/api/v1/properties", Some(home)).await;
    assert_eq!(st, StatusCode::CREATED, "{prop}");
    for (kind, class) in [
        (CaseKind::Safeguarding, RecordClass::CaseSafeguarding),
        (CaseKind::CareSupport, RecordClass::CaseCareSupport),
        (CaseKind::Repair, RecordClass::CaseRepair),
        (CaseKind::Complaint, RecordClass::CaseComplaint),
        (CaseKind::TenancyManagement, RecordClass::CaseTenancyManagement),
    ] {
        // A new subject each time: one who never held a tenancy is reduced
        // by their own rule once the case naming them is.
        let subject = person(&s, &advisor, "Kit", "Kindly").await;
        let role = case_worker(kind);
        let t = s.token(role).await;
        let extra = if kind == CaseKind::Repair { json!({"trade": "plumbing", "property_id": prop["id"]}) } else { json!({}) };
        let case = for_holds(kind, subject).assigned_to(role.as_str()).extra(extra);
        let (case, closed_on) = closed_case(&s, &t, case, closing_outcome(kind)).await;
        let id = case.id;
        let due = years(closed_on, 7);
        assert_eq!(rule(&run(&s, day_before(due)).await, class).disposed, 0, "{kind}: kept the day before");
        assert_eq!(disposed_at(&s, id).await, None, "{kind}");
        assert_eq!(rule(&run(&s, due).await, class).disposed, 1, "{kind}: reduced on the day");
        assert!(disposed_at(&s, id).await.is_some(), "{kind}");
    }
    verify_intact(&s).await;
}

/// A case about `subject` as the retention tests open them.
fn for_holds(kind: CaseKind, subject: i64) -> NewCase<'static> {
    NewCase::new(kind, subject).summary("Synthetic case for holds")
}

/// A case opened by the housing officer, assigned to them, and closed; its id and retention day.
async fn close_case(s: &TestServer, t: &str, kind: CaseKind, person: i64) -> (i64, Date) {
    let (case, from) = closed_case(s, t, for_holds(kind, person).assigned_to("housing_officer"), closing_outcome(kind)).await;
    (case.id, from)
}

async fn disposed_at(s: &TestServer, case_id: i64) -> Option<String> {
    s.store.raw_row(Table::CaseRecord, case_id).await.unwrap().unwrap()["disposed_at"].clone()
}

async fn legal_holds_keep_records_back_and_are_reported(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let held_person = person(&s, &advisor, "Hal", "Heldback").await;
    let free_person = person(&s, &advisor, "Fay", "Freely").await;
    let held_chat = log(&s, &advisor, json!({"channel": "chatbot", "person_ids": [held_person], "summary": "Bot chat one"})).await;
    let free_chat = log(&s, &advisor, json!({"channel": "chatbot", "person_ids": [free_person], "summary": "Bot chat two"})).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let (held_case, closed_on) = close_case(&s, &officer, CaseKind::TenancyManagement, free_person).await;
    let (free_case, _) = close_case(&s, &officer, CaseKind::TenancyManagement, free_person).await;
    let (class_held_case, _) = close_case(&s, &officer, CaseKind::Complaint, free_person).await;

    let dpo_actor = dpo(&s).await;
    let hold = |scope: &str, extra: Value| {
        let mut input = json!({"scope": scope, "reason": "Disrepair claim pending in the county court"});
        input.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        serde_json::from_value::<HoldInput>(input).unwrap()
    };
    let on_person = s.gate.place_hold(&dpo_actor, &hold("person", json!({"person_id": held_person}))).await.unwrap();
    let on_case = s.gate.place_hold(&dpo_actor, &hold("case", json!({"case_id": held_case}))).await.unwrap();
    let on_class =
        s.gate.place_hold(&dpo_actor, &hold("record_class", json!({"record_class": "case_complaint", "owner": "manager"}))).await.unwrap();
    assert_eq!(on_class.owner, "manager");
    // A hold needs a reason and its target.
    let bad = s.gate.place_hold(&dpo_actor, &HoldInput { scope: "case".into(), reason: "short".into(), ..Default::default() }).await;
    match bad {
        Err(GateError::Invalid(v)) => {
            let fields: Vec<_> = v.0.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["reason", "case_id"]);
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    // Only the DPO places holds.
    let officer = s.gate.actor_for("housing_officer", RETENTION_PURPOSE).await.unwrap();
    assert!(matches!(s.gate.place_hold(&officer, &hold("person", json!({"person_id": free_person}))).await, Err(GateError::Denied { .. })));

    let as_of = years(created_on(&held_chat), 2).max(years(closed_on, 7));
    let planned = plan(&s, as_of).await;
    assert_eq!((rule(&planned, RecordClass::ContactLogChatbot).disposed, rule(&planned, RecordClass::ContactLogChatbot).held), (1, 1));
    let done = run(&s, as_of).await;
    let chat = rule(&done, RecordClass::ContactLogChatbot);
    assert_eq!((chat.disposed, chat.held, chat.holds.clone()), (1, 1, vec![on_person.id]));
    let tm = rule(&done, RecordClass::CaseTenancyManagement);
    assert_eq!((tm.disposed, tm.held, tm.holds.clone()), (1, 1, vec![on_case.id]));
    let cmp = rule(&done, RecordClass::CaseComplaint);
    assert_eq!((cmp.disposed, cmp.held, cmp.holds.clone()), (0, 1, vec![on_class.id]));
    assert_eq!(cmp.certificate.as_ref().map(|c| (c.disposed, c.held)), Some((0, 1)), "a rule that only held still gets a certificate");
    assert!(s.store.raw_row(Table::ContactEntry, held_chat["id"].as_i64().unwrap()).await.unwrap().is_some());
    assert!(s.store.raw_row(Table::ContactEntry, free_chat["id"].as_i64().unwrap()).await.unwrap().is_none());
    assert!(disposed_at(&s, held_case).await.is_none());
    assert!(disposed_at(&s, free_case).await.is_some());
    assert!(disposed_at(&s, class_held_case).await.is_none());
    assert_eq!(s.gate.legal_holds(&dpo_actor).await.unwrap().len(), 3);

    // Released: the next run disposes of what was held.
    for h in [on_person.id, on_case.id, on_class.id] {
        assert!(s.gate.release_hold(&dpo_actor, h).await.unwrap().released_at.is_some());
    }
    assert!(matches!(s.gate.release_hold(&dpo_actor, on_case.id).await, Err(GateError::Invalid(_))), "released once");
    let after = run(&s, as_of).await;
    // The three held records, and then both people, who never held a
    // tenancy: their last contact is long past, and no case names them now.
    assert_eq!((after.disposed(), after.held()), (5, 0));
    assert_eq!(rule(&after, RecordClass::NonTenant).disposed, 2);
    assert!(s.gate.legal_holds(&dpo_actor).await.unwrap().is_empty());
    let runs = s.gate.retention_runs(&dpo_actor, 10).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!((runs[0].status.as_str(), runs[0].disposed, runs[1].held), ("finished", 5, done.held() as i64));
    verify_intact(&s).await;
}

async fn only_a_role_that_may_dispose_plans_or_runs_retention(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &advisor, "Ida", "Nobody").await;
    let chat = log(&s, &advisor, json!({"channel": "chatbot", "person_ids": [who], "summary": "Bot chat"})).await;
    let due = years(created_on(&chat), 2);
    let advisor_actor = s.gate.actor_for("contact_centre_advisor", RETENTION_PURPOSE).await.unwrap();
    let planned = s.gate.retention(&advisor_actor, due, RetentionMode::Plan, 100, &|_, _| {}).await;
    assert!(matches!(planned, Err(GateError::Denied { .. })), "{planned:?}");
    let ran = s.gate.retention(&advisor_actor, due, RetentionMode::Run { started_by: "command" }, 100, &|_, _| {}).await;
    assert!(matches!(ran, Err(GateError::Denied { .. })), "{ran:?}");
    assert!(s.store.raw_row(Table::ContactEntry, chat["id"].as_i64().unwrap()).await.unwrap().is_some());
    // The refused run is on record as failed, and the refusal is audited.
    let runs = s.gate.retention_runs(&dpo(&s).await, 10).await.unwrap();
    assert_eq!(runs[0].status, "failed");
    let mut tx = s.store.begin().await.unwrap();
    let events = audit::events_after(&mut tx, 0, 100_000).await.unwrap();
    assert!(events
        .iter()
        .any(|e| e.event.decision == "deny" && e.event.actor_username == "contact_centre_advisor" && e.event.action == "delete"));
}

async fn the_api_lists_record_classes_and_manages_holds(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let (st, classes) = s.call(&advisor, Method::GET, "/api/v1/record-classes", None).await;
    assert_eq!(st, StatusCode::OK);
    let listed: Vec<&str> = classes.as_array().unwrap().iter().map(|c| c["class"].as_str().unwrap()).collect();
    assert_eq!(listed.len(), RecordClass::ALL.len());
    for c in classes.as_array().unwrap() {
        assert!(!c["purpose"].as_str().unwrap().is_empty() && !c["lawful_basis"].as_array().unwrap().is_empty(), "{c}");
    }
    let who = person(&s, &advisor, "Api", "Holder").await;

    let dpo_token = s.token(StaffRole::Dpo).await;
    let (st, p) = s.call(&dpo_token, Method::POST, "/api/v1/retention/holds", Some(json!({"scope": "case", "reason": "x"}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(problem_fields(&p), ["reason", "case_id"]);
    let body = json!({"scope": "person", "person_id": who, "reason": "Subject access request in progress"});
    let (st, _) = s.call(&advisor, Method::POST, "/api/v1/retention/holds", Some(body.clone())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, hold) = s.call(&dpo_token, Method::POST, "/api/v1/retention/holds", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{hold}");
    assert_eq!((hold["scope"].as_str(), hold["person_id"].as_i64(), hold["owner"].as_str()), (Some("person"), Some(who), Some("dpo")));
    let (st, list) = s.call(&dpo_token, Method::GET, "/api/v1/retention/holds", None).await;
    assert_eq!((st, list.as_array().unwrap().len()), (StatusCode::OK, 1));
    let id = hold["id"].as_i64().unwrap();
    let (st, released) = s.call(&dpo_token, Method::POST, &format!("/api/v1/retention/holds/{id}/release"), None).await;
    assert_eq!(st, StatusCode::OK, "{released}");
    assert!(released["released_at"].is_string());
    for path in ["/api/v1/retention/upcoming", "/api/v1/retention/runs", "/api/v1/retention/certificates", "/api/v1/retention/holds"] {
        assert_eq!(s.call(&dpo_token, Method::GET, path, None).await.0, StatusCode::OK, "{path}");
        assert_eq!(s.call(&advisor, Method::GET, path, None).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    let (_, doc) = s.call(&advisor, Method::GET, "/api/v1/openapi.json", None).await;
    for path in ["/api/v1/record-classes", "/api/v1/retention/holds", "/api/v1/retention/certificates"] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
}

async fn call_recordings_are_deleted_six_months_after_they_were_made_to_the_day(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &advisor, "Rhoda", "Tapely").await;
    let call = log(&s, &advisor, json!({"channel": "call_in", "person_ids": [who], "summary": "Disputed the rent figure"})).await;
    let (st, rec) = s
        .call(
            &advisor,
            Method::POST,
            "/api/v1/call-recordings",
            Some(json!({"contact_entry_id": call["id"], "purpose": "fact_verification", "storage_ref": "TEL-QUILLFEATHER-9"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rec}");
    let id = rec["id"].as_i64().unwrap();
    let made: jiff::Timestamp = rec["recorded_at"].as_str().unwrap().parse().unwrap();
    let due = made.to_zoned_datetime(jiff::tz::TimeZone::UTC).date().checked_add(Span::new().months(6)).unwrap();

    let kept = run(&s, day_before(due)).await;
    assert_eq!(rule(&kept, RecordClass::CallRecording).disposed, 0, "kept the day before");
    assert!(s.store.raw_row(Table::CallRecording, id).await.unwrap().is_some());

    assert_eq!(rule(&plan(&s, due).await, RecordClass::CallRecording).disposed, 1);
    let done = run(&s, due).await;
    let out = rule(&done, RecordClass::CallRecording);
    assert_eq!((out.disposed, out.held), (1, 0), "disposed on the day");
    assert!(s.store.raw_row(Table::CallRecording, id).await.unwrap().is_none());
    assert!(
        s.store.raw_row(Table::ContactEntry, call["id"].as_i64().unwrap()).await.unwrap().is_some(),
        "the call's entry has its own rule"
    );
    let c = out.certificate.clone().expect("a certificate");
    assert_eq!((c.record_class.as_str(), c.action.as_str(), c.first_id, c.last_id), ("call_recording", "delete", Some(id), Some(id)));
    assert_eq!(c.rule, "Delete 6 months after it was created");
    audit_never_mentions(&s, "TEL-QUILLFEATHER-9").await;
    verify_intact(&s).await;
}

async fn case_documents_are_deleted_three_years_after_the_case_closed_unless_the_case_is_held(s: TestServer) {
    use reqwest::multipart::{Form, Part};
    let officer = s.token(StaffRole::HousingOfficer).await;
    let who = person(&s, &officer, "Ottoline", "Scrivener").await;
    let upload = |case_id: i64, title: &'static str| {
        // Filed on the case: in the case's compartment (tenancy), which the gate derives.
        let form = Form::new()
            .text("case_id", case_id.to_string())
            .text("title", title)
            .part("file", Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("letter.pdf").mime_str("application/pdf").unwrap());
        s.client.post(s.url(&format!("/api/v1/people/{who}/documents"))).bearer_auth(&officer).multipart(form).send()
    };
    let (case_id, closed_on) = close_case(&s, &officer, CaseKind::TenancyManagement, who).await;
    let (held_case, _) = close_case(&s, &officer, CaseKind::TenancyManagement, who).await;
    let mut docs = vec![];
    for (case, title) in [(case_id, "Letter about Wendeline Court"), (held_case, "Held letter")] {
        let r = upload(case, title).await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        docs.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let dpo_token = s.token(StaffRole::Dpo).await;
    let (st, hold) = s
        .call(
            &dpo_token,
            Method::POST,
            "/api/v1/retention/holds",
            Some(json!({"scope": "case", "case_id": held_case, "reason": "Disrepair claim"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{hold}");
    let due = years(closed_on, 3);

    assert_eq!(rule(&run(&s, day_before(due)).await, RecordClass::CaseDocument).disposed, 0, "kept the day before");
    assert_eq!(s.count(Table::Document).await, 2);
    let done = run(&s, due).await;
    let out = rule(&done, RecordClass::CaseDocument);
    assert_eq!((out.disposed, out.held), (1, 1), "disposed on the day; the held case's document kept");
    assert_eq!(out.holds, vec![hold["id"].as_i64().unwrap()]);
    // (Document rows hold bytes, which `raw_row` does not read: count instead.)
    assert_eq!(s.count(Table::Document).await, 1, "only the held case's document is left");
    assert!(s.store.raw_row(Table::CaseRecord, case_id).await.unwrap().is_some(), "the case itself waits for its own rule");
    let c = out.certificate.clone().expect("a certificate");
    assert_eq!((c.record_class.as_str(), c.first_id, c.disposed), ("case_document", Some(docs[0]), 1));
    audit_never_mentions(&s, "Wendeline").await;
    verify_intact(&s).await;
}
