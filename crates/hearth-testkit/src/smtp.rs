//! A real SMTP server on loopback for the communications tests: `aiosmtpd`
//! (from PyPI) with its Maildir handler, started by the test and stopped
//! when dropped. Its Python comes from `HEARTH_TEST_PYTHON` (scripts/test
//! makes `target/test-venv`); without it the kit makes that venv itself,
//! once, under a lock. Anything missing fails the test loudly.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const AIOSMTPD: &str = "aiosmtpd==1.4.6";

/// A running SMTP server that keeps every message it receives.
pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn workspace_target() -> PathBuf {
    // CARGO_MANIFEST_DIR is crates/hearth-testkit.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target")
}

/// The venv's python, made on first use.
fn python() -> PathBuf {
    if let Ok(p) = std::env::var("HEARTH_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = workspace_target().join("test-venv");
    let py = venv.join("bin/python");
    let ready = venv.join(".aiosmtpd-ready");
    if ready.exists() {
        return py;
    }
    // One test process makes it; the others wait for the marker.
    let lock = workspace_target().join("test-venv.lock");
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&lock) {
        Ok(_) => {
            let ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success())
                && Command::new(venv.join("bin/pip"))
                    .args(["install", "--quiet", "--disable-pip-version-check", AIOSMTPD])
                    .status()
                    .is_ok_and(|s| s.success());
            let _ = std::fs::remove_file(&lock);
            assert!(ok, "could not make {} with {AIOSMTPD} (python3 -m venv, then pip install from PyPI)", venv.display());
            std::fs::write(&ready, AIOSMTPD).unwrap();
        }
        Err(_) => {
            let start = Instant::now();
            while !ready.exists() {
                assert!(start.elapsed() < Duration::from_secs(300), "waited 5 minutes for {} to be made", venv.display());
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    }
    py
}

impl SmtpSink {
    /// Starts aiosmtpd on a free loopback port, keeping messages in a Maildir.
    pub fn start() -> SmtpSink {
        let py = python();
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(&py)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("starting aiosmtpd with {}: {e}", py.display()));
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "aiosmtpd did not start listening on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        SmtpSink { port, dir, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, as sent on the wire, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = ["new", "cur"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self.dir.path().join("mail").join(d)).ok())
            .flatten()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files.iter().map(|p| quoted_printable(&std::fs::read_to_string(p).unwrap())).collect()
    }

    /// Waits up to 10 seconds for a message to `to` and returns it.
    pub fn wait_for(&self, to: &str) -> String {
        let start = Instant::now();
        loop {
            if let Some(m) = self.messages().into_iter().find(|m| m.lines().any(|l| l.starts_with("To:") && l.contains(to))) {
                return m;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "no email to {to} arrived; received: {:?}", self.messages());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The message with quoted-printable undone (soft line breaks joined, `=XX`
/// bytes decoded), so a test reads the words as sent. Base64 parts (a PDF)
/// are left as they are.
fn quoted_printable(m: &str) -> String {
    let joined = m.replace("=\r\n", "").replace("=\n", "");
    let b = joined.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'=' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
