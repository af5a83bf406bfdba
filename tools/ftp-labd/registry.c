/* registry.c - the sessions that run, for the limit per address and for
 * stopping (common/serve keeps the count and the limit of all of them).
 *
 * main() registers each session before its thread starts; the thread's
 * last act is session_end().  One mutex guards the list; the stopping
 * flag is an atomic, read by every wait.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "labd.h"
#include "serve.h"
#include "sockq.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct session *sessions;
static atomic_int stopping;

int
server_stopping(void)
{
	return atomic_load(&stopping);
}

static int
sessions_from(const struct hostport *peer)
{
	const struct session *s;
	int n = 0;

	for (s = sessions; s != NULL; s = s->next)
		n += hp_same_host(s->peer.host, peer->host);
	return n;
}

/* Adds s (which has a place under --max-sessions: serve_admit) unless
 * --max-per-ip says no; the reason goes in why. */
int
register_session(struct session *s, char *why, size_t whylen)
{
	int ok = 0;

	pthread_mutex_lock(&reg_lock);
	if (cfg.max_per_ip > 0 &&
	    sessions_from(&s->peer) >= cfg.max_per_ip)
		snprintf(why, whylen, "Too many sessions from %s (the limit "
		    "is %d).", s->peer.host, cfg.max_per_ip);
	else
		ok = 1;
	if (ok) {
		s->next = sessions;
		if (sessions != NULL)
			sessions->prev = s;
		sessions = s;
	}
	pthread_mutex_unlock(&reg_lock);
	return ok ? 0 : -1;
}

/* The last thing a session thread does. */
void
session_end(struct session *s)
{
	pthread_mutex_lock(&reg_lock);
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		sessions = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	close(s->ctrl);
	pthread_mutex_unlock(&reg_lock);
	free(s);
	serve_leave();
}

/* Tells every session the server is stopping and wakes it: its next read
 * sees end of file, and it answers 421 because the server is stopping.
 * A running transfer watches the control connection, so it stops too. */
void
sessions_stop(void)
{
	struct session *s;

	atomic_store(&stopping, 1);
	pthread_mutex_lock(&reg_lock);
	for (s = sessions; s != NULL; s = s->next)
		(void)sockq_shut_reading(s->ctrl);
	pthread_mutex_unlock(&reg_lock);
}
