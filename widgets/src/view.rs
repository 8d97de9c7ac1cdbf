//! Media, with low-data mode: in low-data mode nothing is downloaded until the learner asks, and
//! they see the size first; decorative media (`low_data: skip`) are left out.

use content::model::{LowData, Media, MediaKind, Module};
use yew::prelude::*;

use crate::app::{Model, Msg};

pub(crate) fn media(m: &Model, module: &Module, media: &Media, dispatch: &Callback<Msg>) -> Html {
    let s = &m.strings;
    let t = |k: &str| module.text(&m.lang, k).to_string();
    if m.low_data && media.low_data == LowData::Skip {
        return Html::default();
    }
    let alt = media.alt.as_deref().map(t).unwrap_or_default();
    let transcript = media.transcript.as_deref().map(t);
    let held_back = m.low_data && media.low_data == LowData::Tap && !m.revealed.contains(&media.id);
    if held_back {
        let size = media.bytes.map(format_size).unwrap_or_else(|| "?".into());
        let label = match media.kind {
            MediaKind::Image => "media-show-image",
            MediaKind::Audio => "media-play-audio",
            MediaKind::Video => "media-play-video",
        };
        let id = media.id.clone();
        let reveal = dispatch.reform(move |_| Msg::Reveal(id.clone()));
        return html! {
            <figure class="h-media">
                <button onclick={reveal}>{ s.format(label, &[("size", crate::i18n::Arg::Str(&size))]) }</button>
                <figcaption>{ transcript.clone().unwrap_or(alt) }</figcaption>
            </figure>
        };
    }
    let src = media.src.clone();
    let caption = media.caption.as_deref().map(t);
    let body = match media.kind {
        MediaKind::Image => html! { <img src={src} alt={alt} loading="lazy" /> },
        MediaKind::Audio => html! { <audio controls=true preload="none" src={src}></audio> },
        MediaKind::Video => html! {
            <video controls=true preload="none" src={src}>
                if let Some(c) = &media.captions {
                    <track kind="captions" src={c.clone()} srclang={module.source_lang.clone()} default=true />
                }
            </video>
        },
    };
    html! {
        <figure class="h-media">
            { body }
            if let Some(c) = caption {
                <figcaption>{ c }</figcaption>
            }
            if let Some(tr) = transcript {
                <details><summary>{ s.get("media-transcript") }</summary><p>{ tr }</p></details>
            }
        </figure>
    }
}

fn format_size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        // Whole tenths by integer arithmetic: float formatting would add its tables to the player.
        let tenths = (bytes + 50_000) / 100_000;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    }
}
