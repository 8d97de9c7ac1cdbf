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
