//! The keys the customer search compares: names folded to plain lower-case
//! letters (so "Sian" finds "Siân"), a sound key for close spellings
//! ("Invently" finds "Inventley"), phone numbers as their national digits
//! (so "+44 7700 900123" finds "07700 900123") and email addresses in lower
//! case. The store keeps these beside the values they come from, updated by
//! every write and emptied with them by retention.

/// A letter with its accent taken off, or the letters a ligature stands for;
/// `None` for a character that is not a letter we fold.
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        'þ' => "th",
        _ => return None,
    })
}

/// A name (or one word of a search) as the search compares it: trimmed,
/// lower-case, accents taken off. Other characters (apostrophes, hyphens,
/// letters of other scripts) are kept as they are.
pub fn name_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars().flat_map(char::to_lowercase) {
        match fold_char(c) {
            Some(f) => out.push_str(f),
            None => out.push(c),
        }
    }
    out
}

/// The sound of a name, for close spellings: Soundex over the name's
/// folded letters (its first letter, then up to three digits for the
/// consonant sounds that follow, vowels dropped, repeats run together).
/// Names one or two letters apart usually share it ("Inventley",
/// "Invently", "Imvently"). Empty for a name with no Latin letters.
pub fn sound_key(s: &str) -> String {
    let letters: Vec<char> = name_key(s).chars().filter(char::is_ascii_lowercase).collect();
    let Some(&first) = letters.first() else { return String::new() };
    let code = |c: char| match c {
        'b' | 'f' | 'p' | 'v' => '1',
        'c' | 'g' | 'j' | 'k' | 'q' | 's' | 'x' | 'z' => '2',
        'd' | 't' => '3',
        'l' => '4',
        'm' | 'n' => '5',
        'r' => '6',
        'h' | 'w' => 'h',
        _ => '0',
    };
    let mut out = String::from(first.to_ascii_uppercase());
    let mut last = code(first);
    for &c in &letters[1..] {
        let d = code(c);
        match d {
            // h and w do not separate two consonants of the same sound.
            'h' => continue,
            '0' => last = '0',
            _ if d == last => {}
            _ => {
                out.push(d);
                last = d;
                if out.len() == 4 {
                    break;
                }
            }
        }
    }
    while out.len() < 4 {
        out.push('0');
    }
    out
}

/// A phone number as the search compares it: its digits, with the UK
/// country code written as the national 0 (`+44 7700 900123`,
/// `0044 7700 900123` and `07700 900123` are the same number). `None` for
/// text that is not a phone number (letters, or fewer than 6 digits).
pub fn phone_key(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || !s.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || " -().".contains(c) || (c == '+' && i == 0)) {
        return None;
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let national = if s.starts_with('+') {
        match digits.strip_prefix("44") {
            Some(rest) => format!("0{}", rest.strip_prefix('0').unwrap_or(rest)),
            None => format!("+{digits}"),
        }
    } else if let Some(rest) = digits.strip_prefix("0044") {
        format!("0{}", rest.strip_prefix('0').unwrap_or(rest))
    } else {
        digits
    };
    (national.chars().filter(char::is_ascii_digit).count() >= 6).then_some(national)
}

/// An email address as the search compares it: trimmed, lower-case.
pub fn email_key(s: &str) -> String {
    s.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_and_accents() {
        assert_eq!(name_key(" Siân "), "sian");
        assert_eq!(name_key("SIÂN"), "sian");
        assert_eq!(name_key("Zoë Ó Briain-Łukasz"), "zoe o briain-lukasz");
        assert_eq!(name_key("Ærdal"), "aerdal");
    }

    #[test]
    fn close_spellings_share_a_sound() {
        for close in ["Invently", "Inventley", "Imvently", "Invantly", "Inventlee", "Invenntly"] {
            assert_eq!(sound_key(close), sound_key("Inventley"), "{close}");
        }
        assert_eq!(sound_key("Siân"), sound_key("Sian"));
        assert_ne!(sound_key("Inventley"), sound_key("Fakeham"));
        assert_eq!(sound_key("Ashcraft"), "A261", "h does not split two s/c sounds");
        assert_eq!(sound_key(""), "");
        assert_eq!(sound_key("A"), "A000");
    }

    #[test]
    fn phone_numbers_compare_by_their_national_digits() {
        let k = phone_key("07700 900123").unwrap();
        assert_eq!(k, "07700900123");
        for same in ["+44 7700 900123", "+44 (0)7700 900123", "0044 7700 900 123", "07700-900-123", "(07700) 900123"] {
            assert_eq!(phone_key(same).as_deref(), Some(k.as_str()), "{same}");
        }
        assert_eq!(phone_key("+353 1 555 0100").as_deref(), Some("+35315550100"));
        assert_eq!(phone_key("12 Imaginary Row"), None);
        assert_eq!(phone_key("0161"), None);
    }
}
