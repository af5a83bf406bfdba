/* ftp-tap - a relay between any FTP client and any FTP server that
 * narrates both channels, the way a NAT router's FTP helper (an
 * application-level gateway) sees them.
 *
 * Reading order: usage(), the options, then main(): listen, print
 * "listening on HOST port PORT", and accept.  Each client gets a thread
 * running session_main() (session.c), which connects to the server and
 * relays the session in one poll loop.  A thread per session, as in
 * ftp-labd: sessions share only the read-only configuration and a count,
 * each session's code stays a plain loop over its own descriptors, and
 * an idle thread costs a small stack.  SIGINT and SIGTERM stop the accept
 * loop; every session then answers 421 and ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "net.h"
#include "optnum.h"
#include "tap.h"
#include "trace.h"

/* Thread stacks: small, but the sanitizers need far more per frame. */
#if defined(__SANITIZE_ADDRESS__)
#define TAP_STACK (1024 * 1024)
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TAP_STACK (1024 * 1024)
#endif
#endif
#ifndef TAP_STACK
#define TAP_STACK (256 * 1024)
#endif

struct config cfg = {
	.listen_addr = "127.0.0.1",
	.port = "2100",
	.server_port = "21",
	.alg = 1,
	.idle_timeout = 300,
	.data_timeout = 60,
	.max_sessions = 500,
	.log_fd = 2,
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ftp-tap [-q] [-l ADDR] [-p PORT] [--no-alg] [--fix-pasv]\n"
"               [--idle-timeout SECS] [--data-timeout SECS]\n"
"               [--max-sessions N] [--log FILE] SERVER [SERVER_PORT]\n"
"Relay FTP clients that connect to ADDR port PORT (default 127.0.0.1\n"
"port 2100) to SERVER (port 21 unless given), narrating both channels on\n"
"stderr.  Data connections pass through the tap: 227, 229, PORT and EPRT\n"
"are rewritten to ports the tap listens on.\n"
"  -l ADDR              listen on this IPv4 or IPv6 address (::1)\n"
"  -p PORT              listen on PORT; 0 picks a free one\n"
"  -q                   no narration (unless --log)\n"
"  --log FILE           narration to FILE (appended) instead of stderr\n"
"  --no-alg             relay the control channel unchanged, as a NAT\n"
"                       without an FTP helper does\n"
"  --fix-pasv           connect to the server's own address when a 227\n"
"                       names another (curl's --ftp-skip-pasv-ip)\n"
"  --idle-timeout SECS  421 after SECS with nothing on either channel\n"
"                       (default 300)\n"
"  --data-timeout SECS  the longest wait for a data or server connection,\n"
"                       and the longest stall of a transfer (default 60)\n"
"  --max-sessions N     421 to clients over N sessions (default 500)\n"
"  --help, --version\n");
}

/* ---- options ---- */

enum {
	OPT_NO_ALG = 256, OPT_FIX_PASV, OPT_IDLE, OPT_DATA, OPT_MAX_SESSIONS,
	OPT_LOG
};

static const struct option longopts[] = {
	{ "no-alg", no_argument, NULL, OPT_NO_ALG },
	{ "fix-pasv", no_argument, NULL, OPT_FIX_PASV },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "data-timeout", required_argument, NULL, OPT_DATA },
	{ "max-sessions", required_argument, NULL, OPT_MAX_SESSIONS },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli front_door = {
	"ftp-tap", usage, "l:p:qhV", longopts
};

static void
set_listen_address(const char *text)
{
	struct hostport hp;
	char why[HP_WHYLEN];

	if (hp_set_host(&hp, text, why, sizeof why) < 0)
		die_usage("-l: %s", why);
	snprintf(cfg.listen_addr, sizeof cfg.listen_addr, "%s", hp.host);
}

static void
open_log(const char *path)
{
	cfg.log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644);
	if (cfg.log_fd < 0)
		die_errno(EXIT_CANTCREAT, "--log %s", path);
}

static void
parse_options(int argc, char **argv)
{
	const char *log = NULL;
	int c, quiet = 0;

	while ((c = cli_next_option(&front_door, argc, argv)) != -1) {
		switch (c) {
		case 'l': set_listen_address(optarg); break;
		case 'p':
			opt_number("-p", optarg, 0, 65535);
			cfg.port = optarg;
			break;
		case 'q': quiet = 1; break;
		case OPT_NO_ALG: cfg.alg = 0; break;
		case OPT_FIX_PASV: cfg.fix_pasv = 1; break;
		case OPT_IDLE:
			cfg.idle_timeout = (int)opt_number("--idle-timeout",
			    optarg, 1, 86400);
			break;
		case OPT_DATA:
			cfg.data_timeout = (int)opt_number("--data-timeout",
			    optarg, 1, 86400);
			break;
		case OPT_MAX_SESSIONS:
			cfg.max_sessions = (int)opt_number("--max-sessions",
			    optarg, 1, 100000);
			break;
		case OPT_LOG: log = optarg; break;
		}
	}
	if (optind >= argc)
		die_usage("no SERVER given");
	cfg.server = argv[optind++];
	if (optind < argc) {
		opt_number("SERVER_PORT", argv[optind], 1, 65535);
		cfg.server_port = argv[optind++];
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (cfg.fix_pasv && !cfg.alg)
		die_usage("--fix-pasv rewrites 227 replies, which --no-alg "
		    "leaves alone: give one of them");
	if (log != NULL)
		open_log(log);
	else if (quiet)
		cfg.log_fd = -1;
}

/* ---- the registry of sessions, for the limit and for shutdown ---- */

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct session *sessions;
static int nsessions;

/* Written once when the tap stops and never read, so it stays readable:
 * every session has it in its poll set and sees the stop at once. */
static int stop_pipe[2] = { -1, -1 };

int
tap_stop_fd(void)
{
	return stop_pipe[0];
}

static int
register_session(struct session *s)
{
	int ok;

	pthread_mutex_lock(&reg_lock);
	ok = nsessions < cfg.max_sessions;
	if (ok) {
		s->next = sessions;
		if (sessions != NULL)
			sessions->prev = s;
		sessions = s;
		nsessions++;
	}
	pthread_mutex_unlock(&reg_lock);
	return ok ? 0 : -1;
}

/* The last thing a session thread does. */
void
session_end(struct session *s)
{
	pthread_mutex_lock(&reg_lock);
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	nsessions--;
	pthread_mutex_unlock(&reg_lock);
	free(s);
}

static int
session_count(void)
{
	int n;

	pthread_mutex_lock(&reg_lock);
	n = nsessions;
	pthread_mutex_unlock(&reg_lock);
	return n;
}

/* ---- accepting ---- */

static struct session *
new_session(int fd, const struct hostport *peer, unsigned id)
{
	struct session *s = calloc(1, sizeof *s);
	int one = 1;

	if (s == NULL)
		return NULL;
	s->id = id;
	s->cfd = fd;
	s->sfd = -1;
	s->client = *peer;
	net_local(fd, &s->client_end);
	/* Telnet's urgent DM (before ABOR) stays in the stream, relayed */
	setsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	lb_init(&s->clb, fd, TAP_LINE_CAP);
	reply_init(&s->rp);
	relay_init(&s->ctl);
	data_init(&s->d);
	return s;
}

static void
refuse(int fd, unsigned id, const struct hostport *peer, const char *why)
{
	char text[256];
	int n = snprintf(text, sizeof text, "421 %s\r\n", why);

	narrate(id, "connect from %s port %u refused: %s", peer->host,
	    peer->port, why);
	(void)!write(fd, text, (size_t)n);
	close(fd);
}

static void
start_session(int fd, const struct hostport *peer, unsigned id,
    pthread_attr_t *attr)
{
	char why[128];
	pthread_t t;
	struct session *s = new_session(fd, peer, id);

	if (s == NULL) {
		refuse(fd, id, peer, "Out of memory.");
		return;
	}
	if (register_session(s) < 0) {
		free(s);
		snprintf(why, sizeof why, "Too many sessions (the limit is "
		    "%d); try again later.", cfg.max_sessions);
		refuse(fd, id, peer, why);
		return;
	}
	if (pthread_create(&t, attr, session_main, s) != 0) {
		session_end(s);
		refuse(fd, id, peer, "Out of resources; try again later.");
	}
}

static void
on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	(void)!write(stop_pipe[1], "x", 1);
	errno = saved;
}

static void
setup_signals(void)
{
	struct sigaction sa;

	if (pipe(stop_pipe) < 0)
		die_errno(EXIT_OSERR, "pipe");
	fcntl(stop_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(stop_pipe[1], F_SETFD, FD_CLOEXEC);
	fcntl(stop_pipe[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a vanished peer is an EPIPE */
}

/* Each session holds up to six descriptors and two pipes. */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
accept_loop(int lfd)
{
	struct pollfd pfd[2] = { { .fd = lfd, .events = POLLIN },
	    { .fd = stop_pipe[0], .events = POLLIN } };
	pthread_attr_t attr;
	unsigned id = 0;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, TAP_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		struct hostport peer;
		struct net_error e;
		int fd;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			die_errno(EXIT_OSERR, "poll");
		if (pfd[1].revents != 0)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = net_accept(lfd, 0, &peer, &e);
		if (fd < 0) {	/* EMFILE and friends: pause, go on */
			narrate(0, "%s", e.msg);
			poll(NULL, 0, 100);
			continue;
		}
		start_session(fd, &peer, ++id, &attr);
	}
	pthread_attr_destroy(&attr);
}

/* Every session sees the stop pipe, answers 421 and ends; wait for them,
 * a bounded time. */
static void
stop_tap(int lfd)
{
	int i;

	close(lfd);
	narrate(0, "stopping: closing %d session(s)", session_count());
	for (i = 0; i < 500 && session_count() > 0; i++)
		poll(NULL, 0, 10);
	narrate(0, "stopped");
}

int
main(int argc, char **argv)
{
	struct net_error e;
	struct hostport here;
	int lfd;

	cli_start(argv[0]);
	trace_start();
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_options(argc, argv);
	raise_fd_limit();
	setup_signals();
	lfd = net_listen(cfg.listen_addr, cfg.port, AF_UNSPEC, SOMAXCONN, &e);
	if (lfd < 0)
		die(e.exit_code, "%s", e.msg);
	net_local(lfd, &here);
	printf("listening on %s port %u\n", here.host, here.port);
	fflush(stdout);
	narrate(0, "relaying %s port %u to %s port %s (%s)", here.host,
	    here.port, cfg.server, cfg.server_port, !cfg.alg ?
	    "--no-alg: control lines unchanged" : cfg.fix_pasv ?
	    "data addresses rewritten, --fix-pasv" :
	    "data addresses rewritten");
	accept_loop(lfd);
	stop_tap(lfd);
	return EXIT_OK;
}
