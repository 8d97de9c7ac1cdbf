//! The module loader and validator never panic on any text, and every diagnostic has a place
//! inside its file.
#![no_main]

use std::collections::BTreeSet;

use content::diag::SourceFile;
use content::load::{ModuleSource, load};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let src = ModuleSource {
        module: SourceFile::new("module.yaml", text),
        translations: Vec::new(),
        files: BTreeSet::new(),
    };
    let loaded = content::validate::check(load(src));
    for d in &loaded.diagnostics {
        if let Some(span) = d.span {
            assert!(span.start <= span.end && span.end <= text.len(), "{d:?}");
        }
    }
    let _ = loaded.sources.render(&loaded.diagnostics, false);
});
