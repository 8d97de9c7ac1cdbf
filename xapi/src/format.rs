//! Format checks for the scalar types xAPI uses: IRIs, UUIDs, language tags, ISO 8601
//! timestamps and durations, mailto IRIs, SHA-1 sums. Hand-written, dependency-free parsers so
//! the crate stays small for wasm and the exact accepted grammar is visible here.

/// An IRI must have a scheme (Data §2.2: reject IRL/IRI values without one) and no whitespace.
pub fn is_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut sb = scheme.bytes();
    matches!(sb.next(), Some(b) if b.is_ascii_alphabetic())
        && sb.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `mailto:` IRI with something that looks like an address (Data §2.4.2.3).
pub fn is_mailto(s: &str) -> bool {
    s.strip_prefix("mailto:").is_some_and(|a| {
        let mut parts = a.splitn(2, '@');
        let local = parts.next().unwrap_or("");
        let domain = parts.next().unwrap_or("");
        !local.is_empty() && !domain.is_empty() && !a.chars().any(char::is_whitespace)
    })
}

/// 40 hex digits.
pub fn is_sha1_hex(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Standard UUID string form, RFC 4122 variant (Data §4.4). Versions 1–8 are accepted.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 36 {
        return false;
    }
    for (i, &c) in b.iter().enumerate() {
        let dash = matches!(i, 8 | 13 | 18 | 23);
        if dash != (c == b'-') || (!dash && !c.is_ascii_hexdigit()) {
            return false;
        }
    }
    // Variant nibble: 8, 9, a or b (RFC 4122 variant 2).
    matches!(b[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b') && matches!(b[14], b'1'..=b'8')
}

/// RFC 5646 language tag, checked by subtag shape and length (Data §4.2: the LRS MUST at least
/// validate token lengths).
pub fn is_language_tag(s: &str) -> bool {
    let mut subtags = s.split('-');
    let Some(first) = subtags.next() else {
        return false;
    };
    let first_ok = first.bytes().all(|b| b.is_ascii_alphabetic())
        && ((2..=8).contains(&first.len())
            || first.eq_ignore_ascii_case("x")
            || first.eq_ignore_ascii_case("i"));
    first_ok && subtags.all(|t| (1..=8).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn digits(s: &[u8], n: usize) -> Option<u32> {
    if s.len() < n || !s[..n].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s[..n].iter().fold(0, |a, &d| a * 10 + u32::from(d - b'0')))
}

/// Why a timestamp was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampError {
    /// Not ISO 8601 extended date-time.
    Malformed,
    /// `-00`, `-0000` or `-00:00`: RFC 3339 "unknown offset", rejected in 2.0.
    NegativeZeroOffset,
}

/// Days in `month` (1–12) of `year` in the proleptic Gregorian calendar ISO 8601 uses.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        _ => 31,
    }
}

/// ISO 8601 date-time, `YYYY-MM-DDThh:mm[:ss[.f+]][Z|±hh[:?mm]]` (Data §4.5).
/// Returns the offset in minutes (None when no zone was given).
pub fn parse_timestamp(s: &str) -> Result<Option<i32>, TimestampError> {
    use TimestampError::Malformed;
    let b = s.as_bytes();
    let year = digits(b, 4).ok_or(Malformed)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err(Malformed);
    }
    let month = digits(&b[5..], 2).ok_or(Malformed)?;
    let day = digits(&b[8..], 2).ok_or(Malformed)?;
    // The day must exist in that month of that year (2026-02-30 is not a date).
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(Malformed);
    }
    if !matches!(b.get(10), Some(b'T' | b't')) {
        return Err(Malformed);
    }
    let hour = digits(&b[11..], 2).ok_or(Malformed)?;
    if b.get(13) != Some(&b':') {
        return Err(Malformed);
    }
    let minute = digits(b.get(14..).ok_or(Malformed)?, 2).ok_or(Malformed)?;
    if hour > 23 || minute > 59 {
        return Err(Malformed);
    }
    let mut i = 16;
    if b.get(i) == Some(&b':') {
        let sec = digits(b.get(i + 1..).ok_or(Malformed)?, 2).ok_or(Malformed)?;
        if sec > 60 {
            return Err(Malformed);
        }
        i += 3;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return Err(Malformed);
            }
        }
    }
    let zone = &s[i..];
    match zone {
        "" => Ok(None),
        "Z" | "z" => Ok(Some(0)),
        _ => {
            let zb = zone.as_bytes();
            let sign = match zb[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return Err(Malformed),
            };
            let rest = &zone[1..];
            let (h, m) = match rest.len() {
                2 => (digits(rest.as_bytes(), 2).ok_or(Malformed)?, 0),
                4 => (
                    digits(rest.as_bytes(), 2).ok_or(Malformed)?,
                    digits(&rest.as_bytes()[2..], 2).ok_or(Malformed)?,
                ),
                5 if rest.as_bytes()[2] == b':' => (
                    digits(rest.as_bytes(), 2).ok_or(Malformed)?,
                    digits(&rest.as_bytes()[3..], 2).ok_or(Malformed)?,
                ),
                _ => return Err(Malformed),
            };
            if h > 23 || m > 59 {
                return Err(Malformed);
            }
            if sign == -1 && h == 0 && m == 0 {
                return Err(TimestampError::NegativeZeroOffset);
            }
            Ok(Some(sign * (h as i32 * 60 + m as i32)))
        }
    }
}

/// ISO 8601:2004 §4.4.3.2 duration (Data §4.6): `PnYnMnDTnHnMnS` with a decimal fraction allowed
/// on the last component, or `PnW`. The alternative format (`P0003-04-...`) is forbidden.
pub fn is_duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    if let Some(w) = rest.strip_suffix('W') {
        return is_decimal(w);
    }
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return false;
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    let mut any = false;
    let mut last_frac = false;
    for (part, units) in [(date, &b"YMD"[..]), (time.unwrap_or(""), &b"HMS"[..])] {
        let mut pos = 0;
        let mut unit_idx = 0;
        let pb = part.as_bytes();
        while pos < pb.len() {
            if last_frac {
                return false; // a fraction is only allowed on the smallest given component
            }
            let start = pos;
            while pos < pb.len() && (pb[pos].is_ascii_digit() || pb[pos] == b'.' || pb[pos] == b',') {
                pos += 1;
            }
            let num = &part[start..pos];
            if !is_decimal(num) || pos >= pb.len() {
                return false;
            }
            let Some(k) = units[unit_idx..].iter().position(|&u| u == pb[pos]) else {
                return false;
            };
            unit_idx += k + 1;
            pos += 1;
            any = true;
            last_frac = num.contains(['.', ',']);
        }
    }
    any
}

fn is_decimal(s: &str) -> bool {
    let (int, frac) = match s.split_once(['.', ',']) {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}
