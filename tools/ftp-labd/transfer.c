/* transfer.c - RETR, STOR, APPE, STOU: a file between disk and the data
 * connection, through common/pump (sendfile when it can).
 *
 * While bytes flow the control connection is watched: ABOR (after Telnet
 * IP and DM) stops the transfer with 426, then 226 for the ABOR itself,
 * and a bare STAT gets the bytes moved so far (RFC 959 4.1.3).  A stall
 * longer than --data-timeout ends the transfer too.
 *
 * A download is done when the client has acknowledged its last byte
 * (await_delivery): a client that resets with bytes still in the
 * server's socket never got them, and gets 426, not 226.
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labd.h"
#include "net.h"
#include "pump.h"
#include "sockq.h"

/* How long an upload's end waits to see the control connection close too.
 * A killed client's kernel closes its sockets one after the other, newest
 * first on Linux, so the data connection's end can come a few
 * microseconds before the control connection's; a finished client stays
 * connected for its 226, so only a dead one closes within this time. */
#define UPLOAD_SETTLE_MS 50

/* The longest pause between two looks at a download's acknowledgements
 * (await_delivery); the first is 1 ms, and each doubles. */
#define DELIVERY_PAUSE_MS 50

enum xfer_end { X_DONE, X_ABORT, X_GONE, X_STALL, X_DATA_ERR, X_FILE_ERR,
	X_FULL };

struct xfer {
	enum xfer_end end;
	int err;
	uint64_t bytes;		/* on the wire */
	uint64_t limit;		/* an upload over this many bytes: X_FULL */
	char why_limit[160];	/* which limit, for the 552 */
	struct quota_charge quota;	/* the account's, across sessions */
	int over_quota;		/* X_FULL came from the quota */
	int eof;		/* the input ended: for an upload, a FIN */
};

/* What a control connection event means to a running transfer: a bare
 * STAT is answered with the bytes moved so far, and the transfer goes
 * on.  X_DONE means go on; a timeout is a stall when stall says so. */
static enum xfer_end
heard(struct session *s, const struct pump_chan *c, int sending,
    enum ctl_event ev, int stall)
{
	switch (ev) {
	case CTL_ABORT:
		return X_ABORT;
	case CTL_GONE:
		return X_GONE;
	case CTL_TIMEOUT:
		return stall ? X_STALL : X_DONE;
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

/* Looks at the control connection (wait 0) or waits until the pump can
 * go on, hearing the control connection meanwhile (see heard). */
static enum xfer_end
watch_control(struct session *s, struct pump_chan *c, int sending, int wait)
{
	struct pollfd pfd;

	pump_chan_pollfd(c, &pfd);
	return heard(s, c, sending, control_watch(s, wait ? &pfd : NULL,
	    wait ? cfg.data_timeout * 1000 : 0), wait);
}

/* Has the client reset the data connection fd?  A reset is reported
 * once only: the caller must say so (X_DATA_ERR tells --wire). */
static int
client_reset(int fd)
{
	char byte;

	return recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
	    errno == ECONNRESET;
}

/* A download is done when the client has acknowledged its last byte,
 * not when that byte went into the socket: a client that resets before
 * then never got the rest, and a 226 would say it did (common/sockq.h).
 * Waits for that, hearing ABOR and STAT, up to --data-timeout without
 * progress; where the kernel cannot say (not Linux), it does not wait. */
static enum xfer_end
await_delivery(struct session *s, const struct pump_chan *c, int fd,
    struct xfer *x)
{
	long long deadline = 0;
	int unacked, last = -1, pause = 1;
	enum xfer_end end = X_DONE;

	while (end == X_DONE && (unacked = sockq_unacked(fd)) > 0) {
		if (unacked != last)	/* progress: the stall clock restarts */
			deadline = net_now_ms() + cfg.data_timeout * 1000LL;
		last = unacked;
		if (client_reset(fd)) {
			x->err = ECONNRESET;
			return X_DATA_ERR;
		}
		if (net_ms_left(deadline) == 0)
			return X_STALL;
		end = heard(s, c, 1, control_watch(s, NULL, pause), 0);
		pause = 2 * pause < DELIVERY_PAUSE_MS ? 2 * pause :
		    DELIVERY_PAUSE_MS;
	}
	return end;
}

/* The bytes of a download that went on the wire: all that was written
 * but what the kernel had not sent yet when the transfer ended (a RST
 * then discards it). */
static uint64_t
bytes_sent(const struct pump_chan *c, int fd)
{
	int unsent = sockq_unsent(fd);

	return unsent > 0 && (uint64_t)unsent < c->bytes_out ?
	    c->bytes_out - (uint64_t)unsent : c->bytes_out;
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
	uint64_t limit = x->limit, counted = 0;
	/* --pcap needs the bytes themselves, one chunk at a time */
	struct wireview_pump seen = { &s->data_wire, sending };

	x->end = X_DONE;
	x->err = 0;
	x->bytes = 0;
	net_set_nonblocking(wire, 1);
	if (pump_chan_open_observed(&c, in, out, conv, cfg.pcap != NULL ?
	    wireview_observe : NULL, &seen) < 0) {
		x->end = X_FILE_ERR;
		x->err = errno;
		return;
	}
	for (;;) {
		st = pump_chan_step(&c);
		if (st == PUMP_STEP_EOF || st == PUMP_STEP_ERROR)
			break;
		if (!sending && c.bytes_in > limit) {
			x->end = X_FULL;	/* over the maximum file size */
			break;
		}
		if (!sending && quota_add(&x->quota, c.bytes_in - counted) < 0) {
			x->end = X_FULL;
			x->over_quota = 1;
			break;
		}
		counted = c.bytes_in;
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
	if (st == PUMP_STEP_EOF && sending && x->end == X_DONE)
		x->end = await_delivery(s, &c, wire, x);
	if (!sending && x->end == X_DONE && c.bytes_in > limit)
		x->end = X_FULL;
	/* an upload's end is only the data connection closing: a killed
	 * client closes it too (see control_hung_up) */
	if (st == PUMP_STEP_EOF && !sending && x->end == X_DONE &&
	    control_hung_up(s, UPLOAD_SETTLE_MS)) {
		narrate_printf(s->id, "data: the data connection ended with "
		    "the control connection already closed: the client is gone, "
		    "the upload is not complete");
		x->end = X_GONE;
	}
	x->bytes = sending ? bytes_sent(&c, wire) : c.bytes_in;
	if (sending)
		s->bytes_down += x->bytes;
	else
		s->bytes_up += x->bytes;
	x->eof = st == PUMP_STEP_EOF;
	/* all that was written: the wire view shows what the kernel sent */
	wire_data_moved(s, sending, sending ? c.bytes_out : c.bytes_in);
	pump_chan_close(&c);
}

/* How the data connection ended, for --wire and --pcap: who closed it
 * first, and whether with a FIN or a RST. */
static enum wire_end
wire_end_of(const struct xfer *x, int sending)
{
	if (x->end == X_DATA_ERR)
		return WIRE_CLIENT_RESET;
	if (x->end == X_DONE && sending)
		return WIRE_SENT;
	if ((x->end == X_DONE || x->end == X_GONE) && !sending && x->eof)
		return WIRE_RECEIVED;
	return WIRE_ABORTED;
}

/* The reply that ends a transfer, and the narration of how it ended. */
static int
finish(struct session *s, const struct xfer *x, const char *verb,
    const char *kept)
{
	narrate_data_close(s->id, verb, x->bytes);
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
		if (x->over_quota)
			reply(s, 552, "Exceeded storage allocation (the quota "
			    "of %s is %llu bytes, %llu used); the upload is "
			    "removed%s.", s->user,
			    (unsigned long long)s->account->quota,
			    (unsigned long long)x->quota.used, kept);
		else
			reply(s, 552, "Exceeded storage allocation (the %s); "
			    "the upload is removed%s.", x->why_limit, kept);
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
	struct xfer x = { .limit = UINT64_MAX, .quota = { NULL, 0, 0, 0 } };
	int dfd;

	if ((dfd = open_data(s, opening)) < 0)
		return;
	pump_transfer(s, fd, dfd, ascii ? PUMP_LF_TO_CRLF : PUMP_BINARY, dfd,
	    &x);
	wire_data_end(s, dfd, wire_end_of(&x, 1));
	close(dfd);
	if (finish(s, &x, "sent", "") == 0)
		reply(s, 226, "%s", done);
}

/* REST past the end of a file: a STOR would leave a hole in it (a
 * sparse file of any size, from a few bytes sent), a RETR has nothing to
 * send.  554, as RFC 3659 5.4 says for an offset the server cannot
 * restart at.  st: the file, or NULL when there is none. */
static int
rest_past_end(struct session *s, uint64_t rest, const struct stat *st,
    const char *path)
{
	uint64_t size = st != NULL && S_ISREG(st->st_mode) ?
	    (uint64_t)st->st_size : 0;

	if (rest <= size)
		return 0;
	reply(s, 554, "REST %llu is past the end of %s (%llu bytes); "
	    "restart at most there.", (unsigned long long)rest, path,
	    (unsigned long long)size);
	return -1;
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
	if (rest_past_end(s, rest, &st, path) < 0) {
		close(fd);
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

/* An upload being written, and what becomes of its file at the end. */
struct upload {
	int dir;		/* the target's folder */
	const char *name;	/* the target, in dir */
	int fd;			/* open for writing on file */
	char file[300];		/* what fd writes, in dir: a temporary name
				 * (STOR), a new one (STOU), or name itself
				 * (APPE, REST+STOR) */
	int temporary;		/* file replaces name once all came, and
				 * goes if the upload fails */
	int created;		/* this command made file: it goes if no
				 * data connection comes */
	uint64_t old_size;	/* of the target before, for undo_upload */
};

/* Creates a file not there yet: for STOR a temporary name, for STOU the
 * target's name with the first free ".N" after it. */
static int
create_new(struct session *s, struct upload *up, enum store_how how)
{
	static atomic_uint serial;	/* makes names differ between sessions */
	int i;

	up->fd = -1;
	for (i = 0; i < 100 && up->fd < 0; i++) {
		if (how == ST_UNIQUE)
			snprintf(up->file, sizeof up->file, "%s.%d", up->name,
			    i + 1);
		else
			snprintf(up->file, sizeof up->file,
			    ".labd-upload.%u.%u", s->id,
			    atomic_fetch_add(&serial, 1));
		up->fd = openat(up->dir, up->file, O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (up->fd < 0 && errno != EEXIST)
			break;
	}
	up->created = up->fd >= 0;
	up->temporary = up->created && how == ST_REPLACE;
	return up->fd;
}

/* Opens the file an upload writes (see struct upload); -1 on failure. */
static int
open_upload(struct session *s, struct upload *up, enum store_how how,
    uint64_t rest, int existed)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;

	if (how == ST_UNIQUE || (how == ST_REPLACE && rest == 0))
		return create_new(s, up, how);
	/* APPE and REST+STOR write into the target itself */
	snprintf(up->file, sizeof up->file, "%s", up->name);
	up->temporary = 0;
	up->created = !existed;
	up->fd = openat(up->dir, up->name, how == ST_APPEND ?
	    flags | O_APPEND : flags, 0644);
	if (up->fd >= 0 && rest > 0 && lseek(up->fd, (off_t)rest,
	    SEEK_SET) < 0) {
		close(up->fd);
		up->fd = -1;
	}
	return up->fd;
}

/* No data connection came: the file this command made goes. */
static void
abandon_upload(struct upload *up)
{
	if (up->created)
		unlinkat(up->dir, up->file, 0);
}

/* A whole STOR's temporary file takes the target's name, if what stays
 * fits the quota: an old file moved away meanwhile frees nothing
 * (quota.c).  0, or -1 with errno (EDQUOT: x now ends X_FULL). */
static int
replace_target(struct upload *up, struct xfer *x)
{
	if (x->end != X_DONE || !up->temporary)
		return 0;
	if (quota_commit(&x->quota, up->dir, up->file, up->name) == 0)
		return 0;
	if (errno == EDQUOT) {
		x->end = X_FULL;
		x->over_quota = 1;
	}
	return -1;
}

/* After the transfer: a temporary file becomes the target when the whole
 * upload came and fits the quota, and goes otherwise.  0 when a 226 is
 * due; -1 after the reply that says what went wrong. */
static int
commit_upload(struct session *s, struct upload *up, struct xfer *x,
    const char *path)
{
	int renamed = replace_target(up, x), e = errno;
	const char *kept = up->temporary && x->end != X_FULL ?
	    "; the old file is kept" : "";

	if (x->end != X_DONE) {
		if (up->temporary)
			unlinkat(up->dir, up->file, 0);
		narrate_printf(s->id, "file: upload of %s not completed%s", path,
		    kept);
		return finish(s, x, "received", kept);
	}
	narrate_data_close(s->id, "received", x->bytes);
	if (renamed < 0) {
		unlinkat(up->dir, up->file, 0);
		errno = e;
		reply_fs_error(s, 553, path);
		return -1;
	}
	return 0;
}

/* How many bytes this upload may bring: what --max-file-size leaves
 * for a file that holds base bytes already (APPE, REST), and the
 * account's quota (quota.c), for an upload that replaces freed bytes
 * (STOR over a file, REST+STOR over the file's end).  -1 after a 451
 * when the account's files cannot be measured. */
static int
upload_limit(struct session *s, uint64_t base, uint64_t freed,
    struct xfer *x)
{
	int home = fs_home();

	x->limit = UINT64_MAX;
	x->over_quota = 0;
	if (cfg.max_file_size > 0) {
		x->limit = cfg.max_file_size > base ?
		    cfg.max_file_size - base : 0;
		snprintf(x->why_limit, sizeof x->why_limit, "maximum file "
		    "size is %llu bytes",
		    (unsigned long long)cfg.max_file_size);
	}
	if (quota_begin(&x->quota, s->account, home >= 0 ? home : cfg.root_fd,
	    freed) == 0)
		return 0;
	reply(s, 451, "Local error: the files of %s cannot be counted for "
	    "the quota (%s).", s->user, strerror(errno));
	return -1;
}

/* An upload over a limit leaves nothing behind: a file it made goes, a
 * file it added to (APPE, REST) is cut back to its old size.  A STOR's
 * temporary file goes in commit_upload, as on any failure. */
static void
undo_upload(const struct upload *up)
{
	if (up->temporary)
		return;
	if (up->created)
		unlinkat(up->dir, up->file, 0);
	else
		(void)!ftruncate(up->fd, (off_t)up->old_size);
}

/* The 150 text: STOU names the file it made (RFC 1123 4.1.2.9). */
static void
opening_text(struct session *s, const struct upload *up, enum store_how how,
    const char *path, char *text, size_t len)
{
	char parent[VPATH_MAX], shown[VPATH_MAX];

	if (how == ST_UNIQUE && vpath_resolve(path, "..", parent,
	    sizeof parent) == 0 && vpath_resolve(parent, up->file, shown,
	    sizeof shown) == 0)
		snprintf(text, len, "FILE: %s", shown);
	else
		snprintf(text, len, "Opening %s mode data connection for %s.",
		    s->type_ascii ? "ASCII" : "BINARY", path);
}

static void
store(struct session *s, const char *arg, enum store_how how)
{
	char path[VPATH_MAX], text[VPATH_MAX + 64];
	struct upload up;
	uint64_t rest = s->rest;
	struct stat st;
	struct xfer x;
	int dfd, existed, done;

	s->rest = 0;
	if (need_data(s) < 0 ||
	    session_path(s, arg[0] != '\0' ? arg : "labd", path) < 0)
		return;
	if ((up.dir = fs_open_parent(path, &up.name)) < 0) {
		reply_fs_error(s, 553, path);
		return;
	}
	existed = fstatat(up.dir, up.name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (how != ST_UNIQUE && existed && S_ISDIR(st.st_mode)) {
		close(up.dir);
		reply(s, 553, "%s is a directory.", path);
		return;
	}
	if (how == ST_REPLACE &&
	    rest_past_end(s, rest, existed ? &st : NULL, path) < 0) {
		close(up.dir);
		return;
	}
	if (open_upload(s, &up, how, rest, existed) < 0) {
		reply_fs_error(s, 553, path);
		close(up.dir);
		return;
	}
	opening_text(s, &up, how, path, text, sizeof text);
	up.old_size = existed && S_ISREG(st.st_mode) ? (uint64_t)st.st_size :
	    0;
	/* the quota frees what a STOR replaces; a REST+STOR's bytes all
	 * count, though some may overwrite old ones */
	if (upload_limit(s, how == ST_APPEND ? up.old_size : rest,
	    up.temporary ? up.old_size : 0, &x) < 0) {
		abandon_upload(&up);
	} else if ((dfd = open_data(s, text)) >= 0) {
		pump_transfer(s, dfd, up.fd, s->type_ascii ? PUMP_CRLF_TO_LF :
		    PUMP_BINARY, dfd, &x);
		wire_data_end(s, dfd, wire_end_of(&x, 0));
		close(dfd);
		if (x.end == X_FULL)
			undo_upload(&up);
		done = commit_upload(s, &up, &x, path) == 0;
		/* what stays on disk: all but an undone or temporary file */
		quota_end(&x.quota, x.end != X_FULL && (done || !up.temporary));
		if (done) {
			s->stored++;
			reply(s, 226, "Transfer complete.");
		}
	} else {
		quota_end(&x.quota, 0);
		abandon_upload(&up);
	}
	close(up.fd);
	close(up.dir);
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
