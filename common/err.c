/* err.c - one-line diagnostics and exits; see err.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

static const char *progname = "rawftp";

void
err_set_progname(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	progname = slash ? slash + 1 : argv0;
}

const char *
err_progname(void)
{
	return progname;
}

/* The whole line goes out in one fputs so lines from two processes sharing
 * a terminal never interleave mid-line. */
static void
vwarn_line(const char *fmt, va_list ap, const char *suffix)
{
	char line[1024];
	int n;

	n = snprintf(line, sizeof line, "%s: ", progname);
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	if (suffix != NULL) {
		size_t used = strlen(line);
		snprintf(line + used, sizeof line - used, ": %s", suffix);
	}
	fputs(line, stderr);
	fputc('\n', stderr);
	fflush(stderr);
}

void
warn_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_line(fmt, ap, NULL);
	va_end(ap);
}

void
warn_errno(const char *fmt, ...)
{
	va_list ap;
	const char *why = strerror(errno);

	va_start(ap, fmt);
	vwarn_line(fmt, ap, why);
	va_end(ap);
}

void
die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_line(fmt, ap, NULL);
	va_end(ap);
	exit(code);
}

void
die_errno(int code, const char *fmt, ...)
{
	va_list ap;
	const char *why = strerror(errno);

	va_start(ap, fmt);
	vwarn_line(fmt, ap, why);
	va_end(ap);
	exit(code);
}

void
die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_line(fmt, ap, NULL);
	va_end(ap);
	exit(EXIT_USAGE);
}

void
flush_stdout(void)
{
	/* ferror too: a line-buffered stdout met the error at printf */
	if (fflush(stdout) != 0 || ferror(stdout))
		die_errno(EXIT_IOERR, "writing to stdout");
}
