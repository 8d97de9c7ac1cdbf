//! Where learning events go. The player hands every event to a [`Bridge`]; it knows nothing of
//! xAPI, cmi5 or SCORM (those transports live in the LMS bridge).

use content::engine::Event;
use wasm_bindgen::JsValue;

/// Receives every learning event the player emits, in order.
pub trait Bridge {
    fn send(&self, events: &[Event]);
}

/// The in-page event log: each event is dispatched on the host element as a bubbling
/// `hearth-event` CustomEvent whose `detail` is the event as JSON. Previews and tests read it.
pub struct PageEvents {
    pub target: web_sys::Element,
}

impl Bridge for PageEvents {
    fn send(&self, events: &[Event]) {
        for e in events {
            let Ok(json) = serde_json::to_string(e) else { continue };
            let detail = js_sys::JSON::parse(&json).unwrap_or(JsValue::NULL);
            let init = web_sys::CustomEventInit::new();
            init.set_bubbles(true);
            init.set_detail(&detail);
            if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict("hearth-event", &init) {
                let _ = self.target.dispatch_event(&ev);
            }
        }
    }
}
