//! Diagnostics: every problem in a module, with its place, a message and a hint.
//!
//! The loader and the validator never stop at the first problem: they collect [`Diagnostic`]s, and
//! [`Sources::render`] prints them in the usual `file:line:column` style with the offending line.

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;
use serde::Serialize;

/// A byte range in one of the [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Span {
    pub file: usize,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, readable name for the kind of problem, e.g. `unknown-node`.
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, code, message: message.into(), span, hint: None }
    }

    pub fn warning(code: &'static str, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, code, message: message.into(), span, hint: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// One text file the diagnostics can point into.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        SourceFile { name: name.into(), text, line_starts }
    }

    /// The byte offset of a 1-based line and 1-based column counted in characters.
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        rest[..line_end]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map(|(i, _)| start + i)
            .unwrap_or(start + line_end)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let col = self.text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        (line, col)
    }
}

/// The files of one module: `module.yaml` first, then its translations.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, file: SourceFile) -> usize {
        self.files.push(file);
        self.files.len() - 1
    }

    /// `file:line:column` of a span's start.
    pub fn locate(&self, span: Span) -> String {
        match self.files.get(span.file) {
            Some(f) => {
                let (line, col) = f.line_col(span.start);
                format!("{}:{line}:{col}", f.name)
            }
            None => "?".into(),
        }
    }

    /// Renders diagnostics with the source line and a caret under the problem. `color` adds
    /// terminal colours.
    pub fn render(&self, diagnostics: &[Diagnostic], color: bool) -> String {
        let mut files = SimpleFiles::new();
        for f in &self.files {
            files.add(f.name.as_str(), f.text.as_str());
        }
        let config = term::Config::default();
        let mut out = String::new();
        for d in diagnostics {
            let mut cd = match d.severity {
                Severity::Error => cs::Diagnostic::error(),
                Severity::Warning => cs::Diagnostic::warning(),
            }
            .with_code(d.code)
            .with_message(&d.message);
            if let Some(span) = d.span.filter(|s| s.file < self.files.len()) {
                let end = span.end.max(span.start);
                cd = cd.with_labels(vec![cs::Label::primary(span.file, span.start..end)]);
            }
            if let Some(hint) = &d.hint {
                cd = cd.with_notes(vec![format!("hint: {hint}")]);
            }
            let rendered = if color {
                let mut buf = term::termcolor::Buffer::ansi();
                term::emit_to_write_style(&mut buf, &config, &files, &cd)
                    .map(|_| String::from_utf8_lossy(buf.as_slice()).into_owned())
            } else {
                term::emit_into_string(&config, &files, &cd)
            };
            match rendered {
                Ok(text) => out.push_str(&text),
                // A span past the end of its file is a bug in Hearth; still say what is wrong.
                Err(_) => out.push_str(&format!("{:?}[{}]: {}\n", d.severity, d.code, d.message)),
            }
        }
        out
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
