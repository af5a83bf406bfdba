/* fuzz_telnet.c - the Telnet filter (common/telnet.c) on arbitrary bytes.
 * The first byte sets a chunk size: filtering the stream in chunks must
 * give the same data as filtering it whole (state carries across reads),
 * the answers must fit their buffer, and escaping data then filtering it
 * must give the data back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "telnet.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct telnet whole, chunked, again;
	unsigned char *a, *b, *esc;
	size_t chunk, i, na, nb = 0, ne;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 17 + 1;
	data++;
	size--;
	a = malloc(size + 1);
	b = malloc(size + 1);
	esc = malloc(2 * size + 1);
	memcpy(a, data, size);
	memcpy(b, data, size);

	telnet_init(&whole);
	na = telnet_filter(&whole, a, size);
	if (na > size || whole.reply_len > sizeof whole.reply)
		abort();

	telnet_init(&chunked);
	for (i = 0; i < size; i += chunk) {
		size_t n = size - i < chunk ? size - i : chunk;
		size_t kept = telnet_filter(&chunked, b + i, n);
		memmove(b + nb, b + i, kept);
		nb += kept;
	}
	if (na != nb || memcmp(a, b, na) != 0 ||
	    whole.reply_len != chunked.reply_len ||
	    memcmp(whole.reply, chunked.reply, whole.reply_len) != 0 ||
	    whole.commands != chunked.commands)
		abort();

	/* data escaped as a sender must, then filtered: unchanged */
	ne = telnet_escape((const char *)data, size, (char *)esc, 2 * size + 1);
	if (ne == (size_t)-1)
		abort();
	telnet_init(&again);
	if (telnet_filter(&again, esc, ne) != size ||
	    memcmp(esc, data, size) != 0 || again.commands != 0 ||
	    again.reply_len != 0)
		abort();
	free(a);
	free(b);
	free(esc);
	return 0;
}
