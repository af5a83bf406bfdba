/* session.c - one control connection, from the 220 greeting to the close.
 *
 * The loop reads a line, narrates it, parses it, checks it may run now
 * (logged in, argument present, server writable) and calls its handler,
 * which sends the reply.  Handlers for files, listings, the data channel
 * and transfers live in their own files; the small ones are here.
 */
#include <errno.h>
#include <ctype.h>
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
#include "optnum.h"
#include "net.h"

#define REPLY_MAX 2048

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

static void
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
		narrate(s->id, "login: anonymous");
		reply(s, 230, "Guest login ok, access restrictions apply.");
		return;
	}
	if (users_check(s->user, arg)) {
		s->logged_in = 1;
		narrate(s->id, "login: user %s", s->user);
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
	else
		v->run(s, c->arg);
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
	greet(s);
	while (!s->quit) {
		enum line_status st = next_line(s, data_deadline(s), &line,
		    &len);
		if (st == LINE_END)
			break;
		if (st == LINE_WAKE) {
			data_expire(s);	/* a passive port unused too long */
			continue;
		}
		narrate_command(s->id, line, len);
		run_command(s, line, len);
	}
	data_reset(s);
	narrate(s->id, "closed");
	session_end(s);
	return NULL;
}
