//! The engine: a pure, deterministic state machine over a [`Module`].
//!
//! The caller supplies the time (`now`, in milliseconds) and a seed; the engine never reads a
//! clock or a random source, so the browser player, `hearth play` and the tests run the same
//! logic and get the same results. Every change of state is an [`Action`]; the log of applied
//! actions is the source of truth (see `save.rs`): going back and resuming both replay it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::expr::Env;
use crate::model::*;

mod explore;
mod save;
mod scoring;
#[cfg(test)]
mod tests;

pub use explore::{Exploration, explore};
pub use save::{ResumeReport, SaveError};
pub use scoring::{
    BadResponse, MAX_TEXT, Response, competency_points, correct_response, format_number, parse_number,
    part_marks, score,
};

/// What a learner can do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Move on: past a narrative, a choice's feedback, a question's feedback, or a reflection
    /// (skipping it).
    Continue,
    Choose {
        choice: Id,
    },
    Answer {
        question: Id,
        response: Response,
    },
    Reflect {
        text: String,
    },
    /// Back to the previous node, as it was when the learner entered it.
    Back,
}

/// A learning event, for the bridge to turn into xAPI statements and SCORM values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Started {
        module: Id,
        lang: Lang,
        content_hash: String,
    },
    NodeEntered {
        node: Id,
        kind: String,
    },
    NodeLeft {
        node: Id,
        duration_ms: Millis,
    },
    ChoiceMade {
        node: Id,
        choice: Id,
        deltas: Vec<(Id, i32)>,
        duration_ms: Millis,
    },
    QuestionAnswered {
        node: Id,
        question: Id,
        kind: String,
        response: Response,
        /// 0..=1.
        score: f64,
        points_awarded: i32,
        points_possible: f64,
        /// `None` for ungraded questions.
        success: Option<bool>,
        attempt: u32,
        /// False while the learner may still try again.
        final_answer: bool,
    },
    /// `text` is there only when the author chose `store: lrs`.
    ReflectionWritten {
        node: Id,
        text: Option<String>,
    },
    CompetencyScored {
        competency: Id,
        score: i32,
        max: i32,
        scaled: f64,
    },
    EndingReached {
        node: Id,
        band: Id,
        scaled: f64,
        passed: bool,
    },
    Suspended {
        node: Id,
    },
    Resumed {
        changed_content: bool,
    },
    WentBack {
        from: Id,
        to: Id,
    },
    LanguageChanged {
        from: Lang,
        to: Lang,
    },
}

/// Why an action cannot be applied now. The state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("this action is not possible here")]
    NotNow,
    #[error("there is no visible choice `{0}` here")]
    NoSuchChoice(String),
    #[error("the question here is not `{0}`")]
    WrongQuestion(String),
    #[error("{0}")]
    BadResponse(String),
    #[error("going back is not allowed here")]
    NoBack,
    #[error("no route from `{0}` matches this state")]
    NoRoute(String),
    #[error("the module is finished")]
    Finished,
}

/// Where the learner is within the current node.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Phase {
    /// Nothing done yet at this node.
    Fresh,
    /// A choice was made and its feedback is showing.
    Chosen(usize),
    /// The current question has feedback showing; `final_answer` says whether it counted.
    Answered { final_answer: bool },
    /// At an ending.
    Done,
}

/// A quiz in progress.
#[derive(Debug, Clone, PartialEq)]
struct QuizRun {
    /// Indices into the quiz's questions, in the order they are asked.
    order: Vec<usize>,
    current: usize,
    attempts: u32,
    last: Option<Answered>,
    earned: f64,
    possible: f64,
}

/// The last answer to the current question, for its feedback.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub response: Response,
    pub score: f64,
    pub final_answer: bool,
}

/// One step on the learner's path: for the debrief and for going back.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    node: usize,
    /// How many log entries had been applied when the node was entered.
    log_len: usize,
    choice: Option<usize>,
    deltas: Vec<(Id, i32)>,
}

/// One applied action and when.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Logged {
    pub(crate) action: Action,
    pub(crate) at: Millis,
}

/// A learner's state in one module.
#[derive(Debug, Clone)]
pub struct State {
    seed: u64,
    lang: Lang,
    content_hash: String,
    started_at: Millis,
    log: Vec<Logged>,
    // Everything below is derived from the log by replay.
    at: usize,
    phase: Phase,
    entered_at: Millis,
    vars: BTreeMap<Id, Value>,
    scores: BTreeMap<Id, i64>,
    visited: BTreeSet<Id>,
    chosen: BTreeSet<Id>,
    /// Question id → (score of its final answer, whether fully correct).
    answers: BTreeMap<Id, (f64, bool)>,
    passed_quizzes: BTreeSet<Id>,
    quiz: Option<QuizRun>,
    path: Vec<Step>,
}

/// The per-competency and overall result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub competencies: Vec<CompetencyResult>,
    /// Σ clamped scores / Σ maxima, in 0..=1.
    pub scaled: f64,
    pub band: Option<Id>,
    pub completed: bool,
    pub passed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetencyResult {
    pub id: Id,
    /// Clamped to 0..=max.
    pub score: i32,
    /// The running total before clamping.
    pub raw: i64,
    pub max: i32,
    pub scaled: f64,
}

/// One decision on the path, for the debrief.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DebriefItem {
    pub node: Id,
    pub choice: Id,
    pub choice_text: TextKey,
    pub feedback: Option<TextKey>,
    pub debrief: Option<TextKey>,
    pub deltas: Vec<(Id, i32)>,
}

/// What the player shows now. Texts are keys: the player looks them up in the learner's language,
/// so a language switch changes nothing here.
#[derive(Debug, Clone)]
pub struct View<'m> {
    pub node: &'m Node,
    /// Visible choices of a decision, in the order to present them (empty once one is chosen).
    pub choices: Vec<&'m Choice>,
    /// The choice made here, while its feedback shows.
    pub chosen: Option<&'m Choice>,
    pub question: Option<QuestionView<'m>>,
    pub can_back: bool,
    /// Whether `Continue` is possible now.
    pub can_continue: bool,
    /// Nodes entered so far, this one included.
    pub step: usize,
    /// The fewest nodes still to enter to reach an ending, conditions aside (0 at an ending):
    /// with `step`, the progress the player shows.
    pub steps_left: usize,
    /// The competency changes of the choice made here, while its feedback shows.
    pub deltas: Vec<(Id, i32)>,
    /// At an ending: the outcome and the debrief.
    pub ending: Option<(Outcome, Vec<DebriefItem>)>,
}

#[derive(Debug, Clone)]
pub struct QuestionView<'m> {
    pub question: &'m Question,
    /// 1-based position in the quiz, and how many questions it asks.
    pub number: usize,
    pub total: usize,
    /// The order to present options (choice questions), items (ordering: shuffled) or matches
    /// (matching: the pair indices whose `answer` texts are offered, shuffled).
    pub order: Vec<usize>,
    pub attempts_left: u32,
    pub answered: Option<Answered>,
    /// The learner has used their last attempt without a full score and the author lets them
    /// see the right answer ([`correct_response`]).
    pub show_answer: bool,
}

/// The fewest nodes from `from` to an ending, conditions aside (breadth first over the routes).
/// Every node leads to an ending (the checker refuses a module where one does not); should one
/// not, the answer is 0 and progress shows as complete rather than never moving.
fn steps_to_ending(m: &Module, from: usize) -> usize {
    let mut seen = vec![false; m.nodes.len()];
    let mut frontier = vec![from];
    seen[from] = true;
    let mut depth = 0;
    while !frontier.is_empty() {
        if frontier.iter().any(|&i| matches!(m.nodes[i].kind, NodeKind::Ending { .. })) {
            return depth;
        }
        let mut next = Vec::new();
        for &i in &frontier {
            for id in crate::validate::successors(&m.nodes[i]) {
                if let Some(j) = m.nodes.iter().position(|n| n.id == id)
                    && !seen[j]
                {
                    seen[j] = true;
                    next.push(j);
                }
            }
        }
        frontier = next;
        depth += 1;
    }
    0
}

impl State {
    /// Starts a module: enters the start node.
    pub fn start(m: &Module, lang: &str, seed: u64, now: Millis) -> (State, Vec<Event>) {
        let mut s = State {
            seed,
            lang: lang.to_string(),
            content_hash: m.content_hash.clone(),
            started_at: now,
            log: Vec::new(),
            at: 0,
            phase: Phase::Fresh,
            entered_at: now,
            // Inserted one by one, not collected: `BTreeMap::from_iter` sorts with a stable sort
            // whose code the player would carry for these two element types alone.
            vars: m.variables.iter().fold(BTreeMap::new(), |mut vars, v| {
                vars.insert(v.name.clone(), v.init.clone());
                vars
            }),
            scores: m.framework.competencies.iter().fold(BTreeMap::new(), |mut scores, c| {
                scores.insert(c.id.clone(), 0);
                scores
            }),
            visited: BTreeSet::new(),
            chosen: BTreeSet::new(),
            answers: BTreeMap::new(),
            passed_quizzes: BTreeSet::new(),
            quiz: None,
            path: Vec::new(),
        };
        let mut events = vec![Event::Started {
            module: m.id.clone(),
            lang: lang.to_string(),
            content_hash: m.content_hash.clone(),
        }];
        let start = m.node_index(&m.start).unwrap_or(0);
        s.enter(m, start, now, &mut events);
        (s, events)
    }

    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// The id of the current node.
    pub fn at<'m>(&self, m: &'m Module) -> &'m str {
        m.nodes.get(self.at).map_or("", |n| n.id.as_str())
    }

    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Switches the learner's language; progress is untouched.
    pub fn set_language(&mut self, lang: &str) -> Vec<Event> {
        if lang == self.lang {
            return Vec::new();
        }
        let from = std::mem::replace(&mut self.lang, lang.to_string());
        vec![Event::LanguageChanged { from, to: lang.to_string() }]
    }

    /// The learner pauses or leaves; the caller saves [`State::save`] alongside.
    pub fn suspend(&self, m: &Module, now: Millis) -> Vec<Event> {
        let node = self.at(m).to_string();
        vec![
            Event::NodeLeft { node: node.clone(), duration_ms: now.saturating_sub(self.entered_at) },
            Event::Suspended { node },
        ]
    }

    /// Applies one action. On error the state is unchanged.
    pub fn apply(&mut self, m: &Module, action: Action, now: Millis) -> Result<Vec<Event>, ActionError> {
        if action == Action::Back {
            return self.back(m, now);
        }
        let mut next = self.clone();
        let mut events = Vec::new();
        next.log.push(Logged { action: action.clone(), at: now });
        next.step(m, action, now, &mut events)?;
        *self = next;
        Ok(events)
    }

    fn step(
        &mut self,
        m: &Module,
        action: Action,
        now: Millis,
        ev: &mut Vec<Event>,
    ) -> Result<(), ActionError> {
        let node = m.nodes.get(self.at).ok_or(ActionError::NotNow)?;
        if self.phase == Phase::Done {
            return Err(ActionError::Finished);
        }
        match (&node.kind, action) {
            (NodeKind::Narrative { routes }, Action::Continue) => self.follow(m, routes, now, ev),
            (NodeKind::Decision { choices, .. }, Action::Choose { choice }) if self.phase == Phase::Fresh => {
                let idx = choices
                    .iter()
                    .position(|c| c.id == choice && self.visible(c))
                    .ok_or(ActionError::NoSuchChoice(choice))?;
                let c = &choices[idx];
                let deltas = self.apply_effects(m, &c.effects);
                self.chosen.insert(c.id.clone());
                if let Some(step) = self.path.last_mut() {
                    step.choice = Some(idx);
                    step.deltas = deltas.clone();
                }
                ev.push(Event::ChoiceMade {
                    node: node.id.clone(),
                    choice: c.id.clone(),
                    deltas,
                    duration_ms: now.saturating_sub(self.entered_at),
                });
                if c.feedback.is_some() {
                    self.phase = Phase::Chosen(idx);
                    Ok(())
                } else {
                    self.follow(m, &c.routes, now, ev)
                }
            }
            (NodeKind::Decision { choices, .. }, Action::Continue) => match self.phase {
                Phase::Chosen(idx) => self.follow(m, &choices[idx].routes, now, ev),
                _ => Err(ActionError::NotNow),
            },
            (NodeKind::Quiz { questions, .. }, Action::Answer { question, response }) => {
                self.answer(m, node, questions, &question, response, ev)
            }
            (NodeKind::Quiz { routes, pass_mark, .. }, Action::Continue) => {
                let run = self.quiz.as_mut().ok_or(ActionError::NotNow)?;
                if self.phase != (Phase::Answered { final_answer: true }) {
                    return Err(ActionError::NotNow);
                }
                if run.current + 1 < run.order.len() {
                    run.current += 1;
                    run.attempts = 0;
                    run.last = None;
                    self.phase = Phase::Fresh;
                    return Ok(());
                }
                let passed = run.possible <= 0.0 || run.earned / run.possible >= *pass_mark - 1e-9;
                if passed {
                    self.passed_quizzes.insert(node.id.clone());
                }
                self.follow(m, routes, now, ev)
            }
            (NodeKind::Reflection { store, routes }, Action::Reflect { text }) => {
                if text.chars().count() > MAX_TEXT {
                    return Err(ActionError::BadResponse(format!(
                        "notes are limited to {MAX_TEXT} characters"
                    )));
                }
                let text = (*store == ReflectionStore::Lrs && !text.trim().is_empty()).then_some(text);
                ev.push(Event::ReflectionWritten { node: node.id.clone(), text });
                // A local reflection's text is not kept in the log: it never leaves the device.
                if let Some(last) = self.log.last_mut()
                    && *store == ReflectionStore::Local
                {
                    last.action = Action::Reflect { text: String::new() };
                }
                self.follow(m, routes, now, ev)
            }
            (NodeKind::Reflection { routes, .. }, Action::Continue) => self.follow(m, routes, now, ev),
            _ => Err(ActionError::NotNow),
        }
    }

    fn answer(
        &mut self,
        m: &Module,
        node: &Node,
        questions: &[Question],
        question: &str,
        response: Response,
        ev: &mut Vec<Event>,
    ) -> Result<(), ActionError> {
        let run = self.quiz.as_ref().ok_or(ActionError::NotNow)?;
        let q = &questions[run.order[run.current]];
        if q.id != question {
            return Err(ActionError::WrongQuestion(question.to_string()));
        }
        if matches!(self.phase, Phase::Answered { final_answer: true }) {
            return Err(ActionError::NotNow);
        }
        let score = score(m, &self.lang, q, &response).map_err(|e| ActionError::BadResponse(e.0))?;
        let attempt = run.attempts + 1;
        let graded = q.body.is_graded();
        let correct = score >= 1.0 - 1e-9;
        let final_answer = !graded || correct || attempt >= q.attempts;
        let mut points = 0;
        if final_answer {
            points = competency_points(q, score);
            if let Some(c) = &q.competency {
                *self.scores.entry(c.clone()).or_default() += i64::from(points);
            }
            let picked: Vec<&String> = match &response {
                Response::Choice(id) => vec![id],
                Response::Choices(ids) => ids.iter().collect(),
                _ => Vec::new(),
            };
            let options = match &q.body {
                QuestionBody::SingleChoice { options } | QuestionBody::MultipleChoice { options, .. } => {
                    &options[..]
                }
                _ => &[],
            };
            for o in options.iter().filter(|o| picked.contains(&&o.id)) {
                self.apply_effects(m, &o.effects);
            }
            self.answers.insert(q.id.clone(), (score, correct));
        }
        let run = self.quiz.as_mut().ok_or(ActionError::NotNow)?;
        run.attempts = attempt;
        if final_answer && graded {
            run.earned += q.points * score;
            run.possible += q.points;
        }
        run.last = Some(Answered { response: response.clone(), score, final_answer });
        self.phase = Phase::Answered { final_answer };
        ev.push(Event::QuestionAnswered {
            node: node.id.clone(),
            question: q.id.clone(),
            kind: q.body.type_name().to_string(),
            response,
            score,
            points_awarded: points,
            points_possible: q.points,
            success: graded.then_some(correct),
            attempt,
            final_answer,
        });
        Ok(())
    }

    /// Applies effects; returns the competency changes (for events and the debrief).
    fn apply_effects(&mut self, m: &Module, effects: &[Effect]) -> Vec<(Id, i32)> {
        let mut deltas = Vec::new();
        for e in effects {
            match e {
                Effect::Set { var, value } => {
                    self.vars.insert(var.clone(), value.clone());
                }
                Effect::Add { var, by } => {
                    let (min, max) = match m.variable(var).map(|v| &v.ty) {
                        Some(VarType::Int { min, max }) => (*min, *max),
                        _ => (i64::MIN, i64::MAX),
                    };
                    if let Some(Value::Int(n)) = self.vars.get_mut(var) {
                        *n = n.saturating_add(*by).clamp(min, max);
                    }
                }
                Effect::Insert { var, item } => {
                    if let Some(Value::Set(items)) = self.vars.get_mut(var)
                        && !items.contains(item)
                    {
                        // Kept sorted: insert at its place.
                        let at = items.partition_point(|i| i < item);
                        items.insert(at, item.clone());
                    }
                }
                Effect::Remove { var, item } => {
                    if let Some(Value::Set(items)) = self.vars.get_mut(var) {
                        items.retain(|i| i != item);
                    }
                }
                Effect::Score { competency, by } => {
                    *self.scores.entry(competency.clone()).or_default() += i64::from(*by);
                    deltas.push((competency.clone(), *by));
                }
            }
        }
        deltas
    }

    fn visible(&self, c: &Choice) -> bool {
        c.visible_if.as_ref().is_none_or(|e| e.eval(self))
    }

    /// Takes the first route whose condition holds.
    fn follow(
        &mut self,
        m: &Module,
        routes: &[Route],
        now: Millis,
        ev: &mut Vec<Event>,
    ) -> Result<(), ActionError> {
        let route = routes.iter().find(|r| r.when.as_ref().is_none_or(|e| e.eval(self)));
        let target = route.and_then(|r| m.node_index(&r.next));
        let Some(target) = target else {
            return Err(ActionError::NoRoute(self.at(m).to_string()));
        };
        ev.push(Event::NodeLeft {
            node: self.at(m).to_string(),
            duration_ms: now.saturating_sub(self.entered_at),
        });
        self.enter(m, target, now, ev);
        Ok(())
    }

    fn enter(&mut self, m: &Module, idx: usize, now: Millis, ev: &mut Vec<Event>) {
        let node = &m.nodes[idx];
        self.at = idx;
        self.phase = Phase::Fresh;
        self.entered_at = now;
        self.quiz = None;
        self.path.push(Step { node: idx, log_len: self.log.len(), choice: None, deltas: Vec::new() });
        // A node visited again draws its quiz afresh, but still deterministically.
        let visit = self.path.iter().filter(|s| s.node == idx).count() as u64;
        self.visited.insert(node.id.clone());
        ev.push(Event::NodeEntered { node: node.id.clone(), kind: node.kind_name().to_string() });
        self.apply_effects(m, &node.on_enter);
        match &node.kind {
            NodeKind::Quiz { questions, draw, .. } => {
                let mut order: Vec<usize> = (0..questions.len()).collect();
                let mut rng =
                    Rng::new(self.seed ^ hash_str(&node.id) ^ visit.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                if let Some(n) = draw {
                    rng.shuffle(&mut order);
                    order.truncate(*n);
                    order.sort_unstable();
                }
                self.quiz =
                    Some(QuizRun { order, current: 0, attempts: 0, last: None, earned: 0.0, possible: 0.0 });
            }
            NodeKind::Ending { band } => {
                self.phase = Phase::Done;
                let outcome = self.outcome(m);
                for c in &outcome.competencies {
                    ev.push(Event::CompetencyScored {
                        competency: c.id.clone(),
                        score: c.score,
                        max: c.max,
                        scaled: c.scaled,
                    });
                }
                ev.push(Event::EndingReached {
                    node: node.id.clone(),
                    band: band.clone(),
                    scaled: outcome.scaled,
                    passed: outcome.passed,
                });
            }
            _ => {}
        }
    }

    fn can_back(&self, m: &Module) -> bool {
        if self.phase == Phase::Done || self.path.len() < 2 || m.backtrack == BacktrackPolicy::Never {
            return false;
        }
        let steps = &self.path[self.path.len() - 2..];
        let prev = &m.nodes[steps[0].node];
        if m.backtrack == BacktrackPolicy::PerNode && prev.backtrack == Some(false) {
            return false;
        }
        // Going back replays the log only up to where the previous node was entered, so it undoes
        // everything done there and here. That must never give a graded question more attempts
        // than the author allows, nor change a choice at a node that forbids going back.
        steps.iter().enumerate().all(|(k, step)| {
            let end = steps.get(k + 1).map_or(self.log.len(), |next| next.log_len);
            let node = &m.nodes[step.node];
            self.log[step.log_len..end].iter().all(|entry| !commits(m, node, &entry.action))
        })
    }

    /// Back to the previous node: the log is cut to where that node was entered and replayed.
    fn back(&mut self, m: &Module, now: Millis) -> Result<Vec<Event>, ActionError> {
        if !self.can_back(m) {
            return Err(ActionError::NoBack);
        }
        let from = self.at(m).to_string();
        let prev = self.path[self.path.len() - 2].log_len;
        let mut log = self.log.clone();
        log.truncate(prev);
        let (mut replayed, _) = State::start(m, &self.lang, self.seed, self.started_at);
        for entry in &log {
            replayed.apply(m, entry.action.clone(), entry.at).map_err(|_| ActionError::NoBack)?;
        }
        replayed.entered_at = now;
        let to = replayed.at(m).to_string();
        let duration_ms = now.saturating_sub(self.entered_at);
        *self = replayed;
        Ok(vec![
            Event::NodeLeft { node: from.clone(), duration_ms },
            Event::WentBack { from, to: to.clone() },
            Event::NodeEntered { node: to, kind: m.nodes[self.at].kind_name().to_string() },
        ])
    }

    /// Per-competency results and the overall score.
    pub fn outcome(&self, m: &Module) -> Outcome {
        let competencies: Vec<CompetencyResult> = m
            .framework
            .competencies
            .iter()
            .map(|c| {
                let raw = self.scores.get(&c.id).copied().unwrap_or(0);
                let score = raw.clamp(0, i64::from(c.max)) as i32;
                CompetencyResult { id: c.id.clone(), score, raw, max: c.max, scaled: ratio(score, c.max) }
            })
            .collect();
        let total: i32 = competencies.iter().map(|c| c.score).sum();
        let max: i32 = competencies.iter().map(|c| c.max).sum();
        let scaled = ratio(total, max);
        let band = match &m.nodes.get(self.at).map(|n| &n.kind) {
            Some(NodeKind::Ending { band }) if self.is_finished() => Some(band.clone()),
            _ => None,
        };
        let completed = self.is_finished();
        let band_passes =
            band.as_ref().and_then(|b| m.bands.iter().find(|x| &x.id == b)).is_none_or(|b| b.pass);
        let passed = completed && band_passes && scaled >= m.mastery - 1e-9;
        Outcome { competencies, scaled, band, completed, passed }
    }

    /// Each decision on the current path, in order.
    pub fn debrief(&self, m: &Module) -> Vec<DebriefItem> {
        self.path
            .iter()
            .filter_map(|s| {
                let node = &m.nodes[s.node];
                let NodeKind::Decision { choices, .. } = &node.kind else { return None };
                let c = &choices[s.choice?];
                Some(DebriefItem {
                    node: node.id.clone(),
                    choice: c.id.clone(),
                    choice_text: c.text.clone(),
                    feedback: c.feedback.clone(),
                    debrief: c.debrief.clone(),
                    deltas: s.deltas.clone(),
                })
            })
            .collect()
    }

    /// What the player shows now.
    pub fn view<'m>(&self, m: &'m Module) -> View<'m> {
        let node = &m.nodes[self.at];
        let mut view = View {
            node,
            choices: Vec::new(),
            chosen: None,
            question: None,
            can_back: self.can_back(m),
            can_continue: false,
            step: self.path.len(),
            steps_left: steps_to_ending(m, self.at),
            deltas: Vec::new(),
            ending: None,
        };
        match &node.kind {
            NodeKind::Narrative { .. } | NodeKind::Reflection { .. } => view.can_continue = true,
            NodeKind::Decision { choices, shuffle } => match self.phase {
                Phase::Chosen(i) => {
                    view.chosen = Some(&choices[i]);
                    view.deltas = self.path.last().map(|s| s.deltas.clone()).unwrap_or_default();
                    view.can_continue = true;
                }
                _ => {
                    let pinned: Vec<bool> = choices.iter().map(|c| c.pin || !shuffle).collect();
                    view.choices = self
                        .arrange(&node.id, &pinned)
                        .into_iter()
                        .map(|i| &choices[i])
                        .filter(|c| self.visible(c))
                        .collect();
                }
            },
            NodeKind::Quiz { questions, .. } => {
                if let Some(run) = &self.quiz {
                    let q = &questions[run.order[run.current]];
                    view.can_continue = self.phase == (Phase::Answered { final_answer: true });
                    let show_answer = q.show_answer
                        && q.body.is_graded()
                        && run.last.as_ref().is_some_and(|a| a.final_answer && a.score < 1.0 - 1e-9);
                    view.question = Some(QuestionView {
                        question: q,
                        number: run.current + 1,
                        total: run.order.len(),
                        order: self.presentation(q),
                        attempts_left: q.attempts.saturating_sub(run.attempts),
                        answered: run.last.clone(),
                        show_answer,
                    });
                }
            }
            NodeKind::Ending { .. } => view.ending = Some((self.outcome(m), self.debrief(m))),
        }
        view
    }

    /// Presentation order: ordering items and matching answers are shuffled (never already in the
    /// right order); options are shuffled unless the author said not to, pinned ones in place.
    fn presentation(&self, q: &Question) -> Vec<usize> {
        let n = match &q.body {
            QuestionBody::SingleChoice { options } | QuestionBody::MultipleChoice { options, .. } => {
                let pinned: Vec<bool> = options.iter().map(|o| o.pin || !q.shuffle).collect();
                return self.arrange(&q.id, &pinned);
            }
            QuestionBody::Ordering { items, .. } => items.len(),
            QuestionBody::Matching { pairs, .. } => pairs.len(),
            _ => return Vec::new(),
        };
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = Rng::new(self.seed ^ hash_str(&q.id));
        rng.shuffle(&mut order);
        if n > 1 && order.iter().enumerate().all(|(i, x)| i == *x) {
            order.rotate_left(1);
        }
        order
    }

    /// An order for `pinned.len()` things drawn from the attempt's seed and `id`: the same on every
    /// replay, resume and language switch, different from one attempt to the next. Pinned places
    /// keep their thing; the others are shuffled among themselves.
    fn arrange(&self, id: &str, pinned: &[bool]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..pinned.len()).collect();
        let mut free: Vec<usize> = order.iter().copied().filter(|&i| !pinned[i]).collect();
        let mut rng = Rng::new(self.seed ^ hash_str(id));
        let slots = free.clone();
        rng.shuffle(&mut free);
        for (slot, i) in slots.into_iter().zip(free) {
            order[slot] = i;
        }
        order
    }

    /// Everything the learner could do now, with representative answers for questions (used by
    /// `explore`, property tests and `hearth play`).
    pub fn actions(&self, m: &Module) -> Vec<Action> {
        let view = self.view(m);
        let mut out = Vec::new();
        if view.can_continue {
            out.push(Action::Continue);
        }
        out.extend(view.choices.iter().map(|c| Action::Choose { choice: c.id.clone() }));
        if let Some(qv) = &view.question
            && !matches!(qv.answered, Some(Answered { final_answer: true, .. }))
        {
            let q = qv.question;
            out.extend(
                representative_responses(m, &self.lang, q)
                    .into_iter()
                    .map(|response| Action::Answer { question: q.id.clone(), response }),
            );
        }
        if let NodeKind::Reflection { .. } = &view.node.kind {
            out.push(Action::Reflect { text: "A note to myself.".into() });
        }
        if view.can_back {
            out.push(Action::Back);
        }
        out
    }
}

/// Whether `action`, taken at `node`, is one that going back must never undo: an answer to a graded
/// question, or a choice at a node that says `backtrack: false` (under the `per_node` policy).
fn commits(m: &Module, node: &Node, action: &Action) -> bool {
    match (action, &node.kind) {
        (Action::Answer { question, .. }, NodeKind::Quiz { questions, .. }) => {
            questions.iter().any(|q| &q.id == question && q.body.is_graded())
        }
        (Action::Choose { .. }, NodeKind::Decision { .. }) => {
            m.backtrack == BacktrackPolicy::PerNode && node.backtrack == Some(false)
        }
        _ => false,
    }
}

/// A few answers that between them reach every scoring outcome of a question.
fn representative_responses(m: &Module, lang: &str, q: &Question) -> Vec<Response> {
    match &q.body {
        QuestionBody::SingleChoice { options } => {
            options.iter().map(|o| Response::Choice(o.id.clone())).collect()
        }
        QuestionBody::MultipleChoice { options, .. } => {
            let mut out =
                vec![Response::Choices(options.iter().filter(|o| o.correct).map(|o| o.id.clone()).collect())];
            out.extend(options.iter().map(|o| Response::Choices(vec![o.id.clone()])));
            out.push(Response::Choices(Vec::new()));
            out.dedup();
            out
        }
        QuestionBody::TrueFalse { .. } => vec![Response::Bool(true), Response::Bool(false)],
        QuestionBody::Ordering { items, .. } => {
            let right: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
            let mut wrong = right.clone();
            wrong.reverse();
            vec![Response::Order(right), Response::Order(wrong)]
        }
        QuestionBody::Matching { pairs, .. } => {
            let right = pairs.iter().map(|p| (p.id.clone(), p.id.clone())).collect();
            let n = pairs.len();
            let wrong = (0..n).map(|i| (pairs[i].id.clone(), pairs[(i + 1) % n].id.clone())).collect();
            vec![Response::Matches(right), Response::Matches(wrong)]
        }
        QuestionBody::FillIn { accepted, .. } => {
            let first = m.text(lang, accepted).split('|').next().unwrap_or("").to_string();
            vec![Response::Text(first), Response::Text("something else".into())]
        }
        QuestionBody::Numeric { answer, tolerance } => {
            vec![Response::Numeric(*answer), Response::Numeric(answer + tolerance + 1.0)]
        }
        QuestionBody::Likert { scale, .. } => (1..=*scale).map(Response::Scale).collect(),
        QuestionBody::FreeText => vec![Response::Text("My answer.".into())],
    }
}

impl Env for State {
    fn var(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }
    fn score(&self, competency: &str) -> i64 {
        self.scores.get(competency).copied().unwrap_or(0)
    }
    fn visited(&self, node: &str) -> bool {
        self.visited.contains(node)
    }
    fn chose(&self, choice: &str) -> bool {
        self.chosen.contains(choice)
    }
    fn correct(&self, question: &str) -> bool {
        self.answers.get(question).is_some_and(|(_, ok)| *ok)
    }
    fn answered(&self, question: &str) -> bool {
        self.answers.contains_key(question)
    }
    fn passed(&self, quiz_node: &str) -> bool {
        self.passed_quizzes.contains(quiz_node)
    }
}

fn ratio(score: i32, max: i32) -> f64 {
    if max <= 0 { 0.0 } else { f64::from(score) / f64::from(max) }
}

/// A stable string hash (FNV-1a), so that seeds mix with ids the same way on every platform.
fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// SplitMix64: small, fast and the same everywhere; the engine's only source of randomness, fed by
/// the caller's seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}
