//! `hearth user`: staff accounts from the command line. `add` makes one (the
//! first administrator on a new install); the others are joiners, movers
//! and leavers made through the gate as a named operator (`--as`, an active
//! administrator; the DPO may list), so each is decided by the policies and
//! audited, exactly as from the staff page.

use anyhow::{anyhow, bail};
use clap::Subcommand;
use hearth_domain::staff::{StaffAccount, StaffChange, StaffRole};
use hearth_gate::Gate;

/// The purpose recorded on staff administration.
pub const STAFF_PURPOSE: &str = "system_security";

#[derive(Subcommand)]
pub enum UserCommand {
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
    /// List staff accounts: role, line manager, last sign-in, status.
    List {
        #[command(flatten)]
        operator: Operator,
    },
    /// A leaver: disable the account; every session and API token ends at once.
    Disable {
        username: String,
        #[command(flatten)]
        operator: Operator,
    },
    /// A returner: enable a disabled account.
    Enable {
        username: String,
        #[command(flatten)]
        operator: Operator,
    },
    /// A mover: change the account's role (its sessions end).
    SetRole {
        username: String,
        role: String,
        #[command(flatten)]
        operator: Operator,
    },
    /// Set the line manager (a username), or clear it with --none.
    SetManager {
        username: String,
        manager: Option<String>,
        #[arg(long, conflicts_with = "manager")]
        none: bool,
        #[command(flatten)]
        operator: Operator,
    },
    /// Set the compartments the person answers for, e.g. asb,safeguarding (empty clears them).
    SetResponsibility {
        username: String,
        #[arg(value_delimiter = ',', num_args = 0..)]
        responsibilities: Vec<String>,
        #[command(flatten)]
        operator: Operator,
    },
    /// Set a new password (from HEARTH_PASSWORD or standard input); every session ends.
    ResetPassword {
        username: String,
        #[command(flatten)]
        operator: Operator,
    },
    /// Make a directory provisioning client (SCIM, e.g. Entra ID) and print its bearer
    /// token once: it reaches people's accounts and directory groups at /scim/v2, nothing else.
    ProvisioningToken {
        /// The client, e.g. "Entra provisioning"; its username is svc-<name>.
        #[arg(long)]
        name: String,
        /// Days the token lasts (1 to 366); make a new client before it expires.
        #[arg(long)]
        days: i64,
        #[command(flatten)]
        operator: Operator,
    },
}

#[derive(clap::Args)]
pub struct Operator {
    /// Staff account the change is made as (an administrator; audited).
    #[arg(long = "as", env = "HEARTH_STAFF_OPERATOR")]
    operator: String,
}

/// The new password, from HEARTH_PASSWORD or a line of standard input.
pub fn read_password(username: &str) -> anyhow::Result<String> {
    match std::env::var("HEARTH_PASSWORD") {
        Ok(p) => Ok(p),
        Err(_) => {
            eprintln!("Password for {username} (then Enter):");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            Ok(line.trim_end_matches(['\r', '\n']).to_string())
        }
    }
}

fn parse_role(role: &str) -> anyhow::Result<StaffRole> {
    StaffRole::parse(role).ok_or_else(|| {
        let roles: Vec<_> = StaffRole::ALL.iter().map(|r| r.as_str()).collect();
        anyhow!("unknown role {role:?}; use one of: {}", roles.join(", "))
    })
}

fn line(a: &StaffAccount) -> String {
    format!(
        "{:<20} {:<28} {:<28} {:<20} {:<12} {}",
        a.username,
        a.display_name,
        if a.has_role { a.role.label() } else { "No role yet" },
        a.manager_name.as_deref().unwrap_or("-"),
        if a.active { "active" } else { "disabled" },
        a.last_sign_in_at.map(|t| t.to_string()).unwrap_or_else(|| "never signed in".into())
    )
}

pub async fn run(gate: &Gate, command: UserCommand) -> anyhow::Result<()> {
    let (username, change, operator) = match command {
        UserCommand::Add { username, role, name, responsibility, manager } => {
            let role = parse_role(&role)?;
            let password = read_password(&username)?;
            let id = gate.add_user(&username, &name, role, &responsibility, &password).await.map_err(|e| anyhow!("{e}"))?;
            if let Some(m) = manager {
                gate.set_manager(&username, &m).await.map_err(|e| anyhow!("{e}"))?;
            }
            println!("Added {username} ({}) as user {id}.", role.label());
            return Ok(());
        }
        UserCommand::List { operator } => {
            let actor = actor(gate, &operator).await?;
            let all = gate.staff_accounts(&actor).await.map_err(|e| anyhow!("{e}"))?;
            println!("{:<20} {:<28} {:<28} {:<20} {:<12} LAST SIGN-IN", "USERNAME", "NAME", "ROLE", "LINE MANAGER", "STATUS");
            for a in &all {
                println!("{}", line(a));
            }
            return Ok(());
        }
        UserCommand::Disable { username, operator } => (username, StaffChange::Disable, operator),
        UserCommand::Enable { username, operator } => (username, StaffChange::Enable, operator),
        UserCommand::SetRole { username, role, operator } => {
            parse_role(&role)?;
            (username, StaffChange::SetRole { role }, operator)
        }
        UserCommand::SetManager { username, manager, none, operator } => {
            if manager.is_none() && !none {
                bail!("name the line manager's username, or --none to clear it");
            }
            (username, StaffChange::SetManager { manager }, operator)
        }
        UserCommand::SetResponsibility { username, responsibilities, operator } => {
            (username, StaffChange::SetResponsibilities { responsibilities }, operator)
        }
        UserCommand::ResetPassword { username, operator } => {
            let password = read_password(&username)?;
            (username, StaffChange::ResetPassword { password }, operator)
        }
        UserCommand::ProvisioningToken { name, days, operator } => {
            let actor = actor(gate, &operator).await?;
            let made = gate.create_provisioning_account(&actor, &name, days).await.map_err(|e| anyhow!("{e}"))?;
            let expires = made.account.expires_at.map(|t| t.to_string()).unwrap_or_default();
            eprintln!("Made the provisioning client {} (expires {expires}). Its token, shown this once:", made.account.username);
            // Alone on standard output, so a script can take it.
            println!("{}", made.token);
            return Ok(());
        }
    };
    let actor = actor(gate, &operator).await?;
    let id = gate.user_id(&username).await.map_err(|_| anyhow!("no staff account is called {username:?}"))?;
    let a = gate.change_staff(&actor, id, &change).await.map_err(|e| anyhow!("{e}"))?;
    println!("{}", line(&a));
    Ok(())
}

async fn actor(gate: &Gate, operator: &Operator) -> anyhow::Result<hearth_gate::Actor> {
    gate.actor_for(&operator.operator, STAFF_PURPOSE)
        .await
        .map_err(|_| anyhow!("--as {:?} is not an active staff account", operator.operator))
}
