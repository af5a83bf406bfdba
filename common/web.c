/* web.c - the web view's server; see web.h.
 *
 * One thread, one poll loop.  A viewer is a connection: it is reading
 * its request, or writing one response before it closes, or holding an
 * event stream open.  A stream never waits on a session: it keeps a
 * cursor (the number of the last event it was sent, or the version of
 * the rows) and is filled from common/events whenever its queue has
 * room, after each wake.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.h"
#include "err.h"
#include "events.h"
#include "hostport.h"
#include "http.h"
#include "narrate.h"
#include "net.h"
#include "ownports.h"
#include "secret.h"
#include "web.h"

#define TOKEN_HEX 32		/* 128 random bits */

static struct {
	int wanted;
	char host[HP_HOSTLEN], port[8];
	int lfd;
	struct hostport here;
	struct ownport own;	/* here, for a relay's check */
	int need_token;
	char token[TOKEN_HEX + 1];
	char cookie_name[32];	/* rawftp_token_PORT: one per server */
	char student_cookie[32];	/* rawftp_student_PORT: a sign-in */
	int wake_r, wake_w;
	atomic_int wake_pending;
	web_account_fn *account_ok;	/* NULL: nobody signs in */
	int fail_delay_ms;
} web = { .lfd = -1, .wake_r = -1, .wake_w = -1 };

enum state { FREE, READING, ANSWERING, ROWS, EVENTS };

struct viewer {
	enum state state;
	int fd;
	unsigned number;		/* counted from 1, for the narration */
	char in[HTTP_HEAD_MAX];
	size_t inlen;
	char *out;			/* WEB_QUEUE bytes, while connected */
	size_t outlen, outoff;
	long long deadline;		/* request, or stall while writing */
	long long ping;
	unsigned session;		/* EVENTS: which, and the cursor */
	uint64_t cursor;
	int ended;			/* the last bytes are queued */
	int behind;			/* more to queue once it drains: a
					   fill did not fit, or a batch went
					   by while it was writing */
	char account[64];		/* a student's: only their sessions;
					   "" the teacher's: every session */
	long long hold_until;		/* a refused sign-in waits */
};

static struct viewer viewers[WEB_VIEWERS];
static unsigned viewers_seen;

/* ---- the option, the socket, the token ---- */

void
web_option(const char *arg)
{
	struct hostport hp;
	char why[HP_WHYLEN];
	unsigned port;

	if (hp_split_colon(arg, web.host, sizeof web.host, web.port,
	    sizeof web.port, why, sizeof why) < 0 ||
	    hp_parse_port_number(web.port, &port, 1, why, sizeof why) < 0)
		die_usage("--web: '%s' is not ADDR:PORT (127.0.0.1:8080, "
		    "[::1]:8080)", arg);
	if (hp_set_host(&hp, web.host, why, sizeof why) < 0)
		die_usage("--web: %s", why);
	snprintf(web.host, sizeof web.host, "%s", hp.host);
	web.wanted = 1;
}

/* TOKEN_HEX hex digits from the kernel's random numbers, into out
 * (TOKEN_HEX + 1 bytes): 0, or -1. */
static int
make_secret(char *out)
{
	unsigned char raw[TOKEN_HEX / 2];
	size_t i;

	if (getentropy(raw, sizeof raw) < 0)
		return -1;
	for (i = 0; i < sizeof raw; i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

void
web_listen(int narrate_flags)
{
	struct net_error e;

	if (!web.wanted)
		return;
	if (narrate_flags & NARRATE_LADDER)
		die_usage("--web and --ladder: choose one (the ladder draws "
		    "in the terminal what the web view draws in a browser)");
	web.lfd = net_listen(web.host, web.port, AF_UNSPEC, 64, &e);
	if (web.lfd < 0)
		die(e.exit_code, "--web: %s", e.msg);
	net_local(web.lfd, &web.here);
	ownports_add(&web.own, &web.here);
	web.need_token = !hp_is_loopback(web.here.host);
	if (web.need_token && make_secret(web.token) < 0)
		die_errno(EXIT_OSERR, "--web: no random numbers for a token");
	snprintf(web.cookie_name, sizeof web.cookie_name, "rawftp_token_%u",
	    web.here.port);
	snprintf(web.student_cookie, sizeof web.student_cookie,
	    "rawftp_student_%u", web.here.port);
}

int
web_wanted(void)
{
	return web.wanted;
}

void
web_accounts(web_account_fn *ok, int fail_delay_ms)
{
	web.account_ok = ok;
	web.fail_delay_ms = fail_delay_ms;
}

/* ---- the queue of a viewer ---- */

static int
room(const struct viewer *v, size_t n)
{
	return v->outlen + n <= WEB_QUEUE;
}

static void
put(struct viewer *v, const char *bytes, size_t n)
{
	if (!room(v, n))
		return;		/* callers check room first */
	memcpy(v->out + v->outlen, bytes, n);
	v->outlen += n;
}

/* A string in JSON, into buf: nonzero when it did not fit. */
struct text {
	char *p;
	size_t len, cap;
	int cut;
};

static void
add(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len)
		t->cut = 1;
	else
		t->len += (size_t)n;
}

/* "name":"value" with the value as a JSON string; '<' and '>' too are
 * written as \u escapes, so no byte of it reads as markup anywhere. */
static void
add_string(struct text *t, const char *name, const char *s)
{
	add(t, "\"%s\":\"", name);
	for (; s != NULL && *s != '\0' && !t->cut; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			add(t, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f || c == '<' || c == '>' ||
		    c == '&')
			add(t, "\\u%04x", c);
		else
			add(t, "%c", c);
	}
	add(t, "\"");
}

/* ---- responses ---- */

static const char csp[] = "default-src 'none'; script-src 'self'; "
    "style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/* The status line and the headers every answer has. */
static void
head(struct viewer *v, int status, const char *type, long long length,
    const char *extra)
{
	char h[1024];
	struct text t = { h, 0, sizeof h, 0 };

	add(&t, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n", status,
	    http_reason(status), type);
	if (length >= 0)
		add(&t, "Content-Length: %lld\r\n", length);
	add(&t, "Cache-Control: no-store\r\nContent-Security-Policy: %s\r\n"
	    "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer"
	    "\r\n%s%s\r\n", csp, extra ? extra : "",
	    length >= 0 ? "Connection: close\r\n" : "");
	put(v, h, t.len);
}

/* What is queued is the whole answer: the connection closes after it. */
static void
answering(struct viewer *v)
{
	v->state = ANSWERING;
	v->deadline = net_now_ms() + WEB_STALL_MS;
}

/* A whole answer, then the connection closes. */
static void
answer(struct viewer *v, int status, const char *type, const void *body,
    size_t len, int head_only, const char *extra)
{
	head(v, status, type, (long long)len, extra);
	if (!head_only && room(v, len))
		put(v, body, len);
	answering(v);
}

/* A status and its one line of text: "404 Not Found: no page /x". */
static void
refuse(struct viewer *v, int status, int head_only, const char *why)
{
	char line[256];
	int n = snprintf(line, sizeof line, "%d %s: %s\n", status,
	    http_reason(status), why);

	answer(v, status, "text/plain; charset=utf-8", line,
	    n > 0 && (size_t)n < sizeof line ? (size_t)n : 0, head_only,
	    status == 405 ? "Allow: GET, HEAD\r\n" : NULL);
}

/* 401 and its line, with the header that makes a browser ask for a
 * name and a password. */
static void
challenge(struct viewer *v, int head_only, const char *why)
{
	char line[256];
	int n = snprintf(line, sizeof line, "401 Unauthorized: %s\n", why);

	answer(v, 401, "text/plain; charset=utf-8", line,
	    n > 0 && (size_t)n < sizeof line ? (size_t)n : 0, head_only,
	    "WWW-Authenticate: Basic realm=\"rawftp: your FTP account\", "
	    "charset=\"UTF-8\"\r\n");
}

static const char *
type_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot && strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	if (dot && strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	return "text/html; charset=utf-8";
}

/* A file of common/web/, by its name. */
static const struct web_file *
file_named(const char *name)
{
	const struct web_file *f;

	for (f = web_files; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* ---- event streams ---- */

/* Whether viewer v may see a session: the teacher sees every one; a
 * student only those that logged in to their own account. */
static int
may_see(const struct viewer *v, const struct events_row *r)
{
	return v->account[0] == '\0' || strcmp(r->account, v->account) == 0;
}

/* The head of an event stream; for HEAD that is the whole answer, as
 * for a page.  0 when the stream goes on, -1 when it ends here. */
static int
start_stream(struct viewer *v, const char *extra, int head_only)
{
	head(v, 200, "text/event-stream", -1, extra);
	if (head_only) {
		answering(v);
		return -1;
	}
	put(v, "retry: 2000\n\n", 13);
	v->ping = net_now_ms() + WEB_PING_MS;
	return 0;
}

/* One SSE message: "id: N\nevent: NAME\ndata: JSON\n\n". */
static int
queue_message(struct viewer *v, unsigned long long id, const char *event,
    const struct text *json)
{
	char h[64];
	int n = id ? snprintf(h, sizeof h, "id: %llu\nevent: %s\ndata: ", id,
	    event) : snprintf(h, sizeof h, "event: %s\ndata: ", event);

	if (json->cut || !room(v, (size_t)n + json->len + 2))
		return -1;
	put(v, h, (size_t)n);
	put(v, json->p, json->len);
	put(v, "\n\n", 2);
	return 0;
}

static int
queue_event(void *ctx, const struct events_event *ev)
{
	struct viewer *v = ctx;
	char buf[16 * NARRATE_MAX];	/* each byte at most a \u escape */
	struct text t = { buf, 0, sizeof buf, 0 };

	add(&t, "{\"seq\":%llu,", (unsigned long long)ev->seq);
	add_string(&t, "kind", events_kind_name(ev->kind));
	add(&t, ",");
	add_string(&t, "time", ev->stamp);
	add(&t, ",");
	add_string(&t, "text", ev->text);
	if (ev->wire != NULL) {
		add(&t, ",");
		add_string(&t, "wire", ev->wire);
		add(&t, ",");
		add_string(&t, "hex", ev->hex);
		add(&t, ",\"masked\":%d", ev->hex == NULL);
	}
	add(&t, "}");
	if (t.cut) {	/* cannot be: said, not dropped */
		t = (struct text){ buf, 0, sizeof buf, 0 };
		add(&t, "{\"seq\":%llu,\"kind\":\"note\",\"text\":"
		    "\"(an event too long to show)\"}",
		    (unsigned long long)ev->seq);
	}
	if (queue_message(v, ev->seq, "ev", &t) < 0) {
		v->behind = 1;	/* no room: the rest once it drains */
		return 1;
	}
	v->cursor = ev->seq;
	return 0;
}

/* The last message of a session's stream; the connection then closes. */
static void
end_stream(struct viewer *v)
{
	char none[] = "{}";
	struct text t = { none, 2, sizeof none, 0 };

	if (!v->ended && queue_message(v, 0, "end", &t) == 0)
		v->ended = 1;
}

/* Who the class page is for: a student ("account":"NAME") sees their
 * own sessions, the teacher ("account":"") every one. */
static void
say_who(struct viewer *v)
{
	char buf[160];
	struct text t = { buf, 0, sizeof buf, 0 };

	add(&t, "{");
	add_string(&t, "account", v->account);
	add(&t, "}");
	(void)queue_message(v, 0, "viewer", &t);
}

static void
fill_events(struct viewer *v)
{
	struct events_row row;
	long lost;

	if (events_row(v->session, &row) == 0 && !may_see(v, &row)) {
		end_stream(v);	/* it logged in to another account too */
		return;
	}
	lost = events_read(v->session, v->cursor, queue_event, v);
	if (lost > 0) {
		char buf[64];
		struct text t = { buf, 0, sizeof buf, 0 };

		narrate_printf(0, "web: viewer %u fell behind session %u by "
		    "%ld events: resynchronised from the oldest kept",
		    v->number, v->session, lost);
		add(&t, "{\"lost\":%ld}", lost);
		/* the page starts again from the events that follow */
		(void)queue_message(v, 0, "resync", &t);
	}
	/* finished and all sent, or pushed out of the sessions kept */
	if (lost < 0 || (events_row(v->session, &row) == 0 &&
	    row.finished && v->cursor == row.last))
		end_stream(v);
}

static void
row_json(struct text *t, const struct events_row *r)
{
	add(t, "{\"id\":%u,", r->id);
	add_string(t, "user", r->user);
	add(t, ",");
	add_string(t, "client", r->client);
	add(t, ",");
	add_string(t, "state", r->state);
	add(t, ",");
	add_string(t, "command", r->command);
	add(t, ",");
	add_string(t, "reply", r->reply);
	add(t, ",");
	add_string(t, "data", r->data);
	add(t, ",");
	add_string(t, "peer", r->data_peer);
	add(t, ",\"in\":%llu,\"out\":%llu,\"errors\":%u,\"finished\":%d,"
	    "\"last\":%llu}", (unsigned long long)r->bytes_in,
	    (unsigned long long)r->bytes_out, r->errors, r->finished,
	    (unsigned long long)r->last);
}

/* The rows changed, all at once or none: a page never sees half. */
struct rows {
	struct text all;
	const struct viewer *v;
};

static void
add_row(void *ctx, const struct events_row *r)
{
	struct rows *rs = ctx;
	char buf[8 * 8 * EVENTS_FIELD];
	struct text t = { buf, 0, sizeof buf, 0 };

	if (!may_see(rs->v, r))
		return;
	row_json(&t, r);
	add(&rs->all, "event: row\ndata: %.*s\n\n", (int)t.len, t.p);
}

static void
fill_rows(struct viewer *v)
{
	static char scratch[WEB_QUEUE];
	struct rows rs = { { scratch, 0, WEB_QUEUE - v->outlen, 0 }, v };
	uint64_t now = events_version();

	if (now == v->cursor)
		return;
	now = events_rows(v->cursor, add_row, &rs);
	if (rs.all.cut) {
		v->behind = 1;	/* wait for the queue to drain */
		return;
	}
	put(v, rs.all.p, rs.all.len);
	v->cursor = now;
}

static void
fill(struct viewer *v)
{
	v->behind = 0;
	if (v->state == EVENTS && !v->ended)
		fill_events(v);
	else if (v->state == ROWS)
		fill_rows(v);
}

/* ---- routes ---- */

/* The narration of a session as kept: "STAMP [ID] TEXT" lines. */
struct narration {
	struct viewer *v;
	unsigned id;
};

static int
narration_line(void *ctx, const struct events_event *ev)
{
	struct narration *n = ctx;
	char line[2 * NARRATE_MAX];
	int len = snprintf(line, sizeof line, "%s [%u] %s\n", ev->stamp,
	    n->id, ev->text);

	if (len < 0 || (size_t)len >= sizeof line || !room(n->v, (size_t)len))
		return 1;
	put(n->v, line, (size_t)len);
	return 0;
}

static void
narration(struct viewer *v, unsigned id, int head_only)
{
	static char body[WEB_QUEUE / 2];
	struct viewer tmp = { .out = body };
	struct narration n = { &tmp, id };
	struct events_row row;
	char note[96];
	int len;

	if (events_row(id, &row) < 0 || !may_see(v, &row)) {
		refuse(v, 404, head_only, "no such session kept");
		return;
	}
	if (row.first > 1) {
		len = snprintf(note, sizeof note, "(the %llu earlier lines "
		    "are no longer kept)\n",
		    (unsigned long long)row.first - 1);
		put(&tmp, note, (size_t)len);
	}
	events_read(id, 0, narration_line, &n);
	answer(v, 200, "text/plain; charset=utf-8", body, tmp.outlen,
	    head_only, NULL);
}

/* The session's packets as kept, a pcap file to open in Wireshark. */
static void
session_capture(struct viewer *v, unsigned id, int head_only)
{
	static unsigned char body[PCAP_FILE_HEADER + CAPTURE_MAX];
	struct events_row row;
	char extra[96];
	long len;

	if (events_row(id, &row) < 0 || !may_see(v, &row) ||
	    (len = capture_copy(id, body, sizeof body)) < 0) {
		refuse(v, 404, head_only, "no capture kept for this session");
		return;
	}
	snprintf(extra, sizeof extra, "Content-Disposition: attachment; "
	    "filename=\"rawftp-session-%u.pcap\"\r\n", id);
	answer(v, 200, "application/vnd.tcpdump.pcap", body, (size_t)len,
	    head_only, extra);
}

/* Where a session's stream starts: after the event Last-Event-ID names.
 * A browser only sends back an id it was given, so a number past the
 * session's last event (or too big to read) counts as the last: the
 * stream of a finished session then ends at once, and no number wraps
 * round to look like a viewer that fell behind. */
static uint64_t
resume_after(const char *last_event_id, const struct events_row *row)
{
	unsigned long long n = strtoull(last_event_id, NULL, 10);

	return n < row->last ? n : row->last;
}

/* id=N in the query: N, or 0. */
static unsigned
session_id(const struct http_request *rq)
{
	char text[16];
	char *end;
	unsigned long n;

	if (http_query_value(rq->query, "id", text, sizeof text) < 0)
		return 0;
	n = strtoul(text, &end, 10);
	return *end == '\0' && n > 0 && n < 4000000000UL ? (unsigned)n : 0;
}

/* The Host a page of this server is asked with: on loopback, only this
 * address or localhost, so another site's page in the same browser
 * cannot read the view by renaming itself (DNS rebinding). */
static int
host_allowed(const struct http_request *rq)
{
	char mine[HP_HOSTLEN + 16], local[32];

	if (web.need_token || rq->host[0] == '\0')
		return 1;
	hp_format(&web.here, HP_STYLE_COLON, mine, sizeof mine);
	snprintf(local, sizeof local, "localhost:%u", web.here.port);
	return strcmp(rq->host, mine) == 0 || strcmp(rq->host, local) == 0;
}

/* Off loopback: the token in ?token= (then kept in a cookie) or in the
 * cookie.  0 allowed (extra: the Set-Cookie line, or ""), -1 not. */
static int
token_allowed(const struct http_request *rq, char *extra, size_t len)
{
	char given[TOKEN_HEX + 2] = "";	/* compared in full: no stale bytes */

	extra[0] = '\0';
	if (!web.need_token)
		return 0;
	if (http_query_value(rq->query, "token", given, sizeof given) == 0 &&
	    secret_equal(given, web.token)) {
		snprintf(extra, len, "Set-Cookie: %s=%s; Path=/; HttpOnly; "
		    "SameSite=Strict\r\n", web.cookie_name, web.token);
		return 0;
	}
	if (http_cookie_value(rq->cookie, web.cookie_name, given,
	    sizeof given) == 0 && secret_equal(given, web.token))
		return 0;
	return -1;
}

/* Students signed in: each sign-in a random ticket, kept by the browser
 * in a cookie, so the password crosses once.  The oldest is forgotten
 * when the table is full (that student signs in again). */
#define SIGNINS 256
static struct {
	char ticket[TOKEN_HEX + 1];
	char account[64];
} signins[SIGNINS];
static unsigned signins_made;

/* The account's ticket (one per account, made at its first sign-in) as
 * a Set-Cookie line in extra: 0, or -1. */
static int
ticket_of(const char *account, char *extra, size_t len)
{
	size_t slot;

	for (slot = 0; slot < SIGNINS; slot++)
		if (strcmp(signins[slot].account, account) == 0 &&
		    signins[slot].ticket[0] != '\0')
			break;
	if (slot == SIGNINS) {
		slot = signins_made++ % SIGNINS;
		if (make_secret(signins[slot].ticket) < 0)
			return -1;
		snprintf(signins[slot].account, sizeof signins[slot].account,
		    "%s", account);
	}
	snprintf(extra, len, "Set-Cookie: %s=%s; Path=/; HttpOnly; "
	    "SameSite=Strict\r\n", web.student_cookie, signins[slot].ticket);
	return 0;
}

/* The account of the ticket in the request's cookie: 0, or -1. */
static int
ticket_account(const struct http_request *rq, char *account, size_t len)
{
	char given[TOKEN_HEX + 2] = "";
	size_t i;

	if (http_cookie_value(rq->cookie, web.student_cookie, given,
	    sizeof given) < 0)
		return -1;
	for (i = 0; i < SIGNINS; i++)
		if (signins[i].ticket[0] != '\0' &&
		    secret_equal(given, signins[i].ticket)) {
			snprintf(account, len, "%s", signins[i].account);
			return 0;
		}
	return -1;
}

/* A student's sign-in, HTTP Basic: 0 signed in (v->account set, the
 * ticket's cookie in extra), -1 refused (the 401 queued, held back as
 * FTP holds its 530). */
static int
sign_in(struct viewer *v, const struct http_request *rq, char *extra,
    size_t len)
{
	char name[sizeof v->account], password[128];

	if (http_basic_credentials(rq->authorization, name, sizeof name,
	    password, sizeof password) == 0 && web.account_ok(name,
	    password) && ticket_of(name, extra, len) == 0) {
		snprintf(v->account, sizeof v->account, "%s", name);
		return 0;
	}
	narrate_printf(0, "web: viewer %u: sign-in refused (a wrong name or "
	    "password)", v->number);
	v->hold_until = net_now_ms() + web.fail_delay_ms;
	challenge(v, rq->head_only, "wrong name or password");
	return -1;
}

/* Who asks: 0 the teacher (on loopback, or with the token) or a student
 * signed in (v->account); -1 refused, the answer queued. */
static int
who_asks(struct viewer *v, const struct http_request *rq, char *extra,
    size_t len)
{
	int signin = strcmp(rq->path, "/signin") == 0;

	extra[0] = '\0';
	if (web.account_ok != NULL && rq->authorization[0] != '\0')
		return sign_in(v, rq, extra, len);
	if (web.account_ok != NULL && ticket_account(rq, v->account,
	    sizeof v->account) == 0)
		return 0;
	if (signin && web.account_ok != NULL) {
		challenge(v, rq->head_only, "sign in with your FTP account's "
		    "name and password");
		return -1;
	}
	if (signin) {
		refuse(v, 404, rq->head_only, "this server has no accounts "
		    "to sign in with");
		return -1;
	}
	if (token_allowed(rq, extra, len) == 0)
		return 0;
	if (web.account_ok != NULL)
		challenge(v, rq->head_only, "sign in with your FTP account, or "
		    "open the address with ?token= that the server printed "
		    "at its start");
	else
		refuse(v, 403, rq->head_only, "open the address with ?token= "
		    "that the server printed at its start");
	return -1;
}

static const struct { const char *path, *file; } pages[] = {
	{ "/", "index.html" }, { "/session", "session.html" },
	{ "/projector", "projector.html" }, { "/app.js", "app.js" },
	{ "/style.css", "style.css" },
};

static void
route(struct viewer *v, const struct http_request *rq)
{
	char extra[256];
	size_t i;
	int h = rq->head_only;

	if (!host_allowed(rq)) {
		refuse(v, 403, h, rq->host_in_target ? "the request target "
		    "names another server" : "the Host header names another "
		    "server");
		return;
	}
	if (who_asks(v, rq, extra, sizeof extra) < 0)
		return;		/* refused: the answer is queued */
	if (strcmp(rq->path, "/signin") == 0) {	/* signed in: the class */
		size_t n = strlen(extra);

		snprintf(extra + n, sizeof extra - n, "Location: /\r\n");
		answer(v, 303, "text/plain; charset=utf-8", "", 0, h, extra);
		return;
	}
	for (i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		const struct web_file *f = file_named(pages[i].file);

		if (strcmp(rq->path, pages[i].path) == 0 && f != NULL) {
			answer(v, 200, type_of(f->name), f->bytes, f->len, h,
			    extra);
			return;
		}
	}
	if (strcmp(rq->path, "/narration.txt") == 0) {
		narration(v, session_id(rq), h);
	} else if (strcmp(rq->path, "/capture.pcap") == 0) {
		session_capture(v, session_id(rq), h);
	} else if (strcmp(rq->path, "/events/class") == 0) {
		if (start_stream(v, extra, h) < 0)
			return;
		say_who(v);
		v->state = ROWS;
		v->cursor = 0;
		fill(v);
	} else if (strcmp(rq->path, "/events/session") == 0) {
		struct events_row row;

		if ((v->session = session_id(rq)) == 0 ||
		    events_row(v->session, &row) < 0 || !may_see(v, &row)) {
			refuse(v, 404, h, "no such session kept");
			return;
		}
		if (start_stream(v, extra, h) < 0)
			return;
		v->state = EVENTS;
		v->cursor = resume_after(rq->last_event_id, &row);
		fill(v);
	} else {
		refuse(v, 404, h, "no such page");
	}
}

/* ---- connections ---- */

static void
drop(struct viewer *v)
{
	close(v->fd);
	free(v->out);
	v->out = NULL;
	v->state = FREE;
}

/* A short answer written at once, on a connection that has no slot: a
 * fresh socket's buffer takes it whole. */
static void
answer_now(int fd, int status, const char *why)
{
	char body[192], h[448];
	int b = snprintf(body, sizeof body, "%d %s: %s\n", status,
	    http_reason(status), why);
	int n = snprintf(h, sizeof h, "HTTP/1.1 %d %s\r\nContent-Type: "
	    "text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
	    "Connection: close\r\n\r\n%s", status, http_reason(status), b,
	    body);

	if (b > 0 && n > 0 && (size_t)n < sizeof h)
		(void)!write(fd, h, (size_t)n);
}

/* The slot for a new connection: a free one; else the one of the oldest
 * connection still sending its request (it has asked nothing yet: 408),
 * so that connections which say nothing cannot keep every viewer out,
 * the teacher's included; else none (all are viewers already). */
static struct viewer *
slot_for_new(void)
{
	struct viewer *oldest = NULL;
	size_t i;

	for (i = 0; i < WEB_VIEWERS; i++) {
		if (viewers[i].state == FREE)
			return &viewers[i];
		if (viewers[i].state == READING && (oldest == NULL ||
		    viewers[i].number < oldest->number))
			oldest = &viewers[i];
	}
	if (oldest != NULL) {
		answer_now(oldest->fd, 408, "the request did not come in "
		    "time, and a newer connection needed its place");
		drop(oldest);
	}
	return oldest;
}

static void
accept_viewer(void)
{
	struct hostport peer;
	struct viewer *v;
	int fd = net_accept(web.lfd, 0, &peer, NULL);

	if (fd < 0)
		return;
	if ((v = slot_for_new()) == NULL ||
	    (v->out = malloc(WEB_QUEUE)) == NULL) {
		answer_now(fd, 503, "too many viewers");
		close(fd);
		return;
	}
	net_set_nonblocking(fd, 1);
	/* the kernel's share of a viewer's queue bounded too: on loopback a
	 * send buffer grows to megabytes, per stalled viewer */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ WEB_SOCKET_BUF },
	    sizeof(int));
	*v = (struct viewer){ .state = READING, .fd = fd, .out = v->out,
	    .number = ++viewers_seen,
	    .deadline = net_now_ms() + WEB_REQUEST_MS };
}

static void
read_request(struct viewer *v)
{
	struct http_request rq;
	ssize_t n = read(v->fd, v->in + v->inlen, sizeof v->in - v->inlen);
	int status;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			drop(v);
		return;
	}
	v->inlen += (size_t)n;
	status = http_parse(v->in, v->inlen, &rq);
	if (status == HTTP_MORE && v->inlen == sizeof v->in)
		status = 431;
	if (status == HTTP_MORE)
		return;
	if (status != HTTP_OK) {
		refuse(v, status, 0, status == 405 ? "only GET and HEAD" :
		    status == 414 ? "the request line is too long" :
		    status == 431 ? "the request head is too large" :
		    "not a request this server reads");
		return;
	}
	route(v, &rq);
}

/* A viewer sends nothing after its request: what it sends is dropped,
 * and its end of file (it left) ends the connection. */
static void
read_more(struct viewer *v)
{
	char junk[512];
	ssize_t n;

	if (v->state == READING) {
		read_request(v);
		return;
	}
	n = read(v->fd, junk, sizeof junk);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		drop(v);
}

/* What the queue holds goes out, as much as the socket takes. */
static void
write_queue(struct viewer *v)
{
	ssize_t n = write(v->fd, v->out + v->outoff, v->outlen - v->outoff);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			drop(v);
		return;
	}
	v->outoff += (size_t)n;
	v->deadline = net_now_ms() + WEB_STALL_MS;
	if (v->outoff < v->outlen)
		return;
	v->outoff = v->outlen = 0;
	if (v->state == ANSWERING || v->ended)
		drop(v);
	else if (v->behind)
		fill(v);
	/* else what came meanwhile waits for the batch (woken, rearm): a
	 * fill at every drain would write a few events at a time, as fast
	 * as they come, and take the sessions' lock as often */
}

static void
keep_time(struct viewer *v, long long now)
{
	if (v->state == READING && now >= v->deadline) {
		refuse(v, 408, 0, "the request did not come in time");
		return;
	}
	if (v->outlen > v->outoff && now >= v->deadline) {
		drop(v);	/* took nothing for WEB_STALL_MS */
		return;
	}
	if ((v->state == ROWS || v->state == EVENTS) && now >= v->ping &&
	    room(v, 8)) {
		put(v, ": ping\n\n", 8);
		v->ping = now + WEB_PING_MS;
	}
}

static void
fill_all(void)
{
	size_t i;

	for (i = 0; i < WEB_VIEWERS; i++)
		if (viewers[i].outlen == 0)
			fill(&viewers[i]);
		else
			viewers[i].behind = 1;	/* once it drains */
}

/* Woken by an event: the viewers filled now; the sessions write no
 * more wakes until WEB_BATCH_MS later (rearm), when the viewers are
 * filled again with what came meanwhile.  A busy server so wakes this
 * thread at most 1000 / WEB_BATCH_MS times a second. */
static long long rearm_at;

static void
woken(void)
{
	char junk[64];

	while (read(web.wake_r, junk, sizeof junk) > 0)
		;
	fill_all();
	rearm_at = net_now_ms() + WEB_BATCH_MS;
}

static int
rearm(long long now)
{
	if (rearm_at == 0)
		return 1000;
	if (now < rearm_at)
		return (int)(rearm_at - now);
	rearm_at = 0;
	atomic_store(&web.wake_pending, 0);
	fill_all();	/* after the store: no event is missed */
	return 1000;
}

/* Called by common/events after each event, in a session's thread:
 * one byte into the pipe until the web thread has read it. */
static void
wake(void)
{
	if (!atomic_exchange(&web.wake_pending, 1))
		(void)!write(web.wake_w, "", 1);
}

static void *
web_main(void *arg)
{
	struct pollfd pfd[WEB_VIEWERS + 2];
	struct viewer *at[WEB_VIEWERS + 2];
	size_t i, n;
	sigset_t set;

	(void)arg;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* main handles them */
	for (;;) {
		long long now = net_now_ms();
		int wait_ms = rearm(now);	/* may queue: before the poll set */

		pfd[0] = (struct pollfd){ web.lfd, POLLIN, 0 };
		pfd[1] = (struct pollfd){ web.wake_r, POLLIN, 0 };
		for (n = 2, i = 0; i < WEB_VIEWERS; i++) {
			struct viewer *v = &viewers[i];

			if (v->state != FREE)
				keep_time(v, now);
			if (v->state == FREE)
				continue;
			at[n] = v;
			pfd[n++] = (struct pollfd){ v->fd, (short)(POLLIN |
			    (v->outlen > v->outoff && now >= v->hold_until ?
			    POLLOUT : 0)), 0 };
			if (now < v->hold_until && v->hold_until - now < wait_ms)
				wait_ms = (int)(v->hold_until - now);
		}
		if (poll(pfd, n, wait_ms) < 0)
			continue;
		for (i = 2; i < n; i++) {
			if (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL) &&
			    !(pfd[i].revents & (POLLIN | POLLOUT)))
				drop(at[i]);
			else if (pfd[i].revents & POLLOUT)
				write_queue(at[i]);
			else if (pfd[i].revents & POLLIN)
				read_more(at[i]);
		}
		if (pfd[1].revents & POLLIN)
			woken();
		if (pfd[0].revents & POLLIN)
			accept_viewer();
	}
	return NULL;
}

void
web_start(void)
{
	char where[HP_HOSTLEN + 16];
	int p[2];
	pthread_t t;
	pthread_attr_t attr;

	if (!web.wanted)
		return;
	if (pipe(p) < 0)
		die_errno(EXIT_OSERR, "--web: pipe");
	web.wake_r = p[0];
	web.wake_w = p[1];
	net_set_nonblocking(p[0], 1);
	net_set_nonblocking(p[1], 1);
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	net_set_nonblocking(web.lfd, 1);
	events_start(wake);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, web_main, NULL) != 0)
		die(EXIT_OSERR, "--web: cannot start its thread");
	pthread_attr_destroy(&attr);
	hp_format(&web.here, HP_STYLE_COLON, where, sizeof where);
	printf("web view: http://%s/%s%s\n", where,
	    web.need_token ? "?token=" : "", web.need_token ? web.token : "");
	fflush(stdout);
	narrate_printf(0, "web: the web view on %s%s", where,
	    web.need_token ? " (the token is on standard output)" : "");
}
