/* files.c - the commands that move around and change names: CWD, CDUP,
 * PWD, MKD, RMD, DELE, RNFR/RNTO, SIZE, MDTM, MFMT.
 *
 * Every path goes through session_path() (the virtual path) and then
 * fsroot.c (the confinement); nothing here opens a client's path itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "labd.h"

/* The virtual path for arg; on failure the 550 is already sent.  A ".."
 * above "/" stays at "/" (the top of a home, or of ROOT): a probe for a
 * neighbour's folder, narrated as the other escapes are. */
int
session_path(struct session *s, const char *arg, char *out)
{
	if (vpath_resolve(s->cwd, arg, out, VPATH_MAX) == 0) {
		if (vpath_climbs(s->cwd, arg))
			narrate_printf(s->id, "confine: %s climbs above / "
			    "(the top of this session's tree): taken as %s",
			    arg, out);
		return 0;
	}
	reply(s, 550, "Path too long (the limit is %d bytes).", VPATH_MAX - 1);
	return -1;
}

/* 550 (or code) with the reason the file system gave, in words a student
 * can act on.  Escapes are narrated: they are what the lab is about. */
void
reply_fs_error(struct session *s, int code, const char *vpath)
{
	int e = errno;

	if (e == EXDEV || e == ELOOP)
		narrate_printf(s->id, "confine: %s refused (%s)", vpath,
		    e == EXDEV ? "it resolves outside the root" :
		    "a symbolic link");
	if (e == EROFS)
		narrate_printf(s->id, "confine: %s refused (pub/ is shared "
		    "and read-only)", vpath);
	if (e == EROFS)
		reply(s, code, "%s: the shared folder pub/ is read-only.",
		    vpath);
	else if (e == EXDEV)
		reply(s, code, "%s: leads outside the served folder.", vpath);
	else if (e == ELOOP)
		reply(s, code, "%s: symbolic link not followed.", vpath);
	else
		reply(s, code, "%s: %s.", vpath, strerror(e));
}

/* Opens vpath confined, and fstat()s it.  The open never blocks on a FIFO
 * and never becomes a controlling terminal. */
int
open_stat(const char *vpath, struct stat *st)
{
	int fd = fs_open(vpath, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);

	if (fd >= 0 && fstat(fd, st) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A PWD path in a 257 reply: double quotes doubled (RFC 959 appendix II). */
static void
quote_path(const char *vpath, char *out, size_t len)
{
	size_t o = 0;

	for (; *vpath != '\0' && o + 3 < len; vpath++) {
		if (*vpath == '"')
			out[o++] = '"';
		out[o++] = *vpath;
	}
	out[o] = '\0';
}

static void
change_dir(struct session *s, const char *arg)
{
	char path[VPATH_MAX];
	int fd;

	if (session_path(s, arg, path) < 0)
		return;
	fd = fs_open(path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0) {
		reply_fs_error(s, 550, path);
		return;
	}
	close(fd);
	memcpy(s->cwd, path, strlen(path) + 1);
	reply(s, 250, "Directory changed to %s.", path);
}

void
cmd_cwd(struct session *s, const char *arg)
{
	change_dir(s, arg);
}

void
cmd_cdup(struct session *s, const char *arg)
{
	(void)arg;
	change_dir(s, "..");
}

void
cmd_pwd(struct session *s, const char *arg)
{
	char quoted[2 * VPATH_MAX];

	(void)arg;
	quote_path(s->cwd, quoted, sizeof quoted);
	reply(s, 257, "\"%s\" is the current directory.", quoted);
}

void
cmd_mkd(struct session *s, const char *arg)
{
	char path[VPATH_MAX], quoted[2 * VPATH_MAX];
	const char *name;
	int dir;

	if (session_path(s, arg, path) < 0)
		return;
	if ((dir = fs_open_parent(path, &name)) < 0 ||
	    mkdirat(dir, name, 0755) < 0) {
		reply_fs_error(s, 550, path);
	} else {
		quote_path(path, quoted, sizeof quoted);
		reply(s, 257, "\"%s\" created.", quoted);
	}
	if (dir >= 0)
		close(dir);
}

/* RMD and DELE: unlinkat on the name in its confined parent. */
static void
remove_name(struct session *s, const char *arg, int flags)
{
	char path[VPATH_MAX];
	const char *name;
	int dir;

	if (session_path(s, arg, path) < 0)
		return;
	if ((dir = fs_open_parent(path, &name)) < 0 ||
	    unlinkat(dir, name, flags) < 0)
		reply_fs_error(s, 550, path);
	else
		reply(s, 250, "%s removed.", path);
	if (dir >= 0)
		close(dir);
}

void
cmd_rmd(struct session *s, const char *arg)
{
	remove_name(s, arg, AT_REMOVEDIR);
}

void
cmd_dele(struct session *s, const char *arg)
{
	remove_name(s, arg, 0);
}

void
cmd_rnfr(struct session *s, const char *arg)
{
	char path[VPATH_MAX];
	const char *name;
	struct stat st;
	int dir;

	s->rnfr_set = 0;
	if (session_path(s, arg, path) < 0)
		return;
	if ((dir = fs_open_parent(path, &name)) < 0 ||
	    fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		reply_fs_error(s, 550, path);
	} else {
		memcpy(s->rnfr, path, strlen(path) + 1);
		s->rnfr_set = 1;
		reply(s, 350, "%s exists; ready for RNTO.", path);
	}
	if (dir >= 0)
		close(dir);
}

/* The error of a failed rename names the path at fault: the source if it
 * vanished since RNFR, the target otherwise. */
static void
rename_failed(struct session *s, int from_dir, const char *from_name,
    const char *to)
{
	struct stat st;
	int e = errno;

	if (e == ENOENT &&
	    fstatat(from_dir, from_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		reply_fs_error(s, 550, s->rnfr);
		return;
	}
	errno = e;
	reply_fs_error(s, 550, to);
}

void
cmd_rnto(struct session *s, const char *arg)
{
	char to[VPATH_MAX];
	const char *from_name, *to_name;
	int from_dir = -1, to_dir = -1;

	if (!s->rnfr_set) {
		reply(s, 503, "RNTO must come right after RNFR.");
		return;
	}
	s->rnfr_set = 0;
	if (session_path(s, arg, to) < 0)
		return;
	if ((from_dir = fs_open_parent(s->rnfr, &from_name)) < 0)
		reply_fs_error(s, 550, s->rnfr);
	else if ((to_dir = fs_open_parent(to, &to_name)) < 0)
		reply_fs_error(s, 550, to);
	else if (quota_rename(from_dir, from_name, to_dir, to_name) == 0)
		reply(s, 250, "Renamed %s to %s.", s->rnfr, to);
	else
		rename_failed(s, from_dir, from_name, to);
	if (from_dir >= 0)
		close(from_dir);
	if (to_dir >= 0)
		close(to_dir);
}

/* SIZE and MDTM: stat what arg names, or reply 550 and return -1. */
static int
stat_arg(struct session *s, const char *arg, char path[VPATH_MAX],
    struct stat *st)
{
	int fd;

	if (session_path(s, arg, path) < 0)
		return -1;
	if ((fd = open_stat(path, st)) < 0) {
		reply_fs_error(s, 550, path);
		return -1;
	}
	close(fd);
	return 0;
}

void
cmd_size(struct session *s, const char *arg)
{
	char path[VPATH_MAX];
	struct stat st;

	if (stat_arg(s, arg, path, &st) < 0)
		return;
	if (!S_ISREG(st.st_mode))
		reply(s, 550, "%s: not a regular file.", path);
	else
		reply(s, 213, "%lld", (long long)st.st_size);
}

void
cmd_mdtm(struct session *s, const char *arg)
{
	char path[VPATH_MAX], when[32];
	struct stat st;
	struct tm tm;

	if (stat_arg(s, arg, path, &st) < 0)
		return;
	gmtime_r(&st.st_mtime, &tm);
	strftime(when, sizeof when, "%Y%m%d%H%M%S", &tm);
	reply(s, 213, "%s", when);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (timegm(3) is not POSIX). */
static long long
days_from_epoch(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "YYYYMMDDHHMMSS" (UTC, as MDTM shows it), with optional ".sss"
 * fractions, which are ignored; -1 if it is not a real moment. */
static int
parse_mdtm_time(const char *text, size_t len, time_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int f[6], widths[6] = { 4, 2, 2, 2, 2, 2 }, i, k;
	size_t p = 0;
	int leap;

	for (i = 0; i < 6; i++) {
		f[i] = 0;
		for (k = 0; k < widths[i]; k++, p++) {
			if (p >= len || text[p] < '0' || text[p] > '9')
				return -1;
			f[i] = f[i] * 10 + (text[p] - '0');
		}
	}
	if (p < len && text[p] == '.')
		for (p++; p < len && text[p] >= '0' && text[p] <= '9'; p++)
			;
	if (p != len)
		return -1;
	leap = (f[0] % 4 == 0 && f[0] % 100 != 0) || f[0] % 400 == 0;
	if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 ||
	    f[2] > mdays[f[1] - 1] || (f[1] == 2 && f[2] == 29 && !leap) ||
	    f[3] > 23 || f[4] > 59 || f[5] > 59)
		return -1;
	*out = (time_t)(days_from_epoch(f[0], f[1], f[2]) * 86400 +
	    f[3] * 3600 + f[4] * 60 + f[5]);
	return 0;
}

/* MFMT TIME PATH (draft-somers-ftp-mfxx): sets the modification time, as
 * FileZilla and lftp do after an upload to keep the file's own. */
void
cmd_mfmt(struct session *s, const char *arg)
{
	char path[VPATH_MAX], when[32];
	size_t n = strcspn(arg, " ");
	struct timespec times[2];
	struct stat st;
	time_t t;
	int fd;

	if (arg[n] != ' ' || arg[n + 1] == '\0' ||
	    parse_mdtm_time(arg, n, &t) < 0) {
		reply_syntax(s, "MFMT needs a valid time (UTC, from 1970) and a "
		    "path.");
		return;
	}
	if (stat_arg(s, arg + n + 1, path, &st) < 0)
		return;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		reply(s, 550, "%s: not a file or a folder.", path);
		return;
	}
	times[0].tv_sec = 0;
	times[0].tv_nsec = UTIME_OMIT;
	times[1].tv_sec = t;
	times[1].tv_nsec = 0;
	if ((fd = fs_open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0)) < 0 ||
	    futimens(fd, times) < 0) {
		reply_fs_error(s, 550, path);
	} else {
		snprintf(when, sizeof when, "%.14s", arg);
		reply(s, 213, "Modify=%s; %s", when, path);
	}
	if (fd >= 0)
		close(fd);
}
