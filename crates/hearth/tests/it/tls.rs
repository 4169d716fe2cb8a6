//! `hearth serve --tls-cert --tls-key` speaks HTTPS with rustls and tells
//! browsers to stay on it (HSTS); plain HTTP on that port gets nowhere.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Stops the server however the test ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/fixtures");

#[tokio::test]
async fn serve_with_a_certificate_speaks_https_with_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_hearth"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .arg("--tls-cert")
            .arg(format!("{FIXTURES}/test-cert.pem"))
            .arg("--tls-key")
            .arg(format!("{FIXTURES}/test-key.pem"))
            .env("HEARTH_DATABASE_URL", format!("sqlite://{}", dir.path().join("h.db").display()))
            .env("HEARTH_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base =
        line.split_whitespace().find(|w| w.starts_with("https://")).unwrap_or_else(|| panic!("no https URL in {line:?}")).to_string();
    let port = base.trim_end_matches('/').rsplit(':').next().unwrap().to_string();

    let cert = reqwest::Certificate::from_pem(&std::fs::read(format!("{FIXTURES}/test-ca.pem")).unwrap()).unwrap();
    let client = reqwest::Client::builder().add_root_certificate(cert).build().unwrap();
    let r = client.get(format!("https://localhost:{port}/api/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    let r = client.get(format!("https://localhost:{port}/login")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("strict-transport-security"));

    let plain = reqwest::Client::new().get(format!("http://127.0.0.1:{port}/api/v1/health")).send().await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success(), "plain HTTP must not be served on the TLS port");
}

#[test]
fn a_certificate_without_its_key_is_refused_at_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["serve", "--tls-cert", "/nonexistent.pem"])
        .env("HEARTH_DATABASE_URL", "sqlite::memory:")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
}
