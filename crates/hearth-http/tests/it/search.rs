//! The customer search tells people apart (#27): look-alikes come back
//! with their role in words, their home's address and postcode and their
//! tenancy reference, best match first (every word a name in full, then
//! names starting with the words, then close spellings; ties by name);
//! names match whatever their accents and case; phone numbers and email
//! addresses are found however they are typed, and follow every edit; and
//! the gate decides per person what the searcher sees of each home. On
//! SQLite and PostgreSQL.

use hearth_domain::staff::StaffRole;
use hearth_testkit::fixtures::{household, person, tenant, Home, NewHousehold, NewTenant};
use hearth_testkit::{browser, check_caller, get, sign_in, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    search_tells_look_alikes_apart_best_match_first,
    search_finds_phone_numbers_and_email_addresses_however_typed,
    search_shows_each_home_only_as_the_gate_decides,
    search_page_shows_what_tells_people_apart,
);

/// Two tenants both called Siân (one written without the accent)
/// Inventley, a household member of the first, someone whose surname
/// starts with Inventley and someone whose surname is spelt close to it.
struct Lookalikes {
    first: i64,
    second: i64,
    member: i64,
    longer: i64,
    close: i64,
}

async fn lookalikes(s: &TestServer) -> Lookalikes {
    let t = s.token(StaffRole::HousingOfficer).await;
    let first = tenant(s, &t, NewTenant::new("Siân", "Inventley", 92_701).line1("1 Lookalike Lane").phone("07700 900461")).await;
    let second = tenant(s, &t, NewTenant::new("Sian", "Inventley", 92_702).line1("2 Lookalike Lane")).await;
    let member = person(s, &t, "Ceri", "Inventley").await;
    s.created(&t, &format!("/api/v1/households/{}/members", first.household), json!({"person_id": member, "role": "household_member"}))
        .await;
    let longer = person(s, &t, "Sian", "Inventleyson").await;
    let body = json!({"kind": "address", "line1": "9 Elsewhere Road", "town": "Testbury", "postcode": "ZZ99 9ZZ"});
    s.created(&t, &format!("/api/v1/people/{longer}/contact-points"), body).await;
    let close = person(s, &t, "Sian", "Invently").await;
    Lookalikes { first: first.person, second: second.person, member, longer, close }
}

/// Encodes a query for a URL (spaces, plus signs and @).
fn enc(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn found(s: &TestServer, token: &str, q: &str) -> Vec<Value> {
    let (st, v) = s.call(token, Method::GET, &format!("/api/v1/people/search?q={}", enc(q)), None).await;
    assert_eq!(st, StatusCode::OK, "{q}: {v}");
    v["items"].as_array().unwrap().clone()
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["person"]["id"].as_i64().unwrap()).collect()
}

async fn search_tells_look_alikes_apart_best_match_first(s: TestServer) {
    let l = lookalikes(&s).await;
    let t = s.token(StaffRole::HousingOfficer).await;
    let items = found(&s, &t, "Sian Inventley").await;
    // Full names first (the two tenants, by id as their names are the
    // same once folded), then the surname that starts with the word, then
    // the close spelling. The household member is not a Sian.
    assert_eq!(ids(&items), [l.first, l.second, l.longer, l.close], "{items:#?}");
    let matched: Vec<&str> = items.iter().map(|i| i["matched"].as_str().unwrap()).collect();
    assert_eq!(matched, ["exact", "exact", "starts", "close"]);
    // What tells the two tenants apart.
    let (a, b) = (&items[0], &items[1]);
    assert_eq!(a["person"]["given_name"], "Siân");
    assert_eq!((a["role"].as_str(), a["address"].as_str()), (Some("tenant"), Some("1 Lookalike Lane, Testbury")));
    assert_eq!((a["postcode"].as_str(), a["tenancy_reference"].as_str()), (Some("ZZ99 3AB"), Some("TEN-92701")));
    assert_eq!((b["address"].as_str(), b["tenancy_reference"].as_str()), (Some("2 Lookalike Lane, Testbury"), Some("TEN-92702")));
    assert_eq!(a["current_home"], true);
    // Someone with no household with us shows their postal address.
    assert_eq!((items[2]["address"].as_str(), items[2]["postcode"].as_str()), (Some("9 Elsewhere Road, Testbury"), Some("ZZ99 9ZZ")));
    assert!(items[2]["role"].is_null() && items[2]["tenancy_reference"].is_null());

    // Accents and case do not matter, either way round.
    assert_eq!(ids(&found(&s, &t, "SIÂN INVENTLEY").await)[..2], [l.first, l.second]);
    assert_eq!(ids(&found(&s, &t, "siân inventley").await)[..2], [l.first, l.second]);
    // A household member is found by their own name, with their role in words.
    let m = found(&s, &t, "Ceri Inventley").await;
    assert_eq!(ids(&m), [l.member]);
    assert_eq!((m[0]["role"].as_str(), m[0]["tenancy_reference"].as_str()), (Some("household_member"), Some("TEN-92701")));
    // One or two letters off still finds them, after the closer matches.
    let close = found(&s, &t, "Inventlee").await;
    assert!(ids(&close).contains(&l.first) && ids(&close).contains(&l.close), "{close:#?}");
    assert!(close.iter().all(|i| i["matched"] == "close"), "none of them is spelt Inventlee");
    assert!(ids(&found(&s, &t, "Imventley").await).contains(&l.second));

    // A rename moves the keys with the name.
    let (_, p) = s.call(&t, Method::GET, &format!("/api/v1/people/{}", l.close), None).await;
    let body = json!({"version": p["version"], "given_name": "Dafydd", "family_name": "Quorndon"});
    let (st, v) = s.call(&t, Method::PUT, &format!("/api/v1/people/{}", l.close), Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(!ids(&found(&s, &t, "Sian Inventley").await).contains(&l.close));
    assert_eq!(ids(&found(&s, &t, "Quorndon").await), [l.close]);
    assert_eq!(ids(&found(&s, &t, "Quorndan").await), [l.close], "close to the new name");

    // Paging: the next page starts where the first ended.
    let (_, page) = s.call(&t, Method::GET, "/api/v1/people/search?q=Inventley&limit=2", None).await;
    assert_eq!(page["next_start"], 2, "{page}");
    let (_, rest) = s.call(&t, Method::GET, "/api/v1/people/search?q=Inventley&limit=2&start=2", None).await;
    let first_two = ids(page["items"].as_array().unwrap());
    assert!(ids(rest["items"].as_array().unwrap()).iter().all(|i| !first_two.contains(i)), "{rest}");
    // Nothing to search for is a field error.
    let (st, v) = s.call(&t, Method::GET, "/api/v1/people/search?q=+", None).await;
    assert_eq!((st, hearth_testkit::problem_fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["q".to_string()]), "{v}");
}

async fn search_finds_phone_numbers_and_email_addresses_however_typed(s: TestServer) {
    let l = lookalikes(&s).await;
    let t = s.token(StaffRole::HousingOfficer).await;
    for typed in ["07700 900461", "07700900461", "+44 7700 900461", "+447700900461", "0044 7700 900 461", "07700-900-461"] {
        assert_eq!(ids(&found(&s, &t, typed).await), [l.first], "{typed}");
    }
    let body = json!({"kind": "email", "value": "Sian.Inventley@Example.org"});
    let email = s.created(&t, &format!("/api/v1/people/{}/contact-points", l.second), body).await;
    assert_eq!(ids(&found(&s, &t, "sian.inventley@example.ORG").await), [l.second]);

    // A changed number is found by its new digits only.
    let (_, points) = s.call(&t, Method::GET, &format!("/api/v1/people/{}/contact-points", l.first), None).await;
    let phone = points.as_array().unwrap().iter().find(|p| p["kind"] == "phone").unwrap().clone();
    let mut body = phone.clone();
    body["value"] = json!("+44 7700 900462");
    let (st, v) = s.call(&t, Method::PUT, &format!("/api/v1/contact-points/{}", phone["id"]), Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(found(&s, &t, "07700 900461").await.is_empty(), "the old number finds nobody");
    assert_eq!(ids(&found(&s, &t, "07700 900462").await), [l.first]);
    // A deleted one finds nobody.
    let (st, _) = s.call(&t, Method::DELETE, &format!("/api/v1/contact-points/{}", email["id"]), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert!(found(&s, &t, "sian.inventley@example.org").await.is_empty());
    // The plain list takes the number too.
    let (_, list) = s.call(&t, Method::GET, &format!("/api/v1/people?q={}", enc("+44 7700 900462")), None).await;
    assert_eq!(ids_of_list(&list), [l.first], "{list}");
}

fn ids_of_list(page: &Value) -> Vec<i64> {
    page["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

async fn search_shows_each_home_only_as_the_gate_decides(s: TestServer) {
    let l = lookalikes(&s).await;
    // An advisor sees names only until the caller is checked.
    let advisor = s.token(StaffRole::ContactCentreAdvisor).await;
    let items = found(&s, &advisor, "Sian Inventley").await;
    assert_eq!(ids(&items), [l.first, l.second, l.longer, l.close]);
    for i in &items {
        for f in ["role", "address", "postcode", "tenancy_reference"] {
            assert!(i[f].is_null(), "{f} withheld before the caller check: {i}");
        }
        assert!(i["person"]["date_of_birth"].is_null());
    }
    // Checking one caller opens that person's home, and no one else's.
    check_caller(&s, &advisor, l.first).await;
    let items = found(&s, &advisor, "Sian Inventley").await;
    assert_eq!(items[0]["tenancy_reference"], "TEN-92701");
    assert!(items[1]["tenancy_reference"].is_null() && items[1]["address"].is_null(), "{}", items[1]);
    assert!(items[2]["address"].is_null(), "{}", items[2]);
    // The search is audited once, naming who was returned and whose home was shown.
    let mut tx = s.store.begin().await.unwrap();
    let events = hearth_store::audit::events_after(&mut tx, 0, 100_000).await.unwrap();
    drop(tx);
    let last = events.iter().rev().find(|e| e.event.detail.as_deref().is_some_and(|d| d.contains("\"ranked\":true"))).unwrap();
    let detail: Value = serde_json::from_str(last.event.detail.as_deref().unwrap()).unwrap();
    assert_eq!(detail["homes_shown"], json!([l.first]), "{detail}");
    assert_eq!(detail["returned"], json!([l.first, l.second, l.longer, l.close]));

    // A role that may not list people is refused, and gets nothing.
    let analyst = s.token(StaffRole::EdiAnalyst).await;
    let (st, v) = s.call(&analyst, Method::GET, "/api/v1/people/search?q=Inventley", None).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert!(!v.to_string().contains("Lookalike"));
}

async fn search_page_shows_what_tells_people_apart(s: TestServer) {
    let l = lookalikes(&s).await;
    let t = s.token(StaffRole::HousingOfficer).await;
    let home = Home { uprn: 92_703, line1: "3 Lookalike Lane", town: "Testbury", postcode: "ZZ99 3AB" };
    household(&s, &t, NewHousehold::new(home, vec![(l.longer, "joint_tenant")]).tenancy("TEN-92703", "2021-05-01")).await;
    let c = browser();
    sign_in(&s, &c, "housing_officer").await;
    let (st, page) = get(&s, &c, "/search?q=Sian+Inventley").await;
    assert_eq!(st, StatusCode::OK);
    for shown in [
        "1 Lookalike Lane, Testbury",
        "2 Lookalike Lane, Testbury",
        "TEN-92701",
        "TEN-92702",
        "TEN-92703",
        "Joint tenant",
        "Similar spelling",
    ] {
        assert!(page.contains(shown), "{shown} on the page:\n{page}");
    }
    let (a, b) = (page.find(&format!("/people/{}\"", l.first)).unwrap(), page.find(&format!("/people/{}\"", l.close)).unwrap());
    assert!(a < b, "the full name before the close spelling");
    // By phone from the header's box (a GET form), as the advisor does.
    let (_, page) = get(&s, &c, &format!("/search?q={}", enc("+44 7700 900461"))).await;
    assert!(page.contains(&format!("href=\"/people/{}\"", l.first)) && !page.contains(&format!("href=\"/people/{}\"", l.second)), "{page}");
}
