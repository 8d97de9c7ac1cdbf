//! Hearth's player: Yew components that render the `content` engine's views, in every language a
//! module carries, usable by keyboard, touch and screen reader.
//!
//! Embedding: `mount(element, { src, lang, storage_key })` from JavaScript, or the
//! `<hearth-player src=… lang=…>` custom element defined by `hearth-element.js`. Every learning
//! event goes to a [`bridge::Bridge`]; here, the in-page event log (`hearth-event` DOM events).

mod app;
pub mod bridge;
pub mod i18n;
#[cfg(feature = "lms")]
mod lms;
mod question;
mod results;
mod storage;
mod view;

use std::cell::RefCell;
use std::rc::Rc;

use content::model::Module;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

pub use app::{App, AppProps, Config};

/// A mounted player; `destroy()` removes it.
#[wasm_bindgen]
pub struct PlayerHandle {
    handle: Rc<RefCell<Option<yew::AppHandle<App>>>>,
}

#[wasm_bindgen]
impl PlayerHandle {
    pub fn destroy(&mut self) {
        if let Some(h) = self.handle.borrow_mut().take() {
            h.destroy();
        }
    }
}

/// Mounts the player into `element`. `config` is `{ src, lang?, storage_key?, seed?, format?,
/// catalogs? }`. `catalogs` is the URL of the player's `i18n/` folder (`hearth-element.js` passes
/// it): without it the player's own words are in English, the module's in its language.
/// `format` picks where results go besides the in-page event log: `scorm12`, `scorm2004` (the
/// LMS's SCORM API), `cmi5` (this page was launched as a cmi5 AU), `xapi` (an xAPI launch link),
/// or nothing (an embed that reports nowhere but the page).
#[wasm_bindgen]
pub fn mount(element: web_sys::Element, config: JsValue) -> Result<PlayerHandle, JsValue> {
    let get = |k: &str| {
        js_sys::Reflect::get(&config, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    let src = get("src")
        .ok_or_else(|| JsValue::from_str("hearth: `src` (the compiled module's URL) is required"))?;
    let seed = get("seed").and_then(|s| s.parse().ok());
    let format = get("format").unwrap_or_default();
    let config = Config {
        src,
        lang: get("lang"),
        storage_key: get("storage_key"),
        seed,
        catalogs: get("catalogs"),
        error: None,
    };
    let page: Rc<dyn bridge::Bridge> = Rc::new(bridge::PageEvents { target: element.clone() });
    let handle = Rc::new(RefCell::new(None));
    let render = {
        let handle = handle.clone();
        move |config: Config, bridge: Rc<dyn bridge::Bridge>| {
            let app =
                yew::Renderer::<App>::with_root_and_props(element, AppProps { config, bridge }).render();
            *handle.borrow_mut() = Some(app);
        }
    };
    // Progress is kept per module; the key is known before the module is (the URL names it).
    let key = config.storage_key.clone().unwrap_or_else(|| format!("hearth:{}", config.src));
    let lang = config.lang.clone().unwrap_or_default();
    #[cfg(feature = "lms")]
    lms_render(format, config, key, lang, page, render);
    #[cfg(not(feature = "lms"))]
    {
        let _ = (key, lang);
        if !format.is_empty() {
            web_sys::console::warn_1(
                &format!("hearth: this build has no LMS transports (`{format}`); use the player-lms build")
                    .into(),
            );
        }
        render(config, page);
    }
    Ok(PlayerHandle { handle })
}

/// Connects the LMS transport `format` asks for, then renders.
#[cfg(feature = "lms")]
fn lms_render(
    format: String,
    mut config: Config,
    key: String,
    lang: String,
    page: Rc<dyn bridge::Bridge>,
    render: impl FnOnce(Config, Rc<dyn bridge::Bridge>) + 'static,
) {
    if format == "cmi5" {
        wasm_bindgen_futures::spawn_local(async move {
            match lms_bridge::web::cmi5_launch().await {
                Ok(session) => {
                    if config.lang.is_none() {
                        config.lang = session.languages.first().cloned();
                    }
                    // Progress per registration: a new attempt starts afresh, and another
                    // learner's attempt on a shared device is not offered. The device's copy
                    // first; the LRS's (State API) when this device has none.
                    let key = format!("{key}:{}", session.registration);
                    let resume = if storage::get(&key).is_none() { session.progress.clone() } else { None };
                    config.storage_key = Some(key);
                    let lms =
                        lms::XapiBridge::from_cmi5(&session, config.lang.as_deref().unwrap_or(""), resume);
                    render(config, Rc::new(bridge::Fanout(vec![page, lms])));
                }
                Err(e) => {
                    web_sys::console::error_1(&format!("hearth: cmi5 launch failed: {e}").into());
                    config.error = Some(format!("the LMS's cmi5 launch did not work ({e})"));
                    render(config, page);
                }
            }
        });
    } else if let (Some(version), Some(lrs)) =
        (lms::scorm_version(&format), lms_bridge::web::PackageLrs::from_page())
    {
        // A SCORM package that reports xAPI too: SCORM first, then a token for the xAPI side.
        wasm_bindgen_futures::spawn_local(async move {
            let mut bridges = vec![page];
            match lms::ScormBridge::connect(version, &lang) {
                Some(scorm) => {
                    let xapi = lms::XapiBridge::for_scorm_package(lrs, &scorm, &lang).await;
                    bridges.push(scorm);
                    bridges.extend(xapi.map(|x| x as Rc<dyn bridge::Bridge>));
                }
                None => {
                    web_sys::console::warn_1(&"hearth: no SCORM LMS found; results stay on this page".into())
                }
            }
            render(config, Rc::new(bridge::Fanout(bridges)));
        });
    } else {
        let bridge: Rc<dyn bridge::Bridge> = match lms::connect(&format, &key, &lang) {
            Some(lms) => Rc::new(bridge::Fanout(vec![page, lms])),
            None => {
                if !format.is_empty() {
                    web_sys::console::warn_1(
                        &format!("hearth: no {format} LMS found; results stay on this page").into(),
                    );
                }
                page
            }
        };
        render(config, bridge);
    }
}

async fn fetch_module(src: &str) -> Result<Module, String> {
    let window = web_sys::window().ok_or("no window")?;
    let resp = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(src)).await.map_err(js_error)?;
    let resp: web_sys::Response = resp.dyn_into().map_err(js_error)?;
    if !resp.ok() {
        return Err(format!("{src}: HTTP {}", resp.status()));
    }
    let buffer = wasm_bindgen_futures::JsFuture::from(resp.array_buffer().map_err(js_error)?)
        .await
        .map_err(js_error)?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let mut module = content::from_binary(&bytes).map_err(|e| format!("{src}: {e}"))?;
    // A module's files are at `<folder of the module>/<module id>/<path>` (as `hearth compile
    // --out-dir` lays them out): resolved here, per module, so two players on one page each
    // keep their own.
    let url = resp.url();
    let folder = url.rsplit_once('/').map_or("", |(f, _)| f);
    let prefix = format!("{folder}/{}/", module.id);
    module.for_each_file_mut(|file| file.insert_str(0, &prefix));
    Ok(module)
}

/// The player's words in one language, fetched from the `i18n/` folder beside the player. The
/// request starts when this is made, so it can run beside the module's.
pub(crate) struct CatalogFetch {
    code: &'static str,
    url: String,
    request: js_sys::Promise,
}

impl CatalogFetch {
    /// `None` when there is nothing to fetch: the words are here, the player has no catalog for
    /// `lang` (English is shown), or the host gave no folder.
    pub(crate) fn start(folder: Option<&str>, lang: &str) -> Option<CatalogFetch> {
        let code = i18n::missing(lang)?;
        let url = format!("{}{code}.txt", folder?);
        let request = web_sys::window()?.fetch_with_str(&url);
        Some(CatalogFetch { code, url, request })
    }

    /// Waits for the catalog and installs it; if it cannot be had, the player speaks English.
    pub(crate) async fn finish(self) {
        if let Err(e) = self.read().await {
            let warning = format!("hearth: {}: {e}; the player's own words stay in English", self.url);
            web_sys::console::warn_1(&warning.into());
        }
    }

    async fn read(&self) -> Result<(), String> {
        let resp = wasm_bindgen_futures::JsFuture::from(self.request.clone()).await.map_err(js_error)?;
        let resp: web_sys::Response = resp.dyn_into().map_err(js_error)?;
        if !resp.ok() {
            return Err(format!("HTTP {}", resp.status()));
        }
        let text =
            wasm_bindgen_futures::JsFuture::from(resp.text().map_err(js_error)?).await.map_err(js_error)?;
        i18n::install(self.code, &text.as_string().unwrap_or_default())
    }
}

fn js_error(e: JsValue) -> String {
    // A DOMException or TypeError: its own `toString()` ("TypeError: Failed to fetch").
    e.as_string().unwrap_or_else(|| js_sys::Object::from(e).to_string().into())
}

pub(crate) fn select_value(e: &web_sys::Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

pub(crate) fn input_value(e: &web_sys::InputEvent) -> String {
    let Some(target) = e.target() else { return String::new() };
    if let Some(i) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        return i.value();
    }
    target.dyn_ref::<web_sys::HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default()
}
