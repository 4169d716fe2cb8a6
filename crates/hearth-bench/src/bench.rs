//! The gate benchmark: what the gate costs per request, as a ratio to the same
//! store call without it, measured in one run on one machine.
//!
//! Each backend gets a fresh throwaway database (a temporary SQLite file, and
//! a new PostgreSQL database if a server is named) loaded with the demo data.
//! For the same people in the same order it times bare store reads and
//! writes, the gate's reads and writes, a read plus audit append without a
//! decision, and the Cedar decision alone, so the table shows where the
//! gate's cost goes. It prints figures and never judges them: speed targets
//! belong to whoever reads the table, not to a timed test.
//!
//! It also times the retention sweep: the same number of due records in a
//! contact log of T rows and of 10T rows, and prints the ratio. The sweep
//! reads due rows through an index on the trigger date, so the ratio should
//! stay near 1 however large the table grows.
//!
//! `--scale` runs the large-landlord benchmark instead (module `scale`):
//! generate, import, serve and measure at N people and M contacts each.

mod scale;

use anyhow::{bail, Context, Result};
use hearth::demo;
use hearth_domain::{
    access::{Action, Compartment},
    people::{Person, PersonFields, PersonInput, PersonUpdate},
    Id,
};
use hearth_gate::policy::{AccessRequest, Relation};
use hearth_gate::{Actor, Gate, Policy, DEFAULT_PURPOSE};
use hearth_store::audit::{self, NewAuditEvent};
use hearth_store::people::{self, PersonFilter};
use hearth_store::{staff, Store};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::Timestamp;
use std::hint::black_box;
use std::time::{Duration, Instant};

pub use scale::ScaleSize;

/// The large-landlord run (`--scale`): see [`scale`].
pub async fn scale(
    policy: &Policy,
    size: ScaleSize,
    postgres: Option<&str>,
    work_dir: Option<&std::path::Path>,
    hearth: &std::path::Path,
) -> Result<()> {
    scale::run(policy, size, postgres, work_dir, hearth).await
}

/// Demo households loaded per backend: a few hundred people.
const HOUSEHOLDS: usize = 60;

/// Sizes for the retention sweep: T rows not due, and how many are due.
#[derive(Debug, Clone, Copy)]
pub struct SweepSize {
    pub table_rows: i64,
    pub due: i64,
}

/// Runs the benchmark on SQLite and, if `postgres` names a server, on PostgreSQL.
pub async fn run(policy: &Policy, iterations: usize, postgres: Option<&str>, sweep: SweepSize) -> Result<()> {
    if iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    let warmup = (iterations / 10).clamp(10, 200);
    let build = if cfg!(debug_assertions) {
        "debug build; `cargo run --release -p hearth-bench` gives representative figures"
    } else {
        "release build"
    };
    println!("Hearth gate benchmark: {iterations} timed iterations per operation after {warmup} warm-up ({build}).");
    on_sqlite(policy, iterations, warmup).await?;
    sweep_sqlite(policy, sweep).await?;
    match postgres {
        Some(server) => {
            on_postgres(policy, server, iterations, warmup).await?;
            sweep_postgres(policy, server, sweep).await?;
        }
        None => println!("\nPostgreSQL: skipped (pass --postgres URL or set HEARTH_BENCH_POSTGRES_URL)."),
    }
    Ok(())
}

async fn sweep_sqlite(policy: &Policy, size: SweepSize) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("hearth_bench_sweep_{}", unique()));
    std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let urls = [format!("sqlite://{}", dir.join("t.db").display()), format!("sqlite://{}", dir.join("10t.db").display())];
    let result = sweep_pair(&urls, policy, size).await;
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        eprintln!("warning: could not remove {}: {e}", dir.display());
    }
    let (small, large) = result?;
    print_sweep("SQLite", size, small, large);
    Ok(())
}

async fn sweep_postgres(policy: &Policy, server: &str, size: SweepSize) -> Result<()> {
    let names = [format!("hearth_bench_sweep_{}", unique()), format!("hearth_bench_sweep_{}_10t", unique())];
    let mut urls = vec![];
    for name in &names {
        urls.push(Store::create_postgres_database(server, name).await.context("creating the sweep benchmark's PostgreSQL database")?);
    }
    let result = sweep_pair(&[urls[0].clone(), urls[1].clone()], policy, size).await;
    for name in &names {
        if let Err(e) = Store::drop_postgres_database(server, name).await {
            eprintln!("warning: could not drop the benchmark database {name}: {e}");
        }
    }
    let (small, large) = result?;
    print_sweep("PostgreSQL", size, small, large);
    Ok(())
}

/// Rounds of timed sweeps, alternating between the two databases so that
/// load from elsewhere on the machine falls on both alike.
const SWEEP_ROUNDS: usize = 5;

fn print_sweep(label: &str, size: SweepSize, small: Duration, large: Duration) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("\nRetention sweep on {label}: {} due chatbot entries disposed of per run (median of {SWEEP_ROUNDS} runs each)", size.due);
    println!("  in a contact log of {} other rows (T): {:.1} ms", size.table_rows, ms(small));
    println!("  in a contact log of {} other rows (10T): {:.1} ms", size.table_rows * 10, ms(large));
    println!("  ratio sweep 10T/T: {:.2}", ms(large) / ms(small));
}

/// A database of `rows` entries that are not due (half recent chatbot
/// entries, half old calls: the same index, other keys), with a DPO.
async fn sweep_db(url: &str, policy: &Policy, rows: i64) -> Result<(Store, Gate, Actor)> {
    use hearth_domain::contacts::Channel;
    use hearth_gate::retention::RETENTION_PURPOSE;
    use hearth_store::retention::insert_synthetic_entries;
    let store = Store::open(url).await.context("opening the sweep benchmark database")?;
    let gate = Gate::new(store.clone(), policy.clone());
    gate.add_user("bench.dpo", "Benchmark DPO", hearth_domain::staff::StaffRole::Dpo, &[], "bench-password-123")
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let dpo = gate.actor_for("bench.dpo", RETENTION_PURPOSE).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = Timestamp::now();
    let mut tx = store.begin().await?;
    insert_synthetic_entries(&mut tx, rows / 2, Channel::Chatbot, now, dpo.user_id).await?;
    insert_synthetic_entries(&mut tx, rows - rows / 2, Channel::CallIn, now - jiff::SignedDuration::from_hours(24 * 365 * 3), dpo.user_id)
        .await?;
    tx.commit().await?;
    Ok((store, gate, dpo))
}

/// Adds `due` old chatbot entries and times the run that disposes of them.
async fn one_sweep(store: &Store, gate: &Gate, dpo: &Actor, due: i64) -> Result<Duration> {
    use hearth_domain::contacts::Channel;
    use hearth_gate::retention::{RetentionMode, DEFAULT_BATCH};
    let mut tx = store.begin().await?;
    let old = Timestamp::now() - jiff::SignedDuration::from_hours(24 * 365 * 3);
    hearth_store::retention::insert_synthetic_entries(&mut tx, due, Channel::Chatbot, old, dpo.user_id).await?;
    tx.commit().await?;
    let t = Instant::now();
    let report = gate
        .retention(dpo, Gate::today(), RetentionMode::Run { started_by: "command" }, DEFAULT_BATCH, &|_, _| {})
        .await
        .map_err(|e| anyhow::anyhow!("retention run: {e}"))?;
    let d = t.elapsed();
    if report.disposed() != due as u64 {
        bail!("the sweep disposed of {} entries; {due} were due", report.disposed());
    }
    Ok(d)
}

/// Median sweep times on a table of T and one of 10T, after one warm-up each.
async fn sweep_pair(urls: &[String; 2], policy: &Policy, size: SweepSize) -> Result<(Duration, Duration)> {
    let small = sweep_db(&urls[0], policy, size.table_rows).await?;
    let large = sweep_db(&urls[1], policy, size.table_rows * 10).await;
    let large = match large {
        Ok(l) => l,
        Err(e) => {
            small.0.close().await;
            return Err(e);
        }
    };
    let result = async {
        let (mut a, mut b) = (vec![], vec![]);
        for round in 0..=SWEEP_ROUNDS {
            let x = one_sweep(&small.0, &small.1, &small.2, size.due).await?;
            let y = one_sweep(&large.0, &large.1, &large.2, size.due).await?;
            if round > 0 {
                a.push(x);
                b.push(y);
            }
        }
        a.sort();
        b.sort();
        Ok((a[a.len() / 2], b[b.len() / 2]))
    }
    .await;
    small.0.close().await;
    large.0.close().await;
    result
}

fn unique() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}_{nanos}", std::process::id())
}

async fn on_sqlite(policy: &Policy, iterations: usize, warmup: usize) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("hearth_bench_{}", unique()));
    std::fs::create_dir(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let result = measure_on(&url, "SQLite (temporary file)", policy, iterations, warmup).await;
    // The database and its WAL files go whether or not the run succeeded.
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        eprintln!("warning: could not remove {}: {e}", dir.display());
    }
    result
}

async fn on_postgres(policy: &Policy, server: &str, iterations: usize, warmup: usize) -> Result<()> {
    let name = format!("hearth_bench_{}", unique());
    let url = Store::create_postgres_database(server, &name).await.context("creating the benchmark's PostgreSQL database")?;
    let result = measure_on(&url, "PostgreSQL (new database)", policy, iterations, warmup).await;
    if let Err(e) = Store::drop_postgres_database(server, &name).await {
        eprintln!("warning: could not drop the benchmark database {name}: {e}");
    }
    result
}

async fn measure_on(url: &str, label: &str, policy: &Policy, iterations: usize, warmup: usize) -> Result<()> {
    let store = Store::open(url).await.context("opening the benchmark database")?;
    let result = measure(&store, label, policy, iterations, warmup).await;
    store.close().await;
    result
}

/// Timings for one operation, in microseconds.
struct Samples(Vec<f64>);

impl Samples {
    fn with_capacity(n: usize) -> Self {
        Samples(Vec::with_capacity(n))
    }
    fn push(&mut self, d: Duration) {
        self.0.push(d.as_secs_f64() * 1e6);
    }
    fn mean(&self) -> f64 {
        self.0.iter().sum::<f64>() / self.0.len() as f64
    }
    /// Nearest-rank percentile.
    fn percentile(&self, p: f64) -> f64 {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1]
    }
}

/// One person's edit, prepared outside the timed region.
struct Edit {
    input: PersonInput,
    fields: PersonFields,
    version: i64,
}

fn edit_of(p: &Person) -> Result<Edit> {
    // Writing a person's own values back still updates the row, its version
    // and timestamp, and gives the gate a real old/new change to record.
    let input = PersonInput {
        kind: Some(p.kind.as_str().into()),
        given_name: Some(p.given_name.clone()),
        family_name: Some(p.family_name.clone()),
        preferred_name: p.preferred_name.clone(),
        date_of_birth: p.date_of_birth.map(|d| d.to_string()),
        ni_number: p.ni_number.clone(),
    };
    let fields = input.validate(Gate::today()).map_err(|e| anyhow::anyhow!("demo person {} does not validate: {e}", p.id))?;
    Ok(Edit { input, fields, version: p.version })
}

async fn measure(store: &Store, label: &str, policy: &Policy, iterations: usize, warmup: usize) -> Result<()> {
    println!("\n{label}: loading the demo data ({HOUSEHOLDS} households)…");
    let gate = Gate::new(store.clone(), policy.clone());
    demo::load_data(&gate, 1, HOUSEHOLDS).await?;
    let mut tx = store.begin().await?;
    let officer = staff::user_by_username(&mut tx, "housing.officer").await?.context("the demo housing officer is missing")?;
    let persons = people::list_people(&mut tx, &PersonFilter::default(), None, 100_000).await?.items;
    tx.commit().await?;
    if persons.is_empty() {
        bail!("the demo data holds no people");
    }
    let actor = Actor {
        user_id: officer.id,
        username: officer.username,
        display_name: officer.display_name,
        role: officer.role,
        purpose: DEFAULT_PURPOSE.into(),
        responsibilities: officer.responsibilities,
        scope: None,
    };
    let probe = policy.decide(&view_request(&actor, persons[0].id));
    if !probe.allowed {
        bail!("the access policies refuse the housing officer a person's identity record: {}", probe.reason);
    }
    let mut edits = persons.iter().map(edit_of).collect::<Result<Vec<_>>>()?;

    let [mut bare_read, mut audited_read, mut gated_read, mut bare_write, mut gated_write, mut decision] =
        std::array::from_fn(|_| Samples::with_capacity(iterations));
    let bar = ProgressBar::new((warmup + iterations) as u64).with_message(label.to_string());
    bar.set_style(ProgressStyle::with_template("{msg} {bar:30} {pos}/{len}").expect("static template"));
    for i in 0..warmup + iterations {
        let k = i % persons.len();
        let id = persons[k].id;
        let keep = i >= warmup;
        // Rotate which variant runs first so none always finds a warmer cache.
        for step in 0..3 {
            match (i + step) % 3 {
                0 => {
                    let d = read_bare(store, id).await?;
                    if keep {
                        bare_read.push(d);
                    }
                }
                1 => {
                    let d = read_with_audit(store, &actor, id, &probe.policy_ids).await?;
                    if keep {
                        audited_read.push(d);
                    }
                }
                _ => {
                    let d = read_gated(&gate, &actor, id).await?;
                    if keep {
                        gated_read.push(d);
                    }
                }
            }
        }
        for step in 0..2 {
            let edit = &mut edits[k];
            if (i + step) % 2 == 0 {
                let d = write_bare(store, id, edit).await?;
                if keep {
                    bare_write.push(d);
                }
            } else {
                let d = write_gated(&gate, &actor, id, edit).await?;
                if keep {
                    gated_write.push(d);
                }
            }
        }
        let t = Instant::now();
        black_box(policy.decide(&view_request(&actor, id)));
        if keep {
            decision.push(t.elapsed());
        }
        bar.inc(1);
    }
    bar.finish_and_clear();

    println!("{} people, each operation {iterations} times on the same people in the same order.", persons.len());
    println!("  {:<52} {:>6} {:>10} {:>10} {:>10}", "operation", "ops", "mean µs", "p50 µs", "p99 µs");
    for (name, s) in [
        ("bare read: begin, select person, commit", &bare_read),
        ("bare read + audit append (no decision)", &audited_read),
        ("gated read: gate.person", &gated_read),
        ("bare write: begin, update_person, commit", &bare_write),
        ("gated write: gate.update_person", &gated_write),
        ("Cedar decision alone: policy().decide", &decision),
    ] {
        println!("  {name:<52} {:>6} {:>10.1} {:>10.1} {:>10.1}", s.0.len(), s.mean(), s.percentile(50.0), s.percentile(99.0));
    }
    let ratio = |g: &Samples, b: &Samples| (g.mean() / b.mean(), g.percentile(50.0) / b.percentile(50.0));
    let (reads, reads_p50) = ratio(&gated_read, &bare_read);
    let (writes, writes_p50) = ratio(&gated_write, &bare_write);
    println!("  ratio gated/bare reads: {reads:.2} (of means; {reads_p50:.2} of medians)");
    println!("  ratio gated/bare writes: {writes:.2} (of means; {writes_p50:.2} of medians)");
    // Differences of means from separate rows: estimates, noisy on a busy machine.
    println!(
        "  gate cost per read: {:.1} µs more than bare, of which about {:.1} the audit append and {:.1} the Cedar decision",
        gated_read.mean() - bare_read.mean(),
        audited_read.mean() - bare_read.mean(),
        decision.mean()
    );
    sign_in_timing(&gate).await
}

/// Wrong-password sign-ins per kind of name, alternated.
const SIGN_IN_ROUNDS: usize = 10;

/// A wrong password for a real account and for a name with no account
/// should take the same time (one Argon2id verification each), or timing
/// tells a guesser which usernames exist. Printed, never judged.
async fn sign_in_timing(gate: &Gate) -> Result<()> {
    let [mut known, mut unknown] = std::array::from_fn(|_| Samples::with_capacity(SIGN_IN_ROUNDS));
    for i in 0..SIGN_IN_ROUNDS * 2 {
        let (name, samples) = if i % 2 == 0 { ("manager", &mut known) } else { ("no.such.account", &mut unknown) };
        let t = Instant::now();
        let refused = gate.sign_in(name, "not the password", staff::SessionKind::Api).await;
        samples.push(t.elapsed());
        if refused.is_ok() {
            bail!("a wrong password signed in");
        }
    }
    gate.unlock("manager").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "  wrong-password sign-in, median of {SIGN_IN_ROUNDS}: real account {:.1} ms, unknown name {:.1} ms, ratio real/unknown {:.2}",
        known.percentile(50.0) / 1000.0,
        unknown.percentile(50.0) / 1000.0,
        known.percentile(50.0) / unknown.percentile(50.0)
    );
    Ok(())
}

/// The question the gate asks for `gate.person`, without relationships.
fn view_request(actor: &Actor, id: Id) -> AccessRequest<'_> {
    AccessRequest {
        actor,
        action: Action::View,
        compartment: Compartment::Identity,
        record_type: "person",
        record_key: format!("person/{id}"),
        relation: Relation::default(),
    }
}

async fn read_bare(store: &Store, id: Id) -> Result<Duration> {
    let t = Instant::now();
    let mut tx = store.begin().await?;
    black_box(people::person(&mut tx, id).await?);
    tx.commit().await?;
    Ok(t.elapsed())
}

/// A read plus the audit event the gate would write, with no decision: the
/// difference from a bare read is what the durable audit trail costs.
async fn read_with_audit(store: &Store, actor: &Actor, id: Id, policy_ids: &str) -> Result<Duration> {
    let t = Instant::now();
    let mut tx = store.begin().await?;
    black_box(people::person(&mut tx, id).await?);
    let event = NewAuditEvent {
        actor_id: Some(actor.user_id),
        actor_username: actor.username.clone(),
        actor_role: actor.role.as_str().into(),
        action: Action::View.as_str().into(),
        compartment: Compartment::Identity.as_str().into(),
        record_type: "person".into(),
        record_id: Some(id),
        person_id: Some(id),
        purpose: actor.purpose.clone(),
        decision: "allow".into(),
        policy_ids: policy_ids.into(),
        reason: None,
        detail: None,
    };
    audit::append(&mut tx, &event, Timestamp::now()).await?;
    tx.commit().await?;
    Ok(t.elapsed())
}

async fn read_gated(gate: &Gate, actor: &Actor, id: Id) -> Result<Duration> {
    let t = Instant::now();
    black_box(gate.person(actor, id).await.map_err(|e| anyhow::anyhow!("gated read of person {id}: {e}"))?);
    Ok(t.elapsed())
}

async fn write_bare(store: &Store, id: Id, edit: &mut Edit) -> Result<Duration> {
    let t = Instant::now();
    let mut tx = store.begin().await?;
    let p = people::update_person(&mut tx, id, edit.version, &edit.fields, Timestamp::now()).await?;
    tx.commit().await?;
    let d = t.elapsed();
    edit.version = p.version;
    Ok(d)
}

async fn write_gated(gate: &Gate, actor: &Actor, id: Id, edit: &mut Edit) -> Result<Duration> {
    let update = PersonUpdate { version: edit.version, fields: edit.input.clone() };
    let t = Instant::now();
    let p = gate.update_person(actor, id, &update).await.map_err(|e| anyhow::anyhow!("gated write of person {id}: {e}"))?;
    let d = t.elapsed();
    edit.version = p.version;
    Ok(d)
}
