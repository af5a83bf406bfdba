/* commands.c - the verb table, and the small commands that need no file
 * of their own: QUIT NOOP SYST TYPE MODE STRU REST ALLO ABOR AUTH OPTS
 * FEAT HELP STAT.
 *
 * The table says, for every verb, which handler runs it and what the
 * session loop checks first (session.c: logged in, argument present,
 * server writable).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "labd.h"
#include "optnum.h"

#define REPLY_MAX 2048

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
		reply_syntax(s, "Unknown type '%s'.", arg);
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
		reply_syntax(s, "Unknown mode '%s'.", arg);
}

static void
cmd_stru(struct session *s, const char *arg)
{
	if (strcasecmp(arg, "F") == 0)
		reply(s, 200, "Structure set to F.");
	else if (strchr("RrPp", arg[0]) != NULL && arg[1] == '\0')
		reply(s, 504, "Only file structure (F) is implemented.");
	else
		reply_syntax(s, "Unknown structure '%s'.", arg);
}

static void
cmd_rest(struct session *s, const char *arg)
{
	unsigned long long off;

	/* an offset must fit off_t for the lseek that uses it */
	if (parse_number(arg, 0, INT64_MAX, &off) < 0) {
		reply_syntax(s, "REST needs a byte offset, a decimal number "
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

/* Every verb, in the order HELP shows them, with the syntax of its
 * argument ("": none) that HELP VERB and a 501 quote. */
static const struct verb verbs[] = {
	{ "ABOR", cmd_abor, 0,
	    "" },
	{ "ACCT", cmd_unimpl, F_UNIMPL,
	    "account-information" },
	{ "ALLO", cmd_allo, 0,
	    "size (accepted and ignored: no space is reserved)" },
	{ "APPE", cmd_appe, F_ARG | F_WRITE,
	    "path (the data is added to the end of the file)" },
	{ "AUTH", cmd_auth, F_ANY | F_ARG,
	    "mechanism (none is supported here)" },
	{ "CDUP", cmd_cdup, 0,
	    "" },
	{ "CWD", cmd_cwd, F_ARG,
	    "path" },
	{ "DELE", cmd_dele, F_ARG | F_WRITE,
	    "path" },
	{ "EPRT", cmd_eprt, F_ARG,
	    "|af|address|port| (af 1 = IPv4, 2 = IPv6; any printable "
	    "delimiter in place of |)" },
	{ "EPSV", cmd_epsv, 0,
	    "[1 | 2 | ALL] (the network protocol; ALL: only EPSV from then "
	    "on)" },
	{ "FEAT", cmd_feat, F_ANY,
	    "" },
	{ "HELP", cmd_help, F_ANY,
	    "[verb]" },
	{ "LIST", cmd_list, 0,
	    "[path]" },
	{ "MDTM", cmd_mdtm, F_ARG,
	    "path" },
	{ "MFMT", cmd_mfmt, F_ARG | F_WRITE,
	    "YYYYMMDDHHMMSS path (the new modification time, UTC)" },
	{ "MKD", cmd_mkd, F_ARG | F_WRITE,
	    "path" },
	{ "MLSD", cmd_mlsd, 0,
	    "[path]" },
	{ "MLST", cmd_mlst, 0,
	    "[path]" },
	{ "MODE", cmd_mode, F_ARG,
	    "S (stream; B and C are not implemented)" },
	{ "NLST", cmd_nlst, 0,
	    "[path]" },
	{ "NOOP", cmd_noop, F_ANY,
	    "" },
	{ "OPTS", cmd_opts, F_ANY | F_ARG,
	    "UTF8 ON | MLST facts;" },
	{ "PASS", cmd_pass, F_ANY,
	    "password" },
	{ "PASV", cmd_pasv, 0,
	    "" },
	{ "PORT", cmd_port, F_ARG,
	    "h1,h2,h3,h4,p1,p2 (address h1.h2.h3.h4, port p1*256+p2)" },
	{ "PWD", cmd_pwd, 0,
	    "" },
	{ "QUIT", cmd_quit, F_ANY,
	    "" },
	{ "REIN", cmd_unimpl, F_UNIMPL,
	    "" },
	{ "REST", cmd_rest, F_ARG,
	    "byte-offset (a decimal number; the next RETR or STOR starts "
	    "there)" },
	{ "RETR", cmd_retr, F_ARG,
	    "path" },
	{ "RMD", cmd_rmd, F_ARG | F_WRITE,
	    "path" },
	{ "RNFR", cmd_rnfr, F_ARG | F_WRITE,
	    "path (the old name; RNTO follows)" },
	{ "RNTO", cmd_rnto, F_ARG | F_WRITE,
	    "path (the new name; right after RNFR)" },
	{ "SITE", cmd_unimpl, F_UNIMPL,
	    "command" },
	{ "SIZE", cmd_size, F_ARG,
	    "path" },
	{ "SMNT", cmd_unimpl, F_UNIMPL,
	    "path" },
	{ "STAT", cmd_stat, 0,
	    "[path] (without: the session's status)" },
	{ "STOR", cmd_stor, F_ARG | F_WRITE,
	    "path" },
	{ "STOU", cmd_stou, F_WRITE,
	    "[name] (a name not yet used is made from it)" },
	{ "STRU", cmd_stru, F_ARG,
	    "F (file; R and P are not implemented)" },
	{ "SYST", cmd_syst, F_ANY,
	    "" },
	{ "TYPE", cmd_type, F_ARG,
	    "A | I (ASCII text or image, the bytes as they are)" },
	{ "USER", cmd_user, F_ANY | F_ARG,
	    "name (anonymous or ftp: a guest)" },
	{ "XCUP", cmd_cdup, 0,
	    "" },
	{ "XCWD", cmd_cwd, F_ARG,
	    "path" },
	{ "XMKD", cmd_mkd, F_ARG | F_WRITE,
	    "path" },
	{ "XPWD", cmd_pwd, 0,
	    "" },
	{ "XRMD", cmd_rmd, F_ARG | F_WRITE,
	    "path" },
};

const struct verb *
verb_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

/* HELP VERB gives the verb's syntax.  HELP alone lists the verbs eight to
 * a line as the seed's server did, '*' = unimplemented. */
static void
cmd_help(struct session *s, const char *arg)
{
	char text[REPLY_MAX];
	size_t i, n = 0, count = sizeof verbs / sizeof verbs[0];
	const struct verb *v;

	if (arg[0] != '\0') {
		char verb[5];
		for (i = 0; i < 4 && arg[i] != '\0'; i++)
			verb[i] = (char)toupper((unsigned char)arg[i]);
		verb[i] = '\0';
		if (arg[i] != '\0' || (v = verb_find(verb)) == NULL)
			reply(s, 502, "Unknown command '%s'.", arg);
		else
			reply(s, 214, "Syntax: %s %s%s", v->name,
			    v->syntax[0] != '\0' ? v->syntax : "(no argument)",
			    (v->flags & F_UNIMPL) ? "; not implemented here." :
			    "");
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
