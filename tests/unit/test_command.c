/* test_command.c - a control line read as a server reads it
 * (common/command), the RFC 2577 check (common/bounce), and the reply
 * reader that cuts lines at CRLF only (common/linebuf). */
#include <sys/socket.h>
#include <unistd.h>

#include "bounce.h"
#include "command.h"
#include "linebuf.h"
#include "ownports.h"
#include "unit.h"

static struct command c;

static enum cmd_watch
watch(const char *line)
{
	return cmd_watch(line, strlen(line), &c);
}

TEST(command_watch_reads_as_ftp_labd)
{
	CHECK(watch("PORT 1,2,3,4,5,6\r\n") == CMD_WATCH_PORT);
	CHECK(watch("eprt |1|127.0.0.1|5000|\n") == CMD_WATCH_EPRT);
	CHECK(watch("Pasv\r\n") == CMD_WATCH_PASV);
	CHECK(watch("EPSV ALL\r\n") == CMD_WATCH_EPSV);
	CHECK(watch("AUTH TLS\r\n") == CMD_WATCH_AUTH);
	CHECK(watch("NOOP\r\n") == CMD_WATCH_NONE);
	CHECK(watch("RETR PORT\r\n") == CMD_WATCH_NONE);
	CHECK(watch("PORTS x\r\n") == CMD_WATCH_NONE);
	CHECK(watch("\r\n") == CMD_WATCH_NONE);
}

TEST(command_watch_unclear_when_another_server_differs)
{
	CHECK(watch("PORT\t1,2,3,4,5,6\r\n") == CMD_WATCH_UNCLEAR);
	CHECK(watch("PORT 1,2,3,4,5,6\r\r\n") == CMD_WATCH_UNCLEAR);
	CHECK(watch("  PASV\r\n") == CMD_WATCH_UNCLEAR);
	CHECK(watch("\"AUTH\" TLS\r\n") == CMD_WATCH_UNCLEAR);
	CHECK(watch("PA\xc5\xbfV\r\n") == CMD_WATCH_UNCLEAR);
	CHECK(cmd_watch("NOOP\0PORT", 9, &c) == CMD_WATCH_UNCLEAR);
	CHECK(watch("NO\xc5\xbfP\r\n") == CMD_WATCH_NONE);
	CHECK(watch("  NOOP\r\n") == CMD_WATCH_NONE);
}

TEST(bounce_check_and_words)
{
	struct hostport own = { AF_INET, "127.0.0.2", 5000 };
	struct hostport other = { AF_INET, "127.0.0.9", 5000 };
	struct hostport low = { AF_INET, "127.0.0.2", 22 };
	struct bounce_words w;

	CHECK(bounce_check(&own, "127.0.0.2") == BOUNCE_OK);
	CHECK(bounce_check(&other, "127.0.0.2") == BOUNCE_THIRD_HOST);
	CHECK(bounce_check(&low, "127.0.0.2") == BOUNCE_SYSTEM_PORT);
	bounce_words(BOUNCE_THIRD_HOST, &other, "127.0.0.2", "Refused",
	    "the server", &w);
	CHECK(strcmp(w.reply, "Refused: 127.0.0.9 is not your address "
	    "127.0.0.2; the server connects only back to you (bounce attack, "
	    "RFC 2577).") == 0);
	CHECK(strcmp(w.who, "127.0.0.9 port 5000") == 0);
	bounce_words(BOUNCE_SYSTEM_PORT, &low, "127.0.0.2", "Refused", NULL,
	    &w);
	CHECK(strcmp(w.why, "a privileged port") == 0);
}

TEST(bounce_check_refuses_a_port_of_our_own)
{
	struct hostport listening = { AF_INET, "0.0.0.0", 5000 };
	struct hostport target = { AF_INET, "127.0.0.2", 5000 };
	struct ownport mine;
	struct bounce_words w;

	ownports_add(&mine, &listening);
	CHECK(bounce_check(&target, "127.0.0.2") == BOUNCE_OWN_PORT);
	bounce_words(BOUNCE_OWN_PORT, &target, "127.0.0.2", "Refused", NULL,
	    &w);
	CHECK(strcmp(w.reply, "Refused: port 5000 is one this program "
	    "listens on itself (it would connect to itself).") == 0);
	ownports_remove(&mine);
	CHECK(bounce_check(&target, "127.0.0.2") == BOUNCE_OK);
}

TEST(linebuf_crlf_only_keeps_a_bare_lf_inside)
{
	static struct linebuf lb;
	static const char text[] = "257 \"a\n227 x\" made\r\n200 ok\r\n";
	const char *line;
	size_t len;
	int partial, sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(write(sv[1], text, sizeof text - 1) == (ssize_t)sizeof text - 1);
	lb_init(&lb, sv[0], 0);
	lb.crlf_only = 1;
	CHECK(lb_fill(&lb) > 0);
	CHECK(lb_next(&lb, &line, &len, &partial) == 1);
	CHECK(len == 20 && memcmp(line, "257 \"a\n227 x\" made\r\n", 20) == 0);
	CHECK(lb_next(&lb, &line, &len, &partial) == 1);
	CHECK(len == 8 && memcmp(line, "200 ok\r\n", 8) == 0);
	close(sv[0]);
	close(sv[1]);
}
