//! The example modules, walked through the engine: each must be clean, reach every ending, and
//! score as recorded in the golden table `snapshots/it__examples__*.snap` (ending, band, score per
//! competency, pass, steps, saved-state size). A change to an example that moves a score shows up
//! here as a snapshot diff to review.

use std::path::Path;

use content::engine::{State, explore};
use content::load::load;
use content::model::{Module, NodeKind};
use content::source::read_module;

fn example(name: &str) -> Module {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples").join(name);
    let loaded = content::validate::check(load(read_module(&dir).expect("example exists")));
    assert!(loaded.diagnostics.is_empty(), "{}", loaded.sources.render(&loaded.diagnostics, false));
    loaded.module.expect("loads")
}

/// Plays the best-scoring path to every ending and renders one row per ending.
fn walk(m: &Module) -> String {
    let ex = explore(m, content::validate::EXPLORE_LIMIT);
    assert!(!ex.truncated);
    let mut rows = vec![format!("{} states explored", ex.states)];
    for ending in m.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Ending { .. })) {
        let (path, _) =
            ex.best_at_ending.get(&ending.id).unwrap_or_else(|| panic!("no path reaches {}", ending.id));
        let (mut s, _) = State::start(m, &m.source_lang, 0, 0);
        for (i, a) in path.iter().enumerate() {
            s.apply(m, a.clone(), i as u64 * 10_000).unwrap();
        }
        assert_eq!(s.at(m), ending.id);
        let saved = s.save();
        assert!(
            saved.len() <= 4096,
            "{}: {} characters do not fit SCORM 1.2 suspend_data",
            ending.id,
            saved.len()
        );
        let (resumed, _, report) = State::resume(m, &saved, 0).unwrap();
        assert_eq!((report.dropped, resumed.outcome(m)), (0, s.outcome(m)));
        let o = s.outcome(m);
        let scores: Vec<String> =
            o.competencies.iter().map(|c| format!("{} {}/{}", c.id, c.score, c.max)).collect();
        rows.push(format!(
            "{}: band {} | {:.0} % {} | {} | {} steps | saved state {} chars",
            ending.id,
            o.band.unwrap_or_default(),
            o.scaled * 100.0,
            if o.passed { "passed" } else { "not passed" },
            scores.join(", "),
            path.len(),
            saved.len(),
        ));
    }
    rows.join("\n")
}

/// Every text of the module exists in every language it lists, and is not the key itself.
fn fully_translated(m: &Module) {
    let source = &m.strings[&m.source_lang];
    for lang in &m.languages {
        let table = m.strings.get(lang).unwrap_or_else(|| panic!("{}: no {lang} strings", m.id));
        for key in source.keys() {
            let text = table.get(key).unwrap_or_else(|| panic!("{}: {key} has no {lang} text", m.id));
            assert!(!text.trim().is_empty(), "{}: {key} is empty in {lang}", m.id);
        }
    }
}

#[test]
fn tuesday_night_reaches_every_ending() {
    let m = example("tuesday-night");
    fully_translated(&m);
    assert!(m.languages.iter().any(|l| Module::is_rtl(l)), "one example carries a right-to-left language");
    insta::assert_snapshot!(walk(&m));
}

#[test]
fn first_week_reaches_every_ending() {
    let m = example("first-week");
    fully_translated(&m);
    insta::assert_snapshot!(walk(&m));
}

/// Every node kind and question type appears in the examples, so the walks above cover them.
#[test]
fn the_examples_use_every_node_kind_and_question_type() {
    let mut kinds = std::collections::BTreeSet::new();
    let mut types = std::collections::BTreeSet::new();
    for m in [example("tuesday-night"), example("first-week")] {
        for n in &m.nodes {
            kinds.insert(n.kind_name());
            if let NodeKind::Quiz { questions, .. } = &n.kind {
                types.extend(questions.iter().map(|q| q.body.type_name()));
            }
        }
    }
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    assert_eq!(types.len(), 9, "{types:?}");
}

/// Both compiled forms give back exactly the module, and the binary one refuses what it cannot
/// read with a reason.
#[test]
fn compiled_forms_round_trip() {
    use content::{BINARY_MAGIC, BinaryError, compiled_binary, compiled_json, from_binary};
    for name in ["tuesday-night", "first-week"] {
        let m = example(name);
        // Compared in their JSON form: conditions come back from their canonical text with new
        // source spans, which `Module`'s equality would count.
        let json = compiled_json(&m);
        let from_json: Module = serde_json::from_str(&json).unwrap();
        assert!(compiled_json(&from_json) == json, "{name} through JSON");
        let bin = compiled_binary(&m);
        assert!(compiled_json(&from_binary(&bin).unwrap()) == json, "{name} through the binary form");
        assert!(bin.len() < compiled_json(&m).len(), "the binary form is the smaller one");

        assert_eq!(from_binary(b"{\"id\":\"x\"}"), Err(BinaryError::NotAModule));
        assert_eq!(from_binary(&bin[..5]), Err(BinaryError::NotAModule));
        let mut newer = bin.clone();
        newer[7] = BINARY_MAGIC[7] + 1;
        assert_eq!(
            from_binary(&newer),
            Err(BinaryError::Version { found: BINARY_MAGIC[7] + 1, expected: BINARY_MAGIC[7] })
        );
        assert!(matches!(from_binary(&bin[..bin.len() - 10]), Err(BinaryError::Damaged(_))));
        let mut longer = bin.clone();
        longer.push(0);
        assert!(matches!(from_binary(&longer), Err(BinaryError::Damaged(_))));
    }
}

/// The shape of every type in the binary module, as postcard sees it. postcard is positional, so
/// any change here changes what the bytes mean: when this snapshot changes, bump the format
/// number in `content::BINARY_MAGIC` (its last byte) in the same commit.
#[test]
fn binary_format_shape() {
    use serde_reflection::{Tracer, TracerConfig};
    // Conditions are strings on the wire that must parse, so the tracer's stand-in string is one.
    let config = TracerConfig::default().default_string_value("trust > 1".into());
    let mut tracer = Tracer::new(config);
    // Each enum is traced on its own first, so that every variant is seen.
    use content::model::*;
    tracer.trace_simple_type::<BacktrackPolicy>().unwrap();
    tracer.trace_simple_type::<VarType>().unwrap();
    tracer.trace_simple_type::<Value>().unwrap();
    tracer.trace_simple_type::<Effect>().unwrap();
    tracer.trace_simple_type::<NodeKind>().unwrap();
    tracer.trace_simple_type::<ReflectionStore>().unwrap();
    tracer.trace_simple_type::<MediaKind>().unwrap();
    tracer.trace_simple_type::<LowData>().unwrap();
    tracer.trace_simple_type::<Partial>().unwrap();
    tracer.trace_simple_type::<QuestionBody>().unwrap();
    tracer.trace_simple_type::<Module>().unwrap();
    let registry = tracer.registry().unwrap();
    insta::assert_json_snapshot!(registry);
    assert_eq!(content::BINARY_MAGIC[7], 3, "the format number this shape is version 3 of");
}

/// A learner who always takes the first thing offered — the first choice, the first option, the
/// items as they come — must not pass either example (issue: the best option was always first,
/// so "always tap the first" passed every time). Choices and options are now shuffled per attempt,
/// so taking the first is no better than picking blindly: a rare lucky attempt may pass, as a
/// blind guess can, but not one in ten.
#[test]
fn always_taking_the_first_option_does_not_pass() {
    use content::engine::{Action, Response};
    use content::model::QuestionBody;
    for name in ["tuesday-night", "first-week"] {
        let m = example(name);
        let mut passed = Vec::new();
        let attempts = 200;
        for seed in 0..attempts {
            let (mut s, _) = State::start(&m, &m.source_lang, seed, 0);
            for t in 0..500u64 {
                if s.is_finished() {
                    break;
                }
                let v = s.view(&m);
                let action = if let Some(c) = v.choices.first() {
                    Action::Choose { choice: c.id.clone() }
                } else if let Some(q) =
                    v.question.as_ref().filter(|q| q.answered.as_ref().is_none_or(|a| !a.final_answer))
                {
                    let first = q.order.first().copied().unwrap_or(0);
                    let response = match &q.question.body {
                        QuestionBody::SingleChoice { options } => Response::Choice(options[first].id.clone()),
                        QuestionBody::MultipleChoice { options, .. } => {
                            Response::Choices(vec![options[first].id.clone()])
                        }
                        QuestionBody::TrueFalse { .. } => Response::Bool(true),
                        QuestionBody::Ordering { items, .. } => {
                            Response::Order(q.order.iter().map(|&i| items[i].id.clone()).collect())
                        }
                        QuestionBody::Matching { pairs, .. } => Response::Matches(
                            pairs.iter().map(|p| (p.id.clone(), pairs[first].id.clone())).collect(),
                        ),
                        QuestionBody::Numeric { .. } => Response::Numeric(0.0),
                        QuestionBody::Likert { .. } => Response::Scale(1),
                        QuestionBody::FillIn { .. } | QuestionBody::FreeText => Response::Text("x".into()),
                    };
                    Action::Answer { question: q.question.id.clone(), response }
                } else {
                    Action::Continue
                };
                s.apply(&m, action, t * 1000)
                    .unwrap_or_else(|e| panic!("{name} seed {seed} at {}: {e}", s.at(&m)));
            }
            assert!(s.is_finished(), "{name} seed {seed} ends");
            if s.outcome(&m).passed {
                passed.push(seed);
            }
        }
        assert!(
            passed.len() * 10 < attempts as usize,
            "{name}: always taking the first option passed {} of {attempts} attempts",
            passed.len()
        );
    }
}

/// The player rewrites a module's paths with `for_each_file_mut`; packaging copies the files
/// `files` lists. Both must name the same files, in the same order.
#[test]
fn the_files_the_player_resolves_are_the_files_packages_carry() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/e2e/fixtures/every-question");
    let loaded = content::validate::check(load(read_module(&dir).expect("fixture exists")));
    let mut m = loaded.module.expect("loads");
    // Every kind of file: the fixture's portrait, a video with captions, a theme.
    m.nodes[0].media.push(content::model::Media {
        id: "m.video".into(),
        src: "media/visit.mp4".into(),
        kind: content::model::MediaKind::Video,
        bytes: None,
        alt: None,
        caption: None,
        transcript: None,
        captions: Some("media/visit.vtt".into()),
        low_data: content::model::LowData::Tap,
    });
    m.theme = Some("theme.css".into());
    let listed: Vec<String> = m.files().cloned().collect();
    assert_eq!(listed.len(), 4, "{listed:?}");
    let mut visited = Vec::new();
    m.for_each_file_mut(|f| {
        visited.push(f.clone());
        f.insert_str(0, "base/");
    });
    assert_eq!(visited, listed);
    assert!(m.files().all(|f| f.starts_with("base/")), "every path was given to the closure to change");
}
