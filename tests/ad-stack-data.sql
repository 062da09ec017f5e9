-- ad-stack-data.sql: the test stack's auto-enrollment data for --with-ad (tests/stack.sh): a second customer and the AD mail domains (safe to load again).
--
-- The demo customer serves AD realm 1 (mail domain ad1.certmint.test,
-- delegated to Demo Organisation for client/S/MIME certificates); the
-- second customer ("second", Second Organisation) serves AD realm 2
-- (ad2.certmint.test). Both organisations approve client certificates
-- automatically, so an enrollment issues at once. Rows are found by their
-- natural names, as in conf/demo-data.sql; signerd.conf [namespaces]
-- already covers certmint.test and its subdomains.

INSERT INTO domains (customer_id, name, validation_state, validation_method, validated_at)
	SELECT c.id, 'ad1.certmint.test', 'validated', 'email', UTC_TIMESTAMP()
	FROM customers c WHERE c.uri = 'demo'
	ON DUPLICATE KEY UPDATE validation_state = VALUES(validation_state);

INSERT IGNORE INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state)
	SELECT d.id, o.id, NULL, 'client', 'approved'
	FROM customers c
	JOIN domains d ON d.customer_id = c.id AND d.name = 'ad1.certmint.test'
	JOIN organizations o ON o.customer_id = c.id AND o.name = 'Demo Organisation'
		AND o.deleted_at IS NULL
	WHERE c.uri = 'demo';

INSERT INTO customers (uri, name, enabled) VALUES ('second', 'Second Company', 1)
	ON DUPLICATE KEY UPDATE name = VALUES(name);

INSERT INTO organizations (customer_id, name, city, country, ssl_auto_approve,
		client_auto_approve, codesign_auto_approve)
	SELECT c.id, 'Second Organisation', 'Second City', 'GB', 1, 1, 1 FROM customers c
	WHERE c.uri = 'second' AND NOT EXISTS (
		SELECT 1 FROM organizations o
		WHERE o.customer_id = c.id AND o.name = 'Second Organisation' AND o.deleted_at IS NULL);

INSERT INTO domains (customer_id, name, validation_state, validation_method, validated_at)
	SELECT c.id, 'ad2.certmint.test', 'validated', 'email', UTC_TIMESTAMP()
	FROM customers c WHERE c.uri = 'second'
	ON DUPLICATE KEY UPDATE validation_state = VALUES(validation_state);

INSERT IGNORE INTO domain_delegations (domain_id, org_id, dept_id, cert_type, state)
	SELECT d.id, o.id, NULL, 'client', 'approved'
	FROM customers c
	JOIN domains d ON d.customer_id = c.id AND d.name = 'ad2.certmint.test'
	JOIN organizations o ON o.customer_id = c.id AND o.name = 'Second Organisation'
		AND o.deleted_at IS NULL
	WHERE c.uri = 'second';
