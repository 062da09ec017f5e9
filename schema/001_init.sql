-- 001_init.sql: certmint's core tables (customers, organisations, admins, certificates, sessions, audit).
--
-- Conventions for every migration file (see cm_db_migrate in lib/db.c):
--   * a statement ends where a line ends with ';' (so never end a line inside
--     a string literal with ';'); whole-line '--' comments are skipped;
--   * MariaDB commits DDL implicitly, so a file is not atomic: write every
--     statement so that re-running the file after a partial failure is
--     harmless (CREATE TABLE IF NOT EXISTS, INSERT IGNORE);
--   * all times are UTC (the library sets time_zone = '+00:00' per connection);
--   * ids are BIGINT so that every table can grow to millions of rows, and
--     every list the UI pages through has an index ending in id for keyset
--     pagination (WHERE ... AND id < ? ORDER BY id DESC LIMIT n).

CREATE TABLE IF NOT EXISTS schema_migrations (
	version INT NOT NULL PRIMARY KEY,
	name VARCHAR(255) NOT NULL,
	applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS customers (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	uri VARCHAR(64) NOT NULL,
	name VARCHAR(255) NOT NULL,
	enabled TINYINT(1) NOT NULL DEFAULT 1,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	UNIQUE KEY customers_uri (uri)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS organizations (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	customer_id BIGINT NOT NULL,
	name VARCHAR(255) NOT NULL,
	address1 VARCHAR(255) NULL,
	address2 VARCHAR(255) NULL,
	city VARCHAR(128) NULL,
	state VARCHAR(128) NULL,
	postal_code VARCHAR(32) NULL,
	country CHAR(2) NULL,
	ssl_enabled TINYINT(1) NOT NULL DEFAULT 1,
	client_enabled TINYINT(1) NOT NULL DEFAULT 1,
	codesign_enabled TINYINT(1) NOT NULL DEFAULT 1,
	-- 0 = the signer profile's maximum
	max_validity_days INT NOT NULL DEFAULT 0,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	deleted_at DATETIME NULL,
	KEY organizations_customer (customer_id, id),
	KEY organizations_customer_name (customer_id, name),
	CONSTRAINT organizations_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS departments (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	org_id BIGINT NOT NULL,
	name VARCHAR(255) NOT NULL,
	ssl_enabled TINYINT(1) NOT NULL DEFAULT 1,
	client_enabled TINYINT(1) NOT NULL DEFAULT 1,
	codesign_enabled TINYINT(1) NOT NULL DEFAULT 1,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	deleted_at DATETIME NULL,
	KEY departments_org (org_id, id),
	KEY departments_org_name (org_id, name),
	CONSTRAINT departments_org_fk FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS domains (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	customer_id BIGINT NOT NULL,
	-- lower case, no trailing dot; "*.example.com" for a wildcard
	name VARCHAR(253) NOT NULL,
	validation_state ENUM('none','pending','validated','expired') NOT NULL DEFAULT 'none',
	validation_method ENUM('email','http','cname') NULL,
	validated_at DATETIME NULL,
	validation_expires_at DATETIME NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	deleted_at DATETIME NULL,
	UNIQUE KEY domains_customer_name (customer_id, name),
	CONSTRAINT domains_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- dept_key turns "no department" (NULL) into 0 so the unique key holds for it too.
CREATE TABLE IF NOT EXISTS domain_delegations (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	domain_id BIGINT NOT NULL,
	org_id BIGINT NOT NULL,
	dept_id BIGINT NULL,
	dept_key BIGINT AS (COALESCE(dept_id, 0)) PERSISTENT,
	cert_type ENUM('ssl','client','codesign') NOT NULL,
	state ENUM('requested','approved') NOT NULL DEFAULT 'approved',
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	UNIQUE KEY domain_delegations_unique (domain_id, org_id, dept_key, cert_type),
	KEY domain_delegations_org (org_id, cert_type),
	CONSTRAINT domain_delegations_domain_fk FOREIGN KEY (domain_id) REFERENCES domains (id),
	CONSTRAINT domain_delegations_org_fk FOREIGN KEY (org_id) REFERENCES organizations (id),
	CONSTRAINT domain_delegations_dept_fk FOREIGN KEY (dept_id) REFERENCES departments (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- principal is what Apache puts in REMOTE_USER (alice@EXAMPLE.COM).
CREATE TABLE IF NOT EXISTS admins (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	customer_id BIGINT NOT NULL,
	principal VARCHAR(255) NOT NULL,
	name VARCHAR(255) NULL,
	email VARCHAR(255) NULL,
	role ENUM('mrao','rao','drao') NOT NULL,
	cert_types SET('ssl','client','codesign') NOT NULL DEFAULT 'ssl,client,codesign',
	enabled TINYINT(1) NOT NULL DEFAULT 1,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
	deleted_at DATETIME NULL,
	UNIQUE KEY admins_principal (principal),
	KEY admins_customer (customer_id, id),
	CONSTRAINT admins_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What an RAO (org_id) or DRAO (org_id + dept_id) may administer; an MRAO has no rows.
CREATE TABLE IF NOT EXISTS admin_scopes (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	admin_id BIGINT NOT NULL,
	org_id BIGINT NOT NULL,
	dept_id BIGINT NULL,
	dept_key BIGINT AS (COALESCE(dept_id, 0)) PERSISTENT,
	UNIQUE KEY admin_scopes_unique (admin_id, org_id, dept_key),
	KEY admin_scopes_org (org_id),
	CONSTRAINT admin_scopes_admin_fk FOREIGN KEY (admin_id) REFERENCES admins (id) ON DELETE CASCADE,
	CONSTRAINT admin_scopes_org_fk FOREIGN KEY (org_id) REFERENCES organizations (id),
	CONSTRAINT admin_scopes_dept_fk FOREIGN KEY (dept_id) REFERENCES departments (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- End users who hold client/S-MIME certificates.
CREATE TABLE IF NOT EXISTS persons (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	customer_id BIGINT NOT NULL,
	org_id BIGINT NOT NULL,
	dept_id BIGINT NULL,
	email VARCHAR(255) NOT NULL,
	first_name VARCHAR(128) NULL,
	last_name VARCHAR(128) NULL,
	principal_name VARCHAR(255) NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	deleted_at DATETIME NULL,
	KEY persons_customer (customer_id, id),
	KEY persons_customer_email (customer_id, email),
	KEY persons_principal (principal_name),
	KEY persons_org (org_id, id),
	CONSTRAINT persons_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
	CONSTRAINT persons_org_fk FOREIGN KEY (org_id) REFERENCES organizations (id),
	CONSTRAINT persons_dept_fk FOREIGN KEY (dept_id) REFERENCES departments (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The CA chain as the signer reported it (the keys stay in the signer).
CREATE TABLE IF NOT EXISTS ca_certs (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	kind ENUM('root','issuing') NOT NULL,
	subject VARCHAR(1024) NOT NULL,
	issuer VARCHAR(1024) NOT NULL,
	serial_hex VARCHAR(64) NOT NULL,
	sha256 CHAR(64) NOT NULL,
	not_before DATETIME NOT NULL,
	not_after DATETIME NOT NULL,
	der MEDIUMBLOB NOT NULL,
	pem MEDIUMTEXT NOT NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	UNIQUE KEY ca_certs_sha256 (sha256),
	KEY ca_certs_kind (kind, not_after)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS certificates (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	customer_id BIGINT NOT NULL,
	org_id BIGINT NULL,
	dept_id BIGINT NULL,
	person_id BIGINT NULL,
	issuer_id BIGINT NULL,
	cert_type ENUM('ssl','client','codesign','ocsp') NOT NULL,
	profile VARCHAR(64) NOT NULL,
	status ENUM('requested','approved','issued','declined','revoked','expired') NOT NULL,
	-- 16 random bytes, lowercase hex; NULL until issued
	serial_hex CHAR(32) NULL,
	subject_dn VARCHAR(1024) NULL,
	common_name VARCHAR(255) NULL,
	sans TEXT NULL,
	email VARCHAR(255) NULL,
	key_type VARCHAR(16) NULL,
	key_bits INT NULL,
	not_before DATETIME NULL,
	not_after DATETIME NULL,
	der MEDIUMBLOB NULL,
	csr MEDIUMBLOB NULL,
	requested_by VARCHAR(255) NULL,
	approved_by VARCHAR(255) NULL,
	revoked_at DATETIME NULL,
	revocation_reason TINYINT NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
	UNIQUE KEY certificates_serial (serial_hex),
	KEY certificates_customer (customer_id, id),
	KEY certificates_customer_status (customer_id, status, id),
	KEY certificates_customer_expiry (customer_id, not_after, id),
	KEY certificates_customer_cn (customer_id, common_name, id),
	KEY certificates_customer_email (customer_id, email, id),
	KEY certificates_org (org_id, id),
	KEY certificates_person (person_id, id),
	CONSTRAINT certificates_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
	CONSTRAINT certificates_org_fk FOREIGN KEY (org_id) REFERENCES organizations (id),
	CONSTRAINT certificates_dept_fk FOREIGN KEY (dept_id) REFERENCES departments (id),
	CONSTRAINT certificates_person_fk FOREIGN KEY (person_id) REFERENCES persons (id),
	CONSTRAINT certificates_issuer_fk FOREIGN KEY (issuer_id) REFERENCES ca_certs (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Only SHA-256(token) is stored: a database reader cannot hijack a session.
CREATE TABLE IF NOT EXISTS sessions (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	kind VARCHAR(16) NOT NULL,
	token_hash CHAR(64) NOT NULL,
	subject VARCHAR(255) NOT NULL,
	csrf CHAR(64) NOT NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	expires_at DATETIME NOT NULL,
	UNIQUE KEY sessions_token (token_hash),
	KEY sessions_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Tamper-evident: hash = SHA-256 over prev_hash and every other column
-- (see lib/audit.c). Rows are only ever inserted.
CREATE TABLE IF NOT EXISTS audit_log (
	id BIGINT NOT NULL PRIMARY KEY,
	at DATETIME(6) NOT NULL,
	actor VARCHAR(255) NOT NULL,
	action VARCHAR(64) NOT NULL,
	object_type VARCHAR(64) NULL,
	object_id VARCHAR(255) NULL,
	customer_id BIGINT NULL,
	remote_addr VARCHAR(64) NULL,
	before_json MEDIUMTEXT NULL,
	after_json MEDIUMTEXT NULL,
	prev_hash CHAR(64) NOT NULL,
	hash CHAR(64) NOT NULL,
	KEY audit_log_customer (customer_id, id),
	KEY audit_log_actor (actor, id),
	KEY audit_log_object (object_type, object_id, id),
	KEY audit_log_action (action, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row; writers lock it FOR UPDATE so the chain cannot fork, and it
-- records the tail so that deleting the newest rows is detected too.
CREATE TABLE IF NOT EXISTS audit_head (
	id TINYINT NOT NULL PRIMARY KEY,
	last_id BIGINT NOT NULL,
	last_hash CHAR(64) NOT NULL,
	CONSTRAINT audit_head_single CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO audit_head (id, last_id, last_hash)
	VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE IF NOT EXISTS settings (
	name VARCHAR(128) NOT NULL PRIMARY KEY,
	value TEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
