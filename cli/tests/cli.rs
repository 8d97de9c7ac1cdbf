//! The `hearth` command as an author uses it: exit codes, output formats, scaffolding, play.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hearth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .expect("hearth runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hearth-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// (arguments, exit code): 0 clean, 1 problems, 2 usage.
#[test]
fn check_exit_codes() {
    let cases: &[(&[&str], i32)] = &[
        (&["check", "examples/tuesday-night", "examples/first-week"], 0),
        (&["check", "examples/tuesday-night/module.yaml"], 0),
        (&["check", "content/tests/fixtures/broken/unknown-next"], 1),
        (&["check", "content/tests/fixtures/broken/translation-stale"], 1),
        (&["check", "no/such/module"], 2),
        (&["check"], 2),
        (&["check", "--format", "xml", "examples/tuesday-night"], 2),
    ];
    for (args, code) in cases {
        let out = hearth(args);
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn check_json_gives_places() {
    let out = hearth(&["check", "--format", "json", "content/tests/fixtures/broken/unknown-next"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(doc["errors"], 1);
    let d = &doc["modules"][0]["diagnostics"][0];
    assert_eq!(d["code"], "unknown-node");
    assert_eq!(d["location"]["line"], 41);
    assert_eq!(d["location"]["column"], 15);
    assert_eq!(d["hint"], "did you mean `n.quiz`?");
}

#[test]
fn new_module_is_clean_and_playable() {
    let dir = temp_dir("new").join("my-first-module");
    let path = dir.to_str().unwrap();
    assert!(hearth(&["new", path]).status.success());
    let check = hearth(&["check", path]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let play = hearth(&["play", path, "--endings"]);
    assert!(play.status.success());
    let text = String::from_utf8_lossy(&play.stdout);
    assert!(text.contains("n.end-good: band good") && text.contains("n.end-review: band review"), "{text}");
    assert_eq!(hearth(&["new", path]).status.code(), Some(2), "refuses to overwrite");
}

#[test]
fn play_reaches_every_ending_of_the_examples() {
    for (module, endings) in [
        (
            "examples/tuesday-night",
            &["n.end-secure", "n.end-gaps", "n.end-contaminated", "n.end-retracts", "n.end-silence"][..],
        ),
        ("examples/first-week", &["n.end-settling", "n.end-fragile", "n.end-found", "n.end-missing"][..]),
    ] {
        let out = hearth(&["play", module, "--endings"]);
        assert!(out.status.success(), "{module}");
        let text = String::from_utf8_lossy(&out.stdout);
        for e in endings {
            assert!(text.contains(&format!("{e}: band")), "{module}: {e} missing in\n{text}");
        }
    }
}

#[test]
fn play_interactively_from_standard_input() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["play", "examples/tuesday-night", "--lang", "tr"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"\n?\nl ar\ns\nq\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("saved state ("), "{text}");
    assert!(text.contains("|ar|"), "the language switch is saved: {text}");
}

#[test]
fn compile_writes_the_module_the_player_loads() {
    let out = hearth(&["compile", "examples/tuesday-night"]);
    assert!(out.status.success());
    let m: content::model::Module = serde_json::from_slice(&out.stdout).expect("compiled JSON is a module");
    assert_eq!(m.id, "fc.tuesday-night");
    assert!(m.strings.contains_key("ar") && m.strings.contains_key("tr"));
    let dir = temp_dir("compile");
    let out = hearth(&[
        "compile",
        "examples/tuesday-night",
        "examples/first-week",
        "examples/README.md",
        "--out-dir",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index.as_array().unwrap().len(), 2);
    assert!(dir.join("fc.first-week.json").exists());
    // A module with errors is refused, with its diagnostics, and writes nothing.
    let out = hearth(&["compile", "content/tests/fixtures/broken/unknown-next"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown-node"));
}

#[test]
fn translate_writes_every_unit_and_keeps_translations() {
    let dir = temp_dir("translate");
    for f in ["module.yaml", "tr.yaml", "ar.yaml"] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/tuesday-night").join(f),
            dir.join(f),
        )
        .unwrap();
    }
    let path = dir.to_str().unwrap();
    // A new language: every unit, empty, so `check` reports each as missing.
    assert!(hearth(&["translate", path, "--lang", "el"]).status.success());
    let el = std::fs::read_to_string(dir.join("el.yaml")).unwrap();
    assert!(el.contains("lang: el") && el.contains("module/title:") && el.contains("text: \"\""));
    std::fs::remove_file(dir.join("el.yaml")).unwrap();
    // Refreshing an existing translation keeps its texts: the module stays clean.
    let before = std::fs::read_to_string(dir.join("tr.yaml")).unwrap();
    assert!(hearth(&["translate", path, "--lang", "tr"]).status.success());
    assert!(hearth(&["check", path]).status.success());
    let after = std::fs::read_to_string(dir.join("tr.yaml")).unwrap();
    let texts = |s: &str| {
        s.lines().filter(|l| l.trim_start().starts_with("text:")).map(str::to_string).collect::<Vec<_>>()
    };
    assert_eq!(texts(&before).len(), texts(&after).len());
    // Changing a source text makes its unit stale until re-stamped.
    let module = std::fs::read_to_string(dir.join("module.yaml")).unwrap();
    let changed = module.replacen("title: \"Tuesday night\"", "title: \"Tuesday evening\"", 1);
    assert_ne!(module, changed, "the example's title is as expected");
    std::fs::write(dir.join("module.yaml"), changed).unwrap();
    let out = hearth(&["check", "--color", "never", path]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("stale-translation"));
    assert!(hearth(&["translate", path, "--lang", "tr", "--stamp"]).status.success());
    assert!(hearth(&["translate", path, "--lang", "ar", "--stamp"]).status.success());
    assert!(hearth(&["check", path]).status.success());
}

/// A reader that stops early (`hearth compile … | head -c 100`) ends the command quietly.
#[test]
fn compile_to_a_closed_pipe_exits_cleanly() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["compile", "examples/first-week"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
