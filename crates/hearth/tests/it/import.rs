//! `hearth generate` and `hearth import`, run as a person would run them, on
//! SQLite and on PostgreSQL: generation is deterministic by seed, the core
//! three files keep the bytes they had before needs, flags and equality
//! answers were added, and what it writes imports with no bad rows; a file
//! of mixed good and bad rows loads the good ones and reports each bad one
//! by line and reason; a batch the database refuses is rolled back whole;
//! each stored batch is one audit event, never holding an equality answer;
//! equality answers without a key are refused before anything is imported.

use hearth_store::{Store, Table};
use hearth_testkit::{both_backends, Backend};
use std::path::Path;
use std::process::{Command, Output};

both_backends!(backend: a_generated_set_imports_with_no_bad_rows, mixed_rows, needs_flags_and_equality_mixed_rows, equality_without_a_key);

/// The equality key the keyed runs seal with (a test key, protecting nothing).
const KEY: &str = "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c";

fn run_with(db: &str, args: &[&str], key: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hearth"));
    c.args(args)
        .env("HEARTH_DATABASE_URL", db)
        .env("HEARTH_PASSWORD", "a long test password")
        .env("HEARTH_LOG", "warn")
        .env_remove("HEARTH_EDI_KEY")
        .env_remove("HEARTH_EDI_KEY_FILE");
    if let Some(k) = key {
        c.env("HEARTH_EDI_KEY", k);
    }
    c.output().expect("run hearth")
}

fn run(db: &str, args: &[&str]) -> Output {
    run_with(db, args, None)
}

fn ok_with(db: &str, args: &[&str], key: Option<&str>) -> String {
    let out = run_with(db, args, key);
    assert!(out.status.success(), "hearth {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn ok(db: &str, args: &[&str]) -> String {
    ok_with(db, args, None)
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

/// Rows in a table `Table` does not name, counted around Hearth.
async fn rows_in(db: &str, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let url = hearth_store::parse_url(db).unwrap().1;
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&pool).await.unwrap().get(0);
    pool.close().await;
    n
}

/// The detail of every stored import batch's audit event in `compartment`.
async fn batch_details(db: &str, compartment: &str) -> Vec<String> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let url = hearth_store::parse_url(db).unwrap().1;
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let rows = sqlx::query("SELECT detail FROM audit_event WHERE record_type = 'import_batch' AND compartment = $1 ORDER BY id")
        .bind(compartment)
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows.iter().map(|r| r.get::<String, _>(0)).collect()
}

fn data_lines(path: &Path) -> i64 {
    std::fs::read_to_string(path).unwrap().lines().count() as i64 - 1
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
        FILES.map(|f| std::fs::read(d.join(f)).unwrap())
    };
    let (a, b, c) = (out("a", "5"), out("b", "5"), out("c", "6"));
    assert_eq!(a, b, "the same seed must give the same bytes");
    for (x, z) in a.iter().zip(&c) {
        assert_ne!(x, z, "another seed gives other data");
    }
    for (name, text) in FILES.iter().zip(&a).skip(3) {
        let rows = String::from_utf8(text.clone()).unwrap().lines().count() - 1;
        assert!(rows > 3, "{name}: some of the people have them ({rows})");
    }
    let people = String::from_utf8(a[0].clone()).unwrap();
    assert!(people.lines().count() > 300, "about 300 people and a header");
    let contacts = String::from_utf8(a[2].clone()).unwrap();
    for channel in ["call_in", "call_attempt", "appointment", "letter_out", "social_media", "chatbot"] {
        assert!(contacts.contains(&format!(",{channel},")), "every channel appears: {channel}");
    }
    assert!(!std::path::Path::new("unused.db").exists(), "generate opens no database");
}

const FILES: [&str; 6] = ["people.csv", "tenancies.csv", "contacts.csv", "needs.csv", "flags.csv", "equality.csv"];

#[test]
fn needs_flags_and_equality_leave_the_core_files_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("out");
    ok("sqlite://unused.db", &["generate", "--people", "40", "--contacts-per-person", "3", "--seed", "5", "--out", d.to_str().unwrap()]);
    // Written by the generator before it wrote needs, flags and equality answers.
    let before = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/generate-seed5");
    for f in &FILES[..3] {
        assert!(std::fs::read(d.join(f)).unwrap() == std::fs::read(before.join(f)).unwrap(), "{f} changed");
    }
}

async fn generated_set_imports_cleanly(db: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    ok(db, &["generate", "--people", "120", "--contacts-per-person", "5", "--seed", "3", "--out", out.to_str().unwrap()]);
    with_dpo(db);
    let audit_before = count(db, Table::AuditEvent).await;
    let args = ["import", "--dir", out.to_str().unwrap(), "--name", "generated", "--as", "import.dpo", "--batch", "100", "--quiet"];
    let text = ok_with(db, &args, Some(KEY));
    assert!(text.contains("Every row was imported."), "{text}");
    let [people, tenancies, contacts, needs, flags, equality] = FILES.map(|f| data_lines(&out.join(f)));
    assert!(needs > 0 && flags > 0 && equality > 0, "{needs} needs, {flags} flags, {equality} equality captures");
    assert_eq!(count(db, Table::Person).await, people);
    assert_eq!(count(db, Table::Tenancy).await, tenancies);
    assert_eq!(count(db, Table::ContactEntry).await, contacts);
    assert_eq!(rows_in(db, "need").await, needs);
    assert_eq!(count(db, Table::WarningFlag).await, flags);
    assert_eq!(count(db, Table::EdiRecord).await, equality);
    // One audit event per batch of up to 100 rows, not one per row.
    let batches = [people, tenancies, contacts, needs, flags, equality].iter().map(|n| (n + 99) / 100).sum::<i64>();
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

async fn a_generated_set_imports_with_no_bad_rows(backend: Backend) {
    let db = hearth_testkit::database(backend).await;
    generated_set_imports_cleanly(&db.url).await;
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

async fn mixed_rows(backend: Backend) {
    let db = hearth_testkit::database(backend).await;
    mixed_rows_import_the_good_and_report_the_bad(&db.url).await;
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
    assert!(stderr.contains("You may not bulk import these records (identity records)"), "{stderr}");
    assert_eq!(count(&db, Table::Person).await, 0);
}

const PEOPLE_N: &str = "person_ref,kind,given_name,family_name,preferred_name,date_of_birth,ni_number
N1,adult,Testy,Needham,,1975-03-02,
N2,adult,Sample,Needham,,1980-07-08,
";

const NEEDS: &str =
    "person_ref,category,detail,source,disclosed_on,disclosure_channel,duration,review_date,preferred_words,consent_to_tailor
N1,hearing,Invented detail,staff_contact,2021-03-04,phone,long_term,,,true
N9,hearing,,staff_contact,2021-03-04,phone,long_term,,,true
N2,earache,,staff_contact,2021-03-04,phone,long_term,,,true
N2,mobility,,survey,2022-01-01,home_visit,temporary,,,false
N1,sight,,survey,2022-01-01,letter,temporary,,,
N2,literacy,,survey,2022-01-01,letter,temporary,2021-01-01,,true
";

const FLAGS: &str =
    "person_ref,category,severity,incident_date,risk_assessment,person_told,person_told_on,not_told_reason,review_date,starts_on,ends_on
N1,verbal_abuse,medium,2024-02-01,Invented: shouted at an officer,true,2024-02-03,,,2024-02-01,
N2,verbal_abuse,extreme,2024-02-01,Invented,true,2024-02-03,,,2024-02-01,
N2,dangerous_animal,low,,Invented: a dog,false,,,,,
N2,dangerous_animal,low,,Invented: a dog,false,,Invented: telling would raise the risk,,,
N1,other,low,,Invented,true,2024-01-01,,2020-01-01,,
";

/// Invented, plainly fake, and distinctive enough to search for.
const MARKER: &str = "Plinthian-Invented-Answer-4K";

fn equality_csv() -> String {
    format!(
        "person_ref,source,recorded_on,sex,gender_identity,ethnicity,religion,sexual_orientation,marital_status,pregnancy_maternity,pregnancy_valid_until,disability,first_language,interpreter_needed,caring,armed_forces
N1,survey,2024-05-01,female,,white_roma,other: {MARKER},,,neither,,no,welsh,false,,
N2,phone,2099-01-01,male,,,,,,,,,,,,
N2,phone,2024-05-01,robot,,,,,,,,,,,,
N2,phone,2024-05-01,male,,,,,,pregnant,,,,,,
N2,webform,,prefer_not_to_say,,,,,,,,,,,,
"
    )
}

fn write_needs_set(dir: &Path) {
    for (name, text) in
        [("people.csv", PEOPLE_N.to_string()), ("needs.csv", NEEDS.into()), ("flags.csv", FLAGS.into()), ("equality.csv", equality_csv())]
    {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

async fn needs_flags_and_equality_import_the_good_and_report_the_bad(db: &str) {
    let dir = tempfile::tempdir().unwrap();
    write_needs_set(dir.path());
    let f = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    with_dpo(db);
    let audit_before = count(db, Table::AuditEvent).await;
    let (people, needs, flags, equality) = (f("people.csv"), f("needs.csv"), f("flags.csv"), f("equality.csv"));
    let args = [
        "import",
        "--people",
        &people,
        "--needs",
        &needs,
        "--flags",
        &flags,
        "--equality",
        &equality,
        "--name",
        "needs-mixed",
        "--as",
        "import.dpo",
        "--batch",
        "2",
        "--quiet",
    ];
    let out = run_with(db, &args, Some(KEY));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "some rows were refused: {stdout}\n{stderr}");
    for expected in [
        "needs.csv line 3: person_ref: No person with reference N9",
        "needs.csv line 4: category:",
        "needs.csv line 6: consent_to_tailor:",
        "needs.csv line 7: review_date:",
        "flags.csv line 3: severity:",
        "flags.csv line 4: not_told_reason:",
        "flags.csv line 6: review_date:",
        "equality.csv line 3: recorded_on:",
        "equality.csv line 4: sex:",
        "equality.csv line 5: pregnancy_valid_until:",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    assert_eq!(stderr.lines().filter(|l| l.contains(".csv line ")).count(), 10, "each bad row once:\n{stderr}");
    assert!(stdout.contains("10 rows were not imported"), "{stdout}");
    assert_eq!(rows_in(db, "need").await, 2);
    assert_eq!(count(db, Table::WarningFlag).await, 2);
    assert_eq!(rows_in(db, "warning_flag_ack").await, 0, "nobody has acknowledged an imported flag");
    assert_eq!(count(db, Table::EdiRecord).await, 2);
    // One batch each: people, needs, flags, equality.
    assert_eq!(count(db, Table::AuditEvent).await - audit_before, 4);
    let events = batch_details(db, "edi").await;
    assert_eq!(events.len(), 1);
    assert!(events[0].contains("needs-mixed") && events[0].contains("equality.csv"), "names the import and file: {}", events[0]);
    for answer in [MARKER, "white_roma", "welsh", "female", "prefer_not_to_say"] {
        assert!(!events[0].contains(answer), "the audit event holds {answer}: {}", events[0]);
    }
    // The importer reviews the needs and recorded their consent answers.
    use sqlx::Row;
    let url = hearth_store::parse_url(db).unwrap().1;
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let dpo: i64 = sqlx::query("SELECT id FROM staff_user WHERE username = 'import.dpo'").fetch_one(&pool).await.unwrap().get(0);
    let odd: i64 = sqlx::query("SELECT COUNT(*) FROM need WHERE review_officer_id <> $1 OR consent_recorded_by <> $1 OR recorded_by <> $1")
        .bind(dpo)
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(odd, 0);
    let sealed: Vec<String> =
        sqlx::query("SELECT sealed FROM edi_record").fetch_all(&pool).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert!(sealed.iter().all(|x| x.starts_with("v1:") && !x.contains(MARKER)), "{sealed:?}");
    pool.close().await;
}

async fn needs_flags_and_equality_mixed_rows(backend: Backend) {
    let db = hearth_testkit::database(backend).await;
    needs_flags_and_equality_import_the_good_and_report_the_bad(&db.url).await;
}

async fn equality_without_a_key_is_refused_before_anything_is_imported(db: &str) {
    let dir = tempfile::tempdir().unwrap();
    write_needs_set(dir.path());
    with_dpo(db);
    let audit_before = count(db, Table::AuditEvent).await;
    let d = dir.path().to_str().unwrap();
    let people = dir.path().join("people.csv");
    let equality = dir.path().join("equality.csv");
    let named = ["import", "--people", people.to_str().unwrap(), "--equality", equality.to_str().unwrap()];
    // Named, or picked up from the folder (which also needs the other core files to be there).
    std::fs::write(dir.path().join("tenancies.csv"), TENANCIES.lines().next().unwrap()).unwrap();
    std::fs::write(dir.path().join("contacts.csv"), CONTACTS.lines().next().unwrap()).unwrap();
    for args in [&named[..], &["import", "--dir", d]] {
        let out = run(db, &[args, &["--name", "no-key", "--as", "import.dpo", "--quiet"]].concat());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("equality.csv: equality answers are sealed under the operator's key"), "{stderr}");
        assert!(stderr.contains("--edi-key-file") && stderr.contains("Nothing was imported"), "{stderr}");
    }
    assert_eq!(count(db, Table::Person).await, 0, "not even the people");
    assert_eq!(count(db, Table::EdiRecord).await, 0);
    assert_eq!(count(db, Table::AuditEvent).await, audit_before, "no batch was decided");
}

async fn equality_without_a_key(backend: Backend) {
    let db = hearth_testkit::database(backend).await;
    equality_without_a_key_is_refused_before_anything_is_imported(&db.url).await;
}
