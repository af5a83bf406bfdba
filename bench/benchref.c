/* benchref - the reference movers bench/dataconn-bench compares against.
 *
 *	benchref rw-send HOST PORT < in    1 MiB read/write loop, stdin -> TCP
 *	benchref rw-recv PORT > out        1 MiB read/write loop, TCP -> stdout
 *	benchref splice-send HOST PORT     splice(2): stdin pipe -> TCP
 *	benchref splice-recv PORT          splice(2): TCP -> stdout pipe
 *	benchref source FILE               splice FILE into the stdout pipe
 *	benchref sink                      splice the stdin pipe to /dev/null
 *
 * Receivers listen on 127.0.0.1 PORT and take one connection.  Linux only,
 * libc only; no error recovery: a failure is a message and exit 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static void
fail(const char *what)
{
	perror(what);
	exit(1);
}

static int
tcp(const char *host, const char *port, int listening)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0), l, one = 1;

	a.sin_port = htons((unsigned short)atoi(port));
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		fail(host);
	if (!listening) {
		if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
			fail("connect");
		return fd;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1) < 0)
		fail("listen");
	if ((l = accept(fd, NULL, NULL)) < 0)
		fail("accept");
	close(fd);
	return l;
}

static void
rw(int in, int out)
{
	static char buf[CHUNK];
	ssize_t n, w, off;

	while ((n = read(in, buf, sizeof buf)) > 0)
		for (off = 0; off < n; off += w)
			if ((w = write(out, buf + off, (size_t)(n - off))) <= 0)
				fail("write");
	if (n < 0)
		fail("read");
}

/* splice in -> out; one side must be a pipe, else through a pipe */
static void
sp(int in, int out, int direct)
{
	int p[2];
	ssize_t n, m;

	if (direct) {
		while ((n = splice(in, NULL, out, NULL, CHUNK, SPLICE_F_MOVE))
		    > 0)
			;
		if (n < 0)
			fail("splice");
		return;
	}
	if (pipe(p) < 0)
		fail("pipe");
	fcntl(p[1], F_SETPIPE_SZ, CHUNK);
	while ((n = splice(in, NULL, p[1], NULL, CHUNK, SPLICE_F_MOVE)) > 0)
		for (; n > 0; n -= m)
			if ((m = splice(p[0], NULL, out, NULL, (size_t)n,
			    SPLICE_F_MOVE)) <= 0)
				fail("splice");
	if (n < 0)
		fail("splice");
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int fd;

	fcntl(0, F_SETPIPE_SZ, CHUNK);
	fcntl(1, F_SETPIPE_SZ, CHUNK);
	if (strcmp(mode, "rw-send") == 0 && argc == 4) {
		fd = tcp(argv[2], argv[3], 0);
		rw(0, fd);
		shutdown(fd, SHUT_WR);
	} else if (strcmp(mode, "rw-recv") == 0 && argc == 3) {
		rw(tcp("127.0.0.1", argv[2], 1), 1);
	} else if (strcmp(mode, "splice-send") == 0 && argc == 4) {
		fd = tcp(argv[2], argv[3], 0);
		sp(0, fd, 1);
		shutdown(fd, SHUT_WR);
	} else if (strcmp(mode, "splice-recv") == 0 && argc == 3) {
		sp(tcp("127.0.0.1", argv[2], 1), 1, 1);
	} else if (strcmp(mode, "source") == 0 && argc == 3) {
		if ((fd = open(argv[2], O_RDONLY)) < 0)
			fail(argv[2]);
		sp(fd, 1, 1);
	} else if (strcmp(mode, "sink") == 0 && argc == 2) {
		if ((fd = open("/dev/null", O_WRONLY)) < 0)
			fail("/dev/null");
		sp(0, fd, 1);
	} else {
		fprintf(stderr, "usage: see the comment at the top of benchref.c\n");
		return 2;
	}
	return 0;
}
