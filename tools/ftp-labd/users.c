/* users.c - named accounts for --users FILE.
 *
 * The file has one account a line, "name:password"; blank lines and lines
 * starting with '#' are skipped.  Passwords are plain text: this is a lab
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

int
users_load(const char *path, struct user **users, size_t *n, char *why,
    size_t whylen)
{
	char line[512], what[128];
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");

	*users = NULL;
	*n = 0;
	if (f == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		struct user *grown;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		grown = realloc(*users, (*n + 1) * sizeof **users);
		if (grown == NULL || parse_line(line, &grown[*n], what,
		    sizeof what) < 0) {
			snprintf(why, whylen, "%s line %u: %s", path, lineno,
			    grown == NULL ? "out of memory" : what);
			*users = grown ? grown : *users;
			fclose(f);
			return -1;
		}
		*users = grown;
		(*n)++;
	}
	fclose(f);
	return 0;
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
