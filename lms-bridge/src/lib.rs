//! What a learner did, in the languages LMSs and learning record stores speak.
//!
//! The player hands every engine [`Event`](content::engine::Event) to a bridge; this crate turns
//! them into xAPI statements following Hearth's xAPI profile (`docs/xapi-profile.md`), plain or
//! as a cmi5 AU, and into SCORM 1.2 and SCORM 2004 run-time values. Everything here is a pure
//! function of its inputs: the caller passes the time, the launch and the ids, so the same walk
//! gives the same statements byte for byte (the golden tests rely on it), natively and in the
//! browser.

pub mod client;
pub mod interaction;
pub mod profile;
pub mod progress;
pub mod queue;
pub mod scorm;
pub mod statements;
pub mod time;
#[cfg(feature = "web")]
pub mod web;

pub use statements::{Cmi5Launch, Launch, Mapper};
