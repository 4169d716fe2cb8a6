//! The front door (issue 28) over HTTP, on SQLite and PostgreSQL: any member
//! of staff records a rights request, a complaint or an ASB report as it
//! arrived; the clock runs from the day received, not the day recorded; the
//! DPO or the responsible team is told by reference; the recorder gets a
//! receipt and cannot read the record afterwards; the anonymous reporter stays
//! hidden; bad input names the field and writes nothing; supplier support is
//! refused. The web form is driven without a browser.

use hearth_domain::calendar::WorkingCalendar;
use hearth_domain::rights::{response_clock, ClockDates};
use hearth_domain::staff::StaffRole;
use hearth_store::Table;
use hearth_testkit::fixtures::{assert_no_reporter, person};
use hearth_testkit::{browser, get, problem_fields, sign_in, TestServer, PASSWORD};
use jiff::civil::Date;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    front_door_an_access_request_taken_by_any_team_reaches_the_dpo_with_the_clock_from_receipt,
    front_door_a_complaint_and_an_anonymous_asb_report_open_cases_and_tell_the_team,
    front_door_bad_input_names_the_field_and_writes_nothing,
    front_door_supplier_support_and_roles_without_records_are_refused,
    front_door_the_form_records_a_request_from_the_person_page,
);

fn today() -> Date {
    hearth_gate::Gate::today()
}

/// `n` working days before today.
fn working_days_ago(n: u32) -> Date {
    let cal = WorkingCalendar::england_and_wales();
    let mut d = today();
    let mut left = n;
    while left > 0 {
        d = d.yesterday().unwrap();
        if cal.is_working_day(d) {
            left -= 1;
        }
    }
    d
}

async fn receive(s: &TestServer, t: &str, body: Value) -> (StatusCode, Value) {
    s.call(t, Method::POST, "/api/v1/front-door", Some(body)).await
}

async fn notifications(s: &TestServer, t: &str) -> Vec<Value> {
    let (st, n) = s.call(t, Method::GET, "/api/v1/notifications", None).await;
    assert_eq!(st, StatusCode::OK, "{n}");
    n["items"].as_array().unwrap().clone()
}

async fn front_door_an_access_request_taken_by_any_team_reaches_the_dpo_with_the_clock_from_receipt(s: TestServer) {
    let dpo = s.token(StaffRole::Dpo).await;
    let received = working_days_ago(3);
    let cal = WorkingCalendar::england_and_wales();
    let due = response_clock(&cal, received, &ClockDates { received_on: Some(received), ..Default::default() }).due_on().unwrap();
    let due_if_today = response_clock(&cal, today(), &ClockDates { received_on: Some(today()), ..Default::default() }).due_on().unwrap();
    assert_ne!(due, due_if_today, "the test must tell receipt from recording");

    for (role, family) in [(StaffRole::HousingOfficer, "Frontwell"), (StaffRole::ContactCentreAdvisor, "Doorstep")] {
        let t = s.token(role).await;
        let p = person(&s, &t, "Ottilie", family).await;
        let (st, r) = receive(
            &s,
            &t,
            json!({"kind": "rights_request", "right": "access", "person_id": p, "channel": "phone",
                   "received_on": received.to_string(), "message": "Please send me a copy of everything you hold about me."}),
        )
        .await;
        assert_eq!(st, StatusCode::CREATED, "{role}: {r}");
        let reference = r["reference"].as_str().unwrap().to_string();
        assert!(reference.starts_with("SAR-"), "{r}");
        assert_eq!((r["due_on"].as_str(), r["person_id"].as_i64(), r["told_count"].as_i64()), (Some(&*due.to_string()), Some(p), Some(1)));
        let id = r["id"].as_i64().unwrap();

        // The DPO's work list has it, open, due a month from receipt, with who took it and how.
        let (st, list) = s.call(&dpo, Method::GET, "/api/v1/rights-requests", None).await;
        assert_eq!(st, StatusCode::OK, "{list}");
        let item = list["items"].as_array().unwrap().iter().find(|i| i["request"]["id"].as_i64() == Some(id)).expect("on the work list");
        assert_eq!(item["request"]["status"], "open");
        assert_eq!(item["request"]["received_on"], received.to_string());
        assert_eq!(item["request"]["due_on"], due.to_string());
        assert_eq!(item["request"]["channel"], "phone");
        assert_eq!(item["request"]["received_by"].as_i64(), Some(s.gate.user_id(role.as_str()).await.unwrap()));

        // The DPO is told by reference, without the person's name.
        let told = notifications(&s, &dpo).await;
        let n = told.iter().find(|n| n["message"].as_str().unwrap().contains(&reference)).expect("the DPO is told");
        assert_eq!(n["kind"], "rights_request_received");
        let message = n["message"].as_str().unwrap();
        assert!(message.contains("by phone") && message.contains(&due.strftime("%-d %B %Y").to_string()), "{message}");
        assert!(!message.contains(family) && !message.contains("Ottilie"), "no customer's name in a notification: {message}");

        // The register stays the DPO's.
        let (st, _) = s.call(&t, Method::GET, "/api/v1/rights-requests", None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role} lists no register");
        let (st, _) = s.call(&t, Method::GET, &format!("/api/v1/rights-requests/{id}"), None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role} reads no request");
        assert!(notifications(&s, &t).await.is_empty(), "the recorder is not told of their own request");
    }
    assert_eq!(s.count(Table::RightsRequest).await, 2);
}

async fn front_door_a_complaint_and_an_anonymous_asb_report_open_cases_and_tell_the_team(s: TestServer) {
    s.gate.add_user("asb.manager", "ASB Manager", StaffRole::Manager, &["asb".to_string()], PASSWORD).await.unwrap();
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let asb_manager = s.token_for("asb.manager").await;
    let manager = s.token(StaffRole::Manager).await;

    // A complaint by letter, received two working days ago: stage 1 received on that day.
    let received = working_days_ago(2);
    let complainant = person(&s, &advisor, "Percival", "Grumbleton").await;
    let (st, r) = receive(
        &s,
        &advisor,
        json!({"kind": "complaint", "person_id": complainant, "channel": "letter", "received_on": received.to_string(),
               "summary": "Boiler repair not done after three visits", "message": "Dear Sir, I wish to complain about my boiler."}),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert!(r["reference"].as_str().unwrap().starts_with("CMP-"), "{r}");
    assert!(r["acknowledge_by"].is_string() && r["due_on"].is_string(), "{r}");
    let complaint = r["id"].as_i64().unwrap();
    let (st, c) = s.call(&dpo, Method::GET, &format!("/api/v1/cases/{complaint}"), None).await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!((c["case"]["kind"].as_str(), c["case"]["status"].as_str()), (Some("complaint"), Some("stage1_received")));
    assert_eq!(c["case"]["stage_received_on"], received.to_string());
    assert_eq!(c["deadlines"]["acknowledge_by"], r["acknowledge_by"]);
    let timeline = c["timeline"].to_string();
    assert!(timeline.contains("Received by letter") && timeline.contains("I wish to complain"), "{timeline}");
    let (st, _) = s.call(&advisor, Method::GET, &format!("/api/v1/cases/{complaint}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the recorder does not work the complaint");
    // Nobody answers for complaints, so every manager is told.
    for t in [&manager, &asb_manager] {
        let told = notifications(&s, t).await;
        assert!(told.iter().any(|n| n["kind"] == "complaint_received" && n["message"].as_str().unwrap().contains("CMP-")), "{told:?}");
        assert!(!told.iter().any(|n| n["message"].as_str().unwrap().contains("Grumbleton")));
    }

    // An ASB report from a reporter who asked not to be named.
    let reporter = person(&s, &advisor, "Quillon", "Hushworth").await;
    let mut report = json!({"kind": "asb_report", "person_id": reporter, "channel": "phone", "anonymous": true,
        "summary": "Loud music every night from the flat above", "message": "It goes on until 3am, most nights."});
    // What they sent goes on the case: naming them there is refused, nothing written.
    let mut named = report.clone();
    named["message"] = json!("This is Quillon Hushworth, it goes on until 3am.");
    let cases = s.count(Table::CaseRecord).await;
    let (st, e) = receive(&s, &advisor, named).await;
    assert_eq!((st, problem_fields(&e)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["message".to_string()]), "{e}");
    assert_eq!(s.count(Table::CaseRecord).await, cases);

    report["received_on"] = json!(today().to_string());
    let (st, r) = receive(&s, &advisor, report).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert!(r["reference"].as_str().unwrap().starts_with("ASB-"), "{r}");
    let asb = r["id"].as_i64().unwrap();
    let (st, c) = s.call(&asb_manager, Method::GET, &format!("/api/v1/cases/{asb}"), None).await;
    assert_eq!(st, StatusCode::OK, "the responsible manager works it: {c}");
    assert_eq!(c["case"]["kind"], "asb");
    let party = &c["parties"][0];
    assert_eq!((party["role"].as_str(), party["anonymous"].as_bool(), party["person_id"].as_i64()), (Some("reporter"), Some(true), None));
    assert_no_reporter(&c.to_string(), reporter, "the ASB case from the front door");
    let (st, _) = s.call(&advisor, Method::GET, &format!("/api/v1/cases/{asb}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the recorder does not work the case");
    // The ASB manager is told; the manager with no ASB responsibility is not.
    assert!(notifications(&s, &asb_manager).await.iter().any(|n| n["kind"] == "asb_report_received"));
    assert!(!notifications(&s, &manager).await.iter().any(|n| n["kind"] == "asb_report_received"));
    for n in notifications(&s, &asb_manager).await {
        assert_no_reporter(n["message"].as_str().unwrap(), reporter, "a notification");
    }
}

async fn front_door_bad_input_names_the_field_and_writes_nothing(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let p = person(&s, &advisor, "Bertha", "Mistaken").await;
    let good = json!({"kind": "rights_request", "right": "erasure", "person_id": p, "channel": "email",
        "received_on": today().to_string(), "message": "Please delete my old phone number."});
    let before = (s.count(Table::RightsRequest).await, s.count(Table::CaseRecord).await, s.count(Table::StaffNotification).await);
    let tomorrow = today().tomorrow().unwrap().to_string();
    let cases: [(&str, Value, &str); 5] = [
        ("received_on", json!(tomorrow), "a future date"),
        ("person_id", Value::Null, "no person"),
        ("person_id", json!(999_999), "an unknown person"),
        ("channel", json!("carrier_pigeon"), "an unknown channel"),
        ("right", json!("be_forgotten_forever"), "an unknown right"),
    ];
    for (field, value, what) in cases {
        let mut body = good.clone();
        body[field] = value;
        let (st, e) = receive(&s, &advisor, body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {e}");
        assert_eq!(problem_fields(&e), vec![field.to_string()], "{what}: {e}");
    }
    let after = (s.count(Table::RightsRequest).await, s.count(Table::CaseRecord).await, s.count(Table::StaffNotification).await);
    assert_eq!(before, after, "nothing written");
    let (st, r) = receive(&s, &advisor, good).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert!(r["reference"].as_str().unwrap().starts_with("DSR-"), "{r}");
}

async fn front_door_supplier_support_and_roles_without_records_are_refused(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let p = person(&s, &advisor, "Norbert", "Unheard").await;
    for kind in ["rights_request", "complaint", "asb_report"] {
        let body = json!({"kind": kind, "right": (kind == "rights_request").then_some("access"), "person_id": p, "channel": "phone",
            "summary": (kind != "rights_request").then_some("Something to say"), "message": "What they said."});
        for role in [StaffRole::SupplierSupport, StaffRole::EdiAnalyst, StaffRole::SystemAdministrator] {
            let t = s.token(role).await;
            let (st, e) = receive(&s, &t, body.clone()).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{role} {kind}: {e}");
        }
        // A safeguarding lead and a manager, who open no cases on the front line, may still take one.
        for role in [StaffRole::SafeguardingLead, StaffRole::Manager, StaffRole::Dpo] {
            let t = s.token(role).await;
            let (st, r) = receive(&s, &t, body.clone()).await;
            assert_eq!(st, StatusCode::CREATED, "{role} {kind}: {r}");
        }
    }
    assert_eq!(s.count(Table::RightsRequest).await, 3);
    assert_eq!(s.count(Table::CaseRecord).await, 6);
}

async fn front_door_the_form_records_a_request_from_the_person_page(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let p = person(&s, &officer, "Winifred", "Formwright").await;
    let c = browser();
    let csrf = sign_in(&s, &c, "housing_officer").await;
    let (st, page) = get(&s, &c, &format!("/people/{p}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains(&format!("href=\"/front-door?person_id={p}\"")), "the person page offers the front door");
    assert!(page.contains("href=\"/front-door\""), "so does the menu");
    let (st, form) = get(&s, &c, &format!("/front-door?person_id={p}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(form.contains(&format!("type=\"hidden\" name=\"person_id\" value=\"{p}\"")), "the person is chosen");
    assert!(form.contains("A copy of the information we hold about them"), "plain words for the rights");
    assert!(form.contains(&format!("value=\"{}\"", today().year())), "the date defaults to today");

    let pid = p.to_string();
    let post = |fields: Vec<(&'static str, String)>| {
        let mut all = vec![("_csrf", csrf.clone()), ("person_id", pid.clone())];
        all.extend(fields);
        c.post(s.url("/front-door")).form(&all).send()
    };
    // A date in the future and no channel: the form again, naming both.
    let r = post(vec![
        ("kind", "rights_request".into()),
        ("right", "access".into()),
        ("received_on_day", "1".into()),
        ("received_on_month", "1".into()),
        ("received_on_year", "2099".into()),
        ("message", "Copy of my file please".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("href=\"#received_on-day\"") && body.contains("href=\"#channel\""), "{body}");
    assert_eq!(s.count(Table::RightsRequest).await, 0);

    let d = working_days_ago(1);
    let r = post(vec![
        ("kind", "rights_request".into()),
        ("right", "access".into()),
        ("channel", "in_person".into()),
        ("received_on_day", d.day().to_string()),
        ("received_on_month", d.month().to_string()),
        ("received_on_year", d.year().to_string()),
        ("message", "Copy of my file please".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.contains("Request recorded") && body.contains("SAR-"), "{body}");
    assert!(body.contains("the data protection officer") && body.contains("The answer is due by"), "{body}");
    assert!(!body.contains("Formwright"), "the receipt names no one");
    assert_eq!(s.count(Table::RightsRequest).await, 1);
    let (st, _) = get(&s, &c, "/rights").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the register stays the DPO's");
}
