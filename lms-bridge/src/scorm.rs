//! Learning events → SCORM run-time data model values, for SCORM 1.2 and SCORM 2004 4th edition.
//!
//! The runtime in the browser calls `SetValue` for each pair, in order, then `Commit`. Each
//! version's strict rules live here, not in the LMS: SCORM 1.2 says `wrong` (not `incorrect`),
//! spells time spans `HHHH:MM:SS.SS`, has no `long-fill-in` and holds 4,096 characters of
//! suspend data; SCORM 2004 reports completion and success separately, scales scores to
//! -1..=1 and holds 64,000 characters.

use content::engine::Event;
use content::model::{Module, NodeKind, QuestionBody};

use crate::interaction::{self, number, truncate};
use crate::time::{iso_duration, scorm12_timespan};

/// Which SCORM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Scorm12,
    Scorm2004,
}

/// The element holding the saved progress, in both versions.
pub const SUSPEND_DATA: &str = "cmi.suspend_data";
/// The element holding how many interactions the LMS has, in both versions.
pub const INTERACTION_COUNT: &str = "cmi.interactions._count";

impl Version {
    /// The elements holding the learner's id and name.
    pub fn learner_elements(self) -> (&'static str, &'static str) {
        match self {
            Version::Scorm12 => ("cmi.core.student_id", "cmi.core.student_name"),
            Version::Scorm2004 => ("cmi.learner_id", "cmi.learner_name"),
        }
    }

    /// The element that says `resume` when this session continues an attempt.
    pub fn entry_element(self) -> &'static str {
        match self {
            Version::Scorm12 => "cmi.core.entry",
            Version::Scorm2004 => "cmi.entry",
        }
    }

    /// An interaction's wall-clock time in this version's type, from an ISO 8601 UTC timestamp
    /// (`2026-11-23T09:00:20.123Z`): SCORM 1.2's CMITime is a time of day (`09:00:20`); a SCORM
    /// 2004 timestamp allows at most hundredths of a second, so milliseconds are dropped
    /// (`2026-11-23T09:00:20Z`; three decimals are refused by strict LMSs).
    pub fn interaction_time(self, iso: &str) -> String {
        match self {
            Version::Scorm12 => iso.get(11..19).unwrap_or("00:00:00").to_string(),
            Version::Scorm2004 => format!("{}Z", iso.get(..19).unwrap_or(iso)),
        }
    }

    /// The most suspend data the version holds.
    pub fn suspend_limit(self) -> usize {
        match self {
            Version::Scorm12 => 4_096,
            Version::Scorm2004 => 64_000,
        }
    }
}

/// A `(element, value)` pair for `SetValue`.
pub type Pair = (String, String);

/// Why a value could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScormError {
    /// The saved state is longer than the version's suspend data; progress cannot be kept there.
    SuspendTooLong { len: usize, limit: usize },
}

impl std::fmt::Display for ScormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScormError::SuspendTooLong { len, limit } => {
                write!(f, "saved progress is {len} characters; this LMS keeps {limit}")
            }
        }
    }
}

/// Turns one attempt's events into SCORM values. It counts interactions and objectives, because
/// SCORM addresses them by index (`cmi.interactions.3.id`).
pub struct Recorder {
    version: Version,
    lang: String,
    interactions: usize,
    objectives: Vec<String>,
}

impl Recorder {
    /// `interactions` is how many the LMS already holds (`cmi.interactions._count`), so that a
    /// resumed attempt appends instead of overwriting.
    pub fn new(version: Version, lang: &str, interactions: usize) -> Recorder {
        Recorder { version, lang: lang.to_string(), interactions, objectives: Vec::new() }
    }

    /// Which SCORM this records for.
    pub fn version(&self) -> Version {
        self.version
    }

    /// Values for the start of a session (not on resume: a resumed attempt keeps its status).
    pub fn start(&self) -> Vec<Pair> {
        match self.version {
            Version::Scorm12 => vec![pair("cmi.core.lesson_status", "incomplete")],
            Version::Scorm2004 => {
                vec![pair("cmi.completion_status", "incomplete"), pair("cmi.success_status", "unknown")]
            }
        }
    }

    /// Values for one event that happened at `timestamp` (ISO 8601, UTC, as the browser's
    /// `Date.toISOString` gives it); each version's time type is made here.
    pub fn event(&mut self, m: &Module, event: &Event, timestamp: &str) -> Vec<Pair> {
        let v12 = self.version == Version::Scorm12;
        let time = &self.version.interaction_time(timestamp);
        match event {
            Event::ChoiceMade { node, choice, duration_ms, .. } => {
                let Some(n) = m.node(node) else { return vec![] };
                if !matches!(n.kind, NodeKind::Decision { .. }) {
                    return vec![];
                }
                let mut out = self.interaction_head(node, "choice", time);
                let p = self.prefix();
                if v12 {
                    out.push(pair(&format!("{p}.student_response"), &truncate(choice, 255)));
                    out.push(pair(&format!("{p}.latency"), &scorm12_timespan(*duration_ms)));
                } else {
                    if let Some(t) = &n.text {
                        out.push(pair(&format!("{p}.description"), &truncate(m.text(&self.lang, t), 250)));
                    }
                    out.push(pair(&format!("{p}.learner_response"), choice));
                    out.push(pair(&format!("{p}.latency"), &iso_duration(*duration_ms)));
                }
                // A decision is not right or wrong; its effects show in the objectives.
                out.push(pair(&format!("{p}.result"), "neutral"));
                self.interactions += 1;
                out
            }
            Event::QuestionAnswered {
                node,
                question,
                response,
                success,
                points_possible,
                final_answer,
                ..
            } => {
                // Only the answer that counts: SCORM keeps no attempts within an interaction.
                if !final_answer {
                    return vec![];
                }
                let Some(NodeKind::Quiz { questions, .. }) = m.node(node).map(|n| &n.kind) else {
                    return vec![];
                };
                let Some(q) = questions.iter().find(|q| &q.id == question) else { return vec![] };
                let kind = if v12 { interaction::scorm12_kind(q) } else { interaction::kind(q) };
                let mut out = self.interaction_head(question, kind, time);
                let p = self.prefix();
                out.push(pair(&format!("{p}.weighting"), &number(*points_possible)));
                let patterns = interaction::correct_patterns(m, &self.lang, q).unwrap_or_default();
                // true-false, likert and SCORM 1.2 take exactly one pattern.
                let one = v12 || matches!(q.body, QuestionBody::TrueFalse { .. });
                for (i, pattern) in patterns.iter().take(if one { 1 } else { patterns.len() }).enumerate() {
                    let value = match (&q.body, v12) {
                        (QuestionBody::Numeric { answer, .. }, true) => number(*answer),
                        // SCORM 1.2 has no character-string parameters.
                        (QuestionBody::FillIn { .. }, true) => {
                            pattern.rsplit('}').next().unwrap_or(pattern).to_string()
                        }
                        (_, true) => interaction::scorm12_pattern(kind, pattern),
                        (_, false) => pattern.clone(),
                    };
                    out.push(pair(&format!("{p}.correct_responses.{i}.pattern"), &value));
                }
                let answer = interaction::response(response);
                let result = match (success, v12) {
                    (None, _) => "neutral",
                    (Some(true), _) => "correct",
                    (Some(false), true) => "wrong",
                    (Some(false), false) => "incorrect",
                };
                if v12 {
                    out.push(pair(
                        &format!("{p}.student_response"),
                        &interaction::scorm12_pattern(kind, &answer),
                    ));
                } else {
                    out.push(pair(&format!("{p}.description"), &truncate(m.text(&self.lang, &q.text), 250)));
                    let limit = if kind == "long-fill-in" { 4000 } else { 250 };
                    out.push(pair(&format!("{p}.learner_response"), &truncate(&answer, limit)));
                }
                out.push(pair(&format!("{p}.result"), result));
                self.interactions += 1;
                out
            }
            Event::CompetencyScored { competency, score, max, scaled } => {
                let n = match self.objectives.iter().position(|o| o == competency) {
                    Some(n) => n,
                    None => {
                        self.objectives.push(competency.clone());
                        self.objectives.len() - 1
                    }
                };
                let o = format!("cmi.objectives.{n}");
                let mut out = vec![
                    pair(&format!("{o}.id"), competency),
                    pair(&format!("{o}.score.raw"), &score.to_string()),
                    pair(&format!("{o}.score.min"), "0"),
                    pair(&format!("{o}.score.max"), &max.to_string()),
                ];
                if v12 {
                    out.push(pair(&format!("{o}.status"), "completed"));
                } else {
                    out.push(pair(&format!("{o}.score.scaled"), &number(*scaled)));
                    out.push(pair(&format!("{o}.completion_status"), "completed"));
                }
                out
            }
            Event::EndingReached { scaled, passed, .. } => {
                let percent = (scaled * 100.0).round() as i64;
                let mut out = match self.version {
                    Version::Scorm12 => vec![
                        pair("cmi.core.score.raw", &percent.to_string()),
                        pair("cmi.core.score.min", "0"),
                        pair("cmi.core.score.max", "100"),
                        pair("cmi.core.lesson_status", if *passed { "passed" } else { "failed" }),
                    ],
                    Version::Scorm2004 => vec![
                        pair("cmi.score.scaled", &number(scaled.clamp(-1.0, 1.0))),
                        pair("cmi.score.raw", &percent.to_string()),
                        pair("cmi.score.min", "0"),
                        pair("cmi.score.max", "100"),
                        pair("cmi.completion_status", "completed"),
                        pair("cmi.success_status", if *passed { "passed" } else { "failed" }),
                        pair("cmi.progress_measure", "1"),
                    ],
                };
                // Finished: nothing to resume.
                out.push(self.exit(""));
                out
            }
            Event::LanguageChanged { to, .. } | Event::Started { lang: to, .. } => {
                self.lang = to.clone();
                vec![]
            }
            _ => vec![],
        }
    }

    /// Progress to keep: the engine's saved state, where the learner is, and the session time.
    /// Refused when the saved state does not fit (never truncated: a cut state cannot resume).
    pub fn suspend(&self, saved: &str, location: &str, session_ms: u64) -> Result<Vec<Pair>, ScormError> {
        let limit = self.version.suspend_limit();
        if saved.len() > limit {
            return Err(ScormError::SuspendTooLong { len: saved.len(), limit });
        }
        Ok(match self.version {
            Version::Scorm12 => vec![
                pair("cmi.suspend_data", saved),
                pair("cmi.core.lesson_location", &truncate(location, 255)),
                self.exit("suspend"),
                self.session_time(session_ms),
            ],
            Version::Scorm2004 => vec![
                pair("cmi.suspend_data", saved),
                pair("cmi.location", &truncate(location, 1000)),
                self.exit("suspend"),
                self.session_time(session_ms),
            ],
        })
    }

    /// The session time, for the end of every session.
    pub fn session_time(&self, session_ms: u64) -> Pair {
        match self.version {
            Version::Scorm12 => pair("cmi.core.session_time", &scorm12_timespan(session_ms)),
            Version::Scorm2004 => pair("cmi.session_time", &iso_duration(session_ms)),
        }
    }

    fn exit(&self, how: &str) -> Pair {
        match (self.version, how) {
            (Version::Scorm12, _) => pair("cmi.core.exit", how),
            (Version::Scorm2004, "") => pair("cmi.exit", "normal"),
            (Version::Scorm2004, _) => pair("cmi.exit", how),
        }
    }

    fn prefix(&self) -> String {
        format!("cmi.interactions.{}", self.interactions)
    }

    fn interaction_head(&self, id: &str, kind: &str, time: &str) -> Vec<Pair> {
        let p = self.prefix();
        let time_key = if self.version == Version::Scorm12 { "time" } else { "timestamp" };
        vec![
            pair(&format!("{p}.id"), &truncate(id, 255)),
            pair(&format!("{p}.type"), kind),
            pair(&format!("{p}.{time_key}"), time),
        ]
    }
}

fn pair(k: &str, v: &str) -> Pair {
    (k.to_string(), v.to_string())
}
