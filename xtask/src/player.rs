//! Building the WebAssembly player and measuring what a learner downloads.
//!
//! The pipeline (see ARCHITECTURE.md, "Player build"): `cargo build --release --target
//! wasm32-unknown-unknown -p player` → `wasm-bindgen --target web` → `wasm-opt -Oz` from npm
//! `binaryen` (Debian's binaryen is too old to read what wasm-bindgen writes) → `dist/player/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::run;

/// The wasm-bindgen CLI must match the `wasm-bindgen` crate exactly.
const WASM_BINDGEN: &str = "0.2.130";
/// The shipped player is built with a pinned nightly so that the standard library itself is
/// rebuilt for size (`-Zbuild-std`): panics abort without formatting a message, panic locations
/// and `Debug` output are compiled out. That takes about 11 % off the compressed wasm (measured in
/// docs/size.md). Everything else, including the player's tests, builds on stable.
const NIGHTLY: &str = "nightly-2026-10-30";
const SIZE_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none";
/// Total first-load transfer (wasm + JS + CSS, gzip -9) the player must stay under.
const BUDGET_BYTES: u64 = 150 * 1024;
/// Minifies the JavaScript and CSS the player ships (npm `esbuild`, pinned in tests/e2e).
const ESBUILD: &str = "tests/e2e/node_modules/.bin/esbuild";
const OUT: &str = "dist/player";
const OUT_LMS: &str = "dist/player-lms";

pub(crate) fn ensure_tools() -> Result<()> {
    crate::ensure_wasm_target()?;
    let toolchains = Command::new("rustup").args(["toolchain", "list"]).output()?;
    if !String::from_utf8_lossy(&toolchains.stdout).contains(NIGHTLY) {
        run(
            "rustup",
            &[
                "toolchain",
                "install",
                NIGHTLY,
                "--profile",
                "minimal",
                "--component",
                "rust-src",
                "--target",
                "wasm32-unknown-unknown",
            ],
        )?;
    }
    let have = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if have.as_deref().map(str::trim) != Some(&format!("wasm-bindgen {WASM_BINDGEN}")) {
        // Not `--locked`: the CLI's own lockfile pins a crate version the registry has since yanked.
        run("cargo", &["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN])?;
    }
    npm_install()
}

pub(crate) fn npm_install() -> Result<()> {
    let needed = [
        "tests/e2e/node_modules/.bin/wasm-opt",
        ESBUILD,
        "tests/e2e/node_modules/@learninglocker/xapi-validation",
    ];
    if !needed.iter().all(|p| Path::new(p).exists()) {
        run("npm", &["ci", "--prefix", "tests/e2e", "--no-audit", "--no-fund", "--loglevel=error"])?;
    }
    Ok(())
}

/// The two builds: the plain embed, and the one with the LMS transports (SCORM, cmi5, xAPI).
const BUILDS: [(Option<&str>, &str); 2] = [(None, OUT), (Some("lms"), OUT_LMS)];

pub(crate) fn build() -> Result<()> {
    ensure_tools()?;
    for (features, out) in BUILDS {
        build_one(features, out)?;
    }
    for (_, out) in BUILDS {
        precompress(Path::new(out))?;
    }
    site()
}

/// Writes `<file>.br` (brotli -q 11) and `<file>.gz` (gzip -9) beside every file of a player
/// build, catalogs included, for servers that pick a precompressed file by the request's
/// `Accept-Encoding` (`hearth serve`, nginx `gzip_static`/`brotli_static`; docs/moodle.md).
pub(crate) fn precompress(dir: &Path) -> Result<()> {
    use std::io::Write;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let raw = std::fs::read(&path)?;
        let br = brotli_11(&raw)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw)?;
        for (ext, packed) in [("br", br), ("gz", gz.finish()?)] {
            if packed.len() < raw.len() {
                std::fs::write(dir.join(format!("{name}.{ext}")), packed)?;
            }
        }
    }
    Ok(())
}

fn build_one(features: Option<&str>, out: &str) -> Result<()> {
    let mut args = vec![
        format!("+{NIGHTLY}"),
        "build".into(),
        "--release".into(),
        "--target".into(),
        "wasm32-unknown-unknown".into(),
        "-p".into(),
        "player".into(),
        "--locked".into(),
        "-Zbuild-std=std,panic_abort".into(),
        // On stdout, to learn where `widgets/build.rs` wrote the catalogs; people read stderr.
        "--message-format=json-render-diagnostics".into(),
    ];
    if let Some(f) = features {
        args.extend(["--features".into(), f.into()]);
    }
    eprintln!("$ RUSTFLAGS='{SIZE_RUSTFLAGS}' cargo {}", args.join(" "));
    // With `--target`, RUSTFLAGS reach only the wasm code, not build scripts or proc macros.
    let built = Command::new("cargo")
        .args(&args)
        .env("RUSTFLAGS", SIZE_RUSTFLAGS)
        .stderr(Stdio::inherit())
        .output()?;
    if !built.status.success() {
        bail!("building the player failed with {}", built.status);
    }
    let catalogs = catalog_dir(&built.stdout)?;
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out)?;
    // Worktrees may share one target directory through CARGO_TARGET_DIR.
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let wasm_in = format!("{target}/wasm32-unknown-unknown/release/player.wasm");
    run(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--no-typescript",
            "--remove-name-section",
            "--remove-producers-section",
            "--out-dir",
            out,
            "--out-name",
            "hearth-player",
            &wasm_in,
        ],
    )?;
    let wasm = format!("{out}/hearth-player_bg.wasm");
    // `--low-memory-unused`: binaryen may fold constant offsets into loads and stores when the
    // first 1 KiB of memory is never addressed. Rust's wasm32 linking puts the stack first
    // (`--stack-first`: the stack pointer starts at 1 MiB and grows down, data lies above), so
    // the low 1 KiB is reached only by a stack already overflowing its 1 MiB. Twice, because
    // the second pass finds more after the first one's inlining. Together 1,414 bytes less
    // gzipped than one `-Oz` (docs/size.md).
    for _ in 0..2 {
        run("tests/e2e/node_modules/.bin/wasm-opt", &["-Oz", "--low-memory-unused", &wasm, "-o", &wasm])?;
    }
    // The JavaScript glue, the element and the stylesheet minified (esbuild, from npm like
    // wasm-opt): 2.7 KB less to fetch, gzipped (docs/size.md). The sources stay readable.
    let glue = format!("{out}/hearth-player.js");
    for (from, to) in [
        (glue.as_str(), glue.clone()),
        ("widgets/web/hearth-element.js", format!("{out}/hearth-element.js")),
        ("widgets/style/player.css", format!("{out}/hearth-player.css")),
    ] {
        let outfile = format!("--outfile={to}");
        run(ESBUILD, &[from, "--minify", "--allow-overwrite", "--log-level=warning", &outfile])?;
    }
    // Every catalog but English (compiled in), fetched by the learner's language.
    std::fs::create_dir_all(format!("{out}/i18n"))?;
    for entry in std::fs::read_dir(&catalogs)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if name.ends_with(".txt") && name != "en.txt" {
            std::fs::copy(&path, format!("{out}/i18n/{name}"))?;
        }
    }
    eprintln!("player written to {out}/");
    Ok(())
}

/// `widgets/build.rs`'s output folder's `i18n/`, from cargo's JSON messages.
fn catalog_dir(messages: &[u8]) -> Result<PathBuf> {
    for line in String::from_utf8_lossy(messages).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let widgets = msg["package_id"].as_str().is_some_and(|id| id.contains("/widgets#"));
        if msg["reason"] == "build-script-executed" && widgets {
            let dir = PathBuf::from(msg["out_dir"].as_str().unwrap_or_default()).join("i18n");
            if dir.is_dir() {
                return Ok(dir);
            }
        }
    }
    bail!("cargo did not say where widgets' build script wrote the player's catalogs")
}

/// The preview site around the player: a catalogue page, a play page with the in-page event log,
/// and every example module compiled.
fn site() -> Result<()> {
    for page in ["index.html", "play.html"] {
        std::fs::copy(format!("widgets/web/{page}"), format!("dist/{page}"))?;
    }
    let _ = std::fs::remove_dir_all("dist/modules");
    let mut args = vec!["run", "-q", "-p", "cli", "--locked", "--", "compile", "--out-dir", "dist/modules"];
    let examples = crate::example_dirs()?;
    args.extend(examples.iter().map(String::as_str));
    run("cargo", &args)
}

/// `cargo xtask size reqwest`: the LMS build once more with reqwest's browser backend as the
/// queue's transport (instead of `fetch` through web-sys), to measure what reqwest would cost.
/// Written to `dist/player-lms-reqwest/`, never shipped.
pub(crate) fn size_reqwest() -> Result<()> {
    ensure_tools()?;
    const OUT_REQWEST: &str = "dist/player-lms-reqwest";
    build_one(Some("lms-reqwest"), OUT_REQWEST)?;
    if !Path::new(OUT_LMS).join("hearth-player_bg.wasm").exists() {
        build_one(Some("lms"), OUT_LMS)?;
    }
    let mut totals = Vec::new();
    for (label, out) in [("fetch (shipped)", OUT_LMS), ("reqwest", OUT_REQWEST)] {
        println!("\n{out}/ (LMS transports over {label})");
        totals.push(report(out)?);
    }
    println!("\nreqwest instead of fetch: {:+} bytes gzip -9", totals[1] as i64 - totals[0] as i64);
    Ok(())
}

/// Prints the sizes of one build's first-load files; returns the gzip -9 total. A learner who
/// is not reading English also loads one catalog: the heaviest is counted.
fn report(out: &str) -> Result<u64> {
    let mut files: Vec<String> =
        ["hearth-player_bg.wasm", "hearth-player.js", "hearth-player.css"].map(String::from).into();
    let mut heaviest = (0, None);
    for entry in std::fs::read_dir(Path::new(out).join("i18n")).context("the build has no i18n/")? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue; // the precompressed copies
        }
        let gz = compressed_len("gzip", &["-9", "-c"], &path)?;
        if gz > heaviest.0 {
            heaviest = (gz, path.file_name().map(|n| format!("i18n/{}", n.to_string_lossy())));
        }
    }
    files.extend(heaviest.1);
    println!("{:<24} {:>10} {:>10} {:>10}", "file", "raw", "gzip -9", "brotli");
    let (mut raw_t, mut gz_t, mut br_t) = (0, 0, 0);
    for f in &files {
        let path = Path::new(out).join(f);
        let raw = std::fs::metadata(&path).with_context(|| format!("{} is missing", path.display()))?.len();
        let gz = compressed_len("gzip", &["-9", "-c"], &path)?;
        let br = brotli_11(&std::fs::read(&path)?)?.len() as u64;
        println!("{f:<24} {raw:>10} {gz:>10} {br:>10}");
        raw_t += raw;
        gz_t += gz;
        br_t += br;
    }
    println!("{:<24} {raw_t:>10} {gz_t:>10} {br_t:>10}", "total");
    println!(
        "budget (gzip -9): {} bytes; used {:.1} %",
        BUDGET_BYTES,
        gz_t as f64 * 100.0 / BUDGET_BYTES as f64
    );
    Ok(gz_t)
}

/// Raw, gzip -9 and brotli -q 11 sizes of each file a learner downloads on first load.
pub(crate) fn size() -> Result<()> {
    if !BUILDS.iter().all(|(_, out)| Path::new(out).join("hearth-player_bg.wasm").exists()) {
        build()?;
    }
    let mut embed_total = 0;
    for (features, out) in BUILDS {
        println!("\n{out}/ ({})", if features.is_some() { "with the LMS transports" } else { "embed" });
        let gz_t = report(out)?;
        if features.is_none() {
            embed_total = gz_t;
        }
    }
    // The LMS build is reported, not yet held to the budget: see docs/size.md.
    if embed_total > BUDGET_BYTES {
        bail!("the player's first load is {embed_total} bytes gzipped, over the {BUDGET_BYTES}-byte budget");
    }
    Ok(())
}

/// Brotli at quality 11 with a 16 MiB window, as servers' precompressed files are made. The crate,
/// not the `brotli` program: a fresh machine has `gzip` but not `brotli`.
fn brotli_11(raw: &[u8]) -> Result<Vec<u8>> {
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
    brotli::BrotliCompress(&mut &raw[..], &mut br, &params)?;
    Ok(br)
}

/// The budget is GNU gzip's `-9` size (what the budget was set in), so gzip is run, not a crate.
fn compressed_len(tool: &str, args: &[&str], path: &Path) -> Result<u64> {
    let out = Command::new(tool)
        .args(args)
        .arg(path)
        .output()
        .with_context(|| format!("cannot run {tool} (apt-get install {tool})"))?;
    if !out.status.success() {
        bail!("{tool} failed on {}", path.display());
    }
    Ok(out.stdout.len() as u64)
}

/// Builds the player and the CLI, makes sure Chromium is there, and runs the browser tests.
pub(crate) fn e2e() -> Result<()> {
    ensure_chromium()?;
    build()?;
    run("cargo", &["build", "-q", "-p", "cli", "--locked"])?;
    run("node", &["--test", "--test-concurrency=1", "tests/e2e/"])
}

/// `cargo xtask screenshots`: the docs' pictures of every screen type (tests/e2e/screens.mjs).
pub(crate) fn screenshots() -> Result<()> {
    ensure_chromium()?;
    build()?;
    run("cargo", &["build", "-q", "-p", "cli", "--locked"])?;
    run("node", &["tests/e2e/screens.mjs"])
}

/// Debian's Chromium, installed through apt when it is missing (CI machines start without it).
pub(crate) fn ensure_chromium() -> Result<()> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    run("apt-get", &["update", "-qq"])?;
    run("apt-get", &["install", "-y", "-qq", "chromium", "chromium-driver"])
}

/// The widgets' component tests (`widgets/tests/browser.rs`): wasm-bindgen-test in headless
/// Chromium through ChromeDriver, on stable Rust.
pub(crate) fn components() -> Result<()> {
    ensure_chromium()?;
    ensure_tools()?;
    let args = ["test", "-p", "widgets", "--target", "wasm32-unknown-unknown", "--locked"];
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new("cargo")
        .args(args)
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .status()?;
    if !status.success() {
        bail!("the widgets' browser tests failed ({status})");
    }
    Ok(())
}
