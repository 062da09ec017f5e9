-- 016_cert_names_triggers.sql: certificate_names also holds each certificate's e-mail column and serial number, and an UPDATE that changes no name runs no name statement at all.
--
-- 012 indexed the CN and the subjectAltNames. The list's search now reads
-- only certificate_names (cgi/admin/cert_list.c), so one index range and
-- one keyset order serve every kind of search text: a host name, an IP
-- address (IPv6 too), an e-mail address (kind email: the SANs and
-- certificates.email, the subject's emailAddress or first e-mail SAN) and a
-- serial number (kind serial, lower-case hex as in certificates.serial_hex).
--
-- Places, two per name (odd: the name as written, even: a wildcard's base
-- name), numbered by the Sequence engine's seq_1_to_206: 1-2 the CN, 3-4
-- certificates.email, 5-6 the serial, 7-206 the first 100 entries of
-- certificates.sans. The signer never issues more than CM_MAX_SANS = 100
-- SANs (signer/names.h); entries past the 100th of a row written some other
-- way (SQL) are not searchable, silently. A name met twice keeps the kind of
-- one of its places (INSERT IGNORE against the primary key (cert_id,
-- name); the SELECT has no ORDER BY, so which kind wins is not defined).
-- Names are cut at 255 characters (a prefix search still finds them).
--
-- 012's AFTER UPDATE triggers guarded their statements with a WHERE that
-- MariaDB evaluates only after preparing the 202-place SELECT: every
-- status-only UPDATE (approve, revoke, expire) paid it, twice as slow as
-- with no trigger. One trigger now tests first, in IF ... END IF, whether
-- the customer, CN, e-mail, serial or SANs changed (byte for byte: the
-- columns' _ci collation would call "Café" and "cafe" equal) and only then
-- replaces the names. cm_db_migrate's splitter ends a statement at a ';'
-- that ends a line, so the ';' between the body's statements start their
-- line instead.
--
-- Re-running through certmint (cm_db_migrate) is safe (DROP IF EXISTS /
-- OR REPLACE, full refill in one transaction, after the triggers exist, as
-- in 012). The mariadb client cannot run this file (it would end the
-- trigger at the first ';'): apply it with `certmint migrate` only.

ALTER TABLE certificate_names
	MODIFY kind ENUM('cn','dns','email','ip','upn','uri','wildcard','serial') NOT NULL;

CREATE OR REPLACE TRIGGER cert_names_ai AFTER INSERT ON certificates FOR EACH ROW
	INSERT IGNORE INTO certificate_names (cert_id, customer_id, name, kind)
	SELECT NEW.id, NEW.customer_id,
		LOWER(LEFT(SUBSTRING(p.e, LOCATE(':', p.e) + IF(p.seq % 2, 1, 3)), 255)),
		IF(p.seq % 2, ELT(FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI', 'serial'),
			'cn', 'dns', 'email', 'ip', 'upn', 'uri', 'serial'), 'wildcard')
	FROM (SELECT s.seq, CASE (s.seq + 1) DIV 2
			WHEN 1 THEN CONCAT('CN:', TRIM(NEW.common_name))
			WHEN 2 THEN CONCAT('email:', TRIM(NEW.email))
			WHEN 3 THEN CONCAT('serial:', TRIM(NEW.serial_hex))
			ELSE TRIM(SUBSTRING_INDEX(SUBSTRING_INDEX(NEW.sans, ', ', (s.seq - 5) DIV 2), ', ', -1)) END AS e
		FROM seq_1_to_206 s
		WHERE s.seq <= 6 + COALESCE(2 * (1 + (CHAR_LENGTH(NEW.sans) - CHAR_LENGTH(REPLACE(NEW.sans, ', ', ''))) DIV 2), 0)) p
	WHERE FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI', 'serial') > 0
	AND CHAR_LENGTH(p.e) > LOCATE(':', p.e)
	AND (p.seq % 2 = 1 OR p.e LIKE 'CN:*._%' OR p.e LIKE 'DNS:*._%');

CREATE OR REPLACE TRIGGER cert_names_au AFTER UPDATE ON certificates FOR EACH ROW
	IF NOT (OLD.id <=> NEW.id AND OLD.customer_id <=> NEW.customer_id
		AND BINARY OLD.common_name <=> BINARY NEW.common_name AND BINARY OLD.email <=> BINARY NEW.email
		AND BINARY OLD.serial_hex <=> BINARY NEW.serial_hex AND BINARY OLD.sans <=> BINARY NEW.sans) THEN
	DELETE FROM certificate_names WHERE cert_id = OLD.id
	; INSERT IGNORE INTO certificate_names (cert_id, customer_id, name, kind)
	SELECT NEW.id, NEW.customer_id,
		LOWER(LEFT(SUBSTRING(p.e, LOCATE(':', p.e) + IF(p.seq % 2, 1, 3)), 255)),
		IF(p.seq % 2, ELT(FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI', 'serial'),
			'cn', 'dns', 'email', 'ip', 'upn', 'uri', 'serial'), 'wildcard')
	FROM (SELECT s.seq, CASE (s.seq + 1) DIV 2
			WHEN 1 THEN CONCAT('CN:', TRIM(NEW.common_name))
			WHEN 2 THEN CONCAT('email:', TRIM(NEW.email))
			WHEN 3 THEN CONCAT('serial:', TRIM(NEW.serial_hex))
			ELSE TRIM(SUBSTRING_INDEX(SUBSTRING_INDEX(NEW.sans, ', ', (s.seq - 5) DIV 2), ', ', -1)) END AS e
		FROM seq_1_to_206 s
		WHERE s.seq <= 6 + COALESCE(2 * (1 + (CHAR_LENGTH(NEW.sans) - CHAR_LENGTH(REPLACE(NEW.sans, ', ', ''))) DIV 2), 0)) p
	WHERE FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI', 'serial') > 0
	AND CHAR_LENGTH(p.e) > LOCATE(':', p.e)
	AND (p.seq % 2 = 1 OR p.e LIKE 'CN:*._%' OR p.e LIKE 'DNS:*._%')
	; END IF;

-- 012's two UPDATE triggers go only now that cert_names_au is there (it runs
-- after them until then, so no UPDATE misses its names); cert_names_ad
-- (AFTER DELETE) stays as it is.
DROP TRIGGER IF EXISTS cert_names_au_new;
DROP TRIGGER IF EXISTS cert_names_au_old;

-- STRAIGHT_JOIN: each certificate reads only its own places.
START TRANSACTION;
DELETE FROM certificate_names;
INSERT IGNORE INTO certificate_names (cert_id, customer_id, name, kind)
	SELECT p.id, p.customer_id,
		LOWER(LEFT(SUBSTRING(p.e, LOCATE(':', p.e) + IF(p.seq % 2, 1, 3)), 255)),
		IF(p.seq % 2, ELT(FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI', 'serial'),
			'cn', 'dns', 'email', 'ip', 'upn', 'uri', 'serial'), 'wildcard')
	FROM (SELECT c.id, c.customer_id, s.seq, CASE (s.seq + 1) DIV 2
			WHEN 1 THEN CONCAT('CN:', TRIM(c.common_name))
			WHEN 2 THEN CONCAT('email:', TRIM(c.email))
			WHEN 3 THEN CONCAT('serial:', TRIM(c.serial_hex))
			ELSE TRIM(SUBSTRING_INDEX(SUBSTRING_INDEX(c.sans, ', ', (s.seq - 5) DIV 2), ', ', -1)) END AS e
		FROM certificates c STRAIGHT_JOIN seq_1_to_206 s
		ON s.seq <= 6 + COALESCE(2 * (1 + (CHAR_LENGTH(c.sans) - CHAR_LENGTH(REPLACE(c.sans, ', ', ''))) DIV 2), 0)) p
	WHERE FIELD(SUBSTRING_INDEX(p.e, ':', 1), 'CN', 'DNS', 'email', 'IP', 'UPN', 'URI', 'serial') > 0
	AND CHAR_LENGTH(p.e) > LOCATE(':', p.e)
	AND (p.seq % 2 = 1 OR p.e LIKE 'CN:*._%' OR p.e LIKE 'DNS:*._%');
COMMIT;
