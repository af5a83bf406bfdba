/* fuzz_tap_session.c - ftp-tap's session logic (tools/ftp-tap/session.c)
 * between a fuzzed client and a fuzzed server.
 *
 * The session's two control connections are socket pairs: the target
 * writes the client's and the server's bytes into the far ends, lets the
 * tap read them (read_client, read_server), and reads back what the tap
 * sent each way.  The data side (data.c, relay.c) and the wire view are
 * stubs: the tap's data port is always 127.0.0.1 port 40000 (156*256+64).
 * The input is a list of records: a byte whose low bit picks the side
 * (client, server) and whose next bit turns the ALG off for the session
 * (first record only), a length byte, then that many bytes.  Checked:
 *  - every line the server receives that ftp-labd (Telnet filter, then
 *    cmd_parse) or cmd_watch takes for PORT or EPRT names the tap's own
 *    data port (ALG), or (--no-alg) an address the bounce check allows
 *    for the client 127.0.0.1;
 *  - no line of the narration holds a control byte (ESC, BEL, CR...).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../tools/ftp-tap/session.c"

struct config cfg;

/* ---- stubs of the rest of ftp-tap ---- */

int watching(void) { return 0; }
void watch_leg(struct session *s, struct wireview *w, int fd, int data,
    int server_leg, enum narrate_side connector)
{ (void)s; (void)w; (void)fd; (void)data; (void)server_leg;
  (void)connector; }
size_t seen_from_client(void *ctx, char *buf, size_t len)
{ (void)ctx; (void)buf; return len; }
size_t seen_from_server(void *ctx, char *buf, size_t len)
{ (void)ctx; (void)buf; return len; }
void data_init(struct data *d) { d->listen_fd = -1; }
int
data_listen(struct session *s, int for_client, struct hostport *where)
{
	(void)s; (void)for_client;
	*where = (struct hostport){ AF_INET, "127.0.0.1", 40000 };
	return 0;
}
/* the stub's data port is the tap's own, as data.c's check says */
int data_own_port(const struct session *s, const struct hostport *t)
{ (void)s; return t->port == 40000; }
void data_accept(struct session *s) { (void)s; }
void data_check(struct session *s, int ready) { (void)s; (void)ready; }
int data_relaying(const struct session *s) { (void)s; return 0; }
int data_busy(const struct session *s) { (void)s; return 0; }
int data_timeout_ms(const struct session *s) { (void)s; return -1; }
void data_close(struct session *s) { (void)s; }
void data_command(struct session *s, const char *line, size_t len)
{ (void)s; (void)line; (void)len; }
int data_cut_reply(struct session *s, int code)
{ (void)s; (void)code; return 0; }
void relay_init(struct relay *r) { r->a = r->b = -1; }
int relay_open(struct relay *r, int a, int b, struct wireview *wa,
    struct wireview *wb)
{ (void)r; (void)a; (void)b; (void)wa; (void)wb; return 0; }
int relay_pollfds(const struct relay *r, struct pollfd *pfd)
{ (void)r; (void)pfd; return 0; }
enum relay_state relay_step(struct relay *r)
{ (void)r; return RELAY_GOING; }
void relay_close(struct relay *r) { (void)r; }

/* ---- the checks ---- */

static int narration = -1;

static void
check_narration(void)
{
	static char text[1 << 16];
	off_t end = lseek(narration, 0, SEEK_END);
	ssize_t n, i;

	if (end <= 0)
		return;
	n = pread(narration, text, sizeof text, 0);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\n') || c == 0x7f)
			abort();
	}
	if (ftruncate(narration, 0) < 0)
		abort();
	lseek(narration, 0, SEEK_SET);
}

/* One line the server received, read as ftp-labd reads it. */
static void
check_server_line(const char *line, size_t len)
{
	static struct command c;
	struct telnet tn;
	char clean[2 * CMD_LINE_CAP + 4];
	enum cmd_watch w;
	struct hostport hp;
	enum alg_kind kind;
	char why[HP_WHYLEN];

	if (len > sizeof clean)
		abort();	/* the tap sends no line this long */
	memcpy(clean, line, len);
	telnet_init(&tn);
	len = telnet_filter(&tn, (unsigned char *)clean, len);
	w = cmd_watch(clean, len, &c);
	if (cmd_parse(clean, len, &c) == CMD_OK &&
	    (strcmp(c.verb, "PORT") == 0 || strcmp(c.verb, "EPRT") == 0) &&
	    w != CMD_WATCH_PORT && w != CMD_WATCH_EPRT)
		abort();
	if (w == CMD_WATCH_UNCLEAR)
		abort();	/* the tap never sends on what it cannot read */
	if (w != CMD_WATCH_PORT && w != CMD_WATCH_EPRT)
		return;
	if (alg_parse_command(clean, len, &kind, &hp, why, sizeof why) != 1)
		abort();
	if (cfg.alg && (hp.port != 40000 || strcmp(hp.host, "127.0.0.1")))
		abort();
	if (!cfg.alg && bounce_check(&hp, "127.0.0.1") != BOUNCE_OK)
		abort();
}

static char got[1 << 17];	/* what the server received, unchecked */
static size_t have;

static void
check_server_side(int fd)
{
	ssize_t n;
	size_t start = 0;

	while ((n = recv(fd, got + have, sizeof got - have, MSG_DONTWAIT)) > 0)
		have += (size_t)n;
	for (;;) {
		char *lf = memchr(got + start, '\n', have - start);
		if (lf == NULL)
			break;
		check_server_line(got + start, (size_t)(lf - got - start) + 1);
		start = (size_t)(lf - got) + 1;
	}
	memmove(got, got + start, have - start);
	have -= start;
	if (have == sizeof got)
		have = 0;
}

static void
drain(int fd)
{
	char buf[65536];

	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct session s;
	int cpair[2], spair[2];
	size_t i = 0;

	if (narration < 0) {
		FILE *f = tmpfile();

		if (f == NULL)
			abort();
		narration = fileno(f);
		narrate_start(narration, 0);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, cpair) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, spair) < 0)
		abort();
	memset(&s, 0, sizeof s);
	have = 0;
	cfg = (struct config){ .idle_timeout = 5, .data_timeout = 5,
	    .alg = !(size > 0 && (data[0] & 2)) };
	s.id = 1;
	s.cfd = cpair[0];
	s.sfd = spair[0];
	s.client = (struct hostport){ AF_INET, "127.0.0.1", 50000 };
	s.client_end = (struct hostport){ AF_INET, "127.0.0.1", 2121 };
	s.server = (struct hostport){ AF_INET, "127.0.0.1", 21 };
	s.server_end = (struct hostport){ AF_INET, "127.0.0.1", 50001 };
	lb_init(&s.clb, s.cfd, TAP_LINE_CAP);
	lb_init(&s.slb, s.sfd, TAP_LINE_CAP);
	s.slb.crlf_only = 1;
	telnet_init(&s.tn);
	s.clb.filter = client_filter;
	s.clb.filter_ctx = &s;
	reply_init(&s.rp);
	relay_init(&s.ctl);
	data_init(&s.d);
	fcntl(s.cfd, F_SETFL, O_NONBLOCK);
	fcntl(s.sfd, F_SETFL, O_NONBLOCK);
	while (i + 2 <= size && !s.tls) {
		int to_server = data[i] & 1;
		size_t n = data[i + 1];

		i += 2;
		if (n > size - i)
			n = size - i;
		if (n == 0)
			continue;
		if (write(to_server ? spair[1] : cpair[1], data + i, n) !=
		    (ssize_t)n)
			abort();
		i += n;
		if ((to_server ? read_server(&s) : read_client(&s)) < 0)
			break;
		check_server_side(spair[1]);
		drain(cpair[1]);
		check_narration();
	}
	close(cpair[0]);
	close(cpair[1]);
	close(spair[0]);
	close(spair[1]);
	return 0;
}
