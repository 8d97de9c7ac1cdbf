//! `hearth serve [DIR]`: the demo and the author's preview.
//!
//! A catalogue of the modules in DIR (module folders, and cmi5 zips built by `hearth build`).
//! Each launches as a cmi5 AU, with this server acting as a small cmi5 LMS against the embedded
//! LRS, which is mounted on the same origin at `/xapi/`:
//!
//! 1. `GET /launch/<slug>?lang=…` makes a registration and a session, writes `LMS.LaunchData`
//!    and the learner's `cmi5LearnerPreferences` (the language picked), records `launched`, and
//!    sends the browser to the AU with `endpoint`, `fetch`, `actor`, `registration`, `activityId`.
//! 2. The AU posts to its one-time fetch URL (`/fetch/<nonce>`) and gets a launch token from the
//!    LRS (bound to the learner and the registration), then reports straight to `/xapi/`.
//! 3. `/results` reads the LRS back: every launch, its outcome, and each statement; "Session
//!    ended" follows the registration's latest session (`yes`, `abandoned` or `not yet`).
//! 4. `GET /launch/<slug>?registration=<r>` ("continue" on the results page) launches again in
//!    that registration: a new session for the same learner, after recording every earlier
//!    session that never sent `terminated` as `abandoned` (cmi5 §9.3.9).
//!
//! A module folder is packaged in memory as the cmi5 zip `hearth build` would write, so what is
//! previewed is what ships. When a file of a module changes, its package is rebuilt and open AU
//! pages relaunch (they long-poll `/_hearth/changes`). The LRS talks to the LMS part in-process
//! through its router, with a credential kept in the data folder.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{Method, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use packaging::{Cmi5Au, Format, Package};
use serde_json::{Value, json};
use tower::ServiceExt;

mod assets;
mod pages;

/// What `hearth serve` is given.
pub(crate) struct Config {
    pub(crate) dir: PathBuf,
    pub(crate) listen: String,
    pub(crate) data: PathBuf,
    pub(crate) options: packaging::Options,
}

/// One launchable entry of the catalogue.
pub(crate) struct Entry {
    pub(crate) slug: String,
    pub(crate) source: PathBuf,
    /// Languages offered for preview (from the module, or the cmi5.xml titles of a zip).
    pub(crate) languages: Vec<String>,
    pub(crate) title: String,
    pub(crate) built: Result<Built, String>,
    fingerprint: u64,
}

pub(crate) struct Built {
    pub(crate) package: Package,
    pub(crate) au: Cmi5Au,
    /// The player's version: its files are at `/player/<version>/` (`serve/assets.rs`).
    pub(crate) player: String,
}

/// A launch this server made: kept so the AU page knows how to relaunch on a change.
#[derive(Clone)]
struct LaunchInfo {
    lang: String,
}

struct Pending {
    actor: Value,
    registration: String,
    activity: String,
}

pub(crate) struct App {
    config: Config,
    base: String,
    pub(crate) entries: RwLock<BTreeMap<String, Entry>>,
    changes: tokio::sync::watch::Sender<u64>,
    lrs: Router,
    auth: String,
    fetches: Mutex<HashMap<String, Option<Pending>>>,
    launches: Mutex<HashMap<String, LaunchInfo>>,
}

pub(crate) async fn run(config: Config) -> Result<()> {
    if !config.dir.is_dir() {
        bail!("{} is not a folder of modules", config.dir.display());
    }
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("cannot create {}", config.data.display()))?;
    let db = config.data.join("lrs.db");
    let store = lrs::store::SqlStore::open(&format!("sqlite:{}", db.display()), None).await?;
    let (key, secret) = credential(&store, &config.data).await?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr: SocketAddr = listener.local_addr()?;
    let base = format!("http://{addr}");
    let lrs = lrs::app(lrs::AppState::new(store));
    let auth = format!("Basic {}", base64(&format!("{key}:{secret}")));
    let app = Arc::new(App {
        config,
        base: base.clone(),
        entries: RwLock::default(),
        changes: tokio::sync::watch::channel(0).0,
        lrs: lrs.clone(),
        auth,
        fetches: Mutex::default(),
        launches: Mutex::default(),
    });
    let found = app.rescan();
    if !addr.ip().is_loopback() {
        eprintln!("warning: {addr} is reachable from other machines; the results pages have no login");
    }
    eprintln!(
        "\nHearth is at {base}/ ({found} module(s) from {}) — open it in a browser; Ctrl-C stops it.\n\
         The LRS: {base}/xapi/ (SQLite in {}); read it with\n  curl -u {key}:{secret} -H 'X-Experience-API-Version: 1.0.3' {base}/xapi/statements\n",
        app.config.dir.display(),
        db.display(),
    );
    let players = app.players();
    let watcher = app.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let w = watcher.clone();
            let _ = tokio::task::spawn_blocking(move || w.rescan()).await;
        }
    });
    let router = Router::new()
        .route("/", get(pages::catalogue))
        .route("/launch/{slug}", get(launch))
        .route("/fetch/{nonce}", post(fetch).options(preflight))
        .route("/au/hearth-sw.js", assets::service_worker())
        .route("/au/{slug}/{*path}", assets::compressed(get(au_file)))
        .route("/_hearth/changes", get(changes))
        .route("/results", get(pages::results))
        .route("/results/{slug}", get(pages::module_results))
        .route("/results/{slug}/{registration}", get(pages::registration))
        .nest("/player", assets::players(&players))
        .with_state(app)
        .merge(lrs);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// The server's own LRS credential (scope `all`), kept in the data folder so restarts reuse it.
async fn credential(store: &Arc<lrs::store::SqlStore>, data: &Path) -> Result<(String, String)> {
    use lrs::store::Store;
    let file = data.join("credential.json");
    if let Ok(text) = std::fs::read_to_string(&file) {
        let v: Value =
            serde_json::from_str(&text).with_context(|| format!("{} is damaged", file.display()))?;
        if let (Some(k), Some(s)) = (v["key"].as_str(), v["secret"].as_str())
            && store.credential(k).await?.is_some()
        {
            return Ok((k.to_string(), s.to_string()));
        }
    }
    let tenant = match store.tenant_id("local").await? {
        Some(t) => t,
        None => store.add_tenant("local").await?,
    };
    let (cred, secret) = lrs::auth::new_credential(tenant, &["all".to_string()]);
    store.add_credential(&cred).await?;
    let text = serde_json::to_string_pretty(&json!({ "key": cred.key, "secret": secret }))?;
    write_private(&file, &text)?;
    Ok((cred.key, secret))
}

fn write_private(file: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    o.open(file)?.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", file.display()))
}

fn base64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

impl App {
    /// Finds the entries in the folder, rebuilding those whose files changed. Returns how many.
    fn rescan(&self) -> usize {
        let mut found: Vec<(String, PathBuf, u64, bool)> = Vec::new();
        let Ok(dir) = std::fs::read_dir(&self.config.dir) else { return 0 };
        let mut paths: Vec<PathBuf> = dir.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.join("module.yaml").is_file() {
                let slug = p.file_name().and_then(|n| n.to_str()).unwrap_or("module").to_string();
                found.push((slug, p.clone(), fingerprint(&p), true));
            } else if p.extension().is_some_and(|e| e == "zip") {
                let slug = p.file_stem().and_then(|n| n.to_str()).unwrap_or("package").to_string();
                found.push((slug, p.clone(), fingerprint(&p), false));
            }
        }
        // Rebuild what changed without holding the lock (a module's check can take a second), so
        // pages keep being served from the entries as they were; then swap in one step.
        let unchanged = |slug: &str, fp: u64| {
            self.entries.read().expect("entries lock").get(slug).is_some_and(|e| e.fingerprint == fp)
        };
        let mut rebuilt = BTreeMap::new();
        for (slug, path, fp, folder) in &found {
            if unchanged(slug, *fp) {
                continue;
            }
            let mut e = if *folder { self.load_folder(slug, path, *fp) } else { from_zip(slug, path, *fp) };
            if let Ok(b) = &e.built
                && let Err(err) = assets::publish(&self.players(), &self.config.options.player, &b.package)
            {
                e.built = Err(format!("{err:#}"));
            }
            match &e.built {
                Err(err) => eprintln!("{slug}: {err}"),
                Ok(_) => eprintln!("{slug}: ready"),
            }
            rebuilt.insert(slug.clone(), e);
        }
        let mut entries = self.entries.write().expect("entries lock");
        let removed = entries.keys().any(|k| !found.iter().any(|(s, ..)| s == k));
        if rebuilt.is_empty() && !removed {
            return found.len();
        }
        let mut old = std::mem::take(&mut *entries);
        for (slug, ..) in &found {
            if let Some(e) = rebuilt.remove(slug).or_else(|| old.remove(slug)) {
                entries.insert(slug.clone(), e);
            }
        }
        drop(entries);
        self.changes.send_modify(|g| *g += 1);
        found.len()
    }

    fn load_folder(&self, slug: &str, path: &Path, fingerprint: u64) -> Entry {
        let mut entry = Entry {
            slug: slug.to_string(),
            source: path.to_path_buf(),
            languages: Vec::new(),
            title: slug.to_string(),
            built: Err(String::new()),
            fingerprint,
        };
        let loaded = match crate::check::load_path(path) {
            Ok(l) => l,
            Err(e) => {
                entry.built = Err(format!("{e:#}"));
                return entry;
            }
        };
        let errors: Vec<_> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == content::diag::Severity::Error)
            .cloned()
            .collect();
        if let Some(m) = &loaded.module {
            entry.title = m.text(&m.source_lang, &m.title).to_string();
            entry.languages = m.languages.clone();
        }
        entry.built = match (loaded.module, errors.is_empty()) {
            (Some(module), true) => packaging::build(&module, path, Format::Cmi5, &self.config.options)
                .map_err(|e| e.to_string())
                .and_then(built),
            _ => Err(loaded.sources.render(&errors, false)),
        };
        entry
    }

    /// Where each player version is written (`serve/assets.rs`).
    fn players(&self) -> PathBuf {
        self.config.data.join("player")
    }

    fn entry<T>(&self, slug: &str, f: impl FnOnce(&Entry) -> T) -> Option<T> {
        self.entries.read().expect("entries lock").get(slug).map(f)
    }

    /// A request to the embedded LRS, in-process, with the server's credential.
    pub(crate) async fn xapi(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(format!("/xapi/{path_and_query}"))
            .header(header::AUTHORIZATION, &self.auth)
            .header("x-experience-api-version", "1.0.3");
        let body = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        let resp = self.lrs.clone().oneshot(req.body(body)?).await?;
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 64 * 1024 * 1024).await?;
        if !status.is_success() {
            bail!(
                "the LRS answered {method} {path_and_query} with {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        Ok(if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes)? })
    }

    /// Every statement matching a query, following `more`.
    pub(crate) async fn statements(&self, query: &str) -> Result<Vec<Value>> {
        let mut page = self.xapi(Method::GET, &format!("statements?{query}"), None).await?;
        let mut all = Vec::new();
        loop {
            all.extend(page["statements"].as_array().cloned().unwrap_or_default());
            match page["more"].as_str().filter(|m| !m.is_empty()) {
                Some(more) => {
                    let rest = more.trim_start_matches("/xapi/").to_string();
                    page = self.xapi(Method::GET, &rest, None).await?;
                }
                None => return Ok(all),
            }
        }
    }

    /// The learner launches are made for: one local learner, or a name given on the catalogue.
    fn actor(&self, name: &str) -> Value {
        json!({ "objectType": "Agent", "name": name, "account": { "homePage": self.base, "name": name } })
    }
}

fn built(package: Package) -> Result<Built, String> {
    let xml =
        package.files.get("cmi5.xml").ok_or("the package has no cmi5.xml; only cmi5 packages launch here")?;
    let au = Cmi5Au::parse(&String::from_utf8_lossy(xml)).map_err(|e| e.to_string())?;
    if !package.files.contains_key(&au.url) {
        return Err(format!("the AU's url `{}` is not in the package", au.url));
    }
    Ok(Built { player: package.player_version(), package, au })
}

fn from_zip(slug: &str, path: &Path, fingerprint: u64) -> Entry {
    let built = std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|b| Package::from_zip(&b).map_err(|e| e.to_string()))
        .and_then(built);
    let (title, languages) = match &built {
        Ok(b) => (
            b.au.titles.first().map_or_else(|| slug.to_string(), |t| t.1.clone()),
            b.au.titles.iter().map(|t| t.0.clone()).collect(),
        ),
        Err(_) => (slug.to_string(), Vec::new()),
    };
    Entry { slug: slug.to_string(), source: path.to_path_buf(), languages, title, built, fingerprint }
}

/// Sizes and modification times of every file under `path` (or of the file), hashed.
fn fingerprint(path: &Path) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    fn walk(p: &Path, h: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        if let Ok(meta) = std::fs::metadata(p) {
            p.hash(h);
            meta.len().hash(h);
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH).hash(h);
            if meta.is_dir()
                && let Ok(rd) = std::fs::read_dir(p)
            {
                let mut kids: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
                kids.sort();
                for k in kids {
                    walk(&k, h);
                }
            }
        }
    }
    walk(path, &mut h);
    std::hash::Hasher::finish(&h)
}

fn error_page(status: StatusCode, message: &str) -> Response {
    (
        status,
        Html(pages::page(
            "Hearth",
            &format!("<p>{}</p><p><a href=\"/\">Back to the modules</a></p>", pages::esc(message)),
        )),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct LaunchQuery {
    lang: Option<String>,
    learner: Option<String>,
    /// A fixed seed for question draws and shuffles (reviews, tests).
    seed: Option<u64>,
    /// Launch again in this registration (the learner's attempt goes on, in a new session).
    registration: Option<String>,
}

/// The LMS's part of a cmi5 launch (cmi5 §8, §10, §11).
async fn launch(
    State(app): State<Arc<App>>,
    UrlPath(slug): UrlPath<String>,
    Query(q): Query<LaunchQuery>,
) -> Response {
    let Some(Some((au, languages))) =
        app.entry(&slug, |e| e.built.as_ref().ok().map(|b| (b.au.clone(), e.languages.clone())))
    else {
        return error_page(StatusCode::NOT_FOUND, &format!("There is no launchable module `{slug}` here."));
    };
    let lang =
        q.lang.filter(|l| languages.contains(l)).or_else(|| languages.first().cloned()).unwrap_or_default();
    let learner =
        q.learner.map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).unwrap_or_else(|| "learner".into());
    let again = match q.registration.filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => match relaunch(&app, &au, &r).await {
            Ok(Some(actor)) => Some((r.to_ascii_lowercase(), actor)),
            Ok(None) => {
                return error_page(
                    StatusCode::NOT_FOUND,
                    &format!("There is no launch of `{slug}` in registration {r} to continue."),
                );
            }
            Err(e) => {
                return error_page(StatusCode::INTERNAL_SERVER_ERROR, &format!("The launch failed: {e:#}"));
            }
        },
    };
    let (registration, actor) = again.unwrap_or_else(|| (lrs::uuid_v4(), app.actor(&learner)));
    match do_launch(&app, &slug, &au, &lang, &registration, &actor).await {
        Ok(url) => match q.seed {
            Some(seed) => Redirect::to(&format!("{url}&seed={seed}")).into_response(),
            None => Redirect::to(&url).into_response(),
        },
        Err(e) => error_page(StatusCode::INTERNAL_SERVER_ERROR, &format!("The launch failed: {e:#}")),
    }
}

/// Before launching again in `registration` (cmi5 §10: a new session of the same attempt): the
/// learner it belongs to, from its `launched` statements, or `None` when it is not a launch of
/// this AU. Every earlier session that never sent `terminated` is recorded as `abandoned` (cmi5
/// §9.3.9: the LMS's statement, with the session's duration as far as the LMS saw it).
async fn relaunch(app: &App, au: &Cmi5Au, registration: &str) -> Result<Option<Value>> {
    if !is_uuid(registration) {
        return Ok(None);
    }
    let stmts = app.statements(&format!("registration={}&ascending=true", url_encode(registration))).await?;
    let launched: Vec<&Value> = stmts
        .iter()
        .filter(|s| s["verb"]["id"] == LAUNCHED && s["object"]["id"].as_str() == Some(au.au_id.as_str()))
        .collect();
    let Some(first) = launched.first() else { return Ok(None) };
    let actor = first["actor"].clone();
    for session in sessions_to_abandon(&stmts) {
        let start = launched.iter().find(|l| session_of(l) == Some(session.as_str()));
        let ms = |s: &Value| s["timestamp"].as_str().and_then(timestamp_ms);
        let from = start.and_then(|l| ms(l));
        let to = stmts.iter().filter(|s| session_of(s) == Some(session.as_str())).filter_map(ms).max();
        let duration = match (from, to) {
            (Some(a), Some(b)) if b > a => b - a,
            _ => 0,
        };
        let abandoned = json!({
            "actor": actor,
            "verb": { "id": ABANDONED, "display": { "en-US": "abandoned" } },
            "object": { "objectType": "Activity", "id": au.au_id },
            "result": { "duration": iso_duration(duration) },
            "context": {
                "registration": registration.to_ascii_lowercase(),
                "contextActivities": {
                    "grouping": [{ "objectType": "Activity", "id": au.course_id }],
                    "category": [{ "objectType": "Activity", "id": CMI5_CATEGORY }],
                },
                "extensions": { SESSION_ID: session },
            },
        });
        app.xapi(Method::POST, "statements", Some(abandoned)).await?;
    }
    Ok(Some(actor))
}

/// The sessions of a registration that were launched and neither `terminated` nor `abandoned`.
pub(crate) fn sessions_to_abandon(stmts: &[Value]) -> Vec<String> {
    let mut open: Vec<String> = Vec::new();
    for s in stmts {
        let Some(session) = session_of(s) else { continue };
        match s["verb"]["id"].as_str() {
            Some(LAUNCHED) if !open.iter().any(|o| o == session) => open.push(session.to_string()),
            Some(TERMINATED | ABANDONED) => open.retain(|o| o != session),
            _ => {}
        }
    }
    // A session whose end arrived before its launch (stored out of order) is closed too.
    open.retain(|o| {
        !stmts.iter().any(|s| {
            session_of(s) == Some(o.as_str())
                && matches!(s["verb"]["id"].as_str(), Some(TERMINATED | ABANDONED))
        })
    });
    open
}

/// A statement's cmi5 session id.
pub(crate) fn session_of(s: &Value) -> Option<&str> {
    s["context"]["extensions"][SESSION_ID].as_str()
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices()
            .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() })
}

/// An RFC 3339 timestamp as Unix milliseconds.
fn timestamp_ms(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// Milliseconds as an ISO 8601 duration, to the hundredth of a second (`PT1H2M3.45S`).
fn iso_duration(ms: i64) -> String {
    let (h, m, cs) = (ms / 3_600_000, ms / 60_000 % 60, ms % 60_000 / 10);
    let mut out = String::from("PT");
    if h > 0 {
        out += &format!("{h}H");
    }
    if m > 0 {
        out += &format!("{m}M");
    }
    out += &format!("{}.{:02}S", cs / 100, cs % 100);
    out
}

pub(crate) const LAUNCHED: &str = "http://adlnet.gov/expapi/verbs/launched";
pub(crate) const TERMINATED: &str = "http://adlnet.gov/expapi/verbs/terminated";
pub(crate) const ABANDONED: &str = "https://w3id.org/xapi/adl/verbs/abandoned";
const CMI5_CATEGORY: &str = "https://w3id.org/xapi/cmi5/context/categories/cmi5";

async fn do_launch(
    app: &App,
    slug: &str,
    au: &Cmi5Au,
    lang: &str,
    registration: &str,
    actor: &Value,
) -> Result<String> {
    let session = lrs::uuid_v4();
    let agent = actor.to_string();
    let enc = |s: &str| url_encode(s);
    let launch_data = json!({
        "contextTemplate": {
            "contextActivities": { "grouping": [{ "objectType": "Activity", "id": au.course_id }] },
            "extensions": { SESSION_ID: session },
        },
        "launchMode": "Normal",
        "moveOn": au.move_on,
        "masteryScore": au.mastery_score,
        "returnURL": format!("{}/results/{slug}/{registration}", app.base),
    });
    let mut launch_data = launch_data;
    if au.mastery_score.is_none() {
        launch_data.as_object_mut().expect("an object").remove("masteryScore");
    }
    let state = format!(
        "activities/state?activityId={}&agent={}&registration={registration}&stateId=LMS.LaunchData",
        enc(&au.au_id),
        enc(&agent)
    );
    app.xapi(Method::PUT, &state, Some(launch_data)).await?;
    let prefs = format!("agents/profile?agent={}&profileId=cmi5LearnerPreferences", enc(&agent));
    // POST merges: a PUT over the learner's existing preferences would need their ETag.
    app.xapi(Method::POST, &prefs, Some(json!({ "languagePreference": lang, "audioPreference": "on" })))
        .await?;
    let au_url = format!("{}/au/{slug}/{}", app.base, au.url);
    // The LMS records the launch (cmi5 §9.3.1 "launched" is the LMS's statement).
    let launched = json!({
        "actor": actor,
        "verb": { "id": LAUNCHED, "display": { "en-US": "launched" } },
        "object": { "objectType": "Activity", "id": au.au_id,
                    "definition": { "name": au.titles.iter().map(|(l, t)| (l.clone(), json!(t))).collect::<serde_json::Map<_, _>>() } },
        "context": {
            "registration": registration,
            "contextActivities": {
                "grouping": [{ "objectType": "Activity", "id": au.course_id }],
                "category": [{ "objectType": "Activity", "id": CMI5_CATEGORY }],
            },
            "extensions": {
                SESSION_ID: session,
                "https://w3id.org/xapi/cmi5/context/extensions/launchmode": "Normal",
                "https://w3id.org/xapi/cmi5/context/extensions/launchurl": au_url,
                "https://w3id.org/xapi/cmi5/context/extensions/moveon": au.move_on,
            },
        },
    });
    app.xapi(Method::POST, "statements", Some(launched)).await?;
    let nonce = lrs::auth::random_hex(16);
    app.fetches.lock().expect("fetch lock").insert(
        nonce.clone(),
        Some(Pending {
            actor: actor.clone(),
            registration: registration.to_string(),
            activity: au.au_id.clone(),
        }),
    );
    app.launches
        .lock()
        .expect("launch lock")
        .insert(registration.to_string(), LaunchInfo { lang: lang.to_string() });
    Ok(format!(
        "{au_url}?endpoint={}&fetch={}&actor={}&registration={registration}&activityId={}",
        enc(&format!("{}/xapi/", app.base)),
        enc(&format!("{}/fetch/{nonce}", app.base)),
        enc(&agent),
        enc(&au.au_id),
    ))
}

/// cmi5's session id context extension.
const SESSION_ID: &str = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";

/// Percent-encodes everything but the unreserved characters (RFC 3986 §2.3).
pub(crate) fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn preflight() -> Response {
    ([(header::ACCESS_CONTROL_ALLOW_METHODS, "POST")], StatusCode::NO_CONTENT).into_response()
}

/// The fetch URL: one launch token, once (cmi5 §8.2; a second request gets error 1).
async fn fetch(State(app): State<Arc<App>>, UrlPath(nonce): UrlPath<String>) -> Response {
    let pending = match app.fetches.lock().expect("fetch lock").get_mut(&nonce) {
        None => {
            return axum::Json(json!({ "error-code": "3", "error-text": "unknown fetch URL" }))
                .into_response();
        }
        Some(slot) => slot.take(),
    };
    let Some(p) = pending else {
        return axum::Json(json!({ "error-code": "1", "error-text": "this fetch URL was already used" }))
            .into_response();
    };
    let body = json!({ "actor": p.actor, "registration": p.registration, "activityId": p.activity });
    match app.xapi(Method::POST, "launch-token", Some(body)).await {
        Ok(t) => axum::Json(json!({ "auth-token": t["auth-token"] })).into_response(),
        Err(e) => axum::Json(json!({ "error-code": "2", "error-text": format!("{e:#}") })).into_response(),
    }
}

#[derive(serde::Deserialize)]
struct AuQuery {
    registration: Option<String>,
}

/// A file of a package. The AU's page gets a small script that relaunches it when the module
/// changes on disk (module folders only: a zip is what it is).
async fn au_file(
    State(app): State<Arc<App>>,
    UrlPath((slug, path)): UrlPath<(String, String)>,
    Query(q): Query<AuQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let found = app.entry(&slug, |e| {
        let b = e.built.as_ref().ok()?;
        let catalogs: Vec<String> = b
            .package
            .files
            .keys()
            .filter_map(|k| k.strip_prefix("player/i18n/")?.strip_suffix(".txt"))
            .map(String::from)
            .collect();
        Some((
            b.package.files.get(&path)?.clone(),
            b.au.url == path,
            e.source.is_dir(),
            b.player.clone(),
            catalogs,
        ))
    });
    let Some(Some((mut bytes, is_launch_page, preview, player, catalogs))) = found else {
        return error_page(StatusCode::NOT_FOUND, &format!("{slug}/{path} is not in the package"));
    };
    let info = q.registration.and_then(|r| app.launches.lock().expect("launch lock").get(&r).cloned());
    let lang = info.map(|i| i.lang).unwrap_or_default();
    if is_launch_page {
        let catalog = catalogs.iter().find(|c| **c == lang).map(String::as_str);
        bytes = assets::launch_page(&String::from_utf8_lossy(&bytes), &player, catalog).into_bytes();
    }
    if is_launch_page && preview {
        let generation = *app.changes.borrow();
        let script = format!(
            "<script type=\"module\">\n// hearth serve: relaunch when the module changes on disk (polled after load, so\n\
             // that the page's load event does not wait for it).\n\
             addEventListener('load', async () => {{\n  for (;;) {{\n    try {{\n      \
             const r = await fetch('/_hearth/changes?since={generation}');\n      \
             if (r.ok && (await r.text()) !== '{generation}') {{ location.href = '/launch/{}?lang={}'; return; }}\n    \
             }} catch {{ await new Promise((r) => setTimeout(r, 2000)); }}\n  }}\n}});\n</script>\n</body>",
            url_encode(&slug),
            url_encode(&lang),
        );
        bytes = String::from_utf8_lossy(&bytes).replacen("</body>", &script, 1).into_bytes();
    }
    assets::package_file(&headers, &path, bytes)
}

pub(crate) fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "xml" => "application/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "vtt" => "text/vtt",
        _ => "application/octet-stream",
    }
}

#[derive(serde::Deserialize)]
struct ChangesQuery {
    since: Option<u64>,
}

/// Long poll: answers with the change counter once it differs from `since` (or after 25 s).
async fn changes(State(app): State<Arc<App>>, Query(q): Query<ChangesQuery>) -> String {
    let mut rx = app.changes.subscribe();
    let since = q.since.unwrap_or(0);
    let _ = tokio::time::timeout(Duration::from_secs(25), rx.wait_for(|g| *g != since)).await;
    let g = *rx.borrow();
    g.to_string()
}

#[cfg(test)]
mod session_tests {
    use super::*;

    fn s(verb: &str, session: &str) -> Value {
        json!({ "verb": { "id": verb }, "context": { "extensions": { SESSION_ID: session } } })
    }

    #[test]
    fn only_sessions_left_open_are_abandoned() {
        let answered = "http://adlnet.gov/expapi/verbs/answered";
        let stmts = [
            s(LAUNCHED, "a"),
            s(answered, "a"),
            s(TERMINATED, "a"),
            s(LAUNCHED, "b"),
            s(answered, "b"),
            s(LAUNCHED, "c"),
            s(ABANDONED, "c"),
            // Stored out of order: d's end arrived before its launch.
            s(TERMINATED, "d"),
            s(LAUNCHED, "d"),
            s(LAUNCHED, "e"),
        ];
        assert_eq!(sessions_to_abandon(&stmts), ["b", "e"]);
    }

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(iso_duration(0), "PT0.00S");
        assert_eq!(iso_duration(3_723_450), "PT1H2M3.45S");
        assert_eq!(timestamp_ms("1970-01-01T00:00:01.500Z"), Some(1500));
        assert_eq!(timestamp_ms("nope"), None);
        assert!(is_uuid("0b8f6a4e-3c47-4f54-9a0f-52c4a1d2e7b1") && !is_uuid("0b8f6a4e"));
    }
}
