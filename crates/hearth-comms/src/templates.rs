//! Letter, email and text templates as files operators edit.
//!
//! Each [`Template`] has a file `NAME.md` (the standard wording), and may
//! have `NAME.easy_read.md` (easy read wording) and `NAME.sms.txt` (a short
//! text message). A `.md` file starts with a `Subject:` line and a blank
//! line; the body is paragraphs separated by blank lines, `# ` headings and
//! `- ` bullets. Placeholders are Jinja (`{{ name }}`, `{% if %}`), rendered
//! by `minijinja` with unknown names refused, so a typo is caught at
//! start-up rather than printed in a customer's letter.
//!
//! The shipped files (config/templates) are built in; an operator's
//! directory replaces them file by file. Every template is rendered once
//! against sample values when loaded, and errors name the file and line.

use crate::doc::Block;
use hearth_domain::comms::{CommFormat, Template};
use minijinja::{Environment, UndefinedBehavior};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// The shipped templates, built in.
const SHIPPED: &[(&str, &str)] = &[
    ("rights_acknowledgement.md", include_str!("../../../config/templates/rights_acknowledgement.md")),
    ("rights_acknowledgement.easy_read.md", include_str!("../../../config/templates/rights_acknowledgement.easy_read.md")),
    ("rights_acknowledgement.sms.txt", include_str!("../../../config/templates/rights_acknowledgement.sms.txt")),
    ("identity_request.md", include_str!("../../../config/templates/identity_request.md")),
    ("identity_request.easy_read.md", include_str!("../../../config/templates/identity_request.easy_read.md")),
    ("clarification.md", include_str!("../../../config/templates/clarification.md")),
    ("clarification.easy_read.md", include_str!("../../../config/templates/clarification.easy_read.md")),
    ("extension_notice.md", include_str!("../../../config/templates/extension_notice.md")),
    ("refusal.md", include_str!("../../../config/templates/refusal.md")),
    ("response_cover.md", include_str!("../../../config/templates/response_cover.md")),
    ("complaint_acknowledgement.md", include_str!("../../../config/templates/complaint_acknowledgement.md")),
    ("complaint_acknowledgement.easy_read.md", include_str!("../../../config/templates/complaint_acknowledgement.easy_read.md")),
    ("complaint_response.md", include_str!("../../../config/templates/complaint_response.md")),
    ("case_letter.md", include_str!("../../../config/templates/case_letter.md")),
    ("breach_notification.md", include_str!("../../../config/templates/breach_notification.md")),
];

/// Words a template must keep, whatever the operator writes: a refusal that
/// does not tell the person they can complain to the ICO breaks Art. 12(4).
const REQUIRED: &[(Template, &str, &str)] = &[
    (
        Template::Refusal,
        "Information Commissioner",
        "a refusal must tell the person they can complain to the Information Commissioner's Office",
    ),
    (Template::ExtensionNotice, "{{ due_on }}", "an extension notice must give the new date ({{ due_on }})"),
    (Template::RightsAcknowledgement, "{{ due_on }}", "an acknowledgement must give the date we will respond by ({{ due_on }})"),
];

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{file}: cannot read it: {source}")]
    Read { file: String, source: std::io::Error },
}

/// One template rendered: the subject, the body as blocks (for a letter) and
/// as plain text (for an email), and a text message when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub blocks: Vec<Block>,
    pub text: String,
    /// The format the wording is in: easy read only when the template has an
    /// easy read version.
    pub format: CommFormat,
}

/// The loaded templates.
pub struct Templates {
    env: Environment<'static>,
    files: BTreeMap<String, String>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").field("files", &self.files.keys().collect::<Vec<_>>()).finish()
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::load(None).expect("the shipped templates are valid (tested)")
    }
}

fn file_name(t: Template, variant: &str) -> String {
    match variant {
        "sms" => format!("{}.sms.txt", t.as_str()),
        "easy_read" => format!("{}.easy_read.md", t.as_str()),
        _ => format!("{}.md", t.as_str()),
    }
}

impl Templates {
    /// The shipped templates, each replaced by a file of the same name in
    /// `dir` when there is one. Files in `dir` that match no template are
    /// refused, so a misspelt name is not silently ignored.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        let mut files: BTreeMap<String, String> = SHIPPED.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
        if let Some(dir) = dir {
            let read_dir = std::fs::read_dir(dir).map_err(|source| TemplateError::Read { file: dir.display().to_string(), source })?;
            for entry in read_dir {
                let entry = entry.map_err(|source| TemplateError::Read { file: dir.display().to_string(), source })?;
                let name = entry.file_name().to_string_lossy().to_string();
                let path = entry.path();
                let known = Template::ALL.iter().any(|t| ["", "sms", "easy_read"].iter().any(|v| file_name(*t, v) == name));
                if !known {
                    return Err(TemplateError::Invalid {
                        file: path.display().to_string(),
                        message: "no template has this name (NAME.md, NAME.easy_read.md or NAME.sms.txt, where NAME is one of the shipped templates)".into(),
                    });
                }
                let text =
                    std::fs::read_to_string(&path).map_err(|source| TemplateError::Read { file: path.display().to_string(), source })?;
                files.insert(name, text);
            }
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Plain text out: the email and PDF writers escape for their own formats.
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        for (name, text) in &files {
            if name.ends_with(".md") && !text.starts_with("Subject:") {
                return Err(TemplateError::Invalid { file: name.clone(), message: "line 1: must start with \"Subject:\"".into() });
            }
            env.add_template_owned(name.clone(), text.clone()).map_err(|e| invalid(name, &e))?;
        }
        let templates = Templates { env, files };
        for (t, words, why) in REQUIRED {
            if !templates.files[&file_name(*t, "")].contains(words) {
                return Err(TemplateError::Invalid {
                    file: file_name(*t, ""),
                    message: format!("{why}: it no longer contains \"{words}\""),
                });
            }
        }
        // Every file renders against sample values, or start-up stops here.
        for t in Template::ALL {
            for variant in ["", "easy_read", "sms"] {
                let name = file_name(*t, variant);
                if templates.files.contains_key(&name) {
                    templates
                        .env
                        .get_template(&name)
                        .and_then(|tpl| tpl.render(minijinja::value::Serde(sample(*t))))
                        .map_err(|e| invalid(&name, &e))?;
                }
            }
        }
        Ok(templates)
    }

    /// Whether the template has a short text-message form.
    pub fn has_text(&self, t: Template) -> bool {
        self.files.contains_key(&file_name(t, "sms"))
    }

    /// Renders the template in `format` (easy read wording when it has one;
    /// large print is a matter of layout, not wording).
    pub fn render(&self, t: Template, format: CommFormat, ctx: &Value) -> Result<Rendered, TemplateError> {
        let easy = format == CommFormat::EasyRead && self.files.contains_key(&file_name(t, "easy_read"));
        let name = file_name(t, if easy { "easy_read" } else { "" });
        let out = self.env.get_template(&name).and_then(|tpl| tpl.render(minijinja::value::Serde(ctx))).map_err(|e| invalid(&name, &e))?;
        let (first, body) = out.split_once('\n').unwrap_or((&out, ""));
        let subject = first.trim_start_matches("Subject:").trim().to_string();
        let blocks = blocks(body);
        let text = plain_text(&blocks);
        let format = match format {
            CommFormat::EasyRead if !easy => CommFormat::Standard,
            f => f,
        };
        Ok(Rendered { subject, blocks, text, format })
    }

    /// The text message, when the template has one.
    pub fn render_text(&self, t: Template, ctx: &Value) -> Result<Option<String>, TemplateError> {
        let name = file_name(t, "sms");
        if !self.files.contains_key(&name) {
            return Ok(None);
        }
        let out = self.env.get_template(&name).and_then(|tpl| tpl.render(minijinja::value::Serde(ctx))).map_err(|e| invalid(&name, &e))?;
        Ok(Some(out.split_whitespace().collect::<Vec<_>>().join(" ")))
    }
}

fn invalid(name: &str, e: &minijinja::Error) -> TemplateError {
    let line = e.line().map(|l| format!("line {l}: ")).unwrap_or_default();
    let detail = e.detail().map(|d| format!(" ({d})")).unwrap_or_default();
    TemplateError::Invalid { file: name.to_string(), message: format!("{line}{}{detail}", e.kind()) }
}

/// Paragraphs separated by blank lines; `# ` headings, `- ` bullets.
fn blocks(body: &str) -> Vec<Block> {
    let mut out = vec![];
    for para in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let lines: Vec<&str> = para.lines().map(str::trim).collect();
        if lines.iter().all(|l| l.starts_with("- ")) {
            out.extend(lines.iter().map(|l| Block::Bullet(l[2..].trim().to_string())));
        } else if let Some(h) = para.strip_prefix("# ") {
            out.push(Block::Subheading(h.trim().to_string()));
        } else {
            // A sign-off keeps its line breaks ("Yours sincerely," / name / role).
            out.push(Block::Para(lines.join("\n")));
        }
    }
    out
}

fn plain_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Bullet(t) => {
                out.push_str("- ");
                out.push_str(t);
                out.push('\n');
                continue;
            }
            Block::Para(t) | Block::Subheading(t) | Block::Heading(t) | Block::Title(t) => out.push_str(t),
            Block::Row(l, v) => out.push_str(&format!("{l}: {v}")),
            Block::PageBreak => {}
        }
        out.push_str("\n\n");
    }
    out.trim_end().to_string() + "\n"
}

/// Values every template may use, with made-up contents, for the start-up
/// check and for docs/communications.md.
pub fn sample(t: Template) -> Value {
    let mut v = json!({
        "name": "Ada Sample",
        "given_name": "Ada",
        "person_name": "Ada Sample",
        "to_representative": false,
        "sender": "Example Homes",
        "landlord_name": "Example Homes",
        "today": "7 December 2026",
        "reference": "SAR-000001",
    });
    let extra = match t {
        Template::RightsAcknowledgement
        | Template::IdentityRequest
        | Template::Clarification
        | Template::ExtensionNotice
        | Template::Refusal
        | Template::ResponseCover => json!({
            "request_words": "access request",
            "received_on": "1 December 2026",
            "due_on": "4 January 2027",
            "extension_reason": "the request is complex",
            "refusal_ground": "the request is manifestly excessive",
            "refusal_reason": "It repeats a request we answered last month.",
        }),
        Template::ComplaintAcknowledgement | Template::ComplaintResponse => json!({
            "stage": 1,
            "received_on": "1 December 2026",
            "respond_by": "15 December 2026",
            "summary": "a repair that was not finished",
            "response": "We are sorry. The repair is booked for 9 December 2026.",
        }),
        Template::CaseLetter => json!({ "subject": "Your report", "paragraphs": ["One.", "Two."] }),
        Template::BreachNotification => json!({
            "what_happened": "A letter was sent to the wrong address.",
            "likely_consequences": "Someone else may have read your name and address.",
            "measures": "We have asked for the letter back and changed how letters are checked.",
        }),
    };
    if let (Value::Object(a), Value::Object(b)) = (&mut v, extra) {
        a.extend(b);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_template_renders_and_a_refusal_names_the_ico() {
        let t = Templates::default();
        for k in Template::ALL {
            let r = t.render(*k, CommFormat::Standard, &sample(*k)).unwrap();
            assert!(!r.subject.is_empty() && !r.text.contains("{{"), "{k}");
        }
        let r = t.render(Template::Refusal, CommFormat::Standard, &sample(Template::Refusal)).unwrap();
        assert!(r.text.contains("Information Commissioner's Office"));
        assert!(t.has_text(Template::RightsAcknowledgement) && !t.has_text(Template::Refusal));
    }

    #[test]
    fn every_file_in_the_shipped_folder_is_built_in() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/templates");
        for e in std::fs::read_dir(dir).unwrap() {
            let name = e.unwrap().file_name().to_string_lossy().to_string();
            assert!(SHIPPED.iter().any(|(n, _)| *n == name), "{name} is in config/templates but not built in");
        }
    }

    #[test]
    fn easy_read_wording_only_where_a_template_has_it() {
        let t = Templates::default();
        let ack = t.render(Template::RightsAcknowledgement, CommFormat::EasyRead, &sample(Template::RightsAcknowledgement)).unwrap();
        assert_eq!(ack.format, CommFormat::EasyRead);
        assert!(ack.text.contains("We got your request"));
        let refusal = t.render(Template::Refusal, CommFormat::EasyRead, &sample(Template::Refusal)).unwrap();
        assert_eq!(refusal.format, CommFormat::Standard);
    }

    #[test]
    fn bodies_become_paragraphs_headings_and_bullets() {
        let b = blocks("Dear A,\n\n# What\n\n- one\n- two\n\nYours,\nB\n");
        assert_eq!(
            b,
            vec![
                Block::Para("Dear A,".into()),
                Block::Subheading("What".into()),
                Block::Bullet("one".into()),
                Block::Bullet("two".into()),
                Block::Para("Yours,\nB".into())
            ]
        );
    }

    #[test]
    fn an_operators_file_replaces_one_and_mistakes_name_the_file_and_line() {
        let dir = std::env::temp_dir().join(format!("hearth-templates-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let refusal = dir.join("refusal.md");
        std::fs::write(&refusal, "Subject: No\n\nDear {{ name }},\n\n{{ nmae }}\n").unwrap();
        let e = Templates::load(Some(&dir)).unwrap_err().to_string();
        assert!(e.contains("refusal.md") && e.contains("Information Commissioner"), "{e}");
        std::fs::write(&refusal, "Subject: No\n\nDear {{ name }}, the Information Commissioner.\n\n{{ nmae }}\n").unwrap();
        let e = Templates::load(Some(&dir)).unwrap_err().to_string();
        assert!(e.contains("refusal.md") && e.contains("line 5"), "{e}");
        std::fs::write(&refusal, "Subject: No ({{ reference }})\n\nDear {{ name }}, write to the Information Commissioner.\n").unwrap();
        let t = Templates::load(Some(&dir)).unwrap();
        let r = t.render(Template::Refusal, CommFormat::Standard, &sample(Template::Refusal)).unwrap();
        assert_eq!(r.subject, "No (SAR-000001)");
        std::fs::write(dir.join("refusl.md"), "Subject: x\n").unwrap();
        assert!(Templates::load(Some(&dir)).unwrap_err().to_string().contains("refusl.md"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
