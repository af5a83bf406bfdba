/* fake-ftpd - a scripted, deliberately bad FTP server for tests.
 *
 *	fake-ftpd [-t secs] SCRIPT
 *
 * Listens on 127.0.0.1, port chosen by the kernel, prints
 * "listening on 127.0.0.1 port N" as its first line, serves ONE connection
 * by running SCRIPT, then reads what the client still sends until it
 * closes.  Every line the client sends is logged on stdout as "C: text",
 * with bytes outside printable ASCII as \xNN (so "\r\n" shows as \x0d\x0a).
 * The whole run is bounded by -t seconds (default 30): it never hangs a test.
 *
 * Script lines (text takes C escapes: \r \n \t \0 \\ \xNN):
 *	reply TEXT	TEXT then CRLF
 *	send TEXT	TEXT as it is, no line ending
 *	repeat N TEXT	TEXT N times (a 1 MB line: repeat 1048576 x)
 *	read		wait for one line from the client and log it
 *	peek		log "peek: early" if the client has already sent bytes
 *			nobody asked for yet, else "peek: quiet" (lock-step)
 *	sleep MS	pause
 *	close		close the connection now and exit
 *	silent		send nothing more; wait for the client to give up
 *	# ...		comment
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "net.h"

static int client = -1;

static void
log_client_line(const unsigned char *p, size_t len)
{
	size_t i;

	fputs("C: ", stdout);
	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	putchar('\n');
	fflush(stdout);
}

/* One line from the client, up to LF; 0 at end of file. */
static int
read_client_line(void)
{
	static unsigned char line[65536];
	size_t len = 0;
	unsigned char c;
	ssize_t n;

	for (;;) {
		n = read(client, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len < sizeof line)
			line[len++] = c;
		if (c == '\n')
			break;
	}
	if (len > 0)
		log_client_line(line, len);
	return n > 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes C escapes of text into out; returns the length. */
static size_t
unescape(const char *text, char *out)
{
	size_t o = 0;

	while (*text != '\0') {
		if (*text != '\\' || text[1] == '\0') {
			out[o++] = *text++;
			continue;
		}
		text++;
		switch (*text) {
		case 'r': out[o++] = '\r'; text++; break;
		case 'n': out[o++] = '\n'; text++; break;
		case 't': out[o++] = '\t'; text++; break;
		case '0': out[o++] = '\0'; text++; break;
		case 'x':
			if (hexval(text[1]) >= 0 && hexval(text[2]) >= 0) {
				out[o++] = (char)(hexval(text[1]) * 16 +
				    hexval(text[2]));
				text += 3;
				break;
			}
			/* FALLTHROUGH */
		default: out[o++] = *text++; break;
		}
	}
	return o;
}

static void
send_bytes(const char *p, size_t len)
{
	if (net_write_all(client, p, len, -1) < 0)
		die_errno(EXIT_IOERR, "write to client");
}

/* TEXT count times, in writes of up to 64 KiB: a write a copy made a
 * 1 MB line a million system calls, over 20 s on a busy machine. */
static void
send_repeated(long count, const char *text, size_t len)
{
	static char chunk[65536];
	size_t have = 0;

	for (; count > 0; count--) {
		if (have + len > sizeof chunk) {
			send_bytes(chunk, have);
			have = 0;
		}
		memcpy(chunk + have, text, len);	/* len <= 8192 */
		have += len;
	}
	send_bytes(chunk, have);
}

static void
run_line(char *line)
{
	char buf[8192];
	char *arg = strchr(line, ' ');
	size_t n;

	line[strcspn(line, "\n")] = '\0';
	if (arg != NULL)
		*arg++ = '\0';
	else
		arg = line + strlen(line);
	if (line[0] == '#' || line[0] == '\0')
		return;
	if (strcmp(line, "reply") == 0) {
		n = unescape(arg, buf);
		send_bytes(buf, n);
		send_bytes("\r\n", 2);
	} else if (strcmp(line, "send") == 0) {
		send_bytes(buf, unescape(arg, buf));
	} else if (strcmp(line, "repeat") == 0) {
		long count = strtol(arg, &arg, 10);

		n = unescape(arg + (*arg == ' '), buf);
		send_repeated(count, buf, n);
	} else if (strcmp(line, "read") == 0) {
		read_client_line();
	} else if (strcmp(line, "peek") == 0) {
		puts(net_wait(client, POLLIN, 0) == 1 ? "peek: early" :
		    "peek: quiet");
		fflush(stdout);
	} else if (strcmp(line, "sleep") == 0) {
		struct timespec ts = { 0, 0 };
		long ms = strtol(arg, NULL, 10);
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = ms % 1000 * 1000000L;
		nanosleep(&ts, NULL);
	} else if (strcmp(line, "close") == 0) {
		close(client);
		exit(0);
	} else if (strcmp(line, "silent") == 0) {
		while (read_client_line())
			;
		exit(0);
	} else {
		die(EXIT_DATAERR, "unknown script command '%s'", line);
	}
}

int
main(int argc, char **argv)
{
	struct net_error e;
	struct hostport local;
	char line[8192];
	FILE *script;
	int lfd, secs = 30;

	err_set_progname(argv[0]);
	if (argc == 4 && strcmp(argv[1], "-t") == 0) {
		secs = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 2)
		die_usage("usage: fake-ftpd [-t secs] SCRIPT");
	if ((script = fopen(argv[1], "r")) == NULL)
		die_errno(EXIT_USAGE, "%s", argv[1]);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)secs);	/* the default action ends us: bounded */
	if ((lfd = net_listen("127.0.0.1", "0", AF_INET, 1, &e)) < 0)
		die(e.exit_code, "%s", e.msg);
	net_local(lfd, &local);
	printf("listening on 127.0.0.1 port %u\n", local.port);
	fflush(stdout);
	if ((client = net_accept(lfd, -1, NULL, &e)) < 0)
		die(e.exit_code, "%s", e.msg);
	close(lfd);
	while (fgets(line, sizeof line, script) != NULL)
		run_line(line);
	while (read_client_line())	/* what the client says after */
		;
	return 0;
}
