/* alg.h - the FTP helper of a NAT router (an application-level gateway):
 * find the data address in a control line and write another in its place.
 *
 * A relay between client and server must carry the data connections too,
 * or it cannot see them (and behind a NAT they fail).  Four lines name a
 * data address: the server's 227 and 229 replies, the client's PORT and
 * EPRT commands.  The relay reads the address with alg_parse_reply() or
 * alg_parse_command(), listens on a port of its own, and sends on the line
 * alg_format() writes for that port.  Everything takes a pointer and a
 * length, so it runs (and is fuzzed) without a socket.
 */
#ifndef RAWFTP_ALG_H
#define RAWFTP_ALG_H

#include <stddef.h>

#include "hostport.h"

enum alg_kind {
	ALG_NONE,		/* the line names no data address */
	ALG_227,		/* 227 Entering Passive Mode (h1,...,p2) */
	ALG_229,		/* 229 Entering Extended Passive Mode (|||p|) */
	ALG_PORT,		/* PORT h1,h2,h3,h4,p1,p2 */
	ALG_EPRT		/* EPRT |af|address|port| */
};

/* The longest line alg_format() writes, CRLF and NUL included. */
#define ALG_LINE_MAX 96

/* A whole reply line (CRLF optional) that ends a reply.  Returns 1 with
 * *kind and *where set (a 229 leaves where->host empty), 0 if the line is
 * not a 227 or 229, -1 if it is one whose address cannot be read (why
 * says what was wrong; *kind is set). */
int alg_parse_reply(const char *line, size_t len, enum alg_kind *kind,
    struct hostport *where, char *why, size_t whylen);

/* A command line from the client (CRLF optional), verb in any case.
 * Returns as alg_parse_reply() does, for PORT and EPRT. */
int alg_parse_command(const char *line, size_t len, enum alg_kind *kind,
    struct hostport *where, char *why, size_t whylen);

/* The line of this kind for where, ending in CRLF.  A PORT or 227 needs
 * an IPv4 where; a 229 uses only its port.  Returns the length, or -1 if
 * the buffer is too small or the address does not fit the kind. */
int alg_format(enum alg_kind kind, const struct hostport *where, char *buf,
    size_t len);

/* The verb of kind ("227", "PORT"...), for messages. */
const char *alg_kind_name(enum alg_kind kind);

/* Nonzero when the command line is verb (any case) alone or followed by
 * a space: alg_is_command("AUTH TLS\r\n", 10, "AUTH"). */
int alg_is_command(const char *line, size_t len, const char *verb);

#endif
