//! `hearth check`, `hearth compile` and `hearth translate`: the commands that load modules.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use content::diag::{Diagnostic, Severity, Sources};
use content::load::{Loaded, load};
use content::source::{module_dir, read_module};
use serde_json::json;

/// Loads and validates one module folder.
pub(crate) fn load_path(path: &Path) -> Result<Loaded> {
    let src = read_module(path).with_context(|| format!("cannot read the module at {}", path.display()))?;
    Ok(content::validate::check(load(src)))
}

pub(crate) fn check(paths: &[std::path::PathBuf], json: bool, color: bool) -> Result<ExitCode> {
    let mut reports = Vec::new();
    let (mut errors, mut warnings) = (0, 0);
    for path in paths {
        // `hearth check examples/*` also names files such as examples/README.md: not modules.
        if path.is_file() && !path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            eprintln!("skipping {}: not a module folder or module.yaml", path.display());
            continue;
        }
        let loaded = load_path(path)?;
        errors += loaded.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        warnings += loaded.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
        if json {
            reports.push(json!({
                "path": path.display().to_string(),
                "module": loaded.module.as_ref().map(|m| m.id.clone()),
                "diagnostics": loaded.diagnostics.iter().map(|d| diagnostic_json(&loaded.sources, d)).collect::<Vec<_>>(),
            }));
        } else {
            print!("{}", loaded.sources.render(&loaded.diagnostics, color));
            let name = loaded.module.as_ref().map_or_else(|| path.display().to_string(), |m| m.id.clone());
            if loaded.diagnostics.is_empty() {
                eprintln!("{name}: ok");
            }
        }
    }
    if json {
        let doc = json!({ "modules": reports, "errors": errors, "warnings": warnings });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else if errors + warnings > 0 {
        eprintln!("{errors} error(s), {warnings} warning(s)");
    }
    Ok(if errors + warnings == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn diagnostic_json(sources: &Sources, d: &Diagnostic) -> serde_json::Value {
    let place = d.span.and_then(|s| {
        let f = sources.files.get(s.file)?;
        let (line, column) = f.line_col(s.start);
        let (end_line, end_column) = f.line_col(s.end);
        Some(json!({ "file": f.name, "line": line, "column": column, "end_line": end_line, "end_column": end_column }))
    });
    json!({
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "hint": d.hint,
        "location": place,
    })
}

/// Loads a module and refuses one with errors, printing them.
pub(crate) fn load_clean(path: &Path) -> Result<content::model::Module> {
    let loaded = load_path(path)?;
    let errors: Vec<Diagnostic> =
        loaded.diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
    if !errors.is_empty() {
        eprint!("{}", loaded.sources.render(&errors, false));
        bail!("{} has {} error(s); `hearth check` shows them all", path.display(), errors.len());
    }
    loaded.module.context("the module could not be built")
}

pub(crate) fn compile(path: &Path, out: Option<&Path>) -> Result<ExitCode> {
    let module = load_clean(path)?;
    let json = content::compiled_json(&module);
    match out {
        Some(out) => std::fs::write(out, json).with_context(|| format!("cannot write {}", out.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            match writeln!(stdout, "{json}").and_then(|()| stdout.flush()) {
                // `hearth compile … | head`: the reader has what it wanted.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                written => written.context("cannot write to standard output")?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn translate(path: &Path, lang: &str, stamp: bool) -> Result<ExitCode> {
    let src = read_module(path).with_context(|| format!("cannot read the module at {}", path.display()))?;
    let loaded = load(src);
    let Some(module) = &loaded.module else {
        eprint!("{}", loaded.sources.render(&loaded.diagnostics, false));
        bail!("the module has errors that stop it from loading");
    };
    if lang == module.source_lang {
        bail!("`{lang}` is the module's source language");
    }
    let file = module_dir(path).join(format!("{lang}.yaml"));
    let existing = std::fs::read_to_string(&file).ok();
    let text = content::translate::translation_file(&loaded, lang, existing.as_deref(), stamp);
    std::fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    eprintln!("wrote {}", file.display());
    if !module.languages.iter().any(|l| l == lang) {
        eprintln!("note: add `{lang}` to `languages:` in module.yaml so the player offers it");
    }
    Ok(ExitCode::SUCCESS)
}

/// Compiles every module in `paths` into `dir`: `<id>.bin` (what the player loads), `<id>.json`
/// (the same, readable), its media under `<id>/`, and `index.json`, the catalogue a host page lists. Files that are not modules are skipped.
pub(crate) fn compile_all(paths: &[std::path::PathBuf], dir: &Path) -> Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut catalogue = Vec::new();
    for path in paths {
        if !module_dir(path).join("module.yaml").exists() {
            continue;
        }
        let module = load_clean(path)?;
        std::fs::write(dir.join(format!("{}.json", module.id)), content::compiled_json(&module))?;
        std::fs::write(dir.join(format!("{}.bin", module.id)), content::compiled_binary(&module))?;
        for file in module.files() {
            let to = dir.join(&module.id).join(file);
            std::fs::create_dir_all(to.parent().expect("a file has a folder"))?;
            std::fs::copy(module_dir(path).join(file), &to)
                .with_context(|| format!("cannot copy {file} of {}", module.id))?;
        }
        let text = |key: &str| module.text(&module.source_lang, key).to_string();
        catalogue.push(json!({
            "id": module.id,
            "title": text(&module.title),
            "description": module.description.as_deref().map(text),
            "source_lang": module.source_lang,
            "languages": module.languages,
            "language_names": module.languages.iter().map(|l| (l.clone(), json!(content::model::Module::autonym(l)))).collect::<serde_json::Map<_, _>>(),
            "example": module.example,
        }));
    }
    std::fs::write(dir.join("index.json"), serde_json::to_string_pretty(&catalogue)?)?;
    eprintln!("{} module(s) written to {}", catalogue.len(), dir.display());
    Ok(ExitCode::SUCCESS)
}
