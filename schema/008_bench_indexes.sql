-- 008_bench_indexes.sql: an index found missing by bench/admin (1,000,000 certificates): the dashboard's "expiring in 30/60/90 days" count.
--
-- The count filters on customer, status = 'issued' and a not_after range,
-- and its scope clause reads cert_type, org_id and dept_id. With only
-- certificates_customer_expiry (customer_id, not_after, id) MariaDB read
-- every row of the range from the table to test status (39,651 row
-- lookups, 538 ms for the demo customer); this index answers it as one
-- index-only range. Safe to run again (IF NOT EXISTS).

ALTER TABLE certificates
	ADD INDEX IF NOT EXISTS certificates_customer_status_expiry (customer_id, status, not_after, cert_type, org_id, dept_id);
