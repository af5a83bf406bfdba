/* session.c - one control connection, from the 220 greeting to the close.
 *
 * The loop reads a line (control.c), narrates it, parses it, checks it
 * may run now (logged in, argument present, server writable) and calls
 * its handler from the verb table (commands.c), which sends the reply.
 */
#include <string.h>

#include "labd.h"
#include "narrate.h"
#include "net.h"

/* ---- the loop ---- */

/* Does the account have the permission the verb needs (users.c)?  When
 * not, the 550 is sent and narrated. */
static int
permitted(struct session *s, const char *verb)
{
	unsigned need = perm_needed(verb);

	if (!s->logged_in || (s->account->perms & need) == need)
		return 1;
	narrate_printf(s->id, "perm: %s may not %s (%s)", s->user,
	    perm_word(need), verb);
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
	v = st == CMD_OK ? verb_find(c->verb) : NULL;
	if (v == NULL) {
		reply(s, 500, "Unknown command.");
		return;
	}
	s->verb = v;
	if (strcmp(v->name, "RNTO") != 0 && strcmp(v->name, "RNFR") != 0)
		s->rnfr_set = 0;	/* RNTO must follow RNFR at once */
	if (!s->logged_in && !(v->flags & F_ANY))
		reply(s, 530, "Please login with USER and PASS.");
	else if ((v->flags & F_ARG) && !c->has_arg)
		reply_syntax(s, "%s needs an argument.", v->name);
	else if ((v->flags & F_WRITE) && cfg.read_only)
		reply(s, 550, "Permission denied: the server is read-only.");
	else if (permitted(s, v->name))
		run_handler(s, v);
}

static void
greet(struct session *s)
{
	wire_ctrl_open(s);
	narrate_connect(s->id, &s->peer, &s->local);
	reply(s, 220, "ftp-labd " RAWFTP_VERSION " ready.");
}

/* One line a teacher can add up: who, from where, how long, what moved. */
static void
summarize(struct session *s)
{
	long long ms = net_now_ms() - s->start_ms;

	narrate_printf(s->id, "summary: user=%s address=%s "
	    "seconds=%lld.%03lld commands=%u up=%llu down=%llu stored=%u "
	    "errors=%u", s->logged_in ? s->user : "-", s->peer.host,
	    ms / 1000, ms % 1000, s->commands,
	    (unsigned long long)s->bytes_up,
	    (unsigned long long)s->bytes_down, s->stored, s->errors);
}

void *
session_main(void *arg)
{
	struct session *s = arg;
	const char *line;
	size_t len;

	s->start_ms = net_now_ms();
	greet(s);
	while (!s->quit) {
		enum line_status st = next_line(s, data_deadline(s), &line,
		    &len);
		if (st == LINE_END)
			break;
		if (st == LINE_WAKE) {
			data_expire(s);	/* a passive port left unused */
			continue;
		}
		narrate_command(s->id, line, len);
		s->commands++;
		run_command(s, line, len);
	}
	data_reset(s);
	wire_ctrl_end(s);
	narrate_close(s->id);
	summarize(s);
	log_out(s);
	session_end(s);
	return NULL;
}
