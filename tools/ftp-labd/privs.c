/* privs.c - started as root (to listen on port 21), serve as someone else.
 *
 * main() binds the listening socket, opens ROOT and the logs while it is
 * root, then calls privs_drop() before the first session: every file a
 * client names is then opened with the rights of an ordinary user (the
 * kernel's checks are a second wall behind the confinement).  Staying
 * root takes an explicit --stay-root.
 */
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
