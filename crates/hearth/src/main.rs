//! `hearth`: the single binary. Parses the command line, opens the store,
//! builds the gate and runs a surface (the HTTP server or an admin command).
//! This is the only place `anyhow` is used: errors are reported, not handled.

mod audit_cmd;
mod bench;
mod demo;

use anyhow::{bail, Context};
use audit_cmd::AuditCommand;
use clap::{Parser, Subcommand};
use hearth_domain::StaffRole;
use hearth_gate::{Gate, Policy};
use hearth_store::Store;
use std::net::SocketAddr;

const DEFAULT_DB: &str = "sqlite://hearth.db";

#[derive(Parser)]
#[command(name = "hearth", version, about = "Customer records for social housing landlords")]
struct Cli {
    /// Database URL: sqlite://PATH (default ./hearth.db, created on first run) or postgres://…
    #[arg(long, global = true, env = "HEARTH_DATABASE_URL", default_value = DEFAULT_DB, hide_env_values = true)]
    database_url: String,
    /// Directory whose hearth.cedar / hearth.cedarschema replace the shipped access policies.
    #[arg(long, global = true, env = "HEARTH_POLICY_DIR")]
    policy_dir: Option<std::path::PathBuf>,
    /// How long a break-glass grant lasts, in minutes.
    #[arg(long, global = true, env = "HEARTH_BREAK_GLASS_MINUTES", default_value_t = 30)]
    break_glass_minutes: i64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web UI and JSON API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "HEARTH_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Load demo data first (skipped if already loaded).
        #[arg(long)]
        demo: bool,
        /// Seed for the demo data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Create or update the database schema, then exit.
    Migrate,
    /// Load plainly synthetic demo people, households, tenancies and one staff account per role.
    Demo {
        /// Seed: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How many households to create.
        #[arg(long, default_value_t = 120)]
        households: usize,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the audit trail's hash chain and sign checkpoints of it.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Measure the gate's cost per request against the bare store call, on throwaway databases.
    Bench {
        /// Timed operations of each kind per backend.
        #[arg(long, default_value_t = 2000)]
        iterations: usize,
        /// A PostgreSQL server on which to create (and drop) a benchmark database.
        #[arg(long, env = "HEARTH_BENCH_POSTGRES_URL", hide_env_values = true)]
        postgres: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff account. The password is read from HEARTH_PASSWORD or standard input.
    Add {
        username: String,
        /// One of: contact_centre_advisor, housing_officer, asb_officer, safeguarding_lead,
        /// independent_living_officer, income_officer, manager, edi_analyst, dpo,
        /// system_administrator, contractor, supplier_support.
        #[arg(long)]
        role: String,
        /// The person's name as shown in the audit trail.
        #[arg(long)]
        name: String,
        /// Compartments this person manages (managers), e.g. --responsibility asb,safeguarding.
        #[arg(long, value_delimiter = ',')]
        responsibility: Vec<String>,
        /// Username of this person's line manager (who then sees the cases assigned to them).
        #[arg(long)]
        manager: Option<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("HEARTH_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // A new key needs no database; opening one would create it as a side effect.
    if let Command::Audit { command: AuditCommand::Keygen { out } } = &cli.command {
        return audit_cmd::keygen(out);
    }
    // The benchmark makes its own throwaway databases and never opens --database-url.
    if let Command::Bench { iterations, postgres } = &cli.command {
        let policy = Policy::load(cli.policy_dir.as_deref()).context("loading the access policies")?;
        return bench::run(&policy, *iterations, postgres.as_deref()).await;
    }
    // Bad policy files stop start-up here, before the database is touched.
    let policy = Policy::load(cli.policy_dir.as_deref()).context("loading the access policies")?;
    let store = match &cli.command {
        // Checking the trail must not change the database it checks, not even its schema.
        Command::Audit { .. } => Store::connect(&cli.database_url).await,
        _ => Store::open(&cli.database_url).await,
    }
    .context("opening the database")?;
    if !(1..=24 * 60).contains(&cli.break_glass_minutes) {
        bail!("--break-glass-minutes must be from 1 to 1440");
    }
    let gate = Gate::new(store.clone(), policy).with_break_glass_for(jiff::SignedDuration::from_mins(cli.break_glass_minutes));
    match cli.command {
        Command::Migrate => {
            println!("Database schema is up to date.");
        }
        Command::Demo { seed, households } => {
            demo::load(&gate, seed, households).await?;
        }
        Command::Serve { listen, demo, seed } => {
            if demo {
                demo::load(&gate, seed, 120).await?;
            }
            serve(gate, listen).await?;
        }
        Command::User { command: UserCommand::Add { username, role, name, responsibility, manager } } => {
            let Some(role) = StaffRole::parse(&role) else {
                let roles: Vec<_> = StaffRole::ALL.iter().map(|r| r.as_str()).collect();
                bail!("unknown role {role:?}; use one of: {}", roles.join(", "));
            };
            let password = match std::env::var("HEARTH_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("Password for {username} (then Enter):");
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let id = gate.add_user(&username, &name, role, &responsibility, &password).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            if let Some(m) = manager {
                gate.set_manager(&username, &m).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            println!("Added {username} ({}) as user {id}.", role.label());
        }
        Command::Audit { command } => {
            if !audit_cmd::run(&store, command).await? {
                store.close().await;
                std::process::exit(1);
            }
        }
        Command::Bench { .. } => unreachable!("handled before the database is opened"),
    }
    store.close().await;
    Ok(())
}

async fn serve(gate: Gate, listen: SocketAddr) -> anyhow::Result<()> {
    let app = hearth_http::router(gate);
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    tracing::info!("Hearth is listening on http://{addr}/");
    println!("Hearth is running at http://{addr}/ (Ctrl-C to stop)");
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
