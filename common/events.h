/* events.h - what the web view knows: each session's narration events,
 * kept in a bounded ring, and the session's summary row.
 *
 *	session threads --narrate--> events_note (the narrate observer)
 *	the web thread  --> events_read (one session), events_rows (all)
 *
 * A session is known by its narration id.  It keeps its last EVENTS_RING
 * events, numbered from 1 (the id of a Server-Sent Event): a reader that
 * asks for the events after a number no longer kept is told how many it
 * lost, and gets the oldest kept.  EVENTS_SESSIONS sessions are kept; a
 * new one pushes out the oldest finished one (else the oldest).
 *
 * The text is the narration's, escaped by common/narrate; this module
 * reads it only to fill the summary row (user, state, last command...),
 * which therefore says nothing the narration did not.  One lock guards
 * everything; it is held for copies, never for I/O nor a row's
 * formatting, so a slow reader never slows a session.
 */
#ifndef RAWFTP_EVENTS_H
#define RAWFTP_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "narrate.h"

#define EVENTS_RING 256		/* events kept per session */
#define EVENTS_SESSIONS 200	/* sessions kept */
#define EVENTS_FIELD 160	/* longest field of a summary row */

enum events_kind {
	EVENTS_NOTE, EVENTS_CONNECT, EVENTS_COMMAND, EVENTS_REPLY,
	EVENTS_DATA, EVENTS_TCP, EVENTS_CLOSE
};

/* "note", "connect", "command"...: the kind's name in the web page. */
const char *events_kind_name(enum events_kind k);

/* The kind of a narration line, from its text: "> " a command, "< " a
 * reply, "data: ", "tcp: ", "connect from ", "closed"; else a note. */
enum events_kind events_kind_of(const char *text);

struct events_event {
	uint64_t seq;		/* 1, 2, ... within its session */
	enum events_kind kind;
	const char *stamp, *text;
	const char *wire, *hex;	/* NULL but for commands and replies */
};

struct events_row {
	unsigned id;
	uint64_t changed;	/* events_version() at its last change */
	uint64_t first, last;	/* numbers of the events kept */
	char user[64];
	char account[64];	/* the account logged in to, never anonymous;
				   "" when none, or when two were */
	int accounts;		/* how many different ones logged in */
	char client[64];	/* "127.0.0.1:40000" */
	char state[16];		/* connected, logged in, data, closed */
	char command[EVENTS_FIELD], reply[EVENTS_FIELD];
	char data[EVENTS_FIELD];	/* the last data connection asked */
	char data_peer[EVENTS_FIELD];	/* and how it connected */
	uint64_t bytes_in, bytes_out;	/* data from and to the client */
	unsigned errors;	/* 4xx and 5xx replies */
	int finished;
};

/* Observes the narration from now on; wake (may be NULL) is called
 * after each event is kept, outside the lock.  Once, before narrating. */
void events_start(void (*wake)(void));

/* The observer itself (narrate_observer_fn), for the tests. */
void events_note(const struct narrate_event *e);

/* Grows by one with each event kept, in any session. */
uint64_t events_version(void);

/* fn(ctx, ev) for each event of session id numbered above after, in
 * order, while fn returns 0.  Returns -1 when id is not kept, else the
 * number of events lost (after was older than the oldest kept). */
typedef int events_event_fn(void *ctx, const struct events_event *ev);
long events_read(unsigned id, uint64_t after, events_event_fn *fn,
    void *ctx);

/* fn(ctx, row) for each session changed since version after (0: all),
 * in order of id, on copies made under the lock and passed outside it.
 * Returns a version all of them are as of (a row may be newer). */
typedef void events_row_fn(void *ctx, const struct events_row *row);
uint64_t events_rows(uint64_t after, events_row_fn *fn, void *ctx);

/* A copy of session id's row: 0, or -1 when it is not kept. */
int events_row(unsigned id, struct events_row *out);

#endif
