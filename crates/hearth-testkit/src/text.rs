//! Checks on text meant for a person.

/// The text of a PDF, as `pdftotext` (poppler-utils) extracts it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed for the PDF tests");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Fails if `text` (a response meant for a person) holds an ISO date or
/// timestamp, a snake_case code value, or an internal id or configuration
/// reference.
pub fn assert_readable(text: &str) {
    let b = text.as_bytes();
    for i in 0..b.len().saturating_sub(9) {
        let iso = b[i..i + 10].iter().enumerate().all(|(k, c)| if k == 4 || k == 7 { *c == b'-' } else { c.is_ascii_digit() });
        assert!(!iso, "an ISO date at {:?}", &text[i.saturating_sub(40)..(i + 40).min(text.len())]);
    }
    for word in text.split(|c: char| c.is_whitespace() || ",;:()“”\"'".contains(c)) {
        let snake = word.contains('_') && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        assert!(!snake, "a code value {word:?} in {text}");
    }
    for line in text.lines().map(str::trim) {
        let l = line.to_lowercase();
        assert!(l != "id" && !l.ends_with(" id") && l != "version" && !l.starts_with("version "), "an internal field {line:?}");
        assert!(!l.contains("seed 0") && !l.contains("config/") && !l.contains(".json"), "a configuration reference {line:?}");
    }
}
