/* optnum.c - option arguments that are numbers; see optnum.h. */
#include <errno.h>
#include <stdlib.h>

#include "err.h"
#include "optnum.h"

unsigned long long
opt_number(const char *opt, const char *text, unsigned long long lo,
    unsigned long long hi)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(text, &end, 10);
	/* strtoull would take "-1", " 5" and "" */
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 ||
	    n < lo || n > hi)
		die_usage("%s: '%.32s' is not a number from %llu to %llu", opt,
		    text, lo, hi);
	return n;
}
