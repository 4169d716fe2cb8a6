//! Restriction of processing (UK GDPR Art. 18) over HTTP, on SQLite and
//! PostgreSQL: while a person is restricted an edit of them and a contact
//! logged with them are refused with 409 `/problems/restricted` giving the
//! reason (as is a document upload), reads still work, only the DPO places or lifts, lifting restores
//! edits, and both show in the person's audit history.

use hearth_domain::{retention::RecordClass, staff::StaffRole};
use hearth_gate::retention::{RetentionMode, RETENTION_PURPOSE};
use hearth_testkit::{problem_fields, TestServer};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    a_restriction_refuses_changes_until_the_dpo_lifts_it,
    only_the_dpo_places_or_lifts_a_restriction,
    retention_still_disposes_of_a_restricted_persons_records,
);

const REASON: &str = "Accuracy contested by the customer, checking with the landlord";

async fn person(s: &TestServer) -> i64 {
    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": "Rowan", "family_name": "Fakeham"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn edit(s: &TestServer, t: &str, id: i64) -> (StatusCode, Value) {
    let (_, p) = s.call(t, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    let body = json!({"version": p["version"], "given_name": "Rowan", "family_name": "Fakeham-Notreal"});
    s.call(t, Method::PUT, &format!("/api/v1/people/{id}"), Some(body)).await
}

fn assert_restricted(st: StatusCode, p: &Value) {
    assert_eq!((st, problem_fields(p)), (StatusCode::CONFLICT, vec!["restriction".to_string()]), "{p}");
    assert_eq!(p["type"], "/problems/restricted", "{p}");
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("restricted (Art. 18) since") && detail.contains(REASON) && detail.contains("only storage"), "{detail}");
}

async fn a_restriction_refuses_changes_until_the_dpo_lifts_it(s: TestServer) {
    let id = person(&s).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let dpo = s.token(StaffRole::Dpo).await;

    let (st, r) = s.call(&dpo, Method::POST, &format!("/api/v1/people/{id}/restriction"), Some(json!({"reason": REASON}))).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!((r["person_id"].as_i64(), &r["placed_by"], &r["lifted_at"]), (Some(id), &json!("dpo"), &Value::Null), "{r}");
    let (st, again) = s.call(&dpo, Method::POST, &format!("/api/v1/people/{id}/restriction"), Some(json!({"reason": REASON}))).await;
    assert_eq!((st, problem_fields(&again)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["restriction".to_string()]), "one at a time");

    // Edits and new records about the person are refused, with the reason.
    let (st, p) = edit(&s, &officer, id).await;
    assert_restricted(st, &p);
    let contact = json!({"channel": "call_in", "person_ids": [id], "summary": "Asked about the rent"});
    let (st, p) = s.call(&officer, Method::POST, "/api/v1/contacts", Some(contact.clone())).await;
    assert_restricted(st, &p);
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec();
    let form = Form::new().part("file", Part::bytes(pdf).file_name("letter.pdf").mime_str("application/pdf").unwrap());
    let r = s.client.post(s.url(&format!("/api/v1/people/{id}/documents"))).bearer_auth(&officer).multipart(form).send().await.unwrap();
    let (st, p) = hearth_testkit::split(r).await;
    assert_restricted(st, &p);
    let (st, p) = s.call(&officer, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    assert_eq!((st, &p["family_name"]), (StatusCode::OK, &json!("Fakeham")), "reads still work and nothing changed: {p}");
    let (st, status) = s.call(&officer, Method::GET, &format!("/api/v1/people/{id}/restriction"), None).await;
    assert_eq!(st, StatusCode::OK, "{status}");
    assert_eq!(status["active"]["reason"], REASON, "staff who see the person see the restriction");
    let (st, timeline) = s.call(&officer, Method::GET, &format!("/api/v1/people/{id}/timeline"), None).await;
    assert_eq!((st, timeline["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "no contact was written: {timeline}");

    // Lifting needs a reason, records who and why, and restores edits.
    let (st, p) = s.call(&dpo, Method::POST, &format!("/api/v1/people/{id}/restriction/lift"), Some(json!({"reason": ""}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()]));
    let lift = json!({"reason": "Landlord confirmed the record is accurate"});
    let (st, l) = s.call(&dpo, Method::POST, &format!("/api/v1/people/{id}/restriction/lift"), Some(lift.clone())).await;
    assert_eq!(st, StatusCode::OK, "{l}");
    assert_eq!((&l["lifted_by"], &l["lift_reason"]), (&json!("dpo"), &lift["reason"]), "{l}");
    assert!(l["lifted_at"].is_string(), "{l}");
    let (st, p) = s.call(&dpo, Method::POST, &format!("/api/v1/people/{id}/restriction/lift"), Some(lift)).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["restriction".to_string()]), "nothing left to lift");
    let (st, p) = edit(&s, &officer, id).await;
    assert_eq!((st, &p["family_name"]), (StatusCode::OK, &json!("Fakeham-Notreal")), "{p}");
    let (st, p) = s.call(&officer, Method::POST, "/api/v1/contacts", Some(contact)).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let (_, status) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/restriction"), None).await;
    assert_eq!((&status["active"], status["history"].as_array().map(Vec::len)), (&Value::Null, Some(1)), "{status}");

    // Placing, lifting and the refusals are in the person's history.
    let (st, h) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/history"), None).await;
    assert_eq!(st, StatusCode::OK, "{h}");
    let seen: Vec<(String, String, String)> = h
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["compartment"] == "rights" || e["decision"] == "deny")
        .map(|e| {
            (e["action"].as_str().unwrap().into(), e["decision"].as_str().unwrap().into(), e["actor_username"].as_str().unwrap().into())
        })
        .rev()
        .collect();
    let want = |a: &str, d: &str, u: &str| (a.to_string(), d.to_string(), u.to_string());
    assert_eq!(
        seen,
        [
            want("create", "allow", "dpo"),
            want("edit", "deny", "housing_officer"),
            want("create", "deny", "housing_officer"),
            want("create", "deny", "housing_officer"),
            want("edit", "allow", "dpo"),
        ],
        "{h:#}"
    );
    let refusal = h.as_array().unwrap().iter().find(|e| e["decision"] == "deny").unwrap();
    assert!(refusal["reason"].as_str().unwrap().contains(REASON), "{refusal}");
}

async fn only_the_dpo_places_or_lifts_a_restriction(s: TestServer) {
    let id = person(&s).await;
    for role in [StaffRole::HousingOfficer, StaffRole::Manager, StaffRole::ContactCentreAdvisor] {
        let t = s.token(role).await;
        let (st, p) = s.call(&t, Method::POST, &format!("/api/v1/people/{id}/restriction"), Some(json!({"reason": REASON}))).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role:?} placed: {p}");
    }
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, _) = s.call(&dpo, Method::POST, &format!("/api/v1/people/{id}/restriction"), Some(json!({"reason": REASON}))).await;
    assert_eq!(st, StatusCode::CREATED);
    for role in [StaffRole::HousingOfficer, StaffRole::Manager] {
        let t = s.token(role).await;
        let body = Some(json!({"reason": "Trying to lift it without authority"}));
        let (st, p) = s.call(&t, Method::POST, &format!("/api/v1/people/{id}/restriction/lift"), body).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role:?} lifted: {p}");
    }
    let (_, status) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/restriction"), None).await;
    assert_eq!(status["active"]["reason"], REASON, "still restricted: {status}");
    let (st, p) = s.call(&dpo, Method::POST, "/api/v1/people/999999/restriction", Some(json!({"reason": REASON}))).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{p}");
    let (st, doc) = s.call(&dpo, Method::GET, "/api/v1/openapi.json", None).await;
    assert_eq!(st, StatusCode::OK);
    for path in ["/api/v1/people/{id}/restriction", "/api/v1/people/{id}/restriction/lift"] {
        assert!(doc["paths"][path]["post"].is_object(), "{path} documented");
    }
    assert!(doc["paths"]["/api/v1/people/{id}"]["put"]["responses"]["409"]["description"].as_str().unwrap().contains("restricted"));
}

/// Disposal is the storage-limitation duty: a restriction must not keep
/// records past their retention period.
async fn retention_still_disposes_of_a_restricted_persons_records(s: TestServer) {
    let id = person(&s).await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let chat = json!({"channel": "chatbot", "person_ids": [id], "summary": "Asked the bot about the bins"});
    let (st, v) = s.call(&advisor, Method::POST, "/api/v1/contacts", Some(chat)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let entry = v["entries"][0]["id"].as_i64().unwrap();
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, _) = s.call(&dpo, Method::POST, &format!("/api/v1/people/{id}/restriction"), Some(json!({"reason": REASON}))).await;
    assert_eq!(st, StatusCode::CREATED);
    let due = hearth_gate::Gate::today().checked_add(jiff::Span::new().years(3)).unwrap();
    let actor = s.gate.actor_for("dpo", RETENTION_PURPOSE).await.unwrap();
    let report = s.gate.retention(&actor, due, RetentionMode::Run { started_by: "command" }, 10, &|_, _| {}).await.unwrap();
    let chatbot = report.rules.iter().find(|o| o.class == RecordClass::ContactLogChatbot).unwrap();
    assert_eq!(chatbot.disposed, 1, "{report:?}");
    assert!(s.store.raw_row(hearth_store::Table::ContactEntry, entry).await.unwrap().is_none());
}
