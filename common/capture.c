/* capture.c - each session's packets, kept; see capture.h. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "trace.h"

#define RECORD_HEADER 16	/* before each packet of a pcap file */
#define CONTROL_FLOWS 4		/* a session's control connections whose
				   commands are read for a password (ftp-tap
				   has two at once) */

/* Where a client's command line stands, on one control connection. */
struct line_state {
	const void *flow;	/* whose: the struct pcap_flow */
	struct trace_secret scan;	/* where a password starts */
};

struct kept_session {
	pthread_mutex_t mu;	/* the records; taken under lock (below) */
	int used;
	unsigned id;
	unsigned char *bytes;	/* the records, one after the other */
	size_t len, cap;
	size_t data_len;	/* of len, data connections' records */
	size_t data_payload;	/* data payload kept whole so far */
	struct line_state lines[CONTROL_FLOWS];
	unsigned next_line;	/* the next line state a new flow takes */
};

/* lock: which session each slot holds; a slot's mu: its records.  A
 * record is appended under its session's mu alone, so sessions do not
 * wait for each other's copies (perf: they did, on one lock, with
 * --web).  lock is taken first, mu under it, never the other way. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept_session sessions[CAPTURE_SESSIONS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
init_slots(void)
{
	size_t i;

	for (i = 0; i < CAPTURE_SESSIONS; i++)
		pthread_mutex_init(&sessions[i].mu, NULL);
}
static int show_passwords;

void
capture_start(struct pcap_file *pf, int show)
{
	show_passwords = show;
	pf->keep = capture_keep;
}

/* ---- the sessions kept ---- */

/* Under lock; waits for a copy or an append in progress. */
static void
forget(struct kept_session *s)
{
	pthread_mutex_lock(&s->mu);
	free(s->bytes);
	s->bytes = NULL;
	s->len = s->cap = s->data_len = s->data_payload = 0;
	memset(s->lines, 0, sizeof s->lines);
	s->next_line = 0;
	s->used = 0;
	pthread_mutex_unlock(&s->mu);
}

static struct kept_session *
find(unsigned id)
{
	static _Thread_local struct kept_session *mine;	/* a thread's own */
	size_t i;

	if (mine != NULL && mine->used && mine->id == id)
		return mine;	/* every packet of a session: no search */
	for (i = 0; i < CAPTURE_SESSIONS; i++)
		if (sessions[i].used && sessions[i].id == id)
			return mine = &sessions[i];
	return NULL;
}

/* Session id's: found, or a free slot, or the oldest session's. */
static struct kept_session *
find_or_add(unsigned id)
{
	struct kept_session *s = find(id), *oldest = NULL;
	size_t i;

	for (i = 0; s == NULL && i < CAPTURE_SESSIONS; i++) {
		if (!sessions[i].used) {
			s = &sessions[i];
			break;
		}
		if (oldest == NULL || sessions[i].id < oldest->id)
			oldest = &sessions[i];
	}
	if (s == NULL) {
		forget(oldest);
		s = oldest;
	}
	if (!s->used) {
		s->used = 1;
		s->id = id;
	}
	return s;
}

/* ---- a client's PASS line, left out ---- */

static struct line_state *
line_of(struct kept_session *s, const void *flow, int syn)
{
	struct line_state *ls = NULL;
	size_t i;

	for (i = 0; i < CONTROL_FLOWS && ls == NULL; i++)
		if (s->lines[i].flow == flow)
			ls = &s->lines[i];
	if (ls == NULL || syn) {	/* a new connection: a new line */
		if (ls == NULL)
			ls = &s->lines[s->next_line++ % CONTROL_FLOWS];
		*ls = (struct line_state){ .flow = flow };
		trace_secret_init(&ls->scan);
	}
	return ls;
}

/* How many of the n bytes of a client's commands may be kept: all of
 * them, or those before the first byte of a password.  The line is
 * followed across packets, so a password typed one key a packet is
 * found too; trace_secret_byte decides, as it does for the narration. */
static size_t
keepable(struct line_state *ls, const unsigned char *p, size_t n)
{
	size_t i, keep = n;

	for (i = 0; i < n; i++)	/* all of them: a later line may follow */
		if (trace_secret_byte(&ls->scan, p[i]) && i < keep)
			keep = i;
	return keep;
}

/* ---- keeping a record ---- */

/* The first keep bytes of record r, with its captured length made to
 * say so; nothing when the session's bound is reached. */
static void
append(struct kept_session *s, const struct pcap_record *r, size_t keep)
{
	uint32_t caplen = (uint32_t)(keep - RECORD_HEADER);
	size_t need = s->len + keep;

	if (need > CAPTURE_MAX || (r->data && s->data_len + keep >
	    CAPTURE_DATA_MAX))
		return;		/* past the bound: not kept */
	if (need > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		unsigned char *more;

		while (cap < need)
			cap *= 2;
		if ((more = realloc(s->bytes, cap)) == NULL)
			return;
		s->bytes = more;
		s->cap = cap;
	}
	memcpy(s->bytes + s->len, r->bytes, keep);
	memcpy(s->bytes + s->len + 8, &caplen, 4);	/* captured length */
	s->len += keep;
	if (r->data)
		s->data_len += keep;
}

void
capture_keep(const struct pcap_record *r)
{
	size_t payload = r->len - r->payload_at, keep = r->len;
	struct kept_session *s;

	pthread_once(&once, init_slots);
	pthread_mutex_lock(&lock);
	s = find_or_add(r->session);
	pthread_mutex_lock(&s->mu);
	pthread_mutex_unlock(&lock);
	if (!r->data && r->from == PCAP_CONNECTOR && !show_passwords)
		keep = r->payload_at + keepable(line_of(s, r->flow, r->syn),
		    r->bytes + r->payload_at, payload);
	if (r->data && payload > 0) {
		if (s->data_payload + payload <= CAPTURE_DATA_BYTES)
			s->data_payload += payload;
		else {		/* from here on, headers only */
			s->data_payload = CAPTURE_DATA_BYTES + 1;
			keep = r->payload_at;
		}
	}
	append(s, r, keep);
	pthread_mutex_unlock(&s->mu);
}

long
capture_copy(unsigned id, unsigned char *buf, size_t cap)
{
	struct kept_session *s;
	long len = -1;

	pthread_once(&once, init_slots);
	pthread_mutex_lock(&lock);
	if ((s = find(id)) != NULL)
		pthread_mutex_lock(&s->mu);
	pthread_mutex_unlock(&lock);
	if (s == NULL)
		return -1;
	if (s->len > 0 && PCAP_FILE_HEADER + s->len <= cap) {
		pcap_file_header(buf);
		memcpy(buf + PCAP_FILE_HEADER, s->bytes, s->len);
		len = (long)(PCAP_FILE_HEADER + s->len);
	}
	pthread_mutex_unlock(&s->mu);
	return len;
}
