/* fuzz_pump_convert.c - TYPE A conversion (pump_convert in common/pump.c).
 * The first byte picks where to cut the rest in two chunks.  Converting
 * CRLF to LF in two chunks must give what one chunk gives (a CR that ends
 * a chunk is carried), and LF to CRLF then back must restore the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pump.h"

static char wire[2 * 4096], whole[2 * 4096], parts[2 * 4096];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data + 1;
	size_t len, cut, nw, np, nwire, nback;
	int cr_whole = 0, cr_parts = 0, cr_back = 0;

	if (size < 1 || size > 4097)
		return 0;
	len = size - 1;
	cut = len ? data[0] % (len + 1) : 0;

	nw = pump_convert(PUMP_CRLF_TO_LF, &cr_whole, in, len, whole);
	np = pump_convert(PUMP_CRLF_TO_LF, &cr_parts, in, cut, parts);
	np += pump_convert(PUMP_CRLF_TO_LF, &cr_parts, in + cut, len - cut,
	    parts + np);
	if (nw != np || cr_whole != cr_parts || memcmp(whole, parts, nw) != 0)
		abort();
	if (nw > len || cr_whole != (len > 0 && in[len - 1] == '\r'))
		abort();

	nwire = pump_convert(PUMP_LF_TO_CRLF, NULL, in, len, wire);
	nback = pump_convert(PUMP_CRLF_TO_LF, &cr_back, wire, nwire, parts);
	if (cr_back)
		parts[nback++] = '\r';	/* what the pump adds at end of input */
	if (nback != len || memcmp(parts, in, len) != 0)
		abort();
	return 0;
}
