//! Small typed pieces of the xAPI model that the LRS and the client share.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The reserved voiding verb (xAPI 1.0.3 Data §2.3.2).
pub const VOIDED_VERB: &str = "http://adlnet.gov/expapi/verbs/voided";

/// The xAPI version a request was made under (negotiated from `X-Experience-API-Version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Version {
    /// 1.0.0 – 1.0.3.
    V1_0,
    /// 2.0.x (IEEE 9274.1.1-2023).
    V2_0,
}

impl Version {
    /// Parses a header value. 1.0.3 Communication §3.3: the LRS MUST accept `1.0` and `1.0.x`;
    /// 2.0 accepts `2.0` and `2.0.x`. Anything else is rejected.
    pub fn from_header(s: &str) -> Option<Version> {
        let s = s.trim();
        let minor_ok = |rest: &str| {
            rest.is_empty()
                || rest
                    .strip_prefix('.')
                    .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        if let Some(rest) = s.strip_prefix("1.0") {
            minor_ok(rest).then_some(Version::V1_0)
        } else if let Some(rest) = s.strip_prefix("2.0") {
            minor_ok(rest).then_some(Version::V2_0)
        } else {
            None
        }
    }

    /// The version string the LRS puts in responses.
    pub fn as_header(self) -> &'static str {
        match self {
            Version::V1_0 => "1.0.3",
            Version::V2_0 => "2.0.0",
        }
    }
}

/// An Agent's inverse functional identifier, normalised to one string so that it can be used as
/// an index column and a query key (`mbox:mailto:a@b`, `account:https://x|name`, ...).
pub fn agent_ifi(agent: &Value) -> Option<String> {
    let o = agent.as_object()?;
    if let Some(m) = o.get("mbox").and_then(Value::as_str) {
        return Some(format!("mbox:{m}"));
    }
    if let Some(m) = o.get("mbox_sha1sum").and_then(Value::as_str) {
        return Some(format!("mbox_sha1sum:{}", m.to_ascii_lowercase()));
    }
    if let Some(m) = o.get("openid").and_then(Value::as_str) {
        return Some(format!("openid:{m}"));
    }
    if let Some(a) = o.get("account").and_then(Value::as_object) {
        let hp = a.get("homePage").and_then(Value::as_str)?;
        let name = a.get("name").and_then(Value::as_str)?;
        return Some(format!("account:{hp}|{name}"));
    }
    None
}

/// The statement id a voiding statement targets, if this statement voids one (Data §2.3.2).
pub fn voided_target(stmt: &Value) -> Option<&str> {
    if stmt.pointer("/verb/id").and_then(Value::as_str) != Some(VOIDED_VERB) {
        return None;
    }
    let obj = stmt.get("object")?;
    if obj.get("objectType").and_then(Value::as_str) != Some("StatementRef") {
        return None;
    }
    obj.get("id").and_then(Value::as_str)
}

/// Puts a validated statement in the form an LRS stores and returns (Data §2.4.6.2): every
/// `contextActivities` entry is an array, also when the client sent a single Activity object, in
/// the statement and in a SubStatement object.
pub fn normalise(stmt: &mut Value) {
    fn context(s: &mut Value) {
        let Some(Value::Object(ca)) = s.pointer_mut("/context/contextActivities") else { return };
        for (_, list) in ca.iter_mut() {
            if list.is_object() {
                *list = Value::Array(vec![list.take()]);
            }
        }
    }
    context(stmt);
    if let Some(obj) = stmt.get_mut("object")
        && obj.get("objectType").and_then(Value::as_str) == Some("SubStatement")
    {
        context(obj);
    }
}

/// The identifiers `related_agents=true` matches (Communication §2.1.3): the actor, an Agent or
/// Group object, the authority, the context's instructor and team (under 2.0 also its
/// contextAgents and contextGroups), and the same in a SubStatement object. Each is an
/// [`agent_ifi`]; Agents and Groups without an identifier are left out.
pub fn related_agents(stmt: &Value) -> Vec<String> {
    fn push(out: &mut Vec<String>, v: Option<&Value>) {
        if let Some(i) = v.and_then(agent_ifi)
            && !out.contains(&i)
        {
            out.push(i);
        }
    }
    fn one(s: &Value, out: &mut Vec<String>, sub: bool) {
        push(out, s.get("actor"));
        push(out, s.get("authority"));
        push(out, s.pointer("/context/instructor"));
        push(out, s.pointer("/context/team"));
        for (list, key) in [("contextAgents", "agent"), ("contextGroups", "group")] {
            if let Some(Value::Array(items)) = s.pointer(&format!("/context/{list}")) {
                for it in items {
                    push(out, it.get(key));
                }
            }
        }
        let obj = s.get("object");
        match obj.and_then(|o| o.get("objectType")).and_then(Value::as_str) {
            Some("Agent" | "Group") => push(out, obj),
            Some("SubStatement") if !sub => one(obj.unwrap_or(&Value::Null), out, true),
            _ => {}
        }
    }
    let mut out = Vec::new();
    one(stmt, &mut out, false);
    out
}

/// The activity ids `related_activities=true` matches (Communication §2.1.3): an Activity
/// object, every context Activity, and the same in a SubStatement object.
pub fn related_activities(stmt: &Value) -> Vec<String> {
    fn push(out: &mut Vec<String>, v: Option<&Value>) {
        if let Some(id) = v.and_then(|a| a.get("id")).and_then(Value::as_str)
            && !out.iter().any(|x| x == id)
        {
            out.push(id.to_owned());
        }
    }
    fn one(s: &Value, out: &mut Vec<String>, sub: bool) {
        let obj = s.get("object");
        match obj.and_then(|o| o.get("objectType")).and_then(Value::as_str).unwrap_or("Activity") {
            "Activity" => push(out, obj),
            "SubStatement" if !sub => one(obj.unwrap_or(&Value::Null), out, true),
            _ => {}
        }
        if let Some(Value::Object(ca)) = s.pointer("/context/contextActivities") {
            for list in ca.values() {
                match list {
                    Value::Array(items) => items.iter().for_each(|a| push(out, Some(a))),
                    single => push(out, Some(single)),
                }
            }
        }
    }
    let mut out = Vec::new();
    one(stmt, &mut out, false);
    out
}

/// `format=canonical` (Communication §2.1.3): every language map of the verbs' `display` and of
/// activity definitions (name, description, interaction components) — in the statement, its
/// context activities and a SubStatement — keeps one entry: the best match for
/// `Accept-Language` (quality values, RFC 4647 lookup: `en-GB` falls back to `en`, `en` takes
/// `en-GB`, `*` takes any), or the first when none matches. Agents are left as they are.
pub fn canonical(stmt: &mut Value, accept_language: Option<&str>) {
    let prefs = language_preferences(accept_language.unwrap_or(""));
    canonical_statement(stmt, &prefs, false);
}

fn canonical_statement(s: &mut Value, prefs: &[String], sub: bool) {
    if let Some(d) = s.pointer_mut("/verb/display") {
        one_language(d, prefs);
    }
    if let Some(obj) = s.get_mut("object") {
        match obj.get("objectType").and_then(Value::as_str).unwrap_or("Activity") {
            "Activity" => canonical_activity(obj, prefs),
            "SubStatement" if !sub => canonical_statement(obj, prefs, true),
            _ => {}
        }
    }
    if let Some(Value::Object(ca)) = s.pointer_mut("/context/contextActivities") {
        for list in ca.values_mut() {
            match list {
                Value::Array(items) => items.iter_mut().for_each(|a| canonical_activity(a, prefs)),
                single => canonical_activity(single, prefs),
            }
        }
    }
}

fn canonical_activity(a: &mut Value, prefs: &[String]) {
    let Some(Value::Object(def)) = a.get_mut("definition") else { return };
    for k in ["name", "description"] {
        if let Some(m) = def.get_mut(k) {
            one_language(m, prefs);
        }
    }
    for k in ["choices", "scale", "source", "target", "steps"] {
        if let Some(Value::Array(items)) = def.get_mut(k) {
            for it in items {
                if let Some(m) = it.get_mut("description") {
                    one_language(m, prefs);
                }
            }
        }
    }
}

/// Language ranges of an Accept-Language header, best first (q=0 left out).
fn language_preferences(h: &str) -> Vec<String> {
    let mut v: Vec<(f32, usize, String)> = h
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut it = item.split(';');
            let tag = it.next()?.trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .unwrap_or(1.0);
            (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
        })
        .collect();
    v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    v.into_iter().map(|(_, _, t)| t).collect()
}

fn one_language(map: &mut Value, prefs: &[String]) {
    let Value::Object(m) = map else { return };
    if m.len() <= 1 {
        return;
    }
    let pick = |range: &str| -> Option<String> {
        let keys = || m.keys().map(|k| (k, k.to_ascii_lowercase()));
        if range == "*" {
            return m.keys().next().cloned();
        }
        if let Some((k, _)) = keys().find(|(_, l)| l == range) {
            return Some(k.clone());
        }
        // `en` takes `en-GB`; then `en-GB` falls back to `en`.
        if let Some((k, _)) = keys().find(|(_, l)| l.strip_prefix(range).is_some_and(|r| r.starts_with('-')))
        {
            return Some(k.clone());
        }
        let mut r = range;
        while let Some(i) = r.rfind('-') {
            r = &r[..i];
            if let Some((k, _)) = keys().find(|(_, l)| l == r) {
                return Some(k.clone());
            }
        }
        None
    };
    let chosen = prefs.iter().find_map(|p| pick(p)).or_else(|| m.keys().next().cloned());
    if let Some(k) = chosen {
        m.retain(|key, _| *key == k);
    }
}
