//! The browser side (feature `web`): a `fetch` transport, a statement queue that survives bad
//! connections, reloads and closed tabs, SCORM API discovery, and the cmi5 and xAPI launches.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::client::{Auth, DocumentKey, Precondition, Request, Response, Transport, XapiClient, XapiError};
use crate::progress;
use crate::queue::{self, Entry};
use crate::scorm::Version;

/// `fetch` as the client's transport: no HTTP library in the player.
pub struct FetchTransport {
    /// Lets a request outlive the page (`pagehide`); bodies are then limited to 64 KB.
    pub keepalive: bool,
}

impl Transport for FetchTransport {
    async fn send(&self, request: Request) -> Result<Response, String> {
        let init = web_sys::RequestInit::new();
        init.set_method(request.method);
        // web-sys has no setter for `keepalive`; it is a plain RequestInit member.
        if self.keepalive {
            let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
        }
        let headers = web_sys::Headers::new().map_err(js_error)?;
        for (k, v) in &request.headers {
            headers.set(k, v).map_err(js_error)?;
        }
        init.set_headers(&headers);
        if let Some(body) = &request.body {
            init.set_body(&js_sys::Uint8Array::from(body.as_slice()));
        }
        let window = web_sys::window().ok_or("no window")?;
        let r =
            JsFuture::from(window.fetch_with_str_and_init(&request.url, &init)).await.map_err(js_error)?;
        let r: web_sys::Response = r.dyn_into().map_err(js_error)?;
        let mut out_headers = Vec::new();
        for name in ["content-type", "etag", "last-modified", "x-experience-api-consistent-through"] {
            if let Ok(Some(v)) = r.headers().get(name) {
                out_headers.push((name.to_string(), v));
            }
        }
        let buffer = JsFuture::from(r.array_buffer().map_err(js_error)?).await.map_err(js_error)?;
        Ok(Response {
            status: r.status(),
            headers: out_headers,
            body: js_sys::Uint8Array::new(&buffer).to_vec(),
        })
    }
}

fn js_error(e: JsValue) -> String {
    e.as_string().unwrap_or_else(|| js_sys::Object::from(e).to_string().into())
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// What the learner is told about their record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Statements wait on this device (offline, or the LRS is not answering).
    SavedOnDevice(usize),
    /// Statements wait in this page's memory only: local storage is missing, full or refuses
    /// writes. They are sent while the page stays open; the learner is told to keep it open.
    NotSaved(usize),
    /// Everything has reached the LRS.
    Sent,
}

/// What the queue sends with: `fetch` through web-sys (shipped), or reqwest's browser backend
/// (feature `web-reqwest`, built only to measure its size; it cannot send with keepalive).
#[cfg(not(feature = "web-reqwest"))]
type QueueTransport = FetchTransport;
#[cfg(feature = "web-reqwest")]
type QueueTransport = crate::client::ReqwestTransport;

#[cfg(not(feature = "web-reqwest"))]
fn queue_transport(keepalive: bool) -> QueueTransport {
    FetchTransport { keepalive }
}

#[cfg(feature = "web-reqwest")]
fn queue_transport(_keepalive: bool) -> QueueTransport {
    crate::client::ReqwestTransport(reqwest::Client::new())
}

/// Statements on their way to the LRS, per device and endpoint (`crate::queue`). Each is written
/// to local storage before anything is sent, and removed only when the LRS has acknowledged it;
/// ids are fixed when the statement is made, so a statement sent twice (a reply lost, the tab
/// closed mid-request) is stored once. When local storage is missing, full or throws, statements
/// wait in memory, every change tries to write them through again, and the learner is told
/// ([`Delivery::NotSaved`]): nothing is dropped.
pub struct Queue {
    key: String,
    refused_key: String,
    /// This launch's registration: a refusal of its own statements is retried, not set aside.
    registration: String,
    client: XapiClient<QueueTransport>,
    keepalive: XapiClient<QueueTransport>,
    /// What local storage would not take (or all of it, when there is none).
    unsaved: RefCell<Vec<Entry>>,
    /// Ids this page delivered or set aside, so a stored copy it could not remove is not sent again.
    done: RefCell<HashSet<String>>,
    /// Registrations this launch's token may not send (another learner on a shared device): kept
    /// for a later launch.
    blocked: RefCell<HashSet<String>>,
    warned: Cell<bool>,
    flushing: RefCell<bool>,
    retry_ms: RefCell<i32>,
    on_delivery: RefCell<Option<Listener>>,
}

type Listener = Box<dyn Fn(Delivery)>;

/// At most this many statements per POST.
const BATCH: usize = 50;

/// Calls `f` on `target` whenever the window fires `event`, for as long as `target` lives (the
/// listener holds it weakly, so a dropped queue or document is not kept alive by the page).
fn on_window_event<T: 'static>(window: &web_sys::Window, event: &str, target: &Rc<T>, f: fn(&Rc<T>)) {
    let weak = Rc::downgrade(target);
    let listener = Closure::<dyn Fn()>::new(move || {
        if let Some(t) = weak.upgrade() {
            f(&t);
        }
    });
    let _ = window.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
    listener.forget();
}

impl Queue {
    /// The queue of `endpoint` on this device, for a launch in `registration`. What an earlier
    /// version kept per registration is moved in; everything stored is sent, whatever launch left
    /// it. It flushes now, when the browser comes back online, when the page is hidden, and (with
    /// keepalive) on `pagehide`.
    pub fn new(endpoint: &str, registration: &str, auth: Auth) -> Rc<Queue> {
        let q = Rc::new(Queue {
            key: queue::storage_key(endpoint),
            refused_key: queue::refused_key(endpoint),
            registration: registration.to_string(),
            client: XapiClient::new(queue_transport(false), endpoint, auth.clone()),
            keepalive: XapiClient::new(queue_transport(true), endpoint, auth),
            unsaved: RefCell::new(Vec::new()),
            done: RefCell::new(HashSet::new()),
            blocked: RefCell::new(HashSet::new()),
            warned: Cell::new(false),
            flushing: RefCell::new(false),
            retry_ms: RefCell::new(1_000),
            on_delivery: RefCell::new(None),
        });
        q.migrate();
        if let Some(window) = web_sys::window() {
            on_window_event(&window, "online", &q, |q| q.flush());
            let weak = Rc::downgrade(&q);
            let hidden = Closure::<dyn Fn()>::new(move || {
                let hidden = web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden());
                if let (true, Some(q)) = (hidden, weak.upgrade()) {
                    q.flush_on_exit();
                }
            });
            let _ =
                window.add_event_listener_with_callback("visibilitychange", hidden.as_ref().unchecked_ref());
            let _ = window.add_event_listener_with_callback("pagehide", hidden.as_ref().unchecked_ref());
            hidden.forget();
        }
        q.flush();
        q
    }

    /// Moves the queues an earlier version kept per registration (`hearth:queue:<registration>`)
    /// into this endpoint's.
    fn migrate(&self) {
        let Some(s) = local_storage() else { return };
        let keys: Vec<String> =
            (0..s.length().unwrap_or(0)).filter_map(|i| s.key(i).ok().flatten()).collect();
        for key in keys {
            let Some(registration) = queue::legacy_registration(&key) else { continue };
            let text = s.get_item(&key).ok().flatten().unwrap_or_default();
            let all = queue::merge(self.pending(), queue::parse_legacy(registration, &text));
            if self.save(&all) {
                let _ = s.remove_item(&key);
            }
        }
    }

    /// Called with the delivery state whenever it changes.
    pub fn on_delivery(&self, f: impl Fn(Delivery) + 'static) {
        *self.on_delivery.borrow_mut() = Some(Box::new(f));
    }

    /// Statements waiting on this device or in memory, oldest first.
    pub fn pending(&self) -> Vec<Entry> {
        let stored = local_storage()
            .and_then(|s| s.get_item(&self.key).ok().flatten())
            .map(|t| queue::parse(&t))
            .unwrap_or_default();
        let done = self.done.borrow();
        queue::merge(stored, self.unsaved.borrow().iter().cloned())
            .into_iter()
            .filter(|e| !done.contains(&e.id))
            .collect()
    }

    /// Writes the whole queue through to local storage; what it will not take stays in memory.
    /// Whether it was stored.
    fn save(&self, all: &[Entry]) -> bool {
        let stored = local_storage().is_some_and(|s| s.set_item(&self.key, &queue::render(all)).is_ok());
        *self.unsaved.borrow_mut() = if stored { Vec::new() } else { all.to_vec() };
        if !stored && !all.is_empty() && !self.warned.replace(true) {
            web_sys::console::warn_1(
                &"hearth: local storage is missing or full; statements wait in memory until sent".into(),
            );
        }
        stored
    }

    /// Adds statements (stored at once) and starts sending.
    pub fn push(self: &Rc<Self>, statements: Vec<Value>) {
        if statements.is_empty() {
            return;
        }
        // serde_json writes no raw newlines: a statement is one line.
        let new = statements.iter().map(|s| Entry {
            registration: s["context"]["registration"].as_str().unwrap_or(&self.registration).to_string(),
            id: s["id"].as_str().unwrap_or("").to_string(),
            json: s.to_string(),
        });
        let all = queue::merge(self.pending(), new);
        self.save(&all);
        self.tell();
        self.flush();
    }

    fn tell(&self) {
        let blocked = self.blocked.borrow();
        let n = self.pending().iter().filter(|e| !blocked.contains(&e.registration)).count();
        let d = if n == 0 {
            Delivery::Sent
        } else if self.unsaved.borrow().is_empty() {
            Delivery::SavedOnDevice(n)
        } else {
            Delivery::NotSaved(n)
        };
        if let Some(f) = self.on_delivery.borrow().as_ref() {
            f(d);
        }
    }

    /// Sends what is pending, a batch at a time; on failure, tries again later with backoff.
    pub fn flush(self: &Rc<Self>) {
        if *self.flushing.borrow() {
            return;
        }
        *self.flushing.borrow_mut() = true;
        let q = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = q.send_all(&q.client).await;
            *q.flushing.borrow_mut() = false;
            // Storage may take what it refused before: write through again.
            if !q.unsaved.borrow().is_empty() {
                q.save(&q.pending());
            }
            q.tell();
            if outcome.is_err() {
                q.retry_later();
            } else {
                *q.retry_ms.borrow_mut() = 1_000;
            }
        });
    }

    /// On the way out: one keepalive request with what fits, so that closing the tab right after
    /// the last answer still delivers it. What does not fit stays for the next visit.
    pub fn flush_on_exit(self: &Rc<Self>) {
        let q = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = q.send_all(&q.keepalive).await;
        });
    }

    async fn send_all(&self, client: &XapiClient<QueueTransport>) -> Result<(), XapiError> {
        loop {
            let pending = self.pending();
            let blocked = self.blocked.borrow().clone();
            let batch: Vec<Entry> =
                queue::next_batch(&pending, BATCH, &blocked).into_iter().cloned().collect();
            let Some(first) = batch.first() else { return Ok(()) };
            let refs: Vec<&Entry> = batch.iter().collect();
            match client.post_raw(queue::array(&refs).into_bytes()).await {
                Ok(()) => self.remove(&batch),
                // One statement the LRS will never take must not block the rest forever: send
                // the batch one by one and set the refused ones aside (kept, and reported).
                Err(XapiError::Status { status: 400, .. } | XapiError::Conflict(_)) => {
                    for one in &batch {
                        match client.put_raw(&one.id, one.json.clone().into_bytes()).await {
                            Ok(()) => self.remove(std::slice::from_ref(one)),
                            Err(XapiError::Status { status: 400, reason } | XapiError::Conflict(reason)) => {
                                self.set_aside(one, &reason);
                            }
                            Err(e) => return Err(e),
                        }
                    }
                }
                // Another launch's statements this token may not send (another learner's): they
                // wait for a launch that may.
                Err(XapiError::Unauthorized { .. }) if first.registration != self.registration => {
                    self.blocked.borrow_mut().insert(first.registration.clone());
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn remove(&self, sent: &[Entry]) {
        self.done.borrow_mut().extend(sent.iter().map(|e| e.id.clone()));
        self.save(&self.pending());
    }

    fn set_aside(&self, one: &Entry, reason: &str) {
        web_sys::console::error_3(
            &"hearth: the LRS refused a statement:".into(),
            &reason.into(),
            &one.json.as_str().into(),
        );
        if let Some(store) = local_storage() {
            let mut refused = store.get_item(&self.refused_key).ok().flatten().unwrap_or_default();
            refused +=
                &format!("{}\t{}\t{}\t{}\n", one.registration, one.id, queue::one_line(reason), one.json);
            let _ = store.set_item(&self.refused_key, &refused);
        }
        self.remove(std::slice::from_ref(one));
    }

    fn retry_later(self: &Rc<Self>) {
        let delay = *self.retry_ms.borrow();
        *self.retry_ms.borrow_mut() = (delay * 2).min(60_000);
        let weak = Rc::downgrade(self);
        let retry = Closure::once_into_js(move || {
            if let Some(q) = weak.upgrade() {
                q.flush();
            }
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), delay);
        }
    }
}

/// The learner's progress in the LRS State API under cmi5 (`crate::progress`): written after
/// every change, the latest state winning; a write that fails is tried again at the next change
/// or when the browser is back online.
pub struct ProgressDoc {
    client: XapiClient<FetchTransport>,
    activity_id: String,
    agent: Value,
    registration: String,
    /// What the LRS should hold (`Some("")`: nothing, the attempt is over) and what it holds.
    wanted: RefCell<Option<String>>,
    stored: RefCell<Option<String>>,
    busy: Cell<bool>,
}

impl ProgressDoc {
    pub fn new(s: &Cmi5Session) -> Rc<ProgressDoc> {
        let p = Rc::new(ProgressDoc {
            client: XapiClient::new(FetchTransport { keepalive: false }, &s.endpoint, s.auth.clone()),
            activity_id: s.activity_id.clone(),
            agent: s.actor.clone(),
            registration: s.registration.clone(),
            wanted: RefCell::new(None),
            stored: RefCell::new(None),
            busy: Cell::new(false),
        });
        if let Some(window) = web_sys::window() {
            on_window_event(&window, "online", &p, |p| p.sync());
        }
        p
    }

    /// The learner's saved state now; `None` when the attempt is over (the document goes).
    pub fn save(self: &Rc<Self>, saved: Option<String>) {
        let saved = saved.unwrap_or_default();
        if self.wanted.borrow().as_deref() == Some(saved.as_str()) {
            return;
        }
        *self.wanted.borrow_mut() = Some(saved);
        self.sync();
    }

    fn sync(self: &Rc<Self>) {
        if self.busy.replace(true) {
            return;
        }
        let p = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                let want = p.wanted.borrow().clone();
                let Some(want) = want.filter(|w| Some(w) != p.stored.borrow().as_ref()) else { break };
                let key = DocumentKey::State {
                    activity_id: &p.activity_id,
                    agent: &p.agent,
                    registration: Some(&p.registration),
                    state_id: progress::STATE_ID,
                };
                let written = if want.is_empty() {
                    p.client.delete_document(&key, Precondition::None).await
                } else {
                    let body = progress::document(&want).to_string();
                    p.client.put_document(&key, body.as_bytes(), "application/json", Precondition::None).await
                };
                if written.is_err() {
                    break;
                }
                *p.stored.borrow_mut() = Some(want);
            }
            p.busy.set(false);
        });
    }
}

/// The LMS's SCORM API object, found the way SCORM says (its frames' parents, then the opener's).
pub struct ScormApi {
    api: JsValue,
    version: Version,
}

impl ScormApi {
    /// Looks for SCORM 2004's `API_1484_11` or SCORM 1.2's `API`, whichever `prefer` names first.
    pub fn find(prefer: Version) -> Option<ScormApi> {
        let names = match prefer {
            Version::Scorm2004 => [("API_1484_11", Version::Scorm2004), ("API", Version::Scorm12)],
            Version::Scorm12 => [("API", Version::Scorm12), ("API_1484_11", Version::Scorm2004)],
        };
        let window: JsValue = web_sys::window()?.into();
        let opener = js_sys::Reflect::get(&window, &"opener".into())
            .ok()
            .filter(|o| !o.is_null() && !o.is_undefined());
        for (name, version) in names {
            for start in std::iter::once(window.clone()).chain(opener.clone()) {
                if let Some(api) = scan(&start, name) {
                    return Some(ScormApi { api, version });
                }
            }
        }
        None
    }

    pub fn version(&self) -> Version {
        self.version
    }

    fn call(&self, scorm12: &str, scorm2004: &str, args: &[&str]) -> String {
        let name = if self.version == Version::Scorm12 { scorm12 } else { scorm2004 };
        let Ok(f) = js_sys::Reflect::get(&self.api, &name.into()) else { return String::new() };
        let Some(f) = f.dyn_ref::<js_sys::Function>() else { return String::new() };
        let args: js_sys::Array = args.iter().map(|a| JsValue::from_str(a)).collect();
        f.apply(&self.api, &args).ok().and_then(|v| v.as_string()).unwrap_or_default()
    }

    pub fn initialize(&self) -> bool {
        self.call("LMSInitialize", "Initialize", &[""]) == "true"
    }

    pub fn get(&self, element: &str) -> String {
        self.call("LMSGetValue", "GetValue", &[element])
    }

    /// Writes a value; on refusal, says which and why on the console (the LMS keeps the rest).
    pub fn set(&self, element: &str, value: &str) -> bool {
        let ok = self.call("LMSSetValue", "SetValue", &[element, value]) == "true";
        if !ok {
            let code = self.call("LMSGetLastError", "GetLastError", &[]);
            let text = self.call("LMSGetErrorString", "GetErrorString", &[&code]);
            web_sys::console::warn_1(
                &format!("hearth: the LMS refused {element} = {value}: {code} {text}").into(),
            );
        }
        ok
    }

    pub fn commit(&self) -> bool {
        self.call("LMSCommit", "Commit", &[""]) == "true"
    }

    pub fn terminate(&self) -> bool {
        self.call("LMSFinish", "Terminate", &[""]) == "true"
    }
}

/// Up the chain of parents from `win`, at most 500 steps (SCORM's API discovery). A parent from
/// another origin throws on access; that ends the search, it does not break the player.
fn scan(win: &JsValue, name: &str) -> Option<JsValue> {
    let mut w = win.clone();
    for _ in 0..500 {
        if let Ok(api) = js_sys::Reflect::get(&w, &name.into())
            && api.is_object()
        {
            return Some(api);
        }
        let parent = js_sys::Reflect::get(&w, &"parent".into()).ok()?;
        if parent.is_null() || parent.is_undefined() || js_sys::Object::is(&parent, &w) {
            return None;
        }
        w = parent;
    }
    None
}

/// A cmi5 launch, after the token was fetched and `LMS.LaunchData` read.
#[derive(Debug, Clone)]
pub struct Cmi5Session {
    pub endpoint: String,
    pub auth: Auth,
    pub actor: Value,
    pub registration: String,
    pub activity_id: String,
    pub launch_data: Value,
    /// The learner's preferred languages, best first (`cmi5LearnerPreferences`).
    pub languages: Vec<String>,
    /// The learner's progress as the LRS State API holds it (`crate::progress`), if any.
    pub progress: Option<String>,
}

impl Cmi5Session {
    pub fn return_url(&self) -> Option<&str> {
        self.launch_data["returnURL"].as_str()
    }

    pub fn mastery_score(&self) -> Option<f64> {
        self.launch_data["masteryScore"].as_f64()
    }

    /// `Normal`, `Browse` or `Review`: only Normal records results.
    pub fn launch_mode(&self) -> &str {
        self.launch_data["launchMode"].as_str().unwrap_or("Normal")
    }
}

/// A launch parameter of this page's URL.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name).filter(|v| !v.is_empty())
}

/// cmi5 §8: reads the launch parameters, fetches the auth token once (kept in session storage so
/// a reload in the same session reuses it), reads `LMS.LaunchData` and the learner preferences.
pub async fn cmi5_launch() -> Result<Cmi5Session, String> {
    let need = |n: &str| query_param(n).ok_or_else(|| format!("cmi5 launch parameter `{n}` is missing"));
    let endpoint = need("endpoint")?;
    let fetch = need("fetch")?;
    let actor = parse_json(&need("actor")?).ok_or("the `actor` launch parameter is not JSON")?;
    let registration = need("registration")?;
    let activity_id = need("activityId")?;
    let session_key = format!("hearth:cmi5:token:{registration}");
    let session = web_sys::window().and_then(|w| w.session_storage().ok().flatten());
    let token = match session.as_ref().and_then(|s| s.get_item(&session_key).ok().flatten()) {
        Some(t) => t,
        None => {
            let r = FetchTransport { keepalive: false }
                .send(Request { method: "POST", url: fetch, headers: vec![], body: None })
                .await?;
            let v =
                parse_json(&String::from_utf8_lossy(&r.body)).ok_or("the fetch URL did not answer JSON")?;
            let t = v["auth-token"]
                .as_str()
                .ok_or_else(|| {
                    format!("fetch URL gave no token: {}", v["error-text"].as_str().unwrap_or("?"))
                })?
                .to_string();
            if let Some(s) = &session {
                let _ = s.set_item(&session_key, &t);
            }
            t
        }
    };
    let auth = Auth::Header(format!("Basic {token}"));
    let client = XapiClient::new(FetchTransport { keepalive: false }, &endpoint, auth.clone());
    let launch_key = DocumentKey::State {
        activity_id: &activity_id,
        agent: &actor,
        registration: Some(&registration),
        state_id: "LMS.LaunchData",
    };
    let prefs_key = DocumentKey::AgentProfile { agent: &actor, profile_id: "cmi5LearnerPreferences" };
    let progress_key = DocumentKey::State {
        activity_id: &activity_id,
        agent: &actor,
        registration: Some(&registration),
        state_id: progress::STATE_ID,
    };
    // Progress: list the registration's state ids first, so a first launch (no progress yet) asks
    // for nothing that is missing. Unreadable progress is no reason to fail the launch: the
    // device's copy, or a fresh start.
    let progress = async {
        let ids = client.document_ids_raw(&progress_key).await.ok()?;
        let ids = parse_json(&String::from_utf8_lossy(&ids))?;
        if !ids.as_array()?.iter().any(|i| i == progress::STATE_ID) {
            return None;
        }
        let d = client.document(&progress_key).await.ok()??;
        parse_json(&String::from_utf8_lossy(&d.body)).and_then(|v| progress::saved(&v))
    };
    // The three reads depend only on the token, so they run at once: after the token, one round
    // trip of waiting (two when there is progress) instead of three or four in turn — on a phone
    // link with 150 ms round trips, 300 ms sooner to the first screen.
    let (launch_data, prefs, progress) =
        futures_util::future::join3(client.document(&launch_key), client.document(&prefs_key), progress)
            .await;
    let launch_data = launch_data
        .map_err(|e| e.to_string())?
        .and_then(|d| parse_json(&String::from_utf8_lossy(&d.body)))
        .ok_or("the LMS left no LMS.LaunchData")?;
    let languages = match prefs {
        Ok(Some(d)) => parse_json(&String::from_utf8_lossy(&d.body))
            .and_then(|v| v["languagePreference"].as_str().map(String::from))
            .map(|l| l.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(Cmi5Session { endpoint, auth, actor, registration, activity_id, launch_data, languages, progress })
}

/// A SCORM package that also reports xAPI: what `hearth build --lrs` put on the launch page
/// (`<script type="application/json" id="hearth-lrs">`).
#[derive(Debug, Clone)]
pub struct PackageLrs {
    /// The LRS endpoint, ending in `/`.
    pub endpoint: String,
    /// The package key (public; see the LRS's docs on package keys).
    pub key: String,
    /// The learners' `account.homePage` (the LMS's address).
    pub home: String,
    /// The module's activity id.
    pub activity_id: String,
}

impl PackageLrs {
    /// Reads the launch page's configuration, if the package has one.
    pub fn from_page() -> Option<PackageLrs> {
        let el = web_sys::window()?.document()?.get_element_by_id("hearth-lrs")?;
        let v = parse_json(&el.text_content()?)?;
        let s = |k: &str| v[k].as_str().map(String::from);
        Some(PackageLrs {
            endpoint: s("endpoint")?,
            key: s("key")?,
            home: s("home")?,
            activity_id: s("activity")?,
        })
    }

    /// Asks the LRS for a launch token for `actor` and `registration` with the package key
    /// (`POST <endpoint>launch-token/package`).
    pub async fn token(&self, actor: &Value, registration: &str) -> Result<String, String> {
        let body = serde_json::json!({
            "key": self.key, "actor": actor, "registration": registration, "activityId": self.activity_id,
        });
        let r = FetchTransport { keepalive: false }
            .send(Request {
                method: "POST",
                url: format!("{}launch-token/package", self.endpoint),
                headers: vec![
                    ("Content-Type".into(), "application/json".into()),
                    ("X-Experience-API-Version".into(), "1.0.3".into()),
                ],
                body: Some(body.to_string().into_bytes()),
            })
            .await?;
        let v = parse_json(&String::from_utf8_lossy(&r.body)).unwrap_or_default();
        match v["auth-token"].as_str() {
            Some(t) if r.status == 200 => Ok(t.to_string()),
            _ => Err(format!("the LRS gave no token ({}): {}", r.status, v["error"].as_str().unwrap_or("?"))),
        }
    }
}

/// JSON through the browser's own parser (`JSON.parse`), converted to a `serde_json::Value`: the
/// player then needs no JSON parser of its own.
pub fn parse_json(text: &str) -> Option<Value> {
    js_sys::JSON::parse(text).ok().map(|v| to_value(&v))
}

fn to_value(v: &JsValue) -> Value {
    if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = v.as_f64() {
        // JavaScript has one number type; whole numbers go back to being integers.
        if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
            Value::from(n as i64)
        } else {
            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
        }
    } else if let Some(s) = v.as_string() {
        Value::String(s)
    } else if let Some(a) = v.dyn_ref::<js_sys::Array>() {
        Value::Array(a.iter().map(|x| to_value(&x)).collect())
    } else if v.is_object() {
        let mut map = serde_json::Map::new();
        for entry in js_sys::Object::entries(v.unchecked_ref()).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            if let Some(k) = pair.get(0).as_string() {
                map.insert(k, to_value(&pair.get(1)));
            }
        }
        Value::Object(map)
    } else {
        Value::Null
    }
}
