//! Hearth content: the module model, the authoring format, the validator and the engine.
//!
//! Nothing here knows about the web, xAPI or an LMS: the same code runs in the browser player, the
//! `hearth` CLI and the tests.

pub mod diag;
pub mod engine;
pub mod expr;
pub mod load;
pub mod model;
pub mod source;
pub mod translate;
pub mod validate;

/// The compiled form of a module: one JSON document with every language, what the player loads.
pub fn compiled_json(m: &model::Module) -> String {
    serde_json::to_string(m).unwrap_or_default()
}
