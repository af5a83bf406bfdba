/* linebuf.c - bounded line reader; see linebuf.h. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "linebuf.h"
#include "net.h"

void
lb_init(struct linebuf *lb, int fd, size_t cap)
{
	lb->fd = fd;
	lb->cap = cap == 0 || cap > LB_SIZE ? LB_SIZE : cap;
	lb->start = lb->end = 0;
	lb->eof = 0;
	lb->crlf_only = 0;
	lb->filter = NULL;
	lb->filter_ctx = NULL;
}

ssize_t
lb_fill(struct linebuf *lb)
{
	ssize_t n;
	size_t room;

	if (lb->start > 0) {	/* slide unread bytes to the front */
		memmove(lb->buf, lb->buf + lb->start, lb->end - lb->start);
		lb->end -= lb->start;
		lb->start = 0;
	}
	room = LB_SIZE - lb->end;
	if (room == 0)
		return 1;	/* full: lb_next will hand out a piece */
	do
		n = read(lb->fd, lb->buf + lb->end, room);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		lb->eof = 1;
	if (n <= 0)
		return n;
	if (lb->filter != NULL)
		n = (ssize_t)lb->filter(lb->filter_ctx, lb->buf + lb->end,
		    (size_t)n);
	lb->end += (size_t)n;
	return n > 0 ? n : 1;	/* all filtered away still counts as data */
}

/* The LF that ends the first line of p[0..scan), or NULL. */
static const char *
line_end(const struct linebuf *lb, const char *p, size_t scan)
{
	const char *lf = memchr(p, '\n', scan);

	while (lb->crlf_only && lf != NULL && (lf == p || lf[-1] != '\r'))
		lf = memchr(lf + 1, '\n', scan - (size_t)(lf + 1 - p));
	return lf;
}

int
lb_next(struct linebuf *lb, const char **line, size_t *len, int *partial)
{
	const char *p = lb->buf + lb->start;
	size_t avail = lb->end - lb->start;
	size_t scan = avail < lb->cap ? avail : lb->cap;
	const char *lf = line_end(lb, p, scan);

	*partial = 0;
	if (lf != NULL) {
		*len = (size_t)(lf - p) + 1;
	} else if (avail >= lb->cap) {
		*len = lb->cap;
		/* keep a CR with its LF, so a piece never splits CRLF */
		if (p[*len - 1] == '\r' && *len > 1)
			(*len)--;
		*partial = 1;
	} else if (lb->eof && avail > 0) {
		*len = avail;
	} else {
		return 0;
	}
	*line = p;
	lb->start += *len;
	return 1;
}

enum lb_status
lb_getline(struct linebuf *lb, int timeout_ms, const char **line,
    size_t *len, int *partial)
{
	/* one deadline for the whole line: a peer sending a byte at a time
	 * must not restart the wait with each byte */
	long long deadline = net_now_ms() + timeout_ms;

	while (!lb_next(lb, line, len, partial)) {
		int ready;
		ssize_t n;

		if (lb->eof)
			return LB_EOF;
		ready = net_wait(lb->fd, POLLIN,
		    timeout_ms < 0 ? -1 : net_ms_left(deadline));
		if (ready == 0)
			return LB_TIMEOUT;
		if (ready < 0)
			return LB_ERROR;
		n = lb_fill(lb);
		if (n < 0 && errno != EAGAIN)
			return LB_ERROR;
	}
	return LB_LINE;
}

size_t
lb_pending(const struct linebuf *lb)
{
	return lb->end - lb->start;
}
