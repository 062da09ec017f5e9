-- 014_dept_auto_approve.sql: a department's SSL approval setting may follow its organisation (NULL, the default), approve automatically (1) or leave each request to an administrator (0).
--
-- Until now requests looked only at organizations.ssl_auto_approve: the
-- departments' column was saved by the form but never read. Turning every
-- existing value into NULL ("as the organisation") therefore keeps what
-- each department did until now; an administrator who wants a department
-- to differ from its organisation chooses so on its SSL tab.
--
-- Safe to run again: MODIFY is idempotent, and the reset only runs while
-- this migration is not yet recorded in schema_migrations (a hand re-run
-- later keeps the departments' choices).

ALTER TABLE departments
	MODIFY COLUMN ssl_auto_approve TINYINT(1) NULL DEFAULT NULL;

UPDATE departments SET ssl_auto_approve = NULL
	WHERE NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = 14);
