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

enum xfer_end { X_DONE, X_ABORT, X_GONE, X_STALL, X_DATA_ERR, X_FILE_ERR };

struct xfer {
	enum xfer_end end;
	int err;
	uint64_t bytes;		/* on the wire */
};

/* Looks at the control connection (wait 0) or waits until the pump can
 * go on, hearing the control connection meanwhile.  A bare STAT is
 * answered with the bytes moved so far, and the transfer goes on: X_DONE
 * means go on. */
static enum xfer_end
watch_control(struct session *s, struct pump_chan *c, int sending, int wait)
{
	struct pollfd pfd;

	pump_chan_pollfd(c, &pfd);
	switch (control_watch(s, wait ? &pfd : NULL,
	    wait ? cfg.data_timeout * 1000 : 0)) {
	case CTL_ABORT:
		return X_ABORT;
	case CTL_GONE:
		return X_GONE;
	case CTL_TIMEOUT:
		return wait ? X_STALL : X_DONE;
	case CTL_STAT:
		reply(s, 213, "Status: %llu bytes %s so far.",
		    (unsigned long long)(sending ? c->bytes_out : c->bytes_in),
		    sending ? "sent" : "received");
		break;
	case CTL_READY:
	case CTL_NOTHING:
		break;
	}
	return X_DONE;
}

/* Moves in to out until the end, an ABOR, a stall or an error.  wire is
 * the data connection, whose byte count is reported. */
static void
pump_transfer(struct session *s, int in, int out, enum pump_conv conv,
    int wire, struct xfer *x)
{
	struct pump_chan c;
	enum pump_step st;
	int sending = wire == out;

	memset(x, 0, sizeof *x);
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
		x->end = watch_control(s, &c, sending,
		    st == PUMP_STEP_WAIT);
		if (x->end != X_DONE)
			break;
	}
	if (st == PUMP_STEP_ERROR) {
		x->err = c.err;
		x->end = (c.write_failed ? out : in) == wire ? X_DATA_ERR :
		    X_FILE_ERR;
	}
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
	struct xfer x;
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
	const char *kept = how == ST_REPLACE && tmp[0] != '\0' ?
	    "; the old file is kept" : "";

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

static void
store(struct session *s, const char *arg, enum store_how how)
{
	char path[VPATH_MAX], tmp[300], parent[VPATH_MAX], shown[VPATH_MAX];
	char text[VPATH_MAX + 64], fresh[300] = "";
	const char *name;
	uint64_t rest = s->rest;
	struct stat st;
	struct xfer x;
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
	if ((dfd = open_data(s, text)) >= 0) {
		pump_transfer(s, dfd, fd, s->type_ascii ? PUMP_CRLF_TO_LF :
		    PUMP_BINARY, dfd, &x);
		close(dfd);
		if (commit_upload(s, dir, tmp, name, how, &x, path) == 0)
			reply(s, 226, "Transfer complete.");
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
