/* pcap.h - a capture file that Wireshark and tshark open, written from
 * what the sockets saw, with no capture privileges.
 *
 * A program that serves connections knows every byte it read and wrote,
 * and when each connection opened and closed.  That is enough to rebuild
 * the packets a capture would have shown: the SYN handshake, the payload
 * cut into segments, the acknowledgements, FIN or RST.  The result is a
 * reconstruction, not a capture: no retransmissions, no real MSS or
 * window, no loss, and the other side's packets are inferred.
 *
 * The file is the classic libpcap format (a 24-byte header, then one
 * 16-byte record header before each packet), link type RAW: each packet
 * starts with its IPv4 or IPv6 header.  Usage:
 *
 *	struct pcap_file pf;		one per file, shared by all threads
 *	struct pcap_flow f;		one per TCP connection
 *	pcap_open(&pf, fd);
 *	pcap_flow_open(&f, &pf, &client, &server, &now);   SYN, SYN-ACK, ACK
 *	pcap_flow_data(&f, PCAP_CONNECTOR, "USER x\r\n", 8, &now);
 *	pcap_flow_close(&f, PCAP_ACCEPTOR, 0, &now);       FIN, ACK
 *	pcap_flow_close(&f, PCAP_CONNECTOR, 0, &now);      FIN, ACK
 *	pcap_close(&pf);
 *
 * Each record is one write(2), under the file's lock, so many threads may
 * write one file; one flow must be used by one thread at a time.
 */
#ifndef RAWFTP_PCAP_H
#define RAWFTP_PCAP_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hostport.h"

/* The two ends of a TCP connection, named by the call that made them:
 * connect(2) or accept(2).  In passive mode the FTP client connects; in
 * active mode (PORT) the FTP server does. */
enum pcap_side { PCAP_CONNECTOR = 0, PCAP_ACCEPTOR = 1 };

/* One record as written, handed to a keeper too (see pcap_file.keep):
 * whose flow it is, who sent it, and where its TCP payload starts. */
struct pcap_record {
	const void *flow;		/* the struct pcap_flow */
	unsigned session;		/* the flow's session and data flag */
	int data;
	enum pcap_side from;
	int syn;			/* a SYN: the flow's first packet */
	const unsigned char *bytes;	/* the record, its 16-byte header too */
	size_t len, payload_at;
};
typedef void pcap_keep_fn(const struct pcap_record *r);

struct pcap_file {
	int fd;			/* -1: no file, the records only kept */
	int err;		/* errno of the first failed write, or 0 */
	pthread_mutex_t lock;	/* one record at a time */
	pcap_keep_fn *keep;	/* NULL, or each record handed to it as well,
				   in the flow's thread (the web view keeps
				   each session's packets: common/capture) */
};

struct pcap_flow {
	struct pcap_file *file;
	int family;			/* AF_INET or AF_INET6 */
	unsigned char addr[2][16];	/* by side; IPv4 uses 4 bytes */
	uint16_t port[2];
	uint32_t seq[2];	/* the next sequence number each side sends */
	uint16_t ip_id[2];	/* IPv4 identification, per sender */
	int fin[2];		/* FIN sent */
	int open;		/* handshake written; no RST, not both FINs */
	unsigned session;	/* for the keeper: set before pcap_flow_open, */
	int data;		/* which keeps them */
};

/* Writes the file header to fd (a file, a pipe to tshark -r -...).
 * 0, or -1 with errno (fd is then left open).  A pipe's reader that goes
 * away raises SIGPIPE: callers ignore it, and get EPIPE.  fd -1: no
 * file, for a keeper alone (set pf->keep after). */
int pcap_open(struct pcap_file *pf, int fd);

/* The 24 bytes a pcap file starts with, into h. */
#define PCAP_FILE_HEADER 24
void pcap_file_header(unsigned char *h);

/* Closes fd.  0, or -1 with errno when a write or the close failed:
 * the file is then incomplete. */
int pcap_close(struct pcap_file *pf);

/* The connector's SYN, the acceptor's SYN-ACK and the connector's ACK.
 * Both ends must be numeric addresses of one family (struct hostport as
 * net_local and net_peer give them).  0, or -1 with errno (EINVAL for
 * bad addresses, nothing written). */
int pcap_flow_open(struct pcap_flow *f, struct pcap_file *pf,
    const struct hostport *connector, const struct hostport *acceptor,
    const struct timespec *when);

/* len bytes sent by side from, as one read or write saw them: segments
 * of at most PCAP_MSS bytes, PSH on the last, and the other side's ACK
 * after every second segment and after the last, as delayed ACK does.
 * Nothing is written for a flow that is not open or a side that has sent
 * its FIN (-1, EPIPE). */
int pcap_flow_data(struct pcap_flow *f, enum pcap_side from,
    const void *bytes, size_t len, const struct timespec *when);

/* Side who closes: a FIN, which the other side acknowledges (a second
 * FIN ends the flow), or with rst a RST, which ends it at once.  A side
 * that already sent its FIN, or a flow already ended, writes nothing. */
int pcap_flow_close(struct pcap_flow *f, enum pcap_side who, int rst,
    const struct timespec *when);

/* Payload bytes per segment: 1500-byte Ethernet less the IPv4 and TCP
 * headers (IPv6 uses the same, a little under its limit). */
#define PCAP_MSS 1460

/* The largest record: its header, IPv6, TCP, a full segment. */
#define PCAP_RECORD_MAX (16 + 40 + 20 + PCAP_MSS)

/* Link type RAW: the packet is an IP datagram, IPv4 or IPv6. */
#define PCAP_LINKTYPE_RAW 101

#endif
