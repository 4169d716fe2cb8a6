//! `hearth backup` and `hearth restore`: a consistent online copy of the
//! embedded SQLite database, and putting one back into a fresh database with
//! its audit chain and record counts checked. PostgreSQL has its own tools
//! (`pg_dump` / `pg_restore`); for it these commands say how to use them.

use anyhow::{bail, Context};
use hearth_gate::ops::{parse_url, Backend, Database, OpenFor, Table, Verification};
use std::path::{Path, PathBuf};

const PG_GUIDANCE: &str =
    "PostgreSQL is backed up and restored with its own tools, which copy a consistent snapshot while Hearth runs:\n  \
    pg_dump --format=custom --file=hearth.dump \"$HEARTH_DATABASE_URL\"\n  \
    createdb hearth_restored && pg_restore --dbname=postgres://…/hearth_restored hearth.dump\n\
    then check the copy with: hearth --database-url postgres://…/hearth_restored audit verify";

/// The file a `sqlite://` URL names.
fn sqlite_file(url: &str) -> anyhow::Result<Option<PathBuf>> {
    let (backend, full) = parse_url(url)?;
    if backend != Backend::Sqlite {
        return Ok(None);
    }
    let path = full.trim_start_matches("sqlite://").split('?').next().unwrap_or_default();
    Ok(Some(PathBuf::from(path)))
}

/// Copies the running database to `out`, which must not exist yet.
pub async fn backup(database_url: &str, out: &Path) -> anyhow::Result<()> {
    if sqlite_file(database_url)?.is_none() {
        bail!("{PG_GUIDANCE}");
    }
    if out.exists() {
        bail!("{} already exists; a backup never overwrites a file", out.display());
    }
    let store = Database::open(database_url, OpenFor::Inspect).await.context("opening the database")?;
    let target = out.to_str().context("the backup path must be valid UTF-8")?;
    store.backup_sqlite_to(target).await.context("writing the backup")?;
    store.close().await;
    let copy = Database::open(&format!("sqlite://{target}?mode=rw"), OpenFor::Inspect).await.context("opening the backup to check it")?;
    let summary = check(&copy).await;
    copy.close().await;
    let summary = summary?;
    println!("Backed up to {}: {summary}", out.display());
    Ok(())
}

/// Puts a backup into the fresh database `database_url` names, then checks it.
pub async fn restore(database_url: &str, backup: &Path) -> anyhow::Result<()> {
    let Some(target) = sqlite_file(database_url)? else { bail!("{PG_GUIDANCE}") };
    if !backup.is_file() {
        bail!("no backup file at {}", backup.display());
    }
    if target.metadata().is_ok_and(|m| m.len() > 0) {
        bail!("{} already holds a database; restore only into a new file, so nothing is overwritten", target.display());
    }
    // Check the backup before it lands anywhere: a damaged copy is refused.
    let source = backup.to_str().context("the backup path must be valid UTF-8")?;
    let src = Database::open(&format!("sqlite://{source}?mode=rw"), OpenFor::Inspect).await.context("opening the backup")?;
    let before = check(&src).await;
    src.close().await;
    before.context("the backup failed its check; nothing was restored")?;
    std::fs::copy(backup, &target).with_context(|| format!("copying to {}", target.display()))?;
    // Opening migrates a backup taken by an older Hearth up to this one's schema.
    let store = Database::open(database_url, OpenFor::Work).await.context("opening the restored database")?;
    let after = check(&store).await;
    store.close().await;
    println!("Restored {} into {}: {}", backup.display(), target.display(), after?);
    Ok(())
}

/// Verifies the audit chain and counts the main tables.
async fn check(store: &Database) -> anyhow::Result<String> {
    let events = match store.verify_audit().await? {
        Verification::Intact { events, .. } => events,
        Verification::Broken { event_id, problem } => bail!("audit chain broken at event {event_id}: {problem}"),
    };
    let mut parts = vec![format!("audit chain intact ({events} events)")];
    for t in Table::ALL {
        parts.push(format!("{} {}", t.name(), store.count(*t).await?));
    }
    Ok(parts.join(", "))
}
