//! Authorised representatives and caller checks over HTTP, on SQLite and
//! PostgreSQL: a contact-centre advisor is refused a person's account until
//! they record a caller check, which opens it to them alone for the call; a
//! representative outside scope is refused, as is one expired or ended;
//! too few answers is a 422 naming the field; answers are compared by the
//! system, and facts the advisor can see are never enough; every check is
//! audited, never with the answers; failed checks are limited; other roles
//! are unaffected.

use hearth_domain::staff::StaffRole;
use hearth_testkit::{problem_fields, start_configured, Backend, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    a_caller_check_compares_answers_with_facts_the_advisor_has_not_seen,
    failed_caller_checks_are_limited_per_advisor_and_person,
    an_advisor_sees_the_account_only_after_checking_the_caller,
    a_representative_outside_scope_is_refused,
    representatives_are_added_listed_and_ended_through_the_gate,
    reads_by_record_id_need_the_check_too,
);

both_backends!(backend: a_caller_check_lasts_for_the_call);

async fn person(s: &TestServer, given: &str) -> i64 {
    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": given, "family_name": "Fakecaller"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

/// The memorable word and full name [`hearth_testkit::give_memorable_word`] sets up.
async fn answers(s: &TestServer, id: i64) -> Value {
    let name = hearth_testkit::give_memorable_word(s, id).await;
    json!({"answers": {"memorable_word": hearth_testkit::MEMORABLE_WORD, "full_name": name}})
}

async fn timeline(s: &TestServer, t: &str, id: i64) -> (StatusCode, Value) {
    s.call(t, Method::GET, &format!("/api/v1/people/{id}/timeline"), None).await
}

async fn rep(s: &TestServer, id: i64, scope: &str, extra: Value) -> Value {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let mut body = json!({"name": "Sam Notreal", "phone": "01632 960 222", "relationship": "relative", "scope": scope,
        "evidence": "signed_authority_form", "evidence_reference": "AUTH-0001"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (st, r) = s.call(&officer, Method::POST, &format!("/api/v1/people/{id}/representatives"), Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    r
}

fn assert_check_first(st: StatusCode, p: &Value) {
    assert_eq!(st, StatusCode::FORBIDDEN, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("Check the caller first"), "{p}");
}

async fn an_advisor_sees_the_account_only_after_checking_the_caller(s: TestServer) {
    let id = person(&s, "Cara").await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let officer = s.token(StaffRole::HousingOfficer).await;

    // Refused before a check, with a reason; identity stays open to ask the questions.
    let (st, p) = timeline(&s, &advisor, id).await;
    assert_check_first(st, &p);
    let (st, rec) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{id}/record"), None).await;
    assert_eq!(st, StatusCode::OK, "{rec}");
    assert!(rec["households"].is_null(), "no tenancy before the check: {rec}");
    assert_eq!(rec["person"]["given_name"], "Cara");
    // Other roles are unaffected.
    let (st, _) = timeline(&s, &officer, id).await;
    assert_eq!(st, StatusCode::OK);

    // Too few answers: 422 naming the field, still refused, and audited.
    let url = format!("/api/v1/people/{id}/caller-checks");
    let (st, p) = s.call(&advisor, Method::POST, &url, Some(json!({"answers": {"full_name": "Cara Fakecaller"}}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["answers".to_string()]), "{p}");
    let (st, _) = timeline(&s, &advisor, id).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Ticking questions as answered is no longer accepted.
    let (st, p) = s.call(&advisor, Method::POST, &url, Some(json!({"checks_passed": ["full_name", "date_of_birth"]}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(problem_fields(&p).contains(&"checks_passed".to_string()), "{p}");

    // A valid check opens the account to this advisor only.
    let (st, c) = s.call(&advisor, Method::POST, &url, Some(answers(&s, id).await)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert_eq!((&c["checked_by"], &c["areas"]), (&json!("contact_centre_advisor"), &json!(["account", "repairs"])), "{c}");
    let (st, p) = timeline(&s, &advisor, id).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let (_, rec) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{id}/record"), None).await;
    assert!(rec["households"].is_array() && rec["caller_check"]["id"] == c["id"], "{rec}");
    s.gate.add_user("second.advisor", "Second Advisor", StaffRole::ContactCentreAdvisor, &[], hearth_testkit::PASSWORD).await.unwrap();
    let other = s.token_for("second.advisor").await;
    let (st, p) = timeline(&s, &other, id).await;
    assert_check_first(st, &p);
    // A check for one person opens nobody else.
    let second = person(&s, "Dev").await;
    let (st, _) = timeline(&s, &advisor, second).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // Every check, passed or failed, is in the person's history.
    let dpo = s.token(StaffRole::Dpo).await;
    let (_, h) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/history"), None).await;
    let checks: Vec<&str> =
        h.as_array().unwrap().iter().filter(|e| e["record_type"] == "caller_check").map(|e| e["decision"].as_str().unwrap()).collect();
    assert_eq!(checks, ["allow", "deny", "deny"], "{h:#}");
    let refused = h.as_array().unwrap().iter().find(|e| e["decision"] == "deny" && e["compartment"] == "contact_log").unwrap();
    assert!(refused["reason"].as_str().unwrap().contains("Check the caller first"), "{refused}");
}

async fn a_representative_outside_scope_is_refused(s: TestServer) {
    let id = person(&s, "Ezra").await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let url = format!("/api/v1/people/{id}/caller-checks");
    let repairs = rep(&s, id, "act_on_repairs", json!({})).await;
    // A general contact: part of the account, which a repairs check does not open.
    let officer = s.token(StaffRole::HousingOfficer).await;
    let (st, v) = s
        .call(&officer, Method::POST, "/api/v1/contacts", Some(json!({"channel": "call_in", "person_ids": [id], "summary": "Rent query"})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let general = format!("/api/v1/contacts/{}", v["entries"][0]["id"]);

    // Asking about the account as a repairs-only representative: refused, naming the scope.
    let (st, p) = s.call(&advisor, Method::POST, &url, Some(json!({"representative_id": repairs["id"], "area": "account"}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["representative_id".to_string()]), "{p}");
    assert!(p.to_string().contains("act_on_repairs"), "{p}");
    // Checked for repairs, the account stays shut, and the refusal names the scope.
    let (st, c) = s.call(&advisor, Method::POST, &url, Some(json!({"representative_id": repairs["id"], "area": "repairs"}))).await;
    assert_eq!((st, &c["areas"]), (StatusCode::CREATED, &json!(["repairs"])), "{c}");
    let (st, p) = s.call(&advisor, Method::GET, &general, None).await;
    assert_check_first(st, &p);
    assert!(p["detail"].as_str().unwrap().contains("act_on_repairs"), "{p}");
    // The contact history holds only what the check opens: contacts filed on repair jobs.
    let (st, page) = timeline(&s, &advisor, id).await;
    assert_eq!((st, &page["items"]), (StatusCode::OK, &json!([])), "{page}");

    // An expired representative, and an ended one, are refused.
    let expired = rep(&s, id, "everything", json!({"valid_from": "2020-01-01", "expires_on": "2021-01-01"})).await;
    let (st, p) = s.call(&advisor, Method::POST, &url, Some(json!({"representative_id": expired["id"]}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["representative_id".to_string()]), "{p}");
    assert!(p.to_string().contains("expired"), "{p}");
    let ended = rep(&s, id, "discuss_account", json!({})).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let (st, e) = s
        .call(
            &officer,
            Method::POST,
            &format!("/api/v1/representatives/{}/end", ended["id"]),
            Some(json!({"reason": "Customer withdrew consent"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{e}");
    let (st, p) = s.call(&advisor, Method::POST, &url, Some(json!({"representative_id": ended["id"]}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["representative_id".to_string()]), "{p}");
    assert!(p.to_string().contains("ended"), "{p}");
    let (st, _) = s.call(&advisor, Method::GET, &general, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "still refused");

    // A current representative whose scope covers the account opens it.
    let account = rep(&s, id, "discuss_account", json!({})).await;
    let (st, c) = s.call(&advisor, Method::POST, &url, Some(json!({"representative_id": account["id"]}))).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let (st, _) = s.call(&advisor, Method::GET, &general, None).await;
    assert_eq!(st, StatusCode::OK);
    // Ending the representative during the call closes it again.
    let (st, _) = s
        .call(
            &officer,
            Method::POST,
            &format!("/api/v1/representatives/{}/end", account["id"]),
            Some(json!({"reason": "Authority revoked"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s.call(&advisor, Method::GET, &general, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn representatives_are_added_listed_and_ended_through_the_gate(s: TestServer) {
    let id = person(&s, "Fern").await;
    let on_file = person(&s, "Gale").await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let url = format!("/api/v1/people/{id}/representatives");
    let (st, p) = s.call(&officer, Method::POST, &url, Some(json!({"relationship": "friend", "scope": "everything"}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let fields = problem_fields(&p);
    assert!(fields.contains(&"name".to_string()) && fields.contains(&"evidence".to_string()), "{fields:?}");
    let body = json!({"person_id": on_file, "relationship": "attorney", "scope": "everything", "evidence": "lpa_registration",
        "evidence_reference": "LPA-7000-0000-0000"});
    let (st, r) = s.call(&officer, Method::POST, &url, Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!((&r["name"], &r["representative_person_id"]), (&json!("Gale Fakecaller"), &json!(on_file)), "{r}");
    let (st, p) = s
        .call(
            &officer,
            Method::POST,
            &url,
            Some(json!({"person_id": 999999, "relationship": "friend", "scope": "everything",
        "evidence": "signed_authority_form", "evidence_reference": "X"})),
        )
        .await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["person_id".to_string()]), "{p}");

    let end = format!("/api/v1/representatives/{}/end", r["id"]);
    let (st, p) = s.call(&officer, Method::POST, &end, Some(json!({"reason": ""}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()]));
    let (st, e) = s.call(&officer, Method::POST, &end, Some(json!({"reason": "Power of attorney revoked"}))).await;
    assert_eq!((st, &e["ended_by"], &e["end_reason"]), (StatusCode::OK, &json!("housing_officer"), &json!("Power of attorney revoked")));
    let (st, p) = s.call(&officer, Method::POST, &end, Some(json!({"reason": "Power of attorney revoked"}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "already ended: {p}");
    let (st, p) = s.call(&officer, Method::POST, "/api/v1/representatives/999999/end", Some(json!({"reason": "No such one"}))).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{p}");

    // Listing works for the advisor before any check (they need it to check
    // the caller); adding one needs a checked caller.
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let verbal = json!({"name": "Kit Notreal", "phone": "01632 960 444", "relationship": "friend", "scope": "discuss_account",
        "evidence": "verbal_consent_recorded_call", "evidence_reference": "CALL-1"});
    let (st, list) = s.call(&advisor, Method::GET, &url, None).await;
    assert_eq!((st, list.as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{list}");
    let (st, p) = s.call(&advisor, Method::POST, &url, Some(verbal.clone())).await;
    assert_check_first(st, &p);
    hearth_testkit::check_caller(&s, &advisor, id).await;
    let (st, v) = s.call(&advisor, Method::POST, &url, Some(verbal)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let analyst = s.token(StaffRole::EdiAnalyst).await;
    let (st, _) = s.call(&analyst, Method::GET, &url, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let dpo = s.token(StaffRole::Dpo).await;
    let (_, h) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/history"), None).await;
    let actions: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["record_type"] == "representative" && e["decision"] == "allow")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"create") && actions.contains(&"edit") && actions.contains(&"list"), "{actions:?}");
    let (_, doc) = s.call(&dpo, Method::GET, "/api/v1/openapi.json", None).await;
    for path in ["/api/v1/people/{id}/representatives", "/api/v1/representatives/{id}/end", "/api/v1/people/{id}/caller-checks"] {
        assert!(doc["paths"][path]["post"].is_object(), "{path} documented");
    }
}

async fn a_caller_check_lasts_for_the_call(backend: Backend) {
    let s = start_configured(backend, |g| g.with_caller_check_for(jiff::SignedDuration::from_secs(2))).await;
    let id = person(&s, "Hal").await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let body = answers(&s, id).await;
    let (st, c) = s.call(&advisor, Method::POST, &format!("/api/v1/people/{id}/caller-checks"), Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let (st, _) = timeline(&s, &advisor, id).await;
    assert_eq!(st, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (st, p) = timeline(&s, &advisor, id).await;
    assert_check_first(st, &p);
}

/// A contact entry, household or tenancy read by its own id is about its
/// people: the advisor is refused until a caller check for one of them.
async fn reads_by_record_id_need_the_check_too(s: TestServer) {
    let id = person(&s, "Ida").await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let (st, e) = s
        .call(
            &officer,
            Method::POST,
            "/api/v1/contacts",
            Some(json!({"channel": "call_in", "person_ids": [id], "summary": "Asked about rent"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    let entry = e["entries"][0]["id"].as_i64().unwrap();
    let (_, pr) = s
        .call(
            &officer,
            Method::POST,
            "/api/v1/properties",
            Some(json!({"uprn": 990000200001i64, "line1": "2 Sample Row", "town": "Testbridge", "postcode": "ZZ99 6AB"})),
        )
        .await;
    let (_, h) = s.call(&officer, Method::POST, "/api/v1/households", Some(json!({"property_id": pr["id"]}))).await;
    let hid = h["id"].as_i64().unwrap();
    let (st, m) = s
        .call(&officer, Method::POST, &format!("/api/v1/households/{hid}/members"), Some(json!({"person_id": id, "role": "tenant"})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{m}");
    let body = json!({"reference": "TEN-CHK-1", "household_id": hid, "tenure": "assured", "start_date": "2020-01-01"});
    let (st, t) = s.call(&officer, Method::POST, "/api/v1/tenancies", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{t}");
    let paths = [format!("/api/v1/contacts/{entry}"), format!("/api/v1/households/{hid}"), format!("/api/v1/tenancies/{}", t["id"])];
    for path in &paths {
        let (st, p) = s.call(&advisor, Method::GET, path, None).await;
        assert_check_first(st, &p);
        assert!(!p.to_string().contains("TEN-CHK-1") && !p.to_string().contains("Asked about rent"), "{p}");
        let (st, _) = s.call(&officer, Method::GET, path, None).await;
        assert_eq!(st, StatusCode::OK, "other roles are unaffected: {path}");
    }
    hearth_testkit::check_caller(&s, &advisor, id).await;
    for path in &paths {
        let (st, p) = s.call(&advisor, Method::GET, path, None).await;
        assert_eq!(st, StatusCode::OK, "{path}: {p}");
    }
}

/// Regression (issue #22, item 9): a caller check passed with "full name"
/// and "address" (or date of birth) ticked, facts the advisor had just read
/// on screen. Now the advisor sees only the name before the check, types
/// the caller's answers, and Hearth compares them: facts on screen or in
/// search are never enough; a memorable word and a phone number on file are.
async fn a_caller_check_compares_answers_with_facts_the_advisor_has_not_seen(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let body = json!({"given_name": "Nell", "family_name": "Fakecaller", "date_of_birth": "1984-03-02", "ni_number": "ZX123456A"});
    let (st, p) = s.call(&officer, Method::POST, "/api/v1/people", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    for body in [
        json!({"kind": "phone", "value": "07700 900982"}),
        json!({"kind": "email", "value": "nell.fakecaller@example.org"}),
        json!({"kind": "address", "line1": "9 Pretend Close", "town": "Nowhereton", "postcode": "ZZ99 4NF"}),
    ] {
        let (st, c) = s.call(&officer, Method::POST, &format!("/api/v1/people/{id}/contact-points"), Some(body)).await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
    }
    // The customer's memorable word, set by staff who maintain contact details.
    let word_url = format!("/api/v1/people/{id}/memorable-word");
    let (st, p) = s.call(&officer, Method::PUT, &word_url, Some(json!({"memorable_word": "ab"}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["memorable_word".to_string()]), "{p}");
    let (st, _) = s.call(&officer, Method::PUT, &word_url, Some(json!({"memorable_word": "Bluebell Kettle"}))).await;
    assert_eq!(st, StatusCode::NO_CONTENT);

    // Before the check the advisor's answers carry the name and nothing to read back to a caller.
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    // The birth date in its written forms, not four bare digits: the page's random form tokens may hold "1984".
    let secrets =
        ["07700", "900982", "nell.fakecaller", "ZZ99", "4NF", "1984-03-02", "02/03/1984", "March 1984", "ZX123456A", "Pretend Close"];
    let (st, shown) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    assert_eq!((st, shown["given_name"].as_str()), (StatusCode::OK, Some("Nell")), "{shown}");
    assert!(shown["date_of_birth"].is_null() && shown["ni_number"].is_null(), "{shown}");
    let (st, rec) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{id}/record"), None).await;
    assert_eq!(st, StatusCode::OK, "{rec}");
    assert!(rec["contacts"].is_null() && rec["details_open"] == json!(false), "{rec}");
    for path in [
        format!("/api/v1/people/{id}/contact-points"),
        format!("/api/v1/people/{id}/identity-evidence"),
        format!("/api/v1/people/{id}/consent"),
    ] {
        let (st, p) = s.call(&advisor, Method::GET, &path, None).await;
        assert_check_first(st, &p);
    }
    let (_, points) = s.call(&officer, Method::GET, &format!("/api/v1/people/{id}/contact-points"), None).await;
    let phone_id = points.as_array().unwrap().iter().find(|c| c["kind"] == "phone").unwrap()["id"].as_i64().unwrap();
    let (st, p) = s.call(&advisor, Method::GET, &format!("/api/v1/contact-points/{phone_id}"), None).await;
    assert_check_first(st, &p);
    let web = hearth_testkit::browser();
    hearth_testkit::sign_in(&s, &web, "contact_centre_advisor").await;
    let (st, page) = hearth_testkit::get(&s, &web, &format!("/people/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Nell Fakecaller") && page.contains("Check the caller"), "the name and the form");
    for text in [shown.to_string(), rec.to_string(), page.clone()] {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} shown before the check: {text}");
        }
    }
    // Nor may the advisor set the answers on an unchecked caller's word.
    let (st, p) = s.call(&advisor, Method::PUT, &word_url, Some(json!({"memorable_word": "fraudster word"}))).await;
    assert_check_first(st, &p);
    let (st, p) = s
        .call(
            &advisor,
            Method::POST,
            &format!("/api/v1/people/{id}/contact-points"),
            Some(json!({"kind": "phone", "value": "07700 900111"})),
        )
        .await;
    assert_check_first(st, &p);

    // Name, postcode and date of birth, all right, are facts on screen or in search: refused.
    let url = format!("/api/v1/people/{id}/caller-checks");
    let on_screen = json!({"answers": {"full_name": "Nell Fakecaller", "address": "zz99 4nf", "date_of_birth": "02/03/1984"}});
    let (st, p) = s.call(&advisor, Method::POST, &url, Some(on_screen)).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["answers".to_string()]), "{p}");
    assert!(p.to_string().contains("not enough"), "{p}");
    let (st, p) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{id}/contact-points"), None).await;
    assert_check_first(st, &p);
    // A wrong memorable word fails the check, whatever else is right.
    let wrong = json!({"answers": {"memorable_word": "bluebell teapot", "phone": "07700900982"}});
    let (st, p) = s.call(&advisor, Method::POST, &url, Some(wrong)).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["answers".to_string()]), "{p}");

    // The memorable word and the phone number on file, as the caller says them: passed.
    let right = json!({"answers": {"memorable_word": "  bluebell KETTLE", "phone": "+44 7700 900 982"}});
    let (st, c) = s.call(&advisor, Method::POST, &url, Some(right)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    assert_eq!(c["checks_passed"], json!(["memorable_word", "phone"]), "{c}");
    let (st, points) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{id}/contact-points"), None).await;
    assert_eq!((st, points.as_array().map(Vec::len)), (StatusCode::OK, Some(3)), "{points}");
    let (_, shown) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{id}"), None).await;
    assert_eq!(shown["date_of_birth"], "1984-03-02");
    let (_, page) = hearth_testkit::get(&s, &web, &format!("/people/{id}?section=details")).await;
    assert!(page.contains("07700 900982"), "the page opens after the check");
    let (_, page) = hearth_testkit::get(&s, &web, &format!("/people/{id}?section=consent")).await;
    assert!(page.contains("Memorable word"), "and the memorable word's section with it");

    // The audit trail has every attempt and the word being set, never an answer or the word.
    let dpo = s.token(StaffRole::Dpo).await;
    let (_, h) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/history"), None).await;
    let mut tx = s.store.begin().await.unwrap();
    let raw = hearth_store::audit::events_after(&mut tx, 0, 100_000).await.unwrap();
    drop(tx);
    // (Recording the contact points audited them, as any change is; the checks must not repeat them.)
    let checks_and_word: Vec<_> =
        raw.iter().filter(|e| ["caller_check", "memorable_word"].contains(&e.event.record_type.as_str())).collect();
    assert!(checks_and_word.len() >= 4, "{checks_and_word:?}");
    let trail = format!("{h} {checks_and_word:?}").to_lowercase();
    for said in ["bluebell", "kettle", "teapot", "fraudster", "900982", "900 982", "02/03/1984", "zz99 4nf"] {
        assert!(!trail.contains(said), "{said} in the audit trail");
    }
    let events = h.as_array().unwrap();
    let checks: Vec<&str> = events
        .iter()
        .filter(|e| e["record_type"] == "caller_check" && e["action"] == "create")
        .map(|e| e["decision"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["allow", "deny", "deny"], "{h:#}");
    assert!(events.iter().any(|e| e["record_type"] == "memorable_word" && e["decision"] == "allow"), "setting the word is audited");
    // The word itself is stored only as an Argon2id hash.
    let mut tx = s.store.begin().await.unwrap();
    let hash = hearth_store::representatives::memorable_word_hash(&mut tx, id).await.unwrap().unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains("kettle"), "{hash}");
}

/// Regression (issue #22, item 9): wrong answers could be tried without
/// limit. Three failed checks by one advisor for one person in 30 minutes,
/// and the fourth is refused even with the right answers; another advisor,
/// or another person, is unaffected.
async fn failed_caller_checks_are_limited_per_advisor_and_person(s: TestServer) {
    let id = person(&s, "Otto").await;
    let other = person(&s, "Pia").await;
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let url = format!("/api/v1/people/{id}/caller-checks");
    let right = answers(&s, id).await;
    for i in 0..hearth_domain::representatives::MAX_FAILED_CALLER_CHECKS {
        let guess = json!({"answers": {"memorable_word": format!("guess number {i}"), "full_name": "Otto Fakecaller"}});
        let (st, p) = s.call(&advisor, Method::POST, &url, Some(guess)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "guess {i}: {p}");
    }
    let (st, p) = s.call(&advisor, Method::POST, &url, Some(right.clone())).await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{p}");
    let (st, p) = timeline(&s, &advisor, id).await;
    assert_check_first(st, &p);
    // Another person, and another advisor, are not held up.
    let (st, c) = s.call(&advisor, Method::POST, &format!("/api/v1/people/{other}/caller-checks"), Some(answers(&s, other).await)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    s.gate.add_user("third.advisor", "Third Advisor", StaffRole::ContactCentreAdvisor, &[], hearth_testkit::PASSWORD).await.unwrap();
    let third = s.token_for("third.advisor").await;
    let (st, c) = s.call(&third, Method::POST, &url, Some(right)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    // The refusal for too many failures is audited too.
    let dpo = s.token(StaffRole::Dpo).await;
    let (_, h) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/history"), None).await;
    let limited = |e: &&Value| e["record_type"] == "caller_check" && e["reason"].as_str().is_some_and(|r| r.contains("failed checks"));
    assert!(h.as_array().unwrap().iter().any(|e| limited(&e)), "{h:#}");
}
