-- Attachment contents sent as multipart/mixed parts (Communication §1.5.2), addressed by the
-- SHA-256 the statement's attachment names; shared by every statement of the tenant naming it.
CREATE TABLE attachments (
    tenant_id INTEGER NOT NULL,
    sha2 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (tenant_id, sha2)
);
