/* fuzz_trace.c - trace_mask and trace_stamp_length (common/trace.c) on
 * arbitrary input.
 * The first byte sets the output buffer's size.  The result must be a
 * terminated string inside the buffer, printable ASCII only, and the
 * argument of a PASS or ACCT command must never appear in it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trace.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t buflen, i, n;
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
	trace_mask(cmd, size, buf, buflen);
	if (buflen == 0) {
		free(buf);
		return 0;
	}
	n = strnlen(buf, buflen);
	if (n == buflen)
		abort();	/* not terminated inside the buffer */
	for (i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			abort();
	/* "PASS secret": no byte of the argument may show after "PASS " */
	if (size > 5 && (strncasecmp(cmd, "PASS ", 5) == 0 ||
	    strncasecmp(cmd, "ACCT ", 5) == 0) && n > 5 &&
	    strcmp(buf + 5, "XXXX") != 0 && buflen > 9)
		abort();
	free(buf);
	return 0;
}
