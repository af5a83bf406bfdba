/* session.c - one client's session: connect to the server, then relay
 * the control channel line by line in both directions, rewriting the
 * lines that name a data address (ALG), until either side leaves.
 *
 * The client's lines are read as a server reads them: through the
 * Telnet filter, then common/command (ftp-labd's own reader).  A line
 * that some server would take for PORT, EPRT, PASV, EPSV or AUTH where
 * ftp-labd does not is refused (the tap cannot tell what the server
 * will do); every PORT and EPRT is checked (common/bounce) and goes on
 * only as the tap's own line.  What goes on is the line without its
 * Telnet commands, ended by CRLF, so every server reads the line the
 * tap checked.  A command line longer than the cap is not relayed (the
 * tap answers 500 itself), nor one that does not end within
 * --idle-timeout however it trickles in (421).
 *
 * The server's lines end at CRLF only, as servers send them: a bare LF
 * inside a reply (a path echoed back) cannot start a line.  Each
 * command sent on waits in s->pending for its final reply, so a reply
 * is read as the answer to the command that asked for it: a 227 or 229
 * only for the PASV or EPSV it answers, a 234 only for an AUTH.  A
 * longer reply line is relayed in pieces, unread.  After AUTH is
 * accepted (234) the control channel is TLS, and the tap relays its
 * bytes without reading them.
 *
 * While a data connection is expected or open, the 226 that ends a
 * transfer is held until the data connection has closed (must_hold()
 * says which replies): the client then gets the data's end before the
 * reply, and the narration tells it in that order.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bounce.h"
#include "net.h"
#include "serve.h"
#include "tap.h"

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
 * command it answers), narrated like the server's.  It may quote the
 * client's bytes: they are narrated through narrate_quoting, and a CR
 * or LF among them cannot end the reply early. */
static int
tap_reply(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
tap_reply(struct session *s, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	int n, i;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof text - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n > sizeof text - 3)
		n = (int)sizeof text - 3;
	for (i = 0; i < n; i++)
		if (text[i] == '\r' || text[i] == '\n')
			text[i] = '?';
	memcpy(text + n, "\r\n", 3);
	narrate_own_reply(s->id, text, (size_t)n, " (from the tap)");
	return send_client(s, text, (size_t)n + 2);
}

/* ---- the commands waiting for their replies ---- */

static int
pending_full(const struct session *s)
{
	return s->pending_count == TAP_PENDING;
}

static void
pending_push(struct session *s, enum cmd_watch w)
{
	unsigned i = (s->pending_first + s->pending_count) % TAP_PENDING;

	s->pending[i] = (unsigned char)w;
	s->pending_count++;
}

/* A final reply has come: the command it answers (NONE for the greeting
 * or a reply nobody asked for). */
static enum cmd_watch
pending_pop(struct session *s)
{
	enum cmd_watch w;

	if (!s->greeted) {
		s->greeted = 1;		/* the 220 answers no command */
		return CMD_WATCH_NONE;
	}
	if (s->pending_count == 0)
		return CMD_WATCH_NONE;
	w = (enum cmd_watch)s->pending[s->pending_first];
	s->pending_first = (s->pending_first + 1) % TAP_PENDING;
	s->pending_count--;
	return w;
}

/* The client's next line may be read: there is room to remember it, and
 * no AUTH waits for its reply (after a 234 the client's bytes are TLS,
 * not lines). */
static int
client_may_send(const struct session *s)
{
	unsigned i = (s->pending_first + s->pending_count + TAP_PENDING - 1) %
	    TAP_PENDING;

	return !pending_full(s) && !(s->pending_count > 0 &&
	    s->pending[i] == CMD_WATCH_AUTH);
}

/* ---- the client's commands ---- */

/* A line goes on to the server as it was read: Telnet commands removed
 * (a data byte 255 doubled again), ended by CRLF.  If Telnet IP or Synch
 * came before it (RFC 959 4.1.3: before ABOR), they go first, the
 * Synch urgent: a server such as vsftpd hears ABOR during a transfer
 * only so. */
static int
send_line_to_server(struct session *s, const char *line, size_t len,
    enum cmd_watch w)
{
	static const char interrupt[] = "\xff\xf4\xff\xf2";
	char out[2 * TAP_LINE_CAP + 2];
	unsigned marks = s->tn.interrupts + s->tn.synchs;
	size_t n = telnet_escape(line, line_chomp(line, len), out,
	    sizeof out - 2);

	if (marks != s->tn_marks) {
		s->tn_marks = marks;
		narrate_printf(s->id, "telnet: IP and Synch before this "
		    "command (RFC 959 4.1.3): sent on to the server, urgent");
		if (telnet_send_interrupt(s->sfd) < 0)
			return -1;
		wireview_bytes(&s->swire, NARRATE_CLIENT, interrupt, 4);
	}
	memcpy(out + n, "\r\n", 2);
	pending_push(s, w);
	return send_server(s, out, n + 2);
}

/* --ladder: the data lane of the tap's data port ends once no data
 * connection is expected or open. */
static void
end_lane(struct session *s)
{
	if (s->lane_open)
		narrate_relay_lane_end(s->id);
	s->lane_open = 0;
}

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
	end_lane(s);
	narrate_relay_lane(s->id, kind == ALG_227 ? "PASV" : kind == ALG_229 ?
	    "EPSV" : kind == ALG_PORT ? "PORT" : "EPRT", &mine);
	s->lane_open = 1;
	n = alg_format(kind, &mine, out, sizeof out);
	narrate_rewrite(s->id, dir, line, len, out, (size_t)n);
	if (for_client)
		return send_client(s, out, (size_t)n);
	pending_push(s, kind == ALG_PORT ? CMD_WATCH_PORT : CMD_WATCH_EPRT);
	return send_server(s, out, (size_t)n);
}

/* The check of RFC 2577 on a PORT or EPRT (common/bounce): 0 if it may
 * go on; else the refusal is narrated and answered, and 1 (or -1 when
 * the client is gone). */
static int
refused_bounce(struct session *s, const struct hostport *target,
    const char *line, size_t len)
{
	enum bounce_verdict v = bounce_check(target, s->client.host);
	struct bounce_words w;

	if (v == BOUNCE_OK)
		return 0;
	narrate_command(s->id, line, len);
	bounce_words(v, target, s->client.host, "500 Refused by ftp-tap", NULL,
	    &w);
	narrate_data_refuse(s->id, w.who, w.why);
	return tap_reply(s, "%s", w.reply) < 0 ? -1 : 1;
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

/* PORT or EPRT: read, checked, then (ALG) a port of the tap's on the
 * server's side in its place, or (--no-alg) the line as it came. */
static int
active_line(struct session *s, enum cmd_watch w, const char *line,
    size_t len)
{
	struct hostport target;
	enum alg_kind kind;
	char why[HP_WHYLEN];
	int r = alg_parse_command(line, len, &kind, &target, why, sizeof why);

	if (r < 0) {
		narrate_command(s->id, line, len);
		narrate_data_bad_command(s->id, cmd_watch_name(w), why);
		return tap_reply(s, "501 Bad %s argument: %s (ftp-tap).",
		    cmd_watch_name(w), why);
	}
	if ((r = refused_bounce(s, &target, line, len)) != 0)
		return r < 0 ? -1 : 0;
	if (cfg.alg) {
		s->d.target = target;
		return send_rewritten(s, 0, kind, line, len);
	}
	narrate_command(s->id, line, len);
	explain_no_alg_active(s, &target);
	return send_line_to_server(s, line, len, w);
}

/* A line some server would read as one of the five verbs that ftp-labd
 * does not: the tap cannot know what the server will do with it. */
static int
refuse_unclear(struct session *s, const char *line, size_t len)
{
	narrate_command(s->id, line, len);
	narrate_printf(s->id, "tap: refused: a server could read this line as "
	    "PORT, EPRT, PASV, EPSV or AUTH, written in a way ftp-labd would "
	    "not (a control byte, a tab, leading space, quotes or a "
	    "non-ASCII letter in the verb), so the tap cannot check it");
	return tap_reply(s, "500 Refused by ftp-tap: a command the tap cannot "
	    "read as every server would (write the verb in ASCII letters, "
	    "then one space).");
}

static int
client_line(struct session *s, const char *line, size_t len)
{
	struct command c;
	enum cmd_watch w = cmd_watch(line, len, &c);

	if (w == CMD_WATCH_UNCLEAR)
		return refuse_unclear(s, line, len);
	if (w == CMD_WATCH_PORT || w == CMD_WATCH_EPRT)
		return active_line(s, w, line, len);
	narrate_command(s->id, line, len);
	data_command(s, line, len);
	return send_line_to_server(s, line, len, w);
}

/* The Telnet filter refuses the options the client offers (as ftp-labd
 * does); its refusals go out here. */
static int
send_telnet_refusals(struct session *s)
{
	size_t n = s->tn.reply_len;

	s->tn.reply_len = 0;
	return n > 0 ? send_client(s, (const char *)s->tn.reply, n) : 0;
}

/* The client's bytes as they came (--wire, --pcap), then without their
 * Telnet commands: the linebuf filter of the client's leg. */
static size_t
client_filter(void *ctx, char *buf, size_t len)
{
	struct session *s = ctx;

	if (watching())
		seen_from_client(s, buf, len);
	if (len > 0)
		s->client_began = 1;
	return telnet_filter(&s->tn, (unsigned char *)buf, len);
}

/* A line begun must end within --idle-timeout, however it trickles in
 * (as ftp-labd's lb_getline wait): the deadline runs from the first byte
 * after the last whole line until the next line's end is read.  Bytes
 * that start no line count too (Telnet commands, the pieces of a line
 * over the cap): else a client sending IAC NOP once a second, or an
 * endless line, would hold its session for ever.  A whole line that
 * waits for the tap (for a reply first) stops the clock. */
static void
update_line_deadline(struct session *s)
{
	size_t n = lb_pending(&s->clb);

	if (n > 0 && memchr(s->clb.buf + s->clb.start, '\n', n) != NULL) {
		s->line_deadline = 0;
		return;
	}
	if (n > 0)
		s->client_began = 1;
	if (!s->client_began)
		s->line_deadline = 0;
	else if (s->line_deadline == 0)
		s->line_deadline = net_now_ms() + cfg.idle_timeout * 1000LL;
}

/* A whole line has been taken: the clock of the next one starts with
 * its first byte. */
static void
line_taken(struct session *s)
{
	s->client_began = 0;
	s->line_deadline = 0;
}

/* Every whole line the client has sent, while it may send; -1 when the
 * session must end. */
static int
client_lines(struct session *s)
{
	const char *line;
	size_t len;
	int partial;

	while (client_may_send(s) && lb_next(&s->clb, &line, &len, &partial)) {
		if (partial) {
			s->client_overlong = 1;
			continue;
		}
		line_taken(s);
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
	update_line_deadline(s);
	return 0;
}

/* ---- the server's replies ---- */

/* A data address from the server must be a port of 1024 or more, not
 * one of the tap's own: else the tap would connect to a system service
 * (or to itself) and hand the client what answers there.  0 if it may
 * be used; else refused towards the client (425), 1 (-1: client gone). */
static int
refused_data_address(struct session *s, enum alg_kind kind,
    const struct hostport *t, const char *line, size_t len)
{
	char who[HP_HOSTLEN + 16];
	const char *why;

	if (t->port >= 1024 && !data_own_port(s, t))
		return 0;
	why = t->port < 1024 ? "a system port below 1024" : "a port of "
	    "ftp-tap's own";
	narrate_withheld(s->id, line, len);
	snprintf(who, sizeof who, "%s port %u", t->host, t->port);
	narrate_data_refuse(s->id, who, why);
	return tap_reply(s, "425 Refused by ftp-tap: the server's %s names "
	    "%s port %u, %s; the tap does not connect there.",
	    alg_kind_name(kind), t->host, t->port, why) < 0 ? -1 : 1;
}

/* A 227 or 229 through the ALG: the tap connects to the port it names,
 * on the server's address (a 229 names none; a 227 that names another
 * host is not followed, unless --fix-pasv says to use the server's). */
static int
rewrite_passive(struct session *s, enum alg_kind kind,
    const struct hostport *where, const char *line, size_t len)
{
	int r;

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
	if ((r = refused_data_address(s, kind, &s->d.target, line, len)) != 0)
		return r < 0 ? -1 : 0;
	if (kind == ALG_227 && s->client_end.family != AF_INET) {
		/* relayed, it would send the client past the tap */
		narrate_withheld(s->id, line, len);
		narrate_printf(s->id, "data: a 227 cannot name this IPv6 tap: "
		    "refused");
		return tap_reply(s, "425 Refused by ftp-tap: a 227 cannot name "
		    "this IPv6 address (use EPSV).");
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

/* The control channel becomes TLS after the 234 that accepts AUTH.  A
 * client starts TLS only once it has the 234 (RFC 4217): bytes it sent
 * after AUTH and before the 234 were read as Telnet and would go on
 * unchecked, so the session ends instead.  The server's bytes already
 * read go on first, unread. */
static int
start_tls(struct session *s)
{
	if (lb_pending(&s->clb) > 0) {
		narrate_printf(s->id, "tls: the client sent %zu bytes after "
		    "AUTH before the server's 234: neither TLS nor commands "
		    "the tap can check; closing", lb_pending(&s->clb));
		return -1;
	}
	narrate_printf(s->id, "tls: TLS from here on: nothing more can be "
	    "seen or rewritten");
	if (send_client(s, s->slb.buf + s->slb.start, lb_pending(&s->slb)) < 0)
		return -1;
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

/* A one-line final reply that names a data address or accepts AUTH,
 * read as the answer to asked, the command it answers. */
static int
final_reply(struct session *s, enum cmd_watch asked, const char *line,
    size_t len)
{
	struct hostport where;
	enum alg_kind kind;
	char why[HP_WHYLEN];
	int r;

	if (s->rp.code == 234 && asked == CMD_WATCH_AUTH) {
		narrate_reply(s->id, line, len);
		if (send_client(s, line, len) < 0)
			return -1;
		return start_tls(s);
	}
	r = alg_parse_reply(line, len, &kind, &where, why, sizeof why);
	if (r != 0 && asked != (kind == ALG_227 ? CMD_WATCH_PASV :
	    CMD_WATCH_EPSV)) {
		narrate_wire(s->id, "<", line, len);
		narrate_printf(s->id, "data: this %s answers no %s: relayed "
		    "unchanged, not followed", alg_kind_name(kind),
		    kind == ALG_227 ? "PASV" : "EPSV");
		return send_client(s, line, len);
	}
	if (r == 1 && kind == ALG_227)
		check_227_address(s, &where);
	if (r == 1 && cfg.alg)
		return rewrite_passive(s, kind, &where, line, len);
	if (r < 0 && cfg.alg) {
		/* a client may read an address in it all the same (curl
		 * and ftplib search the line for six numbers) and connect
		 * past the tap */
		narrate_withheld(s->id, line, len);
		narrate_data_bad_reply(s->id, alg_kind_name(kind), why,
		    "refused");
		return tap_reply(s, "425 Refused by ftp-tap: the server's %s "
		    "cannot be read: %s.", alg_kind_name(kind), why);
	}
	narrate_wire(s->id, "<", line, len);
	if (r == 1)
		explain_no_alg_passive(s, kind, &where);
	if (r < 0)
		narrate_data_bad_reply(s->id, alg_kind_name(kind), why,
		    "relayed unchanged");
	if (s->rp.code == 234)
		narrate_printf(s->id, "tls: this 234 answers no AUTH: the "
		    "tap goes on reading the control channel");
	return send_client(s, line, len);
}

/* The command the next final reply answers, without taking it. */
static enum cmd_watch
pending_next(const struct session *s)
{
	if (!s->greeted || s->pending_count == 0)
		return CMD_WATCH_NONE;
	return (enum cmd_watch)s->pending[s->pending_first];
}

/* Decided at a reply's first line: the code the tap answers in its
 * place, or 0 if its lines go on.  The server's 2xx after a cut transfer
 * cannot be a success (426); a 227 or 229 of several lines to the
 * pending PASV or EPSV cannot be rewritten, and its earlier lines would
 * reach the client before the tap could read the address (425). */
static int
replacement_for(struct session *s, enum reply_step step)
{
	int code = s->rp.code;

	if (s->in_transfer && reply_class(code) != 1 &&
	    data_cut_reply(s, code))
		return 426;
	if (step == REPLY_MORE && cfg.alg &&
	    ((code == 227 && pending_next(s) == CMD_WATCH_PASV) ||
	    (code == 229 && pending_next(s) == CMD_WATCH_EPSV)))
		return 425;
	return 0;
}

/* A line of a reply the tap replaces: narrated, not sent on; at its
 * last line, the tap's own reply. */
static int
replaced_line(struct session *s, enum reply_step step, const char *line,
    size_t len)
{
	int code = s->replacing;

	narrate_withheld(s->id, line, len);
	if (step != REPLY_DONE)
		return 0;
	s->replacing = 0;
	s->in_transfer = 0;
	pending_pop(s);
	if (code == 426) {
		narrate_printf(s->id, "data: the data connection was reset or "
		    "cut: the server's %d does not go on", s->rp.code);
		return tap_reply(s, "426 Transfer failed: the data connection "
		    "was reset or cut (ftp-tap).");
	}
	narrate_printf(s->id, "data: a %d of several lines: the tap rewrites "
	    "only a one-line %d; refused", s->rp.code, s->rp.code);
	return tap_reply(s, "425 Refused by ftp-tap: the server's %d came in "
	    "several lines, which the tap cannot rewrite.", s->rp.code);
}

static int
server_line(struct session *s, const char *line, size_t len)
{
	int starts = !s->rp.in_multiline;
	enum reply_step step = reply_feed(&s->rp, line, len);
	enum cmd_watch asked;

	if (starts && step != REPLY_BAD)
		s->replacing = replacement_for(s, step);
	if (s->replacing)
		return replaced_line(s, step, line, len);
	if (step != REPLY_DONE) {
		narrate_wire(s->id, "<", line, len);
		return send_client(s, line, len);
	}
	s->in_transfer = reply_class(s->rp.code) == 1;
	if (s->in_transfer) {		/* preliminary: the final one follows */
		narrate_wire(s->id, "<", line, len);
		return send_client(s, line, len);
	}
	asked = pending_pop(s);
	if (s->rp.code == 221)
		s->goodbye = 1;
	if (!starts) {			/* the end of a multi-line reply */
		narrate_wire(s->id, "<", line, len);
		return send_client(s, line, len);
	}
	return final_reply(s, asked, line, len);
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
 * session must end.  Lines end at CRLF only (connect_server). */
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

struct session *
session_new(int fd, const struct hostport *peer, unsigned id)
{
	struct session *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->id = id;
	s->cfd = fd;
	s->sfd = -1;
	s->client = *peer;
	net_local(fd, &s->client_end);
	/* Telnet's urgent DM (before ABOR) stays in the stream, relayed */
	net_setup_control(fd, cfg.idle_timeout * 1000);
	lb_init(&s->clb, fd, TAP_LINE_CAP);
	reply_init(&s->rp);
	relay_init(&s->ctl);
	data_init(&s->d);
	return s;
}

/* The last thing a session thread does. */
void
session_end(struct session *s)
{
	free(s);
	serve_leave();
}

static int
connect_server(struct session *s)
{
	struct net_error e;

	narrate_connect(s->id, &s->client, &s->client_end);
	watch_leg(s, &s->cwire, s->cfd, 0, 0, NARRATE_CLIENT);
	telnet_init(&s->tn);
	s->clb.filter = client_filter;
	s->clb.filter_ctx = s;
	s->sfd = net_connect(cfg.server, cfg.server_port, AF_UNSPEC, NULL,
	    cfg.data_timeout * 1000, &e);
	if (s->sfd < 0) {
		narrate_printf(s->id, "server: %s", e.msg);
		tap_reply(s, "421 ftp-tap cannot reach the server: %s.", e.msg);
		return -1;
	}
	net_peer(s->sfd, &s->server);
	net_local(s->sfd, &s->server_end);
	net_setup_control(s->sfd, cfg.idle_timeout * 1000);
	lb_init(&s->slb, s->sfd, TAP_LINE_CAP);
	s->slb.crlf_only = 1;
	if (watching()) {
		s->slb.filter = seen_from_server;
		s->slb.filter_ctx = s;
	}
	narrate_onward(s->id, &s->server, &s->server_end);
	watch_leg(s, &s->swire, s->sfd, 0, 1, NARRATE_CLIENT);
	return 0;
}

/* One read from the client's control connection, then its lines.  At
 * end of file the lines read so far still go on; then -1. */
static int
read_client(struct session *s)
{
	ssize_t n = lb_fill(&s->clb);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (send_telnet_refusals(s) < 0 || client_lines(s) < 0)
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

/* The poll timeout: the nearest of the idle, the line's and the data
 * deadlines. */
static int
next_timeout(const struct session *s)
{
	int idle = net_ms_left(s->idle_deadline), data = data_timeout_ms(s);

	if (s->line_deadline != 0 && net_ms_left(s->line_deadline) < idle)
		idle = net_ms_left(s->line_deadline);
	return data >= 0 && data < idle ? data : idle;
}

/* A command line begun and not ended in time: 421, as ftp-labd. */
static int
line_timed_out(struct session *s)
{
	if (s->line_deadline == 0 || net_ms_left(s->line_deadline) > 0)
		return 0;
	narrate_printf(s->id, "the client began a command line and did not "
	    "end it within %d seconds; 421 to the client", cfg.idle_timeout);
	tap_reply(s, "421 Timeout (%d seconds) reading a command line: "
	    "closing control connection.", cfg.idle_timeout);
	return 1;
}

enum { P_STOP, P_CLIENT, P_SERVER, P_LISTEN, P_MAX = 8 };

/* One round: poll, then serve what is ready.  -1 when the session ends. */
static int
relay_round(struct session *s)
{
	struct pollfd pfd[P_MAX];
	int idx[P_LISTEN + 1], n = 0, r, i, first_relay, relay_ready = 0;

	for (i = 0; i <= P_LISTEN; i++)
		idx[i] = -1;
	pfd[idx[P_STOP] = n++] = (struct pollfd){ serve_stop_fd(), POLLIN, 0 };
	if (s->tls) {
		n += relay_pollfds(&s->ctl, pfd + n);
	} else {
		if (client_may_send(s))
			pfd[idx[P_CLIENT] = n++] =
			    (struct pollfd){ s->cfd, POLLIN, 0 };
		if (!s->holding && !s->server_eof)
			pfd[idx[P_SERVER] = n++] =
			    (struct pollfd){ s->sfd, POLLIN, 0 };
	}
	if (s->d.listen_fd >= 0)
		pfd[idx[P_LISTEN] = n++] =
		    (struct pollfd){ s->d.listen_fd, POLLIN, 0 };
	first_relay = n;
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
	for (i = first_relay; i < n; i++)
		relay_ready |= pfd[i].revents != 0;
	data_check(s, relay_ready);
	if (s->lane_open && !data_busy(s))
		end_lane(s);
	if (s->holding && !data_busy(s) && server_lines(s) < 0)
		return -1;
	if (server_gone(s) < 0 || line_timed_out(s))
		return -1;
	if (!s->tls && client_lines(s) < 0)	/* lines that waited for a reply */
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
