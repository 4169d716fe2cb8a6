//! Issue #22 (6), on SQLite and PostgreSQL: `X-Hearth-Purpose` is one of
//! the purposes the register of record classes declares. Any other value
//! (`direct_marketing`, `made_up_purpose`) is a 400 naming the header, and
//! nothing is done or audited under it; a declared purpose still works and
//! is audited as given; `marketing` is still kept from sensitive data.

use hearth_domain::staff::StaffRole;
use hearth_store::Table;
use hearth_testkit::{problem_fields, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    an_undeclared_purpose_is_refused_naming_the_header_and_nothing_is_audited_under_it,
    marketing_is_still_kept_from_sensitive_compartments,
);

async fn call_for(s: &TestServer, t: &str, purpose: &str, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = s.client.request(method, s.url(path)).bearer_auth(t).header("X-Hearth-Purpose", purpose);
    if let Some(b) = body {
        req = req.json(&b);
    }
    hearth_testkit::split(req.send().await.unwrap()).await
}

async fn events(s: &TestServer) -> Vec<hearth_store::audit::AuditEvent> {
    let mut tx = s.store.begin().await.unwrap();
    hearth_store::audit::events_after(&mut tx, 0, 100_000).await.unwrap()
}

async fn an_undeclared_purpose_is_refused_naming_the_header_and_nothing_is_audited_under_it(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": "Pru", "family_name": "Posedly"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (audited, people) = (s.count(Table::AuditEvent).await, s.count(Table::Person).await);
    let undeclared = ["direct_marketing", "made_up_purpose", "Marketing", "Bad Purpose!", ""];
    for purpose in undeclared {
        let (st, p) = call_for(&s, &t, purpose, Method::GET, &format!("/api/v1/people/{id}"), None).await;
        assert_eq!((st, problem_fields(&p)), (StatusCode::BAD_REQUEST, vec!["X-Hearth-Purpose".to_string()]), "{purpose:?}: {p}");
        assert!(p["detail"].as_str().unwrap().contains("housing_management"), "the declared purposes are listed: {p}");
        assert!(!p.to_string().contains("Pru"), "nothing read: {p}");
        let body = json!({"given_name": "Ned", "family_name": "Neverstored"});
        let (st, p) = call_for(&s, &t, purpose, Method::POST, "/api/v1/people", Some(body)).await;
        assert_eq!((st, problem_fields(&p)), (StatusCode::BAD_REQUEST, vec!["X-Hearth-Purpose".to_string()]), "{purpose:?}: {p}");
    }
    assert_eq!((s.count(Table::AuditEvent).await, s.count(Table::Person).await), (audited, people), "nothing done or audited");
    assert!(events(&s).await.iter().all(|e| !undeclared.contains(&e.event.purpose.as_str())), "no event under an undeclared purpose");

    // Declared purposes work, and are audited as declared; none declared is housing_management.
    for purpose in ["rent_collection", "housing_management", "data_protection"] {
        let (st, p) = call_for(&s, &t, purpose, Method::GET, &format!("/api/v1/people/{id}"), None).await;
        assert_eq!(st, StatusCode::OK, "{purpose}: {p}");
        assert_eq!(events(&s).await.last().unwrap().event.purpose, purpose);
    }
    let (st, _) = s.call(&t, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(events(&s).await.last().unwrap().event.purpose, "housing_management");
}

async fn marketing_is_still_kept_from_sensitive_compartments(s: TestServer) {
    let income = s.token(StaffRole::IncomeOfficer).await;
    let (st, p) = s.call(&income, Method::POST, "/api/v1/people", Some(json!({"given_name": "Mo", "family_name": "Neyworth"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let body = json!({"channel": "call_in", "person_ids": [id], "compartment": "financial", "summary": "Arrears plan agreed"});
    let (st, v) = s.call(&income, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let entry = format!("/api/v1/contacts/{}", v["entries"][0]["id"]);
    let (st, e) = call_for(&s, &income, "marketing", Method::GET, &entry, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "income data is never used for marketing: {e}");
    assert!(!e.to_string().contains("Arrears"), "{e}");
    let (st, _) = call_for(&s, &income, "rent_collection", Method::GET, &entry, None).await;
    assert_eq!(st, StatusCode::OK, "the same read for a declared, fitting purpose");
    let (st, _) = call_for(&s, &income, "marketing", Method::GET, &format!("/api/v1/people/{id}"), None).await;
    assert_eq!(st, StatusCode::OK, "identity is not sensitive");
    let refused = events(&s).await.into_iter().rev().find(|e| e.event.decision == "deny").unwrap();
    assert_eq!((refused.event.purpose.as_str(), refused.event.compartment.as_str()), ("marketing", "financial"));
    assert!(refused.event.policy_ids.contains("no-marketing-on-sensitive-data"), "{:?}", refused.event);

    // Complaint correspondence is sensitive too.
    let officer = s.token(StaffRole::HousingOfficer).await;
    let me = s.gate.user_id("housing_officer").await.unwrap();
    let (st, c) = s
        .call(&officer, Method::POST, "/api/v1/cases", Some(json!({"kind": "complaint", "summary": "Unhappy with the repair", "assigned_to": me, "parties": [{"person_id": id, "role": "complainant"}]})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let body = json!({"channel": "letter_in", "person_ids": [id], "case_id": c["case"]["id"], "summary": "Complaint letter"});
    let (st, v) = s.call(&officer, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let entry = format!("/api/v1/contacts/{}", v["entries"][0]["id"]);
    let (st, _) = call_for(&s, &officer, "marketing", Method::GET, &entry, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = call_for(&s, &officer, "complaint_handling", Method::GET, &entry, None).await;
    assert_eq!(st, StatusCode::OK);
}
