/* recovery_alarm.c: the MRAO's alarm for certificates the signer issued without a database record (imported by certmint journal check), on the home page and dashboard, and POST /admin/certificates/recovered/acknowledge. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "admin_ctx.h"
#include "cert_lifecycle.h"
#include "log.h"
#include "policy.h"

/* How many of the recovered certificates the banner links to by name. */
#define ALARM_LINKS 10

/*
 * Sets Alarm.recovered.{count,first,last} and Alarm.recovered.certs.N.
 * {id,serial,name} for the customer's recovered certificates not yet
 * acknowledged, when the administrator is one who sees the alarm (an
 * MRAO), and Alarm.acknowledged from the redirect after an
 * acknowledgement. The alarm stays until an MRAO acknowledges it: a
 * certificate nobody recorded is a security event, and one that went
 * away by itself after some days could go unseen. 0, or -1 on a database
 * error (logged).
 */
int
admin_recovery_alarm_set(struct admin_ctx *c)
{
	struct cm_stmt *st;
	const char *ack = cm_req_query(c->req, "acknowledged");
	long n = 0;
	int f, i = 0;

	if (!admin_may_see_recovery_alarm(&c->user))
		return 0;
	if (ack && strspn(ack, "0123456789") == strlen(ack) && strlen(ack) <= 9 && *ack)
		cm_render_set(c->r, "Alarm.acknowledged", ack);
	st = cm_db_prepare(c->db,
	    "SELECT COUNT(*), DATE_FORMAT(MIN(recovered_at), '%Y-%m-%d'), DATE_FORMAT(MAX(recovered_at), '%Y-%m-%d')"
	    " FROM certificates WHERE customer_id = ? AND recovered_at IS NOT NULL AND recovery_ack_at IS NULL");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0 ||
	    (f = cm_stmt_fetch(st)) < 0)
		goto fail;
	if (f == 1 && (n = (long)cm_stmt_i64(st, 0)) > 0) {
		cm_render_set_int(c->r, "Alarm.recovered.count", n);
		cm_render_set(c->r, "Alarm.recovered.first", cm_stmt_str(st, 1, NULL));
		cm_render_set(c->r, "Alarm.recovered.last", cm_stmt_str(st, 2, NULL));
	}
	cm_stmt_close(st);
	if (n == 0)
		return 0;
	st = cm_db_prepare(c->db,
	    "SELECT id, serial_hex, COALESCE(common_name, email, subject_dn, '') FROM certificates"
	    " WHERE customer_id = ? AND recovered_at IS NOT NULL AND recovery_ack_at IS NULL"
	    " ORDER BY id DESC LIMIT 10");
	if (st == NULL || cm_stmt_bind_i64(st, 0, c->user.customer_id) < 0 || cm_stmt_execute(st) < 0)
		goto fail;
	while (i < ALARM_LINKS && (f = cm_stmt_fetch(st)) == 1) {
		char id[32];

		snprintf(id, sizeof(id), "%lld", (long long)cm_stmt_i64(st, 0));
		cm_render_setf(c->r, id, "Alarm.recovered.certs.%d.id", i);
		cm_render_setf(c->r, cm_stmt_str(st, 1, NULL), "Alarm.recovered.certs.%d.serial", i);
		cm_render_setf(c->r, cm_stmt_str(st, 2, NULL), "Alarm.recovered.certs.%d.name", i);
		i++;
	}
	cm_stmt_close(st);
	if (n > i)
		cm_render_set_int(c->r, "Alarm.recovered.more", n - i);
	return 0;
fail:
	cm_err("recovery alarm: %s", cm_db_error(c->db));
	if (st)
		cm_stmt_close(st);
	return -1;
}

/* POST /admin/certificates/recovered/acknowledge: ends the alarm for the
 * recovered certificates there are now (audited), then back home with a
 * success banner. A later recovery raises it again. */
void
admin_recovery_ack(struct admin_ctx *c)
{
	struct cm_cert_actor who = { c->user.principal, c->req->remote_addr, c->user.customer_id };
	char err[256], loc[64];
	long n = 0;

	if (!admin_may_see_recovery_alarm(&c->user)) {
		admin_error(c, 403, "Not allowed", "Only a master administrator (MRAO) acknowledges this alarm.");
		return;
	}
	if (cm_cert_recovery_ack(c->db, &who, &n, err, sizeof(err)) != 0) {
		admin_error(c, 500, "Internal error", err);
		return;
	}
	if (n > 0)
		cm_info("%s acknowledged %ld recovered certificate%s", c->user.principal, n, n == 1 ? "" : "s");
	snprintf(loc, sizeof(loc), "/admin/?acknowledged=%ld", n);
	cm_resp_redirect(c->resp, loc);
}
