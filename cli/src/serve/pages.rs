//! The pages of `hearth serve`: the catalogue and the results, rendered on the server from the
//! embedded LRS (no script needed to read them).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::response::Html;
use content::model::Module;
use serde_json::Value;

use super::{App, url_encode};

/// HTML-escapes text for element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
         <link rel=\"icon\" href=\"data:,\">\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header><a href=\"/\">Hearth</a> <a href=\"/results\">Results</a></header>\n<main>\n{body}</main>\n</body>\n</html>\n",
        esc(title)
    )
}

const STYLE: &str = "body{margin:0;font:1rem/1.5 system-ui,sans-serif;color:#1f2328;background:#fbfaf8}\
header{display:flex;gap:1.25rem;padding:.75rem 1rem;background:#7a2e0e}header a{color:#fff;font-weight:600}\
main{max-inline-size:60rem;margin:0 auto;padding:1rem}.card{background:#fff;border:1px solid #d8d4cf;\
border-radius:.5rem;padding:1rem;margin-block:1rem}form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}\
label{display:grid;font-size:.9rem}select,input,button{font:inherit;padding:.35rem .5rem}\
button{background:#7a2e0e;color:#fff;border:0;border-radius:.35rem;padding:.45rem 1rem;cursor:pointer}\
table{border-collapse:collapse;inline-size:100%}th,td{text-align:start;padding:.35rem .5rem;border-block-end:1px solid #e5e1dc;vertical-align:top}\
pre{white-space:pre-wrap;background:#fff4f0;padding:.75rem;border-radius:.35rem;overflow:auto}\
.muted{color:#59636e;font-size:.9rem}";

/// `GET /`: each module with a language, a learner name and a Play button, and its results.
pub(crate) async fn catalogue(State(app): State<Arc<App>>) -> Html<String> {
    let entries = app.entries.read().expect("entries lock");
    let mut body = String::from(
        "<h1>Modules</h1>\n<p class=\"muted\">Each module launches as a cmi5 AU; what the learner does goes to the \
         LRS built into this server and shows under Results. Editing a module's files relaunches open pages.</p>\n",
    );
    if entries.is_empty() {
        body += &format!(
            "<p>No modules in <code>{}</code>: add a folder with a <code>module.yaml</code> (<code>hearth new</code> makes one), \
             or a cmi5 zip from <code>hearth build</code>.</p>",
            esc(&app.config.dir.display().to_string())
        );
    }
    for e in entries.values() {
        body += &format!(
            "<section class=\"card\" data-module=\"{}\">\n<h2>{}</h2>\n",
            esc(&e.slug),
            esc(&e.title)
        );
        let kind = if e.source.is_dir() { "module folder" } else { "cmi5 package" };
        body += &format!(
            "<p class=\"muted\">{kind}: <code>{}</code></p>\n",
            esc(&e.source.display().to_string())
        );
        match &e.built {
            Ok(_) => {
                let options: String = e
                    .languages
                    .iter()
                    .map(|l| format!("<option value=\"{}\">{}</option>", esc(l), esc(Module::autonym(l))))
                    .collect();
                body += &format!(
                    "<form action=\"/launch/{slug}\" method=\"get\">\n\
                     <label>Language <select name=\"lang\">{options}</select></label>\n\
                     <label>Learner <input name=\"learner\" value=\"learner\" size=\"12\"></label>\n\
                     <button type=\"submit\">Play</button>\n<a href=\"/results/{slug}\">Results</a>\n</form>\n",
                    slug = url_encode(&e.slug),
                );
            }
            Err(err) => {
                body += &format!(
                    "<p><strong>This module cannot be played yet:</strong></p>\n<pre>{}</pre>\n",
                    esc(err)
                );
            }
        }
        body += "</section>\n";
    }
    Html(page("Hearth", &body))
}

fn lang_map(v: &Value) -> String {
    let Some(m) = v.as_object() else { return String::new() };
    m.get("en-US")
        .or_else(|| m.get("en"))
        .or_else(|| m.values().next())
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn verb(s: &Value) -> String {
    s["verb"]["id"].as_str().and_then(|v| v.rsplit('/').next()).unwrap_or("?").to_string()
}

fn choice_text(s: &Value) -> Option<String> {
    s["result"]["extensions"].get(CHOICE_TEXT).map(lang_map)
}

const CHOICE_TEXT: &str = "https://w3id.org/xapi/hearth/extensions/choice-text";

/// What one registration came to, from its statements.
struct Attempt {
    registration: String,
    learner: String,
    started: String,
    outcome: String,
    score: String,
    decisions: usize,
    answers: usize,
    /// How the latest session stands: `yes` (the AU sent `terminated`), `abandoned` (the LMS
    /// closed it when the learner launched again) or `not yet`.
    ended: &'static str,
}

fn summarise(registration: &str, stmts: &[Value]) -> Attempt {
    let first = stmts.first();
    let mut a = Attempt {
        registration: registration.to_string(),
        learner: first.and_then(|s| s["actor"]["name"].as_str()).unwrap_or("").to_string(),
        started: first
            .and_then(|s| s["timestamp"].as_str())
            .unwrap_or("")
            .chars()
            .take(19)
            .collect::<String>()
            .replace('T', " "),
        outcome: "in progress".into(),
        score: String::new(),
        decisions: 0,
        answers: 0,
        ended: "not yet",
    };
    // The latest session is the one the LMS launched last; what ended earlier ones does not end it.
    let latest = stmts.iter().rev().find(|s| verb(s) == "launched").and_then(|s| super::session_of(s));
    for s in stmts {
        match verb(s).as_str() {
            "passed" | "failed" => {
                a.outcome = verb(s);
                if let Some(x) = s["result"]["score"]["scaled"].as_f64() {
                    a.score = format!("{:.0} %", x * 100.0);
                }
            }
            "completed" if a.outcome == "in progress" => a.outcome = "completed".into(),
            // A decision is an answer that carries the choice's text (docs/xapi-profile.md).
            "answered" if choice_text(s).is_some() => a.decisions += 1,
            "answered" => a.answers += 1,
            "terminated" | "abandoned" if latest.is_none() || super::session_of(s) == latest => {
                a.ended = if verb(s) == "terminated" { "yes" } else { "abandoned" };
            }
            _ => {}
        }
    }
    a
}

/// `GET /results`: every module with its launches.
pub(crate) async fn results(State(app): State<Arc<App>>) -> Html<String> {
    let slugs: Vec<(String, String)> = app
        .entries
        .read()
        .expect("entries lock")
        .values()
        .map(|e| (e.slug.clone(), e.title.clone()))
        .collect();
    let mut body = String::from("<h1>Results</h1>\n");
    for (slug, title) in slugs {
        body += &format!(
            "<section class=\"card\"><h2><a href=\"/results/{}\">{}</a></h2>{}</section>\n",
            url_encode(&slug),
            esc(&title),
            attempts_table(&app, &slug).await
        );
    }
    Html(page("Results", &body))
}

/// `GET /results/<slug>`: one module's launches.
pub(crate) async fn module_results(
    State(app): State<Arc<App>>,
    UrlPath(slug): UrlPath<String>,
) -> Html<String> {
    let title = app.entry(&slug, |e| e.title.clone()).unwrap_or_else(|| slug.clone());
    let body = format!("<h1>Results: {}</h1>\n{}", esc(&title), attempts_table(&app, &slug).await);
    Html(page(&format!("Results: {title}"), &body))
}

async fn attempts_table(app: &App, slug: &str) -> String {
    let Some(Some(au)) = app.entry(slug, |e| e.built.as_ref().ok().map(|b| b.au.au_id.clone())) else {
        return "<p class=\"muted\">Not launchable.</p>".into();
    };
    let launched = format!(
        "verb={}&activity={}&ascending=true",
        url_encode("http://adlnet.gov/expapi/verbs/launched"),
        url_encode(&au)
    );
    let launches = match app.statements(&launched).await {
        Ok(l) => l,
        Err(e) => return format!("<pre>{}</pre>", esc(&format!("{e:#}"))),
    };
    if launches.is_empty() {
        return "<p class=\"muted\">No launches yet.</p>".into();
    }
    let mut rows = String::new();
    for l in launches.iter().rev() {
        let Some(reg) = l["context"]["registration"].as_str() else { continue };
        let stmts = app.statements(&format!("registration={reg}&ascending=true")).await.unwrap_or_default();
        let a = summarise(reg, &stmts);
        rows += &format!(
            "<tr data-registration=\"{r}\"><td>{}</td><td>{}</td><td data-outcome=\"{o}\">{o}</td><td>{}</td><td>{}</td><td>{}</td><td data-ended>{}</td>\
             <td><a href=\"/results/{s}/{r}\">statements</a> · <a href=\"/launch/{s}?registration={r}\">continue</a></td></tr>\n",
            esc(&a.started),
            esc(&a.learner),
            esc(&a.score),
            a.decisions,
            a.answers,
            a.ended,
            s = url_encode(slug),
            r = esc(&a.registration),
            o = esc(&a.outcome),
        );
    }
    format!(
        "<table>\n<thead><tr><th>Started (UTC)</th><th>Learner</th><th>Outcome</th><th>Score</th><th>Decisions</th>\
         <th>Answers</th><th>Session ended</th><th></th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n"
    )
}

/// `GET /results/<slug>/<registration>`: one attempt, statement by statement, readable.
pub(crate) async fn registration(
    State(app): State<Arc<App>>,
    UrlPath((slug, reg)): UrlPath<(String, String)>,
) -> Html<String> {
    let stmts = match app.statements(&format!("registration={}&ascending=true", url_encode(&reg))).await {
        Ok(s) => s,
        Err(e) => return Html(page("Results", &format!("<pre>{}</pre>", esc(&format!("{e:#}"))))),
    };
    let a = summarise(&reg, &stmts);
    let mut rows = String::new();
    for s in &stmts {
        let result = &s["result"];
        let mut what = Vec::new();
        if let Some(r) = result["response"].as_str() {
            what.push(format!("response: {r}"));
        }
        if let Some(t) = choice_text(s) {
            what.push(format!("chose: {t}"));
        }
        if let Some(x) = result["score"]["scaled"].as_f64() {
            what.push(format!("score {:.0} %", x * 100.0));
        }
        if let Some(ok) = result["success"].as_bool() {
            what.push(if ok { "success".into() } else { "not successful".into() });
        }
        if let Some(d) = result["duration"].as_str() {
            what.push(format!("duration {d}"));
        }
        rows += &format!(
            "<tr><td>{}</td><td data-verb=\"{v}\">{v}</td><td>{}</td><td>{}</td></tr>\n",
            esc(s["timestamp"].as_str().unwrap_or("").get(11..19).unwrap_or("")),
            esc(&lang_map(&s["object"]["definition"]["name"])),
            esc(&what.join("; ")),
            v = esc(&verb(s)),
        );
    }
    let counts: BTreeMap<String, usize> = stmts.iter().fold(BTreeMap::new(), |mut m, s| {
        *m.entry(verb(s)).or_default() += 1;
        m
    });
    let summary: Vec<String> = counts.iter().map(|(v, n)| format!("{v} ×{n}")).collect();
    let body = format!(
        "<h1>Attempt by {}</h1>\n<p>Outcome: <strong data-outcome=\"{o}\">{o}</strong> {}<br>\
         <span class=\"muted\">Registration {} · {} statements: {}</span></p>\n\
         <p><a href=\"/results/{}\">All attempts</a></p>\n\
         <table>\n<thead><tr><th>Time</th><th>Verb</th><th>Object</th><th>Result</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n",
        esc(&a.learner),
        esc(&a.score),
        esc(&reg),
        stmts.len(),
        esc(&summary.join(", ")),
        url_encode(&slug),
        o = esc(&a.outcome),
    );
    Html(page("Attempt", &body))
}
