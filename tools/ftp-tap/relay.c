/* relay.c - two sockets joined both ways through common/pump.
 *
 * What one side did reaches the other as what it was.  A FIN (read
 * returned 0) is passed on as a FIN: shutdown(SHUT_WR) of the other
 * socket once the bytes before it are written, and the other direction
 * goes on.  A reset, or any other error on either socket, is passed on
 * as a reset: at the close both sockets are closed abortively (SO_LINGER
 * 0 sends RST), never with a FIN a receiver would take for the end of
 * the data.  The caller's cut (no progress) is a reset too.
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

/* A relay that moved nothing for this long is taken for stalled, and the
 * free pages of its copy buffers (4 MiB a direction, common/pump.c) go
 * back to the system: a stalled relay then holds in the tap's memory
 * only the bytes it could not write yet (bench/tap-stall).  Long enough
 * that a flowing relay does not pay the page faults of refilling them. */
#define RELAY_TRIM_MS 250

void
relay_init(struct relay *r)
{
	r->a = r->b = -1;
	r->wa = r->wb = NULL;
	r->until = RELAY_UNTIL_BOTH;
	r->broken = 0;
}

/* The pump's observer: the bytes as they crossed each socket. */
static void
seen(void *ctx, int written, const char *bytes, size_t len)
{
	struct relay_seen *p = ctx;

	wireview_bytes(written ? p->out : p->in, p->from, bytes, len);
}

/* One direction, watched or not (watched, the bytes must pass through
 * user space: the pump takes read/write). */
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
	r->ab_done = r->ba_done = r->broken = 0;
	r->until = RELAY_UNTIL_BOTH;
	r->last_move = net_now_ms();
	r->trimmed = 0;
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
			r->trimmed = 0;
			break;
		case PUMP_STEP_WAIT:
			return 0;
		case PUMP_STEP_EOF:
			/* the FIN goes on; the other direction may still
			 * carry bytes (a half-close is not the end) */
			*done = 1;
			r->last_move = net_now_ms();
			shutdown(c->out, SHUT_WR);
			seen_end(p);
			break;
		case PUMP_STEP_ERROR:
			seen_reset(p, c);
			r->broken = 1;
			return -1;
		}
	}
	return 0;
}

static int
finished(const struct relay *r)
{
	switch (r->until) {
	case RELAY_UNTIL_AB:
		return r->ab_done;
	case RELAY_UNTIL_BA:
		return r->ba_done;
	default:
		return r->ab_done && r->ba_done;
	}
}

enum relay_state
relay_step(struct relay *r)
{
	if (r->a < 0)
		return RELAY_DONE;
	if (step_direction(r, &r->ab, &r->ab_done) < 0 ||
	    step_direction(r, &r->ba, &r->ba_done) < 0)
		return RELAY_FAILED;
	if (!r->trimmed && relay_trim_ms(r) == 0) {
		pump_chan_trim(&r->ab);
		pump_chan_trim(&r->ba);
		r->trimmed = 1;
	}
	return finished(r) ? RELAY_DONE : RELAY_GOING;
}

/* Milliseconds until relay_step takes the relay for stalled and trims
 * it, or -1 (closed, or trimmed already): a poll timeout. */
int
relay_trim_ms(const struct relay *r)
{
	if (r->a < 0 || r->trimmed)
		return -1;
	return net_ms_left(r->last_move + RELAY_TRIM_MS);
}

/* The tap gives up on the relay: relay_close resets both sides. */
void
relay_cut(struct relay *r)
{
	r->broken = 1;
}

/* An abortive close: RST, not FIN, and the bytes still queued are
 * dropped.  The view shows the tap's RST unless that leg's peer reset
 * first (then nothing more crosses it). */
void
relay_reset(int fd)
{
	struct linger now = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
	close(fd);
}

/* The tap resets its end of a leg.  A RST its peer sent first that the
 * relay had not yet read (the session ended before: a killed client) is
 * the one the leg carried: the view shows that one, not the tap's, which
 * then crosses nothing. */
static void
reset_close(int fd, struct wireview *w, enum narrate_side me)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (w != NULL) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
		    err == ECONNRESET)
			wireview_rst(w, me == NARRATE_CLIENT ? NARRATE_SERVER :
			    NARRATE_CLIENT);
		wireview_rst(w, me);	/* nothing, once reset */
	}
	relay_reset(fd);
}

void
relay_close(struct relay *r)
{
	if (r->a < 0)
		return;
	pump_chan_close(&r->ab);
	pump_chan_close(&r->ba);
	if (r->broken) {
		reset_close(r->a, r->wa, NARRATE_SERVER);
		reset_close(r->b, r->wb, NARRATE_CLIENT);
		relay_init(r);
		return;
	}
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
