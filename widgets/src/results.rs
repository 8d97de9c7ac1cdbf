//! Under the ending (its outcome band and story, `app.rs`): pass or not, the score, the competency profile (a chart with its data table),
//! and the debrief of every decision on the path.

use std::rc::Rc;

use yew::prelude::*;

use crate::app::Model;

#[derive(Properties, PartialEq)]
pub(crate) struct ResultsProps {
    pub(crate) model: Rc<Model>,
    pub(crate) restart: Callback<MouseEvent>,
}

#[function_component(Results)]
pub(crate) fn results(props: &ResultsProps) -> Html {
    let m = &*props.model;
    let s = &m.strings;
    let module = &m.module;
    let t = |k: &str| module.text(&m.lang, k).to_string();
    let Some(state) = &m.state else { return Html::default() };
    let outcome = state.outcome(module);
    let debrief = state.debrief(module);
    let percent = |x: f64| (x * 100.0).round() as i64;
    html! {
        <div class="h-results" data-band={outcome.band.clone().unwrap_or_default()} data-passed={outcome.passed.to_string()}>
            // The outcome's title and the ending's story are above (`app.rs`), first on the screen.
            <p class="h-score">
                <span class={if outcome.passed { "h-passed" } else { "h-failed" }}>
                    { if outcome.passed { s.get("result-passed") } else { s.get("result-failed") } }
                </span>
                { " · " }
                { s.get_n("result-score", "percent", percent(outcome.scaled)) }
            </p>
            <h3 id="h-profile">{ s.get("competency-profile") }</h3>
            // The bars are a picture of the table below, which is what assistive technology reads.
            <div class="h-chart" aria-hidden="true">
                { for outcome.competencies.iter().map(|c| {
                    let title = module.competency(&c.id).map(|x| t(&x.title)).unwrap_or_default();
                    html! {
                        <div class="h-row">
                            <span>{ title }</span>
                            <div class="h-track"><div class="h-fill" style={format!("inline-size: {}%", percent(c.scaled))}></div></div>
                        </div>
                    }
                }) }
            </div>
            // On a narrow screen each row becomes a card (player.css); the explicit roles keep it a
            // table for assistive technology when its display changes.
            <table class="h-profile-table" role="table" aria-labelledby="h-profile">
                <thead role="rowgroup">
                    <tr role="row">
                        <th role="columnheader" scope="col">{ s.get("competency-column") }</th>
                        <th role="columnheader" scope="col">{ s.get("score-column") }</th>
                        <th role="columnheader" scope="col">{ s.get("max-column") }</th>
                        <th role="columnheader" scope="col">{ s.get("percent-column") }</th>
                    </tr>
                </thead>
                <tbody role="rowgroup">
                    { for outcome.competencies.iter().map(|c| html! {
                        <tr role="row">
                            <th role="rowheader" scope="row">{ module.competency(&c.id).map(|x| t(&x.title)).unwrap_or_default() }</th>
                            <td role="cell" data-label={s.get("score-column")}>{ c.score }</td>
                            <td role="cell" data-label={s.get("max-column")}>{ c.max }</td>
                            <td role="cell" data-label={s.get("percent-column")}>{ s.get_n("percent-value", "percent", percent(c.scaled)) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <h3>{ s.get("debrief-title") }</h3>
            if debrief.is_empty() {
                <p>{ s.get("debrief-empty") }</p>
            } else {
                <p>{ s.get_n("decisions-made", "n", debrief.len() as i64) }</p>
                <ol class="h-debrief">
                    { for debrief.iter().map(|d| html! {
                        <li>
                            <p><strong>{ t(&d.choice_text) }</strong></p>
                            if let Some(f) = &d.debrief {
                                <p>{ t(f) }</p>
                            } else if let Some(f) = &d.feedback {
                                <p>{ t(f) }</p>
                            }
                        </li>
                    }) }
                </ol>
            }
            <div class="h-actions">
                <button data-action="restart" onclick={props.restart.clone()}>{ s.get("restart") }</button>
                if let Some(exit) = &props.model.exit {
                    <button class="h-primary" data-action="return" onclick={exit.clone()}>{ s.get("return-to-course") }</button>
                }
            </div>
        </div>
    }
}
