//! The shipped player. Everything lives in `widgets`; this crate only makes it a cdylib.
pub use widgets::*;
