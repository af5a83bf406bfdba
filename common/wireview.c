/* wireview.c - a connection's narration and capture; see wireview.h. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "err.h"
#include "net.h"
#include "privfile.h"
#include "sockq.h"
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
    int data, enum narrate_leg leg, enum narrate_side connector,
    const struct hostport *client, const struct hostport *server)
{
	struct timespec t = now();
	int client_connected = connector == NARRATE_CLIENT;

	memset(w, 0, sizeof *w);
	w->open = 1;
	w->connector = connector;
	narrate_tcp_open(&w->tcp, id, data, leg, connector, client, server);
	w->flow.session = id;	/* for a keeper of each session's packets */
	w->flow.data = data;
	if (pf != NULL && pcap_flow_open(&w->flow, pf,
	    client_connected ? client : server,
	    client_connected ? server : client, &t) == 0)
		w->pf = pf;
}

/* The bytes (a count only, with bytes NULL) that from sent: narrated and
 * captured. */
static void
show_bytes(struct wireview *w, enum narrate_side from, const void *bytes,
    size_t len)
{
	struct timespec t;

	narrate_tcp_sent(&w->tcp, from, len);
	if (w->pf == NULL || bytes == NULL)
		return;
	t = now();
	(void)pcap_flow_data(&w->flow, pcap_side(w, from), bytes, len, &t);
}

static void
drop_held(struct wireview *w)
{
	free(w->held_bytes);
	w->held_bytes = NULL;
	w->held = w->held_cap = 0;
}

static void
show_end(struct wireview *w, enum narrate_side who, int rst)
{
	struct timespec t;

	if (rst)
		narrate_tcp_rst(&w->tcp, who);
	else
		narrate_tcp_fin(&w->tcp, who);
	if (w->tcp.ended)
		drop_held(w);
	if (w->pf == NULL)
		return;
	t = now();
	(void)pcap_flow_close(&w->flow, pcap_side(w, who), rst, &t);
}

/* Nothing more is known of the connection: nothing more is shown. */
static void
stop(struct wireview *w)
{
	w->stopped = 1;
	drop_held(w);
}

void
wireview_attach(struct wireview *w, int fd, enum narrate_side me)
{
	/* no way to ask the kernel what it sent: not attached */
	if (!w->open || !sockq_can_count(fd))
		return;
	w->attached = 1;
	w->fd = fd;
	w->me = me;
}

/* Bytes held for a capture grow past WIREVIEW_HELD_FEW: from now on the
 * kernel keeps few unsent.  Not at attach: most connections never hold
 * that many, and the call would cost each of them a system call. */
static void
bound_unsent(struct wireview *w)
{
	int lowat = WIREVIEW_UNSENT_MAX;

	if (w->pf == NULL || w->bounded || w->held <= WIREVIEW_HELD_FEW)
		return;
	w->bounded = 1;
	(void)setsockopt(w->fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat,
	    sizeof lowat);
}

/* What me wrote and the kernel has sent since the last look is shown,
 * and its FIN once sent (after a shutdown).  Returns what is still
 * unsent, the FIN counted as one byte, or -1 when the kernel cannot say
 * (the view then stops). */
static long
show_sent(struct wireview *w)
{
	int unsent;
	size_t data_unsent, n;

	/* nothing held and no FIN waiting (or it was seen sent: nothing can
	 * follow it): nothing unsent, without asking */
	if (!w->attached || w->stopped || (w->held == 0 && (!w->fin_queued ||
	    w->tcp.fin[w->me])))
		return 0;
	unsent = sockq_unsent(w->fd);
	if (unsent < 0) {
		stop(w);
		return -1;
	}
	/* a FIN queued behind the data is counted as one byte of it */
	data_unsent = (size_t)unsent - (w->fin_queued && unsent > 0);
	n = w->held > data_unsent ? w->held - data_unsent : 0;
	if (n > 0) {
		show_bytes(w, w->me, w->held_bytes, n);
		w->held -= n;
		if (w->held_bytes != NULL)
			memmove(w->held_bytes, w->held_bytes + n, w->held);
	}
	if (w->fin_queued && unsent == 0 && !w->tcp.fin[w->me])
		show_end(w, w->me, 0);
	return unsent;
}

/* len bytes me wrote, held until the kernel sends them. */
static void
hold(struct wireview *w, const void *bytes, size_t len)
{
	if (w->pf != NULL && bytes != NULL && w->held + len > w->held_cap) {
		size_t cap = 2 * (w->held + len);
		char *p = realloc(w->held_bytes, cap);

		if (p == NULL) {	/* the bytes cannot be shown honestly */
			stop(w);
			return;
		}
		w->held_bytes = p;
		w->held_cap = cap;
	}
	if (w->held_bytes != NULL && bytes != NULL)
		memcpy(w->held_bytes + w->held, bytes, len);
	w->held += len;
	(void)show_sent(w);
	bound_unsent(w);
}

static int
showing(const struct wireview *w)
{
	return w->open && !w->tcp.ended && !w->stopped;
}

void
wireview_bytes(struct wireview *w, enum narrate_side from, const void *bytes,
    size_t len)
{
	if (!showing(w) || len == 0)
		return;
	if (w->attached && from == w->me) {
		hold(w, bytes, len);
		return;
	}
	(void)show_sent(w);	/* what went out before these came */
	show_bytes(w, from, bytes, len);
}

static void
end(struct wireview *w, enum narrate_side who, int rst)
{
	long unsent = show_sent(w);

	if (!showing(w) || (!rst && w->tcp.fin[who]))
		return;
	if (w->attached && rst) {
		drop_held(w);	/* never sent: a RST discards it */
	} else if (w->attached && who == w->me && unsent != 0) {
		/* me's FIN waits behind unsent bytes: if it goes, and when,
		 * is not known */
		stop(w);
		return;
	}
	show_end(w, who, rst);
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

/* The most wireview_resetting reads: bounded, though a peer keeps
 * sending. */
#define RESET_READ_MAX (16 << 20)

void
wireview_resetting(struct wireview *w, int fd, enum narrate_side me)
{
	enum narrate_side other = me == NARRATE_CLIENT ? NARRATE_SERVER :
	    NARRATE_CLIENT;
	struct linger now = { 1, 0 };
	char buf[16384];
	size_t total = 0;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
	if (!showing(w))
		return;
	while (total < RESET_READ_MAX &&
	    ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0 ||
	    (n < 0 && errno == EINTR))) {
		if (n > 0) {
			wireview_bytes(w, other, buf, (size_t)n);
			total += (size_t)n;
		}
	}
	if (total >= RESET_READ_MAX)
		stop(w);	/* more came than was read: not known */
	wireview_rst(w, me);
}

/* A read's end of file on fd is the other side's FIN, unless fd's own
 * reading side was shut (ftp-labd wakes its sessions so when it stops):
 * then the kernel's TCP state says which, where it can. */
static int
eof_is_fin(int fd)
{
	return sockq_eof_is_fin(fd) != 0;
}

/* The other side's end of file (or reset) on fd, awaited up to wait_ms,
 * its bytes read and dropped.  A look is taken even with wait_ms 0: a
 * reset already there is seen.  The wait comes before the first read:
 * the caller has just looked (end_pending), and the FIN mostly comes
 * later (in bench/web-bench a first read found nothing 3 times in 4).
 * Not seen in time: see wireview.h. */
static void
await_fin(struct wireview *w, int fd, enum narrate_side who, int wait_ms)
{
	long long deadline = net_now_ms() + wait_ms;
	char sink[4096];
	ssize_t n = -1;
	int left = wait_ms;

	for (;;) {
		/* after bytes, read on at once: more may be there */
		if (n <= 0 && net_wait(fd, POLLIN, left) != 1)
			break;
		n = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
		if (n < 0 && errno == ECONNRESET) {
			wireview_rst(w, who);
			return;
		}
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			break;
		if ((left = net_ms_left(deadline)) == 0)
			break;
	}
	if ((n == 0 && eof_is_fin(fd)) || !w->attached)
		wireview_fin(w, who);
	else
		(void)show_sent(w);
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
	return n == 0 && eof_is_fin(fd);
}

void
wireview_closing(struct wireview *w, int fd, enum narrate_side me,
    int wait_ms)
{
	enum narrate_side other = me == NARRATE_CLIENT ? NARRATE_SERVER :
	    NARRATE_CLIENT;
	int pending;

	if (!showing(w))
		return;
	pending = w->tcp.fin[other] ? 0 : end_pending(fd);
	if (pending < 0) {
		wireview_rst(w, other);
		return;
	}
	if (pending)	/* it came first */
		wireview_fin(w, other);
	if (!w->tcp.fin[me]) {
		shutdown(fd, SHUT_WR);
		if (w->attached) {
			w->fin_queued = 1;
			(void)show_sent(w);
		} else {
			wireview_fin(w, me);
		}
	}
	if (showing(w) && !w->tcp.fin[other])
		await_fin(w, fd, other, wait_ms);
	if (showing(w) && !w->tcp.fin[me])
		wireview_fin(w, me);
	if (showing(w) && !w->tcp.fin[other])
		stop(w);	/* its FIN not seen: not known */
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
	fd = privfile_open("--pcap", path, O_TRUNC);
	if (pcap_open(&capture, fd) < 0)
		die_errno(EXIT_CANTCREAT, "--pcap %s", path);
	privfile_seal(fd, "--pcap", path);	/* once written: see privfile.h */
	return &capture;
}

void
wireview_pcap_end(struct pcap_file *pf)
{
	if (pf != NULL && pcap_close(pf) < 0)
		die_errno(EXIT_IOERR, "--pcap: the capture is incomplete");
}
