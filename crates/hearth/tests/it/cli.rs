//! The `hearth` binary's admin commands, run as a person would run them, on
//! SQLite and on PostgreSQL.

use hearth_store::{Store, Table};
use hearth_testkit::{both_backends, Backend};
use std::process::{Command, Output};

fn hearth(db: &str, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .env("HEARTH_DATABASE_URL", db)
        .env("HEARTH_PASSWORD", "a long test password")
        .env("HEARTH_LOG", "warn")
        .output()
        .expect("run hearth");
    assert!(out.status.success(), "hearth {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Names, dates of birth and tenancies, in id order: what "the same data" means.
async fn fingerprint(url: &str) -> Vec<String> {
    let store = Store::open(url).await.unwrap();
    let gate = hearth_gate::Gate::new(store.clone(), hearth_gate::Policy::shipped().unwrap());
    let actor = hearth_gate::Actor {
        user_id: 1,
        username: "test".into(),
        display_name: "Test".into(),
        role: hearth_domain::staff::StaffRole::HousingOfficer,
        purpose: "test".into(),
        responsibilities: vec![],
        scope: None,
    };
    let mut out = vec![];
    let mut after = None;
    loop {
        let page = gate.list_people(&actor, &Default::default(), after, Some(100)).await.unwrap();
        out.extend(page.items.iter().map(|p| format!("{} {} {:?} {:?}", p.given_name, p.family_name, p.date_of_birth, p.ni_number)));
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    let mut after = None;
    loop {
        let page = gate.list_tenancies(&actor, after, Some(100)).await.unwrap();
        out.extend(page.items.iter().map(|t| format!("{} {} {}", t.reference, t.tenure, t.start_date)));
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    store.close().await;
    out
}

#[test]
fn migrate_creates_the_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let out = hearth(&format!("sqlite://{}", path.display()), &["migrate"]);
    assert!(path.exists());
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));
}

both_backends!(backend: demo_and_user_add_work, joiners_movers_and_leavers_from_the_command_line);

/// Determinism is the generator's, the same on either engine, so this
/// loads the full demo three times on SQLite only.
#[tokio::test]
async fn demo_is_deterministic_and_covers_every_tenure() {
    let dir = tempfile::tempdir().unwrap();
    let a = format!("sqlite://{}", dir.path().join("a.db").display());
    let b = format!("sqlite://{}", dir.path().join("b.db").display());
    let c = format!("sqlite://{}", dir.path().join("c.db").display());
    let out = hearth(&a, &["demo", "--seed", "5"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("advisor") && text.contains("hearth-demo"), "prints the logins: {text}");
    hearth(&b, &["demo", "--seed", "5"]);
    hearth(&c, &["demo", "--seed", "6"]);
    let (fa, fb, fc) = (fingerprint(&a).await, fingerprint(&b).await, fingerprint(&c).await);
    assert_eq!(fa, fb, "same seed, same data");
    assert_ne!(fa, fc, "another seed, other data");
    assert!(fa.len() > 300, "a few hundred people: {}", fa.len());
    for tenure in hearth_domain::property::Tenure::ALL {
        assert!(fa.iter().any(|l| l.contains(&format!(" {} ", tenure.as_str()))), "demo has a {tenure} tenancy");
    }
    // Loading again adds nothing.
    let again = hearth(&a, &["demo", "--seed", "5"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already loaded"));
    assert_eq!(fingerprint(&a).await.len(), fa.len());
}

async fn demo_and_user_add_work(backend: Backend) {
    let db = hearth_testkit::database(backend).await;
    let url = db.url.clone();
    hearth(&url, &["demo", "--seed", "2", "--households", "15"]);
    let out = hearth(&url, &["user", "add", "pat.officer", "--role", "housing_officer", "--name", "Pat Officer"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Added pat.officer"));
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.count(Table::StaffUser).await.unwrap(), 13, "twelve demo roles and the new account");
    assert!(store.count(Table::Person).await.unwrap() >= 15);
    assert_eq!(store.count(Table::Tenancy).await.unwrap(), 15);
    store.close().await;
}

/// Runs hearth and returns its output whether or not it succeeded.
fn hearth_may_fail(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .env("HEARTH_DATABASE_URL", db)
        .env("HEARTH_PASSWORD", "a long test password")
        .env("HEARTH_LOG", "warn")
        .output()
        .expect("run hearth")
}

async fn joiners_movers_and_leavers_from_the_command_line(backend: Backend) {
    let db = hearth_testkit::database(backend).await;
    let url = db.url.clone();
    hearth(&url, &["user", "add", "admin", "--role", "system_administrator", "--name", "Ada Admin"]);
    hearth(&url, &["user", "add", "boss", "--role", "manager", "--name", "Bo Boss"]);
    hearth(&url, &["user", "add", "leaver", "--role", "housing_officer", "--name", "Lee Leaver"]);
    let text = |o: Output| String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);

    let list = text(hearth(&url, &["user", "list", "--as", "admin"]));
    assert!(list.contains("Lee Leaver") && list.contains("Housing officer") && list.contains("never signed in"), "{list}");
    let out = text(hearth(&url, &["user", "set-role", "leaver", "asb_officer", "--as", "admin"]));
    assert!(out.contains("ASB officer"), "{out}");
    let out = text(hearth(&url, &["user", "set-manager", "leaver", "boss", "--as", "admin"]));
    assert!(out.contains("Bo Boss"), "{out}");
    let out = text(hearth(&url, &["user", "set-responsibility", "boss", "asb,safeguarding", "--as", "admin"]));
    assert!(out.contains("boss"), "{out}");
    hearth(&url, &["user", "reset-password", "leaver", "--as", "admin"]);
    let out = text(hearth(&url, &["user", "disable", "leaver", "--as", "admin"]));
    assert!(out.contains("disabled"), "{out}");

    // Refusals: an unknown operator, a non-administrator, the administrator on themselves.
    let out = hearth_may_fail(&url, &["user", "disable", "boss", "--as", "nobody"]);
    assert!(!out.status.success() && text(out).contains("not an active staff account"));
    let out = hearth_may_fail(&url, &["user", "disable", "admin", "--as", "boss"]);
    assert!(!out.status.success(), "a manager cannot disable an account");
    let out = hearth_may_fail(&url, &["user", "disable", "admin", "--as", "admin"]);
    assert!(!out.status.success() && text(out).contains("own account"));
    let out = hearth_may_fail(&url, &["user", "disable", "leaver", "--as", "leaver"]);
    assert!(!out.status.success(), "a disabled account is no operator");

    let store = Store::open(&url).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let events = hearth_store::audit::events_after(&mut tx, 0, 1000).await.unwrap();
    drop(tx);
    let changes: Vec<_> = events.iter().filter(|e| e.event.record_type == "staff_user" && e.event.action == "edit").collect();
    assert_eq!(changes.iter().filter(|e| e.event.decision == "allow").count(), 5, "each change is audited");
    assert!(changes.iter().all(|e| e.event.purpose == "system_security" && e.event.actor_username != "nobody"));
    assert!(changes.iter().any(|e| e.event.decision == "deny" && e.event.actor_username == "boss"), "the refusal is audited");
    let accounts = hearth_store::staff::accounts(&mut store.begin().await.unwrap()).await.unwrap();
    let leaver = accounts.iter().find(|a| a.username == "leaver").unwrap();
    assert_eq!((leaver.active, leaver.role.as_str(), leaver.manager_name.as_deref()), (false, "asb_officer", Some("Bo Boss")));
    assert_eq!(accounts.iter().find(|a| a.username == "boss").unwrap().responsibilities, ["asb", "safeguarding"]);
    store.close().await;
}

#[test]
fn user_add_refuses_an_unknown_role() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["user", "add", "someone", "--role", "wizard", "--name", "Some One"])
        .env("HEARTH_DATABASE_URL", format!("sqlite://{}", dir.path().join("u.db").display()))
        .env("HEARTH_PASSWORD", "a long test password")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));
}

#[test]
fn a_bad_policy_file_stops_start_up_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hearth.cedar"), "permit (principal, action, resource) when { resource.colour == \"red\" };").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["migrate"])
        .env("HEARTH_DATABASE_URL", format!("sqlite://{}", dir.path().join("p.db").display()))
        .env("HEARTH_POLICY_DIR", dir.path())
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("access policies") && err.contains("hearth.cedar"), "{err}");
}

#[test]
fn a_bad_equality_key_stops_start_up_and_a_good_one_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("edi.key");
    let run = |key: &str| {
        std::fs::write(&key_file, key).unwrap();
        Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(["migrate", "--edi-key-file"])
            .arg(&key_file)
            .env("HEARTH_DATABASE_URL", format!("sqlite://{}", dir.path().join("k.db").display()))
            .env("RUST_BACKTRACE", "0")
            .output()
            .unwrap()
    };
    let out = run("not-a-key");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("equality key file") && err.contains("64 hexadecimal characters"), "{err}");
    let out = run(&format!("{}\n", "3c".repeat(32)));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Runs `hearth` with a register file; returns the output whatever it is.
fn with_register(db: &str, register: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .env("HEARTH_DATABASE_URL", db)
        .env("HEARTH_RECORD_CLASSES", register)
        .env("HEARTH_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap()
}

#[test]
fn a_record_class_without_a_purpose_or_rule_stops_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut raw: serde_json::Value = serde_json::from_str(hearth_domain::retention::SHIPPED_REGISTER).unwrap();
    for e in raw["record_classes"].as_array_mut().unwrap() {
        if e["class"] == "call_recording" {
            e["purpose"] = "".into();
        }
    }
    raw["record_classes"].as_array_mut().unwrap().retain(|e| e["class"] != "need");
    let path = dir.path().join("register.json");
    std::fs::write(&path, raw.to_string()).unwrap();
    let db = format!("sqlite://{}", dir.path().join("r.db").display());
    for args in [&["migrate"][..], &["serve", "--listen", "127.0.0.1:0"], &["retention", "plan", "--operator", "dpo"], &["ropa"]] {
        let out = with_register(&db, &path, args);
        assert!(!out.status.success(), "{args:?} must refuse the register");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("register of record classes"), "{args:?}: {err}");
        assert!(err.contains("(call_recording).purpose: Give the purpose"), "{args:?}: {err}");
        assert!(err.contains("Record class need (Needs and vulnerabilities) has no entry"), "{args:?}: {err}");
    }
    assert!(!dir.path().join("r.db").exists(), "refused before the database is touched");
    // A rule Hearth cannot carry out for a class it already disposes of is refused too.
    let mut raw: serde_json::Value = serde_json::from_str(hearth_domain::retention::SHIPPED_REGISTER).unwrap();
    for e in raw["record_classes"].as_array_mut().unwrap() {
        if e["class"] == "contact_log_chatbot" {
            e["retention"]["trigger"] = "last_contact".into();
        }
    }
    std::fs::write(&path, raw.to_string()).unwrap();
    let out = with_register(&db, &path, &["migrate"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("contact_log_chatbot") && err.contains("after the last contact"), "{err}");
}

#[test]
fn ropa_exports_every_record_class_with_purpose_and_lawful_basis() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("unused.db").display());
    let csv = String::from_utf8(hearth(&db, &["ropa"]).stdout).unwrap();
    let register = hearth_domain::retention::Register::shipped();
    assert_eq!(csv.lines().count(), hearth_domain::retention::RecordClass::ALL.len() + 1);
    for class in hearth_domain::retention::RecordClass::ALL {
        let line = csv.lines().find(|l| l.starts_with(&format!("{},", class.as_str()))).unwrap_or_else(|| panic!("{class} missing"));
        let e = register.entry(*class);
        assert!(line.contains(e.purpose.split(',').next().unwrap()), "{line}");
        assert!(line.contains("(Art. 6(1)("), "{line}");
    }
    let out = dir.path().join("ropa.html");
    hearth(&db, &["ropa", "--format", "html", "--out", out.to_str().unwrap()]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<section id=").count(), hearth_domain::retention::RecordClass::ALL.len());
    assert!(!dir.path().join("unused.db").exists(), "ropa never opens the database");
}

#[test]
fn retention_plan_and_run_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("d.db").display());
    hearth(&db, &["demo", "--seed", "2", "--households", "5"]);
    let plan = String::from_utf8(hearth(&db, &["retention", "plan", "--operator", "dpo", "--as-of", "2030-01-01"]).stdout).unwrap();
    assert!(plan.contains("dry run") && plan.contains("contact_log_chatbot") && plan.contains("Not swept by this version"), "{plan}");
    let run = String::from_utf8(hearth(&db, &["retention", "run", "--operator", "dpo", "--as-of", "2030-01-01"]).stdout).unwrap();
    assert!(run.starts_with("Retention run 1 as of 2030-01-01"), "{run}");
    let csv = String::from_utf8(hearth(&db, &["retention", "certificates", "--operator", "dpo"]).stdout).unwrap();
    assert!(csv.starts_with("certificate,run,record_class,rule"), "{csv}");
    assert!(String::from_utf8(hearth(&db, &["audit", "verify"]).stdout).unwrap().starts_with("Audit chain intact"));
    let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["retention", "run", "--operator", "nobody.here"])
        .env("HEARTH_DATABASE_URL", &db)
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no active staff account \"nobody.here\""));
}

#[test]
fn scheduled_retention_in_serve_needs_a_valid_operator_and_interval() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("s.db").display());
    for (args, words) in [
        (&["serve", "--listen", "127.0.0.1:0", "--retention-every", "24h"][..], "--retention-every needs --retention-operator"),
        (
            &["serve", "--listen", "127.0.0.1:0", "--retention-every", "24h", "--retention-operator", "nobody.here"],
            "is not an active staff account",
        ),
        (&["serve", "--listen", "127.0.0.1:0", "--retention-every", "5s", "--retention-operator", "dpo"], "interval like 30m"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(args)
            .env("HEARTH_DATABASE_URL", &db)
            .env("RUST_BACKTRACE", "0")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(words), "{args:?}: {err}");
    }
}
