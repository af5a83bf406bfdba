/* ftp-dataconn - the FTP data channel: the second PuTTY window, done right.
 *
 * Passive mode (the server listens, after PASV or EPSV):
 *	ftp-dataconn HOST PORT
 * connects to the port the 227/229 reply named.  Active mode (the client
 * listens, announced with PORT or EPRT):
 *	ftp-dataconn -l [ADDR [PORT]]
 * listens, prints the exact PORT or EPRT line to send on the control
 * channel, and accepts the server's connection.
 *
 * Either way it then copies stdin to the socket and the socket to stdout,
 * both at once.  At the end of stdin it half-closes the connection (FIN):
 * that is how a STOR tells the server the file is complete.  It exits when
 * the server closes, even if stdin is a terminal that never ends: that is
 * how a RETR or LIST ends.  The bytes move through common/pump.c, which
 * uses splice(2) and sendfile(2) where the kernel allows.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "hostport.h"
#include "linebuf.h"
#include "net.h"
#include "optnum.h"
#include "pump.h"
#include "reply.h"
#include "trace.h"

#define HASH_DEFAULT 1024	/* bytes per '#', as ftp(1)'s hash command */
#define PROGRESS_MS 250		/* how often --progress redraws */

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: %s [-46rsv] [-w secs] [options] host port\n"
	    "       %s [-46rsv] [-w secs] [options] host:port\n"
	    "       %s -l [-46rsv] [-w secs] [options] [addr [port]]\n"
	    "\n"
	    "The FTP data connection: connect to the port a 227 or 229 reply\n"
	    "names (passive), or listen for the server (active, -l).  Copies\n"
	    "stdin to the connection and the connection to stdout; at the end\n"
	    "of stdin it half-closes, and it exits when the server closes.\n"
	    "\n"
	    "  -4, -6              IPv4 or IPv6 only\n"
	    "  -l, --listen        active mode: listen on addr (default\n"
	    "                      127.0.0.1, ::1 with -6, or the address\n"
	    "                      facing --from) and port (default 0: any),\n"
	    "                      print the PORT or EPRT line to send on\n"
	    "                      stderr, accept one connection\n"
	    "  --eprt              announce EPRT even for IPv4\n"
	    "  --announce FILE     also write that line to FILE\n"
	    "  --announce-fd N     also write that line to descriptor N, then\n"
	    "                      close it\n"
	    "  --from IP           accept only a connection from IP; others\n"
	    "                      are closed and reported\n"
	    "  --source IP         passive mode: connect from this local\n"
	    "                      address (as nc -s)\n"
	    "  --go FILE           FILE (a FIFO with ftp-raw's replies, or a\n"
	    "                      terminal) says when the server is ready:\n"
	    "                      send nothing before a 1xx reply (or an\n"
	    "                      empty line typed), stop at a 4xx or 5xx;\n"
	    "                      from a FIFO, then also wait for the\n"
	    "                      transfer's final reply (2xx: exit 0)\n"
	    "  --force             write binary data to a terminal anyway\n"
	    "  -r, --recv-only     never read stdin\n"
	    "  -s, --send-only     send all of stdin, then wait for the\n"
	    "                      server to close; never write to stdout\n"
	    "  --no-shutdown       do not half-close at the end of stdin\n"
	    "  -w, --timeout SECS  give up connecting, accepting, or when no\n"
	    "                      byte moves, after SECS seconds (exit 75)\n"
	    "  -a, --ascii         TYPE A: LF to CRLF on send, CRLF to LF on\n"
	    "                      receive (default: byte for byte)\n"
	    "  --hash[=N]          print '#' on stderr per N bytes (1024)\n"
	    "  --progress          bytes, rate and time, on a terminal\n"
	    "  -v, --verbose       the connection's endpoints, and a summary\n"
	    "  -h, --help, -V, --version\n",
	    err_progname(), err_progname(), err_progname());
}

static struct {
	int family;		/* AF_UNSPEC, AF_INET, AF_INET6 */
	int listen, eprt, recv_only, send_only, no_shutdown, ascii;
	int verbose, progress, force;
	int timeout_ms;		/* -w; -1: none */
	const char *go_file;	/* --go */
	unsigned long long hash;	/* bytes per '#'; 0: off */
	const char *announce_file;
	int announce_fd;	/* -1: none */
	struct hostport from;	/* family 0: anyone */
	struct hostport source;	/* family 0: the kernel's choice */
} opt = { .family = AF_UNSPEC, .timeout_ms = -1, .announce_fd = -1 };

enum {
	OPT_EPRT = 256, OPT_ANNOUNCE, OPT_ANNOUNCE_FD, OPT_FROM, OPT_SOURCE,
	OPT_NO_SHUTDOWN, OPT_HASH, OPT_PROGRESS, OPT_GO, OPT_FORCE
};

static const struct option long_options[] = {
	{ "listen", no_argument, NULL, 'l' },
	{ "eprt", no_argument, NULL, OPT_EPRT },
	{ "announce", required_argument, NULL, OPT_ANNOUNCE },
	{ "announce-fd", required_argument, NULL, OPT_ANNOUNCE_FD },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "recv-only", no_argument, NULL, 'r' },
	{ "send-only", no_argument, NULL, 's' },
	{ "no-shutdown", no_argument, NULL, OPT_NO_SHUTDOWN },
	{ "timeout", required_argument, NULL, 'w' },
	{ "ascii", no_argument, NULL, 'a' },
	{ "hash", optional_argument, NULL, OPT_HASH },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "go", required_argument, NULL, OPT_GO },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli front_door = {
	"ftp-dataconn", usage, "46larsw:vhV", long_options
};

static void
parse_options(int argc, char **argv)
{
	char why[HP_WHYLEN];
	int ch;

	while ((ch = cli_next_option(&front_door, argc, argv)) != -1) {
		switch (ch) {
		case '4':
			opt.family = AF_INET;
			break;
		case '6':
			opt.family = AF_INET6;
			break;
		case 'l':
			opt.listen = 1;
			break;
		case 'a':
			opt.ascii = 1;
			break;
		case 'r':
			opt.recv_only = 1;
			break;
		case 's':
			opt.send_only = 1;
			break;
		case 'w':
			opt.timeout_ms = 1000 *
			    (int)opt_number("-w", optarg, 1, 86400);
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case OPT_EPRT:
			opt.eprt = 1;
			break;
		case OPT_ANNOUNCE:
			opt.announce_file = optarg;
			break;
		case OPT_ANNOUNCE_FD:
			opt.announce_fd = (int)opt_number("--announce-fd",
			    optarg, 0, 65535);
			break;
		case OPT_FROM:
			if (hp_set_host(&opt.from, optarg, why, sizeof why) < 0)
				die_usage("--from: %s", why);
			break;
		case OPT_SOURCE:
			if (hp_set_host(&opt.source, optarg, why, sizeof why) < 0)
				die_usage("--source: %s", why);
			break;
		case OPT_NO_SHUTDOWN:
			opt.no_shutdown = 1;
			break;
		case OPT_HASH:
			opt.hash = optarg == NULL ? HASH_DEFAULT :
			    opt_number("--hash", optarg, 1, 1ULL << 40);
			break;
		case OPT_PROGRESS:
			opt.progress = isatty(STDERR_FILENO);
			break;
		case OPT_GO:
			opt.go_file = optarg;
			break;
		case OPT_FORCE:
			opt.force = 1;
			break;
		}
	}
	if (opt.recv_only && opt.send_only)
		die_usage("-r and -s exclude each other");
	if (!opt.listen && (opt.eprt || opt.announce_file ||
	    opt.announce_fd >= 0 || opt.from.family != 0))
		die_usage("--eprt, --announce, --announce-fd and --from "
		    "need -l");
	if (opt.from.family != 0 && opt.family != AF_UNSPEC &&
	    opt.from.family != opt.family)
		die_usage("--from %s is not an address of the family asked for",
		    opt.from.host);
	if (opt.listen && opt.source.family != 0)
		die_usage("--source is for passive mode; with -l, the address "
		    "to listen on is the argument");
	if (opt.source.family != 0 && opt.family != AF_UNSPEC &&
	    opt.source.family != opt.family)
		die_usage("--source %s is not an address of the family asked "
		    "for", opt.source.host);
}

/* ---- --go: the control channel's word on when to send ---- */

static struct {
	int fd;			/* -1: no --go */
	int is_tty;
	int mid_line;		/* the last piece read was not a line's end */
	int started;		/* the transfer's 1xx has been read */
	struct linebuf lb;
	struct reply_parser rp;
	char line[160];		/* the first line of the last reply */
} go = { .fd = -1 };

/* Non-blocking, so opening a FIFO does not wait for its writer (ftp-raw |
 * tee FIFO may start only once the PORT line is out); on Linux a FIFO
 * that never had a writer polls as "nothing yet", not as the end. */
static void
go_open(void)
{
	if (opt.go_file == NULL)
		return;
	go.fd = open(opt.go_file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (go.fd < 0)
		die_errno(EXIT_NOINPUT, "--go %s", opt.go_file);
	go.is_tty = isatty(go.fd);
	lb_init(&go.lb, go.fd, 0);
	reply_init(&go.rp);
}

static void
go_keep_line(const char *line, size_t len)
{
	len = line_chomp(line, len);
	snprintf(go.line, sizeof go.line, "%.*s",
	    (int)(len < sizeof go.line ? len : sizeof go.line - 1), line);
}

/* One piece of a line read from --go; the code of the reply it completes,
 * or 0.  On a terminal every line counts: a reply code of 400 or more
 * (typed as the server said it) is a stop, anything else the go (100).
 * From a FIFO, multi-line replies are one, and ftp-raw -T stamps are
 * skipped. */
static int
go_feed(const char *line, size_t len, int partial)
{
	int first_piece = !go.mid_line, code;
	size_t skip;

	go.mid_line = partial;
	if (!first_piece)
		return 0;
	if (go.is_tty) {
		go_keep_line(line, len);
		code = reply_code_of(line, len);
		return code >= 400 ? code : 100;
	}
	skip = trace_stamp_length(line, len);
	line += skip;
	len -= skip;
	if (!go.rp.in_multiline)
		go_keep_line(line, len);
	return reply_feed(&go.rp, line, len) == REPLY_DONE ? go.rp.code : 0;
}

/* The code of the next complete reply, its first line in go.line; 0 at
 * the end. */
static int
go_next_reply(void)
{
	const char *line;
	size_t len;
	int partial, code;

	for (;;) {
		switch (lb_getline(&go.lb, opt.timeout_ms, &line, &len,
		    &partial)) {
		case LB_EOF:
			return 0;
		case LB_TIMEOUT:
			die(EXIT_TEMPFAIL, "--go %s: no reply for %d s (-w)",
			    opt.go_file, opt.timeout_ms / 1000);
		case LB_ERROR:
			die_errno(EXIT_IOERR, "reading --go %s", opt.go_file);
		case LB_LINE:
			break;
		}
		if ((code = go_feed(line, len, partial)) != 0)
			return code;
	}
}

/* The replies from a FIFO are read to their end before we exit, so
 * whatever writes them (ftp-raw, tee) never meets a closed pipe. */
static void
go_drain(void)
{
	if (go.fd < 0 || go.is_tty)
		return;
	while (go_next_reply() != 0)
		;
}

/* A reply before the transfer has begun: a 1xx is the go, a 4xx or 5xx
 * means it will not happen. */
static void
go_judge(int code)
{
	if (reply_class(code) == 1) {
		go.started = 1;
	} else if (reply_class(code) >= 4) {
		warn_msg("the server refused the transfer, so nothing was "
		    "%s: %s", opt.recv_only ? "received" : "sent", go.line);
		go_drain();
		exit(EXIT_FAILURE_REPLY);
	}
}

/* What --go has ready now, read without waiting: while the server has
 * not connected yet, a refusal must not leave us waiting for it. */
static void
go_read_ready(void)
{
	const char *line;
	size_t len;
	int partial, code;

	if (lb_fill(&go.lb) < 0 && errno != EAGAIN)
		die_errno(EXIT_IOERR, "reading --go %s", opt.go_file);
	while (!go.started && lb_next(&go.lb, &line, &len, &partial))
		if ((code = go_feed(line, len, partial)) != 0)
			go_judge(code);
	if (go.lb.eof && !go.started)
		die(EXIT_IOERR, "--go %s ended before the server connected",
		    opt.go_file);
}

/* Waits until the listening socket has a connection, or the time is up,
 * reading --go meanwhile. */
static void
go_watch_while_listening(int lfd, int timeout_ms)
{
	long long deadline = net_now_ms() + timeout_ms;
	struct pollfd pfd[2];
	int n;

	while (go.fd >= 0 && !go.started) {
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = go.fd;
		pfd[1].events = POLLIN;
		n = poll(pfd, 2, timeout_ms < 0 ? -1 : net_ms_left(deadline));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || pfd[0].revents != 0)
			return;		/* net_accept takes it from here */
		go_read_ready();
	}
}

/* Before the first byte is sent: the server has accepted the transfer
 * command (RFC 959: the data belongs to it).  Some servers connect as soon
 * as PORT arrives and drop data that comes before STOR. */
static void
go_wait_start(void)
{
	int code;

	if (go.fd < 0 || go.started)
		return;
	if (go.is_tty)
		warn_msg("connected; press Enter here once the server has "
		    "said 150");
	while (!go.started && (code = go_next_reply()) != 0)
		go_judge(code);
	if (!go.started)
		die(EXIT_IOERR, "--go %s ended before a 1xx reply: the "
		    "transfer never started", opt.go_file);
}

/* After the data connection: the transfer's final reply says whether the
 * server has it all.  The rest of the replies is read to their end, so
 * whatever writes them (tee) never meets a closed pipe. */
static int
go_final_status(void)
{
	int code, status;

	if (go.fd < 0 || go.is_tty)
		return EXIT_OK;
	go_wait_start();	/* a download looks for its 1xx only now */
	code = go_next_reply();
	if (code == 0)
		die(EXIT_IOERR, "--go %s ended before the transfer's final "
		    "reply", opt.go_file);
	status = reply_class(code) == 2 ? EXIT_OK : EXIT_FAILURE_REPLY;
	if (status != EXIT_OK)
		warn_msg("the server says the transfer failed: %s", go.line);
	return status;
}

/* ---- passive: connect ---- */

static int
connect_passive(const char *host, const char *port_text)
{
	struct hostport to;
	struct net_error e;
	char why[HP_WHYLEN];
	unsigned port;
	int fd;

	if (hp_parse_port_number(port_text, &port, 0, why, sizeof why) < 0)
		die_usage("%s", why);
	if (opt.source.family != 0 && hp_set_host(&to, host, why,
	    sizeof why) == 0 && to.family != opt.source.family)
		die_usage("--source %s and %s are not the same address family",
		    opt.source.host, host);
	fd = net_connect(host, port_text, opt.family,
	    opt.source.family != 0 ? opt.source.host : NULL,
	    opt.timeout_ms >= 0 ? opt.timeout_ms : CONNECT_TIMEOUT * 1000, &e);
	if (fd < 0)
		die(e.exit_code, "%s", e.msg);
	return fd;
}

/* "HOST:PORT" or "[V6]:PORT", as ftp-pasv-calc -f colon prints it. */
static int
connect_colon(const char *arg)
{
	char host[HP_HOSTLEN], port[16], why[HP_WHYLEN];

	if (hp_split_colon(arg, host, sizeof host, port, sizeof port, why,
	    sizeof why) < 0)
		die_usage("%s", why);
	return connect_passive(host, port);
}

/* ---- active: listen, announce, accept ---- */

/* The local address a packet to `to` would leave from: connecting a UDP
 * socket sends nothing but makes the kernel pick the route. */
static int
address_facing(const struct hostport *to, struct hostport *out)
{
	struct addrinfo hints = { .ai_family = to->family,
	    .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai;
	int fd, rc = -1;

	if (getaddrinfo(to->host, "9", &hints, &ai) != 0)
		return -1;
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		rc = net_local(fd, out);
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}

/* Where to listen: ADDR as given, or the address facing --from, or
 * loopback.  The server must be able to connect to it, so no wildcard. */
static void
listen_address(int argc, char **argv, struct hostport *where)
{
	char why[HP_WHYLEN];

	memset(where, 0, sizeof *where);
	if (argc > 2)
		die_usage("-l takes at most an address and a port");
	if (argc >= 1) {
		if (hp_set_host(where, argv[0], why, sizeof why) < 0)
			die_usage("-l %s: %s", argv[0], why);
	} else if (opt.from.family != 0) {
		if (address_facing(&opt.from, where) < 0)
			die(EXIT_UNAVAILABLE, "no route to %s", opt.from.host);
		where->port = 0;	/* not the probe's port */
	} else if (hp_set_host(where, opt.family == AF_INET6 ? "::1" :
	    "127.0.0.1", why, sizeof why) < 0) {
		die(EXIT_SOFTWARE, "%s", why);
	}
	if (opt.family != AF_UNSPEC && where->family != opt.family)
		die_usage("%s is not an address of the family asked for",
		    where->host);
	if (hp_is_unspecified(where->host))
		die_usage("listen on the address the server will connect to, "
		    "not %s", where->host);
	if (argc == 2 &&
	    hp_parse_port_number(argv[1], &where->port, 1, why, sizeof why) < 0)
		die_usage("%s", why);
}

/* The reader of --announce-fd sees the end of it.  Slots 0 to 2 get
 * /dev/null rather than a hole, or the next socket would land there. */
static void
end_announce_fd(int fd)
{
	int null;

	if (fd > 2) {
		close(fd);
		return;
	}
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, fd) < 0)
		die_errno(EXIT_OSERR, "/dev/null");
	close(null);
}

/* Prints the PORT or EPRT line on stderr and where --announce says. */
static void
announce(const struct hostport *local)
{
	char arg[128], line[160];
	int fd, n;

	if (local->family == AF_INET && !opt.eprt) {
		hp_format_port_arg(local, arg, sizeof arg);
		n = snprintf(line, sizeof line, "PORT %s\n", arg);
	} else {
		hp_format_eprt_arg(local, arg, sizeof arg);
		n = snprintf(line, sizeof line, "EPRT %s\n", arg);
	}
	if (opt.verbose)
		warn_msg("listening on %s port %u; send this on the control "
		    "connection:", local->host, local->port);
	fputs(line, stderr);
	if (opt.announce_file != NULL) {
		fd = open(opt.announce_file, O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, line, (size_t)n) != n || close(fd) < 0)
			die_errno(EXIT_CANTCREAT, "--announce %s",
			    opt.announce_file);
	}
	if (opt.announce_fd >= 0) {
		if (write(opt.announce_fd, line, (size_t)n) != n)
			die_errno(EXIT_IOERR, "--announce-fd %d",
			    opt.announce_fd);
		end_announce_fd(opt.announce_fd);
	}
}

/* Accepts the server's connection; with --from, only from that address.
 * -w bounds the whole wait, however many strangers knock first. */
static int
accept_active(int lfd)
{
	long long deadline = net_now_ms() + opt.timeout_ms;
	struct hostport peer;
	struct net_error e;
	int fd, left = opt.timeout_ms;

	for (;;) {
		go_watch_while_listening(lfd, left);
		fd = net_accept(lfd, left, &peer, &e);
		if (fd < 0)
			die(e.exit_code, "%s", e.msg);
		if (opt.from.family == 0 ||
		    hp_same_host(peer.host, opt.from.host))
			return fd;
		warn_msg("refused a connection from %s port %u: only %s may "
		    "connect (--from)", peer.host, peer.port, opt.from.host);
		close(fd);
		if (opt.timeout_ms >= 0)
			left = net_ms_left(deadline);
	}
}

static int
listen_active(int argc, char **argv)
{
	struct hostport where, local;
	struct net_error e;
	char port[8];
	int lfd, fd;

	listen_address(argc, argv, &where);
	snprintf(port, sizeof port, "%u", where.port);
	if ((lfd = net_listen(where.host, port, where.family, 4, &e)) < 0)
		die(e.exit_code, "%s", e.msg);
	if (net_local(lfd, &local) < 0)
		die_errno(EXIT_OSERR, "getsockname");
	announce(&local);
	fd = accept_active(lfd);
	close(lfd);
	return fd;
}

/* ---- the copy loop ---- */

struct transfer {
	struct pump_chan up;	/* stdin -> socket */
	struct pump_chan down;	/* socket -> stdout (/dev/null with -s) */
	int up_open, down_open;
	int sock;
	int looked;		/* the first bytes received were looked at */
	struct timespec started;
	unsigned long long marks;	/* '#' printed so far */
	long long progress_drawn;	/* net_now_ms of the last redraw */
};

static double
seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static uint64_t
bytes_moved(const struct transfer *t)
{
	return t->up.bytes_out + t->down.bytes_in;
}

static void
show_hash_marks(struct transfer *t)
{
	static const char row[] = "################################";
	unsigned long long due = bytes_moved(t) / opt.hash, n;

	while (t->marks < due) {
		n = due - t->marks;
		if (n > sizeof row - 1)
			n = sizeof row - 1;
		fwrite(row, 1, (size_t)n, stderr);
		t->marks += n;
	}
}

static void
show_progress(struct transfer *t, int last)
{
	long long now = net_now_ms();
	double secs = seconds_since(&t->started);
	uint64_t n = bytes_moved(t);

	if (!last && now - t->progress_drawn < PROGRESS_MS)
		return;
	t->progress_drawn = now;
	fprintf(stderr, "\r%14llu bytes  %9.2f MB/s  %8.1f s%s",
	    (unsigned long long)n, secs > 0 ? (double)n / secs / 1e6 : 0.0,
	    secs, last ? "\n" : "");
}

/* Ends the program: the hash marks' and progress line's newline, the -v
 * summary, then the exit status. */
static void __attribute__((noreturn))
finish(struct transfer *t, int code)
{
	double secs = seconds_since(&t->started);
	uint64_t n = bytes_moved(t);

	if (opt.hash && t->marks > 0)
		fputc('\n', stderr);
	if (opt.progress)
		show_progress(t, 1);
	if (opt.verbose)
		warn_msg("received %llu bytes, sent %llu bytes in %.3f s "
		    "(%.2f MB/s; receiving by %s, sending by %s)",
		    (unsigned long long)t->down.bytes_in,
		    (unsigned long long)t->up.bytes_out, secs,
		    secs > 0 ? (double)n / secs / 1e6 : 0.0,
		    pump_method_name(t->down.method),
		    pump_method_name(t->up.method));
	go_drain();
	exit(code);
}

static void
step_up(struct transfer *t)
{
	switch (pump_chan_step(&t->up)) {
	case PUMP_STEP_EOF:
		/* the FIN: end of the file for a STOR */
		t->up_open = 0;
		if (!opt.no_shutdown && shutdown(t->sock, SHUT_WR) < 0 &&
		    errno != ENOTCONN) {
			warn_errno("shutdown");
			finish(t, EXIT_IOERR);
		}
		break;
	case PUMP_STEP_ERROR:
		if (t->up.write_failed)
			warn_msg("connection lost after %llu bytes sent: %s",
			    (unsigned long long)t->up.bytes_out,
			    strerror(t->up.err));
		else
			warn_msg("reading stdin: %s", strerror(t->up.err));
		finish(t, EXIT_IOERR);
	default:
		break;
	}
}

/* The server closed while stdin still had bytes for it: an upload cut
 * short (426 after a stall, an ABOR, the server gone). */
static void __attribute__((noreturn))
upload_cut(struct transfer *t)
{
	warn_msg("the server closed the connection after %llu bytes sent, "
	    "before the end of stdin", (unsigned long long)t->up.bytes_out);
	finish(t, EXIT_IOERR);
}

/* Text has no control bytes but tab, line ends, form feed and escape
 * (colours); a NUL or any other one means a file for disk, not a screen. */
static int
looks_binary(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == 0 || c == 0x7f ||
		    (c < 0x20 && strchr("\t\n\r\f\033", c) == NULL))
			return 1;
	}
	return 0;
}

/* The first bytes received, before they go anywhere: a greeting means the
 * control port was given for the data port, and binary bytes would garble
 * a terminal.  MSG_PEEK leaves them in the socket for the pump. */
static void
look_at_first_bytes(struct transfer *t)
{
	char buf[512];
	ssize_t n = recv(t->sock, buf, sizeof buf, MSG_PEEK);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;		/* nothing yet: look next time */
	t->looked = 1;
	if (n <= 0)
		return;		/* the end, or an error: the pump reports it */
	if (!opt.listen && n >= 4 && memcmp(buf, "220", 3) == 0 &&
	    (buf[3] == ' ' || buf[3] == '-'))
		warn_msg("warning: this looks like an FTP greeting (220): "
		    "that is the control port; the data port is the one the "
		    "227 or 229 reply names");
	if (!opt.force && !opt.send_only && isatty(STDOUT_FILENO) &&
	    looks_binary(buf, (size_t)n)) {
		warn_msg("binary data, and stdout is a terminal: redirect it "
		    "(> FILE), or give --force");
		finish(t, EXIT_USAGE);
	}
}

static void
step_down(struct transfer *t)
{
	if (!t->looked)
		look_at_first_bytes(t);
	switch (pump_chan_step(&t->down)) {
	case PUMP_STEP_EOF:
		t->down_open = 0;	/* the server closed: done */
		if (opt.send_only && t->up_open)
			upload_cut(t);
		break;
	case PUMP_STEP_ERROR:
		if (t->down.write_failed)
			warn_msg("writing stdout: %s", strerror(t->down.err));
		else
			warn_msg("connection lost while receiving: %s",
			    strerror(t->down.err));
		finish(t, EXIT_IOERR);
	default:
		break;
	}
}

static void
open_channels(struct transfer *t, int sock)
{
	int out = STDOUT_FILENO;

	memset(t, 0, sizeof *t);
	t->sock = sock;
	if (opt.send_only && (out = open("/dev/null", O_WRONLY |
	    O_CLOEXEC)) < 0)
		die_errno(EXIT_OSERR, "/dev/null");
	if (pump_chan_open(&t->down, sock, out,
	    opt.ascii ? PUMP_CRLF_TO_LF : PUMP_BINARY) < 0 ||
	    pump_chan_open(&t->up, STDIN_FILENO, sock,
	    opt.ascii ? PUMP_LF_TO_CRLF : PUMP_BINARY) < 0)
		die_errno(EXIT_OSERR, "starting the copy");
	t->down_open = 1;
	t->up_open = !opt.recv_only;
	clock_gettime(CLOCK_MONOTONIC, &t->started);
}

/* Hash marks and the progress line, when asked for. */
static void
show_meters(struct transfer *t)
{
	if (opt.hash)
		show_hash_marks(t);
	if (opt.progress)
		show_progress(t, 0);
}

/* Only the receiving is left, and no -w: plain blocking reads and writes,
 * as fast as a read/write loop, with no poll(2) between them. */
static void
receive_rest(struct transfer *t)
{
	if (net_set_nonblocking(t->sock, 0) < 0)
		die_errno(EXIT_OSERR, "fcntl");
	while (t->down_open) {
		step_down(t);
		show_meters(t);
	}
}

/* -w seconds went by with no byte moved either way. */
static void __attribute__((noreturn))
stalled(struct transfer *t)
{
	warn_msg("no data moved for %d s (-w)", opt.timeout_ms / 1000);
	finish(t, EXIT_TEMPFAIL);
}

/* Both directions over one poll(2) until the server closes (with -s:
 * and stdin ends).  The socket is non-blocking, so a full send buffer
 * never stops the receiving. */
static void
copy_loop(struct transfer *t)
{
	struct pollfd pfd[2];
	int n;

	if (net_set_nonblocking(t->sock, 1) < 0)
		die_errno(EXIT_OSERR, "fcntl");
	while (t->down_open || (opt.send_only && t->up_open)) {
		if (!t->up_open && opt.timeout_ms < 0) {
			receive_rest(t);
			return;
		}
		pump_chan_pollfd(&t->up, &pfd[0]);
		if (!t->up_open)
			pfd[0].fd = -1;
		pump_chan_pollfd(&t->down, &pfd[1]);
		if (!t->down_open)
			pfd[1].fd = -1;
		n = poll(pfd, 2, opt.timeout_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno(EXIT_OSERR, "poll");
		if (n == 0)
			stalled(t);
		if (pfd[0].revents != 0)
			step_up(t);
		if (pfd[1].revents != 0)
			step_down(t);
		show_meters(t);
	}
}

/* How long, after the server closed, an upload's stdin may take to show
 * its end: `printf ... | ftp-dataconn` has written everything, but its
 * writer may not have exited (closing the pipe) yet. */
#define STDIN_END_GRACE_MS 500

/* The server closed its side.  What stdin has ready now still goes out:
 * a peer that only half-closed takes it, and a server that closed for
 * good answers with a reset, reported as a lost connection, so no byte
 * disappears without a word.  Beyond a short grace for an upload's end,
 * nothing more is waited for: stdin may be a terminal or a pipe that
 * never ends. */
static void
send_what_is_ready(struct transfer *t)
{
	struct pollfd pfd;
	int n, wait;

	while (t->up_open) {
		pump_chan_pollfd(&t->up, &pfd);
		wait = pfd.fd == t->sock ? opt.timeout_ms :
		    t->up.bytes_out > 0 ? STDIN_END_GRACE_MS : 0;
		n = poll(&pfd, 1, wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno(EXIT_OSERR, "poll");
		if (n == 0 && pfd.fd != t->sock)
			break;
		if (n == 0)
			stalled(t);
		step_up(t);
	}
	if (opt.send_only && t->down.bytes_in > 0)
		warn_msg("ignored %llu bytes from the server (-s)",
		    (unsigned long long)t->down.bytes_in);
	/* stdin still open after sending: cut short.  Nothing ever sent
	 * and stdin idle is a download with stdin left on a terminal. */
	if (t->up_open && t->up.bytes_out > 0)
		upload_cut(t);
}

static void
show_endpoints(int sock)
{
	struct hostport local, peer;

	if (net_local(sock, &local) < 0 || net_peer(sock, &peer) < 0)
		return;
	warn_msg("%s %s port %u, local %s port %u", opt.listen ?
	    "accepted a connection from" : "connected to", peer.host,
	    peer.port, local.host, local.port);
}

int
main(int argc, char **argv)
{
	struct transfer t;
	int sock;

	cli_start(argv[0]);
	signal(SIGPIPE, SIG_IGN);	/* a gone reader: a status, not death */
	parse_options(argc, argv);
	argc -= optind;
	argv += optind;
	if (!opt.send_only)
		cli_need_stdout("the bytes received are written there "
		    "(-s: send only)");

	go_open();
	if (opt.listen)
		sock = listen_active(argc, argv);
	else if (argc == 2)
		sock = connect_passive(argv[0], argv[1]);
	else if (argc == 1)
		sock = connect_colon(argv[0]);
	else
		die_usage("give the host and port to connect to (or host:port), "
		    "or -l");
	if (opt.verbose)
		show_endpoints(sock);

	open_channels(&t, sock);
	if (!opt.recv_only)
		go_wait_start();
	copy_loop(&t);
	send_what_is_ready(&t);
	finish(&t, go_final_status());
}
