/* http.h - a strict reader of HTTP/1.x request heads, for a read-only
 * server (common/web): GET and HEAD, no body, bounded everywhere.
 *
 *	GET /session?id=7&token=ab12 HTTP/1.1\r\n
 *	Host: 127.0.0.1:8080\r\n
 *	Last-Event-ID: 42\r\n
 *	\r\n
 *
 * http_parse() is called on the bytes read so far; it answers "more"
 * until the blank line ends the head, or a status as soon as the head
 * can only be refused.  Lines may end in CR LF or LF alone (RFC 9112
 * 2.2); a CR anywhere else, a control byte, a folded line, a body, a
 * missing Host in HTTP/1.1 are refused (400).  Pure: no I/O, no
 * allocation; fuzzed (tests/fuzz/fuzz_http.c).
 */
#ifndef RAWFTP_HTTP_H
#define RAWFTP_HTTP_H

#include <stddef.h>

#define HTTP_LINE_MAX 1024	/* the request line; longer: 414 */
#define HTTP_HEAD_MAX 8192	/* the whole head; longer: 431 */
#define HTTP_FIELDS_MAX 40	/* header lines; more: 431 */
#define HTTP_MORE 0		/* http_parse: the head is not complete */
#define HTTP_OK 200

struct http_request {
	int head_only;			/* HEAD, not GET */
	size_t length;			/* bytes of the head, blank line too */
	char path[HTTP_LINE_MAX];	/* "/session", before any '?' */
	char query[HTTP_LINE_MAX];	/* "id=7&token=ab12", or "" */
	char host[256];			/* the Host header, or "" */
	int host_in_target;		/* host is the absolute form's */
	char last_event_id[24];		/* digits, or "" */
	char cookie[512];		/* the Cookie header, or "" (cut) */
	char authorization[512];	/* the Authorization header, or "" */
};

/* HTTP_MORE, HTTP_OK (rq filled), or the status to answer: 400, 405
 * (a method but GET or HEAD), 414, 431. */
int http_parse(const char *buf, size_t len, struct http_request *rq);

/* "Not Found" for 404... ("Error" for a status not listed). */
const char *http_reason(int status);

/* The value of name in a query "a=1&b=2", percent-decoded, in out: 0, or
 * -1 when absent, badly encoded, holding a NUL, or longer than out. */
int http_query_value(const char *query, const char *name, char *out,
    size_t outlen);

/* The value of cookie name in a Cookie header "a=1; b=2": as above. */
int http_cookie_value(const char *cookie, const char *name, char *out,
    size_t outlen);

/* A student's sign-in (RFC 7617): "Basic " then base64 of NAME:PASSWORD,
 * decoded into name and password: 0, or -1 when it is not that form,
 * does not fit, or holds a control byte. */
int http_basic_credentials(const char *authorization, char *name,
    size_t namelen, char *password, size_t passlen);

#endif
