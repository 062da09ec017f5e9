-- 027_ocsp.sql: what ocsp.fcgi reads: an index for its once-a-second poll of revocations newer than the pre-signed store's watermark.

-- Every ocsp.fcgi worker asks about once a second for the serials revoked
-- at or after the store's watermark (lib/ocsp_store.h): a short range at
-- the end of this index, which covers the serial too, so the poll never
-- visits rows. Rows never revoked (revoked_at NULL) sit at the start and
-- are never read. A single certificate is looked up by certificates_serial.
ALTER TABLE certificates
	ADD INDEX IF NOT EXISTS certificates_revoked (revoked_at, serial_hex);
