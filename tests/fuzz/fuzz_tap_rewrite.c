/* fuzz_tap_rewrite.c - the ALG's rewriting of control lines
 * (common/alg.c), as ftp-tap uses it, on arbitrary bytes.  The first byte
 * picks the side: a server reply or a client command.  Whatever parses
 * must come out of alg_format() as a line that parses back to the same
 * address, for the tap's own data port put in its place. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "alg.h"

static void
check_rewrite(enum alg_kind kind, const struct hostport *was)
{
	struct hostport mine = { AF_INET, "127.0.0.1", 40000 }, back;
	enum alg_kind kind2;
	char line[ALG_LINE_MAX], why[HP_WHYLEN];
	int n, r;

	if (kind == ALG_EPRT && was->family == AF_INET6)
		mine = (struct hostport){ AF_INET6, "::1", 40000 };
	n = alg_format(kind, &mine, line, sizeof line);
	if (n <= 0 || (size_t)n >= sizeof line || line[n - 1] != '\n')
		abort();
	if (kind == ALG_227 || kind == ALG_229)
		r = alg_parse_reply(line, (size_t)n, &kind2, &back, why,
		    sizeof why);
	else
		r = alg_parse_command(line, (size_t)n, &kind2, &back, why,
		    sizeof why);
	if (r != 1 || kind2 != kind || back.port != mine.port)
		abort();
	if (kind != ALG_229 && strcmp(back.host, mine.host) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostport hp;
	enum alg_kind kind;
	char why[HP_WHYLEN];
	const char *in = (const char *)data + 1;
	int r;

	if (size < 1)
		return 0;
	memset(&hp, 0, sizeof hp);
	if (data[0] & 1)
		r = alg_parse_command(in, size - 1, &kind, &hp, why,
		    sizeof why);
	else
		r = alg_parse_reply(in, size - 1, &kind, &hp, why, sizeof why);
	if (r == 0 && kind != ALG_NONE)
		abort();
	if (r == 1)
		check_rewrite(kind, &hp);
	alg_is_command(in, size - 1, "AUTH");
	return 0;
}
