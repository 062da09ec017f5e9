-- 020_access_code_hash.sql: self-enrollment access codes are kept as a keyed hash (HMAC-SHA256), never in plaintext.
--
-- The key is a file only the programs read ([secrets] access_code_key_file
-- in certmint.conf), so SQL cannot hash: this file adds the columns, and
-- the C step that runs after every migration (cm_access_code_upgrade in
-- lib/access_code_upgrade.c, from certmint migrate and each program's
-- start) hashes what is left in client_access_code and empties it, with an
-- audit row per code. Nothing writes client_access_code any more; it stays
-- (always NULL) until a later migration drops it.
ALTER TABLE organizations
	ADD COLUMN IF NOT EXISTS client_access_code_hash CHAR(64) NULL,
	ADD COLUMN IF NOT EXISTS client_access_code_hint VARCHAR(8) NULL,
	ADD COLUMN IF NOT EXISTS client_access_code_set_at DATETIME NULL;

ALTER TABLE departments
	ADD COLUMN IF NOT EXISTS client_access_code_hash CHAR(64) NULL,
	ADD COLUMN IF NOT EXISTS client_access_code_hint VARCHAR(8) NULL,
	ADD COLUMN IF NOT EXISTS client_access_code_set_at DATETIME NULL;

-- Ending every session of one administrator (an MRAO's "End sessions")
-- finds them by principal.
ALTER TABLE sessions ADD INDEX IF NOT EXISTS sessions_subject (kind, subject);
