//! Build and test orchestration: `cargo xtask <task>`.
//!
//! `cargo xtask test` is the one command that runs every check CI runs; `.ci/run` calls exactly
//! it. `cargo xtask demo` runs Hearth's main job on the embedded defaults. Both install what they
//! need (the wasm32 target, …) so that they work on a fresh clone.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod player;

fn main() -> std::process::ExitCode {
    match run_task() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run_task() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("demo") => demo(&args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        Some("player") => player::build(),
        Some("size") if args.get(1).is_some_and(|a| a == "reqwest") => player::size_reqwest(),
        Some("size") => player::size(),
        Some("e2e") => player::e2e(),
        Some("components") => player::components(),
        Some("screenshots") => player::screenshots(),
        Some("bench") => bench(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n\
                 tasks:\n  \
                 test    every check CI runs: fmt, clippy, tests, the wasm32 build of `content`\n  \
                 demo    build the player and run `hearth serve examples` at http://127.0.0.1:8080/ (--terminal: play in the terminal)\n  \
                 player  build the WebAssembly player into dist/player/\n  \
                 e2e     the browser tests: the player in headless Chromium (installs it if missing)\n  \
                 components  the widgets' wasm-bindgen tests in headless Chromium\n  \
                 screenshots  every screen type, phone and desktop, English and Arabic, into docs/img/screens/\n  \
                 size    print the player's raw/gzip/brotli sizes; fail over the 150 KB budget\n          \
                 (`size reqwest`: the LMS build with reqwest as its transport, for comparison)\n  \
                 bench   `cargo xtask bench lrs [sqlite|postgres] [--secs N] [--fill N]`: LRS ingest and query benchmark;\n          \
                 `cargo xtask bench build [runs]`: time to build every package format of each example;\n          \
                 `cargo xtask bench load`: Play → first decision on a throttled phone, cold and warm (docs/size.md)\n  \
                 fuzz    fuzz the parsers for a while: `cargo xtask fuzz [condition|module] [seconds]`"
            );
            bail!("unknown or missing task")
        }
    }
}

/// `cargo xtask bench lrs [sqlite|postgres] [--secs N] [--fill N]`: builds `hearth` and the load
/// generator (`lrs/examples/bench.rs`) with the `native` profile and runs it against each backend
/// (PostgreSQL at `HEARTH_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`, in a
/// fresh schema). The tables it prints go into docs/lrs.md.
fn bench(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("lrs") => {}
        Some("load") => return bench_load(),
        Some("build") => {
            return bench_build(args.get(1).map_or(Ok(9), |n| n.parse()).context("runs must be a number")?);
        }
        _ => {
            bail!(
                "usage: cargo xtask bench lrs [sqlite|postgres] [--secs N] [--fill N] | bench build [runs] | bench load"
            )
        }
    }
    let mut backends = vec!["sqlite", "postgres"];
    let mut pass = Vec::new();
    let mut rest = args[1..].iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "sqlite" | "postgres" => backends = vec![if a == "sqlite" { "sqlite" } else { "postgres" }],
            "--secs" | "--fill" => {
                let v = rest.next().with_context(|| format!("{a} needs a value"))?;
                pass.extend([a.clone(), v.clone()]);
            }
            _ => bail!("unknown argument {a}"),
        }
    }
    run("cargo", &["build", "--locked", "--profile", "native", "-p", "cli", "--bin", "hearth"])?;
    run("cargo", &["build", "--locked", "--profile", "native", "-p", "lrs", "--example", "bench"])?;
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| project_root().join("target"));
    let hearth = target.join("native/hearth");
    let load = target.join("native/examples/bench");
    let pg = std::env::var("HEARTH_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    for b in backends {
        let mut a: Vec<&str> =
            vec!["--hearth", hearth.to_str().context("target path is not UTF-8")?, "--backend", b];
        a.extend(["--pg-url", &pg]);
        a.extend(pass.iter().map(String::as_str));
        run(load.to_str().context("target path is not UTF-8")?, &a)?;
    }
    Ok(())
}

/// `cargo xtask bench load`: `hearth serve examples` (the demo's debug build) with the player
/// built, and headless Chromium as a phone (4× CPU, 1.6 Mbit/s, 150 ms round trip) launching
/// `first-week` from the catalogue, on a new profile and again on the same one, 5 times each
/// (`RUNS`): the medians of Play → first decision, and the bytes the server sent
/// (`tests/e2e/bench-load.mjs`). The table goes into docs/size.md.
fn bench_load() -> Result<()> {
    player::ensure_chromium()?;
    if !Path::new("dist/player-lms/hearth-player_bg.wasm.br").exists() {
        player::build()?;
    }
    player::npm_install()?;
    run("cargo", &["build", "-q", "-p", "cli", "--locked"])?;
    run("node", &["tests/e2e/bench-load.mjs"])
}

/// `cargo xtask bench build [runs]`: wall time of `hearth build` (the `native` profile) for each
/// example, each format alone and all five together, the median of `runs`, and the zip sizes.
/// The table goes into docs/packaging.md.
fn bench_build(runs: usize) -> Result<()> {
    if !Path::new("dist/player-lms/hearth-player_bg.wasm").exists() {
        player::build()?;
    }
    run("cargo", &["build", "--locked", "--profile", "native", "-p", "cli", "--bin", "hearth"])?;
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| project_root().join("target"));
    let hearth = target.join("native/hearth");
    let out = std::env::temp_dir().join(format!("hearth-bench-build-{}", std::process::id()));
    println!("{:<24} {:<10} {:>10} {:>10} {:>12}", "module", "format", "median ms", "min ms", "zip bytes");
    for dir in example_dirs()? {
        for format in ["scorm12", "scorm2004", "cmi5", "xapi", "html", "all"] {
            let mut times = Vec::new();
            for _ in 0..runs.max(1) {
                let _ = std::fs::remove_dir_all(&out);
                let start = std::time::Instant::now();
                let status = Command::new(&hearth)
                    .args(["build", &dir, "--format", format, "--out"])
                    .arg(&out)
                    .stdout(std::process::Stdio::null())
                    .status()?;
                times.push(start.elapsed().as_secs_f64() * 1000.0);
                if !status.success() {
                    bail!("hearth build {dir} --format {format} failed");
                }
            }
            times.sort_by(f64::total_cmp);
            let bytes: u64 = std::fs::read_dir(&out)?
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum();
            let name = Path::new(&dir).file_name().and_then(|n| n.to_str()).unwrap_or("?");
            println!(
                "{name:<24} {format:<10} {:>10.1} {:>10.1} {bytes:>12}",
                times[times.len() / 2],
                times[0]
            );
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    Ok(())
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Runs a command, echoing it, and fails if it fails.
pub(crate) fn run(program: &str, args: &[&str]) -> Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status =
        Command::new(program).args(args).status().with_context(|| format!("cannot run {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed with {status}", args.join(" "));
    }
    Ok(())
}

pub(crate) fn ensure_wasm_target() -> Result<()> {
    let out = Command::new("rustup").args(["target", "list", "--installed"]).output();
    let installed =
        out.map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown")).unwrap_or(false);
    if !installed {
        run("rustup", &["target", "add", "wasm32-unknown-unknown"])?;
    }
    Ok(())
}

fn clippy_wasm(what: &[&str]) -> Result<()> {
    let mut args = vec!["clippy"];
    args.extend_from_slice(what);
    args.extend(["--target", "wasm32-unknown-unknown", "--locked", "--", "-D", "warnings"]);
    run("cargo", &args)
}

fn test() -> Result<()> {
    ensure_wasm_target()?;
    run("cargo", &["fmt", "--all", "--check"])?;
    run("cargo", &["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"])?;
    // The engine and the player must build for the browser: the crates as shipped, then the
    // player with its LMS transports and its browser tests (which exist only for wasm32).
    clippy_wasm(&["-p", "content", "-p", "widgets", "-p", "lms-bridge", "-p", "xapi"])?;
    clippy_wasm(&["-p", "widgets", "--features", "lms", "--tests"])?;
    // The examples must stay clean: the same check an author runs.
    let examples = example_dirs()?;
    if examples.is_empty() {
        bail!("no example modules found under examples/");
    }
    let mut args = vec!["run", "-q", "-p", "cli", "--locked", "--", "check", "--color", "never"];
    args.extend(examples.iter().map(String::as_str));
    run("cargo", &args)?;
    run("cargo", &["test", "--workspace", "--locked"])?;
    // The player in a real browser, last: components, then end to end, then what it weighs.
    player::components()?;
    player::e2e()?;
    player::size()
}

pub(crate) fn example_dirs() -> Result<Vec<String>> {
    let mut dirs: Vec<String> = std::fs::read_dir("examples")?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("module.yaml").exists())
        .map(|e| e.path().display().to_string())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// The demo: builds the player and runs `hearth serve examples` on 127.0.0.1 — the catalogue,
/// each module launched as a cmi5 AU, its statements in the embedded LRS, the results pages.
/// `--terminal` plays a module in the terminal instead.
fn demo(args: &[String]) -> Result<()> {
    if args.first().is_some_and(|a| a == "--terminal") {
        let module = args.get(1).cloned().unwrap_or_else(|| "examples/tuesday-night".to_string());
        run("cargo", &["run", "-q", "-p", "cli", "--", "check", &module])?;
        return run("cargo", &["run", "-q", "-p", "cli", "--", "play", &module]);
    }
    player::build()?;
    let port = std::env::var("HEARTH_PORT").unwrap_or_else(|_| "8080".into());
    let listen = format!("127.0.0.1:{port}");
    run(
        "cargo",
        &[
            "run", "-q", "-p", "cli", "--locked", "--", "serve", "examples", "--listen", &listen, "--player",
            "dist",
        ],
    )
}

/// Fuzzes a parser with cargo-fuzz (installed on first use; needs the nightly toolchain).
fn fuzz(args: &[String]) -> Result<()> {
    let target = args.first().map_or("module", String::as_str);
    let seconds = args.get(1).map_or("60", String::as_str);
    if Command::new("cargo").args(["fuzz", "--version"]).output().map(|o| !o.status.success()).unwrap_or(true)
    {
        run("cargo", &["install", "cargo-fuzz"])?;
    }
    std::env::set_current_dir("content")?;
    let max_time = format!("-max_total_time={seconds}");
    run("cargo", &["+nightly", "fuzz", "run", target, "--", &max_time, "-max_len=8000"])
}
