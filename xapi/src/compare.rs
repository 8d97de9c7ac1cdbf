//! Statement comparison for PUT/POST of an existing id (Data §2.3.1 "Statement Comparison
//! Requirements"): ignore id, authority, stored, timestamp, version, attachments, activity
//! definitions, verb display and member order; compare everything else exactly, except that
//! durations are compared to 0.01 s (Data §4.6).

use serde_json::Value;

/// True when two statements are the same statement for the purposes of the immutability rule.
pub fn statements_equivalent(a: &Value, b: &Value) -> bool {
    normalise(a, 0) == normalise(b, 0)
}

fn normalise(v: &Value, depth: usize) -> Value {
    let mut v = v.clone();
    strip(&mut v, depth);
    v
}

fn strip(v: &mut Value, depth: usize) {
    match v {
        Value::Object(m) => {
            if depth == 0 {
                for k in ["id", "authority", "stored", "timestamp", "version", "attachments"] {
                    m.remove(k);
                }
            }
            // Activity definitions and verb display are not part of the statement's identity.
            if m.contains_key("id")
                && !matches!(m.get("objectType").and_then(Value::as_str), Some("StatementRef"))
            {
                m.remove("definition");
            }
            if let Some(Value::Object(verb)) = m.get_mut("verb") {
                verb.remove("display");
            }
            if let Some(Value::Object(obj)) = m.get_mut("object")
                && obj.get("objectType").and_then(Value::as_str) == Some("SubStatement")
            {
                obj.remove("timestamp");
                obj.remove("attachments");
            }
            // Data §4.6: durations are compared to 0.01 s.
            if let Some(Value::String(d)) = m.get_mut("duration") {
                *d = duration_to_hundredths(d);
            }
            // An absent objectType on an object means Activity.
            for (k, child) in m.iter_mut() {
                if k != "extensions" {
                    strip(child, depth + 1);
                }
            }
            if let Some(Value::Array(members)) = m.get_mut("member") {
                members.sort_by_key(|x| x.to_string());
            }
            if let Some(Value::Object(o)) = m.get_mut("object")
                && !o.contains_key("objectType")
            {
                o.insert("objectType".into(), Value::String("Activity".into()));
            }
            // contextActivities: a single object equals a one-element array.
            if let Some(Value::Object(ca)) = m.get_mut("contextActivities") {
                for (_, val) in ca.iter_mut() {
                    if val.is_object() {
                        *val = Value::Array(vec![val.take()]);
                    }
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| strip(x, depth + 1)),
        _ => {}
    }
}

/// Cuts the seconds of an ISO 8601 duration to two decimals (`PT1.2345S` → `PT1.23S`,
/// `PT1S` → `PT1.00S`); anything without seconds is returned as it is.
fn duration_to_hundredths(d: &str) -> String {
    let Some(body) = d.strip_suffix('S') else { return d.to_owned() };
    let start = body.rfind(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).map_or(0, |i| i + 1);
    let (head, secs) = body.split_at(start);
    let (whole, frac) = secs.split_once(['.', ',']).unwrap_or((secs, ""));
    let frac: String = frac.chars().chain("00".chars()).take(2).collect();
    format!("{head}{whole}.{frac}S")
}
