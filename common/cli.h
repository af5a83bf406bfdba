/* cli.h - every program's front door: the standard descriptors first,
 * then the options, with -h/--help and -V/--version and one line for a bad
 * option, the same in every program.
 *
 * A program started with fd 0, 1 or 2 closed would get that number for its
 * first socket, and then write its output into the socket.  cli_start()
 * puts /dev/null in any closed slot before anything else is opened, and
 * remembers which were closed, so a program that must write on stdout can
 * refuse to run (cli_need_stdout) instead of writing into nothing.
 */
#ifndef RAWFTP_CLI_H
#define RAWFTP_CLI_H

#include <getopt.h>
#include <stdio.h>

struct cli {
	const char *name;		/* "ftp-raw": for --version */
	void (*usage)(FILE *out);	/* the --help text */
	const char *shortopts;		/* getopt's, with h and V in it */
	const struct option *longopts;	/* with "help" 'h', "version" 'V' */
};

/* Sets the program name for messages, and fills closed fds 0-2. */
void cli_start(const char *argv0);

/* Whether fd 0, 1 or 2 was closed when the program started. */
int cli_was_closed(int fd);

/* "prog: standard output is closed: WHAT" and exit 74, when fd 1 was
 * closed at start; otherwise nothing. */
void cli_need_stdout(const char *what);

/* The next option, as getopt_long returns it, with optarg set.  -h and
 * -V are answered here and exit 0; an unknown option, a missing argument
 * or an unwanted one gets one line that names the option, and exit 64.
 * Returns -1 at the end of the options (optind is then the first
 * operand). */
int cli_next_option(const struct cli *c, int argc, char **argv);

#endif
