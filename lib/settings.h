/* settings.h: certmint.conf, the configuration shared by the web programs and the CLI. */
#ifndef CM_SETTINGS_H
#define CM_SETTINGS_H

#define CM_DEFAULT_CONF CM_SYSCONFDIR "/certmint.conf"

struct cm_settings {
	/* [log] */
	char *log_level;          /* error|warn|info|debug, default info */
	/* [database] */
	char *db_socket;          /* unix socket; used when set */
	char *db_host;            /* else TCP host */
	long db_port;
	char *db_name;
	char *db_user;
	char *db_password;        /* or db_password_file */
	char *db_password_file;
	char *schema_dir;         /* migrations, default CM_DATADIR "/schema" */
	/* [signer] */
	char *signer_socket;
	long signer_timeout_ms;   /* default 10000 */
	/* [web] */
	char *template_dir;       /* default CM_DATADIR "/templates" */
	char *static_url;         /* default "/static" */
	char *base_url;           /* public https base, e.g. https://ca.example.com */
	long session_ttl;         /* seconds, default 28800 */
	long max_body;            /* bytes, default 1 MiB */
	/* [names] (lib/ra_names.h) */
	char *public_suffix_list; /* NULL: CM_PSL_DEFAULT_PATH */
	int allow_loopback_ip;    /* 0.0.0.0, ::, 127/8, ::1 and "localhost"; default no */
	/* [secrets] */
	char *access_code_key_file;   /* HMAC key of the access codes (lib/access_code.h) */
	unsigned char *access_code_key;   /* its bytes, read at load (before any privilege drop); NULL: none */
	size_t access_code_key_len;
	char *ldap_bind_key_file;     /* key sealing AD simple-bind passwords (lib/secret_box.h) */
	unsigned char *ldap_bind_key; /* its bytes, read at load like the access-code key; NULL: none */
	size_t ldap_bind_key_len;
	/* [publish] */
	char *publish_dir;        /* what Apache serves at /ca/ and /crl/: DIR/ca, DIR/crl; NULL: unset */
	/* [audit] */
	long audit_checkpoint_every; /* signed checkpoint after every N rows, default 100, 0 = off */
	/* [smtp] (lib/outbox_smtp.h; `certmint notify run` sends the outbox) */
	char *smtp_url;           /* smtp://host:port or smtps://...; NULL: mail is queued, not sent */
	char *smtp_from;          /* envelope and From: address */
	char *smtp_user;          /* optional login ... */
	char *smtp_password_file; /* ... with its password, read when sending */
	int smtp_starttls;        /* require STARTTLS on smtp://, default no */
	long smtp_timeout;        /* seconds per message, default 30 */
	long smtp_give_up_days;   /* a message failing this long is marked failed, default 3 */
	/* [crl] */
	long crl_next_update_hours; /* nextUpdate = thisUpdate + this, default 24 */
	long crl_max_age_hours;     /* crl generate --if-stale regenerates after this, default 12 */
	/* [ocsp] */
	char *ocsp_store;         /* pre-signed responses (lib/ocsp_store.h), default /var/lib/certmint/ocsp */
	/* [autoenroll] (issue 11) */
	char *keytab_dir;         /* uploaded realm keytabs + one merged keytab per customer, default /var/lib/certmint/keytabs */
	char *apache_conf_dir;    /* one autoenroll <Location> file per customer, default /etc/certmint/apache */
	char *clients_dir;        /* the client scripts the portal fills in for download, default CM_DATADIR "/clients" */
	long ad_cache_seconds;    /* autoenroll.fcgi's per-worker cache of AD answers, default 60, 0 off */
	/* [scep] */
	char *scep_base_url;      /* base of the SCEP URLs the portal shows (devices often speak plain
	                           * http); "": [web] base_url as configured */
};

/* Loads path (NULL: $CERTMINT_CONF, else CM_DEFAULT_CONF) into s, filling
 * defaults and reading db_password_file and access_code_key_file (an
 * unreadable key file fails the load). Returns 0, or -1 with err. Unknown
 * keys and missing required keys (database name/user, signer socket) fail. */
int cm_settings_load(struct cm_settings *s, const char *path, char *err, size_t errlen);
void cm_settings_free(struct cm_settings *s);

/* The base of the SCEP URLs the portal shows and puts in .mobileconfig
 * profiles: [scep] base_url when set, else [web] base_url as configured
 * ("" when neither is: the caller uses the request's host). */
const char *cm_settings_scep_base_url(const struct cm_settings *s);

#endif
