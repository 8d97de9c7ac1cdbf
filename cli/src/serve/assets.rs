//! How `hearth serve` sends files, so that a phone on a slow connection loads a module quickly
//! and launches it again from its cache (docs/size.md, "First load").
//!
//! - **The player** is served from `/player/<version>/…`, where the version is a hash of the
//!   package's player files ([`packaging::Package::player_version`]): a URL that never changes
//!   its bytes, so it is sent `immutable` for a year. Each version is written once to
//!   `<data>/player/<version>/` with a `.br` and a `.gz` beside each file (taken from
//!   `cargo xtask player`'s precompressed files when the bytes are the same, compressed here
//!   otherwise), and tower-http's `ServeDir` picks one by the request's `Accept-Encoding`.
//! - **A package's own files** (launch page, module, media) can change at any time (a preview):
//!   `Cache-Control: no-cache` with a weak `ETag`, `304 Not Modified` when it matches, and
//!   compressed on the fly by tower-http's `CompressionLayer`.
//! - **The service worker** (`/au/hearth-sw.js`, scope `/au/`) keeps both for a second launch
//!   and an offline reload.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::routing::{MethodRouter, get};
use tower::ServiceBuilder;
use tower_http::compression::predicate::{NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, DefaultPredicate};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// `Cache-Control` of a file whose URL names its version.
pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The `/player/` service: `<root>/<version>/<file>`, precompressed, immutable.
pub(crate) fn players<S: Clone + Send + Sync + 'static>(root: &Path) -> axum::Router<S> {
    let service = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, immutable))
        .layer(SetResponseHeaderLayer::appending(header::VARY, HeaderValue::from_static("accept-encoding")))
        .service(ServeDir::new(root).precompressed_br().precompressed_gzip());
    axum::Router::new().fallback_service(service)
}

/// Only what was found is immutable (a 404 may become a file).
fn immutable<B>(r: &Response<B>) -> Option<HeaderValue> {
    (r.status() == StatusCode::OK || r.status() == StatusCode::PARTIAL_CONTENT)
        .then(|| HeaderValue::from_static(IMMUTABLE))
}

/// `/au/{slug}/{*path}` with compression by `Accept-Encoding` (not of media that is compressed
/// already).
pub(crate) fn compressed<S: Clone + Send + Sync + 'static>(route: MethodRouter<S>) -> MethodRouter<S> {
    let predicate = DefaultPredicate::new()
        .and(NotForContentType::const_new("video/"))
        .and(NotForContentType::const_new("audio/"));
    route.layer(CompressionLayer::new().compress_when(predicate))
}

/// `/au/hearth-sw.js`: Hearth's service worker. Revalidated on every check, as browsers do for
/// service workers anyway.
pub(crate) fn service_worker<S: Clone + Send + Sync + 'static>() -> MethodRouter<S> {
    get(|headers: HeaderMap| async move {
        package_file(&headers, "hearth-sw.js", packaging::SERVICE_WORKER.as_bytes().to_vec())
    })
}

/// A package file: its type, `no-cache`, a weak ETag, and `304` when the browser has it.
pub(crate) fn package_file(headers: &HeaderMap, path: &str, bytes: Vec<u8>) -> Response<Body> {
    let etag = format!("W/\"{}\"", fnv(&bytes));
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag.trim_start_matches("W/")
        });
    let mut resp = if matches {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(bytes));
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(super::mime(path)));
        r
    };
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex is a header value"));
    resp
}

/// The launch page as `hearth serve` sends it: the player at its versioned URL, the learner's
/// catalog preloaded, and the service worker registered.
pub(crate) fn launch_page(html: &str, version: &str, catalog: Option<&str>) -> String {
    let mut html = html.replace("\"player/", &format!("\"/player/{version}/"));
    if let Some(lang) = catalog {
        let preload = format!(
            "<link rel=\"preload\" href=\"/player/{version}/i18n/{lang}.txt\" as=\"fetch\" crossorigin>\n"
        );
        html = html.replacen("</head>", &format!("{preload}</head>"), 1);
    }
    let worker = packaging::register_worker("/au/hearth-sw.js", Some("/au/"));
    html.replacen("</body>", &format!("{worker}</body>"), 1)
}

/// Writes a package's player to `<root>/<version>/` once, each file with its `.br` and `.gz`
/// (where they are smaller). `build` is the player build folder (`--player`): its precompressed
/// files are used when their source has the same bytes.
pub(crate) fn publish(root: &Path, build: &Path, package: &packaging::Package) -> Result<String> {
    let version = package.player_version();
    let dir = root.join(&version);
    if dir.is_dir() {
        return Ok(version);
    }
    let tmp = root.join(format!(".{version}.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    for (path, bytes) in package.files.iter().filter(|(p, _)| p.starts_with("player/")) {
        let rel = &path["player/".len()..];
        let to = tmp.join(rel);
        std::fs::create_dir_all(to.parent().expect("a file in a folder"))
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        std::fs::write(&to, bytes).with_context(|| format!("cannot write {}", to.display()))?;
        let built = ["player-lms", "player"]
            .map(|b| build.join(b).join(rel))
            .into_iter()
            .find(|f| std::fs::read(f).is_ok_and(|b| b == *bytes));
        for (ext, compress) in [("br", brotli as fn(&[u8]) -> Vec<u8>), ("gz", gzip)] {
            let pre = built.as_ref().and_then(|f| std::fs::read(format!("{}.{ext}", f.display())).ok());
            let packed = pre.unwrap_or_else(|| compress(bytes));
            if packed.len() < bytes.len() {
                std::fs::write(format!("{}.{ext}", to.display()), packed)?;
            }
        }
    }
    match std::fs::rename(&tmp, &dir) {
        Ok(()) => Ok(version),
        // Written meanwhile by another scan: the same bytes.
        Err(_) if dir.is_dir() => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(version)
        }
        Err(e) => Err(e).with_context(|| format!("cannot write {}", dir.display())),
    }
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = ::brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
    ::brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("compressing in memory");
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).expect("compressing in memory");
    gz.finish().expect("compressing in memory")
}

/// 64-bit FNV-1a, as hex: the ETag of a package file.
fn fnv(bytes: &[u8]) -> String {
    let h = bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    format!("{h:016x}")
}
