//! Validation of statements against the LRS MUST rules of xAPI 1.0.3 (`xAPI-Data.md` §2.2,
//! §2.4, §4) and, when the request was made as 2.0, the IEEE 9274.1.1 deltas
//! (contextAgents/contextGroups, RFC 3339 timestamps).
//!
//! Every error carries a JSON path (`statement.result.score.scaled`) and a message. All errors of a
//! statement are collected so a client sees everything wrong at once.

use crate::format::{self, TimestampError};
use crate::model::{VOIDED_VERB, Version};
use serde_json::{Map, Value};
use std::fmt;

/// One rule a statement breaks: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ValidationError {
    /// JSON path, e.g. `statement.result.score.scaled` or `statements[2].actor.mbox`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

struct Ctx {
    version: Version,
    errors: Vec<ValidationError>,
}

impl Ctx {
    fn err(&mut self, path: &str, message: impl fmt::Display) {
        self.errors.push(ValidationError { path: path.to_owned(), message: message.to_string() });
    }
}

/// Validates one statement as sent by a client (so `stored`, `authority` and `version` are
/// allowed but checked).
pub fn validate_statement(stmt: &Value, version: Version) -> Result<(), Vec<ValidationError>> {
    let mut cx = Ctx { version, errors: Vec::new() };
    statement(&mut cx, "statement", stmt, false);
    if cx.errors.is_empty() { Ok(()) } else { Err(cx.errors) }
}

/// Validates a POST body: one statement or an array of them. A batch is all-or-nothing
/// (Communication §2.1.2), so all errors are returned together.
pub fn validate_statements(body: &Value, version: Version) -> Result<(), Vec<ValidationError>> {
    let mut cx = Ctx { version, errors: Vec::new() };
    match body {
        Value::Array(items) => {
            if items.is_empty() {
                cx.err("statements", "an empty array of statements");
            }
            for (i, s) in items.iter().enumerate() {
                statement(&mut cx, &format!("statements[{i}]"), s, false);
            }
        }
        other => statement(&mut cx, "statement", other, false),
    }
    if cx.errors.is_empty() { Ok(()) } else { Err(cx.errors) }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks that `v` is an object whose keys are all in `allowed` (exact case: Data §2.2 rejects
/// keys whose case does not match). Returns the map for further checks.
fn object<'a>(cx: &mut Ctx, path: &str, v: &'a Value, allowed: &[&str]) -> Option<&'a Map<String, Value>> {
    let Value::Object(m) = v else {
        cx.err(path, format!("must be an object, found {}", type_name(v)));
        return None;
    };
    for k in m.keys() {
        if !allowed.contains(&k.as_str()) {
            match allowed.iter().find(|a| a.eq_ignore_ascii_case(k)) {
                Some(a) => cx.err(
                    &format!("{path}.{k}"),
                    format!("key case does not match the specification (`{a}`)"),
                ),
                None => cx.err(&format!("{path}.{k}"), "is not a property allowed here"),
            }
        }
    }
    Some(m)
}

fn string<'a>(cx: &mut Ctx, path: &str, v: &'a Value) -> Option<&'a str> {
    match v {
        Value::String(s) => Some(s),
        other => {
            cx.err(path, format!("must be a string, found {}", type_name(other)));
            None
        }
    }
}

fn boolean(cx: &mut Ctx, path: &str, v: &Value) {
    if !v.is_boolean() {
        cx.err(path, format!("must be a boolean, found {}", type_name(v)));
    }
}

fn number(cx: &mut Ctx, path: &str, v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        other => {
            cx.err(path, format!("must be a number, found {}", type_name(other)));
            None
        }
    }
}

fn iri(cx: &mut Ctx, path: &str, v: &Value) {
    if let Some(s) = string(cx, path, v)
        && !format::is_iri(s)
    {
        cx.err(path, format!("`{s}` is not an IRI (an absolute IRI with a scheme is required)"));
    }
}

fn uuid(cx: &mut Ctx, path: &str, v: &Value) {
    if let Some(s) = string(cx, path, v)
        && !format::is_uuid(s)
    {
        cx.err(path, format!("`{s}` is not a UUID in standard string form"));
    }
}

fn timestamp(cx: &mut Ctx, path: &str, v: &Value) {
    let Some(s) = string(cx, path, v) else { return };
    match format::parse_timestamp(s) {
        Ok(_) => {}
        Err(TimestampError::Malformed) => cx.err(path, format!("`{s}` is not an ISO 8601 timestamp")),
        // ISO 8601 writes a zero offset with `+` (or `Z`); RFC 3339 reads `-00:00` as "offset
        // unknown". Neither is a time this LRS can order, in either version.
        Err(TimestampError::NegativeZeroOffset) => {
            cx.err(
                path,
                format!("`{s}`: the offset -00:00 is not allowed (ISO 8601; RFC 3339 unknown offset)"),
            );
        }
    }
}

fn language_map(cx: &mut Ctx, path: &str, v: &Value) {
    let Value::Object(m) = v else {
        cx.err(path, format!("must be a language map (object), found {}", type_name(v)));
        return;
    };
    for (k, val) in m {
        if !format::is_language_tag(k) {
            cx.err(&format!("{path}.{k}"), format!("`{k}` is not an RFC 5646 language tag"));
        }
        string(cx, &format!("{path}.{k}"), val);
    }
}

/// Extension keys MUST be IRIs; values are never checked (Data §4.1: nulls allowed inside).
fn extensions(cx: &mut Ctx, path: &str, v: &Value) {
    let Value::Object(m) = v else {
        cx.err(path, format!("must be an object, found {}", type_name(v)));
        return;
    };
    for k in m.keys() {
        if !format::is_iri(k) {
            cx.err(&format!("{path}.{k}"), "extension keys must be IRIs");
        }
    }
}

fn statement(cx: &mut Ctx, path: &str, v: &Value, _sub: bool) {
    let Some(m) = object(
        cx,
        path,
        v,
        &[
            "id",
            "actor",
            "verb",
            "object",
            "result",
            "context",
            "timestamp",
            "stored",
            "authority",
            "version",
            "attachments",
        ],
    ) else {
        return;
    };
    if let Some(id) = m.get("id") {
        uuid(cx, &format!("{path}.id"), id);
    }
    statement_body(cx, path, m);
    if let Some(s) = m.get("stored") {
        timestamp(cx, &format!("{path}.stored"), s);
    }
    if let Some(a) = m.get("authority") {
        authority(cx, &format!("{path}.authority"), a);
    }
    if let Some(ver) = m.get("version")
        && let Some(s) = string(cx, &format!("{path}.version"), ver)
    {
        // Data §2.4.10: accept 1.0.x; a 2.0 LRS also accepts 2.0.x.
        let ok = match crate::Version::from_header(s) {
            Some(Version::V1_0) => true,
            Some(Version::V2_0) => cx.version == Version::V2_0,
            None => false,
        };
        if !ok || !s.contains('.') {
            cx.err(&format!("{path}.version"), format!("`{s}` is not a supported statement version"));
        }
    }
}

/// The parts a Statement and a SubStatement share.
fn statement_body(cx: &mut Ctx, path: &str, m: &Map<String, Value>) {
    for req in ["actor", "verb", "object"] {
        if !m.contains_key(req) {
            cx.err(&format!("{path}.{req}"), "is required");
        }
    }
    if let Some(a) = m.get("actor") {
        actor(cx, &format!("{path}.actor"), a);
    }
    let mut verb_id = None;
    if let Some(vb) = m.get("verb")
        && let Some(vm) = object(cx, &format!("{path}.verb"), vb, &["id", "display"])
    {
        match vm.get("id") {
            Some(id) => {
                iri(cx, &format!("{path}.verb.id"), id);
                verb_id = id.as_str();
            }
            None => cx.err(&format!("{path}.verb.id"), "is required"),
        }
        if let Some(d) = vm.get("display") {
            language_map(cx, &format!("{path}.verb.display"), d);
        }
    }
    let mut object_type = None;
    if let Some(o) = m.get("object") {
        object_type = statement_object(cx, &format!("{path}.object"), o, path.ends_with("object"));
    }
    // Data §2.3.2: a voiding statement's object MUST be a StatementRef.
    if verb_id == Some(VOIDED_VERB) && object_type.is_some() && object_type != Some("StatementRef") {
        cx.err(&format!("{path}.object"), "a voiding statement's object must be a StatementRef");
    }
    if let Some(r) = m.get("result") {
        result(cx, &format!("{path}.result"), r);
    }
    if let Some(c) = m.get("context") {
        context(cx, &format!("{path}.context"), c, object_type == Some("Activity"));
    }
    if let Some(t) = m.get("timestamp") {
        timestamp(cx, &format!("{path}.timestamp"), t);
    }
    if let Some(a) = m.get("attachments") {
        attachments(cx, &format!("{path}.attachments"), a);
    }
}

/// Returns the effective objectType when it is known.
fn statement_object<'a>(cx: &mut Ctx, path: &str, v: &'a Value, nested_sub: bool) -> Option<&'a str> {
    let Value::Object(m) = v else {
        cx.err(path, format!("must be an object, found {}", type_name(v)));
        return None;
    };
    let ot = match m.get("objectType") {
        None => "Activity",
        Some(Value::String(s)) => s.as_str(),
        Some(other) => {
            cx.err(&format!("{path}.objectType"), format!("must be a string, found {}", type_name(other)));
            return None;
        }
    };
    match ot {
        "Activity" => activity(cx, path, v),
        "Agent" | "Group" => actor(cx, path, v),
        "StatementRef" => {
            if let Some(m) = object(cx, path, v, &["objectType", "id"]) {
                match m.get("id") {
                    Some(id) => uuid(cx, &format!("{path}.id"), id),
                    None => cx.err(&format!("{path}.id"), "is required"),
                }
            }
        }
        "SubStatement" => {
            if nested_sub {
                cx.err(path, "a SubStatement must not contain a SubStatement");
                return Some(ot);
            }
            // Data §2.4.4.3: no id, stored, version or authority in a SubStatement.
            if let Some(m) = object(
                cx,
                path,
                v,
                &["objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"],
            ) {
                statement_body(cx, path, m);
            }
        }
        other => {
            let hint = ["Activity", "Agent", "Group", "StatementRef", "SubStatement"]
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(other));
            match hint {
                Some(h) => cx.err(&format!("{path}.objectType"), format!("`{other}`: case must match `{h}`")),
                None => cx.err(&format!("{path}.objectType"), format!("`{other}` is not an object type")),
            }
            return None;
        }
    }
    Some(ot)
}

const IFIS: [&str; 4] = ["mbox", "mbox_sha1sum", "openid", "account"];

/// Agent or Group (Data §2.4.2).
fn actor(cx: &mut Ctx, path: &str, v: &Value) {
    let is_group = v.get("objectType").and_then(Value::as_str) == Some("Group");
    if is_group {
        group(cx, path, v);
    } else {
        agent(cx, path, v);
    }
}

/// Data §2.4.9: an authority is an Agent, or (OAuth: consumer and user) an anonymous Group of
/// exactly two Agents.
fn authority(cx: &mut Ctx, path: &str, v: &Value) {
    actor(cx, path, v);
    let Some(m) = v.as_object() else { return };
    if m.get("objectType").and_then(Value::as_str) != Some("Group") {
        return;
    }
    if IFIS.iter().any(|k| m.contains_key(*k)) {
        cx.err(path, "an authority Group must be anonymous (no inverse functional identifier)");
    }
    if let Some(Value::Array(members)) = m.get("member")
        && members.len() != 2
    {
        cx.err(
            &format!("{path}.member"),
            format!("an authority Group has exactly two Agents, found {}", members.len()),
        );
    }
}

fn ifis(cx: &mut Ctx, path: &str, m: &Map<String, Value>) -> usize {
    let mut n = 0;
    for k in IFIS {
        let Some(val) = m.get(k) else { continue };
        n += 1;
        let p = format!("{path}.{k}");
        match k {
            "mbox" => {
                if let Some(s) = string(cx, &p, val)
                    && !format::is_mailto(s)
                {
                    cx.err(&p, format!("`{s}` is not a mailto IRI"));
                }
            }
            "mbox_sha1sum" => {
                if let Some(s) = string(cx, &p, val)
                    && !format::is_sha1_hex(s)
                {
                    cx.err(&p, "must be 40 hexadecimal digits");
                }
            }
            "openid" => iri(cx, &p, val),
            _ => {
                if let Some(a) = object(cx, &p, val, &["homePage", "name"]) {
                    match a.get("homePage") {
                        Some(h) => iri(cx, &format!("{p}.homePage"), h),
                        None => cx.err(&format!("{p}.homePage"), "is required"),
                    }
                    match a.get("name") {
                        Some(n) => {
                            string(cx, &format!("{p}.name"), n);
                        }
                        None => cx.err(&format!("{p}.name"), "is required"),
                    }
                }
            }
        }
    }
    n
}

fn agent(cx: &mut Ctx, path: &str, v: &Value) {
    let Some(m) = object(cx, path, v, &["objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"])
    else {
        return;
    };
    if let Some(ot) = m.get("objectType")
        && let Some(s) = string(cx, &format!("{path}.objectType"), ot)
        && s != "Agent"
    {
        cx.err(&format!("{path}.objectType"), format!("`{s}` must be `Agent` here"));
    }
    if let Some(n) = m.get("name") {
        string(cx, &format!("{path}.name"), n);
    }
    let n = ifis(cx, path, m);
    if n != 1 {
        cx.err(path, format!("an Agent must have exactly one inverse functional identifier, found {n}"));
    }
}

fn group(cx: &mut Ctx, path: &str, v: &Value) {
    let Some(m) =
        object(cx, path, v, &["objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account"])
    else {
        return;
    };
    if let Some(n) = m.get("name") {
        string(cx, &format!("{path}.name"), n);
    }
    let n = ifis(cx, path, m);
    if n > 1 {
        cx.err(path, format!("a Group must have at most one inverse functional identifier, found {n}"));
    }
    match m.get("member") {
        Some(Value::Array(members)) => {
            if n == 0 && members.is_empty() {
                cx.err(&format!("{path}.member"), "an anonymous Group must have members");
            }
            for (i, mem) in members.iter().enumerate() {
                let p = format!("{path}.member[{i}]");
                if mem.get("objectType").and_then(Value::as_str) == Some("Group") {
                    cx.err(&p, "a Group must not contain Groups");
                } else {
                    agent(cx, &p, mem);
                }
            }
        }
        Some(other) => {
            cx.err(&format!("{path}.member"), format!("must be an array, found {}", type_name(other)))
        }
        None if n == 0 => cx.err(&format!("{path}.member"), "an anonymous Group must have members"),
        None => {}
    }
}

const INTERACTION_TYPES: [&str; 10] = [
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
];
const COMPONENT_LISTS: [&str; 5] = ["choices", "scale", "source", "target", "steps"];

fn activity(cx: &mut Ctx, path: &str, v: &Value) {
    let Some(m) = object(cx, path, v, &["objectType", "id", "definition"]) else {
        return;
    };
    match m.get("id") {
        Some(id) => iri(cx, &format!("{path}.id"), id),
        None => cx.err(&format!("{path}.id"), "is required"),
    }
    let Some(d) = m.get("definition") else { return };
    let p = format!("{path}.definition");
    let Some(dm) = object(
        cx,
        &p,
        d,
        &[
            "name",
            "description",
            "type",
            "moreInfo",
            "extensions",
            "interactionType",
            "correctResponsesPattern",
            "choices",
            "scale",
            "source",
            "target",
            "steps",
        ],
    ) else {
        return;
    };
    for k in ["name", "description"] {
        if let Some(x) = dm.get(k) {
            language_map(cx, &format!("{p}.{k}"), x);
        }
    }
    for k in ["type", "moreInfo"] {
        if let Some(x) = dm.get(k) {
            iri(cx, &format!("{p}.{k}"), x);
        }
    }
    if let Some(x) = dm.get("extensions") {
        extensions(cx, &format!("{p}.extensions"), x);
    }
    // Interaction activities (Data §2.4.4.1): a valid interactionType, and only the component
    // list that belongs to it.
    let itype = match dm.get("interactionType") {
        Some(x) => match string(cx, &format!("{p}.interactionType"), x) {
            Some(s) if INTERACTION_TYPES.contains(&s) => Some(s),
            Some(s) => {
                cx.err(&format!("{p}.interactionType"), format!("`{s}` is not an interaction type"));
                None
            }
            None => None,
        },
        None => None,
    };
    let has_interaction_props =
        dm.contains_key("correctResponsesPattern") || COMPONENT_LISTS.iter().any(|k| dm.contains_key(*k));
    if has_interaction_props && !dm.contains_key("interactionType") {
        cx.err(&format!("{p}.interactionType"), "is required when interaction properties are present");
    }
    if let Some(crp) = dm.get("correctResponsesPattern") {
        match crp {
            Value::Array(items) => {
                for (i, it) in items.iter().enumerate() {
                    string(cx, &format!("{p}.correctResponsesPattern[{i}]"), it);
                }
            }
            other => cx.err(
                &format!("{p}.correctResponsesPattern"),
                format!("must be an array of strings, found {}", type_name(other)),
            ),
        }
    }
    for list in COMPONENT_LISTS {
        let Some(x) = dm.get(list) else { continue };
        let lp = format!("{p}.{list}");
        if let Some(t) = itype {
            let allowed: &[&str] = match t {
                "choice" | "sequencing" => &["choices"],
                "likert" => &["scale"],
                "matching" => &["source", "target"],
                "performance" => &["steps"],
                _ => &[],
            };
            if !allowed.contains(&list) {
                cx.err(&lp, format!("is not allowed for interactionType `{t}`"));
            }
        }
        let Value::Array(items) = x else {
            cx.err(&lp, format!("must be an array, found {}", type_name(x)));
            continue;
        };
        let mut seen = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let ip = format!("{lp}[{i}]");
            if let Some(cm) = object(cx, &ip, it, &["id", "description"]) {
                match cm.get("id") {
                    Some(id) => {
                        if let Some(s) = string(cx, &format!("{ip}.id"), id) {
                            if seen.contains(&s) {
                                cx.err(&format!("{ip}.id"), format!("`{s}` is not unique in this list"));
                            }
                            seen.push(s);
                        }
                    }
                    None => cx.err(&format!("{ip}.id"), "is required"),
                }
                if let Some(dsc) = cm.get("description") {
                    language_map(cx, &format!("{ip}.description"), dsc);
                }
            }
        }
    }
}

fn result(cx: &mut Ctx, path: &str, v: &Value) {
    let Some(m) =
        object(cx, path, v, &["score", "success", "completion", "response", "duration", "extensions"])
    else {
        return;
    };
    if let Some(s) = m.get("score") {
        let sp = format!("{path}.score");
        if let Some(sm) = object(cx, &sp, s, &["scaled", "raw", "min", "max"]) {
            let mut get = |k: &str| sm.get(k).and_then(|x| number(cx, &format!("{sp}.{k}"), x));
            let (scaled, raw, min, max) = (get("scaled"), get("raw"), get("min"), get("max"));
            // Data §2.4.5.1.
            if let Some(sc) = scaled
                && !(-1.0..=1.0).contains(&sc)
            {
                cx.err(&format!("{sp}.scaled"), format!("{sc} is outside -1..1"));
            }
            if let (Some(lo), Some(hi)) = (min, max)
                && lo >= hi
            {
                cx.err(&format!("{sp}.min"), format!("min ({lo}) must be less than max ({hi})"));
            }
            if let Some(r) = raw {
                if let Some(lo) = min
                    && r < lo
                {
                    cx.err(&format!("{sp}.raw"), format!("raw ({r}) is below min ({lo})"));
                }
                if let Some(hi) = max
                    && r > hi
                {
                    cx.err(&format!("{sp}.raw"), format!("raw ({r}) is above max ({hi})"));
                }
            }
        }
    }
    for k in ["success", "completion"] {
        if let Some(x) = m.get(k) {
            boolean(cx, &format!("{path}.{k}"), x);
        }
    }
    if let Some(x) = m.get("response") {
        string(cx, &format!("{path}.response"), x);
    }
    if let Some(x) = m.get("duration")
        && let Some(s) = string(cx, &format!("{path}.duration"), x)
        && !format::is_duration(s)
    {
        cx.err(&format!("{path}.duration"), format!("`{s}` is not an ISO 8601 duration"));
    }
    if let Some(x) = m.get("extensions") {
        extensions(cx, &format!("{path}.extensions"), x);
    }
}

fn context(cx: &mut Ctx, path: &str, v: &Value, object_is_activity: bool) {
    let mut allowed = vec![
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    ];
    if cx.version == Version::V2_0 {
        allowed.extend(["contextAgents", "contextGroups"]);
    }
    let Some(m) = object(cx, path, v, &allowed) else { return };
    if let Some(x) = m.get("registration") {
        uuid(cx, &format!("{path}.registration"), x);
    }
    if let Some(x) = m.get("instructor") {
        actor(cx, &format!("{path}.instructor"), x);
    }
    if let Some(x) = m.get("team") {
        let p = format!("{path}.team");
        if x.get("objectType").and_then(Value::as_str) != Some("Group") {
            cx.err(&p, "team must be a Group");
        }
        group(cx, &p, x);
    }
    for k in ["revision", "platform"] {
        if let Some(x) = m.get(k) {
            string(cx, &format!("{path}.{k}"), x);
            // Data §2.4.6.2: only when the statement's object is an Activity.
            if !object_is_activity {
                cx.err(&format!("{path}.{k}"), "is only allowed when the statement's object is an Activity");
            }
        }
    }
    if let Some(x) = m.get("language")
        && let Some(s) = string(cx, &format!("{path}.language"), x)
        && !format::is_language_tag(s)
    {
        cx.err(&format!("{path}.language"), format!("`{s}` is not an RFC 5646 language tag"));
    }
    if let Some(x) = m.get("statement") {
        let p = format!("{path}.statement");
        if let Some(sm) = object(cx, &p, x, &["objectType", "id"]) {
            if sm.get("objectType").and_then(Value::as_str) != Some("StatementRef") {
                cx.err(&format!("{p}.objectType"), "must be `StatementRef`");
            }
            match sm.get("id") {
                Some(id) => uuid(cx, &format!("{p}.id"), id),
                None => cx.err(&format!("{p}.id"), "is required"),
            }
        }
    }
    if let Some(x) = m.get("extensions") {
        extensions(cx, &format!("{path}.extensions"), x);
    }
    if let Some(x) = m.get("contextActivities") {
        let p = format!("{path}.contextActivities");
        if let Some(cm) = object(cx, &p, x, &["parent", "grouping", "category", "other"]) {
            for (k, val) in cm {
                let kp = format!("{p}.{k}");
                match val {
                    // 1.0.3 Data §2.4.6.2: a single Activity object is accepted and normalised.
                    Value::Object(_) => activity(cx, &kp, val),
                    Value::Array(items) => {
                        for (i, a) in items.iter().enumerate() {
                            activity(cx, &format!("{kp}[{i}]"), a);
                        }
                    }
                    other => cx.err(
                        &kp,
                        format!("must be an Activity or an array of them, found {}", type_name(other)),
                    ),
                }
            }
        }
    }
    // 2.0 §2.4.6: contextAgents / contextGroups.
    for (key, ot, inner) in
        [("contextAgents", "contextAgent", "agent"), ("contextGroups", "contextGroup", "group")]
    {
        let Some(x) = m.get(key) else { continue };
        let p = format!("{path}.{key}");
        let Value::Array(items) = x else {
            cx.err(&p, format!("must be an array, found {}", type_name(x)));
            continue;
        };
        for (i, it) in items.iter().enumerate() {
            let ip = format!("{p}[{i}]");
            let Some(im) = object(cx, &ip, it, &["objectType", inner, "relevantTypes"]) else { continue };
            if im.get("objectType").and_then(Value::as_str) != Some(ot) {
                cx.err(&format!("{ip}.objectType"), format!("must be `{ot}`"));
            }
            match im.get(inner) {
                Some(a) if inner == "agent" => agent(cx, &format!("{ip}.{inner}"), a),
                Some(g) => {
                    if g.get("objectType").and_then(Value::as_str) != Some("Group") {
                        cx.err(&format!("{ip}.{inner}.objectType"), "must be `Group`");
                    }
                    group(cx, &format!("{ip}.{inner}"), g)
                }
                None => cx.err(&format!("{ip}.{inner}"), "is required"),
            }
            if let Some(rt) = im.get("relevantTypes") {
                match rt {
                    Value::Array(ts) if !ts.is_empty() => {
                        for (j, t) in ts.iter().enumerate() {
                            iri(cx, &format!("{ip}.relevantTypes[{j}]"), t);
                        }
                    }
                    _ => cx.err(&format!("{ip}.relevantTypes"), "must be a non-empty array of IRIs"),
                }
            }
        }
    }
}

fn attachments(cx: &mut Ctx, path: &str, v: &Value) {
    let Value::Array(items) = v else {
        cx.err(path, format!("must be an array, found {}", type_name(v)));
        return;
    };
    for (i, a) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        let Some(m) = object(
            cx,
            &p,
            a,
            &["usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"],
        ) else {
            continue;
        };
        for req in ["usageType", "display", "contentType", "length", "sha2"] {
            if !m.contains_key(req) {
                cx.err(&format!("{p}.{req}"), "is required");
            }
        }
        if let Some(x) = m.get("usageType") {
            iri(cx, &format!("{p}.usageType"), x);
        }
        if let Some(x) = m.get("fileUrl") {
            iri(cx, &format!("{p}.fileUrl"), x);
        }
        for k in ["display", "description"] {
            if let Some(x) = m.get(k) {
                language_map(cx, &format!("{p}.{k}"), x);
            }
        }
        if let Some(x) = m.get("contentType") {
            string(cx, &format!("{p}.contentType"), x);
        }
        if let Some(x) = m.get("sha2") {
            string(cx, &format!("{p}.sha2"), x);
        }
        if let Some(x) = m.get("length")
            && !(x.is_u64())
        {
            cx.err(&format!("{p}.length"), format!("must be a non-negative integer, found {}", type_name(x)));
        }
    }
}
