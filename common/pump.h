/* pump.h - move a byte stream from one descriptor to another as fast as the
 * kernel allows.
 *
 * The data channel is a byte pump.  The fast paths need no copy through
 * user space: sendfile(2) from a regular file to a socket, splice(2) when
 * either side is a pipe.  Everything else uses read/write with a large
 * buffer.  Setting RAWFTP_PORTABLE=1 in the environment forces the
 * read/write path, so the tests can run the portable code as well.
 * TYPE A conversion (LF <-> CRLF) always takes the read/write path.
 */
#ifndef RAWFTP_PUMP_H
#define RAWFTP_PUMP_H

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
 * interruption.  Blocking or non-blocking descriptors both work. */
void pump_copy(int in, int out, const struct pump_opts *opts,
    struct pump_result *res);

/* Nonzero when RAWFTP_PORTABLE forces the read/write path. */
int pump_portable_forced(void);

#endif
