/* test_narrate.c - the narration lines, byte for byte as ftp-labd(1)
 * documents them: stamp, [ID], arrows, masking, the data events. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fixtures.h"
#include "narrate.h"
#include "unit.h"

static int pipe_r = -1, pipe_w = -1;
static char got[4 * NARRATE_MAX];

/* Narrate into a fresh non-blocking pipe. */
static void
start(int flags)
{
	fixture_pipe(&pipe_r, &pipe_w);
	narrate_start(pipe_w, flags);
}

/* Everything narrated since the last call, each line's stamp checked
 * ("%4d.%06d ") and removed: "[7] closed\n". */
static const char *
lines(void)
{
	char raw[sizeof got];
	ssize_t n = read(pipe_r, raw, sizeof raw - 1);
	size_t i = 0, o = 0;

	got[0] = '\0';
	if (n <= 0)
		return got;
	raw[n] = '\0';
	while (i < (size_t)n) {
		const char *dot = memchr(raw + i, '.', (size_t)n - i);
		const char *lf = memchr(raw + i, '\n', (size_t)n - i);
		size_t k;

		if (dot == NULL || lf == NULL || dot + 8 > lf ||
		    dot - (raw + i) < 4 || dot[7] != ' ') {
			CHECK(!"a line starts with a stamp");
			break;
		}
		for (k = 1; k < 7; k++)
			CHECK(dot[k] >= '0' && dot[k] <= '9');
		memcpy(got + o, dot + 8, (size_t)(lf - dot - 7));
		o += (size_t)(lf - dot - 7);
		i = (size_t)(lf - raw) + 1;
	}
	got[o] = '\0';
	return got;
}

TEST(narrate_stamp_and_id)
{
	char raw[64];
	ssize_t n;

	start(0);
	narrate_printf(0, "serving %s", "/srv");
	n = read(pipe_r, raw, sizeof raw - 1);
	CHECK(n == 11 + 18);	/* "   0.000012" " [0] serving /srv\n" */
	raw[n > 0 ? n : 0] = '\0';
	CHECK(raw[0] == ' ' && raw[3] == '0' && raw[4] == '.');
	CHECK_STR(raw + 11, " [0] serving /srv\n");
}

TEST(narrate_command_masked_or_not)
{
	start(NARRATE_MASK);
	narrate_command(7, "PASS secret\r\n", 13);
	narrate_command(7, "acct money\n", 11);
	narrate_command(7, "USER ann\r\n", 10);
	CHECK_STR(lines(), "[7] > PASS XXXX\n[7] > acct XXXX\n[7] > USER ann\n");
	start(0);
	narrate_command(7, "PASS secret\r\n", 13);
	CHECK_STR(lines(), "[7] > PASS secret\n");
}

TEST(narrate_wire_bytes_made_printable)
{
	start(NARRATE_MASK);
	narrate_wire(2, ">", "RETR a\tb\xff\r\n", 11);
	CHECK_STR(lines(), "[2] > RETR a\\x09b\\xff\n");
}

TEST(narrate_reply_one_line_each)
{
	const char *r = "211-Features:\r\n MDTM\r\n211 End\r\n";

	start(NARRATE_MASK);
	narrate_reply(3, r, strlen(r));
	CHECK_STR(lines(), "[3] < 211-Features:\n[3] <  MDTM\n[3] < 211 End\n");
}

TEST(narrate_session_events)
{
	struct hostport peer = fixture_hostport("127.0.0.1", 40000);
	struct hostport local = fixture_hostport("::1", 2121);

	start(NARRATE_MASK);
	narrate_connect(4, &peer, &local);
	narrate_refuse(0, &peer, "too many sessions");
	narrate_close(4);
	CHECK_STR(lines(),
	    "[4] connect from 127.0.0.1 port 40000 to ::1 port 2121\n"
	    "[0] connect from 127.0.0.1 port 40000 refused: too many "
	    "sessions\n"
	    "[4] closed\n");
}

TEST(narrate_data_events)
{
	struct hostport v4 = fixture_hostport("127.0.0.1", 50069);
	struct hostport v6 = fixture_hostport("::1", 50070);
	struct hostport from = fixture_hostport("127.0.0.1", 20);

	start(NARRATE_MASK);
	narrate_data_listen(5, "PASV", &v4);
	narrate_data_listen(5, "EPSV", &v6);
	narrate_data_target(5, "EPRT", &v4);
	narrate_data_connect(5, &v6, NULL);
	narrate_data_connect(5, &v4, &from);
	narrate_data_close(5, "sent", 12345);
	narrate_data_refuse(5, "127.0.0.2 port 50069",
	    "not the client's address 127.0.0.1 (bounce attack)");
	CHECK_STR(lines(),
	    "[5] data: PASV listening on 127.0.0.1:50069 = 195*256+149\n"
	    "[5] data: EPSV listening on [::1]:50070\n"
	    "[5] data: EPRT 127.0.0.1 port 50069 = 195*256+149\n"
	    "[5] data: [::1]:50070 connected\n"
	    "[5] data: connected to 127.0.0.1:50069 from 127.0.0.1:20\n"
	    "[5] data: sent 12345 bytes, closed\n"
	    "[5] data: refused 127.0.0.2 port 50069: not the client's "
	    "address 127.0.0.1 (bounce attack)\n");
}

/* An address that cannot be read: the parser's words may quote the
 * peer's bytes, an ESC among them, and come out printable. */
TEST(narrate_data_unreadable_address)
{
	start(NARRATE_MASK);
	narrate_data_bad_command(6, "EPRT", "unknown family '\033[2J'");
	narrate_data_bad_reply(6, "227", "expected 6 numbers, found 5",
	    "refused");
	CHECK_STR(lines(),
	    "[6] data: cannot read the EPRT argument: unknown family "
	    "'\\x1b[2J'\n"
	    "[6] data: cannot read the address of the 227 (expected 6 "
	    "numbers, found 5): refused\n");
}

/* A line never grows past NARRATE_MAX: it is cut, and ends in "...". */
TEST(narrate_long_line_cut)
{
	char big[2 * NARRATE_MAX], raw[2 * NARRATE_MAX];
	ssize_t n;

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	start(0);
	narrate_printf(1, "%s", big);
	n = read(pipe_r, raw, sizeof raw);
	CHECK(n == NARRATE_MAX - 1);
	CHECK(n > 4 && memcmp(raw + n - 4, "...\n", 4) == 0);
}

/* Whatever a caller passes in, a line holds no byte outside printable
 * ASCII but its newline: a peer's ESC, CR or 0xff shows as \xNN, in the
 * text and in the user's name alike; printable text is left as it is. */
TEST(narrate_escapes_every_caller)
{
	start(0);
	narrate_printf(3, "login: wrong password for %s (1 of 3)",
	    "\x1b[2K\rfake\xff");
	CHECK_STR(lines(), "[3] login: wrong password for "
	    "\\x1b[2K\\x0dfake\\xff (1 of 3)\n");
	narrate_as_user("a\007b", -1);
	narrate_printf(4, "confine: %s refused", "/p\\x41\x7f");
	CHECK_STR(lines(), "[4 a\\x07b] confine: /p\\x41\\x7f refused\n");
	narrate_as_user(NULL, -1);
}

/* A line of escapes is cut like any other, whole "...\n" at the end. */
TEST(narrate_escaped_long_line_cut)
{
	char big[NARRATE_MAX], raw[2 * NARRATE_MAX];
	ssize_t n;

	memset(big, '\x1b', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	start(0);
	narrate_printf(1, "%s", big);
	n = read(pipe_r, raw, sizeof raw);
	CHECK(n == NARRATE_MAX - 1);
	CHECK(n > 4 && memcmp(raw + n - 4, "...\n", 4) == 0);
}

/* fd -1: nothing at all is written (ftp-labd -q). */
TEST(narrate_silent)
{
	char c;

	start(0);
	narrate_start(-1, 0);
	narrate_close(1);
	narrate_command(1, "NOOP\r\n", 6);
	CHECK(read(pipe_r, &c, 1) < 0 && errno == EAGAIN);
}

/* A session's user on its lines, and in its own log too (--log-dir);
 * the server's own lines and other threads' stay as they were. */
TEST(narrate_as_user_names_the_line_and_copies_it)
{
	char own[256];
	int p[2];
	ssize_t n;

	CHECK(pipe(p) == 0);
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
	start(0);
	narrate_printf(3, "before");
	narrate_as_user("student04", p[1]);
	narrate_printf(3, "login: user student04");
	narrate_printf(0, "a server line");
	narrate_as_user(NULL, -1);
	narrate_printf(3, "after");
	CHECK_STR(lines(), "[3] before\n[3 student04] login: user student04\n"
	    "[0] a server line\n[3] after\n");
	n = read(p[0], own, sizeof own - 1);
	own[n > 0 ? n : 0] = '\0';
	CHECK(strstr(own, " [3 student04] login: user student04\n") != NULL);
	CHECK(strstr(own, "before") == NULL && strstr(own, "after") == NULL);
	close(p[0]);
	close(p[1]);
}

/* --clock: "16:33:05.123456 " instead of seconds since the start. */
TEST(narrate_clock_stamp)
{
	char raw[64];
	ssize_t n;
	int i;

	start(NARRATE_CLOCK);
	narrate_printf(0, "x");
	n = read(pipe_r, raw, sizeof raw - 1);
	raw[n > 0 ? n : 0] = '\0';
	CHECK(n == 15 + 7);
	for (i = 0; i < 15; i++)
		CHECK(i == 2 || i == 5 ? raw[i] == ':' : i == 8 ?
		    raw[i] == '.' : raw[i] >= '0' && raw[i] <= '9');
	CHECK_STR(raw + 15, " [0] x\n");
}

/* --wire: each line's ending as it crossed the wire; a bare LF flagged. */
TEST(narrate_wire_view_line_endings)
{
	start(NARRATE_MASK | NARRATE_WIRE);
	narrate_command(2, "USER ann\r\n", 10);
	narrate_command(2, "PASS secret\n", 12);
	narrate_command(2, "NOOP", 4);	/* cut off by the close */
	narrate_reply(2, "220-Hi\r\n220 ok\r\n", 16);
	CHECK_STR(lines(),
	    "[2] > USER ann\\r\\n\n"
	    "[2] > PASS XXXX\\n   <- bare LF, no CR: accepted, but RFC 959 "
	    "asks for CR LF\n"
	    "[2] > NOOP\n"
	    "[2] < 220-Hi\\r\\n\n"
	    "[2] < 220 ok\\r\\n\n");
}

/* --show-passwords: said once at start, then PASS in clear, even with
 * NARRATE_MASK asked too. */
TEST(narrate_show_passwords_says_so)
{
	start(NARRATE_MASK | NARRATE_SHOW_PASSWORDS);
	narrate_command(3, "PASS secret\r\n", 13);
	CHECK_STR(lines(),
	    "[0] passwords are shown in clear (--show-passwords): FTP sends "
	    "them so, and anyone on the path can read them\n"
	    "[3] > PASS secret\n");
	start(NARRATE_MASK | NARRATE_SHOW_PASSWORDS | NARRATE_WIRE);
	lines();
	narrate_command(3, "PASS secret\r\n", 13);
	CHECK_STR(lines(), "[3] > PASS secret\\r\\n\n");
}

/* The TCP events: who connected to whom, which side's FIN came first,
 * a RST, each with the bytes both sides sent; nothing after the end. */
TEST(narrate_tcp_events)
{
	struct hostport client = fixture_hostport("127.0.0.1", 40000);
	struct hostport server = fixture_hostport("127.0.0.1", 2121);
	struct hostport target = fixture_hostport("127.0.0.1", 50069);
	struct hostport from = fixture_hostport("127.0.0.1", 41000);
	struct narrate_tcp ctl, data;

	start(NARRATE_MASK | NARRATE_WIRE);
	narrate_tcp_open(&ctl, 4, 0, NARRATE_DIRECT, NARRATE_CLIENT,
	    &client, &server);
	narrate_tcp_sent(&ctl, NARRATE_CLIENT, 20);
	narrate_tcp_sent(&ctl, NARRATE_SERVER, 300);
	narrate_tcp_fin(&ctl, NARRATE_CLIENT);
	narrate_tcp_fin(&ctl, NARRATE_CLIENT);	/* once only */
	narrate_tcp_fin(&ctl, NARRATE_SERVER);
	narrate_tcp_open(&data, 4, 1, NARRATE_DIRECT, NARRATE_SERVER,
	    &target, &from);
	narrate_tcp_sent(&data, NARRATE_SERVER, 1000);
	narrate_tcp_rst(&data, NARRATE_CLIENT);
	narrate_tcp_fin(&data, NARRATE_SERVER);	/* reset: nothing more */
	CHECK_STR(lines(),
	    "[4] tcp: control: client 127.0.0.1:40000 connected to server "
	    "127.0.0.1:2121\n"
	    "[4] tcp: control: FIN from the client first: half-closed "
	    "(client sent 20 bytes, server 300)\n"
	    "[4] tcp: control: FIN from the server too: closed (client sent "
	    "20 bytes, server 300)\n"
	    "[4] tcp: data: server 127.0.0.1:41000 connected to client "
	    "127.0.0.1:50069\n"
	    "[4] tcp: data: RST from the client: reset (client sent 0 bytes, "
	    "server 1000)\n");
	/* without the wire view: counted, not narrated */
	start(NARRATE_MASK);
	narrate_tcp_open(&ctl, 4, 0, NARRATE_DIRECT, NARRATE_CLIENT,
	    &client, &server);
	narrate_tcp_sent(&ctl, NARRATE_SERVER, 5);
	narrate_tcp_fin(&ctl, NARRATE_SERVER);
	CHECK_STR(lines(), "");
	CHECK(ctl.sent[NARRATE_SERVER] == 5 && ctl.fin[NARRATE_SERVER]);
}

/* A relay's legs: the tap is named as the end it is, so the two lines of
 * a FIN passed through it (one per leg) tell their legs apart. */
TEST(narrate_tcp_relay_legs)
{
	struct hostport client = fixture_hostport("127.0.0.1", 40000);
	struct hostport tap = fixture_hostport("127.0.0.1", 2100);
	struct hostport tap_out = fixture_hostport("127.0.0.1", 42000);
	struct hostport server = fixture_hostport("127.0.0.1", 2121);
	struct narrate_tcp a, b;

	start(NARRATE_MASK | NARRATE_WIRE);
	narrate_tcp_open(&a, 5, 1, NARRATE_CLIENT_LEG, NARRATE_CLIENT,
	    &client, &tap);
	narrate_tcp_open(&b, 5, 1, NARRATE_SERVER_LEG, NARRATE_CLIENT,
	    &tap_out, &server);
	narrate_tcp_sent(&b, NARRATE_SERVER, 7);
	narrate_tcp_sent(&a, NARRATE_SERVER, 7);
	narrate_tcp_fin(&b, NARRATE_SERVER);
	narrate_tcp_fin(&a, NARRATE_SERVER);
	narrate_tcp_rst(&a, NARRATE_CLIENT);
	CHECK_STR(lines(),
	    "[5] tcp: data: client 127.0.0.1:40000 connected to tap "
	    "127.0.0.1:2100\n"
	    "[5] tcp: data: tap 127.0.0.1:42000 connected to server "
	    "127.0.0.1:2121\n"
	    "[5] tcp: data: FIN from the server first: half-closed (tap sent "
	    "0 bytes, server 7)\n"
	    "[5] tcp: data: FIN from the tap first: half-closed (client sent "
	    "0 bytes, tap 7)\n"
	    "[5] tcp: data: RST from the client: reset (client sent 0 bytes, "
	    "tap 7)\n");
}
