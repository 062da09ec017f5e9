-- 007_lifecycle.sql: the request/approval lifecycle (decline message, last issuance error) and the indexes the certificate list's filters use.
--
-- certificates_customer_type_id serves "type = ? ORDER BY id DESC" and
-- certificates_customer_org_id "org_id = ? ORDER BY id DESC" as index
-- ranges; status, expiry, CN, e-mail and serial already have theirs
-- (001_init.sql). Safe to run again (IF NOT EXISTS).

ALTER TABLE certificates
	ADD COLUMN IF NOT EXISTS decline_message VARCHAR(1000) NULL,
	ADD COLUMN IF NOT EXISTS issue_error VARCHAR(512) NULL,
	ADD INDEX IF NOT EXISTS certificates_customer_type_id (customer_id, cert_type, id),
	ADD INDEX IF NOT EXISTS certificates_customer_org_id (customer_id, org_id, id);
