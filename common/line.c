/* line.c - the end of a protocol line; see line.h. */
#include "line.h"

size_t
line_chomp(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return len;
}
