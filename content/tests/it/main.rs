//! Integration tests of the `content` crate: the broken-module corpus with its golden diagnostics,
//! and walks through the example modules.

mod broken;
mod examples;
