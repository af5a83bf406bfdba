/* alg.c - find and replace the data address of a control line; see
 * alg.h.  The arithmetic itself is hostport.c's. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "alg.h"
#include "line.h"
#include "reply.h"

int
alg_parse_reply(const char *line, size_t len, enum alg_kind *kind,
    struct hostport *where, char *why, size_t whylen)
{
	int code;

	len = line_chomp(line, len);
	code = reply_code_of(line, len);
	*kind = ALG_NONE;
	if (len > 3 && line[3] == '-')	/* a multi-line reply starts */
		return 0;
	if (code == 227) {
		*kind = ALG_227;
		return hp_parse_227(line, len, where, NULL, why, whylen) < 0 ?
		    -1 : 1;
	}
	if (code == 229) {
		*kind = ALG_229;
		return hp_parse_229(line, len, where, NULL, why, whylen) < 0 ?
		    -1 : 1;
	}
	return 0;
}

int
alg_is_command(const char *line, size_t len, const char *verb)
{
	size_t n = strlen(verb);

	len = line_chomp(line, len);
	return len >= n && strncasecmp(line, verb, n) == 0 &&
	    (len == n || line[n] == ' ');
}

int
alg_parse_command(const char *line, size_t len, enum alg_kind *kind,
    struct hostport *where, char *why, size_t whylen)
{
	int r;

	len = line_chomp(line, len);
	*kind = ALG_NONE;
	if (alg_is_command(line, len, "PORT"))
		*kind = ALG_PORT;
	else if (alg_is_command(line, len, "EPRT"))
		*kind = ALG_EPRT;
	else
		return 0;
	if (len <= 5) {
		snprintf(why, whylen, "%s needs an argument",
		    alg_kind_name(*kind));
		return -1;
	}
	if (*kind == ALG_PORT)
		r = hp_parse_port_arg(line + 5, len - 5, where, why, whylen);
	else
		r = hp_parse_eprt_arg(line + 5, len - 5, where, why, whylen);
	return r < 0 ? -1 : 1;
}

int
alg_format(enum alg_kind kind, const struct hostport *where, char *buf,
    size_t len)
{
	char arg[ALG_LINE_MAX];
	int n = -1;

	switch (kind) {
	case ALG_227:
		if (hp_format_port_arg(where, arg, sizeof arg) == 0)
			n = snprintf(buf, len, "227 Entering Passive Mode "
			    "(%s).\r\n", arg);
		break;
	case ALG_229:
		n = snprintf(buf, len, "229 Entering Extended Passive Mode "
		    "(|||%u|)\r\n", where->port);
		break;
	case ALG_PORT:
		if (hp_format_port_arg(where, arg, sizeof arg) == 0)
			n = snprintf(buf, len, "PORT %s\r\n", arg);
		break;
	case ALG_EPRT:
		if (hp_format_eprt_arg(where, arg, sizeof arg) == 0)
			n = snprintf(buf, len, "EPRT %s\r\n", arg);
		break;
	case ALG_NONE:
		break;
	}
	return n < 0 || (size_t)n >= len ? -1 : n;
}

const char *
alg_kind_name(enum alg_kind kind)
{
	static const char *const names[] = { "-", "227", "229", "PORT",
	    "EPRT" };

	return names[kind];
}
