//! Schema parity: the SQLite and PostgreSQL migration folders must build the
//! same schema. Both engines are migrated from scratch and described as a
//! set of facts (tables; columns with type family, nullability and default;
//! indexes; foreign keys; checks by the columns they constrain; triggers by
//! table and event); any fact one engine has and the other lacks fails the
//! test, unless the allow-list below names it as a dialect difference.
//!
//! Needs PostgreSQL at `HEARTH_TEST_POSTGRES_URL` (the test fails, never
//! skips, when it is missing).

use hearth_store::Store;
use sqlx::{AnyConnection, Connection, Row};
use std::collections::BTreeSet;

/// Differences that are the dialects', not drift. Each line is a fact as
/// [`describe_sqlite`] / [`describe_postgres`] print it, prefixed by the
/// engine that has it.
const DIALECT_DIFFERENCES: &[&str] = &[
    // PostgreSQL can refuse TRUNCATE of the append-only disclosure register;
    // SQLite has no TRUNCATE.
    "postgres: trigger disclosure truncate",
    "postgres: trigger disclosure_person truncate",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_build_the_same_schema() {
    let (sqlite, postgres) = schemas().await;
    let allowed: BTreeSet<&str> = DIALECT_DIFFERENCES.iter().copied().collect();
    let mut drift = vec![];
    for f in sqlite.difference(&postgres) {
        let line = format!("sqlite: {f}");
        if !allowed.contains(line.as_str()) {
            drift.push(line);
        }
    }
    for f in postgres.difference(&sqlite) {
        let line = format!("postgres: {f}");
        if !allowed.contains(line.as_str()) {
            drift.push(line);
        }
    }
    assert!(drift.is_empty(), "the migration folders have drifted apart:\n{}", drift.join("\n"));
    // Every allowed difference is still real, so the list does not rot.
    for a in DIALECT_DIFFERENCES {
        let (engine, fact) = a.split_once(": ").unwrap();
        let (has, lacks) = if engine == "sqlite" { (&sqlite, &postgres) } else { (&postgres, &sqlite) };
        assert!(has.contains(fact) && !lacks.contains(fact), "allowed difference no longer holds: {a}");
    }
    // The description sees what it must, or its silence proves nothing.
    for must in ["column person.given_name text not null default none", "fk membership.person_id -> person.id", "trigger disclosure update"]
    {
        assert!(sqlite.contains(must) && postgres.contains(must), "the description misses {must}");
    }
}

/// The descriptions notice a default changed in one folder only: the
/// parity test's own check, on a copy of one table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_default_changed_on_one_engine_is_drift() {
    let (sqlite_url, _dir) = sqlite_url();
    let store = Store::open(&sqlite_url).await.unwrap();
    let mut c = AnyConnection::connect(&sqlite_url).await.unwrap();
    let before = describe_sqlite(&mut c).await;
    sqlx::query("ALTER TABLE warning_flag ADD COLUMN parity_probe TEXT NOT NULL DEFAULT 'x'").execute(&mut c).await.unwrap();
    let after = describe_sqlite(&mut c).await;
    let added: Vec<_> = after.difference(&before).collect();
    assert_eq!(added, vec!["column warning_flag.parity_probe text not null default 'x'"]);
    store.close().await;
}

async fn schemas() -> (BTreeSet<String>, BTreeSet<String>) {
    sqlx::any::install_default_drivers();
    let (sqlite_url, _dir) = sqlite_url();
    let store = Store::open(&sqlite_url).await.unwrap();
    let mut c = AnyConnection::connect(&sqlite_url).await.unwrap();
    let sqlite = describe_sqlite(&mut c).await;
    store.close().await;

    let server = std::env::var("HEARTH_TEST_POSTGRES_URL")
        .expect("HEARTH_TEST_POSTGRES_URL must name a PostgreSQL server (for example postgres://postgres@127.0.0.1:5432/postgres)");
    let name = format!("hearth_t_parity_{}", std::process::id());
    let url = Store::create_postgres_database(&server, &name).await.unwrap();
    let store = Store::open(&url).await.unwrap();
    let mut c = AnyConnection::connect(&url).await.unwrap();
    let postgres = describe_postgres(&mut c).await;
    c.close().await.unwrap();
    store.close().await;
    Store::drop_postgres_database(&server, &name).await.unwrap();
    (sqlite, postgres)
}

fn sqlite_url() -> (String, tempfile::TempDir) {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    (format!("sqlite://{}/schema.db?mode=rwc", dir.path().display()), dir)
}

/// The type family both engines agree on: the column's storage, not its spelling.
fn family(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t.contains("serial") {
        "int"
    } else if t.contains("char") || t.contains("text") {
        "text"
    } else if t.contains("blob") || t.contains("bytea") {
        "blob"
    } else if t.contains("real") || t.contains("double") || t.contains("float") || t.contains("numeric") {
        "real"
    } else if t.contains("bool") {
        "bool"
    } else {
        "other"
    }
}

/// A default as a value: PostgreSQL's casts (`'x'::text`) and an identity
/// column's sequence dropped, parentheses and case evened out.
fn default_value(d: Option<String>) -> String {
    let Some(d) = d else { return "none".into() };
    let mut d = d.trim().to_string();
    if d.starts_with("nextval(") {
        return "none".into();
    }
    while let Some(i) = d.rfind("::") {
        if d[i..].contains('\'') || d[i..].contains(')') {
            break;
        }
        d.truncate(i);
    }
    let d = d.trim_matches(|c| c == '(' || c == ')').to_string();
    if d.starts_with('\'') {
        d
    } else {
        d.to_ascii_lowercase()
    }
}

async fn strings(c: &mut AnyConnection, sql: &str) -> Vec<Vec<String>> {
    let rows = sqlx::query(sql).fetch_all(&mut *c).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter()
        .map(|r| {
            (0..r.len())
                .map(|i| r.try_get::<Option<String>, _>(i).unwrap_or_else(|e| panic!("{sql} column {i}: {e}")).unwrap_or_default())
                .collect()
        })
        .collect()
}

async fn describe_sqlite(c: &mut AnyConnection) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let tables = strings(
        c,
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
    )
    .await;
    for t in &tables {
        let (table, sql) = (&t[0], &t[1]);
        out.insert(format!("table {table}"));
        let cols = strings(
            c,
            &format!(
                "SELECT name, type, CAST(\"notnull\" AS TEXT), dflt_value, CAST(pk AS TEXT) FROM pragma_table_info('{table}') ORDER BY cid"
            ),
        )
        .await;
        let names: Vec<String> = cols.iter().map(|c| c[0].clone()).collect();
        for col in &cols {
            // A primary key column is never null, whatever SQLite's flag says.
            let not_null = col[2] == "1" || col[4] != "0";
            let dflt = if col[3].is_empty() { None } else { Some(col[3].clone()) };
            out.insert(format!(
                "column {table}.{} {}{} default {}",
                col[0],
                family(&col[1]),
                if not_null { " not null" } else { "" },
                default_value(dflt)
            ));
        }
        for fk in strings(c, &format!("SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list('{table}')")).await {
            out.insert(format!("fk {table}.{} -> {}.{}", fk[0], fk[1], if fk[2].is_empty() { "id" } else { &fk[2] }));
        }
        for idx in strings(c, &format!("SELECT name, CAST(\"unique\" AS TEXT), origin FROM pragma_index_list('{table}')")).await {
            if idx[2] == "pk" {
                continue;
            }
            let cols: Vec<String> = strings(c, &format!("SELECT name FROM pragma_index_info('{}') ORDER BY seqno", idx[0]))
                .await
                .into_iter()
                .map(|r| r[0].clone())
                .collect();
            out.insert(format!("index {table}({}){}", cols.join(","), if idx[1] == "1" { " unique" } else { "" }));
        }
        for check in checks_in(sql) {
            let mut used: Vec<&str> = names.iter().filter(|n| mentions(&check, n)).map(|s| s.as_str()).collect();
            used.sort();
            out.insert(format!("check {table}({})", used.join(",")));
        }
    }
    for t in strings(c, "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'").await {
        let head = t[1].to_ascii_lowercase();
        let head = head.split(" on ").next().unwrap_or("");
        for event in ["insert", "update", "delete"] {
            if head.contains(event) {
                out.insert(format!("trigger {} {event}", t[0]));
            }
        }
    }
    out
}

async fn describe_postgres(c: &mut AnyConnection) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for t in strings(
        c,
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_sqlx%'",
    )
    .await
    {
        out.insert(format!("table {}", t[0]));
    }
    for col in strings(
        c,
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text, c.column_default::text
         FROM information_schema.columns c JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name NOT LIKE '\\_sqlx%'",
    )
    .await
    {
        let dflt = if col[4].is_empty() { None } else { Some(col[4].clone()) };
        out.insert(format!(
            "column {}.{} {}{} default {}",
            col[0],
            col[1],
            family(&col[2]),
            if col[3] == "NO" { " not null" } else { "" },
            default_value(dflt)
        ));
    }
    for fk in strings(
        c,
        "SELECT cl.relname::text, a.attname::text, rcl.relname::text, ra.attname::text
         FROM pg_constraint k
         JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
         JOIN pg_class rcl ON rcl.oid = k.confrelid
         JOIN LATERAL unnest(k.conkey, k.confkey) AS u(col, rcol) ON true
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.col
         JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = u.rcol
         WHERE k.contype = 'f' AND n.nspname = 'public'",
    )
    .await
    {
        out.insert(format!("fk {}.{} -> {}.{}", fk[0], fk[1], fk[2], fk[3]));
    }
    for idx in strings(
        c,
        "SELECT cl.relname::text, CASE WHEN i.indisunique THEN '1' ELSE '0' END,
                (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum)
         FROM pg_index i JOIN pg_class cl ON cl.oid = i.indrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
         WHERE n.nspname = 'public' AND NOT i.indisprimary AND cl.relname NOT LIKE '\\_sqlx%'",
    )
    .await
    {
        out.insert(format!("index {}({}){}", idx[0], idx[2], if idx[1] == "1" { " unique" } else { "" }));
    }
    for ch in strings(
        c,
        "SELECT cl.relname::text,
                COALESCE((SELECT string_agg(a.attname::text, ',' ORDER BY a.attname::text) FROM pg_attribute a
                          WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)), '')
         FROM pg_constraint k JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
         WHERE k.contype = 'c' AND n.nspname = 'public'",
    )
    .await
    {
        out.insert(format!("check {}({})", ch[0], ch[1]));
    }
    for t in strings(
        c,
        "SELECT event_object_table::text, lower(event_manipulation::text) FROM information_schema.triggers WHERE trigger_schema = 'public'",
    )
    .await
    {
        out.insert(format!("trigger {} {}", t[0], t[1]));
    }
    // information_schema.triggers leaves TRUNCATE triggers out.
    for t in strings(
        c,
        "SELECT cl.relname::text FROM pg_trigger g JOIN pg_class cl ON cl.oid = g.tgrelid JOIN pg_namespace n ON n.oid = cl.relnamespace
         WHERE n.nspname = 'public' AND NOT g.tgisinternal AND (g.tgtype & 32) <> 0",
    )
    .await
    {
        out.insert(format!("trigger {} truncate", t[0]));
    }
    out
}

/// The bodies of the CHECK constraints in a CREATE TABLE statement.
fn checks_in(sql: &str) -> Vec<String> {
    let lower = sql.to_ascii_lowercase();
    let mut out = vec![];
    let mut from = 0;
    while let Some(i) = lower[from..].find("check") {
        let start = from + i;
        from = start + 5;
        let before_ok = start == 0 || !lower.as_bytes()[start - 1].is_ascii_alphanumeric() && lower.as_bytes()[start - 1] != b'_';
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('(') {
            continue;
        }
        let open = lower.len() - rest.len();
        let mut depth = 0;
        for (j, ch) in lower[open..].char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        out.push(lower[open + 1..open + j].to_string());
                        from = open + j;
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Whether `expr` names the column `name` as a whole word outside quotes.
fn mentions(expr: &str, name: &str) -> bool {
    let mut unquoted = String::new();
    let mut in_quote = false;
    for ch in expr.chars() {
        if ch == '\'' {
            in_quote = !in_quote;
        } else if !in_quote {
            unquoted.push(ch);
        }
    }
    unquoted.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').any(|w| w == name)
}

/// 0032 rebuilds `person` and `warning_flag` on SQLite: an existing database
/// keeps every row, every value, and the ids to come.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_rebuilds_keep_what_a_database_held() {
    let (url, _dir) = sqlite_url();
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/sqlite");
    let mut before = sqlx::migrate::Migrator::new(folder).await.unwrap();
    before.migrations = before.migrations.iter().filter(|m| m.version < 32).cloned().collect::<Vec<_>>().into();
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(&url).await.unwrap();
    before.run(&pool).await.unwrap();
    for sql in [
        "INSERT INTO staff_user (username, display_name, role, password_hash, created_at) VALUES ('officer', 'Officer', 'housing_officer', 'x', '2026-01-01T00:00:00Z')",
        "INSERT INTO person (kind, given_name, family_name, given_key, family_key, created_at, updated_at, ni_number, memorable_word_hash)
         VALUES ('adult', 'Testy', 'Upgradeson', 'testy', 'upgradeson', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'QQ123456C', 'hash')",
        "INSERT INTO person (kind, given_name, family_name, given_key, family_key, created_at, updated_at)
         VALUES ('adult', 'Gone', 'Later', 'gone', 'later', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        "INSERT INTO warning_flag (person_id, category, severity, risk_assessment, person_told, person_told_on, review_date, starts_on,
                                   review_officer_id, recorded_by, recorded_at, renewed_on)
         VALUES (1, 'violence', 'high', 'Stays after the rebuild', 1, '2026-01-02', '2027-01-01', '2026-01-01', 1, 1, '2026-01-01T00:00:00Z', '2026-01-01')",
        // The highest id deleted: the next person must not take it again.
        "DELETE FROM person WHERE id = 2",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    pool.close().await;

    let store = Store::open(&url).await.unwrap();
    let mut c = AnyConnection::connect(&url).await.unwrap();
    let person = strings(&mut c, "SELECT given_name, ni_number, memorable_word_hash, CAST(organisation_id AS TEXT) FROM person").await;
    assert_eq!(person, vec![vec!["Testy".to_string(), "QQ123456C".into(), "hash".into(), "1".into()]]);
    let flag = strings(&mut c, "SELECT risk_assessment, renewed_on FROM warning_flag").await;
    assert_eq!(flag, vec![vec!["Stays after the rebuild".to_string(), "2026-01-01".into()]]);
    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut c).await.unwrap();
    sqlx::query(
        "INSERT INTO person (kind, given_name, family_name, given_key, family_key, created_at, updated_at)
         VALUES ('adult', 'Next', 'One', 'next', 'one', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    )
    .execute(&mut c)
    .await
    .unwrap();
    assert_eq!(strings(&mut c, "SELECT CAST(MAX(id) AS TEXT) FROM person").await, vec![vec!["3".to_string()]], "ids are never reused");
    let unknown = sqlx::query(
        "INSERT INTO person (kind, given_name, family_name, given_key, family_key, created_at, updated_at, organisation_id)
         VALUES ('adult', 'No', 'Landlord', 'no', 'landlord', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 99)",
    )
    .execute(&mut c)
    .await;
    assert!(unknown.is_err(), "an unknown organisation is refused on insert too");
    let no_renewed = sqlx::query(
        "INSERT INTO warning_flag (person_id, category, severity, risk_assessment, person_told, person_told_on, review_date, starts_on,
                                   review_officer_id, recorded_by, recorded_at)
         VALUES (1, 'violence', 'high', 'x', 1, '2026-01-02', '2027-01-01', '2026-01-01', 1, 1, '2026-01-01T00:00:00Z')",
    )
    .execute(&mut c)
    .await;
    assert!(no_renewed.is_err(), "a flag must say when it was renewed");
    store.close().await;
}
