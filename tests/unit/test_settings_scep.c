/* test_settings_scep.c: unit tests for certmint.conf's [scep] base_url (lib/settings.c): its default, its override of [web] base_url, and the values refused. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "settings.h"
#include "tap.h"

/* Loads a configuration made of the required keys plus extra: the
 * load's result, s filled on 0. */
static int
load(const char *extra, struct cm_settings *s, char *err, size_t errlen)
{
	char path[] = "/tmp/cm-test-settings.XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f;

	memset(s, 0, sizeof(*s));
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		return -2;
	fprintf(f, "[database]\nname = certmint\nuser = certmint\n[signer]\nsocket = /run/x.sock\n%s", extra);
	fclose(f);
	rc = cm_settings_load(s, path, err, errlen);
	unlink(path);
	return rc;
}

int
main(void)
{
	struct cm_settings s;
	char err[512];

	is_int(load("", &s, err, sizeof(err)), 0, "no base URL at all loads");
	is_str(cm_settings_scep_base_url(&s), "", "... and the SCEP base is empty (the request's host is used)");
	cm_settings_free(&s);

	is_int(load("[web]\nbase_url = https://ca.example.com\n", &s, err, sizeof(err)), 0, "[web] base_url only");
	is_str(cm_settings_scep_base_url(&s), "https://ca.example.com", "... is the SCEP base as configured");
	cm_settings_free(&s);

	is_int(load("[web]\nbase_url = http://ca.example.com:8080/\n", &s, err, sizeof(err)), 0, "an http [web] base_url");
	is_str(cm_settings_scep_base_url(&s), "http://ca.example.com:8080/", "... keeps its http://");
	cm_settings_free(&s);

	is_int(load("[web]\nbase_url = https://ca.example.com\n[scep]\nbase_url = http://scep.example.com\n", &s, err,
	    sizeof(err)), 0, "[scep] base_url set");
	is_str(cm_settings_scep_base_url(&s), "http://scep.example.com", "... overrides [web] base_url for SCEP");
	is_str(s.base_url, "https://ca.example.com", "... which the portal keeps for itself");
	cm_settings_free(&s);

	is_int(load("[scep]\nbase_url = ftp://scep.example.com\n", &s, err, sizeof(err)), -1, "[scep] base_url ftp:// refused");
	ok(strstr(err, "[scep] base_url") != NULL, "... saying which key");
	is_int(load("[scep]\nbase_url = scep.example.com\n", &s, err, sizeof(err)), -1, "a relative [scep] base_url refused");
	is_int(load("[scep]\nurl = http://x\n", &s, err, sizeof(err)), -1, "an unknown [scep] key refused");
	return tap_done();
}
