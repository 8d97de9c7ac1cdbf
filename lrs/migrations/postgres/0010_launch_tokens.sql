-- Launch tokens (lrs/src/token.rs): only the SHA-256 of the secret part is stored.
-- Numbered 0010 so migrations added meanwhile for other features keep their own numbers.
CREATE TABLE launch_tokens (
    token_hash TEXT PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    issuer_key TEXT NOT NULL,
    actor_ifi TEXT NOT NULL,
    registration TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
