/* narrate.h - the narration: one line per event of an FTP session.
 *
 * A narrating program (ftp-labd, ftp-tap) writes what happens on both
 * channels as it happens, one line per event:
 *
 *	  12.345678 [ID] text
 *
 * the time in seconds since narrate_start (as in Wireshark's Time column),
 * ID the session (0: the program itself), then the text.  What came from
 * the client is "> line", what went back "< line"; lines from the wire are
 * made printable (\xNN) and, when asked, PASS and ACCT arguments show as
 * XXXX.  Data-channel events start with "data: ".  Each line goes out in
 * one write(2), so lines of concurrent sessions never mix.  The format is
 * documented in ftp-labd(1), which ftp-tap(1) points to, and the tests
 * grep it: change them together.
 *
 * The module keeps the descriptor and options given to narrate_start; it
 * knows nothing of a program's configuration.
 *
 * Two views change how the same events look: NARRATE_WIRE (the bytes of
 * each line with its ending, and TCP events: below) and NARRATE_LADDER
 * (every event drawn by common/ladder, as a sequence diagram).
 */
#ifndef RAWFTP_NARRATE_H
#define RAWFTP_NARRATE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "hostport.h"

#define NARRATE_MAX 512		/* longest line; longer ones end in "..." */

enum narrate_flags {
	NARRATE_MASK = 1,	/* show PASS and ACCT arguments as XXXX */
	NARRATE_WIRE = 2,	/* lines as they crossed the wire, and TCP */
	NARRATE_LADDER = 4,	/* draw common/ladder instead of lines */
	NARRATE_SHOW_PASSWORDS = 8,	/* wins over MASK; said at start */
	NARRATE_CLOCK = 16	/* wall-clock times "16:33:05.123456" */
};

/* Narrate on fd (-1: say nothing) with flags; marks time zero.  Call once,
 * before any thread narrates. */
void narrate_start(int fd, int flags);

/* Where the options -q and --log FILE send the narration, as a descriptor
 * for narrate_start: FILE opened for appending (path not NULL), else -1
 * when quiet, else 2 (stderr).  The file is guarded and made private by
 * common/privfile (dies 73 when it is refused or cannot be opened). */
int narrate_log_fd(const char *path, int quiet);

/* "STAMP [id] text": the one line every event below is made of. */
void narrate_printf(unsigned id, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void narrate_vprintf(unsigned id, const char *fmt, va_list ap);

/* From now on this thread's lines read "[ID NAME]" (NULL: "[ID]") and
 * go to fd too (-1: only the log): a session's user and own log, for a
 * teacher.  One thread serves one session, so this is per thread. */
void narrate_as_user(const char *name, int fd);

/* "dir line": a line from the wire, printable, masked if asked; dir is
 * ">" (the client's) or "<" (the server's). */
void narrate_wire(unsigned id, const char *dir, const char *line,
    size_t len);

/* "HEAD TEXT TAIL": a program's own words around peer bytes (a reply
 * that quotes the client's argument, why an argument cannot be read),
 * TEXT made printable as a line from the wire is.  HEAD and TAIL are
 * the program's own text, never a peer's. */
void narrate_quoting(unsigned id, const char *head, const char *text,
    size_t len, const char *tail);

/* A line a relay rewrote (ftp-tap's ALG): "DIR WAS => NOW", what came
 * and what went on, side by side; NOW is the relay's own line.  In the
 * ladder, whose lanes are the client's leg, the arrow is the line that
 * crossed that leg (a PORT as the client sent it, a 227 as the relay
 * rewrote it), and a row under it gives the other. */
void narrate_rewrite(unsigned id, const char *dir, const char *was,
    size_t was_len, const char *now, size_t now_len);

/* "< TEXT TAIL": a reply a relay wrote itself and the client got (TAIL
 * " (from the tap)"): in the ladder an arrow to the client.  TEXT may
 * quote a peer's bytes (made printable); TAIL is the program's own. */
void narrate_own_reply(unsigned id, const char *text, size_t len,
    const char *tail);

/* "server: LINE (not sent on)": a line the server sent that a relay
 * kept from the client (a reply it refused or replaced).  A note, not a
 * reply: the ladder and the web view draw no arrow to the client for a
 * line the client never got. */
void narrate_withheld(unsigned id, const char *line, size_t len);

/* ---- the events ---- */

/* "connect from HOST port P to HOST port P" */
void narrate_connect(unsigned id, const struct hostport *peer,
    const struct hostport *local);
/* "connect from HOST port P refused: WHY" */
void narrate_refuse(unsigned id, const struct hostport *peer,
    const char *why);
/* "server: connected to HOST port P from HOST port P": a relay's own
 * connection onward to the server (the ladder's table lists it). */
void narrate_onward(unsigned id, const struct hostport *server,
    const struct hostport *from);
/* A relay's data port (VERB: the command it answers) opens and ends:
 * with NARRATE_LADDER its data lane, else nothing (the relay narrates
 * its data port in its own lines). */
void narrate_relay_lane(unsigned id, const char *verb,
    const struct hostport *where);
void narrate_relay_lane_end(unsigned id);
/* "closed": the control connection ended. */
void narrate_close(unsigned id);

/* "> COMMAND": one command line in. */
void narrate_command(unsigned id, const char *line, size_t len);
/* "< REPLY", once per line of text (one or more CRLF lines). */
void narrate_reply(unsigned id, const char *text, size_t len);

/* "data: VERB listening on ADDR:PORT", with "= p1*256+p2" after PASV,
 * whose reply gives the port as two numbers. */
void narrate_data_listen(unsigned id, const char *verb,
    const struct hostport *where);
/* "data: VERB HOST port P = p1*256+p2": PORT or EPRT named the address
 * the server will connect to. */
void narrate_data_target(unsigned id, const char *verb,
    const struct hostport *target);
/* "data: ADDR:PORT connected" (from NULL: the client connected to the
 * listening port) or "data: connected to ADDR:PORT from ADDR:PORT". */
void narrate_data_connect(unsigned id, const struct hostport *to,
    const struct hostport *from);
/* "data: VERB N bytes, closed": VERB "sent" or "received". */
void narrate_data_close(unsigned id, const char *verb, uint64_t bytes);
/* "data: refused WHO: WHY": a data connection or address not allowed. */
void narrate_data_refuse(unsigned id, const char *who, const char *why);
/* "data: cannot read the VERB argument: WHY": a PORT or EPRT whose
 * address cannot be read; "data: cannot read the address of the CODE
 * (WHY): OUTCOME": the same of a 227 or 229, and what a relay did with
 * it ("refused", "relayed unchanged").  WHY, the parser's words, may
 * quote the peer's bytes: it is shown printable. */
void narrate_data_bad_command(unsigned id, const char *verb,
    const char *why);
void narrate_data_bad_reply(unsigned id, const char *code, const char *why,
    const char *outcome);

/* ---- the wire view (NARRATE_WIRE) ----
 *
 * With NARRATE_WIRE the lines of narrate_wire (commands and replies) show
 * their ending as it crossed the wire, "> USER ann\r\n", and a line that
 * ended in LF alone is flagged.  TCP events of both channels are
 * narrated, each with the bytes both sides had sent:
 *	tcp: control: client 127.0.0.1:40000 connected to server ...:2121
 *	tcp: data: FIN from the server first: half-closed (...)
 *	tcp: data: FIN from the client too: closed (...)
 *	tcp: data: RST from the client: reset (...)
 * A program keeps one struct narrate_tcp per connection; without
 * NARRATE_WIRE the calls only count.
 *
 * A relay (ftp-tap) is an end of each of its connections: on the
 * client's leg it plays the server, on the server's leg the client.
 * Its lines name it "tap" there, so each line says which leg it was on:
 *	tcp: data: client 127.0.0.1:40000 connected to tap 127.0.0.1:50000
 *	tcp: data: FIN from the tap first: half-closed (client sent 0
 *	    bytes, tap 1000)
 *	tcp: data: FIN from the server first: half-closed (tap sent 0
 *	    bytes, server 1000) */

enum narrate_side { NARRATE_CLIENT = 0, NARRATE_SERVER = 1 };

/* Which connection of a session: the only one between client and server
 * (NARRATE_DIRECT), or a relay's leg to either. */
enum narrate_leg { NARRATE_DIRECT, NARRATE_CLIENT_LEG, NARRATE_SERVER_LEG };

struct narrate_tcp {
	unsigned id;
	int data;		/* a data connection, not the control one */
	enum narrate_leg leg;
	uint64_t sent[2];	/* bytes each side sent, by enum narrate_side */
	int fin[2];
	int ended;		/* both FINs, or a RST: no more events */
};

/* "tcp: CHAN: client A connected to server B" (or the server to the
 * client, in active mode: connector says who called connect). */
void narrate_tcp_open(struct narrate_tcp *t, unsigned id, int data,
    enum narrate_leg leg, enum narrate_side connector,
    const struct hostport *client, const struct hostport *server);
/* n bytes sent by from (counted, not narrated). */
void narrate_tcp_sent(struct narrate_tcp *t, enum narrate_side from,
    size_t n);
/* who sent its FIN: the first is a half-close, the second the close. */
void narrate_tcp_fin(struct narrate_tcp *t, enum narrate_side who);
/* who reset the connection. */
void narrate_tcp_rst(struct narrate_tcp *t, enum narrate_side who);

/* With NARRATE_LADDER: the table of every connection drawn, with its
 * ports (ladder_summary); otherwise nothing. */
void narrate_summary(void);

/* ---- an observer: the web view (common/events) ----
 *
 * Every narrated line also goes to the observer, as it is made, whether
 * or not the narration itself is written (-q): the same text, escaped
 * here as the narration is, so the two never disagree.  A command or a
 * reply also comes as --wire shows it, and its bytes in hex unless its
 * password is masked.  Not with NARRATE_LADDER, whose events are drawn,
 * not narrated: a program refuses the two together. */
struct narrate_event {
	unsigned id;		/* the session; 0: the program itself */
	const char *user;	/* narrate_as_user's NAME, or NULL */
	const char *stamp;	/* the time, as the line shows it */
	const char *text;	/* the line after "[ID] " */
	const char *wire;	/* a command or reply as --wire shows it */
	const char *hex;	/* its bytes, "55 53 45 52"; NULL: masked */
};
typedef void narrate_observer_fn(const struct narrate_event *e);

/* Set once, before any thread narrates; the observer runs in the
 * narrating thread and must not narrate. */
void narrate_observe(narrate_observer_fn *fn);

#endif
