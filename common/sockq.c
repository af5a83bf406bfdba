/* sockq.c - the kernel's view of a TCP connection; see sockq.h. */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#ifdef __linux__
#include <linux/sockios.h>	/* SIOCOUTQ, SIOCOUTQNSD */
#endif

#include <stdatomic.h>

#include "sockq.h"

static atomic_int reading_shut;	/* sockq_shut_reading was called */
static atomic_int can_count;	/* 1: SIOCOUTQNSD answered once */

/* One of the ioctls that count a send queue; -1 without it. */
static int
queued(int fd, unsigned long request)
{
	int n;

	if (request == 0 || ioctl(fd, request, &n) < 0 || n < 0)
		return -1;
	return n;
}

int
sockq_unsent(int fd)
{
#ifdef SIOCOUTQNSD
	return queued(fd, SIOCOUTQNSD);
#else
	return queued(fd, 0);
#endif
}

int
sockq_unacked(int fd)
{
#ifdef SIOCOUTQ
	return queued(fd, SIOCOUTQ);
#else
	return queued(fd, 0);
#endif
}

int
sockq_peer_fin(int fd)
{
#ifdef TCP_INFO
	struct tcp_info ti;
	socklen_t len = sizeof ti;

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -1;
	switch (ti.tcpi_state) {
	case TCP_CLOSE_WAIT:	/* its FIN came before ours */
	case TCP_LAST_ACK:
	case TCP_CLOSING:	/* the FINs crossed */
	case TCP_TIME_WAIT:	/* its FIN came after ours */
	case TCP_CLOSE:		/* over: reset, or both FINs */
		return 1;
	default:
		return 0;
	}
#else
	(void)fd;
	return -1;
#endif
}

int
sockq_shut_reading(int fd)
{
	atomic_store(&reading_shut, 1);	/* before: a reader that sees the
					   end of file sees this too */
	return shutdown(fd, SHUT_RD);
}

int
sockq_eof_is_fin(int fd)
{
	if (!atomic_load(&reading_shut))
		return 1;
	return sockq_peer_fin(fd);
}

int
sockq_can_count(int fd)
{
	if (atomic_load(&can_count))
		return 1;
	if (sockq_unsent(fd) < 0)
		return 0;
	atomic_store(&can_count, 1);
	return 1;
}
