//! Hearth content: the module model, the authoring format, the validator and the engine.
//!
//! Nothing here knows about the web, xAPI or an LMS: the same code runs in the browser player, the
//! `hearth` CLI and the tests.

pub mod expr;
pub mod model;
