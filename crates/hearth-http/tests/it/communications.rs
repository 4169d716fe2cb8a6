//! Customer communications over HTTP on both engines, with a real SMTP
//! server (aiosmtpd) on loopback and the letters read back with pdftotext:
//! each person is written to by the channel they prefer and in the format
//! their adjustments ask for, every communication is on their timeline, a
//! refusal names the ICO, a representative gets a copy, a person with no way
//! to reach them is a failure on the sender's home page, and no letter to
//! an alleged perpetrator names or locates an anonymous reporter.

use hearth_comms::templates::Templates;
use hearth_comms::transport::{Courier, Mailer};
use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::{self, assert_no_reporter, NewTenant};
use hearth_testkit::{browser, field, get, pdf_text, sign_in, start_configured, Backend, SmtpSink, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

hearth_testkit::both_backends!(
    backend: acknowledgements_go_by_email_or_as_large_print_letters_and_are_logged,
    a_refusal_letter_names_the_person_their_address_uk_dates_and_the_ico,
    a_letter_to_the_alleged_perpetrator_never_names_or_locates_the_reporter,
    copies_texts_easy_read_and_failures_follow_each_persons_needs,
    people_affected_by_a_breach_are_told_and_the_register_says_so,
);

async fn server(backend: Backend, smtp: &SmtpSink) -> TestServer {
    let url = smtp.url();
    start_configured(backend, move |g| {
        let mailer = Mailer::new(&url, "Example Homes <letters@example.test>").unwrap();
        let letterhead = ["Fictional Housing Trust (Test Data)", "2 Nowhere Row", "Testville", "ZZ99 8ZZ"].map(String::from).to_vec();
        g.with_comms(Templates::default(), Courier { mailer: Some(mailer), ..Default::default() }).with_letterhead(letterhead).unwrap()
    })
    .await
}

/// An access request for `person`, received on 1 December 2026, logged by the DPO.
async fn access_request(s: &TestServer, dpo: &str, person: i64) -> Value {
    let body = json!({"kind": "access", "person_id": person, "description": "A copy of everything", "received_on": "2026-12-01"});
    s.created(dpo, "/api/v1/rights-requests", body).await["request"].clone()
}

async fn send(s: &TestServer, t: &str, path: &str, body: Value) -> Vec<Value> {
    let (st, v) = s.call(t, Method::POST, path, Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v.as_array().unwrap().clone()
}

async fn download(s: &TestServer, t: &str, communication: &Value) -> Vec<u8> {
    let r = s.client.get(s.url(&format!("/api/v1/communications/{communication}/file"))).bearer_auth(t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.bytes().await.unwrap().to_vec()
}

async fn timeline(s: &TestServer, t: &str, person: i64) -> String {
    let (st, v) = s.call(t, Method::GET, &format!("/api/v1/people/{person}/timeline"), None).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v.to_string()
}

/// A preferred-format adjustment of `format` for `person`.
async fn wants_format(s: &TestServer, t: &str, person: i64, format: &str) {
    let need = s
        .post_ok(
            t,
            &format!("/api/v1/people/{person}/needs"),
            json!({"category": "disability_or_health_condition", "detail": "Sight loss",
            "source": "staff_contact", "disclosure_channel": "phone", "duration": "long_term", "consent_to_tailor": true}),
        )
        .await;
    s.post_ok(
        t,
        &format!("/api/v1/people/{person}/adjustments"),
        json!({"need_id": need["id"], "kind": "preferred_format", "format": format}),
    )
    .await;
}

async fn acknowledgements_go_by_email_or_as_large_print_letters_and_are_logged(backend: Backend) {
    let smtp = SmtpSink::start();
    let s = server(backend, &smtp).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let dpo = s.token(StaffRole::Dpo).await;
    // Adaline prefers email.
    let ada = fixtures::tenant(&s, &officer, NewTenant::new("Adaline", "Mailwright", 910_001).line1("3 Inbox Lane")).await.person;
    s.created(
        &officer,
        &format!("/api/v1/people/{ada}/contact-points"),
        json!({"kind": "email", "value": "adaline@example.test", "preferred": true}),
    )
    .await;
    let (st, v) = s
        .call(&officer, Method::PUT, &format!("/api/v1/people/{ada}/contact-preferences"), Some(json!({"preferred_channel": "email"})))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // Bertram reads only large print and has no email: a large-print letter to his home.
    let bert = fixtures::tenant(&s, &officer, NewTenant::new("Bertram", "Bigletter", 910_002).line1("5 Print Street")).await.person;
    wants_format(&s, &officer, bert, "large_print").await;

    // Each asks for their information by phone; a contact-centre advisor
    // records it at the front door, and the acknowledgement goes at once.
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    for (person, channel, words) in [(ada, "email", "sent by email"), (bert, "letter", "ready to print and post (large print)")] {
        let body = json!({"kind": "rights_request", "right": "access", "person_id": person, "channel": "phone",
            "received_on": "2026-12-01", "message": "Please send me everything you hold about me."});
        let (st, receipt) = s.call(&advisor, Method::POST, "/api/v1/front-door", Some(body)).await;
        assert_eq!(st, StatusCode::CREATED, "{receipt}");
        assert!(receipt["acknowledgement"].as_str().unwrap().contains(words), "{receipt}");
        let list = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{}/letters", receipt["id"]), None).await.1;
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        assert_eq!(list[0]["channel"], channel, "{list}");
        assert_eq!(list[0]["status"], if channel == "email" { "sent" } else { "ready_to_print" }, "{list}");
        // On the person's timeline, as a system-made letter or email.
        let t = timeline(&s, &dpo, person).await;
        assert!(
            t.contains(if channel == "email" { "email_out" } else { "letter_out" }) && t.contains(receipt["reference"].as_str().unwrap()),
            "{t}"
        );
    }
    let mail = smtp.wait_for("adaline@example.test");
    assert!(mail.contains("Subject: We have received your access request (SAR-"), "{mail}");
    assert!(mail.contains("Dear Adaline Mailwright") && mail.contains("1 December 2026"), "{mail}");
    assert!(!mail.contains("Bertram"), "one email, to one person");
    assert_eq!(smtp.messages().len(), 1, "Bertram is written to, not emailed");

    let r = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests?all=true&person_id={bert}"), None).await.1;
    let rid = r["items"][0]["request"]["id"].clone();
    let list = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{rid}/letters"), None).await.1;
    assert_eq!(list[0]["format"], "large_print", "{list}");
    let pdf = download(&s, &dpo, &list[0]["id"]).await;
    // Words only: large print wraps a date across lines.
    let text = pdf_text(&pdf).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Bertram Bigletter") && text.contains("5 Print Street") && text.contains("ZZ99 3AB"), "{text}");
    assert!(text.contains("1 December 2026") && text.contains("4 January 2027"), "UK dates, received and due: {text}");
    assert!(large_print(&pdf), "set in large print");
    // The letter waits on the DPO's home page until it is posted (the advisor who took the request cannot open it).
    let c = browser();
    sign_in(&s, &c, "contact_centre_advisor").await;
    let (_, home) = get(&s, &c, "/").await;
    assert!(!home.contains("Letters to print and post"), "{home}");
    let c = browser();
    sign_in(&s, &c, "dpo").await;
    let (_, home) = get(&s, &c, "/").await;
    assert!(home.contains("Letters to print and post") && home.contains("Acknowledgement of a rights request"), "{home}");
    assert!(!home.contains("Bertram") && !home.contains("5 Print Street"), "no personal details on the list: {home}");
    let (st, v) = s.call(&dpo, Method::POST, &format!("/api/v1/communications/{}/posted", list[0]["id"]), None).await;
    assert_eq!((st, v["status"].clone()), (StatusCode::OK, json!("sent")), "{v}");
    let (st, v) = s.call(&dpo, Method::POST, &format!("/api/v1/communications/{}/posted", list[0]["id"]), None).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "posted once: {v}");
    let (_, home) = get(&s, &c, "/").await;
    assert!(!home.contains("Letters to print and post"), "{home}");
    // The advisor and the officer cannot read the DPO's letter.
    let r = s.client.get(s.url(&format!("/api/v1/communications/{}/file", list[0]["id"]))).bearer_auth(&officer).send().await.unwrap();
    assert!(matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", r.status());
}

/// Whether the body text is set at 16 pt or more (pdftotext -bbox gives each word's box).
fn large_print(pdf: &[u8]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("letter.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg("-bbox").arg(&path).arg("-").output().expect("pdftotext");
    let html = String::from_utf8_lossy(&out.stdout);
    let heights: Vec<f64> = html
        .lines()
        .filter(|l| l.contains("<word"))
        .filter_map(|l| {
            let y = |k: &str| l.split(&format!("{k}=\"")).nth(1)?.split('"').next()?.parse::<f64>().ok();
            Some(y("yMax")? - y("yMin")?)
        })
        .collect();
    assert!(!heights.is_empty(), "{html}");
    let mut sorted = heights.clone();
    sorted.sort_by(f64::total_cmp);
    // The median word box of 16 pt type is about 18 pt high; 11 pt type about 13.
    sorted[sorted.len() / 2] >= 16.0
}

async fn a_refusal_letter_names_the_person_their_address_uk_dates_and_the_ico(backend: Backend) {
    let smtp = SmtpSink::start();
    let s = server(backend, &smtp).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let cyril = fixtures::tenant(&s, &officer, NewTenant::new("Cyril", "Refusington", 910_003).line1("8 Denial Close")).await.person;
    let r = access_request(&s, &dpo, cyril).await;
    let path = format!("/api/v1/rights-requests/{}/letters", r["id"]);
    // No letter of refusal before the refusal is recorded.
    let (st, v) = s.call(&dpo, Method::POST, &path, Some(json!({"template": "refusal"}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("template"), "{v}");
    let (st, v) = s.call(&dpo, Method::POST, &path, Some(json!({"template": "no_such_letter"}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let change = json!({"change": "refuse", "version": r["version"], "ground": "manifestly_excessive",
        "reason": "It repeats the request we answered on 2 November 2026."});
    let (st, v) = s.call(&dpo, Method::POST, &format!("/api/v1/rights-requests/{}/changes", r["id"]), Some(change)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let sent = send(&s, &dpo, &path, json!({"template": "refusal"})).await;
    assert_eq!(sent[0]["channel"], "letter");
    let text = pdf_text(&download(&s, &dpo, &sent[0]["id"]).await);
    assert!(text.contains("Cyril Refusington") && text.contains("8 Denial Close") && text.contains("Testbury"), "{text}");
    assert!(text.contains("Fictional Housing Trust (Test Data)") && text.contains("2 Nowhere Row"), "the operator's letterhead: {text}");
    assert!(text.contains("1 December 2026") && !text.contains("2026-12-01"), "UK dates only: {text}");
    assert!(text.contains("manifestly excessive") && text.contains("It repeats the request"), "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("You also have the right to complain to the Information Commissioner's Office (ICO)"), "{flat}");
    // A complaint taken at the front door is acknowledged at once, by letter to his home.
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let body = json!({"kind": "complaint", "person_id": cyril, "channel": "phone", "received_on": "2026-12-01",
        "summary": "The kitchen repair was left unfinished", "message": "Nobody came back to finish the kitchen."});
    let (st, receipt) = s.call(&advisor, Method::POST, "/api/v1/front-door", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{receipt}");
    assert!(receipt["acknowledgement"].as_str().unwrap().contains("ready to print and post"), "{receipt}");
    // The officer answering a complaint sends the stage response from the complainant's letter page.
    let me = s.gate.user_id("housing_officer").await.unwrap();
    let cmp = s
        .created(
            &officer,
            "/api/v1/cases",
            json!({"kind": "complaint", "summary": "Heating not fixed", "assigned_to": me,
            "parties": [{"person_id": cyril, "role": "complainant"}]}),
        )
        .await["case"]["id"]
        .as_i64()
        .unwrap();
    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (st, page) = get(&s, &c, &format!("/cases/{cmp}/letters/{cyril}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Send the complaint acknowledgement") && page.contains("Send the stage response"), "{page}");
    let post = |template: &'static str, response: &'static str| {
        let form = [
            ("_csrf", field(&page, "_csrf")),
            ("template", template.into()),
            ("person_id", cyril.to_string()),
            ("response", response.into()),
        ];
        c.post(s.url(&format!("/cases/{cmp}/letters"))).form(&form).send()
    };
    let r = post("complaint_response", "  ").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("Enter the response") && body.contains("govuk-error-summary"), "the error is on the form: {body}");
    let r = post("complaint_response", "We are sorry. An engineer fixed the boiler on 3 December 2026.").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let t = timeline(&s, &officer, cyril).await;
    assert!(t.contains("Complaint response") && t.contains("Our stage 1 response to your complaint"), "{t}");
    // A named neighbour's ASB report is acknowledged; an anonymous one never gets a logged letter.
    for (anonymous, words) in [(false, Some("ready to print and post")), (true, None)] {
        let body = json!({"kind": "asb_report", "person_id": cyril, "channel": "phone", "received_on": "2026-12-01", "anonymous": anonymous,
            "summary": "Shouting in the stairwell at night", "message": "It happens every weekend."});
        let (st, receipt) = s.call(&advisor, Method::POST, "/api/v1/front-door", Some(body)).await;
        assert_eq!(st, StatusCode::CREATED, "{receipt}");
        match words {
            Some(w) => assert!(receipt["acknowledgement"].as_str().unwrap().contains(w), "{receipt}"),
            None => assert!(receipt["acknowledgement"].is_null(), "{receipt}"),
        }
    }
    // Only the DPO sends the DPO's letters.
    let (st, _) = s.call(&officer, Method::POST, &path, Some(json!({"template": "refusal"}))).await;
    assert!(matches!(st, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{st}");
}

async fn a_letter_to_the_alleged_perpetrator_never_names_or_locates_the_reporter(backend: Backend) {
    let smtp = SmtpSink::start();
    let s = server(backend, &smtp).await;
    let asb = fixtures::anonymous_asb_case(&s).await;
    let case_id = asb.case_id;
    // The alleged perpetrator also has an email and prefers it: check both channels.
    let path = format!("/api/v1/cases/{case_id}/letters");
    let sent = send(&s, &asb.officer, &path, json!({"template": "case_letter", "person_id": asb.accused})).await;
    assert_eq!(sent.len(), 1);
    let letter = pdf_text(&download(&s, &asb.officer, &sent[0]["id"]).await);
    assert!(letter.contains("Rhea Noisington") && letter.contains("9 Loud Lane") && letter.contains("Loud music"), "{letter}");
    assert_no_reporter(&letter, asb.reporter, "the letter to the alleged perpetrator");
    assert_no_reporter(&serde_json::to_string(&sent).unwrap(), asb.reporter, "the record of the letter");
    s.created(
        &asb.officer,
        &format!("/api/v1/people/{}/contact-points", asb.accused),
        json!({"kind": "email", "value": "rhea@example.test", "preferred": true}),
    )
    .await;
    let sent = send(&s, &asb.officer, &path, json!({"template": "case_letter", "person_id": asb.accused})).await;
    assert_eq!(sent[0]["channel"], "email");
    assert_no_reporter(&smtp.wait_for("rhea@example.test"), asb.reporter, "the email to the alleged perpetrator");
    assert_no_reporter(&timeline(&s, &asb.officer, asb.accused).await, asb.reporter, "the perpetrator's timeline");
    // The case letter page offers to send it.
    let c = browser();
    sign_in(&s, &c, "asb_officer").await;
    let (st, page) = get(&s, &c, &format!("/cases/{case_id}/letters/{}", asb.accused)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Send this letter"), "{page}");
    // No sent letter to the anonymous reporter: it would link them to the case on their record.
    let (st, v) = s.call(&asb.officer, Method::POST, &path, Some(json!({"template": "case_letter", "person_id": asb.reporter}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

async fn copies_texts_easy_read_and_failures_follow_each_persons_needs(backend: Backend) {
    let smtp = SmtpSink::start();
    let s = server(backend, &smtp).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let points = |id: i64| format!("/api/v1/people/{id}/contact-points");
    let prefs = |id: i64| format!("/api/v1/people/{id}/contact-preferences");

    // Dora shares her home and asked for no letters there; she has no email.
    let dora = fixtures::tenant(&s, &officer, NewTenant::new("Dora", "Sharedhall", 910_004).line1("6 Party Wall")).await;
    let lodger = fixtures::person(&s, &officer, "Lenny", "Lodgewell").await;
    s.created(
        &officer,
        &format!("/api/v1/households/{}/members", dora.household),
        json!({"person_id": lodger, "role": "household_member"}),
    )
    .await;
    let (st, v) = s.call(&officer, Method::PUT, &prefs(dora.person), Some(json!({"no_letters_to_shared_address": true}))).await;
    assert_eq!((st, v["no_letters_to_shared_address"].clone()), (StatusCode::OK, json!(true)), "{v}");
    // Her son Edwin acts for her in everything, and takes email.
    let edwin = fixtures::person(&s, &officer, "Edwin", "Sharedhall").await;
    s.created(&officer, &points(edwin), json!({"kind": "email", "value": "edwin@example.test", "preferred": true})).await;
    s.created(
        &officer,
        &format!("/api/v1/people/{}/representatives", dora.person),
        json!({"person_id": edwin, "relationship": "relative",
        "scope": "everything", "evidence": "signed_authority_form", "evidence_reference": "AUTH-0042"}),
    )
    .await;
    let r = access_request(&s, &dpo, dora.person).await;
    let sent = send(&s, &dpo, &format!("/api/v1/rights-requests/{}/letters", r["id"]), json!({"template": "rights_acknowledgement"})).await;
    assert_eq!(sent.len(), 2, "to Dora and a copy to Edwin: {sent:?}");
    assert_eq!((sent[0]["status"].clone(), sent[0]["channel"].clone()), (json!("failed"), Value::Null), "{sent:?}");
    assert!(sent[0]["failure"].as_str().unwrap().contains("share"), "{sent:?}");
    assert_eq!((sent[1]["recipient"].clone(), sent[1]["channel"].clone()), (json!("representative"), json!("email")), "{sent:?}");
    let copy = smtp.wait_for("edwin@example.test");
    assert!(copy.contains("Dear Edwin Sharedhall") && copy.contains("on behalf of Dora Sharedhall"), "{copy}");

    // Fenella prefers texts: the acknowledgement goes by the (log-only) text provider.
    let fen = fixtures::tenant(&s, &officer, NewTenant::new("Fenella", "Textmore", 910_005).phone("07700 900555")).await.person;
    let (st, _) = s.call(&officer, Method::PUT, &prefs(fen), Some(json!({"preferred_channel": "sms"}))).await;
    assert_eq!(st, StatusCode::OK);
    let r = access_request(&s, &dpo, fen).await;
    let sent = send(&s, &dpo, &format!("/api/v1/rights-requests/{}/letters", r["id"]), json!({"template": "rights_acknowledgement"})).await;
    assert_eq!((sent[0]["channel"].clone(), sent[0]["to_address"].clone()), (json!("sms"), json!("07700 900555")), "{sent:?}");
    let list = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{}/letters", r["id"]), None).await.1;
    assert_eq!(list[0]["status"], "sent", "{list}");
    assert!(timeline(&s, &dpo, fen).await.contains("sms_out"));
    // A refusal has no text form: it goes by letter to her home.
    let refuse = json!({"change": "refuse", "version": r["version"], "ground": "manifestly_unfounded", "reason": "It was made to cause disruption."});
    assert_eq!(s.call(&dpo, Method::POST, &format!("/api/v1/rights-requests/{}/changes", r["id"]), Some(refuse)).await.0, StatusCode::OK);
    let sent = send(&s, &dpo, &format!("/api/v1/rights-requests/{}/letters", r["id"]), json!({"template": "refusal"})).await;
    assert_eq!(sent[0]["channel"], "letter", "{sent:?}");

    // Gus reads easy read, by email.
    let gus = fixtures::tenant(&s, &officer, NewTenant::new("Gus", "Plainword", 910_006)).await.person;
    s.created(&officer, &points(gus), json!({"kind": "email", "value": "gus@example.test", "preferred": true})).await;
    wants_format(&s, &officer, gus, "easy_read").await;
    let r = access_request(&s, &dpo, gus).await;
    let sent = send(&s, &dpo, &format!("/api/v1/rights-requests/{}/letters", r["id"]), json!({"template": "rights_acknowledgement"})).await;
    assert_eq!(sent[0]["format"], "easy_read", "{sent:?}");
    let mail = smtp.wait_for("gus@example.test");
    assert!(mail.contains("We got your request on 1 December 2026."), "{mail}");

    // Edwin's copy bounces later: the DPO records it, and it joins the failures.
    let edwin_copy = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests?all=true&person_id={}", dora.person), None).await.1
        ["items"][0]["request"]["id"]
        .clone();
    let list = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{edwin_copy}/letters"), None).await.1;
    let copy_id = list[1]["id"].clone();
    let bounce = format!("/api/v1/communications/{copy_id}/bounce");
    let (st, v) = s.call(&dpo, Method::POST, &bounce, Some(json!({}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (st, v) = s.call(&dpo, Method::POST, &bounce, Some(json!({"reason": "550 mailbox unavailable"}))).await;
    assert_eq!((st, v["status"].clone()), (StatusCode::OK, json!("failed")), "{v}");
    let (st, _) = s.call(&officer, Method::POST, &bounce, Some(json!({"reason": "550"}))).await;
    assert!(matches!(st, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{st}");
    // Dora's failure waits on the DPO's home page, without her details.
    let c = browser();
    sign_in(&s, &c, "dpo").await;
    let (_, home) = get(&s, &c, "/").await;
    assert!(home.contains("Could not be sent") && home.contains("Acknowledgement of a rights request"), "{home}");
    assert!(!home.contains("Dora") && !home.contains("6 Party Wall"), "{home}");
    assert!(home.contains("Came back undelivered: 550 mailbox unavailable") && !home.contains("edwin@example.test"), "{home}");
    // The letters page lists what was sent and sends a letter from a form.
    let rid = r["id"].as_i64().unwrap();
    let (st, page) = get(&s, &c, &format!("/rights/{rid}/letters")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("gus@example.test") && page.contains("Easy read") && page.contains("Sent"), "{page}");
    let form = [("_csrf", field(&page, "_csrf")), ("template", "extension_notice".into())];
    let r = c.post(s.url(&format!("/rights/{rid}/letters"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no extension recorded yet");
    let body = r.text().await.unwrap();
    assert!(body.contains("Record the extension first"), "{body}");
    let form = [("_csrf", field(&page, "_csrf")), ("template", "clarification".into())];
    let r = c.post(s.url(&format!("/rights/{rid}/letters"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, &format!("/rights/{rid}/letters?done=letter")).await;
    assert!(page.contains("Letter sent") && page.contains("Request for clarification"), "{page}");
    assert!(
        smtp.messages().iter().any(|m| m.contains("Subject: A question about your request (SAR-")),
        "the clarification was emailed in easy read"
    );
}

async fn people_affected_by_a_breach_are_told_and_the_register_says_so(backend: Backend) {
    let smtp = SmtpSink::start();
    let s = server(backend, &smtp).await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let hal = fixtures::tenant(&s, &officer, NewTenant::new("Hal", "Breachley", 910_007)).await.person;
    s.created(
        &officer,
        &format!("/api/v1/people/{hal}/contact-points"),
        json!({"kind": "email", "value": "hal@example.test", "preferred": true}),
    )
    .await;
    let b = s
        .created(
            &dpo,
            "/api/v1/breaches",
            json!({"title": "Letter to the wrong home", "description": "Arrears letter posted to a neighbour",
            "discovered_at": "2026-12-01T10:00:00Z"}),
        )
        .await;
    let bid = b["breach"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/breaches/{bid}/notices");
    let notice = json!({"person_id": hal, "what_happened": "A letter about your rent account was posted to a neighbour on 30 November 2026.",
        "likely_consequences": "Your neighbour may have read your name and rent balance.", "measures": "We have asked for the letter back."});
    // Only someone recorded as affected is told.
    let (st, v) = s.call(&dpo, Method::POST, &path, Some(notice.clone())).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("person_id"), "{v}");
    let (st, v) = s.call(&dpo, Method::POST, &path, Some(json!({"person_id": hal}))).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("likely_consequences") && v.to_string().contains("measures"), "{v}");
    let add = json!({"change": "add_person", "version": b["breach"]["version"], "person_id": hal});
    assert_eq!(s.call(&dpo, Method::POST, &format!("/api/v1/breaches/{bid}/changes"), Some(add)).await.0, StatusCode::OK);
    let sent = send(&s, &dpo, &path, notice).await;
    assert_eq!(sent[0]["channel"], "email", "{sent:?}");
    let mail = smtp.wait_for("hal@example.test");
    assert!(mail.contains("Dear Hal Breachley") && mail.contains("posted to a neighbour on 30 November 2026"), "{mail}");
    assert!(mail.contains("Information Commissioner's Office"), "{mail}");
    let (_, view) = s.call(&dpo, Method::GET, &format!("/api/v1/breaches/{bid}"), None).await;
    assert!(view.to_string().contains("\"notified_how\":\"Email\""), "the register says he was told: {view}");
    // The web form: the person is chosen from those affected, and a missing answer is named.
    let c = browser();
    sign_in(&s, &c, "dpo").await;
    let (st, page) = get(&s, &c, &format!("/breaches/{bid}/notices")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Hal Breachley") && page.contains("What it may mean for them"), "{page}");
    let form = [("_csrf", field(&page, "_csrf")), ("person_id", hal.to_string()), ("what_happened", "A letter went astray.".into())];
    let r = c.post(s.url(&format!("/breaches/{bid}/notices"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("Enter what it may mean for them") && body.contains("A letter went astray."), "{body}");
    // Nobody but the DPO sends one.
    let (st, _) = s
        .call(
            &officer,
            Method::POST,
            &path,
            Some(json!({"person_id": hal, "what_happened": "x", "likely_consequences": "y", "measures": "z"})),
        )
        .await;
    assert!(matches!(st, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{st}");
}
