//! Call recordings, notifications and follow-ups over HTTP on SQLite and
//! PostgreSQL: a landlord recording needs one of the four named purposes
//! and belongs to a call; it is kept under the call-recording retention
//! class and read back only by those the recordings compartment allows; a
//! call ended over an unconsented customer recording needs a note and
//! tells the staff member's line manager, and nobody else; without a line
//! manager nothing is stored; a follow-up is marked done once, by whom and
//! when, under its entry's compartment rules.

use hearth_domain::staff::StaffRole;
use hearth_store::Table;
use hearth_testkit::{problem_fields, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    a_landlord_recording_has_a_named_purpose_and_belongs_to_a_call,
    an_ended_call_tells_the_line_manager_and_nobody_else,
    a_follow_up_is_marked_done_once,
);

async fn person(s: &TestServer, t: &str) -> i64 {
    let (st, p) = s.call(t, Method::POST, "/api/v1/people", Some(json!({"given_name": "Rec", "family_name": "Ordwell"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn contact(s: &TestServer, t: &str, body: Value) -> Value {
    let (st, v) = s.call(t, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v["entries"][0].clone()
}

async fn recording(s: &TestServer, t: &str, body: Value) -> (StatusCode, Value) {
    s.call(t, Method::POST, "/api/v1/call-recordings", Some(body)).await
}

async fn a_landlord_recording_has_a_named_purpose_and_belongs_to_a_call(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &advisor).await;
    let call = contact(&s, &advisor, json!({"channel": "call_in", "person_ids": [who], "summary": "Rent query"})).await["id"].clone();
    let email = contact(&s, &advisor, json!({"channel": "email_in", "person_ids": [who], "summary": "Rent query"})).await["id"].clone();
    let purposes = ["training_quality", "fact_verification", "transaction_evidence", "tenancy_breach_evidence"];
    let mut ids = vec![];
    for (i, purpose) in purposes.iter().enumerate() {
        let (st, r) =
            recording(&s, &advisor, json!({"contact_entry_id": call, "purpose": purpose, "storage_ref": format!("TEL-TEST-{i}")})).await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        assert_eq!(
            (r["purpose"].as_str(), r["retention_class"].as_str(), r["made_by"].as_str()),
            (Some(*purpose), Some("call_recording"), Some("landlord"))
        );
        ids.push(r["id"].as_i64().unwrap());
    }
    let (st, r) = recording(&s, &advisor, json!({"contact_entry_id": call, "purpose": "marketing", "storage_ref": "TEL-X"})).await;
    assert_eq!((st, problem_fields(&r)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["purpose".to_string()]));
    let (st, r) = recording(&s, &advisor, json!({"contact_entry_id": call, "storage_ref": "TEL-X"})).await;
    assert_eq!((st, problem_fields(&r)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["purpose".to_string()]));
    let (st, r) = recording(&s, &advisor, json!({"contact_entry_id": email, "purpose": "fact_verification", "storage_ref": "TEL-X"})).await;
    assert_eq!(
        (st, problem_fields(&r)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["contact_entry_id".to_string()]),
        "only calls are recorded"
    );
    let (st, r) =
        recording(&s, &advisor, json!({"contact_entry_id": 999999, "purpose": "fact_verification", "storage_ref": "TEL-X"})).await;
    assert_eq!((st, problem_fields(&r)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["contact_entry_id".to_string()]));
    assert_eq!(s.count(Table::CallRecording).await, 4);

    // Filing is not reading: the advisor may not read recordings back; the DPO may.
    let (st, _) = s.call(&advisor, Method::GET, &format!("/api/v1/call-recordings/{}", ids[0]), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, r) = s.call(&dpo, Method::GET, &format!("/api/v1/call-recordings/{}", ids[3]), None).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!((r["purpose"].as_str(), r["storage_ref"].as_str()), (Some("tenancy_breach_evidence"), Some("TEL-TEST-3")));
    // Contractors take no calls and file nothing.
    let contractor = s.token(StaffRole::Contractor).await;
    let (st, _) = recording(&s, &contractor, json!({"contact_entry_id": call, "purpose": "fact_verification", "storage_ref": "T"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn an_ended_call_tells_the_line_manager_and_nobody_else(s: TestServer) {
    s.gate.set_manager("contact_centre_advisor", "manager").await.unwrap();
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &advisor).await;
    let call = contact(&s, &advisor, json!({"channel": "call_in", "person_ids": [who], "summary": "Caller recording"})).await["id"].clone();
    let ended = json!({"contact_entry_id": call, "made_by": "customer", "staff_consent": false, "call_ended": true});
    let (st, r) = recording(&s, &advisor, ended.clone()).await;
    assert_eq!((st, problem_fields(&r)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["note".to_string()]), "a note is required");
    assert_eq!(s.count(Table::StaffNotification).await, 0);

    let mut with_note = ended.clone();
    with_note["note"] = json!("Caller said they were recording; I did not consent, ended the call and offered email instead.");
    let (st, r) = recording(&s, &advisor, with_note.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!((r["staff_consent"].as_bool(), r["call_ended"].as_bool()), (Some(false), Some(true)));
    let rec_id = r["id"].as_i64().unwrap();

    let manager = s.token(StaffRole::Manager).await;
    let (st, n) = s.call(&manager, Method::GET, "/api/v1/notifications", None).await;
    assert_eq!(st, StatusCode::OK, "{n}");
    let items = n["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{n}");
    assert_eq!(items[0]["kind"], "call_ended_unconsented_recording");
    assert_eq!(items[0]["recording_id"].as_i64(), Some(rec_id));
    assert_eq!(items[0]["about_staff_id"].as_i64(), Some(s.gate.user_id("contact_centre_advisor").await.unwrap()));
    assert!(items[0]["message"].as_str().unwrap().contains("Test Contact-centre advisor"), "{n}");
    assert!(!items[0]["message"].as_str().unwrap().contains("Ordwell"), "no customer's name in a notification");
    for role in [StaffRole::ContactCentreAdvisor, StaffRole::HousingOfficer, StaffRole::Dpo, StaffRole::SafeguardingLead] {
        let t = s.token(role).await;
        let (st, n) = s.call(&t, Method::GET, "/api/v1/notifications", None).await;
        assert_eq!((st, n["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{role} is not told");
    }

    // A consented customer recording tells nobody.
    let (st, r) = recording(&s, &advisor, json!({"contact_entry_id": call, "made_by": "customer", "staff_consent": true})).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!(s.count(Table::StaffNotification).await, 1);

    // Someone with no line manager cannot end a call unheard: refused, and nothing stored.
    let officer = s.token(StaffRole::HousingOfficer).await;
    let their_call =
        contact(&s, &officer, json!({"channel": "call_out", "person_ids": [who], "summary": "Returned a call"})).await["id"].clone();
    let mut theirs = with_note;
    theirs["contact_entry_id"] = their_call;
    let before = s.count(Table::CallRecording).await;
    let (st, r) = recording(&s, &officer, theirs).await;
    assert_eq!((st, problem_fields(&r)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["call_ended".to_string()]));
    assert_eq!(s.count(Table::CallRecording).await, before);
}

async fn a_follow_up_is_marked_done_once(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let me = s.gate.user_id("contact_centre_advisor").await.unwrap();
    let owner = s.gate.user_id("housing_officer").await.unwrap();
    let who = person(&s, &advisor).await;
    // An advisor sees the contact history only after checking the caller.
    hearth_testkit::check_caller(&s, &advisor, who).await;
    let fu = json!([{"action": "Send the rent statement", "owner": owner, "due_on": "2026-12-01"}]);
    let e = contact(&s, &advisor, json!({"channel": "call_in", "person_ids": [who], "summary": "Statement", "follow_ups": fu})).await;
    let f = &e["follow_ups"][0];
    assert_eq!((f["done_at"].as_str(), f["done_by"].as_i64()), (None, None), "open when logged");
    let id = f["id"].as_i64().unwrap();

    let (st, done) = s.call(&advisor, Method::POST, &format!("/api/v1/follow-ups/{id}/done"), None).await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!(done["done_by"].as_i64(), Some(me));
    assert!(done["done_at"].as_str().is_some_and(|t| t.starts_with("20")), "{done}");
    let (st, again) = s.call(&advisor, Method::POST, &format!("/api/v1/follow-ups/{id}/done"), None).await;
    assert_eq!((st, problem_fields(&again)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["follow_up".to_string()]));
    let (_, page) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{who}/timeline"), None).await;
    assert_eq!(page["items"][0]["follow_ups"][0]["done_by"].as_i64(), Some(me));

    // An ASB entry's follow-up is closed under ASB rules: not by the advisor who raised it.
    let asb = contact(
        &s,
        &advisor,
        json!({"channel": "call_in", "person_ids": [who], "summary": "Noise", "compartment": "asb", "follow_ups": fu}),
    )
    .await;
    let asb_fu = asb["follow_ups"][0]["id"].as_i64().unwrap();
    let (st, _) = s.call(&advisor, Method::POST, &format!("/api/v1/follow-ups/{asb_fu}/done"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.call(&advisor, Method::POST, "/api/v1/follow-ups/999999/done", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "an unknown id is refused like a hidden one");
}
