//! Queries for customer communications: the record of each letter, email
//! and text (who it went to, how, and whether it went). The rendered file is
//! a document and the contact-log entry an entry; this table links them and
//! holds the delivery state. Rows go with their entry (ON DELETE CASCADE).

use crate::time::ts;
use crate::{vocab, Result, StoreError, Tx};
use hearth_domain::comms::{CommChannel, CommFormat, CommStatus, Communication, RecipientRole, Template};
use hearth_domain::Id;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A communication to record.
#[derive(Debug, Clone)]
pub struct NewCommunication<'a> {
    pub person_id: Id,
    pub about_type: &'a str,
    pub about_id: Id,
    pub template: Template,
    pub recipient: RecipientRole,
    pub representative_id: Option<Id>,
    pub recipient_name: Option<&'a str>,
    pub channel: Option<CommChannel>,
    pub format: CommFormat,
    pub to_address: Option<&'a str>,
    pub subject: &'a str,
    pub status: CommStatus,
    pub failure: Option<&'a str>,
    pub entry_id: Option<Id>,
    /// The rendered file: (`pdf` or `eml`, bytes).
    pub file: Option<(&'a str, &'a [u8])>,
    pub sent_by: Id,
}

const COLUMNS: &str = "c.id, c.person_id, p.given_name, p.family_name, c.template, c.recipient, c.recipient_name, c.channel, c.format,
    c.to_address, c.subject, c.status, c.failure, c.entry_id, c.file_kind, c.about_type, c.about_id, c.sent_by, c.created_at";
const FROM: &str = "FROM communication c JOIN person p ON p.id = c.person_id";

fn communication_from(row: &AnyRow) -> Result<Communication> {
    let channel: Option<String> = row.try_get("channel")?;
    let given: String = row.try_get("given_name")?;
    let family: String = row.try_get("family_name")?;
    Ok(Communication {
        id: row.try_get("id")?,
        person_id: row.try_get("person_id")?,
        person_name: format!("{given} {family}"),
        template: vocab(row, "template", Template::parse)?,
        recipient: vocab(row, "recipient", RecipientRole::parse)?,
        recipient_name: row.try_get("recipient_name")?,
        channel: channel.map(|c| CommChannel::parse(&c).ok_or(StoreError::Corrupt { column: "channel", value: c })).transpose()?,
        format: vocab(row, "format", CommFormat::parse)?,
        to_address: row.try_get("to_address")?,
        subject: row.try_get("subject")?,
        status: vocab(row, "status", CommStatus::parse)?,
        failure: row.try_get("failure")?,
        entry_id: row.try_get("entry_id")?,
        file_kind: row.try_get("file_kind")?,
        about_type: row.try_get("about_type")?,
        about_id: row.try_get("about_id")?,
        sent_by: row.try_get("sent_by")?,
        created_at: row.try_get("created_at")?,
    })
}

pub async fn insert(tx: &mut Tx, c: &NewCommunication<'_>, now: Timestamp) -> Result<Id> {
    let id: i64 = sqlx::query(
        "INSERT INTO communication (person_id, about_type, about_id, template, recipient, representative_id, recipient_name, channel,
             format, to_address, subject, status, failure, entry_id, file_kind, file, sent_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
    )
    .bind(c.person_id)
    .bind(c.about_type)
    .bind(c.about_id)
    .bind(c.template.as_str())
    .bind(c.recipient.as_str())
    .bind(c.representative_id)
    .bind(c.recipient_name)
    .bind(c.channel.map(|x| x.as_str()))
    .bind(c.format.as_str())
    .bind(c.to_address)
    .bind(c.subject)
    .bind(c.status.as_str())
    .bind(c.failure)
    .bind(c.entry_id)
    .bind(c.file.map(|f| f.0))
    .bind(c.file.map(|f| f.1.to_vec()))
    .bind(c.sent_by)
    .bind(ts(now))
    .fetch_one(tx.conn())
    .await?
    .try_get("id")?;
    Ok(id)
}

pub async fn communication(tx: &mut Tx, id: Id) -> Result<Communication> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE c.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?.as_ref().map(communication_from).transpose()?.ok_or(StoreError::NotFound)
}

/// The rendered file of a communication: (`pdf` or `eml`, bytes).
pub async fn file(tx: &mut Tx, id: Id) -> Result<Option<(String, Vec<u8>)>> {
    let row = sqlx::query("SELECT file_kind, file FROM communication WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let kind: Option<String> = row.try_get("file_kind")?;
    let bytes: Option<Vec<u8>> = row.try_get("file")?;
    Ok(kind.zip(bytes))
}

/// Whether a communication went to an anonymous reporter of its case.
pub async fn to_anonymous_party(tx: &mut Tx, id: Id) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM communication c JOIN case_party p ON p.case_id = c.about_id AND p.person_id = c.person_id
         WHERE c.id = $1 AND c.about_type = 'case' AND p.anonymous = 1",
    )
    .bind(id)
    .fetch_one(tx.conn())
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// The communications about one request, case or breach, oldest first.
pub async fn about(tx: &mut Tx, about_type: &str, about_id: Id) -> Result<Vec<Communication>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE c.about_type = $1 AND c.about_id = $2 ORDER BY c.id");
    let rows = sqlx::query(&sql).bind(about_type).bind(about_id).fetch_all(tx.conn()).await?;
    rows.iter().map(communication_from).collect()
}

/// What the sender sent that could not be sent, newest first; with
/// `rights`, also every rights letter and breach notice that could not be
/// (for the DPO, who answers for them whoever sent them).
pub async fn failures_of(tx: &mut Tx, sender: Id, rights: bool, limit: i64) -> Result<Vec<Communication>> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE c.status = 'failed' AND (c.sent_by = $1 OR ($2 = 1 AND c.about_type IN ('rights_request', 'breach')))
         ORDER BY c.id DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql).bind(sender).bind(rights as i64).bind(limit).fetch_all(tx.conn()).await?;
    rows.iter().map(communication_from).collect()
}

/// Letters rendered and waiting to be printed and posted, oldest first:
/// the sender's case letters, and with `rights` every rights letter and
/// breach notice (the DPO prints those, whoever recorded the request).
pub async fn to_print_of(tx: &mut Tx, sender: Id, rights: bool, limit: i64) -> Result<Vec<Communication>> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE c.status = 'ready_to_print'
           AND ((c.sent_by = $1 AND c.about_type = 'case') OR ($2 = 1 AND c.about_type IN ('rights_request', 'breach')))
         ORDER BY c.id LIMIT $3"
    );
    let rows = sqlx::query(&sql).bind(sender).bind(rights as i64).bind(limit).fetch_all(tx.conn()).await?;
    rows.iter().map(communication_from).collect()
}

/// Records how delivery went.
pub async fn set_delivery(
    tx: &mut Tx,
    id: Id,
    status: CommStatus,
    failure: Option<&str>,
    provider_ref: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE communication SET status = $2, failure = $3, provider_ref = $4, delivered_at = $5 WHERE id = $1")
        .bind(id)
        .bind(status.as_str())
        .bind(failure)
        .bind(provider_ref)
        .bind(ts(now))
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ids of communications still waiting for a transport (after a restart, or a
/// mail server that was down).
pub async fn queued(tx: &mut Tx, limit: i64) -> Result<Vec<Id>> {
    let rows =
        sqlx::query("SELECT id FROM communication WHERE status = 'queued' ORDER BY id LIMIT $1").bind(limit).fetch_all(tx.conn()).await?;
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}
