-- 012_cert_names.sql: every searchable name of a certificate (CN and subjectAltNames, lower case) in certificate_names, kept by triggers, so the certificate list finds a SAN by prefix as an index range; plus the issuer filter's index.
--
-- certificates.sans is the text issuance writes: "DNS:a.example, DNS:b.example,
-- email:x@y, IP:1.2.3.4" (lib/x509util.c, joined with ", "). One row per
-- distinct (certificate, name): the CN (kind cn) and each DNS, email, IP, URI
-- and UPN name; DirName and unsupported names are not searchable. A wildcard
-- "*.example.com" (CN or DNS) is stored as written and once more as
-- "example.com" with kind wildcard, so "*.ex" and "ex" both find it (a
-- search for "www.example.com" does not: names match by prefix, not by
-- coverage). A name met twice (the usual CN that repeats a DNS SAN) keeps
-- the kind of its first place: the CN, then the SANs in order. Names are cut
-- at 255 characters (a prefix search still finds them).
--
-- The list searches (customer_id, name, cert_id) from a prefix, pages on
-- (name, cert_id) and shows a certificate once, under its smallest matching
-- name (a lookup in the primary key (cert_id, name)); see cgi/admin/cert_list.c.
--
-- How the names are cut out, in one INSERT ... SELECT per certificate (no
-- temporary table, no UNION: this runs once per row of every bulk load):
-- the Sequence engine's seq_1_to_202 numbers the places, two per name, odd
-- for the name as written and even for a wildcard's base name; places 1-2
-- are the CN, prefixed "CN:" so that it parses like a SAN, 3-202 the SANs
-- (at most CM_MAX_SANS = 100, signer/names.h). INSERT IGNORE drops the
-- repeats against the primary key; every value it writes is already cut to
-- the column (LEFT 255, kinds from the ENUM), so it hides no other error.
--
-- Single-statement trigger bodies (no BEGIN ... END) for cm_db_migrate's
-- splitter, as in 010_cert_counts.sql; every writer (issuance, CLI, tests,
-- bench/admin's LOAD DATA) is covered inside its own transaction. An UPDATE
-- that keeps customer_id, common_name and sans touches no name. Triggers are
-- created before the backfill, which replaces the table's contents in one
-- transaction. Superseded by 016 (one update trigger, e-mail and serial
-- names): running this file again by hand after 016 would bring back its
-- triggers and a table without those names, so run 016 after it.

CREATE TABLE IF NOT EXISTS certificate_names (
	cert_id BIGINT NOT NULL,
	customer_id BIGINT NOT NULL,
	name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	kind ENUM('cn','dns','email','ip','upn','uri','wildcard') NOT NULL,
	PRIMARY KEY (cert_id, name),
	KEY certificate_names_customer_name (customer_id, name, cert_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The issuer filter, newest first, as an index range. The issuing CAs are
-- shared by all customers, so certificates_issuer_fk (issuer_id) would
-- read other customers' rows; the department filter needs no new index:
-- a department lies in one customer, and certificates_dept_fk (dept_id,
-- then the primary key) already reads it newest first.
ALTER TABLE certificates
	ADD INDEX IF NOT EXISTS certificates_customer_issuer_id (customer_id, issuer_id, id);

CREATE OR REPLACE TRIGGER cert_names_ai AFTER INSERT ON certificates FOR EACH ROW
	INSERT IGNORE INTO certificate_names (cert_id, customer_id, name, kind)
	SELECT NEW.id, NEW.customer_id,
		LOWER(LEFT(SUBSTRING(p.e, LOCATE(':', p.e) + IF(p.seq % 2, 1, 3)), 255)),
		IF(p.seq % 2, ELT(FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI'),
			'cn', 'dns', 'email', 'ip', 'upn', 'uri'), 'wildcard')
	FROM (SELECT s.seq, IF(s.seq <= 2, CONCAT('CN:', TRIM(NEW.common_name)),
			TRIM(SUBSTRING_INDEX(SUBSTRING_INDEX(NEW.sans, ', ', (s.seq - 1) DIV 2), ', ', -1))) AS e
		FROM seq_1_to_202 s
		WHERE s.seq <= 2 + COALESCE(2 * (1 + (CHAR_LENGTH(NEW.sans) - CHAR_LENGTH(REPLACE(NEW.sans, ', ', ''))) DIV 2), 0)) p
	WHERE FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI') > 0
	AND CHAR_LENGTH(p.e) > LOCATE(':', p.e)
	AND (p.seq % 2 = 1 OR p.e LIKE 'CN:*._%' OR p.e LIKE 'DNS:*._%');

CREATE OR REPLACE TRIGGER cert_names_ad AFTER DELETE ON certificates FOR EACH ROW
	DELETE FROM certificate_names WHERE cert_id = OLD.id;

-- Two AFTER UPDATE triggers (run in creation order): drop the old names,
-- then write the new ones, only when a name or the customer changed.
CREATE OR REPLACE TRIGGER cert_names_au_old AFTER UPDATE ON certificates FOR EACH ROW
	DELETE FROM certificate_names WHERE cert_id = OLD.id
	AND NOT (OLD.id <=> NEW.id AND OLD.customer_id <=> NEW.customer_id
	AND OLD.common_name <=> NEW.common_name AND OLD.sans <=> NEW.sans);

CREATE OR REPLACE TRIGGER cert_names_au_new AFTER UPDATE ON certificates FOR EACH ROW FOLLOWS cert_names_au_old
	INSERT IGNORE INTO certificate_names (cert_id, customer_id, name, kind)
	SELECT NEW.id, NEW.customer_id,
		LOWER(LEFT(SUBSTRING(p.e, LOCATE(':', p.e) + IF(p.seq % 2, 1, 3)), 255)),
		IF(p.seq % 2, ELT(FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI'),
			'cn', 'dns', 'email', 'ip', 'upn', 'uri'), 'wildcard')
	FROM (SELECT s.seq, IF(s.seq <= 2, CONCAT('CN:', TRIM(NEW.common_name)),
			TRIM(SUBSTRING_INDEX(SUBSTRING_INDEX(NEW.sans, ', ', (s.seq - 1) DIV 2), ', ', -1))) AS e
		FROM seq_1_to_202 s
		WHERE s.seq <= 2 + COALESCE(2 * (1 + (CHAR_LENGTH(NEW.sans) - CHAR_LENGTH(REPLACE(NEW.sans, ', ', ''))) DIV 2), 0)) p
	WHERE FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI') > 0
	AND CHAR_LENGTH(p.e) > LOCATE(':', p.e)
	AND (p.seq % 2 = 1 OR p.e LIKE 'CN:*._%' OR p.e LIKE 'DNS:*._%')
	AND NOT (OLD.id <=> NEW.id AND OLD.customer_id <=> NEW.customer_id
	AND OLD.common_name <=> NEW.common_name AND OLD.sans <=> NEW.sans);

-- STRAIGHT_JOIN: each certificate reads only its own places (a range on
-- seq per row), not all 202 for every row.
START TRANSACTION;
DELETE FROM certificate_names;
INSERT IGNORE INTO certificate_names (cert_id, customer_id, name, kind)
	SELECT p.id, p.customer_id,
		LOWER(LEFT(SUBSTRING(p.e, LOCATE(':', p.e) + IF(p.seq % 2, 1, 3)), 255)),
		IF(p.seq % 2, ELT(FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI'),
			'cn', 'dns', 'email', 'ip', 'upn', 'uri'), 'wildcard')
	FROM (SELECT c.id, c.customer_id, s.seq, IF(s.seq <= 2, CONCAT('CN:', TRIM(c.common_name)),
			TRIM(SUBSTRING_INDEX(SUBSTRING_INDEX(c.sans, ', ', (s.seq - 1) DIV 2), ', ', -1))) AS e
		FROM certificates c STRAIGHT_JOIN seq_1_to_202 s
		ON s.seq <= 2 + COALESCE(2 * (1 + (CHAR_LENGTH(c.sans) - CHAR_LENGTH(REPLACE(c.sans, ', ', ''))) DIV 2), 0)) p
	WHERE FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI') > 0
	AND CHAR_LENGTH(p.e) > LOCATE(':', p.e)
	AND (p.seq % 2 = 1 OR p.e LIKE 'CN:*._%' OR p.e LIKE 'DNS:*._%');
COMMIT;
