//! Helpers on validated statements.

use serde_json::json;

#[test]
fn normalise_puts_single_context_activities_in_arrays() {
    let one = json!({"id": "https://x.example/p", "definition": {"name": {"en": "P"}}});
    let mut s = json!({
        "actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x.example/v"},
        "object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x.example/v"},
                   "object": {"id": "https://x.example/a"},
                   "context": {"contextActivities": {"parent": one, "other": [one]}}},
        "context": {"contextActivities": {"parent": one, "grouping": one, "category": one, "other": [one, one]}}
    });
    xapi::validate_statement(&s, xapi::Version::V1_0).unwrap();
    xapi::model::normalise(&mut s);
    for k in ["parent", "grouping", "category"] {
        assert_eq!(s["context"]["contextActivities"][k], json!([one]), "{k}");
    }
    assert_eq!(s["context"]["contextActivities"]["other"], json!([one, one]));
    assert_eq!(s["object"]["context"]["contextActivities"]["parent"], json!([one]));
    assert_eq!(s["object"]["context"]["contextActivities"]["other"], json!([one]));
    // A statement without context is left alone.
    let mut plain = json!({"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x.example/v"}, "object": {"id": "https://x.example/a"}});
    let before = plain.clone();
    xapi::model::normalise(&mut plain);
    assert_eq!(plain, before);
}
