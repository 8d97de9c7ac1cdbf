-- State, activity profile and agent profile documents. Absent key parts are stored as ''.
CREATE TABLE documents (
    tenant_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    agent_ifi TEXT NOT NULL,
    registration TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body BYTEA NOT NULL,
    etag TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, activity_id, agent_ifi, registration, doc_id)
);
