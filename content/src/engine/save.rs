//! Saved state: a compact text that fits SCORM 1.2's 4,096-character `cmi.suspend_data`.
//!
//! The state is its action log; everything else is derived by replay. The format is printable
//! ASCII with no quotes or backslashes, so it is safe in any LMS field:
//!
//! ```text
//! h2|<content hash>|<lang>|<seed, base 36>|<entry>;<entry>;…
//! entry = <op><payload>@<ms since the previous entry, base 36>
//! op    = C continue · H<choice> choose · R[<text>] reflect · A<question>=<response> answer
//! response = o<option> · m<option>,<option> · t · f · s<item>,<item> · p<pair>:<pair>,… ·
//!            x<text> · n<IEEE 754 bits of the number, base 36> · l<scale point>
//! ```
//!
//! Ids are kept (not indices), so a log still replays when the module has changed around it.
//! Text is percent-encoded.

use super::{Action, Event, Logged, Response, State};
use crate::model::{Millis, Module};

const VERSION: &str = "h2";

/// What resuming found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeReport {
    /// The module's content hash differs from the saved one.
    pub changed_content: bool,
    /// Actions replayed, and actions dropped because they no longer apply.
    pub replayed: usize,
    pub dropped: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveError {
    #[error("saved state is not in a format this player knows (it starts with `{0}`)")]
    Version(String),
    #[error("saved state is damaged: {0}")]
    Damaged(String),
}

impl State {
    /// The compact saved form of this state.
    pub fn save(&self) -> String {
        let mut out =
            format!("{VERSION}|{}|{}|{}|", self.content_hash, escape(&self.lang), radix36(self.seed));
        let mut prev = self.started_at;
        for (i, Logged { action, at }) in self.log.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            encode_action(action, &mut out);
            out.push('@');
            out.push_str(&radix36(at.saturating_sub(prev)));
            prev = *at;
        }
        out
    }

    /// Rebuilds a state from [`State::save`] output by replaying it. On changed content the log
    /// replays as far as it still applies; the rest is dropped and reported.
    pub fn resume(
        m: &Module,
        saved: &str,
        now: Millis,
    ) -> Result<(State, Vec<Event>, ResumeReport), SaveError> {
        let mut parts = saved.splitn(5, '|');
        let version = parts.next().unwrap_or_default();
        if version != VERSION {
            return Err(SaveError::Version(version.chars().take(8).collect()));
        }
        let damaged = |what: &str| SaveError::Damaged(what.to_string());
        let hash = parts.next().ok_or_else(|| damaged("no content hash"))?;
        let lang = unescape(parts.next().ok_or_else(|| damaged("no language"))?)?;
        let seed =
            parts.next().and_then(|s| u64::from_str_radix(s, 36).ok()).ok_or_else(|| damaged("no seed"))?;
        let body = parts.next().ok_or_else(|| damaged("no log"))?;
        let mut entries = Vec::new();
        let mut at: Millis = 0;
        for (i, entry) in body.split(';').filter(|e| !e.is_empty()).enumerate() {
            let (action, delta) =
                entry.rsplit_once('@').ok_or_else(|| damaged(&format!("entry {} has no time", i + 1)))?;
            let delta = u64::from_str_radix(delta, 36)
                .map_err(|_| damaged(&format!("entry {} has a bad time", i + 1)))?;
            at = at.saturating_add(delta);
            let action =
                decode_action(action).ok_or_else(|| damaged(&format!("entry {} is not an action", i + 1)))?;
            entries.push(Logged { action, at });
        }
        let changed_content = hash != m.content_hash;
        let (mut state, _) = State::start(m, &lang, seed, 0);
        let mut replayed = 0;
        for entry in &entries {
            if state.apply(m, entry.action.clone(), entry.at).is_err() {
                break;
            }
            replayed += 1;
        }
        if replayed < entries.len() && !changed_content {
            return Err(damaged(&format!("entry {} does not apply to this module", replayed + 1)));
        }
        // Time spent away is not time on the node.
        state.entered_at = now;
        state.started_at = now.saturating_sub(at);
        state.rebase_log(now.saturating_sub(at));
        let report = ResumeReport { changed_content, replayed, dropped: entries.len() - replayed };
        Ok((state, vec![Event::Resumed { changed_content }], report))
    }

    /// Shifts logged times so they are relative to a new start, keeping their spacing.
    fn rebase_log(&mut self, start: Millis) {
        for entry in &mut self.log {
            entry.at = entry.at.saturating_add(start);
        }
    }
}

fn encode_action(a: &Action, out: &mut String) {
    match a {
        Action::Continue => out.push('C'),
        Action::Back => out.push('B'),
        Action::Choose { choice } => {
            out.push('H');
            out.push_str(&escape(choice));
        }
        Action::Reflect { text } => {
            out.push('R');
            out.push_str(&escape(text));
        }
        Action::Answer { question, response } => {
            out.push('A');
            out.push_str(&escape(question));
            out.push('=');
            let list = |ids: &[String]| ids.iter().map(|i| escape(i)).collect::<Vec<_>>().join(",");
            match response {
                Response::Choice(id) => out.push_str(&format!("o{}", escape(id))),
                Response::Choices(ids) => out.push_str(&format!("m{}", list(ids))),
                Response::Bool(b) => out.push(if *b { 't' } else { 'f' }),
                Response::Order(ids) => out.push_str(&format!("s{}", list(ids))),
                Response::Matches(pairs) => {
                    let p: Vec<String> =
                        pairs.iter().map(|(a, b)| format!("{}:{}", escape(a), escape(b))).collect();
                    out.push_str(&format!("p{}", p.join(",")));
                }
                Response::Text(t) => out.push_str(&format!("x{}", escape(t))),
                // The exact bits, in base 36: no float formatting code in the player, no rounding.
                Response::Numeric(n) => out.push_str(&format!("n{}", radix36(n.to_bits()))),
                Response::Scale(n) => out.push_str(&format!("l{n}")),
            }
        }
    }
}

fn decode_action(s: &str) -> Option<Action> {
    let (op, rest) = s.split_at_checked(1)?;
    Some(match op {
        "C" if rest.is_empty() => Action::Continue,
        "B" if rest.is_empty() => Action::Back,
        "H" => Action::Choose { choice: unescape(rest).ok()? },
        "R" => Action::Reflect { text: unescape(rest).ok()? },
        "A" => {
            let (q, r) = rest.split_once('=')?;
            let (kind, v) = r.split_at_checked(1)?;
            let list = |v: &str| -> Option<Vec<String>> {
                if v.is_empty() { Some(Vec::new()) } else { v.split(',').map(|i| unescape(i).ok()).collect() }
            };
            let response = match kind {
                "o" => Response::Choice(unescape(v).ok()?),
                "m" => Response::Choices(list(v)?),
                "t" if v.is_empty() => Response::Bool(true),
                "f" if v.is_empty() => Response::Bool(false),
                "s" => Response::Order(list(v)?),
                "p" => Response::Matches(
                    v.split(',')
                        .filter(|p| !p.is_empty())
                        .map(|p| {
                            let (a, b) = p.split_once(':')?;
                            Some((unescape(a).ok()?, unescape(b).ok()?))
                        })
                        .collect::<Option<_>>()?,
                ),
                "x" => Response::Text(unescape(v).ok()?),
                "n" => Response::Numeric(
                    u64::from_str_radix(v, 36).ok().map(f64::from_bits).filter(|n| n.is_finite())?,
                ),
                "l" => Response::Scale(v.parse().ok()?),
                _ => return None,
            };
            Action::Answer { question: unescape(q).ok()?, response }
        }
        _ => return None,
    })
}

/// Percent-encodes everything but letters, digits and `.-_ `, so the result is printable ASCII
/// without the format's separators.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b' ') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn unescape(s: &str) -> Result<String, SaveError> {
    let bad = || SaveError::Damaged(format!("bad escape in `{}`", s.chars().take(20).collect::<String>()));
    let mut bytes = Vec::with_capacity(s.len());
    let mut it = s.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hex = [it.next().ok_or_else(bad)?, it.next().ok_or_else(bad)?];
            let hex = std::str::from_utf8(&hex).map_err(|_| bad())?;
            bytes.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).map_err(|_| bad())
}

fn radix36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n == 0 {
        return "0".into();
    }
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}
