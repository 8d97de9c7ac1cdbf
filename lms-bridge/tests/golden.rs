//! Golden statements and SCORM values: both example modules played to every ending (the linter's
//! best path to each), in each language they carry, as a plain xAPI launch and as a cmi5 AU.
//! Every statement must pass the `xapi` crate's LRS validation here; the same snapshot files are
//! checked by npm `@learninglocker/xapi-validation` in `tests/e2e/xapi-validation.test.mjs`.

use std::path::Path;

use content::engine::{Action, Event, State, explore};
use content::load::load;
use content::model::{Module, NodeKind};
use content::source::read_module;
use lms_bridge::scorm::{Recorder, Version};
use lms_bridge::{Cmi5Launch, Launch, Mapper};
use serde_json::{Value, json};

fn example(name: &str) -> Module {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(name);
    let loaded = content::validate::check(load(read_module(&dir).expect("example exists")));
    assert!(loaded.diagnostics.is_empty());
    loaded.module.expect("loads")
}

/// An ending, the engine's events on the way there (with their times), and the final state.
type Walk = (String, Vec<(u64, Event)>, State);

/// Each ending with the engine's events along the best path to it, ten seconds per step.
fn walks(m: &Module, lang: &str) -> Vec<Walk> {
    let ex = explore(m, content::validate::EXPLORE_LIMIT);
    let mut out = Vec::new();
    for ending in m.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Ending { .. })) {
        let (path, _) = &ex.best_at_ending[&ending.id];
        let (mut s, start) = State::start(m, lang, 0, 0);
        let mut events: Vec<(u64, Event)> = start.into_iter().map(|e| (0, e)).collect();
        for (i, a) in path.iter().enumerate() {
            let t = (i as u64 + 1) * 10_000;
            events.extend(s.apply(m, a.clone(), t).unwrap().into_iter().map(|e| (t, e)));
        }
        out.push((ending.id.clone(), events, s));
    }
    out
}

fn timestamp(ms: u64) -> String {
    let s = ms / 1000;
    format!("2026-11-23T09:{:02}:{:02}.{:03}Z", s / 60, s % 60, ms % 1000)
}

fn launch(m: &Module, cmi5: bool) -> Launch {
    let activity_id = format!("https://lms.example/activities/{}", m.id);
    Launch {
        actor: json!({ "objectType": "Agent", "account": { "homePage": "https://lms.example", "name": "learner-7" } }),
        registration: "5f0e9c1a-7d1b-4c7e-9a51-3b8e2f6d0c41".into(),
        session: "a3b9c2d4-1e5f-4a6b-8c7d-9e0f1a2b3c4d".into(),
        activity_id: activity_id.clone(),
        cmi5: cmi5.then(|| Cmi5Launch {
            context_template: json!({
                "contextActivities": {
                    "grouping": [{ "id": "https://lms.example/courses/foster-care", "objectType": "Activity" }]
                },
                "extensions": { "https://w3id.org/xapi/cmi5/context/extensions/sessionid": "a3b9c2d4-1e5f-4a6b-8c7d-9e0f1a2b3c4d" }
            }),
            mastery_score: Some(0.6),
        }),
    }
}

fn statements(m: &Module, lang: &str, cmi5: bool) -> Value {
    let mut all = serde_json::Map::new();
    for (ending, events, _) in walks(m, lang) {
        let mut mapper = Mapper::new(launch(m, cmi5), lang, 0);
        let mut list = Vec::new();
        let mut last = 0;
        for (t, e) in &events {
            list.extend(mapper.statements(m, e, &timestamp(*t), *t));
            last = *t;
        }
        list.push(mapper.terminated(m, &timestamp(last + 5_000), last + 5_000));
        for s in &list {
            if let Err(errors) = xapi::validate_statement(s, xapi::Version::V1_0) {
                panic!("{ending}: {errors:?}\n{s:#}");
            }
        }
        let ids: std::collections::BTreeSet<&str> = list.iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), list.len(), "{ending}: statement ids are unique");
        all.insert(ending, Value::Array(list));
    }
    Value::Object(all)
}

#[test]
fn xapi_statements() {
    for (name, langs) in [("tuesday-night", &["en", "ar", "tr"][..]), ("first-week", &["en", "fa"][..])] {
        let m = example(name);
        for lang in langs {
            insta::assert_json_snapshot!(format!("xapi-{name}-{lang}"), statements(&m, lang, false));
        }
        insta::assert_json_snapshot!(format!("cmi5-{name}-en"), statements(&m, "en", true));
    }
}

/// A cmi5 session keeps the order cmi5 §9.3 requires: initialized first, terminated last, one of
/// passed or failed, and a judged score on the right side of the mastery score.
#[test]
fn cmi5_sessions_are_in_the_defined_order() {
    for name in ["tuesday-night", "first-week"] {
        let m = example(name);
        let all = statements(&m, "en", true);
        for (ending, list) in all.as_object().unwrap() {
            let verbs: Vec<&str> =
                list.as_array().unwrap().iter().map(|s| s["verb"]["id"].as_str().unwrap()).collect();
            assert!(verbs[0].ends_with("/initialized"), "{ending}");
            assert!(verbs.last().unwrap().ends_with("/terminated"), "{ending}");
            let judged: Vec<&Value> = list
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| {
                    s["verb"]["id"].as_str().is_some_and(|v| v.ends_with("/passed") || v.ends_with("/failed"))
                })
                .collect();
            assert_eq!(judged.len(), 1, "{ending}");
            if let Some(scaled) = judged[0]["result"]["score"]["scaled"].as_f64() {
                assert_eq!(scaled >= 0.6, judged[0]["result"]["success"] == true, "{ending}");
            }
            for s in list.as_array().unwrap() {
                let cats =
                    s["context"]["contextActivities"]["category"].as_array().cloned().unwrap_or_default();
                let is_cmi5 = cats.iter().any(|c| c["id"] == lms_bridge::profile::cmi5::CATEGORY);
                let defined = s["object"]["id"] == format!("https://lms.example/activities/{}", m.id)
                    && !s["verb"]["id"].as_str().unwrap().ends_with("/suspended")
                    && !s["verb"]["id"].as_str().unwrap().ends_with("/resumed");
                assert_eq!(is_cmi5, defined, "{ending}: {}", s["verb"]["id"]);
                assert_eq!(
                    s["context"]["extensions"][lms_bridge::profile::cmi5::SESSION_ID],
                    "a3b9c2d4-1e5f-4a6b-8c7d-9e0f1a2b3c4d"
                );
            }
        }
    }
}

fn scorm(m: &Module, version: Version) -> Value {
    let mut all = serde_json::Map::new();
    for (ending, events, state) in walks(m, "en") {
        let mut r = Recorder::new(version, "en", 0);
        let mut pairs = r.start();
        for (t, e) in &events {
            pairs.extend(r.event(m, e, &timestamp(*t)));
        }
        pairs.push(r.session_time(events.last().map_or(0, |(t, _)| *t)));
        assert!(state.is_finished());
        all.insert(ending, pairs.into_iter().map(|(k, v)| Value::String(format!("{k} = {v}"))).collect());
    }
    Value::Object(all)
}

#[test]
fn scorm_values() {
    for name in ["tuesday-night", "first-week"] {
        let m = example(name);
        insta::assert_json_snapshot!(format!("scorm12-{name}"), scorm(&m, Version::Scorm12));
        insta::assert_json_snapshot!(format!("scorm2004-{name}"), scorm(&m, Version::Scorm2004));
    }
}

/// Suspending keeps the engine's saved state whole, or refuses.
#[test]
fn suspend_data_is_whole_or_refused() {
    let m = example("tuesday-night");
    let (mut s, _) = State::start(&m, "en", 0, 0);
    s.apply(&m, Action::Continue, 1_000).unwrap();
    let saved = s.save();
    let r = Recorder::new(Version::Scorm12, "en", 0);
    let pairs = r.suspend(&saved, s.at(&m), 61_000).unwrap();
    assert!(pairs.contains(&("cmi.suspend_data".into(), saved.clone())));
    assert!(pairs.contains(&("cmi.core.exit".into(), "suspend".into())));
    assert!(pairs.contains(&("cmi.core.session_time".into(), "00:01:01.00".into())));
    let long = "x".repeat(4_097);
    assert!(r.suspend(&long, "n", 0).is_err());
    assert!(Recorder::new(Version::Scorm2004, "en", 0).suspend(&long, "n", 0).is_ok());
}

/// A session that resumes an attempt (a relaunch, another device) starts with `initialized` too
/// (cmi5 §9.3.2); a session that already has statements (a reload, "Continue" after Pause) does not
/// get a second one.
#[test]
fn a_resumed_session_starts_with_initialized_once() {
    let m = example("tuesday-night");
    let verbs = |seq: u64| -> Vec<String> {
        let mut mapper = Mapper::new(launch(&m, true), "en", seq);
        mapper
            .statements(&m, &Event::Resumed { changed_content: false }, &timestamp(0), 0)
            .iter()
            .map(|s| s["verb"]["id"].as_str().unwrap().rsplit('/').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(verbs(0), ["initialized", "resumed"]);
    assert_eq!(verbs(7), ["resumed"]);
}
