/* test_capture.c - a session's packets as the web view keeps them: a
 * password left out however it is typed, data connections' payload
 * bounded, each cut said in the record.  (fuzz_capture.c tries any
 * bytes cut anywhere.) */
#include <string.h>

#include "capture.h"
#include "hostport.h"
#include "unit.h"

static unsigned char kept[PCAP_FILE_HEADER + CAPTURE_MAX];
static const struct timespec when = { 1700000000, 0 };

static void
flow(struct pcap_flow *f, struct pcap_file *pf, unsigned id, int data)
{
	struct hostport c = { .family = 0 }, s = { .family = 0 };

	hp_set_host(&c, "127.0.0.1", NULL, 0);
	hp_set_host(&s, "127.0.0.1", NULL, 0);
	c.port = 40000;
	s.port = data ? 50000 : 21;
	memset(f, 0, sizeof *f);
	f->session = id;
	f->data = data;
	CHECK(pcap_flow_open(f, pf, &c, &s, &when) == 0);
}

/* The payload kept of the client's packets (to port 21), one after the
 * other, as a string in out. */
static void
client_bytes(long n, char *out, size_t cap)
{
	size_t at = PCAP_FILE_HEADER, o = 0;

	while (n > 0 && at + 16 <= (size_t)n) {
		uint32_t caplen;
		const unsigned char *tcp = kept + at + 16 + 20;

		memcpy(&caplen, kept + at + 8, 4);
		if (caplen > 40 && tcp[3] == 21 && o + caplen - 40 < cap) {
			memcpy(out + o, tcp + 20, caplen - 40);
			o += caplen - 40;
		}
		at += 16 + caplen;
	}
	out[o] = '\0';
}

/* Records whose captured length is below their length on the wire. */
static int
cut_records(long n)
{
	size_t at = PCAP_FILE_HEADER;
	int cut = 0;

	while (n > 0 && at + 16 <= (size_t)n) {
		uint32_t caplen, wirelen;

		memcpy(&caplen, kept + at + 8, 4);
		memcpy(&wirelen, kept + at + 12, 4);
		cut += caplen < wirelen;
		at += 16 + caplen;
	}
	return cut;
}

TEST(capture_leaves_out_a_password_typed_one_key_a_packet)
{
	static struct pcap_file pf;
	struct pcap_flow f;
	const char *typed = "user ann\r\npass hunter2\r\nNOOP\r\n";
	char got[64];
	size_t i;
	long n;

	CHECK(pcap_open(&pf, -1) == 0);
	capture_start(&pf, 0);
	flow(&f, &pf, 901, 0);
	for (i = 0; typed[i] != '\0'; i++)
		pcap_flow_data(&f, PCAP_CONNECTOR, typed + i, 1, &when);
	n = capture_copy(901, kept, sizeof kept);
	CHECK(n > 0);
	client_bytes(n, got, sizeof got);
	CHECK_STR(got, "user ann\r\npass NOOP\r\n");	/* hunter2: none */
	CHECK(cut_records(n) == 9);	/* "hunter2\r\n" */
	CHECK(capture_copy(902, kept, sizeof kept) == -1);	/* not kept */
}

/* However the PASS line was typed, as trace_secret_byte reads it: a
 * Telnet command inside the verb (the server takes it and logs in),
 * a tab after it or blanks before it (the server says 500, but it was
 * a password), and ACCT. */
TEST(capture_leaves_out_a_password_however_the_verb_is_typed)
{
	static const struct { const char *typed, *kept; } lines[] = {
		{ "PA\xff\xf1SS hunter2\r\n", "PA\xff\xf1SS " },
		{ "P\xff\xfb\x01" "ASS hunter2\r\n", "P\xff\xfb\x01" "ASS " },
		{ "PASS\thunter2\r\n", "PASS\t" },
		{ " \tpass hunter2\r\n", " \tpass " },
		{ "ACCT hunter2\r\n", "ACCT " },
		{ "PASS:hunter2\r\n", "PASS" },
		{ "PASSIVE\r\n", "PASSIVE\r\n" },
	};
	static struct pcap_file pf;
	struct pcap_flow f;
	char got[64];
	size_t i;
	long n;

	CHECK(pcap_open(&pf, -1) == 0);
	capture_start(&pf, 0);
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		flow(&f, &pf, 910 + (unsigned)i, 0);
		pcap_flow_data(&f, PCAP_CONNECTOR, lines[i].typed,
		    strlen(lines[i].typed), &when);
		n = capture_copy(910 + (unsigned)i, kept, sizeof kept);
		CHECK(n > 0);
		client_bytes(n, got, sizeof got);
		CHECK_STR(got, lines[i].kept);
	}
}

TEST(capture_keeps_data_payload_up_to_its_bound_then_headers)
{
	static struct pcap_file pf;
	static char block[CAPTURE_DATA_BYTES + 1000];
	struct pcap_flow f;
	long n;

	memset(block, 'd', sizeof block);
	CHECK(pcap_open(&pf, -1) == 0);
	capture_start(&pf, 0);
	flow(&f, &pf, 903, 1);
	pcap_flow_data(&f, PCAP_ACCEPTOR, block, sizeof block, &when);
	n = capture_copy(903, kept, sizeof kept);
	CHECK(n > 0);
	/* 23 segments of 1460 fit in 32 KB whole; the rest are cut */
	CHECK(cut_records(n) == (int)(sizeof block / PCAP_MSS + 1) - 22);
}
