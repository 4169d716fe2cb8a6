//! `hearth keys rotate`: re-seals every equality-monitoring record from the
//! old key to the new one, in one transaction, through the gate as the named
//! operator (the DPO), so the rotation is decided by the policies and
//! audited. Neither key is printed; a record the old key cannot open stops
//! the rotation with nothing changed.

use anyhow::{bail, Context};
use clap::Subcommand;
use hearth_gate::edi::EdiKey;
use hearth_gate::Gate;
use std::path::{Path, PathBuf};

/// The purpose recorded on a key rotation.
pub const KEY_ROTATION_PURPOSE: &str = "key_rotation";

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Re-seal every equality-monitoring record under a new key (one transaction, audited).
    /// Afterwards start the server with the new key: the old one opens nothing.
    Rotate {
        /// File holding the key the records are sealed with now (64 hex characters).
        #[arg(long)]
        old_key_file: PathBuf,
        /// File holding the new key (64 hex characters); make one with `openssl rand -hex 32`.
        #[arg(long)]
        new_key_file: PathBuf,
        /// Staff account the rotation is made as (the DPO; audited).
        #[arg(long, env = "HEARTH_KEYS_OPERATOR")]
        operator: String,
    },
}

fn read_key(path: &Path, which: &str) -> anyhow::Result<EdiKey> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading the {which} key file {}", path.display()))?;
    EdiKey::from_hex(&text).with_context(|| format!("the {which} key file {}", path.display()))
}

pub async fn run(gate: &Gate, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Rotate { old_key_file, new_key_file, operator } => {
            let old = read_key(&old_key_file, "old")?;
            let new = read_key(&new_key_file, "new")?;
            if std::fs::read_to_string(&old_key_file)?.trim() == std::fs::read_to_string(&new_key_file)?.trim() {
                bail!("the old and new key files hold the same key");
            }
            let actor = gate
                .actor_for(&operator, KEY_ROTATION_PURPOSE)
                .await
                .map_err(|_| anyhow::anyhow!("--operator {operator:?} is not an active staff account"))?;
            eprintln!("Re-sealing equality-monitoring records in one transaction…");
            let n = gate.rotate_edi_key(&actor, &old, &new).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Re-sealed {n} equality-monitoring records under the new key. Restart Hearth with the new key.");
            Ok(())
        }
    }
}
