//! Bulk import (`hearth import`): a batch of validated rows from a legacy
//! system's export is decided once (action `import` on the batch's
//! compartment), written in one transaction and recorded by one audit event
//! naming the import and the lines it covers. A database failure anywhere
//! in the batch rolls all of it back: no partial batch is ever stored.
//!
//! Needs, warning flags and equality answers are about people already in
//! the database: the batch looks them all up in one query and fails at the
//! first row whose person is missing. Equality answers are sealed here, row
//! by row, exactly as a capture through the API is; the audit event says
//! how many were stored, never what they hold.

use crate::edi::seal_capture;
use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::import::{About, EqualityFields};
use hearth_domain::{
    access::{Action, Compartment},
    contacts::ContactFields,
    error::FieldError,
    needs::{NeedFields, WarningFlagFields},
    people::PersonFields,
    Id,
};
use hearth_store::import::{self as q, SealedCapture, TenancyImport};
use hearth_store::Tx;
use jiff::civil::Date;
use jiff::Timestamp;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The rows of one batch, all of one file.
#[derive(Debug, Clone, Copy)]
pub enum ImportRows<'a> {
    People(&'a [PersonFields]),
    Tenancies(&'a [TenancyImport]),
    Contacts(&'a [ContactFields]),
    Needs(&'a [About<NeedFields>]),
    WarningFlags(&'a [About<WarningFlagFields>]),
    Equality(&'a [About<EqualityFields>]),
}

impl ImportRows<'_> {
    fn len(&self) -> usize {
        match self {
            ImportRows::People(r) => r.len(),
            ImportRows::Tenancies(r) => r.len(),
            ImportRows::Contacts(r) => r.len(),
            ImportRows::Needs(r) => r.len(),
            ImportRows::WarningFlags(r) => r.len(),
            ImportRows::Equality(r) => r.len(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ImportRows::People(_) => "people",
            ImportRows::Tenancies(_) => "tenancies",
            ImportRows::Contacts(_) => "contacts",
            ImportRows::Needs(_) => "needs",
            ImportRows::WarningFlags(_) => "warning_flags",
            ImportRows::Equality(_) => "equality",
        }
    }

    /// The compartment the batch's records are filed in.
    pub fn compartment(&self) -> Compartment {
        match self {
            ImportRows::People(_) => Compartment::Identity,
            ImportRows::Tenancies(_) => Compartment::Tenancy,
            ImportRows::Contacts(_) => Compartment::ContactLog,
            ImportRows::Needs(_) => Compartment::Needs,
            ImportRows::WarningFlags(_) => Compartment::WarningFlags,
            ImportRows::Equality(_) => Compartment::Edi,
        }
    }
}

/// The batch's people (id → date of birth), looked up in one query; the
/// index of the first row whose person is missing is left in `failed`.
async fn batch_people(tx: &mut Tx, people: &[Id], failed: &AtomicUsize) -> Result<HashMap<Id, Option<Date>>> {
    let found = q::people_born(tx, people).await?;
    if let Some(i) = people.iter().position(|p| !found.contains_key(p)) {
        failed.store(i, Ordering::Relaxed);
        return Err(FieldError::new("person_ref", "No such person: they are no longer in the database").into());
    }
    Ok(found)
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
                    ImportRows::Needs(n) => {
                        batch_people(tx, &n.iter().map(|r| r.person_id).collect::<Vec<_>>(), &failed).await?;
                        q::insert_needs(tx, n, actor.user_id, now).await?
                    }
                    ImportRows::WarningFlags(f) => {
                        batch_people(tx, &f.iter().map(|r| r.person_id).collect::<Vec<_>>(), &failed).await?;
                        q::insert_flags(tx, f, actor.user_id, now).await?
                    }
                    ImportRows::Equality(e) => {
                        let key = self.edi_key()?;
                        let born = batch_people(tx, &e.iter().map(|r| r.person_id).collect::<Vec<_>>(), &failed).await?;
                        let today = Gate::today();
                        let sealed = e
                            .iter()
                            .enumerate()
                            .map(|(i, r)| {
                                let f = &r.fields;
                                // Checked again here, as record_edi checks: the answers are sealed unread from now on.
                                if f.recorded_on > today {
                                    failed.store(i, Ordering::Relaxed);
                                    return Err(FieldError::new("recorded_on", "The date recorded must not be in the future").into());
                                }
                                f.answers.validate(f.recorded_on).inspect_err(|_| failed.store(i, Ordering::Relaxed))?;
                                let sealed = seal_capture(key, r.person_id, &f.answers, born[&r.person_id], f.recorded_on)?;
                                Ok(SealedCapture { person_id: r.person_id, sealed, source: f.source, recorded_on: f.recorded_on })
                            })
                            .collect::<Result<Vec<_>>>()?;
                        q::insert_edi(tx, &sealed, actor.user_id, now).await?
                    }
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
