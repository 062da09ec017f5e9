-- 023_trigger_definer.sql: re-creates every certificates trigger (the latest definition of each, in their present order) so that its definer is the migration account.
--
-- Why: a trigger runs with its definer's privileges, and MariaDB refuses to
-- run one whose definer lacks the TRIGGER privilege on its table. Until
-- issue 8 the programs' own account applied the migrations, so it is the
-- definer of the triggers of 010, 011, 012 and 016; now that account has
-- only SELECT/INSERT/UPDATE/DELETE (certmint migrate re-grants it), its
-- triggers would make every write to certificates fail. certmint migrate
-- runs this file with the migration account, which becomes the definer.
-- On a new install the triggers are already the migration account's, and
-- this replaces them with identical ones.
--
-- CREATE OR REPLACE moves a trigger to the end of its (table, event) list,
-- and the AFTER UPDATE pairs must keep running "take the old row out" before
-- "add the new one": so every trigger is re-created, in the order they run
-- today. The tables stay write-locked meanwhile, so no certificate is written
-- while a trigger is missing.

LOCK TABLES certificates WRITE, cert_counts WRITE, cert_issued_daily WRITE, cert_expiry_daily WRITE,
	certificate_names WRITE;

CREATE OR REPLACE TRIGGER cert_counts_ai AFTER INSERT ON certificates FOR EACH ROW
	INSERT INTO cert_counts (customer_id, org_id, dept_id, cert_type, status, n)
	VALUES (NEW.customer_id, COALESCE(NEW.org_id, 0), COALESCE(NEW.dept_id, 0), NEW.cert_type, NEW.status, 1)
	ON DUPLICATE KEY UPDATE n = n + 1;

CREATE OR REPLACE TRIGGER cert_issued_daily_ai AFTER INSERT ON certificates FOR EACH ROW
	INSERT INTO cert_issued_daily (customer_id, org_id, dept_id, cert_type, day, n)
	SELECT NEW.customer_id, COALESCE(NEW.org_id, 0), COALESCE(NEW.dept_id, 0), NEW.cert_type, DATE(NEW.not_before), 1
	FROM DUAL WHERE NEW.not_before IS NOT NULL
	ON DUPLICATE KEY UPDATE n = n + 1;

CREATE OR REPLACE TRIGGER cert_expiry_daily_ai AFTER INSERT ON certificates FOR EACH ROW
	INSERT INTO cert_expiry_daily (customer_id, org_id, dept_id, cert_type, status, day, n)
	SELECT NEW.customer_id, COALESCE(NEW.org_id, 0), COALESCE(NEW.dept_id, 0), NEW.cert_type, NEW.status, DATE(NEW.not_after), 1
	FROM DUAL WHERE NEW.not_after IS NOT NULL
	ON DUPLICATE KEY UPDATE n = n + 1;

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

CREATE OR REPLACE TRIGGER cert_counts_ad AFTER DELETE ON certificates FOR EACH ROW
	INSERT INTO cert_counts (customer_id, org_id, dept_id, cert_type, status, n)
	VALUES (OLD.customer_id, COALESCE(OLD.org_id, 0), COALESCE(OLD.dept_id, 0), OLD.cert_type, OLD.status, -1)
	ON DUPLICATE KEY UPDATE n = n - 1;

CREATE OR REPLACE TRIGGER cert_issued_daily_ad AFTER DELETE ON certificates FOR EACH ROW
	INSERT INTO cert_issued_daily (customer_id, org_id, dept_id, cert_type, day, n)
	SELECT OLD.customer_id, COALESCE(OLD.org_id, 0), COALESCE(OLD.dept_id, 0), OLD.cert_type, DATE(OLD.not_before), -1
	FROM DUAL WHERE OLD.not_before IS NOT NULL
	ON DUPLICATE KEY UPDATE n = n - 1;

CREATE OR REPLACE TRIGGER cert_expiry_daily_ad AFTER DELETE ON certificates FOR EACH ROW
	INSERT INTO cert_expiry_daily (customer_id, org_id, dept_id, cert_type, status, day, n)
	SELECT OLD.customer_id, COALESCE(OLD.org_id, 0), COALESCE(OLD.dept_id, 0), OLD.cert_type, OLD.status, DATE(OLD.not_after), -1
	FROM DUAL WHERE OLD.not_after IS NOT NULL
	ON DUPLICATE KEY UPDATE n = n - 1;

CREATE OR REPLACE TRIGGER cert_names_ad AFTER DELETE ON certificates FOR EACH ROW
	DELETE FROM certificate_names WHERE cert_id = OLD.id;

CREATE OR REPLACE TRIGGER cert_counts_au_old AFTER UPDATE ON certificates FOR EACH ROW
	INSERT INTO cert_counts (customer_id, org_id, dept_id, cert_type, status, n)
	SELECT OLD.customer_id, COALESCE(OLD.org_id, 0), COALESCE(OLD.dept_id, 0), OLD.cert_type, OLD.status, -1
	FROM DUAL
	WHERE NOT (OLD.customer_id <=> NEW.customer_id AND OLD.org_id <=> NEW.org_id AND OLD.dept_id <=> NEW.dept_id
	AND OLD.cert_type <=> NEW.cert_type AND OLD.status <=> NEW.status)
	ON DUPLICATE KEY UPDATE n = n - 1;

CREATE OR REPLACE TRIGGER cert_counts_au_new AFTER UPDATE ON certificates FOR EACH ROW FOLLOWS cert_counts_au_old
	INSERT INTO cert_counts (customer_id, org_id, dept_id, cert_type, status, n)
	SELECT NEW.customer_id, COALESCE(NEW.org_id, 0), COALESCE(NEW.dept_id, 0), NEW.cert_type, NEW.status, 1
	FROM DUAL
	WHERE NOT (OLD.customer_id <=> NEW.customer_id AND OLD.org_id <=> NEW.org_id AND OLD.dept_id <=> NEW.dept_id
	AND OLD.cert_type <=> NEW.cert_type AND OLD.status <=> NEW.status)
	ON DUPLICATE KEY UPDATE n = n + 1;

CREATE OR REPLACE TRIGGER cert_issued_daily_au_old AFTER UPDATE ON certificates FOR EACH ROW
	INSERT INTO cert_issued_daily (customer_id, org_id, dept_id, cert_type, day, n)
	SELECT OLD.customer_id, COALESCE(OLD.org_id, 0), COALESCE(OLD.dept_id, 0), OLD.cert_type, DATE(OLD.not_before), -1
	FROM DUAL
	WHERE OLD.not_before IS NOT NULL
	AND NOT (OLD.customer_id <=> NEW.customer_id AND OLD.org_id <=> NEW.org_id AND OLD.dept_id <=> NEW.dept_id
	AND OLD.cert_type <=> NEW.cert_type AND DATE(OLD.not_before) <=> DATE(NEW.not_before))
	ON DUPLICATE KEY UPDATE n = n - 1;

CREATE OR REPLACE TRIGGER cert_issued_daily_au_new AFTER UPDATE ON certificates FOR EACH ROW FOLLOWS cert_issued_daily_au_old
	INSERT INTO cert_issued_daily (customer_id, org_id, dept_id, cert_type, day, n)
	SELECT NEW.customer_id, COALESCE(NEW.org_id, 0), COALESCE(NEW.dept_id, 0), NEW.cert_type, DATE(NEW.not_before), 1
	FROM DUAL
	WHERE NEW.not_before IS NOT NULL
	AND NOT (OLD.customer_id <=> NEW.customer_id AND OLD.org_id <=> NEW.org_id AND OLD.dept_id <=> NEW.dept_id
	AND OLD.cert_type <=> NEW.cert_type AND DATE(OLD.not_before) <=> DATE(NEW.not_before))
	ON DUPLICATE KEY UPDATE n = n + 1;

CREATE OR REPLACE TRIGGER cert_expiry_daily_au_old AFTER UPDATE ON certificates FOR EACH ROW
	INSERT INTO cert_expiry_daily (customer_id, org_id, dept_id, cert_type, status, day, n)
	SELECT OLD.customer_id, COALESCE(OLD.org_id, 0), COALESCE(OLD.dept_id, 0), OLD.cert_type, OLD.status, DATE(OLD.not_after), -1
	FROM DUAL
	WHERE OLD.not_after IS NOT NULL
	AND NOT (OLD.customer_id <=> NEW.customer_id AND OLD.org_id <=> NEW.org_id AND OLD.dept_id <=> NEW.dept_id
	AND OLD.cert_type <=> NEW.cert_type AND OLD.status <=> NEW.status AND DATE(OLD.not_after) <=> DATE(NEW.not_after))
	ON DUPLICATE KEY UPDATE n = n - 1;

CREATE OR REPLACE TRIGGER cert_expiry_daily_au_new AFTER UPDATE ON certificates FOR EACH ROW FOLLOWS cert_expiry_daily_au_old
	INSERT INTO cert_expiry_daily (customer_id, org_id, dept_id, cert_type, status, day, n)
	SELECT NEW.customer_id, COALESCE(NEW.org_id, 0), COALESCE(NEW.dept_id, 0), NEW.cert_type, NEW.status, DATE(NEW.not_after), 1
	FROM DUAL
	WHERE NEW.not_after IS NOT NULL
	AND NOT (OLD.customer_id <=> NEW.customer_id AND OLD.org_id <=> NEW.org_id AND OLD.dept_id <=> NEW.dept_id
	AND OLD.cert_type <=> NEW.cert_type AND OLD.status <=> NEW.status AND DATE(OLD.not_after) <=> DATE(NEW.not_after))
	ON DUPLICATE KEY UPDATE n = n + 1;

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

UNLOCK TABLES;
