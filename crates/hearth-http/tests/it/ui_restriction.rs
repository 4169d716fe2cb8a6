//! Restriction of processing in the web UI, on SQLite and PostgreSQL: the
//! DPO places it from the person page with a reason, everyone who can see
//! the person sees the warning banner first, an edit is refused with the
//! reason on an error page, and the DPO lifts it.

use hearth_domain::staff::StaffRole;
use hearth_testkit::{browser, get, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(the_dpo_restricts_from_the_person_page_and_staff_see_the_banner);

async fn the_dpo_restricts_from_the_person_page_and_staff_see_the_banner(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": "Rowan", "family_name": "Fakeham"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();

    let dpo = browser();
    let csrf = sign_in(&s, &dpo, "dpo").await;
    let (st, page) = get(&s, &dpo, &format!("/people/{id}?section=restriction")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Restrict processing") && !page.contains("Processing restricted"), "the DPO is offered the form");
    let r = dpo.post(s.url(&format!("/people/{id}/restriction"))).form(&[("_csrf", csrf.as_str()), ("reason", "")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("at least 10 characters"));
    let reason = "Accuracy contested by the customer";
    let r =
        dpo.post(s.url(&format!("/people/{id}/restriction"))).form(&[("_csrf", csrf.as_str()), ("reason", reason)]).send().await.unwrap();
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, format!("/people/{id}").as_str()));

    let officer = browser();
    let officer_csrf = sign_in(&s, &officer, "housing_officer").await;
    let (st, page) = get(&s, &officer, &format!("/people/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    let banner = page.find("Processing restricted (Art. 18)").expect("the banner is shown");
    assert!(banner < page.find("<h1").unwrap(), "the banner comes first");
    assert!(page.contains(reason));
    assert!(!page.contains("Restrict processing") && !page.contains("Lift the restriction"), "only the DPO gets the form");
    let r = officer
        .post(s.url(&format!("/people/{id}/edit")))
        .form(&[("_csrf", officer_csrf.as_str()), ("version", "1"), ("kind", "adult"), ("given_name", "Rowan"), ("family_name", "Changed")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body = r.text().await.unwrap();
    assert!(body.contains("Processing restricted") && body.contains(reason) && body.contains("only storage is allowed"), "{body}");
    let r = officer
        .post(s.url(&format!("/people/{id}/restriction/lift")))
        .form(&[("_csrf", officer_csrf.as_str()), ("reason", "Trying without authority")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "only the DPO lifts");

    let (_, page) = get(&s, &dpo, &format!("/people/{id}?section=restriction")).await;
    assert!(page.contains("Lift the restriction"));
    let r = dpo
        .post(s.url(&format!("/people/{id}/restriction/lift")))
        .form(&[("_csrf", csrf.as_str()), ("reason", "Landlord confirmed the record is accurate")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &officer, &format!("/people/{id}")).await;
    assert!(!page.contains("Processing restricted"), "the banner is gone once lifted");
}
