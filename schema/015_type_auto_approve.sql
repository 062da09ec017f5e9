-- 015_type_auto_approve.sql: an organisation's approval setting per certificate type (client certificates and code signing next to SSL).
--
-- Until now organizations.ssl_auto_approve (the SSL tab) decided for every
-- type, so an administrator with SSL rights alone could switch automatic
-- approval of client and code-signing requests on or off. Each type now
-- has its own column, set on its own tab by an administrator with rights
-- on that type. When this migration is first applied the new columns copy
-- ssl_auto_approve, so every organisation approves exactly as before until
-- someone changes a tab.
--
-- Safe to run again: ADD COLUMN IF NOT EXISTS, and the copy only runs while
-- this migration is not yet recorded in schema_migrations (a hand re-run
-- later keeps the choices made since).

ALTER TABLE organizations
	ADD COLUMN IF NOT EXISTS client_auto_approve TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS codesign_auto_approve TINYINT(1) NOT NULL DEFAULT 0;

UPDATE organizations SET client_auto_approve = ssl_auto_approve, codesign_auto_approve = ssl_auto_approve
	WHERE NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = 15);
