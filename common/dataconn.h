/* dataconn.h - opening an FTP data connection, narrated: accepting the
 * one expected peer on a data port (and refusing a thief), or connecting
 * to the address a PORT, EPRT, 227 or 229 named.
 *
 * A data port may be reached by anyone who guesses it; only the host
 * the control connection came from may use it (RFC 2577 section 5).
 */
#ifndef RAWFTP_DATACONN_H
#define RAWFTP_DATACONN_H

#include "hostport.h"

/* Accepts one pending connection on lfd for session id.  It is returned
 * when it comes from the host expect ("data: HOST:PORT connected");
 * anyone else's is closed and narrated ("data: refused HOST:PORT: not the
 * ROLE's address EXPECT (connection theft)"), role being "client" or
 * "server".  A failing accept (out of descriptors) is narrated and pauses
 * a little, so that a wait does not spin.  -1 when none is returned.
 * unsafe (NULL: none) names a lab switch that lets anyone's connection
 * through, narrated "data: UNSAFE: HOST:PORT accepted, not the ROLE's
 * address EXPECT (UNSAFE)".  peer (NULL: not asked) gets the address of
 * the connection returned or refused; its port is 0 when none came. */
int dataconn_accept(unsigned id, int lfd, const char *expect,
    const char *role, const char *unsafe, struct hostport *peer);

/* Connects to *to within timeout_ms for session id, narrating "data:
 * connecting to HOST port P" and then the connection or the error.  The
 * socket, or -1. */
int dataconn_connect(unsigned id, const struct hostport *to,
    int timeout_ms);

#endif
