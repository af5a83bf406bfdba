/* quota.c - what an account holds and may still store, across all its
 * sessions, and how many sessions it has.
 *
 * The quota counts the regular files below the account's root, at any
 * depth, plus the bytes its uploads in progress have received so far, in
 * every session of the account: 50 uploads started at once share one
 * quota, not 50.  While an account has uploads in progress, its files are
 * measured once (when the first began) and each upload's bytes are added
 * as they arrive; an upload that is kept moves its bytes into that
 * measure, one that fails takes them back.  When the last upload ends the
 * measure is dropped, so the next upload measures the disk again.
 *
 * A STOR over a file frees the old file's bytes, but only if that file is
 * still there when the new one takes its name: another session may have
 * renamed it away meanwhile, and the home would hold both.  So the rename
 * that ends a STOR (quota_commit) measures what it replaces at that
 * moment, and every RNTO (quota_rename) takes the same lock, so nothing
 * moves between the measure and the rename.
 *
 * transfer.c calls quota_begin, quota_add after every chunk,
 * quota_commit, quota_end; files.c calls quota_rename; login.c calls
 * account_enter and account_leave.  One mutex guards the
 * counts of every account: a chunk is far more work than the lock.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labd.h"

struct account_state {
	int sessions;		/* logged in now */
	int uploads;		/* in progress now */
	uint64_t on_disk;	/* measured when the first upload began */
	uint64_t arriving;	/* received by the uploads in progress */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct account_state *states;	/* cfg.users, then the guest */
static pthread_once_t made = PTHREAD_ONCE_INIT;

/* The accounts are fixed before the first session starts. */
static void
make_states(void)
{
	states = calloc(cfg.nusers + 1, sizeof *states);
	if (states == NULL)
		abort();	/* before any session: nothing to lose */
}

static struct account_state *
state_of(const struct user *u)
{
	pthread_once(&made, make_states);
	if (u >= cfg.users && u < cfg.users + cfg.nusers)
		return &states[u - cfg.users];
	return &states[cfg.nusers];
}

/* ---- sessions ---- */

int
account_enter(const struct user *u)
{
	struct account_state *a = state_of(u);
	int ok;

	pthread_mutex_lock(&lock);
	ok = u == &cfg.guest || cfg.max_per_user == 0 ||
	    a->sessions < cfg.max_per_user;
	if (ok)
		a->sessions++;
	pthread_mutex_unlock(&lock);
	return ok ? 0 : -1;
}

void
account_leave(const struct user *u)
{
	struct account_state *a = state_of(u);

	pthread_mutex_lock(&lock);
	if (a->sessions > 0)
		a->sessions--;
	pthread_mutex_unlock(&lock);
}

/* ---- the bytes on disk ---- */

/* One open folder of the walk, with the one it was found in below. */
struct level {
	DIR *d;
	struct level *up;
};

static int
push(struct level **top, int fd)
{
	struct level *l = malloc(sizeof *l);

	if (l == NULL || (l->d = fdopendir(fd)) == NULL) {
		free(l);
		close(fd);
		return -1;
	}
	l->up = *top;
	*top = l;
	return 0;
}

static void
pop(struct level **top)
{
	struct level *l = *top;

	*top = l->up;
	closedir(l->d);
	free(l);
}

/* Bytes in the regular files below dir, at any depth: the folders being
 * read are kept on the heap, not on the thread's small stack.  Symbolic
 * links are not followed.  -1 when a folder cannot be read: a quota that
 * cannot be measured is not taken as empty. */
static int
usage_below(int dir, uint64_t *total)
{
	struct level *top = NULL;
	struct dirent *e;
	struct stat st;
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), bad = 0;

	*total = 0;
	if (fd < 0 || push(&top, fd) < 0)
		return -1;
	while (top != NULL && !bad) {
		int at = dirfd(top->d), sub;

		errno = 0;
		if ((e = readdir(top->d)) == NULL) {
			bad = errno != 0;
			pop(&top);
			continue;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(at, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			bad = errno != ENOENT;	/* gone meanwhile: fine */
			continue;
		}
		if (S_ISREG(st.st_mode))
			*total += (uint64_t)st.st_size;
		if (!S_ISDIR(st.st_mode))
			continue;
		sub = openat(at, e->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			bad = errno != ENOENT;
		else
			bad = push(&top, sub) < 0;
	}
	while (top != NULL)
		pop(&top);
	return bad ? -1 : 0;
}

/* ---- uploads ---- */

/* What the account holds as q sees it: its files, less what q's upload
 * replaces, plus every upload's bytes so far.  Under the lock. */
static uint64_t
used_now(const struct account_state *a, const struct quota_charge *q)
{
	uint64_t held = a->on_disk + a->arriving;

	return held > q->freed ? held - q->freed : 0;
}

int
quota_begin(struct quota_charge *q, const struct user *u, int dir,
    uint64_t freed)
{
	struct account_state *a;
	uint64_t on_disk = 0;
	int measured = 0;

	memset(q, 0, sizeof *q);
	if (u == NULL || u->quota == 0)
		return 0;
	a = state_of(u);
	/* measured outside the lock: the walk may take a while */
	pthread_mutex_lock(&lock);
	measured = a->uploads > 0;
	pthread_mutex_unlock(&lock);
	if (!measured && usage_below(dir, &on_disk) < 0)
		return -1;
	pthread_mutex_lock(&lock);
	if (a->uploads++ == 0)
		a->on_disk = on_disk;
	q->account = u;
	q->freed = freed;
	q->used = used_now(a, q);
	pthread_mutex_unlock(&lock);
	return 0;
}

int
quota_add(struct quota_charge *q, uint64_t n)
{
	struct account_state *a;
	int over;

	if (q->account == NULL)
		return 0;
	a = state_of(q->account);
	pthread_mutex_lock(&lock);
	a->arriving += n;
	q->received += n;
	over = used_now(a, q) > q->account->quota;
	pthread_mutex_unlock(&lock);
	return over ? -1 : 0;
}

/* The bytes of the regular file name in dir; 0 when there is none. */
static uint64_t
size_of(int dir, const char *name)
{
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	return (uint64_t)st.st_size;
}

int
quota_commit(struct quota_charge *q, int dir, const char *tmp,
    const char *name)
{
	int r = -1;

	pthread_mutex_lock(&lock);
	if (q->account != NULL) {
		struct account_state *a = state_of(q->account);

		q->freed = size_of(dir, name);	/* what goes now, not then */
		q->used = used_now(a, q);
	}
	if (q->account != NULL && q->used > q->account->quota)
		errno = EDQUOT;
	else
		r = renameat(dir, tmp, dir, name);
	pthread_mutex_unlock(&lock);
	return r;
}

int
quota_rename(int from_dir, const char *from, int to_dir, const char *to)
{
	int r;

	pthread_mutex_lock(&lock);
	r = renameat(from_dir, from, to_dir, to);
	pthread_mutex_unlock(&lock);
	return r;
}

void
quota_end(struct quota_charge *q, int kept)
{
	struct account_state *a;

	if (q->account == NULL)
		return;
	a = state_of(q->account);
	pthread_mutex_lock(&lock);
	a->arriving -= q->received;
	if (kept) {	/* now on disk, in place of what it replaced */
		a->on_disk += q->received;
		a->on_disk = a->on_disk > q->freed ? a->on_disk - q->freed : 0;
	}
	a->uploads--;
	pthread_mutex_unlock(&lock);
	q->account = NULL;
}
