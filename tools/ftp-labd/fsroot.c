/* fsroot.c - confinement: every file is opened beneath one ROOT descriptor.
 *
 * The server never hands a client's path to open(2) as it is.  A virtual
 * path (vpath.c) is opened relative to the ROOT directory descriptor:
 *  - on Linux with openat2(2) and RESOLVE_BENEATH: the kernel refuses any
 *    resolution that would leave ROOT, through "..", an absolute symlink or
 *    a symlink climbing out, and RESOLVE_NO_MAGICLINKS refuses /proc links;
 *  - elsewhere, or with RAWFTP_PORTABLE=1 in the environment: a walk one
 *    component at a time with openat(O_NOFOLLOW), which refuses every
 *    symlink (stricter: links inside ROOT are not followed either).
 * Operations on a name itself (DELE, RMD, MKD, RNFR, STOR's rename) open
 * the parent this way and then act on the last component with the *at()
 * calls, which never follow a final symlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/syscall.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#define HAVE_OPENAT2 1
#endif
#endif

#include "labd.h"
#include "portable.h"

static atomic_int portable;	/* set at start, or by any thread on ENOSYS */

int
fs_open_root(const char *dir)
{
	portable = portable_forced();
#ifndef HAVE_OPENAT2
	portable = 1;
#endif
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int
fs_portable(void)
{
	return portable;
}

/* "/a/b" -> "a/b", "/" -> "." */
static const char *
relative(const char *vpath)
{
	while (*vpath == '/')
		vpath++;
	return *vpath == '\0' ? "." : vpath;
}

#ifdef HAVE_OPENAT2
static int
open_beneath(const char *rel, int flags, mode_t mode)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof how);
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	do
		fd = syscall(SYS_openat2, cfg.root_fd, rel, &how, sizeof how);
	while (fd < 0 && (errno == EINTR || errno == EAGAIN));
	return (int)fd;
}
#endif

/* O_DIRECTORY|O_NOFOLLOW on a symlink says ENOTDIR; say ELOOP instead,
 * so the client learns it met a link. */
static int
symlink_errno(int dir, const char *comp, int err)
{
	struct stat st;

	if (err == ENOTDIR && fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) == 0
	    && S_ISLNK(st.st_mode))
		return ELOOP;
	return err;
}

/* One component at a time, no symlink followed anywhere. */
static int
open_walk(const char *rel, int flags, mode_t mode)
{
	char comp[VPATH_MAX];
	int dir = cfg.root_fd, next, saved;

	for (;;) {
		size_t n = strcspn(rel, "/");
		const char *rest = rel + n + strspn(rel + n, "/");

		if (n >= sizeof comp) {
			errno = ENAMETOOLONG;
			next = -1;
		} else {
			memcpy(comp, rel, n);
			comp[n] = '\0';
			if (*rest == '\0')
				next = openat(dir, comp,
				    flags | O_NOFOLLOW | O_CLOEXEC, mode);
			else
				next = openat(dir, comp, O_RDONLY |
				    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		saved = next < 0 ? symlink_errno(dir, comp, errno) : 0;
		if (dir != cfg.root_fd)
			close(dir);
		errno = saved;
		if (next < 0 || *rest == '\0')
			return next;
		dir = next;
		rel = rest;
	}
}

/* Opens vpath beneath ROOT; -1 with errno (EXDEV or ELOOP: it tried to
 * leave ROOT or met a symlink the walk refuses). */
int
fs_open(const char *vpath, int flags, mode_t mode)
{
	const char *rel = relative(vpath);

#ifdef HAVE_OPENAT2
	if (!portable) {
		int fd = open_beneath(rel, flags, mode);
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		portable = 1;	/* an old kernel: walk from now on */
	}
#endif
	return open_walk(rel, flags, mode);
}

/* Opens the directory holding vpath; *name is its last component, for the
 * *at() calls.  The root itself has no parent inside ROOT: EPERM. */
int
fs_open_parent(const char *vpath, const char **name)
{
	char parent[VPATH_MAX];
	const char *base = vpath_base(vpath);
	size_t n;

	if (strcmp(vpath, "/") == 0 || base == vpath) {
		errno = EPERM;
		return -1;
	}
	n = (size_t)(base - vpath);
	if (n >= sizeof parent) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(parent, vpath, n);
	parent[n] = '\0';
	*name = base;
	return fs_open(parent, O_RDONLY | O_DIRECTORY, 0);
}
