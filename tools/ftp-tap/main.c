/* ftp-tap - a relay between any FTP client and any FTP server that
 * narrates both channels, the way a NAT router's FTP helper (an
 * application-level gateway) sees them.
 *
 * Reading order: usage(), the options (those ftp-labd takes too are read
 * by common/serve), then main(): listen, print "listening on HOST port
 * PORT", and accept.  Each client gets a thread
 * running session_main() (session.c), which connects to the server and
 * relays the session in one poll loop.  A thread per session, as in
 * ftp-labd: sessions share only the read-only configuration and a count,
 * each session's code stays a plain loop over its own descriptors, and
 * an idle thread costs a small stack.  SIGINT and SIGTERM stop the accept
 * loop; every session then answers 421 and ends.
 */
#include <stdio.h>

#include "cli.h"
#include "err.h"
#include "optnum.h"
#include "serve.h"
#include "tap.h"

#define TAP_STACK SERVE_STACK(256 * 1024)

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ftp-tap [-q] [-l ADDR] [-p PORT] [--no-alg] [--fix-pasv]\n"
"               [--idle-timeout SECS] [--data-timeout SECS]\n"
"               [--max-sessions N] [--log FILE] [--ladder]\n"
"               [--show-passwords] [--wire] [--pcap FILE]\n"
"               [--web ADDR:PORT] SERVER [SERVER_PORT]\n"
"Relay FTP clients that connect to ADDR port PORT (default 127.0.0.1\n"
"port 2100) to SERVER (port 21 unless given), narrating both channels on\n"
"stderr.  Data connections pass through the tap: 227, 229, PORT and EPRT\n"
"are rewritten to ports the tap listens on.\n"
"  -l ADDR              listen on this IPv4 or IPv6 address (::1)\n"
"  -p PORT              listen on PORT; 0 picks a free one\n"
"  -q                   no narration (unless --log)\n"
"  --log FILE           narration to FILE (appended) instead of stderr\n"
"  --ladder             draw the narration as a sequence diagram\n"
"  --web ADDR:PORT      every session live in a browser (web view)\n"
"  --show-passwords     narrate PASS and ACCT arguments in clear\n"
"  --wire               lines with their endings, and the TCP events of\n"
"                       all four connections (both legs of each channel)\n"
"  --pcap FILE          write every connection to FILE, a pcap capture\n"
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

enum { OPT_NO_ALG = 256, OPT_FIX_PASV };

static const struct option longopts[] = {
	{ "no-alg", no_argument, NULL, OPT_NO_ALG },
	{ "fix-pasv", no_argument, NULL, OPT_FIX_PASV },
	SERVE_LONGOPTS,
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli front_door = {
	"ftp-tap", usage, SERVE_SHORTOPTS "hV", longopts
};

static void
parse_options(int argc, char **argv)
{
	int c;

	while ((c = cli_next_option(&front_door, argc, argv)) != -1) {
		if (serve_option(&cfg.serve, c, optarg))
			continue;
		switch (c) {
		case OPT_NO_ALG: cfg.alg = 0; break;
		case OPT_FIX_PASV: cfg.fix_pasv = 1; break;
		}
	}
	if (optind >= argc)
		die_usage("no SERVER given");
	cfg.server = argv[optind++];
	if (cfg.server[0] == '\0')
		die_usage("SERVER is empty: give a host name or an address");
	if (optind < argc) {
		opt_number("SERVER_PORT", argv[optind], 1, 65535);
		cfg.server_port = argv[optind++];
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (cfg.fix_pasv && !cfg.alg)
		die_usage("--fix-pasv rewrites 227 replies, which --no-alg "
		    "leaves alone: give one of them");
	serve_options_end(&cfg.serve);
}

/* ---- accepting ---- */

static void
start_session(int fd, const struct hostport *peer, unsigned id)
{
	struct session *s;

	if (serve_admit(cfg.max_sessions, fd, peer, id) < 0)
		return;
	if ((s = session_new(fd, peer, id)) == NULL) {
		serve_leave();
		serve_refuse(fd, id, peer, "Out of memory.");
		return;
	}
	if (serve_thread(session_main, s, TAP_STACK) < 0) {
		session_end(s);
		serve_refuse(fd, id, peer,
		    "Out of resources; try again later.");
	}
}

int
main(int argc, char **argv)
{
	struct hostport here;
	int lfd;

	cli_start(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_options(argc, argv);
	serve_narrate_start(&cfg.serve, 0);
	serve_raise_fd_limit();
	serve_setup_signals();
	lfd = serve_listen(&cfg.serve, &here);
	serve_announce(&here);
	narrate_printf(0, "relaying %s port %u to %s port %s (%s)", here.host,
	    here.port, cfg.server, cfg.server_port, !cfg.alg ?
	    "--no-alg: control lines unchanged" : cfg.fix_pasv ?
	    "data addresses rewritten, --fix-pasv" :
	    "data addresses rewritten");
	serve_accept_loop(lfd, start_session);
	/* every session sees the stop pipe, answers 421 and ends */
	serve_drain(&cfg.serve, lfd, NULL);
	return EXIT_OK;
}
