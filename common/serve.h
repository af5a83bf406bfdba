/* serve.h - the front of a server that gives each connection a thread:
 * signals that stop it, the descriptor limit, and the accept loop.
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

/* Called with the message when accept fails (out of descriptors...);
 * the loop then pauses a little and goes on. */
typedef void serve_error_fn(const char *msg);

/* Accepts on lfd until a stop signal, calling start for each. */
void serve_accept_loop(int lfd, serve_start_fn *start,
    serve_error_fn *on_error);

/* Starts fn(arg) in a detached thread with a stack of stack bytes.
 * 0, or -1 (out of resources). */
int serve_thread(void *(*fn)(void *), void *arg, size_t stack);

/* "421 why" to a connection that will not be served, then close. */
void serve_refuse(int fd, const char *why);

#endif
