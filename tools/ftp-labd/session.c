/* session.c - one control connection, from the 220 greeting to the close.
 *
 * The loop reads a line, narrates it, parses it, checks it may run now
 * (logged in, argument present, server writable) and calls its handler,
 * which sends the reply.  Handlers for files, listings, the data channel
 * and transfers live in their own files; the small ones are here.
 */
#include <errno.h>
#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "labd.h"
#include "narrate.h"
#include "optnum.h"
#include "net.h"

#define REPLY_MAX 2048
#define LINE_PIECES_MS 250	/* for the rest of a line split in pieces */

enum {
	F_ANY = 1,		/* allowed before login */
	F_ARG = 2,		/* needs an argument: 501 without */
	F_WRITE = 4,		/* changes files: 550 under --read-only */
	F_UNIMPL = 8		/* recognised, not implemented: 502 */
};

struct verb {
	const char *name;
	void (*run)(struct session *s, const char *arg);
	int flags;
};

/* ---- replies ---- */

/* Sends text (one or more CRLF lines), 0xFF doubled, and narrates it.
 * Text of any length goes out in pieces of REPLY_MAX bytes, each of which
 * fits the wire buffer even if every byte is 0xFF: a reply is never
 * dropped for being long. */
void
reply_raw(struct session *s, const char *text, size_t len)
{
	char wire[2 * REPLY_MAX];
	const char *p = text, *end = text + len;
	int failed = 0;

	while (p < end && !failed) {
		size_t piece = (size_t)(end - p) < REPLY_MAX ?
		    (size_t)(end - p) : REPLY_MAX;
		size_t n = telnet_escape(p, piece, wire, sizeof wire);
		failed = net_write_all(s->ctrl, wire, n,
		    cfg.idle_timeout * 1000) < 0;
		p += piece;
	}
	if (failed)
		s->quit = 1;
	p = text;
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		size_t l = lf ? (size_t)(lf - p) + 1 : (size_t)(end - p);
		narrate_line(s->id, "<", p, l);
		p += l;
	}
}

void
reply(struct session *s, int code, const char *fmt, ...)
{
	char text[REPLY_MAX];
	va_list ap;
	int n = snprintf(text, sizeof text, "%03d ", code);

	s->errors += code >= 400;	/* for the summary line */
	va_start(ap, fmt);
	n += vsnprintf(text + n, sizeof text - (size_t)n - 2, fmt, ap);
	va_end(ap);
	if ((size_t)n > sizeof text - 3)
		n = (int)sizeof text - 3;
	/* a file name holding CR or LF must not end the line early */
	for (int i = 4; i < n; i++)
		if (text[i] == '\r' || text[i] == '\n')
			text[i] = '?';
	text[n++] = '\r';
	text[n++] = '\n';
	reply_raw(s, text, (size_t)n);
}

/* ---- the control channel during a transfer ---- */

/* Does the unread input start with word (any case)? */
static int
pending_starts(const struct linebuf *lb, const char *word)
{
	size_t n = strlen(word);

	return lb_pending(lb) >= n &&
	    strncasecmp(lb->buf + lb->start, word, n) == 0;
}

/* A command can come in pieces (Telnet IP, then DM as urgent data, then
 * ABOR): wait up to ms for the end of the line.  -1 when the client has
 * gone. */
static int
wait_for_line(struct session *s, int ms)
{
	long long deadline = net_now_ms() + ms;
	int left;

	while (memchr(s->lb.buf + s->lb.start, '\n', lb_pending(&s->lb)) ==
	    NULL && lb_pending(&s->lb) < LABD_LINE_CAP &&
	    (left = net_ms_left(deadline)) > 0) {
		if (net_wait(s->ctrl, POLLIN, left) != 1)
			break;
		if (lb_fill(&s->lb) <= 0)
			return -1;
	}
	return 0;
}

/* Called when the control connection is readable while a transfer or a
 * wait for the data connection runs.  RFC 959 4.1.3 lets two commands in
 * then: ABOR, usually after Telnet IP and DM, and STAT without argument,
 * which asks how the transfer is going.  Any other line is left buffered
 * for after the transfer. */
enum ctl_event
control_check(struct session *s)
{
	enum ctl_event ev;
	const char *line;
	size_t len;
	int partial;
	ssize_t n;

	if (server_stopping())
		return CTL_GONE;
	n = lb_fill(&s->lb);
	if (n == 0 || (n < 0 && errno != EAGAIN))
		return CTL_GONE;
	if (wait_for_line(s, LINE_PIECES_MS) < 0)
		return CTL_GONE;
	if (pending_starts(&s->lb, "ABOR"))
		ev = CTL_ABORT;
	else if (pending_starts(&s->lb, "STAT\r\n") ||
	    pending_starts(&s->lb, "STAT\n"))
		ev = CTL_STAT;
	else
		return CTL_NOTHING;
	if (lb_next(&s->lb, &line, &len, &partial))
		narrate_line(s->id, ">", line, len);
	return ev;
}

/* Has the client closed or reset the control connection, or does it
 * within wait_ms?  Bytes waiting (a command sent early) mean the client
 * is still there.  Used when an upload's data connection ends: see
 * transfer.c. */
int
control_hung_up(struct session *s, int wait_ms)
{
	char byte;
	ssize_t n;

	if (s->lb.eof)
		return 1;
	if (net_wait(s->ctrl, POLLIN, wait_ms) != 1)
		return 0;
	do
		n = recv(s->ctrl, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* ---- login ---- */

static void
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

/* Logged in as u: its home, its name on every narration line after this
 * one (guests stay "[ID]"), its own log. */
static int
log_in(struct session *s, const struct user *u)
{
	if (enter_home(s, u) < 0) {
		int e = errno;
		narrate(s->id, "login: %s: home %s cannot be opened (%s)",
		    u->name, u->home, strerror(e));
		reply(s, 530, "Login refused: your home folder cannot be "
		    "opened (%s); tell the teacher.", strerror(e));
		return -1;
	}
	s->logged_in = 1;
	s->account = u;
	if (!s->anonymous)
		narrate_as_user(u->name, u->log_fd);
	else if (u->log_fd >= 0)
		narrate_as_user(NULL, u->log_fd);
	return 0;
}

static void
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
		if (log_in(s, &cfg.guest) < 0)
			return;
		narrate(s->id, "login: anonymous%s%s", cfg.guest.home[0] ?
		    ", home " : "", cfg.guest.home);
		reply(s, 230, "Guest login ok, access restrictions apply.");
		return;
	}
	if ((u = users_check(s->user, arg)) != NULL) {
		if (log_in(s, u) < 0)
			return;
		narrate(s->id, "login: user %s%s%s", s->user, u->home[0] ?
		    ", home " : "", u->home);
		reply(s, 230, "User %s logged in.", s->user);
		return;
	}
	s->fails++;
	narrate(s->id, "login: wrong password for %s (%d of %d)", s->user,
	    s->fails, cfg.max_fails);
	pause_ms(cfg.fail_delay_ms);	/* slows down guessing */
	if (s->fails >= cfg.max_fails) {
		reply(s, 421, "Too many failed logins; closing control "
		    "connection.");
		s->quit = 1;
		return;
	}
	reply(s, 530, "Login incorrect.");
}

/* ---- small commands ---- */

static void
cmd_quit(struct session *s, const char *arg)
{
	(void)arg;
	reply(s, 221, "Goodbye.");
	s->quit = 1;
}

static void
cmd_noop(struct session *s, const char *arg)
{
	(void)arg;
	reply(s, 200, "NOOP ok.");
}

static void
cmd_syst(struct session *s, const char *arg)
{
	(void)arg;
	reply(s, 215, "UNIX Type: L8");
}

static void
cmd_type(struct session *s, const char *arg)
{
	if (strcasecmp(arg, "A") == 0 || strcasecmp(arg, "A N") == 0) {
		s->type_ascii = 1;
		reply(s, 200, "Type set to A.");
	} else if (strcasecmp(arg, "I") == 0 || strcasecmp(arg, "L 8") == 0) {
		s->type_ascii = 0;
		reply(s, 200, "Type set to I.");
	} else if (strchr("AaEeIiLl", arg[0]) != NULL) {
		reply(s, 504, "Type %s not implemented; use A or I.", arg);
	} else {
		reply(s, 501, "Unknown type '%s'.", arg);
	}
}

static void
cmd_mode(struct session *s, const char *arg)
{
	if (strcasecmp(arg, "S") == 0)
		reply(s, 200, "Mode set to S.");
	else if (strchr("BbCc", arg[0]) != NULL && arg[1] == '\0')
		reply(s, 504, "Only stream mode (S) is implemented.");
	else
		reply(s, 501, "Unknown mode '%s'.", arg);
}

static void
cmd_stru(struct session *s, const char *arg)
{
	if (strcasecmp(arg, "F") == 0)
		reply(s, 200, "Structure set to F.");
	else if (strchr("RrPp", arg[0]) != NULL && arg[1] == '\0')
		reply(s, 504, "Only file structure (F) is implemented.");
	else
		reply(s, 501, "Unknown structure '%s'.", arg);
}

static void
cmd_rest(struct session *s, const char *arg)
{
	unsigned long long off;

	/* an offset must fit off_t for the lseek that uses it */
	if (parse_number(arg, 0, INT64_MAX, &off) < 0) {
		reply(s, 501, "REST needs a byte offset, a decimal number "
		    "from 0 to %lld.", (long long)INT64_MAX);
		return;
	}
	s->rest = off;
	reply(s, 350, "Restarting at %llu. Send STOR or RETR to start the "
	    "transfer.", off);
}

static void
cmd_allo(struct session *s, const char *arg)
{
	(void)arg;
	reply(s, 202, "ALLO not needed; ignored.");
}

static void
cmd_abor(struct session *s, const char *arg)
{
	(void)arg;
	data_reset(s);
	reply(s, 225, "No transfer to abort.");
}

static void
cmd_auth(struct session *s, const char *arg)
{
	reply(s, 504, "AUTH: security mechanism '%s' not supported.", arg);
}

static void
cmd_opts(struct session *s, const char *arg)
{
	if (strcasecmp(arg, "UTF8 ON") == 0 || strcasecmp(arg, "UTF8") == 0)
		reply(s, 200, "OK, UTF-8 enabled.");
	else if (strncasecmp(arg, "MLST ", 5) == 0 ||
	    strcasecmp(arg, "MLST") == 0)
		reply(s, 200, "MLST OPTS type;size;modify;perm;unique;");
	else
		reply(s, 501, "Option '%s' not understood.", arg);
}

static void
cmd_feat(struct session *s, const char *arg)
{
	static const char feat[] =
	    "211-Features:\r\n"
	    " EPRT\r\n"
	    " EPSV\r\n"
	    " MDTM\r\n"
	    " MFMT\r\n"
	    " MLST type*;size*;modify*;perm*;unique*;\r\n"
	    " PASV\r\n"
	    " REST STREAM\r\n"
	    " SIZE\r\n"
	    " TVFS\r\n"
	    " UTF8\r\n"
	    "211 End\r\n";

	(void)arg;
	reply_raw(s, feat, sizeof feat - 1);
}

static void cmd_help(struct session *s, const char *arg);
static void cmd_stat(struct session *s, const char *arg);

static void
cmd_unimpl(struct session *s, const char *arg)
{
	(void)arg;
	reply(s, 502, "Command not implemented.");
}

/* Every verb, in the order HELP shows them. */
static const struct verb verbs[] = {
	{ "ABOR", cmd_abor, 0 },
	{ "ACCT", cmd_unimpl, F_UNIMPL },
	{ "ALLO", cmd_allo, 0 },
	{ "APPE", cmd_appe, F_ARG | F_WRITE },
	{ "AUTH", cmd_auth, F_ANY | F_ARG },
	{ "CDUP", cmd_cdup, 0 },
	{ "CWD", cmd_cwd, F_ARG },
	{ "DELE", cmd_dele, F_ARG | F_WRITE },
	{ "EPRT", cmd_eprt, F_ARG },
	{ "EPSV", cmd_epsv, 0 },
	{ "FEAT", cmd_feat, F_ANY },
	{ "HELP", cmd_help, F_ANY },
	{ "LIST", cmd_list, 0 },
	{ "MDTM", cmd_mdtm, F_ARG },
	{ "MFMT", cmd_mfmt, F_ARG | F_WRITE },
	{ "MKD", cmd_mkd, F_ARG | F_WRITE },
	{ "MLSD", cmd_mlsd, 0 },
	{ "MLST", cmd_mlst, 0 },
	{ "MODE", cmd_mode, F_ARG },
	{ "NLST", cmd_nlst, 0 },
	{ "NOOP", cmd_noop, F_ANY },
	{ "OPTS", cmd_opts, F_ANY | F_ARG },
	{ "PASS", cmd_pass, F_ANY },
	{ "PASV", cmd_pasv, 0 },
	{ "PORT", cmd_port, F_ARG },
	{ "PWD", cmd_pwd, 0 },
	{ "QUIT", cmd_quit, F_ANY },
	{ "REIN", cmd_unimpl, F_UNIMPL },
	{ "REST", cmd_rest, F_ARG },
	{ "RETR", cmd_retr, F_ARG },
	{ "RMD", cmd_rmd, F_ARG | F_WRITE },
	{ "RNFR", cmd_rnfr, F_ARG | F_WRITE },
	{ "RNTO", cmd_rnto, F_ARG | F_WRITE },
	{ "SITE", cmd_unimpl, F_UNIMPL },
	{ "SIZE", cmd_size, F_ARG },
	{ "SMNT", cmd_unimpl, F_UNIMPL },
	{ "STAT", cmd_stat, 0 },
	{ "STOR", cmd_stor, F_ARG | F_WRITE },
	{ "STOU", cmd_stou, F_WRITE },
	{ "STRU", cmd_stru, F_ARG },
	{ "SYST", cmd_syst, F_ANY },
	{ "TYPE", cmd_type, F_ARG },
	{ "USER", cmd_user, F_ANY | F_ARG },
	{ "XCUP", cmd_cdup, 0 },
	{ "XCWD", cmd_cwd, F_ARG },
	{ "XMKD", cmd_mkd, F_ARG | F_WRITE },
	{ "XPWD", cmd_pwd, 0 },
	{ "XRMD", cmd_rmd, F_ARG | F_WRITE },
};

static const struct verb *
find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

/* The seed's server lists its verbs eight to a line, '*' = unimplemented. */
static void
cmd_help(struct session *s, const char *arg)
{
	char text[REPLY_MAX];
	size_t i, n = 0, count = sizeof verbs / sizeof verbs[0];

	if (arg[0] != '\0') {
		char verb[5];
		for (i = 0; i < 4 && arg[i] != '\0'; i++)
			verb[i] = (char)toupper((unsigned char)arg[i]);
		verb[i] = '\0';
		if (arg[i] != '\0' || find_verb(verb) == NULL)
			reply(s, 502, "Unknown command '%s'.", arg);
		else
			reply(s, 214, "%s is %s.", verb,
			    (find_verb(verb)->flags & F_UNIMPL) ?
			    "not implemented" : "supported");
		return;
	}
	n += (size_t)snprintf(text + n, sizeof text - n, "214-The following "
	    "commands are recognized (* =>'s unimplemented).");
	for (i = 0; i < count; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s %-4s%s",
		    i % 8 == 0 ? "\r\n" : "   ", verbs[i].name,
		    (verbs[i].flags & F_UNIMPL) ? "*" : " ");
	n += (size_t)snprintf(text + n, sizeof text - n,
	    "\r\n214 Help OK.\r\n");
	reply_raw(s, text, n);
}

static void
cmd_stat(struct session *s, const char *arg)
{
	char text[REPLY_MAX];
	int n;

	if (arg[0] != '\0') {
		cmd_stat_path(s, arg);
		return;
	}
	n = snprintf(text, sizeof text,
	    "211-ftp-labd status:\r\n"
	    " Connected from %s port %u\r\n"
	    " Logged in as %s\r\n"
	    " TYPE: %s; STRUcture: File; transfer MODE: Stream\r\n"
	    " Data connection: %s\r\n"
	    "211 End of status\r\n",
	    s->peer.host, s->peer.port,
	    s->logged_in ? s->user : "(nobody yet)",
	    s->type_ascii ? "ASCII" : "BINARY",
	    s->pasv_fd >= 0 ? "passive, listening" :
	    s->port_set ? "active, PORT given" : "none");
	reply_raw(s, text, (size_t)n);
}

/* ---- the loop ---- */

/* Does the account have the permission the verb needs (users.c)?  When
 * not, the 550 is sent and narrated. */
static int
permitted(struct session *s, const char *verb)
{
	unsigned need = perm_needed(verb);

	if (!s->logged_in || (s->account->perms & need) == need)
		return 1;
	narrate(s->id, "perm: %s may not %s (%s)", s->user, perm_word(need),
	    verb);
	reply(s, 550, "Permission denied: %s may not %s here.", s->user,
	    perm_word(need));
	return 0;
}

/* A command that changes files may not touch the shared pub/ of a home:
 * fsroot.c refuses it (EROFS) while fs_writing is on. */
static void
run_handler(struct session *s, const struct verb *v)
{
	fs_writing((v->flags & F_WRITE) != 0);
	v->run(s, s->cmd.arg);
	fs_writing(0);
}

static void
run_command(struct session *s, const char *line, size_t len)
{
	struct command *c = &s->cmd;
	const struct verb *v;
	enum cmd_status st = cmd_parse(line, len, c);

	if (st == CMD_EMPTY)
		return;
	if (st == CMD_CTRL_BYTE) {
		reply(s, 501, "NUL or CR byte in the command line.");
		return;
	}
	v = st == CMD_OK ? find_verb(c->verb) : NULL;
	if (v == NULL) {
		reply(s, 500, "Unknown command.");
		return;
	}
	if (strcmp(v->name, "RNTO") != 0 && strcmp(v->name, "RNFR") != 0)
		s->rnfr_set = 0;	/* RNTO must follow RNFR at once */
	if (!s->logged_in && !(v->flags & F_ANY))
		reply(s, 530, "Please login with USER and PASS.");
	else if ((v->flags & F_ARG) && !c->has_arg)
		reply(s, 501, "%s needs an argument.", v->name);
	else if ((v->flags & F_WRITE) && cfg.read_only)
		reply(s, 550, "Permission denied: the server is read-only.");
	else if (permitted(s, v->name))
		run_handler(s, v);
}

static void
greet(struct session *s)
{
	/* a client that reads no reply for the idle timeout is as gone as
	 * one that sends nothing: no write may hold the session for ever */
	net_set_send_timeout(s->ctrl, cfg.idle_timeout * 1000);
	narrate(s->id, "connect from %s port %u to %s port %u", s->peer.host,
	    s->peer.port, s->local.host, s->local.port);
	reply(s, 220, "ftp-labd " RAWFTP_VERSION " ready.");
}

/* Reads one line; 0 on a line, -1 when the session must end. */
static int
next_line(struct session *s, const char **line, size_t *len)
{
	long long idle_deadline = net_now_ms() + cfg.idle_timeout * 1000LL;
	int partial, overlong = 0;

	for (;;) {
		/* the wait also ends when an unused passive port expires */
		enum lb_status st = lb_getline(&s->lb, data_idle_ms(s,
		    net_ms_left(idle_deadline)), line, len, &partial);
		if (s->tn.reply_len > 0) {	/* refuse Telnet options */
			(void)net_write_all(s->ctrl, s->tn.reply,
			    s->tn.reply_len, cfg.idle_timeout * 1000);
			s->tn.reply_len = 0;
		}
		if (server_stopping()) {
			reply(s, 421, "Server shutting down; closing control "
			    "connection.");
			return -1;
		}
		if (st == LB_TIMEOUT && net_ms_left(idle_deadline) > 0) {
			data_expire(s);
			continue;
		}
		if (st == LB_TIMEOUT) {
			reply(s, 421, "Timeout (%d seconds): closing control "
			    "connection.", cfg.idle_timeout);
			return -1;
		}
		if (st != LB_LINE)
			return -1;
		idle_deadline = net_now_ms() + cfg.idle_timeout * 1000LL;
		if (partial) {
			overlong = 1;
			continue;
		}
		if (!overlong)
			return 0;
		overlong = 0;
		narrate(s->id, "> (a command line over %d bytes)",
		    LABD_LINE_CAP);
		reply(s, 500, "Command line too long (the limit is %d bytes).",
		    LABD_LINE_CAP);
	}
}

/* One line a teacher can add up: who, from where, how long, what moved. */
static void
summarize(struct session *s)
{
	long long ms = net_now_ms() - s->start_ms;

	narrate(s->id, "summary: user=%s address=%s seconds=%lld.%03lld "
	    "commands=%u up=%llu down=%llu stored=%u errors=%u",
	    s->logged_in ? s->user : "-", s->peer.host, ms / 1000, ms % 1000,
	    s->commands, (unsigned long long)s->bytes_up,
	    (unsigned long long)s->bytes_down, s->stored, s->errors);
	narrate_as_user(NULL, -1);
}

void *
session_main(void *arg)
{
	struct session *s = arg;
	const char *line;
	size_t len;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* main handles them */
	s->start_ms = net_now_ms();
	greet(s);
	while (!s->quit && next_line(s, &line, &len) == 0) {
		narrate_line(s->id, ">", line, len);
		s->commands++;
		run_command(s, line, len);
	}
	data_reset(s);
	narrate(s->id, "closed");
	summarize(s);
	if (s->home_fd >= 0)
		close(s->home_fd);
	if (s->pub_fd >= 0)
		close(s->pub_fd);
	session_end(s);
	return NULL;
}
