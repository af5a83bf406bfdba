/* session.c - one client's session: connect to the server, then relay
 * the control channel line by line in both directions, rewriting the
 * lines that name a data address (ALG), until either side leaves.
 *
 * Lines are read with the bounded reader: a command line longer than the
 * cap is not relayed (the tap answers 500 itself: a cut PORT line could
 * slip past the checks); a longer reply line is relayed in pieces,
 * unread.  After AUTH is accepted (234) the control channel is TLS, and
 * the tap relays its bytes without reading them.
 *
 * While a data connection is expected or open, the 226 that ends a
 * transfer is held until the data connection has closed (must_hold()
 * says which replies): the client then gets the data's end before the
 * reply, and the narration tells it in that order.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "serve.h"
#include "tap.h"
#include "trace.h"

#define SHOWN_MAX 256		/* a line as the narration shows it */

int
send_client(struct session *s, const char *text, size_t len)
{
	if (net_write_all(s->cfd, text, len, cfg.idle_timeout * 1000) < 0)
		return -1;
	wireview_bytes(&s->cwire, NARRATE_SERVER, text, len);
	return 0;
}

int
send_server(struct session *s, const char *text, size_t len)
{
	if (net_write_all(s->sfd, text, len, cfg.idle_timeout * 1000) < 0)
		return -1;
	wireview_bytes(&s->swire, NARRATE_CLIENT, text, len);
	return 0;
}

/* A reply of the tap's own to the client (the server never sees the
 * command it answers), narrated like the server's. */
static int
tap_reply(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
tap_reply(struct session *s, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof text - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n > sizeof text - 3)
		n = (int)sizeof text - 3;
	memcpy(text + n, "\r\n", 3);
	narrate_printf(s->id, "< %.*s (from the tap)", n, text);
	return send_client(s, text, (size_t)n + 2);
}

/* "> PORT 127,0,0,1,200,10 => PORT 127,0,0,1,156,3": what came and what
 * went on, side by side. */
static void
narrate_rewrite(struct session *s, const char *dir, const char *was,
    size_t was_len, const char *now, size_t now_len)
{
	char a[SHOWN_MAX], b[SHOWN_MAX];

	trace_escape(was, was_len, a, sizeof a);
	trace_escape(now, now_len, b, sizeof b);
	narrate_printf(s->id, "%s %s => %s", dir, a, b);
}

/* ---- the client's commands ---- */

/* The ALG's step: listen for the data connection (passive: for the
 * client; active: for the server), and send on, in place of line, a
 * line of the same kind that names the tap's port. */
static int
send_rewritten(struct session *s, int for_client, enum alg_kind kind,
    const char *line, size_t len)
{
	const char *dir = for_client ? "<" : ">";
	struct hostport mine;
	char out[ALG_LINE_MAX];
	int n;

	if (data_listen(s, for_client, &mine) < 0) {
		narrate_wire(s->id, dir, line, len);
		return tap_reply(s, "425 ftp-tap cannot open a data port.");
	}
	if (kind == ALG_PORT && mine.family != AF_INET)
		kind = ALG_EPRT;	/* PORT cannot carry IPv6 */
	n = alg_format(kind, &mine, out, sizeof out);
	narrate_rewrite(s, dir, line, len, out, (size_t)n);
	return for_client ? send_client(s, out, (size_t)n) :
	    send_server(s, out, (size_t)n);
}

/* The checks of RFC 2577 on a PORT or EPRT: the client's own address
 * and no system port (no bounce through the tap).  0 if it may go on;
 * else the refusal is narrated and answered, and 1 (or -1 when the
 * client is gone). */
static int
refused_bounce(struct session *s, const struct hostport *target,
    const char *line, size_t len)
{
	char who[HP_HOSTLEN + 16], why[128];
	int other_host = !hp_same_host(target->host, s->client.host);

	if (!other_host && target->port >= 1024)
		return 0;
	narrate_command(s->id, line, len);
	snprintf(who, sizeof who, "%s port %u", target->host, target->port);
	if (other_host)
		snprintf(why, sizeof why, "not the client's address %s "
		    "(bounce attack)", s->client.host);
	else
		snprintf(why, sizeof why, "a privileged port");
	narrate_data_refuse(s->id, who, why);
	if (other_host)
		return tap_reply(s, "500 Refused by ftp-tap: %s is not your "
		    "address %s (bounce attack, RFC 2577).", target->host,
		    s->client.host) < 0 ? -1 : 1;
	return tap_reply(s, "500 Refused by ftp-tap: port %u is below 1024, "
	    "a system service (bounce attack, RFC 2577).", target->port) < 0 ?
	    -1 : 1;
}

/* PORT or EPRT through the ALG: checked, then a port of the tap's on the
 * server's side in its place. */
static int
rewrite_active(struct session *s, enum alg_kind kind,
    const struct hostport *target, const char *line, size_t len)
{
	int n;

	if ((n = refused_bounce(s, target, line, len)) != 0)
		return n < 0 ? -1 : 0;
	s->d.target = *target;
	return send_rewritten(s, 0, kind, line, len);
}

/* Without the ALG, PORT goes on as it came: say what that means. */
static void
explain_no_alg_active(struct session *s, const struct hostport *target)
{
	narrate_printf(s->id, "nat: --no-alg: the server will connect to %s "
	    "port %u itself, but it sees this session coming from %s; "
	    "behind a NAT without an FTP helper that address is private, "
	    "and active mode fails (the server refuses the PORT or cannot "
	    "reach it)",
	    target->host, target->port, s->server_end.host);
}

/* A client line goes on as it came; if it holds the byte the client
 * sent urgent (the DM of Telnet's Synch before ABOR, RFC 959 4.1.3),
 * that byte goes on urgent too: a server such as vsftpd hears ABOR
 * during a transfer only so.  s->client_used is where line starts in the
 * client's stream. */
static int
send_line_to_server(struct session *s, const char *line, size_t len)
{
	size_t k;

	if (s->urgent_at < s->client_used ||
	    s->urgent_at >= s->client_used + len)
		return send_server(s, line, len);
	k = (size_t)(s->urgent_at - s->client_used);
	s->urgent_at = UINT64_MAX;
	if (send_server(s, line, k) < 0 ||
	    send(s->sfd, line + k, 1, MSG_OOB) != 1)
		return -1;
	wireview_bytes(&s->swire, NARRATE_CLIENT, line + k, 1);
	return send_server(s, line + k + 1, len - k - 1);
}

static int
client_line(struct session *s, const char *line, size_t len)
{
	struct hostport target;
	enum alg_kind kind;
	char why[HP_WHYLEN];
	int r;

	if (alg_is_command(line, len, "AUTH"))
		s->auth_sent = 1;
	r = alg_parse_command(line, len, &kind, &target, why, sizeof why);
	if (r == 1 && cfg.alg)
		return rewrite_active(s, kind, &target, line, len);
	narrate_command(s->id, line, len);
	if (r == 1)
		explain_no_alg_active(s, &target);
	if (r < 0 && cfg.alg) {
		narrate_printf(s->id, "data: cannot read the %s argument: %s",
		    alg_kind_name(kind), why);
		return tap_reply(s, "501 Bad %s argument: %s (ftp-tap).",
		    alg_kind_name(kind), why);
	}
	data_command(s, line, len);
	return send_line_to_server(s, line, len);
}

/* Every whole line the client has sent; -1 when the session must end. */
static int
client_lines(struct session *s)
{
	const char *line;
	size_t len;
	int partial;

	for (; lb_next(&s->clb, &line, &len, &partial); s->client_used += len) {
		if (partial) {
			s->client_overlong = 1;
			continue;
		}
		if (s->client_overlong) {
			s->client_overlong = 0;
			narrate_printf(s->id, "> (a command line over %d "
			    "bytes)", TAP_LINE_CAP);
			if (tap_reply(s, "500 Command line too long (the "
			    "limit is %d bytes).", TAP_LINE_CAP) < 0)
				return -1;
			continue;
		}
		if (client_line(s, line, len) < 0)
			return -1;
	}
	return 0;
}

/* ---- the server's replies ---- */

/* A 227 or 229 through the ALG: the tap connects to the port it names,
 * on the server's address (a 229 names none; a 227 that names another
 * host is not followed, unless --fix-pasv says to use the server's). */
static int
rewrite_passive(struct session *s, enum alg_kind kind,
    const struct hostport *where, const char *line, size_t len)
{
	s->d.target = *where;
	s->d.refuse_target = 0;
	if (kind == ALG_229) {	/* a 229 names only a port */
		snprintf(s->d.target.host, HP_HOSTLEN, "%s", s->server.host);
		s->d.target.family = s->server.family;
	} else if (!hp_same_host(where->host, s->server.host)) {
		if (cfg.fix_pasv) {
			narrate_printf(s->id, "nat: --fix-pasv: the data "
			    "connection goes to the server's address %s "
			    "instead, as curl's --ftp-skip-pasv-ip does",
			    s->server.host);
			snprintf(s->d.target.host, HP_HOSTLEN, "%s",
			    s->server.host);
			s->d.target.family = s->server.family;
		} else {
			s->d.refuse_target = 1;
		}
	}
	if (kind == ALG_227 && s->client_end.family != AF_INET) {
		narrate_reply(s->id, line, len);
		narrate_printf(s->id, "data: a 227 cannot name this IPv6 tap: "
		    "relayed unchanged");
		return send_client(s, line, len);
	}
	return send_rewritten(s, 1, kind, line, len);
}

/* A 227 that names an address other than the server's: a server behind
 * a NAT advertises its private address, which no client outside can
 * reach.  Said with the ALG on or off. */
static void
check_227_address(struct session *s, const struct hostport *where)
{
	if (hp_same_host(where->host, s->server.host))
		return;
	if (hp_is_private(where->host))
		narrate_printf(s->id, "nat: the 227 names %s, a private "
		    "address, but the server is %s: it is behind a NAT and "
		    "does not know its public address (--fix-pasv, curl "
		    "--ftp-skip-pasv-ip)", where->host, s->server.host);
	else
		narrate_printf(s->id, "nat: the 227 names %s, not the server's "
		    "address %s", where->host, s->server.host);
}

static void
explain_no_alg_passive(struct session *s, enum alg_kind kind,
    const struct hostport *where)
{
	if (kind == ALG_229)
		narrate_printf(s->id, "nat: --no-alg: the client connects to "
		    "port %u of the address it reached the tap on (%s) by "
		    "itself; the tap sees nothing of that connection",
		    where->port, s->client_end.host);
	else
		narrate_printf(s->id, "nat: --no-alg: the client connects to "
		    "%s port %u by itself; that works only if it can reach "
		    "that address, and the tap sees nothing of the connection",
		    where->host, where->port);
}

/* The control channel becomes TLS after the 234 that accepts AUTH.  The
 * bytes already read on either side go on first, unread. */
static int
start_tls(struct session *s)
{
	narrate_printf(s->id, "tls: TLS from here on: nothing more can be "
	    "seen or rewritten");
	if (send_server(s, s->clb.buf + s->clb.start, lb_pending(&s->clb)) <
	    0 || send_client(s, s->slb.buf + s->slb.start,
	    lb_pending(&s->slb)) < 0)
		return -1;
	s->clb.start = s->clb.end;
	s->slb.start = s->slb.end;
	data_close(s);
	if (relay_open(&s->ctl, s->cfd, s->sfd, watching() ? &s->cwire :
	    NULL, watching() ? &s->swire : NULL) < 0) {
		narrate_printf(s->id, "tls: %s", strerror(errno));
		return -1;
	}
	s->tls = 1;
	return 0;
}

static int
server_line(struct session *s, const char *line, size_t len)
{
	struct hostport where;
	enum alg_kind kind;
	char why[HP_WHYLEN];
	int starts = !s->rp.in_multiline, r;

	if (reply_feed(&s->rp, line, len) != REPLY_DONE || !starts) {
		narrate_reply(s->id, line, len);
		return send_client(s, line, len);
	}
	if (s->in_transfer && reply_class(s->rp.code) != 1 &&
	    data_cut_reply(s, s->rp.code)) {
		s->in_transfer = 0;
		narrate_reply(s->id, line, len);
		narrate_printf(s->id, "data: the data connection was reset or "
		    "cut: the server's %d does not go on", s->rp.code);
		return tap_reply(s, "426 Transfer failed: the data connection "
		    "was reset or cut (ftp-tap).");
	}
	s->in_transfer = reply_class(s->rp.code) == 1;
	if (s->rp.code == 221)
		s->goodbye = 1;
	if (s->rp.code == 234 && s->auth_sent) {
		narrate_reply(s->id, line, len);
		if (send_client(s, line, len) < 0)
			return -1;
		return start_tls(s);
	}
	r = alg_parse_reply(line, len, &kind, &where, why, sizeof why);
	if (r == 1 && kind == ALG_227)
		check_227_address(s, &where);
	if (r == 1 && cfg.alg)
		return rewrite_passive(s, kind, &where, line, len);
	narrate_reply(s->id, line, len);
	if (r == 1)
		explain_no_alg_passive(s, kind, &where);
	if (r < 0)
		narrate_printf(s->id, "data: cannot read the address of the "
		    "%s (%s): relayed unchanged", alg_kind_name(kind), why);
	return send_client(s, line, len);
}

/* The reply that says a transfer is done (226 after 150) waits for the
 * data connection to close: the server closed its end, so the relay ends
 * once the client has read the rest.  In active mode the 226 can come
 * before the tap has even accepted the server's data connection (it
 * waits in the listening socket's queue): the reply waits for that
 * connection too, or for the data timeout.  Other replies go on at once:
 * a passive client connects before it sends RETR and waits for the
 * replies in between, and after ABOR it waits for the 426 before it
 * closes the data connection. */
static int
must_hold(struct session *s, const char *line, size_t len)
{
	return !s->rp.in_multiline && s->in_transfer && data_busy(s) &&
	    reply_class(reply_code_of(line, len)) == 2;
}

/* Every whole line the server has sent, unless one is held; -1 when the
 * session must end. */
static int
server_lines(struct session *s)
{
	const char *line;
	size_t len;
	int partial;

	if (s->holding && !data_busy(s)) {
		s->holding = 0;
		if (server_line(s, s->held, s->held_len) < 0)
			return -1;
	}
	while (!s->holding && !s->tls &&
	    lb_next(&s->slb, &line, &len, &partial)) {
		if (partial || s->server_overlong) {
			/* relayed unread; a piece cannot start a reply */
			if (!s->server_overlong)
				narrate_printf(s->id, "< (a reply line over "
				    "%d bytes, relayed unread)", TAP_LINE_CAP);
			s->server_overlong = partial;
			if (send_client(s, line, len) < 0)
				return -1;
			continue;
		}
		if (must_hold(s, line, len)) {
			memcpy(s->held, line, len);
			s->held_len = len;
			s->holding = 1;
			break;
		}
		if (server_line(s, line, len) < 0)
			return -1;
	}
	return 0;
}

/* ---- the session ---- */

static int
connect_server(struct session *s)
{
	struct net_error e;
	int one = 1;

	narrate_connect(s->id, &s->client, &s->client_end);
	watch_leg(s, &s->cwire, s->cfd, 0, 0, NARRATE_CLIENT);
	net_set_send_timeout(s->cfd, cfg.idle_timeout * 1000);
	s->sfd = net_connect(cfg.server, cfg.server_port, AF_UNSPEC, NULL,
	    cfg.data_timeout * 1000, &e);
	if (s->sfd < 0) {
		narrate_printf(s->id, "server: %s", e.msg);
		tap_reply(s, "421 ftp-tap cannot reach the server: %s.", e.msg);
		return -1;
	}
	net_peer(s->sfd, &s->server);
	net_local(s->sfd, &s->server_end);
	setsockopt(s->sfd, SOL_SOCKET, SO_OOBINLINE, &one, sizeof one);
	setsockopt(s->sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	net_set_send_timeout(s->sfd, cfg.idle_timeout * 1000);
	lb_init(&s->slb, s->sfd, TAP_LINE_CAP);
	if (watching()) {
		s->slb.filter = seen_from_server;
		s->slb.filter_ctx = s;
	}
	narrate_printf(s->id, "server: connected to %s port %u from %s port %u",
	    s->server.host, s->server.port, s->server_end.host,
	    s->server_end.port);
	watch_leg(s, &s->swire, s->sfd, 0, 1, NARRATE_CLIENT);
	return 0;
}

/* One read from a control connection, then its lines.  At end of file
 * the lines read so far still go on; then -1. */
static int
read_client(struct session *s)
{
	ssize_t n;

	/* a read stops before an urgent byte: at the mark, the next byte
	 * read is the one the client sent urgent */
	if (s->urgent_at == UINT64_MAX && sockatmark(s->cfd) == 1)
		s->urgent_at = s->client_read;
	n = lb_fill(&s->clb);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n > 0)
		s->client_read += (uint64_t)n;
	if (client_lines(s) < 0)
		return -1;
	if (n > 0)
		return 0;
	if (n == 0)
		wireview_fin(&s->cwire, NARRATE_CLIENT);
	else if (errno == ECONNRESET)
		wireview_rst(&s->cwire, NARRATE_CLIENT);
	narrate_printf(s->id, "client: %s", n == 0 ? "closed the control "
	    "connection" : strerror(errno));
	return -1;
}

/* At end of file the server's last lines still go on, but only once the
 * data connection has closed: see server_gone(). */
static int
read_server(struct session *s)
{
	ssize_t n = lb_fill(&s->slb);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		s->server_eof = 1;
		s->server_errno = n < 0 ? errno : 0;
		if (n == 0)
			wireview_fin(&s->swire, NARRATE_SERVER);
		else if (errno == ECONNRESET)
			wireview_rst(&s->swire, NARRATE_SERVER);
	}
	return server_lines(s);
}

/* The server has left and the data connection is done: its last lines,
 * then 421 unless it said goodbye.  Returns -1 then, else 0. */
static int
server_gone(struct session *s)
{
	if (!s->server_eof || data_relaying(s) || (s->holding && data_busy(s)))
		return 0;
	if (server_lines(s) < 0)
		return -1;
	if (s->goodbye) {
		narrate_printf(s->id, "server: closed the control connection");
		return -1;
	}
	narrate_printf(s->id, "server: %s; 421 to the client", s->server_errno ?
	    strerror(s->server_errno) : "closed the control connection");
	tap_reply(s, "421 Service not available: the server closed the "
	    "control connection.");
	return -1;
}

/* The opaque control relay after AUTH; -1 when it has ended. */
static int
step_tls(struct session *s)
{
	enum relay_state st = relay_step(&s->ctl);

	if (st == RELAY_GOING)
		return 0;
	narrate_printf(s->id, "tls: %llu bytes to the server, %llu bytes to "
	    "the client, %s", (unsigned long long)s->ctl.ab.bytes_out,
	    (unsigned long long)s->ctl.ba.bytes_out, st == RELAY_DONE ?
	    "closed" : "cut off");
	return -1;
}

/* The poll timeout: the nearer of the idle and the data deadlines. */
static int
next_timeout(const struct session *s)
{
	int idle = net_ms_left(s->idle_deadline), data = data_timeout_ms(s);

	return data >= 0 && data < idle ? data : idle;
}

enum { P_STOP, P_CLIENT, P_SERVER, P_LISTEN, P_MAX = 8 };

/* One round: poll, then serve what is ready.  -1 when the session ends. */
static int
relay_round(struct session *s)
{
	struct pollfd pfd[P_MAX];
	int idx[P_LISTEN + 1], n = 0, r, i;

	for (i = 0; i <= P_LISTEN; i++)
		idx[i] = -1;
	pfd[idx[P_STOP] = n++] = (struct pollfd){ serve_stop_fd(), POLLIN, 0 };
	if (s->tls) {
		n += relay_pollfds(&s->ctl, pfd + n);
	} else {
		pfd[idx[P_CLIENT] = n++] = (struct pollfd){ s->cfd, POLLIN, 0 };
		if (!s->holding && !s->server_eof)
			pfd[idx[P_SERVER] = n++] =
			    (struct pollfd){ s->sfd, POLLIN, 0 };
	}
	if (s->d.listen_fd >= 0)
		pfd[idx[P_LISTEN] = n++] =
		    (struct pollfd){ s->d.listen_fd, POLLIN, 0 };
	n += relay_pollfds(&s->d.r, pfd + n);
	r = poll(pfd, (nfds_t)n, next_timeout(s));
	if (r < 0 && errno != EINTR)
		return -1;
	if (pfd[idx[P_STOP]].revents) {
		narrate_printf(s->id, "the tap is stopping; 421 to the client");
		if (!s->tls)
			tap_reply(s, "421 ftp-tap is stopping; closing the "
			    "control connection.");
		return -1;
	}
	if (r > 0)
		s->idle_deadline = net_now_ms() + cfg.idle_timeout * 1000LL;
	if (idx[P_CLIENT] >= 0 && pfd[idx[P_CLIENT]].revents &&
	    read_client(s) < 0)
		return -1;
	if (idx[P_SERVER] >= 0 && pfd[idx[P_SERVER]].revents &&
	    read_server(s) < 0)
		return -1;
	if (s->tls && step_tls(s) < 0)
		return -1;
	if (idx[P_LISTEN] >= 0 && pfd[idx[P_LISTEN]].revents)
		data_accept(s);
	data_check(s);
	if (s->holding && !data_busy(s) && server_lines(s) < 0)
		return -1;
	if (server_gone(s) < 0)
		return -1;
	if (net_ms_left(s->idle_deadline) == 0) {
		narrate_printf(s->id, "idle for %d seconds; 421 to the client",
		    cfg.idle_timeout);
		if (!s->tls)
			tap_reply(s, "421 Timeout (%d seconds): closing "
			    "control connection.", cfg.idle_timeout);
		return -1;
	}
	return 0;
}

void *
session_main(void *arg)
{
	struct session *s = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* main handles them */
	if (connect_server(s) == 0) {
		s->idle_deadline = net_now_ms() + cfg.idle_timeout * 1000LL;
		while (relay_round(s) == 0)
			;
	}
	data_close(s);
	if (s->tls)
		relay_close(&s->ctl);	/* closes cfd and sfd */
	else {
		/* the tap closes both legs: in FIN order, for --wire (the
		 * session is over: it may wait for the other sides' FINs) */
		wireview_closing(&s->cwire, s->cfd, NARRATE_SERVER,
		    WIREVIEW_CLOSE_MS);
		close(s->cfd);
		if (s->sfd >= 0) {
			wireview_closing(&s->swire, s->sfd, NARRATE_CLIENT,
			    WIREVIEW_CLOSE_MS);
			close(s->sfd);
		}
	}
	narrate_close(s->id);
	session_end(s);
	return NULL;
}
