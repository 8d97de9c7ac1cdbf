//! Writing translation files: every text key of a module, with the hash of the source text it is
//! translated from, keeping what a translator already wrote.

use std::collections::BTreeMap;

use crate::load::{Loaded, source_hash};

/// One unit as found in an existing translation file.
#[derive(Debug, Clone, Default)]
struct Unit {
    source: String,
    text: String,
}

/// The new text of `<lang>.yaml`. `existing` is the current file, if any. With `stamp`, units that
/// have a text are marked as translated from the current source text (after a translator has
/// checked them); without it their recorded hash is kept, so stale units stay visible.
/// Units for keys the module no longer has are dropped.
pub fn translation_file(loaded: &Loaded, lang: &str, existing: Option<&str>, stamp: bool) -> String {
    let Some(module) = &loaded.module else {
        return String::new();
    };
    let source = module.strings.get(&module.source_lang).cloned().unwrap_or_default();
    let old = existing.map(read_units).unwrap_or_default();
    let mut out = String::new();
    out.push_str(&format!(
        "# {lang} translation of {}. `source` is the hash of the {} text a unit was translated from;\n\
         # `hearth check` reports units whose source text has changed since.\n",
        module.id, module.source_lang
    ));
    out.push_str(&format!("lang: {lang}\nunits:\n"));
    let mut keys = loaded.index.keys_in_order();
    keys.retain(|k| source.contains_key(*k));
    for key in keys {
        let src = &source[key];
        let current = source_hash(src);
        let unit = old.get(key).cloned().unwrap_or_default();
        // A new (empty) unit is stamped at once: whatever the translator writes next translates
        // today's source text.
        let hash = if unit.text.is_empty() || stamp { current } else { unit.source.clone() };
        out.push_str(&format!("  {}:\n", quote_key(key)));
        out.push_str(&format!("    # {}: {}\n", module.source_lang, one_line(src)));
        out.push_str(&format!("    source: \"{hash}\"\n"));
        out.push_str(&format!("    text: {}\n", json_string(&unit.text)));
    }
    out
}

fn read_units(text: &str) -> BTreeMap<String, Unit> {
    let mut out = BTreeMap::new();
    let Ok(root) = marked_yaml::parse_yaml(0, text) else {
        return out;
    };
    let Some(units) = root.as_mapping().and_then(|m| m.get_mapping("units")) else {
        return out;
    };
    for (key, unit) in units.iter() {
        let Some(u) = unit.as_mapping() else { continue };
        let field = |f: &str| u.get_scalar(f).map(|s| s.as_str().to_string()).unwrap_or_default();
        out.insert(key.as_str().to_string(), Unit { source: field("source"), text: field("text") });
    }
    out
}

/// JSON strings are valid YAML double-quoted scalars, and escape everything that needs it.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn quote_key(k: &str) -> String {
    if k.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/')) {
        k.to_string()
    } else {
        json_string(k)
    }
}

fn one_line(s: &str) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 100 {
        format!("{}…", flat.chars().take(100).collect::<String>())
    } else {
        flat
    }
}
