//! The DPO's rights-request and breach pages without a browser, on SQLite
//! and PostgreSQL: the DPO logs a request through the form (a bad form names
//! its fields), confirms identity, sees it on the work list with its
//! deadline, refuses one with the ICO letter shown; records a breach and
//! sees its 72-hour clock; other roles are refused the pages and are not
//! offered them in the navigation; posts without the CSRF token are refused.

use hearth_domain::staff::StaffRole;
use hearth_store::Table;
use hearth_testkit::{browser, get, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    the_dpo_logs_and_works_a_request_in_the_browser,
    the_dpo_records_a_breach_and_others_are_refused,
    any_member_of_staff_reports_a_breach_from_the_menu,
);

async fn person(s: &TestServer, given: &str, family: &str) -> i64 {
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": given, "family_name": family}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

fn id_from(location: &str, prefix: &str) -> i64 {
    location.trim_start_matches(prefix).split('?').next().unwrap().parse().unwrap()
}

async fn the_dpo_logs_and_works_a_request_in_the_browser(s: TestServer) {
    let p = person(&s, "Ivy", "Formfiller").await;
    let c = browser();
    let csrf = sign_in(&s, &c, "dpo").await;
    let (st, search) = get(&s, &c, "/search").await;
    assert_eq!(st, StatusCode::OK);
    assert!(search.contains("href=\"/rights\"") && search.contains("href=\"/breaches\""), "the DPO is offered the registers");

    let (st, form) = get(&s, &c, &format!("/rights/new?person_id={p}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(form.contains(&format!("type=\"hidden\" name=\"person_id\" value=\"{p}\"")));

    // A bad form: no right chosen, a representative without a relationship, a date in the future.
    let pid = p.to_string();
    let r = c
        .post(s.url("/rights"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("person_id", pid.as_str()),
            ("requester", "representative"),
            ("representative_name", "Jo Helper"),
            ("description", "Copy of my file"),
            ("received_on_day", "1"),
            ("received_on_month", "1"),
            ("received_on_year", "2099"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    for anchor in ["href=\"#kind\"", "href=\"#representative_relationship\"", "href=\"#received_on-day\""] {
        assert!(page.contains(anchor), "the summary links to {anchor}: {page}");
    }
    assert!(page.contains("value=\"Jo Helper\""), "what was typed is kept");
    assert_eq!(s.count(Table::RightsRequest).await, 0);

    let r = c
        .post(s.url("/rights"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("kind", "access"),
            ("person_id", pid.as_str()),
            ("requester", "person"),
            ("description", "A copy of my tenancy file"),
            ("received_on_day", "8"),
            ("received_on_month", "9"),
            ("received_on_year", "2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id = id_from(&location, "/rights/");
    let (st, page) = get(&s, &c, &location).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Request logged") && page.contains("Ivy Formfiller") && page.contains("8 October 2026"), "{page}");

    // One action at a time: the page lists them; each form is on its own view.
    assert!(!page.contains("name=\"version\"") && page.contains(&format!("href=\"/rights/{id}?action=refuse\"")), "{page}");
    let (_, form) = get(&s, &c, &format!("/rights/{id}?action=identity")).await;
    assert!(form.contains("How was identity confirmed?") && !form.contains("Refuse the request"), "{form}");

    // Confirm identity with a bad then a good form.
    let version = hearth_testkit::field(&form, "version");
    let r = c
        .post(s.url(&format!("/rights/{id}/changes")))
        .form(&[("_csrf", csrf.as_str()), ("version", version.as_str()), ("change", "identity_passed"), ("method", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let back = r.text().await.unwrap();
    assert!(back.contains("href=\"#method\"") && back.contains(">Identity check</h1>"), "the error comes back on its own view: {back}");
    let r = c
        .post(s.url(&format!("/rights/{id}/changes")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("change", "identity_passed"),
            ("method", "Passport seen at the office"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/rights/{id}?done=identity").as_str());
    let (_, page) = get(&s, &c, &format!("/rights/{id}?done=identity")).await;
    assert!(page.contains("Identity check recorded") && page.contains("Passport seen at the office"));

    // It received on 8 September, so it is overdue on the work list today.
    let (st, list) = get(&s, &c, "/rights").await;
    assert_eq!(st, StatusCode::OK);
    assert!(list.contains("Overdue (1)") && list.contains(&format!("href=\"/rights/{id}\"")), "{list}");

    // Refuse it; the letter shows and names the ICO.
    let (_, form) = get(&s, &c, &format!("/rights/{id}?action=refuse")).await;
    let version = hearth_testkit::field(&form, "version");
    let r = c
        .post(s.url(&format!("/rights/{id}/changes")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("change", "refuse"),
            ("refuse_ground", "exemption"),
            ("refuse_reason", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("href=\"#exemption\""));
    let r = c
        .post(s.url(&format!("/rights/{id}/changes")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("change", "refuse"),
            ("refuse_ground", "manifestly_unfounded"),
            ("refuse_reason", "The requester said in writing they intend only to cause disruption"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, &format!("/rights/{id}")).await;
    assert!(page.contains("id=\"refusal-letter\"") && page.contains("Information Commissioner"), "{page}");
    let (_, list) = get(&s, &c, "/rights").await;
    assert!(list.contains("There are no open requests"), "a refused request leaves the work list");

    // A post without the session's token is refused.
    let r = c.post(s.url("/rights")).form(&[("kind", "access"), ("person_id", pid.as_str()), ("description", "x")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn the_dpo_records_a_breach_and_others_are_refused(s: TestServer) {
    let c = browser();
    let csrf = sign_in(&s, &c, "dpo").await;
    let (st, _) = get(&s, &c, "/breaches/new").await;
    assert_eq!(st, StatusCode::OK);
    let r = c
        .post(s.url("/breaches"))
        .form(&[("_csrf", csrf.as_str()), ("title", "Lost laptop"), ("description", ""), ("discovered_time", "25:00")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    for anchor in ["href=\"#description\"", "href=\"#discovered_at-day\""] {
        assert!(page.contains(anchor), "{anchor}: {page}");
    }
    assert_eq!(s.count(Table::Breach).await, 0);

    let today = hearth_gate::Gate::today();
    let (d, m, y) = (today.day().to_string(), today.month().to_string(), today.year().to_string());
    let r = c
        .post(s.url("/breaches"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title", "Lost laptop"),
            ("description", "An unencrypted laptop with a tenancy spreadsheet was left on a train"),
            ("discovered_at_day", d.as_str()),
            ("discovered_at_month", m.as_str()),
            ("discovered_at_year", y.as_str()),
            ("discovered_time", "00:00"),
            ("record_classes_tenancy", "yes"),
            ("record_classes_contact", "yes"),
            ("people_affected_estimate", "40"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (st, page) = get(&s, &c, &location).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("Breach recorded") && page.contains("Decide within") && page.contains("Contact details, Tenancy and household"),
        "{page}"
    );
    let (_, register) = get(&s, &c, "/breaches").await;
    assert!(register.contains("Lost laptop") && register.contains("Decide within"));

    let version = hearth_testkit::field(&page, "version");
    let id = id_from(&location, "/breaches/");
    let r = c
        .post(s.url(&format!("/breaches/{id}/changes")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("change", "decide"),
            ("decision", "not_report"),
            ("reason", "Probably fine"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Assess the risk before deciding"));

    for username in ["housing_officer", "manager", "system_administrator"] {
        let other = browser();
        sign_in(&s, &other, username).await;
        let (_, search) = get(&s, &other, "/search").await;
        assert!(!search.contains("href=\"/rights\""), "{username} is not offered the registers");
        for path in ["/rights", "/breaches", &format!("/breaches/{id}")] {
            let (st, page) = get(&s, &other, path).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{username} {path}");
            assert!(!page.contains("Lost laptop"));
        }
    }
}

async fn any_member_of_staff_reports_a_breach_from_the_menu(s: TestServer) {
    let c = browser();
    let csrf = sign_in(&s, &c, "housing_officer").await;
    let (_, search) = get(&s, &c, "/search").await;
    assert!(search.contains("href=\"/report-a-breach\""), "every member of staff is offered it");
    let (st, form) = get(&s, &c, "/report-a-breach").await;
    assert_eq!(st, StatusCode::OK);
    assert!(form.contains("Report a data breach"));
    let r = c.post(s.url("/report-a-breach")).form(&[("_csrf", csrf.as_str()), ("title", "")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#title\""), "the error summary links to the field");
    let today = hearth_gate::Gate::today();
    let (d, m, y) = (today.day().to_string(), today.month().to_string(), today.year().to_string());
    let r = c
        .post(s.url("/report-a-breach"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title", "Email to the wrong tenant"),
            ("description", "An email about arrears went to a tenant with the same surname"),
            ("discovered_at_day", d.as_str()),
            ("discovered_at_month", m.as_str()),
            ("discovered_at_year", y.as_str()),
            ("discovered_time", "00:01"),
            ("record_classes_financial", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Breach reported") && html.contains("BR-0000"), "a receipt with the reference");
    assert_eq!(s.count(Table::Breach).await, 1, "it is in the register");
    let (st, _) = get(&s, &c, "/breaches").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the register stays the DPO's");
}
