/* ladder.c - the sequence diagram; see ladder.h.
 *
 * A row is built in a plain buffer of LADDER_WIDTH columns: the time,
 * a '|' for each lane alive, the arrow over the lanes it crosses, the
 * text from the column after the last lane.  Colour is added when the
 * row is written, so it never changes what fits.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ladder.h"
#include "trace.h"

#define TIME_W 8		/* "   1.234": seconds, to the millisecond */
#define COL_CLIENT 9
#define COL_SERVER 19
#define COL_DATA 26		/* the first data lane; the next 7 further */
#define DATA_LANES 2		/* a session's data connections at once */
#define SESSIONS 16		/* sessions whose lanes are remembered */
#define PORT_W 8		/* ":65535" */

struct lanes {
	unsigned id;			/* 0: a free slot */
	unsigned long long used;	/* for reuse, the oldest first */
	char client[HP_HOSTLEN + 8], server[HP_HOSTLEN + 8];
	char client_port[PORT_W], server_port[PORT_W];
	int ndata;			/* data lanes alive */
	char data_port[DATA_LANES][PORT_W];
	char data_verb[DATA_LANES][8];	/* PASV, EPSV, PORT, EPRT */
	int relay;			/* a relay's session (ladder_onward):
					 * "server" is the relay, the real
					 * server is beyond the lanes */
};

struct record {
	unsigned id;
	char what[24];			/* "control", "data PASV" */
	const char *by;			/* "client", "server", "tap": who
					 * connected */
	const char *to_whom;		/* and to whom */
	char from[HP_HOSTLEN + 8], to[HP_HOSTLEN + 8];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int ladder_fd = -1;
static int ladder_color;
static struct lanes sessions[SESSIONS];
static unsigned long long clock_ticks;
static unsigned current;	/* the session whose lanes are on screen */
static struct record records[LADDER_SUMMARY_ROWS];
static size_t nrecords;		/* ever recorded; the newest are kept */

void
ladder_start(int fd, int color)
{
	ladder_fd = fd;
	ladder_color = color;
}

/* ---- writing rows ---- */

static const char *
style_color(enum ladder_style s)
{
	switch (s) {
	case LADDER_COMMAND: return "\033[1;36m";	/* bold cyan */
	case LADDER_REPLY: return "\033[1;32m";		/* bold green */
	case LADDER_CONNECT: return "\033[1;34m";	/* bold blue */
	case LADDER_BYTES: return "\033[1;33m";		/* bold yellow */
	case LADDER_TCP: return "\033[1;35m";		/* bold magenta */
	default: return "\033[1;31m";			/* bold red */
	}
}

/* Writes text[0..len) and a newline in one write, coloured from column
 * lo to the end when color is not NULL and colour is on. */
static void
put(const char *text, size_t len, size_t lo, const char *color)
{
	char out[LADDER_WIDTH + 32];
	size_t n = 0;

	if (ladder_fd < 0)
		return;
	if (color != NULL && ladder_color && lo < len) {
		memcpy(out, text, lo);
		n = lo;
		n += (size_t)snprintf(out + n, sizeof out - n, "%s", color);
		memcpy(out + n, text + lo, len - lo);
		n += len - lo;
		n += (size_t)snprintf(out + n, sizeof out - n, "\033[0m");
	} else {
		memcpy(out, text, len);
		n = len;
	}
	out[n++] = '\n';
	(void)!write(ladder_fd, out, n);
}

/* Copies text into row from column at, cut with "..." at the width, a
 * control byte shown as '?' (a row is one line, whatever text holds);
 * returns the row's length. */
static size_t
place(char *row, size_t len, size_t at, const char *text)
{
	size_t n = strlen(text), i;

	if (at >= LADDER_WIDTH)
		return len;
	if (at + n > LADDER_WIDTH) {
		n = LADDER_WIDTH - at;
		memcpy(row + at, text, n - 3);
		memcpy(row + at + n - 3, "...", 3);
	} else {
		memcpy(row + at, text, n);
	}
	for (i = at; i < at + n; i++)
		if ((unsigned char)row[i] < 0x20 || row[i] == 0x7f)
			row[i] = '?';
	return at + n > len ? at + n : len;
}

/* Trailing blanks go: a row ends where its last mark is. */
static size_t
trim(const char *row, size_t len)
{
	while (len > 0 && row[len - 1] == ' ')
		len--;
	return len;
}

/* ---- sessions and their lanes ---- */

static struct lanes *
find(unsigned id)
{
	size_t i;

	for (i = 0; i < SESSIONS; i++)
		if (sessions[i].id == id && id != 0)
			return &sessions[i];
	return NULL;
}

/* The slot of a new session: a free one, or the one drawn longest ago. */
static struct lanes *
take(unsigned id)
{
	struct lanes *l = &sessions[0];
	size_t i;

	for (i = 1; i < SESSIONS && l->id != 0; i++)
		if (sessions[i].id == 0 || sessions[i].used < l->used)
			l = &sessions[i];
	memset(l, 0, sizeof *l);
	l->id = id;
	snprintf(l->client, sizeof l->client, "?");
	snprintf(l->server, sizeof l->server, "?");
	snprintf(l->client_port, sizeof l->client_port, "?");
	snprintf(l->server_port, sizeof l->server_port, "?");
	return l;
}

static struct lanes *
lanes_of(unsigned id)
{
	struct lanes *l = find(id);

	if (l == NULL)
		l = take(id);
	l->used = ++clock_ticks;
	return l;
}

static size_t
data_col(int k)
{
	return COL_DATA + 7 * (size_t)k;
}

/* The column where a row's text starts: after the room for the data
 * lanes alive (always one, so that text does not move as they come and
 * go). */
static size_t
text_col(const struct lanes *l)
{
	return data_col(l->ndata > 1 ? l->ndata - 1 : 0) + 3;
}

static size_t
lane_col(const struct lanes *l, enum ladder_lane lane)
{
	if (lane == LADDER_CLIENT)
		return COL_CLIENT;
	if (lane == LADDER_SERVER || l->ndata == 0)
		return COL_SERVER;
	return data_col(l->ndata - 1);
}

/* A row with the time and the lanes alive; returns its length. */
static size_t
blank_row(const struct lanes *l, char *row, int stamp)
{
	char t[32];
	int k;

	memset(row, ' ', LADDER_WIDTH);
	if (stamp) {
		trace_stamp(t, sizeof t);
		t[strlen(t) - 3] = '\0';	/* milliseconds are enough */
		memcpy(row, t + strlen(t) - TIME_W, TIME_W);
	}
	if (l == NULL)
		return TIME_W;
	row[COL_CLIENT] = '|';
	row[COL_SERVER] = '|';
	for (k = 0; k < l->ndata; k++)
		row[data_col(k)] = '|';
	return l->ndata > 0 ? data_col(l->ndata - 1) + 1 : COL_SERVER + 1;
}

/* The two rows that name the lanes, their ports below. */
static void
lane_headers(const struct lanes *l)
{
	char row[LADDER_WIDTH];
	size_t len;
	int k;

	memset(row, ' ', sizeof row);
	len = place(row, 0, 4, "time");
	len = place(row, len, COL_CLIENT, "client");
	len = place(row, len, COL_SERVER, "server");
	for (k = 0; k < l->ndata; k++)
		len = place(row, len, data_col(k), "data");
	put(row, len, 0, ladder_color ? "\033[1m" : NULL);
	memset(row, ' ', sizeof row);
	len = place(row, 0, COL_CLIENT, l->client_port);
	len = place(row, len, COL_SERVER, l->server_port);
	for (k = 0; k < l->ndata; k++)
		len = place(row, len, data_col(k), l->data_port[k]);
	put(row, len, 0, ladder_color ? "\033[1m" : NULL);
}

static void
session_header(const struct lanes *l)
{
	char row[LADDER_WIDTH], text[2 * HP_HOSTLEN + 64];
	size_t len;

	snprintf(text, sizeof text, "== [%u] client %s, server %s ==", l->id,
	    l->client, l->server);
	memset(row, ' ', sizeof row);
	len = place(row, 0, 0, text);
	put("", 0, 0, NULL);
	put(row, len, 0, ladder_color ? "\033[1m" : NULL);
	lane_headers(l);
}

/* The lanes of id, their headers drawn again if another session's rows
 * came between. */
static struct lanes *
enter(unsigned id)
{
	struct lanes *l = lanes_of(id);

	if (current != id) {
		current = id;
		session_header(l);
	}
	return l;
}

/* A row with an arrow from column a to column b and text. */
static void
arrow_row(const struct lanes *l, size_t a, size_t b,
    enum ladder_style style, const char *text)
{
	char row[LADDER_WIDTH];
	size_t len = blank_row(l, row, 1), lo = a < b ? a : b, hi = a < b ?
	    b : a, i;
	char fill = style == LADDER_BYTES ? '=' : style == LADDER_TCP ? '.' :
	    '-';

	for (i = lo + 1; i < hi; i++)
		row[i] = fill;
	if (style == LADDER_REFUSED)
		row[a < b ? hi - 1 : lo + 1] = 'x';
	else if (a < b)
		row[hi - 1] = '>';
	else
		row[lo + 1] = '<';
	len = place(row, len, text_col(l), text);
	put(row, trim(row, len), lo, style_color(style));
}

/* ---- the events ---- */

static void
endpoint(const struct hostport *hp, char *text, size_t len, char *port,
    size_t portlen)
{
	if (hp_format(hp, HP_STYLE_COLON, text, len) < 0)
		snprintf(text, len, "?");
	snprintf(port, portlen, ":%u", hp->port);
}

static void
record(unsigned id, const char *what, const char *by, const char *from,
    const char *to_whom, const char *to)
{
	struct record *r = &records[nrecords++ % LADDER_SUMMARY_ROWS];

	r->id = id;
	r->by = by;
	r->to_whom = to_whom;
	snprintf(r->what, sizeof r->what, "%s", what);
	snprintf(r->from, sizeof r->from, "%s", from);
	snprintf(r->to, sizeof r->to, "%s", to);
}

void
ladder_session(unsigned id, const struct hostport *client,
    const struct hostport *server)
{
	struct lanes *l;
	char text[HP_HOSTLEN + 32];

	pthread_mutex_lock(&lock);
	l = lanes_of(id);
	l->ndata = 0;
	endpoint(client, l->client, sizeof l->client, l->client_port,
	    sizeof l->client_port);
	endpoint(server, l->server, sizeof l->server, l->server_port,
	    sizeof l->server_port);
	record(id, "control", "client", l->client, "server", l->server);
	current = 0;
	enter(id);
	snprintf(text, sizeof text, "connect %s > %s", l->client,
	    l->server_port);
	arrow_row(l, COL_CLIENT, COL_SERVER, LADDER_CONNECT, text);
	pthread_mutex_unlock(&lock);
}

void
ladder_session_end(unsigned id, const char *text)
{
	char row[LADDER_WIDTH];
	struct lanes *l;
	size_t len;

	pthread_mutex_lock(&lock);
	l = enter(id);
	len = blank_row(l, row, 1);
	row[COL_CLIENT] = row[COL_SERVER] = '-';
	len = place(row, len, text_col(l), text);
	put(row, trim(row, len), 0, NULL);
	l->id = 0;		/* the slot is free again */
	current = 0;
	pthread_mutex_unlock(&lock);
}

void
ladder_onward(unsigned id, const struct hostport *from,
    const struct hostport *server, const char *text)
{
	char f[HP_HOSTLEN + 8], t[HP_HOSTLEN + 8], port[PORT_W];
	char row[LADDER_WIDTH];
	struct lanes *l;
	size_t len;

	size_t i;

	pthread_mutex_lock(&lock);
	l = enter(id);
	l->relay = 1;
	for (i = nrecords; i > 0 && i + LADDER_SUMMARY_ROWS > nrecords; i--)
		if (records[(i - 1) % LADDER_SUMMARY_ROWS].id == id) {
			/* the client's control connection ends at the relay */
			records[(i - 1) % LADDER_SUMMARY_ROWS].to_whom = "tap";
			break;
		}
	endpoint(from, f, sizeof f, port, sizeof port);
	endpoint(server, t, sizeof t, port, sizeof port);
	record(id, "control", "tap", f, "server", t);
	len = blank_row(l, row, 1);
	len = place(row, len, text_col(l), text);
	put(row, trim(row, len), 0, NULL);
	pthread_mutex_unlock(&lock);
}

void
ladder_arrow(unsigned id, enum ladder_lane from, enum ladder_lane to,
    enum ladder_style style, const char *text)
{
	struct lanes *l;

	pthread_mutex_lock(&lock);
	l = enter(id);
	arrow_row(l, lane_col(l, from), lane_col(l, to), style, text);
	pthread_mutex_unlock(&lock);
}

void
ladder_data_open(unsigned id, const char *verb, unsigned port,
    const char *text)
{
	char row[LADDER_WIDTH], head[PORT_W + 2];
	struct lanes *l;
	size_t len;
	int k;

	pthread_mutex_lock(&lock);
	l = enter(id);
	if (l->ndata == DATA_LANES)	/* more at once: the newest is reused */
		l->ndata--;
	k = l->ndata;
	snprintf(l->data_port[k], sizeof l->data_port[k], ":%u", port);
	snprintf(l->data_verb[k], sizeof l->data_verb[k], "%s", verb);
	len = blank_row(l, row, 1);
	l->ndata++;
	snprintf(head, sizeof head, "+%s", l->data_port[k]);
	len = place(row, len, data_col(k), head);
	len = place(row, len, data_col(k) + strlen(head) + 1, text);
	put(row, trim(row, len), data_col(k),
	    ladder_color ? "\033[1;33m" : NULL);
	pthread_mutex_unlock(&lock);
}

void
ladder_data_close(unsigned id, enum ladder_lane from, enum ladder_lane to,
    const char *text)
{
	struct lanes *l;

	pthread_mutex_lock(&lock);
	l = enter(id);
	arrow_row(l, lane_col(l, from), lane_col(l, to), LADDER_BYTES, text);
	if (l->ndata > 0)
		l->ndata--;
	pthread_mutex_unlock(&lock);
}

void
ladder_note(unsigned id, const char *text)
{
	char row[LADDER_WIDTH];
	struct lanes *l = NULL;
	size_t len;

	pthread_mutex_lock(&lock);
	if (find(id) != NULL)	/* not for a connection never served */
		l = enter(id);
	len = blank_row(l, row, 1);
	len = place(row, len, l != NULL ? text_col(l) : TIME_W + 1, text);
	put(row, trim(row, len), 0, NULL);
	pthread_mutex_unlock(&lock);
}

/* A data connection of a relay's session (lock held): the newest lane
 * is the relay's own data port.  In passive mode (PASV, EPSV) the client
 * connects to it and the relay connects onward to the server; in active
 * mode (PORT, EPRT) the server connects to it and the relay to the
 * client.  The server is beyond the lanes: its legs get a row of text,
 * not an arrow. */
static void
relay_data_connect(struct lanes *l, unsigned id, const char *what,
    const char *from, const char *to, int outgoing, const char *text)
{
	const char *verb = l->ndata > 0 ? l->data_verb[l->ndata - 1] : "";
	int passive = strcmp(verb, "PASV") == 0 || strcmp(verb, "EPSV") == 0;
	int client_leg = passive != outgoing;
	char row[LADDER_WIDTH];
	size_t len;

	if (!outgoing)
		record(id, what, client_leg ? "client" : "server", from, "tap",
		    to);
	else
		record(id, what, "tap", from, client_leg ? "client" : "server",
		    to);
	if (client_leg) {
		arrow_row(l, outgoing ? lane_col(l, LADDER_DATA) : COL_CLIENT,
		    outgoing ? COL_CLIENT : lane_col(l, LADDER_DATA),
		    LADDER_CONNECT, text);
		return;
	}
	len = blank_row(l, row, 1);
	len = place(row, len, text_col(l), text);
	put(row, trim(row, len), 0, NULL);
}

void
ladder_data_connect(unsigned id, const struct hostport *from,
    const struct hostport *to, const char *text)
{
	char f[HP_HOSTLEN + 8], t[HP_HOSTLEN + 8], port[PORT_W], what[24];
	const char *verb = "?";
	struct lanes *l;
	size_t host;

	pthread_mutex_lock(&lock);
	l = enter(id);
	if (l->ndata > 0)
		verb = l->data_verb[l->ndata - 1];
	snprintf(what, sizeof what, "data %s", verb);
	endpoint(from, f, sizeof f, port, sizeof port);
	if (to != NULL) {
		endpoint(to, t, sizeof t, port, sizeof port);
	} else {	/* the server's host, the lane's port */
		host = strcspn(l->server, l->server[0] == '[' ? "]" : ":");
		snprintf(t, sizeof t, "%.*s%s%s", (int)host, l->server,
		    l->server[0] == '[' ? "]" : "",
		    l->ndata > 0 ? l->data_port[l->ndata - 1] : ":?");
	}
	if (l->relay)
		relay_data_connect(l, id, what, f, t, to != NULL, text);
	else {
		record(id, what, to == NULL ? "client" : "server", f,
		    to == NULL ? "server" : "client", t);
		arrow_row(l, to == NULL ? COL_CLIENT : lane_col(l, LADDER_DATA),
		    to == NULL ? lane_col(l, LADDER_DATA) : COL_CLIENT,
		    LADDER_CONNECT, text);
	}
	pthread_mutex_unlock(&lock);
}

void
ladder_data_end(unsigned id, const char *text)
{
	char row[LADDER_WIDTH];
	struct lanes *l;
	size_t len;

	pthread_mutex_lock(&lock);
	l = enter(id);
	len = blank_row(l, row, 1);
	if (l->ndata > 0)
		row[data_col(l->ndata - 1)] = '-';
	len = place(row, len, text_col(l), text);
	put(row, trim(row, len), 0, NULL);
	if (l->ndata > 0)
		l->ndata--;
	pthread_mutex_unlock(&lock);
}

void
ladder_summary(void)
{
	char row[LADDER_WIDTH], text[3 * HP_HOSTLEN];
	size_t i, first, len;

	pthread_mutex_lock(&lock);
	first = nrecords > LADDER_SUMMARY_ROWS ?
	    nrecords - LADDER_SUMMARY_ROWS : 0;
	put("", 0, 0, NULL);
	snprintf(text, sizeof text, "== %zu connection%s%s: who connected "
	    "from where to where ==", nrecords, nrecords == 1 ? "" : "s",
	    first > 0 ? " (the newest shown)" : "");
	memset(row, ' ', sizeof row);
	put(row, place(row, 0, 0, text), 0, ladder_color ? "\033[1m" : NULL);
	for (i = first; i < nrecords; i++) {
		const struct record *r = &records[i % LADDER_SUMMARY_ROWS];
		char who[16];

		snprintf(who, sizeof who, "[%u]", r->id);
		snprintf(text, sizeof text, "%-4s %-9s %s %-15s -> %s %s",
		    who, r->what, r->by, r->from, r->to_whom, r->to);
		memset(row, ' ', sizeof row);
		len = place(row, 0, 1, text);
		put(row, trim(row, len), 0, NULL);
	}
	current = 0;
	pthread_mutex_unlock(&lock);
}
