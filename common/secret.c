/* secret.c - see secret.h. */
#include <string.h>

#include "secret.h"

int
secret_equal(const char *given, const char *secret)
{
	size_t lg = strlen(given), ls = strlen(secret), i;
	unsigned char diff = lg != ls;

	/* walk all of given; secret's bytes again when it is shorter */
	for (i = 0; i < lg; i++)
		diff |= (unsigned char)(given[i] ^ secret[i % (ls ? ls : 1)]);
	return diff == 0;
}
