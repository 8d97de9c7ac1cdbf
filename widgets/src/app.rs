//! The player: loads a compiled module, runs the engine, renders its views.
//!
//! All scenario logic is in `content::engine`; this file only turns learner input into engine
//! actions and engine views into markup. The reducer is the single place state changes; events go
//! to the [`Bridge`] and progress to local storage after each change (see `Player`'s effect).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use content::engine::{Action, Event, State};
use content::model::{Module, NodeKind};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::bridge::Bridge;
use crate::i18n::Strings;
use crate::question::QuestionForm;
use crate::results::Results;
use crate::{storage, view};

/// How the host configured this player.
#[derive(Clone, PartialEq)]
pub struct Config {
    pub src: String,
    pub lang: Option<String>,
    pub storage_key: Option<String>,
    /// A fixed seed for question draws and shuffles (previews and tests); random otherwise.
    pub seed: Option<u64>,
    /// The URL of the folder with the player's catalogs (`…/i18n/`), for languages other than
    /// English (see `i18n.rs`).
    pub catalogs: Option<String>,
    /// Why the player cannot start (a cmi5 launch that failed before the module could load):
    /// shown to the learner instead of loading.
    pub error: Option<String>,
}

#[derive(Properties)]
pub struct AppProps {
    pub config: Config,
    pub bridge: Rc<dyn Bridge>,
}

impl PartialEq for AppProps {
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config && Rc::ptr_eq(&self.bridge, &other.bridge)
    }
}

enum Load {
    Loading,
    Failed(String),
    Ready(Rc<Module>),
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let load = use_state(|| match &props.config.error {
        Some(e) => Load::Failed(e.clone()),
        None => Load::Loading,
    });
    {
        let load = load.clone();
        let config = props.config.clone();
        use_effect_with(props.config.src.clone(), move |_| {
            if config.error.is_some() {
                return;
            }
            wasm_bindgen_futures::spawn_local(async move {
                // The words of the language the host asked for load beside the module; those of
                // a language chosen from the module (a saved choice, its source) after it.
                let folder = config.catalogs.as_deref();
                let asked = config.lang.as_deref().and_then(|l| crate::CatalogFetch::start(folder, l));
                let module = crate::fetch_module(&config.src).await;
                if let Some(f) = asked {
                    f.finish().await;
                }
                match module {
                    Ok(m) => {
                        if let Some(f) = crate::CatalogFetch::start(folder, &chosen_lang(&config, &m).1) {
                            f.finish().await;
                        }
                        load.set(Load::Ready(Rc::new(m)))
                    }
                    Err(e) => load.set(Load::Failed(e)),
                }
            });
        });
    }
    let lang = props.config.lang.clone().unwrap_or_else(|| "en".into());
    match &*load {
        Load::Loading => {
            let s = Strings::new(&lang);
            html! { <div class="hearth" lang={s.lang()}><p role="status">{ s.get("app-loading") }</p></div> }
        }
        Load::Failed(reason) => {
            let s = Strings::new(&lang);
            let msg = s.format("app-error", &[("reason", crate::i18n::Arg::Str(reason))]);
            html! { <div class="hearth" lang={s.lang()}><p role="alert">{ msg }</p></div> }
        }
        Load::Ready(m) => {
            let (key, lang) = chosen_lang(&props.config, m);
            let seed = props.config.seed;
            let catalogs = props.config.catalogs.clone();
            html! { <Player module={m.clone()} {lang} storage_key={key} {seed} {catalogs} bridge={props.bridge.clone()} /> }
        }
    }
}

/// The progress key, and the language to play in: the host's, else the one the learner chose
/// last time, else the module's source language; always one the module carries (exactly, or by
/// its base: `ar-SA` → `ar`).
fn chosen_lang(config: &Config, m: &Module) -> (String, String) {
    let key = config.storage_key.clone().unwrap_or_else(|| format!("hearth:{}", m.id));
    let carried = |l: String| {
        let base = l.split('-').next().unwrap_or(&l).to_string();
        m.languages.iter().find(|c| **c == l).or_else(|| m.languages.iter().find(|c| **c == base)).cloned()
    };
    let lang = config
        .lang
        .clone()
        .and_then(carried)
        .or_else(|| storage::get(&format!("{key}:lang")).and_then(carried))
        .unwrap_or_else(|| m.source_lang.clone());
    (key, lang)
}

#[derive(Properties)]
struct PlayerProps {
    module: Rc<Module>,
    lang: String,
    seed: Option<u64>,
    storage_key: String,
    catalogs: Option<String>,
    bridge: Rc<dyn Bridge>,
}

impl PartialEq for PlayerProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.module, &other.module)
            && self.lang == other.lang
            && self.storage_key == other.storage_key
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Screen {
    Start,
    Playing,
    Paused,
}

/// Everything the player shows, and the one place it changes (`Reducible::reduce`).
#[derive(Clone)]
pub(crate) struct Model {
    pub(crate) module: Rc<Module>,
    pub(crate) state: Option<State>,
    screen: Screen,
    pub(crate) lang: String,
    pub(crate) strings: Rc<Strings>,
    /// Text size step, 0..=3.
    scale: u8,
    pub(crate) low_data: bool,
    /// Saved progress found at load, offered as "continue where you left off".
    saved: Option<String>,
    /// Resuming found the module changed (a note is shown).
    changed: bool,
    /// Content warnings the learner has acknowledged, by node id.
    acknowledged: BTreeSet<String>,
    /// Media the learner asked to load in low-data mode.
    pub(crate) revealed: BTreeSet<String>,
    /// Text for the screen-reader live region: feedback is announced as it appears.
    announce: String,
    /// Bumped on every applied action, to move focus to what changed.
    acted: u32,
    /// Bumped on every step, to move focus to the new content.
    step: u32,
    seed: Option<u64>,
    /// Events waiting for the bridge; drained after render.
    outbox: Rc<RefCell<Vec<Event>>>,
    /// Events emitted so far: the bridge effect runs whenever this grows. (The outbox's length
    /// would not do: one event after one event looks like no change, and that event would wait.)
    emitted: usize,
    storage_key: String,
    /// Where the player's catalogs are fetched from, when the learner picks another language.
    catalogs: Option<String>,
    /// Whether the learner's record has reached the LMS (only with an LMS transport).
    delivery: Option<crate::bridge::Delivery>,
    /// "Return to the course", when the LMS gave a place to return to (cmi5's returnURL).
    pub(crate) exit: Option<Callback<MouseEvent>>,
}

pub(crate) enum Msg {
    Start,
    Resume,
    Act(Action),
    SetLang(String),
    Pause,
    Unpause,
    Scale(i8),
    LowData(bool),
    Acknowledge(String),
    Reveal(String),
    Restart,
    Delivery(crate::bridge::Delivery),
}

fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// A seed per attempt, so question banks draw differently each time a learner starts again.
fn fresh_seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64
}

impl Reducible for Model {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut m = (*self).clone();
        let module = m.module.clone();
        let mut events = Vec::new();
        match msg {
            Msg::Start | Msg::Restart => {
                let (state, ev) = State::start(&module, &m.lang, m.seed.unwrap_or_else(fresh_seed), now());
                events = ev;
                m.state = Some(state);
                m.screen = Screen::Playing;
                m.acknowledged.clear();
                m.announce.clear();
                m.saved = None;
            }
            Msg::Resume => {
                let resumed = m.saved.as_deref().and_then(|s| State::resume(&module, s, now()).ok());
                match resumed {
                    Some((mut state, ev, report)) => {
                        events = ev;
                        events.extend(state.set_language(&m.lang));
                        m.changed = report.changed_content;
                        m.state = Some(state);
                    }
                    None => {
                        let (state, ev) = State::start(&module, &m.lang, fresh_seed(), now());
                        events = ev;
                        m.state = Some(state);
                    }
                }
                m.screen = Screen::Playing;
                m.saved = None;
            }
            Msg::Act(action) => {
                if let Some(state) = m.state.as_mut() {
                    // An action the view did not offer is ignored: the engine refuses it anyway.
                    if let Ok(ev) = state.apply(&module, action, now()) {
                        events = ev;
                        // Some steps emit no event (the next question of a quiz) but still change
                        // what is shown, and focus must follow.
                        m.acted += 1;
                    }
                }
            }
            Msg::SetLang(lang) => {
                if module.languages.contains(&lang) {
                    if let Some(state) = m.state.as_mut() {
                        events = state.set_language(&lang);
                    }
                    m.strings = Rc::new(Strings::new(&lang));
                    storage::set(&format!("{}:lang", m.storage_key), &lang);
                    m.lang = lang;
                }
            }
            Msg::Pause => {
                if let Some(state) = &m.state {
                    events = state.suspend(&module, now());
                }
                m.screen = Screen::Paused;
            }
            Msg::Unpause => {
                // Coming back from the paused screen is a resume in xAPI terms too.
                if m.state.is_some() {
                    events = vec![Event::Resumed { changed_content: false }];
                }
                m.screen = Screen::Playing;
            }
            Msg::Scale(d) => m.scale = (m.scale as i8 + d).clamp(0, 3) as u8,
            Msg::LowData(on) => m.low_data = on,
            Msg::Acknowledge(node) => {
                m.acknowledged.insert(node);
                // Focus moves to the scene, not to whatever button now stands where "I understand"
                // was (Back, whose Enter would leave the scene at once).
                m.acted += 1;
            }
            Msg::Reveal(media) => {
                m.revealed.insert(media);
            }
            Msg::Delivery(d) => m.delivery = Some(d),
        }
        if !events.is_empty() {
            m.step += u32::from(
                events.iter().any(|e| matches!(e, Event::NodeEntered { .. } | Event::Started { .. })),
            );
            m.announce = announcement(&m, &events);
            m.emitted += events.len();
            m.outbox.borrow_mut().extend(events);
        }
        Rc::new(m)
    }
}

/// Children re-render with their parent; the model changes on nearly every message anyway.
impl PartialEq for Model {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

/// What the live region says after a change: the feedback, when there is some.
fn announcement(m: &Model, events: &[Event]) -> String {
    let Some(state) = &m.state else { return String::new() };
    let view = state.view(&m.module);
    let t = |k: &str| m.module.text(&m.lang, k).to_string();
    if let Some(c) = view.chosen {
        return c.feedback.as_deref().map(t).unwrap_or_default();
    }
    if events.iter().any(|e| matches!(e, Event::QuestionAnswered { .. }))
        && let Some(q) = &view.question
    {
        return crate::question::verdict_text(m, q);
    }
    String::new()
}

#[function_component(Player)]
fn player(props: &PlayerProps) -> Html {
    let model = use_reducer(|| {
        // Progress the LMS keeps (SCORM suspend data) comes before this device's.
        let saved = props.bridge.resume_point().or_else(|| storage::get(&props.storage_key));
        Model {
            module: props.module.clone(),
            state: None,
            screen: Screen::Start,
            lang: props.lang.clone(),
            strings: Rc::new(Strings::new(&props.lang)),
            scale: storage::get("hearth:scale").and_then(|s| s.parse().ok()).unwrap_or(0),
            low_data: storage::get("hearth:low-data").is_some_and(|v| v == "1"),
            saved: saved.filter(|s| State::resume(&props.module, s, 0).is_ok()),
            changed: false,
            acknowledged: BTreeSet::new(),
            revealed: BTreeSet::new(),
            announce: String::new(),
            step: 0,
            acted: 0,
            outbox: Rc::new(RefCell::new(Vec::new())),
            emitted: 0,
            delivery: None,
            storage_key: props.storage_key.clone(),
            catalogs: props.catalogs.clone(),
            seed: props.seed,
            exit: props.bridge.return_url().map(|url| {
                let bridge = props.bridge.clone();
                Callback::from(move |_: MouseEvent| {
                    // The session ends (cmi5: `terminated`, sent with keepalive), then the LMS's page.
                    bridge.exit();
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().assign(&url);
                    }
                })
            }),
        }
    });
    // The LMS transport says when the learner's record is only on this device, and when it is sent.
    {
        let dispatcher = model.dispatcher();
        let bridge = props.bridge.clone();
        use_effect_with((), move |_| {
            bridge.on_delivery(Box::new(move |d| dispatcher.dispatch(Msg::Delivery(d))));
        });
    }
    // After each change: events to the bridge, progress and preferences to the device.
    {
        let model = model.clone();
        let bridge = props.bridge.clone();
        let deps = (model.step, model.emitted, model.screen, model.scale, model.low_data);
        use_effect_with(deps, move |_| {
            let events: Vec<Event> = model.outbox.borrow_mut().drain(..).collect();
            // Progress first: the bridge learns the state's language before mapping its events.
            if let Some(state) = &model.state {
                bridge.progress(&model.module, state);
            }
            if !events.is_empty() {
                bridge.send(&model.module, &events);
            }
            if let Some(state) = &model.state {
                if state.is_finished() {
                    storage::remove(&model.storage_key);
                } else {
                    storage::set(&model.storage_key, &state.save());
                }
            }
            storage::set("hearth:scale", &model.scale.to_string());
            storage::set("hearth:low-data", if model.low_data { "1" } else { "0" });
        });
    }
    // Focus moves to the new content on each step, so keyboard and screen-reader users start there.
    let focus = use_node_ref();
    {
        let focus = focus.clone();
        // Feedback that just appeared takes focus first (it is what changed); otherwise the
        // new node's text does.
        use_effect_with((model.step, model.screen, model.acted), move |_| {
            let Some(el) = focus.cast::<web_sys::HtmlElement>() else { return };
            let feedback = el
                .closest(".hearth")
                .ok()
                .flatten()
                .and_then(|root| root.query_selector("[data-focus-first]").ok().flatten())
                .and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok());
            let _ = feedback.unwrap_or(el).focus();
        });
    }
    let dispatch = {
        let model = model.clone();
        Callback::from(move |msg: Msg| model.dispatch(msg))
    };
    let m = &*model;
    let s = &m.strings;
    let module = &m.module;
    let dir = if Module::is_rtl(&m.lang) { "rtl" } else { "ltr" };
    let title = module.text(&m.lang, &module.title).to_string();
    let body = match (m.screen, &m.state) {
        (Screen::Start, _) | (_, None) => start_screen(m, &dispatch),
        (Screen::Paused, _) => {
            let unpause = dispatch.reform(|_| Msg::Unpause);
            html! {
                <section class="h-step" aria-labelledby="h-paused">
                    <h2 id="h-paused" tabindex="-1" ref={focus.clone()}>{ s.get("paused-title") }</h2>
                    <p>{ s.get("paused-body") }</p>
                    <div class="h-actions">
                        <button class="h-primary" data-action="resume" onclick={unpause}>{ s.get("paused-resume") }</button>
                        if let Some(exit) = &m.exit {
                            <button data-action="return" onclick={exit.clone()}>{ s.get("return-to-course") }</button>
                        }
                    </div>
                </section>
            }
        }
        (Screen::Playing, Some(state)) => step_screen(m, state, &dispatch, focus.clone()),
    };
    let start_focus = matches!(m.screen, Screen::Start) || m.state.is_none();
    html! {
        <div class="hearth" lang={m.lang.clone()} dir={dir} data-scale={m.scale.to_string()}>
            { toolbar(m, &dispatch, &title) }
            <div class="h-sr" aria-live="polite" role="status">{ m.announce.clone() }</div>
            if start_focus {
                <div tabindex="-1" ref={focus}>{ body }</div>
            } else {
                { body }
            }
        </div>
    }
}

fn toolbar(m: &Model, dispatch: &Callback<Msg>, title: &str) -> Html {
    let s = &m.strings;
    let module = &m.module;
    let on_lang = {
        let (dispatch, folder) = (dispatch.clone(), m.catalogs.clone());
        Callback::from(move |e: web_sys::Event| {
            let lang = crate::select_value(&e);
            match crate::CatalogFetch::start(folder.as_deref(), &lang) {
                None => dispatch.emit(Msg::SetLang(lang)),
                Some(fetch) => {
                    let dispatch = dispatch.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        fetch.finish().await;
                        dispatch.emit(Msg::SetLang(lang));
                    });
                }
            }
        })
    };
    let smaller = dispatch.reform(|_| Msg::Scale(-1));
    let larger = dispatch.reform(|_| Msg::Scale(1));
    let low = m.low_data;
    let on_low = dispatch.reform(move |_| Msg::LowData(!low));
    let pause = dispatch.reform(|_| Msg::Pause);
    let playing = m.screen == Screen::Playing && m.state.as_ref().is_some_and(|s| !s.is_finished());
    let (step, left) = m.state.as_ref().map(|st| st.view(module)).map_or((0, 0), |v| (v.step, v.steps_left));
    // One compact bar: the title and the way out on top, progress under them; the settings
    // folded away (they are changed once, if ever), so the scene starts high on a phone.
    html! {
        <header class="h-bar">
            <div class="h-head">
                <h1 class="h-title">{ title.to_string() }</h1>
                if playing {
                    <button class="h-leave" data-action="pause" onclick={pause}>{ s.get("pause") }</button>
                }
            </div>
            <div class="h-status-line">
                if playing {
                    <progress id="h-meter" max={(step + left).to_string()} value={step.to_string()} aria-labelledby="h-step"></progress>
                    // Separate paragraphs, so a screen reader reads "Step 3" and "Sent" as two things.
                    <p class="h-progress" id="h-step">{ s.get_n("progress", "step", step as i64) }</p>
                }
                if let Some(d) = m.delivery {
                    <p class="h-delivery" data-delivery={delivery_state(d)}>{ s.get(delivery_message(d)) }</p>
                }
                <details class="h-settings">
                    <summary data-action="settings">{ s.get("settings") }</summary>
                    <div class="h-tools" role="group" aria-label={s.get("settings")}>
                        if module.languages.len() > 1 {
                            <label for="h-lang">{ s.get("language") }</label>
                            <select id="h-lang" data-action="language" onchange={on_lang}>
                                { for module.languages.iter().map(|l| html! {
                                    <option value={l.clone()} selected={*l == m.lang} lang={l.clone()}>{ Module::autonym(l) }</option>
                                }) }
                            </select>
                        }
                        <span class="h-size">
                            <button onclick={smaller} title={s.get("text-smaller")} disabled={m.scale == 0}>
                                <span aria-hidden="true">{ "A−" }</span><span class="h-sr">{ s.get("text-smaller") }</span>
                            </button>
                            <button onclick={larger} title={s.get("text-larger")} disabled={m.scale == 3}>
                                <span aria-hidden="true">{ "A+" }</span><span class="h-sr">{ s.get("text-larger") }</span>
                            </button>
                        </span>
                        <label class="h-option"><input type="checkbox" checked={m.low_data} onchange={on_low} />{ s.get("low-data") }</label>
                    </div>
                </details>
            </div>
        </header>
    }
}

/// `data-delivery` for the record's delivery state (tests and styles read it).
fn delivery_state(d: crate::bridge::Delivery) -> &'static str {
    match d {
        crate::bridge::Delivery::Sent => "sent",
        crate::bridge::Delivery::SavedOnDevice(_) => "local",
        crate::bridge::Delivery::NotSaved(_) => "memory",
    }
}

fn delivery_message(d: crate::bridge::Delivery) -> &'static str {
    match d {
        crate::bridge::Delivery::Sent => "saved-sent",
        crate::bridge::Delivery::SavedOnDevice(_) => "saved-local",
        crate::bridge::Delivery::NotSaved(_) => "saved-memory",
    }
}

/// The first letter of a name, for its name plate.
fn initial(name: &str) -> String {
    name.chars().next().map(String::from).unwrap_or_default()
}

fn start_screen(m: &Model, dispatch: &Callback<Msg>) -> Html {
    let s = &m.strings;
    let module = &m.module;
    let t = |k: &str| module.text(&m.lang, k).to_string();
    let start = dispatch.reform(|_| Msg::Start);
    let resume = dispatch.reform(|_| Msg::Resume);
    let restart = dispatch.reform(|_| Msg::Restart);
    html! {
        <section class="h-step">
            if module.example {
                <p><span class="h-badge">{ s.get("example-badge") }</span></p>
            }
            if let Some(d) = &module.description {
                <p>{ t(d) }</p>
            }
            if let Some(w) = &module.content_warning {
                <div class="h-warning" role="note">
                    <h2>{ s.get("warning-title") }</h2>
                    <p>{ t(w) }</p>
                </div>
            }
            if m.saved.is_some() {
                <h2>{ s.get("resume-title") }</h2>
                <div class="h-actions">
                    <button class="h-primary" data-action="continue-saved" onclick={resume}>{ s.get("resume-continue") }</button>
                    <button data-action="restart" onclick={restart}>{ s.get("resume-restart") }</button>
                </div>
            } else {
                <div class="h-actions">
                    <button class="h-primary" data-action="start" onclick={start}>{
                        if module.content_warning.is_some() { s.get("warning-continue") } else { s.get("start") }
                    }</button>
                </div>
            }
        </section>
    }
}

fn step_screen(m: &Model, state: &State, dispatch: &Callback<Msg>, focus: NodeRef) -> Html {
    let s = &m.strings;
    let module = &m.module;
    let t = |k: &str| module.text(&m.lang, k).to_string();
    let v = state.view(module);
    let node = v.node;
    let heading_id = "h-node";
    // A node's content warning comes first, with a way out.
    if let Some(w) = node.warning.as_ref().filter(|_| !m.acknowledged.contains(&node.id) && v.step > 0) {
        let id = node.id.clone();
        let ack = dispatch.reform(move |_| Msg::Acknowledge(id.clone()));
        let leave = dispatch.reform(|_| Msg::Pause);
        return html! {
            <section class="h-step h-warning" aria-labelledby={heading_id}>
                <h2 id={heading_id} tabindex="-1" ref={focus}>{ s.get("warning-title") }</h2>
                <p>{ t(w) }</p>
                <div class="h-actions">
                    <button class="h-primary" data-action="acknowledge" onclick={ack}>{ s.get("warning-continue") }</button>
                    <button class="h-leave" data-action="pause" onclick={leave}>{ s.get("warning-leave") }</button>
                </div>
            </section>
        };
    }
    let act = |a: Action| dispatch.reform(move |_| Msg::Act(a.clone()));
    let back = v
        .can_back
        .then(|| html! { <button data-action="back" onclick={act(Action::Back)}>{ s.get("back") }</button> });
    let speaker = node.speaker.as_ref().and_then(|id| module.characters.iter().find(|c| &c.id == id));
    let band = v.ending.as_ref().map(|(outcome, _)| {
        let band = module.bands.iter().find(|b| Some(&b.id) == outcome.band.as_ref());
        band.map(|b| t(&b.title)).unwrap_or_default()
    });
    let main = match &node.kind {
        NodeKind::Ending { .. } => {
            html! { <Results model={Rc::new(m.clone())} restart={dispatch.reform(|_| Msg::Restart)} /> }
        }
        NodeKind::Reflection { store, .. } => html! {
            <crate::question::Reflection
                store={*store}
                note_key={format!("{}:note:{}", m.storage_key, node.id)}
                on_done={dispatch.reform(|text: String| Msg::Act(Action::Reflect { text }))}
                on_skip={dispatch.reform(|_| Msg::Act(Action::Continue))}
                strings={m.strings.clone()}
                key={node.id.clone()}
            />
        },
        _ => Html::default(),
    };
    html! {
        <section class="h-step" aria-labelledby={heading_id}>
            if m.changed {
                <p class="h-status" role="note">{ s.get("resume-changed") }</p>
            }
            <div id={heading_id} tabindex="-1" ref={focus} class={classes!(band.is_some().then_some("h-ending"))}>
                // At an ending, the ending comes first: its outcome, then its story.
                if let Some(band) = band {
                    <h2 class="h-band">{ s.get("outcome") }{ ": " }{ band }</h2>
                }
                // Who is speaking, on a name plate (a portrait when the author gave one, else the
                // name's first letter), and what they say set as speech.
                if let Some(c) = speaker {
                    <p class="h-speaker">
                        // Not in low-data mode, where nothing downloads unasked.
                        if let Some(p) = c.portrait.as_ref().filter(|_| !m.low_data) {
                            <img class="h-avatar" src={p.clone()} alt="" />
                        } else {
                            <span class="h-avatar" aria-hidden="true">{ initial(&t(&c.name)) }</span>
                        }
                        { t(&c.name) }
                    </p>
                }
                if let Some(text) = &node.text {
                    <p class={if speaker.is_some() { "h-text h-said" } else { "h-text" }}>{ t(text) }</p>
                }
            </div>
            { for node.media.iter().map(|media| view::media(m, module, media, dispatch)) }
            if !v.choices.is_empty() {
                <ul class="h-choices" aria-label={s.get("choices-label")}>
                    { for v.choices.iter().map(|c| html! {
                        <li><button data-choice={c.id.clone()} onclick={act(Action::Choose { choice: c.id.clone() })}>{ t(&c.text) }</button></li>
                    }) }
                </ul>
            }
            if let Some(c) = v.chosen {
                <div class="h-feedback" tabindex="-1" data-focus-first="">
                    <p class="h-verdict">{ s.get("your-choice") }{ ": " }{ t(&c.text) }</p>
                    if let Some(f) = &c.feedback {
                        <p>{ t(f) }</p>
                    }
                    // What the choice changed, by competency: the consequence beside the reasoning.
                    if !v.deltas.is_empty() {
                        <ul class="h-deltas" aria-label={s.get("choice-effects")}>
                            { for v.deltas.iter().map(|(id, by)| html! {
                                <li data-delta={if *by > 0 { "up" } else { "down" }}>
                                    { module.competency(id).map(|c| t(&c.title)).unwrap_or_default() }{ " " }
                                    <bdi>{ if *by > 0 { format!("+{by}") } else { format!("−{}", by.unsigned_abs()) } }</bdi>
                                </li>
                            }) }
                        </ul>
                    }
                </div>
            }
            if let Some(q) = &v.question {
                <QuestionForm model={Rc::new(m.clone())} question={q.question.id.clone()} on_action={dispatch.reform(Msg::Act)} key={q.question.id.clone()} />
            }
            { main }
            <div class="h-actions">
                { back.unwrap_or_default() }
                if v.can_continue && !matches!(node.kind, NodeKind::Reflection { .. }) {
                    <button class="h-primary" data-action="continue" onclick={act(Action::Continue)}>{ s.get("continue") }</button>
                }
            </div>
        </section>
    }
}
