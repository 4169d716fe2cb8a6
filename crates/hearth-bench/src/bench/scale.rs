//! `hearth bench --scale`: the large-landlord run. Generates a synthetic
//! export of N people with M contacts each, imports it through the gate
//! into a fresh database per backend, starts `hearth serve` on that
//! database as a child process, and measures, in one run on one machine:
//!
//! - contacts logged per second through the HTTP API (decision and audit in
//!   the transaction) against bare durable single-row inserts of the same
//!   entry through the same driver and store code, as a ratio;
//! - person API, person timeline API and person page latency (p50, p99);
//! - import rows per second;
//! - the server's resident memory (VmRSS, and its peak VmHWM) after the load.
//!
//! It prints figures and the targets beside them; it asserts none.

use super::Samples;
use anyhow::{bail, Context, Result};
use hearth::{generate, import_cmd};
use hearth_domain::{
    access::Compartment,
    contacts::{Channel, ContactFields},
    staff::StaffRole,
};
use hearth_gate::{Actor, Gate, Policy, DEFAULT_PURPOSE};
use hearth_store::{Store, Table, Workload};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Size of the generated data set.
#[derive(Debug, Clone, Copy)]
pub struct ScaleSize {
    pub people: u64,
    pub contacts_per_person: u64,
    /// Timed contact writes of each kind, and timed reads of each page.
    pub samples: usize,
    /// Whether to run the SQLite half (PostgreSQL runs when a server is given).
    pub sqlite: bool,
}

const PASSWORD: &str = "bench-scale-password-1";

pub async fn run(policy: &Policy, size: ScaleSize, postgres: Option<&str>, work_dir: Option<&Path>, hearth: &Path) -> Result<()> {
    if size.people == 0 {
        bail!("--people must be at least 1");
    }
    let (dir, temporary) = match work_dir {
        Some(d) => (d.to_path_buf(), false),
        None => (std::env::temp_dir().join(format!("hearth_bench_scale_{}", super::unique())), true),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let result = run_in(policy, size, postgres, &dir, hearth).await;
    if temporary {
        if let Err(e) = std::fs::remove_dir_all(&dir) {
            eprintln!("warning: could not remove {}: {e}", dir.display());
        }
    }
    result
}

async fn run_in(policy: &Policy, size: ScaleSize, postgres: Option<&str>, dir: &Path, hearth: &Path) -> Result<()> {
    let build = if cfg!(debug_assertions) { "debug build" } else { "release build" };
    println!(
        "Hearth scale benchmark ({build}): {} people, {} contacts per person, {} cores, work folder {}",
        size.people,
        size.contacts_per_person,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        dir.display()
    );
    // Figures from a busy machine are not comparable with a quiet one's: say which this was.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("Load average at the start (1, 5, 15 min): {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    }
    let t = Instant::now();
    let files_dir = dir.join("export");
    let n = generate::generate(&files_dir, size.people, size.contacts_per_person, 1)?;
    println!("Generated {n} in {:.1} s.", t.elapsed().as_secs_f64());
    if size.sqlite {
        let db = dir.join("scale.db");
        let sqlite_url = format!("sqlite://{}", db.display());
        let r = on_backend("SQLite", &sqlite_url, policy, &files_dir, size.samples, hearth).await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        r?;
    } else {
        println!("\nSQLite: skipped (--postgres-only).");
    }
    match postgres {
        Some(server) => {
            let name = format!("hearth_bench_scale_{}", super::unique());
            let url = Store::create_postgres_database(server, &name).await.context("creating the scale benchmark's PostgreSQL database")?;
            let r = on_backend("PostgreSQL", &url, policy, &files_dir, size.samples, hearth).await;
            if let Err(e) = Store::drop_postgres_database(server, &name).await {
                eprintln!("warning: could not drop the benchmark database {name}: {e}");
            }
            r?;
        }
        None => println!("\nPostgreSQL: skipped (pass --postgres URL or set HEARTH_BENCH_POSTGRES_URL)."),
    }
    let _ = std::fs::remove_dir_all(&files_dir);
    Ok(())
}

/// The running server, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(hearth: &Path, url: &str) -> Result<Server> {
        let mut child = Command::new(hearth)
            .args(["--database-url", url, "serve", "--listen", "127.0.0.1:0", "--api-requests-per-minute", "0"])
            .args(["--failed-sign-ins-per-address", "0"])
            .env("HEARTH_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting hearth serve")?;
        let stdout = child.stdout.take().expect("piped");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(base) = line.split("running at ").nth(1).and_then(|r| r.split_whitespace().next()) else {
            let _ = child.kill();
            bail!("hearth serve did not say where it listens: {line:?}");
        };
        Ok(Server { base: base.trim_end_matches('/').to_string(), child })
    }

    /// (VmRSS, VmHWM) in MiB.
    fn memory(&self) -> Result<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).context("reading the server's /proc status")?;
        let kib = |key: &str| -> f64 {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        Ok((kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0))
    }
}

fn fmt_rate(n: f64) -> String {
    format!("{n:.0}")
}

async fn on_backend(label: &str, url: &str, policy: &Policy, files: &Path, samples: usize, hearth: &Path) -> Result<()> {
    let (writes, reads) = (samples.max(8), samples.max(10));
    println!("\n{label}:");
    // The import's own settings, as `hearth import` opens the database.
    let store = Store::open_for(url, Workload::BulkLoad).await.context("opening the scale benchmark database")?;
    // A fresh random key for the run seals the imported equality answers.
    let key = hearth_gate::edi::EdiKey::from_bytes(&rand::random::<[u8; 32]>()).context("making an equality key")?;
    let gate = Gate::new(store.clone(), policy.clone()).with_edi_key(key);
    let add = |u: &'static str, role| {
        let gate = gate.clone();
        async move { gate.add_user(u, u, role, &[], PASSWORD).await.map_err(|e| anyhow::anyhow!("adding {u}: {e}")) }
    };
    add("bench.dpo", StaffRole::Dpo).await?;
    add("bench.officer", StaffRole::HousingOfficer).await?;
    let dpo = gate.actor_for("bench.dpo", DEFAULT_PURPOSE).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let officer = gate.actor_for("bench.officer", DEFAULT_PURPOSE).await.map_err(|e| anyhow::anyhow!("{e}"))?;

    // Import.
    let import_files = import_cmd::ImportFiles::in_dir(files);
    let started = Instant::now();
    let report = import_cmd::import(&gate, &dpo, "bench-scale", &import_files, import_cmd::DEFAULT_BATCH, true).await?;
    let total = started.elapsed();
    if !report.all_imported() {
        bail!("the generated files did not import cleanly: {} rows refused", report.bad_rows.len());
    }
    println!("  import (batches of {} rows, one audit event each):", import_cmd::DEFAULT_BATCH);
    for f in &report.files {
        println!(
            "    {:<16} {:>10} rows in {:>8.1} s: {:>8} rows/s",
            f.file,
            f.imported,
            f.elapsed.as_secs_f64(),
            fmt_rate(f.rows_per_second())
        );
    }
    let rows: u64 = report.files.iter().map(|f| f.imported).sum();
    println!(
        "    {:<16} {:>10} rows in {:>8.1} s: {:>8} rows/s",
        "all files",
        rows,
        total.as_secs_f64(),
        fmt_rate(rows as f64 / total.as_secs_f64())
    );
    let contacts_rate = report.files.iter().find(|f| f.file == generate::CONTACTS_FILE).map(|f| f.rows_per_second()).unwrap_or(0.0);
    println!("    contacts import target ≥ 100000 rows/s: {}", if contacts_rate >= 100_000.0 { "met" } else { "not met" });
    let people = store.count(Table::Person).await?;
    let contacts = store.count(Table::ContactEntry).await?;
    // The engine's own limit on this machine, on the loaded tables: the same
    // kind of rows written inside the database in one go, then rolled back.
    let n = contacts.clamp(1, 200_000);
    let mut tx = store.begin().await?;
    let t = Instant::now();
    hearth_store::import::set_based_contacts(&mut tx, n, dpo.user_id, jiff::Timestamp::now()).await?;
    let engine = n as f64 / t.elapsed().as_secs_f64().max(1e-9);
    drop(tx);
    println!(
        "    engine's own set-based insert of {n} contacts with their people (INSERT … SELECT, same indexes and keys, rolled back): {} rows/s",
        fmt_rate(engine)
    );
    println!("    ratio contacts import/engine: {:.2}", contacts_rate / engine);
    println!("  database: {people} people, {contacts} contact-log entries");
    store.close().await;

    let server = Server::start(hearth, url)?;
    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build()?;
    let token = token(&client, &server.base).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut pick = || rng.gen_range(1..=people);

    // Contact logging: HTTP against bare inserts, alternating rounds.
    let bare_store = Store::connect(url).await?;
    let (mut http, mut bare) = (Duration::ZERO, Duration::ZERO);
    let rounds = 8;
    for _ in 0..rounds {
        for _ in 0..writes / rounds {
            let id = pick();
            let t = Instant::now();
            let r = client
                .post(format!("{}/api/v1/contacts", server.base))
                .bearer_auth(&token)
                .json(&serde_json::json!({"channel": "call_in", "person_ids": [id], "summary": "Asked about the rent balance"}))
                .send()
                .await?;
            if r.status() != reqwest::StatusCode::CREATED {
                bail!("logging a contact over HTTP: {} {}", r.status(), r.text().await.unwrap_or_default());
            }
            http += t.elapsed();
        }
        for _ in 0..writes / rounds {
            let id = pick();
            bare += bare_insert(&bare_store, &officer, id).await?;
        }
    }
    bare_store.close().await;
    let n = (writes / rounds * rounds) as f64;
    let (http_rate, bare_rate) = (n / http.as_secs_f64(), n / bare.as_secs_f64());
    println!("  contact logging, one at a time ({} each):", n as usize);
    println!("    HTTP API (POST /api/v1/contacts: decision + audit in the transaction): {:>8} contacts/s", fmt_rate(http_rate));
    println!("    bare durable insert of the same entry (begin, insert_entry, commit):  {:>8} contacts/s", fmt_rate(bare_rate));
    println!("    ratio HTTP/bare: {:.2} (target ≥ 0.50)", http_rate / bare_rate);

    // Reads.
    let mut api = Samples::with_capacity(reads);
    let mut timeline = Samples::with_capacity(reads);
    let mut page = Samples::with_capacity(reads);
    sign_in(&client, &server.base).await?;
    // Each kind of read is of a person of its own: an officer opens a page
    // cold, and a page read right after the same person's timeline would find
    // their entries already in the cache (and look faster than it is).
    for i in 0..reads + reads / 10 {
        let keep = i >= reads / 10;
        let d = get(&client, &format!("{}/api/v1/people/{}", server.base, pick()), Some(&token)).await?;
        if keep {
            api.push(d);
        }
        let d = get(&client, &format!("{}/api/v1/people/{}/timeline", server.base, pick()), Some(&token)).await?;
        if keep {
            timeline.push(d);
        }
        let d = get(&client, &format!("{}/people/{}", server.base, pick()), None).await?;
        if keep {
            page.push(d);
        }
    }
    let ms = |s: &Samples, p: f64| s.percentile(p) / 1000.0;
    println!("  reads of random people, a different one for each read ({reads} each, after {} warm-up):", reads / 10);
    println!("    {:<44} {:>8} {:>8}", "", "p50 ms", "p99 ms");
    for (name, s) in [
        ("person API (GET /api/v1/people/{id})", &api),
        ("timeline API (GET /api/v1/people/{id}/timeline)", &timeline),
        ("person page (GET /people/{id})", &page),
    ] {
        println!("    {name:<44} {:>8.2} {:>8.2}", ms(s, 50.0), ms(s, 99.0));
    }
    if label == "SQLite" {
        println!("    person page p99 target < 10 ms (SQLite, full scale): {}", if ms(&page, 99.0) < 10.0 { "met" } else { "not met" });
    }
    let (rss, hwm) = server.memory()?;
    println!("  server memory after the load: VmRSS {rss:.0} MiB (peak VmHWM {hwm:.0} MiB; target RSS < 200 MB)");
    drop(server);
    Ok(())
}

async fn bare_insert(store: &Store, officer: &Actor, person: i64) -> Result<Duration> {
    let fields = ContactFields {
        occurred_at: jiff::Timestamp::now(),
        channel: Channel::CallIn,
        compartment: Compartment::ContactLog,
        compartment_given: true,
        person_ids: vec![person],
        case_id: None,
        subjects: vec![],
        summary: "Asked about the rent balance".into(),
        verbatim: None,
        follow_ups: vec![],
        voicemail_left: None,
        appointment_outcome: None,
        place: None,
        system_generated: None,
        service_request: None,
    };
    let t = Instant::now();
    let mut tx = store.begin().await?;
    hearth_store::contacts::insert_entry(&mut tx, &fields, None, officer.user_id, jiff::Timestamp::now()).await?;
    tx.commit().await?;
    Ok(t.elapsed())
}

async fn token(client: &reqwest::Client, base: &str) -> Result<String> {
    let r = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": "bench.officer", "password": PASSWORD}))
        .send()
        .await?;
    if !r.status().is_success() {
        bail!("signing in to the API: {}", r.status());
    }
    let v: serde_json::Value = r.json().await?;
    v["token"].as_str().map(String::from).context("no token in the sign-in reply")
}

/// Signs the officer in through the login form (the client keeps the cookie).
async fn sign_in(client: &reqwest::Client, base: &str) -> Result<()> {
    let page = client.get(format!("{base}/login")).send().await?.text().await?;
    let marker = "name=\"_csrf\" value=\"";
    let start = page.find(marker).context("no CSRF field on the login page")? + marker.len();
    let csrf = page[start..].split('"').next().unwrap_or_default().to_string();
    let r = client
        .post(format!("{base}/login"))
        .form(&[("_csrf", csrf.as_str()), ("username", "bench.officer"), ("password", PASSWORD)])
        .send()
        .await?;
    if r.status() != reqwest::StatusCode::SEE_OTHER {
        bail!("signing in to the web UI: {}", r.status());
    }
    Ok(())
}

async fn get(client: &reqwest::Client, url: &str, token: Option<&str>) -> Result<Duration> {
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let t = Instant::now();
    let r = req.send().await?;
    let status = r.status();
    let body = r.bytes().await?;
    let d = t.elapsed();
    if !status.is_success() {
        bail!("GET {url}: {status} {}", String::from_utf8_lossy(&body));
    }
    std::hint::black_box(body);
    Ok(d)
}
