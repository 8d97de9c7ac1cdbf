//! The LMS transports: xAPI (a launch link, or cmi5) through a queue that survives bad
//! connections, and SCORM 1.2 / 2004 through the LMS's API object. The statements and values
//! come from `lms_bridge`'s pure mapping; here is only the browser plumbing.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use content::engine::{Event, State};
use content::model::Module;
use lms_bridge::client::Auth;
use lms_bridge::scorm::{self, Recorder, Version};
use lms_bridge::web::{Cmi5Session, PackageLrs, ProgressDoc, Queue, ScormApi};
use lms_bridge::{Cmi5Launch, Launch, Mapper};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::bridge::{Bridge, Delivery};
use crate::storage;

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

fn iso_now() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

fn random_uuid() -> String {
    // crypto.randomUUID(), reached through Reflect: one call, no extra web-sys features.
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"crypto".into()).ok())
        .and_then(|c| {
            let f = js_sys::Reflect::get(&c, &"randomUUID".into()).ok()?;
            f.dyn_ref::<js_sys::Function>()?.call0(&c).ok()?.as_string()
        })
        .unwrap_or_else(|| lms_bridge::time::statement_id(&now_ms().to_string(), "fallback", 0))
}

/// Runs `f` when the page goes away (tab closed, navigated away, reloaded).
fn on_pagehide(f: impl Fn() + 'static) {
    if let Some(w) = web_sys::window() {
        let cb = Closure::<dyn Fn()>::new(f);
        let _ = w.add_event_listener_with_callback("pagehide", cb.as_ref().unchecked_ref());
        cb.forget();
        reload_when_restored(&w);
    }
}

thread_local! {
    static RESTORE_HOOKED: Cell<bool> = const { Cell::new(false) };
}

/// The transports end their session on `pagehide`. A page the browser then restores from its
/// back-forward cache would carry on with a session that has ended, and its events would go
/// nowhere; it is loaded afresh instead, which resumes as a reload does.
fn reload_when_restored(w: &web_sys::Window) {
    if RESTORE_HOOKED.with(|h| h.replace(true)) {
        return;
    }
    let cb = Closure::<dyn Fn(JsValue)>::new(|e: JsValue| {
        let persisted = js_sys::Reflect::get(&e, &"persisted".into()).ok().and_then(|p| p.as_bool());
        if persisted == Some(true)
            && let Some(w) = web_sys::window()
        {
            let _ = w.location().reload();
        }
    });
    let _ = w.add_event_listener_with_callback("pageshow", cb.as_ref().unchecked_ref());
    cb.forget();
}

/// The registration of this device's attempt at the module under `storage_key`, made on first use.
fn device_registration(storage_key: &str) -> String {
    let key = format!("{storage_key}:registration");
    storage::get(&key).unwrap_or_else(|| {
        let r = random_uuid();
        storage::set(&key, &r);
        r
    })
}

/// One xAPI session's statements: the mapping from events, its clock, and its end. Shared by the
/// transports that send statements (to an LRS, or to a host page).
struct Session {
    mapper: RefCell<Mapper>,
    started: u64,
    terminated: Cell<bool>,
    /// The module shown, for `terminated` (made on the way out, outside any event).
    module: RefCell<Option<Rc<Module>>>,
}

impl Session {
    fn new(launch: Launch, lang: &str, seq: u64) -> Session {
        Session {
            mapper: RefCell::new(Mapper::new(launch, lang, seq)),
            started: now_ms(),
            terminated: Cell::new(false),
            module: RefCell::new(None),
        }
    }

    /// The statements for `events`; `None` once the session has ended.
    fn statements(&self, module: &Rc<Module>, events: &[Event]) -> Option<Vec<Value>> {
        if self.terminated.get() {
            return None;
        }
        *self.module.borrow_mut() = Some(module.clone());
        let (ts, session_ms) = (iso_now(), now_ms() - self.started);
        Some(
            events
                .iter()
                .flat_map(|e| self.mapper.borrow_mut().statements(module, e, &ts, session_ms))
                .collect(),
        )
    }

    /// Whether the session has ended (`terminated` made).
    fn ended(&self) -> bool {
        self.terminated.get()
    }

    /// `terminated`, once: `None` when the session has already ended or nothing was shown.
    fn terminate(&self) -> Option<Value> {
        if self.terminated.replace(true) {
            return None;
        }
        let module = self.module.borrow().clone()?;
        Some(self.mapper.borrow_mut().terminated(&module, &iso_now(), now_ms() - self.started))
    }

    fn seq(&self) -> u64 {
        self.mapper.borrow().seq()
    }

    fn set_language(&self, lang: &str) {
        self.mapper.borrow_mut().set_language(lang);
    }
}

/// xAPI statements to an LRS, through the persistent queue.
pub(crate) struct XapiBridge {
    session: Session,
    queue: Rc<Queue>,
    /// Where this session's statement count is kept, so a reload continues the numbering.
    seq_key: String,
    /// Where this device notes that the session has ended (cmi5: nothing after `terminated`).
    ended_key: String,
    /// cmi5's `returnURL`: where "Return to the course" goes.
    return_url: Option<String>,
    /// Launched as a cmi5 AU: a session ends only when the learner leaves or reaches an ending.
    cmi5: bool,
    /// cmi5: the learner's progress in the LRS State API, and what it held at launch when this
    /// device had none.
    progress: Option<Rc<ProgressDoc>>,
    resume: Option<String>,
}

impl XapiBridge {
    fn new(launch: Launch, endpoint: &str, auth: Auth, lang: &str) -> XapiBridge {
        let seq_key = format!("hearth:seq:{}:{}", launch.registration, launch.session);
        let ended_key = format!("hearth:ended:{}:{}", launch.registration, launch.session);
        let seq = storage::get(&seq_key).and_then(|s| s.parse().ok()).unwrap_or(0);
        let queue = Queue::new(endpoint, &launch.registration, auth);
        let session = Session::new(launch, lang, seq);
        // A session that ended on this device stays ended, reloaded or not.
        session.terminated.set(storage::get(&ended_key).is_some());
        XapiBridge {
            session,
            queue,
            seq_key,
            ended_key,
            return_url: None,
            cmi5: false,
            progress: None,
            resume: None,
        }
    }

    /// A plain xAPI launch link: `?endpoint=…&auth=…&actor=…&registration=…&activity_id=…`
    /// (the `mod_tincanlaunch` convention). Without a registration, one per attempt is made and
    /// kept on this device.
    pub(crate) fn from_launch_link(storage_key: &str, lang: &str) -> Option<Rc<XapiBridge>> {
        let q = lms_bridge::web::query_param;
        let endpoint = q("endpoint")?;
        let auth = q("auth")?;
        let actor = lms_bridge::web::parse_json(&q("actor")?)?;
        let activity_id = q("activity_id")?;
        let registration = q("registration").unwrap_or_else(|| device_registration(storage_key));
        let launch = Launch { actor, registration, session: random_uuid(), activity_id, cmi5: None };
        let bridge = Rc::new(XapiBridge::new(launch, &endpoint, Auth::Header(auth), lang));
        bridge.terminate_on_pagehide();
        Some(bridge)
    }

    /// A cmi5 AU, once the launch has been read; `resume` is the progress the LRS holds, when
    /// this device has none. A reload goes on in the same session; `terminated` is sent only when
    /// the learner leaves ("Return to the course") or reaches an ending (cmi5 §9.3.8); a closed
    /// tab leaves the session open, and the LMS abandons it at the next launch.
    pub(crate) fn from_cmi5(s: &Cmi5Session, lang: &str, resume: Option<String>) -> Rc<XapiBridge> {
        let template = s.launch_data["contextTemplate"].clone();
        let session = template["extensions"][lms_bridge::profile::cmi5::SESSION_ID]
            .as_str()
            .map_or_else(random_uuid, String::from);
        let launch = Launch {
            actor: s.actor.clone(),
            registration: s.registration.clone(),
            session,
            activity_id: s.activity_id.clone(),
            cmi5: Some(Cmi5Launch { context_template: template, mastery_score: s.mastery_score() }),
        };
        Rc::new(XapiBridge {
            return_url: s.return_url().map(String::from),
            cmi5: true,
            progress: Some(ProgressDoc::new(s)),
            resume,
            ..XapiBridge::new(launch, &s.endpoint, s.auth.clone(), lang)
        })
    }

    /// A SCORM package built with `--lrs`: the learner from the SCORM API, a registration per
    /// attempt (kept on this device while the attempt lasts), a launch token from the LRS for the
    /// package key. `None` (with a console warning) when no token can be had: SCORM still works.
    pub(crate) async fn for_scorm_package(
        lrs: PackageLrs,
        scorm: &ScormBridge,
        lang: &str,
    ) -> Option<Rc<XapiBridge>> {
        let (id, name) = scorm.learner();
        if id.is_empty() {
            web_sys::console::warn_1(&"hearth: the LMS gave no learner id; no xAPI statements".into());
            return None;
        }
        let mut actor =
            serde_json::json!({ "objectType": "Agent", "account": { "homePage": lrs.home, "name": id } });
        if !name.is_empty() {
            actor["name"] = Value::String(name);
        }
        let key = format!("hearth:scorm-xapi:{}:{id}", lrs.activity_id);
        let registration = match storage::get(&key) {
            Some(r) if scorm.resume_point().is_some() => r,
            _ => {
                let r = random_uuid();
                storage::set(&key, &r);
                r
            }
        };
        let token = match lrs.token(&actor, &registration).await {
            Ok(t) => t,
            Err(e) => {
                web_sys::console::warn_1(&format!("hearth: no xAPI statements this session: {e}").into());
                return None;
            }
        };
        let launch = Launch {
            actor,
            registration,
            session: random_uuid(),
            activity_id: lrs.activity_id.clone(),
            cmi5: None,
        };
        let bridge = Rc::new(XapiBridge::new(launch, &lrs.endpoint, Auth::Bearer(token), lang));
        bridge.terminate_on_pagehide();
        Some(bridge)
    }

    /// `terminated` is a session's last statement (cmi5 §9.3), sent on the way out.
    fn terminate_on_pagehide(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        on_pagehide(move || {
            if let Some(b) = weak.upgrade() {
                b.terminate_now(true);
            }
        });
    }

    /// Ends the session with `terminated`; `leaving`: the page is about to go.
    fn terminate_now(&self, leaving: bool) {
        if let Some(s) = self.session.terminate() {
            storage::set(&self.ended_key, "1");
            self.queue.push(vec![s]);
            storage::set(&self.seq_key, &self.session.seq().to_string());
            if leaving {
                self.queue.flush_on_exit();
            }
        }
    }
}

impl Bridge for XapiBridge {
    fn send(&self, module: &Rc<Module>, events: &[Event]) {
        if let Some(statements) = self.session.statements(module, events) {
            storage::set(&self.seq_key, &self.session.seq().to_string());
            self.queue.push(statements);
        }
        // cmi5: the ending ends the session; what the learner does after it is not recorded in it.
        if self.cmi5 && events.iter().any(|e| matches!(e, Event::EndingReached { .. })) {
            self.terminate_now(false);
        }
    }

    fn progress(&self, _: &Rc<Module>, state: &State) {
        self.session.set_language(state.lang());
        if let Some(p) = &self.progress
            && !self.session.ended()
        {
            p.save((!state.is_finished()).then(|| state.save()));
        }
    }

    fn resume_point(&self) -> Option<String> {
        self.resume.clone()
    }

    fn return_url(&self) -> Option<String> {
        self.return_url.clone()
    }

    fn exit(&self) {
        self.terminate_now(true);
    }

    fn on_delivery(&self, f: Box<dyn Fn(Delivery)>) {
        self.queue.on_delivery(move |d| {
            f(match d {
                lms_bridge::web::Delivery::SavedOnDevice(n) => Delivery::SavedOnDevice(n),
                lms_bridge::web::Delivery::NotSaved(n) => Delivery::NotSaved(n),
                lms_bridge::web::Delivery::Sent => Delivery::Sent,
            })
        });
    }
}

/// SCORM: values through the LMS's API, progress as suspend data, commit after each step.
pub(crate) struct ScormBridge {
    api: ScormApi,
    recorder: RefCell<Recorder>,
    started: u64,
    finished: Cell<bool>,
    resume: Option<String>,
}

impl ScormBridge {
    /// The learner's id and name as the LMS knows them.
    fn learner(&self) -> (String, String) {
        let (id, name) = self.api.version().learner_elements();
        (self.api.get(id), self.api.get(name))
    }
}

impl ScormBridge {
    /// Finds the LMS's API (preferring `prefer`), initializes the session and, for a new
    /// attempt, reports it as incomplete.
    pub(crate) fn connect(prefer: Version, lang: &str) -> Option<Rc<ScormBridge>> {
        let api = ScormApi::find(prefer)?;
        if !api.initialize() {
            web_sys::console::warn_1(&"hearth: the LMS refused to start a SCORM session".into());
        }
        let entry = api.get(api.version().entry_element());
        let count = api.get(scorm::INTERACTION_COUNT).parse().unwrap_or(0);
        let recorder = Recorder::new(api.version(), lang, count);
        let resume = (entry == "resume").then(|| api.get(scorm::SUSPEND_DATA)).filter(|s| !s.is_empty());
        if resume.is_none() {
            for (k, v) in recorder.start() {
                api.set(&k, &v);
            }
            api.commit();
        }
        let bridge = Rc::new(ScormBridge {
            api,
            recorder: RefCell::new(recorder),
            started: now_ms(),
            finished: Cell::new(false),
            resume,
        });
        // Commit, then terminate, before the page goes: the LMS stores the data on terminate.
        let weak = Rc::downgrade(&bridge);
        on_pagehide(move || {
            if let Some(b) = weak.upgrade() {
                let session = b.recorder.borrow().session_time(now_ms() - b.started);
                b.api.set(&session.0, &session.1);
                b.api.commit();
                b.api.terminate();
            }
        });
        Some(bridge)
    }
}

impl Bridge for ScormBridge {
    fn send(&self, module: &Rc<Module>, events: &[Event]) {
        let time = iso_now();
        let mut wrote = false;
        for e in events {
            for (k, v) in self.recorder.borrow_mut().event(module, e, &time) {
                self.api.set(&k, &v);
                wrote = true;
            }
            if matches!(e, Event::EndingReached { .. }) {
                self.finished.set(true);
            }
            if matches!(e, Event::Started { .. }) && self.finished.replace(false) {
                // "Start again" after an ending: a new attempt in the same SCO session.
                for (k, v) in self.recorder.borrow().start() {
                    self.api.set(&k, &v);
                }
            }
        }
        if wrote {
            self.api.commit();
        }
    }

    fn progress(&self, module: &Rc<Module>, state: &State) {
        if self.finished.get() || state.is_finished() {
            return;
        }
        let saved = state.save();
        let pairs = self.recorder.borrow().suspend(&saved, state.at(module), now_ms() - self.started);
        match pairs {
            Ok(pairs) => {
                for (k, v) in pairs {
                    self.api.set(&k, &v);
                }
                self.api.commit();
            }
            Err(e) => web_sys::console::warn_1(&format!("hearth: {e}").into()),
        }
    }

    fn resume_point(&self) -> Option<String> {
        self.resume.clone()
    }
}

/// xAPI statements (and the engine's events) handed to the page that embeds the player, for
/// hosts that report on their own: `format: "postmessage"` with `?origin=<the host page's
/// origin>&activity_id=…[&actor=…][&registration=…]` on the player page's URL. Messages go to
/// `window.parent` (or the window that opened this one), only to that origin:
/// `{ "hearth": 1, "type": "statements", "statements": [...], "events": [...] }`.
pub(crate) struct PostMessageBridge {
    session: Session,
    target: web_sys::Window,
    origin: String,
}

impl PostMessageBridge {
    pub(crate) fn from_page(storage_key: &str, lang: &str) -> Option<Rc<PostMessageBridge>> {
        let q = lms_bridge::web::query_param;
        let window = web_sys::window()?;
        let parent = window.parent().ok().flatten().filter(|p| !js_sys::Object::is(p, &window));
        let opener = window.opener().ok().and_then(|o| o.dyn_into::<web_sys::Window>().ok());
        let Some(target) = parent.or(opener) else {
            web_sys::console::warn_1(
                &"hearth: postmessage: no host page (neither a parent nor an opener)".into(),
            );
            return None;
        };
        let Some(origin) = q("origin") else {
            web_sys::console::warn_1(&"hearth: postmessage needs ?origin= (the host page's origin)".into());
            return None;
        };
        let activity_id = q("activity_id")?;
        let actor = q("actor").and_then(|a| lms_bridge::web::parse_json(&a)).unwrap_or_else(|| {
            // No learner named: an anonymous one per device, in the host's own name space.
            let key = format!("{storage_key}:learner");
            let name = storage::get(&key).unwrap_or_else(|| {
                let n = random_uuid();
                storage::set(&key, &n);
                n
            });
            serde_json::json!({ "objectType": "Agent", "account": { "homePage": origin, "name": name } })
        });
        let registration = q("registration").unwrap_or_else(|| device_registration(storage_key));
        let launch = Launch { actor, registration, session: random_uuid(), activity_id, cmi5: None };
        let bridge = Rc::new(PostMessageBridge { session: Session::new(launch, lang, 0), target, origin });
        let weak = Rc::downgrade(&bridge);
        on_pagehide(move || {
            if let Some(b) = weak.upgrade() {
                b.exit();
            }
        });
        Some(bridge)
    }

    fn post(&self, statements: &[Value], events: &[Event]) {
        let msg = serde_json::json!({ "hearth": 1, "type": "statements", "statements": statements, "events": events });
        let Ok(data) = js_sys::JSON::parse(&msg.to_string()) else { return };
        if let Err(e) = self.target.post_message(&data, &self.origin) {
            web_sys::console::warn_2(&"hearth: postmessage failed".into(), &e);
        }
    }
}

impl Bridge for PostMessageBridge {
    fn send(&self, module: &Rc<Module>, events: &[Event]) {
        if let Some(statements) = self.session.statements(module, events) {
            self.post(&statements, events);
        }
    }

    fn progress(&self, _: &Rc<Module>, state: &State) {
        self.session.set_language(state.lang());
    }

    fn exit(&self) {
        if let Some(s) = self.session.terminate() {
            self.post(&[s], &[]);
        }
    }
}

/// The SCORM version a `format` names.
pub(crate) fn scorm_version(format: &str) -> Option<Version> {
    match format {
        "scorm12" => Some(Version::Scorm12),
        "scorm2004" => Some(Version::Scorm2004),
        _ => None,
    }
}

/// Which transport a page asked for (`format` in the mount config).
pub(crate) fn connect(format: &str, storage_key: &str, lang: &str) -> Option<Rc<dyn Bridge>> {
    match format {
        "scorm12" => ScormBridge::connect(Version::Scorm12, lang).map(|b| b as Rc<dyn Bridge>),
        "scorm2004" => ScormBridge::connect(Version::Scorm2004, lang).map(|b| b as Rc<dyn Bridge>),
        "xapi" => XapiBridge::from_launch_link(storage_key, lang).map(|b| b as Rc<dyn Bridge>),
        "postmessage" => PostMessageBridge::from_page(storage_key, lang).map(|b| b as Rc<dyn Bridge>),
        _ => None,
    }
}
