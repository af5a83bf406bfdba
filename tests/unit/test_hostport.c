/* test_hostport.c - 227, 229, PORT and EPRT parsing and formatting. */
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "hostport.h"
#include "unit.h"

static struct hostport hp;
static struct hp_six six;
static char why[HP_WHYLEN];

static int
p227(const char *s)
{
	memset(&hp, 0, sizeof hp);
	why[0] = '\0';
	return hp_parse_227(s, strlen(s), &hp, &six, why, sizeof why);
}

static int
p229(const char *s)
{
	memset(&hp, 0, sizeof hp);
	why[0] = '\0';
	return hp_parse_229(s, strlen(s), &hp, NULL, why, sizeof why);
}

static int
pport(const char *s)
{
	why[0] = '\0';
	return hp_parse_port_arg(s, strlen(s), &hp, why, sizeof why);
}

static int
peprt(const char *s)
{
	why[0] = '\0';
	return hp_parse_eprt_arg(s, strlen(s), &hp, why, sizeof why);
}

TEST(parse_227_seed_reply)
{
	CHECK(p227("227 Entering Passive Mode (192,168,150,90,195,149).") == 0);
	CHECK_STR(hp.host, "192.168.150.90");
	CHECK(hp.port == 50069);
	CHECK(hp.family == AF_INET);
	CHECK(six.n[4] == 195 && six.n[5] == 149);
}

TEST(parse_227_shapes)
{
	CHECK(p227("192,168,150,90,195,149") == 0 && hp.port == 50069);
	CHECK(p227("227 Entering Passive Mode (10,130,25,239,217,56)\r\n") == 0);
	CHECK_STR(hp.host, "10.130.25.239");
	CHECK(hp.port == 55608);
	CHECK(p227("227 Entering Passive Mode 10,130,25,239,217,56") == 0);
	CHECK(p227("227 =127,0,0,1,4,1") == 0 && hp.port == 1025);
	CHECK(p227("227 Entering Passive Mode (127, 0, 0, 1, 4, 1).") == 0);
	CHECK(p227("  227 ok (1,2,3,4,0,1)") == 0 && hp.port == 1);
	CHECK(p227("(1,2,3,4,255,255)") == 0 && hp.port == 65535);
	CHECK(p227("227 Entering Passive Mode (0,0,0,0,4,1)") == 0);
	CHECK_STR(hp.host, "0.0.0.0");
}

TEST(parse_227_errors)
{
	CHECK(p227("227 Entering Passive Mode (192,168,150,90,256,149)") < 0);
	CHECK_STR(why, "value 256 out of range 0..255 in field 5");
	CHECK(p227("192,168,150,90,195") < 0);
	CHECK_STR(why, "expected 6 numbers, found 5");
	CHECK(p227("1,2,3,4,5,6,7") < 0);
	CHECK_STR(why, "expected 6 numbers, found 7");
	CHECK(p227("1,2,3,4,0,0") < 0);
	CHECK_STR(why, "port 0*256+0 = 0 out of range 1..65535");
	CHECK(p227("99999999999999999999,1,1,1,1,1") < 0);
	CHECK_STR(why, "value 99999999999999999999 out of range 0..255 in field 1");
	CHECK(p227("") < 0);
	CHECK_STR(why, "no numbers found");
	CHECK(p227("227 Entering Passive Mode") < 0);
	CHECK_STR(why, "no numbers found in 227 reply");
	CHECK(p227("229 Entering Extended Passive Mode (|||6446|)") < 0);
	CHECK_STR(why, "not a 227 reply (code 229)");
	CHECK(p227("1,2,3,4,5,") < 0);
	CHECK_STR(why, "expected a number in field 6");
}

TEST(parse_227_nul_and_long)
{
	static const char nul[] = "227 (1,2,3\0,4,5,6)";
	char *big;

	CHECK(hp_parse_227(nul, sizeof nul - 1, &hp, &six, why, sizeof why) < 0);
	CHECK_STR(why, "expected 6 numbers, found 3");
	big = malloc(10241);
	memset(big, '9', 10240);
	big[10240] = '\0';
	CHECK(p227(big) < 0);
	CHECK(strstr(why, "out of range 0..255 in field 1") != NULL);
	CHECK(strlen(why) < 80);
	memset(big, ' ', 10240);
	memcpy(big + 10000, "1,2,3,4,5,6", 11);
	CHECK(p227(big) == 0 && hp.port == 1286);
	free(big);
}

TEST(parse_229)
{
	CHECK(p229("229 Entering Extended Passive Mode (|||6446|)") == 0);
	CHECK(hp.port == 6446 && hp.family == AF_UNSPEC && hp.host[0] == 0);
	CHECK(p229("229 Entering Extended Passive Mode (!!!6446!)\r\n") == 0);
	CHECK(p229("|||65535|") == 0 && hp.port == 65535);
	CHECK(p229("(|||1|)") == 0 && hp.port == 1);
	CHECK(p229("229 Entering Extended Passive Mode (|||6446!)") < 0);
	CHECK_STR(why, "mismatched delimiters");
	CHECK(p229("229 x (||!6446|)") < 0);
	CHECK(strstr(why, "mismatched delimiters") == why);
	CHECK(p229("229 x (|||0|)") < 0);
	CHECK_STR(why, "port 0 out of range 1..65535");
	CHECK(p229("229 x (|||65536|)") < 0);
	CHECK_STR(why, "port 65536 out of range 1..65535");
	CHECK(p229("229 x (||||)") < 0);
	CHECK_STR(why, "no port number found");
	CHECK(p229("229 no parens") < 0);
	CHECK(p229("227 (1,2,3,4,5,6)") < 0);
	CHECK_STR(why, "not a 229 reply (code 227)");
	CHECK(p229("229 x (|||6446") < 0);
	CHECK_STR(why, "missing delimiter after the port");
	CHECK(p229("") < 0);
}

TEST(parse_port_arg_is_strict)
{
	CHECK(pport("10,0,0,5,195,149") == 0);
	CHECK_STR(hp.host, "10.0.0.5");
	CHECK(hp.port == 50069);
	CHECK(pport("10, 0,0,5,195,149") < 0);
	CHECK(pport("10,0,0,5,195,149)") < 0);
	CHECK_STR(why, "unexpected ')' after field 6");
	CHECK(pport("10,0,0,5,195") < 0);
	CHECK(pport("10,0,0,5,1,256") < 0);
	CHECK_STR(why, "value 256 out of range 0..255 in field 6");
	CHECK(pport("") < 0);
}

TEST(parse_eprt_arg)
{
	CHECK(peprt("|1|132.235.1.2|6275|") == 0);
	CHECK(hp.family == AF_INET && hp.port == 6275);
	CHECK_STR(hp.host, "132.235.1.2");
	CHECK(peprt("|2|::1|50069|") == 0 && hp.family == AF_INET6);
	CHECK_STR(hp.host, "::1");
	CHECK(peprt("!2!fe80::1!5282!") == 0);
	CHECK_STR(hp.host, "fe80::1");
	CHECK(peprt("|2|0000:0000:0000:0000:0000:0000:0000:0001|21|") == 0);
	CHECK_STR(hp.host, "::1");
	CHECK(peprt("|3|::1|5|") < 0);
	CHECK(peprt("|1|::1|5|") < 0);
	CHECK_STR(why, "'::1' is not a numeric IPv4 address");
	CHECK(peprt("|2|1.2.3.4|5|") < 0);
	CHECK(peprt("|1|1.2.3.4|0|") < 0);
	CHECK(peprt("|1|1.2.3.4|70000|") < 0);
	CHECK(peprt("|1|1.2.3.4|5") < 0);
	CHECK(peprt("|1|1.2.3.4|5|x") < 0);
	CHECK(peprt("|1|1.2.3.4!5!") < 0);
	CHECK(peprt("") < 0);
}

/* RFC 2428: a family other than 1 and 2 is 522, anything else 501. */
TEST(eprt_unknown_family)
{
	CHECK(hp_eprt_unknown_family("|3|::1|5|", 9));
	CHECK(hp_eprt_unknown_family("|", 1));
	CHECK(!hp_eprt_unknown_family("|1|1.2.3.4|5|", 13));
	CHECK(!hp_eprt_unknown_family("|2x", 3));	/* 501: bad syntax */
	CHECK(!hp_eprt_unknown_family("", 0));
	CHECK(peprt("|3|::1|5|") < 0);
	CHECK_STR(why, "unknown network protocol: use 1 (IPv4) or 2 (IPv6)");
}

TEST(format_port_and_eprt)
{
	char buf[128];

	CHECK(hp_set_host(&hp, "10.0.0.5", why, sizeof why) == 0);
	hp.port = 50069;
	CHECK(hp_format_port_arg(&hp, buf, sizeof buf) == 0);
	CHECK_STR(buf, "10,0,0,5,195,149");
	CHECK(hp_format_eprt_arg(&hp, buf, sizeof buf) == 0);
	CHECK_STR(buf, "|1|10.0.0.5|50069|");
	CHECK(hp_format(&hp, HP_STYLE_SPACE, buf, sizeof buf) == 0);
	CHECK_STR(buf, "10.0.0.5 50069");
	CHECK(hp_format(&hp, HP_STYLE_COLON, buf, sizeof buf) == 0);
	CHECK_STR(buf, "10.0.0.5:50069");
	CHECK(hp_format(&hp, HP_STYLE_SHELL, buf, sizeof buf) == 0);
	CHECK_STR(buf, "FTP_DATA_HOST=10.0.0.5\nFTP_DATA_PORT=50069");
	CHECK(hp_format_port_arg(&hp, buf, 5) < 0);
	CHECK(hp_set_host(&hp, "::1", why, sizeof why) == 0);
	CHECK(hp_format_port_arg(&hp, buf, sizeof buf) < 0);
	CHECK(hp_format_eprt_arg(&hp, buf, sizeof buf) == 0);
	CHECK_STR(buf, "|2|::1|50069|");
	CHECK(hp_format(&hp, HP_STYLE_COLON, buf, sizeof buf) == 0);
	CHECK_STR(buf, "[::1]:50069");
	CHECK(hp_port_arithmetic(50069, buf, sizeof buf) == 0);
	CHECK_STR(buf, "195*256+149 = 50069");
}

TEST(round_trip_every_port_boundary)
{
	static const unsigned ports[] = { 1, 255, 256, 257, 1023, 1024, 50069,
	    65280, 65535 };
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof ports / sizeof ports[0]; i++) {
		struct hostport back;
		CHECK(hp_set_host(&hp, "127.0.0.1", why, sizeof why) == 0);
		hp.port = ports[i];
		CHECK(hp_format_port_arg(&hp, buf, sizeof buf) == 0);
		CHECK(hp_parse_port_arg(buf, strlen(buf), &back, why,
		    sizeof why) == 0);
		CHECK(back.port == ports[i]);
		CHECK(hp_format_eprt_arg(&hp, buf, sizeof buf) == 0);
		CHECK(hp_parse_eprt_arg(buf, strlen(buf), &back, why,
		    sizeof why) == 0);
		CHECK(back.port == ports[i]);
	}
}

TEST(user_host_and_port)
{
	unsigned port;

	CHECK(hp_set_host(&hp, "fe80::1", why, sizeof why) == 0);
	CHECK(hp.family == AF_INET6);
	CHECK(hp_set_host(&hp, "2001:0db8:0000:0000:0000:0000:0000:0001", why,
	    sizeof why) == 0);
	CHECK_STR(hp.host, "2001:db8::1");
	CHECK(hp_set_host(&hp, "example.org", why, sizeof why) < 0);
	CHECK_STR(why, "'example.org' is not a numeric IPv4 or IPv6 address");
	CHECK(hp_set_host(&hp, "1.2.3", why, sizeof why) < 0);
	CHECK(hp_parse_port_number("50069", &port, 0, why, sizeof why) == 0);
	CHECK(port == 50069);
	CHECK(hp_parse_port_number("0", &port, 0, why, sizeof why) < 0);
	CHECK_STR(why, "port 0 out of range 1..65535");
	CHECK(hp_parse_port_number("0", &port, 1, why, sizeof why) == 0);
	CHECK(hp_parse_port_number("65536", &port, 0, why, sizeof why) < 0);
	CHECK(hp_parse_port_number("-1", &port, 0, why, sizeof why) < 0);
	CHECK_STR(why, "port '-1' is not a number");
	CHECK(hp_parse_port_number("", &port, 0, why, sizeof why) < 0);
	CHECK(hp_parse_port_number("99999999999999999999", &port, 0, why,
	    sizeof why) < 0);
}

TEST(address_classes)
{
	CHECK(hp_is_unspecified("0.0.0.0") && hp_is_unspecified("::"));
	CHECK(!hp_is_unspecified("127.0.0.1"));
	CHECK(hp_is_private("10.130.25.239") && hp_is_private("192.168.1.1"));
	CHECK(hp_is_private("172.16.0.1") && hp_is_private("172.31.255.255"));
	CHECK(!hp_is_private("172.32.0.1") && !hp_is_private("8.8.8.8"));
	CHECK(hp_is_private("fd00::1") && hp_is_private("fe80::1"));
	CHECK(!hp_is_private("2001:db8::1") && !hp_is_private("nonsense"));
	CHECK(hp_is_loopback("127.0.0.2") && hp_is_loopback("::1"));
	CHECK(hp_same_host("::ffff:127.0.0.1", "127.0.0.1"));
	CHECK(hp_same_host("::0001", "::1"));
	CHECK(!hp_same_host("127.0.0.1", "127.0.0.2"));
}

TEST(split_colon_host_and_port)
{
	char host[HP_HOSTLEN], port[16];

	CHECK(hp_split_colon("127.0.0.1:50069", host, sizeof host, port,
	    sizeof port, why, sizeof why) == 0);
	CHECK_STR(host, "127.0.0.1");
	CHECK_STR(port, "50069");
	CHECK(hp_split_colon("[::1]:6446", host, sizeof host, port,
	    sizeof port, why, sizeof why) == 0);
	CHECK_STR(host, "::1");
	CHECK_STR(port, "6446");
	CHECK(hp_split_colon("::1:6446", host, sizeof host, port, sizeof port,
	    why, sizeof why) < 0);
	CHECK(strstr(why, "brackets") != NULL);
	CHECK(hp_split_colon("127.0.0.1", host, sizeof host, port, sizeof port,
	    why, sizeof why) < 0);
	CHECK(hp_split_colon(":21", host, sizeof host, port, sizeof port, why,
	    sizeof why) < 0);
	CHECK(hp_split_colon("[::1]6446", host, sizeof host, port, sizeof port,
	    why, sizeof why) < 0);
}
