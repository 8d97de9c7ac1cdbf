-- Hearth LRS schema, SQLite. Never edit an applied migration; add a new file.
CREATE TABLE tenants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE credentials (
    api_key TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    salt TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL
);
CREATE TABLE statements (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    statement_id TEXT NOT NULL,
    stored TEXT NOT NULL,
    verb TEXT NOT NULL,
    activity TEXT,
    actor_ifi TEXT,
    object_ifi TEXT,
    registration TEXT,
    authority_key TEXT NOT NULL,
    voided INTEGER NOT NULL DEFAULT 0,
    is_voiding INTEGER NOT NULL DEFAULT 0,
    json TEXT NOT NULL,
    UNIQUE (tenant_id, statement_id)
);
CREATE INDEX statements_verb ON statements (tenant_id, verb, seq);
CREATE INDEX statements_activity ON statements (tenant_id, activity, seq);
CREATE INDEX statements_actor ON statements (tenant_id, actor_ifi, seq);
CREATE INDEX statements_object_ifi ON statements (tenant_id, object_ifi, seq);
CREATE INDEX statements_registration ON statements (tenant_id, registration, seq);
CREATE INDEX statements_stored ON statements (tenant_id, stored);
