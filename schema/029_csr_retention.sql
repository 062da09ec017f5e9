-- 029_csr_retention.sql: a certificate row keeps its CSR only while it is a request (requested or approved).
--
-- A CSR may carry a challengePassword: an SCEP device's is the access code of
-- its organisation in clear, which the database otherwise keeps only as a
-- keyed hash (020). lib/cert_lifecycle.c no longer stores the CSR of a
-- certificate it issues directly and drops it when a request is issued or
-- declined; this clears what rows written before kept. Nothing reads the CSR
-- of a decided row. Safe to run again.
UPDATE certificates SET csr = NULL
	WHERE csr IS NOT NULL AND status NOT IN ('requested', 'approved');

-- With the CSR gone once a request is decided, a SCEP transaction keeps the
-- SHA-256 of its CSR's subject (DER) itself: a CertPoll (GetCertInitial)
-- names that subject, and scep.fcgi checks it against this after the
-- certificate is issued too.
ALTER TABLE scep_transactions
	ADD COLUMN IF NOT EXISTS subject_sha256 CHAR(64) NULL AFTER csr_sha256;
