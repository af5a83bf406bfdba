/* pcap.c - rebuild the packets of TCP connections into a pcap file; see
 * pcap.h.
 *
 * Link type RAW, not Ethernet: on loopback there is no Ethernet header to
 * show, and made-up MAC addresses would teach something false.  RAW keeps
 * to what the sockets know (addresses, ports, bytes), and one link type
 * holds IPv4 and IPv6 packets in the same file.
 *
 * Every number a reader checks is computed as a stack would: the IPv4
 * header checksum, the TCP checksum over the pseudo-header (RFC 793,
 * RFC 8200 for IPv6), sequence numbers that count each payload byte and
 * each SYN and FIN, and acknowledgement numbers that acknowledge all the
 * other side has sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pcap.h"

enum tcp_flag {
	TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08,
	TCP_ACK = 0x10
};

#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define TCP_HEADER 20		/* no options */
#define RECORD_HEADER 16
#define TCP_WINDOW 65535	/* never full: at most two segments unacknowledged */

/* ---- bytes in network order ---- */

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* RFC 1071: add 16-bit big-endian words, an odd last byte padded with 0. */
static uint32_t
sum16(uint32_t sum, const unsigned char *p, size_t len)
{
	for (; len >= 2; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* The one's complement of the sum, with the carries folded back in. */
static unsigned
checksum(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* ---- the file ---- */

/* One record, one write(2), under the lock: records of concurrent flows
 * never interleave.  After a failed write nothing more is written (a
 * record cut in two would make the rest unreadable). */
static int
write_record(struct pcap_file *pf, const unsigned char *buf, size_t len)
{
	ssize_t n;
	int err = 0;

	if (pf->fd < 0)
		return 0;	/* no file: a keeper's records only */
	pthread_mutex_lock(&pf->lock);
	if (pf->err == 0) {
		do
			n = write(pf->fd, buf, len);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			pf->err = errno;
		else if ((size_t)n != len)
			pf->err = ENOSPC;	/* a short write: the disk is full */
	}
	err = pf->err;
	pthread_mutex_unlock(&pf->lock);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void
pcap_file_header(unsigned char *h)
{
	uint32_t magic = 0xa1b2c3d4;	/* microseconds, in our byte order */
	uint16_t major = 2, minor = 4;
	uint32_t zero = 0, snaplen = 65535, linktype = PCAP_LINKTYPE_RAW;

	memcpy(h, &magic, 4);
	memcpy(h + 4, &major, 2);
	memcpy(h + 6, &minor, 2);
	memcpy(h + 8, &zero, 4);	/* time zone: timestamps are UTC */
	memcpy(h + 12, &zero, 4);	/* timestamp accuracy: unused */
	memcpy(h + 16, &snaplen, 4);
	memcpy(h + 20, &linktype, 4);
}

int
pcap_open(struct pcap_file *pf, int fd)
{
	unsigned char h[PCAP_FILE_HEADER];

	pf->fd = fd;
	pf->err = 0;
	pf->keep = NULL;
	pcap_file_header(h);
	if ((errno = pthread_mutex_init(&pf->lock, NULL)) != 0)
		return -1;
	if (write_record(pf, h, sizeof h) < 0) {
		pthread_mutex_destroy(&pf->lock);
		return -1;
	}
	return 0;
}

int
pcap_close(struct pcap_file *pf)
{
	int err = pf->err;

	pthread_mutex_destroy(&pf->lock);
	if (pf->fd >= 0 && close(pf->fd) < 0 && err == 0)
		err = errno;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* ---- one packet ---- */

/* The IP header of a packet from side `from`; returns its length. */
static size_t
put_ip_header(unsigned char *p, struct pcap_flow *f, enum pcap_side from,
    size_t tcp_len)
{
	size_t alen = f->family == AF_INET ? 4 : 16;

	if (f->family == AF_INET) {
		p[0] = 0x45;		/* version 4, 5 words of header */
		p[1] = 0;		/* type of service */
		put16(p + 2, (unsigned)(IPV4_HEADER + tcp_len));
		put16(p + 4, f->ip_id[from]++);
		put16(p + 6, 0x4000);	/* don't fragment */
		p[8] = 64;		/* time to live */
		p[9] = IPPROTO_TCP;
		put16(p + 10, 0);
		memcpy(p + 12, f->addr[from], alen);
		memcpy(p + 16, f->addr[!from], alen);
		put16(p + 10, checksum(sum16(0, p, IPV4_HEADER)));
		return IPV4_HEADER;
	}
	put32(p, 6u << 28);		/* version 6, no class, no flow label */
	put16(p + 4, (unsigned)tcp_len);	/* payload length */
	p[6] = IPPROTO_TCP;		/* next header */
	p[7] = 64;			/* hop limit */
	memcpy(p + 8, f->addr[from], alen);
	memcpy(p + 24, f->addr[!from], alen);
	return IPV6_HEADER;
}

/* The TCP header and payload, checksummed over the pseudo-header: both
 * addresses, the protocol and the TCP length. */
static void
put_tcp_segment(unsigned char *p, struct pcap_flow *f, enum pcap_side from,
    unsigned flags, const void *payload, size_t len)
{
	size_t alen = f->family == AF_INET ? 4 : 16;
	uint32_t sum;

	put16(p, f->port[from]);
	put16(p + 2, f->port[!from]);
	put32(p + 4, f->seq[from]);
	put32(p + 8, flags & TCP_ACK ? f->seq[!from] : 0);
	p[12] = (TCP_HEADER / 4) << 4;	/* data offset */
	p[13] = (unsigned char)flags;
	put16(p + 14, TCP_WINDOW);
	put16(p + 16, 0);		/* checksum, below */
	put16(p + 18, 0);		/* urgent pointer */
	if (len > 0)
		memcpy(p + TCP_HEADER, payload, len);
	sum = sum16(0, f->addr[from], alen);
	sum = sum16(sum, f->addr[!from], alen);
	sum += IPPROTO_TCP + (uint32_t)(TCP_HEADER + len);
	sum = sum16(sum, p, TCP_HEADER + len);
	put16(p + 16, checksum(sum));
}

/* One packet from side `from`, sequence number f->seq[from], acknowledging
 * everything the other side sent (when flags has ACK). */
static int
emit(struct pcap_flow *f, enum pcap_side from, unsigned flags,
    const void *payload, size_t len, const struct timespec *when)
{
	unsigned char rec[PCAP_RECORD_MAX];
	size_t ip_len, total;
	uint32_t sec = (uint32_t)when->tv_sec;
	uint32_t usec = (uint32_t)(when->tv_nsec / 1000), caplen;

	ip_len = put_ip_header(rec + RECORD_HEADER, f, from, TCP_HEADER + len);
	put_tcp_segment(rec + RECORD_HEADER + ip_len, f, from, flags, payload,
	    len);
	total = ip_len + TCP_HEADER + len;
	caplen = (uint32_t)total;
	memcpy(rec, &sec, 4);
	memcpy(rec + 4, &usec, 4);
	memcpy(rec + 8, &caplen, 4);	/* bytes in the file */
	memcpy(rec + 12, &caplen, 4);	/* bytes on the wire: the same */
	if (f->file->keep != NULL)
		f->file->keep(&(struct pcap_record){ f, f->session, f->data,
		    from, (flags & TCP_SYN) && !(flags & TCP_ACK), rec,
		    RECORD_HEADER + total, RECORD_HEADER + ip_len +
		    TCP_HEADER });
	return write_record(f->file, rec, RECORD_HEADER + total);
}

/* ---- a connection ---- */

/* Real stacks choose initial sequence numbers no one can guess (RFC
 * 6528).  These only need to differ from one connection to the next, so
 * that a reader tells apart two connections that reuse a port. */
static uint32_t
initial_seq(const struct pcap_flow *f, enum pcap_side side,
    const struct timespec *when)
{
	uint32_t h = (uint32_t)when->tv_sec * 2654435761u ^
	    (uint32_t)when->tv_nsec;

	h ^= (uint32_t)f->port[side] << 16 | f->port[!side];
	return h * 2246822519u + (uint32_t)side * 0x9e3779b9u;
}

static int
set_end(struct pcap_flow *f, enum pcap_side side, const struct hostport *hp)
{
	if (hp->family != f->family || hp->port > 65535 ||
	    inet_pton(hp->family, hp->host, f->addr[side]) != 1)
		return -1;
	f->port[side] = (uint16_t)hp->port;
	return 0;
}

int
pcap_flow_open(struct pcap_flow *f, struct pcap_file *pf,
    const struct hostport *connector, const struct hostport *acceptor,
    const struct timespec *when)
{
	unsigned session = f->session;	/* the keeper's, set before */
	int data = f->data;

	memset(f, 0, sizeof *f);
	f->session = session;
	f->data = data;
	f->file = pf;
	f->family = connector->family;
	if ((f->family != AF_INET && f->family != AF_INET6) ||
	    set_end(f, PCAP_CONNECTOR, connector) < 0 ||
	    set_end(f, PCAP_ACCEPTOR, acceptor) < 0) {
		errno = EINVAL;
		return -1;
	}
	f->seq[PCAP_CONNECTOR] = initial_seq(f, PCAP_CONNECTOR, when);
	f->seq[PCAP_ACCEPTOR] = initial_seq(f, PCAP_ACCEPTOR, when);
	f->open = 1;
	/* A SYN counts as one byte of the sequence. */
	if (emit(f, PCAP_CONNECTOR, TCP_SYN, NULL, 0, when) < 0)
		return -1;
	f->seq[PCAP_CONNECTOR]++;
	if (emit(f, PCAP_ACCEPTOR, TCP_SYN | TCP_ACK, NULL, 0, when) < 0)
		return -1;
	f->seq[PCAP_ACCEPTOR]++;
	return emit(f, PCAP_CONNECTOR, TCP_ACK, NULL, 0, when);
}

int
pcap_flow_data(struct pcap_flow *f, enum pcap_side from, const void *bytes,
    size_t len, const struct timespec *when)
{
	const unsigned char *p = bytes;
	size_t seg;
	unsigned flags, n;

	if (!f->open || f->fin[from]) {
		errno = EPIPE;
		return -1;
	}
	for (n = 1; len > 0; n++, p += seg, len -= seg) {
		seg = len < PCAP_MSS ? len : PCAP_MSS;
		flags = TCP_ACK | (seg == len ? TCP_PSH : 0);
		if (emit(f, from, flags, p, seg, when) < 0)
			return -1;
		f->seq[from] += (uint32_t)seg;
		if ((n % 2 == 0 || seg == len) &&
		    emit(f, !from, TCP_ACK, NULL, 0, when) < 0)
			return -1;
	}
	return 0;
}

int
pcap_flow_close(struct pcap_flow *f, enum pcap_side who, int rst,
    const struct timespec *when)
{
	if (!f->open || f->fin[who])
		return 0;
	if (rst) {
		f->open = 0;
		return emit(f, who, TCP_RST | TCP_ACK, NULL, 0, when);
	}
	/* A FIN counts as one byte; the other side acknowledges it.  After
	 * the second FIN, that acknowledgement is the connection's last
	 * packet. */
	if (emit(f, who, TCP_FIN | TCP_ACK, NULL, 0, when) < 0)
		return -1;
	f->seq[who]++;
	f->fin[who] = 1;
	if (f->fin[!who])
		f->open = 0;
	return emit(f, !who, TCP_ACK, NULL, 0, when);
}
