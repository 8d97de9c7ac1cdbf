//! Statement comparison (Data §2.3.1).

use serde_json::json;
use xapi::statements_equivalent;

#[test]
fn comparison_rules() {
    let a = json!({"id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0", "actor": {"objectType": "Group", "member": [{"mbox": "mailto:a@b.c"}, {"mbox": "mailto:b@b.c"}]},
        "verb": {"id": "http://x/v", "display": {"en": "did"}}, "object": {"id": "http://x/a", "definition": {"name": {"en": "A"}}},
        "result": {"duration": "PT1S"}, "timestamp": "2026-01-01T00:00:00Z", "stored": "2026-01-01T00:00:01Z", "version": "1.0.0",
        "context": {"contextActivities": {"parent": {"id": "http://x/p"}}}});
    // Ignored differences.
    let b = json!({"actor": {"objectType": "Group", "member": [{"mbox": "mailto:b@b.c"}, {"mbox": "mailto:a@b.c"}]},
        "verb": {"id": "http://x/v"}, "object": {"objectType": "Activity", "id": "http://x/a"},
        "result": {"duration": "PT1S"}, "timestamp": "2026-01-01T01:00:00+01:00", "authority": {"mbox": "mailto:z@b.c"},
        "context": {"contextActivities": {"parent": [{"id": "http://x/p"}]}}});
    assert!(statements_equivalent(&a, &b));
    // Compared differences: duration to hundredths of a second (Data §4.6).
    let mut c = b.clone();
    c["result"]["duration"] = json!("PT1.0S");
    assert!(statements_equivalent(&a, &c));
    c["result"]["duration"] = json!("PT1.01S");
    assert!(!statements_equivalent(&a, &c));
    let mut d = b.clone();
    d["verb"]["id"] = json!("http://x/w");
    assert!(!statements_equivalent(&a, &d));
}

#[test]
fn durations_are_compared_to_hundredths_of_a_second() {
    let with = |d: &str| {
        json!({"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x.example/v"},
        "object": {"id": "http://x.example/a"}, "result": {"duration": d}})
    };
    assert!(statements_equivalent(&with("PT1.2345S"), &with("PT1.23S")));
    assert!(statements_equivalent(&with("PT4H35M59.14S"), &with("PT4H35M59.149S")));
    assert!(statements_equivalent(&with("PT1S"), &with("PT1.00S")));
    assert!(!statements_equivalent(&with("PT1.2S"), &with("PT1.3S")));
    assert!(!statements_equivalent(&with("PT1M"), &with("PT2M")));
    assert!(!statements_equivalent(&with("PT1.23S"), &with("PT2.23S")));
}
