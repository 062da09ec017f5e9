-- 005_domains.sql: domains pages: the "manual" validation method (an MRAO marks a domain validated) and the list's state filter index.
--
-- The real domain-control validation (email/http/cname) comes in a later
-- issue; until then an MRAO vouches for a domain and the audit log says who.
-- domains_customer_state serves "validation state = X" lists in name order.
ALTER TABLE domains
	MODIFY validation_method ENUM('email','http','cname','manual') NULL,
	ADD INDEX IF NOT EXISTS domains_customer_state (customer_id, validation_state, name);
