/* login.c - USER and PASS: anonymous, or an account of --users.
 *
 * A wrong password is answered only after --fail-delay, and after
 * --max-fails of them the connection is closed, so guessing is slow.
 * Logging in enters the account's home, if it has one: from then on the
 * session's paths start there (fsroot.c), and its narration lines carry
 * the user's name and go to the user's own log too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "labd.h"
#include "narrate.h"

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

/* The account's root: its home below ROOT, with ROOT/pub as /pub in it,
 * opened through the confinement like any path.  -1 when the home cannot
 * be opened. */
static int
enter_home(struct session *s, const struct user *u)
{
	s->home_fd = s->pub_fd = -1;
	if (u->home[0] != '\0') {
		s->home_fd = fs_open(u->home, O_RDONLY | O_DIRECTORY, 0);
		if (s->home_fd < 0)
			return -1;
		s->pub_fd = fs_open(SHARED_DIR, O_RDONLY | O_DIRECTORY, 0);
	}
	fs_set_home(s->home_fd, s->pub_fd);
	return 0;
}

/* Logged in as u: its home, its name on every narration line from the
 * login line on (guests stay "[ID]"), its own log.  -1 after a 530 when
 * the account has --max-per-user sessions already, or its home cannot be
 * opened. */
static int
log_in(struct session *s, const struct user *u)
{
	if (account_enter(u) < 0) {
		narrate_printf(s->id, "login: %s refused: %d sessions already "
		    "(--max-per-user)", u->name, cfg.max_per_user);
		reply(s, 530, "Login refused: %s has %d sessions already (the "
		    "limit); close one first.", u->name, cfg.max_per_user);
		return -1;
	}
	if (enter_home(s, u) < 0) {
		int e = errno;
		account_leave(u);
		narrate_printf(s->id, "login: %s: home %s cannot be opened (%s)",
		    u->name, u->home, strerror(e));
		reply(s, 530, "Login refused: your home folder cannot be "
		    "opened (%s); tell the teacher.", strerror(e));
		return -1;
	}
	s->logged_in = 1;
	s->account = u;
	narrate_as_user(s->anonymous ? NULL : u->name, u->log_fd);
	narrate_printf(s->id, "login: %s%s%s%s", s->anonymous ? "anonymous" :
	    "user ", s->anonymous ? "" : u->name, u->home[0] ? ", home " : "",
	    u->home);
	return 0;
}

/* The end of a session: the home closed, the narration as before. */
void
log_out(struct session *s)
{
	if (s->logged_in)
		account_leave(s->account);
	if (s->home_fd >= 0)
		close(s->home_fd);
	if (s->pub_fd >= 0)
		close(s->pub_fd);
	s->home_fd = s->pub_fd = -1;
	fs_set_home(-1, -1);
	narrate_as_user(NULL, -1);
}

/* Narrated in the class log, and in the account's own log when the name
 * is an account's: the teacher following one student sees the attempts
 * on that student's account too (the line stays "[ID]": nobody is in). */
static void
wrong_password(const struct session *s)
{
	const struct user *u = users_find(s->user);

	narrate_as_user(NULL, u != NULL ? u->log_fd : -1);
	narrate_printf(s->id, "login: wrong password for %s (%d of %d)",
	    s->user, s->fails, cfg.max_fails);
	narrate_as_user(NULL, -1);
}

void
cmd_pass(struct session *s, const char *arg)
{
	const struct user *u;

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
		if (log_in(s, &cfg.guest) == 0)
			reply(s, 230, "Guest login ok, access restrictions "
			    "apply.");
		return;
	}
	if ((u = users_check(s->user, arg)) != NULL) {
		if (log_in(s, u) == 0)
			reply(s, 230, "User %s logged in.", s->user);
		return;
	}
	s->fails++;
	wrong_password(s);
	pause_ms(cfg.fail_delay_ms);	/* slows down guessing */
	if (s->fails >= cfg.max_fails) {
		reply(s, 421, "Too many failed logins; closing control "
		    "connection.");
		s->quit = 1;
		return;
	}
	reply(s, 530, "Login incorrect.");
}
