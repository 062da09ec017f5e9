/* settings.c: loads certmint.conf into struct cm_settings. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_code.h"
#include "conffile.h"
#include "settings.h"

#define F(sec, key, type, field, min, max) \
	{ sec, key, type, offsetof(struct cm_settings, field), min, max }

static const struct cm_conf_field settings_fields[] = {
	F("log", "level", CM_CONF_STR, log_level, 0, 0),
	F("database", "socket", CM_CONF_STR, db_socket, 0, 0),
	F("database", "host", CM_CONF_STR, db_host, 0, 0),
	F("database", "port", CM_CONF_INT, db_port, 1, 65535),
	F("database", "name", CM_CONF_STR, db_name, 0, 0),
	F("database", "user", CM_CONF_STR, db_user, 0, 0),
	F("database", "password", CM_CONF_STR, db_password, 0, 0),
	F("database", "password_file", CM_CONF_STR, db_password_file, 0, 0),
	F("database", "schema_dir", CM_CONF_STR, schema_dir, 0, 0),
	F("signer", "socket", CM_CONF_STR, signer_socket, 0, 0),
	F("signer", "timeout_ms", CM_CONF_INT, signer_timeout_ms, 100, 600000),
	F("web", "templates", CM_CONF_STR, template_dir, 0, 0),
	F("web", "static_url", CM_CONF_STR, static_url, 0, 0),
	F("web", "base_url", CM_CONF_STR, base_url, 0, 0),
	F("web", "session_ttl", CM_CONF_INT, session_ttl, 60, 30L * 86400),
	F("web", "max_body", CM_CONF_INT, max_body, 1024, 64L * 1024 * 1024),
	F("names", "public_suffix_list", CM_CONF_STR, public_suffix_list, 0, 0),
	F("names", "allow_loopback_ip", CM_CONF_BOOL, allow_loopback_ip, 0, 0),
	F("secrets", "access_code_key_file", CM_CONF_STR, access_code_key_file, 0, 0),
	F("secrets", "ldap_bind_key_file", CM_CONF_STR, ldap_bind_key_file, 0, 0),
	F("publish", "dir", CM_CONF_STR, publish_dir, 0, 0),
	F("audit", "checkpoint_every", CM_CONF_INT, audit_checkpoint_every, 0, 1000000),
	F("smtp", "url", CM_CONF_STR, smtp_url, 0, 0),
	F("smtp", "from", CM_CONF_STR, smtp_from, 0, 0),
	F("smtp", "user", CM_CONF_STR, smtp_user, 0, 0),
	F("smtp", "password_file", CM_CONF_STR, smtp_password_file, 0, 0),
	F("smtp", "starttls", CM_CONF_BOOL, smtp_starttls, 0, 0),
	F("smtp", "timeout", CM_CONF_INT, smtp_timeout, 1, 600),
	F("smtp", "give_up_days", CM_CONF_INT, smtp_give_up_days, 1, 60),
	F("crl", "next_update_hours", CM_CONF_INT, crl_next_update_hours, 1, 24L * 366),
	F("crl", "max_age_hours", CM_CONF_INT, crl_max_age_hours, 1, 24L * 366),
	F("ocsp", "store", CM_CONF_STR, ocsp_store, 0, 0),
	F("autoenroll", "keytab_dir", CM_CONF_STR, keytab_dir, 0, 0),
	F("autoenroll", "apache_conf_dir", CM_CONF_STR, apache_conf_dir, 0, 0),
	F("autoenroll", "clients_dir", CM_CONF_STR, clients_dir, 0, 0),
	F("autoenroll", "ad_cache_seconds", CM_CONF_INT, ad_cache_seconds, 0, 600),
	F("scep", "base_url", CM_CONF_STR, scep_base_url, 0, 0),
	{ NULL, NULL, 0, 0, 0, 0 }
};

static int
settings_cb(void *ctx, const char *section, const char *key, const char *value,
    char *err, size_t errlen)
{
	return cm_conf_apply(settings_fields, ctx, section, key, value, err, errlen);
}

static int
default_str(char **slot, const char *v)
{
	if (*slot)
		return 0;
	*slot = strdup(v);
	return *slot ? 0 : -1;
}

static int
read_secret_file(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open password file", path);
		return -1;
	}
	char line[512];
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	free(*out);
	*out = strdup(line);
	memset(line, 0, sizeof(line));
	return *out ? 0 : -1;
}

int
cm_settings_load(struct cm_settings *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	/* set before parsing: 0 is a value of its own (checkpoints off) */
	s->audit_checkpoint_every = 100;
	s->ad_cache_seconds = 60;      /* 0: autoenroll.fcgi asks AD every time */
	if (path == NULL)
		path = getenv("CERTMINT_CONF");
	if (path == NULL)
		path = CM_DEFAULT_CONF;
	if (cm_conf_parse_file(path, settings_cb, s, err, errlen) < 0)
		goto fail;
	if (s->db_name == NULL || s->db_user == NULL) {
		snprintf(err, errlen, "%s: [database] needs name and user", path);
		goto fail;
	}
	if (s->signer_socket == NULL) {
		snprintf(err, errlen, "%s: [signer] needs socket", path);
		goto fail;
	}
	if (s->db_password_file &&
	    read_secret_file(s->db_password_file, &s->db_password, err, errlen) < 0)
		goto fail;
	if (s->access_code_key_file &&
	    cm_access_key_read(s->access_code_key_file, &s->access_code_key, &s->access_code_key_len,
	    err, errlen) < 0)
		goto fail;
	if (s->ldap_bind_key_file &&
	    cm_access_key_read(s->ldap_bind_key_file, &s->ldap_bind_key, &s->ldap_bind_key_len,
	    err, errlen) < 0)
		goto fail;
	if (default_str(&s->log_level, "info") < 0 ||
	    default_str(&s->schema_dir, CM_DATADIR "/schema") < 0 ||
	    default_str(&s->template_dir, CM_DATADIR "/templates") < 0 ||
	    default_str(&s->static_url, "/static") < 0 ||
	    default_str(&s->base_url, "") < 0 ||
	    default_str(&s->scep_base_url, "") < 0 ||
	    default_str(&s->ocsp_store, "/var/lib/certmint/ocsp") < 0 ||
	    default_str(&s->keytab_dir, "/var/lib/certmint/keytabs") < 0 ||
	    default_str(&s->apache_conf_dir, "/etc/certmint/apache") < 0 ||
	    default_str(&s->clients_dir, CM_DATADIR "/clients") < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* Devices are handed this URL: only an absolute http(s) one is taken. */
	if (s->scep_base_url[0] != '\0' && strncmp(s->scep_base_url, "http://", 7) != 0 &&
	    strncmp(s->scep_base_url, "https://", 8) != 0) {
		snprintf(err, errlen, "%s: [scep] base_url must start with http:// or https://", path);
		goto fail;
	}
	if (s->db_port == 0)
		s->db_port = 3306;
	if (s->signer_timeout_ms == 0)
		s->signer_timeout_ms = 10000;
	if (s->session_ttl == 0)
		s->session_ttl = 28800;
	if (s->max_body == 0)
		s->max_body = 1024 * 1024;
	if (s->smtp_timeout == 0)
		s->smtp_timeout = 30;
	if (s->smtp_give_up_days == 0)
		s->smtp_give_up_days = 3;
	if (s->crl_next_update_hours == 0)
		s->crl_next_update_hours = 24;
	if (s->crl_max_age_hours == 0)
		s->crl_max_age_hours = 12;
	return 0;
fail:
	cm_settings_free(s);
	return -1;
}

void
cm_settings_free(struct cm_settings *s)
{
	if (s->db_password)
		memset(s->db_password, 0, strlen(s->db_password));
	cm_access_key_free(s->access_code_key, s->access_code_key_len);
	s->access_code_key = NULL;
	s->access_code_key_len = 0;
	cm_access_key_free(s->ldap_bind_key, s->ldap_bind_key_len);
	s->ldap_bind_key = NULL;
	s->ldap_bind_key_len = 0;
	cm_conf_free_fields(settings_fields, s);
}

/* See settings.h. */
const char *
cm_settings_scep_base_url(const struct cm_settings *s)
{
	if (s->scep_base_url != NULL && s->scep_base_url[0] != '\0')
		return s->scep_base_url;
	return s->base_url != NULL ? s->base_url : "";
}
