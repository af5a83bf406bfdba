/* fuzz_rest.c - the number parser REST uses (parse_number, common/optnum.c)
 * with REST's range, 0 to INT64_MAX, against a plain digit-by-digit
 * reading: it must accept exactly the strings of decimal digits whose
 * value is in range, and give that value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "optnum.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64];
	unsigned long long got, want = 0;
	size_t n = size < sizeof text - 1 ? size : sizeof text - 1, i;
	int digits = 1, in_range = 1, r;

	memcpy(text, data, n);
	text[n] = '\0';
	n = strlen(text);		/* a C string ends at a NUL */
	for (i = 0; i < n; i++) {
		if (text[i] < '0' || text[i] > '9') {
			digits = 0;
			break;
		}
		if (want > (INT64_MAX - (unsigned)(text[i] - '0')) / 10)
			in_range = 0;
		else
			want = want * 10 + (unsigned)(text[i] - '0');
	}
	r = parse_number(text, 0, INT64_MAX, &got);
	if (n > 0 && digits && in_range) {
		if (r != 0 || got != want)
			abort();
	} else if (r == 0) {
		abort();
	}
	return 0;
}
