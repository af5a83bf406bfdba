/* class.c - --class N: a classroom's accounts in one option.
 *
 * Makes the accounts student01..studentNN, each with a home below ROOT,
 *
 *	ROOT/pub/                 the teacher's files, shown in every home
 *	ROOT/home/student04/      student04's "/", writable by student04
 *	ROOT/home/student04/pub/  an empty folder where ROOT/pub shows
 *
 * and writes them to the class file in the --users format, for the
 * teacher to print and hand out.  A class file already there is read
 * again, not replaced: a server started twice in a lesson keeps the
 * passwords the students have.  One that holds other accounts (another
 * class size, a file edited) is refused, never overwritten; so is one
 * that someone else could have written or read (common/privfile), and
 * one inside ROOT, where a server that can read it would serve it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "labd.h"
#include "privfile.h"

#define CLASS_HOMES "home"	/* ROOT/home/studentNN */

/* No 0/O/o, 1/l/I: a password read off paper is typed right. */
static const char readable[] = "abcdefghijkmnpqrstuvwxyz23456789";

/* 8 letters from /dev/urandom, "xxxx-xxxx" (40 bits: a lesson, not a
 * bank). */
static void
new_password(int rnd, char *out, size_t len)
{
	unsigned char raw[8];
	size_t i, o = 0;

	if (read(rnd, raw, sizeof raw) != (ssize_t)sizeof raw)
		die_errno(EXIT_OSERR, "--class: reading /dev/urandom");
	for (i = 0; i < sizeof raw && o + 2 < len; i++) {
		if (i == 4)
			out[o++] = '-';
		/* 32 letters: 256 is a multiple, so each is equally likely */
		out[o++] = readable[raw[i] % (sizeof readable - 1)];
	}
	out[o] = '\0';
}

static void
student(struct user *u, unsigned i, unsigned n, const char *password,
    uint64_t quota)
{
	memset(u, 0, sizeof *u);
	snprintf(u->name, sizeof u->name, "student%0*u", n > 99 ? 3 : 2, i);
	snprintf(u->password, sizeof u->password, "%s", password);
	snprintf(u->home, sizeof u->home, CLASS_HOMES "/%s", u->name);
	u->perms = PERM_ALL;
	u->quota = quota;
	u->log_fd = -1;
}

/* Is the class file read from path exactly the class --class N makes? */
static int
same_class(const struct user *got, size_t ngot, unsigned n, uint64_t quota)
{
	struct user want;
	size_t i;

	if (ngot != n)
		return 0;
	for (i = 0; i < ngot; i++) {
		student(&want, (unsigned)i + 1, n, got[i].password, quota);
		if (strcmp(got[i].name, want.name) != 0 ||
		    strcmp(got[i].home, want.home) != 0 ||
		    got[i].perms != want.perms || got[i].quota != want.quota)
			return 0;
	}
	return 1;
}

static void
write_class_file(const char *path, const struct user *u, size_t n)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;
	int fd = privfile_open("--class-file", path, O_EXCL);
	FILE *f = fdopen(fd, "w");

	if (f == NULL)
		die_errno(EXIT_CANTCREAT, "--class-file %s", path);
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	fprintf(f, "# ftp-labd class accounts, made %s: one a line,\n"
	    "# name:password:home:permissions:quota (see ftp-labd(1)).\n"
	    "# Cut along the lines; each student keeps their own.\n", when);
	for (i = 0; i < n; i++)
		fprintf(f, "\n%s:%s:%s:rwdm:%llu\n", u[i].name, u[i].password,
		    u[i].home, (unsigned long long)u[i].quota);
	if (fclose(f) != 0)
		die_errno(EXIT_IOERR, "--class-file %s", path);
}

/* ROOT is served: pub/ to anonymous, the homes to the students.  A class
 * file there would be downloaded by a server that can read it (one not
 * started as root, or --stay-root). */
static void
refuse_inside_root(const char *path)
{
	char folder[PATH_MAX], real[PATH_MAX], root[PATH_MAX];
	size_t n;

	privfile_folder(path, folder, sizeof folder);
	if (realpath(folder, real) == NULL || realpath(cfg.root, root) == NULL)
		return;		/* the open that follows says what is wrong */
	n = strlen(root);
	if (strncmp(real, root, n) == 0 &&
	    (real[n] == '\0' || real[n] == '/' || n == 1))
		die_usage("--class-file %s is inside the served folder %s, "
		    "where it could be downloaded with every password; keep it "
		    "outside", path, cfg.root);
}

/* The accounts of the class file: read again, or made and written. */
static struct user *
class_accounts(const char *path, unsigned n, uint64_t quota)
{
	struct user *u;
	size_t got;
	char why[256], password[USER_MAX];
	unsigned i;
	int rnd;

	refuse_inside_root(path);
	if (access(path, F_OK) == 0) {
		privfile_check("--class-file", path);
		if (users_load(path, &u, &got, why, sizeof why) < 0)
			die(EXIT_DATAERR, "--class-file: %s", why);
		if (!same_class(u, got, n, quota))
			die(EXIT_CANTCREAT, "--class-file %s holds other "
			    "accounts than --class %u makes; it is not "
			    "overwritten: move it away or name another file",
			    path, n);
		return u;
	}
	if ((u = calloc(n, sizeof *u)) == NULL)
		die(EXIT_OSERR, "out of memory");
	if ((rnd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) < 0)
		die_errno(EXIT_OSERR, "--class: /dev/urandom");
	for (i = 0; i < n; i++) {
		new_password(rnd, password, sizeof password);
		student(&u[i], i + 1, n, password, quota);
	}
	close(rnd);
	write_class_file(path, u, n);
	return u;
}

/* mkdir -p of one level below dir, kept as it is when it is there. */
static void
make_dir(int dir, const char *name, const char *shown)
{
	if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
		die_errno(EXIT_CANTCREAT, "--class: making %s", shown);
}

/* The folders: ROOT/pub, ROOT/home, and each home with its pub/.  Homes
 * belong to owner (the user the server runs as after dropping root),
 * so the students' uploads can land there. */
static void
make_homes(const struct user *u, unsigned n, uid_t owner, gid_t group)
{
	char shown[HOME_MAX + 8];
	unsigned i;
	int homes;

	make_dir(cfg.root_fd, SHARED_DIR, SHARED_DIR "/");
	make_dir(cfg.root_fd, CLASS_HOMES, CLASS_HOMES "/");
	homes = openat(cfg.root_fd, CLASS_HOMES, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (homes < 0)
		die_errno(EXIT_CANTCREAT, "--class: opening %s/", CLASS_HOMES);
	for (i = 0; i < n; i++) {
		int home;
		snprintf(shown, sizeof shown, "%s/", u[i].home);
		make_dir(homes, u[i].name, shown);
		home = openat(homes, u[i].name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (home < 0)
			die_errno(EXIT_CANTCREAT, "--class: opening %s", shown);
		make_dir(home, SHARED_DIR, "pub/ in a home");
		if (owner != (uid_t)-1 && fchown(home, owner, group) < 0)
			die_errno(EXIT_CANTCREAT, "--class: chown %s", shown);
		close(home);
	}
	close(homes);
}

/* Adds the class's accounts to cfg.users; ROOT is open.  owner: see
 * make_homes ((uid_t)-1: leave the owner alone). */
void
class_setup(unsigned n, const char *path, uint64_t quota, uid_t owner,
    gid_t group)
{
	struct user *u = class_accounts(path, n, quota), *all;

	make_homes(u, n, owner, group);
	all = realloc(cfg.users, (cfg.nusers + n) * sizeof *all);
	if (all == NULL)
		die(EXIT_OSERR, "out of memory");
	memcpy(all + cfg.nusers, u, n * sizeof *u);
	cfg.users = all;
	cfg.nusers += n;
	free(u);
}
