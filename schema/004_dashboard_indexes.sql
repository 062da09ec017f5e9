-- 004_dashboard_indexes.sql: indexes for the dashboard (counts by type/status, issuance per day) so it reads index ranges, not the certificates table.
--
-- certificates_customer_type_status covers the count query and its scope
-- columns (index-only); certificates_customer_issued serves the per-day chart's
-- not_before range. Safe to run again (IF NOT EXISTS).

ALTER TABLE certificates
	ADD INDEX IF NOT EXISTS certificates_customer_type_status (customer_id, cert_type, status, org_id, dept_id),
	ADD INDEX IF NOT EXISTS certificates_customer_issued (customer_id, not_before, cert_type, org_id, dept_id);
