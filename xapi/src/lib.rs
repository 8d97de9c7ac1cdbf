//! xAPI statement model and validation.
//!
//! Validation works on `serde_json::Value` rather than on typed structs, because the LRS MUST
//! rules (xAPI 1.0.3 `xAPI-Data.md` §2.2) are about the *raw* JSON: nulls, wrong JSON types,
//! key case and unknown keys all have to be reported, and a typed deserialiser would either
//! accept them silently or fail without saying where. The typed helpers in [`model`] are used
//! once a statement has been validated.
//!
//! Everything here is pure (no IO), so the crate builds for `wasm32-unknown-unknown` and the
//! browser client can run the same checks before sending.

pub mod compare;
pub mod format;
pub mod model;
pub mod validate;

pub use compare::statements_equivalent;
pub use model::{VOIDED_VERB, Version};
pub use validate::{ValidationError, validate_statement, validate_statements};
