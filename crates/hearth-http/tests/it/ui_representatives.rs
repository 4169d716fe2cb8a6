//! Caller checks and representatives in the web UI, on SQLite and
//! PostgreSQL: an advisor's person page offers the caller-check form instead
//! of the account, the contact history page refuses with the form (403),
//! answers that are not enough come back with a GOV.UK error, right answers
//! open the page, a memorable word is set from the page, and a
//! representative is added and ended from the page.

use hearth_domain::staff::StaffRole;
use hearth_testkit::{browser, get, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    an_advisor_checks_the_caller_from_the_person_page,
    staff_add_and_end_a_representative_from_the_person_page,
    staff_set_a_memorable_word_from_the_person_page
);

async fn person(s: &TestServer) -> i64 {
    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": "Iris", "family_name": "Fakecaller"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn an_advisor_checks_the_caller_from_the_person_page(s: TestServer) {
    let id = person(&s).await;
    let c = browser();
    let csrf = sign_in(&s, &c, "contact_centre_advisor").await;
    let (st, page) = get(&s, &c, &format!("/people/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Check the caller first") && page.contains("Check the answers"), "the form is offered");
    assert!(!page.contains("type=\"checkbox\""), "the advisor types answers, never ticks them");
    let (_, consent) = get(&s, &c, &format!("/people/{id}?section=consent")).await;
    assert!(!consent.contains("Add a representative"), "no authority is given on an unchecked caller's word");
    let (st, page) = get(&s, &c, &format!("/people/{id}/contacts")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(page.contains("Check the answers"), "a refused read offers the form");

    // Facts on screen are not enough: a GOV.UK error, and the page stays shut.
    let url = s.url(&format!("/people/{id}/caller-check"));
    let r = c.post(&url).form(&[("_csrf", csrf.as_str()), ("full_name", "Iris Fakecaller"), ("area", "account")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("govuk-error-summary") && body.contains("Enter at least 2") && body.contains("#answers"), "{body}");
    let name = hearth_testkit::give_memorable_word(&s, id).await;
    let r = c
        .post(&url)
        .form(&[("_csrf", csrf.as_str()), ("full_name", &name), ("memorable_word", "not the word"), ("area", "account")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("do not match what we hold") && !body.contains("not the word"), "the word is not shown again: {body}");

    let r = c
        .post(&url)
        .form(&[("_csrf", csrf.as_str()), ("full_name", &name), ("memorable_word", hearth_testkit::MEMORABLE_WORD), ("area", "account")])
        .send()
        .await
        .unwrap();
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, format!("/people/{id}").as_str()));
    let (_, page) = get(&s, &c, &format!("/people/{id}")).await;
    assert!(page.contains("Caller checked at") && !page.contains("Check the answers"), "the check opens the page");
    let (_, consent) = get(&s, &c, &format!("/people/{id}?section=consent")).await;
    assert!(consent.contains("Add a representative"));
    let (_, details) = get(&s, &c, &format!("/people/{id}?section=details")).await;
    assert!(details.contains("Tenancy") && !details.contains("Your role does not give access to tenancy details"), "tenancy shown");
    let (st, _) = get(&s, &c, &format!("/people/{id}/contacts")).await;
    assert_eq!(st, StatusCode::OK);

    // Other roles never see the form.
    let o = browser();
    sign_in(&s, &o, "housing_officer").await;
    let (_, page) = get(&s, &o, &format!("/people/{id}")).await;
    assert!(!page.contains("Check the answers"));
}

async fn staff_add_and_end_a_representative_from_the_person_page(s: TestServer) {
    let id = person(&s).await;
    let c = browser();
    let csrf = sign_in(&s, &c, "housing_officer").await;
    let (st, page) = get(&s, &c, &format!("/people/{id}/representatives/new")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Add a representative"));
    let url = s.url(&format!("/people/{id}/representatives"));
    let r = c.post(&url).form(&[("_csrf", csrf.as_str()), ("name", "Jo Notreal"), ("scope", "everything")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("govuk-error-summary") && body.contains("Enter a phone number for the representative"), "{body}");
    let r = c
        .post(&url)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Jo Notreal"),
            ("phone", "01632 960 333"),
            ("relationship", "advocate"),
            ("scope", "act_on_repairs"),
            ("evidence", "verbal_consent_recorded_call"),
            ("evidence_reference", "CALL-2026-0001"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, &format!("/people/{id}?section=consent")).await;
    assert!(page.contains("Jo Notreal") && page.contains("Act on repairs") && page.contains("End this authority"), "listed");
    let t = s.token(StaffRole::HousingOfficer).await;
    let (_, reps) = s.call(&t, Method::GET, &format!("/api/v1/people/{id}/representatives"), None).await;
    let rep = reps[0]["id"].as_i64().unwrap();
    let end = s.url(&format!("/representatives/{rep}/end"));
    let r = c.post(&end).form(&[("_csrf", csrf.as_str()), ("reason", "")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = c.post(&end).form(&[("_csrf", csrf.as_str()), ("reason", "Customer withdrew consent")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, &format!("/people/{id}?section=consent")).await;
    assert!(page.contains("Customer withdrew consent") && !page.contains("End this authority"), "ended");
}

async fn staff_set_a_memorable_word_from_the_person_page(s: TestServer) {
    let id = person(&s).await;
    let c = browser();
    let csrf = sign_in(&s, &c, "housing_officer").await;
    let (_, page) = get(&s, &c, &format!("/people/{id}?section=consent")).await;
    assert!(page.contains("Memorable word") && page.contains("Not set") && page.contains("Set a memorable word"), "{page}");
    let (st, form) = get(&s, &c, &format!("/people/{id}/memorable-word")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(form.contains("Save the memorable word"));
    let url = s.url(&format!("/people/{id}/memorable-word"));
    let r = c.post(&url).form(&[("_csrf", csrf.as_str()), ("memorable_word", "ab")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("govuk-error-summary") && body.contains("#memorable_word"), "{body}");
    let r = c.post(&url).form(&[("_csrf", csrf.as_str()), ("memorable_word", "Orchard Lamp")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, r.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("Memorable word saved") && page.contains("Change the memorable word"), "{page}");
    assert!(!page.to_lowercase().contains("orchard"), "the word is never shown");
    // An advisor before the check sees no memorable-word section and may not open the form.
    let a = browser();
    sign_in(&s, &a, "contact_centre_advisor").await;
    let (_, page) = get(&s, &a, &format!("/people/{id}?section=consent")).await;
    assert!(!page.contains("Change the memorable word"));
    let (st, _) = get(&s, &a, &format!("/people/{id}/memorable-word")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}
