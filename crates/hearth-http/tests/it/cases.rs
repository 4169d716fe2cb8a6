//! Cases over HTTP on SQLite and PostgreSQL: need-to-know by assignment (by
//! id, list and count), anonymous reporters, complaint deadlines in working
//! days, closure starting the retention clock, reassignment audited, and a
//! contractor seeing a repair job only inside its window.

use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::person;
use hearth_testkit::{problem_fields, TestServer, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    a_safeguarding_case_is_seen_only_by_need_to_know,
    an_anonymous_reporter_is_never_named_in_the_case,
    complaints_follow_the_code_and_closing_starts_retention,
    reassignment_is_audited_and_stale_changes_refused,
    a_contractor_sees_a_job_only_inside_its_window,
);

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

async fn a_safeguarding_case_is_seen_only_by_need_to_know(s: TestServer) {
    s.gate.add_user("other.officer", "Other Officer", StaffRole::HousingOfficer, &[], PASSWORD).await.unwrap();
    s.gate.add_user("team.manager", "Team Manager", StaffRole::Manager, &[], PASSWORD).await.unwrap();
    s.gate.set_manager("housing_officer", "team.manager").await.unwrap();
    let assigned_id = s.gate.user_id("housing_officer").await.unwrap();
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let subject = person(&s, &advisor, "Nia", "Concernley").await;
    let (st, opened) = s
        .call(&advisor, Method::POST, "/api/v1/cases", Some(json!({"kind": "safeguarding", "summary": "Neighbour worried about welfare", "assigned_to": assigned_id, "parties": [{"person_id": subject, "role": "subject"}]})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{opened}");
    let id = opened["case"]["id"].as_i64().unwrap();
    assert_eq!(opened["case"]["compartment"], "safeguarding");
    assert!(opened["case"]["reference"].as_str().unwrap().starts_with("SG-"));

    let other = s.token_for("other.officer").await;
    let (st, body) = s.call(&other, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(!body.to_string().contains("Concernley"));
    let (st, body) = s.call(&other, Method::GET, "/api/v1/cases/999999", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "an unknown id is refused like a hidden one: {body}");
    for q in ["/api/v1/cases", "/api/v1/cases?kind=safeguarding", &format!("/api/v1/cases?person_id={subject}")] {
        let (st, page) = s.call(&other, Method::GET, q, None).await;
        assert_eq!(st, StatusCode::OK);
        assert!(ids(&page).is_empty(), "{q}: not listed, not counted: {page}");
    }
    let (st, _) = s.call(&advisor, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "raising a concern does not open it to the raiser");
    let plain_manager = s.token(StaffRole::Manager).await;
    let (st, _) = s.call(&plain_manager, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "a manager who is neither responsible nor the assignee's manager");

    for (who, token) in [
        ("assigned officer", s.token(StaffRole::HousingOfficer).await),
        ("their manager", s.token_for("team.manager").await),
        ("safeguarding lead", s.token(StaffRole::SafeguardingLead).await),
    ] {
        let (st, view) = s.call(&token, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
        assert_eq!(st, StatusCode::OK, "{who}");
        assert_eq!(view["parties"][0]["name"], "Nia Concernley", "{who}");
        let (_, page) = s.call(&token, Method::GET, "/api/v1/cases?kind=safeguarding", None).await;
        assert_eq!(ids(&page), vec![id], "{who} lists it");
    }
}

async fn an_anonymous_reporter_is_never_named_in_the_case(s: TestServer) {
    let officer = s.token(StaffRole::AsbOfficer).await;
    let me = s.gate.user_id("asb_officer").await.unwrap();
    let reporter = person(&s, &officer, "Quin", "Whistleworth").await;
    let accused = person(&s, &officer, "Rhea", "Noisington").await;
    let (st, opened) = s
        .call(
            &officer,
            Method::POST,
            "/api/v1/cases",
            Some(json!({"kind": "asb", "summary": "Loud music after midnight", "assigned_to": me, "priority": "urgent",
                "parties": [{"person_id": reporter, "role": "reporter", "anonymous": true}, {"person_id": accused, "role": "alleged_perpetrator"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{opened}");
    let id = opened["case"]["id"].as_i64().unwrap();
    let (_, view) = s.call(&officer, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    let text = view.to_string();
    assert!(!text.contains("Whistleworth") && !text.contains(&format!("\"person_id\":{reporter}")), "reporter leaked: {text}");
    assert_eq!(view["parties"][0]["name"], "Anonymous reporter");
    assert_eq!(view["parties"][1]["name"], "Rhea Noisington");
    let (st, p) = s
        .call(
            &officer,
            Method::POST,
            "/api/v1/cases",
            Some(json!({"kind": "asb", "summary": "x", "parties": [{"person_id": accused, "role": "witness", "anonymous": true}]})),
        )
        .await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["parties[0].anonymous".to_string()]));
}

async fn complaints_follow_the_code_and_closing_starts_retention(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let me = s.gate.user_id("housing_officer").await.unwrap();
    let c = person(&s, &officer, "Sol", "Grumbleby").await;
    let (st, opened) = s
        .call(&officer, Method::POST, "/api/v1/cases", Some(json!({"kind": "complaint", "summary": "Repair not done", "assigned_to": me, "received_on": "2025-12-18", "parties": [{"person_id": c, "role": "complainant"}]})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{opened}");
    assert_eq!(
        opened["deadlines"],
        json!({"acknowledge_by": "2025-12-29", "respond_by": "2026-01-13"}),
        "Christmas and New Year are skipped"
    );
    let id = opened["case"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}/changes");
    let v = |view: &Value| view["case"]["version"].clone();
    let (st, p) =
        s.call(&officer, Method::POST, &path, Some(json!({"change": "status", "version": v(&opened), "status": "stage1_responded"}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["status".to_string()]), "acknowledge before responding");
    let (st, acked) = s
        .call(
            &officer,
            Method::POST,
            &path,
            Some(json!({"change": "status", "version": v(&opened), "status": "stage1_acknowledged", "on": "2025-12-22"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{acked}");
    assert_eq!(acked["deadlines"]["respond_by"], "2026-01-08", "ten working days from the acknowledgement");
    let (st, ext) = s
        .call(
            &officer,
            Method::POST,
            &path,
            Some(json!({"change": "extend", "version": v(&acked), "days": 5, "reason": "Waiting for the contractor's report"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ext}");
    assert_eq!(ext["deadlines"]["respond_by"], "2026-01-15");
    assert_eq!(ext["case"]["extension_reason"], "Waiting for the contractor's report");
    let (st, p) =
        s.call(&officer, Method::POST, &path, Some(json!({"change": "extend", "version": v(&ext), "days": 6, "reason": "More"}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["days".to_string()]), "extensions are capped");
    let (_, logged) = s
        .call(
            &officer,
            Method::POST,
            &path,
            Some(json!({"change": "note", "version": v(&ext), "kind": "contact", "text": "Phoned Sol to explain the delay"})),
        )
        .await;
    let (st, p) =
        s.call(&officer, Method::POST, &path, Some(json!({"change": "close", "version": v(&logged), "outcome": "resolved"}))).await;
    assert_eq!(
        (st, problem_fields(&p)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["outcome".to_string()]),
        "complaints close as upheld or not"
    );
    let (st, closed) = s.call(&officer, Method::POST, &path, Some(json!({"change": "close", "version": v(&logged), "outcome": "partly_upheld", "remedy": "£50 goodwill payment", "note": "Repair completed late"}))).await;
    assert_eq!(st, StatusCode::OK, "{closed}");
    let today = jiff::ZonedDateTime::now().with_time_zone(jiff::tz::TimeZone::get("Europe/London").unwrap()).date().to_string();
    assert_eq!(closed["case"]["retention_from"], json!(today), "closing starts the retention clock");
    assert_eq!(closed["case"]["status"], "closed");
    assert_eq!(closed["case"]["upheld"], true);
    assert!(closed["case"]["days_to_complete"].as_i64().is_some());
    let kinds: Vec<&str> = closed["timeline"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["opened", "assigned", "status", "extended", "contact", "closed"]);
    let (st, _) = s.call(&officer, Method::POST, &path, Some(json!({"change": "note", "version": v(&closed), "text": "late note"}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "a closed case takes no more changes");
}

async fn reassignment_is_audited_and_stale_changes_refused(s: TestServer) {
    let officer = s.token(StaffRole::AsbOfficer).await;
    let me = s.gate.user_id("asb_officer").await.unwrap();
    let colleague = s.gate.user_id("housing_officer").await.unwrap();
    let (_, opened) = s
        .call(&officer, Method::POST, "/api/v1/cases", Some(json!({"kind": "asb", "summary": "Graffiti on the block", "assigned_to": me})))
        .await;
    let id = opened["case"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}/changes");
    let (st, moved) = s
        .call(
            &officer,
            Method::POST,
            &path,
            Some(json!({"change": "assign", "version": opened["case"]["version"], "assigned_to": colleague, "team": "North patch"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{moved}");
    let (st, p) = s
        .call(
            &s.token(StaffRole::HousingOfficer).await,
            Method::POST,
            &path,
            Some(json!({"change": "note", "version": opened["case"]["version"], "text": "stale"})),
        )
        .await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::CONFLICT, vec!["version".to_string()]));
    let (st, _) = s.call(&officer, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "after reassignment the previous officer no longer sees it");
    let events = {
        let mut tx = s.store.begin().await.unwrap();
        hearth_store::audit::events_after(&mut tx, 0, 1000).await.unwrap()
    };
    let edit = events.iter().find(|e| e.event.record_type == "case" && e.event.action == "edit").expect("reassignment audited");
    let detail: Value = serde_json::from_str(edit.event.detail.as_deref().unwrap()).unwrap();
    assert_eq!((detail["old"]["assigned_to"].as_i64(), detail["new"]["assigned_to"].as_i64()), (Some(me), Some(colleague)));
}

async fn a_contractor_sees_a_job_only_inside_its_window(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let contractor_id = s.gate.user_id("contractor").await.unwrap();
    let tenant = person(&s, &officer, "Tam", "Leakford").await;
    s.call(
        &officer,
        Method::POST,
        &format!("/api/v1/people/{tenant}/contact-points"),
        Some(json!({"kind": "phone", "value": "07700 900 555"})),
    )
    .await;
    let (_, prop) = s
        .call(
            &officer,
            Method::POST,
            "/api/v1/properties",
            Some(json!({"uprn": 990000200001i64, "line1": "4 Mock Gardens", "town": "Fakesbury", "postcode": "ZZ99 8JK"})),
        )
        .await;
    let (st, job) = s
        .call(&officer, Method::POST, "/api/v1/cases", Some(json!({"kind": "repair", "summary": "Dripping kitchen tap", "trade": "plumbing", "property_id": prop["id"], "parties": [{"person_id": tenant, "role": "subject"}]})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{job}");
    let id = job["case"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}/changes");
    let contractor = s.token(StaffRole::Contractor).await;
    let now = jiff::Timestamp::now();
    let later = |h: i64| (now + jiff::SignedDuration::from_hours(h)).to_string();

    // Booked for tomorrow: nothing yet.
    let (st, booked) = s.call(&officer, Method::POST, &path, Some(json!({"change": "schedule", "version": job["case"]["version"], "contractor_id": contractor_id, "window_start": later(24), "window_end": later(28)}))).await;
    assert_eq!(st, StatusCode::OK, "{booked}");
    assert_eq!(booked["case"]["status"], "scheduled");
    for path in [format!("/api/v1/cases/{id}"), format!("/api/v1/people/{tenant}")] {
        let (st, _) = s.call(&contractor, Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{path} before the window");
    }
    let (_, page) = s.call(&contractor, Method::GET, "/api/v1/cases", None).await;
    assert!(ids(&page).is_empty());

    // Moved to now: the job minimum opens.
    let (_, moved) = s.call(&officer, Method::POST, &path, Some(json!({"change": "schedule", "version": booked["case"]["version"], "contractor_id": contractor_id, "window_start": later(-1), "window_end": later(2)}))).await;
    let (st, _) = s.call(&contractor, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(st, StatusCode::OK, "inside the window");
    let (st, p) = s.call(&contractor, Method::GET, &format!("/api/v1/people/{tenant}"), None).await;
    assert_eq!((st, p["family_name"].as_str()), (StatusCode::OK, Some("Leakford")));
    let (st, _) = s.call(&contractor, Method::GET, &format!("/api/v1/people/{tenant}/contact-points"), None).await;
    assert_eq!(st, StatusCode::OK, "the phone number, to call ahead");
    let (_, page) = s.call(&contractor, Method::GET, "/api/v1/cases", None).await;
    assert_eq!(ids(&page), vec![id]);
    let (st, _) = s.call(&contractor, Method::GET, &format!("/api/v1/people/{tenant}/history"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "never more than the job minimum");
    let other = person(&s, &officer, "Uma", "Elsewhere").await;
    let (st, _) = s.call(&contractor, Method::GET, &format!("/api/v1/people/{other}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "only the job's people");

    // Closed: gone again.
    let (st, _) = s
        .call(&officer, Method::POST, &path, Some(json!({"change": "close", "version": moved["case"]["version"], "outcome": "completed"})))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s.call(&contractor, Method::GET, &format!("/api/v1/people/{tenant}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "after the job closes");
}
