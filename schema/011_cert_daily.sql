-- 011_cert_daily.sql: per-day certificate counters (issued by DATE(not_before), expiring by DATE(not_after)) kept exact by triggers, for the dashboard.
--
-- Same scheme as 010_cert_counts.sql: org_id/dept_id 0 stand for NULL (ids
-- start at 1, so 0 never matches an admin scope); single-statement trigger
-- bodies (no BEGIN ... END) for cm_db_migrate's splitter; an UPDATE that
-- keeps a table's key columns touches no counter there; n can reach 0 and
-- readers sum rows. Rows with a NULL not_before (not_after) are not counted
-- in cert_issued_daily (cert_expiry_daily).
--
-- cert_issued_daily feeds the 90-day issuance chart; cert_expiry_daily the
-- "expiring within 30/60/90 days" counts, for whole days only: the dashboard
-- reads the partial days (today, and each window's last day) from
-- certificates through certificates_customer_status_expiry.
--
-- Triggers are created before the backfill, which replaces both tables'
-- contents in one transaction. Re-running is safe (IF NOT EXISTS / OR
-- REPLACE, full recount).

CREATE TABLE IF NOT EXISTS cert_issued_daily (
	customer_id BIGINT NOT NULL,
	org_id BIGINT NOT NULL DEFAULT 0,
	dept_id BIGINT NOT NULL DEFAULT 0,
	cert_type ENUM('ssl','client','codesign','ocsp') NOT NULL,
	day DATE NOT NULL,
	n BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (customer_id, day, org_id, dept_id, cert_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS cert_expiry_daily (
	customer_id BIGINT NOT NULL,
	org_id BIGINT NOT NULL DEFAULT 0,
	dept_id BIGINT NOT NULL DEFAULT 0,
	cert_type ENUM('ssl','client','codesign','ocsp') NOT NULL,
	status ENUM('requested','approved','issued','declined','revoked','expired') NOT NULL,
	day DATE NOT NULL,
	n BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (customer_id, status, day, org_id, dept_id, cert_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE OR REPLACE TRIGGER cert_issued_daily_ai AFTER INSERT ON certificates FOR EACH ROW
	INSERT INTO cert_issued_daily (customer_id, org_id, dept_id, cert_type, day, n)
	SELECT NEW.customer_id, COALESCE(NEW.org_id, 0), COALESCE(NEW.dept_id, 0), NEW.cert_type, DATE(NEW.not_before), 1
	FROM DUAL WHERE NEW.not_before IS NOT NULL
	ON DUPLICATE KEY UPDATE n = n + 1;

CREATE OR REPLACE TRIGGER cert_issued_daily_ad AFTER DELETE ON certificates FOR EACH ROW
	INSERT INTO cert_issued_daily (customer_id, org_id, dept_id, cert_type, day, n)
	SELECT OLD.customer_id, COALESCE(OLD.org_id, 0), COALESCE(OLD.dept_id, 0), OLD.cert_type, DATE(OLD.not_before), -1
	FROM DUAL WHERE OLD.not_before IS NOT NULL
	ON DUPLICATE KEY UPDATE n = n - 1;

-- AFTER UPDATE: take the row out of its old day, then add it to the new one.
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

CREATE OR REPLACE TRIGGER cert_expiry_daily_ai AFTER INSERT ON certificates FOR EACH ROW
	INSERT INTO cert_expiry_daily (customer_id, org_id, dept_id, cert_type, status, day, n)
	SELECT NEW.customer_id, COALESCE(NEW.org_id, 0), COALESCE(NEW.dept_id, 0), NEW.cert_type, NEW.status, DATE(NEW.not_after), 1
	FROM DUAL WHERE NEW.not_after IS NOT NULL
	ON DUPLICATE KEY UPDATE n = n + 1;

CREATE OR REPLACE TRIGGER cert_expiry_daily_ad AFTER DELETE ON certificates FOR EACH ROW
	INSERT INTO cert_expiry_daily (customer_id, org_id, dept_id, cert_type, status, day, n)
	SELECT OLD.customer_id, COALESCE(OLD.org_id, 0), COALESCE(OLD.dept_id, 0), OLD.cert_type, OLD.status, DATE(OLD.not_after), -1
	FROM DUAL WHERE OLD.not_after IS NOT NULL
	ON DUPLICATE KEY UPDATE n = n - 1;

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

START TRANSACTION;
DELETE FROM cert_issued_daily;
INSERT INTO cert_issued_daily (customer_id, org_id, dept_id, cert_type, day, n)
	SELECT customer_id, COALESCE(org_id, 0), COALESCE(dept_id, 0), cert_type, DATE(not_before), COUNT(*)
	FROM certificates WHERE not_before IS NOT NULL
	GROUP BY customer_id, COALESCE(org_id, 0), COALESCE(dept_id, 0), cert_type, DATE(not_before);
DELETE FROM cert_expiry_daily;
INSERT INTO cert_expiry_daily (customer_id, org_id, dept_id, cert_type, status, day, n)
	SELECT customer_id, COALESCE(org_id, 0), COALESCE(dept_id, 0), cert_type, status, DATE(not_after), COUNT(*)
	FROM certificates WHERE not_after IS NOT NULL
	GROUP BY customer_id, COALESCE(org_id, 0), COALESCE(dept_id, 0), cert_type, status, DATE(not_after);
COMMIT;
