/* ftp-pasv-calc - the port arithmetic of FTP data connections.
 *
 * Forward: a 227 or 229 reply (argument, or lines on stdin) becomes the host
 * and port to connect the data channel to:
 *	227 Entering Passive Mode (192,168,150,90,195,149)  ->  192.168.150.90 50069
 * because the port is p1*256+p2 = 195*256+149.  Reverse: a host and port
 * become the argument of PORT or EPRT, for active mode.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "hostport.h"
#include "linebuf.h"
#include "reply.h"
#include "trace.h"

#define MAX_REPLY_ARG 65536

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: ftp-pasv-calc [-e] [-H host] [-f format] [reply ...]\n"
	    "       ftp-pasv-calc [-e] --port host port\n"
	    "       ftp-pasv-calc [-e] --eprt host port\n"
	    "\n"
	    "Turn a 227 or 229 reply into the data connection's host and port,\n"
	    "or a host and port into a PORT or EPRT command.  With no reply\n"
	    "argument, read a transcript on stdin and answer each 227/229 line.\n"
	    "\n"
	    "  -e, --explain        show the working on stderr\n"
	    "  -H, --host HOST      the control connection's host: used for 229,\n"
	    "                       and instead of the address a 227 advertises\n"
	    "  -f, --format FORMAT  plain (\"HOST PORT\", the default), colon\n"
	    "                       (\"HOST:PORT\", \"[v6]:PORT\") or shell\n"
	    "                       (FTP_DATA_HOST=... FTP_DATA_PORT=...)\n"
	    "  -p, --port HOST PORT print \"PORT h1,h2,h3,h4,p1,p2\" (IPv4)\n"
	    "  -E, --eprt HOST PORT print \"EPRT |1|HOST|PORT|\" or |2| for IPv6\n"
	    "  -h, --help           this help\n"
	    "  -V, --version        the version\n");
}

static struct {
	int explain;
	const char *host;	/* --host, or NULL */
	enum hp_style style;
} opt = { 0, NULL, HP_STYLE_SPACE };

static enum hp_style
parse_format(const char *name)
{
	if (strcmp(name, "plain") == 0)
		return HP_STYLE_SPACE;
	if (strcmp(name, "colon") == 0)
		return HP_STYLE_COLON;
	if (strcmp(name, "shell") == 0)
		return HP_STYLE_SHELL;
	die_usage("unknown format '%s' (use plain, colon or shell)", name);
}

/* The host ends up in "eval"-able output: letters, digits and . : - _ %
 * are all a name or an address can need. */
static const char *
check_host(const char *host)
{
	size_t n = strlen(host);

	if (n == 0 || n > 253 ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.:-_%") != n)
		die_usage("invalid host '%.64s'", host);
	return host;
}

/* What to say when a 227 names another address than the control host. */
static void
warn_advertised(const char *advertised)
{
	if (hp_is_unspecified(advertised)) {
		if (opt.host)
			warn_msg("warning: the server advertised %s (no "
			    "address); using %s", advertised, opt.host);
		else
			warn_msg("warning: the server advertised %s, which is "
			    "not an address to connect to; give the server's "
			    "address with --host", advertised);
		return;
	}
	if (opt.host == NULL || hp_same_host(advertised, opt.host))
		return;
	if (hp_is_private(advertised))
		warn_msg("warning: the server advertised the private address "
		    "%s, not %s (a server behind NAT?); using %s", advertised,
		    opt.host, opt.host);
	else
		warn_msg("warning: the server advertised %s, not %s; using %s",
		    advertised, opt.host, opt.host);
}

static void
explain_227(const struct hp_six *six, const struct hostport *hp)
{
	char math[64];

	hp_port_arithmetic(hp->port, math, sizeof math);
	fprintf(stderr,
	    "227: the six numbers are %u,%u,%u,%u,%u,%u\n"
	    "  the first four are the server's address: %u.%u.%u.%u\n"
	    "  the last two are the port, p1=%u and p2=%u: p1*256+p2 = %s\n",
	    six->n[0], six->n[1], six->n[2], six->n[3], six->n[4], six->n[5],
	    six->n[0], six->n[1], six->n[2], six->n[3], six->n[4], six->n[5],
	    math);
}

static void
explain_229(const struct hostport *hp, char delim)
{
	fprintf(stderr,
	    "229: between the four '%c' delimiters are three fields: network\n"
	    "  protocol (empty), address (empty) and port (%u).  The empty\n"
	    "  address means: the host the control connection goes to%s%s.\n",
	    delim, hp->port, opt.host ? ", " : "", opt.host ? opt.host : "");
}

static void
explain_connect(const struct hostport *hp)
{
	fprintf(stderr, "  connect the data channel to %s port %u\n",
	    hp->host, hp->port);
}

static void
print_result(const struct hostport *hp)
{
	char out[HP_HOSTLEN + 512];

	hp_format(hp, opt.style, out, sizeof out);
	printf("%s\n", out);
	flush_stdout();		/* per result: a pipe reader sees it now */
}

/* The host a 229 (or a 227 with --host) goes to: --host as given. */
static void
use_control_host(struct hostport *hp)
{
	char why[HP_WHYLEN];

	if (opt.host == NULL)
		return;
	if (hp_set_host(hp, opt.host, why, sizeof why) < 0) {
		/* a name: keep it as typed */
		hp->family = 0;
		snprintf(hp->host, sizeof hp->host, "%s", opt.host);
	}
}

/* Which grammar a reply's text is in: its code says so, or else its first
 * character after blanks and '(': a digit starts the six numbers of a 227,
 * a punctuation mark the delimiters of a 229.  0: neither, not a reply. */
static int
reply_kind(const char *text, size_t len)
{
	int code = reply_code_of(text, len);
	size_t i;

	if (code >= 0)
		return code;
	for (i = 0; i < len && (text[i] == ' ' || text[i] == '('); i++)
		;
	if (i < len && text[i] >= '0' && text[i] <= '9')
		return 227;
	if (i < len && text[i] > ' ' && text[i] < 0x7f &&
	    !isalpha((unsigned char)text[i]))
		return 229;
	return 0;
}

/* Parses one reply and prints its result.  0, or -1 with why filled. */
static int
calc_reply(const char *text, size_t len, char *why, size_t whylen)
{
	struct hostport hp;
	struct hp_six six;
	char delim = '|';
	int code;

	while (len > 0 && (*text == ' ' || *text == '\t')) {	/* " 229 ..." */
		text++;
		len--;
	}
	code = reply_kind(text, len);

	if (code == 0) {
		snprintf(why, whylen, "not a reply: expected \"227 ... "
		    "(h1,h2,h3,h4,p1,p2)\" or \"229 ... (|||port|)\"");
		return -1;
	}
	if (code != 227 && code != 229) {
		snprintf(why, whylen, "not a 227 or 229 reply (code %03d)",
		    code);
		return -1;
	}
	if (code == 229) {
		if (hp_parse_229(text, len, &hp, &delim, why, whylen) < 0)
			return -1;
		if (opt.explain)
			explain_229(&hp, delim);
		/* a 229 names only the port: "read -r host port" must not
		 * get the port as the host */
		if (opt.host == NULL)
			die(EXIT_USAGE, "a 229 reply names no host: give the "
			    "control connection's host with -H HOST");
	} else {
		if (hp_parse_227(text, len, &hp, &six, why, whylen) < 0)
			return -1;
		if (opt.explain)
			explain_227(&six, &hp);
		warn_advertised(hp.host);
	}
	use_control_host(&hp);
	if (opt.explain)
		explain_connect(&hp);
	print_result(&hp);
	return 0;
}

/* Filter mode: answer every 227/229 reply of a transcript as it arrives.
 * Reply boundaries are tracked, so a "227 ..." line inside another
 * multi-line reply is text, not a reply.  A transcript with no 227 or 229
 * at all is an error: the pipeline after us would wait for nothing. */
static int
filter_stdin(void)
{
	static struct linebuf lb;
	struct reply_parser rp;
	const char *line;
	size_t len, skip;
	int partial, in_long_line = 0, malformed = 0, answered = 0;
	unsigned long lineno = 0;
	char why[HP_WHYLEN];

	lb_init(&lb, 0, 0);
	reply_init(&rp);
	while (lb_getline(&lb, -1, &line, &len, &partial) == LB_LINE) {
		int first_piece = !in_long_line;

		in_long_line = partial;
		if (!first_piece)
			continue;
		lineno++;
		skip = trace_stamp_length(line, len);	/* ftp-raw -T */
		line += skip;
		len -= skip;
		if (reply_feed(&rp, line, len) != REPLY_DONE ||
		    (rp.code != 227 && rp.code != 229))
			continue;
		answered++;
		if (partial) {
			warn_msg("line %lu: reply longer than %d bytes", lineno,
			    LB_SIZE);
			malformed = 1;
		} else if (calc_reply(line, len, why, sizeof why) < 0) {
			warn_msg("line %lu: %s", lineno, why);
			malformed = 1;
		}
	}
	if (lb.eof == 0)
		die_errno(EXIT_IOERR, "reading stdin");
	if (answered == 0)
		die(EXIT_DATAERR, "no 227 or 229 reply came: was PASV (or "
		    "EPSV) sent?");
	return malformed ? EXIT_DATAERR : EXIT_OK;
}

/* Reverse: --port or --eprt HOST PORT. */
static int
reverse(int eprt, const char *host, const char *port_text)
{
	struct hostport hp;
	char why[HP_WHYLEN], arg[128], math[64];

	if (hp_set_host(&hp, host, why, sizeof why) < 0)
		die(EXIT_DATAERR, "%s", why);
	if (hp_parse_port_number(port_text, &hp.port, 0, why, sizeof why) < 0)
		die(EXIT_DATAERR, "%s", why);
	if (!eprt && hp.family != AF_INET)
		die(EXIT_DATAERR, "PORT carries only IPv4 addresses; use "
		    "--eprt for %s", hp.host);
	if (eprt)
		hp_format_eprt_arg(&hp, arg, sizeof arg);
	else
		hp_format_port_arg(&hp, arg, sizeof arg);
	if (opt.explain && !eprt) {
		hp_port_arithmetic(hp.port, math, sizeof math);
		fprintf(stderr, "PORT: the address %s as four numbers, then the "
		    "port as two:\n  %u / 256 = %u remainder %u, and back: %s\n",
		    hp.host, hp.port, hp.port / 256, hp.port % 256, math);
	} else if (opt.explain) {
		fprintf(stderr, "EPRT: |protocol|address|port| with protocol "
		    "%d = %s, the port in plain decimal\n",
		    hp.family == AF_INET ? 1 : 2,
		    hp.family == AF_INET ? "IPv4" : "IPv6");
	}
	printf("%s %s\n", eprt ? "EPRT" : "PORT", arg);
	flush_stdout();
	return EXIT_OK;
}

/* The operands, joined by spaces: an unquoted reply arrives as words. */
static void
join_args(int argc, char **argv, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < argc; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? " " : "",
		    argv[i]);
		if (n < 0 || (size_t)n >= len - used)
			die(EXIT_DATAERR, "reply longer than %zu bytes",
			    len - 1);
		used += (size_t)n;
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "explain", no_argument, NULL, 'e' },
		{ "host", required_argument, NULL, 'H' },
		{ "format", required_argument, NULL, 'f' },
		{ "port", no_argument, NULL, 'p' },
		{ "eprt", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct cli front_door = {
		"ftp-pasv-calc", usage, "eH:f:pEhV", longopts
	};
	static char reply[MAX_REPLY_ARG];
	char why[HP_WHYLEN];
	int ch, mode = 0;

	cli_start(argv[0]);
	while ((ch = cli_next_option(&front_door, argc, argv)) != -1) {
		switch (ch) {
		case 'e':
			opt.explain = 1;
			break;
		case 'H':
			opt.host = check_host(optarg);
			break;
		case 'f':
			opt.style = parse_format(optarg);
			break;
		case 'p':
		case 'E':
			if (mode != 0 && mode != ch)
				die_usage("--port and --eprt exclude each "
				    "other");
			mode = ch;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	cli_need_stdout("the answer is written there");

	if (mode != 0) {
		if (argc != 2)
			die_usage("--%s takes a host and a port",
			    mode == 'p' ? "port" : "eprt");
		return reverse(mode == 'E', argv[0], argv[1]);
	}
	if (argc == 0)
		return filter_stdin();
	join_args(argc, argv, reply, sizeof reply);
	if (calc_reply(reply, strlen(reply), why, sizeof why) < 0)
		die(EXIT_DATAERR, "%s", why);
	return EXIT_OK;
}
