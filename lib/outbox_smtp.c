/* outbox_smtp.c: one outbox message to the SMTP relay with libcurl: the message text (headers, CRLF, encoded subject) and the transfer. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "outbox_smtp.h"

/* 0, or -1 with err (see outbox_smtp.h). */
int
cm_smtp_open(struct cm_smtp *sm, const struct cm_settings *s, char *err, size_t errlen)
{
	memset(sm, 0, sizeof(*sm));
	if (s->smtp_url == NULL || s->smtp_from == NULL) {
		snprintf(err, errlen, "[smtp] needs url and from to send mail");
		return -1;
	}
	if (strncmp(s->smtp_url, "smtp://", 7) != 0 && strncmp(s->smtp_url, "smtps://", 8) != 0) {
		snprintf(err, errlen, "[smtp] url must start with smtp:// or smtps://");
		return -1;
	}
	if (!cm_outbox_address_ok(s->smtp_from)) {
		snprintf(err, errlen, "[smtp] from is not an e-mail address");
		return -1;
	}
	sm->url = s->smtp_url;
	sm->from = s->smtp_from;
	sm->user = s->smtp_user;
	sm->starttls = s->smtp_starttls;
	sm->timeout = s->smtp_timeout > 0 ? s->smtp_timeout : 30;
	if (s->smtp_password_file) {
		FILE *f = fopen(s->smtp_password_file, "re");
		char line[512];

		if (f == NULL) {
			snprintf(err, errlen, "%s: cannot open the SMTP password file", s->smtp_password_file);
			return -1;
		}
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		fclose(f);
		line[strcspn(line, "\r\n")] = '\0';
		sm->password = strdup(line);
		OPENSSL_cleanse(line, sizeof(line));
		if (sm->password == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

void
cm_smtp_close(struct cm_smtp *sm)
{
	if (sm->password) {
		OPENSSL_cleanse(sm->password, strlen(sm->password));
		free(sm->password);
	}
	sm->password = NULL;
}

/* 1 when s is printable ASCII only. */
static int
ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s > '~')
			return 0;
	return 1;
}

/* 0, or -1 out of memory (see outbox_smtp.h). */
int
cm_smtp_format(struct cm_buf *out, const char *from, const struct cm_outbox_item *m, const char *date)
{
	const char *domain = strchr(from, '@');
	unsigned char rnd[8];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0, sizeof(rnd));
	if (cm_buf_printf(out, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: ", date, from, m->recipient) < 0)
		return -1;
	if (ascii(m->subject)) {
		if (cm_buf_puts(out, m->subject) < 0)
			return -1;
	} else {
		/* RFC 2047: the subject is UTF-8 (CM_OUTBOX_SUBJECT_MAX bytes, so
		 * one encoded word fits a header line well enough for relays). */
		unsigned char enc[4 * ((CM_OUTBOX_SUBJECT_MAX + 2) / 3) + 1];
		size_t n = strlen(m->subject);

		EVP_EncodeBlock(enc, (const unsigned char *)m->subject, (int)n);
		if (cm_buf_printf(out, "=?UTF-8?B?%s?=", (char *)enc) < 0)
			return -1;
	}
	if (cm_buf_printf(out, "\r\nMessage-ID: <outbox-%lld.%02x%02x%02x%02x%02x%02x%02x%02x%s>\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n",
	    (long long)m->id, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7],
	    domain ? domain : "@certmint.invalid") < 0)
		return -1;
	/* The body's line ends become CRLF; a lone CR is dropped. libcurl
	 * escapes a leading "." itself. */
	for (const char *p = m->body; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n' ? cm_buf_puts(out, "\r\n") < 0 : cm_buf_putc(out, *p) < 0)
			return -1;
	}
	if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
		return cm_buf_puts(out, "\r\n");
	return 0;
}

/* The message being uploaded. */
struct upload {
	const char *p;
	size_t left;
};

static size_t
read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->left)
		n = u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* 0 delivered, or -1 with err (see outbox_smtp.h). */
int
cm_smtp_deliver(void *ctx, const struct cm_outbox_item *m, char *err, size_t errlen)
{
	struct cm_smtp *sm = ctx;
	struct curl_slist *rcpt = NULL;
	struct cm_buf msg;
	struct upload u;
	char date[64], from[CM_OUTBOX_RECIPIENT_MAX + 3], to[CM_OUTBOX_RECIPIENT_MAX + 3];
	char cerr[CURL_ERROR_SIZE] = "";
	time_t now = time(NULL);
	struct tm tm;
	CURL *h = NULL;
	CURLcode cc;
	int rc = -1;

	cm_buf_init(&msg, 0);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (cm_smtp_format(&msg, sm->from, m, date) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(from, sizeof(from), "<%s>", sm->from);
	snprintf(to, sizeof(to), "<%s>", m->recipient);
	if ((h = curl_easy_init()) == NULL || (rcpt = curl_slist_append(NULL, to)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	u.p = msg.data;
	u.left = msg.len;
	curl_easy_setopt(h, CURLOPT_URL, sm->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, sm->timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, sm->timeout < 10 ? sm->timeout : 10L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	if (sm->starttls)
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (sm->user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, sm->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, sm->password ? sm->password : "");
	}
	if ((cc = curl_easy_perform(h)) != CURLE_OK) {
		snprintf(err, errlen, "SMTP: %s", cerr[0] ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(rcpt);
	if (h)
		curl_easy_cleanup(h);
	cm_buf_free(&msg);
	return rc;
}
