//! Regression tests for the leaks found where capabilities meet (issue 22,
//! items 1 to 4): each named after what a hostile insider could do.

use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::person;
use hearth_testkit::{browser, get, sign_in, TestServer, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(keyed: a_managers_history_does_not_show_who_answered_equality_questions);
both_backends!(
    an_anonymous_reporters_own_record_does_not_show_the_report_to_case_workers,
    case_text_identifying_an_anonymous_reporter_is_refused_however_written,
    an_anonymous_reporter_written_into_a_note_on_the_other_party_is_redacted_from_their_bundle,
    a_contractor_on_a_job_reads_no_identifiers_or_email,
);

/// Item 1: a person with equality answers and one without must have
/// histories that look alike to a manager.
async fn a_managers_history_does_not_show_who_answered_equality_questions(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let answered = person(&s, &officer, "Edna", "Answerwell").await;
    let silent = person(&s, &officer, "Sid", "Quietley").await;
    let body = json!({"source": "phone", "answers": {"sex": {"status": "prefer_not_to_say"}}});
    s.post_ok(&officer, &format!("/api/v1/people/{answered}/edi"), body).await;
    let manager = s.token(StaffRole::Manager).await;
    let kinds = |events: &Value| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["compartment"].as_str().unwrap().to_string(), e["record_type"].as_str().unwrap().to_string()))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let (st, a) = s.call(&manager, Method::GET, &format!("/api/v1/people/{answered}/history"), None).await;
    assert_eq!(st, StatusCode::OK, "{a}");
    let (_, b) = s.call(&manager, Method::GET, &format!("/api/v1/people/{silent}/history"), None).await;
    assert!(!a.to_string().contains("\"edi\""), "no equality event for a manager: {a}");
    assert_eq!(kinds(&a), kinds(&b), "the two histories hold the same kinds of event");
    let c = browser();
    sign_in(&s, &c, "manager").await;
    let (_, page) = get(&s, &c, &format!("/people/{answered}/history")).await;
    assert!(!page.contains("Equality"), "nor on the page");
    // The DPO, who answers for equality data, still sees it happened.
    let dpo = s.token(StaffRole::Dpo).await;
    let (_, d) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{answered}/history"), None).await;
    assert!(d.to_string().contains("\"edi\""), "{d}");
}

/// An ASB case against `perpetrator` reported anonymously by `reporter`,
/// worked by the ASB officer. Returns the case.
async fn anonymous_report(s: &TestServer, reporter: i64, perpetrator: i64) -> Value {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let asb_officer = s.gate.user_id("asb_officer").await.unwrap();
    s.post_ok(
        &officer,
        "/api/v1/cases",
        json!({"kind": "asb", "summary": "Loud music most nights", "assigned_to": asb_officer,
               "parties": [{"person_id": perpetrator, "role": "alleged_perpetrator"},
                           {"person_id": reporter, "role": "reporter", "anonymous": true}]}),
    )
    .await
}

/// Item 2.
async fn an_anonymous_reporters_own_record_does_not_show_the_report_to_case_workers(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let reporter = person(&s, &officer, "Quillon", "Hushworth").await;
    let perpetrator = person(&s, &officer, "Brash", "Loudhouse").await;
    let case = anonymous_report(&s, reporter, perpetrator).await;
    let reference = case["case"]["reference"].as_str().unwrap().to_string();
    s.gate.add_user("asb_manager", "ASB Manager", StaffRole::Manager, &["asb".to_string()], PASSWORD).await.unwrap();
    let path = format!("/api/v1/people/{reporter}/cases");
    for role in [StaffRole::AsbOfficer, StaffRole::Manager, StaffRole::HousingOfficer] {
        let t = s.token(role).await;
        let (st, v) = s.call(&t, Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert!(!v.to_string().contains("reporter") && !v.to_string().contains(&reference), "{role}: {v}");
        let c = browser();
        sign_in(&s, &c, role.as_str()).await;
        let (_, page) = get(&s, &c, &format!("/people/{reporter}")).await;
        assert!(!page.contains(&reference), "{role} sees the report on the reporter's page");
    }
    // Those who may approve revealing the reporter see it on the reporter's own record.
    let r =
        s.client.post(s.url("/api/v1/auth/token")).json(&json!({"username": "asb_manager", "password": PASSWORD})).send().await.unwrap();
    let approver = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    for t in [approver, s.token(StaffRole::Dpo).await] {
        let (_, v) = s.call(&t, Method::GET, &path, None).await;
        assert_eq!(v[0]["role"], "reporter", "{v}");
        assert_eq!(v[0]["reported_anonymously"], true);
    }
}

/// A reporter with every identifier on file.
async fn identified_reporter(s: &TestServer, t: &str) -> i64 {
    let id = s
        .post_ok(
            t,
            "/api/v1/people",
            json!({"given_name": "Quillon", "family_name": "Hushworth", "date_of_birth": "1969-09-09", "ni_number": "JT123456C"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/people/{id}/contact-points");
    s.post_ok(t, &path, json!({"kind": "phone", "value": "07700 900222"})).await;
    s.post_ok(t, &path, json!({"kind": "email", "value": "q.hushworth@example.org"})).await;
    s.post_ok(t, &path, json!({"kind": "address", "line1": "12 Imaginary Row", "town": "Testbury", "postcode": "ZZ99 3AB"})).await;
    id
}

/// Item 3: the guard on the case's own words.
async fn case_text_identifying_an_anonymous_reporter_is_refused_however_written(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let reporter = identified_reporter(&s, &officer).await;
    let perpetrator = person(&s, &officer, "Brash", "Loudhouse").await;
    let case = anonymous_report(&s, reporter, perpetrator).await;
    let id = case["case"]["id"].as_i64().unwrap();
    let asb = s.token(StaffRole::AsbOfficer).await;
    let path = format!("/api/v1/cases/{id}/changes");
    for text in [
        "Quillon rang again about the music",
        "Call back on 07700900222",
        "Call back on +44 7700 900 222",
        "Reporter lives at 12 imaginary row",
        "Reporter's postcode zz99 3ab",
        "NI JT 12 34 56 C checked",
        "DOB 09/09/1969",
        "Email Q.Hushworth@example.org",
    ] {
        let (_, now) = s.call(&asb, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
        let body = json!({"change": "note", "version": now["case"]["version"], "text": text});
        let (st, v) = s.call(&asb, Method::POST, &path, Some(body)).await;
        assert_eq!((st, hearth_testkit::problem_fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["text".to_string()]), "{text}: {v}");
        assert!(!v["errors"].to_string().contains("Quillon"), "the refusal does not repeat who: {v}");
    }
    // The perpetrator and ordinary words are fine.
    let (_, now) = s.call(&asb, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    let body = json!({"change": "note", "version": now["case"]["version"], "text": "Spoke to Mr Loudhouse; will visit in May"});
    let (st, v) = s.call(&asb, Method::POST, &path, Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // A contact logged on the case is held to the same rule.
    let body = json!({"channel": "call_in", "person_ids": [perpetrator], "compartment": "asb", "case_id": id,
                      "summary": "Neighbour on 07700 900 222 says it went on till 3am"});
    let (st, v) = s.call(&asb, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!((st, hearth_testkit::problem_fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["summary".to_string()]), "{v}");
}

/// Item 3, where free text leaves: a note on the perpetrator's own file
/// (not on the case, so no guard) that names the reporter goes out redacted.
async fn an_anonymous_reporter_written_into_a_note_on_the_other_party_is_redacted_from_their_bundle(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let reporter = identified_reporter(&s, &officer).await;
    let perpetrator = person(&s, &officer, "Brash", "Loudhouse").await;
    let case = anonymous_report(&s, reporter, perpetrator).await;
    let summary = "Told him a neighbour, Quillon of 12 Imaginary Row (07700900222, born 9 September 1969), complained";
    s.post_ok(&officer, "/api/v1/contacts", json!({"channel": "call_out", "person_ids": [perpetrator], "summary": summary})).await;
    // The case must be closed for its contents to be given out at all.
    let asb = s.token(StaffRole::AsbOfficer).await;
    let id = case["case"]["id"].as_i64().unwrap();
    s.post_ok(
        &asb,
        &format!("/api/v1/cases/{id}/changes"),
        json!({"change": "close", "version": case["case"]["version"], "outcome": "resolved"}),
    )
    .await;
    let dpo = s.token(StaffRole::Dpo).await;
    let rr =
        s.post_ok(&dpo, "/api/v1/rights-requests", json!({"kind": "access", "person_id": perpetrator, "description": "All of it"})).await;
    let rid = rr["request"]["id"].as_i64().unwrap();
    let change = json!({"change": "identity_passed", "version": rr["request"]["version"], "method": "Passport seen"});
    s.post_ok(&dpo, &format!("/api/v1/rights-requests/{rid}/changes"), change).await;
    hearth_testkit::release_bundle(&s, &dpo, rid).await;
    let r = s.client.get(s.url(&format!("/api/v1/rights-requests/{rid}/bundle"))).bearer_auth(&dpo).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bundle = r.text().await.unwrap();
    assert!(bundle.contains("complained"), "the note itself is there: {bundle}");
    // The year is checked in its date, not alone: a bare "1969" also turns up
    // by chance inside the bundle's hashes and timestamps.
    for leak in ["Quillon", "Hushworth", "Imaginary", "07700900222", "September 1969", "1969-09-09"] {
        assert!(!bundle.contains(leak), "{leak} reached the other party's bundle");
    }
}

/// Item 4: inside the job's window a contractor reads who to ask for and how
/// to reach them, never identifiers or email.
async fn a_contractor_on_a_job_reads_no_identifiers_or_email(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let tenant = s
        .post_ok(
            &officer,
            "/api/v1/people",
            json!({"given_name": "Jo", "family_name": "Sheetly", "date_of_birth": "1971-05-06", "ni_number": "JT654321A"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/people/{tenant}/contact-points");
    s.post_ok(&officer, &path, json!({"kind": "phone", "value": "07700 900333"})).await;
    s.post_ok(&officer, &path, json!({"kind": "email", "value": "jo.sheetly@example.org"})).await;
    let prop = s
        .post_ok(
            &officer,
            "/api/v1/properties",
            json!({"uprn": 990_000_000_777_i64, "line1": "3 Job Row", "town": "Testbury", "postcode": "ZZ99 7JB"}),
        )
        .await;
    let job = s
        .post_ok(
            &officer,
            "/api/v1/cases",
            json!({"kind": "repair", "summary": "Tap drips", "trade": "plumbing", "property_id": prop["id"], "priority": "routine",
               "parties": [{"person_id": tenant, "role": "subject"}]}),
        )
        .await;
    let contractor = s.gate.user_id("contractor").await.unwrap();
    let now = jiff::Timestamp::now();
    let (start, end) = ((now - jiff::SignedDuration::from_hours(1)).to_string(), (now + jiff::SignedDuration::from_hours(3)).to_string());
    let id = job["case"]["id"].as_i64().unwrap();
    s.post_ok(&officer,
        &format!("/api/v1/cases/{id}/changes"),
        json!({"change": "schedule", "version": job["case"]["version"], "contractor_id": contractor, "window_start": start, "window_end": end}),
    )
    .await;
    let ct = s.token(StaffRole::Contractor).await;
    let (st, p) = s.call(&ct, Method::GET, &format!("/api/v1/people/{tenant}"), None).await;
    assert_eq!(st, StatusCode::OK, "inside the window the person opens: {p}");
    assert_eq!((p["family_name"].as_str(), &p["date_of_birth"], &p["ni_number"]), (Some("Sheetly"), &Value::Null, &Value::Null));
    let (st, cps) = s.call(&ct, Method::GET, &path, None).await;
    assert_eq!(st, StatusCode::OK, "{cps}");
    assert!(cps.to_string().contains("07700") && !cps.to_string().contains("sheetly@"), "{cps}");
    let (st, r) = s.call(&ct, Method::GET, &format!("/api/v1/people/{tenant}/record"), None).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    for leak in ["1971", "JT654321A", "JT 65", "sheetly@"] {
        assert!(!r.to_string().contains(leak), "{leak} in the record: {r}");
    }
    let c = browser();
    sign_in(&s, &c, "contractor").await;
    // Every view of the record: the summary and each section.
    for view in ["", "?section=details", "?section=contacts", "?section=needs", "?section=consent"] {
        let (st, page) = get(&s, &c, &format!("/people/{tenant}{view}")).await;
        assert_eq!(st, StatusCode::OK);
        for leak in ["1971", "JT654321A", "JT 65", "sheetly@", "6 May"] {
            assert!(!page.contains(leak), "{leak} on the page {view}");
        }
    }
}
