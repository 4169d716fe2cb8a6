//! Reporter anonymity in the web UI, on SQLite and PostgreSQL: the case page,
//! its letter and the case list as the officer sees them never show the
//! anonymous reporter (asserted on the whole page); the reporter's own page
//! lists the case "Reported anonymously" to the DPO, not the officer; asking to reveal without a ground
//! comes back with a GOV.UK error summary; the requester cannot approve; the
//! DPO sees the register and approves, and only the requester then sees who.

use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::{anonymous_asb_case, assert_no_reporter};
use hearth_testkit::{browser, field, get, sign_in, TestServer};
use reqwest::{Method, StatusCode};

both_backends!(the_reporter_stays_hidden_on_every_page_until_an_approved_override);

async fn the_reporter_stays_hidden_on_every_page_until_an_approved_override(s: TestServer) {
    let f = anonymous_asb_case(&s).await;
    let id = f.case_id;
    let officer = browser();
    let csrf = sign_in(&s, &officer, "asb_officer").await;

    let (st, page) = get(&s, &officer, &format!("/cases/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_no_reporter(&page, f.reporter, "the case page");
    assert!(page.contains("Anonymous reporter") && page.contains("Rhea Noisington"));
    assert!(page.contains(&format!("href=\"/cases/{id}/letters/{}\"", f.accused)), "a letter to the other party is offered");

    let (st, letter) = get(&s, &officer, &format!("/cases/{id}/letters/{}", f.accused)).await;
    assert_eq!(st, StatusCode::OK);
    assert_no_reporter(&letter, f.reporter, "the letter page");
    for part in [
        "We have received a report about Loud music after midnight.",
        "Rhea Noisington",
        "9 Loud Lane",
        "Example Homes (Test Data) Ltd",
        &f.reference,
    ] {
        assert!(letter.contains(part), "the letter has {part}");
    }
    let (_, list) = get(&s, &officer, "/cases").await;
    assert!(list.contains(&f.reference));
    assert_no_reporter(&list, f.reporter, "the case list");
    let (_, theirs) = get(&s, &officer, &format!("/people/{}", f.accused)).await;
    assert!(theirs.contains(&f.reference) && !theirs.contains("Reported anonymously"));
    assert_no_reporter(&theirs, f.reporter, "the other party's page");

    // The concern sits on the reporter's own record, with their letter, for
    // those who may approve revealing them; to the officer working the case,
    // that the report is on this record would say who made it.
    let (_, own) = get(&s, &officer, &format!("/people/{}", f.reporter)).await;
    assert!(!own.contains(&f.reference) && !own.contains("Reported anonymously"), "the officer learns nothing on the reporter's page");
    let dpo = browser();
    sign_in(&s, &dpo, "dpo").await;
    let (_, own) = get(&s, &dpo, &format!("/people/{}", f.reporter)).await;
    assert!(own.contains(&f.reference) && own.contains("Reported anonymously"));
    assert!(own.contains(&format!("href=\"/cases/{id}/letters/{}\"", f.reporter)));

    // Asking is an action of its own; without a ground or detail it comes back there with the errors.
    let (st, ask) = get(&s, &officer, &format!("/cases/{id}?action=reveal")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(ask.contains(">Ask to reveal the reporter</h1>"), "{ask}");
    assert_no_reporter(&ask, f.reporter, "the ask-to-reveal view");
    let party = field(&ask, "party_id");
    let path = format!("/cases/{id}/anonymity-overrides");
    let r = officer.post(s.url(&path)).form(&[("_csrf", csrf.as_str()), ("party_id", &party), ("detail", "x")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("govuk-error-summary") && body.contains("href=\"#ground\"") && body.contains("href=\"#override_detail\""),
        "{body}"
    );
    assert_no_reporter(&body, f.reporter, "the refused form");
    assert!(body.contains(">Ask to reveal the reporter</h1>"), "the errors come back on the action's own view");
    let detail = "Order ZZ-TEST-0002 of the Testville County Court";
    let form = [("_csrf", csrf.as_str()), ("party_id", &party), ("ground", "court_order"), ("detail", detail)];
    let r = officer.post(s.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &officer, &format!("/cases/{id}")).await;
    assert!(page.contains("Waiting for approval") && page.contains(detail));
    assert!(!page.contains("/approve\""), "the requester is not offered approval");
    assert_no_reporter(&page, f.reporter, "the case page while waiting");

    let dpo_token = s.token(StaffRole::Dpo).await;
    let (_, register) = s.call(&dpo_token, Method::GET, "/api/v1/anonymity-overrides", None).await;
    let oid = register["items"][0]["id"].as_i64().unwrap();
    let r = officer.post(s.url(&format!("/anonymity-overrides/{oid}/approve"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "the requester cannot approve");

    // The DPO's register and approval.
    let dpo = browser();
    let dpo_csrf = sign_in(&s, &dpo, "dpo").await;
    let (st, reg) = get(&s, &dpo, "/anonymity-overrides").await;
    assert_eq!(st, StatusCode::OK);
    assert!(reg.contains(&f.reference) && reg.contains("Waiting for approval") && reg.contains("Court order"));
    assert!(reg.contains("href=\"/anonymity-overrides\""), "the DPO's navigation links the register");
    assert_no_reporter(&reg, f.reporter, "the register");
    let (_, dpo_case) = get(&s, &dpo, &format!("/cases/{id}")).await;
    assert!(dpo_case.contains(&format!("/anonymity-overrides/{oid}/approve")));
    let r = dpo.post(s.url(&format!("/anonymity-overrides/{oid}/approve"))).form(&[("_csrf", dpo_csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, dpo_case) = get(&s, &dpo, &format!("/cases/{id}")).await;
    assert!(dpo_case.contains("Approved"));
    assert_no_reporter(&dpo_case, f.reporter, "the case page for the approver");
    let (st, _) = get(&s, &officer, "/anonymity-overrides").await;
    assert_eq!(st, StatusCode::FORBIDDEN, "the register is the DPO's");

    // Only the person who asked now sees who reported.
    let (_, page) = get(&s, &officer, &format!("/cases/{id}")).await;
    assert!(page.contains("Quillon Hushworth") && page.contains("revealed to you under override"), "{page}");
    let (_, letter) = get(&s, &officer, &format!("/cases/{id}/letters/{}", f.accused)).await;
    assert_no_reporter(&letter, f.reporter, "the letter after the override");
}
