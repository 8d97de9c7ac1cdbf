//! Every module under `tests/fixtures/broken/` is broken on purpose, in one way its first comment
//! names. Each must yield located diagnostics, and they must match the golden snapshot in
//! `tests/it/snapshots/`. To add a case, add a folder and run `cargo insta test --accept`
//! (or `INSTA_UPDATE=always cargo test -p content`), then read the new snapshot.

use std::path::Path;

use content::diag::Severity;
use content::load::load;
use content::source::read_module;

#[test]
fn broken_modules_have_located_diagnostics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    insta::glob!(root, "tests/fixtures/broken/*/module.yaml", |path| {
        count += 1;
        // Relative paths keep the snapshots independent of where the repository lives.
        let rel = path.parent().unwrap().strip_prefix(root).unwrap();
        let cwd_guard = std::env::current_dir().unwrap();
        assert_eq!(cwd_guard, root, "cargo runs integration tests from the crate folder");
        let loaded = content::validate::check(load(read_module(rel).unwrap()));
        assert!(!loaded.diagnostics.is_empty(), "{}: no diagnostics for a broken module", rel.display());
        for d in &loaded.diagnostics {
            assert!(d.span.is_some(), "{}: `{}` has no location", rel.display(), d.message);
        }
        let header = std::fs::read_to_string(path).unwrap().lines().next().unwrap_or_default().to_string();
        assert!(
            header.starts_with("# Broken on purpose"),
            "{}: first line must say what is broken",
            rel.display()
        );
        let errors = loaded.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        let rendered = loaded.sources.render(&loaded.diagnostics, false);
        insta::assert_snapshot!(format!("{header}\n{errors} error(s)\n\n{rendered}"));
    });
    assert!(count >= 30, "the corpus has {count} broken modules; it should keep at least 30");
}
