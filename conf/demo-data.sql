-- demo-data.sql: the demo customer, organisation, department and domain (safe to load again).
--
-- Load after `certmint init`:  mariadb --defaults-file=... certmint < conf/demo-data.sql
-- Rows are found by their natural names, so re-running inserts nothing new.
-- The demo organisations approve SSL, client and code-signing requests
-- automatically (issued at once); an organisation created with auto-approve
-- off gets requests to approve. Loaded after `certmint init` has applied the
-- migrations (015 adds client_/codesign_auto_approve); an organisation that
-- already exists is left as it is.

INSERT INTO customers (uri, name, enabled) VALUES ('demo', 'Demo Company', 1)
	ON DUPLICATE KEY UPDATE name = VALUES(name);

INSERT INTO organizations (customer_id, name, city, country, ssl_auto_approve,
		client_auto_approve, codesign_auto_approve)
	SELECT c.id, 'Demo Organisation', 'Demo City', 'GB', 1, 1, 1 FROM customers c
	WHERE c.uri = 'demo' AND NOT EXISTS (
		SELECT 1 FROM organizations o
		WHERE o.customer_id = c.id AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL);

INSERT INTO departments (org_id, name)
	SELECT o.id, 'Engineering' FROM organizations o JOIN customers c ON c.id = o.customer_id
	WHERE c.uri = 'demo' AND o.name = 'Demo Organisation' AND o.deleted_at IS NULL
	AND NOT EXISTS (
		SELECT 1 FROM departments d
		WHERE d.org_id = o.id AND d.name = 'Engineering' AND d.deleted_at IS NULL);

INSERT INTO domains (customer_id, name, validation_state, validation_method, validated_at)
	SELECT c.id, n.name, 'validated', 'email', UTC_TIMESTAMP()
	FROM customers c
	JOIN (SELECT 'demo.test' AS name UNION ALL SELECT '*.demo.test') n
	WHERE c.uri = 'demo'
	ON DUPLICATE KEY UPDATE validation_state = VALUES(validation_state);

INSERT IGNORE INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state)
	SELECT d.id, o.id, NULL, t.cert_type, 'approved'
	FROM customers c
	JOIN domains d ON d.customer_id = c.id AND d.name IN ('demo.test', '*.demo.test')
	JOIN organizations o ON o.customer_id = c.id AND o.name = 'Demo Organisation'
		AND o.deleted_at IS NULL
	JOIN (SELECT 'ssl' AS cert_type UNION ALL SELECT 'client' UNION ALL SELECT 'codesign') t
	WHERE c.uri = 'demo';

-- A second organisation, so that delegated administrators of one can be
-- shown (and tested) not to see the other's objects.
INSERT INTO organizations (customer_id, name, city, country, ssl_auto_approve,
		client_auto_approve, codesign_auto_approve)
	SELECT c.id, 'Other Organisation', 'Other City', 'GB', 1, 1, 1 FROM customers c
	WHERE c.uri = 'demo' AND NOT EXISTS (
		SELECT 1 FROM organizations o
		WHERE o.customer_id = c.id AND o.name = 'Other Organisation' AND o.deleted_at IS NULL);

INSERT INTO departments (org_id, name)
	SELECT o.id, 'Operations' FROM organizations o JOIN customers c ON c.id = o.customer_id
	WHERE c.uri = 'demo' AND o.name = 'Other Organisation' AND o.deleted_at IS NULL
	AND NOT EXISTS (
		SELECT 1 FROM departments d
		WHERE d.org_id = o.id AND d.name = 'Operations' AND d.deleted_at IS NULL);

INSERT INTO domains (customer_id, name, validation_state, validation_method, validated_at)
	SELECT c.id, n.name, 'validated', 'email', UTC_TIMESTAMP()
	FROM customers c
	JOIN (SELECT 'other.test' AS name UNION ALL SELECT '*.other.test') n
	WHERE c.uri = 'demo'
	ON DUPLICATE KEY UPDATE validation_state = VALUES(validation_state);

INSERT IGNORE INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state)
	SELECT d.id, o.id, NULL, t.cert_type, 'approved'
	FROM customers c
	JOIN domains d ON d.customer_id = c.id AND d.name IN ('other.test', '*.other.test')
	JOIN organizations o ON o.customer_id = c.id AND o.name = 'Other Organisation'
		AND o.deleted_at IS NULL
	JOIN (SELECT 'ssl' AS cert_type UNION ALL SELECT 'client' UNION ALL SELECT 'codesign') t
	WHERE c.uri = 'demo';

-- SCEP (issue 10): the demo customer serves the "smime" type (client and
-- S/MIME certificates, signer profile client-smime) at
-- /customer/demo/scep/smime/pkiclient.exe. The access codes that are the
-- challenge passwords are set by tests/stack.sh (only their keyed hash is
-- stored, and the key is the instance's): Demo Organisation approves client
-- certificates automatically; Manual Organisation (mail domain
-- manual.demo.test) has every one approved by an administrator, so its
-- devices get PENDING and poll.
UPDATE customers SET scep_enabled = 1 WHERE uri = 'demo';

INSERT IGNORE INTO scep_types (customer_id, scep_type, profile, enabled)
	SELECT c.id, 'smime', 'client-smime', 1 FROM customers c WHERE c.uri = 'demo';

-- ... and the "device" type (client-authentication device certificates,
-- profile client-device: the CN is the device's DNS name or an address in
-- a domain delegated for client certificates, e.g. router1.demo.test) at
-- /customer/demo/scep/device/pkiclient.exe.
INSERT IGNORE INTO scep_types (customer_id, scep_type, profile, enabled)
	SELECT c.id, 'device', 'client-device', 1 FROM customers c WHERE c.uri = 'demo';

INSERT INTO organizations (customer_id, name, city, country, ssl_auto_approve,
		client_auto_approve, codesign_auto_approve)
	SELECT c.id, 'Manual Organisation', 'Demo City', 'GB', 0, 0, 0 FROM customers c
	WHERE c.uri = 'demo' AND NOT EXISTS (
		SELECT 1 FROM organizations o
		WHERE o.customer_id = c.id AND o.name = 'Manual Organisation' AND o.deleted_at IS NULL);

INSERT INTO domains (customer_id, name, validation_state, validation_method, validated_at)
	SELECT c.id, 'manual.demo.test', 'validated', 'email', UTC_TIMESTAMP()
	FROM customers c WHERE c.uri = 'demo'
	ON DUPLICATE KEY UPDATE validation_state = VALUES(validation_state);

INSERT IGNORE INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state)
	SELECT d.id, o.id, NULL, 'client', 'approved'
	FROM customers c
	JOIN domains d ON d.customer_id = c.id AND d.name = 'manual.demo.test'
	JOIN organizations o ON o.customer_id = c.id AND o.name = 'Manual Organisation'
		AND o.deleted_at IS NULL
	WHERE c.uri = 'demo';
