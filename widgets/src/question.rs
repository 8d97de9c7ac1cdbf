//! Question forms for every question type, and the reflection note. Every type works by tap and
//! by keyboard alone: ordering uses move-up/move-down buttons and matching uses selects, never
//! drag and drop.

use std::collections::BTreeSet;
use std::rc::Rc;

use content::engine::{Action, QuestionView, Response, correct_response, format_number, part_marks};
use content::model::{QuestionBody, ReflectionStore};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::app::Model;
use crate::i18n::Strings;

#[derive(Properties, PartialEq)]
pub(crate) struct QuestionProps {
    pub(crate) model: Rc<Model>,
    pub(crate) question: String,
    pub(crate) on_action: Callback<Action>,
}

/// The learner's answer while they are still making it.
#[derive(Clone, PartialEq)]
enum Draft {
    Choice(Option<String>),
    Choices(BTreeSet<String>),
    Bool(Option<bool>),
    /// Item indices in the learner's order.
    Order(Vec<usize>),
    /// For each prompt (pair index), the chosen match (pair index).
    Matches(Vec<Option<usize>>),
    Text(String),
    Scale(Option<u8>),
}

impl Draft {
    fn new(q: &QuestionView<'_>) -> Draft {
        match &q.question.body {
            QuestionBody::SingleChoice { .. } => Draft::Choice(None),
            QuestionBody::MultipleChoice { .. } => Draft::Choices(BTreeSet::new()),
            QuestionBody::TrueFalse { .. } => Draft::Bool(None),
            QuestionBody::Ordering { .. } => Draft::Order(q.order.clone()),
            QuestionBody::Matching { pairs, .. } => Draft::Matches(vec![None; pairs.len()]),
            QuestionBody::FillIn { .. } | QuestionBody::FreeText | QuestionBody::Numeric { .. } => {
                Draft::Text(String::new())
            }
            QuestionBody::Likert { .. } => Draft::Scale(None),
        }
    }

    /// The learner's checked answer, back in the form's terms: after "Check answer" (and after a
    /// reload) the form shows what the learner answered, never an empty form.
    fn from_response(q: &QuestionView<'_>, r: &Response) -> Draft {
        let body = &q.question.body;
        match (r, body) {
            (Response::Choice(id), _) => Draft::Choice(Some(id.clone())),
            (Response::Choices(ids), _) => Draft::Choices(ids.iter().cloned().collect()),
            (Response::Bool(b), _) => Draft::Bool(Some(*b)),
            (Response::Order(ids), QuestionBody::Ordering { items, .. }) => {
                Draft::Order(ids.iter().filter_map(|id| items.iter().position(|i| &i.id == id)).collect())
            }
            (Response::Matches(ms), QuestionBody::Matching { pairs, .. }) => Draft::Matches(
                pairs
                    .iter()
                    .map(|p| {
                        let chosen = ms.iter().find(|(a, _)| *a == p.id)?;
                        pairs.iter().position(|x| x.id == chosen.1)
                    })
                    .collect(),
            ),
            (Response::Text(t), _) => Draft::Text(t.clone()),
            (Response::Numeric(x), _) => Draft::Text(format_number(*x)),
            (Response::Scale(n), _) => Draft::Scale(Some(*n)),
            _ => Draft::new(q),
        }
    }

    /// The engine response, once the draft is complete.
    fn response(&self, q: &QuestionView<'_>) -> Option<Response> {
        let body = &q.question.body;
        Some(match (self, body) {
            (Draft::Choice(c), _) => Response::Choice(c.clone()?),
            // In the author's order, as the engine reports them.
            (Draft::Choices(c), QuestionBody::MultipleChoice { options, .. }) => Response::Choices(
                options.iter().filter(|o| c.contains(&o.id)).map(|o| o.id.clone()).collect(),
            ),
            (Draft::Bool(b), _) => Response::Bool((*b)?),
            (Draft::Order(o), QuestionBody::Ordering { items, .. }) => {
                Response::Order(o.iter().map(|&i| items[i].id.clone()).collect())
            }
            (Draft::Matches(ms), QuestionBody::Matching { pairs, .. }) => Response::Matches(
                ms.iter()
                    .enumerate()
                    .map(|(p, chosen)| Some((pairs[p].id.clone(), pairs[(*chosen)?].id.clone())))
                    .collect::<Option<_>>()?,
            ),
            (Draft::Text(t), QuestionBody::Numeric { .. }) => {
                Response::Numeric(content::engine::parse_number(t)?)
            }
            (Draft::Text(t), QuestionBody::FillIn { .. }) if t.trim().is_empty() => return None,
            (Draft::Text(t), _) => Response::Text(t.clone()),
            (Draft::Scale(n), _) => Response::Scale((*n)?),
            _ => return None,
        })
    }
}

/// "Correct", "Not quite" or "Partly correct", and the feedback texts, as one announcement.
pub(crate) fn verdict_text(m: &Model, q: &QuestionView<'_>) -> String {
    let Some(a) = &q.answered else { return String::new() };
    let (verdict, texts) = verdict(m, q, a.score, &a.response);
    let mut out = verdict;
    for t in texts {
        out.push(' ');
        out.push_str(&t);
    }
    if !a.final_answer {
        out.push(' ');
        out.push_str(&m.strings.get_n("attempts-left", "n", i64::from(q.attempts_left)));
    }
    if let Some(answer) = right_answer_text(m, q) {
        out.push(' ');
        out.push_str(&m.strings.get("right-answer"));
        out.push_str(": ");
        out.push_str(&answer);
    }
    if out.is_empty() {
        out = m.strings.get("answer-recorded");
    }
    out
}

/// The right answer in words, when the view says to show it.
fn right_answer_text(m: &Model, q: &QuestionView<'_>) -> Option<String> {
    if !q.show_answer {
        return None;
    }
    let t = |k: &str| m.module.text(&m.lang, k).to_string();
    let body = &q.question.body;
    Some(match (correct_response(&m.module, &m.lang, q.question)?, body) {
        (Response::Choice(id), QuestionBody::SingleChoice { options }) => {
            options.iter().find(|o| o.id == id).map(|o| t(&o.text))?
        }
        (Response::Choices(ids), QuestionBody::MultipleChoice { options, .. }) => {
            options.iter().filter(|o| ids.contains(&o.id)).map(|o| t(&o.text)).collect::<Vec<_>>().join("; ")
        }
        (Response::Bool(b), _) => m.strings.get(if b { "answer-true" } else { "answer-false" }),
        (Response::Order(_), QuestionBody::Ordering { items, .. }) => items
            .iter()
            .enumerate()
            .map(|(i, it)| format!("{}. {}", i + 1, t(&it.text)))
            .collect::<Vec<_>>()
            .join("; "),
        (Response::Matches(_), QuestionBody::Matching { pairs, .. }) => pairs
            .iter()
            .map(|p| format!("{} – {}", t(&p.prompt), t(&p.answer)))
            .collect::<Vec<_>>()
            .join("; "),
        (Response::Text(text), _) => text,
        (Response::Numeric(x), _) => format_number(x),
        _ => return None,
    })
}

/// A mark beside one part of a checked answer: right, not right, or the right answer the learner
/// did not give. The symbol is decoration; the word is what is read out.
fn mark(s: &Strings, mark: Option<bool>, missed: bool) -> Html {
    let (class, symbol, word) = match (mark, missed) {
        (Some(true), _) => ("h-mark h-mark-right", "✓", "mark-right"),
        (Some(false), _) => ("h-mark h-mark-wrong", "✗", "mark-wrong"),
        (None, true) => ("h-mark h-mark-answer", "→", "right-answer"),
        (None, false) => return Html::default(),
    };
    html! { <span class={class}><span aria-hidden="true">{ symbol }{ " " }</span>{ s.get(word) }</span> }
}

/// The verdict and the feedback texts for an answer.
fn verdict(m: &Model, q: &QuestionView<'_>, score: f64, response: &Response) -> (String, Vec<String>) {
    let s = &m.strings;
    let t = |k: &str| m.module.text(&m.lang, k).to_string();
    let question = q.question;
    let mut texts = Vec::new();
    let verdict = if !question.body.is_graded() {
        String::new()
    } else if score >= 1.0 - 1e-9 {
        texts.extend(question.feedback_correct.as_deref().map(t));
        s.get("feedback-correct")
    } else if score > 0.0 {
        texts.extend(question.feedback_partial.as_deref().or(question.feedback_incorrect.as_deref()).map(t));
        s.get("feedback-partial")
    } else {
        texts.extend(question.feedback_incorrect.as_deref().map(t));
        s.get("feedback-incorrect")
    };
    match (&question.body, response) {
        (QuestionBody::SingleChoice { options }, Response::Choice(id)) => {
            texts.extend(options.iter().filter(|o| &o.id == id).filter_map(|o| o.feedback.as_deref()).map(t));
        }
        (QuestionBody::MultipleChoice { options, .. }, Response::Choices(ids)) => {
            texts.extend(
                options.iter().filter(|o| ids.contains(&o.id)).filter_map(|o| o.feedback.as_deref()).map(t),
            );
        }
        (QuestionBody::TrueFalse { feedback_true, feedback_false, .. }, Response::Bool(b)) => {
            texts.extend(if *b { feedback_true } else { feedback_false }.as_deref().map(t));
        }
        _ => {}
    }
    (verdict, texts)
}

#[function_component(QuestionForm)]
pub(crate) fn question_form(props: &QuestionProps) -> Html {
    let m = &*props.model;
    let state = m.state.as_ref().expect("a question shows only while playing");
    let view = state.view(&m.module);
    let q = view.question.expect("the view has a question");
    // A question already answered (checked a moment ago, or before a reload) shows that answer.
    let draft = use_state(|| {
        q.answered.as_ref().map_or_else(|| Draft::new(&q), |a| Draft::from_response(&q, &a.response))
    });
    let s = &m.strings;
    let t = |k: &str| m.module.text(&m.lang, k).to_string();
    let question = q.question;
    let done = q.answered.as_ref().is_some_and(|a| a.final_answer);
    // Once the answer counts, each part of it is marked, and the right answer shown where allowed.
    let marks = match (&q.answered, done && question.body.is_graded()) {
        (Some(a), true) => part_marks(question, &a.response),
        _ => Vec::new(),
    };
    let mark_of = |id: &str| marks.iter().find(|(p, _)| p == id).map(|(_, ok)| *ok);
    let right = if q.show_answer { correct_response(&m.module, &m.lang, question) } else { None };
    let legend_id = format!("h-q-{}", question.id);
    // Ordering: the item just moved and the button that moved it, so focus follows the item to its
    // new place (not stay on the row it left).
    let moved = use_state(|| None::<(String, &'static str)>);
    let form = use_node_ref();
    {
        let form = form.clone();
        use_effect_with((*moved).clone(), move |moved| {
            let Some((item, action)) = moved else { return };
            let Some(form) = form.cast::<web_sys::Element>() else { return };
            let find = |action: &str| {
                form.query_selector(&format!(
                    "[data-item=\"{item}\"] [data-action=\"{action}\"]:not([disabled])"
                ))
                .ok()
                .flatten()
                .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
            };
            // At the top or bottom its button is disabled: the other one keeps focus on the item.
            let other = if *action == "move-up" { "move-down" } else { "move-up" };
            if let Some(b) = find(action).or_else(|| find(other)) {
                let _ = b.focus();
            }
        });
    }
    let set = |d: Draft| {
        let draft = draft.clone();
        Callback::from(move |_| draft.set(d.clone()))
    };
    let inputs = match (&question.body, &*draft) {
        (QuestionBody::SingleChoice { options }, Draft::Choice(sel)) => html! {
            { for q.order.iter().map(|&i| {
                let o = &options[i];
                let missed = matches!(&right, Some(Response::Choice(id)) if *id == o.id);
                html! {
                    <label class="h-option" data-mark={mark_attr(mark_of(&o.id), missed)}>
                        <input type="radio" name={legend_id.clone()} data-option={o.id.clone()} checked={sel.as_ref() == Some(&o.id)} disabled={done}
                            onchange={set(Draft::Choice(Some(o.id.clone())))} />
                        <span>{ t(&o.text) }</span>
                        { mark(s, mark_of(&o.id), missed) }
                    </label>
                }
            }) }
        },
        (QuestionBody::MultipleChoice { options, .. }, Draft::Choices(sel)) => html! {
            { for q.order.iter().map(|&i| {
                let o = &options[i];
                let mut next = sel.clone();
                if !next.remove(&o.id) {
                    next.insert(o.id.clone());
                }
                let missed = matches!(&right, Some(Response::Choices(ids)) if ids.contains(&o.id));
                html! {
                    <label class="h-option" data-mark={mark_attr(mark_of(&o.id), missed)}>
                        <input type="checkbox" data-option={o.id.clone()} checked={sel.contains(&o.id)} disabled={done} onchange={set(Draft::Choices(next))} />
                        <span>{ t(&o.text) }</span>
                        { mark(s, mark_of(&o.id), missed) }
                    </label>
                }
            }) }
        },
        (QuestionBody::TrueFalse { answer, .. }, Draft::Bool(sel)) => {
            let option = |value: bool, word: &str| {
                let picked = done && *sel == Some(value);
                let ok = picked.then_some(value == *answer);
                let missed = matches!(right, Some(Response::Bool(b)) if b == value);
                html! {
                    <label class="h-option" data-mark={mark_attr(ok, missed)}>
                        <input type="radio" name={legend_id.clone()} data-bool={value.to_string()} checked={*sel == Some(value)} disabled={done} onchange={set(Draft::Bool(Some(value)))} />
                        <span>{ s.get(word) }</span>
                        { mark(s, ok, missed) }
                    </label>
                }
            };
            html! { <>{ option(true, "answer-true") }{ option(false, "answer-false") }</> }
        }
        (QuestionBody::Ordering { items, .. }, Draft::Order(order)) => {
            let n = order.len();
            html! {
                <>
                <ol class="h-order">
                    { for order.iter().enumerate().map(|(pos, &i)| {
                        let text = t(&items[i].text);
                        let move_to = |to: usize, action: &'static str| {
                            let mut o = order.clone();
                            o.swap(pos, to);
                            let (draft, moved, item) = (draft.clone(), moved.clone(), items[i].id.clone());
                            Callback::from(move |_: MouseEvent| {
                                draft.set(Draft::Order(o.clone()));
                                moved.set(Some((item.clone(), action)));
                            })
                        };
                        let position = s.format("order-position", &[("n", crate::i18n::Arg::Num(pos as i64 + 1)), ("total", crate::i18n::Arg::Num(n as i64))]);
                        let ok = mark_of(&items[i].id);
                        html! {
                            <li key={items[i].id.clone()} data-item={items[i].id.clone()} data-mark={mark_attr(ok, false)}>
                                <span class="h-item-text">{ text.clone() }</span>
                                <span class="h-sr">{ position }</span>
                                { mark(s, ok, false) }
                                if !done {
                                    <button type="button" data-action="move-up" disabled={pos == 0} onclick={move_to(pos.saturating_sub(1), "move-up")}
                                        aria-label={format!("{}: {text}", s.get("move-up"))}>{ "↑" }</button>
                                    <button type="button" data-action="move-down" disabled={pos + 1 == n} onclick={move_to((pos + 1).min(n - 1), "move-down")}
                                        aria-label={format!("{}: {text}", s.get("move-down"))}>{ "↓" }</button>
                                }
                            </li>
                        }
                    }) }
                </ol>
                if right.is_some() {
                    <div class="h-answer" data-right-answer="">
                        <p>{ s.get("right-answer") }</p>
                        <ol>{ for items.iter().map(|it| html! { <li>{ t(&it.text) }</li> }) }</ol>
                    </div>
                }
                </>
            }
        }
        (QuestionBody::Matching { pairs, .. }, Draft::Matches(chosen)) => html! {
            <div class="h-match">
                { for pairs.iter().enumerate().map(|(p, pair)| {
                    let id = format!("{legend_id}-{p}");
                    let draft = draft.clone();
                    let chosen_all = chosen.clone();
                    let onchange = Callback::from(move |e: Event| {
                        let v = crate::select_value(&e);
                        let mut next = chosen_all.clone();
                        next[p] = v.parse().ok();
                        draft.set(Draft::Matches(next));
                    });
                    let ok = mark_of(&pair.id);
                    html! {
                        <div data-mark={mark_attr(ok, false)}>
                            <label for={id.clone()}>{ t(&pair.prompt) }</label>
                            <select id={id} data-pair={pair.id.clone()} {onchange} disabled={done}>
                                <option value="" selected={chosen[p].is_none()}>{ s.get("match-choose") }</option>
                                { for q.order.iter().map(|&a| html! {
                                    <option value={a.to_string()} data-match={pairs[a].id.clone()} selected={chosen[p] == Some(a)}>{ t(&pairs[a].answer) }</option>
                                }) }
                            </select>
                            { mark(s, ok, false) }
                            if right.is_some() && ok == Some(false) {
                                <p class="h-answer" data-right-answer="">{ s.get("right-answer") }{ ": " }{ t(&pair.answer) }</p>
                            }
                        </div>
                    }
                }) }
            </div>
        },
        (QuestionBody::FillIn { .. } | QuestionBody::Numeric { .. }, Draft::Text(text)) => {
            let numeric = matches!(question.body, QuestionBody::Numeric { .. });
            let draft = draft.clone();
            let oninput = Callback::from(move |e: InputEvent| draft.set(Draft::Text(crate::input_value(&e))));
            let id = format!("{legend_id}-in");
            html! {
                <>
                <p>
                    <label for={id.clone()}>{ if numeric { s.get("number-label") } else { s.get("answer-label") } }</label>
                    <br />
                    <input id={id} data-answer="" type="text" inputmode={if numeric { "decimal" } else { "text" }} value={text.clone()}
                        {oninput} disabled={done} autocomplete="off" />
                </p>
                if let Some(answer) = right_answer_text(m, &q) {
                    <p class="h-answer" data-right-answer="">{ s.get("right-answer") }{ ": " }<bdi>{ answer }</bdi></p>
                }
                </>
            }
        }
        (QuestionBody::FreeText, Draft::Text(text)) => {
            let draft = draft.clone();
            let oninput = Callback::from(move |e: InputEvent| draft.set(Draft::Text(crate::input_value(&e))));
            let id = format!("{legend_id}-in");
            html! {
                <p>
                    <label for={id.clone()}>{ s.get("answer-label") }</label>
                    <textarea id={id} data-answer="" value={text.clone()} {oninput} disabled={done} maxlength="2000" />
                </p>
            }
        }
        (QuestionBody::Likert { scale, low, high }, Draft::Scale(sel)) => html! {
            <div class="h-likert">
                <span class="h-likert-end">{ t(low) }</span>
                <span class="h-likert-points">
                { for (1..=*scale).map(|n| html! {
                    <label class="h-option">
                        <input type="radio" name={legend_id.clone()} data-scale={n.to_string()} checked={*sel == Some(n)} disabled={done} onchange={set(Draft::Scale(Some(n)))} />
                        <span>{ n }</span>
                    </label>
                }) }
                </span>
                <span class="h-likert-end">{ t(high) }</span>
            </div>
        },
        _ => Html::default(),
    };
    let response = draft.response(&q);
    let submit = {
        let on_action = props.on_action.clone();
        let id = question.id.clone();
        let response = response.clone();
        Callback::from(move |_| {
            if let Some(r) = response.clone() {
                on_action.emit(Action::Answer { question: id.clone(), response: r });
            }
        })
    };
    let feedback = q.answered.as_ref().map(|a| {
        let (verdict, texts) = verdict(m, &q, a.score, &a.response);
        let class = if !question.body.is_graded() {
            "h-feedback"
        } else if a.score >= 1.0 - 1e-9 {
            "h-feedback h-correct"
        } else if a.score > 0.0 {
            "h-feedback h-partial"
        } else {
            "h-feedback h-incorrect"
        };
        let recorded = verdict.is_empty() && texts.is_empty();
        html! {
            <div class={class} tabindex="-1" data-focus-first="">
                if !verdict.is_empty() {
                    <p class="h-verdict">{ verdict }</p>
                }
                { for texts.into_iter().map(|x| html! { <p>{ x }</p> }) }
                if recorded {
                    <p>{ s.get("answer-recorded") }</p>
                }
                if !a.final_answer {
                    <p>{ s.get_n("attempts-left", "n", i64::from(q.attempts_left)) }</p>
                }
            </div>
        }
    });
    html! {
        <form class="h-question" ref={form} onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <fieldset aria-describedby={format!("{legend_id}-count")} tabindex="-1" data-focus-first={q.answered.is_none().then_some("")}>
                <legend id={legend_id.clone()}>{ t(&question.text) }</legend>
                <p class="h-status" id={format!("{legend_id}-count")}>
                    { s.format("question-count", &[("n", crate::i18n::Arg::Num(q.number as i64)), ("total", crate::i18n::Arg::Num(q.total as i64))]) }
                </p>
                { inputs }
            </fieldset>
            { feedback.unwrap_or_default() }
            if !done {
                <div class="h-actions">
                    <button type="button" class="h-primary" data-action="answer" onclick={submit} disabled={response.is_none()}>{ s.get("check-answer") }</button>
                </div>
            }
        </form>
    }
}

/// `data-mark` on a part of a checked answer, for the stylesheet and the tests.
fn mark_attr(ok: Option<bool>, missed: bool) -> Option<&'static str> {
    match (ok, missed) {
        (Some(true), _) => Some("right"),
        (Some(false), _) => Some("wrong"),
        (None, true) => Some("answer"),
        (None, false) => None,
    }
}

#[derive(Properties)]
pub(crate) struct ReflectionProps {
    pub(crate) store: ReflectionStore,
    /// Where a local note is kept on this device.
    pub(crate) note_key: String,
    pub(crate) on_done: Callback<String>,
    /// Moving on without writing a note.
    pub(crate) on_skip: Callback<MouseEvent>,
    pub(crate) strings: Rc<Strings>,
}

impl PartialEq for ReflectionProps {
    fn eq(&self, other: &Self) -> bool {
        self.store == other.store
            && self.note_key == other.note_key
            && Rc::ptr_eq(&self.strings, &other.strings)
    }
}

/// A private note. Where it goes is said before the learner writes.
#[function_component(Reflection)]
pub(crate) fn reflection(props: &ReflectionProps) -> Html {
    let text = use_state(|| crate::storage::get(&props.note_key).unwrap_or_default());
    let s = &props.strings;
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| text.set(crate::input_value(&e)))
    };
    let save = {
        let text = text.clone();
        let local = (props.store == ReflectionStore::Local).then(|| props.note_key.clone());
        props.on_done.reform(move |_| {
            // A local note stays on this device only: the engine keeps it out of events and saved state.
            if let Some(key) = &local {
                crate::storage::set(key, &text);
            }
            (*text).clone()
        })
    };
    let skip = props.on_skip.clone();
    html! {
        <div class="h-reflection">
            <p>
                <label for="h-note">{ s.get("reflection-label") }</label>
                <textarea id="h-note" value={(*text).clone()} {oninput} maxlength="2000" aria-describedby="h-note-where" />
            </p>
            <p class="h-status" id="h-note-where">{
                if props.store == ReflectionStore::Local { s.get("reflection-local") } else { s.get("reflection-shared") }
            }</p>
            <div class="h-actions">
                <button class="h-primary" data-action="reflect" onclick={save}>{ s.get("reflection-save") }</button>
                <button data-action="continue" onclick={skip}>{ s.get("reflection-skip") }</button>
            </div>
        </div>
    }
}
