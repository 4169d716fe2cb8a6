//! `hearth bench` runs end to end and prints both gated/bare ratios, on
//! SQLite and on PostgreSQL. A smoke test only: it checks the figures are
//! there and positive, never how fast anything is.

use std::process::Command;

fn bench(extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["bench", "--iterations", "20", "--sweep-rows", "500", "--sweep-due", "20"])
        .args(extra)
        .env_remove("HEARTH_BENCH_POSTGRES_URL")
        .env("HEARTH_LOG", "warn")
        .output()
        .expect("run hearth");
    assert!(out.status.success(), "hearth bench failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Every ratio printed under `label`, e.g. `ratio gated/bare reads`.
fn ratios(text: &str, label: &str) -> Vec<f64> {
    let prefix = format!("{label}:");
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(prefix.as_str()))
        .map(|rest| {
            let n = rest.split_whitespace().next().unwrap_or("");
            n.parse().unwrap_or_else(|_| panic!("{label} is not a number: {rest:?}"))
        })
        .collect()
}

fn assert_ratios(text: &str, backends: usize) {
    for label in ["ratio gated/bare reads", "ratio gated/bare writes", "ratio sweep 10T/T"] {
        let found = ratios(text, label);
        assert_eq!(found.len(), backends, "expected {backends} `{label}` lines in:\n{text}");
        assert!(found.iter().all(|r| r.is_finite() && *r > 0.0), "{label} must be positive: {found:?}\n{text}");
    }
}

#[test]
fn bench_prints_both_ratios_on_sqlite() {
    let text = bench(&[]);
    assert!(text.contains("SQLite"), "{text}");
    assert_ratios(&text, 1);
}

#[test]
fn bench_prints_both_ratios_on_postgres_too() {
    let server = std::env::var("HEARTH_TEST_POSTGRES_URL").expect("HEARTH_TEST_POSTGRES_URL must name a PostgreSQL server for the tests");
    let text = bench(&["--postgres", &server]);
    assert!(text.contains("PostgreSQL (new database)"), "{text}");
    assert_ratios(&text, 2);
}
