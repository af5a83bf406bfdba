/* wireview.c - a connection's narration and capture; see wireview.h. */
#include <string.h>
#include <time.h>

#include "wireview.h"

/* The capture's side of a narration side. */
static enum pcap_side
pcap_side(const struct wireview *w, enum narrate_side side)
{
	return side == w->connector ? PCAP_CONNECTOR : PCAP_ACCEPTOR;
}

static struct timespec
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);	/* a capture's real time */
	return t;
}

void
wireview_open(struct wireview *w, struct pcap_file *pf, unsigned id,
    int data, enum narrate_side connector, const struct hostport *client,
    const struct hostport *server)
{
	struct timespec t = now();
	int client_connected = connector == NARRATE_CLIENT;

	memset(w, 0, sizeof *w);
	w->open = 1;
	w->connector = connector;
	narrate_tcp_open(&w->tcp, id, data, connector, client, server);
	if (pf != NULL && pcap_flow_open(&w->flow, pf,
	    client_connected ? client : server,
	    client_connected ? server : client, &t) == 0)
		w->pf = pf;
}

void
wireview_bytes(struct wireview *w, enum narrate_side from, const void *bytes,
    size_t len)
{
	struct timespec t;

	if (!w->open || w->tcp.ended || len == 0)
		return;
	narrate_tcp_sent(&w->tcp, from, len);
	if (w->pf == NULL)
		return;
	t = now();
	(void)pcap_flow_data(&w->flow, pcap_side(w, from), bytes, len, &t);
}

static void
end(struct wireview *w, enum narrate_side who, int rst)
{
	struct timespec t;

	if (!w->open || w->tcp.ended || (!rst && w->tcp.fin[who]))
		return;
	if (rst)
		narrate_tcp_rst(&w->tcp, who);
	else
		narrate_tcp_fin(&w->tcp, who);
	if (w->pf == NULL)
		return;
	t = now();
	(void)pcap_flow_close(&w->flow, pcap_side(w, who), rst, &t);
}

void
wireview_fin(struct wireview *w, enum narrate_side who)
{
	end(w, who, 0);
}

void
wireview_rst(struct wireview *w, enum narrate_side who)
{
	end(w, who, 1);
}

void
wireview_close(struct wireview *w, enum narrate_side first)
{
	end(w, first, 0);
	end(w, first == NARRATE_CLIENT ? NARRATE_SERVER : NARRATE_CLIENT, 0);
}

void
wireview_observe(void *ctx, int written, const char *bytes, size_t len)
{
	struct wireview_pump *p = ctx;

	/* the wire's bytes: what the server wrote to it, or read from it */
	if (written == p->sending)
		wireview_bytes(p->w, p->sending ? NARRATE_SERVER :
		    NARRATE_CLIENT, bytes, len);
}
