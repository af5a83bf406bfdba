/* fixtures.h - what several unit tests set up the same way. */
#ifndef RAWFTP_FIXTURES_H
#define RAWFTP_FIXTURES_H

#include "hostport.h"

/* A numeric host and a port, as net_local and net_peer give them. */
struct hostport fixture_hostport(const char *host, unsigned port);

/* A fresh pipe in *r, *w, its read end non-blocking (what was written
 * is read back at once, nothing is an empty read); the previous one,
 * if any (descriptors >= 0), is closed first. */
void fixture_pipe(int *r, int *w);

#endif
