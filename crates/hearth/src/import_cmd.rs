//! `hearth import`: loads people, tenancies, contacts, needs, warning flags
//! and equality answers from a legacy system's CSV export
//! (docs/import-format.md) through the gate. Every row is
//! validated; a bad row is reported with its line number and the field at
//! fault and skipped, and the good rows around it still load. Good rows go
//! in batches, each one transaction with one audit event naming the import;
//! if the database refuses any row of a batch the whole batch rolls back
//! and is reported, and the import carries on with the next batch.
//!
//! Rows refer to people by the export's own `person_ref`, so the files are
//! imported together, in one run: people first, then tenancies, contacts,
//! needs, warning flags and equality answers. Equality answers are sealed
//! under the operator's key; without one the run is refused before anything
//! is imported.

use crate::generate;
use anyhow::{bail, Context, Result};
use hearth_domain::import::TenancyImport;
use hearth_domain::import::{
    self as rows, About, CONTACT_HEADER, EQUALITY_HEADER, FLAGS_HEADER, NEEDS_HEADER, PEOPLE_HEADER, TENANCY_HEADER,
};
use hearth_domain::{
    error::ValidationErrors,
    people::PersonKind,
    property::{HouseholdRole, MembershipInput},
    Id,
};
use hearth_gate::import::{BatchInfo, ImportRows};
use hearth_gate::{Actor, Gate};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Rows per batch unless told otherwise.
pub const DEFAULT_BATCH: usize = 5000;

/// What to import.
#[derive(Debug, Clone, Default)]
pub struct ImportFiles {
    pub people: Option<PathBuf>,
    pub tenancies: Option<PathBuf>,
    pub contacts: Option<PathBuf>,
    pub needs: Option<PathBuf>,
    pub flags: Option<PathBuf>,
    pub equality: Option<PathBuf>,
}

impl ImportFiles {
    /// The files of a folder: people, tenancies and contacts always (a
    /// missing one is an error when it is opened), needs, flags and
    /// equality answers when the folder has them.
    pub fn in_dir(dir: &Path) -> ImportFiles {
        let [people, tenancies, contacts] = generate::files(dir);
        let [needs, flags, equality] = generate::extra_files(dir).map(|p| p.exists().then_some(p));
        ImportFiles { people: Some(people), tenancies: Some(tenancies), contacts: Some(contacts), needs, flags, equality }
    }

    pub fn is_empty(&self) -> bool {
        [&self.people, &self.tenancies, &self.contacts, &self.needs, &self.flags, &self.equality].iter().all(|f| f.is_none())
    }
}

/// Why a run with equality answers and no key is refused, before anything is imported.
pub fn no_edi_key(equality: &Path) -> String {
    format!(
        "{}: equality answers are sealed under the operator's key and none is configured: pass --edi-key-file FILE or set \
         HEARTH_EDI_KEY (or leave the equality file out). Nothing was imported.",
        equality.display()
    )
}

/// One row that was not imported, and why.
#[derive(Debug, Clone)]
pub struct BadRow {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// How one file went.
#[derive(Debug, Clone, Default)]
pub struct FileSummary {
    pub file: String,
    pub rows: u64,
    pub imported: u64,
    pub bad: u64,
    /// Good rows lost because the database refused their batch.
    pub rolled_back: u64,
    pub batches: u64,
    pub elapsed: Duration,
}

impl FileSummary {
    pub fn rows_per_second(&self) -> f64 {
        self.imported as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The whole run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub files: Vec<FileSummary>,
    pub bad_rows: Vec<BadRow>,
}

impl Report {
    pub fn all_imported(&self) -> bool {
        self.files.iter().all(|f| f.bad == 0 && f.rolled_back == 0)
    }
}

fn reason(e: &ValidationErrors) -> String {
    e.0.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
}

/// The people imported in this run: reference → id and kind.
type People = HashMap<String, (Id, PersonKind)>;

/// Reads a file line by line, checks its header, and hands each numbered
/// line to `row`; shows progress by bytes read.
struct Lines {
    reader: BufReader<std::fs::File>,
    line: usize,
    bar: ProgressBar,
    buf: Vec<u8>,
}

impl Lines {
    fn open(path: &Path, header: &[&str], progress: bool) -> Result<Lines> {
        let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let bar = if progress { ProgressBar::new(len) } else { ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden()) };
        bar.set_style(
            ProgressStyle::with_template("{msg:>14} {bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}")
                .expect("static template"),
        );
        bar.set_message(path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        let mut lines = Lines { reader: BufReader::with_capacity(1 << 20, file), line: 0, bar, buf: vec![] };
        match lines.next()? {
            Some((_, Ok(first))) => rows::check_header(&first, header).map_err(|e| anyhow::anyhow!("{}: line 1: {e}", path.display()))?,
            Some((_, Err(_))) => bail!("{}: line 1 is not UTF-8 text", path.display()),
            None => bail!("{}: the file is empty; the first line must be the header: {}", path.display(), header.join(",")),
        }
        Ok(lines)
    }

    /// The next line and its number; a line that is not UTF-8 is an `Err`.
    fn next(&mut self) -> Result<Option<(usize, Result<String, ()>)>> {
        loop {
            self.buf.clear();
            let n = self.reader.read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            self.bar.inc(n as u64);
            let text = String::from_utf8(std::mem::take(&mut self.buf)).map_err(|_| ());
            // Blank lines (a trailing one, say) are not rows.
            if text.as_deref().is_ok_and(|t| t.trim().is_empty()) {
                continue;
            }
            return Ok(Some((self.line, text)));
        }
    }
}

/// Collects good rows with their line numbers and stores them a batch at a time.
struct Batcher<'a, T> {
    gate: &'a Gate,
    actor: &'a Actor,
    name: &'a str,
    file: String,
    pending: Vec<(usize, T)>,
    summary: FileSummary,
}

impl<'a, T> Batcher<'a, T> {
    fn new(gate: &'a Gate, actor: &'a Actor, name: &'a str, path: &Path) -> Self {
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Batcher { gate, actor, name, file: file.clone(), pending: vec![], summary: FileSummary { file, ..Default::default() } }
    }

    /// Records a bad row and prints it (on standard error, above any progress bar).
    fn bad(&mut self, report: &mut Report, bar: &ProgressBar, line: usize, reason: String) {
        self.summary.bad += 1;
        let row = BadRow { file: self.file.clone(), line, reason };
        bar.suspend(|| eprintln!("{} line {}: {}", row.file, row.line, row.reason));
        report.bad_rows.push(row);
    }

    /// Stores the pending rows; returns (line, id) of each stored row.
    async fn flush(&mut self, report: &mut Report, bar: &ProgressBar, wrap: impl Fn(&[T]) -> ImportRows<'_>) -> Result<Vec<(usize, Id)>> {
        if self.pending.is_empty() {
            return Ok(vec![]);
        }
        let batch = std::mem::take(&mut self.pending);
        let (lines, items): (Vec<usize>, Vec<T>) = batch.into_iter().unzip();
        let info = BatchInfo { import: self.name, file: &self.file, first_line: lines[0], last_line: *lines.last().expect("not empty") };
        self.summary.batches += 1;
        match self.gate.import_batch(self.actor, info, wrap(&items)).await {
            Ok(ids) => {
                self.summary.imported += ids.len() as u64;
                Ok(lines.into_iter().zip(ids).collect())
            }
            Err(f) => {
                // The operator chose the file: naming what they may not import reveals nothing.
                if let hearth_gate::GateError::Denied { compartment, .. } = f.error {
                    bail!("{} ({} records)", f.error, compartment.as_str());
                }
                self.summary.rolled_back += items.len() as u64;
                let at = f.row.map(|i| format!(" (line {})", lines[i])).unwrap_or_default();
                let reason = format!("batch of lines {}-{} rolled back{at}: {}", info.first_line, info.last_line, f.error);
                bar.suspend(|| eprintln!("{} lines {}-{}: {reason}", self.file, info.first_line, info.last_line));
                for line in lines {
                    report.bad_rows.push(BadRow { file: self.file.clone(), line, reason: reason.clone() });
                }
                Ok(vec![])
            }
        }
    }
}

fn people_rows(r: &[hearth_domain::people::PersonFields]) -> ImportRows<'_> {
    ImportRows::People(r)
}

fn tenancy_rows(r: &[TenancyImport]) -> ImportRows<'_> {
    ImportRows::Tenancies(r)
}

fn contact_rows(r: &[hearth_domain::contacts::ContactFields]) -> ImportRows<'_> {
    ImportRows::Contacts(r)
}

/// Imports the files, people first. `show` draws progress bars; bad rows are always printed.
pub async fn import(gate: &Gate, actor: &Actor, name: &str, files: &ImportFiles, batch: usize, show: bool) -> Result<Report> {
    if batch == 0 {
        bail!("--batch must be at least 1");
    }
    if let Some(path) = files.equality.as_deref().filter(|_| !gate.edi_enabled()) {
        bail!("{}", no_edi_key(path));
    }
    let mut report = Report::default();
    let mut people: People = HashMap::new();
    if let Some(path) = &files.people {
        import_people(gate, actor, name, path, batch, show, &mut people, &mut report).await?;
    }
    if let Some(path) = &files.tenancies {
        import_tenancies(gate, actor, name, path, batch, show, &people, &mut report).await?;
    }
    let people = Arc::new(people);
    if let Some(path) = &files.contacts {
        import_contacts(gate, actor, name, path, batch, show, people.clone(), &mut report).await?;
    }
    let today = Gate::today();
    let periods = gate.review_periods();
    let resolve = |r: &str| people.get(r).copied();
    let b = Batch { gate, actor, name, size: batch, show };
    if let Some(path) = &files.needs {
        let parse = |t: &str| rows::need_row(t, today, periods, resolve);
        b.about(path, NEEDS_HEADER, parse, |r| ImportRows::Needs(r), &mut report).await?;
    }
    if let Some(path) = &files.flags {
        let parse = |t: &str| rows::flag_row(t, today, periods, resolve);
        b.about(path, FLAGS_HEADER, parse, |r| ImportRows::WarningFlags(r), &mut report).await?;
    }
    if let Some(path) = &files.equality {
        let parse = |t: &str| rows::equality_row(t, today, resolve);
        b.about(path, EQUALITY_HEADER, parse, |r| ImportRows::Equality(r), &mut report).await?;
    }
    // A bulk load leaves the planner's statistics far behind the tables (docs/performance.md).
    gate.refresh_statistics().await.context("refreshing the planner's statistics after the import")?;
    Ok(report)
}

/// What every file's import shares.
struct Batch<'a> {
    gate: &'a Gate,
    actor: &'a Actor,
    name: &'a str,
    size: usize,
    show: bool,
}

impl Batch<'_> {
    /// Imports a file of records about people imported earlier in the run
    /// (needs, warning flags, equality answers), a batch at a time.
    async fn about<T>(
        &self,
        path: &Path,
        header: &[&str],
        parse: impl Fn(&str) -> Result<About<T>, ValidationErrors>,
        wrap: impl Fn(&[About<T>]) -> ImportRows<'_>,
        report: &mut Report,
    ) -> Result<()> {
        let started = Instant::now();
        let mut lines = Lines::open(path, header, self.show)?;
        let mut b = Batcher::new(self.gate, self.actor, self.name, path);
        loop {
            let next = lines.next()?;
            let done = next.is_none();
            if let Some((line, text)) = next {
                b.summary.rows += 1;
                match text.map_err(|_| "line: the line is not UTF-8 text".to_string()).and_then(|t| parse(&t).map_err(|e| reason(&e))) {
                    Err(r) => b.bad(report, &lines.bar, line, r),
                    Ok(row) => b.pending.push((line, row)),
                }
            }
            if b.pending.len() >= self.size || (done && !b.pending.is_empty()) {
                b.flush(report, &lines.bar, &wrap).await?;
            }
            if done {
                break;
            }
        }
        lines.bar.finish_and_clear();
        b.summary.elapsed = started.elapsed();
        report.files.push(b.summary);
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
async fn import_people(
    gate: &Gate,
    actor: &Actor,
    name: &str,
    path: &Path,
    size: usize,
    show: bool,
    people: &mut People,
    report: &mut Report,
) -> Result<()> {
    let started = Instant::now();
    let today = Gate::today();
    let mut lines = Lines::open(path, PEOPLE_HEADER, show)?;
    let mut b = Batcher::new(gate, actor, name, path);
    // References in the batch being filled, so a repeat is caught before the database.
    let mut pending_refs: HashMap<String, usize> = HashMap::new();
    let mut refs: Vec<String> = vec![];
    loop {
        let next = lines.next()?;
        let done = next.is_none();
        if let Some((line, text)) = next {
            b.summary.rows += 1;
            match text
                .map_err(|_| "line: the line is not UTF-8 text".to_string())
                .and_then(|t| rows::person_row(&t, today).map_err(|e| reason(&e)))
            {
                Err(r) => b.bad(report, &lines.bar, line, r),
                Ok(row) => {
                    if let Some(first) = pending_refs.get(&row.person_ref) {
                        b.bad(report, &lines.bar, line, format!("person_ref: {} is already used on line {first}", row.person_ref));
                    } else if people.contains_key(&row.person_ref) {
                        b.bad(report, &lines.bar, line, format!("person_ref: {} has already been imported", row.person_ref));
                    } else {
                        pending_refs.insert(row.person_ref.clone(), line);
                        refs.push(row.person_ref);
                        b.pending.push((line, row.fields));
                    }
                }
            }
        }
        if b.pending.len() >= size || (done && !b.pending.is_empty()) {
            let kinds: Vec<PersonKind> = b.pending.iter().map(|(_, f)| f.kind).collect();
            let stored = b.flush(report, &lines.bar, people_rows).await?;
            if !stored.is_empty() {
                for ((r, kind), (_, id)) in refs.drain(..).zip(kinds).zip(stored) {
                    people.insert(r, (id, kind));
                }
            }
            refs.clear();
            pending_refs.clear();
        }
        if done {
            break;
        }
    }
    lines.bar.finish_and_clear();
    b.summary.elapsed = started.elapsed();
    report.files.push(b.summary);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn import_tenancies(
    gate: &Gate,
    actor: &Actor,
    name: &str,
    path: &Path,
    size: usize,
    show: bool,
    people: &People,
    report: &mut Report,
) -> Result<()> {
    let started = Instant::now();
    let mut lines = Lines::open(path, TENANCY_HEADER, show)?;
    let mut b = Batcher::new(gate, actor, name, path);
    let mut seen: HashMap<String, usize> = HashMap::new();
    loop {
        let next = lines.next()?;
        let done = next.is_none();
        if let Some((line, text)) = next {
            b.summary.rows += 1;
            let parsed = text
                .map_err(|_| "line: the line is not UTF-8 text".to_string())
                .and_then(|t| rows::tenancy_row(&t).map_err(|e| reason(&e)))
                .and_then(|row| tenancy_import(row, people));
            match parsed {
                Err(r) => b.bad(report, &lines.bar, line, r),
                Ok(t) => {
                    if let Some(first) = seen.get(&t.tenancy.reference) {
                        b.bad(report, &lines.bar, line, format!("tenancy_ref: {} is already used on line {first}", t.tenancy.reference));
                    } else {
                        seen.insert(t.tenancy.reference.clone(), line);
                        b.pending.push((line, t));
                    }
                }
            }
        }
        if b.pending.len() >= size || (done && !b.pending.is_empty()) {
            b.flush(report, &lines.bar, tenancy_rows).await?;
        }
        if done {
            break;
        }
    }
    lines.bar.finish_and_clear();
    b.summary.elapsed = started.elapsed();
    report.files.push(b.summary);
    Ok(())
}

/// Resolves a tenancy row's people into household memberships.
fn tenancy_import(row: rows::TenancyRow, people: &People) -> Result<TenancyImport, String> {
    let mut members = vec![];
    let mut errors = vec![];
    let start = Some(row.tenancy.start_date.to_string());
    let end = row.tenancy.end_date.map(|d| d.to_string());
    for (field, list) in [("tenants", &row.tenants), ("members", &row.members)] {
        for (i, r) in list.iter().enumerate() {
            let Some((id, kind)) = people.get(r) else {
                errors.push(format!("{field}: No person with reference {r} has been imported"));
                continue;
            };
            let role = match (field, i, kind) {
                ("tenants", 0, _) => HouseholdRole::Tenant,
                ("tenants", _, _) => HouseholdRole::JointTenant,
                (_, _, PersonKind::Child) => HouseholdRole::Child,
                _ => HouseholdRole::HouseholdMember,
            };
            let input = MembershipInput {
                person_id: Some(*id),
                role: Some(role.as_str().into()),
                start_date: start.clone(),
                end_date: end.clone(),
            };
            match input.validate(Some(*kind)) {
                Ok(m) => members.push(m),
                Err(e) => errors.push(format!("{field}: {r}: {}", reason(&e))),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("; "));
    }
    Ok(TenancyImport { property: row.property, tenancy: row.tenancy, members })
}

/// Rows the contacts parser hands over at a time: enough to make the
/// channel's cost negligible, few enough that the writer is never idle long.
const PARSED_CHUNK: usize = 1000;

/// One contacts line as parsed: its number and the entry or why it is bad.
type ParsedContact = (usize, Result<hearth_domain::contacts::ContactFields, String>);

/// Contacts are most of any export, so they are parsed and validated on a
/// thread of their own while the database writes the previous batch.
#[allow(clippy::too_many_arguments)]
async fn import_contacts(
    gate: &Gate,
    actor: &Actor,
    name: &str,
    path: &Path,
    size: usize,
    show: bool,
    people: Arc<People>,
    report: &mut Report,
) -> Result<()> {
    let started = Instant::now();
    let now = jiff::Timestamp::now();
    let mut lines = Lines::open(path, CONTACT_HEADER, show)?;
    let bar = lines.bar.clone();
    let mut b = Batcher::new(gate, actor, name, path);
    // Two batches in flight at most: the parser stays just ahead of the writer.
    let (send, mut parsed) = tokio::sync::mpsc::channel::<Vec<ParsedContact>>((2 * size).div_ceil(PARSED_CHUNK).max(2));
    let parser = std::thread::spawn(move || -> Result<()> {
        let resolve = |r: &str| people.get(r).copied();
        let mut chunk = Vec::with_capacity(PARSED_CHUNK);
        while let Some((line, text)) = lines.next()? {
            let row = text
                .map_err(|_| "line: the line is not UTF-8 text".to_string())
                .and_then(|t| rows::contact_row(&t, now, resolve).map_err(|e| reason(&e)));
            chunk.push((line, row));
            if chunk.len() == PARSED_CHUNK && send.blocking_send(std::mem::replace(&mut chunk, Vec::with_capacity(PARSED_CHUNK))).is_err() {
                // The writer stopped (it failed); its error is the one to report.
                return Ok(());
            }
        }
        if !chunk.is_empty() {
            let _ = send.blocking_send(chunk);
        }
        Ok(())
    });
    let written: Result<()> = async {
        while let Some(chunk) = parsed.recv().await {
            for (line, row) in chunk {
                b.summary.rows += 1;
                match row {
                    Err(r) => b.bad(report, &bar, line, r),
                    Ok(f) => b.pending.push((line, f)),
                }
                if b.pending.len() >= size {
                    b.flush(report, &bar, contact_rows).await?;
                }
            }
        }
        b.flush(report, &bar, contact_rows).await?;
        Ok(())
    }
    .await;
    // Dropping the receiver lets a parser blocked on a full channel finish.
    drop(parsed);
    let read = parser.join().map_err(|_| anyhow::anyhow!("the contacts parser panicked"))?;
    written?;
    read?;
    bar.finish_and_clear();
    b.summary.elapsed = started.elapsed();
    report.files.push(b.summary);
    Ok(())
}

/// Prints the summary table.
pub fn print_summary(report: &Report) {
    println!(
        "{:<16} {:>10} {:>10} {:>8} {:>12} {:>8} {:>9} {:>10}",
        "file", "rows", "imported", "bad", "rolled back", "batches", "seconds", "rows/s"
    );
    for f in &report.files {
        println!(
            "{:<16} {:>10} {:>10} {:>8} {:>12} {:>8} {:>9.1} {:>10.0}",
            f.file,
            f.rows,
            f.imported,
            f.bad,
            f.rolled_back,
            f.batches,
            f.elapsed.as_secs_f64(),
            f.rows_per_second()
        );
    }
    let not = report.bad_rows.len();
    if not == 0 {
        println!("Every row was imported.");
    } else {
        println!("{not} rows were not imported; each is listed above with its line number and reason.");
    }
}
