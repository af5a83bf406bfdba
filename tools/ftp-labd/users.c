/* users.c - named accounts for --users FILE, and what each may do.
 *
 * The file has one account a line; blank lines and lines starting with
 * '#' are skipped:
 *
 *	name:password[:home[:permissions[:quota]]]
 *
 * "alice:wonderland" is a whole line, as before the optional fields came.
 * home is a folder relative to ROOT that the user sees as "/" (empty:
 * ROOT itself); permissions are letters from "rwdm" (read, write,
 * delete/rename, make folders; empty: all four); quota is the most bytes
 * the user's home may hold, with an optional K, M or G (empty or 0: no
 * limit).  So a password cannot hold ':' any more.  A line over 511 bytes
 * is an error that names it, never cut in two (its tail could become an
 * account).  Passwords are plain text: this is a lab server, and FTP sends
 * them in clear anyway (see SECURITY in ftp-labd(1)).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "labd.h"
#include "optnum.h"
#include "secret.h"

/* A user name is also a log file's name (--log-dir): printable, no
 * space, no '/', not starting with '.'. */
static int
bad_name(const char *name)
{
	const char *p;

	if (name[0] == '\0' || name[0] == '.')
		return 1;
	for (p = name; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~' || *p == '/')
			return 1;
	return 0;
}

/* "rwdm" letters to PERM_* bits; empty means all of them.  Also for
 * --anonymous-perms. */
int
parse_perms(const char *text, unsigned *perms, char *why, size_t whylen)
{
	static const char letters[] = "rwdm";
	const char *p;

	*perms = text[0] == '\0' ? PERM_ALL : 0;
	for (p = text; *p != '\0'; p++) {
		const char *at = strchr(letters, *p);
		if (at == NULL) {
			snprintf(why, whylen, "permission '%c' unknown: use "
			    "r (read), w (write), d (delete, rename), "
			    "m (make folders)", *p);
			return -1;
		}
		*perms |= 1u << (at - letters);
	}
	return 0;
}

/* "20M" -> 20971520; empty or 0 is no limit (0). */
int
parse_bytes(const char *text, uint64_t *bytes)
{
	unsigned long long n;
	char digits[24];
	size_t len = strlen(text), shift = 0;

	*bytes = 0;
	if (len == 0)
		return 0;
	switch (text[len - 1]) {
	case 'K': shift = 10; len--; break;
	case 'M': shift = 20; len--; break;
	case 'G': shift = 30; len--; break;
	}
	if (len == 0 || len >= sizeof digits)
		return -1;
	memcpy(digits, text, len);
	digits[len] = '\0';
	if (parse_number(digits, 0, UINT64_MAX >> 30, &n) < 0)
		return -1;
	*bytes = (uint64_t)n << shift;
	return 0;
}

/* A home is a path below ROOT: relative, no ".." (fsroot.c confines it
 * anyway; this is to say so at once). */
static int
bad_home(const char *home)
{
	const char *p = home;

	if (home[0] == '/')
		return 1;
	while (*p != '\0') {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p += n + (p[n] == '/');
	}
	return 0;
}

/* Splits line at ':' into at most max fields; the count. */
static size_t
split_fields(char *line, char **field, size_t max)
{
	size_t n = 0;

	field[n++] = line;
	while (n <= max && (line = strchr(line, ':')) != NULL) {
		*line++ = '\0';
		if (n < max)
			field[n] = line;
		n++;
	}
	return n;
}

static int
parse_line(char *line, struct user *u, char *why, size_t whylen)
{
	char none[1] = "";
	char *f[5] = { NULL, NULL, none, none, none };
	size_t n = split_fields(line, f, 5);

	memset(u, 0, sizeof *u);
	if (n < 2) {
		snprintf(why, whylen, "expected name:password"
		    "[:home[:permissions[:quota]]]");
		return -1;
	}
	if (n > 5) {
		snprintf(why, whylen, "more than 5 fields (a password may "
		    "not hold ':')");
		return -1;
	}
	if (strlen(f[0]) >= USER_MAX || strlen(f[1]) >= USER_MAX ||
	    strlen(f[2]) >= sizeof u->home) {
		snprintf(why, whylen, "a field is too long (name and password "
		    "%d bytes at most, home %zu)", USER_MAX - 1,
		    sizeof u->home - 1);
		return -1;
	}
	if (bad_name(f[0])) {
		snprintf(why, whylen, "name '%.40s' is empty, starts with '.' or "
		    "holds a space, '/' or a control byte", f[0]);
		return -1;
	}
	if (is_anonymous_name(f[0])) {
		snprintf(why, whylen, "'%.20s' is the anonymous login", f[0]);
		return -1;
	}
	if (bad_home(f[2])) {
		snprintf(why, whylen, "home '%.40s' must be a folder below ROOT "
		    "(relative, no '..')", f[2]);
		return -1;
	}
	if (parse_perms(f[3], &u->perms, why, whylen) < 0)
		return -1;
	if (parse_bytes(f[4], &u->quota) < 0) {
		snprintf(why, whylen, "quota '%.20s' is not a number of bytes "
		    "(digits, then K, M or G if you like)", f[4]);
		return -1;
	}
	snprintf(u->name, sizeof u->name, "%s", f[0]);
	snprintf(u->password, sizeof u->password, "%s", f[1]);
	snprintf(u->home, sizeof u->home, "%s", f[2]);
	u->log_fd = -1;
	return 0;
}

/* The longest line: a name, a colon and a password fit with room to
 * spare, and a longer line is a mistake worth naming, not two lines. */
#define USERS_LINE_MAX 511

/* A line too long, or holding a NUL (C would cut it there), is refused
 * whole before its fields are looked at. */
static int
check_line(const char *line, size_t len, char *what, size_t whatlen)
{
	if (len > USERS_LINE_MAX)
		snprintf(what, whatlen, "longer than %d bytes", USERS_LINE_MAX);
	else if (strlen(line) != len)
		snprintf(what, whatlen, "a NUL byte in the line");
	else
		return 0;
	return -1;
}

/* Reads accounts from f (named path in messages); -1 with why set. */
int
users_read(FILE *f, const char *path, struct user **users, size_t *n,
    char *why, size_t whylen)
{
	char *line = NULL, what[128];
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	int bad = 0;

	*users = NULL;
	*n = 0;
	while (!bad && (len = getline(&line, &cap, f)) >= 0) {
		struct user *grown;
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (check_line(line, (size_t)len, what, sizeof what) < 0) {
			bad = 1;
			break;
		}
		if (line[0] == '\0' || line[0] == '#')
			continue;
		grown = realloc(*users, (*n + 1) * sizeof **users);
		if (grown == NULL) {
			snprintf(what, sizeof what, "out of memory");
			bad = 1;
		} else {
			*users = grown;
			bad = parse_line(line, &grown[*n], what,
			    sizeof what) < 0;
			*n += !bad;
		}
	}
	free(line);
	if (bad)
		snprintf(why, whylen, "%s line %u: %s", path, lineno, what);
	else if (ferror(f))
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
	return bad || ferror(f) ? -1 : 0;
}

int
users_load(const char *path, struct user **users, size_t *n, char *why,
    size_t whylen)
{
	FILE *f = fopen(path, "r");
	int r;

	*users = NULL;
	*n = 0;
	if (f == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	r = users_read(f, path, users, n, why, whylen);
	fclose(f);
	return r;
}

/* USER anonymous and USER ftp, in any case, are the guest login. */
int
is_anonymous_name(const char *name)
{
	return strcasecmp(name, "anonymous") == 0 ||
	    strcasecmp(name, "ftp") == 0;
}

/* The account called name, or NULL (a name given to USER, say). */
const struct user *
users_find(const char *name)
{
	size_t i;

	for (i = 0; i < cfg.nusers; i++)
		if (strcmp(cfg.users[i].name, name) == 0)
			return &cfg.users[i];
	return NULL;
}

/* The account name logs in to with password, or NULL. */
const struct user *
users_check(const char *name, const char *password)
{
	const struct user *u = users_find(name);

	return u != NULL && secret_equal(password, u->password) ? u : NULL;
}

/* The web view's sign-in (common/web): an account and its password,
 * never the guest, whose sessions only the teacher sees. */
int
users_web_signin(const char *name, const char *password)
{
	return !is_anonymous_name(name) && users_check(name, password) != NULL;
}

/* The permission a command needs beyond logging in: 0 for those that
 * only move around (CWD, PWD) or set up a transfer. */
unsigned
perm_needed(const char *verb)
{
	static const struct { const char *verb; unsigned perm; } table[] = {
		{ "RETR", PERM_READ }, { "LIST", PERM_READ },
		{ "NLST", PERM_READ }, { "MLSD", PERM_READ },
		{ "MLST", PERM_READ }, { "SIZE", PERM_READ },
		{ "MDTM", PERM_READ },
		{ "STOR", PERM_WRITE }, { "APPE", PERM_WRITE },
		{ "STOU", PERM_WRITE }, { "MFMT", PERM_WRITE },
		{ "DELE", PERM_DELETE }, { "RMD", PERM_DELETE },
		{ "XRMD", PERM_DELETE }, { "RNFR", PERM_DELETE },
		{ "RNTO", PERM_DELETE },
		{ "MKD", PERM_MKDIR }, { "XMKD", PERM_MKDIR },
	};
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(table[i].verb, verb) == 0)
			return table[i].perm;
	return 0;
}

/* For the 550: "may not write". */
const char *
perm_word(unsigned perm)
{
	switch (perm) {
	case PERM_READ: return "read";
	case PERM_WRITE: return "write";
	case PERM_DELETE: return "delete or rename";
	default: return "make folders";
	}
}
