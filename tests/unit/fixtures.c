/* fixtures.c - see fixtures.h. */
#include <fcntl.h>
#include <unistd.h>

#include "fixtures.h"
#include "unit.h"

struct hostport
fixture_hostport(const char *host, unsigned port)
{
	struct hostport h;
	char why[HP_WHYLEN];

	CHECK(hp_set_host(&h, host, why, sizeof why) == 0);
	h.port = port;
	return h;
}

void
fixture_pipe(int *r, int *w)
{
	int p[2];

	if (*r >= 0) {
		close(*r);
		close(*w);
	}
	CHECK(pipe(p) == 0);
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
	*r = p[0];
	*w = p[1];
}
