//! A minimal ZIP writer for downloads that bundle a few generated files (the
//! subject access bundle's HTML and JSON). Entries are stored, not
//! compressed: the files are small, every unzip tool reads stored entries, and
//! it keeps a compression library out of the build.

/// CRC-32 as ZIP uses it (the ISO-HDLC polynomial).
const CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// Bit 11: file names are UTF-8.
const UTF8_NAMES: u16 = 1 << 11;

/// The DOS date and time a ZIP entry carries (local time is unknowable here,
/// so UTC, to the even second; years before 1980 clamp to 1980).
fn dos_time(t: jiff::Timestamp) -> (u16, u16) {
    let dt = jiff::tz::Offset::UTC.to_datetime(t);
    let year = (dt.year() as i32 - 1980).clamp(0, 127) as u16;
    let date = (year << 9) | ((dt.month() as u16) << 5) | dt.day() as u16;
    let time = ((dt.hour() as u16) << 11) | ((dt.minute() as u16) << 5) | (dt.second() as u16 / 2);
    (time, date)
}

/// Writes the entries, in order, as one ZIP archive. Names must be plain
/// relative paths; the caller makes them.
pub fn stored(entries: &[(&str, &[u8])], modified: jiff::Timestamp) -> Vec<u8> {
    let (time, date) = dos_time(modified);
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let crc = CRC32.checksum(data);
        let size = u32::try_from(data.len()).expect("bundle entries are far below 4 GiB");
        let offset = u32::try_from(out.len()).expect("bundles are far below 4 GiB");
        let name_len = u16::try_from(name.len()).expect("short entry names");
        // Local file header, then the bytes.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        for v in [20u16, UTF8_NAMES, 0, time, date] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // Its central directory record.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        for v in [20u16, 20, UTF8_NAMES, 0, time, date] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, size, size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = u32::try_from(out.len()).expect("bundles are far below 4 GiB");
    let central_size = u32::try_from(central.len()).expect("small directory");
    let count = u16::try_from(entries.len()).expect("few entries");
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_zip_check_value() {
        // The standard check value for CRC-32/ISO-HDLC.
        assert_eq!(CRC32.checksum(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn dos_time_packs_date_and_time() {
        let t: jiff::Timestamp = "2026-12-02T10:30:59Z".parse().unwrap();
        let (time, date) = dos_time(t);
        assert_eq!(date, (46 << 9) | (12 << 5) | 2);
        assert_eq!(time, (10 << 11) | (30 << 5) | 29);
    }

    #[test]
    fn the_archive_lists_every_entry_with_its_bytes() {
        let z = stored(&[("a.txt", b"hello"), ("b/c.json", b"{}")], jiff::Timestamp::UNIX_EPOCH);
        assert_eq!(&z[..4], b"PK\x03\x04");
        // End of central directory: two entries, directory right after the data.
        let eocd = &z[z.len() - 22..];
        assert_eq!(&eocd[..4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([eocd[10], eocd[11]]), 2);
        let dir_at = u32::from_le_bytes(eocd[16..20].try_into().unwrap()) as usize;
        assert_eq!(&z[dir_at..dir_at + 4], b"PK\x01\x02");
        assert_eq!(&z[30..35], b"a.txt");
        assert_eq!(&z[35..40], b"hello");
    }
}
