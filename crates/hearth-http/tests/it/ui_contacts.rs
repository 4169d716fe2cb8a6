//! The contact log in the web UI without a browser: a contact-centre advisor
//! logs an inbound call through the form and sees it in the person page's
//! Contact history; an attempted call without the voicemail answer is
//! refused naming that field; a post without the CSRF token is refused; on
//! SQLite and PostgreSQL.

use hearth_domain::staff::StaffRole;
use hearth_testkit::{browser, get, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(an_advisor_logs_a_call_and_sees_it_in_the_history, the_contact_form_names_its_errors_and_needs_the_token);

async fn person(s: &TestServer) -> i64 {
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": "Carys", "family_name": "Ringwell"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn an_advisor_logs_a_call_and_sees_it_in_the_history(s: TestServer) {
    let id = person(&s).await;
    let c = browser();
    let csrf = sign_in(&s, &c, "contact_centre_advisor").await;
    // An advisor sees the contact history only after checking the caller.
    hearth_testkit::check_caller_ui(&s, &c, &csrf, id).await;

    let (status, page) = get(&s, &c, &format!("/people/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Contact history") && page.contains(&format!("href=\"/people/{id}/contacts/new\"")), "{page}");

    let (status, form) = get(&s, &c, &format!("/people/{id}/contacts/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("<option value=\"call_in\" selected>Inbound call</option>"), "inbound call is the default:\n{form}");
    assert!(form.contains("<option value=\"general\" selected>General</option>"), "general is the default");

    let r = c
        .post(s.url(&format!("/people/{id}/contacts")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("channel", "call_in"),
            ("summary", "Asked when the boiler will be fixed"),
            ("compartment", "general"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("/people/{id}?done=contact-logged"));

    let (status, page) = get(&s, &c, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Contact logged"), "no banner");
    let history = &page[page.find("Contact history").unwrap()..];
    assert!(history.contains("Inbound call") && history.contains("Asked when the boiler will be fixed"), "{history}");
}

async fn the_contact_form_names_its_errors_and_needs_the_token(s: TestServer) {
    let id = person(&s).await;
    let c = browser();
    let csrf = sign_in(&s, &c, "contact_centre_advisor").await;
    // An advisor sees the contact history only after checking the caller.
    hearth_testkit::check_caller_ui(&s, &c, &csrf, id).await;
    let action = s.url(&format!("/people/{id}/contacts"));

    let r = c
        .post(&action)
        .form(&[("_csrf", csrf.as_str()), ("channel", "call_attempt"), ("summary", "Rang about the rent"), ("compartment", "general")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#voicemail_left\"") && page.contains("id=\"voicemail_left-error\""), "voicemail is named:\n{page}");
    assert!(page.contains("Say whether a voicemail was left"));
    assert!(page.contains("Rang about the rent"), "what was typed is kept");

    let r = c.post(&action).form(&[("channel", "call_in"), ("summary", "No token")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a post without the token is refused");
    let r = c.post(&action).form(&[("_csrf", "forged"), ("channel", "call_in"), ("summary", "Forged")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let (_, page) = get(&s, &c, &format!("/people/{id}")).await;
    assert!(page.contains("No contacts you can see are recorded") && !page.contains("No token"), "nothing was logged");
}
