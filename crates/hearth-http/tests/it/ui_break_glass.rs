//! Break-glass in the web UI without a browser: an advisor refused a
//! person's history breaks the glass from the refusal page, and the DPO
//! reviews the grant, on SQLite and PostgreSQL.

use hearth_testkit::{browser, get, sign_in, TestServer};
use reqwest::StatusCode;

both_backends!(advisor_breaks_the_glass_and_the_dpo_reviews_it);

async fn advisor_breaks_the_glass_and_the_dpo_reviews_it(s: TestServer) {
    let advisor = browser();
    let csrf = sign_in(&s, &advisor, "contact_centre_advisor").await;
    let (_, search) = get(&s, &advisor, "/search").await;
    assert!(!search.contains("Break-glass reviews"), "the advisor's navigation has no review list");

    let r = advisor
        .post(s.url("/people"))
        .form(&[("_csrf", csrf.as_str()), ("kind", "adult"), ("given_name", "Gwen"), ("family_name", "Glassworthy")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap();
    let id: i64 = location.trim_start_matches("/people/").split('?').next().unwrap().parse().unwrap();
    let history = format!("/people/{id}/history");
    let action = format!("/people/{id}/break-glass");

    let (status, page) = get(&s, &advisor, &history).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the advisor may not read history");
    assert!(page.contains("Need access in an emergency?") && page.contains(&format!("action=\"{action}\"")));
    assert!(page.contains("name=\"compartment\" value=\"audit\"") && page.contains("Break the glass"));

    let r = advisor
        .post(s.url(&action))
        .form(&[("_csrf", "forged"), ("compartment", "audit"), ("reason", "Tenant on the phone")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a post without the session's token is refused");

    let r =
        advisor.post(s.url(&action)).form(&[("_csrf", csrf.as_str()), ("compartment", "audit"), ("reason", "abc")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("govuk-error-summary") && page.contains("href=\"#reason\"") && page.contains("id=\"reason-error\""));
    assert_eq!(get(&s, &advisor, &history).await.0, StatusCode::FORBIDDEN, "a short reason opens nothing");

    let reason = "Caller reports a break-in; checking recent changes";
    let r =
        advisor.post(s.url(&action)).form(&[("_csrf", csrf.as_str()), ("compartment", "audit"), ("reason", reason)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(&format!("{history}?done=break-glass&until=")), "{location}");
    let (status, page) = get(&s, &advisor, &location).await;
    assert_eq!(status, StatusCode::OK, "the grant opens the history");
    assert!(page.contains("Access opened until") && page.contains("(Europe/London). This is recorded."));
    assert_eq!(get(&s, &advisor, "/break-glass").await.0, StatusCode::FORBIDDEN, "the advisor does not review");

    let dpo = browser();
    let dpo_csrf = sign_in(&s, &dpo, "dpo").await;
    let (status, list) = get(&s, &dpo, "/break-glass").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Break-glass reviews") && list.contains(reason) && list.contains(&format!("href=\"/people/{id}\"")));
    let marker = "action=\"/break-glass/";
    let start = list.find(marker).expect("a review form") + marker.len();
    let grant: i64 = list[start..].split('/').next().unwrap().parse().unwrap();
    let review = format!("/break-glass/{grant}/review");

    let manager = browser();
    sign_in(&s, &manager, "manager").await;
    let (status, list) = get(&s, &manager, "/break-glass").await;
    assert_eq!(status, StatusCode::OK, "managers read the list");
    assert!(list.contains(reason) && !list.contains("Record review"), "only the DPO records reviews");

    let r = dpo.post(s.url(&review)).form(&[("_csrf", "forged"), ("note", "Checked with the team leader")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = dpo.post(s.url(&review)).form(&[("_csrf", dpo_csrf.as_str()), ("note", " ")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains(&format!("href=\"#note-{grant}\"")), "the error points at this grant's note");

    let r = dpo.post(s.url(&review)).form(&[("_csrf", dpo_csrf.as_str()), ("note", "Checked with the team leader")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let (status, list) = get(&s, &dpo, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Review recorded") && !list.contains(reason), "the reviewed grant leaves the list");
}
