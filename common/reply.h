/* reply.h - where an FTP reply ends (RFC 959 section 4.2).
 *
 * A reply is "NNN text" on one line, or "NNN-text" followed by any lines up
 * to one that starts with the same "NNN ".  A client in lock-step must know
 * when a reply is complete before it sends the next command, and that a 1xx
 * reply is only preliminary: the final one follows.
 */
#ifndef RAWFTP_REPLY_H
#define RAWFTP_REPLY_H

#include <stddef.h>

enum reply_step {
	REPLY_MORE,		/* inside a multi-line reply */
	REPLY_DONE,		/* this line completed a reply; see code */
	REPLY_BAD		/* not a reply line (no three-digit code) */
};

struct reply_parser {
	int code;		/* of the reply being read or just completed */
	int in_multiline;
};

void reply_init(struct reply_parser *rp);

/* Feed the first piece of each line (a line's further pieces, from
 * linebuf, cannot start a code and must not be fed). */
enum reply_step reply_feed(struct reply_parser *rp, const char *line,
    size_t len);

/* The code's first digit: 1 preliminary, 2 done, 3 more needed,
 * 4 transient failure, 5 permanent failure. */
int reply_class(int code);

/* If text starts with a three-digit code followed by space, '-' or the end,
 * returns it, else -1. */
int reply_code_of(const char *text, size_t len);

#endif
