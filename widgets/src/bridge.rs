//! Where learning events go. The player hands every event to a [`Bridge`]; it knows nothing of
//! xAPI, cmi5 or SCORM (those live in `lms.rs`, on top of the `lms-bridge` crate).

use std::rc::Rc;

use content::engine::{Event, State};
use content::model::Module;
use wasm_bindgen::JsValue;

/// Whether the learner's record has reached the LMS or LRS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Waiting on this device (offline, or the LRS is not answering): this many statements.
    SavedOnDevice(usize),
    /// Waiting in this page only (the device's storage is missing or full): the learner must
    /// keep the page open until they are sent.
    NotSaved(usize),
    /// Everything has arrived.
    Sent,
}

/// Receives every learning event the player emits, in order.
pub trait Bridge {
    fn send(&self, module: &Rc<Module>, events: &[Event]);

    /// After every change: where the learner is (SCORM keeps it as suspend data).
    fn progress(&self, _module: &Rc<Module>, _state: &State) {}

    /// Progress the LMS holds for this learner, to resume from (instead of this device's).
    fn resume_point(&self) -> Option<String> {
        None
    }

    /// Tells `f` whenever the delivery of the learner's record changes.
    fn on_delivery(&self, _f: Box<dyn Fn(Delivery)>) {}

    /// Where the LMS wants the learner sent when they leave (cmi5's `returnURL`), if anywhere.
    fn return_url(&self) -> Option<String> {
        None
    }

    /// The learner leaves through the player: end the session now, before the page goes.
    fn exit(&self) {}
}

/// The in-page event log: each event is dispatched on the host element as a bubbling
/// `hearth-event` CustomEvent whose `detail` is the event as JSON. Previews and tests read it.
pub struct PageEvents {
    pub target: web_sys::Element,
}

impl Bridge for PageEvents {
    fn send(&self, _: &Rc<Module>, events: &[Event]) {
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

/// Several bridges at once: the in-page log always, and the LMS transport when there is one.
pub struct Fanout(pub Vec<Rc<dyn Bridge>>);

impl Bridge for Fanout {
    fn send(&self, module: &Rc<Module>, events: &[Event]) {
        self.0.iter().for_each(|b| b.send(module, events));
    }

    fn progress(&self, module: &Rc<Module>, state: &State) {
        self.0.iter().for_each(|b| b.progress(module, state));
    }

    fn resume_point(&self) -> Option<String> {
        self.0.iter().find_map(|b| b.resume_point())
    }

    fn return_url(&self) -> Option<String> {
        self.0.iter().find_map(|b| b.return_url())
    }

    fn exit(&self) {
        self.0.iter().for_each(|b| b.exit());
    }

    fn on_delivery(&self, f: Box<dyn Fn(Delivery)>) {
        let f: Rc<dyn Fn(Delivery)> = Rc::from(f);
        for b in &self.0 {
            let f = f.clone();
            b.on_delivery(Box::new(move |d| f(d)));
        }
    }
}
