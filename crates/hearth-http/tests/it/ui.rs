//! The web UI over HTTP without a browser: sign-in, CSRF and origin checks,
//! sessions and security headers, on SQLite and PostgreSQL.

use hearth_testkit::{browser, field, TestServer, PASSWORD};
use reqwest::StatusCode;

both_backends!(
    signing_in_needs_the_form_token,
    forms_refuse_missing_tokens_and_other_origins,
    pages_need_a_session_and_carry_security_headers,
    a_page_writes_the_audit_events_of_its_reads_in_one_commit,
    the_search_box_refuses_text_it_cannot_search_for
);

async fn signing_in_needs_the_form_token(s: TestServer) {
    let c = browser();
    c.get(s.url("/login")).send().await.unwrap();
    let r = c
        .post(s.url("/login"))
        .form(&[("_csrf", "forged"), ("username", "contact_centre_advisor"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login", "a forged token signs nobody in");
    assert!(r.headers().get("set-cookie").is_none_or(|v| !v.to_str().unwrap().starts_with("hearth_session=")));
    let page = c.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = field(&page, "_csrf");
    let r = c
        .post(s.url("/login"))
        .form(&[("_csrf", csrf.as_str()), ("username", "contact_centre_advisor"), ("password", "wrong one!")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("govuk-error-summary") && body.contains("The username or password is not right"));
    hearth_testkit::sign_in(&s, &c, "contact_centre_advisor").await;
}

async fn forms_refuse_missing_tokens_and_other_origins(s: TestServer) {
    let c = browser();
    let csrf = hearth_testkit::sign_in(&s, &c, "contact_centre_advisor").await;
    let form = [("_csrf", "not-the-token"), ("kind", "adult"), ("given_name", "Nia"), ("family_name", "Forgery")];
    let r = c.post(s.url("/people")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let good = [("_csrf", csrf.as_str()), ("kind", "adult"), ("given_name", "Nia"), ("family_name", "Forgery")];
    let r = c.post(s.url("/people")).header("origin", "https://evil.example.com").form(&good).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.count(hearth_store::Table::Person).await, 0, "neither post stored anything");
    let r = c.post(s.url("/people")).header("origin", s.base.as_str()).form(&good).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(s.count(hearth_store::Table::Person).await, 1);
    let r = c.post(s.url("/logout")).form(&[("_csrf", "nope")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "sign-out needs the token too");
    let r = c.post(s.url("/logout")).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login");
    let r = c.get(s.url("/search")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login", "the session is gone after sign-out");
}

async fn the_search_box_refuses_text_it_cannot_search_for(s: TestServer) {
    let c = browser();
    hearth_testkit::sign_in(&s, &c, "contact_centre_advisor").await;
    let r = c.get(s.url("/search?q=Ada%00Fakeham")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("govuk-error-summary") && body.contains(r##"href="#q""##), "{body}");
    assert!(body.contains(r#"id="q-error""#) && body.contains("must not contain control characters"), "{body}");
    assert!(body.contains("<title>Error: Find a customer"), "{body}");
    let r = c.get(s.url("/search?q=Ada")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "an ordinary search still works");
}

async fn pages_need_a_session_and_carry_security_headers(s: TestServer) {
    let c = browser();
    for path in ["/search", "/people/1", "/people/new", "/contact-points/1/edit"] {
        let r = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/login", "{path}");
    }
    let r = c.get(s.url("/login")).send().await.unwrap();
    let h = r.headers();
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let css = c.get(s.url("/assets/govuk-frontend.min.css")).send().await.unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
}

/// The person page reads many compartments; each read (and each refusal) is
/// audited, and the page's events are written together, once it is built.
async fn a_page_writes_the_audit_events_of_its_reads_in_one_commit(s: TestServer) {
    use hearth_domain::staff::StaffRole;
    use reqwest::Method;
    use serde_json::json;
    let officer = s.token(StaffRole::HousingOfficer).await;
    let (st, p) = s
        .call(&officer, Method::POST, "/api/v1/people", Some(json!({"kind": "adult", "given_name": "Ada", "family_name": "Pagetest"})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    let events = |s: &TestServer| {
        let store = s.store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let all = hearth_store::audit::events_for_person(&mut tx, id, 200).await.unwrap();
            all.into_iter().filter(|e| matches!(e.event.action.as_str(), "view" | "list")).collect::<Vec<_>>()
        }
    };
    let before = events(&s).await.len();

    for (user, refused) in [("housing_officer", false), ("contact_centre_advisor", true)] {
        let c = browser();
        hearth_testkit::sign_in(&s, &c, user).await;
        let (st, page) = hearth_testkit::get(&s, &c, &format!("/people/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("Pagetest"));
        let all = events(&s).await;
        let page_events: Vec<_> = all.iter().filter(|e| e.event.actor_username == user).collect();
        let compartments: Vec<&str> = page_events.iter().map(|e| e.event.compartment.as_str()).collect();
        for c in ["identity", "contact_log"] {
            assert!(compartments.contains(&c), "{user}: the {c} read is audited: {compartments:?}");
        }
        assert!(page_events.len() >= 4, "{user}: one event per section read, {compartments:?}");
        assert_eq!(
            page_events.iter().any(|e| e.event.decision == "deny"),
            refused,
            "{user}: a section the role may not see is recorded as refused"
        );
        // One transaction, one time: all of the page's events carry the same stamp.
        let times: std::collections::BTreeSet<&str> = page_events.iter().map(|e| e.occurred_at.as_str()).collect();
        assert_eq!(times.len(), 1, "{user}: written together: {times:?}");
    }
    assert!(events(&s).await.len() > before);

    // Inside `reading`, a read's event waits for the end; afterwards it is stored.
    let actor = s.gate.actor_for("housing_officer", hearth_gate::DEFAULT_PURPOSE).await.unwrap();
    let n = events(&s).await.len();
    let during = s
        .gate
        .reading(async {
            s.gate.person_record(&actor, id).await.unwrap();
            events(&s).await.len()
        })
        .await
        .unwrap();
    assert_eq!(during, n, "nothing written before the response is complete");
    assert!(events(&s).await.len() > n, "written when it is");
    let v = hearth_store::audit::verify(&s.store).await.unwrap();
    assert!(matches!(v, hearth_store::audit::Verification::Intact { .. }), "the chain still verifies: {v:?}");
}
