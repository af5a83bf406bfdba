/* err.h - diagnostics on stderr and the exit codes every program uses.
 *
 * Messages are one line, prefixed with the program's name, as in BSD err(3).
 * Exit codes follow sysexits(3) so scripts can tell failures apart.
 */
#ifndef RAWFTP_ERR_H
#define RAWFTP_ERR_H

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILURE_REPLY = 1,	/* the peer said no (ftp-raw --fail) */
	EXIT_USAGE = 64,	/* EX_USAGE: bad options or arguments */
	EXIT_DATAERR = 65,	/* EX_DATAERR: input could not be parsed */
	EXIT_NOINPUT = 66,	/* EX_NOINPUT: an input file cannot be opened */
	EXIT_NOHOST = 68,	/* EX_NOHOST: name does not resolve */
	EXIT_UNAVAILABLE = 69,	/* EX_UNAVAILABLE: refused or unreachable */
	EXIT_SOFTWARE = 70,	/* EX_SOFTWARE: internal error */
	EXIT_OSERR = 71,	/* EX_OSERR: out of memory, fork failed */
	EXIT_CANTCREAT = 73,	/* EX_CANTCREAT: cannot open an output file */
	EXIT_IOERR = 74,	/* EX_IOERR: connection lost, write failed */
	EXIT_TEMPFAIL = 75,	/* EX_TEMPFAIL: timed out */
	EXIT_PROTOCOL = 76,	/* EX_PROTOCOL: the peer wants what we cannot
				 * speak (TLS after AUTH) */
	EXIT_NOPERM = 77	/* EX_NOPERM: permission denied (bind to port 21) */
};

/* Set once from main(): the basename of argv[0] prefixes every message. */
void err_set_progname(const char *argv0);
const char *err_progname(void);

/* "prog: message" on stderr. */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: message: strerror(errno)" on stderr. */
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* warn_msg, then exit with code. */
void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* warn_errno, then exit with code. */
void die_errno(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/* Flush stdout; when that fails (disk full, a closed pipe with SIGPIPE
 * ignored), "prog: writing to stdout: reason" and exit 74. */
void flush_stdout(void);

/* "prog: message", one line that names what was wrong, then exit 64
 * (the man page and --help say the rest). */
void die_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
