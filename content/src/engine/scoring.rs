//! Scoring one answer to one question: a pure function from (question, response) to a score in
//! 0..=1, with partial credit as the author chose. See docs/format.md, "Quizzes".

use serde::{Deserialize, Serialize};

use crate::model::{Module, Partial, Question, QuestionBody};

/// What a learner answered. Ids are option, item or pair ids of the question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Response {
    /// Single choice.
    Choice(String),
    /// Multiple choice.
    Choices(Vec<String>),
    /// True/false.
    Bool(bool),
    /// Ordering: item ids in the learner's order.
    Order(Vec<String>),
    /// Matching: (pair id of the prompt, pair id whose match the learner chose).
    Matches(Vec<(String, String)>),
    /// Fill-in and free text.
    Text(String),
    Numeric(f64),
    /// Likert: 1..=scale.
    Scale(u8),
}

/// The longest text answer kept; longer answers are refused rather than cut silently.
pub const MAX_TEXT: usize = 2000;

/// Why a response does not fit its question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadResponse(pub String);

/// The score of `response` in 0..=1, or why it does not fit the question. Ungraded types score 1
/// for any well-formed answer (they give no points: their `points` are 0).
pub fn score(m: &Module, lang: &str, q: &Question, response: &Response) -> Result<f64, BadResponse> {
    let bad = |msg: String| Err(BadResponse(msg));
    match (&q.body, response) {
        (QuestionBody::SingleChoice { options }, Response::Choice(id)) => {
            match options.iter().find(|o| &o.id == id) {
                Some(o) => Ok(if o.correct { 1.0 } else { 0.0 }),
                None => bad(format!("`{id}` is not an option of `{}`", q.id)),
            }
        }
        (QuestionBody::MultipleChoice { options, partial }, Response::Choices(ids)) => {
            let mut seen = Vec::new();
            for id in ids {
                if !options.iter().any(|o| &o.id == id) {
                    return bad(format!("`{id}` is not an option of `{}`", q.id));
                }
                if seen.contains(&id) {
                    return bad(format!("`{id}` is picked twice"));
                }
                seen.push(id);
            }
            let correct = options.iter().filter(|o| o.correct).count().max(1) as f64;
            let right = options.iter().filter(|o| o.correct && ids.contains(&o.id)).count() as f64;
            let wrong = options.iter().filter(|o| !o.correct && ids.contains(&o.id)).count() as f64;
            let exact = right == correct && wrong == 0.0;
            Ok(match partial {
                Partial::None => f64::from(u8::from(exact)),
                Partial::Proportional => ((right - wrong) / correct).max(0.0),
            })
        }
        (QuestionBody::TrueFalse { answer, .. }, Response::Bool(b)) => Ok(f64::from(u8::from(answer == b))),
        (QuestionBody::Ordering { items, partial }, Response::Order(ids)) => {
            if ids.len() != items.len() || !items.iter().all(|i| ids.contains(&i.id)) {
                return bad(format!(
                    "an order for `{}` must list each of its {} items once",
                    q.id,
                    items.len()
                ));
            }
            let in_place = items.iter().zip(ids).filter(|(i, id)| &i.id == *id).count();
            Ok(proportion(in_place, items.len(), *partial))
        }
        (QuestionBody::Matching { pairs, partial }, Response::Matches(matches)) => {
            if matches.len() != pairs.len()
                || !pairs.iter().all(|p| matches.iter().filter(|(a, _)| *a == p.id).count() == 1)
            {
                return bad(format!(
                    "a matching for `{}` must match each of its {} prompts once",
                    q.id,
                    pairs.len()
                ));
            }
            if let Some((_, b)) = matches.iter().find(|(_, b)| !pairs.iter().any(|p| &p.id == b)) {
                return bad(format!("`{b}` is not a pair of `{}`", q.id));
            }
            let right = matches.iter().filter(|(a, b)| a == b).count();
            Ok(proportion(right, pairs.len(), *partial))
        }
        (QuestionBody::FillIn { accepted, case_sensitive }, Response::Text(text)) => {
            check_text(text)?;
            let given = normalise(text, *case_sensitive);
            // Answers in the learner's language and in the source language both count: a learner
            // may well answer with the source-language term.
            let ok = [lang, m.source_lang.as_str()]
                .iter()
                .flat_map(|l| m.text(l, accepted).split('|'))
                .any(|a| normalise(a, *case_sensitive) == given);
            Ok(f64::from(u8::from(ok)))
        }
        (QuestionBody::Numeric { answer, tolerance }, Response::Numeric(x)) => {
            if !x.is_finite() {
                return bad("the answer must be a number".into());
            }
            Ok(f64::from(u8::from((x - answer).abs() <= *tolerance + 1e-9)))
        }
        (QuestionBody::Likert { scale, .. }, Response::Scale(n)) => {
            if !(1..=*scale).contains(n) {
                return bad(format!("the scale of `{}` goes from 1 to {scale}", q.id));
            }
            Ok(1.0)
        }
        (QuestionBody::FreeText, Response::Text(text)) => check_text(text).map(|_| 1.0),
        (body, _) => {
            bad(format!("`{}` is a {} question; that answer does not fit it", q.id, body.type_name()))
        }
    }
}

/// The right answer to a graded question, as a response the player can show beside the learner's
/// own: every correct option, the items in order, each prompt with its match, the first accepted
/// text in the learner's language, the number. `None` for ungraded questions.
pub fn correct_response(m: &Module, lang: &str, q: &Question) -> Option<Response> {
    Some(match &q.body {
        QuestionBody::SingleChoice { options } => {
            Response::Choice(options.iter().find(|o| o.correct)?.id.clone())
        }
        QuestionBody::MultipleChoice { options, .. } => {
            Response::Choices(options.iter().filter(|o| o.correct).map(|o| o.id.clone()).collect())
        }
        QuestionBody::TrueFalse { answer, .. } => Response::Bool(*answer),
        QuestionBody::Ordering { items, .. } => Response::Order(items.iter().map(|i| i.id.clone()).collect()),
        QuestionBody::Matching { pairs, .. } => {
            Response::Matches(pairs.iter().map(|p| (p.id.clone(), p.id.clone())).collect())
        }
        QuestionBody::FillIn { accepted, .. } => {
            Response::Text(m.text(lang, accepted).split('|').next().unwrap_or("").trim().to_string())
        }
        QuestionBody::Numeric { answer, .. } => Response::Numeric(*answer),
        QuestionBody::Likert { .. } | QuestionBody::FreeText => return None,
    })
}

/// Whether each part of an answer is right, for marking the learner's own answer after it is
/// checked: each option picked (choice questions), each item where the learner placed it
/// (ordering, by item id), each prompt's match (matching, by the prompt's pair id). Questions
/// answered in one piece (true/false, texts, numbers, scales) have no parts.
pub fn part_marks(q: &Question, response: &Response) -> Vec<(String, bool)> {
    match (&q.body, response) {
        (QuestionBody::SingleChoice { options }, Response::Choice(id)) => {
            options.iter().filter(|o| &o.id == id).map(|o| (o.id.clone(), o.correct)).collect()
        }
        (QuestionBody::MultipleChoice { options, .. }, Response::Choices(ids)) => {
            options.iter().filter(|o| ids.contains(&o.id)).map(|o| (o.id.clone(), o.correct)).collect()
        }
        (QuestionBody::Ordering { items, .. }, Response::Order(ids)) => {
            ids.iter().zip(items).map(|(id, item)| (id.clone(), *id == item.id)).collect()
        }
        (QuestionBody::Matching { .. }, Response::Matches(matches)) => {
            matches.iter().map(|(prompt, chosen)| (prompt.clone(), prompt == chosen)).collect()
        }
        _ => Vec::new(),
    }
}

fn check_text(text: &str) -> Result<(), BadResponse> {
    if text.chars().count() > MAX_TEXT {
        return Err(BadResponse(format!("answers are limited to {MAX_TEXT} characters")));
    }
    Ok(())
}

fn proportion(right: usize, of: usize, partial: Partial) -> f64 {
    match partial {
        Partial::None => f64::from(u8::from(right == of)),
        Partial::Proportional => right as f64 / of.max(1) as f64,
    }
}

/// Surrounding and repeated spaces never matter; case matters only when the author says so.
/// Arabic-Indic and Persian digits count as the digits they are, and the Arabic and Persian forms
/// of ye and kaf as one letter, so a learner's keyboard never makes a right answer wrong.
fn normalise(s: &str, case_sensitive: bool) -> String {
    let joined = fold_script(s).split_whitespace().collect::<Vec<_>>().join(" ");
    if case_sensitive { joined } else { joined.to_lowercase() }
}

fn fold_script(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            // ي and ى are written ی on Persian keyboards, ك is written ک.
            '\u{064A}' | '\u{0649}' => '\u{06CC}',
            '\u{0643}' => '\u{06A9}',
            // The Arabic decimal and thousands separators.
            '\u{066B}' => '.',
            '\u{066C}' => ',',
            _ => c,
        })
        .collect()
}

/// Reads a number as learners type it: Latin, Arabic-Indic or Persian digits, and a decimal
/// comma or point. Spaces used as thousands separators are ignored.
pub fn parse_number(s: &str) -> Option<f64> {
    let folded: String = fold_script(s).chars().filter(|c| !c.is_whitespace()).collect();
    let folded = if folded.contains('.') { folded.replace(',', "") } else { folded.replace(',', ".") };
    decimal(&folded)
}

/// `[+-]digits[.digits]` as the nearest `f64`. Not `str::parse`: the player ships as WebAssembly,
/// and core's float parser brings about 15 KB of compressed tables for exponents and digit counts a
/// learner never types. Up to 15 significant digits and 22 decimals this is exact (correctly
/// rounded: both parts are exact in `f64` and IEEE division rounds once); beyond that it is within
/// a few units in the last place, far inside any tolerance an author sets.
pub(crate) fn decimal(s: &str) -> Option<f64> {
    let (negative, s) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() || !(int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    let mut mantissa = 0.0_f64;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa * 10.0 + f64::from(b - b'0');
    }
    let mut scale = frac.len();
    let mut value = mantissa;
    // 10^22 is the largest power of ten an f64 holds exactly.
    while scale > 22 {
        value /= 1e22;
        scale -= 22;
    }
    value /= POW10[scale];
    let value = if negative { -value } else { value };
    value.is_finite().then_some(value)
}

/// Writes a number as [`decimal`] reads it, with up to six decimals and no trailing zeros
/// (`2.5`, `-0.125`, `116000`): integer arithmetic only, for the same reason as `decimal`.
pub fn format_number(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let millionths = (x.abs() * 1e6).round();
    if millionths >= 9.0e18 {
        return String::new();
    }
    let millionths = millionths as u64;
    let (int, frac) = (millionths / 1_000_000, millionths % 1_000_000);
    let sign = if x < 0.0 && millionths > 0 { "-" } else { "" };
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let frac = format!("{frac:06}");
    format!("{sign}{int}.{}", frac.trim_end_matches('0'))
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
];

/// Points a question gives for a score: `round(points × score)` as whole competency points, so a
/// half-right two-point question gives 1.
pub fn competency_points(q: &Question, score: f64) -> i32 {
    (q.points * score).round() as i32
}
