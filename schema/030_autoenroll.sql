-- 030_autoenroll.sql: Windows domain auto-enrollment (issue 11): the Kerberos realms a customer serves, and what certmint needs to query each Active Directory server.
--
-- kerberos_realms: one row per Windows domain a customer's autoenroll URL
-- (/customer/<uri>/autoenroll) accepts tickets from. realm is the upper-case
-- windows_domain (as in every AD forest); spn is the service principal
-- Apache accepts ("HTTP/certs.example.com@CORP.EXAMPLE.COM"). The keytab the
-- administrator uploads is a file under certmint.conf [autoenroll] keytab_dir
-- (keytab_file is its name there, never a path), not a database value: it
-- holds the service account's keys. keytab_problem is what the last check of
-- that file found (NULL: it holds spn with AES keys); keytab_principals lists
-- the principals it holds, for the page. live_realm keeps a realm unique per
-- customer among live rows. Deleting is soft (deleted_at).
--
-- ad_servers gains (migrating from the hosted manager, whose AD servers
-- had these): users_base_dn (where users are searched; NULL: base_dn),
-- ca_pem (the CA certificates, PEM, that verify the server's TLS
-- certificate: public data; NULL: the system's trust store), is_default
-- (exactly one live default per customer: default_customer is unique; the
-- oldest live server of each customer becomes its default here), and how
-- certmint binds: bind_method 'gssapi' (SASL GSSAPI with the keytab of the
-- realm of the server's domain: no secret in the database) or 'simple'
-- (bind_dn + bind_password_enc, the password sealed with AES-256-GCM under
-- the key of certmint.conf [secrets] ldap_bind_key_file, which the
-- database does not hold; lib/secret_box.h). The password is never shown
-- again or logged.
-- Safe to run again (IF NOT EXISTS; the default is only given to customers
-- that have none).

CREATE TABLE IF NOT EXISTS kerberos_realms (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	customer_id BIGINT NOT NULL,
	-- AD DNS domain, lower case, no trailing dot ("corp.example.com")
	windows_domain VARCHAR(253) NOT NULL,
	realm VARCHAR(253) NOT NULL,
	spn VARCHAR(512) NOT NULL,
	keytab_file VARCHAR(255) NULL,
	keytab_sha256 CHAR(64) NULL,
	keytab_principals VARCHAR(2048) NULL,
	keytab_problem VARCHAR(512) NULL,
	keytab_checked_at DATETIME NULL,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
	deleted_at DATETIME NULL,
	live_realm VARCHAR(253) AS (IF(deleted_at IS NULL, realm, NULL)) PERSISTENT,
	UNIQUE KEY kerberos_realms_customer_live (customer_id, live_realm),
	KEY kerberos_realms_realm (live_realm, customer_id),
	CONSTRAINT kerberos_realms_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE ad_servers
	ADD COLUMN IF NOT EXISTS users_base_dn VARCHAR(1024) NULL,
	ADD COLUMN IF NOT EXISTS ca_pem MEDIUMTEXT NULL,
	ADD COLUMN IF NOT EXISTS is_default TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS bind_method ENUM('gssapi', 'simple') NOT NULL DEFAULT 'gssapi',
	ADD COLUMN IF NOT EXISTS bind_dn VARCHAR(1024) NULL,
	ADD COLUMN IF NOT EXISTS bind_password_enc VARBINARY(1024) NULL,
	ADD COLUMN IF NOT EXISTS default_customer BIGINT AS (IF(is_default = 1 AND deleted_at IS NULL, customer_id, NULL)) PERSISTENT,
	ADD UNIQUE KEY IF NOT EXISTS ad_servers_one_default (default_customer);

UPDATE ad_servers s
	JOIN (SELECT customer_id, MIN(id) AS id FROM ad_servers
		WHERE deleted_at IS NULL GROUP BY customer_id) f ON f.id = s.id
	SET s.is_default = 1
	WHERE s.customer_id NOT IN (SELECT d.customer_id FROM
		(SELECT DISTINCT customer_id FROM ad_servers WHERE is_default = 1 AND deleted_at IS NULL) d);
