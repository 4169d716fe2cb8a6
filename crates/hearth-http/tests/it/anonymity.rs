//! Reporter anonymity over HTTP, on SQLite and PostgreSQL: an anonymous
//! reporter's name, address and phone never appear in a letter to another
//! party, the case as any officer sees it, or a case list, yet the case is on
//! the reporter's own record, and the case's own words may not name them;
//! overriding needs a ground and a second person of a permitted role, then
//! shows the reporter only to the person who asked, audited; the DPO lists
//! the overrides.

use hearth_domain::staff::StaffRole;
use hearth_store::audit::AuditEvent;
use hearth_testkit::fixtures::{anonymous_asb_case, assert_no_reporter};
use hearth_testkit::{problem_fields, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    a_letter_to_a_tenant_without_a_postal_address_goes_to_their_home,
    an_anonymous_reporter_is_absent_from_letters_views_and_lists,
    an_override_needs_a_ground_and_a_second_person_of_a_permitted_role,
);

async fn audit(s: &TestServer) -> Vec<AuditEvent> {
    let mut tx = s.store.begin().await.unwrap();
    hearth_store::audit::events_after(&mut tx, 0, 10_000).await.unwrap()
}

async fn a_letter_to_a_tenant_without_a_postal_address_goes_to_their_home(s: TestServer) {
    let officer = s.token(StaffRole::AsbOfficer).await;
    let t =
        hearth_testkit::fixtures::tenant(&s, &officer, hearth_testkit::fixtures::NewTenant::new("Tamsin", "Homeward", 100_200_300)).await;
    let me = s.gate.user_id("asb_officer").await.unwrap();
    let case = s
        .created(
            &officer,
            "/api/v1/cases",
            json!({"kind": "asb", "summary": "Shouting in the stairwell", "assigned_to": me,
            "parties": [{"person_id": t.person, "role": "alleged_perpetrator"}]}),
        )
        .await;
    let id = case["case"]["id"].as_i64().unwrap();
    let (st, letter) = s.call(&officer, Method::GET, &format!("/api/v1/cases/{id}/letters/{}", t.person), None).await;
    assert_eq!(st, StatusCode::OK, "{letter}");
    let to: Vec<_> = letter["to_lines"].as_array().unwrap().iter().filter_map(|l| l.as_str()).collect();
    assert_eq!(to, vec!["Tamsin Homeward", "7 Imaginary Row", "Testbury", "ZZ99 3AB"], "{letter}");
}

async fn an_anonymous_reporter_is_absent_from_letters_views_and_lists(s: TestServer) {
    let f = anonymous_asb_case(&s).await;
    let (id, officer) = (f.case_id, &f.officer);

    // The letter to the alleged perpetrator: the whole JSON, the text included.
    let (st, letter) = s.call(officer, Method::GET, &format!("/api/v1/cases/{id}/letters/{}", f.accused), None).await;
    assert_eq!(st, StatusCode::OK, "{letter}");
    assert_no_reporter(&letter.to_string(), f.reporter, "the letter to the alleged perpetrator");
    let text = letter["text"].as_str().unwrap();
    for part in [
        "Example Homes (Test Data) Ltd",
        "1 Sample Street",
        "Rhea Noisington",
        "9 Loud Lane",
        "ZZ99 9LL",
        &f.reference,
        "We have received a report about Loud music after midnight.",
    ] {
        assert!(text.contains(part), "the letter has {part}: {text}");
    }
    assert_eq!((letter["kind"].as_str(), letter["to_lines"][0].as_str()), (Some("report_received"), Some("Rhea Noisington")));
    assert!(!text.to_lowercase().contains("copy") && !text.contains("cc:"), "no copies: {text}");

    // The officer working the case cannot write to the reporter: whether a
    // letter exists would say who reported, so it is "not found" as for a
    // stranger. Those who may reveal the reporter write to them, addressed
    // to them alone.
    let (st, _) = s.call(officer, Method::GET, &format!("/api/v1/cases/{id}/letters/{}", f.reporter), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, ack) = s.call(&dpo, Method::GET, &format!("/api/v1/cases/{id}/letters/{}", f.reporter), None).await;
    assert_eq!(st, StatusCode::OK, "{ack}");
    let ack_text = ack["text"].as_str().unwrap();
    assert!(
        ack_text.contains("Quillon Hushworth")
            && ack_text.contains("4 Secret Mews")
            && ack_text.contains("keep your identity confidential")
    );
    assert!(!ack_text.contains("Noisington"), "the acknowledgement names nobody else: {ack_text}");

    // A person who is not a party gets no letter; a role without the case gets none.
    let (st, _) = s.call(officer, Method::GET, &format!("/api/v1/cases/{id}/letters/999999"), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let (st, p) = s.call(&advisor, Method::GET, &format!("/api/v1/cases/{id}/letters/{}", f.accused), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{p}");

    // The case as its officer, a responsible manager and the DPO see it.
    let manager = s.token_for("asb.manager").await;
    let dpo = s.token(StaffRole::Dpo).await;
    for (who, t) in [("officer", officer), ("manager", &manager), ("dpo", &dpo)] {
        let (st, view) = s.call(t, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
        assert_eq!(st, StatusCode::OK, "{view}");
        assert_no_reporter(&view.to_string(), f.reporter, &format!("the case as the {who} sees it"));
        assert_eq!((&view["parties"][0]["name"], &view["parties"][1]["name"]), (&json!("Anonymous reporter"), &json!("Rhea Noisington")));
        let (_, list) = s.call(t, Method::GET, "/api/v1/cases", None).await;
        assert_no_reporter(&list.to_string(), f.reporter, "the case list");
        assert!(list["items"].as_array().unwrap().iter().any(|c| c["id"] == id), "{who} lists the case");
        // Filtering a list by the reporter must not single them out.
        let (st, by_reporter) = s.call(t, Method::GET, &format!("/api/v1/cases?person_id={}", f.reporter), None).await;
        assert_eq!((st, by_reporter["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{by_reporter}");
        let (_, by_accused) = s.call(t, Method::GET, &format!("/api/v1/cases?person_id={}", f.accused), None).await;
        assert_eq!(by_accused["items"][0]["id"], id);
    }

    // The case's own words may not name the reporter either.
    let body = json!({"kind": "asb", "summary": "Quillon Hushworth reports loud music",
        "parties": [{"person_id": f.reporter, "role": "reporter", "anonymous": true}]});
    let (st, p) = s.call(officer, Method::POST, "/api/v1/cases", Some(body)).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["summary".to_string()]), "{p}");
    let (_, view) = s.call(officer, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    let note = json!({"change": "note", "version": view["case"]["version"], "text": "Spoke to Mr Hushworth again"});
    let (st, p) = s.call(officer, Method::POST, &format!("/api/v1/cases/{id}/changes"), Some(note)).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["text".to_string()]), "{p}");

    // The concern sits on the reporter's own record, marked, for those who
    // may reveal the reporter; the officer working the case does not see it there.
    let (st, hidden) = s.call(officer, Method::GET, &format!("/api/v1/people/{}/cases", f.reporter), None).await;
    assert_eq!((st, hidden), (StatusCode::OK, json!([])));
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, mine) = s.call(&dpo, Method::GET, &format!("/api/v1/people/{}/cases", f.reporter), None).await;
    assert_eq!(st, StatusCode::OK, "{mine}");
    assert_eq!(
        (mine[0]["case"]["id"].as_i64(), &mine[0]["role"], &mine[0]["reported_anonymously"]),
        (Some(id), &json!("reporter"), &json!(true))
    );
    let (_, theirs) = s.call(officer, Method::GET, &format!("/api/v1/people/{}/cases", f.accused), None).await;
    assert_eq!((&theirs[0]["role"], &theirs[0]["reported_anonymously"]), (&json!("alleged_perpetrator"), &json!(false)));
    // Staff outside the ASB compartment do not see it even there.
    let (_, none) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{}/cases", f.reporter), None).await;
    assert_eq!(none, json!([]));

    // Each letter is audited; the trail managers read never ties the reporter to the case.
    let events = audit(&s).await;
    let letters: Vec<_> = events.iter().filter(|e| e.event.record_type == "case_letter" && e.event.decision == "allow").collect();
    assert_eq!(letters.len(), 2, "both letters recorded");
    assert_eq!(letters[0].event.person_id, Some(f.accused));
    assert_eq!(letters[1].event.person_id, None, "a letter to the anonymous reporter stays off their history");
    assert!(letters[1].event.detail.as_deref().unwrap().contains(&format!("\"recipient\":{}", f.reporter)), "the DPO can see who");
    for e in events.iter().filter(|e| e.event.record_type == "case") {
        assert_no_reporter(e.event.detail.as_deref().unwrap_or(""), f.reporter, "the case's audit detail");
        assert_ne!(e.event.person_id, Some(f.reporter));
    }
    let (_, history) = s.call(&manager, Method::GET, &format!("/api/v1/people/{}/history", f.reporter), None).await;
    assert!(!history.to_string().contains("case"), "the reporter's history does not show the case: {history}");
}

async fn an_override_needs_a_ground_and_a_second_person_of_a_permitted_role(s: TestServer) {
    let f = anonymous_asb_case(&s).await;
    let (id, officer) = (f.case_id, &f.officer);
    let (_, view) = s.call(officer, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    let party = view["parties"][0]["id"].as_i64().unwrap();
    let named = view["parties"][1]["id"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}/anonymity-overrides");
    let detail = "Order ZZ-TEST-0001 of the Testville County Court";

    // No ground, no detail, or a party who is not anonymous: refused, naming the field.
    let (st, p) = s.call(officer, Method::POST, &path, Some(json!({"party_id": party, "detail": detail}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["ground".to_string()]), "{p}");
    let (st, p) = s.call(officer, Method::POST, &path, Some(json!({"party_id": party, "ground": "curiosity", "detail": detail}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["ground".to_string()]), "{p}");
    let (st, p) = s.call(officer, Method::POST, &path, Some(json!({"party_id": party, "ground": "court_order"}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["detail".to_string()]), "{p}");
    let (st, p) = s.call(officer, Method::POST, &path, Some(json!({"party_id": named, "ground": "court_order", "detail": detail}))).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["party_id".to_string()]), "{p}");
    assert_eq!(s.count(hearth_store::Table::AnonymityOverride).await, 0, "nothing half-written");
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let (st, _) = s.call(&advisor, Method::POST, &path, Some(json!({"party_id": party, "ground": "court_order", "detail": detail}))).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "only those who work the case may ask");

    let (st, o) = s.call(officer, Method::POST, &path, Some(json!({"party_id": party, "ground": "court_order", "detail": detail}))).await;
    assert_eq!(st, StatusCode::CREATED, "{o}");
    assert_no_reporter(&o.to_string(), f.reporter, "the override request");
    let oid = o["id"].as_i64().unwrap();
    let approve = format!("/api/v1/anonymity-overrides/{oid}/approve");

    // Until approved the reporter stays hidden, even from the one who asked.
    let (_, view) = s.call(officer, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    assert_no_reporter(&view.to_string(), f.reporter, "the case before approval");
    assert_eq!(view["overrides"][0]["ground"], "court_order");

    // The requester may not approve, even where their role could; nor may a
    // role without responsibility for ASB.
    let (st, p) = s.call(officer, Method::POST, &approve, None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{p}");
    let manager = s.token_for("asb.manager").await;
    let body = json!({"party_id": party, "ground": "police_request", "detail": "Testshire Police request ref ZZ/0000/TEST"});
    let (st, own) = s.call(&manager, Method::POST, &path, Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{own}");
    let (st, p) = s.call(&manager, Method::POST, &format!("/api/v1/anonymity-overrides/{}/approve", own["id"]), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("a second person must"), "{p}");
    for role in [StaffRole::HousingOfficer, StaffRole::Manager, StaffRole::SafeguardingLead, StaffRole::ContactCentreAdvisor] {
        let t = s.token(role).await;
        let (st, p) = s.call(&t, Method::POST, &approve, None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role}: {p}");
        assert!(!p["detail"].as_str().unwrap_or("").is_empty(), "{role} is told why: {p}");
    }
    let (st, p) = s.call(officer, Method::POST, "/api/v1/anonymity-overrides/999999/approve", None).await;
    assert!(matches!(st, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{st}: {p}");

    // A manager responsible for ASB approves; approving twice conflicts.
    let (st, o) = s.call(&manager, Method::POST, &approve, None).await;
    assert_eq!(st, StatusCode::OK, "{o}");
    assert_eq!((&o["approved_by_username"], &o["requested_by_username"]), (&json!("asb.manager"), &json!("asb_officer")));
    let dpo = s.token(StaffRole::Dpo).await;
    let (st, _) = s.call(&dpo, Method::POST, &approve, None).await;
    assert_eq!(st, StatusCode::CONFLICT);

    // Now the person who asked sees the reporter, and nobody else does.
    let (_, view) = s.call(officer, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(
        (&view["parties"][0]["name"], view["parties"][0]["person_id"].as_i64(), view["parties"][0]["revealed_under"].as_i64()),
        (&json!("Quillon Hushworth"), Some(f.reporter), Some(oid)),
        "{view}"
    );
    // (The manager's own request is still waiting, so not even they see it.)
    for (who, t) in [("manager", &manager), ("dpo", &dpo)] {
        let (_, view) = s.call(t, Method::GET, &format!("/api/v1/cases/{id}"), None).await;
        assert_no_reporter(&view.to_string(), f.reporter, &format!("the case as the approving {who} sees it"));
    }
    // Letters still never name the reporter to anyone else.
    let (_, letter) = s.call(officer, Method::GET, &format!("/api/v1/cases/{id}/letters/{}", f.accused), None).await;
    assert_no_reporter(&letter.to_string(), f.reporter, "the letter after the override");

    // Request, refusal, approval and the reveal are all in the audit trail.
    let events = audit(&s).await;
    let on_override: Vec<_> = events.iter().filter(|e| e.event.record_type == "anonymity_override").collect();
    let summary: Vec<(&str, &str, &str)> = on_override
        .iter()
        .filter(|e| e.event.record_id == Some(oid))
        .map(|e| (e.event.actor_username.as_str(), e.event.action.as_str(), e.event.decision.as_str()))
        .collect();
    assert_eq!(summary[0], ("asb_officer", "edit", "allow"), "the request: {summary:?}");
    assert!(summary.contains(&("asb_officer", "edit", "deny")), "the requester's refused approval: {summary:?}");
    assert!(summary.contains(&("asb.manager", "edit", "allow")), "the approval: {summary:?}");
    let reveals: Vec<_> = events
        .iter()
        .filter(|e| e.event.record_type == "case" && e.event.detail.as_deref().is_some_and(|d| d.contains("revealed_anonymous_reporters")))
        .collect();
    assert_eq!(reveals.len(), 1, "one reveal so far");
    assert_eq!(reveals[0].event.actor_username, "asb_officer");
    assert!(on_override.iter().all(|e| e.event.person_id.is_none()), "never on the reporter's history");

    // The DPO's register; nobody else's.
    let (st, list) = s.call(&dpo, Method::GET, "/api/v1/anonymity-overrides", None).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "newest first: {list}");
    assert_eq!((items[1]["id"].as_i64(), &items[1]["ground"], &items[0]["approved_at"]), (Some(oid), &json!("court_order"), &Value::Null));
    assert_no_reporter(&list.to_string(), f.reporter, "the register");
    for t in [officer, &manager] {
        let (st, _) = s.call(t, Method::GET, "/api/v1/anonymity-overrides", None).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
    let (st, p) = s.call(&dpo, Method::GET, "/api/v1/anonymity-overrides?limit=0", None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["limit".to_string()]));
}
