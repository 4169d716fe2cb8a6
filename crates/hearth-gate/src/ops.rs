//! Operations on the database as a whole, for the command line: opening it
//! (with or without bringing the schema up to date), checking the audit
//! chain, SQLite backups and counts. None of them reads or changes a
//! person's record; everything that does goes through [`Gate`].
//!
//! Surfaces hold a [`Database`], never the store itself: the store is
//! reachable only through the gate.

use crate::{Gate, Policy, Result};
use hearth_store::Store;
use std::path::PathBuf;

pub use hearth_domain::audit::Verification;
pub use hearth_store::documents::DocumentStorage;
pub use hearth_store::{parse_url, Backend, Table};

/// How a command uses the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenFor {
    /// Serve or run a command: the schema is brought up to date first.
    Work,
    /// A bulk load (`hearth import`): as `Work`, with SQLite's large page cache.
    BulkLoad,
    /// Read only what is there (checking a trail or a backup): never migrate,
    /// not even the schema.
    Inspect,
}

/// An open database, before (or instead of) a gate over it.
#[derive(Debug, Clone)]
pub struct Database(Store);

impl Database {
    pub async fn open(url: &str, purpose: OpenFor) -> Result<Database> {
        let store = match purpose {
            OpenFor::Work => Store::open(url).await?,
            OpenFor::BulkLoad => Store::open_for(url, hearth_store::Workload::BulkLoad).await?,
            OpenFor::Inspect => Store::connect(url).await?,
        };
        Ok(Database(store))
    }

    /// The gate over this database: how anything reads or writes records.
    pub fn gate(self, policy: Policy) -> Gate {
        Gate::new(self.0, policy)
    }

    pub fn backend(&self) -> Backend {
        self.0.backend()
    }

    /// Recomputes the audit chain from its first event.
    pub async fn verify_audit(&self) -> Result<Verification> {
        Ok(hearth_store::audit::verify(&self.0).await?)
    }

    /// The stored hash of one audit event, for checking a signed checkpoint.
    pub async fn audit_event_hash(&self, id: i64) -> Result<Option<String>> {
        Ok(hearth_store::audit::event_hash(&self.0, id).await?)
    }

    /// Writes a consistent copy of a SQLite database to a new file.
    pub async fn backup_sqlite_to(&self, path: &str) -> Result<()> {
        Ok(self.0.backup_sqlite_to(path).await?)
    }

    pub async fn count(&self, table: Table) -> Result<i64> {
        Ok(self.0.count(table).await?)
    }

    pub async fn close(&self) {
        self.0.close().await
    }
}

/// Where uploaded documents' bytes are kept.
pub fn documents_in(folder: Option<PathBuf>) -> std::io::Result<DocumentStorage> {
    Ok(match folder {
        Some(dir) => DocumentStorage::folder(dir)?,
        None => DocumentStorage::Database,
    })
}

impl Gate {
    /// After a bulk load: refresh the planner's statistics (PostgreSQL).
    pub async fn refresh_statistics(&self) -> Result<()> {
        Ok(self.store.refresh_statistics().await?)
    }
}
