//! `hearth audit …`: checking the hash-chained audit trail from the command
//! line, and signed checkpoints of its head.
//!
//! The chain alone proves that events were not edited or removed piecemeal,
//! but someone with write access to the database and this code could rebuild
//! every hash after a change. A checkpoint — the head's id and hash signed
//! with an ed25519 key kept away from the database — closes that gap: a
//! rebuilt chain no longer matches a checkpoint taken before the rebuild.
//!
//! These commands only read the database; they never write audit events.

use anyhow::{bail, Context};
use clap::Subcommand;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hearth_gate::ops::{Database, Verification};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the whole hash chain; exit 1 if any event was edited or removed.
    Verify,
    /// Write a new ed25519 signing key for checkpoints (hex seed, mode 0600) and print its public key.
    Keygen {
        /// Where to write the key; an existing file is never overwritten.
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify the chain, then print a signed checkpoint of its head as one JSON line.
    Checkpoint {
        /// The signing key written by `hearth audit keygen`.
        #[arg(long, env = "HEARTH_AUDIT_KEY_FILE")]
        key: PathBuf,
    },
    /// Check a checkpoint's signature, that the chain is intact and that the event it names is unchanged.
    CheckCheckpoint {
        /// A file holding the checkpoint's JSON line.
        file: PathBuf,
        /// The public key (hex) the checkpoint must be signed with.
        #[arg(long)]
        public_key: String,
    },
}

/// A signed statement that event `event_id` had hash `hash` at `signed_at`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Checkpoint {
    pub event_id: i64,
    pub hash: String,
    /// RFC 3339, UTC, whole seconds.
    pub signed_at: String,
    pub public_key: String,
    pub signature: String,
}

impl Checkpoint {
    /// The exact bytes signed; a fixed prefix so the key's signature cannot be
    /// replayed as a statement in some other format.
    fn message(event_id: i64, hash: &str, signed_at: &str) -> Vec<u8> {
        format!("hearth-audit-checkpoint\n{event_id}\n{hash}\n{signed_at}").into_bytes()
    }
}

/// Writes a fresh key without touching any database.
pub fn keygen(out: &Path) -> anyhow::Result<()> {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    write_private(out, hex::encode(key.to_bytes()) + "\n").with_context(|| format!("writing the key to {}", out.display()))?;
    println!("{}", hex::encode(key.verifying_key().to_bytes()));
    Ok(())
}

/// Creates the file readable by its owner only, refusing to replace one: an
/// overwritten key would orphan every checkpoint signed with it.
fn write_private(path: &Path, contents: String) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

/// Runs a command that reads the database. `Ok(false)` means the check
/// failed and the reason has been printed: the process should exit 1.
pub async fn run(db: &Database, command: AuditCommand) -> anyhow::Result<bool> {
    match command {
        AuditCommand::Verify => Ok(match db.verify_audit().await? {
            Verification::Intact { events, head_hash } => {
                println!("Audit chain intact: {events} events; head {head_hash}");
                true
            }
            broken => report_broken(&broken),
        }),
        AuditCommand::Keygen { out } => keygen(&out).map(|()| true),
        AuditCommand::Checkpoint { key } => checkpoint(db, &key).await,
        AuditCommand::CheckCheckpoint { file, public_key } => check_checkpoint(db, &file, &public_key).await,
    }
}

fn report_broken(v: &Verification) -> bool {
    if let Verification::Broken { event_id, problem } = v {
        eprintln!("Audit chain BROKEN at event {event_id}: {problem}");
    }
    false
}

async fn checkpoint(db: &Database, key_file: &Path) -> anyhow::Result<bool> {
    let key = read_signing_key(key_file)?;
    let (event_id, hash) = match db.verify_audit().await? {
        // Verification accepts only ids 1, 2, … with no gap, so the head's id is the count.
        Verification::Intact { events, head_hash } => (i64::try_from(events)?, head_hash),
        broken => {
            eprintln!("Refusing to sign a checkpoint of a broken chain.");
            return Ok(report_broken(&broken));
        }
    };
    if event_id == 0 {
        bail!("the audit trail is empty: there is nothing to checkpoint yet");
    }
    let signed_at = jiff::Timestamp::now().round(jiff::Unit::Second)?.to_string();
    let signature = key.sign(&Checkpoint::message(event_id, &hash, &signed_at));
    let cp = Checkpoint {
        event_id,
        hash,
        signed_at,
        public_key: hex::encode(key.verifying_key().to_bytes()),
        signature: hex::encode(signature.to_bytes()),
    };
    println!("{}", serde_json::to_string(&cp)?);
    Ok(true)
}

fn read_signing_key(path: &Path) -> anyhow::Result<SigningKey> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading the signing key {}", path.display()))?;
    let seed: [u8; 32] = decode_hex(text.trim(), "signing key")?;
    Ok(SigningKey::from_bytes(&seed))
}

fn decode_hex<const N: usize>(text: &str, what: &str) -> anyhow::Result<[u8; N]> {
    let bytes = hex::decode(text).with_context(|| format!("the {what} is not hex"))?;
    bytes.try_into().map_err(|b: Vec<u8>| anyhow::anyhow!("the {what} is {} bytes; expected {N}", b.len()))
}

async fn check_checkpoint(db: &Database, file: &Path, public_key: &str) -> anyhow::Result<bool> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading the checkpoint {}", file.display()))?;
    let cp: Checkpoint = serde_json::from_str(text.trim()).context("the checkpoint is not a checkpoint JSON line")?;
    let key = VerifyingKey::from_bytes(&decode_hex(public_key.trim(), "public key")?).context("the public key is not an ed25519 key")?;
    let fail = |reason: String| {
        eprintln!("Checkpoint NOT valid: {reason}");
        Ok(false)
    };
    if !cp.public_key.eq_ignore_ascii_case(&hex::encode(key.to_bytes())) {
        return fail(format!("it names public key {} but {} was expected", cp.public_key, hex::encode(key.to_bytes())));
    }
    let signature = match decode_hex::<64>(&cp.signature, "signature") {
        Ok(bytes) => Signature::from_bytes(&bytes),
        Err(e) => return fail(e.to_string()),
    };
    // Strict verification also refuses malleable (non-canonical) signatures.
    if key.verify_strict(&Checkpoint::message(cp.event_id, &cp.hash, &cp.signed_at), &signature).is_err() {
        return fail("the signature does not match its contents and the public key".into());
    }
    if let broken @ Verification::Broken { .. } = db.verify_audit().await? {
        return Ok(report_broken(&broken));
    }
    match db.audit_event_hash(cp.event_id).await? {
        Some(h) if h == cp.hash => {
            println!("OK: checkpoint of event {} signed at {} matches the intact chain", cp.event_id, cp.signed_at);
            Ok(true)
        }
        Some(h) => fail(format!("event {} now has hash {h}, but the checkpoint signed {}; the chain was rewritten", cp.event_id, cp.hash)),
        None => fail(format!("event {} no longer exists; the chain was rewritten or cut short", cp.event_id)),
    }
}
