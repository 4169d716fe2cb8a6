//! Uploaded files: sniffing any bytes never panics, and an upload that
//! validates is exactly the kind its bytes say, whatever name and type the
//! client declared.
#![no_main]

use hearth_domain::{DocumentKind, DocumentUpload};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First two bytes: lengths of the file name and declared type that follow.
    let (name_len, type_len) = match data {
        [a, b, ..] => (*a as usize % 40, *b as usize % 40),
        _ => return,
    };
    let rest = &data[2..];
    let (name, rest) = rest.split_at(name_len.min(rest.len()));
    let (declared, bytes) = rest.split_at(type_len.min(rest.len()));
    let sniffed = DocumentKind::sniff(bytes);
    let upload = DocumentUpload {
        compartment: Some("general".into()),
        file_name: Some(String::from_utf8_lossy(name).into_owned()),
        declared_type: Some(String::from_utf8_lossy(declared).into_owned()),
        bytes: bytes.to_vec(),
        ..Default::default()
    };
    match upload.validate(4096) {
        Ok(fields) => {
            assert_eq!(Some(fields.kind), sniffed, "accepted as what the bytes are");
            assert!(bytes.len() <= 4096);
        }
        Err(e) => assert!(e.0.iter().all(|f| !f.field.is_empty())),
    }
});
