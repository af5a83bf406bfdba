/* portable.h - RAWFTP_PORTABLE: run the portable code paths on Linux too.
 *
 * The programs use Linux fast paths where they exist (sendfile and splice
 * in the pump, openat2 in ftp-labd's confinement) and plain POSIX code
 * elsewhere.  RAWFTP_PORTABLE=1 (any value but empty or 0) in the
 * environment chooses the POSIX code everywhere, so the tests can run it.
 */
#ifndef RAWFTP_PORTABLE_H
#define RAWFTP_PORTABLE_H

/* Nonzero when RAWFTP_PORTABLE asks for the portable code paths. */
int portable_forced(void);

#endif
