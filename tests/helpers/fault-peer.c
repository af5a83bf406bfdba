/* fault-peer - one end of an FTP transfer that breaks its data connection
 * on command, for the fault-injection tests of ftp-tap.
 *
 *	fault-peer client [-t secs] [-m bytes] [-n size] PORT VERB PATH
 *	    FAULT WHERE FILE
 *	fault-peer server [-t secs] [-m bytes] [-n size] [-M] VERB FAULT
 *	    WHERE FILE
 *
 * client: logs in anonymously to 127.0.0.1 PORT, TYPE I, PASV, connects,
 * sends VERB PATH (RETR, LIST or STOR) and, after the 1xx, moves the
 * data: STOR sends FILE, RETR and LIST receive into FILE.
 * server: a fake server on 127.0.0.1, port chosen by the kernel (first
 * line "listening on 127.0.0.1 port N"), for one session of any client:
 * it answers USER, PASS, TYPE, PWD, CWD, PASV, EPSV, QUIT, and the
 * transfer command VERB (RETR and LIST send FILE, STOR receives into
 * FILE) with 150, the data, then 226, whatever happened to the data: a
 * hostile server that always claims success.  -M: that 226 in two
 * lines ("226-" then "226 "), as Pure-FTPd writes it.
 *
 * FAULT, done by this end at WHERE (before the first byte, in the middle
 * (after -m bytes, default 256 KiB), after the last byte (-n: the size a
 * receiver expects; without it, after the end of file)):
 *	none	no fault
 *	fin	close(2) the data connection
 *	rst	close it with a reset (SO_LINGER 0)
 *	stall	stop moving bytes; keep it open until the tap ends it (or
 *		the final reply comes, or -t runs out)
 *	half	shutdown(SHUT_WR): a receiver closes the silent direction
 *		and goes on reading; a sender ends its data there and waits
 *		for the receiver's close
 * A stalling receiver takes a small receive buffer, so that its stall
 * is felt.
 *
 * Output, one line each: "data: N bytes, ended by eof|reset|fault|..."
 * and (client) "reply: LINE", the final reply to VERB.  Exit 0 only for a
 * whole transfer: the data to its end of file and a 2xx.  The whole run
 * is bounded by -t seconds (default 30).
 */
#define _GNU_SOURCE		/* POLLRDHUP */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "alg.h"
#include "err.h"
#include "net.h"

enum fault { F_NONE, F_FIN, F_RST, F_STALL, F_HALF };
enum where { W_BEFORE, W_MIDDLE, W_AFTER };

static const char *fault_names[] = { "none", "fin", "rst", "stall", "half",
    NULL };
static const char *where_names[] = { "before", "middle", "after", NULL };

static int secs = 30;
static long long middle = 256 * 1024;
static long long expect_size = -1;	/* a receiver's "after" */
static int multiline_226;		/* -M */

static int
lookup(const char **names, const char *s, const char *what)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	die_usage("unknown %s '%s'", what, s);
}

/* ---- the data connection ---- */

struct xfer {
	int fd;
	int sending;
	int file;		/* read from (sending) or written to */
	enum fault fault;
	enum where where;
	long long moved;
	const char *end;	/* how the data connection ended */
};

/* The fault is due now: at the start, past -m, or at the end. */
static int
due(const struct xfer *x, int at_end)
{
	switch (x->where) {
	case W_BEFORE:
		return 1;
	case W_MIDDLE:
		return x->moved >= middle;
	default:
		return at_end || (!x->sending && expect_size >= 0 &&
		    x->moved >= expect_size);
	}
}

static void
reset_close(int fd)
{
	struct linger now = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
	close(fd);
}

/* How the peer ended: read (and drop) until its end, at most -t. */
static const char *
await_end(int fd)
{
	char buf[65536];
	ssize_t n;

	while (net_wait(fd, POLLIN, secs * 1000) == 1) {
		n = read(fd, buf, sizeof buf);
		if (n == 0)
			return "eof";
		if (n < 0)
			return errno == ECONNRESET ? "reset" : strerror(errno);
	}
	return "open";
}

/* Does the fault; 1 when the transfer stops here. */
static int
do_fault(struct xfer *x)
{
	switch (x->fault) {
	case F_FIN:
		close(x->fd);
		x->fd = -1;
		x->end = "fault";
		return 1;
	case F_RST:
		reset_close(x->fd);
		x->fd = -1;
		x->end = "fault";
		return 1;
	case F_STALL:
		x->end = "stalled";
		return 1;
	case F_HALF:
		shutdown(x->fd, SHUT_WR);
		if (!x->sending)
			return 0;
		x->end = await_end(x->fd);
		return 1;
	default:
		return 0;
	}
}

/* One chunk; 0 at the end of the data, -1 on an error (x->end says). */
static int
move_chunk(struct xfer *x, long long limit)
{
	char buf[65536];
	size_t want = sizeof buf;
	ssize_t n;

	if (limit >= 0 && (long long)want > limit - x->moved)
		want = (size_t)(limit - x->moved);
	n = read(x->sending ? x->file : x->fd, buf, want);
	if (n < 0) {
		x->end = errno == ECONNRESET ? "reset" : strerror(errno);
		return -1;
	}
	if (n == 0)
		return 0;
	if (net_write_all(x->sending ? x->fd : x->file, buf, (size_t)n,
	    secs * 1000) < 0) {
		x->end = errno == ECONNRESET || errno == EPIPE ? "reset" :
		    strerror(errno);
		return -1;
	}
	x->moved += n;
	return 1;
}

/* Moves the data, doing the fault where it is due.  Returns 1 for a
 * whole transfer (to the end of file, then closed), else 0. */
static int
run_transfer(struct xfer *x)
{
	int fault_done = x->fault == F_NONE, r;
	long long limit;

	for (;;) {
		if (!fault_done && due(x, 0)) {
			fault_done = 1;
			if (do_fault(x))
				return 0;
		}
		limit = !fault_done && x->where == W_MIDDLE ? middle :
		    !fault_done && !x->sending && expect_size >= 0 ?
		    expect_size : -1;
		if (limit >= 0 && x->moved >= limit)
			limit = -1;
		r = move_chunk(x, limit);
		if (r < 0)
			return 0;
		if (r == 0)
			break;
	}
	if (!fault_done && do_fault(x))
		return 0;
	if (x->sending) {
		close(x->fd);
		x->fd = -1;
		x->end = "eof";
		return 1;
	}
	x->end = "eof";
	return 1;
}

/* A stalled connection is kept until the other side ends it (its FIN
 * or RST, or -t); a receiver then takes what is still there (nothing is
 * lost by a stall that nobody cut). */
static void
finish_stall(struct xfer *x)
{
	struct pollfd p = { .fd = x->fd, .events = 0 };
	int r;

	if (x->fd < 0 || strcmp(x->end, "stalled") != 0)
		return;
	if (x->sending) {
		x->end = await_end(x->fd);
		return;
	}
#ifdef POLLRDHUP
	p.events = POLLRDHUP;	/* the FIN, behind the unread bytes */
#endif
	while (poll(&p, 1, secs * 1000) < 0 && errno == EINTR)
		;
	while ((r = move_chunk(x, -1)) > 0)
		;
	if (r == 0)
		x->end = "eof";
}

static void
report(const struct xfer *x)
{
	printf("data: %lld bytes, ended by %s\n", x->moved, x->end);
	fflush(stdout);
}

/* ---- control lines ---- */

static char pending[8192];
static size_t pending_len;

/* One line (without CRLF) into line; 0 at end of file or timeout. */
static int
read_line(int fd, char *line, size_t cap)
{
	char *lf;
	ssize_t n;
	size_t len;

	while ((lf = memchr(pending, '\n', pending_len)) == NULL) {
		if (pending_len == sizeof pending ||
		    net_wait(fd, POLLIN, secs * 1000) != 1)
			return 0;
		n = read(fd, pending + pending_len, sizeof pending -
		    pending_len);
		if (n <= 0)
			return 0;
		pending_len += (size_t)n;
	}
	len = (size_t)(lf - pending) + 1;
	snprintf(line, cap, "%.*s", (int)len, pending);
	line[strcspn(line, "\r\n")] = '\0';
	memmove(pending, pending + len, pending_len - len);
	pending_len -= len;
	return 1;
}

static void
send_line(int fd, const char *text)
{
	char buf[600];
	int n = snprintf(buf, sizeof buf, "%s\r\n", text);

	if (net_write_all(fd, buf, (size_t)n, secs * 1000) < 0)
		die_errno(EXIT_IOERR, "control connection");
}

/* The last line of one whole reply; its code, or 0. */
static int
read_reply(int fd, char *line, size_t cap)
{
	do
		if (!read_line(fd, line, cap))
			return 0;
	while (strlen(line) < 4 || line[3] != ' ' || line[0] < '1' ||
	    line[0] > '5');
	return atoi(line);
}

/* ---- client ---- */

/* The data connection; rcvbuf set before connect(2), so the window the
 * kernel offers is small from the start (set later, it shrinks under
 * the sender and TCP's zero-window probes back off). */
static int
connect_data(const struct hostport *where, int rcvbuf)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	sa.sin_port = htons((uint16_t)where->port);
	if (inet_pton(AF_INET, where->host, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
command(int fd, const char *text, char *line, size_t cap)
{
	send_line(fd, text);
	return read_reply(fd, line, cap);
}

static int
client(char **argv)
{
	struct xfer x = { .fd = -1, .end = "none" };
	struct hostport where;
	enum alg_kind kind;
	struct net_error e;
	char line[600], why[HP_WHYLEN];
	int ctl, code, small = 65536, whole;

	x.sending = strcmp(argv[1], "STOR") == 0;
	x.fault = lookup(fault_names, argv[3], "fault");
	x.where = lookup(where_names, argv[4], "place");
	x.file = x.sending ? open(argv[5], O_RDONLY) :
	    open(argv[5], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (x.file < 0)
		die_errno(EXIT_NOINPUT, "%s", argv[5]);
	if ((ctl = net_connect("127.0.0.1", argv[0], AF_INET, NULL,
	    secs * 1000, &e)) < 0)
		die(e.exit_code, "%s", e.msg);
	if (read_reply(ctl, line, sizeof line) != 220 ||
	    command(ctl, "USER anonymous", line, sizeof line) / 100 == 5 ||
	    command(ctl, "PASS fault@", line, sizeof line) != 230 ||
	    command(ctl, "TYPE I", line, sizeof line) != 200 ||
	    command(ctl, "PASV", line, sizeof line) != 227 ||
	    alg_parse_reply(line, strlen(line), &kind, &where, why,
	    sizeof why) != 1)
		die(EXIT_PROTOCOL, "login or PASV failed: %s", line);
	if ((x.fd = connect_data(&where, x.sending || x.fault != F_STALL ? 0 :
	    small)) < 0)
		die_errno(EXIT_UNAVAILABLE, "data: %s port %u", where.host,
		    where.port);
	snprintf(line, sizeof line, "%s %s", argv[1], argv[2]);
	if ((code = command(ctl, line, line, sizeof line)) / 100 != 1) {
		printf("reply: %s\n", line);
		return 1;
	}
	whole = run_transfer(&x);
	code = read_reply(ctl, line, sizeof line);
	finish_stall(&x);
	report(&x);
	printf("reply: %s\n", code ? line : "(none)");
	if (x.fd >= 0)
		close(x.fd);
	command(ctl, "QUIT", line, sizeof line);
	return whole && code / 100 == 2 ? 0 : 1;
}

/* ---- server ---- */

/* A data port for PASV or EPSV: its reply in line. */
static int
open_data_port(const char *verb, int small_window, char *line, size_t cap)
{
	struct hostport mine;
	struct net_error e;
	int fd = net_listen("127.0.0.1", "0", AF_INET, 1, &e), small = 65536;

	if (fd < 0 || net_local(fd, &mine) < 0)
		die(EXIT_IOERR, "data port: %s", e.msg);
	/* a stalling receiver's small window (the connection inherits it) */
	if (small_window)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	if (strcmp(verb, "EPSV") == 0)
		snprintf(line, cap, "229 Entering Extended Passive Mode "
		    "(|||%u|)", mine.port);
	else
		snprintf(line, cap, "227 Entering Passive Mode (127,0,0,1,"
		    "%u,%u)", mine.port / 256, mine.port % 256);
	return fd;
}

static void
serve_transfer(int ctl, int lfd, struct xfer *x)
{
	struct net_error e;

	send_line(ctl, "150 Here comes the data.");
	if ((x->fd = net_accept(lfd, secs * 1000, NULL, &e)) < 0)
		die(e.exit_code, "data: %s", e.msg);
	if (x->sending)
		lseek(x->file, 0, SEEK_SET);
	run_transfer(x);
	finish_stall(x);
	report(x);
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	if (multiline_226)
		send_line(ctl, "226-Transfer complete.");
	send_line(ctl, multiline_226 ? "226 0.001 seconds (measured here)" :
	    "226 Transfer complete.");
}

static int
server(char **argv)
{
	struct xfer x = { .fd = -1, .end = "none" };
	struct hostport mine;
	struct net_error e;
	char line[600], verb[8];
	int lfd, ctl, dfd = -1;

	x.sending = strcmp(argv[0], "STOR") != 0;
	x.fault = lookup(fault_names, argv[1], "fault");
	x.where = lookup(where_names, argv[2], "place");
	x.file = x.sending ? open(argv[3], O_RDONLY) :
	    open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (x.file < 0)
		die_errno(EXIT_NOINPUT, "%s", argv[3]);
	if ((lfd = net_listen("127.0.0.1", "0", AF_INET, 1, &e)) < 0 ||
	    net_local(lfd, &mine) < 0)
		die(EXIT_IOERR, "listen: %s", e.msg);
	printf("listening on 127.0.0.1 port %u\n", mine.port);
	fflush(stdout);
	if ((ctl = net_accept(lfd, secs * 1000, NULL, &e)) < 0)
		die(e.exit_code, "%s", e.msg);
	send_line(ctl, "220 fault-peer ready.");
	while (read_line(ctl, line, sizeof line)) {
		snprintf(verb, sizeof verb, "%.4s", line);
		if (strcmp(verb, "QUIT") == 0) {
			send_line(ctl, "221 Goodbye.");
			break;
		} else if (strcmp(verb, "USER") == 0)
			send_line(ctl, "331 Any password.");
		else if (strcmp(verb, "PASS") == 0)
			send_line(ctl, "230 Logged in.");
		else if (strcmp(verb, "TYPE") == 0)
			send_line(ctl, "200 Type set.");
		else if (strcmp(verb, "PWD") == 0)
			send_line(ctl, "257 \"/\" is the current folder.");
		else if (strcmp(verb, "CWD ") == 0)
			send_line(ctl, "250 Folder changed.");
		else if (strcmp(verb, "PASV") == 0 ||
		    strcmp(verb, "EPSV") == 0) {
			if (dfd >= 0)
				close(dfd);
			dfd = open_data_port(verb, !x.sending &&
			    x.fault == F_STALL, line, sizeof line);
			send_line(ctl, line);
		} else if (strncmp(verb, argv[0], 4) == 0 && dfd >= 0) {
			serve_transfer(ctl, dfd, &x);
			close(dfd);
			dfd = -1;
		} else
			send_line(ctl, "502 Not here.");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int c, is_client;

	err_set_progname(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		die_usage("usage: fault-peer client|server [-t secs] "
		    "[-m bytes] [-n size] ...");
	is_client = strcmp(argv[1], "client") == 0;
	argv++;
	argc--;
	while ((c = getopt(argc, argv, "t:m:n:M")) != -1) {
		switch (c) {
		case 'M':
			multiline_226 = 1;
			break;
		case 't':
			secs = atoi(optarg);
			break;
		case 'm':
			middle = atoll(optarg);
			break;
		case 'n':
			expect_size = atoll(optarg);
			break;
		default:
			die_usage("bad option");
		}
	}
	alarm((unsigned)secs + 5);	/* the default action ends us */
	argv += optind;
	argc -= optind;
	if (is_client && argc == 6)
		return client(argv);
	if (!is_client && argc == 4)
		return server(argv);
	die_usage("usage: fault-peer client [-t secs] [-m bytes] [-n size] "
	    "PORT VERB PATH FAULT WHERE FILE | server [-t secs] [-m bytes] "
	    "[-n size] [-M] VERB FAULT WHERE FILE");
}
