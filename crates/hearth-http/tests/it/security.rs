//! Sign-in and session hardening (OWASP ASVS level 2) over HTTP, on SQLite
//! and PostgreSQL: account lock-out, per-address throttling, new secrets at
//! every sign-in, sign-out everywhere, the idle timeout, API rate limits,
//! body limits and security headers.

use hearth_domain::staff::StaffRole;
use hearth_gate::auth::{token_hash, LOCK_FOR, MAX_FAILED_SIGN_INS, WEB_IDLE};
use hearth_store::staff::{self, SessionKind};
use hearth_testkit::{browser, field, get, Backend, TestServer, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

both_backends!(
    an_account_locks_after_repeated_failures_even_for_the_right_password,
    one_address_guessing_many_accounts_is_throttled,
    every_sign_in_issues_new_secrets_and_sign_out_everywhere_ends_them_all,
    a_planted_session_cookie_is_never_honoured,
    an_idle_browser_session_ends,
    a_new_password_ends_existing_sessions,
    oversized_bodies_are_refused_with_a_problem_naming_the_body,
    pages_and_api_answers_carry_the_security_headers,
    two_step_sign_in_needs_a_fresh_code_from_the_app
);
both_backends!(
    backend: api_requests_above_the_per_address_limit_are_refused,
    unknown_and_real_usernames_get_the_same_answers_and_lock_alike,
    two_step_can_be_required_of_every_local_account
);

async fn token_attempt(s: &TestServer, username: &str, password: &str) -> (StatusCode, Value, Option<String>) {
    let r = s.client.post(s.url("/api/v1/auth/token")).json(&json!({"username": username, "password": password})).send().await.unwrap();
    let retry = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    let (status, body) = hearth_testkit::split(r).await;
    (status, body, retry)
}

async fn an_account_locks_after_repeated_failures_even_for_the_right_password(s: TestServer) {
    let user = StaffRole::HousingOfficer.as_str();
    for i in 0..MAX_FAILED_SIGN_INS {
        let (status, _, _) = token_attempt(&s, user, "not the password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (status, body, retry) = token_attempt(&s, user, PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "locked: {body}");
    let secs: i64 = retry.expect("Retry-After header").parse().unwrap();
    assert!(secs > 0 && secs <= LOCK_FOR.as_secs(), "{secs}");
    assert_eq!(body["type"], "/problems/throttled");
    // Other accounts are unaffected, and an administrator can lift the lock.
    assert_eq!(token_attempt(&s, StaffRole::IncomeOfficer.as_str(), PASSWORD).await.0, StatusCode::OK);
    s.gate.unlock(user).await.unwrap();
    assert_eq!(token_attempt(&s, user, PASSWORD).await.0, StatusCode::OK);
    // A success resets the count: four more failures do not lock.
    for _ in 1..MAX_FAILED_SIGN_INS {
        token_attempt(&s, user, "not the password").await;
    }
    assert_eq!(token_attempt(&s, user, PASSWORD).await.0, StatusCode::OK);
}

async fn one_address_guessing_many_accounts_is_throttled(s: TestServer) {
    let limit = hearth_http::Limits::default().failed_sign_ins_per_address;
    for i in 0..limit {
        let (status, _, _) = token_attempt(&s, &format!("guess{i}"), "not the password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body, retry) = token_attempt(&s, StaffRole::Manager.as_str(), PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(retry.is_some());
    // The web form says so too, on the page.
    let c = browser();
    let page = c.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = field(&page, "_csrf");
    let r =
        c.post(s.url("/login")).form(&[("_csrf", csrf.as_str()), ("username", "manager"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("Too many failed sign-ins from this network"));
}

async fn every_sign_in_issues_new_secrets_and_sign_out_everywhere_ends_them_all(s: TestServer) {
    let a = s.token(StaffRole::HousingOfficer).await;
    let b = s.token(StaffRole::HousingOfficer).await;
    assert_ne!(a, b);
    let c = browser();
    hearth_testkit::sign_in(&s, &c, "housing_officer").await;
    for t in [&a, &b] {
        assert_eq!(s.call(t, Method::GET, "/api/v1/people?limit=1", None).await.0, StatusCode::OK);
    }
    // Signing out one token leaves the others.
    assert_eq!(s.client.delete(s.url("/api/v1/auth/token")).bearer_auth(&a).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(s.call(&a, Method::GET, "/api/v1/people?limit=1", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(s.call(&b, Method::GET, "/api/v1/people?limit=1", None).await.0, StatusCode::OK);
    // Another account's session survives sign-out everywhere.
    let other = s.token(StaffRole::IncomeOfficer).await;
    let (status, _) = s.call(&b, Method::POST, "/api/v1/auth/sign-out-everywhere", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(s.call(&b, Method::GET, "/api/v1/people?limit=1", None).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = get(&s, &c, "/search").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the browser session ended too");
    assert_eq!(s.call(&other, Method::GET, "/api/v1/people?limit=1", None).await.0, StatusCode::OK);
}

async fn a_planted_session_cookie_is_never_honoured(s: TestServer) {
    let planted = hearth_gate::auth::random_token();
    let c = browser();
    let r = c.get(s.url("/search")).header("cookie", format!("hearth_session={planted}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = c.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = field(&page, "_csrf");
    let r = c
        .post(s.url("/login"))
        .header("cookie", format!("hearth_session={planted}; hearth_login_csrf={csrf}"))
        .form(&[("_csrf", csrf.as_str()), ("username", "manager"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>();
    let issued = set.iter().find_map(|c| c.strip_prefix("hearth_session=")).expect("a session cookie").split(';').next().unwrap();
    assert_ne!(issued, planted, "sign-in issues its own secret");
    let r = browser().get(s.url("/search")).header("cookie", format!("hearth_session={planted}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the planted value still signs nobody in");
}

async fn an_idle_browser_session_ends(s: TestServer) {
    let c = browser();
    hearth_testkit::sign_in(&s, &c, "manager").await;
    let signed = s.gate.sign_in("manager", PASSWORD, SessionKind::Web).await.unwrap();
    let probe = browser();
    let cookie = format!("hearth_session={}", signed.token);
    let open = |path: &'static str| probe.get(s.url(path)).header("cookie", cookie.clone()).send();
    assert_eq!(open("/search").await.unwrap().status(), StatusCode::OK);
    // Pretend the last use was just under, then just over, the idle limit.
    let backdate = |by: jiff::SignedDuration| {
        let store = s.store.clone();
        let hash = token_hash(&signed.token);
        async move {
            let mut tx = store.begin().await.unwrap();
            let now = jiff::Timestamp::now();
            let live = staff::live_session(&mut tx, &hash, SessionKind::Web, now).await.unwrap().expect("live session");
            staff::touch_session(&mut tx, live.id, now - by).await.unwrap();
            tx.commit().await.unwrap();
        }
    };
    backdate(WEB_IDLE - jiff::SignedDuration::from_mins(2)).await;
    assert_eq!(open("/search").await.unwrap().status(), StatusCode::OK, "used within the idle limit");
    backdate(WEB_IDLE + jiff::SignedDuration::from_secs(1)).await;
    let r = open("/search").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");
    assert_eq!(open("/search").await.unwrap().status(), StatusCode::SEE_OTHER, "the session is gone, not just refused once");
    // API tokens are for machines and have no idle limit, only their expiry.
    assert_eq!(get(&s, &c, "/search").await.0, StatusCode::OK, "another session of the same account is untouched");
}

async fn a_new_password_ends_existing_sessions(s: TestServer) {
    let t = s.token(StaffRole::Dpo).await;
    let e = s.gate.set_password("dpo", "password123").await.unwrap_err();
    assert!(e.to_string().contains("too common"), "{e}");
    assert_eq!(s.call(&t, Method::GET, "/api/v1/people?limit=1", None).await.0, StatusCode::OK, "a refused change changes nothing");
    s.gate.set_password("dpo", "a brand new long passphrase").await.unwrap();
    assert_eq!(s.call(&t, Method::GET, "/api/v1/people?limit=1", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(token_attempt(&s, "dpo", "a brand new long passphrase").await.0, StatusCode::OK);
}

async fn oversized_bodies_are_refused_with_a_problem_naming_the_body(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let big = "x".repeat(hearth_http::BODY_LIMIT + 1);
    let before = s.count(hearth_store::Table::Person).await;
    let r = s
        .client
        .post(s.url("/api/v1/people"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body(format!("{{\"given_name\": \"{big}\"}}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (_, body) = hearth_testkit::split(r).await;
    assert_eq!(hearth_testkit::problem_fields(&body), ["body"]);
    // Forms have the same limit.
    let c = browser();
    let csrf = hearth_testkit::sign_in(&s, &c, "housing_officer").await;
    let r = c.post(s.url("/people")).form(&[("_csrf", csrf.as_str()), ("given_name", big.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(s.count(hearth_store::Table::Person).await, before, "nothing was saved");
}

async fn pages_and_api_answers_carry_the_security_headers(s: TestServer) {
    let t = s.token(StaffRole::HousingOfficer).await;
    let api = s.client.get(s.url("/api/v1/people?limit=1")).bearer_auth(&t).send().await.unwrap();
    let page = s.client.get(s.url("/login")).send().await.unwrap();
    for (what, r) in [("api", api), ("page", page)] {
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{what}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{what}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{what}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
        assert_eq!(h["cache-control"], "no-store", "{what}");
        assert!(h.get("strict-transport-security").is_none(), "{what}: no HSTS over plain HTTP");
    }
}

async fn api_requests_above_the_per_address_limit_are_refused(backend: Backend) {
    let limits = hearth_http::Limits { api_requests_per_minute: 5, ..Default::default() };
    let s = hearth_testkit::start_limited(backend, limits).await;
    let t = s.token(StaffRole::HousingOfficer).await; // request 1
    for i in 2..=5 {
        assert_eq!(s.call(&t, Method::GET, "/api/v1/people?limit=1", None).await.0, StatusCode::OK, "request {i}");
    }
    let r = s.client.get(s.url("/api/v1/people?limit=1")).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "{backend:?}");
    assert!(r.headers().contains_key("retry-after"));
    // Pages are not API requests and stay usable.
    assert_eq!(s.client.get(s.url("/login")).send().await.unwrap().status(), StatusCode::OK);
}

async fn two_step_sign_in_needs_a_fresh_code_from_the_app(s: TestServer) {
    use hearth_gate::totp;
    let now = || jiff::Timestamp::now().as_second();
    let c = browser();
    let csrf = hearth_testkit::sign_in(&s, &c, "asb_officer").await;
    let (_, page) = get(&s, &c, "/account").await;
    assert!(page.contains("Two-step sign-in") && page.contains("Off"));
    let (status, page) = get(&s, &c, "/account/two-step").await;
    assert_eq!(status, StatusCode::OK);
    let secret = field(&page, "secret");
    assert!(page.contains(&format!("otpauth://totp/Hearth:asb_officer?secret={secret}")));

    // A wrong code leaves it off, with the error on the code field.
    let r = c
        .post(s.url("/account/two-step"))
        .form(&[("_csrf", csrf.as_str()), ("secret", &secret), ("totp_code", "000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("href=\"#totp_code\""));
    assert_eq!(token_attempt(&s, "asb_officer", PASSWORD).await.0, StatusCode::OK, "still off");

    let code = totp::code_at(&secret, now()).unwrap();
    let r = c
        .post(s.url("/account/two-step"))
        .form(&[("_csrf", csrf.as_str()), ("secret", &secret), ("totp_code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/account?done=on");

    // Now the password alone is not enough, and a used code is not accepted again.
    let (status, body, _) = token_attempt(&s, "asb_officer", PASSWORD).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(hearth_testkit::problem_fields(&body), ["totp_code"]);
    let replay = |code: String| {
        s.client.post(s.url("/api/v1/auth/token")).json(&json!({"username": "asb_officer", "password": PASSWORD, "totp_code": code})).send()
    };
    assert_eq!(replay(code.clone()).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY, "replayed code refused");
    let next = totp::code_at(&secret, now() + totp::STEP_SECS).unwrap();
    let r = replay(next).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "password and a fresh code sign in");
    let r = s
        .client
        .post(s.url("/api/v1/auth/token"))
        .json(&json!({"username": "asb_officer", "password": "wrong password", "totp_code": totp::code_at(&secret, now()).unwrap()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a code never stands in for the password");

    // The web form asks for the code too.
    let b = browser();
    let login = b.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
    let lc = field(&login, "_csrf");
    let r =
        b.post(s.url("/login")).form(&[("_csrf", lc.as_str()), ("username", "asb_officer"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Enter the security code from your authenticator app"));

    // Turning it off needs a code the account has not used yet.
    let r = c.post(s.url("/account/two-step/off")).form(&[("_csrf", csrf.as_str()), ("totp_code", "123")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let id = s.gate.user_id("asb_officer").await.unwrap();
    let mut tx = s.store.begin().await.unwrap();
    staff::set_totp_last_step(&mut tx, id, now() / totp::STEP_SECS - 2).await.unwrap();
    tx.commit().await.unwrap();
    let code = totp::code_at(&secret, now()).unwrap();
    let r = c.post(s.url("/account/two-step/off")).form(&[("_csrf", csrf.as_str()), ("totp_code", &code)]).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/account?done=off");
    assert_eq!(token_attempt(&s, "asb_officer", PASSWORD).await.0, StatusCode::OK);
}

/// One sign-in attempt through the web form: its status and the message
/// on the page (the error summary's first entry).
async fn form_attempt(s: &TestServer, username: &str, password: &str) -> (StatusCode, String) {
    let c = browser();
    let page = c.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = field(&page, "_csrf");
    let r = c.post(s.url("/login")).form(&[("_csrf", csrf.as_str()), ("username", username), ("password", password)]).send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    let message = body
        .split("govuk-error-summary__list")
        .nth(1)
        .and_then(|rest| rest.split("</a>").next())
        .and_then(|a| a.rsplit('>').next())
        .unwrap_or("")
        .trim()
        .to_string();
    (status, message)
}

/// Regression (issue #22, item 8): the 6th and 7th wrong password gave 429
/// only for real accounts, so sign-in told a guesser which usernames exist.
/// Now a name with no account counts and locks the same way, on the API and
/// on the form, and the answers are the same, messages included. (Equal
/// timing is shown structurally: see the unit test
/// `the_dummy_hash_for_unknown_names_is_a_real_argon2id_hash_with_the_same_parameters`,
/// and `hearth-bench` prints the ratio.)
async fn unknown_and_real_usernames_get_the_same_answers_and_lock_alike(backend: Backend) {
    // No per-address limit, so only the per-name lock is seen.
    let limits = hearth_http::Limits { failed_sign_ins_per_address: 0, ..Default::default() };
    let s = hearth_testkit::start_limited(backend, limits).await;
    let tries = MAX_FAILED_SIGN_INS + 2;
    let api = async |name: &str| {
        let mut seen = vec![];
        for _ in 0..tries {
            let (status, body, retry) = token_attempt(&s, name, "not the password").await;
            seen.push((status, body["type"].clone(), body["detail"].as_str().map(|d| d.replace(char::is_numeric, "#")), retry.is_some()));
        }
        seen
    };
    let real = api(StaffRole::IncomeOfficer.as_str()).await;
    let unknown = api("no.such.person").await;
    assert_eq!(real, unknown, "{backend:?}: the API answers alike");
    assert_eq!(
        real[..MAX_FAILED_SIGN_INS as usize].iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![StatusCode::UNAUTHORIZED; MAX_FAILED_SIGN_INS as usize]
    );
    assert!(real[MAX_FAILED_SIGN_INS as usize..].iter().all(|r| r.0 == StatusCode::TOO_MANY_REQUESTS), "{real:?}");
    // Case and spaces do not make another name: the lock holds.
    assert_eq!(token_attempt(&s, "  No.Such.Person ", "x").await.0, StatusCode::TOO_MANY_REQUESTS);

    let form = async |name: &str| {
        let mut seen = vec![];
        for _ in 0..tries {
            let (status, message) = form_attempt(&s, name, "not the password").await;
            seen.push((status, message.replace(char::is_numeric, "#")));
        }
        seen
    };
    let real = form(StaffRole::AsbOfficer.as_str()).await;
    let unknown = form("nobody.here").await;
    assert_eq!(real, unknown, "{backend:?}: the form answers alike");
    assert!(real[0].0 == StatusCode::UNPROCESSABLE_ENTITY && real[0].1.contains("The username or password is not right"), "{real:?}");
    assert!(real.last().unwrap().0 == StatusCode::TOO_MANY_REQUESTS && real.last().unwrap().1.contains("Sign-in is paused"), "{real:?}");

    // Only a hash of the unknown name is kept, never the name.
    let mut tx = s.store.begin().await.unwrap();
    let held = hearth_store::staff::name_failures(&mut tx, "no.such.person").await.unwrap();
    assert!(held.is_none(), "rows are keyed by a hash, not the name");
    drop(tx);
    let dump = format!("{:?}", s.store.raw_row(hearth_store::Table::StaffUser, 1).await.unwrap());
    assert!(!dump.contains("no.such.person"));
}

async fn two_step_can_be_required_of_every_local_account(backend: Backend) {
    use hearth_gate::totp;
    let now = || jiff::Timestamp::now().as_second();
    let s = hearth_testkit::start_configured(backend, |g| g.with_two_step_required(true)).await;

    // No API token for an account without the second step, with the reason on the code field.
    let (status, body, _) = token_attempt(&s, "asb_officer", PASSWORD).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(hearth_testkit::problem_fields(&body), ["totp_code"]);
    assert!(body.to_string().contains("set it up"), "{body}");

    // The web sign-in leads to the set-up, and every other page sends there until it is done.
    let c = browser();
    let login = c.get(s.url("/login")).send().await.unwrap().text().await.unwrap();
    let lc = field(&login, "_csrf");
    let r =
        c.post(s.url("/login")).form(&[("_csrf", lc.as_str()), ("username", "asb_officer"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/account/two-step");
    for path in ["/search", "/cases", "/people/1", "/staff", "/notifications"] {
        let r = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()["location"], "/account/two-step", "{path}");
    }
    let (status, page) = get(&s, &c, "/account/two-step").await;
    assert_eq!(status, StatusCode::OK);
    let secret = field(&page, "secret");
    let csrf = field(&page, "_csrf");
    let code = totp::code_at(&secret, now()).unwrap();
    let r = c
        .post(s.url("/account/two-step"))
        .form(&[("_csrf", csrf.as_str()), ("secret", &secret), ("totp_code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/account?done=on");
    assert_eq!(get(&s, &c, "/search").await.0, StatusCode::OK, "set up, the session reaches the service");

    // It cannot be turned off while required, and the API takes the password with a code.
    let next = totp::code_at(&secret, now() + totp::STEP_SECS).unwrap();
    let r = c.post(s.url("/account/two-step/off")).form(&[("_csrf", csrf.as_str()), ("totp_code", &next)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("cannot be turned off"));
    let r = s
        .client
        .post(s.url("/api/v1/auth/token"))
        .json(&json!({"username": "asb_officer", "password": PASSWORD, "totp_code": next}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
