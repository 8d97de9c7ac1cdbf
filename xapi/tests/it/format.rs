//! The scalar format checks, as tables.

use xapi::Version;
use xapi::format::*;
use xapi::model::agent_ifi;

#[test]
fn iris() {
    for ok in ["http://x", "urn:uuid:1", "https://a.example/b?c#d", "mailto:a@b.c", "tag:x.org,2026:a"] {
        assert!(is_iri(ok), "{ok}");
    }
    for bad in ["", "x", ":x", "1http://x", "http:", "http://a b", "ht tp://x"] {
        assert!(!is_iri(bad), "{bad}");
    }
}

#[test]
fn uuids() {
    assert!(is_uuid("fd41c918-b88b-4b20-a0a5-a4c32391aaa0"));
    assert!(is_uuid("FD41C918-B88B-4B20-A0A5-A4C32391AAA0"));
    for bad in [
        "",
        "fd41c918b88b4b20a0a5a4c32391aaa0",
        "fd41c918-b88b-4b20-a0a5-a4c32391aaag",
        "fd41c918-b88b-0b20-a0a5-a4c32391aaa0",
        "fd41c918-b88b-4b20-70a5-a4c32391aaa0",
    ] {
        assert!(!is_uuid(bad), "{bad}");
    }
}

#[test]
fn language_tags() {
    for ok in ["en", "en-US", "zh-Hant-TW", "sr-Latn-RS", "x-private", "es-419", "ar"] {
        assert!(is_language_tag(ok), "{ok}");
    }
    for bad in ["", "e", "en-", "en_US", "toolongtag", "en-abcdefghi", "1en"] {
        assert!(!is_language_tag(bad), "{bad}");
    }
}

#[test]
fn timestamps() {
    assert_eq!(parse_timestamp("2026-11-22T10:00:00.123Z"), Ok(Some(0)));
    assert_eq!(parse_timestamp("2026-11-22T10:00:00+05:30"), Ok(Some(330)));
    assert_eq!(parse_timestamp("2026-11-22T10:00:00-08"), Ok(Some(-480)));
    assert_eq!(parse_timestamp("2026-11-22T10:00"), Ok(None));
    assert_eq!(parse_timestamp("2026-11-22T10:00:00-0000"), Err(TimestampError::NegativeZeroOffset));
    for bad in [
        "",
        "2026-11-22",
        "2026-11-22 10:00:00Z",
        "2026-11-22T24:00:00Z",
        "2026-11-22T10:00:00.Z",
        "2026-11-22T10:00:00+5",
        "2026-00-22T10:00:00Z",
    ] {
        assert_eq!(parse_timestamp(bad), Err(TimestampError::Malformed), "{bad}");
    }
}

/// Every day of the calendar is checked against the month it is in, leap years included.
#[test]
fn timestamps_name_days_that_exist() {
    let table: &[(&str, bool)] = &[
        ("2026-01-31T00:00:00Z", true),
        ("2026-02-28T00:00:00Z", true),
        ("2026-02-29T00:00:00Z", false),
        ("2026-02-30T00:00:00Z", false),
        ("2026-02-31T00:00:00Z", false),
        ("2028-02-29T00:00:00Z", true),
        ("2000-02-29T00:00:00Z", true),
        ("1900-02-29T00:00:00Z", false),
        ("2100-02-29T00:00:00Z", false),
        ("2026-03-31T00:00:00Z", true),
        ("2026-04-30T00:00:00Z", true),
        ("2026-04-31T00:00:00Z", false),
        ("2026-06-31T00:00:00Z", false),
        ("2026-09-31T00:00:00Z", false),
        ("2026-11-31T00:00:00Z", false),
        ("2026-12-31T23:59:59Z", true),
        ("2026-12-32T00:00:00Z", false),
        ("2026-12-00T00:00:00Z", false),
        ("2026-13-01T00:00:00Z", false),
    ];
    for (ts, ok) in table {
        let got = parse_timestamp(ts);
        if *ok {
            assert!(got.is_ok(), "{ts}: {got:?}");
        } else {
            assert_eq!(got, Err(TimestampError::Malformed), "{ts}");
        }
    }
}

#[test]
fn durations() {
    for ok in ["PT4H35M59.14S", "PT16559.14S", "P4W", "P1D", "P1Y2M3DT4H5M6S", "PT0S", "PT1,5S"] {
        assert!(is_duration(ok), "{ok}");
    }
    for bad in
        ["", "P", "PT", "T1H", "P1H", "PT1D", "P1M1Y", "P1.5DT1H", "P0003-04-06T12:30:05", "PT-1S", "P1W1D"]
    {
        assert!(!is_duration(bad), "{bad}");
    }
}

#[test]
fn mailto_and_sha1() {
    assert!(is_mailto("mailto:a@b.c"));
    assert!(!is_mailto("a@b.c"));
    assert!(!is_mailto("mailto:"));
    assert!(!is_mailto("mailto:a b@c"));
    assert!(is_sha1_hex("ebd31e95054c018b10727ccffd2ef2ec3a016ee9"));
    assert!(!is_sha1_hex("ebd31e95"));
}

#[test]
fn version_headers() {
    for (h, want) in [
        ("1.0", Some(Version::V1_0)),
        ("1.0.3", Some(Version::V1_0)),
        ("1.0.0", Some(Version::V1_0)),
        ("2.0.0", Some(Version::V2_0)),
        ("2.0", Some(Version::V2_0)),
        ("0.95", None),
        ("1.1.0", None),
        ("1.0.", None),
        ("", None),
        ("3.0.0", None),
        ("1.0x", None),
    ] {
        assert_eq!(Version::from_header(h), want, "{h}");
    }
}

#[test]
fn agent_ifis_are_normalised() {
    use serde_json::json;
    assert_eq!(agent_ifi(&json!({"mbox": "mailto:a@b.c"})).as_deref(), Some("mbox:mailto:a@b.c"));
    assert_eq!(
        agent_ifi(&json!({"account": {"homePage": "https://l", "name": "u"}})).as_deref(),
        Some("account:https://l|u")
    );
    assert_eq!(agent_ifi(&json!({"name": "x"})), None);
}
