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
 *
 * A named user with a home (users.c) has that folder as its root instead:
 * the same descriptor-based confinement, starting from the home's
 * descriptor.  In a home, "/pub" is ROOT/pub, shared by every user and
 * read-only (see docs/labd-design.md).  Which root applies is a property
 * of the session, and one thread serves one session, so it is kept per
 * thread: fs_set_home() at login, fs_writing() around each command.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
static atomic_int root_fd = -1;	/* the ROOT now; see current_root() */
static pthread_mutex_t root_lock = PTHREAD_MUTEX_INITIALIZER;

/* This thread's session: its home and the shared pub/ (-1: ROOT, none),
 * and whether the command running changes files. */
static _Thread_local int home_fd = -1;
static _Thread_local int pub_fd = -1;
static _Thread_local int writing;

void
fs_set_home(int home, int pub)
{
	home_fd = home;
	pub_fd = pub;
}

int
fs_home(void)
{
	return home_fd;
}

void
fs_writing(int on)
{
	writing = on;
}

/* Is rel ("pub/a/b", "pub") in the shared pub/ of a home?  Then *rel is
 * what follows, relative to pub/. */
static int
in_pub(const char **rel)
{
	const char *r = *rel;

	if (pub_fd < 0 || strncmp(r, SHARED_DIR, strlen(SHARED_DIR)) != 0)
		return 0;
	r += strlen(SHARED_DIR);
	if (*r != '\0' && *r != '/')
		return 0;
	r += strspn(r, "/");
	*rel = *r == '\0' ? "." : r;
	return 1;
}

int
fs_open_root(const char *dir)
{
	portable = portable_forced();
#ifndef HAVE_OPENAT2
	portable = 1;
#endif
	root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return root_fd;
}

/* The ROOT descriptor to start from.  A folder removed while the server
 * runs keeps its descriptor valid but empty (no links left), and a folder
 * made again at the same path is a different one: serving the ghost would
 * show an empty folder and refuse every write.  So the root is looked at
 * before each use and opened again by its path when it was removed; -1
 * while nothing is there.  The old descriptor stays open: another
 * session may be using it right now. */
static int
current_root(void)
{
	static atomic_int told;		/* narrated since the last change */
	struct stat st;
	int fd = root_fd, fresh = -1;

	if (fstat(fd, &st) < 0 || st.st_nlink > 0)
		return fd;
	pthread_mutex_lock(&root_lock);
	if (root_fd != fd) {
		fresh = root_fd;	/* another thread opened it again */
	} else {
		fresh = open(cfg.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fresh >= 0) {
			root_fd = fresh;
			told = 0;
			narrate_printf(0, "root: %s was removed and made "
			    "again; serving the new folder", cfg.root);
		} else if (!told) {
			told = 1;
			narrate_printf(0, "root: %s was removed; every file "
			    "command fails until it is made again", cfg.root);
		}
	}
	fd = root_fd;
	pthread_mutex_unlock(&root_lock);
	return fd == fresh ? fd : -1;
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
open_beneath(int root, const char *rel, int flags, mode_t mode)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof how);
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	do
		fd = syscall(SYS_openat2, root, rel, &how, sizeof how);
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
open_walk(int root, const char *rel, int flags, mode_t mode)
{
	char comp[VPATH_MAX];
	int dir = root, next, saved;

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
		if (dir != root)
			close(dir);
		errno = saved;
		if (next < 0 || *rest == '\0')
			return next;
		dir = next;
		rel = rest;
	}
}

/* Is vpath the shared pub/ of a home, or in it: read-only for this
 * session whatever its permissions (what MLSD's perm fact says). */
int
fs_shared(const char *vpath)
{
	const char *rel = relative(vpath);

	return in_pub(&rel);
}

/* Opens vpath beneath ROOT; -1 with errno (EXDEV or ELOOP: it tried to
 * leave ROOT or met a symlink the walk refuses). */
int
fs_open(const char *vpath, int flags, mode_t mode)
{
	const char *rel = relative(vpath);
	int root = home_fd >= 0 ? home_fd : current_root();

	if (in_pub(&rel)) {
		if (writing) {
			errno = EROFS;	/* shared and read-only */
			return -1;
		}
		root = pub_fd;
	}
	if (root < 0) {
		errno = ENOENT;		/* the served folder is gone */
		return -1;
	}

#ifdef HAVE_OPENAT2
	if (!portable) {
		int fd = open_beneath(root, rel, flags, mode);
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		portable = 1;	/* an old kernel: walk from now on */
	}
#endif
	return open_walk(root, rel, flags, mode);
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
	if (writing && pub_fd >= 0 && strcmp(vpath + 1, SHARED_DIR) == 0) {
		errno = EROFS;	/* the pub/ of a home itself */
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
