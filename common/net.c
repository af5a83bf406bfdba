/* net.c - sockets with bounded waits; see net.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "net.h"

static int __attribute__((format(printf, 3, 4)))
set_error(struct net_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		err->exit_code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return -1;
}

long long
net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
net_ms_left(long long deadline)
{
	long long left = deadline - net_now_ms();

	return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

int
net_wait(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long long deadline = net_now_ms() + timeout_ms;
	int left = timeout_ms, n;

	for (;;) {
		n = poll(&pfd, 1, left);
		if (n >= 0)
			return n > 0 ? 1 : 0;
		if (errno != EINTR)
			return -1;
		if (timeout_ms >= 0)
			left = net_ms_left(deadline);
	}
}

int
net_write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		int ready;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* a non-blocking socket is full, or SO_SNDTIMEO ran out */
			if ((ready = net_wait(fd, POLLOUT, timeout_ms)) == 0)
				errno = ETIMEDOUT;
			if (ready <= 0)
				return -1;
			continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
net_set_send_timeout(int fd, int timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000,
	    .tv_usec = (timeout_ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void
net_setup_control(int fd, int send_timeout_ms)
{
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	net_set_send_timeout(fd, send_timeout_ms);
}

/* 127.0.0.0/8, ::1, or ::ffff:127.x.y.z */
static int
is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
	const unsigned char *a6 = in6->sin6_addr.s6_addr;

	if (sa->sa_family == AF_INET)
		return (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family != AF_INET6)
		return 0;
	return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
	    (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && a6[12] == 127);
}

/* On loopback, reno (net.h says why): before connect() or listen(). */
static void
unpaced_on_loopback(int fd, const struct sockaddr *sa)
{
#ifdef TCP_CONGESTION
	static const char reno[] = "reno";

	if (is_loopback(sa))
		setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, reno,
		    sizeof reno - 1);
#else
	(void)fd;
	(void)sa;
#endif
}

int
net_set_nonblocking(int fd, int on)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, flags);
}

/* Non-blocking connect from source (NULL: the kernel picks the local
 * address), then poll for at most timeout_ms.  Returns the connected
 * (blocking) socket, or -1 with errno (ETIMEDOUT on timeout). */
static int
connect_one(const struct addrinfo *ai, const struct addrinfo *source,
    int timeout_ms)
{
	int fd, soerr = 0, saved;
	socklen_t len = sizeof soerr;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd < 0)
		return -1;
	unpaced_on_loopback(fd, ai->ai_addr);
	if (source != NULL &&
	    bind(fd, source->ai_addr, source->ai_addrlen) < 0)
		goto fail;
	if (net_set_nonblocking(fd, 1) < 0)
		goto fail;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		int ready;
		if (errno != EINPROGRESS)
			goto fail;
		ready = net_wait(fd, POLLOUT, timeout_ms);
		if (ready == 0)
			errno = ETIMEDOUT;
		if (ready <= 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	if (net_set_nonblocking(fd, 0) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* The numeric source address, port 0; its family then decides which of
 * the host's addresses can be tried. */
static int
resolve_source(const char *source, int family, struct addrinfo **out,
    struct net_error *err)
{
	struct addrinfo hints = { .ai_family = family,
	    .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICHOST | AI_PASSIVE };
	int rc;

	*out = NULL;
	if (source == NULL)
		return 0;
	rc = getaddrinfo(source, "0", &hints, out);
	if (rc != 0)
		return set_error(err, EXIT_USAGE, "source address %s: %s",
		    source, gai_strerror(rc));
	return 0;
}

int
net_connect(const char *host, const char *port, int family,
    const char *source, int timeout_ms, struct net_error *err)
{
	/* no AI_ADDRCONFIG: on a loopback-only machine it would hide ::1 */
	struct addrinfo hints = { .ai_family = family,
	    .ai_socktype = SOCK_STREAM };
	struct addrinfo *list, *ai, *src;
	char from[HP_HOSTLEN + 32] = "";
	int fd = -1, rc, last_errno = EAFNOSUPPORT;

	if (resolve_source(source, family, &src, err) < 0)
		return -1;
	if (src != NULL) {
		hints.ai_family = src->ai_family;
		snprintf(from, sizeof from, " from %s (%s)", source,
		    src->ai_family == AF_INET6 ? "IPv6" : "IPv4");
	}
	rc = getaddrinfo(host, port, &hints, &list);
	for (ai = rc == 0 ? list : NULL; ai != NULL && fd < 0;
	    ai = ai->ai_next) {
		fd = connect_one(ai, src, timeout_ms);
		if (fd < 0)
			last_errno = errno;
	}
	if (rc == 0)
		freeaddrinfo(list);
	if (src != NULL)
		freeaddrinfo(src);
	if (rc != 0)
		return set_error(err, EXIT_NOHOST, "cannot resolve %s port "
		    "%s%s: %s", host, port, from, gai_strerror(rc));
	if (fd >= 0)
		return fd;
	if (last_errno == ETIMEDOUT)
		return set_error(err, EXIT_TEMPFAIL,
		    "connect to %s port %s%s: timed out", host, port, from);
	return set_error(err, EXIT_UNAVAILABLE, "connect to %s port %s%s: %s",
	    host, port, from, strerror(last_errno));
}

static int
bind_and_listen(const struct sockaddr *sa, socklen_t len, int backlog)
{
	int fd, one = 1, saved;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unpaced_on_loopback(fd, sa);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (sa->sa_family == AF_INET6)	/* ::1 means IPv6 only, as written */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, sa, len) < 0 || listen(fd, backlog) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
net_listen(const char *addr, const char *port, int family, int backlog,
    struct net_error *err)
{
	struct addrinfo hints = { .ai_family = family,
	    .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *list;
	int fd, rc;

	if (addr == NULL && family == AF_UNSPEC)
		hints.ai_family = AF_INET;
	rc = getaddrinfo(addr, port, &hints, &list);
	if (rc != 0)
		return set_error(err, EXIT_USAGE,
		    "cannot listen on %s port %s: %s", addr ? addr : "*", port,
		    gai_strerror(rc));
	fd = bind_and_listen(list->ai_addr, list->ai_addrlen, backlog);
	freeaddrinfo(list);
	if (fd >= 0)
		return fd;
	return set_error(err, errno == EACCES ? EXIT_NOPERM : EXIT_UNAVAILABLE,
	    "cannot listen on %s port %s: %s", addr ? addr : "*", port,
	    strerror(errno));
}

int
net_listen_range(const struct hostport *local, unsigned lo, unsigned hi,
    struct net_error *err)
{
	/* rotates through the range between calls; sessions on several
	 * threads call at once, hence atomic */
	static atomic_uint next;
	unsigned span = hi - lo + 1, i;
	char port[8];

	for (i = 0; i < span; i++) {
		unsigned candidate = lo + (atomic_fetch_add(&next, 1) % span);
		int fd;
		snprintf(port, sizeof port, "%u", candidate);
		fd = net_listen(local->host, port, local->family, 1, NULL);
		if (fd >= 0)
			return fd;
	}
	return set_error(err, EXIT_UNAVAILABLE,
	    "no free port in %u-%u on %s", lo, hi, local->host);
}

int
net_accept(int listen_fd, int timeout_ms, struct hostport *peer,
    struct net_error *err)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int ready, fd;

	ready = net_wait(listen_fd, POLLIN, timeout_ms);
	if (ready == 0)
		return set_error(err, EXIT_TEMPFAIL,
		    "no connection arrived in time");
	if (ready < 0)
		return set_error(err, EXIT_IOERR, "poll: %s",
		    strerror(errno));
	do
		fd = accept(listen_fd, (struct sockaddr *)&ss, &len);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return set_error(err, EXIT_IOERR, "accept: %s",
		    strerror(errno));
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (peer != NULL)
		net_sockaddr_to_hostport((struct sockaddr *)&ss, peer);
	return fd;
}

int
net_sockaddr_to_hostport(const struct sockaddr *sa, struct hostport *out)
{
	char host[HP_HOSTLEN], why[HP_WHYLEN];
	const char *h;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		if (!inet_ntop(AF_INET, &in->sin_addr, host, sizeof host))
			return -1;
		out->port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		if (!inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host))
			return -1;
		out->port = ntohs(in6->sin6_port);
	} else {
		return -1;
	}
	/* ::ffff:1.2.3.4 is an IPv4 peer on a dual-stack socket */
	h = strncmp(host, "::ffff:", 7) == 0 && strchr(host + 7, '.') ?
	    host + 7 : host;
	return hp_set_host(out, h, why, sizeof why);
}

int
net_local(int fd, struct hostport *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	return net_sockaddr_to_hostport((struct sockaddr *)&ss, out);
}

int
net_peer(int fd, struct hostport *out)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	return net_sockaddr_to_hostport((struct sockaddr *)&ss, out);
}
