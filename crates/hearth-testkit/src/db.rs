//! A fresh database per test, on either engine.

use hearth_store::Store;
use rand::Rng;
use std::path::Path;

/// The two engines Hearth runs on; every test that touches a database runs
/// on both (see [`both_backends!`](crate::both_backends)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database (no schema yet: opening a store migrates it).
/// A SQLite database lives in a temporary directory removed when this is
/// dropped; a PostgreSQL one is left on the test server.
pub struct Database {
    pub backend: Backend,
    /// `sqlite://…/hearth.db` or `postgres://…/hearth_t_<hex>`.
    pub url: String,
    dir: Option<tempfile::TempDir>,
    /// The PostgreSQL database's name.
    name: Option<String>,
}

impl Database {
    /// The directory holding the SQLite database files (None on PostgreSQL).
    pub fn sqlite_dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(|d| d.path())
    }

    /// Removes the database now, for a test that fills a large one: the
    /// SQLite directory, or the PostgreSQL database (whose connections must
    /// be closed first).
    pub async fn remove(self) {
        if let Some(name) = &self.name {
            Store::drop_postgres_database(&postgres_server(), name).await.expect("drop the test database");
        }
    }
}

/// The PostgreSQL server the tests use (`HEARTH_TEST_POSTGRES_URL`). The
/// suite never skips PostgreSQL silently, so a missing variable panics.
pub fn postgres_server() -> String {
    std::env::var("HEARTH_TEST_POSTGRES_URL")
        .expect("HEARTH_TEST_POSTGRES_URL must name a PostgreSQL server for the tests (e.g. postgres://postgres@127.0.0.1:5432/postgres)")
}

/// A fresh, empty database on `backend`: a temporary SQLite file, or a new
/// PostgreSQL database named `hearth_t_<random hex>` on
/// [`postgres_server`].
pub async fn database(backend: Backend) -> Database {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("a temporary directory for the SQLite database");
            let url = format!("sqlite://{}", dir.path().join("hearth.db").display());
            Database { backend, url, dir: Some(dir), name: None }
        }
        Backend::Postgres => {
            let name = format!("hearth_t_{:016x}", rand::thread_rng().gen::<u64>());
            let url = Store::create_postgres_database(&postgres_server(), &name)
                .await
                .expect("create a test database on HEARTH_TEST_POSTGRES_URL");
            Database { backend, url, dir: None, name: Some(name) }
        }
    }
}
