/* http.c - the request head reader; see http.h. */
#include <string.h>
#include <strings.h>

#include "http.h"

/* ---- bytes ---- */

/* RFC 9110 5.6.2: the characters of a method or a header name. */
static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

/* A byte of a request target: visible ASCII. */
static int
is_vchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/* A byte of a header value: visible, blank, tab, or obs-text. */
static int
is_field_byte(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* One line of the head: [start, end) without its LF or CR LF. */
struct span {
	const char *p;
	size_t len;
};

/* The line at buf[at], when its LF is within reach: 1, with *line and
 * *next set; 0 when no LF yet; -1 for a CR that is not before the LF. */
static int
next_line(const char *buf, size_t len, size_t at, struct span *line,
    size_t *next)
{
	const char *lf = memchr(buf + at, '\n', len - at);
	size_t n;

	if (lf == NULL)
		return 0;
	n = (size_t)(lf - (buf + at));
	*next = at + n + 1;
	if (n > 0 && buf[at + n - 1] == '\r')
		n--;
	if (memchr(buf + at, '\r', n) != NULL)
		return -1;
	*line = (struct span){ buf + at, n };
	return 1;
}

/* value into dst (cut to its size); digits only when digits. */
static void
keep(char *dst, size_t size, struct span v, int digits)
{
	size_t i, n = v.len < size - 1 ? v.len : size - 1;

	for (i = 0; digits && i < v.len; i++)
		if (v.p[i] < '0' || v.p[i] > '9' || v.len >= size)
			return;
	memcpy(dst, v.p, n);
	dst[n] = '\0';
}

/* ---- the request line: METHOD SP TARGET SP VERSION ---- */

/* "/path?query" into rq.  The absolute form, "http://HOST/path?query",
 * which a server must take too (RFC 9112 section 3.2.2), names the host
 * itself: it is the request's host, whatever a Host header says. */
static int
request_target(struct span t, struct http_request *rq)
{
	const char *end = t.p + t.len, *q;
	size_t plen;

	if (t.len > 7 && strncasecmp(t.p, "http://", 7) == 0) {
		const char *host = t.p + 7, *at = host;

		while (at < end && *at != '/' && *at != '?')
			at++;
		if (at == host || memchr(host, '@', (size_t)(at - host)) ||
		    (size_t)(at - host) >= sizeof rq->host)
			return 400;	/* no host, a user in it, too long */
		keep(rq->host, sizeof rq->host,
		    (struct span){ host, (size_t)(at - host) }, 0);
		rq->host_in_target = 1;
		t = (struct span){ at, (size_t)(end - at) };
		if (t.len == 0 || t.p[0] == '?')
			strcpy(rq->path, "/");	/* "http://h" is "http://h/" */
	} else if (t.len == 0 || t.p[0] != '/') {
		return 400;
	}
	q = memchr(t.p, '?', t.len);
	plen = q ? (size_t)(q - t.p) : t.len;
	if (plen > 0) {
		memcpy(rq->path, t.p, plen);
		rq->path[plen] = '\0';
	}
	if (q != NULL) {
		memcpy(rq->query, q + 1, (size_t)(end - q - 1));
		rq->query[end - q - 1] = '\0';
	}
	return HTTP_OK;
}

static int
request_line(struct span l, struct http_request *rq, int *http11)
{
	const char *sp1 = memchr(l.p, ' ', l.len), *sp2, *end = l.p + l.len;
	size_t i, mlen, tlen;

	if (sp1 == NULL || sp1 == l.p)
		return 400;
	mlen = (size_t)(sp1 - l.p);
	for (i = 0; i < mlen; i++)
		if (!is_tchar((unsigned char)l.p[i]))
			return 400;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
	if (sp2 == NULL || (size_t)(end - sp2 - 1) != 8 ||
	    memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return 400;
	*http11 = sp2[8] == '1';
	/* the method before the target: "OPTIONS *" is another method (405),
	 * not a malformed request */
	if (mlen == 3 && memcmp(l.p, "GET", 3) == 0)
		rq->head_only = 0;
	else if (mlen == 4 && memcmp(l.p, "HEAD", 4) == 0)
		rq->head_only = 1;
	else
		return 405;
	tlen = (size_t)(sp2 - sp1 - 1);
	for (i = 0; i < tlen; i++)
		if (!is_vchar((unsigned char)sp1[1 + i]))
			return 400;
	return request_target((struct span){ sp1 + 1, tlen }, rq);
}

/* ---- header lines: NAME ":" OWS VALUE OWS ---- */

static int
named(struct span name, const char *want)
{
	return name.len == strlen(want) &&
	    strncasecmp(name.p, want, name.len) == 0;
}


static int
header_line(struct span l, struct http_request *rq, int *hosts)
{
	const char *colon = memchr(l.p, ':', l.len);
	struct span name, v;
	size_t i;

	if (colon == NULL || colon == l.p)
		return 400;	/* a folded line starts with a blank: here */
	name = (struct span){ l.p, (size_t)(colon - l.p) };
	for (i = 0; i < name.len; i++)
		if (!is_tchar((unsigned char)name.p[i]))
			return 400;
	v = (struct span){ colon + 1, l.len - name.len - 1 };
	for (i = 0; i < v.len; i++)
		if (!is_field_byte((unsigned char)v.p[i]))
			return 400;
	while (v.len > 0 && (v.p[0] == ' ' || v.p[0] == '\t'))
		v.p++, v.len--;
	while (v.len > 0 && (v.p[v.len - 1] == ' ' || v.p[v.len - 1] == '\t'))
		v.len--;
	if (named(name, "Host")) {
		if (++*hosts > 1 || v.len >= sizeof rq->host)
			return 400;
		if (!rq->host_in_target)
			keep(rq->host, sizeof rq->host, v, 0);
	} else if (named(name, "Last-Event-ID")) {
		keep(rq->last_event_id, sizeof rq->last_event_id, v, 1);
	} else if (named(name, "Cookie")) {
		if (rq->cookie[0] == '\0')
			keep(rq->cookie, sizeof rq->cookie, v, 0);
	} else if (named(name, "Authorization")) {
		if (rq->authorization[0] == '\0' && v.len < sizeof
		    rq->authorization)
			keep(rq->authorization, sizeof rq->authorization, v, 0);
	} else if (named(name, "Transfer-Encoding") ||
	    (named(name, "Content-Length") && !(v.len == 1 && v.p[0] == '0'))) {
		return 400;	/* a request with a body: not here */
	}
	return HTTP_OK;
}

int
http_parse(const char *buf, size_t len, struct http_request *rq)
{
	struct span l;
	size_t at = 0, next, fields = 0;
	int r, http11 = 0, hosts = 0;

	memset(rq, 0, sizeof *rq);
	r = next_line(buf, len, 0, &l, &next);
	if (r == 0)
		return len > HTTP_LINE_MAX + 1 ? 414 : HTTP_MORE;
	if (r < 0)
		return 400;
	if (l.len > HTTP_LINE_MAX - 1)
		return 414;
	if ((r = request_line(l, rq, &http11)) != HTTP_OK)
		return r;
	for (at = next;; at = next) {
		r = next_line(buf, len, at, &l, &next);
		if (r == 0)
			return len >= HTTP_HEAD_MAX ? 431 : HTTP_MORE;
		if (r < 0)
			return 400;
		if (next > HTTP_HEAD_MAX)
			return 431;
		if (l.len == 0)
			break;
		if (++fields > HTTP_FIELDS_MAX)
			return 431;
		if ((r = header_line(l, rq, &hosts)) != HTTP_OK)
			return r;
	}
	if (http11 && hosts == 0)
		return 400;
	rq->length = next;
	return HTTP_OK;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

/* ---- values in a query or a cookie ---- */

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* [p, p+n) percent-decoded into out ('+' a blank when plus). */
static int
decode(const char *p, size_t n, char *out, size_t outlen, int plus)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)p[i];

		if (c == '%') {
			if (i + 2 >= n || hex_digit(p[i + 1]) < 0 ||
			    hex_digit(p[i + 2]) < 0)
				return -1;
			c = hex_digit(p[i + 1]) * 16 + hex_digit(p[i + 2]);
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (c == 0 || o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	if (outlen == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

/* name=value in text, items split by sep and blanks before a name. */
static int
find_value(const char *text, const char *name, char sep, char *out,
    size_t outlen, int plus)
{
	size_t nlen = strlen(name);
	const char *p = text;

	while (*p != '\0') {
		const char *end = strchr(p, sep);
		size_t ilen = end ? (size_t)(end - p) : strlen(p);

		while (ilen > 0 && *p == ' ')
			p++, ilen--;
		if (ilen > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=')
			return decode(p + nlen + 1, ilen - nlen - 1, out,
			    outlen, plus);
		if (end == NULL)
			break;
		p = end + 1;
	}
	return -1;
}

int
http_query_value(const char *query, const char *name, char *out,
    size_t outlen)
{
	return find_value(query, name, '&', out, outlen, 1);
}

int
http_cookie_value(const char *cookie, const char *name, char *out,
    size_t outlen)
{
	return find_value(cookie, name, ';', out, outlen, 0);
}

/* ---- a sign-in: Basic credentials ---- */

static int
base64_value(char c)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *at = c != '\0' ? strchr(digits, c) : NULL;

	return at != NULL ? (int)(at - digits) : -1;
}

/* Base64 text (padded, as browsers send it) into out, NUL-terminated:
 * the number of bytes, or -1. */
static long
base64_decode(const char *text, char *out, size_t outlen)
{
	size_t n = strlen(text), i, o = 0;

	if (n == 0 || n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		int v[4], k, pads = 0;

		for (k = 0; k < 4; k++) {
			int last = i + 4 == n;

			v[k] = base64_value(text[i + k]);
			if (v[k] < 0 && text[i + k] == '=' && last && k >= 2 &&
			    (k == 3 || text[i + 3] == '='))
				v[k] = 0, pads++;
			else if (v[k] < 0)
				return -1;
		}
		if (o + 3 - (size_t)pads + 1 > outlen)
			return -1;
		out[o++] = (char)(v[0] << 2 | v[1] >> 4);
		if (pads < 2)
			out[o++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		if (pads < 1)
			out[o++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	out[o] = '\0';
	return (long)o;
}

int
http_basic_credentials(const char *authorization, char *name,
    size_t namelen, char *password, size_t passlen)
{
	char plain[384];
	const char *colon;
	long n, i;

	if (strncasecmp(authorization, "Basic ", 6) != 0)
		return -1;
	n = base64_decode(authorization + 6, plain, sizeof plain);
	if (n < 0 || (colon = memchr(plain, ':', (size_t)n)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)plain[i] < 0x20 || plain[i] == 0x7f)
			return -1;	/* a NUL or a line break too */
	if ((size_t)(colon - plain) >= namelen ||
	    strlen(colon + 1) >= passlen)
		return -1;
	memcpy(name, plain, (size_t)(colon - plain));
	name[colon - plain] = '\0';
	memcpy(password, colon + 1, strlen(colon + 1) + 1);
	return 0;
}
