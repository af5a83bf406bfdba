/* linebuf.h - a bounded line reader for CRLF (or LF) protocols.
 *
 * The buffer is fixed: a line longer than it comes out in pieces, each
 * flagged partial except the last, so a 1 MB line from a hostile peer costs
 * no memory and cannot desynchronise the reader.  Reading (lb_fill) and
 * splitting (lb_next) are separate so a poll() loop can use it too.
 */
#ifndef RAWFTP_LINEBUF_H
#define RAWFTP_LINEBUF_H

#include <stddef.h>
#include <sys/types.h>

#include "line.h"	/* line_chomp, for every reader of lines */

#define LB_SIZE 8192

enum lb_status { LB_LINE, LB_EOF, LB_TIMEOUT, LB_ERROR };

struct linebuf {
	int fd;
	size_t cap;		/* longest piece returned; <= LB_SIZE */
	size_t start, end;	/* unread bytes are buf[start..end) */
	int eof;
	int crlf_only;		/* lines end at CRLF only, as a server sends
				 * them: a bare LF stays inside the line */
	/* Optional: rewrites freshly read bytes in place, returns the new
	 * length (Telnet IAC stripping on a control channel). */
	size_t (*filter)(void *ctx, char *buf, size_t len);
	void *filter_ctx;
	char buf[LB_SIZE];
};

/* cap 0 means LB_SIZE. */
void lb_init(struct linebuf *lb, int fd, size_t cap);

/* One read(2) into the buffer: >0 bytes read, 0 end of file, -1 error with
 * errno (EAGAIN on a non-blocking descriptor). */
ssize_t lb_fill(struct linebuf *lb);

/* The next line already buffered, terminator included.  Returns 1 with
 * *line, *len and *partial set, or 0 if no whole line is buffered yet.  At
 * end of file an unterminated tail comes out as a last line.  *line points
 * into the buffer and stays valid until the next lb_fill. */
int lb_next(struct linebuf *lb, const char **line, size_t *len, int *partial);

/* lb_next, filling as needed, waiting at most timeout_ms (-1: forever)
 * for the whole line, however its bytes arrive. */
enum lb_status lb_getline(struct linebuf *lb, int timeout_ms,
    const char **line, size_t *len, int *partial);

/* Bytes read but not yet returned. */
size_t lb_pending(const struct linebuf *lb);

#endif
