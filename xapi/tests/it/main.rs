//! Integration tests for the `xapi` crate: table-driven validation cases, format checks and
//! statement comparison.

mod compare;
mod format;
mod model;
mod table;
