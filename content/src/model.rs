//! The module model: what a module *is*, after loading and before running.
//!
//! These types are the compiled form too: `serde_json` of a [`Module`] is the readable document
//! tools read, and its postcard encoding is what the player loads (see [`crate::compiled_binary`]).
//! Every field is always written (no `skip_serializing_if`), because postcard has no field names
//! to tell a missing field by. They carry no source positions; those live only in the loader's
//! diagnostics. Every learner-visible string is a [`TextKey`] into [`Module::strings`], so that all
//! languages travel in one document and a language switch never changes the structure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::expr::Expr;

/// Ids of nodes, choices, questions, variables, competencies and so on.
/// Allowed characters: ASCII letters, digits, `.`, `_`, `-` (checked by the loader).
pub type Id = String;

/// A key into the string table, e.g. `n.bedtime/text` or `q.who/o.parents/feedback`.
pub type TextKey = String;

/// A language tag (BCP 47), e.g. `en`, `ar`, `zh-Hans`.
pub type Lang = String;

/// Time in milliseconds, supplied by the caller (the engine never reads a clock).
pub type Millis = u64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Module {
    pub id: Id,
    pub version: String,
    /// `module/title`.
    pub title: TextKey,
    /// `module/description`, if the author wrote one.
    #[serde(default)]
    pub description: Option<TextKey>,
    pub source_lang: Lang,
    /// Every language the module carries, source language first.
    pub languages: Vec<Lang>,
    /// True for the bundled example modules: the player marks them as example content.
    #[serde(default)]
    pub example: bool,
    /// Scaled score (0..=1) at or above which an ending counts as passed.
    pub mastery: f64,
    pub backtrack: BacktrackPolicy,
    /// Shown before the first node; the learner can still leave.
    #[serde(default)]
    pub content_warning: Option<TextKey>,
    pub framework: Framework,
    /// Outcome bands that endings refer to, in authored order.
    pub bands: Vec<Band>,
    pub variables: Vec<VarDecl>,
    pub characters: Vec<Character>,
    /// A stylesheet in the module folder that sets the player's colours and logo (its custom
    /// properties, docs/theming.md); packages link it after the player's own.
    #[serde(default)]
    pub theme: Option<String>,
    pub start: Id,
    pub nodes: Vec<Node>,
    /// Language → key → text. The source language holds every key.
    pub strings: BTreeMap<Lang, BTreeMap<TextKey, String>>,
    /// SHA-256 (hex, first 16 chars) over the structure and the source strings. Saved state
    /// carries it so that resuming on changed content is detected.
    pub content_hash: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BacktrackPolicy {
    Never,
    Always,
    /// Each node says; nodes allow going back unless they set `backtrack: false`.
    PerNode,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Framework {
    /// IRI of the framework of reference.
    pub iri: String,
    #[serde(default)]
    pub title: Option<TextKey>,
    pub competencies: Vec<Competency>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Competency {
    pub id: Id,
    pub iri: String,
    /// `competency/<id>/title`.
    pub title: TextKey,
    /// The best score a path can reach; scores are clamped to `0..=max` when reported.
    pub max: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub id: Id,
    /// `band/<id>/title`.
    pub title: TextKey,
    /// False for outcomes that never count as passed, whatever the score (for example "the child
    /// went missing"): a learner can score well on the way and still reach an unsafe ending.
    #[serde(default = "yes")]
    pub pass: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Character {
    pub id: Id,
    /// `character/<id>/name`.
    pub name: TextKey,
    /// A picture beside the name when they speak: a path in the module folder, like media.
    /// Decorative (the name is the text), so it has no alt text of its own.
    #[serde(default)]
    pub portrait: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarDecl {
    pub name: Id,
    pub ty: VarType,
    pub init: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarType {
    /// Additions are clamped to `min..=max`.
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// One of `values`.
    Enum {
        values: Vec<String>,
    },
    /// A subset of `values`.
    Set {
        values: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Bool(bool),
    Int(i64),
    /// An enum member.
    Sym(String),
    /// A set's members, kept sorted and unique.
    Set(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// `trust: 2`, `promised: true`, `mood: calm`.
    Set {
        var: Id,
        value: Value,
    },
    /// `trust: +1` (clamped to the variable's bounds).
    Add {
        var: Id,
        by: i64,
    },
    /// `topics: +school` / `topics: -school`.
    Insert {
        var: Id,
        item: String,
    },
    Remove {
        var: Id,
        item: String,
    },
    /// `safeguarding: +3`: adds to a competency score.
    Score {
        competency: Id,
        by: i32,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: Id,
    #[serde(default)]
    pub speaker: Option<Id>,
    /// `<node>/text`. Optional for quiz nodes, required otherwise.
    #[serde(default)]
    pub text: Option<TextKey>,
    /// `<node>/warning`: a content warning shown before the node's text.
    #[serde(default)]
    pub warning: Option<TextKey>,
    #[serde(default)]
    pub media: Vec<Media>,
    #[serde(default)]
    pub on_enter: Vec<Effect>,
    /// `None` means "as the module's policy says".
    #[serde(default)]
    pub backtrack: Option<bool>,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Narrative {
        routes: Vec<Route>,
    },
    Decision {
        choices: Vec<Choice>,
        /// Present the choices in an order drawn from the attempt's seed (pinned ones keep their
        /// place), so that the best choice is not always in the same place. `shuffle: false`
        /// keeps the authored order.
        shuffle: bool,
    },
    Quiz {
        questions: Vec<Question>,
        /// Draw this many questions at random (seeded per attempt) from `questions`.
        #[serde(default)]
        draw: Option<usize>,
        /// Fraction of the quiz's points needed to pass it (`passed(<node>)`).
        pass_mark: f64,
        routes: Vec<Route>,
    },
    Reflection {
        store: ReflectionStore,
        routes: Vec<Route>,
    },
    Ending {
        band: Id,
    },
}

/// Where a reflection's text goes. Reflections are personal: by default they never leave the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReflectionStore {
    Local,
    Lrs,
}

/// A conditional route; the first whose condition holds is taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    #[serde(default, rename = "if")]
    pub when: Option<Expr>,
    pub next: Id,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: Id,
    /// `<choice>/text`.
    pub text: TextKey,
    #[serde(default, rename = "if")]
    pub visible_if: Option<Expr>,
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// `<choice>/feedback`: shown at once.
    #[serde(default)]
    pub feedback: Option<TextKey>,
    /// `<choice>/debrief`: shown in the debrief at the end.
    #[serde(default)]
    pub debrief: Option<TextKey>,
    pub routes: Vec<Route>,
    /// Keeps its authored place when the choices are shuffled ("I am not sure what to do").
    #[serde(default)]
    pub pin: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    pub id: Id,
    /// Path relative to the module folder.
    pub src: String,
    pub kind: MediaKind,
    /// Size in bytes, shown in low-data mode before the learner asks for it.
    #[serde(default)]
    pub bytes: Option<u64>,
    /// `<media>/alt`. Required for images.
    #[serde(default)]
    pub alt: Option<TextKey>,
    /// `<media>/caption`.
    #[serde(default)]
    pub caption: Option<TextKey>,
    /// `<media>/transcript`. Required for audio and video.
    #[serde(default)]
    pub transcript: Option<TextKey>,
    /// Path of a captions file (WebVTT) for video.
    #[serde(default)]
    pub captions: Option<String>,
    pub low_data: LowData,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Audio,
    Video,
}

/// What the player does with a medium in low-data mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LowData {
    /// Show the alt text or transcript; load on tap (the size is shown).
    Tap,
    /// Leave it out: it only decorates.
    Skip,
    /// Always load it: the scenario cannot be understood without it.
    Always,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: Id,
    /// `<question>/text`.
    pub text: TextKey,
    /// Points for a fully correct answer; 0 for ungraded types.
    pub points: f64,
    /// The competency that receives `points × score`, if any.
    #[serde(default)]
    pub competency: Option<Id>,
    /// How many tries the learner has; 1 means one answer counts.
    pub attempts: u32,
    /// `<question>/feedback/correct`, `…/incorrect`, `…/partial`.
    #[serde(default)]
    pub feedback_correct: Option<TextKey>,
    #[serde(default)]
    pub feedback_incorrect: Option<TextKey>,
    #[serde(default)]
    pub feedback_partial: Option<TextKey>,
    /// Choice questions: present the options in an order drawn from the attempt's seed (pinned
    /// ones keep their place). Ordering items and matching answers are always shuffled.
    #[serde(default = "yes")]
    pub shuffle: bool,
    /// After the last attempt of a graded question that was not fully right, show the right
    /// answer beside the learner's own.
    #[serde(default = "yes")]
    pub show_answer: bool,
    pub body: QuestionBody,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Partial {
    /// All or nothing.
    None,
    /// Credit in proportion to what is right (wrong picks cancel right ones in multiple choice).
    Proportional,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionBody {
    SingleChoice {
        options: Vec<AnswerOption>,
    },
    MultipleChoice {
        options: Vec<AnswerOption>,
        partial: Partial,
    },
    TrueFalse {
        answer: bool,
        /// `<question>/true/feedback`, `<question>/false/feedback`.
        #[serde(default)]
        feedback_true: Option<TextKey>,
        #[serde(default)]
        feedback_false: Option<TextKey>,
    },
    /// Items in their correct order; the player shows them shuffled.
    Ordering {
        items: Vec<Item>,
        partial: Partial,
    },
    /// Each prompt has exactly one matching answer.
    Matching {
        pairs: Vec<Pair>,
        partial: Partial,
    },
    FillIn {
        /// `<question>/accepted`: accepted answers joined by `|`, translatable as one unit.
        accepted: TextKey,
        case_sensitive: bool,
    },
    Numeric {
        answer: f64,
        tolerance: f64,
    },
    /// Ungraded: a scale from 1 to `scale` with labels at the ends.
    Likert {
        scale: u8,
        /// `<question>/low`, `<question>/high`.
        low: TextKey,
        high: TextKey,
    },
    /// Ungraded.
    FreeText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerOption {
    pub id: Id,
    /// `<question>/<option>/text`.
    pub text: TextKey,
    pub correct: bool,
    /// `<question>/<option>/feedback`.
    #[serde(default)]
    pub feedback: Option<TextKey>,
    #[serde(default)]
    pub effects: Vec<Effect>,
    /// Keeps its authored place when the options are shuffled ("None of these").
    #[serde(default)]
    pub pin: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: Id,
    /// `<question>/<item>/text`.
    pub text: TextKey,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub id: Id,
    /// `<question>/<pair>/prompt`.
    pub prompt: TextKey,
    /// `<question>/<pair>/match`.
    pub answer: TextKey,
}

impl Module {
    /// Every file the module names, relative to its folder: media, their captions, portraits,
    /// the theme.
    /// What a package or a compiled folder must carry beside the module.
    pub fn files(&self) -> impl Iterator<Item = &String> {
        let media = self.nodes.iter().flat_map(|n| &n.media);
        media
            .flat_map(|m| std::iter::once(&m.src).chain(&m.captions))
            .chain(self.characters.iter().flat_map(|c| &c.portrait))
            .chain(&self.theme)
    }

    /// Calls `f` on every path [`Module::files`] lists, to change it: the player resolves each
    /// against the URL the module was loaded from, once, so every player on a page has its own
    /// media. Plain loops rather than an iterator chain like `files`: this one ships in the
    /// player, where the chain's adapters came to 490 bytes more raw code.
    pub fn for_each_file_mut(&mut self, mut f: impl FnMut(&mut String)) {
        for m in self.nodes.iter_mut().flat_map(|n| &mut n.media) {
            f(&mut m.src);
            if let Some(c) = &mut m.captions {
                f(c);
            }
        }
        for p in self.characters.iter_mut().filter_map(|c| c.portrait.as_mut()) {
            f(p);
        }
        if let Some(t) = &mut self.theme {
            f(t);
        }
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    pub fn competency(&self, id: &str) -> Option<&Competency> {
        self.framework.competencies.iter().find(|c| c.id == id)
    }

    pub fn variable(&self, name: &str) -> Option<&VarDecl> {
        self.variables.iter().find(|v| v.name == name)
    }

    /// The text for `key` in `lang`, falling back to the source language.
    /// A missing key yields the key itself, so a broken string is visible rather than blank.
    pub fn text<'a>(&'a self, lang: &str, key: &'a str) -> &'a str {
        self.strings
            .get(lang)
            .and_then(|t| t.get(key))
            .or_else(|| self.strings.get(&self.source_lang).and_then(|t| t.get(key)))
            .map(String::as_str)
            .unwrap_or(key)
    }

    /// A language's name in that language, for language menus; the tag itself when unknown.
    pub fn autonym(lang: &str) -> &str {
        match lang {
            "en" => "English",
            "ar" => "العربية",
            "de" => "Deutsch",
            "el" => "Ελληνικά",
            "fa" => "فارسی",
            "prs" | "fa-AF" => "دری",
            "fr" => "Français",
            "kk" => "Қазақ тілі",
            "km" => "ខ្មែរ",
            "nl" => "Nederlands",
            "ps" => "پښتو",
            "ru" => "Русский",
            "th" => "ไทย",
            "tr" => "Türkçe",
            "uk" => "Українська",
            "vi" => "Tiếng Việt",
            "zh-Hans" | "zh" => "简体中文",
            other => other,
        }
    }

    /// Whether `lang` is written right to left.
    pub fn is_rtl(lang: &str) -> bool {
        let primary = lang.split('-').next().unwrap_or(lang);
        matches!(primary, "ar" | "fa" | "he" | "ur" | "ps" | "prs" | "ckb" | "dv" | "yi" | "sd" | "ug")
    }
}

impl Node {
    /// The authored name of the node's kind.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Narrative { .. } => "narrative",
            NodeKind::Decision { .. } => "decision",
            NodeKind::Quiz { .. } => "quiz",
            NodeKind::Reflection { .. } => "reflection",
            NodeKind::Ending { .. } => "ending",
        }
    }
}

impl QuestionBody {
    pub fn type_name(&self) -> &'static str {
        match self {
            QuestionBody::SingleChoice { .. } => "single_choice",
            QuestionBody::MultipleChoice { .. } => "multiple_choice",
            QuestionBody::TrueFalse { .. } => "true_false",
            QuestionBody::Ordering { .. } => "ordering",
            QuestionBody::Matching { .. } => "matching",
            QuestionBody::FillIn { .. } => "fill_in",
            QuestionBody::Numeric { .. } => "numeric",
            QuestionBody::Likert { .. } => "likert",
            QuestionBody::FreeText => "free_text",
        }
    }

    /// Graded questions have a right answer and count toward pass marks.
    pub fn is_graded(&self) -> bool {
        !matches!(self, QuestionBody::Likert { .. } | QuestionBody::FreeText)
    }
}
