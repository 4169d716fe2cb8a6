//! `hearth generate` and `hearth import`, run as a person would run them, on
//! SQLite and on PostgreSQL: generation is deterministic by seed and what it
//! writes imports with no bad rows; a file of mixed good and bad rows loads
//! the good ones and reports each bad one by line and reason; a batch the
//! database refuses is rolled back whole; each stored batch is one audit event.

use hearth_store::{Store, Table};
use std::path::Path;
use std::process::{Command, Output};

fn run(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .env("HEARTH_DATABASE_URL", db)
        .env("HEARTH_PASSWORD", "a long test password")
        .env("HEARTH_LOG", "warn")
        .output()
        .expect("run hearth")
}

fn ok(db: &str, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(out.status.success(), "hearth {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

async fn postgres_db() -> String {
    let server = std::env::var("HEARTH_TEST_POSTGRES_URL").expect("HEARTH_TEST_POSTGRES_URL must name a PostgreSQL server for the tests");
    let name = format!(
        "hearth_t_import_{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    );
    Store::create_postgres_database(&server, &name).await.unwrap()
}

fn sqlite_db(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("t.db").display())
}

fn with_dpo(db: &str) {
    ok(db, &["user", "add", "import.dpo", "--role", "dpo", "--name", "Import DPO"]);
}

async fn count(db: &str, table: Table) -> i64 {
    let store = Store::connect(db).await.unwrap();
    let n = store.count(table).await.unwrap();
    store.close().await;
    n
}

#[test]
fn the_same_seed_gives_byte_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str, seed: &str| {
        let d = dir.path().join(name);
        ok(
            "sqlite://unused.db",
            &["generate", "--people", "300", "--contacts-per-person", "4", "--seed", seed, "--out", d.to_str().unwrap()],
        );
        ["people.csv", "tenancies.csv", "contacts.csv"].map(|f| std::fs::read(d.join(f)).unwrap())
    };
    let (a, b, c) = (out("a", "5"), out("b", "5"), out("c", "6"));
    assert_eq!(a, b, "the same seed must give the same bytes");
    for (x, z) in a.iter().zip(&c) {
        assert_ne!(x, z, "another seed gives other data");
    }
    let people = String::from_utf8(a[0].clone()).unwrap();
    assert!(people.lines().count() > 300, "about 300 people and a header");
    let contacts = String::from_utf8(a[2].clone()).unwrap();
    for channel in ["call_in", "call_attempt", "appointment", "letter_out", "social_media", "chatbot"] {
        assert!(contacts.contains(&format!(",{channel},")), "every channel appears: {channel}");
    }
    assert!(!std::path::Path::new("unused.db").exists(), "generate opens no database");
}

async fn generated_set_imports_cleanly(db: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    ok(db, &["generate", "--people", "120", "--contacts-per-person", "5", "--seed", "3", "--out", out.to_str().unwrap()]);
    with_dpo(db);
    let audit_before = count(db, Table::AuditEvent).await;
    let text =
        ok(db, &["import", "--dir", out.to_str().unwrap(), "--name", "generated", "--as", "import.dpo", "--batch", "100", "--quiet"]);
    assert!(text.contains("Every row was imported."), "{text}");
    let people = std::fs::read_to_string(out.join("people.csv")).unwrap().lines().count() as i64 - 1;
    let tenancies = std::fs::read_to_string(out.join("tenancies.csv")).unwrap().lines().count() as i64 - 1;
    let contacts = std::fs::read_to_string(out.join("contacts.csv")).unwrap().lines().count() as i64 - 1;
    assert_eq!(count(db, Table::Person).await, people);
    assert_eq!(count(db, Table::Tenancy).await, tenancies);
    assert_eq!(count(db, Table::ContactEntry).await, contacts);
    // One audit event per batch of up to 100 rows, not one per row.
    let batches = [people, tenancies, contacts].iter().map(|n| (n + 99) / 100).sum::<i64>();
    assert_eq!(count(db, Table::AuditEvent).await - audit_before, batches);
    reserved_ids_are_never_reused(db, &out).await;
}

/// Contacts are written with ids reserved before the insert: each entry is
/// its own submission, and the id of a deleted entry (as retention deletes
/// them) is never given again.
async fn reserved_ids_are_never_reused(db: &str, export: &Path) {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let url = hearth_store::parse_url(db).unwrap().1;
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let own: i64 = sqlx::query("SELECT COUNT(*) FROM contact_entry WHERE submission_id = id").fetch_one(&pool).await.unwrap().get(0);
    assert_eq!(own, count(db, Table::ContactEntry).await, "every imported entry is its own submission");
    let newest: i64 = sqlx::query("SELECT MAX(id) FROM contact_entry").fetch_one(&pool).await.unwrap().get(0);
    for sql in ["DELETE FROM contact_entry_person WHERE entry_id >= $1", "DELETE FROM contact_entry WHERE id >= $1"] {
        sqlx::query(sql).bind(newest - 2).execute(&pool).await.unwrap();
    }
    pool.close().await;
    // People and contacts again (tenancy references must stay unique).
    let (people, contacts) = (export.join("people.csv"), export.join("contacts.csv"));
    let args = ["import", "--people", people.to_str().unwrap(), "--contacts", contacts.to_str().unwrap()];
    let text = ok(db, &[&args[..], &["--name", "again", "--as", "import.dpo", "--quiet"]].concat());
    assert!(text.contains("Every row was imported."), "{text}");
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let first_new: i64 =
        sqlx::query("SELECT MIN(id) FROM contact_entry WHERE id > $1").bind(newest - 3).fetch_one(&pool).await.unwrap().get(0);
    assert!(first_new > newest, "a deleted entry's id ({newest}) was given again ({first_new})");
    pool.close().await;
}

#[tokio::test]
async fn a_generated_set_imports_with_no_bad_rows_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    generated_set_imports_cleanly(&sqlite_db(dir.path())).await;
}

#[tokio::test]
async fn a_generated_set_imports_with_no_bad_rows_on_postgres() {
    generated_set_imports_cleanly(&postgres_db().await).await;
}

const PEOPLE: &str = "person_ref,kind,given_name,family_name,preferred_name,date_of_birth,ni_number
P1,adult,Testy,Fakeham,,1980-01-02,ZX123456A
P2,adult,,Fakeham,,1980-01-02,
P3,child,Kiddo,Fakeham,,2015-05-05,

P4,adult,Sample,Notreal,,1980-13-01,
P1,adult,Dupe,Notreal,,,
P5,adult,Other,Notreal,,,,extra
P6,adult,\"Last, Jr\",Notreal,,,
";

const TENANCIES: &str = "tenancy_ref,tenure,start_date,end_date,end_reason,uprn,address_line1,address_line2,town,postcode,tenants,members
TEN-A1,assured,2020-01-01,,,100000001,1 Fictional Road,,Exampleton,ZZ99 1AA,P1;P6,P3
TEN-A2,assured,2020-01-01,,,100000002,2 Fictional Road,,Exampleton,ZZ99 1AB,P404,
TEN-A3,lease,2020-01-01,,,100000003,3 Fictional Road,,Exampleton,ZZ99 1AB,P6,
";

const CONTACTS: &str =
    "person_refs,occurred_at,channel,summary,subjects,voicemail_left,appointment_outcome,place,system_generated,service_request
P1,2020-05-01T10:00:00Z,call_in,Asked about the rent balance,rent,,,,,
P1,2020-05-02T10:00:00Z,call_attempt,Rang back,,,,,,
P2,2020-05-03T10:00:00Z,call_in,Asked about repairs,,,,,,
P1;P6,2021-01-01T09:00:00Z,appointment,Home visit,,,attended,Home visit,,
P6,2099-01-01T09:00:00Z,email_in,From the future,,,,,,
";

async fn mixed_rows_import_the_good_and_report_the_bad(db: &str) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("people.csv", PEOPLE), ("tenancies.csv", TENANCIES), ("contacts.csv", CONTACTS)] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    with_dpo(db);
    let audit_before = count(db, Table::AuditEvent).await;
    let d = dir.path().to_str().unwrap();
    let out = run(db, &["import", "--dir", d, "--name", "mixed", "--as", "import.dpo", "--batch", "2", "--quiet"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "some rows were refused: {stdout}\n{stderr}");
    for expected in [
        "people.csv line 3: given_name:",
        "people.csv line 6: date_of_birth:",
        "people.csv line 7: person_ref: P1 has already been imported",
        "people.csv line 8: line: Expected 7 columns, found 8",
        "tenancies.csv line 3: tenants: No person with reference P404",
        "tenancies.csv line 4: tenure:",
        "contacts.csv line 3: voicemail_left:",
        "contacts.csv line 4: person_refs: No person with reference P2",
        "contacts.csv line 6: occurred_at:",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    assert_eq!(stderr.lines().filter(|l| l.contains(".csv line ")).count(), 9, "each bad row once:\n{stderr}");
    assert!(stdout.contains("9 rows were not imported"), "{stdout}");
    assert_eq!(count(db, Table::Person).await, 3, "P1, P3 and P6");
    assert_eq!(count(db, Table::Tenancy).await, 1);
    assert_eq!(count(db, Table::ContactEntry).await, 2);
    // People in two batches (P1+P3, P6), one tenancy batch, one contacts batch.
    assert_eq!(count(db, Table::AuditEvent).await - audit_before, 4);

    // A second import whose batch holds a tenancy the database already has:
    // that batch (lines 2-3) is rolled back whole, the next batch loads.
    let again = tempfile::tempdir().unwrap();
    std::fs::write(
        again.path().join("people.csv"),
        "person_ref,kind,given_name,family_name,preferred_name,date_of_birth,ni_number\nQ1,adult,Ann,Madeupson,,,\nQ2,adult,Bob,Madeupson,,,\nQ3,adult,Cat,Madeupson,,,\n",
    )
    .unwrap();
    std::fs::write(
        again.path().join("tenancies.csv"),
        "tenancy_ref,tenure,start_date,end_date,end_reason,uprn,address_line1,address_line2,town,postcode,tenants,members
TEN-B1,assured,2021-01-01,,,100000011,11 Fictional Road,,Exampleton,ZZ99 1AA,Q1,
TEN-A1,assured,2021-01-01,,,100000012,12 Fictional Road,,Exampleton,ZZ99 1AA,Q2,
TEN-B2,assured,2021-01-01,,,100000013,13 Fictional Road,,Exampleton,ZZ99 1AA,Q3,
",
    )
    .unwrap();
    let a = again.path();
    let people = a.join("people.csv");
    let tenancies = a.join("tenancies.csv");
    let audit_before = count(db, Table::AuditEvent).await;
    let out = run(
        db,
        &[
            "import",
            "--people",
            people.to_str().unwrap(),
            "--tenancies",
            tenancies.to_str().unwrap(),
            "--name",
            "second",
            "--as",
            "import.dpo",
            "--batch",
            "2",
            "--quiet",
        ],
    );
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("tenancies.csv lines 2-3: batch of lines 2-3 rolled back (line 3):"), "{stderr}");
    assert_eq!(count(db, Table::Person).await, 6);
    assert_eq!(count(db, Table::Tenancy).await, 2, "TEN-A1 from before and TEN-B2; TEN-B1 went with its batch");
    // Two people batches and the one tenancy batch that was stored.
    assert_eq!(count(db, Table::AuditEvent).await - audit_before, 3);
}

#[tokio::test]
async fn mixed_rows_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    mixed_rows_import_the_good_and_report_the_bad(&sqlite_db(dir.path())).await;
}

#[tokio::test]
async fn mixed_rows_on_postgres() {
    mixed_rows_import_the_good_and_report_the_bad(&postgres_db().await).await;
}

#[tokio::test]
async fn only_the_dpo_may_import_and_a_refusal_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_db(dir.path());
    ok(&db, &["user", "add", "officer", "--role", "housing_officer", "--name", "An Officer"]);
    std::fs::write(dir.path().join("people.csv"), PEOPLE).unwrap();
    let p = dir.path().join("people.csv");
    let out = run(&db, &["import", "--people", p.to_str().unwrap(), "--name", "nope", "--as", "officer", "--quiet"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("may not import identity records"), "{stderr}");
    assert_eq!(count(&db, Table::Person).await, 0);
}
