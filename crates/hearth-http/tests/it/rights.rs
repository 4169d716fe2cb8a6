//! Rights requests and the breach register over HTTP, on SQLite and
//! PostgreSQL: the deadline follows the clock (identity starts it,
//! clarification stops it, an extension and bank holidays move it), the work
//! list of due-soon and overdue requests is right for any given day, refusal
//! only on the lawful grounds with a letter naming the ICO, the 72-hour breach
//! clock and the reporting rules, bad input names the field with nothing
//! written, and every role but the DPO is refused.

use hearth_domain::staff::StaffRole;
use hearth_store::Table;
use hearth_testkit::{problem_fields, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    the_deadline_follows_identity_clarification_extension_and_bank_holidays,
    the_work_list_shows_due_soon_and_overdue_as_of_a_day,
    a_refusal_needs_a_lawful_ground_and_its_letter_names_the_ico,
    bad_requests_name_the_field_and_write_nothing,
    only_the_dpo_handles_rights_requests_and_breaches,
    the_breach_clock_runs_72_hours_and_a_risky_breach_must_be_reported,
    any_member_of_staff_reports_a_breach_into_the_dpos_register,
);

async fn person(s: &TestServer, given: &str, family: &str) -> i64 {
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": given, "family_name": family}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn log(s: &TestServer, dpo: &str, body: Value) -> Value {
    let (st, v) = s.call(dpo, Method::POST, "/api/v1/rights-requests", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v
}

async fn change(s: &TestServer, dpo: &str, id: i64, body: Value) -> (StatusCode, Value) {
    s.call(dpo, Method::POST, &format!("/api/v1/rights-requests/{id}/changes"), Some(body)).await
}

/// Applies a change that must succeed; returns the new view.
async fn changed(s: &TestServer, dpo: &str, id: i64, body: Value) -> Value {
    let (st, v) = change(s, dpo, id, body).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

fn version(v: &Value) -> i64 {
    v["request"]["version"].as_i64().unwrap()
}

async fn the_deadline_follows_identity_clarification_extension_and_bank_holidays(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let p = person(&s, "Ada", "Requestwell").await;
    let v = log(
        &s,
        &dpo,
        json!({"kind": "access", "person_id": p, "description": "A copy of everything you hold", "received_on": "2026-09-08"}),
    )
    .await;
    let id = v["request"]["id"].as_i64().unwrap();
    assert!(v["request"]["reference"].as_str().unwrap().starts_with("SAR-"), "{v}");
    assert_eq!(v["request"]["due_on"], "2026-10-08", "one calendar month to the corresponding date");
    assert_eq!(v["request"]["identity_status"], "pending");

    // Asking for proof of identity stops the clock before it starts.
    let v = changed(&s, &dpo, id, json!({"change": "request_identity", "version": version(&v), "on": "2026-09-09"})).await;
    assert_eq!(v["clock"]["state"], "waiting_for_identity");
    assert_eq!(v["request"]["due_on"], Value::Null);
    let v = changed(
        &s,
        &dpo,
        id,
        json!({"change": "identity_passed", "version": version(&v), "method": "Passport and a utility bill seen", "on": "2026-09-15"}),
    )
    .await;
    assert_eq!(v["request"]["due_on"], "2026-10-15", "the month runs from the day proof arrived");

    // Ten days waiting for clarification: 25 October is a Sunday, so Monday 26th.
    let v = changed(&s, &dpo, id, json!({"change": "request_clarification", "version": version(&v), "on": "2026-09-20"})).await;
    assert_eq!(v["clock"]["state"], "waiting_for_clarification");
    let v = changed(&s, &dpo, id, json!({"change": "clarification_received", "version": version(&v), "on": "2026-09-30"})).await;
    assert_eq!(v["clock"]["paused_days"], 10);
    assert_eq!(v["request"]["due_on"], "2026-10-26");

    // A second round of three days: both pauses count, so 15 October + 13 days = Wednesday 28th.
    let v = changed(&s, &dpo, id, json!({"change": "request_clarification", "version": version(&v), "on": "2026-10-05"})).await;
    assert_eq!(v["clock"]["state"], "waiting_for_clarification");
    assert_eq!(v["request"]["clarification_rounds"], 2);
    let (st, e) = change(&s, &dpo, id, json!({"change": "request_clarification", "version": version(&v), "on": "2026-10-06"})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["change".to_string()]), "one round at a time");
    let v = changed(&s, &dpo, id, json!({"change": "clarification_received", "version": version(&v), "on": "2026-10-08"})).await;
    assert_eq!(v["clock"]["paused_days"], 13, "{v}");
    assert_eq!(v["request"]["due_on"], "2026-10-28");

    // Two further months: 15 December + 13 days = Monday 28 December, the
    // Boxing Day substitute bank holiday, so Tuesday 29 December.
    let v = changed(
        &s,
        &dpo,
        id,
        json!({"change": "extend", "version": version(&v), "months": 2, "ground": "complex", "reason": "Records held in three archives", "told_on": "2026-10-01"}),
    )
    .await;
    assert_eq!(v["request"]["due_on"], "2026-12-29", "{v}");
    assert_eq!(v["clock"]["one_month_due_on"], "2026-10-28");
    assert_eq!(v["request"]["extension_told_on"], "2026-10-01");

    let v = changed(&s, &dpo, id, json!({"change": "complete", "version": version(&v), "outcome": "Copy sent by recorded delivery"})).await;
    assert_eq!(v["request"]["status"], "completed");
    assert_eq!(v["state"], "closed");
    assert_eq!(v["request"]["due_on"], Value::Null);
}

fn ids_in(list: &Value, state: &str) -> Vec<i64> {
    list["items"].as_array().unwrap().iter().filter(|v| v["state"] == state).map(|v| v["request"]["id"].as_i64().unwrap()).collect()
}

async fn the_work_list_shows_due_soon_and_overdue_as_of_a_day(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let p = person(&s, "Bea", "Listworthy").await;
    let mut ids = vec![];
    // Due 8 October, 2 November, 23 November (received 23 October).
    for received in ["2026-09-08", "2026-10-02", "2026-10-23"] {
        let v =
            log(&s, &dpo, json!({"kind": "erasure", "person_id": p, "description": "Delete my old phone number", "received_on": received}))
                .await;
        ids.push(v["request"]["id"].as_i64().unwrap());
    }
    let waiting = log(
        &s,
        &dpo,
        json!({"kind": "portability", "person_id": p, "description": "Data for my new landlord", "received_on": "2026-09-01"}),
    )
    .await;
    let waiting_id = waiting["request"]["id"].as_i64().unwrap();
    changed(&s, &dpo, waiting_id, json!({"change": "request_identity", "version": version(&waiting), "on": "2026-09-02"})).await;
    let done =
        log(&s, &dpo, json!({"kind": "rectification", "person_id": p, "description": "Wrong date of birth", "received_on": "2026-09-01"}))
            .await;
    let done_id = done["request"]["id"].as_i64().unwrap();
    let v = changed(
        &s,
        &dpo,
        done_id,
        json!({"change": "identity_passed", "version": version(&done), "method": "Known to staff", "on": "2026-09-01"}),
    )
    .await;
    changed(&s, &dpo, done_id, json!({"change": "complete", "version": version(&v), "outcome": "Corrected"})).await;

    let (st, list) = s.call(&dpo, Method::GET, "/api/v1/rights-requests?as_of=2026-10-30", None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["as_of"], "2026-10-30");
    assert_eq!(ids_in(&list, "overdue"), vec![ids[0]]);
    assert_eq!(ids_in(&list, "due_soon"), vec![ids[1]]);
    assert_eq!(ids_in(&list, "on_track"), vec![ids[2]]);
    assert_eq!(ids_in(&list, "waiting_for_identity"), vec![waiting_id]);
    assert_eq!((list["overdue"].as_i64(), list["due_soon"].as_i64()), (Some(1), Some(1)));
    let listed: Vec<i64> = list["items"].as_array().unwrap().iter().map(|v| v["request"]["id"].as_i64().unwrap()).collect();
    assert_eq!(listed, vec![ids[0], ids[1], ids[2], waiting_id], "open requests by deadline, stopped clocks last; closed ones left out");

    let (_, later) = s.call(&dpo, Method::GET, "/api/v1/rights-requests?as_of=2026-11-20", None).await;
    assert_eq!(ids_in(&later, "overdue"), vec![ids[0], ids[1]]);
    assert_eq!(ids_in(&later, "due_soon"), vec![ids[2]]);
    let (_, earlier) = s.call(&dpo, Method::GET, "/api/v1/rights-requests?as_of=2026-09-20", None).await;
    assert!(ids_in(&earlier, "overdue").is_empty());

    let (_, due_by) = s.call(&dpo, Method::GET, "/api/v1/rights-requests?due_by=2026-11-02&as_of=2026-10-30", None).await;
    let listed: Vec<i64> = due_by["items"].as_array().unwrap().iter().map(|v| v["request"]["id"].as_i64().unwrap()).collect();
    assert_eq!(listed, vec![ids[0], ids[1]]);
    let (_, all) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests?all=true&person_id={p}"), None).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 5, "closed requests too when asked");
}

async fn a_refusal_needs_a_lawful_ground_and_its_letter_names_the_ico(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let p = person(&s, "Cal", "Repeatmore").await;
    let v = log(
        &s,
        &dpo,
        json!({"kind": "access", "person_id": p, "requester": "representative", "representative_name": "Dee Advocate",
               "representative_relationship": "solicitor", "representative_authority": "Signed letter of authority",
               "description": "Everything, again", "received_on": "2026-11-02"}),
    )
    .await;
    let id = v["request"]["id"].as_i64().unwrap();
    let (st, e) =
        change(&s, &dpo, id, json!({"change": "refuse", "version": version(&v), "ground": "too_busy", "reason": "We are short staffed"}))
            .await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["ground".to_string()]));
    let (st, e) =
        change(&s, &dpo, id, json!({"change": "refuse", "version": version(&v), "ground": "exemption", "reason": "Crime prevention"}))
            .await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["exemption".to_string()]));
    let v = changed(
        &s,
        &dpo,
        id,
        json!({"change": "refuse", "version": version(&v), "ground": "manifestly_excessive", "reason": "The fourth identical request this month; copies were sent on 5 and 19 October"}),
    )
    .await;
    assert_eq!(v["request"]["status"], "refused");
    assert_eq!(v["request"]["refusal_ground"], "manifestly_excessive");
    let letter = v["request"]["refusal_letter"].as_str().unwrap();
    let today = hearth_gate::Gate::today().strftime("%-d %B %Y").to_string();
    assert!(letter.starts_with(&today), "dated today: {letter}");
    for must in [
        "Dear Dee Advocate",
        "manifestly excessive",
        "The fourth identical request",
        "Information Commissioner's Office",
        "0303 123 1113",
        "courts",
    ] {
        assert!(letter.contains(must), "the letter says {must:?}: {letter}");
    }
    let (st, e) = change(&s, &dpo, id, json!({"change": "complete", "version": version(&v), "outcome": "Sent"})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["change".to_string()]), "a refused request is closed");
    let v = changed(&s, &dpo, id, json!({"change": "note", "version": version(&v), "text": "Solicitor phoned to discuss"})).await;
    assert!(v["request"]["notes"].as_str().unwrap().ends_with("dpo: Solicitor phoned to discuss"));
}

async fn bad_requests_name_the_field_and_write_nothing(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let p = person(&s, "Eli", "Typoson").await;
    let cases = [
        (json!({"person_id": p, "description": "x"}), "kind"),
        (json!({"kind": "access", "person_id": 999999, "description": "x"}), "person_id"),
        (json!({"kind": "access", "description": "x"}), "person_id"),
        (json!({"kind": "access", "person_id": p}), "description"),
        (json!({"kind": "access", "person_id": p, "description": "x", "received_on": "2099-01-01"}), "received_on"),
        (json!({"kind": "access", "person_id": p, "description": "x", "received_on": "2026-02-30"}), "received_on"),
        (
            json!({"kind": "access", "person_id": p, "description": "x", "requester": "representative", "representative_name": "Fay"}),
            "representative_relationship",
        ),
        (json!({"kind": "access", "person_id": "seven", "description": "x"}), "person_id"),
    ];
    for (body, field) in cases {
        let (st, e) = s.call(&dpo, Method::POST, "/api/v1/rights-requests", Some(body.clone())).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
        assert_eq!(problem_fields(&e), vec![field.to_string()], "{body}");
    }
    assert_eq!(s.count(Table::RightsRequest).await, 0, "nothing half-written");
    let (st, e) = s.call(&dpo, Method::GET, "/api/v1/rights-requests?as_of=yesterday", None).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["as_of".to_string()]));

    let v = log(
        &s,
        &dpo,
        json!({"kind": "objection", "person_id": p, "description": "Stop the satisfaction surveys", "received_on": "2026-09-08"}),
    )
    .await;
    let id = v["request"]["id"].as_i64().unwrap();
    let ver = version(&v);
    let bad_changes = [
        (json!({"change": "complete", "version": ver, "outcome": "Done"}), "change"), // identity not confirmed
        (json!({"change": "identity_passed", "version": ver, "method": ""}), "method"),
        (json!({"change": "identity_passed", "version": ver, "method": "Passport", "on": "2026-09-01"}), "on"), // before receipt
        (json!({"change": "extend", "version": ver, "months": 3, "ground": "complex", "reason": "Big"}), "months"),
        (json!({"change": "extend", "version": ver, "months": 1, "ground": "busy", "reason": "Big"}), "ground"),
        (
            json!({"change": "extend", "version": ver, "months": 1, "ground": "numerous", "reason": "Many requests", "told_on": "2026-10-09"}),
            "told_on",
        ),
        (json!({"change": "clarification_received", "version": ver}), "change"),
        (json!({"change": "assign", "version": ver, "owner_id": 999999}), "owner_id"),
    ];
    for (body, field) in bad_changes {
        let (st, e) = change(&s, &dpo, id, body.clone()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
        assert_eq!(problem_fields(&e), vec![field.to_string()], "{body}");
    }
    let (st, e) = change(&s, &dpo, id, json!({"change": "note", "version": ver + 5, "text": "stale"})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::CONFLICT, vec!["version".to_string()]));
    let (st, e) = change(&s, &dpo, id, json!({"change": "shred", "version": ver})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (_, now) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}"), None).await;
    assert_eq!(version(&now), ver, "no refused change was saved");
    let (st, _) = s.call(&dpo, Method::GET, "/api/v1/rights-requests/999999", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let (st, e) = s.call(&dpo, Method::POST, "/api/v1/breaches", Some(json!({"title": "Lost file", "description": "Left on a bus", "discovered_at": "soon", "record_classes": ["tenancy", "gossip"]}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem_fields(&e), vec!["discovered_at".to_string(), "record_classes".to_string()]);
    assert_eq!(s.count(Table::Breach).await, 0);
}

async fn only_the_dpo_handles_rights_requests_and_breaches(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let p = person(&s, "Gil", "Privateer").await;
    let v = log(
        &s,
        &dpo,
        json!({"kind": "restriction", "person_id": p, "description": "Stop using my data while you check it", "received_on": "2026-11-02"}),
    )
    .await;
    let id = v["request"]["id"].as_i64().unwrap();
    let (st, b) = s.call(&dpo, Method::POST, "/api/v1/breaches", Some(json!({"title": "Email to wrong tenant", "description": "Arrears letter emailed to another tenant", "discovered_at": "2026-11-20T10:00:00Z"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let bid = b["breach"]["id"].as_i64().unwrap();
    let mut tokens = vec![];
    for role in StaffRole::ALL.iter().filter(|r| **r != StaffRole::Dpo) {
        tokens.push((*role, s.token(*role).await));
    }
    let audit_before = s.count(Table::AuditEvent).await;
    let mut refusals = 0;
    for (role, t) in &tokens {
        let calls: [(Method, String, Option<Value>); 6] = [
            (Method::GET, "/api/v1/rights-requests".into(), None),
            (Method::GET, format!("/api/v1/rights-requests/{id}"), None),
            (Method::POST, "/api/v1/rights-requests".into(), Some(json!({"kind": "access", "person_id": p, "description": "x"}))),
            (Method::POST, format!("/api/v1/rights-requests/{id}/changes"), Some(json!({"change": "note", "version": 1, "text": "peek"}))),
            (Method::GET, "/api/v1/breaches".into(), None),
            (Method::GET, format!("/api/v1/breaches/{bid}"), None),
        ];
        for (m, path, body) in calls {
            let (st, e) = s.call(t, m.clone(), &path, body).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{role} {m} {path}: {e}");
            assert!(!e.to_string().contains("Privateer") && !e.to_string().contains("wrong tenant"), "{e}");
            refusals += 1;
        }
    }
    assert_eq!(s.count(Table::RightsRequest).await, 1);
    assert_eq!(s.count(Table::AuditEvent).await, audit_before + refusals, "every refusal is recorded");
}

async fn breach(s: &TestServer, dpo: &str, hours_ago: i64) -> Value {
    let discovered = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(hours_ago);
    let (st, b) = s
        .call(
            dpo,
            Method::POST,
            "/api/v1/breaches",
            Some(json!({"title": "Rent statements misaddressed", "description": "A batch of rent statements went to the wrong flats",
                        "discovered_at": discovered.to_string(), "record_classes": ["financial", "contact"], "people_affected_estimate": 12})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    b
}

async fn breach_change(s: &TestServer, dpo: &str, id: i64, body: Value) -> (StatusCode, Value) {
    s.call(dpo, Method::POST, &format!("/api/v1/breaches/{id}/changes"), Some(body)).await
}

async fn the_breach_clock_runs_72_hours_and_a_risky_breach_must_be_reported(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let fresh = breach(&s, &dpo, 10).await;
    assert_eq!(fresh["clock"]["state"], "running");
    assert_eq!(fresh["clock"]["overdue"], false);
    assert!(fresh["time_left"].as_str().unwrap().starts_with("2 days 1"), "{fresh}");
    assert_eq!(fresh["breach"]["record_classes"], json!(["contact", "financial"]));
    let late = breach(&s, &dpo, 80).await;
    assert_eq!(late["clock"]["overdue"], true);
    assert!(late["time_left"].as_str().unwrap().ends_with("overdue"), "{late}");
    let (_, register) = s.call(&dpo, Method::GET, "/api/v1/breaches", None).await;
    let order: Vec<i64> = register.as_array().unwrap().iter().map(|b| b["breach"]["id"].as_i64().unwrap()).collect();
    assert_eq!(order, vec![late["breach"]["id"].as_i64().unwrap(), fresh["breach"]["id"].as_i64().unwrap()], "most urgent first");

    let id = late["breach"]["id"].as_i64().unwrap();
    let v = late["breach"]["version"].as_i64().unwrap();
    let (st, e) = breach_change(&s, &dpo, id, json!({"change": "decide", "version": v, "decision": "not_report", "reason": "Small"})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["risk".to_string()]), "assess first");
    let (st, b) = breach_change(
        &s,
        &dpo,
        id,
        json!({"change": "assess", "version": v, "risk": "high_risk", "assessment": "Arrears amounts and names disclosed to neighbours"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let v = b["breach"]["version"].as_i64().unwrap();
    let (st, e) =
        breach_change(&s, &dpo, id, json!({"change": "decide", "version": v, "decision": "not_report", "reason": "Only twelve people"}))
            .await;
    assert_eq!(
        (st, problem_fields(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["decision".to_string()]),
        "a risky breach must be reported"
    );
    let reported = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2)).to_string();
    let (st, e) = breach_change(&s, &dpo, id, json!({"change": "decide", "version": v, "decision": "report", "reason": "High risk to the people affected", "reported_at": reported})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["late_reason".to_string()]), "after 72 hours, say why");
    let (st, b) = breach_change(
        &s,
        &dpo,
        id,
        json!({"change": "decide", "version": v, "decision": "report", "reason": "High risk to the people affected", "reported_at": reported,
               "ico_reference": "IC-000123-FAKE", "late_reason": "Found on a Friday evening; the DPO was told on Monday"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["clock"], json!({"state": "reported", "late": true}));

    let p = person(&s, "Hal", "Misaddressed").await;
    let v = b["breach"]["version"].as_i64().unwrap();
    let (st, b) = breach_change(&s, &dpo, id, json!({"change": "add_person", "version": v, "person_id": p})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let v = b["breach"]["version"].as_i64().unwrap();
    let (st, e) = breach_change(&s, &dpo, id, json!({"change": "add_person", "version": v, "person_id": p})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["person_id".to_string()]));
    let (st, e) = breach_change(&s, &dpo, id, json!({"change": "notify_person", "version": v, "person_id": p, "how": ""})).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["how".to_string()]));
    let (st, b) = breach_change(&s, &dpo, id, json!({"change": "notify_person", "version": v, "person_id": p, "how": "letter"})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["people"][0]["name"], "Hal Misaddressed");
    assert_eq!(b["people"][0]["notified_how"], "letter");
    let v = b["breach"]["version"].as_i64().unwrap();
    let (_, b) = breach_change(&s, &dpo, id, json!({"change": "action", "version": v, "text": "Envelope-window template fixed"})).await;
    let v = b["breach"]["version"].as_i64().unwrap();
    let (_, b) = breach_change(&s, &dpo, id, json!({"change": "committee", "version": v})).await;
    assert!(b["breach"]["committee_reported_on"].is_string());
    let v = b["breach"]["version"].as_i64().unwrap();
    let (st, b) = breach_change(&s, &dpo, id, json!({"change": "close", "version": v})).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let log: Vec<&str> = b["actions"].as_array().unwrap().iter().map(|a| a["text"].as_str().unwrap()).collect();
    assert_eq!(log.first(), Some(&"Breach recorded"));
    assert!(log.contains(&"Envelope-window template fixed") && log.last() == Some(&"Closed"), "{log:?}");

    // The person's history shows the breach touched their record.
    let (st, h) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{p}/history"), None).await;
    assert_eq!(st, StatusCode::OK, "{h}");
    assert!(h.to_string().contains("breach"), "{h}");

    // A breach unlikely to harm anyone may be left unreported, with the reason.
    let id = fresh["breach"]["id"].as_i64().unwrap();
    let v = fresh["breach"]["version"].as_i64().unwrap();
    let (_, b) = breach_change(
        &s,
        &dpo,
        id,
        json!({"change": "assess", "version": v, "risk": "unlikely", "assessment": "Letters returned unopened"}),
    )
    .await;
    let v = b["breach"]["version"].as_i64().unwrap();
    let (st, b) = breach_change(
        &s,
        &dpo,
        id,
        json!({"change": "decide", "version": v, "decision": "not_report", "reason": "All letters came back sealed"}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert_eq!(b["clock"], json!({"state": "not_reported"}));
}

async fn any_member_of_staff_reports_a_breach_into_the_dpos_register(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, p) = s.call(&advisor, Method::POST, "/api/v1/breach-reports", Some(json!({"description": "No title"}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(problem_fields(&p).contains(&"title".to_string()), "{p}");

    let discovered = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(2)).to_string();
    let report = json!({"title": "Letter sent to the wrong address", "description": "A rent letter for one tenant went to a neighbour at 9 Invented Close",
                        "discovered_at": discovered, "record_classes": ["financial"]});
    let (st, receipt) = s.call(&advisor, Method::POST, "/api/v1/breach-reports", Some(report.clone())).await;
    assert_eq!(st, StatusCode::CREATED, "{receipt}");
    let id = receipt["id"].as_i64().unwrap();
    assert!(receipt.get("actions").is_none() && receipt.get("people").is_none(), "a receipt, not the register: {receipt}");
    assert!(receipt["report_by"].as_str().unwrap().starts_with('2'), "{receipt}");

    // The reporter cannot read the register or the breach; the DPO can, with who reported it.
    let (st, _) = s.call(&advisor, Method::GET, &format!("/api/v1/breaches/{id}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = s.call(&advisor, Method::GET, "/api/v1/breaches", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, b) = s.call(&dpo, Method::GET, &format!("/api/v1/breaches/{id}"), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    assert!(b["actions"].to_string().contains("Reported by"), "{b}");
    let (_, register) = s.call(&dpo, Method::GET, "/api/v1/breaches", None).await;
    assert!(register.as_array().unwrap().iter().any(|r| r["breach"]["id"] == id), "{register}");

    // Supplier support reports nothing; a housing officer can.
    let support = s.token(StaffRole::SupplierSupport).await;
    let (st, _) = s.call(&support, Method::POST, "/api/v1/breach-reports", Some(report.clone())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let officer = s.token(StaffRole::HousingOfficer).await;
    let (st, _) = s.call(&officer, Method::POST, "/api/v1/breach-reports", Some(report)).await;
    assert_eq!(st, StatusCode::CREATED);
}
