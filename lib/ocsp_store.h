/* ocsp_store.h: the pre-signed OCSP response store, one file per certificate, shared by `certmint ocsp refresh` (writer) and ocsp.fcgi (reader). */
#ifndef CM_OCSP_STORE_H
#define CM_OCSP_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * A store is one directory (certmint.conf [ocsp] store). Each certificate
 * of the issuing CA that is unexpired has a file named by its serial_hex
 * (lowercase hex, as in certificates.serial_hex) holding
 *
 *   8 bytes  CM_OCSP_STORE_MAGIC
 *   uint64   this_update  seconds since the epoch, big-endian
 *   uint64   next_update  (the response's nextUpdate)
 *   uint8    status       CM_OCSP_STORE_GOOD or CM_OCSP_STORE_REVOKED
 *   7 bytes  zero
 *   DER      the complete OCSPResponse for the SHA-1 CertID, without nonce
 *
 * Files are written whole under a temporary name and renamed into place,
 * so a reader sees the old response or the new one. A reader that finds a
 * file missing, short, damaged or stale answers from the database instead:
 * the store only saves private-key operations, it never decides an answer
 * the database contradicts.
 *
 * ".state" holds the revocation watermark: "watermark SECONDS\n". Every
 * revocation recorded (revoked_at) before it is reflected in the files; a
 * reader must look up revocations at or after it itself.
 */
#define CM_OCSP_STORE_MAGIC "CMOCSP1\n"
#define CM_OCSP_STORE_HDR 32
/* Largest file accepted: a response with an RSA-4096 responder certificate
 * is under 4 KiB. */
#define CM_OCSP_STORE_MAX 16384
#define CM_OCSP_STORE_NAME_MAX 64
#define CM_OCSP_STORE_GOOD 0
#define CM_OCSP_STORE_REVOKED 1

struct cm_ocsp_stored {
	time_t this_update, next_update;
	int status;                     /* CM_OCSP_STORE_* */
	const unsigned char *der;       /* points into the caller's buffer; NULL after a peek */
	size_t der_len;
};

/* 1 when name is a serial_hex a store file may carry (1..64 lowercase hex
 * digits), else 0. */
int cm_ocsp_store_name_ok(const char *name);

/* Checks a whole file's bytes: 0 and *e (der pointing into p), or -1 when
 * they are not a store file (bad magic, status, times, DER framing, size). */
int cm_ocsp_store_parse(const unsigned char *p, size_t len, struct cm_ocsp_stored *e);

/* Reads serial_hex's file in dirfd into buf (cap must exceed
 * CM_OCSP_STORE_MAX, else -1 EINVAL) and checks it. 1 found (*e, der in
 * buf); 0 no file, or a file that is not a valid store file; -1 on another
 * I/O error (errno). */
int cm_ocsp_store_get(int dirfd, const char *serial_hex, unsigned char *buf, size_t cap,
    struct cm_ocsp_stored *e);

/* Reads only the header of serial_hex's file (times and status; der NULL):
 * 1 / 0 / -1 as cm_ocsp_store_get. */
int cm_ocsp_store_peek(int dirfd, const char *serial_hex, struct cm_ocsp_stored *e);

/* Writes serial_hex's file atomically (temporary file, rename; mode 0644,
 * no fsync: call cm_ocsp_store_sync after a batch). 0, or -1 with errno. */
int cm_ocsp_store_put(int dirfd, const char *serial_hex, time_t this_update, time_t next_update,
    int status, const unsigned char *der, size_t der_len);

/* Removes serial_hex's file; a missing file is fine. 0, or -1 with errno. */
int cm_ocsp_store_remove(int dirfd, const char *serial_hex);

/* Makes every file written so far durable (syncfs, then the directory). 0 / -1 errno. */
int cm_ocsp_store_sync(int dirfd);

/* Writes .state durably (temporary file, fsync, rename, directory fsync).
 * 0, or -1 with errno. */
int cm_ocsp_store_state_write(int dirfd, time_t watermark);

/* Reads .state: 1 and *watermark; 0 when there is none or it is not ours;
 * -1 on another I/O error (errno). */
int cm_ocsp_store_state_read(int dirfd, time_t *watermark);

#endif
