//! Durations in the three spellings LMSs want, and statement ids.

/// ISO 8601 duration, as xAPI and SCORM 2004 want it: `PT1H2M3.45S`, at most hundredths of a
/// second (SCORM 2004 refuses more precision).
pub fn iso_duration(ms: u64) -> String {
    let cs = ms / 10;
    let (h, m, s, frac) = (cs / 360_000, cs / 6_000 % 60, cs / 100 % 60, cs % 100);
    let mut out = String::from("PT");
    if h > 0 {
        out += &format!("{h}H");
    }
    if m > 0 {
        out += &format!("{m}M");
    }
    if frac > 0 {
        out += &format!("{s}.{frac:02}S");
    } else {
        out += &format!("{s}S");
    }
    out
}

/// SCORM 1.2's CMITimespan, `HHHH:MM:SS.SS` (hours as at least two digits, at most four).
pub fn scorm12_timespan(ms: u64) -> String {
    let cs = ms / 10;
    let h = (cs / 360_000).min(9999);
    format!("{h:02}:{:02}:{:02}.{:02}", cs / 6_000 % 60, cs / 100 % 60, cs % 100)
}

/// A statement id that is the same every time it is computed for the same attempt, session and
/// position: a retried or re-queued statement keeps its id, so the LRS stores it once. UUID
/// version 8 (RFC 9562, "custom") over 128-bit FNV-1a: xAPI wants a UUID, the inputs are not
/// secret and sessions are random, and a cryptographic hash would add its tables to the player.
pub fn statement_id(registration: &str, session: &str, seq: u64) -> String {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013b;
    let text = format!("{registration}/{session}/{seq}");
    let hash = text.bytes().fold(OFFSET, |h, b| (h ^ u128::from(b)).wrapping_mul(PRIME));
    let mut b = hash.to_be_bytes();
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (milliseconds, ISO 8601, SCORM 1.2)
    #[test]
    fn durations() {
        let rows = [
            (0, "PT0S", "00:00:00.00"),
            (1_234, "PT1.23S", "00:00:01.23"),
            (61_000, "PT1M1S", "00:01:01.00"),
            (3_600_000, "PT1H0S", "01:00:00.00"),
            (3_723_450, "PT1H2M3.45S", "01:02:03.45"),
            (400_000 * 3_600_000, "PT400000H0S", "9999:00:00.00"),
        ];
        for (ms, iso, scorm) in rows {
            assert_eq!(iso_duration(ms), iso, "{ms}");
            assert_eq!(scorm12_timespan(ms), scorm, "{ms}");
        }
    }

    #[test]
    fn ids_are_stable_uuids() {
        let a = statement_id("r", "s", 1);
        assert_eq!(a, statement_id("r", "s", 1));
        assert_ne!(a, statement_id("r", "s", 2));
        assert_ne!(a, statement_id("r", "t", 1));
        assert!(xapi::format::is_uuid(&a), "{a}");
        assert_eq!(&a[14..15], "8");
    }
}
