-- related_agents=true / related_activities=true (Communication §2.1.3): every agent IFI and
-- activity id a statement mentions, each JSON-encoded on its own line ("\n" before and after
-- each), so a search for "\n" + encoded value + "\n" matches whole entries only. Rows stored
-- before this migration are filled in by the server when it opens the database.
ALTER TABLE statements ADD COLUMN related_agents TEXT;
ALTER TABLE statements ADD COLUMN related_activities TEXT;
