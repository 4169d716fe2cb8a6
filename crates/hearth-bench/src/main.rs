//! `hearth-bench`: Hearth's benchmarks, kept out of the `hearth` binary
//! because they are the one program that calls the store around the gate
//! (to measure what the gate costs against the bare call).
//!
//! Without `--scale`: the gate's cost per read and write as a ratio to the
//! bare store call, and the retention sweep's growth. With `--scale`: the
//! large-landlord run (generate, import, serve the `hearth` binary beside
//! this one, measure; docs/performance.md). It prints figures and never
//! judges them.

mod bench;

use anyhow::{bail, Context};
use clap::Parser;
use hearth_gate::Policy;

#[derive(Parser)]
#[command(name = "hearth-bench", about = "Measure Hearth: the gate's cost, the retention sweep's growth, the scale run")]
struct Cli {
    /// Directory whose hearth.cedar / hearth.cedarschema replace the shipped access policies.
    #[arg(long, env = "HEARTH_POLICY_DIR")]
    policy_dir: Option<std::path::PathBuf>,
    /// Timed operations of each kind per backend.
    #[arg(long, default_value_t = 2000)]
    iterations: usize,
    /// A PostgreSQL server on which to create (and drop) a benchmark database.
    #[arg(long, env = "HEARTH_BENCH_POSTGRES_URL", hide_env_values = true)]
    postgres: Option<String>,
    /// Retention sweep: rows in the smaller contact log (the larger has ten times as many).
    #[arg(long, default_value_t = 5000)]
    sweep_rows: i64,
    /// Retention sweep: due entries disposed of in each.
    #[arg(long, default_value_t = 200)]
    sweep_due: i64,
    /// Instead: the large-landlord scale run (generate, import, serve, measure; docs/performance.md).
    #[arg(long)]
    scale: bool,
    /// Scale run: people in the generated data set.
    #[arg(long, default_value_t = 2000, requires = "scale")]
    people: u64,
    /// Scale run: contact-log entries per person, on average.
    #[arg(long, default_value_t = 10, requires = "scale")]
    contacts_per_person: u64,
    /// Scale run: timed contact writes (HTTP and bare, each) and timed reads of each page.
    #[arg(long, default_value_t = 400, requires = "scale")]
    samples: usize,
    /// Scale run: folder for the generated files and the SQLite database (default: a new temporary folder, removed after).
    #[arg(long, requires = "scale")]
    work_dir: Option<std::path::PathBuf>,
    /// Scale run: PostgreSQL only (with --postgres), for a full-size run split over two sittings.
    #[arg(long, requires_all = ["scale", "postgres"])]
    postgres_only: bool,
    /// Scale run: the `hearth` binary to serve (default: the one beside this program).
    #[arg(long, requires = "scale")]
    hearth: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("HEARTH_LOG").unwrap_or_else(|_| "info,sqlx=error".into()))
        .with_writer(std::io::stderr)
        .init();
    let policy = Policy::load(cli.policy_dir.as_deref()).context("loading the access policies")?;
    if cli.scale {
        let hearth = match cli.hearth {
            Some(p) => p,
            None => std::env::current_exe().context("finding this program")?.with_file_name("hearth"),
        };
        if !hearth.exists() {
            bail!(
                "{} does not exist: build it first (cargo build --release -p hearth -p hearth-bench) or name it with --hearth",
                hearth.display()
            );
        }
        let size = bench::ScaleSize {
            people: cli.people,
            contacts_per_person: cli.contacts_per_person,
            samples: cli.samples,
            sqlite: !cli.postgres_only,
        };
        return bench::scale(&policy, size, cli.postgres.as_deref(), cli.work_dir.as_deref(), &hearth).await;
    }
    if cli.sweep_rows < 1 || cli.sweep_due < 1 {
        bail!("--sweep-rows and --sweep-due must be at least 1");
    }
    let sweep = bench::SweepSize { table_rows: cli.sweep_rows, due: cli.sweep_due };
    bench::run(&policy, cli.iterations, cli.postgres.as_deref(), sweep).await
}
