/* ad_lookup_multi.c: looks users up in several customers' AD servers (realms) one after another in one process, for tests/integration/37-ad-lookup.sh: the per-realm credentials caches must not mix. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ad_lookup.h"
#include "db.h"
#include "settings.h"

/*
 * usage: ad-lookup-multi CONF CUSTOMER_URI SERVER_NAME USER [CUSTOMER_URI SERVER_NAME USER]...
 * Prints one line per lookup: "N ok mail=<mail> cn=<cn> bound=<bound as>" or
 * "N <stage> <message>". Exit 0 when every lookup found its user, else 1.
 */
int
main(int argc, char **argv)
{
	struct cm_settings set;
	struct cm_db *db = NULL;
	char err[2048];
	int failed = 0;

	if (argc < 5 || (argc - 2) % 3 != 0) {
		fprintf(stderr, "usage: %s CONF CUSTOMER_URI SERVER_NAME USER [...]\n", argv[0]);
		return 2;
	}
	memset(&set, 0, sizeof(set));
	if (cm_settings_load(&set, argv[1], err, sizeof(err)) < 0 || cm_db_connect(&db, &set, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	for (int i = 2, n = 1; i + 2 < argc; i += 3, n++) {
		struct cm_ad_server s;
		struct cm_ad_conn *c = NULL;
		struct cm_ad_user u;
		struct cm_stmt *st;
		enum cm_ad_stage stage = CM_AD_CONFIG;
		int64_t id = 0, cust = 0;
		int r = -1;

		st = cm_db_prepare(db, "SELECT s.id, s.customer_id FROM ad_servers s JOIN customers c ON c.id = s.customer_id "
		    "WHERE c.uri = ? AND s.live_name = ?");
		if (st && cm_stmt_bind_str(st, 0, argv[i]) == 0 && cm_stmt_bind_str(st, 1, argv[i + 1]) == 0 &&
		    cm_stmt_execute(st) == 0 && cm_stmt_fetch(st) == 1) {
			id = cm_stmt_i64(st, 0);
			cust = cm_stmt_i64(st, 1);
		}
		if (st)
			cm_stmt_close(st);
		if (id == 0) {
			printf("%d config no server %s of %s\n", n, argv[i + 1], argv[i]);
			failed = 1;
			continue;
		}
		if (cm_ad_server_load(db, &set, cust, id, &s, err, sizeof(err)) != 0) {
			printf("%d config %s\n", n, err);
			failed = 1;
			continue;
		}
		if (cm_ad_connect(&s, &c, &stage, err, sizeof(err)) == 0)
			r = cm_ad_find_user(c, argv[i + 2], &u, &stage, err, sizeof(err));
		if (r == 0)
			printf("%d ok mail=%s cn=%s bound=%s\n", n, u.mail, u.cn, cm_ad_conn_bound_as(c));
		else {
			printf("%d %s %s\n", n, cm_ad_stage_name(stage), err);
			failed = 1;
		}
		cm_ad_close(c);
		cm_ad_server_free(&s);
	}
	cm_db_close(db);
	cm_settings_free(&set);
	return failed;
}
