/* serve.h - the front of a server that gives each connection a thread:
 * signals that stop it, the descriptor limit, the accept loop, the
 * session limit, the 421 refusal and the wait for the sessions at the
 * stop.
 *
 * SIGINT and SIGTERM write a byte into a pipe that is never read, so its
 * read end stays readable from then on: the accept loop returns, and any
 * session that keeps serve_stop_fd() in its poll set sees the stop at
 * once.  Broken pipes come back as EPIPE instead of a signal.
 */
#ifndef RAWFTP_SERVE_H
#define RAWFTP_SERVE_H

#include <stddef.h>

#include "hostport.h"

/* Thread stacks: small, so many idle sessions fit in little memory; the
 * sanitizers need far more stack per frame. */
#if defined(__SANITIZE_ADDRESS__)
#define SERVE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SERVE_SANITIZED 1
#endif
#endif
#ifdef SERVE_SANITIZED
#define SERVE_STACK(small) ((size_t)1024 * 1024)
#else
#define SERVE_STACK(small) ((size_t)(small))
#endif

/* The stop pipe and the signal handlers; dies 71 if no pipe. */
void serve_setup_signals(void);

/* Readable once SIGINT or SIGTERM came. */
int serve_stop_fd(void);

/* The soft descriptor limit raised to the hard one. */
void serve_raise_fd_limit(void);

/* Called for each accepted connection, in the accepting thread; it owns
 * fd.  id counts connections from 1. */
typedef void serve_start_fn(int fd, const struct hostport *peer,
    unsigned id);

/* Accepts on lfd until a stop signal, calling start for each.  A failing
 * accept (out of descriptors...) is narrated, and the loop pauses a
 * little and goes on. */
void serve_accept_loop(int lfd, serve_start_fn *start);

/* Starts fn(arg) in a detached thread with a stack of stack bytes and
 * SIGINT and SIGTERM blocked (the accepting thread takes them).  0, or
 * -1 (out of resources). */
int serve_thread(void *(*fn)(void *), void *arg, size_t stack);

/* "421 why" to connection id that will not be served, then close; the
 * narration says "connect from HOST port P refused: why". */
void serve_refuse(int fd, unsigned id, const struct hostport *peer,
    const char *why);

/* The session limit (--max-sessions): a place for connection id, 0; or,
 * when max sessions run already, the 421 that says so (serve_refuse)
 * and -1.  Every place taken is given back by serve_leave(), the last
 * thing a session does. */
int serve_admit(int max, int fd, const struct hostport *peer, unsigned id);
void serve_leave(void);

/* How many sessions hold a place. */
int serve_sessions(void);

/* After the accept loop: closes lfd, narrates "stopping: closing N
 * session(s)", and waits a bounded time (5 s) for serve_sessions() to
 * reach 0,
 * calling wake() (when not NULL) at once and again every half second for
 * sessions that do not watch serve_stop_fd(); then, with --ladder, the
 * table of every connection (narrate_summary), and "stopped". */
void serve_drain(int lfd, void (*wake)(void));

#endif
