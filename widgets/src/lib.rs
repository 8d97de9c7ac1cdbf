//! Hearth's player: Yew components that render the `content` engine's views.

pub mod i18n;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
struct Props {
    lang: String,
}

#[function_component(Hello)]
fn hello(props: &Props) -> Html {
    let s = i18n::Strings::new(&props.lang);
    html! { <p>{ s.get("app-loading") }{ s.get_n("attempts-left", "n", 2) }</p> }
}

#[wasm_bindgen]
pub fn mount(element: web_sys::Element, lang: String) {
    yew::Renderer::<Hello>::with_root_and_props(element, Props { lang }).render();
}
