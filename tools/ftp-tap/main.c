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
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "net.h"
#include "optnum.h"
#include "serve.h"
#include "web.h"
#include "tap.h"

#define TAP_STACK SERVE_STACK(256 * 1024)

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
"               [--max-sessions N] [--log FILE] [--ladder]\n"
"               [--show-passwords] [--wire] [--pcap FILE]\n"
"               [--web ADDR:PORT]\n"
"               SERVER [SERVER_PORT]\n"
"Relay FTP clients that connect to ADDR port PORT (default 127.0.0.1\n"
"port 2100) to SERVER (port 21 unless given), narrating both channels on\n"
"stderr.  Data connections pass through the tap: 227, 229, PORT and EPRT\n"
"are rewritten to ports the tap listens on.\n"
"  -l ADDR              listen on this IPv4 or IPv6 address (::1)\n"
"  -p PORT              listen on PORT; 0 picks a free one\n"
"  -q                   no narration (unless --log)\n"
"  --log FILE           narration to FILE (appended) instead of stderr\n"
"  --ladder             draw the narration as a sequence diagram\n"
"  --show-passwords     narrate PASS and ACCT arguments in clear\n"
"  --wire               lines with their endings, and the TCP events of\n"
"                       all four connections (both legs of each channel)\n"
"  --pcap FILE          write every connection to FILE, a pcap capture\n"
"  --web ADDR:PORT      every session live in a browser (web view)\n"
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
	OPT_LOG, OPT_LADDER, OPT_SHOW_PASSWORDS, OPT_WIRE, OPT_PCAP, OPT_WEB
};

static int narrate_flags = NARRATE_MASK;	/* and the modes asked for */

static const struct option longopts[] = {
	{ "no-alg", no_argument, NULL, OPT_NO_ALG },
	{ "fix-pasv", no_argument, NULL, OPT_FIX_PASV },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "data-timeout", required_argument, NULL, OPT_DATA },
	{ "max-sessions", required_argument, NULL, OPT_MAX_SESSIONS },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "ladder", no_argument, NULL, OPT_LADDER },
	{ "show-passwords", no_argument, NULL, OPT_SHOW_PASSWORDS },
	{ "wire", no_argument, NULL, OPT_WIRE },
	{ "pcap", required_argument, NULL, OPT_PCAP },
	{ "web", required_argument, NULL, OPT_WEB },
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
parse_options(int argc, char **argv)
{
	const char *log = NULL, *pcap = NULL;
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
		case OPT_LADDER: narrate_flags |= NARRATE_LADDER; break;
		case OPT_SHOW_PASSWORDS:
			narrate_flags |= NARRATE_SHOW_PASSWORDS;
			break;
		case OPT_WIRE:
			narrate_flags |= NARRATE_WIRE;
			cfg.wire = 1;
			break;
		case OPT_PCAP: pcap = optarg; break;
		case OPT_WEB: web_option(optarg); break;
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
	cfg.log_fd = narrate_log_fd(log, quiet);
	cfg.pcap = wireview_pcap_option(pcap);
}

/* ---- sessions: a count for the limit; the stop pipe ends them ---- */

static atomic_int nsessions;

/* Takes a place under --max-sessions; -1 when none is left. */
static int
session_begin(void)
{
	if (atomic_fetch_add(&nsessions, 1) < cfg.max_sessions)
		return 0;
	atomic_fetch_sub(&nsessions, 1);
	return -1;
}

/* The last thing a session thread does. */
void
session_end(struct session *s)
{
	free(s);
	atomic_fetch_sub(&nsessions, 1);
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
	s->urgent_at = UINT64_MAX;
	net_local(fd, &s->client_end);
	/* Telnet's urgent DM (before ABOR) stays in the stream, relayed */
	setsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	lb_init(&s->clb, fd, TAP_LINE_CAP);
	if (watching()) {
		s->clb.filter = seen_from_client;
		s->clb.filter_ctx = s;
	}
	reply_init(&s->rp);
	relay_init(&s->ctl);
	data_init(&s->d);
	return s;
}

static void
start_session(int fd, const struct hostport *peer, unsigned id)
{
	char why[128];
	struct session *s;

	if (session_begin() < 0) {
		snprintf(why, sizeof why, "Too many sessions (the limit is "
		    "%d); try again later.", cfg.max_sessions);
		serve_refuse(fd, id, peer, why);
		return;
	}
	if ((s = new_session(fd, peer, id)) == NULL) {
		atomic_fetch_sub(&nsessions, 1);
		serve_refuse(fd, id, peer, "Out of memory.");
		return;
	}
	if (serve_thread(session_main, s, TAP_STACK) < 0) {
		session_end(s);
		serve_refuse(fd, id, peer,
		    "Out of resources; try again later.");
	}
}

static int
session_count(void)
{
	return atomic_load(&nsessions);
}

int
main(int argc, char **argv)
{
	struct net_error e;
	struct hostport here;
	int lfd;

	cli_start(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_options(argc, argv);
	narrate_start(cfg.log_fd, narrate_flags);
	serve_raise_fd_limit();
	serve_setup_signals();
	lfd = net_listen(cfg.listen_addr, cfg.port, AF_UNSPEC, SOMAXCONN, &e);
	if (lfd < 0)
		die(e.exit_code, "%s", e.msg);
	net_local(lfd, &here);
	web_listen(narrate_flags);
	printf("listening on %s port %u\n", here.host, here.port);
	fflush(stdout);
	web_start();
	narrate_printf(0, "relaying %s port %u to %s port %s (%s)", here.host,
	    here.port, cfg.server, cfg.server_port, !cfg.alg ?
	    "--no-alg: control lines unchanged" : cfg.fix_pasv ?
	    "data addresses rewritten, --fix-pasv" :
	    "data addresses rewritten");
	serve_accept_loop(lfd, start_session);
	/* every session sees the stop pipe, answers 421 and ends */
	serve_drain(lfd, session_count, NULL);
	wireview_pcap_end(cfg.pcap);
	return EXIT_OK;
}
