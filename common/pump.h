/* pump.h - move a byte stream from one descriptor to another as fast as the
 * kernel allows.
 *
 * The data channel is a byte pump.  The fast paths need no copy through
 * user space: sendfile(2) from a regular file to a socket, splice(2) when
 * either side is a pipe, and from a socket to a file or a device splice(2)
 * through a pipe of the pump's own, as large as the kernel grants.
 * Everything else uses read/write with a large buffer; between two
 * sockets (a relay) on purpose, with a larger one, each read no more than
 * the receiving socket has room for (pump.c says why).
 * RAWFTP_PORTABLE=1 in the environment (portable.h) forces the
 * read/write path, so the tests can run the portable code as well.  TYPE
 * A conversion (LF <-> CRLF) always takes the read/write path.
 *
 * A pump_chan is one direction; pump_chan_step() moves one chunk and says
 * what it would wait for, and the caller's own poll loop does the waiting
 * (so it can watch the control connection or the other direction too):
 *	pump_chan_open(&c, in, out, PUMP_BINARY);
 *	while ((st = pump_chan_step(&c)) != PUMP_STEP_EOF &&
 *	    st != PUMP_STEP_ERROR)
 *		if (st == PUMP_STEP_WAIT)
 *			{ pump_chan_pollfd(&c, &pfd); poll(&pfd, 1, ms); }
 *	pump_chan_close(&c);
 *
 * Callers must ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)): write, splice
 * and sendfile to a pipe or socket whose reader went away raise it, and
 * the pump reports that as PUMP_STEP_ERROR with write_failed and err
 * EPIPE instead.
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

enum pump_method {
	PUMP_READ_WRITE,	/* read(2) into a buffer, write(2) it out */
	PUMP_SENDFILE,		/* regular file to anything but a pipe */
	PUMP_SPLICE,		/* either side is a pipe */
	PUMP_SPLICE_VIA_PIPE	/* a socket to a file or device, through a
				 * private pipe */
};

enum pump_step {
	PUMP_STEP_MOVED,	/* some bytes went through; step again */
	PUMP_STEP_WAIT,		/* would block: poll pump_chan_pollfd, retry */
	PUMP_STEP_EOF,		/* input ended and all of it was written */
	PUMP_STEP_ERROR		/* err and write_failed say what failed */
};

/* Sees the bytes as they pass: each chunk read from in (written 0), and
 * each piece written to out (written 1), after TYPE A conversion. */
typedef void (*pump_observer)(void *ctx, int written, const char *bytes,
    size_t len);

struct pump_chan {
	int in, out;
	enum pump_conv conv;
	enum pump_method method;
	uint64_t bytes_in, bytes_out;
	int err;		/* errno after PUMP_STEP_ERROR */
	int write_failed;	/* the error was on out, not in */
	pump_observer observe;	/* NULL, or called for every chunk */
	void *observe_ctx;
	/* private */
	int wait_fd;		/* what the last PUMP_STEP_WAIT waits for */
	short wait_events;
	int eof;		/* read returned 0 */
	int cr_pending;		/* CRLF_TO_LF: a CR ended the last chunk */
	int fast_moved;		/* the fast path has moved bytes before */
	int in_is_socket;	/* errors of a kernel path: which side */
	size_t chunk;		/* read/write: bytes per read */
	int cap_to_room;	/* read/write: reads fit out's room */
	char *buf, *obuf;	/* read/write buffers */
	size_t pend_off, pend_len;	/* bytes read, not yet written */
	int pipe_r, pipe_w;	/* PUMP_SPLICE_VIA_PIPE */
};

/* Picks the fastest method for in and out and grows pipe buffers.  Returns
 * 0, or -1 with errno (ENOMEM) and nothing to free. */
int pump_chan_open(struct pump_chan *c, int in, int out, enum pump_conv conv);

/* pump_chan_open with an observer (a pcap writer, a hex dump): the bytes
 * must pass through user space, so the channel takes the read/write
 * path. */
int pump_chan_open_observed(struct pump_chan *c, int in, int out,
    enum pump_conv conv, pump_observer observe, void *ctx);

/* Moves at most one chunk (about 1 MiB, less from a smaller file, at
 * least 64 KiB; 4 MiB between two sockets) from in to out. */
enum pump_step pump_chan_step(struct pump_chan *c);

/* The descriptor and events the next step needs: in for POLLIN, or out
 * for POLLOUT when written bytes are pending.  revents is cleared. */
void pump_chan_pollfd(const struct pump_chan *c, struct pollfd *pfd);

/* For a channel that has stopped moving: the memory of its read/write
 * buffers that holds no pending bytes goes back to the system (the next
 * chunk costs page faults).  A stalled relay then holds only what it
 * could not write yet. */
void pump_chan_trim(struct pump_chan *c);

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
