//! Cases in the web UI without a browser: an ASB officer opens a case through
//! the form (with an anonymous reporter), sees it in their list, logs a
//! contact and closes it; bad forms name their fields, CSRF-less posts are
//! refused, and an unrelated housing officer is refused the case page; on
//! SQLite and PostgreSQL.

use hearth_domain::staff::StaffRole;
use hearth_testkit::{browser, field, get, sign_in, TestServer, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    an_officer_opens_works_and_closes_a_case_in_the_browser,
    case_forms_name_their_errors_and_need_the_token,
    a_late_acknowledgement_is_not_shown_as_a_late_response,
);

async fn person(s: &TestServer, given: &str, family: &str) -> i64 {
    let t = s.token(StaffRole::AsbOfficer).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": given, "family_name": family}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn an_officer_opens_works_and_closes_a_case_in_the_browser(s: TestServer) {
    let reporter = person(&s, "Rhian", "Whistleford").await;
    let neighbour = person(&s, "Noel", "Loudhouse").await;
    let c = browser();
    let csrf = sign_in(&s, &c, "asb_officer").await;

    let (status, form) = get(&s, &c, &format!("/cases/new?person_id={reporter}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(&format!("name=\"party0_person_id\" type=\"text\" value=\"{reporter}\"")), "the first party is filled in");

    let (r, n) = (reporter.to_string(), neighbour.to_string());
    let r = c
        .post(s.url("/cases"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "asb"),
            ("summary", "Loud music every night"),
            ("priority", "routine"),
            ("assigned_to", "asb_officer"),
            ("party0_person_id", r.as_str()),
            ("party0_role", "reporter"),
            ("party0_anonymous", "yes"),
            ("party1_person_id", n.as_str()),
            ("party1_role", "alleged_perpetrator"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location.trim_start_matches("/cases/").split('?').next().unwrap().parse().unwrap();

    let (status, list) = get(&s, &c, "/cases").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Open cases assigned to you") && list.contains(&format!("href=\"/cases/{id}\"")), "{list}");

    let (status, page) = get(&s, &c, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Case opened") && page.contains("Anonymous reporter") && page.contains("Noel Loudhouse"));
    assert!(!page.contains("Whistleford"), "the anonymous reporter is never named");
    // One action at a time: the page lists them; each form is on its own view.
    assert!(!page.contains("name=\"version\""), "the case page stacks no forms");
    for a in ["assign", "contact", "status", "close", "reveal"] {
        assert!(page.contains(&format!("href=\"/cases/{id}?action={a}\"")), "{a} is offered: {page}");
    }
    let (status, form) = get(&s, &c, &format!("/cases/{id}?action=contact")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("<h1 class=\"govuk-heading-l\" id=\"changes\" tabindex=\"-1\">Log a contact</h1>"), "{form}");
    assert_eq!(form.matches("<form method=\"post\" action=\"/cases/").count(), 1, "one form on the view");
    let version = field(&form, "version");
    // A change refused comes back on its own view with the error.
    let r = c
        .post(s.url(&format!("/cases/{id}/changes")))
        .form(&[("_csrf", csrf.as_str()), ("version", version.as_str()), ("change", "close"), ("outcome", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let back = r.text().await.unwrap();
    assert!(back.contains("href=\"#outcome\"") && back.contains(">Close the case</h1>"), "{back}");
    assert!(!back.contains("name=\"assign_username\""), "only the form that was sent");

    let action = format!("/cases/{id}/changes");
    let contact =
        [("_csrf", csrf.as_str()), ("version", version.as_str()), ("change", "note"), ("kind", "contact"), ("text", "Visited the block")];
    let r = c.post(s.url(&action)).form(&contact).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = c.post(s.url(&action)).form(&contact).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "a stale version is refused");
    assert!(r.text().await.unwrap().contains("Someone else changed this case"));

    let (_, page) = get(&s, &c, &format!("/cases/{id}")).await;
    assert!(page.contains("Visited the block"));
    let (_, form) = get(&s, &c, &format!("/cases/{id}?action=close")).await;
    let version = field(&form, "version");
    let close = [("_csrf", csrf.as_str()), ("version", version.as_str()), ("change", "close"), ("outcome", "resolved")];
    let r = c.post(s.url(&action)).form(&close).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, r.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("Case closed") && page.contains("Resolved") && page.contains("Retention from"));
    assert!(!page.contains(&format!("action=\"{action}\"")) && !page.contains("?action=close"), "a closed case offers no changes");
    // Newest first, as the contact history is.
    let timeline = &page[page.find("id=\"timeline\"").unwrap()..];
    assert!(timeline.find("Visited the block").unwrap() < timeline.find(">Opened<").unwrap(), "{timeline}");

    s.gate.add_user("other.officer", "Other Officer", StaffRole::HousingOfficer, &[], PASSWORD).await.unwrap();
    let other = browser();
    sign_in(&s, &other, "other.officer").await;
    let (status, page) = get(&s, &other, &format!("/cases/{id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!page.contains("Loudhouse") && !page.contains("Loud music"));
    let (_, list) = get(&s, &other, "/cases").await;
    assert!(!list.contains(&format!("href=\"/cases/{id}\"")), "not listed to the other officer");
}

async fn case_forms_name_their_errors_and_need_the_token(s: TestServer) {
    let witness = person(&s, "Wyn", "Seesall").await;
    let c = browser();
    let csrf = sign_in(&s, &c, "asb_officer").await;
    let w = witness.to_string();
    let bad = [
        ("_csrf", csrf.as_str()),
        ("kind", "asb"),
        ("summary", " "),
        ("assigned_to", "nobody.here"),
        ("party1_person_id", w.as_str()),
        ("party1_role", "witness"),
        ("party1_anonymous", "yes"),
    ];
    let r = c.post(s.url("/cases")).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    for id in ["summary", "assigned_to", "party1_anonymous"] {
        assert!(page.contains(&format!("href=\"#{id}\"")) && page.contains(&format!("id=\"{id}-error\"")), "{id} is named:\n{page}");
    }

    let r = c.post(s.url("/cases")).form(&[("_csrf", "forged"), ("kind", "asb"), ("summary", "Graffiti")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c.post(s.url("/cases")).form(&[("kind", "asb"), ("summary", "Graffiti")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a post without any token is refused");
    let (_, list) = get(&s, &c, "/cases").await;
    assert!(list.contains("No open cases are assigned to you") && !list.contains("href=\"/cases/1\""), "nothing was opened");
}

/// A complaint received 12 days ago is past its 5-working-day acknowledgement
/// but not its 10-working-day response: the pages say which deadline is late.
async fn a_late_acknowledgement_is_not_shown_as_a_late_response(s: TestServer) {
    let officer = s.token(StaffRole::HousingOfficer).await;
    let me = s.gate.user_id("housing_officer").await.unwrap();
    let complainant = person(&s, "Cora", "Grievanceby").await;
    let received = (hearth_gate::Gate::today() - jiff::Span::new().days(12)).to_string();
    let (st, opened) = s
        .call(
            &officer,
            Method::POST,
            "/api/v1/cases",
            Some(json!({"kind": "complaint", "summary": "Boiler still broken", "assigned_to": me, "received_on": received,
                "parties": [{"person_id": complainant, "role": "complainant"}]})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{opened}");
    assert_eq!((opened["acknowledgement_overdue"].as_bool(), opened["response_overdue"].as_bool()), (Some(true), Some(false)), "{opened}");
    let id = opened["case"]["id"].as_i64().unwrap();
    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (status, page) = get(&s, &c, &format!("/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let ack = page.split("Acknowledge by").nth(1).and_then(|r| r.split("Respond by").next()).unwrap_or_default();
    let respond = page.split("Respond by").nth(1).and_then(|r| r.split("</dd>").next()).unwrap_or_default();
    assert!(ack.contains("Overdue"), "the acknowledgement is late: {ack}");
    assert!(!respond.contains("Overdue"), "the response is not late yet: {respond}");
    let (_, list) = get(&s, &c, "/cases").await;
    let row = list.split("Boiler still broken").nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or_default();
    assert!(row.contains("Acknowledgement overdue") && !row.contains(">Overdue<"), "{row}");
}
