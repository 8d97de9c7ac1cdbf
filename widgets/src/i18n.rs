//! The player's own words, written in Fluent (`widgets/i18n/*.ftl`) and compiled at build time
//! into static tables (see `build.rs`). Module texts come from the module, not from here.

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use unic_langid::LanguageIdentifier;

/// A compiled Fluent pattern.
type Pattern = &'static [Piece];

enum Piece {
    Text(&'static str),
    Var(&'static str),
    /// `{ $n -> [one] … *[other] … }`: (variable, variants by key, default).
    Plural(&'static str, &'static [(&'static str, Pattern)], Pattern),
}

include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

/// The languages the player speaks.
pub fn languages() -> impl Iterator<Item = &'static str> {
    CATALOGS.iter().map(|(l, _)| *l)
}

pub struct Strings {
    lang: &'static str,
    messages: &'static [(&'static str, Pattern)],
    english: &'static [(&'static str, Pattern)],
    plurals: Option<PluralRules>,
}

impl Strings {
    /// The strings for `lang`, or for its base language (`fa-AF` → `fa`), or English.
    pub fn new(lang: &str) -> Strings {
        let base = lang.split('-').next().unwrap_or(lang);
        let english = CATALOGS.iter().find(|(l, _)| *l == "en").map_or(&[][..], |(_, m)| *m);
        let (code, messages) = CATALOGS
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(lang))
            .or_else(|| CATALOGS.iter().find(|(l, _)| l.split('-').next() == Some(base)))
            .copied()
            .unwrap_or(("en", english));
        let plurals = code
            .parse::<LanguageIdentifier>()
            .ok()
            .and_then(|id| PluralRules::create(id, PluralRuleType::CARDINAL).ok());
        Strings { lang: code, messages, english, plurals }
    }

    /// The language these strings are in.
    pub fn lang(&self) -> &'static str {
        self.lang
    }

    pub fn get(&self, id: &str) -> String {
        self.format(id, &[])
    }

    pub fn get_n(&self, id: &str, var: &str, n: i64) -> String {
        self.format(id, &[(var, Arg::Num(n))])
    }

    pub fn format(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let found = self.messages.iter().chain(self.english).find(|(i, _)| *i == id);
        let Some((_, pattern)) = found else { return id.to_string() };
        let mut out = String::new();
        self.write(pattern, args, &mut out);
        out
    }

    fn write(&self, pattern: Pattern, args: &[(&str, Arg<'_>)], out: &mut String) {
        for piece in pattern {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(v) => match args.iter().find(|(k, _)| k == v) {
                    Some((_, Arg::Num(n))) => out.push_str(&n.to_string()),
                    Some((_, Arg::Str(s))) => out.push_str(s),
                    None => out.push_str(v),
                },
                Piece::Plural(v, variants, default) => {
                    let n = args.iter().find_map(|(k, a)| match a {
                        Arg::Num(n) if k == v => Some(*n),
                        _ => None,
                    });
                    let exact = n.map(|n| n.to_string());
                    let category = n.and_then(|n| self.plurals.as_ref()?.select(n).ok()).map(category_name);
                    let chosen = variants
                        .iter()
                        .find(|(key, _)| Some(*key) == exact.as_deref())
                        .or_else(|| variants.iter().find(|(key, _)| Some(*key) == category))
                        .map_or(*default, |(_, p)| *p);
                    self.write(chosen, args, out);
                }
            }
        }
    }
}

/// A value for a message variable.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Num(i64),
    Str(&'a str),
}

fn category_name(c: PluralCategory) -> &'static str {
    match c {
        PluralCategory::ZERO => "zero",
        PluralCategory::ONE => "one",
        PluralCategory::TWO => "two",
        PluralCategory::FEW => "few",
        PluralCategory::MANY => "many",
        PluralCategory::OTHER => "other",
    }
}
