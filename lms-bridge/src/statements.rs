//! Learning events → xAPI statements, per Hearth's xAPI profile (`docs/xapi-profile.md`).

use content::engine::Event;
use content::model::{Module, NodeKind, Question};
use serde_json::{Map, Value, json};

use crate::interaction;
use crate::profile::{activity, cmi5, ext, verb};
use crate::time::{iso_duration, statement_id};

/// Who is learning, in which attempt, and where the statements go.
#[derive(Debug, Clone)]
pub struct Launch {
    /// The xAPI Agent (cmi5: exactly the launch `actor`).
    pub actor: Value,
    /// The attempt: one registration per attempt.
    pub registration: String,
    /// This page load (cmi5: the session id from the context template). Part of every statement
    /// id, so two sessions of one attempt never produce the same id.
    pub session: String,
    /// The module's activity IRI (cmi5: the launch `activityId`; xAPI launch: `activity_id`).
    pub activity_id: String,
    /// Set when launched as a cmi5 AU.
    pub cmi5: Option<Cmi5Launch>,
}

/// What `LMS.LaunchData` said.
#[derive(Debug, Clone)]
pub struct Cmi5Launch {
    /// `contextTemplate`: the base of every statement's context, never overwritten.
    pub context_template: Value,
    /// `masteryScore`, if the LMS set one: passed and failed are then judged by it.
    pub mastery_score: Option<f64>,
}

/// Turns one attempt's events into statements, in order, with stable ids. It holds no module: the
/// caller passes the one the events come from, so the player can keep it where it likes.
pub struct Mapper {
    launch: Launch,
    lang: String,
    seq: u64,
    /// Time since the session began, for `completed`, `passed`, `failed` and `terminated`.
    session_ms: u64,
}

impl Mapper {
    /// A mapper for a session; `seq` continues a session's numbering after a reload (0 for a new
    /// session).
    pub fn new(launch: Launch, lang: &str, seq: u64) -> Mapper {
        Mapper { launch, lang: lang.to_string(), seq, session_ms: 0 }
    }

    /// The learner's language from now on (the player knows it once the module is loaded).
    pub fn set_language(&mut self, lang: &str) {
        if !lang.is_empty() {
            self.lang = lang.to_string();
        }
    }

    /// The launch this mapper reports for.
    pub fn launch(&self) -> &Launch {
        &self.launch
    }

    /// How many statements this session has produced (to persist with the queue).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The statements for one event. `timestamp` is when it happened (RFC 3339, UTC);
    /// `session_ms` how long the session has lasted.
    pub fn statements(&mut self, m: &Module, event: &Event, timestamp: &str, session_ms: u64) -> Vec<Value> {
        self.session_ms = session_ms;
        if self.lang.is_empty() {
            self.lang = m.source_lang.clone();
        }
        match event {
            Event::Started { lang, .. } => {
                // The player picks the language once the module is loaded: take it from here.
                self.lang = lang.clone();
                vec![self.defined(m, verb::INITIALIZED, Map::new(), timestamp, false)]
            }
            Event::ChoiceMade { node, choice, deltas, duration_ms } => {
                let Some(n) = m.node(node) else { return vec![] };
                let NodeKind::Decision { choices, .. } = &n.kind else { return vec![] };
                let Some(chosen) = choices.iter().find(|c| &c.id == choice) else { return vec![] };
                let components: Vec<Value> = choices
                    .iter()
                    .map(|c| json!({ "id": c.id, "description": text(m, &self.lang, &c.text) }))
                    .collect();
                let name =
                    n.text.as_deref().map_or_else(|| json!({ &self.lang: node }), |t| text(m, &self.lang, t));
                let object = json!({
                    "id": self.node_iri(node),
                    "objectType": "Activity",
                    "definition": {
                        "type": activity::INTERACTION,
                        "name": name,
                        "interactionType": "choice",
                        "choices": components,
                    }
                });
                let deltas: Map<String, Value> = deltas.iter().map(|(c, d)| (c.clone(), json!(d))).collect();
                let result = json!({
                    "response": choice,
                    "duration": iso_duration(*duration_ms),
                    "extensions": {
                        ext::CHOICE_TEXT: text(m, &self.lang, &chosen.text),
                        ext::COMPETENCY_DELTAS: deltas,
                    }
                });
                vec![self.allowed(m, verb::ANSWERED, object, Some(result), timestamp)]
            }
            Event::QuestionAnswered {
                node,
                question,
                response,
                score,
                points_awarded,
                points_possible,
                success,
                attempt,
                final_answer,
                ..
            } => {
                let Some(q) = find_question(m, node, question) else { return vec![] };
                let mut definition = Map::new();
                definition.insert("type".into(), activity::INTERACTION.into());
                definition.insert("name".into(), text(m, &self.lang, &q.text));
                definition.insert("interactionType".into(), interaction::kind(q).into());
                if let Some(p) = interaction::correct_patterns(m, &self.lang, q) {
                    definition.insert("correctResponsesPattern".into(), p.into());
                }
                definition.extend(interaction::components(m, &self.lang, q));
                let object = json!({
                    "id": format!("{}/questions/{question}", self.launch.activity_id),
                    "objectType": "Activity",
                    "definition": definition,
                });
                let mut result = json!({
                    "response": interaction::response(response),
                    "extensions": { ext::ATTEMPT: attempt, ext::FINAL_ANSWER: final_answer },
                });
                if let Some(s) = success {
                    result["success"] = json!(s);
                }
                if *points_possible > 0.0 {
                    result["score"] = json!({
                        "scaled": score,
                        "raw": points_awarded,
                        "min": 0,
                        "max": points_possible,
                    });
                }
                vec![self.allowed(m, verb::ANSWERED, object, Some(result), timestamp)]
            }
            Event::ReflectionWritten { node, text: written } => {
                let Some(n) = m.node(node) else { return vec![] };
                let name =
                    n.text.as_deref().map_or_else(|| json!({ &self.lang: node }), |t| text(m, &self.lang, t));
                let object = json!({
                    "id": self.node_iri(node),
                    "objectType": "Activity",
                    "definition": { "type": activity::INTERACTION, "name": name, "interactionType": "long-fill-in" }
                });
                // A reflection kept on the device says only that it was written.
                let result = written.as_ref().map(|t| json!({ "response": t }));
                vec![self.allowed(m, verb::COMMENTED, object, result, timestamp)]
            }
            Event::CompetencyScored { competency, score, max, scaled } => {
                let Some(c) = m.framework.competencies.iter().find(|c| &c.id == competency) else {
                    return vec![];
                };
                let object = json!({
                    "id": c.iri,
                    "objectType": "Activity",
                    "definition": { "type": activity::COMPETENCY, "name": text(m, &self.lang, &c.title) }
                });
                let result = json!({ "score": { "scaled": scaled, "raw": score, "min": 0, "max": max } });
                vec![self.allowed(m, verb::SCORED, object, Some(result), timestamp)]
            }
            Event::EndingReached { node, band, scaled, passed } => {
                let band_title =
                    m.bands.iter().find(|b| &b.id == band).map(|b| text(m, &self.lang, &b.title));
                let band_passes = m.bands.iter().find(|b| &b.id == band).is_none_or(|b| b.pass);
                let mastery = self.launch.cmi5.as_ref().and_then(|c| c.mastery_score);
                // An LMS mastery score overrides the module's (cmi5 §10.2.4); a band that never
                // passes still does not.
                let passed = mastery.map_or(*passed, |ms| band_passes && *scaled >= ms);
                let outcome = json!({
                    ext::BAND: { "id": band, "title": band_title },
                    ext::ENDING: node,
                });
                let duration = iso_duration(session_ms);
                let completed = json!({ "completion": true, "duration": duration, "extensions": outcome });
                let mut judged = json!({ "success": passed, "duration": duration, "extensions": outcome });
                // cmi5 9.5.1: a passed statement's scaled score is at least the mastery score and a
                // failed one's below it; when the band alone fails the learner, leave it out.
                if mastery.is_none_or(|ms| (*scaled >= ms) == passed) {
                    judged["score"] = json!({ "scaled": scaled });
                }
                vec![
                    self.defined(
                        m,
                        verb::COMPLETED,
                        completed.as_object().cloned().unwrap_or_default(),
                        timestamp,
                        true,
                    ),
                    self.defined(
                        m,
                        if passed { verb::PASSED } else { verb::FAILED },
                        judged.as_object().cloned().unwrap_or_default(),
                        timestamp,
                        true,
                    ),
                ]
            }
            Event::Suspended { .. } => {
                let object = self.module_object(m);
                vec![self.allowed(m, verb::SUSPENDED, object, None, timestamp)]
            }
            Event::Resumed { changed_content } => {
                // A session's first statement is `initialized` (cmi5 §9.3.2), a session that
                // resumes an attempt (a relaunch, another device) included.
                let mut out = Vec::new();
                if self.seq == 0 {
                    out.push(self.defined(m, verb::INITIALIZED, Map::new(), timestamp, false));
                }
                let object = self.module_object(m);
                let result = changed_content.then(|| json!({ "extensions": { ext::CHANGED_CONTENT: true } }));
                out.push(self.allowed(m, verb::RESUMED, object, result, timestamp));
                out
            }
            Event::WentBack { to, .. } => {
                let object = json!({
                    "id": self.node_iri(to),
                    "objectType": "Activity",
                    "definition": { "type": activity::NODE, "name": { &self.lang: to } }
                });
                vec![self.allowed(m, verb::WENT_BACK, object, None, timestamp)]
            }
            Event::LanguageChanged { to, .. } => {
                // Not a learning event of its own: later statements carry the new language.
                self.lang = to.clone();
                vec![]
            }
            Event::NodeEntered { .. } | Event::NodeLeft { .. } => vec![],
        }
    }

    /// The last statement of a session (cmi5-defined), with the session's duration.
    pub fn terminated(&mut self, m: &Module, timestamp: &str, session_ms: u64) -> Value {
        let result = json!({ "duration": iso_duration(session_ms) });
        self.defined(m, verb::TERMINATED, result.as_object().cloned().unwrap_or_default(), timestamp, false)
    }

    fn node_iri(&self, node: &str) -> String {
        format!("{}/nodes/{node}", self.launch.activity_id)
    }

    fn module_object(&self, m: &Module) -> Value {
        json!({
            "id": self.launch.activity_id,
            "objectType": "Activity",
            "definition": {
                "type": activity::MODULE,
                "name": text(m, &self.lang, &m.title),
            }
        })
    }

    /// A statement about the module itself: cmi5-defined when launched by cmi5 (object = the
    /// launch activity, the cmi5 category, and `moveon` when the result judges).
    fn defined(
        &mut self,
        m: &Module,
        verb: &str,
        result: Map<String, Value>,
        timestamp: &str,
        moveon: bool,
    ) -> Value {
        let object = self.module_object(m);
        let result = (!result.is_empty()).then_some(Value::Object(result));
        let mut s = self.statement(m, verb, object, result, timestamp, false);
        if self.launch.cmi5.is_some() {
            let mut categories = vec![json!({ "id": cmi5::CATEGORY, "objectType": "Activity" })];
            if moveon {
                categories.push(json!({ "id": cmi5::MOVEON, "objectType": "Activity" }));
            }
            push_context_activities(&mut s, "category", categories);
            let mastery = self.launch.cmi5.as_ref().and_then(|c| c.mastery_score);
            if let (Some(ms), true) = (mastery, verb == verb::PASSED || verb == verb::FAILED) {
                s["context"]["extensions"][cmi5::MASTERY_SCORE] = json!(ms);
            }
        }
        s
    }

    /// Any other statement: about a part of the module, with the module as its parent.
    fn allowed(
        &mut self,
        m: &Module,
        verb: &str,
        object: Value,
        result: Option<Value>,
        timestamp: &str,
    ) -> Value {
        let is_module = object["id"] == self.launch.activity_id.as_str();
        self.statement(m, verb, object, result, timestamp, !is_module)
    }

    fn statement(
        &mut self,
        m: &Module,
        verb: &str,
        object: Value,
        result: Option<Value>,
        timestamp: &str,
        in_module: bool,
    ) -> Value {
        let id = statement_id(&self.launch.registration, &self.launch.session, self.seq);
        self.seq += 1;
        let mut context = match &self.launch.cmi5 {
            Some(c) => c.context_template.clone(),
            None => json!({}),
        };
        context["registration"] = json!(self.launch.registration);
        context["language"] = json!(self.lang);
        if !context["extensions"].is_object() {
            context["extensions"] = json!({});
        }
        context["extensions"][ext::CONTENT_HASH] = json!(m.content_hash);
        let mut s = json!({
            "id": id,
            "timestamp": timestamp,
            "actor": self.launch.actor,
            "verb": { "id": verb, "display": { "en": verb.rsplit('/').next().unwrap_or(verb) } },
            "object": object,
            "context": context,
        });
        if let Some(r) = result {
            s["result"] = r;
        }
        if in_module {
            let parent = json!({
                "id": self.launch.activity_id,
                "objectType": "Activity",
                "definition": { "type": activity::MODULE },
            });
            push_context_activities(&mut s, "parent", vec![parent]);
        }
        s
    }
}

/// Adds activities to `context.contextActivities.<kind>`, after any the template put there.
fn push_context_activities(s: &mut Value, kind: &str, activities: Vec<Value>) {
    let ca = &mut s["context"]["contextActivities"];
    if !ca.is_object() {
        *ca = json!({});
    }
    match &mut ca[kind] {
        Value::Array(list) => list.extend(activities),
        // A single activity is allowed in 1.0.3; keep it and add ours.
        Value::Object(one) => {
            let mut list = vec![Value::Object(one.clone())];
            list.extend(activities);
            ca[kind] = Value::Array(list);
        }
        _ => ca[kind] = Value::Array(activities),
    }
}

fn find_question<'m>(m: &'m Module, node: &str, question: &str) -> Option<&'m Question> {
    match &m.node(node)?.kind {
        NodeKind::Quiz { questions, .. } => questions.iter().find(|q| q.id == question),
        _ => None,
    }
}

fn text(m: &Module, lang: &str, key: &str) -> Value {
    interaction::language_map(m, lang, key)
}
