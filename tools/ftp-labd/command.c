/* command.c - split a control line into verb and argument (RFC 959 5.3).
 *
 * A command is a verb of three or four letters, in any case, then either
 * the end of the line or one space and an argument that runs to CRLF.  The
 * argument keeps every other byte as sent (file names may hold spaces), but
 * a NUL byte is refused: no path could hold it and C strings would cut it.
 * Pure: no I/O, so tests/fuzz/fuzz_command.c runs it directly.
 */
#include <ctype.h>
#include <string.h>

#include "labd.h"

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
	if (len - i > LABD_LINE_CAP)
		return CMD_BAD_VERB;	/* cannot happen: lines are capped */
	memcpy(c->arg, line + i, len - i);
	c->arg[len - i] = '\0';
	c->has_arg = 1;
	return CMD_OK;
}
