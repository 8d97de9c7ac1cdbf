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
