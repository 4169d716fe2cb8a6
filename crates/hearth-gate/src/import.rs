//! Bulk import (`hearth import`): a batch of validated rows from a legacy
//! system's export is decided once (action `import` on the batch's
//! compartment), written in one transaction and recorded by one audit event
//! naming the import and the lines it covers. A database failure anywhere
//! in the batch rolls all of it back: no partial batch is ever stored.

use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::{Action, Compartment, ContactFields, Id, PersonFields};
use hearth_store::import::{self as q, TenancyImport};
use hearth_store::Tx;
use jiff::Timestamp;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The rows of one batch, all of one file.
#[derive(Debug, Clone, Copy)]
pub enum ImportRows<'a> {
    People(&'a [PersonFields]),
    Tenancies(&'a [TenancyImport]),
    Contacts(&'a [ContactFields]),
}

impl ImportRows<'_> {
    fn len(&self) -> usize {
        match self {
            ImportRows::People(r) => r.len(),
            ImportRows::Tenancies(r) => r.len(),
            ImportRows::Contacts(r) => r.len(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ImportRows::People(_) => "people",
            ImportRows::Tenancies(_) => "tenancies",
            ImportRows::Contacts(_) => "contacts",
        }
    }

    /// The compartment the batch's records are filed in.
    pub fn compartment(&self) -> Compartment {
        match self {
            ImportRows::People(_) => Compartment::Identity,
            ImportRows::Tenancies(_) => Compartment::Tenancy,
            ImportRows::Contacts(_) => Compartment::ContactLog,
        }
    }
}

/// What the batch's audit event names: the import and where in the file the rows came from.
#[derive(Debug, Clone, Copy)]
pub struct BatchInfo<'a> {
    /// The import's name, chosen by whoever runs it (e.g. `legacy-2026-12`).
    pub import: &'a str,
    /// The file the rows came from.
    pub file: &'a str,
    pub first_line: usize,
    pub last_line: usize,
}

/// Why a batch was not stored. `row` is the index in the batch of the row
/// the database refused, when one row was at fault.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct BatchFailure {
    pub row: Option<usize>,
    pub error: GateError,
}

impl Gate {
    /// Stores one batch of imported rows; their new ids in the order given.
    pub async fn import_batch(&self, actor: &Actor, info: BatchInfo<'_>, rows: ImportRows<'_>) -> Result<Vec<Id>, BatchFailure> {
        if rows.len() == 0 {
            return Ok(vec![]);
        }
        let failed = AtomicUsize::new(usize::MAX);
        let detail = json!({
            "import": info.import, "file": info.file, "kind": rows.kind(), "rows": rows.len(),
            "first_line": info.first_line, "last_line": info.last_line,
        });
        let result = self
            .guarded(actor, Action::Import, rows.compartment(), Target::collection("import_batch"), async |tx: &mut Tx| {
                let now = Timestamp::now();
                let ids = match rows {
                    ImportRows::People(p) => q::insert_people(tx, p, now).await?,
                    ImportRows::Tenancies(t) => q::insert_tenancies(tx, t, now).await.map_err(|f| {
                        failed.store(f.index, Ordering::Relaxed);
                        GateError::from(f.error)
                    })?,
                    ImportRows::Contacts(c) => q::insert_contacts(tx, c, actor.user_id).await?,
                };
                let mut detail = detail;
                detail["first_id"] = json!(ids.first());
                detail["last_id"] = json!(ids.last());
                Ok((ids, Target::collection("import_batch"), Some(detail)))
            })
            .await;
        result.map_err(|error| {
            let row = failed.load(Ordering::Relaxed);
            BatchFailure { row: (row != usize::MAX).then_some(row), error }
        })
    }
}
