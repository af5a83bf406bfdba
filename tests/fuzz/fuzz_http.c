/* fuzz_http.c - the request head reader (common/http.c) on arbitrary
 * bytes.  Whatever comes, the answer is one of the documented ones; a
 * head taken is well formed (a path from '/', visible bytes only, within
 * the bounds), every shorter prefix of it asks for more, and the query
 * and cookie readers never write past what they are given; a sign-in's
 * name and password hold no control byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static void
check_taken(const char *buf, const struct http_request *rq)
{
	struct http_request again;
	size_t i;
	char out[64], name[16], pass[16];

	if (rq->path[0] != '/' || strlen(rq->path) >= HTTP_LINE_MAX)
		abort();
	for (i = 0; rq->path[i] != '\0'; i++)
		if (rq->path[i] <= 0x20 || rq->path[i] >= 0x7f ||
		    rq->path[i] == '?')
			abort();
	for (i = 0; rq->last_event_id[i] != '\0'; i++)
		if (rq->last_event_id[i] < '0' || rq->last_event_id[i] > '9')
			abort();
	for (i = 0; i < rq->length; i++)	/* no early verdict */
		if (http_parse(buf, i, &again) != HTTP_MORE)
			abort();
	(void)http_query_value(rq->query, "token", out, sizeof out);
	(void)http_query_value(rq->query, "id", out, 1);
	(void)http_cookie_value(rq->cookie, "rawftp_token", out, sizeof out);
	if (http_basic_credentials(rq->authorization, name, sizeof name, pass,
	    sizeof pass) == 0 && (has_control(name) || has_control(pass)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request rq;
	char *buf = malloc(size ? size : 1);	/* exact size for ASan */
	int r;

	memcpy(buf, data, size);
	r = http_parse(buf, size, &rq);
	if (r != HTTP_MORE && r != HTTP_OK && r != 400 && r != 405 &&
	    r != 414 && r != 431)
		abort();
	if (r == HTTP_OK && (rq.length == 0 || rq.length > size ||
	    rq.length > HTTP_HEAD_MAX))
		abort();
	if (r == HTTP_OK)
		check_taken(buf, &rq);
	free(buf);
	return 0;
}
