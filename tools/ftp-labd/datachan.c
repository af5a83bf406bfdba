/* datachan.c - the data channel: PASV, EPSV, PORT, EPRT, and opening the
 * connection when a transfer starts.
 *
 * Passive (PASV/EPSV): the server listens on a new port of the address the
 * client reached it on and says which; the client connects.  Only a
 * connection from the control connection's own address is accepted: any
 * other is refused and narrated (connection theft), and the real client can
 * still connect until the data timeout.
 * Active (PORT/EPRT): the client listens and the server connects.  Only
 * the client's own address and a port of 1024 or more are allowed, so the
 * server cannot be used to reach a third host or a system service (the
 * "bounce attack", RFC 2577).  EPRT with the unspecified address (:: or
 * 0.0.0.0, as lftp sends) means the client's own address.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bounce.h"
#include "dataconn.h"
#include "labd.h"
#include "net.h"

void
data_reset(struct session *s)
{
	ownports_remove(&s->pasv_own);
	if (s->pasv_fd >= 0)
		close(s->pasv_fd);
	s->pasv_fd = -1;
	s->port_set = 0;
}

int
data_prepared(struct session *s)
{
	return s->pasv_fd >= 0 || s->port_set;
}

/* Listens on our end's address, in --pasv-ports if given.  The port is
 * read back into *where.  -1 after replying 425. */
static int
pasv_listen(struct session *s, struct hostport *where)
{
	struct net_error e;
	struct hostport local = s->local;
	int fd;

	data_reset(s);
	if (cfg.pasv_lo != 0)
		fd = net_listen_range(&local, cfg.pasv_lo, cfg.pasv_hi, &e);
	else
		fd = net_listen(local.host, "0", local.family, 1, &e);
	if (fd >= 0 && net_local(fd, where) < 0) {
		snprintf(e.msg, sizeof e.msg, "getsockname: %s",
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		narrate_printf(s->id, "data: cannot listen: %s", e.msg);
		reply(s, 425, "Cannot open a passive port: %s.", e.msg);
		return -1;
	}
	s->pasv_fd = fd;
	ownports_add(&s->pasv_own, where);
	s->pasv_deadline = net_now_ms() + cfg.data_timeout * 1000LL;
	return 0;
}

/* Between commands: when the passive port, if any, will have waited
 * --data-timeout unused (net_now_ms() time); 0 when there is none. */
long long
data_deadline(const struct session *s)
{
	return s->pasv_fd >= 0 ? s->pasv_deadline : 0;
}

/* A passive port that no transfer used within --data-timeout is closed,
 * so idle clients cannot hold every port of --pasv-ports. */
void
data_expire(struct session *s)
{
	struct hostport where;
	char port[HP_HOSTLEN + 8];

	if (s->pasv_fd < 0 || net_ms_left(s->pasv_deadline) > 0)
		return;
	if (net_local(s->pasv_fd, &where) == 0 &&
	    hp_format(&where, HP_STYLE_COLON, port, sizeof port) == 0)
		narrate_printf(s->id, "data: passive port %s closed: no "
		    "transfer within %d seconds", port, cfg.data_timeout);
	data_reset(s);
}

/* After EPSV ALL (RFC 2428) the client promised to use only EPSV. */
static int
refused_after_epsv_all(struct session *s)
{
	if (!s->epsv_all)
		return 0;
	reply(s, 503, "EPSV ALL was given: only EPSV now.");
	return 1;
}

void
cmd_pasv(struct session *s, const char *arg)
{
	struct hostport where, adv;
	char six[64];

	(void)arg;
	if (refused_after_epsv_all(s))
		return;
	if (s->local.family != AF_INET) {
		reply(s, 522, "PASV is IPv4 only; use EPSV on IPv6.");
		return;
	}
	if (pasv_listen(s, &where) < 0)
		return;
	adv = where;
	if (cfg.pasv_address[0] != '\0')
		snprintf(adv.host, sizeof adv.host, "%s", cfg.pasv_address);
	hp_format_port_arg(&adv, six, sizeof six);
	narrate_data_listen(s->id, "PASV", &where);
	if (cfg.pasv_address[0] != '\0')
		narrate_printf(s->id, "data: PASV advertises %s "
		    "(--pasv-address)", adv.host);
	reply(s, 227, "Entering Passive Mode (%s).", six);
}

void
cmd_epsv(struct session *s, const char *arg)
{
	struct hostport where;
	const char *mine = s->local.family == AF_INET6 ? "2" : "1";

	if (strcasecmp(arg, "ALL") == 0) {
		s->epsv_all = 1;
		reply(s, 200, "EPSV ALL ok: PORT, EPRT and PASV now refused.");
		return;
	}
	if (arg[0] != '\0' && strcmp(arg, "1") != 0 && strcmp(arg, "2") != 0) {
		reply_syntax(s, "EPSV takes 1, 2, ALL or nothing.");
		return;
	}
	if (arg[0] != '\0' && strcmp(arg, mine) != 0) {
		reply(s, 522, "Network protocol not supported, use (%s)",
		    mine);
		return;
	}
	if (pasv_listen(s, &where) < 0)
		return;
	narrate_data_listen(s->id, "EPSV", &where);
	reply(s, 229, "Entering Extended Passive Mode (|||%u|)", where.port);
}

/* The checks of RFC 2577 for PORT and EPRT (common/bounce); 0 if target
 * may be used. */
static int
active_allowed(struct session *s, const struct hostport *target)
{
	enum bounce_verdict v = bounce_check(target, s->peer.host);
	struct bounce_words w;

	if (v == BOUNCE_OK)
		return 0;
	bounce_words(v, target, s->peer.host, "Refused", "the server", &w);
	narrate_data_refuse(s->id, w.who, w.why);
	reply(s, 500, "%s", w.reply);
	return -1;
}

/* --unsafe-allow-bounce: a third address (not a system port) goes
 * through, and the class sees where the check would have stopped it. */
static int
bounce_let_through(struct session *s, const struct hostport *target,
    const char *verb)
{
	if (!cfg.unsafe_bounce ||
	    bounce_check(target, s->peer.host) != BOUNCE_THIRD_HOST ||
	    target->port < 1024)
		return 0;
	narrate_printf(s->id, "data: UNSAFE: %s %s port %u allowed, not the "
	    "client's address %s (--unsafe-allow-bounce)", verb, target->host,
	    target->port, s->peer.host);
	return 1;
}

static void
set_active(struct session *s, const struct hostport *target,
    const char *verb)
{
	if (!bounce_let_through(s, target, verb) &&
	    active_allowed(s, target) < 0)
		return;
	data_reset(s);
	s->port_target = *target;
	s->port_set = 1;
	narrate_data_target(s->id, verb, target);
	reply(s, 200, "%s command successful. Consider using %s.", verb,
	    s->local.family == AF_INET6 ? "EPSV" : "PASV");
}

void
cmd_port(struct session *s, const char *arg)
{
	struct hostport target;
	char why[HP_WHYLEN];

	if (refused_after_epsv_all(s))
		return;
	if (hp_parse_port_arg(arg, strlen(arg), &target, why, sizeof why) < 0) {
		reply_syntax(s, "Bad PORT argument: %s.", why);
		return;
	}
	set_active(s, &target, "PORT");
}

void
cmd_eprt(struct session *s, const char *arg)
{
	struct hostport target;
	char why[HP_WHYLEN];

	if (refused_after_epsv_all(s))
		return;
	/* RFC 2428: an unknown address family gets 522 and the list */
	if (hp_eprt_unknown_family(arg, strlen(arg))) {
		reply(s, 522, "Network protocol not supported, use (1,2)");
		return;
	}
	if (hp_parse_eprt_arg(arg, strlen(arg), &target, why, sizeof why) < 0) {
		reply_syntax(s, "Bad EPRT argument: %s.", why);
		return;
	}
	/* lftp sends |2|::|port|: "wherever you see me".  The client's own
	 * address is the only one the bounce check would allow anyway. */
	if (hp_is_unspecified(target.host)) {
		narrate_printf(s->id, "data: EPRT %s means the client's "
		    "address %s",
		    target.host, s->peer.host);
		target.family = s->peer.family;
		memcpy(target.host, s->peer.host, sizeof target.host);
	}
	set_active(s, &target, "EPRT");
}

/* One pending connection on the passive port: the client's (returned),
 * or anyone else's (refused and narrated: -1). */
static int
accept_one(struct session *s)
{
	struct hostport peer;
	int fd = dataconn_accept(s->id, s->pasv_fd, s->peer.host, "client",
	    cfg.unsafe_pasv_theft ? "--unsafe-allow-pasv-theft" : NULL, &peer);

	/* the passive port listens on one address (pasv_listen): the
	 * connection's end is that address and port */
	if (fd >= 0)
		wire_data_open(s, fd, NARRATE_CLIENT, &peer, &s->pasv_own.at);
	else if (peer.port != 0)	/* a thief's, made and closed */
		wire_data_refused(s, s->pasv_fd, &peer);
	return fd;
}

/* Waits for the client's connection to the passive port, hearing ABOR
 * and STAT on the control connection meanwhile. */
static int
wait_passive(struct session *s, enum ctl_event *why)
{
	long long deadline = net_now_ms() + cfg.data_timeout * 1000LL;
	struct pollfd pfd = { .fd = s->pasv_fd, .events = POLLIN };
	enum ctl_event ev;
	int left, fd;

	while ((left = net_ms_left(deadline)) > 0) {
		ev = control_watch(s, &pfd, left);
		if (ev == CTL_READY && (fd = accept_one(s)) >= 0)
			return fd;
		if (ev == CTL_ABORT || ev == CTL_GONE) {
			*why = ev;
			return -1;
		}
		if (ev == CTL_STAT)
			reply(s, 213, "Status: waiting for the data "
			    "connection.");
	}
	narrate_printf(s->id, "data: no connection within %d seconds",
	    cfg.data_timeout);
	return -1;
}

/* The passive port serves one transfer, whether it came or not. */
static int
accept_passive(struct session *s, enum ctl_event *why)
{
	int fd = wait_passive(s, why);

	data_reset(s);
	return fd;
}

static int
connect_active(struct session *s)
{
	struct hostport t = s->port_target;
	int fd;

	data_reset(s);
	fd = dataconn_connect(s->id, &t, cfg.data_timeout * 1000);
	if (fd >= 0)
		wire_data_open(s, fd, NARRATE_SERVER, &t, NULL);
	return fd;
}

/* The data connection for a transfer, after 150 was sent; -1 on failure,
 * with *why CTL_ABORT or CTL_GONE when the control channel said so. */
int
data_open(struct session *s, enum ctl_event *why)
{
	*why = CTL_NOTHING;
	if (s->pasv_fd >= 0)
		return accept_passive(s, why);
	if (s->port_set)
		return connect_active(s);
	return -1;
}
