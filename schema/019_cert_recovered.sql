-- 019_cert_recovered.sql: certificates found in the signer's journal without a database row ("certmint journal check" imports them, lib/cert_lifecycle.c cm_cert_recover) and the MRAO's acknowledgement of the alarm they raise.
--
-- recovered_at: when the reconciliation imported the row (NULL for every
-- row stored at issuance). recovery_ack_at/_by: when and by whom an MRAO
-- acknowledged the dashboard alarm for it; the alarm shows while a
-- customer has recovered rows not yet acknowledged. The index serves that
-- question ("this customer's unacknowledged recovered rows"), which must
-- stay cheap on every home page view.
ALTER TABLE certificates
	ADD COLUMN IF NOT EXISTS recovered_at DATETIME NULL,
	ADD COLUMN IF NOT EXISTS recovery_ack_at DATETIME NULL,
	ADD COLUMN IF NOT EXISTS recovery_ack_by VARCHAR(255) NULL,
	ADD INDEX IF NOT EXISTS certificates_customer_recovered (customer_id, recovered_at, recovery_ack_at);
