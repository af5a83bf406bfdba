/* narrate.c - the narration lines; see narrate.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "ladder.h"
#include "line.h"
#include "narrate.h"
#include "privfile.h"
#include "trace.h"

static int narrate_fd = -1;	/* set once by narrate_start */
static int narrate_flags;

/* The wire view and the ladder: at the end of this file. */
static void start_modes(void);
static int in_ladder(void);
static void note_in_ladder(unsigned id, const char *fmt, va_list ap);
static void wire_line(unsigned id, const char *dir, const char *line,
    size_t len);
static void draw_listen(unsigned id, const char *verb,
    const struct hostport *where);
static void draw_connected(unsigned id, const struct hostport *to,
    const struct hostport *from);
static void draw_data_end(unsigned id, const char *verb, uint64_t bytes);

void
narrate_start(int fd, int flags)
{
	narrate_fd = fd;
	narrate_flags = flags;
	trace_start();
	start_modes();
}

int
narrate_log_fd(const char *path, int quiet)
{
	int fd;

	if (path == NULL)
		return quiet ? -1 : 2;
	fd = privfile_open("--log", path, O_APPEND);
	privfile_seal(fd, "--log", path);
	return fd;
}

/* ---- for a classroom: who is speaking, and when by the clock ---- */

static _Thread_local const char *thread_user;	/* narrate_as_user */
static _Thread_local int thread_fd = -1;

void
narrate_as_user(const char *name, int fd)
{
	thread_user = name;
	thread_fd = fd;
}

/* " [ID] " or " [ID NAME] ". */
static int
label(unsigned id, char *buf, size_t len)
{
	if (thread_user != NULL && id != 0)
		return snprintf(buf, len, " [%u %s] ", id, thread_user);
	return snprintf(buf, len, " [%u] ", id);
}

/* "  12.345678" since the start, or "16:33:05.123456" by the clock. */
static void
stamp(char *buf, size_t len)
{
	struct timespec now;
	struct tm tm;

	if (!(narrate_flags & NARRATE_CLOCK)) {
		trace_stamp(buf, len);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min,
	    tm.tm_sec, now.tv_nsec / 1000);
}

/* A narration line to FD.  A log that cannot be written (a full disk, a
 * pipe whose reader left) is said once on stderr, not at every line:
 * the server goes on serving, but the teacher knows the log is cut. */
static void
write_line(int fd, const char *line, size_t len)
{
	static int warned;
	ssize_t n = write(fd, line, len);

	if (n == (ssize_t)len || __atomic_exchange_n(&warned, 1,
	    __ATOMIC_RELAXED))
		return;
	if (n < 0)
		warn_errno("narration lost from here on: writing the log");
	else
		warn_msg("narration lost from here on: writing the log: "
		    "short write");
}

static void
also_to_user_log(const char *line, size_t len)
{
	if (thread_fd >= 0)
		write_line(thread_fd, line, len);
}

/* The text of every line and ladder cell passes through here: a byte
 * outside printable ASCII becomes \xNN, whoever put it in (a user name, a
 * path, a reply), so no peer's ESC or CR reaches a terminal or a log.
 * Printable text comes out as it went in, so text made printable before
 * (narrate_wire's) is not changed again.  Returns the length of out;
 * *cut is set when the text did not fit. */
static size_t
printable(const char *text, size_t len, char *out, size_t outlen, int *cut)
{
	char all[4 * NARRATE_MAX + 8];	/* \xNN: four bytes for one */
	size_t n;

	if (len > NARRATE_MAX) {
		len = NARRATE_MAX;
		*cut = 1;
	}
	n = trace_printable(text, len, all, sizeof all);
	if (n >= outlen) {
		n = outlen - 1;
		*cut = 1;
	}
	memcpy(out, all, n);
	out[n] = '\0';
	return n;
}

/* ---- the observer (narrate_observe): the web view ---- */

static narrate_observer_fn *observer;
static _Thread_local const char *pending_line;	/* narrate_wire's bytes */
static _Thread_local size_t pending_len;

void
narrate_observe(narrate_observer_fn *fn)
{
	observer = fn;
}

/* "55 53 45 52 ...": the first bytes of a line, "..." after them.  (By
 * hand, not a snprintf a byte: every command and reply of every session
 * passes here when the web view is on.) */
static void
hex_of(const char *line, size_t len, char *buf, size_t buflen)
{
	static const char digit[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < len && o + 8 < buflen; i++) {
		unsigned char c = (unsigned char)line[i];
		if (i > 0)
			buf[o++] = ' ';
		buf[o++] = digit[c >> 4];
		buf[o++] = digit[c & 0x0f];
	}
	buf[o] = '\0';
	if (i < len)
		snprintf(buf + o, buflen - o, " ...");
}

/* printable(), then "..." when the text was cut, here or before (cut
 * set by the caller): how every narration line says it is cut.  outlen
 * counts the "..." and the NUL. */
static size_t
printable_marked(const char *text, size_t len, char *out, size_t outlen,
    int cut)
{
	size_t n = printable(text, len, out, outlen - 3, &cut);

	if (cut) {
		memcpy(out + n, "...", 4);
		n += 3;
	}
	return n;
}

/* One line to the observer, with the stamp and the text the narration
 * line has (the same cut, the same "..."); a line of narrate_wire with
 * its bytes. */
static void
observe(unsigned id, const char *st, const char *text)
{
	char wire[NARRATE_MAX], clear[NARRATE_MAX], hex[NARRATE_MAX];
	struct narrate_event e = { id, thread_user, st, text, NULL, NULL };

	if (pending_line != NULL) {
		trace_wire(pending_line, pending_len, wire, sizeof wire,
		    narrate_flags & NARRATE_MASK);
		trace_wire(pending_line, pending_len, clear, sizeof clear, 0);
		hex_of(pending_line, pending_len, hex, sizeof hex);
		e.wire = wire;
		e.hex = strcmp(wire, clear) == 0 ? hex : NULL;
		pending_line = NULL;
	}
	observer(&e);
}

/* The line is made once, "STAMP [ID] TEXT", and both the narration and
 * the observer take it from here: they cannot disagree. */
void
narrate_vprintf(unsigned id, const char *fmt, va_list ap)
{
	char line[NARRATE_MAX], who[NARRATE_MAX], text[NARRATE_MAX], st[32];
	size_t n, at;
	int m, cut = 0;

	if (narrate_fd < 0 && observer == NULL)
		return;
	if (in_ladder()) {
		note_in_ladder(id, fmt, ap);
		return;
	}
	stamp(st, sizeof st);
	n = strlen(st);		/* less than line holds */
	memcpy(line, st, n);
	m = label(id, who, sizeof who);
	m = m < 0 ? 0 : m > (int)sizeof who - 1 ? (int)sizeof who - 1 : m;
	n += printable(who, (size_t)m, line + n, sizeof line - n, &cut);
	at = n;
	cut = vsnprintf(text, sizeof text, fmt, ap) >= (int)sizeof text;
	n += printable_marked(text, strlen(text), line + n,
	    sizeof line - 1 - n, cut);
	if (observer != NULL)
		observe(id, st, line + at);
	if (narrate_fd < 0)
		return;
	line[n++] = '\n';
	write_line(narrate_fd, line, n);
	also_to_user_log(line, n);
}

void
narrate_printf(unsigned id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	narrate_vprintf(id, fmt, ap);
	va_end(ap);
}

void
narrate_wire(unsigned id, const char *dir, const char *line, size_t len)
{
	char shown[NARRATE_MAX - 64];

	if (narrate_fd < 0 && observer == NULL)
		return;
	pending_line = line;	/* for the observer */
	pending_len = len;
	if (narrate_flags & (NARRATE_WIRE | NARRATE_LADDER)) {
		wire_line(id, dir, line, len);
		return;
	}
	if (narrate_flags & NARRATE_MASK)
		trace_mask(line, len, shown, sizeof shown);
	else
		trace_escape(line, len, shown, sizeof shown);
	narrate_printf(id, "%s %s", dir, shown);
}

void
narrate_onward(unsigned id, const struct hostport *server,
    const struct hostport *from)
{
	char text[2 * HP_HOSTLEN + 64];

	snprintf(text, sizeof text, "server: connected to %s port %u from %s "
	    "port %u", server->host, server->port, from->host, from->port);
	if (in_ladder())
		ladder_onward(id, from, server, text);
	else
		narrate_printf(id, "%s", text);
}

void
narrate_relay_lane(unsigned id, const char *verb,
    const struct hostport *where)
{
	if (narrate_fd >= 0 && in_ladder())
		ladder_data_open(id, verb, where->port, "the tap's data port");
}

void
narrate_relay_lane_end(unsigned id)
{
	if (narrate_fd >= 0 && in_ladder())
		ladder_data_end(id, "the tap's data port closed");
}

void
narrate_quoting(unsigned id, const char *head, const char *text,
    size_t len, const char *tail)
{
	char shown[NARRATE_MAX - 64];

	if (narrate_fd < 0)
		return;
	trace_escape(text, len, shown, sizeof shown);
	narrate_printf(id, "%s%s%s", head, shown, tail);
}

/* "127.0.0.1:43210" or "[::1]:43210": an IPv6 address needs brackets
 * before its port can be told apart from the address. */
struct endpoint { char text[HP_HOSTLEN + 8]; };

static struct endpoint
endpoint(const struct hostport *hp)
{
	struct endpoint ep;

	if (hp_format(hp, HP_STYLE_COLON, ep.text, sizeof ep.text) < 0)
		snprintf(ep.text, sizeof ep.text, "?");
	return ep;
}

void
narrate_connect(unsigned id, const struct hostport *peer,
    const struct hostport *local)
{
	if (in_ladder()) {
		ladder_session(id, peer, local);
		return;
	}
	narrate_printf(id, "connect from %s port %u to %s port %u",
	    peer->host, peer->port, local->host, local->port);
}

void
narrate_refuse(unsigned id, const struct hostport *peer, const char *why)
{
	narrate_printf(id, "connect from %s port %u refused: %s", peer->host,
	    peer->port, why);
}

void
narrate_close(unsigned id)
{
	if (in_ladder()) {
		ladder_session_end(id, "closed");
		return;
	}
	narrate_printf(id, "closed");
}

void
narrate_command(unsigned id, const char *line, size_t len)
{
	narrate_wire(id, ">", line, len);
}

void
narrate_reply(unsigned id, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		size_t l = lf ? (size_t)(lf - p) + 1 : (size_t)(end - p);

		narrate_wire(id, "<", p, l);
		p += l;
	}
}

void
narrate_data_listen(unsigned id, const char *verb,
    const struct hostport *where)
{
	if (in_ladder()) {
		draw_listen(id, verb, where);
		return;
	}
	if (strcmp(verb, "PASV") == 0)
		narrate_printf(id, "data: %s listening on %s = %u*256+%u",
		    verb, endpoint(where).text, where->port / 256,
		    where->port % 256);
	else
		narrate_printf(id, "data: %s listening on %s", verb,
		    endpoint(where).text);
}

void
narrate_data_target(unsigned id, const char *verb,
    const struct hostport *target)
{
	if (in_ladder()) {
		draw_listen(id, verb, target);
		return;
	}
	narrate_printf(id, "data: %s %s port %u = %u*256+%u", verb,
	    target->host, target->port, target->port / 256,
	    target->port % 256);
}

void
narrate_data_connect(unsigned id, const struct hostport *to,
    const struct hostport *from)
{
	if (in_ladder()) {
		draw_connected(id, to, from);
		return;
	}
	if (from == NULL)
		narrate_printf(id, "data: %s connected", endpoint(to).text);
	else
		narrate_printf(id, "data: connected to %s from %s",
		    endpoint(to).text, endpoint(from).text);
}

void
narrate_data_close(unsigned id, const char *verb, uint64_t bytes)
{
	if (in_ladder()) {
		draw_data_end(id, verb, bytes);
		return;
	}
	narrate_printf(id, "data: %s %llu bytes, closed", verb,
	    (unsigned long long)bytes);
}

void
narrate_data_refuse(unsigned id, const char *who, const char *why)
{
	narrate_printf(id, "data: refused %s: %s", who, why);
}

void
narrate_data_bad_command(unsigned id, const char *verb, const char *why)
{
	char shown[NARRATE_MAX];

	trace_escape(why, strlen(why), shown, sizeof shown);
	narrate_printf(id, "data: cannot read the %s argument: %s", verb,
	    shown);
}

void
narrate_data_bad_reply(unsigned id, const char *code, const char *why,
    const char *outcome)
{
	char shown[NARRATE_MAX];

	trace_escape(why, strlen(why), shown, sizeof shown);
	narrate_printf(id, "data: cannot read the address of the %s (%s): %s",
	    code, shown, outcome);
}

/* ---- the wire view, shown passwords, the ladder ---- */

static int
in_ladder(void)
{
	return (narrate_flags & NARRATE_LADDER) != 0;
}

/* What narrate_start says of the modes it was given. */
static void
start_modes(void)
{
	if (in_ladder())
		ladder_start(narrate_fd, trace_color_wanted(narrate_fd));
	if (narrate_flags & NARRATE_SHOW_PASSWORDS)
		narrate_flags &= ~NARRATE_MASK;
	if (narrate_flags & NARRATE_SHOW_PASSWORDS)
		narrate_printf(0, "passwords are shown in clear "
		    "(--show-passwords): FTP sends them so, and anyone on the "
		    "path can read them");
}

static void
note_in_ladder(unsigned id, const char *fmt, va_list ap)
{
	char text[NARRATE_MAX], shown[NARRATE_MAX];
	int cut = 0;

	vsnprintf(text, sizeof text, fmt, ap);
	printable(text, strlen(text), shown, sizeof shown, &cut);
	ladder_note(id, shown);
}

/* A line that ends in LF with no CR before it. */
static int
bare_lf(const char *line, size_t len)
{
	return len > 0 && line[len - 1] == '\n' &&
	    (len == 1 || line[len - 2] != '\r');
}

/* narrate_wire in the wire view or the ladder: the line with its ending
 * shown when NARRATE_WIRE asks, a bare LF flagged. */
static void
wire_line(unsigned id, const char *dir, const char *line, size_t len)
{
	char shown[NARRATE_MAX - 128], raw[NARRATE_MAX], text[NARRATE_MAX];
	const char *flag = "";
	int mask = narrate_flags & NARRATE_MASK, cut = 0;

	if (narrate_flags & NARRATE_WIRE) {
		trace_wire(line, len, shown, sizeof shown, mask);
		if (bare_lf(line, len))
			flag = in_ladder() ? "  <- bare LF" : "   <- bare LF, "
			    "no CR: accepted, but RFC 959 asks for CR LF";
	} else if (mask) {
		trace_mask(line, len, shown, sizeof shown);
	} else {
		trace_escape(line, len, shown, sizeof shown);
	}
	if (!in_ladder()) {
		narrate_printf(id, "%s %s%s", dir, shown, flag);
		return;
	}
	snprintf(raw, sizeof raw, "%s%s", shown, flag);
	printable(raw, strlen(raw), text, sizeof text, &cut);
	if (dir[0] == '>')
		ladder_arrow(id, LADDER_CLIENT, LADDER_SERVER, LADDER_COMMAND,
		    text);
	else
		ladder_arrow(id, LADDER_SERVER, LADDER_CLIENT, LADDER_REPLY,
		    text);
}

void
narrate_rewrite(unsigned id, const char *dir, const char *was,
    size_t was_len, const char *now, size_t now_len)
{
	char head[4], tail[NARRATE_MAX];

	if (in_ladder() && dir[0] == '>') {
		wire_line(id, dir, was, was_len);
		narrate_quoting(id, "sent on: ", now, now_len, "");
		return;
	}
	if (in_ladder()) {
		wire_line(id, dir, now, now_len);
		narrate_quoting(id, "was: ", was, was_len, "");
		return;
	}
	snprintf(head, sizeof head, "%s ", dir);
	snprintf(tail, sizeof tail, " => %.*s", (int)line_chomp(now, now_len),
	    now);
	narrate_quoting(id, head, was, was_len, tail);
}

void
narrate_own_reply(unsigned id, const char *text, size_t len,
    const char *tail)
{
	char shown[NARRATE_MAX - 64], label[NARRATE_MAX];

	if (!in_ladder()) {
		narrate_quoting(id, "< ", text, len, tail);
		return;
	}
	trace_escape(text, len, shown, sizeof shown);
	snprintf(label, sizeof label, "%s%s", shown, tail);
	ladder_arrow(id, LADDER_SERVER, LADDER_CLIENT, LADDER_REPLY, label);
}

void
narrate_withheld(unsigned id, const char *line, size_t len)
{
	narrate_quoting(id, "server: ", line, len, " (not sent on)");
}

static void
draw_listen(unsigned id, const char *verb, const struct hostport *where)
{
	char text[NARRATE_MAX];

	if (strcmp(verb, "PASV") == 0 || strcmp(verb, "PORT") == 0)
		snprintf(text, sizeof text, "%s %s = %u*256+%u", verb,
		    endpoint(where).text, where->port / 256,
		    where->port % 256);
	else
		snprintf(text, sizeof text, "%s %s", verb,
		    endpoint(where).text);
	ladder_data_open(id, verb, where->port, text);
}

static void
draw_connected(unsigned id, const struct hostport *to,
    const struct hostport *from)
{
	char text[NARRATE_MAX];

	if (from == NULL) {	/* to is the client's end */
		snprintf(text, sizeof text, "connect from %s",
		    endpoint(to).text);
		ladder_data_connect(id, to, NULL, text);
	} else {
		snprintf(text, sizeof text, "connect to %s from %s",
		    endpoint(to).text, endpoint(from).text);
		ladder_data_connect(id, from, to, text);
	}
}

static void
draw_data_end(unsigned id, const char *verb, uint64_t bytes)
{
	char text[NARRATE_MAX];
	int sent = strcmp(verb, "sent") == 0;

	snprintf(text, sizeof text, "%s %llu bytes, closed", verb,
	    (unsigned long long)bytes);
	ladder_data_close(id, sent ? LADDER_DATA : LADDER_CLIENT,
	    sent ? LADDER_CLIENT : LADDER_DATA, text);
}

void
narrate_summary(void)
{
	if (narrate_fd >= 0 && in_ladder())
		ladder_summary();
}

/* ---- TCP events ---- */

/* What the lines call the two ends (client, server), on each leg. */
static const char *const side_names[3][2] = {
	[NARRATE_DIRECT] = { "client", "server" },
	[NARRATE_CLIENT_LEG] = { "client", "tap" },
	[NARRATE_SERVER_LEG] = { "tap", "server" },
};

static const char *
side_name(const struct narrate_tcp *t, enum narrate_side side)
{
	return side_names[t->leg][side];
}

static const char *
channel(const struct narrate_tcp *t)
{
	return t->data ? "data" : "control";
}

void
narrate_tcp_open(struct narrate_tcp *t, unsigned id, int data,
    enum narrate_leg leg, enum narrate_side connector,
    const struct hostport *client, const struct hostport *server)
{
	const struct hostport *by = connector == NARRATE_CLIENT ? client :
	    server, *to = connector == NARRATE_CLIENT ? server : client;

	memset(t, 0, sizeof *t);
	t->id = id;
	t->data = data;
	t->leg = leg;
	if (!(narrate_flags & NARRATE_WIRE) || in_ladder())
		return;		/* the ladder draws its connects already */
	narrate_printf(id, "tcp: %s: %s %s connected to %s %s", channel(t),
	    side_name(t, connector), endpoint(by).text,
	    side_name(t, !connector), endpoint(to).text);
}

void
narrate_tcp_sent(struct narrate_tcp *t, enum narrate_side from, size_t n)
{
	t->sent[from] += n;
}

/* The lane of a side of t, in the ladder. */
static enum ladder_lane
lane(const struct narrate_tcp *t, enum narrate_side side)
{
	if (side == NARRATE_CLIENT)
		return LADDER_CLIENT;
	return t->data ? LADDER_DATA : LADDER_SERVER;
}

/* "FIN from the server first: half-closed": one TCP event, its line or
 * its arrow, with what both sides had sent. */
static void
tcp_event(const struct narrate_tcp *t, enum narrate_side who,
    const char *what)
{
	char text[NARRATE_MAX];
	const char *result = ": reset";

	if (!(narrate_flags & NARRATE_WIRE))
		return;
	if (strcmp(what, "FIN") == 0)
		result = t->fin[!who] ? " too: closed" : " first: half-closed";
	if (in_ladder() && t->leg == NARRATE_SERVER_LEG) {
		/* a relay's lanes end at the relay: the server beyond them
		 * gets a row of text, as its connects do */
		snprintf(text, sizeof text, "%s: %s%s, %llu bytes sent",
		    who == NARRATE_SERVER ? "server" : "to the server", what,
		    result, (unsigned long long)t->sent[who]);
		ladder_note(t->id, text);
		return;
	}
	if (in_ladder()) {	/* the arrow says who */
		snprintf(text, sizeof text, "%s%s, %llu bytes sent", what,
		    result, (unsigned long long)t->sent[who]);
		ladder_arrow(t->id, lane(t, who), lane(t, !who), LADDER_TCP,
		    text);
		return;
	}
	narrate_printf(t->id, "tcp: %s: %s from the %s%s (%s sent %llu "
	    "bytes, %s %llu)", channel(t), what, side_name(t, who), result,
	    side_name(t, NARRATE_CLIENT),
	    (unsigned long long)t->sent[NARRATE_CLIENT],
	    side_name(t, NARRATE_SERVER),
	    (unsigned long long)t->sent[NARRATE_SERVER]);
}

void
narrate_tcp_fin(struct narrate_tcp *t, enum narrate_side who)
{
	if (t->ended || t->fin[who])
		return;
	tcp_event(t, who, "FIN");
	t->fin[who] = 1;
	t->ended = t->fin[!who];
}

void
narrate_tcp_rst(struct narrate_tcp *t, enum narrate_side who)
{
	if (t->ended)
		return;
	tcp_event(t, who, "RST");
	t->ended = 1;
}
