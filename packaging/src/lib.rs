//! Packages: one compiled module becomes a SCORM 1.2, SCORM 2004 4th edition, cmi5, xAPI
//! (`tincan.xml`) or plain-embed zip.
//!
//! [`build`] is a pure function of its inputs (the module, the files it names, the player build,
//! the options): it returns a [`Package`], a sorted map of paths to bytes, and [`Package::zip`]
//! writes it with fixed timestamps and permissions, so the same input gives a byte-identical zip.
//! Nothing touches the output folder until every package has been built (the CLI's job), so a
//! failure leaves no partial output.
//!
//! Every package has the same shape:
//!
//! ```text
//! index.html                 the launch page: <hearth-player format="…">
//! player/…                   the player build (the LMS build for scorm12/scorm2004/cmi5/xapi)
//! module/<id>.bin            the compiled module, every language
//! module/<id>/<media>        its media, at the paths the module names
//! imsmanifest.xml | cmi5.xml | tincan.xml | embed.html (+ hearth-sw.js, the plain embed's
//!                            service worker)
//! ```
//!
//! The launch page names the player as `player/…?v=<hash of the player files>`
//! ([`Package::player_version`]) and preloads it and the module, so that the browser fetches them
//! in parallel and caches may keep a player file for as long as its URL names it.
//!
//! No package carries an LRS secret: SCORM packages report through the LMS's SCORM API (and, built
//! with [`Options::lrs`], also to an LRS with a token got for a public package key); cmi5 and xAPI
//! packages get their endpoint and credentials from the LMS at launch time.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use content::model::Module;

mod manifest;
pub mod zipfile;

pub use manifest::Cmi5Au;

/// The package formats `hearth build --format` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// SCORM 1.2, single SCO (`imsmanifest.xml`).
    Scorm12,
    /// SCORM 2004 4th edition, single SCO, no sequencing (`imsmanifest.xml`).
    Scorm2004,
    /// cmi5, one AU (`cmi5.xml`).
    Cmi5,
    /// xAPI launch (`tincan.xml`), for launch links such as Moodle's `mod_tincanlaunch`.
    Xapi,
    /// A plain folder for any web page: `index.html`, with iframe and element snippets.
    Html,
}

impl Format {
    /// Every format, in the order `--format all` builds them.
    pub const ALL: [Format; 5] =
        [Format::Scorm12, Format::Scorm2004, Format::Cmi5, Format::Xapi, Format::Html];

    /// The name used on the command line, in file names and as the player's `format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Scorm12 => "scorm12",
            Format::Scorm2004 => "scorm2004",
            Format::Cmi5 => "cmi5",
            Format::Xapi => "xapi",
            Format::Html => "html",
        }
    }

    /// Whether the package needs the player build with the LMS transports.
    fn lms(self) -> bool {
        self != Format::Html
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format, Error> {
        Format::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| Error::UnknownFormat(s.to_string()))
    }
}

/// What can stop a package from being built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown format `{0}` (known: scorm12, scorm2004, cmi5, xapi, html, all)")]
    UnknownFormat(String),
    #[error(
        "the player build is missing: {0} does not exist (run `cargo xtask player`, or pass --player DIR)"
    )]
    PlayerMissing(PathBuf),
    #[error("the media file `{path}` of `{module}` cannot be read: {source}")]
    Media { module: String, path: String, source: std::io::Error },
    #[error("the media path `{path}` of `{module}` leaves the module folder")]
    Escapes { module: String, path: String },
    #[error("the media file `{path}` of `{module}` is a symbolic link; packages carry only regular files")]
    Symlink { module: String, path: String },
    #[error(
        "`{0}` is not an absolute IRI for activity ids (for example https://courses.example.org/hearth/)"
    )]
    BadIri(String),
    #[error(
        "--lrs `{0}` is not an http(s) URL of an xAPI endpoint (for example https://lrs.example.org/xapi/)"
    )]
    BadLrs(String),
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the zip is not a Hearth package: {0}")]
    BadZip(String),
}

/// How to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder holding the two player builds, `player/` (embed) and `player-lms/` (`dist/` after
    /// `cargo xtask player`).
    pub player: PathBuf,
    /// Activity ids are `<iri_base><module id>`: the course in cmi5 and tincan.xml, and the
    /// activity the statements are about. Partners set their own (a URL they control); the
    /// default is a URN so that nothing claims a domain.
    pub iri_base: String,
    /// SCORM packages that also report xAPI to a Hearth LRS, with a package key.
    pub lrs: Option<PackageLrs>,
}

impl Default for Options {
    fn default() -> Options {
        Options { player: PathBuf::from("dist"), iri_base: DEFAULT_IRI_BASE.to_string(), lrs: None }
    }
}

/// Where a SCORM package sends xAPI statements besides the SCORM API: a Hearth LRS, which gives
/// the package a short-lived launch token for its **package key** (public by design: see
/// docs/lrs.md, "Package keys"). No secret goes into the package.
#[derive(Debug, Clone)]
pub struct PackageLrs {
    /// The xAPI endpoint, `https://lrs.example.org/xapi/`.
    pub endpoint: String,
    /// The package key (`hearth lrs credential add --scope package …`).
    pub key: String,
    /// The LMS's address: learners are `account { homePage, name: SCORM learner id }`.
    pub home_page: String,
}

/// The activity-id prefix when the author names none.
pub const DEFAULT_IRI_BASE: &str = "urn:hearth:module:";

/// The player files every package carries, from the build folder.
const PLAYER_FILES: [&str; 4] =
    ["hearth-player.js", "hearth-player_bg.wasm", "hearth-player.css", "hearth-element.js"];

/// Hearth's service worker (`widgets/web/hearth-sw.js`): the plain embed carries it beside its
/// launch page, and `hearth serve` serves it at `/au/hearth-sw.js`.
pub const SERVICE_WORKER: &str = include_str!("../../widgets/web/hearth-sw.js");

/// A package's files: path inside the zip → bytes, sorted (so zips are reproducible).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Package {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Package {
    /// The zip: entries in path order, every timestamp 1980-01-01, mode 0644, deflated.
    pub fn zip(&self) -> Vec<u8> {
        zipfile::write(&self.files)
    }

    /// Reads a zip written by [`Package::zip`] (or any zip without unsafe paths).
    pub fn from_zip(bytes: &[u8]) -> Result<Package, Error> {
        zipfile::read(bytes).map(|files| Package { files })
    }

    /// A hash of the player's files (`player/…`, catalogs included): 16 hex digits, the same on
    /// every machine (64-bit FNV-1a over each path and its bytes, in path order).
    pub fn player_version(&self) -> String {
        player_version(self.files.iter().filter(|(p, _)| p.starts_with("player/")))
    }

    /// One path per line, for listings and golden files.
    pub fn listing(&self) -> String {
        self.files.keys().map(|p| format!("{p}\n")).collect()
    }
}

/// The activity id of a module: `<iri_base><id>`.
pub fn activity_id(options: &Options, module: &Module) -> Result<String, Error> {
    let base = &options.iri_base;
    let scheme_ok = base.split_once(':').is_some_and(|(s, rest)| {
        !s.is_empty()
            && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !rest.is_empty()
    });
    if !scheme_ok || base.chars().any(|c| c.is_whitespace() || "<>\"{}|\\^`".contains(c)) {
        return Err(Error::BadIri(base.clone()));
    }
    Ok(format!("{base}{}", module.id))
}

/// Builds one package. `module_dir` is the folder the module was loaded from (for its media).
pub fn build(
    module: &Module,
    module_dir: &Path,
    format: Format,
    options: &Options,
) -> Result<Package, Error> {
    let activity = activity_id(options, module)?;
    let mut files = BTreeMap::new();
    let player = options.player.join(if format.lms() { "player-lms" } else { "player" });
    for f in PLAYER_FILES {
        let path = player.join(f);
        if !path.is_file() {
            return Err(Error::PlayerMissing(path));
        }
        let bytes = std::fs::read(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
        files.insert(format!("player/{f}"), bytes);
    }
    for (name, bytes) in catalogs(module, &player.join("i18n"))? {
        files.insert(format!("player/i18n/{name}"), bytes);
    }
    let version = player_version(files.iter());
    files.insert(format!("module/{}.bin", module.id), content::compiled_binary(module));
    for (path, bytes) in media(module, module_dir)? {
        files.insert(format!("module/{}/{path}", module.id), bytes);
    }
    let lrs = match (&options.lrs, format) {
        (Some(l), Format::Scorm12 | Format::Scorm2004) => Some(lrs_config(l, &activity)?),
        _ => None,
    };
    files.insert("index.html".into(), launch_page(module, format, lrs.as_deref(), &version).into_bytes());
    match format {
        Format::Scorm12 | Format::Scorm2004 => {
            let listed: Vec<&str> = files.keys().map(String::as_str).collect();
            let xml = manifest::scorm(module, format == Format::Scorm2004, &listed);
            files.insert("imsmanifest.xml".into(), xml.into_bytes());
        }
        Format::Cmi5 => {
            files.insert("cmi5.xml".into(), manifest::cmi5(module, &activity).into_bytes());
        }
        Format::Xapi => {
            files.insert("tincan.xml".into(), manifest::tincan(module, &activity).into_bytes());
        }
        Format::Html => {
            files.insert("embed.html".into(), embed_page(module).into_bytes());
            files.insert("hearth-sw.js".into(), SERVICE_WORKER.as_bytes().to_vec());
        }
    }
    Ok(Package { files })
}

fn player_version<'a>(files: impl Iterator<Item = (&'a String, &'a Vec<u8>)>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (path, bytes) in files {
        eat(path.as_bytes());
        eat(&(bytes.len() as u64).to_le_bytes());
        eat(bytes);
    }
    format!("{h:016x}")
}

/// The player's catalogs for the module's languages (`<lang>.txt`; English is in the player).
/// The player reads the catalog of a language or of its base language (`fa-AF` → `fa`, `zh` →
/// `zh-Hans`), so every catalog sharing a module language's base goes in.
fn catalogs(module: &Module, dir: &Path) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let base = |l: &str| l.split('-').next().unwrap_or(l).to_ascii_lowercase();
    let wanted: Vec<String> = module.languages.iter().map(|l| base(l)).collect();
    let listing = std::fs::read_dir(dir).map_err(|_| Error::PlayerMissing(dir.to_path_buf()))?;
    let mut out = Vec::new();
    for entry in listing {
        let path = entry.map_err(|source| Error::Io { path: dir.to_path_buf(), source })?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(String::from) else { continue };
        let Some(lang) = name.strip_suffix(".txt") else { continue };
        if wanted.contains(&base(lang)) {
            let bytes = std::fs::read(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
            out.push((name, bytes));
        }
    }
    Ok(out)
}

/// The media files a module names, read from its folder. Paths were checked when the module was
/// loaded; they are checked again here because the folder may have changed since, and a package
/// must never carry a file from outside it.
fn media(module: &Module, dir: &Path) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let root = dir.canonicalize().map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
    let mut out = BTreeMap::new();
    for path in module.files() {
        let err = |kind: fn(String, String) -> Error| kind(module.id.clone(), path.clone());
        if path.starts_with('/')
            || path.contains(':')
            || path.split(['/', '\\']).any(|s| s == ".." || s.is_empty())
        {
            return Err(err(|module, path| Error::Escapes { module, path }));
        }
        let file = dir.join(path);
        let meta = std::fs::symlink_metadata(&file).map_err(|source| Error::Media {
            module: module.id.clone(),
            path: path.clone(),
            source,
        })?;
        if meta.file_type().is_symlink() {
            return Err(err(|module, path| Error::Symlink { module, path }));
        }
        // A folder on the way may itself be a link out of the module.
        let real = file.canonicalize().map_err(|source| Error::Media {
            module: module.id.clone(),
            path: path.clone(),
            source,
        })?;
        if !real.starts_with(&root) {
            return Err(err(|module, path| Error::Escapes { module, path }));
        }
        let mut bytes = Vec::new();
        std::fs::File::open(&real)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|source| Error::Media { module: module.id.clone(), path: path.clone(), source })?;
        out.insert(path.clone(), bytes);
    }
    Ok(out)
}

/// HTML-escapes text for element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// The page an LMS opens. The player reads its launch parameters (cmi5, xAPI launch link) from
/// the page's URL, and finds the SCORM API itself; the page only names the format.
/// The JSON the player reads from `<script id="hearth-lrs">` (`lms_bridge::web::PackageLrs`).
fn lrs_config(l: &PackageLrs, activity: &str) -> Result<String, Error> {
    let url_ok =
        |u: &str| (u.starts_with("https://") || u.starts_with("http://")) && !u.contains(char::is_whitespace);
    if !url_ok(&l.endpoint) {
        return Err(Error::BadLrs(l.endpoint.clone()));
    }
    if !url_ok(&l.home_page) {
        return Err(Error::BadLrs(l.home_page.clone()));
    }
    let endpoint = if l.endpoint.ends_with('/') { l.endpoint.clone() } else { format!("{}/", l.endpoint) };
    let json =
        serde_json::json!({ "endpoint": endpoint, "key": l.key, "home": l.home_page, "activity": activity });
    // Inside <script>, `</` would end the element.
    Ok(json.to_string().replace("</", "<\\/"))
}

/// The page around the player. It is the player's `<main>` landmark, and its background is the
/// player's own (`--h-bg` in player.css, light and dark), so no band of another colour shows
/// below a short screen.
///
/// It preloads the player's glue, its wasm and the module, which the browser would otherwise
/// find one after the other (element → glue → wasm → module): on a phone with 150 ms of latency
/// that is three round trips saved. The wasm and module preloads are `crossorigin` fetches, as
/// the player's own `fetch`es are, so the browser uses them. The plain embed registers its
/// service worker once the page has loaded.
fn launch_page(module: &Module, format: Format, lrs: Option<&str>, version: &str) -> String {
    let lang = &module.source_lang;
    let dir = if Module::is_rtl(lang) { "rtl" } else { "ltr" };
    let title = esc(module.text(lang, &module.title));
    let attr = if format == Format::Html { String::new() } else { format!(" format=\"{format}\"") };
    let lrs = lrs.map_or_else(String::new, |j| {
        format!("<script type=\"application/json\" id=\"hearth-lrs\">{j}</script>\n")
    });
    let worker = if format == Format::Html { register_worker("hearth-sw.js", None) } else { String::new() };
    // The partner's theme after the player's stylesheet and the page's colours, so it wins.
    let theme = module.theme.as_ref().map_or_else(String::new, |t| {
        format!("<link rel=\"stylesheet\" href=\"module/{}/{}\">\n", esc(&module.id), esc(t))
    });
    format!(
        "<!doctype html>\n<html lang=\"{lang}\" dir=\"{dir}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"Hearth\">\n<title>{title}</title>\n<link rel=\"icon\" href=\"data:,\">\n\
         <link rel=\"stylesheet\" href=\"player/hearth-player.css?v={version}\">\n\
         <link rel=\"modulepreload\" href=\"player/hearth-element.js?v={version}\">\n\
         <link rel=\"modulepreload\" href=\"player/hearth-player.js?v={version}\">\n\
         <link rel=\"preload\" href=\"player/hearth-player_bg.wasm?v={version}\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n\
         <link rel=\"preload\" href=\"module/{id}.bin\" as=\"fetch\" crossorigin>\n\
         <style>html, body {{ margin: 0; }} html {{ color-scheme: light dark; background: #fff; }} \
         @media (prefers-color-scheme: dark) {{ html {{ background: #16161a; }} }}</style>\n{theme}</head>\n<body>\n\
         <main><hearth-player src=\"module/{id}.bin\"{attr}></hearth-player></main>\n{lrs}\
         <noscript><p>{title}: this module needs JavaScript and a browser from the last few years.</p></noscript>\n\
         <script type=\"module\">\n\
         // `?lang=` and `?seed=` on the launch URL: a language to start in, a fixed draw for reviewers.\n\
         const q = new URLSearchParams(location.search);\n\
         const p = document.querySelector('hearth-player');\n\
         for (const k of ['lang', 'seed']) if (q.get(k)) p.setAttribute(k, q.get(k));\n\
         </script>\n\
         <script type=\"module\" src=\"player/hearth-element.js?v={version}\"></script>\n{worker}</body>\n</html>\n",
        id = esc(&module.id),
    )
}

/// The script that registers Hearth's service worker after the page has loaded, and then hands it
/// what this first, uncontrolled load fetched (see `widgets/web/hearth-sw.js`). `hearth serve`
/// uses it too, with its own worker URL and scope.
pub fn register_worker(url: &str, scope: Option<&str>) -> String {
    let scope = scope.map_or_else(String::new, |s| format!(", {{ scope: '{s}' }}"));
    format!(
        "<script type=\"module\">\n\
         // A second launch and an offline reload from the browser's cache (hearth-sw.js).\n\
         if ('serviceWorker' in navigator) addEventListener('load', async () => {{\n  \
         try {{\n    \
         await navigator.serviceWorker.register('{url}'{scope});\n    \
         const {{ active }} = await navigator.serviceWorker.ready;\n    \
         active?.postMessage({{ cache: [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)] }});\n  \
         }} catch {{}}\n}});\n</script>\n"
    )
}

/// The plain embed's guide page: the two ways to put the module on a web page.
fn embed_page(module: &Module) -> String {
    let title = module.text(&module.source_lang, &module.title);
    let iframe = format!(
        "<iframe src=\"https://your.site/{id}/index.html\" title=\"{title}\"\n        \
         style=\"inline-size: 100%; block-size: 40rem; border: 0\" allow=\"fullscreen\"></iframe>",
        id = esc(&module.id),
        title = esc(title),
    );
    let theme = module.theme.as_ref().map_or_else(String::new, |t| {
        format!(
            "<link rel=\"stylesheet\" href=\"https://your.site/{id}/module/{id}/{t}\">\n",
            id = esc(&module.id),
            t = esc(t)
        )
    });
    let element = format!(
        "<link rel=\"stylesheet\" href=\"https://your.site/{id}/player/hearth-player.css\">\n{theme}\
         <script type=\"module\" src=\"https://your.site/{id}/player/hearth-element.js\"></script>\n\
         <hearth-player src=\"https://your.site/{id}/module/{id}.bin\" lang=\"{lang}\"></hearth-player>",
        id = esc(&module.id),
        lang = esc(&module.source_lang),
    );
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Embedding {t}</title>\n</head>\n<body>\n\
         <h1>Embedding “{t}”</h1>\n\
         <p>Copy this folder to a web server (any static host). Replace <code>https://your.site/{id}/</code> below with \
         where it is. Serve <code>.wasm</code> as <code>application/wasm</code> if you can; the player still loads \
         (a little slower) where the server says otherwise.</p>\n\
         <h2>In an iframe</h2>\n<pre><code>{}</code></pre>\n\
         <h2>As an element on your page</h2>\n<pre><code>{}</code></pre>\n\
         <p>Languages: {langs}. Add <code>lang=\"…\"</code> to choose one; learners can switch in the player.</p>\n\
         <p><a href=\"index.html\">Open the module</a></p>\n</body>\n</html>\n",
        esc(&iframe),
        esc(&element),
        t = esc(title),
        id = esc(&module.id),
        langs = esc(&module.languages.join(", ")),
    )
}
