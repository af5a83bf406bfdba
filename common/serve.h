/* serve.h - the front of a server that gives each connection a thread
 * (ftp-labd, ftp-tap): the options both take, signals that stop it, the
 * descriptor limit, the "listening on" line, the accept loop, the
 * session limit, session threads, the 421 refusal and the wait for the
 * sessions at the stop.  A server's main() reads:
 *
 *	while ((c = cli_next_option(...)) != -1)
 *		if (!serve_option(&cfg.serve, c, optarg))
 *			its own options;
 *	serve_options_end(&cfg.serve);
 *	serve_narrate_start(&cfg.serve, 0);
 *	serve_raise_fd_limit(); serve_setup_signals();
 *	lfd = serve_listen(&cfg.serve, &here); serve_announce(&here);
 *	serve_accept_loop(lfd, start);	start: serve_admit, serve_thread
 *	serve_drain(&cfg.serve, lfd, wake);
 *
 * SIGINT and SIGTERM write a byte into a pipe that is never read, so its
 * read end stays readable from then on: the accept loop returns, and any
 * session that keeps serve_stop_fd() in its poll set sees the stop at
 * once.  Broken pipes come back as EPIPE instead of a signal.
 */
#ifndef RAWFTP_SERVE_H
#define RAWFTP_SERVE_H

#include <getopt.h>
#include <stddef.h>

#include "hostport.h"

struct pcap_file;

/* ---- the options both servers take ----
 *
 *	-l ADDR  -p PORT  -q  --log FILE  --ladder  --show-passwords
 *	--wire  --pcap FILE  --idle-timeout SECS  --data-timeout SECS
 *	--max-sessions N  --web ADDR:PORT (common/web)
 *
 * Each usage() describes them in its own words: the defaults, and what
 * a timeout ends, differ. */
#define SERVE_OPTION_MEMBERS \
	char listen_addr[HP_HOSTLEN];	/* -l */ \
	const char *port;		/* -p */ \
	int idle_timeout;		/* seconds */ \
	int data_timeout;		/* seconds */ \
	int max_sessions; \
	int quiet;			/* -q */ \
	const char *log;		/* --log FILE, or NULL */ \
	int log_fd;			/* narration, -1 when quiet */ \
	int narrate_flags;		/* NARRATE_*: --ladder, --wire... */ \
	int wire;			/* --wire: TCP events narrated */ \
	const char *pcap_path;		/* --pcap FILE, or NULL */ \
	struct pcap_file *pcap		/* --pcap, open; or NULL */

struct serve_options {
	SERVE_OPTION_MEMBERS;
};

/* The first member of a server's struct config: the options both as its
 * own members (cfg.idle_timeout, what its files read) and as one struct
 * (cfg.serve, what it hands to the functions here).  Two structs with
 * the same members in a union share them (C11 6.5.2.3, a common initial
 * sequence): the same bytes under two names, not a copy. */
#define SERVE_OPTIONS_IN_CONFIG \
	union { \
		struct serve_options serve; \
		struct { \
			SERVE_OPTION_MEMBERS; \
		}; \
	}

enum serve_option_code {
	SERVE_OPT_IDLE = 0x1000, SERVE_OPT_DATA, SERVE_OPT_MAX_SESSIONS,
	SERVE_OPT_LOG, SERVE_OPT_LADDER, SERVE_OPT_SHOW_PASSWORDS,
	SERVE_OPT_WIRE, SERVE_OPT_PCAP, SERVE_OPT_WEB
};

/* In a server's getopt strings and longopts table (common/cli). */
#define SERVE_SHORTOPTS "l:p:q"
#define SERVE_LONGOPTS \
	{ "idle-timeout", required_argument, NULL, SERVE_OPT_IDLE }, \
	{ "data-timeout", required_argument, NULL, SERVE_OPT_DATA }, \
	{ "max-sessions", required_argument, NULL, SERVE_OPT_MAX_SESSIONS }, \
	{ "log", required_argument, NULL, SERVE_OPT_LOG }, \
	{ "ladder", no_argument, NULL, SERVE_OPT_LADDER }, \
	{ "show-passwords", no_argument, NULL, SERVE_OPT_SHOW_PASSWORDS }, \
	{ "wire", no_argument, NULL, SERVE_OPT_WIRE }, \
	{ "pcap", required_argument, NULL, SERVE_OPT_PCAP }, \
	{ "web", required_argument, NULL, SERVE_OPT_WEB }

/* c, as cli_next_option returned it with arg: 1 when it is one of the
 * options above, now in o (a bad value: one line and exit 64); 0 when
 * it is the server's own. */
int serve_option(struct serve_options *o, int c, const char *arg);

/* After the options: the narration's descriptor (-q, --log: dies 73 when
 * the file cannot be opened) and the capture file (--pcap). */
void serve_options_end(struct serve_options *o);

/* narrate_start as the options say (PASS masked unless
 * --show-passwords), with more flags (NARRATE_CLOCK) if any. */
void serve_narrate_start(const struct serve_options *o, int more);

/* --wire or --pcap: each connection's TCP view is wanted. */
int serve_watching(const struct serve_options *o);

/* Listens on -l and -p (dies with the reason when it cannot); here says
 * where, the port the kernel chose for -p 0 included.  With --web, the
 * web view's port too (before privileges are dropped). */
int serve_listen(const struct serve_options *o, struct hostport *here);

/* "listening on HOST port PORT" on stdout, at once: the line a script
 * (and every test) waits for before it connects; then, with --web, the
 * web view starts and prints its address. */
void serve_announce(const struct hostport *here);

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
 * table of every connection (narrate_summary), "stopped", and the
 * capture file completed (--pcap). */
void serve_drain(const struct serve_options *o, int lfd,
    void (*wake)(void));

#endif
