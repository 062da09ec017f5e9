-- 028_scep.sql: SCEP enrollment (issue 10): which SCEP types each customer serves, every SCEP transaction, and wrong challenges for throttling.
--
-- customers.scep_enabled: the customer's SCEP URLs answer at all (off: 404).
-- scep_types: the <type> segments of /customer/<uri>/scep/<type>/pkiclient.exe
-- a customer serves and the signer profile each issues under ("smime" ->
-- client-smime). A type not listed, or disabled, is a 404.
-- scep_transactions: one row per (customer, transactionID) a client sent in
-- a PKCSReq or RenewalReq. The same transactionID again gets the same answer
-- (pending, the same certificate, or the same failure) and never a second
-- certificate; the same transactionID with another CSR (csr_sha256 differs) is
-- refused with badRequest. certificate_id is the certificates row the request
-- became (status requested while it waits for approval, issued after).
-- scep_challenge_failures: one row per wrong challengePassword, by customer and
-- client address: scep.fcgi slows and then locks out an address or a customer
-- with too many recent rows (old rows are deleted as it goes).
-- organizations.client_revoke_superseded: a RenewalReq's new certificate
-- revokes the old one as superseded (1, the default) or leaves it valid (0).
-- The access-code hash indexes let scep.fcgi find the organisation or
-- department of a challenge by its keyed hash in one lookup.
-- Safe to run again (IF NOT EXISTS).

ALTER TABLE customers
	ADD COLUMN IF NOT EXISTS scep_enabled TINYINT(1) NOT NULL DEFAULT 0;

ALTER TABLE organizations
	ADD COLUMN IF NOT EXISTS client_revoke_superseded TINYINT(1) NOT NULL DEFAULT 1,
	ADD INDEX IF NOT EXISTS organizations_access_code (client_access_code_hash);

ALTER TABLE departments
	ADD INDEX IF NOT EXISTS departments_access_code (client_access_code_hash);

CREATE TABLE IF NOT EXISTS scep_types (
	customer_id BIGINT NOT NULL,
	scep_type VARCHAR(32) NOT NULL,
	profile VARCHAR(64) NOT NULL,
	enabled TINYINT(1) NOT NULL DEFAULT 1,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (customer_id, scep_type),
	CONSTRAINT scep_types_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS scep_transactions (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	customer_id BIGINT NOT NULL,
	scep_type VARCHAR(32) NOT NULL,
	transaction_id VARCHAR(128) NOT NULL,
	message_type TINYINT NOT NULL,
	csr_sha256 CHAR(64) NOT NULL,
	certificate_id BIGINT NULL,
	status ENUM('pending','issued','failed') NOT NULL,
	fail_info TINYINT NULL,
	remote_addr VARCHAR(45) NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
	UNIQUE KEY scep_transactions_tid (customer_id, transaction_id),
	KEY scep_transactions_cert (certificate_id),
	KEY scep_transactions_status (customer_id, status, id),
	CONSTRAINT scep_transactions_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
	CONSTRAINT scep_transactions_cert_fk FOREIGN KEY (certificate_id) REFERENCES certificates (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS scep_challenge_failures (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	customer_id BIGINT NOT NULL,
	remote_addr VARCHAR(45) NOT NULL,
	failed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	KEY scep_challenge_failures_customer (customer_id, failed_at),
	KEY scep_challenge_failures_addr (remote_addr, failed_at),
	CONSTRAINT scep_challenge_failures_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
