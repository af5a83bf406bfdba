/* test_telnet.c - Telnet commands removed and options refused. */
#include "telnet.h"
#include "unit.h"

static struct telnet t;
static unsigned char buf[256];

static size_t
filter(const char *bytes, size_t len)
{
	memcpy(buf, bytes, len);
	return telnet_filter(&t, buf, len);
}

TEST(telnet_plain_data_unchanged)
{
	telnet_init(&t);
	CHECK(filter("220 ready\r\n", 11) == 11);
	CHECK(memcmp(buf, "220 ready\r\n", 11) == 0);
	CHECK(t.reply_len == 0 && t.commands == 0);
}

TEST(telnet_will_gets_dont_and_do_gets_wont)
{
	size_t n;

	telnet_init(&t);
	n = filter("\xff\xfb\x01" "220\xff\xfd\x18 x", 11);
	CHECK(n == 5);
	CHECK(memcmp(buf, "220 x", 5) == 0);
	CHECK(t.reply_len == 6);
	CHECK(memcmp(t.reply, "\xff\xfe\x01\xff\xfc\x18", 6) == 0);
	CHECK(t.commands == 2);
}

TEST(telnet_refuses_each_option_once)
{
	telnet_init(&t);
	filter("\xff\xfb\x01\xff\xfb\x01\xff\xfd\x01", 9);
	/* WILL ECHO twice: one DONT; DO ECHO: one WONT */
	CHECK(t.reply_len == 6);
}

TEST(telnet_wont_and_dont_need_no_answer)
{
	telnet_init(&t);
	CHECK(filter("\xff\xfc\x01\xff\xfe\x01" "a", 7) == 1);
	CHECK(t.reply_len == 0);
}

TEST(telnet_iac_iac_is_one_data_byte)
{
	telnet_init(&t);
	CHECK(filter("a\xff\xff" "b", 4) == 3);
	CHECK(memcmp(buf, "a\xff" "b", 3) == 0);
	CHECK(t.commands == 0);
}

TEST(telnet_subnegotiation_skipped)
{
	telnet_init(&t);
	CHECK(filter("x\xff\xfa\x18\x01\xff\xff" "abc\xff\xf0y", 13) == 2);
	CHECK(memcmp(buf, "xy", 2) == 0);
}

TEST(telnet_ip_and_dm_counted)
{
	telnet_init(&t);
	CHECK(filter("\xff\xf4\xff\xf2" "ABOR\r\n", 10) == 6);
	CHECK(t.interrupts == 1 && t.synchs == 1);
}

TEST(telnet_sequence_split_across_reads)
{
	telnet_init(&t);
	CHECK(filter("22\xff", 3) == 2);
	CHECK(filter("\xfb", 1) == 0);
	CHECK(filter("\x03" "0", 2) == 1);
	CHECK(buf[0] == '0');
	CHECK(t.reply_len == 3);
	CHECK(memcmp(t.reply, "\xff\xfe\x03", 3) == 0);
}

TEST(telnet_reply_buffer_never_overflows)
{
	unsigned char many[3 * 200];
	int i;

	telnet_init(&t);
	for (i = 0; i < 200; i++) {
		many[3 * i] = 0xff;
		many[3 * i + 1] = 0xfd;
		many[3 * i + 2] = (unsigned char)i;
	}
	CHECK(telnet_filter(&t, many, sizeof many) == 0);
	CHECK(t.reply_len <= sizeof t.reply);
	CHECK(t.reply_len % 3 == 0);
}

TEST(telnet_escape_doubles_255)
{
	char out[16];

	CHECK(telnet_escape("a\xff" "b", 3, out, sizeof out) == 4);
	CHECK(memcmp(out, "a\xff\xff" "b", 4) == 0);
	CHECK(telnet_escape("\xff\xff", 2, out, 3) == (size_t)-1);
	CHECK(telnet_escape("", 0, out, 0) == 0);
}
