//! The subject access bundle and the portability export over HTTP, on SQLite
//! and PostgreSQL: for a person in a shared household, named in a case and a
//! contact with another adult, the whole JSON and the whole HTML hold nothing
//! of the other adult; withheld items are listed with reasons; only the DPO
//! may generate, only once identity is confirmed and for the right kind of
//! request; portability gives JSON and CSV of what the person provided; the
//! DPO generates and downloads the bundle from the request page.

use hearth_domain::staff::StaffRole;
use hearth_store::Table;
use hearth_testkit::fixtures::{household, Home, NewHousehold};
use hearth_testkit::{browser, field, get, problem_fields, sign_in, TestServer};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    the_bundle_holds_nothing_of_another_adult_and_lists_what_was_withheld,
    the_dpo_reviews_a_draft_and_the_release_is_fixed,
    only_the_dpo_generates_and_only_once_identity_is_confirmed,
    portability_gives_json_and_csv_of_what_the_person_provided,
    the_dpo_generates_the_bundle_from_the_request_page,
);

const OTHER_SECRETS: [&str; 4] = ["Torvald", "Brackenwick", "01632 960771", "torvald.brackenwick@example.invalid"];

async fn adult(s: &TestServer, t: &str, given: &str, family: &str, phone: &str, email: &str) -> i64 {
    let (st, p) = s.call(t, Method::POST, "/api/v1/people", Some(json!({"given_name": given, "family_name": family}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    for body in [json!({"kind": "phone", "value": phone}), json!({"kind": "email", "value": email})] {
        let (st, c) = s.call(t, Method::POST, &format!("/api/v1/people/{id}/contact-points"), Some(body)).await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
    }
    id
}

struct Fixture {
    me: i64,
}

/// Marisol Quenby shares a household with Torvald Brackenwick; both are
/// named in a tenancy case (whose summary names him too), an open ASB case
/// and a logged call.
async fn shared_household(s: &TestServer) -> Fixture {
    let t = s.token(StaffRole::HousingOfficer).await;
    let me = adult(s, &t, "Marisol", "Quenby", "01632 960123", "marisol.quenby@example.invalid").await;
    let other = adult(s, &t, "Torvald", "Brackenwick", "01632 960771", "torvald.brackenwick@example.invalid").await;
    let home = Home { uprn: 990000077001, line1: "3 Invented Row", town: "Mockbury", postcode: "ZZ99 7QB" };
    household(s, &t, NewHousehold::new(home, vec![(me, "joint_tenant"), (other, "joint_tenant")])).await;
    let body = json!({"kind": "tenancy_management", "summary": "Marisol Quenby and Torvald Brackenwick disagree about the shared garden",
        "parties": [{"person_id": me, "role": "subject"}, {"person_id": other, "role": "subject"}]});
    let (st, c) = s.call(&t, Method::POST, "/api/v1/cases", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let asb = s.token(StaffRole::AsbOfficer).await;
    let body = json!({"kind": "asb", "summary": "Reported shouting from next door",
        "parties": [{"person_id": me, "role": "reporter"}, {"person_id": other, "role": "alleged_perpetrator"}]});
    let (st, c) = s.call(&asb, Method::POST, "/api/v1/cases", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    let body = json!({"channel": "call_in", "person_ids": [me, other],
        "summary": "Marisol rang about the garden; Torvald Brackenwick (01632 960771) was also on the line"});
    let (st, e) = s.call(&t, Method::POST, "/api/v1/contacts", Some(body)).await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    for (title, privileged) in [("Copy of the tenancy agreement", "no"), ("Advice from counsel on possession", "yes")] {
        let form = Form::new()
            .text("compartment", "general")
            .text("title", title)
            .text("legally_privileged", privileged)
            .part("file", Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("letter.pdf").mime_str("application/pdf").unwrap());
        let r = s.client.post(s.url(&format!("/api/v1/people/{me}/documents"))).bearer_auth(&t).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["legally_privileged"], privileged == "yes", "{doc}");
    }
    Fixture { me }
}

async fn request(s: &TestServer, dpo: &str, kind: &str, person: i64, pass: bool) -> i64 {
    let (st, v) = s
        .call(
            dpo,
            Method::POST,
            "/api/v1/rights-requests",
            Some(json!({"kind": kind, "person_id": person, "description": "Everything you hold"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let id = v["request"]["id"].as_i64().unwrap();
    if pass {
        let change = json!({"change": "identity_passed", "version": v["request"]["version"], "method": "Passport seen"});
        let (st, v) = s.call(dpo, Method::POST, &format!("/api/v1/rights-requests/{id}/changes"), Some(change)).await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
    id
}

/// Status, content type and the body as text.
async fn raw(s: &TestServer, t: &str, path: &str) -> (StatusCode, String, String) {
    let r = s.client.get(s.url(path)).bearer_auth(t).send().await.unwrap();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (r.status(), ct, r.text().await.unwrap())
}

/// Reads a ZIP of stored entries by walking its local headers, checking each
/// entry's CRC-32 against its bytes.
fn unzip(z: &[u8]) -> Vec<(String, Vec<u8>)> {
    let u16_at = |i: usize| u16::from_le_bytes([z[i], z[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes(z[i..i + 4].try_into().unwrap());
    let crc = crc32;
    let mut out = Vec::new();
    let mut at = 0;
    while z[at..].starts_with(b"PK\x03\x04") {
        assert_eq!(u16_at(at + 8), 0, "stored");
        let size = u32_at(at + 18) as usize;
        let (name_len, extra_len) = (u16_at(at + 26), u16_at(at + 28));
        let name = String::from_utf8(z[at + 30..at + 30 + name_len].to_vec()).unwrap();
        let start = at + 30 + name_len + extra_len;
        let data = &z[start..start + size];
        assert_eq!(crc(data), u32_at(at + 14), "CRC of {name}");
        out.push((name, data.to_vec()));
        at = start + size;
    }
    assert!(z[at..].starts_with(b"PK\x01\x02"), "the central directory follows the entries");
    out
}

/// CRC-32 (ISO-HDLC), bit by bit: slow and obviously right.
fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for b in data {
        c ^= *b as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
        }
    }
    !c
}

fn assert_no_other_adult(text: &str, what: &str) {
    let lower = text.to_lowercase();
    for secret in OTHER_SECRETS {
        assert!(!lower.contains(&secret.to_lowercase()), "{what} holds the other adult's {secret}: {text}");
    }
}

async fn the_bundle_holds_nothing_of_another_adult_and_lists_what_was_withheld(s: TestServer) {
    let f = shared_household(&s).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let id = request(&s, &dpo, "access", f.me, true).await;
    let (st, p) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}/bundle"), None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["bundle".to_string()]), "nothing released yet: {p}");
    let audit_before = s.count(Table::AuditEvent).await;
    hearth_testkit::release_bundle(&s, &dpo, id).await;

    let (st, ct, json_text) = raw(&s, &dpo, &format!("/api/v1/rights-requests/{id}/bundle")).await;
    assert_eq!(st, StatusCode::OK, "{json_text}");
    assert!(ct.starts_with("application/json"), "{ct}");
    assert_no_other_adult(&json_text, "the JSON bundle");
    assert!(s.count(Table::AuditEvent).await > audit_before, "generation is audited");
    let b: Value = serde_json::from_str(&json_text).unwrap();
    let section = |key: &str| b["sections"].as_array().unwrap().iter().find(|x| x["key"] == key).cloned().unwrap();
    assert!(json_text.contains("Marisol") && json_text.contains("01632 960123"), "the person's own data is there");
    assert_eq!(section("households")["records"].as_array().unwrap().len(), 1);
    assert!(section("households")["records"].to_string().contains("[redacted: third party]"));
    let cases = section("cases")["records"].as_array().unwrap().clone();
    assert_eq!(cases.len(), 1, "the open ASB case is withheld: {cases:?}");
    assert!(cases[0]["summary"].as_str().unwrap().contains("[redacted: third party]"), "{}", cases[0]);
    assert_eq!(section("contact_log")["records"].as_array().unwrap().len(), 1);
    assert!(!section("access_history")["records"].as_array().unwrap().is_empty(), "who used the record is listed");
    let identity = section("identity");
    assert!(identity["classes"][0]["purpose"].as_str().is_some_and(|p| !p.is_empty()), "the register's purpose: {identity}");
    assert!(identity["classes"][0]["retention"].is_object() || identity["classes"][0]["retention"].is_string(), "{identity}");

    let withheld = b["withheld"].as_array().unwrap();
    let reasons: Vec<&str> = withheld.iter().map(|w| w["reason"].as_str().unwrap()).collect();
    assert!(reasons.contains(&"third_party"), "{withheld:?}");
    assert!(reasons.contains(&"ongoing_investigation"), "{withheld:?}");
    assert!(withheld.iter().any(|w| w["reason"] == "ongoing_investigation" && w["what"].as_str().unwrap().contains("ASB")), "{withheld:?}");
    assert!(reasons.contains(&"legal_privilege"), "{withheld:?}");
    let docs = section("documents")["records"].as_array().unwrap().clone();
    assert_eq!(docs.len(), 1, "the privileged document is withheld: {docs:?}");
    assert!(!json_text.contains("Advice from counsel"), "{json_text}");

    let (st, ct, html) = raw(&s, &dpo, &format!("/api/v1/rights-requests/{id}/bundle?format=html")).await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(ct.starts_with("text/html"), "{ct}");
    assert_no_other_adult(&html, "the HTML bundle");
    assert!(html.contains("Information we have not included") && html.contains("Marisol"), "{html}");
    assert!(html.contains("@media print"), "a print stylesheet");

    // The zip holds the PDF, the HTML and the JSON, each as complete as when fetched alone.
    let r = s.client.get(s.url(&format!("/api/v1/rights-requests/{id}/bundle?format=zip"))).bearer_auth(&dpo).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let files = unzip(&r.bytes().await.unwrap());
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names[0].ends_with(".pdf") && names[1].ends_with(".html") && names[2].ends_with(".json"), "{names:?}");
    assert!(files[0].1.starts_with(b"%PDF-"), "a PDF");
    let pdf_text = hearth_testkit::pdf_text(&files[0].1);
    for (name, text) in [
        (names[0], pdf_text.clone()),
        (names[1], String::from_utf8(files[1].1.clone()).unwrap()),
        (names[2], String::from_utf8(files[2].1.clone()).unwrap()),
    ] {
        assert_no_other_adult(&text, name);
        assert!(text.contains("Marisol"), "{name}");
    }
    let zipped: Value = serde_json::from_slice(&files[2].1).unwrap();
    assert_eq!(zipped, b, "the zipped JSON is the released bundle");

    // The PDF reads as a letter: the cover letter, section headings, words not codes.
    let r = s.client.get(s.url(&format!("/api/v1/rights-requests/{id}/bundle?format=pdf"))).bearer_auth(&dpo).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let text = hearth_testkit::pdf_text(&r.bytes().await.unwrap());
    assert_eq!(text, pdf_text, "the same PDF alone and zipped");
    hearth_testkit::assert_readable(&text);
    for heading in [
        "Dear Marisol Quenby",
        "Why we use your information",
        "Who we share it with",
        "How long we keep it",
        "Where your information comes from",
        "Your rights",
        "Information Commissioner",
        "Information we have not included",
        "Contact details",
        "Households and tenancies",
        "Contact log",
    ] {
        assert!(text.contains(heading), "the PDF has {heading:?}: {text}");
    }
    assert!(text.contains("Joint tenant"), "roles in words: {text}");

    let (st, p) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}/bundle?format=docx"), None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["format".to_string()]));
}

async fn only_the_dpo_generates_and_only_once_identity_is_confirmed(s: TestServer) {
    let f = shared_household(&s).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let unchecked = request(&s, &dpo, "access", f.me, false).await;
    let (st, p) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{unchecked}/bundle"), None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["identity_status".to_string()]), "{p}");

    let erasure = request(&s, &dpo, "erasure", f.me, true).await;
    let (st, p) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{erasure}/bundle"), None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".to_string()]), "{p}");
    let (st, _) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{erasure}/portability"), None).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    let id = request(&s, &dpo, "access", f.me, true).await;
    for role in StaffRole::ALL.iter().filter(|r| **r != StaffRole::Dpo) {
        let t = s.token(*role).await;
        let (st, ct, body) = raw(&s, &t, &format!("/api/v1/rights-requests/{id}/bundle?format=html")).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role} must be refused: {body}");
        assert!(ct.starts_with("application/problem+json"), "{ct}");
        assert_no_other_adult(&body, "a refusal");
        assert!(!body.contains("Marisol"), "{role} saw the bundle: {body}");
    }
    let (st, _) = s.call(&dpo, Method::GET, "/api/v1/rights-requests/999999/bundle", None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Both endpoints are in the OpenAPI document with every answer they can give.
    let doc: Value = s.client.get(s.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    for role in StaffRole::ALL.iter().filter(|r| **r != StaffRole::Dpo) {
        let t = s.token(*role).await;
        let (st, _) = s.call(&t, Method::POST, &format!("/api/v1/rights-requests/{id}/bundle-drafts"), None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{role} must not generate a draft");
    }
    for path in ["/api/v1/rights-requests/{id}/bundle", "/api/v1/rights-requests/{id}/portability"] {
        let responses = &doc["paths"][path]["get"]["responses"];
        for code in ["200", "403", "404", "409", "422"] {
            assert!(responses.get(code).is_some(), "{path} does not document {code}: {responses}");
        }
    }
    assert!(doc["paths"]["/api/v1/rights-requests/{id}/bundle"]["get"]["responses"]["200"]["content"].get("text/html").is_some());
    assert!(doc["components"]["schemas"].get("AccessBundle").is_some() && doc["components"]["schemas"].get("PortabilityExport").is_some());
}

async fn portability_gives_json_and_csv_of_what_the_person_provided(s: TestServer) {
    let f = shared_household(&s).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let access = request(&s, &dpo, "access", f.me, true).await;
    let (st, p) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{access}/portability"), None).await;
    assert_eq!((st, problem_fields(&p)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["kind".to_string()]));

    let id = request(&s, &dpo, "portability", f.me, true).await;
    let (st, x) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}/portability"), None).await;
    assert_eq!(st, StatusCode::OK, "{x}");
    assert_eq!(x["format"], "hearth-portability/1");
    assert_eq!((x["person"]["given_name"].as_str(), x["person"]["family_name"].as_str()), (Some("Marisol"), Some("Quenby")));
    let values: Vec<&str> = x["contact_points"].as_array().unwrap().iter().filter_map(|c| c["value"].as_str()).collect();
    assert!(values.contains(&"marisol.quenby@example.invalid"), "{x}");
    assert_no_other_adult(&x.to_string(), "the portability JSON");

    let (st, ct, csv) = raw(&s, &dpo, &format!("/api/v1/rights-requests/{id}/portability?format=csv")).await;
    assert_eq!(st, StatusCode::OK, "{csv}");
    assert!(ct.starts_with("text/csv"), "{ct}");
    assert!(csv.starts_with("section,item,field,value\r\n"), "{csv}");
    assert!(csv.contains("\"person\",1,\"given_name\",\"Marisol\""), "{csv}");
    assert_no_other_adult(&csv, "the portability CSV");
}

async fn the_dpo_generates_the_bundle_from_the_request_page(s: TestServer) {
    let f = shared_household(&s).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let pending = request(&s, &dpo, "access", f.me, false).await;
    let id = request(&s, &dpo, "access", f.me, true).await;
    let c = browser();
    sign_in(&s, &c, "dpo").await;

    let (st, page) = get(&s, &c, &format!("/rights/{pending}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Confirm the requester") && !page.contains(&format!("/rights/{pending}/bundle")), "not offered before identity");
    let (st, _) = get(&s, &c, &format!("/rights/{pending}/bundle")).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);

    let (st, page) = get(&s, &c, &format!("/rights/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains(&format!("action=\"/rights/{id}/bundle-drafts\"")), "{page}");
    let csrf = field(&page, "_csrf");
    let r = c.post(s.url(&format!("/rights/{id}/bundle-drafts"))).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let review = r.headers()["location"].to_str().unwrap().split('?').next().unwrap().to_string();
    let (st, page) = get(&s, &c, &review).await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert!(page.contains("Automatic") && page.contains("<mark>"), "the redactions are shown in context: {page}");
    let (st, preview) = get(&s, &c, &format!("{review}/preview")).await;
    assert_eq!(st, StatusCode::OK);
    assert_no_other_adult(&preview, "the preview");
    // Confirm the first mark, then add a redaction of a word with a reason.
    let version = field(&page, "version");
    let mark = field(&page, "mark");
    let form = [("_csrf", csrf.as_str()), ("version", version.as_str()), ("mark", mark.as_str()), ("redact", "yes")];
    let r = c.post(s.url(&format!("{review}/decide"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, &review).await;
    assert!(page.contains("Will be redacted (decided)"), "{page}");
    let version = field(&page, "version");
    let form = [("_csrf", csrf.as_str()), ("version", version.as_str()), ("text", "garden"), ("ground", "exemption"), ("reason", "")];
    let r = c.post(s.url(&format!("{review}/redact"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a redaction needs a reason");
    assert!(r.text().await.unwrap().contains("There is a problem"));
    let form = [
        ("_csrf", csrf.as_str()),
        ("version", version.as_str()),
        ("text", "garden"),
        ("ground", "exemption"),
        ("reason", "Named exemption"),
    ];
    let r = c.post(s.url(&format!("{review}/redact"))).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, &review).await;
    assert!(page.contains("Named exemption"), "{page}");
    let version = field(&page, "version");
    let r =
        c.post(s.url(&format!("{review}/release"))).form(&[("_csrf", csrf.as_str()), ("version", version.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = get(&s, &c, &review).await;
    assert!(page.contains("Released") && page.contains("SHA-256") && !page.contains("Release the bundle</button>"), "{page}");
    let (_, page) = get(&s, &c, &format!("/rights/{id}")).await;
    assert!(page.contains(&format!("href=\"/rights/{id}/bundle\"")), "{page}");
    let (st, html) = get(&s, &c, &format!("/rights/{id}/bundle")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Your personal information") && html.contains("Information we have not included"), "{html}");
    assert_no_other_adult(&html, "the printable bundle");
    let r = c.get(s.url(&format!("/rights/{id}/bundle.json"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_no_other_adult(&r.text().await.unwrap(), "the downloaded bundle");
    let r = c.get(s.url(&format!("/rights/{id}/bundle.pdf"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_no_other_adult(&hearth_testkit::pdf_text(&r.bytes().await.unwrap()), "the downloaded PDF");

    let other = browser();
    sign_in(&s, &other, "housing_officer").await;
    let (st, body) = get(&s, &other, &format!("/rights/{id}/bundle")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    assert!(!body.contains("Quenby"), "{body}");
}

/// The DPO reverses an automatic redaction, redacts an uncertain place and
/// removes text by hand with a reason; the release holds exactly that, lists
/// the manual redaction as withheld, and cannot change afterwards.
async fn the_dpo_reviews_a_draft_and_the_release_is_fixed(s: TestServer) {
    let f = shared_household(&s).await;
    let dpo = s.token(StaffRole::Dpo).await;
    let id = request(&s, &dpo, "access", f.me, true).await;
    let (st, d) = s.call(&dpo, Method::POST, &format!("/api/v1/rights-requests/{id}/bundle-drafts"), None).await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    let draft = d["id"].as_i64().unwrap();
    let marks = d["marks"].as_array().unwrap().clone();
    // Every automatic redaction is shown with its context.
    let phone = marks.iter().find(|m| m["automatic"] == true && m["text"] == "01632 960771").unwrap_or_else(|| panic!("{d}"));
    assert!(
        phone["before"].as_str().unwrap().contains("was also on the line")
            || phone["before"].as_str().unwrap().contains("Brackenwick")
            || phone["before"].as_str().unwrap().contains('('),
        "{phone}"
    );
    assert!(phone["why"].as_str().unwrap().contains("phone"), "{phone}");
    assert_eq!(phone["redact"], true);

    // A reviewer who is not the DPO cannot see or change it.
    let officer = s.token(StaffRole::HousingOfficer).await;
    let (st, _) = s.call(&officer, Method::GET, &format!("/api/v1/bundle-drafts/{draft}"), None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    let version = std::cell::Cell::new(d["version"].as_i64().unwrap());
    let change = async |body: Value| -> (StatusCode, Value) {
        let (st, v) = s.call(&dpo, Method::POST, &format!("/api/v1/bundle-drafts/{draft}/changes"), Some(body)).await;
        if st == StatusCode::OK {
            version.set(v["version"].as_i64().unwrap());
        }
        (st, v)
    };
    let (st, v) = change(json!({"change": "decide", "version": version.get(), "mark": phone["id"], "redact": false})).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) =
        change(json!({"change": "redact", "version": version.get(), "text": "shared garden", "ground": "exemption", "reason": ""})).await;
    assert_eq!((st, problem_fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()]));
    let (st, v) = change(
        json!({"change": "redact", "version": version.get(), "text": "not in the bundle at all", "ground": "exemption", "reason": "x"}),
    )
    .await;
    assert_eq!((st, problem_fields(&v)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["text".to_string()]));
    let (st, v) = change(json!({"change": "redact", "version": version.get(), "text": "shared garden", "ground": "exemption",
        "reason": "Management information exemption (DPA 2018 Sch. 2 para 22)"}))
    .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = change(json!({"change": "decide", "version": version.get() - 1, "mark": phone["id"], "redact": true})).await;
    assert_eq!(st, StatusCode::CONFLICT, "a stale version: {v}");

    let (st, r) =
        s.call(&dpo, Method::POST, &format!("/api/v1/bundle-drafts/{draft}/release"), Some(json!({"version": version.get()}))).await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "released");
    let sha = r["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 64);

    let (st, b) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}/bundle"), None).await;
    assert_eq!(st, StatusCode::OK, "{b}");
    let text = b.to_string();
    assert!(text.contains("01632 960771"), "the reversed redaction is in the release: {text}");
    assert!(!text.contains("shared garden") && text.contains("[withheld]"), "the manual redaction is applied: {text}");
    let withheld = b["withheld"].as_array().unwrap();
    assert!(
        withheld.iter().any(|w| w["reason"] == "exemption" && w["explanation"].as_str().unwrap().contains("Management information")),
        "the manual redaction is listed as withheld with its reason: {withheld:?}"
    );
    // The hash is of the released JSON as stored.
    use sha2::Digest;
    let (_, _, raw_json) = raw(&s, &dpo, &format!("/api/v1/rights-requests/{id}/bundle")).await;
    let digest: String = sha2::Sha256::digest(raw_json.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(digest, sha, "the release is served exactly as hashed");

    // Released: nothing can change it.
    let (st, _) = change(json!({"change": "decide", "version": version.get() + 1, "mark": phone["id"], "redact": true})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) =
        change(json!({"change": "redact", "version": version.get() + 1, "text": "Marisol", "ground": "exemption", "reason": "x"})).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) =
        s.call(&dpo, Method::POST, &format!("/api/v1/bundle-drafts/{draft}/release"), Some(json!({"version": version.get() + 1}))).await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (_, _, again) = raw(&s, &dpo, &format!("/api/v1/rights-requests/{id}/bundle")).await;
    assert_eq!(again, raw_json, "the released bundle is unchanged");

    // Completing the request records which release was sent.
    let (_, v) = s.call(&dpo, Method::GET, &format!("/api/v1/rights-requests/{id}"), None).await;
    let body = json!({"change": "complete", "version": v["request"]["version"], "outcome": "Bundle sent by post"});
    let (st, v) = s.call(&dpo, Method::POST, &format!("/api/v1/rights-requests/{id}/changes"), Some(body)).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(v["request"]["outcome"].as_str().unwrap().contains(&sha), "{v}");
    let (_, d) = s.call(&dpo, Method::GET, &format!("/api/v1/bundle-drafts/{draft}"), None).await;
    assert!(d["sent_on"].is_string(), "{d}");
    // A closed request gets no new draft.
    let (st, _) = s.call(&dpo, Method::POST, &format!("/api/v1/rights-requests/{id}/bundle-drafts"), None).await;
    assert_eq!(st, StatusCode::CONFLICT);
}
