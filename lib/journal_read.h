/* journal_read.h: a bounded reader of the signer's issuance journal (signer/journal.c writes it), for the reconciliation. */
#ifndef CM_JOURNAL_READ_H
#define CM_JOURNAL_READ_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The longest DER a record may hold (the signer never issues more than a
 * CSR's worth plus extensions; x509util refuses input above 64 KiB too). */
#define CM_JOURNAL_DER_MAX (64 * 1024)
/* The longest subject field (the signer writes at most 511 bytes). */
#define CM_JOURNAL_SUBJECT_MAX 4096
/* The longest record line: the fields above, base64 of the DER, separators. */
#define CM_JOURNAL_LINE_MAX (CM_JOURNAL_SUBJECT_MAX + 4 * (CM_JOURNAL_DER_MAX / 3 + 1) + 256)

/* Records whose profile starts with this are certificates the signer made
 * for itself (its OCSP responder certificates, signer/ocsp.h), not a
 * customer's: never imported as recovered rows. No profile file name can
 * take the prefix (signer/profile.c refuses it). */
#define CM_JOURNAL_SIGNER_PROFILE_PREFIX "signer."
/* 1 when e's profile is the signer's own (above), else 0. */
#define CM_JOURNAL_IS_SIGNERS_OWN(profile) \
	(strncmp((profile), CM_JOURNAL_SIGNER_PROFILE_PREFIX, sizeof(CM_JOURNAL_SIGNER_PROFILE_PREFIX) - 1) == 0)

/* One record: "TIME\tSERIAL\tPROFILE\tUID\tSUBJECT\tBASE64-DER". */
struct cm_journal_entry {
	char time[21];                /* "YYYY-MM-DDTHH:MM:SSZ", as written */
	time_t when;                  /* the same instant */
	char serial_hex[65];          /* lowercase hex, as the signer wrote it */
	char profile[65];
	unsigned long uid;            /* the peer uid that asked */
	char subject[CM_JOURNAL_SUBJECT_MAX + 1];
	unsigned char *der;           /* decoded; owned, freed by cm_journal_entry_free */
	size_t der_len;
};

/*
 * Parses one record line (len bytes, without its newline) into e, which the
 * caller has zeroed or freed. 0, or -1 with the reason in err (e then holds
 * nothing to free). Nothing beyond len is read.
 */
int cm_journal_parse_line(const char *line, size_t len, struct cm_journal_entry *e,
    char *err, size_t errlen);
void cm_journal_entry_free(struct cm_journal_entry *e);

/* Reads a journal file record by record; never holds more than one line. */
struct cm_journal_reader {
	FILE *f;
	char *buf;                    /* CM_JOURNAL_LINE_MAX + 1 bytes */
	unsigned long lineno;         /* of the record last returned */
};

/* 0, or -1 with err. f is the caller's: not closed by the reader. */
int cm_journal_reader_init(struct cm_journal_reader *r, FILE *f, char *err, size_t errlen);
void cm_journal_reader_free(struct cm_journal_reader *r);

/*
 * The next record into e (freed first). Returns:
 *    1  a record;
 *    0  the end of the journal;
 *   -1  line r->lineno is not a record (err says why; reading may go on);
 *   -2  the last line has no newline: a record still being written, or
 *       cut off by a crash before it was synced (so never handed out);
 *       the end of the journal follows;
 *   -3  the file could not be read (err; stop).
 */
int cm_journal_next(struct cm_journal_reader *r, struct cm_journal_entry *e, char *err, size_t errlen);

#endif
