/* fuzz_tap_verbs.c - differential: for every control line, ftp-tap takes
 * it for PORT, EPRT, PASV, EPSV or AUTH exactly when ftp-labd does.
 *
 * The input is what a client sends on the control connection.  Both
 * programs read it through the Telnet filter (common/telnet) and cut it
 * at LF into lines of at most CMD_LINE_CAP bytes; ftp-labd then runs
 * cmd_parse(), ftp-tap cmd_watch() (common/command).  Checked for every
 * line:
 *  - when ftp-labd reads one of the five verbs, the tap reads the same;
 *  - when ftp-labd reads none, the tap reads none of the five either: it
 *    lets the line go on (NONE) or refuses it (UNCLEAR);
 *  - when a model of vsftpd (the verb runs to the first space, trailing
 *    CRs dropped, NUL read as LF) or of pyftpdlib (split at the first
 *    space, Python's upper(), which turns U+017F into S) would read one
 *    of the five in the line the tap sends on, the tap does not let it
 *    go on unread: it reads that verb, or refuses the line.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "line.h"
#include "telnet.h"

static const char *const five[] = { "PORT", "EPRT", "PASV", "EPSV", "AUTH" };

static int
is_five(const char *verb)
{
	size_t i;

	for (i = 0; i < sizeof five / sizeof *five; i++)
		if (strcmp(verb, five[i]) == 0)
			return 1;
	return 0;
}

/* vsftpd: NUL becomes LF, CRs at the end go, the verb is everything up
 * to the first space, upper-cased (ASCII). */
static int
vsftpd_reads_five(const char *line, size_t len)
{
	char verb[8];
	size_t i, n = 0;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	for (i = 0; i < len && line[i] != ' '; i++) {
		if (n == 4)
			return 0;
		verb[n++] = line[i] == '\0' ? '\n' :
		    (char)toupper((unsigned char)line[i]);
	}
	verb[n] = '\0';
	return is_five(verb);
}

/* pyftpdlib: the line up to CRLF, decoded, split at the first space,
 * upper-cased by Python; only ASCII letters and the two letters that
 * Python upper-cases to single ASCII ones (U+0131, U+017F) can make a
 * verb of four ASCII letters. */
static int
pyftpdlib_reads_five(const char *line, size_t len)
{
	char verb[8];
	size_t i = 0, n = 0;

	len = line_chomp(line, len);
	while (i < len && line[i] != ' ') {
		unsigned char b = (unsigned char)line[i];
		char c;

		if (n == 4)
			return 0;
		if (len - i >= 2 && b == 0xc5 &&
		    (unsigned char)line[i + 1] == 0xbf) {
			c = 'S';
			i += 2;
		} else if (len - i >= 2 && b == 0xc4 &&
		    (unsigned char)line[i + 1] == 0xb1) {
			c = 'I';
			i += 2;
		} else {
			c = (char)toupper(b);
			i++;
		}
		verb[n++] = c;
	}
	verb[n] = '\0';
	return is_five(verb);
}

static struct command labd, tap;

static void
check_line(const char *line, size_t len)
{
	enum cmd_status st = cmd_parse(line, len, &labd);
	enum cmd_watch w = cmd_watch(line, len, &tap);
	int labd_five = st == CMD_OK && is_five(labd.verb);

	if (labd_five && strcmp(cmd_watch_name(w), labd.verb) != 0)
		abort();
	if (!labd_five && w != CMD_WATCH_NONE && w != CMD_WATCH_UNCLEAR)
		abort();
	if ((vsftpd_reads_five(line, len) || pyftpdlib_reads_five(line,
	    len)) && w == CMD_WATCH_NONE)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[1 << 16];
	struct telnet tn;
	size_t len, start = 0;

	if (size > sizeof buf)
		return 0;
	memcpy(buf, data, size);
	telnet_init(&tn);
	len = telnet_filter(&tn, buf, size);
	while (start < len) {
		const unsigned char *lf = memchr(buf + start, '\n',
		    len - start);
		size_t n = lf != NULL ? (size_t)(lf - (buf + start)) + 1 :
		    len - start;

		if (n > CMD_LINE_CAP)
			n = CMD_LINE_CAP;	/* a piece: refused as too long */
		else
			check_line((const char *)buf + start, n);
		start += n;
	}
	return 0;
}
