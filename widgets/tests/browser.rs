//! Component tests in a real browser (wasm-bindgen-test in headless Chromium; see
//! `cargo xtask test`). Each test loads a small module written here, compiles it with the real
//! loader, mounts the real `App` from a Blob URL, drives it through the DOM like a learner, and
//! compares what the player did with what the engine says.

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use content::diag::SourceFile;
use content::engine::{Action, Event, State};
use content::load::{ModuleSource, load, source_hash};
use content::model::Module;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};
use widgets::bridge::Bridge;
use widgets::{App, AppProps, Config};

wasm_bindgen_test_configure!(run_in_browser);

const MODULE: &str = r#"
module: t.browser
version: 1.0.0
title: "Bedtime"
source_lang: en
languages: [en, ar]
mastery: 0.5
backtrack: always
framework:
  iri: https://hearth.example/fw
  competencies:
    - { id: listening, iri: https://hearth.example/fw/listening, title: "Listening", max: 4 }
bands:
  - { id: good, title: "Well handled" }
start: n.start
nodes:
  - id: n.start
    kind: decision
    text: "Amira cannot sleep. What do you do?"
    choices:
      - id: c.sit
        text: "Sit with her."
        effects: { listening: +2 }
        feedback: "Staying close helps her settle."
        next: n.steps
      - id: c.leave
        text: "Tell her to sleep."
        feedback: "She is left alone with her worry."
        next: n.steps
  - id: n.steps
    kind: quiz
    questions:
      - id: q.order
        type: ordering
        text: "Put these in order."
        competency: listening
        points: 2
        items:
          - { id: i.one, text: "Listen" }
          - { id: i.two, text: "Reassure" }
          - { id: i.three, text: "Record" }
    next: n.end
  - id: n.end
    kind: ending
    band: good
    text: "She falls asleep."
"#;

/// Arabic for every source string, built from the loaded English so the source hashes match.
fn arabic(en: &Module) -> String {
    let mut out = String::from("lang: ar\nunits:\n");
    for (key, text) in &en.strings["en"] {
        let ar = format!("ع {text}");
        out += &format!("  {key}:\n    source: \"{}\"\n    text: {:?}\n", source_hash(text), ar);
    }
    out
}

fn compile() -> Module {
    let src = |t: Vec<SourceFile>| ModuleSource {
        module: SourceFile::new("module.yaml", MODULE),
        translations: t,
        files: BTreeSet::new(),
    };
    let en = load(src(vec![])).module.expect("the test module loads");
    let loaded = load(src(vec![SourceFile::new("ar.yaml", arabic(&en))]));
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    loaded.module.unwrap()
}

/// Records every event the player hands to its bridge.
#[derive(Default)]
struct Recorder(RefCell<Vec<Event>>);

impl Bridge for Recorder {
    fn send(&self, _: &Rc<Module>, events: &[Event]) {
        self.0.borrow_mut().extend_from_slice(events);
    }
}

struct Mounted {
    root: Element,
    events: Rc<Recorder>,
    _handle: yew::AppHandle<App>,
}

fn module_url(m: &Module) -> String {
    let bytes = js_sys::Uint8Array::from(content::compiled_binary(m).as_slice());
    let parts = js_sys::Array::of1(&bytes);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap();
    web_sys::Url::create_object_url_with_blob(&blob).unwrap()
}

async fn mount(m: &Module, lang: Option<&str>, storage_key: &str) -> Mounted {
    let doc = gloo_utils::document();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let events = Rc::new(Recorder::default());
    let config = Config {
        src: module_url(m),
        lang: lang.map(String::from),
        storage_key: Some(storage_key.into()),
        seed: Some(7),
        catalogs: None,
        error: None,
    };
    let handle =
        yew::Renderer::<App>::with_root_and_props(root.clone(), AppProps { config, bridge: events.clone() })
            .render();
    let mounted = Mounted { root, events, _handle: handle };
    // The module arrives by fetch; wait until the start screen is drawn.
    mounted.wait_for("[data-action=start], [data-action=continue-saved]").await;
    mounted
}

impl Mounted {
    fn find(&self, selector: &str) -> Option<HtmlElement> {
        self.root.query_selector(selector).unwrap().map(|e| e.unchecked_into())
    }

    async fn wait_for(&self, selector: &str) -> HtmlElement {
        for _ in 0..200 {
            yew::scheduler::flush().await;
            if let Some(e) = self.find(selector) {
                return e;
            }
            sleep(10).await;
        }
        panic!("`{selector}` never appeared in {}", self.root.inner_html());
    }

    async fn click(&self, selector: &str) {
        self.wait_for(selector).await.click();
        self.settle().await;
    }

    /// Lets Yew render and run the effects that follow (the bridge, storage, focus).
    async fn settle(&self) {
        yew::scheduler::flush().await;
        sleep(0).await;
        yew::scheduler::flush().await;
    }

    fn text(&self, selector: &str) -> String {
        self.find(selector).and_then(|e| e.text_content()).unwrap_or_default()
    }

    fn items(&self) -> Vec<String> {
        let list = self.root.query_selector_all("[data-item]").unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().unchecked_into::<Element>().get_attribute("data-item").unwrap())
            .collect()
    }

    fn events(&self) -> Vec<Event> {
        self.events.0.borrow().clone()
    }
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn active_element() -> Option<Element> {
    gloo_utils::document().active_element()
}

/// Engine events without their timestamps and durations (the player reads the clock).
fn shape(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            let mut v = serde_json::to_value(e).unwrap();
            if let Some(o) = v.as_object_mut() {
                o.retain(|k, _| !k.contains("ms") && k != "at" && k != "duration");
            }
            v.to_string()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn a_decision_gives_feedback_in_focus_and_announces_it() {
    web_sys::window().unwrap().local_storage().unwrap().unwrap().clear().unwrap();
    let m = compile();
    let p = mount(&m, None, "t:decision").await;
    p.click("[data-action=start]").await;
    p.wait_for("[data-choice='c.sit']").await;
    // Focus follows the new content: the node's text, not the page top.
    let focused = active_element().unwrap();
    assert_eq!(focused.id(), "h-node", "focus after start is on {}", focused.outer_html());

    p.click("[data-choice='c.sit']").await;
    p.wait_for(".h-feedback").await;
    assert!(p.text(".h-feedback").contains("Staying close helps her settle."));
    // The live region says the feedback, and the feedback itself has focus.
    assert_eq!(p.text("[aria-live=polite]"), "Staying close helps her settle.");
    assert_eq!(active_element().unwrap().class_name(), "h-feedback");

    // What the player sent is exactly what the engine emits for the same actions.
    let (mut state, mut expected) = State::start(&m, "en", 7, 0);
    expected.extend(state.apply(&m, Action::Choose { choice: "c.sit".into() }, 0).unwrap());
    assert_eq!(shape(&p.events()), shape(&expected));
}

#[wasm_bindgen_test]
async fn ordering_works_by_buttons_and_scores_like_the_engine() {
    web_sys::window().unwrap().local_storage().unwrap().unwrap().clear().unwrap();
    let m = compile();
    let p = mount(&m, None, "t:order").await;
    p.click("[data-action=start]").await;
    p.click("[data-choice='c.sit']").await;
    p.click("[data-action=continue]").await;
    p.wait_for("[data-item]").await;
    let before = p.items();
    assert_eq!(before.len(), 3);
    // Move the last item to the top with two presses of its "move up" button.
    let last = before[2].clone();
    for _ in 0..2 {
        p.click(&format!("[data-item='{last}'] [data-action=move-up]")).await;
    }
    let after = p.items();
    assert_eq!(after[0], last);
    assert_eq!(after[1..], before[..2]);
    // The first item cannot move further up.
    let top = p.find(&format!("[data-item='{last}'] [data-action=move-up]")).unwrap();
    assert!(top.has_attribute("disabled"));

    p.click("[data-action=answer]").await;
    let answered = p
        .events()
        .into_iter()
        .find_map(|e| match e {
            Event::QuestionAnswered { response, score, .. } => Some((response, score)),
            _ => None,
        })
        .expect("the answer reached the bridge");
    let content::engine::Response::Order(order) = &answered.0 else { panic!("{answered:?}") };
    assert_eq!(order, &after);
    // The engine, given the same order, scores it the same.
    let (mut state, _) = State::start(&m, "en", 7, 0);
    state.apply(&m, Action::Choose { choice: "c.sit".into() }, 0).unwrap();
    state.apply(&m, Action::Continue, 0).unwrap();
    let ev = state
        .apply(
            &m,
            Action::Answer { question: "q.order".into(), response: content::engine::Response::Order(after) },
            0,
        )
        .unwrap();
    let engine_score = ev.iter().find_map(|e| match e {
        Event::QuestionAnswered { score, .. } => Some(*score),
        _ => None,
    });
    assert_eq!(Some(answered.1), engine_score);
}

#[wasm_bindgen_test]
async fn switching_to_arabic_keeps_the_place_and_turns_the_layout() {
    web_sys::window().unwrap().local_storage().unwrap().unwrap().clear().unwrap();
    let m = compile();
    let p = mount(&m, None, "t:lang").await;
    let root = p.find(".hearth").unwrap();
    assert_eq!(root.get_attribute("dir").as_deref(), Some("ltr"));
    p.click("[data-action=start]").await;
    p.click("[data-choice='c.sit']").await;

    let select: web_sys::HtmlSelectElement = p.find("[data-action=language]").unwrap().unchecked_into();
    select.set_value("ar");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    p.settle().await;

    let root = p.find(".hearth").unwrap();
    assert_eq!(root.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(root.get_attribute("lang").as_deref(), Some("ar"));
    // Same node, same choice made, now in Arabic; the player's own words too.
    assert!(p.text(".h-feedback").contains("ع Staying close helps her settle."), "{}", p.text(".h-feedback"));
    assert!(p.find("[data-action=continue]").unwrap().text_content().unwrap() != "Continue");
    assert!(
        p.events()
            .iter()
            .any(|e| matches!(e, Event::LanguageChanged { from, to } if from == "en" && to == "ar"))
    );
}

#[wasm_bindgen_test]
async fn pausing_saves_and_a_new_player_offers_to_continue() {
    web_sys::window().unwrap().local_storage().unwrap().unwrap().clear().unwrap();
    let m = compile();
    let p = mount(&m, None, "t:resume").await;
    p.click("[data-action=start]").await;
    p.click("[data-choice='c.leave']").await;
    p.click("[data-action=pause]").await;
    p.wait_for("#h-paused").await;
    assert!(p.events().iter().any(|e| matches!(e, Event::Suspended { .. })));
    let saved = web_sys::window().unwrap().local_storage().unwrap().unwrap().get_item("t:resume").unwrap();
    let saved = saved.expect("progress is saved on this device");

    // A second player on the same storage key (a reload, or the learner's next visit).
    let q = mount(&m, None, "t:resume").await;
    q.click("[data-action=continue-saved]").await;
    q.wait_for(".h-feedback").await;
    assert!(q.text(".h-feedback").contains("Tell her to sleep."));
    let (_, resumed, _) = State::resume(&m, &saved, 0).unwrap();
    assert!(matches!(resumed.first(), Some(Event::Resumed { .. })));
    assert!(q.events().iter().any(|e| matches!(e, Event::Resumed { .. })));
}

#[wasm_bindgen_test]
async fn text_size_steps_are_bounded_and_remembered() {
    web_sys::window().unwrap().local_storage().unwrap().unwrap().clear().unwrap();
    let m = compile();
    let p = mount(&m, None, "t:scale").await;
    let scale = || p.find(".hearth").unwrap().get_attribute("data-scale").unwrap();
    assert_eq!(scale(), "0");
    let larger = ".h-tools button:nth-of-type(2)";
    for _ in 0..5 {
        if p.find(larger).is_some_and(|b| !b.has_attribute("disabled")) {
            p.click(larger).await;
        }
    }
    assert_eq!(scale(), "3");
    assert!(p.find(larger).unwrap().has_attribute("disabled"));
    let stored =
        web_sys::window().unwrap().local_storage().unwrap().unwrap().get_item("hearth:scale").unwrap();
    assert_eq!(stored.as_deref(), Some("3"));
}

#[wasm_bindgen_test]
async fn a_broken_module_url_is_reported_not_panicked() {
    let doc = gloo_utils::document();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let config = Config {
        src: "data:application/json,{\"id\":1}".into(),
        lang: None,
        storage_key: None,
        seed: None,
        catalogs: None,
        error: None,
    };
    let _h = yew::Renderer::<App>::with_root_and_props(
        root.clone(),
        AppProps { config, bridge: Rc::new(Recorder::default()) },
    )
    .render();
    for _ in 0..200 {
        yew::scheduler::flush().await;
        if root.query_selector("[role=alert]").unwrap().is_some() {
            break;
        }
        sleep(10).await;
    }
    let alert = root.query_selector("[role=alert]").unwrap().expect("an error message is shown");
    let text = alert.text_content().unwrap();
    assert!(
        text.contains("data:application/json") && text.contains("not a compiled Hearth module"),
        "{text}"
    );
}
