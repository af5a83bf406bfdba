/* tap.h - what the parts of ftp-tap share: the configuration, the
 * session, and one function list per source file.
 *
 * One thread relays one client's session (main.c says why), in one poll
 * loop over the control connections on both sides, the data port the tap
 * listens on, and the data connections it joins.  The configuration is
 * written once by main() before the first thread starts and only read
 * afterwards.
 */
#ifndef TAP_H
#define TAP_H

#include <stddef.h>
#include <stdint.h>

#include "alg.h"
#include "command.h"
#include "hostport.h"
#include "linebuf.h"
#include "narrate.h"
#include "ownports.h"
#include "pump.h"
#include "reply.h"
#include "serve.h"
#include "telnet.h"
#include "wireview.h"

#define TAP_LINE_CAP CMD_LINE_CAP	/* longest control line, CRLF
					 * included: ftp-labd's */
#define TAP_PENDING 32		/* commands sent on, not yet answered */

struct config {
	SERVE_OPTIONS_IN_CONFIG;	/* -l, -p, the timeouts, --wire... */
	const char *server;		/* as given: a name or an address */
	const char *server_port;
	int alg;			/* rewrite data addresses */
	int fix_pasv;			/* --fix-pasv */
};

extern struct config cfg;		/* config.c */

/* Two sockets joined both ways by the byte pump: a is the client's side,
 * b the server's.  Used for a data connection and for the control
 * connection once TLS makes it opaque.  Each side's end reaches the other
 * as what it was: a FIN as a FIN (shutdown(2) of the other socket, and
 * the other direction goes on), a reset as a reset (an abortive close of
 * the other socket).  The relay is over when both directions have ended,
 * or, for a data connection whose sender the transfer command named
 * (until), when that direction has.  With --wire or --pcap each socket
 * has its wireview (the tap's end of a is the server's end of that
 * connection, of b the client's), and the pump shows them every chunk. */
struct relay_seen {
	struct wireview *in, *out;	/* read from, written to */
	enum narrate_side from;		/* who sent the bytes on both */
};

enum relay_until {
	RELAY_UNTIL_BOTH,		/* both directions end */
	RELAY_UNTIL_AB,			/* the client sends the data */
	RELAY_UNTIL_BA			/* the server sends the data */
};

struct relay {
	int a, b;			/* -1 when closed */
	struct pump_chan ab, ba;	/* client to server, server to client */
	struct wireview *wa, *wb;	/* NULL: not watched */
	struct relay_seen seen_ab, seen_ba;
	int ab_done, ba_done;		/* that direction has ended (FIN) */
	enum relay_until until;
	int broken;			/* a reset, an error or a cut: both
					 * sockets are reset at the close */
	long long last_move;		/* net_now_ms() of progress */
	int trimmed;			/* still since: buffers given back */
};

enum relay_state { RELAY_GOING, RELAY_DONE, RELAY_FAILED };

/* The data connection of a session: first a port the tap listens on,
 * then the pair of connections it joins. */
struct data {
	int listen_fd;			/* -1 when not listening */
	struct ownport own;		/* its port, while it listens */
	int for_client;			/* passive: the client comes */
	char expect[HP_HOSTLEN];	/* the one address that may come */
	struct hostport target;		/* where the tap connects then */
	int refuse_target;		/* target is a third host (227) */
	long long deadline;		/* for the connection to come */
	enum relay_until until;		/* who sends, by the last transfer
					 * command */
	int cut;			/* the last data connection ended in
					 * a reset or a cut: its transfer
					 * cannot have succeeded */
	struct relay r;
	struct wireview wa, wb;		/* the client's leg, the server's */
};

struct session {
	unsigned id;
	int cfd, sfd;			/* control: client's, server's */
	struct hostport client, client_end;	/* the client, our end */
	struct hostport server, server_end;	/* the server, our end */
	struct wireview cwire, swire;	/* control: the client's leg, the
					 * server's (--wire, --pcap) */
	struct linebuf clb, slb;
	int client_overlong, server_overlong;	/* inside a capped line */
	struct reply_parser rp;
	int replacing;			/* the reply being read does not go
					 * on: 0, or the tap's code for it */
	int goodbye;			/* the server said 221 */
	int in_transfer;		/* a 1xx came, no final reply yet */
	int server_eof;			/* the server has left */
	int server_errno;		/* why, when not a plain close */
	int tls;			/* ctl relays bytes, no lines */
	struct relay ctl;
	char held[TAP_LINE_CAP];	/* a final reply waiting for the */
	size_t held_len;		/* data connection to close */
	int holding;
	struct data d;
	long long idle_deadline;
	/* the client's lines read as a server reads them (command.h) */
	struct telnet tn;		/* Telnet commands removed, refused */
	unsigned tn_marks;		/* IPs and Synchs seen at the last line */
	int client_began;		/* bytes came since the last whole line */
	long long line_deadline;	/* a line begun must end by then, or 0 */
	/* each command sent on to the server, oldest first, so that a
	 * reply is read as the answer to the command that asked for it */
	unsigned char pending[TAP_PENDING];	/* enum cmd_watch */
	unsigned pending_first, pending_count;
	int greeted;			/* the server's greeting has come */
	int lane_open;			/* --ladder: a data lane is drawn */
};

/* wire.c: --wire and --pcap */
int watching(void);
void watch_leg(struct session *s, struct wireview *w, int fd, int data,
    int server_leg, enum narrate_side connector);
size_t seen_from_client(void *ctx, char *buf, size_t len);
size_t seen_from_server(void *ctx, char *buf, size_t len);

/* session.c */
struct session *session_new(int fd, const struct hostport *peer,
    unsigned id);
void *session_main(void *arg);
void session_end(struct session *s);
int send_client(struct session *s, const char *text, size_t len);
int send_server(struct session *s, const char *text, size_t len);

/* data.c */
void data_init(struct data *d);
int data_listen(struct session *s, int for_client, struct hostport *where);
int data_own_port(const struct session *s, const struct hostport *t);
void data_accept(struct session *s);
void data_check(struct session *s, int ready);
int data_relaying(const struct session *s);
int data_busy(const struct session *s);
int data_timeout_ms(const struct session *s);
void data_close(struct session *s);
void data_command(struct session *s, const char *line, size_t len);
int data_cut_reply(struct session *s, int code);

/* relay.c */
void relay_init(struct relay *r);
int relay_open(struct relay *r, int a, int b, struct wireview *wa,
    struct wireview *wb);
int relay_pollfds(const struct relay *r, struct pollfd *pfd);
enum relay_state relay_step(struct relay *r);
int relay_trim_ms(const struct relay *r);
void relay_cut(struct relay *r);
void relay_reset(int fd);
void relay_close(struct relay *r);

#endif
