/* transfer.c - RETR, STOR, APPE, STOU: a file between disk and the data
 * connection, through common/pump (sendfile when it can).
 *
 * While bytes flow the control connection is watched: ABOR (after Telnet
 * IP and DM) stops the transfer with 426, then 226 for the ABOR itself,
 * and a bare STAT gets the bytes moved so far (RFC 959 4.1.3).  A stall
 * longer than --data-timeout ends the transfer too.
 *
 * STOR never destroys data: it writes a temporary file in the same
 * directory and renames it over the target only when the whole upload
 * arrived.  A failed or aborted upload removes the temporary file and
 * leaves any older file untouched.  APPE and REST+STOR write into the file
 * itself: that is what they mean.
 *
 * In stream mode the only end-of-file mark is the data connection
 * closing, and a client killed mid-upload closes it too.  So when an
 * upload's data connection ends, the control connection is looked at
 * first: closed or reset then, or within UPLOAD_SETTLE_MS, means the
 * client is gone and the upload is not taken.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labd.h"
#include "net.h"
#include "pump.h"

/* How long an upload's end waits to see the control connection close too.
 * A killed client's kernel closes its sockets one after the other, newest
 * first on Linux, so the data connection's end can come a few
 * microseconds before the control connection's; a finished client stays
 * connected for its 226, so only a dead one closes within this time. */
#define UPLOAD_SETTLE_MS 50

enum xfer_end { X_DONE, X_ABORT, X_GONE, X_STALL, X_DATA_ERR, X_FILE_ERR,
	X_FULL };

struct xfer {
	enum xfer_end end;
	int err;
	uint64_t bytes;		/* on the wire */
	uint64_t limit;		/* an upload over this many bytes: X_FULL */
	char why_limit[160];	/* which limit, for the 552 */
};

/* Is there a command on the control channel?  Checked between chunks. */
static enum ctl_event
poll_control(struct session *s, int *watch)
{
	struct pollfd pfd = { .fd = s->ctrl, .events = POLLIN };
	enum ctl_event ev;

	if (!*watch || poll(&pfd, 1, 0) <= 0)
		return CTL_NOTHING;
	ev = control_check(s);
	if (ev == CTL_NOTHING)
		*watch = 0;	/* a line for after the transfer */
	return ev;
}

/* What a command that came during the transfer does to it.  A bare STAT
 * is answered with the bytes moved so far, and the transfer goes on. */
static enum xfer_end
on_control(struct session *s, enum ctl_event ev, const struct pump_chan *c,
    int sending)
{
	switch (ev) {
	case CTL_ABORT:
		return X_ABORT;
	case CTL_GONE:
		return X_GONE;
	case CTL_STAT:
		reply(s, 213, "Status: %llu bytes %s so far.",
		    (unsigned long long)(sending ? c->bytes_out : c->bytes_in),
		    sending ? "sent" : "received");
		break;
	case CTL_NOTHING:
		break;
	}
	return X_DONE;
}

/* Waits until the pump can go on; X_DONE to go on. */
static enum xfer_end
wait_pump(struct session *s, struct pump_chan *c, int sending, int *watch)
{
	struct pollfd pfd[2];
	int n;

	pump_chan_pollfd(c, &pfd[0]);
	pfd[1].fd = *watch ? s->ctrl : -1;
	pfd[1].events = POLLIN;
	pfd[1].revents = 0;
	do
		n = poll(pfd, 2, cfg.data_timeout * 1000);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return X_STALL;
	if (pfd[1].revents == 0)
		return X_DONE;
	return on_control(s, poll_control(s, watch), c, sending);
}

/* Moves in to out until the end, an ABOR, a stall or an error.  wire is
 * the data connection, whose byte count is reported. */
static void
pump_transfer(struct session *s, int in, int out, enum pump_conv conv,
    int wire, struct xfer *x)
{
	struct pump_chan c;
	enum pump_step st;
	int watch = 1, sending = wire == out;
	uint64_t limit = x->limit;

	x->end = X_DONE;
	x->err = 0;
	x->bytes = 0;
	net_set_nonblocking(wire, 1);
	if (pump_chan_open(&c, in, out, conv) < 0) {
		x->end = X_FILE_ERR;
		x->err = errno;
		return;
	}
	for (;;) {
		st = pump_chan_step(&c);
		if (st == PUMP_STEP_EOF || st == PUMP_STEP_ERROR)
			break;
		if (!sending && c.bytes_in > limit) {
			x->end = X_FULL;
			break;
		}
		if (st == PUMP_STEP_WAIT)
			x->end = wait_pump(s, &c, sending, &watch);
		else
			x->end = on_control(s, poll_control(s, &watch), &c,
			    sending);
		if (x->end != X_DONE)
			break;
	}
	if (st == PUMP_STEP_ERROR) {
		x->err = c.err;
		x->end = (c.write_failed ? out : in) == wire ? X_DATA_ERR :
		    X_FILE_ERR;
	}
	if (!sending && x->end == X_DONE && c.bytes_in > limit)
		x->end = X_FULL;
	/* an upload's end is only the data connection closing: a killed
	 * client closes it too (see control_hung_up) */
	if (st == PUMP_STEP_EOF && !sending && x->end == X_DONE &&
	    control_hung_up(s, UPLOAD_SETTLE_MS)) {
		narrate(s->id, "data: the data connection ended with the "
		    "control connection already closed: the client is gone, "
		    "the upload is not complete");
		x->end = X_GONE;
	}
	x->bytes = sending ? c.bytes_out : c.bytes_in;
	if (sending)
		s->bytes_down += x->bytes;
	else
		s->bytes_up += x->bytes;
	pump_chan_close(&c);
}

/* The reply that ends a transfer, and the narration of how it ended. */
static int
finish(struct session *s, const struct xfer *x, const char *verb,
    const char *kept)
{
	narrate(s->id, "data: %s %llu bytes, closed", verb,
	    (unsigned long long)x->bytes);
	switch (x->end) {
	case X_DONE:
		return 0;
	case X_ABORT:
		reply(s, 426, "Transfer aborted%s.", kept);
		reply(s, 226, "ABOR successful.");
		break;
	case X_GONE:
		if (server_stopping())
			reply(s, 426, "Transfer aborted: the server is "
			    "stopping%s.", kept);
		else
			s->quit = 1;	/* the client hung up */
		break;
	case X_STALL:
		reply(s, 426, "No progress for %d seconds; transfer "
		    "aborted%s.", cfg.data_timeout, kept);
		break;
	case X_DATA_ERR:
		reply(s, 426, "Data connection lost (%s)%s.",
		    x->err ? strerror(x->err) : "closed", kept);
		break;
	case X_FILE_ERR:
		reply(s, x->err == ENOSPC ? 452 : 451, "Local error: %s%s.",
		    strerror(x->err), kept);
		break;
	case X_FULL:
		reply(s, 552, "Exceeded storage allocation (the %s); the "
		    "upload is removed%s.", x->why_limit, kept);
		break;
	}
	return -1;
}

/* 150 with text, then the data connection; -1 when it failed, after
 * the reply. */
static int
open_data(struct session *s, const char *text)
{
	enum ctl_event ev;
	int fd;

	reply(s, 150, "%s", text);
	fd = data_open(s, &ev);
	if (fd >= 0)
		return fd;
	if (ev == CTL_ABORT) {
		reply(s, 426, "No transfer: aborted.");
		reply(s, 226, "ABOR successful.");
	} else if (ev == CTL_GONE && !server_stopping()) {
		s->quit = 1;
	} else {
		reply(s, 425, "Cannot open data connection.");
	}
	return -1;
}

/* 0 when PASV, EPSV, PORT or EPRT prepared a data connection; -1 after
 * a 425 otherwise. */
int
need_data(struct session *s)
{
	if (data_prepared(s))
		return 0;
	reply(s, 425, "Use PORT, PASV, EPRT or EPSV first.");
	return -1;
}

/* Sends what fd holds from its offset: 150 with opening, the data
 * connection, then done with 226 (or how it failed).  RETR sends a file
 * this way, LIST and its kin a listing made beforehand. */
void
send_data(struct session *s, int fd, int ascii, const char *opening,
    const char *done)
{
	struct xfer x = { .limit = UINT64_MAX };
	int dfd;

	if ((dfd = open_data(s, opening)) < 0)
		return;
	pump_transfer(s, fd, dfd, ascii ? PUMP_LF_TO_CRLF : PUMP_BINARY, dfd,
	    &x);
	close(dfd);
	if (finish(s, &x, "sent", "") == 0)
		reply(s, 226, "%s", done);
}

void
cmd_retr(struct session *s, const char *arg)
{
	char path[VPATH_MAX], text[VPATH_MAX + 80];
	struct stat st;
	uint64_t rest = s->rest;
	int fd;

	s->rest = 0;
	if (need_data(s) < 0 || session_path(s, arg, path) < 0)
		return;
	if ((fd = open_stat(path, &st)) < 0) {
		reply_fs_error(s, 550, path);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		reply(s, 550, "%s: not a regular file.", path);
		return;
	}
	if (rest > 0 && lseek(fd, (off_t)rest, SEEK_SET) < 0) {
		reply_fs_error(s, 551, path);
		close(fd);
		return;
	}
	net_set_nonblocking(fd, 0);
	snprintf(text, sizeof text, "Opening %s mode data connection for %s "
	    "(%lld bytes).", s->type_ascii ? "ASCII" : "BINARY", path,
	    (long long)st.st_size);
	send_data(s, fd, s->type_ascii, text, "Transfer complete.");
	close(fd);
}

enum store_how { ST_REPLACE, ST_APPEND, ST_UNIQUE };

/* The file an upload writes: a temporary name for STOR (in tmp), the
 * file itself for APPE and REST+STOR, a new name for STOU. */
static int
open_upload(struct session *s, int dir, const char *name, enum store_how how,
    uint64_t rest, char *tmp, size_t tmplen)
{
	static atomic_uint serial;	/* makes names differ between sessions */
	const int create = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC;
	int fd = -1, i;

	tmp[0] = '\0';
	if (how == ST_APPEND)
		return openat(dir, name, O_WRONLY | O_APPEND | O_CREAT |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
	if (how == ST_REPLACE && rest > 0) {
		fd = openat(dir, name, O_WRONLY | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
		if (fd >= 0 && lseek(fd, (off_t)rest, SEEK_SET) < 0) {
			close(fd);
			return -1;
		}
		return fd;
	}
	for (i = 0; i < 100 && fd < 0; i++) {
		if (how == ST_UNIQUE)
			snprintf(tmp, tmplen, "%s.%d", name, i + 1);
		else
			snprintf(tmp, tmplen, ".labd-upload.%u.%u", s->id,
			    atomic_fetch_add(&serial, 1));
		fd = openat(dir, tmp, create, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	return fd;
}

/* After the upload: the temporary file becomes the target, or goes. */
static int
commit_upload(struct session *s, int dir, const char *tmp, const char *name,
    enum store_how how, const struct xfer *x, const char *path)
{
	const char *kept = how == ST_REPLACE && tmp[0] != '\0' &&
	    x->end != X_FULL ? "; the old file is kept" : "";

	if (x->end != X_DONE) {
		if (how == ST_REPLACE && tmp[0] != '\0')
			unlinkat(dir, tmp, 0);
		narrate(s->id, "file: upload of %s not completed%s", path,
		    kept);
		return finish(s, x, "received", kept);
	}
	narrate(s->id, "data: received %llu bytes, closed",
	    (unsigned long long)x->bytes);
	if (how == ST_REPLACE && tmp[0] != '\0' &&
	    renameat(dir, tmp, dir, name) < 0) {
		int e = errno;
		unlinkat(dir, tmp, 0);
		errno = e;
		reply_fs_error(s, 553, path);
		return -1;
	}
	return 0;
}

/* How many bytes this upload may bring: what is left of the account's
 * quota and of --max-file-size, for a file that holds base bytes already
 * (APPE, REST) or whose old bytes it replaces (STOR over a file).  The
 * quota counts the regular files below the account's root. */
static void
upload_limit(struct session *s, uint64_t base, uint64_t replaced,
    struct xfer *x)
{
	uint64_t quota = s->account != NULL ? s->account->quota : 0, used;
	int home = fs_home();

	x->limit = UINT64_MAX;
	if (cfg.max_file_size > 0) {
		x->limit = cfg.max_file_size > base ?
		    cfg.max_file_size - base : 0;
		snprintf(x->why_limit, sizeof x->why_limit, "maximum file "
		    "size is %llu bytes",
		    (unsigned long long)cfg.max_file_size);
	}
	if (quota == 0)
		return;
	used = fs_usage(home >= 0 ? home : cfg.root_fd);
	used = used > replaced ? used - replaced : 0;
	if (quota - (used < quota ? used : quota) < x->limit) {
		x->limit = quota - (used < quota ? used : quota);
		snprintf(x->why_limit, sizeof x->why_limit, "quota of %s is "
		    "%llu bytes, %llu used", s->user,
		    (unsigned long long)quota, (unsigned long long)used);
	}
}

/* An upload over a limit leaves nothing behind: the file it made goes,
 * a file it added to is cut back to its old size.  (STOR's temporary
 * file goes in commit_upload.) */
static void
undo_upload(int dir, int fd, const char *fresh, const char *tmp,
    uint64_t old_size)
{
	if (fresh[0] != '\0')
		unlinkat(dir, fresh, 0);
	else if (tmp[0] == '\0')
		(void)!ftruncate(fd, (off_t)old_size);
}

static void
store(struct session *s, const char *arg, enum store_how how)
{
	char path[VPATH_MAX], tmp[300], parent[VPATH_MAX], shown[VPATH_MAX];
	char text[VPATH_MAX + 64], fresh[300] = "";
	const char *name;
	uint64_t rest = s->rest;
	struct stat st;
	struct xfer x;
	uint64_t old_size;
	int dir, fd, dfd, existed;

	s->rest = 0;
	if (need_data(s) < 0 ||
	    session_path(s, arg[0] != '\0' ? arg : "labd", path) < 0)
		return;
	if ((dir = fs_open_parent(path, &name)) < 0) {
		reply_fs_error(s, 553, path);
		return;
	}
	existed = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (how != ST_UNIQUE && existed && S_ISDIR(st.st_mode)) {
		close(dir);
		reply(s, 553, "%s is a directory.", path);
		return;
	}
	if ((fd = open_upload(s, dir, name, how, rest, tmp, sizeof tmp)) < 0) {
		reply_fs_error(s, 553, path);
		close(dir);
		return;
	}
	if (how == ST_UNIQUE && vpath_resolve(path, "..", parent,
	    sizeof parent) == 0 && vpath_resolve(parent, tmp, shown,
	    sizeof shown) == 0)
		snprintf(text, sizeof text, "FILE: %s", shown);
	else
		snprintf(text, sizeof text, "Opening %s mode data connection "
		    "for %s.", s->type_ascii ? "ASCII" : "BINARY", path);
	/* a file this command made, to remove if no data connection comes */
	if (how == ST_UNIQUE)
		snprintf(fresh, sizeof fresh, "%s", tmp);
	else if (!existed && tmp[0] == '\0')
		snprintf(fresh, sizeof fresh, "%s", name);
	if (how == ST_UNIQUE)
		tmp[0] = '\0';	/* the unique file is the target itself */
	old_size = existed && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	upload_limit(s, how == ST_APPEND ? old_size : rest,
	    how == ST_REPLACE && rest == 0 ? old_size : 0, &x);
	if ((dfd = open_data(s, text)) >= 0) {
		pump_transfer(s, dfd, fd, s->type_ascii ? PUMP_CRLF_TO_LF :
		    PUMP_BINARY, dfd, &x);
		close(dfd);
		if (x.end == X_FULL)
			undo_upload(dir, fd, fresh, tmp, old_size);
		if (commit_upload(s, dir, tmp, name, how, &x, path) == 0) {
			s->stored++;
			reply(s, 226, "Transfer complete.");
		}
	} else {
		if (tmp[0] != '\0')
			unlinkat(dir, tmp, 0);
		if (fresh[0] != '\0')
			unlinkat(dir, fresh, 0);
	}
	close(fd);
	close(dir);
}

void
cmd_stor(struct session *s, const char *arg)
{
	store(s, arg, ST_REPLACE);
}

void
cmd_appe(struct session *s, const char *arg)
{
	store(s, arg, ST_APPEND);
}

void
cmd_stou(struct session *s, const char *arg)
{
	store(s, arg, ST_UNIQUE);
}
