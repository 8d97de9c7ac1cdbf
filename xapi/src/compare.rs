//! Statement comparison for PUT/POST of an existing id (Data §2.3.1 "Statement Comparison
//! Requirements"): ignore id, authority, stored, timestamp, version, attachments, activity
//! definitions, verb display and member order; compare everything else exactly (so `duration` is
//! compared as a string).

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
