/* fuzz_command.c - ftp-labd's command-line parser and virtual paths.
 *
 * cmd_parse() splits whatever a client sends; vpath_resolve() turns a
 * client's path into the normalised virtual path that fsroot.c opens.
 * Checked properties: a parsed verb is 3-4 upper-case letters, an argument
 * holds no NUL and no line end; a virtual path starts with '/', has no
 * empty, "." or ".." component, and normalising it again changes nothing.
 */
#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "command.h"
#include "../../tools/ftp-labd/vpath.c"

static struct command cmd;

static void
check_command(const uint8_t *data, size_t size)
{
	const uint8_t *lf = memchr(data, '\n', size);
	enum cmd_status st;
	size_t i, n;

	/* the server parses one line at a time, as linebuf cuts them */
	if (lf != NULL)
		size = (size_t)(lf - data) + 1;
	if (size > LABD_LINE_CAP)
		size = LABD_LINE_CAP;
	st = cmd_parse((const char *)data, size, &cmd);
	if (st != CMD_OK)
		return;
	n = strlen(cmd.verb);
	assert(n == 3 || n == 4);
	for (i = 0; i < n; i++)
		assert(isupper((unsigned char)cmd.verb[i]));
	n = strlen(cmd.arg);
	assert(cmd.has_arg == (n > 0));
	assert(n == 0 || cmd.arg[n - 1] != '\n');
	assert(strchr(cmd.arg, '\r') == NULL);	/* replies quote it */
	assert(memchr(data, '\0', size) == NULL);
}

static void
check_vpath(const char *p)
{
	const char *c;

	assert(p[0] == '/');
	assert(strcmp(p, "/") == 0 || p[strlen(p) - 1] != '/');
	assert(strstr(p, "//") == NULL);
	for (c = p; c != NULL && *c != '\0'; c = strchr(c + 1, '/')) {
		const char *name = c + 1;
		size_t len = strcspn(name, "/");
		if (strcmp(p, "/") == 0)
			break;
		assert(len > 0);
		assert(!(len == 1 && name[0] == '.'));
		assert(!(len == 2 && name[0] == '.' && name[1] == '.'));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char raw_cwd[VPATH_MAX], arg[2 * VPATH_MAX], cwd[VPATH_MAX];
	char out[VPATH_MAX], again[VPATH_MAX];
	size_t split, alen;

	check_command(data, size);
	if (size == 0)
		return 0;
	/* first byte: where the cwd ends and the argument begins */
	split = data[0] % (size < VPATH_MAX ? size : VPATH_MAX);
	memcpy(raw_cwd, data + 1, split > 0 ? split - 1 : 0);
	raw_cwd[split > 0 ? split - 1 : 0] = '\0';
	alen = size - (split > 0 ? split : 1);
	if (alen >= sizeof arg)
		alen = sizeof arg - 1;
	memcpy(arg, data + (split > 0 ? split : 1), alen);
	arg[alen] = '\0';
	if (vpath_resolve("/", raw_cwd, cwd, sizeof cwd) < 0)
		return 0;
	check_vpath(cwd);
	if (vpath_resolve(cwd, arg, out, sizeof out) < 0)
		return 0;
	check_vpath(out);
	assert(vpath_resolve("/", out, again, sizeof again) == 0);
	assert(strcmp(out, again) == 0);
	assert(strcmp(vpath_base(out), "") != 0);
	return 0;
}
