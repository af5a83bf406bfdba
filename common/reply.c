/* reply.c - multi-line aware reply boundaries; see reply.h. */
#include "line.h"
#include "reply.h"

void
reply_init(struct reply_parser *rp)
{
	rp->code = 0;
	rp->in_multiline = 0;
}

int
reply_code_of(const char *text, size_t len)
{
	int i, code = 0;

	len = line_chomp(text, len);
	if (len < 3)
		return -1;
	for (i = 0; i < 3; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		code = code * 10 + (text[i] - '0');
	}
	if (len > 3 && text[3] != ' ' && text[3] != '-')
		return -1;
	return code;
}

enum reply_step
reply_feed(struct reply_parser *rp, const char *line, size_t len)
{
	int code = reply_code_of(line, len);
	int continues = code >= 0 && line_chomp(line, len) > 3 &&
	    line[3] == '-';

	if (rp->in_multiline) {
		/* only "NNN " with the opening code ends it */
		if (code != rp->code || continues)
			return REPLY_MORE;
		rp->in_multiline = 0;
		return REPLY_DONE;
	}
	if (code < 100)
		return REPLY_BAD;
	rp->code = code;
	if (continues) {
		rp->in_multiline = 1;
		return REPLY_MORE;
	}
	return REPLY_DONE;
}

int
reply_class(int code)
{
	return code / 100;
}
