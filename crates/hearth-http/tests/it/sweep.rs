//! The canary sweep (issue 22): one seeded world per backend in which every
//! field of every record kind holds a canary of its own, and then, for every
//! role (and a contractor inside and outside a job window, supplier support
//! with and without a grant), every GET route of the OpenAPI document (read
//! from the document, so a new route is swept without editing this file)
//! and every UI page the role can reach by following links: no canary may
//! appear that the role's decision (the gate's `readable_classes` for the
//! canary's own record and class) does not permit, and no anonymous
//! reporter may be named anywhere about the case they reported or the
//! person they reported.

use hearth_domain::{access::Compartment, classes::DataClass, staff::StaffRole};
use hearth_gate::{Actor, Target};
use hearth_testkit::TestServer;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, VecDeque};

use crate::world::{seed, Canary, World};

both_backends!(keyed: every_route_and_page_shows_only_what_each_role_may_read);

/// Every account swept: one per role, and the extra contractor and supplier.
fn accounts() -> Vec<(String, StaffRole)> {
    let mut v: Vec<(String, StaffRole)> = StaffRole::ALL.iter().map(|r| (r.as_str().to_string(), *r)).collect();
    v.push(("contractor_nojob".into(), StaffRole::Contractor));
    v.push(("supplier_nogrant".into(), StaffRole::SupplierSupport));
    v
}

/// The canaries `username` may read: each one's own record and class, as the gate decides.
async fn permitted(s: &TestServer, w: &World, username: &str, role: StaffRole) -> Vec<bool> {
    let actor = Actor {
        user_id: s.gate.user_id(username).await.unwrap(),
        username: username.into(),
        display_name: username.into(),
        role,
        purpose: hearth_gate::DEFAULT_PURPOSE.into(),
        responsibilities: vec![],
        scope: None,
    };
    let mut out = vec![];
    for c in &w.canaries {
        let target = Target { record_type: c.record_type, record_id: Some(c.record_id), person_id: c.person_id };
        let classes = s.gate.readable_classes(&actor, c.compartment, target).await.unwrap();
        out.push(classes.is_some_and(|set| set.contains(c.class)));
    }
    out
}

/// Every GET URL of the OpenAPI document, with path parameters filled from the world.
fn api_urls(spec: &Value, w: &World) -> Vec<String> {
    let mut urls = vec![];
    for (path, item) in spec["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let mut query = vec![];
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["in"] == "query" && p["required"] == true {
                // The customer search is asked for the world's people, so its
                // answer holds their homes and addresses where it may.
                let v = if path == "/api/v1/people/search" && p["name"] == "q" {
                    "Famq"
                } else {
                    p["schema"]["enum"][0].as_str().unwrap_or("x")
                };
                query.push(format!("{}={v}", p["name"].as_str().unwrap()));
            }
        }
        let q = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
        if !path.contains('{') {
            urls.push(format!("{path}{q}"));
            continue;
        }
        if path.contains("{person_id}") {
            for (case, person) in &w.letters {
                urls.push(format!("{}{q}", path.replace("{id}", &case.to_string()).replace("{person_id}", &person.to_string())));
            }
            continue;
        }
        let kind = path.trim_start_matches("/api/v1/").split('/').next().unwrap();
        // A route whose ids this world does not seed still answers for a few.
        let ids = w.ids.get(kind).cloned().unwrap_or_else(|| vec![1, 2, 3]);
        for id in ids {
            urls.push(format!("{}{q}", path.replace("{id}", &id.to_string())));
        }
    }
    urls
}

/// Fails with every canary in `body` that `may` does not allow, and every
/// anonymous reporter's canary on a URL about the case they reported or
/// the person they reported.
fn leaks(w: &World, may: &[bool], url: &str, body: &str, role: StaffRole) -> Vec<String> {
    let about_report = url.contains(&format!("/cases/{}", w.asb_case)) || url.contains(&format!("/people/{}", w.perpetrator));
    let mut out = vec![];
    for (c, ok) in w.canaries.iter().zip(may) {
        let Some(found) = c.forms.iter().find(|f| body.contains(f.as_str())) else { continue };
        if !ok {
            out.push(format!("{url}: {found} ({} {} of {} {})", c.compartment, c.class, c.record_type, c.record_id));
        } else if c.reporter && about_report && role != StaffRole::Dpo {
            out.push(format!("{url}: {found} names the anonymous reporter"));
        }
    }
    out
}

/// Same-site links in a page, to follow: GET pages only (no sign-out, no assets).
fn links(html: &str) -> Vec<String> {
    let mut out = vec![];
    for part in html.split("href=\"").skip(1) {
        let href = part.split('"').next().unwrap_or("").replace("&amp;", "&");
        let href = href.split('#').next().unwrap_or("").to_string();
        if href.starts_with('/') && !href.starts_with("/assets") && !href.starts_with("/logout") && !href.starts_with("//") {
            out.push(href);
        }
    }
    out
}

async fn every_route_and_page_shows_only_what_each_role_may_read(s: TestServer) {
    let w = seed(&s).await;
    let spec: Value = s.client.get(s.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let urls = api_urls(&spec, &w);
    assert!(urls.len() > 40, "the document lists the API's GET routes: {urls:?}");
    let mut found = BTreeSet::new();
    // Every canary some response showed: one never shown means the sweep
    // does not reach that field, and its silence would prove nothing.
    let mut shown = vec![false; w.canaries.len()];
    let mut swept = 0;
    for (username, role) in accounts() {
        let may = permitted(&s, &w, &username, role).await;
        // Those who may read something: the sweep would prove nothing if nobody could.
        if role == StaffRole::Dpo {
            assert!(may.iter().all(|m| *m), "the DPO's decisions open every canary");
        }
        let t = s.token_for(&username).await;
        for url in &urls {
            let r = s.client.get(s.url(url)).bearer_auth(&t).send().await.unwrap();
            let status = r.status();
            let body = r.text().await.unwrap();
            assert!(!status.is_server_error(), "{username} GET {url}: {status} {body}");
            swept += 1;
            mark_shown(&w, &body, &mut shown);
            found.extend(leaks(&w, &may, url, &body, role).into_iter().map(|l| format!("{username} API {l}")));
        }

        // Exports that are made by a POST: the national returns.
        let exports = [
            ("/api/v1/returns/nfi", json!({})),
            ("/api/v1/returns/nfi?format=json", json!({})),
            ("/api/v1/returns/core", json!({"from": "2020-01-01", "to": "2030-12-31"})),
            ("/api/v1/returns/core?format=json", json!({"from": "2020-01-01", "to": "2030-12-31"})),
            ("/api/v1/extracts", json!({"agreement_id": w.agreement, "person_ids": [w.tenant, w.perpetrator]})),
            ("/api/v1/extracts?format=json", json!({"agreement_id": w.agreement, "person_ids": [w.tenant, w.perpetrator]})),
        ];
        for (url, body) in exports {
            let r = s.client.post(s.url(url)).bearer_auth(&t).json(&body).send().await.unwrap();
            let status = r.status();
            let body = r.text().await.unwrap();
            assert!(!status.is_server_error(), "{username} POST {url}: {status} {body}");
            swept += 1;
            mark_shown(&w, &body, &mut shown);
            found.extend(leaks(&w, &may, url, &body, role).into_iter().map(|l| format!("{username} export {l}")));
        }

        // The UI: every page reachable from the start page and from the world's records.
        let c = hearth_testkit::browser();
        hearth_testkit::sign_in(&s, &c, &username).await;
        let mut queue: VecDeque<String> = ["/".to_string(), "/search?q=Famq".into()].into();
        for id in w.ids.get("people").into_iter().flatten() {
            queue.push_back(format!("/people/{id}"));
        }
        for id in w.ids.get("cases").into_iter().flatten() {
            queue.push_back(format!("/cases/{id}"));
        }
        for (case, person) in &w.letters {
            queue.push_back(format!("/cases/{case}/letters/{person}"));
        }
        let mut seen: HashMap<String, ()> = HashMap::new();
        while let Some(path) = queue.pop_front() {
            if seen.len() >= 250 || seen.insert(path.clone(), ()).is_some() {
                continue;
            }
            let r = c.get(s.url(&path)).send().await.unwrap();
            let status = r.status();
            let body = r.text().await.unwrap();
            assert!(!status.is_server_error(), "{username} page {path}: {status}");
            swept += 1;
            mark_shown(&w, &body, &mut shown);
            found.extend(leaks(&w, &may, &path, &body, role).into_iter().map(|l| format!("{username} page {l}")));
            if status == StatusCode::OK {
                queue.extend(links(&body).into_iter().filter(|l| !seen.contains_key(l)));
            }
        }
    }
    assert!(found.is_empty(), "{} leaks over {swept} responses:\n{}", found.len(), found.into_iter().collect::<Vec<_>>().join("\n"));
    let unseen: Vec<_> = w.canaries.iter().zip(&shown).filter(|(c, s)| !**s && !write_only(c)).map(|(c, _)| c.forms[0].clone()).collect();
    assert!(unseen.is_empty(), "canaries no response showed to anyone (the sweep does not reach them): {unseen:?}");
}

fn mark_shown(w: &World, body: &str, shown: &mut [bool]) {
    for (c, s) in w.canaries.iter().zip(shown.iter_mut()) {
        *s |= c.forms.iter().any(|f| body.contains(f.as_str()));
    }
}

/// Values no surface ever reads back by design: equality answers are only
/// counted (seed 002), never shown one person at a time.
fn write_only(c: &Canary) -> bool {
    c.class == DataClass::Equality
}

/// The sweep's own check: it finds a canary that is there and not allowed.
#[test]
fn the_sweep_finds_what_it_looks_for() {
    let mut w = World { asb_case: 9, perpetrator: 8, reporter: 7, ..World::default() };
    w.add("Givqx", Compartment::Identity, DataClass::Name, ("person", 7, Some(7)));
    w.canaries[0].reporter = true;
    w.add("Detqx", Compartment::Needs, DataClass::SpecialCategory, ("need", 1, Some(1)));
    assert_eq!(leaks(&w, &[true, false], "/api/v1/people/1", "{\"detail\":\"Detqx\"}", StaffRole::Manager).len(), 1);
    assert_eq!(leaks(&w, &[true, true], "/api/v1/people/1", "{\"detail\":\"Detqx\"}", StaffRole::Manager).len(), 0);
    assert_eq!(leaks(&w, &[true, true], "/api/v1/cases/9", "Givqx", StaffRole::Manager).len(), 1, "reporter on their case");
    assert_eq!(leaks(&w, &[true, true], "/api/v1/people/7", "Givqx", StaffRole::Manager).len(), 0, "reporter on their own record");
    assert_eq!(links("<a href=\"/people/1?x=1&amp;y=2#top\">"), vec!["/people/1?x=1&y=2".to_string()]);
}
