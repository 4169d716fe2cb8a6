//! Consent, contact preferences and objections over HTTP and in the web UI,
//! on SQLite and PostgreSQL: withdrawing consent to tailor services stops the
//! person's adjustments being used at once; consent needs its evidence; a
//! stale preferences form is refused; while processing is restricted, a
//! withdrawal or an objection is still recorded but a new consent is not;
//! roles without the contact compartment see none of it.

use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::{tenant, NewTenant};
use hearth_testkit::{browser, get, problem_fields, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    withdrawing_consent_to_tailor_stops_adjustments_at_once,
    consent_needs_evidence_and_preferences_refuse_a_stale_version,
    under_restriction_withdrawals_and_objections_are_still_recorded,
    the_consent_page_records_and_names_its_errors,
    marketing_reaches_only_those_who_agreed_and_stops_at_once,
);

async fn person(s: &TestServer, t: &str, given: &str) -> i64 {
    let (st, p) = s.call(t, Method::POST, "/api/v1/people", Some(json!({"given_name": given, "family_name": "Fictional"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn post(s: &TestServer, t: &str, path: &str, body: Value) -> (StatusCode, Value) {
    s.call(t, Method::POST, path, Some(body)).await
}

fn given(purpose: &str) -> Value {
    json!({"purpose": purpose, "decision": "given", "method": "written_form", "evidence": "Form CF-7 on file",
           "notice_version": "privacy-notice-2026-04"})
}

async fn withdrawing_consent_to_tailor_stops_adjustments_at_once(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    // A tenant on the officer's patch, so the officer may record needs.
    let id = tenant(&s, &t, NewTenant::new("Tamsin", "Fictional", 990_000_000_301).phone("01632 960 001")).await.person;
    let (st, n) = post(
        &s,
        &t,
        &format!("/api/v1/people/{id}/needs"),
        json!({"category": "sight", "detail": "Sees only large print", "source": "staff_contact", "disclosure_channel": "phone",
               "duration": "long_term", "consent_to_tailor": true}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{n}");
    let nid = n["id"].as_i64().unwrap();
    let (st, a) = post(&s, &t, &format!("/api/v1/people/{id}/adjustments"), json!({"need_id": nid, "kind": "call_ahead"})).await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert_eq!(a["in_use"], true, "consent given for the need: used");

    let (st, c) = post(&s, &t, &format!("/api/v1/people/{id}/consent"), given("tailor_services")).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let (st, w) = post(
        &s,
        &t,
        &format!("/api/v1/people/{id}/consent"),
        json!({"purpose": "tailor_services", "decision": "withdrawn", "method": "recorded_call", "evidence": "Call of 1 December, 10:14"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{w}");
    assert_eq!(w["decision"], "withdrawn");

    // At once: the same adjustment is no longer in use, and the need says so.
    let (_, adjustments) = s.call(&t, Method::GET, &format!("/api/v1/people/{id}/adjustments"), None).await;
    assert_eq!(adjustments[0]["id"], a["id"]);
    assert_eq!(adjustments[0]["in_use"], false, "{adjustments}");
    assert!(adjustments[0]["not_in_use_reason"].as_str().unwrap().contains("consent"), "{adjustments}");
    let (_, needs) = s.call(&t, Method::GET, &format!("/api/v1/people/{id}/needs"), None).await;
    assert_eq!(needs[0]["consent_to_tailor"], false);

    let (st, o) = s.call(&t, Method::GET, &format!("/api/v1/people/{id}/consent"), None).await;
    assert_eq!(st, StatusCode::OK);
    let tailoring = o["purposes"].as_array().unwrap().iter().find(|p| p["purpose"] == "tailor_services").unwrap();
    assert_eq!(tailoring["state"], "withdrawn");
    let marketing = o["purposes"].as_array().unwrap().iter().find(|p| p["purpose"] == "marketing").unwrap();
    assert_eq!(marketing["state"], "not_asked");
    assert_eq!(o["log"].as_array().unwrap().len(), 2, "both records kept as evidence: {o}");
    assert_eq!(o["log"][1]["notice_version"], "privacy-notice-2026-04");

    // The withdrawal is audited with the needs it switched off.
    let dpo = s.token(StaffRole::Dpo).await;
    let (_, history) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{id}/history"), None).await;
    let text = history.to_string();
    assert!(text.contains("consent_withdrawal"), "{text}");
}

async fn consent_needs_evidence_and_preferences_refuse_a_stale_version(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let id = person(&s, &t, "Odile").await;
    let (st, p) =
        post(&s, &t, &format!("/api/v1/people/{id}/consent"), json!({"purpose": "marketing", "decision": "given", "method": "portal"}))
            .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_fields(&p), ["evidence", "notice_version"]);
    let mut lapsing = given("marketing");
    lapsing["on"] = json!("2026-01-10");
    lapsing["expires_on"] = json!("2026-01-01");
    let (st, p) = post(&s, &t, &format!("/api/v1/people/{id}/consent"), lapsing).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["expires_on".to_string()]));
    let (st, _) = post(&s, &t, "/api/v1/people/999999/consent", given("marketing")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let prefs = |version: Option<i64>| json!({"version": version, "preferred_channel": "email", "declined_channels": ["phone", "visit"], "marketing_opt_out": true});
    let (st, p) = s.call(&t, Method::PUT, &format!("/api/v1/people/{id}/contact-preferences"), Some(prefs(None))).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["declined_channels"], json!(["phone", "visit"]));
    assert_eq!((p["marketing_opt_out"].clone(), p["version"].clone()), (json!(true), json!(1)));
    let (st, p2) = s.call(&t, Method::PUT, &format!("/api/v1/people/{id}/contact-preferences"), Some(prefs(Some(1)))).await;
    assert_eq!((st, p2["version"].clone()), (StatusCode::OK, json!(2)));
    let (st, _) = s.call(&t, Method::PUT, &format!("/api/v1/people/{id}/contact-preferences"), Some(prefs(Some(1)))).await;
    assert_eq!(st, StatusCode::CONFLICT, "a stale version is refused");
    let (st, p) = s
        .call(
            &t,
            Method::PUT,
            &format!("/api/v1/people/{id}/contact-preferences"),
            Some(json!({"version": 2, "preferred_channel": "sms", "declined_channels": ["sms"]})),
        )
        .await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["preferred_channel".to_string()]));

    // Roles without the contact compartment see none of it.
    let edi = s.token(StaffRole::EdiAnalyst).await;
    let (st, _) = s.call(&edi, Method::GET, &format!("/api/v1/people/{id}/consent"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) =
        post(&s, &edi, &format!("/api/v1/people/{id}/objections"), json!({"kind": "profiling", "detail": "Does not want to be profiled"}))
            .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn under_restriction_withdrawals_and_objections_are_still_recorded(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let id = person(&s, &t, "Rufus").await;
    let (st, _) = post(&s, &t, &format!("/api/v1/people/{id}/consent"), given("marketing")).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, r) =
        post(&s, &dpo, &format!("/api/v1/people/{id}/restriction"), json!({"reason": "Accuracy of the record is contested"})).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");

    let (st, p) = post(&s, &t, &format!("/api/v1/people/{id}/consent"), given("research_surveys")).await;
    assert_eq!(st, StatusCode::CONFLICT, "new consent is a use beyond storage: {p}");
    let (st, _) =
        s.call(&t, Method::PUT, &format!("/api/v1/people/{id}/contact-preferences"), Some(json!({"marketing_opt_out": true}))).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, w) = post(
        &s,
        &t,
        &format!("/api/v1/people/{id}/consent"),
        json!({"purpose": "marketing", "decision": "withdrawn", "method": "email", "evidence": "Email of 30 November"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "a withdrawal only reduces processing: {w}");
    let (st, o) = post(
        &s,
        &t,
        &format!("/api/v1/people/{id}/objections"),
        json!({"kind": "sharing", "detail": "Does not want details passed to the council"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    let oid = o["id"].as_i64().unwrap();
    let (st, _) = post(&s, &t, &format!("/api/v1/objections/{oid}/withdraw"), json!({"reason": "Changed her mind on the phone"})).await;
    assert_eq!(st, StatusCode::CONFLICT, "withdrawing an objection widens processing");

    let (st, _) =
        post(&s, &dpo, &format!("/api/v1/people/{id}/restriction/lift"), json!({"reason": "Record corrected and confirmed"})).await;
    assert_eq!(st, StatusCode::OK);
    let (st, p) = post(&s, &t, &format!("/api/v1/objections/{oid}/withdraw"), json!({"reason": "short"})).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()]));
    let (st, w) = post(&s, &t, &format!("/api/v1/objections/{oid}/withdraw"), json!({"reason": "Changed his mind on the phone"})).await;
    assert_eq!(st, StatusCode::OK, "{w}");
    assert_eq!(w["withdrawn_by"], "housing_officer");
    let (st, p) = post(&s, &t, &format!("/api/v1/objections/{oid}/withdraw"), json!({"reason": "Changed his mind on the phone"})).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["objection".to_string()]));

    let (_, o) = s.call(&t, Method::GET, &format!("/api/v1/people/{id}/consent"), None).await;
    let marketing = o["purposes"].as_array().unwrap().iter().find(|p| p["purpose"] == "marketing").unwrap();
    assert_eq!(marketing["state"], "withdrawn");
}

/// A successful post answers 303 to the page; returns that page.
async fn follow(s: &TestServer, c: &reqwest::Client, r: reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "a successful post redirects");
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (st, html) = get(s, c, &to).await;
    assert_eq!(st, StatusCode::OK);
    html
}

async fn the_consent_page_records_and_names_its_errors(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let id = person(&s, &t, "Perpetua").await;
    let c = browser();
    let csrf = sign_in(&s, &c, "housing_officer").await;
    let (_, person_page) = get(&s, &c, &format!("/people/{id}?section=consent")).await;
    assert!(person_page.contains(&format!("href=\"/people/{id}/consent\"")), "the person page links to it");
    let (st, page) = get(&s, &c, &format!("/people/{id}/consent")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Not asked"));

    let r = c
        .post(s.url(&format!("/people/{id}/consent")))
        .form(&[("_csrf", csrf.as_str()), ("purpose", "marketing"), ("decision", "given"), ("method", "portal")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#evidence\"") && html.contains("href=\"#notice_version\""), "the summary links to the fields");
    assert!(html.contains("<option value=\"marketing\" selected"), "what was chosen is kept");

    let r = c
        .post(s.url(&format!("/people/{id}/consent")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("purpose", "marketing"),
            ("decision", "given"),
            ("method", "portal"),
            ("evidence", "Portal reference PX-0042"),
            ("notice_version", "v7"),
        ])
        .send()
        .await
        .unwrap();
    let html = follow(&s, &c, r).await;
    assert!(html.contains("Consent recorded") && html.contains("Portal reference PX-0042"));

    assert!(!html.contains("name=\"version\""), "no preferences yet, so no version to send");
    let r = c
        .post(s.url(&format!("/people/{id}/contact-preferences")))
        .form(&[("_csrf", csrf.as_str()), ("preferred_channel", "letter"), ("declined_letter", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Letter cannot be both preferred and declined"));
    let r = c
        .post(s.url(&format!("/people/{id}/contact-preferences")))
        .form(&[("_csrf", csrf.as_str()), ("preferred_channel", "letter"), ("declined_sms", "yes"), ("marketing_opt_out", "yes")])
        .send()
        .await
        .unwrap();
    let html = follow(&s, &c, r).await;
    assert!(html.contains("Contact preferences saved"));
    assert!(html.contains("id=\"declined_sms\" name=\"declined_sms\" type=\"checkbox\" value=\"yes\" checked"), "saved choices shown");

    let r =
        c.post(s.url(&format!("/people/{id}/objections"))).form(&[("_csrf", csrf.as_str()), ("kind", "profiling")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("href=\"#detail\""));
}

async fn marketing_reaches_only_those_who_agreed_and_stops_at_once(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let mut people = vec![];
    for (i, name) in ["Agnes", "Basil", "Cosima", "Dorian"].iter().enumerate() {
        let id = person(&s, &t, name).await;
        let (st, c) = post(
            &s,
            &t,
            &format!("/api/v1/people/{id}/contact-points"),
            json!({"kind": "email", "value": format!("{}@example.invalid", name.to_lowercase()), "preferred": i % 2 == 0}),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
        let (st, _) = post(&s, &t, &format!("/api/v1/people/{id}/consent"), given("marketing")).await;
        assert_eq!(st, StatusCode::CREATED);
        people.push(id);
    }
    let [agnes, basil, cosima, dorian] = people[..] else { unreachable!() };
    // Basil opts out; Cosima objects to direct marketing; Dorian declines email only.
    let (st, _) =
        s.call(&t, Method::PUT, &format!("/api/v1/people/{basil}/contact-preferences"), Some(json!({"marketing_opt_out": true}))).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) =
        post(&s, &t, &format!("/api/v1/people/{cosima}/objections"), json!({"kind": "direct_marketing", "detail": "No offers, please"}))
            .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _) = s
        .call(&t, Method::PUT, &format!("/api/v1/people/{dorian}/contact-preferences"), Some(json!({"declined_channels": ["email"]})))
        .await;
    assert_eq!(st, StatusCode::OK);

    let ids = |v: &Value| v.as_array().unwrap().iter().map(|m| m["person_id"].as_i64().unwrap()).collect::<Vec<_>>();
    let (st, audience) = s.call(&t, Method::GET, "/api/v1/marketing/audience?channel=email", None).await;
    assert_eq!(st, StatusCode::OK, "{audience}");
    let mine: Vec<i64> = ids(&audience).into_iter().filter(|i| people.contains(i)).collect();
    assert_eq!(mine, [agnes], "{audience}");
    assert_eq!(audience.as_array().unwrap().iter().find(|m| m["person_id"] == agnes).unwrap()["to"], "agnes@example.invalid");

    // Withdrawal applies at once.
    let (st, _) = post(
        &s,
        &t,
        &format!("/api/v1/people/{agnes}/consent"),
        json!({"purpose": "marketing", "decision": "withdrawn", "method": "email", "evidence": "Unsubscribe email of 2 December"}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, audience) = s.call(&t, Method::GET, "/api/v1/marketing/audience?channel=email", None).await;
    assert!(!ids(&audience).contains(&agnes), "{audience}");

    let (st, p) = s.call(&t, Method::GET, "/api/v1/marketing/audience?channel=visit", None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["channel".to_string()]));
}
