//! The condition language: `trust >= 2 and not chose(c.promise)`.
//!
//! Three pure steps: [`parse`] (text → tree, errors carry a byte span), [`Expr::check`] (types against
//! the module's declarations) and [`Expr::eval`] (against a state). The canonical text form
//! ([`std::fmt::Display`]) is also the serialised form in compiled modules, so a compiled module
//! stays readable and `parse(expr.to_string()) == expr`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::Value;

/// A byte range in the condition's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    Int(i64),
    Bool(bool),
    /// A variable, or an enum member when compared with an enum variable.
    Name(String),
    Call(Func, String),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(Box<Expr>, BinOp, Box<Expr>),
    /// `item in set_var`.
    In(String, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Score,
    Visited,
    Chose,
    Correct,
    Answered,
    Passed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
}

impl Func {
    const ALL: [(Func, &'static str); 6] = [
        (Func::Score, "score"),
        (Func::Visited, "visited"),
        (Func::Chose, "chose"),
        (Func::Correct, "correct"),
        (Func::Answered, "answered"),
        (Func::Passed, "passed"),
    ];

    fn from_name(name: &str) -> Option<Func> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
    }

    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(f, _)| *f == self).map(|(_, n)| *n).unwrap_or("?")
    }

    /// What kind of id the argument names, for messages and checks.
    pub fn arg_kind(self) -> IdKind {
        match self {
            Func::Score => IdKind::Competency,
            Func::Visited => IdKind::Node,
            Func::Chose => IdKind::Choice,
            Func::Correct | Func::Answered => IdKind::Question,
            Func::Passed => IdKind::QuizNode,
        }
    }
}

impl BinOp {
    fn text(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
        }
    }

    fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            // 3 is `not`.
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => CMP,
            BinOp::Add | BinOp::Sub => 5,
        }
    }
}

/// The precedence of comparisons (and `in`); `not` sits just below, `+ -` just above.
const CMP: u8 = 4;

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    End,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

fn lex(src: &str) -> Result<Vec<(Tok, Span)>, ExprError> {
    let mut out = Vec::new();
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < src.len() {
        let c = src[i..].chars().next().unwrap_or(' ');
        let start = i;
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if c.is_ascii_digit() {
            while i < src.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let text = &src[start..i];
            let n = text.parse::<i64>().map_err(|_| ExprError {
                span: Span { start, end: i },
                message: format!("the number `{text}` is too large"),
            })?;
            out.push((Tok::Int(n), Span { start, end: i }));
            continue;
        }
        if is_ident_start(c) {
            // `-` is allowed inside ids (`q.who-to-call`) but `a - b` with spaces is subtraction,
            // and an id never ends with `-` or `.`.
            while i < src.len() && is_ident_char(bytes[i] as char) {
                i += 1;
            }
            while src[start..i].ends_with(['-', '.']) {
                i -= 1;
            }
            out.push((Tok::Ident(src[start..i].to_string()), Span { start, end: i }));
            continue;
        }
        let two = src.get(i..i + 2).unwrap_or("");
        let op: Option<&'static str> = match two {
            "==" => Some("=="),
            "!=" => Some("!="),
            "<=" => Some("<="),
            ">=" => Some(">="),
            _ => None,
        };
        if let Some(op) = op {
            out.push((Tok::Op(op), Span { start, end: i + 2 }));
            i += 2;
            continue;
        }
        let tok = match c {
            '<' => Tok::Op("<"),
            '>' => Tok::Op(">"),
            '+' => Tok::Op("+"),
            '-' => Tok::Op("-"),
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '=' => {
                return Err(ExprError {
                    span: Span { start, end: i + 1 },
                    message: "`=` is not a comparison; write `==`".into(),
                });
            }
            '&' | '|' | '!' => {
                let word = match c {
                    '&' => "and",
                    '|' => "or",
                    _ => "not",
                };
                return Err(ExprError {
                    span: Span { start, end: i + c.len_utf8() },
                    message: format!("unexpected `{c}`; write `{word}`"),
                });
            }
            _ => {
                return Err(ExprError {
                    span: Span { start, end: i + c.len_utf8() },
                    message: format!("unexpected character `{c}`"),
                });
            }
        };
        i += c.len_utf8();
        out.push((tok, Span { start, end: i }));
    }
    out.push((Tok::End, Span { start: src.len(), end: src.len() }));
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Parser: precedence climbing over `or` < `and` < `not` < comparison < `+ -` < unary < atom.

/// Parses a condition. The error's span points at the offending token.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0 };
    if matches!(p.peek(), Tok::End) {
        return Err(ExprError { span: Span::default(), message: "the condition is empty".into() });
    }
    let e = p.expr(0)?;
    match p.peek() {
        Tok::End => Ok(e),
        _ => Err(p.unexpected("`and`, `or` or the end of the condition")),
    }
}

struct Parser {
    toks: Vec<(Tok, Span)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }

    fn span(&self) -> Span {
        self.toks[self.pos].1
    }

    fn bump(&mut self) -> (Tok, Span) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn unexpected(&self, wanted: &str) -> ExprError {
        let found = match self.peek() {
            Tok::Int(n) => format!("`{n}`"),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Op(o) => format!("`{o}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::End => "the end of the condition".into(),
        };
        ExprError { span: self.span(), message: format!("expected {wanted}, found {found}") }
    }

    fn binop(&self) -> Option<BinOp> {
        match self.peek() {
            Tok::Ident(s) if s == "or" => Some(BinOp::Or),
            Tok::Ident(s) if s == "and" => Some(BinOp::And),
            Tok::Op("==") => Some(BinOp::Eq),
            Tok::Op("!=") => Some(BinOp::Ne),
            Tok::Op("<") => Some(BinOp::Lt),
            Tok::Op("<=") => Some(BinOp::Le),
            Tok::Op(">") => Some(BinOp::Gt),
            Tok::Op(">=") => Some(BinOp::Ge),
            Tok::Op("+") => Some(BinOp::Add),
            Tok::Op("-") => Some(BinOp::Sub),
            _ => None,
        }
    }

    fn expr(&mut self, min_prec: u8) -> Result<Expr, ExprError> {
        let mut lhs = self.unary()?;
        loop {
            // `x in set` binds like a comparison.
            if matches!(self.peek(), Tok::Ident(s) if s == "in") && min_prec <= CMP {
                let item = match &lhs.kind {
                    ExprKind::Name(n) => n.clone(),
                    _ => {
                        return Err(ExprError {
                            span: lhs.span,
                            message: "the left of `in` must be a set member's name".into(),
                        });
                    }
                };
                self.bump();
                let set = self.expr(CMP + 1)?;
                let span = Span { start: lhs.span.start, end: set.span.end };
                lhs = Expr { kind: ExprKind::In(item, Box::new(set)), span };
                continue;
            }
            let Some(op) = self.binop() else { break };
            let prec = op.precedence();
            if prec < min_prec {
                break;
            }
            self.bump();
            let rhs = self.expr(prec + 1)?;
            // Comparisons do not chain: `1 < x < 3` is almost always a mistake.
            if prec == CMP
                && let Some(next) = self.binop().filter(|o| o.precedence() == CMP)
            {
                return Err(ExprError {
                    span: self.span(),
                    message: format!(
                        "comparisons cannot be chained; join them with `and` before `{}`",
                        next.text()
                    ),
                });
            }
            let span = Span { start: lhs.span.start, end: rhs.span.end };
            lhs = Expr { kind: ExprKind::Binary(Box::new(lhs), op, Box::new(rhs)), span };
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        let start = self.span().start;
        match self.peek().clone() {
            Tok::Ident(s) if s == "not" => {
                self.bump();
                // `not` binds looser than comparisons: `not trust >= 2` is `not (trust >= 2)`.
                let inner = self.expr(CMP)?;
                let span = Span { start, end: inner.span.end };
                Ok(Expr { kind: ExprKind::Not(Box::new(inner)), span })
            }
            Tok::Op("-") => {
                self.bump();
                let inner = self.unary()?;
                let span = Span { start, end: inner.span.end };
                Ok(Expr { kind: ExprKind::Neg(Box::new(inner)), span })
            }
            _ => self.atom(),
        }
    }

    fn atom(&mut self) -> Result<Expr, ExprError> {
        let (tok, span) = (self.peek().clone(), self.span());
        if !matches!(tok, Tok::End) {
            self.bump();
        }
        match tok {
            Tok::Int(n) => Ok(Expr { kind: ExprKind::Int(n), span }),
            Tok::LParen => {
                let inner = self.expr(0)?;
                if !matches!(self.peek(), Tok::RParen) {
                    return Err(self.unexpected("`)`"));
                }
                let close = self.bump().1;
                Ok(Expr { kind: inner.kind, span: Span { start: span.start, end: close.end } })
            }
            Tok::Ident(name) => match name.as_str() {
                "true" => Ok(Expr { kind: ExprKind::Bool(true), span }),
                "false" => Ok(Expr { kind: ExprKind::Bool(false), span }),
                "and" | "or" | "in" | "not" => {
                    Err(ExprError { span, message: format!("expected a value, found `{name}`") })
                }
                _ if matches!(self.peek(), Tok::LParen) => {
                    let Some(func) = Func::from_name(&name) else {
                        let known: Vec<_> = Func::ALL.iter().map(|(_, n)| *n).collect();
                        return Err(ExprError {
                            span,
                            message: format!(
                                "unknown function `{name}`; the functions are {}",
                                known.join(", ")
                            ),
                        });
                    };
                    self.bump();
                    let arg = match self.bump() {
                        (Tok::Ident(a), _) => a,
                        _ => {
                            self.pos -= 1;
                            return Err(self
                                .unexpected(&format!("a {} id inside `{name}(…)`", func.arg_kind().noun())));
                        }
                    };
                    if !matches!(self.peek(), Tok::RParen) {
                        return Err(self.unexpected("`)`"));
                    }
                    let close = self.bump().1;
                    Ok(Expr {
                        kind: ExprKind::Call(func, arg),
                        span: Span { start: span.start, end: close.end },
                    })
                }
                _ => Ok(Expr { kind: ExprKind::Name(name), span }),
            },
            _ => {
                if !matches!(tok, Tok::End) {
                    self.pos -= 1;
                }
                Err(self.unexpected("a value"))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Display: the canonical form, with the fewest parentheses that keep the tree.

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(self, 0, f)
    }
}

fn write_expr(e: &Expr, ctx: u8, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match &e.kind {
        ExprKind::Int(n) => write!(f, "{n}"),
        ExprKind::Bool(b) => write!(f, "{b}"),
        ExprKind::Name(n) => write!(f, "{n}"),
        ExprKind::Call(func, arg) => write!(f, "{}({arg})", func.name()),
        ExprKind::Neg(inner) => {
            f.write_str("-")?;
            write_expr(inner, CMP + 2, f)
        }
        ExprKind::Not(inner) => {
            let paren = ctx > 3;
            if paren {
                f.write_str("(")?;
            }
            f.write_str("not ")?;
            write_expr(inner, CMP, f)?;
            if paren {
                f.write_str(")")?;
            }
            Ok(())
        }
        ExprKind::In(item, set) => {
            let paren = ctx > CMP;
            if paren {
                f.write_str("(")?;
            }
            write!(f, "{item} in ")?;
            write_expr(set, CMP + 1, f)?;
            if paren {
                f.write_str(")")?;
            }
            Ok(())
        }
        ExprKind::Binary(l, op, r) => {
            let prec = op.precedence();
            let paren = prec < ctx;
            if paren {
                f.write_str("(")?;
            }
            // Comparisons do not associate, so a comparison on their left needs parentheses too.
            write_expr(l, if prec == CMP { prec + 1 } else { prec }, f)?;
            write!(f, " {} ", op.text())?;
            write_expr(r, prec + 1, f)?;
            if paren {
                f.write_str(")")?;
            }
            Ok(())
        }
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Expr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Expr, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(|e| serde::de::Error::custom(format!("condition `{text}`: {}", e.message)))
    }
}

// ---------------------------------------------------------------------------------------------
// Types

/// What an id in a function call must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Competency,
    Node,
    Choice,
    Question,
    QuizNode,
}

impl IdKind {
    pub fn noun(self) -> &'static str {
        match self {
            IdKind::Competency => "competency",
            IdKind::Node => "node",
            IdKind::Choice => "choice",
            IdKind::Question => "question",
            IdKind::QuizNode => "quiz node",
        }
    }
}

/// The type of a variable as the checker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    Int,
    Bool,
    /// Values of an enum variable; `var` names it for messages.
    Enum {
        var: String,
        values: Vec<String>,
    },
    Set {
        var: String,
        values: Vec<String>,
    },
    /// An enum member not yet tied to a variable (the right of `mood == calm`).
    Symbol(String),
}

impl Ty {
    fn describe(&self) -> String {
        match self {
            Ty::Int => "a number".into(),
            Ty::Bool => "true/false".into(),
            Ty::Enum { var, .. } => format!("the enum `{var}`"),
            Ty::Set { var, .. } => format!("the set `{var}`"),
            Ty::Symbol(s) => format!("the name `{s}`"),
        }
    }
}

/// What the checker needs to know about the module.
pub trait Scope {
    fn var_type(&self, name: &str) -> Option<Ty>;
    fn has_id(&self, kind: IdKind, id: &str) -> bool;
}

impl Expr {
    /// Checks that the expression is a well-typed condition; every problem is returned.
    pub fn check(&self, scope: &dyn Scope) -> Vec<ExprError> {
        let mut errs = Vec::new();
        if let Some(ty) = type_of(self, scope, &mut errs)
            && ty != Ty::Bool
        {
            errs.push(ExprError {
                span: self.span,
                message: format!("a condition must be true/false, but this is {}", ty.describe()),
            });
        }
        errs
    }

    /// Every `(function, id)` this expression mentions, for the validator's cross-references.
    pub fn calls(&self) -> Vec<(Func, &str)> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let ExprKind::Call(f, a) = &e.kind {
                out.push((*f, a.as_str()));
            }
        });
        out
    }

    fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Not(e) | ExprKind::Neg(e) | ExprKind::In(_, e) => e.walk(f),
            ExprKind::Binary(l, _, r) => {
                l.walk(f);
                r.walk(f);
            }
            _ => {}
        }
    }
}

fn err<T>(errs: &mut Vec<ExprError>, span: Span, message: String) -> Option<T> {
    errs.push(ExprError { span, message });
    None
}

fn type_of(e: &Expr, scope: &dyn Scope, errs: &mut Vec<ExprError>) -> Option<Ty> {
    match &e.kind {
        ExprKind::Int(_) => Some(Ty::Int),
        ExprKind::Bool(_) => Some(Ty::Bool),
        ExprKind::Name(n) => Some(scope.var_type(n).unwrap_or_else(|| Ty::Symbol(n.clone()))),
        ExprKind::Call(func, arg) => {
            if !scope.has_id(func.arg_kind(), arg) {
                return err(
                    errs,
                    e.span,
                    format!("`{}({arg})`: there is no {} `{arg}`", func.name(), func.arg_kind().noun()),
                );
            }
            Some(if *func == Func::Score { Ty::Int } else { Ty::Bool })
        }
        ExprKind::Neg(inner) => {
            let t = type_of(inner, scope, errs)?;
            expect_int(inner, &t, errs)?;
            Some(Ty::Int)
        }
        ExprKind::Not(inner) => {
            let t = type_of(inner, scope, errs)?;
            if t != Ty::Bool {
                return err(
                    errs,
                    inner.span,
                    format!("`not` needs true/false, but this is {}", t.describe()),
                );
            }
            Some(Ty::Bool)
        }
        ExprKind::In(item, set) => {
            let t = type_of(set, scope, errs)?;
            match t {
                Ty::Set { var, values } => {
                    if !values.contains(item) {
                        return err(
                            errs,
                            e.span,
                            format!("`{item}` is not a member of the set `{var}` ({})", values.join(", ")),
                        );
                    }
                    Some(Ty::Bool)
                }
                other => err(
                    errs,
                    set.span,
                    format!("`in` needs a set variable, but this is {}", other.describe()),
                ),
            }
        }
        ExprKind::Binary(l, op, r) => {
            let lt = type_of(l, scope, errs);
            let rt = type_of(r, scope, errs);
            let (lt, rt) = (lt?, rt?);
            match op {
                BinOp::And | BinOp::Or => {
                    for (side, t) in [(l, &lt), (r, &rt)] {
                        if *t != Ty::Bool {
                            return err(
                                errs,
                                side.span,
                                format!(
                                    "`{}` joins true/false values, but this is {}",
                                    op.text(),
                                    t.describe()
                                ),
                            );
                        }
                    }
                    Some(Ty::Bool)
                }
                BinOp::Add | BinOp::Sub => {
                    expect_int(l, &lt, errs)?;
                    expect_int(r, &rt, errs)?;
                    Some(Ty::Int)
                }
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    expect_int(l, &lt, errs)?;
                    expect_int(r, &rt, errs)?;
                    Some(Ty::Bool)
                }
                BinOp::Eq | BinOp::Ne => {
                    compatible(l, &lt, r, &rt, errs)?;
                    Some(Ty::Bool)
                }
            }
        }
    }
}

fn expect_int(e: &Expr, t: &Ty, errs: &mut Vec<ExprError>) -> Option<()> {
    match t {
        Ty::Int => Some(()),
        Ty::Symbol(n) => err(errs, e.span, format!("there is no variable `{n}`")),
        other => err(errs, e.span, format!("expected a number, but this is {}", other.describe())),
    }
}

fn compatible(l: &Expr, lt: &Ty, r: &Expr, rt: &Ty, errs: &mut Vec<ExprError>) -> Option<()> {
    match (lt, rt) {
        (Ty::Int, Ty::Int) | (Ty::Bool, Ty::Bool) => Some(()),
        (Ty::Enum { var, values }, Ty::Symbol(s)) | (Ty::Symbol(s), Ty::Enum { var, values }) => {
            if values.contains(s) {
                Some(())
            } else {
                let span = if matches!(lt, Ty::Symbol(_)) { l.span } else { r.span };
                err(errs, span, format!("`{s}` is not a value of `{var}` ({})", values.join(", ")))
            }
        }
        (Ty::Enum { var: a, .. }, Ty::Enum { var: b, .. }) if a == b => Some(()),
        (Ty::Symbol(s), _) => err(errs, l.span, format!("there is no variable `{s}`")),
        (_, Ty::Symbol(s)) => err(errs, r.span, format!("there is no variable `{s}`")),
        _ => err(
            errs,
            Span { start: l.span.start, end: r.span.end },
            format!("cannot compare {} with {}", lt.describe(), rt.describe()),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// What evaluation reads from a state.
pub trait Env {
    fn var(&self, name: &str) -> Option<&Value>;
    fn score(&self, competency: &str) -> i64;
    fn visited(&self, node: &str) -> bool;
    fn chose(&self, choice: &str) -> bool;
    fn correct(&self, question: &str) -> bool;
    fn answered(&self, question: &str) -> bool;
    fn passed(&self, quiz_node: &str) -> bool;
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Int(i64),
    Bool(bool),
    Sym(String),
}

impl Expr {
    /// Evaluates a checked condition. An expression that did not pass [`Expr::check`] evaluates
    /// to `false` rather than panicking, so a player never crashes on bad content.
    pub fn eval(&self, env: &dyn Env) -> bool {
        matches!(eval(self, env), Some(Val::Bool(true)))
    }
}

fn eval(e: &Expr, env: &dyn Env) -> Option<Val> {
    Some(match &e.kind {
        ExprKind::Int(n) => Val::Int(*n),
        ExprKind::Bool(b) => Val::Bool(*b),
        ExprKind::Name(n) => match env.var(n) {
            Some(Value::Int(i)) => Val::Int(*i),
            Some(Value::Bool(b)) => Val::Bool(*b),
            Some(Value::Sym(s)) => Val::Sym(s.clone()),
            Some(Value::Set(_)) => return None,
            None => Val::Sym(n.clone()),
        },
        ExprKind::Call(f, a) => match f {
            Func::Score => Val::Int(env.score(a)),
            Func::Visited => Val::Bool(env.visited(a)),
            Func::Chose => Val::Bool(env.chose(a)),
            Func::Correct => Val::Bool(env.correct(a)),
            Func::Answered => Val::Bool(env.answered(a)),
            Func::Passed => Val::Bool(env.passed(a)),
        },
        ExprKind::Not(inner) => match eval(inner, env)? {
            Val::Bool(b) => Val::Bool(!b),
            _ => return None,
        },
        ExprKind::Neg(inner) => match eval(inner, env)? {
            Val::Int(i) => Val::Int(i.saturating_neg()),
            _ => return None,
        },
        ExprKind::In(item, set) => match &set.kind {
            ExprKind::Name(n) => match env.var(n) {
                Some(Value::Set(members)) => Val::Bool(members.contains(item)),
                _ => return None,
            },
            _ => return None,
        },
        ExprKind::Binary(l, op, r) => {
            // `and`/`or` short-circuit, so `visited(n.x) and …` never evaluates the right side needlessly.
            if matches!(op, BinOp::And | BinOp::Or) {
                let lv = matches!(eval(l, env)?, Val::Bool(true));
                return Some(Val::Bool(match op {
                    BinOp::And => lv && matches!(eval(r, env)?, Val::Bool(true)),
                    _ => lv || matches!(eval(r, env)?, Val::Bool(true)),
                }));
            }
            let (lv, rv) = (eval(l, env)?, eval(r, env)?);
            match (op, lv, rv) {
                (BinOp::Add, Val::Int(a), Val::Int(b)) => Val::Int(a.saturating_add(b)),
                (BinOp::Sub, Val::Int(a), Val::Int(b)) => Val::Int(a.saturating_sub(b)),
                (BinOp::Lt, Val::Int(a), Val::Int(b)) => Val::Bool(a < b),
                (BinOp::Le, Val::Int(a), Val::Int(b)) => Val::Bool(a <= b),
                (BinOp::Gt, Val::Int(a), Val::Int(b)) => Val::Bool(a > b),
                (BinOp::Ge, Val::Int(a), Val::Int(b)) => Val::Bool(a >= b),
                (BinOp::Eq, a, b) => Val::Bool(a == b),
                (BinOp::Ne, a, b) => Val::Bool(a != b),
                _ => return None,
            }
        }
    })
}

#[cfg(test)]
mod tests;
