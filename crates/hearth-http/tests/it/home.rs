//! The home page, "Your work", and `GET /api/v1/me/work`: an advisor logs a
//! call with a follow-up for a housing officer from the log-a-contact form
//! (the owner chosen by name and role, the due date in a GOV.UK date
//! input), and it shows on the officer's home page and in the API with the
//! person by name and the date in words; a follow-up on a contact its owner
//! may not read shows as work due without its words; the analyst's home
//! page offers what the role can use and refuses nothing; every page has
//! the header search box and marks the current menu item. On SQLite and
//! PostgreSQL.

use hearth_domain::staff::StaffRole;
use hearth_testkit::{browser, check_caller_ui, get, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    home_shows_the_follow_up_an_advisor_gave_the_officer,
    home_keeps_the_words_of_a_follow_up_the_owner_may_not_read,
    home_of_the_analyst_refuses_nothing,
    follow_up_form_names_its_fields,
    home_lists_the_people_recently_opened,
);

/// A date as the UI writes it, e.g. "7 December 2026".
fn words(d: jiff::civil::Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

fn today() -> jiff::civil::Date {
    hearth_gate::Gate::today()
}

/// The value of the owner option labelled `label`, from the form's select.
fn option_value(form: &str, label: &str) -> String {
    let end = form.find(&format!(">{label}</option>")).unwrap_or_else(|| panic!("no option {label}:\n{form}"));
    let start = form[..end].rfind("value=\"").unwrap() + "value=\"".len();
    form[start..end].split('"').next().unwrap().to_string()
}

async fn person(s: &TestServer, given: &str, family: &str) -> i64 {
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": given, "family_name": family}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

async fn home_shows_the_follow_up_an_advisor_gave_the_officer(s: TestServer) {
    let id = person(&s, "Carys", "Ringwell").await;
    let advisor = browser();
    let csrf = sign_in(&s, &advisor, "contact_centre_advisor").await;
    check_caller_ui(&s, &advisor, &csrf, id).await;
    let (status, form) = get(&s, &advisor, &format!("/people/{id}/contacts/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Follow-up (optional)") && form.contains("id=\"follow_up_due-day\""), "{form}");
    // Colleagues by name and role, never an id to type.
    let officer = option_value(&form, "Test Housing officer (Housing officer)");
    let due = today().saturating_add(jiff::ToSpan::days(10));
    let r = advisor
        .post(s.url(&format!("/people/{id}/contacts")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("channel", "call_in"),
            ("summary", "Reported damp in the bedroom"),
            ("compartment", "general"),
            ("follow_up_action", "Book a damp survey"),
            ("follow_up_owner", officer.as_str()),
            ("follow_up_due_day", &due.day().to_string()),
            ("follow_up_due_month", &due.month().to_string()),
            ("follow_up_due_year", &due.year().to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());

    // A second one through the API, already late, to see the tag.
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    hearth_testkit::check_caller(&s, &t, id).await;
    let late = today().saturating_sub(jiff::ToSpan::days(3));
    let body = json!({"channel": "call_out", "person_ids": [id], "summary": "Rang back about the damp",
        "follow_ups": [{"action": "Ring the tenant back", "owner": officer.parse::<i64>().unwrap(), "due_on": late.to_string()}]});
    let (st, e) = s.call(&t, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{e}");

    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (status, home) = get(&s, &c, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("<h1 class=\"govuk-heading-l\">Your work</h1>"), "{home}");
    let mine = &home[home.find("id=\"follow-ups\"").expect("the follow-ups table")..];
    assert!(mine.contains(&format!("href=\"/people/{id}#contact-history\">Carys Ringwell</a>")), "the person by name, linked:\n{mine}");
    assert!(mine.contains("Book a damp survey") && mine.contains(&words(due)), "{mine}");
    let (first, second) = (mine.find("Ring the tenant back").unwrap(), mine.find("Book a damp survey").unwrap());
    assert!(first < second, "overdue first");
    assert!(mine[..second].contains("govuk-tag--red\">Overdue"), "the late one is tagged");
    assert!(!mine[second..mine.find("</table>").unwrap()].contains("Overdue"), "the one not yet due is not");
    // The header: Home first and marked as the page, and the search box.
    assert!(home.contains("<a class=\"govuk-service-navigation__link\" href=\"/\" aria-current=\"page\">"), "{home}");
    assert!(
        home.contains("action=\"/search\" role=\"search\"")
            && home.contains("<label class=\"govuk-label govuk-label--s\" for=\"header-search\">")
    );
    let (_, cases) = get(&s, &c, "/cases").await;
    assert!(cases.contains("href=\"/cases\" aria-current=\"page\"") && !cases.contains("href=\"/\" aria-current"), "{cases}");
    assert!(cases.contains("id=\"header-search\" name=\"q\""), "the search box is on every page");
    let (_, search) = get(&s, &c, "/search").await;
    assert!(search.contains("id=\"q\" name=\"q\"") && search.contains(" autofocus"), "the search field is focused");
    assert!(!search.contains("header-search"), "the search page's own field is its only search box");

    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, work) = s.call(&t, Method::GET, "/api/v1/me/work", None).await;
    assert_eq!(st, StatusCode::OK, "{work}");
    let items = work["follow_ups"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{work}");
    assert_eq!((items[0]["action"].as_str(), items[0]["overdue"].as_bool()), (Some("Ring the tenant back"), Some(true)));
    assert_eq!(items[1]["person_name"], "Carys Ringwell");
    assert_eq!(items[1]["due_on"], due.to_string());
    assert!(work["cases"].is_array() && work["reviews"].is_array(), "an officer has cases and reviews: {work}");
    assert!(work["rights_requests"].is_null(), "but no rights requests: {work}");
    // Someone else's work is not theirs.
    let t = s.token(StaffRole::AsbOfficer).await;
    let (_, other) = s.call(&t, Method::GET, "/api/v1/me/work", None).await;
    assert_eq!(other["follow_ups"], json!([]), "{other}");
}

async fn home_keeps_the_words_of_a_follow_up_the_owner_may_not_read(s: TestServer) {
    let id = person(&s, "Idris", "Marlowe").await;
    let t = s.token(StaffRole::SafeguardingLead).await;
    let officer = {
        let admin = s.token(StaffRole::SystemAdministrator).await;
        let (_, staff) = s.call(&admin, Method::GET, "/api/v1/staff", None).await;
        staff.as_array().unwrap().iter().find(|a| a["username"] == "housing_officer").unwrap()["id"].as_i64().unwrap()
    };
    let due = today().saturating_add(jiff::ToSpan::days(5));
    // Safeguarding, on no case of the officer's: closed to them.
    let body = json!({"channel": "call_in", "person_ids": [id], "compartment": "safeguarding", "summary": "Concern raised by a neighbour",
        "follow_ups": [{"action": "Quietly check on the children", "owner": officer, "due_on": due.to_string()}]});
    let (st, e) = s.call(&t, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{e}");

    let t = s.token(StaffRole::HousingOfficer).await;
    let (st, work) = s.call(&t, Method::GET, "/api/v1/me/work", None).await;
    assert_eq!(st, StatusCode::OK);
    let text = work.to_string();
    assert!(!text.contains("Quietly check") && !text.contains("Marlowe"), "no words, no person: {text}");
    let items = work["follow_ups"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the work is still theirs: {work}");
    assert!(items[0]["action"].is_null() && items[0]["person_id"].is_null(), "{work}");
    assert_eq!(items[0]["due_on"], due.to_string());

    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (status, home) = get(&s, &c, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!home.contains("Quietly check") && !home.contains("Marlowe"), "{home}");
    assert!(home.contains("On a contact you cannot see") && home.contains(&words(due)), "{home}");
}

async fn home_of_the_analyst_refuses_nothing(s: TestServer) {
    let c = browser();
    sign_in(&s, &c, "edi_analyst").await;
    let (status, home) = get(&s, &c, "/").await;
    assert_eq!(status, StatusCode::OK, "{home}");
    assert!(home.contains("href=\"/edi/coverage\"") && home.contains("href=\"/edi/equity\""), "what the role can use:\n{home}");
    for refused in ["You cannot see", "You may not", "refused", "Your follow-ups", "Your open cases", "Reviews due</"] {
        assert!(!home.contains(refused), "{refused} on the analyst's home page:\n{home}");
    }
    let t = s.token(StaffRole::EdiAnalyst).await;
    let (st, work) = s.call(&t, Method::GET, "/api/v1/me/work", None).await;
    assert_eq!(st, StatusCode::OK, "{work}");
    assert!(work["cases"].is_null() && work["reviews"].is_null() && work["rights_requests"].is_null(), "{work}");
}

async fn follow_up_form_names_its_fields(s: TestServer) {
    let id = person(&s, "Nerys", "Pellow").await;
    let c = browser();
    let csrf = sign_in(&s, &c, "contact_centre_advisor").await;
    check_caller_ui(&s, &c, &csrf, id).await;
    let action = s.url(&format!("/people/{id}/contacts"));
    let r = c
        .post(&action)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("channel", "call_in"),
            ("summary", "Asked about a transfer"),
            ("compartment", "general"),
            ("follow_up_action", "Send the transfer form"),
            ("follow_up_due_day", "31"),
            ("follow_up_due_month", "2"),
            ("follow_up_due_year", "2030"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#follow_up_owner\">Choose who owns the follow-up"), "{page}");
    assert!(page.contains("href=\"#follow_up_due-day\">The due date must be a real date"), "{page}");
    assert!(page.contains("id=\"follow_up_owner-error\"") && page.contains("id=\"follow_up_due-error\""));
    assert!(page.contains("value=\"Send the transfer form\""), "what was typed is kept");
    // A contact without a follow-up needs none of its fields.
    let r = c
        .post(&action)
        .form(&[("_csrf", csrf.as_str()), ("channel", "call_in"), ("summary", "Asked about a transfer"), ("compartment", "general")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// "Recently viewed people": the last five people whose pages the staff
/// member opened, newest first, each once; a search or a name in a list is
/// not an opening, and someone else's openings are not theirs.
async fn home_lists_the_people_recently_opened(s: TestServer) {
    let mut ids = vec![];
    for family in ["Aldous", "Brynmor", "Catterick", "Dunmow", "Eskdale", "Fenwick"] {
        ids.push(person(&s, "Recent", family).await);
    }
    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (_, home) = get(&s, &c, "/").await;
    assert!(home.contains("Recently viewed people") && home.contains("People whose records you open will be listed here."), "{home}");
    for id in &ids {
        assert_eq!(get(&s, &c, &format!("/people/{id}")).await.0, StatusCode::OK);
    }
    // Open the second again: it moves to the top, once.
    get(&s, &c, &format!("/people/{}", ids[1])).await;
    // A search names people without opening them.
    get(&s, &c, "/search?q=Recent+Aldous").await;
    let (_, home) = get(&s, &c, "/").await;
    let recent = &home[home.find("Recently viewed people").unwrap()..];
    let recent = &recent[..recent.find("</ul>").expect("a list")];
    let order: Vec<usize> = [1, 5, 4, 3, 2]
        .iter()
        .map(|&i| recent.find(&format!("href=\"/people/{}\"", ids[i])).unwrap_or_else(|| panic!("person {i} listed:\n{recent}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "newest first: {order:?}\n{recent}");
    assert!(recent.contains(">Recent Brynmor</a>"), "by name: {recent}");
    assert!(!recent.contains(&format!("href=\"/people/{}\"", ids[0])), "only five: {recent}");
    assert_eq!(recent.matches(&format!("href=\"/people/{}\"", ids[1])).count(), 1, "each once");

    // Another member of staff has opened nobody.
    let other = browser();
    sign_in(&s, &other, "asb_officer").await;
    let (_, theirs) = get(&s, &other, "/").await;
    assert!(theirs.contains("People whose records you open will be listed here."), "{theirs}");
}
