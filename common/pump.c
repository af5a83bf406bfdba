/* pump.c - the byte pump; see pump.h.
 *
 * One chunk at a time: pump_chan_step() moves at most PUMP_CHUNK bytes with
 * the method chosen when the channel was opened, and says what it would
 * wait for when a descriptor is not ready; the caller's poll loop does the
 * waiting.
 * When a fast path is refused before it moved a byte (a file system or
 * device without splice support), the channel falls back to read/write.
 */
#define _GNU_SOURCE		/* splice, sendfile, F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sockios.h>	/* SIOCOUTQ */
#include <sys/sendfile.h>
#endif

#include "portable.h"
#include "pump.h"

#define PUMP_CHUNK	(1024 * 1024)	/* bytes per read, write or splice */
#define PUMP_FILE_CHUNK	(16 * 1024 * 1024)	/* per sendfile call */
#define PUMP_PIPE_SIZE	(1024 * 1024)	/* pipe-max-size for a user */
#define PUMP_PIPE_BIG	(4 * 1024 * 1024)	/* fewer splices, if allowed */
#define PUMP_SOCK_CHUNK	(4 * 1024 * 1024)	/* socket to socket */
#define PUMP_ROOM_MIN	(64 * 1024)	/* the least a capped read asks for */

const char *
pump_method_name(enum pump_method m)
{
	switch (m) {
	case PUMP_SENDFILE:
		return "sendfile";
	case PUMP_SPLICE:
		return "splice";
	case PUMP_SPLICE_VIA_PIPE:
		return "splice via pipe";
	default:
		return "read/write";
	}
}

size_t
pump_convert(enum pump_conv conv, int *cr_pending, const char *in,
    size_t len, char *out)
{
	size_t i, n = 0;

	if (conv == PUMP_LF_TO_CRLF) {
		for (i = 0; i < len; i++) {
			if (in[i] == '\n')
				out[n++] = '\r';
			out[n++] = in[i];
		}
		return n;
	}
	if (conv != PUMP_CRLF_TO_LF) {
		memcpy(out, in, len);
		return len;
	}
	for (i = 0; i < len; i++) {
		/* a CR is only known to be part of CRLF when the next byte,
		 * perhaps in the next chunk, is LF */
		if (*cr_pending && in[i] != '\n')
			out[n++] = '\r';
		*cr_pending = in[i] == '\r';
		if (!*cr_pending)
			out[n++] = in[i];
	}
	return n;
}

/* Bigger pipe buffers mean fewer, larger splices and writes.  Best effort:
 * the largest of PUMP_PIPE_BIG (a privileged process may pass
 * pipe-max-size), PUMP_PIPE_SIZE, and a quarter of it, that the kernel
 * grants; a user over the pipe quota keeps the default size. */
static void
grow_pipe(int fd)
{
#ifdef F_SETPIPE_SZ
	static const int sizes[] = { PUMP_PIPE_BIG, PUMP_PIPE_SIZE,
	    PUMP_PIPE_SIZE / 4 };
	size_t i;

	if (fcntl(fd, F_GETPIPE_SZ) >= PUMP_PIPE_BIG)
		return;
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		if (fcntl(fd, F_SETPIPE_SZ, sizes[i]) >= 0)
			return;
#else
	(void)fd;
#endif
}

static enum pump_method
choose_method(const struct stat *si, const struct stat *so)
{
#ifdef __linux__
	if (S_ISFIFO(si->st_mode) || S_ISFIFO(so->st_mode))
		return PUMP_SPLICE;
	if (S_ISREG(si->st_mode))
		return PUMP_SENDFILE;
	/* socket to socket (ftp-tap's relay) is copied, not spliced: the
	 * receiver then reads bytes the copy left in the cache, where
	 * spliced pages come from memory untouched since the first sender
	 * queued them.  On loopback with 2 CPUs the receiver was the
	 * bottleneck, and splicing cost it about half as much again
	 * (bench/README.md, ftp-tap) */
	if (S_ISSOCK(si->st_mode) && S_ISSOCK(so->st_mode))
		return PUMP_READ_WRITE;
	/* from a socket, through a pipe of our own: the kernel passes the
	 * received pages on, with no copy through user space, to /dev/null
	 * or a file */
	if (S_ISSOCK(si->st_mode))
		return PUMP_SPLICE_VIA_PIPE;
#else
	(void)si;
	(void)so;
#endif
	return PUMP_READ_WRITE;
}

static int
alloc_buffers(struct pump_chan *c)
{
	c->buf = malloc(c->chunk);
	if (c->buf == NULL)
		return -1;
	if (c->conv == PUMP_BINARY)
		return 0;
	c->obuf = malloc(2 * c->chunk);
	return c->obuf == NULL ? -1 : 0;
}

static int
open_private_pipe(struct pump_chan *c)
{
#ifdef __linux__
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	c->pipe_r = p[0];
	c->pipe_w = p[1];
	grow_pipe(c->pipe_w);
	return 0;
#else
	(void)c;
	errno = ENOSYS;
	return -1;
#endif
}

/* Read/write buffers for a regular file: no larger than it needs (a
 * small file read through a 1 MiB buffer cost each transfer a heap grown
 * and given back: bench/web-bench), PUMP_ROOM_MIN at least, should it
 * grow meanwhile. */
static size_t
file_chunk(const struct stat *st)
{
	size_t want = st->st_size < 0 ? 0 : (size_t)st->st_size + 1;

	return want < PUMP_ROOM_MIN ? PUMP_ROOM_MIN :
	    want > PUMP_CHUNK ? PUMP_CHUNK : want;
}

int
pump_chan_open(struct pump_chan *c, int in, int out, enum pump_conv conv)
{
	return pump_chan_open_observed(c, in, out, conv, NULL, NULL);
}

int
pump_chan_open_observed(struct pump_chan *c, int in, int out,
    enum pump_conv conv, pump_observer observe, void *ctx)
{
	struct stat si, so;
	int fast = conv == PUMP_BINARY && !portable_forced() &&
	    observe == NULL;

	memset(c, 0, sizeof *c);
	c->observe = observe;
	c->observe_ctx = ctx;
	c->in = in;
	c->out = out;
	c->conv = conv;
	c->pipe_r = c->pipe_w = -1;
	c->wait_fd = in;
	c->wait_events = POLLIN;
	c->method = PUMP_READ_WRITE;
	c->chunk = PUMP_CHUNK;
	if (fstat(in, &si) < 0 || fstat(out, &so) < 0)
		fast = 0;
	else if (S_ISREG(si.st_mode))
		c->chunk = file_chunk(&si);
	else if (S_ISSOCK(si.st_mode) && S_ISSOCK(so.st_mode) &&
	    conv == PUMP_BINARY) {
		/* a relay (read/write, choose_method says why): larger reads
		 * cost it less CPU a byte (bench/tap-bench: 0.3 s/GiB at 4
		 * MiB, 0.4 at 1 MiB), each capped by the room in out (a
		 * Linux call: not on the portable path) */
		c->chunk = PUMP_SOCK_CHUNK;
		c->cap_to_room = !portable_forced();
	}
	if (fast) {
		c->in_is_socket = S_ISSOCK(si.st_mode);
		if (S_ISFIFO(si.st_mode))
			grow_pipe(in);
		if (S_ISFIFO(so.st_mode))
			grow_pipe(out);
		c->method = choose_method(&si, &so);
	}
	if (c->method == PUMP_SPLICE_VIA_PIPE && open_private_pipe(c) < 0)
		c->method = PUMP_READ_WRITE;
	if (c->method == PUMP_READ_WRITE && alloc_buffers(c) < 0) {
		pump_chan_close(c);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
pump_chan_close(struct pump_chan *c)
{
	free(c->buf);
	free(c->obuf);
	c->buf = c->obuf = NULL;
	if (c->pipe_r >= 0)
		close(c->pipe_r);
	if (c->pipe_w >= 0)
		close(c->pipe_w);
	c->pipe_r = c->pipe_w = -1;
}

/* Gives back the whole pages of [from, to) in base: the kernel frees
 * them, and they come back zero-filled when next touched. */
static void
release(char *base, size_t from, size_t to)
{
#ifdef MADV_DONTNEED
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)base + from + page - 1) & ~(page - 1);
	uintptr_t hi = ((uintptr_t)base + to) & ~(page - 1);

	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
#else
	(void)base;
	(void)from;
	(void)to;
#endif
}

void
pump_chan_trim(struct pump_chan *c)
{
	if (c->buf == NULL)
		return;
	if (c->obuf == NULL) {	/* pending bytes are in buf */
		release(c->buf, 0, c->pend_off);
		release(c->buf, c->pend_off + c->pend_len, c->chunk);
		return;
	}
	release(c->buf, 0, c->chunk);
	release(c->obuf, 0, c->pend_off);
	release(c->obuf, c->pend_off + c->pend_len, 2 * c->chunk);
}

void
pump_chan_pollfd(const struct pump_chan *c, struct pollfd *pfd)
{
	pfd->fd = c->wait_fd;
	pfd->events = c->wait_events;
	pfd->revents = 0;
}

static enum pump_step
wait_for(struct pump_chan *c, int fd, short events)
{
	c->wait_fd = fd;
	c->wait_events = events;
	return PUMP_STEP_WAIT;
}

/* After progress the next wait is for input, or output if bytes wait. */
static enum pump_step
moved(struct pump_chan *c)
{
	if (c->pend_len > 0)
		wait_for(c, c->out, POLLOUT);
	else
		wait_for(c, c->in, POLLIN);
	return PUMP_STEP_MOVED;
}

static enum pump_step
fail(struct pump_chan *c, int err, int on_write)
{
	c->err = err;
	c->write_failed = on_write;
	return PUMP_STEP_ERROR;
}

/* For the kernel paths one call may fail on either side: EPIPE is always
 * the writer's, and a reset is the socket's. */
static enum pump_step
fail_fast(struct pump_chan *c, int err)
{
	return fail(c, err, err == EPIPE || !c->in_is_socket);
}

static int
is_again(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK;
}

/* The errors by which a kernel refuses a fast path for these files. */
static int
is_unsupported(int err)
{
	return err == EINVAL || err == ENOSYS || err == EOPNOTSUPP ||
	    err == EXDEV || err == ESPIPE;
}

/* ---- read/write ---- */

static enum pump_step
flush_rw(struct pump_chan *c)
{
	const char *base = c->obuf != NULL ? c->obuf : c->buf;
	ssize_t n;

	while (c->pend_len > 0) {
		n = write(c->out, base + c->pend_off, c->pend_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && is_again(errno))
			return wait_for(c, c->out, POLLOUT);
		if (n <= 0)
			return fail(c, n < 0 ? errno : EIO, 1);
		if (c->observe != NULL)
			c->observe(c->observe_ctx, 1, base + c->pend_off,
			    (size_t)n);
		c->pend_off += (size_t)n;
		c->pend_len -= (size_t)n;
		c->bytes_out += (uint64_t)n;
	}
	return moved(c);
}

/* How much the next read may take: a chunk, or for a relay between
 * two sockets (Linux) what out's send buffer has room for now, at least
 * PUMP_ROOM_MIN.  What the relay does not read waits in in's receive
 * buffer, where TCP's flow control holds back the sender, rather than in
 * the relay's memory (bench/tap-stall: <= 256 KiB a stalled session). */
static size_t
read_size(const struct pump_chan *c)
{
#ifdef SIOCOUTQ
	int sndbuf, queued;
	socklen_t len = sizeof sndbuf;

	if (c->cap_to_room &&
	    getsockopt(c->out, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == 0 &&
	    ioctl(c->out, SIOCOUTQ, &queued) == 0) {
		long room = (long)sndbuf - queued;

		if (room < PUMP_ROOM_MIN)
			return PUMP_ROOM_MIN;
		return (size_t)room < c->chunk ? (size_t)room : c->chunk;
	}
#endif
	return c->chunk;
}

/* Reads one chunk and converts it into the pending output. */
static enum pump_step
fill_rw(struct pump_chan *c)
{
	ssize_t n;

	c->pend_off = 0;
	if (c->eof) {
		if (!c->cr_pending)
			return PUMP_STEP_EOF;
		c->cr_pending = 0;	/* a CR at the very end is data */
		c->obuf[0] = '\r';
		c->pend_len = 1;
		return PUMP_STEP_MOVED;
	}
	do
		n = read(c->in, c->buf, read_size(c));
	while (n < 0 && errno == EINTR);
	if (n < 0 && is_again(errno))
		return wait_for(c, c->in, POLLIN);
	if (n < 0)
		return fail(c, errno, 0);
	if (n == 0) {
		c->eof = 1;
		return fill_rw(c);
	}
	c->bytes_in += (uint64_t)n;
	if (c->observe != NULL)
		c->observe(c->observe_ctx, 0, c->buf, (size_t)n);
	if (c->obuf != NULL)
		c->pend_len = pump_convert(c->conv, &c->cr_pending, c->buf,
		    (size_t)n, c->obuf);
	else
		c->pend_len = (size_t)n;
	return PUMP_STEP_MOVED;
}

static enum pump_step
step_rw(struct pump_chan *c)
{
	enum pump_step st;

	if (c->pend_len == 0 && (st = fill_rw(c)) != PUMP_STEP_MOVED)
		return st;
	return flush_rw(c);
}

/* A fast path was refused before moving anything: go on with read/write,
 * taking over what sits in the private pipe. */
static enum pump_step
fall_back(struct pump_chan *c)
{
	ssize_t n;

	c->method = PUMP_READ_WRITE;
	/* the private pipe may hold more than a chunk (PUMP_PIPE_BIG, for
	 * root) */
	if (c->chunk < c->pend_len)
		c->chunk = c->pend_len;
	if (alloc_buffers(c) < 0)
		return fail(c, ENOMEM, 0);
	if (c->pend_len > 0) {
		do
			n = read(c->pipe_r, c->buf, c->pend_len);
		while (n < 0 && errno == EINTR);
		if (n < 0 || (size_t)n != c->pend_len)
			return fail(c, n < 0 ? errno : EIO, 0);
		c->pend_off = 0;
	}
	return step_rw(c);
}

#ifdef __linux__
/* ---- sendfile: a regular file to a socket (or any non-pipe) ---- */

static enum pump_step
step_sendfile(struct pump_chan *c)
{
	ssize_t n;

	do
		n = sendfile(c->out, c->in, NULL, PUMP_FILE_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		c->eof = 1;
		return PUMP_STEP_EOF;
	}
	if (n < 0 && is_again(errno))
		return wait_for(c, c->out, POLLOUT);
	if (n < 0 && !c->fast_moved && is_unsupported(errno))
		return fall_back(c);
	if (n < 0)
		return fail_fast(c, errno);
	c->fast_moved = 1;
	c->bytes_in += (uint64_t)n;
	c->bytes_out += (uint64_t)n;
	/* a file never blocks: a short count means out is full, so wait
	 * for room rather than try again at once and meet EAGAIN */
	if (n < PUMP_FILE_CHUNK) {
		wait_for(c, c->out, POLLOUT);
		return PUMP_STEP_MOVED;
	}
	return moved(c);
}

/* ---- splice: either side is a pipe ---- */

/* EAGAIN from a splice does not say which side was not ready. */
static enum pump_step
wait_for_either(struct pump_chan *c)
{
	struct pollfd pfd = { .fd = c->out, .events = POLLOUT };

	if (poll(&pfd, 1, 0) == 0)
		return wait_for(c, c->out, POLLOUT);
	return wait_for(c, c->in, POLLIN);
}

static enum pump_step
step_splice(struct pump_chan *c)
{
	ssize_t n;

	do
		n = splice(c->in, NULL, c->out, NULL, PUMP_CHUNK,
		    SPLICE_F_MOVE);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		c->eof = 1;
		return PUMP_STEP_EOF;
	}
	if (n < 0 && is_again(errno))
		return wait_for_either(c);
	if (n < 0 && !c->fast_moved && is_unsupported(errno))
		return fall_back(c);
	if (n < 0)
		return fail_fast(c, errno);
	c->fast_moved = 1;
	c->bytes_in += (uint64_t)n;
	c->bytes_out += (uint64_t)n;
	return moved(c);
}

/* ---- splice through a private pipe: socket to a file, device or
 * socket ---- */

static enum pump_step
drain_private_pipe(struct pump_chan *c)
{
	ssize_t n;

	while (c->pend_len > 0) {
		n = splice(c->pipe_r, NULL, c->out, NULL, c->pend_len,
		    SPLICE_F_MOVE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && is_again(errno))
			return wait_for(c, c->out, POLLOUT);
		if (n < 0 && !c->fast_moved && is_unsupported(errno))
			return fall_back(c);
		if (n <= 0)
			return fail(c, n < 0 ? errno : EIO, 1);
		c->fast_moved = 1;
		c->pend_len -= (size_t)n;
		c->bytes_out += (uint64_t)n;
	}
	return moved(c);
}

static enum pump_step
step_splice_via_pipe(struct pump_chan *c)
{
	ssize_t n;

	if (c->pend_len > 0)
		return drain_private_pipe(c);
	do
		n = splice(c->in, NULL, c->pipe_w, NULL, PUMP_PIPE_BIG,
		    SPLICE_F_MOVE);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		c->eof = 1;
		return PUMP_STEP_EOF;
	}
	if (n < 0 && is_again(errno))	/* the private pipe is empty */
		return wait_for(c, c->in, POLLIN);
	if (n < 0 && !c->fast_moved && is_unsupported(errno))
		return fall_back(c);
	if (n < 0)
		return fail(c, errno, 0);
	c->bytes_in += (uint64_t)n;
	c->pend_len = (size_t)n;
	return drain_private_pipe(c);
}
#endif

enum pump_step
pump_chan_step(struct pump_chan *c)
{
	switch (c->method) {
#ifdef __linux__
	case PUMP_SENDFILE:
		return step_sendfile(c);
	case PUMP_SPLICE:
		return step_splice(c);
	case PUMP_SPLICE_VIA_PIPE:
		return step_splice_via_pipe(c);
#endif
	default:
		return step_rw(c);
	}
}
