/* bounce.h - the bounce check of RFC 2577 on a PORT or EPRT.
 *
 * A server that connects wherever PORT says can be made to attack a
 * third host, or a system service of its own host, with the bytes of a
 * file the client uploaded ("the bounce attack").  So the address a
 * PORT or EPRT names must be the client's own, and its port 1024 or
 * more.  On one machine the client's address is the program's too: the
 * port must not be one the program itself listens on (common/ownports),
 * or it would connect to itself, to another session's passive port or
 * to its web view.  ftp-labd checks this before it connects (datachan.c), and
 * ftp-tap before a PORT or EPRT goes on to the server (session.c): the
 * policy and its words are here, once; each program narrates and
 * replies in its own voice.
 */
#ifndef RAWFTP_BOUNCE_H
#define RAWFTP_BOUNCE_H

#include <stddef.h>

#include "hostport.h"

enum bounce_verdict {
	BOUNCE_OK,
	BOUNCE_THIRD_HOST,	/* not the client's address */
	BOUNCE_SYSTEM_PORT,	/* the client's, but a port below 1024 */
	BOUNCE_OWN_PORT		/* a port this process listens on itself */
};

/* What the check says of target for a client at client_host. */
enum bounce_verdict bounce_check(const struct hostport *target,
    const char *client_host);

/* The words of a refusal, for the narration's "data: refused WHO: WHY"
 * and for the 500 reply "REFUSER: TEXT (bounce attack, RFC 2577).". */
struct bounce_words {
	char who[HP_HOSTLEN + 16];	/* "127.0.0.9 port 51210" */
	char why[HP_HOSTLEN + 64];	/* "not the client's address ..." */
	char reply[2 * HP_HOSTLEN + 160];	/* the reply's text, no code */
};

/* Fills w for a refusal (verdict not BOUNCE_OK).  refuser starts the
 * reply ("Refused", "Refused by ftp-tap"); who_connects, if not NULL,
 * says who connects only back ("the server"). */
void bounce_words(enum bounce_verdict verdict, const struct hostport *target,
    const char *client_host, const char *refuser, const char *who_connects,
    struct bounce_words *w);

#endif
