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
}

int
relay_open(struct relay *r, int a, int b)
{
	net_set_nonblocking(a, 1);
	net_set_nonblocking(b, 1);
	if (pump_chan_open(&r->ab, a, b, PUMP_BINARY) < 0)
		return -1;
	if (pump_chan_open(&r->ba, b, a, PUMP_BINARY) < 0) {
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

/* Moves what one direction can move now; -1 on an error. */
static int
step_direction(struct relay *r, struct pump_chan *c, int *done)
{
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
			break;
		case PUMP_STEP_ERROR:
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
	close(r->a);
	close(r->b);
	relay_init(r);
}
