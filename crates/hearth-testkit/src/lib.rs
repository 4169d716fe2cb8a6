//! Hearth's test kit: everything the workspace's integration tests share, so
//! no test module borrows a fixture from another. Dev-only: it is never
//! published, and `scripts/check-layers` fails the build if a crate lists it
//! among its normal (non-dev) dependencies.
//!
//! It owns:
//! - [`Backend`] and [`database`]: a fresh, empty database per test, a
//!   temporary SQLite file or a new PostgreSQL database `hearth_t_<hex>` on
//!   the server named by `HEARTH_TEST_POSTGRES_URL` (a missing variable fails
//!   the test: PostgreSQL is never skipped silently);
//! - [`fresh_gate`]: a gate over a fresh database with one staff account per
//!   role, for tests that call the gate directly (no HTTP);
//! - [`TestServer`] and its `start*` functions: Hearth's real router on a
//!   loopback port over a fresh gate, with token, call and caller-check
//!   helpers;
//! - the browser helpers ([`browser`], [`field`], [`sign_in`], [`get`]) for
//!   the web UI;
//! - [`fixtures`]: the records many tests start from (a tenant, a household,
//!   a case of each kind, a former tenant, an anonymously reported ASB case);
//! - [`SmtpSink`]: a real SMTP server (aiosmtpd) on loopback;
//! - text checks ([`pdf_text`], [`assert_readable`], [`problem_fields`]);
//! - [`both_backends!`]: the one way to run a test body on SQLite and on
//!   PostgreSQL.

mod browser;
mod db;
pub mod fixtures;
mod gate;
mod macros;
mod server;
mod smtp;
mod text;

pub use browser::{browser, field, get, sign_in};
pub use db::{database, postgres_server, Backend, Database};
pub use gate::{fresh_gate, fresh_gate_with, TestGate, PASSWORD};
pub use server::{
    check_caller, check_caller_ui, give_memorable_word, problem_fields, release_bundle, split, start, start_configured, start_keyed,
    start_limited, start_with, TestServer, MEMORABLE_WORD, TEST_EDI_KEY,
};
pub use smtp::SmtpSink;
pub use text::{assert_readable, pdf_text};
