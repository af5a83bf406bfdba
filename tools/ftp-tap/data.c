/* data.c - the data connection through the tap.
 *
 * Passive (227, 229): the tap listens on its side facing the client and
 * has told the client that port; when the client connects, the tap
 * connects to the server's real data port and joins the two.
 * Active (PORT, EPRT): the tap listens on its side facing the server;
 * when the server connects, the tap connects to the client's real port.
 *
 * Only the expected end may connect (the client's address, or the
 * server's): any other connection is refused and narrated, and the real
 * peer can still come until the data timeout (no connection theft
 * through the tap).  The tap connects only to the two ends it relays
 * between: a 227 that names a third host is not followed unless
 * --fix-pasv sends the connection to the server's own address.
 *
 * How a data connection ends is passed on as it happened (relay.c): a
 * FIN as a FIN, a reset as a reset.  The relay lasts until the sender of
 * the data (the transfer command says who) has ended, so a receiver's
 * early half-close does not end the transfer.  No progress for the data
 * timeout is the tap's own cut, a reset both ways.  A transfer whose
 * data connection was reset or cut cannot have succeeded: the server's
 * 2xx for it does not reach the client (data_cut_reply).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alg.h"
#include "dataconn.h"
#include "net.h"
#include "tap.h"

void
data_init(struct data *d)
{
	d->listen_fd = -1;
	d->until = RELAY_UNTIL_BOTH;
	d->cut = 0;
	relay_init(&d->r);
}

static void
stop_listening(struct data *d)
{
	if (d->listen_fd >= 0) {
		ownports_remove(&d->own);
		close(d->listen_fd);
	}
	d->listen_fd = -1;
}

/* Listens on the tap's end of the client's control connection (passive)
 * or of the server's (active); the port chosen goes in *where.  The
 * caller has set d.target, the port the tap will connect to.  -1 after
 * narrating why. */
int
data_listen(struct session *s, int for_client, struct hostport *where)
{
	struct data *d = &s->d;
	const struct hostport *end = for_client ? &s->client_end :
	    &s->server_end;
	struct net_error e;

	stop_listening(d);
	d->listen_fd = net_listen(end->host, "0", end->family, 1, &e);
	if (d->listen_fd < 0 || net_local(d->listen_fd, where) < 0) {
		narrate_printf(s->id, "data: cannot listen: %s",
		    d->listen_fd < 0 ? e.msg : strerror(errno));
		stop_listening(d);
		return -1;
	}
	ownports_add(&d->own, where);
	d->for_client = for_client;
	d->until = RELAY_UNTIL_BOTH;	/* until the transfer command */
	snprintf(d->expect, sizeof d->expect, "%s", for_client ?
	    s->client.host : s->server.host);
	d->deadline = net_now_ms() + cfg.data_timeout * 1000LL;
	narrate_printf(s->id, "data: listening on %s port %u for the %s; the "
	    "%s's data port is %s port %u", where->host, where->port,
	    for_client ? "client" : "server", for_client ? "server" : "client",
	    d->target.host, d->target.port);
	return 0;
}

/* A port of the tap's own: one it listens on, for any session (its
 * control port, its web view, another session's data port), or its end
 * of this session's connection to the server.  A server's 227 or 229
 * must never send the tap there: it would join its own connection to a
 * client, another session's client perhaps (ftp-tap(1), SECURITY). */
int
data_own_port(const struct session *s, const struct hostport *t)
{
	return ownports_has(t) || (t->port == s->server_end.port &&
	    hp_same_host(t->host, s->server_end.host));
}

/* Connects to the other end for the connection just accepted.  The
 * target was checked when its reply came; it is checked again here, as
 * a port can have begun to listen since. */
static int
connect_target(struct session *s)
{
	const struct hostport *t = &s->d.target;
	char who[HP_HOSTLEN + 16];

	if (data_own_port(s, t)) {
		snprintf(who, sizeof who, "%s port %u", t->host, t->port);
		narrate_data_refuse(s->id, who, "a port of ftp-tap's own");
		return -1;
	}

	if (s->d.refuse_target) {
		narrate_printf(s->id, "data: refused to connect to %s port %u: "
		    "not the server's address %s (a client that followed this "
		    "227 fails here too; --fix-pasv)", t->host, t->port,
		    s->server.host);
		return -1;
	}
	return dataconn_connect(s->id, t, cfg.data_timeout * 1000);
}

/* The connection that came cannot be joined to the other end: it is
 * reset, not closed (a FIN would be an empty file, whole), and the
 * transfer counts as cut. */
static void
cannot_relay(struct session *s, int fd)
{
	narrate_printf(s->id, "data: the %s's data connection is reset: "
	    "the transfer cannot go on", s->d.for_client ? "client" :
	    "server");
	relay_reset(fd);
	s->d.cut = 1;
}

/* A connection on the data port: the expected end's is joined to a new
 * connection to the other end; anyone else's is refused. */
void
data_accept(struct session *s)
{
	struct data *d = &s->d;
	enum narrate_side connector;
	int fd, other, a, b;

	/* the expected end's, or a thief's: "data: refused 127.0.0.2:40000:
	 * not the client's address 127.0.0.1 (connection theft)" */
	fd = dataconn_accept(s->id, d->listen_fd, d->expect,
	    d->for_client ? "client" : "server", NULL, NULL);
	if (fd < 0)
		return;
	stop_listening(d);	/* one connection per PASV or PORT */
	if ((other = connect_target(s)) < 0) {
		cannot_relay(s, fd);
		return;
	}
	if (d->r.a >= 0) {
		narrate_printf(s->id, "data: a new data connection replaces "
		    "the open one, which the tap resets");
		relay_cut(&d->r);
		relay_close(&d->r);
	}
	/* a is the client's leg, b the server's; whoever came in called
	 * connect, and the tap called it on the other leg too */
	a = d->for_client ? fd : other;
	b = d->for_client ? other : fd;
	connector = d->for_client ? NARRATE_CLIENT : NARRATE_SERVER;
	/* in the order they were made: the one that came in first */
	watch_leg(s, d->for_client ? &d->wa : &d->wb, fd, 1, !d->for_client,
	    connector);
	watch_leg(s, d->for_client ? &d->wb : &d->wa, other, 1,
	    d->for_client, connector);
	if (relay_open(&d->r, a, b, watching() ? &d->wa : NULL,
	    watching() ? &d->wb : NULL) < 0) {
		narrate_printf(s->id, "data: %s", strerror(errno));
		close(other);
		cannot_relay(s, fd);
		return;
	}
	/* FTP's stream mode: the sender closes at the end of the data */
	d->r.until = d->until;
	d->cut = 0;
}

/* The transfer commands and who sends their data. */
static const struct {
	const char *verb;
	enum relay_until until;
} transfers[] = {
	{ "RETR", RELAY_UNTIL_BA }, { "LIST", RELAY_UNTIL_BA },
	{ "NLST", RELAY_UNTIL_BA }, { "MLSD", RELAY_UNTIL_BA },
	{ "STOR", RELAY_UNTIL_AB }, { "STOU", RELAY_UNTIL_AB },
	{ "APPE", RELAY_UNTIL_AB },
};

/* A command on its way to the server: a transfer command names the
 * sender of the data connection, open (passive: the client connects
 * first) or to come (active). */
void
data_command(struct session *s, const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof transfers / sizeof transfers[0]; i++)
		if (alg_is_command(line, len, transfers[i].verb)) {
			s->d.until = transfers[i].until;
			if (s->d.r.a >= 0)
				s->d.r.until = s->d.until;
		}
}

/* The final reply code to a transfer command: nonzero when it is a 2xx
 * for a transfer whose data connection was reset or cut (the caller
 * tells the client so instead).  The transfer is over either way. */
int
data_cut_reply(struct session *s, int code)
{
	int cut = s->d.cut && code / 100 == 2;

	s->d.cut = 0;
	return cut;
}

int
data_relaying(const struct session *s)
{
	return s->d.r.a >= 0;
}

/* A data connection is on its way or open: the tap listens for it, or
 * relays it. */
int
data_busy(const struct session *s)
{
	return s->d.listen_fd >= 0 || data_relaying(s);
}

/* Milliseconds until the nearer data deadline (a relay's stall trim
 * among them), or -1 for none. */
int
data_timeout_ms(const struct session *s)
{
	const struct data *d = &s->d;
	int left = -1;

	if (d->listen_fd >= 0)
		left = net_ms_left(d->deadline);
	if (d->r.a >= 0) {
		int stall = net_ms_left(d->r.last_move +
		    cfg.data_timeout * 1000LL);
		int trim = relay_trim_ms(&d->r);

		if (left < 0 || stall < left)
			left = stall;
		if (trim >= 0 && trim < left)
			left = trim;
	}
	return left;
}

static void
narrate_end(struct session *s, const char *how)
{
	narrate_printf(s->id, "data: %llu bytes to the client, %llu bytes to "
	    "the server, %s", (unsigned long long)s->d.r.ba.bytes_out,
	    (unsigned long long)s->d.r.ab.bytes_out, how);
}

/* The relay is over; the next data connection starts with no sender
 * known until its command. */
static void
end_relay(struct session *s)
{
	if (s->d.r.broken)
		s->d.cut = 1;
	relay_close(&s->d.r);
	s->d.until = RELAY_UNTIL_BOTH;
}

/* Who failed, and how: "reset by the server (Connection reset by
 * peer)".  A failed read is its sender's; a failed write, its
 * receiver's. */
static void
narrate_failure(struct session *s)
{
	const struct pump_chan *c = s->d.r.ab.err ? &s->d.r.ab : &s->d.r.ba;
	int by_client = (c == &s->d.r.ab) != c->write_failed;
	char how[160];

	snprintf(how, sizeof how, "cut off by the %s (%s): the tap resets "
	    "the %s's leg too", by_client ? "client" : "server",
	    strerror(c->err), by_client ? "server" : "client");
	narrate_end(s, how);
}

/* Moves the data that can move, and ends what is finished or overdue.
 * The relay moves only when poll saw one of its descriptors ready (or
 * its idle buffers are due back): the server's control lines that were
 * ready at the same poll are read first, so a 150 the server sent before
 * its data is never passed on after that data. */
void
data_check(struct session *s, int ready)
{
	struct data *d = &s->d;
	enum relay_state state = RELAY_GOING;
	char how[160];

	if (d->listen_fd >= 0 && net_ms_left(d->deadline) == 0) {
		narrate_printf(s->id, "data: no connection within %d seconds",
		    cfg.data_timeout);
		stop_listening(d);
	}
	if (d->r.a < 0)
		return;
	if (ready || relay_trim_ms(&d->r) == 0)
		state = relay_step(&d->r);
	switch (state) {
	case RELAY_GOING:
		if (net_ms_left(d->r.last_move +
		    cfg.data_timeout * 1000LL) > 0)
			return;
		snprintf(how, sizeof how, "no progress for %d seconds: the "
		    "tap cuts it off, a reset to both", cfg.data_timeout);
		narrate_end(s, how);
		relay_cut(&d->r);
		break;
	case RELAY_DONE:
		narrate_end(s, "closed");
		break;
	case RELAY_FAILED:
		narrate_failure(s);
		break;
	}
	end_relay(s);
}

/* The session ends: a data connection still open is cut (the server
 * must not take its end for the end of the data). */
void
data_close(struct session *s)
{
	stop_listening(&s->d);
	if (s->d.r.a >= 0) {
		narrate_end(s, "cut off with the session, a reset to both");
		relay_cut(&s->d.r);
		end_relay(s);
	}
}
