/* cert_download.c: GET /admin/certificates/ID/download?format=pem|der|p7b|chain as an attachment. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admin_ctx.h"
#include "ca_chain.h"
#include "log.h"
#include "x509util.h"

void
admin_cert_download(struct admin_ctx *c)
{
	const char *format = cm_req_query(c->req, "format");
	struct cm_stmt *st = NULL;
	struct cm_buf out;
	STACK_OF(X509) *chain = NULL;
	X509 *cert = NULL;
	const char *der, *serial, *type, *ext;
	char disp[128];
	size_t derlen = 0;
	int f, r = -1;

	cm_buf_init(&out, 0);
	if (format == NULL || format[0] == '\0')
		format = "pem";
	if (strcmp(format, "pem") == 0) {
		type = "application/x-pem-file"; ext = ".pem";
	} else if (strcmp(format, "der") == 0) {
		type = "application/pkix-cert"; ext = ".cer";
	} else if (strcmp(format, "p7b") == 0) {
		type = "application/pkcs7-mime"; ext = ".p7b";
	} else if (strcmp(format, "chain") == 0) {
		type = "application/x-pem-file"; ext = "-chain.pem";
	} else {
		admin_error(c, 400, "Unknown format", "format must be pem, der, p7b or chain.");
		return;
	}
	st = cm_db_prepare(c->db,
	    "SELECT serial_hex, der, org_id, dept_id, cert_type FROM certificates"
	    " WHERE id = ? AND customer_id = ? AND der IS NOT NULL");
	f = -1;
	if (st && cm_stmt_bind_i64(st, 0, c->id) == 0 &&
	    cm_stmt_bind_i64(st, 1, c->user.customer_id) == 0 && cm_stmt_execute(st) == 0)
		f = cm_stmt_fetch(st);
	if (!admin_cert_row_visible(c, st, f, 2, 3, 4, "download"))
		goto out;
	serial = cm_stmt_str(st, 0, NULL);
	der = cm_stmt_str(st, 1, &derlen);
	if (der == NULL || cm_cert_load(der, derlen, &cert, NULL, 0) < 0) {
		cm_err("certificate %lld: stored DER does not parse", (long long)c->id);
		admin_error(c, 500, "Internal error", "The stored certificate is damaged; this has been logged.");
		goto out;
	}
	if (strcmp(format, "p7b") == 0 || strcmp(format, "chain") == 0) {
		if ((chain = cm_ca_chain_for(c->db, cert)) == NULL) {
			admin_error(c, 500, "Internal error", "The CA chain could not be read; this has been logged.");
			goto out;
		}
	}
	if (strcmp(format, "pem") == 0)
		r = cm_cert_pem(cert, &out);
	else if (strcmp(format, "der") == 0)
		r = cm_cert_der(cert, &out);
	else if (strcmp(format, "p7b") == 0)
		r = cm_p7b_der(cert, chain, &out);
	else {
		r = cm_cert_pem(cert, &out);
		for (int i = 0; r == 0 && i < sk_X509_num(chain); i++)
			r = cm_cert_pem(sk_X509_value(chain, i), &out);
	}
	/* The serial is hex from our own row: safe inside the header. */
	snprintf(disp, sizeof(disp), "attachment; filename=\"certificate-%.40s%s\"",
	    serial && strspn(serial, "0123456789abcdef") == strlen(serial) ? serial : "unknown", ext);
	if (r < 0 || cm_resp_write(c->resp, out.data, out.len) < 0 ||
	    cm_resp_header(c->resp, "Content-Disposition", disp) < 0) {
		admin_error(c, 500, "Internal error", "The download could not be prepared.");
		goto out;
	}
	cm_resp_content_type(c->resp, type);
	cm_resp_header(c->resp, "Cache-Control", "no-store");
out:
	if (st)
		cm_stmt_close(st);
	cm_buf_free(&out);
	sk_X509_pop_free(chain, X509_free);
	X509_free(cert);
}
