/* hostport.h - the address-and-port arithmetic of FTP data connections.
 *
 * A data connection is named on the control channel in four shapes:
 *   227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)   server -> client, IPv4
 *   229 Entering Extended Passive Mode (|||port|)   server -> client, any family
 *   PORT h1,h2,h3,h4,p1,p2                          client -> server, IPv4
 *   EPRT |af|address|port|                          client -> server, any family
 * where port = p1*256 + p2.  This module parses and formats all four, so the
 * programs never repeat the arithmetic.  Parsers take a length (input may hold
 * NUL bytes) and on failure write one line for the user into a why buffer.
 */
#ifndef RAWFTP_HOSTPORT_H
#define RAWFTP_HOSTPORT_H

#include <stddef.h>

#define HP_HOSTLEN 46		/* INET6_ADDRSTRLEN */
#define HP_WHYLEN 128		/* enough for any message of this module */

struct hostport {
	int family;		/* AF_INET, AF_INET6, or AF_UNSPEC: port only (229) */
	char host[HP_HOSTLEN];	/* numeric, canonical text form */
	unsigned port;		/* 1..65535 */
};

/* The six numbers of a 227 reply or a PORT argument, kept to explain them. */
struct hp_six {
	unsigned n[6];
};

/* 227: RFC 1123 says scan for the first digit after the reply code.  Accepts a
 * whole reply line ("227 Entering Passive Mode (h1,...,p2).", "227 =h1,...")
 * or the bare six numbers.  Returns 0, or -1 with why filled. */
int hp_parse_227(const char *text, size_t len, struct hostport *out,
    struct hp_six *six, char *why, size_t whylen);

/* 229: "(<d><d><d>port<d>)", any printable delimiter, all four the same.
 * Accepts a whole reply line or the bare "|||port|".  out->family is
 * AF_UNSPEC and out->host empty: a 229 names no host.  *delim gets the
 * delimiter (may be NULL). */
int hp_parse_229(const char *text, size_t len, struct hostport *out,
    char *delim, char *why, size_t whylen);

/* PORT argument, strictly "h1,h2,h3,h4,p1,p2" (server side). */
int hp_parse_port_arg(const char *text, size_t len, struct hostport *out,
    char *why, size_t whylen);

/* EPRT argument "<d>af<d>address<d>port<d>", af 1 (IPv4) or 2 (IPv6). */
/* Nonzero when an EPRT argument names a family other than 1 and 2 (RFC
 * 2428: the server then answers 522 and lists the ones it knows). */
int hp_eprt_unknown_family(const char *text, size_t len);
int hp_parse_eprt_arg(const char *text, size_t len, struct hostport *out,
    char *why, size_t whylen);

/* A numeric IPv4 or IPv6 address given by a user; stored canonically
 * (::0001 becomes ::1, ::ffff:1.2.3.4 stays IPv6). */
int hp_set_host(struct hostport *hp, const char *host, char *why,
    size_t whylen);

/* A decimal port 1..65535 given by a user (allow_zero: 0..65535). */
int hp_parse_port_number(const char *text, unsigned *port, int allow_zero,
    char *why, size_t whylen);

/* "HOST:PORT" or "[IPV6]:PORT", as hp_format's colon style writes it,
 * split into its two words (each NUL-terminated, unchecked: pass them to
 * the parsers above).  0, or -1 with why filled. */
int hp_split_colon(const char *text, char *host, size_t hostlen, char *port,
    size_t portlen, char *why, size_t whylen);

/* Formatting.  Each returns 0, or -1 if the buffer is too small or (for
 * PORT) the address is not IPv4. */
int hp_format_port_arg(const struct hostport *hp, char *buf, size_t len);
int hp_format_eprt_arg(const struct hostport *hp, char *buf, size_t len);

enum hp_style {
	HP_STYLE_SPACE,		/* "10.0.0.5 50069": for $(...) and read */
	HP_STYLE_COLON,		/* "10.0.0.5:50069", "[::1]:50069" */
	HP_STYLE_SHELL		/* "FTP_DATA_HOST=10.0.0.5\nFTP_DATA_PORT=50069" */
};
int hp_format(const struct hostport *hp, enum hp_style style, char *buf,
    size_t len);

/* "195*256+149 = 50069" */
int hp_port_arithmetic(unsigned port, char *buf, size_t len);

/* Address classes, for warnings about what a 227 advertises. */
int hp_is_unspecified(const char *host);	/* 0.0.0.0, :: */
int hp_is_private(const char *host);	/* RFC 1918, CGNAT, link-local, ULA */
int hp_is_loopback(const char *host);	/* 127/8, ::1 */
/* Same address, whatever its spelling. */
int hp_same_host(const char *a, const char *b);

#endif
