/* optnum.c - numbers in option and command arguments; see optnum.h. */
#include <errno.h>
#include <stdlib.h>

#include "err.h"
#include "optnum.h"

int
parse_number(const char *text, unsigned long long lo, unsigned long long hi,
    unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(text, &end, 10);
	/* strtoull would take "-1", " 5" and "" */
	return text[0] < '0' || text[0] > '9' || *end != '\0' ||
	    errno != 0 || *out < lo || *out > hi ? -1 : 0;
}

unsigned long long
opt_number(const char *opt, const char *text, unsigned long long lo,
    unsigned long long hi)
{
	unsigned long long n;

	if (parse_number(text, lo, hi, &n) < 0)
		die_usage("%s: '%.32s' is not a number from %llu to %llu", opt,
		    text, lo, hi);
	return n;
}
