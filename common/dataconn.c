/* dataconn.c - opening a data connection, narrated; see dataconn.h. */
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "dataconn.h"
#include "narrate.h"
#include "net.h"

int
dataconn_accept(unsigned id, int lfd, const char *expect, const char *role)
{
	struct hostport peer;
	struct net_error e;
	char who[HP_HOSTLEN + 8], why[HP_HOSTLEN + 64];
	int fd = net_accept(lfd, 0, &peer, &e);

	if (fd < 0) {
		narrate_printf(id, "data: %s", e.msg);
		poll(NULL, 0, 100);
		return -1;
	}
	if (hp_same_host(peer.host, expect)) {
		narrate_data_connect(id, &peer, NULL);
		return fd;
	}
	hp_format(&peer, HP_STYLE_COLON, who, sizeof who);
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
