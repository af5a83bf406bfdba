/* fuzz_linebuf.c - the bounded line reader (common/linebuf.c).
 * The first byte sets the cap; the rest goes through a pipe in one go and
 * comes back as pieces.  The pieces must rebuild the input exactly, never
 * exceed the cap, end in LF unless partial or the last, and never split a
 * CR from its LF. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linebuf.h"

static struct linebuf lb;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line;
	size_t cap, len, got = 0;
	int fds[2], partial, prev_partial = 0;
	enum lb_status st;

	if (size < 1 || size > 60000)	/* stays under a pipe's capacity */
		return 0;
	cap = (size_t)data[0] * 33 % (LB_SIZE + 1);	/* 0 means LB_SIZE */
	data++;
	size--;
	if (pipe(fds) < 0)
		abort();
	if (write(fds[1], data, size) != (ssize_t)size)
		abort();
	close(fds[1]);
	lb_init(&lb, fds[0], cap);
	if (cap == 0)
		cap = LB_SIZE;
	while ((st = lb_getline(&lb, 1000, &line, &len, &partial)) == LB_LINE) {
		if (len == 0 || len > cap || got + len > size ||
		    memcmp(line, data + got, len) != 0)
			abort();
		if (partial && line[len - 1] == '\n')
			abort();
		/* a piece may end in CR only if the LF is not next */
		if (partial && line[len - 1] == '\r' && len > 1 &&
		    got + len < size && data[got + len] == '\n')
			abort();
		if (!partial && line[len - 1] != '\n' && got + len != size)
			abort();
		(void)line_chomp(line, len);
		prev_partial = partial;
		got += len;
	}
	(void)prev_partial;
	if (st != LB_EOF || got != size || lb_pending(&lb) != 0)
		abort();
	close(fds[0]);
	return 0;
}
