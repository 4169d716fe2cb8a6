//! Signing in through the organisation's identity provider, at the gate, on
//! both backends: what the verified token says (subject, username, groups)
//! decides whether a person gets in and with what role. A joiner's account
//! is made, a mover's role follows their groups, a leaver stays out, someone
//! in no mapped group is refused, a name held by another identity is not
//! taken over, and switching local passwords off shuts the password door.

use hearth_domain::identity::IdentityConfig;
use hearth_domain::staff::{SessionKind, StaffChange, StaffRole};
use hearth_gate::auth::DirectoryIdentity;
use hearth_gate::GateError;
use hearth_testkit::{both_backends, fresh_gate_with, Backend, TestGate, PASSWORD};

both_backends!(
    backend: a_joiner_gets_the_role_their_groups_map_to_and_a_mover_the_new_one,
    nobody_gets_in_without_a_mapped_role_or_with_a_disabled_account,
    a_username_held_by_another_identity_is_not_taken_over,
    local_passwords_can_be_switched_off_and_two_step_is_the_providers_job,
);

const IDENTITY: &str = r#"{
    "groups": [
        { "group": "Hearth housing officers", "role": "housing_officer" },
        { "group": "Hearth ASB team", "role": "asb_officer", "responsibilities": ["asb"] }
    ]
}"#;

async fn gate(backend: Backend, passwords: bool) -> TestGate {
    let mut identity = IdentityConfig::parse(IDENTITY).unwrap();
    identity.local_passwords = passwords;
    fresh_gate_with(backend, |g| g.with_identity(identity).with_two_step_required(true)).await
}

fn ada(groups: &[&str]) -> DirectoryIdentity {
    DirectoryIdentity {
        subject: "https://id.example|ada-1".into(),
        username: "Ada.Quillfake@Riverside.example".into(),
        display_name: "Ada Quillfake".into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        manager: Some("manager".into()),
    }
}

fn refused_saying(e: GateError, words: &str) {
    match e {
        GateError::SignInRefused(m) => assert!(m.contains(words), "{m}"),
        other => panic!("expected a sign-in refusal, got {other:?}"),
    }
}

async fn a_joiner_gets_the_role_their_groups_map_to_and_a_mover_the_new_one(backend: Backend) {
    let g = gate(backend, true).await;
    let signed = g.gate.sign_in_from_directory(&ada(&["Hearth housing officers"])).await.unwrap();
    assert_eq!(signed.actor.role, StaffRole::HousingOfficer);
    assert_eq!(signed.actor.username, "ada.quillfake@riverside.example");
    assert!(!signed.must_set_up_two_step, "the provider does the second step");
    let live = g.gate.session(&signed.token, SessionKind::Web).await.unwrap();
    assert_eq!(live.actor.user_id, signed.actor.user_id);
    assert!(!live.must_set_up_two_step);
    let admin = g.gate.actor_for("system_administrator", "system_security").await.unwrap();
    let account = g.gate.staff_account(&admin, signed.actor.user_id).await.unwrap();
    assert_eq!(account.manager_name.as_deref(), Some("Test Manager"), "the manager claim names the line manager");
    assert!(account.directory, "a joiner made by single sign-on is the directory's account");
    // A mover: the directory moved them to the ASB team; the next sign-in carries it.
    let moved = g.gate.sign_in_from_directory(&ada(&["Hearth ASB team", "Everyone"])).await.unwrap();
    assert_eq!(moved.actor.user_id, signed.actor.user_id, "the same account, found by subject");
    assert_eq!(moved.actor.role, StaffRole::AsbOfficer);
    assert_eq!(moved.actor.responsibilities, vec!["asb".to_string()]);
    // The earlier session reads the new role too: roles are read per request.
    assert_eq!(g.gate.session(&signed.token, SessionKind::Web).await.unwrap().actor.role, StaffRole::AsbOfficer);
    // No Hearth password matches a directory account.
    assert!(matches!(
        g.gate.sign_in("ada.quillfake@riverside.example", "!directory", SessionKind::Web).await,
        Err(GateError::Unauthenticated)
    ));
    // The joiner and the move are in the audit trail, by name.
    let mut tx = g.store.begin().await.unwrap();
    let events = hearth_store::audit::events_after(&mut tx, 0, 100_000).await.unwrap();
    drop(tx);
    let changes: Vec<_> = events
        .iter()
        .filter(|e| e.event.record_type == "staff_user" && e.event.record_id == Some(signed.actor.user_id))
        .filter_map(|e| e.event.detail.clone())
        .collect();
    assert!(changes.iter().any(|d| d.contains("Joined by single sign-on") && d.contains("ada.quillfake")), "{changes:?}");
    assert!(changes.iter().any(|d| d.contains("from the directory") && d.contains("asb_officer")), "{changes:?}");
}

async fn nobody_gets_in_without_a_mapped_role_or_with_a_disabled_account(backend: Backend) {
    let g = gate(backend, true).await;
    refused_saying(g.gate.sign_in_from_directory(&ada(&["Finance"])).await.unwrap_err(), "not in any group");
    refused_saying(g.gate.sign_in_from_directory(&ada(&[])).await.unwrap_err(), "not in any group");
    let admin = g.gate.actor_for("system_administrator", "system_security").await.unwrap();
    assert!(g.gate.staff_accounts(&admin).await.unwrap().iter().all(|a| !a.username.starts_with("ada")), "no account for the refused");
    // A leaver disabled in Hearth stays out, whatever the provider says.
    let signed = g.gate.sign_in_from_directory(&ada(&["Hearth housing officers"])).await.unwrap();
    g.gate.change_staff(&admin, signed.actor.user_id, &StaffChange::Disable).await.unwrap();
    assert!(g.gate.session(&signed.token, SessionKind::Web).await.is_err(), "disabling ends the session");
    refused_saying(g.gate.sign_in_from_directory(&ada(&["Hearth housing officers"])).await.unwrap_err(), "disabled");
}

async fn a_username_held_by_another_identity_is_not_taken_over(backend: Backend) {
    let g = gate(backend, true).await;
    // A local account of the same name is linked at its first single sign-on…
    let local = DirectoryIdentity { username: "housing_officer".into(), ..ada(&["Hearth housing officers"]) };
    let first = g.gate.sign_in_from_directory(&local).await.unwrap();
    assert_eq!(first.actor.display_name, "Test Housing officer", "the existing account, not a new one");
    // …and after that another subject with that name cannot reach it.
    let other = DirectoryIdentity { subject: "https://id.example|mallory-9".into(), ..local.clone() };
    refused_saying(g.gate.sign_in_from_directory(&other).await.unwrap_err(), "cannot be matched");
    // Nor can anyone become a service account by name.
    let svc = DirectoryIdentity { subject: "https://id.example|s".into(), username: "svc-anything".into(), ..local };
    assert!(g.gate.sign_in_from_directory(&svc).await.is_ok(), "a new name is a joiner");
}

async fn local_passwords_can_be_switched_off_and_two_step_is_the_providers_job(backend: Backend) {
    let g = gate(backend, false).await;
    for kind in [SessionKind::Web, SessionKind::Api] {
        refused_saying(g.gate.sign_in("housing_officer", PASSWORD, kind).await.unwrap_err(), "passwords are switched off");
    }
    assert!(g.gate.sign_in_from_directory(&ada(&["Hearth housing officers"])).await.is_ok());
    // With passwords on, a password session must still set up two-step sign-in.
    let g = gate(backend, true).await;
    let signed = g.gate.sign_in("housing_officer", PASSWORD, SessionKind::Web).await.unwrap();
    assert!(signed.must_set_up_two_step);
}
