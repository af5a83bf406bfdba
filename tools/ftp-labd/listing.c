/* listing.c - directory listings: LIST (ls -l style), NLST (names),
 * MLSD and MLST (RFC 3659 facts), and STAT with a path.
 *
 * A last component with * ? or [ that names no file is a pattern, matched
 * with fnmatch(3) in its directory: "NLST *.txt" is how ftp(1)'s mget
 * asks which files to fetch.  Matches are shown with the directory part
 * the client wrote, so each name can go straight into a RETR.
 *
 * Entries are read from a directory opened beneath ROOT and stat'ed with
 * fstatat(AT_SYMLINK_NOFOLLOW) on that descriptor, so a symlink is shown
 * as a link and never followed out of ROOT.  Names come out sorted, so a
 * class sees the same listing on every screen.  Times are UTC.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "labd.h"
#include "net.h"

enum style { LS_LONG, LS_NAMES, LS_FACTS };

/* A buffered writer to the data (or control) connection. */
struct out {
	int fd;
	struct session *on_control;	/* STAT: sent with control_send,
					 * 0xFF doubled, CR and LF in names as ? */
	int failed;
	size_t len;
	uint64_t total;
	char buf[4096];
};

static void
out_flush(struct out *o)
{
	if (o->len > 0 && !o->failed)
		o->failed = o->on_control != NULL ?
		    control_send(o->on_control, o->buf, o->len) < 0 :
		    net_write_all(o->fd, o->buf, o->len,
		    cfg.idle_timeout * 1000) < 0;
	o->total += o->len;
	o->len = 0;
}

static void
out_put(struct out *o, const char *p, size_t n)
{
	for (; n > 0; p++, n--) {
		if (o->len + 2 > sizeof o->buf)
			out_flush(o);
		o->buf[o->len++] = *p;
		if (o->on_control && (unsigned char)*p == 0xff)
			o->buf[o->len++] = *p;
	}
}

/* A name from the disk.  On the control channel a CR or LF in it would
 * end the reply line early and desynchronise the client: shown as ?. */
static void
out_name(struct out *o, const char *name, size_t n)
{
	for (; n > 0; name++, n--)
		out_put(o, o->on_control && (*name == '\r' || *name == '\n') ?
		    "?" : name, 1);
}

/* ---- one entry ---- */

static void
mode_string(mode_t m, char *out)
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISFIFO(m) ? 'p' :
	    S_ISSOCK(m) ? 's' : S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : '-';
	for (i = 0; i < 9; i++)
		out[i + 1] = (m & (0400 >> i)) ? rwx[i] : '-';
	out[10] = '\0';
}

/* "Nov 24 05:56" for the last six months, "Nov 24  2025" otherwise. */
static void
ls_time(time_t t, char *out, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (t > now - 182 * 86400 && t < now + 3600)
		strftime(out, len, "%b %e %H:%M", &tm);
	else
		strftime(out, len, "%b %e  %Y", &tm);
}

/* The facts of one entry; read_only: it may not be changed, in it
 * nothing may be made (RFC 3659 7.5.5: perm says what would be allowed). */
static void
facts(const struct stat *st, int read_only, char *out, size_t len)
{
	char when[20];
	struct tm tm;
	const char *type = S_ISDIR(st->st_mode) ? "dir" :
	    S_ISREG(st->st_mode) ? "file" : S_ISLNK(st->st_mode) ?
	    "OS.unix=symlink" : "OS.unix=special";
	const char *perm = S_ISDIR(st->st_mode) ?
	    (read_only ? "el" : "cdeflmp") : (read_only ? "r" : "adfrw");

	gmtime_r(&st->st_mtime, &tm);
	strftime(when, sizeof when, "%Y%m%d%H%M%S", &tm);
	snprintf(out, len, "type=%s;size=%lld;modify=%s;perm=%s;"
	    "unique=%llxU%llx;", type, (long long)st->st_size, when, perm,
	    (unsigned long long)st->st_dev, (unsigned long long)st->st_ino);
}

/* May the entry at vpath not be changed?  So on a read-only server, and
 * in (or as) the shared pub/ of a home. */
static int
read_only_at(const char *vpath)
{
	return cfg.read_only || fs_shared(vpath);
}

/* Writes one entry; dir is the descriptor name is relative to, vpath the
 * entry's own virtual path (for its perm fact). */
static void
put_entry(struct out *o, enum style style, int dir,
    const char *name, const char *shown, const char *vpath)
{
	char line[256], mode[11], when[32], target[VPATH_MAX];
	struct stat st;
	ssize_t tl = -1;
	int n;

	if (style == LS_NAMES) {
		out_name(o, shown, strlen(shown));
		out_put(o, "\r\n", 2);
		return;
	}
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;		/* removed while we listed: skip it */
	if (style == LS_FACTS) {
		facts(&st, read_only_at(vpath), line, sizeof line);
		out_put(o, line, strlen(line));
		out_put(o, " ", 1);
		out_name(o, shown, strlen(shown));
		out_put(o, "\r\n", 2);
		return;
	}
	mode_string(st.st_mode, mode);
	ls_time(st.st_mtime, when, sizeof when);
	/* owners are not shown: the server's accounts are not the lab's */
	n = snprintf(line, sizeof line, "%s %3lu ftp      ftp      %12lld %s ",
	    mode, (unsigned long)st.st_nlink, (long long)st.st_size, when);
	out_put(o, line, (size_t)n);
	out_name(o, shown, strlen(shown));
	if (S_ISLNK(st.st_mode))
		tl = readlinkat(dir, name, target, sizeof target - 1);
	if (tl >= 0) {
		out_put(o, " -> ", 4);
		out_name(o, target, (size_t)tl);
	}
	out_put(o, "\r\n", 2);
}

/* ---- a whole directory ---- */

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is this directory entry in the listing?  Dot files only with -a, or
 * when a pattern spells the dot. */
static int
listed(const char *name, int all, const char *pattern)
{
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	if (pattern != NULL)
		return fnmatch(pattern, name, FNM_PERIOD) == 0;
	return all || name[0] != '.';
}

/* Sorted names of the directory open on fd (which it takes over). */
static char **
read_names(int fd, int all, const char *pattern, size_t *count)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	char **names = NULL, **grown;
	size_t n = 0, room = 0;

	*count = 0;
	if (d == NULL) {
		close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (!listed(de->d_name, all, pattern))
			continue;
		/* doubling: growing by one name was quadratic in a big folder */
		if (n == room) {
			room = room ? 2 * room : 64;
			grown = realloc(names, room * sizeof *names);
			if (grown == NULL)
				break;
			names = grown;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, by_name);
	*count = n;
	return names;
}

/* What a listing command names: a directory (fd open on it) or a single
 * entry (parent open in *dir, *name its name). */
struct target {
	char path[VPATH_MAX];
	int fd;			/* the directory, or -1 */
	int dir;		/* parent of a single entry, or -1 */
	const char *name;
	int all;		/* -a given: show dot files */
	const char *pattern;	/* the names in fd to list, or NULL: all */
	char prefix[VPATH_MAX];	/* shown before each name a pattern matched */
};

/* Lists t->fd, which it closes. */
static void
put_directory(struct out *o, enum style style,
    const struct target *t)
{
	char shown[2 * VPATH_MAX], listed_dir[VPATH_MAX], vpath[VPATH_MAX];
	size_t n, i;
	int dir = dup(t->fd);
	char **names = read_names(t->fd, t->all, t->pattern, &n);

	/* with a pattern, t->path names the pattern in the folder listed */
	if (vpath_resolve(t->path, t->pattern ? ".." : ".", listed_dir,
	    sizeof listed_dir) < 0)
		snprintf(listed_dir, sizeof listed_dir, "%s", t->path);
	for (i = 0; i < n; i++) {
		snprintf(shown, sizeof shown, "%s%s", t->prefix, names[i]);
		if (vpath_resolve(listed_dir, names[i], vpath, sizeof vpath) < 0)
			snprintf(vpath, sizeof vpath, "%s", listed_dir);
		if (dir >= 0)
			put_entry(o, style, dir, names[i], shown, vpath);
		free(names[i]);
	}
	free(names);
	if (dir >= 0)
		close(dir);
}

/* The directory part of what the client wrote: "pub/" of "pub/a*". */
static void
dir_part(const char *arg, char *out, size_t len)
{
	const char *slash = strrchr(arg, '/');

	snprintf(out, len, "%.*s", slash ? (int)(slash - arg + 1) : 0, arg);
}

/* Opens what arg names; -1 after a 550. */
static int
open_target(struct session *s, const char *arg, struct target *t)
{
	t->fd = t->dir = -1;
	t->all = 0;
	t->pattern = NULL;
	t->prefix[0] = '\0';
	/* "LIST -la dir": ls options, as clients send them, are skipped */
	while (arg[0] == '-') {
		t->all |= strchr(arg, 'a') != NULL &&
		    strchr(arg, 'a') < arg + strcspn(arg, " ");
		arg += strcspn(arg, " ");
		arg += strspn(arg, " ");
	}
	if (session_path(s, arg, t->path) < 0)
		return -1;
	t->fd = fs_open(t->path, O_RDONLY | O_DIRECTORY, 0);
	if (t->fd >= 0)
		return 0;
	if (errno == ENOTDIR &&
	    (t->dir = fs_open_parent(t->path, &t->name)) >= 0)
		return 0;
	if (errno == ENOENT && strpbrk(vpath_base(t->path), "*?[") &&
	    (t->fd = fs_open_parent(t->path, &t->pattern)) >= 0) {
		dir_part(arg, t->prefix, sizeof t->prefix);
		return 0;
	}
	reply_fs_error(s, 550, t->path);
	return -1;
}

static void
put_target(struct out *o, enum style style,
    struct target *t)
{
	if (t->fd >= 0) {
		put_directory(o, style, t);
		t->fd = -1;	/* put_directory closed it */
	} else {
		put_entry(o, style, t->dir, t->name, t->name, t->path);
		close(t->dir);
		t->dir = -1;
	}
}

static void
close_target(struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	if (t->dir >= 0)
		close(t->dir);
	t->fd = t->dir = -1;
}

/* The listing goes to an unnamed temporary file first, then out like a
 * file: the transfer code bounds every wait and hears ABOR and STAT,
 * however big the folder and however slow the client. */
static void
list_data(struct session *s, const char *arg, enum style style)
{
	char opening[VPATH_MAX + 40];
	struct target t;
	struct out o = { .fd = -1 };
	FILE *tmp;

	s->rest = 0;
	if (need_data(s) < 0 || open_target(s, arg, &t) < 0)
		return;
	if (style == LS_FACTS && (t.fd < 0 || t.pattern)) {	/* RFC 3659 7.2 */
		close_target(&t);
		reply(s, 501, "%s is not a directory.", t.path);
		return;
	}
	if ((tmp = tmpfile()) == NULL) {
		close_target(&t);
		reply(s, 451, "Local error: no room for the listing (%s).",
		    strerror(errno));
		return;
	}
	o.fd = fileno(tmp);
	put_target(&o, style, &t);
	out_flush(&o);
	snprintf(opening, sizeof opening, "Here comes the listing of %s.",
	    t.path);
	if (o.failed || lseek(o.fd, 0, SEEK_SET) != 0)
		reply(s, 451, "Local error: the listing could not be made.");
	else
		send_data(s, o.fd, 0, opening, "Listing sent.");
	fclose(tmp);
}

void
cmd_list(struct session *s, const char *arg)
{
	list_data(s, arg, LS_LONG);
}

void
cmd_nlst(struct session *s, const char *arg)
{
	list_data(s, arg, LS_NAMES);
}

void
cmd_mlsd(struct session *s, const char *arg)
{
	list_data(s, arg, LS_FACTS);
}

void
cmd_mlst(struct session *s, const char *arg)
{
	char path[VPATH_MAX], fact[256], text[2 * VPATH_MAX + 512];
	struct stat st;
	int fd, n;

	if (session_path(s, arg[0] != '\0' ? arg : ".", path) < 0)
		return;
	if ((fd = open_stat(path, &st)) < 0) {
		reply_fs_error(s, 550, path);
		return;
	}
	close(fd);
	facts(&st, read_only_at(path), fact, sizeof fact);
	n = snprintf(text, sizeof text, "250-Listing %s\r\n %s %s\r\n"
	    "250 End\r\n", path, fact, path);
	reply_raw(s, text, (size_t)n);
}

/* STAT path: the listing comes on the control channel (RFC 959 STAT). */
void
cmd_stat_path(struct session *s, const char *arg)
{
	struct target t;
	struct out o = { .fd = s->ctrl, .on_control = s };
	char head[VPATH_MAX + 32];
	int n;

	if (open_target(s, arg, &t) < 0)
		return;
	n = snprintf(head, sizeof head, "213-Status of %s:\r\n", t.path);
	reply_raw(s, head, (size_t)n);
	put_target(&o, LS_LONG, &t);
	out_flush(&o);
	narrate_printf(s->id, "< (%llu bytes of listing)",
	    (unsigned long long)o.total);
	reply(s, 213, "End of status.");
}
