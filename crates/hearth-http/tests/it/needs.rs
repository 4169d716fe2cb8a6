//! Needs, reasonable adjustments and warning flags over HTTP and in the web
//! UI, on SQLite and PostgreSQL: without consent a need is kept but not used
//! (no banner, no repair priority uplift) and the page says why; an overdue
//! review shows in the officer's work list; an income officer sees
//! adjustments but never the health detail; a contractor's job sheet holds
//! nothing outside its allowed fields; a flag's text waits for each user's
//! acknowledgement; coverage counts tenants with a needs check.

use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::{tenant, NewTenant, Tenant};
use hearth_testkit::{browser, get, problem_fields, sign_in, TestServer, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    without_consent_a_need_is_stored_but_not_used_and_the_page_says_why,
    an_overdue_review_shows_in_the_officers_work_list,
    an_income_officer_sees_adjustments_but_not_health_detail,
    a_contractor_job_sheet_holds_only_the_allowed_fields,
    a_flag_is_acknowledged_before_its_text_is_shown,
    a_partys_warning_flag_shows_on_the_case_page,
    coverage_is_the_share_of_tenants_with_a_needs_check,
    the_forms_name_their_errors_and_a_need_is_reviewed_and_ended,
);

const DETAIL: &str = "Profound hearing loss in both ears since an illness";
const RISK: &str = "Dog kept loose in the hallway; bit a meter reader in March";

/// The phone every tenant here has (the contractor's job sheet shows it).
const PHONE: &str = "01632 960 001";

async fn need(s: &TestServer, t: &str, person: i64, body: Value) -> Value {
    let (st, n) = s.call(t, Method::POST, &format!("/api/v1/people/{person}/needs"), Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{n}");
    n
}

fn hearing(consent: bool) -> Value {
    json!({"category": "hearing", "detail": DETAIL, "source": "staff_contact", "disclosure_channel": "phone",
           "duration": "long_term", "consent_to_tailor": consent, "preferred_words": "hard of hearing"})
}

async fn adjust(s: &TestServer, t: &str, person: i64, body: Value) -> Value {
    let (st, a) = s.call(t, Method::POST, &format!("/api/v1/people/{person}/adjustments"), Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    a
}

async fn repair(s: &TestServer, t: &str, person: i64, property: i64) -> Value {
    let (st, c) = s
        .call(
            t,
            Method::POST,
            "/api/v1/cases",
            Some(json!({"kind": "repair", "summary": "Front door lock sticks", "trade": "carpentry",
            "property_id": property, "priority": "routine", "parties": [{"person_id": person, "role": "subject"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    c
}

async fn without_consent_a_need_is_stored_but_not_used_and_the_page_says_why(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let Tenant { person, property, .. } = tenant(&s, &t, NewTenant::new("Hana", "Quietly", 990_000_000_101).phone(PHONE)).await;

    let (st, p) = s.call(&t, Method::POST, &format!("/api/v1/people/{person}/needs"), Some(json!({"category": "hearing"}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_fields(&p), ["source", "disclosure_channel", "duration", "consent_to_tailor"], "consent must be answered expressly");

    let n = need(&s, &t, person, hearing(false)).await;
    let nid = n["id"].as_i64().unwrap();
    assert_eq!(n["consent_to_tailor"], false);
    assert_eq!(n["consent_recorded_by"], s.gate.user_id("housing_officer").await.unwrap(), "who recorded the answer is kept");
    let (_, stored) = s.call(&t, Method::GET, &format!("/api/v1/people/{person}/needs"), None).await;
    assert_eq!(stored[0]["detail"], DETAIL, "the need is stored");

    let a = adjust(&s, &t, person, json!({"need_id": nid, "kind": "call_ahead"})).await;
    adjust(&s, &t, person, json!({"need_id": nid, "kind": "repair_priority_uplift"})).await;
    assert_eq!(a["in_use"], false);
    assert!(a["not_in_use_reason"].as_str().unwrap().contains("not given consent"), "{a}");

    let job = repair(&s, &t, person, property).await;
    assert_eq!(job["case"]["priority"], "routine", "no uplift without consent");

    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (_, page) = get(&s, &c, &format!("/people/{person}?section=needs")).await;
    assert!(!page.contains("id=\"adjustments-banner\""), "no banner without consent");
    assert!(page.contains("recorded but not used to tailor services, because the person has not given consent"), "the page says why");
    assert!(page.contains(&format!("id=\"need-{nid}-not-used\"")), "and says it against the need");
    let (_, case_page) = get(&s, &c, &format!("/cases/{}", job["case"]["id"])).await;
    assert!(!case_page.contains("govuk-notification-banner__title\" id=\"adjustments-"), "no banner on the job either");

    // Consent given: the same need is now used.
    let (st, n) = s
        .call(
            &t,
            Method::POST,
            &format!("/api/v1/needs/{nid}/changes"),
            Some(json!({"change": "consent", "version": 1, "consent_to_tailor": true})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{n}");
    let job = repair(&s, &t, person, property).await;
    assert_eq!(job["case"]["priority"], "urgent", "uplift once consent is given");
    assert!(job["timeline"].as_array().unwrap().iter().any(|e| e["kind"] == "priority"), "the uplift is on the timeline");
    let (_, page) = get(&s, &c, &format!("/people/{person}")).await;
    let banner = page.find("id=\"adjustments-banner\"").expect("banner with consent");
    assert!(banner < page.find("<h1").unwrap(), "the banner comes first");
    assert!(page[banner..].contains("Call ahead before visiting"));
    let (_, case_page) = get(&s, &c, &format!("/cases/{}", job["case"]["id"])).await;
    assert!(case_page.contains(&format!("id=\"adjustments-{person}\"")) && case_page.contains("Call ahead before visiting"));

    // Ending the need keeps who and why, and stops its adjustments.
    let (st, ended) =
        s.call(&t, Method::POST, &format!("/api/v1/needs/{nid}/changes"), Some(json!({"change": "end", "version": 2, "reason": ""}))).await;
    assert_eq!((st, problem_fields(&ended)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()]));
    let (st, ended) = s
        .call(
            &t,
            Method::POST,
            &format!("/api/v1/needs/{nid}/changes"),
            Some(json!({"change": "end", "version": 2, "reason": "Hearing aids fitted"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ended}");
    assert_eq!(
        (ended["end_reason"].as_str(), ended["ended_by"].as_i64()),
        (Some("Hearing aids fitted"), Some(s.gate.user_id("housing_officer").await.unwrap()))
    );
    let (_, adj) = s.call(&t, Method::GET, &format!("/api/v1/people/{person}/adjustments"), None).await;
    assert!(adj.as_array().unwrap().iter().all(|a| a["in_use"] == false), "{adj}");
}

async fn an_overdue_review_shows_in_the_officers_work_list(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let person = tenant(&s, &t, NewTenant::new("Olwen", "Overdue", 990_000_000_201).phone(PHONE)).await.person;
    let today = hearth_gate::Gate::today();
    let two_years_ago = today.saturating_sub(jiff::ToSpan::years(2)).to_string();
    let old = need(
        &s,
        &t,
        person,
        json!({"category": "bereavement", "source": "survey", "disclosure_channel": "in_person", "duration": "temporary",
        "consent_to_tailor": true, "disclosed_on": two_years_ago}),
    )
    .await;
    let soon = need(
        &s,
        &t,
        person,
        json!({"category": "mobility", "source": "sign_up", "disclosure_channel": "letter", "duration": "long_term",
        "consent_to_tailor": true, "review_date": today.saturating_add(jiff::ToSpan::days(10)).to_string()}),
    )
    .await;
    let later = need(&s, &t, person, hearing(true)).await;

    let (st, list) = s.call(&t, Method::GET, "/api/v1/reviews", None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let items: Vec<(i64, bool)> =
        list.as_array().unwrap().iter().map(|i| (i["id"].as_i64().unwrap(), i["overdue"].as_bool().unwrap())).collect();
    assert_eq!(items, vec![(old["id"].as_i64().unwrap(), true), (soon["id"].as_i64().unwrap(), false)], "{list}");
    assert!(!items.iter().any(|(id, _)| Some(*id) == later["id"].as_i64()), "not due yet");

    // Another officer's work list does not hold these.
    s.gate.add_user("other_officer", "Other Officer", StaffRole::HousingOfficer, &[], PASSWORD).await.unwrap();
    let r =
        s.client.post(s.url("/api/v1/auth/token")).json(&json!({"username": "other_officer", "password": PASSWORD})).send().await.unwrap();
    let other = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let (_, list) = s.call(&other, Method::GET, "/api/v1/reviews", None).await;
    assert_eq!(list, json!([]));
    let (st, _) = s.call(&other, Method::GET, &format!("/api/v1/people/{person}/needs"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "not their patch");
    let contractor = s.token(StaffRole::Contractor).await;
    let (st, _) = s.call(&contractor, Method::GET, "/api/v1/reviews", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "a role that reviews neither needs nor flags");

    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (st, page) = get(&s, &c, "/reviews").await;
    assert_eq!(st, StatusCode::OK);
    let row = page.find("Need: Bereavement").expect("overdue need listed");
    assert!(page[row..].split("</tr>").next().unwrap().contains("Overdue"), "highlighted as overdue");
    assert!(page.contains("1 overdue"));
    assert!(page.contains("Need: Mobility"));
}

async fn an_income_officer_sees_adjustments_but_not_health_detail(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let person = tenant(&s, &t, NewTenant::new("Ivor", "Incomely", 990_000_000_301).phone(PHONE)).await.person;
    let n = need(&s, &t, person, hearing(true)).await;
    adjust(&s, &t, person, json!({"need_id": n["id"], "kind": "call_ahead"})).await;
    adjust(&s, &t, person, json!({"need_id": n["id"], "kind": "longer_calls", "note": "Speak slowly and confirm in writing"})).await;

    let income = s.token(StaffRole::IncomeOfficer).await;
    let (st, body) = s.call(&income, Method::GET, &format!("/api/v1/people/{person}/needs"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(!body.to_string().contains(DETAIL));
    let (st, adj) = s.call(&income, Method::GET, &format!("/api/v1/people/{person}/adjustments"), None).await;
    assert_eq!(st, StatusCode::OK, "{adj}");
    let kinds: Vec<&str> = adj.as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["call_ahead", "longer_calls"]);
    let text = adj.to_string();
    assert!(!text.contains(DETAIL) && !text.contains("hearing") && !text.contains("hard of hearing"), "no health detail: {text}");

    let c = browser();
    sign_in(&s, &c, "income_officer").await;
    let (st, page) = get(&s, &c, &format!("/people/{person}?section=needs")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("id=\"adjustments-banner\"") && page.contains("Allow longer calls"), "adjustments shown");
    assert!(!page.contains(DETAIL) && !page.contains("hard of hearing") && !page.contains(">Hearing<"), "health detail never shown");
    assert!(
        page.contains("Your role does not give access to this person&#39;s needs")
            || page.contains("Your role does not give access to this person's needs")
    );
}

async fn a_contractor_job_sheet_holds_only_the_allowed_fields(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let Tenant { person, property, .. } = tenant(&s, &t, NewTenant::new("Jo", "Sheetly", 990_000_000_401).phone(PHONE)).await;
    let used = need(&s, &t, person, hearing(true)).await;
    let unused = need(
        &s,
        &t,
        person,
        json!({"category": "mobility", "detail": "Uses a walking frame after a fall", "source": "survey",
        "disclosure_channel": "home_visit", "duration": "long_term", "consent_to_tailor": false}),
    )
    .await;
    for a in [
        json!({"need_id": used["id"], "kind": "call_ahead"}),
        json!({"need_id": used["id"], "kind": "preferred_format", "format": "spoken_language_interpreter", "language": "Polish"}),
        json!({"need_id": used["id"], "kind": "operative_gender", "operative_gender": "female", "note": "Because of her hearing loss"}),
        json!({"need_id": used["id"], "kind": "repair_priority_uplift"}),
        json!({"need_id": unused["id"], "kind": "more_time_at_door"}),
    ] {
        adjust(&s, &t, person, a).await;
    }
    let (st, f) = s
        .call(
            &t,
            Method::POST,
            &format!("/api/v1/people/{person}/warning-flags"),
            Some(json!({"category": "dangerous_animal", "severity": "high",
            "risk_assessment": RISK, "person_told": true, "person_told_on": "2026-01-05"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{f}");

    let job = repair(&s, &t, person, property).await;
    let id = job["case"]["id"].as_i64().unwrap();
    let contractor = s.gate.user_id("contractor").await.unwrap();
    let now = jiff::Timestamp::now();
    let (start, end) = ((now - jiff::SignedDuration::from_hours(1)).to_string(), (now + jiff::SignedDuration::from_hours(3)).to_string());
    let (st, booked) = s
        .call(
            &t,
            Method::POST,
            &format!("/api/v1/cases/{id}/changes"),
            Some(json!({"change": "schedule", "version": job["case"]["version"],
            "contractor_id": contractor, "window_start": start, "window_end": end})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{booked}");

    let ct = s.token(StaffRole::Contractor).await;
    let (st, sheet) = s.call(&ct, Method::GET, &format!("/api/v1/cases/{id}/job-sheet"), None).await;
    assert_eq!(st, StatusCode::OK, "{sheet}");
    let expected = json!({
        "case_id": id,
        "reference": job["case"]["reference"],
        "trade": "carpentry",
        "priority": "urgent",
        "summary": "Front door lock sticks",
        "window_start": booked["case"]["window_start"],
        "window_end": booked["case"]["window_end"],
        "address": "7 Imaginary Row, Testbury, ZZ99 3AB",
        "people": [{
            "name": "Jo Sheetly",
            "phone": "01632 960 001",
            "adjustments": [
                {"kind": "call_ahead", "text": "Call ahead before visiting"},
                {"kind": "preferred_format", "text": "Preferred format: Spoken-language interpreter (Polish)"},
                {"kind": "operative_gender", "text": "Operative gender preference: female operative"},
            ],
            "warning_flags": [
                {"category": "dangerous_animal", "severity": "high", "text": "Staff safety: Dangerous animal (high risk). Speak to the office before visiting."},
            ],
        }],
    });
    assert_eq!(sheet, expected, "the whole job sheet, nothing more");

    // The contractor reaches nothing else about the person.
    for path in [
        format!("/api/v1/people/{person}/needs"),
        format!("/api/v1/people/{person}/warning-flags"),
        format!("/api/v1/people/{person}/adjustments"),
    ] {
        let (st, body) = s.call(&ct, Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    // Outside the window the sheet is refused.
    let (_, moved) = s
        .call(
            &t,
            Method::POST,
            &format!("/api/v1/cases/{id}/changes"),
            Some(json!({"change": "schedule", "version": booked["case"]["version"],
            "contractor_id": contractor, "window_start": (now + jiff::SignedDuration::from_hours(48)).to_string(),
            "window_end": (now + jiff::SignedDuration::from_hours(50)).to_string()})),
        )
        .await;
    assert_eq!(moved["case"]["contractor_id"], contractor);
    let (st, _) = s.call(&ct, Method::GET, &format!("/api/v1/cases/{id}/job-sheet"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // The printable page shows the same, and never the detail or the flag text.
    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (st, page) = get(&s, &c, &format!("/cases/{id}/job-sheet")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Call ahead before visiting") && page.contains("Dangerous animal"));
    for secret in [DETAIL, RISK, "walking frame", "Because of her hearing loss", "Allow more time"] {
        assert!(!page.contains(secret), "{secret} leaked onto the job sheet");
    }
}

async fn a_flag_is_acknowledged_before_its_text_is_shown(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let person = tenant(&s, &t, NewTenant::new("Fen", "Flagley", 990_000_000_501).phone(PHONE)).await.person;
    let (st, p) = s
        .call(
            &t,
            Method::POST,
            &format!("/api/v1/people/{person}/warning-flags"),
            Some(json!({"category": "do_not_visit_alone", "severity": "high", "person_told": false})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_fields(&p), ["risk_assessment", "not_told_reason"]);
    let (st, f) = s
        .call(&t, Method::POST, &format!("/api/v1/people/{person}/warning-flags"), Some(json!({"category": "do_not_visit_alone", "severity": "high",
            "incident_date": "2026-02-01", "risk_assessment": RISK, "person_told": false, "not_told_reason": "Telling them would raise the risk"})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    let fid = f["id"].as_i64().unwrap();
    assert_eq!(f["risk_assessment"], RISK, "the author has read it");

    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let (_, flags) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{person}/warning-flags"), None).await;
    assert_eq!((flags[0]["acknowledged"].as_bool(), flags[0]["risk_assessment"].is_null()), (Some(false), true), "{flags}");
    assert!(!flags.to_string().contains(RISK) && !flags.to_string().contains("raise the risk"));

    let c = browser();
    let csrf = sign_in(&s, &c, "contact_centre_advisor").await;
    let (_, page) = get(&s, &c, &format!("/people/{person}")).await;
    assert!(page.contains("Staff safety warning: Do not visit alone") && page.contains("Acknowledge and show the risk assessment"));
    assert!(!page.contains(RISK), "text waits for the acknowledgement");
    let r = c.post(s.url(&format!("/warning-flags/{fid}/acknowledge"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, &format!("/people/{person}")).await;
    assert!(page.contains(RISK) && !page.contains("Acknowledge and show the risk assessment"));
    let r = c.post(s.url(&format!("/warning-flags/{fid}/acknowledge"))).form(&[("_csrf", "wrong")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "CSRF-less posts refused");

    // Each user acknowledges for themselves.
    let (_, flags) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{person}/warning-flags"), None).await;
    assert_eq!(flags[0]["risk_assessment"], RISK);
    let asb = s.token(StaffRole::AsbOfficer).await;
    let (_, flags) = s.call(&asb, Method::GET, &format!("/api/v1/people/{person}/warning-flags"), None).await;
    assert!(flags[0]["risk_assessment"].is_null());
    let (st, acked) = s.call(&asb, Method::POST, &format!("/api/v1/warning-flags/{fid}/acknowledge"), None).await;
    assert_eq!((st, acked["risk_assessment"].as_str()), (StatusCode::OK, Some(RISK)));
    let (_, history) = s.call(&s.token(StaffRole::Dpo).await, Method::GET, &format!("/api/v1/people/{person}/history"), None).await;
    let acks = history["items"].as_array().or(history.as_array()).unwrap().iter().filter(|e| {
        e["actor_username"] == "asb_officer" && e["record_type"] == "warning_flag" && e["action"] == "view" && e["record_id"] == fid
    });
    assert_eq!(acks.count(), 1, "the acknowledgement is audited: {history}");
}

async fn coverage_is_the_share_of_tenants_with_a_needs_check(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let a = tenant(&s, &t, NewTenant::new("Cara", "Checked", 990_000_000_601).phone(PHONE)).await.person;
    let b = tenant(&s, &t, NewTenant::new("Cai", "Asked", 990_000_000_602).phone(PHONE)).await.person;
    tenant(&s, &t, NewTenant::new("Cyd", "Unasked", 990_000_000_603).phone(PHONE)).await;
    tenant(&s, &t, NewTenant::new("Col", "Unasked", 990_000_000_604).phone(PHONE)).await;
    need(&s, &t, a, hearing(true)).await;
    let (st, check) = s.call(&t, Method::POST, &format!("/api/v1/people/{b}/needs-checks"), Some(json!({"outcome": "no_needs"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{check}");
    let (st, bad) = s.call(&t, Method::POST, &format!("/api/v1/people/{b}/needs-checks"), Some(json!({"outcome": "maybe"}))).await;
    assert_eq!((st, problem_fields(&bad)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["outcome".to_string()]));

    s.gate.add_user("needs_manager", "Needs Manager", StaffRole::Manager, &["needs".to_string()], PASSWORD).await.unwrap();
    let r =
        s.client.post(s.url("/api/v1/auth/token")).json(&json!({"username": "needs_manager", "password": PASSWORD})).send().await.unwrap();
    let m = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let (st, cov) = s.call(&m, Method::GET, "/api/v1/needs/coverage", None).await;
    assert_eq!(st, StatusCode::OK, "{cov}");
    assert_eq!(cov, json!({"tenants": 4, "with_needs_check": 2, "share_percent": 50.0}));
    let (st, _) = s.call(&s.token(StaffRole::IncomeOfficer).await, Method::GET, "/api/v1/needs/coverage", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, doc) = s.call(&m, Method::GET, "/api/v1/openapi.json", None).await;
    for path in ["/api/v1/needs/coverage", "/api/v1/reviews", "/api/v1/cases/{id}/job-sheet", "/api/v1/people/{id}/needs"] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
}

async fn the_forms_name_their_errors_and_a_need_is_reviewed_and_ended(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let person = tenant(&s, &t, NewTenant::new("Uma", "Formsworth", 990_000_000_701).phone(PHONE)).await.person;
    let c = browser();
    let csrf = sign_in(&s, &c, "housing_officer").await;
    let post = async |path: &str, form: &[(&str, &str)]| {
        let mut f = vec![("_csrf", csrf.as_str())];
        f.extend_from_slice(form);
        let r = c.post(s.url(path)).form(&f).send().await.unwrap();
        let status = r.status();
        let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        (status, location, r.text().await.unwrap())
    };

    let (st, _, page) = post(&format!("/people/{person}/needs"), &[("category", "hearing"), ("source", "survey")]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#consent_to_tailor\"") && page.contains("Say whether the person gives consent"), "consent is asked for");
    assert!(page.contains("<option value=\"hearing\" selected"), "what was typed is kept");

    let (st, _, page) =
        post(&format!("/people/{person}/warning-flags"), &[("category", "verbal_abuse"), ("severity", "low"), ("person_told", "yes")])
            .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#risk_assessment\"") && page.contains("href=\"#person_told_on-day\""), "{page}");
    let (st, to, _) = post(
        &format!("/people/{person}/warning-flags"),
        &[
            ("category", "verbal_abuse"),
            ("severity", "low"),
            ("risk_assessment", RISK),
            ("person_told", "yes"),
            ("person_told_on_day", "5"),
            ("person_told_on_month", "1"),
            ("person_told_on_year", "2026"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(to.unwrap().starts_with(&format!("/people/{person}?done=flag-added#flag-")));

    let two_years_ago = hearth_gate::Gate::today().saturating_sub(jiff::ToSpan::years(2)).to_string();
    let n = need(
        &s,
        &t,
        person,
        json!({"category": "bereavement", "source": "survey", "disclosure_channel": "in_person", "duration": "temporary",
        "consent_to_tailor": true, "disclosed_on": two_years_ago}),
    )
    .await;
    let nid = n["id"].as_i64().unwrap();
    let (_, due) = s.call(&t, Method::GET, "/api/v1/reviews", None).await;
    assert_eq!(due.as_array().unwrap().iter().filter(|i| i["record_type"] == "need").count(), 1);
    let (st, to, _) = post(&format!("/needs/{nid}/reviewed"), &[("version", "1")]).await;
    assert_eq!((st, to.as_deref()), (StatusCode::SEE_OTHER, Some(format!("/people/{person}?done=need-reviewed#need-{nid}").as_str())));
    let (_, due) = s.call(&t, Method::GET, "/api/v1/reviews", None).await;
    assert_eq!(due.as_array().unwrap().iter().filter(|i| i["record_type"] == "need").count(), 0, "reviewed: no longer due");

    let (st, page) = get(&s, &c, &format!("/needs/{nid}/end")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("End a need"));
    let (st, _, page) = post(&format!("/needs/{nid}/end"), &[("version", "2"), ("reason", " ")]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Say why it is no longer relevant"));
    let (st, _, _) =
        post(&format!("/needs/{nid}/end"), &[("version", "2"), ("reason", "Support from a bereavement charity has ended")]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, &format!("/people/{person}?section=needs")).await;
    assert!(page.contains("Bereavement (ended)") && page.contains("Support from a bereavement charity has ended"), "who and why are kept");

    // An advisor's page view neither reads nor is refused the needs: nothing to audit.
    let a = browser();
    sign_in(&s, &a, "contact_centre_advisor").await;
    let (st, page) = get(&s, &a, &format!("/people/{person}?section=needs")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(!page.contains("Bereavement"));
    let (_, history) = s.call(&s.token(StaffRole::Dpo).await, Method::GET, &format!("/api/v1/people/{person}/history"), None).await;
    let entries = history["items"].as_array().or(history.as_array()).unwrap();
    assert!(
        !entries.iter().any(|e| e["actor_username"] == "contact_centre_advisor" && e["compartment"] == "needs"),
        "no needs event for a page view that does not show them: {history}"
    );
}

/// Whoever works a case sees its parties' staff-safety flags at the top of
/// the case page (the text stays behind the acknowledgement on the record).
async fn a_partys_warning_flag_shows_on_the_case_page(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let me = s.gate.user_id("housing_officer").await.unwrap();
    let person = tenant(&s, &t, NewTenant::new("Fenwick", "Flagcase", 990_000_000_777).phone(PHONE)).await.person;
    let (st, f) = s
        .call(&t, Method::POST, &format!("/api/v1/people/{person}/warning-flags"), Some(json!({"category": "do_not_visit_alone", "severity": "high",
            "incident_date": "2026-02-01", "risk_assessment": RISK, "person_told": false, "not_told_reason": "Telling them would raise the risk"})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    let case = s
        .created(
            &t,
            "/api/v1/cases",
            json!({"kind": "tenancy_management", "summary": "Rent account query", "assigned_to": me,
            "parties": [{"person_id": person, "role": "subject"}]}),
        )
        .await;
    let id = case["case"]["id"].as_i64().unwrap();
    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (st, page) = get(&s, &c, &format!("/cases/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Staff safety warning for Fenwick Flagcase: Do not visit alone (high risk)"), "{page}");
    assert!(!page.contains(RISK), "the risk assessment stays on the record, behind its acknowledgement");
}
