/* ftp-raw - the FTP control channel by hand, for a terminal and for scripts.
 *
 * What PuTTY in RAW mode does on port 21, done right: each line of stdin
 * goes to the server with CRLF, each reply comes back on stdout as it
 * arrives.  When stdin is not a terminal it runs in lock-step: it waits for
 * the greeting, then sends one command each time the previous reply is
 * complete (RFC 959 section 4.2), so a file of commands gives the same
 * transcript every time.
 *
 * The work is one loop over poll(2) of the server and stdin:
 *	server bytes -> Telnet filter -> lines -> reply parser -> stdout
 *	stdin lines  -> (lock-step: when no reply is owed) -> CRLF -> server
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "hostport.h"
#include "linebuf.h"
#include "net.h"
#include "optnum.h"
#include "reply.h"
#include "replycodes.h"
#include "telnet.h"
#include "trace.h"

#define CMD_MAX 4096		/* longest command line taken from stdin */

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: %s [-46eTv] [--fail] [--no-wait] [-w secs] host [port]\n"
	    "\n"
	    "Talk to an FTP server by hand: stdin lines go to the server with\n"
	    "CRLF, replies come back on stdout.  When stdin is not a terminal,\n"
	    "each command waits for the previous reply to be complete.\n"
	    "\n"
	    "  -4, -6         use IPv4 or IPv6 only\n"
	    "  -e, --explain  explain each reply on stderr; for 227 and 229 the\n"
	    "                 data address, the port arithmetic and the command\n"
	    "                 that opens the data connection\n"
	    "  -T             relative timestamps on every line\n"
	    "  -v, --trace    show each command sent on stderr as '---> CMD'\n"
	    "                 (PASS and ACCT arguments masked)\n"
	    "  -w, --timeout secs\n"
	    "                 give up when connecting, or when nothing happens,\n"
	    "                 for this long (exit 75)\n"
	    "  --fail         stop at the first 4xx or 5xx reply (exit 1)\n"
	    "  --no-wait      send stdin as fast as it comes, without lock-step\n"
	    "  -h, --help     this help\n"
	    "  -V, --version  the version\n"
	    "\n"
	    "The port defaults to 21.  Lines longer than %d bytes are refused.\n",
	    err_progname(), CMD_MAX);
}

struct options {
	int family;
	int trace, stamps, explain, fail, no_wait;
	int wait_secs;		/* 0: no idle timeout */
	const char *host, *port;
};

enum { OPT_FAIL = 256, OPT_NO_WAIT };

static const struct option long_options[] = {
	{ "explain", no_argument, NULL, 'e' },
	{ "trace", no_argument, NULL, 'v' },
	{ "timeout", required_argument, NULL, 'w' },
	{ "fail", no_argument, NULL, OPT_FAIL },
	{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli front_door = {
	"ftp-raw", usage, "46ehTvVw:", long_options
};

static void
parse_options(int argc, char **argv, struct options *o)
{
	char why[HP_WHYLEN];
	unsigned port;
	int c;

	memset(o, 0, sizeof *o);
	o->family = AF_UNSPEC;
	o->port = "21";
	while ((c = cli_next_option(&front_door, argc, argv)) != -1) {
		switch (c) {
		case '4': o->family = AF_INET; break;
		case '6': o->family = AF_INET6; break;
		case 'e': o->explain = 1; break;
		case 'T': o->stamps = 1; break;
		case 'v': o->trace = 1; break;
		case 'w':
			o->wait_secs = (int)opt_number("-w", optarg, 1, 86400);
			break;
		case OPT_FAIL: o->fail = 1; break;
		case OPT_NO_WAIT: o->no_wait = 1; break;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		die_usage(argc < 1 ? "missing host" : "too many arguments");
	o->host = argv[0];
	if (argc == 2) {
		if (hp_parse_port_number(argv[1], &port, 0, why, sizeof why) < 0)
			die_usage("%s", why);
		o->port = argv[1];
	}
}

/* One control connection and what the loop knows about it. */
struct session {
	const struct options *opt;
	int fd;
	struct hostport peer;	/* the server's address, for data hints */
	struct telnet telnet;
	struct reply_parser rp;
	struct linebuf server;	/* replies, Telnet commands filtered out */
	struct linebuf input;	/* commands from stdin */
	int lockstep;
	int owed;		/* final replies still to come */
	int in_transfer;	/* a 1xx came, its final reply not yet */
	int stat_replies_owed;	/* STATs sent during the transfer */
	int type_ascii;		/* TYPE A sent: the data side must convert */
	int type_warned;
	int aborting;		/* ABOR sent during the transfer */
	const char *held;	/* a stdin line waiting for its turn */
	size_t held_len;
	int held_partial, holding;
	int server_mid_line;	/* last piece of a reply line was partial */
	int line_done;		/* the reply line being shown completes a reply */
	int input_skipping;	/* dropping the rest of an over-long line */
	unsigned long input_lineno;
	int refused;		/* stdin lines not sent */
	int last_code;
	int color;
	int stdout_at_bol;	/* last byte written to stdout was '\n' */
	long long last_activity;
	char first_line[512];	/* of the current reply, for 227 and 229 */
	size_t first_len;
};

/* Lines of our own on stderr: trace and explanations. */
static void __attribute__((format(printf, 3, 4)))
side_line(const struct session *s, const char *mark, const char *fmt, ...)
{
	char line[CMD_MAX * 4 + 128], stamp[32];
	size_t n = 0;
	va_list ap;

	if (s->opt->stamps) {
		trace_stamp(stamp, sizeof stamp);
		n = (size_t)snprintf(line, sizeof line, "%s ", stamp);
	}
	n += (size_t)snprintf(line + n, sizeof line - n, "%s", mark);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

/* ---- commands: stdin to server ---- */

/* A server that takes nothing for -w seconds is as gone as a silent one. */
static void
write_server(struct session *s, const void *buf, size_t len)
{
	int timeout = s->opt->wait_secs ? s->opt->wait_secs * 1000 : -1;

	if (net_write_all(s->fd, buf, len, timeout) == 0)
		return;
	if (errno == ETIMEDOUT)
		die(EXIT_TEMPFAIL, "%s took nothing for %d seconds",
		    s->opt->host, s->opt->wait_secs);
	die_errno(EXIT_IOERR, "connection to %s lost", s->opt->host);
}

static int
is_verb(const char *line, size_t len, const char *verb)
{
	size_t n = strlen(verb);

	return len >= n && strncasecmp(line, verb, n) == 0 &&
	    (len == n || line[n] == ' ');
}

/* ABOR, and STAT during a transfer, must reach a server that is busy
 * sending: RFC 959 section 4.1.3. */
static int
is_interrupt_verb(const char *line, size_t len)
{
	len = line_chomp(line, len);
	return is_verb(line, len, "ABOR") || is_verb(line, len, "STAT");
}

/* TYPE A is two settings: this one, and ftp-dataconn --ascii on the data
 * side.  Forgetting the second corrupts a file without a word, so the
 * first transfer under TYPE A brings a reminder. */
static void
remind_ascii(struct session *s, const char *line, size_t len)
{
	if (is_verb(line, len, "TYPE"))
		s->type_ascii = len > 5 && (line[5] == 'A' || line[5] == 'a');
	if (!s->type_ascii || s->type_warned || !(is_verb(line, len, "RETR") ||
	    is_verb(line, len, "STOR") || is_verb(line, len, "APPE") ||
	    is_verb(line, len, "STOU")))
		return;
	s->type_warned = 1;
	warn_msg("note: TYPE A is in force: the data side needs "
	    "ftp-dataconn --ascii too, or the line ends stay CRLF");
}

static void
send_command(struct session *s, const char *line, size_t len)
{
	char wire[CMD_MAX * 2 + 2], shown[CMD_MAX * 4 + 16];
	int urgent = s->in_transfer && is_interrupt_verb(line, len);
	size_t n;

	/* a 255 byte is Telnet's IAC; as data it must be doubled */
	n = telnet_escape(line, len, wire, sizeof wire - 2);
	wire[n++] = '\r';
	wire[n++] = '\n';
	if (s->opt->trace) {
		trace_mask(line, len, shown, sizeof shown);
		side_line(s, "---> ", "%s%s", shown, urgent ?
		    "   (after Telnet IP and Synch, urgent)" : "");
	}
	remind_ascii(s, line, len);
	if (urgent && telnet_send_interrupt(s->fd) < 0)
		die_errno(EXIT_IOERR, "connection to %s lost", s->opt->host);
	if (urgent && toupper((unsigned char)line[0]) == 'S')
		s->stat_replies_owed++;
	else if (urgent)
		s->aborting = 1;	/* -w applies again: see poll_timeout */
	write_server(s, wire, n);
	s->owed++;
	s->last_activity = net_now_ms();
}

static void
take_input_line(struct session *s, const char *line, size_t len, int partial)
{
	if (s->input_skipping) {	/* tail of a refused line */
		s->input_skipping = partial;
		return;
	}
	s->input_lineno++;
	if (partial || line_chomp(line, len) > CMD_MAX) {
		warn_msg("line %lu of stdin is longer than %d bytes: not sent",
		    s->input_lineno, CMD_MAX);
		s->refused++;
		s->input_skipping = partial;
		return;
	}
	len = line_chomp(line, len);	/* CRLF or LF: sent as one CRLF */
	if (len == 0 && s->lockstep)
		return;		/* no reply to wait for: skip blank lines */
	send_command(s, line, len);
}

static int
may_send(const struct session *s)
{
	return !s->lockstep || s->owed == 0;
}

/* In lock-step the next line waits for its turn, except ABOR and STAT
 * during a transfer (a 1xx came, the final reply not yet): they are meant
 * for now. */
static int
may_send_held(const struct session *s)
{
	return may_send(s) || (s->in_transfer && !s->input_skipping &&
	    !s->held_partial && is_interrupt_verb(s->held, s->held_len));
}

/* stdin is read while a reply is owed, so an ABOR behind a RETR is seen;
 * any other line is held, and stdin left unread, until its turn. */
static void
send_ready_lines(struct session *s)
{
	for (;;) {
		if (!s->holding && !lb_next(&s->input, &s->held,
		    &s->held_len, &s->held_partial))
			return;
		s->holding = 1;
		if (!may_send_held(s))
			return;
		s->holding = 0;
		take_input_line(s, s->held, s->held_len, s->held_partial);
	}
}

static void
input_readable(struct session *s)
{
	if (lb_fill(&s->input) < 0 && errno != EAGAIN)
		die_errno(EXIT_IOERR, "reading stdin");
	s->last_activity = net_now_ms();
}

/* ---- replies: server to stdout ---- */

static const char *
class_color(int code)
{
	switch (reply_class(code)) {
	case 1: return "\033[34m";	/* blue: wait */
	case 2: return "\033[32m";	/* green: done */
	case 3: return "\033[36m";	/* cyan: go on */
	case 4: return "\033[33m";	/* yellow: try again */
	case 5: return "\033[31m";	/* red: no */
	default: return NULL;
	}
}

/* The bytes as they came, with a timestamp and colour around them if
 * asked for; the line ending stays outside the colour. */
static void
show_piece(struct session *s, const char *p, size_t len, int line_start,
    int code)
{
	const char *color = s->color && code > 0 ? class_color(code) : NULL;
	size_t body = line_chomp(p, len);
	char stamp[32];

	if (line_start && s->opt->stamps) {
		trace_stamp(stamp, sizeof stamp);
		printf("%s ", stamp);
	}
	if (color != NULL)
		fputs(color, stdout);
	fwrite(p, 1, body, stdout);
	if (color != NULL)
		fputs("\033[0m", stdout);
	fwrite(p + body, 1, len - body, stdout);
	s->stdout_at_bol = len > 0 && p[len - 1] == '\n';
	flush_stdout();
}

/* "next: ftp-dataconn HOST PORT", with the control connection's host when
 * the advertised one cannot be right: 0.0.0.0, or a private address that
 * is not the one we talk to (a server behind NAT). */
static void
explain_227(struct session *s)
{
	struct hostport hp;
	char why[HP_WHYLEN], sum[64];
	const char *host;

	if (hp_parse_227(s->first_line, s->first_len, &hp, NULL, why,
	    sizeof why) < 0) {
		side_line(s, "# ", "227 without a usable address: %s", why);
		return;
	}
	hp_port_arithmetic(hp.port, sum, sizeof sum);
	side_line(s, "# ", "data address %s, port %s", hp.host, sum);
	host = hp.host;
	if (hp_is_unspecified(host) || (hp_is_private(host) &&
	    !hp_same_host(host, s->peer.host))) {
		side_line(s, "# ", "%s is not reachable from here: use the "
		    "control connection's address %s", host, s->peer.host);
		host = s->peer.host;
	}
	side_line(s, "# ", "next: ftp-dataconn %s %u", host, hp.port);
}

/* A 229 names only a port; the host is the one we are connected to. */
static void
explain_229(struct session *s)
{
	struct hostport hp;
	char why[HP_WHYLEN], sum[64];

	if (hp_parse_229(s->first_line, s->first_len, &hp, NULL, why,
	    sizeof why) < 0) {
		side_line(s, "# ", "229 without a usable port: %s", why);
		return;
	}
	hp_port_arithmetic(hp.port, sum, sizeof sum);
	side_line(s, "# ", "data port %s, on the control connection's "
	    "host %s", sum, s->peer.host);
	side_line(s, "# ", "next: ftp-dataconn %s %u", s->peer.host, hp.port);
}

static void
explain_reply(struct session *s, int code)
{
	const struct reply_code_info *info = replycode_find(code);

	if (info != NULL)
		side_line(s, "# ", "%d %s: %s", code, info->meaning,
		    info->explain);
	else if (replycode_class_meaning(code) != NULL)
		side_line(s, "# ", "%d is not a standard code; %dxx means %s",
		    code, reply_class(code), replycode_class_meaning(code));
	else
		side_line(s, "# ", "%d is not a valid reply code (100 to 699)",
		    code);
	if (code == 227)
		explain_227(s);
	if (code == 229)
		explain_229(s);
}

/* 234: AUTH accepted.  What the server reads next is a TLS handshake, and
 * anything typed now (PASS...) would go out in clear and be taken as
 * one: stop here. */
static void __attribute__((noreturn))
tls_expected(const struct session *s)
{
	die(EXIT_PROTOCOL, "the server now expects a TLS handshake (234), "
	    "which cannot be typed by hand; nothing more is sent: use "
	    "'openssl s_client -starttls ftp -connect %s:%s' instead",
	    s->opt->host, s->opt->port);
}

static void
reply_complete(struct session *s)
{
	int code = s->rp.code;

	s->last_code = code;
	if (s->opt->explain)
		explain_reply(s, code);
	if (code == 234)
		tls_expected(s);
	if (reply_class(code) == 1) {
		s->in_transfer = 1;
		return;		/* preliminary: the final reply follows */
	}
	/* replies come in order, but a STAT's overtakes the transfer's */
	if (s->stat_replies_owed > 0)
		s->stat_replies_owed--;
	else
		s->in_transfer = s->aborting = 0;
	if (s->owed > 0)
		s->owed--;
	if (s->opt->fail && (reply_class(code) == 4 ||
	    reply_class(code) == 5)) {
		warn_msg("stopping at reply %d (--fail)", code);
		exit(EXIT_FAILURE_REPLY);
	}
}

/* Only a line's first piece can carry a code; the reply is complete once
 * the last piece of its closing line is shown. */
static void
server_piece(struct session *s, const char *p, size_t len, int partial)
{
	int line_start = !s->server_mid_line;
	enum reply_step step;

	if (line_start) {
		if (!s->rp.in_multiline) {	/* a reply's first line */
			s->first_len = len < sizeof s->first_line ?
			    len : sizeof s->first_line;
			memcpy(s->first_line, p, s->first_len);
		}
		step = reply_feed(&s->rp, p, len);
		s->line_done = step == REPLY_DONE;
		show_piece(s, p, len, 1, step == REPLY_BAD ? 0 : s->rp.code);
		if (step == REPLY_BAD && s->opt->explain)
			side_line(s, "# ", "not a reply line: a reply starts "
			    "with a three-digit code");
	} else {
		show_piece(s, p, len, 0, s->rp.code);
	}
	s->server_mid_line = partial;
	if (!partial && s->line_done) {
		s->line_done = 0;
		reply_complete(s);
	}
}

static void
end_stdout_line(struct session *s)
{
	if (!s->stdout_at_bol) {
		fputc('\n', stdout);
		s->stdout_at_bol = 1;
		flush_stdout();
	}
}

static void
server_closed(struct session *s)
{
	int cut = !s->stdout_at_bol || s->rp.in_multiline;

	end_stdout_line(s);
	if (cut) {
		warn_msg("%s closed the connection in the middle of a reply",
		    s->opt->host);
		exit(EXIT_IOERR);
	}
	if (s->last_code == 221) {	/* after QUIT: the session ended */
		if (s->owed > 0)
			warn_msg("%d command%s got no reply before the 221",
			    s->owed, s->owed == 1 ? "" : "s");
		exit(s->refused ? EXIT_DATAERR : EXIT_OK);
	}
	if (s->last_code == 421)
		warn_msg("%s closed the connection (421)", s->opt->host);
	else
		warn_msg("%s closed the connection", s->opt->host);
	exit(EXIT_IOERR);
}

static void
server_readable(struct session *s)
{
	const char *line;
	size_t len;
	int partial;
	ssize_t n = lb_fill(&s->server);

	if (s->telnet.reply_len > 0) {	/* we refuse every Telnet option */
		write_server(s, s->telnet.reply, s->telnet.reply_len);
		s->telnet.reply_len = 0;
	}
	if (n < 0 && errno == EAGAIN)
		return;
	if (n < 0) {
		end_stdout_line(s);
		die_errno(EXIT_IOERR, "connection to %s lost", s->opt->host);
	}
	s->last_activity = net_now_ms();
	while (lb_next(&s->server, &line, &len, &partial))
		server_piece(s, line, len, partial);
	if (s->server.eof)
		server_closed(s);
}

/* -w: nothing from either side for that long.  Bytes of an unterminated
 * line are shown before giving up, so the user sees what did come. */
static void
idle_timeout(struct session *s)
{
	const char *line;
	size_t len;
	int partial;

	s->server.eof = 1;	/* lets lb_next hand out the tail */
	while (lb_next(&s->server, &line, &len, &partial))
		show_piece(s, line, len, !s->server_mid_line, 0);
	end_stdout_line(s);
	if (s->owed > 0)
		warn_msg("no complete reply from %s in %d seconds",
		    s->opt->host, s->opt->wait_secs);
	else
		warn_msg("idle for %d seconds", s->opt->wait_secs);
	exit(EXIT_TEMPFAIL);
}

static int
poll_timeout(const struct session *s)
{
	long long left;

	/* a transfer's end is the data side's to bound (its -w), but an
	 * ABOR must be answered in time */
	if (s->opt->wait_secs == 0 || (s->in_transfer && !s->aborting))
		return -1;
	left = s->last_activity + s->opt->wait_secs * 1000LL - net_now_ms();
	return left > 0 ? (int)left : 0;
}

/* Ends when stdin has ended and every reply owed has come. */
static int
run(struct session *s)
{
	struct pollfd pfd[2];
	int n, nfds;

	for (;;) {
		send_ready_lines(s);
		if (s->input.eof && lb_pending(&s->input) == 0 &&
		    !s->holding && s->owed == 0)
			return s->refused ? EXIT_DATAERR : EXIT_OK;
		pfd[0].fd = s->fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = STDIN_FILENO;
		pfd[1].events = POLLIN;
		nfds = !s->holding && !s->input.eof ? 2 : 1;
		n = poll(pfd, (nfds_t)nfds, poll_timeout(s));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno(EXIT_OSERR, "poll");
		if (n == 0)
			idle_timeout(s);
		if (pfd[0].revents != 0)
			server_readable(s);
		if (nfds == 2 && pfd[1].revents != 0)
			input_readable(s);
	}
}

int
main(int argc, char **argv)
{
	static struct session s;	/* two 8 KB line buffers: not on the stack */
	struct options opt;
	struct net_error e;
	int timeout;

	cli_start(argv[0]);
	parse_options(argc, argv, &opt);
	cli_need_stdout("the server's replies are written there");
	signal(SIGPIPE, SIG_IGN);	/* a closed peer is an error, not a kill */
	trace_start();

	timeout = (opt.wait_secs ? opt.wait_secs : CONNECT_TIMEOUT) * 1000;
	s.fd = net_connect(opt.host, opt.port, opt.family, NULL, timeout, &e);
	if (s.fd < 0)
		die(e.exit_code, "%s", e.msg);
	if (net_peer(s.fd, &s.peer) < 0)
		die_errno(EXIT_IOERR, "connection to %s lost", opt.host);

	s.opt = &opt;
	telnet_init(&s.telnet);
	reply_init(&s.rp);
	lb_init(&s.server, s.fd, 0);
	s.server.filter = telnet_filter_hook;
	s.server.filter_ctx = &s.telnet;
	lb_init(&s.input, STDIN_FILENO, CMD_MAX + 2);	/* + CRLF */
	s.lockstep = !opt.no_wait && !isatty(STDIN_FILENO);
	s.owed = 1;		/* the greeting */
	s.color = trace_color_wanted(STDOUT_FILENO);
	s.stdout_at_bol = 1;
	s.last_activity = net_now_ms();
	return run(&s);
}
