/* labd.h - what the parts of ftp-labd share: the configuration, the
 * session, and one function list per source file.
 *
 * One thread serves one control connection with blocking, straight-line
 * code (docs/labd-design.md says why).  The configuration is written once by
 * main() before the first thread starts and only read afterwards.
 */
#ifndef LABD_H
#define LABD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "command.h"
#include "hostport.h"
#include "linebuf.h"
#include "narrate.h"
#include "ownports.h"
#include "serve.h"
#include "telnet.h"
#include "wireview.h"

#define LABD_LINE_CAP CMD_LINE_CAP	/* longest command line, CRLF
					 * included */
#define VPATH_MAX 1024		/* longest path a client may name */
#define USER_MAX 64

#define HOME_MAX 256
#define SHARED_DIR "pub"	/* ROOT/pub: in every home, read-only */

/* What an account may do (users.c): the letters r, w, d, m. */
enum {
	PERM_READ = 1,		/* r: download, list */
	PERM_WRITE = 2,		/* w: upload (STOR, APPE, STOU), MFMT */
	PERM_DELETE = 4,	/* d: DELE, RMD, RNFR/RNTO */
	PERM_MKDIR = 8,		/* m: MKD */
	PERM_ALL = 15
};

struct user {
	char name[USER_MAX];
	char password[USER_MAX];
	char home[HOME_MAX];		/* below ROOT; "" is ROOT */
	unsigned perms;			/* PERM_* */
	uint64_t quota;			/* bytes the home may hold; 0: any */
	int log_fd;			/* --log-dir NAME.log, or -1 */
};

struct config {
	SERVE_OPTIONS_IN_CONFIG;	/* -l, -p, the timeouts, --wire... */
	const char *root;		/* as given, for messages */
	int root_fd;			/* every file access starts here */
	unsigned pasv_lo, pasv_hi;	/* 0, 0: any port */
	char pasv_address[HP_HOSTLEN];	/* "" : the control connection's */
	int fail_delay_ms;		/* pause before 530 on a wrong password */
	int max_fails;			/* wrong passwords before 421 */
	int max_per_ip;			/* 0: no limit */
	int max_per_user;		/* sessions of one named account; 0: any */
	int read_only;
	int anonymous;			/* anonymous logins allowed */
	struct user guest;		/* what anonymous may do, and where */
	struct user *users;
	size_t nusers;
	uint64_t max_file_size;		/* 0: any */
	int clock;			/* wall-clock times in the narration */
	int unsafe_bounce;		/* --unsafe-allow-bounce */
	int unsafe_pasv_theft;		/* --unsafe-allow-pasv-theft */
};

extern struct config cfg;

struct verb;

struct session {
	unsigned id;
	int ctrl;			/* control connection */
	struct hostport peer;		/* the client, as seen on ctrl */
	struct hostport local;		/* our end of ctrl */
	struct linebuf lb;
	struct telnet tn;
	struct command cmd;
	const struct verb *verb;	/* of the command running */
	long long idle_deadline;	/* for the line being read, or 0 */
	int overlong;			/* skipping the rest of a long line */

	int logged_in;
	int anonymous;
	int user_given;			/* USER seen, PASS expected */
	char user[USER_MAX];
	int fails;
	const struct user *account;	/* after login; &cfg.guest: anonymous */
	int home_fd, pub_fd;		/* the account's root and pub/, or -1 */

	/* for the summary line at the close */
	long long start_ms;
	unsigned commands, errors, stored;
	uint64_t bytes_up, bytes_down;

	char cwd[VPATH_MAX];		/* virtual: "/" is ROOT */
	int type_ascii;
	uint64_t rest;			/* REST offset for the next transfer */
	int epsv_all;
	int pasv_fd;			/* listening for PASV/EPSV, or -1 */
	struct ownport pasv_own;	/* pasv_fd's port, never a PORT's */
	long long pasv_deadline;	/* net_now_ms() when it closes unused */
	int port_set;			/* PORT/EPRT given */
	struct hostport port_target;
	int rnfr_set;
	char rnfr[VPATH_MAX];
	int quit;
	struct wireview ctrl_wire;	/* --wire and --pcap: wire.c */
	struct wireview data_wire;
	int ctrl_reset;			/* a read of ctrl met a reset */

	struct session *prev, *next;	/* the registry, main.c */
};

/* registry.c */
int register_session(struct session *s, char *why, size_t whylen);
void session_end(struct session *s);
void sessions_stop(void);
int server_stopping(void);

/* wire.c: the TCP view of --wire and the capture of --pcap */
enum wire_end {
	WIRE_SENT,		/* the server sent all: its FIN first */
	WIRE_RECEIVED,		/* the client's FIN ended an upload */
	WIRE_CLIENT_RESET,	/* the client reset the data connection */
	WIRE_ABORTED		/* the server cut it short (ABOR, a stall) */
};
void wire_ctrl_open(struct session *s);
size_t wire_filter_hook(void *ctx, char *buf, size_t len);
void wire_ctrl_sent(struct session *s, const void *bytes, size_t len);
void wire_ctrl_end(struct session *s);
void wire_data_open(struct session *s, int fd, enum narrate_side connector,
    const struct hostport *client, const struct hostport *server);
void wire_data_refused(struct session *s, int lfd,
    const struct hostport *thief);
void wire_data_moved(struct session *s, int sending, uint64_t n);
void wire_data_end(struct session *s, int fd, enum wire_end how);


/* vpath.c */
int vpath_resolve(const char *cwd, const char *arg, char *out, size_t len);
const char *vpath_base(const char *vpath);
int vpath_climbs(const char *cwd, const char *arg);

/* fsroot.c */
int fs_open_root(const char *dir);
int fs_portable(void);
int fs_open(const char *vpath, int flags, mode_t mode);
int fs_open_parent(const char *vpath, const char **name);
void fs_set_home(int home, int pub);
int fs_home(void);
int fs_shared(const char *vpath);
void fs_writing(int on);

/* users.c */
int users_read(FILE *f, const char *path, struct user **users, size_t *n,
    char *why, size_t whylen);
int parse_perms(const char *text, unsigned *perms, char *why, size_t whylen);
int users_load(const char *path, struct user **users, size_t *n,
    char *why, size_t whylen);
const struct user *users_check(const char *name, const char *password);
const struct user *users_find(const char *name);
int is_anonymous_name(const char *name);
int users_web_signin(const char *name, const char *password);
int parse_bytes(const char *text, uint64_t *bytes);
unsigned perm_needed(const char *verb);
const char *perm_word(unsigned perm);

/* class.c */
/* Sessions one student may have at once with --class: a client such as
 * FileZilla uses two or three, a terminal or two more. */
#define CLASS_MAX_PER_USER 8
void class_setup(unsigned n, const char *path, uint64_t quota, uid_t owner,
    gid_t group);

/* quota.c: an account's sessions, and its quota across them */
int account_enter(const struct user *u);	/* -1: --max-per-user */
void account_leave(const struct user *u);
struct quota_charge {		/* one upload, for quota_add and quota_end */
	const struct user *account;	/* NULL: no quota */
	uint64_t freed;		/* bytes of the files the upload replaces */
	uint64_t used;		/* what the account held when it began */
	uint64_t received;	/* bytes added by quota_add */
};
/* Starts counting an upload of u (whose root is dir) that will free
 * freed bytes; nothing to count without a quota.  -1 with errno when
 * the files below dir cannot be measured. */
int quota_begin(struct quota_charge *q, const struct user *u, int dir,
    uint64_t freed);
/* n more bytes arrived: -1 when the account is now over its quota. */
int quota_add(struct quota_charge *q, uint64_t n);
/* A STOR's temporary file tmp becomes name (both in dir), freeing the
 * file name holds now, when what stays fits the quota: 0, or -1 with
 * errno (EDQUOT: it would not fit; nothing renamed). */
int quota_commit(struct quota_charge *q, int dir, const char *tmp,
    const char *name);
/* renameat for RNTO, kept apart from quota_commit's measure. */
int quota_rename(int from_dir, const char *from, int to_dir, const char *to);
/* The upload ended: its bytes were kept, or taken back. */
void quota_end(struct quota_charge *q, int kept);

/* privs.c */
struct run_as {
	char name[USER_MAX];
	uid_t uid;
	gid_t gid;
};
void privs_lookup(const char *name, struct run_as *who);
void privs_drop(const struct run_as *who);
/* After privs_drop: dies 77, naming the folder, the user and the fixes,
 * when who cannot read a folder an account is served from (or write one
 * it may change). */
void privs_check(const struct run_as *who);

/* session.c */
void *session_main(void *arg);

/* commands.c: the verb table */
enum {
	F_ANY = 1,		/* allowed before login */
	F_ARG = 2,		/* needs an argument: 501 without */
	F_WRITE = 4,		/* changes files: 550 under --read-only */
	F_UNIMPL = 8		/* recognised, not implemented: 502 */
};
struct verb {
	const char *name;
	void (*run)(struct session *s, const char *arg);
	int flags;
	const char *syntax;	/* the argument, as HELP VERB shows it */
};
const struct verb *verb_find(const char *name);

/* login.c */
void cmd_user(struct session *s, const char *arg);
void cmd_pass(struct session *s, const char *arg);
void log_out(struct session *s);

/* control.c: the control connection, below every command handler. */
void reply(struct session *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void reply_raw(struct session *s, const char *text, size_t len);
/* Bytes exactly as they go on the control connection (0xFF already
 * doubled), shown to --wire and --pcap: every byte the server sends on
 * it goes through here.  -1 when the client is gone (the session ends). */
int control_send(struct session *s, const void *wire, size_t len);
/* 501 with the text, then the running command's syntax. */
void reply_syntax(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum line_status { LINE_OK, LINE_WAKE, LINE_END };
enum line_status next_line(struct session *s, long long wake_at,
    const char **line, size_t *len);
/* What a wait that watches the control connection saw: see
 * control_watch() for each. */
enum ctl_event {
	CTL_READY, CTL_TIMEOUT, CTL_ABORT, CTL_STAT, CTL_GONE, CTL_NOTHING
};
struct pollfd;
enum ctl_event control_watch(struct session *s, struct pollfd *other,
    int timeout_ms);
/* 1 when the control connection is already at end-of-file or reset. */
int control_hung_up(struct session *s, int wait_ms);

/* datachan.c */
void cmd_pasv(struct session *s, const char *arg);
void cmd_epsv(struct session *s, const char *arg);
void cmd_port(struct session *s, const char *arg);
void cmd_eprt(struct session *s, const char *arg);
int data_prepared(struct session *s);
int data_open(struct session *s, enum ctl_event *why);
void data_reset(struct session *s);
long long data_deadline(const struct session *s);
void data_expire(struct session *s);

/* listing.c */
void cmd_list(struct session *s, const char *arg);
void cmd_nlst(struct session *s, const char *arg);
void cmd_mlsd(struct session *s, const char *arg);
void cmd_mlst(struct session *s, const char *arg);
void cmd_stat_path(struct session *s, const char *arg);

/* transfer.c */
int need_data(struct session *s);
void send_data(struct session *s, int fd, int ascii, const char *opening,
    const char *done);
void cmd_retr(struct session *s, const char *arg);
void cmd_stor(struct session *s, const char *arg);
void cmd_appe(struct session *s, const char *arg);
void cmd_stou(struct session *s, const char *arg);

/* files.c */
void cmd_cwd(struct session *s, const char *arg);
void cmd_cdup(struct session *s, const char *arg);
void cmd_pwd(struct session *s, const char *arg);
void cmd_mkd(struct session *s, const char *arg);
void cmd_rmd(struct session *s, const char *arg);
void cmd_dele(struct session *s, const char *arg);
void cmd_rnfr(struct session *s, const char *arg);
void cmd_rnto(struct session *s, const char *arg);
void cmd_size(struct session *s, const char *arg);
void cmd_mdtm(struct session *s, const char *arg);
void cmd_mfmt(struct session *s, const char *arg);
int session_path(struct session *s, const char *arg, char *out);
void reply_fs_error(struct session *s, int code, const char *vpath);
struct stat;
int open_stat(const char *vpath, struct stat *st);

#endif
