//! `hearth retention …`: the retention schedule from the command line —
//! a dry-run plan, a run in batches with a progress bar, and the disposal
//! certificates as CSV — plus the optional scheduled run inside `serve`.
//!
//! Every disposal goes through the gate as the named operator (a staff
//! account whose role may dispose, normally the DPO), so it is decided by
//! the policies and audited; this module only parses, prints and waits.

use anyhow::{bail, Context};
use clap::Subcommand;
use hearth_domain::retention::RecordClass;
use hearth_gate::retention::{certificates_csv, RetentionMode, RetentionReport, SweepStatus, DEFAULT_BATCH, RETENTION_PURPOSE};
use hearth_gate::{Actor, Gate};
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::Date;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Dry run: what the schedule would dispose of today (or --as-of), per rule, with counts and holds.
    Plan {
        #[command(flatten)]
        common: Common,
    },
    /// Dispose of every record whose retention period has run, in batches, and write a certificate per rule.
    Run {
        #[command(flatten)]
        common: Common,
        /// Records per transaction.
        #[arg(long, default_value_t = DEFAULT_BATCH)]
        batch: i64,
    },
    /// Export the disposal certificates as CSV (no personal data).
    Certificates {
        /// Staff account the export is made as (audited).
        #[arg(long, env = "HEARTH_RETENTION_OPERATOR")]
        operator: String,
        /// Only this run's certificates.
        #[arg(long)]
        run: Option<i64>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
pub struct Common {
    /// Staff account the run acts as, normally the DPO; its role must be allowed to dispose of the records.
    #[arg(long, env = "HEARTH_RETENTION_OPERATOR")]
    operator: String,
    /// Apply the rules as of this date (YYYY-MM-DD) instead of today.
    #[arg(long)]
    as_of: Option<String>,
}

fn as_of(text: Option<&str>) -> anyhow::Result<Date> {
    match text {
        None => Ok(Gate::today()),
        Some(t) => t.trim().parse().with_context(|| format!("--as-of {t:?} is not a date like 2026-03-01")),
    }
}

async fn operator(gate: &Gate, username: &str) -> anyhow::Result<Actor> {
    gate.actor_for(username, RETENTION_PURPOSE)
        .await
        .map_err(|_| anyhow::anyhow!("no active staff account {username:?} to run retention as"))
}

pub async fn run(gate: &Gate, command: RetentionCommand) -> anyhow::Result<()> {
    match command {
        RetentionCommand::Plan { common } => {
            let actor = operator(gate, &common.operator).await?;
            let date = as_of(common.as_of.as_deref())?;
            let report = gate.retention(&actor, date, RetentionMode::Plan, DEFAULT_BATCH, &|_, _| {}).await?;
            print_report(&report, "would be disposed of");
        }
        RetentionCommand::Run { common, batch } => {
            let actor = operator(gate, &common.operator).await?;
            let date = as_of(common.as_of.as_deref())?;
            // The plan sizes the bar; the run may find a few more or fewer.
            let plan = gate.retention(&actor, date, RetentionMode::Plan, batch, &|_, _| {}).await?;
            let bar = ProgressBar::new(plan.disposed());
            bar.set_style(ProgressStyle::with_template("{msg:40} {bar:30} {pos}/{len} ({eta})").expect("static template"));
            let report = gate
                .retention(&actor, date, RetentionMode::Run { started_by: "command" }, batch, &|class: RecordClass, n| {
                    bar.set_message(class.label());
                    bar.inc(n);
                })
                .await;
            bar.finish_and_clear();
            print_report(&report?, "disposed of");
        }
        RetentionCommand::Certificates { operator: username, run, out } => {
            let actor = operator(gate, &username).await?;
            let list = gate.certificates(&actor, run, true).await?;
            let text = certificates_csv(&list);
            crate::write_out(out.as_deref(), &text)?;
        }
    }
    Ok(())
}

fn print_report(r: &RetentionReport, verb: &str) {
    match r.run_id {
        Some(id) => println!("Retention run {id} as of {}:", r.as_of),
        None => println!("Retention plan as of {} (dry run: nothing is changed):", r.as_of),
    }
    println!("  {:<28} {:<62} {:>10} {:>8} {:>6}", "record class", "rule", "cutoff", "count", "held");
    let mut not_swept = vec![];
    for o in &r.rules {
        match o.status {
            SweepStatus::Swept => {
                let cutoff = o.cutoff.map(|d| d.to_string()).unwrap_or_default();
                println!("  {:<28} {:<62} {:>10} {:>8} {:>6}", o.class.as_str(), o.rule, cutoff, o.disposed, o.held);
                if !o.holds.is_empty() {
                    let ids: Vec<String> = o.holds.iter().map(|h| h.to_string()).collect();
                    println!("    held back by legal hold {}", ids.join(", "));
                }
                if o.waiting > 0 {
                    println!(
                        "    {} waiting for another record that still points at them or must go first (the next run takes them)",
                        o.waiting
                    );
                }
                if o.audit_legacy_kept > 0 {
                    println!("    {} audit payloads predate separate payload hashing and were left in place", o.audit_legacy_kept);
                }
                if let Some(c) = &o.certificate {
                    println!("    certificate {} (ids sha256 {})", c.id, c.ids_sha256);
                }
            }
            SweepStatus::Kept => {}
            SweepStatus::NotSwept => not_swept.push(o.class.as_str()),
        }
    }
    let waiting: u64 = r.rules.iter().map(|o| o.waiting).sum();
    println!("Total {verb}: {}; held: {}; waiting: {waiting}.", r.disposed(), r.held());
    if r.run_id.is_some() && !r.erased && r.disposed() > 0 {
        println!("Warning: the database could not be checkpointed after the run; deleted data may remain in its files until the next run.");
    }
    let kept: Vec<&str> = r.rules.iter().filter(|o| o.status == SweepStatus::Kept).map(|o| o.class.as_str()).collect();
    println!("Kept by rule: {}.", kept.join(", "));
    if !not_swept.is_empty() {
        println!("Not swept by this version (rule declared, no records or disposal yet): {}.", not_swept.join(", "));
    }
}

/// Parses `30m`, `24h`, `7d`.
pub fn parse_every(text: &str) -> anyhow::Result<Duration> {
    let t = text.trim();
    let (n, unit) = t.split_at(t.len().saturating_sub(1));
    let n: u64 = n.parse().with_context(|| format!("{text:?} is not an interval like 30m, 24h or 7d"))?;
    let secs = match unit {
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => bail!("{text:?} is not an interval like 30m, 24h or 7d"),
    };
    if secs < 60 {
        bail!("the retention interval must be at least 1m");
    }
    Ok(Duration::from_secs(secs))
}

/// Runs the schedule every `every` (first run one interval after start-up),
/// as `operator`, logging the outcome; a failed run is logged and retried
/// at the next interval.
pub fn spawn_schedule(gate: Gate, operator_name: String, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            let result = async {
                let actor = operator(&gate, &operator_name).await?;
                Ok::<_, anyhow::Error>(
                    gate.retention(&actor, Gate::today(), RetentionMode::Run { started_by: "schedule" }, DEFAULT_BATCH, &|_, _| {}).await?,
                )
            }
            .await;
            match result {
                Ok(r) => tracing::info!(run = ?r.run_id, disposed = r.disposed(), held = r.held(), "scheduled retention run finished"),
                Err(e) => tracing::error!("scheduled retention run failed: {e:#}"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn intervals_read_as_written() {
        assert_eq!(super::parse_every("24h").unwrap().as_secs(), 86_400);
        assert_eq!(super::parse_every("30m").unwrap().as_secs(), 1800);
        assert!(super::parse_every("10s").is_err());
        assert!(super::parse_every("0m").is_err());
        assert!(super::parse_every("h").is_err());
    }
}
