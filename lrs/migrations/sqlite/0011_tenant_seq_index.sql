-- Unfiltered statement queries page by (tenant, seq); without this index they scan every tenant.
CREATE INDEX statements_tenant_seq ON statements (tenant_id, seq);
