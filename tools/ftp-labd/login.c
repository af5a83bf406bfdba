/* login.c - USER and PASS: anonymous, or an account of --users.
 *
 * A wrong password is answered only after --fail-delay, and after
 * --max-fails of them the connection is closed, so guessing is slow.
 */
#include <stdio.h>
#include <time.h>

#include "labd.h"

void
cmd_user(struct session *s, const char *arg)
{
	if (s->logged_in) {
		reply(s, 530, "Already logged in; reconnect to change user.");
		return;
	}
	s->user_given = 1;
	s->anonymous = is_anonymous_name(arg);
	snprintf(s->user, sizeof s->user, "%s", arg);
	if (s->anonymous && !cfg.anonymous) {
		s->user_given = 0;
		reply(s, 530, "Anonymous login is disabled on this server.");
	} else if (s->anonymous) {
		reply(s, 331, "Guest login ok, send your email address as "
		    "password.");
	} else {
		reply(s, 331, "Password required for %s.", s->user);
	}
}

/* Waits ms, in slices, so a stopping server is not held up. */
static void
pause_ms(int ms)
{
	struct timespec slice = { 0, 50 * 1000000L };

	for (; ms > 0 && !server_stopping(); ms -= 50) {
		if (ms < 50)
			slice.tv_nsec = ms * 1000000L;
		nanosleep(&slice, NULL);
	}
}

void
cmd_pass(struct session *s, const char *arg)
{
	if (s->logged_in) {
		reply(s, 230, "Already logged in.");
		return;
	}
	if (!s->user_given) {
		reply(s, 503, "Login with USER first.");
		return;
	}
	s->user_given = 0;
	if (s->anonymous) {
		s->logged_in = 1;
		narrate_printf(s->id, "login: anonymous");
		reply(s, 230, "Guest login ok, access restrictions apply.");
		return;
	}
	if (users_check(s->user, arg)) {
		s->logged_in = 1;
		narrate_printf(s->id, "login: user %s", s->user);
		reply(s, 230, "User %s logged in.", s->user);
		return;
	}
	s->fails++;
	narrate_printf(s->id, "login: wrong password for %s (%d of %d)",
	    s->user, s->fails, cfg.max_fails);
	pause_ms(cfg.fail_delay_ms);	/* slows down guessing */
	if (s->fails >= cfg.max_fails) {
		reply(s, 421, "Too many failed logins; closing control "
		    "connection.");
		s->quit = 1;
		return;
	}
	reply(s, 530, "Login incorrect.");
}
