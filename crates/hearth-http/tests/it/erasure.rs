//! Requests for erasure over HTTP, on SQLite and PostgreSQL: the review
//! explains class by class what is erased and what is kept and why; a class
//! under a running retention rule is kept with the rule as the reason; a legal
//! hold keeps everything; carrying it out removes exactly what the review
//! allowed, in one audited transaction, and notes it on the request.

use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::{household, Home, NewHousehold};
use hearth_testkit::{browser, get, problem_fields, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    erasure_keeps_what_a_retention_rule_or_hold_needs_and_erases_the_rest,
    only_the_dpo_reviews_an_erasure_request,
    rectification_shows_each_change_with_old_and_new_values,
    the_dpo_reviews_and_carries_out_an_erasure_in_the_browser,
);

struct Tenant {
    id: i64,
    phone_call: i64,
    chat: i64,
    shared_call: i64,
}

/// Wendeline Sparrowhawk, a tenant since 2019, with a logged phone call (and
/// its recording), a chatbot conversation, and a call about her and a
/// neighbour.
async fn tenant(s: &TestServer) -> Tenant {
    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": "Wendeline", "family_name": "Sparrowhawk"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let (_, other) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": "Osric", "family_name": "Fernleigh"}))).await;
    let home = Home { uprn: 990000088001, line1: "12 Pretend Close", town: "Fakenham Parva", postcode: "ZZ99 8EE" };
    household(s, &t, NewHousehold::new(home, vec![(id, "tenant")]).tenancy("TEN-ERASE-1", "2019-04-01")).await;
    let entry = async |body: Value| {
        let (st, e) = s.call(&t, Method::POST, "/api/v1/contacts", Some(body)).await;
        assert_eq!(st, StatusCode::CREATED, "{e}");
        e["entries"][0]["id"].as_i64().unwrap()
    };
    let phone_call = entry(json!({"channel": "call_in", "person_ids": [id], "summary": "Asked about the rent statement"})).await;
    let chat = entry(json!({"channel": "chatbot", "person_ids": [id], "summary": "Asked the bot about bin days"})).await;
    let shared_call =
        entry(json!({"channel": "chatbot", "person_ids": [id, other["id"]], "summary": "Both asked the bot about parking"})).await;
    let (st, rec) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/call-recordings",
            Some(json!({"contact_entry_id": phone_call, "purpose": "fact_verification", "storage_ref": "TEL-SPARROW-1"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{rec}");
    Tenant { id, phone_call, chat, shared_call }
}

async fn erasure_request(s: &TestServer, dpo: &str, person: i64) -> i64 {
    let body = json!({"kind": "erasure", "person_id": person, "description": "Please delete everything you hold about me"});
    let (st, v) = s.call(dpo, Method::POST, "/api/v1/rights-requests", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["request"]["id"].as_i64().unwrap();
    let change = json!({"change": "identity_passed", "version": v["request"]["version"], "method": "Driving licence seen"});
    let (st, v) = s.call(dpo, Method::POST, &format!("/api/v1/rights-requests/{id}/changes"), Some(change)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    id
}

fn item<'a>(review: &'a Value, class: &str) -> &'a Value {
    review["items"].as_array().unwrap().iter().find(|i| i["class"] == class).unwrap_or_else(|| panic!("no {class} in {review}"))
}

async fn erasure_keeps_what_a_retention_rule_or_hold_needs_and_erases_the_rest(s: TestServer) {
    let w = tenant(&s).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let id = erasure_request(&s, &dpo, w.id).await;

    // A legal hold on the person keeps everything, with the hold's reason.
    let (st, hold) = s
        .call(
            &dpo,
            Method::POST,
            "/api/v1/retention/holds",
            Some(json!({"scope": "person", "person_id": w.id, "reason": "Disrepair claim 2026/118"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{hold}");
    let (st, held) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}/erasure"), None).await;
    assert_eq!(st, StatusCode::OK, "{held}");
    for i in held["items"].as_array().unwrap() {
        assert_eq!(i["decision"], "keep", "{i}");
        assert!(i["reason"].as_str().unwrap().contains("Disrepair claim 2026/118"), "{i}");
    }
    let (st, _) = s.call(&dpo, Method::POST, &format!("/api/v1/retention/holds/{}/release", hold["id"]), None).await;
    assert_eq!(st, StatusCode::OK);

    // Without the hold: the tenancy runs, so its file is kept under its rule;
    // recordings and chatbot logs rest on legitimate interests alone and go.
    let (st, review) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}/erasure"), None).await;
    assert_eq!(st, StatusCode::OK, "{review}");
    for class in ["person_identity", "household_tenancy", "contact_log_entry"] {
        let i = item(&review, class);
        assert_eq!(i["decision"], "keep", "{i}");
        let reason = i["reason"].as_str().unwrap();
        assert!(reason.contains("6 years after the tenancy ended") && reason.contains("not started"), "{class}: {reason}");
    }
    assert_eq!(item(&review, "audit_event")["decision"], "keep");
    assert_eq!(
        (item(&review, "call_recording")["decision"].as_str(), item(&review, "call_recording")["count"].as_i64()),
        (Some("erase"), Some(1))
    );
    assert_eq!(
        (item(&review, "contact_log_chatbot")["decision"].as_str(), item(&review, "contact_log_chatbot")["count"].as_i64()),
        (Some("erase"), Some(2))
    );

    // A stale version is refused and nothing is erased.
    let stale = review["request_version"].as_i64().unwrap() - 1;
    let (st, p) = s.call(&dpo, Method::POST, &format!("/api/v1/rights-requests/{id}/erasure"), Some(json!({"version": stale}))).await;
    assert_eq!(st, StatusCode::CONFLICT, "{p}");
    let (st, _) = s.call(&officer, Method::GET, &format!("/api/v1/contacts/{}", w.chat), None).await;
    assert_eq!(st, StatusCode::OK, "nothing erased by a refused order");

    let (st, done) = s
        .call(&dpo, Method::POST, &format!("/api/v1/rights-requests/{id}/erasure"), Some(json!({"version": review["request_version"]})))
        .await;
    assert_eq!(st, StatusCode::OK, "{done}");
    let carried: Vec<Value> = done["carried_out"].as_array().unwrap().clone();
    let line = |class: &str| carried.iter().find(|c| c["class"] == class).cloned().unwrap_or_else(|| panic!("{class}: {carried:?}"));
    assert_eq!((line("call_recording")["erased"].as_i64(), line("call_recording")["kept"].as_i64()), (Some(1), Some(0)));
    assert_eq!(
        (line("contact_log_chatbot")["erased"].as_i64(), line("contact_log_chatbot")["kept"].as_i64()),
        (Some(1), Some(1)),
        "the shared chat stays"
    );

    // What was erased is gone; what was kept is there.
    let (st, _) = s.call(&dpo, Method::GET, &format!("/api/v1/contacts/{}", w.chat), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "the chat about her alone is erased");
    for kept in [w.phone_call, w.shared_call] {
        let (st, e) = s.call(&officer, Method::GET, &format!("/api/v1/contacts/{kept}"), None).await;
        assert_eq!(st, StatusCode::OK, "{e}");
    }
    let (st, _) = s.call(&officer, Method::GET, &format!("/api/v1/people/{}", w.id), None).await;
    assert_eq!(st, StatusCode::OK, "her identity is kept while the tenancy runs");
    let (_, again) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}/erasure"), None).await;
    assert!(again["items"].as_array().unwrap().iter().all(|i| i["class"] != "call_recording"), "{again}");

    // The request says what was erased and what was kept, and why.
    let (_, r) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}"), None).await;
    let notes = r["request"]["notes"].as_str().unwrap();
    assert!(notes.contains("Erasure carried out") && notes.contains("Call recordings: 1 erased, 0 kept"), "{notes}");
    assert!(notes.contains("Person identity kept: "), "{notes}");
}

async fn only_the_dpo_reviews_an_erasure_request(s: TestServer) {
    let w = tenant(&s).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let id = erasure_request(&s, &dpo, w.id).await;
    for role in StaffRole::ALL.iter().filter(|r| **r != StaffRole::Dpo) {
        let t = s.token(*role).await;
        let (st, _) = s.call(&t, Method::GET, &format!("/api/v1/rights-requests/{id}/erasure"), None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role}");
        let (st, _) = s.call(&t, Method::POST, &format!("/api/v1/rights-requests/{id}/erasure"), Some(json!({"version": 2}))).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role}");
    }
    // Only an erasure request has an erasure review.
    let body = json!({"kind": "access", "person_id": w.id, "description": "A copy"});
    let (_, v) = s.call(&dpo, Method::POST, "/api/v1/rights-requests", Some(body)).await;
    let access = v["request"]["id"].as_i64().unwrap();
    let (st, p) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{access}/erasure"), None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".to_string()]), "{p}");
}

async fn rectification_shows_each_change_with_old_and_new_values(s: TestServer) {
    let w = tenant(&s).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let body = json!({"kind": "rectification", "person_id": w.id, "description": "My first name is spelt wrongly"});
    let (_, v) = s.call(&dpo, Method::POST, "/api/v1/rights-requests", Some(body)).await;
    let id = v["request"]["id"].as_i64().unwrap();
    let (_, p) = s.call(&officer, Method::GET, &format!("/api/v1/people/{}", w.id), None).await;
    let update = json!({"version": p["version"], "given_name": "Wendelin", "family_name": "Sparrowhawk"});
    let (st, e) = s.call(&officer, Method::PUT, &format!("/api/v1/people/{}", w.id), Some(update)).await;
    assert_eq!(st, StatusCode::OK, "{e}");

    let (st, changes) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}/rectifications"), None).await;
    assert_eq!(st, StatusCode::OK, "{changes}");
    let list = changes.as_array().unwrap();
    assert_eq!(list.len(), 1, "{changes}");
    assert_eq!(list[0]["by"], "housing_officer");
    assert_eq!(list[0]["changes"], json!([{"field": "given_name", "old": "Wendeline", "new": "Wendelin"}]));
    let (st, _) = s.call(&officer, Method::GET, &format!("/api/v1/rights-requests/{id}/rectifications"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn the_dpo_reviews_and_carries_out_an_erasure_in_the_browser(s: TestServer) {
    let w = tenant(&s).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let id = erasure_request(&s, &dpo, w.id).await;
    let c = browser();
    let csrf = sign_in(&s, &c, "dpo").await;
    let (st, page) = get(&s, &c, &format!("/rights/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains(&format!("href=\"/rights/{id}/erasure\"")), "the request page offers the review");
    let (st, review) = get(&s, &c, &format!("/rights/{id}/erasure")).await;
    assert_eq!(st, StatusCode::OK, "{review}");
    assert!(review.contains("Call recordings") && review.contains("6 years after the tenancy ended"), "{review}");
    assert!(review.contains("Carry out the erasure"), "{review}");
    let version = hearth_testkit::field(&review, "version");

    // Without the session's token the form is refused and nothing is erased.
    let r =
        c.post(s.url(&format!("/rights/{id}/erasure"))).form(&[("_csrf", "wrong"), ("version", version.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, still) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}/erasure"), None).await;
    assert!(still["items"].as_array().unwrap().iter().any(|i| i["class"] == "call_recording"), "{still}");

    let r = c
        .post(s.url(&format!("/rights/{id}/erasure")))
        .form(&[("_csrf", csrf.as_str()), ("version", version.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let done = r.text().await.unwrap();
    assert!(done.contains("Erasure carried out") && done.contains("id=\"erased\""), "{done}");
    assert!(!done.contains("Carry out the erasure"), "no second button once done");
}
