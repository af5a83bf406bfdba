/* fuzz_users.c - ftp-labd's --users file parser (users_read) on arbitrary
 * bytes.  Checked: a file with a line over 511 bytes, or a NUL byte, is
 * refused, never cut into more lines; every account read has a name of 1
 * to 63 printable bytes without ':', '/' or space, not starting with '.',
 * that is not a guest name, a password of at most 63 bytes without ':', a
 * relative home without "..", permissions within rwdm, and logs in with
 * users_check(); a refusal names the line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/ftp-labd/users.c"

struct config cfg;

/* Does data hold a line (LF-separated, CR LF counted as LF) over 511
 * bytes, or a NUL byte? */
static int
must_refuse(const uint8_t *data, size_t size)
{
	size_t start = 0, i, len;

	if (memchr(data, '\0', size) != NULL)
		return 1;
	for (i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		len = i - start;
		if (len > 0 && data[start + len - 1] == '\r')
			len--;
		if (len > USERS_LINE_MAX)
			return 1;
		start = i + 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256] = "";
	struct user *users;
	size_t n, i, j;
	FILE *f;
	int r;

	if (size == 0)
		return 0;	/* fmemopen of 0 bytes is not portable */
	f = fmemopen((void *)data, size, "r");
	if (f == NULL)
		abort();
	r = users_read(f, "fuzz", &users, &n, why, sizeof why);
	fclose(f);
	if (r < 0) {
		if (strncmp(why, "fuzz line ", 10) != 0 &&
		    strncmp(why, "fuzz: ", 6) != 0)
			abort();
		free(users);
		return 0;
	}
	if (must_refuse(data, size))
		abort();	/* a long line was split, or a NUL hid a tail */
	cfg.users = users;
	cfg.nusers = n;
	for (i = 0; i < n; i++) {
		size_t nl = strlen(users[i].name);
		if (nl == 0 || nl >= USER_MAX ||
		    strlen(users[i].password) >= USER_MAX ||
		    strchr(users[i].name, ':') != NULL ||
		    strchr(users[i].password, ':') != NULL ||
		    bad_name(users[i].name) || bad_home(users[i].home) ||
		    (users[i].perms & ~(unsigned)PERM_ALL) != 0 ||
		    users[i].log_fd != -1 ||
		    is_anonymous_name(users[i].name))
			abort();
		for (j = 0; j < i; j++)	/* the first of a name is the one */
			if (strcmp(users[j].name, users[i].name) == 0)
				break;
		if (j == i && users_check(users[i].name,
		    users[i].password) != &users[i])
			abort();
	}
	free(users);
	return 0;
}
