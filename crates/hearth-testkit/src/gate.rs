//! A fresh gate with one staff account per role, for tests that call the
//! gate directly.

use crate::db::{database, Backend, Database};
use hearth_domain::staff::StaffRole;
use hearth_gate::{Actor, Gate, Policy};
use hearth_store::audit::{AuditEvent, Verification};
use hearth_store::{Store, Table};

/// The password of every test account.
pub const PASSWORD: &str = "test-password-123";

/// A gate (shipped policies) over a fresh database, with one account per
/// role named after it (`housing_officer`, `dpo`, …, display name
/// `Test <label>`), and the store under it for checking what was written.
pub struct TestGate {
    pub gate: Gate,
    pub store: Store,
    pub db: Database,
}

/// A fresh gate on `backend` (see [`TestGate`]).
pub async fn fresh_gate(backend: Backend) -> TestGate {
    fresh_gate_with(backend, |g| g).await
}

/// A fresh gate that `configure` sets up (document storage, an equality key…).
pub async fn fresh_gate_with(backend: Backend, configure: impl FnOnce(Gate) -> Gate) -> TestGate {
    let db = database(backend).await;
    let store = Store::open(&db.url).await.expect("open store");
    let gate = configure(Gate::new(store.clone(), Policy::shipped().expect("shipped policies are valid")));
    for role in StaffRole::ALL {
        gate.add_user(role.as_str(), &format!("Test {}", role.label()), *role, &[], PASSWORD).await.unwrap();
    }
    TestGate { gate, store, db }
}

impl TestGate {
    /// The account of `role`, acting for the default purpose.
    pub async fn actor(&self, role: StaffRole) -> Actor {
        self.gate.actor_for(role.as_str(), hearth_gate::DEFAULT_PURPOSE).await.unwrap()
    }

    pub async fn count(&self, table: Table) -> i64 {
        self.store.count(table).await.unwrap()
    }

    /// Every audit event after `after` (an id), oldest first.
    pub async fn audit_after(&self, after: i64) -> Vec<AuditEvent> {
        let mut tx = self.store.begin().await.unwrap();
        hearth_store::audit::events_after(&mut tx, after, 100_000).await.unwrap()
    }

    /// The id of the newest audit event (0 when there is none).
    pub async fn last_audit_id(&self) -> i64 {
        self.audit_after(0).await.last().map(|e| e.id).unwrap_or(0)
    }

    /// The audit chain as `hearth audit verify` checks it, through
    /// `hearth_gate::ops` on a connection of its own.
    pub async fn verify_audit(&self) -> Verification {
        let db = hearth_gate::ops::Database::open(&self.db.url, hearth_gate::ops::OpenFor::Inspect).await.unwrap();
        let v = db.verify_audit().await.unwrap();
        db.close().await;
        v
    }
}
