/* test_ladder.c - the sequence diagram, row for row: lanes, arrows in
 * both directions, data lanes with their ports, the cut at 80 columns,
 * colour only when asked, the summary of connections. */
#include <unistd.h>

#include "fixtures.h"
#include "ladder.h"
#include "narrate.h"
#include "unit.h"

static int lpipe_r = -1, lpipe_w = -1;
static char drawn[16384];

static void
ladder_pipe(void)
{
	fixture_pipe(&lpipe_r, &lpipe_w);
}

/* What was drawn since the last call, each row's time ("   0.001", the
 * first 8 columns) checked and shown as "   T.TTT". */
static const char *
rows(void)
{
	ssize_t n = read(lpipe_r, drawn, sizeof drawn - 1);
	char *row;

	drawn[n > 0 ? n : 0] = '\0';
	for (row = drawn; *row != '\0'; row = strchr(row, '\n') + 1) {
		if (strlen(row) > 8 && row[4] == '.' && row[7] >= '0' &&
		    row[7] <= '9') {
			CHECK(row[3] >= '0' && row[3] <= '9');
			memcpy(row + 4, ".TTT", 4);
			row[3] = 'T';
		}
		if (strchr(row, '\n') == NULL)
			break;
	}
	return drawn;
}

/* Every row of a drawing fits the width. */
static int
fits(const char *text)
{
	const char *p = text, *lf;

	for (; (lf = strchr(p, '\n')) != NULL; p = lf + 1)
		if (lf - p > LADDER_WIDTH)
			return 0;
	return 1;
}

TEST(ladder_passive_session)
{
	struct hostport client = fixture_hostport("127.0.0.1", 40000);
	struct hostport server = fixture_hostport("127.0.0.1", 2121);
	struct hostport pasv = fixture_hostport("127.0.0.1", 50069);
	struct hostport data = fixture_hostport("127.0.0.1", 40002);

	ladder_pipe();
	narrate_start(lpipe_w, NARRATE_MASK | NARRATE_LADDER);
	narrate_connect(1, &client, &server);
	narrate_reply(1, "220 ready.\r\n", 12);
	narrate_command(1, "PASS secret\r\n", 13);
	narrate_data_listen(1, "PASV", &pasv);
	narrate_reply(1, "227 Entering Passive Mode (127,0,0,1,195,149).\r\n",
	    48);
	narrate_data_connect(1, &data, NULL);
	narrate_data_close(1, "sent", 1234);
	narrate_printf(1, "login: anonymous");
	narrate_close(1);
	CHECK_STR(rows(),
	    "\n"
	    "== [1] client 127.0.0.1:40000, server 127.0.0.1:2121 ==\n"
	    "    time client    server\n"
	    "         :40000    :2121\n"
	    "   T.TTT |-------->|         connect 127.0.0.1:40000 > :2121\n"
	    "   T.TTT |<--------|         220 ready.\n"
	    "   T.TTT |-------->|         PASS XXXX\n"
	    "   T.TTT |         |      +:50069 PASV 127.0.0.1:50069 = "
	    "195*256+149\n"
	    "   T.TTT |<--------|      |  227 Entering Passive Mode "
	    "(127,0,0,1,195,149).\n"
	    "   T.TTT |--------------->|  connect from 127.0.0.1:40002\n"
	    "   T.TTT |<===============|  sent 1234 bytes, closed\n"
	    "   T.TTT |         |         login: anonymous\n"
	    "   T.TTT -         -         closed\n");
}

/* Active mode: the server's arrow goes to the client; an upload's bytes
 * go the other way; TCP events in the wire view, a bare LF flagged. */
TEST(ladder_active_session_wire)
{
	struct hostport client = fixture_hostport("::1", 40010);
	struct hostport server = fixture_hostport("::1", 2121);
	struct hostport target = fixture_hostport("::1", 50070);
	struct hostport from = fixture_hostport("::1", 41000);
	struct narrate_tcp t;

	ladder_pipe();
	narrate_start(lpipe_w, NARRATE_MASK | NARRATE_LADDER | NARRATE_WIRE);
	narrate_connect(2, &client, &server);
	narrate_command(2, "USER ann\n", 9);
	narrate_data_target(2, "EPRT", &target);
	narrate_data_connect(2, &target, &from);
	narrate_tcp_open(&t, 2, 1, NARRATE_DIRECT, NARRATE_SERVER,
	    &target, &from);
	narrate_tcp_sent(&t, NARRATE_CLIENT, 99);
	narrate_tcp_fin(&t, NARRATE_CLIENT);
	narrate_tcp_fin(&t, NARRATE_SERVER);
	narrate_tcp_rst(&t, NARRATE_SERVER);	/* ended: nothing */
	narrate_data_close(2, "received", 99);
	CHECK_STR(rows(),
	    "\n"
	    "== [2] client [::1]:40010, server [::1]:2121 ==\n"
	    "    time client    server\n"
	    "         :40010    :2121\n"
	    "   T.TTT |-------->|         connect [::1]:40010 > :2121\n"
	    "   T.TTT |-------->|         USER ann\\n  <- bare LF\n"
	    "   T.TTT |         |      +:50070 EPRT [::1]:50070\n"
	    "   T.TTT |<---------------|  connect to [::1]:50070 from "
	    "[::1]:41000\n"
	    "   T.TTT |...............>|  FIN first: half-closed, 99 bytes "
	    "sent\n"
	    "   T.TTT |<...............|  FIN too: closed, 0 bytes sent\n"
	    "   T.TTT |===============>|  received 99 bytes, closed\n");
}

/* Rows of two sessions mixed: each change of session draws its lane
 * headers again, so no row is read against the wrong lanes. */
TEST(ladder_sessions_interleaved)
{
	struct hostport a = fixture_hostport("127.0.0.1", 40020);
	struct hostport b = fixture_hostport("127.0.0.1", 40021);
	struct hostport server = fixture_hostport("127.0.0.1", 2121);
	const char *r;

	ladder_pipe();
	narrate_start(lpipe_w, NARRATE_MASK | NARRATE_LADDER);
	narrate_connect(3, &a, &server);
	narrate_connect(4, &b, &server);
	rows();
	narrate_command(3, "NOOP\r\n", 6);
	r = rows();
	CHECK(strstr(r, "== [3] client 127.0.0.1:40020, server "
	    "127.0.0.1:2121 ==\n    time client    server\n         :40020"
	    "    :2121\n   T.TTT |-------->|         NOOP\n") != NULL);
	narrate_command(3, "NOOP\r\n", 6);
	CHECK_STR(rows(), "   T.TTT |-------->|         NOOP\n");
	narrate_close(3);
	narrate_close(4);
	rows();
	/* a refused connection was never a session: no lanes for it */
	narrate_refuse(9, &a, "too many sessions");
	CHECK_STR(rows(), "   T.TTT connect from 127.0.0.1 port 40020 "
	    "refused: too many sessions\n");
}

TEST(ladder_long_text_cut_at_80_columns)
{
	struct hostport client = fixture_hostport("127.0.0.1", 40030);
	struct hostport server = fixture_hostport("127.0.0.1", 2121);
	char big[300];
	const char *r;

	memset(big, 'y', sizeof big);
	memcpy(big, "RETR ", 5);
	memcpy(big + sizeof big - 2, "\r\n", 2);
	ladder_pipe();
	narrate_start(lpipe_w, NARRATE_MASK | NARRATE_LADDER);
	narrate_connect(5, &client, &server);
	rows();
	narrate_command(5, big, sizeof big);
	r = rows();
	CHECK(fits(r));
	CHECK(strlen(r) == LADDER_WIDTH + 1);
	CHECK(strncmp(r + LADDER_WIDTH - 4, "y...\n", 5) == 0);
	narrate_close(5);
}

TEST(ladder_colour_only_when_asked)
{
	struct hostport client = fixture_hostport("127.0.0.1", 40040);
	struct hostport server = fixture_hostport("127.0.0.1", 2121);
	const char *r;

	ladder_pipe();
	ladder_start(lpipe_w, 1);
	ladder_session(6, &client, &server);
	ladder_arrow(6, LADDER_CLIENT, LADDER_SERVER, LADDER_COMMAND, "NOOP");
	r = rows();
	CHECK(strstr(r, " \033[1;36m|-------->|         NOOP\033[0m\n") !=
	    NULL);
	ladder_start(lpipe_w, 0);
	ladder_arrow(6, LADDER_CLIENT, LADDER_SERVER, LADDER_COMMAND, "NOOP");
	CHECK(strchr(rows(), '\033') == NULL);
	ladder_session_end(6, "closed");
	rows();
	/* narrate_start asks trace_color_wanted: a pipe is no terminal */
	narrate_start(lpipe_w, NARRATE_LADDER);
	narrate_connect(7, &client, &server);
	CHECK(strchr(rows(), '\033') == NULL);
	narrate_close(7);
}

/* The summary: every connection with its ports, who connected. */
TEST(ladder_summary_of_connections)
{
	struct hostport client = fixture_hostport("127.0.0.1", 40050);
	struct hostport server = fixture_hostport("127.0.0.1", 2121);
	struct hostport pasv = fixture_hostport("127.0.0.1", 50071);
	struct hostport data = fixture_hostport("127.0.0.1", 40051);
	const char *r;

	ladder_pipe();
	narrate_start(lpipe_w, NARRATE_MASK | NARRATE_LADDER);
	narrate_connect(8, &client, &server);
	narrate_data_listen(8, "PASV", &pasv);
	narrate_data_connect(8, &data, NULL);
	narrate_data_close(8, "sent", 1);
	narrate_data_target(8, "PORT", &data);
	narrate_data_connect(8, &data, &pasv);
	narrate_close(8);
	rows();
	narrate_summary();
	r = rows();
	CHECK(fits(r));
	CHECK(strstr(r, " connections: who connected from where to where "
	    "==\n") != NULL);
	CHECK(strstr(r, "\n [8]  control   client 127.0.0.1:40050 -> server "
	    "127.0.0.1:2121\n [8]  data PASV client 127.0.0.1:40051 -> "
	    "server 127.0.0.1:50071\n [8]  data PORT server 127.0.0.1:50071 "
	    "-> client 127.0.0.1:40051\n") != NULL);
	/* without the ladder, no summary */
	narrate_start(lpipe_w, NARRATE_MASK);
	narrate_summary();
	CHECK_STR(rows(), "");
}
