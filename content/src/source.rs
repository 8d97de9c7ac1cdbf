//! Reading a module folder from disk into a [`ModuleSource`]: the one place in this crate that
//! touches the file system, kept apart so the loader itself stays a pure function of text.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use crate::diag::SourceFile;
use crate::load::ModuleSource;

/// The folder of a module given either the folder or its `module.yaml`.
pub fn module_dir(path: &Path) -> PathBuf {
    if path.is_file() { path.parent().map(Path::to_path_buf).unwrap_or_default() } else { path.to_path_buf() }
}

/// Reads `module.yaml`, every `<lang>.yaml` beside it, and the list of other files (for media
/// checks). File names in diagnostics are shown as given, joined with the folder path.
pub fn read_module(path: &Path) -> io::Result<ModuleSource> {
    let dir = module_dir(path);
    let module_path = dir.join("module.yaml");
    let text = std::fs::read_to_string(&module_path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", module_path.display())))?;
    let module = SourceFile::new(module_path.display().to_string(), text);
    let mut translations = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "module.yaml" || !(name.ends_with(".yaml") || name.ends_with(".yml")) {
            continue;
        }
        let p = entry.path();
        translations.push(SourceFile::new(p.display().to_string(), std::fs::read_to_string(&p)?));
    }
    let mut files = BTreeSet::new();
    collect_files(&dir, &dir, &mut files)?;
    Ok(ModuleSource { module, translations, files })
}

fn collect_files(root: &Path, dir: &Path, out: &mut BTreeSet<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let p = entry.path();
        if entry.file_type()?.is_dir() {
            collect_files(root, &p, out)?;
        } else if let Ok(rel) = p.strip_prefix(root) {
            let rel: Vec<String> =
                rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.insert(rel.join("/"));
        }
    }
    Ok(())
}
