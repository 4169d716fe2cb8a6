//! Queries for documents and where their bytes live: in the `content`
//! column (the default) or as a file in the configured documents folder.
//!
//! A file in the folder is named by a random id the gate chooses, never by
//! anything a user typed, so no upload can pick a path. The folder is never
//! served over HTTP: bytes leave only through [`content`], which the gate
//! calls after deciding and before auditing. Listing applies the caller's
//! visibility in the SQL, as the contact log does.

use crate::contacts::ContactVisibility;
use crate::time::{get_ts, ts};
use crate::{is_reference_violation, vocab, Page, Result, StoreError, Tx};
use hearth_domain::{
    access::Compartment,
    documents::{Document, DocumentFiling, DocumentKind},
    Id,
};
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::io::Write;
use std::path::PathBuf;

/// Where new documents' bytes are kept.
#[derive(Debug, Clone, Default)]
pub enum DocumentStorage {
    /// In the database, beside the metadata (one backup holds everything).
    #[default]
    Database,
    /// Files in this folder, named by random ids.
    Folder(PathBuf),
}

impl DocumentStorage {
    /// Checks a folder exists and is writable, so a bad setting stops start-up.
    pub fn folder(path: PathBuf) -> std::io::Result<DocumentStorage> {
        std::fs::create_dir_all(&path)?;
        let probe = path.join(".hearth-write-check");
        std::fs::write(&probe, b"ok")?;
        std::fs::remove_file(&probe)?;
        Ok(DocumentStorage::Folder(path))
    }
}

/// A new document: what the gate validated and decided.
pub struct NewDocument<'a> {
    pub person_id: Id,
    pub compartment: Compartment,
    pub case_id: Option<Id>,
    pub entry_id: Option<Id>,
    pub kind: DocumentKind,
    pub title: &'a str,
    pub legally_privileged: bool,
    pub filed_as: DocumentFiling,
    pub bytes: &'a [u8],
    pub sha256: &'a str,
    /// A random id: the file's name when stored in a folder.
    pub stored_name: &'a str,
    pub uploaded_by: Id,
}

const COLUMNS: &str =
    "d.id, d.person_id, d.compartment, d.case_id, d.entry_id, d.kind, d.title, d.legally_privileged, d.filed_as, d.byte_size, d.sha256, d.uploaded_by, d.uploaded_at";

fn document_from(row: &AnyRow) -> Result<Document> {
    let kind = vocab(row, "kind", DocumentKind::parse)?;
    Ok(Document {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        compartment: vocab(row, "compartment", Compartment::parse)?,
        case_id: row.try_get("case_id")?,
        contact_entry_id: row.try_get("entry_id")?,
        kind,
        media_type: kind.media_type().into(),
        title: row.try_get("title")?,
        byte_size: row.try_get("byte_size")?,
        legally_privileged: row.try_get::<i64, _>("legally_privileged")? != 0,
        filed_as: vocab(row, "filed_as", DocumentFiling::parse)?,
        sha256: row.try_get("sha256")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: get_ts(row, "uploaded_at")?,
    })
}

fn safe_name(name: &str) -> Result<&str> {
    // Belt and braces: the gate makes these, but a path must never come from a row.
    if !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(name)
    } else {
        Err(StoreError::Corrupt { column: "stored_name", value: name.into() })
    }
}

/// Stores a document's metadata and bytes. In folder storage the file is
/// written (and synced) first and removed again if the row cannot be stored;
/// a crash between the two leaves at worst an unreferenced file.
pub async fn insert(tx: &mut Tx, storage: &DocumentStorage, d: &NewDocument<'_>, now: Timestamp) -> Result<Id> {
    let name = safe_name(d.stored_name)?;
    let (content, stored_name, written) = match storage {
        DocumentStorage::Database => (Some(d.bytes), None, None),
        DocumentStorage::Folder(dir) => {
            let path = dir.join(name);
            let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(io_error)?;
            f.write_all(d.bytes).and_then(|_| f.sync_all()).map_err(|e| {
                let _ = std::fs::remove_file(&path);
                io_error(e)
            })?;
            (None, Some(name), Some(path))
        }
    };
    let result = sqlx::query(
        "INSERT INTO document (person_id, compartment, case_id, entry_id, kind, title, byte_size, sha256, content, stored_name,
             uploaded_by, uploaded_at, legally_privileged, filed_as)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(d.person_id)
    .bind(d.compartment.as_str())
    .bind(d.case_id)
    .bind(d.entry_id)
    .bind(d.kind.as_str())
    .bind(d.title)
    .bind(d.bytes.len() as i64)
    .bind(d.sha256)
    .bind(content.map(<[u8]>::to_vec))
    .bind(stored_name)
    .bind(d.uploaded_by)
    .bind(ts(now))
    .bind(d.legally_privileged as i64)
    .bind(d.filed_as.as_str())
    .fetch_one(tx.conn())
    .await;
    match result {
        Ok(row) => Ok(row.try_get("id")?),
        Err(e) => {
            if let Some(p) = written {
                let _ = std::fs::remove_file(p);
            }
            Err(if is_reference_violation(&e) { StoreError::field("person_id", "No such person") } else { e.into() })
        }
    }
}

/// Removes a document's file from the folder (retention); a file already
/// gone is not an error.
pub(crate) fn remove_file(storage: &DocumentStorage, name: &str) -> Result<()> {
    let DocumentStorage::Folder(dir) = storage else { return Ok(()) };
    match std::fs::remove_file(dir.join(safe_name(name)?)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_error(e)),
        _ => Ok(()),
    }
}

fn io_error(e: std::io::Error) -> StoreError {
    StoreError::Db(sqlx::Error::Io(e))
}

pub async fn document(tx: &mut Tx, id: Id) -> Result<Document> {
    let sql = format!("SELECT {COLUMNS} FROM document d WHERE d.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(document_from).transpose()?.ok_or(StoreError::NotFound)
}

/// Just what the gate needs to decide about a document: compartment, case, person.
pub async fn document_access(tx: &mut Tx, id: Id) -> Result<Option<(Compartment, Option<Id>, Id)>> {
    let Some(row) =
        sqlx::query("SELECT compartment, case_id, person_id FROM document WHERE id = $1").bind(id).fetch_optional(tx.conn()).await?
    else {
        return Ok(None);
    };
    Ok(Some((vocab(&row, "compartment", Compartment::parse)?, row.try_get("case_id")?, row.try_get("person_id")?)))
}

/// The document's bytes, from wherever they were stored.
pub async fn content(tx: &mut Tx, storage: &DocumentStorage, id: Id) -> Result<Vec<u8>> {
    let row = sqlx::query("SELECT content, stored_name FROM document WHERE id = $1").bind(id).fetch_optional(tx.conn()).await?;
    let row = row.ok_or(StoreError::NotFound)?;
    if let Some(bytes) = row.try_get::<Option<Vec<u8>>, _>("content")? {
        return Ok(bytes);
    }
    let name: String =
        row.try_get::<Option<String>, _>("stored_name")?.ok_or(StoreError::Corrupt { column: "content", value: "none".into() })?;
    match storage {
        DocumentStorage::Folder(dir) => std::fs::read(dir.join(safe_name(&name)?)).map_err(io_error),
        DocumentStorage::Database => Err(io_error(std::io::Error::other("document is in a folder but no documents folder is configured"))),
    }
}

/// A person's documents the caller may see, newest first (cursor: last id).
pub async fn for_person(
    tx: &mut Tx,
    me: Id,
    vis: &ContactVisibility,
    person_id: Id,
    after: Option<Id>,
    limit: i64,
) -> Result<Page<Document>> {
    if vis.is_empty() {
        return Ok(Page { items: vec![], next_cursor: None });
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM document d WHERE d.person_id = $1 AND {} AND ($4 = 0 OR d.id < $4) ORDER BY d.id DESC LIMIT $2",
        vis.clause("d", "$3")
    );
    let rows = sqlx::query(&sql).bind(person_id).bind(limit + 1).bind(me).bind(after.unwrap_or(0)).fetch_all(tx.conn()).await?;
    let items = rows.iter().map(document_from).collect::<Result<Vec<_>>>()?;
    Ok(Page::from_rows(items, limit, |d| d.id))
}
