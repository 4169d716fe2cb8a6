//! Getting a communication out: email over SMTP (lettre, STARTTLS or TLS
//! with rustls) and text messages through a provider adapter.
//!
//! Letters need no transport: they are rendered to PDF for printing and
//! posting. Nothing here logs the content or the address of a message:
//! the database holds those, under their record class.

use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("mail settings: {0}")]
    Config(String),
    #[error("the email could not be built: {0}")]
    Build(String),
    #[error("the mail server refused or could not be reached: {0}")]
    Send(String),
    #[error("the text message provider refused it: {0}")]
    Sms(String),
    #[error("no mail server is configured (HEARTH_SMTP_URL)")]
    NoMailServer,
}

/// An email to send.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// A file to attach (name, PDF bytes): the large-print letter.
    pub attachment: Option<(String, Vec<u8>)>,
}

/// The SMTP connection settings and the sender's address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: never printed.
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish()
    }
}

/// Whether `url`'s host is this machine: the only place unencrypted SMTP
/// is allowed (a local relay, or a test server).
fn loopback(url: &str) -> bool {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host_port = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
    let host_port = host_port.split(['/', '?']).next().unwrap_or("");
    let host = if let Some(h) = host_port.strip_prefix('[') {
        h.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

impl Mailer {
    /// `url`: `smtps://user:pass@host:465` (TLS), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS), or plain `smtp://host:port` to a relay on this machine only.
    pub fn new(url: &str, from: &str) -> Result<Mailer, TransportError> {
        let encrypted = url.starts_with("smtps://") || url.contains("tls=required");
        if !encrypted && !loopback(url) {
            return Err(TransportError::Config(
                "email leaves this machine only encrypted: use smtps://… or smtp://…?tls=required (STARTTLS)".into(),
            ));
        }
        let from: Mailbox = from.parse().map_err(|e| TransportError::Config(format!("the sender address {from:?}: {e}")))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| TransportError::Config(format!("the SMTP URL: {e}")))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(Mailer { transport, from })
    }

    /// The message as it goes on the wire (kept as the record of what was sent).
    pub fn message(&self, m: &OutgoingEmail) -> Result<Message, TransportError> {
        let to: Mailbox = m.to.parse().map_err(|e| TransportError::Build(format!("the address: {e}")))?;
        let builder = Message::builder().from(self.from.clone()).to(to).subject(&m.subject);
        let text = SinglePart::builder().header(ContentType::TEXT_PLAIN).body(m.text.clone());
        let message = match &m.attachment {
            None => builder.singlepart(text),
            Some((name, bytes)) => {
                let pdf = ContentType::parse("application/pdf").expect("a valid media type");
                builder.multipart(MultiPart::mixed().singlepart(text).singlepart(Attachment::new(name.clone()).body(bytes.clone(), pdf)))
            }
        };
        message.map_err(|e| TransportError::Build(e.to_string()))
    }

    pub async fn send(&self, message: Message) -> Result<(), TransportError> {
        self.transport.send(message).await.map(|_| ()).map_err(|e| TransportError::Send(e.to_string()))
    }

    /// Sends a message exactly as it was kept (the stored .eml), to `to`.
    pub async fn send_raw(&self, to: &str, bytes: &[u8]) -> Result<(), TransportError> {
        let to: lettre::Address = to.parse().map_err(|e| TransportError::Build(format!("the address: {e}")))?;
        let envelope =
            lettre::address::Envelope::new(Some(self.from.email.clone()), vec![to]).map_err(|e| TransportError::Build(e.to_string()))?;
        self.transport.send_raw(&envelope, bytes).await.map(|_| ()).map_err(|e| TransportError::Send(e.to_string()))
    }
}

/// What a text provider returns: its reference for the message.
pub type SmsResult<'a> = Pin<Box<dyn Future<Output = Result<String, TransportError>> + Send + 'a>>;

/// A text-message provider. Add one by implementing this for the
/// provider's HTTP API and choosing it in `Courier` (docs/communications.md).
pub trait SmsProvider: Send + Sync {
    /// Its name, for the record of what was sent.
    fn name(&self) -> &'static str;
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> SmsResult<'a>;
}

/// The default: sends nothing, logs that a text was due (its length, never
/// its words or number), and reports it sent so the record is complete.
#[derive(Debug, Default)]
pub struct LogOnlySms;

impl SmsProvider for LogOnlySms {
    fn name(&self) -> &'static str {
        "log-only"
    }

    fn send<'a>(&'a self, _to: &'a str, body: &'a str) -> SmsResult<'a> {
        Box::pin(async move {
            tracing::info!(chars = body.chars().count(), "text message not sent: the log-only provider is configured");
            Ok("log-only".to_string())
        })
    }
}

/// The transports a running Hearth has.
#[derive(Clone)]
pub struct Courier {
    pub mailer: Option<Mailer>,
    pub sms: Arc<dyn SmsProvider>,
}

impl Default for Courier {
    fn default() -> Self {
        Courier { mailer: None, sms: Arc::new(LogOnlySms) }
    }
}

impl std::fmt::Debug for Courier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Courier").field("mailer", &self.mailer).field("sms", &self.sms.name()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unencrypted_smtp_only_to_this_machine() {
        assert!(Mailer::new("smtp://127.0.0.1:2525", "Hearth <hearth@example.test>").is_ok());
        assert!(Mailer::new("smtp://user:pw@localhost:25", "hearth@example.test").is_ok());
        let e = Mailer::new("smtp://mail.example.test:25", "hearth@example.test").unwrap_err().to_string();
        assert!(e.contains("encrypted"), "{e}");
        assert!(Mailer::new("smtp://mail.example.test:587?tls=required", "hearth@example.test").is_ok());
        assert!(Mailer::new("smtps://u:p@mail.example.test", "hearth@example.test").is_ok());
        assert!(Mailer::new("smtp://127.0.0.1:25", "not an address").unwrap_err().to_string().contains("sender"));
    }

    #[test]
    fn a_large_print_copy_goes_as_an_attachment() {
        let m = Mailer::new("smtp://127.0.0.1:2525", "Hearth <hearth@example.test>").unwrap();
        let msg = m
            .message(&OutgoingEmail {
                to: "ada@example.test".into(),
                subject: "Hello".into(),
                text: "Dear Ada".into(),
                attachment: Some(("letter.pdf".into(), b"%PDF-1.3".to_vec())),
            })
            .unwrap();
        let wire = String::from_utf8(msg.formatted()).unwrap();
        assert!(wire.contains("To: ada@example.test") && wire.contains("application/pdf") && wire.contains("letter.pdf"));
    }
}
