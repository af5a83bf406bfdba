/* cli.c - the standard descriptors and the options; see cli.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"

static int closed_at_start[3];

/* open() returns the lowest free number, so filling 0, 1, 2 in order puts
 * /dev/null exactly in the slot that was closed. */
static void
fill_if_closed(int fd)
{
	int got;

	if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
		return;
	closed_at_start[fd] = 1;
	got = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
	if (got != fd)
		_exit(EXIT_OSERR);	/* nowhere to say so */
}

void
cli_start(const char *argv0)
{
	int fd;

	err_set_progname(argv0);
	for (fd = 0; fd <= 2; fd++)
		fill_if_closed(fd);
}

int
cli_was_closed(int fd)
{
	return fd >= 0 && fd <= 2 && closed_at_start[fd];
}

void
cli_need_stdout(const char *what)
{
	if (closed_at_start[1])
		die(EXIT_IOERR, "standard output is closed: %s", what);
}

/* "-x" or "--name" as the user typed it, without any "=value". */
static void
option_as_typed(const char *arg, int optchar, char *out, size_t size)
{
	size_t n;

	if (optchar != 0 || arg == NULL || strncmp(arg, "--", 2) != 0) {
		snprintf(out, size, "-%c", optchar ? optchar : '?');
		return;
	}
	n = strcspn(arg, "=");
	snprintf(out, size, "%.*s", (int)(n < 64 ? n : 64), arg);
}

/* A long option's optopt is its value, which may be a short letter too:
 * only the word as typed tells "--log" from "-l". */
static int
is_flag_option(const struct option *longopts, const char *name)
{
	const struct option *o;

	for (o = longopts; o->name != NULL; o++)
		if (strcmp(o->name, name + 2) == 0)
			return o->has_arg == no_argument;
	return 0;
}

static void
refuse(const struct cli *c, int got, char **argv, int optind_now)
{
	const char *arg = optind_now > 0 ? argv[optind_now - 1] : NULL;
	int is_long = arg != NULL && strncmp(arg, "--", 2) == 0;
	char name[80];

	option_as_typed(arg, is_long ? 0 : optopt, name, sizeof name);
	if (got == ':')
		die_usage("option %s needs an argument", name);
	if (is_long && strchr(arg, '=') != NULL &&
	    is_flag_option(c->longopts, name))
		die_usage("option %s takes no argument", name);
	die_usage("unknown option %s", name);
}

int
cli_next_option(const struct cli *c, int argc, char **argv)
{
	char shortopts[64];
	int got;

	/* A leading ':' makes getopt tell a missing argument from an unknown
	 * option, and opterr = 0 keeps its own message (with the raw argv[0])
	 * off stderr: the one line comes from refuse(). */
	snprintf(shortopts, sizeof shortopts, ":%s", c->shortopts);
	opterr = 0;
	got = getopt_long(argc, argv, shortopts, c->longopts, NULL);
	switch (got) {
	case 'h':
		c->usage(stdout);
		flush_stdout();
		exit(EXIT_OK);
	case 'V':
		printf("%s (rawftp) %s\n", c->name, RAWFTP_VERSION);
		flush_stdout();
		exit(EXIT_OK);
	case '?':
	case ':':
		refuse(c, got, argv, optind);
	}
	return got;
}
