/* pump.h - move a byte stream from one descriptor to another as fast as the
 * kernel allows.
 *
 * The data channel is a byte pump.  The fast paths need no copy through
 * user space: sendfile(2) from a regular file to a socket, splice(2) when
 * either side is a pipe, and from a socket to anything else splice(2)
 * through a pipe of the pump's own.  Everything else uses read/write with
 * a large buffer.  Setting RAWFTP_PORTABLE=1 in the environment forces the
 * read/write path, so the tests can run the portable code as well.
 * TYPE A conversion (LF <-> CRLF) always takes the read/write path.
 *
 * Callers must ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)): write, splice
 * and sendfile to a pipe or socket whose reader went away raise it, and
 * the pump reports that as PUMP_WRITE_ERROR with err EPIPE instead.
 *
 * Two interfaces: pump_copy() runs one direction to the end; a pump_chan
 * moves one chunk per pump_chan_step() for callers with their own poll
 * loop (ftp-dataconn moves both directions at once).
 */
#ifndef RAWFTP_PUMP_H
#define RAWFTP_PUMP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

enum pump_conv {
	PUMP_BINARY,		/* byte for byte (TYPE I) */
	PUMP_LF_TO_CRLF,	/* local text to the wire (TYPE A send) */
	PUMP_CRLF_TO_LF		/* the wire to local text (TYPE A receive) */
};

enum pump_status {
	PUMP_EOF,		/* the input ended; everything was written */
	PUMP_READ_ERROR,	/* err says why */
	PUMP_WRITE_ERROR,	/* err says why (EPIPE: the reader went away) */
	PUMP_TIMEOUT,		/* no progress for timeout_ms */
	PUMP_INTERRUPTED	/* watch_fd became readable (ABOR) */
};

struct pump_opts {
	enum pump_conv conv;
	int timeout_ms;		/* longest wait without progress; -1 none */
	int watch_fd;		/* -1, or stop when this fd is readable */
	/* called after each chunk written (hash marks, progress, narration) */
	void (*on_bytes)(void *ctx, uint64_t total_out);
	void *ctx;
};

struct pump_result {
	enum pump_status status;
	int err;		/* errno for the error statuses */
	uint64_t bytes_in;	/* read from in */
	uint64_t bytes_out;	/* written to out (differs under conversion) */
};

/* Default options: binary, no timeout, no watch, no callback. */
void pump_opts_init(struct pump_opts *opts);

/* Copies in to out until end of input, an error, a timeout or an
 * interruption.  Blocking or non-blocking descriptors both work.  With a
 * timeout or a watch_fd, the pump polls before each chunk; a write to a
 * blocking descriptor may still wait until its whole chunk is taken. */
void pump_copy(int in, int out, const struct pump_opts *opts,
    struct pump_result *res);

/* Nonzero when RAWFTP_PORTABLE forces the read/write path. */
int pump_portable_forced(void);

/* ---- one direction, one chunk at a time ---- */

enum pump_method {
	PUMP_READ_WRITE,	/* read(2) into a buffer, write(2) it out */
	PUMP_SENDFILE,		/* regular file to anything but a pipe */
	PUMP_SPLICE,		/* either side is a pipe */
	PUMP_SPLICE_VIA_PIPE	/* a socket to anything else, through a
				 * private pipe */
};

enum pump_step {
	PUMP_STEP_MOVED,	/* some bytes went through; step again */
	PUMP_STEP_WAIT,		/* would block: poll pump_chan_pollfd, retry */
	PUMP_STEP_EOF,		/* input ended and all of it was written */
	PUMP_STEP_ERROR		/* err and write_failed say what failed */
};

struct pump_chan {
	int in, out;
	enum pump_conv conv;
	enum pump_method method;
	uint64_t bytes_in, bytes_out;
	int err;		/* errno after PUMP_STEP_ERROR */
	int write_failed;	/* the error was on out, not in */
	/* private */
	int wait_fd;		/* what the last PUMP_STEP_WAIT waits for */
	short wait_events;
	int eof;		/* read returned 0 */
	int cr_pending;		/* CRLF_TO_LF: a CR ended the last chunk */
	int fast_moved;		/* the fast path has moved bytes before */
	int in_is_socket;	/* errors of a kernel path: which side */
	char *buf, *obuf;	/* read/write buffers */
	size_t pend_off, pend_len;	/* bytes read, not yet written */
	int pipe_r, pipe_w;	/* PUMP_SPLICE_VIA_PIPE */
};

/* Picks the fastest method for in and out and grows pipe buffers.  Returns
 * 0, or -1 with errno (ENOMEM) and nothing to free. */
int pump_chan_open(struct pump_chan *c, int in, int out, enum pump_conv conv);

/* Moves at most one chunk (about 1 MiB) from in to out. */
enum pump_step pump_chan_step(struct pump_chan *c);

/* The descriptor and events the next step needs: in for POLLIN, or out
 * for POLLOUT when written bytes are pending.  revents is cleared. */
void pump_chan_pollfd(const struct pump_chan *c, struct pollfd *pfd);

/* Frees the buffers and the private pipe (does not close in or out). */
void pump_chan_close(struct pump_chan *c);

/* "sendfile", "splice", "read/write"... for verbose output. */
const char *pump_method_name(enum pump_method m);

/* TYPE A conversion of one chunk: writes at most 2*len bytes to out and
 * returns how many.  *cr_pending carries a CR that ended the previous
 * chunk (CRLF_TO_LF; the other conversions leave it alone, and it may be
 * NULL for them); LF_TO_CRLF turns every LF into CRLF, so a receiver
 * converting back restores the original bytes exactly. */
size_t pump_convert(enum pump_conv conv, int *cr_pending, const char *in,
    size_t len, char *out);

#endif
