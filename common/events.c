/* events.c - each session's events and summary row; see events.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

/* One event as kept: its strings in one block, "stamp\0text\0wire\0hex". */
struct kept {
	enum events_kind kind;
	int has_wire, has_hex;
	char *strings;
};

struct session {
	int used;
	struct events_row row;
	struct kept ring[EVENTS_RING];	/* event n at ring[(n-1) % RING] */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct session sessions[EVENTS_SESSIONS];
static uint64_t version;
static void (*wake_fn)(void);

static const char *const kind_names[] = {
	"note", "connect", "command", "reply", "data", "tcp", "close"
};

const char *
events_kind_name(enum events_kind k)
{
	return kind_names[k];
}

static int
starts(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

enum events_kind
events_kind_of(const char *text)
{
	if (starts(text, "> "))
		return EVENTS_COMMAND;
	if (starts(text, "< "))
		return EVENTS_REPLY;
	if (starts(text, "data: "))
		return EVENTS_DATA;
	if (starts(text, "tcp: "))
		return EVENTS_TCP;
	if (starts(text, "connect from "))
		return EVENTS_CONNECT;
	if (strcmp(text, "closed") == 0)
		return EVENTS_CLOSE;
	return EVENTS_NOTE;
}

void
events_start(void (*wake)(void))
{
	wake_fn = wake;
	narrate_observe(events_note);
}

uint64_t
events_version(void)
{
	uint64_t v;

	pthread_mutex_lock(&lock);
	v = version;
	pthread_mutex_unlock(&lock);
	return v;
}

/* ---- the sessions kept ---- */

static void
forget(struct session *s)
{
	size_t i;

	for (i = 0; i < EVENTS_RING; i++)
		free(s->ring[i].strings);
	memset(s, 0, sizeof *s);
}

/* The slot a new session takes: a free one, else the oldest finished,
 * else the oldest. */
static struct session *
new_slot(void)
{
	struct session *oldest = NULL, *oldest_done = NULL;
	size_t i;

	for (i = 0; i < EVENTS_SESSIONS; i++) {
		struct session *s = &sessions[i];

		if (!s->used)
			return s;
		if (oldest == NULL || s->row.id < oldest->row.id)
			oldest = s;
		if (s->row.finished && (oldest_done == NULL ||
		    s->row.id < oldest_done->row.id))
			oldest_done = s;
	}
	forget(oldest_done != NULL ? oldest_done : oldest);
	return oldest_done != NULL ? oldest_done : oldest;
}

static struct session *
find(unsigned id)
{
	static _Thread_local struct session *mine;	/* a thread's own */
	size_t i;

	if (mine != NULL && mine->used && mine->row.id == id)
		return mine;
	for (i = 0; i < EVENTS_SESSIONS; i++)
		if (sessions[i].used && sessions[i].row.id == id)
			return mine = &sessions[i];
	return NULL;
}

static struct session *
find_or_add(unsigned id)
{
	struct session *s = find(id);

	if (s != NULL)
		return s;
	s = new_slot();
	s->used = 1;
	s->row.id = id;
	s->row.first = 1;
	snprintf(s->row.state, sizeof s->row.state, "connected");
	return s;
}

/* ---- the summary row, from the narration's text ---- */

/* dst = src without the ending the wire view shows ("\r\n", "\n") nor
 * its bare-LF flag. */
static void
field(char *dst, size_t len, const char *src)
{
	const char *flag = strstr(src, "  <- bare LF");
	size_t n = flag ? (size_t)(flag - src) : strlen(src);

	while (n > 0 && src[n - 1] == ' ')
		n--;
	if (n >= 4 && memcmp(src + n - 4, "\\r\\n", 4) == 0)
		n -= 4;
	else if (n >= 2 && memcmp(src + n - 2, "\\n", 2) == 0)
		n -= 2;
	if (n >= len)
		n = len - 1;	/* cut, as snprintf would: len is never 0 */
	memcpy(dst, src, n);	/* under the lock: no snprintf */
	dst[n] = '\0';
}

/* "connect from HOST port P to ...": "HOST:P". */
static void
client_of(struct events_row *r, const char *text)
{
	char host[48];
	unsigned port;

	if (sscanf(text, "connect from %47s port %u", host, &port) == 2)
		snprintf(r->client, sizeof r->client, "%s:%u", host, port);
	if (strstr(text, " refused: ") != NULL) {
		r->finished = 1;
		snprintf(r->state, sizeof r->state, "refused");
	}
}

static void
command_seen(struct events_row *r, const char *line, const char *user)
{
	field(r->command, sizeof r->command, line);
	if (user == NULL && (starts(line, "USER ") || starts(line, "user ")))
		field(r->user, sizeof r->user, line + 5);
}

static void
reply_seen(struct events_row *r, const char *line)
{
	field(r->reply, sizeof r->reply, line);
	if (strlen(line) < 4 || line[3] != ' ')
		return;		/* a line inside a multi-line reply */
	if (line[0] == '4' || line[0] == '5')
		r->errors++;
	if (starts(line, "230 "))
		snprintf(r->state, sizeof r->state, "logged in");
}

static void
data_seen(struct events_row *r, const char *what)
{
	unsigned long long n;

	if (sscanf(what, "sent %llu bytes", &n) == 1)
		r->bytes_out += n;
	else if (sscanf(what, "received %llu bytes", &n) == 1)
		r->bytes_in += n;
	else if (strstr(what, "connected") != NULL)
		field(r->data_peer, sizeof r->data_peer, what);
	else if (!starts(what, "refused"))
		field(r->data, sizeof r->data, what);
	if (strstr(what, "connected") != NULL)
		snprintf(r->state, sizeof r->state, "data");
	else if (strstr(what, "closed") != NULL)
		snprintf(r->state, sizeof r->state, "logged in");
}

/* The session's owner, for a student's sign-in to the web view: the
 * account it logged in to.  A session that logged in to two accounts
 * (USER again after a login) belongs to neither student. */
static void
account_seen(struct events_row *r, const char *name)
{
	if (r->accounts == 0 || (r->accounts == 1 &&
	    strcmp(r->account, name) != 0))
		r->accounts++;
	if (r->accounts == 1)
		snprintf(r->account, sizeof r->account, "%s", name);
	else
		r->account[0] = '\0';
}

static void
summarize(struct events_row *r, enum events_kind kind,
    const struct narrate_event *e)
{
	if (e->user != NULL) {
		snprintf(r->user, sizeof r->user, "%s", e->user);
		account_seen(r, e->user);
	}
	switch (kind) {
	case EVENTS_CONNECT: client_of(r, e->text); break;
	case EVENTS_COMMAND: command_seen(r, e->text + 2, e->user); break;
	case EVENTS_REPLY: reply_seen(r, e->text + 2); break;
	case EVENTS_DATA: data_seen(r, e->text + 6); break;
	case EVENTS_CLOSE:
		r->finished = 1;
		snprintf(r->state, sizeof r->state, "closed");
		break;
	default: break;
	}
}

/* ---- keeping an event ---- */

/* "stamp\0text\0wire\0hex\0" in one allocation; NULL when out of
 * memory. */
static char *
pack(const struct narrate_event *e)
{
	const char *parts[4] = { e->stamp, e->text, e->wire, e->hex };
	size_t len[4], total = 0, i;
	char *block, *p;

	for (i = 0; i < 4; i++)
		total += (len[i] = parts[i] ? strlen(parts[i]) : 0) + 1;
	if ((block = malloc(total)) == NULL)
		return NULL;
	for (p = block, i = 0; i < 4; i++) {
		memcpy(p, parts[i] ? parts[i] : "", len[i]);
		p[len[i]] = '\0';
		p += len[i] + 1;
	}
	return block;
}

void
events_note(const struct narrate_event *e)
{
	enum events_kind kind = events_kind_of(e->text);
	char *strings;
	struct session *s;
	struct kept *k;

	if (e->id == 0)
		return;		/* the program's own lines: no session */
	if ((strings = pack(e)) == NULL)
		return;
	pthread_mutex_lock(&lock);
	s = find_or_add(e->id);
	s->row.last++;
	k = &s->ring[(s->row.last - 1) % EVENTS_RING];
	free(k->strings);
	*k = (struct kept){ kind, e->wire != NULL, e->hex != NULL, strings };
	if (s->row.last > EVENTS_RING)
		s->row.first = s->row.last - EVENTS_RING + 1;
	summarize(&s->row, kind, e);
	s->row.changed = ++version;
	pthread_mutex_unlock(&lock);
	if (wake_fn != NULL)
		wake_fn();
}

/* ---- reading ---- */

static struct events_event
unpack(const struct kept *k, uint64_t seq)
{
	struct events_event ev = { seq, k->kind, k->strings, NULL, NULL,
	    NULL };

	ev.text = ev.stamp + strlen(ev.stamp) + 1;
	ev.wire = ev.text + strlen(ev.text) + 1;
	ev.hex = ev.wire + strlen(ev.wire) + 1;
	if (!k->has_wire)
		ev.wire = NULL;
	if (!k->has_hex)
		ev.hex = NULL;
	return ev;
}

long
events_read(unsigned id, uint64_t after, events_event_fn *fn, void *ctx)
{
	struct session *s;
	long lost = 0;
	uint64_t n;

	pthread_mutex_lock(&lock);
	if ((s = find(id)) == NULL) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	if (after + 1 < s->row.first) {
		lost = (long)(s->row.first - after - 1);
		after = s->row.first - 1;
	}
	for (n = after + 1; n <= s->row.last; n++) {
		struct events_event ev = unpack(
		    &s->ring[(n - 1) % EVENTS_RING], n);

		if (fn(ctx, &ev) != 0)
			break;
	}
	pthread_mutex_unlock(&lock);
	return lost;
}

/* Copies of the rows changed since version after, of ids from on: the
 * max lowest, in order of id; *v the version they are as of. */
static size_t
changed_rows(uint64_t after, unsigned from, struct events_row *out,
    size_t max, uint64_t *v)
{
	size_t i, j, n = 0;

	pthread_mutex_lock(&lock);
	for (i = 0; i < EVENTS_SESSIONS; i++) {
		const struct events_row *r = &sessions[i].row;

		if (!sessions[i].used || r->changed <= after || r->id < from ||
		    (n == max && r->id > out[n - 1].id))
			continue;
		for (j = n < max ? n++ : n - 1; j > 0 && out[j - 1].id > r->id;
		    j--)
			out[j] = out[j - 1];
		out[j] = *r;
	}
	*v = version;
	pthread_mutex_unlock(&lock);
	return n;
}

/* fn runs on copies, outside the lock, 16 rows at a time: a viewer's
 * formatting never holds up a session's events (perf: waits for this
 * lock were a fifth of what --web cost a session when fn ran inside). */
#define ROWS_AT_ONCE 16

uint64_t
events_rows(uint64_t after, events_row_fn *fn, void *ctx)
{
	struct events_row batch[ROWS_AT_ONCE];
	size_t n, i;
	uint64_t v, later;

	/* v: every row changed by then is in this or a later batch */
	n = changed_rows(after, 0, batch, ROWS_AT_ONCE, &v);
	for (;;) {
		for (i = 0; i < n; i++)
			fn(ctx, &batch[i]);
		if (n < ROWS_AT_ONCE)
			return v;
		n = changed_rows(after, batch[n - 1].id + 1, batch,
		    ROWS_AT_ONCE, &later);
	}
}

int
events_row(unsigned id, struct events_row *out)
{
	struct session *s;

	pthread_mutex_lock(&lock);
	if ((s = find(id)) != NULL)
		*out = s->row;
	pthread_mutex_unlock(&lock);
	return s != NULL ? 0 : -1;
}
