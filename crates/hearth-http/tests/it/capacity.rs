//! Mental capacity and best interests over HTTP and in the web UI, on SQLite
//! and PostgreSQL: capacity is presumed, so a best-interests share is refused
//! without an assessment finding the person lacks capacity, and a recipient
//! outside the policy's list is refused; a request not to hold information
//! waits until an assessment since it finds capacity, then the DPO's
//! confirmation removes the named needs, their adjustments and the audit
//! payloads that held them, while the audit chain still verifies.

use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::{tenant, NewTenant};
use hearth_testkit::{browser, get, problem_fields, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(best_interests_shares_rest_on_an_assessment_of_incapacity, information_not_to_be_held_is_removed_once_capacity_is_found,);

fn assessment(outcome: &str, on: &str) -> Value {
    json!({"decision": "Whether to move to a ground-floor flat", "reason": "Repeatedly confused about rent and keys in recent visits",
           "assessor_name": "Nurse Ima Ginary", "assessor_role": "Community psychiatric nurse", "assessed_on": on, "outcome": outcome})
}

fn share(assessment_id: Value, recipient: &str) -> Value {
    json!({"assessment_id": assessment_id, "recipient": recipient, "recipient_name": "Wendy Madeup",
           "what": "That a move is being considered and the date of the viewing", "why": "She manages his appointments and can attend"})
}

async fn best_interests_shares_rest_on_an_assessment_of_incapacity(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let id = tenant(&s, &t, NewTenant::new("Barnaby", "Fictional", 990_000_000_401).phone("01632 960 001")).await.person;
    let path = |p: &str| format!("/api/v1/people/{id}/{p}");

    let (st, p) = s.call(&t, Method::POST, &path("capacity-assessments"), Some(json!({"outcome": "maybe"}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_fields(&p), ["decision", "reason", "assessor_name", "assessor_role", "outcome"]);

    let (st, has) = s.call(&t, Method::POST, &path("capacity-assessments"), Some(assessment("has_capacity", "2026-03-01"))).await;
    assert_eq!(st, StatusCode::CREATED, "{has}");
    let (st, p) = s.call(&t, Method::POST, &path("best-interests-shares"), Some(share(has["id"].clone(), "carer"))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "capacity is presumed: {p}");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("presumed"), "{p}");

    let (_, lacks) = s.call(&t, Method::POST, &path("capacity-assessments"), Some(assessment("lacks_capacity", "2026-03-05"))).await;
    let (st, p) = s.call(&t, Method::POST, &path("best-interests-shares"), Some(share(lacks["id"].clone(), "neighbour"))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["recipient".to_string()]), "only the policy's recipients");
    let (st, ok) = s.call(&t, Method::POST, &path("best-interests-shares"), Some(share(lacks["id"].clone(), "lpa_attorney"))).await;
    assert_eq!(st, StatusCode::CREATED, "{ok}");
    assert_eq!(ok["recipient"], "lpa_attorney");

    // Someone else's assessment cannot carry a share.
    let other = tenant(&s, &t, NewTenant::new("Ottilie", "Fictional", 990_000_000_402).phone("01632 960 001")).await.person;
    let (st, p) =
        s.call(&t, Method::POST, &format!("/api/v1/people/{other}/best-interests-shares"), Some(share(lacks["id"].clone(), "carer"))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["assessment_id".to_string()]));

    let (st, rec) = s.call(&t, Method::GET, &path("capacity"), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!((rec["assessments"].as_array().unwrap().len(), rec["shares"].as_array().unwrap().len()), (2, 1));

    // Health information: an income officer sees none of it.
    let income = s.token(StaffRole::IncomeOfficer).await;
    let (st, _) = s.call(&income, Method::GET, &path("capacity"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn information_not_to_be_held_is_removed_once_capacity_is_found(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let id = tenant(&s, &t, NewTenant::new("Clementine", "Fictional", 990_000_000_403).phone("01632 960 001")).await.person;
    let (st, n) = s
        .call(
            &t,
            Method::POST,
            &format!("/api/v1/people/{id}/needs"),
            Some(json!({"category": "mental_health", "detail": "Told us of a past breakdown, in confidence", "source": "staff_contact",
                        "disclosure_channel": "phone", "duration": "long_term", "consent_to_tailor": true})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{n}");
    let nid = n["id"].as_i64().unwrap();
    let (_, a) =
        s.call(&t, Method::POST, &format!("/api/v1/people/{id}/adjustments"), Some(json!({"need_id": nid, "kind": "longer_calls"}))).await;

    let (st, p) = s.call(&t, Method::POST, &format!("/api/v1/people/{id}/not-held-requests"), Some(json!({"what": "The breakdown"}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["need_ids".to_string()]));
    let (st, r) = s
        .call(
            &t,
            Method::POST,
            &format!("/api/v1/people/{id}/not-held-requests"),
            Some(json!({"what": "What she said about the breakdown", "need_ids": [nid], "requested_on": "2026-04-01"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!(r["state"], "awaiting_assessment");
    let rid = r["id"].as_i64().unwrap();

    let (st, p) = s.call(&dpo, Method::POST, &format!("/api/v1/not-held-requests/{rid}/remove"), None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["request".to_string()]), "not due yet");
    let (st, _) = s.call(&t, Method::POST, &format!("/api/v1/not-held-requests/{rid}/remove"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "only the DPO confirms removal");

    let (st, _) = s
        .call(&t, Method::POST, &format!("/api/v1/people/{id}/capacity-assessments"), Some(assessment("has_capacity", "2026-04-10")))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, list) = s.call(&dpo, Method::GET, "/api/v1/not-held-requests", None).await;
    assert_eq!(st, StatusCode::OK);
    let due = list.as_array().unwrap().iter().find(|r| r["id"] == rid).expect("listed");
    assert_eq!(due["state"], "due_for_removal");

    let (st, done) = s.call(&dpo, Method::POST, &format!("/api/v1/not-held-requests/{rid}/remove"), None).await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!(done["needs_removed"], json!([nid]));
    assert_eq!(done["adjustments_removed"], json!([a["id"]]));
    assert!(done["audit_payloads_redacted"].as_u64().unwrap() >= 2, "{done}");
    assert_eq!(done["request"]["state"], "removed");

    let (_, needs) = s.call(&t, Method::GET, &format!("/api/v1/people/{id}/needs"), None).await;
    assert_eq!(needs, json!([]), "the need is gone");
    let (_, history) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/history"), None).await;
    assert!(!history.to_string().contains("past breakdown"), "no audit payload keeps the removed words");
    let (st, again) = s.call(&dpo, Method::POST, &format!("/api/v1/not-held-requests/{rid}/remove"), None).await;
    assert_eq!((st, problem_fields(&again)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["request".to_string()]));
    assert!(
        matches!(hearth_store::audit::verify(&s.store).await.unwrap(), hearth_store::audit::Verification::Intact { .. }),
        "the chain still verifies"
    );

    // The pages: the officer's capacity page and the DPO's removal list.
    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (st, page) = get(&s, &c, &format!("/people/{id}/capacity")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Has capacity to make this decision") && page.contains("Removed"), "{page}");
    let (st, _) = get(&s, &c, "/removals").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let d = browser();
    sign_in(&s, &d, "dpo").await;
    let (st, page) = get(&s, &d, "/removals").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Information to remove"));
}
