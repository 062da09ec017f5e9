/* url.h: scep.fcgi's URL scanning (the customer and type segments of the path, the raw parameters of the query), apart from the handler so a fuzz target can drive it. */
#ifndef CM_SCEP_URL_H
#define CM_SCEP_URL_H

#include <stddef.h>

/* The longest customer URI and type segment taken (the columns' sizes). */
#define SCEP_URL_MAX_CUSTOMER 128
#define SCEP_URL_MAX_TYPE 32
/* The longest query scanned for a raw parameter: more than a GET
 * PKIOperation's message= can be (the base64 of at most CM_SCEP_MAX_MESSAGE,
 * escaped: serve.c answers 413 above that). */
#define SCEP_URL_MAX_QUERY (2 * 1024 * 1024)

/* What the path says: /customer/<customer>/scep/<type>[/pkiclient.exe]. */
struct scep_url {
	char customer[SCEP_URL_MAX_CUSTOMER + 1];
	char type[SCEP_URL_MAX_TYPE + 1];
};

/*
 * The path split on '/' (empty segments dropped, as lib/request.c does):
 * 1 with u filled, 0 when it is not the SCEP shape or a segment is empty,
 * too long or not plain printable ASCII (404).
 */
int scep_url_scan(const char *const *parts, size_t nparts, struct scep_url *u);

/*
 * The raw (still URL-encoded) value of parameter name in query q (NULL
 * allowed): its start and length in *v and *n, the first one when name is
 * repeated. 1 found, 0 not (or q longer than SCEP_URL_MAX_QUERY). The raw
 * form keeps a '+' of base64 that form decoding would turn into a space
 * (clients that do not escape it).
 */
int scep_url_raw_param(const char *q, const char *name, const char **v, size_t *n);

#endif
