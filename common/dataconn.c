/* dataconn.c - opening a data connection, narrated; see dataconn.h. */
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "dataconn.h"
#include "narrate.h"
#include "net.h"

int
dataconn_accept(unsigned id, int lfd, const char *expect, const char *role,
    const char *unsafe, struct hostport *peer)
{
	struct hostport from;
	struct net_error e;
	char who[HP_HOSTLEN + 8], why[HP_HOSTLEN + 64];
	int fd = net_accept(lfd, 0, &from, &e), expected;

	if (fd < 0)
		from.port = 0;		/* nobody came */
	if (peer != NULL)
		*peer = from;
	if (fd < 0) {
		narrate_printf(id, "data: %s", e.msg);
		poll(NULL, 0, 100);
		return -1;
	}
	expected = hp_same_host(from.host, expect);
	hp_format(&from, HP_STYLE_COLON, who, sizeof who);
	if (!expected && unsafe != NULL)
		narrate_printf(id, "data: UNSAFE: %s accepted, not the %s's "
		    "address %s (%s)", who, role, expect, unsafe);
	if (expected || unsafe != NULL) {
		narrate_data_connect(id, &from, NULL);
		return fd;
	}
	snprintf(why, sizeof why, "not the %s's address %s (connection "
	    "theft)", role, expect);
	narrate_data_refuse(id, who, why);
	close(fd);
	return -1;
}

int
dataconn_connect(unsigned id, const struct hostport *to, int timeout_ms)
{
	struct net_error e;
	struct hostport from;
	char port[8];
	int fd;

	snprintf(port, sizeof port, "%u", to->port);
	narrate_printf(id, "data: connecting to %s port %u", to->host,
	    to->port);
	fd = net_connect(to->host, port, to->family, NULL, timeout_ms, &e);
	if (fd < 0) {
		narrate_printf(id, "data: %s", e.msg);
		return -1;
	}
	if (net_local(fd, &from) == 0)
		narrate_data_connect(id, to, &from);
	return fd;
}
