//! Table-driven tests of the condition language: parse, print, check, evaluate.

use std::collections::BTreeMap;

use super::*;

/// A tiny scope/env pair standing in for a module and a state.
struct World {
    vars: BTreeMap<&'static str, (Ty, Value)>,
}

fn world() -> World {
    let mut vars = BTreeMap::new();
    vars.insert("trust", (Ty::Int, Value::Int(3)));
    vars.insert("promised", (Ty::Bool, Value::Bool(false)));
    let moods = vec!["calm".to_string(), "upset".to_string()];
    vars.insert("mood", (Ty::Enum { var: "mood".into(), values: moods }, Value::Sym("calm".into())));
    let topics = vec!["school".to_string(), "phone".to_string()];
    vars.insert(
        "topics",
        (Ty::Set { var: "topics".into(), values: topics }, Value::Set(vec!["school".into()])),
    );
    World { vars }
}

impl Scope for World {
    fn var_type(&self, name: &str) -> Option<Ty> {
        self.vars.get(name).map(|(t, _)| t.clone())
    }
    fn has_id(&self, kind: IdKind, id: &str) -> bool {
        match kind {
            IdKind::Competency => id == "safeguarding",
            IdKind::Node => id == "n.call",
            IdKind::Choice => id == "c.promise" || id == "c.listen",
            IdKind::Question => id == "q.who-to-call",
            IdKind::QuizNode => id == "n.quiz",
        }
    }
}

impl Env for World {
    fn var(&self, name: &str) -> Option<&Value> {
        self.vars.get(name).map(|(_, v)| v)
    }
    fn score(&self, c: &str) -> i64 {
        if c == "safeguarding" { 6 } else { 0 }
    }
    fn visited(&self, n: &str) -> bool {
        n == "n.call"
    }
    fn chose(&self, c: &str) -> bool {
        c == "c.listen"
    }
    fn correct(&self, _: &str) -> bool {
        true
    }
    fn answered(&self, _: &str) -> bool {
        true
    }
    fn passed(&self, _: &str) -> bool {
        false
    }
}

/// Each row: condition, its canonical form, and its value in `world()`.
#[test]
fn conditions_parse_print_and_evaluate() {
    let cases: &[(&str, &str, bool)] = &[
        ("trust >= 2", "trust >= 2", true),
        ("trust >= 2 and not chose(c.promise)", "trust >= 2 and not chose(c.promise)", true),
        ("score(safeguarding) >= 6", "score(safeguarding) >= 6", true),
        ("score(safeguarding) > 6", "score(safeguarding) > 6", false),
        ("visited(n.call)", "visited(n.call)", true),
        ("not visited(n.call) or promised", "not visited(n.call) or promised", false),
        ("(trust + 1) > 3", "trust + 1 > 3", true),
        ("trust - 1 == 2", "trust - 1 == 2", true),
        ("-1 < trust", "-1 < trust", true),
        ("mood == calm", "mood == calm", true),
        ("mood != upset", "mood != upset", true),
        ("school in topics", "school in topics", true),
        ("phone in topics", "phone in topics", false),
        ("not trust >= 5", "not trust >= 5", true),
        ("promised == false", "promised == false", true),
        ("true", "true", true),
        ("(promised or trust < 1) and true", "(promised or trust < 1) and true", false),
        (
            "correct(q.who-to-call) and answered(q.who-to-call)",
            "correct(q.who-to-call) and answered(q.who-to-call)",
            true,
        ),
        ("passed(n.quiz)", "passed(n.quiz)", false),
        ("not (trust > 1 and promised)", "not (trust > 1 and promised)", true),
        ("a or b and c", "a or b and c", false),
    ];
    let w = world();
    for (src, canonical, value) in cases {
        let e = parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        assert_eq!(e.to_string(), *canonical, "{src}");
        let again = parse(canonical).expect("canonical form parses");
        assert_eq!(again.to_string(), *canonical);
        if !src.starts_with("a or") {
            assert_eq!(e.check(&w), vec![], "{src}");
        }
        assert_eq!(e.eval(&w), *value, "{src}");
    }
}

/// Each row: condition, and the error with its span rendered as `start..end: message`.
#[test]
fn bad_conditions_say_where_and_what() {
    let cases: &[(&str, &str)] = &[
        ("", "0..0: the condition is empty"),
        ("trust >", "7..7: expected a value, found the end of the condition"),
        ("trust = 2", "6..7: `=` is not a comparison; write `==`"),
        ("trust >= 2 && promised", "11..12: unexpected `&`; write `and`"),
        ("1 < trust < 3", "10..11: comparisons cannot be chained; join them with `and` before `<`"),
        (
            "visit(n.call)",
            "0..5: unknown function `visit`; the functions are score, visited, chose, correct, answered, passed",
        ),
        ("score(3)", "6..7: expected a competency id inside `score(…)`, found `3`"),
        ("(trust > 2", "10..10: expected `)`, found the end of the condition"),
        ("trust > 2 promised", "10..18: expected `and`, `or` or the end of the condition, found `promised`"),
        ("trust > 2 $", "10..11: unexpected character `$`"),
        ("99999999999999999999 > 1", "0..20: the number `99999999999999999999` is too large"),
        ("and", "0..3: expected a value, found `and`"),
    ];
    for (src, want) in cases {
        let e = parse(src).expect_err(src);
        assert_eq!(format!("{}..{}: {}", e.span.start, e.span.end, e.message), *want, "{src}");
    }
}

/// Each row: a condition that parses but is ill-typed, and the checker's errors.
#[test]
fn type_errors_say_where_and_what() {
    let cases: &[(&str, &[&str])] = &[
        ("trust", &["0..5: a condition must be true/false, but this is a number"]),
        ("trsut >= 2", &["0..5: there is no variable `trsut`"]),
        ("promised > 1", &["0..8: expected a number, but this is true/false"]),
        ("mood == angry", &["8..13: `angry` is not a value of `mood` (calm, upset)"]),
        ("garden in topics", &["0..16: `garden` is not a member of the set `topics` (school, phone)"]),
        ("school in trust", &["10..15: `in` needs a set variable, but this is a number"]),
        ("score(empathy) > 1", &["0..14: `score(empathy)`: there is no competency `empathy`"]),
        ("visited(n.nowhere)", &["0..18: `visited(n.nowhere)`: there is no node `n.nowhere`"]),
        ("chose(c.listen) and trust", &["20..25: `and` joins true/false values, but this is a number"]),
        ("not trust", &["4..9: `not` needs true/false, but this is a number"]),
        ("trust == promised", &["0..17: cannot compare a number with true/false"]),
        ("trust > 1 and ghost", &["14..19: `and` joins true/false values, but this is the name `ghost`"]),
        // `-` belongs to ids (`q.who-to-call`), so subtraction needs spaces.
        ("trust-1 == 2", &["0..7: there is no variable `trust-1`"]),
    ];
    let w = world();
    for (src, want) in cases {
        let e = parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        let got: Vec<String> =
            e.check(&w).iter().map(|e| format!("{}..{}: {}", e.span.start, e.span.end, e.message)).collect();
        assert_eq!(got, *want, "{src}");
    }
}

#[test]
fn serialises_as_its_canonical_text() {
    let e = parse("trust>=2 and not chose(c.promise)").unwrap();
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(json, r#""trust >= 2 and not chose(c.promise)""#);
    let back: Expr = serde_json::from_str(&json).unwrap();
    assert_eq!(back.to_string(), e.to_string());
    let bad = serde_json::from_str::<Expr>(r#""trust >=""#).unwrap_err();
    assert!(bad.to_string().contains("condition `trust >=`"), "{bad}");
}

mod props {
    use proptest::prelude::*;

    use super::super::*;

    fn arb_expr() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            (0i64..100).prop_map(|n| n.to_string()),
            Just("trust".to_string()),
            Just("promised".to_string()),
            Just("score(safeguarding)".to_string()),
            Just("visited(n.call)".to_string()),
            Just("(school in topics)".to_string()),
        ];
        leaf.prop_recursive(4, 24, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} >= {b})")),
                inner.clone().prop_map(|a| format!("not ({a})")),
                inner.prop_map(|a| format!("-({a})")),
            ]
        })
    }

    proptest! {
        /// Printing keeps the tree: parse(print(e)) prints the same, and evaluates the same.
        #[test]
        fn print_parse_round_trip(src in arb_expr()) {
            let e = parse(&src).unwrap();
            let printed = e.to_string();
            let again = parse(&printed).unwrap();
            prop_assert_eq!(again.to_string(), printed);
            let w = super::world();
            prop_assert_eq!(e.eval(&w), again.eval(&w));
        }

        /// The parser never panics, whatever the text.
        #[test]
        fn parser_never_panics(src in "\\PC{0,40}") {
            let _ = parse(&src);
        }
    }
}
