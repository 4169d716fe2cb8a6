//! The DPO's review of a subject access bundle before it is sent.
//!
//! Generating makes a draft: the bundle as collected, and every place the
//! redaction rules ([`Redactor`]) found in its free text — automatic ones
//! (another person's identifier: redacted unless reversed) and uncertain
//! ones (a capitalised word beside a redaction, a name another party shares,
//! a number shaped like an identifier: left unless redacted) — each with its
//! context. The DPO accepts or reverses each, may remove more text with a
//! ground and a reason (listed as withheld), and releases. Release fixes the
//! result: the released JSON and its SHA-256 are stored once, audited, and
//! never changed; the released bundle is what every format is made from.
//! Completing the request records which release was sent. All of it is the
//! DPO's alone (the rights compartment).

use crate::bundle::{check_request, AccessBundle, WithheldItem, REDACTED};
use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::redact::{replace_spans, MarkKind, Redactor};
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
    rights::{IdentityStatus, RightsRequest, RightsRequestKind},
    validate, Id,
};
use hearth_store::{bundles, rights, Tx};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What replaces text the DPO removed by hand.
pub const WITHHELD: &str = "[withheld]";

/// Characters of context shown either side of a mark.
const CONTEXT: usize = 60;

/// A place in the draft's text the rules found, with the DPO's decision.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewMark {
    pub id: u32,
    /// The section's key and heading.
    pub section: String,
    pub section_title: String,
    /// Where the text is in the section's records (a JSON pointer).
    pub pointer: String,
    /// Byte offsets in that text.
    pub start: usize,
    pub end: usize,
    /// The text found, and what surrounds it.
    pub text: String,
    pub before: String,
    pub after: String,
    /// Automatic (another person's identifier) or uncertain.
    pub automatic: bool,
    /// Why it was marked, in words.
    pub why: String,
    /// Whether it will be redacted: automatic ones are unless reversed.
    pub redact: bool,
    /// Whether the DPO has decided it.
    pub decided: bool,
}

/// Text the DPO removed by hand, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManualRedaction {
    pub id: u32,
    pub text: String,
    /// `third_party`, `ongoing_investigation`, `legal_privilege` or `exemption`.
    pub ground: String,
    pub reason: String,
}

/// A draft bundle under review, or a release.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BundleDraft {
    pub id: Id,
    pub request_id: Id,
    pub request_reference: String,
    /// `draft`, `released` or `superseded`.
    pub status: String,
    /// RFC 3339.
    pub created_at: String,
    pub released_at: Option<String>,
    /// SHA-256 (hex) of the released JSON.
    pub sha256: Option<String>,
    /// The day the release was sent (the request was completed), YYYY-MM-DD.
    pub sent_on: Option<String>,
    pub version: i64,
    pub marks: Vec<ReviewMark>,
    pub manual: Vec<ManualRedaction>,
}

// Marks hold other people's identifiers in context: only the DPO sees a draft.
hearth_domain::assembled_in_the_gate!(BundleDraft);

/// One change to a draft under review.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ReviewChange {
    /// Redact (true) or leave (false) the place `mark`.
    Decide { version: i64, mark: u32, redact: bool },
    /// Remove every occurrence of `text`, listed as withheld on `ground` for `reason`.
    Redact { version: i64, text: String, ground: String, reason: String },
    /// Undo a manual redaction.
    Restore { version: i64, manual: u32 },
}

impl ReviewChange {
    fn version(&self) -> i64 {
        match self {
            ReviewChange::Decide { version, .. } | ReviewChange::Redact { version, .. } | ReviewChange::Restore { version, .. } => *version,
        }
    }
}

const GROUNDS: [(&str, &str); 4] = [
    ("third_party", "Another person's personal data"),
    ("ongoing_investigation", "Disclosure would be likely to prejudice an investigation (DPA 2018 Sch. 2 para 2)"),
    ("legal_privilege", "Legally privileged (DPA 2018 Sch. 2 para 19)"),
    ("exemption", "Withheld under an exemption"),
];

fn corrupt(what: &str) -> GateError {
    GateError::Store(hearth_store::StoreError::Corrupt { column: "bundle_draft", value: what.to_string() })
}

/// Every place the rules found in the free text of the bundle's records.
pub(crate) fn find_marks(bundle: &AccessBundle, redactor: &Redactor) -> Vec<ReviewMark> {
    let mut out = vec![];
    for s in &bundle.sections {
        for (i, r) in s.records.iter().enumerate() {
            walk(r, &format!("/{i}"), &mut |pointer, text| {
                // Uncertain places only in free text: codes and timestamps have no spaces.
                let free = text.contains(char::is_whitespace);
                for m in redactor.marks(text) {
                    let automatic = m.kind == MarkKind::Automatic;
                    if !automatic && !free {
                        continue;
                    }
                    out.push(ReviewMark {
                        id: out.len() as u32 + 1,
                        section: s.key.clone(),
                        section_title: s.title.clone(),
                        pointer: pointer.to_string(),
                        start: m.range.start,
                        end: m.range.end,
                        text: text[m.range.clone()].to_string(),
                        before: tail(&text[..m.range.start], CONTEXT),
                        after: head(&text[m.range.end..], CONTEXT),
                        automatic,
                        why: m.why,
                        redact: automatic,
                        decided: false,
                    });
                }
            });
        }
    }
    out
}

fn walk(v: &Value, pointer: &str, f: &mut impl FnMut(&str, &str)) {
    match v {
        Value::String(s) => f(pointer, s),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| walk(x, &format!("{pointer}/{i}"), f)),
        Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, &format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1")), f)),
        _ => {}
    }
}

fn walk_mut(v: &mut Value, f: &mut impl FnMut(&mut String)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| walk_mut(x, f)),
        Value::Object(m) => m.values_mut().for_each(|x| walk_mut(x, f)),
        _ => {}
    }
}

fn tail(s: &str, n: usize) -> String {
    let start = s.char_indices().rev().nth(n.saturating_sub(1)).map_or(0, |(i, _)| i);
    s[start..].to_string()
}

fn head(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// Case-insensitive places of `needle` in `hay` (ASCII case only, so byte offsets agree).
fn occurrences(hay: &str, needle: &str) -> Vec<std::ops::Range<usize>> {
    let (h, n) = (hay.to_ascii_lowercase(), needle.to_ascii_lowercase());
    if n.is_empty() {
        return vec![];
    }
    h.match_indices(&n).map(|(i, _)| i..i + n.len()).collect()
}

/// The bundle as it will be released: the marks decided "redact" replaced,
/// the DPO's own redactions replaced and listed as withheld.
pub(crate) fn apply_review(draft: &AccessBundle, marks: &[ReviewMark], manual: &[ManualRedaction]) -> AccessBundle {
    let mut b = draft.clone();
    let mut by_place: BTreeMap<(String, String), Vec<std::ops::Range<usize>>> = BTreeMap::new();
    for m in marks.iter().filter(|m| m.redact) {
        by_place.entry((m.section.clone(), m.pointer.clone())).or_default().push(m.start..m.end);
    }
    for s in &mut b.sections {
        let records = Value::Array(std::mem::take(&mut s.records));
        let mut records = records;
        for ((section, pointer), spans) in by_place.iter_mut().filter(|((k, _), _)| *k == s.key) {
            let _ = section;
            spans.sort_by_key(|r| r.start);
            if let Some(Value::String(text)) = records.pointer_mut(pointer) {
                *text = replace_spans(text, spans, REDACTED);
            }
        }
        for m in manual {
            walk_mut(&mut records, &mut |text| {
                let spans = occurrences(text, &m.text);
                if !spans.is_empty() {
                    *text = replace_spans(text, &spans, WITHHELD);
                }
            });
        }
        if let Value::Array(a) = records {
            s.records = a;
        }
    }
    for m in manual {
        let explanation = GROUNDS.iter().find(|g| g.0 == m.ground).map_or("", |g| g.1);
        b.withheld.push(WithheldItem {
            reason: m.ground.clone(),
            what: "Text removed by the data protection officer on review".into(),
            explanation: format!("{explanation}: {}", m.reason),
        });
    }
    b
}

fn view(row: &bundles::DraftRow, reference: &str) -> Result<BundleDraft> {
    Ok(BundleDraft {
        id: row.id,
        request_id: row.request_id,
        request_reference: reference.to_string(),
        status: row.status.clone(),
        created_at: row.created_at.to_string(),
        released_at: row.released_at.map(|t| t.to_string()),
        sha256: row.released_sha256.clone(),
        sent_on: row.sent_on.clone(),
        version: row.version,
        marks: serde_json::from_str(&row.marks).map_err(|_| corrupt("marks"))?,
        manual: serde_json::from_str(&row.manual).map_err(|_| corrupt("manual"))?,
    })
}

fn parse_bundle(s: &str) -> Result<AccessBundle> {
    serde_json::from_str(s).map_err(|_| corrupt("content"))
}

impl Gate {
    /// Generates a draft access bundle for review, for an open access
    /// request whose requester's identity is confirmed (DPO only; audited as
    /// an export). An earlier draft not yet released is superseded.
    pub async fn draft_bundle(&self, actor: &Actor, request_id: Id) -> Result<BundleDraft> {
        let target = Target::of("rights_request", request_id, None);
        self.guarded(actor, Action::Export, Compartment::Rights, target, async |tx: &mut Tx| {
            let request = rights::request(tx, request_id).await?;
            check_request(&request, RightsRequestKind::Access)?;
            let (bundle, redactor) = self.collect_bundle(tx, actor, &request).await?;
            let marks = find_marks(&bundle, &redactor);
            let content = serde_json::to_string(&bundle).map_err(|_| corrupt("content"))?;
            let marks_json = serde_json::to_string(&marks).map_err(|_| corrupt("marks"))?;
            let id = bundles::insert_draft(tx, request_id, &content, &marks_json, actor.user_id, Timestamp::now()).await?;
            let row = bundles::draft(tx, id).await?;
            let automatic = marks.iter().filter(|m| m.automatic).count();
            let detail = json!({ "generated": "access_bundle_draft", "draft": id, "sections": bundle.sections.len(),
                                 "withheld": bundle.withheld.len(), "automatic": automatic, "uncertain": marks.len() - automatic });
            Ok((view(&row, &request.reference)?, Target::of("rights_request", request_id, Some(request.person_id)), Some(detail)))
        })
        .await
    }

    async fn draft_and_request(&self, tx: &mut Tx, id: Id) -> Result<(bundles::DraftRow, RightsRequest)> {
        let row = bundles::draft(tx, id).await?;
        let request = rights::request(tx, row.request_id).await?;
        Ok((row, request))
    }

    /// A draft with its marks, or a release (DPO only).
    pub async fn bundle_draft(&self, actor: &Actor, id: Id) -> Result<BundleDraft> {
        self.guarded(actor, Action::View, Compartment::Rights, Target::of("bundle_draft", id, None), async |tx: &mut Tx| {
            let (row, request) = self.draft_and_request(tx, id).await?;
            Ok((view(&row, &request.reference)?, Target::of("bundle_draft", id, Some(request.person_id)), None))
        })
        .await
    }

    /// The drafts and releases of a request, newest first, without their marks (DPO only).
    pub async fn bundle_drafts(&self, actor: &Actor, request_id: Id) -> Result<Vec<BundleDraft>> {
        self.guarded(actor, Action::View, Compartment::Rights, Target::of("rights_request", request_id, None), async |tx: &mut Tx| {
            let request = rights::request(tx, request_id).await?;
            let mut out = vec![];
            for row in bundles::drafts_of(tx, request_id).await? {
                let mut v = view(&row, &request.reference)?;
                v.marks.clear();
                v.manual.clear();
                out.push(v);
            }
            Ok((Wrapped(out), Target::of("rights_request", request_id, Some(request.person_id)), None))
        })
        .await
        .map(|w| w.0)
    }

    /// The draft as it would be released now (DPO only; audited).
    pub async fn preview_bundle(&self, actor: &Actor, id: Id) -> Result<AccessBundle> {
        self.guarded(actor, Action::View, Compartment::Rights, Target::of("bundle_draft", id, None), async |tx: &mut Tx| {
            let (row, request) = self.draft_and_request(tx, id).await?;
            let b = match &row.released_content {
                Some(c) => parse_bundle(c)?,
                None => {
                    let v = view(&row, &request.reference)?;
                    apply_review(&parse_bundle(&row.content)?, &v.marks, &v.manual)
                }
            };
            Ok((b, Target::of("bundle_draft", id, Some(request.person_id)), Some(json!({ "previewed": id }))))
        })
        .await
    }

    /// Applies one review change to a draft (DPO only; audited). A released
    /// or superseded draft cannot change (409).
    pub async fn review_bundle(&self, actor: &Actor, id: Id, change: &ReviewChange) -> Result<BundleDraft> {
        self.guarded(actor, Action::Edit, Compartment::Rights, Target::of("bundle_draft", id, None), async |tx: &mut Tx| {
            let (row, request) = self.draft_and_request(tx, id).await?;
            if row.status != "draft" || row.version != change.version() {
                return Err(GateError::Conflict);
            }
            let mut v = view(&row, &request.reference)?;
            let event = match change {
                ReviewChange::Decide { mark, redact, .. } => {
                    let m =
                        v.marks.iter_mut().find(|m| m.id == *mark).ok_or_else(|| FieldError::new("mark", "No such place in this draft"))?;
                    m.redact = *redact;
                    m.decided = true;
                    json!({ "mark": mark, "redact": redact, "automatic": m.automatic, "why": m.why })
                }
                ReviewChange::Redact { text, ground, reason, .. } => {
                    let text = text.trim();
                    if text.chars().count() < 2 || text.chars().count() > 500 {
                        return Err(FieldError::new("text", "Give the text to remove, 2 to 500 characters, as it is written").into());
                    }
                    if !GROUNDS.iter().any(|g| g.0 == ground.trim()) {
                        return Err(FieldError::new(
                            "ground",
                            "Choose a ground: third party, ongoing investigation, legal privilege or another exemption",
                        )
                        .into());
                    }
                    let reason = validate::optional_text("reason", Some(reason), 1000, "reason")?
                        .ok_or_else(|| FieldError::new("reason", "Say why this is withheld (name the exemption)"))?;
                    let content = parse_bundle(&row.content)?;
                    let mut found = false;
                    for s in &content.sections {
                        let mut records = Value::Array(s.records.clone());
                        walk_mut(&mut records, &mut |t| found |= !occurrences(t, text).is_empty());
                    }
                    if !found {
                        return Err(FieldError::new("text", "That text is not in the bundle; copy it as it is written").into());
                    }
                    let id = v.manual.iter().map(|m| m.id).max().unwrap_or(0) + 1;
                    v.manual.push(ManualRedaction {
                        id,
                        text: text.to_string(),
                        ground: ground.trim().to_string(),
                        reason: reason.clone(),
                    });
                    // The audit trail keeps the reason, not the text (it may be another person's data).
                    json!({ "manual": id, "ground": ground.trim(), "reason": reason })
                }
                ReviewChange::Restore { manual, .. } => {
                    let before = v.manual.len();
                    v.manual.retain(|m| m.id != *manual);
                    if v.manual.len() == before {
                        return Err(FieldError::new("manual", "No such redaction in this draft").into());
                    }
                    json!({ "restored": manual })
                }
            };
            let marks = serde_json::to_string(&v.marks).map_err(|_| corrupt("marks"))?;
            let manual = serde_json::to_string(&v.manual).map_err(|_| corrupt("manual"))?;
            bundles::save_review(tx, id, row.version, &marks, &manual).await?;
            let row = bundles::draft(tx, id).await?;
            Ok((view(&row, &request.reference)?, Target::of("bundle_draft", id, Some(request.person_id)), Some(event)))
        })
        .await
    }

    /// Releases a draft: its reviewed contents are fixed with their SHA-256
    /// (DPO only; audited). The request must still be open.
    pub async fn release_bundle(&self, actor: &Actor, id: Id, version: i64) -> Result<BundleDraft> {
        self.guarded(actor, Action::Export, Compartment::Rights, Target::of("bundle_draft", id, None), async |tx: &mut Tx| {
            let (row, request) = self.draft_and_request(tx, id).await?;
            if row.status != "draft" || row.version != version || !request.is_open() {
                return Err(GateError::Conflict);
            }
            let v = view(&row, &request.reference)?;
            let mut released = apply_review(&parse_bundle(&row.content)?, &v.marks, &v.manual);
            released.generated_at = Timestamp::now().to_string();
            let content = serde_json::to_string(&released).map_err(|_| corrupt("content"))?;
            let sha = hex(&Sha256::digest(content.as_bytes()));
            bundles::release(tx, id, version, &content, &sha, actor.user_id, Timestamp::now()).await?;
            let row = bundles::draft(tx, id).await?;
            let reversed = v.marks.iter().filter(|m| m.automatic && !m.redact).count();
            let added = v.marks.iter().filter(|m| !m.automatic && m.redact).count();
            let detail =
                json!({ "released": id, "sha256": sha, "reversed": reversed, "uncertain_redacted": added, "manual": v.manual.len() });
            Ok((view(&row, &request.reference)?, Target::of("bundle_draft", id, Some(request.person_id)), Some(detail)))
        })
        .await
    }

    /// The latest released bundle of an access request, exactly as released
    /// (DPO only; audited as an export). 409 until one is released.
    pub async fn access_bundle(&self, actor: &Actor, request_id: Id) -> Result<AccessBundle> {
        let target = Target::of("rights_request", request_id, None);
        self.guarded(actor, Action::Export, Compartment::Rights, target, async |tx: &mut Tx| {
            let request = rights::request(tx, request_id).await?;
            if request.kind != RightsRequestKind::Access {
                check_request(&request, RightsRequestKind::Access)?;
            }
            let Some(row) = bundles::drafts_of(tx, request_id).await?.into_iter().find(|r| r.status == "released") else {
                if request.identity_status != IdentityStatus::Passed {
                    check_request(&request, RightsRequestKind::Access)?;
                }
                return Err(FieldError::new(
                    "bundle",
                    "No bundle has been released for this request yet: generate a draft, review it and release it",
                )
                .into());
            };
            let b = parse_bundle(row.released_content.as_deref().unwrap_or_default())?;
            let detail = json!({ "exported": "access_bundle", "release": row.id, "sha256": row.released_sha256 });
            Ok((b, Target::of("rights_request", request_id, Some(request.person_id)), Some(detail)))
        })
        .await
    }
}

/// A list of drafts handed out through the gate.
pub struct Wrapped(pub Vec<BundleDraft>);
hearth_domain::assembled_in_the_gate!(Wrapped);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The release to record as sent when an access request is completed: the latest.
pub(crate) async fn latest_release(tx: &mut Tx, request_id: Id) -> Result<Option<(Id, String)>> {
    let row = bundles::drafts_of(tx, request_id).await?.into_iter().find(|r| r.status == "released");
    Ok(row.map(|r| (r.id, r.released_sha256.unwrap_or_default())))
}

/// Records the day a release was sent.
pub(crate) async fn mark_sent(tx: &mut Tx, release: Id, on: &str) -> Result<()> {
    Ok(bundles::mark_sent(tx, release, on).await?)
}
