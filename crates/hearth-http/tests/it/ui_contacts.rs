//! The contact log in the web UI without a browser: a contact-centre advisor
//! logs an inbound call through the form and sees it in the person page's
//! Contact history; an attempted call without the voicemail answer, and an
//! inbound call with an appointment outcome, are refused naming the field;
//! each channel's own questions are revealed under its radio; a post
//! without the CSRF token is refused; on SQLite and PostgreSQL.

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

    let (status, page) = get(&s, &c, &format!("/people/{id}?section=contacts")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Contact history") && page.contains(&format!("href=\"/people/{id}/contacts/new\"")), "{page}");

    let (status, form) = get(&s, &c, &format!("/people/{id}/contacts/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"call_in\" checked"), "inbound call is the default:\n{form}");
    // Questions of one channel are revealed under its radio (all shown without JavaScript).
    assert!(form.contains("aria-controls=\"conditional-channel-call_attempt\""), "{form}");
    let attempt = &form[form.find("id=\"conditional-channel-call_attempt\"").expect("a panel for an attempted call")..];
    assert!(attempt[..attempt.find("</fieldset>").unwrap()].contains("name=\"voicemail_left\""), "the voicemail question is in it");
    assert!(form.contains("class=\"govuk-radios__conditional govuk-radios__conditional--hidden\" id=\"conditional-channel-appointment\""));
    assert!(form.contains("<option value=\"general\" selected>General</option>"), "general is the default");

    let r = c
        .post(s.url(&format!("/people/{id}/contacts")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("channel", "call_in"),
            ("reason", "A repair"),
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
    assert!(history.contains(">A repair</strong>"), "the reason for contact is shown with the entry: {history}");

    // A reason the form does not offer is refused on its field, and nothing is logged.
    let r = c
        .post(s.url(&format!("/people/{id}/contacts")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("channel", "call_in"),
            ("reason", "reason_code_7"),
            ("summary", "Second call"),
            ("compartment", "general"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#reason\"") && page.contains("Choose a reason for contact from the list"), "{page}");
    let (_, page) = get(&s, &c, &format!("/people/{id}?section=contacts")).await;
    assert!(!page.contains("Second call"), "nothing half-written");
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
    // Its panel is open on the page that comes back, so the error shows where it is.
    assert!(page.contains("class=\"govuk-radios__conditional\" id=\"conditional-channel-call_attempt\""), "{page}");

    // A contradiction (possible without JavaScript, where every question shows) is refused on its field.
    let r = c
        .post(&action)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("channel", "call_in"),
            ("summary", "Rang in about the visit"),
            ("appointment_outcome", "attended"),
            ("compartment", "general"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#appointment_outcome\"") && page.contains("id=\"appointment_outcome-error\""), "{page}");
    assert!(page.contains("Only an appointment has an outcome"), "{page}");

    let r = c.post(&action).form(&[("channel", "call_in"), ("summary", "No token")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a post without the token is refused");
    let r = c.post(&action).form(&[("_csrf", "forged"), ("channel", "call_in"), ("summary", "Forged")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let (_, page) = get(&s, &c, &format!("/people/{id}?section=contacts")).await;
    assert!(page.contains("No contacts you can see are recorded") && !page.contains("No token"), "nothing was logged");
}
