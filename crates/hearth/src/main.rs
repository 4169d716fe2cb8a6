//! `hearth`: the single binary. Parses the command line, opens the database,
//! builds the gate and runs a surface (the HTTP server or an admin command).
//! This is the only place `anyhow` is used: errors are reported, not handled.

mod audit_cmd;
mod backup_cmd;
mod keys_cmd;
mod retention_cmd;
mod ropa;
mod user_cmd;

use anyhow::{bail, Context};
use audit_cmd::AuditCommand;
use clap::{Parser, Subcommand};
use hearth::{demo, generate, import_cmd};
use hearth_domain::retention::Register;
use hearth_gate::ops::{Database, OpenFor};
use hearth_gate::{Gate, Policy};
use keys_cmd::KeysCommand;
use retention_cmd::RetentionCommand;
use std::net::SocketAddr;
use user_cmd::UserCommand;

const DEFAULT_DB: &str = "sqlite://hearth.db";
/// Where `serve --demo` keeps the equality key it makes when none is given.
const DEMO_EDI_KEY_FILE: &str = "hearth-demo-equality.key";

/// The demo's equality key: read from the working folder, or made there
/// (and said so) on the first demo run. For demo data only.
fn demo_edi_key() -> anyhow::Result<hearth_gate::edi::EdiKey> {
    let path = std::path::Path::new(DEMO_EDI_KEY_FILE);
    let text = if path.exists() {
        std::fs::read_to_string(path).with_context(|| format!("reading the demo equality key {}", path.display()))?
    } else {
        use rand::RngCore;
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let text = hex::encode(key);
        write_private(path, &text).with_context(|| format!("writing the demo equality key {}", path.display()))?;
        println!(
            "Demo: equality monitoring is on with a demo key made in {} (for demo data only; give --edi-key-file for real use).",
            path.display()
        );
        text
    };
    hearth_gate::edi::EdiKey::from_hex(&text).with_context(|| format!("the demo equality key {}", path.display()))
}

/// Writes a file only its owner can read.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[derive(Parser)]
#[command(name = "hearth", version, about = "Customer records for social housing landlords")]
struct Cli {
    /// Database URL: sqlite://PATH (default ./hearth.db, created on first run) or postgres://…
    #[arg(long, global = true, env = "HEARTH_DATABASE_URL", default_value = DEFAULT_DB, hide_env_values = true)]
    database_url: String,
    /// Directory whose hearth.cedar / hearth.cedarschema replace the shipped access policies.
    #[arg(long, global = true, env = "HEARTH_POLICY_DIR")]
    policy_dir: Option<std::path::PathBuf>,
    /// A register of record classes (purposes, lawful bases, retention rules) replacing the shipped config/record-classes.json.
    #[arg(long, global = true, env = "HEARTH_RECORD_CLASSES")]
    record_classes: Option<std::path::PathBuf>,
    /// How long a break-glass grant lasts, in minutes.
    #[arg(long, global = true, env = "HEARTH_BREAK_GLASS_MINUTES", default_value_t = 30)]
    break_glass_minutes: i64,
    /// Keep uploaded documents as files in this folder (named by random ids) instead of in the database.
    #[arg(long, global = true, env = "HEARTH_DOCUMENTS_DIR")]
    documents_dir: Option<std::path::PathBuf>,
    /// File holding the 256-bit key (64 hex characters) that seals equality-monitoring answers.
    /// Without it (or HEARTH_EDI_KEY) equality capture is switched off; nothing is stored in plain text.
    #[arg(long, global = true, env = "HEARTH_EDI_KEY_FILE", conflicts_with = "edi_key")]
    edi_key_file: Option<std::path::PathBuf>,
    /// The equality-monitoring key itself, as 64 hex characters (prefer --edi-key-file).
    #[arg(long, global = true, env = "HEARTH_EDI_KEY", hide_env_values = true)]
    edi_key: Option<String>,
    /// Disclosure-control rules for the equality dashboards, replacing the shipped config/disclosure-control.json.
    #[arg(long, global = true, env = "HEARTH_DISCLOSURE_CONTROL")]
    disclosure_control: Option<std::path::PathBuf>,
    /// Require two-step sign-in (an authenticator app) of every local account: one without it
    /// may only set it up, and gets no API token until it has.
    #[arg(long, global = true, env = "HEARTH_REQUIRE_TWO_STEP")]
    require_two_step: bool,
    /// JSON file mapping directory groups to Hearth roles and responsibilities, with the
    /// single sign-on (OpenID Connect) settings and whether local passwords stay on
    /// (see docs/single-sign-on.md).
    #[arg(long, global = true, env = "HEARTH_IDENTITY_CONFIG")]
    identity_config: Option<std::path::PathBuf>,
    /// Largest document accepted for upload, in MiB.
    #[arg(long, global = true, env = "HEARTH_DOCUMENTS_MAX_MIB", default_value_t = 10)]
    documents_max_mib: usize,
    /// A directory of letter, email and text templates replacing the shipped
    /// ones file by file (see docs/communications.md); checked at start-up.
    #[arg(long, global = true, env = "HEARTH_TEMPLATES_DIR")]
    templates_dir: Option<std::path::PathBuf>,
    /// The mail server for emails to customers: smtps://user:pass@host:465, or
    /// smtp://user:pass@host:587?tls=required (STARTTLS). Without one, emails
    /// are recorded as not sent and the sender is told.
    #[arg(long, global = true, env = "HEARTH_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// A file with the landlord's name and address for the head of letters,
    /// one line per line (the name first). Default: the test landlord.
    #[arg(long, global = true, env = "HEARTH_LETTERHEAD_FILE")]
    letterhead_file: Option<std::path::PathBuf>,
    /// The address customers' emails come from.
    #[arg(long, global = true, env = "HEARTH_MAIL_FROM", default_value = "Example Homes <no-reply@example.invalid>")]
    mail_from: String,
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
        /// API requests one client address may make per minute (0: no limit).
        #[arg(long, env = "HEARTH_API_REQUESTS_PER_MINUTE", default_value_t = hearth_http::Limits::default().api_requests_per_minute)]
        api_requests_per_minute: u32,
        /// Failed sign-ins from one client address per 15 minutes before it must wait (0: no limit).
        #[arg(long, env = "HEARTH_FAILED_SIGN_INS_PER_ADDRESS", default_value_t = hearth_http::Limits::default().failed_sign_ins_per_address)]
        failed_sign_ins_per_address: u32,
        /// PEM certificate chain: serve HTTPS (with HSTS) instead of plain HTTP. Needs --tls-key.
        #[arg(long, env = "HEARTH_TLS_CERT", requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// PEM private key for --tls-cert.
        #[arg(long, env = "HEARTH_TLS_KEY", requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
        /// Run the retention schedule this often (e.g. 24h, 30m, 7d); off unless given.
        #[arg(long, env = "HEARTH_RETENTION_EVERY")]
        retention_every: Option<String>,
        /// Staff account the scheduled retention runs act as (normally the DPO).
        #[arg(long, env = "HEARTH_RETENTION_OPERATOR")]
        retention_operator: Option<String>,
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
    /// Write a consistent copy of the running SQLite database to a new file (PostgreSQL: prints pg_dump guidance).
    Backup {
        /// Where to write the copy; must not exist.
        path: std::path::PathBuf,
    },
    /// Restore a backup into a new, empty database (--database-url), then verify its audit chain and counts.
    Restore {
        /// The backup file written by `hearth backup`.
        path: std::path::PathBuf,
    },
    /// Apply the retention schedule: plan (dry run), run, export certificates.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Manage the key that seals equality-monitoring answers.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Export the record of processing activities (every record class: purpose, lawful basis, recipients, retention).
    Ropa {
        /// csv or html.
        #[arg(long, default_value = "csv")]
        format: String,
        /// The organisation named in the HTML heading.
        #[arg(long, default_value = "Hearth")]
        organisation: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Write a plainly synthetic landlord's export (people.csv, tenancies.csv, contacts.csv, needs.csv, flags.csv,
    /// equality.csv) for `hearth import`.
    Generate {
        /// About how many people (whole households, so a few more).
        #[arg(long)]
        people: u64,
        /// Contact-log entries per person, on average, over ten years.
        #[arg(long, default_value_t = 100)]
        contacts_per_person: u64,
        /// Seed: the same seed gives byte-identical files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder to write the files into.
        #[arg(long, default_value = ".")]
        out: std::path::PathBuf,
    },
    /// Load people, tenancies, contacts, needs, warning flags and equality answers from CSV files
    /// (docs/import-format.md), reporting every bad row. Equality answers need the equality key (--edi-key-file).
    Import {
        /// people.csv: one person per line.
        #[arg(long)]
        people: Option<std::path::PathBuf>,
        /// tenancies.csv: one tenancy (with its home and household) per line.
        #[arg(long)]
        tenancies: Option<std::path::PathBuf>,
        /// contacts.csv: one contact-log entry per line.
        #[arg(long)]
        contacts: Option<std::path::PathBuf>,
        /// needs.csv: one need (the importer reviews it) per line.
        #[arg(long)]
        needs: Option<std::path::PathBuf>,
        /// flags.csv: one staff-safety warning flag per line.
        #[arg(long)]
        flags: Option<std::path::PathBuf>,
        /// equality.csv: one capture of equality answers per line, sealed under the equality key.
        #[arg(long)]
        equality: Option<std::path::PathBuf>,
        /// The files of this folder: people.csv, tenancies.csv, contacts.csv, and needs.csv, flags.csv,
        /// equality.csv when present.
        #[arg(long, conflicts_with_all = ["people", "tenancies", "contacts", "needs", "flags", "equality"])]
        dir: Option<std::path::PathBuf>,
        /// A name for this import, recorded in each batch's audit event.
        #[arg(long)]
        name: String,
        /// The staff account the import runs as (the DPO's).
        #[arg(long = "as")]
        as_user: String,
        /// Rows per batch (one transaction and one audit event each).
        #[arg(long, default_value_t = import_cmd::DEFAULT_BATCH)]
        batch: usize,
        /// No progress bars.
        #[arg(long)]
        quiet: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The benchmark's set-based inserts are slow on purpose; sqlx's slow-statement warnings would only clutter its table.
    let default_filter = "info,sqlx=warn";
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("HEARTH_LOG").unwrap_or_else(|_| default_filter.into()))
        .with_writer(std::io::stderr)
        .init();
    // A new key needs no database; opening one would create it as a side effect.
    if let Command::Audit { command: AuditCommand::Keygen { out } } = &cli.command {
        return audit_cmd::keygen(out);
    }
    // A bad register stops every command here, before the database is touched.
    let register = load_register(cli.record_classes.as_deref())?;
    let disclosure_control = load_disclosure_control(cli.disclosure_control.as_deref())?;
    if let Command::Ropa { format, organisation, out } = &cli.command {
        let text = match format.as_str() {
            "csv" => ropa::csv(&register),
            "html" => ropa::html(&register, organisation),
            other => bail!("--format {other:?}: use csv or html"),
        };
        return write_out(out.as_deref(), &text);
    }
    // The benchmark makes its own throwaway databases and never opens --database-url.
    if let Command::Generate { people, contacts_per_person, seed, out } = &cli.command {
        let n = generate::generate(out, *people, *contacts_per_person, *seed)?;
        println!("Wrote {n} to {} (seed {seed}).", out.display());
        return Ok(());
    }
    // Backups read the database as it is; a restore must not create its target first.
    match &cli.command {
        Command::Backup { path } => return backup_cmd::backup(&cli.database_url, path).await,
        Command::Restore { path } => return backup_cmd::restore(&cli.database_url, path).await,
        _ => {}
    }
    // Bad policy files stop start-up here, before the database is touched.
    let policy = Policy::load(cli.policy_dir.as_deref()).context("loading the access policies")?;
    let purpose = match &cli.command {
        // Checking the trail must not change the database it checks, not even its schema.
        Command::Audit { .. } => OpenFor::Inspect,
        Command::Import { .. } => OpenFor::BulkLoad,
        _ => OpenFor::Work,
    };
    let database = Database::open(&cli.database_url, purpose).await.context("opening the database")?;
    if !(1..=24 * 60).contains(&cli.break_glass_minutes) {
        bail!("--break-glass-minutes must be from 1 to 1440");
    }
    if !(1..=1024).contains(&cli.documents_max_mib) {
        bail!("--documents-max-mib must be from 1 to 1024");
    }
    let documents = hearth_gate::ops::documents_in(cli.documents_dir.clone()).with_context(|| {
        format!("using {} as the documents folder", cli.documents_dir.as_deref().unwrap_or(std::path::Path::new("")).display())
    })?;
    let edi_key = match (&cli.edi_key_file, &cli.edi_key) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading the equality key file {}", path.display()))?;
            Some(hearth_gate::edi::EdiKey::from_hex(&text).with_context(|| format!("the equality key file {}", path.display()))?)
        }
        (None, Some(hex)) => Some(hearth_gate::edi::EdiKey::from_hex(hex).context("HEARTH_EDI_KEY")?),
        (None, None) => match &cli.command {
            // A newcomer's demo shows every feature: equality monitoring needs a key.
            Command::Serve { demo: true, .. } => Some(demo_edi_key()?),
            _ => None,
        },
    };
    let mut gate = database
        .clone()
        .gate(policy)
        .with_break_glass_for(jiff::SignedDuration::from_mins(cli.break_glass_minutes))
        .with_two_step_required(cli.require_two_step)
        .with_documents(documents, cli.documents_max_mib * 1024 * 1024)
        .with_register(register)
        .map_err(|e| anyhow::anyhow!("the register of record classes cannot be applied: {e}"))?
        .with_disclosure_control(disclosure_control);
    if let Some(path) = &cli.identity_config {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading the identity file {}", path.display()))?;
        let identity = hearth_domain::identity::IdentityConfig::parse(&text)
            .map_err(|e| anyhow::anyhow!("the identity file {} is not right: {e}", path.display()))?;
        if let Some(oidc) = &identity.oidc {
            let secret = std::fs::read_to_string(&oidc.client_secret_file)
                .with_context(|| format!("reading the single sign-on client secret file {}", oidc.client_secret_file))?;
            if secret.trim().is_empty() {
                bail!("the single sign-on client secret file {} is empty", oidc.client_secret_file);
            }
        }
        gate = gate.with_identity(identity);
    }
    let templates = hearth_comms::templates::Templates::load(cli.templates_dir.as_deref())
        .map_err(|e| anyhow::anyhow!("the letter templates are not right: {e}"))?;
    let mailer = match &cli.smtp_url {
        Some(url) => Some(hearth_comms::transport::Mailer::new(url, &cli.mail_from).map_err(|e| anyhow::anyhow!("{e}"))?),
        None => None,
    };
    gate = gate.with_comms(templates, hearth_comms::transport::Courier { mailer, ..Default::default() });
    if let Some(path) = &cli.letterhead_file {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading the letterhead file {}", path.display()))?;
        gate = gate.with_letterhead(text.lines().map(str::to_string).collect()).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    match edi_key {
        Some(key) => gate = gate.with_edi_key(key),
        None if matches!(cli.command, Command::Serve { .. }) => {
            tracing::warn!("no equality-monitoring key (--edi-key-file or HEARTH_EDI_KEY): equality capture is switched off")
        }
        None => {}
    }
    match cli.command {
        Command::Migrate => {
            println!("Database schema is up to date.");
        }
        Command::Demo { seed, households } => {
            demo::load(&gate, seed, households).await?;
        }
        Command::Serve {
            listen,
            demo,
            seed,
            api_requests_per_minute,
            failed_sign_ins_per_address,
            tls_cert,
            tls_key,
            retention_every,
            retention_operator,
        } => {
            // Read the certificate before anything else, so a bad path fails at once.
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(tls_config(&cert, &key).await?),
                _ => None,
            };
            if demo {
                demo::load(&gate, seed, 120).await?;
            }
            if let Some(every) = retention_every {
                let every = retention_cmd::parse_every(&every)?;
                let Some(operator) = retention_operator else {
                    bail!("--retention-every needs --retention-operator (normally the DPO's account)")
                };
                // Fail now, not at the first tick, if the account is wrong.
                gate.actor_for(&operator, hearth_gate::retention::RETENTION_PURPOSE)
                    .await
                    .map_err(|_| anyhow::anyhow!("--retention-operator {operator:?} is not an active staff account"))?;
                tracing::info!(?every, %operator, "scheduled retention runs are on");
                retention_cmd::spawn_schedule(gate.clone(), operator, every);
            }
            serve(gate, listen, hearth_http::Limits { api_requests_per_minute, failed_sign_ins_per_address }, tls).await?;
        }
        Command::User { command } => user_cmd::run(&gate, command).await?,
        Command::Audit { command } => {
            if !audit_cmd::run(&database, command).await? {
                database.close().await;
                std::process::exit(1);
            }
        }
        Command::Retention { command } => retention_cmd::run(&gate, command).await?,
        Command::Keys { command } => keys_cmd::run(&gate, command).await?,
        Command::Import { people, tenancies, contacts, needs, flags, equality, dir, name, as_user, batch, quiet } => {
            let files = match dir {
                Some(d) => import_cmd::ImportFiles::in_dir(&d),
                None => import_cmd::ImportFiles { people, tenancies, contacts, needs, flags, equality },
            };
            if files.is_empty() {
                bail!("name the files to import: --people, --tenancies, --contacts, --needs, --flags, --equality, or --dir");
            }
            let actor = gate
                .actor_for(&as_user, hearth_gate::DEFAULT_PURPOSE)
                .await
                .map_err(|_| anyhow::anyhow!("--as {as_user:?} is not an active staff account"))?;
            let report = import_cmd::import(&gate, &actor, &name, &files, batch, !quiet).await?;
            import_cmd::print_summary(&report);
            if !report.all_imported() {
                database.close().await;
                std::process::exit(2);
            }
        }
        Command::Generate { .. } | Command::Ropa { .. } | Command::Backup { .. } | Command::Restore { .. } => {
            unreachable!("handled before the database is opened")
        }
    }
    database.close().await;
    Ok(())
}

/// The shipped register, or the operator's file; every problem is listed.
fn load_register(path: Option<&std::path::Path>) -> anyhow::Result<Register> {
    let (text, origin) = match path {
        None => (hearth_domain::retention::SHIPPED_REGISTER.to_string(), "shipped config/record-classes.json".to_string()),
        Some(p) => (
            std::fs::read_to_string(p).with_context(|| format!("reading the register of record classes {}", p.display()))?,
            p.display().to_string(),
        ),
    };
    Register::parse(&text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("  - {}: {}", e.field, e.message)).collect();
        anyhow::anyhow!("the register of record classes {origin} is not valid:\n{}", lines.join("\n"))
    })
}

/// The shipped disclosure-control rules, or the operator's file; every problem is listed.
fn load_disclosure_control(path: Option<&std::path::Path>) -> anyhow::Result<hearth_domain::edi::DisclosureControl> {
    let (text, origin) = match path {
        None => (hearth_domain::edi::SHIPPED_DISCLOSURE_CONTROL.to_string(), "shipped config/disclosure-control.json".to_string()),
        Some(p) => (
            std::fs::read_to_string(p).with_context(|| format!("reading the disclosure-control rules {}", p.display()))?,
            p.display().to_string(),
        ),
    };
    hearth_domain::edi::DisclosureControl::parse(&text).map_err(|errors| {
        let lines: Vec<String> = errors.0.iter().map(|e| format!("  - {}: {}", e.field, e.message)).collect();
        anyhow::anyhow!("the disclosure-control rules {origin} are not valid:\n{}", lines.join("\n"))
    })
}

/// Writes command output to `path`, or standard output.
pub(crate) fn write_out(path: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display())),
        None => {
            use std::io::Write;
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(())
        }
    }
}

async fn tls_config(cert: &std::path::Path, key: &std::path::Path) -> anyhow::Result<axum_server::tls_rustls::RustlsConfig> {
    // ring, not aws-lc: no C toolchain needed, and the same provider sqlx uses.
    let _ = rustls::crypto::ring::default_provider().install_default();
    axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
        .await
        .with_context(|| format!("reading the TLS certificate {} and key {}", cert.display(), key.display()))
}

async fn serve(
    gate: Gate,
    listen: SocketAddr,
    limits: hearth_http::Limits,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    // Emails and texts left queued by a restart or a mail server that was down.
    let sender = gate.clone();
    tokio::spawn(async move {
        match sender.dispatch_queued().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(n, "sent the communications left queued"),
            Err(e) => tracing::warn!(error = %e, "communications left queued could not be sent"),
        }
    });
    let Some(tls) = tls else {
        let app = hearth_http::router_with(gate, limits).into_make_service_with_connect_info::<SocketAddr>();
        tracing::info!("Hearth is listening on http://{addr}/");
        println!("Hearth is running at http://{addr}/ (Ctrl-C to stop)");
        axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
        return Ok(());
    };
    let app = hearth_http::with_hsts(hearth_http::router_with(gate, limits)).into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown().await;
        stopper.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
    });
    tracing::info!("Hearth is listening on https://{addr}/");
    println!("Hearth is running at https://{addr}/ (Ctrl-C to stop)");
    axum_server::from_tcp_rustls(listener.into_std()?, tls)?.handle(handle).serve(app).await?;
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
