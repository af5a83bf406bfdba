/* command.h - a control line read as an FTP server reads it (RFC 959 5.3).
 *
 * The one command reader of rawftp: ftp-labd serves the lines it parses,
 * and ftp-tap checks the same lines before they reach a server.  Both
 * read the control connection through the Telnet filter first
 * (common/telnet.h, as linebuf's filter), so a verb is only recognised
 * once Telnet commands are gone, then call here.
 *
 * cmd_parse() is ftp-labd's reading, and only it.  A relay must also
 * know what OTHER servers would read in the line: cmd_watch() says which
 * of the five verbs that move a data connection or the control channel
 * (PORT, EPRT, PASV, EPSV, AUTH) the line is, and when some server would
 * read one of them where cmd_parse() reads none (a tab after the verb,
 * leading spaces, quotes, a Unicode letter that pyftpdlib upper-cases to
 * ASCII, a CR or NUL inside the line) it says CMD_WATCH_UNCLEAR, so the
 * relay refuses the line instead of guessing.
 *
 * Pure: no I/O.  Fuzzed by tests/fuzz/fuzz_command.c and, against
 * ftp-labd's reading, by tests/fuzz/fuzz_tap_verbs.c.
 */
#ifndef RAWFTP_COMMAND_H
#define RAWFTP_COMMAND_H

#include <stddef.h>

#define CMD_LINE_CAP 4096	/* longest command line, CRLF included */

struct command {
	char verb[5];			/* upper case, NUL-terminated */
	int has_arg;
	char arg[CMD_LINE_CAP + 1];	/* NUL-terminated, CRLF removed */
};

enum cmd_status {
	CMD_OK,
	CMD_EMPTY,		/* a blank line */
	CMD_BAD_VERB,		/* not 3 or 4 letters then space or end */
	CMD_CTRL_BYTE		/* NUL (no path may hold one) or a bare CR
				 * (it would come back in replies) */
};

/* Splits one line (its LF or CRLF included or not) into verb and
 * argument: a verb of three or four letters in any case, then the end or
 * one space and the argument. */
enum cmd_status cmd_parse(const char *line, size_t len, struct command *c);

enum cmd_watch {
	CMD_WATCH_NONE,		/* none of the five, for every server */
	CMD_WATCH_PORT,
	CMD_WATCH_EPRT,
	CMD_WATCH_PASV,
	CMD_WATCH_EPSV,
	CMD_WATCH_AUTH,
	CMD_WATCH_UNCLEAR	/* some server might read one of the five */
};

/* What line (Telnet already removed) is to a relay; c is filled by
 * cmd_parse() as a side effect.  One of PORT...AUTH exactly when
 * cmd_parse() reads that verb. */
enum cmd_watch cmd_watch(const char *line, size_t len, struct command *c);

/* "PORT", ..., "AUTH"; "" for NONE and UNCLEAR. */
const char *cmd_watch_name(enum cmd_watch w);

#endif
