//! `hearth new`: a small module that passes `hearth check`, to start writing from.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

const TEMPLATE: &str = include_str!("../templates/module.yaml");

pub(crate) fn scaffold(dir: &Path) -> Result<ExitCode> {
    if dir.exists() {
        bail!("{} already exists; choose a new folder name", dir.display());
    }
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("my-module");
    let id: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    let id = if id.starts_with(|c: char| c.is_ascii_alphabetic()) { id } else { format!("m-{id}") };
    std::fs::create_dir_all(dir.join("media")).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(dir.join("module.yaml"), TEMPLATE.replace("MODULE_ID", &id))?;
    eprintln!("created {}/module.yaml — try `hearth check {0}` and `hearth play {0}`", dir.display());
    Ok(ExitCode::SUCCESS)
}
