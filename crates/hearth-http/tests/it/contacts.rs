//! The contact log over HTTP on SQLite and PostgreSQL: every channel logs
//! with its own fields; social media without a service request, verbatim
//! text without a reason, all-customer mailings and answers that contradict
//! the channel (an inbound call "attended") are refused naming the field and
//! store nothing; an ASB contact never reaches a contact-centre
//! advisor's timeline, search or counts, while the assigned ASB officer
//! sees it; a split submission's link shows only where both parts show.

use hearth_domain::staff::StaffRole;
use hearth_store::Table;
use hearth_testkit::fixtures::person;
use hearth_testkit::{problem_fields, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    every_channel_logs_with_its_own_fields,
    refusals_name_the_field_and_store_nothing,
    an_asb_contact_never_reaches_an_advisor,
    a_split_submission_is_linked_only_where_both_parts_show,
);

fn ids(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

/// A time `mins` minutes ago, so entries have a known order.
fn ago(mins: i64) -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_mins(mins)).to_string()
}

async fn log(s: &TestServer, t: &str, body: Value) -> Value {
    let (st, v) = s.call(t, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v
}

async fn every_channel_logs_with_its_own_fields(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let owner = s.gate.user_id("housing_officer").await.unwrap();
    let who = person(&s, &advisor, "Cal", "Everyway").await;
    // An advisor sees the contact history only after checking the caller.
    hearth_testkit::check_caller(&s, &advisor, who).await;
    // (channel, the channel's own fields, what must come back)
    let table: Vec<(&str, Value, Value)> = vec![
        ("call_in", json!({}), json!({})),
        ("call_out", json!({}), json!({})),
        ("call_attempt", json!({"voicemail_left": true}), json!({"voicemail_left": true})),
        (
            "appointment",
            json!({"appointment_outcome": "no_access", "place": "Flat 3, 9 Sample Street"}),
            json!({"appointment_outcome": "no_access", "place": "Flat 3, 9 Sample Street"}),
        ),
        ("door_knock", json!({}), json!({})),
        ("walkabout_request", json!({}), json!({})),
        ("letter_in", json!({}), json!({})),
        ("letter_out", json!({"system_generated": true}), json!({"system_generated": true})),
        ("email_in", json!({}), json!({})),
        ("email_out", json!({}), json!({})),
        ("sms_in", json!({}), json!({})),
        ("sms_out", json!({}), json!({})),
        ("web_form", json!({}), json!({})),
        ("web_chat", json!({}), json!({})),
        ("chatbot", json!({}), json!({})),
        ("live_agent", json!({}), json!({})),
        ("social_media", json!({"service_request": true}), json!({"service_request": true})),
    ];
    assert_eq!(table.len(), hearth_domain::contacts::Channel::ALL.len(), "every channel is covered");
    let mut logged = vec![];
    for (i, (channel, extra, expect)) in table.iter().enumerate() {
        let mut body = json!({
            "channel": channel, "person_ids": [who], "occurred_at": ago(60 - i as i64),
            "summary": format!("Contact by {channel}"), "subjects": ["rent", "repairs"],
            "follow_ups": [{"action": "Call back with the balance", "owner": owner, "due_on": "2026-12-01"}],
        });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let v = log(&s, &advisor, body).await;
        let e = &v["entries"][0];
        assert_eq!(v["entries"].as_array().unwrap().len(), 1);
        assert_eq!((e["channel"].as_str(), e["compartment"].as_str()), (Some(*channel), Some("contact_log")), "{e}");
        assert_eq!(e["person_ids"], json!([who]));
        assert_eq!(e["subjects"], json!(["rent", "repairs"]));
        assert_eq!(e["follow_ups"][0]["owner"].as_i64(), Some(owner));
        assert_eq!(e["follow_ups"][0]["due_on"], "2026-12-01");
        for (k, want) in expect.as_object().unwrap() {
            assert_eq!(&e[k], want, "{channel}: {k}");
        }
        logged.push(e["id"].as_i64().unwrap());
    }
    let path = format!("/api/v1/people/{who}/timeline?limit=100");
    let (st, page) = s.call(&advisor, Method::GET, &path, None).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    logged.reverse();
    assert_eq!(ids(&page), logged, "newest first");
    let (_, page) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{who}/timeline?channel=appointment"), None).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["appointment_outcome"], "no_access");

    // Verbatim with a reason is kept.
    let v = log(
        &s,
        &advisor,
        json!({"channel": "call_in", "person_ids": [who], "summary": "Wants to appeal the decision",
        "verbatim": "I am appealing, this is not fair", "verbatim_reason": "appeal"}),
    )
    .await;
    assert_eq!(
        (v["entries"][0]["verbatim"].as_str(), v["entries"][0]["verbatim_reason"].as_str()),
        (Some("I am appealing, this is not fair"), Some("appeal"))
    );
}

async fn refusals_name_the_field_and_store_nothing(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let who = person(&s, &advisor, "Rae", "Refusedale").await;
    let base = json!({"channel": "call_in", "person_ids": [who], "summary": "Something"});
    let with = |extra: Value| {
        let mut b = base.clone();
        b.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        b
    };
    let cases = [
        (with(json!({"channel": "social_media"})), "service_request", "service request"),
        (with(json!({"channel": "social_media", "service_request": false})), "service_request", "service request"),
        (with(json!({"verbatim": "You people never listen"})), "verbatim", "reason"),
        (with(json!({"verbatim": "x", "verbatim_reason": "because"})), "verbatim_reason", "reason"),
        (with(json!({"channel": "letter_out", "mailing": "newsletter"})), "mailing", "All-customer mailings are not contacts"),
        (with(json!({"channel": "letter_out", "all_customers": true})), "all_customers", "All-customer mailings are not contacts"),
        (with(json!({"channel": "email_out", "all_customers": true})), "all_customers", "All-customer mailings are not contacts"),
        (with(json!({"channel": "call_attempt"})), "voicemail_left", "voicemail"),
        (with(json!({"channel": "appointment"})), "appointment_outcome", "attended"),
        // Answers that contradict the channel, named with the channel given.
        (with(json!({"appointment_outcome": "attended"})), "appointment_outcome", "inbound call"),
        (with(json!({"voicemail_left": false})), "voicemail_left", "Only an attempted call"),
        (
            with(json!({"channel": "appointment", "appointment_outcome": "attended", "voicemail_left": true})),
            "voicemail_left",
            "appointment",
        ),
        (with(json!({"place": "Sample Street office"})), "place", "Only an appointment has a place"),
        (with(json!({"channel": "letter_in", "system_generated": true})), "system_generated", "letter received"),
        (with(json!({"channel": "email_in", "service_request": true})), "service_request", "email received"),
        (with(json!({"channel": "fax"})), "channel", "Choose how the contact was made"),
        (with(json!({"summary": "  "})), "summary", "summary"),
        (with(json!({"person_ids": []})), "person_ids", "person"),
        (with(json!({"person_ids": [999999]})), "person_ids[0]", "No such person"),
        (with(json!({"occurred_at": ago(-60)})), "occurred_at", "future"),
        (with(json!({"compartment": "edi"})), "compartment", "general"),
    ];
    for (body, field, words) in cases {
        let (st, p) = s.call(&advisor, Method::POST, "/api/v1/contacts", Some(body.clone())).await;
        assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec![field.to_string()]), "{body}: {p}");
        let message = p["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{field}: {message}");
        assert_eq!(s.count(Table::ContactEntry).await, 0, "nothing stored for {body}");
    }
    // A split whose second part is refused stores neither part.
    let (st, p) = s
        .call(
            &advisor,
            Method::POST,
            "/api/v1/contacts",
            Some(json!({"channel": "call_in", "person_ids": [who], "parts": [
                {"summary": "Rent query"}, {"compartment": "asb", "summary": "Noise", "verbatim": "They are animals"}]})),
        )
        .await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["parts[1].verbatim".to_string()]));
    assert_eq!(s.count(Table::ContactEntry).await, 0);
    // A role that may not log contacts is refused before anything is read.
    let sysadmin = s.token(StaffRole::SystemAdministrator).await;
    let (st, _) = s.call(&sysadmin, Method::POST, "/api/v1/contacts", Some(base.clone())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert_eq!(s.count(Table::ContactEntry).await, 0);
}

async fn an_asb_contact_never_reaches_an_advisor(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let officer = s.token(StaffRole::AsbOfficer).await;
    let officer_id = s.gate.user_id("asb_officer").await.unwrap();
    let who = person(&s, &advisor, "Ivy", "Hushwell").await;
    // An advisor sees the contact history only after checking the caller.
    hearth_testkit::check_caller(&s, &advisor, who).await;
    let (st, case) = s
        .call(
            &officer,
            Method::POST,
            "/api/v1/cases",
            Some(json!({"kind": "asb", "summary": "Noise complaints", "assigned_to": officer_id,
            "parties": [{"person_id": who, "role": "reporter"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{case}");
    let case_id = case["case"]["id"].as_i64().unwrap();

    let general = log(
        &s,
        &advisor,
        json!({"channel": "call_in", "person_ids": [who], "occurred_at": ago(30), "summary": "Asked about her rent balance"}),
    )
    .await["entries"][0]["id"]
        .as_i64()
        .unwrap();
    // Newest, so a leak would show at the top of the timeline or in a cursor.
    let asb = log(
        &s,
        &advisor,
        json!({"channel": "call_in", "person_ids": [who], "occurred_at": ago(5), "compartment": "asb", "case_id": case_id,
        "summary": "Reported Zebedee shouting at night"}),
    )
    .await["entries"][0]["id"]
        .as_i64()
        .unwrap();
    // An ASB entry on no case: need-to-know has no one to assign it to yet.
    let unassigned = log(
        &s,
        &advisor,
        json!({"channel": "door_knock", "person_ids": [who], "occurred_at": ago(1), "compartment": "asb",
        "summary": "Neighbour mentioned Zebedee again"}),
    )
    .await["entries"][0]["id"]
        .as_i64()
        .unwrap();

    let timeline = |token: String, query: &'static str| {
        let s = &s;
        async move {
            let (st, page) = s.call(&token, Method::GET, &format!("/api/v1/people/{who}/timeline{query}"), None).await;
            assert_eq!(st, StatusCode::OK, "{page}");
            page
        }
    };
    for query in ["", "?limit=1", "?limit=100", "?compartment=asb", "?channel=call_in"] {
        let page = timeline(advisor.clone(), query).await;
        let expect = if query == "?compartment=asb" { vec![] } else { vec![general] };
        assert_eq!(ids(&page), expect, "advisor {query}");
        assert_eq!(page["next_cursor"], Value::Null, "advisor {query}: the cursor counts nothing hidden");
        assert!(!page.to_string().contains("Zebedee"), "{query}: {page}");
    }
    for hidden in [asb, unassigned] {
        let page = timeline(advisor.clone(), "").await;
        assert!(!ids(&page).contains(&hidden));
        let (st, page) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{who}/timeline?after={hidden}"), None).await;
        assert_eq!(st, StatusCode::OK);
        assert!(ids(&page).is_empty(), "a hidden entry's id is no cursor: {page}");
        let (st, body) = s.call(&advisor, Method::GET, &format!("/api/v1/contacts/{hidden}"), None).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        assert!(!body.to_string().contains("Zebedee"));
    }
    let (st, body) = s.call(&advisor, Method::GET, "/api/v1/contacts/999999", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "an unknown id is refused like a hidden one: {body}");
    for q in ["Hushwell", "Zebedee"] {
        let (st, found) = s.call(&advisor, Method::GET, &format!("/api/v1/people?q={q}"), None).await;
        assert_eq!(st, StatusCode::OK);
        assert!(!found.to_string().contains("Zebedee"), "search {q}: {found}");
    }
    let (st, e) = s.call(&advisor, Method::GET, &format!("/api/v1/contacts/{general}"), None).await;
    assert_eq!((st, e["summary"].as_str()), (StatusCode::OK, Some("Asked about her rent balance")));

    // The assigned ASB officer sees the case's entry and the general one, not the unassigned one.
    let page = timeline(officer.clone(), "").await;
    assert_eq!(ids(&page), vec![asb, general]);
    let page = timeline(officer.clone(), "?limit=1").await;
    assert_eq!((ids(&page), page["next_cursor"].as_i64()), (vec![asb], Some(asb)));
    let (_, page) = s.call(&officer, Method::GET, &format!("/api/v1/people/{who}/timeline?limit=1&after={asb}"), None).await;
    assert_eq!((ids(&page), page["next_cursor"].clone()), (vec![general], Value::Null));
    let (st, e) = s.call(&officer, Method::GET, &format!("/api/v1/contacts/{asb}"), None).await;
    assert_eq!((st, e["case_id"].as_i64()), (StatusCode::OK, Some(case_id)), "{e}");
    let (st, _) = s.call(&officer, Method::GET, &format!("/api/v1/contacts/{unassigned}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // The DPO sees everything.
    let dpo = s.token(StaffRole::Dpo).await;
    assert_eq!(ids(&timeline(dpo, "").await), vec![unassigned, asb, general]);
}

async fn a_split_submission_is_linked_only_where_both_parts_show(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let officer = s.token(StaffRole::AsbOfficer).await;
    let officer_id = s.gate.user_id("asb_officer").await.unwrap();
    let who = person(&s, &advisor, "Sid", "Splitworth").await;
    // An advisor sees the contact history only after checking the caller.
    hearth_testkit::check_caller(&s, &advisor, who).await;
    let (_, case) = s
        .call(&officer, Method::POST, "/api/v1/cases", Some(json!({"kind": "asb", "summary": "Harassment", "assigned_to": officer_id})))
        .await;
    let case_id = case["case"]["id"].as_i64().unwrap();
    let v = log(
        &s,
        &advisor,
        json!({"channel": "call_in", "person_ids": [who], "parts": [
            {"summary": "Asked for a repair to the front door", "subjects": ["repairs"]},
            {"compartment": "asb", "case_id": case_id, "summary": "Said the door was kicked in by a neighbour"}]}),
    )
    .await;
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let (general, asb) = (entries[0]["id"].as_i64().unwrap(), entries[1]["id"].as_i64().unwrap());
    assert_eq!(entries[0]["submission_id"], entries[1]["submission_id"]);
    assert_eq!((entries[0]["compartment"].as_str(), entries[1]["compartment"].as_str()), (Some("contact_log"), Some("asb")));
    assert_eq!(entries[0]["linked_entry_ids"], json!([]), "the advisor may not see the ASB part");

    let (_, e) = s.call(&advisor, Method::GET, &format!("/api/v1/contacts/{general}"), None).await;
    assert_eq!(e["linked_entry_ids"], json!([]));
    let (_, e) = s.call(&officer, Method::GET, &format!("/api/v1/contacts/{general}"), None).await;
    assert_eq!(e["linked_entry_ids"], json!([asb]));
    let (_, e) = s.call(&officer, Method::GET, &format!("/api/v1/contacts/{asb}"), None).await;
    assert_eq!(e["linked_entry_ids"], json!([general]));
    let (_, page) = s.call(&advisor, Method::GET, &format!("/api/v1/people/{who}/timeline"), None).await;
    assert_eq!(page["items"][0]["linked_entry_ids"], json!([]));

    // Each part's creation is audited, in its own compartment, with the new entry.
    let events = {
        let mut tx = s.store.begin().await.unwrap();
        hearth_store::audit::events_after(&mut tx, 0, 1000).await.unwrap()
    };
    let created: Vec<(String, Option<i64>, Option<i64>, i64)> = events
        .iter()
        .filter(|e| e.event.record_type == "contact_entry" && e.event.action == "create")
        .map(|e| {
            let detail: Value = serde_json::from_str(e.event.detail.as_deref().unwrap()).unwrap();
            (e.event.compartment.clone(), e.event.record_id, e.event.person_id, detail["new"]["id"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(created, vec![("contact_log".into(), Some(general), Some(who), general), ("asb".into(), Some(asb), Some(who), asb)]);
    let listed: Vec<_> = events
        .iter()
        .filter(|e| e.event.action == "list" && e.event.person_id == Some(who) && e.event.actor_username == "contact_centre_advisor")
        .collect();
    assert!(
        !listed.is_empty() && listed.iter().all(|e| e.event.compartment == "contact_log"),
        "the advisor's timeline drew on the general log only"
    );
}
