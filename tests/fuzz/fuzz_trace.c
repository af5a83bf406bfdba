/* fuzz_trace.c - trace_mask, trace_wire and trace_stamp_length
 * (common/trace.c) on arbitrary input.
 * The first byte sets the output buffer's size.  Each result must be a
 * terminated string inside the buffer, printable ASCII only, and the
 * argument of a PASS or ACCT command must never appear in it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trace.h"

/* A terminated, printable string in buf[0..buflen); its length. */
static size_t
check_shown(const char *buf, size_t buflen)
{
	size_t i, n = strnlen(buf, buflen);

	if (n == buflen)
		abort();	/* not terminated inside the buffer */
	for (i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			abort();
	return n;
}

/* trace_wire: the mask, then nothing but the line's ending shown. */
static void
check_wire(const char *cmd, size_t size, char *buf, size_t buflen)
{
	size_t n;

	trace_wire(cmd, size, buf, buflen, 1);
	if (buflen == 0)
		return;
	n = check_shown(buf, buflen);
	if (size > 5 && (strncasecmp(cmd, "PASS ", 5) == 0 ||
	    strncasecmp(cmd, "ACCT ", 5) == 0) && n > 5 && buflen > 13 &&
	    (strncmp(buf + 5, "XXXX", 4) != 0 ||
	    strspn(buf + 9, "\\rn") != n - 9))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t buflen, n;
	char *buf;
	const char *cmd;

	if (size < 1)
		return 0;
	buflen = data[0];	/* 0 to 255: small buffers too */
	cmd = (const char *)data + 1;
	size--;
	/* a stamp's length never reaches past the input */
	if (trace_stamp_length(cmd, size) > size)
		abort();
	buf = malloc(buflen ? buflen : 1);
	check_wire(cmd, size, buf, buflen);
	trace_mask(cmd, size, buf, buflen);
	if (buflen == 0) {
		free(buf);
		return 0;
	}
	n = check_shown(buf, buflen);
	/* "PASS secret": no byte of the argument may show after "PASS " */
	if (size > 5 && (strncasecmp(cmd, "PASS ", 5) == 0 ||
	    strncasecmp(cmd, "ACCT ", 5) == 0) && n > 5 &&
	    strcmp(buf + 5, "XXXX") != 0 && buflen > 9)
		abort();
	free(buf);
	return 0;
}
