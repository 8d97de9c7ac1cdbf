//! Hearth content: the module model, the authoring format, the validator and the engine.
