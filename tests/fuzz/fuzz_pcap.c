/* fuzz_pcap.c - the pcap writer (common/pcap.c) driven by random events,
 * then every record it wrote read back and checked as a reader would:
 * the file header, each record's lengths, the IPv4 header checksum, the
 * TCP checksum, sequence numbers that run on without a gap, and
 * acknowledgements of exactly what the other side sent.  The payload in
 * the file must add up to the bytes the calls that succeeded were given.
 *
 * Input: a list of events, one byte each plus its arguments:
 *	bits 0-1  the flow (four flows, each with its own client port)
 *	bits 2-3  0 open (next byte: bit 0 IPv6), 1 data (next byte: the
 *		  side; then two bytes: the length), 2 FIN, 3 RST (next
 *		  byte: the side)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcap.h"

#define FLOWS 4
#define CLIENT_PORT 40000	/* + the flow's number */
#define SERVER_PORT 21

static unsigned char payload[5000];
static unsigned char file[1 << 22];

struct input {
	const uint8_t *p;
	size_t left;
};

static unsigned
next(struct input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Folded one's complement sum of the 16-bit words of p; a header whose
 * checksum is right sums to 0xffff. */
static uint32_t
add_words(uint32_t sum, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len % 2)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	return sum;
}

/* Where each direction's next sequence number is expected: index
 * flow*2 + (1 when the server sends). */
static uint32_t expect[FLOWS * 2];
static int known[FLOWS * 2];

static void
check_tcp(const unsigned char *t, size_t tlen, const unsigned char *src,
    const unsigned char *dst, size_t alen, uint64_t *payload_total)
{
	unsigned sport, dport, flags, flow, dir, rev;
	uint32_t seq, ack, sum;
	size_t plen;

	if (tlen < 20 || t[12] >> 4 != 5)
		abort();		/* 20 bytes of header, no options */
	sum = add_words(0, src, alen);
	sum = add_words(sum, dst, alen);
	sum = add_words(sum + 6 + (uint32_t)tlen, t, tlen);
	if (sum != 0xffff)
		abort();		/* bad TCP checksum */
	sport = get16(t);
	dport = get16(t + 2);
	seq = get32(t + 4);
	ack = get32(t + 8);
	flags = t[13];
	plen = tlen - 20;
	if (plen > PCAP_MSS)
		abort();
	if (sport == SERVER_PORT)
		flow = dport - CLIENT_PORT, dir = 1;
	else if (dport == SERVER_PORT)
		flow = sport - CLIENT_PORT, dir = 0;
	else
		abort();
	if (flow >= FLOWS)
		abort();
	dir += flow * 2;
	rev = dir ^ 1;
	if (flags & 0x02) {		/* SYN: a new connection */
		if (!(flags & 0x10))
			known[rev] = 0;
	} else if (!known[dir] || seq != expect[dir]) {
		abort();		/* a gap, or an overlap */
	}
	if (flags & 0x10) {		/* ACK: all the other side sent */
		if (!known[rev] || ack != expect[rev])
			abort();
	}
	expect[dir] = seq + (uint32_t)plen + ((flags & 0x03) ? 1 : 0);
	known[dir] = 1;
	if (flags & 0x04)		/* RST: the connection is gone */
		known[dir] = known[rev] = 0;
	*payload_total += plen;
}

static void
check_file(size_t size, uint64_t want_payload)
{
	uint32_t magic, caplen, origlen, usec, linktype;
	uint64_t got_payload = 0;
	size_t off = 24;
	const unsigned char *ip;

	if (size < 24)
		abort();
	memcpy(&magic, file, 4);
	memcpy(&linktype, file + 20, 4);
	if (magic != 0xa1b2c3d4 || linktype != PCAP_LINKTYPE_RAW)
		abort();
	memset(known, 0, sizeof known);
	while (off < size) {
		if (size - off < 16)
			abort();	/* a record header cut short */
		memcpy(&usec, file + off + 4, 4);
		memcpy(&caplen, file + off + 8, 4);
		memcpy(&origlen, file + off + 12, 4);
		off += 16;
		if (usec >= 1000000 || caplen != origlen ||
		    caplen > size - off || caplen > PCAP_RECORD_MAX - 16)
			abort();
		ip = file + off;
		if (caplen >= 20 && ip[0] == 0x45) {
			if (get16(ip + 2) != caplen || ip[9] != 6 ||
			    add_words(0, ip, 20) != 0xffff)
				abort();
			check_tcp(ip + 20, caplen - 20, ip + 12, ip + 16, 4,
			    &got_payload);
		} else if (caplen >= 40 && ip[0] >> 4 == 6) {
			if (get16(ip + 4) + 40u != caplen || ip[6] != 6)
				abort();
			check_tcp(ip + 40, caplen - 40, ip + 8, ip + 24, 16,
			    &got_payload);
		} else {
			abort();
		}
		off += caplen;
	}
	if (got_payload != want_payload)
		abort();
}

static void
endpoint(struct hostport *hp, int v6, int server, unsigned port)
{
	char why[HP_WHYLEN];
	const char *host = v6 ? (server ? "::2" : "::1") :
	    (server ? "127.0.0.2" : "127.0.0.1");

	if (hp_set_host(hp, host, why, sizeof why) < 0)
		abort();
	hp->port = port;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *tmp;
	struct input in = { data, size };
	struct pcap_file pf;
	struct pcap_flow flows[FLOWS];
	struct hostport c, s;
	struct timespec when = { 1700000000, 0 };
	uint64_t want_payload = 0;
	unsigned op, flow, side, len, events = 0;
	size_t i, got;
	int v6;

	if (!tmp && !(tmp = tmpfile()))
		abort();
	for (i = 0; i < sizeof payload; i++)
		payload[i] = (unsigned char)(i * 31 + size);
	memset(flows, 0, sizeof flows);	/* not open: data must be refused */
	/* the same scratch file each time, emptied and rewound (the dup
	 * pcap_open is given shares the offset) */
	if (ftruncate(fileno(tmp), 0) < 0 ||
	    lseek(fileno(tmp), 0, SEEK_SET) < 0 ||
	    pcap_open(&pf, dup(fileno(tmp))) < 0)
		abort();
	while (in.left > 0 && events++ < 200) {
		op = next(&in);
		flow = op & 3;
		when.tv_nsec = (long)(next(&in) * 3906250L);	/* < 1 s */
		when.tv_sec++;
		switch ((op >> 2) & 3) {
		case 0:
			v6 = next(&in) & 1;
			endpoint(&c, v6, 0, CLIENT_PORT + flow);
			endpoint(&s, v6, 1, SERVER_PORT);
			if (pcap_flow_open(&flows[flow], &pf, &c, &s, &when) < 0)
				abort();
			break;
		case 1:
			side = next(&in) & 1;
			len = (next(&in) << 8 | next(&in)) % sizeof payload;
			if (pcap_flow_data(&flows[flow], side, payload, len,
			    &when) == 0)
				want_payload += len;
			break;
		default:
			side = next(&in) & 1;
			if (pcap_flow_close(&flows[flow], side, op & 4 ? 1 : 0,
			    &when) < 0)
				abort();
			break;
		}
	}
	if (pcap_close(&pf) < 0)
		abort();
	got = (size_t)pread(fileno(tmp), file, sizeof file, 0);
	if (got >= sizeof file)
		abort();	/* never: 200 events of at most 5000 bytes */
	check_file(got, want_payload);
	return 0;
}
