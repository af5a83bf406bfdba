/* command.c - a control line read as a server reads it; see command.h.
 *
 * A command is a verb of three or four letters, in any case, then either
 * the end of the line or one space and an argument that runs to CRLF.  The
 * argument keeps every other byte as sent (file names may hold spaces), but
 * a NUL byte is refused: no path could hold it and C strings would cut it.
 * Pure: no I/O, so the fuzz targets run it directly.
 */
#include <ctype.h>
#include <string.h>

#include "command.h"
#include "line.h"

enum cmd_status
cmd_parse(const char *line, size_t len, struct command *c)
{
	size_t i, n;

	c->verb[0] = '\0';
	c->arg[0] = '\0';
	c->has_arg = 0;
	len = line_chomp(line, len);
	if (len == 0)
		return CMD_EMPTY;
	if (memchr(line, '\0', len) != NULL || memchr(line, '\r', len) != NULL)
		return CMD_CTRL_BYTE;
	for (n = 0; n < len && isalpha((unsigned char)line[n]); n++)
		if (n < 4)
			c->verb[n] = (char)toupper((unsigned char)line[n]);
	if (n < 3 || n > 4 || (n < len && line[n] != ' ')) {
		c->verb[0] = '\0';
		return CMD_BAD_VERB;
	}
	c->verb[n] = '\0';
	if (n == len)
		return CMD_OK;
	/* "NOOP " with nothing after the space counts as no argument */
	i = n + 1;
	if (i == len)
		return CMD_OK;
	if (len - i > CMD_LINE_CAP)
		return CMD_BAD_VERB;	/* cannot happen: lines are capped */
	memcpy(c->arg, line + i, len - i);
	c->arg[len - i] = '\0';
	c->has_arg = 1;
	return CMD_OK;
}

static const char *const watched[] = {
	[CMD_WATCH_PORT] = "PORT", [CMD_WATCH_EPRT] = "EPRT",
	[CMD_WATCH_PASV] = "PASV", [CMD_WATCH_EPSV] = "EPSV",
	[CMD_WATCH_AUTH] = "AUTH",
};

const char *
cmd_watch_name(enum cmd_watch w)
{
	return w >= CMD_WATCH_PORT && w <= CMD_WATCH_AUTH ? watched[w] : "";
}

static enum cmd_watch
watched_verb(const char *verb)
{
	int w;

	for (w = CMD_WATCH_PORT; w <= CMD_WATCH_AUTH; w++)
		if (strcmp(verb, watched[w]) == 0)
			return (enum cmd_watch)w;
	return CMD_WATCH_NONE;
}

/* The non-ASCII letters that Python's str.upper() (pyftpdlib upper-cases
 * the decoded verb) turns into ASCII ones, in UTF-8. */
static const struct {
	const char *utf8, *upper;
} unicode_upper[] = {
	{ "\xc3\x9f", "SS" }, { "\xc4\xb1", "I" }, { "\xc5\xbf", "S" },
	{ "\xef\xac\x80", "FF" }, { "\xef\xac\x81", "FI" },
	{ "\xef\xac\x82", "FL" }, { "\xef\xac\x83", "FFI" },
	{ "\xef\xac\x84", "FFL" }, { "\xef\xac\x85", "ST" },
	{ "\xef\xac\x86", "ST" },
};

static int
space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* The first word of line as the most lenient reader of the four
 * reference servers sees it: after leading white space, up to white
 * space (space, tab, VT, FF), quotes and backslashes dropped, upper-cased
 * as ASCII and as Python does.  Longer than a verb: "" (no verb). */
static void
lenient_verb(const char *line, size_t len, char *out, size_t outlen)
{
	size_t i = 0, o = 0, k;

	while (i < len && space(line[i]))
		i++;
	while (i < len && !space(line[i]) && o + 4 < outlen) {
		unsigned char b = (unsigned char)line[i];
		const char *up = NULL;
		size_t used = 1;

		for (k = 0; k < sizeof unicode_upper / sizeof *unicode_upper;
		    k++) {
			size_t n = strlen(unicode_upper[k].utf8);
			if (len - i >= n &&
			    memcmp(line + i, unicode_upper[k].utf8, n) == 0) {
				up = unicode_upper[k].upper;
				used = n;
			}
		}
		if (up != NULL) {
			memcpy(out + o, up, strlen(up));
			o += strlen(up);
		} else if (b != '"' && b != '\\') {
			out[o++] = (char)toupper(b);
		}
		i += used;
	}
	out[o] = '\0';
	if (i < len && !space(line[i]))
		out[0] = '\0';	/* a word longer than any verb */
}

enum cmd_watch
cmd_watch(const char *line, size_t len, struct command *c)
{
	enum cmd_status st = cmd_parse(line, len, c);
	char verb[16];

	if (st == CMD_OK)
		return watched_verb(c->verb);
	if (st == CMD_CTRL_BYTE)
		return CMD_WATCH_UNCLEAR;	/* vsftpd reads NUL as LF and
						 * drops CRs at the end */
	len = line_chomp(line, len);
	lenient_verb(line, len, verb, sizeof verb);
	return watched_verb(verb) != CMD_WATCH_NONE ? CMD_WATCH_UNCLEAR :
	    CMD_WATCH_NONE;
}
