/* privfile.c - a file that holds secrets, opened safely; see privfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "privfile.h"

/* Someone other than you and root: they could read what goes there. */
static int
someone_else(uid_t uid)
{
	return uid != 0 && uid != geteuid();
}

/* The folder dir: nobody else may write it, so nobody can plant
 * anything there, now or later.  sticky: a folder such as /tmp will do,
 * whose sticky bit keeps others from removing or renaming a file that
 * is not theirs: for one file opened now and checked (privfile_open),
 * not for a folder whose files come later (--log-dir: a file planted
 * first under a student's name would stop the server at that login). */
static void
check_folder(const char *option, const char *where, int dir,
    const char *folder, int sticky)
{
	struct stat st;

	if (fstat(dir, &st) < 0)
		die_errno(EXIT_CANTCREAT, "%s %s", option, where);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
	    !(sticky && (st.st_mode & S_ISVTX)))
		die(EXIT_CANTCREAT, "%s %s: others can write the folder %s "
		    "(mode %04o), so they could plant a link or a file where "
		    "a log or a capture goes; use a folder only its owner can "
		    "write (chmod go-w %s)", option, where, folder,
		    (unsigned)(st.st_mode & 07777), folder);
	if (someone_else(st.st_uid))
		die(EXIT_CANTCREAT, "%s %s: the folder %s belongs to uid %u, "
		    "who could plant a link or a file where a log or a capture "
		    "goes; use a folder of your own", option, where, folder,
		    (unsigned)st.st_uid);
}

/* The file now open as fd: yours, and known by this one name. */
static void
check_file(const char *option, const char *where, int fd, const char *name)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		die_errno(EXIT_CANTCREAT, "%s %s", option, where);
	if (someone_else(st.st_uid))
		die(EXIT_CANTCREAT, "%s %s: %s belongs to uid %u, who could "
		    "read it or change it; remove it or choose another name",
		    option, where, name, (unsigned)st.st_uid);
	if (st.st_nlink > 1)
		die(EXIT_CANTCREAT, "%s %s: %s has other names (a hard link); "
		    "logs and captures are written to a file of their own "
		    "only", option, where, name);
}

/* O_TRUNC's work, done only once the file is known to be ours: a file
 * planted there, or another name of someone's file, is left whole. */
static void
empty(const char *option, const char *where, int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    ftruncate(fd, 0) < 0)
		die_errno(EXIT_CANTCREAT, "%s %s", option, where);
}

/* name in the folder dir, which the user called folder; where is what
 * they gave, for the messages.  oflags: open(2)'s, O_TRUNC done here. */
static int
open_in(const char *option, const char *where, const char *folder, int dir,
    const char *name, int oflags, int sticky)
{
	int fd;

	check_folder(option, where, dir, folder, sticky);
	fd = openat(dir, name, (oflags & ~O_TRUNC) | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0 && errno == ELOOP)
		die(EXIT_CANTCREAT, "%s %s: %s is a symbolic link; logs and "
		    "captures are not written through links", option, where,
		    name);
	if (fd < 0)
		die_errno(EXIT_CANTCREAT, "%s %s", option, where);
	check_file(option, where, fd, name);
	if (oflags & O_TRUNC)
		empty(option, where, fd);
	return fd;
}

int
privfile_open_in(const char *option, const char *where, int dir,
    const char *name, int flags)
{
	return open_in(option, where, where, dir, name,
	    O_WRONLY | O_CREAT | flags, 0);
}

const char *
privfile_folder(const char *path, char *folder, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		snprintf(folder, len, ".");
		return path;
	}
	snprintf(folder, len, "%.*s", (int)(slash == path ? 1 : slash - path),
	    path);	/* "/" for "/x" */
	return slash + 1;
}

/* path opened with oflags, its folder and itself checked. */
static int
open_path(const char *option, const char *path, int oflags)
{
	char folder[4096];
	const char *name = privfile_folder(path, folder, sizeof folder);
	int dir, fd;

	dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		die_errno(EXIT_CANTCREAT, "%s %s", option, path);
	fd = open_in(option, path, folder, dir, name, oflags, 1);
	close(dir);
	return fd;
}

int
privfile_open(const char *option, const char *path, int flags)
{
	return open_path(option, path, O_WRONLY | O_CREAT | flags);
}

void
privfile_check(const char *option, const char *path)
{
	int fd = open_path(option, path, O_RDONLY);
	struct stat st;

	if (fstat(fd, &st) < 0)
		die_errno(EXIT_CANTCREAT, "%s %s", option, path);
	if (S_ISREG(st.st_mode) && (st.st_mode & 077))
		die(EXIT_CANTCREAT, "%s %s: others can read or write it (mode "
		    "%04o), so they may know or have chosen what it holds; "
		    "make it your own (chmod 600 %s), or move it away",
		    option, path, (unsigned)(st.st_mode & 07777), path);
	close(fd);
}

void
privfile_seal(int fd, const char *option, const char *where)
{
	struct stat st;

	/* a device or a pipe (/dev/null) is not ours to change */
	if (fstat(fd, &st) == 0 && (!S_ISREG(st.st_mode) ||
	    (st.st_mode & 077) == 0))
		return;
	if (fchmod(fd, 0600) < 0)
		die_errno(EXIT_CANTCREAT, "%s %s", option, where);
}
