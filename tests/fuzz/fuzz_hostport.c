/* fuzz_hostport.c - every parser of common/hostport.c on arbitrary bytes.
 * The first byte picks the parser, the rest is its input; each successful
 * parse must round-trip through the matching formatter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hostport.h"

static void
check_round_trip_port(const struct hostport *hp)
{
	char buf[128], why[HP_WHYLEN];
	struct hostport back;

	if (hp_format_port_arg(hp, buf, sizeof buf) < 0)
		abort();
	if (hp_parse_port_arg(buf, strlen(buf), &back, why, sizeof why) < 0 ||
	    back.port != hp->port || strcmp(back.host, hp->host) != 0)
		abort();
}

static void
check_round_trip_eprt(const struct hostport *hp)
{
	char buf[128], why[HP_WHYLEN];
	struct hostport back;

	if (hp_format_eprt_arg(hp, buf, sizeof buf) < 0)
		abort();
	if (hp_parse_eprt_arg(buf, strlen(buf), &back, why, sizeof why) < 0 ||
	    back.port != hp->port || strcmp(back.host, hp->host) != 0)
		abort();
}

static void
check_split_colon(const char *text)
{
	char host[HP_HOSTLEN], port[16], why[HP_WHYLEN], back[128];
	struct hostport hp;

	if (hp_split_colon(text, host, sizeof host, port, sizeof port, why,
	    sizeof why) < 0)
		return;
	if (strlen(host) >= sizeof host || strlen(port) >= sizeof port)
		abort();
	if (hp_set_host(&hp, host, why, sizeof why) < 0 ||
	    hp_parse_port_number(port, &hp.port, 0, why, sizeof why) < 0)
		return;
	if (hp_format(&hp, HP_STYLE_COLON, back, sizeof back) < 0)
		abort();
	if (hp_split_colon(back, host, sizeof host, port, sizeof port, why,
	    sizeof why) < 0 || strcmp(host, hp.host) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostport hp;
	struct hp_six six;
	char why[HP_WHYLEN], text[256];
	const char *in = (const char *)data + 1;
	size_t len = size - 1;

	if (size < 1)
		return 0;
	memset(&hp, 0, sizeof hp);
	switch (data[0] % 6) {
	case 0:
		if (hp_parse_227(in, len, &hp, &six, why, sizeof why) == 0)
			check_round_trip_port(&hp);
		break;
	case 1:
		if (hp_parse_229(in, len, &hp, NULL, why, sizeof why) == 0 &&
		    (hp.port < 1 || hp.port > 65535))
			abort();
		break;
	case 2:
		if (hp_parse_port_arg(in, len, &hp, why, sizeof why) == 0)
			check_round_trip_port(&hp);
		break;
	case 3:
		if (hp_parse_eprt_arg(in, len, &hp, why, sizeof why) == 0)
			check_round_trip_eprt(&hp);
		break;
	case 4:	/* user-typed host and port, as C strings */
		if (len >= sizeof text)
			len = sizeof text - 1;
		memcpy(text, in, len);
		text[len] = '\0';
		if (hp_set_host(&hp, text, why, sizeof why) == 0) {
			hp.port = 21;
			check_round_trip_eprt(&hp);
			hp_is_private(hp.host);
			hp_is_unspecified(hp.host);
		}
		hp_parse_port_number(text, &hp.port, 1, why, sizeof why);
		break;
	case 5:	/* HOST:PORT: a split host must round-trip through hp_format */
		if (len >= sizeof text)
			len = sizeof text - 1;
		memcpy(text, in, len);
		text[len] = '\0';
		check_split_colon(text);
		break;
	}
	return 0;
}
