/* portable.c - the RAWFTP_PORTABLE switch; see portable.h. */
#include <stdlib.h>
#include <string.h>

#include "portable.h"

int
portable_forced(void)
{
	const char *s = getenv("RAWFTP_PORTABLE");

	return s != NULL && *s != '\0' && strcmp(s, "0") != 0;
}
