//! Documents filed against a person: scans, letters, photos and emails.
//!
//! A document belongs to one compartment (as a contact entry does), so who
//! may list or download it follows that compartment's need-to-know rules.
//! What a file *is* comes from its first bytes, never from the name or type
//! the client declared: a declared type or extension that disagrees with the
//! bytes, or bytes of no accepted type, are refused naming the field. These
//! rules are pure; storing the bytes is the store's job.

use crate::{
    access::Compartment,
    contacts::{contact_compartment, not_a_contact_compartment},
    error::{FieldError, ValidationErrors},
    Id,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

crate::vocabulary! {
    /// Which retention rule a document follows: one on a case the case
    /// documents rule, a care plan kept (never by the case's rule), one
    /// attached to a contact entry goes with the entry, any other is on the
    /// person's tenancy file.
    DocumentFiling {
        TenancyFile => "tenancy_file" / "On the tenancy file",
        CaseDocument => "case_document" / "Case document",
        CarePlan => "care_plan" / "Care plan",
        ContactEntry => "contact_entry" / "With its contact entry",
    }
}

crate::vocabulary! {
    /// The accepted kinds of document, as sniffed from their bytes.
    DocumentKind {
        Pdf => "pdf" / "PDF document",
        Png => "png" / "PNG image",
        Jpeg => "jpeg" / "JPEG image",
        Eml => "eml" / "Email (.eml)",
        Msg => "msg" / "Outlook email (.msg)",
    }
}

/// Default largest document: 10 MiB, enough for a scanned letter or a photo.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;
const MAX_TITLE: usize = 200;
const ACCEPTED: &str = "a PDF, a PNG or JPEG image, or an email (.eml or .msg)";

impl DocumentKind {
    /// The media type a download is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            DocumentKind::Pdf => "application/pdf",
            DocumentKind::Png => "image/png",
            DocumentKind::Jpeg => "image/jpeg",
            DocumentKind::Eml => "message/rfc822",
            DocumentKind::Msg => "application/vnd.ms-outlook",
        }
    }

    /// The file-name extension a download is given.
    pub fn extension(self) -> &'static str {
        match self {
            DocumentKind::Jpeg => "jpg",
            other => other.as_str(),
        }
    }

    /// Extensions a client's file name may end with for this kind.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            DocumentKind::Pdf => &["pdf"],
            DocumentKind::Png => &["png"],
            DocumentKind::Jpeg => &["jpg", "jpeg", "jpe"],
            DocumentKind::Eml => &["eml"],
            DocumentKind::Msg => &["msg"],
        }
    }

    /// Media types a client may declare for this kind (browsers differ).
    fn media_types(self) -> &'static [&'static str] {
        match self {
            DocumentKind::Pdf => &["application/pdf", "application/x-pdf"],
            DocumentKind::Png => &["image/png"],
            DocumentKind::Jpeg => &["image/jpeg", "image/jpg", "image/pjpeg"],
            DocumentKind::Eml => &["message/rfc822", "text/plain"],
            DocumentKind::Msg => &["application/vnd.ms-outlook", "application/x-msg"],
        }
    }

    /// What the bytes are, from their signature. An email has no magic
    /// number, so it is recognised by an RFC 5322 header block.
    pub fn sniff(bytes: &[u8]) -> Option<DocumentKind> {
        const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        if bytes.starts_with(b"%PDF-") {
            Some(DocumentKind::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(DocumentKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(DocumentKind::Jpeg)
        } else if bytes.starts_with(OLE) {
            // An OLE compound file: Outlook saves messages this way (so do old
            // Office documents, which the extension check then refuses).
            Some(DocumentKind::Msg)
        } else if looks_like_email(bytes) {
            Some(DocumentKind::Eml)
        } else {
            None
        }
    }
}

/// True when the bytes open with a header block of at least two headers,
/// one of them a header every email has, then a blank line.
fn looks_like_email(bytes: &[u8]) -> bool {
    const COMMON: &[&str] = &["from", "to", "subject", "date", "received", "message-id", "mime-version", "return-path"];
    let head = &bytes[..bytes.len().min(16 * 1024)];
    let Ok(text) = std::str::from_utf8(head).or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()])) else { return false };
    let mut headers = 0;
    let mut common = false;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            return headers >= 2 && common;
        }
        if line.starts_with([' ', '\t']) && headers > 0 {
            continue; // a folded header
        }
        let Some((name, _)) = line.split_once(':') else { return false };
        if name.is_empty() || !name.bytes().all(|b| (33..=126).contains(&b)) {
            return false;
        }
        headers += 1;
        common |= COMMON.contains(&name.to_ascii_lowercase().as_str());
    }
    false
}

/// A document as listed and shown; never its bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    pub id: Id,
    pub person_id: Id,
    pub compartment: Compartment,
    pub case_id: Option<Id>,
    /// The contact entry it came with, if any.
    pub contact_entry_id: Option<Id>,
    /// What the bytes are.
    pub kind: DocumentKind,
    /// The media type a download is served with.
    pub media_type: String,
    /// A name for people to recognise it by (the uploaded file's name unless given).
    pub title: String,
    pub byte_size: i64,
    /// Covered by legal professional privilege: withheld from access bundles.
    pub legally_privileged: bool,
    /// Which retention rule it follows.
    pub filed_as: DocumentFiling,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    pub uploaded_by: Id,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub uploaded_at: Timestamp,
}

/// An upload as received: the form fields, and the file with what the
/// client said about it.
#[derive(Debug, Clone, Default)]
pub struct DocumentUpload {
    /// general (the default without a case or contact), asb, safeguarding,
    /// care, financial, complaints, repairs or tenancy. On a case or a
    /// contact entry, leave it out: the document takes theirs.
    pub compartment: Option<String>,
    pub case_id: Option<String>,
    pub contact_entry_id: Option<String>,
    pub title: Option<String>,
    /// "yes" or "true" when the document is legally privileged (advice from or to a lawyer).
    pub legally_privileged: Option<String>,
    /// `care_plan` for a care plan (kept, in the care compartment), or
    /// `tenancy_file` (the default for a document on no case or contact).
    pub filed_as: Option<String>,
    /// The file name the client sent, used only for the title and a consistency check.
    pub file_name: Option<String>,
    /// The media type the client declared for the file.
    pub declared_type: Option<String>,
    pub bytes: Vec<u8>,
    /// The file was larger than the limit (its bytes were not kept).
    pub oversize: bool,
}

/// An upload after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentFields {
    /// `None` when not given: a document filed on a case or attached to a
    /// contact entry takes its compartment.
    pub compartment: Option<Compartment>,
    pub case_id: Option<Id>,
    pub contact_entry_id: Option<Id>,
    pub kind: DocumentKind,
    pub title: String,
    pub legally_privileged: bool,
    /// As given (care plan or tenancy file); the gate derives it otherwise.
    pub filed_as: Option<DocumentFiling>,
}

fn optional_id(errs: &mut ValidationErrors, field: &str, v: Option<&str>, what: &str) -> Option<Id> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    errs.check(v.parse::<Id>().ok().filter(|i| *i > 0).ok_or_else(|| FieldError::new(field, format!("The {what} must be a number"))))
}

/// The last path segment of a client's file name (some browsers send a full path).
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name).trim()
}

impl DocumentUpload {
    /// Checks the upload; `max_bytes` is the configured limit.
    pub fn validate(&self, max_bytes: usize) -> Result<DocumentFields, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let compartment = match self.compartment.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => errs.check(contact_compartment(s).ok_or_else(|| FieldError::new("compartment", not_a_contact_compartment()))),
        };
        let case_id = optional_id(&mut errs, "case_id", self.case_id.as_deref(), "case");
        let contact_entry_id = optional_id(&mut errs, "contact_entry_id", self.contact_entry_id.as_deref(), "contact entry");
        let file_name = self.file_name.as_deref().map(base_name).filter(|n| !n.is_empty());
        let kind = if self.oversize || self.bytes.len() > max_bytes {
            errs.push(FieldError::new("file", format!("The file must be {} or smaller", human_size(max_bytes))));
            None
        } else if self.bytes.is_empty() {
            errs.push(FieldError::new("file", "Select a file to upload"));
            None
        } else {
            match DocumentKind::sniff(&self.bytes) {
                None => {
                    errs.push(FieldError::new("file", format!("The file must be {ACCEPTED}; this file is none of those")));
                    None
                }
                Some(kind) => {
                    let ext = file_name.and_then(|n| n.rsplit_once('.')).map(|(_, e)| e.to_ascii_lowercase());
                    let declared = self
                        .declared_type
                        .as_deref()
                        .and_then(|t| t.split(';').next())
                        .map(|t| t.trim().to_ascii_lowercase())
                        .filter(|t| !t.is_empty() && t != "application/octet-stream");
                    if let Some(ext) = ext.filter(|e| !kind.extensions().contains(&e.as_str())) {
                        errs.push(FieldError::new(
                            "file",
                            format!("The file is a {} but its name ends .{ext}; rename it or choose the right file", kind.label()),
                        ));
                        None
                    } else if let Some(t) = declared.filter(|t| !kind.media_types().contains(&t.as_str())) {
                        errs.push(FieldError::new("file", format!("The file is a {} but was sent as {t}", kind.label())));
                        None
                    } else {
                        Some(kind)
                    }
                }
            }
        };
        let title = match crate::validate::optional_text("title", self.title.as_deref(), MAX_TITLE, "title") {
            Ok(Some(t)) => Some(t),
            Ok(None) => match file_name {
                Some(n) => Some(n.chars().filter(|c| !c.is_control()).take(MAX_TITLE).collect()),
                None => {
                    errs.push(FieldError::new("title", "Enter a title for the document"));
                    None
                }
            },
            Err(e) => {
                errs.push(e);
                None
            }
        };
        let legally_privileged = match self.legally_privileged.as_deref().map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None | Some("" | "no" | "false") => false,
            Some("yes" | "true") => true,
            Some(_) => {
                errs.push(FieldError::new("legally_privileged", "Legally privileged must be yes or no"));
                false
            }
        };
        let filed_as = match self.filed_as.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some("care_plan") => Some(DocumentFiling::CarePlan),
            Some("tenancy_file") if case_id.is_none() && contact_entry_id.is_none() => Some(DocumentFiling::TenancyFile),
            Some("tenancy_file") => {
                errs.push(FieldError::new("filed_as", "A document on a case or a contact follows theirs; leave filed as out"));
                None
            }
            Some(_) => {
                errs.push(FieldError::new("filed_as", "Filed as must be care_plan or tenancy_file"));
                None
            }
        };
        errs.into_result()?;
        Ok(DocumentFields {
            compartment,
            case_id,
            contact_entry_id,
            kind: kind.expect("checked"),
            title: title.expect("checked"),
            legally_privileged,
            filed_as,
        })
    }
}

/// A size as people read it: "10 MiB", "512 KiB", "900 bytes".
pub fn human_size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    // MIB is a power of two, so the mask tests for whole mebibytes.
    if bytes >= MIB && bytes & (MIB - 1) == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// A document with its bytes: the bytes go with the title's class (free
/// text), so a projection that withholds the title withholds the content.
impl crate::classes::Project for (Document, Vec<u8>) {
    fn project(&mut self, permitted: crate::classes::ClassSet) {
        crate::classes::Project::project(&mut self.0, permitted);
        if !permitted.contains(crate::classes::DataClass::FreeText) {
            self.1.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
    const EMAIL: &[u8] =
        b"From: Test Sender <sender@example.invalid>\r\nTo: housing@example.invalid\r\nSubject: Repair\r\n\r\nThe tap drips.\r\n";

    fn upload(name: &str, declared: &str, bytes: &[u8]) -> DocumentUpload {
        DocumentUpload { file_name: Some(name.into()), declared_type: Some(declared.into()), bytes: bytes.to_vec(), ..Default::default() }
    }

    fn fields(u: &DocumentUpload) -> Vec<(String, String)> {
        u.validate(1024).unwrap_err().0.into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn the_bytes_decide_the_kind() {
        assert_eq!(DocumentKind::sniff(PDF), Some(DocumentKind::Pdf));
        assert_eq!(DocumentKind::sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(DocumentKind::Png));
        assert_eq!(DocumentKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(DocumentKind::Jpeg));
        assert_eq!(DocumentKind::sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]), Some(DocumentKind::Msg));
        assert_eq!(DocumentKind::sniff(EMAIL), Some(DocumentKind::Eml));
        assert_eq!(DocumentKind::sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(DocumentKind::sniff(b"MZ\x90\0"), None, "a Windows program");
        assert_eq!(DocumentKind::sniff(b"Just: one header\n\nbody"), None, "one header is not an email");
    }

    #[test]
    fn a_pdf_is_accepted_with_its_name_as_title() {
        let f = upload("C:\\scans\\tenancy letter.pdf", "application/pdf", PDF).validate(1024).unwrap();
        assert_eq!((f.kind, f.title.as_str(), f.compartment), (DocumentKind::Pdf, "tenancy letter.pdf", None));
        let f = upload("note.eml", "application/octet-stream", EMAIL).validate(1024).unwrap();
        assert_eq!(f.kind, DocumentKind::Eml);
    }

    #[test]
    fn a_wrong_type_is_refused_on_the_file() {
        let got = fields(&upload("photo.png", "image/png", PDF));
        assert_eq!(got[0].0, "file");
        assert!(got[0].1.contains("PDF document") && got[0].1.contains(".png"), "{got:?}");
        assert_eq!(fields(&upload("page.pdf", "text/html", PDF))[0].0, "file");
        assert_eq!(fields(&upload("run.exe", "application/pdf", b"MZ\x90\0"))[0].0, "file");
    }

    #[test]
    fn an_oversize_or_empty_file_is_refused_on_the_file() {
        let big = upload("big.pdf", "application/pdf", &[PDF, &[b' '; 2000]].concat());
        assert_eq!(fields(&big), [("file".to_string(), "The file must be 1 KiB or smaller".to_string())]);
        assert_eq!(fields(&upload("empty.pdf", "application/pdf", b""))[0].0, "file");
        assert_eq!(human_size(DEFAULT_MAX_DOCUMENT_BYTES), "10 MiB");
    }

    #[test]
    fn ids_and_compartment_are_checked() {
        let mut u = upload("a.pdf", "application/pdf", PDF);
        u.compartment = Some("recordings".into());
        u.case_id = Some("seven".into());
        let got: Vec<_> = fields(&u).into_iter().map(|f| f.0).collect();
        assert_eq!(got, ["compartment", "case_id"]);
    }
}

crate::classify! { Document as "document" {
    keep: id, person_id, compartment, case_id, contact_entry_id, kind, media_type, byte_size, legally_privileged, filed_as, sha256,
        uploaded_by, uploaded_at;
    title: FreeText,
} }
