//! The person page without a browser, on SQLite and PostgreSQL: it leads
//! with a summary (household, open cases, next actions) and puts each part
//! of the record on its own view behind the record's sub-navigation, the
//! current view marked with `aria-current`; a view shows only its own part;
//! the restriction view is offered only to the data protection officer; a
//! change's banner lands on the view that shows the change.

use hearth_domain::cases::CaseKind;
use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::{case, close_case, tenant, NewCase, NewTenant};
use hearth_testkit::{browser, get, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(the_person_page_leads_with_a_summary_and_shows_one_section_at_a_time);

async fn the_person_page_leads_with_a_summary_and_shows_one_section_at_a_time(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let home = tenant(&s, &t, NewTenant::new("Sol", "Summaryton", 990_000_000_771).phone("07700 900771")).await;
    let id = home.person;
    let open = case(
        &s,
        &t,
        NewCase::new(CaseKind::Repair, id).summary("Dripping tap").extra(json!({"property_id": home.property, "trade": "plumbing"})),
    )
    .await;
    let repair = json!({"property_id": home.property, "trade": "plumbing"});
    let done = case(&s, &t, NewCase::new(CaseKind::Repair, id).summary("Broken gate").extra(repair)).await;
    close_case(&s, &t, &done, "completed").await;
    let owner = s.gate.user_id("housing_officer").await.unwrap();
    let due = (hearth_gate::Gate::today() + jiff::ToSpan::days(3)).to_string();
    let fu = json!([{"action": "Ring back about the tap", "owner": owner, "due_on": due}]);
    let body = json!({"channel": "call_in", "person_ids": [id], "summary": "Tap still dripping", "follow_ups": fu});
    let (st, _) = s.call(&t, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED);

    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (st, summary) = get(&s, &c, &format!("/people/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(summary.contains("<title>Sol Summaryton – Hearth</title>"));
    assert!(summary.contains("aria-label=\"Sections of this record\""), "{summary}");
    assert!(summary.contains(&format!("href=\"/people/{id}\" aria-current=\"page\"")), "the summary is the current view");
    for section in ["details", "contacts", "needs", "cases", "documents", "consent"] {
        assert!(summary.contains(&format!("href=\"/people/{id}?section={section}\"")), "{section} is offered");
    }
    assert!(!summary.contains("?section=restriction"), "only the DPO is offered the restriction view");
    // The summary: household, open cases only, and what is due next.
    assert!(summary.contains("7 Imaginary Row") && summary.contains("People in this household"));
    assert!(summary.contains(">Open cases<") && summary.contains(&open.reference) && !summary.contains(&done.reference), "{summary}");
    assert!(summary.contains(">Next actions<") && summary.contains("Ring back about the tap") && summary.contains("Mark done"));
    // Not the sections: no identity, contact details or contact history here.
    assert!(!summary.contains("07700 900771") && !summary.contains(">Identity<") && !summary.contains("id=\"contact-history\""));

    let (_, details) = get(&s, &c, &format!("/people/{id}?section=details")).await;
    assert!(details.contains(&format!("href=\"/people/{id}?section=details\" aria-current=\"page\"")));
    assert!(details.contains("<title>Personal details: Sol Summaryton – Hearth</title>"));
    assert!(details.contains(">Identity<") && details.contains("07700 900771") && details.contains(">Tenancy<"));
    assert!(!details.contains("Ring back about the tap"), "one part per view");
    let (_, cases) = get(&s, &c, &format!("/people/{id}?section=cases")).await;
    assert!(cases.contains(&open.reference) && cases.contains(&done.reference), "every case on the cases view");
    let (_, contacts) = get(&s, &c, &format!("/people/{id}?section=contacts")).await;
    assert!(contacts.contains("id=\"contact-history\"") && contacts.contains("Tap still dripping") && !contacts.contains("07700 900771"));
    // An unknown view is the summary.
    let (st, unknown) = get(&s, &c, &format!("/people/{id}?section=nonsense")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(unknown.contains(">Next actions<"));
    // A change's banner lands on the view that shows it.
    let (_, changed) = get(&s, &c, &format!("/people/{id}?done=contact-logged")).await;
    assert!(changed.contains("Contact logged") && changed.contains("id=\"contact-history\""));

    let dpo = browser();
    sign_in(&s, &dpo, "dpo").await;
    let (_, page) = get(&s, &dpo, &format!("/people/{id}")).await;
    assert!(page.contains(&format!("href=\"/people/{id}?section=restriction\"")), "the DPO is offered the restriction view");
    let (_, page) = get(&s, &dpo, &format!("/people/{id}?section=restriction")).await;
    assert!(page.contains("Restrict processing"));
    let (_, page) = get(&s, &c, &format!("/people/{id}?section=restriction")).await;
    assert!(!page.contains("Restrict processing"), "the form is the DPO's alone");
}
