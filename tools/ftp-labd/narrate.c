/* narrate.c - ftp-labd's running commentary on stderr (or --log FILE).
 *
 * The line format and the events belong to common/narrate (ftp-tap will
 * narrate the same way); main() starts it with the log descriptor and
 * password masking.  These two are what the handlers call.
 */
#include <stdarg.h>

#include "labd.h"
#include "narrate.h"

void
narrate(unsigned id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	narrate_vprintf(id, fmt, ap);
	va_end(ap);
}

/* dir is ">" for what the client sent, "<" for what we answered. */
void
narrate_line(unsigned id, const char *dir, const char *line, size_t len)
{
	narrate_wire(id, dir, line, len);
}
