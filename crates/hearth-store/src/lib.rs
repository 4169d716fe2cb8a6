//! Hearth's store: the only code that speaks SQL.
//!
//! Owns: connecting to SQLite (the embedded default) or PostgreSQL, running the
//! per-backend migrations under `migrations/`, and the queries for every record.
//! One query text serves both engines: values are stored in types both agree on
//! (text times and dates, 64-bit integers, 0/1 flags) and parameters are `$n`.
//! Where the engines differ (transaction start, migrations) the difference lives
//! here, keyed on [`Backend`], and nowhere else.
//!
//! It must never decide who may see what: every function takes a [`Tx`] that
//! only the gate opens, so personal data is read and written inside the same
//! transaction as the audit event that records it.

pub mod anonymity;
pub mod audit;
pub mod breaches;
pub mod bundles;
pub mod capacity;
pub mod cases;
pub mod comms;
pub mod consent;
pub mod contacts;
pub mod directory;
pub mod documents;
pub mod edi;
pub mod erasure;
pub mod grants;
pub mod homes;
pub mod import;
pub mod needs;
pub mod people;
pub mod plans;
pub mod recordings;
pub mod representatives;
pub mod restrictions;
pub mod retention;
pub mod rights;
pub mod sharing;
pub mod staff;
pub mod time;

use hearth_domain::error::{FieldError, ValidationErrors};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no such record")]
    NotFound,
    #[error("the record was changed by someone else since you opened it")]
    Conflict,
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored value in {column} is not valid: {value:?}")]
    Corrupt { column: &'static str, value: String },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    pub fn field(field: &str, message: &str) -> Self {
        StoreError::Invalid(FieldError::new(field, message).into())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub use hearth_domain::page::Page;

/// The connection pool for one database, SQLite or PostgreSQL.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time; queueing here is fairer and cheaper
    /// than letting connections spin on the busy timeout.
    sqlite_writer: Arc<Mutex<()>>,
}

impl std::fmt::Debug for Store {
    // The URL can carry a password; never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

/// The engine a URL names, and the URL normalised for sqlx.
pub fn parse_url(url: &str) -> Result<(Backend, String)> {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let rest = rest.trim_start_matches("//");
        if rest.is_empty() {
            return Err(StoreError::UnsupportedUrl(url.into()));
        }
        // Create the file on first run unless the caller chose a mode.
        let sep = if rest.contains('?') { '&' } else { '?' };
        let full = if rest.contains("mode=") { format!("sqlite://{rest}") } else { format!("sqlite://{rest}{sep}mode=rwc") };
        Ok((Backend::Sqlite, full))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_string()))
    } else {
        Err(StoreError::UnsupportedUrl(url.into()))
    }
}

/// How a process uses the database, where that changes its settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Workload {
    /// The server and most commands: SQLite's default page cache per
    /// connection, so the server's memory stays small.
    #[default]
    Interactive,
    /// A bulk load (`hearth import`): a large SQLite page cache, so the
    /// indexes being filled in random order stay in memory instead of
    /// being re-read from the file for every row. The process is short-lived.
    BulkLoad,
}

/// SQLite page cache per connection for [`Workload::BulkLoad`], in KiB.
const BULK_CACHE_KIB: i64 = 256 * 1024;

impl Store {
    /// Opens (creating a SQLite file if needed) without migrating.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_for(url, Workload::Interactive).await
    }

    /// [`Store::connect`] with settings for `workload`.
    pub async fn connect_for(url: &str, workload: Workload) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = parse_url(url)?;
        let opts = AnyPoolOptions::new();
        let pool = match backend {
            Backend::Sqlite => {
                // A bulk load writes one batch at a time; a single connection
                // keeps its page cache, which SQLite empties whenever another
                // connection has written since.
                let connections = if workload == Workload::BulkLoad { 1 } else { 4 };
                opts.max_connections(connections)
                    .after_connect(move |conn, _| {
                        Box::pin(async move {
                            // WAL lets readers run beside the writer; FULL sync
                            // makes every acknowledged commit survive a crash.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            // Deleted content is overwritten with zeros, in
                            // freed pages and within pages, so what retention
                            // deletes is not left readable in the file.
                            conn.execute("PRAGMA secure_delete = ON").await?;
                            if workload == Workload::BulkLoad {
                                // Negative: a size in KiB rather than in pages.
                                conn.execute(format!("PRAGMA cache_size = -{BULK_CACHE_KIB}").as_str()).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                opts.max_connections(16)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // Hearth's queries are index lookups of a few rows, but the
                            // planner's row estimates for a person's contact log can pass
                            // jit_above_cost, and compiling the plan then costs 50 ms or
                            // more for a query that runs in under one
                            // (docs/performance.md).
                            conn.execute("SET jit = off").await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
        };
        Ok(Store { pool, backend, sqlite_writer: Arc::new(Mutex::new(())) })
    }

    /// Opens and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_for(url, Workload::Interactive).await
    }

    /// [`Store::open`] with settings for `workload`.
    pub async fn open_for(url: &str, workload: Workload) -> Result<Store> {
        let store = Store::connect_for(url, workload).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// After a bulk load: PostgreSQL's planner works from sampled statistics
    /// that autovacuum refreshes only later, and until then it can guess a
    /// person has thousands of contacts and plan accordingly. SQLite plans
    /// these queries by their indexes alone and has nothing to refresh.
    pub async fn refresh_statistics(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("ANALYZE").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// After a retention run, so that what it deleted cannot be read back
    /// from the database's files. SQLite: `secure_delete` (on for every
    /// connection) zeroes deleted content as it goes, but the write-ahead log
    /// still holds page images from before; it is checkpointed into the main
    /// file and truncated to nothing. PostgreSQL: a deleted or updated row
    /// stays in the table's files as a dead tuple until VACUUM frees its
    /// space for reuse (new rows then overwrite it; `VACUUM FULL`, which
    /// rewrites the table under an exclusive lock, is left to the operator);
    /// each of `tables` is vacuumed here, outside any transaction. Returns
    /// whether the SQLite checkpoint completed (a reader holding an old
    /// snapshot can keep it from truncating; the next run tries again).
    pub async fn after_disposal(&self, tables: &[&str]) -> Result<bool> {
        match self.backend {
            Backend::Sqlite => {
                for _ in 0..20 {
                    let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&self.pool).await?;
                    if row.try_get::<i64, _>(0)? == 0 {
                        return Ok(true);
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Ok(false)
            }
            Backend::Postgres => {
                for table in tables {
                    if !table.chars().all(|c| c.is_ascii_lowercase() || c == '_') || table.is_empty() {
                        return Err(StoreError::field("table", "Not a table name"));
                    }
                    sqlx::raw_sql(&format!("VACUUM {table}")).execute(&self.pool).await?;
                }
                Ok(true)
            }
        }
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        let mut tx = self.begin().await?;
        people::fill_search_keys(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an empty PostgreSQL database beside the one `server_url` names
    /// and returns its URL (for tests and first-time set-up). `name` must be a
    /// plain identifier.
    pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<String> {
        if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(StoreError::field("name", "Database names are lower-case letters, digits and underscores"));
        }
        sqlx::any::install_default_drivers();
        let (_, url) = parse_url(server_url)?;
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await?;
        let base = url.split('?').next().unwrap_or(&url);
        let (server, _) = base.rsplit_once('/').ok_or_else(|| StoreError::UnsupportedUrl(server_url.into()))?;
        Ok(format!("{server}/{name}"))
    }

    /// Drops a database made by [`Store::create_postgres_database`] (for
    /// throwaway databases such as the benchmark's). Close its pools first.
    pub async fn drop_postgres_database(server_url: &str, name: &str) -> Result<()> {
        use sqlx::ConnectOptions;
        if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(StoreError::field("name", "Database names are lower-case letters, digits and underscores"));
        }
        sqlx::any::install_default_drivers();
        let (_, url) = parse_url(server_url)?;
        // Dropping waits for a checkpoint, often over a second: expected, not worth a slow-query warning.
        let mut conn = url.parse::<sqlx::any::AnyConnectOptions>()?.disable_statement_logging().connect().await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str()).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a read-write transaction. On SQLite it takes the write lock at
    /// once (BEGIN IMMEDIATE) so a read-then-write never fails half-way.
    pub async fn begin(&self) -> Result<Tx> {
        let (lock, stmt) = match self.backend {
            Backend::Sqlite => (Some(self.sqlite_writer.clone().lock_owned().await), "BEGIN IMMEDIATE"),
            Backend::Postgres => (None, "BEGIN"),
        };
        let tx = self.pool.begin_with(stmt).await?;
        Ok(Tx { tx, _lock: lock, backend: self.backend })
    }

    /// Starts a transaction that only reads: on SQLite a deferred one,
    /// which neither waits for nor holds the write lock (WAL readers see the
    /// last commit); on PostgreSQL `READ ONLY`, so a write in it fails.
    /// Never write in it: on SQLite an upgrade can fail with "busy".
    pub async fn begin_read(&self) -> Result<Tx> {
        let stmt = match self.backend {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN READ ONLY",
        };
        let tx = self.pool.begin_with(stmt).await?;
        Ok(Tx { tx, _lock: None, backend: self.backend })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Writes a consistent copy of a SQLite database to a new file at `path`
    /// while the server keeps running (`VACUUM INTO` reads one snapshot).
    /// PostgreSQL is backed up with its own tools (`pg_dump`).
    pub async fn backup_sqlite_to(&self, path: &str) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::field("database_url", "PostgreSQL is backed up with pg_dump, not hearth backup"));
        }
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        Ok(())
    }

    /// Row counts per table, for start-up logs and backup checks.
    pub async fn count(&self, table: Table) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {}", table.name());
        Ok(sqlx::query(&sql).fetch_one(&self.pool).await?.try_get::<i64, _>(0)?)
    }
}

impl Store {
    /// Every `(table, column)` of Hearth's schema as the engine reports it
    /// (SQLite's catalogue; PostgreSQL's information schema for the current
    /// schema), leaving out the engine's and the migrator's own tables: for
    /// the test that every column is mapped to a record class.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' ORDER BY m.name, p.cid"
            }
            Backend::Postgres => {
                "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' ORDER BY table_name, ordinal_position"
            }
        };
        let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    /// Every column of one row as text (NULL as `None`), or `None` if there
    /// is no such row: for checks that a skeleton record kept no personal
    /// field, and for tests. Never for showing personal data to users.
    pub async fn raw_row(&self, table: Table, id: i64) -> Result<Option<std::collections::BTreeMap<String, Option<String>>>> {
        use sqlx::Column;
        let sql = format!("SELECT * FROM {} WHERE id = $1", table.name());
        let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await? else { return Ok(None) };
        let mut out = std::collections::BTreeMap::new();
        for c in row.columns() {
            let i = c.ordinal();
            let v = match row.try_get::<Option<String>, _>(i) {
                Ok(v) => v,
                Err(_) => match row.try_get::<Option<i64>, _>(i) {
                    Ok(n) => n.map(|n| n.to_string()),
                    // Bytes (a document's content) are shown by their length only.
                    Err(_) => row.try_get::<Option<Vec<u8>>, _>(i)?.map(|b| format!("<{} bytes>", b.len())),
                },
            };
            out.insert(c.name().to_string(), v);
        }
        Ok(Some(out))
    }
}

/// Tables that may be counted; a closed list so no caller builds SQL from text.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Person,
    StaffUser,
    AuditEvent,
    Tenancy,
    ContactEntry,
    RightsRequest,
    Breach,
    Document,
    CallRecording,
    StaffNotification,
    CaseRecord,
    LegalHold,
    RetentionRun,
    DisposalCertificate,
    AnonymityOverride,
    Representative,
    CallerCheck,
    EdiRecord,
    Organisation,
    SharingAgreement,
    Disclosure,
    BreakGlass,
    SupportGrant,
    WarningFlag,
    Membership,
    Household,
    Property,
    Need,
}

impl Table {
    pub const ALL: &'static [Table] = &[
        Table::Person,
        Table::StaffUser,
        Table::AuditEvent,
        Table::Tenancy,
        Table::ContactEntry,
        Table::RightsRequest,
        Table::Breach,
        Table::Document,
        Table::CallRecording,
        Table::StaffNotification,
        Table::CaseRecord,
        Table::LegalHold,
        Table::RetentionRun,
        Table::DisposalCertificate,
        Table::AnonymityOverride,
        Table::Representative,
        Table::CallerCheck,
        Table::EdiRecord,
        Table::Organisation,
        Table::SharingAgreement,
        Table::Disclosure,
        Table::BreakGlass,
        Table::SupportGrant,
        Table::WarningFlag,
        Table::Membership,
        Table::Household,
        Table::Property,
        Table::Need,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Person => "person",
            Table::StaffUser => "staff_user",
            Table::AuditEvent => "audit_event",
            Table::Tenancy => "tenancy",
            Table::ContactEntry => "contact_entry",
            Table::RightsRequest => "rights_request",
            Table::Breach => "breach",
            Table::Document => "document",
            Table::CallRecording => "call_recording",
            Table::StaffNotification => "staff_notification",
            Table::CaseRecord => "case_record",
            Table::LegalHold => "legal_hold",
            Table::RetentionRun => "retention_run",
            Table::DisposalCertificate => "disposal_certificate",
            Table::AnonymityOverride => "anonymity_override",
            Table::Representative => "representative",
            Table::CallerCheck => "caller_check",
            Table::EdiRecord => "edi_record",
            Table::Organisation => "organisation",
            Table::SharingAgreement => "sharing_agreement",
            Table::Membership => "membership",
            Table::Need => "need",
            Table::Household => "household",
            Table::Property => "property",
            Table::Disclosure => "disclosure",
            Table::BreakGlass => "break_glass",
            Table::SupportGrant => "support_grant",
            Table::WarningFlag => "warning_flag",
        }
    }
}

/// One database transaction. Dropping it without [`Tx::commit`] rolls back.
pub struct Tx {
    tx: sqlx::Transaction<'static, Any>,
    _lock: Option<OwnedMutexGuard<()>>,
    backend: Backend,
}

impl Tx {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// Reads a text column that must hold one of a vocabulary's spellings.
pub(crate) fn vocab<T>(row: &AnyRow, column: &'static str, parse: fn(&str) -> Option<T>) -> Result<T> {
    let s: String = row.try_get(column)?;
    parse(&s).ok_or(StoreError::Corrupt { column, value: s })
}

/// `$from, $from+1, …` for an `IN (…)` list of `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// True when the error is a unique-constraint violation.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// True when the error is a foreign-key or check violation.
pub(crate) fn is_reference_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if matches!(db.kind(), sqlx::error::ErrorKind::ForeignKeyViolation | sqlx::error::ErrorKind::CheckViolation))
}

/// Checks an UPDATE guarded by `version = $n` touched a row; tells a stale
/// version (conflict) apart from a missing record.
pub(crate) async fn check_versioned_update(tx: &mut Tx, rows: u64, table: &'static str, id: i64) -> Result<()> {
    if rows == 1 {
        return Ok(());
    }
    let sql = format!("SELECT 1 FROM {table} WHERE id = $1");
    match sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await? {
        Some(_) => Err(StoreError::Conflict),
        None => Err(StoreError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_create_the_file_unless_told_otherwise() {
        assert_eq!(parse_url("sqlite://hearth.db").unwrap(), (Backend::Sqlite, "sqlite://hearth.db?mode=rwc".into()));
        assert_eq!(parse_url("sqlite:x.db?mode=ro").unwrap().1, "sqlite://x.db?mode=ro");
        assert_eq!(parse_url("postgres://h/db").unwrap().0, Backend::Postgres);
        assert!(parse_url("mysql://h/db").is_err());
    }
}
