/* fuzz_capture.c - a session's packets as the web view keeps them
 * (common/capture.c): a client's commands, any bytes, cut into packets
 * at any points, go through a control connection's capture; the kept
 * capture is then read back.  Every byte it holds must be the byte the
 * client sent at that place in the stream, and none may be part of a
 * password: in a line as the server reads it (Telnet commands removed),
 * after blanks, PASS or ACCT (any case) then a byte that is not a
 * letter; the password runs from after that byte (a blank) or from it,
 * to the line's LF.  A record cut short must say so (its captured
 * length below its length on the wire).
 *
 * Input: chunks, each a length byte (1 to 64) then that many bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capture.h"
#include "hostport.h"
#include "telnet.h"

#define HEADERS (16 + 20 + 20)	/* record, IPv4, TCP */

static unsigned char stream[1 << 16];
static unsigned char secret[1 << 16];	/* 1: a password's byte */
static unsigned char kept[PCAP_FILE_HEADER + CAPTURE_MAX];

/* The server's view of stream: its bytes but Telnet commands, each with
 * where it was in stream (the filter is the server's, not the code under
 * test).  Returns how many. */
static size_t
server_view(size_t len, unsigned char *text, size_t *where)
{
	struct telnet t;
	size_t i, n = 0;

	telnet_init(&t);
	for (i = 0; i < len; i++) {
		unsigned char c = stream[i];

		if (telnet_filter(&t, &c, 1) == 1) {
			text[n] = c;
			where[n++] = i;
		}
		t.reply_len = 0;
	}
	return n;
}

/* Where the password of text[start..end) starts (end: none). */
static size_t
password_at(const unsigned char *text, size_t start, size_t end)
{
	size_t v = start;
	unsigned char after;

	while (v < end && (text[v] <= ' ' || text[v] == 0x7f))
		v++;
	if (end - v < 5 || (strncasecmp((const char *)text + v, "PASS", 4)
	    != 0 && strncasecmp((const char *)text + v, "ACCT", 4) != 0))
		return end;
	after = text[v + 4];
	if ((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z'))
		return end;	/* PASSIVE */
	return after == ' ' || after == '\t' ? v + 5 : v + 4;
}

/* The oracle, written another way than common/trace.c: line by line. */
static void
mark_passwords(size_t len)
{
	static unsigned char text[sizeof stream];
	static size_t where[sizeof stream];
	size_t n = server_view(len, text, where), start = 0, at, i;

	memset(secret, 0, len);
	while (start < n) {
		const unsigned char *lf = memchr(text + start, '\n',
		    n - start);
		size_t end = lf ? (size_t)(lf - text) : n;

		at = password_at(text, start, end);
		/* its bytes, and Telnet commands among them, to the LF */
		if (at < end)
			for (i = where[at]; i < (end < n ? where[end] : len); i++)
				secret[i] = 1;
		start = end + 1;
	}
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
check(unsigned id, size_t len, uint32_t first_seq)
{
	long n = capture_copy(id, kept, sizeof kept);
	size_t at = PCAP_FILE_HEADER;

	if (n < 0)
		return;		/* past the bound: nothing to check */
	while (at + 16 <= (size_t)n) {
		uint32_t caplen, wirelen;
		const unsigned char *ip = kept + at + 16, *tcp = ip + 20;

		memcpy(&caplen, kept + at + 8, 4);
		memcpy(&wirelen, kept + at + 12, 4);
		if (caplen > wirelen || at + 16 + caplen > (size_t)n)
			abort();
		/* the client's packets to port 21, with payload kept */
		if (caplen > 40 && tcp[2] == 0 && tcp[3] == 21) {
			size_t off = get32(tcp + 4) - first_seq, i;
			size_t k = caplen - 40;

			if (off + k > len)
				abort();
			for (i = 0; i < k; i++)
				if (secret[off + i] ||
				    tcp[20 + i] != stream[off + i])
					abort();
		}
		at += 16 + caplen;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned id;
	static struct pcap_file pf;
	static int started;
	struct pcap_flow f;
	struct hostport client = { .family = 0 }, server = { .family = 0 };
	const struct timespec when = { 1700000000, 0 };
	size_t len = 0, i = 0;

	if (!started) {
		if (pcap_open(&pf, -1) < 0)
			abort();
		capture_start(&pf, 0);
		started = 1;
	}
	if (hp_set_host(&client, "127.0.0.1", NULL, 0) < 0 ||
	    hp_set_host(&server, "127.0.0.1", NULL, 0) < 0)
		abort();
	client.port = 40000;
	server.port = 21;
	memset(&f, 0, sizeof f);
	f.session = ++id;
	if (pcap_flow_open(&f, &pf, &client, &server, &when) < 0)
		abort();
	while (i < size && len < sizeof stream - 64) {
		size_t n = (size_t)(data[i++] % 64) + 1;

		if (n > size - i)
			n = size - i;
		memcpy(stream + len, data + i, n);
		if (n > 0 && pcap_flow_data(&f, PCAP_CONNECTOR, data + i, n,
		    &when) < 0)
			abort();
		len += n;
		i += n;
	}
	mark_passwords(len);
	/* the first payload byte's sequence number: after the SYN */
	check(id, len, f.seq[PCAP_CONNECTOR] - (uint32_t)len);
	return 0;
}
