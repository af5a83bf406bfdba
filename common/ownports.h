/* ownports.h - the addresses this process listens on, whatever thread
 * listens.
 *
 * A relay that connects where a server's 227 or 229 says must never
 * connect to itself: to its own control port, its web view, or the data
 * port another session listens on (a hostile server that saw that port
 * in one session's PORT could name it in another session's 227, and join
 * the two sessions' data).  Each listening socket is added here while it
 * listens, by whoever made it; ownports_has() answers for all of them.
 *
 *	struct ownport mine;
 *	ownports_add(&mine, &where);	after listen(2)
 *	ownports_remove(&mine);		before close(2)
 *
 * The struct is the caller's (no allocation): it stays valid, and
 * unchanged, until it is removed.
 */
#ifndef RAWFTP_OWNPORTS_H
#define RAWFTP_OWNPORTS_H

#include "hostport.h"

struct ownport {
	struct hostport at;
	struct ownport *prev, *next;
	int listed;
};

void ownports_add(struct ownport *p, const struct hostport *at);
void ownports_remove(struct ownport *p);

/* 1 if a socket of this process listens on target: the same port, on
 * target's address or on the wildcard address. */
int ownports_has(const struct hostport *target);

#endif
