-- 026_outbox.sql: the notification outbox (mail queued with the event that causes it, sent by `certmint notify run`) and each customer's expiry-notice windows (issue 9).
--
-- outbox: one row per message. event_key names the event ("expiry:30:cert:123",
-- "approve:cert:123", ...): (event_key, recipient) is unique, so an event
-- queued twice (a second run of the job, a retried transaction) is one
-- message. status queued -> sent, or queued -> failed when the sender gives
-- up (give_up_at, set at the first failed attempt); an MRAO's "Retry now"
-- puts a failed row back in the queue. next_attempt_at is when the sender
-- may try next (exponential backoff after each failure, lib/outbox.c);
-- outbox_due serves the sender, outbox_customer the portal's Outbox page.
-- customers.notify_expiry_days: the days before notAfter at which the
-- certificate's requester is told, e.g. "60,30,7" ('' = none).
-- Safe to run again (IF NOT EXISTS).

CREATE TABLE IF NOT EXISTS outbox (
	id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	customer_id BIGINT NOT NULL,
	cert_id BIGINT NULL,
	kind VARCHAR(32) NOT NULL,
	event_key VARCHAR(128) NOT NULL,
	recipient VARCHAR(254) NOT NULL,
	subject VARCHAR(255) NOT NULL,
	body TEXT NOT NULL,
	status ENUM('queued','sent','failed') NOT NULL DEFAULT 'queued',
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	next_attempt_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	attempts INT NOT NULL DEFAULT 0,
	last_error VARCHAR(512) NULL,
	give_up_at DATETIME NULL,
	sent_at DATETIME NULL,
	UNIQUE KEY outbox_event (event_key, recipient),
	KEY outbox_due (status, next_attempt_at, id),
	KEY outbox_customer (customer_id, created_at, id),
	KEY outbox_customer_status (customer_id, status, created_at, id),
	CONSTRAINT outbox_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE customers
	ADD COLUMN IF NOT EXISTS notify_expiry_days VARCHAR(64) NOT NULL DEFAULT '60,30,7';
