-- The statement a StatementRef object targets: a query's filters also match statements pointing
-- at a statement that meets them (Communication §2.1.3). Only such statements are indexed.
ALTER TABLE statements ADD COLUMN object_ref TEXT;
UPDATE statements SET object_ref = lower(json_extract(json, '$.object.id'))
    WHERE json_extract(json, '$.object.objectType') = 'StatementRef';
CREATE INDEX statements_object_ref ON statements (tenant_id, object_ref) WHERE object_ref IS NOT NULL;
