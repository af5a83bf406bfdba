/* stream-peer - the other end of a data connection, for ftp-dataconn tests.
 *
 *	stream-peer [-6] [-t secs] MODE [FILE]
 *
 * Listens on 127.0.0.1 (::1 with -6), port chosen by the kernel, prints
 * "listening on HOST port N" as its first line, serves ONE connection:
 *	count		read until the client's FIN, then answer
 *			"received N bytes\n" and close: only a client that
 *			half-closes and keeps reading sees the answer
 *	serve FILE	send FILE, half-close, read until the client closes,
 *			print "received N bytes" on stdout
 *	reset FILE	wait for one byte from the client (so its connect is
 *			surely complete), send FILE, then close with a reset
 *			(SO_LINGER 0)
 *	silent		read and discard until the client closes; never
 *			close first
 * The whole run is bounded by -t seconds (default 30).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "net.h"

static unsigned long long
drain(int fd)
{
	char buf[65536];
	unsigned long long total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0)
		total += (unsigned long long)n;
	return total;
}

static void
send_file(int fd, const char *path)
{
	char buf[65536];
	ssize_t n;
	int in = open(path, O_RDONLY);

	if (in < 0)
		die_errno(EXIT_NOHOST, "%s", path);
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (net_write_all(fd, buf, (size_t)n, -1) < 0)
			die_errno(EXIT_IOERR, "send");
	close(in);
}

int
main(int argc, char **argv)
{
	struct net_error e;
	struct hostport local;
	struct linger rst = { 1, 0 };
	const char *addr = "127.0.0.1", *mode;
	char answer[64];
	int ch, lfd, fd, secs = 30;

	err_set_progname(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "6t:")) != -1) {
		if (ch == '6')
			addr = "::1";
		else if (ch == 't')
			secs = atoi(optarg);
		else
			die_usage("usage: stream-peer [-6] [-t secs] MODE [FILE]");
	}
	if (optind >= argc)
		die_usage("no mode");
	mode = argv[optind];
	alarm((unsigned)secs);
	if ((lfd = net_listen(addr, "0", AF_UNSPEC, 1, &e)) < 0)
		die(e.exit_code, "%s", e.msg);
	net_local(lfd, &local);
	printf("listening on %s port %u\n", local.host, local.port);
	fflush(stdout);
	if ((fd = net_accept(lfd, -1, NULL, &e)) < 0)
		die(e.exit_code, "%s", e.msg);
	if (strcmp(mode, "count") == 0) {
		snprintf(answer, sizeof answer, "received %llu bytes\n",
		    drain(fd));
		net_write_all(fd, answer, strlen(answer), -1);
	} else if (strcmp(mode, "serve") == 0 && optind + 1 < argc) {
		send_file(fd, argv[optind + 1]);
		shutdown(fd, SHUT_WR);
		printf("received %llu bytes\n", drain(fd));
	} else if (strcmp(mode, "reset") == 0 && optind + 1 < argc) {
		if (read(fd, answer, 1) != 1)
			die(EXIT_IOERR, "reset: the client sent nothing");
		send_file(fd, argv[optind + 1]);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
	} else if (strcmp(mode, "silent") == 0) {
		drain(fd);
	} else {
		die_usage("unknown mode '%s'", mode);
	}
	close(fd);
	return 0;
}
