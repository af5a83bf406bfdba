/* ftp-labd - a small, strict FTP server for labs that narrates both
 * channels as it serves.
 *
 * Reading order: usage(), the options (those ftp-tap takes too are read
 * by common/serve), then main(): open ROOT, listen, print "listening on
 * HOST port PORT", and accept.  Each accepted control
 * connection gets a thread running session_main() (session.c).  SIGINT and
 * SIGTERM stop the accept loop; every session then answers 421 and ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "labd.h"
#include "net.h"
#include "optnum.h"
#include "privfile.h"
#include "narrate.h"
#include "serve.h"
#include "web.h"

/* Thread stacks: small, so 1000 idle sessions fit in little memory. */
#define LABD_STACK SERVE_STACK(128 * 1024)

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ftp-labd [-q] [-r ROOT] [-l ADDR] [-p PORT] [--read-only]\n"
"                [--users FILE] [--no-anonymous] [--pasv-ports LO-HI]\n"
"                [--pasv-address IP] [--idle-timeout SECS]\n"
"                [--data-timeout SECS] [--max-sessions N] [--max-per-ip N]\n"
"                [--max-per-user N]\n"
"                [--fail-delay MSECS] [--log FILE] [--wire]\n"
"                [--show-passwords] [--pcap FILE] [--ladder]\n"
"                [--unsafe-allow-bounce] [--unsafe-allow-pasv-theft]\n"
"                [--log-dir DIR] [--clock] [--class N] [--class-file FILE]\n"
"                [--quota BYTES] [--max-file-size BYTES]\n"
"                [--anonymous-perms LETTERS] [--user NAME | --stay-root]\n"
"                [--web ADDR:PORT]\n"
"Serve ROOT (default: the current directory) over FTP on ADDR port PORT\n"
"(default 127.0.0.1 port 2121), narrating both channels on stderr.\n"
"  -r ROOT              the folder clients see as /\n"
"  -l ADDR              listen on this IPv4 or IPv6 address (::1)\n"
"  -p PORT              listen on PORT; 0 picks a free one\n"
"  -q                   no narration (unless --log)\n"
"  --log FILE           narration to FILE (appended) instead of stderr\n"
"  --read-only          refuse every command that changes a file\n"
"  --users FILE         named accounts, one a line:\n"
"                       name:password[:home[:permissions[:quota]]]\n"
"  --class N            accounts student01..N, each with a home below\n"
"                       ROOT/home and the shared, read-only ROOT/pub\n"
"  --class-file FILE    where --class writes the accounts and passwords\n"
"                       (default class-accounts.txt, not in a git\n"
"                       checkout; kept if it exists)\n"
"  --quota BYTES        what each --class home may hold (K, M, G)\n"
"  --max-file-size BYTES  552 for an upload over BYTES (K, M, G)\n"
"  --anonymous-perms LETTERS  what anonymous may do: r w d m (default\n"
"                       rwdm; r with --class)\n"
"  --log-dir DIR        narration to DIR/class.log, and each user's own\n"
"                       lines to DIR/NAME.log too\n"
"  --clock              wall-clock times in the narration\n"
"  --user NAME          started as root: serve as NAME (default nobody)\n"
"  --stay-root          started as root: serve as root all the same\n"
"  --no-anonymous       refuse USER anonymous and USER ftp\n"
"  --pasv-ports LO-HI   ports PASV and EPSV listen on\n"
"  --pasv-address IP    IPv4 address PASV advertises (NAT lessons)\n"
"  --idle-timeout SECS  421 after SECS without a command (default 300)\n"
"  --data-timeout SECS  425 when no data connection within SECS; also\n"
"                       the longest stall of a transfer (default 60)\n"
"  --max-sessions N     421 to clients over N sessions (default 2000)\n"
"  --max-per-ip N       421 to an address with N sessions (default: none)\n"
"  --max-per-user N     530 to a login of an account with N sessions\n"
"                       (default: 8 with --class, else none)\n"
"  --fail-delay MSECS   pause before 530 on a wrong password (1000)\n"
"  --wire               narrate lines as they crossed the wire (\\r\\n)\n"
"                       and the TCP events: connects, FIN, RST\n"
"  --show-passwords     narrate PASS and ACCT arguments in clear\n"
"  --pcap FILE          write every connection to FILE, a pcap capture\n"
"                       that Wireshark opens (rebuilt, not captured)\n"
"  --ladder             draw the narration as a sequence diagram\n"
"  --web ADDR:PORT      every session live in a browser (web view)\n"
"  --unsafe-allow-bounce       let PORT/EPRT name another address\n"
"  --unsafe-allow-pasv-theft   let any address use a passive port\n"
"                       (both for labs: loopback only, with a warning)\n"
"  --help, --version\n");
}

/* ---- options ---- */

static void
pasv_ports(const char *text)
{
	char lo[16];
	const char *dash = strchr(text, '-');

	if (dash == NULL || (size_t)(dash - text) >= sizeof lo)
		die_usage("--pasv-ports: '%s' is not LO-HI", text);
	memcpy(lo, text, (size_t)(dash - text));
	lo[dash - text] = '\0';
	cfg.pasv_lo = (unsigned)opt_number("--pasv-ports", lo, 1, 65535);
	cfg.pasv_hi = (unsigned)opt_number("--pasv-ports", dash + 1, 1, 65535);
	if (cfg.pasv_lo > cfg.pasv_hi)
		die_usage("--pasv-ports: %u is above %u", cfg.pasv_lo,
		    cfg.pasv_hi);
}

static void
set_address(char *dst, const char *text, const char *opt, int v4_only)
{
	struct hostport hp;
	char why[HP_WHYLEN];

	if (hp_set_host(&hp, text, why, sizeof why) < 0)
		die_usage("%s: %s", opt, why);
	if (v4_only && hp.family != AF_INET)
		die_usage("%s: '%s' is not an IPv4 address (a 227 reply can "
		    "only carry IPv4)", opt, text);
	snprintf(dst, HP_HOSTLEN, "%s", hp.host);
}

enum {
	OPT_PASV_PORTS = 256, OPT_PASV_ADDRESS, OPT_MAX_PER_IP,
	OPT_READ_ONLY, OPT_USERS, OPT_NO_ANON, OPT_FAIL_DELAY,
	OPT_UNSAFE_BOUNCE, OPT_UNSAFE_PASV_THEFT, OPT_CLASS, OPT_CLASS_FILE,
	OPT_QUOTA, OPT_MAX_FILE, OPT_ANON_PERMS, OPT_LOG_DIR, OPT_CLOCK,
	OPT_USER, OPT_STAY_ROOT, OPT_MAX_PER_USER
};

static const struct option longopts[] = {
	SERVE_LONGOPTS,
	{ "pasv-ports", required_argument, NULL, OPT_PASV_PORTS },
	{ "pasv-address", required_argument, NULL, OPT_PASV_ADDRESS },
	{ "max-per-ip", required_argument, NULL, OPT_MAX_PER_IP },
	{ "max-per-user", required_argument, NULL, OPT_MAX_PER_USER },
	{ "read-only", no_argument, NULL, OPT_READ_ONLY },
	{ "users", required_argument, NULL, OPT_USERS },
	{ "no-anonymous", no_argument, NULL, OPT_NO_ANON },
	{ "fail-delay", required_argument, NULL, OPT_FAIL_DELAY },
	{ "unsafe-allow-bounce", no_argument, NULL, OPT_UNSAFE_BOUNCE },
	{ "unsafe-allow-pasv-theft", no_argument, NULL,
	    OPT_UNSAFE_PASV_THEFT },
	{ "class", required_argument, NULL, OPT_CLASS },
	{ "class-file", required_argument, NULL, OPT_CLASS_FILE },
	{ "quota", required_argument, NULL, OPT_QUOTA },
	{ "max-file-size", required_argument, NULL, OPT_MAX_FILE },
	{ "anonymous-perms", required_argument, NULL, OPT_ANON_PERMS },
	{ "log-dir", required_argument, NULL, OPT_LOG_DIR },
	{ "clock", no_argument, NULL, OPT_CLOCK },
	{ "user", required_argument, NULL, OPT_USER },
	{ "stay-root", no_argument, NULL, OPT_STAY_ROOT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct cli front_door = {
	"ftp-labd", usage, "r:" SERVE_SHORTOPTS "hV", longopts
};

static void
load_users(const char *path)
{
	char why[256];

	if (users_load(path, &cfg.users, &cfg.nusers, why, sizeof why) < 0)
		die(EXIT_DATAERR, "--users: %s", why);
}

/* ---- the unsafe lab switches ---- */

/* The unsafe switches open a hole only a machine's own users can reach:
 * refused on any address but loopback; said loudly when given. */
static void
check_unsafe(const char *opt, const char *what)
{
	if (!hp_is_loopback(cfg.listen_addr))
		die_usage("%s: only when listening on a loopback address "
		    "(-l 127.0.0.1 or -l ::1), not %s", opt, cfg.listen_addr);
	warn_msg("warning: %s: %s (loopback only, for a lab)", opt, what);
}

static void
warn_unsafe(void)
{
	if (cfg.unsafe_bounce)
		check_unsafe("--unsafe-allow-bounce", "PORT and EPRT may name "
		    "any address: the bounce attack works");
	if (cfg.unsafe_pasv_theft)
		check_unsafe("--unsafe-allow-pasv-theft", "anyone may connect "
		    "to a passive port first: PASV theft works");
}

/* What the options ask for beyond cfg, for main() to do in order. */
static struct {
	const char *log_dir;		/* --log-dir DIR */
	unsigned class_size;		/* --class N; 0: no class */
	const char *class_file;
	uint64_t quota;
	const char *anon_perms;		/* --anonymous-perms, or NULL */
	const char *run_as;		/* --user NAME, or NULL */
	int stay_root;
	int max_per_user;		/* --max-per-user N; 0: the default */
} want;

/* 1 when DIR (cut down in place) or a folder above it holds .git. */
static int
in_git_checkout(char *dir)
{
	char probe[4096 + 8];
	char *slash;
	struct stat st;

	for (;;) {
		snprintf(probe, sizeof probe, "%s/.git", dir);
		if (lstat(probe, &st) == 0)
			return 1;
		slash = strrchr(dir, '/');
		if (slash == NULL || slash == dir)
			return 0;
		*slash = '\0';
	}
}

/* --class without --class-file: class-accounts.txt here, unless here is
 * a git checkout, where the passwords would end up committed. */
static const char *
default_class_file(void)
{
	char here[4096];

	if (getcwd(here, sizeof here) != NULL && in_git_checkout(here))
		die_usage("--class: class-accounts.txt (the students' "
		    "passwords) is not written inside the git checkout %s; "
		    "name the file with --class-file", here);
	return "class-accounts.txt";
}

static uint64_t
opt_bytes(const char *opt, const char *text)
{
	uint64_t n;

	if (parse_bytes(text, &n) < 0)
		die_usage("%s: '%s' is not a number of bytes (digits, then K, "
		    "M or G if you like)", opt, text);
	return n;
}

static void
anonymous_perms(const char *letters)
{
	char why[160];

	if (parse_perms(letters, &cfg.guest.perms, why, sizeof why) < 0)
		die_usage("--anonymous-perms: %s", why);
}

static void
parse_options(int argc, char **argv)
{
	int c;

	while ((c = cli_next_option(&front_door, argc, argv)) != -1) {
		if (serve_option(&cfg.serve, c, optarg))
			continue;
		switch (c) {
		case 'r': cfg.root = optarg; break;
		case OPT_PASV_PORTS: pasv_ports(optarg); break;
		case OPT_PASV_ADDRESS:
			set_address(cfg.pasv_address, optarg, "--pasv-address",
			    1);
			break;
		case OPT_MAX_PER_IP:
			cfg.max_per_ip = (int)opt_number("--max-per-ip",
			    optarg, 1, 100000);
			break;
		case OPT_MAX_PER_USER:
			want.max_per_user = (int)opt_number("--max-per-user",
			    optarg, 1, 100000);
			break;
		case OPT_READ_ONLY: cfg.read_only = 1; break;
		case OPT_USERS: load_users(optarg); break;
		case OPT_NO_ANON: cfg.anonymous = 0; break;
		case OPT_FAIL_DELAY:
			cfg.fail_delay_ms = (int)opt_number("--fail-delay",
			    optarg, 0, 60000);
			break;
		case OPT_UNSAFE_BOUNCE: cfg.unsafe_bounce = 1; break;
		case OPT_UNSAFE_PASV_THEFT: cfg.unsafe_pasv_theft = 1; break;
		case OPT_CLASS:
			want.class_size = (unsigned)opt_number("--class",
			    optarg, 1, 999);
			break;
		case OPT_CLASS_FILE: want.class_file = optarg; break;
		case OPT_QUOTA: want.quota = opt_bytes("--quota", optarg); break;
		case OPT_MAX_FILE:
			cfg.max_file_size = opt_bytes("--max-file-size",
			    optarg);
			break;
		case OPT_ANON_PERMS: want.anon_perms = optarg; break;
		case OPT_LOG_DIR: want.log_dir = optarg; break;
		case OPT_CLOCK: cfg.clock = 1; break;
		case OPT_USER: want.run_as = optarg; break;
		case OPT_STAY_ROOT: want.stay_root = 1; break;
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!cfg.anonymous && cfg.nusers == 0 && want.class_size == 0)
		die_usage("--no-anonymous without --users leaves no way to "
		    "log in");
	warn_unsafe();
	if (want.run_as != NULL && want.stay_root)
		die_usage("--user and --stay-root: choose one");
	if (want.quota > 0 && want.class_size == 0)
		die_usage("--quota is for --class; in a --users file a quota "
		    "is the fifth field");
	cfg.max_per_user = want.max_per_user;
	if (want.class_size > 0 && want.max_per_user == 0)
		cfg.max_per_user = CLASS_MAX_PER_USER;
	if (want.class_size > 0 && want.class_file == NULL)
		want.class_file = default_class_file();
	if (want.class_size > 0) {	/* anonymous reads pub/, no more */
		cfg.guest.perms = PERM_READ;
		snprintf(cfg.guest.home, sizeof cfg.guest.home, SHARED_DIR);
	}
	if (want.anon_perms != NULL)
		anonymous_perms(want.anon_perms);
	/* the students' logs are narration lines, which the ladder draws
	 * instead of writing: they would stay empty */
	if (want.log_dir != NULL && (cfg.serve.narrate_flags & NARRATE_LADDER))
		die_usage("--log-dir and --ladder: choose one (the ladder "
		    "draws instead of writing the lines a student's log "
		    "holds; --web shows a class)");
	serve_options_end(&cfg.serve);
}

/* ---- a classroom: accounts, logs, privileges ---- */

/* DIR/NAME.log, appended to, private: common/privfile refuses a link,
 * a file of someone else's, and a folder others can write. */
static int
open_in_dir(int dir, const char *dirname, const char *name)
{
	char file[USER_MAX + 8];
	int fd;

	snprintf(file, sizeof file, "%s.log", name);
	fd = privfile_open_in("--log-dir", dirname, dir, file, O_APPEND);
	privfile_seal(fd, "--log-dir", dirname);
	return fd;
}

/* --log-dir: the whole class in class.log (unless --log says where),
 * and each account's lines in its own file as well. */
static void
open_log_dir(const char *path)
{
	size_t i;
	int dir;

	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die_errno(EXIT_CANTCREAT, "--log-dir %s", path);
	if ((dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die_errno(EXIT_CANTCREAT, "--log-dir %s", path);
	if (cfg.log == NULL)
		cfg.log_fd = open_in_dir(dir, path, "class");
	for (i = 0; i < cfg.nusers; i++)
		cfg.users[i].log_fd = open_in_dir(dir, path,
		    cfg.users[i].name);
	cfg.guest.log_fd = open_in_dir(dir, path, "anonymous");
	close(dir);
}

/* Started as root: who to become after binding (who->uid 0: stay). */
static void
choose_identity(struct run_as *who)
{
	memset(who, 0, sizeof *who);
	if (geteuid() != 0) {
		if (want.run_as != NULL)
			die_usage("--user %s: only a server started as root "
			    "can change user", want.run_as);
		who->uid = geteuid();
		return;
	}
	if (!want.stay_root)
		privs_lookup(want.run_as ? want.run_as : "nobody", who);
}

/* After binding: root no more, unless --stay-root; narrated either way. */
static void
leave_root(const struct run_as *who)
{
	if (geteuid() != 0)
		return;
	if (want.stay_root) {
		narrate_printf(0, "privileges: serving as root (--stay-root): "
		    "every file a client names is opened with root's rights");
		return;
	}
	privs_drop(who);
	privs_check(who);
	narrate_printf(0, "privileges: started as root; now serving as %s "
	    "(uid %u, gid %u)", who->name, (unsigned)who->uid,
	    (unsigned)who->gid);
}

/* ---- accepting ---- */

static struct session *
new_session(int fd, const struct hostport *peer, unsigned id)
{
	struct session *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->id = id;
	s->ctrl = fd;
	s->peer = *peer;
	net_local(fd, &s->local);
	/* a client that reads no reply for the idle timeout is as gone as
	 * one that sends nothing: no write may hold the session for ever */
	net_setup_control(fd, cfg.idle_timeout * 1000);
	lb_init(&s->lb, fd, LABD_LINE_CAP);
	telnet_init(&s->tn);
	s->lb.filter = wire_filter_hook;	/* then telnet_filter_hook */
	s->lb.filter_ctx = s;
	s->pasv_fd = -1;
	s->home_fd = s->pub_fd = -1;
	strcpy(s->cwd, "/");
	return s;
}

static void
start_session(int fd, const struct hostport *peer, unsigned id)
{
	char why[160];
	struct session *s;

	if (serve_admit(cfg.max_sessions, fd, peer, id) < 0)
		return;
	if ((s = new_session(fd, peer, id)) == NULL) {
		serve_leave();
		serve_refuse(fd, id, peer, "Out of memory.");
		return;
	}
	if (register_session(s, why, sizeof why) < 0) {
		free(s);
		serve_leave();
		serve_refuse(fd, id, peer, why);
		return;
	}
	if (serve_thread(session_main, s, LABD_STACK) < 0) {
		s->ctrl = -1;
		session_end(s);
		serve_refuse(fd, id, peer,
		    "Out of resources; try again later.");
	}
}

int
main(int argc, char **argv)
{
	struct hostport here;
	struct run_as who;
	int lfd;

	cli_start(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_options(argc, argv);
	choose_identity(&who);
	if ((cfg.root_fd = fs_open_root(cfg.root)) < 0)
		die_errno(EXIT_USAGE, "-r %s: cannot open as a directory",
		    cfg.root);
	if (want.class_size > 0)
		class_setup(want.class_size, want.class_file, want.quota,
		    geteuid() == 0 && !want.stay_root ? who.uid : (uid_t)-1,
		    who.gid);
	if (want.log_dir != NULL)
		open_log_dir(want.log_dir);
	serve_narrate_start(&cfg.serve, cfg.clock ? NARRATE_CLOCK : 0);
	if (want.class_size > 0)
		narrate_printf(0, "class: %u students, accounts and "
		    "passwords in %s", want.class_size, want.class_file);
	serve_raise_fd_limit();	/* 1000 sessions need more than 1024 fds */
	serve_setup_signals();
	lfd = serve_listen(&cfg.serve, &here);
	leave_root(&who);
	if (cfg.nusers > 0)	/* a student sees their own sessions */
		web_accounts(users_web_signin, cfg.fail_delay_ms);
	serve_announce(&here);
	narrate_printf(0, "serving %s on %s port %u (%s, %s confinement)",
	    cfg.root, here.host, here.port, cfg.read_only ? "read-only" : "writable",
	    fs_portable() ? "portable walk" : "openat2");
	serve_accept_loop(lfd, start_session);
	/* every session answers 421 and ends */
	serve_drain(&cfg.serve, lfd, sessions_stop);
	return EXIT_OK;
}
