/* fuzz_samehost.c - hp_same_host(), the address comparison behind
 * ftp-labd's anti-bounce check (PORT/EPRT must name the client's own
 * address) and its passive-port theft check.  The input is two strings
 * split at the first '|'.  Checked: any string is the same as itself, the
 * order does not matter, two numeric addresses are the same exactly when
 * their bytes are (an IPv4 address and its ::ffff: mapped form being one),
 * and a non-address string matches only itself.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostport.h"

/* The 16 bytes of an address; an IPv4 address is read as the IPv6
 * text "::ffff:" followed by it.  -1 if host is no address. */
static int
bytes_of(const char *host, unsigned char out[16])
{
	char mapped[HP_HOSTLEN + 8];

	snprintf(mapped, sizeof mapped, "::ffff:%s", host);
	if (strchr(host, ':') == NULL)	/* dotted IPv4, or nothing */
		return strchr(host, '.') != NULL &&
		    inet_pton(AF_INET6, mapped, out) == 1 ? 0 : -1;
	return inet_pton(AF_INET6, host, out) == 1 ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char a[HP_HOSTLEN], b[HP_HOSTLEN];
	unsigned char x[16], y[16];
	const uint8_t *bar = memchr(data, '|', size);
	size_t la = bar ? (size_t)(bar - data) : size;
	size_t lb = bar ? size - la - 1 : 0;
	int same, ax, by;

	if (la >= sizeof a || lb >= sizeof b)
		return 0;
	memcpy(a, data, la);
	a[la] = '\0';
	memcpy(b, bar ? bar + 1 : data, lb);
	b[lb] = '\0';
	same = hp_same_host(a, b);
	if (!hp_same_host(a, a) || !hp_same_host(b, b) ||
	    same != hp_same_host(b, a))
		abort();
	ax = bytes_of(a, x);
	by = bytes_of(b, y);
	if (ax == 0 && by == 0 && same != (memcmp(x, y, 16) == 0))
		abort();
	if ((ax < 0 || by < 0) && same != (strcmp(a, b) == 0))
		abort();
	return 0;
}
