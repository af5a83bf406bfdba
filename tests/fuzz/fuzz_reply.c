/* fuzz_reply.c - the reply parser (common/reply.c) on arbitrary bytes.
 * The input is cut into lines at LF and fed in order, as ftp-raw feeds a
 * server's lines; each answer is checked against what RFC 959 section 4.2
 * allows, and every code found is looked up in the reply-code table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "replycodes.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void
check_line(struct reply_parser *rp, const char *line, size_t len)
{
	int was_multi = rp->in_multiline, opened = rp->code;
	int code = reply_code_of(line, len);
	enum reply_step step = reply_feed(rp, line, len);

	if (code >= 0 && (len < 3 || !is_digit(line[0]) ||
	    !is_digit(line[1]) || !is_digit(line[2]) || code > 999))
		abort();
	if (step == REPLY_BAD && (was_multi || code >= 100))
		abort();	/* inside a reply every line is text */
	if (step == REPLY_DONE && rp->in_multiline)
		abort();
	if (step == REPLY_DONE && was_multi && code != opened)
		abort();	/* only the opening code closes */
	if (step == REPLY_DONE && (rp->code < 100 || rp->code != code))
		abort();
	if (step == REPLY_MORE && !rp->in_multiline)
		abort();
	if (code >= 0)
		(void)replycode_find(code);
	(void)replycode_class_meaning(code);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply_parser rp;
	const char *p = (const char *)data, *end = p + size;

	reply_init(&rp);
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		size_t len = lf ? (size_t)(lf - p) + 1 : (size_t)(end - p);
		char *copy = malloc(len ? len : 1);	/* exact size for ASan */

		memcpy(copy, p, len);
		check_line(&rp, copy, len);
		free(copy);
		p += len;
	}
	return 0;
}
