/* privs.c - started as root (to listen on port 21), serve as someone else.
 *
 * main() binds the listening socket, opens ROOT and the logs while it is
 * root, then calls privs_drop() before the first session: every file a
 * client names is then opened with the rights of an ordinary user (the
 * kernel's checks are a second wall behind the confinement).  Staying
 * root takes an explicit --stay-root.  Once root is gone, privs_check()
 * makes sure the new user can reach every folder it serves: a folder it
 * cannot read would answer every command with 550, and say nothing at
 * start.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>


#include "err.h"
#include "labd.h"

/* The account to serve as: its ids, or a usage error naming it. */
void
privs_lookup(const char *name, struct run_as *who)
{
	struct passwd *pw = getpwnam(name);

	if (pw == NULL)
		die_usage("--user: there is no user '%s' on this system", name);
	if (pw->pw_uid == 0)
		die_usage("--user: '%s' is root; name an unprivileged user, "
		    "or use --stay-root", name);
	snprintf(who->name, sizeof who->name, "%s", name);
	who->uid = pw->pw_uid;
	who->gid = pw->pw_gid;
}

/* Root no more: groups, then group, then user (after setuid the others
 * could not be changed).  Checked afterwards: root must not come back. */
void
privs_drop(const struct run_as *who)
{
	if (setgroups(0, NULL) < 0 || setgid(who->gid) < 0 ||
	    setuid(who->uid) < 0)
		die_errno(EXIT_OSERR, "--user %s: dropping root", who->name);
	if (setuid(0) == 0 || getuid() != who->uid || geteuid() != who->uid)
		die(EXIT_SOFTWARE, "--user %s: root could be taken back; "
		    "stopping", who->name);
}

/* The folder path (below ROOT; "" is ROOT) as a user may type it. */
static void
shown_path(const char *path, char *out, size_t len)
{
	if (path[0] == '\0')
		snprintf(out, len, "%s", cfg.root);
	else
		snprintf(out, len, "%s/%s", cfg.root, path);
}

static void
cannot_read(const struct run_as *who, const char *part, const char *what)
{
	char shown[HOME_MAX + 512];

	shown_path(part, shown, sizeof shown);
	die(EXIT_NOPERM, "%s (%s) cannot be read by %s, who serves it: "
	    "chmod a+rx %s, or --user a user who can read it, or --stay-root",
	    shown, what, who->name, shown);
}

/* Can who, serving now, read (and write, when write) the folder path
 * below ROOT?  Else dies naming the first folder on the way that stops
 * it, the user and the fixes.  A folder that is not there is left to
 * the login, which says so. */
static void
check_folder(const struct run_as *who, const char *path, int write,
    const char *what)
{
	char part[HOME_MAX], shown[HOME_MAX + 512], on_the_way[HOME_MAX + 64];
	size_t len = strlen(path), i = 0;

	if (len >= sizeof part)
		return;		/* users.c keeps homes shorter */
	for (;;) {	/* ROOT, then each folder down to path */
		int last = i == len;

		memcpy(part, path, i);
		part[i] = '\0';
		if (faccessat(cfg.root_fd, i == 0 ? "." : part, last ?
		    R_OK | X_OK : X_OK, 0) < 0 && errno != ENOENT) {
			snprintf(on_the_way, sizeof on_the_way, "on the way "
			    "to %s", what);
			cannot_read(who, part, last ? what : on_the_way);
		}
		if (last)
			break;
		i += strcspn(path + i + (i > 0), "/") + (i > 0);
	}
	if (write && faccessat(cfg.root_fd, len == 0 ? "." : path, W_OK, 0) < 0
	    && errno != ENOENT) {
		shown_path(path, shown, sizeof shown);
		die(EXIT_NOPERM, "%s (%s) cannot be written by %s, who serves "
		    "it, though uploads are allowed there: chown %s %s, or "
		    "--user a user who can write it, or --stay-root, or "
		    "--read-only", shown, what, who->name, who->name, shown);
	}
}

/* An account's own folder (ROOT without a home), and pub/ beside a home. */
static void
check_account(const struct run_as *who, const struct user *u)
{
	char what[USER_MAX + 32];
	int write = !cfg.read_only && (u->perms & (PERM_WRITE | PERM_DELETE |
	    PERM_MKDIR)) != 0;

	if (u->home[0] == '\0')
		snprintf(what, sizeof what, "the served folder, %s's /",
		    u->name);
	else
		snprintf(what, sizeof what, "%s's home", u->name);
	check_folder(who, u->home, write, what);
	if (u->home[0] != '\0')
		check_folder(who, SHARED_DIR, 0, "pub/, shared by every home");
}

void
privs_check(const struct run_as *who)
{
	size_t i;

	if (cfg.anonymous)
		check_account(who, &cfg.guest);
	for (i = 0; i < cfg.nusers; i++)
		check_account(who, &cfg.users[i]);
}
