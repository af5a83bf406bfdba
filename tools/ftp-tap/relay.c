/* relay.c - two sockets joined both ways through common/pump (read and
 * write with 1 MiB buffers: between two sockets that measured faster
 * than splice through a pipe, see pump.c).  When one direction ends, the
 * other side is told with a half-close, as the end that stopped sending
 * meant it.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "tap.h"

/* Steps per direction per wake-up: enough to fill a socket buffer, few
 * enough that the other direction and the control channel get a turn. */
#define RELAY_BURST 16

void
relay_init(struct relay *r)
{
	r->a = r->b = -1;
	r->wa = r->wb = NULL;
}

/* The pump's observer: the bytes as they crossed each socket. */
static void
seen(void *ctx, int written, const char *bytes, size_t len)
{
	struct relay_seen *p = ctx;

	wireview_bytes(written ? p->out : p->in, p->from, bytes, len);
}

/* One direction, watched or not (the pump takes read/write between two
 * sockets either way, so watching costs no fast path). */
static int
open_direction(struct pump_chan *c, int in, int out, struct relay_seen *p)
{
	if (p->in == NULL)
		return pump_chan_open(c, in, out, PUMP_BINARY);
	return pump_chan_open_observed(c, in, out, PUMP_BINARY, seen, p);
}

int
relay_open(struct relay *r, int a, int b, struct wireview *wa,
    struct wireview *wb)
{
	r->wa = wa;
	r->wb = wb;
	r->seen_ab = (struct relay_seen){ wa, wb, NARRATE_CLIENT };
	r->seen_ba = (struct relay_seen){ wb, wa, NARRATE_SERVER };
	net_set_nonblocking(a, 1);
	net_set_nonblocking(b, 1);
	if (open_direction(&r->ab, a, b, &r->seen_ab) < 0)
		return -1;
	if (open_direction(&r->ba, b, a, &r->seen_ba) < 0) {
		pump_chan_close(&r->ab);
		return -1;
	}
	r->a = a;
	r->b = b;
	r->ab_done = r->ba_done = r->one_way = 0;
	r->last_move = net_now_ms();
	return 0;
}

/* The descriptors the two directions wait for; returns how many. */
int
relay_pollfds(const struct relay *r, struct pollfd *pfd)
{
	int n = 0;

	if (r->a < 0)
		return 0;
	if (!r->ab_done)
		pump_chan_pollfd(&r->ab, &pfd[n++]);
	if (!r->ba_done)
		pump_chan_pollfd(&r->ba, &pfd[n++]);
	return n;
}

/* A direction ended: its sender's FIN, then the tap's on the other
 * socket. */
static void
seen_end(const struct relay_seen *p)
{
	if (p->in == NULL)
		return;
	wireview_fin(p->in, p->from);
	wireview_fin(p->out, p->from);
}

/* A direction failed: a reset read from its sender, or a write that
 * found the receiver gone (its RST came back: EPIPE, ECONNRESET). */
static void
seen_reset(const struct relay_seen *p, const struct pump_chan *c)
{
	enum narrate_side to = p->from == NARRATE_CLIENT ? NARRATE_SERVER :
	    NARRATE_CLIENT;

	if (p->in == NULL || (c->err != ECONNRESET && c->err != EPIPE))
		return;
	if (c->write_failed)
		wireview_rst(p->out, to);
	else
		wireview_rst(p->in, p->from);
}

/* Moves what one direction can move now; -1 on an error. */
static int
step_direction(struct relay *r, struct pump_chan *c, int *done)
{
	struct relay_seen *p = c == &r->ab ? &r->seen_ab : &r->seen_ba;
	int i;

	for (i = 0; i < RELAY_BURST && !*done; i++) {
		switch (pump_chan_step(c)) {
		case PUMP_STEP_MOVED:
			r->last_move = net_now_ms();
			break;
		case PUMP_STEP_WAIT:
			return 0;
		case PUMP_STEP_EOF:
			*done = 1;
			shutdown(c->out, SHUT_WR);
			seen_end(p);
			break;
		case PUMP_STEP_ERROR:
			seen_reset(p, c);
			return -1;
		}
	}
	return 0;
}

enum relay_state
relay_step(struct relay *r)
{
	if (r->a < 0)
		return RELAY_DONE;
	if (step_direction(r, &r->ab, &r->ab_done) < 0 ||
	    step_direction(r, &r->ba, &r->ba_done) < 0)
		return RELAY_FAILED;
	if (r->one_way ? r->ab_done || r->ba_done : r->ab_done && r->ba_done)
		return RELAY_DONE;
	return RELAY_GOING;
}

void
relay_close(struct relay *r)
{
	if (r->a < 0)
		return;
	pump_chan_close(&r->ab);
	pump_chan_close(&r->ba);
	/* the tap closes both, in FIN order; waiting for a FIN here would
	 * hold up the control channel, whose reply the client may await */
	if (r->wa != NULL) {
		wireview_closing(r->wa, r->a, NARRATE_SERVER, 0);
		wireview_closing(r->wb, r->b, NARRATE_CLIENT, 0);
	}
	close(r->a);
	close(r->b);
	relay_init(r);
}
