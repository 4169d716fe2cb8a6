//! `hearth backup` while the server runs, and `hearth restore` into a fresh
//! database: the copy's audit chain verifies and its record counts match.

use hearth_store::{Store, Table};
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

fn hearth(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .env("HEARTH_DATABASE_URL", db)
        .env("HEARTH_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run hearth")
}

fn ok(out: Output, what: &str) -> String {
    assert!(out.status.success(), "{what} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

async fn counts(url: &str) -> Vec<i64> {
    let store = Store::connect(url).await.unwrap();
    let mut out = vec![];
    for t in Table::ALL {
        out.push(store.count(*t).await.unwrap());
    }
    store.close().await;
    out
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_with_a_verified_chain_and_the_same_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("live.db").display());
    ok(hearth(&db, &["demo", "--households", "12"]), "demo");

    let mut server = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("HEARTH_DATABASE_URL", &db)
        .env("HEARTH_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("Hearth is running at http://127.0.0.1:"), "{line}");

    let backup = dir.path().join("hearth-backup.db");
    let out = ok(hearth(&db, &["backup", backup.to_str().unwrap()]), "backup while serving");
    assert!(out.contains("audit chain intact"), "{out}");
    server.kill().unwrap();
    server.wait().unwrap();

    // A backup never overwrites a file.
    let again = hearth(&db, &["backup", backup.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let restored = format!("sqlite://{}", dir.path().join("restored.db").display());
    let out = ok(hearth(&restored, &["restore", backup.to_str().unwrap()]), "restore");
    assert!(out.contains("audit chain intact"), "{out}");
    assert_eq!(counts(&restored).await, counts(&db).await, "every table has the same rows");
    assert!(counts(&restored).await[0] > 0, "the demo people came back");
    let out = ok(hearth(&restored, &["audit", "verify"]), "verify the restored chain");
    assert!(out.starts_with("Audit chain intact"), "{out}");

    // Restoring over a database that holds data is refused, and leaves it alone.
    let over = hearth(&db, &["restore", backup.to_str().unwrap()]);
    assert!(!over.status.success());
    assert!(String::from_utf8_lossy(&over.stderr).contains("already holds a database"));
}

#[tokio::test]
async fn a_damaged_backup_is_refused_before_anything_is_restored() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("live.db").display());
    ok(hearth(&db, &["demo", "--households", "3"]), "demo");
    let backup = dir.path().join("b.db");
    ok(hearth(&db, &["backup", backup.to_str().unwrap()]), "backup");
    // Edit one audit event in the copy, as a tamperer with the file would.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", backup.display())).await.unwrap();
    sqlx::query("UPDATE audit_event SET purpose = 'nothing_to_see' WHERE id = 1").execute(&pool).await.unwrap();
    pool.close().await;
    let target = dir.path().join("restored.db");
    let out = hearth(&format!("sqlite://{}", target.display()), &["restore", backup.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("audit chain broken"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!target.exists(), "nothing was restored");
}

#[test]
fn postgres_backups_point_to_pg_dump() {
    let out = hearth("postgres://postgres@127.0.0.1:5432/postgres", &["backup", "/tmp/never-written.db"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
}
