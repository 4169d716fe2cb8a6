//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30-second
//! steps): the optional second factor at sign-in. Pure functions; the
//! secret's storage and the sign-in rules are in `auth`.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

pub const STEP_SECS: i64 = 30;
const DIGITS: u32 = 6;
/// Steps either side of now that are accepted, for clock drift.
const DRIFT_STEPS: i64 = 1;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A new random 160-bit secret, base32 as authenticator apps expect.
pub fn new_secret() -> String {
    let mut b = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base32_encode(&b)
}

/// The code for a step, or `None` if the secret is not valid base32.
pub fn code_for_step(secret: &str, step: i64) -> Option<String> {
    let key = base32_decode(secret)?;
    let mut mac = Hmac::<Sha1>::new_from_slice(&key).ok()?;
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    Some(format!("{:0width$}", bin % 10u32.pow(DIGITS), width = DIGITS as usize))
}

/// The code at a moment (Unix seconds).
pub fn code_at(secret: &str, unix_secs: i64) -> Option<String> {
    code_for_step(secret, unix_secs.div_euclid(STEP_SECS))
}

/// If `code` is right for a step near `unix_secs` that is later than
/// `last_used_step`, that step; a code is never accepted twice.
pub fn accept(secret: &str, code: &str, unix_secs: i64, last_used_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = unix_secs.div_euclid(STEP_SECS);
    (now - DRIFT_STEPS..=now + DRIFT_STEPS)
        .filter(|s| last_used_step.is_none_or(|last| *s > last))
        .find(|s| code_for_step(secret, *s).is_some_and(|c| constant_time_eq(c.as_bytes(), code.as_bytes())))
}

/// The `otpauth://` URI an authenticator app can import.
pub fn otpauth_uri(secret: &str, username: &str) -> String {
    let label: String = username.chars().filter(|c| c.is_ascii_alphanumeric() || ".-_".contains(*c)).collect();
    format!("otpauth://totp/Hearth:{label}?secret={secret}&issuer=Hearth&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = vec![];
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = ALPHABET.iter().position(|a| *a as char == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows, last six digits.
    #[test]
    fn matches_the_rfc_6238_test_vectors() {
        let secret = base32_encode(b"12345678901234567890");
        for (t, code) in
            [(59, "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"), (1_234_567_890, "005924"), (2_000_000_000, "279037")]
        {
            assert_eq!(code_at(&secret, t).as_deref(), Some(code), "T={t}");
        }
    }

    #[test]
    fn base32_round_trips_and_refuses_other_characters() {
        let s = new_secret();
        assert_eq!(s.len(), 32);
        assert_eq!(base32_encode(&base32_decode(&s).unwrap()), s);
        assert!(base32_decode("not base32!").is_none());
    }

    #[test]
    fn a_code_is_accepted_within_one_step_and_never_twice() {
        let s = new_secret();
        let t = 1_800_000_000;
        let code = code_at(&s, t).unwrap();
        let step = accept(&s, &code, t + STEP_SECS, None).expect("one step of drift is fine");
        assert!(accept(&s, &code, t, Some(step)).is_none(), "replay refused");
        assert!(accept(&s, &code, t + 3 * STEP_SECS, None).is_none(), "too old");
        assert!(accept(&s, "12345", t, None).is_none() && accept(&s, "abcdef", t, None).is_none());
    }
}
