//! A learner's progress in the LRS State API, beside the copy on the device.
//!
//! Under cmi5 the LMS keeps no suspend data: progress would live only on the device, and a
//! learner who moves from a shared PC to a phone would start again. cmi5 allows an AU its own
//! state documents (§11: keyed by activity, agent and registration), so the player also writes its
//! saved state there after every step, and a launch on a device that has none reads it back.
//!
//! The document is JSON, `{"progress": "<the engine's saved state>"}`, under
//! [`STATE_ID`]; the state is the engine's compact saved form, never parsed here.

use serde_json::{Value, json};

/// The state document's id (Hearth's xAPI profile, docs/xapi-profile.md).
pub const STATE_ID: &str = "https://w3id.org/xapi/hearth/state/progress";

/// The document for a saved state.
pub fn document(saved: &str) -> Value {
    json!({ "progress": saved })
}

/// The saved state in a document, if it holds one.
pub fn saved(doc: &Value) -> Option<String> {
    doc["progress"].as_str().filter(|s| !s.is_empty()).map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_state_round_trips_through_its_document() {
        let s = "h2|abc|1|en|x\ty\n";
        let text = document(s).to_string();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(saved(&back).as_deref(), Some(s));
        assert_eq!(saved(&json!({ "progress": "" })), None);
        assert_eq!(saved(&json!({ "other": 1 })), None);
        assert_eq!(saved(&Value::Null), None);
    }
}
