/* test_serve.c - the front both servers share: the options read into one
 * struct, the session limit with its 421, session threads that start
 * with the stop signals blocked. */
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"
#include "narrate.h"
#include "serve.h"
#include "unit.h"

TEST(serve_option_reads_the_shared_options)
{
	struct serve_options o = { .port = "2121", .idle_timeout = 300 };
	char l[] = "::1", p[] = "0", idle[] = "7", log[] = "x.log";

	CHECK(serve_option(&o, 'l', l) == 1);
	CHECK_STR(o.listen_addr, "::1");
	CHECK(serve_option(&o, 'p', p) == 1);
	CHECK_STR(o.port, "0");
	CHECK(serve_option(&o, SERVE_OPT_IDLE, idle) == 1);
	CHECK(o.idle_timeout == 7);
	CHECK(serve_option(&o, SERVE_OPT_LOG, log) == 1);
	CHECK_STR(o.log, "x.log");
	CHECK(serve_option(&o, 'q', NULL) == 1 && o.quiet);
	CHECK(!serve_watching(&o));
	CHECK(serve_option(&o, SERVE_OPT_WIRE, NULL) == 1);
	CHECK(o.wire && (o.narrate_flags & NARRATE_WIRE));
	CHECK(serve_watching(&o));
	CHECK(serve_option(&o, SERVE_OPT_LADDER, NULL) == 1);
	CHECK(o.narrate_flags & NARRATE_LADDER);
	/* a server's own option is left to it */
	CHECK(serve_option(&o, 'r', l) == 0);
	CHECK(serve_option(&o, 256, l) == 0);
}

/* The limit: a place while there is one, then a 421 on the connection
 * and -1; a place given back can be taken again. */
TEST(serve_admit_counts_and_refuses_over_the_limit)
{
	struct hostport peer = fixture_hostport("127.0.0.1", 40000);
	char got[128];
	int sv[2], base = serve_sessions();
	ssize_t n;

	narrate_start(-1, 0);
	CHECK(serve_admit(base + 1, -1, &peer, 1) == 0);
	CHECK(serve_sessions() == base + 1);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(serve_admit(base + 1, sv[0], &peer, 2) == -1);	/* closes sv[0] */
	n = read(sv[1], got, sizeof got - 1);
	got[n > 0 ? n : 0] = '\0';
	CHECK_STR(got, "421 Too many sessions (the limit is 1); try again "
	    "later.\r\n");
	CHECK(read(sv[1], got, 1) == 0);	/* and closed */
	close(sv[1]);
	CHECK(serve_sessions() == base + 1);
	serve_leave();
	CHECK(serve_sessions() == base);
}

static int thread_blocked;	/* what the thread saw */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t seen = PTHREAD_COND_INITIALIZER;

static void *
look_at_mask(void *arg)
{
	sigset_t now;

	(void)arg;
	pthread_sigmask(SIG_BLOCK, NULL, &now);
	pthread_mutex_lock(&seen_lock);
	thread_blocked = 1 + (sigismember(&now, SIGINT) == 1 &&
	    sigismember(&now, SIGTERM) == 1);
	pthread_cond_signal(&seen);
	pthread_mutex_unlock(&seen_lock);
	return NULL;
}

/* SIGINT and SIGTERM go to the accepting thread only: a session thread
 * starts with them blocked, and the caller's mask is as it was. */
TEST(serve_thread_starts_with_the_stop_signals_blocked)
{
	sigset_t before, after;
	struct timespec until;

	pthread_sigmask(SIG_BLOCK, NULL, &before);
	CHECK(!sigismember(&before, SIGINT));
	thread_blocked = 0;
	if (serve_thread(look_at_mask, NULL, SERVE_STACK(64 * 1024)) < 0) {
		CHECK(!"a thread starts");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 30;
	pthread_mutex_lock(&seen_lock);
	while (thread_blocked == 0 &&
	    pthread_cond_timedwait(&seen, &seen_lock, &until) == 0)
		;
	pthread_mutex_unlock(&seen_lock);
	CHECK(thread_blocked == 2);
	pthread_sigmask(SIG_BLOCK, NULL, &after);
	CHECK(!sigismember(&after, SIGINT) && !sigismember(&after, SIGTERM));
}
