/* test_pump.c - the byte pump over files, pipes and sockets, every method
 * and the portable path, TYPE A conversion across chunk edges, EPIPE. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "portable.h"
#include "pump.h"
#include "unit.h"

#define BIG (3 * 1024 * 1024 + 7)	/* more than one chunk, odd size */

/* Static buffers, not malloc: the forked children exit without freeing
 * and valgrind would count that as a leak. */
static unsigned char src[BIG], dst[BIG + 1];

static unsigned char *
random_bytes(size_t n, unsigned seed)
{
	unsigned char *p = src;
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
	return p;
}

/* An unlinked temporary file holding data, offset at 0. */
static int
temp_file(const void *data, size_t n)
{
	char path[] = "/tmp/rawftp-pump-XXXXXX";
	int fd = mkstemp(path);

	unlink(path);
	if (n > 0 && write(fd, data, n) != (ssize_t)n)
		return -1;
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Everything in fd from offset 0; *n gets the length. */
static unsigned char *
slurp(int fd, size_t *n)
{
	off_t end = lseek(fd, 0, SEEK_END);

	if (end < 0 || end > (off_t)sizeof dst) {
		*n = (size_t)-1;
		return dst;
	}
	*n = pread(fd, dst, (size_t)end, 0) == end ? (size_t)end : (size_t)-1;
	return dst;
}

/* A child that writes data to fd and exits (a pipe or socket writer). */
static pid_t
writer(int fd, const void *data, size_t n, int other)
{
	pid_t pid;

	fflush(NULL);	/* the child must not print the parent's buffer */
	pid = fork();
	if (pid == 0) {
		close(other);
		_exit(write(fd, data, n) == (ssize_t)n ? 0 : 1);
	}
	close(fd);
	return pid;
}

/* A child that copies fd into a temp file, then the parent reads it. */
static pid_t
reader(int fd, int file, int other)
{
	char buf[65536];
	ssize_t n;
	pid_t pid;

	fflush(NULL);	/* the child must not print the parent's buffer */
	pid = fork();
	if (pid == 0) {
		close(other);
		while ((n = read(fd, buf, sizeof buf)) > 0)
			if (write(file, buf, (size_t)n) != n)
				_exit(1);
		_exit(n == 0 ? 0 : 1);
	}
	close(fd);
	return pid;
}

static int
child_ok(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0;
}

enum kind { KFILE, KPIPE, KSOCK };

/* How a channel ended: what a program's loop around pump_chan sees. */
struct run {
	enum pump_step end;	/* PUMP_STEP_EOF or PUMP_STEP_ERROR */
	int err, write_failed;
	uint64_t bytes_in, bytes_out;
};

/* The loop every program writes around a channel: step until the end,
 * polling when a step would block. */
static struct run
pump_all(int in, int out, enum pump_conv conv)
{
	struct pump_chan c;
	struct pollfd pfd;
	enum pump_step st = PUMP_STEP_ERROR;
	struct run r;

	CHECK(pump_chan_open(&c, in, out, conv) == 0);
	while ((st = pump_chan_step(&c)) == PUMP_STEP_MOVED ||
	    st == PUMP_STEP_WAIT) {
		if (st != PUMP_STEP_WAIT)
			continue;
		pump_chan_pollfd(&c, &pfd);
		if (poll(&pfd, 1, 10000) != 1) {
			CHECK(!"a waiting channel became ready");
			break;
		}
	}
	r = (struct run){ st, c.err, c.write_failed, c.bytes_in,
	    c.bytes_out };
	pump_chan_close(&c);
	return r;
}

/* Pumps n bytes from a descriptor of kind ik to one of kind ok, and
 * checks that every byte arrived in order.  method: the expected one. */
static void
roundtrip(enum kind ik, enum kind ok, size_t n, int method)
{
	unsigned char *data = random_bytes(n, (unsigned)n + ik * 3 + ok);
	unsigned char *got;
	int in, out, pr[2] = { -1, -1 }, pw[2] = { -1, -1 }, sink = -1;
	pid_t wpid = -1, rpid = -1;
	struct pump_chan c;
	struct run res;
	size_t gn;

	if (ik == KFILE)
		in = temp_file(data, n);
	else {
		if (ik == KPIPE)
			CHECK(pipe(pr) == 0);
		else
			CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, pr) == 0);
		in = pr[0];
		wpid = writer(pr[1], data, n, pr[0]);
	}
	if (ok == KFILE)
		out = sink = temp_file(NULL, 0);
	else {
		sink = temp_file(NULL, 0);
		if (ok == KPIPE)
			CHECK(pipe(pw) == 0);
		else
			CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, pw) == 0);
		out = pw[1];
		rpid = reader(pw[0], sink, pw[1]);
	}
	if (method >= 0) {
		CHECK(pump_chan_open(&c, in, out, PUMP_BINARY) == 0);
		CHECK((int)c.method == method);
		pump_chan_close(&c);
	}
	res = pump_all(in, out, PUMP_BINARY);
	CHECK(res.end == PUMP_STEP_EOF);
	CHECK(res.bytes_in == n && res.bytes_out == n);
	close(in);
	if (ok != KFILE)
		close(out);
	if (wpid > 0)
		CHECK(child_ok(wpid));
	if (rpid > 0)
		CHECK(child_ok(rpid));
	got = slurp(sink, &gn);
	CHECK(gn == n);
	CHECK(gn == n && memcmp(got, data, n) == 0);
	close(sink);
}

/* Every pairing, each with the method it should pick (-1: any). */
static void
all_pairs(int portable, size_t n)
{
	int rw = PUMP_READ_WRITE;

	roundtrip(KFILE, KSOCK, n, portable ? rw : PUMP_SENDFILE);
	roundtrip(KFILE, KPIPE, n, portable ? rw : PUMP_SPLICE);
	roundtrip(KFILE, KFILE, n, portable ? rw : PUMP_SENDFILE);
	roundtrip(KPIPE, KSOCK, n, portable ? rw : PUMP_SPLICE);
	roundtrip(KPIPE, KFILE, n, portable ? rw : PUMP_SPLICE);
	roundtrip(KPIPE, KPIPE, n, portable ? rw : PUMP_SPLICE);
	roundtrip(KSOCK, KPIPE, n, portable ? rw : PUMP_SPLICE);
	roundtrip(KSOCK, KFILE, n, portable ? rw : PUMP_SPLICE_VIA_PIPE);
	roundtrip(KSOCK, KSOCK, n, rw);	/* a relay copies (pump.c) */
}

TEST(pump_fast_paths_big)
{
	unsetenv("RAWFTP_PORTABLE");
	CHECK(!portable_forced());
	all_pairs(0, BIG);
}

TEST(pump_fast_paths_empty_and_one_byte)
{
	unsetenv("RAWFTP_PORTABLE");
	all_pairs(0, 0);
	all_pairs(0, 1);
}

TEST(pump_portable_path)
{
	setenv("RAWFTP_PORTABLE", "1", 1);
	CHECK(portable_forced());
	all_pairs(1, BIG);
	all_pairs(1, 0);
	all_pairs(1, 1);
	setenv("RAWFTP_PORTABLE", "0", 1);
	CHECK(!portable_forced());
	unsetenv("RAWFTP_PORTABLE");
}

static const char *
conv_str(enum pump_conv conv, const char *s, int *cr)
{
	static char out[256];
	size_t n = pump_convert(conv, cr, s, strlen(s), out);

	out[n] = '\0';
	return out;
}

TEST(pump_convert_lf_to_crlf)
{
	int cr = 0;

	CHECK_STR(conv_str(PUMP_LF_TO_CRLF, "a\nb\n", &cr), "a\r\nb\r\n");
	CHECK_STR(conv_str(PUMP_LF_TO_CRLF, "", &cr), "");
	CHECK_STR(conv_str(PUMP_LF_TO_CRLF, "\n\n", &cr), "\r\n\r\n");
	/* an existing CRLF gets a second CR, so the receiver restores it */
	CHECK_STR(conv_str(PUMP_LF_TO_CRLF, "x\r\n", &cr), "x\r\r\n");
	CHECK(cr == 0);
}

TEST(pump_convert_crlf_to_lf)
{
	int cr = 0;

	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "a\r\nb\r\n", &cr), "a\nb\n");
	CHECK(cr == 0);
	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "lone\rcr", &cr), "lone\rcr");
	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "\r\r\n", &cr), "\r\n");
	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "\n", &cr), "\n");
}

TEST(pump_convert_cr_across_chunks)
{
	int cr = 0;

	/* CR at the end of one chunk, LF at the start of the next */
	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "a\r", &cr), "a");
	CHECK(cr == 1);
	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "\nb", &cr), "\nb");
	CHECK(cr == 0);
	/* CR then something else: the CR was data */
	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "c\r", &cr), "c");
	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "d", &cr), "\rd");
	/* CR, empty chunk, CR, LF */
	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "\r", &cr), "");
	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "", &cr), "");
	CHECK(cr == 1);
	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "\r", &cr), "\r");
	CHECK_STR(conv_str(PUMP_CRLF_TO_LF, "\n", &cr), "\n");
	CHECK(cr == 0);
}

/* Any split of the input gives the same output as one chunk, and
 * receiving what was sent restores the original bytes. */
TEST(pump_convert_every_split_and_roundtrip)
{
	const char *s = "\r\n\r\rab\n\n\rx\r\r\n\r";
	char whole[64], parts[64], wire[64], back[64];
	size_t len = strlen(s), nw, np, i, nwire, nback;
	int cr;

	for (i = 0; i <= len; i++) {
		cr = 0;
		nw = pump_convert(PUMP_CRLF_TO_LF, &cr, s, len, whole);
		cr = 0;
		np = pump_convert(PUMP_CRLF_TO_LF, &cr, s, i, parts);
		np += pump_convert(PUMP_CRLF_TO_LF, &cr, s + i, len - i,
		    parts + np);
		CHECK(cr == 1);	/* s ends with CR: the pump adds it at EOF */
		CHECK(np == nw && memcmp(parts, whole, nw) == 0);
	}
	cr = 0;
	nwire = pump_convert(PUMP_LF_TO_CRLF, &cr, s, len, wire);
	nback = pump_convert(PUMP_CRLF_TO_LF, &cr, wire, nwire, back);
	if (cr)
		back[nback++] = '\r';
	CHECK(nback == len && memcmp(back, s, len) == 0);
}

/* Datagram-like chunks: a SOCK_SEQPACKET read returns one record, so the
 * chunk edges inside the pump are exactly where the test puts them. */
static const char *
pump_records(enum pump_conv conv, const char **rec, int nrec,
    struct run *res)
{
	static char out[256];
	int sp[2], sink, i;
	size_t n;
	unsigned char *got;
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0);
	for (i = 0; i < nrec; i++)
		CHECK(write(sp[1], rec[i], strlen(rec[i])) ==
		    (ssize_t)strlen(rec[i]));
	close(sp[1]);
	sink = temp_file(NULL, 0);
	*res = pump_all(sp[0], sink, conv);
	close(sp[0]);
	got = slurp(sink, &n);
	close(sink);
	memcpy(out, got, n < sizeof out - 1 ? n : sizeof out - 1);
	out[n < sizeof out - 1 ? n : sizeof out - 1] = '\0';
	return out;
}

TEST(pump_crlf_to_lf_chunk_edges)
{
	const char *rec[] = { "one\r", "\ntwo\r", "\r", "\nend\r" };
	struct run res;

	CHECK_STR(pump_records(PUMP_CRLF_TO_LF, rec, 4, &res),
	    "one\ntwo\r\nend\r");
	CHECK(res.end == PUMP_STEP_EOF);
	CHECK(res.bytes_in == 15 && res.bytes_out == 13);
}

TEST(pump_lf_to_crlf)
{
	const char *rec[] = { "a\n", "\n", "b" };
	struct run res;

	CHECK_STR(pump_records(PUMP_LF_TO_CRLF, rec, 3, &res), "a\r\n\r\nb");
	CHECK(res.bytes_in == 4 && res.bytes_out == 6);
}

/* The reader went away: an error status, not a death by SIGPIPE.  The
 * pump's callers ignore SIGPIPE, as this test does. */
static void
epipe_case(int sock, int portable)
{
	unsigned char *data = random_bytes(BIG, 5);
	int in = temp_file(data, BIG), p[2];
	struct run res;

	if (portable)
		setenv("RAWFTP_PORTABLE", "1", 1);
	else
		unsetenv("RAWFTP_PORTABLE");
	if (sock)
		CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, p) == 0);
	else
		CHECK(pipe(p) == 0);
	close(p[0]);
	res = pump_all(in, p[1], PUMP_BINARY);
	CHECK(res.end == PUMP_STEP_ERROR && res.write_failed);
	CHECK(res.err == EPIPE);
	close(p[1]);
	close(in);
	unsetenv("RAWFTP_PORTABLE");
}

TEST(pump_epipe_is_a_status)
{
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	epipe_case(0, 0);
	epipe_case(1, 0);
	epipe_case(0, 1);
	epipe_case(1, 1);
	signal(SIGPIPE, old);
}

/* Non-blocking descriptors: EAGAIN means wait, not fail. */
TEST(pump_nonblocking_descriptors)
{
	unsigned char *data = random_bytes(BIG, 9), *got;
	int in = temp_file(data, BIG), sp[2], sink = temp_file(NULL, 0);
	struct run res;
	pid_t rpid;
	size_t n;
	int portable;

	for (portable = 0; portable < 2; portable++) {
		if (portable)
			setenv("RAWFTP_PORTABLE", "1", 1);
		CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
		CHECK(fcntl(sp[1], F_SETFL, O_NONBLOCK) == 0);
		CHECK(ftruncate(sink, 0) == 0);
		lseek(sink, 0, SEEK_SET);
		lseek(in, 0, SEEK_SET);
		rpid = reader(sp[0], sink, sp[1]);
		res = pump_all(in, sp[1], PUMP_BINARY);
		close(sp[1]);
		CHECK(res.end == PUMP_STEP_EOF && res.bytes_out == BIG);
		CHECK(child_ok(rpid));
		got = slurp(sink, &n);
		CHECK(n == BIG && memcmp(got, data, BIG) == 0);
	}
	unsetenv("RAWFTP_PORTABLE");
	close(in);
	close(sink);
}

/* A file opened for appending takes no splice (EINVAL): the socket's bytes
 * already in the pump's private pipe must come out through the read/write
 * fallback, in order.  (`>> file` in a shell.) */
TEST(pump_fallback_to_an_append_file)
{
	unsigned char *data = random_bytes(BIG, 11), *got;
	char path[] = "/tmp/rawftp-pump-XXXXXX";
	int out = mkstemp(path), sp[2];
	struct run res;
	pid_t wpid;
	size_t n;

	unsetenv("RAWFTP_PORTABLE");
	CHECK(fcntl(out, F_SETFL, O_APPEND) == 0);
	unlink(path);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
	wpid = writer(sp[1], data, BIG, sp[0]);
	res = pump_all(sp[0], out, PUMP_BINARY);
	CHECK(res.end == PUMP_STEP_EOF && res.bytes_out == BIG);
	CHECK(child_ok(wpid));
	got = slurp(out, &n);
	CHECK(n == BIG && memcmp(got, data, n) == 0);
	close(sp[0]);
	close(out);
}

/* A relay between two sockets (ftp-tap) trimmed at every wait, as a
 * stalled one is: the bytes read and not yet written survive, and every
 * byte arrives in order. */
TEST(pump_trim_keeps_the_pending_bytes)
{
	unsigned char *data = random_bytes(BIG, 17);
	int a[2], b[2], i, size = 65536, with_pending = 0;
	size_t sent = 0, got = 0;
	struct pump_chan c;
	enum pump_step st = PUMP_STEP_MOVED;
	ssize_t n;

	unsetenv("RAWFTP_PORTABLE");
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, b) == 0);
	for (i = 0; i < 2; i++) {
		CHECK(fcntl(a[i], F_SETFL, O_NONBLOCK) == 0);
		CHECK(fcntl(b[i], F_SETFL, O_NONBLOCK) == 0);
	}
	CHECK(setsockopt(b[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof size) ==
	    0);
	CHECK(pump_chan_open(&c, a[0], b[1], PUMP_BINARY) == 0);
	CHECK(c.method == PUMP_READ_WRITE);
	while (st != PUMP_STEP_EOF && st != PUMP_STEP_ERROR) {
		if (sent < BIG && (n = write(a[1], data + sent, BIG - sent)) > 0)
			sent += (size_t)n;
		if (sent == BIG && a[1] >= 0) {
			close(a[1]);
			a[1] = -1;
		}
		if ((st = pump_chan_step(&c)) != PUMP_STEP_WAIT)
			continue;
		with_pending += c.pend_len > 0;
		pump_chan_trim(&c);
		while (got < BIG &&
		    (n = read(b[0], dst + got, BIG - got)) > 0)
			got += (size_t)n;
	}
	CHECK(st == PUMP_STEP_EOF);
	while (got < BIG && (n = read(b[0], dst + got, BIG - got)) > 0)
		got += (size_t)n;
	CHECK(with_pending > 0);
	CHECK(got == BIG && memcmp(dst, data, BIG) == 0);
	pump_chan_trim(&c);	/* after the end too */
	pump_chan_close(&c);
	close(a[0]);
	close(b[0]);
	close(b[1]);
}

/* The observer (ftp-labd --pcap): it sees every byte read and every byte
 * written, in order, after conversion; and it forces read/write, since
 * sendfile and splice pass no byte through user space. */
static unsigned char seen[2][2 * BIG];
static size_t nseen[2];

static void
observe(void *ctx, int written, const char *bytes, size_t len)
{
	CHECK(ctx == (void *)seen);
	CHECK(nseen[written] + len <= sizeof seen[0]);
	if (nseen[written] + len <= sizeof seen[0])
		memcpy(seen[written] + nseen[written], bytes, len);
	nseen[written] += len;
}

static void
observed_run(const void *data, size_t n, enum pump_conv conv)
{
	int in = temp_file(data, n), sp[2], sink = temp_file(NULL, 0);
	struct pump_chan c;
	struct pollfd pfd;
	enum pump_step st;
	pid_t rpid;

	nseen[0] = nseen[1] = 0;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
	CHECK(fcntl(sp[1], F_SETFL, O_NONBLOCK) == 0);
	rpid = reader(sp[0], sink, sp[1]);
	CHECK(pump_chan_open_observed(&c, in, sp[1], conv, observe, seen) ==
	    0);
	CHECK(c.method == PUMP_READ_WRITE);
	while ((st = pump_chan_step(&c)) == PUMP_STEP_MOVED ||
	    st == PUMP_STEP_WAIT)
		if (st == PUMP_STEP_WAIT) {
			pump_chan_pollfd(&c, &pfd);
			CHECK(poll(&pfd, 1, 10000) == 1);
		}
	CHECK(st == PUMP_STEP_EOF);
	CHECK(nseen[0] == c.bytes_in && nseen[1] == c.bytes_out);
	pump_chan_close(&c);
	close(sp[1]);
	CHECK(child_ok(rpid));
	close(in);
	close(sink);
}

TEST(pump_observer_sees_every_byte)
{
	unsigned char *data = random_bytes(BIG, 13);

	unsetenv("RAWFTP_PORTABLE");
	observed_run(data, BIG, PUMP_BINARY);
	CHECK(nseen[0] == BIG && memcmp(seen[0], data, BIG) == 0);
	CHECK(nseen[1] == BIG && memcmp(seen[1], data, BIG) == 0);
	observed_run("a\nb\n", 4, PUMP_LF_TO_CRLF);
	CHECK(nseen[0] == 4 && memcmp(seen[0], "a\nb\n", 4) == 0);
	CHECK(nseen[1] == 6 && memcmp(seen[1], "a\r\nb\r\n", 6) == 0);
}
