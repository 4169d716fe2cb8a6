//! Gate operations on equality monitoring (seed 002): front-line staff
//! record a person's answers write-only (the reply says "recorded" and
//! echoes nothing), and equality analysts read a coverage aggregate under
//! statistical disclosure control. No operation returns one person's answers.
//!
//! Owns the sealing of answers: they are serialised and sealed with
//! ChaCha20-Poly1305 under the operator's key (bound to the person's id, so a
//! sealed row cannot be moved to someone else) before the store sees them.
//! Without a key, capture and reports are refused: nothing is ever kept in
//! plain text.

use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    edi::{
        protect_row, service_equity, AnswerStatus, Cell, Characteristic, DisclosureControl, EdiAnswers, EdiRecord, EdiSource, EquityTable,
        Measure, OutcomeMeasure,
    },
    Id,
};
use hearth_store::Tx;
use jiff::civil::Date;
use jiff::Timestamp;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

/// The operator's 256-bit key for sealing equality answers.
#[derive(Clone)]
pub struct EdiKey(Arc<LessSafeKey>);

impl std::fmt::Debug for EdiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EdiKey(..)")
    }
}

/// Why a key could not be used.
#[derive(Debug, thiserror::Error)]
#[error("the equality-monitoring key must be 64 hexadecimal characters (32 bytes)")]
pub struct EdiKeyError;

const SEAL_VERSION: &str = "v1";

impl EdiKey {
    /// A key from 64 hex characters (surrounding whitespace ignored, so a key file may end in a newline).
    pub fn from_hex(text: &str) -> Result<EdiKey, EdiKeyError> {
        let bytes = hex::decode(text.trim()).map_err(|_| EdiKeyError)?;
        EdiKey::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<EdiKey, EdiKeyError> {
        let key = UnboundKey::new(&CHACHA20_POLY1305, bytes).map_err(|_| EdiKeyError)?;
        Ok(EdiKey(Arc::new(LessSafeKey::new(key))))
    }

    fn aad(person_id: Id) -> String {
        format!("hearth/edi_record/{SEAL_VERSION}/person/{person_id}")
    }

    /// Seals `plain` for `person_id` as `v1:<hex nonce>:<hex ciphertext and tag>`.
    pub fn seal(&self, person_id: Id, plain: &[u8]) -> Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| GateError::EdiDisabled("no randomness for sealing".into()))?;
        let mut buf = plain.to_vec();
        self.0
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(Self::aad(person_id).as_bytes()), &mut buf)
            .map_err(|_| GateError::EdiDisabled("sealing failed".into()))?;
        Ok(format!("{SEAL_VERSION}:{}:{}", hex::encode(nonce), hex::encode(buf)))
    }

    /// Opens what [`EdiKey::seal`] sealed for the same person with the same key.
    pub fn open(&self, person_id: Id, sealed: &str) -> Result<Vec<u8>> {
        let unreadable = || GateError::EdiDisabled("a stored equality record cannot be opened with the configured key".into());
        let mut parts = sealed.splitn(3, ':');
        let (Some(SEAL_VERSION), Some(nonce), Some(body)) = (parts.next(), parts.next(), parts.next()) else { return Err(unreadable()) };
        let nonce: [u8; NONCE_LEN] = hex::decode(nonce).ok().and_then(|n| n.try_into().ok()).ok_or_else(unreadable)?;
        let mut buf = hex::decode(body).map_err(|_| unreadable())?;
        let plain = self
            .0
            .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(Self::aad(person_id).as_bytes()), &mut buf)
            .map_err(|_| unreadable())?;
        Ok(plain.to_vec())
    }
}

/// The stored form of one capture: the answers with the age band on the
/// day recorded, serialised and sealed for the person. Capture through the
/// API and bulk import both seal through here.
pub(crate) fn seal_capture(key: &EdiKey, person_id: Id, answers: &EdiAnswers, dob: Option<Date>, recorded_on: Date) -> Result<String> {
    let record = EdiRecord::new(answers.clone(), dob, recorded_on);
    let plain = serde_json::to_vec(&record).map_err(|e| GateError::EdiDisabled(e.to_string()))?;
    key.seal(person_id, &plain)
}

/// The message given wherever capture is refused for want of a key.
pub const EDI_DISABLED: &str =
    "Equality monitoring is switched off: no encryption key is configured (hearth serve --edi-key-file or HEARTH_EDI_KEY). Nothing was recorded.";

/// One capture of a person's answers.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EdiInput {
    pub source: EdiSource,
    /// The day the person gave the answers; today when omitted.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub recorded_on: Option<Date>,
    #[serde(default)]
    pub answers: EdiAnswers,
}

/// The whole reply to a capture: it confirms, and repeats nothing back.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EdiReceipt {
    pub person_id: Id,
    /// Always `recorded`.
    pub status: &'static str,
}

/// One characteristic's row of the coverage report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageRow {
    pub characteristic: Characteristic,
    pub label: &'static str,
    pub recorded: Cell,
    pub prefer_not_to_say: Cell,
    pub not_asked: Cell,
    pub total: Cell,
}

/// How completely each characteristic is recorded, across everyone with a
/// capture, after disclosure control.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EdiCoverage {
    pub rows: Vec<CoverageRow>,
    pub disclosure_control: DisclosureControl,
}

/// Counts statuses per characteristic and protects each row.
pub fn coverage(records: &[EdiRecord], sdc: &DisclosureControl) -> EdiCoverage {
    let rows = Characteristic::ALL
        .iter()
        .map(|&c| {
            let mut counts = [0u64; 3];
            for r in records {
                if let Some((_, st)) = r.statuses().into_iter().find(|(k, _)| *k == c) {
                    counts[match st {
                        AnswerStatus::Recorded => 0,
                        AnswerStatus::PreferNotToSay => 1,
                        AnswerStatus::NotAsked => 2,
                    }] += 1;
                }
            }
            let p = protect_row(sdc, &counts);
            CoverageRow {
                characteristic: c,
                label: c.label(),
                recorded: p.cells[0],
                prefer_not_to_say: p.cells[1],
                not_asked: p.cells[2],
                total: p.total,
            }
        })
        .collect();
    EdiCoverage { rows, disclosure_control: *sdc }
}

/// The service-equity report: for each characteristic, group sizes and
/// outcome measures after disclosure control.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceEquity {
    pub tables: Vec<EquityTable>,
    pub disclosure_control: DisclosureControl,
}

// A receipt says only whether answers were stored; the reports are counts
// after disclosure control.
hearth_domain::holds_no_personal_data!(EdiReceipt, EdiCoverage, ServiceEquity);

/// How a published count reads in a table or CSV: suppressed counts are `[c]`.
pub fn cell_text(c: Cell) -> String {
    match c {
        Cell::Shown(n) => n.to_string(),
        Cell::Suppressed => "[c]".into(),
    }
}

/// How a published measure reads: suppressed `[c]`, nothing to measure empty.
pub fn measure_text(m: Measure) -> String {
    match m {
        Measure::Shown(x) => format!("{x:.1}"),
        Measure::Suppressed => "[c]".into(),
        Measure::NoData => String::new(),
    }
}

impl EdiCoverage {
    /// The table as CSV, as published: suppressed counts are `[c]`.
    pub fn to_csv(&self) -> String {
        let mut out = crate::retention::csv_line(&["characteristic", "recorded", "prefer_not_to_say", "not_asked", "total"]);
        for r in &self.rows {
            out.push_str(&crate::retention::csv_line(&[
                r.label.to_string(),
                cell_text(r.recorded),
                cell_text(r.prefer_not_to_say),
                cell_text(r.not_asked),
                cell_text(r.total),
            ]));
        }
        out
    }
}

impl ServiceEquity {
    /// Every characteristic's table as one CSV, as published.
    pub fn to_csv(&self) -> String {
        let mut head = vec!["characteristic".to_string(), "group".to_string(), "people".to_string()];
        head.extend(OutcomeMeasure::ALL.iter().map(|m| m.as_str().to_string()));
        let mut out = crate::retention::csv_line(&head);
        for t in &self.tables {
            for g in &t.groups {
                let mut line = vec![t.label.clone(), g.label.clone(), cell_text(g.people)];
                line.extend(g.measures.list().iter().map(|(_, m)| measure_text(*m)));
                out.push_str(&crate::retention::csv_line(&line));
            }
            let mut line = vec![t.label.clone(), "All people".to_string(), cell_text(t.total)];
            line.extend(OutcomeMeasure::ALL.iter().map(|_| String::new()));
            out.push_str(&crate::retention::csv_line(&line));
        }
        out
    }
}

impl Gate {
    /// Whether equality capture is switched on (a key is configured).
    pub fn edi_enabled(&self) -> bool {
        self.edi_key.is_some()
    }

    pub(crate) fn edi_key(&self) -> Result<&EdiKey> {
        self.edi_key.as_ref().ok_or_else(|| GateError::EdiDisabled(EDI_DISABLED.into()))
    }

    /// Records a person's answers, write-only: the receipt echoes nothing.
    pub async fn record_edi(&self, actor: &Actor, person_id: Id, input: &EdiInput) -> Result<EdiReceipt> {
        let target = Target::of("edi_record", person_id, Some(person_id));
        self.guarded(actor, Action::Create, Compartment::Edi, target, async |tx: &mut Tx| {
            let key = self.edi_key()?;
            let person = crate::person_of(tx, person_id).await?;
            let today = Gate::today();
            let recorded_on = input.recorded_on.unwrap_or(today);
            if recorded_on > today {
                return Err(hearth_domain::error::FieldError::new("recorded_on", "The date recorded must not be in the future").into());
            }
            input.answers.validate(recorded_on)?;
            let sealed = seal_capture(key, person_id, &input.answers, person.date_of_birth, recorded_on)?;
            let id = hearth_store::edi::insert(tx, person_id, &sealed, input.source.as_str(), recorded_on, actor.user_id, Timestamp::now())
                .await?;
            // The audit detail says a capture happened, never what it holds.
            let detail = json!({ "source": input.source.as_str(), "recorded_on": recorded_on.to_string() });
            Ok((EdiReceipt { person_id, status: "recorded" }, Target::of("edi_record", id, Some(person_id)), Some(detail)))
        })
        .await
    }

    /// The coverage report: counts only, after disclosure control.
    pub async fn edi_coverage(&self, actor: &Actor) -> Result<EdiCoverage> {
        let target = Target::collection("edi_coverage");
        self.guarded(actor, Action::List, Compartment::Edi, target, async |tx: &mut Tx| {
            let records: Vec<EdiRecord> = self.latest_records(tx).await?.into_iter().map(|(_, r)| r).collect();
            Ok((coverage(&records, &self.disclosure_control), target, None))
        })
        .await
    }

    /// One person's captures, opened, for their own subject access bundle
    /// (inside the bundle's transaction, which the DPO's export decided).
    /// `None` when captures exist but no key is configured to open them.
    pub(crate) async fn edi_of_person(&self, tx: &mut Tx, person_id: Id) -> Result<Option<Vec<serde_json::Value>>> {
        let rows = hearth_store::edi::for_person(tx, person_id).await?;
        if rows.is_empty() {
            return Ok(Some(vec![]));
        }
        let Some(key) = self.edi_key.as_ref() else { return Ok(None) };
        let mut out = Vec::with_capacity(rows.len());
        for (source, recorded_on, row) in rows {
            let plain = key.open(row.person_id, &row.sealed)?;
            let answers: serde_json::Value = serde_json::from_slice(&plain).map_err(|e| GateError::EdiDisabled(e.to_string()))?;
            out.push(json!({ "source": source, "recorded_on": recorded_on, "answers": answers }));
        }
        Ok(Some(out))
    }

    /// Opens every person's latest capture (inside the caller's transaction).
    async fn latest_records(&self, tx: &mut Tx) -> Result<Vec<(Id, EdiRecord)>> {
        let key = self.edi_key()?;
        let mut records = Vec::new();
        for row in hearth_store::edi::latest_per_person(tx).await? {
            let plain = key.open(row.person_id, &row.sealed)?;
            records.push((row.person_id, serde_json::from_slice::<EdiRecord>(&plain).map_err(|e| GateError::EdiDisabled(e.to_string()))?));
        }
        Ok(records)
    }

    /// The service-equity report (equality analysts): answers are opened and
    /// joined to each person's service outcomes here, and only the protected
    /// aggregate leaves.
    pub async fn edi_equity(&self, actor: &Actor) -> Result<ServiceEquity> {
        let target = Target::collection("edi_equity");
        self.guarded(actor, Action::List, Compartment::Edi, target, async |tx: &mut Tx| {
            let records = self.latest_records(tx).await?;
            let mut outcomes = hearth_store::edi::outcomes(tx).await?;
            let joined: Vec<_> = records.into_iter().map(|(id, r)| (r, outcomes.remove(&id).unwrap_or_default())).collect();
            let report =
                ServiceEquity { tables: service_equity(&joined, &self.disclosure_control), disclosure_control: self.disclosure_control };
            Ok((report, target, None))
        })
        .await
    }

    /// Re-seals every stored capture from `old` to `new` in one transaction
    /// (the DPO, from the command line). Any capture `old` cannot open stops
    /// the rotation and nothing changes. Returns how many were re-sealed.
    pub async fn rotate_edi_key(&self, actor: &Actor, old: &EdiKey, new: &EdiKey) -> Result<u64> {
        let target = Target::collection("edi_key");
        self.guarded(actor, Action::Edit, Compartment::Edi, target, async |tx: &mut Tx| {
            let rows = hearth_store::edi::all_sealed(tx).await?;
            for (id, row) in &rows {
                let plain = old.open(row.person_id, &row.sealed).map_err(|_| {
                    GateError::EdiDisabled(format!("equality record {id} cannot be opened with the old key: nothing was re-sealed"))
                })?;
                hearth_store::edi::reseal(tx, *id, &new.seal(row.person_id, &plain)?).await?;
            }
            let n = rows.len() as u64;
            Ok((n, target, Some(json!({ "resealed": n }))))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> EdiKey {
        EdiKey::from_hex(&"ab".repeat(32)).unwrap()
    }

    #[test]
    fn sealing_round_trips_and_hides_the_text() {
        let sealed = key().seal(7, b"Invented-Zorblax-faith").unwrap();
        assert!(sealed.starts_with("v1:") && !sealed.contains("Zorblax"));
        assert_eq!(key().open(7, &sealed).unwrap(), b"Invented-Zorblax-faith");
        assert_ne!(sealed, key().seal(7, b"Invented-Zorblax-faith").unwrap(), "fresh nonce each time");
    }

    #[test]
    fn a_sealed_row_opens_only_for_its_person_and_key() {
        let sealed = key().seal(7, b"x").unwrap();
        assert!(key().open(8, &sealed).is_err());
        assert!(EdiKey::from_hex(&"cd".repeat(32)).unwrap().open(7, &sealed).is_err());
        assert!(key().open(7, "v1:00:zz").is_err());
    }

    #[test]
    fn keys_must_be_32_bytes_of_hex() {
        assert!(EdiKey::from_hex("abcd").is_err());
        assert!(EdiKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(EdiKey::from_hex(&format!("{}\n", "01".repeat(32))).is_ok());
    }
}
