-- 017_cert_renewal.sql: certificates.renews_id links a renewal or a replacement (supersede) to the certificate it renews, written only by lib/cert_lifecycle.c.
-- No foreign key: certificates are never deleted, and the link is a record, not a constraint to enforce on old rows.
ALTER TABLE certificates
	ADD COLUMN IF NOT EXISTS renews_id BIGINT NULL;
