/* multipart.c: streaming multipart/form-data parser; file parts go to 0600 temp files. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "form.h"
#include "log.h"
#include "multipart.h"

#define MP_MAX_HEADERS 8192     /* all header lines of one part */
#define MP_MAX_BOUNDARY 70      /* RFC 2046 */
#define MP_MAX_LWSP 64          /* transport padding after a delimiter */

enum mp_state {
	MP_PREAMBLE,    /* before the first delimiter: bytes are discarded */
	MP_AFTER_DELIM, /* just after "--boundary": expect "--" or CRLF */
	MP_DASH2,       /* saw one '-' of the closing "--" */
	MP_CRLF,        /* saw '\r' after the delimiter */
	MP_HEADERS,     /* collecting part headers up to the blank line */
	MP_BODY,        /* part content up to the next delimiter */
	MP_END,         /* after the closing delimiter: epilogue is ignored */
	MP_FAILED
};

struct cm_multipart {
	struct cm_request *r;
	struct cm_limits lim;
	char *delim;            /* "\r\n--" boundary */
	size_t dlen;
	size_t *fail;           /* KMP failure function of delim */
	size_t match;           /* bytes of delim matched so far (held back) */
	enum mp_state state;
	int status;             /* the error returned once, repeated after */
	size_t total;
	size_t lwsp;
	struct cm_buf hdr;
	/* the part being read */
	int is_file;
	int fd;
	size_t file_idx;        /* index in r->files */
	char *field_name;
	struct cm_buf field;
};

/* Returns a new string, or NULL when the type is not multipart/form-data or the
 * boundary is missing or not RFC 2046 shaped. */
char *
cm_multipart_boundary(const char *content_type)
{
	static const char mt[] = "multipart/form-data";
	const char *p;
	char b[MP_MAX_BOUNDARY + 1];
	size_t n = 0;

	if (content_type == NULL)
		return NULL;
	p = content_type;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, mt, sizeof(mt) - 1) != 0)
		return NULL;
	p += sizeof(mt) - 1;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ';')
			return NULL;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *pn = p;
		while (*p && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t pnlen = (size_t)(p - pn);
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			return NULL;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		int is_b = pnlen == 8 && strncasecmp(pn, "boundary", 8) == 0;
		char tmp[MP_MAX_BOUNDARY + 1];
		size_t tn = 0;
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				if (tn >= MP_MAX_BOUNDARY && is_b)
					return NULL;
				if (tn < MP_MAX_BOUNDARY)
					tmp[tn++] = *p;
				p++;
			}
			if (*p != '"')
				return NULL;
			p++;
		} else {
			while (*p && *p != ';' && *p != ' ' && *p != '\t') {
				if (tn >= MP_MAX_BOUNDARY && is_b)
					return NULL;
				if (tn < MP_MAX_BOUNDARY)
					tmp[tn++] = *p;
				p++;
			}
		}
		if (is_b) {
			if (n > 0)
				return NULL;    /* two boundaries: ambiguous */
			memcpy(b, tmp, tn);
			n = tn;
			if (n == 0)
				return NULL;
		}
	}
	if (n == 0)
		return NULL;
	b[n] = '\0';
	/* bchars of RFC 2046; a space may not be last */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    strchr("'()+_,-./:=? ", c)))
			return NULL;
	}
	if (b[n - 1] == ' ')
		return NULL;
	return strdup(b);
}

/* Returns the parser, or NULL when out of memory or the boundary is unusable. */
struct cm_multipart *
cm_multipart_new(const char *boundary, struct cm_request *r, const struct cm_limits *lim)
{
	struct cm_multipart *m = NULL;
	size_t blen;

	if (boundary == NULL || (blen = strlen(boundary)) == 0 || blen > MP_MAX_BOUNDARY)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->r = r;
	m->lim = *lim;
	m->fd = -1;
	m->dlen = blen + 4;
	m->delim = malloc(m->dlen + 1);
	m->fail = calloc(m->dlen, sizeof(*m->fail));
	if (m->delim == NULL || m->fail == NULL) {
		cm_multipart_free(m);
		return NULL;
	}
	snprintf(m->delim, m->dlen + 1, "\r\n--%s", boundary);
	for (size_t k = 1, j = 0; k < m->dlen; k++) {
		while (j > 0 && m->delim[k] != m->delim[j])
			j = m->fail[j - 1];
		if (m->delim[k] == m->delim[j])
			j++;
		m->fail[k] = j;
	}
	cm_buf_init(&m->hdr, MP_MAX_HEADERS);
	cm_buf_init(&m->field, m->lim.max_field);
	/* The first delimiter may open the body without a CRLF before it:
	 * behave as if one had been seen. */
	m->state = MP_PREAMBLE;
	m->match = 2;
	return m;
}

static void
close_file(struct cm_multipart *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

void
cm_multipart_free(struct cm_multipart *m)
{
	if (m == NULL)
		return;
	close_file(m);
	free(m->delim);
	free(m->fail);
	free(m->field_name);
	cm_buf_free(&m->hdr);
	cm_buf_free(&m->field);
	free(m);
}

/* Stores status and message; returns status. */
static int
mp_fail(struct cm_multipart *m, int status, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int
mp_fail(struct cm_multipart *m, int status, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	m->state = MP_FAILED;
	m->status = status;
	close_file(m);
	return status;
}

/* Part content: 0, or an HTTP status. */
static int
emit(struct cm_multipart *m, const char *p, size_t n, char *err, size_t errlen)
{
	if (m->state != MP_BODY || n == 0)
		return 0;
	if (m->is_file) {
		struct cm_upload *u = &m->r->files[m->file_idx];
		if (n > m->lim.max_file || u->size > m->lim.max_file - n) {
			char shown[64];
			cm_form_safe_name(shown, sizeof(shown), u->field, strlen(u->field));
			return mp_fail(m, 413, err, errlen, "uploaded file '%s' is larger than %zu bytes",
			    shown, m->lim.max_file);
		}
		for (size_t off = 0; off < n; ) {
			ssize_t w = write(m->fd, p + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				cm_err("multipart: writing %s: %s", u->path, strerror(errno));
				return mp_fail(m, 500, err, errlen, "could not store the uploaded file");
			}
			off += (size_t)w;
		}
		u->size += n;
		return 0;
	}
	if (n > m->lim.max_field || m->field.len > m->lim.max_field - n) {
		char shown[64];
		cm_form_safe_name(shown, sizeof(shown), m->field_name, strlen(m->field_name));
		return mp_fail(m, 413, err, errlen, "form field '%s' is larger than %zu bytes",
		    shown, m->lim.max_field);
	}
	if (cm_buf_append(&m->field, p, n) < 0)
		return mp_fail(m, 500, err, errlen, "out of memory");
	return 0;
}

static int
end_part(struct cm_multipart *m, char *err, size_t errlen)
{
	if (m->state == MP_PREAMBLE)
		return 0;
	if (m->is_file) {
		struct cm_upload *u = &m->r->files[m->file_idx];
		int fd = m->fd;
		m->fd = -1;
		if (close(fd) < 0) {
			cm_err("multipart: closing %s: %s", u->path, strerror(errno));
			return mp_fail(m, 500, err, errlen, "could not store the uploaded file");
		}
		return 0;
	}
	struct cm_request *r = m->r;
	struct cm_param *np = realloc(r->form, (r->nform + 1) * sizeof(*np));
	if (np == NULL)
		return mp_fail(m, 500, err, errlen, "out of memory");
	r->form = np;
	size_t vlen = m->field.len;
	np[r->nform].name = m->field_name;
	np[r->nform].value = cm_buf_steal(&m->field);
	np[r->nform].value_len = vlen;
	r->nform++;
	m->field_name = NULL;
	cm_buf_init(&m->field, m->lim.max_field);
	return 0;
}

static void
skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

/* Parses one Content-Disposition value; returns 0 or -1 (malformed). Values
 * may be quoted strings; inside them \" and \\ are escapes and any other
 * backslash is kept, because browsers send Windows paths unescaped. */
static int
parse_disposition(const char *v, char **name, char **filename)
{
	const char *p = v;

	skip_ws(&p);
	if (strncasecmp(p, "form-data", 9) != 0)
		return -1;
	p += 9;
	for (;;) {
		skip_ws(&p);
		if (*p == '\0')
			return 0;
		if (*p != ';')
			return -1;
		p++;
		skip_ws(&p);
		if (*p == '\0')
			return 0;       /* a trailing ';' is harmless */
		const char *pn = p;
		while (*p && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t pnlen = (size_t)(p - pn);
		skip_ws(&p);
		if (*p != '=' || pnlen == 0)
			return -1;
		p++;
		skip_ws(&p);
		struct cm_buf val;
		cm_buf_init(&val, 0);
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				if (cm_buf_putc(&val, *p) < 0) {
					cm_buf_free(&val);
					return -1;
				}
				p++;
			}
			if (*p != '"') {
				cm_buf_free(&val);
				return -1;
			}
			p++;
		} else {
			const char *s = p;
			while (*p && *p != ';' && *p != ' ' && *p != '\t')
				p++;
			if (cm_buf_append(&val, s, (size_t)(p - s)) < 0) {
				cm_buf_free(&val);
				return -1;
			}
		}
		char **dst = NULL;
		if (pnlen == 4 && strncasecmp(pn, "name", 4) == 0)
			dst = name;
		else if (pnlen == 8 && strncasecmp(pn, "filename", 8) == 0)
			dst = filename;
		if (dst == NULL) {
			cm_buf_free(&val);
			continue;
		}
		if (*dst != NULL) {     /* repeated: ambiguous */
			cm_buf_free(&val);
			return -1;
		}
		*dst = cm_buf_steal(&val);
		if (*dst == NULL)
			return -1;
	}
}

/* Parses the collected headers and opens the part: 0 or an HTTP status. */
static int
start_part(struct cm_multipart *m, char *err, size_t errlen)
{
	struct cm_request *r = m->r;
	char *name = NULL, *filename = NULL, *ctype = NULL, *path = NULL;
	int have_cd = 0;
	int rc;

	if (memchr(m->hdr.data, '\0', m->hdr.len) != NULL) {
		rc = mp_fail(m, 400, err, errlen, "a multipart part header contains a NUL byte");
		goto out;
	}
	/* hdr ends with the blank line; every line ends with CRLF */
	char *line = m->hdr.data;
	for (;;) {
		char *eol = strstr(line, "\r\n");
		if (eol == NULL || eol == line)
			break;
		*eol = '\0';
		char *colon = strchr(line, ':');
		if (colon == NULL || colon == line || line[0] == ' ' || line[0] == '\t') {
			rc = mp_fail(m, 400, err, errlen, "malformed multipart part header");
			goto out;
		}
		*colon = '\0';
		char *val = colon + 1;
		while (*val == ' ' || *val == '\t')
			val++;
		size_t vl = strlen(val);
		while (vl > 0 && (val[vl - 1] == ' ' || val[vl - 1] == '\t'))
			val[--vl] = '\0';
		if (strcasecmp(line, "Content-Disposition") == 0) {
			if (have_cd || parse_disposition(val, &name, &filename) < 0) {
				rc = mp_fail(m, 400, err, errlen,
				    "malformed Content-Disposition in a multipart part");
				goto out;
			}
			have_cd = 1;
		} else if (strcasecmp(line, "Content-Type") == 0 && ctype == NULL) {
			ctype = strdup(val);
			if (ctype == NULL) {
				rc = mp_fail(m, 500, err, errlen, "out of memory");
				goto out;
			}
		}
		line = eol + 2;
	}
	if (name == NULL || name[0] == '\0') {
		rc = mp_fail(m, 400, err, errlen, "a multipart part has no form-data name");
		goto out;
	}
	if (r->nform + r->nfiles >= m->lim.max_fields) {
		rc = mp_fail(m, 413, err, errlen, "too many form fields (at most %zu)", m->lim.max_fields);
		goto out;
	}
	m->is_file = filename != NULL;
	if (!m->is_file) {
		m->field_name = name;
		name = NULL;
		cm_buf_reset(&m->field);
		rc = 0;
		goto out;
	}
	if (r->nfiles >= m->lim.max_files) {
		rc = mp_fail(m, 413, err, errlen, "too many uploaded files (at most %zu)", m->lim.max_files);
		goto out;
	}
	struct cm_upload *nf = realloc(r->files, (r->nfiles + 1) * sizeof(*nf));
	if (nf == NULL) {
		rc = mp_fail(m, 500, err, errlen, "out of memory");
		goto out;
	}
	r->files = nf;
	if (asprintf(&path, "%s/certmint-upload-XXXXXX", m->lim.tmpdir ? m->lim.tmpdir : "/tmp") < 0) {
		path = NULL;
		rc = mp_fail(m, 500, err, errlen, "out of memory");
		goto out;
	}
	int fd = mkostemp(path, O_CLOEXEC);    /* created 0600, like mkstemp */
	if (fd < 0) {
		cm_err("multipart: mkostemp %s: %s", path, strerror(errno));
		rc = mp_fail(m, 500, err, errlen, "could not store the uploaded file");
		goto out;
	}
	m->fd = fd;
	m->file_idx = r->nfiles;
	nf[r->nfiles].field = name;
	nf[r->nfiles].filename = filename;
	nf[r->nfiles].content_type = ctype;
	nf[r->nfiles].path = path;
	nf[r->nfiles].size = 0;
	r->nfiles++;
	name = filename = ctype = path = NULL;
	rc = 0;
out:
	free(name);
	free(filename);
	free(ctype);
	free(path);
	return rc;
}

/* Returns 0, or an HTTP status (400, 413, 500 on a local failure) with err set. */
int
cm_multipart_feed(struct cm_multipart *m, const char *data, size_t len, char *err, size_t errlen)
{
	size_t i = 0;
	int rc;

	if (m->state == MP_FAILED) {
		snprintf(err, errlen, "multipart body already rejected");
		return m->status;
	}
	if (len > m->lim.max_body || m->total > m->lim.max_body - len)
		return mp_fail(m, 413, err, errlen, "request body is larger than %zu bytes", m->lim.max_body);
	m->total += len;

	while (i < len) {
		unsigned char c;
		switch (m->state) {
		case MP_PREAMBLE:
		case MP_BODY:
			if (m->match == 0) {
				const char *cr = memchr(data + i, '\r', len - i);
				size_t run = cr ? (size_t)(cr - (data + i)) : len - i;
				if (run > 0) {
					if ((rc = emit(m, data + i, run, err, errlen)) != 0)
						return rc;
					i += run;
					continue;
				}
			}
			c = (unsigned char)data[i];
			while (m->match > 0 && (unsigned char)m->delim[m->match] != c) {
				/* The held-back bytes are a prefix of delim; keep only the
				 * longest suffix of them that still is one. */
				size_t nm = m->fail[m->match - 1];
				if ((rc = emit(m, m->delim, m->match - nm, err, errlen)) != 0)
					return rc;
				m->match = nm;
			}
			if ((unsigned char)m->delim[m->match] == c) {
				i++;
				if (++m->match == m->dlen) {
					m->match = 0;
					if ((rc = end_part(m, err, errlen)) != 0)
						return rc;
					m->state = MP_AFTER_DELIM;
					m->lwsp = 0;
				}
			} else {
				if ((rc = emit(m, data + i, 1, err, errlen)) != 0)
					return rc;
				i++;
			}
			break;
		case MP_AFTER_DELIM:
			c = (unsigned char)data[i++];
			if (c == '-')
				m->state = MP_DASH2;
			else if (c == '\r')
				m->state = MP_CRLF;
			else if ((c == ' ' || c == '\t') && ++m->lwsp <= MP_MAX_LWSP)
				;
			else
				return mp_fail(m, 400, err, errlen, "malformed multipart boundary line");
			break;
		case MP_DASH2:
			if (data[i++] != '-')
				return mp_fail(m, 400, err, errlen, "malformed multipart boundary line");
			m->state = MP_END;
			break;
		case MP_CRLF:
			if (data[i++] != '\n')
				return mp_fail(m, 400, err, errlen, "malformed multipart boundary line");
			m->state = MP_HEADERS;
			cm_buf_reset(&m->hdr);
			break;
		case MP_HEADERS:
			if (cm_buf_putc(&m->hdr, data[i++]) < 0) {
				if (m->hdr.len >= MP_MAX_HEADERS)
					return mp_fail(m, 413, err, errlen,
					    "multipart part headers are larger than %d bytes", MP_MAX_HEADERS);
				return mp_fail(m, 500, err, errlen, "out of memory");
			}
			if ((m->hdr.len == 2 && memcmp(m->hdr.data, "\r\n", 2) == 0) ||
			    (m->hdr.len >= 4 && memcmp(m->hdr.data + m->hdr.len - 4, "\r\n\r\n", 4) == 0)) {
				if ((rc = start_part(m, err, errlen)) != 0)
					return rc;
				m->state = MP_BODY;
				m->match = 0;
			}
			break;
		case MP_END:
			i = len;
			break;
		case MP_FAILED:
			return m->status;
		}
	}
	return 0;
}

/* Returns 0 when the closing delimiter was seen, else 400 (or the earlier error). */
int
cm_multipart_finish(struct cm_multipart *m, char *err, size_t errlen)
{
	if (m->state == MP_FAILED) {
		snprintf(err, errlen, "multipart body already rejected");
		return m->status;
	}
	if (m->state != MP_END)
		return mp_fail(m, 400, err, errlen,
		    "the multipart body ended before its closing boundary");
	return 0;
}
