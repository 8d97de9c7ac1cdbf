//! `hearth check`, `hearth compile` and `hearth translate`: the commands that load modules.

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
        None => println!("{json}"),
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
