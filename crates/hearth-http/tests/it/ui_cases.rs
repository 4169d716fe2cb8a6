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
    pickers_find_records_without_javascript_and_as_you_type,
    each_kind_of_case_asks_only_what_it_needs,
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

    // The first step asks the kind; the form for it has the person chosen, by name.
    let (status, step) = get(&s, &c, &format!("/cases/new?person_id={reporter}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(step.contains("What kind of case is it?") && step.contains(&format!("name=\"person_id\" value=\"{reporter}\"")), "{step}");
    let (status, form) = get(&s, &c, &format!("/cases/new?kind=asb&person_id={reporter}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(&format!("type=\"hidden\" name=\"party0_person_id\" value=\"{reporter}\"")), "the first party is chosen");
    assert!(form.contains("Rhian Whistleford"), "and shown by name");
    assert!(form.contains("Keep the reporter anonymous") && !form.contains("Trade"), "an ASB case asks about anonymity, not trades");

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

/// The open-a-case form chooses people and the property with pickers: "Find"
/// posts the form back with matches as radios (nothing written, what was
/// typed kept), the chosen record is shown by name; typed but not chosen is
/// an error on the picker; `/pick/...` offers the same matches as JSON.
async fn pickers_find_records_without_javascript_and_as_you_type(s: TestServer) {
    let neighbour = person(&s, "Noelle", "Quietbrook").await;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let (st, home) = s
        .call(
            &officer,
            Method::POST,
            "/api/v1/properties",
            Some(json!({"uprn": 100023336956_i64, "line1": "7 Fictional Lane", "town": "Madeupton", "postcode": "ZZ9 9ZZ"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{home}");
    let property = home["id"].as_i64().unwrap();
    let c = browser();
    let csrf = sign_in(&s, &c, "housing_officer").await;

    let find = [
        ("_csrf", csrf.as_str()),
        ("kind", "repair"),
        ("summary", "Leaking gutter"),
        ("_pick", "party0_person_id"),
        ("party0_person_id_q", "Quietbrook"),
        ("property_id_q", "zz9 9zz"),
    ];
    let r = c.post(s.url("/cases")).form(&find).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "a search is not a submission");
    let page = r.text().await.unwrap();
    assert!(page.contains(&format!("name=\"party0_person_id\" type=\"radio\" value=\"{neighbour}\"")), "{page}");
    assert!(page.contains("Noelle Quietbrook") && page.contains("Leaking gutter"), "matches by name; what was typed is kept");
    assert!(page.contains(&format!("name=\"property_id\" type=\"radio\" value=\"{property}\"")) && page.contains("7 Fictional Lane"));
    assert!(!page.contains("Person ID") && !page.contains("Property ID"));
    let (_, list) = get(&s, &c, "/cases").await;
    assert!(!list.contains("Leaking gutter"), "nothing was opened");

    // Sent with a search typed and nothing chosen: the picker says so.
    let unchosen = [
        ("_csrf", csrf.as_str()),
        ("kind", "repair"),
        ("summary", "Leaking gutter"),
        ("trade", "plumbing"),
        ("property_id_q", "Nowhere Road"),
    ];
    let r = c.post(s.url("/cases")).form(&unchosen).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#property_id\"") && page.contains("Nothing matched: search again"), "{page}");

    // Chosen: the case opens on the chosen property and person.
    let (p, n) = (property.to_string(), neighbour.to_string());
    let chosen = [
        ("_csrf", csrf.as_str()),
        ("kind", "repair"),
        ("summary", "Leaking gutter"),
        ("trade", "plumbing"),
        ("property_id", p.as_str()),
        ("party0_person_id", n.as_str()),
        ("party0_role", "complainant"),
    ];
    let r = c.post(s.url("/cases")).form(&chosen).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());

    // As you type: the same matches, through the gate, for the session.
    let (st, body) = get(&s, &c, "/pick/people?q=Quietbr").await;
    assert_eq!(st, StatusCode::OK);
    let found: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(found[0]["id"].as_i64(), Some(neighbour), "{found}");
    assert_eq!(found[0]["label"], "Noelle Quietbrook");
    let (_, body) = get(&s, &c, "/pick/properties?q=7%20fictional").await;
    assert!(body.contains("7 Fictional Lane"), "{body}");
    let (_, body) = get(&s, &c, "/pick/cases?q=REP-").await;
    assert_eq!(body, "[]", "a reference without its number finds nothing");
    let anonymous = reqwest::Client::new();
    let r = anonymous.get(s.url("/pick/people?q=Quietbr")).send().await.unwrap();
    assert!(r.status() != StatusCode::OK || r.url().path() == "/login", "signed-out callers are sent to sign in");
    assert!(!r.text().await.unwrap().contains("Quietbrook"));
}

/// The open-a-case form for each kind asks only that kind's questions.
async fn each_kind_of_case_asks_only_what_it_needs(s: TestServer) {
    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (_, repair) = get(&s, &c, "/cases/new?kind=repair").await;
    assert!(repair.contains("Open a repair") && repair.contains("name=\"trade\"") && repair.contains("property_id_q"));
    assert!(!repair.contains("received_on_day") && !repair.contains("Keep the reporter anonymous"));
    let (_, complaint) = get(&s, &c, "/cases/new?kind=complaint").await;
    assert!(complaint.contains("Open a complaint") && complaint.contains("received_on_day"));
    assert!(!complaint.contains("name=\"trade\"") && !complaint.contains("property_id_q") && !complaint.contains("due_date_day"));
    let (st, bad) = get(&s, &c, "/cases/new?kind=sorcery").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("Choose what kind of case this is") && bad.contains("href=\"#kind\""));
}
