/* narrate.c - the running commentary on stderr (or --log FILE); ftp-labd's
 * format, until common/narrate takes the place of both copies.
 *
 * One line per event: "  12.345678 [ID] text", the time relative to the
 * start as in Wireshark's Time column, ID the session (0: the tap
 * itself).  Each line goes out in one write(2), so lines from concurrent
 * sessions never mix.  The format is documented in ftp-labd(1) and
 * ftp-tap(1), and the tests grep it: change them together.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "trace.h"

#define NARRATE_MAX 512

void
narrate(unsigned id, const char *fmt, ...)
{
	char line[NARRATE_MAX];
	va_list ap;
	int n, m;

	if (cfg.log_fd < 0)
		return;
	trace_stamp(line, 32);
	n = (int)strlen(line);
	m = snprintf(line + n, sizeof line - (size_t)n, " [%u] ", id);
	n += m > 0 ? m : 0;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof line - 5) {	/* cut, and say so */
		n = (int)sizeof line - 5;
		memcpy(line + n, "...", 3);
		n += 3;
	}
	line[n++] = '\n';
	(void)!write(cfg.log_fd, line, (size_t)n);
}

/* dir is ">" for what the client sent, "<" for what the server answered. */
void
narrate_line(unsigned id, const char *dir, const char *line, size_t len)
{
	char shown[NARRATE_MAX - 64];

	if (cfg.log_fd < 0)
		return;
	trace_mask(line, len, shown, sizeof shown);
	narrate(id, "%s %s", dir, shown);
}
