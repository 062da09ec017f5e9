-- 002_org_model.sql: issue 3's organisation and department settings (client certificate, SSL and code signing tabs).
--
-- The access code is kept in its own column, readable by MRAOs and RAOs:
-- the system users migrate from shows it to them, and SCEP compares it.
-- Each statement is safe to run again (ADD COLUMN IF NOT EXISTS).

ALTER TABLE organizations
	ADD COLUMN IF NOT EXISTS client_self_enrollment TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS client_access_code VARCHAR(64) NULL,
	ADD COLUMN IF NOT EXISTS client_web_api TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS client_key_recovery_mrao TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS client_key_recovery_org TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS client_allow_principal_name TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS client_allow_principal_name_custom TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS ssl_allowed_terms VARCHAR(64) NOT NULL DEFAULT '1y',
	ADD COLUMN IF NOT EXISTS ssl_auto_approve TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS ad_server_id BIGINT NULL,
	ADD COLUMN IF NOT EXISTS updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP;

ALTER TABLE departments
	ADD COLUMN IF NOT EXISTS client_self_enrollment TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS client_access_code VARCHAR(64) NULL,
	ADD COLUMN IF NOT EXISTS client_key_recovery_org TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS client_key_recovery_dept TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS client_allow_principal_name TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS client_allow_principal_name_custom TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS ssl_allowed_terms VARCHAR(64) NOT NULL DEFAULT '1y',
	ADD COLUMN IF NOT EXISTS ssl_auto_approve TINYINT(1) NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP;
