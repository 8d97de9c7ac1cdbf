//! `hearth play`: walk a module in the terminal through the engine, so an author can try every
//! path without a browser. `--endings` plays, for each ending, a path the explorer found to it.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use content::engine::{Action, Event, Response, State, View, explore, parse_number};
use content::model::{Module, NodeKind, QuestionBody};

use crate::check::load_clean;

pub(crate) struct Options<'a> {
    pub(crate) lang: Option<&'a str>,
    pub(crate) seed: u64,
    pub(crate) endings: bool,
    pub(crate) events: bool,
    pub(crate) json: bool,
}

pub(crate) fn play(path: &Path, opts: Options<'_>) -> Result<ExitCode> {
    let m = load_clean(path)?;
    let lang = opts.lang.unwrap_or(&m.source_lang).to_string();
    if !m.languages.contains(&lang) {
        bail!("{} has no `{lang}`; its languages are {}", m.id, m.languages.join(", "));
    }
    match (opts.endings, opts.json) {
        (true, true) => endings_json(&m, &lang),
        (true, false) => all_endings(&m, &lang, opts.events),
        (false, _) => interactive(&m, &lang, opts.seed, opts.events),
    }
}

/// A clock for the terminal: real milliseconds since the walk began.
fn now(start: std::time::Instant) -> u64 {
    start.elapsed().as_millis() as u64
}

fn interactive(m: &Module, lang: &str, seed: u64, show_events: bool) -> Result<ExitCode> {
    let t0 = std::time::Instant::now();
    let (mut state, events) = State::start(m, lang, seed, now(t0));
    print_events(&events, show_events);
    println!("{}", heading(m, lang, &m.title));
    if let Some(w) = &m.content_warning {
        println!("\n[content warning] {}", m.text(lang, w));
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        let view = state.view(m);
        show(m, state.lang(), &view);
        if state.is_finished() {
            return Ok(ExitCode::SUCCESS);
        }
        print!("> ");
        std::io::stdout().flush()?;
        let Some(line) = lines.next().transpose()? else {
            println!("\n(stopped; saved state: {})", state.save());
            return Ok(ExitCode::SUCCESS);
        };
        let line = line.trim();
        let action = match line {
            "q" | "quit" => {
                print_events(&state.suspend(m, now(t0)), show_events);
                println!("saved state ({} characters): {}", state.save().len(), state.save());
                return Ok(ExitCode::SUCCESS);
            }
            "s" | "save" => {
                println!("saved state ({} characters): {}", state.save().len(), state.save());
                continue;
            }
            "?" | "help" => {
                println!(
                    "a number picks; `c` continues; `b` goes back; `l LANG` switches language; `s` shows the saved state; `q` pauses and quits"
                );
                continue;
            }
            "b" | "back" => Action::Back,
            _ if line.starts_with("l ") => {
                let to = line[2..].trim();
                if m.languages.iter().any(|l| l == to) {
                    print_events(&state.set_language(to), show_events);
                } else {
                    println!("(the languages are {})", m.languages.join(", "));
                }
                continue;
            }
            _ => match parse_input(&view, line) {
                Some(a) => a,
                None => {
                    println!("(not understood; `?` for help)");
                    continue;
                }
            },
        };
        match state.apply(m, action, now(t0)) {
            Ok(events) => print_events(&events, show_events),
            Err(e) => println!("({e})"),
        }
    }
}

/// Turns what the author typed into an action for the current view.
fn parse_input(view: &View<'_>, line: &str) -> Option<Action> {
    let numbers = || -> Option<Vec<usize>> {
        line.split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<usize>().ok()?.checked_sub(1))
            .collect()
    };
    if line == "c" || (line.is_empty() && view.can_continue) {
        return Some(Action::Continue);
    }
    if !view.choices.is_empty() {
        let n = numbers()?;
        return view.choices.get(*n.first()?).map(|c| Action::Choose { choice: c.id.clone() });
    }
    if let NodeKind::Reflection { .. } = view.node.kind {
        return Some(Action::Reflect { text: line.to_string() });
    }
    let qv = view.question.as_ref()?;
    let q = qv.question;
    let response = match &q.body {
        QuestionBody::SingleChoice { options } => {
            Response::Choice(options.get(qv.order[*numbers()?.first()?])?.id.clone())
        }
        QuestionBody::MultipleChoice { options, .. } => Response::Choices(
            numbers()?
                .iter()
                .map(|&i| Some(options.get(*qv.order.get(i)?)?.id.clone()))
                .collect::<Option<_>>()?,
        ),
        QuestionBody::TrueFalse { .. } => Response::Bool(match line {
            "1" | "t" | "true" => true,
            "2" | "f" | "false" => false,
            _ => return None,
        }),
        QuestionBody::Ordering { items, .. } => Response::Order(
            numbers()?
                .iter()
                .map(|&i| Some(items.get(*qv.order.get(i)?)?.id.clone()))
                .collect::<Option<_>>()?,
        ),
        QuestionBody::Matching { pairs, .. } => Response::Matches(
            numbers()?
                .iter()
                .enumerate()
                .map(|(p, &i)| Some((pairs.get(p)?.id.clone(), pairs.get(*qv.order.get(i)?)?.id.clone())))
                .collect::<Option<_>>()?,
        ),
        QuestionBody::FillIn { .. } | QuestionBody::FreeText => Response::Text(line.to_string()),
        QuestionBody::Numeric { .. } => Response::Numeric(parse_number(line)?),
        QuestionBody::Likert { .. } => Response::Scale(line.parse().ok()?),
    };
    Some(Action::Answer { question: q.id.clone(), response })
}

fn heading(m: &Module, lang: &str, key: &str) -> String {
    let t = m.text(lang, key);
    format!("\n== {t} ==")
}

/// Prints what the learner sees now.
fn show(m: &Module, lang: &str, view: &View<'_>) {
    let t = |k: &str| m.text(lang, k).to_string();
    let node = view.node;
    let fresh =
        view.chosen.is_none() && view.question.as_ref().is_none_or(|q| q.answered.is_none() && q.number == 1);
    if fresh {
        println!("\n--- {} [{}] (step {}) ---", node.id, node.kind_name(), view.step);
        if let Some(w) = &node.warning {
            println!("[content warning] {}", t(w));
        }
        if let Some(s) = &node.speaker
            && let Some(c) = m.characters.iter().find(|c| &c.id == s)
        {
            print!("{}: ", t(&c.name));
        }
        if let Some(text) = &node.text {
            println!("{}", t(text));
        }
        for media in &node.media {
            let alt = media.alt.as_deref().or(media.transcript.as_deref()).map(&t).unwrap_or_default();
            println!("  [{:?} {}] {alt}", media.kind, media.src);
        }
    }
    for (i, c) in view.choices.iter().enumerate() {
        println!("  {}. {}", i + 1, t(&c.text));
    }
    if let Some(c) = view.chosen {
        println!("You chose: {}", t(&c.text));
        if let Some(f) = &c.feedback {
            println!("  -> {}", t(f));
        }
    }
    if let Some(qv) = &view.question {
        let q = qv.question;
        match &qv.answered {
            None => {
                println!("\nQuestion {} of {} ({}): {}", qv.number, qv.total, q.body.type_name(), t(&q.text));
                match &q.body {
                    QuestionBody::SingleChoice { options } | QuestionBody::MultipleChoice { options, .. } => {
                        for (i, &o) in qv.order.iter().enumerate() {
                            println!("  {}. {}", i + 1, t(&options[o].text));
                        }
                    }
                    QuestionBody::TrueFalse { .. } => println!("  1. true\n  2. false"),
                    QuestionBody::Ordering { items, .. } => {
                        println!("  (type the numbers in the right order, e.g. 2,1,3)");
                        for (i, &o) in qv.order.iter().enumerate() {
                            println!("  {}. {}", i + 1, t(&items[o].text));
                        }
                    }
                    QuestionBody::Matching { pairs, .. } => {
                        for (i, p) in pairs.iter().enumerate() {
                            println!("  prompt {}: {}", i + 1, t(&p.prompt));
                        }
                        println!("  (for each prompt in turn, type the number of its match, e.g. 2,1,3)");
                        for (i, &o) in qv.order.iter().enumerate() {
                            println!("  {}. {}", i + 1, t(&pairs[o].answer));
                        }
                    }
                    QuestionBody::Likert { scale, low, high } => {
                        println!("  1 = {} … {scale} = {}", t(low), t(high))
                    }
                    QuestionBody::Numeric { .. } => println!("  (a number)"),
                    QuestionBody::FillIn { .. } | QuestionBody::FreeText => println!("  (type your answer)"),
                }
            }
            Some(a) => {
                let verdict = if !q.body.is_graded() {
                    "noted"
                } else if a.score >= 1.0 {
                    "correct"
                } else if a.score > 0.0 {
                    "partly correct"
                } else {
                    "not quite"
                };
                println!("  -> {verdict} ({:.0} %)", a.score * 100.0);
                let fb = match verdict {
                    "correct" => &q.feedback_correct,
                    "partly correct" => &q.feedback_partial,
                    "not quite" => &q.feedback_incorrect,
                    _ => &None,
                };
                if let Some(f) = fb {
                    println!("     {}", t(f));
                }
                if !a.final_answer {
                    println!("     ({} more tries)", qv.attempts_left);
                }
            }
        }
    }
    if let NodeKind::Reflection { .. } = node.kind {
        println!("  (type a note, or just press enter to skip)");
    } else if view.can_continue {
        println!("  [enter] continue");
    }
    if view.can_back {
        println!("  [b] back");
    }
    if let Some((outcome, debrief)) = &view.ending {
        let band = m
            .bands
            .iter()
            .find(|b| Some(&b.id) == outcome.band.as_ref())
            .map(|b| t(&b.title))
            .unwrap_or_default();
        println!(
            "\nOutcome: {band} — {} ({:.0} %)",
            if outcome.passed { "passed" } else { "not passed yet" },
            outcome.scaled * 100.0
        );
        for c in &outcome.competencies {
            let title = m.competency(&c.id).map(|x| t(&x.title)).unwrap_or_default();
            println!("  {title}: {}/{}", c.score, c.max);
        }
        println!("\nLooking back at your decisions:");
        for d in debrief {
            println!("  - {}", t(&d.choice_text));
            if let Some(db) = &d.debrief {
                println!("    {}", t(db));
            }
        }
    }
}

fn print_events(events: &[Event], show: bool) {
    if show {
        for e in events {
            println!("  event: {}", serde_json::to_string(e).unwrap_or_default());
        }
    }
}

/// Plays, for every ending, the best-scoring path the explorer found, and prints each outcome.
fn all_endings(m: &Module, lang: &str, show_events: bool) -> Result<ExitCode> {
    let ex = explore(m, content::validate::EXPLORE_LIMIT);
    let endings: Vec<&str> =
        m.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Ending { .. })).map(|n| n.id.as_str()).collect();
    let mut missing = Vec::new();
    for ending in &endings {
        let Some((path, _)) = ex.best_at_ending.get(*ending) else {
            missing.push(*ending);
            continue;
        };
        let (state, events) = replay(m, lang, path)?;
        print_events(&events, show_events);
        let outcome = state.outcome(m);
        let scores: Vec<String> =
            outcome.competencies.iter().map(|c| format!("{}={}/{}", c.id, c.score, c.max)).collect();
        println!(
            "{ending}: band {} · {:.0} % · {} · {} steps · saved state {} chars · {}",
            outcome.band.as_deref().unwrap_or("?"),
            outcome.scaled * 100.0,
            if outcome.passed { "passed" } else { "not passed" },
            path.len(),
            state.save().len(),
            scores.join(" ")
        );
    }
    println!("{} state(s) explored{}", ex.states, if ex.truncated { " (stopped at the limit)" } else { "" });
    if !missing.is_empty() {
        eprintln!("no path reaches: {}", missing.join(", "));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The same walks as `--endings`, as JSON: for each ending, the actions (with seed 0) and the
/// learning events the engine emits. The browser tests replay these in the player and compare.
fn endings_json(m: &Module, lang: &str) -> Result<ExitCode> {
    let ex = explore(m, content::validate::EXPLORE_LIMIT);
    let mut walks = Vec::new();
    for (ending, (path, _)) in &ex.best_at_ending {
        let (state, events) = replay(m, lang, path)?;
        let outcome = state.outcome(m);
        walks.push(serde_json::json!({
            "module": m.id,
            "lang": lang,
            "seed": 0,
            "ending": ending,
            "band": outcome.band,
            "passed": outcome.passed,
            "scaled": outcome.scaled,
            "actions": path,
            "events": events,
        }));
    }
    println!("{}", serde_json::to_string_pretty(&walks)?);
    Ok(ExitCode::SUCCESS)
}

/// Plays a path found by the explorer (which uses seed 0), one second per step, and returns the
/// final state with every event on the way.
fn replay(m: &Module, lang: &str, path: &[Action]) -> Result<(State, Vec<Event>)> {
    let (mut state, mut events) = State::start(m, lang, 0, 0);
    for (i, action) in path.iter().enumerate() {
        events.extend(state.apply(m, action.clone(), (i as u64 + 1) * 1000)?);
    }
    Ok((state, events))
}
