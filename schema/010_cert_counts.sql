-- 010_cert_counts.sql: per-scope certificate counters (cert_counts) kept exact by triggers, so home and dashboard do not count a customer's certificates per view.
--
-- One row per (customer, org, dept, type, status); org_id/dept_id 0 stand
-- for NULL (ids start at 1, so 0 never matches an admin scope). Triggers on
-- certificates maintain n for every writer: issuance, approve/decline/revoke,
-- the CLI, tests and bulk loads alike, inside the writer's own transaction.
-- Single-statement bodies (no BEGIN ... END) so cm_db_migrate's splitter sees
-- each trigger as one statement. An UPDATE that keeps the key columns
-- (customer, org, dept, type, status) touches no counter. n can reach 0;
-- readers sum rows, so zero rows are harmless.
--
-- The triggers are created before the backfill: a certificate written
-- while this migration runs is counted by its trigger and then recounted by
-- the backfill, which replaces the table's contents in one transaction.
-- Re-running is safe (IF NOT EXISTS / OR REPLACE, full recount).

CREATE TABLE IF NOT EXISTS cert_counts (
	customer_id BIGINT NOT NULL,
	org_id BIGINT NOT NULL DEFAULT 0,
	dept_id BIGINT NOT NULL DEFAULT 0,
	cert_type ENUM('ssl','client','codesign','ocsp') NOT NULL,
	status ENUM('requested','approved','issued','declined','revoked','expired') NOT NULL,
	n BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (customer_id, org_id, dept_id, cert_type, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE OR REPLACE TRIGGER cert_counts_ai AFTER INSERT ON certificates FOR EACH ROW
	INSERT INTO cert_counts (customer_id, org_id, dept_id, cert_type, status, n)
	VALUES (NEW.customer_id, COALESCE(NEW.org_id, 0), COALESCE(NEW.dept_id, 0), NEW.cert_type, NEW.status, 1)
	ON DUPLICATE KEY UPDATE n = n + 1;

CREATE OR REPLACE TRIGGER cert_counts_ad AFTER DELETE ON certificates FOR EACH ROW
	INSERT INTO cert_counts (customer_id, org_id, dept_id, cert_type, status, n)
	VALUES (OLD.customer_id, COALESCE(OLD.org_id, 0), COALESCE(OLD.dept_id, 0), OLD.cert_type, OLD.status, -1)
	ON DUPLICATE KEY UPDATE n = n - 1;

-- Two AFTER UPDATE triggers (MariaDB runs them in creation order): take the
-- row out of its old counter, then add it to the new one.
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

START TRANSACTION;
DELETE FROM cert_counts;
INSERT INTO cert_counts (customer_id, org_id, dept_id, cert_type, status, n)
	SELECT customer_id, COALESCE(org_id, 0), COALESCE(dept_id, 0), cert_type, status, COUNT(*)
	FROM certificates
	GROUP BY customer_id, COALESCE(org_id, 0), COALESCE(dept_id, 0), cert_type, status;
COMMIT;
