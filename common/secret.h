/* secret.h - comparing a secret someone typed with the real one.
 *
 * A password (ftp-labd's accounts) or a token (the web view's) is
 * compared in a time that does not depend on where the two first differ,
 * so the time an answer takes tells a guesser nothing about how much of
 * a guess was right.
 */
#ifndef RAWFTP_SECRET_H
#define RAWFTP_SECRET_H

/* 1 when given equals secret, else 0; every byte of given is looked at. */
int secret_equal(const char *given, const char *secret);

#endif
