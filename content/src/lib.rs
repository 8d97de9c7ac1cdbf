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

/// The readable compiled form of a module: one JSON document with every language, for tools and
/// people. The player loads [`compiled_binary`] instead.
pub fn compiled_json(m: &model::Module) -> String {
    serde_json::to_string(m).unwrap_or_default()
}

/// The first bytes of every binary module: a name, then the format version. The version changes
/// whenever a type in [`model`] changes shape, because postcard is positional: an old player
/// must refuse a new module with a clear message, never misread it.
pub const BINARY_MAGIC: [u8; 8] = *b"HEARTH\x00\x03";

/// The compiled form the player loads: [`BINARY_MAGIC`] then the module in postcard. Decoding
/// it takes a fraction of the WebAssembly that a JSON parser and its per-type field matching would
/// (docs/size.md), and the file is smaller on the wire too.
pub fn compiled_binary(m: &model::Module) -> Vec<u8> {
    let mut out = BINARY_MAGIC.to_vec();
    // Serialising a `Module` into a Vec cannot fail: every type is plain data.
    out.extend(postcard::to_allocvec(m).unwrap_or_default());
    out
}

/// Why bytes are not a module this build can run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BinaryError {
    #[error("this is not a compiled Hearth module (run `hearth compile`)")]
    NotAModule,
    #[error(
        "this module was compiled for player format {found}; this player reads format {expected} (recompile it with the same Hearth version as the player)"
    )]
    Version { found: u8, expected: u8 },
    #[error("the compiled module is damaged: {0}")]
    Damaged(String),
}

/// Reads [`compiled_binary`] output.
pub fn from_binary(bytes: &[u8]) -> Result<model::Module, BinaryError> {
    let (head, body) = bytes.split_at_checked(BINARY_MAGIC.len()).ok_or(BinaryError::NotAModule)?;
    if head[..7] != BINARY_MAGIC[..7] {
        return Err(BinaryError::NotAModule);
    }
    if head[7] != BINARY_MAGIC[7] {
        return Err(BinaryError::Version { found: head[7], expected: BINARY_MAGIC[7] });
    }
    match postcard::take_from_bytes::<model::Module>(body) {
        Ok((m, [])) => Ok(m),
        Ok((_, rest)) => Err(BinaryError::Damaged(format!("{} bytes after the module", rest.len()))),
        Err(e) => Err(BinaryError::Damaged(e.to_string())),
    }
}
