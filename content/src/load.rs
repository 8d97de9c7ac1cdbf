//! The authoring format: `module.yaml` and its translations → [`Module`], with every problem located.
//!
//! One walk over the YAML tree builds the model and records where each id, text and condition came
//! from; cross-references (routes, conditions, speakers, bands) are resolved after the walk, when
//! every id is known. The walk never stops at the first problem: a bad field is reported and left
//! out, and the rest of the module is still read, so an author sees everything at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::{LoadError, LoaderOptions, Node as YNode};
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, SourceFile, Sources, Span, did_you_mean};
use crate::expr::{self, Expr, IdKind, Ty};
use crate::model::*;

/// What the loader reads: the module file, its translation files, and the names of the other files
/// in the module folder (for media checks). Reading them from disk is the caller's job.
#[derive(Debug, Clone)]
pub struct ModuleSource {
    pub module: SourceFile,
    pub translations: Vec<SourceFile>,
    /// Paths relative to the module folder, with `/` separators.
    pub files: BTreeSet<String>,
}

/// The result of loading: the module if it could be built at all, every diagnostic, and where
/// things are (for the validator's later diagnostics).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub module: Option<Module>,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
    pub index: SpanIndex,
}

/// Where each id was declared, keyed by `node:<id>`, `choice:<id>`, `question:<id>`,
/// `competency:<id>` (its `max`), `band:<id>`, `var:<id>`.
#[derive(Debug, Clone, Default)]
pub struct SpanIndex {
    spans: HashMap<String, Span>,
}

impl SpanIndex {
    pub fn get(&self, kind: &str, id: &str) -> Option<Span> {
        self.spans.get(&format!("{kind}:{id}")).copied()
    }

    fn insert(&mut self, kind: &str, id: &str, span: Span) {
        self.spans.insert(format!("{kind}:{id}"), span);
    }

    /// The source-language text keys in the order they appear in `module.yaml`.
    pub fn keys_in_order(&self) -> Vec<&str> {
        let mut keys: Vec<(&Span, &str)> =
            self.spans.iter().filter_map(|(k, s)| k.strip_prefix("text:").map(|k| (s, k))).collect();
        keys.sort_by_key(|(s, k)| (s.start, *k));
        keys.into_iter().map(|(_, k)| k).collect()
    }
}

/// The first 8 hex digits of the SHA-256 of a source text: what a translation unit records as the
/// text it was translated from.
pub fn source_hash(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))[..8].to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn load(src: ModuleSource) -> Loaded {
    let mut sources = Sources::default();
    let module_file = sources.add(src.module);
    let translation_files: Vec<usize> = src.translations.into_iter().map(|f| sources.add(f)).collect();
    let mut cx = Cx {
        sources: &sources,
        file: module_file,
        diags: Vec::new(),
        strings: BTreeMap::new(),
        index: SpanIndex::default(),
        refs: Vec::new(),
        conditions: Vec::new(),
        ids: HashMap::new(),
        vars: Vec::new(),
        competencies: Vec::new(),
    };
    let module = parse_yaml(&mut cx, module_file).and_then(|root| cx.module(&root, &src.files));
    let module = module.map(|mut m| {
        cx.resolve(&m);
        m.strings.insert(m.source_lang.clone(), std::mem::take(&mut cx.strings));
        for &file in &translation_files {
            cx.file = file;
            cx.translation(&mut m, file);
        }
        cx.missing_translations(&m);
        m.content_hash = content_hash(&m);
        m
    });
    let Cx { mut diags, index, .. } = cx;
    diags.sort_by_key(|d| (d.span.map(|s| (s.file, s.start)), d.severity));
    Loaded { module, diagnostics: diags, sources, index }
}

/// The hash saved state carries: the structure and the source-language strings. Translations are
/// left out, so a corrected translation never invalidates a learner's progress.
pub fn content_hash(m: &Module) -> String {
    let mut copy = m.clone();
    copy.content_hash.clear();
    copy.strings.retain(|lang, _| *lang == m.source_lang);
    let json = serde_json::to_vec(&copy).unwrap_or_default();
    hex(&Sha256::digest(&json))[..16].to_string()
}

fn parse_yaml(cx: &mut Cx, file: usize) -> Option<YNode> {
    let text = &cx.sources.files[file].text;
    let opts = LoaderOptions::default().error_on_duplicate_keys(true).toplevel_mapping();
    match marked_yaml::parse_yaml_with_options(file, text, opts) {
        Ok(root) => Some(root),
        Err(e) => {
            let (marker, message) = match &e {
                LoadError::TopLevelMustBeMapping(m) => {
                    (*m, "the file must be a mapping of keys to values".to_string())
                }
                LoadError::UnexpectedAnchor(m) => {
                    (*m, "anchors and aliases (`&`, `*`) are not supported".into())
                }
                LoadError::UnexpectedTag(m) => (*m, "tags (`!`) are not supported".into()),
                LoadError::MappingKeyMustBeScalar(m) => (*m, "keys must be plain text".into()),
                LoadError::ScanError(m, se) => (*m, format!("YAML syntax: {}", se.info())),
                LoadError::DuplicateKey(d) => {
                    let first = d.prev_key.span().start().map(|m| m.line()).unwrap_or(0);
                    let m = d
                        .key
                        .span()
                        .start()
                        .copied()
                        .unwrap_or_else(|| marked_yaml::Marker::new(file, 0, 1, 1));
                    (
                        m,
                        format!(
                            "`{}` is written twice in the same mapping (first on line {first})",
                            d.key.as_str()
                        ),
                    )
                }
                other => (marked_yaml::Marker::new(file, 0, 1, 1), format!("YAML: {other:?}")),
            };
            let f = &cx.sources.files[file];
            let start = f.offset(marker.line(), marker.column());
            let span = Span { file, start, end: (start + 1).min(f.text.len()) };
            cx.diags.push(Diagnostic::error("yaml", Some(span), message));
            None
        }
    }
}

/// What a reference must name.
#[derive(Debug, Clone, Copy)]
enum Ref {
    Id(IdKind),
    Character,
    Band,
}

struct Cx<'s> {
    sources: &'s Sources,
    file: usize,
    diags: Vec<Diagnostic>,
    strings: BTreeMap<TextKey, String>,
    index: SpanIndex,
    /// References to check once every id is known: (kind, id, where).
    refs: Vec<(Ref, String, Span)>,
    /// Conditions to type-check once every id is known: (expression, offset of its text).
    conditions: Vec<(Expr, Span)>,
    /// Every declared id in the module-wide namespace, with what it is.
    ids: HashMap<String, (&'static str, Span)>,
    vars: Vec<VarDecl>,
    competencies: Vec<Competency>,
}

/// A mapping being read; keys not in `allowed` are reported as unknown.
struct Obj<'a> {
    map: &'a MarkedMappingNode,
    span: Span,
}

impl<'a> Obj<'a> {
    fn get(&self, key: &str) -> Option<&'a YNode> {
        self.map.get_node(key)
    }
}

const ID_HINT: &str = "ids use ASCII letters, digits, `.`, `_` and `-`, and start with a letter";

fn valid_id(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

impl Cx<'_> {
    fn text_of(&self) -> &str {
        &self.sources.files[self.file].text
    }

    fn span_of(&self, s: &marked_yaml::Span) -> Span {
        let f = &self.sources.files[self.file];
        let Some(start) = s.start() else {
            return Span { file: self.file, start: 0, end: 0 };
        };
        let start = f.offset(start.line(), start.column());
        let end = match s.end() {
            Some(e) => f.offset(e.line(), e.column()),
            None => start,
        };
        Span { file: self.file, start, end: end.max(start) }
    }

    /// A scalar's span, extended over its text (the YAML parser records only where it starts).
    fn scalar_span(&self, s: &MarkedScalarNode) -> Span {
        let mut span = self.span_of(s.span());
        let text = &self.text_of()[span.start..];
        let line = &text[..text.find('\n').unwrap_or(text.len())];
        let len = match line.chars().next() {
            Some(q @ ('"' | '\'')) => line[1..].find(q).map_or(line.len(), |i| i + 2),
            Some('|' | '>') => 1,
            _ if line.starts_with(s.as_str()) => s.as_str().len(),
            _ => line.find(" #").unwrap_or(line.len()).min(line.find([',', ']', '}']).unwrap_or(line.len())),
        };
        span.end = span.start + len.max(1).min(text.len());
        span
    }

    fn node_span(&self, n: &YNode) -> Span {
        match n {
            YNode::Scalar(s) => self.scalar_span(s),
            other => {
                let mut span = self.span_of(other.span());
                // Point at the first line only: a whole mapping is too much to underline.
                let text = &self.text_of()[span.start..];
                span.end = span.start + text.find('\n').unwrap_or(text.len()).max(1).min(text.len());
                span
            }
        }
    }

    fn error(&mut self, code: &'static str, span: Span, msg: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, Some(span), msg));
    }

    fn error_hint(
        &mut self,
        code: &'static str,
        span: Span,
        msg: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.diags.push(Diagnostic::error(code, Some(span), msg).with_hint(hint));
    }

    fn obj<'a>(&mut self, node: &'a YNode, what: &str, allowed: &[&str]) -> Option<Obj<'a>> {
        let span = self.node_span(node);
        let Some(map) = node.as_mapping() else {
            self.error("wrong-type", span, format!("{what} must be a mapping of keys to values"));
            return None;
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                let span = self.scalar_span(key);
                let msg = format!("unknown key `{}` in {what}", key.as_str());
                match did_you_mean(key.as_str(), allowed.iter().copied()) {
                    Some(s) => self.error_hint("unknown-key", span, msg, format!("did you mean `{s}`?")),
                    None => self.error_hint(
                        "unknown-key",
                        span,
                        msg,
                        format!("the keys allowed here are {}", allowed.join(", ")),
                    ),
                }
            }
        }
        Some(Obj { map, span })
    }

    fn scalar<'a>(&mut self, o: &Obj<'a>, key: &str, what: &str) -> Option<&'a MarkedScalarNode> {
        let node = o.get(key)?;
        match node.as_scalar() {
            Some(s) => Some(s),
            None => {
                let span = self.node_span(node);
                self.error("wrong-type", span, format!("`{key}` in {what} must be a single value"));
                None
            }
        }
    }

    fn required<'a>(&mut self, o: &Obj<'a>, key: &str, what: &str) -> Option<&'a MarkedScalarNode> {
        if o.get(key).is_none() {
            let span = o.span;
            self.error("missing-key", span, format!("{what} needs `{key}`"));
            return None;
        }
        self.scalar(o, key, what)
    }

    fn id(&mut self, o: &Obj<'_>, key: &str, what: &str) -> Option<(String, Span)> {
        let s = self.required(o, key, what)?;
        let span = self.scalar_span(s);
        if !valid_id(s.as_str()) {
            self.error_hint("bad-id", span, format!("`{}` is not a valid id", s.as_str()), ID_HINT);
            // Reported, then kept: references to it should not add errors of their own.
        }
        Some((s.as_str().to_string(), span))
    }

    /// Declares a module-wide id; a second declaration is an error pointing at both.
    fn declare(&mut self, kind: &'static str, id: &str, span: Span) -> bool {
        if let Some((other, first)) = self.ids.get(id).copied() {
            let (line, _) = self.sources.files[first.file].line_col(first.start);
            self.error_hint(
                "duplicate-id",
                span,
                format!("the id `{id}` is already used by a {other} (line {line})"),
                "ids of nodes, choices, questions, media, variables and competencies must be unique in a module",
            );
            return false;
        }
        self.ids.insert(id.to_string(), (kind, span));
        self.index.insert(kind, id, span);
        true
    }

    fn int(&mut self, o: &Obj<'_>, key: &str, what: &str) -> Option<i64> {
        let s = self.scalar(o, key, what)?;
        let span = self.scalar_span(s);
        match s.as_str().trim_start_matches('+').parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.error(
                    "wrong-type",
                    span,
                    format!("`{key}` must be a whole number, not `{}`", s.as_str()),
                );
                None
            }
        }
    }

    fn float(&mut self, o: &Obj<'_>, key: &str, what: &str) -> Option<f64> {
        let s = self.scalar(o, key, what)?;
        let span = self.scalar_span(s);
        match s.as_str().parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                self.error("wrong-type", span, format!("`{key}` must be a number, not `{}`", s.as_str()));
                None
            }
        }
    }

    fn fraction(&mut self, o: &Obj<'_>, key: &str, what: &str, default: f64) -> f64 {
        let Some(v) = self.float(o, key, what) else {
            return default;
        };
        if !(0.0..=1.0).contains(&v) {
            let span = self.node_span(o.get(key).expect("present"));
            self.error_hint(
                "out-of-range",
                span,
                format!("`{key}` must be between 0 and 1"),
                "0.7 means 70 %",
            );
            return default;
        }
        v
    }

    fn bool(&mut self, o: &Obj<'_>, key: &str, what: &str) -> Option<bool> {
        let s = self.scalar(o, key, what)?;
        let span = self.scalar_span(s);
        match s.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            other => {
                self.error("wrong-type", span, format!("`{key}` must be `true` or `false`, not `{other}`"));
                None
            }
        }
    }

    fn list<'a>(&mut self, o: &Obj<'a>, key: &str, what: &str) -> Vec<&'a YNode> {
        let Some(node) = o.get(key) else {
            return Vec::new();
        };
        match node.as_sequence() {
            Some(seq) => seq.iter().collect(),
            None => {
                let span = self.node_span(node);
                self.error("wrong-type", span, format!("`{key}` in {what} must be a list"));
                Vec::new()
            }
        }
    }

    /// Registers a learner-visible text under `key`; returns the key when the text is there.
    fn text(
        &mut self,
        o: &Obj<'_>,
        field: &str,
        key: TextKey,
        what: &str,
        required: bool,
    ) -> Option<TextKey> {
        if required && o.get(field).is_none() {
            let span = o.span;
            self.error("missing-key", span, format!("{what} needs `{field}`"));
            return None;
        }
        let s = self.scalar(o, field, what)?;
        let value = s.as_str().trim();
        if value.is_empty() {
            let span = self.scalar_span(s);
            self.error("empty-text", span, format!("`{field}` in {what} is empty"));
            return None;
        }
        let span = self.scalar_span(s);
        self.index.insert("text", &key, span);
        self.strings.insert(key.clone(), value.to_string());
        Some(key)
    }

    fn enum_value<T: Copy>(
        &mut self,
        o: &Obj<'_>,
        key: &str,
        what: &str,
        options: &[(&str, T)],
        default: T,
    ) -> T {
        let Some(s) = self.scalar(o, key, what) else {
            return default;
        };
        match options.iter().find(|(n, _)| *n == s.as_str()) {
            Some((_, v)) => *v,
            None => {
                let span = self.scalar_span(s);
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                self.error_hint(
                    "bad-value",
                    span,
                    format!("`{}` is not a valid `{key}`", s.as_str()),
                    format!("use one of: {}", names.join(", ")),
                );
                default
            }
        }
    }

    /// Parses a condition; the type check waits until every id is known.
    fn condition(&mut self, s: &MarkedScalarNode) -> Option<Expr> {
        let span = self.scalar_span(s);
        // Quoted conditions start one character after the quote.
        let quoted = matches!(self.text_of()[span.start..].chars().next(), Some('"' | '\''));
        let base = Span { start: span.start + usize::from(quoted), ..span };
        match expr::parse(s.as_str()) {
            Ok(e) => {
                self.conditions.push((e.clone(), base));
                Some(e)
            }
            Err(e) => {
                let at = Span {
                    file: self.file,
                    start: base.start + e.span.start,
                    end: base.start + e.span.end.max(e.span.start + 1),
                };
                self.error("condition", at, format!("in condition `{}`: {}", s.as_str(), e.message));
                None
            }
        }
    }

    fn module(&mut self, root: &YNode, files: &BTreeSet<String>) -> Option<Module> {
        const KEYS: &[&str] = &[
            "module",
            "version",
            "title",
            "description",
            "source_lang",
            "languages",
            "example",
            "mastery",
            "backtrack",
            "content_warning",
            "framework",
            "bands",
            "variables",
            "characters",
            "theme",
            "start",
            "nodes",
        ];
        let o = self.obj(root, "the module", KEYS)?;
        let what = "the module";
        let id = self.id(&o, "module", what).map(|(id, _)| id);
        let version = self.required(&o, "version", what).map(|s| s.as_str().to_string());
        let title = self.text(&o, "title", "module/title".into(), what, true);
        let description = self.text(&o, "description", "module/description".into(), what, false);
        let source_lang = self.required(&o, "source_lang", what).map(|s| s.as_str().to_string());
        let mut languages = Vec::new();
        for n in self.list(&o, "languages", what) {
            match n.as_scalar() {
                Some(s) if languages.contains(&s.as_str().to_string()) => {
                    let span = self.scalar_span(s);
                    self.error("duplicate-language", span, format!("`{}` is listed twice", s.as_str()));
                }
                Some(s) if is_language_tag(s.as_str()) => languages.push(s.as_str().to_string()),
                _ => {
                    let span = self.node_span(n);
                    self.error_hint(
                        "bad-language",
                        span,
                        "not a language tag",
                        "use BCP 47 tags such as `en`, `ar`, `zh-Hans`",
                    );
                }
            }
        }
        if let Some(src) = &source_lang
            && !languages.contains(src)
        {
            languages.insert(0, src.clone());
        }
        let example = self.bool(&o, "example", what).unwrap_or(false);
        let mastery = self.fraction(&o, "mastery", what, 0.6);
        let backtrack = self.enum_value(
            &o,
            "backtrack",
            what,
            &[
                ("never", BacktrackPolicy::Never),
                ("always", BacktrackPolicy::Always),
                ("per_node", BacktrackPolicy::PerNode),
            ],
            BacktrackPolicy::PerNode,
        );
        let content_warning = self.text(&o, "content_warning", "module/content_warning".into(), what, false);
        let framework = match o.get("framework") {
            Some(n) => self.framework(n),
            None => {
                let span = o.span;
                self.error_hint(
                    "missing-key",
                    span,
                    "the module needs a `framework`",
                    "a framework lists the competencies that choices and questions score",
                );
                None
            }
        };
        let bands = self.bands(&o);
        self.variables(&o);
        let characters = self.characters(&o, files);
        let theme = self.scalar(&o, "theme", what).and_then(|s| {
            let span = self.scalar_span(s);
            let path = self.asset_path(s, files)?;
            if !path.ends_with(".css") {
                self.error_hint(
                    "theme-not-css",
                    span,
                    format!("the theme `{path}` is not a stylesheet"),
                    "name a `.css` file that sets the player's colours (docs/theming.md)",
                );
                return None;
            }
            Some(path)
        });
        let start = self.required(&o, "start", what).map(|s| {
            let span = self.scalar_span(s);
            self.refs.push((Ref::Id(IdKind::Node), s.as_str().to_string(), span));
            s.as_str().to_string()
        });
        let mut nodes = Vec::new();
        if o.get("nodes").is_none() {
            let span = o.span;
            self.error("missing-key", span, "the module needs `nodes`");
        }
        for n in self.list(&o, "nodes", what) {
            if let Some(node) = self.node(n, files) {
                nodes.push(node);
            }
        }
        Some(Module {
            id: id?,
            version: version?,
            title: title?,
            description,
            source_lang: source_lang?,
            languages,
            example,
            mastery,
            backtrack,
            content_warning,
            framework: framework?,
            bands,
            variables: std::mem::take(&mut self.vars),
            characters,
            theme,
            start: start?,
            nodes,
            strings: BTreeMap::new(),
            content_hash: String::new(),
        })
    }

    fn framework(&mut self, n: &YNode) -> Option<Framework> {
        let what = "the framework";
        let o = self.obj(n, what, &["iri", "title", "competencies"])?;
        let iri = self.iri(&o, what);
        let title = self.text(&o, "title", "framework/title".into(), what, false);
        for c in self.list(&o, "competencies", what) {
            let what = "a competency";
            let Some(co) = self.obj(c, what, &["id", "iri", "title", "max"]) else {
                continue;
            };
            let Some((id, span)) = self.id(&co, "id", what) else {
                continue;
            };
            if !self.declare("competency", &id, span) {
                continue;
            }
            let iri = self.iri(&co, what);
            let title = self.text(&co, "title", format!("competency/{id}/title"), what, true);
            if co.get("max").is_none() {
                self.error("missing-key", span, format!("the competency `{id}` needs `max`"));
            }
            let max = self.int(&co, "max", what);
            if let Some(m) = co.get("max") {
                let mspan = self.node_span(m);
                self.index.insert("competency-max", &id, mspan);
                if max.is_some_and(|m| m <= 0) {
                    self.error("out-of-range", mspan, format!("the maximum of `{id}` must be above 0"));
                }
            }
            if let (Some(iri), Some(title), Some(max)) = (iri, title, max) {
                self.competencies.push(Competency {
                    id,
                    iri,
                    title,
                    max: max.clamp(1, i32::MAX as i64) as i32,
                });
            }
        }
        if self.competencies.is_empty() {
            let span = o.span;
            self.error("no-competencies", span, "the framework lists no competencies");
        }
        Some(Framework { iri: iri?, title, competencies: self.competencies.clone() })
    }

    fn iri(&mut self, o: &Obj<'_>, what: &str) -> Option<String> {
        let s = self.required(o, "iri", what)?;
        let v = s.as_str();
        let scheme_ok = v.split_once(':').is_some_and(|(scheme, rest)| {
            !rest.is_empty()
                && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        });
        if !scheme_ok || v.contains(char::is_whitespace) {
            let span = self.scalar_span(s);
            self.error_hint(
                "bad-iri",
                span,
                format!("`{v}` is not an IRI"),
                "write an absolute IRI such as `https://example.org/frameworks/foster-care/safeguarding`",
            );
        }
        // Keep going with the value as written, so one bad IRI does not hide the competency.
        Some(v.to_string())
    }

    fn bands(&mut self, o: &Obj<'_>) -> Vec<Band> {
        let mut out = Vec::new();
        for b in self.list(o, "bands", "the module") {
            let what = "an outcome band";
            let Some(bo) = self.obj(b, what, &["id", "title", "pass"]) else {
                continue;
            };
            let Some((id, span)) = self.id(&bo, "id", what) else {
                continue;
            };
            if out.iter().any(|x: &Band| x.id == id) {
                self.error("duplicate-id", span, format!("the band `{id}` is declared twice"));
                continue;
            }
            self.index.insert("band", &id, span);
            let pass = self.bool(&bo, "pass", what).unwrap_or(true);
            if let Some(title) = self.text(&bo, "title", format!("band/{id}/title"), what, true) {
                out.push(Band { id, title, pass });
            }
        }
        out
    }

    fn variables(&mut self, o: &Obj<'_>) {
        let Some(node) = o.get("variables") else {
            return;
        };
        let Some(map) = node.as_mapping() else {
            let span = self.node_span(node);
            self.error("wrong-type", span, "`variables` must map names to declarations");
            return;
        };
        for (name, decl) in map.iter() {
            let span = self.scalar_span(name);
            let name = name.as_str().to_string();
            if !valid_id(&name) || ["and", "or", "not", "in", "true", "false"].contains(&name.as_str()) {
                self.error_hint("bad-id", span, format!("`{name}` cannot be a variable name"), ID_HINT);
                continue;
            }
            if !self.declare("var", &name, span) {
                continue;
            }
            let what = format!("the variable `{name}`");
            let Some(d) = self.obj(decl, &what, &["type", "min", "max", "init", "values"]) else {
                continue;
            };
            let Some(ty) = self.required(&d, "type", &what) else {
                continue;
            };
            let (ty, init) = match ty.as_str() {
                "int" => {
                    let min = self.int(&d, "min", &what).unwrap_or(i64::MIN);
                    let max = self.int(&d, "max", &what).unwrap_or(i64::MAX);
                    let init = self.int(&d, "init", &what).unwrap_or(min.max(0).min(max));
                    if min > max {
                        self.error("out-of-range", span, format!("{what}: `min` is above `max`"));
                        continue;
                    }
                    if !(min..=max).contains(&init) {
                        let ispan = d.get("init").map_or(span, |n| self.node_span(n));
                        self.error(
                            "out-of-range",
                            ispan,
                            format!("{what}: `init` {init} is outside {min}..{max}"),
                        );
                    }
                    (VarType::Int { min, max }, Value::Int(init.clamp(min, max)))
                }
                "bool" => (VarType::Bool, Value::Bool(self.bool(&d, "init", &what).unwrap_or(false))),
                "enum" | "set" => {
                    let mut values = Vec::new();
                    for v in self.list(&d, "values", &what) {
                        match v.as_scalar().filter(|s| valid_id(s.as_str())) {
                            Some(s) => values.push(s.as_str().to_string()),
                            None => {
                                let vspan = self.node_span(v);
                                self.error_hint("bad-id", vspan, "not a valid value name", ID_HINT);
                            }
                        }
                    }
                    if values.is_empty() {
                        self.error("missing-key", span, format!("{what} needs a list of `values`"));
                        continue;
                    }
                    if ty.as_str() == "enum" {
                        let init = match self.scalar(&d, "init", &what) {
                            Some(s) if values.iter().any(|v| v == s.as_str()) => s.as_str().to_string(),
                            Some(s) => {
                                let ispan = self.scalar_span(s);
                                self.error(
                                    "bad-value",
                                    ispan,
                                    format!("`{}` is not one of the values of `{name}`", s.as_str()),
                                );
                                continue;
                            }
                            None => values[0].clone(),
                        };
                        (VarType::Enum { values }, Value::Sym(init))
                    } else {
                        let mut init = BTreeSet::new();
                        for v in self.list(&d, "init", &what) {
                            match v.as_scalar().filter(|s| values.iter().any(|x| x == s.as_str())) {
                                Some(s) => {
                                    init.insert(s.as_str().to_string());
                                }
                                None => {
                                    let vspan = self.node_span(v);
                                    self.error(
                                        "bad-value",
                                        vspan,
                                        format!("not a member of the set `{name}`"),
                                    );
                                }
                            }
                        }
                        (VarType::Set { values }, Value::Set(init.into_iter().collect()))
                    }
                }
                other => {
                    let tspan = self.scalar_span(ty);
                    self.error_hint(
                        "bad-value",
                        tspan,
                        format!("`{other}` is not a variable type"),
                        "use int, bool, enum or set",
                    );
                    continue;
                }
            };
            self.vars.push(VarDecl { name, ty, init });
        }
    }

    fn characters(&mut self, o: &Obj<'_>, files: &BTreeSet<String>) -> Vec<Character> {
        let Some(node) = o.get("characters") else {
            return Vec::new();
        };
        let Some(map) = node.as_mapping() else {
            let span = self.node_span(node);
            self.error("wrong-type", span, "`characters` must map ids to characters");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (id, c) in map.iter() {
            let span = self.scalar_span(id);
            let id = id.as_str().to_string();
            if !valid_id(&id) {
                self.error_hint("bad-id", span, format!("`{id}` is not a valid id"), ID_HINT);
                continue;
            }
            self.index.insert("character", &id, span);
            let what = format!("the character `{id}`");
            let Some(co) = self.obj(c, &what, &["name", "portrait"]) else {
                continue;
            };
            let portrait = self.scalar(&co, "portrait", &what).and_then(|s| self.asset_path(s, files));
            if let Some(name) = self.text(&co, "name", format!("character/{id}/name"), &what, true) {
                out.push(Character { id, name, portrait });
            }
        }
        out
    }

    fn effects(&mut self, o: &Obj<'_>, key: &str) -> Vec<Effect> {
        let Some(node) = o.get(key) else {
            return Vec::new();
        };
        let Some(map) = node.as_mapping() else {
            let span = self.node_span(node);
            self.error_hint(
                "wrong-type",
                span,
                format!("`{key}` must map variables or competencies to changes"),
                "for example `{ trust: +1, safeguarding: +3 }`",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (target, change) in map.iter() {
            let tspan = self.scalar_span(target);
            let name = target.as_str();
            let Some(change) = change.as_scalar() else {
                let span = self.node_span(change);
                self.error("wrong-type", span, format!("the change to `{name}` must be a single value"));
                continue;
            };
            let cspan = self.scalar_span(change);
            let v = change.as_str().trim();
            let signed = v.starts_with('+') || v.starts_with('-');
            if let Some(c) = self.competencies.iter().find(|c| c.id == name) {
                match v.parse::<i32>() {
                    Ok(by) => out.push(Effect::Score { competency: c.id.clone(), by }),
                    Err(_) => self.error_hint(
                        "effect-type",
                        cspan,
                        format!("`{name}` is a competency: its change must be a number, not `{v}`"),
                        "write `+2` or `-1`",
                    ),
                }
                continue;
            }
            let Some(var) = self.vars.iter().find(|d| d.name == name).cloned() else {
                let names: Vec<&str> = self
                    .vars
                    .iter()
                    .map(|v| v.name.as_str())
                    .chain(self.competencies.iter().map(|c| c.id.as_str()))
                    .collect();
                let msg = format!("`{name}` is neither a variable nor a competency");
                match did_you_mean(name, names) {
                    Some(s) => {
                        self.error_hint("unknown-variable", tspan, msg, format!("did you mean `{s}`?"))
                    }
                    None => self.error_hint(
                        "unknown-variable",
                        tspan,
                        msg,
                        "declare it under `variables:` or the framework's `competencies:`",
                    ),
                }
                continue;
            };
            let effect = match &var.ty {
                VarType::Int { min, max } => match v.parse::<i64>() {
                    Ok(n) if signed => Some(Effect::Add { var: var.name.clone(), by: n }),
                    Ok(n) if (*min..=*max).contains(&n) => {
                        Some(Effect::Set { var: var.name.clone(), value: Value::Int(n) })
                    }
                    Ok(n) => {
                        self.error(
                            "effect-type",
                            cspan,
                            format!("`{name}` cannot be set to {n}: it is between {min} and {max}"),
                        );
                        None
                    }
                    Err(_) => {
                        self.error_hint(
                            "effect-type",
                            cspan,
                            format!("`{name}` is a number: `{v}` does not fit"),
                            "write `+1` to add, `-1` to subtract, `3` to set",
                        );
                        None
                    }
                },
                VarType::Bool => match v {
                    "true" | "false" => {
                        Some(Effect::Set { var: var.name.clone(), value: Value::Bool(v == "true") })
                    }
                    _ => {
                        self.error(
                            "effect-type",
                            cspan,
                            format!("`{name}` is true/false: `{v}` does not fit"),
                        );
                        None
                    }
                },
                VarType::Enum { values } => {
                    if values.iter().any(|x| x == v) {
                        Some(Effect::Set { var: var.name.clone(), value: Value::Sym(v.to_string()) })
                    } else {
                        self.error_hint(
                            "effect-type",
                            cspan,
                            format!("`{v}` is not a value of `{name}`"),
                            format!("the values are {}", values.join(", ")),
                        );
                        None
                    }
                }
                VarType::Set { values } => {
                    let item = v.get(1..).unwrap_or("");
                    if !signed || !values.iter().any(|x| x == item) {
                        self.error_hint(
                            "effect-type",
                            cspan,
                            format!("`{v}` does not change the set `{name}`"),
                            format!("write `+member` or `-member`, members: {}", values.join(", ")),
                        );
                        None
                    } else if v.starts_with('+') {
                        Some(Effect::Insert { var: var.name.clone(), item: item.to_string() })
                    } else {
                        Some(Effect::Remove { var: var.name.clone(), item: item.to_string() })
                    }
                }
            };
            out.extend(effect);
        }
        out
    }

    /// `next: n.x` or `routes: [{ if: …, next: … }]`, exactly one of them.
    fn routes(&mut self, o: &Obj<'_>, what: &str) -> Vec<Route> {
        let next = o.get("next");
        let routes = o.get("routes");
        let mut out = Vec::new();
        match (next, routes) {
            (Some(_), Some(r)) => {
                let span = self.node_span(r);
                self.error("next-and-routes", span, format!("{what} has both `next` and `routes`; keep one"));
                if let Some(s) = self.scalar(o, "next", what) {
                    out.push(Route { when: None, next: s.as_str().to_string() });
                }
            }
            (None, None) => {
                let span = o.span;
                self.error_hint(
                    "dead-end",
                    span,
                    format!("{what} leads nowhere"),
                    "add `next: <node id>` or `routes:`",
                );
            }
            (Some(_), None) => {
                if let Some(s) = self.scalar(o, "next", what) {
                    let span = self.scalar_span(s);
                    self.refs.push((Ref::Id(IdKind::Node), s.as_str().to_string(), span));
                    out.push(Route { when: None, next: s.as_str().to_string() });
                }
            }
            (None, Some(_)) => {
                let items = self.list(o, "routes", what);
                for (i, r) in items.iter().enumerate() {
                    let Some(ro) = self.obj(r, "a route", &["if", "next"]) else {
                        continue;
                    };
                    let when = match self.scalar(&ro, "if", "a route") {
                        Some(s) => match self.condition(s) {
                            Some(e) => Some(e),
                            None => continue,
                        },
                        None => None,
                    };
                    if when.is_none() && i + 1 < items.len() {
                        let span = ro.span;
                        self.diags.push(
                            Diagnostic::warning(
                                "unreachable-route",
                                Some(span),
                                "the routes after this one are never taken",
                            )
                            .with_hint("a route without `if` always matches; put it last"),
                        );
                    }
                    let Some(next) = self.required(&ro, "next", "a route") else {
                        continue;
                    };
                    let span = self.scalar_span(next);
                    self.refs.push((Ref::Id(IdKind::Node), next.as_str().to_string(), span));
                    out.push(Route { when, next: next.as_str().to_string() });
                }
                if !out.is_empty() && out.iter().all(|r| r.when.is_some()) {
                    let span = self.node_span(routes.expect("present"));
                    self.diags.push(
                        Diagnostic::warning(
                            "no-default-route",
                            Some(span),
                            format!("{what}: when no condition holds, the learner is stuck"),
                        )
                        .with_hint("end the list with a route without `if`"),
                    );
                }
            }
        }
        out
    }

    fn node(&mut self, n: &YNode, files: &BTreeSet<String>) -> Option<Node> {
        const COMMON: &[&str] =
            &["id", "kind", "text", "speaker", "warning", "media", "on_enter", "backtrack"];
        let kind_name = n.as_mapping().and_then(|m| m.get_scalar("kind")).map(|s| s.as_str().to_string());
        let extra: &[&str] = match kind_name.as_deref() {
            Some("narrative") => &["next", "routes"],
            Some("decision") => &["choices", "shuffle"],
            Some("quiz") => &["questions", "draw", "pass_mark", "next", "routes"],
            Some("reflection") => &["store", "next", "routes"],
            Some("ending") => &["band"],
            _ => &["next", "routes", "choices", "shuffle", "questions", "draw", "pass_mark", "store", "band"],
        };
        let allowed: Vec<&str> = COMMON.iter().chain(extra).copied().collect();
        let o = self.obj(n, "a node", &allowed)?;
        let (id, span) = self.id(&o, "id", "a node")?;
        let declared = self.declare("node", &id, span);
        let what = format!("the node `{id}`");
        let speaker = self.scalar(&o, "speaker", &what).map(|s| {
            let sspan = self.scalar_span(s);
            self.refs.push((Ref::Character, s.as_str().to_string(), sspan));
            s.as_str().to_string()
        });
        let kind_s = self.required(&o, "kind", &what)?;
        let text_required = !matches!(kind_s.as_str(), "quiz");
        let text = self.text(&o, "text", format!("{id}/text"), &what, text_required);
        let warning = self.text(&o, "warning", format!("{id}/warning"), &what, false);
        let media = self.media(&o, files);
        let on_enter = self.effects(&o, "on_enter");
        let backtrack = self.bool(&o, "backtrack", &what);
        let kind = match kind_s.as_str() {
            "narrative" => NodeKind::Narrative { routes: self.routes(&o, &what) },
            "decision" => {
                let mut choices = Vec::new();
                let items = self.list(&o, "choices", &what);
                if items.is_empty() {
                    let span = o.span;
                    self.error_hint(
                        "no-choices",
                        span,
                        format!("{what} is a decision without `choices`"),
                        "a decision needs at least two choices; use `kind: narrative` for a single way on",
                    );
                }
                for c in items {
                    choices.extend(self.choice(c));
                }
                let shuffle = self.bool(&o, "shuffle", &what).unwrap_or(true);
                NodeKind::Decision { choices, shuffle }
            }
            "quiz" => {
                let mut questions = Vec::new();
                let items = self.list(&o, "questions", &what);
                for q in &items {
                    questions.extend(self.question(q));
                }
                if items.is_empty() {
                    let span = o.span;
                    self.error("no-questions", span, format!("{what} is a quiz without `questions`"));
                }
                let draw = self.int(&o, "draw", &what).and_then(|d| {
                    if d < 1 || d as usize > questions.len() {
                        let dspan = self.node_span(o.get("draw").expect("present"));
                        self.error(
                            "out-of-range",
                            dspan,
                            format!(
                                "`draw` must be between 1 and the number of questions ({})",
                                questions.len()
                            ),
                        );
                        None
                    } else {
                        Some(d as usize)
                    }
                });
                let pass_mark = self.fraction(&o, "pass_mark", &what, 0.7);
                NodeKind::Quiz { questions, draw, pass_mark, routes: self.routes(&o, &what) }
            }
            "reflection" => {
                let store = self.enum_value(
                    &o,
                    "store",
                    &what,
                    &[("local", ReflectionStore::Local), ("lrs", ReflectionStore::Lrs)],
                    ReflectionStore::Local,
                );
                NodeKind::Reflection { store, routes: self.routes(&o, &what) }
            }
            "ending" => {
                let band = self.required(&o, "band", &what)?;
                let bspan = self.scalar_span(band);
                self.refs.push((Ref::Band, band.as_str().to_string(), bspan));
                NodeKind::Ending { band: band.as_str().to_string() }
            }
            other => {
                let kspan = self.scalar_span(kind_s);
                let kinds = ["narrative", "decision", "quiz", "reflection", "ending"];
                let hint = match did_you_mean(other, kinds) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the kinds are {}", kinds.join(", ")),
                };
                self.error_hint("bad-value", kspan, format!("`{other}` is not a node kind"), hint);
                return None;
            }
        };
        declared.then_some(Node { id, speaker, text, warning, media, on_enter, backtrack, kind })
    }

    fn media(&mut self, o: &Obj<'_>, files: &BTreeSet<String>) -> Vec<Media> {
        let mut out = Vec::new();
        for m in self.list(o, "media", "a node") {
            let what = "a media item";
            let Some(mo) = self.obj(
                m,
                what,
                &["id", "src", "kind", "bytes", "alt", "caption", "transcript", "captions", "low_data"],
            ) else {
                continue;
            };
            let Some((id, span)) = self.id(&mo, "id", what) else {
                continue;
            };
            if !self.declare("media", &id, span) {
                continue;
            }
            let what = format!("the media `{id}`");
            let kind = self.enum_value(
                &mo,
                "kind",
                &what,
                &[("image", MediaKind::Image), ("audio", MediaKind::Audio), ("video", MediaKind::Video)],
                MediaKind::Image,
            );
            let src = self.required(&mo, "src", &what).and_then(|s| self.asset_path(s, files));
            let captions = self.scalar(&mo, "captions", &what).and_then(|s| self.asset_path(s, files));
            let bytes = self.int(&mo, "bytes", &what).map(|b| b.max(0) as u64);
            let alt = self.text(&mo, "alt", format!("{id}/alt"), &what, false);
            let caption = self.text(&mo, "caption", format!("{id}/caption"), &what, false);
            let transcript = self.text(&mo, "transcript", format!("{id}/transcript"), &what, false);
            if kind == MediaKind::Image && alt.is_none() && mo.get("alt").is_none() {
                self.error_hint("missing-alt", span, format!("the image `{id}` has no `alt` text"), "describe what the image shows for learners who cannot see it; `alt: \"\"` is not allowed because scenario images carry meaning");
            }
            if kind != MediaKind::Image && transcript.is_none() && mo.get("transcript").is_none() {
                self.error_hint(
                    "missing-transcript",
                    span,
                    format!(
                        "the {} `{id}` has no `transcript`",
                        if kind == MediaKind::Audio { "audio" } else { "video" }
                    ),
                    "learners who cannot hear it, or are on a slow connection, read the transcript",
                );
            }
            let low_data = self.enum_value(
                &mo,
                "low_data",
                &what,
                &[("tap", LowData::Tap), ("skip", LowData::Skip), ("always", LowData::Always)],
                LowData::Tap,
            );
            if let Some(src) = src {
                out.push(Media { id, src, kind, bytes, alt, caption, transcript, captions, low_data });
            }
        }
        out
    }

    /// A path inside the module folder; anything that could escape it is refused.
    fn asset_path(&mut self, s: &MarkedScalarNode, files: &BTreeSet<String>) -> Option<String> {
        let span = self.scalar_span(s);
        let p = s.as_str().replace('\\', "/");
        let escapes =
            p.starts_with('/') || p.contains(':') || p.split('/').any(|seg| seg == ".." || seg.is_empty());
        if escapes {
            self.error_hint(
                "asset-path",
                span,
                format!("`{}` is not a path inside the module folder", s.as_str()),
                "write a relative path such as `media/bedroom.jpg`",
            );
            return None;
        }
        let p = p.trim_start_matches("./").to_string();
        if !files.contains(&p) {
            self.error("missing-media", span, format!("the file `{p}` is not in the module folder"));
        }
        Some(p)
    }

    fn choice(&mut self, c: &YNode) -> Option<Choice> {
        let o = self.obj(
            c,
            "a choice",
            &["id", "text", "if", "effects", "feedback", "debrief", "next", "routes", "pin"],
        )?;
        let (id, span) = self.id(&o, "id", "a choice")?;
        let declared = self.declare("choice", &id, span);
        let what = format!("the choice `{id}`");
        let text = self.text(&o, "text", format!("{id}/text"), &what, true);
        let visible_if = self.scalar(&o, "if", &what).and_then(|s| self.condition(s));
        let effects = self.effects(&o, "effects");
        let feedback = self.text(&o, "feedback", format!("{id}/feedback"), &what, false);
        let debrief = self.text(&o, "debrief", format!("{id}/debrief"), &what, false);
        let routes = self.routes(&o, &what);
        let pin = self.bool(&o, "pin", &what).unwrap_or(false);
        (declared && !routes.is_empty()).then_some(())?;
        Some(Choice { id, text: text?, visible_if, effects, feedback, debrief, routes, pin })
    }

    fn question(&mut self, q: &YNode) -> Option<Question> {
        const COMMON: &[&str] = &["id", "type", "text", "points", "competency", "attempts", "feedback"];
        let ty = q.as_mapping().and_then(|m| m.get_scalar("type")).map(|s| s.as_str().to_string());
        let extra: &[&str] = match ty.as_deref() {
            Some("single_choice") => &["options", "shuffle", "show_answer"],
            Some("multiple_choice") => &["options", "partial", "shuffle", "show_answer"],
            Some("true_false") => &["answer", "feedback_true", "feedback_false", "show_answer"],
            Some("ordering") => &["items", "partial", "show_answer"],
            Some("matching") => &["pairs", "partial", "show_answer"],
            Some("fill_in") => &["accepted", "case_sensitive", "show_answer"],
            Some("numeric") => &["answer", "tolerance", "show_answer"],
            Some("likert") => &["scale", "low", "high"],
            Some("free_text") => &[],
            _ => &[
                "options",
                "partial",
                "answer",
                "items",
                "pairs",
                "accepted",
                "case_sensitive",
                "tolerance",
                "scale",
                "low",
                "high",
                "feedback_true",
                "feedback_false",
                "shuffle",
                "show_answer",
            ],
        };
        let allowed: Vec<&str> = COMMON.iter().chain(extra).copied().collect();
        let o = self.obj(q, "a question", &allowed)?;
        let (id, span) = self.id(&o, "id", "a question")?;
        let declared = self.declare("question", &id, span);
        let what = format!("the question `{id}`");
        let text = self.text(&o, "text", format!("{id}/text"), &what, true);
        let ty_s = self.required(&o, "type", &what)?;
        let partial_default = Partial::Proportional;
        let partial = |cx: &mut Self| {
            cx.enum_value(
                &o,
                "partial",
                &what,
                &[("none", Partial::None), ("proportional", Partial::Proportional)],
                partial_default,
            )
        };
        let body = match ty_s.as_str() {
            "single_choice" | "multiple_choice" => {
                let options = self.options(&o, &id, span);
                let n_correct = options.iter().filter(|x| x.correct).count();
                if ty_s.as_str() == "single_choice" {
                    if n_correct == 0 {
                        self.error_hint(
                            "no-correct-answer",
                            span,
                            format!("{what} has no correct option"),
                            "mark one option `correct: true`, or use `likert` for an ungraded question",
                        );
                    } else if n_correct > 1 {
                        self.error_hint(
                            "several-correct",
                            span,
                            format!("{what} is single choice but has {n_correct} correct options"),
                            "use `type: multiple_choice`",
                        );
                    }
                    QuestionBody::SingleChoice { options }
                } else {
                    if n_correct == 0 {
                        self.error_hint(
                            "no-correct-answer",
                            span,
                            format!("{what} has no correct option"),
                            "mark the right options `correct: true`",
                        );
                    }
                    let partial = partial(self);
                    QuestionBody::MultipleChoice { options, partial }
                }
            }
            "true_false" => {
                if o.get("answer").is_none() {
                    self.error(
                        "no-correct-answer",
                        span,
                        format!("{what} needs `answer: true` or `answer: false`"),
                    );
                }
                let answer = self.bool(&o, "answer", &what)?;
                let feedback_true =
                    self.text(&o, "feedback_true", format!("{id}/true/feedback"), &what, false);
                let feedback_false =
                    self.text(&o, "feedback_false", format!("{id}/false/feedback"), &what, false);
                QuestionBody::TrueFalse { answer, feedback_true, feedback_false }
            }
            "ordering" => {
                let mut items = Vec::new();
                for it in self.list(&o, "items", &what) {
                    let Some(io) = self.obj(it, "an item", &["id", "text"]) else {
                        continue;
                    };
                    let Some((iid, ispan)) = self.id(&io, "id", "an item") else {
                        continue;
                    };
                    if items.iter().any(|x: &Item| x.id == iid) {
                        self.error("duplicate-id", ispan, format!("`{iid}` is used twice in {what}"));
                        continue;
                    }
                    if let Some(text) = self.text(&io, "text", format!("{id}/{iid}/text"), "an item", true) {
                        items.push(Item { id: iid, text });
                    }
                }
                if items.len() < 2 {
                    self.error("too-few-items", span, format!("{what} needs at least two `items` to order"));
                }
                QuestionBody::Ordering { items, partial: partial(self) }
            }
            "matching" => {
                let mut pairs = Vec::new();
                for it in self.list(&o, "pairs", &what) {
                    let Some(po) = self.obj(it, "a pair", &["id", "prompt", "match"]) else {
                        continue;
                    };
                    let Some((pid, pspan)) = self.id(&po, "id", "a pair") else {
                        continue;
                    };
                    if pairs.iter().any(|x: &Pair| x.id == pid) {
                        self.error("duplicate-id", pspan, format!("`{pid}` is used twice in {what}"));
                        continue;
                    }
                    let prompt = self.text(&po, "prompt", format!("{id}/{pid}/prompt"), "a pair", true);
                    let answer = self.text(&po, "match", format!("{id}/{pid}/match"), "a pair", true);
                    if let (Some(prompt), Some(answer)) = (prompt, answer) {
                        pairs.push(Pair { id: pid, prompt, answer });
                    }
                }
                if pairs.len() < 2 {
                    self.error("too-few-items", span, format!("{what} needs at least two `pairs` to match"));
                }
                QuestionBody::Matching { pairs, partial: partial(self) }
            }
            "fill_in" => {
                let mut accepted = Vec::new();
                for a in self.list(&o, "accepted", &what) {
                    match a
                        .as_scalar()
                        .map(|s| s.as_str().trim())
                        .filter(|s| !s.is_empty() && !s.contains('|'))
                    {
                        Some(s) => accepted.push(s.to_string()),
                        None => {
                            let aspan = self.node_span(a);
                            self.error(
                                "bad-value",
                                aspan,
                                "an accepted answer must be non-empty text without `|`",
                            );
                        }
                    }
                }
                if accepted.is_empty() {
                    self.error_hint(
                        "no-correct-answer",
                        span,
                        format!("{what} has no `accepted` answers"),
                        "list the answers that count as right",
                    );
                }
                let key = format!("{id}/accepted");
                let aspan = o.get("accepted").map_or(span, |n| self.node_span(n));
                self.index.insert("text", &key, aspan);
                self.strings.insert(key.clone(), accepted.join("|"));
                let case_sensitive = self.bool(&o, "case_sensitive", &what).unwrap_or(false);
                QuestionBody::FillIn { accepted: key, case_sensitive }
            }
            "numeric" => {
                if o.get("answer").is_none() {
                    self.error("no-correct-answer", span, format!("{what} needs a numeric `answer`"));
                }
                let answer = self.float(&o, "answer", &what)?;
                let tolerance = self.float(&o, "tolerance", &what).unwrap_or(0.0);
                if tolerance < 0.0 {
                    let tspan = self.node_span(o.get("tolerance").expect("present"));
                    self.error("out-of-range", tspan, "`tolerance` cannot be negative");
                }
                QuestionBody::Numeric { answer, tolerance: tolerance.abs() }
            }
            "likert" => {
                let scale = self.int(&o, "scale", &what).unwrap_or(5);
                if !(2..=11).contains(&scale) {
                    let sspan = o.get("scale").map_or(span, |n| self.node_span(n));
                    self.error("out-of-range", sspan, "`scale` must be between 2 and 11 points");
                }
                let low = self.text(&o, "low", format!("{id}/low"), &what, true);
                let high = self.text(&o, "high", format!("{id}/high"), &what, true);
                QuestionBody::Likert { scale: scale.clamp(2, 11) as u8, low: low?, high: high? }
            }
            "free_text" => QuestionBody::FreeText,
            other => {
                let tspan = self.scalar_span(ty_s);
                let types = [
                    "single_choice",
                    "multiple_choice",
                    "true_false",
                    "ordering",
                    "matching",
                    "fill_in",
                    "numeric",
                    "likert",
                    "free_text",
                ];
                let hint = match did_you_mean(other, types) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the types are {}", types.join(", ")),
                };
                self.error_hint("bad-value", tspan, format!("`{other}` is not a question type"), hint);
                return None;
            }
        };
        let graded = body.is_graded();
        let points = match self.float(&o, "points", &what) {
            Some(p) if p < 0.0 => {
                let pspan = self.node_span(o.get("points").expect("present"));
                self.error("out-of-range", pspan, "`points` cannot be negative");
                0.0
            }
            Some(p) if !graded && p > 0.0 => {
                let pspan = self.node_span(o.get("points").expect("present"));
                self.error_hint(
                    "ungraded-points",
                    pspan,
                    format!("a {} question is not graded and cannot give points", body.type_name()),
                    "remove `points`",
                );
                0.0
            }
            Some(p) => p,
            None if graded => 1.0,
            None => 0.0,
        };
        let competency = self.scalar(&o, "competency", &what).map(|s| {
            let cspan = self.scalar_span(s);
            self.refs.push((Ref::Id(IdKind::Competency), s.as_str().to_string(), cspan));
            s.as_str().to_string()
        });
        let attempts = self.int(&o, "attempts", &what).unwrap_or(1);
        if !(1..=10).contains(&attempts) {
            let aspan = self.node_span(o.get("attempts").expect("present"));
            self.error("out-of-range", aspan, "`attempts` must be between 1 and 10");
        }
        let (mut fc, mut fi, mut fp) = (None, None, None);
        if let Some(f) = o.get("feedback")
            && let Some(fo) = self.obj(f, "question feedback", &["correct", "incorrect", "partial"])
        {
            fc = self.text(&fo, "correct", format!("{id}/feedback/correct"), &what, false);
            fi = self.text(&fo, "incorrect", format!("{id}/feedback/incorrect"), &what, false);
            fp = self.text(&fo, "partial", format!("{id}/feedback/partial"), &what, false);
        }
        let shuffle = self.bool(&o, "shuffle", &what).unwrap_or(true);
        let show_answer = self.bool(&o, "show_answer", &what).unwrap_or(true);
        declared.then_some(())?;
        Some(Question {
            id,
            text: text?,
            points,
            competency,
            attempts: attempts.clamp(1, 10) as u32,
            feedback_correct: fc,
            feedback_incorrect: fi,
            feedback_partial: fp,
            shuffle,
            show_answer,
            body,
        })
    }

    fn options(&mut self, o: &Obj<'_>, qid: &str, qspan: Span) -> Vec<AnswerOption> {
        let mut out: Vec<AnswerOption> = Vec::new();
        for op in self.list(o, "options", "a question") {
            let Some(oo) =
                self.obj(op, "an option", &["id", "text", "correct", "feedback", "effects", "pin"])
            else {
                continue;
            };
            let Some((id, span)) = self.id(&oo, "id", "an option") else {
                continue;
            };
            if out.iter().any(|x| x.id == id) {
                self.error("duplicate-id", span, format!("the option `{id}` is used twice in `{qid}`"));
                continue;
            }
            let text = self.text(&oo, "text", format!("{qid}/{id}/text"), "an option", true);
            let correct = self.bool(&oo, "correct", "an option").unwrap_or(false);
            let feedback = self.text(&oo, "feedback", format!("{qid}/{id}/feedback"), "an option", false);
            let effects = self.effects(&oo, "effects");
            let pin = self.bool(&oo, "pin", "an option").unwrap_or(false);
            if let Some(text) = text {
                out.push(AnswerOption { id, text, correct, feedback, effects, pin });
            }
        }
        if out.len() < 2 {
            self.error("too-few-items", qspan, format!("the question `{qid}` needs at least two `options`"));
        }
        out
    }

    /// Cross-references and conditions, now that every id is known.
    fn resolve(&mut self, m: &Module) {
        for (kind, id, span) in std::mem::take(&mut self.refs) {
            let kind = match kind {
                Ref::Id(kind) => kind,
                other => {
                    let what = if matches!(other, Ref::Character) { "character" } else { "band" };
                    let id = id.as_str();
                    let (known, names): (bool, Vec<&str>) = if what == "character" {
                        (
                            m.characters.iter().any(|c| c.id == id),
                            m.characters.iter().map(|c| c.id.as_str()).collect(),
                        )
                    } else {
                        (m.bands.iter().any(|b| b.id == id), m.bands.iter().map(|b| b.id.as_str()).collect())
                    };
                    if !known {
                        let code = if what == "character" { "unknown-character" } else { "unknown-band" };
                        let hint = did_you_mean(id, names.iter().copied()).map_or_else(
                            || {
                                format!(
                                    "declare it under `{}`",
                                    if what == "character" { "characters:" } else { "bands:" }
                                )
                            },
                            |s| format!("did you mean `{s}`?"),
                        );
                        self.error_hint(code, span, format!("there is no {what} `{id}`"), hint);
                    }
                    continue;
                }
            };
            if !self.has_id(m, kind, &id) {
                let names = self.names(m, kind);
                let hint = did_you_mean(&id, names.iter().map(String::as_str)).map_or_else(
                    || format!("the {}s are: {}", kind.noun(), names.join(", ")),
                    |s| format!("did you mean `{s}`?"),
                );
                let code = match kind {
                    IdKind::Node | IdKind::QuizNode => "unknown-node",
                    IdKind::Competency => "unknown-competency",
                    _ => "unknown-id",
                };
                self.error_hint(code, span, format!("there is no {} `{id}`", kind.noun()), hint);
            }
        }
        let scope = ModuleScope { m, cx_ids: &self.ids };
        let mut found = Vec::new();
        for (e, base) in &self.conditions {
            for err in e.check(&scope) {
                let span = Span {
                    file: base.file,
                    start: base.start + err.span.start,
                    end: base.start + err.span.end.max(err.span.start + 1),
                };
                found.push(Diagnostic::error(
                    "condition",
                    Some(span),
                    format!("in condition `{e}`: {}", err.message),
                ));
            }
        }
        self.diags.extend(found);
    }

    fn has_id(&self, m: &Module, kind: IdKind, id: &str) -> bool {
        expr::Scope::has_id(&ModuleScope { m, cx_ids: &self.ids }, kind, id)
    }

    fn names(&self, m: &Module, kind: IdKind) -> Vec<String> {
        let mut v: Vec<String> = match kind {
            IdKind::Competency => m.framework.competencies.iter().map(|c| c.id.clone()).collect(),
            IdKind::Node => m.nodes.iter().map(|n| n.id.clone()).collect(),
            IdKind::QuizNode => m
                .nodes
                .iter()
                .filter(|n| matches!(n.kind, NodeKind::Quiz { .. }))
                .map(|n| n.id.clone())
                .collect(),
            IdKind::Choice | IdKind::Question => {
                let want = if kind == IdKind::Choice { "choice" } else { "question" };
                self.ids.iter().filter(|(_, (k, _))| *k == want).map(|(id, _)| id.clone()).collect()
            }
        };
        v.sort();
        v
    }

    fn translation(&mut self, m: &mut Module, file: usize) {
        let name = self.sources.files[file].name.clone();
        let Some(root) = parse_yaml(self, file) else {
            return;
        };
        let Some(o) = self.obj(&root, "a translation file", &["lang", "units"]) else {
            return;
        };
        let Some(lang) = self.required(&o, "lang", "a translation file") else {
            return;
        };
        let lspan = self.scalar_span(lang);
        let lang = lang.as_str().to_string();
        let stem = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(&name)
            .trim_end_matches(".yaml")
            .trim_end_matches(".yml");
        if stem != lang {
            self.error_hint(
                "translation-lang",
                lspan,
                format!("this file says `lang: {lang}` but is named `{stem}.yaml`"),
                format!("name it `{lang}.yaml`"),
            );
            return;
        }
        if lang == m.source_lang {
            self.error("translation-lang", lspan, format!("`{lang}` is the module's source language"));
            return;
        }
        if !m.languages.contains(&lang) {
            self.diags.push(
                Diagnostic::warning(
                    "unlisted-language",
                    Some(lspan),
                    format!("`{lang}` is not in the module's `languages`"),
                )
                .with_hint(format!("add `{lang}` to `languages:` in module.yaml, or remove this file")),
            );
        }
        let source = m.strings.get(&m.source_lang).cloned().unwrap_or_default();
        let mut table = BTreeMap::new();
        if let Some(units) = o.get("units") {
            let Some(map) = units.as_mapping() else {
                let span = self.node_span(units);
                self.error("wrong-type", span, "`units` must map keys to translations");
                return;
            };
            for (key, unit) in map.iter() {
                let kspan = self.scalar_span(key);
                let key = key.as_str();
                let Some(src_text) = source.get(key) else {
                    let hint = did_you_mean(key, source.keys().map(String::as_str)).map_or_else(
                        || "remove it, or run `hearth translate` to refresh the file".to_string(),
                        |s| format!("did you mean `{s}`?"),
                    );
                    self.diags.push(
                        Diagnostic::warning(
                            "unknown-unit",
                            Some(kspan),
                            format!("`{key}` is not a text of the module"),
                        )
                        .with_hint(hint),
                    );
                    continue;
                };
                let what = format!("the unit `{key}`");
                let Some(uo) = self.obj(unit, &what, &["source", "text"]) else {
                    continue;
                };
                let text = self
                    .scalar(&uo, "text", &what)
                    .map(|s| s.as_str().trim().to_string())
                    .unwrap_or_default();
                if text.is_empty() {
                    self.error_hint(
                        "missing-translation",
                        kspan,
                        format!("`{key}` has no {lang} text yet"),
                        format!("source: \"{}\"", ellipsis(src_text, 80)),
                    );
                    continue;
                }
                let hash =
                    self.scalar(&uo, "source", &what).map(|s| s.as_str().to_string()).unwrap_or_default();
                if hash != source_hash(src_text) {
                    let hspan = uo.get("source").map_or(kspan, |n| self.node_span(n));
                    let msg = if hash.is_empty() {
                        format!("`{key}` does not record which source text it translates")
                    } else {
                        format!("`{key}` was translated from an older source text")
                    };
                    self.diags.push(Diagnostic::warning("stale-translation", Some(hspan), msg).with_hint(
                        format!(
                            "check it against \"{}\", then run `hearth translate DIR --lang {lang} --stamp`",
                            ellipsis(src_text, 80)
                        ),
                    ));
                }
                table.insert(key.to_string(), text);
            }
        }
        let missing: Vec<&String> =
            source.keys().filter(|k| !table.contains_key(*k) && !has_unit(&root, k)).collect();
        if !missing.is_empty() {
            let span = o.map.keys().find(|k| k.as_str() == "units").map_or(o.span, |k| self.scalar_span(k));
            let list: Vec<&str> = missing.iter().take(5).map(|s| s.as_str()).collect();
            let more =
                if missing.len() > 5 { format!(" and {} more", missing.len() - 5) } else { String::new() };
            self.error_hint(
                "missing-translation",
                span,
                format!("{} text(s) have no {lang} translation: {}{more}", missing.len(), list.join(", ")),
                format!("run `hearth translate DIR --lang {lang}` to add them"),
            );
        }
        m.strings.insert(lang, table);
    }

    fn missing_translations(&mut self, m: &Module) {
        for lang in &m.languages {
            if !m.strings.contains_key(lang) {
                self.diags.push(
                    Diagnostic::error(
                        "missing-translation",
                        Some(Span { file: 0, start: 0, end: 0 }),
                        format!("`{lang}` is listed in `languages` but has no translation file"),
                    )
                    .with_hint(format!("run `hearth translate DIR --lang {lang}`")),
                );
            }
        }
    }
}

fn has_unit(root: &YNode, key: &str) -> bool {
    root.as_mapping().and_then(|m| m.get_mapping("units")).is_some_and(|u| u.get_node(key).is_some())
}

fn ellipsis(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    parts.next().is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

struct ModuleScope<'a> {
    m: &'a Module,
    cx_ids: &'a HashMap<String, (&'static str, Span)>,
}

impl expr::Scope for ModuleScope<'_> {
    fn var_type(&self, name: &str) -> Option<Ty> {
        self.m.variable(name).map(|v| match &v.ty {
            VarType::Int { .. } => Ty::Int,
            VarType::Bool => Ty::Bool,
            VarType::Enum { values } => Ty::Enum { var: v.name.clone(), values: values.clone() },
            VarType::Set { values } => Ty::Set { var: v.name.clone(), values: values.clone() },
        })
    }

    fn has_id(&self, kind: IdKind, id: &str) -> bool {
        match kind {
            IdKind::Competency => self.m.competency(id).is_some(),
            // Declared ids count even when their node failed to load, so one broken node does not
            // make every link to it an error too.
            IdKind::Node => self.cx_ids.get(id).is_some_and(|(k, _)| *k == "node"),
            IdKind::QuizNode => self.m.node(id).is_some_and(|n| matches!(n.kind, NodeKind::Quiz { .. })),
            IdKind::Choice => self.cx_ids.get(id).is_some_and(|(k, _)| *k == "choice"),
            IdKind::Question => self.cx_ids.get(id).is_some_and(|(k, _)| *k == "question"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        for ok in ["en", "ar", "zh-Hans", "fa-AF", "prs"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "EN", "english", "zh_Hans", "e"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn source_hash_is_stable() {
        assert_eq!(source_hash("Tuesday night"), source_hash("Tuesday night"));
        assert_ne!(source_hash("Tuesday night"), source_hash("Tuesday night."));
        assert_eq!(source_hash("").len(), 8);
    }
}
