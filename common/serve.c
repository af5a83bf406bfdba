/* serve.c - the options, signals, limits, the accept loop and the stop
 * of a threaded server; see serve.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "capture.h"
#include "err.h"
#include "narrate.h"
#include "net.h"
#include "optnum.h"
#include "ownports.h"
#include "serve.h"
#include "web.h"
#include "wireview.h"

/* ---- the options ---- */

static void
listen_address(struct serve_options *o, const char *text)
{
	struct hostport hp;
	char why[HP_WHYLEN];

	if (hp_set_host(&hp, text, why, sizeof why) < 0)
		die_usage("-l: %s", why);
	snprintf(o->listen_addr, sizeof o->listen_addr, "%s", hp.host);
}

static int
seconds(const char *opt, const char *text)
{
	return (int)opt_number(opt, text, 1, 86400);
}

int
serve_option(struct serve_options *o, int c, const char *arg)
{
	switch (c) {
	case 'l': listen_address(o, arg); break;
	case 'p':
		opt_number("-p", arg, 0, 65535);
		o->port = arg;
		break;
	case 'q': o->quiet = 1; break;
	case SERVE_OPT_IDLE:
		o->idle_timeout = seconds("--idle-timeout", arg);
		break;
	case SERVE_OPT_DATA:
		o->data_timeout = seconds("--data-timeout", arg);
		break;
	case SERVE_OPT_MAX_SESSIONS:
		o->max_sessions = (int)opt_number("--max-sessions", arg, 1,
		    100000);
		break;
	case SERVE_OPT_LOG: o->log = arg; break;
	case SERVE_OPT_LADDER: o->narrate_flags |= NARRATE_LADDER; break;
	case SERVE_OPT_SHOW_PASSWORDS:
		o->narrate_flags |= NARRATE_SHOW_PASSWORDS;
		break;
	case SERVE_OPT_WIRE:
		o->wire = 1;
		o->narrate_flags |= NARRATE_WIRE;
		break;
	case SERVE_OPT_PCAP: o->pcap_path = arg; break;
	case SERVE_OPT_WEB: web_option(arg); break;
	default: return 0;
	}
	return 1;
}

/* With --web and no --pcap: a capture with no file, its records only
 * kept by session for the web view's links. */
static struct pcap_file kept_only;

void
serve_options_end(struct serve_options *o)
{
	o->log_fd = narrate_log_fd(o->log, o->quiet);
	o->pcap = wireview_pcap_option(o->pcap_path);
	if (!web_wanted())
		return;
	if (o->pcap == NULL) {
		if (pcap_open(&kept_only, -1) < 0)
			die_errno(EXIT_OSERR, "--web: a session's capture");
		o->pcap = &kept_only;
	}
	capture_start(o->pcap, (o->narrate_flags & NARRATE_SHOW_PASSWORDS) != 0);
}

void
serve_narrate_start(const struct serve_options *o, int more)
{
	narrate_start(o->log_fd, NARRATE_MASK | o->narrate_flags | more);
}

int
serve_watching(const struct serve_options *o)
{
	return o->wire || o->pcap != NULL;
}

/* ---- listening ---- */

int
serve_listen(const struct serve_options *o, struct hostport *here)
{
	struct net_error e;
	int lfd = net_listen(o->listen_addr, o->port, AF_UNSPEC, SOMAXCONN,
	    &e);

	static struct ownport control;

	if (lfd < 0)
		die(e.exit_code, "%s", e.msg);
	net_local(lfd, here);
	ownports_add(&control, here);	/* for the relay: never itself */
	web_listen(o->narrate_flags);
	return lfd;
}

void
serve_announce(const struct hostport *here)
{
	/* Scripts read the port off this line: a server nobody can find is
	 * no use, so a failed write stops it (74). */
	printf("listening on %s port %u\n", here->host, here->port);
	flush_stdout();
	web_start();
}

static int stop_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	(void)!write(stop_pipe[1], "x", 1);
	errno = saved;
}

void
serve_setup_signals(void)
{
	struct sigaction sa;

	if (pipe(stop_pipe) < 0)
		die_errno(EXIT_OSERR, "pipe");
	fcntl(stop_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(stop_pipe[1], F_SETFD, FD_CLOEXEC);
	fcntl(stop_pipe[1], F_SETFL, O_NONBLOCK);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a vanished peer is an EPIPE */
}

int
serve_stop_fd(void)
{
	return stop_pipe[0];
}

void
serve_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

void
serve_accept_loop(int lfd, serve_start_fn *start)
{
	struct pollfd pfd[2] = { { .fd = lfd, .events = POLLIN },
	    { .fd = stop_pipe[0], .events = POLLIN } };
	unsigned id = 0;

	for (;;) {
		struct hostport peer;
		struct net_error e;
		int fd;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			die_errno(EXIT_OSERR, "poll");
		if (pfd[1].revents != 0)
			return;
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = net_accept(lfd, 0, &peer, &e);
		if (fd < 0) {	/* EMFILE and friends: pause, go on */
			narrate_printf(0, "%s", e.msg);
			poll(NULL, 0, 100);
			continue;
		}
		start(fd, &peer, ++id);
	}
}

int
serve_thread(void *(*fn)(void *), void *arg, size_t stack)
{
	pthread_attr_t attr;
	sigset_t stop, was;
	pthread_t t;
	int r;

	/* the new thread inherits this mask: the stop signals reach only
	 * the accepting thread, whose handler writes the stop pipe */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, &was);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, stack);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	return r == 0 ? 0 : -1;
}

void
serve_refuse(int fd, unsigned id, const struct hostport *peer,
    const char *why)
{
	char text[256];
	int n = snprintf(text, sizeof text, "421 %.240s\r\n", why);

	narrate_refuse(id, peer, why);
	(void)!write(fd, text, (size_t)n);
	close(fd);
}

/* ---- the session limit ---- */

static atomic_int nsessions;

int
serve_admit(int max, int fd, const struct hostport *peer, unsigned id)
{
	char why[128];

	if (atomic_fetch_add(&nsessions, 1) < max)
		return 0;
	atomic_fetch_sub(&nsessions, 1);
	snprintf(why, sizeof why, "Too many sessions (the limit is %d); try "
	    "again later.", max);
	serve_refuse(fd, id, peer, why);
	return -1;
}

void
serve_leave(void)
{
	atomic_fetch_sub(&nsessions, 1);
}

int
serve_sessions(void)
{
	return atomic_load(&nsessions);
}

void
serve_drain(const struct serve_options *o, int lfd, void (*wake)(void))
{
	int i;

	close(lfd);
	narrate_printf(0, "stopping: closing %d session(s)", serve_sessions());
	for (i = 0; i < 500 && serve_sessions() > 0; i++) {
		if (wake != NULL && i % 50 == 0)
			wake();	/* again later: one that was starting */
		poll(NULL, 0, 10);
	}
	narrate_summary();	/* --ladder: every connection, its ports */
	narrate_printf(0, "stopped");
	wireview_pcap_end(o->pcap);
}
