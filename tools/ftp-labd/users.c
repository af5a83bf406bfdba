/* users.c - named accounts for --users FILE.
 *
 * The file has one account a line, "name:password"; blank lines and lines
 * starting with '#' are skipped.  A line over 511 bytes is an error that
 * names it, never cut in two (its tail could become an account).  Passwords are plain text: this is a lab
 * server on loopback, and FTP sends them in clear anyway (see SECURITY in
 * ftp-labd(1)).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "labd.h"

static int
parse_line(char *line, struct user *u, char *why, size_t whylen)
{
	char *colon = strchr(line, ':');

	if (colon == NULL) {
		snprintf(why, whylen, "expected name:password");
		return -1;
	}
	*colon = '\0';
	if (colon == line || strlen(line) >= USER_MAX ||
	    strlen(colon + 1) >= USER_MAX) {
		snprintf(why, whylen, "name empty or a field over %d bytes",
		    USER_MAX - 1);
		return -1;
	}
	if (is_anonymous_name(line)) {
		snprintf(why, whylen, "'%s' is the anonymous login", line);
		return -1;
	}
	snprintf(u->name, sizeof u->name, "%s", line);
	snprintf(u->password, sizeof u->password, "%s", colon + 1);
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

/* Compares without stopping at the first difference, so the time taken
 * does not tell how much of a password was right. */
static int
same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char diff = la != lb;

	for (i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return diff == 0;
}

/* USER anonymous and USER ftp, in any case, are the guest login. */
int
is_anonymous_name(const char *name)
{
	return strcasecmp(name, "anonymous") == 0 ||
	    strcasecmp(name, "ftp") == 0;
}

/* 1 if name and password match an account. */
int
users_check(const char *name, const char *password)
{
	size_t i;

	for (i = 0; i < cfg.nusers; i++)
		if (strcmp(cfg.users[i].name, name) == 0)
			return same_secret(cfg.users[i].password, password);
	return 0;
}
