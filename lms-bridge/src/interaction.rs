//! Questions as interactions: the type, the components, the correct-response patterns and the
//! learner's response, in the one string format xAPI and SCORM 2004 share (xAPI Data Appendix C,
//! SCORM 2004 RTE §4.2.9), and SCORM 1.2's older variant.

use content::engine::Response;
use content::model::{Module, Question, QuestionBody};
use serde_json::{Map, Value, json};

/// `cmi.interaction`'s `interactionType` (and SCORM 2004's `type`).
pub fn kind(q: &Question) -> &'static str {
    match q.body {
        QuestionBody::SingleChoice { .. } | QuestionBody::MultipleChoice { .. } => "choice",
        QuestionBody::TrueFalse { .. } => "true-false",
        QuestionBody::Ordering { .. } => "sequencing",
        QuestionBody::Matching { .. } => "matching",
        QuestionBody::FillIn { .. } => "fill-in",
        QuestionBody::Numeric { .. } => "numeric",
        QuestionBody::Likert { .. } => "likert",
        QuestionBody::FreeText => "long-fill-in",
    }
}

/// A number as xAPI and SCORM print it (shortest form that reads back the same).
pub fn number(x: f64) -> String {
    serde_json::Number::from_f64(x).map_or_else(|| "0".into(), |n| n.to_string())
}

/// The patterns a correct answer matches; `None` when any answer is right (ungraded questions:
/// xAPI says to leave the property out then).
pub fn correct_patterns(m: &Module, lang: &str, q: &Question) -> Option<Vec<String>> {
    Some(match &q.body {
        QuestionBody::SingleChoice { options } => {
            options.iter().filter(|o| o.correct).map(|o| o.id.clone()).collect()
        }
        QuestionBody::MultipleChoice { options, .. } => {
            vec![options.iter().filter(|o| o.correct).map(|o| o.id.as_str()).collect::<Vec<_>>().join("[,]")]
        }
        QuestionBody::TrueFalse { answer, .. } => vec![answer.to_string()],
        QuestionBody::Ordering { items, .. } => {
            vec![items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join("[,]")]
        }
        QuestionBody::Matching { pairs, .. } => {
            vec![pairs.iter().map(|p| format!("{0}[.]{0}", p.id)).collect::<Vec<_>>().join("[,]")]
        }
        QuestionBody::FillIn { accepted, case_sensitive } => m
            .text(lang, accepted)
            .split('|')
            .map(|a| format!("{{case_matters={case_sensitive}}}{{lang={lang}}}{}", a.trim()))
            .collect(),
        QuestionBody::Numeric { answer, tolerance } => {
            vec![format!("{}[:]{}", number(answer - tolerance), number(answer + tolerance))]
        }
        QuestionBody::Likert { .. } | QuestionBody::FreeText => return None,
    })
}

/// The learner's response in the pattern format.
pub fn response(r: &Response) -> String {
    match r {
        Response::Choice(id) => id.clone(),
        Response::Choices(ids) | Response::Order(ids) => ids.join("[,]"),
        Response::Bool(b) => b.to_string(),
        Response::Matches(pairs) => {
            pairs.iter().map(|(a, b)| format!("{a}[.]{b}")).collect::<Vec<_>>().join("[,]")
        }
        Response::Text(t) => t.clone(),
        Response::Numeric(n) => number(*n),
        Response::Scale(n) => n.to_string(),
    }
}

/// A language map with the learner's language and the module's source language.
pub fn language_map(m: &Module, lang: &str, key: &str) -> Value {
    let mut map = Map::new();
    map.insert(lang.to_string(), m.text(lang, key).into());
    if lang != m.source_lang {
        map.insert(m.source_lang.clone(), m.text(&m.source_lang, key).into());
    }
    Value::Object(map)
}

/// The interaction's components (`choices`, `scale`, `source`/`target`), each
/// `{id, description}` in the learner's and the source language.
pub fn components(m: &Module, lang: &str, q: &Question) -> Map<String, Value> {
    let component = |id: &str, key: &str| json!({ "id": id, "description": language_map(m, lang, key) });
    let mut out = Map::new();
    match &q.body {
        QuestionBody::SingleChoice { options } | QuestionBody::MultipleChoice { options, .. } => {
            out.insert("choices".into(), options.iter().map(|o| component(&o.id, &o.text)).collect());
        }
        QuestionBody::Ordering { items, .. } => {
            out.insert("choices".into(), items.iter().map(|i| component(&i.id, &i.text)).collect());
        }
        QuestionBody::Matching { pairs, .. } => {
            out.insert("source".into(), pairs.iter().map(|p| component(&p.id, &p.prompt)).collect());
            out.insert("target".into(), pairs.iter().map(|p| component(&p.id, &p.answer)).collect());
        }
        QuestionBody::Likert { scale, low, high } => {
            let scale: Vec<Value> = (1..=*scale)
                .map(|n| {
                    let description = if n == 1 {
                        language_map(m, lang, low)
                    } else if n == *scale {
                        language_map(m, lang, high)
                    } else {
                        json!({ lang: n.to_string() })
                    };
                    json!({ "id": n.to_string(), "description": description })
                })
                .collect();
            out.insert("scale".into(), scale.into());
        }
        _ => {}
    }
    out
}

/// SCORM 1.2's interaction type: it has no `long-fill-in`.
pub fn scorm12_kind(q: &Question) -> &'static str {
    match kind(q) {
        "long-fill-in" => "fill-in",
        k => k,
    }
}

/// SCORM 1.2 spells lists with `,` and pairs with `.`, and true/false as `t`/`f`; its fields hold
/// 255 characters.
pub fn scorm12_pattern(kind: &str, pattern: &str) -> String {
    let p = match kind {
        "true-false" => if pattern == "true" { "t" } else { "f" }.to_string(),
        "numeric" => pattern.split("[:]").next().unwrap_or("").to_string(),
        _ => pattern.replace("[,]", ",").replace("[.]", "."),
    };
    truncate(&p, 255)
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => s[..at].to_string(),
        None => s.to_string(),
    }
}
