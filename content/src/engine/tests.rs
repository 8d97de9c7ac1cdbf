//! Engine tests: small modules written inline, walked action by action. Each test names the rule
//! it pins; the tables list (input, expected) rows.

use std::collections::BTreeSet;

use super::*;
use crate::diag::{Severity, SourceFile};
use crate::load::{ModuleSource, load};

/// Loads an inline module; any error fails the test with the rendered diagnostics.
fn module(yaml: &str) -> Module {
    let loaded = load(ModuleSource {
        module: SourceFile::new("module.yaml", yaml),
        translations: Vec::new(),
        files: BTreeSet::new(),
    });
    let errors: Vec<_> =
        loaded.diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
    assert!(errors.is_empty(), "{}", loaded.sources.render(&errors, false));
    loaded.module.expect("module")
}

const HEAD: &str = r#"
module: t.engine
version: 1.0.0
title: "T"
source_lang: en
framework:
  iri: https://hearth.example/f
  competencies:
    - { id: care, iri: "https://hearth.example/f/care", title: "Care", max: 6 }
    - { id: know, iri: "https://hearth.example/f/know", title: "Know", max: 20 }
bands:
  - { id: good, title: "Good" }
  - { id: poor, title: "Poor" }
variables:
  trust: { type: int, min: 0, max: 3, init: 2 }
  promised: { type: bool, init: false }
  mood: { type: enum, values: [calm, upset], init: calm }
  topics: { type: set, values: [school, home], init: [] }
"#;

fn scenario() -> Module {
    module(&format!(
        "{HEAD}{}",
        r#"
start: n.a
nodes:
  - id: n.a
    kind: narrative
    text: "Start"
    on_enter: { topics: +home }
    next: n.choose
  - id: n.choose
    kind: decision
    text: "Choose"
    choices:
      - id: c.kind
        text: "Kind"
        effects: { trust: +5, care: +4, mood: upset, topics: -home }
        feedback: "Kind feedback"
        debrief: "Kind debrief"
        next: n.after
      - id: c.secret
        text: "Promise"
        if: "trust >= 2 and home in topics"
        effects: { promised: true, care: -2, trust: -9 }
        next: n.after
      - id: c.hidden
        text: "Hidden"
        if: "mood == upset"
        next: n.after
  - id: n.after
    kind: narrative
    text: "After"
    routes:
      - { if: "promised", next: n.bad }
      - { if: "trust >= 3 and chose(c.kind) and visited(n.a) and school in topics", next: n.bad }
      - { if: "score(care) >= 4 and mood == upset", next: n.good }
      - { next: n.bad }
  - id: n.good
    kind: ending
    band: good
    text: "Good end"
  - id: n.bad
    kind: ending
    band: poor
    text: "Bad end"
"#
    ))
}

fn act(s: &mut State, m: &Module, a: Action) -> Vec<Event> {
    s.apply(m, a.clone(), 1000).unwrap_or_else(|e| panic!("{a:?} at {}: {e}", s.at(m)))
}

fn choose(id: &str) -> Action {
    Action::Choose { choice: id.into() }
}

#[test]
fn decisions_apply_effects_show_feedback_and_route_first_match() {
    let m = scenario();
    let (mut s, events) = State::start(&m, "en", 7, 0);
    assert!(matches!(&events[..], [Event::Started { .. }, Event::NodeEntered { node, .. }] if node == "n.a"));
    assert_eq!(s.var("topics"), Some(&Value::Set(vec!["home".into()])), "on_enter applies");
    act(&mut s, &m, Action::Continue);
    let v = s.view(&m);
    let visible: BTreeSet<&str> = v.choices.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(visible, BTreeSet::from(["c.kind", "c.secret"]), "`c.hidden` needs mood == upset");
    let events = act(&mut s, &m, choose("c.kind"));
    assert!(
        matches!(&events[..], [Event::ChoiceMade { choice, deltas, .. }] if choice == "c.kind" && deltas == &[("care".to_string(), 4)])
    );
    // Feedback shows before moving on; the int is clamped to its max of 3.
    assert_eq!(s.view(&m).chosen.map(|c| c.id.as_str()), Some("c.kind"));
    assert_eq!(s.var("trust"), Some(&Value::Int(3)));
    assert_eq!(s.var("mood"), Some(&Value::Sym("upset".into())));
    assert_eq!(s.var("topics"), Some(&Value::Set(vec![])));
    assert_eq!(s.apply(&m, choose("c.secret"), 0), Err(ActionError::NotNow), "one choice per visit");
    act(&mut s, &m, Action::Continue);
    act(&mut s, &m, Action::Continue);
    assert!(s.is_finished());
    let o = s.outcome(&m);
    assert_eq!(o.band.as_deref(), Some("good"));
    assert_eq!((o.competencies[0].score, o.competencies[0].max), (4, 6));
    assert!((o.scaled - 4.0 / 26.0).abs() < 1e-9);
    assert!(!o.passed, "4/26 is under the default mastery of 0.6");
    let d = s.debrief(&m);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].debrief.as_deref(), Some("c.kind/debrief"));
    assert_eq!(s.apply(&m, Action::Continue, 0), Err(ActionError::Finished));
}

/// Progress is the nodes entered and the fewest still to go: it only ever moves forward on this
/// path, and a decision's feedback shows the competency changes of the choice.
#[test]
fn progress_counts_the_shortest_way_to_an_ending() {
    let m = scenario();
    let (mut s, _) = State::start(&m, "en", 7, 0);
    let at = |s: &State| (s.view(&m).step, s.view(&m).steps_left);
    assert_eq!(at(&s), (1, 3), "n.a, then n.choose, n.after and an ending");
    act(&mut s, &m, Action::Continue);
    assert_eq!(at(&s), (2, 2));
    assert!(s.view(&m).deltas.is_empty(), "nothing chosen yet");
    act(&mut s, &m, choose("c.kind"));
    assert_eq!(s.view(&m).deltas, vec![("care".to_string(), 4)]);
    act(&mut s, &m, Action::Continue);
    assert_eq!(at(&s), (3, 1));
    assert!(s.view(&m).deltas.is_empty());
    act(&mut s, &m, Action::Continue);
    assert_eq!(at(&s), (4, 0), "at an ending nothing is left");
}

#[test]
fn scores_are_clamped_when_reported_but_kept_raw() {
    let m = scenario();
    let (mut s, _) = State::start(&m, "en", 7, 0);
    act(&mut s, &m, Action::Continue);
    act(&mut s, &m, choose("c.secret"));
    assert_eq!(s.var("trust"), Some(&Value::Int(0)), "clamped to min");
    assert_eq!(s.at(&m), "n.after", "no feedback: routed at once");
    act(&mut s, &m, Action::Continue);
    let o = s.outcome(&m);
    assert_eq!((o.competencies[0].raw, o.competencies[0].score), (-2, 0));
    assert_eq!(o.band.as_deref(), Some("poor"), "the `promised` route comes first");
}

#[test]
fn invalid_actions_are_errors_and_change_nothing() {
    let m = scenario();
    let (mut s, _) = State::start(&m, "en", 7, 0);
    let before = s.save();
    let cases = [
        (choose("c.kind"), ActionError::NotNow),
        (Action::Reflect { text: "x".into() }, ActionError::NotNow),
        (Action::Back, ActionError::NoBack),
    ];
    for (a, e) in cases {
        assert_eq!(s.apply(&m, a, 5), Err(e));
    }
    act(&mut s, &m, Action::Continue);
    assert_eq!(s.apply(&m, choose("c.hidden"), 5), Err(ActionError::NoSuchChoice("c.hidden".into())));
    assert_eq!(s.apply(&m, choose("c.nope"), 5), Err(ActionError::NoSuchChoice("c.nope".into())));
    assert_ne!(before, s.save());
}

fn quiz_module(questions: &str, extra: &str) -> Module {
    module(&format!(
        "{HEAD}start: n.q\nnodes:\n  - id: n.q\n    kind: quiz\n{extra}    questions:\n{questions}    routes:\n      - {{ if: \"passed(n.q)\", next: n.good }}\n      - {{ next: n.bad }}\n  - {{ id: n.good, kind: ending, band: good, text: \"G\" }}\n  - {{ id: n.bad, kind: ending, band: poor, text: \"B\" }}\n"
    ))
}

const ALL_TYPES: &str = r#"      - id: q.single
        type: single_choice
        text: "S"
        competency: know
        options:
          - { id: o.a, text: "A", correct: true }
          - { id: o.b, text: "B", effects: { care: +1 } }
      - id: q.multi
        type: multiple_choice
        text: "M"
        points: 2
        competency: know
        options:
          - { id: o.a, text: "A", correct: true }
          - { id: o.b, text: "B", correct: true }
          - { id: o.c, text: "C" }
      - id: q.multi-strict
        type: multiple_choice
        partial: none
        text: "M"
        options:
          - { id: o.a, text: "A", correct: true }
          - { id: o.b, text: "B", correct: true }
          - { id: o.c, text: "C" }
      - { id: q.tf, type: true_false, text: "T", answer: false }
      - id: q.order
        type: ordering
        text: "O"
        items: [{ id: i.1, text: "1" }, { id: i.2, text: "2" }, { id: i.3, text: "3" }, { id: i.4, text: "4" }]
      - id: q.match
        type: matching
        text: "Ma"
        pairs: [{ id: p.1, prompt: "1", match: "one" }, { id: p.2, prompt: "2", match: "two" }]
      - { id: q.fill, type: fill_in, text: "F", accepted: ["Social worker", "SW"] }
      - { id: q.fill-ar, type: fill_in, text: "F", accepted: ["قیم", "18"] }
      - { id: q.fill-case, type: fill_in, text: "F", accepted: ["SW"], case_sensitive: true }
      - { id: q.num, type: numeric, text: "N", answer: 24, tolerance: 0.5 }
      - { id: q.likert, type: likert, text: "L", scale: 5, low: "no", high: "yes" }
      - { id: q.free, type: free_text, text: "Fr" }
"#;

/// Every question type's scoring: (question, response, score).
#[test]
fn every_question_type_scores_as_documented() {
    let m = quiz_module(ALL_TYPES, "");
    let NodeKind::Quiz { questions, .. } = &m.nodes[0].kind else { unreachable!() };
    let q = |id: &str| questions.iter().find(|q| q.id == id).expect(id);
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    let rows: Vec<(&str, Response, f64)> = vec![
        ("q.single", Response::Choice("o.a".into()), 1.0),
        ("q.single", Response::Choice("o.b".into()), 0.0),
        ("q.multi", Response::Choices(s(&["o.a", "o.b"])), 1.0),
        ("q.multi", Response::Choices(s(&["o.a"])), 0.5),
        ("q.multi", Response::Choices(s(&["o.a", "o.c"])), 0.0),
        ("q.multi", Response::Choices(s(&["o.a", "o.b", "o.c"])), 0.5),
        ("q.multi", Response::Choices(vec![]), 0.0),
        ("q.multi-strict", Response::Choices(s(&["o.a"])), 0.0),
        ("q.multi-strict", Response::Choices(s(&["o.b", "o.a"])), 1.0),
        ("q.tf", Response::Bool(false), 1.0),
        ("q.tf", Response::Bool(true), 0.0),
        ("q.order", Response::Order(s(&["i.1", "i.2", "i.3", "i.4"])), 1.0),
        ("q.order", Response::Order(s(&["i.1", "i.2", "i.4", "i.3"])), 0.5),
        ("q.order", Response::Order(s(&["i.4", "i.3", "i.2", "i.1"])), 0.0),
        ("q.match", Response::Matches(vec![pair("p.1", "p.1"), pair("p.2", "p.2")]), 1.0),
        ("q.match", Response::Matches(vec![pair("p.1", "p.2"), pair("p.2", "p.1")]), 0.0),
        ("q.fill", Response::Text("  social   WORKER ".into()), 1.0),
        ("q.fill", Response::Text("sw".into()), 1.0),
        ("q.fill", Response::Text("teacher".into()), 0.0),
        ("q.fill-ar", Response::Text("قيم".into()), 1.0),
        ("q.fill-ar", Response::Text("قیم".into()), 1.0),
        ("q.fill-ar", Response::Text("١٨".into()), 1.0),
        ("q.fill-case", Response::Text("sw".into()), 0.0),
        ("q.fill-case", Response::Text("SW".into()), 1.0),
        ("q.num", Response::Numeric(24.5), 1.0),
        ("q.num", Response::Numeric(23.4), 0.0),
        ("q.likert", Response::Scale(3), 1.0),
        ("q.free", Response::Text("anything".into()), 1.0),
    ];
    for (id, response, want) in rows {
        let got = score(&m, "en", q(id), &response).unwrap_or_else(|e| panic!("{id} {response:?}: {e:?}"));
        assert!((got - want).abs() < 1e-9, "{id} {response:?}: got {got}, want {want}");
    }
    // Responses that do not fit: (question, response).
    let bad: Vec<(&str, Response)> = vec![
        ("q.single", Response::Choice("o.zz".into())),
        ("q.single", Response::Bool(true)),
        ("q.multi", Response::Choices(s(&["o.a", "o.a"]))),
        ("q.order", Response::Order(s(&["i.1", "i.2"]))),
        ("q.match", Response::Matches(vec![pair("p.1", "p.1")])),
        ("q.match", Response::Matches(vec![pair("p.1", "p.9"), pair("p.2", "p.2")])),
        ("q.num", Response::Numeric(f64::NAN)),
        ("q.likert", Response::Scale(6)),
        ("q.likert", Response::Scale(0)),
        ("q.free", Response::Text("x".repeat(MAX_TEXT + 1))),
    ];
    for (id, response) in bad {
        assert!(score(&m, "en", q(id), &response).is_err(), "{id} {response:?} should not fit");
    }
}

fn answer(q: &str, r: Response) -> Action {
    Action::Answer { question: q.into(), response: r }
}

#[test]
fn attempts_let_a_learner_try_again_and_only_the_last_answer_counts() {
    let m = quiz_module(
        "      - id: q.one\n        type: single_choice\n        text: \"S\"\n        attempts: 2\n        points: 3\n        competency: know\n        options:\n          - { id: o.a, text: \"A\", correct: true }\n          - { id: o.b, text: \"B\", effects: { care: +1 } }\n",
        "",
    );
    let (mut s, _) = State::start(&m, "en", 1, 0);
    let e = act(&mut s, &m, answer("q.one", Response::Choice("o.b".into())));
    assert!(matches!(
        &e[..],
        [Event::QuestionAnswered { attempt: 1, final_answer: false, points_awarded: 0, .. }]
    ));
    assert_eq!(s.view(&m).question.unwrap().attempts_left, 1);
    assert!(!s.view(&m).can_continue);
    assert_eq!(s.score("care"), 0, "option effects wait for the answer that counts");
    let e = act(&mut s, &m, answer("q.one", Response::Choice("o.a".into())));
    assert!(matches!(
        &e[..],
        [Event::QuestionAnswered {
            attempt: 2,
            final_answer: true,
            points_awarded: 3,
            success: Some(true),
            ..
        }]
    ));
    assert_eq!(s.apply(&m, answer("q.one", Response::Choice("o.a".into())), 0), Err(ActionError::NotNow));
    act(&mut s, &m, Action::Continue);
    assert_eq!(s.outcome(&m).band.as_deref(), Some("good"));
    assert_eq!(s.outcome(&m).competencies[1].score, 3);
}

#[test]
fn quizzes_pass_on_their_pass_mark_and_partial_credit_rounds_to_points() {
    let m = quiz_module(ALL_TYPES, "    pass_mark: 0.5\n");
    let (mut s, _) = State::start(&m, "en", 3, 0);
    let responses = [
        ("q.single", Response::Choice("o.b".into())),
        ("q.multi", Response::Choices(vec!["o.a".into()])),
        ("q.multi-strict", Response::Choices(vec!["o.a".into(), "o.b".into()])),
        ("q.tf", Response::Bool(false)),
        ("q.order", Response::Order(vec!["i.1".into(), "i.2".into(), "i.3".into(), "i.4".into()])),
        ("q.match", Response::Matches(vec![("p.1".into(), "p.2".into()), ("p.2".into(), "p.1".into())])),
        ("q.fill", Response::Text("SW".into())),
        ("q.fill-ar", Response::Text("۱۸".into())),
        ("q.fill-case", Response::Text("sw".into())),
        ("q.num", Response::Numeric(24.0)),
        ("q.likert", Response::Scale(4)),
        ("q.free", Response::Text("ok".into())),
    ];
    for (q, r) in responses {
        act(&mut s, &m, answer(q, r));
        act(&mut s, &m, Action::Continue);
    }
    // Graded points: single 0/1, multi 1/2, strict 1, tf 1, order 1, match 0, fill 1, fill-ar 1,
    // fill-case 0, numeric 1 → 7 of 11, over the 0.5 pass mark.
    assert!(s.passed("n.q"));
    assert_eq!(s.outcome(&m).band.as_deref(), Some("good"));
    assert_eq!(s.score("know"), 1, "know gets round(2 × 0.5) from q.multi only");
    assert_eq!(s.score("care"), 1, "the effect of option o.b");
}

#[test]
fn a_question_bank_draws_the_same_questions_for_the_same_seed() {
    let m = quiz_module(ALL_TYPES, "    draw: 3\n");
    let drawn = |seed| {
        let (s, _) = State::start(&m, "en", seed, 0);
        s.quiz.as_ref().expect("in a quiz").order.clone()
    };
    assert_eq!(drawn(5), drawn(5));
    assert_eq!(drawn(5).len(), 3);
    let all: BTreeSet<Vec<usize>> = (0..20).map(drawn).collect();
    assert!(all.len() > 1, "different seeds draw different questions");
}

fn back_module(policy: &str) -> Module {
    module(&format!(
        "{}backtrack: {policy}\nstart: n.a\nnodes:\n  - {{ id: n.a, kind: narrative, text: \"A\", next: n.b }}\n  - id: n.b\n    kind: decision\n    text: \"B\"\n    backtrack: false\n    choices:\n      - {{ id: c.x, text: \"X\", effects: {{ care: +2 }}, next: n.c }}\n      - {{ id: c.y, text: \"Y\", next: n.c }}\n  - {{ id: n.c, kind: narrative, text: \"C\", next: n.end }}\n  - {{ id: n.end, kind: ending, band: good, text: \"E\" }}\n",
        HEAD
    ))
}

/// Going back, per policy: (policy, can go back from n.b to n.a, can go back from n.c to n.b).
#[test]
fn going_back_follows_the_policy_and_restores_the_state() {
    for (policy, from_b, from_c) in
        [("always", true, true), ("never", false, false), ("per_node", true, false)]
    {
        let m = back_module(policy);
        let (mut s, _) = State::start(&m, "en", 1, 0);
        act(&mut s, &m, Action::Continue);
        assert_eq!(s.view(&m).can_back, from_b, "{policy} from n.b");
        act(&mut s, &m, choose("c.x"));
        assert_eq!(s.score("care"), 2);
        assert_eq!(s.view(&m).can_back, from_c, "{policy} from n.c");
        if from_c {
            let e = act(&mut s, &m, Action::Back);
            assert!(
                e.iter().any(|e| matches!(e, Event::WentBack { from, to } if from == "n.c" && to == "n.b"))
            );
            assert_eq!(s.at(&m), "n.b");
            assert_eq!(s.score("care"), 0, "the choice is undone");
            assert!(!s.chose("c.x"));
            act(&mut s, &m, choose("c.y"));
        } else {
            assert_eq!(s.apply(&m, Action::Back, 9), Err(ActionError::NoBack));
        }
    }
}

/// A narrative, then a decision with feedback that forbids going back, then a quiz of one graded
/// question with `attempts`, then an ungraded one, then an ending.
fn committed_module(policy: &str, attempts: u32) -> Module {
    module(&format!(
        r#"{HEAD}backtrack: {policy}
start: n.a
nodes:
  - {{ id: n.a, kind: narrative, text: "A", next: n.b }}
  - id: n.b
    kind: decision
    text: "B"
    backtrack: false
    choices:
      - {{ id: c.x, text: "X", feedback: "Fx", effects: {{ care: +2 }}, next: n.q }}
      - {{ id: c.y, text: "Y", feedback: "Fy", next: n.q }}
  - id: n.q
    kind: quiz
    questions:
      - id: q.one
        type: single_choice
        text: "S"
        attempts: {attempts}
        options:
          - {{ id: o.a, text: "A", correct: true }}
          - {{ id: o.b, text: "B" }}
    next: n.l
  - id: n.l
    kind: quiz
    questions:
      - {{ id: q.l, type: likert, text: "L", scale: 3, low: "no", high: "yes" }}
    next: n.end
  - {{ id: n.end, kind: ending, band: good, text: "E" }}
"#
    ))
}

/// Going back never undoes what counts (issue: Back re-opened graded work): (where the learner is,
/// whether Back is offered). A choice at a `backtrack: false` decision cannot be changed, even from
/// its feedback; a graded answer is never re-opened, whether it was the last attempt or not; an
/// ungraded answer may be.
#[test]
fn going_back_never_reopens_graded_answers_or_locked_choices() {
    let m = committed_module("per_node", 2);
    let (mut s, _) = State::start(&m, "en", 1, 0);
    act(&mut s, &m, Action::Continue);
    assert!(s.view(&m).can_back, "nothing chosen at n.b yet: back to n.a is fine");
    act(&mut s, &m, choose("c.y"));
    assert_eq!(
        s.apply(&m, Action::Back, 5),
        Err(ActionError::NoBack),
        "from the feedback of a locked choice"
    );
    assert!(!s.actions(&m).contains(&Action::Back));
    act(&mut s, &m, Action::Continue);
    assert_eq!(s.at(&m), "n.q");
    assert!(!s.view(&m).can_back, "back into a backtrack: false decision");
    act(&mut s, &m, answer("q.one", Response::Choice("o.b".into())));
    assert!(!s.view(&m).can_back, "a wrong first attempt is not undone");
    act(&mut s, &m, answer("q.one", Response::Choice("o.a".into())));
    assert!(!s.view(&m).can_back, "nor the final answer");
    act(&mut s, &m, Action::Continue);
    assert_eq!(s.at(&m), "n.l");
    assert!(!s.view(&m).can_back, "back into the quiz would re-open it");
    act(&mut s, &m, answer("q.l", Response::Scale(2)));
    assert!(!s.view(&m).can_back, "still: the previous node holds a graded answer");

    // Under `always`, node flags do not lock choices, but graded answers still are never re-opened.
    let m = committed_module("always", 1);
    let (mut s, _) = State::start(&m, "en", 1, 0);
    act(&mut s, &m, Action::Continue);
    act(&mut s, &m, choose("c.x"));
    assert!(s.view(&m).can_back);
    act(&mut s, &m, Action::Continue);
    act(&mut s, &m, answer("q.one", Response::Choice("o.b".into())));
    assert_eq!(s.apply(&m, Action::Back, 5), Err(ActionError::NoBack));
    act(&mut s, &m, Action::Continue);
    act(&mut s, &m, answer("q.l", Response::Scale(1)));
    assert!(!s.view(&m).can_back);
}

fn shuffled_module(extra_choice: &str, extra_question: &str) -> Module {
    module(&format!(
        r#"{HEAD}start: n.d
nodes:
  - id: n.d
    kind: decision
    text: "D"{extra_choice}
    choices:
      - {{ id: c.1, text: "1", next: n.q }}
      - {{ id: c.2, text: "2", next: n.q }}
      - {{ id: c.3, text: "3", next: n.q }}
      - {{ id: c.4, text: "4", next: n.q }}
      - {{ id: c.none, text: "None", pin: true, next: n.q }}
  - id: n.q
    kind: quiz
    questions:
      - id: q.s
        type: single_choice
        text: "S"{extra_question}
        options:
          - {{ id: o.1, text: "1", correct: true }}
          - {{ id: o.2, text: "2" }}
          - {{ id: o.3, text: "3" }}
          - {{ id: o.4, text: "4" }}
          - {{ id: o.none, text: "None of these", pin: true }}
    next: n.end
  - {{ id: n.end, kind: ending, band: good, text: "E" }}
"#
    ))
}

fn choice_order(s: &State, m: &Module) -> Vec<String> {
    s.view(m).choices.iter().map(|c| c.id.clone()).collect()
}

/// Choices and options are shuffled per attempt from the seed (issue: the best option was always
/// first): the same order for the same seed, through save, resume and a language switch; other
/// seeds give other orders; pinned ones stay in place; `shuffle: false` keeps the authored order.
#[test]
fn choices_and_options_are_shuffled_per_attempt_with_pins_in_place() {
    let m = shuffled_module("", "");
    let mut decision_orders = BTreeSet::new();
    let mut option_orders = BTreeSet::new();
    for seed in 0..40 {
        let (mut s, _) = State::start(&m, "en", seed, 0);
        let order = choice_order(&s, &m);
        assert_eq!(order.last().map(String::as_str), Some("c.none"), "pinned last");
        assert_eq!(choice_order(&State::resume(&m, &s.save(), 9).unwrap().0, &m), order);
        s.set_language("ar");
        assert_eq!(choice_order(&s, &m), order);
        decision_orders.insert(order);
        act(&mut s, &m, choose("c.2"));
        let options = s.view(&m).question.unwrap().order;
        assert_eq!(options.last(), Some(&4), "pinned option last");
        assert_eq!(State::resume(&m, &s.save(), 9).unwrap().0.view(&m).question.unwrap().order, options);
        option_orders.insert(options);
    }
    assert!(decision_orders.len() > 10, "seeds give many orders: {decision_orders:?}");
    assert!(option_orders.len() > 10);
    let authored = ["c.1", "c.2", "c.3", "c.4", "c.none"];
    assert!(decision_orders.iter().any(|o| o[0] != "c.1"), "the first choice is not always first");

    let m = shuffled_module("\n    shuffle: false", "\n        shuffle: false");
    for seed in 0..10 {
        let (mut s, _) = State::start(&m, "en", seed, 0);
        assert_eq!(choice_order(&s, &m), authored);
        act(&mut s, &m, choose("c.1"));
        assert_eq!(s.view(&m).question.unwrap().order, vec![0, 1, 2, 3, 4]);
    }
}

/// After the last attempt, the view says whether to show the right answer; the right answer
/// scores full marks for every graded type, and per-part marks say what the learner got right.
#[test]
fn the_right_answer_is_shown_after_the_last_attempt_where_the_author_allows_it() {
    let m = quiz_module(ALL_TYPES, "");
    let NodeKind::Quiz { questions, .. } = &m.nodes[0].kind else { unreachable!() };
    for q in questions {
        match correct_response(&m, "en", q) {
            Some(r) => assert_eq!(score(&m, "en", q, &r), Ok(1.0), "{}", q.id),
            None => assert!(!q.body.is_graded(), "{}", q.id),
        }
    }
    let q = |id: &str| questions.iter().find(|q| q.id == id).unwrap();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    type Row<'a> = (&'a str, Response, Vec<(&'a str, bool)>);
    let marks: Vec<Row<'_>> = vec![
        ("q.single", Response::Choice("o.b".into()), vec![("o.b", false)]),
        ("q.multi", Response::Choices(s(&["o.a", "o.c"])), vec![("o.a", true), ("o.c", false)]),
        (
            "q.order",
            Response::Order(s(&["i.1", "i.3", "i.2", "i.4"])),
            vec![("i.1", true), ("i.3", false), ("i.2", false), ("i.4", true)],
        ),
        (
            "q.match",
            Response::Matches(vec![("p.1".into(), "p.2".into()), ("p.2".into(), "p.2".into())]),
            vec![("p.1", false), ("p.2", true)],
        ),
        ("q.tf", Response::Bool(true), vec![]),
    ];
    for (id, r, want) in marks {
        let got = part_marks(q(id), &r);
        let want: Vec<(String, bool)> = want.into_iter().map(|(a, b)| (a.to_string(), b)).collect();
        assert_eq!(got, want, "{id}");
    }

    let (mut st, _) = State::start(&m, "en", 42, 0);
    act(&mut st, &m, answer("q.single", Response::Choice("o.b".into())));
    assert!(st.view(&m).question.unwrap().show_answer, "wrong on the only attempt");
    let no_show = quiz_module(
        &ALL_TYPES.replacen("competency: know\n", "competency: know\n        show_answer: false\n", 1),
        "",
    );
    let (mut st, _) = State::start(&no_show, "en", 42, 0);
    act(&mut st, &no_show, answer("q.single", Response::Choice("o.b".into())));
    assert!(!st.view(&no_show).question.unwrap().show_answer, "the author said no");
    let (mut st, _) = State::start(&m, "en", 42, 0);
    act(&mut st, &m, answer("q.single", Response::Choice("o.a".into())));
    assert!(!st.view(&m).question.unwrap().show_answer, "right: nothing more to show");
}

#[test]
fn saved_state_resumes_to_the_same_place_and_fits_scorm_1_2() {
    let m = quiz_module(ALL_TYPES, "");
    let (mut s, _) = State::start(&m, "en", 42, 0);
    act(&mut s, &m, answer("q.single", Response::Choice("o.a".into())));
    act(&mut s, &m, Action::Continue);
    act(&mut s, &m, answer("q.multi", Response::Choices(vec!["o.a".into(), "o.c".into()])));
    act(&mut s, &m, Action::Continue);
    act(&mut s, &m, answer("q.multi-strict", Response::Choices(vec![])));
    act(&mut s, &m, Action::Continue);
    act(&mut s, &m, answer("q.tf", Response::Bool(true)));
    act(&mut s, &m, Action::Continue);
    act(
        &mut s,
        &m,
        answer("q.order", Response::Order(vec!["i.2".into(), "i.1".into(), "i.3".into(), "i.4".into()])),
    );
    act(&mut s, &m, Action::Continue);
    act(
        &mut s,
        &m,
        answer(
            "q.match",
            Response::Matches(vec![("p.1".into(), "p.1".into()), ("p.2".into(), "p.2".into())]),
        ),
    );
    act(&mut s, &m, Action::Continue);
    act(&mut s, &m, answer("q.fill", Response::Text("Ça va; 100% | \"yes\" @home".into())));
    let saved = s.save();
    assert!(saved.len() < 4096 && saved.bytes().all(|b| b.is_ascii_graphic() || b == b' '), "{saved}");
    assert!(!saved.contains(['"', '\\']), "safe inside any LMS field: {saved}");
    let (r, events, report) = State::resume(&m, &saved, 99_000).expect("resumes");
    assert_eq!(events, vec![Event::Resumed { changed_content: false }]);
    assert_eq!(report, ResumeReport { changed_content: false, replayed: 13, dropped: 0 });
    assert_eq!(r.save(), saved, "a resumed state saves the same");
    assert_eq!(r.at(&m), s.at(&m));
    assert_eq!(r.answers, s.answers);
    assert_eq!(r.view(&m).question.unwrap().question.id, "q.fill");
}

#[test]
fn resuming_on_changed_content_keeps_what_still_applies() {
    let m = scenario();
    let (mut s, _) = State::start(&m, "en", 7, 0);
    act(&mut s, &m, Action::Continue);
    act(&mut s, &m, choose("c.kind"));
    let saved = s.save();
    // The author renamed the choice: the first step still applies, the second no longer does.
    let mut changed = m.clone();
    if let NodeKind::Decision { choices, .. } = &mut changed.nodes[1].kind {
        choices[0].id = "c.gentle".into();
    }
    changed.content_hash = "0000000000000000".into();
    let (r, events, report) = State::resume(&changed, &saved, 5).expect("resumes");
    assert_eq!(events, vec![Event::Resumed { changed_content: true }]);
    assert_eq!(report, ResumeReport { changed_content: true, replayed: 1, dropped: 1 });
    assert_eq!(r.at(&changed), "n.choose");
}

#[test]
fn damaged_saved_state_is_an_error_not_a_panic() {
    let m = scenario();
    let h = &m.content_hash;
    let cases = [
        String::new(),
        "h9|x".into(),
        "h2|".into(),
        format!("h2|{h}|en|zz~|"),
        format!("h2|{h}|en|1|Q@1"),
        format!("h2|{h}|en|1|C@"),
        format!("h2|{h}|en|1|C@1;Hc.kind"),
        format!("h2|{h}|%zz|1|"),
        format!("h2|{h}|en|1|Aq=n1e999@1"),
        // More bits than an f64 has; and +∞.
        format!("h2|{h}|en|1|Aq=nzzzzzzzzzzzzzz@1"),
        format!("h2|{h}|en|1|Aq=n{}@1", u64_base36(f64::INFINITY.to_bits())),
    ];
    for bad in &cases {
        assert!(State::resume(&m, bad, 0).is_err(), "{bad:?}");
    }
    let (s, _) = State::start(&m, "en", 7, 0);
    let ok = s.save();
    let unchanged = format!("{ok}Hc.kind@1");
    assert!(State::resume(&m, &unchanged, 0).is_err(), "an action that does not apply to unchanged content");
}

#[test]
fn switching_language_keeps_progress() {
    let m = scenario();
    let (mut s, _) = State::start(&m, "en", 7, 0);
    act(&mut s, &m, Action::Continue);
    let e = s.set_language("ar");
    assert_eq!(e, vec![Event::LanguageChanged { from: "en".into(), to: "ar".into() }]);
    assert_eq!(s.at(&m), "n.choose");
    assert_eq!(s.lang(), "ar");
    assert!(s.save().contains("|ar|"));
    assert!(s.set_language("ar").is_empty());
}

#[test]
fn local_reflections_never_leave_the_device() {
    for (store, shared) in [("local", false), ("lrs", true)] {
        let m = module(&format!(
            "{HEAD}start: n.r\nnodes:\n  - {{ id: n.r, kind: reflection, store: {store}, text: \"R\", next: n.e }}\n  - {{ id: n.e, kind: ending, band: good, text: \"E\" }}\n"
        ));
        let (mut s, _) = State::start(&m, "en", 1, 0);
        let e = act(&mut s, &m, Action::Reflect { text: "I felt angry".into() });
        let text = e.iter().find_map(|e| match e {
            Event::ReflectionWritten { text, .. } => Some(text.clone()),
            _ => None,
        });
        assert_eq!(text, Some(shared.then(|| "I felt angry".to_string())), "{store}");
        assert_eq!(s.save().contains("angry"), shared, "{store}: {}", s.save());
    }
}

#[test]
fn nodes_left_report_the_time_the_caller_supplies() {
    let m = scenario();
    let (mut s, _) = State::start(&m, "en", 7, 1_000);
    let e = s.apply(&m, Action::Continue, 4_500).unwrap();
    assert!(e.contains(&Event::NodeLeft { node: "n.a".into(), duration_ms: 3_500 }));
    let e = s.apply(&m, choose("c.kind"), 6_000).unwrap();
    assert!(matches!(&e[..], [Event::ChoiceMade { duration_ms: 1_500, .. }]));
    let e = s.suspend(&m, 7_000);
    assert_eq!(e[1], Event::Suspended { node: "n.choose".into() });
}

#[test]
fn exploring_finds_endings_choices_and_score_ranges() {
    let m = scenario();
    let ex = explore(&m, 10_000);
    assert!(!ex.truncated);
    assert_eq!(ex.endings.keys().collect::<Vec<_>>(), ["n.bad", "n.good"]);
    assert!(ex.visible_choices.contains("c.kind") && ex.visible_choices.contains("c.secret"));
    assert!(!ex.visible_choices.contains("c.hidden"));
    assert_eq!(ex.max_at_end["care"], Some(4));
    assert_eq!(ex.min_at_end["care"], Some(-2));
    assert!(ex.stuck.is_empty() && ex.no_exit.is_empty());
    // The best path to each ending replays to that ending.
    for (ending, (path, _)) in &ex.best_at_ending {
        let (mut s, _) = State::start(&m, "en", 0, 0);
        for a in path {
            act(&mut s, &m, a.clone());
        }
        assert_eq!(s.at(&m), ending);
    }
}

fn u64_base36(mut n: u64) -> String {
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(char::from_digit((n % 36) as u32, 36).unwrap());
        n /= 36;
    }
    digits.iter().rev().collect()
}

mod props {
    use proptest::prelude::*;

    use super::*;

    fn graded(m: &Module, question: &str) -> bool {
        m.nodes.iter().any(|n| {
            matches!(&n.kind, NodeKind::Quiz { questions, .. }
                if questions.iter().any(|q| q.id == question && q.body.is_graded()))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any sequence of available actions never errors, keeps variables in bounds, ends, and
        /// survives save → resume with the same place and outcome.
        #[test]
        fn random_walks_are_safe(picks in proptest::collection::vec(0usize..16, 0..80), seed in 0u64..1000) {
            for m in [scenario(), quiz_module(ALL_TYPES, "    draw: 5\n"), committed_module("per_node", 2), committed_module("always", 1)] {
                let (mut s, _) = State::start(&m, "en", seed, 0);
                let mut t = 0;
                for p in &picks {
                    let actions = s.actions(&m);
                    if actions.is_empty() {
                        break;
                    }
                    t += 250;
                    let a = actions[p % actions.len()].clone();
                    let answers = s.answers.clone();
                    prop_assert!(s.apply(&m, a.clone(), t).is_ok(), "{:?} at {}", a, s.at(&m));
                    // Going back never takes away a graded answer that counted.
                    if a == Action::Back {
                        prop_assert!(answers.iter().filter(|(q, _)| graded(&m, q)).all(|(q, r)| s.answers.get(q) == Some(r)), "{:?}", answers);
                    }
                    prop_assert!(m.node(s.at(&m)).is_some());
                    if let Some(Value::Int(n)) = s.var("trust") {
                        prop_assert!((0..=3).contains(n));
                    }
                    let saved = s.save();
                    prop_assert!(saved.bytes().all(|b| b.is_ascii_graphic() || b == b' '));
                    let (r, _, report) = State::resume(&m, &saved, t).unwrap();
                    prop_assert_eq!(report.dropped, 0);
                    prop_assert_eq!(r.at(&m), s.at(&m));
                    prop_assert_eq!(r.outcome(&m), s.outcome(&m));
                }
                // Without going back, both modules end within a bounded number of steps.
                let (mut s, _) = State::start(&m, "en", seed, 0);
                let pick = |i: usize| picks.get(i % picks.len().max(1)).copied().unwrap_or(0);
                for (i, p) in (0..200).map(pick).enumerate() {
                    let actions: Vec<Action> = s.actions(&m).into_iter().filter(|a| *a != Action::Back).collect();
                    if actions.is_empty() {
                        break;
                    }
                    s.apply(&m, actions[p % actions.len()].clone(), i as u64).unwrap();
                }
                prop_assert!(s.is_finished());
            }
        }

        /// Whatever the walk, Back is never offered where it would undo a graded answer or a choice
        /// at a `backtrack: false` node, and where it is offered it works.
        #[test]
        fn back_never_undoes_what_counts(picks in proptest::collection::vec(0usize..16, 0..60), seed in 0u64..1000) {
            for m in [committed_module("per_node", 2), committed_module("always", 1), back_module("per_node")] {
                let (mut s, _) = State::start(&m, "en", seed, 0);
                for (t, p) in picks.iter().enumerate() {
                    let actions = s.actions(&m);
                    if actions.is_empty() {
                        break;
                    }
                    let a = actions[p % actions.len()].clone();
                    let (answers, chosen) = (s.answers.clone(), s.chosen.clone());
                    s.apply(&m, a.clone(), t as u64).unwrap();
                    if a == Action::Back {
                        prop_assert!(answers.keys().filter(|q| graded(&m, q)).all(|q| s.answers.contains_key(q)));
                        for c in chosen.difference(&s.chosen) {
                            let node = m.nodes.iter().find(|n| matches!(&n.kind, NodeKind::Decision { choices, .. } if choices.iter().any(|x| &x.id == c))).unwrap();
                            prop_assert!(m.backtrack == BacktrackPolicy::Always || node.backtrack != Some(false), "{} undone", c);
                        }
                    }
                }
            }
        }

        /// Numbers the player writes read back as the same number (to six decimals).
        #[test]
        fn numbers_written_read_back(millionths in -10_000_000_000_000i64..10_000_000_000_000) {
            let x = millionths as f64 / 1e6;
            let text = format_number(x);
            let back = scoring::decimal(&text).unwrap();
            prop_assert!((back - x).abs() < 1e-6, "{} → {} → {}", x, text, back);
        }

        /// The player's own decimal reader agrees exactly with the standard library's wherever it
        /// promises to (15 significant digits, 22 decimals).
        #[test]
        fn decimals_read_like_the_standard_library(int in 0u64..=999_999_999, frac in 0u64..=9_999_999_999_999, places in 0usize..=13, neg: bool) {
            // At most 15 significant digits: drop integer digits as decimals are added.
            let int = int % 10u64.pow(15u32.saturating_sub(places as u32).min(9));
            let frac = format!("{frac:013}");
            let text = format!("{}{int}.{}", if neg { "-" } else { "" }, &frac[..places]);
            prop_assert_eq!(scoring::decimal(&text), text.parse::<f64>().ok(), "{}", text);
        }
    }
}

/// (typed, number): digits and separators as learners type them.
#[test]
fn numbers_are_read_in_every_script() {
    let rows: &[(&str, Option<f64>)] = &[
        ("24", Some(24.0)),
        (" 24.5 ", Some(24.5)),
        ("24,5", Some(24.5)),
        ("116 000", Some(116000.0)),
        ("1,000.5", Some(1000.5)),
        ("۱۸", Some(18.0)),
        ("١٨٫٥", Some(18.5)),
        ("۱۱۶ ۰۰۰", Some(116000.0)),
        ("eighteen", None),
        ("", None),
        ("1e999", None),
        ("-3.25", Some(-3.25)),
        ("+7", Some(7.0)),
        (".5", Some(0.5)),
        ("5.", Some(5.0)),
        ("1.2.3", None),
        ("-", None),
        (".", None),
        ("0.1", Some(0.1)),
        ("0.000001", Some(1e-6)),
    ];
    for (typed, want) in rows {
        assert_eq!(parse_number(typed), *want, "{typed:?}");
    }
}

#[test]
fn an_ending_whose_band_does_not_pass_never_passes() {
    let m = module(&format!(
        "{}mastery: 0\nstart: n.a\nnodes:\n  - {{ id: n.a, kind: narrative, text: \"A\", next: n.end }}\n  - {{ id: n.end, kind: ending, band: poor, text: \"E\" }}\n",
        HEAD.replace("{ id: poor, title: \"Poor\" }", "{ id: poor, title: \"Poor\", pass: false }")
    ));
    let (mut s, _) = State::start(&m, "en", 1, 0);
    let e = act(&mut s, &m, Action::Continue);
    assert!(e.iter().any(|e| matches!(e, Event::EndingReached { passed: false, .. })));
    assert!(s.outcome(&m).completed && !s.outcome(&m).passed);
}
