//! The IRIs of Hearth's xAPI profile (`docs/xapi-profile.md`).
//!
//! Verbs and activity types come from the ADL vocabulary and cmi5 wherever one fits, so that any
//! LRS report already knows them; Hearth's own terms live under [`BASE`].

/// Where Hearth's own verbs, activity types and extensions live. A w3id.org permanent identifier:
/// it stays the same whoever hosts the profile document it redirects to.
pub const BASE: &str = "https://w3id.org/xapi/hearth";

pub mod verb {
    pub const INITIALIZED: &str = "http://adlnet.gov/expapi/verbs/initialized";
    pub const ANSWERED: &str = "http://adlnet.gov/expapi/verbs/answered";
    pub const COMMENTED: &str = "http://adlnet.gov/expapi/verbs/commented";
    pub const SCORED: &str = "http://adlnet.gov/expapi/verbs/scored";
    pub const COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
    pub const PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
    pub const FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
    pub const SUSPENDED: &str = "http://adlnet.gov/expapi/verbs/suspended";
    pub const RESUMED: &str = "http://adlnet.gov/expapi/verbs/resumed";
    pub const TERMINATED: &str = "http://adlnet.gov/expapi/verbs/terminated";
    /// Back to an earlier node of the scenario, where the module allows it.
    pub const WENT_BACK: &str = "https://w3id.org/xapi/hearth/verbs/went-back";
}

pub mod activity {
    /// The module (a scenario or a quiz, as one learning unit).
    pub const MODULE: &str = "http://adlnet.gov/expapi/activities/module";
    /// A decision point, a question, a reflection prompt.
    pub const INTERACTION: &str = "http://adlnet.gov/expapi/activities/cmi.interaction";
    /// A competency of the module's framework of reference.
    pub const COMPETENCY: &str = "http://adlnet.gov/expapi/activities/objective";
    /// A node returned to with "back".
    pub const NODE: &str = "https://w3id.org/xapi/hearth/activities/scenario-node";
}

pub mod ext {
    /// Result: the choice's text as a language map (learner's and source language).
    pub const CHOICE_TEXT: &str = "https://w3id.org/xapi/hearth/extensions/choice-text";
    /// Result: `{competency id: delta}` of a decision.
    pub const COMPETENCY_DELTAS: &str = "https://w3id.org/xapi/hearth/extensions/competency-deltas";
    /// Result: the outcome band of an ending, `{id, title}`.
    pub const BAND: &str = "https://w3id.org/xapi/hearth/extensions/band";
    /// Result: the ending node reached.
    pub const ENDING: &str = "https://w3id.org/xapi/hearth/extensions/ending";
    /// Result: the attempt number of an answer, and whether it is the one that counts.
    pub const ATTEMPT: &str = "https://w3id.org/xapi/hearth/extensions/attempt";
    pub const FINAL_ANSWER: &str = "https://w3id.org/xapi/hearth/extensions/final-answer";
    /// Result: the module content changed since the progress being resumed was saved.
    pub const CHANGED_CONTENT: &str = "https://w3id.org/xapi/hearth/extensions/changed-content";
    /// Context: the module's content hash (which version of the text the learner saw).
    pub const CONTENT_HASH: &str = "https://w3id.org/xapi/hearth/extensions/content-hash";
}

pub mod cmi5 {
    pub const CATEGORY: &str = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
    pub const MOVEON: &str = "https://w3id.org/xapi/cmi5/context/categories/moveon";
    pub const SESSION_ID: &str = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
    pub const MASTERY_SCORE: &str = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
}
