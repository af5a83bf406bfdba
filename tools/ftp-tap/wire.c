/* wire.c - what --wire narrates and --pcap captures: the glue between
 * the tap's four connections and common/wireview.
 *
 * A relayed session has two TCP connections per channel, and the tap is
 * in the middle of both: on the client's leg it plays the server, on the
 * server's leg the client.  Each leg gets its own struct wireview, so
 * the narration and the capture show what each wire carried: the
 * control lines as read and written (the linebuf filters below, and
 * send_client and send_server), the data through the pump's observer
 * (relay.c).  Without --wire and --pcap none of this runs.
 */
#include "net.h"
#include "tap.h"

int
watching(void)
{
	return serve_watching(&cfg.serve);
}

/* fd is one leg of session s: the client's (the tap's end is the
 * server's) or the server's (the tap's end is the client's); connector
 * says who called connect(2). */
void
watch_leg(struct session *s, struct wireview *w, int fd, int data,
    int server_leg, enum narrate_side connector)
{
	struct hostport peer, mine;

	if (!watching() || net_peer(fd, &peer) < 0 ||
	    net_local(fd, &mine) < 0)
		return;
	wireview_open(w, cfg.pcap, s->id, data, server_leg ?
	    NARRATE_SERVER_LEG : NARRATE_CLIENT_LEG, connector,
	    server_leg ? &mine : &peer, server_leg ? &peer : &mine);
}

/* The linebuf filters of the control legs: the bytes as they came. */
size_t
seen_from_client(void *ctx, char *buf, size_t len)
{
	struct session *s = ctx;

	wireview_bytes(&s->cwire, NARRATE_CLIENT, buf, len);
	return len;
}

size_t
seen_from_server(void *ctx, char *buf, size_t len)
{
	struct session *s = ctx;

	wireview_bytes(&s->swire, NARRATE_SERVER, buf, len);
	return len;
}
