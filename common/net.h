/* net.h - TCP connect, listen and accept with timeouts, IPv4 and IPv6.
 *
 * Every wait is bounded by a timeout in milliseconds (-1: wait forever), and
 * every failure comes back as a one-line message plus the sysexits code a
 * program should exit with, so callers stay flat:
 *	if ((fd = net_connect(host, port, AF_UNSPEC, NULL, 10000, &e)) < 0)
 *		die(e.exit_code, "%s", e.msg);
 */
#ifndef RAWFTP_NET_H
#define RAWFTP_NET_H

#include <sys/socket.h>

#include "hostport.h"

/* Seconds a client program waits for a connection when not told (-w). */
#define CONNECT_TIMEOUT 30

struct net_error {
	int exit_code;		/* EXIT_NOHOST, EXIT_UNAVAILABLE, EXIT_TEMPFAIL... */
	char msg[256];
};

/* A socket that connects to a loopback address, or listens on one (and
 * so the connections it accepts), uses the congestion control reno, which
 * does not pace, whatever the system's default: on loopback there is no
 * network queue for pacing (BBR's) to protect, and it only costs the
 * sender a timer and a smaller burst a packet.  Chosen before the
 * connection exists, since a pacing algorithm's start leaves the socket
 * paced for good.  Linux; best effort (bench/README.md, ftp-tap).
 *
 * Resolve host (a name or a numeric address) and connect to the first
 * address that answers.  family: AF_UNSPEC, AF_INET or AF_INET6.  source:
 * a numeric local address to connect from (its family then decides which
 * of host's addresses are tried), or NULL to let the kernel choose. */
int net_connect(const char *host, const char *port, int family,
    const char *source, int timeout_ms, struct net_error *err);

/* Bind and listen.  addr NULL means the wildcard of family (AF_UNSPEC picks
 * IPv4).  port "0" lets the kernel choose; read it back with net_local. */
int net_listen(const char *addr, const char *port, int family, int backlog,
    struct net_error *err);

/* Bind and listen on a port in lo..hi of the address family of local,
 * starting at a rotating point so sessions spread over the range.  Safe
 * to call from several threads at once. */
int net_listen_range(const struct hostport *local, unsigned lo, unsigned hi,
    struct net_error *err);

/* Accept one connection, waiting at most timeout_ms.  peer may be NULL. */
int net_accept(int listen_fd, int timeout_ms, struct hostport *peer,
    struct net_error *err);

/* The two ends of a socket as numeric host and port (IPv4-mapped IPv6
 * addresses are shown as IPv4). */
int net_local(int fd, struct hostport *out);
int net_peer(int fd, struct hostport *out);
int net_sockaddr_to_hostport(const struct sockaddr *sa, struct hostport *out);

/* poll() one descriptor for events, retrying on EINTR.  Returns 1 ready,
 * 0 timed out, -1 error. */
int net_wait(int fd, short events, int timeout_ms);

/* Switch O_NONBLOCK on or off.  0 or -1. */
int net_set_nonblocking(int fd, int on);

/* Write all of buf, retrying short writes and EINTR; when the socket
 * takes nothing for timeout_ms (-1: wait forever), -1 with ETIMEDOUT.
 * 0 or -1. */
int net_write_all(int fd, const void *buf, size_t len, int timeout_ms);

/* Bound every blocking write on fd (SO_SNDTIMEO): a peer that reads
 * nothing cannot hold the writer for ever.  0 or -1. */
int net_set_send_timeout(int fd, int timeout_ms);

/* The socket of an FTP control connection, at either end (a server's
 * accepted one, a relay's connection onward): the urgent byte of
 * Telnet's Synch before ABOR (RFC 959 4.1.3) stays in the stream
 * (SO_OOBINLINE), each line goes out at once (TCP_NODELAY), and every
 * write is bounded by send_timeout_ms (net_set_send_timeout): a peer
 * that reads nothing cannot hold the sender for ever. */
void net_setup_control(int fd, int send_timeout_ms);

/* Milliseconds on the monotonic clock, for deadlines. */
long long net_now_ms(void);

/* Milliseconds until deadline (a net_now_ms() value), 0 once past: a
 * timeout for poll(2). */
int net_ms_left(long long deadline);

#endif
