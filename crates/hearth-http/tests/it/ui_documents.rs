//! Documents, follow-ups, the timeline's compartment filter and
//! notifications in the web UI without a browser, on SQLite and
//! PostgreSQL: an advisor uploads a PDF through the form and finds it in
//! the person page's Documents with a download link; a wrong type is named
//! on the form; a post without the CSRF token is refused; a follow-up is
//! marked done from the contact history; the contact list filters by
//! compartment; a line manager reads their notifications.

use hearth_domain::staff::StaffRole;
use hearth_testkit::{browser, get, sign_in, TestServer};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    an_advisor_uploads_a_pdf_and_downloads_it,
    the_upload_form_names_its_errors_and_needs_the_token,
    a_follow_up_is_marked_done_and_the_list_filters_by_compartment,
    a_line_manager_reads_their_notifications,
);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n";

async fn person(s: &TestServer) -> i64 {
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let (st, p) = s.call(&t, Method::POST, "/api/v1/people", Some(json!({"given_name": "Della", "family_name": "Uploadby"}))).await;
    assert_eq!(st, StatusCode::CREATED, "{p}");
    p["id"].as_i64().unwrap()
}

fn form(csrf: &str, name: &str, mime: &str, bytes: &[u8]) -> Form {
    Form::new()
        .text("_csrf", csrf.to_string())
        .part("file", Part::bytes(bytes.to_vec()).file_name(name.to_string()).mime_str(mime).unwrap())
        .text("title", "")
        .text("compartment", "general")
}

async fn an_advisor_uploads_a_pdf_and_downloads_it(s: TestServer) {
    let id = person(&s).await;
    let c = browser();
    let csrf = sign_in(&s, &c, "contact_centre_advisor").await;
    // An advisor sees the contact history only after checking the caller.
    hearth_testkit::check_caller_ui(&s, &c, &csrf, id).await;
    let (status, page) = get(&s, &c, &format!("/people/{id}?section=documents")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("No documents you can see are filed") && page.contains(&format!("/people/{id}/documents/new")), "{page}");
    let (status, f) = get(&s, &c, &format!("/people/{id}/documents/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(f.contains("enctype=\"multipart/form-data\"") && f.contains("class=\"govuk-file-upload\""), "{f}");

    let r = c
        .post(s.url(&format!("/people/{id}/documents")))
        .multipart(form(&csrf, "rent letter.pdf", "application/pdf", PDF))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("/people/{id}?done=document-uploaded"));
    let (_, page) = get(&s, &c, &location).await;
    assert!(page.contains("Document uploaded"));
    let docs = &page[page.find("id=\"documents\"").expect("a documents table")..];
    assert!(docs.contains("rent letter.pdf") && docs.contains("PDF document"), "{docs}");
    let href_at = docs.find("href=\"/documents/").unwrap() + "href=\"".len();
    let href = docs[href_at..].split('"').next().unwrap().to_string();
    let r = c.get(s.url(&href)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
}

async fn the_upload_form_names_its_errors_and_needs_the_token(s: TestServer) {
    let id = person(&s).await;
    let c = browser();
    let csrf = sign_in(&s, &c, "contact_centre_advisor").await;
    // An advisor sees the contact history only after checking the caller.
    hearth_testkit::check_caller_ui(&s, &c, &csrf, id).await;
    let action = s.url(&format!("/people/{id}/documents"));
    let r = c.post(&action).multipart(form(&csrf, "virus.pdf", "application/pdf", b"MZ\x90\0not a pdf")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("There is a problem") && page.contains("href=\"#file\"") && page.contains("id=\"file-error\""), "{page}");
    assert!(page.contains("govuk-file-upload--error"));
    let r = c.post(&action).multipart(form("forged", "a.pdf", "application/pdf", PDF)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a post without the session's token is refused");
    let (_, page) = get(&s, &c, &format!("/people/{id}?section=documents")).await;
    assert!(page.contains("No documents you can see are filed"), "nothing was stored");
}

async fn a_follow_up_is_marked_done_and_the_list_filters_by_compartment(s: TestServer) {
    let id = person(&s).await;
    let t = s.token(StaffRole::HousingOfficer).await;
    let owner = s.gate.user_id("housing_officer").await.unwrap();
    let fu = json!([{"action": "Book a damp survey", "owner": owner, "due_on": "2026-12-04"}]);
    let (st, _) = s
        .call(
            &t,
            Method::POST,
            "/api/v1/contacts",
            Some(json!({"channel": "call_in", "person_ids": [id], "summary": "Damp in the bedroom", "follow_ups": fu})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let income = s.token(StaffRole::IncomeOfficer).await;
    let (st, _) = s
        .call(
            &income,
            Method::POST,
            "/api/v1/contacts",
            Some(json!({"channel": "call_in", "person_ids": [id], "summary": "Arrears plan", "compartment": "financial"})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);

    let c = browser();
    let csrf = sign_in(&s, &c, "housing_officer").await;
    let (_, page) = get(&s, &c, &format!("/people/{id}")).await;
    assert!(page.contains("Book a damp survey") && page.contains("Mark done"), "{page}");
    let marker = "/follow-ups/";
    let at = page.find(marker).unwrap();
    let start = page[..at].rfind('"').unwrap() + 1;
    let action = page[start..].split('"').next().unwrap().to_string();
    let r = c.post(s.url(&action)).form(&[("_csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = get(&s, &c, &location).await;
    assert!(page.contains("Follow-up marked done") && page.contains("Done") && !page.contains("Mark done"), "{page}");

    let (_, all) = get(&s, &c, &format!("/people/{id}/contacts")).await;
    assert!(all.contains("Damp in the bedroom"), "{all}");
    let (st, general) = get(&s, &c, &format!("/people/{id}/contacts?compartment=general")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        general.contains("Damp in the bedroom") && general.contains("<option value=\"general\" selected>General</option>"),
        "{general}"
    );
    let (_, financial) = get(&s, &c, &format!("/people/{id}/contacts?compartment=financial")).await;
    assert!(
        !financial.contains("Damp in the bedroom") && !financial.contains("Arrears plan"),
        "a housing officer sees no financial contacts"
    );
}

async fn a_line_manager_reads_their_notifications(s: TestServer) {
    s.gate.set_manager("contact_centre_advisor", "manager").await.unwrap();
    let id = person(&s).await;
    let t = s.token(StaffRole::ContactCentreAdvisor).await;
    let (_, v) =
        s.call(&t, Method::POST, "/api/v1/contacts", Some(json!({"channel": "call_in", "person_ids": [id], "summary": "Recorded"}))).await;
    let entry = v["entries"][0]["id"].as_i64().unwrap();

    // The advisor files it through the form on the contact history.
    let adv = browser();
    let csrf = sign_in(&s, &adv, "contact_centre_advisor").await;
    // An advisor sees the contact history only after checking the caller.
    hearth_testkit::check_caller_ui(&s, &adv, &csrf, id).await;
    let (_, page) = get(&s, &adv, &format!("/people/{id}?section=contacts")).await;
    let form_path = format!("/people/{id}/contacts/{entry}/recording");
    assert!(page.contains(&form_path), "calls offer a recording link: {page}");
    let (st, f) = get(&s, &adv, &form_path).await;
    assert_eq!(st, StatusCode::OK);
    assert!(f.contains("Did you consent to the customer recording?"), "{f}");
    let fields = [("_csrf", csrf.as_str()), ("made_by", "customer"), ("staff_consent", "no"), ("call_ended", "yes"), ("note", "")];
    let r = adv.post(s.url(&form_path)).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("href=\"#note\"") && page.contains("id=\"note-error\""), "the note is asked for: {page}");
    let mut fields = fields;
    fields[4] = ("note", "Caller was recording; ended the call and offered a letter.");
    let r = adv.post(s.url(&form_path)).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/people/{id}?done=recording-saved").as_str());

    let c = browser();
    sign_in(&s, &c, "manager").await;
    let (st, page) = get(&s, &c, "/notifications").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("Call ended over an unconsented recording") && page.contains("Test Contact-centre advisor ended a call"),
        "{page}"
    );
    let other = browser();
    sign_in(&s, &other, "housing_officer").await;
    let (_, page) = get(&s, &other, "/notifications").await;
    assert!(page.contains("You have no notifications"), "{page}");
}
