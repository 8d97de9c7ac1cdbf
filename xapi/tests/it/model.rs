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

#[test]
fn related_agents_and_activities_reach_context_and_substatements() {
    let s = json!({
        "actor": {"mbox": "mailto:actor@b.c"}, "verb": {"id": "http://x.example/v"},
        "authority": {"account": {"homePage": "urn:x", "name": "k"}},
        "object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:sub@b.c"}, "verb": {"id": "http://x.example/v"},
                   "object": {"objectType": "Agent", "openid": "https://id.example/o"},
                   "context": {"instructor": {"mbox": "mailto:subteacher@b.c"},
                               "contextActivities": {"parent": [{"id": "https://x.example/subparent"}]}}},
        "context": {"instructor": {"mbox": "mailto:teacher@b.c"},
                    "team": {"objectType": "Group", "mbox": "mailto:team@b.c", "member": [{"mbox": "mailto:m@b.c"}]},
                    "contextAgents": [{"objectType": "contextAgent", "agent": {"mbox": "mailto:ca@b.c"}}],
                    "contextActivities": {"grouping": [{"id": "https://x.example/g"}], "other": {"id": "https://x.example/o"}}}
    });
    let agents = xapi::model::related_agents(&s);
    for want in [
        "mbox:mailto:actor@b.c",
        "account:urn:x|k",
        "mbox:mailto:teacher@b.c",
        "mbox:mailto:team@b.c",
        "mbox:mailto:ca@b.c",
        "mbox:mailto:sub@b.c",
        "openid:https://id.example/o",
        "mbox:mailto:subteacher@b.c",
    ] {
        assert!(agents.iter().any(|a| a == want), "{want}: {agents:?}");
    }
    // Group members are not the Group.
    assert!(!agents.iter().any(|a| a == "mbox:mailto:m@b.c"));
    let acts = xapi::model::related_activities(&s);
    assert_eq!(acts, ["https://x.example/subparent", "https://x.example/g", "https://x.example/o"]);
    let plain = json!({"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x.example/v"}, "object": {"id": "https://x.example/a"}});
    assert_eq!(xapi::model::related_activities(&plain), ["https://x.example/a"]);
    assert_eq!(xapi::model::related_agents(&plain), ["mbox:mailto:a@b.c"]);
}

#[test]
fn canonical_keeps_one_language_per_map() {
    let both = json!({"en-GB": "colour", "en-US": "color", "fr": "couleur"});
    let stmt = json!({
        "actor": {"mbox": "mailto:a@b.c", "name": "A"},
        "verb": {"id": "http://x.example/v", "display": both},
        "object": {"id": "https://x.example/a", "definition": {"name": both, "description": both,
            "interactionType": "choice", "choices": [{"id": "c", "description": both}], "extensions": {"https://x.example/e": both}}},
        "context": {"contextActivities": {"category": [{"id": "https://x.example/c", "definition": {"name": both}}]}},
        "attachments": [{"display": both}]
    });
    let run = |al: Option<&str>| {
        let mut s = stmt.clone();
        xapi::model::canonical(&mut s, al);
        s
    };
    let s = run(Some("en-GB"));
    assert_eq!(s["verb"]["display"], json!({"en-GB": "colour"}));
    assert_eq!(s["object"]["definition"]["name"], json!({"en-GB": "colour"}));
    assert_eq!(s["object"]["definition"]["description"], json!({"en-GB": "colour"}));
    assert_eq!(s["object"]["definition"]["choices"][0]["description"], json!({"en-GB": "colour"}));
    assert_eq!(
        s["context"]["contextActivities"]["category"][0]["definition"]["name"],
        json!({"en-GB": "colour"})
    );
    // Extensions, agents and attachments are not language maps of activities or verbs.
    assert_eq!(s["object"]["definition"]["extensions"], stmt["object"]["definition"]["extensions"]);
    assert_eq!(s["actor"], stmt["actor"]);
    assert_eq!(s["attachments"], stmt["attachments"]);
    // Quality values, prefixes, fallbacks, and the first entry when nothing matches.
    assert_eq!(run(Some("de, fr;q=0.5, en-US;q=0.9"))["verb"]["display"], json!({"en-US": "color"}));
    assert_eq!(run(Some("FR-ca"))["verb"]["display"], json!({"fr": "couleur"}));
    assert_eq!(run(Some("fr;q=0, en"))["verb"]["display"], json!({"en-GB": "colour"}));
    assert_eq!(run(Some("de"))["verb"]["display"].as_object().unwrap().len(), 1);
    assert_eq!(run(None)["verb"]["display"].as_object().unwrap().len(), 1);
}
