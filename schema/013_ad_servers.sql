-- 013_ad_servers.sql: a customer's Active Directory servers (Settings -> AD servers) and the one each organisation is bound to.
--
-- A later issue has autoenroll.fcgi bind to the organisation's server over
-- LDAP with Kerberos (SASL/GSSAPI) and a keytab the operator provides, so
-- no password is stored here. The Kerberos realm is the upper-case form of
-- domain, as in every AD forest. ldap_uris is what libldap's
-- ldap_initialize takes: ldap:// or ldaps://host[:port], one space between.
-- starttls: ldap:// connections must do StartTLS first (ldaps:// already
-- run over TLS). There is deliberately no CA-bundle path: naming files on
-- the server is the operator's business (certmint.conf), not a web
-- administrator's.
--
-- Deleting is soft (deleted_at) and refused by the pages while a live
-- organisation is bound; live_name keeps names unique among live rows only.
-- The (id, customer_id) key lets organizations reference a server of its
-- own customer only. Safe to run again (IF NOT EXISTS).

CREATE TABLE IF NOT EXISTS ad_servers (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	customer_id BIGINT NOT NULL,
	name VARCHAR(255) NOT NULL,
	-- AD DNS domain, lower case, no trailing dot ("corp.example.com")
	domain VARCHAR(253) NOT NULL,
	ldap_uris VARCHAR(1024) NOT NULL,
	base_dn VARCHAR(1024) NOT NULL,
	starttls TINYINT(1) NOT NULL DEFAULT 1,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
	deleted_at DATETIME NULL,
	live_name VARCHAR(255) AS (IF(deleted_at IS NULL, name, NULL)) PERSISTENT,
	UNIQUE KEY ad_servers_id_customer (id, customer_id),
	UNIQUE KEY ad_servers_customer_live_name (customer_id, live_name),
	KEY ad_servers_customer_name (customer_id, name, id),
	CONSTRAINT ad_servers_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- No page could set ad_server_id before this migration; clear any stray value so the key can be added.
UPDATE organizations o SET o.ad_server_id = NULL
	WHERE o.ad_server_id IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM ad_servers s WHERE s.id = o.ad_server_id AND s.customer_id = o.customer_id);

ALTER TABLE organizations
	ADD CONSTRAINT organizations_ad_server_fk FOREIGN KEY IF NOT EXISTS (ad_server_id, customer_id)
	REFERENCES ad_servers (id, customer_id);
