/* fuzz_session.c - ftp-labd's command dispatcher, driven line by line.
 *
 * Each input is a session: its lines (cut at LF, as linebuf cuts them) go
 * one at a time through run_command(), the function the server's loop
 * calls, on a session whose control connection is one end of a socket
 * pair.  After each line the fuzzer reads what the server sent and checks
 * the rule of RFC 959 that clients rely on: every command gets exactly
 * one final reply (2xx to 5xx), after any number of 1xx, each reply well
 * formed (multi-line replies closed by "NNN "), and a blank line gets
 * nothing.  The served folder is a fresh temporary one.
 *
 * Each line is narrated as the server narrates it, and the narration of
 * everything it leads to is read back: no byte outside printable ASCII
 * but the newline that ends a line may be in it, whatever the client
 * sent (common/narrate escapes peer bytes, for every caller).  The view
 * changes with the input's length: plain, --wire, --ladder, and
 * --show-passwords with --wire.
 *
 * The server may connect out for PORT and EPRT: every active target is
 * pointed at a listener of the fuzzer's own, so no other program's port
 * is ever touched.  --data-timeout is 0, so every wait for a data
 * connection or for data ends at once (425 or 426).
 *
 * tests/helpers/session-replay.c runs the same checks over the seed
 * corpus in `make test`, without libFuzzer.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../tools/ftp-labd/session.c"

static struct user alice = { .name = "alice", .password = "wonderland",
	.perms = PERM_ALL, .log_fd = -1 };
static char root[] = "/tmp/labd-fuzz-XXXXXX";
static int own_port_fd = -1;		/* where active connections go */
static unsigned own_port;
static int narration[2] = { -1, -1 };	/* a pipe: read end, write end */

int
server_stopping(void)
{
	return 0;
}

void
session_end(struct session *s)
{
	close(s->ctrl);
	free(s);
}

/* Removes everything in the folder open on dir, which it closes. */
static void
remove_tree(int dir)
{
	DIR *d = fdopendir(dir);
	struct dirent *de;

	if (d == NULL) {
		close(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		int sub;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW);
		if (sub >= 0)
			remove_tree(sub);
		unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

static void
remove_root(void)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY);

	if (fd >= 0)
		remove_tree(fd);
	rmdir(root);
}

static void
setup_once(void)
{
	struct net_error e;
	struct hostport here;

	if (mkdtemp(root) == NULL || (cfg.root_fd = fs_open_root(root)) < 0)
		abort();
	atexit(remove_root);
	cfg.root = root;
	cfg.idle_timeout = 1;
	cfg.data_timeout = 0;
	cfg.fail_delay_ms = 0;
	cfg.max_fails = 3;
	cfg.anonymous = 1;
	cfg.users = &alice;
	cfg.nusers = 1;
	cfg.guest.perms = PERM_ALL;
	cfg.guest.log_fd = -1;
	if (pipe(narration) < 0)
		abort();
	fcntl(narration[0], F_SETFL, O_NONBLOCK);
	fcntl(narration[1], F_SETFL, O_NONBLOCK);
#ifdef F_SETPIPE_SZ
	fcntl(narration[1], F_SETPIPE_SZ, 1 << 20);	/* one command's lines */
#endif
	cfg.log_fd = narration[1];
	alice.log_fd = narration[1];	/* her own log: the same lines */
	signal(SIGPIPE, SIG_IGN);
	own_port_fd = net_listen("127.0.0.1", "0", AF_INET, 64, &e);
	if (own_port_fd < 0 || net_local(own_port_fd, &here) < 0)
		abort();
	own_port = here.port;
	net_set_nonblocking(own_port_fd, 1);
}

/* Connections the server made to our listener: taken and closed. */
static void
drain_own_port(void)
{
	int fd;

	while ((fd = accept(own_port_fd, NULL, NULL)) >= 0)
		close(fd);
}

/* What the server sent, Telnet IAC IAC turned back into one 0xFF. */
static size_t
read_replies(int fd, char *buf, size_t cap)
{
	size_t n = 0, i, o = 0;
	ssize_t r;

	while (n < cap && (r = recv(fd, buf + n, cap - n, MSG_DONTWAIT)) > 0)
		n += (size_t)r;
	for (i = 0; i < n; i++) {
		buf[o++] = buf[i];
		if ((unsigned char)buf[i] == 0xff && i + 1 < n &&
		    (unsigned char)buf[i + 1] == 0xff)
			i++;
	}
	return o;
}

/* The next CRLF in p..end, or NULL. */
static const char *
find_crlf(const char *p, const char *end)
{
	for (; p + 1 < end; p++)
		if (p[0] == '\r' && p[1] == '\n')
			return p;
	return NULL;
}

static int
is_code(const char *p, size_t len)
{
	return len >= 4 && p[0] >= '1' && p[0] <= '5' &&
	    p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
	    (p[3] == ' ' || p[3] == '-');
}

/* The number of final replies in buf; aborts on a malformed reply or on
 * a 1xx after the final one. */
static int
count_final_replies(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int finals = 0;

	while (p < end) {
		const char *eol = find_crlf(p, end);
		char code[4];

		if (eol == NULL || !is_code(p, (size_t)(eol - p) + 2))
			abort();	/* not a reply line, or no CRLF */
		memcpy(code, p, 3);
		code[3] = '\0';
		if (p[3] == '-') {	/* up to the line "NNN " */
			do {
				p = eol + 2;
				if (p >= end)
					abort();	/* never closed */
				eol = find_crlf(p, end);
				if (eol == NULL)
					abort();
			} while (!(eol - p >= 4 && memcmp(p, code, 3) == 0 &&
			    p[3] == ' '));
		}
		if (code[0] != '1')
			finals++;
		else if (finals > 0)
			abort();	/* a 1xx after the final reply */
		p = eol + 2;
	}
	return finals;
}

/* Reads the narration so far; aborts on a byte that is not printable
 * ASCII or a line's newline. */
static void
check_narration(void)
{
	static char said[1 << 16];
	ssize_t n, i;

	while ((n = read(narration[0], said, sizeof said)) > 0)
		for (i = 0; i < n; i++)
			if ((said[i] < 0x20 || said[i] > 0x7e) && said[i] != '\n')
				abort();	/* a control byte narrated */
}

static void
run_line(struct session *s, int peer, const char *line, size_t len)
{
	static char sent[1 << 20];
	struct command probe;
	size_t n;
	int finals;

	narrate_command(s->id, line, len);	/* as session_main does */
	run_command(s, line, len);
	check_narration();
	if (s->port_set)
		s->port_target.port = own_port;	/* see the comment on top */
	n = read_replies(peer, sent, sizeof sent);
	finals = count_final_replies(sent, n);
	if (cmd_parse(line, len, &probe) == CMD_EMPTY) {
		if (n != 0)
			abort();	/* a blank line gets nothing */
	} else if (finals != 1) {
		abort();		/* one final reply per command */
	}
	drain_own_port();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct session *s;
	int sv[2];

	static const int views[] = { NARRATE_MASK, NARRATE_MASK | NARRATE_WIRE,
		NARRATE_MASK | NARRATE_LADDER,
		NARRATE_SHOW_PASSWORDS | NARRATE_WIRE };

	if (own_port_fd < 0)
		setup_once();
	narrate_start(narration[1], views[size % 4]);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	s = calloc(1, sizeof *s);
	if (s == NULL)
		abort();
	s->id = 1;
	s->ctrl = sv[0];
	hp_set_host(&s->peer, "127.0.0.1", NULL, 0);
	s->peer.port = 40000;
	hp_set_host(&s->local, "127.0.0.1", NULL, 0);
	s->local.port = 21;
	s->pasv_fd = -1;
	s->home_fd = s->pub_fd = -1;
	strcpy(s->cwd, "/");
	lb_init(&s->lb, s->ctrl, LABD_LINE_CAP);
	while (p < end && !s->quit) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		size_t len = lf ? (size_t)(lf - p) + 1 : (size_t)(end - p);

		if (len > LABD_LINE_CAP)	/* next_line answers 500 */
			len = LABD_LINE_CAP;
		run_line(s, sv[1], p, len);
		p += len;
	}
	data_reset(s);
	close(sv[1]);
	log_out(s);
	session_end(s);
	check_narration();
	return 0;
}
