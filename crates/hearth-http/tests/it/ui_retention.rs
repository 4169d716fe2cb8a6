//! The DPO's retention page without a browser, on SQLite and PostgreSQL:
//! upcoming disposals by month, placing and releasing a legal hold with
//! GOV.UK errors, last runs, certificates and their CSV download; roles
//! without oversight are refused.

use hearth_domain::staff::StaffRole;
use hearth_gate::retention::{RetentionMode, RETENTION_PURPOSE};
use hearth_testkit::{browser, get, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(the_dpo_sees_upcoming_disposals_places_holds_and_downloads_certificates);

async fn the_dpo_sees_upcoming_disposals_places_holds_and_downloads_certificates(s: TestServer) {
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let (_, p) = s.call(&advisor, Method::POST, "/api/v1/people", Some(json!({"given_name": "Una", "family_name": "Upcoming"}))).await;
    let who = p["id"].as_i64().unwrap();
    let (st, logged) = s
        .call(&advisor, Method::POST, "/api/v1/contacts", Some(json!({"channel": "chatbot", "person_ids": [who], "summary": "Bot chat"})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{logged}");

    let c = browser();
    let csrf = sign_in(&s, &c, "dpo").await;
    let (status, page) = get(&s, &c, "/retention").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("href=\"/retention\""), "navigation offers the page");
    for heading in ["Upcoming disposals", "Legal holds", "Last runs", "Disposal certificates", "The schedule"] {
        assert!(page.contains(heading), "{heading}");
    }
    // The chatbot entry falls due two years on, in that month.
    let recorded: jiff::Timestamp = logged["entries"][0]["recorded_at"].as_str().unwrap().parse().unwrap();
    let due = recorded.to_zoned_datetime(jiff::tz::TimeZone::UTC).date().checked_add(jiff::Span::new().years(2)).unwrap();
    assert!(!page.contains(&due.strftime("%Y-%m").to_string()), "beyond the 12 months shown");
    assert!(page.contains("Nothing falls due in the next 12 months"), "{page}");
    assert!(page.contains("Not yet: no disposal for this class in this version"));

    // A hold without a reason or person is refused with GOV.UK errors; then placed.
    let r = c
        .post(s.url("/retention/holds"))
        .form(&[("_csrf", csrf.as_str()), ("scope", "person"), ("person_id", "x"), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("govuk-error-summary") && page.contains("href=\"#person_id\"") && page.contains("id=\"person_id-error\""),
        "{page}"
    );
    let r = c
        .post(s.url("/retention/holds"))
        .form(&[("_csrf", csrf.as_str()), ("scope", "person"), ("person_id", "999999"), ("reason", "Disrepair claim pending")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Find and choose the person the hold is on"));
    let who_text = who.to_string();
    let r = c
        .post(s.url("/retention/holds"))
        .form(&[("_csrf", csrf.as_str()), ("scope", "person"), ("person_id", who_text.as_str()), ("reason", "Disrepair claim pending")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, r.headers()["location"].to_str().unwrap()).await;
    assert!(
        page.contains("Legal hold placed") && page.contains("Disrepair claim pending") && page.contains(&format!("href=\"/people/{who}\""))
    );

    // A run as of the due day holds the entry back; the page shows the run and its certificate.
    let dpo = s.gate.actor_for("dpo", RETENTION_PURPOSE).await.unwrap();
    let report = s.gate.retention(&dpo, due, RetentionMode::Run { started_by: "command" }, 100, &|_, _| {}).await.unwrap();
    assert_eq!((report.disposed(), report.held()), (0, 1));
    let (_, page) = get(&s, &c, "/retention").await;
    assert!(page.contains(&due.to_string()) && page.contains("Chatbot and virtual agent interactions"), "{page}");
    let marker = "action=\"/retention/holds/";
    let start = page.find(marker).expect("a release button") + marker.len();
    let hold: i64 = page[start..].split('/').next().unwrap().parse().unwrap();
    let r = c.post(s.url(&format!("/retention/holds/{hold}/release"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, "/retention?done=released").await;
    assert!(page.contains("Legal hold released") && page.contains("No legal holds are in force"));

    let r = c.get(s.url("/retention/certificates.csv")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("certificate,run,record_class"));
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains(",contact_log_chatbot,Delete 2 years after it was created,delete,") && lines[1].contains(",0,1,"), "{csv}");
    assert!(!csv.contains("Upcoming") && !csv.contains("Bot chat"), "no personal data");

    // Roles without oversight are refused the page, and may not place holds.
    let officer = browser();
    let officer_csrf = sign_in(&s, &officer, "housing_officer").await;
    assert_eq!(get(&s, &officer, "/retention").await.0, StatusCode::FORBIDDEN);
    let r = officer
        .post(s.url("/retention/holds"))
        .form(&[("_csrf", officer_csrf.as_str()), ("scope", "person"), ("person_id", who_text.as_str()), ("reason", "Trying to hold this")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(get(&s, &officer, "/retention/certificates.csv").await.0, StatusCode::FORBIDDEN);
    // A manager reads the page but is offered no hold form.
    let manager = browser();
    sign_in(&s, &manager, "manager").await;
    let (status, page) = get(&s, &manager, "/retention").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("Place a legal hold"));
}
