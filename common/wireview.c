/* wireview.c - a connection's narration and capture; see wireview.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "err.h"
#include "net.h"
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

/* The other side's end of file (or reset) on fd, awaited up to wait_ms,
 * its bytes read and dropped.  One read is tried even with wait_ms 0:
 * a reset already there is seen. */
static void
await_fin(struct wireview *w, int fd, enum narrate_side who, int wait_ms)
{
	long long deadline = net_now_ms() + wait_ms;
	char sink[4096];
	ssize_t n;
	int left;

	do {
		n = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
		if (n < 0 && errno == ECONNRESET) {
			wireview_rst(w, who);
			return;
		}
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			break;
		left = net_ms_left(deadline);
	} while (left > 0 && (n > 0 || net_wait(fd, POLLIN, left) == 1));
	wireview_fin(w, who);
}

/* What the other side sent last, unread: 1 its FIN, -1 a reset, 0 no
 * sign of either (bytes before a FIN hide it).  A reset is reported
 * once only, so it must be narrated now. */
static int
end_pending(int fd)
{
	char byte;
	ssize_t n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n < 0 && errno == ECONNRESET)
		return -1;
	return n == 0;
}

void
wireview_closing(struct wireview *w, int fd, enum narrate_side me,
    int wait_ms)
{
	enum narrate_side other = me == NARRATE_CLIENT ? NARRATE_SERVER :
	    NARRATE_CLIENT;
	int pending;

	if (!w->open || w->tcp.ended)
		return;
	pending = w->tcp.fin[other] ? 0 : end_pending(fd);
	if (pending < 0) {
		wireview_rst(w, other);
		return;
	}
	if (pending && !w->tcp.fin[me]) {
		wireview_close(w, other);
		return;
	}
	if (!w->tcp.fin[me]) {
		shutdown(fd, SHUT_WR);
		wireview_fin(w, me);
	}
	if (!w->tcp.fin[other])
		await_fin(w, fd, other, wait_ms);
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

/* One capture per program: every session's connections go in it. */
static struct pcap_file capture;

struct pcap_file *
wireview_pcap_option(const char *path)
{
	int fd;

	if (path == NULL)
		return NULL;
	fd = narrate_open_private(AT_FDCWD, path, O_TRUNC);
	if (fd < 0 || pcap_open(&capture, fd) < 0)
		die_errno(EXIT_CANTCREAT, "--pcap %s", path);
	return &capture;
}

void
wireview_pcap_end(struct pcap_file *pf)
{
	if (pf != NULL && pcap_close(pf) < 0)
		die_errno(EXIT_IOERR, "--pcap: the capture is incomplete");
}
