/* hostport.c - parse and format 227, 229, PORT and EPRT; see hostport.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "hostport.h"
#include "reply.h"

#define MAX_SHOWN_DIGITS 24	/* longer numbers are cut in messages */

static int
fail(char *why, size_t whylen, const char *msg)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", msg);
	return -1;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *
skip_spaces(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A leading reply code, as reply.c reads one; moves *pp past it.  -1 if
 * the text starts with none. */
static int
leading_code(const char **pp, const char *end)
{
	int code = reply_code_of(*pp, (size_t)(end - *pp));

	if (code >= 0)
		*pp += 3;
	return code;
}

/* One decimal field, saturating so 99999999999999999999 cannot overflow. */
static const char *
read_number(const char *p, const char *end, unsigned long *value)
{
	unsigned long v = 0;

	while (p < end && is_digit(*p)) {
		if (v < 1000000)
			v = v * 10 + (unsigned long)(*p - '0');
		p++;
	}
	*value = v;
	return p;
}

static int
out_of_range(char *why, size_t whylen, const char *digits, const char *end,
    int field)
{
	int n = (int)(end - digits);

	if (n > MAX_SHOWN_DIGITS)
		snprintf(why, whylen, "value %.*s... out of range 0..255 in "
		    "field %d", MAX_SHOWN_DIGITS, digits, field);
	else
		snprintf(why, whylen, "value %.*s out of range 0..255 in "
		    "field %d", n, digits, field);
	return -1;
}

/* Counts the further ",number" fields after the sixth, for the message. */
static int
count_extra_fields(const char *p, const char *end, int lenient)
{
	int extra = 0;
	unsigned long ignored;

	for (;;) {
		const char *q = lenient ? skip_spaces(p, end) : p;
		if (q >= end || *q != ',')
			return extra;
		q++;
		if (lenient)
			q = skip_spaces(q, end);
		if (q >= end || !is_digit(*q))
			return extra;
		p = read_number(q, end, &ignored);
		extra++;
	}
}

/* Six comma-separated numbers 0..255 starting at p.  lenient allows blanks
 * around the commas and any text after the sixth number (RFC 1123 scanning);
 * strict (PORT) allows neither. */
static int
parse_six(const char *p, const char *end, int lenient, struct hp_six *six,
    char *why, size_t whylen)
{
	int field, extra;

	for (field = 1; field <= 6; field++) {
		const char *digits = p;
		unsigned long v;

		if (p >= end || !is_digit(*p)) {
			if (field == 1)
				return fail(why, whylen, "no numbers found");
			snprintf(why, whylen, "expected a number in field %d",
			    field);
			return -1;
		}
		p = read_number(p, end, &v);
		if (v > 255)
			return out_of_range(why, whylen, digits, p, field);
		six->n[field - 1] = (unsigned)v;
		if (field == 6)
			break;
		if (lenient)
			p = skip_spaces(p, end);
		if (p >= end || *p != ',') {
			snprintf(why, whylen, "expected 6 numbers, found %d",
			    field);
			return -1;
		}
		p++;
		if (lenient)
			p = skip_spaces(p, end);
	}
	if ((extra = count_extra_fields(p, end, lenient)) > 0) {
		snprintf(why, whylen, "expected 6 numbers, found %d",
		    6 + extra);
		return -1;
	}
	if (!lenient && p < end) {
		if (*p >= 0x21 && *p <= 0x7e)
			snprintf(why, whylen, "unexpected '%c' after field 6",
			    *p);
		else
			snprintf(why, whylen, "unexpected byte 0x%02x after "
			    "field 6", (unsigned char)*p);
		return -1;
	}
	return 0;
}

static int
six_to_hostport(const struct hp_six *six, struct hostport *out, char *why,
    size_t whylen)
{
	unsigned port = six->n[4] * 256 + six->n[5];

	if (port == 0)
		return fail(why, whylen,
		    "port 0*256+0 = 0 out of range 1..65535");
	out->family = AF_INET;
	snprintf(out->host, sizeof out->host, "%u.%u.%u.%u", six->n[0],
	    six->n[1], six->n[2], six->n[3]);
	out->port = port;
	return 0;
}

int
hp_parse_227(const char *text, size_t len, struct hostport *out,
    struct hp_six *six, char *why, size_t whylen)
{
	const char *p = text, *end = text + len;
	struct hp_six local;
	int code;

	if (six == NULL)
		six = &local;
	p = skip_spaces(p, end);
	code = leading_code(&p, end);
	if (code >= 0 && code != 227) {
		snprintf(why, whylen, "not a 227 reply (code %03d)", code);
		return -1;
	}
	while (p < end && !is_digit(*p))
		p++;
	if (p == end)
		return fail(why, whylen, code == 227 ?
		    "no numbers found in 227 reply" : "no numbers found");
	if (parse_six(p, end, 1, six, why, whylen) < 0)
		return -1;
	return six_to_hostport(six, out, why, whylen);
}

static int
parse_port_field(const char *p, const char *end, const char **stop,
    unsigned *port, char *why, size_t whylen)
{
	const char *digits = p;
	unsigned long v;

	p = read_number(p, end, &v);
	*stop = p;
	if (p == digits)
		return fail(why, whylen, "no port number found");
	if (v < 1 || v > 65535) {
		int n = (int)(p - digits);
		if (n > MAX_SHOWN_DIGITS)
			n = MAX_SHOWN_DIGITS;
		snprintf(why, whylen, "port %.*s out of range 1..65535", n,
		    digits);
		return -1;
	}
	*port = (unsigned)v;
	return 0;
}

int
hp_parse_229(const char *text, size_t len, struct hostport *out,
    char *delim, char *why, size_t whylen)
{
	const char *p = text, *end = text + len;
	int code;
	char d;

	p = skip_spaces(p, end);
	code = leading_code(&p, end);
	if (code >= 0 && code != 229) {
		snprintf(why, whylen, "not a 229 reply (code %03d)", code);
		return -1;
	}
	if (code == 229) {
		const char *paren = memchr(p, '(', (size_t)(end - p));
		if (paren == NULL)
			return fail(why, whylen, "no '(' in 229 reply");
		p = paren + 1;
	} else if (p < end && *p == '(') {
		p++;
	}
	if (p >= end || *p < 0x21 || *p > 0x7e || is_digit(*p))
		return fail(why, whylen, "expected a delimiter such as '|' "
		    "before the port");
	d = *p;
	if (end - p < 3 || p[1] != d || p[2] != d)
		return fail(why, whylen, "mismatched delimiters: expected "
		    "three before the port");
	if (parse_port_field(p + 3, end, &p, &out->port, why, whylen) < 0)
		return -1;
	if (p >= end)
		return fail(why, whylen, "missing delimiter after the port");
	if (*p != d)
		return fail(why, whylen, "mismatched delimiters");
	out->family = AF_UNSPEC;
	out->host[0] = '\0';
	if (delim != NULL)
		*delim = d;
	return 0;
}

int
hp_parse_port_arg(const char *text, size_t len, struct hostport *out,
    char *why, size_t whylen)
{
	struct hp_six six;

	if (parse_six(text, text + len, 0, &six, why, whylen) < 0)
		return -1;
	return six_to_hostport(&six, out, why, whylen);
}

/* Canonical text of a numeric address of the given family, or -1. */
static int
canonical_address(int family, const char *host, char *buf, size_t len)
{
	unsigned char addr[sizeof(struct in6_addr)];

	if (inet_pton(family, host, addr) != 1)
		return -1;
	return inet_ntop(family, addr, buf, (socklen_t)len) ? 0 : -1;
}

int
hp_eprt_unknown_family(const char *text, size_t len)
{
	return len > 0 && (len < 2 || (text[1] != '1' && text[1] != '2'));
}

int
hp_parse_eprt_arg(const char *text, size_t len, struct hostport *out,
    char *why, size_t whylen)
{
	const char *p = text, *end = text + len, *addr, *addr_end;
	char host[HP_HOSTLEN + 1];
	int family;
	char d;

	if (p >= end || *p < 0x21 || *p > 0x7e || is_digit(*p))
		return fail(why, whylen, "expected a delimiter such as '|' "
		    "to open the EPRT argument");
	d = *p++;
	if (hp_eprt_unknown_family(text, len) || end - p < 2 || p[1] != d)
		return fail(why, whylen, "unknown network protocol: use 1 "
		    "(IPv4) or 2 (IPv6)");
	family = p[0] == '1' ? AF_INET : AF_INET6;
	addr = p + 2;
	addr_end = memchr(addr, d, (size_t)(end - addr));
	if (addr_end == NULL)
		return fail(why, whylen, "mismatched delimiters");
	if ((size_t)(addr_end - addr) >= sizeof host)
		return fail(why, whylen, "address too long");
	memcpy(host, addr, (size_t)(addr_end - addr));
	host[addr_end - addr] = '\0';
	if (strlen(host) != (size_t)(addr_end - addr) ||
	    canonical_address(family, host, out->host, sizeof out->host) < 0) {
		snprintf(why, whylen, "'%s' is not a numeric %s address",
		    host, family == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	if (parse_port_field(addr_end + 1, end, &p, &out->port, why,
	    whylen) < 0)
		return -1;
	if (p >= end || *p != d)
		return fail(why, whylen, "mismatched delimiters");
	if (p + 1 != end)
		return fail(why, whylen, "unexpected text after the closing "
		    "delimiter");
	out->family = family;
	return 0;
}

int
hp_set_host(struct hostport *hp, const char *host, char *why, size_t whylen)
{
	if (canonical_address(AF_INET, host, hp->host, sizeof hp->host) == 0) {
		hp->family = AF_INET;
		return 0;
	}
	if (canonical_address(AF_INET6, host, hp->host, sizeof hp->host) ==
	    0) {
		hp->family = AF_INET6;
		return 0;
	}
	snprintf(why, whylen, "'%.64s' is not a numeric IPv4 or IPv6 address",
	    host);
	return -1;
}

int
hp_split_colon(const char *text, char *host, size_t hostlen, char *port,
    size_t portlen, char *why, size_t whylen)
{
	const char *colon, *h = text;
	size_t hlen;

	if (text[0] == '[') {	/* an IPv6 address has colons of its own */
		colon = strchr(text, ']');
		if (colon == NULL || colon[1] != ':') {
			snprintf(why, whylen, "'%.64s' is not [IPV6]:PORT", text);
			return -1;
		}
		h = text + 1;
		hlen = (size_t)(colon - h);
		colon++;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL || strchr(text, ':') != colon) {
			snprintf(why, whylen, "'%.64s' is not HOST:PORT (an "
			    "IPv6 address goes in brackets: [::1]:PORT)", text);
			return -1;
		}
		hlen = (size_t)(colon - h);
	}
	if (hlen == 0 || hlen >= hostlen || strlen(colon + 1) >= portlen) {
		snprintf(why, whylen, "'%.64s' is not HOST:PORT", text);
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

int
hp_parse_port_number(const char *text, unsigned *port, int allow_zero,
    char *why, size_t whylen)
{
	const char *end = text + strlen(text), *stop;
	unsigned long v;

	stop = read_number(text, end, &v);
	if (stop == text || stop != end) {
		snprintf(why, whylen, "port '%.32s' is not a number", text);
		return -1;
	}
	if (v > 65535 || (v == 0 && !allow_zero)) {
		snprintf(why, whylen, "port %.*s out of range %d..65535",
		    (int)(end - text > MAX_SHOWN_DIGITS ? MAX_SHOWN_DIGITS :
		    end - text), text, allow_zero ? 0 : 1);
		return -1;
	}
	*port = (unsigned)v;
	return 0;
}

int
hp_format_port_arg(const struct hostport *hp, char *buf, size_t len)
{
	struct in_addr a;
	const unsigned char *b = (const unsigned char *)&a.s_addr;
	int n;

	if (hp->family != AF_INET || inet_pton(AF_INET, hp->host, &a) != 1)
		return -1;
	n = snprintf(buf, len, "%u,%u,%u,%u,%u,%u", b[0], b[1], b[2], b[3],
	    hp->port / 256, hp->port % 256);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
hp_format_eprt_arg(const struct hostport *hp, char *buf, size_t len)
{
	int n;

	if (hp->family != AF_INET && hp->family != AF_INET6)
		return -1;
	n = snprintf(buf, len, "|%d|%s|%u|", hp->family == AF_INET ? 1 : 2,
	    hp->host, hp->port);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
hp_format(const struct hostport *hp, enum hp_style style, char *buf,
    size_t len)
{
	int n = -1;

	switch (style) {
	case HP_STYLE_SPACE:
		n = hp->host[0] ? snprintf(buf, len, "%s %u", hp->host,
		    hp->port) : snprintf(buf, len, "%u", hp->port);
		break;
	case HP_STYLE_COLON:
		if (hp->family == AF_INET6)
			n = snprintf(buf, len, "[%s]:%u", hp->host, hp->port);
		else
			n = snprintf(buf, len, "%s:%u", hp->host, hp->port);
		break;
	case HP_STYLE_SHELL:
		n = snprintf(buf, len, "FTP_DATA_HOST=%s\nFTP_DATA_PORT=%u",
		    hp->host, hp->port);
		break;
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
hp_port_arithmetic(unsigned port, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%u*256+%u = %u", port / 256, port % 256,
	    port);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The address as 16 bytes of IPv6, IPv4 mapped (::ffff:a.b.c.d). */
static int
as_ipv6(const char *host, unsigned char out[16])
{
	unsigned char v4[4];

	if (inet_pton(AF_INET, host, v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, v4, 4);
		return 0;
	}
	return inet_pton(AF_INET6, host, out) == 1 ? 0 : -1;
}

static int
is_mapped_v4(const unsigned char a[16])
{
	static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };

	return memcmp(a, prefix, sizeof prefix) == 0;
}

int
hp_is_unspecified(const char *host)
{
	static const unsigned char zero[16];
	unsigned char a[16];

	if (as_ipv6(host, a) < 0)
		return 0;
	return memcmp(a, zero, 16) == 0 ||
	    (is_mapped_v4(a) && memcmp(a + 12, zero, 4) == 0);
}

int
hp_is_loopback(const char *host)
{
	static const unsigned char one[16] = { [15] = 1 };
	unsigned char a[16];

	if (as_ipv6(host, a) < 0)
		return 0;
	return memcmp(a, one, 16) == 0 || (is_mapped_v4(a) && a[12] == 127);
}

int
hp_is_private(const char *host)
{
	unsigned char a[16];

	if (as_ipv6(host, a) < 0)
		return 0;
	if (is_mapped_v4(a)) {
		const unsigned char *v4 = a + 12;
		return v4[0] == 10 ||
		    (v4[0] == 172 && (v4[1] & 0xf0) == 16) ||
		    (v4[0] == 192 && v4[1] == 168) ||
		    (v4[0] == 100 && (v4[1] & 0xc0) == 64) ||
		    (v4[0] == 169 && v4[1] == 254);
	}
	return (a[0] & 0xfe) == 0xfc ||			/* fc00::/7 ULA */
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);	/* fe80::/10 */
}

int
hp_same_host(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (as_ipv6(a, x) < 0 || as_ipv6(b, y) < 0)
		return strcmp(a, b) == 0;
	return memcmp(x, y, 16) == 0;
}
