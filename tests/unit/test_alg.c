/* test_alg.c - the ALG's reading and writing of data addresses in
 * control lines (common/alg.c). */
#include <sys/socket.h>

#include "alg.h"
#include "unit.h"

static enum alg_kind kind;
static struct hostport hp;
static char why[HP_WHYLEN];

static int
reply(const char *line)
{
	return alg_parse_reply(line, strlen(line), &kind, &hp, why,
	    sizeof why);
}

static int
command(const char *line)
{
	return alg_parse_command(line, strlen(line), &kind, &hp, why,
	    sizeof why);
}

TEST(alg_reads_the_seed_227)
{
	CHECK(reply("227 Entering Passive Mode (192,168,150,90,195,149).\r\n")
	    == 1);
	CHECK(kind == ALG_227);
	CHECK_STR(hp.host, "192.168.150.90");
	CHECK(hp.port == 50069);
}

TEST(alg_reads_a_229_port_only)
{
	CHECK(reply("229 Entering Extended Passive Mode (|||50069|)\r\n") == 1);
	CHECK(kind == ALG_229);
	CHECK(hp.port == 50069);
	CHECK_STR(hp.host, "");
}

TEST(alg_leaves_other_replies)
{
	CHECK(reply("226 Transfer complete.\r\n") == 0);
	CHECK(kind == ALG_NONE);
	CHECK(reply("227-a multi-line 227 names nothing yet\r\n") == 0);
	CHECK(reply("") == 0);
	CHECK(reply("not a reply\r\n") == 0);
}

TEST(alg_bad_227_says_why)
{
	CHECK(reply("227 Entering Passive Mode (1,2,3,4,5).\r\n") == -1);
	CHECK(kind == ALG_227);
	CHECK(why[0] != '\0');
	CHECK(reply("229 Entering Extended Passive Mode (|||0|)\r\n") == -1);
	CHECK(kind == ALG_229);
}

TEST(alg_reads_port_and_eprt_any_case)
{
	CHECK(command("PORT 127,0,0,1,195,149\r\n") == 1);
	CHECK(kind == ALG_PORT);
	CHECK_STR(hp.host, "127.0.0.1");
	CHECK(hp.port == 50069);
	CHECK(command("eprt |2|::1|50069|\r\n") == 1);
	CHECK(kind == ALG_EPRT);
	CHECK_STR(hp.host, "::1");
	CHECK(hp.family == AF_INET6);
}

TEST(alg_leaves_other_commands)
{
	CHECK(command("PORTS 1\r\n") == 0);
	CHECK(command("PASV\r\n") == 0);
	CHECK(command("RETR PORT 1,2,3,4,5,6\r\n") == 0);
	CHECK(kind == ALG_NONE);
}

TEST(alg_bad_port_says_why)
{
	CHECK(command("PORT\r\n") == -1);
	CHECK(kind == ALG_PORT);
	CHECK_STR(why, "PORT needs an argument");
	CHECK(command("PORT 127,0,0,1,300,1\r\n") == -1);
	CHECK(command("EPRT |3|x|1|\r\n") == -1);
	CHECK(kind == ALG_EPRT);
}

TEST(alg_formats_every_kind)
{
	char buf[ALG_LINE_MAX];
	struct hostport v4 = { AF_INET, "127.0.0.1", 50069 };
	struct hostport v6 = { AF_INET6, "::1", 50069 };

	CHECK(alg_format(ALG_227, &v4, buf, sizeof buf) > 0);
	CHECK_STR(buf, "227 Entering Passive Mode (127,0,0,1,195,149).\r\n");
	CHECK(alg_format(ALG_229, &v6, buf, sizeof buf) > 0);
	CHECK_STR(buf, "229 Entering Extended Passive Mode (|||50069|)\r\n");
	CHECK(alg_format(ALG_PORT, &v4, buf, sizeof buf) > 0);
	CHECK_STR(buf, "PORT 127,0,0,1,195,149\r\n");
	CHECK(alg_format(ALG_EPRT, &v6, buf, sizeof buf) > 0);
	CHECK_STR(buf, "EPRT |2|::1|50069|\r\n");
	/* a PORT or 227 cannot carry IPv6; a small buffer is refused */
	CHECK(alg_format(ALG_PORT, &v6, buf, sizeof buf) == -1);
	CHECK(alg_format(ALG_227, &v6, buf, sizeof buf) == -1);
	CHECK(alg_format(ALG_PORT, &v4, buf, 10) == -1);
	CHECK(alg_format(ALG_NONE, &v4, buf, sizeof buf) == -1);
}

TEST(alg_is_command_needs_the_whole_verb)
{
	CHECK(alg_is_command("AUTH TLS\r\n", 10, "AUTH"));
	CHECK(alg_is_command("auth\r\n", 6, "AUTH"));
	CHECK(!alg_is_command("AUTHX\r\n", 7, "AUTH"));
	CHECK(!alg_is_command("AUT", 3, "AUTH"));
}
