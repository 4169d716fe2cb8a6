//! `hearth-bench` runs end to end and prints both gated/bare ratios, on
//! SQLite and on PostgreSQL. A smoke test only: it checks the figures are
//! there and positive, never how fast anything is.

use hearth_testkit::{both_backends, postgres_server, Backend};
use std::process::Command;

fn bench(extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hearth-bench"))
        .args(["--iterations", "20", "--sweep-rows", "500", "--sweep-due", "20"])
        .args(extra)
        .env_remove("HEARTH_BENCH_POSTGRES_URL")
        .env("HEARTH_LOG", "warn")
        .output()
        .expect("run hearth-bench");
    assert!(out.status.success(), "hearth-bench failed: {}", String::from_utf8_lossy(&out.stderr));
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

both_backends!(blocking: bench_prints_both_ratios, scale_bench_prints_every_figure);

/// On SQLite alone, then with `--postgres` (which runs SQLite and then a new
/// PostgreSQL database on the test server), so every figure is printed
/// once per backend.
fn bench_prints_both_ratios(backend: Backend) {
    match backend {
        Backend::Sqlite => {
            let text = bench(&[]);
            assert!(text.contains("SQLite"), "{text}");
            assert_ratios(&text, 1);
        }
        Backend::Postgres => {
            let text = bench(&["--postgres", &postgres_server()]);
            assert!(text.contains("PostgreSQL (new database)"), "{text}");
            assert_ratios(&text, 2);
        }
    }
}

/// The `hearth` binary the scale run serves: the workspace's, built beside
/// this one (`cargo nextest run --workspace` builds every binary).
fn hearth() -> std::path::PathBuf {
    let p = std::path::Path::new(env!("CARGO_BIN_EXE_hearth-bench")).with_file_name("hearth");
    assert!(p.exists(), "{} is missing: build the workspace (cargo build --workspace)", p.display());
    p
}

/// The scale run at a tiny size: every figure the issue asks for is printed
/// for each backend (none is judged).
fn scale(extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hearth-bench"))
        .arg("--hearth")
        .arg(hearth())
        .args(["--scale", "--people", "150", "--contacts-per-person", "3", "--samples", "40"])
        .args(extra)
        .env_remove("HEARTH_BENCH_POSTGRES_URL")
        .env("HEARTH_LOG", "warn")
        .output()
        .expect("run hearth-bench");
    assert!(out.status.success(), "hearth-bench --scale failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn assert_scale_figures(text: &str, backends: usize) {
    let ratios = ratios(text, "ratio HTTP/bare");
    assert_eq!(ratios.len(), backends, "{text}");
    assert!(ratios.iter().all(|r| r.is_finite() && *r > 0.0), "{text}");
    for label in
        ["contacts.csv", "person API (GET /api/v1/people/{id})", "person page (GET /people/{id})", "server memory after the load: VmRSS"]
    {
        assert_eq!(text.matches(label).count(), backends, "{label} once per backend in:\n{text}");
    }
}

fn scale_bench_prints_every_figure(backend: Backend) {
    match backend {
        Backend::Sqlite => {
            let text = scale(&[]);
            assert!(text.contains("Generated ") && text.contains("SQLite:"), "{text}");
            assert_scale_figures(&text, 1);
        }
        Backend::Postgres => {
            let text = scale(&["--postgres", &postgres_server()]);
            assert!(text.contains("PostgreSQL:"), "{text}");
            assert_scale_figures(&text, 2);
        }
    }
}
