//! Good and bad statements as data. Each bad case names the JSON path the error must point at.

use serde_json::{Value, json};
use xapi::{Version, validate_statement, validate_statements};

fn base() -> Value {
    json!({
        "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        "actor": {"objectType": "Agent", "name": "Learner", "account": {"homePage": "https://lms.example", "name": "u-17"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {
            "id": "https://hearth.example/m/safety/q1",
            "definition": {
                "name": {"en": "Question 1"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "choice",
                "correctResponsesPattern": ["a"],
                "choices": [{"id": "a", "description": {"en": "A"}}, {"id": "b", "description": {"en": "B"}}]
            }
        },
        "result": {"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "success": true, "completion": true, "response": "a", "duration": "PT4H35M59.14S", "extensions": {"https://x.example/e": null}},
        "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7", "platform": "Hearth", "revision": "1", "language": "en-US",
                    "contextActivities": {"parent": [{"id": "https://hearth.example/m/safety"}], "category": {"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}},
                    "extensions": {"https://x.example/c": {"k": [1, null]}}},
        "timestamp": "2026-11-22T10:00:00.123Z"
    })
}

/// Applies a JSON-pointer edit to the base statement: `Some(v)` sets, `None` removes.
fn edit(ptr: &str, val: Option<Value>) -> Value {
    let mut s = base();
    let (parent, key) = ptr.rsplit_once('/').unwrap();
    let p = if parent.is_empty() { &mut s } else { s.pointer_mut(parent).unwrap() };
    match (p, val) {
        (Value::Object(m), Some(v)) => {
            m.insert(key.to_owned(), v);
        }
        (Value::Object(m), None) => {
            m.remove(key);
        }
        (Value::Array(a), Some(v)) => a[key.parse::<usize>().unwrap()] = v,
        _ => panic!("bad edit {ptr}"),
    }
    s
}

#[test]
fn base_statement_is_valid_in_both_versions() {
    validate_statement(&base(), Version::V1_0).unwrap();
    validate_statement(&base(), Version::V2_0).unwrap();
}

#[test]
fn good_variants() {
    let cases: Vec<(&str, Option<Value>)> = vec![
        ("/id", None),
        ("/actor", Some(json!({"mbox": "mailto:a@example.org"}))),
        ("/actor", Some(json!({"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}))),
        ("/actor", Some(json!({"openid": "https://openid.example/u"}))),
        ("/actor", Some(json!({"objectType": "Group", "member": [{"mbox": "mailto:a@b.c"}]}))),
        ("/actor", Some(json!({"objectType": "Group", "mbox": "mailto:g@b.c"}))),
        ("/object", Some(json!({"id": "urn:x:1"}))),
        ("/result/duration", Some(json!("P4W"))),
        ("/result/duration", Some(json!("PT16559.14S"))),
        ("/result/duration", Some(json!("P1Y2M3DT4H"))),
        ("/timestamp", Some(json!("2026-11-22T10:00:00+01:00"))),
        ("/timestamp", Some(json!("2026-11-22T10:00:00+0100"))),
        ("/timestamp", Some(json!("2026-11-22T10:00:00"))),
        ("/version", Some(json!("1.0.0"))),
        ("/version", Some(json!("1.0.3"))),
        ("/context/language", Some(json!("zh-Hant-TW"))),
        ("/verb/display", Some(json!({"fa-IR": "پاسخ داد", "x-klingon": "x"}))),
        ("/result/score", Some(json!({"scaled": -1}))),
        ("/result/score", Some(json!({"raw": 0, "min": 0, "max": 1}))),
        (
            "/attachments",
            Some(
                json!([{"usageType": "http://adlnet.gov/expapi/attachments/signature", "display": {"en": "sig"}, "contentType": "application/octet-stream", "length": 10, "sha2": "abc"}]),
            ),
        ),
    ];
    for (ptr, val) in cases {
        let s = edit(ptr, val.clone());
        if let Err(e) = validate_statement(&s, Version::V1_0) {
            panic!("{ptr} = {val:?} should be valid, got {e:?}");
        }
    }
}

#[test]
fn bad_variants_point_at_the_right_path() {
    let cases: Vec<(&str, Option<Value>, &str)> = vec![
        // Required properties.
        ("/actor", None, "statement.actor"),
        ("/verb", None, "statement.verb"),
        ("/object", None, "statement.object"),
        ("/verb/id", None, "statement.verb.id"),
        ("/object/id", None, "statement.object.id"),
        // Formats.
        ("/id", Some(json!("not-a-uuid")), "statement.id"),
        ("/id", Some(json!("fd41c918-b88b-4b20-c0a5-a4c32391aaa0")), "statement.id"),
        ("/verb/id", Some(json!("answered")), "statement.verb.id"),
        ("/verb/id", Some(json!("")), "statement.verb.id"),
        ("/object/id", Some(json!("no scheme")), "statement.object.id"),
        ("/actor", Some(json!({"mbox": "a@example.org"})), "statement.actor.mbox"),
        ("/actor", Some(json!({"mbox_sha1sum": "xyz"})), "statement.actor.mbox_sha1sum"),
        (
            "/actor",
            Some(json!({"account": {"homePage": "lms", "name": "u"}})),
            "statement.actor.account.homePage",
        ),
        ("/actor", Some(json!({"account": {"homePage": "https://lms"}})), "statement.actor.account.name"),
        ("/context/registration", Some(json!("1234")), "statement.context.registration"),
        ("/context/language", Some(json!("en_US")), "statement.context.language"),
        ("/verb/display", Some(json!({"toolongtag9": "x"})), "statement.verb.display.toolongtag9"),
        ("/timestamp", Some(json!("22/11/2026")), "statement.timestamp"),
        ("/timestamp", Some(json!("2026-13-01T00:00:00Z")), "statement.timestamp"),
        ("/result/duration", Some(json!("4 hours")), "statement.result.duration"),
        ("/result/duration", Some(json!("P")), "statement.result.duration"),
        ("/result/duration", Some(json!("PT")), "statement.result.duration"),
        ("/result/duration", Some(json!("P0003-04-06T12:30:05")), "statement.result.duration"),
        ("/result/duration", Some(json!("PT1.5H30M")), "statement.result.duration"),
        ("/version", Some(json!("0.95")), "statement.version"),
        ("/version", Some(json!("2.0.0")), "statement.version"),
        ("/version", Some(json!("1.0.3.4")), "statement.version"),
        // IFIs.
        ("/actor", Some(json!({"name": "nobody"})), "statement.actor"),
        ("/actor", Some(json!({"mbox": "mailto:a@b.c", "openid": "https://o.example"})), "statement.actor"),
        ("/actor", Some(json!({"objectType": "Group"})), "statement.actor.member"),
        (
            "/actor",
            Some(json!({"objectType": "Group", "member": [{"objectType": "Group", "mbox": "mailto:g@x.y"}]})),
            "statement.actor.member[0]",
        ),
        ("/object", Some(json!({"objectType": "Agent"})), "statement.object"),
        // Score bounds.
        ("/result/score/scaled", Some(json!(1.5)), "statement.result.score.scaled"),
        ("/result/score/scaled", Some(json!(-1.01)), "statement.result.score.scaled"),
        ("/result/score/raw", Some(json!(11)), "statement.result.score.raw"),
        ("/result/score/raw", Some(json!(-1)), "statement.result.score.raw"),
        ("/result/score/min", Some(json!(10)), "statement.result.score.min"),
        // Wrong JSON types, even when the string holds a number or boolean (Data §2.2).
        ("/result/success", Some(json!("true")), "statement.result.success"),
        ("/result/score/scaled", Some(json!("0.5")), "statement.result.score.scaled"),
        ("/result/response", Some(json!(1)), "statement.result.response"),
        ("/context/revision", Some(json!(1)), "statement.context.revision"),
        // Nulls outside extensions.
        ("/result/score", Some(Value::Null), "statement.result.score"),
        ("/timestamp", Some(Value::Null), "statement.timestamp"),
        ("/actor/name", Some(Value::Null), "statement.actor.name"),
        ("/verb/display", Some(json!({"en": null})), "statement.verb.display.en"),
        // Unknown keys and key case.
        ("/foo", Some(json!(1)), "statement.foo"),
        ("/Actor", Some(json!({"mbox": "mailto:a@b.c"})), "statement.Actor"),
        ("/result/Score", Some(json!({})), "statement.result.Score"),
        ("/object/definition/color", Some(json!("red")), "statement.object.definition.color"),
        // Enumerations match case exactly.
        (
            "/object/definition/interactionType",
            Some(json!("Choice")),
            "statement.object.definition.interactionType",
        ),
        ("/object/objectType", Some(json!("activity")), "statement.object.objectType"),
        ("/object/objectType", Some(json!("Thing")), "statement.object.objectType"),
        // Interaction components.
        ("/object/definition/scale", Some(json!([{"id": "1"}])), "statement.object.definition.scale"),
        (
            "/object/definition/choices",
            Some(json!([{"id": "a"}, {"id": "a"}])),
            "statement.object.definition.choices[1].id",
        ),
        (
            "/object/definition/choices",
            Some(json!([{"description": {"en": "x"}}])),
            "statement.object.definition.choices[0].id",
        ),
        (
            "/object/definition/correctResponsesPattern",
            Some(json!("a")),
            "statement.object.definition.correctResponsesPattern",
        ),
        // Extensions keys are IRIs.
        ("/result/extensions", Some(json!({"score": 1})), "statement.result.extensions.score"),
        // Context rules.
        ("/context/statement", Some(json!({"objectType": "StatementRef"})), "statement.context.statement.id"),
        ("/context/team", Some(json!({"mbox": "mailto:a@b.c"})), "statement.context.team"),
        (
            "/context/contextActivities/parent",
            Some(json!("https://x")),
            "statement.context.contextActivities.parent",
        ),
        (
            "/context/contextActivities/cousins",
            Some(json!([])),
            "statement.context.contextActivities.cousins",
        ),
        ("/context/contextAgents", Some(json!([])), "statement.context.contextAgents"),
        // Attachments.
        ("/attachments", Some(json!([{"usageType": "http://x/y"}])), "statement.attachments[0].display"),
        (
            "/attachments",
            Some(
                json!([{"usageType": "http://x/y", "display": {"en": "d"}, "contentType": "text/plain", "length": -1, "sha2": "a"}]),
            ),
            "statement.attachments[0].length",
        ),
        // Voiding: object must be a StatementRef.
        ("/verb/id", Some(json!("http://adlnet.gov/expapi/verbs/voided")), "statement.object"),
    ];
    let mut failures = Vec::new();
    for (ptr, val, want) in &cases {
        let s = edit(ptr, val.clone());
        match validate_statement(&s, Version::V1_0) {
            Ok(()) => failures.push(format!("{ptr} = {val:?}: accepted, expected an error at {want}")),
            Err(errs) => {
                if !errs.iter().any(|e| e.path == *want) {
                    failures.push(format!("{ptr} = {val:?}: wanted {want}, got {errs:?}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn revision_and_platform_only_with_activity_object() {
    let mut s = base();
    s["object"] = json!({"objectType": "Agent", "mbox": "mailto:a@b.c"});
    let errs = validate_statement(&s, Version::V1_0).unwrap_err();
    let paths: Vec<_> = errs.iter().map(|e| e.path.as_str()).collect();
    assert!(paths.contains(&"statement.context.revision"), "{paths:?}");
    assert!(paths.contains(&"statement.context.platform"), "{paths:?}");
}

#[test]
fn substatement_rules() {
    let sub = |extra: Value| {
        let mut o = json!({"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"},
            "verb": {"id": "http://x.example/v"}, "object": {"id": "http://x.example/a"}});
        for (k, v) in extra.as_object().unwrap() {
            o[k] = v.clone();
        }
        let mut s = base();
        s.as_object_mut().unwrap().remove("context");
        s["object"] = o;
        s
    };
    validate_statement(&sub(json!({})), Version::V1_0).unwrap();
    for (extra, want) in [
        (json!({"id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}), "statement.object.id"),
        (json!({"stored": "2026-01-01T00:00:00Z"}), "statement.object.stored"),
        (json!({"version": "1.0.0"}), "statement.object.version"),
        (json!({"authority": {"mbox": "mailto:a@b.c"}}), "statement.object.authority"),
        (
            json!({"object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x/v"}, "object": {"id": "http://x/a"}}}),
            "statement.object.object",
        ),
    ] {
        let errs = validate_statement(&sub(extra.clone()), Version::V1_0).unwrap_err();
        assert!(errs.iter().any(|e| e.path == want), "{extra}: {errs:?}");
    }
}

#[test]
fn voiding_statement_with_statement_ref_is_valid() {
    let s = json!({"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}});
    validate_statement(&s, Version::V1_0).unwrap();
    assert_eq!(xapi::model::voided_target(&s), Some("fd41c918-b88b-4b20-a0a5-a4c32391aaa0"));
}

#[test]
fn version_2_differences() {
    let ca = json!([{"objectType": "contextAgent", "agent": {"mbox": "mailto:t@b.c"}, "relevantTypes": ["https://x.example/t"]}]);
    let s = edit("/context/contextAgents", Some(ca));
    assert!(validate_statement(&s, Version::V1_0).is_err(), "1.0.3 rejects contextAgents");
    validate_statement(&s, Version::V2_0).unwrap();
    for (val, want) in [
        (
            json!([{"objectType": "Agent", "agent": {"mbox": "mailto:t@b.c"}}]),
            "statement.context.contextAgents[0].objectType",
        ),
        (
            json!([{"objectType": "contextAgent", "agent": {"mbox": "mailto:t@b.c"}, "relevantTypes": []}]),
            "statement.context.contextAgents[0].relevantTypes",
        ),
        (
            json!([{"objectType": "contextAgent", "agent": {"mbox": "mailto:t@b.c"}, "relevantTypes": ["nope"]}]),
            "statement.context.contextAgents[0].relevantTypes[0]",
        ),
        (
            json!([{"objectType": "contextAgent", "agent": {"name": "x"}}]),
            "statement.context.contextAgents[0].agent",
        ),
    ] {
        let errs = validate_statement(&edit("/context/contextAgents", Some(val.clone())), Version::V2_0)
            .unwrap_err();
        assert!(errs.iter().any(|e| e.path == want), "{val}: {errs:?}");
    }
    let cg = json!([{"objectType": "contextGroup", "group": {"objectType": "Group", "member": [{"mbox": "mailto:t@b.c"}]}, "relevantTypes": ["https://x.example/t"]}]);
    validate_statement(&edit("/context/contextGroups", Some(cg)), Version::V2_0).unwrap();
    // -00:00 offset (and -00, -0000): not ISO 8601, and "unknown offset" in RFC 3339: rejected by
    // both versions, in statements and SubStatements.
    for off in ["-00:00", "-0000", "-00"] {
        let s = edit("/timestamp", Some(json!(format!("2026-11-22T10:00:00{off}"))));
        for v in [Version::V1_0, Version::V2_0] {
            let errs = validate_statement(&s, v).unwrap_err();
            assert_eq!(errs[0].path, "statement.timestamp", "{off} {v:?}");
        }
        let sub = json!({"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"},
            "verb": {"id": "http://x.example/v"}, "object": {"id": "http://x.example/a"},
            "timestamp": format!("2026-11-22T10:00:00{off}")});
        let errs = validate_statement(&edit("/object", Some(sub)), Version::V1_0).unwrap_err();
        assert_eq!(errs[0].path, "statement.object.timestamp", "{off}");
    }
    validate_statement(&edit("/version", Some(json!("2.0.0"))), Version::V2_0).unwrap();
}

#[test]
fn batches_are_all_or_nothing_and_paths_are_indexed() {
    let good = base();
    let mut bad = base();
    bad["verb"]["id"] = json!("nope");
    validate_statements(&json!([good.clone(), good.clone()]), Version::V1_0).unwrap();
    let errs = validate_statements(&json!([good, bad]), Version::V1_0).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].path, "statements[1].verb.id");
    assert!(validate_statements(&json!([]), Version::V1_0).is_err());
    assert!(validate_statements(&json!("x"), Version::V1_0).is_err());
}

#[test]
fn errors_display_path_and_message() {
    let errs = validate_statement(&edit("/result/score/scaled", Some(json!(2))), Version::V1_0).unwrap_err();
    assert_eq!(errs[0].to_string(), "statement.result.score.scaled: 2 is outside -1..1");
}

#[test]
fn authority_is_an_agent_or_an_anonymous_group_of_two() {
    let two = json!([{"mbox": "mailto:app@b.c"}, {"mbox": "mailto:user@b.c"}]);
    for good in [json!({"mbox": "mailto:a@b.c"}), json!({"objectType": "Group", "member": two})] {
        for v in [Version::V1_0, Version::V2_0] {
            validate_statement(&edit("/authority", Some(good.clone())), v).unwrap();
        }
    }
    for (bad, path) in [
        // Identified groups, with or without members.
        (json!({"objectType": "Group", "mbox": "mailto:g@b.c", "member": two}), "statement.authority"),
        (
            json!({"objectType": "Group", "account": {"homePage": "https://x.example", "name": "g"}}),
            "statement.authority",
        ),
        // One or three members.
        (json!({"objectType": "Group", "member": [{"mbox": "mailto:a@b.c"}]}), "statement.authority.member"),
        (
            json!({"objectType": "Group", "member": [{"mbox": "mailto:a@b.c"}, {"mbox": "mailto:b@b.c"}, {"mbox": "mailto:c@b.c"}]}),
            "statement.authority.member",
        ),
    ] {
        for v in [Version::V1_0, Version::V2_0] {
            let errs = validate_statement(&edit("/authority", Some(bad.clone())), v).unwrap_err();
            assert!(errs.iter().any(|e| e.path == path), "{bad}: {errs:?}");
        }
    }
}
