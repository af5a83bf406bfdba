/* control.c - the control connection: reading command lines, sending
 * replies, and watching the connection while a command waits.
 *
 * This is the bottom of ftp-labd, as vsftpd's ftpcmdio.c is of vsftpd:
 * the command handlers use it, and it uses none of them.  Every wait a
 * command makes that must hear ABOR or STAT (for the data connection, for
 * the data socket) goes through control_watch(), and it classifies what
 * came with the one command parser, cmd_parse().
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "labd.h"
#include "narrate.h"
#include "net.h"

#define REPLY_MAX 2048
#define LINE_PIECES_MS 250	/* for the rest of a line split in pieces */

/* ---- replies ---- */

int
control_send(struct session *s, const void *wire, size_t len)
{
	if (net_write_all(s->ctrl, wire, len, cfg.idle_timeout * 1000) < 0) {
		s->quit = 1;
		return -1;
	}
	wire_ctrl_sent(s, wire, len);
	return 0;
}

/* Sends text (one or more CRLF lines), 0xFF doubled, and narrates it.
 * Text of any length goes out in pieces of REPLY_MAX bytes, each of which
 * fits the wire buffer even if every byte is 0xFF: a reply is never
 * dropped for being long. */
void
reply_raw(struct session *s, const char *text, size_t len)
{
	char wire[2 * REPLY_MAX];
	const char *p = text, *end = text + len;
	int failed = 0;

	while (p < end && !failed) {
		size_t piece = (size_t)(end - p) < REPLY_MAX ?
		    (size_t)(end - p) : REPLY_MAX;
		size_t n = telnet_escape(p, piece, wire, sizeof wire);
		failed = control_send(s, wire, n) < 0;
		p += piece;
	}
	narrate_reply(s->id, text, len);
}

void
reply(struct session *s, int code, const char *fmt, ...)
{
	char text[REPLY_MAX];
	va_list ap;
	int n = snprintf(text, sizeof text, "%03d ", code);

	s->errors += code >= 400;	/* for the summary line */
	va_start(ap, fmt);
	n += vsnprintf(text + n, sizeof text - (size_t)n - 2, fmt, ap);
	va_end(ap);
	if ((size_t)n > sizeof text - 3)
		n = (int)sizeof text - 3;
	/* a file name holding CR or LF must not end the line early */
	for (int i = 4; i < n; i++)
		if (text[i] == '\r' || text[i] == '\n')
			text[i] = '?';
	text[n++] = '\r';
	text[n++] = '\n';
	reply_raw(s, text, (size_t)n);
}

/* 501 for a bad argument: what was wrong, then how the argument is
 * written (the syntax column of the verb table, commands.c). */
void
reply_syntax(struct session *s, const char *fmt, ...)
{
	char why[REPLY_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (s->verb == NULL || s->verb->syntax[0] == '\0')
		reply(s, 501, "%s", why);
	else
		reply(s, 501, "%s Syntax: %s %s", why, s->verb->name,
		    s->verb->syntax);
}

/* ---- reading command lines ---- */

/* The Telnet filter refuses every option the client offers (RFC 1123
 * 4.1.2.12); the refusals it queued go out here. */
static void
send_telnet_refusals(struct session *s)
{
	if (s->tn.reply_len == 0)
		return;
	(void)control_send(s, s->tn.reply, s->tn.reply_len);
	s->tn.reply_len = 0;
}

/* Reads one command line.  The whole line must come within
 * --idle-timeout (421 otherwise), however it trickles in; a line over
 * LABD_LINE_CAP gets 500 and is skipped.  The wait also ends at wake_at
 * (net_now_ms() time; 0: never), so the caller can do its timed work
 * and call again: LINE_WAKE.  The idle deadline runs on meanwhile. */
enum line_status
next_line(struct session *s, long long wake_at, const char **line,
    size_t *len)
{
	int partial;

	if (s->idle_deadline == 0)
		s->idle_deadline = net_now_ms() + cfg.idle_timeout * 1000LL;
	for (;;) {
		int idle_left = net_ms_left(s->idle_deadline);
		int wait = wake_at != 0 && net_ms_left(wake_at) < idle_left ?
		    net_ms_left(wake_at) : idle_left;
		enum lb_status st = lb_getline(&s->lb, wait, line, len,
		    &partial);

		if (st == LB_ERROR && errno == ECONNRESET)
			s->ctrl_reset = 1;	/* for --wire: a RST */
		send_telnet_refusals(s);
		if (server_stopping()) {
			reply(s, 421, "Server shutting down; closing control "
			    "connection.");
			return LINE_END;
		}
		if (st == LB_TIMEOUT && net_ms_left(s->idle_deadline) > 0)
			return LINE_WAKE;
		if (st == LB_TIMEOUT) {
			reply(s, 421, "Timeout (%d seconds): closing control "
			    "connection.", cfg.idle_timeout);
			return LINE_END;
		}
		if (st != LB_LINE)
			return LINE_END;
		s->idle_deadline = net_now_ms() + cfg.idle_timeout * 1000LL;
		if (partial) {
			s->overlong = 1;
			continue;
		}
		if (!s->overlong)
			break;
		s->overlong = 0;
		narrate_printf(s->id, "> (a command line over %d bytes)",
		    LABD_LINE_CAP);
		reply(s, 500, "Command line too long (the limit is %d bytes).",
		    LABD_LINE_CAP);
	}
	s->idle_deadline = 0;	/* the next wait starts when asked */
	return LINE_OK;
}

/* ---- the control connection while a command waits ---- */

/* The unread input, up to its first LF (LF included); 0 when no whole
 * line is buffered. */
static size_t
buffered_line(const struct session *s)
{
	const char *p = s->lb.buf + s->lb.start;
	const char *lf = memchr(p, '\n', lb_pending(&s->lb));

	return lf != NULL ? (size_t)(lf - p) + 1 : 0;
}

/* A line that waits for after the transfer: a whole one, or as much as a
 * line may hold.  While one waits, the control connection is not read. */
static int
line_waiting(const struct session *s)
{
	return buffered_line(s) > 0 || lb_pending(&s->lb) >= LABD_LINE_CAP;
}

/* One read of the control connection (lb_fill), a reset remembered for
 * --wire, which narrates it as the client's RST. */
static ssize_t
fill(struct session *s)
{
	ssize_t n = lb_fill(&s->lb);

	if (n < 0 && errno == ECONNRESET)
		s->ctrl_reset = 1;
	return n;
}

/* A command can come in pieces (Telnet IP, then DM as urgent data, then
 * ABOR): waits up to ms for the end of the line.  -1 when the client has
 * gone. */
static int
wait_for_line(struct session *s, int ms)
{
	long long deadline = net_now_ms() + ms;
	int left;

	while (!line_waiting(s) && (left = net_ms_left(deadline)) > 0) {
		if (net_wait(s->ctrl, POLLIN, left) != 1)
			break;
		if (fill(s) <= 0)
			return -1;
	}
	return 0;
}

/* What the buffered line means to a running transfer (RFC 959 4.1.3):
 * the verb ABOR aborts it, STAT without an argument asks how it goes,
 * anything else is a command for after it and stays buffered. */
static enum ctl_event
classify_line(struct session *s)
{
	struct command c;
	const char *line;
	size_t len = buffered_line(s);
	int partial;
	enum ctl_event ev = CTL_NOTHING;

	if (len == 0 ||
	    cmd_parse(s->lb.buf + s->lb.start, len, &c) != CMD_OK)
		return CTL_NOTHING;
	if (strcmp(c.verb, "ABOR") == 0)
		ev = CTL_ABORT;
	else if (strcmp(c.verb, "STAT") == 0 && !c.has_arg)
		ev = CTL_STAT;
	if (ev != CTL_NOTHING && lb_next(&s->lb, &line, &len, &partial))
		narrate_command(s->id, line, len);
	return ev;
}

/* The control connection is readable: what it says to a running
 * command. */
static enum ctl_event
read_control(struct session *s)
{
	ssize_t n;

	if (server_stopping())
		return CTL_GONE;
	n = fill(s);
	if (n == 0 || (n < 0 && errno != EAGAIN))
		return CTL_GONE;
	if (wait_for_line(s, LINE_PIECES_MS) < 0)
		return CTL_GONE;
	return classify_line(s);
}

/* Waits up to timeout_ms for the other descriptor (NULL: none) and, unless
 * a line already waits, for the control connection.  CTL_READY when other
 * is ready (its revents set).  It goes first: a data connection that is
 * already there when ABOR comes is a transfer that started, and the ABOR
 * then aborts it (426 "Transfer aborted").  Else what came on the control
 * connection: CTL_ABORT, CTL_STAT (the line consumed and narrated; the
 * caller answers), CTL_GONE (the client closed it, or the server is
 * stopping), CTL_NOTHING (a line for later, left buffered); or
 * CTL_TIMEOUT when nothing came. */
enum ctl_event
control_watch(struct session *s, struct pollfd *other, int timeout_ms)
{
	struct pollfd pfd[2] = { { .fd = -1 }, { .fd = -1 } };
	int ready;

	if (other != NULL)
		pfd[0] = *other;
	if (!line_waiting(s))
		pfd[1].fd = s->ctrl;
	if (pfd[0].fd < 0 && pfd[1].fd < 0 && timeout_ms == 0)
		return CTL_TIMEOUT;	/* nothing to look at: no syscall */
	pfd[0].revents = pfd[1].revents = 0;
	pfd[1].events = POLLIN;
	do
		ready = poll(pfd, 2, timeout_ms);
	while (ready < 0 && errno == EINTR);
	if (other != NULL)
		other->revents = pfd[0].revents;
	if (ready <= 0)
		return CTL_TIMEOUT;
	if (pfd[0].revents != 0)
		return CTL_READY;
	return read_control(s);
}

/* Has the client closed or reset the control connection, or does it
 * within wait_ms?  Bytes waiting (a command sent early) mean the client
 * is still there; they are only peeked at, left for the session loop.
 * Used when an upload's data connection ends: see transfer.c. */
int
control_hung_up(struct session *s, int wait_ms)
{
	char byte;
	ssize_t n;

	if (s->lb.eof)
		return 1;
	if (net_wait(s->ctrl, POLLIN, wait_ms) != 1)
		return 0;
	do
		n = recv(s->ctrl, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}
