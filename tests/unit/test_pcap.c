/* test_pcap.c - the packets a connection becomes, counted and read back;
 * many threads on one file.  (tests/pcap.bats has tshark judge them;
 * tests/fuzz/fuzz_pcap.c checks every checksum.)  And common/wireview,
 * which narrates and captures a connection from the same calls. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "pcap.h"
#include "unit.h"
#include "wireview.h"

static unsigned char file[1 << 20];
static const struct timespec when = { 1700000000, 500000000 };

/* A scratch file; pcap_open takes (and pcap_close closes) a copy of its
 * descriptor, and the test reads it back through the original. */
static FILE *scratch_file;

static int
scratch(void)
{
	if (scratch_file == NULL && (scratch_file = tmpfile()) == NULL)
		return -1;
	if (ftruncate(fileno(scratch_file), 0) < 0 ||
	    lseek(fileno(scratch_file), 0, SEEK_SET) < 0)
		return -1;	/* the copy shares the offset: rewind both */
	return dup(fileno(scratch_file));
}

struct packet {
	size_t len;			/* IP header and all */
	unsigned flags;			/* TCP flags */
	const unsigned char *payload;
	size_t payload_len;
};

/* Walks the records of the scratch file: at most max packets into p;
 * returns how many, or -1 if a record does not end where the next starts
 * or the file does not end on a record. */
static int
read_packets(struct packet *p, int max)
{
	ssize_t size = pread(fileno(scratch_file), file, sizeof file, 0);
	size_t off = 24, ip, caplen32;
	uint32_t caplen;
	int n = 0;

	if (size < 24)
		return -1;
	while (off < (size_t)size) {
		if ((size_t)size - off < 16 || n == max)
			return -1;
		memcpy(&caplen, file + off + 8, 4);
		caplen32 = caplen;
		off += 16;
		if (caplen32 > (size_t)size - off)
			return -1;
		ip = (file[off] >> 4) == 4 ? 20 : 40;
		p[n].len = caplen32;
		p[n].flags = file[off + ip + 13];
		p[n].payload = file + off + ip + 20;
		p[n].payload_len = caplen32 - ip - 20;
		off += caplen32;
		n++;
	}
	return n;
}

static void
endpoints(struct hostport *c, struct hostport *s, const char *ch,
    const char *sh, unsigned cport)
{
	char why[HP_WHYLEN];

	hp_set_host(c, ch, why, sizeof why);
	hp_set_host(s, sh, why, sizeof why);
	c->port = cport;
	s->port = 21;
}

TEST(pcap_one_connection_packet_by_packet)
{
	struct pcap_file pf;
	struct pcap_flow f;
	struct hostport c, s;
	struct packet p[32];
	char data[3000], back[3000];
	size_t got = 0;
	int i, n;

	for (i = 0; i < 3000; i++)
		data[i] = (char)(i * 7);
	endpoints(&c, &s, "127.0.0.1", "127.0.0.1", 60606);
	CHECK(pcap_open(&pf, scratch()) == 0);
	CHECK(pcap_flow_open(&f, &pf, &c, &s, &when) == 0);
	CHECK(pcap_flow_data(&f, PCAP_ACCEPTOR, data, sizeof data, &when) == 0);
	CHECK(pcap_flow_close(&f, PCAP_ACCEPTOR, 0, &when) == 0);
	CHECK(pcap_flow_close(&f, PCAP_CONNECTOR, 0, &when) == 0);
	CHECK(pcap_close(&pf) == 0);
	n = read_packets(p, 32);
	/* SYN, SYN-ACK, ACK; 1460 + 1460 + 80 bytes, ACK after the second
	 * and after the last; FIN, ACK, FIN, ACK */
	CHECK(n == 12);
	if (n != 12)
		return;
	CHECK(p[0].flags == 0x02 && p[1].flags == 0x12 && p[2].flags == 0x10);
	CHECK(p[3].payload_len == PCAP_MSS && p[3].flags == 0x10);
	CHECK(p[4].payload_len == PCAP_MSS && p[5].payload_len == 0);
	CHECK(p[6].payload_len == 80 && p[6].flags == 0x18);	/* PSH */
	CHECK(p[7].payload_len == 0);
	CHECK(p[8].flags == 0x11 && p[9].flags == 0x10);
	CHECK(p[10].flags == 0x11 && p[11].flags == 0x10);
	for (i = 0; i < n; i++) {
		memcpy(back + got, p[i].payload, p[i].payload_len);
		got += p[i].payload_len;
	}
	CHECK(got == sizeof data && memcmp(back, data, got) == 0);
}

TEST(pcap_refuses_what_a_connection_cannot_do)
{
	struct pcap_file pf;
	struct pcap_flow f;
	struct hostport c, s;
	struct packet p[16];

	CHECK(pcap_open(&pf, scratch()) == 0);
	/* one end IPv4, the other IPv6: nothing written */
	endpoints(&c, &s, "127.0.0.1", "::1", 60606);
	errno = 0;
	CHECK(pcap_flow_open(&f, &pf, &c, &s, &when) == -1 && errno == EINVAL);
	CHECK(pcap_flow_data(&f, PCAP_CONNECTOR, "x", 1, &when) == -1);
	/* data after its sender's FIN, or after a RST: refused */
	endpoints(&c, &s, "::1", "::1", 60606);
	CHECK(pcap_flow_open(&f, &pf, &c, &s, &when) == 0);
	CHECK(pcap_flow_close(&f, PCAP_CONNECTOR, 0, &when) == 0);
	errno = 0;
	CHECK(pcap_flow_data(&f, PCAP_CONNECTOR, "x", 1, &when) == -1 &&
	    errno == EPIPE);
	CHECK(pcap_flow_data(&f, PCAP_ACCEPTOR, "y", 1, &when) == 0);
	CHECK(pcap_flow_close(&f, PCAP_ACCEPTOR, 1, &when) == 0);
	CHECK(pcap_flow_data(&f, PCAP_ACCEPTOR, "z", 1, &when) == -1);
	CHECK(pcap_flow_close(&f, PCAP_ACCEPTOR, 0, &when) == 0); /* no-op */
	CHECK(pcap_close(&pf) == 0);
	/* 3 handshake, FIN and its ACK, "y" and its ACK, RST */
	CHECK(read_packets(p, 16) == 8);
	CHECK(p[7].flags == 0x14);
}

#define THREADS 8
#define WRITES 40

struct worker {
	struct pcap_file *pf;
	unsigned port;
};

static void *
one_session(void *arg)
{
	struct worker *w = arg;
	struct pcap_flow f;
	struct hostport c, s;
	char line[64];
	int i;

	endpoints(&c, &s, "127.0.0.1", "127.0.0.1", w->port);
	pcap_flow_open(&f, w->pf, &c, &s, &when);
	for (i = 0; i < WRITES; i++) {
		snprintf(line, sizeof line, "NOOP %u %d\r\n", w->port, i);
		pcap_flow_data(&f, i % 2, line, strlen(line), &when);
	}
	pcap_flow_close(&f, PCAP_CONNECTOR, 0, &when);
	pcap_flow_close(&f, PCAP_ACCEPTOR, 0, &when);
	return NULL;
}

TEST(pcap_threads_share_one_file)
{
	static struct packet p[THREADS * (3 + 2 * WRITES + 4) + 1];
	struct pcap_file pf;
	struct worker w[THREADS];
	pthread_t t[THREADS];
	int i;

	CHECK(pcap_open(&pf, scratch()) == 0);
	for (i = 0; i < THREADS; i++) {
		w[i].pf = &pf;
		w[i].port = 40000 + (unsigned)i;
		pthread_create(&t[i], NULL, one_session, &w[i]);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK(pcap_close(&pf) == 0);
	/* every record whole: the walk ends exactly at the end of the file */
	CHECK(read_packets(p, THREADS * (3 + 2 * WRITES + 4) + 1) ==
	    THREADS * (3 + 2 * WRITES + 4));
}

TEST(pcap_a_failed_write_is_reported_and_ends_the_file)
{
	struct pcap_file pf;
	struct pcap_flow f;
	struct hostport c, s;
	int fds[2];

	/* a pipe whose reader went away (tshark -r - stopped) */
	signal(SIGPIPE, SIG_IGN);
	CHECK(pipe(fds) == 0);
	CHECK(pcap_open(&pf, fds[1]) == 0);
	close(fds[0]);
	endpoints(&c, &s, "127.0.0.1", "127.0.0.1", 60606);
	errno = 0;
	CHECK(pcap_flow_open(&f, &pf, &c, &s, &when) == -1 && errno == EPIPE);
	errno = 0;
	CHECK(pcap_flow_data(&f, PCAP_CONNECTOR, "x", 1, &when) == -1 &&
	    errno == EPIPE);
	errno = 0;
	CHECK(pcap_close(&pf) == -1 && errno == EPIPE);
	signal(SIGPIPE, SIG_DFL);
}

/* common/wireview: one set of calls, both the narration and the
 * capture.  An active-mode upload: the server connects, the client
 * sends, FIN from the client first; then a RST ends another. */
TEST(wireview_narrates_and_captures)
{
	struct pcap_file pf;
	struct wireview w;
	struct wireview_pump obs = { &w, 0 };
	struct hostport c, s;
	struct packet p[32];
	char said[2048];
	int fds[2], n;
	ssize_t got;

	endpoints(&c, &s, "127.0.0.1", "127.0.0.1", 50069);
	s.port = 41000;
	CHECK(pipe(fds) == 0);
	CHECK(fcntl(fds[0], F_SETFL, O_NONBLOCK) == 0);
	narrate_start(fds[1], NARRATE_MASK | NARRATE_WIRE);
	CHECK(pcap_open(&pf, scratch()) == 0);
	wireview_open(&w, &pf, 3, 1, NARRATE_DIRECT, NARRATE_SERVER, &c, &s);
	wireview_observe(&obs, 1, "no", 2);	/* written to a file: not */
	wireview_observe(&obs, 0, "hello", 5);	/* read from the wire */
	wireview_fin(&w, NARRATE_CLIENT);
	wireview_close(&w, NARRATE_SERVER);	/* only the server's is left */
	wireview_fin(&w, NARRATE_SERVER);	/* ended: nothing */
	wireview_open(&w, &pf, 3, 0, NARRATE_DIRECT, NARRATE_CLIENT, &c, &s);
	wireview_rst(&w, NARRATE_CLIENT);
	CHECK(pcap_close(&pf) == 0);
	n = read_packets(p, 32);
	/* SYN from the server's port 41000, SYN-ACK, ACK; "hello", its ACK;
	 * FIN, ACK, FIN, ACK; then SYN, SYN-ACK, ACK, RST */
	CHECK(n == 13);
	if (n == 13) {
		CHECK(p[0].flags == 0x02);
		CHECK(file[24 + 16 + 20] == 41000 >> 8 &&
		    file[24 + 16 + 21] == (41000 & 0xff));
		CHECK(p[3].payload_len == 5 &&
		    memcmp(p[3].payload, "hello", 5) == 0);
		CHECK(p[5].flags == 0x11 && p[7].flags == 0x11);
		CHECK(p[9].flags == 0x02 && (p[12].flags & 0x04));
	}
	got = read(fds[0], said, sizeof said - 1);
	said[got > 0 ? got : 0] = '\0';
	CHECK(strstr(said, " [3] tcp: data: server 127.0.0.1:41000 connected "
	    "to client 127.0.0.1:50069\n") != NULL);
	CHECK(strstr(said, " [3] tcp: data: FIN from the client first: "
	    "half-closed (client sent 5 bytes, server 0)\n") != NULL);
	CHECK(strstr(said, " [3] tcp: data: FIN from the server too: closed "
	    "(client sent 5 bytes, server 0)\n") != NULL);
	CHECK(strstr(said, " [3] tcp: control: RST from the client: reset "
	    "(client sent 0 bytes, server 0)\n") != NULL);
	narrate_start(-1, 0);
	close(fds[0]);
	close(fds[1]);
}

/* ---- an attached view: only what the kernel sent ---- */

/* A TCP connection on loopback: *srv the accepted end, *cli the
 * client's, with a small receive buffer (set before connecting, so its
 * window stays small).  0, or -1. */
static int
tcp_pair(int *srv, int *cli, struct hostport *c, struct hostport *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int lfd = socket(AF_INET, SOCK_STREAM, 0), small = 4096;

	*srv = *cli = -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &len) < 0 ||
	    (*cli = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(*cli, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) < 0 ||
	    connect(*cli, (struct sockaddr *)&a, sizeof a) < 0 ||
	    (*srv = accept(lfd, NULL, NULL)) < 0) {
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	close(lfd);
	endpoints(c, s, "127.0.0.1", "127.0.0.1", 0);
	len = sizeof a;
	getsockname(*cli, (struct sockaddr *)&a, &len);
	c->port = ntohs(a.sin_port);
	len = sizeof a;
	getsockname(*srv, (struct sockaddr *)&a, &len);
	s->port = ntohs(a.sin_port);
	return 0;
}

/* The acknowledgement number of packet i, and its sequence number. */
static uint32_t
field32(const struct packet *p, size_t at)
{
	const unsigned char *tcp = p->payload - 20;

	return (uint32_t)tcp[at] << 24 | (uint32_t)tcp[at + 1] << 16 |
	    (uint32_t)tcp[at + 2] << 8 | tcp[at + 3];
}

/* The server writes far more than a small window takes, then the client
 * resets: the capture holds only the bytes the kernel sent, no FIN, and
 * a RST that acknowledges exactly those. */
TEST(wireview_attached_shows_only_what_was_sent)
{
	static struct packet p[4096];
	static char chunk[65536];
	struct pcap_file pf;
	struct wireview w;
	struct hostport c, s;
	struct linger rst = { 1, 0 };
	struct pollfd pfd;
	size_t written = 0, shown = 0;
	ssize_t k;
	uint32_t server_isn;
	int srv, cli, unsent = -1, n, i, fins = 0;

	CHECK(tcp_pair(&srv, &cli, &c, &s) == 0);
	if (srv < 0)
		return;
	CHECK(pcap_open(&pf, scratch()) == 0);
	wireview_open(&w, &pf, 1, 1, NARRATE_DIRECT, NARRATE_CLIENT, &c, &s);
	wireview_attach(&w, srv, NARRATE_SERVER);
	fcntl(srv, F_SETFL, O_NONBLOCK);
	memset(chunk, 'x', sizeof chunk);
	while (written < (8u << 20) &&
	    (k = write(srv, chunk, sizeof chunk)) > 0) {
		wireview_bytes(&w, NARRATE_SERVER, chunk, (size_t)k);
		written += (size_t)k;
	}
	CHECK(written < (8u << 20));	/* the window stopped the writes */
	setsockopt(cli, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
	close(cli);
	pfd.fd = srv;
	pfd.events = POLLIN;
	CHECK(poll(&pfd, 1, 5000) == 1);	/* the RST came */
	ioctl(srv, SIOCOUTQNSD, &unsent);
	wireview_rst(&w, NARRATE_CLIENT);
	CHECK(pcap_close(&pf) == 0);
	close(srv);
	n = read_packets(p, 4096);
	CHECK(n > 4);
	if (n <= 4)
		return;
	server_isn = field32(&p[1], 4);
	for (i = 0; i < n; i++) {
		if (p[i].flags & 0x01)
			fins++;
		if ((p[i].flags & 0x04) == 0 && p[i].payload_len > 0)
			shown += p[i].payload_len;
	}
	CHECK(unsent > 0);
	CHECK(shown == written - (size_t)unsent);
	CHECK(fins == 0);
	CHECK(p[n - 1].flags & 0x04);
	CHECK(field32(&p[n - 1], 8) == server_isn + 1 + (uint32_t)shown);
}

/* The server resets with the client's bytes unread: they are read and
 * shown, and the RST acknowledges them. */
TEST(wireview_resetting_shows_the_unread_bytes_it_acknowledges)
{
	static struct packet p[64];
	struct pcap_file pf;
	struct wireview w;
	struct hostport c, s;
	struct pollfd pfd;
	size_t shown = 0;
	uint32_t client_isn;
	int srv, cli, n, i;

	CHECK(tcp_pair(&srv, &cli, &c, &s) == 0);
	if (srv < 0)
		return;
	CHECK(pcap_open(&pf, scratch()) == 0);
	wireview_open(&w, &pf, 1, 1, NARRATE_DIRECT, NARRATE_CLIENT, &c, &s);
	wireview_attach(&w, srv, NARRATE_SERVER);
	CHECK(write(cli, "0123456789", 10) == 10);
	pfd.fd = srv;
	pfd.events = POLLIN;
	CHECK(poll(&pfd, 1, 5000) == 1);
	wireview_resetting(&w, srv, NARRATE_SERVER);
	close(srv);
	close(cli);
	CHECK(pcap_close(&pf) == 0);
	n = read_packets(p, 64);
	CHECK(n > 4);
	if (n <= 4)
		return;
	client_isn = field32(&p[0], 4);
	for (i = 0; i < n; i++)
		shown += p[i].payload_len;
	CHECK(shown == 10);
	CHECK(p[n - 1].flags & 0x04);
	CHECK(field32(&p[n - 1], 8) == client_isn + 1 + 10);
}
