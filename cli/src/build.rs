//! `hearth build`: modules into packages for LMSs (the packaging crate does the work).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use content::source::module_dir;
use packaging::{Format, Options};

/// The formats asked for, sorted and without repeats.
#[derive(Debug, Clone)]
pub(crate) struct Formats(pub(crate) Vec<Format>);

/// `--format` values: one format, a comma-separated list, or `all`.
pub(crate) fn parse_formats(s: &str) -> Result<Formats, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        if part == "all" {
            out.extend(Format::ALL);
        } else {
            out.push(part.parse::<Format>().map_err(|e| e.to_string())?);
        }
    }
    out.sort();
    out.dedup();
    Ok(Formats(out))
}

/// Builds every package in memory first, then writes them: a module with errors, a missing media
/// file or a missing player build leaves the output folder as it was.
pub(crate) fn build(
    paths: &[PathBuf],
    formats: &[Format],
    out: &Path,
    options: &Options,
) -> Result<ExitCode> {
    let mut zips = Vec::new();
    for path in paths {
        let module = crate::check::load_clean(path)?;
        for &format in formats {
            let package = packaging::build(&module, &module_dir(path), format, options)
                .with_context(|| format!("cannot build the {format} package of {}", module.id))?;
            zips.push((format!("{}-{format}.zip", module.id), package.zip(), package.files.len()));
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, bytes, _) in &zips {
        // Written beside, then renamed: a reader never sees half a zip.
        let tmp = out.join(format!(".{name}.part"));
        std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, out.join(name)).with_context(|| format!("cannot write {name}"))?;
    }
    for (name, bytes, files) in &zips {
        println!("{:<44} {:>9} bytes, {files} files", out.join(name).display(), bytes.len());
    }
    Ok(ExitCode::SUCCESS)
}
