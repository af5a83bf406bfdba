/* fuzz_optnum.c - parse_number (common/optnum.c), ftp-labd's REST parser,
 * on arbitrary bytes: an accepted number is all digits, within the range,
 * and is the value those digits spell. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "optnum.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64];
	unsigned long long n, lo = 0, hi = INT64_MAX, spelled = 0;
	size_t i, len = size < sizeof text - 1 ? size : sizeof text - 1;

	memcpy(text, data, len);
	text[len] = '\0';
	if (parse_number(text, lo, hi, &n) < 0)
		return 0;
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] < '0' || text[i] > '9')
			abort();
		spelled = spelled * 10 + (unsigned long long)(text[i] - '0');
	}
	if (i == 0 || n != spelled || n > hi)
		abort();
	return 0;
}
