//! The player's own words, written in Fluent (`widgets/i18n/*.ftl`) and compiled at build time
//! into one compact string per language (see `build.rs`). Module texts come from the module, not from here.
//!
//! The shipped player (feature `fetched-catalogs`) carries English only and fetches the learner's
//! language from `i18n/<lang>.txt` beside it ([`install`]); every other build carries all of them.

use std::cell::RefCell;

include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));

thread_local! {
    /// Catalogs fetched at run time. Leaked on purpose: a page fetches a few at most, and
    /// `Strings` then borrows them for the page's life like the compiled-in ones.
    static FETCHED: RefCell<Vec<(&'static str, &'static str)>> = const { RefCell::new(Vec::new()) };
}

/// The languages the player speaks.
pub fn languages() -> impl Iterator<Item = &'static str> {
    LANGUAGES.iter().copied()
}

/// The catalog that serves `lang`: exactly, or by its base language (`fa-AF` → `fa`).
fn catalog_language(lang: &str) -> Option<&'static str> {
    let base = lang.split('-').next().unwrap_or(lang);
    LANGUAGES
        .iter()
        .find(|l| l.eq_ignore_ascii_case(lang))
        .or_else(|| LANGUAGES.iter().find(|l| l.split('-').next() == Some(base)))
        .copied()
}

/// Every catalog at hand: fetched, then compiled in.
fn loaded(code: &str) -> Option<&'static str> {
    FETCHED
        .with(|f| f.borrow().iter().find(|(l, _)| *l == code).map(|(_, m)| *m))
        .or_else(|| CATALOGS.iter().find(|(l, _)| *l == code).map(|(_, m)| *m))
}

/// The catalog `lang` needs and this player does not hold yet (its file name without `.txt`).
pub fn missing(lang: &str) -> Option<&'static str> {
    catalog_language(lang).filter(|code| loaded(code).is_none())
}

/// Takes a fetched catalog file (`build.rs` writes them): the fingerprint of the message ids it
/// was written for, a newline, the catalog. One written for another player version is refused.
pub fn install(code: &str, file: &str) -> Result<(), String> {
    let code = catalog_language(code).filter(|c| *c == code).ok_or_else(|| format!("no catalog `{code}`"))?;
    let (ids, catalog) = file.split_once('\n').ok_or("not a catalog file")?;
    if ids != IDS_HASH {
        return Err(format!("written for another version of the player ({ids}, this one reads {IDS_HASH})"));
    }
    let catalog: &'static str = Box::leak(catalog.to_string().into_boxed_str());
    FETCHED.with(|f| {
        let mut f = f.borrow_mut();
        f.retain(|(l, _)| *l != code);
        f.push((code, catalog));
    });
    Ok(())
}

/// A catalog is one string per language (see `build.rs`): messages in the order of [`IDS`],
/// separated by NUL, each a pattern where `\u{1}var\u{2}` is a variable and
/// `\u{3}var` (`\u{4}key\u{5}variant`)… `\u{6}` a plural select whose default key starts with `*`.
pub struct Strings {
    lang: &'static str,
    messages: &'static str,
    english: &'static str,
}

impl Strings {
    /// The strings for `lang`, or for its base language (`fa-AF` → `fa`), or English (also
    /// while `lang`'s catalog has not been fetched).
    pub fn new(lang: &str) -> Strings {
        let english = loaded("en").unwrap_or("");
        let (code, messages) = catalog_language(lang)
            .and_then(|code| loaded(code).map(|m| (code, m)))
            .unwrap_or(("en", english));
        Strings { lang: code, messages, english }
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
        let Some(index) = IDS.iter().position(|i| *i == id) else { return id.to_string() };
        let own = self.messages.split('\0').nth(index).filter(|p| !p.is_empty());
        let (pattern, lang) = match own {
            Some(p) => (p, self.lang),
            None => (self.english.split('\0').nth(index).unwrap_or(id), "en"),
        };
        let mut out = String::new();
        write(pattern, args, lang, &mut out);
        out
    }
}

fn write(pattern: &str, args: &[(&str, Arg<'_>)], lang: &str, out: &mut String) {
    let mut rest = pattern;
    while let Some(at) = rest.find(['\u{1}', '\u{3}']) {
        out.push_str(&rest[..at]);
        let marker = rest.as_bytes()[at];
        rest = &rest[at + 1..];
        if marker == 1 {
            let (var, after) = rest.split_once('\u{2}').unwrap_or((rest, ""));
            match args.iter().find(|(k, _)| *k == var) {
                Some((_, Arg::Num(n))) => out.push_str(&n.to_string()),
                Some((_, Arg::Str(s))) => out.push_str(s),
                None => out.push_str(var),
            }
            rest = after;
        } else {
            let (select, after) = rest.split_once('\u{6}').unwrap_or((rest, ""));
            let mut parts = select.split('\u{4}');
            let var = parts.next().unwrap_or("");
            let n = args.iter().find_map(|(k, a)| match a {
                Arg::Num(n) if *k == var => Some(*n),
                _ => None,
            });
            let exact = n.map(|n| n.to_string());
            let category = n.map(|n| plural_category(lang, n));
            let variants: Vec<(&str, &str)> = parts.filter_map(|p| p.split_once('\u{5}')).collect();
            let pick =
                |want: Option<&str>| variants.iter().find(|(k, _)| Some(k.trim_start_matches('*')) == want);
            let chosen = pick(exact.as_deref())
                .or_else(|| pick(category))
                .or_else(|| variants.iter().find(|(k, _)| k.starts_with('*')));
            if let Some((_, variant)) = chosen {
                write(variant, args, lang, out);
            }
            rest = after;
        }
    }
    out.push_str(rest);
}

/// The CLDR cardinal plural category of a whole number in each language the player speaks
/// (unicode.org/cldr, plurals.xml; whole numbers only, as every count the player shows is one).
/// Kept here instead of a general plural-rules library: those carry every locale's rules and a
/// locale parser into the WebAssembly. The test below checks these against ICU's.
pub fn plural_category(lang: &str, n: i64) -> &'static str {
    let n = n.unsigned_abs();
    let (n10, n100) = (n % 10, n % 100);
    match lang.split('-').next().unwrap_or(lang) {
        "ar" => match n {
            0 => "zero",
            1 => "one",
            2 => "two",
            _ if (3..=10).contains(&n100) => "few",
            _ if (11..=99).contains(&n100) => "many",
            _ => "other",
        },
        "ru" => match (n10, n100) {
            (1, _) if n100 != 11 => "one",
            (2..=4, _) if !(12..=14).contains(&n100) => "few",
            _ => "many",
        },
        "fa" if n <= 1 => "one",
        "en" | "de" | "nl" | "el" | "tr" if n == 1 => "one",
        _ => "other",
    }
}

/// A value for a message variable.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Num(i64),
    Str(&'a str),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-kept rules agree with CLDR as ICU implements it, for every language the player
    /// has a catalog for. `i18n/plurals.golden` was written by Node's `Intl.PluralRules`:
    /// `node -e "…new Intl.PluralRules(lang).select(n)…"` for n in 0..=1200 (see its header).
    #[test]
    fn plural_rules_match_cldr() {
        let golden = include_str!("../i18n/plurals.golden");
        let mut checked = 0;
        for line in golden.lines().filter(|l| !l.starts_with('#')) {
            let (lang, letters) = line.split_once(' ').unwrap();
            for (n, letter) in letters.chars().enumerate() {
                let want = match letter {
                    'z' => "zero",
                    'o' => "one",
                    't' => "two",
                    'f' => "few",
                    'm' => "many",
                    _ => "other",
                };
                assert_eq!(plural_category(lang, n as i64), want, "{lang} {n}");
                assert_eq!(plural_category(lang, -(n as i64)), want, "{lang} -{n}");
            }
            checked += 1;
        }
        assert_eq!(checked, languages().count(), "every catalog language is in the golden file");
    }

    /// (language, message, n, text): variables, exact and category variants, and fallback.
    #[test]
    fn messages_format_with_their_variables_and_plurals() {
        let rows: &[(&str, &str, i64, &str)] = &[
            ("en", "decisions-made", 1, "You made one decision."),
            ("en", "decisions-made", 3, "You made 3 decisions."),
            ("ar", "points", 2, "نقطتان"),
            ("ar", "points", 5, "5 نقاط"),
            ("ar", "points", 11, "11 نقطة"),
            ("en", "progress", 4, "Step 4"),
        ];
        for (lang, id, n, want) in rows {
            assert_eq!(Strings::new(lang).get_n(id, if *id == "progress" { "step" } else { "n" }, *n), *want);
        }
        // An unknown message shows its id; an unknown language speaks English.
        assert_eq!(Strings::new("en").get("no-such-message"), "no-such-message");
        assert_eq!(Strings::new("xx").lang(), "en");
        assert_eq!(Strings::new("fa-AF").lang(), "fa");
        let error = Strings::new("en").format("app-error", &[("reason", Arg::Str("HTTP 404"))]);
        assert_eq!(error, "This module could not be loaded: HTTP 404");
    }

    /// A fetched catalog is read only when written for these message ids; then it wins.
    #[test]
    fn fetched_catalogs_are_checked_and_used() {
        let file = include_str!(concat!(env!("OUT_DIR"), "/i18n/de.txt"));
        let stale = file.replacen(IDS_HASH, "0000000000000000", 1);
        assert!(install("de", &stale).unwrap_err().contains("another version"));
        assert!(install("de", "no newline").is_err());
        assert!(install("xx", file).is_err());
        assert_eq!(missing("de-AT"), None, "every catalog is compiled into native builds");
        let changed = file.replacen("Weiter", "Fortfahren", 1);
        assert_ne!(changed, file, "the German catalog says Weiter");
        install("de", &changed).unwrap();
        assert!(Strings::new("de").get("continue").contains("Fortfahren"));
        assert_eq!(Strings::new("de").lang(), "de");
    }
}
