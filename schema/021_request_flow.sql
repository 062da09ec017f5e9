-- 021_request_flow.sql: one-time form submissions, the public-key fingerprint and term of each certificate, and the per-customer self-approval switch (issue 8, request flow).
--
-- form_submissions: a form carries a random one-time token; its SHA-256 is
-- claimed here (unique key) before the form's action runs, and the object
-- the action made is recorded, so a replayed or doubled POST answers with
-- that object instead of making a second one (lib/form_submission.c).
-- certificates.spki_sha256: SHA-256 of the DER SubjectPublicKeyInfo, so a
-- second live certificate for the same key is found by index. Rows stored
-- before this migration have none and are not found.
-- certificates.requested_days / term_days: the validity asked for (0: the
-- maximum) and the one used, so a clipped term is shown on the certificate
-- page and an approved request is issued with the term it was shown.
-- customers.self_approve: 1 lets an administrator approve a request they
-- made themselves (off by default). Safe to run again (IF NOT EXISTS).

CREATE TABLE IF NOT EXISTS form_submissions (
	token_hash CHAR(64) NOT NULL PRIMARY KEY,
	customer_id BIGINT NOT NULL,
	form VARCHAR(32) NOT NULL,
	actor VARCHAR(255) NOT NULL,
	object_id BIGINT NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	KEY form_submissions_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE certificates
	ADD COLUMN IF NOT EXISTS spki_sha256 CHAR(64) NULL,
	ADD COLUMN IF NOT EXISTS requested_days INT NULL,
	ADD COLUMN IF NOT EXISTS term_days INT NULL,
	ADD INDEX IF NOT EXISTS certificates_customer_spki (customer_id, spki_sha256, id);

ALTER TABLE customers
	ADD COLUMN IF NOT EXISTS self_approve TINYINT(1) NOT NULL DEFAULT 0;
