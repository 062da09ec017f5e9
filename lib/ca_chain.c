/* ca_chain.c: finds a certificate's CA chain and its issuing CA's row among the ca_certs rows (detail page, downloads, issuance). */
#include "config.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ca_chain.h"
#include "log.h"
#include "x509util.h"

#define MAX_CA_ROWS 50
#define MAX_DEPTH 5

/* A stack or NULL; see ca_chain.h. */
STACK_OF(X509) *
cm_ca_chain_for(struct cm_db *db, X509 *cert)
{
	struct cm_stmt *st = NULL;
	STACK_OF(X509) *cas = sk_X509_new_null(), *chain = sk_X509_new_null(), *ret = NULL;
	X509 *cur = cert;

	if (cas == NULL || chain == NULL)
		goto out;
	st = cm_db_prepare(db, "SELECT der FROM ca_certs ORDER BY id DESC LIMIT 50");
	if (st == NULL || cm_stmt_execute(st) < 0) {
		cm_err("ca_certs: %s", cm_db_error(db));
		goto out;
	}
	while (sk_X509_num(cas) < MAX_CA_ROWS && cm_stmt_fetch(st) == 1) {
		size_t len = 0;
		const char *der = cm_stmt_str(st, 0, &len);
		X509 *x = NULL;

		if (der && cm_cert_load(der, len, &x, NULL, 0) == 0 && !sk_X509_push(cas, x)) {
			X509_free(x);
			goto out;
		}
	}
	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		int i = cm_find_issuer(cur, cas);
		X509 *ca;

		if (i < 0)
			break;
		ca = sk_X509_value(cas, i);
		if (!X509_up_ref(ca) || !sk_X509_push(chain, ca)) {
			X509_free(ca);
			goto out;
		}
		if (X509_check_issued(ca, ca) == X509_V_OK)
			break;
		cur = ca;
	}
	ret = chain;
	chain = NULL;
out:
	ERR_clear_error();
	if (st)
		cm_stmt_close(st);
	sk_X509_pop_free(cas, X509_free);
	sk_X509_pop_free(chain, X509_free);
	return ret;
}

/* An id or 0; see ca_chain.h. */
int64_t
cm_ca_issuer_id(struct cm_db *db, X509 *cert)
{
	struct cm_stmt *st = cm_db_prepare(db, "SELECT id, der FROM ca_certs WHERE kind = 'issuing' ORDER BY id DESC LIMIT 20");
	STACK_OF(X509) *sk = sk_X509_new_null();
	int64_t ids[20], found = 0;
	int n = 0, i;

	if (st == NULL || sk == NULL || cm_stmt_execute(st) < 0)
		goto out;
	while (n < 20 && cm_stmt_fetch(st) == 1) {
		size_t len = 0;
		const char *der = cm_stmt_str(st, 1, &len);
		X509 *x = NULL;

		if (der && cm_cert_load(der, len, &x, NULL, 0) == 0) {
			if (!sk_X509_push(sk, x)) {
				X509_free(x);
				break;
			}
			ids[n++] = cm_stmt_i64(st, 0);
		}
	}
	if ((i = cm_find_issuer(cert, sk)) >= 0)
		found = ids[i];
out:
	sk_X509_pop_free(sk, X509_free);
	if (st)
		cm_stmt_close(st);
	return found;
}
