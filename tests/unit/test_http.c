/* test_http.c - the request head reader: what it takes, and the status
 * it answers to each thing it refuses. */
#include <string.h>

#include "http.h"
#include "unit.h"

static struct http_request rq;

static int
parse(const char *head)
{
	return http_parse(head, strlen(head), &rq);
}

TEST(http_a_get_with_its_headers)
{
	const char *h = "GET /session?id=7&token=a%2Bb+c HTTP/1.1\r\n"
	    "Host: 127.0.0.1:8080\r\nLast-Event-ID:  42 \r\n"
	    "Cookie: x=1; rawftp=t0k\r\n\r\nextra";
	char v[32];

	CHECK(parse(h) == HTTP_OK);
	CHECK(rq.length == strlen(h) - 5 && !rq.head_only);
	CHECK_STR(rq.path, "/session");
	CHECK_STR(rq.query, "id=7&token=a%2Bb+c");
	CHECK_STR(rq.host, "127.0.0.1:8080");
	CHECK_STR(rq.last_event_id, "42");
	CHECK(http_query_value(rq.query, "token", v, sizeof v) == 0);
	CHECK_STR(v, "a+b c");
	CHECK(http_query_value(rq.query, "id", v, sizeof v) == 0);
	CHECK_STR(v, "7");
	CHECK(http_query_value(rq.query, "i", v, sizeof v) == -1);
	CHECK(http_cookie_value(rq.cookie, "rawftp", v, sizeof v) == 0);
	CHECK_STR(v, "t0k");
	CHECK(parse("HEAD / HTTP/1.0\n\n") == HTTP_OK && rq.head_only);
}

/* RFC 9112 section 3.2.2: a server takes the absolute form too, and its
 * host is the one the target names, not the Host header's. */
TEST(http_the_absolute_form_names_the_host)
{
	CHECK(parse("GET http://127.0.0.1:8080/session?id=7 HTTP/1.1\r\n"
	    "Host: evil.example\r\n\r\n") == HTTP_OK);
	CHECK_STR(rq.path, "/session");
	CHECK_STR(rq.query, "id=7");
	CHECK_STR(rq.host, "127.0.0.1:8080");
	CHECK(parse("HEAD HTTP://localhost:81?x=1 HTTP/1.1\r\nHost: a\r\n"
	    "\r\n") == HTTP_OK);
	CHECK_STR(rq.path, "/");
	CHECK_STR(rq.query, "x=1");
	CHECK_STR(rq.host, "localhost:81");
	CHECK(parse("GET http://a HTTP/1.0\r\n\r\n") == HTTP_OK);
	CHECK_STR(rq.path, "/");
	CHECK_STR(rq.host, "a");
}

TEST(http_more_until_the_blank_line)
{
	CHECK(parse("") == HTTP_MORE);
	CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\n") == HTTP_MORE);
	CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\n\r") == HTTP_MORE);
}

TEST(http_refusals)
{
	char big[HTTP_HEAD_MAX + 64];
	size_t n;

	CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\n\r\n") == 405);
	CHECK(parse("get / HTTP/1.1\r\nHost: a\r\n\r\n") == 405);
	CHECK(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n") == 405);
	CHECK(parse("GET * HTTP/1.1\r\nHost: a\r\n\r\n") == 400);
	CHECK(parse("GET / HTTP/1.1\r\n\r\n") == 400);	/* no Host */
	CHECK(parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == 400);
	CHECK(parse("GET  / HTTP/1.1\r\nHost: a\r\n\r\n") == 400);
	CHECK(parse("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n") == 400);
	CHECK(parse("GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n") == 400);
	CHECK(parse("GET https://a/ HTTP/1.1\r\nHost: a\r\n\r\n") == 400);
	CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n") == 400);
	CHECK(parse("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n") == 400);
	CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
	CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n") == 400);
	CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	    "\r\n") == 400);
	memset(big, 'a', sizeof big);
	memcpy(big, "GET /", 5);
	big[HTTP_LINE_MAX + 2] = '\0';
	CHECK(parse(big) == 414);
	n = (size_t)snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: a\r\n");
	while (n + 20 < sizeof big)
		n += (size_t)snprintf(big + n, sizeof big - n, "X-Y: 1234567\r\n");
	CHECK(parse(big) == 431);
}

TEST(http_basic_credentials_of_a_sign_in)
{
	char name[64], pass[64];

	CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Basic "
	    "c3R1ZGVudDA0OnM6ZWNyZXQ=\r\n\r\n") == HTTP_OK);
	CHECK_STR(rq.authorization, "Basic c3R1ZGVudDA0OnM6ZWNyZXQ=");
	CHECK(http_basic_credentials(rq.authorization, name, sizeof name,
	    pass, sizeof pass) == 0);
	CHECK_STR(name, "student04");
	CHECK_STR(pass, "s:ecret");	/* the first colon splits */
	CHECK(http_basic_credentials("basic YTpi", name, sizeof name, pass,
	    sizeof pass) == 0);
	CHECK_STR(name, "a");
	CHECK_STR(pass, "b");
	CHECK(http_basic_credentials("Basic YTo=", name, sizeof name, pass,
	    sizeof pass) == 0);
	CHECK_STR(pass, "");
	/* not Basic, bad base64, no colon, a control byte, too long */
	CHECK(http_basic_credentials("Bearer YTpi", name, sizeof name, pass,
	    sizeof pass) < 0);
	CHECK(http_basic_credentials("Basic YTpi=", name, sizeof name, pass,
	    sizeof pass) < 0);
	CHECK(http_basic_credentials("Basic Y=pi", name, sizeof name, pass,
	    sizeof pass) < 0);
	CHECK(http_basic_credentials("Basic YWJj", name, sizeof name, pass,
	    sizeof pass) < 0);
	CHECK(http_basic_credentials("Basic YTpiCmM=", name, sizeof name,
	    pass, sizeof pass) < 0);	/* "a:b\nc" */
	CHECK(http_basic_credentials("Basic YWJjOmQ=", name, 3, pass,
	    sizeof pass) < 0);	/* "abc:d" into 3 bytes */
}
