/* web.h - the web view (--web ADDR:PORT): a small read-only HTTP/1.1
 * server in its own thread, showing the sessions live in a browser.
 *
 *	narrate --> common/events (each session's ring, its row)
 *	                 |  (wake)
 *	                 v
 *	web thread: one poll loop over its listener and every viewer
 *	    GET /                  the class, one row per session
 *	    GET /session?id=N      one session, a sequence diagram
 *	    GET /projector         the newest session (or ?a=N&b=M), large
 *	    GET /app.js /style.css the pages' script and style
 *	    GET /events/class      Server-Sent Events: rows as they change
 *	    GET /events/session?id=N  Server-Sent Events: that session's
 *	                           events; Last-Event-ID resumes
 *	    GET /narration.txt?id=N   the session's narration, as kept
 *	    GET /capture.pcap?id=N    its packets, as kept (common/capture)
 *	    GET /signin            a student signs in (401 until they have)
 *
 * The pages are files of common/web/, built into the program by the
 * Makefile; the server never opens a file.  It listens on loopback
 * unless told otherwise; on any other address every request needs the
 * token printed at the start (?token=, then a cookie), else 403; on a
 * server with accounts, a student may sign in instead (web_accounts).  Each
 * viewer has a bounded output queue; one that falls behind a session's
 * ring is resynchronised from the oldest event kept, and the narration
 * says so.  Requests are read by common/http, with a timeout.
 */
#ifndef RAWFTP_WEB_H
#define RAWFTP_WEB_H

#include <stddef.h>

#define WEB_VIEWERS 64		/* connections at once; more: 503 */
#define WEB_QUEUE (256 * 1024)	/* a viewer's output queue, bytes */
#define WEB_SOCKET_BUF (64 * 1024)	/* and its socket's send buffer */
#define WEB_REQUEST_MS 10000	/* to send a whole request head */
#define WEB_STALL_MS 30000	/* a viewer that takes nothing for so long */
#define WEB_PING_MS 15000	/* a comment to an idle event stream */
#define WEB_BATCH_MS 20		/* events wait at most so long, batched */

/* The option --web ADDR:PORT ("127.0.0.1:8080", "[::1]:0"): checked and
 * kept; dies 64 when it is not an address and a port. */
void web_option(const char *arg);

/* 1 when --web was given. */
int web_wanted(void);

/* With --web: the socket bound (before a server leaves root); dies 64
 * with --ladder (narrate_flags has NARRATE_LADDER: its events are drawn,
 * not narrated), 69 when the address cannot be bound.  Else nothing. */
void web_listen(int narrate_flags);

/* With --web: the events observed, the thread started, and on stdout
 * "web view: http://HOST:PORT/" (with ?token=... off loopback).  Call
 * after web_listen, before the sessions start.  Else nothing. */
void web_start(void);

/* A server with accounts (ftp-labd) lets a student sign in to the web
 * view with their FTP name and password (HTTP Basic, GET /signin): they
 * then see only the sessions that logged in to their account.  ok(name,
 * password) is 1 for an account that may sign in (never anonymous); a
 * wrong password is answered after fail_delay_ms, as FTP's 530 is.  Call
 * before web_start; without it, nobody signs in. */
typedef int web_account_fn(const char *name, const char *password);
void web_accounts(web_account_fn *ok, int fail_delay_ms);

/* The files of common/web/, made into C by the Makefile (webfiles.c). */
struct web_file {
	const char *name;		/* "app.js" */
	const unsigned char *bytes;
	size_t len;
};
extern const struct web_file web_files[];	/* ends with name NULL */

#endif
